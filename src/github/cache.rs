//! Conditional requests: the last answer to each GET, kept per token, so the next GET of the same
//! URL sends `If-None-Match` and a `304 Not Modified` (which costs no rate limit) reuses the body.
//!
//! Keys are a SHA-256 of the token and the full URL: one user's answers are never offered to a
//! request made with another token. Bounded in bytes; the least recently used go first.

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, ETAG, LINK};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use url::Url;

/// The most bytes of answers kept, over all users. A third of what it was before the org's alert
/// index: the largest answers (a repository's or the org's pages of alerts) are read from the
/// index once it is synced, so what is kept is campaign lists (about 45 KB a page of 30) and
/// details (2 KB): about 100 KB for someone browsing every page, 240 such people at once. 300
/// users browsing every page fill it either way (`make bench`, figure 3: at 32 MB the app stood
/// at 152 MB there, over the 150 MB goal); those past it revalidate at full price, not slower.
const MAX_BYTES: u64 = 24 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Cached {
    pub etag: HeaderValue,
    /// The headers a reader needs again (`Link`, for paging).
    pub headers: HeaderMap,
    pub body: Bytes,
}

type Key = ([u8; 32], String);

#[derive(Clone)]
pub struct ConditionalCache {
    entries: moka::sync::Cache<Key, Arc<Cached>>,
}

impl Default for ConditionalCache {
    fn default() -> Self {
        let entries = moka::sync::Cache::builder()
            .max_capacity(MAX_BYTES)
            .weigher(|(_, url): &Key, c: &Arc<Cached>| {
                u32::try_from(url.len() + c.body.len() + 256).unwrap_or(u32::MAX)
            })
            .build();
        Self { entries }
    }
}

/// A token's SHA-256: what caches key a user's answers by, never the token itself.
pub fn token_key(token: &SecretString) -> [u8; 32] {
    Sha256::digest(token.expose_secret().as_bytes()).into()
}

fn key(token: &SecretString, url: &Url) -> Key {
    (token_key(token), url.as_str().to_owned())
}

impl ConditionalCache {
    pub fn get(&self, token: &SecretString, url: &Url) -> Option<Arc<Cached>> {
        self.entries.get(&key(token, url))
    }

    /// Keeps a 200 answer that carries an `ETag`.
    pub fn keep(&self, token: &SecretString, url: &Url, headers: &HeaderMap, body: &Bytes) {
        let Some(etag) = headers.get(ETAG) else {
            return;
        };
        let mut kept = HeaderMap::new();
        if let Some(link) = headers.get(LINK) {
            kept.insert(LINK, link.clone());
        }
        let cached = Cached {
            etag: etag.clone(),
            headers: kept,
            body: body.clone(),
        };
        self.entries.insert(key(token, url), Arc::new(cached));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_kept_per_token() {
        let cache = ConditionalCache::default();
        let url = Url::parse("https://api.github.com/orgs/acme/campaigns").unwrap();
        let (mona, hubot) = (SecretString::from("t-mona"), SecretString::from("t-hubot"));
        let mut headers = HeaderMap::new();
        headers.insert(ETAG, HeaderValue::from_static("W/\"1\""));
        cache.keep(&mona, &url, &headers, &Bytes::from_static(b"[1]"));
        assert_eq!(
            cache.get(&mona, &url).unwrap().body,
            Bytes::from_static(b"[1]")
        );
        assert!(cache.get(&hubot, &url).is_none());
        let other = Url::parse("https://api.github.com/orgs/acme/campaigns?page=2").unwrap();
        assert!(cache.get(&mona, &other).is_none());
        // An answer without an ETag cannot be asked for conditionally: not kept.
        cache.keep(&hubot, &url, &HeaderMap::new(), &Bytes::from_static(b"[2]"));
        assert!(cache.get(&hubot, &url).is_none());
    }
}
