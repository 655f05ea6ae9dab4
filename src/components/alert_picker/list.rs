//! The picker's list: loaded alerts kept with their lower-cased search text, selected with the one
//! alert filter, grouped by repository; and the rows, filters and badges it draws.

use crate::components::dates::relative;
use crate::domain::alert::{severity_rank, AlertRow};
use crate::domain::alert_filter::{AlertFilter, Searchable};
use crate::domain::alert_selection::{AlertKey, MAX_ALERTS};
use chrono::Utc;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// An alert as loaded, with what the text filters read lower-cased, and its place within its
/// repository's group (most severe, then newest first), worked out once on arrival rather than on
/// every filter change.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub row: AlertRow,
    search: Searchable,
    place: (u8, std::cmp::Reverse<i64>),
}

impl From<AlertRow> for Loaded {
    fn from(row: AlertRow) -> Self {
        let search = Searchable::of(&row);
        let place = (
            severity_rank(&row.severity),
            std::cmp::Reverse(row.created_at.timestamp()),
        );
        Loaded { row, search, place }
    }
}

/// The indexes of the loaded alerts that `filter` selects, in load order: the same alerts the
/// server-rendered list selects from the same filter.
pub fn matching(all: &[Loaded], filter: &AlertFilter) -> Vec<usize> {
    let m = filter.matcher();
    all.iter()
        .enumerate()
        .filter(|(_, a)| m.matches(&a.row, &a.search))
        .map(|(i, _)| i)
        .collect()
}

/// The distinct values of one field, sorted.
pub fn distinct(all: &[Loaded], field: fn(&AlertRow) -> &String) -> Vec<String> {
    let set: BTreeSet<&String> = all.iter().map(|a| field(&a.row)).collect();
    set.into_iter().cloned().collect()
}

/// One repository's matching alerts (indexes into the loaded list), best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub repo: String,
    pub repo_id: i64,
    pub rows: Vec<usize>,
}

/// Every loaded alert's index in the order the groups show them: by repository, then most severe
/// and newest first. Worked out once per load, so a filter change only walks it.
pub fn display_order(all: &[Loaded]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_unstable_by_key(|&i| (all[i].row.repo_id, all[i].place, i));
    order
}

/// Groups the matching alerts by repository, most matches first; within a repository, most severe
/// and then newest first (`order`, from `display_order`).
pub fn group(all: &[Loaded], order: &[usize], matching: &[usize]) -> Vec<Group> {
    let mut matched = vec![false; all.len()];
    for &i in matching {
        matched[i] = true;
    }
    let mut groups: Vec<Group> = Vec::new();
    for &i in order.iter().filter(|&&i| matched[i]) {
        let row = &all[i].row;
        match groups.last_mut() {
            Some(g) if g.repo_id == row.repo_id => g.rows.push(i),
            _ => groups.push(Group {
                repo: row.repo.clone(),
                repo_id: row.repo_id,
                rows: vec![i],
            }),
        }
    }
    groups.sort_by(|a, b| {
        b.rows
            .len()
            .cmp(&a.rows.len())
            .then_with(|| a.repo.cmp(&b.repo))
    });
    groups
}

/// One filter's `<select>`: "any", an optional extra choice, then the values the alerts have.
/// An option is drawn chosen when it is the current choice as the options arrive with the alerts
/// (a filter that came with the URL); later changes set the select's value alone, so a filter
/// change does not visit every option.
pub fn filter_select(
    filters: RwSignal<AlertFilter>,
    on_change: impl Fn(leptos::ev::Event) + 'static,
    label: &'static str,
    any: &'static str,
    extra: Option<(&'static str, &'static str)>,
    values: Memo<Vec<String>>,
    field: fn(&AlertFilter) -> &String,
) -> impl IntoView {
    let options = move || {
        values.with(|vs| {
            vs.iter()
                .map(|v| {
                    let current = filters.with_untracked(|f| field(f) == v);
                    view! { <option value=v.clone() prop:selected=current>{v.clone()}</option> }
                })
                .collect_view()
        })
    };
    view! {
        <label>{label}
            <select aria-label=label prop:value=chosen(filters, field) on:change=on_change>
                <option value="">{any}</option>
                {extra.map(|(value, text)| view! { <option value=value>{text}</option> })}
                {options}
            </select>
        </label>
    }
}

/// One filter's current value, told apart from the others': a change of one filter does not set
/// every field again.
fn chosen(filters: RwSignal<AlertFilter>, field: fn(&AlertFilter) -> &String) -> Memo<String> {
    Memo::new(move |_| filters.with(|f| field(f).clone()))
}

