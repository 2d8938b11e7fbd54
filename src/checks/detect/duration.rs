//! Reading durations in running text: "within 24 hours", "en menos de 2 horas", "sous 24h",
//! "3-5 business days", "2 jours ouvrés", "24/48h", "same day". The vocabulary is data in
//! `checks/durations.toml`. Times of day ("before 2pm", "de 9h à 18h") are not durations.

use crate::checks::phrases::{fold, PhraseSet};
use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Vocabulary {
    units: Units,
    business: PhraseSet,
    same_day: PhraseSet,
    next_day: PhraseSet,
    upper_bound: PhraseSet,
    range_joiners: PhraseSet,
    clock_words: PhraseSet,
    number_words: BTreeMap<String, u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Units {
    minutes: PhraseSet,
    hours: PhraseSet,
    days: PhraseSet,
    weeks: PhraseSet,
}

/// A duration found in text, as a range of hours.
#[derive(Debug, Clone, PartialEq)]
pub struct Duration {
    pub min_hours: f64,
    pub max_hours: f64,
    /// Counted in business/working days.
    pub business: bool,
    /// Introduced by "within", "en menos de", "sous": anything up to `max_hours`.
    pub upper_bound: bool,
    /// As written ("3-5 días laborables").
    pub written: String,
    /// Byte range in the text it was read from.
    pub start: usize,
    pub end: usize,
}

impl Duration {
    /// Two durations that can both be true ("24-48h" and "2-3 days" overlap at 48 hours).
    pub fn overlaps(&self, other: &Duration) -> bool {
        self.min_hours <= other.max_hours + f64::EPSILON
            && other.min_hours <= self.max_hours + f64::EPSILON
    }

    /// "24 hours", "3-5 business days", "up to 2 hours".
    pub fn describe(&self) -> String {
        // Minutes under an hour, hours up to three days ("48 hours"), days beyond that and for
        // business days.
        let (lo, hi, unit) = if self.max_hours < 1.0 {
            (self.min_hours * 60.0, self.max_hours * 60.0, "minute")
        } else if self.max_hours < 24.0 || (!self.business && self.max_hours <= 72.0) {
            (self.min_hours, self.max_hours, "hour")
        } else {
            (self.min_hours / 24.0, self.max_hours / 24.0, "day")
        };
        let fmt = |v: f64| {
            if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            }
        };
        let business = if self.business { "business " } else { "" };
        let plural = if hi == 1.0 { "" } else { "s" };
        if self.upper_bound || lo == 0.0 {
            format!("up to {} {business}{unit}{plural}", fmt(hi))
        } else if lo == hi {
            format!("{} {business}{unit}{plural}", fmt(hi))
        } else {
            format!("{}-{} {business}{unit}s", fmt(lo), fmt(hi))
        }
    }
}

pub struct DurationReader {
    vocab: Vocabulary,
    pattern: Regex,
}

