import { test, expect, type Page } from "@playwright/test";
import { signInAt } from "./pages/github-consent";

const emulator = process.env.E2E_EMULATOR_URL ?? "http://127.0.0.1:3110";

/** Sets an alert's state (and, when given, its assignees) on the emulated GitHub. */
async function setAlert(page: Page, key: string, state: string, assignees?: string[]) {
  const [repository, number] = key.split("#");
  const [owner, repo] = repository.split("/");
  const res = await page.request.post(
    `${emulator}/_emulator/repos/${owner}/${encodeURIComponent(repo)}/code-scanning/alerts/${number}`,
    { data: { state, dismissed_reason: null, ...(assignees ? { assignees } : {}) } },
  );
  expect(res.status()).toBe(204);
}

/** The alert keys (`owner/repo#number`) of the rows the list shows. */
async function shownKeys(page: Page): Promise<string[]> {
  return page.locator("table.alerts tbody input.triage-check").evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value));
}

test("a security manager dismisses three alerts with a reason, then reopens one", async ({ page }) => {
  await signInAt(page, "/orgs/acme-corp/campaigns/1/alerts?state=open");
  const keys = (await shownKeys(page)).slice(0, 3);
  expect(keys).toHaveLength(3);
  try {
    for (const key of keys) {
      await page.getByRole("checkbox", { name: `Choose ${key.replace("#", " #")}` }).check();
    }
    await page.getByRole("radio", { name: "Dismiss" }).check();
    await page.getByLabel("Dismiss as").selectOption("false positive");
    await page.getByLabel("Dismissal comment").fill("Sanitised upstream");
    await page.getByRole("button", { name: "Preview" }).click();

    // The preview changes nothing and lists what will change.
    await expect(page).toHaveURL(/\/alerts\/triage\?/);
    await expect(page.getByRole("heading", { name: "Dismiss 3 alerts?" })).toBeVisible();
    await expect(page.locator("#triage-summary")).toContainText('dismiss as "false positive" with the comment "Sanitised upstream" 3 alerts');
    await expect(page.locator("#triage-alerts tbody tr")).toHaveCount(3);
    await page.getByRole("button", { name: "Dismiss 3 alerts" }).click();
    await expect(page.locator("#triage-progress")).toHaveText("3 of 3 sent: 3 changed, 0 refused by GitHub.");
    await expect(page.locator("#triage-results tbody tr.done")).toHaveCount(3);

    // The list shows them dismissed, with the reason.
    await page.goto("/orgs/acme-corp/campaigns/1/alerts?state=dismissed");
    const dismissed = await shownKeys(page);
    for (const key of keys) expect(dismissed).toContain(key);
    const row = page.locator("table.alerts tbody tr", { has: page.locator(`input[value="${keys[0]}"]`) });
    await expect(row).toContainText("dismissed (false positive)");

    // Reopen one of them.
    await page.getByRole("checkbox", { name: `Choose ${keys[0].replace("#", " #")}` }).check();
    await page.getByRole("radio", { name: "Reopen" }).check();
    await page.getByRole("button", { name: "Preview" }).click();
    await expect(page.getByRole("heading", { name: "Reopen 1 alert?" })).toBeVisible();
    await page.getByRole("button", { name: "Reopen 1 alert" }).click();
    await expect(page.locator("#triage-progress")).toHaveText("1 of 1 sent: 1 changed, 0 refused by GitHub.");
    await page.goto("/orgs/acme-corp/campaigns/1/alerts?state=dismissed");
    const still = await shownKeys(page);
    expect(still).not.toContain(keys[0]);
    expect(still).toContain(keys[1]);
    expect(still).toContain(keys[2]);

    // Each run is in the audit log.
    await page.goto("/orgs/acme-corp/audit?campaign=1");
    await expect(page.locator("table.audit tbody tr").first()).toContainText("reopen_alerts");
    await expect(page.locator("table.audit tbody tr").nth(1)).toContainText("dismiss_alerts");
  } finally {
    // The other specs count the demo's open alerts: leave them as they were.
    for (const key of keys) await setAlert(page, key, "open");
  }
});

