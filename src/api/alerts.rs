//! Open code-scanning alerts: loaded in batches of pages for the picker (so the browser can show
//! progress), and filtered on the server for the list that works without JavaScript.

use crate::domain::alert::{AlertBatch, AlertSearch};
use crate::domain::alert_filter::AlertFilter;
use crate::domain::OrgLogin;
use crate::error::AppError;
use leptos::prelude::*;

/// The most pages one call fetches; the browser calls again for the rest.
pub const MAX_PAGES_PER_CALL: u32 = 20;

/// The calls (`from_page`, `pages`) that fetch pages 2 to `last_page`, once the first page has
/// told how many there are. The browser runs a few at a time.
pub fn remaining_calls(last_page: u32) -> Vec<(u32, u32)> {
    (2..=last_page)
        .step_by(MAX_PAGES_PER_CALL as usize)
        .map(|from| (from, MAX_PAGES_PER_CALL.min(last_page + 1 - from)))
        .collect()
}

/// The highest page a call may start at: GitHub lists at most 100,000 alerts per query (1,000
/// pages of 100), and this app reads far fewer.
pub const MAX_FROM_PAGE: u32 = 1_000;

/// The pages a call asks for: `from_page` (at least 1) and up to `MAX_PAGES_PER_CALL` after it.
/// A start beyond `MAX_FROM_PAGE` is refused, so no page number overflows.
pub fn page_range(from_page: u32, pages: u32) -> Result<std::ops::Range<u32>, AppError> {
    if from_page > MAX_FROM_PAGE {
        return Err(AppError::invalid(
            "from_page",
            format!("Pages start at 1 and end at {MAX_FROM_PAGE}."),
        ));
    }
    let from = from_page.max(1);
    Ok(from..from + pages.clamp(1, MAX_PAGES_PER_CALL))
}

/// How many rows the server-rendered list shows.
pub const SERVER_LIST_MAX: usize = 200;

#[server(endpoint = "alerts/load")]
pub async fn load_alerts(
    org: OrgLogin,
    from_page: u32,
    pages: u32,
) -> Result<AlertBatch, AppError> {
    let range = page_range(from_page, pages)?;
    let cx = super::context::Ctx::take().await?;
    let batch = crate::service::org_alerts::batch(&cx.state, &cx.token, &org, range);
    cx.settle(batch.await).await
}

/// The picker without JavaScript: every open alert is read, filtered with the picker's own
/// filter, and the first 200 matches are returned with the total.
#[server(endpoint = "alerts/search")]
pub async fn search_alerts(org: OrgLogin, filter: AlertFilter) -> Result<AlertSearch, AppError> {
    let cx = super::context::Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    let found = crate::service::org_alerts::search(state, token, &org, &filter, SERVER_LIST_MAX);
    cx.settle(found.await).await
}

#[cfg(test)]
mod tests {
    use super::remaining_calls;

    #[test]
    fn the_remaining_pages_are_split_into_calls_of_twenty() {
        assert_eq!(remaining_calls(1), vec![]);
        assert_eq!(remaining_calls(2), vec![(2, 1)]);
        assert_eq!(remaining_calls(21), vec![(2, 20)]);
        assert_eq!(remaining_calls(24), vec![(2, 20), (22, 3)]);
        let calls = remaining_calls(104);
        assert_eq!(calls.len(), 6);
        assert_eq!(calls.last(), Some(&(102, 3)));
        // Every page from 2 to the last, once.
        let pages: Vec<u32> = calls.iter().flat_map(|&(f, n)| f..f + n).collect();
        assert_eq!(pages, (2..=104).collect::<Vec<_>>());
    }
}
