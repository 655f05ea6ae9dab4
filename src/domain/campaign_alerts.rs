//! What is in a campaign: its alerts as GitHub reports them now, their progress per repository,
//! and the alerts page's filters (`repo`, `state`, `severity`, `rule`, `sort`, `page` in the
//! address, as typed, so a refused value comes back with its message).

use super::campaign::CampaignView;
use super::url_state::{page_as_typed, page_value, set_pairs, UrlState};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Alerts shown on one page of the alerts list.
pub const ALERTS_PAGE_SIZE: usize = 100;

/// One alert of the campaign, with its live state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignAlert {
    /// `owner/name`.
    pub repository: String,
    pub number: i64,
    pub rule_id: String,
    pub rule_name: String,
    /// Security severity (`critical`…`low`) when the rule has one, else `error`/`warning`/`note`.
    pub severity: String,
    pub state: LiveState,
    pub dismissed_reason: Option<String>,
    pub fixed_at: Option<DateTime<Utc>>,
    pub dismissed_at: Option<DateTime<Utc>>,
    pub path: String,
    pub line: Option<i64>,
    pub html_url: String,
    /// Logins of the people the alert is assigned to.
    #[serde(default)]
    pub assignees: Vec<String>,
}

/// An alert's state on GitHub now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LiveState {
    Open,
    Fixed,
    Dismissed,
    /// GitHub's list did not return the alert (deleted, or its repository is gone).
    Unknown,
}

impl LiveState {
    /// The states a filter may choose.
    pub const CHOSEN: [LiveState; 3] = [LiveState::Open, LiveState::Fixed, LiveState::Dismissed];

    pub fn as_str(self) -> &'static str {
        match self {
            LiveState::Open => "open",
            LiveState::Fixed => "fixed",
            LiveState::Dismissed => "dismissed",
            LiveState::Unknown => "unknown",
        }
    }

    /// One of the states a filter may choose, by its name.
    pub fn chosen(name: &str) -> Option<LiveState> {
        LiveState::CHOSEN.into_iter().find(|s| s.as_str() == name)
    }
}

/// How far one repository is: its campaign alerts by state.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RepoProgress {
    pub repository: String,
    pub open: i64,
    pub fixed: i64,
    pub dismissed: i64,
}

impl RepoProgress {
    pub fn total(&self) -> i64 {
        self.open
            .saturating_add(self.fixed)
            .saturating_add(self.dismissed)
    }

    /// Share of its alerts still open, in thousandths (the "most behind" order).
    pub fn open_share(&self) -> i64 {
        if self.total() == 0 {
            0
        } else {
            self.open * 1000 / self.total()
        }
    }
}

/// Counts per repository of a list of alerts, in repository order.
pub fn progress_by_repository(alerts: &[CampaignAlert]) -> Vec<RepoProgress> {
    let mut out: std::collections::BTreeMap<&str, RepoProgress> = Default::default();
    for a in alerts {
        let p = out
            .entry(a.repository.as_str())
            .or_insert_with(|| RepoProgress {
                repository: a.repository.clone(),
                ..Default::default()
            });
        match a.state {
            LiveState::Fixed => p.fixed += 1,
            LiveState::Dismissed => p.dismissed += 1,
            LiveState::Open => p.open += 1,
            LiveState::Unknown => {}
        }
    }
    out.into_values().collect()
}

/// The order of the per-repository table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RepoSort {
    /// Largest share still open first, then most open.
    Behind,
    Open,
    Name,
}

impl RepoSort {
    pub const ALL: [RepoSort; 3] = [RepoSort::Behind, RepoSort::Open, RepoSort::Name];

    pub fn value(self) -> &'static str {
        match self {
            RepoSort::Behind => "behind",
            RepoSort::Open => "open",
            RepoSort::Name => "name",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RepoSort::Behind => "Most behind first",
            RepoSort::Open => "Most open alerts first",
            RepoSort::Name => "Name",
        }
    }

    pub fn sort(self, repos: &mut [RepoProgress]) {
        match self {
            RepoSort::Behind => repos.sort_by(|a, b| {
                (b.open_share(), b.open, &a.repository).cmp(&(
                    a.open_share(),
                    a.open,
                    &b.repository,
                ))
            }),
            RepoSort::Open => {
                repos.sort_by(|a, b| (b.open, &a.repository).cmp(&(a.open, &b.repository)))
            }
            RepoSort::Name => repos.sort_by(|a, b| a.repository.cmp(&b.repository)),
        }
    }
}

