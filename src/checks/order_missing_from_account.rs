use super::flow_support::{finished, page_evidence};
use super::{CheckContext, Finding};

pub fn run(ctx: &CheckContext) -> Finding {
    let flows = ctx.browser();
    let post = match finished(&flows.post_purchase, "the post-purchase flow") {
        Ok(p) => p,
        Err(finding) => return finding,
    };
    let number = post.confirmation.order_number.clone();
    let history = match &post.history {
        crate::artifacts::FlowResult::NotFound { reason } => {
            return Finding::fail(format!(
                "A signed-in customer cannot find an order history: {reason}"
            ))
        }
        other => match finished(other, "the order history lookup") {
            Ok(h) => h,
            Err(finding) => return finding,
        },
    };
    let listed = if history.order_numbers.is_empty() {
        "no orders listed".to_string()
    } else {
        format!("orders listed: {}", history.order_numbers.join(", "))
    };
    let evidence = page_evidence(&history.url, listed, history.screenshot.as_ref());
    match number {
        Some(n) if history.contains_order => {
            Finding::pass(format!("Order {n} appears in the customer's order history")).with_evidence(evidence)
        }
        Some(n) => Finding::fail(format!("Order {n} does not appear in the customer's order history"))
            .with_evidence(evidence),
        None if history.contains_order => Finding::pass(format!(
            "The new account's order history lists the order ({})",
            history.order_numbers.join(", ")
        ))
        .with_evidence(evidence),
        None => Finding::fail("The order just placed does not appear in the customer's order history")
            .with_evidence(evidence),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::run;
    use crate::checks::Status;

    #[test]
    fn order_in_history() {
        assert_eq!(run("order-missing-from-account", "browser-good-store").status, Status::Pass);
        assert_eq!(run("order-missing-from-account", "browser-bad-store").status, Status::Fail);
    }
}
