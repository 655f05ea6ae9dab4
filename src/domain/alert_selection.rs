//! `AlertSelection`: the alerts chosen for a campaign, 1 to 1,000, grouped by repository as
//! GitHub's create request wants them.

use serde::{Deserialize, Serialize};

pub const MAX_ALERTS: usize = 1_000;

/// One alert: its repository's id and its number in that repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AlertKey {
    pub repo_id: i64,
    pub number: i64,
}

impl AlertKey {
    /// `repo_id:number`, the form the selection travels in.
    pub fn encode(self) -> String {
        format!("{}:{}", self.repo_id, self.number)
    }

    /// `repo_id:number` back into a key; both parts positive.
    pub fn decode(item: &str) -> Option<AlertKey> {
        let (repo, number) = item.trim().split_once(':')?;
        let repo_id: i64 = repo.parse().ok().filter(|n| *n > 0)?;
        let number: i64 = number.parse().ok().filter(|n| *n > 0)?;
        Some(AlertKey { repo_id, number })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSelection(Vec<AlertKey>);

impl AlertSelection {
    /// Parses `repo:number` items separated by spaces or commas. Duplicates count once.
    pub fn parse(input: &str) -> Result<Self, String> {
        let mut keys = Vec::new();
        for item in input
            .split([' ', ',', '\n'])
            .filter(|s| !s.trim().is_empty())
        {
            keys.push(
                AlertKey::decode(item)
                    .ok_or_else(|| format!("“{}” is not an alert reference.", shortened(item)))?,
            );
        }
        keys.sort_unstable();
        keys.dedup();
        match keys.len() {
            0 => Err("Select at least one alert.".into()),
            n if n > MAX_ALERTS => Err(format!(
                "A campaign can hold at most {MAX_ALERTS} alerts; {n} are selected."
            )),
            _ => Ok(Self(keys)),
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `(repository id, alert numbers)` per repository, in repository order.
    pub fn by_repository(&self) -> Vec<(i64, Vec<i64>)> {
        let mut out: Vec<(i64, Vec<i64>)> = Vec::new();
        for k in &self.0 {
            match out.last_mut() {
                Some((repo, numbers)) if *repo == k.repo_id => numbers.push(k.number),
                _ => out.push((k.repo_id, vec![k.number])),
            }
        }
        out
    }
}

/// At most 40 characters of `item`, for a message that names it.
fn shortened(item: &str) -> String {
    match item.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &item[..i]),
        None => item.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn groups_by_repository_and_drops_duplicates() {
        let s = AlertSelection::parse("7:2 7:1,9:5 7:2\n9:1").unwrap();
        assert_eq!(s.len(), 4);
        assert_eq!(s.by_repository(), vec![(7, vec![1, 2]), (9, vec![1, 5])]);
    }

    #[test]
    fn needs_one_to_a_thousand_valid_references() {
        assert!(AlertSelection::parse("")
            .unwrap_err()
            .contains("at least one"));
        assert!(AlertSelection::parse("7:x").is_err());
        assert!(AlertSelection::parse("0:1").is_err());
        assert!(AlertSelection::parse("7").is_err());
        let thousand: Vec<String> = (1..=1000).map(|n| format!("1:{n}")).collect();
        assert_eq!(
            AlertSelection::parse(&thousand.join(" ")).unwrap().len(),
            1000
        );
        let more: Vec<String> = (1..=1001).map(|n| format!("1:{n}")).collect();
        assert!(AlertSelection::parse(&more.join(" "))
            .unwrap_err()
            .contains("at most 1000"));
    }

    proptest! {
        #[test]
        fn grouping_keeps_every_alert_once(keys in proptest::collection::vec((1i64..20, 1i64..50), 1..200)) {
            let text: Vec<String> = keys.iter().map(|(r, n)| format!("{r}:{n}")).collect();
            let s = AlertSelection::parse(&text.join(" ")).unwrap();
            let total: usize = s.by_repository().iter().map(|(_, n)| n.len()).sum();
            let unique: std::collections::HashSet<_> = keys.iter().collect();
            prop_assert_eq!(total, unique.len());
        }
    }
}
