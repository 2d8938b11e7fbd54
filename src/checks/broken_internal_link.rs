//! `broken-internal-link`: every in-scope URL the crawl requested answered.

use super::detect::clip;
use super::{CheckContext, Evidence, Finding};
use crate::artifacts::{Discovery, Page};

/// Broken URLs listed in the evidence at most; the summary counts them all.
const MAX_LISTED: usize = 20;

pub fn run(ctx: &CheckContext) -> Finding {
    let site = ctx.site();
    let crawl = ctx.crawl();
    let in_scope = |page: &Page| crawl.scope_prefix.is_empty() || page.url.starts_with(&crawl.scope_prefix);
    let broken: Vec<&Page> = crawl
        .pages
        .iter()
        .filter(|p| in_scope(p) && Page::is_broken(p))
        .collect();
    let checked = crawl.pages.iter().filter(|p| in_scope(p)).count();
    if broken.is_empty() {
        return Finding::pass(format!("All {checked} internal URLs checked answered"));
    }
    let errors = broken.iter().filter(|p| p.status.is_none()).count();
    let mut evidence = Vec::new();
    for page in broken.iter().take(MAX_LISTED) {
        let what = match (page.status, &page.error) {
            (Some(status), Some(error)) if status < 400 => format!("HTTP {status}, then {error}"),
            (Some(status), _) => format!("HTTP {status}"),
            (None, Some(error)) => format!("no answer: {error}"),
            (None, None) => "no answer".into(),
        };
        let mut linking: Vec<String> = site
            .linked_from(&page.url)
            .map(|(from, text)| {
                if text.trim().is_empty() {
                    from.url.clone()
                } else {
                    format!("{} (\"{}\")", from.url, clip(text, 40))
                }
            })
            .collect();
        linking.dedup();
        let from = if !linking.is_empty() {
            let more = linking.len().saturating_sub(5);
            let mut list = linking.into_iter().take(5).collect::<Vec<_>>().join(", ");
            if more > 0 {
                list.push_str(&format!(" and {more} more"));
            }
            format!("linked from {list}")
        } else if page.discovered_via == Discovery::Sitemap {
            "listed in the sitemap".into()
        } else if page.discovered_via == Discovery::Start {
            "the start URL".into()
        } else {
            "linked from a page that was not kept".into()
        };
        evidence.push(Evidence::at(&page.url, format!("{what}; {from}")));
    }
    if broken.len() > MAX_LISTED {
        evidence.push(Evidence::note(format!(
            "and {} more broken URLs",
            broken.len() - MAX_LISTED
        )));
    }
    let n = broken.len();
    let mut summary = format!(
        "{n} of {checked} internal URL{} broken",
        if checked == 1 { " is" } else { "s are" }
    );
    if errors > 0 && errors < n {
        summary.push_str(&format!(" ({errors} did not answer at all)"));
    } else if errors == n {
        summary.push_str(" (no answer)");
    }
    Finding::fail(summary).with_all_evidence(evidence)
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::expect;
    use crate::checks::Status;

    const ID: &str = "broken-internal-link";

    #[test]
    fn all_answering_passes() {
        let f = expect(ID, "es-complete", Status::Pass);
        assert_eq!(f.summary, "All 7 internal URLs checked answered");
    }

    #[test]
    fn a_404_and_a_refused_connection_fail_with_their_linking_pages() {
        let f = expect(ID, "es-decoys", Status::Fail);
        assert_eq!(
            f.summary,
            "2 of 7 internal URLs are broken (1 did not answer at all)"
        );
        let e404 = &f.evidence[0];
        assert_eq!(e404.url.as_deref(), Some("https://tienda-decoy.test/ofertas"));
        let excerpt = e404.excerpt.as_deref().unwrap();
        assert!(excerpt.starts_with("HTTP 404; linked from https://tienda-decoy.test/ (\"Ofertas\")"), "{excerpt}");
        let refused = f.evidence[1].excerpt.as_deref().unwrap();
        assert!(refused.starts_with("no answer: connection refused"), "{refused}");
    }

    #[test]
    fn a_failing_start_url_is_broken() {
        let f = expect(ID, "home-down", Status::Fail);
        assert!(f.evidence[0].excerpt.as_deref().unwrap().contains("HTTP 503; the start URL"));
    }
}
