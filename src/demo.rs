//! `shopaudit serve-fixture` and `shopaudit demo`: the bundled storefronts, served on loopback.

use crate::error::{Exit, UsageError};
use anyhow::Context;
use std::io::IsTerminal;

/// `shopaudit serve-fixture VARIANT [--port N]`: serves one storefront until Ctrl-C.
pub fn serve_fixture(variant: &str, port: u16) -> anyhow::Result<Exit> {
    if crate::fixture::store::embedded(variant).is_none() {
        return Err(UsageError(format!(
            "no fixture store `{variant}` (known: {})",
            crate::fixture::store::variant_names().join(", ")
        ))
        .into());
    }
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let (server, handle) = crate::fixture::store::start(variant, port).await?;
        println!("Serving the `{variant}` fixture store at {}", server.url());
        println!(
            "Test card: 4242 4242 4242 4242 (declined: 4000 0000 0000 0002). Orders placed: {}__fixture/orders",
            server.url()
        );
        println!("Press Ctrl-C to stop.");
        tokio::signal::ctrl_c()
            .await
            .context("cannot listen for Ctrl-C")?;
        let orders = handle.orders_placed();
        server.stop().await;
        eprintln!("Stopped ({orders} order(s) placed).");
        Ok(Exit::Passed)
    })
}

/// The stores `shopaudit demo` audits, side by side.
const DEMO_STORES: [&str; 2] = ["good", "bad"];
/// The reason the browser gatherer gives when no Chromium could be found.
pub const CHROMIUM_MISSING: &str = "Chromium not found";
/// Environment variable the demo puts the public test card number in (the config names
/// variables, never values).
const DEMO_CARD_ENV: &str = "SHOPAUDIT_DEMO_CARD_NUMBER";
const DEMO_CVC_ENV: &str = "SHOPAUDIT_DEMO_CARD_CVC";

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Folder the reports are written to (one subfolder per store).
    #[arg(long, value_name = "DIR", default_value = "shopaudit-demo")]
    pub output_dir: std::path::PathBuf,
    /// Chromium executable (default: chromium, chromium-browser or google-chrome on PATH).
    #[arg(long, value_name = "PATH")]
    pub browser: Option<std::path::PathBuf>,
    /// Static checks only: do not start a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// No progress output.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// One audited demo store.
struct DemoRun {
    variant: &'static str,
    report: crate::report::Report,
    /// Why the browser flows failed, when they did.
    browser_failure: Option<String>,
    expected: std::collections::BTreeMap<String, String>,
    orders_placed: usize,
}

/// `shopaudit demo`: serves the bundled good and bad stores on loopback, audits both with the
/// full pipeline, prints them side by side and writes the reports.
pub fn demo(args: DemoArgs) -> anyhow::Result<Exit> {
    let config = demo_config(&args);
    // Set before the runtime starts any thread. The numbers are the public test cards every
    // fixture store accepts, not secrets.
    std::env::set_var(DEMO_CARD_ENV, crate::fixture::store::TEST_CARD_OK);
    std::env::set_var(DEMO_CVC_ENV, "123");
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let runs = runtime.block_on(async {
        let mut runs = Vec::new();
        for variant in DEMO_STORES {
            let mut config = config.clone();
            config.browser.artifacts_dir = Some(screenshots_dir(&args.output_dir, variant));
            runs.push(audit_store(variant, &config, args.quiet).await?);
        }
        anyhow::Ok(runs)
    })?;
    let written = write_reports(&runs, &args.output_dir)?;
    print!("{}", side_by_side(&runs, color_wanted()));
    println!();
    for run in &runs {
        println!(
            "{} store: {} test order(s) placed (the demo opts in to placing orders on its own fixture stores only).",
            run.variant, run.orders_placed
        );
    }
    let shown = std::fs::canonicalize(&args.output_dir).unwrap_or(args.output_dir.clone());
    println!(
        "Reports written to {} ({}).",
        shown.display(),
        written.join(", ")
    );
    println!("\n{}", closing_message(&runs, args.no_browser));
    Ok(Exit::Passed)
}

/// The last words of the demo: a distinct one when the browser checks could not run for want
/// of Chromium.
fn closing_message(runs: &[DemoRun], no_browser: bool) -> String {
    let chromium_missing = runs.iter().any(|run| {
        run.browser_failure
            .as_deref()
            .is_some_and(|why| why.contains(CHROMIUM_MISSING))
    });
    if chromium_missing {
        format!(
            "The browser checks could not run: {CHROMIUM_MISSING}: install it with `apt-get install chromium` or pass --browser PATH.\nThe static checks above ran in full; run the demo again once Chromium is installed to see registration, checkout and post-purchase judged too."
        )
    } else if no_browser {
        "Browser checks were skipped (--no-browser).".into()
    } else {
        "Done: the good store should pass every check, the bad store fail most of them.".into()
    }
}

