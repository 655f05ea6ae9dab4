//! Security campaigns: list, read, create, update, delete, with GitHub's validation and limits.

use super::*;
use crate::emulator::json;
use axum::{body::Bytes, extract::Path};
use chrono::DateTime;

const MAX_OPEN_CAMPAIGNS: usize = 10;
const MAX_CAMPAIGN_ALERTS: usize = 1_000;

fn parse_number(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|n| *n > 0)
}

pub(super) async fn list_campaigns(call: Call, Path(org): Path<String>) -> Response {
    let base = call.em.base().to_owned();
    let (q, uri) = (&call.query, &call.uri);
    let list_stats = call.em.config().list_stats;
    call.respond("security_events", |caller, w| {
        let idx = security_org(w, caller, &org, Need::ReadCampaigns)?;
        let p = paging(q)?;
        let invalid = |field: &str| {
            validation_failed(
                vec![json!({"resource": "Campaign", "field": field, "code": "invalid"})],
                CAMPAIGN_DOCS,
            )
        };
        let state = match q.get("state").map(String::as_str) {
            None => None,
            Some("open") => Some(true),
            Some("closed") => Some(false),
            Some(_) => return Err(invalid("state")),
        };
        let sort = q.get("sort").map(String::as_str).unwrap_or("created");
        let key: fn(&Campaign) -> DateTime<Utc> = match sort {
            "created" => |c| c.created_at,
            "updated" => |c| c.updated_at,
            "ends_at" => |c| c.ends_at,
            "published" => |c| c.published_at,
            _ => return Err(invalid("sort")),
        };
        let asc = match q.get("direction").map(String::as_str) {
            None | Some("desc") => false,
            Some("asc") => true,
            Some(_) => return Err(invalid("direction")),
        };
        let o = &w.orgs[idx];
        let mut list: Vec<&Campaign> = o
            .campaigns
            .iter()
            .filter(|c| state.is_none_or(|s| c.open == s))
            .collect();
        list.sort_by(|a, b| {
            let ord = key(a).cmp(&key(b)).then(a.number.cmp(&b.number));
            if asc {
                ord
            } else {
                ord.reverse()
            }
        });
        let (page, link) = page_of(&list, &p, &base, uri);
        let body: Vec<Value> = page
            .iter()
            .map(|c| json::campaign(&base, w, o, c, list_stats))
            .collect();
        Ok(with_link(ok_json(&Value::Array(body)), link))
    })
}

pub(super) async fn get_campaign(
    call: Call,
    Path((org, number)): Path<(String, String)>,
) -> Response {
    let base = call.em.base().to_owned();
    call.respond("security_events", |caller, w| {
        let idx = security_org(w, caller, &org, Need::ReadCampaigns)?;
        let n = parse_number(&number).ok_or_else(not_found)?;
        let o = &w.orgs[idx];
        let c = o
            .campaigns
            .iter()
            .find(|c| c.number == n)
            .ok_or_else(not_found)?;
        Ok(ok_json(&json::campaign(&base, w, o, c, true)))
    })
}

