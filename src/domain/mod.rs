//! Types shared by the server and the browser: what the pages show, and the parsers that turn
//! untrusted input into values we can rely on ("parse, don't validate"). A value of one of the
//! parsed types is valid by construction.

pub mod alert;
pub mod alert_filter;
pub mod alert_selection;
pub mod audit;
pub mod background;
pub mod campaign;
pub mod campaign_alerts;
pub mod campaign_fields;
pub mod campaign_form;
mod campaign_number;
pub mod digest;
pub mod draft;
mod draft_id;
pub mod failed_form;
pub mod history;
pub mod list_view;
mod org_login;
pub mod overview;
pub mod paths;
pub mod plan;
pub mod rollup;
pub mod template;
pub mod triage;
pub mod url_state;
pub mod user;

pub use campaign_number::CampaignNumber;
pub use org_login::OrgLogin;
