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
