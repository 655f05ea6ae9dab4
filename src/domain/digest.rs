//! Digests and reminders: the channels an org's managers subscribe (Slack, Teams, email), what
//! the weekly digest holds, and how each channel's message is written. Pure: the server builds
//! and sends, the pages show.

use crate::domain::background::JobRun;
use crate::domain::history::Pace;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The most channels an org keeps.
pub const MAX_CHANNELS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChannelKind {
    /// A Slack incoming webhook (`https://hooks.slack.com/…`).
    Slack,
    /// A Microsoft Teams workflow webhook (Power Automate's "when a webhook request is received").
    Teams,
    /// An email address, through the server's SMTP relay.
    Email,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 3] = [ChannelKind::Slack, ChannelKind::Teams, ChannelKind::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Slack => "slack",
            ChannelKind::Teams => "teams",
            ChannelKind::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ChannelKind::Slack => "Slack webhook",
            ChannelKind::Teams => "Teams workflow webhook",
            ChannelKind::Email => "Email",
        }
    }
}

/// What a channel gets, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub weekly: bool,
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u8,
    /// 0–23, in `time_zone`.
    pub hour: u8,
    /// An IANA zone name (`Europe/Paris`), checked by the server.
    pub time_zone: String,
    /// Due-date reminders: 7 days, 1 day, overdue.
    pub reminders: bool,
    /// "Now behind": a campaign's projection slips past its due date.
    pub behind: bool,
}

pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// A channel as the subscribe form posts it, not yet checked (the server checks every field).
/// A checkbox is present (`Some`) when ticked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelForm {
    pub kind: String,
    pub target: String,
    pub weekly: Option<String>,
    pub weekday: String,
    pub hour: String,
    pub time_zone: String,
    pub reminders: Option<String>,
    pub behind: Option<String>,
}

impl Schedule {
    /// The schedule in words (`Weekly on Monday at 09:00 Europe/Paris; reminders; now behind`).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.weekly {
            let day = WEEKDAYS
                .get(usize::from(self.weekday))
                .copied()
                .unwrap_or("?");
            parts.push(format!(
                "Weekly digest on {day} at {:02}:00 {}",
                self.hour, self.time_zone
            ));
        }
        if self.reminders {
            parts.push("due-date reminders".to_owned());
        }
        if self.behind {
            parts.push("\u{201c}now behind\u{201d}".to_owned());
        }
        parts.join("; ")
    }
}

/// A subscribed channel as the page shows it: never its target in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelView {
    pub id: i64,
    pub kind: ChannelKind,
    /// Enough of the target to tell channels apart (`hooks.slack.com/…/a1B2`, `s•••@example.com`).
    pub hint: String,
    pub schedule: Schedule,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// One message sent (or tried) to a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: i64,
    pub channel_id: i64,
    /// `weekly`, `reminder`, `behind` or `test`.
    pub message: String,
    pub period: String,
    pub at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub attempts: i64,
    /// `sending`, `sent` or `failed`.
    pub outcome: String,
    /// Why it failed, in words that hold no secret.
    pub error: String,
}

/// The digests page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestsPage {
    pub org: String,
    /// Why scheduled digests and reminders cannot run for the org now (no App, not installed);
    /// `None` when they run.
    pub stopped: Option<String>,
    /// Whether the server has an SMTP relay (email channels need one).
    pub email: bool,
    pub channels: Vec<ChannelView>,
    pub deliveries: Vec<DeliveryView>,
    pub runs: Vec<JobRun>,
}

/// A campaign as the digest shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestCampaign {
    pub number: i64,
    pub name: String,
    /// This app's page of the campaign.
    pub url: String,
    pub ends_at: DateTime<Utc>,
    pub remaining: i64,
    pub pace: Pace,
    /// Alerts closed in the last 7 days, from the kept snapshots (none old enough: `None`).
    pub closed_this_week: Option<i64>,
}

/// The weekly digest of one org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    pub org: String,
    pub at: DateTime<Utc>,
    /// This app's overview of the org.
    pub url: String,
    pub campaigns: Vec<DigestCampaign>,
    /// Repositories with open alerts and none closed in 14 days, from the alert index (`None`:
    /// the index has not been synced for the org).
    pub quiet_repositories: Option<Vec<String>>,
    pub drafts_waiting: usize,
    pub drafts_url: String,
}

