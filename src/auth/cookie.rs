//! The session cookie and the `tower-sessions` layer that reads and writes it; the records live
//! in the store (`store::sessions`).

use crate::settings::Settings;
use crate::store::sessions::SessionDb;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

pub type SessionLayer = SessionManagerLayer<SessionDb>;

/// The session cookie's name: `__Host-` whenever it is Secure, which pins it to this origin.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-campaigns_session"
    } else {
        "campaigns_session"
    }
}

/// HttpOnly, SameSite=Lax (Strict would drop the cookie on the way back from GitHub and on links
/// opened from chat), Path=/, Secure over https. Every request counts as activity: each asks to
/// save, which is safe because a save never brings a session back; the store writes an unchanged
/// session at most once a minute (`store::sessions`).
pub fn layer(store: SessionDb, settings: &Settings) -> SessionLayer {
    let secure = settings.session.cookie_secure;
    let inactivity = time::Duration::seconds(settings.session.inactivity.as_secs() as i64);
    SessionManagerLayer::new(store)
        .with_name(cookie_name(secure))
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(inactivity))
        .with_always_save(true)
}
