//! A read-only index over a crawl: page roles (home, contact, FAQ...), inbound links and click
//! depth from the home page. Pure: built from the artifacts, shared by all crawl checks.

use crate::artifacts::{Link, Page, PageContent, SiteCrawl};
use crate::checks::phrases::{fold, PhraseSet};
use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
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
/// ([`reduced_pages_read_whole`]).
pub fn may_be_read_whole(url: &str, final_url: &str, content: &PageContent) -> bool {
    let rules = role_rules();
    let signs = PageSigns::of(url, final_url, content);
    WHOLE_PAGE_ROLES
        .iter()
        .any(|role| role_strength(*role, &rules[role], &signs, content, 0) > 0)
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
    /// By index of the page in the crawl.
    click_depth: Vec<Option<u32>>,
    /// Kept for [`SiteIndex::linked_from`], which checks ask of a few URLs (broken ones, the
    /// contact page): a list of the links to every page would hold an entry per link of the
    /// crawl, a store's menu once per page.
    links: LinkTable<'a>,
}

const MIN_STRENGTH: u32 = 2;

impl<'a> SiteIndex<'a> {
    pub fn new(crawl: &'a SiteCrawl) -> Self {
        let links = LinkTable::new(crawl);
        let home = home_page(crawl, &links);
        let counts = InboundCounts::new(&links);
        let click_depth = match home {
            Some(home) => click_depths(crawl, home, &links),
            None => vec![None; crawl.pages.len()],
        };
        let by_role = pages_by_role(&links, home, &counts);
        SiteIndex {
            crawl,
            home,
            by_role,
            click_depth,
            links,
        }
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
        // Asked of a few pages (contact, FAQ, policies): a scan costs less than a map by URL
        // held for every page. A page from elsewhere is found by its URL.
        let pages = &self.crawl.pages;
        let index = (pages.iter().position(|p| std::ptr::eq(p, page)))
            .or_else(|| pages.iter().position(|p| p.url == page.url))?;
        self.click_depth[index]
    }

