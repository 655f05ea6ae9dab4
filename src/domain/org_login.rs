//! `OrgLogin`: a GitHub organisation login, safe to put in a URL path.

use serde::{Deserialize, Serialize};
use std::fmt;

/// 1–39 characters of ASCII letters, digits and single hyphens, neither first nor last:
/// GitHub's own rule for account logins, so it can never smuggle `/`, `..` or `?` into a URL.
///
/// Kept in lower case: GitHub ignores case in logins, so `ACME-Corp` and `acme-corp` are one org,
/// and every record the app keeps about it (the audit log first) is filed under one name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgLogin(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgLoginError {
    #[error("an organisation name cannot be empty")]
    Empty,
    #[error("an organisation name has at most 39 characters")]
    TooLong,
    #[error("an organisation name has only letters, digits and single hyphens, and does not start or end with a hyphen")]
    BadCharacters,
}

impl OrgLogin {
    pub fn parse(input: &str) -> Result<Self, OrgLoginError> {
        if input.is_empty() {
            return Err(OrgLoginError::Empty);
        }
        if input.len() > 39 {
            return Err(OrgLoginError::TooLong);
        }
        let allowed = input
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !allowed || input.starts_with('-') || input.ends_with('-') || input.contains("--") {
            return Err(OrgLoginError::BadCharacters);
        }
        Ok(Self(input.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OrgLogin {
    type Error = OrgLoginError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OrgLogin> for String {
    fn from(value: OrgLogin) -> Self {
        value.0
    }
}

impl fmt::Display for OrgLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for OrgLogin {
    type Err = OrgLoginError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl AsRef<str> for OrgLogin {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_ordinary_logins() {
        for ok in ["a", "acme", "acme-corp", "A1-b2-C3", &"x".repeat(39)] {
            assert!(OrgLogin::parse(ok).is_ok(), "{ok} should be accepted");
        }
    }

    #[test]
    fn rejects_anything_that_could_change_the_url() {
        assert_eq!(OrgLogin::parse(""), Err(OrgLoginError::Empty));
        assert_eq!(
            OrgLogin::parse(&"x".repeat(40)),
            Err(OrgLoginError::TooLong)
        );
        for bad in [
            "-acme", "acme-", "ac--me", "acme/x", "..", "a.b", "a?b", "a b", "ä", "a%2F",
        ] {
            assert_eq!(
                OrgLogin::parse(bad),
                Err(OrgLoginError::BadCharacters),
                "{bad}"
            );
        }
    }

    #[test]
    fn any_letter_case_is_the_same_org() {
        let typed = OrgLogin::parse("ACME-Corp").unwrap();
        assert_eq!(typed, OrgLogin::parse("acme-corp").unwrap());
        assert_eq!(typed.as_str(), "acme-corp");
        let sent: OrgLogin = serde_json::from_str("\"GLOBEX\"").unwrap();
        assert_eq!(sent.as_str(), "globex");
    }

    #[test]
    fn deserialising_applies_the_same_rule() {
        assert!(serde_json::from_str::<OrgLogin>("\"acme\"").is_ok());
        assert!(serde_json::from_str::<OrgLogin>("\"../x\"").is_err());
    }

    proptest! {
        #[test]
        fn every_accepted_login_is_url_path_safe(s in "\\PC{0,45}") {
            if let Ok(login) = OrgLogin::parse(&s) {
                prop_assert!(login.as_str().len() <= 39);
                prop_assert!(login.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
            }
        }

        #[test]
        fn well_formed_logins_are_accepted(s in "[a-zA-Z0-9]{1,10}(-[a-zA-Z0-9]{1,10}){0,2}") {
            prop_assert!(OrgLogin::parse(&s).is_ok());
        }
    }
}
