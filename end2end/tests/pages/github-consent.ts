import { expect, type Page } from "@playwright/test";

/** The built-in GitHub emulator's consent page (demo mode's "Sign in with GitHub"). */
export class GitHubConsentPage {
  constructor(private readonly page: Page) {}

  async expectShown() {
    await expect(this.page.getByRole("heading", { name: "Authorize campaigns-admin" })).toBeVisible();
  }

  async authorizeAs(login: string) {
    await this.expectShown();
    await this.page.getByRole("radio", { name: new RegExp(`^${login} \\(`) }).check();
    await this.page.getByRole("button", { name: "Authorize" }).click();
  }

  async cancel() {
    await this.expectShown();
    await this.page.getByRole("button", { name: "Cancel" }).click();
  }
}

/** Opens `path` signed out, signs in as `login` on the consent page, and waits to land back. */
export async function signInAt(page: Page, path: string, login = "mona") {
  await page.goto(path);
  await new GitHubConsentPage(page).authorizeAs(login);
  await expect(page.locator(".site-header .login")).toHaveText(login);
}
