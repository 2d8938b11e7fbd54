//! Finding callable phone numbers in a page's visible text.
//!
//! libphonenumber (the `phonenumber` crate) validates a number but does not find numbers in
//! running text, so candidates are picked first: runs of digits joined by spaces, dots, dashes
//! or parentheses, with an optional `+CC`. Each candidate then has to survive the decoy rules
//! (codes glued to letters, prices, dates, EAN/GTIN codes, VAT ids, numbers introduced by
//! "SKU", "Ref", "pedido", "SIRET"...) and parse as a valid number for the page's likely
//! region. The vocabulary (phone words, decoy words, VAT prefixes) is data in
//! `checks/hidden-phone-number.md`.

use crate::artifacts::{Page, PageContent};
use crate::checks::phrases::{fold, PhraseSet};
use crate::checks::CheckDoc;
use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, PhoneNumber, Type};
use regex::Regex;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// How far before a candidate (in characters, same line) a phone or decoy word may stand.
const LABEL_REACH: usize = 48;
const DECOY_REACH: usize = 24;
const MIN_DIGITS: usize = 7;
const MAX_DIGITS: usize = 15;

/// The words and codes the detector needs, from a check doc's front matter.
#[derive(Clone, Copy)]
pub struct PhoneVocabulary<'a> {
    /// Words that introduce a phone number ("tel", "llámanos", "appelez-nous").
    pub phone_words: &'a PhraseSet,
    /// Words that introduce a number that is not a phone ("SKU", "pedido", "SIRET").
    pub decoy_words: &'a PhraseSet,
    /// Two-letter prefixes of VAT ids ("ES", "FR"): a number right after one is a VAT id.
    pub vat_prefixes: &'a [String],
}

impl<'a> PhoneVocabulary<'a> {
    /// Reads the lists `phone_words`, `decoy_words` and the pattern list `vat_prefixes`.
    pub fn from_doc(doc: &'a CheckDoc) -> Self {
        PhoneVocabulary {
            phone_words: doc.phrase_set("phone_words"),
            decoy_words: doc.phrase_set("decoy_words"),
            vat_prefixes: doc
                .patterns
                .get("vat_prefixes")
                .map(Vec::as_slice)
                .unwrap_or(&[]),
        }
    }
}

impl PhoneVocabulary<'static> {
    /// The vocabulary of `hidden-phone-number`, which other contact checks share.
    pub fn shared() -> Self {
        let check = crate::checks::find("hidden-phone-number")
            .expect("hidden-phone-number is in the registry");
        PhoneVocabulary::from_doc(&check.doc)
    }
}

/// Regions to read national numbers in: the likely ones (page language, domain) first; the
/// fallbacks only for numbers a phone word or tel: link vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionHints {
    pub likely: Vec<Id>,
    pub fallback: Vec<Id>,
}

const FALLBACK_REGIONS: [Id; 4] = [Id::US, Id::GB, Id::ES, Id::FR];

impl RegionHints {
    /// From the page's `lang` (es-MX -> MX, es -> ES, fr -> FR, en-GB -> GB, en -> US) and the
    /// domain's country code (.es, .fr, .co.uk).
    pub fn for_page(page: &Page, content: &PageContent) -> Self {
        fn add(likely: &mut Vec<Id>, id: Id) {
            if !likely.contains(&id) {
                likely.push(id);
            }
        }
        let mut likely = Vec::new();
        if let Some(lang) = content.lang.as_deref() {
            let lang = lang.trim().replace('_', "-");
            let mut parts = lang.split('-');
            let language = parts.next().unwrap_or("").to_ascii_lowercase();
            if let Some(region) = parts.find(|p| p.len() == 2) {
                if let Ok(id) = region.to_ascii_uppercase().parse::<Id>() {
                    add(&mut likely, id);
                }
            }
            match language.as_str() {
                "es" | "ca" | "eu" | "gl" => add(&mut likely, Id::ES),
                "fr" => add(&mut likely, Id::FR),
                "en" => add(&mut likely, Id::US),
                "de" => add(&mut likely, Id::DE),
                "it" => add(&mut likely, Id::IT),
                "pt" => add(&mut likely, Id::PT),
                "nl" => add(&mut likely, Id::NL),
                _ => {}
            }
        }
        if let Some(host) = url::Url::parse(&page.final_url)
            .ok()
            .or_else(|| url::Url::parse(&page.url).ok())
            .and_then(|u| u.host_str().map(str::to_string))
        {
            if let Some(tld) = host.rsplit('.').next() {
                let code = match tld {
                    "uk" => "GB".to_string(),
                    other => other.to_ascii_uppercase(),
                };
                if code.len() == 2 {
                    if let Ok(id) = code.parse::<Id>() {
                        add(&mut likely, id);
                    }
                }
            }
        }
        if likely.is_empty() {
            // No language or country domain: the countries of the +CC numbers written on the
            // page tell how its national numbers are written.
            for m in candidate_regex().find_iter(&content.text) {
                let raw = m.as_str();
                if raw.trim_start_matches('(').starts_with('+') {
                    if let Some(id) = parse_candidate(raw, &[]).and_then(|n| n.country().id()) {
                        add(&mut likely, id);
                    }
                }
            }
        }
        RegionHints::with_likely(likely)
    }

