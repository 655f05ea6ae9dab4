//! The audit log, as the campaign server functions write it: one entry for every change sent to
//! GitHub, with its outcome.

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::domain::audit::{AuditAction, AuditEntry, FieldChange};
    use crate::domain::{CampaignNumber, OrgLogin};
    use crate::error::AppError;
    use crate::state::AppState;

    /// One change sent to GitHub: what it was, and (once GitHub answered) how it went.
    pub struct Change<'a> {
        pub org: &'a OrgLogin,
        pub campaign: Option<CampaignNumber>,
        pub campaign_name: String,
        pub action: AuditAction,
        pub changes: Vec<FieldChange>,
    }

    /// Appends the change and its outcome to the audit log. The change is made by then, so a
    /// log that cannot be written does not undo it: it is logged as an error instead.
    pub async fn record<T>(state: &AppState, change: Change<'_>, outcome: &Result<T, AppError>) {
        let actor = match super::super::context::signed_in().await {
            Ok(user) => user.user.login,
            Err(_) => String::new(),
        };
        let entry = AuditEntry {
            at: chrono::Utc::now(),
            org: change.org.to_string(),
            campaign: change.campaign,
            campaign_name: change.campaign_name,
            actor,
            action: change.action,
            changes: change.changes,
            error: outcome.as_ref().err().map(ToString::to_string),
        };
        if let Err(err) = state.store.audit().append(&entry).await {
            tracing::error!(error = %err, action = entry.action.as_str(), "could not write the audit log");
        }
    }
}
