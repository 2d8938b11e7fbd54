//! JUnit XML: one test suite per category, one test case per check. `fail` is a failure
//! (and `warn` too when the gate fails on warnings), `error` an error, `not-applicable`
//! skipped; the evidence goes to the test case's system-out.

use super::Report;
use crate::checks::{CheckResult, Status};
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

pub fn render(report: &Report) -> anyhow::Result<String> {
    let warn_fails = report.gate.fail_on == "warn";
    let mut junit = quick_junit::Report::new("shopaudit");
    junit.set_timestamp(report.started_at.fixed_offset());
    junit.set_time(Duration::from_millis(report.duration_ms));
    for category in &report.categories {
        let checks: Vec<&CheckResult> = report
            .checks
            .iter()
            .filter(|c| c.category == category.id)
            .collect();
        if checks.is_empty() {
            continue;
        }
        let mut suite = TestSuite::new(format!("shopaudit.{}", category.id));
        suite.set_timestamp(report.started_at.fixed_offset());
        suite.add_property(("target", report.target.as_str()));
        if let Some(score) = category.score {
            suite.add_property(("score", format!("{score}").as_str()));
        }
        suite.add_test_cases(checks.into_iter().map(|c| test_case(c, warn_fails)));
        junit.add_test_suite(suite);
    }
    Ok(junit.to_string()?)
}

fn test_case(check: &CheckResult, warn_fails: bool) -> TestCase {
    let mut status = match check.status {
        Status::Pass => TestCaseStatus::success(),
        Status::Warn if !warn_fails => TestCaseStatus::success(),
        Status::Fail | Status::Warn => TestCaseStatus::non_success(NonSuccessKind::Failure),
        Status::Error => TestCaseStatus::non_success(NonSuccessKind::Error),
        Status::NotApplicable => TestCaseStatus::skipped(),
    };
    status.set_message(format!("{}: {}", check.title, check.summary));
    status.set_type(check.status.as_str());
    let mut case = TestCase::new(check.id.as_str(), status);
    case.set_classname(format!("shopaudit.{}", check.category));
    let mut out = format!(
        "{}: {}\nstatus: {}\n{}\n",
        check.id,
        check.title,
        check.status.as_str(),
        check.summary
    );
    for e in &check.evidence {
        let parts: Vec<&str> = [
            e.url.as_deref(),
            e.selector.as_deref(),
            e.excerpt.as_deref(),
            e.screenshot.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        out.push_str(&format!("- {}\n", parts.join(" | ")));
    }
    if matches!(check.status, Status::Fail | Status::Warn) {
        out.push_str(&format!("how to fix: {}\n", check.recommendation));
    }
    case.set_system_out(out);
    case
}
