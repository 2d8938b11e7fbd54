//! `shopaudit completions SHELL`: completion scripts generated from the clap definition.

use clap::CommandFactory;

pub fn write(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    let mut command = crate::cli::Cli::command();
    clap_complete::generate(shell, &mut command, "shopaudit", out);
}
