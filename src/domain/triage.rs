//! Acting on a campaign's alerts from its alerts page: assign them, dismiss them with one of
//! GitHub's reasons, or reopen them. The form as typed (its address: a preview is a link), the
//! checked request, and what a preview and a run answer.

use super::campaign::Person;
use super::campaign_alerts::{AlertsFilter, CampaignAlert, LiveState};
use super::user::is_login;
use serde::{Deserialize, Serialize};

/// Alerts one run changes at most: a page's worth (the form without JavaScript sends them all at
/// once; the page with JavaScript sends a larger selection in runs of `RUN_SIZE`).
pub const MAX_PER_RUN: usize = 100;
/// Alerts sent in one run by the page with JavaScript, so that it can show its progress.
pub const RUN_SIZE: usize = 20;
/// Alerts one person may change in an hour, across orgs: GitHub's own limit for writes is far
/// lower than for reads, and a mistaken bulk action should stop well before it costs a day.
pub const BUDGET_PER_HOUR: usize = 500;
/// Alerts a preview lists at most (a selection larger than this is refused: narrow the filter).
pub const MAX_SELECTION: usize = 1_000;
/// GitHub's limit for a dismissal's comment.
pub const COMMENT_MAX: usize = 280;

/// GitHub's reasons for dismissing a code-scanning alert, as its API names them.
pub const DISMISS_REASONS: [&str; 4] =
    ["false positive", "won't fix", "used in tests", "mitigated"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TriageKind {
    Assign,
    Dismiss,
    Reopen,
}

impl TriageKind {
    pub const ALL: [TriageKind; 3] = [TriageKind::Assign, TriageKind::Dismiss, TriageKind::Reopen];

    pub fn as_str(self) -> &'static str {
        match self {
            TriageKind::Assign => "assign",
            TriageKind::Dismiss => "dismiss",
            TriageKind::Reopen => "reopen",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TriageKind::Assign => "Assign",
            TriageKind::Dismiss => "Dismiss",
            TriageKind::Reopen => "Reopen",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// The action, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriageAction {
    /// Assign to `Some(login)`, or unassign everyone (`None`).
    Assign(Option<String>),
    Dismiss {
        reason: String,
        comment: String,
    },
    Reopen,
}

impl TriageAction {
    pub fn kind(&self) -> TriageKind {
        match self {
            TriageAction::Assign(_) => TriageKind::Assign,
            TriageAction::Dismiss { .. } => TriageKind::Dismiss,
            TriageAction::Reopen => TriageKind::Reopen,
        }
    }

    /// Whether the action changes `a` (else it is left alone, with the reason).
    pub fn applies_to(&self, a: &CampaignAlert) -> Result<(), &'static str> {
        match (self, a.state) {
            (_, LiveState::Unknown) => Err("GitHub does not list it"),
            (TriageAction::Dismiss { .. }, LiveState::Open) => Ok(()),
            (TriageAction::Dismiss { .. }, _) => Err("already closed"),
            (TriageAction::Reopen, LiveState::Dismissed) => Ok(()),
            (TriageAction::Reopen, LiveState::Open) => Err("already open"),
            (TriageAction::Reopen, _) => Err("fixed: GitHub reopens it if the code comes back"),
            (TriageAction::Assign(to), LiveState::Open) => {
                let same = match to {
                    Some(login) => {
                        a.assignees.len() == 1 && a.assignees[0].eq_ignore_ascii_case(login)
                    }
                    None => a.assignees.is_empty(),
                };
                if same {
                    Err("already so assigned")
                } else {
                    Ok(())
                }
            }
            (TriageAction::Assign(_), _) => Err("closed"),
        }
    }

    /// What the action does, in words ("dismiss as false positive").
    pub fn describe(&self) -> String {
        match self {
            TriageAction::Assign(Some(login)) => format!("assign to {login}"),
            TriageAction::Assign(None) => "unassign".to_owned(),
            TriageAction::Dismiss { reason, comment } if comment.is_empty() => {
                format!("dismiss as \"{reason}\"")
            }
            TriageAction::Dismiss { reason, comment } => {
                format!("dismiss as \"{reason}\" with the comment \"{comment}\"")
            }
            TriageAction::Reopen => "reopen".to_owned(),
        }
    }

    /// The alert's state after the action, in words (the audit log's "after").
    pub fn after(&self) -> String {
        match self {
            TriageAction::Assign(Some(login)) => format!("assigned to {login}"),
            TriageAction::Assign(None) => "assigned to nobody".to_owned(),
            TriageAction::Dismiss { reason, .. } => format!("dismissed ({reason})"),
            TriageAction::Reopen => "open".to_owned(),
        }
    }
}

/// An alert's state in words, as the audit log keeps it ("dismissed (won't fix)", "open,
/// assigned to mona").
pub fn state_words(state: LiveState, reason: Option<&str>, assignees: &[String]) -> String {
    let who = if assignees.is_empty() {
        String::new()
    } else {
        format!(", assigned to {}", assignees.join(", "))
    };
    match (reason, state) {
        (Some(reason), LiveState::Dismissed) => format!("dismissed ({reason}){who}"),
        _ => format!("{}{who}", state.as_str()),
    }
}

/// An alert of a campaign, as a form names it: `owner/repo#number`.
pub fn alert_key(repository: &str, number: i64) -> String {
    format!("{repository}#{number}")
}

/// A key written by [`alert_key`], read back.
pub fn parse_alert_key(key: &str) -> Option<(String, i64)> {
    let (repo, number) = key.trim().rsplit_once('#')?;
    let number: i64 = number.parse().ok().filter(|n| *n > 0)?;
    let (owner, name) = repo.split_once('/')?;
    let name_ok = name.len() <= 100
        && !matches!(name, "" | "." | "..")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    (is_login(owner) && name_ok).then(|| (repo.to_owned(), number))
}

/// The triage form as typed: the action's fields, which alerts (`scope`: `checked` ones, or
/// every alert `matching` the alerts page's filter, which may name one repository), and that
/// filter. A preview's address carries all of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageForm {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub assignee: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub alert: Vec<String>,
    #[serde(default)]
    pub filter: AlertsFilter,
}

