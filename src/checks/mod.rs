//! The check catalogue. One file per check; each is a pure function over the artifacts and
//! documented in `checks/<id>.md` (front matter + prose), which is embedded in the binary.

pub mod detect;
pub mod doc;
pub mod flow_support;
pub mod phrases;
#[cfg(test)]
pub(crate) mod testing;

pub use doc::{CheckDoc, Need};

use crate::artifacts::{Artifacts, BrowserFlows, SiteCrawl};
use crate::site::SiteIndex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Outcome states, as they appear in every report.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    NotApplicable,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::NotApplicable => "not-applicable",
            Status::Error => "error",
        }
    }

    /// The score a check gets when it does not compute a finer one.
    pub fn default_score(self) -> Option<f64> {
        match self {
            Status::Pass => Some(1.0),
            Status::Warn => Some(0.5),
            Status::Fail => Some(0.0),
            Status::NotApplicable | Status::Error => None,
        }
    }
}

impl std::str::FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "pass" => Status::Pass,
            "warn" => Status::Warn,
            "fail" => Status::Fail,
            "not-applicable" => Status::NotApplicable,
            "error" => Status::Error,
            other => return Err(format!("unknown status `{other}`")),
        })
    }
}

/// One piece of evidence behind a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Evidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// What was found there (or not), cut to a readable length.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// CSS selector or form name the evidence points at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// Screenshot path, relative to the artifacts / report folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screenshot: Option<String>,
}

impl Evidence {
    pub fn at(url: impl Into<String>, excerpt: impl Into<String>) -> Self {
        Evidence {
            url: Some(url.into()),
            excerpt: Some(excerpt.into()),
            ..Default::default()
        }
    }
    pub fn note(excerpt: impl Into<String>) -> Self {
        Evidence {
            excerpt: Some(excerpt.into()),
            ..Default::default()
        }
    }
}

/// What a check returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub status: Status,
    /// 0..1; None means "use the status's default score".
    pub score: Option<f64>,
    pub summary: String,
    pub evidence: Vec<Evidence>,
}

impl Finding {
    pub fn new(status: Status, summary: impl Into<String>) -> Self {
        Finding {
            status,
            score: None,
            summary: summary.into(),
            evidence: Vec::new(),
        }
    }
    pub fn pass(summary: impl Into<String>) -> Self {
        Self::new(Status::Pass, summary)
    }
    pub fn warn(summary: impl Into<String>) -> Self {
        Self::new(Status::Warn, summary)
    }
    pub fn fail(summary: impl Into<String>) -> Self {
        Self::new(Status::Fail, summary)
    }
    pub fn not_applicable(summary: impl Into<String>) -> Self {
        Self::new(Status::NotApplicable, summary)
    }
    pub fn error(summary: impl Into<String>) -> Self {
        Self::new(Status::Error, summary)
    }
    pub fn with_evidence(mut self, evidence: Evidence) -> Self {
        self.evidence.push(evidence);
        self
    }
    pub fn with_all_evidence(mut self, evidence: impl IntoIterator<Item = Evidence>) -> Self {
        self.evidence.extend(evidence);
        self
    }
    pub fn with_score(mut self, score: f64) -> Self {
        self.score = Some(score.clamp(0.0, 1.0));
        self
    }
}

/// Everything a check may read. Checks never do I/O.
pub struct CheckContext<'a> {
    pub artifacts: &'a Artifacts,
    pub doc: &'a CheckDoc,
    /// The doc's thresholds with the config's overrides applied.
    pub thresholds: &'a BTreeMap<String, f64>,
    site: Option<&'a SiteIndex<'a>>,
}

impl<'a> CheckContext<'a> {
    pub fn new(
        artifacts: &'a Artifacts,
        doc: &'a CheckDoc,
        thresholds: &'a BTreeMap<String, f64>,
        site: Option<&'a SiteIndex<'a>>,
    ) -> Self {
        CheckContext {
            artifacts,
            doc,
            thresholds,
            site,
        }
    }

