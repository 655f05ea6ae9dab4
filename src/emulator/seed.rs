//! Deterministic seed data: the same users, orgs, repositories, alerts and campaigns on every start.
//! Dates are relative to `now`, so due dates stay in the future and ages stay realistic.

use super::world::*;
use crate::settings::SeedProfile;
use chrono::{DateTime, Duration, Utc};

/// A small, fixed pseudo-random sequence (SplitMix64): deterministic across runs and platforms.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

pub const DEMO_USERS: &[(&str, &str, &str)] = &[
    (
        "mona",
        "Mona Lisa Octocat",
        "security manager of acme-corp, member of globex",
    ),
    ("hubot", "Hubot Robot", "owner of acme-corp and globex"),
    ("octocat", "The Octocat", "member of acme-corp only"),
];

const MORE_MEMBERS: &[&str] = &[
    "ada-lovelace",
    "grace-hopper",
    "linus-t",
    "margaret-h",
    "ken-thompson",
    "barbara-l",
    "dennis-r",
    "frances-a",
    "alan-kay",
    "radia-p",
];

const ACME_REPOS: &[&str] = &[
    "web-storefront",
    "checkout-service",
    "payments-api",
    "identity-service",
    "admin-portal",
    "mobile-app",
    "mobile-backend",
    "search-indexer",
    "recommendations",
    "inventory-service",
    "shipping-rates",
    "notification-hub",
    "data-pipeline",
    "analytics-dashboard",
    "billing-worker",
    "customer-support",
    "feature-flags",
    "api-gateway",
    "image-resizer",
    "marketing-site",
    "docs-site",
    "internal-tools",
    "terraform-modules",
    "k8s-operators",
    "auth-sdk-js",
    "auth-sdk-python",
    "legacy-monolith",
    "reports-generator",
    "fraud-detection",
    "partner-api",
];

const GLOBEX_REPOS: &[&str] = &[
    "core-platform",
    "infra-scripts",
    "hr-portal",
    "timesheets",
    "ledger",
    "crm-sync",
    "public-website",
    "etl-jobs",
    "chatops-bot",
    "vendor-portal",
];

const TOOLS: &[(&str, &str, Option<&str>)] = &[
    ("CodeQL", "2.19.3", None),
    ("Semgrep OSS", "1.96.0", Some("semgrep-oss")),
    ("Bandit", "1.7.10", Some("bandit")),
];

/// (id, name, description, tool, severity, security severity, CWE numbers, extra tags)
type RuleRow = (
    &'static str,
    &'static str,
    &'static str,
    usize,
    &'static str,
    Option<&'static str>,
    &'static [u32],
    &'static [&'static str],
);