    pub fn with_likely(likely: Vec<Id>) -> Self {
        let fallback = FALLBACK_REGIONS
            .into_iter()
            .filter(|id| !likely.contains(id))
            .collect();
        RegionHints { likely, fallback }
    }
}

/// A phone number found in visible text.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundPhone {
    /// As written on the page.
    pub text: String,
    /// International format ("+34 912 34 56 78").
    pub international: String,
    pub e164: String,
    pub toll_free: bool,
    /// Premium-rate or shared-cost: callable, but costly for the customer.
    pub costly: bool,
    /// Introduced by a phone word or also present as a tel: link.
    pub labelled: bool,
    /// Byte range in the scanned text.
    pub start: usize,
    pub end: usize,
}

/// Why a number-looking run was not taken for a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecoyKind {
    /// Glued to letters or a code separator: "ESB12345678", "SKU-84012345".
    Code,
    /// Introduced by a reference word: "SKU", "Ref.", "pedido", "SIRET", "VAT".
    Reference,
    VatId,
    Price,
    Date,
    /// A valid EAN/GTIN check digit on an 8/12/13/14-digit code.
    Ean,
    /// Bare digits with no phone word, tel: link or phone formatting.
    Unlabelled,
    /// Not a valid number in any likely region.
    Invalid,
}

impl DecoyKind {
    pub fn describe(self) -> &'static str {
        match self {
            DecoyKind::Code => "part of a product or company code",
            DecoyKind::Reference => "a reference, order or tax number",
            DecoyKind::VatId => "a VAT id",
            DecoyKind::Price => "a price",
            DecoyKind::Date => "a date",
            DecoyKind::Ean => "an EAN/GTIN barcode number",
            DecoyKind::Unlabelled => "bare digits not introduced as a phone number",
            DecoyKind::Invalid => "not a valid phone number",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decoy {
    pub text: String,
    pub kind: DecoyKind,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhoneScan {
    pub found: Vec<FoundPhone>,
    pub decoys: Vec<Decoy>,
    /// tel: links whose number is not written anywhere in the text.
    pub tel_only: Vec<String>,
}

impl PhoneScan {
    pub fn has_phone(&self) -> bool {
        !self.found.is_empty()
    }
}

/// Loads the phone number metadata (about 0.1-0.2 s of CPU, once per process), so that an
/// audit can have it loaded while the crawl waits on the network instead of after it.
pub fn load_metadata() {
    let _ = DATABASE.by_code(&1);
}

/// Scans one page: its visible text and tel: links, in the page's likely regions.
pub fn scan_page(page: &Page, content: &PageContent, vocab: &PhoneVocabulary) -> PhoneScan {
    let hints = RegionHints::for_page(page, content);
    scan_text(&content.text, &content.tel_links, &hints, vocab)
}

fn candidate_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // A digit, then digits with at most two separators between them; an optional leading
        // `+`, `(` or `(+`, and a closing `)` of an area code.
        Regex::new(r"(?:\+[ \u{a0}]?|\(\+?)?\d(?:[ \u{a0}\u{202f}.\-()]{0,2}\d)*\)?")
            .expect("valid regex")
    })
}

fn date_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^(?:\d{1,2}([./\-])\d{1,2}[./\-](?:\d{4}|\d{2})|\d{4}([./\-])\d{1,2}[./\-]\d{1,2})$",
        )
        .expect("valid regex")
    })
}

