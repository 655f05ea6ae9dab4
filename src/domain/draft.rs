//! Drafts: a create form kept in the app's store (GitHub's API has no drafts), with every field as
//! typed and the whole alert selection, for colleagues to open by its link, comment on, edit and
//! publish.

use super::alert_selection::{AlertKey, MAX_ALERTS};
use super::campaign_fields::{CampaignName, DESCRIPTION_MAX, TEAM_MANAGERS_MAX};
use super::campaign_form::{fields_need_attention, NewCampaignForm};
use crate::error::{AppError, FieldError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A comment's most characters.
pub const COMMENT_MAX: usize = 1_000;
/// A draft's other text fields (due date, manager, contact link, each team) keep at most this many
/// characters, as the description does (the form's own limit): a longer one is refused, not cut,
/// so nothing typed is lost silently.
const FIELD_MAX: usize = DESCRIPTION_MAX;

pub use super::draft_id::DraftId;

/// Pages of the org's closed alerts (100 a page, most recently changed first) a draft page reads
/// at most to name the chosen alerts closed since the draft was saved.
pub const CLOSED_SINCE_PAGES: u32 = 10;

/// A draft as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftSummary {
    pub id: DraftId,
    pub name: String,
    pub alerts: usize,
    pub created_by: String,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftComment {
    pub author: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

/// A whole draft: the form as saved, who saved it, and its comments (oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub id: DraftId,
    pub form: NewCampaignForm,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
    /// One more with every save: the publish form posts it back, so a draft changed after it
    /// was read is not published unseen.
    pub revision: i64,
    /// A page of the thread, oldest first (the newest page unless the address asks for older).
    pub comments: Vec<DraftComment>,
    /// Where the older comments start, when there are any: the `before` of their page.
    pub older_comments: Option<i64>,
}

/// A draft's alert that is no longer open on GitHub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedAlert {
    pub repository: String,
    pub number: i64,
    /// `fixed` or `dismissed`.
    pub state: String,
    pub html_url: String,
}

/// The draft page: the draft, and what changed on GitHub since it was saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftPage {
    pub draft: Draft,
    /// Alerts of the selection closed since (`None`: GitHub could not be asked).
    pub closed: Option<Vec<ClosedAlert>>,
    /// More alerts of the org were closed since the draft was saved than a page reads
    /// ([`CLOSED_SINCE_PAGES`]): `closed` names those among the most recent.
    pub closed_budget_spent: bool,
    /// When `closed` was read from the app's alert index, the time it last matched GitHub.
    #[serde(default)]
    pub closed_synced_at: Option<DateTime<Utc>>,
}

/// A create form made fit to keep as a draft: it needs a valid name; its selection is kept as
/// well-formed alert keys (none is fine, at most the campaign limit); other text is kept as
/// typed, cut to `FIELD_MAX`. Each problem is named with its field.
pub fn keepable(mut form: NewCampaignForm) -> Result<NewCampaignForm, AppError> {
    let mut errors = Vec::new();
    if let Err(message) = CampaignName::parse(&form.fields.name) {
        errors.push(FieldError {
            field: Some("name".into()),
            message: format!("{message} A draft needs a name to be found again."),
        });
    }
    let chosen = form.chosen_alerts();
    let mut keys: Vec<AlertKey> = Vec::new();
    for item in &chosen {
        match AlertKey::decode(item) {
            Some(k) => keys.push(k),
            None => {
                errors.push(FieldError {
                    field: Some("alerts".into()),
                    message: "The selection holds something that is not an alert reference.".into(),
                });
                break;
            }
        }
    }
    keys.sort_unstable();
    keys.dedup();
    if keys.len() > MAX_ALERTS {
        errors.push(FieldError {
            field: Some("alerts".into()),
            message: format!(
                "A campaign can hold at most {MAX_ALERTS} alerts; {} are selected.",
                keys.len()
            ),
        });
    }
    let f = &form.fields;
    let texts = [
        ("description", &f.description),
        ("ends_at", &f.ends_at),
        ("tz_offset", &f.tz_offset),
        ("manager", &f.manager),
        ("contact_link", &f.contact_link),
    ];
    let teams = f.team_managers.iter().map(|t| ("team_managers", t));
    for (field, text) in texts.into_iter().chain(teams) {
        if text.chars().count() > FIELD_MAX {
            errors.push(FieldError {
                field: Some(field.into()),
                message: format!("This field has at most {FIELD_MAX} characters."),
            });
        }
    }
    if f.team_managers.len() > TEAM_MANAGERS_MAX {
        errors.push(FieldError {
            field: Some("team_managers".into()),
            message: format!("A campaign has at most {TEAM_MANAGERS_MAX} team managers."),
        });
    }
    if !errors.is_empty() {
        return Err(fields_need_attention(errors));
    }
    form.alerts = keys
        .iter()
        .map(|k| k.encode())
        .collect::<Vec<_>>()
        .join(" ");
    form.picked = Vec::new();
    Ok(form)
}

/// A comment as posted: trimmed, not empty, at most `COMMENT_MAX` characters.
pub fn comment_body(input: &str) -> Result<String, AppError> {
    let body = input.trim();
    let message = if body.is_empty() {
        "Write a comment first."
    } else if body.chars().count() > COMMENT_MAX {
        "A comment has at most 1,000 characters."
    } else {
        return Ok(body.to_owned());
    };
    Err(AppError::invalid("body", message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, alerts: &str) -> NewCampaignForm {
        let mut f = NewCampaignForm {
            alerts: alerts.into(),
            ..Default::default()
        };
        f.fields.name = name.into();
        f
    }

    #[test]
    fn a_draft_needs_a_name_and_a_well_formed_selection_but_no_alert_at_all() {
        let kept = keepable(form("SQLi", "7:2 7:1 7:2")).unwrap();
        assert_eq!(kept.alerts, "7:1 7:2");
        assert!(keepable(form("SQLi", "")).is_ok());
        let err = keepable(form("  ", "x:y")).unwrap_err();
        assert!(err.field_message("name").unwrap().contains("needs a name"));
        assert!(err.field_message("alerts").is_some());
        let many: Vec<String> = (1..=1_001).map(|n| format!("1:{n}")).collect();
        let err = keepable(form("Big", &many.join(" "))).unwrap_err();
        assert!(err.field_message("alerts").unwrap().contains("1001"));
    }

    #[test]
    fn what_was_typed_is_kept_within_the_forms_own_limits() {
        let mut f = form("SQLi", "1:1");
        f.fields.description = "x".repeat(DESCRIPTION_MAX);
        f.picked = vec!["2:2".into()];
        let kept = keepable(f.clone()).unwrap();
        assert_eq!(kept.fields.description, f.fields.description, "kept whole");
        assert_eq!(kept.alerts, "1:1 2:2");
        assert!(kept.picked.is_empty());

        f.fields.description.push('x');
        f.fields.contact_link = "y".repeat(5_000);
        f.fields.team_managers = (0..=TEAM_MANAGERS_MAX).map(|n| format!("t{n}")).collect();
        let err = keepable(f).unwrap_err();
        for field in ["description", "contact_link", "team_managers"] {
            assert!(err.field_message(field).is_some(), "{field}: {err:?}");
        }
    }

    #[test]
    fn comments_are_trimmed_and_bounded() {
        assert_eq!(comment_body("  ok  ").unwrap(), "ok");
        assert!(comment_body("   ")
            .unwrap_err()
            .field_message("body")
            .is_some());
        assert!(comment_body(&"y".repeat(1_001)).is_err());
        assert!(DraftId::parse("0").is_err() && DraftId::parse("12").is_ok());
    }
}
