//! Template server functions: the org's templates (built in, then saved), save one, remove one.
//! The org's owners and security managers only, as GitHub's campaigns (`service::templates`).

use crate::domain::template::{Template, TemplateForm};
use crate::domain::OrgLogin;
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {super::context::Ctx, crate::service::templates};

/// The built-in templates, then the org's saved ones by label.
#[server(endpoint = "templates/list")]
pub async fn list_templates(org: OrgLogin) -> Result<Vec<Template>, AppError> {
    let cx = Ctx::take().await?;
    cx.settle(templates::list(&cx.state, &cx.token, &org).await)
        .await
}

/// Saves the picker's filters and the form's patterns as a template of the org (replacing one
/// of the same label): the template as kept.
#[server(endpoint = "templates/save")]
pub async fn save_template(
    org: OrgLogin,
    #[server(flatten)] form: TemplateForm,
) -> Result<Template, AppError> {
    let template = form.parse()?;
    let cx = Ctx::take().await?;
    let (state, token, me) = (&cx.state, &cx.token, &cx.me.login);
    cx.settle(templates::save(state, token, me, &org, template).await)
        .await
}

/// Removes one of the org's saved templates.
#[server(endpoint = "templates/remove")]
pub async fn remove_template(org: OrgLogin, id: i64) -> Result<(), AppError> {
    let cx = Ctx::take().await?;
    cx.settle(templates::remove(&cx.state, &cx.token, &org, id).await)
        .await
}
