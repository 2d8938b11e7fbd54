//! Command-line interface. `main.rs` only calls [`main`].

use crate::config::{Config, FailOn, Scope};
use crate::error::{exit_for, one_line, Exit, UsageError};
use crate::report::{self, Report};
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "shopaudit",
    version,
    about = "Audits an online store the way an unforgiving customer experiences it",
    after_help = "Exit codes: 0 gate passed, 1 gate failed (findings), 2 usage or config error, 3 the audit could not run."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Crawl a store, drive its flows in a browser, and score it.
    Audit(AuditArgs),
    /// Re-score saved artifacts offline (from `audit --save-artifacts DIR`).
    Report(ReportArgs),
    /// List the checks.
    Checks,
    /// Print the documentation of one check.
    Explain {
        /// Check id, e.g. hidden-phone-number.
        id: String,
    },
    /// Compare two JSON reports; exit 1 when the store got worse.
    Diff {
        /// The earlier JSON report.
        old: PathBuf,
        /// The later JSON report.
        new: PathBuf,
        /// Score points the new report may lose before the diff fails.
        #[arg(long, value_name = "N", default_value_t = 0.0)]
        max_drop: f64,
    },
    /// Print the JSON Schema of the JSON report.
    Schema,
    /// Write a commented shopaudit.toml with the defaults.
    Init {
        /// Where to write it.
        #[arg(default_value = crate::config::DEFAULT_CONFIG_FILE)]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command with --dir.
    Man {
        /// Write shopaudit.1, shopaudit-audit.1, ... into DIR.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Audit the bundled good and bad fixture stores side by side (no network needed).
    Demo(crate::demo::DemoArgs),
    /// Serve one bundled fixture store (good, bad, fault-...) on 127.0.0.1 until Ctrl-C.
    ServeFixture {
        /// Store variant, e.g. good or bad.
        variant: String,
        /// Port to listen on (default: a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The store's start URL (home page, or a language folder such as https://shop.example/es/).
    pub url: String,
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub crawl: CrawlArgs,
    /// Static checks only: do not start a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Chromium executable (default: chromium, chromium-browser or google-chrome on PATH).
    #[arg(long, value_name = "PATH")]
    pub browser: Option<PathBuf>,
    /// DevTools websocket of a running browser, instead of launching one.
    #[arg(long, value_name = "URL")]
    pub browser_ws: Option<String>,
    /// Allow the checkout flow to place real orders (with the test payment details from the config).
    #[arg(long)]
    pub place_orders: bool,
    /// Save the gathered artifacts (JSON, screenshots) into DIR, for `shopaudit report --from-artifacts`.
    #[arg(long, value_name = "DIR")]
    pub save_artifacts: Option<PathBuf>,
    /// Overwrite a non-empty --save-artifacts folder.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Folder (or artifacts.json file) saved by `audit --save-artifacts`.
    #[arg(long, value_name = "DIR")]
    pub from_artifacts: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Chromium executable for --format pdf (default: chromium, chromium-browser or google-chrome on PATH).
    #[arg(long, value_name = "PATH")]
    pub browser: Option<PathBuf>,
}

/// Flags shared by `audit` and `report`: output, config and gate.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Output format(s), comma-separated: table, json, html, markdown, junit, sarif, pdf.
    #[arg(long, short = 'f', value_delimiter = ',', value_name = "FORMAT")]
    pub format: Vec<String>,
    /// Write the (single) report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write one file per format into DIR.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Config file (default: ./shopaudit.toml when present).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Fail the gate when the overall score (0-100) is below N.
    #[arg(long, value_name = "N")]
    pub fail_under: Option<f64>,
    /// Which check status fails the gate.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// No progress output; only errors on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Heading of the HTML, PDF and Markdown reports.
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Client named in the HTML/PDF report header.
    #[arg(long, value_name = "NAME")]
    pub client: Option<String>,
    /// Auditor named in the HTML/PDF report header.
    #[arg(long, value_name = "NAME")]
    pub auditor: Option<String>,
}

#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// Pages to fetch at most.
    #[arg(long, value_name = "N")]
    pub max_pages: Option<u32>,
    /// Link hops from the start URL at most.
    #[arg(long, value_name = "N")]
    pub max_depth: Option<u32>,
    /// Requests in flight at once.
    #[arg(long, value_name = "N")]
    pub concurrency: Option<u32>,
    /// Seconds one request may take.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Bytes read per response at most.
    #[arg(long, value_name = "BYTES")]
    pub max_bytes: Option<u64>,
    /// Redirects followed per request at most.
    #[arg(long, value_name = "N")]
    pub max_redirects: Option<u32>,
    /// folder: stay below the start URL's folder; host: the whole host.
    #[arg(long, value_enum)]
    pub scope: Option<Scope>,
    /// Do not obey robots.txt (only for your own store).
    #[arg(long)]
    pub ignore_robots: bool,
    /// Requests per second per host at most.
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<f64>,
}