    /// Pages linking to `url`, with the link text, in crawl order.
    pub fn linked_from(&self, url: &str) -> impl Iterator<Item = (&'a Page, &'a str)> + '_ {
        let mut linking = Vec::new();
        let Some(&target) = self.links.target_ids.get(url) else {
            return linking.into_iter();
        };
        // The shared copies of the links to `url` (a few: the same URL under other texts or
        // in other regions), then the pages holding one, compared by address.
        let copies: Vec<usize> = self
            .links
            .ids
            .iter()
            .filter(|(_, &id)| self.links.distinct[id as usize].target == Some(target))
            .map(|(&address, _)| address)
            .collect();
        for (_, page) in self.links.html_pages() {
            for link in page.content.iter().flat_map(|content| &content.links) {
                if copies.contains(&address(link)) {
                    linking.push((page, &*link.text));
                }
            }
        }
        linking.into_iter()
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

/// A link of the crawl as the index reads it, worked out once per distinct link: the crawl
/// keeps one shared copy of each link (`gather::crawl`), and a store repeats its menu on every
/// page.
struct DistinctLink {
    /// Id of its URL (see [`LinkTable::target_ids`]).
    target: Option<u32>,
    /// The crawled page at its URL.
    target_page: Option<u32>,
    roles_named: RoleSet,
}

/// The pages whose checks read them whole (the home page, [`WHOLE_PAGE_ROLES`]) that the crawl
/// reduced: what the crawl reads again at its end. Only the roles are worked out, not the rest
/// of a [`SiteIndex`] (click depths, inbound links), which is built once the pages are final.
pub fn reduced_pages_read_whole(crawl: &SiteCrawl) -> Vec<&Page> {
    let links = LinkTable::new(crawl);
    let home = home_page(crawl, &links);
    let by_role = pages_by_role(&links, home, &InboundCounts::new(&links));
    let mut pages: Vec<&Page> = home.into_iter().collect();
    for role in WHOLE_PAGE_ROLES {
        for matched in by_role.get(&role).into_iter().flatten() {
            if !pages.iter().any(|p| std::ptr::eq(*p, matched.page)) {
                pages.push(matched.page);
            }
        }
    }
    pages.retain(|p| p.content.as_ref().is_some_and(|c| c.reduced));
    pages
}

/// The start page, when it answered with HTML.
fn home_page<'a>(crawl: &'a SiteCrawl, links: &LinkTable<'a>) -> Option<&'a Page> {
    links
        .html_pages()
        .map(|(_, page)| page)
        .find(|p| p.url == crawl.start_url)
}

/// Per link target (by id): the links to it, and those whose text names each role (a few
/// targets: the contact page, the FAQ...).
struct InboundCounts {
    links: Vec<u32>,
    named: HashMap<u32, [u32; Role::ALL.len()]>,
}

impl InboundCounts {
    fn new(links: &LinkTable) -> Self {
        let mut counts = InboundCounts {
            links: vec![0; links.target_ids.len()],
            named: HashMap::default(),
        };
        for (_, page) in links.html_pages() {
            for link in links.of_page(page) {
                if let Some(target) = link.target {
                    counts.links[target as usize] += 1;
                    if link.roles_named.is_empty() {
                        continue;
                    }
                    let named = counts.named.entry(target).or_default();
                    for role in Role::ALL {
                        if link.roles_named.contains(role) {
                            named[role as usize] += 1;
                        }
                    }
                }
            }
        }
        counts
    }
}

/// The pages recognised in each role, surest first.
fn pages_by_role<'a>(
    links: &LinkTable<'a>,
    home: Option<&'a Page>,
    counts: &InboundCounts,
) -> HashMap<Role, Vec<RoleMatch<'a>>> {
    let rules = role_rules();
    let mut by_role: HashMap<Role, Vec<RoleMatch>> = HashMap::default();
    for (_, page) in links.html_pages() {
        let is_home = home.is_some_and(|h| std::ptr::eq(page, h));
        if is_home {
            by_role
                .entry(Role::Home)
                .or_default()
                .push(RoleMatch { page, strength: 10 });
            continue;
        }
        // Links to the page under its URL, else under its final URL.
        let named_links = [&page.url, &page.final_url]
            .into_iter()
            .filter_map(|url| links.target_ids.get(url.as_str()).copied())
            .find(|&target| counts.links[target as usize] > 0)
            .and_then(|target| counts.named.get(&target).copied())
            .unwrap_or_default();
        let content = page
            .content
            .as_ref()
            .expect("only HTML pages are classified");
        let signs = PageSigns::of(&page.url, &page.final_url, content);
        for (role, rule) in rules {
            let strength = role_strength(*role, rule, &signs, content, named_links[*role as usize]);
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
    by_role
}

/// The crawl's links by id, so the index walks a million links of a large store with integer
/// lookups, not string hashing.
struct LinkTable<'a> {
    crawl: &'a SiteCrawl,
    /// Index in `distinct` of each link of the crawl (by [`address`]: shared copies are one).
    ids: HashMap<usize, u32>,
    distinct: Vec<DistinctLink>,
    /// Ids of link URLs, counted from 0.
    target_ids: HashMap<&'a str, u32>,
}

/// Where a link's shared copy lives: equal for every page holding that copy.
fn address(link: &Arc<Link>) -> usize {
    Arc::as_ptr(link) as usize
}

impl<'a> LinkTable<'a> {
    fn new(crawl: &'a SiteCrawl) -> Self {
        // Redirected pages are reachable under both URLs.
        let by_url: HashMap<&str, u32> = crawl
            .pages
            .iter()
            .enumerate()
            .flat_map(|(i, p)| [(p.url.as_str(), i as u32), (p.final_url.as_str(), i as u32)])
            .collect();
        let rules = role_rules();
        let mut roles_by_text: HashMap<&str, RoleSet> = HashMap::default();
        let mut ids: HashMap<usize, u32> = HashMap::default();
        let mut table = LinkTable {
            crawl,
            ids: HashMap::default(),
            distinct: Vec::new(),
            target_ids: HashMap::default(),
        };
        for content in crawl.pages.iter().filter_map(|p| p.content.as_ref()) {
            for link in &content.links {
                ids.entry(address(link)).or_insert_with(|| {
                    let target = link.url.as_deref().map(|url| {
                        let next = table.target_ids.len() as u32;
                        *table.target_ids.entry(url).or_insert(next)
                    });
                    let roles_named = *roles_by_text
                        .entry(&link.text)
                        .or_insert_with(|| roles_named_by_link_text(&link.text, rules));
                    table.distinct.push(DistinctLink {
                        target,
                        target_page: link.url.as_deref().and_then(|u| by_url.get(u).copied()),
                        roles_named,
                    });
                    table.distinct.len() as u32 - 1
                });
            }
        }
        table.ids = ids;
        table
    }

