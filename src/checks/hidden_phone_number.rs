//! `hidden-phone-number`: a callable number written on the home page and the contact page.

use super::detect::phone::{scan_page, Decoy, DecoyKind, FoundPhone, PhoneScan, PhoneVocabulary};
use super::detect::{clip, page_url};
use super::phrases::excerpt_around;
use super::{CheckContext, Evidence, Finding};
use crate::artifacts::{Page, PageContent};
use crate::site::Role;

pub fn run(ctx: &CheckContext) -> Finding {
    let site = ctx.site();
    let Some(home) = site.home() else {
        return Finding::error("The home page did not answer with a readable page");
    };
    let vocab = PhoneVocabulary::from_doc(ctx.doc);
    let home_content = home.content.as_ref().expect("home is an HTML page");
    let home_scan = scan_page(home, home_content, &vocab);
    let contact = site
        .best(Role::Contact)
        .and_then(|p| p.content.as_ref().map(|c| (p, c)));
    let contact_scan = contact.map(|(p, c)| scan_page(p, c, &vocab));

    let image_words = ctx
        .doc
        .patterns
        .get("image_name_words")
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let mut evidence = page_evidence(home, home_content, &home_scan, "home page", &vocab, image_words);
    if let (Some((page, content)), Some(scan)) = (contact, &contact_scan) {
        evidence.extend(page_evidence(page, content, scan, "contact page", &vocab, image_words));
    }

    let on_home = home_scan.has_phone();
    let finding = match &contact_scan {
        None if on_home => Finding::pass(format!(
            "Phone number {} shown on the home page (the store has no contact page)",
            describe(&home_scan.found[0])
        )),
        None => Finding::fail(
            "No phone number written on the home page, and the store has no contact page",
        ),
        Some(contact_scan) => match (on_home, contact_scan.has_phone()) {
            (true, true) => Finding::pass(format!(
                "Phone number {} shown on the home page and the contact page",
                describe(&contact_scan.found[0])
            )),
            (true, false) => Finding::warn(format!(
                "Phone number {} shown on the home page but not on the contact page",
                describe(&home_scan.found[0])
            )),
            (false, true) => Finding::warn(format!(
                "Phone number {} shown on the contact page but not on the home page",
                describe(&contact_scan.found[0])
            )),
            (false, false) => Finding::fail(
                "No phone number written on the home page or the contact page",
            ),
        },
    };
    finding.with_all_evidence(evidence)
}

fn describe(phone: &FoundPhone) -> String {
    let mut text = phone.international.clone();
    if phone.toll_free {
        text.push_str(" (toll-free)");
    } else if phone.costly {
        text.push_str(" (premium rate)");
    }
    text
}

fn page_evidence(
    page: &Page,
    content: &PageContent,
    scan: &PhoneScan,
    name: &str,
    vocab: &PhoneVocabulary,
    image_words: &[String],
) -> Vec<Evidence> {
    let url = page_url(page);
    let mut out = Vec::new();
    for phone in &scan.found {
        let mut notes = Vec::new();
        if phone.toll_free {
            notes.push("toll-free".to_string());
        } else if phone.costly {
            notes.push("premium or shared-cost rate".to_string());
        }
        if content.footer_text.contains(&phone.text) && !content.header_text.contains(&phone.text)
        {
            notes.push("footer".into());
        } else if content.header_text.contains(&phone.text) {
            notes.push("header".into());
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" [{}]", notes.join(", "))
        };
        out.push(Evidence::at(
            url,
            format!(
                "{}{notes}: {}",
                phone.international,
                line_excerpt(&content.text, phone.start, phone.end)
            ),
        ));
    }
    if !scan.found.is_empty() {
        return out;
    }
    out.push(Evidence::at(url, format!("no phone number written on the {name}")));
    let mut shown: Vec<&Decoy> = Vec::new();
    for decoy in &scan.decoys {
        if decoy.kind == DecoyKind::Invalid || shown.contains(&decoy) || shown.len() == 10 {
            continue;
        }
        shown.push(decoy);
        out.push(Evidence::at(
            url,
            format!("not a phone number: \"{}\" ({})", decoy.text, decoy.kind.describe()),
        ));
    }
    for tel in &scan.tel_only {
        out.push(Evidence::at(
            url,
            format!("a tel: link to {tel}, but the number is not written on the page"),
        ));
    }
    if let Some(image) = phone_in_image(content, vocab, image_words) {
        out.push(Evidence::at(
            url,
            format!(
                "a phone number appears only in an image customers cannot copy ({})",
                clip(&image, 80)
            ),
        ));
    }
    out
}

