//! Detectors shared by several checks: phone numbers, e-mail addresses, durations (reply and
//! delivery times) and chat widgets. Each works on the extracted text of one page and takes its
//! vocabulary (phrase lists, patterns) from the checks' docs, so languages stay data.

pub mod chat;
pub mod duration;
pub mod email;
pub mod phone;

use crate::artifacts::{Page, PageContent};

/// Splits text into sentences: lines, then sentence punctuation followed by a space. Returns
/// byte ranges into `text` (trimmed, non-empty).
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut push = |start: usize, end: usize| {
        let piece = &text[start..end];
        let lead = piece.len() - piece.trim_start().len();
        let trail = piece.len() - piece.trim_end().len();
        if start + lead < end - trail {
            out.push((start + lead, end - trail));
        }
    };
    let mut start = 0;
    let bytes = text.as_bytes();
    // The marks are ASCII, and no byte of a longer UTF-8 character is: bytes can be read alone.
    for (i, &b) in bytes.iter().enumerate() {
        let end_of_sentence = match b {
            b'\n' => true,
            b'.' | b'!' | b'?' | b';' => bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace()),
            _ => false,
        };
        if end_of_sentence {
            let end = if b == b'\n' { i } else { i + 1 };
            push(start, end);
            start = i + 1;
        }
    }
    push(start, text.len());
    out
}

/// [`str::lines`], finding the line breaks with `memchr` (the crawl splits every page's text).
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text).filter(|t| !t.is_empty());
    std::iter::from_fn(move || {
        let current = rest?;
        // As `str::lines`: a `\r` goes with the `\n` after it, and is kept at the very end.
        match memchr::memchr(b'\n', current.as_bytes()) {
            Some(at) => {
                rest = Some(&current[at + 1..]).filter(|r| !r.is_empty());
                let line = &current[..at];
                Some(line.strip_suffix('\r').unwrap_or(line))
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// Lines of the page's main text: visible text without the lines that are the header or the
/// footer (which every page repeats).
pub fn main_lines(content: &PageContent) -> Vec<&str> {
    // A list, not a set: a page has a few dozen such lines, and most pages of a large crawl
    // keep only a few lines of text to compare with them; hashing them all cost more.
    let chrome: Vec<&str> = content
        .header_text
        .lines()
        .chain(content.footer_text.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    content
        .text_lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !chrome.contains(l))
        .collect()
}

/// An error finding when the crawl read no page at all: checks that look for pages would
/// otherwise report them missing, blaming the store for what the crawl could not see.
pub fn nothing_read(site: &crate::site::SiteIndex) -> Option<super::Finding> {
    (site.html_pages().next().is_none()).then(|| {
        super::Finding::error("No page of the store could be read (see the crawl warnings)")
    })
}

/// The URL to show for a page: where it ended up after redirects.
pub fn page_url(page: &Page) -> &str {
    if page.final_url.is_empty() {
        &page.url
    } else {
        &page.final_url
    }
}

/// "1 click", "3 clicks".
pub fn clicks(n: u32) -> String {
    if n == 1 {
        "1 click".into()
    } else {
        format!("{n} clicks")
    }
}

/// `text` cut to `max` characters with an ellipsis, whitespace collapsed.
pub fn clip(text: &str, max: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        collapsed
    } else {
        let cut: String = collapsed.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_on_lines_and_punctuation() {
        let text = "Envío en 24h. Devoluciones gratis!\nLlámanos: 912 345 678";
        let parts: Vec<&str> = sentences(text).iter().map(|(s, e)| &text[*s..*e]).collect();
        assert_eq!(
            parts,
            [
                "Envío en 24h.",
                "Devoluciones gratis!",
                "Llámanos: 912 345 678"
            ]
        );
        // A dot inside a number is not a sentence end.
        assert_eq!(sentences("01.23.45.67.89 ok").len(), 1);
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\r\nb",
            "\n\na\n\n",
            "a\rb\r\n",
            "é\nñ\r",
        ] {
            assert_eq!(
                lines(text).collect::<Vec<_>>(),
                text.lines().collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }

    /// Detectors read whatever text a page holds: none may panic or point outside the text,
    /// whatever mix of scripts, digits and punctuation it gets.
    #[test]
    fn detectors_survive_arbitrary_text() {
        use super::duration::DurationReader;
        use super::email::EmailDetector;
        use super::phone::{scan_text, PhoneVocabulary, RegionHints};
        const PIECES: &[&str] = &[
            "912",
            " ",
            "345",
            "-",
            ".",
            "(",
            ")",
            "+34",
            "€",
            "·",
            "é",
            "İ",
            "ß",
            "日本",
            "\n",
            "Tel",
            "SKU",
            "at",
            "[at]",
            "arroba",
            "punto",
            "@",
            "shop",
            "es",
            "24",
            "h",
            "/",
            "48h",
            "días",
            "y",
            "a",
            "?",
            "¿",
            "ÉTÉ",
            "NO",
            "VAT",
            "FR",
            "0800",
            "\u{a0}",
            "1-800",
            "00",
            "#",
            "nº",
            ",",
            "00 €",
            "jours ouvrés",
            "within",
            "sous",
        ];
        let hints = RegionHints::with_likely(vec![phonenumber::country::Id::ES]);
        let vocab = PhoneVocabulary::shared();
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..150 {
            let mut text = String::new();
            for _ in 0..40 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
            }
            // A real number on its own line is still found amid the noise.
            text.push_str("\nTel 912 345 678\n");
            let scan = scan_text(&text, &["+34 912 345 678".into()], &hints, &vocab);
            for phone in &scan.found {
                assert!(text.is_char_boundary(phone.start) && text.is_char_boundary(phone.end));
                assert!(text[phone.start..phone.end].contains(phone.text.as_str()));
            }
            assert!(
                scan.found.iter().any(|p| p.e164 == "+34912345678"),
                "{text:?}: {scan:?}"
            );
            for d in DurationReader::get().find(&text) {
                assert!(d.min_hours <= d.max_hours, "{d:?} in {text:?}");
                assert_eq!(&text[d.start..d.end], d.written);
            }
            for e in EmailDetector::shared().find(&text, &[]) {
                assert!(e.address.contains('@'), "{e:?}");
            }
            for (start, end) in sentences(&text) {
                assert!(start < end && text.is_char_boundary(start) && text.is_char_boundary(end));
            }
            crate::checks::shouting_text::shouting_runs(&text, 4);
        }
    }

    #[test]
    fn clip_marks_the_cut() {
        assert_eq!(clip("a  b\nc", 10), "a b c");
        assert_eq!(clip("abcdefghij", 5), "abcd…");
    }
}
