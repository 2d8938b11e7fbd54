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
}

impl Default for BrowserConfig {
    fn default() -> Self {
        BrowserConfig {
            enabled: true,
            path: None,
            ws_url: None,
            step_timeout_secs: 20.0,
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
    /// Heading of the HTML/PDF/Markdown report (default: "Store audit of <target>").
    pub title: Option<String>,
    /// Client named in the report header.
    pub client: Option<String>,
    /// Auditor named in the report header.
    pub auditor: Option<String>,
    /// Save the gathered artifacts (JSON, screenshots) into this folder.
    pub save_artifacts: Option<PathBuf>,
    /// No progress output; only errors on stderr.
    pub quiet: bool,
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
        if !(c.rate_limit.is_finite() && c.rate_limit >= 0.0) {
            return Err(UsageError(format!(
                "{at}crawl.rate_limit must be 0 (unlimited) or more"
            )));
        }
        let b = &self.browser;
        if !(b.step_timeout_secs.is_finite() && b.step_timeout_secs > 0.0) {
            return Err(UsageError(format!(
                "{at}browser.step_timeout_secs must be above 0"
            )));
        }
        if let Some(ws) = &b.ws_url {
            if !(ws.starts_with("ws://") || ws.starts_with("wss://")) {
                return Err(UsageError(format!(
                    "{at}browser.ws_url must be a ws:// or wss:// DevTools URL, not `{ws}`"
                )));
            }
        }
        let k = &self.checkout;
        for (key, name) in [
            ("password_env", &k.password_env),
            ("card_number_env", &k.card_number_env),
            ("card_cvc_env", &k.card_cvc_env),
        ] {
            if let Some(name) = name {
                if !is_env_var_name(name) {
                    return Err(UsageError(format!(
                        "{at}checkout.{key} names an environment variable (e.g. SHOPAUDIT_PASSWORD), not `{}`",
                        if name.len() > 40 { "a value" } else { name }
                    )));
                }
            }
        }
        if let Some(expiry) = &k.card_expiry {
            let valid = expiry.len() == 5
                && expiry.as_bytes()[2] == b'/'
                && expiry[..2]
                    .parse::<u8>()
                    .is_ok_and(|m| (1..=12).contains(&m))
                && expiry[3..].bytes().all(|b| b.is_ascii_digit());
            if !valid {
                return Err(UsageError(format!(
                    "{at}checkout.card_expiry must be MM/YY, e.g. 12/30"
                )));
            }
        }
        for name in &self.output.formats {
            if crate::report::Format::parse(name).is_none() {
                return Err(UsageError(format!(
                    "{at}output.formats: unknown format `{name}` (known: {})",
                    crate::report::Format::NAMES.join(", ")
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
            if check.weight.is_some_and(|w| !(w.is_finite() && w >= 0.0)) {
                return Err(UsageError(format!(
                    "{at}[checks.{id}]: weight must be a number, 0 or more"
                )));
            }
            if let Some((name, _)) = check.thresholds.iter().find(|(_, v)| !v.is_finite()) {
                return Err(UsageError(format!(
                    "{at}[checks.{id}]: threshold `{name}` must be a finite number"
                )));
            }
        }
        Ok(())
    }

    pub fn check_enabled(&self, id: &str) -> bool {
        self.checks.get(id).and_then(|c| c.enabled).unwrap_or(true)
    }
}

fn is_env_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A secret read from the environment. Its Debug and Display never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value, for typing into the store's form; never for logs or reports.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl CheckoutConfig {
    /// Reads the secret whose environment variable the config names (`password_env`, ...).
    /// None when the config names none; an error when the named variable is unset or empty.
    pub fn secret(env_name: Option<&str>, what: &str) -> Result<Option<Secret>, UsageError> {
        let Some(name) = env_name else {
            return Ok(None);
        };
        match std::env::var(name) {
            Ok(value) if !value.is_empty() => Ok(Some(Secret(value))),
            _ => Err(UsageError(format!(
                "the {what} is read from the environment variable {name}, which is not set"
            ))),
        }
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
    fn bad_values_are_rejected_with_the_key() {
        let cases = [
            (
                "[browser]\nstep_timeout_secs = 0.0\n",
                "browser.step_timeout_secs",
            ),
            ("[crawl]\nrate_limit = -1.0\n", "crawl.rate_limit"),
            (
                "[checkout]\npassword_env = \"hunter2 secret\"\n",
                "checkout.password_env",
            ),
            (
                "[checkout]\ncard_expiry = \"13/30\"\n",
                "checkout.card_expiry",
            ),
            ("[output]\nformats = [\"docx\"]\n", "unknown format `docx`"),
            ("[gate]\nfail_under = 101.0\n", "gate.fail_under"),
            ("[browser]\nws_url = \"http://x\"\n", "browser.ws_url"),
            ("[checks.no-such-check]\nenabled = false\n", "no such check"),
            (
                "[checks.hidden-phone-number]\nweight = -2.0\n",
                "weight must be a number, 0 or more",
            ),
            (
                "[checks.hidden-phone-number.thresholds]\nmax_fields = 3.0\n",
                "unknown threshold `max_fields`",
            ),
        ];
        for (text, expected) in cases {
            let mut config = Config::parse(text, Path::new("s.toml")).unwrap();
            config.source = Some(PathBuf::from("s.toml"));
            let err = config.validate().unwrap_err();
            assert!(err.0.starts_with("s.toml: "), "{text}: {}", err.0);
            assert!(err.0.contains(expected), "{text}: {}", err.0);
        }
    }

    #[test]
    fn secrets_come_from_named_variables_and_never_print() {
        std::env::set_var("SHOPAUDIT_TEST_SECRET_PW", "correct horse");
        let secret = CheckoutConfig::secret(Some("SHOPAUDIT_TEST_SECRET_PW"), "test password")
            .unwrap()
            .unwrap();
        assert_eq!(secret.expose(), "correct horse");
        assert!(!format!("{secret} {secret:?}").contains("horse"));
        let err =
            CheckoutConfig::secret(Some("SHOPAUDIT_TEST_UNSET_VAR"), "test password").unwrap_err();
        assert!(err.0.contains("SHOPAUDIT_TEST_UNSET_VAR"), "{}", err.0);
        assert_eq!(CheckoutConfig::secret(None, "x").unwrap(), None);
    }

    #[test]
    fn defaults_match_the_documented_limits() {
        let c = Config::parse("", Path::new("s.toml")).unwrap();
        assert_eq!(c.crawl.max_pages, 200);
        assert_eq!(c.crawl.concurrency, 8);
        assert!(c.crawl.respect_robots);
    }
}
