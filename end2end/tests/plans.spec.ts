import { test, expect } from "@playwright/test";
import { signInAt } from "./pages/github-consent";

const emulator = process.env.E2E_EMULATOR_URL ?? "http://127.0.0.1:3110";

test("a 2,500-alert plan shows three waves, publishes the first, and the second once the first is closed", async ({ page, request }) => {
  // globex grows 25 repositories of 100 open alerts each (service-NNN).
  const grown = await request.post(`${emulator}/_emulator/orgs/globex/repositories`, { data: { count: 25, open_alerts_each: 100 } });
  expect(grown.status()).toBe(204);
  await signInAt(page, "/orgs/globex/plans", "hubot");
  await page.getByLabel("Name", { exact: true }).fill("Services");
  await page.getByLabel("Text (rule, path or repository)").fill("service-");
  await page.getByLabel("Split").selectOption("repository");
  await page.getByLabel("Alerts a wave").fill("1000");
  await page.getByLabel("Publish the next wave").selectOption("closed");
  await page.getByRole("button", { name: "Preview the waves" }).click();

  await expect(page.getByRole("heading", { name: "2500 alerts in 3 waves" })).toBeVisible();
  const sizes = await page.locator("#plan-waves tbody td.num").allInnerTexts();
  expect(sizes).toEqual(["1000", "1000", "500"]);
  await expect(page.locator("#plan-waves tbody")).toContainText("Services · wave 1/3");

  const headers = { origin: new URL(page.url()).origin };
  const published: number[] = [];
  try {
    await page.getByRole("button", { name: "Keep the plan and publish wave 1" }).click();
    await expect(page).toHaveURL(/\/orgs\/globex\/plans\/\d+$/);
    await expect(page.locator("#plan-progress")).toContainText("0 of 2500 alerts closed");
    const rows = page.locator("#plan-waves tbody tr");
    await expect(rows).toHaveCount(3);
    await expect(rows.nth(0)).toContainText("open");
    await expect(rows.nth(1)).toContainText("Not published");
    const first = Number((await rows.nth(0).locator("a").innerText()).replace("#", ""));
    published.push(first);

    // Close wave 1 on GitHub, then run the check (the job the scheduler runs every five minutes).
    const token = (await (await request.post(`${emulator}/_emulator/tokens`, { data: { login: "hubot", scopes: ["security_events", "read:org"] } })).json()).token;
    const closed = await request.patch(`${emulator}/orgs/globex/campaigns/${first}`, {
      headers: { authorization: `Bearer ${token}` },
      data: { state: "closed" },
    });
    expect(closed.status()).toBe(200);
    await page.getByRole("button", { name: "Check the next wave now" }).click();
    await expect(rows.nth(0)).toContainText("closed");
    await expect(rows.nth(1).locator("a")).toBeVisible();
    await expect(rows.nth(2)).toContainText("Not published");
    await expect(page.locator("#plan-status")).toContainText("Wave 2 published as campaign");
    published.push(Number((await rows.nth(1).locator("a").innerText()).replace("#", "")));
    await expect(page.getByRole("img")).toBeVisible();
  } finally {
    // Give globex its slots back: GitHub allows ten open campaigns.
    for (const number of published) {
      await page.request.post("/api/campaigns/delete", { headers, form: { org: "globex", number: String(number) } });
    }
  }
});

test("a wave over GitHub's limit is refused next to its field", async ({ page }) => {
  await signInAt(page, "/orgs/globex/plans/new?name=Too+big&split=age&wave_size=1001&publish_when=closed&cadence_days=30", "hubot");
  await expect(page.locator("#plan-wave-size-error")).toContainText("GitHub allows at most 1000 alerts in a campaign");
  await expect(page.getByLabel("Alerts a wave")).toHaveValue("1001");
  await expect(page.getByLabel("Alerts a wave")).toHaveAttribute("aria-invalid", "true");
});
