//! What the flows share: the phrase lists, platform paths, hints from the crawl, the test
//! identity and card, and page-reading helpers.

use super::driver::{Clickable, PageState};
use super::fill::{Identity, TestCard};
use crate::checks::phrases::{fold, PhraseSet};
use crate::config::BrowserOverrides;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use url::Url;

/// The phrase lists of `checks/browser-flows.toml`.
pub fn phrases() -> &'static BTreeMap<String, PhraseSet> {
    static PHRASES: OnceLock<BTreeMap<String, PhraseSet>> = OnceLock::new();
    PHRASES.get_or_init(|| {
        let mut lists: BTreeMap<String, PhraseSet> =
            toml::from_str(include_str!("../../../checks/browser-flows.toml"))
                .unwrap_or_else(|e| panic!("checks/browser-flows.toml is invalid: {e}"));
        for list in lists.values_mut() {
            list.build();
        }
        lists
    })
}

pub fn matches(list: &str, text: &str) -> bool {
    phrases()[list].occurs_in(&fold(text))
}

#[derive(Debug, Clone, Deserialize)]
pub struct Platform {
    pub name: String,
    pub register: Vec<String>,
    pub login: Vec<String>,
    pub cart: Vec<String>,
    pub orders: Vec<String>,
}

pub fn platforms() -> &'static [Platform] {
    #[derive(Deserialize)]
    struct File {
        platform: Vec<Platform>,
    }
    static PLATFORMS: OnceLock<Vec<Platform>> = OnceLock::new();
    PLATFORMS.get_or_init(|| {
        toml::from_str::<File>(include_str!("../../../checks/platform-paths.toml"))
            .unwrap_or_else(|e| panic!("checks/platform-paths.toml is invalid: {e}"))
            .platform
    })
}

/// Candidate URLs per purpose, from the crawl's page roles (surest first), with how each was
/// found. Owned so the flows can run on a blocking thread.
#[derive(Debug, Clone, Default)]
pub struct Hints {
    pub registration: Vec<(String, String)>,
    pub login: Vec<(String, String)>,
    pub product: Vec<(String, String)>,
    pub cart: Vec<(String, String)>,
    pub order_history: Vec<(String, String)>,
}

impl Hints {
    pub fn from_crawl(crawl: &crate::artifacts::SiteCrawl) -> Hints {
        use crate::site::{Role, SiteIndex};
        let index = SiteIndex::new(crawl);
        let urls = |role: Role| -> Vec<(String, String)> {
            index
                .pages_with_role(role)
                .take(6)
                .map(|p| (p.final_url.clone(), "page role from the crawl".to_string()))
                .collect()
        };
        Hints {
            registration: urls(Role::Registration),
            login: urls(Role::Login),
            product: urls(Role::Product),
            cart: urls(Role::Cart),
            order_history: urls(Role::OrderHistory),
        }
    }
}

/// Everything a flow needs besides its tab.
#[derive(Clone)]
pub struct FlowEnv {
    pub start: Url,
    pub hints: Hints,
    pub identity: Identity,
    pub card: Result<TestCard, String>,
    pub overrides: BrowserOverrides,
    pub place_orders: bool,
    pub http: reqwest::Client,
    pub runtime: tokio::runtime::Handle,
}

impl FlowEnv {
    /// A path of the store resolved against its root (platform paths are root-relative).
    pub fn at(&self, path: &str) -> Option<String> {
        self.start.join(path).ok().map(|u| u.to_string())
    }

    /// The card to type into card fields; when the configured one is unusable the public test
    /// card stands in for forms that merely show card fields (the checkout itself stops at the
    /// payment step with the configuration error).
    pub fn card_for_forms(&self) -> TestCard {
        self.card.clone().unwrap_or_else(|_| {
            TestCard::from_config(&Default::default()).expect("the defaults are valid")
        })
    }

    /// Whether `url` answers with a page (2xx after redirects) — a cheap check before spending
    /// browser commands on a guessed platform path.
    pub fn answers(&self, url: &str) -> bool {
        let http = self.http.clone();
        let url = url.to_string();
        self.runtime.block_on(async move {
            matches!(http.get(&url).send().await, Ok(r) if r.status().is_success())
        })
    }

    pub fn same_site(&self, url: &str) -> bool {
        Url::parse(url).is_ok_and(|u| u.host_str() == self.start.host_str())
    }
}

/// The best clickable whose text is in `list` (or whose href contains one of `href_words`),
/// skipping those matching `exclude`. Exact text matches first, then shorter texts.
pub fn find_clickable<'a>(
    state: &'a PageState,
    list: &str,
    href_words: &[&str],
    exclude: &[&str],
) -> Option<&'a Clickable> {
    let set = &phrases()[list];
    let mut best: Option<(u32, usize, &Clickable)> = None;
    for c in &state.clickables {
        if c.disabled {
            continue;
        }
        let text = fold(c.text.trim());
        if exclude.iter().any(|l| phrases()[*l].occurs_in(&text)) {
            continue;
        }
        let href = c.href.as_deref().map(fold).unwrap_or_default();
        if href.starts_with("javascript:") && c.tag == "a" && !c.submits && text.is_empty() {
            continue;
        }
        let score = if !text.is_empty() && set.all().any(|p| fold(p) == text) {
            3
        } else if text.chars().count() <= 60 && set.find(&text).is_some() {
            2
        } else if href_words.iter().any(|w| href_path(&href).contains(w)) {
            1
        } else {
            continue;
        };
        let better = match best {
            None => true,
            Some((s, len, _)) => score > s || (score == s && text.len() < len),
        };
        if better {
            best = Some((score, text.len(), c));
        }
    }
    best.map(|(_, _, c)| c)
}

fn href_path(href: &str) -> String {
    Url::parse(href)
        .map(|u| {
            format!(
                "{}{}",
                u.path(),
                u.query().map(|q| format!("?{q}")).unwrap_or_default()
            )
        })
        .unwrap_or_else(|_| href.to_string())
}

const LOGOUT_HREFS: [&str; 7] = [
    "logout",
    "log-out",
    "log_out",
    "signout",
    "sign-out",
    "sign_out",
    "deconnexion",
];

/// The sign-out control of a signed-in page.
pub fn logout_control(state: &PageState) -> Option<&Clickable> {
    find_clickable(state, "logout", &LOGOUT_HREFS, &[])
}

pub fn is_signed_in(state: &PageState) -> bool {
    logout_control(state).is_some()
}

/// Same-site links of a page, absolute, deduplicated, in page order.
pub fn page_links(state: &PageState) -> Vec<(String, String)> {
    let mut seen = std::collections::BTreeSet::new();
    state
        .clickables
        .iter()
        .filter_map(|c| {
            let href = c.href.as_ref()?;
            let mut url = Url::parse(href).ok()?;
            if !matches!(url.scheme(), "http" | "https") {
                return None;
            }
            url.set_fragment(None);
            let url = url.to_string();
            seen.insert(url.clone()).then(|| (url, c.text.clone()))
        })
        .collect()
}

/// The HTTP client for platform-path probes and link checks: the crawler's user agent and
/// timeout, redirects followed as a browser would.
pub fn http_client(crawl: &crate::config::CrawlConfig) -> anyhow::Result<reqwest::Client> {
    crate::gather::fetch::install_crypto_provider();
    Ok(reqwest::Client::builder()
        .user_agent(&crawl.user_agent)
        .timeout(std::time::Duration::from_secs_f64(
            crawl.timeout_secs.min(15.0),
        ))
        .redirect(reqwest::redirect::Policy::limited(
            crawl.max_redirects as usize,
        ))
        .build()?)
}
