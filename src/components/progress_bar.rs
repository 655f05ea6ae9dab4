//! Campaign progress: closed / in progress / open, with the closed percentage.

use crate::domain::campaign::Progress;
use leptos::prelude::*;

/// A bar of `segments` (`seg` class, count), the share `percent` beside it, and `label` for
/// those who cannot see it.
#[component]
pub fn SegmentedBar(
    segments: Vec<(&'static str, i64)>,
    percent: i64,
    label: String,
) -> impl IntoView {
    let total = segments.iter().map(|(_, n)| n).sum::<i64>().max(1) as f64;
    view! {
        <div class="progress" role="img" aria-label=label.clone() title=label>
            <div class="progress-track">
                {segments.into_iter().map(|(class, n)| {
                    let width = format!("width: {:.2}%", n as f64 * 100.0 / total);
                    view! { <span class=format!("seg {class}") style=width></span> }
                }).collect_view()}
            </div>
            <span class="progress-percent">{format!("{percent}%")}</span>
        </div>
    }
}

#[component]
pub fn ProgressBar(progress: Progress, #[prop(optional)] detailed: bool) -> impl IntoView {
    let label = format!(
        "{}% closed: {} closed, {} in progress, {} open",
        progress.closed_percent(),
        progress.closed,
        progress.in_progress,
        progress.open
    );
    let segments = vec![
        ("closed", progress.closed),
        ("in-progress", progress.in_progress),
        ("open", progress.open),
    ];
    view! {
        <SegmentedBar segments percent=progress.closed_percent() label/>
        {detailed.then(|| view! {
            <ul class="progress-legend">
                <li><span class="dot closed"></span>{format!("{} closed", progress.closed)}</li>
                <li><span class="dot in-progress"></span>{format!("{} in progress", progress.in_progress)}</li>
                <li><span class="dot open"></span>{format!("{} open", progress.open)}</li>
            </ul>
        })}
    }
}
