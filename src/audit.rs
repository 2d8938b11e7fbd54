//! One audit of one store: gather the artifacts, then build the report from them.

use crate::artifacts::{Artifacts, Gathered, RunMeta, ARTIFACTS_VERSION};
use crate::config::Config;
use crate::error::CouldNotRun;
use indicatif::ProgressBar;
use url::Url;

/// Gathers everything the checks need. Fails only when nothing at all could be gathered
/// (the store does not answer).
pub async fn gather(
    start: &Url,
    config: &Config,
    progress: &ProgressBar,
) -> Result<Artifacts, CouldNotRun> {
    let started_at = chrono::Utc::now();
    // The checks' one-time set-up runs beside the crawl, not in the serial tail after it.
    std::thread::spawn(crate::checks::detect::phone::load_metadata);
    let crawl = crate::gather::crawl::crawl(start, &config.crawl, progress).await?;
    let browser = crate::gather::browser::run(start, config, Some(&crawl)).await;
    Ok(Artifacts {
        artifacts_version: ARTIFACTS_VERSION,
        meta: RunMeta {
            target: start.to_string(),
            started_at,
            tool_version: env!("CARGO_PKG_VERSION").into(),
        },
        crawl: Gathered::Collected { data: crawl },
        browser,
        warnings: Vec::new(),
    })
}

/// [`gather`] run to its end on `runtime`'s worker threads, not on the thread that waits for
/// it: the crawl loop then takes turns with the fetches it starts on the workers, instead of
/// being one thread more than a 2-core machine has cores (a 10,000-page crawl took a tenth
/// less wall time and CPU, the difference being the kernel switching threads).
pub fn gather_on_workers(
    runtime: &tokio::runtime::Runtime,
    start: &Url,
    config: &Config,
    progress: &ProgressBar,
) -> Result<Artifacts, CouldNotRun> {
    let (start, config, progress) = (start.clone(), config.clone(), progress.clone());
    let task = runtime.spawn(async move { gather(&start, &config, &progress).await });
    runtime
        .block_on(task)
        .unwrap_or_else(|failed| match failed.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(failed) => unreachable!("the runtime outlives the task: {failed}"),
        })
}

/// Parses and checks a start URL given on the command line.
pub fn parse_start_url(input: &str) -> Result<Url, crate::error::UsageError> {
    let url = Url::parse(input).map_err(|e| {
        crate::error::UsageError(format!(
            "`{input}` is not a valid URL ({e}); give a full address like https://shop.example/"
        ))
    })?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(crate::error::UsageError(format!(
                "`{input}` uses the `{other}` scheme; shopaudit audits http:// and https:// stores"
            )))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(crate::error::UsageError(format!("`{input}` has no host")));
    }
    let mut url = url;
    url.set_fragment(None);
    Ok(url)
}
