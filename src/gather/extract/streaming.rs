//! Streaming extraction of what the crawl keeps of most pages (see [`PageContent::reduce`]):
//! one pass of the tokenizer ([`super::tokenizer`]) over the document, no tree.
//!
//! It fills the fields `reduce` keeps (language, title, meta refresh, visible text, header and
//! footer texts, headings, links, forms, JSON-LD) with the same rules as the full extractor,
//! and leaves the rest empty: its result is meant to be reduced, or thrown away for the full
//! extraction when the page may be read whole. No tree is built, so the tree builder's
//! repairs the rules depend on (a `<p>` closed by a `<div>`, an `<li>` by the next `<li>`) are
//! redone here on a stack of the elements that carry state; text and attribute values come
//! with their character references still encoded, and are decoded here.

mod chrome;

pub use chrome::ChromeMemo;

use super::tokenizer::{Token, Tokenizer};
use super::{
    collapse, parse_json_ld, push_capped, resolve, Collapsed, NestingDepth, TextSink,
    MAX_FIELDS_PER_FORM, MAX_FORMS, MAX_HEADINGS, MAX_LINKS, MAX_NESTING, MAX_REGION_TEXT_CHARS,
    MAX_SCRIPTS, MAX_SHORT_TEXT_CHARS, MAX_SHORT_TEXT_NODES, MAX_TEXT_CHARS,
};
use crate::artifacts::{Form, FormField, Heading, Link, PageContent, Region};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use url::Url;

/// What [`super::extract_page_checked`] followed by `reduce` would keep of `html`, before the
/// reduction (call `reduce` on it), with the same nesting note. `None` when the page needs the
/// full extractor: the tokenizer left it to html5ever, or a password field is labelled by reference
/// (`aria-labelledby`, which may point anywhere in the document).
///
/// The header, menu and footer a store repeats on every page are read once per thread and
/// their effects done again on the pages that repeat them ([`ChromeMemo`]).
pub fn extract_page_streaming(html: &str, page_url: &Url) -> Option<(PageContent, Option<String>)> {
    thread_local! {
        static CHROME: std::cell::RefCell<ChromeMemo> = Default::default();
    }
    CHROME.with_borrow_mut(|memo| extract_page_streaming_with(html, page_url, memo))
}

/// [`extract_page_streaming`] with the landmarks read before kept in `memo` ([`ChromeMemo::off`]
/// to read every one).
pub fn extract_page_streaming_with(
    html: &str,
    page_url: &Url,
    memo: &mut ChromeMemo,
) -> Option<(PageContent, Option<String>)> {
    let mut state = Extraction::default();
    let mut depth = NestingDepth::default();
    let mut note = None;
    // The elements an end tag may close, as written, with the id the extraction gave those
    // that carry state. An end tag closes the nearest of its name and all opened after it; the
    // tree builder's finer repairs are the extraction's.
    let mut closable: Vec<(&str, Option<u32>)> = Vec::new();
    let mut tokens = Tokenizer::new(html);
    // The landmark being read for the first time, to remember what reading it did.
    let mut recording: Option<chrome::Recording> = None;
    while let Some(token) = tokens.next() {
        let token = token.ok()?;
        // Where the full extractor's `nesting_cut` cuts the document: its tokens stop here.
        if depth.passes(&token, MAX_NESTING) {
            note = Some(super::nesting_note());
            break;
        }
        let mut landmark_closed = false;
        match token {
            Token::Start {
                source,
                name,
                can_have_content,
            } => {
                let tag = Tag::new(name, tokens.attributes());
                let context = (recording.is_none()
                    && can_have_content
                    && !memo.is_off()
                    && tokens.between_html_tokens()
                    && landmark(&tag, &tag.name, state.sectioning).is_some())
                .then(|| chrome::Context::of(&state))
                .flatten();
                if let Some(context) = context {
                    let start = tokens.offset() - source.len();
                    match memo.find(&html[start..], &context) {
                        Some(chrome) => {
                            if let Some(nesting) =
                                chrome.replay(&mut state, depth.0, closable.len())
                            {
                                // Checked above: reading stands between tokens in plain HTML.
                                tokens.skip_to(start + chrome.len());
                                depth.0 = nesting;
                                continue;
                            }
                        }
                        None => {
                            recording = Some(chrome::Recording::start(
                                start,
                                context,
                                &mut state,
                                depth.0,
                                closable.len(),
                            ))
                        }
                    }
                }
                let opened = state.open(&tag);
                if can_have_content {
                    // Markup whose elements never close (a million <b>s) is left to the tree
                    // builder: each end tag would search them all.
                    if closable.len() >= MAX_CLOSABLE {
                        return None;
                    }
                    closable.push((name, opened));
                } else if let Some(id) = opened {
                    state.end_tag(id);
                }
            }
            Token::End { name } => {
                let closed = closable
                    .iter()
                    .rposition(|(open, _)| open.eq_ignore_ascii_case(name));
                if let Some(at) = closed {
                    for (_, id) in closable.drain(at..) {
                        if let Some(id) = id {
                            state.end_tag(id);
                        }
                    }
                }
                if let Some(recorded) = &mut recording {
                    let base = recorded.closable_base();
                    match closed {
                        Some(at) if at == base => landmark_closed = true,
                        Some(at) if at > base => {}
                        // It closed the landmark from outside, or nothing (elsewhere it might
                        // close something).
                        Some(_) => recording = None,
                        None => recorded.break_off(),
                    }
                }
            }
            Token::Text {
                raw,
                character_references,
            } => state.text(raw, character_references),
        }
        if let Some(recorded) = &mut recording {
            recorded.observe(&state, depth.0, closable.len());
            if landmark_closed {
                if let Some(recorded) = recording.take() {
                    recorded.finish(&mut state, html, tokens.offset(), depth.0, memo);
                }
            }
        }
    }
    if state.needs_full_extraction {
        return None;
    }
    Some((state.finish(page_url), note))
}

/// Labels read per page: far more than any real page has (the full extractor reads all).
const MAX_LABELS: usize = 30_000;
/// Open elements with state at once; past this the page goes to the full extractor.
const MAX_OPEN: usize = 4 * MAX_NESTING;
/// Elements an end tag may still close (state or not); past this, the full extractor.
const MAX_CLOSABLE: usize = 16 * MAX_NESTING;

/// What an element is to the tree builder's repairs and to the extraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    P,
    Li,
    DescriptionItem,
    Heading,
    Anchor,
    Option,
    Cell,
    Row,
    Table,
    Button,
    Form,
    Label,
    Title,
    Script,
    /// Elements at whose edge the repairs stop looking for an open `<p>` or `<li>`.
    Boundary,
    Other,
}

/// An open element that carries state: closing it undoes what opening it did.
#[derive(Debug)]
struct Open {
    id: u32,
    kind: Kind,
    block: bool,
    /// A block the search for an open `<li>`/`<dd>` stops at ("special" less div, p, address).
    special: bool,
    non_rendered: bool,
    hidden: bool,
    sectioning: bool,
    pre: bool,
    region: bool,
    /// Opened inside a non-rendered element: no text-sink actions on close.
    in_skip: bool,
    collector: bool,
    form: Option<usize>,
    label: Option<usize>,
}

#[derive(Debug)]
enum Target {
    Link(usize),
    Heading(usize),
    Label(usize),
    Button(usize),
}

/// The one-line text of an element being read ([`super::inline_text`]).
struct Collector {
    owner: u32,
    sink: TextSink,
    skip_base: usize,
    hidden_base: usize,
    edges: usize,
    target: Target,
}

