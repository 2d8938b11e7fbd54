//! Integration tests: one binary, modules share the helpers in `common`.

mod common;
mod crawl;
mod fixture_stores;
mod registry;
mod static_site;
