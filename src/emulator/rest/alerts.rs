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
        .filter(|a| states.is_none_or(|s| s.contains(&a.state)))
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
