//! Token refresh, once per session at a time in this process: concurrent requests that find the
//! token expired share one flight (one database lock, one GitHub call) instead of queueing for
//! the session's row lock one by one (`auth::session::Refresh` holds it across instances).

use crate::error::AppError;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

type Flight<T> = Arc<OnceCell<Result<T, AppError>>>;

/// Results are kept a while, so that a request that read the old refresh token just before the
/// rotation gets the new tokens instead of trying the spent refresh token.
const KEEP: Duration = Duration::from_secs(120);

pub struct RefreshFlights<T> {
    flights: Mutex<HashMap<String, (Instant, Flight<T>)>>,
}

impl<T> Default for RefreshFlights<T> {
    fn default() -> Self {
        RefreshFlights {
            flights: Mutex::default(),
        }
    }
}

impl<T: Clone> RefreshFlights<T> {
    pub async fn run<F, Fut>(&self, key: String, refresh: F) -> Result<T, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, AppError>>,
    {
        let flight = {
            let mut map = self.flights.lock().unwrap_or_else(|p| p.into_inner());
            map.retain(|_, (at, _)| at.elapsed() < KEEP);
            map.entry(key.clone())
                .or_insert_with(|| (Instant::now(), Arc::new(OnceCell::new())))
                .1
                .clone()
        };
        let result = flight.get_or_init(refresh).await.clone();
        if matches!(&result, Err(e) if *e != AppError::NotSignedIn) {
            // A passing failure (GitHub unavailable): let the next request try again.
            let mut map = self.flights.lock().unwrap_or_else(|p| p.into_inner());
            if map.get(&key).is_some_and(|(_, f)| Arc::ptr_eq(f, &flight)) {
                map.remove(&key);
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::oauth::TokenSet;
    use secrecy::SecretString;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn five_concurrent_callers_share_one_refresh() {
        let flights = Arc::new(RefreshFlights::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..5 {
            let (flights, calls) = (flights.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                flights
                    .run("session-1:r1".into(), || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok(TokenSet {
                            access: SecretString::from("new"),
                            refresh: None,
                            expires_at: None,
                        })
                    })
                    .await
            }));
        }
        for t in tasks {
            assert!(t.await.unwrap().is_ok());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_passing_failure_is_not_remembered() {
        let flights = RefreshFlights::<TokenSet>::default();
        let r = flights
            .run("k".into(), || async { Err(AppError::GitHubUnavailable) })
            .await;
        assert_eq!(r.unwrap_err(), AppError::GitHubUnavailable);
        let r = flights
            .run("k".into(), || async {
                Ok(TokenSet {
                    access: SecretString::from("x"),
                    refresh: None,
                    expires_at: None,
                })
            })
            .await;
        assert!(r.is_ok());
    }
}
