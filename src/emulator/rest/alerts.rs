//! The org's code-scanning alerts, filtered and paged by cursor or page number.

use super::*;
use crate::emulator::json;
use axum::extract::Path;

fn cursor(offset: usize) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn parse_cursor(raw: &str) -> Option<usize> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("offset:")?
        .parse()
        .ok()
}

/// The alerts of `o` (of one repository when `repo` is given) that pass the query's `state`,
/// `severity`, `tool_name` and `tool_guid`, in its `sort` and `direction`.
fn selected<'w>(
    w: &'w World,
    o: &'w Org,
    repo: Option<usize>,
    q: &HashMap<String, String>,
) -> Result<Vec<&'w Alert>, Response> {
    let invalid = |field: &str| {
        validation_failed(
            vec![json!({"resource": "CodeScanningAlert", "field": field, "code": "invalid"})],
            DOCS,
        )
    };
    let states: Option<&[AlertState]> = match q.get("state").map(String::as_str) {
        None => None,
        Some("open") => Some(&[AlertState::Open]),
        Some("closed") => Some(&[AlertState::Fixed, AlertState::Dismissed]),
        Some("dismissed") => Some(&[AlertState::Dismissed]),
        Some("fixed") => Some(&[AlertState::Fixed]),
        Some(_) => return Err(invalid("state")),
    };
    let severity = q.get("severity").map(String::as_str);
    if severity.is_some_and(|s| {
        !matches!(
            s,
            "critical" | "high" | "medium" | "low" | "warning" | "note" | "error"
        )
    }) {
        return Err(invalid("severity"));
    }
    // `assignees`: logins (comma-separated), `*` (anyone assigned) or `none`.
    let assignees: Option<Vec<Option<i64>>> = q.get("assignees").map(|list| {
        list.split(',')
            .map(|l| {
                w.users
                    .iter()
                    .find(|u| u.login.eq_ignore_ascii_case(l.trim()))
                    .map(|u| u.id)
            })
            .collect()
    });
    let assigned = |a: &Alert| match q.get("assignees").map(String::as_str) {
        None => true,
        Some("*") => !a.assignees.is_empty(),
        Some("none") => a.assignees.is_empty(),
        Some(_) => assignees
            .as_ref()
            .is_some_and(|ids| ids.iter().flatten().any(|id| a.assignees.contains(id))),
    };
    let tool_name = q.get("tool_name").map(String::as_str);
    let tool_guid = q.get("tool_guid").map(String::as_str);
    let by_updated = match q.get("sort").map(String::as_str) {
        None | Some("created") => false,
        Some("updated") => true,
        Some(_) => return Err(invalid("sort")),
    };
    let asc = match q.get("direction").map(String::as_str) {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(_) => return Err(invalid("direction")),
    };
    let mut list: Vec<&Alert> = o
        .alerts
        .iter()
        .filter(|a| repo.is_none_or(|r| a.repo == r) && !o.repos[a.repo].deleted)
        .filter(|a| states.is_none_or(|s| s.contains(&a.state)) && assigned(a))
        .filter(|a| {
            let rule = &w.rules[a.rule];
            let tool = &w.tools[rule.tool];
            severity.is_none_or(|s| {
                rule.security_severity == Some(s)
                    || (rule.security_severity.is_none() && rule.severity == s)
            }) && tool_name.is_none_or(|t| tool.name == t)
                && tool_guid.is_none_or(|g| tool.guid == Some(g))
        })
        .collect();
    list.sort_by(|a, b| {
        let key = |x: &Alert| {
            if by_updated {
                x.updated_at
            } else {
                x.created_at
            }
        };
        let ord = key(a)
            .cmp(&key(b))
            .then(a.repo.cmp(&b.repo))
            .then(a.number.cmp(&b.number));
        if asc {
            ord
        } else {
            ord.reverse()
        }
    });
    Ok(list)
}