impl CommonArgs {
    fn apply(&self, config: &mut Config) {
        if !self.format.is_empty() {
            config.output.formats = self.format.clone();
        }
        if self.output.is_some() {
            config.output.output = self.output.clone();
        }
        if self.output_dir.is_some() {
            config.output.output_dir = self.output_dir.clone();
        }
        if self.fail_under.is_some() {
            config.gate.fail_under = self.fail_under;
        }
        if let Some(f) = self.fail_on {
            config.gate.fail_on = f;
        }
        if self.quiet {
            config.output.quiet = true;
        }
        for (flag, key) in [
            (&self.title, &mut config.output.title),
            (&self.client, &mut config.output.client),
            (&self.auditor, &mut config.output.auditor),
        ] {
            if flag.is_some() {
                key.clone_from(flag);
            }
        }
    }
}

impl CrawlArgs {
    fn apply(&self, config: &mut Config) {
        let c = &mut config.crawl;
        if let Some(v) = self.max_pages {
            c.max_pages = v;
        }
        if let Some(v) = self.max_depth {
            c.max_depth = v;
        }
        if let Some(v) = self.concurrency {
            c.concurrency = v;
        }
        if let Some(v) = self.timeout {
            c.timeout_secs = v;
        }
        if let Some(v) = self.max_bytes {
            c.max_bytes = v;
        }
        if let Some(v) = self.max_redirects {
            c.max_redirects = v;
        }
        if let Some(v) = self.scope {
            c.scope = v;
        }
        if self.ignore_robots {
            c.respect_robots = false;
        }
        if let Some(v) = self.rate_limit {
            c.rate_limit = v;
        }
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Usage as u8 } else { 0 });
        }
    };
    match run(cli) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(err) => {
            eprintln!("error: {}", one_line(&err));
            ExitCode::from(exit_for(&err) as u8)
        }
    }
}

pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Audit(args) => audit(args),
        Command::Report(args) => report_from_artifacts(args),
        Command::Demo(args) => crate::demo::demo(args),
        Command::ServeFixture { variant, port } => crate::demo::serve_fixture(&variant, port),
        Command::Checks => {
            print!("{}", checks_listing());
            Ok(Exit::Passed)
        }
        Command::Explain { id } => {
            let check = crate::checks::find(&id)
                .ok_or_else(|| UsageError(format!("no check `{id}` (see `shopaudit checks`)")))?;
            let doc = &check.doc;
            println!(
                "{} — {}\ncategory: {}   weight: {}\n",
                doc.id, doc.title, doc.category, doc.weight
            );
            if !doc.thresholds.is_empty() {
                let t: Vec<String> = doc
                    .thresholds
                    .iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect();
                println!("thresholds: {}\n", t.join(", "));
            }
            println!("{}", doc.body);
            Ok(Exit::Passed)
        }
        Command::Diff { old, new, max_drop } => crate::commands::diff::run(&old, &new, max_drop),
        Command::Schema => {
            print!("{}", crate::commands::schema::report_schema());
            Ok(Exit::Passed)
        }
        Command::Init { path, force } => crate::commands::init::run(&path, force),
        Command::Completions { shell } => {
            crate::commands::completions::write(shell, &mut std::io::stdout());
            Ok(Exit::Passed)
        }
        Command::Man { dir: None } => {
            crate::commands::man::write(&mut std::io::stdout())?;
            Ok(Exit::Passed)
        }
        Command::Man { dir: Some(dir) } => {
            for path in crate::commands::man::write_dir(&dir)? {
                eprintln!("wrote {}", path.display());
            }
            Ok(Exit::Passed)
        }
    }
}

