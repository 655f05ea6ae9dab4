//! A campaign's burndown: the alerts not yet closed over time, as server-rendered SVG (readable
//! without JavaScript), the straight line to zero by the due date beside it, and a sentence that
//! says the same for those who cannot see it; and the org's own line, drawn the same way.

use crate::domain::history::{pace, summary, Pace, Snapshot};
use crate::domain::overview::{history_summary, OrgPoint};
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
    let (first, last) = (history[0], history[history.len() - 1]);
    let top = history.iter().map(Snapshot::remaining).max().unwrap_or(0);
    let frame = Frame::new(start.min(first.at), ends_at.max(last.at), top);
    let points: Vec<_> = history.iter().map(|p| (p.at, p.remaining())).collect();
    let (base, due_x) = (frame.y(0), frame.x(ends_at));
    view! {
        <svg class="burndown-chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img"
            aria-labelledby="burndown-title" aria-describedby="burndown-summary">
            <title id="burndown-title">"Burndown: alerts not yet closed, over time"</title>
            {frame.axes()}
            <line class="due" x1=due_x y1=TOP x2=due_x y2=base/>
            <text class="tick" x=due_x y=HEIGHT - 8.0 text-anchor="end">"due " {day(ends_at)}</text>
            <line class="ideal" x1=frame.x(first.at) y1=frame.y(first.remaining()) x2=due_x y2=base/>
            {frame.line(&points)}
        </svg>
    }
}

/// The org's alerts not yet closed across its campaigns over time (server-rendered SVG), and a
/// sentence saying the same.
#[component]
pub fn OrgTrend(history: Vec<OrgPoint>) -> impl IntoView {
    let text = history_summary(&history);
    let chart = match (history.first(), history.last()) {
        (Some(first), Some(last)) => {
            let top = history.iter().map(|p| p.remaining).max().unwrap_or(0);
            let frame = Frame::new(first.at, last.at, top);
            let points: Vec<_> = history.iter().map(|p| (p.at, p.remaining)).collect();
            Some(view! {
                <svg class="burndown-chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img"
                    aria-labelledby="trend-title" aria-describedby="trend-summary">
                    <title id="trend-title">"Alerts not yet closed across the org's campaigns, over time"</title>
                    {frame.axes()}
                    <text class="tick" x=WIDTH - RIGHT y=HEIGHT - 8.0 text-anchor="end">{day(last.at)}</text>
                    {frame.line(&points)}
                </svg>
            })
        }
        _ => None,
    };
    view! {
        <figure class="burndown">
            {chart}
            <figcaption><span id="trend-summary">{text}</span></figcaption>
        </figure>
    }
}

fn day(t: DateTime<Utc>) -> String {
    t.format("%-d %b").to_string()
}

/// A chart's scale: time from `from` to `to` across, counts from 0 to `top` up.
struct Frame {
    from: DateTime<Utc>,
    span: f64,
    top: i64,
}

impl Frame {
    fn new(from: DateTime<Utc>, to: DateTime<Utc>, top: i64) -> Self {
        let span = ((to - from).num_seconds() as f64).max(3600.0);
        Frame {
            from,
            span,
            top: top.max(1),
        }
    }

    fn x(&self, t: DateTime<Utc>) -> f64 {
        LEFT + (t - self.from).num_seconds() as f64 / self.span * (WIDTH - LEFT - RIGHT)
    }

    fn y(&self, n: i64) -> f64 {
        TOP + (1.0 - n as f64 / self.top as f64) * (HEIGHT - TOP - BOTTOM)
    }

    /// Both axes, the top and zero counts, the first day.
    fn axes(&self) -> impl IntoView {
        let base = self.y(0);
        view! {
            <line class="axis" x1=LEFT y1=TOP x2=LEFT y2=base/>
            <line class="axis" x1=LEFT y1=base x2=WIDTH - RIGHT y2=base/>
            <text class="tick" x=LEFT - 6.0 y=TOP + 4.0 text-anchor="end">{self.top.to_string()}</text>
            <text class="tick" x=LEFT - 6.0 y=base + 4.0 text-anchor="end">"0"</text>
            <text class="tick" x=LEFT y=HEIGHT - 8.0>{day(self.from)}</text>
        }
    }

    /// The counts as a line, the last one marked.
    fn line(&self, points: &[(DateTime<Utc>, i64)]) -> impl IntoView {
        let coords: Vec<String> = points
            .iter()
            .map(|(t, n)| format!("{:.1},{:.1}", self.x(*t), self.y(*n)))
            .collect();
        let (at, n) = points.last().copied().unwrap_or((self.from, 0));
        view! {
            <polyline class="remaining" points=coords.join(" ")/>
            <circle class="now" cx=self.x(at) cy=self.y(n) r="3.5"/>
        }
    }
}
