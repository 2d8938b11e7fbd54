//! A read-only index over a crawl: page roles (home, contact, FAQ...), inbound links and click
//! depth from the home page. Pure: built from the artifacts, shared by all crawl checks.

use crate::artifacts::{Page, PageContent, SiteCrawl};
use crate::checks::phrases::{fold, PhraseSet};
use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Home,
    Contact,
    Faq,
    Shipping,
    Returns,
    Payment,
    Product,
    Cart,
    Checkout,
    Login,
    Registration,
    OrderHistory,
}

impl Role {
    pub const ALL: [Role; 12] = [
        Role::Home,
        Role::Contact,
        Role::Faq,
        Role::Shipping,
        Role::Returns,
        Role::Payment,
        Role::Product,
        Role::Cart,
        Role::Checkout,
        Role::Login,
        Role::Registration,
        Role::OrderHistory,
    ];
}

/// Roles whose checks read all of a page (text, scripts, images, disclosures), like the home
/// page's. The crawl keeps such pages whole and reduces the others (`PageContent::reduce`).
pub const WHOLE_PAGE_ROLES: [Role; 2] = [Role::Contact, Role::Faq];

/// Whether a page shows a sign of a role in [`WHOLE_PAGE_ROLES`] by itself: its URL, title,
/// main heading or structure. Links naming it are not all known while crawling; a page that
/// gets such a role only from them is read again at the end of the crawl
/// ([`SiteIndex::reduced_pages_read_whole`]).
pub fn may_be_read_whole(url: &str, final_url: &str, content: &PageContent) -> bool {
    let rules = role_rules();
    let words = url_words(&[final_url, url]);
    WHOLE_PAGE_ROLES
        .iter()
        .any(|role| role_strength(*role, &rules[role], content, &words, 0) > 0)
}

/// The schema.org types page roles are recognised by (see `content_signal`).
pub const JSON_LD_TYPES_READ: [&str; 2] = ["Product", "FAQPage"];

/// How one role is recognised; from `checks/page-roles.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleRule {
    /// Path segments (or parts of segments between `-`/`_`) that name the role in a URL.
    #[serde(default)]
    pub url_words: Vec<String>,
    /// Link texts, titles and main headings that name the role.
    pub phrases: PhraseSet,
}

pub fn role_rules() -> &'static BTreeMap<Role, RoleRule> {
    static RULES: OnceLock<BTreeMap<Role, RoleRule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut rules: BTreeMap<Role, RoleRule> =
            toml::from_str(include_str!("../checks/page-roles.toml"))
                .unwrap_or_else(|e| panic!("checks/page-roles.toml is invalid: {e}"));
        for rule in rules.values_mut() {
            rule.phrases.build();
        }
        rules
    })
}

/// A page with its role evidence strength (higher is surer).
#[derive(Debug, Clone, Copy)]
pub struct RoleMatch<'a> {
    pub page: &'a Page,
    pub strength: u32,
}

pub struct SiteIndex<'a> {
    pub crawl: &'a SiteCrawl,
    home: Option<&'a Page>,
    by_role: HashMap<Role, Vec<RoleMatch<'a>>>,
    click_depth: HashMap<&'a str, u32>,
    inbound: HashMap<&'a str, Vec<InboundLink>>,
}

/// A link to a page: which page of the crawl holds it, and where in its links.
#[derive(Debug, Clone, Copy)]
struct InboundLink {
    page: u32,
    link: u32,
}

const MIN_STRENGTH: u32 = 2;