    /// The crawl, indexed by page role. Present whenever a check that needs the crawl runs.
    pub fn site(&self) -> &SiteIndex<'a> {
        self.site
            .expect("the runner only calls crawl checks when the crawl was collected")
    }

    pub fn crawl(&self) -> &'a SiteCrawl {
        self.artifacts
            .crawl
            .collected()
            .expect("the runner only calls crawl checks when the crawl was collected")
    }

    pub fn browser(&self) -> &'a BrowserFlows {
        self.artifacts
            .browser
            .collected()
            .expect("the runner only calls browser checks when the flows were collected")
    }

    /// A threshold from the doc (or config). Panics on a name the doc does not declare: the
    /// registry test runs every check, so a typo is caught there.
    pub fn threshold(&self, name: &str) -> f64 {
        match self.thresholds.get(name) {
            Some(v) => *v,
            None => panic!("check {} has no threshold `{name}` in its doc", self.doc.id),
        }
    }

    pub fn phrases(&self, list: &str) -> &phrases::PhraseSet {
        self.doc.phrase_set(list)
    }
}

/// A check: its documentation (with id, category, weight, thresholds, phrases) and its rule.
pub struct CheckDef {
    pub doc_source: &'static str,
    pub run: fn(&CheckContext) -> Finding,
}

macro_rules! checks {
    ($($module:ident => $file:literal),* $(,)?) => {
        $(pub mod $module;)*
        const DEFINITIONS: &[CheckDef] = &[
            $(CheckDef { doc_source: include_str!(concat!("../../checks/", $file, ".md")), run: $module::run },)*
        ];
    };
}

// The catalogue, in report order. Each module has `pub fn run(&CheckContext) -> Finding`.
checks! {
    hidden_phone_number => "hidden-phone-number",
    missing_email_address => "missing-email-address",
    unreachable_contact_page => "unreachable-contact-page",
    form_only_contact => "form-only-contact",
    no_response_time_promise => "no-response-time-promise",
    no_live_chat => "no-live-chat",
    missing_faq => "missing-faq",
    missing_policy_pages => "missing-policy-pages",
    vague_delivery_promise => "vague-delivery-promise",
    broken_internal_link => "broken-internal-link",
    shouting_text => "shouting-text",
    // Browser checks come after the static ones.
    long_registration_form => "long-registration-form",
    broken_login_after_registration => "broken-login-after-registration",
    forced_account_creation => "forced-account-creation",
    long_checkout_form => "long-checkout-form",
    inconsistent_prices => "inconsistent-prices",
    contradictory_payment_message => "contradictory-payment-message",
    duplicate_order_on_resubmit => "duplicate-order-on-resubmit",
    dead_post_purchase_link => "dead-post-purchase-link",
    order_missing_from_account => "order-missing-from-account",
    thin_order_confirmation => "thin-order-confirmation",
}

/// What the checks of every page read of a page's text (the other checks read only the home,
/// contact and FAQ pages), line by line: the whole line when it may shout, else its sentences
/// about delivery, else nothing. The crawl keeps only these of the other pages (see
/// [`crate::artifacts::PageContent::reduce`]).
pub fn read_on_every_page(text: &str) -> Vec<&str> {
    let delivery = vague_delivery_promise::SentencesRead::new(text);
    let mut kept = Vec::new();
    for line in detect::lines(text) {
        if shouting_text::reads_line(line) {
            kept.push(line);
        } else {
            kept.extend(delivery.of_line(line));
        }
    }
    kept
}

/// A check with its parsed documentation.
pub struct Check {
    pub doc: CheckDoc,
    pub run: fn(&CheckContext) -> Finding,
}

/// All checks, in catalogue order. The docs are parsed once; a malformed doc is a build
/// mistake caught by the registry test, so it panics here with the doc's id and reason.
pub fn registry() -> &'static [Check] {
    static REGISTRY: OnceLock<Vec<Check>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        DEFINITIONS
            .iter()
            .map(|def| Check {
                doc: CheckDoc::parse(def.doc_source)
                    .unwrap_or_else(|e| panic!("invalid embedded check doc: {e:#}")),
                run: def.run,
            })
            .collect()
    })
}