pub(super) async fn delete_campaign(
    call: Call,
    Path((org, number)): Path<(String, String)>,
) -> Response {
    call.respond("security_events", |caller, w| {
        let idx = security_org(w, caller, &org, Need::WriteCampaigns)?;
        let n = parse_number(&number).ok_or_else(not_found)?;
        let o = &mut w.orgs[idx];
        let pos = o
            .campaigns
            .iter()
            .position(|c| c.number == n)
            .ok_or_else(not_found)?;
        o.campaigns.remove(pos);
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

/// The body as a JSON object, or GitHub's 400.
fn parse_body(body: &Bytes) -> Result<serde_json::Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(error(
            StatusCode::BAD_REQUEST,
            "Problems parsing JSON",
            CAMPAIGN_DOCS,
        )),
    }
}

/// The fields shared by create and update, checked as GitHub checks them.
#[derive(Default)]
struct CampaignFields {
    name: Option<String>,
    description: Option<String>,
    managers: Option<Vec<i64>>,
    team_managers: Option<Vec<String>>,
    ends_at: Option<DateTime<Utc>>,
    contact_link: Option<Option<String>>,
    state: Option<bool>,
    alerts: Option<Vec<usize>>,
}

fn check_fields(
    w: &World,
    org: &Org,
    body: &serde_json::Map<String, Value>,
    allowed: &[&str],
    creating: bool,
    errors: &mut Vec<Value>,
) -> CampaignFields {
    for key in body.keys() {
        if !allowed.contains(&key.as_str()) {
            errors.push(json!({"resource": "Campaign", "field": key, "code": "unexpected_field", "message": format!("\"{key}\" is not a permitted key.")}));
        }
    }
    let field = |key: &str| body.get(key);
    CampaignFields {
        name: field("name").and_then(|v| text(v, "name", 50, "Name", errors)),
        description: field("description")
            .and_then(|v| text(v, "description", 255, "Description", errors)),
        ends_at: field("ends_at").and_then(|v| ends_at(v, creating, errors)),
        managers: field("managers").and_then(|v| managers(w, org, v, errors)),
        team_managers: field("team_managers").and_then(|v| team_managers(org, v, errors)),
        contact_link: field("contact_link").and_then(|v| contact_link(v, errors)),
        state: field("state").and_then(|v| open_or_closed(v, errors)),
        alerts: field("code_scanning_alerts").and_then(|v| check_alerts(org, v, errors)),
    }
}

/// A text field: present, not blank, at most `max` characters.
fn text(v: &Value, key: &str, max: usize, label: &str, errors: &mut Vec<Value>) -> Option<String> {
    let problem = match v {
        Value::String(s) if s.trim().is_empty() => {
            ("missing_field", format!("{label} can't be blank"))
        }
        Value::String(s) if s.chars().count() > max => (
            "invalid",
            format!("{label} is too long (maximum is {max} characters)"),
        ),
        Value::String(s) => return Some(s.clone()),
        _ => ("invalid", format!("{label} must be a string")),
    };
    errors.push(field_error(key, problem.0, problem.1));
    None
}

/// GitHub wants a future date when a campaign is created; an update may keep (or set) a past
/// one, so an overdue campaign can be renamed without moving its date.
fn ends_at(v: &Value, creating: bool, errors: &mut Vec<Value>) -> Option<DateTime<Utc>> {
    let message = match v
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
    {
        Some(t) if t.with_timezone(&Utc) > Utc::now() || !creating => {
            return Some(t.with_timezone(&Utc))
        }
        Some(_) => "Ends at must be in the future",
        None => "Ends at must be an ISO 8601 date and time",
    };
    errors.push(field_error("ends_at", "invalid", message));
    None
}

/// One manager, who must be an organization owner or security manager.
fn managers(w: &World, org: &Org, v: &Value, errors: &mut Vec<Value>) -> Option<Vec<i64>> {
    let only_one = "Only a single manager can be supplied";
    resolve_list(v, "managers", 1, only_one, "logins", errors, |login| {
        let member = w
            .user_by_login(login)
            .and_then(|u| Some((u.id, org.role_of(u.id)?)));
        match member {
            None => Err(format!(
                "Manager {login} is not a member of the organization"
            )),
            Some((_, role)) if !role.can_manage_security() => Err(format!(
                "Manager {login} must be an organization owner or security manager"
            )),
            Some((id, _)) => Ok(id),
        }
    })
}

/// At most ten of the organization's teams, by slug.
fn team_managers(org: &Org, v: &Value, errors: &mut Vec<Value>) -> Option<Vec<String>> {
    let at_most = "At most 10 team managers can be supplied";
    resolve_list(v, "team_managers", 10, at_most, "slugs", errors, |slug| {
        org.teams
            .iter()
            .find(|t| t.slug == slug)
            .map(|t| t.slug.clone())
            .ok_or_else(|| format!("Team {slug} does not exist in the organization"))
    })
}

/// A URI (or null, to clear it).
fn contact_link(v: &Value, errors: &mut Vec<Value>) -> Option<Option<String>> {
    match v {
        Value::Null => return Some(None),
        Value::String(s) => match url::Url::parse(s) {
            Ok(u) if !u.cannot_be_a_base() || u.scheme() == "mailto" => {
                return Some(Some(s.clone()))
            }
            _ => {}
        },
        _ => {}
    }
    errors.push(field_error(
        "contact_link",
        "invalid",
        "Contact link must be a valid URI",
    ));
    None
}

/// `open` (true) or `closed` (false).
fn open_or_closed(v: &Value, errors: &mut Vec<Value>) -> Option<bool> {
    match v.as_str() {
        Some("open") => Some(true),
        Some("closed") => Some(false),
        _ => {
            errors.push(field_error(
                "state",
                "invalid",
                "State must be open or closed",
            ));
            None
        }
    }
}

/// An array of strings of at most `max` items, each resolved (a login to a user id, a slug to a
/// team); every problem becomes a field error.
fn resolve_list<T>(
    v: &Value,
    field: &str,
    max: usize,
    too_many: &str,
    what: &str,
    errors: &mut Vec<Value>,
    resolve: impl Fn(&str) -> Result<T, String>,
) -> Option<Vec<T>> {
    let Some(list) = v.as_array() else {
        errors.push(field_error(
            field,
            "invalid",
            format!("{field} must be an array of {what}"),
        ));
        return None;
    };
    if list.len() > max {
        errors.push(field_error(field, "invalid", too_many));
        return None;
    }
    let mut out = Vec::new();
    for item in list {
        match resolve(item.as_str().unwrap_or("?")) {
            Ok(x) => out.push(x),
            Err(message) => errors.push(field_error(field, "invalid", message)),
        }
    }
    Some(out)
}

fn check_alerts(org: &Org, v: &Value, errors: &mut Vec<Value>) -> Option<Vec<usize>> {
    let field = "code_scanning_alerts";
    let Some(groups) = v.as_array().filter(|g| !g.is_empty()) else {
        errors.push(field_error(
            field,
            "invalid",
            "At least one alert must be included",
        ));
        return None;
    };
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for g in groups {
        let repo_id = g.get("repository_id").and_then(Value::as_i64);
        let numbers = g
            .get("alert_numbers")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty());
        let (Some(repo_id), Some(numbers)) = (repo_id, numbers) else {
            errors.push(field_error(
                field,
                "invalid",
                "Each entry needs a repository_id and at least one alert number",
            ));
            return None;
        };
        if !org.repos.iter().any(|r| r.id == repo_id) {
            errors.push(field_error(
                field,
                "invalid",
                format!("Repository {repo_id} does not belong to the organization"),
            ));
            continue;
        }
        for n in numbers {
            match n.as_i64().and_then(|n| org.alert_index(repo_id, n)) {
                Some(i) => found.push(i),
                None => missing.push(format!("{repo_id}#{n}")),
            }
        }
    }
    if !missing.is_empty() {
        let shown: Vec<_> = missing.iter().take(5).cloned().collect();
        errors.push(field_error(
            field,
            "invalid",
            format!(
                "{} alert(s) were not found: {}",
                missing.len(),
                shown.join(", ")
            ),
        ));
    }
    found.sort_unstable();
    found.dedup();
    if found.len() > MAX_CAMPAIGN_ALERTS {
        errors.push(field_error(
            field,
            "invalid",
            format!(
                "A campaign can include at most {MAX_CAMPAIGN_ALERTS} alerts ({} given)",
                found.len()
            ),
        ));
    }
    Some(found)
}

