//! The bodies of the fuzz targets: each takes raw bytes, runs one parser of untrusted input and
//! checks what must hold of its result, panicking when it does not.
//!
//! Shared, so that a crash found by one runner replays in the others: the cargo-fuzz targets
//! (`fuzz/fuzz_targets/*.rs` include this file by path), the saved crashing inputs under
//! `fuzz/regressions/<target>/` and the proptest properties in `tests/fuzz.rs`. It may use only
//! what both the test suite and the fuzz crate depend on: shopaudit, arbitrary, url and
//! phonenumber.

use arbitrary::{Arbitrary, Unstructured};
use shopaudit::artifacts::{Discovery, Page, PageContent};
use shopaudit::checks::detect::phone::{scan_page, PhoneVocabulary};
use shopaudit::config::Config;
use shopaudit::gather::browser::price::parse_price as parse_displayed_price;
use shopaudit::gather::extract::{
    extract_page_checked, extract_page_streaming, INLINE_SCRIPT_CHARS, MAX_FORMS, MAX_HEADINGS,
    MAX_LINKS, MAX_REGION_TEXT_CHARS, MAX_SHORT_TEXT_CHARS, MAX_TEXT_CHARS,
};
use shopaudit::gather::fetch::decode_html;
use shopaudit::gather::scope::normalize;
use std::path::Path;
use url::Url;

/// A fuzz target: takes the fuzzer's bytes, panics when an invariant breaks.
pub type Target = fn(&[u8]);

/// The targets by name, as `cargo fuzz run <name>` and `fuzz/regressions/<name>/` call them.
pub const TARGETS: [(&str, Target); 4] = [
    ("extract_page", extract_page),
    ("detect_phone", detect_phone),
    ("parse_price", parse_price),
    ("parse_config", parse_config),
];

/// Bytes as a server may send them, decoded under a declared charset, extracted as a page.
pub fn extract_page(data: &[u8]) {
    const CHARSETS: [&str; 6] = ["utf-8", "iso-8859-1", "shift_jis", "utf-16le", "bogus", ""];
    const PAGE_URLS: [&str; 3] = [
        "https://shop.test/es/",
        "http://127.0.0.1:8080/a/b.html?q=1",
        "https://xn--tienda-6ya.test/",
    ];
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let charset = CHARSETS[usize::from(selector & 0x07) % CHARSETS.len()];
    let page_url = Url::parse(PAGE_URLS[usize::from(selector >> 3) % PAGE_URLS.len()])
        .expect("valid page URL");
    let html = decode_html(body, Some(&format!("text/html; charset={charset}")));
    check_extraction(&html, &page_url);
}

/// Extracts `html` both ways (full, and streaming as the crawl does for the pages it reduces)
/// and checks the shapes the checks rely on.
pub fn check_extraction(html: &str, page_url: &Url) {
    let (content, full_note) = extract_page_checked(html, page_url);
    check_content(&content);
    if let Some((streamed, note)) = extract_page_streaming(html, page_url) {
        assert_eq!(
            note, full_note,
            "the nesting note is given by both extractors or neither"
        );
        check_content(&streamed);
    }
}

