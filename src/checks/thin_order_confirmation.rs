use super::flow_support::{finished, page_evidence};
use super::{CheckContext, Finding, Status};
use crate::checks::phrases::fold;

pub fn run(ctx: &CheckContext) -> Finding {
    let flows = ctx.browser();
    let post = match finished(&flows.post_purchase, "the post-purchase flow") {
        Ok(p) => p,
        Err(finding) => return finding,
    };
    let c = &post.confirmation;
    let next = ctx.phrases("next_steps").find(&fold(&c.text));
    let has_number = c.order_number.is_some();
    let mut said = Vec::new();
    if let Some(n) = &c.order_number {
        said.push(format!("order number {n}"));
    }
    if let Some(m) = &next {
        said.push(format!("next steps ('{}')", m.phrase));
    }
    let evidence = page_evidence(
        &c.url,
        if said.is_empty() {
            c.text.chars().take(300).collect::<String>()
        } else {
            said.join(", ")
        },
        c.screenshot.as_ref(),
    );
    let (status, summary) = match (has_number, next.is_some()) {
        (true, true) => (Status::Pass, "The confirmation shows the order number and what happens next"),
        (true, false) => (Status::Warn, "The confirmation shows the order number but not what happens next"),
        (false, true) => (Status::Warn, "The confirmation says what happens next but shows no order number"),
        (false, false) => (Status::Fail, "The confirmation shows neither an order number nor what happens next"),
    };
    Finding::new(status, summary).with_evidence(evidence)
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::run;
    use crate::checks::Status;

    #[test]
    fn confirmation_content() {
        use crate::checks::testing::expect;
        expect("thin-order-confirmation", "browser-good-store", Status::Pass);
        expect("thin-order-confirmation", "browser-bad-store", Status::Fail);
        let na = run("thin-order-confirmation", "browser-no-order-store");
        assert_eq!(na.status, Status::NotApplicable, "{}", na.summary);
    }
}
