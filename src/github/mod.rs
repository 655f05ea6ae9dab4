//! The typed GitHub REST client (server only): the one place that knows GitHub's URLs.

mod client;

pub use client::GitHubClient;
