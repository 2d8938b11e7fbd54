//! SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps).
//!
//! One rule per check, from its documentation. Results: `fail` has level `error`, `warn`
//! level `warning`; passed and not-applicable checks produce no result (code-scanning tools
//! would show them as open alerts), and checks that could not run are reported as tool
//! execution notifications rather than findings about the store. Each result is located in
//! the config file when the run used one (so code-scanning UIs can anchor it in the repo),
//! else at the audited URL. `partialFingerprints` hash the check id, the target and the first
//! evidence URL, so the same problem keeps its identity across runs.

use super::{RenderOptions, Report};
use crate::checks::{CheckResult, Status};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const FINGERPRINT_KEY: &str = "shopaudit/v1";

pub fn render(report: &Report, options: &RenderOptions) -> String {
    let rules: Vec<Value> = report.checks.iter().map(|c| rule(c, options)).collect();
    let location = location(report, options);
    let results: Vec<Value> = report
        .checks
        .iter()
        .enumerate()
        .filter_map(|(index, check)| {
            let level = match check.status {
                Status::Fail => "error",
                Status::Warn => "warning",
                _ => return None,
            };
            Some(json!({
                "ruleId": check.id,
                "ruleIndex": index,
                "level": level,
                "message": { "text": message(check, &report.target) },
                "locations": [location],
                "partialFingerprints": { FINGERPRINT_KEY: fingerprint(check, &report.target) },
                "properties": {
                    "status": check.status.as_str(),
                    "score": check.score,
                    "weight": check.weight,
                    "category": check.category,
                    "evidence": check.evidence,
                }
            }))
        })
        .collect();
    let notifications: Vec<Value> = report
        .checks
        .iter()
        .enumerate()
        .filter(|(_, c)| c.status == Status::Error)
        .map(|(index, check)| {
            json!({
                "level": "error",
                "message": { "text": format!("{} could not be checked: {}", check.id, check.summary) },
                "associatedRule": { "id": check.id, "index": index },
            })
        })
        .collect();
    let mut invocation = json!({
        "executionSuccessful": true,
        "startTimeUtc": report.started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "properties": { "target": report.target, "score": report.score, "gatePassed": report.gate.passed },
    });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }
    let sarif = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "rules": rules,
            }},
            "invocations": [invocation],
            "results": results,
        }]
    });
    let mut out = serde_json::to_string_pretty(&sarif).expect("SARIF is plain JSON");
    out.push('\n');
    out
}

fn rule(check: &CheckResult, options: &RenderOptions) -> Value {
    let doc = options.docs.get(&check.id);
    let title = doc.map(|d| d.title.as_str()).unwrap_or(&check.title);
    let what = doc.map(|d| d.what_it_checks.as_str()).unwrap_or(title);
    let fix = doc
        .map(|d| d.how_to_fix.as_str())
        .unwrap_or(&check.recommendation);
    let mut help_markdown = format!("**How to fix:** {fix}");
    if let Some(why) = doc.map(|d| &d.why_it_matters) {
        help_markdown = format!("**Why it matters:** {why}\n\n{help_markdown}");
    }
    json!({
        "id": check.id,
        "name": pascal_case(&check.id),
        "shortDescription": { "text": title },
        "fullDescription": { "text": what },
        "help": { "text": fix, "markdown": help_markdown },
        "defaultConfiguration": { "level": "error" },
        "properties": {
            "category": check.category,
            "weight": check.weight,
            "tags": ["shopaudit", check.category],
        }
    })
}

fn location(report: &Report, options: &RenderOptions) -> Value {
    match &options.config_file {
        Some(path) => json!({
            "physicalLocation": {
                "artifactLocation": { "uri": path_uri(path) },
                "region": { "startLine": 1 }
            }
        }),
        None => json!({
            "physicalLocation": { "artifactLocation": { "uri": report.target } }
        }),
    }
}

/// A relative config path stays relative (code-scanning resolves it against the repo root).
fn path_uri(path: &std::path::Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let text = text.strip_prefix("./").unwrap_or(&text).to_string();
    if path.is_absolute() {
        url::Url::from_file_path(path)
            .map(|u| u.to_string())
            .unwrap_or(text)
    } else {
        text
    }
}

fn message(check: &CheckResult, target: &str) -> String {
    let mut text = format!("{}: {} (audited {target})", check.title, check.summary);
    if let Some(url) = check.evidence.iter().find_map(|e| e.url.as_deref()) {
        text.push_str(&format!("; see {url}"));
    }
    text
}

/// Stable across runs: the same check failing on the same page of the same store.
pub fn fingerprint(check: &CheckResult, target: &str) -> String {
    let evidence_url = check
        .evidence
        .iter()
        .find_map(|e| e.url.as_deref())
        .unwrap_or("");
    let digest = Sha256::digest(format!("{}\n{target}\n{evidence_url}", check.id));
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn pascal_case(id: &str) -> String {
    id.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}