pub(super) async fn create_campaign(call: Call, Path(org): Path<String>, body: Bytes) -> Response {
    let base = call.em.base().to_owned();
    call.respond("security_events", |caller, w| {
        let idx = security_org(w, caller, &org, Need::WriteCampaigns)?;
        let body = parse_body(&body)?;
        let mut errors = Vec::new();
        let allowed = ["name", "description", "managers", "team_managers", "ends_at", "contact_link", "code_scanning_alerts", "generate_issues"];
        let f = check_fields(w, &w.orgs[idx], &body, &allowed, true, &mut errors);
        for (key, label) in [("name", "Name"), ("description", "Description"), ("ends_at", "Ends at")] {
            if !body.contains_key(key) {
                errors.push(field_error(key, "missing_field", format!("{label} can't be blank")));
            }
        }
        if !body.contains_key("code_scanning_alerts") {
            errors.push(field_error("code_scanning_alerts", "missing_field", "At least one alert must be included"));
        }
        if body.get("generate_issues").is_some_and(|v| !v.is_boolean()) {
            errors.push(field_error("generate_issues", "invalid", "Generate issues must be true or false"));
        }
        if w.orgs[idx].open_campaigns() >= MAX_OPEN_CAMPAIGNS {
            errors.push(json!({"resource": "Campaign", "code": "custom", "message": format!("The organization already has {MAX_OPEN_CAMPAIGNS} open campaigns, the maximum. Close one first.")}));
        }
        if !errors.is_empty() {
            return Err(validation_failed(errors, CAMPAIGN_DOCS));
        }
        let now = Utc::now();
        let o = &mut w.orgs[idx];
        let number = o.next_campaign_number;
        o.next_campaign_number += 1;
        o.campaigns.push(Campaign {
            number,
            name: f.name.unwrap_or_default(),
            description: f.description.unwrap_or_default(),
            managers: f.managers.unwrap_or_default(),
            team_managers: f.team_managers.unwrap_or_default(),
            created_at: now,
            updated_at: now,
            published_at: now,
            ends_at: f.ends_at.unwrap_or(now),
            closed_at: None,
            open: true,
            contact_link: f.contact_link.flatten(),
            alerts: f.alerts.unwrap_or_default(),
        });
        let o = &w.orgs[idx];
        let c = o.campaigns.last().ok_or_else(not_found)?;
        // The official description documents 200 for a successful create.
        Ok(ok_json(&json::campaign(&base, w, o, c, true)))
    })
}

