//! `shopaudit diff OLD.json NEW.json`: what got worse or better between two JSON reports.
//! The gate fails (exit 1) when the score fell by more than `--max-drop` points or a check
//! went from pass to fail; unreadable input is a usage error (exit 2).

use crate::checks::Status;
use crate::error::{Exit, UsageError};
use crate::report::{Report, SCHEMA_VERSION};
use std::fmt::Write;
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub id: String,
    pub title: String,
    pub old: Option<Status>,
    pub new: Option<Status>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    pub old_score: Option<f64>,
    pub new_score: Option<f64>,
    pub worse: Vec<Change>,
    pub better: Vec<Change>,
    /// Status changes that are neither (to or from not-applicable/error, added, removed).
    pub other: Vec<Change>,
    /// Checks that went from pass to fail.
    pub broken: Vec<String>,
}

impl Diff {
    /// New minus old score; None when either could not be scored.
    pub fn score_change(&self) -> Option<f64> {
        Some(((self.new_score? - self.old_score?) * 10.0).round() / 10.0)
    }

    /// Why the comparison fails the gate, one line each.
    pub fn gate_reasons(&self, max_drop: f64) -> Vec<String> {
        let mut reasons = Vec::new();
        if let Some(change) = self.score_change() {
            if -change > max_drop {
                reasons.push(format!(
                    "score fell by {:.1} points (more than --max-drop {max_drop})",
                    -change
                ));
            }
        } else if self.old_score.is_some() && self.new_score.is_none() {
            reasons.push("the new report has no score".into());
        }
        for id in &self.broken {
            reasons.push(format!("{id} went from pass to fail"));
        }
        reasons
    }
}

/// How bad a scored status is; None for statuses that say nothing about the store.
fn badness(status: Status) -> Option<u8> {
    match status {
        Status::Pass => Some(0),
        Status::Warn => Some(1),
        Status::Fail => Some(2),
        Status::NotApplicable | Status::Error => None,
    }
}

pub fn compare(old: &Report, new: &Report) -> Diff {
    let mut diff = Diff {
        old_score: old.score,
        new_score: new.score,
        worse: Vec::new(),
        better: Vec::new(),
        other: Vec::new(),
        broken: Vec::new(),
    };
    let mut ids: Vec<&str> = new.checks.iter().map(|c| c.id.as_str()).collect();
    ids.extend(
        old.checks
            .iter()
            .map(|c| c.id.as_str())
            .filter(|id| !new.checks.iter().any(|n| n.id == *id)),
    );
    for id in ids {
        let before = old.checks.iter().find(|c| c.id == id);
        let after = new.checks.iter().find(|c| c.id == id);
        let change = Change {
            id: id.to_string(),
            title: after
                .or(before)
                .map(|c| c.title.clone())
                .unwrap_or_default(),
            old: before.map(|c| c.status),
            new: after.map(|c| c.status),
        };
        if change.old == change.new {
            continue;
        }
        match (change.old.and_then(badness), change.new.and_then(badness)) {
            (Some(a), Some(b)) if b > a => {
                if change.old == Some(Status::Pass) && change.new == Some(Status::Fail) {
                    diff.broken.push(change.id.clone());
                }
                diff.worse.push(change);
            }
            (Some(a), Some(b)) if b < a => diff.better.push(change),
            _ => diff.other.push(change),
        }
    }
    diff
}

pub fn load(path: &Path) -> Result<Report, UsageError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))?;
    let version: Option<u64> = serde_json::from_str::<serde_json::Value>(&text)
        .map_err(|e| UsageError(format!("{} is not JSON: {e}", path.display())))?
        .get("schema_version")
        .and_then(|v| v.as_u64());
    if version != Some(u64::from(SCHEMA_VERSION)) {
        return Err(UsageError(format!(
            "{} is not a shopaudit JSON report with schema_version {SCHEMA_VERSION} (found {})",
            path.display(),
            version.map_or("none".to_string(), |v| v.to_string())
        )));
    }
    serde_json::from_str(&text).map_err(|e| {
        UsageError(format!(
            "{} is not a shopaudit JSON report: {e}",
            path.display()
        ))
    })
}

pub fn render(diff: &Diff, old: &Report, new: &Report, max_drop: f64) -> String {
    let mut out = String::new();
    let score = |s: Option<f64>| s.map_or("n/a".to_string(), |s| format!("{s:.1}"));
    let change = diff
        .score_change()
        .map_or(String::new(), |c| format!(" ({c:+.1})"));
    let _ = writeln!(
        out,
        "Score: {} -> {}{change}",
        score(old.score),
        score(new.score)
    );
    if old.target != new.target {
        let _ = writeln!(out, "Targets differ: {} -> {}", old.target, new.target);
    }
    let status = |s: Option<Status>| s.map_or("absent", Status::as_str);
    for (heading, changes) in [
        ("Worse", &diff.worse),
        ("Better", &diff.better),
        ("Changed", &diff.other),
    ] {
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{heading}:");
        for c in changes {
            let _ = writeln!(
                out,
                "  {:<28} {} -> {}  {}",
                c.id,
                status(c.old),
                status(c.new),
                c.title
            );
        }
    }
    if diff.worse.is_empty() && diff.better.is_empty() && diff.other.is_empty() {
        out.push_str("No check changed status.\n");
    }
    let reasons = diff.gate_reasons(max_drop);
    if reasons.is_empty() {
        out.push_str("Diff gate: passed\n");
    } else {
        let _ = writeln!(out, "Diff gate: FAILED");
        for r in reasons {
            let _ = writeln!(out, "  - {r}");
        }
    }
    out
}

/// Runs the command: prints the comparison and returns the exit code.
pub fn run(old_path: &Path, new_path: &Path, max_drop: f64) -> anyhow::Result<Exit> {
    if !(max_drop.is_finite() && max_drop >= 0.0) {
        return Err(UsageError("--max-drop must be a number of points, 0 or more".into()).into());
    }
    let old = load(old_path)?;
    let new = load(new_path)?;
    let diff = compare(&old, &new);
    print!("{}", render(&diff, &old, &new, max_drop));
    Ok(if diff.gate_reasons(max_drop).is_empty() {
        Exit::Passed
    } else {
        Exit::GateFailed
    })
}
