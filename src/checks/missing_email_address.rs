//! `missing-email-address`: an address readable on the home or contact page.

use super::detect::email::{EmailDetector, EmailForm};
use super::detect::page_url;
use super::{CheckContext, Evidence, Finding};
use crate::site::Role;

pub fn run(ctx: &CheckContext) -> Finding {
    let site = ctx.site();
    let Some(home) = site.home() else {
        return Finding::error("The home page did not answer with a readable page");
    };
    let detector = EmailDetector::from_doc(ctx.doc);
    let pages = std::iter::once((home, "home page"))
        .chain(site.best(Role::Contact).map(|p| (p, "contact page")));
    let mut evidence = Vec::new();
    let mut first = None;
    for (page, name) in pages {
        let Some(content) = &page.content else {
            continue;
        };
        let found = detector.find(&content.text, &content.mailto_links);
        if found.is_empty() {
            evidence.push(Evidence::at(
                page_url(page),
                format!("no e-mail address on the {name}"),
            ));
        }
        for email in found {
            let how = match email.form {
                EmailForm::Mailto => "mailto: link".to_string(),
                EmailForm::Text => "written as text".to_string(),
                EmailForm::Obfuscated => format!("written as \"{}\"", email.written),
            };
            evidence.push(Evidence::at(
                page_url(page),
                format!("{} ({how})", email.address),
            ));
            first.get_or_insert((email.address, name));
        }
    }
    match first {
        Some((address, name)) => {
            Finding::pass(format!("E-mail address {address} readable on the {name}"))
        }
        None => Finding::fail("No e-mail address on the home page or the contact page"),
    }
    .with_all_evidence(evidence)
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::{evidence_text, expect};
    use crate::checks::Status;

    const ID: &str = "missing-email-address";

    #[test]
    fn mailto_in_the_footer_passes() {
        let f = expect(ID, "es-complete", Status::Pass);
        assert!(f.summary.contains("hola@tienda.test"), "{}", f.summary);
    }

    #[test]
    fn obfuscated_address_on_the_home_page_passes() {
        let f = expect(ID, "es-decoys", Status::Pass);
        assert!(f.summary.contains("info@tienda-decoy.es"), "{}", f.summary);
        assert!(
            evidence_text(&f).contains("written as \"info [at] tienda-decoy.es\""),
            "{f:#?}"
        );
    }

    #[test]
    fn address_only_on_the_contact_page_passes() {
        let f = expect(ID, "fr-mixed", Status::Pass);
        assert!(f.summary.contains("on the contact page"), "{}", f.summary);
    }

    #[test]
    fn no_address_fails() {
        let f = expect(ID, "en-minimal", Status::Fail);
        assert!(evidence_text(&f).contains("https://shop.test/"), "{f:#?}");
    }
}
