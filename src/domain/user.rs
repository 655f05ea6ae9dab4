//! Who is signed in, and the organisations they belong to, as the pages show them.

use serde::{Deserialize, Serialize};

/// The signed-in user as the UI shows them. No token, ever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub login: String,
    pub name: Option<String>,
    pub avatar_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSummary {
    pub login: String,
    pub avatar_url: String,
    pub description: Option<String>,
}

/// A GitHub login: letters, digits and hyphens, not starting with one, at most 39 characters.
pub fn is_login(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 39
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !s.starts_with('-')
}
