//! `--format pdf`: the HTML report printed by Chromium (print-to-PDF, print stylesheet).

use super::{RenderOptions, Report};
use crate::error::CouldNotRun;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The configured browser, else the first Chromium on PATH (the browser gatherer's lookup).
pub fn find_chromium(configured: Option<&Path>) -> anyhow::Result<PathBuf> {
    crate::gather::browser::chromium::find_executable(configured).ok_or_else(|| {
        match configured {
            Some(path) => CouldNotRun(format!("browser {} does not exist", path.display())),
            None => CouldNotRun(
                "--format pdf needs Chromium: none of chromium, chromium-browser, google-chrome is on PATH (install chromium or pass --browser PATH)".into(),
            ),
        }
        .into()
    })
}

/// Launch options that work for Debian's Chromium, also as root (see STACK.md).
pub fn launch_options(
    chromium: &Path,
    profile: &Path,
) -> anyhow::Result<headless_chrome::LaunchOptions<'static>> {
    headless_chrome::LaunchOptions::default_builder()
        .path(Some(chromium.to_path_buf()))
        .headless(true)
        .sandbox(false)
        .user_data_dir(Some(profile.to_path_buf()))
        .window_size(Some((1280, 900)))
        .idle_browser_timeout(Duration::from_secs(120))
        .args(
            [
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ]
            .iter()
            .map(std::ffi::OsStr::new)
            .collect(),
        )
        .build()
        .map_err(|e| anyhow::anyhow!("invalid browser options: {e}"))
}

pub fn render(report: &Report, options: &RenderOptions) -> anyhow::Result<Vec<u8>> {
    let html = super::html::render(report, options)?;
    let chromium = find_chromium(options.browser.as_deref())?;
    let work = tempfile::tempdir().context("cannot create a temporary folder")?;
    let page = work.path().join("report.html");
    std::fs::write(&page, html).with_context(|| format!("cannot write {}", page.display()))?;
    let profile = work.path().join("profile");
    let browser = headless_chrome::Browser::new(launch_options(&chromium, &profile)?)
        .map_err(|e| CouldNotRun(format!("cannot start {}: {e}", chromium.display())))?;
    let tab = browser
        .new_tab()
        .map_err(|e| CouldNotRun(format!("cannot open a browser tab: {e}")))?;
    let url = url::Url::from_file_path(&page)
        .map_err(|_| anyhow::anyhow!("cannot make a file URL of {}", page.display()))?;
    tab.navigate_to(url.as_str())
        .and_then(|t| t.wait_until_navigated())
        .map_err(|e| CouldNotRun(format!("cannot load the HTML report in Chromium: {e}")))?;
    let pdf = tab
        .print_to_pdf(Some(headless_chrome::types::PrintToPdfOptions {
            print_background: Some(true),
            prefer_css_page_size: Some(true),
            ..Default::default()
        }))
        .map_err(|e| CouldNotRun(format!("Chromium could not print the report: {e}")))?;
    Ok(pdf)
}
