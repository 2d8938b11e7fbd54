//! `shopaudit man`: roff man pages generated from the clap definition.

use anyhow::Context;
use clap::CommandFactory;
use std::path::{Path, PathBuf};

/// The top-level page, to standard output.
pub fn write(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let command = crate::cli::Cli::command();
    clap_mangen::Man::new(command).render(out)
}

/// One page per command into `dir`: shopaudit.1, shopaudit-audit.1, ... Returns the files.
pub fn write_dir(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut command = crate::cli::Cli::command();
    command.build();
    let mut written = Vec::new();
    let mut pages = vec![command.clone()];
    // After `build`, subcommands carry their display name (shopaudit-audit) and bin name.
    pages.extend(
        command
            .get_subcommands()
            .filter(|sub| sub.get_name() != "help")
            .cloned(),
    );
    for page in pages {
        let name = page
            .get_display_name()
            .unwrap_or_else(|| page.get_name())
            .to_string();
        let path = dir.join(format!("{name}.1"));
        let mut roff = Vec::new();
        clap_mangen::Man::new(page).render(&mut roff)?;
        std::fs::write(&path, roff).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
