//! The roll-up of every org (`service::rollup`).

use crate::domain::rollup::Rollup;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "rollup")]
pub async fn load_rollup() -> Result<Rollup, AppError> {
    let cx = super::context::Ctx::take().await?;
    let now = chrono::Utc::now();
    cx.settle(crate::service::rollup::rollup(&cx.state, &cx.token, now).await)
        .await
}
