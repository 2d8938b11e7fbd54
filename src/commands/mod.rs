//! Commands besides `audit`/`report`, one module each; `cli.rs` only dispatches to them.

pub mod completions;
pub mod diff;
pub mod init;
pub mod man;
pub mod schema;
