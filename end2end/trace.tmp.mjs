import { chromium } from "@playwright/test";
const b = await chromium.launch({executablePath: "/usr/bin/chromium", args: ["--no-sandbox","--disable-gpu"]});
const p = await b.newPage(); const logs = {}; p.on("pageerror", e => console.log("PAGEERROR", e.message)); p.on("console", m => { if (m.type()==="error") console.log("CONSOLEERR", m.text().slice(0,300)); }); p.on("console", m => { const t = m.text(); const mm = t.match(/^T (.*) ([0-9.]+)$/); if (mm) (logs[mm[1]] ??= []).push(Number(mm[2])); });
const base = "http://127.0.0.1:3020";
await p.goto(base + "/orgs/acme-corp/campaigns/new");
await p.getByRole("radio", { name: /^mona \(/ }).check();
await p.getByRole("button", { name: "Authorize" }).click();
await p.locator(".picker-status").filter({hasText: /open alerts loaded/}).waitFor({timeout: 120000});
await p.waitForTimeout(1000);
console.log(await p.evaluate(() => ({ groups: document.querySelectorAll(".picker .group").length, rows: document.querySelectorAll(".picker .alert-row").length, nodes: document.querySelectorAll(".picker .groups *").length })));
await p.evaluate(() => document.querySelector('.picker-filters').scrollIntoView({block: "start"}));
const changes = [["select","Severity","critical+high"],["select","Tool","CodeQL"],["input","CWE","CWE-89, CWE-79"],["input","Path contains","src/api"],["select","Severity",""],["input","CWE",""],["input","Path contains",""],["select","Tool",""]];
const cdp = await p.context().newCDPSession(p);
const events = [];
cdp.on("Tracing.dataCollected", (d) => events.push(...d.value));
const done = new Promise((r) => cdp.on("Tracing.tracingComplete", r));
if (process.env.TRACE) await cdp.send("Tracing.start", { categories: "devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,blink.user_timing", transferMode: "ReportEvents" });
const times = [];
for (let r = 0; r < Number(process.env.RUNS ?? 3); r++) for (const c of changes) {
  times.push(await p.evaluate(async ([kind, label, value]) => {
    const el = document.querySelector(`.picker [aria-label="${label}"]`);
    performance.mark("c0");
    const t0 = performance.now();
    el.value = value;
    el.dispatchEvent(new Event(kind === "select" ? "change" : "input", { bubbles: true }));
    let t1; await new Promise((res) => { queueMicrotask(()=>{}); setTimeout(()=>{}, 0); requestAnimationFrame(() => { t1 = performance.now(); setTimeout(res, 0); }); });
    const t2 = performance.now();
    return [t1 - t0, t2 - t0];
  }, c));
}
const med = (xs) => [...xs].sort((a,b)=>a-b)[Math.floor(xs.length/2)]; console.log("MEDIAN done", med(times.map(t=>t[1])).toFixed(1), "rAF", med(times.map(t=>t[0])).toFixed(1));
if (!process.env.TRACE) { await b.close(); process.exit(0); }
await cdp.send("Tracing.end"); await done;
console.log("rAF at / done:", times.map(t => t.map(x=>x.toFixed(1)).join("/")).join("  "));
// main thread: the renderer thread with the most events named Layout
const byTid = {}; for (const e of events) if (e.name === "Layout") byTid[e.tid] = (byTid[e.tid]||0)+1;
const tid = Number(Object.entries(byTid).sort((a,b)=>b[1]-a[1])[0][0]);
const sums = {};
for (const e of events) if (e.tid === tid && e.ph === "X" && e.dur) { sums[e.name] = (sums[e.name]||0) + e.dur/1000; }
const n = times.length;
const lay = events.filter(e => e.tid === tid && e.name === "Layout" && e.ph === "X"); console.log("layouts", lay.length, lay.slice(-12).map(e => `${(e.dur/1000).toFixed(1)}ms dirty=${e.args?.beginData?.dirtyObjects} total=${e.args?.beginData?.totalObjects} partial=${e.args?.beginData?.partialLayout}`).join("\n"));
const pa = events.filter(e => e.tid === tid && e.name === "Paint" && e.ph === "X"); console.log("paints", pa.length, pa.slice(-10).map(e => `${(e.dur/1000).toFixed(2)}ms clip=${JSON.stringify(e.args?.data?.clip)} layer=${e.args?.data?.layerId} node=${e.args?.data?.nodeId}`).join("\n"));
const st = events.filter(e => e.tid === tid && e.name === "UpdateLayoutTree" && e.ph === "X"); console.log("styles", st.length, st.slice(-12).map(e => `${(e.dur/1000).toFixed(1)}ms n=${e.args?.elementCount}`).join(" | "));
console.log(Object.entries(sums).sort((a,b)=>b[1]-a[1]).slice(0,25).map(([k,v]) => `${k}: ${(v/n).toFixed(2)} ms/change`).join("\n"));
for (const [k, v] of Object.entries(logs)) console.log(k, v.length, "median", [...v].sort((a,b)=>a-b)[Math.floor(v.length/2)].toFixed(2), "last24", v.slice(-24).map(x=>x.toFixed(1)).join(" "));
await b.close();
