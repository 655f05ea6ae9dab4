//! The transport: one shared `reqwest` client, built at startup, that never follows redirects, sends
//! GitHub's headers and the user's token, builds URLs only from validated parts, pages through
//! `Link`, retries what may be retried, keeps answers for conditional requests, and holds each
//! token to its share of the slots. The operations are `impl GitHubClient` blocks beside it, one
//! file per resource family (`users`, `orgs`, `campaigns`, `alerts`); statuses become `AppError`
//! in `errors`.

use super::cache::ConditionalCache;
use super::errors::map_error;
use super::link::{is_under, page_number, parse_link_header};
use super::models::*;
use crate::error::AppError;
use crate::settings::GitHubSettings;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;
use url::Url;

pub const API_VERSION: &str = "2022-11-28";
pub const USER_AGENT: &str = concat!("campaigns-admin/", env!("CARGO_PKG_VERSION"));
/// GitHub's largest page.
pub const MAX_PER_PAGE: u32 = 100;
/// The most pages one paginated read follows, whatever the `Link` headers say.
pub const MAX_PAGES: usize = 250;
/// The largest answer read from GitHub: a page of 100 alerts is about 300 KB.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

#[derive(Clone)]
pub struct GitHubClient {
    pub(super) http: reqwest::Client,
    api_url: Url,
    /// The last answer to each GET, per token, for `If-None-Match`.
    cache: ConditionalCache,
    /// Each token's organisations for `USER_ORGS_FRESH`: every page's header, the home page and
    /// the members-only checks ask, often at once; one request answers them all.
    pub(super) user_orgs: moka::future::Cache<[u8; 32], Arc<Vec<OrganizationSimple>>>,
    /// Requests to GitHub under way at once, over all users (`MAX_IN_FLIGHT`).
    in_flight: Arc<tokio::sync::Semaphore>,
    /// Each token's share of those (`MAX_IN_FLIGHT_PER_TOKEN`), by a digest of the token.
    per_token: moka::sync::Cache<[u8; 32], Arc<tokio::sync::Semaphore>>,
    /// By the URL of a page of an org's campaign list: the numbers of its items GitHub listed
    /// without their counts last time (numbers only, asked again with each caller's own token).
    pub(super) listed_without_stats:
        moka::sync::Cache<String, Arc<Vec<crate::domain::CampaignNumber>>>,
}

/// The most requests this instance has under way at GitHub at once. Each answer is held in memory
/// until it is read: fifty people opening alerts pages at once wait their turn rather than hold a
/// thousand answers.
pub const MAX_IN_FLIGHT: usize = 64;

/// Of those, the most one token may hold. GitHub's secondary rate limits allow no more than 100
/// concurrent requests per user (across every app and token of theirs) and 900 points a minute on
/// the REST API (a GET is one point): 24 at once leaves most of the first to the user's other
/// tools, and one page (an alerts page of twenty repositories, a picker batch of twenty pages) is
/// one round of GitHub waiting instead of three. An export still waits for its own earlier
/// requests rather than take every slot from everyone else; three people at full speed take most
/// of the instance, and others still get their turn as slots free.
pub const MAX_IN_FLIGHT_PER_TOKEN: usize = 24;

/// How long a user's list of organisations is taken as it was.
const USER_ORGS_FRESH: std::time::Duration = std::time::Duration::from_secs(30);

impl std::fmt::Debug for GitHubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHubClient")
            .field("api_url", &self.api_url.as_str())
            .finish()
    }
}

/// What came back from GitHub before it is decoded.
pub(super) struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: bytes::Bytes,
}

impl Answer {
    pub(super) fn status(&self) -> StatusCode {
        self.status
    }

    pub(super) fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A header's value, when it is text.
    pub(super) fn header(&self, name: reqwest::header::HeaderName) -> Option<String> {
        let value = self.headers.get(name)?.to_str().ok()?;
        Some(value.to_owned())
    }
}

