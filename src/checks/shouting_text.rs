//! `shouting-text`: customer-facing sentences written in ALL CAPS.

use super::detect::{clip, main_lines, page_url};
use super::phrases::non_ascii_chars;
use super::{CheckContext, Evidence, Finding};
use std::collections::HashSet;

const MAX_LISTED: usize = 5;

pub fn run(ctx: &CheckContext) -> Finding {
    let min_words = ctx.threshold("min_words") as usize;
    let site = ctx.site();
    if let Some(error) = super::detect::nothing_read(site) {
        return error;
    }
    let mut seen: HashSet<String> = HashSet::new();
    let mut found: Vec<(String, String)> = Vec::new();
    let mut pages_checked = 0;
    for (page, content) in site.html_pages() {
        pages_checked += 1;
        // Link and button labels are navigation, not messages. Gathered only for a page with
        // shouting in it: most have none, and a large crawl has hundreds of thousands of links.
        let mut labels: Option<HashSet<&str>> = None;
        for line in main_lines(content) {
            let runs = shouting_runs(line, min_words);
            if runs.is_empty() {
                continue;
            }
            let labels = labels.get_or_insert_with(|| {
                content
                    .links
                    .iter()
                    .map(|l| l.text.trim())
                    .chain(
                        content
                            .forms
                            .iter()
                            .flat_map(|f| f.submit_texts.iter().map(|t| t.trim())),
                    )
                    .collect()
            });
            if labels.contains(line) {
                continue;
            }
            for run in runs {
                if seen.insert(run.clone()) {
                    found.push((page_url(page).to_string(), run));
                }
            }
        }
    }
    if found.is_empty() {
        return Finding::pass(format!(
            "No ALL-CAPS sentences in the text of {pages_checked} pages"
        ));
    }
    let mut evidence: Vec<Evidence> = found
        .iter()
        .take(MAX_LISTED)
        .map(|(url, text)| Evidence::at(url, clip(text, 120)))
        .collect();
    if found.len() > MAX_LISTED {
        evidence.push(Evidence::note(format!(
            "and {} more",
            found.len() - MAX_LISTED
        )));
    }
    Finding::fail(format!(
        "{} passage{} written in ALL CAPS, e.g. \"{}\"",
        found.len(),
        if found.len() == 1 { "" } else { "s" },
        clip(&found[0].1, 60)
    ))
    .with_all_evidence(evidence)
}

/// Whether the check can find shouting in this line whatever its `min_words` threshold: a
/// run needs two words of four letters or more in any case.
pub fn reads_line(line: &str) -> bool {
    // Two words of four capitals: most lines have fewer capitals than that in all.
    let ascii_capitals = ascii_capitals(line.as_bytes());
    let capitals_at_least_8 = ascii_capitals >= 8
        || ascii_capitals
            + non_ascii_chars(line)
                .filter(|(_, c)| c.is_uppercase())
                .take(8)
                .count()
            >= 8;
    capitals_at_least_8 && !shouting_runs(line.trim(), 0).is_empty()
}

/// The ASCII capitals in `bytes`, counted 32 bytes at a time (the crawl counts them in every
/// line of every page).
fn ascii_capitals(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(32);
    let mut capitals = 0;
    for chunk in &mut chunks {
        // A fixed-size fold without early exit: the compiler reads it as vector operations.
        let in_chunk: u8 = chunk.iter().map(|b| u8::from(b.is_ascii_uppercase())).sum();
        capitals += usize::from(in_chunk);
    }
    capitals + chunks.remainder().iter().filter(|b| b.is_ascii_uppercase()).count()
}

/// Runs of at least `min_words` consecutive upper-case words (of two letters or more) in a
/// line. Tokens without letters ("50%", "-") neither count nor break a run; single capitals
/// ("A", "Y") and codes ("ESB12345678") do not count. At least two words must have four letters
/// or more, so size lists ("XS S M L XL"), acronyms and initials are not shouting.
pub fn shouting_runs(line: &str, min_words: usize) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut flush = |current: &mut Vec<&str>| {
        let counted: Vec<usize> = current
            .iter()
            .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
            .map(|w| w.chars().filter(|c| c.is_alphabetic()).count())
            .filter(|n| *n >= 2)
            .collect();
        if counted.len() >= min_words && counted.iter().filter(|n| **n >= 4).count() >= 2 {
            runs.push(current.join(" "));
        }
        current.clear();
    };
    for token in line.split_whitespace() {
        let mut letters = 0usize;
        let mut all_upper = true;
        let mut has_digit = false;
        for c in token.chars() {
            if c.is_alphabetic() {
                letters += 1;
                all_upper &= c.is_uppercase();
            }
            has_digit |= c.is_ascii_digit();
        }
        let is_code = has_digit && letters > 0;
        if letters == 0 || is_code || (letters == 1 && all_upper) {
            if !current.is_empty() {
                current.push(token);
            }
            continue;
        }
        if all_upper {
            current.push(token);
        } else {
            flush(&mut current);
        }
    }
    flush(&mut current);
    runs
}

#[cfg(test)]
mod tests {
    use super::{ascii_capitals, shouting_runs};

    #[test]
    fn capitals_are_counted_across_chunk_edges() {
        let line = "FREE Delivery ON ALL ORDERS over 50€, Éte ÑANDÚ and MORE Xy";
        for cut in 0..=line.len() {
            let bytes = &line.as_bytes()[..cut];
            let expected = bytes.iter().filter(|b| b.is_ascii_uppercase()).count();
            assert_eq!(ascii_capitals(bytes), expected, "first {cut} bytes");
        }
        assert_eq!(ascii_capitals("A".repeat(300).as_bytes()), 300);
    }

    #[test]
    fn caps_runs_of_four_words_shout() {
        assert_eq!(
            shouting_runs("Hoy: ENVÍO GRATIS EN TODOS LOS PEDIDOS y más", 4),
            ["ENVÍO GRATIS EN TODOS LOS PEDIDOS"]
        );
        assert_eq!(
            shouting_runs("SUMMER SALE - UP TO 50% OFF", 4),
            ["SUMMER SALE - UP TO 50% OFF"]
        );
        assert!(shouting_runs("FAQ NEW SALE", 4).is_empty());
        assert!(shouting_runs("Tallas XS S M L XL XXL", 4).is_empty());
        assert!(shouting_runs("Precio con IVA y PVP", 4).is_empty());
        assert!(shouting_runs("NIF ESB12345678 · IVA ES B-12345678", 4).is_empty());
        assert!(shouting_runs("CIF NIF IVA DNI", 4).is_empty());
    }
}

#[cfg(test)]
mod fixture_tests {
    use crate::checks::testing::{evidence_text, expect};
    use crate::checks::Status;

    const ID: &str = "shouting-text";

    #[test]
    fn caps_header_banner_and_short_labels_pass() {
        // es-complete has "ENVÍO GRATIS EN PEDIDOS DE MÁS DE 50 €" in its header and
        // NUEVO / REBAJAS nav labels.
        expect(ID, "es-complete", Status::Pass);
    }

    #[test]
    fn a_shouted_warning_fails() {
        let f = expect(ID, "es-decoys", Status::Fail);
        assert!(f.summary.starts_with("1 passage written in ALL CAPS"), "{}", f.summary);
        assert!(evidence_text(&f).contains("NO ACEPTAMOS DEVOLUCIONES SIN TICKET"));
    }
}
