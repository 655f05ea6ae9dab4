//! Reusable view pieces.

pub mod alert_picker;
pub mod browser;
pub mod burndown;
pub mod campaign_badges;
pub mod campaign_fields;
pub mod campaigns_table;
pub mod dates;
pub mod drafts;
pub mod error_view;
pub mod layout;
pub mod params;
pub mod progress_bar;
pub mod raw_text;
pub mod streaming;