test("a dismissal without a reason is refused next to its field and changes nothing", async ({ page }) => {
  await signInAt(page, "/orgs/acme-corp/campaigns/1/alerts?state=open");
  const [key] = await shownKeys(page);
  await page.getByRole("checkbox", { name: `Choose ${key.replace("#", " #")}` }).check();
  await page.getByRole("radio", { name: "Dismiss" }).check();
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.locator("#triage-reason-error")).toHaveText("GitHub needs a reason to dismiss an alert: choose one.");
  await expect(page.getByLabel("Dismiss as")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("radio", { name: "Dismiss" })).toBeChecked();
  await page.goto("/orgs/acme-corp/campaigns/1/alerts?state=open");
  expect(await shownKeys(page)).toContain(key);
});

test("a repository's alerts are assigned to a member, and the list filters by assignee", async ({ page }) => {
  await signInAt(page, "/orgs/acme-corp/campaigns/1/alerts");
  // The repository with the most open alerts is first when sorted so.
  await page.goto("/orgs/acme-corp/campaigns/1/alerts?sort=open");
  const firstRepo = page.locator("table.repos tbody tr").first();
  const repository = (await firstRepo.locator("th").innerText()).trim();
  await firstRepo.getByRole("link", { name: `Its alerts of ${repository}` }).click();
  await expect(page).toHaveURL(/repo=acme-corp%2F/);
  await page.goto(`/orgs/acme-corp/campaigns/1/alerts?repo=${encodeURIComponent(repository)}&state=open`);
  const open = await shownKeys(page);
  expect(open.length).toBeGreaterThan(0);
  // Their assignees before, to leave the demo as it was.
  const before = await page.locator("table.alerts tbody tr").evaluateAll((rows) =>
    rows.map((r) => ({
      key: (r.querySelector("input.triage-check") as HTMLInputElement).value,
      who: (r.querySelector("td.assignees")?.textContent ?? "").trim(),
    })),
  );
  try {
    await page.getByRole("radio", { name: /Every alert that matches the filter/ }).check();
    await page.getByRole("radio", { name: "Assign" }).check();
    await page.getByLabel("Assign to").selectOption("octocat");
    await page.getByRole("button", { name: "Preview" }).click();
    const changing = await page.locator("#triage-alerts tbody tr").count();
    const heading = page.getByRole("heading", { name: /^Assign \d+ alerts?\?$/ });
    await expect(heading).toBeVisible();
    if (changing > 0) {
      await page.getByRole("button", { name: /^Assign \d+ alerts?$/ }).click();
      await expect(page.locator("#triage-progress")).toHaveText(`${changing} of ${changing} sent: ${changing} changed, 0 refused by GitHub.`);
    }

    // Filter by assignee: every open alert of the repository is octocat's.
    await page.goto(`/orgs/acme-corp/campaigns/1/alerts?repo=${encodeURIComponent(repository)}&state=open`);
    await page.getByLabel("Assignee", { exact: true }).selectOption("octocat");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/assignee=octocat/);
    expect((await shownKeys(page)).sort()).toEqual([...open].sort());
    for (const cell of await page.locator("table.alerts tbody td.assignees").allInnerTexts()) expect(cell).toBe("octocat");
    // "Nobody" shows none of them.
    await page.getByLabel("Assignee", { exact: true }).selectOption("nobody");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page.locator("table.alerts tbody tr")).toHaveCount(0);
  } finally {
    for (const { key, who } of before) await setAlert(page, key, "open", who === "Nobody" ? [] : who.split(", "));
  }
});

test("the home page rolls up both demo orgs for hubot, and downloads it", async ({ page }) => {
  await signInAt(page, "/", "hubot");
  const rows = page.locator("#rollup tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0).locator("th")).toHaveText("acme-corp");
  await expect(rows.nth(1).locator("th")).toHaveText("globex");
  for (const i of [0, 1]) {
    const open = Number(await rows.nth(i).locator("td").first().innerText());
    expect(open).toBeGreaterThan(0);
  }
  const totals = page.locator("#rollup tfoot td");
  const sum = (await rows.evaluateAll((rs) => rs.map((r) => Number(r.querySelector("td")?.textContent)))).reduce((a, b) => a + b, 0);
  await expect(totals.first()).toHaveText(String(sum));
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
  expect(file.suggestedFilename()).toMatch(/^campaigns-rollup-\d{4}-\d{2}-\d{2}\.csv$/);

  // mona manages acme-corp only: globex is listed, as an org she has no campaign role in.
  await page.context().clearCookies();
  await signInAt(page, "/", "mona");
  await expect(page.locator("#rollup tbody tr", { hasText: "globex" })).toContainText("No campaign role");
});