impl GitHubClient {
    /// Trusts the system's certificate store (`SSL_CERT_FILE` included) and the bundled web
    /// roots, plus the CAs in `github.ca_file` (GitHub Enterprise Server behind a company CA).
    pub fn new(settings: &GitHubSettings) -> Result<Self, ClientError> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .user_agent(USER_AGENT)
            .tls_built_in_native_certs(true)
            .tls_built_in_webpki_certs(true);
        if let Some(path) = &settings.ca_file {
            let pem = std::fs::read(path).map_err(|e| ClientError::CaFile(e.to_string()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| ClientError::CaFile(e.to_string()))?;
            if certs.is_empty() {
                return Err(ClientError::CaFile("no PEM certificate in it".into()));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        Ok(Self::with_http(builder.build()?, settings.api_url.clone()))
    }

    /// For tests that need their own timeouts.
    pub fn with_http(http: reqwest::Client, api_url: Url) -> Self {
        Self {
            http,
            api_url,
            cache: ConditionalCache::default(),
            user_orgs: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(USER_ORGS_FRESH)
                .build(),
            in_flight: Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT)),
            // A token idle for a minute gives its entry back; one in use is kept.
            per_token: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(std::time::Duration::from_secs(60))
                .build(),
            listed_without_stats: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_idle(std::time::Duration::from_secs(3_600))
                .build(),
        }
    }

