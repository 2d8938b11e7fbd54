//! Integration tests: one binary, modules share the helpers in `common`.

mod common;
mod config;
mod crawl;
mod registry;
mod synthetic_store;
mod reports;
