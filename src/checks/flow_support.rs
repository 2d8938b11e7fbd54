//! What the browser checks share: turning a flow that did not finish into the right finding,
//! evidence with screenshots.

use super::{Evidence, Finding};
use crate::artifacts::FlowResult;

/// The flow's data, or the finding a check gives when the flow did not get that far: not
/// found or skipped -> not-applicable with the reason; failed -> error with the screenshot.
pub fn finished<'a, T>(flow: &'a FlowResult<T>, what: &str) -> Result<&'a T, Finding> {
    match flow {
        FlowResult::Done { data } => Ok(data),
        FlowResult::NotFound { reason } | FlowResult::Skipped { reason } => {
            Err(Finding::not_applicable(reason.clone()))
        }
        FlowResult::Failed { reason, screenshot } => Err(Finding::error(format!(
            "{what} could not be completed: {reason}"
        ))
        .with_evidence(Evidence {
            screenshot: screenshot.clone(),
            excerpt: Some(reason.clone()),
            ..Default::default()
        })),
    }
}

/// Evidence pointing at a page, with its screenshot.
pub fn page_evidence(
    url: &str,
    excerpt: impl Into<String>,
    screenshot: Option<&String>,
) -> Evidence {
    Evidence {
        url: Some(url.to_string()),
        excerpt: Some(excerpt.into()),
        screenshot: screenshot.cloned(),
        ..Default::default()
    }
}

/// pass / warn / fail from a count and two upper bounds.
pub fn graded(count: f64, pass_max: f64, warn_max: f64) -> super::Status {
    if count <= pass_max {
        super::Status::Pass
    } else if count <= warn_max {
        super::Status::Warn
    } else {
        super::Status::Fail
    }
}
