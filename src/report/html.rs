//! The client report: one self-contained HTML file (inline CSS, screenshots embedded as
//! `data:` URIs), rendered with minijinja from the same [`Report`] as the JSON.

use super::{impact, ranked, RenderOptions, Report};
use crate::checks::{CheckResult, Status};
use anyhow::Context;
use base64::Engine;
use serde::Serialize;
use std::path::Path;

const TEMPLATE: &str = include_str!("templates/report.html.j2");

#[derive(Serialize)]
struct View {
    title: String,
    client: Option<String>,
    auditor: Option<String>,
    target: String,
    target_is_link: bool,
    date: String,
    duration: String,
    tool: String,
    score: String,
    score_class: &'static str,
    categories: Vec<CategoryView>,
    findings: Vec<CheckView>,
    unchecked: Vec<CheckView>,
    passed: Vec<CheckView>,
    not_applicable: Vec<CheckView>,
    counts: Counts,
    gate_passed: bool,
    gate_reasons: Vec<String>,
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct Counts {
    fail: usize,
    warn: usize,
    error: usize,
    pass: usize,
    not_applicable: usize,
}

#[derive(Serialize)]
struct CategoryView {
    title: String,
    score: String,
    class: &'static str,
}

#[derive(Serialize)]
struct CheckView {
    id: String,
    title: String,
    status: &'static str,
    status_label: &'static str,
    score: String,
    impact: String,
    summary: String,
    evidence: Vec<EvidenceView>,
    /// The check documentation's sections, rendered from Markdown to HTML.
    what: String,
    why: String,
    how: String,
}

#[derive(Serialize)]
struct EvidenceView {
    url: Option<String>,
    url_is_link: bool,
    excerpt: Option<String>,
    selector: Option<String>,
    screenshot: Option<String>,
    /// The image as a `data:` URI; None when the file could not be read.
    screenshot_src: Option<String>,
}

pub fn render(report: &Report, options: &RenderOptions) -> anyhow::Result<String> {
    let mut env = minijinja::Environment::new();
    // The name decides autoescaping: `.html` escapes every interpolated value.
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .context("invalid template syntax settings")?,
    );
    env.add_template("report.html", TEMPLATE)
        .context("the HTML report template is invalid")?;
    let view = view(report, options);
    env.get_template("report.html")
        .and_then(|t| t.render(minijinja::value::Serde(&view)))
        .context("cannot render the HTML report")
}

fn view(report: &Report, options: &RenderOptions) -> View {
    let check_view = |c: &CheckResult| check_view(c, options);
    let ranked = ranked(report);
    let count = |s: Status| report.checks.iter().filter(|c| c.status == s).count();
    View {
        title: options
            .title
            .clone()
            .unwrap_or_else(|| format!("Store audit of {}", report.target)),
        client: options.client.clone(),
        auditor: options.auditor.clone(),
        target: report.target.clone(),
        target_is_link: is_web_url(&report.target),
        date: report.started_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        duration: format!("{:.1} s", report.duration_ms as f64 / 1000.0),
        tool: format!("{} {}", report.tool.name, report.tool.version),
        score: percent(report.score),
        score_class: score_class(report.score),
        categories: report
            .categories
            .iter()
            .map(|c| CategoryView {
                title: c.title.clone(),
                score: percent(c.score),
                class: score_class(c.score),
            })
            .collect(),
        findings: ranked
            .iter()
            .filter(|c| matches!(c.status, Status::Fail | Status::Warn))
            .map(|c| check_view(c))
            .collect(),
        unchecked: ranked
            .iter()
            .filter(|c| c.status == Status::Error)
            .map(|c| check_view(c))
            .collect(),
        passed: ranked
            .iter()
            .filter(|c| c.status == Status::Pass)
            .map(|c| check_view(c))
            .collect(),
        not_applicable: ranked
            .iter()
            .filter(|c| c.status == Status::NotApplicable)
            .map(|c| check_view(c))
            .collect(),
        counts: Counts {
            fail: count(Status::Fail),
            warn: count(Status::Warn),
            error: count(Status::Error),
            pass: count(Status::Pass),
            not_applicable: count(Status::NotApplicable),
        },
        gate_passed: report.gate.passed,
        gate_reasons: report.gate.reasons.clone(),
        warnings: report.warnings.clone(),
    }
}

