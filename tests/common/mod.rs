//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the real `shopaudit` binary with `args`, no colour, not on a terminal.
pub fn shopaudit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shopaudit"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CI_FORCE_COLOR")
        .output()
        .expect("the shopaudit binary runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// An HTTP client for tests against loopback servers: a cookie jar, no automatic redirects
/// (tests look at each 303), no proxy.
pub fn http_client() -> reqwest::Client {
    shopaudit::gather::fetch::install_crypto_provider();
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("the HTTP client builds")
}

/// Runs the real `shopaudit` binary in `cwd`.
pub fn shopaudit_in(cwd: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shopaudit"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("CI_FORCE_COLOR")
        .output()
        .expect("the shopaudit binary runs")
}
