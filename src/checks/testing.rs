//! Test support: runs one check over a saved artifacts file from `fixtures/artifacts/`.

use super::{find, CheckContext, Finding, Status};
use crate::artifacts::Artifacts;
use crate::site::SiteIndex;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub fn fixture(name: &str) -> Artifacts {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/artifacts")
        .join(format!("{name}.json"));
    Artifacts::load(&path).unwrap_or_else(|e| panic!("{e:#}"))
}

/// Runs check `id` over fixture `name` with the doc's thresholds.
pub fn run(id: &str, name: &str) -> Finding {
    run_with(id, name, &[])
}

/// Runs check `id` over fixture `name` with some thresholds overridden.
pub fn run_with(id: &str, name: &str, overrides: &[(&str, f64)]) -> Finding {
    let check = find(id).unwrap_or_else(|| panic!("no check {id}"));
    let artifacts = fixture(name);
    let crawl = artifacts.crawl.collected().expect("fixture has a crawl");
    let site = SiteIndex::new(crawl);
    let mut thresholds: BTreeMap<String, f64> = check.doc.thresholds.clone();
    for (k, v) in overrides {
        assert!(thresholds.contains_key(*k), "{id} has no threshold {k}");
        thresholds.insert(k.to_string(), *v);
    }
    let ctx = CheckContext::new(&artifacts, &check.doc, &thresholds, Some(&site));
    (check.run)(&ctx)
}

/// Asserts the status and returns the finding, printing it on failure.
#[track_caller]
pub fn expect(id: &str, name: &str, status: Status) -> Finding {
    let finding = run(id, name);
    assert_eq!(finding.status, status, "{id} on {name}: {finding:#?}");
    finding
}

/// All evidence excerpts joined, for `contains` assertions.
pub fn evidence_text(finding: &Finding) -> String {
    finding
        .evidence
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e.url.as_deref().unwrap_or(""),
                e.excerpt.as_deref().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
