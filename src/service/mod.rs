//! The service floor (server only): what the app does, one module per capability, as plain async
//! functions over the app state, GitHub and the store. The `#[server]` functions in `api/` check
//! their input and call one of these; the file routes are here too; tests call them directly.
//! Nothing here imports `api/`.

pub mod alert_index;
pub mod audit;
pub mod background;
pub mod campaign_edits;
pub mod campaign_records;
pub mod campaigns;
pub mod digests;
pub mod drafts;
pub mod exports;
pub mod files;
pub mod live_alerts;
pub mod org_alerts;
pub mod orgs;
pub mod overview;
pub mod plans;
pub mod rollup;
pub mod snapshots;
pub mod templates;
pub mod triage;
pub mod views;
