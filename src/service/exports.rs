//! Files to take away: the campaign list (with counts and due status) and a campaign's alerts, as
//! CSV or JSON with stable column names, written as GitHub's pages (or repositories) arrive.

use crate::domain::campaign::{CampaignView, Due};
use crate::domain::campaign_alerts::{AlertsFilter, CampaignAlert};
use crate::domain::list_view::{ListView, PageSize, StateFilter};
use crate::domain::rollup::{OrgStanding, RollupCounts};
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use crate::github::client::MAX_PAGES;
use crate::service::campaign_records::record_of;
use crate::service::campaigns::list_page;
use crate::service::files::{file, not_started, Format, Row};
use crate::service::live_alerts::{from_index, repository_reads};
use crate::service::views::view_of;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use tower_sessions::Session;

/// The routes of the files, beside the pages they come from.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    let campaigns = |format| {
        get(move |s, session, path, query| campaigns_file(format, s, session, path, query))
    };
    let alerts =
        |format| get(move |s, session, path, query| alerts_file(format, s, session, path, query));
    let rollup = |format| get(move |s, session| rollup_file(format, s, session));
    axum::Router::new()
        .route("/rollup.csv", rollup(Format::Csv))
        .route("/rollup.json", rollup(Format::Json))
        .route("/orgs/{org}/campaigns.csv", campaigns(Format::Csv))
        .route("/orgs/{org}/campaigns.json", campaigns(Format::Json))
        .route(
            "/orgs/{org}/campaigns/{number}/alerts.csv",
            alerts(Format::Csv),
        )
        .route(
            "/orgs/{org}/campaigns/{number}/alerts.json",
            alerts(Format::Json),
        )
}

const CAMPAIGN_COLUMNS: &[&str] = &[
    "number",
    "name",
    "state",
    "due_status",
    "ends_at",
    "created_at",
    "closed_at",
    "managers",
    "team_managers",
    "open_alerts",
    "in_progress_alerts",
    "closed_alerts",
    "url",
];

fn campaign_row(c: &CampaignView, now: chrono::DateTime<chrono::Utc>) -> Row {
    let logins: Vec<&str> = c.managers.iter().map(|p| p.login.as_str()).collect();
    let teams: Vec<&str> = c.team_managers.iter().map(|t| t.slug.as_str()).collect();
    let count = |f: fn(&crate::domain::campaign::Progress) -> i64| {
        c.progress.as_ref().map_or(Value::Null, |p| json!(f(p)))
    };
    vec![
        json!(c.number.get()),
        json!(c.name),
        json!(if c.open { "open" } else { "closed" }),
        json!(Due::of(c.open, c.ends_at, now).label()),
        json!(c.ends_at.to_rfc3339()),
        json!(c.created_at.to_rfc3339()),
        json!(c.closed_at.map(|t| t.to_rfc3339())),
        json!(logins.join(" ")),
        json!(teams.join(" ")),
        count(|p| p.open),
        count(|p| p.in_progress),
        count(|p| p.closed),
        json!(c.share_url),
    ]
}

/// `GET /orgs/{org}/campaigns.{csv,json}[?state=open|closed|all]`: every campaign (all
/// states unless `state` says), newest first, read from GitHub 100 at a time.
async fn campaigns_file(
    format: Format,
    State(state): State<AppState>,
    session: Session,
    Path(org): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let filter = match query.get("state").map(String::as_str) {
        None | Some("" | "all") => StateFilter::All,
        Some("open") => StateFilter::Open,
        Some("closed") => StateFilter::Closed,
        Some(_) => return not_started(AppError::invalid("state", "Choose open, closed or all.")),
    };
    let started = async {
        let org: OrgLogin = org.parse().map_err(|_| AppError::NotFound)?;
        let token = crate::auth::session::access_token(&session, &state.tokens()).await?;
        // The first page before the file starts: a refusal is a status, not a broken file.
        let view = move |page| ListView {
            state: filter,
            page,
            per_page: PageSize::Hundred,
            ..Default::default()
        };
        let first = list_page(&state.github, &token, &org, view(1)).await?;
        Ok::<_, AppError>((org, token, first, view))
    }
    .await;
    let (org, token, first, view) = match started {
        Ok(ok) => ok,
        Err(err) => return not_started(err),
    };
    let (name, deadline) = (
        format!("{org}-campaigns"),
        state.settings.limits.request_timeout,
    );
    let pages = futures_util::stream::unfold(Some((1u32, Some(first))), move |cursor| {
        let (state, token, org) = (state.clone(), token.clone(), org.clone());
        async move {
            let (n, ready) = cursor?;
            let (items, links) = match ready {
                Some(page) => page,
                None => match list_page(&state.github, &token, &org, view(n)).await {
                    Ok(page) => page,
                    Err(e) => return Some((Err(e), None)),
                },
            };
            let now = chrono::Utc::now();
            let rows = items
                .into_iter()
                .map(|c| campaign_row(&view_of(&state.settings, &org, c), now))
                .collect();
            // GitHub's next page, within the client's page cap like every other list.
            let next = links
                .next
                .filter(|m| *m > n && *m as usize <= MAX_PAGES)
                .map(|m| (m, None));
            Some((Ok(rows), next))
        }
    });
    file(format, name, CAMPAIGN_COLUMNS, pages, deadline)
}

