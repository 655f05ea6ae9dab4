//! Builds the whole server from settings: the emulator (demo mode), the GitHub client, the axum
//! router with the Leptos routes, and serves it until SIGTERM or Ctrl-C.

use crate::app::{shell, App};
use crate::assets::Bundle;
use crate::auth::{
    self, cookie, cookie::SessionLayer, crypto::TokenCipher, oauth::OAuthApp,
    routes as auth_routes, single_flight::RefreshFlights,
};
use crate::error::AppError;
use crate::github::app::GitHubApp;
use crate::github::GitHubClient;
use crate::health;
use crate::security::headers::{self, SecurityHeaders};
use crate::security::rate_limit::{self, RateLimits};
use crate::settings::Settings;
use crate::state::AppState;
use axum::{
    body::Body,
    http::{Request, StatusCode},
    middleware,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use leptos::config::{get_configuration, LeptosOptions};
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::{limit::RequestBodyLimitLayer, timeout::TimeoutLayer, trace::TraceLayer};

/// Why the server could not start. Each names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {addr} (setting `listen_addr`, CAMPAIGNS_LISTEN_ADDR): {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start the built-in GitHub emulator on {addr} (setting `demo.emulator_addr`, CAMPAIGNS_DEMO_EMULATOR_ADDR): {source}")]
    Emulator {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    GitHubApp(#[from] crate::github::app::AppKeyError),
    #[error("cannot build the HTTP client for GitHub: {0}")]
    HttpClient(#[from] crate::github::client::ClientError),
    #[error("Leptos settings (LEPTOS_* variables): {0}")]
    Leptos(String),
    #[error("{0}")]
    Store(#[from] crate::store::OpenError),
    #[error("setting `session.key` (environment variable CAMPAIGNS_SESSION_KEY): {0}")]
    SessionKey(crate::auth::crypto::CipherError),
    #[error("settings `github.web_url` and `public_url`: {0}")]
    OAuth(String),
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    settings: Arc<Settings>,
    state: AppState,
    emulator: Option<Emulated>,
}

impl Application {
    pub async fn build(mut settings: Settings) -> Result<Self, StartupError> {
        let (listener, addr) = bind(&mut settings).await?;
        let emulator = stand_in_for_github(&mut settings).await?;
        let mut leptos_options = leptos_options(addr)?;
        let bundle = Bundle::find(&mut leptos_options);
        let github = GitHubClient::new(&settings.github)?;
        let app = background_identity(&settings)?;
        let cipher = token_cipher(&settings)?;
        let oauth = OAuthApp::new(&settings, github.http().clone()).map_err(StartupError::OAuth)?;
        let store = crate::store::open(&settings).await?;
        #[cfg(feature = "demo")]
        if let Some(handle) = &emulator {
            if let Err(e) = crate::demo::seed_store(&store, handle.emulator()).await {
                tracing::warn!(error = %e, "could not seed demo mode's history");
            }
        }
        let session_layer = cookie::layer(store.sessions(), &settings);
        let settings = Arc::new(settings);
        let state = AppState {
            leptos_options,
            settings: settings.clone(),
            github,
            app,
            cipher,
            refreshes: Arc::new(RefreshFlights::default()),
            oauth: Arc::new(oauth),
            store,
            managers: Default::default(),
        };
        Ok(Self {
            listener,
            router: router(state.clone(), session_layer, bundle),
            state,
            addr,
            settings,
            emulator,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// What every request works with (tests call the services with it, no server between).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The built-in emulator, in demo mode.
    #[cfg(feature = "demo")]
    pub fn emulator(&self) -> Option<&crate::emulator::Emulator> {
        self.emulator.as_ref().map(|h| h.emulator())
    }

    /// Tells the person who ran `make run` where to go and how to sign in.
    pub fn print_banner(&self) {
        let url = &self.settings.public_url;
        println!("campaigns-admin is listening on {} — open {url}", self.addr);
        #[cfg(feature = "demo")]
        if let Some(em) = &self.emulator {
            println!(
                "Demo mode: the built-in GitHub emulator runs at {}. Sign in with GitHub and choose a demo user (mona is a security manager of acme-corp).",
                em.url()
            );
        }
    }

    /// Serves until SIGTERM or Ctrl-C, then lets open requests finish (up to `DRAIN_DEADLINE`).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal(), DRAIN_DEADLINE).await
    }

    /// Serves until `signal`, then waits up to `drain` for open requests.
    pub async fn run_until(
        self,
        signal: impl std::future::Future<Output = ()>,
        drain: Duration,
    ) -> std::io::Result<()> {
        // The emulator (demo mode) serves until the app has stopped.
        let Application {
            listener,
            router,
            emulator: _emulator,
            state,
            ..
        } = self;
        // The scheduled jobs (when this instance runs them) stop with the server.
        let (stop_jobs, jobs_stopped) = tokio::sync::oneshot::channel::<()>();
        let jobs = crate::jobs::start(state, async {
            let _ = jobs_stopped.await;
        });
        crate::serve::serve(listener, router, signal, drain).await?;
        let _ = stop_jobs.send(());
        if let Some(jobs) = jobs {
            let _ = tokio::time::timeout(drain, jobs).await;
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Binds the listening socket. Tests ask for any free port (0): the app's own origin then
/// follows from the one it got.
async fn bind(settings: &mut Settings) -> Result<(TcpListener, SocketAddr), StartupError> {
    let listen = settings.listen_addr;
    let bind_error = |source| StartupError::Bind {
        addr: listen,
        source,
    };
    let listener = TcpListener::bind(listen).await.map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let loopback = matches!(
        settings.public_url.host_str(),
        Some("127.0.0.1" | "localhost")
    );
    if listen.port() == 0 && loopback {
        settings.public_url = url::Url::parse(&format!("http://{addr}/"))
            .map_err(|e| StartupError::Leptos(e.to_string()))?;
    }
    Ok((listener, addr))
}

/// The built-in GitHub emulator that demo mode runs in this process.
#[cfg(feature = "demo")]
type Emulated = crate::emulator::EmulatorHandle;
/// A build without the `demo` feature has none (its settings refuse demo mode).
#[cfg(not(feature = "demo"))]
type Emulated = std::convert::Infallible;

#[cfg(not(feature = "demo"))]
async fn stand_in_for_github(_: &mut Settings) -> Result<Option<Emulated>, StartupError> {
    Ok(None)
}

/// Demo mode: the emulator (this process's own, or a shared one) stands in for GitHub, having
/// registered this app's callback.
#[cfg(feature = "demo")]
async fn stand_in_for_github(settings: &mut Settings) -> Result<Option<Emulated>, StartupError> {
    use crate::emulator::{self, EmulatorConfig};
    use crate::settings::Mode;
    let handle = match (settings.mode, settings.demo.emulator_url.clone()) {
        (Mode::Demo, Some(shared)) => {
            settings.github.web_url = shared.clone();
            settings.github.api_url = shared;
            return Ok(None);
        }
        (Mode::Demo, None) => {
            let addr = settings.demo.emulator_addr;
            let config = EmulatorConfig {
                client_id: settings.github.client_id.clone(),
                client_secret: settings.github.client_secret.clone(),
                callback_url: settings.redirect_uri(),
                expiring_tokens: settings.demo.expiring_tokens,
                profile: settings.demo.profile,
                tokens_file: Some(settings.data_dir.join("emulator-tokens.json")),
                list_stats: settings.demo.list_stats,
                rate_limit: settings.demo.rate_limit,
            };
            emulator::spawn(addr, config)
                .await
                .map_err(|source| StartupError::Emulator { addr, source })?
        }
        (Mode::GitHub, _) => return Ok(None),
    };
    settings.github.web_url = handle.url();
    settings.github.api_url = handle.url();
    Ok(Some(handle))
}

/// The GitHub App that background work acts as, its key checked now: a key that cannot sign
/// stops the server with a line naming the setting.
fn background_identity(settings: &Settings) -> Result<Option<GitHubApp>, StartupError> {
    let Some(app) = &settings.github.app else {
        tracing::info!(
            "no GitHub App configured (github.app_id): background work that needs GitHub is off"
        );
        return Ok(None);
    };
    let app = GitHubApp::new(app)?;
    tracing::info!(app_id = app.id(), "background work acts as the GitHub App");
    Ok(Some(app))
}

/// The key that seals GitHub tokens in the session store; demo mode may go without one.
fn token_cipher(settings: &Settings) -> Result<TokenCipher, StartupError> {
    match &settings.session.key {
        Some(key) => TokenCipher::from_base64(key).map_err(StartupError::SessionKey),
        None => {
            tracing::warn!("demo mode without CAMPAIGNS_SESSION_KEY: using an ephemeral key, so sign-ins do not survive a restart");
            Ok(TokenCipher::ephemeral())
        }
    }
}

fn leptos_options(addr: SocketAddr) -> Result<LeptosOptions, StartupError> {
    let conf = get_configuration(None).map_err(|e| StartupError::Leptos(e.to_string()))?;
    let mut options = conf.leptos_options;
    if options.output_name.is_empty() {
        // Built without cargo-leptos (cargo test): the bundle name is the crate's.
        options.output_name = Arc::from(env!("CARGO_PKG_NAME"));
    }
    options.site_addr = addr;
    Ok(options)
}

/// The largest request body: a create with 1,000 picked alerts is about 40 KB.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// How long a graceful shutdown waits for requests in flight.
pub const DRAIN_DEADLINE: Duration = Duration::from_secs(30);

fn router(state: AppState, sessions: SessionLayer, bundle: Bundle) -> Router {
    let routes = generate_route_list(App);
    let shell_options = state.leptos_options.clone();
    Router::new()
        .merge(auth_routes::routes())
        .route(
            "/orgs/{org}/audit.csv",
            get(crate::service::audit::export_csv),
        )
        .merge(crate::service::exports::routes())
        .leptos_routes_with_context(&state, routes, headers::provide_response_nonce, move || {
            shell(shell_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(headers::provide_response_nonce, shell))
        // Innermost first: the page guard needs the session that the session layer loads.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_session,
        ))
        .layer(middleware::from_fn(server_fn_status))
        .layer(sessions)
        // Outside the session layer: a balancer's probe never reads or saves a session, so
        // liveness holds while the database is away.
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .layer(middleware::from_fn_with_state(
            state.store.clone(),
            health::database_outage,
        ))
        // Before the session layer: a refused request stores nothing.
        .layer(middleware::from_fn_with_state(
            RateLimits::new(
                &state.settings.limits,
                cookie::cookie_name(state.settings.session.cookie_secure),
            ),
            rate_limit::middleware,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::same_origin_only,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            state.settings.limits.request_timeout,
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
                // The path only: query strings can carry OAuth codes and states.
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
            }),
        )
        .layer(middleware::from_fn_with_state(
            SecurityHeaders::new(&state.settings, bundle),
            headers::middleware,
        ))
        .with_state(state)
}

/// A server function that fails before its body runs (a missing or unreadable argument) is
/// answered 500 by Leptos: give it the status its error means (400 for unreadable arguments).
async fn server_fn_status(req: Request<Body>, next: middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let failed_fn = res.headers().contains_key("serverfnerror");
    if !api || !failed_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Some(status) = serde_json::from_slice::<AppError>(&bytes)
        .ok()
        .and_then(|err| StatusCode::from_u16(err.status_code()).ok())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
