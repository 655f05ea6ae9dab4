import { test, expect } from "@playwright/test";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { signInAt } from "./pages/github-consent";

/** A Slack-style incoming webhook on loopback (demo mode accepts one): keeps each JSON body. */
async function webhookReceiver(): Promise<{ url: string; bodies: any[]; close: () => void }> {
  const bodies: any[] = [];
  const server = http.createServer((req, res) => {
    let data = "";
    req.on("data", (chunk) => (data += chunk));
    req.on("end", () => {
      try {
        bodies.push(JSON.parse(data));
      } catch {
        bodies.push({ raw: data });
      }
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/e2e-secret-part`,
    bodies,
    close: () => server.close(),
  };
}

test("a manager subscribes a channel, previews the digest, sends a test and sees it logged", async ({ page }) => {
  const hook = await webhookReceiver();
  try {
    await signInAt(page, "/orgs/acme-corp/digests");
    await expect(page.getByRole("heading", { name: "Add a channel" })).toBeVisible();
    await expect(page.locator("section[data-hydrated=true]")).toHaveCount(1);

    // A URL that is not https, nor a local receiver, is refused next to its field; what was
    // typed stays.
    await page.getByLabel("Channel", { exact: true }).selectOption("slack");
    const target = page.getByLabel("Webhook URL or email address");
    await target.fill("http://hooks.example.com/services/x");
    await page.getByRole("button", { name: "Add channel" }).click();
    await expect(page.locator("#target-error")).toContainText("https://");
    await expect(target).toHaveValue("http://hooks.example.com/services/x");

    // Weekly digest only, Mondays at 09:00 in Paris.
    await target.fill(hook.url);
    await page.getByLabel("due-date reminders").uncheck();
    await page.getByLabel("now behind").uncheck();
    await page.getByLabel("Digest day").selectOption("Monday");
    await page.getByLabel("Hour").selectOption("09:00");
    await page.getByLabel("Time zone").fill("Europe/Paris");
    await page.getByRole("button", { name: "Add channel" }).click();
    const row = page.locator("tr.channel");
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("Weekly digest on Monday at 09:00 Europe/Paris");
    // The URL's secret part is never shown back.
    await expect(page.locator("body")).not.toContainText("e2e-secret-part");

    // The preview is the digest as it will be sent (a link: it works without JavaScript and can
    // be shared).
    await row.getByRole("link", { name: "Preview" }).click();
    await expect(page).toHaveURL(/\?preview=\d+/);
    const preview = page.locator("#digest-preview");
    await expect(preview).toContainText("Weekly campaigns digest for acme-corp");
    await expect(preview).toContainText("Due within 7 days");
    const previewText = await preview.locator("pre").innerText();

    // "Send a test" queues it; a job sends it; the delivery log says so.
    await row.getByRole("button", { name: "Send a test" }).click();
    await expect(page.locator("#test-queued")).toBeVisible();
    await expect.poll(() => hook.bodies.length, { timeout: 20_000 }).toBe(1);
    expect(hook.bodies[0].text.trim()).toBe(previewText.trim());
    await expect(async () => {
      await page.reload();
      await expect(page.locator("#deliveries tr.delivery.sent")).toHaveCount(1, { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(page.locator("#deliveries")).toContainText("test");
  } finally {
    hook.close();
  }
});
