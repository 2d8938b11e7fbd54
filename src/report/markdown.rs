//! Markdown for a pull-request comment: a short summary table, then the failures with their
//! evidence. Text from the audited site is escaped so it cannot break the layout.

use super::{ranked, RenderOptions, Report};
use crate::checks::Status;
use std::fmt::Write;

/// Evidence items shown per check; a PR comment should stay short.
const MAX_EVIDENCE: usize = 5;

pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out = String::new();
    let title = options
        .title
        .clone()
        .unwrap_or_else(|| format!("shopaudit: {}", report.target));
    let _ = writeln!(out, "## {}\n", inline(&title));
    let score = report
        .score
        .map(|s| format!("{s:.0}/100"))
        .unwrap_or_else(|| "n/a".into());
    let gate = if report.gate.passed {
        "passed ✅"
    } else {
        "failed ❌"
    };
    let _ = writeln!(
        out,
        "**Score {score}** · gate {gate} · {} · `{}`\n",
        counts_line(report),
        inline(&report.target)
    );
    out.push_str("| Category | Score |\n| --- | ---: |\n");
    for c in &report.categories {
        let score = c
            .score
            .map(|s| format!("{s:.0}"))
            .unwrap_or_else(|| "n/a".into());
        let _ = writeln!(out, "| {} | {score} |", inline(&c.title));
    }
    out.push('\n');

    let problems: Vec<_> = ranked(report)
        .into_iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Warn))
        .collect();
    if problems.is_empty() {
        out.push_str("No failures or warnings.\n");
    } else {
        out.push_str("### Findings\n\n");
        for check in problems {
            let _ = writeln!(
                out,
                "#### {} {} (`{}`)\n",
                marker(check.status),
                inline(&check.title),
                check.id
            );
            let _ = writeln!(out, "{}", inline(&check.summary));
            if !check.evidence.is_empty() {
                out.push('\n');
            }
            for e in check.evidence.iter().take(MAX_EVIDENCE) {
                let mut line = String::from("- ");
                if let Some(url) = &e.url {
                    let _ = write!(line, "<{}>", url.replace('>', "%3E"));
                }
                if let Some(selector) = &e.selector {
                    let _ = write!(line, " {}", code(selector));
                }
                if let Some(excerpt) = &e.excerpt {
                    if line.len() > 2 {
                        line.push_str(": ");
                    }
                    let _ = write!(line, "“{}”", inline(excerpt));
                }
                if let Some(shot) = &e.screenshot {
                    let _ = write!(line, " (screenshot {})", code(shot));
                }
                let _ = writeln!(out, "{line}");
            }
            if check.evidence.len() > MAX_EVIDENCE {
                let _ = writeln!(out, "- … and {} more", check.evidence.len() - MAX_EVIDENCE);
            }
            let fix = options
                .docs
                .get(&check.id)
                .map(|d| d.how_to_fix.as_str())
                .unwrap_or(&check.recommendation);
            if !fix.is_empty() {
                // The docs are the project's own Markdown: kept as written.
                let _ = writeln!(out, "\n**How to fix:** {}", fix.trim());
            }
            out.push('\n');
        }
    }
    let unchecked: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.status == Status::Error)
        .collect();
    if !unchecked.is_empty() {
        out.push_str("### Could not be checked\n\n");
        for check in unchecked {
            let _ = writeln!(
                out,
                "- {} `{}`: {}",
                marker(check.status),
                check.id,
                inline(&check.summary)
            );
        }
        out.push('\n');
    }
    if !report.gate.passed {
        out.push_str("<details><summary>Why the gate failed</summary>\n\n");
        for reason in &report.gate.reasons {
            let _ = writeln!(out, "- {}", inline(reason));
        }
        out.push_str("\n</details>\n");
    }
    let _ = writeln!(
        out,
        "\n<sub>{} {} · {}</sub>",
        report.tool.name,
        report.tool.version,
        report.started_at.format("%Y-%m-%d %H:%M UTC")
    );
    out
}

fn counts_line(report: &Report) -> String {
    let count = |s: Status| report.checks.iter().filter(|c| c.status == s).count();
    format!(
        "{} fail · {} warn · {} error · {} pass · {} n/a",
        count(Status::Fail),
        count(Status::Warn),
        count(Status::Error),
        count(Status::Pass),
        count(Status::NotApplicable)
    )
}

fn marker(status: Status) -> &'static str {
    match status {
        Status::Fail => "❌",
        Status::Warn => "⚠️",
        Status::Error => "⛔",
        Status::Pass => "✅",
        Status::NotApplicable => "➖",
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One line of text with Markdown and HTML special characters escaped.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in one_line(text).chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Inline code that survives backticks in the text.
fn code(text: &str) -> String {
    let text = one_line(text);
    let fence = if text.contains('`') { "`` " } else { "`" };
    let close = if text.contains('`') { " ``" } else { "`" };
    format!("{fence}{text}{close}")
}
