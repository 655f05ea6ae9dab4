import { expect, type Page } from "@playwright/test";

/** The campaign list at /orgs/{org}/campaigns. */
export class CampaignListPage {
  constructor(private readonly page: Page, private readonly org: string) {}

  async open(query = "") {
    await this.page.goto(`/orgs/${this.org}/campaigns${query ? `?${query}` : ""}`);
  }

  rows() {
    return this.page.locator("table.campaigns tbody tr");
  }

  async setFilter(label: "State" | "Sort by" | "Order" | "Per page", value: string) {
    await this.page.getByLabel(label).selectOption(value);
  }

  async apply() {
    await this.page.getByRole("button", { name: "Apply" }).click();
  }

  async expectCampaign(name: string, visible = true) {
    const link = this.page.getByRole("link", { name, exact: true });
    if (visible) await expect(link).toBeVisible();
    else await expect(link).toHaveCount(0);
  }
}

/** The detail page of one campaign. */
export class CampaignDetailPage {
  constructor(private readonly page: Page) {}

  heading() {
    return this.page.getByRole("heading", { level: 1 });
  }

  async close() {
    await this.page.getByRole("button", { name: "Close campaign" }).click();
    await expect(this.page.getByRole("button", { name: "Reopen campaign" })).toBeVisible();
  }

  async reopen() {
    await this.page.getByRole("button", { name: "Reopen campaign" }).click();
    await expect(this.page.getByRole("button", { name: "Close campaign" })).toBeVisible();
  }
}

/** The edit form. */
export class CampaignEditPage {
  constructor(private readonly page: Page) {}

  name() {
    return this.page.getByLabel("Name", { exact: true });
  }
  /** "Due (UTC)" as the server renders it, "Due (your local time)" once the page runs. */
  due() {
    return this.page.getByLabel(/^Due \(/);
  }
  async save() {
    await this.page.getByRole("button", { name: "Save changes" }).click();
  }
}

/** `YYYY-MM-DDTHH:MM` (UTC) for a datetime-local input, `days` from now. */
export function dueInDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 16);
}
