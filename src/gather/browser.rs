//! Browser flows through headless Chromium: registration, checkout, post-purchase.

use crate::artifacts::{BrowserFlows, Gathered, SiteCrawl};
use crate::config::Config;
use url::Url;

pub async fn run(
    start: &Url,
    config: &Config,
    crawl: Option<&SiteCrawl>,
) -> Gathered<BrowserFlows> {
    let _ = (start, crawl);
    if !config.browser.enabled {
        return Gathered::Skipped {
            reason: "browser flows turned off (--no-browser)".into(),
        };
    }
    Gathered::Skipped {
        reason: "browser flows are not part of this build yet".into(),
    }
}
