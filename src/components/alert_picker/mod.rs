//! The code-scanning alert picker: loads every open alert of the org (with progress), groups them
//! by repository, filters them with the one alert filter (`domain::alert_filter`, the same as the
//! server-rendered list's), and keeps a selection of at most 1,000 that survives filter changes.
//! The selection is posted as one hidden field, `alerts` (`repo:number` items).

mod list;
mod load;
mod templates;

use crate::components::browser::{focus_by_id, show_in_url, sleep_ms};
use crate::components::dates::When;
use crate::domain::alert::{severity_rank, AlertRow};
use crate::domain::alert_filter::AlertFilter;
use crate::domain::alert_selection::{AlertKey, MAX_ALERTS};
use crate::domain::url_state::UrlState;
use crate::domain::OrgLogin;
use chrono::Utc;
use leptos::prelude::*;
use list::{
    add_within_limit, alert_row, display_order, distinct, filter_input, filter_select, group,
};
pub use list::{fmt_count, matching, severity_badges, Loaded};
use std::collections::{BTreeSet, HashMap};

/// Rows put in the page after each filter change: a screenful. Every row a change puts in the
/// page costs its layout and the WASM's calls into the DOM, so these few are what keeps a change
/// within a frame with 10,000 alerts; the counts always cover everything.
const FIRST_ROWS: usize = 10;
/// Rows each "Show more" adds.
const ROWS_STEP: usize = 100;