    /// The shared HTTP client (the OAuth exchange uses it too).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn api_url(&self) -> &Url {
        &self.api_url
    }

    /// `{api_url}/{segments…}`; each segment is percent-encoded, so none can add a path level.
    pub(super) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.api_url.clone();
        {
            let mut path = url
                .path_segments_mut()
                .expect("the API URL was validated as http(s) at startup");
            path.pop_if_empty();
            path.extend(segments);
        }
        url
    }

    /// Follows `rel="next"` from the first page (with `per_page=100`) while it stays under the API
    /// base URL, until `cap` items.
    pub(super) async fn get_all<T: DeserializeOwned>(
        &self,
        url: Url,
        params: &[(&str, &str)],
        token: &SecretString,
        cap: usize,
    ) -> Result<Vec<T>, AppError> {
        let mut count = 0;
        let mut items = self
            .get_while(url, params, token, |page: &[T]| {
                count += page.len();
                count < cap
            })
            .await?;
        items.truncate(cap);
        Ok(items)
    }

    /// Follows `rel="next"` from the first page (with `per_page=100`) while it stays under the API
    /// base URL and `more` says so of each page read.
    pub(super) async fn get_while<T: DeserializeOwned>(
        &self,
        mut url: Url,
        params: &[(&str, &str)],
        token: &SecretString,
        mut more: impl FnMut(&[T]) -> bool,
    ) -> Result<Vec<T>, AppError> {
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in params {
                q.append_pair(k, v);
            }
            q.append_pair("per_page", &MAX_PER_PAGE.to_string());
        }
        let mut items = Vec::new();
        let mut next = Some(url);
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            let answer = self.send(Method::GET, url, token, None::<&()>).await?;
            next = next_link(&answer.headers).filter(|n| {
                let ok = is_under(&self.api_url, n);
                if !ok {
                    tracing::warn!(link = %n.origin().ascii_serialization(), "not following a pagination link outside the GitHub API");
                }
                ok
            });
            let page: Vec<T> = decode(answer)?;
            // An empty page ends the list, whatever `Link` says: a server that kept linking
            // empty pages would otherwise be read forever.
            let empty = page.is_empty();
            let go_on = more(&page);
            items.extend(page);
            if !go_on || empty || pages >= MAX_PAGES {
                break;
            }
        }
        Ok(items)
    }

    /// Sends one request. A GET that failed on the way (no connection, a dropped one) or met
    /// GitHub's 502, 503 or 504 is sent again, up to twice, after a short jittered wait; nothing
    /// else is retried: never a 4xx, never a timeout (the user has waited long enough), never a
    /// request that changes something (a second create would be a second campaign).
    /// One page of a list at `url` (its query already set), with its page links.
    pub(super) async fn get_page<T: DeserializeOwned>(
        &self,
        url: Url,
        token: &SecretString,
    ) -> Result<Page<T>, AppError> {
        let answer = self.send(Method::GET, url, token, None::<&()>).await?;
        let links = page_links(&answer.headers);
        Ok(Page {
            items: decode(answer)?,
            links,
        })
    }

    pub(super) async fn send<B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: Url,
        token: &SecretString,
        body: Option<&B>,
    ) -> Result<Answer, AppError> {
        self.send_if(method, url, token, body, &Condition::Kept)
            .await
    }

    /// [`GitHubClient::send`] with the `If-None-Match` that `condition` names.
    pub(super) async fn send_if<B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: Url,
        token: &SecretString,
        body: Option<&B>,
        condition: &Condition,
    ) -> Result<Answer, AppError> {
        use backon::{ExponentialBuilder, Retryable};
        if method != Method::GET {
            let once = self.send_once(method, url, token, body, condition).await;
            return once.map_err(|f| f.error);
        }
        let retries = ExponentialBuilder::default()
            .with_min_delay(std::time::Duration::from_millis(200))
            .with_max_delay(std::time::Duration::from_secs(1))
            .with_max_times(2)
            .with_jitter();
        let path = url.path().to_owned();
        let attempt = || self.send_once(Method::GET, url.clone(), token, body, condition);
        attempt
            .retry(retries)
            .when(|f: &Failure| f.transient)
            .notify(|f, wait| {
                tracing::info!(%path, error = %f.error, wait_ms = wait.as_millis() as u64, "retrying a GET to GitHub");
            })
            .await
            .map_err(|f| f.error)
    }

    /// A request with GitHub's headers, the token (marked sensitive, so no log shows it), the
    /// JSON body and, for a conditional GET, the kept answer's ETag.
    fn request<B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: Url,
        token: &SecretString,
        body: Option<&B>,
        etag: Option<HeaderValue>,
    ) -> Result<reqwest::RequestBuilder, Failure> {
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .map_err(|_| Failure::final_(AppError::NotSignedIn))?;
        auth.set_sensitive(true);
        let mut req = self
            .http
            .request(method, url)
            .header(ACCEPT, "application/vnd.github+json")
            .header("X-GitHub-Api-Version", API_VERSION)
            .header(AUTHORIZATION, auth);
        if let Some(body) = body {
            req = req.json(body);
        }
        if let Some(etag) = etag {
            req = req.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        Ok(req)
    }

    /// Sends `req` when the token's own share, then a slot of the instance's, is free: a token
    /// over its share waits without holding a slot someone else could use. Never closed: the
    /// client owns the semaphores for its whole life.
    async fn send_in_turn(
        &self,
        req: reqwest::RequestBuilder,
        token: &SecretString,
    ) -> reqwest::Result<reqwest::Response> {
        let share = self.per_token.get_with(super::cache::token_key(token), || {
            Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT_PER_TOKEN))
        });
        let _share = share.acquire_owned().await.ok();
        let _permit = self.in_flight.acquire().await.ok();
        req.send().await
    }

    async fn send_once<B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: Url,
        token: &SecretString,
        body: Option<&B>,
        condition: &Condition,
    ) -> Result<Answer, Failure> {
        let path = url.path().to_owned();
        // A GET asks conditionally when an earlier answer is kept: a 304 costs no rate limit.
        let cached = method == Method::GET && matches!(condition, Condition::Kept);
        let kept = cached.then(|| self.cache.get(token, &url)).flatten();
        let cache_url = cached.then(|| url.clone());
        let etag = match condition {
            Condition::Kept => kept.as_ref().map(|k| k.etag.clone()),
            Condition::Given(etag) => etag.clone(),
        };
        let req = self.request(method.clone(), url, token, body, etag)?;
        let res = self.send_in_turn(req, token).await.map_err(|e| {
            tracing::warn!(%method, %path, error = %error_chain(&e), "GitHub request failed");
            Failure {
                error: AppError::GitHubUnavailable,
                transient: !e.is_timeout(),
            }
        })?;
        let status = res.status();
        let headers = res.headers().clone();
        let request_id = headers
            .get("x-github-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_owned();
        let body = read_capped(res).await.map_err(|(e, transient)| {
            tracing::warn!(%method, %path, %request_id, error = %e, "reading GitHub's answer failed");
            Failure {
                error: AppError::GitHubUnavailable,
                transient,
            }
        })?;
        tracing::debug!(%method, %path, status = status.as_u16(), %request_id, "GitHub answered");
        if let (StatusCode::NOT_MODIFIED, Some(kept)) = (status, kept) {
            return Ok(Answer {
                status: StatusCode::OK,
                headers: kept.headers.clone(),
                body: kept.body.clone(),
            });
        }
        if status == StatusCode::OK {
            if let Some(url) = &cache_url {
                self.cache.keep(token, url, &headers, &body);
            }
        }
        if status.is_success() || status == StatusCode::NOT_MODIFIED {
            return Ok(Answer {
                status,
                headers,
                body,
            });
        }
        let err = map_error(status, &headers, &body);
        tracing::info!(%method, %path, status = status.as_u16(), %request_id, error = ?err, "GitHub refused the request");
        Err(Failure {
            error: err,
            transient: matches!(status.as_u16(), 502..=504),
        })
    }
}

