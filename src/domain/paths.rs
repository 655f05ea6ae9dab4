//! Every address of this app under `/orgs/`, built in one place.

use super::{CampaignNumber, OrgLogin};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What JavaScript's `encodeURIComponent` leaves as it is.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// The same, with `/` kept.
const PATH_IN_QUERY: &AsciiSet = &QUERY_VALUE.remove(b'/');

/// `value` as one query value, encoded as `encodeURIComponent` does.
pub fn query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// `?k=v&…` of the pairs whose value is not empty, each value encoded; empty when none is.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", query_value(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// A path of this app as a query value (`?next=`): its slashes stay readable.
fn path_as_query_value(path: &str) -> String {
    utf8_percent_encode(path, PATH_IN_QUERY).to_string()
}

/// `/auth/login?next={here}`: sign in, then come back to `here` (a path of this app).
pub fn sign_in_then(here: &str) -> String {
    format!("/auth/login?next={}", path_as_query_value(here))
}

/// `/orgs/{org}`: the org at a glance, where choosing an org leads.
pub fn org(org: &OrgLogin) -> String {
    format!("/orgs/{org}")
}

/// `/orgs/{org}/campaigns`
pub fn campaigns(org: &OrgLogin) -> String {
    format!("/orgs/{org}/campaigns")
}

/// `/orgs/{org}/settings`: what the app does for the org when nobody is looking.
pub fn org_settings(org: &OrgLogin) -> String {
    format!("/orgs/{org}/settings")
}

/// `/orgs/{org}/digests`: where the org's digests and reminders go, and what was sent.
pub fn digests(org: &OrgLogin) -> String {
    format!("/orgs/{org}/digests")
}

/// `/orgs/{org}/audit`: the changes made to the org's campaigns through this app.
pub fn audit_log(org: &OrgLogin) -> String {
    format!("/orgs/{org}/audit")
}

/// `/orgs/{org}/audit.csv`: the same, as a file.
pub fn audit_log_csv(org: &OrgLogin) -> String {
    format!("/orgs/{org}/audit.csv")
}

/// `/orgs/{org}/campaigns.{format}`: the campaign list as a file (`csv` or `json`).
pub fn campaigns_file(org: &OrgLogin, format: &str) -> String {
    format!("/orgs/{org}/campaigns.{format}")
}

/// `/orgs/{org}/campaigns/{number}/alerts`: the campaign's alerts and per-repository progress.
pub fn campaign_alerts(org: &OrgLogin, number: CampaignNumber) -> String {
    format!("{}/alerts", campaign(org, number))
}

/// `/orgs/{org}/campaigns/{number}/alerts/triage`: what a triage form would change, and what a
/// run changed.
pub fn campaign_triage(org: &OrgLogin, number: CampaignNumber) -> String {
    format!("{}/triage", campaign_alerts(org, number))
}

/// `/orgs/{org}/campaigns/{number}/alerts.{format}`: the same alerts as a file.
pub fn campaign_alerts_file(org: &OrgLogin, number: CampaignNumber, format: &str) -> String {
    format!("{}/alerts.{format}", campaign(org, number))
}

/// `/orgs/{org}/campaigns/new`
pub fn new_campaign(org: &OrgLogin) -> String {
    format!("/orgs/{org}/campaigns/new")
}

/// `/orgs/{org}/drafts/{id}`: a draft, to share with the org's members.
pub fn draft(org: &OrgLogin, id: super::draft::DraftId) -> String {
    format!("/orgs/{org}/drafts/{id}")
}

/// `/orgs/{org}/campaigns/new?draft={id}`: the create form, filled in from a draft.
pub fn edit_draft(org: &OrgLogin, id: super::draft::DraftId) -> String {
    format!("/orgs/{org}/campaigns/new?draft={id}")
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

/// `/orgs/{org}/plans`: the org's plans, and the form for a new one.
pub fn plans(org: &OrgLogin) -> String {
    format!("/orgs/{org}/plans")
}

/// `/orgs/{org}/plans/new`: what a plan form would make (its query is the form).
pub fn new_plan(org: &OrgLogin) -> String {
    format!("/orgs/{org}/plans/new")
}

/// `/orgs/{org}/plans/{id}`: a plan's waves and progress.
pub fn plan(org: &OrgLogin, id: i64) -> String {
    format!("/orgs/{org}/plans/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded_like_encode_uri_component() {
        assert_eq!(query_value("CWE-79, CWE-89"), "CWE-79%2C%20CWE-89");
        assert_eq!(query_value("critical+high"), "critical%2Bhigh");
        assert_eq!(query_value("a&b=c/d"), "a%26b%3Dc%2Fd");
        assert_eq!(path_as_query_value("/orgs/a?x=1&y"), "/orgs/a%3Fx%3D1%26y");
    }
}
