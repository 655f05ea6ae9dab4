//! The code-scanning alert picker: loads every open alert of the org (with progress), groups them
//! by repository, filters by repository, severity, tool, rule, CWE, path and free text, and keeps
//! a selection of at most 1,000 that survives filter changes. The selection is posted as one
//! hidden field, `alerts` (`repo:number` items).

use crate::api::alerts::{
    load_alerts, parse_cwe_list, remaining_calls, AlertBatch, AlertRow, MAX_PAGES_PER_CALL,
};
use crate::components::dates::relative;
use crate::domain::alert_selection::{AlertKey, MAX_ALERTS};
use crate::error::AppError;
use chrono::Utc;
use futures_util::{stream, StreamExt};
use leptos::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Rows put in the page at first and with each "Show more"; the counts always cover everything.
/// Fewer rows in the DOM is what keeps a filter change fast with 10,000 alerts.
const ROWS_STEP: usize = 100;

#[derive(Debug, Clone, Default, PartialEq)]
struct Filters {
    repo: String,
    severity: String,
    tool: String,
    rule: String,
    cwes: String,
    path: String,
    text: String,
}

/// The filters' URL query names, the same as the server-rendered list's (`?picker=server`), so a
/// shared link opens the same filters with or without JavaScript.
const QUERY_NAMES: [&str; 7] = ["repo", "severity", "tool", "rule", "cwe", "path", "q"];

impl Filters {
    fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let [repo, severity, tool, rule, cwes, path, text] =
            QUERY_NAMES.map(|name| get(name).unwrap_or_default());
        Filters {
            repo,
            severity,
            tool,
            rule,
            cwes,
            path,
            text,
        }
    }

    /// The filters that are set, as query pairs in a fixed order.
    fn query(&self) -> Vec<(&'static str, String)> {
        let values = [
            &self.repo,
            &self.severity,
            &self.tool,
            &self.rule,
            &self.cwes,
            &self.path,
            &self.text,
        ];
        QUERY_NAMES
            .into_iter()
            .zip(values)
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k, v.clone()))
            .collect()
    }
}

