//! `vague-delivery-promise`: delivery times are stated, and no two pages contradict each other.
//!
//! Model: every sentence about delivery yields delivery-time ranges, each tagged with the
//! service it is about (standard, express, dispatch, other such as international or pickup, or
//! unqualified) from the nearest qualifier word in its clause. Header and footer sentences
//! belong to the whole site, other main-text sentences to their page. Two places contradict when a
//! qualified range overlaps none of the other place's ranges for the same service, or an
//! unqualified range overlaps none of the other place's domestic ranges (standard, express or
//! unqualified): "express 24h" next to "standard 3-5 days" is an offer, not a contradiction.
//! Sentences repeated word for word on several pages (banners) also belong to the whole site.

use super::detect::duration::{Duration, DurationReader};
use super::detect::{clip, page_url, sentences};
use super::phrases::{fold, non_ascii_chars, PhraseSet};
use super::{CheckContext, Evidence, Finding};
use crate::artifacts::PageContent;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Unqualified,
    Standard,
    Express,
    Dispatch,
    Other,
}

impl Service {
    fn is_domestic_delivery(self) -> bool {
        matches!(
            self,
            Service::Unqualified | Service::Standard | Service::Express
        )
    }
    fn name(self) -> &'static str {
        match self {
            Service::Unqualified => "delivery",
            Service::Standard => "standard delivery",
            Service::Express => "express delivery",
            Service::Dispatch => "dispatch",
            Service::Other => "delivery (other service)",
        }
    }
}

/// Where a promise is made: the header/footer every page repeats, or one page's main text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Place<'a> {
    SiteWide(&'a str),
    Page(&'a str),
}

impl<'a> Place<'a> {
    fn url(&self) -> &'a str {
        match *self {
            Place::SiteWide(url) | Place::Page(url) => url,
        }
    }
}

#[derive(Debug, Clone)]
/// Borrowed from the page it was read on: a large store has a few on every page. The duration
/// is shared with the other mentions of the same line (a template line on every page).
struct Mention<'a> {
    place: Place<'a>,
    service: Service,
    duration: Rc<Duration>,
    sentence: &'a str,
}

struct Vocabulary<'a> {
    delivery: &'a PhraseSet,
    exclude: &'a PhraseSet,
    qualifiers: [(&'a PhraseSet, Service); 4],
}

impl<'a> Vocabulary<'a> {
    fn from_doc(doc: &'a crate::checks::CheckDoc) -> Self {
        Vocabulary {
            delivery: doc.phrase_set("delivery_words"),
            exclude: doc.phrase_set("exclude_words"),
            qualifiers: [
                (doc.phrase_set("express_words"), Service::Express),
                (doc.phrase_set("standard_words"), Service::Standard),
                (doc.phrase_set("dispatch_words"), Service::Dispatch),
                (doc.phrase_set("other_service_words"), Service::Other),
            ],
        }
    }
}

/// The sentences of a page's text that the check reads: those about delivery that may state a
/// delivery time ("arrived quickly, lovely bag" promises nothing), asked line by line.
///
/// The crawl asks this of every line of every page, so the text is folded and searched for
/// delivery words once, not once per line and again per sentence: most lines name no delivery
/// and are passed over without being read again.
pub struct SentencesRead<'t> {
    text: &'t str,
    /// The text folded with every character keeping its length, so that offsets into one are
    /// offsets into the other; None when some character changes length (then each line is
    /// folded on its own, as the check reads it).
    folded: Option<String>,
    /// Where the delivery words found in `folded` start, in order.
    delivery_words: Vec<usize>,
    vocab: &'static Vocabulary<'static>,
}