/// The alerts page's address, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertsFilter {
    #[serde(default)]
    pub repo: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub rule: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: String,
    /// `mine`, `nobody`, or a login.
    #[serde(default)]
    pub assignee: String,
}

/// Whom the alerts page's assignee filter asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Assigned to the signed-in user (made `Is` with their login before it is matched).
    Mine,
    Nobody,
    Is(String),
}

/// The filter, checked: `None` is "any".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertsQuery {
    pub repo: Option<String>,
    pub state: Option<LiveState>,
    pub severity: Option<String>,
    pub rule: Option<String>,
    pub sort: RepoSort,
    pub page: usize,
    pub assignee: Option<AssigneeFilter>,
}

pub const SEVERITIES: [&str; 7] = [
    "critical", "high", "medium", "low", "error", "warning", "note",
];

/// The alerts page's query names, in the order its links write them.
const ALERTS_QUERY: [&str; 7] = [
    "repo", "state", "severity", "rule", "sort", "assignee", "page",
];

impl UrlState for AlertsFilter {
    fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let [repo, state, severity, rule, sort, assignee, page] =
            ALERTS_QUERY.map(|name| get(name).unwrap_or_default());
        AlertsFilter {
            repo,
            state,
            severity,
            rule,
            sort,
            page,
            assignee,
        }
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let page = page_as_typed(&self.page);
        let values = [
            &self.repo,
            &self.state,
            &self.severity,
            &self.rule,
            &self.sort,
            &self.assignee,
        ];
        set_pairs(
            &ALERTS_QUERY,
            values.map(String::as_str).into_iter().chain([page]),
        )
    }
}

impl AlertsFilter {
    /// The checked filter; each refused value named with its field.
    pub fn parse(&self) -> Result<AlertsQuery, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let text = |v: &str, field: &'static str, max: usize, errors: &mut Vec<_>| {
            let v = v.trim();
            if v.is_empty() {
                None
            } else if v.chars().count() > max || v.chars().any(char::is_control) {
                errors.push((field, format!("That is not a {field} of this campaign.")));
                None
            } else {
                Some(v.to_owned())
            }
        };
        let repo = text(&self.repo, "repo", 200, &mut errors);
        let rule = text(&self.rule, "rule", 200, &mut errors);
        let one_of =
            |v: &str, allowed: &[&str], field: &'static str, errors: &mut Vec<_>| match v.trim() {
                "" => None,
                v if allowed.contains(&v) => Some(v.to_owned()),
                _ => {
                    errors.push((field, format!("Choose a {field} from the list.")));
                    None
                }
            };
        let state = match self.state.trim() {
            "" => None,
            v => LiveState::chosen(v).or_else(|| {
                errors.push(("state", "Choose a state from the list.".into()));
                None
            }),
        };
        let severity = one_of(&self.severity, &SEVERITIES, "severity", &mut errors);
        let sort = match self.sort.trim() {
            "" => RepoSort::Behind,
            s => RepoSort::ALL
                .into_iter()
                .find(|o| o.value() == s)
                .unwrap_or_else(|| {
                    errors.push(("sort", "Choose an order from the list.".into()));
                    RepoSort::Behind
                }),
        };
        let page = match self.page.trim() {
            "" => 1,
            p => match p.parse::<usize>() {
                Ok(n) if (1..=1_000).contains(&n) => n,
                _ => {
                    errors.push(("page", "Not a page of this list.".into()));
                    1
                }
            },
        };
        let assignee = match self.assignee.trim() {
            "" => None,
            "mine" => Some(AssigneeFilter::Mine),
            "nobody" => Some(AssigneeFilter::Nobody),
            login if super::user::is_login(login) => Some(AssigneeFilter::Is(login.to_owned())),
            _ => {
                errors.push(("assignee", "Choose an assignee from the list.".into()));
                None
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(AlertsQuery {
            repo,
            state,
            severity,
            rule,
            sort,
            page,
            assignee,
        })
    }

    /// The query string for this filter on `page` (empty values left out), with its `?`.
    pub fn query_on(&self, page: usize) -> String {
        let page = page_value(page as u64);
        AlertsFilter {
            page,
            ..self.clone()
        }
        .query_string()
    }
}

impl AlertsQuery {
    /// The query for `me` (the signed-in user's login): "mine" is their login.
    pub fn for_user(mut self, me: &str) -> Self {
        if self.assignee == Some(AssigneeFilter::Mine) {
            self.assignee = Some(AssigneeFilter::Is(me.to_owned()));
        }
        self
    }