/// Puts the filters in the address bar (replacing the entry, so Back leaves the page), keeping
/// the link shareable.
#[cfg(feature = "hydrate")]
fn show_in_url(query: &[(&'static str, String)]) {
    use web_sys::js_sys::encode_uri_component;
    let window = window();
    let Ok(path) = window.location().pathname() else {
        return;
    };
    let search: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{k}={}", String::from(encode_uri_component(v))))
        .collect();
    let url = if search.is_empty() {
        path
    } else {
        format!("{path}?{}", search.join("&"))
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Effects do not run on the server.
#[cfg(not(feature = "hydrate"))]
fn show_in_url(_: &[(&'static str, String)]) {}

/// An alert as loaded, with what the text filters search lower-cased once on arrival rather than
/// on every filter change.
#[derive(Debug, Clone)]
struct Loaded {
    row: AlertRow,
    path_lc: String,
    /// Rule name, rule id, path and repository, lower-cased, one per line.
    text_lc: String,
}

impl From<AlertRow> for Loaded {
    fn from(row: AlertRow) -> Self {
        let path_lc = row.path.to_lowercase();
        let text_lc = format!(
            "{}\n{}\n{}\n{}",
            row.rule_name, row.rule_id, row.path, row.repo
        )
        .to_lowercase();
        Loaded {
            row,
            path_lc,
            text_lc,
        }
    }
}

/// The filters prepared once per change: CWE list parsed, text lower-cased.
struct Prepared<'a> {
    f: &'a Filters,
    cwes: Vec<String>,
    path_lc: String,
    text_lc: String,
}

impl Filters {
    fn prepare(&self) -> Prepared<'_> {
        Prepared {
            f: self,
            cwes: parse_cwe_list(&self.cwes),
            path_lc: self.path.trim().to_lowercase(),
            text_lc: self.text.trim().to_lowercase(),
        }
    }
}

impl Prepared<'_> {
    fn matches(&self, l: &Loaded) -> bool {
        let (f, a) = (self.f, &l.row);
        (f.repo.is_empty() || a.repo == f.repo)
            && (f.severity.is_empty() || f.severity.split('+').any(|s| s == a.severity))
            && (f.tool.is_empty() || a.tool == f.tool)
            && (f.rule.is_empty() || a.rule_id == f.rule)
            && (self.cwes.is_empty()
                || a.cwes
                    .iter()
                    .any(|c| self.cwes.iter().any(|w| w.eq_ignore_ascii_case(c))))
            && (self.path_lc.is_empty() || l.path_lc.contains(&self.path_lc))
            && (self.text_lc.is_empty() || l.text_lc.contains(&self.text_lc))
    }
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        "low" => 3,
        "error" => 4,
        "warning" => 5,
        "note" => 6,
        _ => 7,
    }
}

/// The distinct values of one field, sorted.
fn distinct(all: &[Loaded], field: fn(&AlertRow) -> &String) -> Vec<String> {
    let set: BTreeSet<&String> = all.iter().map(|a| field(&a.row)).collect();
    set.into_iter().cloned().collect()
}

/// One repository's matching alerts (indexes into the loaded list), best first.
#[derive(Debug, Clone, PartialEq)]
struct Group {
    repo: String,
    repo_id: i64,
    rows: Vec<usize>,
}

/// Groups the matching alerts by repository, most matches first; within a repository, most severe
/// and then newest first.
fn group(all: &[Loaded], matching: &[usize]) -> Vec<Group> {
    let mut by_repo: HashMap<i64, Vec<usize>> = HashMap::new();
    for &i in matching {
        by_repo.entry(all[i].row.repo_id).or_default().push(i);
    }
    let mut groups: Vec<Group> = by_repo
        .into_iter()
        .map(|(repo_id, mut rows)| {
            rows.sort_by_key(|&i| {
                let a = &all[i].row;
                (severity_rank(&a.severity), std::cmp::Reverse(a.created_at))
            });
            Group {
                repo: all[rows[0]].row.repo.clone(),
                repo_id,
                rows,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        b.rows
            .len()
            .cmp(&a.rows.len())
            .then_with(|| a.repo.cmp(&b.repo))
    });
    groups
}

/// The longest pause GitHub may ask for that the load waits out, and how often it does so per call.
const MAX_PAUSE_SECS: u64 = 120;
const MAX_PAUSES: u32 = 3;

/// One load call. When GitHub's rate limit asks for a pause of at most two minutes (its secondary
/// limits usually say a minute), it waits that long, showing it in `slowed`, and asks again, up
/// to three times; any other answer is returned as it is. A load that `stale()` says was replaced
/// (Refresh) while it waited asks no more.
async fn load_patiently(
    org: String,
    from: u32,
    pages: u32,
    slowed: RwSignal<Option<u64>>,
    stale: impl Fn() -> bool,
) -> Result<AlertBatch, AppError> {
    let mut pauses = 0;
    loop {
        match load_alerts(org.clone(), from, pages).await {
            Err(AppError::RateLimited { retry_after_secs })
                if pauses < MAX_PAUSES && retry_after_secs <= MAX_PAUSE_SECS =>
            {
                pauses += 1;
                let secs = retry_after_secs.max(1);
                slowed.set(Some(secs));
                sleep_secs(secs).await;
                if stale() {
                    return Err(AppError::RateLimited { retry_after_secs });
                }
                slowed.set(None);
            }
            answer => return answer,
        }
    }
}

/// Resolves after `secs` seconds (the browser's timer).
#[cfg(feature = "hydrate")]
async fn sleep_secs(secs: u64) {
    let ms = i32::try_from(secs * 1_000).unwrap_or(i32::MAX);
    let timer = web_sys::js_sys::Promise::new(&mut |resolve, _| {
        let set = web_sys::window()
            .map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms));
        if !matches!(set, Some(Ok(_))) {
            // No timer to be had: go on at once rather than never.
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(timer).await;
}

/// The load runs in the browser only.
#[cfg(not(feature = "hydrate"))]
async fn sleep_secs(_secs: u64) {}

#[component]
pub fn AlertPicker(
    org: String,
    selected: RwSignal<BTreeSet<AlertKey>>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let alerts = RwSignal::new(Vec::<Loaded>::new());
    let limit = RwSignal::new(ROWS_STEP);
    let loaded = RwSignal::new(false);
    let estimate = RwSignal::new(None::<usize>);
    let load_error = RwSignal::new(None::<String>);
    // Seconds GitHub asked the load to pause for, while it waits.
    let slowed = RwSignal::new(None::<u64>);
    let generation = RwSignal::new(0u32);
    let notice = RwSignal::new(None::<String>);
    let url_query = leptos_router::hooks::use_query_map();
    let filters = RwSignal::new(url_query.with_untracked(|q| Filters::from_query(|k| q.get(k))));
    // After the first run, every filter change shows in the address bar.
    Effect::new(move |first_done: Option<bool>| {
        let query = filters.with(Filters::query);
        if first_done.is_some() {
            show_in_url(&query);
        }
        true
    });

    // Load in the browser only, in batches, so progress shows as it goes.
    let org_for_load = org.clone();
    Effect::new(move |_| {
        let run = generation.get();
        let org = org_for_load.clone();
        alerts.set(Vec::new());
        loaded.set(false);
        load_error.set(None);
        slowed.set(None);
        leptos::task::spawn_local(async move {
            let stale = move || generation.get_untracked() != run;
            let mut seen: HashSet<AlertKey> = HashSet::new();
            // Alerts can shift between pages while loading; each one is kept once.
            let mut append = move |rows: Vec<AlertRow>| {
                alerts.update(|all| {
                    all.extend(
                        rows.into_iter()
                            .filter(|a| seen.insert(a.key()))
                            .map(Loaded::from),
                    )
                })
            };
            let outcome: Result<(), AppError> = async {
                let first = load_patiently(org.clone(), 1, 1, slowed, stale).await?;
                if stale() {
                    return Ok(());
                }
                let (last, mut more) = (first.last_page, first.more && !first.alerts.is_empty());
                append(first.alerts);
                if let Some(last) = last {
                    // The page count is known: fetch the rest two calls at a time.
                    estimate.set(Some(last as usize * 100));
                    let mut calls = stream::iter(remaining_calls(last))
                        .map(|(from, pages)| {
                            load_patiently(org.clone(), from, pages, slowed, stale)
                        })
                        .buffer_unordered(2);
                    while let Some(batch) = calls.next().await {
                        let batch = batch?;
                        if stale() {
                            return Ok(());
                        }
                        append(batch.alerts);
                    }
                } else {
                    // No last page in `Link`: follow `next` one call after another.
                    let mut from = 2;
                    while more {
                        let batch =
                            load_patiently(org.clone(), from, MAX_PAGES_PER_CALL, slowed, stale)
                                .await?;
                        if stale() {
                            return Ok(());
                        }
                        more = batch.more && !batch.alerts.is_empty();
                        append(batch.alerts);
                        from += MAX_PAGES_PER_CALL;
                    }
                }
                Ok(())
            }
            .await;
            if stale() {
                return;
            }
            if let Err(e) = outcome {
                load_error.set(Some(e.to_string()));
            }
            loaded.set(true);
        });
    });

    let matching = Memo::new(move |_| {
        filters.with(|f| {
            let p = f.prepare();
            alerts.with(|all| {
                all.iter()
                    .enumerate()
                    .filter(|(_, a)| p.matches(a))
                    .map(|(i, _)| i)
                    .collect::<Vec<usize>>()
            })
        })
    });
    let groups = Memo::new(move |_| matching.with(|idx| alerts.with(|all| group(all, idx))));
    // Selected alerts per repository: the selection is at most 1,000, so this is cheap.
    let selected_by_repo = Memo::new(move |_| {
        selected.with(|s| {
            let mut counts: HashMap<i64, usize> = HashMap::new();
            for k in s {
                *counts.entry(k.repo_id).or_default() += 1;
            }
            counts
        })
    });
    // What each select offers: the distinct values among the loaded alerts.
    let offered = move |field: fn(&AlertRow) -> &String| {
        Memo::new(move |_| alerts.with(|all| distinct(all, field)))
    };
    let repos = offered(|a| &a.repo);
    let tools = offered(|a| &a.tool);
    let rules = offered(|a| &a.rule_id);
    let severities = Memo::new(move |_| {
        let mut sev = alerts.with(|all| distinct(all, |a| &a.severity));
        sev.sort_by_key(|s| severity_rank(s));
        sev
    });

    let add = move |keys: Vec<AlertKey>| {
        let mut refused = None;
        selected.update(|sel| {
            let new = keys.iter().filter(|k| !sel.contains(k)).count();
            if sel.len() + new > MAX_ALERTS {
                refused = Some(format!(
                    "That would make {} selected alerts; a campaign holds at most {}. Narrow the filters first.",
                    fmt_count(sel.len() + new),
                    fmt_count(MAX_ALERTS)
                ));
            } else {
                sel.extend(keys);
            }
        });
        notice.set(refused);
    };
    let select_matching = move |_| {
        let keys =
            matching.with(|m| alerts.with(|all| m.iter().map(|&i| all[i].row.key()).collect()));
        add(keys);
    };
    let set_filter = move |f: fn(&mut Filters, String)| {
        move |ev: leptos::ev::Event| {
            limit.set(ROWS_STEP);
            filters.update(|x| f(x, event_target_value(&ev)))
        }
    };

    let preset = move |apply: fn(&mut Filters)| {
        move |_| {
            limit.set(ROWS_STEP);
            filters.update(|f| {
                *f = Filters::default();
                apply(f);
            })
        }
    };

    view! {
        <section class="picker" aria-labelledby="picker-title">
            <div class="picker-head">
                <h2 id="picker-title">"Alerts"</h2>
                <p class="picker-status" role="status" aria-live="polite">
                    {move || {
                        let n = alerts.with(Vec::len);
                        if let Some(e) = load_error.get() {
                            format!("Loading stopped after {n} alerts: {e}")
                        } else if let Some(secs) = slowed.get() {
                            format!("{} alerts loaded. GitHub asks us to slow down: going on in {secs} s…", fmt_count(n))
                        } else if loaded.get() {
                            format!("{} open alerts loaded.", fmt_count(n))
                        } else {
                            match estimate.get() {
                                Some(total) => format!("{} of about {} alerts loaded…", fmt_count(n), fmt_count(total.max(n))),
                                None if n > 0 => format!("{} alerts loaded…", fmt_count(n)),
                                None => "Loading alerts…".to_owned(),
                            }
                        }
                    }}
                </p>
                <button type="button" on:click=move |_| generation.update(|g| *g += 1) disabled=move || !loaded.get()>"Refresh"</button>
            </div>
            <div class="presets" role="group" aria-label="Starting points">
                <span class="muted">"Start from: "</span>
                <button type="button" on:click=preset(|f| f.severity = "critical+high".into())>"Critical and high"</button>
                <button type="button" on:click=preset(|f| f.cwes = "CWE-89, CWE-78, CWE-79".into())>"Injection (CWE-89, CWE-78, CWE-79)"</button>
                <button type="button" on:click=preset(|f| f.cwes = "CWE-798, CWE-259, CWE-312".into())>"Secrets and clear text"</button>
                <button type="button" on:click=preset(|_| ())>"No filters"</button>
            </div>
            <div class="picker-filters">
                {filter_select(filters, set_filter(|f, v| f.repo = v), "Repository", "All repositories", None, repos, |f| &f.repo)}
                {filter_select(filters, set_filter(|f, v| f.severity = v), "Severity", "Any severity", Some(("critical+high", "Critical and high")), severities, |f| &f.severity)}
                {filter_select(filters, set_filter(|f, v| f.tool = v), "Tool", "Any tool", None, tools, |f| &f.tool)}
                {filter_select(filters, set_filter(|f, v| f.rule = v), "Rule", "Any rule", None, rules, |f| &f.rule)}
                {filter_input(filters, set_filter(|f, v| f.cwes = v), "CWE", "text", "CWE-89, CWE-79", |f| &f.cwes)}
                {filter_input(filters, set_filter(|f, v| f.path = v), "Path contains", "text", "src/api", |f| &f.path)}
                {filter_input(filters, set_filter(|f, v| f.text = v), "Search", "search", "rule, path, repository", |f| &f.text)}
            </div>
            <div class="selection-bar" role="region" aria-label="Selection">
                <strong class="selected-count">{move || format!("{} selected", fmt_count(selected.with(BTreeSet::len)))}</strong>
                <span class="muted">{move || format!(" (at most {}) · {} matching the filters", fmt_count(MAX_ALERTS), fmt_count(matching.with(Vec::len)))}</span>
                <button type="button" on:click=select_matching disabled=move || matching.with(Vec::is_empty)>
                    {move || format!("Select all {} matching", fmt_count(matching.with(Vec::len)))}
                </button>
                <button type="button" on:click=move |_| { selected.set(BTreeSet::new()); notice.set(None); } disabled=move || selected.with(BTreeSet::is_empty)>"Clear selection"</button>
            </div>
            {move || notice.get().map(|n| view! { <p class="notice warning" role="alert">{n}</p> })}
            {move || error.get().map(|e| view! { <p class="field-error" id="alerts-error" role="alert">{e}</p> })}
            <div class="groups">
                {move || {
                    let now = Utc::now();
                    let mut budget = limit.get();
                    groups.with(|groups| alerts.with(|all| groups.iter().map(|g| {
                        let shown = g.rows.len().min(budget);
                        budget -= shown;
                        let total = g.rows.len();
                        let hidden = total - shown;
                        let repo_id = g.repo_id;
                        let rows = g.rows.clone();
                        let select_repo = move |_| add(alerts.with(|all| rows.iter().map(|&i| all[i].row.key()).collect()));
                        let repo = g.repo.clone();
                        view! {
                            <div class="group">
                                <div class="group-head">
                                    <h3>{repo.clone()}</h3>
                                    <span class="muted">
                                        {format!("{} matching", fmt_count(total))} " · "
                                        {move || format!("{} selected", selected_by_repo.with(|c| c.get(&repo_id).copied().unwrap_or(0)))}
                                    </span>
                                    <button type="button" on:click=select_repo>{format!("Select all {} in {repo}", fmt_count(total))}</button>
                                </div>
                                {(shown > 0).then(|| view! {
                                    <ul class="alert-rows">
                                        {g.rows[..shown].iter().map(|&i| alert_row(&all[i].row, selected, add, now)).collect_view()}
                                    </ul>
                                })}
                                {(hidden > 0).then(|| view! { <p class="muted more">{format!("{} more not shown.", fmt_count(hidden))}</p> })}
                            </div>
                        }
                    }).collect_view()))
                }}
            </div>
            {move || {
                let total = matching.with(Vec::len);
                let shown = limit.get().min(total);
                (shown < total).then(|| view! {
                    <p class="show-more">
                        <span class="muted">{format!("Showing {} of {} matching alerts. ", fmt_count(shown), fmt_count(total))}</span>
                        <button type="button" on:click=move |_| limit.update(|l| *l += ROWS_STEP)>
                            {format!("Show {} more", fmt_count(ROWS_STEP.min(total - shown)))}
                        </button>
                    </p>
                })
            }}
        </section>
    }
}

/// One filter's `<select>`: "any", an optional extra choice, then the values the alerts have.
/// Each option knows whether it is the current choice, so a filter that came with the URL shows
/// as chosen once the options arrive with the alerts.
fn filter_select(
    filters: RwSignal<Filters>,
    on_change: impl Fn(leptos::ev::Event) + 'static,
    label: &'static str,
    any: &'static str,
    extra: Option<(&'static str, &'static str)>,
    values: Memo<Vec<String>>,
    field: fn(&Filters) -> &String,
) -> impl IntoView {
    let options = move || {
        values.with(|vs| {
            vs.iter()
                .map(|v| {
                    let value = v.clone();
                    let current = move || filters.with(|f| field(f) == &value);
                    view! { <option value=v.clone() prop:selected=current>{v.clone()}</option> }
                })
                .collect_view()
        })
    };
    view! {
        <label>{label}
            <select aria-label=label prop:value=move || filters.with(|f| field(f).clone()) on:change=on_change>
                <option value="">{any}</option>
                {extra.map(|(value, text)| view! { <option value=value>{text}</option> })}
                {options}
            </select>
        </label>
    }
}

/// One filter's text field.
fn filter_input(
    filters: RwSignal<Filters>,
    on_input: impl Fn(leptos::ev::Event) + 'static,
    label: &'static str,
    kind: &'static str,
    placeholder: &'static str,
    field: fn(&Filters) -> &String,
) -> impl IntoView {
    view! {
        <label>{label}
            <input type=kind aria-label=label placeholder=placeholder
                prop:value=move || filters.with(|f| field(f).clone()) on:input=on_input/>
        </label>
    }
}

fn alert_row(
    a: &AlertRow,
    selected: RwSignal<BTreeSet<AlertKey>>,
    add: impl Fn(Vec<AlertKey>) + Copy + 'static,
    now: chrono::DateTime<Utc>,
) -> impl IntoView {
    let k = a.key();
    let id = format!("alert-{}-{}", a.repo_id, a.number);
    let toggle = move |ev: leptos::ev::Event| {
        if event_target_checked(&ev) {
            add(vec![k]);
        } else {
            selected.update(|s| {
                s.remove(&k);
            });
        }
    };
    view! {
        <li class="alert-row">
            <input type="checkbox" id=id.clone() prop:checked=move || selected.with(|s| s.contains(&k)) on:change=toggle/>
            <label for=id>
                {severity_badges(a)}
                " " <strong>{a.rule_name.clone()}</strong>
                " " <code class="muted">{a.rule_id.clone()}</code>
                <span class="alert-meta">
                    {a.tool.clone()} " · " <code>{format!("{}:{}", a.path, a.line)}</code> " · " {relative(a.created_at, now)}
                    {(!a.cwes.is_empty()).then(|| format!(" · {}", a.cwes.join(", ")))}
                </span>
            </label>
            <a href=a.html_url.clone() target="_blank" rel="noopener noreferrer" aria-label=format!("Alert {} on GitHub", a.number)>"#" {a.number}</a>
        </li>
    }
}

/// The security severity as a badge, and the rule's own severity beside it when it differs.
pub fn severity_badges(a: &AlertRow) -> impl IntoView {
    let (badge_title, rule) = if a.rule_severity.is_empty() || a.rule_severity == a.severity {
        ("Severity", None)
    } else {
        ("Security severity", Some(a.rule_severity.clone()))
    };
    view! {
        <span class=format!("sev sev-{}", a.severity) title=badge_title>{a.severity.clone()}</span>
        {rule.map(|r| view! { " " <span class="rule-sev muted" title="Rule severity">{r}</span> })}
    }
}

/// 1234 → "1,234".
pub fn fmt_count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(repo: &str, sev: &str, cwes: &[&str], path: &str) -> AlertRow {
        AlertRow {
            repo_id: 1,
            repo: repo.into(),
            number: 1,
            rule_id: "js/sql-injection".into(),
            rule_name: "Database query built from user-controlled sources".into(),
            severity: sev.into(),
            rule_severity: "error".into(),
            tool: "CodeQL".into(),
            path: path.into(),
            line: 3,
            created_at: Utc::now(),
            html_url: String::new(),
            cwes: cwes.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    fn matches(f: &Filters, a: &AlertRow) -> bool {
        f.prepare().matches(&Loaded::from(a.clone()))
    }

    #[test]
    fn filters_combine() {
        let a = row("web", "high", &["CWE-89"], "src/api/db.js");
        let cases = [
            (
                Filters {
                    severity: "critical+high".into(),
                    cwes: "cwe-89, 78".into(),
                    path: "API".into(),
                    ..Default::default()
                },
                true,
            ),
            (
                Filters {
                    repo: "other".into(),
                    ..Default::default()
                },
                false,
            ),
            (
                Filters {
                    text: "User-Controlled ".into(),
                    ..Default::default()
                },
                true,
            ),
            (
                Filters {
                    text: "db.js".into(),
                    ..Default::default()
                },
                true,
            ),
            (
                Filters {
                    cwes: "CWE-79".into(),
                    ..Default::default()
                },
                false,
            ),
            (
                Filters {
                    severity: "medium".into(),
                    ..Default::default()
                },
                false,
            ),
        ];
        for (f, expected) in cases {
            assert_eq!(matches(&f, &a), expected, "{f:?}");
        }
    }

    #[test]
    fn groups_put_the_largest_repository_first_and_severe_alerts_first() {
        let mut rows = vec![
            row("api", "low", &[], "a.js"),
            row("web", "medium", &[], "b.js"),
            row("web", "critical", &[], "c.js"),
            row("api", "high", &[], "d.js"),
            row("web", "low", &[], "e.js"),
        ];
        for (i, r) in rows.iter_mut().enumerate() {
            r.repo_id = if r.repo == "api" { 1 } else { 2 };
            r.number = i as i64;
        }
        let all: Vec<Loaded> = rows.into_iter().map(Loaded::from).collect();
        let groups = group(&all, &[0, 1, 2, 3, 4]);
        assert_eq!(groups.len(), 2);
        assert_eq!((groups[0].repo.as_str(), groups[0].repo_id), ("web", 2));
        assert_eq!(groups[0].rows, vec![2, 1, 4]);
        assert_eq!(groups[1].rows, vec![3, 0]);
        // Only the matching alerts count.
        let groups = group(&all, &[0]);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].rows, vec![0]);
    }

    #[test]
    fn filters_go_to_the_url_and_back() {
        let f = Filters {
            severity: "critical+high".into(),
            cwes: "CWE-89, CWE-79".into(),
            text: "sql".into(),
            ..Default::default()
        };
        let query = f.query();
        assert_eq!(
            query,
            vec![
                ("severity", "critical+high".to_owned()),
                ("cwe", "CWE-89, CWE-79".to_owned()),
                ("q", "sql".to_owned()),
            ]
        );
        let back = Filters::from_query(|k| {
            query
                .iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.clone())
        });
        assert_eq!(back, f);
        assert!(Filters::default().query().is_empty());
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(fmt_count(0), "0");
        assert_eq!(fmt_count(999), "999");
        assert_eq!(fmt_count(1_200), "1,200");
        assert_eq!(fmt_count(10_400), "10,400");
    }
}
