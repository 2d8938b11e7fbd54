//! The HTTP crawler: tokio + reqwest (rustls) + scraper, from the start URL and sitemap.xml,
//! within scope, obeying robots.txt and the configured limits.
//!
//! Order of work: robots.txt of the store, the start URL alone (no answer at all = the audit
//! cannot run), the sitemaps, then breadth-first over links with `concurrency` requests in
//! flight. Links found on pages go before sitemap URLs, so a sitemap of 10,000 products does
//! not crowd out the contact page linked from home. Every requested URL becomes a `Page`.

use crate::artifacts::{CrawlStats, Discovery, Form, Link, Links, Page, PageContent, SiteCrawl};
use crate::config::CrawlConfig;
use crate::error::CouldNotRun;
use crate::gather::extract::{extract_page_checked, extract_page_streaming};
use crate::gather::fetch::{decode_html, is_html_type, sniff_html, Fetcher, Redirects, Want};
use crate::gather::robots::{collect_sitemaps, RobotsFile};
use crate::gather::scope::{host_key, normalize, CrawlScope, TrapGuard};
use crate::site::{may_be_read_whole, reduced_pages_read_whole};
use indicatif::ProgressBar;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::hash_map::Entry;
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use url::Url;

/// The longest Crawl-delay honoured; a longer one would stretch an audit over hours.
pub const MAX_CRAWL_DELAY_SECS: f64 = 30.0;
/// Pages read only in part named one by one in the warnings; the rest are counted.
const MAX_PARTIAL_PAGE_WARNINGS: usize = 10;
/// Sitemap URLs kept per page allowed: enough to fill the page budget, bounded in memory.
const SITEMAP_URLS_PER_PAGE: usize = 10;
/// Pages the crawl reserves room for before it starts (more grow the list as usual).
const MAX_PAGES_RESERVED: usize = 100_000;
/// Pages up to this size are extracted on the task that fetched them, with no hand-over to
/// another thread and back, which on a 2-core machine cost a sixth of the crawl's time. That
/// holds up the fetches sharing the worker thread for a few milliseconds on a typical page (the
/// streaming extractor reads about 115 MiB/s), some 40 ms at most (1 MB through the full
/// extractor). Larger pages go to the blocking pool.
const EXTRACT_IN_PLACE_MAX_BYTES: usize = 1024 * 1024;

/// Crawls the store. Fails (exit 3) only when the start URL gives no answer at all; every other
/// problem is recorded in the pages and warnings and the crawl goes on.
pub async fn crawl(
    start: &Url,
    config: &CrawlConfig,
    progress: &ProgressBar,
) -> Result<SiteCrawl, CouldNotRun> {
    let started = Instant::now();
    let mut start = start.clone();
    normalize(&mut start);
    let fetcher = Fetcher::new(config).map_err(CouldNotRun)?;
    let mut crawler = Crawler {
        config,
        progress,
        scope: CrawlScope::new(&start, config),
        start,
        robots: HashMap::default(),
        seen: SeenUrls::default(),
        redirect_targets: HashSet::default(),
        link_queue: VecDeque::new(),
        sitemap_queue: VecDeque::new(),
        traps: TrapGuard::default(),
        shared_strings: Shared::default(),
        shared_links: SharedLinks::default(),
        shared_parts: SharedParts::default(),
        // Room for the page limit at once: growing by doubling would copy every page kept so
        // far and hold both copies at the crawl's largest. Untouched room costs no memory.
        pages: Vec::with_capacity((config.max_pages as usize).clamp(1, MAX_PAGES_RESERVED)),
        stats: CrawlStats::default(),
        warnings: Vec::new(),
        too_deep: 0,
    };
    let fetcher = crawler.prepare(fetcher).await?;
    crawler.run(&fetcher).await?;
    let redirects = Redirects::Hosts(Arc::new(crawler.scope.allowed_hosts()));
    let mut site = crawler.finish();
    read_again_whole(&mut site, &fetcher, &redirects).await;
    count_traffic(&mut site.stats, &fetcher, started);
    Ok(site)
}