#[component]
pub fn AlertPicker(
    org: OrgLogin,
    selected: RwSignal<BTreeSet<AlertKey>>,
    #[prop(into)] error: Signal<Option<String>>,
    /// The id of the form's submit button: the selection bar offers a jump to it, so the keyboard
    /// need not Tab through every alert row.
    #[prop(optional)]
    submit: Option<&'static str>,
    /// The org's templates: the picker's starting points.
    templates: Vec<crate::domain::template::Template>,
) -> impl IntoView {
    let loading = load::Loading::new();
    let org_for_templates = org.clone();
    loading.start(org);
    let load::Loading {
        alerts,
        loaded,
        generation,
        ..
    } = loading;
    let limit = RwSignal::new(FIRST_ROWS);
    let notice = RwSignal::new(None::<String>);
    let url_query = leptos_router::hooks::use_query_map();
    let filters =
        RwSignal::new(url_query.with_untracked(|q| AlertFilter::from_query(|k| q.get(k))));
    // The draft the form was opened from stays in the address.
    let draft = url_query.with_untracked(|q| q.get("draft"));
    keep_in_address(filters, draft);

    let matching = Memo::new(move |_| filters.with(|f| alerts.with(|all| matching(all, f))));
    let order = Memo::new(move |_| alerts.with(|all| display_order(all)));
    let groups = Memo::new(move |_| {
        matching.with(|idx| order.with(|order| alerts.with(|all| group(all, order, idx))))
    });
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
    let add = move |keys: Vec<AlertKey>| {
        let refused = selected
            .try_update(|sel| add_within_limit(sel, keys))
            .and_then(Result::err);
        notice.set(refused);
    };
    let select_matching = move |_| {
        let keys =
            matching.with(|m| alerts.with(|all| m.iter().map(|&i| all[i].row.key()).collect()));
        add(keys);
    };
    view! {
        <section class="picker" aria-labelledby="picker-title">
            <div class="picker-head">
                <h2 id="picker-title">"Alerts"</h2>
                <p class="picker-status" role="status" aria-live="polite">
                    {move || loading.status()}
                </p>
                <button type="button" on:click=move |_| generation.update(|g| *g += 1) disabled=move || !loaded.get()>"Refresh"</button>
            </div>
            {move || loading.progress.synced_at.get().map(|at| view! {
                <p class="muted picker-freshness">
                    "As GitHub listed them at " <When at with_time=true/> " (the app's alert index)."
                </p>
            })}
            <templates::TemplateBar org=org_for_templates templates filters on_apply=move || limit.set(FIRST_ROWS)/>
            {picker_filters(alerts, filters, limit)}
            {move || filters.with(AlertFilter::age_problem).map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            {selection_bar(selected, notice, matching, select_matching, submit)}
            {move || notice.get().map(|n| view! { <p class="notice warning" role="alert">{n}</p> })}
            {move || error.get().map(|e| view! { <p class="field-error" id="alerts-error" role="alert">{e}</p> })}
            <div class="groups">
                {shown_groups(alerts, groups, limit, selected, selected_by_repo, add)}
            </div>
            {move || show_more(matching.with(Vec::len), groups.with(Vec::len), limit)}
        </section>
    }
}

/// After the first run, the filters show in the address bar (with the draft the form was opened
/// from) once they have rested for `ADDRESS_AFTER_MS`: the browser's history call costs a few
/// milliseconds of the frame a change must fit in, and typing makes a change a keystroke.
fn keep_in_address(filters: RwSignal<AlertFilter>, draft: Option<String>) {
    let changes = StoredValue::new(0u64);
    Effect::new(move |first_done: Option<bool>| {
        let mut query = filters.with(AlertFilter::pairs);
        query.extend(draft.clone().map(|d| ("draft", d)));
        if first_done.is_some() {
            changes.update_value(|n| *n += 1);
            let this = changes.get_value();
            leptos::task::spawn_local(async move {
                sleep_ms(ADDRESS_AFTER_MS).await;
                if changes.try_get_value() == Some(this) {
                    show_in_url(&query);
                }
            });
        }
        true
    });
}

/// How long the filters rest before the address bar shows them.
const ADDRESS_AFTER_MS: u32 = 150;

/// The filters; each select offers the distinct values among the loaded alerts. A change shows
/// the first rows again.
fn picker_filters(
    alerts: RwSignal<Vec<Loaded>>,
    filters: RwSignal<AlertFilter>,
    limit: RwSignal<usize>,
) -> impl IntoView {
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

    let set_filter = move |f: fn(&mut AlertFilter, String)| {
        move |ev: leptos::ev::Event| {
            limit.set(FIRST_ROWS);
            filters.update(|x| f(x, event_target_value(&ev)))
        }
    };
    view! {
        <div class="picker-filters">
            {filter_select(filters, set_filter(|f, v| f.repo = v), "Repository", "All repositories", None, repos, |f| &f.repo)}
            {filter_select(filters, set_filter(|f, v| f.severity = v), "Severity", "Any severity", Some(("critical+high", "Critical and high")), severities, |f| &f.severity)}
            {filter_select(filters, set_filter(|f, v| f.tool = v), "Tool", "Any tool", None, tools, |f| &f.tool)}
            {filter_select(filters, set_filter(|f, v| f.rule = v), "Rule", "Any rule", None, rules, |f| &f.rule)}
            {filter_input(filters, set_filter(|f, v| f.cwe = v), "CWE", "text", "CWE-89, CWE-79", |f| &f.cwe)}
            {filter_input(filters, set_filter(|f, v| f.path = v), "Path contains", "text", "src/api", |f| &f.path)}
            {filter_input(filters, set_filter(|f, v| f.q = v), "Search", "search", "rule, path, repository", |f| &f.q)}
            {filter_input(filters, set_filter(|f, v| f.older_than = v), "Older than (days)", "number", "90", |f| &f.older_than)}
        </div>
    }
}

/// The selection's count, and the buttons that change it at once.
fn selection_bar(
    selected: RwSignal<BTreeSet<AlertKey>>,
    notice: RwSignal<Option<String>>,
    matching: Memo<Vec<usize>>,
    select_matching: impl Fn(leptos::ev::MouseEvent) + 'static,
    submit: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="selection-bar" role="region" aria-label="Selection">
            <strong class="selected-count">{move || format!("{} selected", fmt_count(selected.with(BTreeSet::len)))}</strong>
            <span class="muted">{move || format!(" (at most {}) · {} matching the filters", fmt_count(MAX_ALERTS), fmt_count(matching.with(Vec::len)))}</span>
            <button type="button" on:click=select_matching disabled=move || matching.with(Vec::is_empty)>
                {move || format!("Select all {} matching", fmt_count(matching.with(Vec::len)))}
            </button>
            <button type="button" on:click=move |_| { selected.set(BTreeSet::new()); notice.set(None); } disabled=move || selected.with(BTreeSet::is_empty)>"Clear selection"</button>
            {submit.map(|id| view! {
                <button type="button" on:click=move |_| focus_by_id(id)>"Go to the Create button"</button>
            })}
        </div>
    }
}

/// What of one repository's group is in the page: its count of matching alerts and the first rows.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    repo_id: i64,
    repo: String,
    total: usize,
    rows: Vec<usize>,
}

/// The groups that have some of the first `budget` matching rows, in order, with those rows.
fn shown(groups: &[list::Group], mut budget: usize) -> Vec<Shown> {
    groups
        .iter()
        .filter_map(|g| {
            let n = g.rows.len().min(budget);
            budget -= n;
            (n > 0).then(|| Shown {
                repo_id: g.repo_id,
                repo: g.repo.clone(),
                total: g.rows.len(),
                rows: g.rows[..n].to_vec(),
            })
        })
        .collect()
}

