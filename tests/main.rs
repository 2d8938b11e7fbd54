//! Integration tests: one binary, modules share the helpers in `common`.

mod common;
mod demo;
mod registry;
mod storefront;
mod storefront_browser;
