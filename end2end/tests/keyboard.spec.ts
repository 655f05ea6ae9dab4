import { test, expect, type Page, type Locator } from "@playwright/test";
import { signInAt } from "./pages/github-consent";
import { NewCampaignPage } from "./pages/new-campaign";

/** Presses Tab (Shift+Tab with `back`) until `target` has the focus; fails after `max` presses. */
async function tabTo(page: Page, target: Locator, max = 80, back = false) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
  }
  throw new Error(`Tab never reached ${target}`);
}

test("a campaign can be created with the keyboard alone", async ({ page }) => {
  test.setTimeout(90_000);
  await signInAt(page, "/orgs/acme-corp/campaigns/new");
  const form = new NewCampaignPage(page);
  await form.waitForAlerts();
  // From the top of the page, as someone arriving would.
  await page.locator("body").evaluate((b) => (b as HTMLElement).focus());

  await tabTo(page, page.getByLabel("Name", { exact: true }));
  await page.keyboard.type("Keyboard-only sweep");
  await page.keyboard.press("Tab");
  await page.keyboard.type("Created without a mouse.");

  // The due date: Chromium's date and time field takes its parts typed in turn.
  await tabTo(page, page.locator("#ends_at"));
  const next = new Date(Date.now() + 40 * 24 * 3600 * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  await page.keyboard.type(`${two(next.getMonth() + 1)}${two(next.getDate())}${next.getFullYear()}`);
  await page.keyboard.press("Tab");
  await page.keyboard.type("0930AM");
  await expect(page.locator("#ends_at")).toHaveValue(
    `${next.getFullYear()}-${two(next.getMonth() + 1)}-${two(next.getDate())}T09:30`,
  );

  // A team manager: its checkbox ticked with Space.
  const appsec = page.getByLabel("AppSec", { exact: true });
  await tabTo(page, appsec);
  await page.keyboard.press("Space");
  await expect(appsec).toBeChecked();

  // The picker: a starting point, then "select all matching", both with the keyboard.
  await tabTo(page, page.getByRole("button", { name: "Critical and high", exact: true }));
  await page.keyboard.press("Enter");
  await tabTo(page, page.getByLabel("Repository", { exact: true }));
  await page.keyboard.press("ArrowDown");
  const selectAll = page.getByRole("button", { name: /^Select all [\d,]+ matching$/ });
  await tabTo(page, selectAll);
  await page.keyboard.press("Space");
  await expect(form.selectedCount()).not.toHaveText("0 selected");
  const chosen = Number((await form.selectedCount().innerText()).replace(/[^\d]/g, ""));
  expect(chosen).toBeGreaterThan(0);
  expect(chosen).toBeLessThanOrEqual(1000);

  // The selection bar jumps to the form's button: no Tab through every alert row.
  await tabTo(page, page.getByRole("button", { name: "Go to the Create button" }), 10);
  await page.keyboard.press("Enter");
  const submit = page.getByRole("button", { name: /^Create campaign with/ });
  await expect(submit).toBeFocused();
  await page.keyboard.press("Enter");

  await expect(page).toHaveURL(/\/orgs\/acme-corp\/campaigns\/\d+\?created=1$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Keyboard-only sweep");
  await expect(page.locator(".facts")).toContainText("@AppSec");
});
