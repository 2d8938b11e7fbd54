//! `no-response-time-promise`: the contact or FAQ page promises a reply within 24 hours.

use super::detect::duration::{Duration, DurationReader};
use super::detect::{clip, page_url, sentences};
use super::{CheckContext, Evidence, Finding};
use crate::artifacts::Page;
use crate::site::Role;

struct Promise<'a> {
    page: &'a Page,
    sentence: String,
    duration: Duration,
}

pub fn run(ctx: &CheckContext) -> Finding {
    let site = ctx.site();
    if let Some(error) = super::detect::nothing_read(site) {
        return error;
    }
    let limit = ctx.threshold("max_reply_hours");
    let reply_words = ctx.phrases("reply_words");
    let mut pages: Vec<&Page> = site.pages_with_role(Role::Contact).collect();
    for faq in site.pages_with_role(Role::Faq) {
        if !pages.iter().any(|p| std::ptr::eq(*p, faq)) {
            pages.push(faq);
        }
    }
    if pages.is_empty() {
        return Finding::fail("No contact or FAQ page, so no reply time is promised");
    }
    let reader = DurationReader::get();
    let mut promises = Vec::new();
    for page in &pages {
        let Some(content) = &page.content else {
            continue;
        };
        for (start, end) in sentences(&content.text) {
            let sentence = &content.text[start..end];
            if !reply_words.matches(sentence) {
                continue;
            }
            for duration in reader.find(sentence) {
                promises.push(Promise {
                    page,
                    sentence: sentence.to_string(),
                    duration,
                });
            }
        }
    }
    let Some(best) = promises
        .iter()
        .min_by(|a, b| a.duration.max_hours.total_cmp(&b.duration.max_hours))
    else {
        let checked: Vec<Evidence> = pages
            .iter()
            .map(|p| Evidence::at(page_url(p), "no promise of how fast messages are answered"))
            .collect();
        return Finding::fail("No page says how fast customer messages are answered")
            .with_all_evidence(checked);
    };
    let evidence = promises.iter().take(4).map(|p| {
        Evidence::at(
            page_url(p.page),
            format!("{} ({})", clip(&p.sentence, 140), p.duration.describe()),
        )
    });
    let limit_text = format!("{limit:.0} hours");
    if best.duration.max_hours <= limit {
        Finding::pass(format!(
            "Replies promised within {}: \"{}\"",
            best.duration.describe().trim_start_matches("up to "),
            clip(&best.sentence, 80)
        ))
        .with_all_evidence(evidence)
    } else {
        Finding::fail(format!(
            "The fastest promised reply ({}: \"{}\") is slower than {limit_text}",
            best.duration.describe(),
            clip(&best.sentence, 80)
        ))
        .with_all_evidence(evidence)
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::{expect, run_with};
    use crate::checks::Status;

    const ID: &str = "no-response-time-promise";

    #[test]
    fn a_reply_within_two_hours_passes() {
        let f = expect(ID, "es-complete", Status::Pass);
        assert!(f.summary.starts_with("Replies promised within 2 hours"), "{}", f.summary);
    }

    #[test]
    fn a_48_hour_promise_fails_and_passes_under_a_looser_threshold() {
        let f = expect(ID, "fr-mixed", Status::Fail);
        assert!(f.summary.contains("up to 48 hours"), "{}", f.summary);
        assert!(f.summary.contains("slower than 24 hours"), "{}", f.summary);
        let f = run_with(ID, "fr-mixed", &[("max_reply_hours", 48.0)]);
        assert_eq!(f.status, Status::Pass, "{f:#?}");
    }

    #[test]
    fn no_promise_fails() {
        let f = expect(ID, "es-decoys", Status::Fail);
        assert_eq!(f.evidence.len(), 2, "contact and FAQ pages were read: {f:#?}");
        expect(ID, "en-minimal", Status::Fail);
    }

    #[test]
    fn nothing_crawled_is_an_error() {
        expect(ID, "home-down", Status::Error);
    }
}
