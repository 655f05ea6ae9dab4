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
});
