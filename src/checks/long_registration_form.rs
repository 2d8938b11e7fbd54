use super::flow_support::{finished, graded};
use super::{CheckContext, Evidence, Finding, Status};

pub fn run(ctx: &CheckContext) -> Finding {
    let flows = ctx.browser();
    let registration = match finished(&flows.registration, "the registration flow") {
        Ok(r) => r,
        Err(finding) => return finding,
    };
    let form = &registration.form;
    let (visible, required) = (form.visible_field_count(), form.required_field_count());
    let status = graded(
        visible as f64,
        ctx.threshold("pass_max_fields"),
        ctx.threshold("warn_max_fields"),
    );
    let labels: Vec<String> = form
        .fields
        .iter()
        .map(|f| {
            f.label
                .clone()
                .or_else(|| f.name.clone())
                .unwrap_or_else(|| f.kind.clone())
        })
        .collect();
    let summary = format!(
        "The registration form asks for {visible} field{} ({required} required)",
        if visible == 1 { "" } else { "s" }
    );
    let evidence = Evidence {
        url: Some(form.url.clone()),
        selector: Some(form.selector.clone()),
        excerpt: Some(labels.join(", ")),
        screenshot: registration.screenshot.clone(),
    };
    let finding = Finding::new(status, summary).with_evidence(evidence);
    match status {
        Status::Pass => finding,
        _ => finding.with_score(
            (ctx.threshold("pass_max_fields") / visible as f64).clamp(0.0, 1.0)
                * if status == Status::Fail { 0.5 } else { 1.0 },
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::run;
    use crate::checks::Status;

    #[test]
    fn short_form_passes_and_long_one_fails() {
        let good = run("long-registration-form", "browser-good-store");
        assert_eq!(good.status, Status::Pass, "{}", good.summary);
        assert!(good.summary.contains("3 fields"), "{}", good.summary);
        let bad = run("long-registration-form", "browser-bad-store");
        assert_eq!(bad.status, Status::Fail, "{}", bad.summary);
        assert!(bad.summary.contains("14 fields"), "{}", bad.summary);
    }

    #[test]
    fn thresholds_come_from_the_config() {
        let f = crate::checks::testing::run_with(
            "long-registration-form",
            "browser-good-store",
            &[("pass_max_fields", 2.0), ("warn_max_fields", 3.0)],
        );
        assert_eq!(f.status, Status::Warn, "{}", f.summary);
    }

    #[test]
    fn no_registration_form_is_not_applicable() {
        let f = run("long-registration-form", "browser-no-accounts-store");
        assert_eq!(f.status, Status::NotApplicable, "{}", f.summary);
    }
}
