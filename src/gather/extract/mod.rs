//! Page extraction: one HTML document reduced to the [`PageContent`] the checks read.
//!
//! Works on any input (broken markup, deep nesting, hostile sizes): html5ever repairs the
//! markup, the tree is walked without recursion, and every list and text is capped so one page
//! cannot hold the crawl's memory hostage.

use crate::artifacts::{Form, FormField, Heading, Image, Link, PageContent, Region};
use ego_tree::iter::Edge;
use ego_tree::NodeId;
use scraper::{ElementRef, Html, Node, Selector};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use url::Url;

mod streaming;
pub mod tokenizer;
pub use streaming::{extract_page_streaming, extract_page_streaming_with, ChromeMemo};

/// A CSS selector parsed once per call site.
macro_rules! selector {
    ($css:literal) => {{
        static SELECTOR: OnceLock<Selector> = OnceLock::new();
        SELECTOR.get_or_init(|| Selector::parse($css).expect("selectors in this file are valid"))
    }};
}

/// Visible text kept per page (characters); a real page's text is far below this.
pub const MAX_TEXT_CHARS: usize = 1_000_000;
/// Header or footer text kept per page (characters).
pub const MAX_REGION_TEXT_CHARS: usize = 100_000;
/// Text kept for one link, heading, label or disclosure (characters).
pub const MAX_SHORT_TEXT_CHARS: usize = 500;
/// Nodes visited to compute one short text: bounds the cost of nested hostile markup.
const MAX_SHORT_TEXT_NODES: usize = 5_000;
pub const MAX_LINKS: usize = 5_000;
const MAX_IMAGES: usize = 2_000;
pub const MAX_HEADINGS: usize = 2_000;
const MAX_DISCLOSURES: usize = 2_000;
pub const MAX_FORMS: usize = 100;
const MAX_FIELDS_PER_FORM: usize = 300;
const MAX_SCRIPTS: usize = 500;
/// Inline scripts are cut to this many characters (chat snippets sit at the start).
pub const INLINE_SCRIPT_CHARS: usize = 2_000;

/// Element nesting read at most. Browsers cap their trees near 512 levels; html5ever does not,
/// and its scope checks walk the whole stack of open elements, so a page of 20,000 nested
/// `<div>`s costs quadratic time. The document is cut where the estimated depth passes this.
pub const MAX_NESTING: usize = 1_024;

/// Extracts what the checks need from `html`, resolving relative URLs against `page_url`
/// (or the document's `<base href>`).
pub fn extract_page(html: &str, page_url: &Url) -> PageContent {
    extract_page_checked(html, page_url).0
}

/// [`extract_page`], plus a note when the document had to be cut (nesting too deep).
pub fn extract_page_checked(html: &str, page_url: &Url) -> (PageContent, Option<String>) {
    within_nesting(html, |read| Some(extract_document(read, page_url)))
        .expect("the full extractor reads any document")
}

/// `extract` of the part of `html` read: all of it, or what comes before the nesting passes
/// [`MAX_NESTING`], with a note saying so. Both extractors cut at the same place.
fn within_nesting<T>(
    html: &str,
    extract: impl FnOnce(&str) -> Option<T>,
) -> Option<(T, Option<String>)> {
    match nesting_cut(html, MAX_NESTING) {
        Some(at) => Some((extract(&html[..at])?, Some(nesting_note()))),
        None => Some((extract(html)?, None)),
    }
}

/// The note of a page cut where its nesting passed [`MAX_NESTING`].
fn nesting_note() -> String {
    format!("HTML nested more than {MAX_NESTING} elements deep; the rest of the page was not read")
}

/// Where the element nesting first passes `max`: the start of the tag that passes it. The
/// depth is counted over the tokens ([`NestingDepth`]), so the streaming extractor counts it
/// in its own pass and cuts at the same place; from markup the tokenizer leaves to html5ever
/// on, a cheaper scan of the bytes goes on counting.
pub fn nesting_cut(html: &str, max: usize) -> Option<usize> {
    let mut depth = NestingDepth::default();
    let mut tokens = tokenizer::Tokenizer::new(html);
    while let Some(token) = tokens.next() {
        match token {
            Ok(token) => {
                if let (true, tokenizer::Token::Start { source, .. }) =
                    (depth.passes(&token, max), token)
                {
                    return Some(tokens.offset() - source.len());
                }
            }
            Err(_) => return scan_nesting(html, tokens.offset(), depth.0, max),
        }
    }
    None
}

/// The element nesting as the tokens go. Elements whose end tag is usually left out (`<p>`,
/// `<li>`, `<td>`...) and void ones are not counted: they do not nest.
#[derive(Debug, Default)]
struct NestingDepth(usize);

impl NestingDepth {
    /// Counts `token`; true when it is a start tag that takes the depth past `max`.
    fn passes(&mut self, token: &tokenizer::Token, max: usize) -> bool {
        match *token {
            tokenizer::Token::Start {
                name,
                can_have_content: true,
                ..
            } if !is_void_or_implied_name(name) => {
                self.0 += 1;
                self.0 > max
            }
            tokenizer::Token::End { name } if !is_void_or_implied_name(name) => {
                self.0 = self.0.saturating_sub(1);
                false
            }
            _ => false,
        }
    }
}

fn is_void_or_implied_name(name: &str) -> bool {
    let mut lowered = [0u8; 8];
    let Some(into) = lowered.get_mut(..name.len()) else {
        return false;
    };
    // Byte by byte: a copy of a slice this short would be a call to `memcpy` for every tag.
    for (to, from) in into.iter_mut().zip(name.bytes()) {
        *to = from.to_ascii_lowercase();
    }
    is_void_or_implied(into)
}

