//! `checks/<id>.md`: TOML front matter between `+++` lines, then the prose sections
//! "What it checks", "Why it matters" and "How to fix".

use super::phrases::PhraseSet;
use anyhow::{bail, Context};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Which gathered artifact a check reads. A failed gather errors only the checks needing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Need {
    Crawl,
    Browser,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: String,
    title: String,
    failure_title: String,
    category: String,
    weight: f64,
    needs: Vec<Need>,
    #[serde(default)]
    thresholds: BTreeMap<String, f64>,
    #[serde(default)]
    phrases: BTreeMap<String, PhraseSet>,
    #[serde(default)]
    patterns: BTreeMap<String, Vec<String>>,
}

#[derive(Debug)]
pub struct CheckDoc {
    pub id: String,
    /// What a passing store does ("Phone number visible on home and contact pages").
    pub title: String,
    /// What a failing store does ("Customers cannot find a phone number").
    pub failure_title: String,
    pub category: String,
    pub weight: f64,
    pub needs: Vec<Need>,
    pub thresholds: BTreeMap<String, f64>,
    pub phrases: BTreeMap<String, PhraseSet>,
    /// Language-neutral pattern lists (vendor snippets, code prefixes), keyed by name.
    pub patterns: BTreeMap<String, Vec<String>>,
    pub what_it_checks: String,
    pub why_it_matters: String,
    pub how_to_fix: String,
    /// The whole markdown body (without front matter), for `shopaudit explain`.
    pub body: String,
}

impl CheckDoc {
    pub fn parse(source: &str) -> anyhow::Result<CheckDoc> {
        let rest = source
            .strip_prefix("+++\n")
            .context("a check doc must start with a `+++` front matter line")?;
        let end = rest
            .find("\n+++\n")
            .context("the front matter is not closed by a `+++` line")?;
        let (front, body) = (&rest[..end + 1], &rest[end + 5..]);
        let mut fm: FrontMatter = toml::from_str(front).context("the front matter is not valid")?;
        for set in fm.phrases.values_mut() {
            set.build();
        }
        let section = |name: &str| -> anyhow::Result<String> {
            let heading = format!("## {name}\n");
            let start = body
                .find(&heading)
                .with_context(|| format!("{}: missing section `## {name}`", fm.id))?
                + heading.len();
            let end = body[start..]
                .find("\n## ")
                .map(|i| start + i)
                .unwrap_or(body.len());
            let text = body[start..end].trim().to_string();
            if text.is_empty() {
                bail!("{}: section `## {name}` is empty", fm.id);
            }
            Ok(text)
        };
        Ok(CheckDoc {
            what_it_checks: section("What it checks")?,
            why_it_matters: section("Why it matters")?,
            how_to_fix: section("How to fix")?,
            body: body.trim().to_string(),
            id: fm.id,
            title: fm.title,
            failure_title: fm.failure_title,
            category: fm.category,
            weight: fm.weight,
            needs: fm.needs,
            thresholds: fm.thresholds,
            phrases: fm.phrases,
            patterns: fm.patterns,
        })
    }

    /// A phrase list from the front matter. Panics on an undeclared list name: the registry
    /// test runs every check, so a typo is caught there.
    pub fn phrase_set(&self, list: &str) -> &PhraseSet {
        self.phrases
            .get(list)
            .unwrap_or_else(|| panic!("check {} has no phrase list `{list}` in its doc", self.id))
    }
}
