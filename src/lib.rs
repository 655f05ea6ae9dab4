//! campaigns-admin: run GitHub security campaigns from one fast, server-rendered Leptos app.
//!
//! The crate is built twice: once with `ssr` for the server binary and once with `hydrate`
//! for the browser bundle. Server-only modules are gated here, once; the GitHub emulator and
//! demo mode also need the `demo` feature (on by default, off in `make release`).

#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod assets;
#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(all(feature = "ssr", feature = "demo"))]
pub mod demo;
#[cfg(all(feature = "ssr", feature = "demo"))]
pub mod emulator;
#[cfg(feature = "ssr")]
pub mod github;
#[cfg(feature = "ssr")]
pub mod health;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod serve;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod settings;
#[cfg(feature = "ssr")]
pub mod startup;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod telemetry;

/// Entry point of the browser bundle: takes over the server-rendered HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
