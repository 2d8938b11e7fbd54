//! A store repeats its header, menu and footer on every page, byte for byte: the crawl reads
//! them once per thread and, on the next page that repeats one, does again what reading it did
//! (text, links, headings, forms) instead of reading it.
//!
//! A landmark (a `<header>`, `<nav>`, `<footer>` or an element with the matching role) is read
//! as usual the first time, and what reading it did is kept when it depends on nothing but its
//! own bytes and the few things of the page around it that make up its [`Context`]: it opened
//! and closed everything it touched (no end tag or repair of the tree builder reached an
//! element outside it), it holds nothing the page has one of (a title, a base URL, JSON-LD),
//! and no cap was reached while it was read. A later landmark whose bytes are the same and
//! whose context is equal is then not read: its effects are done again, as they were.
//!
//! Reading the same bytes from the same state gives the same result, so the extraction is the
//! same either way; `tests/streaming_extraction.rs` holds it to that on every fixture page and
//! generated store.

use super::{
    Control, Extraction, FormDraft, Kind, LinkDraft, MAX_CLOSABLE, MAX_FORMS, MAX_HEADINGS,
    MAX_LABELS, MAX_LINKS, MAX_NESTING, MAX_OPEN,
};
use crate::artifacts::{Heading, Region};
use std::sync::Arc;

/// Landmarks a thread remembers: a store has a header, a menu and a footer, and a crawl may
/// meet a few variants of them.
const MAX_CHROMES: usize = 8;
/// The longest landmark remembered, in bytes.
const MAX_CHROME_BYTES: usize = 256 * 1024;

/// Landmarks read before, with what reading them did. One per thread: see
/// [`super::extract_page_streaming`].
#[derive(Default)]
pub struct ChromeMemo {
    /// With how often each was done again: a landmark that changes from page to page (a
    /// breadcrumb) is never met again, and gives its place to the next one.
    chromes: Vec<(Arc<Chrome>, u64)>,
    /// Each landmark is read, none remembered (to compare with).
    off: bool,
}

impl ChromeMemo {
    /// A memo that remembers nothing: every landmark is read.
    pub fn off() -> ChromeMemo {
        ChromeMemo {
            chromes: Vec::new(),
            off: true,
        }
    }

    /// How many times a landmark was done again instead of read.
    pub fn times_done_again(&self) -> u64 {
        self.chromes.iter().map(|(_, uses)| uses).sum()
    }

    pub(super) fn is_off(&self) -> bool {
        self.off
    }

    /// A landmark read before whose bytes start `rest` and whose context is `context`.
    pub(super) fn find(&mut self, rest: &str, context: &Context) -> Option<Arc<Chrome>> {
        let (chrome, uses) = self
            .chromes
            .iter_mut()
            .find(|(chrome, _)| chrome.context == *context && rest.starts_with(&*chrome.source))?;
        *uses += 1;
        Some(chrome.clone())
    }

    fn remember(&mut self, chrome: Chrome) {
        if self.chromes.len() >= MAX_CHROMES {
            // The least used goes, the oldest of those.
            if let Some(least) = (0..self.chromes.len()).min_by_key(|&i| self.chromes[i].1) {
                self.chromes.remove(least);
            }
        }
        self.chromes.push((Arc::new(chrome), 0));
    }
}

/// What of the page around a landmark its reading depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Context {
    /// Inside a sectioning element, where a `<header>` or `<footer>` is not the page's.
    inside_sectioning: bool,
    /// The innermost header or footer region it is in (a menu's links are the header's there).
    outer_region: Option<Region>,
    /// Whether each text (the page's, the header's, the footer's) stands at the start of a
    /// line, and with a space pending.
    sinks: [(bool, bool); 3],
}