pub(super) async fn update_campaign(
    call: Call,
    Path((org, number)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let base = call.em.base().to_owned();
    call.respond("security_events", |caller, w| {
        let idx = security_org(w, caller, &org, Need::WriteCampaigns)?;
        let n = parse_number(&number).ok_or_else(not_found)?;
        let pos = w.orgs[idx].campaigns.iter().position(|c| c.number == n).ok_or_else(not_found)?;
        let body = parse_body(&body)?;
        let mut errors = Vec::new();
        let allowed = ["name", "description", "managers", "team_managers", "ends_at", "contact_link", "state"];
        let f = check_fields(w, &w.orgs[idx], &body, &allowed, false, &mut errors);
        let reopening = f.state == Some(true) && !w.orgs[idx].campaigns[pos].open;
        if reopening && w.orgs[idx].open_campaigns() >= MAX_OPEN_CAMPAIGNS {
            errors.push(field_error("state", "custom", format!("The organization already has {MAX_OPEN_CAMPAIGNS} open campaigns, the maximum. Close one first.")));
        }
        if !errors.is_empty() {
            return Err(validation_failed(errors, CAMPAIGN_DOCS));
        }
        let now = Utc::now();
        let c = &mut w.orgs[idx].campaigns[pos];
        if let Some(v) = f.name { c.name = v; }
        if let Some(v) = f.description { c.description = v; }
        if let Some(v) = f.managers { c.managers = v; }
        if let Some(v) = f.team_managers { c.team_managers = v; }
        if let Some(v) = f.ends_at { c.ends_at = v; }
        if let Some(v) = f.contact_link { c.contact_link = v; }
        if let Some(open) = f.state {
            if open != c.open {
                c.open = open;
                c.closed_at = (!open).then_some(now);
            }
        }
        c.updated_at = now;
        let o = &w.orgs[idx];
        Ok(ok_json(&json::campaign(&base, w, o, &o.campaigns[pos], true)))
    })
}
