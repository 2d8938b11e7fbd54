//! The report data (one struct, the JSON contract) and one renderer per format.

pub mod json;
pub mod table;

use crate::artifacts::Artifacts;
use crate::checks::{CheckResult, Status};
use crate::config::{Config, FailOn};
use crate::scoring::{self, Scored};
use serde::{Deserialize, Serialize};

/// Changes only with incompatible changes to the JSON report.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    /// The audited start URL.
    pub target: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub duration_ms: u64,
    /// Overall score 0-100 (null when no check could be scored).
    pub score: Option<f64>,
    pub categories: Vec<CategoryScore>,
    pub checks: Vec<CheckResult>,
    pub gate: Gate,
    /// Problems met during the run that did not stop it.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CategoryScore {
    pub id: String,
    pub title: String,
    /// 0-100; null when none of its checks could be scored.
    pub score: Option<f64>,
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Gate {
    pub passed: bool,
    pub fail_under: Option<f64>,
    pub fail_on: String,
    /// Why the gate failed, one line each.
    pub reasons: Vec<String>,
}

/// Runs the checks over the artifacts, scores them and decides the gate.
pub fn build(artifacts: &Artifacts, config: &Config, duration_ms: u64) -> Report {
    let checks = crate::checks::run_checks(artifacts, config);
    let categories: Vec<CategoryScore> = scoring::categories()
        .iter()
        .map(|cat| {
            let score =
                scoring::weighted_mean(checks.iter().filter(|c| c.category == cat.id).map(|c| {
                    Scored {
                        weight: c.weight,
                        score: c.score,
                    }
                }));
            CategoryScore {
                id: cat.id.clone(),
                title: cat.title.clone(),
                score: score.map(scoring::to_percent),
                weight: cat.weight,
            }
        })
        .collect();
    let score = scoring::weighted_mean(categories.iter().map(|c| Scored {
        weight: c.weight,
        score: c.score.map(|s| s / 100.0),
    }))
    .map(scoring::to_percent);
    let gate = decide_gate(score, &checks, config);
    let mut warnings = artifacts.warnings.clone();
    if let Some(crawl) = artifacts.crawl.collected() {
        warnings.extend(crawl.warnings.iter().cloned());
    }
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "shopaudit".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        target: artifacts.meta.target.clone(),
        started_at: artifacts.meta.started_at,
        duration_ms,
        score,
        categories,
        checks,
        gate,
        warnings,
    }
}

fn decide_gate(score: Option<f64>, checks: &[CheckResult], config: &Config) -> Gate {
    let mut reasons = Vec::new();
    let fail_under = config.gate.fail_under;
    if let Some(min) = fail_under {
        match score {
            Some(s) if s < min => reasons.push(format!("score {s} is below --fail-under {min}")),
            None => reasons.push(format!("no score could be computed (--fail-under {min})")),
            _ => {}
        }
    }
    let failing: &[Status] = match config.gate.fail_on {
        FailOn::Fail => &[Status::Fail],
        FailOn::Warn => &[Status::Fail, Status::Warn],
        FailOn::Never => &[],
    };
    for check in checks.iter().filter(|c| failing.contains(&c.status)) {
        reasons.push(format!(
            "{} {}: {}",
            check.id,
            check.status.as_str(),
            check.summary
        ));
    }
    Gate {
        passed: reasons.is_empty(),
        fail_under,
        fail_on: match config.gate.fail_on {
            FailOn::Fail => "fail",
            FailOn::Warn => "warn",
            FailOn::Never => "never",
        }
        .into(),
        reasons,
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &["table", "json"];

    pub fn parse(name: &str) -> Option<Format> {
        Some(match name.trim() {
            "table" => Format::Table,
            "json" => Format::Json,
            _ => return None,
        })
    }

    /// File name used with `--output-dir`.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Table => "report.txt",
            Format::Json => "report.json",
        }
    }
}

/// Formats from the config/flags; `table` when none are given.
pub fn parse_formats(
    output: &crate::config::OutputConfig,
) -> Result<Vec<Format>, crate::error::UsageError> {
    let mut formats = Vec::new();
    for name in &output.formats {
        let format = Format::parse(name).ok_or_else(|| {
            crate::error::UsageError(format!(
                "unknown format `{name}` (known: {})",
                Format::NAMES.join(", ")
            ))
        })?;
        if !formats.contains(&format) {
            formats.push(format);
        }
    }
    if formats.is_empty() {
        formats.push(Format::Table);
    }
    if formats.len() > 1 && output.output.is_some() {
        return Err(crate::error::UsageError(
            "--output takes one format; use --output-dir for several".into(),
        ));
    }
    Ok(formats)
}

pub fn render(report: &Report, format: Format, style: &table::TableStyle) -> String {
    match format {
        Format::Table => table::render(report, style),
        Format::Json => json::render(report),
    }
}

/// Writes each format: to `--output`, into `--output-dir`, or to standard output.
pub fn write_outputs(
    report: &Report,
    formats: &[Format],
    output: &crate::config::OutputConfig,
    style: &table::TableStyle,
) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    if let Some(dir) = &output.output_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output folder {}", dir.display()))?;
        let plain = table::TableStyle {
            color: false,
            width: None,
        };
        for format in formats {
            let path = dir.join(format.file_name());
            std::fs::write(&path, render(report, *format, &plain))
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        if formats.contains(&Format::Table) {
            print!("{}", render(report, Format::Table, style));
        }
        return Ok(());
    }
    for format in formats {
        match &output.output {
            Some(path) => {
                let plain = table::TableStyle {
                    color: false,
                    width: None,
                };
                std::fs::write(path, render(report, *format, &plain))
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            None => {
                let mut stdout = std::io::stdout().lock();
                stdout.write_all(render(report, *format, style).as_bytes())?;
            }
        }
    }
    Ok(())
}
