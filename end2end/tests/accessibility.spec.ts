import { test, expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { signInAt } from "./pages/github-consent";
import { NewCampaignPage } from "./pages/new-campaign";

// Every page, signed in, in the light and the dark colour scheme: axe finds no serious or
// critical violation (WCAG 2.x A and AA rules, plus axe's best practices).
const pages: { name: string; path: string; ready?: (page: Page) => Promise<void> }[] = [
  { name: "home", path: "/" },
  { name: "org overview", path: "/orgs/acme-corp" },
  { name: "campaign list", path: "/orgs/acme-corp/campaigns?state=all" },
  { name: "campaign detail", path: "/orgs/acme-corp/campaigns/1" },
  { name: "campaign alerts", path: "/orgs/acme-corp/campaigns/1/alerts" },
  { name: "campaign alerts, a refused filter", path: "/orgs/acme-corp/campaigns/1/alerts?severity=urgent" },
  { name: "alerts of a campaign created on GitHub", path: "/orgs/acme-corp/campaigns/2/alerts" },
  { name: "triage preview", path: "/orgs/acme-corp/campaigns/1/alerts/triage?action=assign&assignee=-&scope=matching&state=open" },
  { name: "triage form, refused", path: "/orgs/acme-corp/campaigns/1/alerts/triage?action=dismiss&scope=matching" },
  { name: "plans", path: "/orgs/acme-corp/plans" },
  { name: "plan preview", path: "/orgs/acme-corp/plans/new?name=All&split=severity&wave_size=50&publish_when=share&share=80&cadence_days=14" },
  { name: "plan form, refused", path: "/orgs/acme-corp/plans/new?name=All&split=severity&wave_size=5000&publish_when=closed&cadence_days=14" },
  { name: "edit form", path: "/orgs/acme-corp/campaigns/1/edit" },
  { name: "delete confirmation", path: "/orgs/acme-corp/campaigns/1/delete" },
  { name: "audit log", path: "/orgs/acme-corp/audit" },
  { name: "org settings", path: "/orgs/acme-corp/settings" },
  { name: "digests and reminders", path: "/orgs/acme-corp/digests" },
  { name: "audit log, a refused filter", path: "/orgs/acme-corp/audit?campaign=twelve" },
  {
    name: "create form with the picker loaded",
    path: "/orgs/acme-corp/campaigns/new",
    ready: (page) => new NewCampaignPage(page).waitForAlerts(),
  },
  { name: "create form, server-rendered list", path: "/orgs/acme-corp/campaigns/new?picker=server&severity=critical" },
  { name: "sign-in failure", path: "/sign-in-failed?reason=denied" },
  { name: "not found", path: "/no-such-page" },
];

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ rule: v.id, impact: v.impact, help: v.help, where: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
}

for (const scheme of ["light", "dark"] as const) {
  test.describe(`accessibility, ${scheme} colour scheme`, () => {
    test.use({ colorScheme: scheme });

    // One test per page: each has the whole timeout, and a failure names its page.
    for (const p of pages) {
      test(`${p.name} has no serious or critical axe violation`, async ({ page }) => {
        // axe takes half a minute over the longest server-rendered alert list.
        test.setTimeout(120_000);
        await signInAt(page, "/");
        await page.goto(p.path);
        await page.waitForLoadState("networkidle");
        if (p.ready) await p.ready(page);
        expect(await seriousViolations(page), `${p.name} (${p.path})`).toEqual([]);
      });
    }
  });
}
