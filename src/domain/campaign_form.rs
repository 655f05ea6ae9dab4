//! The campaign form, from end to end: `CampaignForm` is what the create and edit forms post
//! (raw text, as typed), `CampaignDraft` is the same once every field is parsed with GitHub's
//! limits. Adding a field means adding it here, to the form component and to GitHub's request
//! bodies; the server functions, the no-JavaScript echo and the error placement follow.

use super::campaign::CampaignView;
use super::campaign_fields::{
    parse_team_managers, CampaignDescription, CampaignName, ContactLink, DueDate,
};
use super::OrgLogin;
use crate::error::{AppError, FieldError};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// The fields a message can be shown next to (the error's `field`), in the form's order.
pub const FIELDS: [&str; 6] = [
    "name",
    "description",
    "ends_at",
    "managers",
    "team_managers",
    "contact_link",
];

/// The campaign's fields as a form posts them. Every field is text, so a post that fails comes
/// back exactly as it was typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignForm {
    pub name: String,
    pub description: String,
    /// `YYYY-MM-DDTHH:MM`, local to the browser (UTC without JavaScript).
    pub ends_at: String,
    /// JavaScript's `getTimezoneOffset()` at the due date; empty without JavaScript (UTC).
    pub tz_offset: String,
    /// One login; GitHub's API sets one manager.
    pub manager: String,
    pub team_managers: Vec<String>,
    pub contact_link: String,
}

/// The create form: the campaign's fields, the tracking-issue choice and the chosen alerts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewCampaignForm {
    #[serde(flatten)]
    pub fields: CampaignForm,
    /// `on` when ticked.
    pub generate_issues: String,
    /// The JavaScript picker's selection, `repo_id:number` items separated by spaces.
    pub alerts: String,
    /// The server-rendered list's ticked alerts (without JavaScript).
    pub picked: Vec<String>,
    /// The draft this form was opened from (its number), if any: saving updates it, creating
    /// publishes it.
    pub draft: String,
}

impl NewCampaignForm {
    pub fn draft(&self) -> Option<super::draft_id::DraftId> {
        super::draft_id::DraftId::parse(&self.draft).ok()
    }
    pub fn generate_issues(&self) -> bool {
        !self.generate_issues.is_empty()
    }
    /// Every chosen alert, from either list, as posted.
    pub fn chosen_alerts(&self) -> Vec<String> {
        self.alerts
            .split_whitespace()
            .chain(self.picked.iter().map(String::as_str))
            .map(str::to_owned)
            .collect()
    }
}

/// The edit form: the campaign's fields and what the form was opened with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EditCampaignForm {
    #[serde(flatten)]
    pub fields: CampaignForm,
    /// GitHub's `updated_at` when the form was opened: a newer copy is not overwritten unasked.
    pub loaded_updated_at: String,
    /// The due date the form showed (RFC 3339): kept as it is, it may lie in the past.
    pub loaded_ends_at: String,
    /// `on` to save over a newer copy.
    pub overwrite: String,
}

impl EditCampaignForm {
    pub fn loaded_updated_at(&self) -> Option<DateTime<Utc>> {
        self.loaded_updated_at.parse().ok()
    }
    pub fn loaded_ends_at(&self) -> Option<DateTime<Utc>> {
        self.loaded_ends_at.parse().ok()
    }
    pub fn overwrite(&self) -> bool {
        !self.overwrite.is_empty()
    }
}

/// A campaign form whose every field is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignDraft {
    pub name: CampaignName,
    pub description: CampaignDescription,
    pub ends_at: DateTime<Utc>,
    pub manager: Option<OrgLogin>,
    pub team_managers: Vec<String>,
    pub contact_link: ContactLink,
}

/// Whether two instants fall in the same minute: the form's due date has no seconds.
pub fn same_minute(a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
    let minute = |t: DateTime<Utc>| t.duration_trunc(TimeDelta::minutes(1)).unwrap_or(t);
    minute(a) == minute(b)
}

impl CampaignForm {
    /// What the edit form starts with: the campaign as GitHub has it, the due date in UTC.
    pub fn of_campaign(c: &CampaignView) -> Self {
        CampaignForm {
            name: c.name.clone(),
            description: c.description.clone(),
            ends_at: c.ends_at.format("%Y-%m-%dT%H:%M").to_string(),
            tz_offset: String::new(),
            manager: c
                .managers
                .first()
                .map(|m| m.login.clone())
                .unwrap_or_default(),
            team_managers: c.team_managers.iter().map(|t| t.slug.clone()).collect(),
            contact_link: c.contact_link.clone().unwrap_or_default(),
        }
    }

    /// The free-text fields, to bound what is kept of a failed post.
    pub fn texts_mut(&mut self) -> impl Iterator<Item = &mut String> {
        [
            &mut self.name,
            &mut self.description,
            &mut self.ends_at,
            &mut self.tz_offset,
            &mut self.manager,
            &mut self.contact_link,
        ]
        .into_iter()
        .chain(self.team_managers.iter_mut())
    }

