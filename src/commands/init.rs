//! `shopaudit init`: writes a commented `shopaudit.toml` whose values are the defaults.

use crate::error::{Exit, UsageError};
use std::fmt::Write;
use std::path::Path;

const TEMPLATE: &str = include_str!("init.template.toml");

/// The template, with one commented-out section per check (its weight and thresholds).
pub fn template() -> String {
    let mut out = TEMPLATE.to_string();
    for check in crate::checks::registry() {
        let doc = &check.doc;
        let _ = writeln!(out, "\n# {}", doc.title);
        let _ = writeln!(out, "# [checks.{}]", doc.id);
        let _ = writeln!(out, "# enabled = true");
        let _ = writeln!(out, "# weight = {:?}", doc.weight);
        if !doc.thresholds.is_empty() {
            let _ = writeln!(out, "# [checks.{}.thresholds]", doc.id);
            for (name, value) in &doc.thresholds {
                let _ = writeln!(out, "# {name} = {value:?}");
            }
        }
    }
    out
}

pub fn run(path: &Path, force: bool) -> anyhow::Result<Exit> {
    if path.exists() && !force {
        return Err(UsageError(format!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        ))
        .into());
    }
    std::fs::write(path, template())
        .map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?;
    eprintln!("wrote {}", path.display());
    Ok(Exit::Passed)
}
