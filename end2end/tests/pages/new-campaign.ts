import { expect, type Page } from "@playwright/test";

/** The create form with its alert picker, at /orgs/{org}/campaigns/new. */
export class NewCampaignPage {
  constructor(private readonly page: Page) {}

  async waitForAlerts() {
    await expect(this.page.locator(".picker-status")).toContainText(/open alerts loaded\./, { timeout: 30_000 });
  }

  picker() {
    return this.page.locator(".picker");
  }

  async filter(label: "Repository" | "Severity" | "Tool" | "Rule", value: string) {
    await this.picker().getByLabel(label, { exact: true }).selectOption(value);
  }

  async type(label: "CWE" | "Path contains" | "Search", value: string) {
    await this.picker().getByLabel(label, { exact: true }).fill(value);
  }

  selectedCount() {
    return this.page.locator(".selected-count");
  }

  async selectAllMatching() {
    await this.page.getByRole("button", { name: /^Select all [\d,]+ matching$/ }).click();
  }

  async fillDetails(name: string, description: string, dueLocal: string) {
    await this.page.getByLabel("Name", { exact: true }).fill(name);
    await this.page.getByLabel("Description", { exact: true }).fill(description);
    await this.page.locator("#ends_at").fill(dueLocal);
  }

  async submit() {
    await this.page.getByRole("button", { name: /^Create campaign with/ }).click();
  }
}
