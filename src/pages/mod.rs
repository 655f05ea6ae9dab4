//! One module per route.

pub mod home;
pub mod not_found;
pub mod sign_in_failed;
pub mod signed_out;
