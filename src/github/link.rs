//! The `Link` response header GitHub uses for pagination (RFC 8288).

use url::Url;

/// `(rel, url)` pairs of a `Link` header. Entries that do not parse are skipped.
pub fn parse_link_header(value: &str) -> Vec<(String, Url)> {
    let mut out = Vec::new();
    for part in split_outside_brackets(value) {
        let part = part.trim();
        let Some(rest) = part.strip_prefix('<') else {
            continue;
        };
        let Some((target, params)) = rest.split_once('>') else {
            continue;
        };
        let Ok(url) = Url::parse(target.trim()) else {
            continue;
        };
        for param in params.split(';') {
            let Some((k, v)) = param.trim().split_once('=') else {
                continue;
            };
            if k.trim().eq_ignore_ascii_case("rel") {
                for rel in v.trim().trim_matches('"').split_whitespace() {
                    out.push((rel.to_ascii_lowercase(), url.clone()));
                }
            }
        }
    }
    out
}

/// Splits on commas that are not inside `<…>` (URLs may contain commas).
fn split_outside_brackets(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in value.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            ',' if depth <= 0 => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts
}

/// The `page` query parameter of a URL, if it has one.
pub fn page_number(url: &Url) -> Option<u32> {
    url.query_pairs()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
}

/// Whether `candidate` is under `base`: same scheme, host and port, and a path below base's path.
/// Pagination never follows a link anywhere else, so a token is never sent to another origin.
pub fn is_under(base: &Url, candidate: &Url) -> bool {
    let base_path = base.path().trim_end_matches('/');
    candidate.scheme() == base.scheme()
        && candidate.host_str() == base.host_str()
        && candidate.port_or_known_default() == base.port_or_known_default()
        && candidate.username().is_empty()
        && candidate.password().is_none()
        && (candidate.path() == base_path || candidate.path().starts_with(&format!("{base_path}/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_githubs_link_header() {
        let h = r#"<https://api.github.com/organizations/1/code-scanning/alerts?per_page=100&page=2>; rel="next", <https://api.github.com/organizations/1/code-scanning/alerts?per_page=100&page=30>; rel="last""#;
        let links = parse_link_header(h);
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].0, "next");
        assert_eq!(page_number(&links[0].1), Some(2));
        assert_eq!(links[1].0, "last");
        assert_eq!(page_number(&links[1].1), Some(30));
    }

    #[test]
    fn tolerates_commas_in_urls_and_junk_entries() {
        let h = r#"<https://x.test/a?q=a,b&page=3>; rel="next", garbage, <not a url>; rel="last""#;
        let links = parse_link_header(h);
        assert_eq!(links.len(), 1);
        assert_eq!(page_number(&links[0].1), Some(3));
    }

    #[test]
    fn only_links_under_the_api_base_are_followed() {
        let base = Url::parse("https://ghes.example.com/api/v3").unwrap();
        let ok = Url::parse("https://ghes.example.com/api/v3/orgs/a/campaigns?page=2").unwrap();
        assert!(is_under(&base, &ok));
        for bad in [
            "https://evil.example/api/v3/orgs/a",
            "http://ghes.example.com/api/v3/orgs/a",
            "https://ghes.example.com:8443/api/v3/orgs/a",
            "https://ghes.example.com/api/v30/orgs",
            "https://ghes.example.com/other",
            "https://user@ghes.example.com/api/v3/orgs/a",
        ] {
            assert!(!is_under(&base, &Url::parse(bad).unwrap()), "{bad}");
        }
        let root = Url::parse("https://api.github.com").unwrap();
        assert!(is_under(
            &root,
            &Url::parse("https://api.github.com/orgs/x?page=2").unwrap()
        ));
    }
}
