//! Every address of this app under `/orgs/`, built in one place.

use super::{CampaignNumber, OrgLogin};

/// `/orgs/{org}/campaigns`
pub fn campaigns(org: &OrgLogin) -> String {
    format!("/orgs/{org}/campaigns")
}

/// `/orgs/{org}/campaigns/new`
pub fn new_campaign(org: &OrgLogin) -> String {
    format!("/orgs/{org}/campaigns/new")
}

/// `/orgs/{org}/campaigns/{number}`
pub fn campaign(org: &OrgLogin, number: CampaignNumber) -> String {
    format!("/orgs/{org}/campaigns/{number}")
}

/// `/orgs/{org}/campaigns/{number}/edit`
pub fn edit_campaign(org: &OrgLogin, number: CampaignNumber) -> String {
    format!("{}/edit", campaign(org, number))
}

/// `/orgs/{org}/campaigns/{number}/delete`
pub fn delete_campaign(org: &OrgLogin, number: CampaignNumber) -> String {
    format!("{}/delete", campaign(org, number))
}
