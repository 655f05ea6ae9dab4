//! Files to take away: the campaign list (with counts and due status) and a campaign's alerts, as
//! CSV or JSON with stable column names. Each is written as GitHub's pages (or repositories)
//! arrive, so a long list never sits whole in memory; each is named after the org and the day.

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::api::campaign_alerts::ssr::{record_of, repository_reads};
    use crate::api::campaigns::ssr::{list_inner, view_of};
    use crate::domain::campaign::{CampaignView, Due};
    use crate::domain::campaign_alerts::{AlertsFilter, CampaignAlert};
    use crate::domain::list_view::{ListView, PageSize, StateFilter};
    use crate::domain::{CampaignNumber, OrgLogin};
    use crate::error::AppError;
    use crate::state::AppState;
    use axum::extract::{Path, Query, State};
    use axum::http::{header, StatusCode};
    use axum::response::{IntoResponse, Response};
    use futures_util::{Stream, StreamExt};
    use serde_json::{json, Value};
    use std::collections::HashMap;
    use tower_sessions::Session;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Format {
        Csv,
        Json,
    }

    impl Format {
        fn extension(self) -> &'static str {
            match self {
                Format::Csv => "csv",
                Format::Json => "json",
            }
        }

        fn content_type(self) -> &'static str {
            match self {
                Format::Csv => "text/csv; charset=utf-8",
                Format::Json => "application/json",
            }
        }
    }

    /// One row's values, in the file's column order.
    pub type Row = Vec<Value>;

    /// One CSV field: quoted, quotes doubled, and a value a spreadsheet would run as a formula
    /// (`=`, `+`, `-`, `@`, tab or carriage return first) made text with a leading `'`.
    pub fn csv_field(value: &str) -> String {
        let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
        let value = if formula {
            format!("'{value}")
        } else {
            value.to_owned()
        };
        format!("\"{}\"", value.replace('"', "\"\""))
    }

    /// A CSV line of `fields`, with its line end.
    pub fn csv_line<S: AsRef<str>>(fields: impl IntoIterator<Item = S>) -> String {
        let fields: Vec<String> = fields.into_iter().map(|f| csv_field(f.as_ref())).collect();
        format!("{}\r\n", fields.join(","))
    }

    fn text(v: &Value) -> String {
        match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }

    /// `rows` in `format`; `first` says whether any row came before (a JSON comma).
    fn encode(format: Format, columns: &[&str], rows: &[Row], first: bool) -> String {
        let mut out = String::new();
        for (i, row) in rows.iter().enumerate() {
            match format {
                Format::Csv => out.push_str(&csv_line(row.iter().map(text))),
                Format::Json => {
                    let object: serde_json::Map<String, Value> = columns
                        .iter()
                        .map(|c| (*c).to_owned())
                        .zip(row.iter().cloned())
                        .collect();
                    if !(first && i == 0) {
                        out.push_str(",\n");
                    }
                    out.push_str(&Value::Object(object).to_string());
                }
            }
        }
        out
    }

    /// A file answer: its name, its header (CSV) or brackets (JSON), and each chunk of rows as it
    /// comes. A chunk that fails ends the body early, so the download is seen to be incomplete.
    pub fn file(
        format: Format,
        name: String,
        columns: &'static [&'static str],
        chunks: impl Stream<Item = Result<Vec<Row>, AppError>> + Send + 'static,
    ) -> Response {
        let head = match format {
            // The column names are ours, fixed: no quoting needed.
            Format::Csv => format!("{}\r\n", columns.join(",")),
            Format::Json => "[\n".to_owned(),
        };
        let tail = match format {
            Format::Csv => String::new(),
            Format::Json => "\n]\n".to_owned(),
        };
        let body = chunks
            .scan(true, move |first, chunk| {
                let out = chunk.map(|rows| {
                    let text = encode(format, columns, &rows, *first);
                    *first = *first && rows.is_empty();
                    bytes::Bytes::from(text)
                });
                futures_util::future::ready(Some(out.map_err(std::io::Error::other)))
            })
            .boxed();
        let body = futures_util::stream::once(async move { Ok(bytes::Bytes::from(head)) })
            .chain(body)
            .chain(futures_util::stream::once(async move {
                Ok(bytes::Bytes::from(tail))
            }));
        let disposition = format!(
            "attachment; filename=\"{name}-{}.{}\"",
            chrono::Utc::now().format("%Y-%m-%d"),
            format.extension()
        );
        (
            [
                (header::CONTENT_TYPE, format.content_type().to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            axum::body::Body::from_stream(body),
        )
            .into_response()
    }

    /// The answer for a request that fails before the file starts: its status and message.
    pub fn refused(err: AppError) -> Response {
        let status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::BAD_GATEWAY);
        let headers = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
        (status, headers, format!("{}: {err}\n", err.title())).into_response()
    }

    /// The routes of the files, beside the pages they come from.
    pub fn routes() -> axum::Router<AppState> {
        use axum::routing::get;
        let campaigns = |format| {
            get(move |s, session, path, query| campaigns_file(format, s, session, path, query))
        };
        let alerts = |format| {
            get(move |s, session, path, query| alerts_file(format, s, session, path, query))
        };
        axum::Router::new()
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
            Some(_) => return refused(AppError::invalid("state", "Choose open, closed or all.")),
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
            let first = list_inner(&state.github, &token, &org, view(1)).await?;
            Ok::<_, AppError>((org, token, first, view))
        }
        .await;
        let (org, token, first, view) = match started {
            Ok(ok) => ok,
            Err(err) => return refused(err),
        };
        let name = format!("{org}-campaigns");
        let pages = futures_util::stream::unfold(Some((1u32, Some(first))), move |cursor| {
            let (state, token, org) = (state.clone(), token.clone(), org.clone());
            async move {
                let (n, ready) = cursor?;
                let (items, links) = match ready {
                    Some(page) => page,
                    None => match list_inner(&state.github, &token, &org, view(n)).await {
                        Ok(page) => page,
                        Err(e) => return Some((Err(e), None)),
                    },
                };
                let now = chrono::Utc::now();
                let rows = items
                    .into_iter()
                    .map(|c| campaign_row(&view_of(&state.settings, &org, c), now))
                    .collect();
                let next = links.next.filter(|m| *m > n).map(|m| (m, None));
                Some((Ok(rows), next))
            }
        });
        file(format, name, CAMPAIGN_COLUMNS, pages)
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
    ];

    fn alert_row(a: CampaignAlert) -> Row {
        let time = |t: Option<chrono::DateTime<chrono::Utc>>| json!(t.map(|t| t.to_rfc3339()));
        vec![
            json!(a.repository),
            json!(a.number),
            json!(a.rule_id),
            json!(a.rule_name),
            json!(a.severity),
            json!(a.state),
            json!(a.dismissed_reason),
            time(a.fixed_at),
            time(a.dismissed_at),
            json!(a.path),
            json!(a.line),
            json!(a.html_url),
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
            let query = filter.parse().map_err(crate::api::audit::ssr::refused)?;
            let token = crate::auth::session::access_token(&session, &state.tokens()).await?;
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
            Err(err) => return refused(err),
        };
        let name = format!("{org}-campaign-{number}-alerts");
        let reads = repository_reads(state.github.clone(), token, org, &record.alerts);
        let chunks = reads.map(move |(_, read)| {
            let mut alerts = read.unwrap_or_else(|unknown| unknown);
            alerts.retain(|a| query.matches(a));
            Ok(alerts.into_iter().map(alert_row).collect())
        });
        file(format, name, ALERT_COLUMNS, chunks)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_value_that_would_run_as_a_formula_is_text() {
            assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
            for start in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
                assert!(csv_field(start).starts_with("\"'"), "{start:?}");
            }
            assert_eq!(csv_field("plain, \"quoted\""), "\"plain, \"\"quoted\"\"\"");
        }

        #[test]
        fn json_rows_are_objects_separated_by_commas_across_chunks() {
            let cols = &["a", "b"];
            let first = encode(Format::Json, cols, &[vec![json!(1), json!("x")]], true);
            let later = encode(Format::Json, cols, &[vec![json!(2), Value::Null]], false);
            let whole = format!("[{first}{later}]");
            let parsed: Value = serde_json::from_str(&whole).unwrap();
            assert_eq!(parsed, json!([{"a": 1, "b": "x"}, {"a": 2, "b": null}]));
            let csv = encode(Format::Csv, cols, &[vec![json!(-3), Value::Null]], true);
            assert_eq!(csv, "\"'-3\",\"\"\r\n");
        }
    }
}