/// `code-scanning/list-alerts-for-repo`: one repository's alerts, paged by page number. Its items
/// are the org list's without `repository`.
pub(super) async fn list_repo_alerts(
    call: Call,
    Path((owner, repo)): Path<(String, String)>,
) -> Response {
    let base = call.em.base().to_owned();
    let (q, uri) = (&call.query, &call.uri);
    call.respond("security_events", |caller, w| {
        let idx = security_org(w, caller, &owner, Need::ReadAlerts)?;
        let o = &w.orgs[idx];
        let r = o
            .repos
            .iter()
            .position(|r| r.name.eq_ignore_ascii_case(&repo) && !r.deleted)
            .ok_or_else(not_found)?;
        let p = paging(q)?;
        let list = selected(w, o, Some(r), q)?;
        let (page, link) = page_of(&list, &p, &base, uri);
        let owner_json = json::org_as_owner(&base, o);
        let repo_json = json::simple_repo(&base, o, &o.repos[r], &owner_json);
        let body: Vec<Value> = page
            .iter()
            .map(|a| {
                let mut v = json::alert(&base, w, o, a, &repo_json);
                if let Some(obj) = v.as_object_mut() {
                    obj.remove("repository");
                }
                v
            })
            .collect();
        Ok(with_link(ok_json(&Value::Array(body)), link))
    })
}

