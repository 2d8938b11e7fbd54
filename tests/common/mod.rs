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

/// An HTTP client for talking to fixture servers: no redirects followed, so tests see them.
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("an HTTP client builds")
}