/// Scans `text` for phone numbers. `tel_links` vouch for the numbers they repeat.
pub fn scan_text(
    text: &str,
    tel_links: &[String],
    hints: &RegionHints,
    vocab: &PhoneVocabulary,
) -> PhoneScan {
    let mut scan = PhoneScan::default();
    let tel_numbers: Vec<(String, Option<PhoneNumber>)> = tel_links
        .iter()
        .map(|t| (t.clone(), parse_tel(t, hints)))
        .collect();
    let mut tel_seen = vec![false; tel_numbers.len()];
    let mut numbers: Vec<PhoneNumber> = Vec::new();

    for m in candidate_regex().find_iter(text) {
        let (start, end) = (m.start(), m.end());
        let raw = m.as_str().trim_end_matches(['(', ' ']);
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        if digits.len() < MIN_DIGITS {
            continue;
        }
        let decoy = |kind| Decoy {
            text: raw.to_string(),
            kind,
        };
        if let Some(kind) = shape_decoy(text, start, end, raw, &digits, vocab) {
            scan.decoys.push(decoy(kind));
            continue;
        }
        let before = line_before(text, start, LABEL_REACH);
        let folded = fold(before);
        let last_phone_word = vocab.phone_words.find_all(&folded).last().map(|p| p.end);
        let last_decoy_word = vocab
            .decoy_words
            .find_all(&folded)
            .into_iter()
            .rfind(|p| folded[p.end..].chars().count() <= DECOY_REACH)
            .map(|p| p.end);
        if let Some(decoy_end) = last_decoy_word {
            if last_phone_word.is_none_or(|phone_end| decoy_end > phone_end) {
                scan.decoys.push(decoy(DecoyKind::Reference));
                continue;
            }
        }
        let context = Context {
            hints,
            tel_numbers: &tel_numbers,
            phone_word: last_phone_word.is_some(),
        };
        let accepted = match context.validate(raw, start) {
            Ok(found) => vec![found],
            // "912 345 678 600 123 456": two numbers written one after the other.
            Err(DecoyKind::Invalid) => context.split_run(raw, start),
            Err(kind) => {
                scan.decoys.push(decoy(kind));
                continue;
            }
        };
        if accepted.is_empty() {
            scan.decoys.push(decoy(DecoyKind::Invalid));
        }
        for candidate in accepted {
            if let Some(i) = candidate.tel_index {
                tel_seen[i] = true;
            }
            // Classifying and formatting cost more than parsing: once per distinct number.
            if !numbers.iter().any(|n| same_number(n, &candidate.number)) {
                numbers.push(candidate.number.clone());
                scan.found.push(candidate.describe());
            }
        }
    }
    scan.tel_only = tel_numbers
        .into_iter()
        .zip(tel_seen)
        .filter(|((_, parsed), seen)| {
            // A tel: link to a number also written elsewhere on the page is not "only a link".
            !seen
                && !parsed.as_ref().is_some_and(|p| {
                    scan.found
                        .iter()
                        .any(|f| f.e164 == p.format().mode(Mode::E164).to_string())
                })
        })
        .map(|((raw, _), _)| raw)
        .collect();
    scan
}

/// A candidate that passed validation.
struct Accepted {
    number: PhoneNumber,
    text: String,
    labelled: bool,
    tel_index: Option<usize>,
    start: usize,
    end: usize,
}

impl Accepted {
    fn describe(self) -> FoundPhone {
        let kind = self.number.number_type(&DATABASE);
        FoundPhone {
            international: self.number.format().mode(Mode::International).to_string(),
            e164: self.number.format().mode(Mode::E164).to_string(),
            toll_free: kind == Type::TollFree,
            costly: matches!(kind, Type::PremiumRate | Type::SharedCost),
            text: self.text,
            labelled: self.labelled,
            start: self.start,
            end: self.end,
        }
    }
}

/// What a candidate is validated against.
struct Context<'a> {
    hints: &'a RegionHints,
    tel_numbers: &'a [(String, Option<PhoneNumber>)],
    /// A phone word stands before the candidate.
    phone_word: bool,
}