fn check_view(check: &CheckResult, options: &RenderOptions) -> CheckView {
    let doc = options.docs.get(&check.id);
    let doc_html = |text: Option<&str>| text.map(markdown_to_html).unwrap_or_default();
    CheckView {
        id: check.id.clone(),
        title: check.title.clone(),
        status: check.status.as_str(),
        status_label: status_label(check.status),
        score: check
            .score
            .map(|s| format!("{:.0}", s * 100.0))
            .unwrap_or_else(|| "–".into()),
        impact: format!("{:.1}", impact(check)),
        summary: check.summary.clone(),
        evidence: check
            .evidence
            .iter()
            .map(|e| EvidenceView {
                url_is_link: e.url.as_deref().is_some_and(is_web_url),
                url: e.url.clone(),
                excerpt: e.excerpt.clone(),
                selector: e.selector.clone(),
                screenshot: e.screenshot.clone(),
                screenshot_src: e
                    .screenshot
                    .as_deref()
                    .and_then(|p| data_uri(p, options.artifacts_dir.as_deref())),
            })
            .collect(),
        what: doc_html(doc.map(|d| d.what_it_checks.as_str())),
        why: doc_html(doc.map(|d| d.why_it_matters.as_str())),
        how: doc_html(Some(
            doc.map(|d| d.how_to_fix.as_str())
                .unwrap_or(check.recommendation.as_str()),
        )),
    }
}

/// The check docs are the project's own Markdown (embedded in the binary), so their HTML is
/// trusted; raw HTML in them is escaped all the same, in case a doc ever quotes a tag.
fn markdown_to_html(text: &str) -> String {
    use pulldown_cmark::{Event, Parser};
    let events = Parser::new(text).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::Pass => "Pass",
        Status::Warn => "Warning",
        Status::Fail => "Fail",
        Status::NotApplicable => "Not applicable",
        Status::Error => "Error",
    }
}

fn percent(score: Option<f64>) -> String {
    score
        .map(|s| format!("{s:.0}"))
        .unwrap_or_else(|| "n/a".into())
}

fn score_class(score: Option<f64>) -> &'static str {
    match score {
        None => "none",
        Some(s) if s >= 90.0 => "good",
        Some(s) if s >= 50.0 => "average",
        Some(_) => "poor",
    }
}

/// Only http(s) URLs become links: evidence text comes from the audited site.
fn is_web_url(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// Reads a screenshot (relative to the artifacts folder) into a `data:` URI. Only image files
/// inside that folder are read: a saved artifacts file may come from someone else, and must
/// not make the report embed arbitrary local files.
fn data_uri(path: &str, artifacts_dir: Option<&Path>) -> Option<String> {
    use std::path::Component;
    let relative = Path::new(path);
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return None;
    }
    let mime = match relative
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        _ => return None,
    };
    let full = artifacts_dir.unwrap_or(Path::new(".")).join(relative);
    let bytes = std::fs::read(full).ok()?;
    Some(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screenshots_are_read_only_from_inside_the_artifacts_folder() {
        let dir = tempfile::tempdir().unwrap();
        let shots = dir.path().join("shots");
        std::fs::create_dir(&shots).unwrap();
        std::fs::write(shots.join("a.png"), b"\x89PNG fake").unwrap();
        std::fs::write(dir.path().join("secret.txt"), b"secret").unwrap();
        let inside = data_uri("shots/a.png", Some(dir.path())).unwrap();
        assert!(inside.starts_with("data:image/png;base64,"));
        let root = Some(shots.as_path());
        assert_eq!(data_uri("../secret.txt", root), None);
        assert_eq!(data_uri("../shots/a.png", root), None);
        let absolute = shots.join("a.png");
        assert_eq!(data_uri(absolute.to_str().unwrap(), root), None);
        assert_eq!(data_uri("missing.png", root), None);
        std::fs::write(shots.join("notes.txt"), b"x").unwrap();
        assert_eq!(data_uri("notes.txt", root), None);
    }
}
