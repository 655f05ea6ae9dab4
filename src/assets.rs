//! The browser bundle's files and how long browsers may keep them.
//!
//! A release build (`make release`, `make bench`) names the WASM, JS and CSS by their content
//! (cargo-leptos' `hash-files`, which writes `hash.txt` beside the server binary) and stores each
//! file precompressed beside itself (`--precompress`: `.br` and `.gz`, which the file handler
//! serves to browsers that accept them, at no cost per request). A file named by its content
//! never changes under that name: browsers keep it a year without asking again. Every other
//! static file is asked about again on each use (`no-cache`: a 304 when unchanged).

use leptos::config::LeptosOptions;
use std::collections::HashSet;

/// The hashed names of this build's bundle, if it has them.
#[derive(Debug, Clone, Default)]
pub struct Bundle {
    immutable: HashSet<String>,
}

/// A year, the longest browsers honour.
const FOREVER: &str = "public, max-age=31536000, immutable";
const ASK_AGAIN: &str = "no-cache";

impl Bundle {
    /// Reads `hash.txt` beside the running binary; when a release build left one, `options`
    /// switches to the hashed names for the pages' script and stylesheet links.
    pub fn find(options: &mut LeptosOptions) -> Bundle {
        let beside_binary = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())));
        let Some(hashes) = beside_binary.and_then(|p| std::fs::read_to_string(p).ok()) else {
            return Bundle::default();
        };
        let bundle = Bundle::from_hashes(&hashes, &options.output_name, &options.site_pkg_dir);
        // A later build without hashes leaves an old hash.txt behind: its files are gone.
        let site = std::path::Path::new(options.site_root.as_ref());
        let present = bundle.hashed()
            && (bundle.immutable.iter()).all(|p| site.join(p.trim_start_matches('/')).is_file());
        if !present {
            return Bundle::default();
        }
        options.hash_files = true;
        bundle
    }

    /// From the lines of `hash.txt` (`js: …`, `wasm: …`, `css: …`).
    pub fn from_hashes(hashes: &str, output_name: &str, pkg_dir: &str) -> Bundle {
        let immutable = hashes
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(kind, hash)| (kind.trim(), hash.trim()))
            .filter(|(kind, hash)| {
                matches!(*kind, "js" | "wasm" | "css")
                    && !hash.is_empty()
                    && hash
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
            .map(|(kind, hash)| format!("/{pkg_dir}/{output_name}.{hash}.{kind}"))
            .collect();
        Bundle { immutable }
    }

    /// Whether this build names its bundle by content.
    pub fn hashed(&self) -> bool {
        !self.immutable.is_empty()
    }

    /// The `Cache-Control` of a static file at `path` (its precompressed forms share it).
    pub fn cache_control(&self, path: &str) -> &'static str {
        if self.immutable.contains(path) {
            FOREVER
        } else {
            ASK_AGAIN
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_hashed_bundle_is_kept_for_good() {
        let b = Bundle::from_hashes(
            "js: aB3-_x\nwasm: Zz9\ncss: Q1\nother: nope\nbad: ../x\n",
            "campaigns-admin",
            "pkg",
        );
        assert!(b.hashed());
        assert_eq!(b.cache_control("/pkg/campaigns-admin.aB3-_x.js"), FOREVER);
        assert_eq!(b.cache_control("/pkg/campaigns-admin.Zz9.wasm"), FOREVER);
        assert_eq!(b.cache_control("/pkg/campaigns-admin.Q1.css"), FOREVER);
        assert_eq!(b.cache_control("/pkg/campaigns-admin.js"), ASK_AGAIN);
        assert_eq!(b.cache_control("/favicon.svg"), ASK_AGAIN);
        let none = Bundle::from_hashes("js: ../../etc\n", "campaigns-admin", "pkg");
        assert!(!none.hashed(), "a hash is letters, digits, - and _ only");
    }
}
