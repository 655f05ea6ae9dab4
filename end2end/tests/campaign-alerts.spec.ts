import { test, expect, type Page } from "@playwright/test";
import { signInAt } from "./pages/github-consent";

const emulator = process.env.E2E_EMULATOR_URL ?? "http://127.0.0.1:3110";

/** Fixes or dismisses an alert on the emulated GitHub, as a push or a reviewer would. */
async function setAlertState(page: Page, repository: string, number: number, state: string, reason?: string) {
  const [owner, repo] = repository.split("/");
  const res = await page.request.post(
    `${emulator}/_emulator/repos/${owner}/${encodeURIComponent(repo)}/code-scanning/alerts/${number}`,
    { data: { state, dismissed_reason: reason ?? null } },
  );
  expect(res.status()).toBe(204);
}

test("a security manager sees a campaign's alerts, its repositories' progress and its burndown, and exports both", async ({ page }) => {
  // Demo mode records its seeded campaigns as created here, with weeks of history.
  await signInAt(page, "/orgs/acme-corp/campaigns/1");
  await expect(page.getByText("Created in campaigns-admin by")).toBeVisible();
  const chart = page.getByRole("img", { name: "Burndown: alerts not yet closed, over time" });
  await expect(chart).toBeVisible();
  await expect(page.locator("#burndown-summary")).toContainText(/Alerts not yet closed went from \d+ on .* (on track|behind)\.$/);

  await page.getByRole("navigation", { name: "Campaign views" }).getByRole("link", { name: "Alerts and repositories" }).click();
  await expect(page).toHaveURL(/\/orgs\/acme-corp\/campaigns\/1\/alerts$/);
  await expect(page.getByRole("heading", { name: "Progress by repository" })).toBeVisible();
  const repoRows = page.locator("table.repos tbody tr");
  expect(await repoRows.count()).toBeGreaterThan(1);
  // Most behind first: the share still open never grows down the table.
  const shares = await repoRows.evaluateAll((rows) =>
    rows.map((r) => {
      const [open, fixed, dismissed] = [...r.querySelectorAll("td.num")].map((c) => Number(c.textContent));
      return open / (open + fixed + dismissed);
    }),
  );
  expect(shares).toEqual([...shares].sort((a, b) => b - a));

  // An open alert gets fixed on GitHub: the page shows it after a reload.
  const firstOpen = page.locator("table.alerts tbody tr", { has: page.locator(".alert-state.open") }).first();
  // The first cell is the row's checkbox (the triage form's); the second names the alert.
  const name = (await firstOpen.locator("td").nth(1).innerText()).trim();
  const [repository, number] = name.split(" #");
  await setAlertState(page, repository, Number(number), "fixed");
  try {
    await filterAndExport(page, name, repository, number);
  } finally {
    // The other specs count the demo's open alerts: leave them as they were.
    await setAlertState(page, repository, Number(number), "open");
  }
});

async function filterAndExport(page: Page, name: string, repository: string, number: string) {
  await page.getByLabel("State", { exact: true }).selectOption("fixed");
  await page.getByLabel("Repository", { exact: true }).selectOption(repository);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/repo=acme-corp%2F.*state=fixed/);
  const fixedRow = page.locator("table.alerts tbody tr", { hasText: name });
  await expect(fixedRow).toContainText("fixed");
  for (const state of await page.locator("table.alerts tbody .alert-state").allInnerTexts()) {
    expect(state).toBe("fixed");
  }

  // The filtered alerts as a file, named for the org, campaign and day.
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
  expect(csv.suggestedFilename()).toMatch(/^acme-corp-campaign-1-alerts-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = await (await csv.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8"));
  expect(text.split("\r\n")[0]).toBe("repository,number,rule_id,rule_name,severity,state,dismissed_reason,fixed_at,dismissed_at,path,line,html_url,assignees");
  expect(text).toContain(`"${repository}","${number}"`);
}

test("the campaign list downloads with formulas made text, and changes made here are in the audit log", async ({ page }) => {
  await signInAt(page, "/orgs/acme-corp/campaigns");
  // A campaign whose name a spreadsheet would run, created through the app's own endpoint (as
  // the page's own script would call it: same origin).
  const headers = { origin: new URL(page.url()).origin };
  const load = await page.request.post("/api/alerts/load", { headers, form: { org: "acme-corp", from_page: "1", pages: "1" } });
  const batch = await load.json();
  const alert = batch.alerts[batch.alerts.length - 1];
  const formula = '=HYPERLINK("https://evil.example","Click")';
  const due = new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 16);
  const created = await page.request.post("/api/campaigns/create", {
    headers,
    form: { org: "acme-corp", name: formula, description: "A formula", ends_at: due, tz_offset: "0", alerts: `${alert.repo_id}:${alert.number}` },
  });
  expect(created.status()).toBe(200);
  const { number } = await created.json();

  try {
    await page.goto("/orgs/acme-corp/campaigns?state=all");
    const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
    expect(file.suggestedFilename()).toMatch(/^acme-corp-campaigns-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8"));
    const row = text.split("\r\n").find((l) => l.startsWith(`"${number}",`));
    expect(row).toContain(`"'=HYPERLINK(""https://evil.example"",""Click"")"`);
    expect(text).not.toMatch(/(^|,)"=/m);

    // The create is in the audit log, as made by mona.
    await page.goto(`/orgs/acme-corp/audit?campaign=${number}`);
    await expect(page.locator("table.audit tbody tr").first()).toContainText("create");
    await expect(page.locator("table.audit tbody tr").first()).toContainText("mona");
  } finally {
    // Leave the demo's open campaigns as they were (GitHub allows ten).
    const gone = await page.request.post("/api/campaigns/delete", { headers, form: { org: "acme-corp", number: String(number) } });
    expect(gone.status()).toBeLessThan(400);
  }
});

test("a campaign created on GitHub says its alerts are unknown", async ({ page }) => {
  await signInAt(page, "/orgs/acme-corp/campaigns/2/alerts");
  await expect(page.getByText("Created outside campaigns-admin: GitHub shares only its counts")).toBeVisible();
  await expect(page.locator("table.alerts")).toHaveCount(0);
});