impl<'a> SiteIndex<'a> {
    pub fn new(crawl: &'a SiteCrawl) -> Self {
        let html: Vec<&Page> = crawl
            .pages
            .iter()
            .filter(|p| p.is_ok() && p.content.is_some())
            .collect();
        let home = crawl
            .pages
            .iter()
            .find(|p| p.url == crawl.start_url && p.is_ok() && p.content.is_some());

        // Inbound links: target URL -> (linking page, link) as indices: a store links its
        // menu targets from every page, and 8 bytes an entry keep a large crawl's index small.
        // Counted first so each list is allocated once at its size.
        let mut inbound_counts: HashMap<&str, usize> = HashMap::default();
        for page in &html {
            for link in &page.content.as_ref().unwrap().links {
                if let Some(target) = &link.url {
                    *inbound_counts.entry(&**target).or_default() += 1;
                }
            }
        }
        let mut inbound: HashMap<&str, Vec<InboundLink>> = inbound_counts
            .into_iter()
            .map(|(target, count)| (target, Vec::with_capacity(count)))
            .collect();
        for (page_index, page) in crawl.pages.iter().enumerate() {
            if !(page.is_ok() && page.content.is_some()) {
                continue;
            }
            for (link_index, link) in page.content.as_ref().unwrap().links.iter().enumerate() {
                if let Some(target) = &link.url {
                    if let Some(links_in) = inbound.get_mut(&**target) {
                        links_in.push(InboundLink {
                            page: page_index as u32,
                            link: link_index as u32,
                        });
                    }
                }
            }
        }
        // Redirected pages are reachable under both URLs.
        let by_url: HashMap<&str, &Page> = crawl
            .pages
            .iter()
            .flat_map(|p| [(p.url.as_str(), p), (p.final_url.as_str(), p)])
            .collect();

        let mut click_depth = HashMap::default();
        if let Some(home) = home {
            let mut queue = VecDeque::from([(home, 0u32)]);
            click_depth.insert(home.url.as_str(), 0);
            click_depth.insert(home.final_url.as_str(), 0);
            while let Some((page, depth)) = queue.pop_front() {
                let Some(content) = &page.content else {
                    continue;
                };
                for link in &content.links {
                    let Some(target) = link.url.as_deref().and_then(|u| by_url.get(u)) else {
                        continue;
                    };
                    if click_depth.contains_key(target.url.as_str()) {
                        continue;
                    }
                    click_depth.insert(target.url.as_str(), depth + 1);
                    click_depth.insert(target.final_url.as_str(), depth + 1);
                    queue.push_back((target, depth + 1));
                }
            }
        }

        let rules = role_rules();
        // Every store repeats its menu on every page: the roles a link text names are worked
        // out once per distinct text, not once per link and role.
        let mut roles_named: HashMap<&str, RoleSet> = HashMap::default();
        for page in &html {
            for link in &page.content.as_ref().unwrap().links {
                roles_named
                    .entry(&link.text)
                    .or_insert_with(|| roles_named_by_link_text(&link.text, rules));
            }
        }
        let link_text = |entry: &InboundLink| -> &'a str {
            let page = &crawl.pages[entry.page as usize];
            &page
                .content
                .as_ref()
                .expect("inbound links come from HTML pages")
                .links[entry.link as usize]
                .text
        };
        let mut by_role: HashMap<Role, Vec<RoleMatch>> = HashMap::default();
        for page in &html {
            let is_home = home.is_some_and(|h| std::ptr::eq(*page, h));
            if is_home {
                by_role
                    .entry(Role::Home)
                    .or_default()
                    .push(RoleMatch { page, strength: 10 });
                continue;
            }
            let links_in = inbound
                .get(page.url.as_str())
                .or_else(|| inbound.get(page.final_url.as_str()));
            let words = url_words(&[&page.final_url, &page.url]);
            let mut named_links = [0u32; Role::ALL.len()];
            for entry in links_in.into_iter().flatten() {
                let named = roles_named[link_text(entry)];
                for role in Role::ALL {
                    if named.contains(role) {
                        named_links[role as usize] += 1;
                    }
                }
            }
            for (role, rule) in rules {
                let named_links = named_links[*role as usize];
                let content = page
                    .content
                    .as_ref()
                    .expect("only HTML pages are classified");
                let strength = role_strength(*role, rule, content, &words, named_links);
                if strength >= MIN_STRENGTH {
                    by_role
                        .entry(*role)
                        .or_default()
                        .push(RoleMatch { page, strength });
                }
            }
        }
        for matches in by_role.values_mut() {
            matches.sort_by(|a, b| {
                b.strength
                    .cmp(&a.strength)
                    .then(a.page.depth.cmp(&b.page.depth))
            });
        }
        SiteIndex {
            crawl,
            home,
            by_role,
            click_depth,
            inbound,
        }
    }

    /// Pages whose checks read them whole (home, [`WHOLE_PAGE_ROLES`]) but that the crawl
    /// reduced.
    pub fn reduced_pages_read_whole(&self) -> Vec<&'a Page> {
        let mut pages: Vec<&'a Page> = self.home.into_iter().collect();
        for role in WHOLE_PAGE_ROLES {
            for page in self.pages_with_role(role) {
                if !pages.iter().any(|p| std::ptr::eq(*p, page)) {
                    pages.push(page);
                }
            }
        }
        pages.retain(|p| p.content.as_ref().is_some_and(|c| c.reduced));
        pages
    }

    /// The start page, when it answered with HTML.
    pub fn home(&self) -> Option<&'a Page> {
        self.home
    }

    /// Pages recognised in a role, surest first.
    pub fn pages_with_role(&self, role: Role) -> impl Iterator<Item = &'a Page> + '_ {
        self.by_role
            .get(&role)
            .into_iter()
            .flatten()
            .map(|m| m.page)
    }

    pub fn role_matches(&self, role: Role) -> &[RoleMatch<'a>] {
        self.by_role.get(&role).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// The surest page in a role.
    pub fn best(&self, role: Role) -> Option<&'a Page> {
        self.pages_with_role(role).next()
    }

    pub fn has_role(&self, page: &Page, role: Role) -> bool {
        self.pages_with_role(role).any(|p| std::ptr::eq(p, page))
    }

    /// Clicks from the home page following links (None: not reachable by links).
    pub fn click_depth(&self, page: &Page) -> Option<u32> {
        self.click_depth
            .get(page.url.as_str())
            .or_else(|| self.click_depth.get(page.final_url.as_str()))
            .copied()
    }

    /// Pages linking to `url`, with the link text, in crawl order.
    pub fn linked_from(&self, url: &str) -> impl Iterator<Item = (&'a Page, &'a str)> + '_ {
        let crawl = self.crawl;
        self.inbound
            .get(url)
            .into_iter()
            .flatten()
            .map(move |entry| {
                let page = &crawl.pages[entry.page as usize];
                let content = page
                    .content
                    .as_ref()
                    .expect("inbound links come from HTML pages");
                (page, &*content.links[entry.link as usize].text)
            })
    }

    /// Every HTML page that answered OK.
    pub fn html_pages(&self) -> impl Iterator<Item = (&'a Page, &'a PageContent)> {
        self.crawl
            .pages
            .iter()
            .filter(|p| p.is_ok())
            .filter_map(|p| p.content.as_ref().map(|c| (p, c)))
    }
}

