//! A plain HTML form post (no JavaScript) that failed: which form it was, what it sent, and why
//! it was refused. The server keeps it in the session for the form's next view (`api::flash`).

use super::campaign_form::CampaignForm;
use super::draft::DraftId;
use super::{paths, CampaignNumber, OrgLogin};
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which form a post came from; written `create:{org}`, `edit:{org}/{number}`, `state:…`
/// (close/reopen), `delete:…` or `draft:{org}/{id}` (a comment, publish or discard).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum FormId {
    Create(OrgLogin),
    Edit(OrgLogin, CampaignNumber),
    State(OrgLogin, CampaignNumber),
    Delete(OrgLogin, CampaignNumber),
    Draft(OrgLogin, DraftId),
}

impl FormId {
    /// The page the form is on, where a failed plain post goes back to.
    pub fn page(&self) -> String {
        match self {
            FormId::Create(org) => paths::new_campaign(org),
            FormId::Edit(org, n) => paths::edit_campaign(org, *n),
            FormId::State(org, n) => paths::campaign(org, *n),
            FormId::Delete(org, n) => paths::delete_campaign(org, *n),
            FormId::Draft(org, id) => paths::draft(org, *id),
        }
    }
}

impl fmt::Display for FormId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormId::Create(org) => write!(f, "create:{org}"),
            FormId::Edit(org, n) => write!(f, "edit:{org}/{n}"),
            FormId::State(org, n) => write!(f, "state:{org}/{n}"),
            FormId::Delete(org, n) => write!(f, "delete:{org}/{n}"),
            FormId::Draft(org, id) => write!(f, "draft:{org}/{id}"),
        }
    }
}

impl std::str::FromStr for FormId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let unknown = || format!("No form is called {s:?}.");
        let (kind, rest) = s.split_once(':').ok_or_else(unknown)?;
        if kind == "create" {
            return Ok(FormId::Create(
                OrgLogin::parse(rest).map_err(|_| unknown())?,
            ));
        }
        let (org, key) = rest.split_once('/').ok_or_else(unknown)?;
        let org = OrgLogin::parse(org).map_err(|_| unknown())?;
        if kind == "draft" {
            return Ok(FormId::Draft(org, DraftId::parse(key)?));
        }
        let number = CampaignNumber::parse(key).map_err(|_| unknown())?;
        match kind {
            "edit" => Ok(FormId::Edit(org, number)),
            "state" => Ok(FormId::State(org, number)),
            "delete" => Ok(FormId::Delete(org, number)),
            _ => Err(unknown()),
        }
    }
}

impl TryFrom<String> for FormId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<FormId> for String {
    fn from(id: FormId) -> String {
        id.to_string()
    }
}

/// What the form sent, and why it was refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedForm {
    pub form: FormId,
    pub values: CampaignForm,
    pub generate_issues: bool,
    /// The chosen alerts, `repo_id:number` items.
    pub alerts: Vec<String>,
    pub error: AppError,
}

impl FailedForm {
    /// The form's fields as sent; the error is filled in when the post fails.
    pub fn new(form: FormId, values: CampaignForm) -> Self {
        FailedForm {
            form,
            values,
            generate_issues: false,
            alerts: Vec::new(),
            error: AppError::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_id_reads_back_as_written_and_nothing_else_is_one() {
        let org = OrgLogin::parse("acme-corp").unwrap();
        let n = CampaignNumber::parse("7").unwrap();
        let ids = [
            FormId::Create(org.clone()),
            FormId::Edit(org.clone(), n),
            FormId::State(org.clone(), n),
            FormId::Delete(org.clone(), n),
            FormId::Draft(org.clone(), DraftId::new(3).unwrap()),
        ];
        for id in ids {
            assert_eq!(id.to_string().parse::<FormId>(), Ok(id.clone()));
            assert!(id.page().starts_with("/orgs/acme-corp"), "{}", id.page());
        }
        assert_eq!(
            FormId::Edit(org, n).page(),
            "/orgs/acme-corp/campaigns/7/edit"
        );
        for bad in [
            "",
            "create",
            "edit:acme-corp",
            "edit:acme-corp/x",
            "publish:acme-corp/1",
            "create:../x",
            "draft:acme-corp/0",
        ] {
            assert!(bad.parse::<FormId>().is_err(), "{bad:?}");
        }
    }
}
