//! Hostile text for the security tests: an organisation in which every string GitHub controls is
//! a markup payload (campaign name, description and contact link, manager login and name, team
//! name and slug, repository name, rule id and name, alert path, tool name), and organisations
//! whose logins are payloads. GitHub itself refuses many of these strings; the app must show
//! them as plain text all the same.

use super::world::{Alert, AlertState, Campaign, Org, Repo, Role, Rule, Team, Tool, User, World};
use super::Emulator;
use chrono::{DateTime, Duration, Utc};

/// The organisation that holds the payloads (its own login stays routable).
pub const HOSTILE_ORG: &str = "hostile-org";

impl Emulator {
    /// Plants one of everything per payload in [`HOSTILE_ORG`], where `mona` is a security
    /// manager, and one organisation per payload named by it. Returns the campaign numbers, in
    /// the order of `payloads`. Once planted, later calls return the same campaigns.
    pub fn plant_hostile_text(&self, payloads: &[String]) -> Vec<i64> {
        let mut w = self.world();
        if let Some(i) = w.org_index(HOSTILE_ORG) {
            return w.orgs[i].campaigns.iter().map(|c| c.number).collect();
        }
        plant(&mut w, payloads)
    }
}

const ORG_ID: i64 = 9_919_666;
const FIRST_USER: i64 = 66_600_000;

fn plant(w: &mut World, payloads: &[String]) -> Vec<i64> {
    let now = Utc::now();
    let Some(mona) = w.user_by_login("mona").map(|u| u.id) else {
        return Vec::new();
    };
    let mut members = vec![(mona, Role::SecurityManager)];
    let mut org = Org {
        id: ORG_ID,
        login: HOSTILE_ORG.to_owned(),
        description: payloads.first().cloned().unwrap_or_default(),
        members: Vec::new(),
        teams: Vec::new(),
        repos: Vec::new(),
        alerts: Vec::new(),
        campaigns: Vec::new(),
        next_campaign_number: 1,
    };
    for (i, text) in payloads.iter().enumerate() {
        let owner = plant_one(w, &mut org, i, text, now);
        members.push((owner, Role::Owner));
    }
    org.members = members;
    let numbers = org.campaigns.iter().map(|c| c.number).collect();
    w.orgs.push(org);
    for (i, text) in payloads.iter().enumerate() {
        w.orgs.push(Org {
            id: ORG_ID + 1 + i as i64,
            login: text.clone(),
            description: text.clone(),
            members: vec![(mona, Role::Member)],
            teams: Vec::new(),
            repos: Vec::new(),
            alerts: Vec::new(),
            campaigns: Vec::new(),
            next_campaign_number: 1,
        });
    }
    numbers
}

/// Payload `text` (the `i`th) as every name and text a page can show: a user (an owner of the
/// org, whose id is returned), a tool, a rule, a team, a repository, an alert and a campaign.
fn plant_one(w: &mut World, org: &mut Org, i: usize, text: &str, now: DateTime<Utc>) -> i64 {
    let n = i as i64;
    let text = text.to_owned();
    let user_id = FIRST_USER + n;
    w.users.push(User {
        id: user_id,
        login: text.clone(),
        name: text.clone(),
        blurb: String::new(),
        created_at: now - Duration::days(400),
    });
    w.tools.push(Tool {
        name: text.clone(),
        version: "6.6.6",
        guid: None,
    });
    w.rules.push(Rule {
        id: text.clone(),
        name: text.clone(),
        description: text.clone(),
        tool: w.tools.len() - 1,
        severity: "error",
        security_severity: Some("high"),
        tags: vec!["security".to_owned()],
    });
    org.teams.push(Team {
        id: ORG_ID * 100 + n,
        slug: text.clone(),
        name: text.clone(),
        description: text.clone(),
    });
    org.repos.push(Repo {
        id: 690_000_003 + 7 * n,
        name: text.clone(),
        private: true,
        description: text.clone(),
        deleted: false,
    });
    org.alerts.push(Alert {
        repo: i,
        number: 1,
        rule: w.rules.len() - 1,
        state: AlertState::Open,
        created_at: now - Duration::days(30 - n.min(29)),
        updated_at: now,
        path: text.clone(),
        line: 1,
        assignees: Vec::new(),
        dismissed_reason: None,
        dismissed_comment: None,
        dismissed_by: None,
    });
    org.campaigns.push(Campaign {
        number: org.next_campaign_number,
        name: text.clone(),
        description: text.clone(),
        managers: vec![user_id],
        team_managers: vec![text.clone()],
        created_at: now - Duration::days(1),
        updated_at: now - Duration::days(1),
        published_at: now - Duration::days(1),
        ends_at: now + Duration::days(30),
        closed_at: None,
        open: true,
        contact_link: Some(text.clone()),
        alerts: vec![i],
    });
    org.next_campaign_number += 1;
    user_id
}
