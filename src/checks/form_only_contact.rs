//! `form-only-contact`: the contact page offers a phone, an e-mail or a chat, not just a form.

use super::detect::chat::ChatDetector;
use super::detect::email::EmailDetector;
use super::detect::page_url;
use super::detect::phone::{scan_page, PhoneVocabulary};
use super::{CheckContext, Evidence, Finding};
use crate::site::Role;

pub fn run(ctx: &CheckContext) -> Finding {
    let site = ctx.site();
    let Some((page, content)) = site
        .best(Role::Contact)
        .and_then(|p| p.content.as_ref().map(|c| (p, c)))
    else {
        return Finding::not_applicable("The store has no contact page");
    };
    let url = page_url(page);
    let phones = scan_page(page, content, &PhoneVocabulary::shared()).found;
    let emails = EmailDetector::shared().find(&content.text, &content.mailto_links);
    let chats = ChatDetector::shared().find(content);
    let forms = content
        .forms
        .iter()
        .filter(|f| f.fields.iter().filter(|x| x.is_visible_input()).count() >= 2)
        .count();

    let mut channels = Vec::new();
    let mut evidence = Vec::new();
    if let Some(phone) = phones.first() {
        channels.push("a phone number");
        evidence.push(Evidence::at(url, format!("phone {}", phone.international)));
    }
    if let Some(email) = emails.first() {
        channels.push("an e-mail address");
        evidence.push(Evidence::at(url, format!("e-mail {}", email.address)));
    }
    if let Some(chat) = chats.first() {
        channels.push("a chat");
        evidence.push(Evidence::at(url, format!("{} chat: {}", chat.vendor, chat.snippet)));
    }
    if forms > 0 {
        evidence.push(Evidence::at(url, format!("{forms} contact form(s)")));
    }
    if !channels.is_empty() {
        let besides = if forms > 0 { " besides the form" } else { "" };
        return Finding::pass(format!(
            "The contact page offers {}{besides}",
            join_words(&channels)
        ))
        .with_all_evidence(evidence);
    }
    if forms > 0 {
        Finding::fail("The contact page offers only a form: no phone number, e-mail or chat")
            .with_all_evidence(evidence)
    } else {
        Finding::fail("The contact page offers no phone number, e-mail, chat or form")
            .with_evidence(Evidence::at(url, "no way to reach the store on this page"))
    }
}

fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::expect;
    use crate::checks::Status;

    const ID: &str = "form-only-contact";

    #[test]
    fn phone_and_email_beside_the_form_pass() {
        let f = expect(ID, "es-complete", Status::Pass);
        assert_eq!(
            f.summary,
            "The contact page offers a phone number and an e-mail address besides the form"
        );
        let f = expect(ID, "fr-mixed", Status::Pass);
        assert_eq!(
            f.summary,
            "The contact page offers an e-mail address besides the form"
        );
    }

    #[test]
    fn a_form_and_a_phone_image_fail() {
        let f = expect(ID, "es-decoys", Status::Fail);
        assert!(f.summary.contains("only a form"), "{}", f.summary);
    }

    #[test]
    fn no_contact_page_is_not_applicable() {
        expect(ID, "en-minimal", Status::NotApplicable);
    }
}
