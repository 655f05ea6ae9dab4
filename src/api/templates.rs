//! Template server functions: the org's templates (built in, then saved), save one, remove one.
//! The org's owners and security managers only, as GitHub's campaigns.

use crate::domain::template::{Template, TemplateForm};
use crate::domain::OrgLogin;
use crate::error::AppError;
use leptos::prelude::*;

/// The built-in templates, then the org's saved ones by label.
#[server(endpoint = "templates/list")]
pub async fn list_templates(org: OrgLogin) -> Result<Vec<Template>, AppError> {
    use super::context::{require_manager, Ctx};
    let cx = Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    let result = async {
        require_manager(state, token, &org, "use its templates").await?;
        let saved = state.store.templates().list(&org).await;
        let mut all = crate::domain::template::built_in();
        all.extend(saved?);
        Ok(all)
    }
    .await;
    cx.settle(result).await
}

/// Saves the picker's filters and the form's patterns as a template of the org (replacing one
/// of the same label): the template as kept.
#[server(endpoint = "templates/save")]
pub async fn save_template(
    org: OrgLogin,
    #[server(flatten)] form: TemplateForm,
) -> Result<Template, AppError> {
    use super::context::{require_manager, signed_in, Ctx};
    let mut template = form.parse()?;
    let me = signed_in().await?.user.login;
    let cx = Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    let result = async {
        require_manager(state, token, &org, "use its templates").await?;
        let saved = state.store.templates().save(&org, &template, &me).await;
        let Some(id) = saved? else {
            return Err(AppError::invalid(
                "label",
                "This org keeps 100 templates at most: remove one first.",
            ));
        };
        template.id = Some(id);
        template.saved_by = Some(me);
        Ok(template)
    }
    .await;
    cx.settle(result).await
}

/// Removes one of the org's saved templates.
#[server(endpoint = "templates/remove")]
pub async fn remove_template(org: OrgLogin, id: i64) -> Result<(), AppError> {
    use super::context::{require_manager, Ctx};
    let cx = Ctx::take().await?;
    let (state, token) = (&cx.state, &cx.token);
    let result = async {
        require_manager(state, token, &org, "use its templates").await?;
        let removed = state.store.templates().remove(&org, id).await;
        match removed? {
            true => Ok(()),
            false => Err(AppError::NotFound),
        }
    }
    .await;
    cx.settle(result).await
}