/// A message ready for a channel: a subject (email) and the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub subject: String,
    pub text: String,
}

impl Digest {
    pub fn on_track(&self) -> impl Iterator<Item = &DigestCampaign> {
        self.campaigns
            .iter()
            .filter(|c| matches!(c.pace, Pace::OnTrack { .. } | Pace::Done))
    }

    pub fn behind(&self) -> impl Iterator<Item = &DigestCampaign> {
        self.campaigns
            .iter()
            .filter(|c| matches!(c.pace, Pace::Behind { .. }))
    }

    /// Open campaigns due within 7 days of the digest.
    pub fn due_soon(&self) -> impl Iterator<Item = &DigestCampaign> {
        let soon = self.at + chrono::Duration::days(7);
        self.campaigns
            .iter()
            .filter(move |c| c.ends_at >= self.at && c.ends_at <= soon)
    }

    /// The digest as `kind` writes it: names from GitHub are escaped for the channel's markup.
    pub fn message(&self, kind: ChannelKind) -> Message {
        let day = |t: DateTime<Utc>| t.format("%-d %b %Y").to_string();
        let link = |text: &str, url: &str| linked(kind, text, url);
        let mut out = Vec::new();
        out.push(format!(
            "Weekly campaigns digest for {} — {}",
            plain(kind, &self.org),
            day(self.at)
        ));
        let line = |c: &DigestCampaign| {
            let closed = match c.closed_this_week {
                Some(n) => format!("{n} closed this week"),
                None => "closed this week: not enough history yet".to_owned(),
            };
            let projection = match c.pace {
                Pace::OnTrack { finish } => format!("projected to finish {}", day(finish)),
                Pace::Behind {
                    finish: Some(finish),
                } => format!("projected to finish {}", day(finish)),
                Pace::Behind { finish: None } => "not going down".to_owned(),
                Pace::Done => "every alert closed".to_owned(),
                Pace::Unknown => "too early to project".to_owned(),
            };
            format!(
                "• {} — {} open, due {}, {projection}; {closed}",
                link(&c.name, &c.url),
                c.remaining,
                day(c.ends_at)
            )
        };
        let mut section = |title: String, lines: Vec<String>, empty: &str| {
            out.push(String::new());
            out.push(title);
            if lines.is_empty() {
                out.push(empty.to_owned());
            } else {
                out.extend(lines);
            }
        };
        let behind: Vec<String> = self.behind().map(line).collect();
        section(format!("Behind ({})", behind.len()), behind, "None.");
        let on_track: Vec<String> = self.on_track().map(line).collect();
        section(format!("On track ({})", on_track.len()), on_track, "None.");
        let unknown: Vec<String> = (self.campaigns.iter())
            .filter(|c| c.pace == Pace::Unknown)
            .map(line)
            .collect();
        if !unknown.is_empty() {
            section(
                format!("Too early to tell ({})", unknown.len()),
                unknown,
                "",
            );
        }
        let soon: Vec<String> = self
            .due_soon()
            .map(|c| format!("• {} — due {}", link(&c.name, &c.url), day(c.ends_at)))
            .collect();
        section("Due within 7 days".to_owned(), soon, "None.");
        match &self.quiet_repositories {
            Some(repos) => section(
                "Repositories with nothing closed in 14 days".to_owned(),
                repos
                    .iter()
                    .map(|r| format!("• {}", plain(kind, r)))
                    .collect(),
                "None.",
            ),
            None => section(
                "Repositories with nothing closed in 14 days".to_owned(),
                Vec::new(),
                "Not known yet: the org's alert index has not been synced.",
            ),
        }
        section(
            "Drafts waiting".to_owned(),
            vec![format!(
                "{} draft(s) waiting — {}",
                self.drafts_waiting,
                link("open the drafts", &self.drafts_url)
            )],
            "",
        );
        out.push(String::new());
        out.push(format!(
            "Overview: {}",
            link("open in campaigns-admin", &self.url)
        ));
        Message {
            subject: format!("Campaigns digest: {} — {}", self.org, day(self.at)),
            text: out.join("\n"),
        }
    }
}

