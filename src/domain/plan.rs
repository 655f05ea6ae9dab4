//! Plans: more alerts than GitHub lets one campaign hold (1,000), split into waves, each
//! published as a campaign when the one before it is closed, far enough closed, or due, and the
//! org has a free slot (GitHub allows 10 open campaigns). The form as typed, its checked values,
//! the split, and the plan as its page shows it.

use super::alert::AlertRow;
use super::campaign::Progress;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// GitHub's most alerts in one campaign.
pub const WAVE_MAX: usize = 1_000;
/// The most alerts one plan holds.
pub const PLAN_ALERTS_MAX: usize = 20_000;
/// The most plans an org keeps.
pub const PLANS_MAX: usize = 50;
/// A plan's name's most characters: the wave's campaign name adds " · wave 12/20" within
/// GitHub's 50.
pub const PLAN_NAME_MAX: usize = 36;

/// How the alerts are split into waves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// A repository's alerts together (a repository larger than a wave fills waves of its own).
    Repository,
    /// The most severe first.
    Severity,
    /// The oldest first.
    Age,
}

impl Split {
    pub const ALL: [Split; 3] = [Split::Repository, Split::Severity, Split::Age];

    pub fn as_str(self) -> &'static str {
        match self {
            Split::Repository => "repository",
            Split::Severity => "severity",
            Split::Age => "age",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Split::Repository => "By repository (a repository's alerts together)",
            Split::Severity => "By severity (most severe first)",
            Split::Age => "By age (oldest first)",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// When the next wave is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PublishWhen {
    /// The wave before it is closed.
    Closed,
    /// The wave before it has at least this share (percent) of its alerts closed.
    Share(u8),
    /// The wave before it reaches its due date.
    Due,
}

impl PublishWhen {
    pub fn as_str(self) -> &'static str {
        match self {
            PublishWhen::Closed => "closed",
            PublishWhen::Share(_) => "share",
            PublishWhen::Due => "due",
        }
    }

    pub fn describe(self) -> String {
        match self {
            PublishWhen::Closed => "when the wave before it is closed".to_owned(),
            PublishWhen::Share(p) => format!("when {p}% of the wave before it is closed"),
            PublishWhen::Due => "when the wave before it is due".to_owned(),
        }
    }
}

/// The plan form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// A template's label: its filter picks the alerts; empty: the filter fields do.
    #[serde(default)]
    pub template: String,
    /// A draft's id: the alerts picked in it (the create form's picker) are the plan's.
    #[serde(default)]
    pub draft: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub repo: String,
    #[serde(default)]
    pub split: String,
    #[serde(default)]
    pub wave_size: String,
    #[serde(default)]
    pub publish_when: String,
    #[serde(default)]
    pub share: String,
    #[serde(default)]
    pub cadence_days: String,
}

/// The form's query names, in the order its links write them.
const PLAN_QUERY: [&str; 12] = [
    "name",
    "description",
    "draft",
    "template",
    "q",
    "severity",
    "repo",
    "split",
    "wave_size",
    "publish_when",
    "share",
    "cadence_days",
];

impl super::url_state::UrlState for PlanForm {
    fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let [name, description, draft, template, q, severity, repo, split, wave_size, publish_when, share, cadence_days] =
            PLAN_QUERY.map(|k| get(k).unwrap_or_default());
        PlanForm {
            name,
            description,
            draft,
            template,
            q,
            severity,
            repo,
            split,
            wave_size,
            publish_when,
            share,
            cadence_days,
        }
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let values = [
            &self.name,
            &self.description,
            &self.draft,
            &self.template,
            &self.q,
            &self.severity,
            &self.repo,
            &self.split,
            &self.wave_size,
            &self.publish_when,
            &self.share,
            &self.cadence_days,
        ];
        super::url_state::set_pairs(&PLAN_QUERY, values.map(String::as_str))
    }
}

