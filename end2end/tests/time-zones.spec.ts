import { test, expect } from "@playwright/test";
import { signInAt } from "./pages/github-consent";
import { NewCampaignPage } from "./pages/new-campaign";
import { CampaignEditPage } from "./pages/campaigns";

// Berlin is UTC+1 in winter and UTC+2 in summer: a due date is entered and shown in the browser's
// time zone, with the offset of that date, not of today.
test.use({ timezoneId: "Europe/Berlin" });

test.setTimeout(60_000);

test("due dates are entered and shown in local time, on either side of a daylight-saving change", async ({ page }) => {
  const year = new Date().getUTCFullYear() + 1;
  const summer = `${year}-07-15T09:00`;
  const winter = `${year}-01-15T09:00`;
  const due = page.locator("dt:text-is('Due') + dd time");

  await signInAt(page, "/orgs/acme-corp/campaigns/new");
  const form = new NewCampaignPage(page);
  await form.waitForAlerts();
  await expect(page.getByLabel("Due (your local time)")).toBeVisible();
  await form.picker().locator(".alert-row input[type=checkbox]").first().check();
  await form.fillDetails("Summer deadline", "Due at nine, Berlin summer time.", summer);
  await form.submit();
  await expect(page).toHaveURL(/\/orgs\/acme-corp\/campaigns\/\d+\?created=1$/);
  await expect(due).toHaveAttribute("datetime", `${year}-07-15T07:00:00+00:00`);
  await expect(due).toHaveText(`${year}-07-15 09:00 UTC+02:00`);
  await expect(due).toHaveAttribute("title", `${year}-07-15 07:00:00 UTC`);

  // The edit form shows GitHub's UTC date in local time; a winter date gets the winter offset.
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  const edit = new CampaignEditPage(page);
  await expect(page.getByLabel("Due (your local time)")).toHaveValue(summer);
  await edit.due().fill(winter);
  await edit.save();
  await expect(page).toHaveURL(/\?saved=1$/);
  await expect(due).toHaveAttribute("datetime", `${year}-01-15T08:00:00+00:00`);
  await expect(due).toHaveText(`${year}-01-15 09:00 UTC+01:00`);

  // Saving again untouched keeps the same instant.
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await expect(edit.due()).toHaveValue(winter);
  await edit.name().fill("Winter deadline");
  await edit.save();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Winter deadline");
  await expect(due).toHaveAttribute("datetime", `${year}-01-15T08:00:00+00:00`);
});