pub fn find(id: &str) -> Option<&'static Check> {
    registry().iter().find(|c| c.doc.id == id)
}

/// A check's result as reports show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CheckResult {
    pub id: String,
    pub category: String,
    /// The check's title when it passed, its failure title otherwise.
    pub title: String,
    pub status: Status,
    /// 0..1; null for not-applicable and error.
    pub score: Option<f64>,
    pub weight: f64,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    /// How to fix, from the check's documentation.
    pub recommendation: String,
}

/// Runs every enabled check over the artifacts. A check whose artifact failed to gather is an
/// error with the reason; one whose artifact was skipped on purpose is not-applicable; a check
/// that panics is an error, and the others still run.
pub fn run_checks(artifacts: &Artifacts, config: &crate::config::Config) -> Vec<CheckResult> {
    let site = artifacts.crawl.collected().map(SiteIndex::new);
    let enabled: Vec<&Check> = registry()
        .iter()
        .filter(|check| config.check_enabled(&check.doc.id))
        .collect();
    // Checks are pure and independent; on a large crawl a few of them read every page, so
    // they share the cores instead of queueing behind each other. Results keep catalogue order.
    parallel_map(&enabled, |check| {
        run_check(check, artifacts, config, site.as_ref())
    })
}

/// `f` over every item on up to one thread per core; results in the items' order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if workers <= 1 {
        return items.iter().map(&f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            return done;
                        };
                        done.push((i, f(item)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("check panics are caught inside"))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, result)| result).collect()
}

fn run_check(
    check: &Check,
    artifacts: &Artifacts,
    config: &crate::config::Config,
    site: Option<&SiteIndex>,
) -> CheckResult {
    let doc = &check.doc;
    let overrides = config.checks.get(&doc.id);
    let mut thresholds = doc.thresholds.clone();
    if let Some(o) = overrides {
        thresholds.extend(o.thresholds.iter().map(|(k, v)| (k.clone(), *v)));
    }
    let weight = overrides.and_then(|o| o.weight).unwrap_or(doc.weight);
    let finding = match unmet_need(artifacts, &doc.needs) {
        Some(finding) => finding,
        None => {
            let ctx = CheckContext::new(artifacts, doc, &thresholds, site);
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (check.run)(&ctx)))
                .unwrap_or_else(|panic| {
                    let why = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "unknown cause".into());
                    Finding::error(format!("internal error in the check: {why}"))
                })
        }
    };
    let score = match finding.status {
        Status::NotApplicable | Status::Error => None,
        status => finding.score.or(status.default_score()),
    };
    CheckResult {
        id: doc.id.clone(),
        category: doc.category.clone(),
        title: if finding.status == Status::Pass || finding.status == Status::NotApplicable {
            doc.title.clone()
        } else {
            doc.failure_title.clone()
        },
        status: finding.status,
        score,
        weight,
        summary: finding.summary,
        evidence: finding.evidence,
        recommendation: doc.how_to_fix.clone(),
    }
}

fn unmet_need(artifacts: &Artifacts, needs: &[Need]) -> Option<Finding> {
    use crate::artifacts::Gathered;
    for need in needs {
        let (what, state) = match need {
            Need::Crawl => ("the crawl", gathered_state(&artifacts.crawl)),
            Need::Browser => ("the browser flows", gathered_state(&artifacts.browser)),
        };
        match state {
            GatherState::Collected => {}
            GatherState::Failed(reason) => {
                return Some(Finding::error(format!("{what} failed: {reason}")))
            }
            GatherState::Skipped(reason) => return Some(Finding::not_applicable(reason)),
        }
        fn gathered_state<T>(g: &Gathered<T>) -> GatherState {
            match g {
                Gathered::Collected { .. } => GatherState::Collected,
                Gathered::Failed { reason } => GatherState::Failed(reason.clone()),
                Gathered::Skipped { reason } => GatherState::Skipped(reason.clone()),
            }
        }
    }
    None
}

enum GatherState {
    Collected,
    Failed(String),
    Skipped(String),
}

#[cfg(test)]
mod reduced_page_tests {
    use super::testing::{fixture, run_on};
    use super::{registry, Need};
    use crate::artifacts::Gathered;
    use crate::site::SiteIndex;

