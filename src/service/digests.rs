//! Digests and reminders: an org's owners and security managers subscribe channels (Slack, Teams,
//! email); the scheduled jobs send the weekly digest, due-date reminders and "now behind" to them,
//! each at most once a period; a person can preview the next digest and send a test.
//!
//! People's requests read GitHub with their own token; scheduled sends with the GitHub App's
//! installation token for the org. A channel's target (a webhook URL holds its own secret) is
//! sealed with the session key, never shown back in full, never logged.

use crate::domain::background::Job;
use crate::domain::digest::{
    self, campaign_message, reminder_step, ChannelForm, ChannelKind, ChannelView, Digest,
    DigestCampaign, DigestsPage, Message, Schedule,
};
use crate::domain::history::{pace, Pace};
use crate::domain::{paths, OrgLogin};
use crate::error::AppError;
use crate::settings::Mode;
use crate::state::AppState;
use crate::store::digests::StoredChannel;
use chrono::{DateTime, Datelike, TimeZone, Utc};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

const MANAGE: &str = "manage its digests";
/// Deliveries and runs the page lists.
const PAGE_ROWS: i64 = 25;
/// A webhook or mail server that has not answered by then has failed this try.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// The digests page of `org`, for an owner or security manager.
pub async fn page(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
) -> Result<DigestsPage, AppError> {
    (state.managers)
        .require(&state.github, token, org, MANAGE)
        .await?;
    let store = state.store.digests();
    let channels: Vec<ChannelView> = store.list(org).await?.into_iter().map(|c| c.view).collect();
    let mut scopes = vec![org.as_str().to_owned()];
    scopes.extend(channels.iter().map(|c| format!("channel:{}", c.id)));
    Ok(DigestsPage {
        org: org.as_str().to_owned(),
        stopped: stopped(state, org).await,
        email: state.settings.smtp.is_some(),
        deliveries: store.recent(org, PAGE_ROWS).await?,
        runs: state.store.jobs().recent(&scopes, PAGE_ROWS).await?,
        channels,
    })
}

/// Why scheduled sends do not run for `org` now, in words; `None` when they do.
async fn stopped(state: &AppState, org: &OrgLogin) -> Option<String> {
    let Some(app) = &state.app else {
        return Some("No GitHub App is configured on this server: scheduled digests and reminders are off (tests and previews still work).".to_owned());
    };
    match app.installation(&state.github, org).await {
        Ok(_) if !state.settings.jobs.enabled => Some(
            "This instance does not run the scheduled jobs (jobs.enabled is off): another instance must.".to_owned(),
        ),
        Ok(_) => None,
        Err(AppError::NotFound) => Some(format!(
            "The GitHub App is not installed on {org}: its scheduled digests and reminders are stopped until it is."
        )),
        Err(e) => Some(format!("GitHub could not tell whether the App is installed on {org}: {e}")),
    }
}

/// Subscribes a channel for `org`: its id. Refused with a message next to the field when the
/// target or the schedule is wrong, or the org has as many channels as it may.
pub async fn subscribe(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    form: ChannelForm,
    by: &str,
) -> Result<i64, AppError> {
    (state.managers)
        .require(&state.github, token, org, MANAGE)
        .await?;
    let (kind, schedule) = check(state, &form)?;
    let target = form.target.trim();
    let sealed = state.cipher.encrypt(&SecretString::from(target.to_owned()));
    let hint = digest::hint(kind, target);
    match (state.store.digests())
        .add(org, kind, &sealed, &hint, &schedule, by)
        .await?
    {
        Some(id) => Ok(id),
        None => Err(AppError::invalid(
            "kind",
            format!(
                "{org} has {} channels, the most it can have: remove one first.",
                digest::MAX_CHANNELS
            ),
        )),
    }
}