impl<'t> SentencesRead<'t> {
    pub fn new(text: &'t str) -> Self {
        static VOCABULARY: std::sync::OnceLock<Vocabulary<'static>> = std::sync::OnceLock::new();
        let vocab = VOCABULARY.get_or_init(|| {
            let check = super::find("vague-delivery-promise").expect("the check is registered");
            Vocabulary::from_doc(&check.doc)
        });
        let folded = fold_keeping_offsets(text);
        // No phrase holds a line break, so a match never runs from one line into the next
        // and the line edges bound words as the ends of a lone line do.
        let delivery_words = folded
            .as_deref()
            .map(|folded| vocab.delivery.starts(folded).collect())
            .unwrap_or_default();
        SentencesRead {
            text,
            folded,
            delivery_words,
            vocab,
        }
    }

    /// The sentences read of `line`, a line of the text given to [`SentencesRead::new`].
    pub fn of_line(&self, line: &'t str) -> Vec<&'t str> {
        let start = (line.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
        let end = start.wrapping_add(line.len());
        let (Some(folded), true) = (&self.folded, start <= end && end <= self.text.len()) else {
            return self.of_line_alone(line);
        };
        let first = self.delivery_words.partition_point(|&at| at < start);
        let mut words = self.delivery_words[first..]
            .iter()
            .map(|at| at - start)
            .take_while(|&at| at < line.len())
            .peekable();
        if words.peek().is_none() {
            return Vec::new();
        }
        let folded = &folded[start..end];
        let mut read = Vec::new();
        // A sentence names delivery when a delivery word of the text starts in it: no phrase
        // holds sentence punctuation, and the edges of a sentence are not inside a word.
        for (from, to) in sentences(line) {
            while words.next_if(|&at| at < from).is_some() {}
            if words.peek().is_some_and(|&at| at < to) {
                let sentence = &folded[from..to];
                if !self.vocab.exclude.occurs_in(sentence)
                    && DurationReader::get().may_find(sentence)
                {
                    read.push(&line[from..to]);
                }
            }
        }
        read
    }

    /// [`SentencesRead::of_line`] for a line folded on its own.
    fn of_line_alone(&self, line: &'t str) -> Vec<&'t str> {
        if !self.vocab.delivery.occurs_in(&fold(line)) {
            return Vec::new();
        }
        sentences(line)
            .into_iter()
            .map(|(from, to)| &line[from..to])
            .filter(|sentence| {
                let folded = fold(sentence);
                is_about_delivery(&folded, self.vocab) && DurationReader::get().may_find(&folded)
            })
            .collect()
    }
}

/// [`fold`] of `text` when it keeps every character's length in bytes (all ASCII text, and the
/// accented letters of English, Spanish and French), so that offsets carry over.
fn fold_keeping_offsets(text: &str) -> Option<String> {
    let folded = text.to_ascii_lowercase();
    if text.is_ascii() {
        return Some(folded);
    }
    let mut folded = folded.into_bytes();
    for (at, c) in non_ascii_chars(text) {
        let mut lower = c.to_lowercase();
        let first = lower.next()?;
        // A final sigma folds by its context, which a slice of the text would not see.
        if lower.next().is_some() || first.len_utf8() != c.len_utf8() || c == 'Σ' {
            return None;
        }
        first.encode_utf8(&mut folded[at..at + c.len_utf8()]);
    }
    String::from_utf8(folded).ok()
}

/// A folded sentence that names delivery and is not excluded (returns, pickup hours...).
fn is_about_delivery(folded: &str, vocab: &Vocabulary) -> bool {
    vocab.delivery.occurs_in(folded) && !vocab.exclude.occurs_in(folded)
}

pub fn run(ctx: &CheckContext) -> Finding {
    let vocab = Vocabulary::from_doc(ctx.doc);
    let site = ctx.site();
    if let Some(error) = super::detect::nothing_read(site) {
        return error;
    }
    let mut shared = SharedReads::default();
    // A sentence repeated word for word on several pages is template text (a banner, a
    // product-page block): one promise of the whole site, like the header and footer, whose
    // first copy stands for all. Pages are counted per sentence as they are read, and the
    // copies on later pages are not kept: a large store repeats such a block on thousands of
    // pages. Sentence -> (pages, last page, first page).
    let mut pages_per_sentence: HashMap<&str, (usize, usize, usize)> = HashMap::new();
    // Site-wide promises already kept, by sentence and position: a store's template repeats
    // them on every page, so this must not be a scan of the mentions kept so far.
    let mut site_wide_seen: HashSet<(&str, usize)> = HashSet::new();
    let mut read: Vec<Mention> = Vec::new();
    for (page_index, (page, content)) in site.html_pages().enumerate() {
        for mention in page_mentions(page_url(page), content, &vocab, &mut shared) {
            let (pages, last_page, first_page) = pages_per_sentence
                .entry(mention.sentence)
                .or_insert((0, usize::MAX, page_index));
            if *last_page != page_index {
                *pages += 1;
                *last_page = page_index;
            }
            if *first_page != page_index {
                continue;
            }
            // The first copy of a header or footer promise stands for all.
            if matches!(mention.place, Place::SiteWide(_))
                && !site_wide_seen.insert((mention.sentence, mention.duration.start))
            {
                continue;
            }
            read.push(mention);
        }
    }
    site_wide_seen.clear();
    let mut mentions: Vec<Mention> = Vec::new();
    for mut mention in read {
        let site_wide = pages_per_sentence[mention.sentence].0 > 1
            || matches!(mention.place, Place::SiteWide(_));
        if site_wide && !site_wide_seen.insert((mention.sentence, mention.duration.start)) {
            continue;
        }
        if site_wide {
            mention.place = Place::SiteWide(mention.place.url());
        }
        mentions.push(mention);
    }
    if mentions.is_empty() {
        return Finding::warn("No delivery times stated anywhere on the site");
    }
    let conflicts = contradictions(&mentions);
    if let Some((a, b)) = conflicts.first() {
        let evidence = conflicts.iter().take(3).flat_map(|(a, b)| {
            [a, b].map(|m| {
                Evidence::at(
                    m.place.url(),
                    format!(
                        "{}{}: \"{}\" ({})",
                        m.service.name(),
                        if matches!(m.place, Place::SiteWide(_)) {
                            " (repeated on several pages)"
                        } else {
                            ""
                        },
                        clip(m.sentence, 120),
                        m.duration.describe()
                    ),
                )
            })
        });
        let mut evidence: Vec<Evidence> = evidence.collect();
        dedup_evidence(&mut evidence);
        return Finding::fail(format!(
            "Contradictory delivery times: \"{}\" ({}) vs \"{}\" ({})",
            a.duration.written,
            a.place.url(),
            b.duration.written,
            b.place.url()
        ))
        .with_all_evidence(evidence);
    }
    let mut shown: Vec<Evidence> = mentions
        .iter()
        .map(|m| {
            Evidence::at(
                m.place.url(),
                format!("{}: \"{}\"", m.service.name(), clip(m.sentence, 120)),
            )
        })
        .collect();
    dedup_evidence(&mut shown);
    shown.truncate(4);
    Finding::pass(format!(
        "Delivery times stated ({}) and consistent across {} mention{}",
        mentions[0].duration.written,
        mentions.len(),
        if mentions.len() == 1 { "" } else { "s" }
    ))
    .with_all_evidence(shown)
}

/// What one line of text says about delivery: its sentences' durations and their services.
type LineMentions<'a> = Vec<(&'a str, Service, Rc<Duration>)>;

/// Reads shared by the pages of one site. The crawl keeps one copy of a line or region that
/// pages repeat (header, footer, template blocks), so a copy's address names its text: what it
/// says is read once, not once per page.
#[derive(Default)]
struct SharedReads<'a> {
    lines: rustc_hash::FxHashMap<(usize, usize), LineMentions<'a>>,
    /// (sentence, header, footer) -> the sentence is in the header or footer.
    site_wide: rustc_hash::FxHashMap<[(usize, usize); 3], bool>,
}

fn address(text: &str) -> (usize, usize) {
    (text.as_ptr() as usize, text.len())
}

fn page_mentions<'a>(
    url: &'a str,
    content: &'a PageContent,
    vocab: &Vocabulary,
    shared: &mut SharedReads<'a>,
) -> Vec<Mention<'a>> {
    let mut out = Vec::new();
    for line in content.text_lines() {
        let said = shared
            .lines
            .entry(address(line))
            .or_insert_with(|| line_mentions(line, vocab));
        for (sentence, service, duration) in said.iter() {
            let regions = [&*content.header_text, &*content.footer_text];
            let site_wide = *shared
                .site_wide
                .entry([address(sentence), address(regions[0]), address(regions[1])])
                .or_insert_with(|| regions.iter().any(|region| region.contains(sentence)));
            let place = if site_wide {
                Place::SiteWide(url)
            } else {
                Place::Page(url)
            };
            out.push(Mention {
                place,
                service: *service,
                duration: Rc::clone(duration),
                sentence,
            });
        }
    }
    out
}