    /// The links of a page of the crawl.
    fn of_page<'s>(&'s self, page: &'s Page) -> impl Iterator<Item = &'s DistinctLink> + 's {
        page.content
            .iter()
            .flat_map(|content| &content.links)
            .map(|link| &self.distinct[self.ids[&address(link)] as usize])
    }

    /// Pages that answered OK with HTML, with their index in the crawl.
    fn html_pages(&self) -> impl Iterator<Item = (u32, &'a Page)> + 'a {
        self.crawl
            .pages
            .iter()
            .enumerate()
            .filter(|(_, page)| page.is_ok() && page.content.is_some())
            .map(|(i, page)| (i as u32, page))
    }
}

/// Clicks from the home page to each page of the crawl (by index) reached by links, under the
/// page's URL or else its final URL (a redirect lands on a URL another page was fetched at).
fn click_depths(crawl: &SiteCrawl, home: &Page, links: &LinkTable) -> Vec<Option<u32>> {
    // Pages by id of their URL strings, so "this URL has a depth" is an array lookup.
    let mut url_of_page = Vec::with_capacity(crawl.pages.len());
    let urls = {
        let mut url_ids: HashMap<&str, u32> = HashMap::default();
        for page in &crawl.pages {
            let mut id = |url| {
                let next = url_ids.len() as u32;
                *url_ids.entry(url).or_insert(next)
            };
            url_of_page.push((id(&page.url), id(&page.final_url)));
        }
        url_ids.len()
    };
    let mut depth_of_url: Vec<Option<u32>> = vec![None; urls];
    let home_index = crawl
        .pages
        .iter()
        .position(|p| std::ptr::eq(p, home))
        .expect("home is a page of the crawl");
    let (url, final_url) = url_of_page[home_index];
    depth_of_url[url as usize] = Some(0);
    depth_of_url[final_url as usize] = Some(0);
    let mut queue = VecDeque::from([(home_index, 0u32)]);
    while let Some((page, depth)) = queue.pop_front() {
        for link in links.of_page(&crawl.pages[page]) {
            let Some(target) = link.target_page else {
                continue;
            };
            let (url, final_url) = url_of_page[target as usize];
            if depth_of_url[url as usize].is_some() {
                continue;
            }
            depth_of_url[url as usize] = Some(depth + 1);
            depth_of_url[final_url as usize] = Some(depth + 1);
            queue.push_back((target as usize, depth + 1));
        }
    }
    url_of_page
        .into_iter()
        .map(|(url, final_url)| depth_of_url[url as usize].or(depth_of_url[final_url as usize]))
        .collect()
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
    fn is_empty(self) -> bool {
        self.0 == 0
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

/// What a page says of its own role, read once for all roles.
struct PageSigns {
    /// [`url_words`] of the page's final URL and of its requested URL.
    url_words: Vec<String>,
    /// The title and the main headings, folded.
    folded_titles: Vec<String>,
}

impl PageSigns {
    fn of(url: &str, final_url: &str, content: &PageContent) -> Self {
        PageSigns {
            url_words: url_words(&[final_url, url]),
            folded_titles: content
                .title
                .iter()
                .map(|t| t.as_str())
                .chain(
                    content
                        .headings
                        .iter()
                        .filter(|h| h.level <= 1)
                        .map(|h| h.text.as_str()),
                )
                .map(fold)
                .collect(),
        }
    }
}

/// `named_links`: links to the page whose text names the role.
fn role_strength(
    role: Role,
    rule: &RoleRule,
    signs: &PageSigns,
    content: &PageContent,
    named_links: u32,
) -> u32 {
    let mut strength = 0;
    if signs.url_words.iter().any(|w| rule.url_words.contains(w)) {
        strength += 2;
    }
    if signs
        .folded_titles
        .iter()
        .any(|t| rule.phrases.occurs_in(t))
    {
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

#[cfg(test)]
mod index_tests {
    use super::{Role, SiteIndex};
    use crate::artifacts::{Discovery, Link, Page, PageContent, Region, SiteCrawl};
    use std::sync::Arc;

    const BASE: &str = "http://s.test";

    fn link(text: &str, to: &str) -> Arc<Link> {
        Arc::new(Link {
            href: to.to_string(),
            url: Some(format!("{BASE}{to}").into()),
            text: text.into(),
            region: Region::Main,
        })
    }

    fn page(path: &str, final_path: &str, links: Vec<Arc<Link>>) -> Page {
        Page {
            final_url: format!("{BASE}{final_path}"),
            status: Some(200),
            content_type: Some("text/html".into()),
            content: Some(PageContent {
                title: Some(format!("Page {path}")),
                links: links.into(),
                ..PageContent::default()
            }),
            ..Page::requested(&format!("{BASE}{path}"), Discovery::Link, 1)
        }
    }

    /// A crawl whose menu link is one shared copy on two pages and a separate equal copy on a
    /// third, with a redirect, a 404 and a page whose body stopped arriving.
    fn crawl() -> SiteCrawl {
        let contact = link("Contact", "/help");
        let mut broken = page("/broken", "/broken", vec![]);
        broken.status = Some(404);
        broken.content = None;
        let mut partial = page("/partial", "/partial", vec![link("Deep", "/deep")]);
        partial.error = Some("the body stopped arriving".into());
        SiteCrawl {
            start_url: format!("{BASE}/"),
            pages: vec![
                page(
                    "/",
                    "/",
                    vec![contact.clone(), link("One", "/p1"), link("Old", "/old")],
                ),
                page("/p1", "/p1", vec![contact.clone(), link("Two", "/p2")]),
                page("/old", "/new", vec![link("Two", "/p2")]),
                page("/help", "/help", vec![]),
                page(
                    "/p2",
                    "/p2",
                    vec![
                        link("Contact", "/help"),
                        link("Broken", "/broken"),
                        link("More", "/partial"),
                    ],
                ),
                broken,
                partial,
                page("/deep", "/deep", vec![]),
            ],
            ..SiteCrawl::default()
        }
    }

    #[test]
    fn click_depths_inbound_links_and_named_roles() {
        let crawl = crawl();
        let index = SiteIndex::new(&crawl);
        let by_path = |path: &str| {
            crawl
                .pages
                .iter()
                .find(|p| p.url == format!("{BASE}{path}"))
                .unwrap()
        };
        let depths: Vec<Option<u32>> = ["/", "/p1", "/old", "/help", "/p2", "/partial", "/deep"]
            .iter()
            .map(|path| index.click_depth(by_path(path)))
            .collect();
        assert_eq!(
            depths,
            [
                Some(0),
                Some(1),
                Some(1),
                Some(1),
                Some(2),
                Some(3),
                Some(4)
            ]
        );
        assert_eq!(index.click_depth(by_path("/broken")), Some(3));
        // A copy of a page, not the crawl's own, is found by its URL.
        assert_eq!(index.click_depth(&by_path("/p2").clone()), Some(2));

        let from = |path: &str| -> Vec<(String, String)> {
            index
                .linked_from(&format!("{BASE}{path}"))
                .map(|(page, text)| (page.url.trim_start_matches(BASE).to_string(), text.into()))
                .collect()
        };
        let contact_links = ["/", "/p1", "/p2"].map(|p| (p.to_string(), "Contact".to_string()));
        assert_eq!(from("/help"), contact_links);
        assert_eq!(
            from("/p2"),
            [("/p1".into(), "Two".into()), ("/old".into(), "Two".into())]
        );
        // Links of a page that did not answer OK count for reachability only.
        assert!(from("/deep").is_empty());

        // Three links named "Contact", one of them a separate copy of the menu link.
        assert_eq!(
            index.best(Role::Contact).map(|p| p.url.as_str()),
            Some("http://s.test/help")
        );
        assert_eq!(index.role_matches(Role::Contact)[0].strength, 2);
        assert_eq!(index.home().map(|p| p.url.as_str()), Some("http://s.test/"));
        assert!(index.has_role(by_path("/"), Role::Home));
    }
}
