//! The load and fault suite (#14): fifty simulated users browse, edit without JavaScript and
//! create campaigns while the emulator injects 5xx bursts, secondary rate limits with
//! `retry-after`, answers slower than the app's timeout, dropped connections, malformed JSON and
//! lost answers to creates, and the app restarts in the middle on the same store.
//!
//! Nothing may panic, every error page must say what to do, no session may be lost to the
//! restart, no form input may be lost, and no campaign may be created twice. `make test` runs it
//! for a short while on SQLite and on PostgreSQL; `make soak` runs it for ten minutes
//! (`LOAD_SECONDS`) and prints its figures, with the test process's resident memory over time.

use crate::helpers::{emulator_for, free_port, serve, test_settings, Browser, TestApp};
use campaigns_admin::emulator::{EmulatorHandle, FaultAction, FaultRule};
use campaigns_admin::settings::Settings;
use campaigns_admin::startup::Application;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const USERS: usize = 50;
const ORG: &str = "acme-corp";
/// The app's GitHub timeout during the run: the slow faults go past it.
const TIMEOUT_SECS: &str = "1";
/// Campaigns the users edit (the seeded ones).
const EDITED: [i64; 4] = [1, 2, 3, 4];

/// The app, restartable on the same address, data and store, and the GitHub it talks to (which
/// keeps running through the restart).
struct Rig {
    settings: Settings,
    emulator: EmulatorHandle,
    app: Option<TestApp>,
    _dir: tempfile::TempDir,
}

impl Rig {
    async fn new(database_url: Option<&str>) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let public = format!("http://127.0.0.1:{port}/");
        let mut env = vec![
            ("CAMPAIGNS_LISTEN_ADDR", listen.as_str()),
            ("CAMPAIGNS_PUBLIC_URL", public.as_str()),
            (
                "CAMPAIGNS_SESSION_KEY",
                "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            ),
            ("CAMPAIGNS_GITHUB_CLIENT_SECRET", "load-secret"),
            ("CAMPAIGNS_GITHUB_TIMEOUT_SECS", TIMEOUT_SECS),
            ("CAMPAIGNS_LIMITS_API_PER_MINUTE", "100000000"),
            ("CAMPAIGNS_LIMITS_AUTH_PER_MINUTE", "100000000"),
            ("CAMPAIGNS_LIMITS_HEAVY_PER_MINUTE", "100000000"),
            ("CAMPAIGNS_LOG", "error"),
        ];
        if let Some(url) = database_url {
            env.push(("CAMPAIGNS_DATABASE_URL", url));
        }
        let mut settings = test_settings(dir.path(), &env);
        let emulator = emulator_for(&settings, false, 100_000_000).await;
        settings.demo.emulator_url = Some(emulator.url());
        let mut rig = Rig {
            settings,
            emulator,
            app: None,
            _dir: dir,
        };
        rig.start().await;
        rig
    }

