//! The campaign list's view (state, sort, order, page, page size) as it appears in the URL query.
//! Every value is a closed set: unknown text falls back to the default, so any address opens.

use super::url_state::UrlState;
use serde::{Deserialize, Serialize};

/// A value of the list's view that travels in the URL as one of a few words.
pub trait Choice: Copy + PartialEq + Default + 'static {
    /// Every value, in the order the form offers them.
    const ALL: &'static [Self];
    /// The word in the URL.
    fn value(self) -> &'static str;
    /// What the form says.
    fn label(self) -> &'static str;
    /// The value a URL word names, or the default.
    fn from_value(word: &str) -> Self {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.value() == word)
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateFilter {
    #[default]
    Open,
    Closed,
    All,
}

impl Choice for StateFilter {
    const ALL: &'static [Self] = &[Self::Open, Self::Closed, Self::All];
    fn value(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::All => "all",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Closed => "Closed",
            Self::All => "All",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    #[default]
    Created,
    Updated,
    EndsAt,
    Published,
}

impl Choice for SortKey {
    const ALL: &'static [Self] = &[Self::Created, Self::Updated, Self::EndsAt, Self::Published];
    fn value(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::EndsAt => "ends_at",
            Self::Published => "published",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Self::Created => "Created",
            Self::Updated => "Updated",
            Self::EndsAt => "Due date",
            Self::Published => "Published",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    Desc,
    Asc,
}

impl Choice for Direction {
    const ALL: &'static [Self] = &[Self::Desc, Self::Asc];
    fn value(self) -> &'static str {
        match self {
            Self::Desc => "desc",
            Self::Asc => "asc",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Self::Desc => "Newest / latest first",
            Self::Asc => "Oldest / earliest first",
        }
    }
}

/// Rows per page: 10, 30 (the default), 50 or 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageSize {
    Ten,
    #[default]
    Thirty,
    Fifty,
    Hundred,
}

impl PageSize {
    pub fn get(self) -> u32 {
        match self {
            Self::Ten => 10,
            Self::Thirty => 30,
            Self::Fifty => 50,
            Self::Hundred => 100,
        }
    }
}

impl Choice for PageSize {
    const ALL: &'static [Self] = &[Self::Ten, Self::Thirty, Self::Fifty, Self::Hundred];
    fn value(self) -> &'static str {
        match self {
            Self::Ten => "10",
            Self::Thirty => "30",
            Self::Fifty => "50",
            Self::Hundred => "100",
        }
    }
    fn label(self) -> &'static str {
        self.value()
    }
}

/// The highest page the list links to; GitHub stops far below.
pub const MAX_PAGE: u32 = 10_000;

/// The list's view. Built from the URL by `parse`, so every value is one the list can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListView {
    pub state: StateFilter,
    pub sort: SortKey,
    pub direction: Direction,
    /// 1 to `MAX_PAGE`.
    #[serde(deserialize_with = "page_in_range")]
    pub page: u32,
    pub per_page: PageSize,
}

impl Default for ListView {
    fn default() -> Self {
        ListView {
            state: StateFilter::default(),
            sort: SortKey::default(),
            direction: Direction::default(),
            page: 1,
            per_page: PageSize::default(),
        }
    }
}

/// A page number as sent to a server function: out of range is the first page.
fn page_in_range<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = u32::deserialize(d)?;
    Ok(page_or_first(Some(n)))
}

fn page_or_first(n: Option<u32>) -> u32 {
    n.filter(|n| (1..=MAX_PAGE).contains(n)).unwrap_or(1)
}

impl UrlState for ListView {
    /// Unknown values fall back to the defaults.
    fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let word = |k: &str| get(k).unwrap_or_default();
        ListView {
            state: StateFilter::from_value(&word("state")),
            sort: SortKey::from_value(&word("sort")),
            direction: Direction::from_value(&word("direction")),
            page: page_or_first(word("page").parse().ok()),
            per_page: PageSize::from_value(&word("per_page")),
        }
    }

    /// Every choice, so a link keeps the view whatever the defaults become.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("state", self.state.value().to_owned()),
            ("sort", self.sort.value().to_owned()),
            ("direction", self.direction.value().to_owned()),
            ("per_page", self.per_page.value().to_string()),
            ("page", self.page.to_string()),
        ]
    }
}

impl ListView {
    /// The query string (with its `?`) for this view with `page` replaced.
    pub fn query_for_page(&self, page: u32) -> String {
        ListView { page, ..*self }.query_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view_of(pairs: &[(&str, &str)]) -> ListView {
        ListView::from_query(|k| {
            pairs
                .iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn unknown_values_fall_back_to_the_defaults() {
        let v = view_of(&[
            ("state", "bogus"),
            ("sort", "name"),
            ("direction", "sideways"),
            ("page", "-3"),
            ("per_page", "7"),
        ]);
        assert_eq!(
            v,
            ListView {
                page: 1,
                ..ListView::default()
            }
        );
        assert_eq!(v.state, StateFilter::Open);
        assert_eq!(v.per_page.get(), 30);
        assert_eq!(view_of(&[("page", "10001")]).page, 1);
    }

    #[test]
    fn a_view_goes_to_the_url_and_back() {
        let v = view_of(&[
            ("state", "all"),
            ("sort", "ends_at"),
            ("direction", "asc"),
            ("page", "3"),
            ("per_page", "100"),
        ]);
        let query = v.query_for_page(4);
        assert_eq!(
            query,
            "?state=all&sort=ends_at&direction=asc&per_page=100&page=4"
        );
        let back: ListView = crate::domain::url_state::tests::read(&query);
        assert_eq!(back, ListView { page: 4, ..v });
        crate::domain::url_state::tests::round_trips(v);
    }
}
