//! Campaign server functions: list, read, edit, close/reopen, delete. Each validates its own input
//! with the shared domain types before any call to GitHub.

// A form's server function takes one argument per field, as `ActionForm` posts them.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use crate::components::campaign_fields::FieldValues;
#[cfg(feature = "ssr")]
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub login: String,
    pub avatar_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRef {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Progress {
    pub open: i64,
    pub in_progress: i64,
    pub closed: i64,
}

impl Progress {
    pub fn total(&self) -> i64 {
        self.open + self.in_progress + self.closed
    }
    /// Whole percent of alerts closed.
    pub fn closed_percent(&self) -> i64 {
        if self.total() == 0 {
            0
        } else {
            self.closed * 100 / self.total()
        }
    }
}

/// A campaign as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignView {
    pub number: i64,
    pub name: String,
    pub description: String,
    pub open: bool,
    pub managers: Vec<Person>,
    pub team_managers: Vec<TeamRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub ends_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub contact_link: Option<String>,
    pub progress: Option<Progress>,
    /// `{web}/orgs/{org}/security/campaigns/{number}`
    pub github_url: String,
    /// This app's own link to the campaign, to share.
    pub share_url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PageNumbers {
    pub first: Option<u32>,
    pub prev: Option<u32>,
    pub next: Option<u32>,
    pub last: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignPage {
    pub campaigns: Vec<CampaignView>,
    pub pages: PageNumbers,
}

/// The list's view, as it appears in the URL query. Unknown values fall back to the defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListView {
    /// `open`, `closed` or `all`.
    pub state: String,
    /// `created`, `updated`, `ends_at`, `published`.
    pub sort: String,
    /// `asc` or `desc`.
    pub direction: String,
    pub page: u32,
    /// 10, 30, 50 or 100.
    pub per_page: u32,
}

pub const PAGE_SIZES: [u32; 4] = [10, 30, 50, 100];

impl ListView {
    pub fn parse(state: &str, sort: &str, direction: &str, page: &str, per_page: &str) -> Self {
        let pick = |v: &str, allowed: &[&str], default: &str| {
            if allowed.contains(&v) {
                v.to_owned()
            } else {
                default.to_owned()
            }
        };
        let per_page = per_page
            .parse()
            .ok()
            .filter(|n| PAGE_SIZES.contains(n))
            .unwrap_or(30);
        Self {
            state: pick(state, &["open", "closed", "all"], "open"),
            sort: pick(
                sort,
                &["created", "updated", "ends_at", "published"],
                "created",
            ),
            direction: pick(direction, &["asc", "desc"], "desc"),
            page: page
                .parse()
                .ok()
                .filter(|n| *n >= 1 && *n <= 10_000)
                .unwrap_or(1),
            per_page,
        }
    }

    /// The query string for this view with `page` replaced.
    pub fn query_for_page(&self, page: u32) -> String {
        format!(
            "state={}&sort={}&direction={}&per_page={}&page={page}",
            self.state, self.sort, self.direction, self.per_page
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditOptions {
    pub members: Vec<Person>,
    pub teams: Vec<TeamRef>,
}

#[cfg(feature = "ssr")]
fn org_or_404(org: &str) -> Result<OrgLogin, AppError> {
    OrgLogin::parse(org).map_err(|_| AppError::NotFound)
}

#[cfg(feature = "ssr")]
fn number_or_404(number: &str) -> Result<CampaignNumber, AppError> {
    CampaignNumber::parse(number).map_err(|_| AppError::NotFound)
}

/// Sends `body` to GitHub, then the browser to `to` (a plain form post follows it), answering
/// with the campaign as GitHub now has it.
#[cfg(feature = "ssr")]
async fn patch_then_go(
    state: &crate::state::AppState,
    token: &secrecy::SecretString,
    org: &OrgLogin,
    number: CampaignNumber,
    body: &crate::github::models::UpdateCampaign,
    to: &str,
) -> Result<CampaignView, AppError> {
    let c = state
        .github
        .update_campaign(token, org, number, body)
        .await?;
    leptos_axum::redirect(to);
    Ok(view_of(&state.settings, org, c))
}

#[cfg(feature = "ssr")]
fn view_of(
    settings: &crate::settings::Settings,
    org: &OrgLogin,
    c: crate::github::models::CampaignSummary,
) -> CampaignView {
    use crate::github::models::CampaignState;
    let web = settings.github.web_url.as_str().trim_end_matches('/');
    CampaignView {
        number: c.number,
        name: c.name.unwrap_or_else(|| format!("Campaign #{}", c.number)),
        description: c.description,
        open: c.state != CampaignState::Closed,
        managers: c
            .managers
            .into_iter()
            .map(|u| Person {
                login: u.login,
                avatar_url: crate::domain::campaign_fields::web_url_or_empty(u.avatar_url),
            })
            .collect(),
        team_managers: c
            .team_managers
            .into_iter()
            .map(|t| TeamRef {
                slug: t.slug,
                name: t.name,
            })
            .collect(),
        created_at: c.created_at,
        updated_at: c.updated_at,
        published_at: c.published_at,
        ends_at: c.ends_at,
        closed_at: c.closed_at,
        contact_link: c.contact_link,
        progress: c.alert_stats.map(|s| Progress {
            open: s.open_count,
            in_progress: s.in_progress_count,
            closed: s.closed_count,
        }),
        github_url: format!("{web}/orgs/{org}/security/campaigns/{}", c.number),
        share_url: format!(
            "{}/orgs/{org}/campaigns/{}",
            settings.public_url.as_str().trim_end_matches('/'),
            c.number
        ),
    }
}

#[server(endpoint = "campaigns/list")]
pub async fn list_campaigns(org: String, view: ListView) -> Result<CampaignPage, AppError> {
    super::context::finish(
        async move {
            use crate::github::models::{CampaignListQuery, CampaignState};
            let org = org_or_404(&org)?;
            let view = ListView::parse(
                &view.state,
                &view.sort,
                &view.direction,
                &view.page.to_string(),
                &view.per_page.to_string(),
            );
            super::context::with_github(|state, token| async move {
                let query = CampaignListQuery {
                    state: match view.state.as_str() {
                        "open" => Some(CampaignState::Open),
                        "closed" => Some(CampaignState::Closed),
                        _ => None,
                    },
                    sort: Some(view.sort.clone()),
                    direction: Some(view.direction.clone()),
                    page: Some(view.page),
                    per_page: Some(view.per_page),
                };
                let page = state.github.list_campaigns(&token, &org, &query).await?;
                let items = with_stats(&state.github, &token, &org, page.items).await;
                Ok(CampaignPage {
                    campaigns: items
                        .into_iter()
                        .map(|c| view_of(&state.settings, &org, c))
                        .collect(),
                    pages: PageNumbers {
                        first: page.links.first,
                        prev: page.links.prev,
                        next: page.links.next,
                        last: page.links.last,
                    },
                })
            })
            .await
        }
        .await,
    )
}

/// List items with their alert counts. GitHub's list may leave `alert_stats` out (its example
/// does); those items are read one by one, eight at a time, and one that cannot be read keeps
/// no counts rather than failing the list.
#[cfg(feature = "ssr")]
async fn with_stats(
    github: &crate::github::GitHubClient,
    token: &secrecy::SecretString,
    org: &OrgLogin,
    items: Vec<crate::github::models::CampaignSummary>,
) -> Vec<crate::github::models::CampaignSummary> {
    use futures_util::StreamExt;
    futures_util::stream::iter(items)
        .map(|c| async move {
            if c.alert_stats.is_some() {
                return c;
            }
            let Ok(number) = CampaignNumber::try_from(c.number) else {
                return c;
            };
            match github.get_campaign(token, org, number).await {
                Ok(full) if full.alert_stats.is_some() => full,
                _ => c,
            }
        })
        .buffered(8)
        .collect()
        .await
}

#[server(endpoint = "campaigns/get")]
pub async fn get_campaign(org: String, number: String) -> Result<CampaignView, AppError> {
    super::context::finish(
        async move {
            let org = org_or_404(&org)?;
            let number = number_or_404(&number)?;
            super::context::with_github(|state, token| async move {
                let c = state.github.get_campaign(&token, &org, number).await?;
                Ok(view_of(&state.settings, &org, c))
            })
            .await
        }
        .await,
    )
}

/// Members (for the manager) and teams (for team managers) of an org.
#[server(endpoint = "campaigns/edit_options")]
pub async fn load_edit_choices(org: String) -> Result<EditOptions, AppError> {
    super::context::finish(
        async move {
            let org = org_or_404(&org)?;
            super::context::with_github(|state, token| async move {
                let (members, teams) = tokio::join!(
                    state.github.list_org_members(&token, &org, 5_000),
                    state.github.list_teams(&token, &org, 1_000)
                );
                let mut members: Vec<Person> = members?
                    .into_iter()
                    .map(|u| Person {
                        login: u.login,
                        avatar_url: crate::domain::campaign_fields::web_url_or_empty(u.avatar_url),
                    })
                    .collect();
                members.sort_by_key(|p| p.login.to_ascii_lowercase());
                let teams = teams?
                    .into_iter()
                    .map(|t| TeamRef {
                        slug: t.slug,
                        name: t.name,
                    })
                    .collect();
                Ok(EditOptions { members, teams })
            })
            .await
        }
        .await,
    )
}

/// Saves the edit form. `loaded_updated_at` is the campaign's `updated_at` when the form was
/// opened: if GitHub's copy changed since, nothing is saved unless `overwrite` is set.
#[server(endpoint = "campaigns/update")]
pub async fn update_campaign(
    org: String,
    number: String,
    name: String,
    description: String,
    ends_at: String,
    tz_offset: Option<String>,
    manager: Option<String>,
    team_managers: Option<Vec<String>>,
    contact_link: String,
    loaded_updated_at: String,
    loaded_ends_at: Option<String>,
    overwrite: Option<String>,
) -> Result<CampaignView, AppError> {
    use crate::github::models::UpdateCampaign;
    // What was sent, for the form to come back with when this fails without JavaScript.
    let sent = FieldValues::sent(
        name,
        description,
        ends_at,
        manager,
        team_managers,
        contact_link,
    );
    let echo = super::flash::FailedForm::new(format!("edit:{org}/{number}"), sent.clone());
    let result = async move {
        let org = org_or_404(&org)?;
        let number = number_or_404(&number)?;
        let mut errors = Vec::new();
        let shown_due = loaded_ends_at.and_then(|t| t.parse().ok());
        let fields = check_fields(&sent, tz_offset.as_deref(), shown_due, &mut errors);
        let Some(f) = fields else {
            return Err(AppError::Invalid {
                message: "Some fields need attention.".into(),
                errors,
            });
        };
        let loaded: Option<DateTime<Utc>> = loaded_updated_at.parse().ok();
        let overwrite = overwrite.is_some();
        super::context::with_github(|state, token| async move {
            let current = state.github.get_campaign(&token, &org, number).await?;
            if !overwrite && loaded != Some(current.updated_at) {
                return Err(AppError::invalid(
                    "conflict",
                    format!(
                        "Someone changed this campaign on GitHub at {} UTC, after you opened this form. Check the current version, then tick “Overwrite” to save yours anyway.",
                        current.updated_at.format("%Y-%m-%d %H:%M")
                    ),
                ));
            }
            let body = changes(&current, f, Utc::now())?;
            let to = format!("/orgs/{org}/campaigns/{number}?saved=1");
            if body == UpdateCampaign::default() {
                // Nothing changed: nothing to send.
                leptos_axum::redirect(&to);
                return Ok(view_of(&state.settings, &org, current));
            }
            patch_then_go(&state, &token, &org, number, &body, &to).await
        })
        .await
    }
    .await;
    finish_form(result, echo).await
}

/// Whether two instants fall in the same minute: the form's due date has no seconds.
#[cfg(feature = "ssr")]
fn same_minute(a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
    use chrono::{DurationRound, TimeDelta};
    let minute = |t: DateTime<Utc>| t.duration_trunc(TimeDelta::minutes(1)).unwrap_or(t);
    minute(a) == minute(b)
}

/// The fields of the edit form that differ from GitHub's `current` copy, and nothing else: what
/// the form showed unchanged is not sent back. The form shows the first manager (GitHub's API
/// sets one), so others stay unless the field is changed. A changed due date must be ahead of
/// `now`; an unchanged past one is kept.
#[cfg(feature = "ssr")]
fn changes(
    current: &crate::github::models::CampaignSummary,
    f: CheckedFields,
    now: DateTime<Utc>,
) -> Result<crate::github::models::UpdateCampaign, AppError> {
    let ends_at = (!same_minute(f.ends_at, current.ends_at)).then_some(f.ends_at);
    if ends_at.is_some_and(|t| t <= now) {
        return Err(AppError::invalid(
            "ends_at",
            "The due date must be in the future.",
        ));
    }
    let shown_manager = current.managers.first().map(|m| m.login.as_str());
    let managers =
        (f.manager.as_deref() != shown_manager).then(|| f.manager.clone().into_iter().collect());
    let mut teams_now: Vec<&str> = current
        .team_managers
        .iter()
        .map(|t| t.slug.as_str())
        .collect();
    let mut teams_sent: Vec<&str> = f.teams.iter().map(String::as_str).collect();
    teams_now.sort_unstable();
    teams_sent.sort_unstable();
    let team_managers = (teams_now != teams_sent).then(|| f.teams.clone());
    Ok(crate::github::models::UpdateCampaign {
        name: (current.name.as_deref() != Some(f.name.as_str())).then_some(f.name),
        description: (current.description != f.description).then_some(f.description),
        managers,
        team_managers,
        ends_at,
        contact_link: (current.contact_link != f.contact_link).then_some(f.contact_link),
        state: None,
    })
}

/// Ends a form's server function: a failed no-JavaScript post is kept for the form's next view
/// (see `flash`), and the error gets its HTTP status.
#[cfg(feature = "ssr")]
async fn finish_form<T>(
    result: Result<T, AppError>,
    echo: super::flash::FailedForm,
) -> Result<T, AppError> {
    if let Err(error) = &result {
        super::flash::remember(super::flash::FailedForm {
            error: error.clone(),
            ..echo
        })
        .await;
    }
    super::context::finish(result)
}

/// Creates a campaign from the form and the picker's selection (`alerts`: `repo:number` items).
/// Never retried: a second POST could create a second campaign.
#[server(endpoint = "campaigns/create")]
pub async fn create_campaign(
    org: String,
    name: String,
    description: String,
    ends_at: String,
    tz_offset: Option<String>,
    manager: Option<String>,
    team_managers: Option<Vec<String>>,
    contact_link: String,
    generate_issues: Option<String>,
    alerts: String,
    picked: Option<Vec<String>>,
) -> Result<CampaignView, AppError> {
    use crate::domain::alert_selection::AlertSelection;
    use crate::github::models::{CreateCampaign, RepositoryAlerts};
    let picked = picked.unwrap_or_default();
    // What was sent, for the form to come back with when this fails without JavaScript.
    let sent = FieldValues::sent(
        name,
        description,
        ends_at,
        manager,
        team_managers,
        contact_link,
    );
    let echo = super::flash::FailedForm {
        generate_issues: generate_issues.is_some(),
        alerts: alerts
            .split_whitespace()
            .chain(picked.iter().map(String::as_str))
            .map(str::to_owned)
            .collect(),
        ..super::flash::FailedForm::new(format!("create:{org}"), sent.clone())
    };
    let result = async move {
        let org = org_or_404(&org)?;
        let mut errors = Vec::new();
        let fields = check_fields(&sent, tz_offset.as_deref(), None, &mut errors);
        // `alerts` comes from the JavaScript picker, `picked` from the server-rendered list.
        let all = format!("{alerts} {}", picked.join(" "));
        let selection = AlertSelection::parse(&all);
        if let Err(message) = &selection {
            errors.push(crate::error::FieldError {
                field: Some("alerts".into()),
                message: message.clone(),
            });
        }
        let (Some(f), Ok(selection)) = (fields, selection) else {
            return Err(AppError::Invalid {
                message: "Some fields need attention.".into(),
                errors,
            });
        };
        let body = CreateCampaign {
            name: f.name,
            description: f.description,
            managers: f.manager.into_iter().collect(),
            team_managers: f.teams,
            ends_at: f.ends_at,
            contact_link: f.contact_link,
            code_scanning_alerts: selection
                .by_repository()
                .into_iter()
                .map(|(repository_id, alert_numbers)| RepositoryAlerts {
                    repository_id,
                    alert_numbers,
                })
                .collect(),
            generate_issues: generate_issues.is_some(),
        };
        super::context::with_github(|state, token| async move {
            let c = state
                .github
                .create_campaign(&token, &org, &body)
                .await
                .map_err(alerts_field)?;
            leptos_axum::redirect(&format!("/orgs/{org}/campaigns/{}?created=1", c.number));
            Ok(view_of(&state.settings, &org, c))
        })
        .await
    }
    .await;
    finish_form(result, echo).await
}

/// GitHub names the selection `code_scanning_alerts`; the form calls it `alerts`.
#[cfg(feature = "ssr")]
fn alerts_field(err: AppError) -> AppError {
    match err {
        AppError::Invalid { message, errors } => AppError::Invalid {
            message,
            errors: errors
                .into_iter()
                .map(|mut e| {
                    if e.field.as_deref() == Some("code_scanning_alerts") {
                        e.field = Some("alerts".into());
                    }
                    e
                })
                .collect(),
        },
        other => other,
    }
}

/// The form's fields, checked with the shared domain types.
#[cfg(feature = "ssr")]
struct CheckedFields {
    name: String,
    description: String,
    ends_at: DateTime<Utc>,
    manager: Option<String>,
    teams: Vec<String>,
    contact_link: Option<String>,
}

#[cfg(feature = "ssr")]
/// Every field of a create or edit post, each error collected with its field. The due date must
/// be in the future, unless it is `kept_due` (the date the edit form showed, to the minute): an
/// overdue campaign keeps its date until it is moved.
fn check_fields(
    sent: &FieldValues,
    tz_offset: Option<&str>,
    kept_due: Option<DateTime<Utc>>,
    errors: &mut Vec<crate::error::FieldError>,
) -> Option<CheckedFields> {
    use crate::domain::campaign_fields::*;
    let FieldValues {
        name,
        description,
        ends_at,
        manager,
        teams,
        contact_link,
    } = sent;
    // None without JavaScript: UTC. An unreadable one falls outside the accepted range, so the
    // due date names the problem.
    let offset: i64 = match tz_offset.map(str::trim) {
        None | Some("") => 0,
        Some(t) => t.parse().unwrap_or(i64::MAX),
    };
    fn keep<T>(
        field: &str,
        r: Result<T, String>,
        errors: &mut Vec<crate::error::FieldError>,
    ) -> Option<T> {
        r.map_err(|message| {
            errors.push(crate::error::FieldError {
                field: Some(field.to_owned()),
                message,
            })
        })
        .ok()
    }
    let name = keep("name", CampaignName::parse(name), errors);
    let description = keep(
        "description",
        CampaignDescription::parse(description),
        errors,
    );
    let due = keep(
        "ends_at",
        DueDate::parse(ends_at, offset, DateTime::<Utc>::MIN_UTC).and_then(|due| {
            let kept = kept_due.is_some_and(|k| same_minute(k, due.get()));
            if kept || due.get() > Utc::now() {
                Ok(due)
            } else {
                Err("The due date must be in the future.".to_owned())
            }
        }),
        errors,
    );
    let link = keep("contact_link", ContactLink::parse(contact_link), errors);
    let teams = keep("team_managers", parse_team_managers(teams), errors);
    let manager = Some(manager.trim().to_owned()).filter(|m| !m.is_empty());
    let manager_ok = match &manager {
        Some(m) => keep(
            "managers",
            OrgLogin::parse(m).map_err(|_| "Choose a member of the organisation.".to_owned()),
            errors,
        )
        .is_some(),
        None => true,
    };
    match (name, description, due, link, teams, manager_ok) {
        (Some(n), Some(d), Some(e), Some(l), Some(t), true) => Some(CheckedFields {
            name: n.as_str().to_owned(),
            description: d.as_str().to_owned(),
            ends_at: e.get(),
            manager,
            teams: t,
            contact_link: l.get().map(str::to_owned),
        }),
        _ => None,
    }
}

/// Closes (`state=closed`) or reopens (`state=open`) a campaign.
#[server(endpoint = "campaigns/set_state")]
pub async fn set_campaign_state(
    org: String,
    number: String,
    state: String,
) -> Result<CampaignView, AppError> {
    let echo = super::flash::FailedForm::new(format!("state:{org}/{number}"), Default::default());
    finish_form(
        async move {
            use crate::github::models::{CampaignState, UpdateCampaign};
            let org = org_or_404(&org)?;
            let number = number_or_404(&number)?;
            let target = match state.as_str() {
                "open" => CampaignState::Open,
                "closed" => CampaignState::Closed,
                _ => return Err(AppError::invalid("state", "Choose open or closed.")),
            };
            super::context::with_github(|app, token| async move {
                let body = UpdateCampaign {
                    state: Some(target),
                    ..Default::default()
                };
                let to = format!("/orgs/{org}/campaigns/{number}");
                patch_then_go(&app, &token, &org, number, &body, &to).await
            })
            .await
        }
        .await,
        echo,
    )
    .await
}

/// Deletes a campaign; the list then shows a notice naming it.
#[server(endpoint = "campaigns/delete")]
pub async fn delete_campaign(org: String, number: String) -> Result<(), AppError> {
    let echo = super::flash::FailedForm::new(format!("delete:{org}/{number}"), Default::default());
    finish_form(
        async move {
            let org = org_or_404(&org)?;
            let number = number_or_404(&number)?;
            super::context::with_github(|state, token| async move {
                state.github.delete_campaign(&token, &org, number).await?;
                // The notice names the number only: a name in the address would let any link
                // show any text on our page.
                leptos_axum::redirect(&format!("/orgs/{org}/campaigns?deleted={number}"));
                Ok(())
            })
            .await
        }
        .await,
        echo,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_view_falls_back_to_defaults_for_unknown_values() {
        let v = ListView::parse("bogus", "name", "sideways", "-3", "7");
        assert_eq!(
            v,
            ListView {
                state: "open".into(),
                sort: "created".into(),
                direction: "desc".into(),
                page: 1,
                per_page: 30
            }
        );
        let v = ListView::parse("all", "ends_at", "asc", "3", "100");
        assert_eq!(
            v.query_for_page(4),
            "state=all&sort=ends_at&direction=asc&per_page=100&page=4"
        );
    }

    #[test]
    fn progress_percentages_round_down_and_handle_empty() {
        assert_eq!(Progress::default().closed_percent(), 0);
        assert_eq!(
            Progress {
                open: 2,
                in_progress: 0,
                closed: 1
            }
            .closed_percent(),
            33
        );
    }
}
