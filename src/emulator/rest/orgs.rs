//! `/user`, `/user/orgs`, and an org's members and teams.

use super::*;
use crate::emulator::json;
use axum::extract::Path;

pub(super) async fn get_user(call: Call) -> Response {
    let base = call.em.base().to_owned();
    call.respond("", |caller, w| {
        if caller.installation.is_some() {
            return Err(error(
                StatusCode::FORBIDDEN,
                "Resource not accessible by integration",
                DOCS,
            ));
        }
        let user = w.user(caller.user_id).ok_or_else(not_found)?;
        Ok(ok_json(&json::private_user(&base, user)))
    })
}

pub(super) async fn list_user_orgs(call: Call) -> Response {
    let base = call.em.base().to_owned();
    let (q, uri) = (&call.query, &call.uri);
    call.respond("admin:org, read:org, user, write:org", |caller, w| {
        let p = paging(q)?;
        // Without read:org (or user) GitHub lists only what the token may operate on: here, nothing.
        let visible = has_scope(caller, "read:org") || has_scope(caller, "user");
        let orgs: Vec<Value> = w
            .orgs
            .iter()
            .filter(|o| visible && o.role_of(caller.user_id).is_some())
            .map(|o| json::org_simple(&base, o))
            .collect();
        let (page, link) = page_of(&orgs, &p, &base, uri);
        Ok(with_link(ok_json(&Value::Array(page)), link))
    })
}

pub(super) async fn list_members(call: Call, Path(org): Path<String>) -> Response {
    let base = call.em.base().to_owned();
    let (q, uri) = (&call.query, &call.uri);
    call.respond("", |caller, w| {
        let (idx, _) = visible_org(w, caller, &org, "members")?;
        let p = paging(q)?;
        let role_filter = q.get("role").map(String::as_str).unwrap_or("all");
        if !matches!(role_filter, "all" | "admin" | "member") {
            return Err(validation_failed(
                vec![json!({"resource": "Member", "field": "role", "code": "invalid"})],
                DOCS,
            ));
        }
        let o = &w.orgs[idx];
        let members: Vec<Value> = o
            .members
            .iter()
            .filter(|(_, r)| match role_filter {
                "admin" => *r == Role::Owner,
                "member" => *r != Role::Owner,
                _ => true,
            })
            .filter_map(|(id, _)| w.user(*id))
            .map(|u| json::simple_user(&base, u))
            .collect();
        let (page, link) = page_of(&members, &p, &base, uri);
        Ok(with_link(ok_json(&Value::Array(page)), link))
    })
}

pub(super) async fn list_teams(call: Call, Path(org): Path<String>) -> Response {
    let base = call.em.base().to_owned();
    let (q, uri) = (&call.query, &call.uri);
    call.respond("admin:org, read:org, write:org", |caller, w| {
        let (idx, _) = visible_org(w, caller, &org, "members")?;
        if caller.installation.is_none() && !has_scope(caller, "read:org") {
            return Err(error(StatusCode::FORBIDDEN, "Resource not accessible by integration: this OAuth token lacks the read:org scope.", DOCS));
        }
        let p = paging(q)?;
        let o = &w.orgs[idx];
        let teams: Vec<Value> = o.teams.iter().map(|t| json::team(&base, o, t)).collect();
        let (page, link) = page_of(&teams, &p, &base, uri);
        Ok(with_link(ok_json(&Value::Array(page)), link))
    })
}

/// `repos/list-for-org`: the repositories an org member can see (all of them here), oldest first
/// unless `direction=desc`.
pub(super) async fn list_repos(call: Call, Path(org): Path<String>) -> Response {
    let base = call.em.base().to_owned();
    let (q, uri) = (&call.query, &call.uri);
    call.respond("", |caller, w| {
        let (idx, _) = visible_org(w, caller, &org, "metadata")?;
        let p = paging(q)?;
        let o = &w.orgs[idx];
        let owner = json::org_as_owner(&base, o);
        let mut repos: Vec<Value> = o
            .repos
            .iter()
            .filter(|r| !r.deleted)
            .map(|r| json::simple_repo(&base, o, r, &owner))
            .collect();
        if q.get("direction").map(String::as_str) == Some("desc") {
            repos.reverse();
        }
        let (page, link) = page_of(&repos, &p, &base, uri);
        Ok(with_link(ok_json(&Value::Array(page)), link))
    })
}