impl DurationReader {
    pub fn get() -> &'static DurationReader {
        static READER: OnceLock<DurationReader> = OnceLock::new();
        READER.get_or_init(|| {
            let mut vocab: Vocabulary = toml::from_str(include_str!("../../../checks/durations.toml"))
                .unwrap_or_else(|e| panic!("checks/durations.toml is invalid: {e}"));
            for set in [
                &mut vocab.business,
                &mut vocab.same_day,
                &mut vocab.next_day,
                &mut vocab.upper_bound,
                &mut vocab.range_joiners,
                &mut vocab.clock_words,
                &mut vocab.units.minutes,
                &mut vocab.units.hours,
                &mut vocab.units.days,
                &mut vocab.units.weeks,
            ] {
                set.build();
            }
            let alternation = |words: Vec<&String>| {
                let mut words: Vec<String> =
                    words.into_iter().map(|w| regex::escape(&fold(w))).collect();
                words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
                words.dedup();
                words.join("|")
            };
            let number = format!(
                r"\d{{1,3}}|{}",
                alternation(vocab.number_words.keys().collect())
            );
            let units = alternation(
                vocab
                    .units
                    .minutes
                    .all()
                    .chain(vocab.units.hours.all())
                    .chain(vocab.units.days.all())
                    .chain(vocab.units.weeks.all())
                    .collect(),
            );
            let business = alternation(vocab.business.all().collect());
            let joiners = alternation(vocab.range_joiners.all().collect());
            // [low (unit)? joiner] number [business] unit [business]
            let pattern = Regex::new(&format!(
                r"(?i)(?:\b(?P<low>{number})\s*(?:{units})?\s*(?:{joiners})\s*)?\b(?P<high>{number})\s*(?:(?P<bus1>{business})\s+)?(?P<unit>{units})\b(?:\s+(?P<bus2>{business})\b)?"
            ))
            .expect("the duration vocabulary makes a valid regex");
            DurationReader { vocab, pattern }
        })
    }

    /// Whether [`find`](Self::find) may find a duration in `folded` (a [`fold`]ed text): never
    /// false when it would find one. Cheaper than `find`, which reads each match.
    pub fn may_find(&self, folded: &str) -> bool {
        self.pattern.is_match(folded)
            || self.vocab.same_day.occurs_in(folded)
            || self.vocab.next_day.occurs_in(folded)
    }

    /// Every duration in `text`, in order.
    pub fn find(&self, text: &str) -> Vec<Duration> {
        let mut found = Vec::new();
        for caps in self.pattern.captures_iter(text) {
            let whole = caps.get(0).expect("group 0");
            let unit = fold(&caps["unit"]);
            let Some(unit_hours) = self.unit_hours(&unit) else {
                continue;
            };
            let high = self.number(&caps["high"]);
            let low = caps.name("low").map(|m| self.number(m.as_str()));
            let (Some(high), low) = (high, low.flatten()) else {
                continue;
            };
            // "24/7" and "9h-18h" style ranges that run backwards are not durations.
            if low.is_some_and(|l| l > high) {
                continue;
            }
            let before = window_before(text, whole.start(), 24);
            let folded_before = fold(before);
            if unit_hours == 1.0 {
                // Opening hours "de 9 a 18h", "9-17h" and times "before 14h", "avant 18h".
                let is_opening_range = low.is_some_and(|l| l < 12 && high > 12 && high <= 24);
                let is_clock = low.is_none()
                    && high <= 23
                    && self
                        .vocab
                        .clock_words
                        .find_all(&folded_before)
                        .last()
                        .is_some_and(|m| folded_before[m.end..].trim().is_empty());
                if is_opening_range || is_clock {
                    continue;
                }
            }
            let upper_bound = self
                .vocab
                .upper_bound
                .find_all(&folded_before)
                .last()
                .is_some_and(|m| folded_before[m.end..].trim().is_empty());
            let business = caps.name("bus1").is_some() || caps.name("bus2").is_some();
            let max_hours = high as f64 * unit_hours;
            let min_hours = if upper_bound {
                0.0
            } else {
                low.map(|l| l as f64 * unit_hours).unwrap_or(max_hours)
            };
            found.push(Duration {
                min_hours,
                max_hours,
                business,
                upper_bound,
                written: whole.as_str().to_string(),
                start: whole.start(),
                end: whole.end(),
            });
        }
        let folded = fold(text);
        // Offsets in the folded copy match the text for the scripts these stores use.
        if folded.len() == text.len() {
            for (set, min, max) in [
                (&self.vocab.same_day, 0.0, 24.0),
                (&self.vocab.next_day, 24.0, 24.0),
            ] {
                for m in set.find_all(&folded) {
                    if found.iter().any(|d| d.start < m.end && m.start < d.end) {
                        continue;
                    }
                    found.push(Duration {
                        min_hours: min,
                        max_hours: max,
                        business: self.vocab.business.occurs_in(&m.phrase),
                        upper_bound: min == 0.0,
                        written: text[m.start..m.end].to_string(),
                        start: m.start,
                        end: m.end,
                    });
                }
            }
        }
        found.sort_by_key(|d| d.start);
        found
    }

    fn unit_hours(&self, unit: &str) -> Option<f64> {
        let u = &self.vocab.units;
        let is = |set: &PhraseSet| set.all().any(|w| fold(w) == unit);
        if is(&u.minutes) {
            Some(1.0 / 60.0)
        } else if is(&u.hours) {
            Some(1.0)
        } else if is(&u.days) {
            Some(24.0)
        } else if is(&u.weeks) {
            Some(168.0)
        } else {
            None
        }
    }

    fn number(&self, word: &str) -> Option<u32> {
        word.parse()
            .ok()
            .or_else(|| self.vocab.number_words.get(&fold(word)).copied())
    }
}