fn line_mentions<'a>(line: &'a str, vocab: &Vocabulary) -> LineMentions<'a> {
    let reader = DurationReader::get();
    let mut out = Vec::new();
    for (start, end) in sentences(line) {
        let sentence = &line[start..end];
        let folded = fold(sentence);
        if !is_about_delivery(&folded, vocab) {
            continue;
        }
        let durations = reader.find(&folded);
        for (i, duration) in durations.iter().enumerate() {
            let previous_end = if i == 0 { 0 } else { durations[i - 1].end };
            let next_start = durations.get(i + 1).map_or(folded.len(), |d| d.start);
            let service = qualifier(&folded, previous_end, duration, next_start, vocab);
            out.push((sentence, service, Rc::new(duration.clone())));
        }
    }
    out
}

/// The service a duration is about: the nearest qualifier before it in its clause (from the
/// previous duration or the last comma), else the first one after it.
fn qualifier(
    folded: &str,
    previous_end: usize,
    duration: &Duration,
    next_start: usize,
    vocab: &Vocabulary,
) -> Service {
    let before_all = &folded[previous_end..duration.end];
    let clause_start = before_all
        .char_indices()
        .rfind(|(_, c)| matches!(c, ',' | ';' | '|' | '·' | '(' | '•'))
        .map_or(previous_end, |(i, c)| previous_end + i + c.len_utf8());
    let before = &folded[clause_start..duration.end];
    let nearest_before = vocab
        .qualifiers
        .iter()
        .filter_map(|(set, service)| set.find_all(before).last().map(|m| (m.end, *service)))
        .max_by_key(|(end, _)| *end);
    if let Some((_, service)) = nearest_before {
        return service;
    }
    let after_end = next_start.min(
        folded[duration.end..]
            .char_indices()
            .nth(30)
            .map_or(folded.len(), |(i, _)| duration.end + i),
    );
    let after = &folded[duration.end..after_end.max(duration.end)];
    let after = after
        .find([',', ';', '|', '·', '(', '•'])
        .map_or(after, |i| &after[..i]);
    vocab
        .qualifiers
        .iter()
        .filter_map(|(set, service)| set.find(after).map(|m| (m.start, *service)))
        .min_by_key(|(start, _)| *start)
        .map_or(Service::Unqualified, |(_, service)| service)
}

