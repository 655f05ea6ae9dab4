//! Campaign progress: closed / in progress / open, with the closed percentage.

use crate::domain::campaign::Progress;
use leptos::prelude::*;

#[component]
pub fn ProgressBar(progress: Progress, #[prop(optional)] detailed: bool) -> impl IntoView {
    let total = progress.total().max(1) as f64;
    let width = |n: i64| format!("width: {:.2}%", n as f64 * 100.0 / total);
    let label = format!(
        "{}% closed: {} closed, {} in progress, {} open",
        progress.closed_percent(),
        progress.closed,
        progress.in_progress,
        progress.open
    );
    view! {
        <div class="progress" role="img" aria-label=label.clone() title=label>
            <div class="progress-track">
                <span class="seg closed" style=width(progress.closed)></span>
                <span class="seg in-progress" style=width(progress.in_progress)></span>
                <span class="seg open" style=width(progress.open)></span>
            </div>
            <span class="progress-percent">{format!("{}%", progress.closed_percent())}</span>
        </div>
        {detailed.then(|| view! {
            <ul class="progress-legend">
                <li><span class="dot closed"></span>{format!("{} closed", progress.closed)}</li>
                <li><span class="dot in-progress"></span>{format!("{} in progress", progress.in_progress)}</li>
                <li><span class="dot open"></span>{format!("{} open", progress.open)}</li>
            </ul>
        })}
    }
}
