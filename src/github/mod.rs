//! The typed GitHub REST client (server only): the one place that knows GitHub's URLs.

pub mod alerts;
pub mod app;
pub mod cache;
pub mod campaigns;
pub mod client;
pub mod errors;
pub mod link;
pub mod models;
pub mod orgs;
pub mod users;
pub mod web;

pub use client::{GitHubClient, API_VERSION, MAX_IN_FLIGHT, MAX_PER_PAGE, USER_AGENT};
pub use errors::map_error;