fn check_content(content: &PageContent) {
    assert!(content.text.chars().count() <= MAX_TEXT_CHARS);
    assert!(content.header_text.chars().count() <= MAX_REGION_TEXT_CHARS);
    assert!(content.footer_text.chars().count() <= MAX_REGION_TEXT_CHARS);
    assert!(content.links.len() <= MAX_LINKS);
    assert!(content.headings.len() <= MAX_HEADINGS);
    assert!(content.forms.len() <= MAX_FORMS);
    assert!(content
        .links
        .iter()
        .all(|l| l.text.chars().count() <= MAX_SHORT_TEXT_CHARS));
    assert!(content
        .headings
        .iter()
        .all(|h| h.text.chars().count() <= MAX_SHORT_TEXT_CHARS));
    for text in [&*content.text, &*content.header_text, &*content.footer_text] {
        for line in text.lines() {
            assert!(!line.is_empty(), "empty line in {text:?}");
            assert_eq!(line, line.trim(), "untrimmed line in {text:?}");
            assert!(!line.contains("  "), "double space in {line:?}");
        }
    }
    let followed = content.links.iter().filter_map(|l| l.url.as_deref());
    for url in followed.chain(content.meta_refresh.as_deref()) {
        assert_crawlable_url(url);
    }
    // Script and iframe sources and form actions keep what was written when it does not
    // resolve to http(s) ("crisp-client", "javascript:"); what does resolve is in normal form.
    let kept = content
        .script_srcs
        .iter()
        .chain(&content.iframe_srcs)
        .chain(content.forms.iter().filter_map(|f| f.action.as_ref()));
    for url in kept {
        if Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
            assert_crawlable_url(url);
        }
    }
    assert!(content
        .inline_scripts
        .iter()
        .all(|s| s.chars().count() <= INLINE_SCRIPT_CHARS));
    assert!(content.headings.iter().all(|h| (1..=6).contains(&h.level)));
    assert!(content.disclosures.iter().all(|d| !d.is_empty()));
}

/// An absolute http(s) URL with a host, already in the crawl's normal form (what the scope
/// compares and deduplicates).
fn assert_crawlable_url(url: &str) {
    let parsed = Url::parse(url).unwrap_or_else(|e| panic!("{url:?} is not absolute: {e}"));
    assert!(
        matches!(parsed.scheme(), "http" | "https"),
        "{url:?}: scheme"
    );
    assert!(
        parsed.host_str().is_some_and(|h| !h.is_empty()),
        "{url:?}: no host"
    );
    let mut again = parsed.clone();
    normalize(&mut again);
    assert_eq!(again.as_str(), url, "{url:?} is not normalised");
}

#[derive(Arbitrary, Debug)]
enum Locale {
    En,
    Es,
    Fr,
}

#[derive(Arbitrary, Debug)]
struct PhoneInput {
    locale: Locale,
    tel_links: Vec<String>,
    text: String,
}

/// Visible text and tel: links of a page in English, Spanish or French, scanned for phones.
pub fn detect_phone(data: &[u8]) {
    let Ok(input) = PhoneInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let lang = match input.locale {
        Locale::En => "en",
        Locale::Es => "es",
        Locale::Fr => "fr",
    };
    check_phone_scan(lang, input.text, input.tel_links);
}

/// Scans `text` as the visible text of a page in `lang` and checks what the scan reports: each
/// number found is valid, was written in the text, and is reported once.
pub fn check_phone_scan(lang: &str, text: String, tel_links: Vec<String>) {
    let page = Page {
        status: Some(200),
        ..Page::requested("https://shop.test/", Discovery::Start, 0)
    };
    let content = PageContent {
        lang: Some(lang.into()),
        text,
        tel_links: tel_links.into_iter().take(4).collect(),
        ..Default::default()
    };
    let text = &content.text;
    let scan = scan_page(&page, &content, &PhoneVocabulary::shared());
    let mut seen = Vec::new();
    for found in &scan.found {
        assert!(
            text.get(found.start..found.end) == Some(found.text.as_str()),
            "{found:?}: its range does not hold its text"
        );
        let number = phonenumber::parse(None, &found.e164)
            .unwrap_or_else(|e| panic!("{found:?}: E.164 form does not parse: {e}"));
        assert!(number.is_valid(), "{found:?}: not a valid number");
        let digits = found.e164.strip_prefix('+').expect("E.164 starts with +");
        assert!(
            (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()),
            "{found:?}: E.164 form"
        );
        // The subscriber digits the tool reports were written on the page, not made up.
        let written: String = found.text.chars().filter(char::is_ascii_digit).collect();
        let national = number.national().value().to_string();
        assert!(
            written.contains(&national),
            "{found:?}: national number {national} not in the written digits {written}"
        );
        let international = phonenumber::parse(None, &found.international)
            .unwrap_or_else(|e| panic!("{found:?}: international form does not parse: {e}"));
        assert_eq!(international, number, "{found:?}: two forms disagree");
        assert!(!seen.contains(&found.e164), "{found:?} reported twice");
        seen.push(found.e164.clone());
    }
    for decoy in &scan.decoys {
        assert!(
            !decoy.text.is_empty() && text.contains(&decoy.text),
            "{decoy:?} not in the text"
        );
    }
    for tel in &scan.tel_only {
        assert!(
            content.tel_links.contains(tel),
            "{tel:?} is not a tel: link"
        );
    }
}

