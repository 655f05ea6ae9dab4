//! Dates as people read them: absolute with the time zone, and relative ("in 5 days").

use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// "in 5 days", "3 hours ago", "today".
pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (t - now).num_seconds();
    let abs = secs.unsigned_abs();
    let (n, unit) = match abs {
        0..=59 => return "just now".to_owned(),
        60..=3_599 => (abs / 60, "minute"),
        3_600..=86_399 => (abs / 3_600, "hour"),
        86_400..=2_591_999 => (abs / 86_400, "day"),
        2_592_000..=31_535_999 => (abs / 2_592_000, "month"),
        _ => (abs / 31_536_000, "year"),
    };
    let unit = if n == 1 {
        unit.to_owned()
    } else {
        format!("{unit}s")
    };
    if secs > 0 {
        format!("in {n} {unit}")
    } else {
        format!("{n} {unit} ago")
    }
}

pub use crate::domain::campaign::Due;

/// "in 5 days" or "overdue by 2 days" for a due date.
pub fn due_text(open: bool, ends_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if open && ends_at <= now {
        format!(
            "overdue by {}",
            relative(now, ends_at).trim_start_matches("in ")
        )
    } else {
        relative(ends_at, now)
    }
}

/// `<time>` with the absolute date (and time, when `with_time`), and the relative text. The server
/// writes UTC; once the page runs in the browser it shows the browser's time zone (the exact UTC
/// time stays in the tooltip).
#[component]
pub fn When(
    at: DateTime<Utc>,
    #[prop(optional)] with_time: bool,
    #[prop(optional, into)] relative_text: Option<String>,
) -> impl IntoView {
    let absolute = RwSignal::new(absolute_text(at, with_time, None));
    // Effects run in the browser only, where `Local` is the browser's time zone.
    Effect::new(move |_| {
        let offset = at.with_timezone(&chrono::Local).offset().local_minus_utc();
        absolute.set(absolute_text(at, with_time, Some(offset)));
    });
    let rel = relative_text.unwrap_or_else(|| relative(at, Utc::now()));
    view! {
        <time datetime=at.to_rfc3339() title=at.format("%Y-%m-%d %H:%M:%S UTC").to_string()>{absolute}</time>
        " "
        <span class="relative">"(" {rel} ")"</span>
    }
}

/// `2030-01-15 09:00 UTC+05:30` (or the date alone) at `offset_secs` east of UTC; UTC for `None`.
pub fn absolute_text(at: DateTime<Utc>, with_time: bool, offset_secs: Option<i32>) -> String {
    let offset = offset_secs
        .and_then(chrono::FixedOffset::east_opt)
        .unwrap_or_else(|| chrono::Offset::fix(&Utc));
    let local = at.with_timezone(&offset);
    if !with_time {
        return local.format("%Y-%m-%d").to_string();
    }
    let zone = match offset.local_minus_utc() {
        0 => "UTC".to_owned(),
        _ => local.format("UTC%:z").to_string(),
    };
    format!("{} {zone}", local.format("%Y-%m-%d %H:%M"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_times_name_their_offset() {
        let at: DateTime<Utc> = "2030-01-15T03:30:00Z".parse().unwrap();
        assert_eq!(absolute_text(at, true, None), "2030-01-15 03:30 UTC");
        assert_eq!(absolute_text(at, true, Some(0)), "2030-01-15 03:30 UTC");
        assert_eq!(
            absolute_text(at, true, Some(5 * 3600 + 1800)),
            "2030-01-15 09:00 UTC+05:30"
        );
        assert_eq!(
            absolute_text(at, true, Some(-8 * 3600)),
            "2030-01-14 19:30 UTC-08:00"
        );
        // The date alone is the local date too.
        assert_eq!(absolute_text(at, false, Some(-8 * 3600)), "2030-01-14");
    }

    #[test]
    fn relative_times_read_naturally() {
        let now: DateTime<Utc> = "2030-01-10T12:00:00Z".parse().unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(relative(at("2030-01-15T12:00:00Z"), now), "in 5 days");
        assert_eq!(relative(at("2030-01-10T09:00:00Z"), now), "3 hours ago");
        assert_eq!(relative(at("2030-01-11T12:00:00Z"), now), "in 1 day");
        assert_eq!(
            due_text(true, at("2030-01-08T12:00:00Z"), now),
            "overdue by 2 days"
        );
        assert_eq!(
            due_text(false, at("2030-01-08T12:00:00Z"), now),
            "2 days ago"
        );
    }

    #[test]
    fn due_status_depends_on_state_and_distance() {
        let now: DateTime<Utc> = "2030-01-10T12:00:00Z".parse().unwrap();
        let days = |d: i64| now + chrono::Duration::days(d);
        assert_eq!(Due::of(false, days(-3), now), Due::Closed);
        assert_eq!(Due::of(true, days(-1), now), Due::Overdue);
        assert_eq!(Due::of(true, days(3), now), Due::DueSoon);
        assert_eq!(Due::of(true, days(30), now), Due::OnTrack);
    }
}
