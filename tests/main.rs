//! Integration tests: one binary, modules share the helpers in `common`.

mod common;
mod crawl;
mod registry;
mod synthetic_store;
