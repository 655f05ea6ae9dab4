//! A campaign's counts over time (snapshots the app stored when it read them) and the pace they
//! show: a straight line through the remaining alerts, projected to zero against the due date.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A campaign's counts at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub at: DateTime<Utc>,
    pub open: i64,
    pub in_progress: i64,
    pub closed: i64,
}

impl Snapshot {
    /// Alerts not yet closed (never below zero, whatever was stored).
    pub fn remaining(&self) -> i64 {
        self.open.saturating_add(self.in_progress).max(0)
    }
}

/// At most `max` of `points`, evenly spread, the first and the last always kept.
pub fn thin<T: Copy>(points: Vec<T>, max: usize) -> Vec<T> {
    if points.len() <= max || max < 2 {
        return points;
    }
    let last = points.len() - 1;
    (0..max).map(|i| points[i * last / (max - 1)]).collect()
}

/// Where the straight line through the snapshots leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pace {
    /// Nothing remains.
    Done,
    /// The line reaches zero by the due date (on `finish`).
    OnTrack { finish: DateTime<Utc> },
    /// The line reaches zero after the due date (`Some`), or does not go down (`None`).
    Behind { finish: Option<DateTime<Utc>> },
    /// Fewer than two snapshots an hour apart.
    Unknown,
}

/// The pace of `points` (oldest first) against `ends_at`: a least-squares line through the
/// remaining alerts, projected from the last snapshot to zero.
pub fn pace(points: &[Snapshot], ends_at: DateTime<Utc>) -> Pace {
    let Some(last) = points.last() else {
        return Pace::Unknown;
    };
    if last.remaining() == 0 {
        return Pace::Done;
    }
    let first = points[0];
    if points.len() < 2 || last.at - first.at < Duration::hours(1) {
        return Pace::Unknown;
    }
    let n = points.len() as f64;
    let xs: Vec<f64> = points
        .iter()
        .map(|p| (p.at - first.at).num_seconds() as f64)
        .collect();
    let ys: Vec<f64> = points.iter().map(|p| p.remaining() as f64).collect();
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    if slope >= 0.0 {
        return Pace::Behind { finish: None };
    }
    // Within about a century: a line that barely slopes would otherwise reach past what a date
    // can hold.
    let seconds = (last.remaining() as f64 / -slope).clamp(0.0, 3.0e9) as i64;
    let Some(finish) = last.at.checked_add_signed(Duration::seconds(seconds)) else {
        return Pace::Behind { finish: None };
    };
    if finish <= ends_at {
        Pace::OnTrack { finish }
    } else {
        Pace::Behind {
            finish: Some(finish),
        }
    }
}

impl Pace {
    pub fn label(self) -> &'static str {
        match self {
            Pace::Done => "Done",
            Pace::OnTrack { .. } => "On track",
            Pace::Behind { .. } => "Behind",
            Pace::Unknown => "Too early to tell",
        }
    }
}

/// One sentence saying what the chart shows, for those who cannot see it.
pub fn summary(points: &[Snapshot], ends_at: DateTime<Utc>) -> String {
    let day = |t: DateTime<Utc>| t.format("%-d %b %Y").to_string();
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return "No counts recorded yet: they are kept each time the campaign is viewed here."
            .to_owned();
    };
    let went = format!(
        "Alerts not yet closed went from {} on {} to {} on {}",
        first.remaining(),
        day(first.at),
        last.remaining(),
        day(last.at)
    );
    let due = day(ends_at);
    match pace(points, ends_at) {
        Pace::Done => format!("{went}: every alert is closed."),
        Pace::OnTrack { finish } => format!(
            "{went}. At this pace the last would close on {}, by the due date ({due}): on track.",
            day(finish)
        ),
        Pace::Behind {
            finish: Some(finish),
        } => format!(
            "{went}. At this pace the last would close on {}, after the due date ({due}): behind.",
            day(finish)
        ),
        Pace::Behind { finish: None } => {
            format!("{went}. They are not going down, and the campaign is due {due}: behind.")
        }
        Pace::Unknown => format!("{went}. Too little history to project a pace yet."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(days: i64, remaining: i64) -> Snapshot {
        let start = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        Snapshot {
            at: start + Duration::days(days),
            open: remaining,
            in_progress: 0,
            closed: 100 - remaining,
        }
    }

    #[test]
    fn a_straight_line_decides_on_track_or_behind() {
        let points = [at(0, 100), at(10, 80), at(20, 60)];
        // 2 a day: zero 30 days after the last snapshot, on day 50.
        let due = |d: i64| at(d, 0).at;
        match pace(&points, due(50)) {
            Pace::OnTrack { finish } => assert_eq!(finish, due(50)),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            pace(&points, due(40)),
            Pace::Behind {
                finish: Some(due(50))
            }
        );
        assert_eq!(
            pace(&[at(0, 10), at(5, 12)], due(40)),
            Pace::Behind { finish: None }
        );
        assert_eq!(pace(&[at(0, 10)], due(40)), Pace::Unknown);
        assert_eq!(pace(&[at(0, 10), at(1, 0)], due(40)), Pace::Done);
        assert!(summary(&points, due(40)).ends_with("behind."));
    }

    #[test]
    fn broken_counts_give_an_answer_not_a_panic() {
        let due = at(50, 0).at;
        let extreme = |remaining: i64| Snapshot {
            in_progress: remaining,
            ..at(20, 0)
        };
        for last in [i64::MIN, -5, i64::MAX] {
            let points = [at(0, 100), at(10, 80), extreme(last)];
            let _ = pace(&points, due);
            let _ = summary(&points, due);
        }
        // A huge count dropping by one: a finish past what a date holds is "behind", no date.
        let huge = [
            Snapshot {
                open: i64::MAX,
                ..at(0, 0)
            },
            Snapshot {
                open: i64::MAX - 1,
                ..at(1, 0)
            },
        ];
        assert!(matches!(pace(&huge, due), Pace::Behind { .. }));
    }
}