/// Which alerts a triage form picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// These (`owner/repo`, number).
    Checked(Vec<(String, i64)>),
    /// Every alert of the campaign that matches the alerts page's filter (its page ignored).
    Matching(super::campaign_alerts::AlertsQuery),
}

/// The form, checked: the action (the assignee still to be checked against the org's members)
/// and the alerts it picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageRequest {
    pub action: TriageAction,
    pub scope: Scope,
}

impl TriageForm {
    /// The checked form; each refused value named with its field.
    pub fn parse(&self) -> Result<TriageRequest, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let action = match TriageKind::parse(self.action.trim()) {
            None => {
                errors.push(("action", "Choose assign, dismiss or reopen.".to_owned()));
                None
            }
            Some(TriageKind::Reopen) => Some(TriageAction::Reopen),
            Some(TriageKind::Assign) => match self.assignee.trim() {
                "" => {
                    errors.push((
                        "assignee",
                        "Choose whom to assign the alerts to, or \"Nobody\" to unassign them."
                            .to_owned(),
                    ));
                    None
                }
                "-" => Some(TriageAction::Assign(None)),
                login if is_login(login) => Some(TriageAction::Assign(Some(login.to_owned()))),
                _ => {
                    errors.push(("assignee", "That is not a GitHub login.".to_owned()));
                    None
                }
            },
            Some(TriageKind::Dismiss) => {
                let reason = DISMISS_REASONS.iter().find(|r| **r == self.reason.trim());
                let comment = self.comment.trim();
                if reason.is_none() {
                    errors.push((
                        "reason",
                        "GitHub needs a reason to dismiss an alert: choose one.".to_owned(),
                    ));
                }
                if comment.chars().count() > COMMENT_MAX {
                    errors.push((
                        "comment",
                        format!("GitHub keeps at most {COMMENT_MAX} characters of a comment."),
                    ));
                }
                if comment.chars().any(|c| c.is_control() && c != '\n') {
                    errors.push((
                        "comment",
                        "The comment has characters GitHub does not keep.".to_owned(),
                    ));
                }
                reason.map(|r| TriageAction::Dismiss {
                    reason: (*r).to_owned(),
                    comment: comment.to_owned(),
                })
            }
        };
        let scope = match self.scope.trim() {
            "" | "checked" => {
                let keys: Vec<Option<(String, i64)>> =
                    self.alert.iter().map(|k| parse_alert_key(k)).collect();
                if keys.is_empty() {
                    errors.push((
                        "alert",
                        "Check the alerts to act on, or choose all that match the filter."
                            .to_owned(),
                    ));
                    None
                } else if keys.iter().any(Option::is_none) || keys.len() > MAX_SELECTION {
                    errors.push(("alert", "Those are not alerts of this campaign.".to_owned()));
                    None
                } else {
                    let mut keys: Vec<(String, i64)> = keys.into_iter().flatten().collect();
                    keys.sort();
                    keys.dedup();
                    Some(Scope::Checked(keys))
                }
            }
            "matching" => match self.filter.parse() {
                Ok(query) => Some(Scope::Matching(query)),
                Err(refused) => {
                    errors.extend(refused);
                    None
                }
            },
            _ => {
                errors.push((
                    "scope",
                    "Choose the checked alerts or all that match.".to_owned(),
                ));
                None
            }
        };
        match (action, scope) {
            (Some(action), Some(scope)) if errors.is_empty() => Ok(TriageRequest { action, scope }),
            _ => Err(errors),
        }
    }

    /// The preview's query string (with its `?`): the alerts page's filter, then the form.
    pub fn query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let filter = super::url_state::UrlState::pairs(&self.filter);
        // The filter's assignee is `assignee_filter` here: `assignee` is whom to assign to.
        pairs.extend(
            filter
                .into_iter()
                .filter(|(k, _)| *k != "page")
                .map(|(k, v)| {
                    (
                        if k == "assignee" {
                            "assignee_filter"
                        } else {
                            k
                        },
                        v,
                    )
                }),
        );
        for (k, v) in [
            ("action", &self.action),
            ("assignee", &self.assignee),
            ("reason", &self.reason),
            ("comment", &self.comment),
            ("scope", &self.scope),
        ] {
            if !v.trim().is_empty() {
                pairs.push((k, v.clone()));
            }
        }
        pairs.extend(self.alert.iter().map(|a| ("alert", a.clone())));
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        super::paths::query_string(&refs)
    }
}

