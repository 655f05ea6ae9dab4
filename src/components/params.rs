//! The route parameters of the campaign pages, parsed once into domain types: a malformed one is
//! a 404 page, with no call to the server.

use crate::domain::url_state::UrlState;
use crate::domain::{CampaignNumber, OrgLogin};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;

/// `/orgs/{org}/…`
#[derive(Params, Debug, Clone, PartialEq)]
pub struct OrgParams {
    pub org: OrgLogin,
}

/// `/orgs/{org}/campaigns/{number}/…`
#[derive(Params, Debug, Clone, PartialEq)]
pub struct CampaignParams {
    pub org: OrgLogin,
    pub number: CampaignNumber,
}

/// The page's organisation, or `NotFound`.
pub fn org_param() -> Memo<Result<OrgLogin, AppError>> {
    let params = use_params::<OrgParams>();
    Memo::new(move |_| {
        params.with(|p| {
            p.as_ref()
                .map(|p| p.org.clone())
                .map_err(|_| AppError::NotFound)
        })
    })
}

/// The organisation's name as text (empty when the address has none), for titles and headings.
/// The server writes the page's title after the page itself: when the browser has gone away by
/// then, the page's values are gone too, and the title is empty rather than a panic.
pub fn org_text(org: Memo<Result<OrgLogin, AppError>>) -> impl Fn() -> String + Copy {
    text_of(org, ToString::to_string)
}

/// `text` of a page's parameters once parsed; empty when they are not, or are gone (see
/// [`org_text`]).
fn text_of<T: Send + Sync + 'static>(
    params: Memo<Result<T, AppError>>,
    text: fn(&T) -> String,
) -> impl Fn() -> String + Copy {
    move || {
        params
            .try_with(|p| p.as_ref().map(text).unwrap_or_default())
            .unwrap_or_default()
    }
}

/// The page's organisation and campaign number, or `NotFound`.
pub fn campaign_params() -> Memo<Result<CampaignParams, AppError>> {
    let params = use_params::<CampaignParams>();
    Memo::new(move |_| params.with(|p| p.clone().map_err(|_| AppError::NotFound)))
}

/// "Campaign #12 · acme-corp": a campaign page's title until its name has loaded.
pub fn campaign_title(
    params: Memo<Result<CampaignParams, AppError>>,
) -> impl Fn() -> String + Copy {
    text_of(params, |p| format!("Campaign #{} · {}", p.number, p.org))
}

/// The page's state as its address's query says (`domain::url_state`), following the address.
pub fn url_state<T>() -> Memo<T>
where
    T: UrlState + Clone + PartialEq + Send + Sync + 'static,
{
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| query.with(|q| T::from_query(|k| q.get(k))))
}
