//! Broken, slow and hostile stores: every run finishes in a bound derived from the limits,
//! reports what went wrong, keeps memory bounded and still audits the healthy pages.

mod server;

use server::{FaultServer, RobotsMode};
use shopaudit::artifacts::{Page, SiteCrawl};
use shopaudit::config::Config;
use shopaudit::report::Report;
use std::time::{Duration, Instant};

const TIMEOUT_SECS: f64 = 2.0;
const RETRIES: u32 = 1;
const MAX_BYTES: u64 = 1024 * 1024;

fn fault_config() -> Config {
    let mut config = Config::default();
    config.browser.enabled = false;
    config.crawl.timeout_secs = TIMEOUT_SECS;
    config.crawl.retries = RETRIES;
    config.crawl.max_bytes = MAX_BYTES;
    config.crawl.max_pages = 60;
    config.crawl.concurrency = 4;
    config
}

/// The longest a crawl of a handful of pages may take: every request may use its whole
/// timeout on each try, with a wait of at most a few seconds between tries, plus start-up slack.
fn time_bound(config: &Config, requests: u32) -> Duration {
    let per_request = config.crawl.timeout_secs * f64::from(config.crawl.retries + 1) + 5.0;
    Duration::from_secs_f64(per_request * f64::from(requests) + 20.0)
}

struct Audited {
    crawl: SiteCrawl,
    report: Report,
    elapsed: Duration,
    server: FaultServer,
}

async fn audit(routes: &[&str], robots: RobotsMode, config: Config) -> Audited {
    let server = FaultServer::start(robots, routes).await;
    let start = url::Url::parse(&server.url("/")).unwrap();
    let began = Instant::now();
    let artifacts = tokio::time::timeout(
        time_bound(&config, 8),
        shopaudit::audit::gather(&start, &config, &indicatif::ProgressBar::hidden()),
    )
    .await
    .unwrap_or_else(|_| panic!("the audit of {routes:?} did not finish in time"))
    .expect("the store answers, so the audit runs");
    let elapsed = began.elapsed();
    let report = shopaudit::report::build(&artifacts, &config, elapsed.as_millis() as u64);
    let crawl = artifacts
        .crawl
        .collected()
        .expect("crawl collected")
        .clone();
    Audited {
        crawl,
        report,
        elapsed,
        server,
    }
}

impl Audited {
    fn page(&self, path: &str) -> &Page {
        let url = self.server.url(path);
        self.crawl
            .pages
            .iter()
            .find(|p| p.url == url)
            .unwrap_or_else(|| {
                let seen: Vec<&str> = self.crawl.pages.iter().map(|p| p.url.as_str()).collect();
                panic!("{url} was not recorded; pages: {seen:?}")
            })
    }

    /// The ordinary pages were crawled and extracted despite the fault.
    fn assert_healthy_pages_audited(&self) {
        for path in ["/", "/ok-1", "/ok-2", "/contact"] {
            let page = self.page(path);
            assert_eq!(page.status, Some(200), "{path}: {page:?}");
            assert!(page.content.is_some(), "{path} was not extracted");
        }
        let phone = self
            .report
            .checks
            .iter()
            .find(|c| c.id == "hidden-phone-number")
            .expect("phone check ran");
        assert_ne!(phone.status, shopaudit::checks::Status::Error, "{phone:?}");
    }

    /// The broken-internal-link finding names the URL and says what happened.
    fn assert_reported_broken(&self, path: &str, words: &[&str]) {
        let url = self.server.url(path);
        let check = self
            .report
            .checks
            .iter()
            .find(|c| c.id == "broken-internal-link")
            .expect("broken-internal-link ran");
        assert_eq!(check.status, shopaudit::checks::Status::Fail, "{check:?}");
        let line = check
            .evidence
            .iter()
            .find(|e| {
                e.url.as_deref() == Some(url.as_str())
                    || e.excerpt.as_deref().is_some_and(|x| x.contains(&url))
            })
            .unwrap_or_else(|| panic!("no evidence line for {url}: {:#?}", check.evidence));
        let text = format!("{line:?}").to_lowercase();
        assert!(
            words.iter().any(|w| text.contains(w)),
            "evidence for {url} does not say what happened ({words:?}): {text}"
        );
    }

