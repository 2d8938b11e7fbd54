//! The static fixture stores (`fixtures/stores/<name>/site/`) served over HTTP on loopback: the
//! auditor's verdict for every store and check must equal the store's `expected.toml`.

use crate::common::{shopaudit, stderr, stdout};
use serde::Deserialize;
use shopaudit::checks::{CheckResult, Need, Status};
use shopaudit::config::Config;
use shopaudit::fixture::{static_site, stores_dir};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The static checks of issue 2. Their ids are a contract; each store must give a verdict for
/// every one of them even before (or if ever) a check goes missing from the registry.
const ISSUE_CHECKS: [&str; 11] = [
    "hidden-phone-number",
    "missing-email-address",
    "unreachable-contact-page",
    "form-only-contact",
    "no-response-time-promise",
    "no-live-chat",
    "missing-faq",
    "missing-policy-pages",
    "vague-delivery-promise",
    "broken-internal-link",
    "shouting-text",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    #[serde(default = "root_path")]
    start_path: String,
    checks: BTreeMap<String, String>,
    /// Optional: text each check's summary or evidence must contain (a broken URL's path, the
    /// shouted sentence...), so a verdict that is right for the wrong reason is caught.
    #[serde(default)]
    evidence: BTreeMap<String, Vec<String>>,
}

fn root_path() -> String {
    "/".into()
}

struct StaticStore {
    name: String,
    dir: PathBuf,
    expected: Expected,
}

impl StaticStore {
    fn expected_statuses(&self) -> BTreeMap<String, Status> {
        self.expected
            .checks
            .iter()
            .map(|(id, status)| {
                let status = status
                    .parse()
                    .unwrap_or_else(|e| panic!("{}/expected.toml: check {id}: {e}", self.name));
                (id.clone(), status)
            })
            .collect()
    }
}

/// Every store folder with a `site/` (generated storefronts, with `store.toml`, have their own
/// test).
fn static_stores() -> Vec<StaticStore> {
    let mut stores: Vec<StaticStore> = std::fs::read_dir(stores_dir())
        .expect("fixtures/stores exists")
        .map(|entry| entry.unwrap().path())
        .filter(|dir| dir.join("site").is_dir())
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(dir.join("expected.toml"))
                .unwrap_or_else(|e| panic!("{name}: cannot read expected.toml: {e}"));
            let expected: Expected = toml::from_str(&text)
                .unwrap_or_else(|e| panic!("{name}/expected.toml is invalid: {e}"));
            StaticStore {
                name,
                dir,
                expected,
            }
        })
        .collect();
    stores.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(
        stores.len() >= 6,
        "expected at least 6 static stores, found {}",
        stores.len()
    );
    stores
}

/// Ids of the registered checks that need only the crawl.
fn registered_static_checks() -> BTreeSet<String> {
    shopaudit::checks::registry()
        .iter()
        .filter(|c| !c.doc.needs.contains(&Need::Browser))
        .map(|c| c.doc.id.clone())
        .collect()
}

fn audit_config() -> Config {
    let mut config = Config::default();
    config.browser.enabled = false;
    config
}

/// Serves one store and audits it through the library, as `shopaudit audit --no-browser` does.
async fn audit_store(store: &StaticStore) -> Result<Vec<CheckResult>, String> {
    shopaudit::gather::fetch::install_crypto_provider();
    let server = static_site::serve(&store.dir, 0)
        .await
        .map_err(|e| format!("cannot serve: {e:#}"))?;
    let start = url::Url::parse(&server.url())
        .and_then(|base| base.join(&store.expected.start_path))
        .map_err(|e| format!("bad start_path: {e}"))?;
    let config = audit_config();
    let gathered =
        shopaudit::audit::gather(&start, &config, &indicatif::ProgressBar::hidden()).await;
    server.stop().await;
    let artifacts = gathered.map_err(|e| format!("the audit could not run: {e}"))?;
    Ok(shopaudit::report::build(&artifacts, &config, 0).checks)
}

/// Summary and evidence of a result as one searchable text.
fn evidence_text(result: &CheckResult) -> String {
    let mut text = result.summary.clone();
    for evidence in &result.evidence {
        for part in [&evidence.url, &evidence.excerpt, &evidence.selector]
            .into_iter()
            .flatten()
        {
            text.push('\n');
            text.push_str(part);
        }
    }
    text
}

