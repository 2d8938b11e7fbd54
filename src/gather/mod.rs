//! Gatherers: the HTTP crawl and the browser flows. They produce `artifacts` and nothing else.

pub mod browser;
pub mod crawl;
pub mod extract;
pub mod fetch;
pub mod robots;
pub mod scope;