/// Roles as a bit set (one bit per [`Role`]).
#[derive(Debug, Clone, Copy, Default)]
struct RoleSet(u16);

impl RoleSet {
    fn insert(&mut self, role: Role) {
        self.0 |= 1 << role as u16;
    }
    fn contains(self, role: Role) -> bool {
        self.0 & (1 << role as u16) != 0
    }
}

/// Roles a link text *is* the phrase of ("Contact", "Preguntas frecuentes"), not merely
/// contains.
fn roles_named_by_link_text(text: &str, rules: &BTreeMap<Role, RoleRule>) -> RoleSet {
    let mut roles = RoleSet::default();
    let folded = fold(text.trim());
    if folded.is_empty() || folded.chars().count() > 40 {
        return roles;
    }
    for (role, rule) in rules {
        if rule.phrases.occurs_in(&folded) {
            roles.insert(*role);
        }
    }
    roles
}

/// `named_links`: links to the page whose text names the role.
/// `words`: [`url_words`] of the page's final URL and of its requested URL.
fn role_strength(
    role: Role,
    rule: &RoleRule,
    content: &PageContent,
    words: &[String],
    named_links: u32,
) -> u32 {
    let mut strength = 0;
    if words.iter().any(|w| rule.url_words.contains(w)) {
        strength += 2;
    }
    let title_hit = content
        .title
        .as_deref()
        .is_some_and(|t| rule.phrases.matches(t))
        || content
            .headings
            .iter()
            .filter(|h| h.level <= 1)
            .any(|h| rule.phrases.matches(&h.text));
    if title_hit {
        strength += 2;
    }
    strength += named_links.min(2);
    strength + content_signal(role, content)
}

