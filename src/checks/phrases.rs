//! Phrase lists in English, Spanish and French, kept as data in `checks/*.md` and
//! `checks/page-roles.toml`, matched case-insensitively on word boundaries.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhraseSet {
    #[serde(default)]
    pub en: Vec<String>,
    #[serde(default)]
    pub es: Vec<String>,
    #[serde(default)]
    pub fr: Vec<String>,
    #[serde(skip)]
    matcher: Option<(AhoCorasick, Vec<String>)>,
}

/// One phrase found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhraseMatch {
    pub phrase: String,
    pub start: usize,
    pub end: usize,
}

/// Lower-cases for matching. Byte offsets into the result are offsets into a lower-cased copy;
/// use [`excerpt_around`] on the same lower-cased or original text for evidence.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// The characters of `text` outside ASCII, with their offsets: found eight bytes at a time, as
/// most of a page's text is ASCII.
pub fn non_ascii_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(word) = bytes.get(at..at + 8) {
            let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
            if word & 0x8080_8080_8080_8080 != 0 {
                break;
            }
            at += 8;
        }
        at += bytes.get(at..)?.iter().position(|b| !b.is_ascii())?;
        let c = text[at..].chars().next()?;
        let found = (at, c);
        at += c.len_utf8();
        Some(found)
    })
}

impl PhraseSet {
    pub fn all(&self) -> impl Iterator<Item = &String> {
        self.en.iter().chain(&self.es).chain(&self.fr)
    }

    pub(crate) fn build(&mut self) {
        let phrases: Vec<String> = self.all().map(|p| fold(p)).collect();
        let matcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&phrases)
            .expect("phrase lists are small");
        self.matcher = Some((matcher, phrases));
    }

    fn matcher(&self) -> &(AhoCorasick, Vec<String>) {
        self.matcher
            .as_ref()
            .expect("PhraseSet::build runs when the doc is parsed")
    }

    /// Every whole-word occurrence in `folded` (a text passed through [`fold`]).
    pub fn find_all(&self, folded: &str) -> Vec<PhraseMatch> {
        self.whole_words(folded)
            .map(|m| self.phrase_match(m))
            .collect()
    }

    /// The first whole-word occurrence; stops there (the crawl asks this of every line).
    pub fn find(&self, folded: &str) -> Option<PhraseMatch> {
        self.whole_words(folded)
            .next()
            .map(|m| self.phrase_match(m))
    }

    /// Where each whole-word occurrence in `folded` starts, in order.
    pub fn starts<'s>(&'s self, folded: &'s str) -> impl Iterator<Item = usize> + 's {
        self.whole_words(folded).map(|m| m.start())
    }

    /// Whether `folded` holds a phrase as a whole word.
    pub fn occurs_in(&self, folded: &str) -> bool {
        self.whole_words(folded).next().is_some()
    }

    fn whole_words<'s>(
        &'s self,
        folded: &'s str,
    ) -> impl Iterator<Item = aho_corasick::Match> + 's {
        self.matcher()
            .0
            .find_iter(folded)
            .filter(|m| is_word_boundary(folded, m.start(), m.end()))
    }

    fn phrase_match(&self, m: aho_corasick::Match) -> PhraseMatch {
        PhraseMatch {
            phrase: self.matcher().1[m.pattern().as_usize()].clone(),
            start: m.start(),
            end: m.end(),
        }
    }

    /// Case-insensitive whole-word search in any text.
    pub fn matches(&self, text: &str) -> bool {
        self.occurs_in(&fold(text))
    }
}

fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let first = text[start..end].chars().next();
    let last = text[start..end].chars().next_back();
    let edge_ok = |outside: Option<char>, inside: Option<char>| !matches!((outside, inside), (Some(o), Some(i)) if o.is_alphanumeric() && i.is_alphanumeric());
    edge_ok(before, first) && edge_ok(after, last)
}

/// Up to `radius` characters either side of a byte range, on char boundaries, whitespace
/// collapsed, with ellipses where cut.
pub fn excerpt_around(text: &str, start: usize, end: usize, radius: usize) -> String {
    let from = text[..start]
        .char_indices()
        .rev()
        .nth(radius.saturating_sub(1))
        .map(|(i, _)| i)
        .unwrap_or(0);
    let to = text[end..]
        .char_indices()
        .nth(radius)
        .map(|(i, _)| end + i)
        .unwrap_or(text.len());
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(
        &text[from..to]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    );
    if to < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_characters_are_found_wherever_they_fall() {
        for text in [
            "",
            "plain ascii text, longer than eight bytes",
            "é",
            "Envío en 24h — ÉCHANGE gratuit, 5 €",
            "twelve bytes€abcdefghé",
        ] {
            let expected: Vec<(usize, char)> =
                text.char_indices().filter(|(_, c)| !c.is_ascii()).collect();
            assert_eq!(
                non_ascii_chars(text).collect::<Vec<_>>(),
                expected,
                "{text:?}"
            );
        }
    }

    fn set(en: &[&str]) -> PhraseSet {
        let mut s = PhraseSet {
            en: en.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        s.build();
        s
    }

    #[test]
    fn matches_whole_words_only() {
        let s = set(&["faq", "contact us"]);
        assert!(s.matches("See our FAQ."));
        assert!(!s.matches("faqs"));
        assert!(s.matches("Please Contact Us today"));
        assert!(!s.matches("contact usability"));
    }

    #[test]
    fn excerpt_is_cut_on_char_boundaries() {
        let text = "ééééé phone 555 ààààà";
        let start = text.find("phone").unwrap();
        let e = excerpt_around(text, start, start + 5, 3);
        assert_eq!(e, "…éé phone 55…");
    }
}
