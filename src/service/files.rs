//! Files to take away, as the exports write them (server only): CSV or JSON, with fixed column
//! names, written a chunk of rows at a time as they arrive, named after what they hold and the day.
//! In CSV, a value a spreadsheet would run as a formula is made text.

use crate::error::AppError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};
use serde_json::Value;

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
/// comes. A chunk that fails ends the body early, so the download is seen to be incomplete; so
/// does a file still being written after `deadline` (the request limit, which ends a request
/// only until its answer starts: the body is this function's to bound).
pub fn file(
    format: Format,
    name: String,
    columns: &'static [&'static str],
    chunks: impl Stream<Item = Result<Vec<Row>, AppError>> + Send + 'static,
    deadline: std::time::Duration,
) -> Response {
    let until = tokio::time::Instant::now() + deadline;
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
        }))
        .take_until(tokio::time::sleep_until(until))
        .chain(futures_util::stream::once(async move {
            if tokio::time::Instant::now() >= until {
                tracing::warn!("a download ran past the request limit: cut short");
                Err(std::io::Error::other(
                    "the file took longer than the request limit",
                ))
            } else {
                Ok(bytes::Bytes::new())
            }
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
pub fn not_started(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::BAD_GATEWAY);
    let headers = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
    (status, headers, format!("{}: {err}\n", err.title())).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
