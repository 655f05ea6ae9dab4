//! The digests page's server functions (`service::digests`): the org's channels, deliveries and
//! runs; subscribe, remove, preview, send a test. Owners and security managers only.

use crate::domain::digest::{ChannelForm, DigestsPage, Message};
use crate::domain::OrgLogin;
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {super::context::Ctx, crate::service::digests};

#[server(endpoint = "digests/load")]
pub async fn load_digests(org: OrgLogin) -> Result<DigestsPage, AppError> {
    let cx = Ctx::take().await?;
    cx.settle(digests::page(&cx.state, &cx.token, &org).await)
        .await
}

/// Subscribes a channel: its id. The target (a webhook URL or an address) is sealed at once and
/// never shown back in full.
#[server(endpoint = "digests/subscribe")]
pub async fn subscribe_channel(
    org: OrgLogin,
    #[server(flatten)] form: ChannelForm,
) -> Result<i64, AppError> {
    let cx = Ctx::take().await?;
    let (state, token, me) = (&cx.state, &cx.token, &cx.me.login);
    cx.settle(digests::subscribe(state, token, &org, form, me).await)
        .await
}

#[server(endpoint = "digests/remove")]
pub async fn remove_channel(org: OrgLogin, id: i64) -> Result<(), AppError> {
    let cx = Ctx::take().await?;
    cx.settle(digests::unsubscribe(&cx.state, &cx.token, &org, id).await)
        .await
}

/// The next digest to the channel, as it will be sent.
#[server(endpoint = "digests/preview")]
pub async fn preview_digest(org: OrgLogin, id: i64) -> Result<Message, AppError> {
    let cx = Ctx::take().await?;
    cx.settle(digests::preview(&cx.state, &cx.token, &org, id).await)
        .await
}

/// Sends the digest to the channel now, marked as a test: the delivery's id (its outcome shows
/// in the delivery log).
#[server(endpoint = "digests/test")]
pub async fn send_test_digest(org: OrgLogin, id: i64) -> Result<i64, AppError> {
    let cx = Ctx::take().await?;
    cx.settle(digests::send_test(&cx.state, &cx.token, &org, id).await)
        .await
}
