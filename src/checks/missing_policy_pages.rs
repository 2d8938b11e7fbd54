//! `missing-policy-pages`: shipping/delivery and returns pages are reachable.

use super::detect::page_url;
use super::{CheckContext, Evidence, Finding};
use crate::site::{Role, SiteIndex};

pub fn run(ctx: &CheckContext) -> Finding {
    let site = ctx.site();
    if let Some(error) = super::detect::nothing_read(site) {
        return error;
    }
    let shipping = site.best(Role::Shipping);
    let returns = site.best(Role::Returns);
    let mut evidence = Vec::new();
    for (role, name) in [
        (Role::Shipping, "shipping/delivery page"),
        (Role::Returns, "returns page"),
        (Role::Payment, "payment / terms of sale page"),
    ] {
        evidence.push(match site.best(role) {
            Some(page) => Evidence::at(page_url(page), format!("{name}, {}", depth(site, page))),
            None => Evidence::note(format!("no {name} found")),
        });
    }
    match (shipping, returns) {
        (Some(_), Some(_)) => Finding::pass("Shipping and returns pages are published"),
        (Some(_), None) => {
            Finding::warn("A shipping page is published, but no returns page")
        }
        (None, Some(_)) => {
            Finding::warn("A returns page is published, but no shipping/delivery page")
        }
        (None, None) => Finding::fail("No shipping page and no returns page found"),
    }
    .with_all_evidence(evidence)
}

fn depth(site: &SiteIndex, page: &crate::artifacts::Page) -> String {
    match site.click_depth(page) {
        Some(1) => "linked from the home page".into(),
        Some(d) => format!("{} from the home page", super::detect::clicks(d)),
        None => "not linked from the crawled pages".into(),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::{evidence_text, expect};
    use crate::checks::Status;

    const ID: &str = "missing-policy-pages";

    #[test]
    fn shipping_and_returns_pass() {
        let f = expect(ID, "es-complete", Status::Pass);
        let evidence = evidence_text(&f);
        assert!(evidence.contains("https://tienda.test/envios shipping/delivery page"), "{evidence}");
        assert!(evidence.contains("https://tienda.test/devoluciones returns page"), "{evidence}");
        expect(ID, "en-minimal", Status::Pass);
    }

    #[test]
    fn shipping_only_warns() {
        let f = expect(ID, "es-decoys", Status::Warn);
        assert!(f.summary.contains("no returns page"), "{}", f.summary);
    }

    #[test]
    fn neither_fails() {
        expect(ID, "fr-mixed", Status::Fail);
    }
}
