import { test, expect } from "@playwright/test";
import { signInAt } from "./pages/github-consent";
import { expectErrorPage } from "./pages/error-page";
import { CampaignDetailPage, CampaignEditPage, CampaignListPage, dueInDays } from "./pages/campaigns";

const emulator = process.env.E2E_EMULATOR_URL ?? "http://127.0.0.1:3110";

test.describe("campaign list", () => {
  test("filters, sort and page size live in the URL and survive a reload", async ({ page }) => {
    const list = new CampaignListPage(page, "acme-corp");
    await signInAt(page, "/orgs/acme-corp/campaigns");
    await list.expectCampaign("SQL injection sweep");
    await list.expectCampaign("Hard-coded secrets 2025", false);

    await list.setFilter("State", "closed");
    await list.apply();
    await expect(page).toHaveURL(/state=closed/);
    await list.expectCampaign("Hard-coded secrets 2025");
    await list.expectCampaign("SQL injection sweep", false);

    await page.reload();
    await list.expectCampaign("Hard-coded secrets 2025");
    await expect(page.getByLabel("State")).toHaveValue("closed");
  });

  test("pagination follows GitHub's Link header", async ({ page, request }) => {
    const added = await request.post(`${emulator}/_emulator/orgs/acme-corp/closed-campaigns`, { data: { count: 12 } });
    expect(added.status()).toBe(204);
    const list = new CampaignListPage(page, "acme-corp");
    await signInAt(page, "/orgs/acme-corp/campaigns?state=closed&per_page=10");
    await expect(list.rows()).toHaveCount(10);
    await expect(page.getByText(/Page 1 of 2/)).toBeVisible();
    await page.getByRole("link", { name: "Next ›" }).click();
    await expect(page).toHaveURL(/page=2/);
    await expect(page.getByText(/Page 2 of 2/)).toBeVisible();
    await expect(list.rows()).not.toHaveCount(0);
  });
});

test.describe("campaign detail", () => {
  test("shows the campaign with its progress, dates and share links", async ({ page }) => {
    await signInAt(page, "/orgs/acme-corp/campaigns");
    await page.getByRole("link", { name: "SQL injection sweep", exact: true }).click();
    await expect(page).toHaveURL(/\/orgs\/acme-corp\/campaigns\/1$/);
    await expect(page).toHaveTitle(/SQL injection sweep/);
    await expect(new CampaignDetailPage(page).heading()).toContainText("SQL injection sweep");
    await expect(page.getByRole("img", { name: /% closed/ })).toBeVisible();
    await expect(page.getByRole("link", { name: "Open on GitHub ↗" })).toHaveAttribute("href", /\/orgs\/acme-corp\/security\/campaigns\/1$/);
    await expect(page.getByLabel("Link to this campaign")).toHaveValue(/\/orgs\/acme-corp\/campaigns\/1$/);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.getByRole("button", { name: "Copy link" }).click();
    await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
  });

  test("an unknown campaign is a 404 page", async ({ page }) => {
    await signInAt(page, "/");
    const response = await page.goto("/orgs/acme-corp/campaigns/9999");
    await expectErrorPage(page, response, 404);
    await expect(page.getByRole("alert")).toContainText("Page not found");
  });

  test("edit: a validation error keeps what was typed, then the fix saves", async ({ page }) => {
    await signInAt(page, "/orgs/acme-corp/campaigns/2/edit");
    const form = new CampaignEditPage(page);
    await form.name().fill("Command injection, phase 2");
    await form.due().fill("2001-01-01T09:00");
    await form.save();
    await expect(page.locator("#ends_at-error")).toContainText("must be in the future");
    await expect(form.name()).toHaveValue("Command injection, phase 2");
    await form.due().fill(dueInDays(14));
    await form.save();
    await expect(page).toHaveURL(/\/orgs\/acme-corp\/campaigns\/2\?saved=1$/);
    await expect(page.getByRole("status")).toContainText("Your changes were saved");
    await expect(new CampaignDetailPage(page).heading()).toContainText("Command injection, phase 2");
  });

  test("close and reopen", async ({ page }) => {
    await signInAt(page, "/orgs/acme-corp/campaigns/4");
    const detail = new CampaignDetailPage(page);
    await detail.reopen();
    await expect(page.locator(".badge.open")).toBeVisible();
    await detail.close();
    await expect(page.locator(".badge.closed")).toBeVisible();
  });

  test("delete asks first, naming the campaign, then the list says it is gone", async ({ page }) => {
    await signInAt(page, "/orgs/acme-corp/campaigns/5");
    await page.getByRole("link", { name: "Delete…" }).click();
    await expect(page.getByRole("heading", { name: "Delete the campaign “Path traversal clean-up”?" })).toBeVisible();
    await page.getByRole("button", { name: "Delete “Path traversal clean-up”" }).click();
    await expect(page).toHaveURL(/\/orgs\/acme-corp\/campaigns\?deleted=5$/);
    await expect(page.getByRole("status")).toContainText("Campaign #5 was deleted.");
    const response = await page.goto("/orgs/acme-corp/campaigns/5");
    await expectErrorPage(page, response, 404);
  });
});
