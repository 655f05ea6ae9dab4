//! The one alert filter: the picker (in the browser) and the server-rendered list (without
//! JavaScript) both read it from the same URL names and select with the same rule, so a shared
//! link shows the same alerts either way.
//!
//! Every field is trimmed; repository, tool and rule match whole, in any case; severities are
//! separated by `+` (a space once the URL is decoded), commas or spaces; CWEs are read as people
//! write them (`CWE-89`, `cwe-089`, `89`); path and free text match anywhere, in any case.

use super::alert::AlertRow;
use super::url_state::{set_pairs, UrlState};
use serde::{Deserialize, Serialize};

/// The filters as the URL carries them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertFilter {
    pub repo: String,
    /// `critical`, `high`, …, or `critical+high`.
    pub severity: String,
    pub tool: String,
    /// A rule id, e.g. `js/sql-injection`.
    pub rule: String,
    /// `CWE-89, CWE-79`
    pub cwe: String,
    pub path: String,
    /// Free text, searched in the rule's name and id, the path and the repository.
    pub q: String,
    /// Whole days: only alerts opened at least this long ago.
    pub older_than: String,
}

/// The filters' names in the URL query, in the order the query lists them.
pub const QUERY_NAMES: [&str; 8] = [
    "repo",
    "severity",
    "tool",
    "rule",
    "cwe",
    "path",
    "q",
    "older_than",
];

/// The most days the age filter takes (about ten years).
pub const MAX_AGE_DAYS: i64 = 3_650;

impl UrlState for AlertFilter {
    fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let [repo, severity, tool, rule, cwe, path, q, older_than] =
            QUERY_NAMES.map(|name| get(name).unwrap_or_default());
        AlertFilter {
            repo,
            severity,
            tool,
            rule,
            cwe,
            path,
            q,
            older_than,
        }
    }

    /// The filters that are set.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        set_pairs(&QUERY_NAMES, self.values().map(String::as_str))
    }
}

impl AlertFilter {
    fn values(&self) -> [&String; 8] {
        [
            &self.repo,
            &self.severity,
            &self.tool,
            &self.rule,
            &self.cwe,
            &self.path,
            &self.q,
            &self.older_than,
        ]
    }

    /// The age filter in whole days, when it is one: 1 to `MAX_AGE_DAYS`. Anything else (a
    /// typo in an address, say) filters nothing, and `age_problem` says why.
    pub fn older_than_days(&self) -> Option<i64> {
        let days = self.older_than.trim().parse::<i64>().ok()?;
        (1..=MAX_AGE_DAYS).contains(&days).then_some(days)
    }

    /// Why the age filter is not used, for a message beside it.
    pub fn age_problem(&self) -> Option<String> {
        (!self.older_than.trim().is_empty() && self.older_than_days().is_none()).then(|| {
            format!("“Older than” takes a whole number of days, 1 to {MAX_AGE_DAYS}: it is not applied.")
        })
    }

    /// The filters prepared to test many alerts: lists split, text trimmed and lower-cased.
    pub fn matcher(&self) -> AlertMatcher {
        let whole = |s: &str| Some(s.trim().to_lowercase()).filter(|s| !s.is_empty());
        AlertMatcher {
            repo: whole(&self.repo),
            severities: self
                .severity
                .split(['+', ',', ' '])
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .collect(),
            tool: whole(&self.tool),
            rule: whole(&self.rule),
            cwes: parse_cwe_list(&self.cwe),
            path: self.path.trim().to_lowercase(),
            text: self.q.trim().to_lowercase(),
            opened_before: self
                .older_than_days()
                .map(|d| chrono::Utc::now() - chrono::Duration::days(d)),
        }
    }

    /// The alerts of `rows` this filter selects, in their order.
    pub fn select<'a>(&self, rows: &'a [AlertRow]) -> Vec<&'a AlertRow> {
        let m = self.matcher();
        rows.iter()
            .filter(|a| m.matches(a, &Searchable::of(a)))
            .collect()
    }
}

/// `CWE-89, cwe-78 079` → `["CWE-89", "CWE-78", "CWE-79"]`: what people type in a CWE filter.
pub fn parse_cwe_list(text: &str) -> Vec<String> {
    text.split(['+', ',', ' '])
        .map(|s| {
            let s = s.trim();
            match s.get(..4) {
                Some(p) if p.eq_ignore_ascii_case("cwe-") => &s[4..],
                _ => s,
            }
        })
        .filter_map(|n| n.parse::<u32>().ok())
        .map(|n| format!("CWE-{n}"))
        .collect()
}

/// What the text filters of an alert read, lower-cased once (the picker keeps this beside each
/// loaded alert, so a filter change does not lower-case 10,000 rows again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Searchable {
    repo: String,
    tool: String,
    rule_id: String,
    rule_name: String,
    path: String,
}

impl Searchable {
    pub fn of(a: &AlertRow) -> Self {
        Searchable {
            repo: a.repo.to_lowercase(),
            tool: a.tool.to_lowercase(),
            rule_id: a.rule_id.to_lowercase(),
            rule_name: a.rule_name.to_lowercase(),
            path: a.path.to_lowercase(),
        }
    }

    /// What free text is searched in: rule name, rule id, path and repository.
    fn texts(&self) -> [&str; 4] {
        [&self.rule_name, &self.rule_id, &self.path, &self.repo]
    }
}