/// [`nesting_cut`] by a scan of the bytes from `from` (every tag ends at its first `>`), for
/// the markup the tokenizer does not read; `depth` is the nesting before `from`.
fn scan_nesting(html: &str, from: usize, mut depth: usize, max: usize) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut i = from.min(bytes.len());
    while let Some(offset) = memchr_lt(&bytes[i..]) {
        let at = i + offset;
        let rest = &bytes[at..];
        if rest.starts_with(b"<!--") {
            i = find(bytes, at + 4, b"-->").map_or(bytes.len(), |e| e + 3);
            continue;
        }
        let closing = rest.get(1) == Some(&b'/');
        let name_start = at + 1 + usize::from(closing);
        let name_len = bytes[name_start.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            i = at + 1;
            continue;
        }
        // Names the scan knows are short: a longer one is lowercased no further than needed to
        // tell that it is none of them.
        let mut lowered = [0u8; 16];
        let kept = name_len.min(lowered.len());
        lowered[..kept].copy_from_slice(&bytes[name_start..name_start + kept]);
        lowered[..kept].make_ascii_lowercase();
        let name = &lowered[..kept];
        let tag_end = memchr::memchr(b'>', &bytes[name_start + name_len..])
            .map_or(bytes.len(), |p| p + name_start + name_len);
        i = (tag_end + 1).min(bytes.len());
        if closing {
            if !is_void_or_implied(name) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if matches!(
            name,
            b"script"
                | b"style"
                | b"textarea"
                | b"title"
                | b"xmp"
                | b"iframe"
                | b"noembed"
                | b"noframes"
        ) {
            let mut close = [0u8; 10];
            close[..2].copy_from_slice(b"</");
            close[2..2 + name.len()].copy_from_slice(name);
            let lower_rest = &bytes[i..];
            i += find_ignore_case(lower_rest, &close[..2 + name.len()]).unwrap_or(lower_rest.len());
            continue;
        }
        let self_closing = tag_end > 0 && bytes.get(tag_end - 1) == Some(&b'/');
        if is_void_or_implied(name) || self_closing {
            continue;
        }
        depth += 1;
        if depth > max {
            return Some(at);
        }
    }
    None
}

/// Void elements, and elements whose end tag is usually left out (they do not nest).
fn is_void_or_implied(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"source"
            | b"track"
            | b"wbr"
            | b"p"
            | b"li"
            | b"dt"
            | b"dd"
            | b"option"
            | b"optgroup"
            | b"tr"
            | b"td"
            | b"th"
            | b"thead"
            | b"tbody"
            | b"tfoot"
            | b"colgroup"
            | b"rb"
            | b"rt"
            | b"rp"
            | b"html"
            | b"head"
            | b"body"
    )
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'<', bytes)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(bytes.get(from..)?, needle).map(|p| p + from)
}

