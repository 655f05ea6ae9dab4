import { test, expect } from "@playwright/test";
import { signInAt } from "./pages/github-consent";
import { NewCampaignPage } from "./pages/new-campaign";

test("the picker's filters are saved as a template of the org, and starting from it sets the filters and the name", async ({ page }) => {
  await signInAt(page, "/orgs/acme-corp/campaigns/new");
  const form = new NewCampaignPage(page);
  await form.waitForAlerts();

  // A built-in template with the age filter.
  await page.getByRole("button", { name: "Critical and high, older than 90 days", exact: true }).click();
  await expect(form.picker().getByLabel("Older than (days)", { exact: true })).toHaveValue("90");
  await expect(page).toHaveURL(/older_than=90/);
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(/^Overdue critical and high \d{4}-\d{2}-\d{2}$/);

  // The team's own: filters in use, saved with a name pattern.
  await page.getByRole("button", { name: "No filters", exact: true }).click();
  await form.filter("Repository", "web-storefront");
  await form.type("CWE", "CWE-89");
  const matching = await page.locator(".selection-bar .muted").innerText();
  await page.getByText("Save these filters as a template").click();
  await page.getByLabel("Template name").fill("Storefront SQL injection");
  await page.getByLabel("Campaign name pattern").fill("Storefront SQLi {date}");
  await page.getByRole("button", { name: "Save template" }).click();
  await expect(page.getByRole("button", { name: "Storefront SQL injection", exact: true })).toBeVisible();

  // Kept for the org: after a reload it is there, and starting from it gives the same alerts.
  await page.goto("/orgs/acme-corp/campaigns/new");
  await form.waitForAlerts();
  await page.getByLabel("Name", { exact: true }).fill("");
  await page.getByRole("button", { name: "Storefront SQL injection", exact: true }).click();
  await expect(form.picker().getByLabel("Repository", { exact: true })).toHaveValue("web-storefront");
  await expect(form.picker().getByLabel("CWE", { exact: true })).toHaveValue("CWE-89");
  await expect(page.locator(".selection-bar .muted")).toHaveText(matching);
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(/^Storefront SQLi \d{4}-\d{2}-\d{2}$/);

  // And removed.
  await page.getByRole("button", { name: "Remove the template Storefront SQL injection" }).click();
  await expect(page.getByRole("button", { name: "Storefront SQL injection", exact: true })).toHaveCount(0);
  await page.reload();
  await form.waitForAlerts();
  await expect(page.getByRole("button", { name: "Storefront SQL injection", exact: true })).toHaveCount(0);
});
