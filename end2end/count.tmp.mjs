import { chromium } from "@playwright/test";
const b = await chromium.launch({executablePath: "/usr/bin/chromium", args: ["--no-sandbox"]}); const p = await b.newPage();
const base = "http://127.0.0.1:3020";
await p.goto(base + "/orgs/acme-corp/campaigns/new");
await p.getByRole("radio", { name: /^mona \(/ }).check();
await p.getByRole("button", { name: "Authorize" }).click();
await p.locator(".picker-status").filter({hasText: /open alerts loaded/}).waitFor({timeout: 120000});
console.log(await p.evaluate(() => ({
  groups: document.querySelectorAll(".picker .group").length,
  rows: document.querySelectorAll(".picker .alert-row").length,
  options: document.querySelectorAll(".picker option").length,
  nodes: document.querySelectorAll(".picker *").length,
  groupNodes: document.querySelectorAll(".picker .groups *").length,
})));
await b.close();