/// Every field of `form` checked: the kind and schedule, or the first refusal.
fn check(state: &AppState, form: &ChannelForm) -> Result<(ChannelKind, Schedule), AppError> {
    let kind = ChannelKind::parse(form.kind.trim())
        .ok_or_else(|| AppError::invalid("kind", "Choose Slack, Teams or email.".to_owned()))?;
    if kind == ChannelKind::Email && state.settings.smtp.is_none() {
        return Err(AppError::invalid("kind", "This server has no mail server set up (smtp.host): choose Slack or Teams, or ask whoever runs it.".to_owned()));
    }
    let loopback_ok = state.settings.mode == Mode::Demo;
    digest::check_target(kind, &form.target, loopback_ok)
        .map_err(|m| AppError::invalid("target", m))?;
    if kind == ChannelKind::Email
        && form
            .target
            .trim()
            .parse::<lettre::message::Mailbox>()
            .is_err()
    {
        return Err(AppError::invalid(
            "target",
            format!("`{}` is not an email address.", form.target.trim()),
        ));
    }
    let weekday = below(&form.weekday, 7, "weekday", "Choose a day of the week.")?;
    let hour = below(&form.hour, 24, "hour", "Choose an hour from 0 to 23.")?;
    let time_zone = form.time_zone.trim();
    if time_zone.parse::<chrono_tz::Tz>().is_err() {
        return Err(AppError::invalid(
            "time_zone",
            format!(
                "`{time_zone}` is not a time zone name such as Europe/Paris or America/New_York."
            ),
        ));
    }
    let (weekly, reminders, behind) = (
        form.weekly.is_some(),
        form.reminders.is_some(),
        form.behind.is_some(),
    );
    if !weekly && !reminders && !behind {
        return Err(AppError::invalid(
            "weekly",
            "Choose at least one: the weekly digest, reminders, or \"now behind\".".to_owned(),
        ));
    }
    Ok((
        kind,
        Schedule {
            weekly,
            weekday,
            hour,
            time_zone: time_zone.to_owned(),
            reminders,
            behind,
        },
    ))
}

/// A form's number below `limit`, or `refusal` next to `field`.
fn below(value: &str, limit: u8, field: &str, refusal: &str) -> Result<u8, AppError> {
    (value.trim().parse().ok())
        .filter(|n| *n < limit)
        .ok_or_else(|| AppError::invalid(field, refusal))
}