/// `needle` starts with `</` and goes on in lowercase letters.
fn find_ignore_case(bytes: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find_iter(bytes, b"</").find(|&at| {
        bytes
            .get(at..at + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

fn extract_document(html: &str, page_url: &Url) -> PageContent {
    let doc = Html::parse_document(html);
    let base = base_url(&doc, page_url);
    let mut content = PageContent {
        lang: doc
            .root_element()
            .attr("lang")
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty()),
        title: first_text(&doc, selector!("title")),
        meta_description: meta_description(&doc),
        meta_refresh: meta_refresh(&doc, &base),
        ..PageContent::default()
    };
    walk_body(&doc, &base, &mut content);
    collect_scripts(&doc, &base, &mut content);
    collect_iframes(&doc, &base, &mut content);
    content.forms = collect_forms(&doc, &base).into();
    content
}

fn base_url(doc: &Html, page_url: &Url) -> Url {
    doc.select(selector!("base[href]"))
        .next()
        .and_then(|b| b.attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or_else(|| page_url.clone())
}

fn first_text(doc: &Html, sel: &Selector) -> Option<String> {
    doc.select(sel)
        .next()
        .map(|e| collapse(&e.text().collect::<String>()))
        .filter(|t| !t.is_empty())
}

/// `content="5; url=/es/"` (quotes, case and spacing vary) -> the absolute URL.
fn meta_refresh(doc: &Html, base: &Url) -> Option<String> {
    let content = doc
        .select(selector!("meta[http-equiv][content]"))
        .find(|m| {
            m.attr("http-equiv")
                .is_some_and(|h| h.trim().eq_ignore_ascii_case("refresh"))
        })?
        .attr("content")?;
    refresh_target(content, base)
}

/// The URL of a meta refresh's `content`, absolute.
fn refresh_target(content: &str, base: &Url) -> Option<String> {
    let (_, target) = content.split_once([';', ','])?;
    let target = target.trim();
    let target = match target.get(..4) {
        Some(head) if head.eq_ignore_ascii_case("url=") => &target[4..],
        _ => target,
    };
    let target = target.trim().trim_matches(['\'', '"']);
    (!target.is_empty())
        .then(|| resolve(base, target))
        .flatten()
        .map(String::from)
}

fn meta_description(doc: &Html) -> Option<String> {
    doc.select(selector!("meta[name][content]"))
        .find(|m| {
            m.attr("name")
                .is_some_and(|n| n.trim().eq_ignore_ascii_case("description"))
        })
        .and_then(|m| m.attr("content"))
        .map(collapse)
        .filter(|t| !t.is_empty())
}

/// Whitespace runs (including newlines and no-break spaces) become one space; trimmed.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `href`/`src` resolved against the base: absolute http(s) URL without fragment.
pub fn resolve(base: &Url, href: &str) -> Option<Url> {
    let mut url = base.join(href.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    crate::gather::scope::normalize(&mut url);
    Some(url)
}

/// [`resolve`] of a link's `href`, as a shared string, remembered per thread for the hrefs whose
/// result depends on the base's origin alone (`/path`, or a whole `http(s)://` URL): a store's
/// header, footer and menu links come back on every page.
pub fn resolve_link(base: &Url, href: &str) -> Option<Arc<str>> {
    thread_local! {
        static RESOLVED: std::cell::RefCell<LinkMemo> = Default::default();
    }
    let trimmed = href.trim();
    let bytes = trimmed.as_bytes();
    let is_separator = |b: Option<&u8>| matches!(b, Some(b'/' | b'\\'));
    let rooted = is_separator(bytes.first()) && !is_separator(bytes.get(1));
    let absolute = ["http://", "https://"].iter().any(|scheme| {
        bytes.len() > scheme.len() && bytes[..scheme.len()].eq_ignore_ascii_case(scheme.as_bytes())
    });
    let fresh = || resolve(base, trimmed).map(|u| Arc::from(u.as_str()));
    if !rooted && !absolute {
        return fresh();
    }
    RESOLVED.with_borrow_mut(|memo| {
        let urls = if absolute {
            &mut memo.absolute
        } else {
            // `/path` keeps the base's scheme, userinfo, host and port.
            let origin = &base[..url::Position::BeforePath];
            if memo.origin != origin {
                memo.origin.clear();
                memo.origin.push_str(origin);
                memo.rooted.clear();
            }
            &mut memo.rooted
        };
        if let Some(url) = urls.get(trimmed) {
            return url.clone();
        }
        let url = fresh();
        if urls.len() >= LinkMemo::MAX_URLS {
            urls.clear();
        }
        urls.insert(trimmed.into(), url.clone());
        url
    })
}

#[derive(Default)]
struct LinkMemo {
    /// `http(s)://` hrefs, which need no base.
    absolute: rustc_hash::FxHashMap<Box<str>, Option<Arc<str>>>,
    /// What the `/path` hrefs in `rooted` were resolved against.
    origin: String,
    rooted: rustc_hash::FxHashMap<Box<str>, Option<Arc<str>>>,
}

impl LinkMemo {
    const MAX_URLS: usize = 1 << 9;
}

/// Elements whose content is never shown as text.
fn is_non_rendered(name: &str) -> bool {
    matches!(
        name,
        "head"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "select"
            | "textarea"
            | "video"
            | "audio"
    )
}

/// An attribute's value, found by comparing names as text: `Element::attr` turns the name
/// into an interned atom (a hash and a table look-up) on every call, and the walk asks
/// several attributes of every element.
fn attr<'a>(el: &'a scraper::node::Element, name: &str) -> Option<&'a str> {
    el.attrs().find(|(n, _)| *n == name).map(|(_, v)| v)
}

/// Hidden by its own markup: `hidden`, `aria-hidden="true"`, inline `display:none` or
/// `visibility:hidden`, `<input type=hidden>`. Stylesheets are not evaluated.
pub fn is_hidden(el: &scraper::node::Element) -> bool {
    hidden_by_markup(el.name(), |name| attr(el, name))
}

/// [`is_hidden`] for an element of tag `name` whose attributes `value` looks up: shared by
/// both extractors, which must agree on what is hidden.
fn hidden_by_markup<V: AsRef<str>>(name: &str, value: impl Fn(&str) -> Option<V>) -> bool {
    if value("hidden").is_some() {
        return true;
    }
    if value("aria-hidden").is_some_and(|v| v.as_ref().trim().eq_ignore_ascii_case("true")) {
        return true;
    }
    if name == "input"
        && value("type").is_some_and(|t| t.as_ref().trim().eq_ignore_ascii_case("hidden"))
    {
        return true;
    }
    if let Some(style) = value("style") {
        let style: String = style
            .as_ref()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        return style
            .split(';')
            .any(|decl| decl.starts_with("display:none") || decl.starts_with("visibility:hidden"));
    }
    false
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "br"
            | "caption"
            | "dd"
            | "details"
            | "dialog"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "legend"
            | "li"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "thead"
            | "tfoot"
            | "tr"
            | "ul"
            | "option"
    )
}

/// Elements inside which `<header>`/`<footer>` belong to a section, not to the page
/// (HTML-AAM: they are banner/contentinfo only outside these).
fn is_sectioning(name: &str) -> bool {
    matches!(name, "article" | "aside" | "main" | "nav" | "section")
}

/// The region an element opens, given how many sectioning elements enclose it.
fn landmark(el: &scraper::node::Element, sectioning_depth: usize) -> Option<Region> {
    match attr(el, "role").map(|r| r.trim().to_ascii_lowercase()) {
        Some(role) if role == "banner" => return Some(Region::Header),
        Some(role) if role == "contentinfo" => return Some(Region::Footer),
        Some(role) if role == "navigation" => return Some(Region::Nav),
        _ => {}
    }
    match el.name() {
        "header" if sectioning_depth == 0 => Some(Region::Header),
        "footer" if sectioning_depth == 0 => Some(Region::Footer),
        "nav" => Some(Region::Nav),
        _ => None,
    }
}

/// Accumulates visible text: collapsed spaces, one line per block, no empty lines.
struct TextSink {
    out: String,
    chars: usize,
    cap: usize,
    at_line_start: bool,
    pending_space: bool,
}

impl TextSink {
    fn new(cap: usize) -> Self {
        TextSink {
            out: String::new(),
            chars: 0,
            cap,
            at_line_start: true,
            pending_space: false,
        }
    }

    fn push(&mut self, text: &str, keep_newlines: bool) {
        if keep_newlines {
            self.push_each(text, true);
        } else {
            self.push_collapsed(&Collapsed::of(text));
        }
    }

    /// [`TextSink::push`] of a text already collapsed ([`Collapsed::of`]): a text node goes to
    /// several sinks at once (the page's, its region's, the links' around it).
    fn push_collapsed(&mut self, text: &Collapsed) {
        if self.chars >= self.cap {
            return;
        }
        if text.space_before {
            self.pending_space = true;
        }
        if !text.visible.is_empty() {
            // Room for all of it, and a space before it: copied at once. Near the cap, character
            // by character, as the cap falls.
            if self.chars + text.chars < self.cap {
                self.before_visible();
                self.out.push_str(&text.visible);
                self.chars += text.chars;
            } else {
                self.push_each(&text.visible, false);
            }
        }
        if text.space_after {
            self.pending_space = true;
        }
    }

    /// Character by character: whitespace runs become one space (newlines end the line when
    /// `keep_newlines`), control characters are dropped.
    fn push_each(&mut self, text: &str, keep_newlines: bool) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if self.chars >= self.cap {
                return;
            }
            let b = bytes[i];
            if b.is_ascii_graphic() {
                // A run of visible ASCII (most of a page's text) is copied at once, as far as
                // the cap allows: one character past the check, as for any character.
                let run = bytes[i..]
                    .iter()
                    .take_while(|b| b.is_ascii_graphic())
                    .count();
                self.before_visible();
                let room_after_first = self.cap.saturating_sub(self.chars + 1);
                let take = 1 + (run - 1).min(room_after_first);
                self.out.push_str(&text[i..i + take]);
                self.chars += take;
                i += take;
                continue;
            }
            let c = if b.is_ascii() {
                char::from(b)
            } else {
                text[i..].chars().next().unwrap_or_default()
            };
            i += c.len_utf8();
            if c == '\n' && keep_newlines {
                self.newline();
            } else if c.is_whitespace() {
                self.pending_space = true;
            } else if !c.is_control() {
                self.before_visible();
                self.out.push(c);
                self.chars += 1;
            }
        }
    }

    /// The pending space, if any, ahead of a visible character.
    fn before_visible(&mut self) {
        if self.pending_space && !self.at_line_start {
            self.out.push(' ');
            self.chars += 1;
        }
        self.at_line_start = false;
        self.pending_space = false;
    }

    fn space(&mut self) {
        self.pending_space = true;
    }

    fn newline(&mut self) {
        if !self.at_line_start {
            self.out.push('\n');
            self.chars += 1;
            self.at_line_start = true;
        }
        self.pending_space = false;
    }

    fn finish(mut self) -> String {
        let trimmed = self.out.trim_end().len();
        self.out.truncate(trimmed);
        self.out
    }
}

