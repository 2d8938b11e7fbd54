//! Integration tests: one binary, modules share the helpers in `common`.

mod browser;
mod common;
mod crawl;
mod demo;
mod registry;
mod storefront;
mod storefront_browser;