const RULES: &[RuleRow] = &[
    ("js/sql-injection", "Database query built from user-controlled sources", "Building a database query from user-controlled sources is vulnerable to insertion of malicious code by the user.", 0, "error", Some("high"), &[89, 90, 943], &["security"]),
    ("js/xss", "Client-side cross-site scripting", "Writing user input directly to the DOM allows for a cross-site scripting vulnerability.", 0, "error", Some("high"), &[79, 116], &["security"]),
    ("js/reflected-xss", "Reflected cross-site scripting", "Writing user input directly to an HTTP response allows for a cross-site scripting vulnerability.", 0, "error", Some("high"), &[79, 116], &["security"]),
    ("js/command-line-injection", "Uncontrolled command line", "Using externally controlled strings in a command line may allow a malicious user to change the meaning of the command.", 0, "error", Some("critical"), &[78, 88], &["security"]),
    ("js/path-injection", "Uncontrolled data used in path expression", "Accessing paths influenced by users can allow an attacker to access unexpected resources.", 0, "error", Some("high"), &[22, 23, 36, 73, 99], &["security"]),
    ("js/prototype-pollution", "Prototype-polluting assignment", "Modifying an object obtained via a user-controlled property name may lead to accidental mutation of the built-in Object prototype.", 0, "warning", Some("medium"), &[78, 79, 94, 400, 471, 915], &["security"]),
    ("js/insecure-randomness", "Insecure randomness", "Using a cryptographically weak pseudo-random number generator to generate a security-sensitive value may allow an attacker to predict what value will be generated.", 0, "warning", Some("medium"), &[338], &["security"]),
    ("js/unused-local-variable", "Unused variable, import, function or class", "Unused variables, imports, functions or classes may be a symptom of a bug and should be examined carefully.", 0, "note", None, &[], &["maintainability", "useless-code"]),
    ("py/sql-injection", "SQL query built from user-controlled sources", "Building a SQL query from user-controlled sources is vulnerable to insertion of malicious SQL code by the user.", 0, "error", Some("high"), &[89], &["security"]),
    ("py/command-line-injection", "Uncontrolled command line", "Using externally controlled strings in a command line may allow a malicious user to change the meaning of the command.", 0, "error", Some("critical"), &[78, 88], &["security"]),
    ("py/clear-text-logging-sensitive-data", "Clear-text logging of sensitive information", "Logging sensitive information without encryption or hashing can expose it to an attacker.", 0, "error", Some("high"), &[312, 359, 532], &["security"]),
    ("py/weak-sensitive-data-hashing", "Use of a broken or weak cryptographic hashing algorithm on sensitive data", "Using broken or weak cryptographic hashing algorithms can compromise security.", 0, "warning", Some("high"), &[327, 328, 916], &["security"]),
    ("py/flask-debug", "Flask app is run in debug mode", "Running a Flask app in debug mode may allow an attacker to run arbitrary code through the Werkzeug debugger.", 0, "error", Some("high"), &[215, 489], &["security"]),
    ("java/path-injection", "Uncontrolled data used in path expression", "Accessing paths influenced by users can allow an attacker to access unexpected resources.", 0, "error", Some("high"), &[22, 23, 36, 73], &["security"]),
    ("java/ssrf", "Server-side request forgery", "Making web requests based on unvalidated user-input may cause the server to communicate with malicious servers.", 0, "error", Some("critical"), &[918], &["security"]),
    ("java/unsafe-deserialization", "Deserialization of user-controlled data", "Deserializing user-controlled data may allow attackers to execute arbitrary code.", 0, "error", Some("critical"), &[502], &["security"]),
    ("go/sql-injection", "Database query built from user-controlled sources", "Building a database query from user-controlled sources is vulnerable to insertion of malicious code by the user.", 0, "error", Some("high"), &[89], &["security"]),
    ("go/log-injection", "Log entries created from user input", "Building log entries from user-controlled sources is vulnerable to insertion of forged log entries by a malicious user.", 0, "error", Some("medium"), &[117], &["security"]),
    ("actions/untrusted-checkout/critical", "Checkout of untrusted code in a privileged context", "Privileged workflows have read/write access to the base repository and access to secrets.", 0, "error", Some("critical"), &[829], &["security"]),
    ("javascript.express.security.audit.xss.direct-response-write", "Direct response write of user input", "Detected directly writing to a Response object from user-defined input.", 1, "warning", Some("medium"), &[79], &["security", "owasp-a03"]),
    ("python.lang.security.audit.formatted-sql-query", "Formatted SQL query", "Detected possible formatted SQL query. Use parameterized queries instead.", 1, "error", Some("high"), &[89], &["security", "owasp-a03"]),
    ("generic.secrets.security.detected-generic-secret", "Generic secret detected", "A hard-coded secret was found in source code.", 1, "error", Some("high"), &[798], &["security", "secrets"]),
    ("yaml.docker-compose.security.no-new-privileges", "Container may gain new privileges", "The service allows for privilege escalation via setuid or setgid binaries.", 1, "warning", Some("low"), &[732], &["security"]),
    ("B602", "subprocess_popen_with_shell_equals_true", "subprocess call with shell=True identified, security issue.", 2, "error", Some("high"), &[78], &["security"]),
    ("B105", "hardcoded_password_string", "Possible hardcoded password.", 2, "warning", Some("low"), &[259], &["security"]),
    ("B311", "blacklist", "Standard pseudo-random generators are not suitable for security/cryptographic purposes.", 2, "note", Some("low"), &[330], &["security"]),
];

const DIRS: &[&str] = &[
    "src",
    "src/api",
    "src/handlers",
    "lib",
    "app/controllers",
    "server",
    "internal/db",
    "scripts",
    "web/components",
    "pkg/http",
];
const FILES_JS: &[&str] = &[
    "index.js",
    "routes.js",
    "query.ts",
    "render.tsx",
    "upload.js",
    "search.ts",
    "auth.js",
];
const FILES_PY: &[&str] = &[
    "views.py",
    "db.py",
    "tasks.py",
    "utils.py",
    "settings.py",
    "api.py",
];
const FILES_OTHER: &[&str] = &[
    "Handler.java",
    "Service.java",
    "store.go",
    "server.go",
    "ci.yml",
    "docker-compose.yml",
    "Dockerfile",
];