/// `code-scanning/update-alert`: dismiss (with one of GitHub's reasons and an optional comment
/// of at most 280 characters) or reopen an alert, or set its assignees (members of the org; an
/// empty list unassigns). Owners and security managers may; a member without write access to
/// code scanning gets 403, an installation without `security_events: write` too.
pub(super) async fn update_alert(
    call: Call,
    Path((owner, repo, number)): Path<(String, String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let base = call.em.base().to_owned();
    call.respond("security_events", |caller, w| {
        let bad = |message: &str| error(StatusCode::BAD_REQUEST, message, DOCS);
        let idx = match &caller.installation {
            Some(_) => security_org(w, caller, &owner, Need::WriteAlerts)?,
            None => {
                let (idx, role) = visible_org(w, caller, &owner, "members")?;
                if !role.can_manage_security() {
                    return Err(error(
                        StatusCode::FORBIDDEN,
                        "You need write access to this repository's code scanning alerts.",
                        DOCS,
                    ));
                }
                idx
            }
        };
        let o = &w.orgs[idx];
        let r = (o.repos.iter())
            .position(|r| r.name.eq_ignore_ascii_case(&repo) && !r.deleted)
            .ok_or_else(not_found)?;
        let n: i64 = number.parse().map_err(|_| not_found())?;
        let pos = (o.alerts.iter())
            .position(|a| a.repo == r && a.number == n)
            .ok_or_else(not_found)?;
        let body: serde_json::Map<String, Value> = match serde_json::from_slice(&body) {
            Ok(Value::Object(map)) => map,
            _ => return Err(bad("Problems parsing JSON")),
        };
        let text = |key: &str| body.get(key).and_then(Value::as_str);
        let state = match body.get("state") {
            None => None,
            Some(Value::String(s)) if s == "open" || s == "dismissed" => Some(s.as_str()),
            Some(_) => return Err(bad("state must be open or dismissed")),
        };
        let assignees: Option<Vec<i64>> = match body.get("assignees") {
            None => None,
            Some(Value::Array(list)) => {
                let mut ids = Vec::new();
                for login in list {
                    let user = login.as_str().and_then(|l| {
                        w.users.iter().find(|u| u.login.eq_ignore_ascii_case(l))
                    });
                    match user.filter(|u| o.role_of(u.id).is_some()) {
                        Some(u) if !ids.contains(&u.id) => ids.push(u.id),
                        Some(_) => {}
                        None => {
                            return Err(bad(&format!(
                                "Invalid assignee: {login} cannot be assigned to alerts in this repository"
                            )))
                        }
                    }
                }
                Some(ids)
            }
            Some(_) => return Err(bad("assignees must be an array of logins")),
        };
        if state.is_none() && assignees.is_none() {
            return Err(bad("Give a state or assignees"));
        }
        let a = &o.alerts[pos];
        let reason = match state {
            Some("dismissed") => {
                let reason = text("dismissed_reason").and_then(|r| {
                    crate::emulator::world::DISMISSED_REASONS.iter().find(|d| **d == r)
                });
                let Some(reason) = reason else {
                    return Err(bad("dismissed_reason is required when state is dismissed"));
                };
                if a.state == AlertState::Fixed {
                    return Err(bad("A fixed alert cannot be dismissed"));
                }
                Some(*reason)
            }
            Some(_) if a.state == AlertState::Fixed => {
                return Err(bad("A fixed alert cannot be reopened"))
            }
            _ => None,
        };
        let comment = text("dismissed_comment").map(str::to_owned);
        if comment.as_ref().is_some_and(|c| c.chars().count() > 280) {
            return Err(bad("dismissed_comment is too long (maximum is 280 characters)"));
        }
        let now = chrono::Utc::now();
        let user = caller.user_id;
        let a = &mut w.orgs[idx].alerts[pos];
        match state {
            Some("dismissed") => {
                a.state = AlertState::Dismissed;
                a.dismissed_reason = reason;
                a.dismissed_comment = comment;
                a.dismissed_by = Some(user).filter(|id| *id > 0);
            }
            Some(_) => {
                a.state = AlertState::Open;
                a.dismissed_reason = None;
                a.dismissed_comment = None;
                a.dismissed_by = None;
            }
            None => {}
        }
        if let Some(ids) = assignees {
            a.assignees = ids;
        }
        a.updated_at = now;
        let o = &w.orgs[idx];
        let owner_json = json::org_as_owner(&base, o);
        let repo_json = json::simple_repo(&base, o, &o.repos[r], &owner_json);
        let mut v = json::alert(&base, w, o, &o.alerts[pos], &repo_json);
        if let Some(obj) = v.as_object_mut() {
            obj.remove("repository");
        }
        Ok(ok_json(&v))
    })
}

pub(super) async fn list_alerts(call: Call, Path(org): Path<String>) -> Response {
    let base = call.em.base().to_owned();
    let (q, uri) = (&call.query, &call.uri);
    call.respond("security_events", |caller, w| {
        let idx = security_org(w, caller, &org, Need::ReadAlerts)?;
        let p = paging(q)?;
        let invalid = |field: &str| {
            validation_failed(
                vec![json!({"resource": "CodeScanningAlert", "field": field, "code": "invalid"})],
                DOCS,
            )
        };
        let o = &w.orgs[idx];
        let list = selected(w, o, None, q)?;

        let (page, link): (Vec<&Alert>, Option<String>) = match (q.get("before"), q.get("after")) {
            (None, None) => page_of(&list, &p, &base, uri),
            (before, after) => {
                let bad_cursor = || invalid(if before.is_some() { "before" } else { "after" });
                let (start, end) = match (before, after) {
                    (_, Some(a)) => {
                        let s = parse_cursor(a).ok_or_else(bad_cursor)?.min(list.len());
                        (s, (s + p.per_page).min(list.len()))
                    }
                    (Some(b), None) => {
                        let e = parse_cursor(b).ok_or_else(bad_cursor)?.min(list.len());
                        (e.saturating_sub(p.per_page), e)
                    }
                    (None, None) => (0, 0),
                };
                let mut links = Vec::new();
                if end < list.len() {
                    links.push(format!(
                        "<{}>; rel=\"next\"",
                        page_url(&base, uri, &[("after", cursor(end))], &["before", "page"])
                    ));
                }
                if start > 0 {
                    links.push(format!(
                        "<{}>; rel=\"prev\"",
                        page_url(&base, uri, &[("before", cursor(start))], &["after", "page"])
                    ));
                }
                (
                    list[start..end].to_vec(),
                    (!links.is_empty()).then(|| links.join(", ")),
                )
            }
        };
        let owner = json::org_as_owner(&base, o);
        let mut repo_cache: HashMap<usize, Value> = HashMap::new();
        let body: Vec<Value> = page
            .iter()
            .map(|a| {
                let repo = repo_cache
                    .entry(a.repo)
                    .or_insert_with(|| json::simple_repo(&base, o, &o.repos[a.repo], &owner));
                json::alert(&base, w, o, a, repo)
            })
            .collect();
        Ok(with_link(ok_json(&Value::Array(body)), link))
    })
}
