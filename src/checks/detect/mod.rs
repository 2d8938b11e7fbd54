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
    for (i, c) in text.char_indices() {
        let end_of_sentence = match c {
            '\n' => true,
            '.' | '!' | '?' | ';' => bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace()),
            _ => false,
        };
        if end_of_sentence {
            let end = if c == '\n' { i } else { i + c.len_utf8() };
            push(start, end);
            start = i + c.len_utf8();
        }
    }
    push(start, text.len());
    out
}

/// Lines of the page's main text: visible text without the lines that are the header or the
/// footer (which every page repeats).
pub fn main_lines(content: &PageContent) -> Vec<&str> {
    let chrome: std::collections::HashSet<&str> = content
        .header_text
        .lines()
        .chain(content.footer_text.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    content
        .text
        .lines()
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
    }

    #[test]
    fn clip_marks_the_cut() {
        assert_eq!(clip("a  b\nc", 10), "a b c");
        assert_eq!(clip("abcdefghij", 5), "abcd…");
    }
}