#[derive(Clone)]
struct LinkDraft {
    href: String,
    region: Region,
    text: String,
    aria_label: Option<String>,
    title: Option<String>,
    image_alts: Vec<String>,
}

#[derive(Clone)]
struct FormDraft {
    form: Form,
    /// Hidden elements open inside the form: deeper ones hide its controls.
    hidden_base: usize,
    /// Fields (not buttons) of its own met so far: the field cap counts them.
    own_fields: usize,
}

#[derive(Clone)]
struct Control {
    /// The enclosing form, unless the control is hidden within it.
    form: Option<usize>,
    /// The `form` attribute: the control also belongs to the forms of that id.
    form_attr: Option<String>,
    /// Fields of the enclosing form before this one.
    own_index: usize,
    /// Fields with the same `form` attribute before this one.
    external_index: usize,
    field: Option<FormField>,
    /// The nearest enclosing `<label>` (labels of password fields only).
    wrapping_label: Option<usize>,
    submit_text: Option<String>,
    /// A submit button's `aria-label`, used when it shows no text.
    submit_fallback: Option<String>,
}

#[derive(Default)]
struct Extraction {
    next_id: u32,
    stack: Vec<Open>,
    skip: usize,
    hidden: usize,
    sectioning: usize,
    pre: usize,
    regions: Vec<(u32, Region)>,
    sinks: Sinks,
    collectors: Vec<Collector>,
    lang: Option<String>,
    title: Option<String>,
    title_open: Option<u32>,
    title_done: bool,
    base_href: Option<String>,
    base_seen: bool,
    meta_refresh: Option<String>,
    headings: Vec<Option<Heading>>,
    links: Vec<LinkDraft>,
    json_ld: thin_vec::ThinVec<Arc<serde_json::Value>>,
    json_script: Option<(u32, String)>,
    forms: Vec<FormDraft>,
    controls: Vec<Control>,
    labels: Vec<String>,
    /// Fields met per `form` attribute value, in document order.
    external_fields: HashMap<String, usize>,
    label_targets: Vec<Option<String>>,
    needs_full_extraction: bool,
    /// Past the head: a `<title>` here is text of the page.
    in_body: bool,
    /// The landmark being recorded ([`chrome::Recording`]) holds something whose reading
    /// depends on the rest of the page: something the page has one of (the first wins), or a
    /// field of a form named by id.
    unrepeatable: bool,
}

struct Sinks {
    text: TextSink,
    header: TextSink,
    footer: TextSink,
}

impl Default for Sinks {
    fn default() -> Self {
        Sinks {
            text: TextSink::new(MAX_TEXT_CHARS),
            header: TextSink::new(MAX_REGION_TEXT_CHARS),
            footer: TextSink::new(MAX_REGION_TEXT_CHARS),
        }
    }
}

impl Sinks {
    /// The page's, the header's and the footer's text, in that order.
    fn each(&self) -> [&TextSink; 3] {
        [&self.text, &self.header, &self.footer]
    }
    fn each_mut(&mut self) -> [&mut TextSink; 3] {
        [&mut self.text, &mut self.header, &mut self.footer]
    }
    fn newline(&mut self) {
        self.text.newline();
        self.header.newline();
        self.footer.newline();
    }
    fn space(&mut self) {
        self.text.space();
        self.header.space();
        self.footer.space();
    }
}

/// A start tag read in place: its name and attributes are slices of the document, read once by
/// the tokenizer (every element is asked for several attributes).
struct Tag<'a, 't> {
    name: Cow<'a, str>,
    /// (name as written, value as written) in document order; a repeated name is ignored past
    /// its first, as the tokenizer does.
    attributes: &'t [(&'a str, &'a str)],
}

impl<'a, 't> Tag<'a, 't> {
    /// The tag named `name` (as written) with the tokenizer's `attributes`.
    fn new(name: &'a str, attributes: &'t [(&'a str, &'a str)]) -> Tag<'a, 't> {
        let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        };
        Tag { name, attributes }
    }

    /// The value as written (character references encoded).
    fn raw(&self, name: &str) -> Option<&'a str> {
        self.attributes
            .iter()
            .find(|(written, _)| written.eq_ignore_ascii_case(name))
            .map(|(_, value)| *value)
    }

    fn has_attribute(&self, name: &str) -> bool {
        self.raw(name).is_some()
    }

    /// The value with its character references decoded.
    fn value(&self, name: &str) -> Option<Cow<'a, str>> {
        self.raw(name).map(|raw| decode(raw, true))
    }
}

fn attr(el: &Tag, name: &str) -> Option<String> {
    el.value(name).map(Cow::into_owned)
}

fn is_hidden(el: &Tag, name: &str) -> bool {
    !el.attributes.is_empty() && super::hidden_by_markup(name, |n| el.value(n))
}

/// [`super::is_non_rendered`] less `head`: the tree builder moves what follows a stray tag or
/// text in the head to the body, so the head is left to its own non-rendered children here.
/// A title in the head is read as the title only; one in the body is text too.
fn is_non_rendered(name: &str, in_body: bool) -> bool {
    (name == "title" && !in_body) || (name != "head" && super::is_non_rendered(name))
}

/// Elements the tree builder keeps in the head: any other start tag opens the body.
fn belongs_in_head(name: &str) -> bool {
    matches!(
        name,
        "html"
            | "head"
            | "title"
            | "meta"
            | "link"
            | "base"
            | "basefont"
            | "bgsound"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "noframes"
    )
}

fn kind_of(name: &str) -> Kind {
    match name {
        "p" => Kind::P,
        "li" => Kind::Li,
        "dd" | "dt" => Kind::DescriptionItem,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Kind::Heading,
        "a" => Kind::Anchor,
        "option" => Kind::Option,
        "td" | "th" => Kind::Cell,
        "tr" => Kind::Row,
        "table" => Kind::Table,
        "button" => Kind::Button,
        "form" => Kind::Form,
        "label" => Kind::Label,
        "title" => Kind::Title,
        "script" => Kind::Script,
        "html" | "caption" | "marquee" | "object" | "applet" | "template" | "select" => {
            Kind::Boundary
        }
        _ => Kind::Other,
    }
}

/// Start tags that close an open `<p>` (HTML tree construction, "in body").
fn closes_p(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "header"
            | "hgroup"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "search"
            | "section"
            | "summary"
            | "ul"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "pre"
            | "listing"
            | "form"
            | "table"
            | "hr"
            | "li"
            | "dd"
            | "dt"
            | "xmp"
            | "plaintext"
    )
}

fn heading_level(name: &str, el: &Tag) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ if el
            .value("role")
            .is_some_and(|r| r.trim().eq_ignore_ascii_case("heading")) =>
        {
            Some(
                el.value("aria-level")
                    .and_then(|l| l.trim().parse::<u8>().ok())
                    .unwrap_or(2)
                    .clamp(1, 6),
            )
        }
        _ => None,
    }
}

impl Extraction {
    fn current_region(&self) -> Region {
        self.regions
            .iter()
            .rev()
            .map(|(_, r)| *r)
            .find(|r| matches!(r, Region::Header | Region::Footer))
            .or_else(|| {
                self.regions
                    .iter()
                    .map(|(_, r)| *r)
                    .find(|r| *r == Region::Nav)
            })
            .unwrap_or(Region::Main)
    }