    pub fn matches(&self, a: &CampaignAlert) -> bool {
        let is = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        let assigned = match &self.assignee {
            None => true,
            Some(AssigneeFilter::Nobody) => a.assignees.is_empty(),
            Some(AssigneeFilter::Is(login)) => {
                a.assignees.iter().any(|l| l.eq_ignore_ascii_case(login))
            }
            // Not made a login (`for_user`): matches nobody rather than everybody.
            Some(AssigneeFilter::Mine) => false,
        };
        assigned
            && is(&self.repo, &a.repository)
            && self.state.is_none_or(|s| s == a.state)
            && is(&self.severity, &a.severity)
            && is(&self.rule, &a.rule_id)
    }
}

/// The detail page: the campaign as GitHub has it, whether it was created here, and its
/// counts over time (oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDetail {
    pub campaign: CampaignView,
    pub record: Option<RecordInfo>,
    pub history: Vec<super::history::Snapshot>,
}

/// Who created a campaign through this app, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordInfo {
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub alerts: usize,
}

/// The alerts page: the campaign, its per-repository progress, one page of its filtered alerts,
/// and the values the filters offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignAlerts {
    pub campaign: CampaignView,
    /// `None`: created outside campaigns-admin, so its alerts are unknown.
    pub record: Option<RecordInfo>,
    pub repos: Vec<RepoProgress>,
    pub alerts: Vec<CampaignAlert>,
    /// Alerts that match the filter, over all pages.
    pub matching: usize,
    pub page: usize,
    pub rules: Vec<String>,
    /// Everyone some alert of the campaign is assigned to (the assignee filter's choices).
    #[serde(default)]
    pub assignees: Vec<String>,
    /// Repositories GitHub would not list the alerts of (their alerts show as `unknown`).
    pub unreadable: Vec<String>,
    /// When the states were read from the app's alert index, the time it last matched GitHub;
    /// `None` when GitHub was read now.
    pub synced_at: Option<DateTime<Utc>>,
}

impl CampaignAlerts {
    pub fn pages(&self) -> usize {
        self.matching.div_ceil(ALERTS_PAGE_SIZE).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(repo: &str, state: LiveState) -> CampaignAlert {
        CampaignAlert {
            repository: repo.into(),
            number: 1,
            rule_id: "js/xss".into(),
            rule_name: "XSS".into(),
            severity: "high".into(),
            state,
            dismissed_reason: None,
            fixed_at: None,
            dismissed_at: None,
            path: "a.js".into(),
            line: Some(1),
            html_url: String::new(),
            assignees: vec![],
        }
    }

    #[test]
    fn repositories_most_behind_come_first() {
        let alerts = [
            alert("o/a", LiveState::Open),
            alert("o/a", LiveState::Fixed),
            alert("o/b", LiveState::Open),
            alert("o/b", LiveState::Open),
            alert("o/c", LiveState::Dismissed),
            alert("o/c", LiveState::Unknown),
        ];
        let mut repos = progress_by_repository(&alerts);
        assert_eq!(repos[2].dismissed, 1);
        RepoSort::Behind.sort(&mut repos);
        let order: Vec<_> = repos.iter().map(|r| r.repository.as_str()).collect();
        assert_eq!(order, ["o/b", "o/a", "o/c"]);
        RepoSort::Name.sort(&mut repos);
        assert_eq!(repos[0].repository, "o/a");
    }

    #[test]
    fn a_filter_names_what_it_refuses_and_round_trips() {
        let f = AlertsFilter {
            state: "closed".into(),
            severity: "urgent".into(),
            page: "0".into(),
            ..Default::default()
        };
        let fields: Vec<_> = f.parse().unwrap_err().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["state", "severity", "page"]);
        let f = AlertsFilter {
            repo: "acme/web app".into(),
            state: "open".into(),
            rule: "js/xss".into(),
            ..Default::default()
        };
        let q = f.parse().unwrap();
        assert!(q.matches(&CampaignAlert {
            repository: "acme/web app".into(),
            ..alert("x", LiveState::Open)
        }));
        assert!(!q.matches(&alert("acme/other", LiveState::Open)));
        assert_eq!(
            f.query_on(2),
            "?repo=acme%2Fweb%20app&state=open&rule=js%2Fxss&page=2"
        );
        assert_eq!(
            f.query_on(1),
            "?repo=acme%2Fweb%20app&state=open&rule=js%2Fxss"
        );
        crate::domain::url_state::tests::round_trips(AlertsFilter {
            page: "3".into(),
            ..f
        });
    }
}
