//! GitHub's web addresses (as opposed to its API): where a browser goes.

use crate::domain::{CampaignNumber, OrgLogin};
use url::Url;

/// `{web}/orgs/{org}/security/campaigns/{number}`: the campaign on GitHub.
pub fn campaign_url(web: &Url, org: &OrgLogin, number: CampaignNumber) -> String {
    let web = web.as_str().trim_end_matches('/');
    format!("{web}/orgs/{org}/security/campaigns/{number}")
}

/// The OAuth web flow's authorize and token endpoints.
pub fn oauth_endpoints(web: &Url) -> (String, String) {
    let web = web.as_str().trim_end_matches('/');
    (
        format!("{web}/login/oauth/authorize"),
        format!("{web}/login/oauth/access_token"),
    )
}
