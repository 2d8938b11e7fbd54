//! One configuration struct for `shopaudit.toml` and the command-line flags (flags win).
//! Unknown keys and bad values are errors with the file, line and column.

use crate::error::UsageError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const DEFAULT_CONFIG_FILE: &str = "shopaudit.toml";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub crawl: CrawlConfig,
    pub browser: BrowserConfig,
    pub checkout: CheckoutConfig,
    pub gate: GateConfig,
    pub output: OutputConfig,
    /// Per-check overrides, keyed by check id.
    pub checks: BTreeMap<String, CheckConfig>,
    /// Where the config was read from (None: defaults and flags only).
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// The start URL's scheme, host and folder (a start URL of /es/ stays under /es/).
    #[default]
    Folder,
    /// The whole host.
    Host,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrawlConfig {
    pub max_pages: u32,
    pub max_depth: u32,
    pub concurrency: u32,
    /// Per-request timeout, seconds.
    pub timeout_secs: f64,
    /// Bytes read per response at most; longer bodies are cut and reported.
    pub max_bytes: u64,
    pub max_redirects: u32,
    pub scope: Scope,
    /// Extra hosts the crawler may follow links to (besides the start URL's host).
    pub allow_hosts: Vec<String>,
    pub respect_robots: bool,
    pub use_sitemap: bool,
    /// Requests per second per host at most (0: unlimited).
    pub rate_limit: f64,
    /// Retries of 429/503 answers (honouring Retry-After, bounded).
    pub retries: u32,
    pub user_agent: String,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig {
            max_pages: 200,
            max_depth: 6,
            concurrency: 8,
            timeout_secs: 15.0,
            max_bytes: 5 * 1024 * 1024,
            max_redirects: 5,
            scope: Scope::Folder,
            allow_hosts: Vec::new(),
            respect_robots: true,
            use_sitemap: true,
            rate_limit: 0.0,
            retries: 2,
            user_agent: format!(
                "shopaudit/{} (+https://crates.io/crates/shopaudit)",
                env!("CARGO_PKG_VERSION")
            ),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BrowserConfig {
    pub enabled: bool,
    /// Chromium executable; None: look for chromium, chromium-browser, google-chrome on PATH.
    pub path: Option<PathBuf>,
    /// DevTools websocket of a running browser (remote pools).
    pub ws_url: Option<String>,
    /// Seconds one browser step may take before it becomes an error.
    pub step_timeout_secs: f64,
    /// Fallbacks for stores the heuristics cannot find their way through.
    pub overrides: BrowserOverrides,
    /// Where screenshots are written (`--save-artifacts`); not a config key.
    #[serde(skip)]
    pub artifacts_dir: Option<PathBuf>,
}

/// Per-store fallbacks for the browser flows (`[browser.overrides]`). Heuristics run first;
/// these are used when set.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BrowserOverrides {
    pub registration_url: Option<String>,
    pub login_url: Option<String>,
    pub product_url: Option<String>,
    pub cart_url: Option<String>,
    pub order_history_url: Option<String>,
    /// CSS selectors per step; keys: see [`OVERRIDE_SELECTORS`].
    pub selectors: BTreeMap<String, String>,
    /// Values for form fields, by the field's name or id.
    pub fields: BTreeMap<String, String>,
}

/// The steps a CSS selector can be given for in `[browser.overrides.selectors]`.
pub const OVERRIDE_SELECTORS: [&str; 7] = [
    "registration_form",
    "login_form",
    "logout",
    "add_to_cart",
    "checkout_button",
    "continue_button",
    "place_order",
];

impl Default for BrowserConfig {
    fn default() -> Self {
        BrowserConfig {
            enabled: true,
            path: None,
            ws_url: None,
            step_timeout_secs: 20.0,
            overrides: BrowserOverrides::default(),
            artifacts_dir: None,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckoutConfig {
    /// Placing an order is opt-in.
    pub place_orders: bool,
    /// Name of the environment variable holding the test account password.
    pub password_env: Option<String>,
    /// Name of the environment variable holding the test card number.
    pub card_number_env: Option<String>,
    pub card_expiry: Option<String>,
    /// Name of the environment variable holding the test card CVC.
    pub card_cvc_env: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum, Default)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    /// Any failed check fails the gate.
    #[default]
    Fail,
    /// Any warning or failure fails the gate.
    Warn,
    /// Only `--fail-under` can fail the gate.
    Never,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GateConfig {
    /// The gate fails when the overall score (0-100) is below this.
    pub fail_under: Option<f64>,
    pub fail_on: FailOn,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// Report formats (table, json, ...).
    pub formats: Vec<String>,
    /// File for a single format (default: standard output).
    pub output: Option<PathBuf>,
    /// Folder for several formats, one file each.
    pub output_dir: Option<PathBuf>,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    pub enabled: Option<bool>,
    pub weight: Option<f64>,
    pub thresholds: BTreeMap<String, f64>,
}

impl Config {
    /// Reads `path`, or `shopaudit.toml` in the working directory when `path` is None and the
    /// file exists. A missing explicit file is an error; a missing default file is not.
    pub fn load(path: Option<&Path>) -> Result<Config, UsageError> {
        let (path, explicit) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from(DEFAULT_CONFIG_FILE), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Config::default())
            }
            Err(e) => {
                return Err(UsageError(format!(
                    "cannot read config {}: {e}",
                    path.display()
                )))
            }
        };
        let mut config = Self::parse(&text, &path)?;
        config.source = Some(path);
        config.validate()?;
        Ok(config)
    }

    /// Parses TOML text; errors name the file, line and column.
    pub fn parse(text: &str, path: &Path) -> Result<Config, UsageError> {
        toml::from_str::<Config>(text).map_err(|e| {
            let (line, col) = e
                .span()
                .map(|span| line_col(text, span.start))
                .unwrap_or((1, 1));
            UsageError(format!(
                "{}:{line}:{col}: {}",
                path.display(),
                e.message().trim()
            ))
        })
    }

    /// Value checks serde cannot express. Check ids are validated against the registry.
    pub fn validate(&self) -> Result<(), UsageError> {
        let at = self
            .source
            .as_ref()
            .map(|p| format!("{}: ", p.display()))
            .unwrap_or_default();
        let c = &self.crawl;
        if c.max_pages == 0 {
            return Err(UsageError(format!(
                "{at}crawl.max_pages must be at least 1"
            )));
        }
        if c.concurrency == 0 {
            return Err(UsageError(format!(
                "{at}crawl.concurrency must be at least 1"
            )));
        }
        if c.timeout_secs.is_nan() || c.timeout_secs <= 0.0 {
            return Err(UsageError(format!(
                "{at}crawl.timeout_secs must be above 0"
            )));
        }
        if self.browser.step_timeout_secs.is_nan() || self.browser.step_timeout_secs <= 0.0 {
            return Err(UsageError(format!(
                "{at}browser.step_timeout_secs must be above 0"
            )));
        }
        for key in self.browser.overrides.selectors.keys() {
            if !OVERRIDE_SELECTORS.contains(&key.as_str()) {
                return Err(UsageError(format!(
                    "{at}[browser.overrides.selectors]: unknown step `{key}` (known: {})",
                    OVERRIDE_SELECTORS.join(", ")
                )));
            }
        }
        if let Some(f) = self.gate.fail_under {
            if !(0.0..=100.0).contains(&f) {
                return Err(UsageError(format!(
                    "{at}gate.fail_under must be between 0 and 100"
                )));
            }
        }
        for (id, check) in &self.checks {
            let Some(known) = crate::checks::find(id) else {
                return Err(UsageError(format!(
                    "{at}[checks.{id}]: no such check (see `shopaudit checks`)"
                )));
            };
            for name in check.thresholds.keys() {
                if !known.doc.thresholds.contains_key(name) {
                    let names: Vec<&str> =
                        known.doc.thresholds.keys().map(String::as_str).collect();
                    return Err(UsageError(format!(
                        "{at}[checks.{id}]: unknown threshold `{name}` (known: {})",
                        if names.is_empty() {
                            "none".to_string()
                        } else {
                            names.join(", ")
                        }
                    )));
                }
            }
            if check.weight.is_some_and(|w| w < 0.0) {
                return Err(UsageError(format!(
                    "{at}[checks.{id}]: weight must not be negative"
                )));
            }
        }
        Ok(())
    }

    pub fn check_enabled(&self, id: &str) -> bool {
        self.checks.get(id).and_then(|c| c.enabled).unwrap_or(true)
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map(|i| before[i + 1..].chars().count())
        .unwrap_or_else(|| before.chars().count())
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_reports_line_and_column() {
        let err = Config::parse(
            "[crawl]\nmax_pages = 10\nmax_pagez = 3\n",
            Path::new("shopaudit.toml"),
        )
        .unwrap_err();
        assert!(err.0.starts_with("shopaudit.toml:3:1: "), "{}", err.0);
        assert!(err.0.contains("max_pagez"), "{}", err.0);
    }

    #[test]
    fn bad_value_reports_position() {
        let err =
            Config::parse("[crawl]\nmax_pages = \"many\"\n", Path::new("s.toml")).unwrap_err();
        assert!(err.0.starts_with("s.toml:2:13: "), "{}", err.0);
    }

    #[test]
    fn defaults_match_the_documented_limits() {
        let c = Config::parse("", Path::new("s.toml")).unwrap();
        assert_eq!(c.crawl.max_pages, 200);
        assert_eq!(c.crawl.concurrency, 8);
        assert!(c.crawl.respect_robots);
    }
}
