//! `shopaudit man`: a roff man page generated from the clap definition.

use clap::CommandFactory;

pub fn write(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let command = crate::cli::Cli::command();
    clap_mangen::Man::new(command).render(out)
}
