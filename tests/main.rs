//! Integration tests: one binary, modules share the helpers in `common`.

mod browser;
mod browser_faults;
mod common;
mod config;
mod crawl;
mod demo;
mod faults;
mod fixture_stores;
mod fuzz;
mod oscar;
mod registry;
mod reports;
mod static_site;
mod storefront;
mod storefront_browser;
mod streaming_extraction;
mod synthetic_store;
