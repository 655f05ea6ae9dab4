//! One shared `reqwest` client, built at startup, that never follows redirects.

use crate::settings::GitHubSettings;
use url::Url;

#[derive(Clone)]
pub struct GitHubClient {
    http: reqwest::Client,
    api_url: Url,
}

impl std::fmt::Debug for GitHubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHubClient")
            .field("api_url", &self.api_url.as_str())
            .finish()
    }
}

impl GitHubClient {
    pub fn new(settings: &GitHubSettings) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .user_agent(concat!("campaigns-admin/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            api_url: settings.api_url.clone(),
        })
    }

    /// The shared HTTP client (the OAuth exchange uses it too).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn api_url(&self) -> &Url {
        &self.api_url
    }
}