fn describe(result: &CheckResult) -> String {
    let mut text = format!("    summary: {}", result.summary);
    for evidence in result.evidence.iter().take(6) {
        text.push_str(&format!(
            "\n    evidence: {} {}",
            evidence.url.as_deref().unwrap_or("-"),
            evidence.excerpt.as_deref().unwrap_or("")
        ));
    }
    if result.evidence.len() > 6 {
        text.push_str(&format!("\n    ... {} more", result.evidence.len() - 6));
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_static_store_gets_its_expected_verdicts() {
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for store in static_stores() {
        let results = match audit_store(&store).await {
            Ok(results) => results,
            Err(why) => {
                mismatches.push(format!("{}: {why}", store.name));
                continue;
            }
        };
        for (id, expected) in store.expected_statuses() {
            compared += 1;
            match results.iter().find(|r| r.id == id) {
                None => mismatches.push(format!(
                    "{} / {id}: expected {}, got no result (check not registered or disabled)",
                    store.name,
                    expected.as_str()
                )),
                Some(result) if result.status != expected => mismatches.push(format!(
                    "{} / {id}: expected {}, got {}\n{}",
                    store.name,
                    expected.as_str(),
                    result.status.as_str(),
                    describe(result)
                )),
                Some(result) => {
                    let found = evidence_text(result);
                    for needle in store.expected.evidence.get(&id).into_iter().flatten() {
                        if !found.contains(needle.as_str()) {
                            mismatches.push(format!(
                                "{} / {id}: {} as expected, but the evidence lacks {needle:?}\n{}",
                                store.name,
                                expected.as_str(),
                                describe(result)
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {compared} store x check verdicts differ from expected.toml:\n\n{}",
        mismatches.len(),
        mismatches.join("\n\n")
    );
}

#[test]
fn every_expected_toml_gives_a_verdict_for_every_static_check() {
    let registered = registered_static_checks();
    let all_registered: BTreeSet<String> = shopaudit::checks::registry()
        .iter()
        .map(|c| c.doc.id.clone())
        .collect();
    let required: BTreeSet<String> = ISSUE_CHECKS
        .iter()
        .map(|id| id.to_string())
        .chain(registered)
        .collect();
    let mut problems = Vec::new();
    for store in static_stores() {
        let listed: BTreeSet<String> = store.expected.checks.keys().cloned().collect();
        for missing in required.difference(&listed) {
            problems.push(format!("{}: no verdict for `{missing}`", store.name));
        }
        for unknown in listed.difference(&all_registered) {
            problems.push(format!(
                "{}: `{unknown}` is not a registered check",
                store.name
            ));
        }
        for id in store.expected.evidence.keys() {
            if !listed.contains(id) {
                problems.push(format!(
                    "{}: [evidence] names `{id}`, which has no verdict in [checks]",
                    store.name
                ));
            }
        }
        // Parses every status, panicking with the store and check on a typo.
        store.expected_statuses();
        if !store.expected.start_path.starts_with('/') {
            problems.push(format!("{}: start_path must start with /", store.name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Runs the real binary against a store served in this test and returns (exit code, stdout).
async fn run_binary(store_dir: &Path, start_path: &str, extra: &[&str]) -> (Option<i32>, String) {
    let server = static_site::serve(store_dir, 0).await.unwrap();
    let url = format!("{}{}", server.url(), start_path.trim_start_matches('/'));
    let mut args: Vec<String> = ["audit", &url, "--no-browser", "--format", "json"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        shopaudit(&args)
    })
    .await
    .unwrap();
    server.stop().await;
    if out.status.code() == Some(3) || out.status.code() == Some(2) {
        panic!("the audit did not run: {}", stderr(&out));
    }
    (out.status.code(), stdout(&out))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_audits_a_store_and_its_json_and_exit_code_follow_the_gate() {
    let store = static_stores()
        .into_iter()
        .find(|s| s.name == "en-maple-and-loom")
        .expect("the en-maple-and-loom store exists");

    // The store has failing checks, so the default gate (--fail-on fail) fails: exit 1.
    let (code, json) = run_binary(&store.dir, &store.expected.start_path, &[]).await;
    assert_eq!(code, Some(1), "exit code; stdout:\n{json}");
    let report: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{json}"));
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["tool"]["name"], "shopaudit");
    let score = report["score"].as_f64().expect("a numeric overall score");
    assert!((0.0..=100.0).contains(&score), "score {score}");
    assert!(score < 100.0, "a store with failing checks scored {score}");
    assert_eq!(report["gate"]["passed"], false);
    let statuses: BTreeMap<String, String> = report["checks"]
        .as_array()
        .expect("checks[] is an array")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (id, expected) in &store.expected.checks {
        assert_eq!(
            statuses.get(id),
            Some(expected),
            "check {id} in the binary's JSON report"
        );
    }

    // The same findings under --fail-on never: the gate passes, exit 0.
    let (code, json) = run_binary(
        &store.dir,
        &store.expected.start_path,
        &["--fail-on", "never"],
    )
    .await;
    assert_eq!(
        code,
        Some(0),
        "exit code with --fail-on never; stdout:\n{json}"
    );
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["gate"]["passed"], true);
}
