use super::flow_support::finished;
use super::{CheckContext, Evidence, Finding};

pub fn run(ctx: &CheckContext) -> Finding {
    let flows = ctx.browser();
    let post = match finished(&flows.post_purchase, "the post-purchase flow") {
        Ok(p) => p,
        Err(finding) => return finding,
    };
    let c = &post.confirmation;
    let dead: Vec<Evidence> = c
        .links
        .iter()
        .filter(|l| l.is_dead())
        .map(|l| Evidence {
            url: Some(l.url.clone()),
            excerpt: Some(format!(
                "'{}' on the confirmation page: {}",
                l.text,
                match (&l.error, l.status) {
                    (Some(e), _) => e.clone(),
                    (None, Some(s)) => format!("HTTP {s}"),
                    (None, None) => "no answer".into(),
                }
            )),
            ..Default::default()
        })
        .collect();
    if dead.is_empty() {
        Finding::pass(format!(
            "All {} links on the order confirmation answer",
            c.links.len()
        ))
        .with_evidence(Evidence {
            url: Some(c.url.clone()),
            screenshot: c.screenshot.clone(),
            ..Default::default()
        })
    } else {
        Finding::fail(format!(
            "{} of {} links on the order confirmation are dead",
            dead.len(),
            c.links.len()
        ))
        .with_all_evidence(dead)
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::Status;

    #[test]
    fn dead_links_on_the_confirmation() {
        use crate::checks::testing::{evidence_text, expect};
        expect("dead-post-purchase-link", "browser-good-store", Status::Pass);
        let bad = expect("dead-post-purchase-link", "browser-bad-store", Status::Fail);
        let evidence = evidence_text(&bad);
        assert!(evidence.contains("HTTP 404"), "{evidence}");
        assert!(evidence.contains("connection failed"), "{evidence}");
    }
}