/// Pages reduced while crawling that links found later named as a contact or FAQ page (whose
/// checks read all of a page): fetched and extracted again, kept whole. A store names such
/// pages in their URL or title nearly always, so this is rare.
async fn read_again_whole(site: &mut SiteCrawl, fetcher: &Arc<Fetcher>, redirects: &Redirects) {
    let wanted: Vec<usize> = {
        reduced_pages_read_whole(site)
            .into_iter()
            .filter_map(|wanted| site.pages.iter().position(|p| std::ptr::eq(p, wanted)))
            .collect()
    };
    for i in wanted {
        let page = &site.pages[i];
        let Ok(url) = Url::parse(&page.url) else {
            continue;
        };
        let job = Job {
            url,
            depth: page.depth,
            via: page.discovered_via,
        };
        let (fresh, _) = fetch_page(fetcher.clone(), job, redirects.clone(), Keep::Whole).await;
        match fresh.content {
            Some(content) if fresh.is_ok() => site.pages[i].content = Some(content),
            _ => site.warnings.push(format!(
                "{} was read only in part (links found later name it a contact or FAQ page) and could not be read again",
                site.pages[i].url
            )),
        }
    }
}

fn count_traffic(stats: &mut CrawlStats, fetcher: &Fetcher, started: Instant) {
    stats.requests = fetcher.requests.load(Ordering::Relaxed);
    stats.bytes_downloaded = fetcher.bytes.load(Ordering::Relaxed);
    stats.duration_ms = started.elapsed().as_millis() as u64;
}

/// One shared copy of each value: a store repeats its header and footer texts, its menu links
/// and its forms on every page.
struct Shared<T: ?Sized>(HashSet<Arc<T>>);

impl<T: ?Sized> Default for Shared<T> {
    fn default() -> Self {
        Shared(HashSet::default())
    }
}

impl<T: ?Sized + Hash + Eq> Shared<T> {
    /// Points `value` at the shared copy of its value.
    fn share(&mut self, value: &mut Arc<T>) {
        self.share_with(value, |_| {});
    }

    /// As [`Shared::share`]; a value met for the first time becomes the shared copy once
    /// `first` has run on it.
    fn share_with(&mut self, value: &mut Arc<T>, first: impl FnOnce(&mut Arc<T>)) {
        match self.0.get(&**value) {
            Some(shared) => *value = shared.clone(),
            None => {
                first(value);
                self.0.insert(value.clone());
            }
        }
    }
}

/// One shared copy of each link and of each run of links (see [`Links`]): a store repeats its
/// header, menu and footer links on every page, and the same URL or text comes back in links
/// that differ.
#[derive(Default)]
struct SharedLinks {
    links: Shared<Link>,
    /// Runs are told apart by the addresses of their links, which are shared copies by then:
    /// hashing the links again would double the cost of sharing them.
    runs: HashMap<u64, Arc<Vec<Arc<Link>>>>,
}

impl SharedLinks {
    /// Points each link of a page, then each run, at its shared copy.
    fn share(&mut self, page_links: &mut Links, strings: &mut Shared<str>) {
        for run in page_links.runs_mut() {
            for link in Arc::make_mut(run) {
                self.links.share_with(link, |fresh| {
                    let fresh = Arc::make_mut(fresh);
                    strings.share(&mut fresh.text);
                    if let Some(url) = &mut fresh.url {
                        strings.share(url);
                    }
                });
            }
            self.share_run(run);
        }
    }

