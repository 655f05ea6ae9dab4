//! GitHub-shaped JSON for the emulator's answers: every field the OpenAPI schemas require.

use super::world::*;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn node_id(kind: &str, id: i64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("0{kind}{id}"))
}

/// `simple-user`.
pub fn simple_user(base: &str, u: &User) -> Value {
    let mut v = account(base, &u.login, u.id, "U", "User");
    v["user_view_type"] = json!("public");
    v
}

/// A `simple-user` shaped account: a person, or an org as the owner of its repositories.
fn account(base: &str, login: &str, id: i64, node_kind: &str, kind: &str) -> Value {
    let api = format!("{base}/users/{login}");
    json!({
        "login": login,
        "id": id,
        "node_id": node_id(node_kind, id),
        "avatar_url": avatar(base, id),
        "gravatar_id": "",
        "url": api,
        "html_url": format!("{base}/{login}"),
        "followers_url": format!("{api}/followers"),
        "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"),
        "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
        "type": kind,
        "site_admin": false,
    })
}

/// An avatar served by the emulator itself, so demo mode needs no network.
pub fn avatar(base: &str, id: i64) -> String {
    format!("{base}/_emulator/avatars/{id}.svg")
}

/// `private-user`: what `GET /user` returns for the token's owner.
pub fn private_user(base: &str, u: &User) -> Value {
    let mut v = simple_user(base, u);
    let extra = json!({
        "name": u.name,
        "company": "@acme-corp",
        "blog": "",
        "location": null,
        "email": null,
        "hireable": null,
        "bio": null,
        "twitter_username": null,
        "public_repos": 3,
        "public_gists": 0,
        "followers": 12,
        "following": 4,
        "created_at": ts(u.created_at),
        "updated_at": ts(u.created_at),
        "private_gists": 0,
        "total_private_repos": 2,
        "owned_private_repos": 2,
        "disk_usage": 1024,
        "collaborators": 0,
        "two_factor_authentication": true,
        "user_view_type": "private",
    });
    if let (Some(obj), Some(extra)) = (v.as_object_mut(), extra.as_object()) {
        obj.extend(extra.clone());
    }
    v
}

/// `organization-simple`.
pub fn org_simple(base: &str, o: &Org) -> Value {
    let api = format!("{base}/orgs/{}", o.login);
    json!({
        "login": o.login,
        "id": o.id,
        "node_id": node_id("O", o.id),
        "url": api,
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events"),
        "hooks_url": format!("{api}/hooks"),
        "issues_url": format!("{api}/issues"),
        "members_url": format!("{api}/members{{/member}}"),
        "public_members_url": format!("{api}/public_members{{/member}}"),
        "avatar_url": avatar(base, o.id),
        "description": o.description,
    })
}

/// `team`.
pub fn team(base: &str, o: &Org, t: &Team) -> Value {
    let api = format!("{base}/organizations/{}/team/{}", o.id, t.id);
    json!({
        "id": t.id,
        "node_id": node_id("T", t.id),
        "url": api,
        "html_url": format!("{base}/orgs/{}/teams/{}", o.login, t.slug),
        "name": t.name,
        "slug": t.slug,
        "description": t.description,
        "privacy": "closed",
        "notification_setting": "notifications_enabled",
        "permission": "pull",
        "members_url": format!("{api}/members{{/member}}"),
        "repositories_url": format!("{api}/repos"),
        "type": "organization",
        "organization_id": o.id,
        "parent": null,
    })
}

