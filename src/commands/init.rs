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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn the_template_parses_to_the_defaults() {
        let parsed = Config::parse(&template(), Path::new("shopaudit.toml")).unwrap();
        parsed.validate().unwrap();
        assert_eq!(
            serde_json::to_value(&parsed).unwrap(),
            serde_json::to_value(Config::default()).unwrap()
        );
    }

    #[test]
    fn every_commented_key_is_a_real_key() {
        // Uncommenting the optional keys must give a valid config too.
        let uncommented: String = template()
            .lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest) if rest.contains(" = ") || rest.starts_with('[') => rest,
                _ => line,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let parsed = Config::parse(&uncommented, Path::new("shopaudit.toml"))
            .unwrap_or_else(|e| panic!("{}\n{uncommented}", e.0));
        parsed.validate().unwrap();
        assert_eq!(parsed.gate.fail_under, Some(80.0));
        assert_eq!(
            parsed.checkout.password_env.as_deref(),
            Some("SHOPAUDIT_PASSWORD")
        );
        assert_eq!(parsed.output.client.as_deref(), Some("Example Ltd"));
    }
}