fn failure_reason<T>(gathered: &crate::artifacts::Gathered<T>) -> Option<String> {
    match gathered {
        crate::artifacts::Gathered::Failed { reason } => Some(reason.clone()),
        _ => None,
    }
}

fn demo_config(args: &DemoArgs) -> crate::config::Config {
    let mut config = crate::config::Config::default();
    config.browser.enabled = !args.no_browser;
    config.browser.path = args.browser.clone();
    config.checkout.place_orders = true;
    config.checkout.card_number_env = Some(DEMO_CARD_ENV.into());
    config.checkout.card_cvc_env = Some(DEMO_CVC_ENV.into());
    config.checkout.card_expiry = Some("12/34".into());
    config
}

async fn audit_store(
    variant: &'static str,
    config: &crate::config::Config,
    quiet: bool,
) -> anyhow::Result<DemoRun> {
    let (server, handle) = crate::fixture::store::start(variant, 0).await?;
    let start = crate::audit::parse_start_url(&server.url())?;
    let progress = if quiet || !std::io::stderr().is_terminal() {
        indicatif::ProgressBar::hidden()
    } else {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(format!("auditing the {variant} store at {start}"));
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    };
    let started = std::time::Instant::now();
    let artifacts = crate::audit::gather(&start, config, &progress).await;
    progress.finish_and_clear();
    let artifacts =
        artifacts.with_context(|| format!("the demo could not audit the {variant} store"))?;
    let report = crate::report::build(&artifacts, config, started.elapsed().as_millis() as u64);
    let orders_placed = handle.orders_placed();
    server.stop().await;
    Ok(DemoRun {
        variant,
        report,
        browser_failure: failure_reason(&artifacts.browser),
        expected: expected_verdicts(variant)?,
        orders_placed,
    })
}

/// The verdicts a variant's `expected.toml` (embedded) promises, by check id.
pub fn expected_verdicts(
    variant: &str,
) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    let embedded = crate::fixture::store::embedded(variant)
        .with_context(|| format!("no fixture store `{variant}`"))?;
    let table: toml::Table = embedded
        .expected_toml
        .parse()
        .with_context(|| format!("fixtures/stores/{variant}/expected.toml"))?;
    let checks = table
        .get("checks")
        .and_then(|c| c.as_table())
        .with_context(|| format!("fixtures/stores/{variant}/expected.toml has no [checks]"))?;
    Ok(checks
        .iter()
        .filter_map(|(id, v)| Some((id.clone(), v.as_str()?.to_string())))
        .collect())
}

/// Where a demo store's screenshots go; the HTML report embeds them from there.
fn screenshots_dir(output_dir: &std::path::Path, variant: &str) -> std::path::PathBuf {
    output_dir.join(variant).join("artifacts")
}

/// Writes `<dir>/<variant>/report.json`, `report.txt` and `report.html`; returns the paths
/// written.
fn write_reports(runs: &[DemoRun], dir: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let mut written = Vec::new();
    for run in runs {
        let options = crate::report::RenderOptions::for_run(
            &crate::config::Config::default(),
            crate::report::table::TableStyle {
                color: false,
                width: None,
            },
            Some(screenshots_dir(dir, run.variant)),
        );
        let folder = dir.join(run.variant);
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        for format in [
            crate::report::Format::Json,
            crate::report::Format::Table,
            crate::report::Format::Html,
        ] {
            let path = folder.join(format.file_name());
            std::fs::write(&path, crate::report::render(&run.report, format, &options)?)
                .with_context(|| format!("cannot write {}", path.display()))?;
            written.push(format!("{}/{}", run.variant, format.file_name()));
        }
    }
    let summary = dir.join("summary.txt");
    std::fs::write(&summary, side_by_side(runs, false))
        .with_context(|| format!("cannot write {}", summary.display()))?;
    written.push("summary.txt".into());
    Ok(written)
}