/// Removes `org`'s channel `id` and its deliveries.
pub async fn unsubscribe(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    id: i64,
) -> Result<(), AppError> {
    (state.managers)
        .require(&state.github, token, org, MANAGE)
        .await?;
    if state.store.digests().remove(org, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The org's channel `id`, or 404 (another org's is not found either).
async fn channel_of(state: &AppState, org: &OrgLogin, id: i64) -> Result<StoredChannel, AppError> {
    match state.store.digests().get(id).await? {
        Some(c) if &c.org == org => Ok(c),
        _ => Err(AppError::NotFound),
    }
}

/// The next digest to channel `id`, as it will be sent (read now with the person's token).
pub async fn preview(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    id: i64,
) -> Result<Message, AppError> {
    (state.managers)
        .require(&state.github, token, org, MANAGE)
        .await?;
    let channel = channel_of(state, org, id).await?;
    Ok(build(state, token, org, Utc::now())
        .await?
        .message(channel.view.kind))
}

/// Sends the digest to channel `id` now, as a test: the delivery's id. The send itself is a
/// job (retried like the others); the page shows its outcome in the delivery log.
pub async fn send_test(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    id: i64,
) -> Result<i64, AppError> {
    let mut message = preview(state, token, org, id).await?;
    message.subject = format!("[Test] {}", message.subject);
    let period = format!("test:{}", Utc::now().timestamp_micros());
    let delivery_id = (state.store.digests())
        .claim(id, org, "test", &period, &message)
        .await?
        .ok_or(AppError::Internal)?;
    (state.store.jobs())
        .enqueue(Job::Send { delivery_id })
        .await?;
    Ok(delivery_id)
}

/// What is due at `now`: each weekly digest whose day and hour (in its zone) came in the last
/// day, and each org's hourly reminder check. The same period twice is one job (the caller
/// enqueues each once), so a clock change that repeats an hour sends nothing twice, and one that
/// skips it sends at the next tick.
pub async fn due(state: &AppState, now: DateTime<Utc>) -> Result<Vec<Job>, AppError> {
    if state.app.is_none() {
        return Ok(Vec::new());
    }
    let channels = state.store.digests().all().await?;
    let mut jobs = Vec::new();
    let hour = now.format("%Y-%m-%dT%H").to_string();
    let mut orgs: Vec<&OrgLogin> = Vec::new();
    for c in &channels {
        let s = &c.view.schedule;
        if s.weekly {
            if let Some(week) = weekly_due(s, now) {
                jobs.push(Job::Digest {
                    channel_id: c.view.id,
                    week,
                });
            }
        }
        if (s.reminders || s.behind) && !orgs.contains(&&c.org) {
            orgs.push(&c.org);
        }
    }
    jobs.extend(orgs.into_iter().map(|org| Job::Reminders {
        org: org.as_str().to_owned(),
        hour: hour.clone(),
    }));
    Ok(jobs)
}

/// The ISO week (in the schedule's zone) whose digest is due at `now`, if its day and hour came
/// within the last day.
pub fn weekly_due(s: &Schedule, now: DateTime<Utc>) -> Option<String> {
    let tz: chrono_tz::Tz = s.time_zone.parse().ok()?;
    let local = now.with_timezone(&tz);
    let monday = local.date_naive()
        - chrono::Duration::days(i64::from(local.weekday().num_days_from_monday()));
    let day = monday + chrono::Duration::days(i64::from(s.weekday));
    // An hour a clock change skips is taken as the next one that exists.
    let at = (0..3).find_map(|extra| {
        let naive = day.and_hms_opt(u32::from(s.hour), 0, 0)? + chrono::Duration::hours(extra);
        tz.from_local_datetime(&naive).earliest()
    })?;
    let at = at.with_timezone(&Utc);
    let since = now - at;
    (since >= chrono::Duration::zero() && since < chrono::Duration::days(1))
        .then(|| day.format("%G-W%V").to_string())
}

/// The weekly digest to channel `id` for `week`, with the App's token for the org.
pub async fn send_weekly(state: &AppState, id: i64, week: &str) -> Result<String, AppError> {
    let Some(channel) = state.store.digests().get(id).await? else {
        return Err(stopped_because("the channel was removed"));
    };
    let token = app_token(state, &channel.org).await?;
    let message = build(state, &token, &channel.org, Utc::now())
        .await?
        .message(channel.view.kind);
    let claimed = (state.store.digests())
        .claim(id, &channel.org, "weekly", week, &message)
        .await?;
    match claimed {
        None => Ok(format!("The digest of {week} was sent already.")),
        Some(delivery) => send_claimed(state, delivery).await,
    }
}

/// The org's reminders due now (7 days, 1 day, overdue) and "now behind" messages, each to every
/// channel that asked for it, once a campaign, step and due date.
pub async fn send_reminders(state: &AppState, org: &str) -> Result<String, AppError> {
    let org = OrgLogin::parse(org).map_err(|_| AppError::NotFound)?;
    let channels: Vec<StoredChannel> = (state.store.digests().list(&org).await?.into_iter())
        .filter(|c| c.view.schedule.reminders || c.view.schedule.behind)
        .collect();
    if channels.is_empty() {
        return Ok("No channel asks for reminders.".to_owned());
    }
    let token = app_token(state, &org).await?;
    let now = Utc::now();
    let campaigns = campaigns_of(state, &token, &org, now).await?;
    let mut sent = 0;
    for c in &campaigns {
        let step = reminder_step(c.ends_at, now).filter(|_| c.remaining > 0);
        let behind = matches!(c.pace, Pace::Behind { .. });
        for ch in &channels {
            let kind = ch.view.kind;
            let s = &ch.view.schedule;
            let mut wanted = Vec::new();
            if let (true, Some(step)) = (s.reminders, step) {
                wanted.push(("reminder", step, step));
            }
            if s.behind && behind {
                wanted.push(("behind", "behind", "behind"));
            }
            for (message_kind, step, what) in wanted {
                let period = format!("{}:{step}:{}", c.number, c.ends_at.format("%Y-%m-%d"));
                let message = campaign_message(kind, org.as_str(), c, what);
                let claimed = (state.store.digests())
                    .claim(ch.view.id, &org, message_kind, &period, &message)
                    .await?;
                if let Some(delivery) = claimed {
                    send_claimed(state, delivery).await?;
                    sent += 1;
                }
            }
        }
    }
    Ok(format!(
        "{sent} reminder(s) sent over {} campaign(s).",
        campaigns.len()
    ))
}

/// Sends claimed delivery `id`, and writes its outcome: `Err` (to retry) when the channel
/// failed. A delivery sent already, or being sent by another try, is left alone.
pub async fn send_claimed(state: &AppState, id: i64) -> Result<String, AppError> {
    let store = state.store.digests();
    let Some(taken) = store.take(id).await? else {
        return Ok("Sent already, or being sent.".to_owned());
    };
    let Some(channel) = store.get(taken.channel_id).await? else {
        store
            .finish(id, "failed", "The channel was removed.")
            .await?;
        return Err(stopped_because("the channel was removed"));
    };
    match deliver(state, &channel, &taken.message).await {
        Ok(()) => {
            store.finish(id, "sent", "").await?;
            Ok(format!("Sent to {}.", channel.view.hint))
        }
        Err(why) => {
            store.finish(id, "failed", &why).await?;
            Err(AppError::Transport { message: why })
        }
    }
}

/// A job's reason to stop for good (no retry).
fn stopped_because(why: &str) -> AppError {
    AppError::Forbidden {
        reason: format!("Stopped: {why}."),
    }
}

/// The App's installation token for `org`; a missing App or installation stops the job.
async fn app_token(state: &AppState, org: &OrgLogin) -> Result<SecretString, AppError> {
    let Some(app) = &state.app else {
        return Err(stopped_because("no GitHub App is configured"));
    };
    match app.token_for(&state.github, org).await {
        Err(AppError::NotFound) => Err(stopped_because(&format!(
            "the GitHub App is no longer installed on {org}"
        ))),
        other => other,
    }
}

/// The weekly digest of `org` at `now`, read with `token`.
pub async fn build(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    now: DateTime<Utc>,
) -> Result<Digest, AppError> {
    let campaigns = campaigns_of(state, token, org, now).await?;
    let index = state.store.alert_index();
    let quiet_repositories = match index.state(org).await?.synced_at {
        Some(_) => Some(
            index
                .quiet_repositories(org, now - chrono::Duration::days(14), 20)
                .await?,
        ),
        None => None,
    };
    let public = state.settings.public_url.as_str().trim_end_matches('/');
    Ok(Digest {
        org: org.as_str().to_owned(),
        at: now,
        url: format!("{public}{}", paths::org(org)),
        campaigns,
        quiet_repositories,
        drafts_waiting: state.store.drafts().list(org).await?.len(),
        drafts_url: format!("{public}{}", paths::campaigns(org)),
    })
}

/// The org's open campaigns with their pace (from the kept snapshots) and the alerts closed in
/// the last 7 days.
async fn campaigns_of(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    now: DateTime<Utc>,
) -> Result<Vec<DigestCampaign>, AppError> {
    let open = crate::service::campaigns::list_open_with_counts(&state.github, token, org).await?;
    let records = state.store.campaigns();
    let week_ago = now - chrono::Duration::days(7);
    let mut out = Vec::new();
    for c in open {
        let c = crate::service::views::view_of(&state.settings, org, c);
        let points = records
            .history(org, c.number, c.created_at - chrono::Duration::days(1))
            .await?;
        let closed_now = c.progress.map(|p| p.closed);
        let before = points.iter().rev().find(|p| p.at <= week_ago);
        out.push(DigestCampaign {
            number: c.number.get(),
            name: c.name.clone(),
            url: c.share_url.clone(),
            ends_at: c.ends_at,
            remaining: c.progress.map_or(0, |p| p.open + p.in_progress),
            pace: pace(&points, c.ends_at),
            closed_this_week: closed_now
                .zip(before)
                .map(|(now, then)| (now - then.closed).max(0)),
        });
    }
    Ok(out)
}

/// Sends `message` to `channel`: `Err` holds why, in words with no URL, token or password.
async fn deliver(
    state: &AppState,
    channel: &StoredChannel,
    message: &Message,
) -> Result<(), String> {
    let target = state
        .cipher
        .decrypt(&channel.sealed)
        .map_err(|_| "The channel's address cannot be read with this server's session key (was the key changed?): remove the channel and add it again.".to_owned())?;
    match channel.view.kind {
        ChannelKind::Slack => {
            post_json(&target, &serde_json::json!({ "text": message.text })).await
        }
        ChannelKind::Teams => post_json(&target, &teams_card(message)).await,
        ChannelKind::Email => email(state, target.expose_secret(), message).await,
    }
}

/// A Teams workflow webhook's message: one Adaptive Card with the text.
fn teams_card(message: &Message) -> serde_json::Value {
    serde_json::json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {
                "type": "AdaptiveCard",
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "version": "1.4",
                "body": [
                    { "type": "TextBlock", "text": message.subject, "weight": "Bolder", "wrap": true },
                    { "type": "TextBlock", "text": message.text, "wrap": true }
                ]
            }
        }]
    })
}