/// The plan form, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRequest {
    pub name: String,
    pub description: String,
    /// `None`: the filter fields.
    pub template: Option<String>,
    /// The draft whose picked alerts are the plan's (before a template or the filter).
    pub draft: Option<super::draft::DraftId>,
    pub filter: super::alert_filter::AlertFilter,
    pub split: Split,
    pub wave_size: usize,
    pub publish_when: PublishWhen,
    pub cadence_days: u32,
}

impl PlanForm {
    /// The checked form; each refused value named with its field.
    pub fn parse(&self) -> Result<PlanRequest, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.push(("name", "Give the plan a name.".to_owned()));
        } else if name.chars().count() > PLAN_NAME_MAX {
            errors.push((
                "name",
                format!("At most {PLAN_NAME_MAX} characters: each wave's campaign adds its wave number within GitHub's 50."),
            ));
        } else if name.chars().any(char::is_control) {
            errors.push((
                "name",
                "The name has characters GitHub does not keep.".to_owned(),
            ));
        }
        let description = self.description.trim();
        if description.chars().count() > 200 {
            errors.push(("description", "At most 200 characters.".to_owned()));
        }
        let split = Split::parse(self.split.trim()).unwrap_or_else(|| {
            errors.push(("split", "Choose how to split the alerts.".to_owned()));
            Split::Repository
        });
        let wave_size = match self.wave_size.trim().parse::<usize>() {
            Ok(n) if (1..=WAVE_MAX).contains(&n) => n,
            Ok(n) if n > WAVE_MAX => {
                errors.push(("wave_size", format!("GitHub allows at most {WAVE_MAX} alerts in a campaign: a wave of {n} cannot be published.")));
                WAVE_MAX
            }
            _ => {
                errors.push((
                    "wave_size",
                    format!("A whole number of alerts, 1 to {WAVE_MAX}."),
                ));
                WAVE_MAX
            }
        };
        let publish_when = match self.publish_when.trim() {
            "closed" => PublishWhen::Closed,
            "due" => PublishWhen::Due,
            "share" => match self.share.trim().parse::<u8>() {
                Ok(p) if (1..=100).contains(&p) => PublishWhen::Share(p),
                _ => {
                    errors.push(("share", "A share closed from 1 to 100 percent.".to_owned()));
                    PublishWhen::Closed
                }
            },
            _ => {
                errors.push((
                    "publish_when",
                    "Choose when the next wave is published.".to_owned(),
                ));
                PublishWhen::Closed
            }
        };
        let cadence_days = match self.cadence_days.trim().parse::<u32>() {
            Ok(d) if (1..=365).contains(&d) => d,
            _ => {
                errors.push((
                    "cadence_days",
                    "Each wave's time to its due date: 1 to 365 days.".to_owned(),
                ));
                30
            }
        };
        let text = |s: &str, field: &'static str, errors: &mut Vec<(&'static str, String)>| {
            let s = s.trim();
            if s.chars().count() > 200 || s.chars().any(char::is_control) {
                errors.push((field, "At most 200 characters of text.".to_owned()));
                String::new()
            } else {
                s.to_owned()
            }
        };
        let filter = super::alert_filter::AlertFilter {
            q: text(&self.q, "q", &mut errors),
            severity: text(&self.severity, "severity", &mut errors),
            repo: text(&self.repo, "repo", &mut errors),
            ..Default::default()
        };
        let template = Some(self.template.trim().to_owned()).filter(|t| !t.is_empty());
        let draft = match self.draft.trim() {
            "" => None,
            d => super::draft::DraftId::parse(d)
                .map_err(|_| errors.push(("draft", "Choose a draft from the list.".to_owned())))
                .ok(),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PlanRequest {
            name: name.to_owned(),
            description: description.to_owned(),
            template,
            draft,
            filter,
            split,
            wave_size,
            publish_when,
            cadence_days,
        })
    }
}

/// The order severities are worked in.
fn severity_rank(s: &str) -> usize {
    [
        "critical", "high", "medium", "low", "error", "warning", "note",
    ]
    .iter()
    .position(|x| *x == s)
    .unwrap_or(7)
}