impl Context {
    /// The context of a landmark starting now, when its reading can depend on nothing else:
    /// text is read here (in the body, not hidden, not in a `<template>` or `<pre>`), no link,
    /// heading or label is being read, no form is open, and no element is open that a repair
    /// inside it could close (`<p>`, `<li>`, `<a>`, a cell...).
    pub(super) fn of(state: &Extraction) -> Option<Context> {
        let quiet = state.in_body
            && state.skip == 0
            && state.hidden == 0
            && state.pre == 0
            && state.collectors.is_empty()
            && !state.needs_full_extraction
            && state.stack.iter().all(|open| {
                open.form.is_none()
                    && !matches!(
                        open.kind,
                        Kind::P
                            | Kind::Li
                            | Kind::DescriptionItem
                            | Kind::Anchor
                            | Kind::Button
                            | Kind::Cell
                            | Kind::Row
                            | Kind::Option
                            | Kind::Heading
                    )
            });
        if !quiet {
            return None;
        }
        let outer_region = state
            .regions
            .iter()
            .rev()
            .map(|(_, r)| *r)
            .find(|r| matches!(r, Region::Header | Region::Footer));
        Some(Context {
            inside_sectioning: state.sectioning > 0,
            outer_region,
            sinks: state
                .sinks
                .each()
                .map(|sink| (sink.at_line_start, sink.pending_space)),
        })
    }
}

/// What reading one landmark did, to be done again.
pub(super) struct Chrome {
    /// Its bytes, from its start tag's `<` to its end tag's `>`.
    source: Box<str>,
    context: Context,
    /// Elements it opened (ids handed out).
    ids: u32,
    /// Text added to the page's, the header's and the footer's text.
    text: [TextAdded; 3],
    links: Vec<LinkDraft>,
    headings: Vec<Option<Heading>>,
    /// Headings it started (the cap counts them).
    headings_started: usize,
    forms: Vec<FormDraft>,
    /// Their `form` and `wrapping_label` count from its first form and label.
    controls: Vec<Control>,
    labels: Vec<String>,
    label_targets: Vec<Option<String>>,
    /// How far the element nesting rose above where it stood after its start tag, and where
    /// it ended.
    nesting_rise: usize,
    nesting_change: isize,
    /// How far the open elements with state and those an end tag may close rose above where
    /// they stood before it.
    stack_rise: usize,
    closable_rise: usize,
}

struct TextAdded {
    text: String,
    chars: usize,
    /// At the start of a line, and with a space pending, after it.
    after: (bool, bool),
}

/// A landmark being read for the first time: where things stood before it.
pub(super) struct Recording {
    start: usize,
    context: Context,
    closable: usize,
    stack: usize,
    nesting: usize,
    nesting_high: usize,
    stack_high: usize,
    closable_high: usize,
    ids: u32,
    text: [(usize, usize); 3],
    links: usize,
    headings: usize,
    headings_started: usize,
    forms: usize,
    controls: usize,
    labels: usize,
    /// An end tag in it closed nothing of its own (so it might close something elsewhere).
    broken: bool,
}

impl Recording {
    /// Starts recording the landmark whose start tag begins at `start`, before the extraction
    /// opens it; `nesting` counts its start tag already.
    pub(super) fn start(
        start: usize,
        context: Context,
        state: &mut Extraction,
        nesting: usize,
        closable: usize,
    ) -> Recording {
        state.unrepeatable = false;
        Recording {
            start,
            context,
            closable,
            stack: state.stack.len(),
            nesting,
            nesting_high: nesting,
            stack_high: state.stack.len(),
            closable_high: closable,
            ids: state.next_id,
            text: state.sinks.each().map(|s| (s.out.len(), s.chars)),
            links: state.links.len(),
            headings: state.headings.len(),
            headings_started: headings_started(state),
            forms: state.forms.len(),
            controls: state.controls.len(),
            labels: state.labels.len(),
            broken: false,
        }
    }

    /// Where the landmark's element sits among the elements an end tag may close.
    pub(super) fn closable_base(&self) -> usize {
        self.closable
    }

    /// Notes the extraction's state after a token inside the landmark.
    pub(super) fn observe(&mut self, state: &Extraction, nesting: usize, closable: usize) {
        self.nesting_high = self.nesting_high.max(nesting);
        self.stack_high = self.stack_high.max(state.stack.len());
        self.closable_high = self.closable_high.max(closable);
    }

    /// An end tag inside closed something outside it, or nothing.
    pub(super) fn break_off(&mut self) {
        self.broken = true;
    }

