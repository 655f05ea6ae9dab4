//! Types shared by the server and the browser that turn untrusted input into values we can rely on
//! ("parse, don't validate"). A value of one of these types is valid by construction.

pub mod alert_selection;
pub mod campaign_fields;
mod campaign_number;
mod org_login;

pub use campaign_number::CampaignNumber;
pub use org_login::OrgLogin;
