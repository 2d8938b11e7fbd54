//! The report data (one struct, the JSON contract) and one renderer per format.

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod pdf;
pub mod sarif;
pub mod table;

use crate::artifacts::Artifacts;
use crate::checks::{CheckDoc, CheckResult, Status};
use crate::config::{Config, FailOn};
use crate::scoring::{self, Scored};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Changes only with incompatible changes to the JSON report.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Report {
    /// Version of this JSON layout. It changes only with incompatible changes (a field
    /// removed, renamed or retyped); new fields may appear without a change.
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
    if let Some(browser) = artifacts.browser.collected() {
        warnings.extend(browser.warnings.iter().cloned());
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
    Html,
    Markdown,
    Junit,
    Sarif,
    Pdf,
}

impl Format {
    pub const NAMES: &'static [&'static str] =
        &["table", "json", "html", "markdown", "junit", "sarif", "pdf"];

    pub fn parse(name: &str) -> Option<Format> {
        Some(match name.trim() {
            "table" => Format::Table,
            "json" => Format::Json,
            "html" => Format::Html,
            "markdown" | "md" => Format::Markdown,
            "junit" => Format::Junit,
            "sarif" => Format::Sarif,
            "pdf" => Format::Pdf,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Html => "html",
            Format::Markdown => "markdown",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
            Format::Pdf => "pdf",
        }
    }

    /// File name used with `--output-dir`.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Table => "report.txt",
            Format::Json => "report.json",
            Format::Html => "report.html",
            Format::Markdown => "report.md",
            Format::Junit => "report.junit.xml",
            Format::Sarif => "report.sarif",
            Format::Pdf => "report.pdf",
        }
    }

    /// Binary formats are never written to a terminal.
    pub fn is_binary(self) -> bool {
        self == Format::Pdf
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

/// The check documentation renderers quote (why it matters, how to fix, rule texts).
/// Tests pass their own docs so snapshots do not move when the catalogue's prose does.
pub struct Docs<'a>(Vec<&'a CheckDoc>);

impl Docs<'static> {
    /// The built-in catalogue.
    pub fn catalogue() -> Self {
        Docs(crate::checks::registry().iter().map(|c| &c.doc).collect())
    }
}

impl<'a> Docs<'a> {
    pub fn new(docs: Vec<&'a CheckDoc>) -> Self {
        Docs(docs)
    }

    pub fn get(&self, id: &str) -> Option<&'a CheckDoc> {
        self.0.iter().copied().find(|d| d.id == id)
    }
}

/// Everything a renderer needs besides the report itself.
pub struct RenderOptions<'a> {
    pub table: table::TableStyle,
    pub docs: Docs<'a>,
    /// Report heading (`--title`, `output.title`).
    pub title: Option<String>,
    pub client: Option<String>,
    pub auditor: Option<String>,
    /// The config file the run used: SARIF results point at it.
    pub config_file: Option<PathBuf>,
    /// Folder screenshot paths in the evidence are relative to.
    pub artifacts_dir: Option<PathBuf>,
    /// Chromium for `--format pdf` (None: search PATH).
    pub browser: Option<PathBuf>,
}

impl RenderOptions<'static> {
    /// Options for a run: the catalogue's docs and the config's output settings.
    pub fn for_run(
        config: &Config,
        table: table::TableStyle,
        artifacts_dir: Option<PathBuf>,
    ) -> Self {
        RenderOptions {
            table,
            docs: Docs::catalogue(),
            title: config.output.title.clone(),
            client: config.output.client.clone(),
            auditor: config.output.auditor.clone(),
            config_file: config.source.clone(),
            artifacts_dir,
            browser: config.browser.path.clone(),
        }
    }
}

impl RenderOptions<'_> {
    fn plain(&self) -> table::TableStyle {
        table::TableStyle {
            color: false,
            width: None,
        }
    }
}

/// Impact of a check on the score: its weight times the share of the score it lost.
/// Unscored checks (not-applicable, error) have no impact.
pub fn impact(check: &CheckResult) -> f64 {
    check.score.map(|s| check.weight * (1.0 - s)).unwrap_or(0.0)
}

/// Checks ordered for reading: highest impact first, then failures before errors before
/// warnings before the rest, then catalogue order.
pub fn ranked(report: &Report) -> Vec<&CheckResult> {
    let severity = |s: Status| match s {
        Status::Fail => 0,
        Status::Error => 1,
        Status::Warn => 2,
        Status::Pass => 3,
        Status::NotApplicable => 4,
    };
    let mut checks: Vec<(usize, &CheckResult)> = report.checks.iter().enumerate().collect();
    checks.sort_by(|(ia, a), (ib, b)| {
        impact(b)
            .total_cmp(&impact(a))
            .then(severity(a.status).cmp(&severity(b.status)))
            .then(ia.cmp(ib))
    });
    checks.into_iter().map(|(_, c)| c).collect()
}

/// Renders one format. Text formats are UTF-8; PDF is binary.
pub fn render(report: &Report, format: Format, options: &RenderOptions) -> anyhow::Result<Vec<u8>> {
    Ok(match format {
        Format::Table => table::render(report, &options.table).into_bytes(),
        Format::Json => json::render(report).into_bytes(),
        Format::Html => html::render(report, options)?.into_bytes(),
        Format::Markdown => markdown::render(report, options).into_bytes(),
        Format::Junit => junit::render(report)?.into_bytes(),
        Format::Sarif => sarif::render(report, options).into_bytes(),
        Format::Pdf => pdf::render(report, options)?,
    })
}

/// Writes each format: to `--output`, into `--output-dir`, or to standard output. With
/// `--output-dir` the table is also printed, so a CI log shows the result.
pub fn write_outputs(
    report: &Report,
    formats: &[Format],
    output: &crate::config::OutputConfig,
    options: &RenderOptions,
) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::{IsTerminal, Write};
    let plain = RenderOptions {
        table: options.plain(),
        docs: Docs(options.docs.0.clone()),
        title: options.title.clone(),
        client: options.client.clone(),
        auditor: options.auditor.clone(),
        config_file: options.config_file.clone(),
        artifacts_dir: options.artifacts_dir.clone(),
        browser: options.browser.clone(),
    };
    if let Some(dir) = &output.output_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output folder {}", dir.display()))?;
        for format in formats {
            let path = dir.join(format.file_name());
            std::fs::write(&path, render(report, *format, &plain)?)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        if formats.contains(&Format::Table) {
            std::io::stdout()
                .lock()
                .write_all(&render(report, Format::Table, options)?)?;
        }
        return Ok(());
    }
    for format in formats {
        match &output.output {
            Some(path) => {
                std::fs::write(path, render(report, *format, &plain)?)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            None => {
                let mut stdout = std::io::stdout().lock();
                if format.is_binary() && stdout.is_terminal() {
                    return Err(crate::error::UsageError(format!(
                        "--format {} is binary: pass --output FILE or --output-dir DIR",
                        format.name()
                    ))
                    .into());
                }
                stdout.write_all(&render(report, *format, options)?)?;
            }
        }
    }
    Ok(())
}
