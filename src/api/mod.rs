//! Leptos server functions, grouped by resource. Thin adapters: check the session and the input,
//! call one function of `service/` (or, for a plain read, `github/`), map the error. Each one is a
//! public HTTP endpoint and authenticates on its own.

pub mod alerts;
pub mod audit;
pub mod auth;
pub mod campaign_alerts;
pub mod campaigns;
#[cfg(feature = "ssr")]
pub mod context;
pub mod digests;
pub mod drafts;
pub mod flash;
pub mod org_settings;
pub mod overview;
pub mod plans;
pub mod rollup;
pub mod templates;
pub mod triage;