    /// Reads a start tag; returns the id to close it by when it carries state.
    fn open(&mut self, el: &Tag) -> Option<u32> {
        let name: &str = &el.name;
        let kind = kind_of(name);
        self.repair_before(name, kind);
        self.count_collector_edges();
        let id = self.next_id;
        self.next_id += 1;
        let block = super::is_block(name);
        let cell = kind == Kind::Cell;
        let mut open = Open {
            id,
            kind,
            block,
            special: block
                && !matches!(kind, Kind::Li | Kind::DescriptionItem | Kind::P)
                && !matches!(name, "div" | "address"),
            non_rendered: false,
            hidden: false,
            sectioning: false,
            pre: false,
            region: false,
            in_skip: self.skip > 0,
            collector: false,
            form: None,
            label: None,
        };
        self.document_level(name, kind, el, &mut open);

        // Collectors already open see this element as a descendant.
        let hidden = is_hidden(el, name);
        if !self.in_body && !belongs_in_head(name) {
            self.in_body = true;
        }
        let non_rendered = is_non_rendered(name, self.in_body);
        if (block || cell) && !hidden && !non_rendered {
            for c in &mut self.collectors {
                if self.skip == c.skip_base && self.hidden == c.hidden_base {
                    c.sink.space();
                }
            }
        }
        // Images inside a link give its text when nothing else does.
        if name == "img" {
            if let Some(alt) = attr(el, "alt").map(|a| collapse(&a)) {
                for c in &self.collectors {
                    if let Target::Link(i) = c.target {
                        if let Some(link) = self.links.get_mut(i) {
                            if !alt.is_empty() {
                                link.image_alts.push(alt.clone());
                            }
                        }
                    }
                }
            }
        }

        if non_rendered {
            open.non_rendered = true;
            self.skip += 1;
        }
        if open.in_skip || non_rendered {
            if hidden {
                open.hidden = true;
                self.hidden += 1;
            }
            self.form_controls(name, kind, el, &mut open);
            return self.push(open);
        }

        if let Some(region) = landmark(el, name, self.sectioning) {
            self.regions.push((id, region));
            open.region = true;
        }
        if super::is_sectioning(name) {
            self.sectioning += 1;
            open.sectioning = true;
        }
        if hidden {
            self.hidden += 1;
            open.hidden = true;
        }
        if name == "pre" {
            self.pre += 1;
            open.pre = true;
        }
        if kind == Kind::Anchor || name == "area" {
            if let Some(href) = attr(el, "href") {
                if self.links.len() < MAX_LINKS {
                    let region = self.current_region();
                    self.links.push(LinkDraft {
                        href,
                        region,
                        text: String::new(),
                        aria_label: attr(el, "aria-label"),
                        title: attr(el, "title"),
                        image_alts: Vec::new(),
                    });
                    let index = self.links.len() - 1;
                    open.collector = true;
                    self.start_collector(id, Target::Link(index));
                }
            }
        }
        if self.hidden == 0 {
            if block {
                self.sinks.newline();
            } else if cell {
                self.sinks.space();
            }
            if let Some(level) = heading_level(name, el) {
                let started = self.headings.iter().filter(|h| h.is_some()).count();
                if started < MAX_HEADINGS {
                    self.headings.push(Some(Heading {
                        level,
                        text: String::new(),
                    }));
                    let index = self.headings.len() - 1;
                    open.collector = true;
                    self.start_collector(id, Target::Heading(index));
                }
            }
        }
        self.form_controls(name, kind, el, &mut open);
        self.push(open)
    }