/// `simple-repository`.
pub fn simple_repo(base: &str, o: &Org, r: &Repo, owner: &Value) -> Value {
    let full = format!("{}/{}", o.login, r.name);
    let api = format!("{base}/repos/{full}");
    let mut v = json!({
        "id": r.id,
        "node_id": node_id("R", r.id),
        "name": r.name,
        "full_name": full,
        "owner": owner,
        "private": r.private,
        "html_url": format!("{base}/{full}"),
        "description": r.description,
        "fork": false,
        "url": api,
    });
    let templated: &[(&str, &str)] = &[
        ("archive_url", "/{archive_format}{/ref}"),
        ("assignees_url", "/assignees{/user}"),
        ("blobs_url", "/git/blobs{/sha}"),
        ("branches_url", "/branches{/branch}"),
        ("collaborators_url", "/collaborators{/collaborator}"),
        ("comments_url", "/comments{/number}"),
        ("commits_url", "/commits{/sha}"),
        ("compare_url", "/compare/{base}...{head}"),
        ("contents_url", "/contents/{+path}"),
        ("contributors_url", "/contributors"),
        ("deployments_url", "/deployments"),
        ("downloads_url", "/downloads"),
        ("events_url", "/events"),
        ("forks_url", "/forks"),
        ("git_commits_url", "/git/commits{/sha}"),
        ("git_refs_url", "/git/refs{/sha}"),
        ("git_tags_url", "/git/tags{/sha}"),
        ("hooks_url", "/hooks"),
        ("issue_comment_url", "/issues/comments{/number}"),
        ("issue_events_url", "/issues/events{/number}"),
        ("issues_url", "/issues{/number}"),
        ("keys_url", "/keys{/key_id}"),
        ("labels_url", "/labels{/name}"),
        ("languages_url", "/languages"),
        ("merges_url", "/merges"),
        ("milestones_url", "/milestones{/number}"),
        (
            "notifications_url",
            "/notifications{?since,all,participating}",
        ),
        ("pulls_url", "/pulls{/number}"),
        ("releases_url", "/releases{/id}"),
        ("stargazers_url", "/stargazers"),
        ("statuses_url", "/statuses/{sha}"),
        ("subscribers_url", "/subscribers"),
        ("subscription_url", "/subscription"),
        ("tags_url", "/tags"),
        ("teams_url", "/teams"),
        ("trees_url", "/git/trees{/sha}"),
    ];
    if let Some(obj) = v.as_object_mut() {
        for (k, suffix) in templated {
            obj.insert((*k).to_owned(), Value::String(format!("{api}{suffix}")));
        }
    }
    v
}

/// The org as the owner object of its repositories (a `simple-user` of type Organization).
pub fn org_as_owner(base: &str, o: &Org) -> Value {
    account(base, &o.login, o.id, "O", "Organization")
}

/// `code-scanning-organization-alert-items`. `repos` holds each repository's JSON, built once per page.
pub fn alert(base: &str, w: &World, o: &Org, a: &Alert, repo_json: &Value) -> Value {
    let r = &o.repos[a.repo];
    let rule = &w.rules[a.rule];
    let tool = &w.tools[rule.tool];
    let api = format!(
        "{base}/repos/{}/{}/code-scanning/alerts/{}",
        o.login, r.name, a.number
    );
    let html = format!(
        "{base}/{}/{}/security/code-scanning/{}",
        o.login, r.name, a.number
    );
    let (fixed_at, dismissed_at, dismissed_reason, dismissed_by) = match a.state {
        AlertState::Fixed => (Some(ts(a.updated_at)), None, None, Value::Null),
        AlertState::Dismissed => (
            None,
            Some(ts(a.updated_at)),
            Some(a.dismissed_reason.unwrap_or("won't fix")),
            a.dismissed_by
                .and_then(|id| w.user(id))
                .or(w.users.first())
                .map(|u| simple_user(base, u))
                .unwrap_or(Value::Null),
        ),
        AlertState::Open => (None, None, None, Value::Null),
    };
    let assignees: Vec<Value> = (a.assignees.iter())
        .filter_map(|id| w.user(*id))
        .map(|u| simple_user(base, u))
        .collect();
    json!({
        "number": a.number,
        "created_at": ts(a.created_at),
        "updated_at": ts(a.updated_at),
        "url": api,
        "html_url": html,
        "instances_url": format!("{api}/instances"),
        "state": a.state.as_str(),
        "fixed_at": fixed_at,
        "dismissed_by": dismissed_by,
        "dismissed_at": dismissed_at,
        "dismissed_reason": dismissed_reason,
        "dismissed_comment": (a.state == AlertState::Dismissed).then(|| a.dismissed_comment.clone()).flatten(),
        "rule": {
            "id": rule.id,
            "name": rule.name,
            "severity": rule.severity,
            "security_severity_level": rule.security_severity,
            "description": rule.description,
            "full_description": rule.description,
            "tags": rule.tags,
            "help": null,
            "help_uri": null,
        },
        "tool": { "name": tool.name, "version": tool.version, "guid": tool.guid },
        "most_recent_instance": {
            "ref": "refs/heads/main",
            "analysis_key": ".github/workflows/code-scanning.yml:analyze",
            "environment": "{}",
            "category": ".github/workflows/code-scanning.yml:analyze",
            "state": a.state.as_str(),
            "commit_sha": format!("{:040x}", (a.created_at.timestamp() as u64).wrapping_mul(2_654_435_761) as u128 * 7919 + a.number as u128),
            "message": { "text": rule.description },
            "location": { "path": a.path, "start_line": a.line, "end_line": a.line, "start_column": 5, "end_column": 42 },
            "classifications": [],
        },
        "repository": repo_json,
        "assignees": assignees,
    })
}

