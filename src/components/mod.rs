//! Reusable view pieces.

pub mod dates;
pub mod error_view;
pub mod layout;
pub mod progress_bar;