/// The code-scanning tools the alerts come from.
fn tools() -> Vec<Tool> {
    TOOLS
        .iter()
        .map(|(name, version, guid)| Tool {
            name: (*name).to_owned(),
            version,
            guid: *guid,
        })
        .collect()
}

/// The rules the alerts break, each tagged with its CWEs.
fn rules() -> Vec<Rule> {
    RULES
        .iter()
        .map(
            |(id, name, description, tool, severity, sec, cwes, extra)| Rule {
                id: (*id).to_owned(),
                name: (*name).to_owned(),
                description: (*description).to_owned(),
                tool: *tool,
                severity,
                security_severity: *sec,
                tags: extra
                    .iter()
                    .map(|t| (*t).to_owned())
                    .chain(cwes.iter().map(|c| format!("external/cwe/cwe-{c:03}")))
                    .collect(),
            },
        )
        .collect()
}

/// The demo users (who can sign in), then the orgs' other members.
fn users(now: DateTime<Utc>) -> Vec<User> {
    let demo = DEMO_USERS
        .iter()
        .enumerate()
        .map(|(i, (login, name, blurb))| User {
            id: 583_231 + i as i64,
            login: (*login).to_owned(),
            name: (*name).to_owned(),
            blurb: (*blurb).to_owned(),
            created_at: now - Duration::days(3000 - 100 * i as i64),
        });
    let more = MORE_MEMBERS.iter().enumerate().map(|(i, login)| User {
        id: 700_001 + i as i64,
        login: (*login).to_owned(),
        name: login.replace('-', " "),
        blurb: String::new(),
        created_at: now - Duration::days(2000 - 50 * i as i64),
    });
    demo.chain(more).collect()
}

pub fn seed(profile: SeedProfile, now: DateTime<Utc>) -> World {
    let mut rng = Rng(0x5EED_CA4B_A16E_0001);
    let mut world = World {
        tools: tools(),
        rules: rules(),
        users: users(now),
        ..World::default()
    };
    let id_of = |w: &World, login: &str| w.user_by_login(login).map(|u| u.id).unwrap_or_default();
    let (mona, hubot, octocat) = (
        id_of(&world, "mona"),
        id_of(&world, "hubot"),
        id_of(&world, "octocat"),
    );

    let (acme_open, globex_open) = match profile {
        SeedProfile::Standard => (2_400, 600),
        SeedProfile::Large => (10_400, 600),
        SeedProfile::Huge => (100_000, 600),
    };

    let mut acme_members = vec![
        (hubot, Role::Owner),
        (mona, Role::SecurityManager),
        (octocat, Role::Member),
    ];
    acme_members.extend(
        MORE_MEMBERS
            .iter()
            .map(|l| (id_of(&world, l), Role::Member)),
    );
    let acme = build_org(
        &mut rng,
        &world,
        now,
        OrgSpec {
            id: 9_919_001,
            login: "acme-corp",
            description: "Acme Corporation: storefront, payments and logistics",
            members: acme_members,
            teams: &[
                ("appsec", "AppSec"),
                ("platform", "Platform"),
                ("payments", "Payments"),
                ("frontend", "Frontend"),
                ("data", "Data"),
                ("mobile", "Mobile"),
            ],
            repos: ACME_REPOS,
            repo_id_base: 610_000_000,
            open_alerts: acme_open,
        },
    );
    let globex = build_org(
        &mut rng,
        &world,
        now,
        OrgSpec {
            id: 9_919_002,
            login: "globex",
            description: "Globex: internal systems",
            members: vec![
                (hubot, Role::Owner),
                (mona, Role::Member),
                (id_of(&world, "ada-lovelace"), Role::Member),
            ],
            teams: &[("core", "Core"), ("infra", "Infrastructure")],
            repos: GLOBEX_REPOS,
            repo_id_base: 620_000_000,
            open_alerts: globex_open,
        },
    );
    world.orgs = vec![acme, globex];
    seed_campaigns(&mut world, now, mona, hubot);
    install_the_demo_app(&mut world, now);
    world
}

