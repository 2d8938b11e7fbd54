//! `missing-faq`: an FAQ/help page within two clicks of home answers at least 5 questions.

use super::detect::{clicks, clip, main_lines, page_url};
use super::phrases::{fold, PhraseSet};
use super::{CheckContext, Evidence, Finding};
use crate::artifacts::{Page, PageContent};
use crate::site::{json_ld_has_type, Role};
use std::collections::BTreeSet;

pub fn run(ctx: &CheckContext) -> Finding {
    let site = ctx.site();
    if let Some(error) = super::detect::nothing_read(site) {
        return error;
    }
    let pass_min = ctx.threshold("pass_min");
    let good_min = ctx.threshold("good_min");
    let max_clicks = ctx.threshold("max_clicks");
    let question_words = ctx.phrases("question_words");

    let mut counted: Vec<(&Page, Vec<String>, Option<u32>)> = site
        .pages_with_role(Role::Faq)
        .filter_map(|page| {
            let content = page.content.as_ref()?;
            Some((page, questions(content, question_words), site.click_depth(page)))
        })
        .collect();
    if counted.is_empty() {
        return Finding::fail("No FAQ or help page found");
    }
    let near = |depth: &Option<u32>| depth.is_some_and(|d| d as f64 <= max_clicks);
    // The best page within reach: the one answering the most questions.
    counted.sort_by_key(|(_, q, depth)| (!near(depth), std::cmp::Reverse(q.len())));
    let deeper: Vec<Evidence> = counted
        .iter()
        .filter(|(_, q, depth)| !near(depth) && !q.is_empty())
        .take(3)
        .map(|(page, q, depth)| {
            Evidence::at(
                page_url(page),
                format!(
                    "{} questions, but {}",
                    q.len(),
                    match depth {
                        Some(d) => format!("{} from the home page", clicks(*d)),
                        None => "not linked from the crawled pages".into(),
                    }
                ),
            )
        })
        .collect();
    let (page, questions, depth) = &counted[0];
    if !near(depth) {
        return Finding::fail(format!(
            "No FAQ or help page within {max_clicks:.0} clicks of the home page"
        ))
        .with_all_evidence(deeper);
    }
    let n = questions.len();
    let url = page_url(page);
    let mut evidence = vec![Evidence::at(
        url,
        format!(
            "{n} distinct questions, {}",
            match depth {
                Some(0) => "on the home page".to_string(),
                Some(d) => format!("{} from the home page", clicks(*d)),
                None => unreachable!("near pages have a click depth"),
            }
        ),
    )];
    evidence.extend(
        questions
            .iter()
            .take(5)
            .map(|q| Evidence::at(url, clip(q, 100))),
    );
    evidence.extend(deeper);
    let finding = if n == 0 {
        Finding::fail(format!(
            "The FAQ page ({url}) answers no recognisable questions"
        ))
    } else if (n as f64) < pass_min {
        Finding::warn(format!(
            "The FAQ page answers only {n} question{}",
            if n == 1 { "" } else { "s" }
        ))
        .with_score((n as f64 / pass_min).min(1.0) * 0.8)
    } else if (n as f64) < good_min {
        Finding::pass(format!(
            "The FAQ page answers {n} questions (aim for {good_min:.0} or more)"
        ))
        .with_score(0.9)
    } else {
        Finding::pass(format!("The FAQ page answers {n} questions"))
    };
    finding.with_all_evidence(evidence)
}

/// Distinct questions on a page: schema.org FAQPage entries, disclosure widgets (`<details>`,
/// `<dt>`, accordion toggles) and headings that ask something, and lines of main text ending in
/// a question mark.
pub fn questions(content: &PageContent, question_words: &PhraseSet) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut add = |text: &str| {
        let text = text.trim();
        let key: String = fold(text)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        if key.chars().count() >= 6 && seen.insert(key) {
            out.push(text.to_string());
        }
    };
    for value in &content.json_ld {
        for name in faq_entries(value) {
            add(&name);
        }
    }
    let asks = |text: &str| {
        let t = text.trim();
        t.ends_with('?')
            || question_words
                .find(&fold(t))
                .is_some_and(|m| m.start == 0 || fold(t)[..m.start].trim_matches('¿').is_empty())
    };
    for text in content
        .disclosures
        .iter()
        .chain(content.headings.iter().filter(|h| h.level >= 2).map(|h| &h.text))
    {
        if asks(text) {
            add(text);
        }
    }
    for line in main_lines(content) {
        if line.ends_with('?') && (10..=200).contains(&line.chars().count()) {
            add(line);
        }
    }
    out
}

/// Question names in a schema.org FAQPage (also inside `@graph`).
fn faq_entries(value: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    match value {
        Value::Array(items) => items.iter().flat_map(faq_entries).collect(),
        Value::Object(map) => {
            let mut out = Vec::new();
            if json_ld_has_type(value, "FAQPage") {
                let entities = match map.get("mainEntity") {
                    Some(Value::Array(a)) => a.iter().collect(),
                    Some(v) => vec![v],
                    None => Vec::new(),
                };
                out.extend(
                    entities
                        .into_iter()
                        .filter_map(|e| e.get("name").and_then(Value::as_str))
                        .map(str::to_string),
                );
            }
            if let Some(graph) = map.get("@graph") {
                out.extend(faq_entries(graph));
            }
            out
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::{evidence_text, expect, run_with};
    use crate::checks::Status;

    const ID: &str = "missing-faq";

    #[test]
    fn six_questions_in_details_pass() {
        let f = expect(ID, "es-complete", Status::Pass);
        assert!(f.summary.contains("answers 6 questions"), "{}", f.summary);
        assert_eq!(f.score, Some(0.9));
    }

    #[test]
    fn five_questions_in_json_ld_pass() {
        let f = expect(ID, "fr-mixed", Status::Pass);
        assert!(f.summary.contains("answers 5 questions"), "{}", f.summary);
        assert!(evidence_text(&f).contains("Comment suivre ma commande ?"));
    }

    #[test]
    fn three_questions_in_headings_warn() {
        let f = expect(ID, "es-decoys", Status::Warn);
        assert!(f.summary.contains("only 3 questions"), "{}", f.summary);
        // "¿Dudas? Contacto" is a call to action, not an answered question.
        assert!(!evidence_text(&f).contains("Dudas"), "{f:#?}");
    }

    #[test]
    fn an_faq_deeper_than_allowed_fails_and_is_named() {
        let f = run_with(ID, "es-complete", &[("max_clicks", 0.0)]);
        assert_eq!(f.status, Status::Fail, "{f:#?}");
        assert_eq!(f.summary, "No FAQ or help page within 0 clicks of the home page");
        assert!(
            evidence_text(&f).contains("preguntas-frecuentes 6 questions, but 1 click from"),
            "{f:#?}"
        );
    }

    #[test]
    fn no_faq_fails() {
        expect(ID, "en-minimal", Status::Fail);
    }
}