/// `campaign-summary`, with `alert_stats` counted from the alerts' current states when `stats`.
pub fn campaign(base: &str, w: &World, o: &Org, c: &Campaign, stats: bool) -> Value {
    let (mut open, mut closed, mut in_progress) = (0i64, 0i64, 0i64);
    for &i in &c.alerts {
        match o.alerts.get(i) {
            Some(a) if a.state != AlertState::Open => closed += 1,
            Some(a) if !a.assignees.is_empty() => in_progress += 1,
            Some(_) => open += 1,
            None => {}
        }
    }
    let managers: Vec<Value> = c
        .managers
        .iter()
        .filter_map(|id| w.user(*id))
        .map(|u| simple_user(base, u))
        .collect();
    let team_managers: Vec<Value> = c
        .team_managers
        .iter()
        .filter_map(|slug| o.teams.iter().find(|t| &t.slug == slug))
        .map(|t| team(base, o, t))
        .collect();
    let mut v = json!({
        "number": c.number,
        "created_at": ts(c.created_at),
        "updated_at": ts(c.updated_at),
        "name": c.name,
        "description": c.description,
        "managers": managers,
        "team_managers": team_managers,
        "published_at": ts(c.published_at),
        "ends_at": ts(c.ends_at),
        "closed_at": c.closed_at.map(ts),
        "state": if c.open { "open" } else { "closed" },
        "contact_link": c.contact_link,
    });
    if let (true, Some(obj)) = (stats, v.as_object_mut()) {
        obj.insert(
            "alert_stats".into(),
            json!({ "open_count": open, "closed_count": closed, "in_progress_count": in_progress }),
        );
    }
    v
}

/// GitHub's error body: `message`, `documentation_url`, `status`, and `errors[]` when there are any.
/// `installation`: an App's installation on an org.
pub fn installation(base: &str, o: &Org, app: &App, i: &Installation) -> Value {
    json!({
        "id": i.id,
        "account": org_as_owner(base, o),
        "repository_selection": "all",
        "access_tokens_url": format!("{base}/app/installations/{}/access_tokens", i.id),
        "repositories_url": format!("{base}/installation/repositories"),
        "html_url": format!("{base}/organizations/{}/settings/installations/{}", o.login, i.id),
        "app_id": app.id,
        "client_id": app.client_id,
        "app_slug": app.slug,
        "target_id": o.id,
        "target_type": "Organization",
        "permissions": permissions(i),
        "events": [],
        "created_at": ts(i.created_at),
        "updated_at": ts(i.created_at),
        "single_file_name": null,
        "suspended_by": null,
        "suspended_at": null,
    })
}

/// An installation's permissions, as GitHub writes them: `{"security_events": "read", …}`.
pub fn permissions(i: &Installation) -> Value {
    Value::Object(
        i.permissions
            .iter()
            .map(|(p, a)| (p.clone(), json!(a)))
            .collect(),
    )
}

pub fn error_body(status: u16, message: &str, docs: &str, errors: Vec<Value>) -> Value {
    let mut v = json!({
        "message": message,
        "documentation_url": docs,
        "status": status.to_string(),
    });
    if !errors.is_empty() {
        v["errors"] = Value::Array(errors);
    }
    v
}