/// An alert a preview leaves alone, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftAlone {
    pub alert: CampaignAlert,
    pub why: String,
}

/// What a triage form would do, before it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriagePreview {
    pub campaign_name: String,
    pub kind: TriageKind,
    /// The action in words ("dismiss as \"false positive\"").
    pub action: String,
    /// The alerts it changes.
    pub change: Vec<CampaignAlert>,
    pub left_alone: Vec<LeftAlone>,
    /// Alert changes the user has left this hour.
    pub budget_left: usize,
    /// The org's members, who can be assigned.
    pub assignable: Vec<Person>,
}

/// What GitHub answered for one alert of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertOutcome {
    pub key: String,
    pub done: bool,
    /// Its state now (done), or why GitHub refused it.
    pub message: String,
}

/// A run's answer: one outcome per alert sent, and the audit log entry that keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageRun {
    pub outcomes: Vec<AlertOutcome>,
    pub budget_left: usize,
}

impl TriageRun {
    pub fn done(&self) -> usize {
        self.outcomes.iter().filter(|o| o.done).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(action: &str) -> TriageForm {
        TriageForm {
            action: action.into(),
            alert: vec!["acme-corp/web#3".into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_dismissal_needs_one_of_githubs_reasons_and_a_short_comment() {
        let fields = |f: TriageForm| -> Vec<&'static str> {
            f.parse().unwrap_err().into_iter().map(|(f, _)| f).collect()
        };
        assert_eq!(fields(form("dismiss")), ["reason"]);
        let long = TriageForm {
            reason: "won't fix".into(),
            comment: "x".repeat(281),
            ..form("dismiss")
        };
        assert_eq!(fields(long), ["comment"]);
        let ok = TriageForm {
            reason: "false positive".into(),
            comment: " sanitised upstream ".into(),
            ..form("dismiss")
        };
        let r = ok.parse().unwrap();
        assert_eq!(
            r.action,
            TriageAction::Dismiss {
                reason: "false positive".into(),
                comment: "sanitised upstream".into()
            }
        );
        assert_eq!(r.scope, Scope::Checked(vec![("acme-corp/web".into(), 3)]));
        assert_eq!(fields(form("archive")), ["action"]);
        assert_eq!(fields(form("assign")), ["assignee"]);
        let bad_login = TriageForm {
            assignee: "<script>".into(),
            ..form("assign")
        };
        assert_eq!(fields(bad_login), ["assignee"]);
        let nobody = TriageForm {
            assignee: "-".into(),
            ..form("assign")
        };
        assert_eq!(nobody.parse().unwrap().action, TriageAction::Assign(None));
    }

    #[test]
    fn alert_keys_round_trip_and_refuse_what_is_not_one() {
        assert_eq!(
            parse_alert_key(&alert_key("acme-corp/web.app", 12)),
            Some(("acme-corp/web.app".into(), 12))
        );
        for bad in ["web#1", "a/b#0", "a/b#x", "a/b c#1", "a/b#-2", "../x#1"] {
            assert_eq!(parse_alert_key(bad), None, "{bad}");
        }
        let f = TriageForm {
            alert: vec!["nope".into()],
            ..form("reopen")
        };
        assert!(f.parse().is_err());
        let all = TriageForm {
            scope: "matching".into(),
            alert: vec![],
            filter: AlertsFilter {
                repo: "acme-corp/web".into(),
                ..Default::default()
            },
            ..form("reopen")
        };
        assert!(
            matches!(all.parse().unwrap().scope, Scope::Matching(q) if q.repo.as_deref() == Some("acme-corp/web"))
        );
        assert_eq!(
            all.query(),
            "?repo=acme-corp%2Fweb&action=reopen&scope=matching"
        );
    }

    #[test]
    fn an_action_leaves_alone_what_it_would_not_change() {
        let mut a = CampaignAlert {
            repository: "o/r".into(),
            number: 1,
            rule_id: String::new(),
            rule_name: String::new(),
            severity: String::new(),
            state: LiveState::Open,
            dismissed_reason: None,
            fixed_at: None,
            dismissed_at: None,
            path: String::new(),
            line: None,
            html_url: String::new(),
            assignees: vec!["mona".into()],
        };
        assert!(TriageAction::Reopen.applies_to(&a).is_err());
        assert!(TriageAction::Assign(Some("mona".into()))
            .applies_to(&a)
            .is_err());
        assert!(TriageAction::Assign(None).applies_to(&a).is_ok());
        a.state = LiveState::Fixed;
        assert!(TriageAction::Reopen.applies_to(&a).is_err());
        a.state = LiveState::Dismissed;
        assert!(TriageAction::Reopen.applies_to(&a).is_ok());
        let dismiss = TriageAction::Dismiss {
            reason: "won't fix".into(),
            comment: String::new(),
        };
        assert!(dismiss.applies_to(&a).is_err());
    }
}
