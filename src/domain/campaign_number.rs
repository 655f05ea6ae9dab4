//! `CampaignNumber`: the per-organisation number of a campaign, as it appears in URLs.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A positive integer. Parsed from URL text strictly: no sign, no leading zeros, no spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct CampaignNumber(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a campaign number is a positive whole number")]
pub struct CampaignNumberError;

impl CampaignNumber {
    pub fn new(n: i64) -> Result<Self, CampaignNumberError> {
        if n > 0 {
            Ok(Self(n))
        } else {
            Err(CampaignNumberError)
        }
    }

    pub fn parse(input: &str) -> Result<Self, CampaignNumberError> {
        let digits_only = !input.is_empty() && input.bytes().all(|b| b.is_ascii_digit());
        if !digits_only || input.starts_with('0') {
            return Err(CampaignNumberError);
        }
        input
            .parse::<i64>()
            .map_err(|_| CampaignNumberError)
            .and_then(Self::new)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for CampaignNumber {
    type Error = CampaignNumberError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<CampaignNumber> for i64 {
    fn from(value: CampaignNumber) -> Self {
        value.0
    }
}

impl std::str::FromStr for CampaignNumber {
    type Err = CampaignNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for CampaignNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_plain_positive_numbers_only() {
        assert_eq!(CampaignNumber::parse("42").unwrap().get(), 42);
        for bad in [
            "",
            "0",
            "-1",
            "+1",
            "042",
            "4 2",
            "1e3",
            "99999999999999999999",
            "x",
        ] {
            assert!(CampaignNumber::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn round_trips_every_positive_i64(n in 1i64..=i64::MAX) {
            let parsed = CampaignNumber::parse(&n.to_string()).unwrap();
            prop_assert_eq!(parsed.get(), n);
        }

        #[test]
        fn never_accepts_non_positive(n in i64::MIN..=0) {
            prop_assert!(CampaignNumber::new(n).is_err());
        }
    }
}