const ROLLUP_COLUMNS: &[&str] = &[
    "org",
    "standing",
    "open_campaigns",
    "overdue",
    "behind",
    "alerts_not_closed",
    "closed_this_week",
    "note",
];

fn rollup_row(org: &str, standing: &OrgStanding) -> Row {
    let (counts, note) = match standing {
        OrgStanding::Managed(c) => (Some(*c), None),
        OrgStanding::NoRole => (
            None,
            Some("Only owners and security managers see the org's campaigns."),
        ),
        OrgStanding::Unavailable(why) => (None, Some(why.as_str())),
    };
    let count = |f: fn(&RollupCounts) -> Value| counts.as_ref().map_or(Value::Null, f);
    vec![
        json!(org),
        json!(standing.as_str()),
        count(|c| json!(c.open_campaigns)),
        count(|c| json!(c.overdue)),
        count(|c| json!(c.behind)),
        count(|c| json!(c.remaining)),
        count(|c| json!(c.closed_this_week)),
        json!(note),
    ]
}

/// `GET /rollup.{csv,json}`: the roll-up of `/`, a row per org and one of totals (`org` empty,
/// `standing` "total").
async fn rollup_file(format: Format, State(state): State<AppState>, session: Session) -> Response {
    let started = async {
        let token = crate::auth::session::access_token(&session, &state.tokens()).await?;
        crate::service::rollup::rollup(&state, &token, chrono::Utc::now()).await
    }
    .await;
    let rollup = match started {
        Ok(ok) => ok,
        Err(err) => return not_started(err),
    };
    let mut rows: Vec<Row> = (rollup.orgs.iter())
        .map(|o| rollup_row(&o.login, &o.standing))
        .collect();
    let mut total = rollup_row("", &OrgStanding::Managed(rollup.totals()));
    total[1] = json!("total");
    rows.push(total);
    let one = futures_util::stream::once(async move { Ok(rows) });
    let deadline = state.settings.limits.request_timeout;
    file(
        format,
        "campaigns-rollup".into(),
        ROLLUP_COLUMNS,
        one,
        deadline,
    )
}

const ALERT_COLUMNS: &[&str] = &[
    "repository",
    "number",
    "rule_id",
    "rule_name",
    "severity",
    "state",
    "dismissed_reason",
    "fixed_at",
    "dismissed_at",
    "path",
    "line",
    "html_url",
    "assignees",
];

fn alert_row(a: CampaignAlert) -> Row {
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| json!(t.map(|t| t.to_rfc3339()));
    vec![
        json!(a.repository),
        json!(a.number),
        json!(a.rule_id),
        json!(a.rule_name),
        json!(a.severity),
        json!(a.state.as_str()),
        json!(a.dismissed_reason),
        time(a.fixed_at),
        time(a.dismissed_at),
        json!(a.path),
        json!(a.line),
        json!(a.html_url),
        json!(a.assignees.join(" ")),
    ]
}

/// `GET /orgs/{org}/campaigns/{number}/alerts.{csv,json}`, with the alerts page's filters:
/// the campaign's alerts with their live states, a repository at a time.
async fn alerts_file(
    format: Format,
    State(state): State<AppState>,
    session: Session,
    Path((org, number)): Path<(String, String)>,
    Query(filter): Query<AlertsFilter>,
) -> Response {
    let started = async {
        let org: OrgLogin = org.parse().map_err(|_| AppError::NotFound)?;
        let number: CampaignNumber = number.parse().map_err(|_| AppError::NotFound)?;
        let query = filter.parse().map_err(AppError::filter_refused)?;
        let (me, token) =
            crate::auth::session::user_and_token(&session, &state.tokens()).await?;
        let query = query.for_user(&me.login);
        let c = state.github.get_campaign(&token, &org, number).await?;
        let campaign = view_of(&state.settings, &org, c);
        let record = record_of(&state, &org, &campaign).await?;
        let record = record.ok_or_else(|| AppError::Forbidden {
            reason: "This campaign was created outside campaigns-admin: GitHub shares only its counts, so its alerts are unknown.".into(),
        })?;
        Ok::<_, AppError>((org, number, query, token, record))
    }
    .await;
    let (org, number, query, token, record) = match started {
        Ok(ok) => ok,
        Err(err) => return not_started(err),
    };
    let name = format!("{org}-campaign-{number}-alerts");
    let filtered = move |mut alerts: Vec<CampaignAlert>| -> Vec<Row> {
        alerts.retain(|a| query.matches(a));
        alerts.into_iter().map(alert_row).collect()
    };
    // From the org's alert index once it is ready (one chunk); else a repository at a time.
    let chunks = match from_index(&state, &token, &org, &record.alerts, None).await {
        Ok(Some((alerts, _, _))) => {
            futures_util::stream::once(async move { Ok(filtered(alerts)) }).boxed()
        }
        Ok(None) => repository_reads(state.github.clone(), token, org, &record.alerts)
            .map(move |(_, read)| Ok(filtered(read.unwrap_or_else(|unknown| unknown))))
            .boxed(),
        Err(err) => return not_started(err),
    };
    file(
        format,
        name,
        ALERT_COLUMNS,
        chunks,
        state.settings.limits.request_timeout,
    )
}