async fn post_json(url: &SecretString, body: &serde_json::Value) -> Result<(), String> {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let client = CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    });
    let answer = client
        .post(url.expose_secret())
        .json(body)
        .send()
        .await
        .map_err(|e| {
            let e = e.without_url();
            if e.is_timeout() {
                "The webhook did not answer in time.".to_owned()
            } else if e.is_connect() {
                "The webhook could not be reached (connection failed).".to_owned()
            } else {
                "The webhook could not be reached.".to_owned()
            }
        })?;
    let status = answer.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("The webhook answered {status}."))
    }
}

async fn email(state: &AppState, to: &str, message: &Message) -> Result<(), String> {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
    let Some(smtp) = &state.settings.smtp else {
        return Err("This server has no mail server set up (smtp.host).".to_owned());
    };
    let mail = lettre::Message::builder()
        .from(
            smtp.from
                .parse()
                .map_err(|_| "The sender address (smtp.from) is not valid.".to_owned())?,
        )
        .to(to
            .parse()
            .map_err(|_| "The channel's address is not valid.".to_owned())?)
        .subject(message.subject.clone())
        .body(message.text.clone())
        .map_err(|e| format!("The message could not be written: {e}"))?;
    let builder = if smtp.starttls {
        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
            .map_err(|e| format!("The mail server's name cannot be used for TLS: {e}"))?
    } else {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
    };
    let mut builder = builder.port(smtp.port).timeout(Some(SEND_TIMEOUT));
    if let (Some(user), Some(password)) = (&smtp.user, &smtp.password) {
        builder = builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
            user.clone(),
            password.expose_secret().to_owned(),
        ));
    }
    builder.build().send(mail).await.map(drop).map_err(|e| {
        if e.is_permanent() {
            "The mail server refused the message.".to_owned()
        } else if e.is_transient() {
            "The mail server asked to try again later.".to_owned()
        } else {
            "The mail server could not be reached.".to_owned()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sunday_2am_paris() -> Schedule {
        Schedule {
            weekly: true,
            weekday: 6,
            hour: 2,
            time_zone: "Europe/Paris".to_owned(),
            reminders: false,
            behind: false,
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn an_hour_a_clock_change_repeats_is_one_week_and_one_it_skips_comes_an_hour_later() {
        let s = sunday_2am_paris();
        // 25 Oct 2026: 03:00 CEST becomes 02:00 CET; 02:00 local happens twice (00:00 and
        // 01:00 UTC). Both fall in the same week: one digest (the caller enqueues a week once).
        let first = weekly_due(&s, utc("2026-10-25T00:00:30Z"));
        let second = weekly_due(&s, utc("2026-10-25T01:00:30Z"));
        assert_eq!(first.as_deref(), Some("2026-W43"));
        assert_eq!(first, second);
        // 29 Mar 2026: 02:00 CET becomes 03:00 CEST; 02:00 does not exist: due at 03:00 local
        // (01:00 UTC), not before, and not lost.
        assert_eq!(weekly_due(&s, utc("2026-03-29T00:30:00Z")), None);
        assert_eq!(
            weekly_due(&s, utc("2026-03-29T01:00:30Z")).as_deref(),
            Some("2026-W13")
        );
    }

    #[test]
    fn a_digest_is_due_from_its_hour_for_a_day_then_waits_a_week() {
        let s = Schedule {
            weekday: 0,
            hour: 9,
            time_zone: "America/New_York".to_owned(),
            ..sunday_2am_paris()
        };
        // Monday 7 Dec 2026, 09:00 in New York = 14:00 UTC.
        assert_eq!(weekly_due(&s, utc("2026-12-07T13:59:00Z")), None);
        assert_eq!(
            weekly_due(&s, utc("2026-12-07T14:00:00Z")).as_deref(),
            Some("2026-W50")
        );
        // An instance down at the hour sends it when it is back, the same day.
        assert!(weekly_due(&s, utc("2026-12-08T13:00:00Z")).is_some());
        assert_eq!(weekly_due(&s, utc("2026-12-08T14:00:00Z")), None);
    }
}