    fn share_run(&mut self, run: &mut Arc<Vec<Arc<Link>>>) {
        let mut hasher = rustc_hash::FxHasher::default();
        for link in run.iter() {
            Arc::as_ptr(link).hash(&mut hasher);
        }
        match self.runs.entry(hasher.finish()) {
            Entry::Occupied(shared) => {
                let same = shared.get().len() == run.len()
                    && shared
                        .get()
                        .iter()
                        .zip(run.iter())
                        .all(|(a, b)| Arc::ptr_eq(a, b));
                // A different run with the same hash (rare) keeps its own copy.
                if same {
                    *run = shared.get().clone();
                }
            }
            Entry::Vacant(slot) => {
                if let Some(fresh) = Arc::get_mut(run) {
                    fresh.shrink_to_fit();
                }
                slot.insert(run.clone());
            }
        }
    }
}

/// One shared copy of each form and each JSON-LD block of reduced pages: a store repeats its
/// search and newsletter forms on every page, and its product pages keep the same schema.org
/// type (`PageContent::reduce` keeps only types). Whole pages keep their own.
#[derive(Default)]
struct SharedParts {
    forms: Shared<Form>,
    /// By their JSON text (a JSON value cannot be hashed).
    json_ld: HashMap<String, Arc<serde_json::Value>>,
}

impl SharedParts {
    fn share(&mut self, content: &mut PageContent) {
        if !content.reduced {
            return;
        }
        for form in &mut content.forms {
            self.forms.share(form);
        }
        for block in &mut content.json_ld {
            *block = self
                .json_ld
                .entry(block.to_string())
                .or_insert_with(|| block.clone())
                .clone();
        }
    }
}

/// A URL waiting its turn: as text, not a parsed [`Url`] (a quarter of the size; the queue of
/// a large store holds thousands).
struct Queued {
    url: Box<str>,
    depth: u32,
    via: Discovery,
}

/// The URLs the crawl has met, by a 128-bit hash of their text: a large store's crawl meets
/// tens of thousands, and their text is kept once, in the pages. Two URLs of one crawl will not
/// share a hash (odds of about 10^-27 for a million URLs).
#[derive(Default)]
struct SeenUrls(HashSet<u128>);

impl SeenUrls {
    fn key(url: &str) -> u128 {
        use siphasher::sip128::Hasher128;
        let mut hasher = siphasher::sip128::SipHasher13::new();
        hasher.write(url.as_bytes());
        hasher.finish128().as_u128()
    }

    /// True when the URL was not met before.
    fn insert(&mut self, url: &str) -> bool {
        self.0.insert(Self::key(url))
    }

    fn contains(&self, url: &str) -> bool {
        self.0.contains(&Self::key(url))
    }
}

#[derive(Debug, Clone)]
struct Job {
    url: Url,
    depth: u32,
    via: Discovery,
}

struct Crawler<'a> {
    config: &'a CrawlConfig,
    progress: &'a ProgressBar,
    start: Url,
    scope: CrawlScope,
    /// robots.txt per host (`host` or `host:port`).
    robots: HashMap<String, RobotsFile>,
    /// Every URL met (queued, fetched or refused), so each is judged once.
    seen: SeenUrls,
    /// Final URLs of redirects: already fetched, not to be fetched again when linked.
    redirect_targets: HashSet<String>,
    link_queue: VecDeque<Queued>,
    sitemap_queue: VecDeque<Queued>,
    traps: TrapGuard,
    /// Link URLs and texts, header and footer texts met so far, one copy each.
    shared_strings: Shared<str>,
    shared_links: SharedLinks,
    shared_parts: SharedParts,
    pages: Vec<Page>,
    stats: CrawlStats,
    warnings: Vec<String>,
    too_deep: u32,
}