/// Which `If-None-Match` a GET sends.
pub(super) enum Condition {
    /// The ETag of the answer the client's conditional cache kept for this token and URL; a 304
    /// comes back as that kept answer.
    Kept,
    /// The caller's own, who keeps what it needs of the answer: a 304 comes back as such, and
    /// the cache neither answers nor keeps anything.
    Given(Option<HeaderValue>),
}

/// A request that did not succeed, and whether sending it again may help.
struct Failure {
    error: AppError,
    transient: bool,
}

impl Failure {
    fn final_(error: AppError) -> Self {
        Failure {
            error,
            transient: false,
        }
    }
}

/// Why the client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{0}")]
    Http(#[from] reqwest::Error),
    #[error("setting `github.ca_file` (CAMPAIGNS_GITHUB_CA_FILE): {0}")]
    CaFile(String),
}

/// The body, unless it is longer than `MAX_BODY_BYTES` (said up front or found while reading);
/// else why not, and whether reading again may help (a dropped connection, not a timeout).
async fn read_capped(mut res: reqwest::Response) -> Result<bytes::Bytes, (String, bool)> {
    let too_large = || {
        (
            format!("the answer is larger than {MAX_BODY_BYTES} bytes"),
            false,
        )
    };
    let said = res.content_length();
    if said.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    // Sized up front when GitHub says the length: a body grown by doubling would keep up to twice
    // its size for as long as the conditional cache keeps it.
    let mut body = bytes::BytesMut::with_capacity(said.map_or(0, |n| n as usize));
    while let Some(chunk) = (res.chunk().await).map_err(|e| (error_chain(&e), !e.is_timeout()))? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    if body.capacity() > body.len() {
        return Ok(bytes::Bytes::copy_from_slice(&body));
    }
    Ok(body.freeze())
}

pub(super) fn decode<T: DeserializeOwned>(answer: Answer) -> Result<T, AppError> {
    let body: &[u8] = if answer.status == StatusCode::NO_CONTENT || answer.body.is_empty() {
        b"null"
    } else {
        &answer.body
    };
    serde_json::from_slice(body).map_err(|e| {
        tracing::warn!(status = answer.status.as_u16(), error = %e, "GitHub's answer could not be read");
        AppError::GitHubUnavailable
    })
}

fn next_link(headers: &HeaderMap) -> Option<Url> {
    let value = headers.get(reqwest::header::LINK)?.to_str().ok()?;
    parse_link_header(value)
        .into_iter()
        .find(|(rel, _)| rel == "next")
        .map(|(_, url)| url)
}

pub(super) fn page_links(headers: &HeaderMap) -> PageLinks {
    let mut links = PageLinks::default();
    let Some(value) = headers
        .get(reqwest::header::LINK)
        .and_then(|v| v.to_str().ok())
    else {
        return links;
    };
    for (rel, url) in parse_link_header(value) {
        let n = page_number(&url);
        match rel.as_str() {
            "first" => links.first = n,
            "prev" => links.prev = n,
            "next" => links.next = n,
            "last" => links.last = n,
            _ => {}
        }
    }
    links
}

/// An error and its causes on one line, for logs.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
