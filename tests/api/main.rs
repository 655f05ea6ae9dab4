//! Whole-app tests: the server on port 0 with the built-in emulator, driven over HTTP.

mod helpers;
mod shell;
mod startup_errors;