impl Crawler<'_> {
    /// robots.txt, then the rate limit it implies. Fails when the store does not answer, or
    /// when robots.txt forbids the start URL.
    async fn prepare(&mut self, mut fetcher: Fetcher) -> Result<Arc<Fetcher>, CouldNotRun> {
        let config = self.config;
        if config.respect_robots || config.use_sitemap {
            for origin in self.scope.origins() {
                let file = RobotsFile::fetch(&fetcher, &origin).await;
                let is_start_origin = host_key(&origin) == host_key(&self.start);
                if is_start_origin && !file.fetched.answered() {
                    let why = file.fetched.error.clone().unwrap_or_default();
                    return Err(CouldNotRun(format!("cannot reach {}: {why}", self.start)));
                }
                if let Some(status) = file.server_error() {
                    self.warnings.push(format!(
                        "{} answered HTTP {status}; crawled as if it allowed everything",
                        file.url
                    ));
                }
                self.robots.insert(host_key(&origin), file);
            }
        }
        let mut interval = (config.rate_limit > 0.0 && config.rate_limit.is_finite())
            .then(|| 1.0 / config.rate_limit);
        if config.respect_robots {
            let start_robots = self.robots.get(&host_key(&self.start));
            if let Some(delay) = start_robots.and_then(RobotsFile::crawl_delay) {
                let honoured = delay.min(MAX_CRAWL_DELAY_SECS);
                if delay > MAX_CRAWL_DELAY_SECS {
                    self.warnings.push(format!(
                        "robots.txt asks for a Crawl-delay of {delay} s; shopaudit waits {MAX_CRAWL_DELAY_SECS} s between requests at most"
                    ));
                }
                interval = Some(interval.unwrap_or(0.0).max(honoured));
            }
            if !self.robots_allow(&self.start) {
                return Err(CouldNotRun(format!(
                    "robots.txt of {} disallows the start URL {} for crawlers; run with --ignore-robots if this is your own store",
                    self.start.origin().ascii_serialization(),
                    self.start
                )));
            }
        }
        fetcher.set_min_interval(interval.map(Duration::from_secs_f64));
        Ok(Arc::new(fetcher))
    }

    fn robots_allow(&self, url: &Url) -> bool {
        !self.config.respect_robots
            || self
                .robots
                .get(&host_key(url))
                .is_none_or(|r| r.allows(url))
    }

    async fn run(&mut self, fetcher: &Arc<Fetcher>) -> Result<(), CouldNotRun> {
        // The start URL alone first: it decides whether there is anything to audit, and where
        // the store really lives (redirects).
        self.seen.insert(self.start.as_str());
        let start_job = Job {
            url: self.start.clone(),
            depth: 0,
            via: Discovery::Start,
        };
        let (start_page, answered) =
            fetch_page(fetcher.clone(), start_job, Redirects::Anywhere, Keep::Whole).await;
        if !answered {
            let why = start_page.error.unwrap_or_default();
            return Err(CouldNotRun(format!("cannot reach {}: {why}", self.start)));
        }
        self.note_start_page(&start_page);
        if let Ok(final_url) = Url::parse(&start_page.final_url) {
            if !self.scope.contains(&final_url) {
                self.scope.follow_start_redirect(&final_url);
                let host = host_key(&final_url);
                if self.config.respect_robots && !self.robots.contains_key(&host) {
                    let file = RobotsFile::fetch(fetcher, &final_url).await;
                    self.robots.insert(host, file);
                }
            }
            if !self.scope.contains(&final_url) {
                self.warnings.push(format!(
                    "the start URL redirects to {final_url}, outside the crawl scope {}; start there or use --scope host",
                    self.scope.prefix()
                ));
            }
        }
        self.record(start_page);

        if self.config.use_sitemap {
            let listed: Vec<String> = self
                .robots
                .values()
                .flat_map(RobotsFile::sitemaps)
                .collect();
            let max_urls = (self.config.max_pages as usize)
                .saturating_mul(SITEMAP_URLS_PER_PAGE)
                .min(100_000);
            let found =
                collect_sitemaps(fetcher, &self.scope, &self.start, &listed, max_urls).await;
            self.warnings.extend(found.warnings);
            for url in found.urls {
                self.consider(url, 1, Discovery::Sitemap, None);
            }
        }

        let redirects = Redirects::Hosts(Arc::new(self.scope.allowed_hosts()));
        let concurrency = self.config.concurrency.max(1) as usize;
        let mut tasks: JoinSet<(Page, bool)> = JoinSet::new();
        let mut running: HashMap<tokio::task::Id, Job> = HashMap::default();
        loop {
            while tasks.len() < concurrency && (self.pages.len() + tasks.len()) < self.max_pages() {
                let Some(job) = self.next_job() else {
                    break;
                };
                let handle = tasks.spawn(fetch_page(
                    fetcher.clone(),
                    job.clone(),
                    redirects.clone(),
                    Keep::WhatChecksRead,
                ));
                running.insert(handle.id(), job);
            }
            let Some(joined) = tasks.join_next_with_id().await else {
                break;
            };
            match joined {
                Ok((id, (page, _))) => {
                    running.remove(&id);
                    self.record(page);
                }
                Err(e) => {
                    if let Some(job) = running.remove(&e.id()) {
                        let mut page = empty_page(&job);
                        page.error = Some(format!("internal error while crawling this URL: {e}"));
                        self.record(page);
                    }
                }
            }
        }
        Ok(())
    }

    /// The next queued URL that a redirect has not already answered.
    fn next_job(&mut self) -> Option<Job> {
        loop {
            let queued = self
                .link_queue
                .pop_front()
                .or_else(|| self.sitemap_queue.pop_front())?;
            if self.redirect_targets.contains(&*queued.url) {
                continue;
            }
            // Queued as a parsed URL's own text, so it parses again.
            if let Ok(url) = Url::parse(&queued.url) {
                let (depth, via) = (queued.depth, queued.via);
                return Some(Job { url, depth, via });
            }
        }
    }

    fn max_pages(&self) -> usize {
        self.config.max_pages.max(1) as usize
    }

    fn note_start_page(&mut self, page: &Page) {
        let url = &page.url;
        match (page.status, &page.error, &page.content) {
            (Some(status), _, _) if status >= 400 => self.warnings.push(format!(
                "the start URL {url} answered HTTP {status}; only what else could be found was audited"
            )),
            (_, Some(error), _) => self
                .warnings
                .push(format!("the start URL {url}: {error}")),
            (Some(status), None, None) if (300..400).contains(&status) => {
                self.warnings.push(format!(
                    "the start URL {url} answered HTTP {status} without a usable redirect"
                ))
            }
            (_, None, None) => self.warnings.push(format!(
                "the start URL {url} is not an HTML page ({}); nothing on it could be audited",
                page.content_type.as_deref().unwrap_or("no content type")
            )),
            _ => {}
        }
    }

    /// Keeps a finished page and queues the links found on it.
    fn record(&mut self, mut page: Page) {
        self.progress.inc(1);
        self.progress.set_message(page.url.clone());
        if page.final_url != page.url {
            // The redirect target is fetched; do not fetch it again when linked.
            if let Ok(final_url) = Url::parse(&page.final_url) {
                if self.scope.contains(&final_url) {
                    self.seen.insert(final_url.as_str());
                    self.redirect_targets.insert(final_url.to_string());
                }
            }
        }
        if let Some(content) = &page.content {
            self.stats.pages_extracted += 1;
            let targets: Vec<Url> = content
                .meta_refresh
                .as_deref()
                .into_iter()
                .chain(content.links.iter().filter_map(|l| l.url.as_deref()))
                // Menus repeat on every page: most targets were met before, and parsing them
                // again would be the crawl loop's main cost. Link URLs are stored normalised,
                // as `seen` holds them.
                .filter(|u| !self.seen.contains(u))
                .filter_map(|u| Url::parse(u).ok())
                .collect();
            let parent = Url::parse(&page.final_url).ok();
            for target in targets {
                self.consider(target, page.depth + 1, Discovery::Link, parent.as_ref());
            }
        }
        if let Some(content) = &mut page.content {
            self.shared_strings.share(&mut content.header_text);
            self.shared_strings.share(&mut content.footer_text);
            for line in &mut content.kept_lines {
                self.shared_strings.share(line);
            }
            self.shared_links
                .share(&mut content.links, &mut self.shared_strings);
            self.shared_parts.share(content);
        }
        self.pages.push(page);
    }

    /// Queues `url` unless it was met before or falls outside scope, depth, robots.txt or
    /// the trap guard (each counted).
    fn consider(&mut self, mut url: Url, depth: u32, via: Discovery, parent: Option<&Url>) {
        normalize(&mut url);
        if !self.seen.insert(url.as_str()) {
            return;
        }
        if !self.scope.contains(&url) {
            self.stats.skipped_out_of_scope += 1;
            return;
        }
        if depth > self.config.max_depth {
            self.stats.skipped_by_limits += 1;
            self.too_deep += 1;
            return;
        }
        if !self.robots_allow(&url) {
            self.stats.skipped_by_robots += 1;
            return;
        }
        if !self.traps.admit(&url, parent) {
            self.stats.skipped_as_traps += 1;
            return;
        }
        let job = Queued {
            url: String::from(url).into_boxed_str(),
            depth,
            via,
        };
        match via {
            Discovery::Sitemap => self.sitemap_queue.push_back(job),
            _ => self.link_queue.push_back(job),
        }
    }

    /// Pages that answered but could not be read whole (cut at the byte cap, body timed out,
    /// nested too deep) are not broken links, so they are named here.
    fn warn_about_partial_pages(&mut self) {
        let partial: Vec<String> = self
            .pages
            .iter()
            .filter(|p| p.discovered_via != Discovery::Start)
            .filter(|p| p.status.is_some_and(|s| s < 400))
            .filter_map(|p| p.error.as_ref().map(|e| format!("{}: {e}", p.url)))
            .collect();
        let shown = partial.len().min(MAX_PARTIAL_PAGE_WARNINGS);
        self.warnings.extend(partial[..shown].iter().cloned());
        if partial.len() > shown {
            self.warnings.push(format!(
                "{} more page(s) could only be read in part",
                partial.len() - shown
            ));
        }
    }

    fn finish(mut self) -> SiteCrawl {
        let left = (self.link_queue.len() + self.sitemap_queue.len()) as u32;
        if left > 0 {
            self.stats.skipped_by_limits += left;
            self.warnings.push(format!(
                "stopped at the page limit ({} pages); {left} more in-scope URL(s) were not fetched (--max-pages)",
                self.config.max_pages
            ));
        }
        if self.too_deep > 0 {
            self.warnings.push(format!(
                "{} in-scope URL(s) more than {} links deep were not fetched (--max-depth)",
                self.too_deep, self.config.max_depth
            ));
        }
        // Answers arrive in a different order on every run; reports and their evidence
        // should not.
        self.pages.sort_unstable_by(|a, b| {
            (a.discovered_via != Discovery::Start, &a.url)
                .cmp(&(b.discovered_via != Discovery::Start, &b.url))
        });
        self.warnings.extend(self.traps.warnings());
        self.warn_about_partial_pages();
        if self.stats.skipped_by_robots > 0 {
            self.warnings.push(format!(
                "robots.txt disallowed {} URL(s), which were not fetched (--ignore-robots for your own store)",
                self.stats.skipped_by_robots
            ));
        }
        let robots = self.robots.get(&host_key(&self.start)).and_then(|file| {
            file.fetched
                .answered()
                .then(|| file.summary(self.config.respect_robots, self.stats.skipped_by_robots))
        });
        SiteCrawl {
            start_url: self.start.to_string(),
            scope_prefix: self.scope.prefix(),
            pages: self.pages,
            robots,
            stats: self.stats,
            warnings: self.warnings,
        }
    }
}

