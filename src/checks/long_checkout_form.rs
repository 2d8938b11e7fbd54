use super::flow_support::{finished, graded};
use super::{CheckContext, Evidence, Finding, Status};
use crate::artifacts::count_fields;

pub fn run(ctx: &CheckContext) -> Finding {
    let flows = ctx.browser();
    let checkout = match finished(&flows.checkout, "the checkout flow") {
        Ok(c) => c,
        Err(finding) => return finding,
    };
    let (path, steps) = checkout.first_time_path();
    let reached_final = match path {
        "guest" => true,
        _ => checkout.final_button.is_some(),
    };
    let (count, required) = count_fields(steps.iter().flat_map(|s| &s.fields));
    let pass_max = ctx.threshold("pass_max_fields");
    let warn_max = ctx.threshold("warn_max_fields");
    let evidence: Vec<Evidence> = steps
        .iter()
        .filter(|s| !s.fields.is_empty())
        .map(|s| Evidence {
            url: Some(s.url.clone()),
            excerpt: Some(format!(
                "{}: {}",
                s.name,
                s.fields
                    .iter()
                    .map(|f| f.label.clone().or_else(|| f.name.clone()).unwrap_or_else(|| f.kind.clone()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            screenshot: s.screenshot.clone(),
            ..Default::default()
        })
        .collect();
    if !reached_final && count as f64 <= warn_max {
        return Finding::error(format!(
            "the checkout could not be walked to its final step ({count} fields seen so far): {}",
            checkout.not_placed_reason.clone().unwrap_or_default()
        ))
        .with_all_evidence(evidence);
    }
    let status = graded(count as f64, pass_max, warn_max);
    let steps_with_fields = steps.iter().filter(|s| !s.fields.is_empty()).count();
    let summary = format!(
        "The {path} checkout asks for {count} fields ({required} required) over {steps_with_fields} step{}; the average checkout has 11.3 and 8 is achievable",
        if steps_with_fields == 1 { "" } else { "s" }
    );
    let finding = Finding::new(status, summary).with_all_evidence(evidence);
    match status {
        Status::Pass => finding,
        _ => finding.with_score((pass_max / count as f64).clamp(0.0, 1.0) * if status == Status::Fail { 0.5 } else { 1.0 }),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::run;
    use crate::checks::Status;

    #[test]
    fn checkout_fields_are_counted_across_steps() {
        let good = run("long-checkout-form", "browser-good-store");
        assert_eq!(good.status, Status::Pass, "{}", good.summary);
        assert!(good.summary.contains("10 fields"), "{}", good.summary);
        let bad = run("long-checkout-form", "browser-bad-store");
        assert_eq!(bad.status, Status::Fail, "{}", bad.summary);
        assert!(bad.summary.contains("22 fields"), "{}", bad.summary);
    }
}