#[derive(Arbitrary, Debug)]
enum PriceInput {
    /// Whatever a page shows where a price should be.
    Text(String),
    /// A price formatted the way stores write them, with a label before it.
    Formatted(FormattedPrice),
}

#[derive(Arbitrary, Debug)]
struct FormattedPrice {
    cents: u32,
    whole_units: bool,
    negative: bool,
    notation: Notation,
    mark: CurrencyMark,
    label: String,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Notation {
    /// 1,234.56
    CommaGroupsDotDecimals,
    /// 1.234,56
    DotGroupsCommaDecimals,
    /// 1 234,56 (space, no-break space or narrow no-break space)
    SpaceGroupsCommaDecimals(u8),
    /// 1'234.56 (Switzerland)
    ApostropheGroupsDotDecimals,
    /// 1234.56
    Plain,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum CurrencyMark {
    SymbolBefore(u8),
    SymbolAfter(u8),
    CodeBefore(u8),
    CodeAfter(u8),
}

const SYMBOLS: [&str; 4] = ["$", "€", "£", "¥"];
const CODES: [&str; 7] = ["USD", "EUR", "GBP", "CAD", "AUD", "MXN", "CHF"];

impl FormattedPrice {
    /// The text a store would show, the amount it means and the currency mark in it.
    fn render(&self) -> (String, f64, String) {
        let units = u64::from(self.cents / 100);
        let cents = self.cents % 100;
        let (group, decimal) = match self.notation {
            Notation::CommaGroupsDotDecimals => (",", "."),
            Notation::DotGroupsCommaDecimals => (".", ","),
            Notation::SpaceGroupsCommaDecimals(space) => {
                ([" ", "\u{a0}", "\u{202f}"][usize::from(space % 3)], ",")
            }
            Notation::ApostropheGroupsDotDecimals => ("'", "."),
            Notation::Plain => ("", "."),
        };
        let digits = units.to_string();
        let mut number = String::new();
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                number.push_str(group);
            }
            number.push(d);
        }
        let amount = if self.whole_units {
            units as f64
        } else {
            number.push_str(&format!("{decimal}{cents:02}"));
            units as f64 + f64::from(cents) / 100.0
        };
        let sign = if self.negative { "-" } else { "" };
        let (shown, currency) = match self.mark {
            CurrencyMark::SymbolBefore(i) => {
                let s = SYMBOLS[usize::from(i) % SYMBOLS.len()];
                (format!("{sign}{s}{number}"), s)
            }
            CurrencyMark::SymbolAfter(i) => {
                let s = SYMBOLS[usize::from(i) % SYMBOLS.len()];
                (format!("{sign}{number} {s}"), s)
            }
            CurrencyMark::CodeBefore(i) => {
                let c = CODES[usize::from(i) % CODES.len()];
                (format!("{c} {sign}{number}"), c)
            }
            CurrencyMark::CodeAfter(i) => {
                let c = CODES[usize::from(i) % CODES.len()];
                (format!("{sign}{number} {c}"), c)
            }
        };
        // A label names the row ("Total", "Sub-total", "Envío"): no digits or currency in it,
        // and it stands apart from the price.
        let label: String = self
            .label
            .chars()
            .filter(|c| !c.is_numeric() && !SYMBOLS.iter().any(|s| s.contains(*c)))
            .take(40)
            .collect();
        let upper = label.to_uppercase();
        let label = if label.trim().is_empty() || CODES.iter().any(|c| upper.contains(c)) {
            String::new()
        } else {
            format!("{}: ", label.trim())
        };
        let signed = if self.negative { -amount } else { amount };
        (format!("{label}{shown}"), signed, currency.to_string())
    }
}