#[cfg(test)]
fn url_names_role(url: &str, words: &[String]) -> bool {
    url_words(&[url]).iter().any(|w| words.contains(w))
}

/// The path segments of a URL, lower-cased and percent-decoded (none when it does not parse).
fn path_segments(url: &str) -> Vec<String> {
    let Ok(parsed) = url::Url::parse(url) else {
        return Vec::new();
    };
    let path = parsed.path().to_lowercase();
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect()
}

/// The words of a page's URLs that can name a role, once per page (every role asks): each path
/// segment ("contacto", "envios" of "envios.html"), and the parts of a short compound
/// ("politica-de-envios", "shipping-policy"). Long slugs of articles and products
/// ("como-elegir-el-envio-mas-barato-para-tu-tienda") name a topic, not a page's role.
fn url_words(urls: &[&str]) -> Vec<String> {
    const MAX_COMPOUND_PARTS: usize = 3;
    let mut words = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        // A page that was not redirected has the same URL twice.
        if urls[..i].contains(url) {
            continue;
        }
        for segment in path_segments(url) {
            let stem = segment.split('.').next().unwrap_or(&segment);
            let parts: Vec<&str> = stem.split(['-', '_']).filter(|p| !p.is_empty()).collect();
            if parts.len() <= MAX_COMPOUND_PARTS {
                words.extend(parts.iter().map(|p| p.to_string()));
            }
            words.push(stem.to_string());
        }
    }
    words
}

/// Path segments as written by people: "env%C3%ADos" is "envíos".
fn percent_decode(segment: &str) -> String {
    url::form_urlencoded::parse(segment.as_bytes())
        .map(|(k, v)| {
            if v.is_empty() {
                k.into_owned()
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Structural evidence a phrase list cannot give: forms and schema.org types.
fn content_signal(role: Role, content: &PageContent) -> u32 {
    let password_fields =
        |f: &crate::artifacts::Form| f.fields.iter().filter(|x| x.kind == "password").count();
    let has_form = |min: usize, max: usize| {
        content
            .forms
            .iter()
            .any(|f| (min..=max).contains(&password_fields(f)))
    };
    match role {
        Role::Product
            if content
                .json_ld
                .iter()
                .any(|v| json_ld_has_type(v, JSON_LD_TYPES_READ[0])) =>
        {
            3
        }
        Role::Registration if has_form(2, usize::MAX) => 2,
        Role::Login if has_form(1, 1) => 1,
        Role::Faq
            if content
                .json_ld
                .iter()
                .any(|v| json_ld_has_type(v, JSON_LD_TYPES_READ[1])) =>
        {
            3
        }
        _ => 0,
    }
}

/// True when a JSON-LD value (or any node in its `@graph`) has `@type` equal to `ty`.
pub fn json_ld_has_type(value: &serde_json::Value, ty: &str) -> bool {
    match value {
        serde_json::Value::Object(map) => {
            let type_matches = match map.get("@type") {
                Some(serde_json::Value::String(s)) => s == ty,
                Some(serde_json::Value::Array(a)) => a.iter().any(|v| v == ty),
                _ => false,
            };
            type_matches || map.get("@graph").is_some_and(|g| json_ld_has_type(g, ty))
        }
        serde_json::Value::Array(items) => items.iter().any(|v| json_ld_has_type(v, ty)),
        _ => false,
    }
}

#[cfg(test)]
mod url_role_tests {
    use super::url_names_role;

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn role_words_name_pages_but_long_slugs_do_not() {
        let shipping = words(&["envios", "envíos", "shipping"]);
        assert!(url_names_role("https://t.test/envios", &shipping));
        assert!(url_names_role(
            "https://t.test/politica-de-envios.html",
            &shipping
        ));
        assert!(url_names_role("https://t.test/env%C3%ADos", &shipping));
        assert!(url_names_role(
            "https://t.test/pages/shipping-policy",
            &shipping
        ));
        assert!(!url_names_role(
            "https://t.test/blog/como-elegir-envios-baratos-para-tu-tienda",
            &shipping
        ));
    }
}