pub fn checks_listing() -> String {
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(vec!["Check", "Category", "Weight", "What it checks"]);
    for check in crate::checks::registry() {
        table.add_row(vec![
            check.doc.id.clone(),
            check.doc.category.clone(),
            format!("{}", check.doc.weight),
            check.doc.title.clone(),
        ]);
    }
    format!("{table}\n")
}

fn load_config(common: &CommonArgs) -> anyhow::Result<Config> {
    let mut config = Config::load(common.config.as_deref())?;
    common.apply(&mut config);
    if let Some(f) = config.gate.fail_under {
        if !(0.0..=100.0).contains(&f) {
            return Err(UsageError("--fail-under must be between 0 and 100".into()).into());
        }
    }
    Ok(config)
}

fn audit(args: AuditArgs) -> anyhow::Result<Exit> {
    let mut config = load_config(&args.common)?;
    args.crawl.apply(&mut config);
    if args.no_browser {
        config.browser.enabled = false;
    }
    if args.browser.is_some() {
        config.browser.path = args.browser.clone();
    }
    if args.browser_ws.is_some() {
        config.browser.ws_url = args.browser_ws.clone();
    }
    if args.place_orders {
        config.checkout.place_orders = true;
    }
    if args.save_artifacts.is_some() {
        config.output.save_artifacts = args.save_artifacts.clone();
    }
    // Screenshots go where the artifacts are saved (else next to the reports, else a temporary
    // folder); the reports resolve the evidence's screenshot paths against the same folder.
    config.browser.artifacts_dir = Some(crate::gather::browser::screenshot_dir(&config));
    config.validate()?;
    let formats = report::parse_formats(&config.output)?;
    let start = crate::audit::parse_start_url(&args.url)?;
    if let Some(dir) = &config.output.save_artifacts {
        ensure_writable_artifacts_dir(dir, args.force)?;
    }

    let progress = progress_bar(config.output.quiet);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let started = std::time::Instant::now();
    let artifacts = crate::audit::gather_on_workers(&runtime, &start, &config, &progress)?;
    progress.finish_and_clear();
    if let Some(dir) = &config.output.save_artifacts {
        artifacts.save(dir)?;
    }
    let report = report::build(&artifacts, &config, started.elapsed().as_millis() as u64);
    let artifacts_dir = config.browser.artifacts_dir.clone();
    emit(&report, &config, &formats, artifacts_dir)
}

fn report_from_artifacts(args: ReportArgs) -> anyhow::Result<Exit> {
    let mut config = load_config(&args.common)?;
    if args.browser.is_some() {
        config.browser.path = args.browser.clone();
    }
    config.validate()?;
    let formats = report::parse_formats(&config.output)?;
    let artifacts = crate::artifacts::Artifacts::load(&args.from_artifacts)?;
    let duration = artifacts
        .crawl
        .collected()
        .map(|c| c.stats.duration_ms)
        .unwrap_or(0);
    let report = report::build(&artifacts, &config, duration);
    // Screenshot paths in the evidence are relative to the artifacts folder.
    let artifacts_dir = if args.from_artifacts.is_dir() {
        Some(args.from_artifacts.clone())
    } else {
        args.from_artifacts.parent().map(Path::to_path_buf)
    };
    emit(&report, &config, &formats, artifacts_dir)
}

fn emit(
    report: &Report,
    config: &Config,
    formats: &[report::Format],
    artifacts_dir: Option<PathBuf>,
) -> anyhow::Result<Exit> {
    let style = report::table::TableStyle {
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        width: terminal_width(),
    };
    let options = report::RenderOptions::for_run(config, style, artifacts_dir);
    report::write_outputs(report, formats, &config.output, &options)?;
    Ok(if report.gate.passed {
        Exit::Passed
    } else {
        Exit::GateFailed
    })
}

fn terminal_width() -> Option<u16> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or(Some(120))
}

fn progress_bar(quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos} pages  {wide_msg}")
            .expect("static template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// Artifacts a user saved are not overwritten without `--force`.
fn ensure_writable_artifacts_dir(dir: &Path, force: bool) -> anyhow::Result<()> {
    if force {
        return Ok(());
    }
    if let Ok(mut entries) = std::fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(UsageError(format!(
                "{} is not empty; pass --force to overwrite the artifacts saved there",
                dir.display()
            ))
            .into());
        }
    }
    Ok(())
}