    /// The landmark's end tag was read (it ends at `end`): what reading it did is remembered
    /// when it depends on nothing outside it.
    pub(super) fn finish(
        self,
        state: &mut Extraction,
        html: &str,
        end: usize,
        nesting: usize,
        memo: &mut ChromeMemo,
    ) {
        let text_sinks = state.sinks.each();
        let repeatable = !self.broken
            && !state.unrepeatable
            && !state.needs_full_extraction
            && state.stack.len() == self.stack
            && state.collectors.is_empty()
            && end - self.start <= MAX_CHROME_BYTES
            // No cap was reached while it was read.
            && state.links.len() < MAX_LINKS
            && headings_started(state) < MAX_HEADINGS
            && state.forms.len() < MAX_FORMS
            && state.labels.len() < MAX_LABELS
            && self.stack_high < MAX_OPEN
            && self.closable_high < MAX_CLOSABLE
            && self.nesting_high <= MAX_NESTING
            && text_sinks.iter().all(|s| s.chars < s.cap);
        if !repeatable {
            return;
        }
        let (forms, labels) = (self.forms, self.labels);
        let text = std::array::from_fn(|i| {
            let (len, chars) = self.text[i];
            let sink = text_sinks[i];
            TextAdded {
                text: sink.out[len..].to_string(),
                chars: sink.chars - chars,
                after: (sink.at_line_start, sink.pending_space),
            }
        });
        let chrome = Chrome {
            source: html[self.start..end].into(),
            context: self.context,
            ids: state.next_id - self.ids,
            text,
            links: state.links[self.links..].to_vec(),
            headings: state.headings[self.headings..].to_vec(),
            headings_started: headings_started(state) - self.headings_started,
            forms: state.forms[forms..].to_vec(),
            controls: state.controls[self.controls..]
                .iter()
                .map(|control| Control {
                    form: control.form.map(|f| f - forms),
                    wrapping_label: control.wrapping_label.map(|l| l - labels),
                    ..control.clone()
                })
                .collect(),
            labels: state.labels[labels..].to_vec(),
            label_targets: state.label_targets[labels..].to_vec(),
            nesting_rise: self.nesting_high - self.nesting,
            nesting_change: nesting as isize - self.nesting as isize,
            stack_rise: self.stack_high - self.stack,
            closable_rise: self.closable_high - self.closable,
        };
        memo.remember(chrome);
    }
}

fn headings_started(state: &Extraction) -> usize {
    state.headings.iter().filter(|h| h.is_some()).count()
}

impl Chrome {
    /// Bytes of the landmark.
    pub(super) fn len(&self) -> usize {
        self.source.len()
    }

    /// Does again what reading the landmark did, when no cap would be reached where reading
    /// it now stands (`nesting` counts its start tag); returns the nesting after it, or None
    /// (then it is to be read).
    pub(super) fn replay(
        &self,
        state: &mut Extraction,
        nesting: usize,
        closable: usize,
    ) -> Option<usize> {
        let text_sinks = state.sinks.each();
        let fits = nesting + self.nesting_rise <= MAX_NESTING
            && state.stack.len() + self.stack_rise < MAX_OPEN
            && closable + self.closable_rise < MAX_CLOSABLE
            && state.links.len() + self.links.len() < MAX_LINKS
            && headings_started(state) + self.headings_started < MAX_HEADINGS
            && state.forms.len() + self.forms.len() < MAX_FORMS
            && state.labels.len() + self.labels.len() < MAX_LABELS
            && text_sinks
                .iter()
                .zip(&self.text)
                .all(|(sink, added)| sink.chars + added.chars < sink.cap);
        if !fits {
            return None;
        }
        state.next_id += self.ids;
        for (sink, added) in state.sinks.each_mut().into_iter().zip(&self.text) {
            sink.out.push_str(&added.text);
            sink.chars += added.chars;
            (sink.at_line_start, sink.pending_space) = added.after;
        }
        state.links.extend(self.links.iter().cloned());
        state.headings.extend(self.headings.iter().cloned());
        let (forms, labels) = (state.forms.len(), state.labels.len());
        state.forms.extend(self.forms.iter().cloned());
        state
            .controls
            .extend(self.controls.iter().map(|control| Control {
                form: control.form.map(|f| f + forms),
                wrapping_label: control.wrapping_label.map(|l| l + labels),
                ..control.clone()
            }));
        state.labels.extend(self.labels.iter().cloned());
        state
            .label_targets
            .extend(self.label_targets.iter().cloned());
        Some(nesting.saturating_add_signed(self.nesting_change))
    }
}
