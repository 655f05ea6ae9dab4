import { test, expect } from "@playwright/test";
import { signInAt } from "./pages/github-consent";
import { CampaignEditPage, dueInDays } from "./pages/campaigns";

// Everything here must work from the server-rendered HTML alone: plain forms, links and redirects.
test.use({ javaScriptEnabled: false });

test("without JavaScript a campaign can be filtered, edited and closed", async ({ page }) => {
  await signInAt(page, "/orgs/acme-corp/campaigns?state=all");
  await expect(page.getByRole("link", { name: "XSS in the storefront", exact: true })).toBeVisible();

  await page.goto("/orgs/acme-corp/campaigns/3/edit");
  const form = new CampaignEditPage(page);
  await form.name().fill("Storefront XSS (no-JS edit)");
  await form.due().fill(dueInDays(21));
  await form.save();
  await expect(page).toHaveURL(/\/orgs\/acme-corp\/campaigns\/3\?saved=1$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Storefront XSS (no-JS edit)");

  await page.getByRole("button", { name: "Close campaign" }).click();
  await expect(page).toHaveURL(/\/orgs\/acme-corp\/campaigns\/3$/);
  await expect(page.getByRole("button", { name: "Reopen campaign" })).toBeVisible();
  await expect(page.locator(".badge.closed")).toBeVisible();

  // Both changes are in the campaign's own entries and in the org's audit log, whose filter is
  // a plain GET form: the result is an address to share.
  await expect(page.getByRole("heading", { name: "Changes made here" })).toBeVisible();
  await page.goto("/orgs/acme-corp/audit");
  await page.getByLabel("Campaign", { exact: true }).fill("3");
  await page.getByLabel("Action", { exact: true }).selectOption("close");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/\/orgs\/acme-corp\/audit\?campaign=3&person=&action=close$/);
  const closes = page.locator("table.audit tbody tr", { hasText: "Storefront XSS (no-JS edit)" });
  await expect(closes.first()).toContainText("close");
  const actions = await page.locator("table.audit tbody tr td:nth-child(3)").allInnerTexts();
  expect(new Set(actions)).toEqual(new Set(["close"]));
});

test("without JavaScript a campaign can be created from the server-rendered alert list", async ({ page }) => {
  // A shared link with a filter: the fallback list keeps it.
  await signInAt(page, "/orgs/acme-corp/campaigns/new?repo=web-storefront");
  await page.getByRole("link", { name: "Use the server-rendered alert list" }).click();
  const filters = page.locator("form.filters");
  await expect(filters.getByLabel("Repository", { exact: true })).toHaveValue("web-storefront");
  await filters.getByLabel("CWE", { exact: true }).fill("CWE-79");
  await page.getByRole("button", { name: "Filter alerts" }).click();
  await expect(page).toHaveURL(/picker=server.*repo=web-storefront/);
  const boxes = page.locator(".alert-rows input[type=checkbox]");
  await expect(boxes.first()).toBeVisible();
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.getByLabel("Name", { exact: true }).fill("Storefront XSS (no JS)");
  await page.getByLabel("Description", { exact: true }).fill("Created without JavaScript.");
  // First with a due date in the past: the form comes back filled in, the message by the field.
  await page.locator("#ends_at").fill("2001-01-01T09:00");
  await page.getByRole("button", { name: /^Create campaign/ }).click();
  await expect(page.locator("#ends_at-error")).toContainText("must be in the future");
  // Back on the form's own address, filters kept and no error in it: a reload is a fresh form.
  await expect(page).toHaveURL(/picker=server.*repo=web-storefront/);
  expect(page.url()).not.toContain("__err");
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Storefront XSS (no JS)");
  await expect(page.getByLabel("Description", { exact: true })).toHaveValue("Created without JavaScript.");
  await expect(boxes.nth(0)).toBeChecked();
  await expect(boxes.nth(1)).toBeChecked();
  await page.locator("#ends_at").fill(dueInDays(10));
  await page.getByRole("button", { name: /^Create campaign/ }).click();
  await expect(page).toHaveURL(/\/orgs\/acme-corp\/campaigns\/\d+\?created=1$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Storefront XSS (no JS)");
  const legend = await page.locator(".progress-legend li").allInnerTexts();
  const sum = legend.map((t) => Number(t.replace(/[^\d]/g, ""))).reduce((a, b) => a + b, 0);
  expect(sum).toBe(2);
});

test("without JavaScript a campaign's alerts are filtered with the plain form, and a refused value comes back", async ({ page }) => {
  await signInAt(page, "/orgs/acme-corp/campaigns/1");
  await page.getByRole("link", { name: "Alerts and repositories" }).click();
  await expect(page.getByRole("heading", { name: "Progress by repository" })).toBeVisible();
  await page.getByLabel("State", { exact: true }).selectOption("dismissed");
  await page.getByLabel("Repositories", { exact: true }).selectOption("name");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/\/alerts\?repo=&state=dismissed&severity=&rule=&assignee=&sort=name$/);
  // The page streams: its address changes with the frame, its rows follow.
  await page.waitForLoadState("load");
  const states = await page.locator("table.alerts tbody .alert-state").allInnerTexts();
  expect(states.length).toBeGreaterThan(0);
  for (const s of states) expect(s).toMatch(/^dismissed \(/);
  const repos = await page.locator("table.repos tbody th").allInnerTexts();
  expect(repos).toEqual([...repos].sort());

  await page.goto("/orgs/acme-corp/campaigns/1/alerts?severity=urgent");
  await expect(page.locator("#alerts-severity-error")).toHaveText("Choose a severity from the list.");
  await expect(page.getByLabel("Severity", { exact: true })).toHaveValue("urgent");
});

test("without JavaScript a page's alerts are dismissed through the preview, and the run's page says what changed", async ({ page }) => {
  await signInAt(page, "/orgs/acme-corp/campaigns/1/alerts?state=open");
  const boxes = page.locator("table.alerts tbody input.triage-check");
  const keys = await boxes.evaluateAll((bs) => bs.slice(0, 2).map((b) => (b as HTMLInputElement).value));
  expect(keys).toHaveLength(2);
  try {
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByRole("radio", { name: "Dismiss" }).check();
    await page.getByLabel("Dismiss as").selectOption("won't fix");
    await page.getByRole("button", { name: "Preview" }).click();
    await expect(page.getByRole("heading", { name: "Dismiss 2 alerts?" })).toBeVisible();
    await page.getByRole("button", { name: "Dismiss 2 alerts" }).click();
    await expect(page).toHaveURL(/\/alerts\/triage\?done=\d+$/);
    await expect(page.getByRole("heading", { name: "2 alerts changed" })).toBeVisible();
    await expect(page.locator("#triage-results tbody tr.done")).toHaveCount(2);
    await expect(page.locator("#triage-results")).toContainText("dismissed (won't fix)");
  } finally {
    for (const key of keys) {
      const [repository, number] = key.split("#");
      const [owner, repo] = repository.split("/");
      const emulator = process.env.E2E_EMULATOR_URL ?? "http://127.0.0.1:3110";
      const res = await page.request.post(`${emulator}/_emulator/repos/${owner}/${encodeURIComponent(repo)}/code-scanning/alerts/${number}`, {
        data: { state: "open", dismissed_reason: null },
      });
      expect(res.status()).toBe(204);
    }
  }
});