    /// Every field parsed, or every problem with its field. The due date must be after `now`,
    /// unless it is `kept_due` to the minute (the date the edit form showed): an overdue
    /// campaign keeps its date until it is moved.
    pub fn parse(
        &self,
        kept_due: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<CampaignDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut keep = |field: &str, message: String| {
            errors.push(FieldError {
                field: Some(field.to_owned()),
                message,
            })
        };
        // An unreadable offset falls outside the accepted range, so the due date names it.
        let offset: i64 = match self.tz_offset.trim() {
            "" => 0,
            t => t.parse().unwrap_or(i64::MAX),
        };
        let name = CampaignName::parse(&self.name).map_err(|m| keep("name", m));
        let description =
            CampaignDescription::parse(&self.description).map_err(|m| keep("description", m));
        let due = DueDate::parse(&self.ends_at, offset, DateTime::<Utc>::MIN_UTC)
            .and_then(|due| {
                let kept = kept_due.is_some_and(|k| same_minute(k, due.get()));
                if kept || due.get() > now {
                    Ok(due.get())
                } else {
                    Err("The due date must be in the future.".to_owned())
                }
            })
            .map_err(|m| keep("ends_at", m));
        let manager = match self.manager.trim() {
            "" => Ok(None),
            login => OrgLogin::parse(login).map(Some).map_err(|_| {
                keep(
                    "managers",
                    "Enter the login of an organisation owner or security manager.".into(),
                )
            }),
        };
        let team_managers =
            parse_team_managers(&self.team_managers).map_err(|m| keep("team_managers", m));
        let contact_link =
            ContactLink::parse(&self.contact_link).map_err(|m| keep("contact_link", m));
        match (name, description, due, manager, team_managers, contact_link) {
            (
                Ok(name),
                Ok(description),
                Ok(ends_at),
                Ok(manager),
                Ok(team_managers),
                Ok(contact_link),
            ) => Ok(CampaignDraft {
                name,
                description,
                ends_at,
                manager,
                team_managers,
                contact_link,
            }),
            _ => Err(errors),
        }
    }
}

/// The error of a form whose fields did not parse.
pub fn fields_need_attention(errors: Vec<FieldError>) -> AppError {
    AppError::Invalid {
        message: "Some fields need attention.".into(),
        errors,
    }
}

/// The messages of `error` that no field shows (`placed` lists those shown next to their
/// field), for the top of the form: the general message when every one is placed.
pub fn unplaced_messages(error: &AppError, placed: &[&str]) -> String {
    match error {
        AppError::Invalid { errors, message } => {
            let unplaced: Vec<&str> = errors
                .iter()
                .filter(|e| !e.field.as_deref().is_some_and(|f| placed.contains(&f)))
                .map(|e| e.message.as_str())
                .collect();
            if unplaced.is_empty() {
                message.clone()
            } else {
                unplaced.join(" ")
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> CampaignForm {
        CampaignForm {
            name: " SQL injection ".into(),
            description: "Fix them.".into(),
            ends_at: "2030-06-01T17:00".into(),
            tz_offset: "-120".into(),
            manager: "mona".into(),
            team_managers: vec!["appsec".into(), "appsec".into()],
            contact_link: String::new(),
        }
    }

    #[test]
    fn a_good_form_parses_into_a_draft() {
        let now = "2030-01-01T00:00:00Z".parse().unwrap();
        let d = form().parse(None, now).unwrap();
        assert_eq!(d.name.as_str(), "SQL injection");
        assert_eq!(d.ends_at.to_rfc3339(), "2030-06-01T15:00:00+00:00");
        assert_eq!(d.manager.unwrap().as_str(), "mona");
        assert_eq!(d.team_managers, vec!["appsec"]);
        assert_eq!(d.contact_link.get(), None);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let now = "2030-01-01T00:00:00Z".parse().unwrap();
        let bad = CampaignForm {
            name: String::new(),
            ends_at: "2029-01-01T00:00".into(),
            manager: "not/a login".into(),
            contact_link: "javascript:alert(1)".into(),
            ..form()
        };
        let errors = bad.parse(None, now).unwrap_err();
        let fields: Vec<_> = errors.iter().filter_map(|e| e.field.as_deref()).collect();
        assert_eq!(fields, vec!["name", "ends_at", "managers", "contact_link"]);
        assert!(fields.iter().all(|f| FIELDS.contains(f)));
    }

    #[test]
    fn a_kept_past_due_date_is_accepted_and_a_moved_one_is_not() {
        let now = "2030-01-01T00:00:00Z".parse().unwrap();
        let shown: DateTime<Utc> = "2029-12-29T10:00:30Z".parse().unwrap();
        let overdue = CampaignForm {
            ends_at: "2029-12-29T10:00".into(),
            tz_offset: String::new(),
            ..form()
        };
        assert!(overdue.parse(Some(shown), now).is_ok());
        assert!(overdue.parse(None, now).is_err());
        let moved = CampaignForm {
            ends_at: "2029-12-30T10:00".into(),
            ..overdue
        };
        assert!(moved.parse(Some(shown), now).is_err());
    }

    #[test]
    fn a_form_post_reads_into_the_form_types() {
        let post = "name=n&description=d&ends_at=2030-01-01T00%3A00&team_managers%5B0%5D=a&team_managers%5B1%5D=b&alerts=1%3A2+3%3A4&picked%5B0%5D=5%3A6&generate_issues=on";
        let f: NewCampaignForm = serde_qs::Config::new(5, false)
            .deserialize_str(post)
            .unwrap();
        assert_eq!(f.fields.team_managers, vec!["a", "b"]);
        assert_eq!(f.fields.manager, "");
        assert!(f.generate_issues());
        assert_eq!(f.chosen_alerts(), vec!["1:2", "3:4", "5:6"]);
    }
}
