import { test, expect } from "@playwright/test";
import { signInAt } from "./pages/github-consent";

const emulator = process.env.E2E_EMULATOR_URL ?? "http://127.0.0.1:3110";

// GitHub slower than the first byte waits (`github.first_byte_wait_ms`, 1 s in this run): the
// frame leaves first, the campaign streams in after it, and the page hydrates like any other.
test("a page from a far GitHub shows its frame first, the campaign in place after, and then works", async ({ page, request }) => {
  await signInAt(page, "/orgs/acme-corp/campaigns");
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const fault = await request.post(`${emulator}/_emulator/faults`, {
    data: { path_prefix: "/orgs/acme-corp/campaigns/2", latency_ms: 2_500, times: 1 },
  });
  expect(fault.ok()).toBeTruthy();
  const started = Date.now();
  const response = await page.goto("/orgs/acme-corp/campaigns/2", { waitUntil: "commit" });
  expect(Date.now() - started, "the frame did not wait for GitHub").toBeLessThan(2_500);
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible({ timeout: 15_000 });
  await expect(page.locator(".pending")).toBeHidden();
  // Hydrated: the title follows the campaign's name, and the share button answers.
  await expect(page).toHaveTitle(/^(?!Campaign #2)/);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.getByRole("button", { name: "Copy link" }).click();
  await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(errors).toEqual([]);
});

// Every page, with every GitHub answer later than the first byte waits: each streams its data in
// after the frame and hydrates without an error.
test("every page hydrates when its data streams in after the frame", async ({ page, request }) => {
  test.setTimeout(120_000);
  await signInAt(page, "/");
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
  const slow = await request.post(`${emulator}/_emulator/faults`, { data: { latency_ms: 1_500 } });
  expect(slow.ok()).toBeTruthy();
  try {
    for (const path of [
      "/",
      "/orgs/acme-corp",
      "/orgs/acme-corp/campaigns",
      "/orgs/acme-corp/campaigns/1",
      "/orgs/acme-corp/campaigns/1/alerts",
      "/orgs/acme-corp/campaigns/1/alerts/triage?action=reopen&scope=matching&state=dismissed",
      "/orgs/acme-corp/campaigns/1/edit",
      "/orgs/acme-corp/campaigns/1/delete",
      "/orgs/acme-corp/campaigns/new",
      "/orgs/acme-corp/audit",
      "/orgs/acme-corp/digests",
      "/orgs/acme-corp/plans",
      "/orgs/acme-corp/plans/new?name=All&split=age&wave_size=100&publish_when=closed&cadence_days=14",
    ]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      await expect(page.locator(".pending"), path).toBeHidden({ timeout: 15_000 });
      await page.waitForLoadState("networkidle");
    }
  } finally {
    await request.delete(`${emulator}/_emulator/faults`);
  }
  expect(errors).toEqual([]);
});
