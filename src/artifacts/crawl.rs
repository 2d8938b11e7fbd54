use serde::{Deserialize, Serialize};
use std::sync::Arc;
use thin_vec::ThinVec;

/// What the HTTP crawl saw of the store. Raw HTML is not kept: each page is reduced to what the
/// checks need while it is parsed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SiteCrawl {
    pub start_url: String,
    /// URL prefix the crawl stayed under (scheme + host + folder), see `--scope`.
    pub scope_prefix: String,
    /// Every URL the crawler requested, the start URL first, then by URL (answers arrive in
    /// a different order on every run): HTML pages extracted, other answers (errors,
    /// non-HTML) with status only.
    pub pages: Vec<Page>,
    /// The start host's robots.txt as fetched (None when it was not fetched: robots ignored
    /// and sitemaps off). `status` 404 = no file; `obeyed` is false under `--ignore-robots`.
    pub robots: Option<RobotsSummary>,
    pub stats: CrawlStats,
    /// Things the crawler had to give up on or work around (trap detected, page cap hit, ...).
    #[serde(default)]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RobotsSummary {
    pub url: String,
    pub status: Option<u16>,
    pub obeyed: bool,
    pub disallowed_urls_skipped: u32,
    pub crawl_delay_secs: Option<f64>,
    pub sitemaps: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CrawlStats {
    pub requests: u32,
    pub pages_extracted: u32,
    pub bytes_downloaded: u64,
    pub duration_ms: u64,
    pub skipped_by_robots: u32,
    pub skipped_out_of_scope: u32,
    pub skipped_by_limits: u32,
    pub skipped_as_traps: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Discovery {
    Start,
    Link,
    Sitemap,
}

/// One requested URL and, when it answered with HTML, what was extracted from it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page {
    /// The URL as requested (normalised: no fragment).
    pub url: String,
    /// The URL after redirects.
    pub final_url: String,
    /// HTTP status of the final answer; None when no answer came (see `error`).
    pub status: Option<u16>,
    /// Why the fetch failed or was cut short: timeout, connection refused, TLS, redirect loop,
    /// body over the byte limit, not HTML...
    pub error: Option<String>,
    /// The body was cut at `--max-bytes` (`error` says so): the page answered, the crawler
    /// chose not to read all of it.
    #[serde(default)]
    pub truncated: bool,
    pub discovered_via: Discovery,
    /// Link hops from the start URL at discovery (sitemap URLs: the depth they were found at).
    pub depth: u32,
    pub content_type: Option<String>,
    pub bytes: u64,
    pub fetch_ms: u64,
    /// The extracted content; None for non-HTML answers, answers of 400 and above, redirects
    /// that were not followed (off the store's hosts) and failures. A page cut at the byte cap
    /// keeps what was read before the cut (with `error` set, so `is_ok()` is false).
    pub content: Option<PageContent>,
}

impl Page {
    /// A URL as requested, before any answer.
    pub fn requested(url: &str, via: Discovery, depth: u32) -> Page {
        Page {
            url: url.to_string(),
            final_url: url.to_string(),
            status: None,
            error: None,
            truncated: false,
            discovered_via: via,
            depth,
            content_type: None,
            bytes: 0,
            fetch_ms: 0,
            content: None,
        }
    }

    /// Answered without an error status, and read in full or cut only by our byte limit.
    pub fn is_ok(&self) -> bool {
        matches!(self.status, Some(s) if s < 400) && (self.error.is_none() || self.truncated)
    }

    /// What a customer would call broken: an error status, no answer, a redirect that goes
    /// nowhere, or a body that stopped arriving. A page cut by our own byte limit is not.
    pub fn is_broken(&self) -> bool {
        match self.status {
            Some(status) if status >= 400 => true,
            _ => self.error.is_some() && !self.truncated,
        }
    }
    pub fn is_html(&self) -> bool {
        self.content.is_some()
    }
}

/// Which part of the page a piece of content was found in. Header and footer are what every
/// page repeats; checks of "visible on the home page" treat all regions alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Region {
    Header,
    Nav,
    #[default]
    Main,
    Footer,
}

