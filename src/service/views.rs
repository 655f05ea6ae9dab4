//! GitHub's answers as the pages show them (server only): one campaign summary becomes one
//! `CampaignView`, with this app's share link beside GitHub's.

use crate::domain::campaign::{CampaignView, Person, Progress, TeamRef};
use crate::domain::campaign_fields::web_url_or_empty;
use crate::domain::{paths, OrgLogin};
use crate::github::models::{CampaignState, CampaignSummary, SimpleUser};
use crate::settings::Settings;

pub fn view_of(settings: &Settings, org: &OrgLogin, c: CampaignSummary) -> CampaignView {
    let public = settings.public_url.as_str().trim_end_matches('/');
    CampaignView {
        number: c.number,
        name: c.name.unwrap_or_else(|| format!("Campaign #{}", c.number)),
        description: c.description,
        open: c.state != CampaignState::Closed,
        managers: c.managers.into_iter().map(person).collect(),
        team_managers: c
            .team_managers
            .into_iter()
            .map(|t| TeamRef {
                slug: t.slug,
                name: t.name,
            })
            .collect(),
        created_at: c.created_at,
        updated_at: c.updated_at,
        published_at: c.published_at,
        ends_at: c.ends_at,
        closed_at: c.closed_at,
        contact_link: c.contact_link,
        progress: c
            .alert_stats
            .map(|s| Progress::counted(s.open_count, s.in_progress_count, s.closed_count)),
        github_url: crate::github::web::campaign_url(&settings.github.web_url, org, c.number),
        share_url: format!("{public}{}", paths::campaign(org, c.number)),
    }
}

pub fn person(u: SimpleUser) -> Person {
    Person {
        login: u.login,
        avatar_url: web_url_or_empty(u.avatar_url),
    }
}