impl Context<'_> {
    /// A valid number for the page's regions (or, when vouched for, a fallback region),
    /// written like a phone number or vouched for. Returns the number and the tel: link
    /// repeating it.
    fn validate(&self, raw: &str, start: usize) -> Result<Accepted, DecoyKind> {
        let digits = raw.chars().filter(char::is_ascii_digit).count();
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits) {
            return Err(DecoyKind::Invalid);
        }
        let likely = parse_candidate(raw, &self.hints.likely);
        let parsed = likely
            .clone()
            .or_else(|| parse_candidate(raw, &self.hints.fallback));
        let tel_index = parsed.as_ref().and_then(|n| {
            self.tel_numbers
                .iter()
                .position(|(_, t)| t.as_ref().is_some_and(|t| same_number(t, n)))
        });
        let labelled = self.phone_word || tel_index.is_some();
        // Fallback regions only for numbers something vouches for.
        let number = match (likely, parsed) {
            (Some(n), _) => n,
            (None, Some(n)) if labelled => n,
            _ => return Err(DecoyKind::Invalid),
        };
        let formatted = raw.starts_with(['+', '('])
            || raw
                .trim()
                .contains([' ', '.', '-', '\u{a0}', '\u{202f}', ')']);
        if !formatted && !labelled {
            return Err(DecoyKind::Unlabelled);
        }
        Ok(Accepted {
            number,
            text: raw.trim().to_string(),
            labelled,
            tel_index,
            start,
            end: start + raw.len(),
        })
    }

    /// Valid numbers among consecutive space-separated groups of a run that is not one number,
    /// longest first, left to right.
    fn split_run(&self, raw: &str, start: usize) -> Vec<Accepted> {
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut group_start = None;
        for (i, c) in raw.char_indices() {
            let is_space = matches!(c, ' ' | '\u{a0}' | '\u{202f}');
            match (is_space, group_start) {
                (false, None) => group_start = Some(i),
                (true, Some(s)) => {
                    groups.push((s, i));
                    group_start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = group_start {
            groups.push((s, raw.len()));
        }
        let mut out = Vec::new();
        let mut i = 0;
        while i < groups.len() {
            let found = (i + 1..=groups.len()).rev().find_map(|j| {
                let sub = &raw[groups[i].0..groups[j - 1].1];
                self.validate(sub, start + groups[i].0).ok().map(|f| (f, j))
            });
            match found {
                Some((phone, next)) => {
                    out.push(phone);
                    i = next;
                }
                _ => i += 1,
            }
        }
        out
    }
}

/// Decoys recognisable from the candidate and its immediate neighbours.
fn shape_decoy(
    text: &str,
    start: usize,
    end: usize,
    raw: &str,
    digits: &str,
    vocab: &PhoneVocabulary,
) -> Option<DecoyKind> {
    let mut before = text[..start].chars().rev();
    let prev = before.next();
    let prev2 = before.next();
    let next = text[end..].chars().next();
    let glued = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    if glued(prev) || glued(next) {
        return Some(DecoyKind::Code);
    }
    if matches!(prev, Some('#' | '№')) {
        return Some(DecoyKind::Reference);
    }
    if matches!(prev, Some('-' | '/' | '.' | '_')) && glued(prev2) {
        return Some(DecoyKind::Code);
    }
    if is_price(text, start, end) {
        return Some(DecoyKind::Price);
    }
    if date_regex().is_match(raw.trim()) {
        return Some(DecoyKind::Date);
    }
    let separated = raw.chars().any(|c| !c.is_ascii_digit());
    if !separated && matches!(digits.len(), 8 | 12 | 13 | 14) && gtin_check_digit_ok(digits) {
        return Some(DecoyKind::Ean);
    }
    if !raw.starts_with('+') {
        let word_before: String = text[..start]
            .trim_end()
            .chars()
            .rev()
            .take_while(|c| c.is_alphabetic())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let gap = &text[start - (text[..start].len() - text[..start].trim_end().len())..start];
        if gap.chars().count() <= 1
            && word_before.chars().count() == 2
            && vocab.vat_prefixes.iter().any(|p| p == &word_before)
        {
            return Some(DecoyKind::VatId);
        }
    }
    None
}

fn is_price(text: &str, start: usize, end: usize) -> bool {
    const SYMBOLS: &[char] = &['€', '$', '£', '¥', '₹', '¢'];
    const CODES: &[&str] = &["eur", "usd", "gbp", "mxn", "chf", "cad"];
    let before = text[..start].trim_end_matches([' ', '\u{a0}']);
    let after = text[end..].trim_start_matches([' ', '\u{a0}']);
    if before.ends_with(SYMBOLS) || after.starts_with(SYMBOLS) {
        return true;
    }
    // Only the few characters next to the number matter (and lower-casing the whole text
    // before every candidate would make a long page quadratic).
    let tail_start = before.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
    let before_lower = before[tail_start..].to_ascii_lowercase();
    let head_end = after.char_indices().nth(4).map_or(after.len(), |(i, _)| i);
    let after_lower = after[..head_end].to_ascii_lowercase();
    if CODES
        .iter()
        .any(|c| before_lower.ends_with(c) || after_lower.starts_with(c))
    {
        return true;
    }
    // A decimal part right after: "1 299,99".
    let mut rest = text[end..].chars();
    matches!((rest.next(), rest.next(), rest.next()), (Some(','), Some(a), Some(b)) if a.is_ascii_digit() && b.is_ascii_digit())
}

/// GS1 check digit (EAN-8, UPC-A, EAN-13, GTIN-14).
fn gtin_check_digit_ok(digits: &str) -> bool {
    let values: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    let Some((&check, body)) = values.split_last() else {
        return false;
    };
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    (10 - sum % 10) % 10 == check
}

/// Up to `reach` characters before `start`, on the same line.
fn line_before(text: &str, start: usize, reach: usize) -> &str {
    let line_start = text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let from = text[line_start..start]
        .char_indices()
        .rev()
        .nth(reach.saturating_sub(1))
        .map(|(i, _)| line_start + i)
        .unwrap_or(line_start);
    &text[from..start]
}

fn parse_candidate(raw: &str, regions: &[Id]) -> Option<PhoneNumber> {
    let international = raw.trim_start_matches('(').starts_with('+');
    // "+33 (0)1 23 45 67 89": the bracketed trunk prefix is not dialled from abroad. Only right
    // after a country code: in "+15 (0)1 42..." dropping it would make up +1 514... .
    let cleaned = match raw.split_once("(0)") {
        Some((code, rest)) if international && is_country_code(code) => format!("{code}{rest}"),
        _ => raw.to_string(),
    };
    let mut normalised: String = cleaned.chars().filter(char::is_ascii_digit).collect();
    if international {
        normalised.insert(0, '+');
    } else if normalised.starts_with("00") && normalised.len() > 11 {
        normalised.replace_range(..2, "+");
    }
    if normalised.starts_with('+') {
        return parse_valid(&normalised, None);
    }
    regions
        .iter()
        .find_map(|id| parse_valid(&normalised, Some(*id)))
}

/// The digits of `text` are a country calling code ("+33 ", "(+44)").
fn is_country_code(text: &str) -> bool {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits.len() <= 3
        && digits
            .parse::<u16>()
            .is_ok_and(|code| DATABASE.by_code(&code).is_some())
}

/// libphonenumber's parse and validation, memoised: the same numbers recur on every page
/// (header, footer) and validation is the costly step of a scan.
fn parse_valid(normalised: &str, region: Option<Id>) -> Option<PhoneNumber> {
    type Cache = HashMap<(String, Option<Id>), Option<PhoneNumber>>;
    const MAX_ENTRIES: usize = 4096;
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (normalised.to_string(), region);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    // A parse that adds digits is not the number written: libphonenumber puts the area code
    // in front of a local number of the Caribbean plans ("+1 441 4268" is read +1 441-441-4268).
    let parsed = phonenumber::parse(region, normalised)
        .ok()
        .filter(PhoneNumber::is_valid)
        .filter(|n| normalised.contains(&n.national().value().to_string()));
    if let Ok(mut c) = cache.lock() {
        if c.len() >= MAX_ENTRIES {
            c.clear();
        }
        c.insert(key, parsed.clone());
    }
    parsed
}

fn parse_tel(target: &str, hints: &RegionHints) -> Option<PhoneNumber> {
    let target = target.split([';', ',']).next().unwrap_or(target);
    let target = target.replace("%20", " ").replace("%2B", "+");
    parse_candidate(&target, &hints.likely).or_else(|| parse_candidate(&target, &hints.fallback))
}

fn same_number(a: &PhoneNumber, b: &PhoneNumber) -> bool {
    a.code().value() == b.code().value() && a.national().value() == b.national().value()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> PhoneVocabulary<'static> {
        PhoneVocabulary::shared()
    }

    fn scan(text: &str, likely: &[Id]) -> PhoneScan {
        scan_text(
            text,
            &[],
            &RegionHints::with_likely(likely.to_vec()),
            &vocab(),
        )
    }

    fn found(text: &str, likely: &[Id]) -> Vec<String> {
        scan(text, likely)
            .found
            .into_iter()
            .map(|f| f.e164)
            .collect()
    }

    fn decoys(text: &str, likely: &[Id]) -> Vec<DecoyKind> {
        scan(text, likely)
            .decoys
            .into_iter()
            .map(|d| d.kind)
            .collect()
    }

    #[test]
    fn finds_numbers_in_running_text_in_three_languages() {
        assert_eq!(
            found("Llámanos al 912 345 678 de lunes a viernes.", &[Id::ES]),
            ["+34912345678"]
        );
        assert_eq!(
            found(
                "Appelez-nous au 01 42 68 53 00 (prix d'un appel local).",
                &[Id::FR]
            ),
            ["+33142685300"]
        );
        assert_eq!(
            found("Questions? Call (212) 736-5000 any time.", &[Id::US]),
            ["+12127365000"]
        );
        assert_eq!(
            found("Service client : +33 (0)1 42 68 53 00", &[Id::ES]),
            ["+33142685300"]
        );
        assert_eq!(found("Tel. 0034 912 345 678", &[Id::FR]), ["+34912345678"]);
        // "(0)" after something that is no country code is not a trunk prefix to drop.
        assert!(!found("Tel +15 (0)1 42 68 53 00", &[Id::FR]).contains(&"+15142685300".into()));
        assert_eq!(found("Teléfono:912.345.678", &[Id::ES]), ["+34912345678"]);
    }

    #[test]
    fn decoys_are_not_phone_numbers() {
        assert_eq!(
            decoys("SKU: 912 345 678", &[Id::ES]),
            [DecoyKind::Reference]
        );
        assert_eq!(
            decoys("Ref. 600 123 456", &[Id::ES]),
            [DecoyKind::Reference]
        );
        assert_eq!(
            decoys("Nº de pedido 912-345-678", &[Id::ES]),
            [DecoyKind::Reference]
        );
        assert_eq!(
            decoys("SIRET 552 100 554 00025", &[Id::FR]),
            [DecoyKind::Reference]
        );
        assert_eq!(decoys("CIF ESB12345678", &[Id::ES]), [DecoyKind::Code]);
        assert_eq!(
            decoys("TVA intracom. FR 40 303 265 045", &[Id::FR]).len(),
            1
        );
        assert_eq!(
            decoys("Numéro FR 40 303 265 045", &[Id::FR]),
            [DecoyKind::VatId]
        );
        assert_eq!(decoys("Código de barras 8412345678905", &[Id::ES]).len(), 1);
        assert_eq!(decoys("8412345678905", &[Id::ES]), [DecoyKind::Ean]);
        assert_eq!(decoys("Ahora 912 345 678 €", &[Id::ES]), [DecoyKind::Price]);
        assert_eq!(decoys("Was $212 736 5000", &[Id::US]), [DecoyKind::Price]);
        assert_eq!(decoys("Publié le 12.05.2024", &[Id::FR]), [DecoyKind::Date]);
        assert_eq!(decoys("Updated 2024-05-12", &[Id::US]), [DecoyKind::Date]);
        assert_eq!(decoys("Modelo SKU-84012345", &[Id::ES]), [DecoyKind::Code]);
        assert_eq!(
            decoys("Order #912345678", &[Id::ES]),
            [DecoyKind::Reference]
        );
        assert_eq!(
            decoys("Almacén 912345678 listo", &[Id::ES]),
            [DecoyKind::Unlabelled]
        );
        assert!(found("Your order 2127365000 has shipped", &[Id::US]).is_empty());
    }

    #[test]
    fn common_national_formats() {
        assert_eq!(found("Call 212.736.5000", &[Id::US]), ["+12127365000"]);
        assert_eq!(found("Phone: +1-212-736-5000", &[Id::US]), ["+12127365000"]);
        assert_eq!(
            found("Ring us on 020 7946 0958", &[Id::GB]),
            ["+442079460958"]
        );
        assert_eq!(found("Tel. 91 234 56 78", &[Id::ES]), ["+34912345678"]);
        assert_eq!(found("Tél. : 01.42.68.53.00", &[Id::FR]), ["+33142685300"]);
        // Opening hours, postcodes and year ranges are not numbers to call.
        assert!(found(
            "Horario 9:00 - 14:00, C/ Gran Vía 28, 28013 Madrid",
            &[Id::ES]
        )
        .is_empty());
        assert!(found("© 1995-2024 Tienda", &[Id::ES]).is_empty());
    }

    #[test]
    fn numbers_written_back_to_back_are_both_found() {
        assert_eq!(
            found("Teléfonos 912 345 678 600 123 456", &[Id::ES]),
            ["+34912345678", "+34600123456"]
        );
        assert_eq!(found("Desde 2024 912 345 678", &[Id::ES]), ["+34912345678"]);
    }

    #[test]
    fn a_phone_word_beats_an_earlier_decoy_word() {
        assert_eq!(
            found("Dudas sobre tu pedido? Llámanos: 912345678", &[Id::ES]),
            ["+34912345678"]
        );
    }

    #[test]
    fn tel_links_vouch_for_bare_digits_and_unwritten_links_are_reported() {
        let hints = RegionHints::with_likely(vec![Id::ES]);
        let s = scan_text(
            "Atención 912345678",
            &["+34912345678".into(), "+34600123456".into()],
            &hints,
            &vocab(),
        );
        assert_eq!(s.found.len(), 1);
        assert!(s.found[0].labelled);
        assert_eq!(s.tel_only, ["+34600123456"]);
    }

    #[test]
    fn toll_free_numbers_are_noted() {
        let us = scan("Call toll-free 1-800-275-2273", &[Id::US]);
        assert!(us.found[0].toll_free, "{us:?}");
        let es = scan("Teléfono gratuito 900 123 456", &[Id::ES]);
        assert!(es.found[0].toll_free, "{es:?}");
        let fr = scan("Numéro vert : 0 800 123 456", &[Id::FR]);
        assert!(fr.found[0].toll_free, "{fr:?}");
        let plain = scan("Tel 912 345 678", &[Id::ES]);
        assert!(!plain.found[0].toll_free);
    }

    #[test]
    fn a_number_libphonenumber_completes_with_digits_not_written_is_not_found() {
        // Bermuda's 7-digit local numbers get the area code 441 in front when parsed.
        assert!(parse_valid("+14414268", None).is_none());
        assert_eq!(
            parse_valid("+14412924268", None).map(|n| n.national().value()),
            Some(4412924268)
        );
    }

    #[test]
    fn region_comes_from_lang_and_domain() {
        let page = Page {
            status: Some(200),
            ..Page::requested(
                "https://tienda.example.es/",
                crate::artifacts::Discovery::Start,
                0,
            )
        };
        let content = PageContent {
            lang: Some("fr-BE".into()),
            ..Default::default()
        };
        let hints = RegionHints::for_page(&page, &content);
        assert_eq!(hints.likely, [Id::BE, Id::FR, Id::ES]);
        assert_eq!(hints.fallback, [Id::US, Id::GB]);
    }

    #[test]
    fn without_lang_or_country_domain_the_written_country_codes_decide() {
        let page = Page {
            status: Some(200),
            ..Page::requested(
                "https://shop.example.com/",
                crate::artifacts::Discovery::Start,
                0,
            )
        };
        let content = PageContent {
            text: "Madrid +34 912 345 678\nTienda Barcelona 933 123 456".into(),
            ..Default::default()
        };
        let hints = RegionHints::for_page(&page, &content);
        assert_eq!(hints.likely, [Id::ES]);
        let scan = scan_page(&page, &content, &vocab());
        let numbers: Vec<&str> = scan.found.iter().map(|f| f.e164.as_str()).collect();
        assert_eq!(numbers, ["+34912345678", "+34933123456"]);
    }

    #[test]
    fn gtin_check_digits() {
        assert!(gtin_check_digit_ok("8412345678905"));
        assert!(!gtin_check_digit_ok("8412345678904"));
        assert!(gtin_check_digit_ok("96385074"));
    }
}