    /// Elements the document has one of (first wins): `<html lang>`, `<title>`, `<base>`,
    /// meta refresh, JSON-LD scripts.
    fn document_level(&mut self, name: &str, kind: Kind, el: &Tag, open: &mut Open) {
        let json_ld = kind == Kind::Script
            && attr(el, "type")
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
            && attr(el, "src").is_none_or(|s| s.trim().is_empty());
        let refresh = name == "meta"
            && attr(el, "http-equiv").is_some_and(|h| h.trim().eq_ignore_ascii_case("refresh"));
        // What such an element does depends on what came before it (the first one wins).
        if json_ld || refresh || kind == Kind::Title || matches!(name, "html" | "base") {
            self.unrepeatable = true;
        }
        match (kind, name) {
            (Kind::Boundary, "html") if self.lang.is_none() => {
                self.lang = attr(el, "lang")
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty());
            }
            (Kind::Title, _) if !self.title_done && self.title_open.is_none() => {
                self.title_open = Some(open.id);
                self.title = Some(String::new());
            }
            (Kind::Script, _) if json_ld && self.json_ld.len() < MAX_SCRIPTS => {
                self.json_script = Some((open.id, String::new()));
            }
            (_, "base") if !self.base_seen => {
                if let Some(href) = attr(el, "href") {
                    self.base_seen = true;
                    self.base_href = Some(href);
                }
            }
            (_, "meta") if refresh && self.meta_refresh.is_none() => {
                self.meta_refresh = attr(el, "content");
            }
            _ => {}
        }
    }

    /// Forms, their controls and labels: read wherever they are (the full extractor selects
    /// them from the whole document, hidden or not).
    fn form_controls(&mut self, name: &str, kind: Kind, el: &Tag, open: &mut Open) {
        match kind {
            Kind::Form => {
                if self.open_form().is_some() || self.forms.len() >= MAX_FORMS {
                    return;
                }
                self.forms.push(FormDraft {
                    form: Form {
                        id: attr(el, "id"),
                        name: attr(el, "name"),
                        action: attr(el, "action"),
                        method: attr(el, "method")
                            .map(|m| m.trim().to_ascii_lowercase())
                            .filter(|m| !m.is_empty())
                            .unwrap_or_else(|| "get".into()),
                        ..Form::default()
                    },
                    hidden_base: self.hidden,
                    own_fields: 0,
                });
                open.form = Some(self.forms.len() - 1);
                return;
            }
            Kind::Label => {
                if self.labels.len() >= MAX_LABELS {
                    return;
                }
                self.labels.push(String::new());
                let index = self.labels.len() - 1;
                self.label_targets.push(attr(el, "for"));
                open.label = Some(index);
                open.collector = true;
                self.start_collector(open.id, Target::Label(index));
                return;
            }
            _ => {}
        }
        if !matches!(name, "input" | "select" | "textarea" | "button") {
            return;
        }
        // The control's own hidden mark was counted in `open` already.
        let hidden_around = self.hidden - usize::from(open.hidden);
        let form = self.open_form().filter(|f| {
            let hides_itself = name != "input" && open.hidden;
            !hides_itself && hidden_around <= self.forms[*f].hidden_base
        });
        let form_attr = attr(el, "form");
        if form.is_none() && form_attr.is_none() {
            return;
        }
        if form_attr.is_some() {
            // Counted with the other fields naming the same form, wherever they are.
            self.unrepeatable = true;
        }
        let input_type = (name == "input").then(|| {
            attr(el, "type")
                .map(|t| t.trim().to_ascii_lowercase())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| "text".into())
        });
        let is_field = name != "button";
        let own_index = form.map_or(0, |f| self.forms[f].own_fields);
        let mut external_index = 0;
        if is_field {
            if let Some(f) = form {
                self.forms[f].own_fields += 1;
            }
            if let Some(id) = &form_attr {
                let seen = self.external_fields.entry(id.clone()).or_default();
                external_index = *seen;
                *seen += 1;
            }
        }
        let mut control = Control {
            form,
            form_attr,
            own_index,
            external_index,
            field: None,
            wrapping_label: None,
            submit_text: None,
            submit_fallback: None,
        };
        match input_type.as_deref() {
            Some("password") => {
                if el.has_attribute("aria-labelledby") {
                    self.needs_full_extraction = true;
                }
                control.wrapping_label = self.stack.iter().rev().find_map(|o| o.label);
                control.field = Some(FormField {
                    tag: "input".into(),
                    kind: "password".into(),
                    name: attr(el, "name"),
                    id: attr(el, "id"),
                    label: ["aria-label", "title"]
                        .iter()
                        .filter_map(|a| attr(el, a))
                        .map(|v| collapse(&v))
                        .find(|t| !t.is_empty()),
                    placeholder: attr(el, "placeholder")
                        .map(|p| collapse(&p))
                        .filter(|p| !p.is_empty()),
                    required: el.has_attribute("required")
                        || attr(el, "aria-required")
                            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
                    autocomplete: attr(el, "autocomplete")
                        .map(|a| a.trim().to_string())
                        .filter(|a| !a.is_empty()),
                });
            }
            Some("submit") => control.submit_text = attr(el, "value").map(|v| collapse(&v)),
            Some("image") => control.submit_text = attr(el, "alt").map(|v| collapse(&v)),
            _ => {}
        }
        let submit_button = name == "button"
            && attr(el, "type")
                .map(|t| t.trim().to_ascii_lowercase())
                .is_none_or(|t| t == "submit");
        if submit_button {
            control.submit_fallback = attr(el, "aria-label").map(|v| collapse(&v));
            control.submit_text = Some(String::new());
        }
        // Only what is kept is recorded: a page of a million inputs costs counters.
        if control.field.is_none() && control.submit_text.is_none() {
            return;
        }
        self.controls.push(control);
        if submit_button {
            let index = self.controls.len() - 1;
            open.collector = true;
            self.start_collector(open.id, Target::Button(index));
        }
    }

    fn open_form(&self) -> Option<usize> {
        self.stack.iter().rev().find_map(|o| o.form)
    }

    fn start_collector(&mut self, owner: u32, target: Target) {
        self.collectors.push(Collector {
            owner,
            sink: TextSink::new(MAX_SHORT_TEXT_CHARS),
            skip_base: self.skip,
            hidden_base: self.hidden,
            edges: 0,
            target,
        });
    }

    fn count_collector_edges(&mut self) {
        for c in &mut self.collectors {
            c.edges += 2;
        }
    }

    fn push(&mut self, open: Open) -> Option<u32> {
        let carries_state = open.block
            || open.kind != Kind::Other
            || open.non_rendered
            || open.hidden
            || open.sectioning
            || open.pre
            || open.region
            || open.collector
            || open.form.is_some()
            || open.label.is_some()
            || self.title_open == Some(open.id)
            || self
                .json_script
                .as_ref()
                .is_some_and(|(id, _)| *id == open.id);
        if !carries_state {
            return None;
        }
        // Markup whose elements never close (a million <tbody>s: neither the nesting scan nor
        // the repairs here close them) is left to the tree builder.
        if self.stack.len() >= MAX_OPEN {
            self.needs_full_extraction = true;
        }
        let id = open.id;
        self.stack.push(open);
        Some(id)
    }

    /// The tree builder's repairs a start tag triggers: the elements it closes first.
    fn repair_before(&mut self, name: &str, kind: Kind) {
        let scope = |o: &Open| matches!(o.kind, Kind::Boundary | Kind::Table | Kind::Cell);
        if closes_p(name) {
            self.close_nearest(
                |o| o.kind == Kind::P,
                |o| scope(o) || o.kind == Kind::Button,
            );
        }
        match kind {
            Kind::Li | Kind::DescriptionItem => {
                self.close_nearest(|o| o.kind == kind, |o| scope(o) || o.special)
            }
            Kind::Heading | Kind::Option => {
                if let Some(top) = self.stack.last().filter(|o| o.kind == kind) {
                    self.close_to(top.id);
                }
            }
            Kind::Anchor | Kind::Button => self.close_nearest(|o| o.kind == kind, scope),
            Kind::Cell => self.close_nearest(|o| o.kind == Kind::Cell, |o| o.kind == Kind::Table),
            Kind::Row => self.close_nearest(|o| o.kind == Kind::Row, |o| o.kind == Kind::Table),
            _ => {}
        }
    }

    /// Closes the nearest open element `wanted` picks, unless `stop` picks one before it.
    fn close_nearest(&mut self, wanted: impl Fn(&Open) -> bool, stop: impl Fn(&Open) -> bool) {
        let found = self
            .stack
            .iter()
            .rev()
            .find(|o| wanted(o) || stop(o))
            .filter(|o| wanted(o))
            .map(|o| o.id);
        if let Some(id) = found {
            self.close_to(id);
        }
    }

    /// An end tag matched to an element: it and what is open inside it close.
    fn end_tag(&mut self, id: u32) {
        if self.stack.iter().any(|o| o.id == id) {
            self.close_to(id);
        }
    }

    fn close_to(&mut self, id: u32) {
        while let Some(open) = self.stack.pop() {
            let done = open.id == id;
            self.close(open);
            if done {
                break;
            }
        }
    }

    fn close(&mut self, open: Open) {
        // Collectors of this element end here; the others see a descendant close.
        while self.collectors.last().is_some_and(|c| c.owner == open.id) {
            if let Some(c) = self.collectors.pop() {
                self.finish_collector(c);
            }
        }
        if self.title_open == Some(open.id) {
            self.title_open = None;
            self.title_done = true;
            self.title = self
                .title
                .take()
                .map(|t| collapse(&t))
                .filter(|t| !t.is_empty());
        }
        if let Some((script, body)) = self.json_script.take() {
            if script == open.id {
                if let Some(value) = parse_json_ld(&body) {
                    push_capped(&mut self.json_ld, MAX_SCRIPTS, Arc::new(value));
                }
            } else {
                self.json_script = Some((script, body));
            }
        }
        if open.non_rendered {
            self.skip -= 1;
        }
        if open.hidden {
            // Collectors see the close of a block only when it is not hidden to them.
            self.hidden -= 1;
        } else if open.block || open.kind == Kind::Cell {
            for c in &mut self.collectors {
                if self.skip == c.skip_base && self.hidden == c.hidden_base {
                    c.sink.space();
                }
            }
        }
        if open.in_skip || open.non_rendered {
            return;
        }
        if open.block && self.hidden == 0 && !open.hidden {
            self.sinks.newline();
        }
        if open.pre {
            self.pre -= 1;
        }
        if open.sectioning {
            self.sectioning -= 1;
        }
        if open.region && self.regions.last().is_some_and(|(id, _)| *id == open.id) {
            self.regions.pop();
        }
    }

    fn finish_collector(&mut self, c: Collector) {
        let text = c.sink.finish();
        match c.target {
            Target::Link(i) => self.links[i].text = text,
            Target::Heading(i) => {
                if text.is_empty() {
                    self.headings[i] = None;
                    if i + 1 == self.headings.len() {
                        self.headings.pop();
                    }
                } else if let Some(h) = &mut self.headings[i] {
                    h.text = text;
                }
            }
            Target::Label(i) => self.labels[i] = text,
            Target::Button(i) => self.controls[i].submit_text = Some(text),
        }
    }

    fn text(&mut self, raw: &str, decode_entities: bool) {
        if raw.is_empty() {
            return;
        }
        let text = if decode_entities {
            decode(raw, false)
        } else {
            Cow::Borrowed(raw)
        };
        let text = if self.pre > 0 && text.contains('\r') {
            Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
        } else {
            text
        };
        if let Some((_, body)) = &mut self.json_script {
            body.push_str(&text);
        }
        if self.title_open.is_some() {
            if let Some(title) = &mut self.title {
                title.push_str(&text);
            }
        }
        // Collapsed once for all the sinks it goes to.
        let mut collapsed: Option<Collapsed> = None;
        for c in &mut self.collectors {
            c.edges += 1;
            if c.edges <= MAX_SHORT_TEXT_NODES * 2
                && self.skip == c.skip_base
                && self.hidden == c.hidden_base
            {
                c.sink
                    .push_collapsed(collapsed.get_or_insert_with(|| Collapsed::of(&text)));
            }
        }
        if self.skip > 0 || self.hidden > 0 {
            return;
        }
        if !self.in_body && !text.trim_ascii_start().is_empty() {
            self.in_body = true;
        }
        let region = self.current_region();
        let sinks = &mut self.sinks;
        let region_sink = match region {
            Region::Header => Some(&mut sinks.header),
            Region::Footer => Some(&mut sinks.footer),
            _ => None,
        };
        if self.pre > 0 {
            sinks.text.push(&text, true);
            if let Some(sink) = region_sink {
                sink.push(&text, true);
            }
        } else {
            let collapsed = collapsed.get_or_insert_with(|| Collapsed::of(&text));
            sinks.text.push_collapsed(collapsed);
            if let Some(sink) = region_sink {
                sink.push_collapsed(collapsed);
            }
        }
    }

    fn finish(mut self, page_url: &Url) -> PageContent {
        while let Some(open) = self.stack.pop() {
            self.close(open);
        }
        while let Some(c) = self.collectors.pop() {
            self.finish_collector(c);
        }
        let base = self
            .base_href
            .as_deref()
            .and_then(|href| page_url.join(href.trim()).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .unwrap_or_else(|| page_url.clone());
        let sinks = std::mem::take(&mut self.sinks);
        let links = self
            .links
            .into_iter()
            .map(|draft| {
                let url = super::resolve_link(&base, &draft.href);
                Arc::new(Link {
                    text: Arc::from(link_text(
                        draft.text,
                        draft.aria_label,
                        draft.title,
                        draft.image_alts,
                    )),
                    href: draft.href,
                    url,
                    region: draft.region,
                })
            })
            .collect();
        let mut label_for: HashMap<&str, &str> = HashMap::new();
        for (target, text) in self.label_targets.iter().zip(&self.labels) {
            if let Some(target) = target {
                if !text.is_empty() {
                    label_for.entry(target.as_str()).or_insert(text.as_str());
                }
            }
        }
        let mut forms: Vec<Arc<Form>> = Vec::with_capacity(self.forms.len());
        for (index, draft) in self.forms.into_iter().enumerate() {
            let mut form = draft.form;
            // Its own controls, then those naming it by id, as the full extractor lists them;
            // the field cap counts the fields in that order.
            let own = self
                .controls
                .iter()
                .filter(|c| c.form == Some(index))
                .map(|c| (c, c.own_index));
            let external = self
                .controls
                .iter()
                .filter(|c| form.id.is_some() && c.form_attr == form.id)
                .map(|c| (c, draft.own_fields + c.external_index));
            for (control, position) in own.chain(external) {
                if let Some(text) = control_submit_text(control) {
                    form.submit_texts.push(text);
                }
                let Some(field) = &control.field else {
                    continue;
                };
                if position >= MAX_FIELDS_PER_FORM {
                    continue;
                }
                let mut field = field.clone();
                let wrapping = control
                    .wrapping_label
                    .map(|l| self.labels[l].as_str())
                    .filter(|t| !t.is_empty());
                let by_for = field
                    .id
                    .as_deref()
                    .and_then(|id| label_for.get(id).copied());
                if let Some(label) = by_for.or(wrapping) {
                    field.label = Some(label.to_string());
                }
                form.fields.push(field);
            }
            form.action = form.action.map(|a| {
                resolve(&base, &a)
                    .map(String::from)
                    .unwrap_or_else(|| a.trim().to_string())
            });
            forms.push(Arc::new(form));
        }
        PageContent {
            lang: self.lang,
            title: self.title,
            meta_refresh: self
                .meta_refresh
                .as_deref()
                .and_then(|c| super::refresh_target(c, &base)),
            text: sinks.text.finish(),
            header_text: sinks.header.finish().into(),
            footer_text: sinks.footer.finish().into(),
            headings: self.headings.into_iter().flatten().collect(),
            links,
            forms: forms.into(),
            json_ld: self.json_ld,
            ..PageContent::default()
        }
    }
}