/// A filter prepared by `AlertFilter::matcher`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertMatcher {
    repo: Option<String>,
    severities: Vec<String>,
    tool: Option<String>,
    rule: Option<String>,
    cwes: Vec<String>,
    path: String,
    text: String,
    /// Only alerts opened at or before this moment (the age filter).
    opened_before: Option<chrono::DateTime<chrono::Utc>>,
}

impl AlertMatcher {
    /// Whether the alert `a` (with `s`, its `Searchable`) passes every filter that is set.
    pub fn matches(&self, a: &AlertRow, s: &Searchable) -> bool {
        let whole = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        whole(&self.repo, &s.repo)
            && (self.severities.is_empty()
                || self
                    .severities
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case(&a.severity)))
            && whole(&self.tool, &s.tool)
            && whole(&self.rule, &s.rule_id)
            && (self.cwes.is_empty()
                || a.cwes
                    .iter()
                    .any(|c| self.cwes.iter().any(|w| w.eq_ignore_ascii_case(c))))
            && (self.path.is_empty() || s.path.contains(&self.path))
            && (self.text.is_empty() || s.texts().iter().any(|t| t.contains(&self.text)))
            && self.opened_before.is_none_or(|t| a.created_at <= t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn row(repo: &str, sev: &str, cwes: &[&str], path: &str) -> AlertRow {
        AlertRow {
            repo_id: 7,
            repo: repo.into(),
            number: 3,
            rule_id: "js/sql-injection".into(),
            rule_name: "Database query built from user-controlled sources".into(),
            severity: sev.into(),
            rule_severity: "error".into(),
            tool: "CodeQL".into(),
            path: path.into(),
            line: 3,
            created_at: chrono::Utc::now(),
            html_url: String::new(),
            cwes: cwes.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    fn passes(a: &AlertRow, set: fn(&mut AlertFilter)) -> bool {
        let mut f = AlertFilter::default();
        set(&mut f);
        f.matcher().matches(a, &Searchable::of(a))
    }

    #[test]
    fn filters_combine() {
        let a = row("web-storefront", "high", &["CWE-89"], "src/api/db.js");
        assert!(passes(&a, |_| {}), "no filter: everything");
        assert!(passes(&a, |f| f.rule = "js/sql-injection".into()));
        assert!(
            !passes(&a, |f| f.rule = "js/xss".into()),
            "a rule id matches whole"
        );
        assert!(passes(&a, |f| f.severity = "critical+high".into()));
        assert!(!passes(&a, |f| f.severity = "critical".into()));
        assert!(passes(&a, |f| f.cwe = "cwe-79, 89".into()));
        assert!(!passes(&a, |f| f.cwe = "CWE-79".into()));
        assert!(passes(&a, |f| f.path = "API/DB".into()), "path: any case");
        assert!(
            passes(&a, |f| f.q = "storefront".into()),
            "text reads the repository"
        );
        assert!(passes(&a, |f| f.q = "User-Controlled ".into()));
        assert!(!passes(&a, |f| f.repo = "other".into()));
        assert!(!passes(&a, |f| {
            f.rule = "js/sql-injection".into();
            f.tool = "Semgrep".into();
        }));
    }

    #[test]
    fn the_age_filter_keeps_alerts_opened_long_enough_ago() {
        let mut old = row("web", "high", &[], "a.js");
        old.created_at = chrono::Utc::now() - chrono::Duration::days(120);
        let new = row("web", "high", &[], "a.js");
        assert!(passes(&old, |f| f.older_than = "90".into()));
        assert!(!passes(&new, |f| f.older_than = " 90 ".into()));
        // Not a number of days: nothing is filtered, and the filter says so.
        assert!(passes(&new, |f| f.older_than = "ninety".into()));
        let typo = AlertFilter {
            older_than: "0".into(),
            ..Default::default()
        };
        assert!(typo.age_problem().is_some());
        assert!(AlertFilter::default().age_problem().is_none());
    }

    /// The three ways the two old filters disagreed (#11's fifth bug).
    #[test]
    fn what_a_link_or_a_person_types_reads_one_way() {
        let a = row("web", "high", &["CWE-89"], "src/api/db.js");
        // `critical+high` typed into an address arrives decoded as `critical high`.
        assert!(passes(&a, |f| f.severity = "critical high".into()));
        assert!(passes(&a, |f| f.severity = "Critical, HIGH".into()));
        assert!(passes(&a, |f| f.cwe = "Cwe-089".into()), "CWE in any case");
        assert!(passes(&a, |f| f.path = "  src/api ".into()), "path trimmed");
        assert!(passes(&a, |f| f.q = " db.js ".into()), "text trimmed");
        assert!(
            passes(&a, |f| f.repo = " WEB ".into()),
            "repository trimmed"
        );
    }

    #[test]
    fn filters_go_to_the_url_and_back() {
        let f = AlertFilter {
            severity: "critical+high".into(),
            cwe: "CWE-89, CWE-79".into(),
            q: "sql".into(),
            ..Default::default()
        };
        let query = f.pairs();
        assert_eq!(
            query,
            vec![
                ("severity", "critical+high".to_owned()),
                ("cwe", "CWE-89, CWE-79".to_owned()),
                ("q", "sql".to_owned()),
            ]
        );
        let back = AlertFilter::from_query(|k| {
            query
                .iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.clone())
        });
        assert_eq!(back, f);
        assert!(AlertFilter::default().pairs().is_empty());
        // Characters that mean something in an address survive the trip.
        crate::domain::url_state::tests::round_trips(AlertFilter {
            path: "src/a&b=c?d#e f+g%".into(),
            q: "ünïcode \"quoted\"".into(),
            ..f
        });
    }
}