/// A text as a [`TextSink`] reads it when newlines are not kept: its visible characters with
/// each run of whitespace between them as one space and control characters dropped, and
/// whether whitespace came before and after them. Most text nodes need no change, and are
/// borrowed.
struct Collapsed<'a> {
    space_before: bool,
    visible: std::borrow::Cow<'a, str>,
    /// Characters in `visible`.
    chars: usize,
    space_after: bool,
}

impl<'a> Collapsed<'a> {
    fn of(text: &'a str) -> Self {
        enum Class {
            Visible,
            Space,
            Control,
        }
        let bytes = text.as_bytes();
        let mut space_before = false;
        // Where the visible characters began, and where the last one ended.
        let mut first: Option<usize> = None;
        let mut last_end = 0;
        // Whitespace since the last visible character (or the start).
        let mut gap_space = false;
        // The part written as it is kept, from `run_start`; parts before it are in `owned`.
        let mut run_start = 0;
        let mut owned: Option<String> = None;
        let mut chars = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let (class, len) = match b {
                0x21..=0x7e => {
                    // Visible ASCII with single spaces between (most text): read in a tight loop.
                    let mut end = i + 1;
                    loop {
                        while bytes.get(end).is_some_and(|b| (0x21..=0x7e).contains(b)) {
                            end += 1;
                        }
                        match bytes.get(end..end + 2) {
                            Some([b' ', next]) if (0x21..=0x7e).contains(next) => end += 2,
                            _ => break,
                        }
                    }
                    (Class::Visible, end - i)
                }
                b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => (Class::Space, 1),
                0..=0x7f => (Class::Control, 1),
                _ => {
                    let c = text[i..].chars().next().unwrap_or_default();
                    let class = if c.is_whitespace() {
                        Class::Space
                    } else if c.is_control() {
                        Class::Control
                    } else {
                        Class::Visible
                    };
                    (class, c.len_utf8())
                }
            };
            match class {
                Class::Visible => {
                    match first {
                        None => {
                            first = Some(i);
                            run_start = i;
                            space_before = gap_space;
                        }
                        Some(_) if i != last_end => {
                            // A gap other than one plain space cannot be kept as written.
                            let one_space = i == last_end + 1 && bytes[last_end] == b' ';
                            if !one_space {
                                let kept = owned.get_or_insert_with(String::new);
                                kept.push_str(&text[run_start..last_end]);
                                if gap_space {
                                    kept.push(' ');
                                }
                                run_start = i;
                            }
                            chars += usize::from(gap_space);
                        }
                        Some(_) => {}
                    }
                    // An ASCII run has a character a byte; anything else is one character.
                    chars += if b.is_ascii() { len } else { 1 };
                    last_end = i + len;
                    gap_space = false;
                }
                Class::Space => gap_space = true,
                Class::Control => {}
            }
            i += len;
        }
        let visible = match (first, owned) {
            (None, _) => std::borrow::Cow::Borrowed(""),
            (Some(_), None) => std::borrow::Cow::Borrowed(&text[run_start..last_end]),
            (Some(_), Some(mut kept)) => {
                kept.push_str(&text[run_start..last_end]);
                std::borrow::Cow::Owned(kept)
            }
        };
        Collapsed {
            space_before: if first.is_none() {
                gap_space
            } else {
                space_before
            },
            visible,
            chars,
            space_after: first.is_some() && gap_space,
        }
    }
}