fn control_submit_text(control: &Control) -> Option<String> {
    let text = control.submit_text.as_deref()?;
    let text = if text.is_empty() {
        control.submit_fallback.as_deref().unwrap_or_default()
    } else {
        text
    };
    (!text.is_empty()).then(|| text.to_string())
}

/// [`super::link_text`] from what the stream gave.
fn link_text(
    text: String,
    aria_label: Option<String>,
    title: Option<String>,
    image_alts: Vec<String>,
) -> String {
    if !text.is_empty() {
        return text;
    }
    for v in [aria_label, title].into_iter().flatten() {
        let v = collapse(&v);
        if !v.is_empty() {
            return v;
        }
    }
    image_alts.join(" ")
}

/// [`super::landmark`] for a start tag.
fn landmark(el: &Tag, name: &str, sectioning_depth: usize) -> Option<Region> {
    if let Some(role) = el.value("role") {
        let role = role.trim();
        let roles = [
            ("banner", Region::Header),
            ("contentinfo", Region::Footer),
            ("navigation", Region::Nav),
        ];
        if let Some((_, region)) = roles.iter().find(|(r, _)| role.eq_ignore_ascii_case(r)) {
            return Some(*region);
        }
    }
    match name {
        "header" if sectioning_depth == 0 => Some(Region::Header),
        "footer" if sectioning_depth == 0 => Some(Region::Footer),
        "nav" => Some(Region::Nav),
        _ => None,
    }
}

