//! Integration tests: one binary, modules share the helpers in `common`.

mod common;
mod faults;
mod fuzz;
mod registry;
