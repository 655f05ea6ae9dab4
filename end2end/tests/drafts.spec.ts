import { test, expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { signInAt } from "./pages/github-consent";
import { expectErrorPage } from "./pages/error-page";
import { NewCampaignPage } from "./pages/new-campaign";
import { dueInDays } from "./pages/campaigns";

/** The sum of a campaign page's progress legend: every alert it holds. */
async function alertsIn(page: Page) {
  // The address changes before the campaign's page has replaced the draft's: wait for it.
  await expect(page.locator(".progress-legend li").first()).toBeVisible();
  const legend = await page.locator(".progress-legend li").allInnerTexts();
  return legend.map((t) => Number(t.replace(/[^\d]/g, ""))).reduce((a, b) => a + b, 0);
}

/** Closes the campaign on screen, so the org stays under GitHub's ten open campaigns. */
async function closeIt(page: Page) {
  await page.getByRole("button", { name: "Close campaign" }).click();
  await expect(page.getByRole("button", { name: "Reopen campaign" })).toBeVisible();
}

test("a draft of a few hundred alerts is shared, commented on and published by a colleague, and both see it on the overview", async ({ page, browser }) => {
  test.setTimeout(120_000);
  await signInAt(page, "/orgs/acme-corp/campaigns/new");
  const form = new NewCampaignPage(page);
  await form.waitForAlerts();
  await form.filter("Repository", "web-storefront");
  await form.selectAllMatching();
  const picked = Number((await form.selectedCount().innerText()).replace(/[^\d]/g, ""));
  expect(picked).toBeGreaterThan(100);
  await form.fillDetails("Storefront review (draft)", "For the team to review before it goes out.", dueInDays(20));
  await page.getByRole("button", { name: "Save as draft" }).click();
  await expect(page).toHaveURL(/\/orgs\/acme-corp\/drafts\/\d+\?saved=1$/);
  await expect(page.locator("#draft-alerts")).toHaveText(`${picked} chosen`);
  const link = page.url().replace("?saved=1", "");
  // The draft's page passes the same accessibility rules as every other page.
  const axe = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);

  // A colleague, in a browser of their own, opens the shared link (signing in on the way).
  const colleague = await (await browser.newContext()).newPage();
  await signInAt(colleague, new URL(link).pathname, "hubot");
  await expect(colleague.getByRole("heading", { level: 1 })).toContainText("Storefront review (draft)");
  await expect(colleague.locator("#closed-since")).toHaveText("Every chosen alert is still open.");
  await colleague.getByLabel("Add a comment").fill("Approved: publish it.");
  await colleague.getByRole("button", { name: "Comment" }).click();
  await expect(colleague.locator(".comment-body")).toHaveText("Approved: publish it.");
  await colleague.getByRole("button", { name: "Publish on GitHub" }).click();
  await expect(colleague).toHaveURL(/\/orgs\/acme-corp\/campaigns\/\d+\?created=1$/);
  expect(await alertsIn(colleague)).toBe(picked);

  // Both find it on the overview, with its progress; the draft is gone.
  for (const p of [colleague, page]) {
    await p.goto("/orgs/acme-corp");
    const row = p.locator("table.campaigns tr", { hasText: "Storefront review (draft)" });
    await expect(row.locator(".progress")).toHaveAttribute("aria-label", /closed/);
    await expect(p.getByRole("link", { name: "Storefront review (draft)" })).toHaveCount(1);
  }
  await campaignLink(page, "Storefront review (draft)").click();
  await closeIt(page);
});

function campaignLink(page: Page, name: string) {
  return page.getByRole("link", { name, exact: true });
}

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a draft is saved, refused with its reason, edited and published", async ({ page }) => {
    test.setTimeout(120_000);
    await signInAt(page, "/orgs/acme-corp/campaigns/new?picker=server&severity=critical");
    const boxes = page.locator(".alert-rows input[type=checkbox]");
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await boxes.nth(2).check();
    await page.getByLabel("Name", { exact: true }).fill("Critical three (no-JS draft)");
    await page.getByLabel("Description", { exact: true }).fill("Saved without a due date.");
    await page.getByRole("button", { name: "Save as draft" }).click();
    await expect(page).toHaveURL(/\/orgs\/acme-corp\/drafts\/\d+\?saved=1$/);
    await expect(page.locator("#draft-alerts")).toHaveText("3 chosen");

    // Publishing needs what GitHub needs: the reason comes back on the draft's page.
    await page.getByRole("button", { name: "Publish on GitHub" }).click();
    await expect(page.getByRole("alert")).toContainText("Choose a due date.");

    await page.getByRole("link", { name: "Edit", exact: true }).click();
    await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Critical three (no-JS draft)");
    await page.locator("#ends_at").fill(dueInDays(14));
    await page.getByRole("button", { name: "Save draft" }).click();
    await expect(page).toHaveURL(/\/orgs\/acme-corp\/drafts\/\d+\?saved=1$/);
    await page.getByRole("button", { name: "Publish on GitHub" }).click();
    await expect(page).toHaveURL(/\/orgs\/acme-corp\/campaigns\/\d+\?created=1$/);
    expect(await alertsIn(page)).toBe(3);
    await closeIt(page);
  });
});

test("only the org's owners and security managers can open a draft by its link", async ({ page, browser }) => {
  // hubot (an owner of globex) saves a draft there.
  await signInAt(page, "/orgs/globex/campaigns", "hubot");
  const saved = await page.request.post("/api/drafts/save", {
    headers: { origin: new URL(page.url()).origin },
    form: { org: "globex", name: "Globex only (draft)", description: "Owners and security managers only." },
  });
  expect(saved.status()).toBe(200);
  const link = `/orgs/globex/drafts/${(await saved.text()).trim()}`;
  await page.goto(link);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Globex only (draft)");

  // mona is a member of globex without a role there; octocat is not in globex at all. Both have
  // the link; neither sees anything of the draft, and the page says which role it takes.
  for (const login of ["mona", "octocat"]) {
    const other = await (await browser.newContext()).newPage();
    await signInAt(other, "/", login);
    const response = await other.goto(link);
    await expectErrorPage(other, response, 403);
    await expect(other.getByRole("alert")).toContainText("owner or security manager of globex");
    await expect(other.getByText("Globex only (draft)")).toHaveCount(0);
  }
});
