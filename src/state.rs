//! `AppState`: what every handler and server function can reach. Built once at startup.

use crate::auth::crypto::TokenCipher;
use crate::auth::single_flight::RefreshFlights;
use crate::github::GitHubClient;
use crate::settings::Settings;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub settings: Arc<Settings>,
    pub github: GitHubClient,
    pub cipher: TokenCipher,
    pub refreshes: Arc<RefreshFlights>,
}
