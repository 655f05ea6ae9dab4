//! A page's state as its address carries it, read and written by one trait, so that a link
//! shows what the page showed and a page read from a link writes the same link back.

use super::paths;

/// A page's state in its address's query.
pub trait UrlState: Sized {
    /// Reads the state from a query (`get` gives one parameter's value). Never fails: a value
    /// the page cannot use is kept as typed (so the page can show it with its message) or falls
    /// back to the default.
    fn from_query(get: impl Fn(&str) -> Option<String>) -> Self;

    /// The query pairs that write this state, in a fixed order; values that say nothing (empty,
    /// or the first page) are left out.
    fn pairs(&self) -> Vec<(&'static str, String)>;

    /// `?k=v&…` (each value encoded), or empty when nothing is set.
    fn query_string(&self) -> String {
        let pairs = self.pairs();
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        paths::query_string(&refs)
    }
}

/// The pairs of `names` and `values` whose value is not blank, trimmed.
pub fn set_pairs<'a>(
    names: &[&'static str],
    values: impl IntoIterator<Item = &'a str>,
) -> Vec<(&'static str, String)> {
    names
        .iter()
        .zip(values)
        .map(|(k, v)| (*k, v.trim()))
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.to_owned()))
        .collect()
}

/// A page as typed in an address, as the address writes it back: nothing for the first page.
pub fn page_as_typed(page: &str) -> &str {
    match page.trim() {
        "1" => "",
        other => other,
    }
}

/// A page number as the address writes it: nothing for the first page.
pub fn page_value(page: impl Into<u64>) -> String {
    match page.into() {
        0 | 1 => String::new(),
        n => n.to_string(),
    }
}

#[cfg(test)]
pub mod tests {
    use super::UrlState;
    use std::collections::HashMap;

    /// Reads `query` (`k=v&…`, values as `query_string` encodes them) as the router would.
    pub fn read<T: UrlState>(query: &str) -> T {
        let map: HashMap<String, String> =
            url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
                .into_owned()
                .collect();
        T::from_query(|k| map.get(k).cloned())
    }

    /// `state` written as a link and read back is `state` again.
    pub fn round_trips<T: UrlState + PartialEq + std::fmt::Debug>(state: T) {
        let link = state.query_string();
        assert_eq!(read::<T>(&link), state, "read back from {link:?}");
    }
}