    /// What the crawl keeps of pages that are not read whole must give every crawl check the
    /// same finding, evidence included, as the whole pages did.
    #[test]
    fn reduced_pages_give_the_same_findings_as_whole_ones() {
        for name in [
            "en-banner-contradiction",
            "en-minimal",
            "es-complete",
            "es-decoys",
            "fr-mixed",
        ] {
            let whole = fixture(name);
            let mut reduced = whole.clone();
            let crawl = whole.crawl.collected().expect("crawl fixture");
            let index = SiteIndex::new(crawl);
            let read_whole: Vec<&str> = index
                .home()
                .into_iter()
                .chain(
                    crate::site::WHOLE_PAGE_ROLES
                        .iter()
                        .flat_map(|r| index.pages_with_role(*r)),
                )
                .map(|p| p.url.as_str())
                .collect();
            let Gathered::Collected { data } = &mut reduced.crawl else {
                unreachable!()
            };
            let mut count = 0;
            for page in &mut data.pages {
                if let Some(content) = &mut page.content {
                    if !read_whole.contains(&page.url.as_str()) {
                        content.reduce(super::read_on_every_page);
                        count += 1;
                    }
                }
            }
            assert!(count > 0, "{name}: no page was reduced");
            for check in registry().iter().filter(|c| c.doc.needs == [Need::Crawl]) {
                let id = &check.doc.id;
                assert_eq!(
                    run_on(id, &whole, &[]),
                    run_on(id, &reduced, &[]),
                    "{id} on {name}"
                );
            }
        }
    }

    #[test]
    fn reduced_text_keeps_delivery_sentences_and_shouting_lines_only() {
        assert_eq!(
            super::read_on_every_page("Order before 2pm. Standard delivery in 3-5 working days."),
            ["Standard delivery in 3-5 working days."]
        );
        let shouting = "FREE SHIPPING ON EVERYTHING TODAY. Ends soon.";
        assert_eq!(super::read_on_every_page(shouting), [shouting]);
        assert!(
            super::read_on_every_page("Soft canvas with leather handles, washable.").is_empty()
        );
        // About delivery, but no time: nothing for the delivery check to compare.
        assert!(super::read_on_every_page(
            "Delivery was quick and the bag is lovely. It arrived well packed."
        )
        .is_empty());
        assert_eq!(
            super::read_on_every_page("Great bag. Shipped next day, well packed."),
            ["Shipped next day, well packed."]
        );
    }

    /// A page's text is read in one pass (folded and searched once): it must keep what reading
    /// each line alone keeps, in accented, ASCII and length-changing text alike.
    #[test]
    fn a_whole_text_is_read_as_its_lines_one_by_one() {
        let texts = [
            "Order before 2pm.\nStandard delivery in 3-5 working days.\nSoft canvas.\n\
             Great bag. Shipped next day, well packed.\nRETURNS ARE FREE FOR THIRTY DAYS\n\
             Delivery was quick.",
            "Envío gratis en 24/48h.\nDevoluciones en 30 días.\nÉCHANGE GRATUIT SOUS TRENTE JOURS\n\
             Livraison en 2 à 4 jours ouvrés. Expédition sous 24h.\nLIVRAISON EXPRESS",
            // 'İ' folds to two characters and 'Σ' by its context: offsets no longer carry over.
            "İstanbul: delivery in 5 days.\nΣ delivery in 3 days.\ndelivered: tomorrow",
            "delivery\n\nin 3 days\ndelivery in 3 days",
        ];
        for text in texts {
            let one_by_one: Vec<&str> = text
                .lines()
                .flat_map(|line| super::read_on_every_page(line))
                .collect();
            assert_eq!(super::read_on_every_page(text), one_by_one, "{text:?}");
            assert!(!one_by_one.is_empty(), "{text:?} keeps something");
        }
        assert_eq!(
            super::read_on_every_page("Order before 2pm.\nStandard delivery in 3-5 working days."),
            ["Standard delivery in 3-5 working days."]
        );
    }
}
