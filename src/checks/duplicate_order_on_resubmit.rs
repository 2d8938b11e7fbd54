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
    let counted = match (test.orders_before, test.orders_after) {
        (Some(before), Some(after)) => {
            format!("orders in the history: {before} before the double click, {after} after")
        }
        _ => "the order history lists no orders, so none could be counted".to_string(),
    };
    let evidence = Evidence {
        url: history_url.or(test.confirmation_url.clone()),
        excerpt: Some(format!(
            "{counted}{}",
            if test.button_disabled_after_click {
                "; the button could not be clicked a second time"
            } else {
                "; the button stayed clickable after the first click"
            }
        )),
        screenshot: test.screenshot.clone(),
        ..Default::default()
    };
    match (test.orders_created(), test.button_disabled_after_click) {
        (Some(1), _) => {
            Finding::pass("A double click on the final button creates one order").with_evidence(evidence)
        }
        (Some(0), _) => Finding::error("the double click created no order visible in the history")
            .with_evidence(evidence),
        (Some(n), _) => Finding::fail(format!("A double click on the final button creates {n} orders"))
            .with_evidence(evidence),
        (None, true) => Finding::pass(
            "The final button locks after the first click, so a double click sends one order",
        )
        .with_evidence(evidence),
        (None, false) => Finding::not_applicable(
            "The final button stays clickable, and the order history lists no orders to count \
             whether a double click made two",
        )
        .with_evidence(evidence),
    }
}

#[cfg(test)]
mod tests {
    use crate::artifacts::{FlowResult, Gathered};
    use crate::checks::testing::{fixture, run, run_on};
    use crate::checks::Status;

    /// The good store's run, with an order history that lists no orders and the final button
    /// locking (or not) after the first click.
    fn uncountable(button_locks: bool) -> Status {
        let mut artifacts = fixture("browser-good-store");
        let Gathered::Collected { data: flows } = &mut artifacts.browser else {
            panic!("fixture has browser flows")
        };
        let FlowResult::Done { data: post } = &mut flows.post_purchase else {
            panic!("fixture has a post-purchase flow")
        };
        let FlowResult::Done { data: test } = &mut post.resubmit else {
            panic!("fixture has a double-click test")
        };
        test.orders_before = None;
        test.orders_after = None;
        test.button_disabled_after_click = button_locks;
        run_on("duplicate-order-on-resubmit", &artifacts, &[]).status
    }

    #[test]
    fn a_locking_button_passes_when_the_history_cannot_count() {
        assert_eq!(uncountable(true), Status::Pass);
        assert_eq!(uncountable(false), Status::NotApplicable);
    }

    #[test]
    fn double_click_creates_one_order() {
        assert_eq!(run("duplicate-order-on-resubmit", "browser-good-store").status, Status::Pass);
        let dup = run("duplicate-order-on-resubmit", "browser-double-order-store");
        assert_eq!(dup.status, Status::Fail, "{}", dup.summary);
        assert!(dup.summary.contains("2 orders"), "{}", dup.summary);
    }
}
