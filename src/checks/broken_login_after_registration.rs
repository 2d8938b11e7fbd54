use super::flow_support::{finished, page_evidence};
use super::{CheckContext, Finding};

pub fn run(ctx: &CheckContext) -> Finding {
    let flows = ctx.browser();
    let r = match finished(&flows.registration, "the registration flow") {
        Ok(r) => r,
        Err(finding) => return finding,
    };
    let result_url = r.result_url.clone().unwrap_or_else(|| r.page_url.clone());
    if !r.registered {
        return Finding::error(format!(
            "the store did not accept the test registration, so signing back in could not be tried: {}",
            if r.messages.is_empty() {
                "no message shown".to_string()
            } else {
                r.messages.join("; ")
            }
        ))
        .with_evidence(page_evidence(&result_url, r.messages.join("; "), r.screenshot.as_ref()));
    }
    if r.logged_out != Some(true) {
        return Finding::error("no working sign-out control was found after registering")
            .with_evidence(page_evidence(&result_url, "no sign-out link or button", r.screenshot.as_ref()));
    }
    let Some(login) = &r.login else {
        return Finding::error("signing back in was not attempted");
    };
    let evidence = page_evidence(
        login.result_url.as_deref().unwrap_or(&login.page_url),
        if login.messages.is_empty() {
            "no message shown".to_string()
        } else {
            login.messages.join("; ")
        },
        login.screenshot.as_ref(),
    );
    if login.succeeded {
        Finding::pass("A new customer can sign out and back in with the password they chose")
            .with_evidence(evidence)
    } else {
        Finding::fail(
            "Signing back in with the e-mail and password just registered does not work",
        )
        .with_evidence(evidence)
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::run;
    use crate::checks::Status;

    #[test]
    fn login_after_registration() {
        assert_eq!(run("broken-login-after-registration", "browser-good-store").status, Status::Pass);
        let bad = run("broken-login-after-registration", "browser-bad-store");
        assert_eq!(bad.status, Status::Fail);
        assert!(bad.evidence[0].excerpt.as_deref().unwrap().contains("Incorrect"));
    }
}
