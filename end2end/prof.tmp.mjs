import { chromium } from "@playwright/test";
const b = await chromium.launch({executablePath: "/usr/bin/chromium", args: ["--no-sandbox","--disable-gpu"]});
const p = await b.newPage();
const base = "http://127.0.0.1:3020";
await p.goto(base + "/orgs/acme-corp/campaigns/new");
await p.getByRole("radio", { name: /^mona \(/ }).check();
await p.getByRole("button", { name: "Authorize" }).click();
await p.locator(".picker-status").filter({hasText: /open alerts loaded/}).waitFor({timeout: 120000});
await p.waitForTimeout(1000);
await p.evaluate(() => document.querySelector(".picker-filters").scrollIntoView({block: "start"}));
const changes = [["select","Severity","critical+high"],["select","Tool","CodeQL"],["input","CWE","CWE-89, CWE-79"],["input","Path contains","src/api"],["select","Severity",""],["input","CWE",""],["input","Path contains",""],["select","Tool",""]];
const cdp = await p.context().newCDPSession(p);
await cdp.send("Profiler.enable"); await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
await cdp.send("Profiler.start");
for (let r = 0; r < 5; r++) for (const c of changes) {
  await p.evaluate(async ([kind, label, value]) => {
    const el = document.querySelector(`.picker [aria-label="${label}"]`);
    el.value = value;
    el.dispatchEvent(new Event(kind === "select" ? "change" : "input", { bubbles: true }));
    await new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0)));
  }, c);
}
const { profile } = await cdp.send("Profiler.stop");
const n = 40;
const dt = {}; // self time per node id
const nodes = new Map(profile.nodes.map(x => [x.id, x]));
for (let i = 0; i < profile.samples.length; i++) dt[profile.samples[i]] = (dt[profile.samples[i]] || 0) + profile.timeDeltas[i] / 1000;
const self = {};
for (const [id, t] of Object.entries(dt)) { const cf = nodes.get(Number(id)).callFrame; const k = cf.functionName || `(anon ${cf.url.split("/").pop()}:${cf.lineNumber})`; self[k] = (self[k] || 0) + t; }
console.log(Object.entries(self).sort((a,b)=>b[1]-a[1]).slice(0,40).map(([k,v]) => `${(v/n).toFixed(2)} ms  ${k}`).join("\n"));

// inclusive time per function name (counted once per sample stack)
{
  const parent = new Map(); for (const x of profile.nodes) for (const c of (x.children||[])) parent.set(c, x.id);
  const incl = {};
  for (let i = 0; i < profile.samples.length; i++) {
    const seen = new Set(); let id = profile.samples[i];
    while (id !== undefined) { const cf = nodes.get(id).callFrame; const k = cf.functionName; if (k && !seen.has(k)) { seen.add(k); incl[k] = (incl[k]||0) + profile.timeDeltas[i]/1000; } id = parent.get(id); }
  }
  console.log("--- inclusive");
  console.log(Object.entries(incl).filter(([k]) => /campaigns_admin|reactive_graph|tachys|leptos|any_spawner|wasm_bindgen_futures/.test(k)).sort((a,b)=>b[1]-a[1]).slice(0,45).map(([k,v]) => `${(v/40).toFixed(2)} ms  ${k.slice(0,160)}`).join("\n"));
}
await b.close();