fn window_before(text: &str, start: usize, reach: usize) -> &str {
    let from = text[..start]
        .char_indices()
        .rev()
        .nth(reach.saturating_sub(1))
        .map(|(i, _)| i)
        .unwrap_or(0);
    &text[from..start]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(f64, f64, bool)> {
        DurationReader::get()
            .find(text)
            .into_iter()
            .map(|d| (d.min_hours, d.max_hours, d.business))
            .collect()
    }

    #[test]
    fn reads_durations_in_three_languages() {
        assert_eq!(read("We reply within 24 hours."), [(0.0, 24.0, false)]);
        assert_eq!(read("Respondemos en menos de 2 horas"), [(0.0, 2.0, false)]);
        assert_eq!(read("Réponse sous 24h"), [(0.0, 24.0, false)]);
        assert_eq!(read("Answers in 48h"), [(48.0, 48.0, false)]);
        assert_eq!(read("Delivery in 3 business days"), [(72.0, 72.0, true)]);
        assert_eq!(read("Livraison en 2 jours ouvrés"), [(48.0, 48.0, true)]);
        assert_eq!(
            read("Entrega en 3-5 días laborables"),
            [(72.0, 120.0, true)]
        );
        assert_eq!(read("Envío 24/48h"), [(24.0, 48.0, false)]);
        assert_eq!(read("entre 3 y 5 días"), [(72.0, 120.0, false)]);
        assert_eq!(read("de 2 à 4 jours"), [(48.0, 96.0, false)]);
        assert_eq!(read("two working days"), [(48.0, 48.0, true)]);
        assert_eq!(read("We answer the same day."), [(0.0, 24.0, false)]);
        assert_eq!(read("Entrega al día siguiente"), [(24.0, 24.0, false)]);
        assert_eq!(read("en 30 minutos"), [(0.5, 0.5, false)]);
    }

    #[test]
    fn times_of_day_are_not_durations() {
        assert!(read("Lunes a viernes de 9 a 18h").is_empty());
        assert!(read("Du lundi au vendredi, 9h-18h").is_empty());
        assert!(read("Pedidos antes de las 14h").is_empty());
        assert!(read("Commandez avant 14h").is_empty());
        assert!(read("Open 9:00-17:30, 24/7 support").is_empty());
    }

    #[test]
    fn described_for_a_store_owner() {
        let d = &DurationReader::get().find("in 3-5 business days")[0];
        assert_eq!(d.describe(), "3-5 business days");
        let d = &DurationReader::get().find("sous 24h")[0];
        assert_eq!(d.describe(), "up to 24 hours");
        let d = &DurationReader::get().find("48h")[0];
        assert_eq!(d.describe(), "48 hours");
        let d = &DurationReader::get().find("1 semana")[0];
        assert_eq!(d.describe(), "7 days");
        let d = &DurationReader::get().find("en 30 minutos")[0];
        assert_eq!(d.describe(), "30 minutes");
    }
}
