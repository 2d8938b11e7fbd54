//! Integration tests: one binary, modules share the helpers in `common`.

mod common;
mod config;
mod crawl;
mod demo;
mod faults;
mod fuzz;
mod registry;
mod reports;
mod storefront;
mod storefront_browser;
