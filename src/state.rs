//! `AppState`: what every handler and server function can reach. Built once at startup.

use crate::auth::access::Managers;
use crate::auth::crypto::TokenCipher;
use crate::auth::oauth::OAuthApp;
use crate::auth::session::{SignedIn, TokenKeeper};
use crate::auth::single_flight::RefreshFlights;
use crate::github::app::GitHubApp;
use crate::github::GitHubClient;
use crate::settings::Settings;
use crate::store::Store;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub settings: Arc<Settings>,
    pub github: GitHubClient,
    /// The GitHub App that background work acts as; none configured: that work is off.
    pub app: Option<GitHubApp>,
    pub cipher: TokenCipher,
    pub refreshes: Arc<RefreshFlights<SignedIn>>,
    pub oauth: Arc<OAuthApp>,
    pub store: Store,
    /// Who manages which org's campaigns, as GitHub answered lately (`auth::access`).
    pub managers: Managers,
}

impl AppState {
    /// What reading the signed-in user's token needs.
    pub fn tokens(&self) -> TokenKeeper<'_> {
        TokenKeeper {
            lifetime: self.settings.session.lifetime,
            cipher: &self.cipher,
            refreshes: &self.refreshes,
            oauth: &self.oauth,
            sessions: self.store.sessions(),
        }
    }
}
