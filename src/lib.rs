//! shopaudit: audits online stores the way an unforgiving customer experiences them.
//!
//! Pipeline: [`gather`] (HTTP crawl, browser flows) produces [`artifacts`]; [`checks`] are pure
//! functions over them; [`scoring`] weighs the findings; [`report`] renders them.

pub mod artifacts;
pub mod audit;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod fixture;
pub mod gather;
pub mod report;
pub mod scoring;
pub mod site;
