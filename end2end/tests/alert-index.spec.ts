import { test, expect } from "@playwright/test";
import { signInAt } from "./pages/github-consent";

const emulator = process.env.E2E_EMULATOR_URL ?? "http://127.0.0.1:3110";

// The app runs with its alert index on in the PostgreSQL run (scripts/e2e-postgres) only; the
// first run keeps every read live, as the picker's pause spec needs.
test.skip(process.env.E2E_ALERT_INDEX !== "on", "the app runs with its alert index off");

const loaded = /^[\d,]+ open alerts loaded\.$/;

test("the picker reads the org's alert index: every alert at once, how fresh, what changed on Refresh, and GitHub's pause does not blank it", async ({ page, request }) => {
  await signInAt(page, "/orgs/globex/campaigns/new", "hubot");
  const status = page.locator(".picker-status");
  await expect(status).toHaveText(loaded, { timeout: 20_000 });
  // The first opening may read GitHub live while the index's first sync runs; once it has
  // finished, the picker says the alerts are the index's and how fresh.
  const freshness = page.locator(".picker-freshness");
  await expect(async () => {
    await page.reload();
    await expect(freshness).toContainText("As GitHub listed them at", { timeout: 5_000 });
  }).toPass({ timeout: 30_000 });
  await expect(status).toHaveText(loaded, { timeout: 20_000 });
  const before = Number((await status.textContent())!.replace(/[^\d]/g, ""));

  // An alert fixed on GitHub leaves the list at the next Refresh.
  const token = (
    await (await request.post(`${emulator}/_emulator/tokens`, {
      data: { login: "hubot", scopes: ["security_events", "read:org"] },
    })).json()
  ).token;
  const open = await (
    await request.get(`${emulator}/orgs/globex/code-scanning/alerts?state=open&per_page=1`, {
      headers: { authorization: `Bearer ${token}` },
    })
  ).json();
  const alert = `${emulator}/_emulator/repos/globex/${encodeURIComponent(open[0].repository.name)}/code-scanning/alerts/${open[0].number}`;
  expect((await request.post(alert, { data: { state: "fixed", dismissed_reason: null } })).status()).toBe(204);
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(status).toHaveText(`${(before - 1).toLocaleString("en-US")} open alerts loaded.`);
  await expect(freshness).toBeVisible();

  // GitHub asks the app to slow down: the picker still shows every alert the index holds, and
  // says how old they are.
  const fault = await request.post(`${emulator}/_emulator/faults`, {
    data: {
      method: "GET",
      path_prefix: "/orgs/globex/code-scanning/alerts",
      action: { kind: "status", status: 403, retry_after: 2, secondary: true },
      times: 1,
    },
  });
  expect(fault.ok()).toBeTruthy();
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(status).toHaveText(`${(before - 1).toLocaleString("en-US")} open alerts loaded.`);
  await expect(freshness).toContainText("As GitHub listed them at");

  expect((await request.post(alert, { data: { state: "open", dismissed_reason: null } })).status()).toBe(204);
});
