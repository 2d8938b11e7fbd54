//! `no-live-chat`: a chat widget on the home page.

use super::detect::chat::ChatDetector;
use super::detect::page_url;
use super::{CheckContext, Evidence, Finding};

pub fn run(ctx: &CheckContext) -> Finding {
    let Some(home) = ctx.site().home() else {
        return Finding::error("The home page did not answer with a readable page");
    };
    let content = home.content.as_ref().expect("home is an HTML page");
    let widgets = ChatDetector::from_doc(ctx.doc).find(content);
    let url = page_url(home);
    match widgets.first() {
        Some(first) => Finding::pass(format!("{} chat on the home page", first.vendor))
            .with_all_evidence(
                widgets
                    .iter()
                    .map(|w| Evidence::at(url, format!("{}: {}", w.vendor, w.snippet))),
            ),
        None => Finding::fail("No chat widget on the home page").with_evidence(Evidence::at(
            url,
            format!(
                "{} scripts and {} embedded frames checked, none from a chat vendor",
                content.script_srcs.len() + content.inline_scripts.len(),
                content.iframe_srcs.len()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::expect;
    use crate::checks::Status;

    const ID: &str = "no-live-chat";

    #[test]
    fn vendor_snippets_pass() {
        assert_eq!(
            expect(ID, "es-complete", Status::Pass).summary,
            "tawk.to chat on the home page"
        );
        assert_eq!(
            expect(ID, "fr-mixed", Status::Pass).summary,
            "Crisp chat on the home page"
        );
    }

    #[test]
    fn analytics_alone_fails() {
        expect(ID, "es-decoys", Status::Fail);
        expect(ID, "en-minimal", Status::Fail);
    }
}