/// Visible text of an element's subtree on one line (for links, headings, labels...).
/// The element itself is assumed visible; hidden descendants are left out.
fn inline_text(el: ElementRef) -> String {
    let mut sink = TextSink::new(MAX_SHORT_TEXT_CHARS);
    let mut skip: Option<NodeId> = None;
    for (visited, edge) in el.traverse().enumerate() {
        if visited > MAX_SHORT_TEXT_NODES * 2 {
            break;
        }
        match edge {
            Edge::Open(node) => {
                if skip.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(t) => sink.push(t, false),
                    Node::Element(e) if node.id() != el.id() => {
                        if is_non_rendered(e.name()) || is_hidden(e) {
                            skip = Some(node.id());
                        } else if is_block(e.name()) || matches!(e.name(), "td" | "th") {
                            sink.space();
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skip == Some(node.id()) {
                    skip = None;
                } else if skip.is_none() {
                    if let Node::Element(e) = node.value() {
                        if is_block(e.name()) || matches!(e.name(), "td" | "th") {
                            sink.space();
                        }
                    }
                }
            }
        }
    }
    sink.finish()
}

/// Link text as a customer or screen reader gets it: the visible text, else `aria-label`,
/// `title`, or the alt text of images inside.
fn link_text(el: ElementRef) -> String {
    let text = inline_text(el);
    if !text.is_empty() {
        return text;
    }
    for attr in ["aria-label", "title"] {
        if let Some(v) = el.attr(attr).map(collapse).filter(|v| !v.is_empty()) {
            return v;
        }
    }
    let alts: Vec<String> = el
        .select(selector!("img[alt]"))
        .filter_map(|img| img.attr("alt").map(collapse))
        .filter(|a| !a.is_empty())
        .collect();
    alts.join(" ")
}

/// `tel:` target as written, without the scheme; percent-escapes decoded.
fn tel_target(href: &str) -> Option<String> {
    let rest = strip_scheme(href, "tel:")?;
    let decoded = percent_encoding::percent_decode_str(rest).decode_utf8_lossy();
    let number = decoded.trim().to_string();
    (!number.is_empty()).then_some(number)
}

/// Addresses of a `mailto:` link (several when comma-separated), without the query.
fn mailto_targets(href: &str) -> Vec<String> {
    let Some(rest) = strip_scheme(href, "mailto:") else {
        return Vec::new();
    };
    let addresses = rest.split('?').next().unwrap_or_default();
    percent_encoding::percent_decode_str(addresses)
        .decode_utf8_lossy()
        .split(',')
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect()
}

fn strip_scheme<'a>(href: &'a str, scheme: &str) -> Option<&'a str> {
    let href = href.trim();
    let head = href.get(..scheme.len())?;
    head.eq_ignore_ascii_case(scheme)
        .then(|| &href[scheme.len()..])
}

fn push_capped<T>(list: &mut thin_vec::ThinVec<T>, cap: usize, item: T) {
    if list.len() < cap {
        list.push(item);
    }
}

/// One pass over the document for text, regions, headings, links, disclosures and images.
fn walk_body(doc: &Html, base: &Url, content: &mut PageContent) {
    let mut text = TextSink::new(MAX_TEXT_CHARS);
    let mut header = TextSink::new(MAX_REGION_TEXT_CHARS);
    let mut footer = TextSink::new(MAX_REGION_TEXT_CHARS);
    // A subtree that is not rendered at all (script, head...): nothing in it is collected.
    let mut skip: Option<NodeId> = None;
    // Hidden subtrees: no text, headings or images, but their links are still links. The
    // hidden elements open, so that closing one does not look at its attributes again.
    let mut hidden: Vec<NodeId> = Vec::new();
    let mut sectioning_depth = 0usize;
    let mut pre_depth = 0usize;
    // Inside a <summary> or <dt>: accordion toggles there are the same question again.
    let mut disclosure_depth = 0usize;
    let mut regions: Vec<(NodeId, Region)> = Vec::new();

    let current_region = |regions: &[(NodeId, Region)]| -> Region {
        regions
            .iter()
            .rev()
            .map(|(_, r)| *r)
            .find(|r| matches!(r, Region::Header | Region::Footer))
            .or_else(|| regions.iter().map(|(_, r)| *r).find(|r| *r == Region::Nav))
            .unwrap_or(Region::Main)
    };

    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                if skip.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(t) if hidden.is_empty() => {
                        let keep_newlines = pre_depth > 0;
                        text.push(t, keep_newlines);
                        match current_region(&regions) {
                            Region::Header => header.push(t, keep_newlines),
                            Region::Footer => footer.push(t, keep_newlines),
                            _ => {}
                        }
                    }
                    Node::Element(e) => {
                        let name = e.name();
                        if is_non_rendered(name) {
                            skip = Some(node.id());
                            continue;
                        }
                        let Some(el) = ElementRef::wrap(node) else {
                            continue;
                        };
                        if let Some(region) = landmark(e, sectioning_depth) {
                            regions.push((node.id(), region));
                        }
                        if is_sectioning(name) {
                            sectioning_depth += 1;
                        }
                        if is_hidden(e) {
                            hidden.push(node.id());
                        }
                        if name == "pre" {
                            pre_depth += 1;
                        }
                        if matches!(name, "a" | "area") {
                            if let Some(href) = e.attr("href") {
                                collect_link(el, href, base, current_region(&regions), content);
                            }
                        }
                        let visible = hidden.is_empty();
                        if visible {
                            if is_block(name) {
                                for sink in [&mut text, &mut header, &mut footer] {
                                    sink.newline();
                                }
                            } else if matches!(name, "td" | "th") {
                                text.space();
                                header.space();
                                footer.space();
                            }
                            collect_visible(
                                el,
                                base,
                                current_region(&regions),
                                disclosure_depth,
                                content,
                            );
                        }
                        if name == "summary" || name == "dt" {
                            disclosure_depth += 1;
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skip == Some(node.id()) {
                    skip = None;
                    continue;
                }
                if skip.is_some() {
                    continue;
                }
                let Node::Element(e) = node.value() else {
                    continue;
                };
                let name = e.name();
                if name == "summary" || name == "dt" {
                    disclosure_depth = disclosure_depth.saturating_sub(1);
                }
                if hidden.is_empty() && is_block(name) {
                    for sink in [&mut text, &mut header, &mut footer] {
                        sink.newline();
                    }
                }
                if name == "pre" {
                    pre_depth = pre_depth.saturating_sub(1);
                }
                if hidden.last() == Some(&node.id()) {
                    hidden.pop();
                }
                if is_sectioning(name) {
                    sectioning_depth = sectioning_depth.saturating_sub(1);
                }
                if regions.last().is_some_and(|(id, _)| *id == node.id()) {
                    regions.pop();
                }
            }
        }
    }
    content.text = text.finish();
    content.header_text = header.finish().into();
    content.footer_text = footer.finish().into();
}