/// Fields missing from a saved file read as empty, so older or hand-written artifacts load.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PageContent {
    pub lang: Option<String>,
    pub title: Option<String>,
    pub meta_description: Option<String>,
    /// Target of `<meta http-equiv="refresh" content="N; url=...">`, absolute (language
    /// pickers and old home pages move visitors on this way; the crawler follows it).
    pub meta_refresh: Option<String>,
    /// Visible text of the body (no script/style/noscript/template, no hidden elements),
    /// whitespace collapsed, block elements separated by newlines. Empty on reduced pages,
    /// which keep `kept_lines` instead; [`PageContent::text_lines`] reads either.
    pub text: String,
    /// Reduced pages: the parts of the text the checks of every page read (see
    /// [`PageContent::reduce`]), one a line. Shared: a store repeats its delivery promises
    /// and banners on every page, and the crawl keeps one copy of each line.
    #[serde(skip_serializing_if = "ThinVec::is_empty", with = "shared_text::lines")]
    pub kept_lines: ThinVec<Arc<str>>,
    /// The same visible text split by region, for evidence and header/footer checks. Shared:
    /// a store repeats them on every page, and the crawl keeps one copy of each.
    #[serde(with = "shared_text")]
    pub header_text: Arc<str>,
    #[serde(with = "shared_text")]
    pub footer_text: Arc<str>,
    pub headings: ThinVec<Heading>,
    /// Shared: a store repeats its menu and footer links on every page, and the crawl keeps
    /// one copy of each link and of each run of links that repeats (see [`Links`]).
    pub links: Links,
    /// Targets of `tel:` links (as written, without the scheme).
    pub tel_links: ThinVec<String>,
    /// Targets of `mailto:` links (address part only).
    pub mailto_links: ThinVec<String>,
    /// Shared on reduced pages: a store repeats its search and newsletter forms on every page
    /// (see `gather::crawl`).
    pub forms: ThinVec<Arc<Form>>,
    /// Each `<script type="application/ld+json">` block that parsed as JSON. Shared on reduced
    /// pages, which keep only the types (see [`PageContent::reduce`]).
    pub json_ld: ThinVec<Arc<serde_json::Value>>,
    /// `src` of every external script, absolute.
    pub script_srcs: ThinVec<String>,
    /// Inline scripts, each cut to its first 2,000 characters (chat snippets live here).
    pub inline_scripts: ThinVec<String>,
    /// Texts of disclosure widgets that usually hold one question each: `<details><summary>`,
    /// `<dt>`, and accordion toggles (`aria-expanded`, `aria-controls`).
    pub disclosures: ThinVec<String>,
    /// Images with their alt text (a phone number only in an image is not readable text).
    pub images: ThinVec<Image>,
    /// `src` (or `data-src`) of every iframe, absolute (embedded chat and help widgets).
    pub iframe_srcs: ThinVec<String>,
    /// Reduced while crawling (see [`PageContent::reduce`]): the page has no role whose checks
    /// read all of it, so only what the checks of every page read was kept. Raw HTML is never
    /// kept; this also keeps the extracted text of a 10,000-page store out of memory.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reduced: bool,
}

impl PageContent {
    /// The lines of the visible text: all of them, or on a reduced page the parts kept.
    pub fn text_lines(&self) -> impl Iterator<Item = &str> {
        self.text
            .lines()
            .chain(self.kept_lines.iter().map(|line| &**line))
    }

