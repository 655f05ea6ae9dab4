import { test, expect } from "@playwright/test";
import { signInAt } from "./pages/github-consent";

test.describe("app shell", () => {
  test("the home page renders the header, main content and footer", async ({ page }) => {
    await signInAt(page, "/");
    await expect(page).toHaveTitle(/campaigns-admin/);
    await expect(page.getByRole("banner").getByRole("link", { name: /campaigns-admin/ })).toBeVisible();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Security campaigns");
    await expect(page.getByRole("contentinfo")).toContainText("token stays on the server");
  });

  test("the phone menu only works once the WASM bundle has hydrated the page", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto("/signed-out");
    const toggle = page.getByRole("button", { name: "Menu" });
    // The button is hidden in the server-rendered HTML and appears when hydration runs its effects.
    await expect(toggle).toBeVisible();
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav).toBeHidden();
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-expanded", "true");
    await expect(nav).toBeVisible();
    await toggle.click();
    await expect(nav).toBeHidden();
  });

  test("the bundle travels compressed, the pages do not", async ({ page, request }) => {
    await page.goto("/signed-out");
    const wasm = await page.locator("link[rel=preload][as=fetch]").getAttribute("href");
    const script = await page.locator("link[rel=modulepreload]").getAttribute("href");
    for (const file of [wasm!, script!]) {
      for (const [encoding, expected] of [["br", "br"], ["gzip", "gzip"], ["identity", undefined]] as const) {
        const res = await request.get(file, { headers: { "accept-encoding": encoding } });
        expect(res.status(), file).toBe(200);
        expect(res.headers()["content-encoding"], `${file} asked with ${encoding}`).toBe(expected);
      }
    }
    const page_ = await request.get("/signed-out", { headers: { "accept-encoding": "br, gzip" } });
    expect(page_.headers()["content-encoding"]).toBeUndefined();
  });

  test("an unknown address is a real 404 page", async ({ page }) => {
    await signInAt(page, "/");
    const response = await page.goto("/no/such/page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("alert")).toContainText("Page not found");
    await page.getByRole("link", { name: "Go to the home page" }).click();
    await expect(page).toHaveURL(/\/$/);
  });
});