fn collect_link(el: ElementRef, href: &str, base: &Url, region: Region, content: &mut PageContent) {
    if let Some(number) = tel_target(href) {
        push_capped(&mut content.tel_links, MAX_LINKS, number);
    }
    for address in mailto_targets(href) {
        push_capped(&mut content.mailto_links, MAX_LINKS, address);
    }
    if content.links.len() >= MAX_LINKS {
        return;
    }
    content.links.push(Arc::new(Link {
        href: href.to_string(),
        url: resolve_link(base, href),
        text: Arc::from(link_text(el)),
        region,
    }));
}

/// Headings, disclosures and images of a visible element.
fn collect_visible(
    el: ElementRef,
    base: &Url,
    region: Region,
    disclosure_depth: usize,
    content: &mut PageContent,
) {
    let e = el.value();
    let name = e.name();
    if let Some(level) = heading_level(e) {
        if content.headings.len() < MAX_HEADINGS {
            let text = inline_text(el);
            if !text.is_empty() {
                content.headings.push(Heading { level, text });
            }
        }
    }
    if content.disclosures.len() < MAX_DISCLOSURES && is_disclosure(el, region, disclosure_depth) {
        let text = inline_text(el);
        if !text.is_empty() && content.disclosures.last() != Some(&text) {
            content.disclosures.push(text);
        }
    }
    if name == "img" && content.images.len() < MAX_IMAGES {
        let src = ["src", "data-src"]
            .iter()
            .filter_map(|a| e.attr(a))
            .find(|s| !s.trim().is_empty())
            .or_else(|| {
                e.attr("srcset")
                    .and_then(|s| s.split(',').next())
                    .and_then(|s| s.split_whitespace().next())
            });
        if let Some(src) = src {
            content.images.push(Image {
                src: resolve(base, src)
                    .map(String::from)
                    .unwrap_or_else(|| src.trim().to_string()),
                alt: e.attr("alt").map(collapse).unwrap_or_default(),
            });
        }
    }
}

fn heading_level(e: &scraper::node::Element) -> Option<u8> {
    match e.name() {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ if attr(e, "role").is_some_and(|r| r.trim().eq_ignore_ascii_case("heading")) => Some(
            attr(e, "aria-level")
                .and_then(|l| l.trim().parse::<u8>().ok())
                .unwrap_or(2)
                .clamp(1, 6),
        ),
        _ => None,
    }
}

/// `<details><summary>`, `<dt>`, and accordion toggles outside the header and navigation
/// (menu buttons there also carry `aria-expanded`).
fn is_disclosure(el: ElementRef, region: Region, disclosure_depth: usize) -> bool {
    let e = el.value();
    match e.name() {
        "summary" => el
            .parent()
            .and_then(|p| p.value().as_element().map(|p| p.name() == "details"))
            .unwrap_or(false),
        "dt" => true,
        _ => {
            disclosure_depth == 0
                && matches!(region, Region::Main | Region::Footer)
                && attr(e, "aria-expanded").is_some()
                && (attr(e, "aria-controls").is_some()
                    || e.name() == "button"
                    || attr(e, "role").is_some_and(|r| r.trim().eq_ignore_ascii_case("button")))
        }
    }
}

fn collect_scripts(doc: &Html, base: &Url, content: &mut PageContent) {
    for script in doc.select(selector!("script")) {
        if let Some(src) = script.attr("src").filter(|s| !s.trim().is_empty()) {
            push_capped(
                &mut content.script_srcs,
                MAX_SCRIPTS,
                resolve(base, src)
                    .map(String::from)
                    .unwrap_or_else(|| src.trim().to_string()),
            );
            continue;
        }
        let body: String = script.text().collect();
        let kind = script
            .attr("type")
            .map(|t| t.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if kind == "application/ld+json" {
            if let Some(value) = parse_json_ld(&body) {
                push_capped(&mut content.json_ld, MAX_SCRIPTS, Arc::new(value));
            }
            continue;
        }
        let body = body.trim();
        if body.is_empty() {
            continue;
        }
        let cut: String = body.chars().take(INLINE_SCRIPT_CHARS).collect();
        push_capped(&mut content.inline_scripts, MAX_SCRIPTS, cut);
    }
}

/// A JSON-LD block; tolerates the HTML comment and CDATA wrappers some CMSs add.
fn parse_json_ld(body: &str) -> Option<serde_json::Value> {
    let mut text = body.trim();
    for (open, close) in [
        ("<!--", "-->"),
        ("//<![CDATA[", "//]]>"),
        ("<![CDATA[", "]]>"),
    ] {
        if let Some(inner) = text.strip_prefix(open).and_then(|t| t.strip_suffix(close)) {
            text = inner.trim();
        }
    }
    serde_json::from_str(text).ok()
}

fn collect_iframes(doc: &Html, base: &Url, content: &mut PageContent) {
    for frame in doc.select(selector!("iframe")) {
        let Some(src) = frame
            .attr("src")
            .or_else(|| frame.attr("data-src"))
            .filter(|s| !s.trim().is_empty())
        else {
            continue;
        };
        push_capped(
            &mut content.iframe_srcs,
            MAX_SCRIPTS,
            resolve(base, src)
                .map(String::from)
                .unwrap_or_else(|| src.trim().to_string()),
        );
    }
}

fn collect_forms(doc: &Html, base: &Url) -> Vec<Arc<Form>> {
    let mut by_id: HashMap<&str, ElementRef> = HashMap::new();
    for el in doc.select(selector!("[id]")) {
        if let Some(id) = el.value().id() {
            by_id.entry(id).or_insert(el);
        }
    }
    let mut label_for: HashMap<&str, String> = HashMap::new();
    for label in doc.select(selector!("label[for]")) {
        if let Some(target) = label.attr("for") {
            let text = inline_text(label);
            if !text.is_empty() {
                label_for.entry(target).or_insert(text);
            }
        }
    }
    let labels = Labels { by_id, label_for };

    let mut forms = Vec::new();
    for form_el in doc.select(selector!("form")).take(MAX_FORMS) {
        let e = form_el.value();
        let mut form = Form {
            id: e.id().map(str::to_string),
            name: e.attr("name").map(str::to_string),
            action: e.attr("action").map(|a| {
                resolve(base, a)
                    .map(String::from)
                    .unwrap_or_else(|| a.trim().to_string())
            }),
            method: e
                .attr("method")
                .map(|m| m.trim().to_ascii_lowercase())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "get".into()),
            ..Form::default()
        };
        let mut controls: Vec<ElementRef> = form_el
            .select(selector!("input, select, textarea, button"))
            .filter(|c| !hidden_within(*c, form_el))
            .collect();
        // Controls placed elsewhere in the page with form="id" belong to this form too.
        if let Some(id) = e.id() {
            controls.extend(
                doc.select(selector!(
                    "input[form], select[form], textarea[form], button[form]"
                ))
                .filter(|c| c.attr("form") == Some(id)),
            );
        }
        for control in controls {
            let c = control.value();
            let kind = match c.name() {
                "input" => c
                    .attr("type")
                    .map(|t| t.trim().to_ascii_lowercase())
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| "text".into()),
                other => other.to_string(),
            };
            if let Some(text) = submit_text(control, &kind) {
                form.submit_texts.push(text);
            }
            if c.name() == "button" || form.fields.len() >= MAX_FIELDS_PER_FORM {
                continue;
            }
            form.fields.push(FormField {
                tag: c.name().to_string(),
                kind,
                name: c.attr("name").map(str::to_string),
                id: c.id().map(str::to_string),
                label: labels.of(control),
                placeholder: c
                    .attr("placeholder")
                    .map(collapse)
                    .filter(|p| !p.is_empty()),
                required: c.attr("required").is_some()
                    || c.attr("aria-required")
                        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
                autocomplete: c
                    .attr("autocomplete")
                    .map(|a| a.trim().to_string())
                    .filter(|a| !a.is_empty()),
            });
        }
        forms.push(Arc::new(form));
    }
    forms
}

