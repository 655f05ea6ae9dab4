//! The typed GitHub REST client (server only): the one place that knows GitHub's URLs.

pub mod cache;
pub mod client;
pub mod link;
pub mod models;
pub mod web;

pub use client::{map_error, GitHubClient, API_VERSION, MAX_IN_FLIGHT, MAX_PER_PAGE, USER_AGENT};
