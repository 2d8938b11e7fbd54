use super::flow_support::finished;
use super::{CheckContext, Evidence, Finding};

pub fn run(ctx: &CheckContext) -> Finding {
    let flows = ctx.browser();
    let post = match finished(&flows.post_purchase, "the post-purchase flow") {
        Ok(p) => p,
        Err(finding) => return finding,
    };
    let test = match finished(&post.resubmit, "the double-click test") {
        Ok(t) => t,
        Err(finding) => return finding,
    };
    let history_url = post.history.done().map(|h| h.url.clone());
    let evidence = Evidence {
        url: history_url.or(test.confirmation_url.clone()),
        excerpt: Some(format!(
            "orders in the history: {} before the double click, {} after{}",
            test.orders_before,
            test.orders_after,
            if test.button_disabled_after_click {
                "; the button could not be clicked a second time"
            } else {
                ""
            }
        )),
        screenshot: test.screenshot.clone(),
        ..Default::default()
    };
    match test.orders_created() {
        1 => Finding::pass("A double click on the final button creates one order").with_evidence(evidence),
        0 => Finding::error("the double click created no order visible in the history").with_evidence(evidence),
        n => Finding::fail(format!("A double click on the final button creates {n} orders"))
            .with_evidence(evidence),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::run;
    use crate::checks::Status;

    #[test]
    fn double_click_creates_one_order() {
        assert_eq!(run("duplicate-order-on-resubmit", "browser-good-store").status, Status::Pass);
        let dup = run("duplicate-order-on-resubmit", "browser-double-order-store");
        assert_eq!(dup.status, Status::Fail, "{}", dup.summary);
        assert!(dup.summary.contains("2 orders"), "{}", dup.summary);
    }
}