fn color_wanted() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// The comparison table: one row per check with each store's status (and the expected verdict
/// when the audit disagrees with the store's `expected.toml`), then the scores.
fn side_by_side(runs: &[DemoRun], color: bool) -> String {
    use comfy_table::{presets, Cell, Color};
    let mut table = comfy_table::Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED);
    if !color {
        table.force_no_tty();
    }
    let mut header = vec![Cell::new("Check")];
    header.extend(
        runs.iter()
            .map(|r| Cell::new(format!("{} store", r.variant))),
    );
    table.set_header(header);
    let ids: Vec<&str> = runs
        .first()
        .map(|r| r.report.checks.iter().map(|c| c.id.as_str()).collect())
        .unwrap_or_default();
    for id in ids {
        let mut row = vec![Cell::new(id)];
        for run in runs {
            let Some(check) = run.report.checks.iter().find(|c| c.id == id) else {
                row.push(Cell::new("–"));
                continue;
            };
            let status = check.status.as_str();
            let mut text = status.to_string();
            let judged = matches!(
                check.status,
                crate::checks::Status::Pass
                    | crate::checks::Status::Warn
                    | crate::checks::Status::Fail
            );
            if let Some(expected) = run
                .expected
                .get(id)
                .filter(|e| judged && e.as_str() != status)
            {
                text.push_str(&format!(" (expected {expected})"));
            }
            let mut cell = Cell::new(text);
            if color {
                cell = cell.fg(match check.status {
                    crate::checks::Status::Pass => Color::Green,
                    crate::checks::Status::Warn => Color::Yellow,
                    crate::checks::Status::Fail => Color::Red,
                    crate::checks::Status::Error => Color::Magenta,
                    crate::checks::Status::NotApplicable => Color::DarkGrey,
                });
            }
            row.push(cell);
        }
        table.add_row(row);
    }
    let score = |s: Option<f64>| s.map(|s| format!("{s:.0}")).unwrap_or_else(|| "n/a".into());
    let categories: Vec<(String, String)> = crate::scoring::categories()
        .iter()
        .map(|c| (c.id.clone(), c.title.clone()))
        .collect();
    for (id, title) in categories {
        let mut row = vec![Cell::new(format!("{title} score"))];
        for run in runs {
            let s = run
                .report
                .categories
                .iter()
                .find(|c| c.id == id)
                .and_then(|c| c.score);
            row.push(Cell::new(score(s)));
        }
        table.add_row(row);
    }
    let mut row = vec![Cell::new("Overall score (0-100)")];
    row.extend(runs.iter().map(|r| Cell::new(score(r.report.score))));
    table.add_row(row);
    let urls: Vec<String> = runs
        .iter()
        .map(|r| format!("{}: {}", r.variant, r.report.target))
        .collect();
    format!(
        "shopaudit demo: the bundled {} stores ({})\n{table}\n",
        DEMO_STORES.join(" and "),
        urls.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::{Artifacts, Gathered, RunMeta, SiteCrawl, ARTIFACTS_VERSION};

    /// A run over a home page without any contact details.
    fn run_with_browser(browser: Gathered<crate::artifacts::BrowserFlows>) -> DemoRun {
        let home = crate::artifacts::Page {
            status: Some(200),
            content_type: Some("text/html".into()),
            bytes: 100,
            content: Some(crate::artifacts::PageContent {
                text: "Welcome to our shop".into(),
                ..Default::default()
            }),
            ..crate::artifacts::Page::requested(
                "http://127.0.0.1:1/",
                crate::artifacts::Discovery::Start,
                0,
            )
        };
        let crawl = SiteCrawl {
            start_url: home.url.clone(),
            scope_prefix: home.url.clone(),
            pages: vec![home],
            ..Default::default()
        };
        let browser_failure = failure_reason(&browser);
        let artifacts = Artifacts {
            artifacts_version: ARTIFACTS_VERSION,
            meta: RunMeta {
                target: "http://127.0.0.1:1/".into(),
                started_at: chrono::Utc::now(),
                tool_version: "test".into(),
            },
            crawl: Gathered::Collected { data: crawl },
            browser,
            warnings: Vec::new(),
        };
        let config = crate::config::Config::default();
        DemoRun {
            variant: "good",
            report: crate::report::build(&artifacts, &config, 0),
            browser_failure,
            expected: expected_verdicts("good").unwrap(),
            orders_placed: 0,
        }
    }

    #[test]
    fn a_missing_chromium_gets_its_own_closing_message() {
        let missing = run_with_browser(Gathered::Failed {
            reason: format!(
                "{CHROMIUM_MISSING}: install it with `apt-get install chromium` or pass --browser PATH"
            ),
        });
        let message = closing_message(&[missing], false);
        assert!(message.starts_with("The browser checks could not run: Chromium not found: install it with `apt-get install chromium` or pass --browser PATH."), "{message}");

        let skipped = run_with_browser(Gathered::Skipped {
            reason: "browser flows turned off (--no-browser)".into(),
        });
        assert_eq!(
            closing_message(&[skipped], true),
            "Browser checks were skipped (--no-browser)."
        );
    }

    #[test]
    fn the_side_by_side_table_flags_a_verdict_that_disagrees_with_expected_toml() {
        let run = run_with_browser(Gathered::Skipped {
            reason: "off".into(),
        });
        // A home page without a phone number: not what the good store's expected.toml says.
        let table = side_by_side(&[run], false);
        let phone_row = table
            .lines()
            .find(|l| l.contains("hidden-phone-number"))
            .unwrap();
        assert!(phone_row.contains("fail (expected pass)"), "{table}");
        assert!(table.contains("Overall score (0-100)"), "{table}");
    }
}
