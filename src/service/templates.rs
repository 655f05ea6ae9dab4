//! An org's templates: the built-in ones, then those its owners and security managers saved.

use crate::domain::template::Template;
use crate::domain::OrgLogin;
use crate::error::AppError;
use crate::state::AppState;
use secrecy::SecretString;

/// What only the org's owners and security managers may do with its templates.
const TEMPLATES: &str = "use its templates";

async fn require(state: &AppState, token: &SecretString, org: &OrgLogin) -> Result<(), AppError> {
    (state.managers)
        .require(&state.github, token, org, TEMPLATES)
        .await
}

/// The built-in templates, then the org's saved ones by label.
pub async fn list(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
) -> Result<Vec<Template>, AppError> {
    require(state, token, org).await?;
    let mut all = crate::domain::template::built_in();
    all.extend(state.store.templates().list(org).await?);
    Ok(all)
}

/// Saves `template` as `me`'s (replacing one of the same label): the template as kept.
pub async fn save(
    state: &AppState,
    token: &SecretString,
    me: &str,
    org: &OrgLogin,
    mut template: Template,
) -> Result<Template, AppError> {
    require(state, token, org).await?;
    let Some(id) = state.store.templates().save(org, &template, me).await? else {
        return Err(AppError::invalid(
            "label",
            "This org keeps 100 templates at most: remove one first.",
        ));
    };
    template.id = Some(id);
    template.saved_by = Some(me.to_owned());
    Ok(template)
}

/// Removes saved template `id`; `NotFound` when the org has none so numbered.
pub async fn remove(
    state: &AppState,
    token: &SecretString,
    org: &OrgLogin,
    id: i64,
) -> Result<(), AppError> {
    require(state, token, org).await?;
    match state.store.templates().remove(org, id).await? {
        true => Ok(()),
        false => Err(AppError::NotFound),
    }
}
