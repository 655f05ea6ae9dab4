import { test, expect, type Page } from "@playwright/test";
import * as fs from "fs";
import * as path from "path";
import { signInAt } from "./pages/github-consent";

// The corpus the Rust integration test uses too: every payload sets window.__xss (or would open
// a dialog) if it ever runs.
const payloads: string[] = JSON.parse(
  fs.readFileSync(path.join(__dirname, "../../tests/fixtures/xss-payloads.json"), "utf8"),
);
const emulator = process.env.E2E_EMULATOR_URL ?? "http://127.0.0.1:3110";
const hostile = "/orgs/hostile-org/campaigns";

/** Records CSP violations, dialogs and uncaught errors from the first script on every page. */
async function watch(page: Page) {
  const dialogs: string[] = [];
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  // A panic in the browser (a hydration mismatch, say) leaves a page that looks right but whose
  // links and buttons no longer work: it counts as much as a payload that ran.
  page.on("pageerror", (e) => dialogs.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      w.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
    });
  });
  return dialogs;
}

/** Opens `url`, lets it hydrate, and checks that nothing ran and nothing was blocked. */
async function visitClean(page: Page, url: string, dialogs: string[]) {
  const response = await page.goto(url);
  expect(response?.status(), url).toBe(200);
  await page.waitForLoadState("networkidle");
  const state = await page.evaluate(() => {
    const w = window as unknown as { __xss?: unknown; __violations: string[] };
    return { xss: w.__xss ?? null, violations: w.__violations };
  });
  expect(state.xss, `a payload ran on ${url}`).toBeNull();
  expect(state.violations, `CSP violations on ${url}`).toEqual([]);
  expect(dialogs, `dialogs on ${url}`).toEqual([]);
}

test.describe("hostile text and the content security policy", () => {
  test("no payload from GitHub runs on any page, with the page hydrated", async ({ page, request }) => {
    test.setTimeout(360_000);
    const planted = await request.post(`${emulator}/_emulator/hostile`, { data: { payloads } });
    expect(planted.ok()).toBeTruthy();
    const numbers: number[] = await planted.json();
    expect(numbers.length).toBe(payloads.length);
    const dialogs = await watch(page);
    await signInAt(page, "/");
    await visitClean(page, "/", dialogs);
    await visitClean(page, "/orgs/hostile-org", dialogs);
    await visitClean(page, `${hostile}?state=all&per_page=100`, dialogs);
    for (const [i, n] of numbers.entries()) {
      await visitClean(page, `${hostile}/${n}`, dialogs);
      await expect(page).toHaveTitle(`${payloads[i]} · campaigns-admin`);
      await visitClean(page, `${hostile}/${n}/edit`, dialogs);
      // The description is in its field exactly as GitHub has it, after hydration too.
      await expect(page.locator("textarea#description")).toHaveValue(payloads[i]);
    }
    await visitClean(page, `${hostile}/${numbers[0]}/delete`, dialogs);
    // The picker renders repositories, rules, tools and paths in the browser.
    await visitClean(page, `${hostile}/new`, dialogs);
    await expect(page.locator(".picker-status")).toContainText(`${payloads.length} open alerts loaded.`);
    await visitClean(page, `${hostile}/new?picker=server`, dialogs);
  });

  test("the main pages run under the CSP without a single violation", async ({ page }) => {
    test.setTimeout(180_000);
    const dialogs = await watch(page);
    await signInAt(page, "/");
    for (const url of [
      "/",
      "/orgs/acme-corp",
      "/orgs/acme-corp/campaigns",
      "/orgs/acme-corp/campaigns/1",
      "/orgs/acme-corp/campaigns/1/edit",
      "/orgs/acme-corp/campaigns/1/delete",
      "/orgs/acme-corp/campaigns/new",
      "/orgs/acme-corp/campaigns/new?picker=server",
      "/orgs/acme-corp/settings",
      "/orgs/acme-corp/digests",
    ]) {
      await visitClean(page, url, dialogs);
    }
    // Client-side navigation and a server function call after hydration.
    await page.goto("/orgs/acme-corp/campaigns");
    await page.waitForLoadState("networkidle");
    await page.locator("a.campaign-link").first().click();
    await expect(page.getByRole("heading", { level: 2, name: "About" })).toBeVisible();
    const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
    expect(violations).toEqual([]);
  });

  test("markup that slipped past escaping cannot run: the CSP blocks inline scripts and handlers", async ({ page }) => {
    await watch(page);
    await signInAt(page, "/");
    // Serve the real page with its real headers, plus what a failed escape would leave in it.
    await page.route("**/orgs/acme-corp/campaigns", async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace(
        "</main>",
        '<script>window.__injected = 1</script><img src="/nowhere.png" onerror="window.__injected = 2"></main>',
      );
      await route.fulfill({ response, body });
    });
    await page.goto("/orgs/acme-corp/campaigns");
    await page.waitForLoadState("networkidle");
    const result = await page.evaluate(() => {
      const w = window as unknown as { __injected?: number; __violations: string[] };
      return { injected: w.__injected ?? null, violations: w.__violations };
    });
    expect(result.injected).toBeNull();
    expect(result.violations.some((v) => v.startsWith("script-src-elem"))).toBeTruthy();
    expect(result.violations.some((v) => v.startsWith("script-src-attr"))).toBeTruthy();
    // Only the injected inline code was refused, never the page's own (nonced) scripts.
    expect(result.violations.every((v) => v.split(" ")[1] === "inline")).toBeTruthy();
  });
});