/// Demo mode's GitHub App, installed on every org with what background work needs (read only).
fn install_the_demo_app(world: &mut World, now: DateTime<Utc>) {
    use ring::signature::KeyPair;
    let public_key = pem::parse(crate::settings::DEMO_APP_PRIVATE_KEY)
        .ok()
        .and_then(|p| ring::signature::RsaKeyPair::from_der(p.contents()).ok())
        .map(|k| k.public_key().as_ref().to_vec())
        .expect("the demo App's key is a PKCS#1 RSA key");
    world.apps = vec![App {
        id: crate::settings::DEMO_APP_ID,
        slug: "campaigns-admin-demo".to_owned(),
        client_id: "Iv23.demo0campaigns0app".to_owned(),
        public_key,
    }];
    let permissions = [
        ("organization_campaigns", "write"),
        ("security_events", "read"),
        ("metadata", "read"),
    ];
    world.installations = (world.orgs.iter().enumerate())
        .map(|(i, o)| Installation {
            id: 71_000_001 + i as i64,
            app_id: crate::settings::DEMO_APP_ID,
            org_id: o.id,
            permissions: permissions
                .iter()
                .map(|(p, a)| ((*p).to_owned(), (*a).to_owned()))
                .collect(),
            created_at: now - Duration::days(30),
        })
        .collect();
}

struct OrgSpec {
    id: i64,
    login: &'static str,
    description: &'static str,
    members: Vec<(i64, Role)>,
    teams: &'static [(&'static str, &'static str)],
    repos: &'static [&'static str],
    repo_id_base: i64,
    open_alerts: usize,
}

fn build_org(rng: &mut Rng, world: &World, now: DateTime<Utc>, spec: OrgSpec) -> Org {
    let teams = spec
        .teams
        .iter()
        .enumerate()
        .map(|(i, (slug, name))| Team {
            id: spec.id * 10 + i as i64,
            slug: (*slug).to_owned(),
            name: (*name).to_owned(),
            description: format!("The {name} team"),
        })
        .collect();
    let repos: Vec<Repo> = spec
        .repos
        .iter()
        .enumerate()
        .map(|(i, name)| Repo {
            id: spec.repo_id_base + 7 * i as i64 + 3,
            name: (*name).to_owned(),
            private: i % 4 != 0,
            description: format!("{} of {}", name.replace('-', " "), spec.login),
            deleted: false,
        })
        .collect();

    // About one closed alert for every four open ones, so campaign progress means something.
    let total = spec.open_alerts + spec.open_alerts / 4;
    let mut per_repo_number = vec![0i64; repos.len()];
    let mut alerts = Vec::with_capacity(total);
    let mut open_left = spec.open_alerts;
    let member_ids: Vec<i64> = spec.members.iter().map(|(id, _)| *id).collect();
    for i in 0..total {
        // Skewed towards the first repositories, as real orgs are (the lesser of two draws).
        let repo = rng.below(repos.len()).min(rng.below(repos.len()));
        per_repo_number[repo] += 1;
        let rule = rng.below(world.rules.len());
        let state = if open_left > 0 && (total - i <= open_left || rng.below(5) != 0) {
            open_left -= 1;
            AlertState::Open
        } else if rng.below(2) == 0 {
            AlertState::Fixed
        } else {
            AlertState::Dismissed
        };
        let age_minutes = (total - i) as i64 * 97 + rng.below(90) as i64;
        let created_at = now - Duration::minutes(age_minutes);
        let updated_at =
            created_at + Duration::minutes(rng.below(age_minutes.max(1) as usize) as i64);
        let path = alert_path(rng, &world.rules[rule]);
        let assignee =
            (state == AlertState::Open && rng.below(8) == 0).then(|| *rng.pick(&member_ids));
        alerts.push(Alert {
            repo,
            number: per_repo_number[repo],
            rule,
            state,
            created_at,
            updated_at,
            path,
            line: 1 + rng.below(800) as i64,
            assignees: assignee.into_iter().collect(),
            dismissed_reason: (state == AlertState::Dismissed)
                .then_some(DISMISSED_REASONS[i % DISMISSED_REASONS.len()]),
            dismissed_comment: None,
            dismissed_by: None,
        });
    }
    Org {
        id: spec.id,
        login: spec.login.to_owned(),
        description: spec.description.to_owned(),
        members: spec.members,
        teams,
        repos,
        alerts,
        campaigns: Vec::new(),
        next_campaign_number: 1,
    }
}