    /// Keeps what the checks read on every page and what page roles are recognised by:
    /// - text: only what `keep` returns of its lines (parts of lines, one a line), moved to
    ///   `kept_lines`;
    ///   header and footer texts whole (checks compare the text with them);
    /// - title, language, meta refresh, level-1 headings;
    /// - links with their URL, text and region (`href` emptied when `url` holds it resolved);
    /// - forms with their submit texts and password fields only;
    /// - JSON-LD blocks of a type page roles are recognised by, reduced to their `@type`s (and
    ///   `@graph` nodes' `@type`s).
    ///
    /// Dropped: the description, tel:/mailto: targets, scripts, frames, images, disclosures
    /// and the other headings, which only the home, contact and FAQ checks read.
    pub fn reduce(&mut self, keep: impl for<'t> Fn(&'t str) -> Vec<&'t str>) {
        // The text is given whole (its lines in one call) and the lines already kept one by one.
        let kept: ThinVec<Arc<str>> = keep(&self.text)
            .into_iter()
            .chain(self.kept_lines.iter().flat_map(|line| keep(line)))
            .map(Arc::from)
            .collect();
        self.kept_lines = kept;
        self.text = String::new();
        self.meta_description = None;
        self.headings.retain(|h| h.level <= 1);
        self.links.for_each_mut(|link| {
            if link.url.is_some() {
                Arc::make_mut(link).href = String::new();
            }
        });
        for form in &mut self.forms {
            let form = Arc::make_mut(form);
            form.fields.retain(|f| f.kind == "password");
            // Growth left over from extraction would outweigh what is kept.
            form.fields.shrink_to_fit();
            form.submit_texts.shrink_to_fit();
        }
        self.forms.shrink_to_fit();
        self.json_ld = self
            .json_ld
            .iter()
            .filter(|block| {
                crate::site::JSON_LD_TYPES_READ
                    .iter()
                    .any(|ty| crate::site::json_ld_has_type(block, ty))
            })
            .map(|block| Arc::new(json_ld_types_only(block)))
            .collect();
        self.tel_links = ThinVec::new();
        self.mailto_links = ThinVec::new();
        self.script_srcs = ThinVec::new();
        self.inline_scripts = ThinVec::new();
        self.disclosures = ThinVec::new();
        self.images = ThinVec::new();
        self.iframe_srcs = ThinVec::new();
        self.links.shrink_to_fit();
        self.headings.shrink_to_fit();
        self.reduced = true;
    }
}

/// A JSON-LD value with only its `@type`s left, in place and in `@graph` and arrays.
fn json_ld_types_only(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut kept = serde_json::Map::new();
            if let Some(ty) = map.get("@type") {
                kept.insert("@type".into(), ty.clone());
            }
            if let Some(graph) = map.get("@graph") {
                kept.insert("@graph".into(), json_ld_types_only(graph));
            }
            Value::Object(kept)
        }
        Value::Array(items) => Value::Array(items.iter().map(json_ld_types_only).collect()),
        _ => Value::Null,
    }
}

/// A page's links in document order, held as runs of consecutive links in the same region.
/// A store repeats its header, menu and footer links on every page, often a hundred or more:
/// the crawl keeps one copy of each run that repeats (`gather::crawl`), so a page costs a
/// pointer per run for them, not one per link. Saved as a plain list of links.
#[derive(Clone, Default)]
pub struct Links {
    runs: ThinVec<Arc<Vec<Arc<Link>>>>,
}

impl Links {
    pub fn len(&self) -> usize {
        self.runs.iter().map(|run| run.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.runs.iter().all(|run| run.is_empty())
    }

    pub fn iter(&self) -> LinksIter<'_> {
        fn run_links(run: &Arc<Vec<Arc<Link>>>) -> std::slice::Iter<'_, Arc<Link>> {
            run.iter()
        }
        self.runs.iter().flat_map(run_links)
    }

    pub fn get(&self, index: usize) -> Option<&Arc<Link>> {
        self.iter().nth(index)
    }

    /// Adds a link at the end, to the last run when it is in the same region.
    pub fn push(&mut self, link: Arc<Link>) {
        if let Some(run) = self.runs.last_mut() {
            if run.first().is_some_and(|first| first.region == link.region) {
                Arc::make_mut(run).push(link);
                return;
            }
        }
        self.runs.push(Arc::new(vec![link]));
    }

    /// Runs `change` on every link, copying the runs shared with other pages first.
    pub fn for_each_mut(&mut self, mut change: impl FnMut(&mut Arc<Link>)) {
        for run in &mut self.runs {
            Arc::make_mut(run).iter_mut().for_each(&mut change);
        }
    }

    /// The runs of links in the same region, in order.
    pub fn runs(&self) -> &[Arc<Vec<Arc<Link>>>] {
        &self.runs
    }

    /// The runs, for the crawl to point each at its shared copy.
    pub fn runs_mut(&mut self) -> &mut [Arc<Vec<Arc<Link>>>] {
        &mut self.runs
    }

    /// Gives back room left over from building the list of runs. The runs themselves are
    /// trimmed by whoever keeps them: most runs of a crawled page are dropped for the copy
    /// the crawl already holds (`gather::crawl`), and trimming those would be wasted work.
    pub fn shrink_to_fit(&mut self) {
        self.runs.shrink_to_fit();
    }
}

