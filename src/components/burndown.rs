//! A campaign's burndown: the alerts not yet closed over time, as server-rendered SVG (readable
//! without JavaScript), the straight line to zero by the due date beside it, and a sentence that
//! says the same for those who cannot see it.

use crate::domain::history::{pace, summary, Pace, Snapshot};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

#[component]
pub fn Burndown(
    history: Vec<Snapshot>,
    /// When the campaign started (its line starts there).
    start: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> impl IntoView {
    let text = summary(&history, ends_at);
    let pace = pace(&history, ends_at);
    let badge = match pace {
        Pace::Done | Pace::OnTrack { .. } => "pace on-track",
        Pace::Behind { .. } => "pace behind",
        Pace::Unknown => "pace unknown",
    };
    let chart = (!history.is_empty()).then(|| chart(&history, start, ends_at));
    view! {
        <figure class="burndown">
            {chart}
            <figcaption>
                <span class=badge>{pace.label()}</span> " " <span id="burndown-summary">{text}</span>
            </figcaption>
        </figure>
    }
}

fn chart(history: &[Snapshot], start: DateTime<Utc>, ends_at: DateTime<Utc>) -> impl IntoView {
    let first = history[0];
    let last = history[history.len() - 1];
    let t0 = start.min(first.at).timestamp() as f64;
    let t1 = ends_at.max(last.at).timestamp() as f64;
    let span = (t1 - t0).max(3600.0);
    let top = history
        .iter()
        .map(Snapshot::remaining)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let x = |t: DateTime<Utc>| LEFT + (t.timestamp() as f64 - t0) / span * (WIDTH - LEFT - RIGHT);
    let y = |n: i64| TOP + (1.0 - n as f64 / top) * (HEIGHT - TOP - BOTTOM);
    let line: Vec<String> = history
        .iter()
        .map(|p| format!("{:.1},{:.1}", x(p.at), y(p.remaining())))
        .collect();
    let (base, due_x) = (y(0), x(ends_at));
    let day = |t: DateTime<Utc>| t.format("%-d %b").to_string();
    view! {
        <svg class="burndown-chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img"
            aria-labelledby="burndown-title" aria-describedby="burndown-summary">
            <title id="burndown-title">"Burndown: alerts not yet closed, over time"</title>
            <line class="axis" x1=LEFT y1=TOP x2=LEFT y2=base/>
            <line class="axis" x1=LEFT y1=base x2=WIDTH - RIGHT y2=base/>
            <text class="tick" x=LEFT - 6.0 y=TOP + 4.0 text-anchor="end">{top.to_string()}</text>
            <text class="tick" x=LEFT - 6.0 y=base + 4.0 text-anchor="end">"0"</text>
            <text class="tick" x=LEFT y=HEIGHT - 8.0>{day(start.min(first.at))}</text>
            <line class="due" x1=due_x y1=TOP x2=due_x y2=base/>
            <text class="tick" x=due_x y=HEIGHT - 8.0 text-anchor="end">"due " {day(ends_at)}</text>
            <line class="ideal" x1=x(first.at) y1=y(first.remaining()) x2=due_x y2=base/>
            <polyline class="remaining" points=line.join(" ")/>
            <circle class="now" cx=x(last.at) cy=y(last.remaining()) r="3.5"/>
        </svg>
    }
}
