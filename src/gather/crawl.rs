//! The HTTP crawler: tokio + reqwest (rustls) + scraper, from the start URL and sitemap.xml,
//! within scope, obeying robots.txt and the configured limits.

use crate::artifacts::SiteCrawl;
use crate::config::CrawlConfig;
use crate::error::CouldNotRun;
use indicatif::ProgressBar;
use url::Url;

/// Crawls the store. Fails (exit 3) only when the start URL gives no answer at all; every other
/// problem is recorded in the pages and warnings and the crawl goes on.
pub async fn crawl(
    start: &Url,
    config: &CrawlConfig,
    progress: &ProgressBar,
) -> Result<SiteCrawl, CouldNotRun> {
    let _ = (start, config, progress);
    Err(CouldNotRun("the crawler is not built yet".into()))
}