fn empty_page(job: &Job) -> Page {
    Page::requested(job.url.as_str(), job.via, job.depth)
}

/// Whether a page's extracted content is kept whole or reduced to what the checks of every
/// page read ([`crate::artifacts::PageContent::reduce`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// The start page, and pages read again because their checks read them whole.
    Whole,
    /// Reduced unless the page shows a sign of a role whose checks read it whole.
    WhatChecksRead,
}

/// What the crawl keeps of a page whose HTML is `html`, requested as `url` and answered from
/// `base`, with the extraction's note: all of it when `whole`, else (most pages) what the
/// checks of every page read, unless the page shows a sign of a role whose checks read it
/// whole. The crawl's work per page, apart from fetching it.
pub fn extract_for_crawl(
    html: &str,
    url: &str,
    base: &Url,
    whole: bool,
) -> (PageContent, Option<String>) {
    if !whole {
        // Most pages are reduced: the streaming extractor reads what is kept of them, and the
        // few that may be read whole are extracted again, fully, from the same HTML.
        if let Some((mut content, note)) = extract_page_streaming(html, base) {
            if !may_be_read_whole(url, base.as_str(), &content) {
                content.reduce(crate::checks::read_on_every_page);
                return (content, note);
            }
        }
    }
    let (mut content, note) = extract_page_checked(html, base);
    if !whole && !may_be_read_whole(url, base.as_str(), &content) {
        content.reduce(crate::checks::read_on_every_page);
    }
    (content, note)
}

