//! `DraftId`: a draft's number in the app's store, as its link carries it.

use serde::{Deserialize, Serialize};

/// A draft's number, as its link carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct DraftId(i64);

impl TryFrom<i64> for DraftId {
    type Error = &'static str;
    fn try_from(n: i64) -> Result<Self, Self::Error> {
        DraftId::new(n).ok_or("a draft's number is a whole number above zero")
    }
}

impl From<DraftId> for i64 {
    fn from(id: DraftId) -> i64 {
        id.0
    }
}

impl DraftId {
    pub fn parse(input: &str) -> Result<Self, String> {
        input
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(DraftId)
            .ok_or_else(|| "A draft's number is a whole number above zero.".to_owned())
    }

    pub fn new(n: i64) -> Option<Self> {
        (n > 0).then_some(DraftId(n))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for DraftId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}
