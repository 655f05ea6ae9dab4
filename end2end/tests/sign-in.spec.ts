import { test, expect } from "@playwright/test";
import { GitHubConsentPage, signInAt } from "./pages/github-consent";

test.describe("sign in with GitHub", () => {
  test("the full round trip signs in and lists the user's organisations", async ({ page }) => {
    await page.goto("/");
    // Signed out: the app sends the browser to GitHub's (the emulator's) consent page.
    const consent = new GitHubConsentPage(page);
    await consent.expectShown();
    await expect(page.getByText("security_events")).toBeVisible();
    await consent.authorizeAs("mona");
    await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/$/);
    await expect(page.locator(".site-header .login")).toHaveText("mona");
    await expect(page.getByRole("link", { name: "acme-corp" }).first()).toBeVisible();
    await expect(page.getByRole("link", { name: "globex" }).first()).toBeVisible();
  });

  test("a shared deep link survives the sign-in round trip, query string and all", async ({ page }) => {
    const deep = "/no-such-page/yet?tab=x&q=a%20b";
    await signInAt(page, deep);
    const url = new URL(page.url());
    expect(url.pathname + url.search).toBe(deep);
  });

  test("cancelling on GitHub explains what happened and offers to sign in again", async ({ page }) => {
    await page.goto("/");
    await new GitHubConsentPage(page).cancel();
    await expect(page).toHaveURL(/\/sign-in-failed\?reason=denied/);
    await expect(page.getByRole("alert")).toContainText("You cancelled the sign-in");
    await page.getByRole("link", { name: "Sign in again" }).click();
    await new GitHubConsentPage(page).expectShown();
  });

  test("signing out revokes the session", async ({ page }) => {
    await signInAt(page, "/");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signed-out$/);
    await expect(page.getByRole("heading", { name: "You are signed out" })).toBeVisible();
    await page.goto("/");
    await new GitHubConsentPage(page).expectShown();
  });
});
