//! Gatherers: the HTTP crawl and the browser flows. They produce `artifacts` and nothing else.

pub mod browser;
pub mod crawl;