/// Keeps the first of evidence lines saying the same thing (a promise repeated on many pages).
fn dedup_evidence(evidence: &mut Vec<Evidence>) {
    let mut seen = std::collections::HashSet::new();
    evidence.retain(|e| seen.insert(e.excerpt.clone()));
}

/// Pairs of mentions in different places that cannot both be true.
fn contradictions<'m, 'a>(mentions: &'m [Mention<'a>]) -> Vec<(&'m Mention<'a>, &'m Mention<'a>)> {
    /// Pairs reported at most: the evidence shows three.
    const MAX_PAIRS: usize = 10;
    let mut places: Vec<(&Place, Vec<&Mention>)> = Vec::new();
    let mut place_index: HashMap<&Place, usize> = HashMap::new();
    for m in mentions {
        let i = *place_index.entry(&m.place).or_insert_with(|| {
            places.push((&m.place, Vec::new()));
            places.len() - 1
        });
        places[i].1.push(m);
    }
    let mut out: Vec<(&Mention<'a>, &Mention<'a>)> = Vec::new();
    for a in mentions {
        for (place, at_place) in &places {
            if *place == &a.place {
                continue;
            }
            let mut comparable = at_place.iter().filter(|m| match a.service {
                Service::Unqualified => m.service.is_domestic_delivery(),
                service => m.service == service,
            });
            let Some(b) = comparable.clone().next() else {
                continue;
            };
            if comparable.any(|m| m.duration.overlaps(&a.duration)) {
                continue;
            }
            let already = out.iter().any(|(x, y)| {
                (std::ptr::eq(*x, *b) && std::ptr::eq(*y, a))
                    || (std::ptr::eq(*x, a) && std::ptr::eq(*y, *b))
            });
            if !already {
                out.push((a, b));
                if out.len() == MAX_PAIRS {
                    return out;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::{evidence_text, expect};
    use crate::checks::Status;

    const ID: &str = "vague-delivery-promise";

    #[test]
    fn a_line_pages_share_is_read_once_and_gives_each_page_its_mentions() {
        let doc = &crate::checks::find(ID).unwrap().doc;
        let vocab = super::Vocabulary::from_doc(doc);
        let shared_line: std::sync::Arc<str> = "Envío gratis en 24-48 horas.".into();
        let footer: std::sync::Arc<str> = "Envío gratis en 24-48 horas.".into();
        let page = |line: std::sync::Arc<str>| crate::artifacts::PageContent {
            kept_lines: thin_vec::thin_vec![line],
            footer_text: footer.clone(),
            reduced: true,
            ..Default::default()
        };
        let (a, b) = (page(shared_line.clone()), page(shared_line.clone()));
        let copy = page("Envío gratis en 24-48 horas.".into());
        let mut shared = super::SharedReads::default();
        let mut read = |url, content| {
            super::page_mentions(url, content, &vocab, &mut shared)
                .into_iter()
                .map(|m| (m.place, m.service, m.duration.min_hours, m.duration.max_hours, m.sentence))
                .collect::<Vec<_>>()
        };
        let (from_a, from_b, from_copy) = (read("/a", &a), read("/b", &b), read("/c", &copy));
        assert_eq!(from_a.len(), 1);
        assert_eq!(from_a[0].0, super::Place::SiteWide("/a"));
        assert_eq!(from_b[0].0, super::Place::SiteWide("/b"));
        assert_eq!((from_a[0].2, from_a[0].3), (24.0, 48.0));
        assert_eq!(from_a[0].1, from_copy[0].1);
        assert_eq!(from_a[0].4, from_copy[0].4);
        // The shared line was read once, the separate copy once more.
        assert_eq!(shared.lines.len(), 2);
    }

    /// The summary over the fixture store with these texts on its first pages, none elsewhere.
    fn summary_with_texts(texts: &[&str]) -> String {
        let mut artifacts = crate::checks::testing::fixture("en-minimal");
        let crate::artifacts::Gathered::Collected { data } = &mut artifacts.crawl else {
            panic!("fixture has a crawl")
        };
        let mut texts = texts.iter();
        for content in data.pages.iter_mut().filter_map(|p| p.content.as_mut()) {
            content.text = texts.next().unwrap_or(&"").to_string();
            content.kept_lines.clear();
            content.header_text = "".into();
            content.footer_text = "".into();
        }
        assert!(texts.next().is_none(), "the fixture has fewer pages");
        crate::checks::testing::run_on(ID, &artifacts, &[]).summary
    }

    #[test]
    fn a_sentence_on_several_pages_is_one_mention_and_one_page_repeating_it_is_two() {
        let promise = "Standard delivery in 3-5 days.";
        let twice = format!("{promise}\n{promise}");
        let across = |texts: &[&str]| summary_with_texts(texts);
        assert!(across(&[&twice]).ends_with("across 2 mentions"));
        assert!(across(&[&twice, promise]).ends_with("across 1 mention"));
        assert!(across(&["", &twice, "", promise]).ends_with("across 1 mention"));
        assert!(across(&[promise, "Express delivery in 24 hours."]).ends_with("across 2 mentions"));
    }

    fn services(text: &str) -> Vec<(super::Service, f64, f64)> {
        let doc = &crate::checks::find(ID).unwrap().doc;
        let content = crate::artifacts::PageContent {
            text: text.to_string(),
            ..Default::default()
        };
        let vocab = super::Vocabulary::from_doc(doc);
        super::page_mentions("https://t.test/", &content, &vocab, &mut Default::default())
            .into_iter()
            .map(|m| (m.service, m.duration.min_hours, m.duration.max_hours))
            .collect()
    }

    #[test]
    fn each_time_gets_the_service_named_in_its_clause() {
        use super::Service::*;
        assert_eq!(
            services("Envío estándar 3-5 días · envío urgente 24h"),
            [(Standard, 72.0, 120.0), (Express, 24.0, 24.0)]
        );
        assert_eq!(
            services("24h express delivery, 3-5 days standard delivery"),
            [(Express, 24.0, 24.0), (Standard, 72.0, 120.0)]
        );
        assert_eq!(
            services("Orders are dispatched within 24 hours and delivered in 2-4 days."),
            [(Dispatch, 0.0, 24.0), (Unqualified, 48.0, 96.0)]
        );
        assert_eq!(
            services("Livraison en Corse : 5 jours"),
            [(Other, 120.0, 120.0)]
        );
        // Return windows are not delivery times.
        assert!(services("Retour gratuit sous 14 jours après la livraison").is_empty());
    }

    #[test]
    fn consistent_times_pass() {
        let f = expect(ID, "es-complete", Status::Pass);
        assert!(f.summary.contains("24/48 horas"), "{}", f.summary);
    }

    #[test]
    fn express_next_to_standard_is_not_a_contradiction() {
        let f = expect(ID, "en-minimal", Status::Pass);
        assert!(evidence_text(&f).contains("express delivery: \"Express delivery in 24 hours.\""));
    }

    #[test]
    fn no_times_stated_warns() {
        expect(ID, "es-decoys", Status::Warn);
    }

    #[test]
    fn a_banner_repeated_on_every_page_contradicts_the_shipping_page() {
        let f = expect(ID, "en-banner-contradiction", Status::Fail);
        assert!(f.summary.contains("\"24h\""), "{}", f.summary);
        assert!(f.summary.contains("\"5-7 business days\""), "{}", f.summary);
        assert!(evidence_text(&f).contains("delivery (repeated on several pages)"), "{f:#?}");
    }

    #[test]
    fn home_24h_against_product_page_5_to_7_days_fails() {
        let f = expect(ID, "fr-mixed", Status::Fail);
        assert!(f.summary.contains("\"24h\""), "{}", f.summary);
        assert!(f.summary.contains("\"5 à 7 jours ouvrés\""), "{}", f.summary);
        let evidence = evidence_text(&f);
        assert!(evidence.contains("https://boutique.test/ delivery: \"Livraison en 24h"), "{evidence}");
        assert!(
            evidence.contains("https://boutique.test/produits/vase standard delivery"),
            "{evidence}"
        );
    }
}
