//! Integration tests: one binary, modules share the helpers in `common`.

mod browser;
mod common;
mod registry;
mod storefront;
