//! The terminal table: overall and category scores, then one row per check.

use super::Report;
use crate::checks::Status;
use comfy_table::{presets, Cell, Color, ContentArrangement, Table};

pub struct TableStyle {
    pub color: bool,
    /// Terminal width (None: not a terminal, no wrapping).
    pub width: Option<u16>,
}

pub fn render(report: &Report, style: &TableStyle) -> String {
    let mut out = String::new();
    let score = report
        .score
        .map(|s| format!("{s:.0}/100"))
        .unwrap_or_else(|| "n/a".into());
    out.push_str(&format!("shopaudit audit of {}\n", report.target));
    out.push_str(&format!("Overall score: {score}\n"));
    let cats: Vec<String> = report
        .categories
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c.title,
                c.score
                    .map(|s| format!("{s:.0}"))
                    .unwrap_or_else(|| "n/a".into())
            )
        })
        .collect();
    out.push_str(&cats.join("  ·  "));
    out.push('\n');

    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED);
    match style.width {
        Some(w) => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(w);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(140);
        }
    }
    if !style.color {
        table.force_no_tty();
    }
    table.set_header(vec![
        "Status",
        "Check",
        "Score",
        "What we found",
        "Evidence",
    ]);
    for check in &report.checks {
        let mut status = Cell::new(status_label(check.status));
        if style.color {
            status = status.fg(match check.status {
                Status::Pass => Color::Green,
                Status::Warn => Color::Yellow,
                Status::Fail => Color::Red,
                Status::Error => Color::Magenta,
                Status::NotApplicable => Color::DarkGrey,
            });
        }
        let evidence = check
            .evidence
            .iter()
            .take(3)
            .map(|e| {
                let mut line = String::new();
                if let Some(url) = &e.url {
                    line.push_str(url);
                }
                if let Some(x) = &e.excerpt {
                    if !line.is_empty() {
                        line.push_str(" — ");
                    }
                    line.push_str(&truncate(x, 90));
                }
                line
            })
            .collect::<Vec<_>>();
        let mut evidence = evidence.join("\n");
        if check.evidence.len() > 3 {
            evidence.push_str(&format!("\n(+{} more)", check.evidence.len() - 3));
        }
        table.add_row(vec![
            status,
            Cell::new(format!("{}\n{}", check.title, check.id)),
            Cell::new(
                check
                    .score
                    .map(|s| format!("{:.0}", s * 100.0))
                    .unwrap_or_else(|| "–".into()),
            ),
            Cell::new(&check.summary),
            Cell::new(evidence),
        ]);
    }
    out.push_str(&table.to_string());
    out.push('\n');
    for w in &report.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out.push_str(&format!(
        "Gate: {}\n",
        if report.gate.passed {
            "passed".to_string()
        } else {
            format!("FAILED ({} reason(s))", report.gate.reasons.len())
        }
    ));
    out
}

fn status_label(status: Status) -> &'static str {
    match status {
        Status::Pass => "PASS",
        Status::Warn => "WARN",
        Status::Fail => "FAIL",
        Status::NotApplicable => "N/A",
        Status::Error => "ERROR",
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}