    fn assert_within(&self, bound: Duration) {
        assert!(
            self.elapsed < bound,
            "took {:?}, bound {bound:?}",
            self.elapsed
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_never_answers_times_out() {
    let config = fault_config();
    let run = audit(&["/hang"], RobotsMode::AllowAll, config.clone()).await;
    run.assert_within(time_bound(&config, 2));
    let page = run.page("/hang");
    assert_eq!(page.status, None);
    assert!(
        page.error
            .as_deref()
            .unwrap_or("")
            .to_lowercase()
            .contains("time"),
        "{page:?}"
    );
    run.assert_reported_broken("/hang", &["time"]);
    run.assert_healthy_pages_audited();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_dripping_one_byte_a_second_is_cut_by_the_timeout() {
    let config = fault_config();
    let run = audit(&["/drip"], RobotsMode::AllowAll, config.clone()).await;
    run.assert_within(time_bound(&config, 2));
    let page = run.page("/drip");
    assert!(
        page.error
            .as_deref()
            .unwrap_or("")
            .to_lowercase()
            .contains("time"),
        "{page:?}"
    );
    run.assert_reported_broken("/drip", &["time"]);
    run.assert_healthy_pages_audited();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_connection_is_reported() {
    let run = audit(&["/reset"], RobotsMode::AllowAll, fault_config()).await;
    let page = run.page("/reset");
    assert_eq!(page.status, None, "{page:?}");
    assert!(page.error.is_some());
    run.assert_reported_broken("/reset", &["reset", "connection", "closed", "error"]);
    run.assert_healthy_pages_audited();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_broken_links_and_503_retries_are_bounded() {
    let config = fault_config();
    let run = audit(
        &["/error-500", "/error-503"],
        RobotsMode::AllowAll,
        config.clone(),
    )
    .await;
    assert_eq!(run.page("/error-500").status, Some(500));
    assert_eq!(run.page("/error-503").status, Some(503));
    run.assert_reported_broken("/error-500", &["500"]);
    run.assert_reported_broken("/error-503", &["503"]);
    let tries = run.server.hits("/error-503");
    assert!(
        (2..=config.crawl.retries + 1).contains(&tries),
        "503 with Retry-After should be retried, at most {} times in all; server saw {tries}",
        config.crawl.retries + 1
    );
    run.assert_healthy_pages_audited();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_requests_is_retried_after_the_wait_it_asks_for() {
    let run = audit(&["/busy-429"], RobotsMode::AllowAll, fault_config()).await;
    let page = run.page("/busy-429");
    assert_eq!(page.status, Some(200), "{page:?}");
    assert_eq!(run.server.hits("/busy-429"), 2);
    run.assert_healthy_pages_audited();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_loop_is_reported() {
    let run = audit(&["/loop-a"], RobotsMode::AllowAll, fault_config()).await;
    let page = run.page("/loop-a");
    assert!(
        page.error
            .as_deref()
            .unwrap_or("")
            .to_lowercase()
            .contains("redirect"),
        "{page:?}"
    );
    run.assert_reported_broken("/loop-a", &["redirect"]);
    // Bounded: each hop is one request, and the loop is cut at max_redirects.
    let hops = run.server.hits("/loop-a") + run.server.hits("/loop-b");
    assert!(
        hops <= 2 * (fault_config().crawl.max_redirects + 2),
        "{hops} hops"
    );
    run.assert_healthy_pages_audited();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mb_body_is_cut_at_the_byte_limit() {
    let run = audit(&["/huge"], RobotsMode::AllowAll, fault_config()).await;
    let page = run.page("/huge");
    assert!(
        page.bytes <= MAX_BYTES + 64 * 1024,
        "read {} bytes",
        page.bytes
    );
    assert!(
        page.error.as_deref().unwrap_or("").contains("bytes"),
        "{page:?}"
    );
    assert!(run.crawl.stats.bytes_downloaded < 4 * MAX_BYTES);
    run.assert_healthy_pages_audited();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gzip_bomb_is_cut_at_the_decompressed_byte_limit() {
    let run = audit(&["/gzip-bomb"], RobotsMode::AllowAll, fault_config()).await;
    let page = run.page("/gzip-bomb");
    assert!(
        page.bytes <= MAX_BYTES + 64 * 1024,
        "read {} bytes",
        page.bytes
    );
    assert!(
        page.error.as_deref().unwrap_or("").contains("bytes"),
        "{page:?}"
    );
    run.assert_healthy_pages_audited();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_and_broken_html_are_extracted_without_panic() {
    let run = audit(&["/bad-utf8"], RobotsMode::AllowAll, fault_config()).await;
    let page = run.page("/bad-utf8");
    assert_eq!(page.status, Some(200));
    let content = page
        .content
        .as_ref()
        .expect("broken HTML is still extracted");
    // A page without a role keeps only what the checks read on every page (its full text is
    // dropped during the crawl), so the title and the links show the extraction got through.
    let title = content.title.as_deref().unwrap_or_default();
    assert!(title.starts_with("Caf\u{FFFD}"), "{title:?}");
    let linked: Vec<&str> = content
        .links
        .iter()
        .filter_map(|l| l.url.as_deref())
        .collect();
    assert!(
        linked.iter().any(|u| u.ends_with("/ok-1")),
        "links before the broken markup: {linked:?}"
    );
    run.assert_healthy_pages_audited();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_cookies_do_not_break_the_crawl() {
    let run = audit(&["/cookies"], RobotsMode::AllowAll, fault_config()).await;
    assert_eq!(run.page("/cookies").status, Some(200));
    run.assert_healthy_pages_audited();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_calendar_is_detected_as_a_trap() {
    let mut config = fault_config();
    config.crawl.max_depth = 1000;
    config.crawl.max_pages = 500;
    let run = audit(&["/calendar/2026/1"], RobotsMode::AllowAll, config).await;
    let calendar_pages = run.server.total_hits_under("/calendar/");
    assert!(
        calendar_pages < 100,
        "crawled {calendar_pages} calendar pages"
    );
    let warned = run
        .report
        .warnings
        .iter()
        .any(|w| w.to_lowercase().contains("trap") || w.contains("/calendar/"));
    assert!(warned, "no trap warning: {:?}", run.report.warnings);
    run.assert_healthy_pages_audited();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faceted_filter_combinations_are_detected_as_a_trap() {
    let mut config = fault_config();
    config.crawl.max_depth = 1000;
    config.crawl.max_pages = 500;
    let run = audit(&["/shop"], RobotsMode::AllowAll, config).await;
    let shop_pages = run.server.hits("/shop");
    assert!(shop_pages < 100, "crawled {shop_pages} filter pages");
    let warned = run
        .report
        .warnings
        .iter()
        .any(|w| w.to_lowercase().contains("trap") || w.contains("/shop"));
    assert!(warned, "no trap warning: {:?}", run.report.warnings);
    run.assert_healthy_pages_audited();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_disallowing_everything_stops_the_audit_with_the_reason() {
    let server = FaultServer::start(RobotsMode::DisallowAll, &["/ok-1"]).await;
    let start = url::Url::parse(&server.url("/")).unwrap();
    let err = shopaudit::audit::gather(&start, &fault_config(), &indicatif::ProgressBar::hidden())
        .await
        .expect_err("a store that forbids crawling cannot be audited");
    assert!(err.0.contains("robots.txt"), "{}", err.0);
    assert!(err.0.contains("--ignore-robots"), "{}", err.0);
    assert_eq!(server.hits("/"), 0, "the disallowed start page was fetched");
    assert_eq!(server.hits("/ok-1"), 0, "a disallowed page was fetched");
    assert_eq!(server.hits("/robots.txt"), 1);
}