/// The line holding a match, clipped around it.
fn line_excerpt(text: &str, start: usize, end: usize) -> String {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    excerpt_around(&text[line_start..line_end], start - line_start, end - line_start, 50)
}

/// An image whose alt text or file name looks like it holds a phone number.
fn phone_in_image(
    content: &PageContent,
    vocab: &PhoneVocabulary,
    image_words: &[String],
) -> Option<String> {
    content.images.iter().find_map(|image| {
        let alt_digits = image.alt.chars().filter(char::is_ascii_digit).count();
        let file = image.src.rsplit('/').next().unwrap_or(&image.src).to_lowercase();
        let named = vocab.phone_words.matches(&image.alt)
            || image_words.iter().any(|w| file.contains(w.as_str()));
        (alt_digits >= 7 || named).then(|| {
            if image.alt.is_empty() {
                format!("image {}", image.src)
            } else {
                format!("image alt \"{}\"", image.alt)
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use crate::artifacts::Gathered;
    use crate::checks::testing::{evidence_text, expect, fixture, run_on};
    use crate::checks::Status;

    const ID: &str = "hidden-phone-number";

    #[test]
    fn pass_when_home_and_contact_show_a_number() {
        let f = expect(ID, "es-complete", Status::Pass);
        assert!(f.summary.contains("+34 912 34 56 78"), "{}", f.summary);
        let evidence = evidence_text(&f);
        assert!(evidence.contains("https://tienda.test/contacto"), "{evidence}");
        assert!(evidence.contains("Llámanos: 912 345 678"), "{evidence}");
    }

    #[test]
    fn warn_when_only_the_home_footer_shows_a_toll_free_number() {
        let f = expect(ID, "fr-mixed", Status::Warn);
        assert!(f.summary.contains("(toll-free)"), "{}", f.summary);
        assert!(f.summary.contains("not on the contact page"), "{}", f.summary);
        let evidence = evidence_text(&f);
        assert!(evidence.contains("[toll-free, footer]"), "{evidence}");
    }

    #[test]
    fn warn_when_only_the_contact_page_shows_a_number() {
        let mut artifacts = fixture("fr-mixed");
        let Gathered::Collected { data } = &mut artifacts.crawl else {
            panic!("fixture has a crawl")
        };
        let footer = "Numéro vert : 0 800 123 456\n";
        for page in &mut data.pages {
            let content = page.content.as_mut().unwrap();
            if page.url.ends_with("/nous-contacter") {
                content.text.push_str("\nTéléphone : 04 78 42 61 90");
            } else {
                content.text = content.text.replace(footer, "");
                content.footer_text = content.footer_text.replace(footer, "").into();
            }
        }
        let f = run_on(ID, &artifacts, &[]);
        assert_eq!(f.status, Status::Warn, "{f:#?}");
        assert_eq!(
            f.summary,
            "Phone number +33 4 78 42 61 90 shown on the contact page but not on the home page"
        );
    }

    #[test]
    fn decoy_numbers_and_a_phone_in_an_image_do_not_count() {
        let f = expect(ID, "es-decoys", Status::Fail);
        let evidence = evidence_text(&f);
        for shown in [
            "\"912 345 678\" (a reference, order or tax number)",
            "\"8412345678905\" (an EAN/GTIN barcode number)",
            "\"12345678\" (part of a product or company code)",
            "\"600-123-456\" (a reference, order or tax number)",
            "\"91 234 56 78\" (a reference, order or tax number)",
            "(a price)",
            "\"12.05.2024\" (a date)",
        ] {
            assert!(evidence.contains(shown), "{shown} missing from:\n{evidence}");
        }
        assert!(
            evidence.contains("only in an image customers cannot copy (image alt \"Teléfono 912 345 678\")"),
            "{evidence}"
        );
    }

    #[test]
    fn no_contact_page_passes_on_the_home_number_alone() {
        let f = expect(ID, "en-minimal", Status::Pass);
        assert!(f.summary.contains("+1 800-275-2273 (toll-free)"), "{}", f.summary);
        assert!(f.summary.contains("no contact page"), "{}", f.summary);
    }

    #[test]
    fn an_unreadable_home_page_is_an_error() {
        expect(ID, "home-down", Status::Error);
    }
}