/// `alerts` split into waves of at most `size`, in `split`'s order. By repository, a repository's
/// alerts stay in one wave when they fit in it (a wave is closed early rather than split one);
/// one with more than `size` fills waves of its own.
pub fn split_waves(mut alerts: Vec<AlertRow>, split: Split, size: usize) -> Vec<Vec<AlertRow>> {
    let size = size.clamp(1, WAVE_MAX);
    match split {
        Split::Repository => {
            alerts.sort_by(|a, b| (&a.repo, a.number).cmp(&(&b.repo, b.number)));
            let mut waves: Vec<Vec<AlertRow>> = Vec::new();
            let mut current: Vec<AlertRow> = Vec::new();
            let mut i = 0;
            while i < alerts.len() {
                let end = alerts[i..]
                    .iter()
                    .position(|a| a.repo != alerts[i].repo)
                    .map_or(alerts.len(), |n| i + n);
                let repo = &alerts[i..end];
                if !current.is_empty() && current.len() + repo.len() > size {
                    waves.push(std::mem::take(&mut current));
                }
                for a in repo {
                    if current.len() == size {
                        waves.push(std::mem::take(&mut current));
                    }
                    current.push(a.clone());
                }
                i = end;
            }
            if !current.is_empty() {
                waves.push(current);
            }
            waves
        }
        Split::Severity | Split::Age => {
            if split == Split::Severity {
                alerts.sort_by(|a, b| {
                    (severity_rank(&a.severity), a.created_at, &a.repo, a.number).cmp(&(
                        severity_rank(&b.severity),
                        b.created_at,
                        &b.repo,
                        b.number,
                    ))
                });
            } else {
                alerts.sort_by(|a, b| {
                    (a.created_at, &a.repo, a.number).cmp(&(b.created_at, &b.repo, b.number))
                });
            }
            alerts.chunks(size).map(<[AlertRow]>::to_vec).collect()
        }
    }
}

/// A wave's campaign name: the plan's name with its wave number.
pub fn wave_name(plan: &str, wave: usize, waves: usize) -> String {
    format!("{plan} · wave {wave}/{waves}")
}

/// One wave as the plan's page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaveView {
    pub wave: usize,
    pub size: usize,
    /// Its campaign, once published.
    pub campaign: Option<super::CampaignNumber>,
    pub published_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    /// Its campaign's counts as GitHub gives them now (published waves).
    pub progress: Option<Progress>,
    /// Whether its campaign is closed.
    pub closed: bool,
}

impl WaveView {
    /// Alerts of the wave closed: its campaign's count, none before it is published.
    pub fn closed_alerts(&self) -> i64 {
        self.progress.map_or(0, |p| p.closed)
    }
}

/// A plan as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub split: Split,
    pub wave_size: usize,
    pub publish_when: PublishWhen,
    pub cadence_days: u32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub waves: Vec<WaveView>,
    /// The last check's word on the next wave: waiting and why, or a publish that failed.
    pub status: String,
    /// Whether `status` is a publish that failed (after its retries).
    pub failed: bool,
}

impl PlanView {
    pub fn total(&self) -> usize {
        self.waves.iter().map(|w| w.size).sum()
    }

    pub fn closed(&self) -> i64 {
        self.waves.iter().map(WaveView::closed_alerts).sum()
    }

    /// The next wave to publish, if any is left.
    pub fn next_wave(&self) -> Option<&WaveView> {
        self.waves.iter().find(|w| w.campaign.is_none())
    }
}

/// A plan's page: the plan, and its alerts not yet closed over time across every wave (each
/// wave's campaign snapshots, the waves not yet published counted whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanPage {
    pub plan: PlanView,
    pub burndown: Vec<super::overview::OrgPoint>,
}

/// What a plan form would make, before it is kept: its waves' sizes, and their campaigns' names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanPreview {
    pub total: usize,
    pub waves: Vec<(String, usize)>,
    pub split: Split,
    pub publish_when: PublishWhen,
    pub cadence_days: u32,
    pub open_campaigns: usize,
}

