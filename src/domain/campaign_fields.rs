//! The editable fields of a campaign, parsed with GitHub's limits. Shared by the browser (to check
//! before sending) and the server (to check again, since a server function is a public endpoint).

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

pub const NAME_MAX: usize = 50;
pub const DESCRIPTION_MAX: usize = 255;
pub const TEAM_MANAGERS_MAX: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignName(String);

impl CampaignName {
    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim();
        match s.chars().count() {
            0 => Err("Enter a name.".into()),
            n if n > NAME_MAX => Err(format!("Use at most {NAME_MAX} characters ({n} now).")),
            _ => Ok(Self(s.to_owned())),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDescription(String);

impl CampaignDescription {
    pub fn parse(input: &str) -> Result<Self, String> {
        // Line breaks are kept; only the ends are trimmed.
        let s = input.trim().replace("\r\n", "\n");
        match s.chars().count() {
            0 => Err("Enter a description.".into()),
            n if n > DESCRIPTION_MAX => Err(format!(
                "Use at most {DESCRIPTION_MAX} characters ({n} now)."
            )),
            _ => Ok(Self(s)),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A due date in the future, from a `datetime-local` value and the browser's UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueDate(DateTime<Utc>);

impl DueDate {
    /// `local` is `YYYY-MM-DDTHH:MM` (seconds optional); `offset_minutes` is JavaScript's
    /// `getTimezoneOffset()` (minutes to add to local time to get UTC).
    pub fn parse(local: &str, offset_minutes: i64, now: DateTime<Utc>) -> Result<Self, String> {
        let local = local.trim();
        if local.is_empty() {
            return Err("Choose a due date.".into());
        }
        let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S"))
            .map_err(|_| "Enter a date and time such as 2030-01-31T17:00.".to_owned())?;
        if !(-16 * 60..=16 * 60).contains(&offset_minutes) {
            return Err("The time zone offset is not valid.".into());
        }
        let utc = naive
            .and_utc()
            .checked_add_signed(Duration::minutes(offset_minutes))
            .ok_or_else(|| "Enter a date between now and the year 9999.".to_owned())?;
        if utc.year() > 9999 {
            return Err("Enter a date between now and the year 9999.".into());
        }
        if utc <= now {
            return Err("The due date must be in the future.".into());
        }
        Ok(Self(utc))
    }
    pub fn get(self) -> DateTime<Utc> {
        self.0
    }
}

/// A contact link: an http(s) or mailto URL, or nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactLink(Option<String>);

impl ContactLink {
    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim();
        if s.is_empty() {
            return Ok(Self(None));
        }
        if !is_safe_link(s) {
            return Err("Enter a link starting with https://, http:// or mailto:.".into());
        }
        Ok(Self(Some(s.to_owned())))
    }
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// Whether a link may be rendered as `<a href>`: http, https or mailto, with something after it.
pub fn is_safe_link(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let rest = ["https://", "http://", "mailto:"]
        .iter()
        .find_map(|p| lower.strip_prefix(p));
    match rest {
        Some(r) => !r.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control()),
        None => false,
    }
}

/// `url` when it is an http(s) address, else empty: what GitHub sends for `html_url` and
/// `avatar_url` goes into `href` and `src`, where a `javascript:` URL would run.
pub fn web_url_or_empty(url: String) -> String {
    let mailto = url
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("mailto:"));
    if is_safe_link(&url) && !mailto {
        url
    } else {
        String::new()
    }
}

/// Team slugs, at most ten, without duplicates.
pub fn parse_team_managers(slugs: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for s in slugs.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let ok = s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
        if !ok {
            return Err(format!("“{s}” is not a team slug."));
        }
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    if out.len() > TEAM_MANAGERS_MAX {
        return Err(format!(
            "Choose at most {TEAM_MANAGERS_MAX} teams ({} now).",
            out.len()
        ));
    }
    Ok(out)
}

/// One piece of a description: text, or a URL to show as a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    Link(String),
    LineBreak,
}

/// Splits plain text into text, http(s) links and line breaks. Nothing is interpreted as HTML.
pub fn linkify(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push(Segment::LineBreak);
        }
        let mut rest = line;
        while let Some(start) = find_url_start(rest) {
            if start > 0 {
                out.push(Segment::Text(rest[..start].to_owned()));
            }
            let tail = &rest[start..];
            let mut end = tail.find(char::is_whitespace).unwrap_or(tail.len());
            // Trailing punctuation belongs to the sentence, not the URL.
            while end > 0 && tail[..end].ends_with(['.', ',', ';', ':', '!', '?', ')', '"', '\'']) {
                end -= 1;
            }
            out.push(Segment::Link(tail[..end].to_owned()));
            rest = &tail[end..];
        }
        if !rest.is_empty() {
            out.push(Segment::Text(rest.to_owned()));
        }
    }
    out
}