/// Fetches one page and, when it is HTML, extracts it on a blocking thread; the raw body is
/// dropped there, and the extracted content reduced (see [`Keep`]) so memory does not grow
/// with the text of every page. Also says whether the server answered at all.
async fn fetch_page(
    fetcher: Arc<Fetcher>,
    job: Job,
    redirects: Redirects,
    keep: Keep,
) -> (Page, bool) {
    let fetched = fetcher.fetch(&job.url, Want::Html, &redirects).await;
    let answered = fetched.answered();
    let mut page = empty_page(&job);
    if let Some(final_url) = &fetched.final_url {
        page.final_url = final_url.to_string();
    }
    // A redirect loop has no final answer: no status, like a page that never answered.
    page.status = fetched.status.filter(|_| !fetched.redirect_failed);
    page.error = fetched.error;
    page.truncated = fetched.truncated;
    page.content_type = fetched.content_type;
    page.bytes = fetched.bytes;
    page.fetch_ms = fetched.elapsed.as_millis() as u64;
    let Some(body) = fetched.body else {
        return (page, answered);
    };
    let is_html = match page.content_type.as_deref() {
        Some(ct) => is_html_type(ct),
        None => sniff_html(&body),
    };
    if !is_html {
        return (page, answered);
    }
    let base = fetched.final_url.unwrap_or_else(|| job.url.clone());
    let content_type = page.content_type.clone();
    let url = page.url.clone();
    let in_place = body.len() <= EXTRACT_IN_PLACE_MAX_BYTES;
    let extract = move || {
        let html = decode_html(&body, content_type.as_deref());
        extract_for_crawl(&html, &url, &base, keep == Keep::Whole)
    };
    let extracted = if in_place {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(extract)).map_err(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|m| m.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned());
            format!("the extraction panicked: {}", message.unwrap_or_default())
        })
    } else {
        tokio::task::spawn_blocking(extract)
            .await
            .map_err(|e| e.to_string())
    };
    match extracted {
        Ok((content, note)) => {
            page.content = Some(content);
            if page.error.is_none() {
                page.error = note;
            }
        }
        Err(e) => {
            page.error = Some(format!("the HTML of this page could not be read: {e}"));
        }
    }
    (page, answered)
}