/// The matching alerts grouped by repository. Groups are keyed by repository and rows by their
/// place in the loaded list (a place names one alert for the life of a load: a load appends, and
/// a new one starts from an empty list), so a filter change moves and relabels what stays in the
/// page and builds only the rows that were not there: the DOM work, not the filtering, is what a
/// change costs.
fn shown_groups(
    alerts: RwSignal<Vec<Loaded>>,
    groups: Memo<Vec<list::Group>>,
    limit: RwSignal<usize>,
    selected: RwSignal<BTreeSet<AlertKey>>,
    selected_by_repo: Memo<HashMap<i64, usize>>,
    add: impl Fn(Vec<AlertKey>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let in_page = Memo::new(move |_| groups.with(|g| shown(g, limit.get())));
    let now = Utc::now();
    let group_view = move |repo_id: i64| {
        let this = Memo::new(move |_| {
            in_page.with(|gs| gs.iter().find(|g| g.repo_id == repo_id).cloned())
        });
        let part = move |f: fn(&Shown) -> usize| move || this.with(|g| g.as_ref().map_or(0, f));
        let total = part(|g| g.total);
        let hidden = part(|g| g.total - g.rows.len());
        let repo = this.with_untracked(|g| g.as_ref().map(|g| g.repo.clone()).unwrap_or_default());
        let select_repo = move |_| {
            let keys = groups.with_untracked(|gs| {
                alerts.with_untracked(|all| {
                    gs.iter()
                        .filter(|g| g.repo_id == repo_id)
                        .flat_map(|g| g.rows.iter().map(|&i| all[i].row.key()))
                        .collect()
                })
            });
            add(keys);
        };
        let rows = move || this.with(|g| g.as_ref().map(|g| g.rows.clone()).unwrap_or_default());
        let row =
            move |i: usize| alerts.with_untracked(|all| alert_row(&all[i].row, selected, add, now));
        view! {
            <div class="group">
                <div class="group-head">
                    <h3>{repo.clone()}</h3>
                    <span class="muted">
                        {move || format!("{} matching", fmt_count(total()))} " · "
                        {move || format!("{} selected", selected_by_repo.with(|c| c.get(&repo_id).copied().unwrap_or(0)))}
                    </span>
                    <button type="button" on:click=select_repo>{move || format!("Select all {} in {repo}", fmt_count(total()))}</button>
                </div>
                <ul class="alert-rows">
                    <For each=rows key=|&i| i children=row/>
                </ul>
                {move || (hidden() > 0).then(|| view! { <p class="muted more">{format!("{} more not shown.", fmt_count(hidden()))}</p> })}
            </div>
        }
    };
    view! {
        <For each=move || in_page.with(|gs| gs.iter().map(|g| g.repo_id).collect::<Vec<_>>()) key=|&id| id children=group_view/>
    }
}

/// "Show more" under the rows, while fewer than `total` matching alerts are in the page.
/// The repositories without a row in the page are counted here: their groups are left out.
fn show_more(total: usize, repos: usize, limit: RwSignal<usize>) -> impl IntoView {
    let shown = limit.get().min(total);
    (shown < total).then(|| view! {
        <p class="show-more">
            <span class="muted">{format!("Showing {} of {} matching alerts in {} {}. ", fmt_count(shown), fmt_count(total), fmt_count(repos), if repos == 1 { "repository" } else { "repositories" })}</span>
            <button type="button" on:click=move |_| limit.update(|l| *l += ROWS_STEP)>
                {format!("Show {} more", fmt_count(ROWS_STEP.min(total - shown)))}
            </button>
        </p>
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_rows_are_spread_over_the_groups_in_order_and_groups_without_any_are_left_out() {
        let g = |repo_id: i64, rows: std::ops::Range<usize>| list::Group {
            repo: format!("repo-{repo_id}"),
            repo_id,
            rows: rows.collect(),
        };
        let groups = [g(1, 0..6), g(2, 6..10), g(3, 10..11)];
        let page = shown(&groups, 8);
        assert_eq!(
            page.len(),
            2,
            "the third group has no row among the first 8"
        );
        assert_eq!((page[0].repo_id, page[0].total), (1, 6));
        assert_eq!(page[0].rows, (0..6).collect::<Vec<_>>());
        assert_eq!((page[1].repo_id, page[1].total), (2, 4));
        assert_eq!(page[1].rows, vec![6, 7]);
        assert_eq!(shown(&groups, 100).len(), 3);
        assert!(shown(&groups, 0).is_empty());
    }
}