/// A due-date reminder or a "now behind" message about one campaign.
pub fn campaign_message(kind: ChannelKind, org: &str, c: &DigestCampaign, what: &str) -> Message {
    let day = |t: DateTime<Utc>| t.format("%-d %b %Y").to_string();
    let name = linked(kind, &c.name, &c.url);
    let (subject, text) = match what {
        "behind" => (
            format!("Campaign now behind: {}", c.name),
            match c.pace {
                Pace::Behind {
                    finish: Some(finish),
                } => format!(
                    "{name} ({}) is now behind: at this pace its last alert closes on {}, after its due date ({}). {} alert(s) open.",
                    plain(kind, org), day(finish), day(c.ends_at), c.remaining
                ),
                _ => format!(
                    "{name} ({}) is now behind: its open alerts are not going down, and it is due {}. {} alert(s) open.",
                    plain(kind, org), day(c.ends_at), c.remaining
                ),
            },
        ),
        "overdue" => (
            format!("Campaign overdue: {}", c.name),
            format!(
                "{name} ({}) was due {} and still has {} alert(s) open.",
                plain(kind, org),
                day(c.ends_at),
                c.remaining
            ),
        ),
        step => (
            format!("Campaign due in {step}: {}", c.name),
            format!(
                "{name} ({}) is due in {step}, on {}: {} alert(s) open.",
                plain(kind, org),
                day(c.ends_at),
                c.remaining
            ),
        ),
    };
    Message { subject, text }
}

/// The reminder step a campaign due at `ends_at` has reached at `now`: `7 days`, `1 day`,
/// `overdue`, or none yet.
pub fn reminder_step(ends_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<&'static str> {
    let left = ends_at - now;
    if left < chrono::Duration::zero() {
        Some("overdue")
    } else if left <= chrono::Duration::days(1) {
        Some("1 day")
    } else if left <= chrono::Duration::days(7) {
        Some("7 days")
    } else {
        None
    }
}

/// `text` linked to `url` in the channel's markup.
fn linked(kind: ChannelKind, text: &str, url: &str) -> String {
    match kind {
        ChannelKind::Slack => format!("<{url}|{}>", plain(kind, text)),
        ChannelKind::Teams => format!("[{}]({url})", plain(kind, text)),
        ChannelKind::Email => format!("{text} <{url}>"),
    }
}

/// `text` (a name from GitHub or a person) made inert in the channel's markup: Slack's control
/// characters are `&`, `<` and `>`; Teams reads Markdown; email is plain text.
pub fn plain(kind: ChannelKind, text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match kind {
        ChannelKind::Slack => one_line
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;"),
        ChannelKind::Teams => one_line.chars().fold(String::new(), |mut s, c| {
            if "\\`*_{}[]()<>#+-.!|~".contains(c) {
                s.push('\\');
            }
            s.push(c);
            s
        }),
        ChannelKind::Email => one_line,
    }
}

/// Checks a channel's target as typed: the message next to the field when it is refused.
/// `loopback_ok`: a local receiver (`http://127.0.0.1:…`) is accepted (demo mode only).
pub fn check_target(kind: ChannelKind, target: &str, loopback_ok: bool) -> Result<(), String> {
    let target = target.trim();
    if target.is_empty() {
        return Err(match kind {
            ChannelKind::Email => "Enter an email address.".to_owned(),
            _ => "Enter the webhook URL.".to_owned(),
        });
    }
    if target.len() > 2_000 {
        return Err("That is too long to be a webhook URL or an address.".to_owned());
    }
    if kind == ChannelKind::Email {
        let ok = target.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty()
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !target
                    .chars()
                    .any(|c| c.is_whitespace() || "<>,;\"".contains(c))
        }) && target.len() <= 254;
        return if ok {
            Ok(())
        } else {
            Err(format!("`{target}` is not an email address."))
        };
    }
    let Some((scheme, rest)) = target.split_once("://") else {
        return Err("Enter a full URL, starting with https://.".to_owned());
    };
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host_port.contains('@') {
        return Err("A webhook URL cannot hold a user name or password.".to_owned());
    }
    let host = host_port
        .rsplit_once(':')
        .map_or(host_port, |(h, _)| h)
        .to_ascii_lowercase();
    let loopback = matches!(host.as_str(), "127.0.0.1" | "localhost");
    if loopback && loopback_ok && (scheme == "http" || scheme == "https") {
        return Ok(());
    }
    if scheme != "https" {
        return Err(
            "The webhook URL must start with https:// (messages carry your campaigns' names)."
                .to_owned(),
        );
    }
    let vendor = match kind {
        ChannelKind::Slack => host == "hooks.slack.com",
        ChannelKind::Teams => [
            ".logic.azure.com",
            ".powerplatform.com",
            ".webhook.office.com",
        ]
        .iter()
        .any(|suffix| host.ends_with(suffix)),
        ChannelKind::Email => true,
    };
    if !vendor {
        return Err(match kind {
            ChannelKind::Slack => format!("A Slack incoming webhook is on hooks.slack.com, not {host}."),
            _ => format!("A Teams workflow webhook is on *.logic.azure.com or *.powerplatform.com (or *.webhook.office.com), not {host}."),
        });
    }
    Ok(())
}