/// One line of the plans list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub id: i64,
    pub name: String,
    pub waves: usize,
    pub published: usize,
    pub alerts: usize,
    pub status: String,
}

/// The org's plans page: its plans, and the templates and drafts a new plan may start from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlansPage {
    pub plans: Vec<PlanSummary>,
    pub templates: Vec<String>,
    /// Drafts (id, name, alerts picked).
    pub drafts: Vec<(i64, String, usize)>,
    pub open_campaigns: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn row(repo: &str, number: i64, severity: &str, age_days: i64) -> AlertRow {
        AlertRow {
            repo_id: repo.len() as i64,
            repo: repo.into(),
            number,
            rule_id: "r".into(),
            rule_name: "R".into(),
            severity: severity.into(),
            rule_severity: "error".into(),
            tool: "CodeQL".into(),
            path: "a".into(),
            line: 1,
            created_at: Utc::now() - Duration::days(age_days),
            html_url: String::new(),
            cwes: vec![],
        }
    }

    #[test]
    fn waves_are_at_most_the_size_and_hold_every_alert_once() {
        let alerts: Vec<AlertRow> = (0..2_500)
            .map(|i| row(&format!("org/svc-{:02}", i / 100), i % 100 + 1, "high", i))
            .collect();
        for split in Split::ALL {
            let waves = split_waves(alerts.clone(), split, 1_000);
            let sizes: Vec<usize> = waves.iter().map(Vec::len).collect();
            assert_eq!(sizes, [1_000, 1_000, 500], "{split:?}");
        }
        // By repository, a repository is not cut when it fits in a wave.
        let uneven: Vec<AlertRow> = ["a", "b", "c"]
            .iter()
            .flat_map(|r| (1..=40).map(move |n| row(r, n, "low", 1)))
            .collect();
        let waves = split_waves(uneven, Split::Repository, 70);
        assert_eq!(waves.iter().map(Vec::len).collect::<Vec<_>>(), [40, 40, 40]);
        // A repository bigger than a wave fills waves of its own.
        let big: Vec<AlertRow> = (1..=150).map(|n| row("big", n, "low", 1)).collect();
        let waves = split_waves(big, Split::Repository, 100);
        assert_eq!(waves.iter().map(Vec::len).collect::<Vec<_>>(), [100, 50]);
    }

    #[test]
    fn severity_puts_the_most_severe_first_and_age_the_oldest() {
        let alerts = vec![
            row("a", 1, "low", 10),
            row("a", 2, "critical", 1),
            row("a", 3, "high", 30),
        ];
        let by_severity = split_waves(alerts.clone(), Split::Severity, 2);
        assert_eq!(by_severity[0][0].number, 2);
        assert_eq!(by_severity[0][1].number, 3);
        let by_age = split_waves(alerts, Split::Age, 1);
        assert_eq!(
            by_age.iter().map(|w| w[0].number).collect::<Vec<_>>(),
            [3, 1, 2]
        );
    }

    #[test]
    fn the_form_refuses_a_wave_over_githubs_limit_and_names_each_field() {
        let form = PlanForm {
            name: "Q1 injection".into(),
            split: "severity".into(),
            wave_size: "1001".into(),
            publish_when: "share".into(),
            share: "0".into(),
            cadence_days: "14".into(),
            ..Default::default()
        };
        let errors = form.parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["wave_size", "share"]);
        assert!(errors[0].1.contains("at most 1000"));
        let ok = PlanForm {
            wave_size: "1000".into(),
            share: "80".into(),
            ..form
        };
        let r = ok.parse().unwrap();
        assert_eq!(
            (r.wave_size, r.publish_when),
            (1_000, PublishWhen::Share(80))
        );
        assert!(
            wave_name(&"n".repeat(PLAN_NAME_MAX), 12, 20)
                .chars()
                .count()
                <= 50
        );
    }
}
