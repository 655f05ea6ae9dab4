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

  test("the bundle is revalidated, never kept stale, and pages are never stored", async ({ page, request }) => {
    // This build names its files without a content hash (release builds hash them and serve
    // them as immutable: make bench prints their Cache-Control).
    const response = await page.goto("/signed-out");
    expect(response?.headers()["cache-control"]).toBe("no-store");
    const css = await page.locator("link[rel=stylesheet]").getAttribute("href");
    const js = await page.locator("link[rel=modulepreload]").getAttribute("href");
    for (const path of [css, js]) {
      expect(path).toMatch(/^\/pkg\/campaigns-admin\./);
      const asset = await request.get(path!);
      expect(asset.status()).toBe(200);
      expect(asset.headers()["cache-control"]).toBe("no-cache");
    }
    const missing = await request.get("/pkg/no-such-file.js");
    expect(missing.status()).toBe(404);
    expect(missing.headers()["cache-control"]).toBe("no-store");
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
