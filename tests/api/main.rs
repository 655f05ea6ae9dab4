//! Whole-app tests: the server on port 0 with the built-in emulator, driven over HTTP, plus the
//! GitHub client against wiremock and the emulator, and the contract tests against GitHub's OpenAPI
//! description. One test binary keeps link times down.

mod access;
mod alert_index;
mod audit_log;
mod campaign_alerts;
mod campaign_create;
mod campaign_pages;
mod contract;
mod drafts;
mod emulator_oauth;
mod emulator_rest;
mod github_app;
mod github_client;
mod helpers;
mod instances;
mod jobs;
mod load;
mod overview;
mod plans;
mod postgres;
mod process;
mod rollup;
mod security;
mod services;
mod shell;
mod sign_in;
mod startup_errors;
mod store;
mod streaming;
mod templates;
mod tls;
mod triage;
mod xss;
