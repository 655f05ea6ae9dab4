import { test, expect } from "@playwright/test";
import { signInAt } from "./pages/github-consent";
import { NewCampaignPage } from "./pages/new-campaign";
import { dueInDays } from "./pages/campaigns";

test.describe("create a campaign", () => {
  test("pick alerts with filters and 'select all matching', create, then find it on the list and detail pages", async ({ page }) => {
    await signInAt(page, "/orgs/acme-corp/campaigns/new");
    const form = new NewCampaignPage(page);
    await form.waitForAlerts();

    await form.filter("Repository", "web-storefront");
    await form.type("CWE", "CWE-89, CWE-78, CWE-79");
    await form.selectAllMatching();
    const afterFirst = Number((await form.selectedCount().innerText()).replace(/[^\d]/g, ""));
    expect(afterFirst).toBeGreaterThan(0);

    // The selection survives filter changes and grows with a second pick.
    await form.filter("Repository", "checkout-service");
    await expect(form.selectedCount()).toContainText(`${afterFirst} selected`);
    await form.selectAllMatching();
    const total = Number((await form.selectedCount().innerText()).replace(/[^\d]/g, ""));
    expect(total).toBeGreaterThan(afterFirst);

    await form.fillDetails("Injection in storefront and checkout", "Fix SQL, command and script injection.\nOwner: AppSec.", dueInDays(30));
    await page.getByLabel("AppSec", { exact: true }).check();
    await page.getByLabel(/^Manager/).fill("mona");
    await form.submit();

    await expect(page).toHaveURL(/\/orgs\/acme-corp\/campaigns\/\d+\?created=1$/);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Injection in storefront and checkout");
    // Every selected alert is in the campaign: closed + in progress + open adds up to the selection.
    const legend = await page.locator(".progress-legend li").allInnerTexts();
    const sum = legend.map((t) => Number(t.replace(/[^\d]/g, ""))).reduce((a, b) => a + b, 0);
    expect(sum).toBe(total);

    await page.goto("/orgs/acme-corp/campaigns");
    await expect(page.getByRole("link", { name: "Injection in storefront and checkout", exact: true })).toBeVisible();
  });

  test("a failed create keeps every field and the whole selection", async ({ page }) => {
    await signInAt(page, "/orgs/acme-corp/campaigns/new");
    const form = new NewCampaignPage(page);
    await form.waitForAlerts();
    await page.getByRole("button", { name: "Critical and high", exact: true }).click();
    await form.filter("Tool", "Bandit");
    await form.selectAllMatching();
    const selected = await form.selectedCount().innerText();
    await form.fillDetails("Due in the past", "This must fail on the due date.", "2001-01-01T09:00");
    await form.submit();
    await expect(page.locator("#ends_at-error")).toContainText("must be in the future");
    await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Due in the past");
    await expect(page.getByLabel("Description", { exact: true })).toHaveValue("This must fail on the due date.");
    await expect(form.selectedCount()).toHaveText(selected);
  });

  test("one alert, a whole repository, more rows; an empty selection is refused before anything is sent", async ({ page }) => {
    await signInAt(page, "/orgs/acme-corp/campaigns/new");
    const form = new NewCampaignPage(page);
    await form.waitForAlerts();

    const posts: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST") posts.push(r.url());
    });
    await form.fillDetails("Nothing picked yet", "The picker must refuse this.", dueInDays(30));
    await form.submit();
    await expect(page.locator("#alerts-error")).toContainText("Select at least one alert");
    expect(posts.filter((u) => u.includes("campaigns/create"))).toEqual([]);

    // One row by its checkbox; the error goes away and the counts follow.
    const firstGroup = form.picker().locator(".group").first();
    await firstGroup.locator(".alert-row input[type=checkbox]").first().check();
    await expect(form.selectedCount()).toHaveText("1 selected");
    await expect(page.locator("#alerts-error")).toHaveCount(0);
    await expect(firstGroup.locator(".group-head")).toContainText("1 selected");

    // Every matching alert of that repository.
    const inRepo = firstGroup.getByRole("button", { name: /^Select all [\d,]+ in / });
    const repoCount = Number(((await inRepo.innerText()).match(/[\d,]+/) ?? ["0"])[0].replace(/,/g, ""));
    await inRepo.click();
    await expect(form.selectedCount()).toHaveText(`${repoCount.toLocaleString("en-US")} selected`);

    // Only the first rows are in the page; "Show more" adds the next ones.
    const rows = form.picker().locator(".alert-row");
    const before = await rows.count();
    await page.getByRole("button", { name: /^Show [\d,]+ more$/ }).click();
    await expect(rows).toHaveCount(before + 100);
    await expect(page.getByRole("button", { name: /^Create campaign with [\d,]+ alerts$/ })).toBeEnabled();
  });

  test("the picker's filters live in the address, so a shared link opens the same alerts", async ({ page }) => {
    await signInAt(page, "/orgs/acme-corp/campaigns/new?repo=web-storefront&cwe=CWE-79");
    const form = new NewCampaignPage(page);
    await form.waitForAlerts();
    await expect(form.picker().getByLabel("Repository", { exact: true })).toHaveValue("web-storefront");
    await expect(form.picker().getByLabel("CWE", { exact: true })).toHaveValue("CWE-79");
    await expect(form.picker().locator(".group")).toHaveCount(1);
    await expect(form.picker().locator(".group h3")).toHaveText("web-storefront");

    await form.filter("Tool", "CodeQL");
    await expect(page).toHaveURL(/\/new\?repo=web-storefront&tool=CodeQL&cwe=CWE-79$/);
    const matching = await page.getByRole("button", { name: /^Select all [\d,]+ matching$/ }).innerText();
    await page.reload();
    await form.waitForAlerts();
    await expect(form.picker().getByLabel("Tool", { exact: true })).toHaveValue("CodeQL");
    await expect(page.getByRole("button", { name: /^Select all [\d,]+ matching$/ })).toHaveText(matching);
  });

  test("more than 1,000 alerts cannot be selected", async ({ page }) => {
    await signInAt(page, "/orgs/acme-corp/campaigns/new");
    const form = new NewCampaignPage(page);
    await form.waitForAlerts();
    await form.selectAllMatching();
    await expect(page.getByRole("alert").filter({ hasText: "at most 1,000" })).toBeVisible();
    await expect(form.selectedCount()).toHaveText("0 selected");
  });
});

test("the picker waits when GitHub asks it to slow down, then loads every alert", async ({ page, request }) => {
  const emulator = process.env.E2E_EMULATOR_URL ?? "http://127.0.0.1:3110";
  await signInAt(page, "/orgs/acme-corp/campaigns");
  // GitHub's secondary rate limit: 403 with retry-after, twice in a row for the first page.
  const fault = await request.post(`${emulator}/_emulator/faults`, {
    data: {
      method: "GET",
      path_prefix: "/orgs/acme-corp/code-scanning/alerts",
      action: { kind: "status", status: 403, retry_after: 2, secondary: true },
      times: 2,
    },
  });
  expect(fault.ok()).toBeTruthy();
  await page.goto("/orgs/acme-corp/campaigns/new");
  const status = page.locator(".picker-status");
  await expect(status).toContainText("GitHub asks us to slow down: going on in 2 s");
  await expect(status).toHaveText("2,400 open alerts loaded.", { timeout: 20_000 });
});