#[cfg(test)]
mod seen_tests {
    use super::SeenUrls;

    #[test]
    fn a_url_is_met_once_and_urls_differing_in_one_character_are_apart() {
        let mut seen = SeenUrls::default();
        assert!(seen.insert("https://shop.example/p/1"));
        assert!(!seen.insert("https://shop.example/p/1"));
        assert!(seen.contains("https://shop.example/p/1"));
        assert!(!seen.contains("https://shop.example/p/2"));
        assert!(seen.insert("https://shop.example/p/2"));
        assert!(!seen.contains("https://shop.example/p/1/"));
    }
}

#[cfg(test)]
mod sharing_tests {
    use super::{Shared, SharedLinks, SharedParts};
    use crate::artifacts::{Form, Link, Links, PageContent, Region};
    use std::sync::Arc;

    /// Each link a fresh copy, as the extractor makes them.
    fn links(of_page: &[(&str, Region)]) -> Links {
        of_page
            .iter()
            .map(|&(path, region)| {
                Arc::new(Link {
                    href: String::new(),
                    url: Some(format!("https://shop.example{path}").into()),
                    text: path.into(),
                    region,
                })
            })
            .collect()
    }

    #[test]
    fn pages_share_the_runs_of_links_they_repeat_and_keep_their_own() {
        use Region::{Footer, Header, Main};
        let mut pages = [
            links(&[
                ("/", Header),
                ("/shop", Header),
                ("/p/1", Main),
                ("/faq", Footer),
            ]),
            links(&[
                ("/", Header),
                ("/shop", Header),
                ("/p/2", Main),
                ("/faq", Footer),
            ]),
            links(&[
                ("/", Header),
                ("/sale", Header),
                ("/p/2", Main),
                ("/faq", Footer),
            ]),
        ];
        let (mut shared, mut strings) = (SharedLinks::default(), Shared::default());
        for page in &mut pages {
            shared.share(page, &mut strings);
        }
        let run = |page: usize, index: usize| &pages[page].runs()[index];
        let same_run =
            |a: (usize, usize), b: (usize, usize)| Arc::ptr_eq(run(a.0, a.1), run(b.0, b.1));
        assert!(same_run((0, 0), (1, 0)), "the same header run");
        assert!(same_run((0, 2), (2, 2)), "the same footer run");
        assert!(!same_run((0, 1), (1, 1)), "main runs that differ");
        assert!(
            same_run((1, 1), (2, 1)),
            "main runs that happen to be the same"
        );
        assert!(!same_run((0, 0), (2, 0)), "a header run with another link");
        // Links are shared one by one too, inside runs that differ.
        assert!(Arc::ptr_eq(&pages[0][0], &pages[2][0]));
        let urls: Vec<&str> = pages[2].iter().filter_map(|l| l.url.as_deref()).collect();
        assert_eq!(
            urls,
            ["/", "/sale", "/p/2", "/faq"].map(|p| format!("https://shop.example{p}"))
        );
    }

