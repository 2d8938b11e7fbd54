//! `unreachable-contact-page`: a contact page one click from the home page.

use super::detect::{clicks, clip, page_url};
use super::{CheckContext, Evidence, Finding};
use crate::site::Role;

pub fn run(ctx: &CheckContext) -> Finding {
    let site = ctx.site();
    let Some(home) = site.home() else {
        return Finding::error("The home page did not answer with a readable page");
    };
    let contacts: Vec<_> = site.pages_with_role(Role::Contact).collect();
    if contacts.is_empty() {
        return Finding::fail(format!(
            "No contact page found among {} crawled pages",
            site.html_pages().count()
        ))
        .with_evidence(Evidence::at(
            page_url(home),
            "no link named like a contact page, no contact page in the sitemap",
        ));
    }
    let linked_from_home = contacts.iter().find_map(|page| {
        [page.url.as_str(), page.final_url.as_str()]
            .into_iter()
            .flat_map(|u| site.linked_from(u))
            .find(|(from, _)| std::ptr::eq(*from, home))
            .map(|(_, text)| (*page, text))
    });
    if let Some((page, link_text)) = linked_from_home {
        return Finding::pass(format!(
            "The home page links to the contact page ({})",
            page_url(page)
        ))
        .with_evidence(Evidence::at(
            page_url(home),
            format!("link \"{}\" -> {}", clip(link_text, 60), page_url(page)),
        ));
    }
    let page = contacts
        .iter()
        .min_by_key(|p| site.click_depth(p).unwrap_or(u32::MAX))
        .expect("at least one contact page");
    let how_deep = match site.click_depth(page) {
        Some(n) => format!("{} from the home page", clicks(n)),
        None => "not linked from any crawled page (found through the sitemap)".into(),
    };
    let mut evidence = vec![Evidence::at(page_url(page), how_deep.clone())];
    evidence.extend(site.linked_from(&page.url).take(3).map(|(from, text)| {
        Evidence::at(
            page_url(from),
            format!("linked here as \"{}\"", clip(text, 60)),
        )
    }));
    Finding::warn(format!(
        "The contact page exists but the home page does not link to it ({how_deep})"
    ))
    .with_all_evidence(evidence)
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::{evidence_text, expect};
    use crate::checks::Status;

    const ID: &str = "unreachable-contact-page";

    #[test]
    fn linked_from_home_passes() {
        let f = expect(ID, "es-complete", Status::Pass);
        assert!(evidence_text(&f).contains("link \"Contacto\" -> https://tienda.test/contacto"));
        expect(ID, "fr-mixed", Status::Pass);
    }

    #[test]
    fn contact_page_two_clicks_deep_warns() {
        let f = expect(ID, "es-decoys", Status::Warn);
        assert!(f.summary.contains("2 clicks"), "{}", f.summary);
        assert!(
            evidence_text(&f).contains("https://tienda-decoy.test/preguntas-frecuentes linked here as \"Contacto\""),
            "{f:#?}"
        );
    }

    #[test]
    fn no_contact_page_fails() {
        let f = expect(ID, "en-minimal", Status::Fail);
        assert!(f.summary.contains("4 crawled pages"), "{}", f.summary);
    }
}