/// What of a target the page shows: a webhook's host and the last 4 characters, an address's
/// first letter and domain.
pub fn hint(kind: ChannelKind, target: &str) -> String {
    let target = target.trim();
    match kind {
        ChannelKind::Email => match target.split_once('@') {
            Some((user, host)) => {
                let first: String = user.chars().take(1).collect();
                format!("{first}•••@{host}")
            }
            None => "•••".to_owned(),
        },
        _ => {
            let rest = target.split_once("://").map_or(target, |(_, r)| r);
            let host = rest.split('/').next().unwrap_or_default();
            let tail: String = {
                let chars: Vec<char> = target.chars().collect();
                chars[chars.len().saturating_sub(4)..].iter().collect()
            };
            format!("{host}/…{tail}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_must_be_https_on_the_vendors_host() {
        let slack = ChannelKind::Slack;
        assert!(check_target(slack, "https://hooks.slack.com/services/T/B/x", false).is_ok());
        let err = check_target(slack, "http://hooks.slack.com/services/T/B/x", false).unwrap_err();
        assert!(err.contains("https://"), "{err}");
        let err = check_target(slack, "https://hooks.example.com/services/x", false).unwrap_err();
        assert!(err.contains("hooks.slack.com"), "{err}");
        let err =
            check_target(slack, "https://evil.com@hooks.slack.com/services/x", false).unwrap_err();
        assert!(err.contains("user name"), "{err}");
        let teams = ChannelKind::Teams;
        assert!(check_target(
            teams,
            "https://prod-12.westeurope.logic.azure.com:443/workflows/abc",
            false
        )
        .is_ok());
        assert!(check_target(teams, "https://hooks.slack.com/services/x", false).is_err());
        assert!(check_target(slack, "http://127.0.0.1:9/hook", false).is_err());
        assert!(check_target(slack, "http://127.0.0.1:9/hook", true).is_ok());
        assert!(check_target(ChannelKind::Email, "sec@example.com", false).is_ok());
        assert!(check_target(ChannelKind::Email, "not an address", false).is_err());
        assert!(check_target(ChannelKind::Email, "a@b.c, d@e.f", false).is_err());
    }

    #[test]
    fn hints_never_show_the_whole_target() {
        let url = "https://hooks.slack.com/services/T000/B000/SECRETSECRETa1B2";
        let h = hint(ChannelKind::Slack, url);
        assert_eq!(h, "hooks.slack.com/…a1B2");
        assert!(!h.contains("SECRET"));
        assert_eq!(
            hint(ChannelKind::Email, "sam@example.com"),
            "s•••@example.com"
        );
    }

    #[test]
    fn names_are_inert_in_each_channels_markup() {
        let name = "<https://evil.example|click> & *bold* [x](y)";
        let slack = plain(ChannelKind::Slack, name);
        assert!(!slack.contains('<') && !slack.contains('>'), "{slack}");
        let teams = plain(ChannelKind::Teams, name);
        assert!(teams.contains("\\[x\\]\\(y\\)"), "{teams}");
        assert_eq!(plain(ChannelKind::Email, "a\nb"), "a b");
    }

    #[test]
    fn reminder_steps_follow_the_due_date() {
        let now = Utc::now();
        let d = chrono::Duration::days;
        assert_eq!(reminder_step(now + d(10), now), None);
        assert_eq!(reminder_step(now + d(6), now), Some("7 days"));
        assert_eq!(
            reminder_step(now + chrono::Duration::hours(20), now),
            Some("1 day")
        );
        assert_eq!(reminder_step(now - d(1), now), Some("overdue"));
    }
}
