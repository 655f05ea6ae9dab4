//! Property tests over every parser of input that reaches the server: 100,000 cases each, built
//! to reach the edges (huge years and offsets, page numbers near `u32::MAX`, odd `Link`
//! headers). None may panic, and each keeps its promise for every input.

use campaigns_admin::api::alerts::{page_range, MAX_FROM_PAGE, MAX_PAGES_PER_CALL};
use campaigns_admin::auth::safe_next;
use campaigns_admin::domain::alert_selection::{AlertKey, AlertSelection};
use campaigns_admin::domain::campaign_fields::{ContactLink, DueDate};
use campaigns_admin::domain::{CampaignNumber, OrgLogin};
use campaigns_admin::github::link::{page_number, parse_link_header};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 100_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// `YYYY-MM-DDTHH:MM` with any year chrono can hold and beyond, and any digits after it.
fn date_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (-300_000i64..300_000, 0u32..14, 0u32..33, 0u32..25, 0u32..61)
            .prop_map(|(y, mo, d, h, mi)| format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}")),
        "\\PC{0,24}",
        "[+-]?[0-9]{1,7}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn due_dates_never_overflow_and_are_always_ahead(
        local in date_text(),
        offset in prop_oneof![any::<i64>(), -1_000i64..1_000],
    ) {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
        if let Ok(due) = DueDate::parse(&local, offset, now) {
            prop_assert!(due.get() > now);
            prop_assert!((-16 * 60..=16 * 60).contains(&offset));
            prop_assert!(chrono::Datelike::year(&due.get()) <= 9999);
        }
    }

    #[test]
    fn page_ranges_stay_in_bounds(from in any::<u32>(), pages in any::<u32>()) {
        match page_range(from, pages) {
            Ok(range) => {
                prop_assert!(range.start >= 1 && range.start <= MAX_FROM_PAGE);
                prop_assert!(range.end > range.start);
                prop_assert!(range.end - range.start <= MAX_PAGES_PER_CALL);
            }
            Err(_) => prop_assert!(from > MAX_FROM_PAGE),
        }
    }

    #[test]
    fn numbers_logins_and_alert_references_parse_or_refuse(s in "\\PC{0,40}") {
        if let Ok(n) = CampaignNumber::parse(&s) {
            prop_assert!(n.get() > 0);
            prop_assert_eq!(n.to_string(), s.clone());
        }
        if let Ok(org) = OrgLogin::parse(&s) {
            prop_assert!(org.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        }
        if let Some(key) = AlertKey::decode(&s) {
            prop_assert!(key.repo_id > 0 && key.number > 0);
            prop_assert_eq!(AlertKey::decode(&key.encode()), Some(key));
        }
        let _ = AlertSelection::parse(&s);
        if let Ok(link) = ContactLink::parse(&s) {
            if let Some(l) = link.get() {
                prop_assert!(!l.to_ascii_lowercase().starts_with("javascript:"));
            }
        }
    }

    #[test]
    fn link_headers_never_panic_and_pages_are_numbers(
        header in "(<https?://[a-z.]{1,12}/[a-z/?=&0-9]{0,30}>; ?rel=\"?(next|last|prev|first)\"?,? ?){0,4}|\\PC{0,60}",
    ) {
        for (rel, url) in parse_link_header(&header) {
            prop_assert!(!rel.is_empty());
            let _ = page_number(&url);
        }
    }

    #[test]
    fn next_paths_stay_on_this_site(next in "\\PC{0,40}|/{1,3}[a-z%0-9\\\\.:]{0,30}") {
        let kept = safe_next(Some(&next));
        prop_assert!(kept.starts_with('/'));
        prop_assert!(!kept.starts_with("//") && !kept.starts_with("/\\\\"));
    }
}