    async fn start(&mut self) {
        // The old listener may take a moment to let go of the port.
        for _ in 0..50 {
            match Application::build(self.settings.clone()).await {
                Ok(app) => {
                    let em = self.emulator.emulator().clone();
                    self.app = Some(serve(app, em, Browser::new()));
                    return;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        panic!("the app did not start again on its address");
    }

    /// Stops the app as SIGTERM does (open requests drain) and starts it again.
    async fn restart(&mut self) -> Duration {
        let began = Instant::now();
        let mut app = self.app.take().expect("running");
        let _ = app.stop.take().expect("stoppable").send(());
        let _ = app.task.await;
        self.start().await;
        began.elapsed()
    }

    fn base(&self) -> String {
        self.app.as_ref().expect("running").url("")
    }

    fn github(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.emulator.url().as_str().trim_end_matches('/'),
            path
        )
    }

    /// GitHub's own JSON at `path`, read as mona.
    async fn github_json(&self, path: &str) -> serde_json::Value {
        let token = self
            .emulator
            .emulator()
            .issue_token("mona", &["read:org", "security_events"])
            .unwrap();
        reqwest::Client::new()
            .get(self.github(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// What the run saw.
#[derive(Default)]
struct Tally {
    /// Answers by what was asked and their status.
    answers: BTreeMap<(&'static str, u16), usize>,
    /// Milliseconds, by what was asked.
    latency: BTreeMap<&'static str, Vec<f64>>,
    /// What went wrong, in words; the test fails on any.
    problems: Vec<String>,
    /// Connections refused while the app restarted.
    refused_in_restart: usize,
    faults: BTreeMap<&'static str, usize>,
    /// Failed forms whose input came back whole.
    forms_kept: usize,
    /// Creates sent again after a failure that landed on the campaign already made.
    creates_retried: usize,
}

struct Run {
    base: Mutex<String>,
    tally: Mutex<Tally>,
    restarting: AtomicBool,
    /// Restarts finished; a user that saw a page after one counts in `kept_after`.
    restarts: AtomicUsize,
    kept_after: Mutex<std::collections::BTreeSet<usize>>,
    until: Instant,
}

impl Run {
    fn problem(&self, p: String) {
        let mut t = self.tally.lock().unwrap();
        if t.problems.len() < 200 {
            t.problems.push(p);
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base.lock().unwrap(), path)
    }
}

/// One simulated person: a browser with its own session.
struct User {
    id: usize,
    login: &'static str,
    browser: Browser,
    run: Arc<Run>,
}

/// An answer: status, `location`, body.
type Answer = (u16, String, String);

impl User {
    /// Sends a request; `None` when no answer came (counted; a problem unless the app was
    /// restarting).
    async fn send(&self, what: &'static str, req: reqwest::RequestBuilder) -> Option<Answer> {
        let began = Instant::now();
        let res = req.timeout(Duration::from_secs(30)).send().await;
        let res = match res {
            Ok(res) => res,
            Err(e) => {
                if self.run.restarting.load(Ordering::SeqCst) {
                    self.run.tally.lock().unwrap().refused_in_restart += 1;
                } else {
                    self.run.problem(format!("{what}: no answer: {e}"));
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
                return None;
            }
        };
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = res.text().await.unwrap_or_default();
        let ms = began.elapsed().as_secs_f64() * 1000.0;
        let mut t = self.run.tally.lock().unwrap();
        *t.answers.entry((what, status)).or_default() += 1;
        t.latency.entry(what).or_default().push(ms);
        Some((status, location, body))
    }

    /// A page view: signed in on success, and an error page that says what to do otherwise.
    async fn page(&self, what: &'static str, path: &str) -> Option<String> {
        let req = self.browser.client.get(self.run.url(path));
        let (status, location, body) = self.send(what, req).await?;
        match status {
            200 if body.contains(&format!("class=\"login\">{}<", self.login)) => {
                if self.run.restarts.load(Ordering::SeqCst) > 0 {
                    self.run.kept_after.lock().unwrap().insert(self.id);
                }
                Some(body)
            }
            200 => {
                self.run
                    .problem(format!("{what} {path}: 200 but not signed in"));
                None
            }
            429 | 502 | 503 | 504 if says_what_to_do(&body) => None,
            _ => {
                let start: String = body.chars().take(300).collect();
                self.run.problem(format!(
                    "{what} {path}: {status} (to {location:?}) without what to do: {start}"
                ));
                None
            }
        }
    }

    /// The page a failed form went back to, once it shows (a fault may hit it too): it must
    /// hold everything in `typed`.
    async fn check_kept(&self, what: &'static str, path: &str, typed: &[&str]) {
        for _ in 0..20 {
            if let Some(body) = self.page(what, path).await {
                let lost: Vec<&&str> = typed.iter().filter(|t| !body.contains(**t)).collect();
                if lost.is_empty() {
                    self.run.tally.lock().unwrap().forms_kept += 1;
                } else {
                    self.run
                        .problem(format!("{path}: the form came back without {lost:?}"));
                }
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        self.run
            .problem(format!("{path}: the failed form never showed again"));
    }

    /// A plain form post (no JavaScript) from the page at `from`.
    async fn post_form(
        &self,
        what: &'static str,
        path: &str,
        pairs: &[(&str, &str)],
        from: &str,
    ) -> Option<Answer> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let origin = self.run.url("");
        let req = self
            .browser
            .client
            .post(self.run.url(path))
            .header("origin", origin)
            .header("referer", self.run.url(from))
            .header("accept", "text/html")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(what, req).await
    }

    /// Renames nothing, rewrites the description; a failure must come back with it.
    async fn edit(&self, step: usize) {
        let number = EDITED[(self.id + step) % EDITED.len()];
        let form = format!("/orgs/{ORG}/campaigns/{number}/edit");
        let description = format!("Load run: user {} at step {step}.", self.id);
        let due = crate::campaign_create::due();
        let number_text = number.to_string();
        let name = format!("Load campaign {number}");
        let pairs = [
            ("org", ORG),
            ("number", number_text.as_str()),
            ("name", name.as_str()),
            ("description", description.as_str()),
            ("ends_at", due.as_str()),
            ("tz_offset", "0"),
            ("manager", "mona"),
            ("team_managers[0]", "appsec"),
            ("contact_link", "mailto:appsec@acme.example"),
            ("loaded_updated_at", "2001-01-01T00:00:00Z"),
            ("overwrite", "on"),
        ];
        let answer = self
            .post_form("edit", "/api/campaigns/update", &pairs, &form)
            .await;
        let Some((status, location, _)) = answer else {
            return;
        };
        if status != 303 && status != 302 {
            self.run
                .problem(format!("edit: {status} instead of a redirect"));
        } else if location == form {
            self.check_kept("edit form again", &form, &[&description])
                .await;
        } else if !location.starts_with(&format!("/orgs/{ORG}/campaigns/{number}?saved=1")) {
            self.run.problem(format!("edit: went to {location}"));
        }
    }

    /// Creates this user's campaign, sending the form again after each failure (as a person
    /// would) until it lands; the campaign's number.
    async fn create(&self, alert: &str) -> Option<i64> {
        let name = format!("Load run by user {}", self.id);
        let due = crate::campaign_create::due();
        let page = format!("/orgs/{ORG}/campaigns/new");
        let pairs = [
            ("org", ORG),
            ("name", name.as_str()),
            ("description", "Made during the load run."),
            ("ends_at", due.as_str()),
            ("tz_offset", "0"),
            ("manager", "mona"),
            ("picked[0]", alert),
        ];
        let mut failed = false;
        while Instant::now() < self.run.until {
            let answer = self
                .post_form("create", "/api/campaigns/create", &pairs, &page)
                .await;
            if let Some((_, location, _)) = answer {
                let landed = location
                    .strip_prefix(&format!("/orgs/{ORG}/campaigns/"))
                    .and_then(|rest| rest.strip_suffix("?created=1"))
                    .and_then(|n| n.parse().ok());
                if let Some(number) = landed {
                    if failed {
                        self.run.tally.lock().unwrap().creates_retried += 1;
                    }
                    return Some(number);
                }
                if location != page {
                    self.run.problem(format!("create: went to {location:?}"));
                    return None;
                }
                // The selection travels in the page's data, for the picker to tick again.
                let kept = [format!("value=\"{name}\""), alert.to_owned()];
                let kept: Vec<&str> = kept.iter().map(String::as_str).collect();
                self.check_kept("create form again", &page, &kept).await;
                failed = true;
            }
            // "Try again in a moment."
            tokio::time::sleep(Duration::from_millis(1000)).await;
        }
        None
    }

    async fn browse(self, alert: Option<String>) -> Option<(String, i64)> {
        let base = self.run.url("");
        self.browser.sign_in_at(&base, self.login, "/").await;
        let created = match &alert {
            Some(alert) => self
                .create(alert)
                .await
                .map(|n| (format!("Load run by user {}", self.id), n)),
            None => None,
        };
        let mut step = self.id;
        while Instant::now() < self.run.until {
            let number = EDITED[step % EDITED.len()];
            match step % 5 {
                0 => drop(self.page("list", &format!("/orgs/{ORG}/campaigns")).await),
                1 => {
                    let path = format!("/orgs/{ORG}/campaigns/{number}");
                    drop(self.page("detail", &path).await)
                }
                2 => {
                    let path = format!("/orgs/{ORG}/campaigns/{number}/alerts");
                    drop(self.page("alerts", &path).await)
                }
                3 => self.edit(step).await,
                _ => drop(self.page("home", "/").await),
            }
            step += 1;
            // Reading the page.
            let think = 400 + (step * 37 + self.id * 101) % 800;
            tokio::time::sleep(Duration::from_millis(think as u64)).await;
        }
        created
    }
}

fn says_what_to_do(body: &str) -> bool {
    body.contains("Try again") || body.contains("try again")
}

/// GitHub makes the next campaign but answers after the app stopped waiting.
fn lost_answer() -> FaultRule {
    FaultRule {
        method: Some("POST".into()),
        path_prefix: Some(format!("/orgs/{ORG}/campaigns")),
        latency_ms: 1500,
        action: Some(FaultAction::AnswerLate),
        times: Some(1),
    }
}

/// The faults, in turn, one every 1.5 s until the run ends.
async fn inject_faults(rig_emulator: campaigns_admin::emulator::Emulator, run: Arc<Run>) {
    let prefix = Some(format!("/orgs/{ORG}"));
    let status = |status, retry_after, secondary| FaultAction::Status {
        status,
        retry_after,
        secondary,
    };
    let faults: Vec<(&'static str, FaultRule)> = vec![
        ("lost answer to a create", lost_answer()),
        (
            "5xx burst",
            FaultRule {
                path_prefix: prefix.clone(),
                action: Some(status(502, None, false)),
                times: Some(12),
                ..Default::default()
            },
        ),
        (
            "secondary rate limit",
            FaultRule {
                path_prefix: prefix.clone(),
                action: Some(status(403, Some(1), true)),
                times: Some(4),
                ..Default::default()
            },
        ),
        (
            "answer past the timeout",
            FaultRule {
                path_prefix: prefix.clone(),
                latency_ms: 1500,
                times: Some(4),
                ..Default::default()
            },
        ),
        (
            "dropped connection",
            FaultRule {
                path_prefix: prefix.clone(),
                action: Some(FaultAction::Drop),
                times: Some(6),
                ..Default::default()
            },
        ),
        (
            "malformed JSON",
            FaultRule {
                path_prefix: prefix.clone(),
                action: Some(FaultAction::Malformed),
                times: Some(4),
                ..Default::default()
            },
        ),
        (
            "503 on writes",
            FaultRule {
                path_prefix: prefix.clone(),
                method: Some("PATCH".into()),
                action: Some(status(503, None, false)),
                times: Some(3),
                ..Default::default()
            },
        ),
    ];
    let mut i = 0;
    while Instant::now() + Duration::from_secs(2) < run.until {
        let (name, rule) = &faults[i % faults.len()];
        rig_emulator.add_fault(rule.clone());
        *run.tally.lock().unwrap().faults.entry(name).or_default() += 1;
        i += 1;
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    rig_emulator.clear_faults();
}

/// The test process's resident memory, in MB.
fn resident_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Counts the panics of every thread of this test's process from now on (nextest runs each test
/// in a process of its own), still printing them.
fn count_panics() -> Arc<AtomicUsize> {
    let panics = Arc::new(AtomicUsize::new(0));
    let counter = panics.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        counter.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
    panics
}

/// Runs the suite for `seconds` with the store at `database_url` (SQLite when `None`), and
/// checks what it promises.
async fn load_and_faults(database_url: Option<&str>, seconds: u64) {
    let panics = count_panics();
    let mut rig = Rig::new(database_url).await;
    let open = rig
        .github_json(&format!("/orgs/{ORG}/campaigns?state=open&per_page=100"))
        .await;
    let open = open.as_array().map_or(10, Vec::len);
    let creators = 10usize.saturating_sub(open).min(4);
    let alerts = rig
        .github_json(&format!(
            "/orgs/{ORG}/code-scanning/alerts?state=open&per_page=50"
        ))
        .await;
    let alerts: Vec<String> = alerts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| format!("{}:{}", a["repository"]["id"], a["number"]))
        .collect();

    // The first create meets a lost answer: sending it again must not make a second campaign.
    let em = rig.emulator.emulator().clone();
    em.add_fault(lost_answer());
    let began = Instant::now();
    let run = Arc::new(Run {
        base: Mutex::new(rig.base()),
        tally: Mutex::default(),
        restarting: AtomicBool::new(false),
        restarts: AtomicUsize::new(0),
        kept_after: Mutex::default(),
        until: began + Duration::from_secs(seconds),
    });
    let mut users = Vec::new();
    for id in 0..USERS {
        let user = User {
            id,
            login: if id % 2 == 0 { "mona" } else { "hubot" },
            browser: Browser::new(),
            run: run.clone(),
        };
        // The first few each create a campaign of their own.
        let alert = alerts.get(id).filter(|_| id < creators).cloned();
        users.push(tokio::spawn(user.browse(alert)));
    }
    let chaos = tokio::spawn(inject_faults(em, run.clone()));

    // Memory while it runs, and a restart halfway.
    let mut memory = vec![(0u64, resident_mb())];
    let mut restart_took = None;
    while Instant::now() < run.until {
        tokio::time::sleep(Duration::from_secs(5).min(run.until - Instant::now())).await;
        memory.push((began.elapsed().as_secs(), resident_mb()));
        if restart_took.is_none() && began.elapsed() >= Duration::from_secs(seconds / 2) {
            run.restarting.store(true, Ordering::SeqCst);
            restart_took = Some(rig.restart().await);
            *run.base.lock().unwrap() = rig.base();
            run.restarts.fetch_add(1, Ordering::SeqCst);
            // Kept-alive connections to the old process fail once more.
            tokio::time::sleep(Duration::from_millis(500)).await;
            run.restarting.store(false, Ordering::SeqCst);
        }
    }
    chaos.await.unwrap();
    let mut created = Vec::new();
    for u in users {
        created.extend(u.await.expect("a simulated user ended without panicking"));
    }

    // No campaign was created twice, and each creator landed on theirs.
    let mut names = Vec::new();
    for state in ["open", "closed"] {
        let path = format!("/orgs/{ORG}/campaigns?state={state}&per_page=100");
        let listed = rig.github_json(&path).await;
        names.extend(
            listed
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|c| c["name"].as_str().map(str::to_owned)),
        );
    }
    for id in 0..creators {
        let name = format!("Load run by user {id}");
        let copies = names.iter().filter(|n| **n == name).count();
        assert!(copies <= 1, "{name} was created {copies} times");
    }

    let t = run.tally.lock().unwrap();
    println!(
        "LOAD {seconds} s, {USERS} users, store: {}",
        if database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    for ((what, status), n) in &t.answers {
        println!("LOAD answers {what:<18} {status} ×{n}");
    }
    for (what, ms) in &t.latency {
        let mut ms = ms.clone();
        ms.sort_by(f64::total_cmp);
        println!(
            "LOAD latency {what:<18} n={:<6} p50 {:>7.1} ms  p99 {:>7.1} ms",
            ms.len(),
            percentile(&ms, 0.5),
            percentile(&ms, 0.99)
        );
    }
    for (fault, n) in &t.faults {
        println!("LOAD fault {fault:<26} ×{n}");
    }
    println!(
        "LOAD restart took {:?}; {} requests refused meanwhile; {} of {USERS} users signed in after it",
        restart_took.unwrap_or_default(),
        t.refused_in_restart,
        run.kept_after.lock().unwrap().len()
    );
    println!(
        "LOAD failed forms that came back whole: {}; creates sent again that landed on the first: {}; campaigns created: {} of {creators}",
        t.forms_kept,
        t.creates_retried,
        created.len()
    );
    let (first, last) = (memory[0].1, memory.last().unwrap().1);
    let peak = memory.iter().map(|m| m.1).fold(0.0, f64::max);
    println!(
        "LOAD memory of the test process (app, emulator and {USERS} clients): {first:.1} MB at the start, {last:.1} MB at the end, {peak:.1} MB at most"
    );
    if seconds >= 120 {
        // Every 30 s.
        for (at, mb) in memory.iter().step_by(6) {
            println!("LOAD memory {at:>5} s {mb:>7.1} MB");
        }
    }

    assert_eq!(panics.load(Ordering::SeqCst), 0, "nothing panicked");
    assert!(
        t.problems.is_empty(),
        "{} problems, e.g.:\n{}",
        t.problems.len(),
        t.problems
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(
        run.kept_after.lock().unwrap().len(),
        USERS,
        "every user is still signed in after the restart"
    );
    assert_eq!(created.len(), creators, "every creator's campaign landed");
    if creators > 0 {
        assert!(
            t.creates_retried > 0,
            "a create whose answer was lost was sent again"
        );
    }
    let pages = t
        .answers
        .iter()
        .filter(|((_, s), _)| *s == 200)
        .map(|(_, n)| n)
        .sum::<usize>();
    assert!(pages > USERS * 2, "the users saw pages ({pages})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_users_through_faults_and_a_restart_on_sqlite() {
    load_and_faults(None, 24).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_users_through_faults_and_a_restart_on_postgresql() {
    let url = crate::postgres::fresh_database().await;
    load_and_faults(Some(&url), 24).await;
}

/// `make soak`: the same for `LOAD_SECONDS` (ten minutes by default), printing its figures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: make soak runs it"]
async fn soak() {
    let seconds = std::env::var("LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    load_and_faults(None, seconds).await;
}

/// A browser that leaves a page before it is rendered (a click elsewhere, a closed tab) leaves
/// the page's data loading on the server: what still runs must not panic for want of the request.
#[tokio::test]
async fn pages_left_before_they_are_done_panic_nothing() {
    let panics = count_panics();
    let app = crate::helpers::spawn_app().await;
    app.sign_in("mona").await;
    // GitHub answers slowly enough for the browser to leave in between.
    app.emulator.add_fault(FaultRule {
        path_prefix: Some(format!("/orgs/{ORG}/campaigns")),
        latency_ms: 150,
        ..Default::default()
    });
    let mut left = 0;
    for path in [
        "/orgs/acme-corp/campaigns",
        "/orgs/acme-corp/campaigns/1",
        "/orgs/acme-corp/campaigns/1/alerts",
        "/orgs/acme-corp/campaigns/1/edit",
        "/orgs/acme-corp/campaigns/new",
        "/orgs/acme-corp/audit",
    ] {
        for wait_ms in [20, 80, 160, 250] {
            let res = app
                .client
                .get(app.url(path))
                .timeout(Duration::from_millis(wait_ms))
                .send()
                .await;
            left += usize::from(res.is_err());
        }
    }
    assert!(left >= 6, "the browser left {left} pages early");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(panics.load(Ordering::SeqCst), 0, "nothing panicked");
    app.emulator.clear_faults();
    assert_eq!(app.get("/orgs/acme-corp/campaigns/1").await.status(), 200);
}