/// One filter's text field.
pub fn filter_input(
    filters: RwSignal<AlertFilter>,
    on_input: impl Fn(leptos::ev::Event) + 'static,
    label: &'static str,
    kind: &'static str,
    placeholder: &'static str,
    field: fn(&AlertFilter) -> &String,
) -> impl IntoView {
    view! {
        <label>{label}
            <input type=kind aria-label=label placeholder=placeholder
                prop:value=chosen(filters, field) on:input=on_input/>
        </label>
    }
}

/// One alert with its checkbox.
/// Adds `keys` to the selection unless it would then hold more than a campaign takes; the
/// message says why it was refused.
pub fn add_within_limit(
    selection: &mut BTreeSet<AlertKey>,
    keys: Vec<AlertKey>,
) -> Result<(), String> {
    let new = keys.iter().filter(|k| !selection.contains(k)).count();
    if selection.len() + new > MAX_ALERTS {
        return Err(format!(
            "That would make {} selected alerts; a campaign holds at most {}. Narrow the filters first.",
            fmt_count(selection.len() + new),
            fmt_count(MAX_ALERTS)
        ));
    }
    selection.extend(keys);
    Ok(())
}

pub fn alert_row(
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
    // Each text is one node: a row is built on every filter change that brings it into view.
    let mut after_path = format!(" · {}", relative(a.created_at, now));
    if !a.cwes.is_empty() {
        after_path.push_str(&format!(" · {}", a.cwes.join(", ")));
    }
    view! {
        <li class="alert-row">
            <input type="checkbox" id=id.clone() prop:checked=move || selected.with(|s| s.contains(&k)) on:change=toggle/>
            <label for=id>
                {severity_badges(a)}
                " " <strong>{a.rule_name.clone()}</strong>
                " " <code class="muted">{a.rule_id.clone()}</code>
                <span class="alert-meta">
                    {format!("{} · ", a.tool)} <code>{format!("{}:{}", a.path, a.line)}</code> {after_path}
                </span>
            </label>
            <a href=a.html_url.clone() target="_blank" rel="noopener noreferrer" aria-label=format!("Alert {} on GitHub", a.number)>{format!("#{}", a.number)}</a>
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

    fn row(repo: &str, sev: &str) -> AlertRow {
        AlertRow {
            repo_id: 1,
            repo: repo.into(),
            number: 1,
            rule_id: "js/sql-injection".into(),
            rule_name: "Database query built from user-controlled sources".into(),
            severity: sev.into(),
            rule_severity: "error".into(),
            tool: "CodeQL".into(),
            path: "a.js".into(),
            line: 3,
            created_at: Utc::now(),
            html_url: String::new(),
            cwes: Vec::new(),
        }
    }

    #[test]
    fn groups_put_the_largest_repository_first_and_severe_alerts_first() {
        let mut rows = vec![
            row("api", "low"),
            row("web", "medium"),
            row("web", "critical"),
            row("api", "high"),
            row("web", "low"),
        ];
        for (i, r) in rows.iter_mut().enumerate() {
            r.repo_id = if r.repo == "api" { 1 } else { 2 };
            r.number = i as i64;
        }
        let all: Vec<Loaded> = rows.into_iter().map(Loaded::from).collect();
        let order = display_order(&all);
        let groups = group(&all, &order, &[0, 1, 2, 3, 4]);
        assert_eq!(groups.len(), 2);
        assert_eq!((groups[0].repo.as_str(), groups[0].repo_id), ("web", 2));
        assert_eq!(groups[0].rows, vec![2, 1, 4]);
        assert_eq!(groups[1].rows, vec![3, 0]);
        // Only the matching alerts count.
        let groups = group(&all, &order, &[0]);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].rows, vec![0]);
    }

    #[test]
    fn the_selection_grows_to_a_campaigns_limit_and_no_further() {
        let key = |n: i64| AlertKey {
            repo_id: 1,
            number: n,
        };
        let mut sel = BTreeSet::new();
        assert_eq!(
            add_within_limit(&mut sel, (1..=999).map(key).collect()),
            Ok(())
        );
        // Keys already chosen do not count again.
        assert_eq!(add_within_limit(&mut sel, vec![key(1), key(1000)]), Ok(()));
        assert_eq!(sel.len(), MAX_ALERTS);
        let refused = add_within_limit(&mut sel, vec![key(5), key(1001)]).unwrap_err();
        assert!(refused.contains("1,001 selected alerts"), "{refused}");
        assert_eq!(sel.len(), MAX_ALERTS, "a refused batch adds nothing");
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(fmt_count(0), "0");
        assert_eq!(fmt_count(999), "999");
        assert_eq!(fmt_count(1_200), "1,200");
        assert_eq!(fmt_count(10_400), "10,400");
    }
}