/// A displayed price: arbitrary text must give a finite amount or none; a formatted price must
/// read back as the amount and currency it was formatted from.
pub fn parse_price(data: &[u8]) {
    let Ok(input) = PriceInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    match input {
        PriceInput::Text(text) => check_price_text(&text),
        PriceInput::Formatted(formatted) => check_formatted_price(&formatted),
    }
}

/// Any text: a finite amount or none, negative only with a minus sign in the text.
pub fn check_price_text(text: &str) {
    if let Some(price) = parse_displayed_price(text) {
        assert!(price.amount.is_finite(), "{text:?} gave {price:?}");
        assert!(
            price.amount >= 0.0 || text.contains(['-', '−']),
            "{text:?} gave a negative amount without a minus sign: {price:?}"
        );
        assert_eq!(price.text, text.trim());
    }
}

/// A price formatted from whatever `data` decodes to reads back as what was formatted.
pub fn formatted_price_round_trips(data: &[u8]) {
    if let Ok(formatted) = FormattedPrice::arbitrary(&mut Unstructured::new(data)) {
        check_formatted_price(&formatted);
    }
}

fn check_formatted_price(formatted: &FormattedPrice) {
    let (text, amount, currency) = formatted.render();
    let price = parse_displayed_price(&text)
        .unwrap_or_else(|| panic!("{text:?} ({formatted:?}) read as no price"));
    assert!(
        (price.amount - amount).abs() <= amount.abs() * 1e-12,
        "{text:?} read as {} instead of {amount}",
        price.amount
    );
    assert_eq!(
        price.currency.as_deref(),
        Some(currency.as_str()),
        "{text:?}"
    );
}

/// A configuration file's bytes: a config or a one-line `file:line:col: message` error, never a
/// panic; what parses validates or is refused, and survives being written back out.
pub fn parse_config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match Config::parse(&text, Path::new("f.toml")) {
        Err(e) => assert_config_error_positioned(&e.0, &text),
        Ok(config) => {
            let _ = config.validate();
            let written = toml::to_string(&config).expect("a parsed config serialises");
            let reread = Config::parse(&written, Path::new("written.toml")).unwrap_or_else(|e| {
                panic!("a parsed config written back out does not parse: {e:?}\n{written}")
            });
            assert_eq!(
                format!("{reread:?}"),
                format!("{config:?}"),
                "the config changed when written back out:\n{written}"
            );
        }
    }
}

/// `f.toml:LINE:COL: message` with LINE and COL inside the text and a one-line message.
pub fn assert_config_error_positioned(message: &str, text: &str) {
    let rest = message
        .strip_prefix("f.toml:")
        .unwrap_or_else(|| panic!("error does not name the file: {message:?}"));
    let mut parts = rest.splitn(3, ':');
    let line: usize = parts
        .next()
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| panic!("no line number: {message:?}"));
    let col: usize = parts
        .next()
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no column number: {message:?}"));
    let said = parts.next().unwrap_or("").trim();
    assert!(line >= 1 && col >= 1, "{message:?}");
    assert!(
        line <= text.split('\n').count(),
        "line {line} past the end: {message:?}"
    );
    let line_text = text.split('\n').nth(line - 1).unwrap_or("");
    assert!(
        col <= line_text.chars().count() + 1,
        "column {col} past the end of line {line}: {message:?}"
    );
    assert!(!said.is_empty(), "no message: {message:?}");
    assert!(!message.contains('\n'), "not one line: {message:?}");
}