/// True when a control sits in a hidden container inside its form (honeypot fields): the form
/// itself may be hidden (a login dialog opened by a button) and still count.
fn hidden_within(control: ElementRef, form: ElementRef) -> bool {
    let c = control.value();
    if c.name() != "input" && is_hidden(c) {
        return true;
    }
    for ancestor in control.ancestors() {
        if ancestor.id() == form.id() {
            return false;
        }
        if let Some(e) = ancestor.value().as_element() {
            if is_hidden(e) {
                return true;
            }
        }
    }
    false
}

fn submit_text(control: ElementRef, kind: &str) -> Option<String> {
    let c = control.value();
    let text = match (c.name(), kind) {
        ("button", _) => {
            let button_type = c
                .attr("type")
                .map(|t| t.trim().to_ascii_lowercase())
                .unwrap_or_else(|| "submit".into());
            if button_type != "submit" {
                return None;
            }
            let text = inline_text(control);
            if text.is_empty() {
                c.attr("aria-label").map(collapse).unwrap_or_default()
            } else {
                text
            }
        }
        ("input", "submit") => c.attr("value").map(collapse).unwrap_or_default(),
        ("input", "image") => c.attr("alt").map(collapse).unwrap_or_default(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

struct Labels<'a> {
    by_id: HashMap<&'a str, ElementRef<'a>>,
    label_for: HashMap<&'a str, String>,
}

impl Labels<'_> {
    /// The visible label first (`label[for]`, a wrapping `<label>`), then `aria-labelledby`,
    /// `aria-label` and `title`.
    fn of(&self, control: ElementRef) -> Option<String> {
        let c = control.value();
        if let Some(text) = c.id().and_then(|id| self.label_for.get(id)) {
            return Some(text.clone());
        }
        if let Some(label) = control
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find(|a| a.value().name() == "label")
        {
            let text = inline_text(label);
            if !text.is_empty() {
                return Some(text);
            }
        }
        if let Some(ids) = c.attr("aria-labelledby") {
            let text = ids
                .split_whitespace()
                .filter_map(|id| self.by_id.get(id))
                .map(|el| inline_text(*el))
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if !text.is_empty() {
                return Some(text);
            }
        }
        ["aria-label", "title"]
            .iter()
            .filter_map(|a| c.attr(a))
            .map(collapse)
            .find(|t| !t.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One step of what the extractors do to a sink.
    #[derive(Debug, Clone)]
    enum SinkStep {
        Text(String),
        Space,
        Newline,
    }

    fn sink_steps() -> impl Strategy<Value = Vec<SinkStep>> {
        // Plain words, every kind of whitespace, controls, accented and wide characters.
        let text = proptest::collection::vec(
            prop_oneof![
                Just("word"),
                Just("Él"),
                Just(" "),
                Just("  "),
                Just("\t"),
                Just("\n"),
                Just("\r\n"),
                Just("\u{a0}"),
                Just("\u{3000}"),
                Just("\u{1}"),
                Just("\u{85}"),
                Just("\u{9f}"),
                Just("€"),
                Just("x"),
                Just("."),
            ],
            0..12,
        )
        .prop_map(|parts| parts.concat());
        proptest::collection::vec(
            prop_oneof![
                6 => text.prop_map(SinkStep::Text),
                1 => Just(SinkStep::Space),
                1 => Just(SinkStep::Newline),
            ],
            0..10,
        )
    }

    proptest! {
        /// Collapsing a text once for several sinks gives what reading it character by
        /// character gives, whatever the sink's state and however near its cap.
        #[test]
        fn a_collapsed_text_reads_as_its_characters(steps in sink_steps(), cap in 0usize..40) {
            let mut collapsed = TextSink::new(cap);
            let mut each = TextSink::new(cap);
            for step in &steps {
                match step {
                    SinkStep::Text(text) => {
                        collapsed.push(text, false);
                        each.push_each(text, false);
                    }
                    SinkStep::Space => {
                        collapsed.space();
                        each.space();
                    }
                    SinkStep::Newline => {
                        collapsed.newline();
                        each.newline();
                    }
                }
            }
            prop_assert_eq!(collapsed.chars, each.chars);
            prop_assert_eq!(collapsed.finish(), each.finish());
        }
    }

    #[test]
    fn plain_text_is_borrowed_and_other_text_collapsed() {
        let plain = Collapsed::of("  Recycled hemp cap, 20 €\n");
        assert!(matches!(
            plain.visible,
            std::borrow::Cow::Borrowed("Recycled hemp cap, 20 €")
        ));
        assert_eq!(
            (plain.space_before, plain.chars, plain.space_after),
            (true, 23, true)
        );
        let spaced = Collapsed::of("a \t b\u{1}c\u{a0}d");
        assert_eq!(spaced.visible, "a bc d");
        assert_eq!(
            (spaced.space_before, spaced.chars, spaced.space_after),
            (false, 6, false)
        );
        let blank = Collapsed::of(" \n ");
        assert_eq!(
            (blank.space_before, blank.visible.len(), blank.space_after),
            (true, 0, false)
        );
    }

    #[test]
    fn remembered_link_urls_equal_fresh_ones_on_every_base() {
        let bases = [
            "https://shop.test/es/page",
            "https://shop.test/fr/other?x=1",
            "https://shop.test:8443/es/page",
            "https://user:pw@shop.test/es/page",
            "http://shop.test/es/page",
            "https://shop.test/es/page",
        ];
        let hrefs = [
            "/contacto",
            " /contacto#form ",
            "/ayuda?",
            "\\es\\faq",
            "//cdn.test/x",
            "contacto",
            "../x",
            "?q=1",
            "#top",
            "HTTPS://Other.test/a#b",
            "http://other.test",
            "http:relative",
            "mailto:a@b.test",
            "",
        ];
        // Twice round, so the second answers come from memory.
        for _ in 0..2 {
            for base in bases {
                let base = Url::parse(base).unwrap();
                for href in hrefs {
                    let fresh = resolve(&base, href).map(|u| u.to_string());
                    let remembered = resolve_link(&base, href).map(|u| u.to_string());
                    assert_eq!(remembered, fresh, "{href:?} against {base}");
                }
            }
        }
    }

    fn page(html: &str) -> PageContent {
        extract_page(html, &Url::parse("https://shop.test/es/").unwrap())
    }

    #[test]
    fn blocks_become_lines_and_hidden_text_is_dropped() {
        let c = page(
            "<body><div>Hola <b>mundo</b></div><p>Línea\n  dos</p>\
             <p hidden>secreto</p><span style='display: none'>oculto</span>\
             <i aria-hidden=true>icono</i><script>var x=1</script>fin</body>",
        );
        assert_eq!(c.text, "Hola mundo\nLínea dos\nfin");
    }

    #[test]
    fn article_headers_are_not_the_page_header() {
        let c = page(
            "<header>Tienda <a href='tel:+34 900 100 200'>llamar</a></header>\
             <main><article><header>Artículo</header>texto</article></main>\
             <div role=contentinfo>pie</div>",
        );
        assert_eq!(&*c.header_text, "Tienda llamar");
        assert_eq!(&*c.footer_text, "pie");
        assert_eq!(c.tel_links, vec!["+34 900 100 200"]);
        assert_eq!(c.links[0].region, Region::Header);
    }

    #[test]
    fn deep_nesting_is_cut_before_parsing() {
        let deep = format!("<p>top</p>{}deep", "<div><span><b>".repeat(10_000));
        let cut = nesting_cut(&deep, MAX_NESTING).expect("too deep");
        // The 1,025th element counted: the `<span>` of the 342nd `<div><span><b>`.
        assert_eq!(
            cut,
            "<p>top</p>".len() + 341 * "<div><span><b>".len() + "<div>".len()
        );
        let (content, note) = extract_page_checked(&deep, &Url::parse("http://x.test/").unwrap());
        assert!(content.text.starts_with("top"));
        assert!(note.unwrap().contains("nested more than"));
        let flat = "<ul>".to_string() + &"<li><p>item<br><img src=x>".repeat(10_000);
        assert_eq!(nesting_cut(&flat, MAX_NESTING), None);
        let scripted = format!("<script>{}</script><div>x</div>", "<div>".repeat(10_000));
        assert_eq!(nesting_cut(&scripted, MAX_NESTING), None);
        assert_eq!(nesting_cut("<<</ <a", 1), None);
        // Past markup the tokenizer leaves to html5ever, the byte scan goes on counting.
        let after_math = format!("<div><math><mi>x</mi></math>{}", "<div>".repeat(2_000));
        let cut = nesting_cut(&after_math, MAX_NESTING).expect("counted past the MathML");
        assert_eq!(
            cut,
            "<div><math><mi>x</mi></math>".len() + 1_023 * "<div>".len()
        );
        // A raw-text element counts as one level, closed by its end tag.
        let styled = format!("{}<style>p{{}}</style>x", "<div>".repeat(MAX_NESTING));
        assert_eq!(
            nesting_cut(&styled, MAX_NESTING),
            Some(MAX_NESTING * "<div>".len())
        );
    }

    #[test]
    fn mailto_keeps_only_addresses() {
        assert_eq!(
            mailto_targets("MAILTO:a@x.es,%20b@x.es?subject=hola"),
            vec!["a@x.es", "b@x.es"]
        );
        assert_eq!(tel_target("tel:%2B33%201%2023"), Some("+33 1 23".into()));
        assert_eq!(tel_target("telephone"), None);
    }
}
