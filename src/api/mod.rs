//! Leptos server functions, grouped by resource. Thin adapters: check the session, call `github`, map the error.