/// Character references decoded as the HTML tokenizer does: named ones (with the legacy
/// forms without `;`, which an attribute keeps as written before `=` or an alphanumeric),
/// decimal and hexadecimal ones (with the C1 and invalid code point replacements).
pub fn decode(raw: &str, in_attribute: bool) -> Cow<'_, str> {
    let Some(first) = raw.find('&') else {
        return Cow::Borrowed(raw);
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..first]);
    let mut rest = &raw[first..];
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let consumed = if rest[1..].starts_with('#') {
            numeric_reference(rest, &mut out)
        } else {
            named_reference(rest, in_attribute, &mut out)
        };
        match consumed {
            Some(len) => rest = &rest[len..],
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `&#...`: the bytes read, or None when no digits follow (the `&` stays as written).
fn numeric_reference(text: &str, out: &mut String) -> Option<usize> {
    let bytes = text.as_bytes();
    let hex = matches!(bytes.get(2), Some(b'x' | b'X'));
    let start = if hex { 3 } else { 2 };
    let digits = bytes[start.min(bytes.len())..]
        .iter()
        .take_while(|b| {
            if hex {
                b.is_ascii_hexdigit()
            } else {
                b.is_ascii_digit()
            }
        })
        .count();
    if digits == 0 {
        return None;
    }
    let radix = if hex { 16 } else { 10 };
    let code = text[start..start + digits]
        .chars()
        .try_fold(0u32, |n, c| {
            n.checked_mul(radix)?.checked_add(c.to_digit(radix)?)
        })
        .unwrap_or(u32::MAX);
    let mut len = start + digits;
    if bytes.get(len) == Some(&b';') {
        len += 1;
    }
    let c = match code {
        0 => '\u{FFFD}',
        0x80..=0x9F => markup5ever::data::C1_REPLACEMENTS[(code - 0x80) as usize]
            .unwrap_or_else(|| char::from_u32(code).unwrap_or('\u{FFFD}')),
        _ => char::from_u32(code).unwrap_or('\u{FFFD}'),
    };
    out.push(c);
    Some(len)
}

/// `&name;` (or a legacy `&name`): the bytes read, or None when no reference matches.
fn named_reference(text: &str, in_attribute: bool, out: &mut String) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut best: Option<(usize, (u32, u32))> = None;
    let mut end = 1;
    while end < bytes.len() && end <= 33 {
        let b = bytes[end];
        if !(b.is_ascii_alphanumeric() || b == b';') {
            break;
        }
        end += 1;
        match markup5ever::data::NAMED_ENTITIES.get(&text[1..end]) {
            None => break,
            Some(&(0, _)) => {}
            Some(&value) => best = Some((end, value)),
        }
        if b == b';' {
            break;
        }
    }
    let (len, (first, second)) = best?;
    if in_attribute && bytes[len - 1] != b';' {
        if let Some(next) = bytes.get(len) {
            if *next == b'=' || next.is_ascii_alphanumeric() {
                return None;
            }
        }
    }
    out.extend(char::from_u32(first));
    if second != 0 {
        out.extend(char::from_u32(second));
    }
    Some(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep_all(text: &str) -> Vec<&str> {
        text.lines().collect()
    }

    /// The streaming extraction of `html`, after checking it equals the full one (both
    /// reduced, keeping every line of text).
    fn streamed(html: &str) -> PageContent {
        let url = Url::parse("https://shop.test/es/page").unwrap();
        let (mut full, full_note) = super::super::extract_page_checked(html, &url);
        let (mut content, note) = extract_page_streaming(html, &url).expect("streamable");
        full.reduce(keep_all);
        content.reduce(keep_all);
        assert_eq!(
            serde_json::to_string_pretty(&content).unwrap(),
            serde_json::to_string_pretty(&full).unwrap(),
            "streaming (left) and full (right) extractions of {html:?}"
        );
        assert_eq!(note, full_note);
        content
    }

    /// The kept text, one line a part (reduced pages keep it as lines).
    fn kept_text(c: &PageContent) -> String {
        c.text_lines().collect::<Vec<_>>().join("\n")
    }

    fn link_texts(c: &PageContent) -> Vec<&str> {
        c.links.iter().map(|l| &*l.text).collect()
    }

    #[test]
    fn attributes_are_read_as_the_tokenizer_reads_them() {
        let c = streamed(
            "<a HREF = \"/uno\" href=/dos title='a>b' >uno</a>\
             <a href=/tres/ aria-label=Tres></a>\
             <a =x href=/cuatro hidden/>cuatro</a>\
             <a href='/cinco'title=\"T&amp;C\">cinco</a>\
             <div style = display:none ><a href=/seis>seis</a></div>\
             <p data-x=\"<p>\" aria-hidden = TRUE>oculto</p>\
             <a href = >vacío</a><p>fin</p>",
        );
        let hrefs: Vec<&str> = c.links.iter().filter_map(|l| l.url.as_deref()).collect();
        assert_eq!(
            hrefs,
            [
                "https://shop.test/uno",
                "https://shop.test/tres/",
                "https://shop.test/cuatro",
                "https://shop.test/cinco",
                "https://shop.test/seis",
                "https://shop.test/es/page",
            ]
        );
        assert_eq!(
            link_texts(&c),
            ["uno", "Tres", "cuatro", "cinco", "seis", "vacío"]
        );
        assert_eq!(kept_text(&c), "unocincovacío\nfin");
    }

    #[test]
    fn hidden_and_non_rendered_subtrees_give_no_text_but_keep_their_links() {
        let c = streamed(
            "<div hidden><p>secreto <a href=/x>enlace oculto</a></p></div><p>visible</p>\
             <span style='DISPLAY : none'>x</span><i aria-hidden=' TRUE '>icono</i>\
             <script>var a = '<p>no</p>';</script><noscript><a href=/n>no</a></noscript>\
             <template><p>plantilla</p></template><select><option>op</option></select>\
             <svg><text>dibujo</text></svg><textarea>área</textarea><h1 hidden>Oculto</h1>\
             <h1>Título <span hidden>no</span>visible</h1>",
        );
        assert_eq!(kept_text(&c), "visible\nTítulo visible");
        assert_eq!(link_texts(&c), vec!["enlace oculto"]);
        assert_eq!(c.headings.len(), 1);
        assert_eq!(c.headings[0].text, "Título visible");
    }

    #[test]
    fn regions_follow_landmarks_and_sectioning() {
        let c = streamed(
            "<header>Tienda <nav><a href=/a>A</a></nav></header>\
             <main><article><header>Artículo</header><a href=/m>M</a><footer>pie art</footer>\
             </article></main><div role=contentinfo>pie <a href=/c>C</a></div>\
             <section><div role=banner>banner <a href=/b>B</a></div></section>",
        );
        assert_eq!(&*c.header_text, "Tienda\nA\nbanner B");
        assert_eq!(&*c.footer_text, "pie C");
        let regions: Vec<Region> = c.links.iter().map(|l| l.region).collect();
        assert_eq!(
            regions,
            vec![Region::Header, Region::Main, Region::Footer, Region::Header]
        );
    }

    #[test]
    fn link_text_falls_back_to_aria_label_title_and_image_alts() {
        let c = streamed(
            "<a href=/1><img alt='Carrito'><img alt=' de  compra '></a>\
             <a href=/2 aria-label=' Ir  a inicio '><svg><title>x</title></svg></a>\
             <a href=/3 title=Título></a><a href=/4><span hidden>h</span>vis</a>\
             <a href=/5><div>Dos</div><div>bloques</div></a><a href=/6 hidden>oculto</a>\
             <map><area href=/7 alt=zona title=Área></map><a href=/8>&nbsp;</a>",
        );
        assert_eq!(
            link_texts(&c),
            vec![
                "Carrito de compra",
                "Ir a inicio",
                "Título",
                "vis",
                "Dos bloques",
                "oculto",
                "Área",
                ""
            ]
        );
    }

    #[test]
    fn a_late_base_href_still_resolves_every_url() {
        let c = streamed(
            "<a href='p?a=1&amp;b=2#frag'>x</a><form action=enviar method=POST>\
             <input type=password id=pw><label for=pw>Clave</label></form>\
             <meta http-equiv=Refresh content='0; URL=/otra/'><base href='/sub/'>\
             <base href='/ignored/'>",
        );
        assert_eq!(
            c.links[0].url.as_deref(),
            Some("https://shop.test/sub/p?a=1&b=2")
        );
        assert_eq!(c.links[0].href, "");
        assert_eq!(
            c.forms[0].action.as_deref(),
            Some("https://shop.test/sub/enviar")
        );
        assert_eq!(c.forms[0].method, "post");
        assert_eq!(c.forms[0].fields[0].label.as_deref(), Some("Clave"));
        assert_eq!(c.meta_refresh.as_deref(), Some("https://shop.test/otra/"));
        let c = streamed("<base href='javascript:alert(1)'><a href=p>x</a>");
        assert_eq!(c.links[0].url.as_deref(), Some("https://shop.test/es/p"));
    }

    #[test]
    fn lists_and_texts_are_capped() {
        let many = "<a href=/x>l</a>".repeat(MAX_LINKS + 100);
        assert_eq!(streamed(&many).links.len(), MAX_LINKS);
        let long = format!(
            "<a href=/x>{}</a><h1>{}</h1>",
            "palabra ".repeat(200),
            "b".repeat(900)
        );
        let c = streamed(&long);
        assert_eq!(c.links[0].text.chars().count(), MAX_SHORT_TEXT_CHARS);
        assert_eq!(c.headings[0].text.chars().count(), MAX_SHORT_TEXT_CHARS);
        let headings = "<h1>t</h1>".repeat(MAX_HEADINGS + 10);
        assert_eq!(streamed(&headings).headings.len(), MAX_HEADINGS);
        let forms = "<form><button>Enviar</button></form>".repeat(MAX_FORMS + 5);
        assert_eq!(streamed(&forms).forms.len(), MAX_FORMS);
        let text = format!(
            "<p>{}</p><footer>{}</footer>",
            "a".repeat(MAX_TEXT_CHARS + 10),
            "b".repeat(MAX_REGION_TEXT_CHARS + 10)
        );
        let c = streamed(&text);
        assert_eq!(kept_text(&c).chars().count(), MAX_TEXT_CHARS);
        assert_eq!(c.footer_text.chars().count(), MAX_REGION_TEXT_CHARS);
    }

    #[test]
    fn hostile_pages_cost_counters_not_records() {
        let fields = format!(
            "<form id=f>{}<input type=password name=late></form><input type=password form=f>",
            "<input name=x>".repeat(MAX_FIELDS_PER_FORM + 50)
        );
        let c = streamed(&fields);
        assert!(
            c.forms[0].fields.is_empty(),
            "password fields past the cap are not read"
        );
        let empty_headings = format!("{}<h1>real</h1>", "<h1></h1>".repeat(MAX_HEADINGS + 10));
        assert_eq!(streamed(&empty_headings).headings.len(), 1);
        let never_closed = "<table>".to_string() + &"<tbody>".repeat(MAX_OPEN + 10);
        let url = Url::parse("https://shop.test/").unwrap();
        assert!(
            extract_page_streaming(&never_closed, &url).is_none(),
            "left to the full extractor"
        );
    }

    #[test]
    fn markup_the_tree_builder_repairs_reads_the_same() {
        // A <div> closes the hidden <p>; the next <li> closes the hidden one; a link in a
        // link closes the first; a new cell closes the hidden one; nothing closes at the end.
        let c =
            streamed("<html><head><title>T</title></head><body><p>a</p><title>B</title></body>");
        assert_eq!(c.title.as_deref(), Some("T"));
        assert_eq!(kept_text(&c), "a\nB");
        let c = streamed("<title>T</title>texto<title>B</title>");
        assert_eq!(kept_text(&c), "textoB");
        let c = streamed(
            "<p hidden>a<div>b</div>c</p><ul><li hidden>x<li>y<ul><li>z</ul></ul>\
             <a href=/1>uno<a href=/2>dos</a><table><tr><td hidden>t<td>u<tr><td>v</table>\
             <dl><dt hidden>p<dd>r</dl><h2 hidden>h<h3>i</h3><header>cab <b>abierta",
        );
        assert_eq!(kept_text(&c), "b\nc\ny\nz\nunodos\nu\nv\nr\ni\ncab abierta");
        assert_eq!(link_texts(&c), vec!["uno", "dos"]);
        assert_eq!(&*c.header_text, "cab abierta");
    }

    #[test]
    fn character_references_are_decoded_as_the_tokenizer_does() {
        let c = streamed(
            "<title>A &amp; B&nbsp;&#x27;C&#39;</title><p>&eacute;t&eacute &notin; &notit; \
             &#128; &#0; &#xD800; &#99999999; &bogus; &amp</p>\
             <a href='/p?x=1&copy=2&amp;y&lt=3'>&lt;b&gt;</a>",
        );
        assert_eq!(c.title.as_deref(), Some("A & B 'C'"));
        assert_eq!(
            kept_text(&c),
            "été ∉ ¬it; € \u{FFFD} \u{FFFD} \u{FFFD} &bogus; &\n<b>"
        );
        assert_eq!(
            c.links[0].url.as_deref(),
            Some("https://shop.test/p?x=1&copy=2&y&lt=3")
        );
        assert_eq!(decode("a &amp b &AMP; c", false), "a & b & c");
        assert_eq!(decode("plain", true), Cow::Borrowed("plain"));
    }

    #[test]
    fn forms_keep_submit_texts_and_password_fields_with_their_labels() {
        let c = streamed(
            "<form id=login name=acceso><label>Contraseña <input type=password name=pw \
             placeholder=' Tu  clave ' required autocomplete=current-password></label>\
             <div hidden><input type=password name=trampa><button>oculto</button></div>\
             <button type=button>no</button><button aria-label=Entrar></button>\
             <input type=submit value=' Enviar '><input type=image alt=Ir></form>\
             <button form=login>Fuera</button><input type=password form=login title=Externa>\
             <form><input type=password><form><input type=password></form>",
        );
        assert_eq!(c.forms.len(), 2);
        let login = &c.forms[0];
        assert_eq!(login.submit_texts, vec!["Entrar", "Enviar", "Ir", "Fuera"]);
        let labels: Vec<Option<&str>> = login.fields.iter().map(|f| f.label.as_deref()).collect();
        assert_eq!(labels, vec![Some("Contraseña"), Some("Externa")]);
        assert!(login.fields[0].required);
        assert_eq!(
            c.forms[1].fields.len(),
            2,
            "a form inside a form is part of it"
        );
        let labelled_by =
            "<form><span id=l>Clave</span><input type=password aria-labelledby=l></form>";
        let url = Url::parse("https://shop.test/").unwrap();
        assert!(extract_page_streaming(labelled_by, &url).is_none());
    }

    /// Extracts `pages` in turn with one memo (a landmark met again is done again) and with
    /// every landmark read: both must give the same content. Returns how many landmarks were
    /// done again.
    fn with_and_without_memo(pages: &[String]) -> u64 {
        let url = Url::parse("https://shop.test/es/page").unwrap();
        let mut memo = ChromeMemo::default();
        for html in pages {
            let with = extract_page_streaming_with(html, &url, &mut memo);
            let without = extract_page_streaming_with(html, &url, &mut ChromeMemo::off());
            let show = |extracted: Option<(PageContent, Option<String>)>| {
                extracted.map(|(c, note)| (serde_json::to_string_pretty(&c).unwrap(), note))
            };
            assert_eq!(show(with), show(without), "{html:?}");
        }
        memo.times_done_again()
    }

    const HEADER: &str = "<header class=site><a href=/>Tienda</a><nav><ul><li><a href=/a>A</a>\
        <li><a href=/b>B</a></ul></nav><form action=/buscar><label>Buscar <input name=q></label>\
        <button>Ir</button></form><h2>Ofertas\n del día</h2> ENVÍO GRATIS EN 24H </header>";
    const FOOTER: &str = "<footer><p>Llámanos: <a href='tel:+34912345678'>912 345 678</a>\
        </p><form id=acceso><label>Clave <input type=password name=pw></label>\
        <input type=submit value=Entrar></form></footer>";

    #[test]
    fn a_landmark_met_again_is_done_again_with_the_same_result() {
        let pages: Vec<String> = ["Uno", "Dos", "Tres"]
            .iter()
            .map(|main| {
                format!("<body>{HEADER}<main><h1>{main}</h1><p>texto</p></main>{FOOTER}</body>")
            })
            .collect();
        assert_eq!(
            with_and_without_memo(&pages),
            4,
            "the header and the footer of the second and third pages"
        );
    }

    #[test]
    fn a_landmark_in_other_surroundings_reads_as_it_would_there() {
        let plain = format!("<body>{HEADER}{FOOTER}");
        let surroundings = [
            format!("texto{HEADER}"),
            format!("<p>abierto{HEADER}</p>"),
            format!("<table><tr><td>{HEADER}</td></tr></table>"),
            format!("<a href=/x>{HEADER}</a>"),
            format!("<a>{HEADER}</a>"),
            format!("<div hidden>{HEADER}</div>"),
            format!("<article>{HEADER}</article>"),
            format!("<header>{HEADER}</header>"),
            format!("<nav>{FOOTER}</nav>"),
            format!("<form id=f>{FOOTER}</form>"),
            format!("<label>{FOOTER}</label>"),
            format!("<pre>{HEADER}</pre>"),
            format!("<ul><li>{HEADER}</ul>"),
            format!("<dl><dt>{HEADER}</dl>"),
            format!("<button>{FOOTER}</button>"),
            format!("<select><option>{FOOTER}</select>"),
            format!("<h2>{FOOTER}</h2>"),
            format!("<title>T</title>{HEADER}<a href=/z>z</a>"),
            format!("<p>{HEADER}texto</p>después"),
            format!("<template>{HEADER}</template>"),
            format!("<div role=heading>{FOOTER}</div>"),
            format!("<script type=application/ld+json>{{}}{HEADER}"),
            // Caps that reading it here would reach: it is read, and cut where they fall.
            format!(
                "<div>{}</div>{HEADER}",
                "<a href=/l>l</a>".repeat(MAX_LINKS - 1)
            ),
            format!("{}{HEADER}", "<h3>t</h3>".repeat(MAX_HEADINGS)),
            format!("{}{HEADER}", "<div>".repeat(MAX_NESTING - 4)),
            format!("{}{HEADER}", "<div>".repeat(MAX_NESTING - 2)),
            format!(
                "<header>{}</header>{HEADER}",
                "x".repeat(MAX_REGION_TEXT_CHARS - 10)
            ),
        ];
        for surrounding in surroundings {
            let page = format!("<body>{surrounding}");
            with_and_without_memo(&[plain.clone(), page.clone(), plain.clone()]);
            with_and_without_memo(&[page, plain.clone()]);
        }
        // Before the body: the landmark opens it.
        with_and_without_memo(&[plain.clone(), format!("{HEADER}<title>T</title>")]);
        for (landmark, around) in [
            // Repairs inside reach past a `div`, which is no block that stops them.
            ("<div role=banner><li>b</div>", "<ul><li>{}c</ul>"),
            ("<div role=banner><dd>b</div>", "<dl><dt>{}c</dl>"),
            // A menu's links are the header's inside a header, and a footer's inside a
            // sectioning element is not the page's.
            ("<nav><a href=/n>n</a></nav>", "<p><header>{}</header>"),
            (
                "<div role=banner><footer>pie</footer></div>",
                "<article>{}</article>",
            ),
        ] {
            let alone = format!("<body>{landmark}");
            let page = format!("<body>{}", around.replace("{}", landmark));
            with_and_without_memo(&[alone.clone(), page.clone(), alone.clone()]);
            with_and_without_memo(&[page, alone]);
        }
    }

    #[test]
    fn a_landmark_that_reaches_outside_itself_is_not_remembered() {
        let landmarks = [
            // A stray end tag closes nothing here, and an open <span> elsewhere.
            "<header>a</span>b</header>",
            "<header><div>sin cerrar</header>después",
            "<header><title>Título</title>x</header>",
            "<header><script type=application/ld+json>{\"@type\":\"Product\"}</script></header>",
            "<header><input type=password form=f><label>x</label></header><form id=f></form>",
            "<header><meta http-equiv=refresh content='0; url=/b'></header>",
            "<header><base href=/sub/><a href=p>p</a></header>",
            "<header><header>dentro</header></header>",
            "<div role=banner><a href=/r>R</a></div><div role=navigation>n</div>",
            "<footer><p>a<div>b</footer>",
        ];
        for landmark in landmarks {
            let alone = format!("<body>{landmark}");
            let elsewhere = [
                format!("<body><span>x{landmark}y</span>"),
                format!("<head><title>T</title></head><body>{landmark}"),
                format!("<body><p>{landmark}"),
                // Fields naming a form by id are counted wherever they are (the cap counts them).
                format!(
                    "<body>{}{landmark}<input type=password form=f>",
                    "<input type=password form=f>".repeat(MAX_FIELDS_PER_FORM - 1)
                ),
                alone.clone(),
            ];
            for page in &elsewhere {
                with_and_without_memo(&[alone.clone(), page.clone(), alone.clone()]);
                with_and_without_memo(&[page.clone(), alone.clone()]);
            }
        }
        // Beside them, a landmark that depends on nothing else is remembered.
        let plain = "<body><header><a href=/>Inicio</a></header>".to_string();
        assert_eq!(with_and_without_memo(&[plain.clone(), plain]), 1);
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        /// Pages made of landmarks and of markup that changes what is around them: with the
        /// memo or without, the same content.
        #[test]
        fn pages_read_the_same_with_the_memo_or_without(
            pages in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::sample::select(vec![
                        HEADER, FOOTER, "<nav><a href=/n>N</a> menú</nav>", "<p>", "</p>",
                        "<div>", "</div>", "<a href=/l>", "</a>", "texto ", "<table><tr><td>",
                        "</td></tr></table>", "<article>", "</article>", "<form id=f>",
                        "</form>", "<span>", "</span>", "<h2>t</h2>", "<ul><li>i", "</ul>",
                        "<pre>p\n", "</pre>", "<div hidden>", "<title>T</title>", "<br>",
                        "<input form=f type=password>", "<label>", "</label>", "</header>",
                        "<header>", "</nav>", "<section>",
                    ]),
                    0..12,
                ).prop_map(|parts| parts.concat()),
                1..5,
            )
        ) {
            with_and_without_memo(&pages);
        }
    }

    #[test]
    fn json_ld_language_and_deep_nesting_read_the_same() {
        let c = streamed(
            "<html lang=' es-ES '><head><script type='application/LD+JSON'>\
             <!-- {\"@type\": \"Product\", \"name\": \"a & b\"} --></script>\
             <script type=application/ld+json src=/x.json></script>\
             <script type=application/ld+json>{broken</script></head>\
             <body><pre>uno\r\n  dos\rtres</pre><p>a<!-- c -->b</p></body></html>",
        );
        assert_eq!(c.lang.as_deref(), Some("es-ES"));
        assert_eq!(
            c.json_ld,
            [Arc::new(serde_json::json!({"@type": "Product"}))]
        );
        assert_eq!(kept_text(&c), "uno\ndos\ntres\nab");
        let deep = format!("<p>arriba</p>{}hondo", "<div><span><b>".repeat(2_000));
        let c = streamed(&deep);
        assert!(kept_text(&c).starts_with("arriba"));
    }
}
