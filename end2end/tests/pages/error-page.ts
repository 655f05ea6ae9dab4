import { expect, type Page, type Response } from "@playwright/test";

/**
 * The page GitHub's answer made an error page of `status`. A browser's page streams
 * (`components::streaming`): when GitHub answered within the first byte's wait the response has
 * that status; when it answered later the frame had left as a 200 and the error page came in
 * place. Either way the page says which (`data-status`); the Rust tests hold the statuses.
 */
export async function expectErrorPage(page: Page, response: Response | null, status: number) {
  expect([status, 200]).toContain(response?.status());
  await expect(page.locator(`.error-page[data-status="${status}"]`)).toBeVisible();
}
