use super::flow_support::{finished, page_evidence};
use super::{CheckContext, Finding};

pub fn run(ctx: &CheckContext) -> Finding {
    let flows = ctx.browser();
    let checkout = match finished(&flows.checkout, "the checkout flow") {
        Ok(c) => c,
        Err(finding) => return finding,
    };
    let Some(guest) = &checkout.guest else {
        return Finding::error("the checkout was not entered without an account");
    };
    let evidence = page_evidence(
        &guest.entry_url,
        guest.evidence.clone().unwrap_or_default(),
        guest.screenshot.as_ref(),
    );
    if guest.guest_offered {
        Finding::pass("Customers can order without creating an account").with_evidence(evidence)
    } else if guest.account_gate {
        Finding::fail("The checkout requires an account: there is no guest checkout")
            .with_evidence(evidence)
    } else {
        Finding::error("the checkout entry could not be read").with_evidence(evidence)
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::run;
    use crate::checks::Status;

    #[test]
    fn guest_checkout() {
        assert_eq!(run("forced-account-creation", "browser-good-store").status, Status::Pass);
        assert_eq!(run("forced-account-creation", "browser-bad-store").status, Status::Fail);
    }
}
