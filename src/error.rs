//! Errors that decide the exit code. Everything else is an `anyhow` chain printed on one line.

use std::fmt;

/// Exit codes, as documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The gate passed.
    Passed = 0,
    /// The gate failed (findings).
    GateFailed = 1,
    /// Usage or config error.
    Usage = 2,
    /// The audit could not run (store unreachable, browser crashed before any result).
    CouldNotRun = 3,
}

/// A mistake in the command line or config file (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for UsageError {}

/// The audit could not produce any result (exit 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouldNotRun(pub String);

impl fmt::Display for CouldNotRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for CouldNotRun {}

/// The exit code an error chain maps to.
pub fn exit_for(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if cause.is::<UsageError>() {
            return Exit::Usage;
        }
        if cause.is::<CouldNotRun>() {
            return Exit::CouldNotRun;
        }
    }
    Exit::CouldNotRun
}

/// `error: a: b: c` on one line, as ripgrep prints chains.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for (i, cause) in err.chain().enumerate() {
        if i > 0 {
            out.push_str(": ");
        }
        out.push_str(&cause.to_string());
    }
    out
}