fn find_url_start(s: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    let candidates = [lower.find("https://"), lower.find("http://")];
    candidates
        .into_iter()
        .flatten()
        .filter(|&i| {
            let after = &lower[i..];
            let scheme_len = if after.starts_with("https://") { 8 } else { 7 };
            after.len() > scheme_len
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn due_dates_at_the_end_of_time_are_refused_not_a_panic() {
        let now = Utc::now();
        for (local, offset) in [
            ("+262143-12-31T23:59", 960),
            ("-262143-01-01T00:00", -960),
            ("+10000-01-01T00:00", 0),
        ] {
            assert!(
                DueDate::parse(local, offset, now).is_err(),
                "{local} {offset}"
            );
        }
        assert!(DueDate::parse("9999-12-31T23:59", 960, now).is_err());
        assert!(DueDate::parse("9998-12-31T23:59", 0, now).is_ok());
    }

    #[test]
    fn only_web_addresses_reach_href_and_src() {
        let kept = "https://github.com/acme/web/security/code-scanning/1";
        assert_eq!(web_url_or_empty(kept.into()), kept);
        assert_eq!(
            web_url_or_empty("HTTP://x.example/a".into()),
            "HTTP://x.example/a"
        );
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:x",
            "mailto:a@b.example",
            "https://x.example/\"\u{0}",
            "https:// x",
            "",
        ] {
            assert_eq!(web_url_or_empty(bad.into()), "", "{bad:?}");
        }
    }

    #[test]
    fn names_and_descriptions_follow_githubs_limits() {
        assert_eq!(CampaignName::parse("  SQLi  ").unwrap().as_str(), "SQLi");
        assert!(CampaignName::parse("   ").is_err());
        assert!(
            CampaignName::parse(&"é".repeat(50)).is_ok(),
            "characters, not bytes"
        );
        assert!(CampaignName::parse(&"x".repeat(51))
            .unwrap_err()
            .contains("51 now"));
        assert!(CampaignDescription::parse(&"x".repeat(255)).is_ok());
        assert!(CampaignDescription::parse(&"x".repeat(256)).is_err());
        assert_eq!(
            CampaignDescription::parse("a\r\nb").unwrap().as_str(),
            "a\nb"
        );
    }

    #[test]
    fn due_dates_are_converted_to_utc_and_must_be_in_the_future() {
        let now = "2030-01-01T00:00:00Z".parse().unwrap();
        // UTC+2 (Berlin summer): JavaScript says -120.
        let d = DueDate::parse("2030-06-01T17:00", -120, now).unwrap();
        assert_eq!(d.get().to_rfc3339(), "2030-06-01T15:00:00+00:00");
        assert!(DueDate::parse("2029-12-31T23:59", 0, now)
            .unwrap_err()
            .contains("future"));
        assert!(DueDate::parse("tomorrow", 0, now).is_err());
        assert!(DueDate::parse("", 0, now).is_err());
        assert!(DueDate::parse("2030-06-01T17:00", 5000, now).is_err());
    }

    #[test]
    fn contact_links_must_be_web_or_mail_links() {
        assert_eq!(ContactLink::parse("").unwrap().get(), None);
        assert!(ContactLink::parse("https://chat.example.com/x").is_ok());
        assert!(ContactLink::parse("mailto:appsec@example.com").is_ok());
        for bad in [
            "javascript:alert(1)",
            "ftp://x",
            "https://",
            "data:text/html,x",
            "https://a b",
        ] {
            assert!(ContactLink::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn team_managers_are_capped_at_ten_and_deduplicated() {
        let ten: Vec<String> = (0..10).map(|i| format!("t{i}")).collect();
        assert_eq!(parse_team_managers(&ten).unwrap().len(), 10);
        let mut eleven = ten.clone();
        eleven.push("t10".into());
        assert!(parse_team_managers(&eleven).is_err());
        assert_eq!(
            parse_team_managers(&["a".into(), "a".into(), " ".into()]).unwrap(),
            vec!["a"]
        );
        assert!(parse_team_managers(&["a/b".into()]).is_err());
    }

    #[test]
    fn linkify_finds_web_links_and_keeps_line_breaks() {
        let s = linkify("See https://wiki.example.com/x.\nThen <b>mail</b> http://a.example");
        assert_eq!(
            s,
            vec![
                Segment::Text("See ".into()),
                Segment::Link("https://wiki.example.com/x".into()),
                Segment::Text(".".into()),
                Segment::LineBreak,
                Segment::Text("Then <b>mail</b> ".into()),
                Segment::Link("http://a.example".into()),
            ]
        );
        assert_eq!(
            linkify("javascript:alert(1)"),
            vec![Segment::Text("javascript:alert(1)".into())]
        );
    }

    proptest! {
        #[test]
        fn linkify_loses_no_text(s in "\\PC{0,80}") {
            let rebuilt: String = linkify(&s).into_iter().map(|seg| match seg {
                Segment::Text(t) | Segment::Link(t) => t,
                Segment::LineBreak => "\n".into(),
            }).collect();
            prop_assert_eq!(rebuilt, s);
        }

        #[test]
        fn links_are_always_http(s in "\\PC{0,80}") {
            for seg in linkify(&s) {
                if let Segment::Link(l) = seg {
                    let lower = l.to_ascii_lowercase();
                    prop_assert!(lower.starts_with("http://") || lower.starts_with("https://"));
                }
            }
        }
    }
}