fn alert_path(rng: &mut Rng, rule: &Rule) -> String {
    let dir = rng.pick(DIRS);
    let file = if rule.id.starts_with("py/")
        || rule.id.starts_with('B')
        || rule.id.starts_with("python")
    {
        rng.pick(FILES_PY)
    } else if rule.id.starts_with("js/") || rule.id.starts_with("javascript") {
        rng.pick(FILES_JS)
    } else {
        rng.pick(FILES_OTHER)
    };
    format!("{dir}/{file}")
}

fn seed_campaigns(world: &mut World, now: DateTime<Utc>, mona: i64, hubot: i64) {
    struct Spec {
        org: usize,
        name: &'static str,
        description: &'static str,
        manager: i64,
        teams: &'static [&'static str],
        age_days: i64,
        due_in_days: i64,
        open: bool,
        contact: Option<&'static str>,
        rule_prefix: &'static str,
        take: usize,
        done_percent: usize,
    }
    let specs = [
        Spec { org: 0, name: "SQL injection sweep", description: "Fix every SQL injection alert in customer-facing services before the Q1 audit.\nQuestions: #appsec on chat.", manager: mona, teams: &["appsec", "payments"], age_days: 20, due_in_days: 25, open: true, contact: Some("https://chat.example.com/channels/appsec"), rule_prefix: "sql-injection", take: 120, done_percent: 45 },
        Spec { org: 0, name: "Critical command injection", description: "Command-line injection findings rated critical. Patch or dismiss with a reason.", manager: hubot, teams: &["platform"], age_days: 9, due_in_days: 4, open: true, contact: Some("mailto:appsec@acme.example"), rule_prefix: "command-line-injection", take: 80, done_percent: 15 },
        Spec { org: 0, name: "XSS in the storefront", description: "Cross-site scripting in web-storefront and marketing-site.", manager: mona, teams: &["frontend"], age_days: 40, due_in_days: -3, open: true, contact: None, rule_prefix: "xss", take: 150, done_percent: 30 },
        Spec { org: 0, name: "Hard-coded secrets 2025", description: "Remove secrets from source; rotate what leaked.", manager: mona, teams: &[], age_days: 120, due_in_days: -60, open: false, contact: None, rule_prefix: "secret", take: 40, done_percent: 90 },
        Spec { org: 0, name: "Path traversal clean-up", description: "Uncontrolled data in path expressions across Java and JavaScript services.", manager: hubot, teams: &["appsec"], age_days: 90, due_in_days: -30, open: false, contact: Some("https://wiki.example.com/appsec/path-traversal"), rule_prefix: "path-injection", take: 60, done_percent: 80 },
        Spec { org: 1, name: "Globex logging hygiene", description: "Stop logging sensitive data in clear text.", manager: hubot, teams: &["core"], age_days: 5, due_in_days: 30, open: true, contact: None, rule_prefix: "logging", take: 30, done_percent: 10 },
    ];
    for s in specs {
        let org = &mut world.orgs[s.org];
        let rules = &world.rules;
        // Part-way done: about `done_percent` of the campaign's alerts are fixed or dismissed.
        let matching = |closed: bool| {
            org.alerts
                .iter()
                .enumerate()
                .filter(move |(_, a)| {
                    rules[a.rule].id.contains(s.rule_prefix)
                        && (a.state != AlertState::Open) == closed
                })
                .map(|(i, _)| i)
        };
        let done = s.take * s.done_percent / 100;
        let mut alerts: Vec<usize> = matching(true).take(done).collect();
        alerts.extend(matching(false).take(s.take - alerts.len()));
        alerts.sort_unstable();
        let created_at = now - Duration::days(s.age_days);
        let ends_at = now + Duration::days(s.due_in_days);
        let number = org.next_campaign_number;
        org.next_campaign_number += 1;
        org.campaigns.push(Campaign {
            number,
            name: s.name.to_owned(),
            description: s.description.to_owned(),
            managers: vec![s.manager],
            team_managers: s.teams.iter().map(|t| (*t).to_owned()).collect(),
            created_at,
            updated_at: created_at + Duration::hours(3),
            published_at: created_at,
            ends_at,
            closed_at: (!s.open).then(|| ends_at.min(now) - Duration::days(1)),
            open: s.open,
            contact_link: s.contact.map(str::to_owned),
            alerts,
        });
    }
}