    fn content(reduced: bool, search_label: &str) -> PageContent {
        PageContent {
            forms: thin_vec::thin_vec![Arc::new(Form {
                method: "get".into(),
                submit_texts: vec![search_label.into()],
                ..Form::default()
            })],
            json_ld: thin_vec::thin_vec![Arc::new(serde_json::json!({"@type": "Product"}))],
            reduced,
            ..PageContent::default()
        }
    }

    #[test]
    fn reduced_pages_share_equal_forms_and_json_ld_whole_pages_keep_their_own() {
        let mut shared = SharedParts::default();
        let mut pages = [
            content(true, "Search"),
            content(true, "Search"),
            content(true, "Find"),
            content(false, "Search"),
        ];
        for page in &mut pages {
            shared.share(page);
        }
        let same_form = |a: usize, b: usize| Arc::ptr_eq(&pages[a].forms[0], &pages[b].forms[0]);
        let same_json_ld =
            |a: usize, b: usize| Arc::ptr_eq(&pages[a].json_ld[0], &pages[b].json_ld[0]);
        assert!(same_form(0, 1) && same_json_ld(0, 1));
        assert!(!same_form(0, 2) && same_json_ld(0, 2));
        assert!(!same_form(0, 3) && !same_json_ld(0, 3));
        assert_eq!(pages[2].forms[0].submit_texts, ["Find"]);
    }
}
