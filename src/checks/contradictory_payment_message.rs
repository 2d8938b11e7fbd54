use super::flow_support::finished;
use super::{CheckContext, Evidence, Finding};
use crate::checks::phrases::{excerpt_around, fold};

pub fn run(ctx: &CheckContext) -> Finding {
    let flows = ctx.browser();
    let post = match finished(&flows.post_purchase, "the post-purchase flow") {
        Ok(p) => p,
        Err(finding) => return finding,
    };
    let c = &post.confirmation;
    let recorded = c.confirmed
        || c.order_number.is_some()
        || post.history.done().is_some_and(|h| h.contains_order);
    let decline = ctx.phrases("decline");
    let hits: Vec<Evidence> = post
        .pages_after_order
        .iter()
        .filter_map(|page| {
            let folded = fold(&page.text);
            decline.find(&folded).map(|m| Evidence {
                url: Some(page.url.clone()),
                excerpt: Some(excerpt_around(&folded, m.start, m.end, 60)),
                screenshot: page.screenshot.clone(),
                ..Default::default()
            })
        })
        .collect();
    match (hits.is_empty(), recorded) {
        (true, _) => Finding::pass("No page after the payment says it failed or was declined")
            .with_evidence(Evidence::at(c.url.clone(), "no decline or failure wording")),
        (false, true) => Finding::fail(
            "The store recorded the order but tells the customer the payment failed",
        )
        .with_all_evidence(hits),
        (false, false) => Finding::not_applicable(
            "the payment was declined and no order was recorded: nothing contradicts",
        )
        .with_all_evidence(hits),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::run;
    use crate::checks::Status;

    #[test]
    fn decline_wording_after_a_recorded_order_fails() {
        assert_eq!(run("contradictory-payment-message", "browser-good-store").status, Status::Pass);
        let bad = run("contradictory-payment-message", "browser-bad-store");
        assert_eq!(bad.status, Status::Fail, "{}", bad.summary);
        assert!(bad.evidence[0].excerpt.as_deref().unwrap().contains("declined"));
    }

    #[test]
    fn without_an_order_it_is_not_applicable_with_the_reason() {
        let f = run("contradictory-payment-message", "browser-no-order-store");
        assert_eq!(f.status, Status::NotApplicable);
        assert!(f.summary.contains("--place-orders"), "{}", f.summary);
    }
}
