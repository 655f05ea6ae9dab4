//! What every response carries and what anyone may ask of the server (server only): the
//! security headers with a per-response CSP nonce, and the request rate limits.

pub mod headers;
pub mod rate_limit;