impl From<Vec<Arc<Link>>> for Links {
    fn from(links: Vec<Arc<Link>>) -> Links {
        links.into_iter().collect()
    }
}

impl FromIterator<Arc<Link>> for Links {
    fn from_iter<I: IntoIterator<Item = Arc<Link>>>(links: I) -> Links {
        let mut all = Links::default();
        links.into_iter().for_each(|link| all.push(link));
        all
    }
}

pub type LinksIter<'a> = std::iter::FlatMap<
    std::slice::Iter<'a, Arc<Vec<Arc<Link>>>>,
    std::slice::Iter<'a, Arc<Link>>,
    fn(&'a Arc<Vec<Arc<Link>>>) -> std::slice::Iter<'a, Arc<Link>>,
>;

impl<'a> IntoIterator for &'a Links {
    type Item = &'a Arc<Link>;
    type IntoIter = LinksIter<'a>;
    fn into_iter(self) -> LinksIter<'a> {
        self.iter()
    }
}

impl std::ops::Index<usize> for Links {
    type Output = Arc<Link>;
    fn index(&self, index: usize) -> &Arc<Link> {
        let len = self.len();
        self.get(index)
            .unwrap_or_else(|| panic!("link {index} asked of a page with {len} links"))
    }
}

impl std::fmt::Debug for Links {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Links {
    fn serialize<S: serde::Serializer>(&self, to: S) -> Result<S::Ok, S::Error> {
        to.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Links {
    fn deserialize<D: serde::Deserializer<'de>>(from: D) -> Result<Links, D::Error> {
        Vec::<Arc<Link>>::deserialize(from).map(Links::from)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Heading {
    pub level: u8,
    pub text: String,
}

/// `url` and `text` are shared too: the same URL or text comes back in links that differ
/// (see `gather::crawl`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Link {
    /// `href` as written. Every `<a href>`/`<area href>` is here, hidden ones included (menus
    /// hidden until hovered are still links), tel:, mailto: and javascript: ones too.
    pub href: String,
    /// Absolute URL without fragment, when the href resolves to http(s).
    #[serde(default, with = "shared_text::optional")]
    pub url: Option<Arc<str>>,
    /// Visible text, else `aria-label`, `title`, or the alt text of images inside.
    #[serde(with = "shared_text")]
    pub text: Arc<str>,
    #[serde(default)]
    pub region: Region,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Form {
    pub id: Option<String>,
    pub name: Option<String>,
    pub action: Option<String>,
    pub method: String,
    pub fields: Vec<FormField>,
    /// Text of submit buttons.
    pub submit_texts: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FormField {
    /// input / select / textarea
    pub tag: String,
    /// The input type (text, email, password, checkbox, hidden...); tag name for others.
    pub kind: String,
    pub name: Option<String>,
    pub id: Option<String>,
    pub label: Option<String>,
    pub placeholder: Option<String>,
    pub required: bool,
    pub autocomplete: Option<String>,
}

impl FormField {
    /// Hidden inputs and buttons are not fields a customer fills in.
    pub fn is_visible_input(&self) -> bool {
        !matches!(
            self.kind.as_str(),
            "hidden" | "submit" | "button" | "reset" | "image"
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Image {
    pub src: String,
    pub alt: String,
}

/// Shared strings (`Arc<str>`) saved as plain strings.
mod shared_text {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::sync::Arc;

    pub fn serialize<S: Serializer>(text: &Arc<str>, to: S) -> Result<S::Ok, S::Error> {
        to.serialize_str(text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<Arc<str>, D::Error> {
        String::deserialize(from).map(Arc::from)
    }

    pub mod lines {
        use serde::{Deserialize, Deserializer, Serializer};
        use std::sync::Arc;

        pub fn serialize<S: Serializer>(lines: &[Arc<str>], to: S) -> Result<S::Ok, S::Error> {
            to.collect_seq(lines.iter().map(|line| &**line))
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            from: D,
        ) -> Result<thin_vec::ThinVec<Arc<str>>, D::Error> {
            Vec::<String>::deserialize(from).map(|lines| lines.into_iter().map(Arc::from).collect())
        }
    }

    pub mod optional {
        use serde::{Deserialize, Deserializer, Serialize, Serializer};
        use std::sync::Arc;

        pub fn serialize<S: Serializer>(text: &Option<Arc<str>>, to: S) -> Result<S::Ok, S::Error> {
            text.as_deref().serialize(to)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            from: D,
        ) -> Result<Option<Arc<str>>, D::Error> {
            Option::<String>::deserialize(from).map(|text| text.map(Arc::from))
        }
    }
}

#[cfg(test)]
mod links_tests {
    use super::{Link, Links, Region};
    use std::sync::Arc;

    fn link(href: &str, region: Region) -> Arc<Link> {
        Arc::new(Link {
            href: href.into(),
            url: Some(format!("https://shop.example{href}").into()),
            text: href.into(),
            region,
        })
    }

    #[test]
    fn links_are_held_in_runs_by_region_and_saved_as_one_list_in_order() {
        use Region::{Footer, Header, Main, Nav};
        let regions = [Header, Nav, Nav, Header, Main, Main, Main, Footer];
        let all: Links = regions
            .iter()
            .enumerate()
            .map(|(i, &region)| link(&format!("/{i}"), region))
            .collect();
        let run_lengths: Vec<usize> = all.runs().iter().map(|run| run.len()).collect();
        assert_eq!(run_lengths, [1, 2, 1, 3, 1]);
        assert_eq!((all.len(), all[5].href.as_str()), (8, "/5"));
        assert!(all.get(8).is_none());

        let saved = serde_json::to_value(&all).unwrap();
        let hrefs: Vec<&str> = saved
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["href"].as_str().unwrap())
            .collect();
        assert_eq!(hrefs, ["/0", "/1", "/2", "/3", "/4", "/5", "/6", "/7"]);
        let loaded: Links = serde_json::from_value(saved).unwrap();
        assert_eq!(loaded.runs().len(), 5);
        assert_eq!(loaded[7].region, Footer);
        assert_eq!(format!("{loaded:?}"), format!("{all:?}"));
    }

    #[test]
    fn changing_the_links_of_one_page_leaves_the_runs_it_shared_alone() {
        let page = Links::from(vec![link("/", Region::Header), link("/p", Region::Main)]);
        let mut other = page.clone();
        other.for_each_mut(|l| Arc::make_mut(l).href.clear());
        assert_eq!(
            page.iter().map(|l| l.href.as_str()).collect::<Vec<_>>(),
            ["/", "/p"]
        );
        assert!(other.iter().all(|l| l.href.is_empty()));
        assert!(Links::default().is_empty() && !page.is_empty());
    }
}

#[cfg(test)]
mod size_tests {
    /// A crawl holds one record per page until the checks end; lists that most pages leave
    /// empty are one pointer each (`ThinVec`), not three words.
    #[test]
    fn a_page_record_stays_small() {
        assert!(
            size_of::<super::Page>() <= 384,
            "{}",
            size_of::<super::Page>()
        );
        assert!(
            size_of::<super::Links>() <= 8,
            "{}",
            size_of::<super::Links>()
        );
    }
}