/// Adds `count` repositories to an org, each with `open_each` open alerts of the first rules
/// (benchmarks: work over many repositories).
pub fn add_repositories(org: &mut Org, count: usize, open_each: usize, now: DateTime<Utc>) {
    let first_id = org.repos.iter().map(|r| r.id).max().unwrap_or(700_000_000) + 1;
    for k in 0..count {
        let name = format!("service-{:03}", org.repos.len() + 1);
        org.repos.push(Repo {
            id: first_id + k as i64,
            description: format!("{name} of {}", org.login),
            name,
            private: true,
            deleted: false,
        });
        let repo = org.repos.len() - 1;
        for n in 0..open_each {
            let created_at = now - Duration::days(30 + n as i64);
            org.alerts.push(Alert {
                repo,
                number: n as i64 + 1,
                rule: n % 5,
                state: AlertState::Open,
                created_at,
                updated_at: created_at,
                path: format!("src/handler_{n}.rs"),
                line: 10 + n as i64,
                assignees: Vec::new(),
                dismissed_reason: None,
                dismissed_comment: None,
                dismissed_by: None,
            });
        }
    }
}

/// Adds `count` closed campaigns to an org, each with one alert (test fixtures for paging).
pub fn add_closed_campaigns(org: &mut Org, count: usize, now: DateTime<Utc>) {
    for i in 0..count {
        let number = org.next_campaign_number;
        org.next_campaign_number += 1;
        let created_at = now - Duration::days(200 + i as i64);
        org.campaigns.push(Campaign {
            number,
            name: format!("Archived sweep {}", i + 1),
            description: "An older campaign, kept for the record.".to_owned(),
            managers: Vec::new(),
            team_managers: Vec::new(),
            created_at,
            updated_at: created_at,
            published_at: created_at,
            ends_at: created_at + Duration::days(30),
            closed_at: Some(created_at + Duration::days(29)),
            open: false,
            contact_link: None,
            alerts: vec![i % org.alerts.len().max(1)],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_alerts(w: &World) -> usize {
        w.orgs
            .iter()
            .flat_map(|o| &o.alerts)
            .filter(|a| a.state == AlertState::Open)
            .count()
    }

    #[test]
    fn standard_profile_matches_the_demo_description() {
        let now = Utc::now();
        let w = seed(SeedProfile::Standard, now);
        assert_eq!(w.orgs.len(), 2);
        let repos: usize = w.orgs.iter().map(|o| o.repos.len()).sum();
        assert_eq!(repos, 40);
        assert_eq!(open_alerts(&w), 3_000);
        let tools: std::collections::HashSet<_> = w.orgs[0]
            .alerts
            .iter()
            .map(|a| w.rules[a.rule].tool)
            .collect();
        assert_eq!(tools.len(), 3);
        let acme = &w.orgs[0];
        let mona = w.user_by_login("mona").unwrap().id;
        assert_eq!(acme.role_of(mona), Some(Role::SecurityManager));
        assert_eq!(w.orgs[1].role_of(mona), Some(Role::Member));
        assert!(acme.campaigns.iter().any(|c| c.open) && acme.campaigns.iter().any(|c| !c.open));
        assert!(acme.campaigns.iter().all(|c| !c.alerts.is_empty()));
    }

    #[test]
    fn seeding_is_deterministic() {
        let now = Utc::now();
        let (a, b) = (
            seed(SeedProfile::Standard, now),
            seed(SeedProfile::Standard, now),
        );
        let sig = |w: &World| -> Vec<(usize, i64, usize, String)> {
            w.orgs[0]
                .alerts
                .iter()
                .take(200)
                .map(|a| (a.repo, a.number, a.rule, a.path.clone()))
                .collect()
        };
        assert_eq!(sig(&a), sig(&b));
    }

    #[test]
    fn large_profile_has_ten_thousand_open_alerts_in_one_org() {
        let w = seed(SeedProfile::Large, Utc::now());
        let acme_open = w.orgs[0]
            .alerts
            .iter()
            .filter(|a| a.state == AlertState::Open)
            .count();
        assert!(acme_open >= 10_000, "{acme_open}");
    }

    #[test]
    fn alert_numbers_are_unique_per_repository() {
        let w = seed(SeedProfile::Standard, Utc::now());
        for org in &w.orgs {
            let mut seen = std::collections::HashSet::new();
            for a in &org.alerts {
                assert!(seen.insert((a.repo, a.number)));
            }
        }
    }
}
