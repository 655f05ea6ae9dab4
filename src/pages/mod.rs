//! One module per route.

pub mod audit_log;
pub mod campaign_alerts;
pub mod campaign_detail;
pub mod campaign_edit;
pub mod campaign_list;
pub mod campaign_new;
pub mod campaign_triage;
pub mod draft;
pub mod home;
pub mod not_found;
pub mod org_digests;
pub mod org_overview;
pub mod org_settings;
pub mod plans;
pub mod sign_in_failed;
pub mod signed_out;
