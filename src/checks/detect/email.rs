//! Finding e-mail addresses a customer can read: `mailto:` links, plain addresses, and readable
//! obfuscations ("info [at] shop.es", "info(at)shop(dot)es", "contacto arroba tienda punto es").
//! The "at" and "dot" words are data in `checks/missing-email-address.md`.

use crate::artifacts::PageContent;
use crate::checks::CheckDoc;
use regex::Regex;
use std::sync::OnceLock;

/// File extensions that end strings like "logo@2x.png": not addresses.
const FILE_SUFFIXES: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "css", "js",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailForm {
    Mailto,
    Text,
    Obfuscated,
    /// Hidden by Cloudflare's e-mail protection and shown by its script in the browser.
    ScriptProtected,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundEmail {
    /// The address, reassembled for obfuscated ones.
    pub address: String,
    pub form: EmailForm,
    /// As written on the page.
    pub written: String,
}

/// Compiled detector for one vocabulary of "at"/"dot" words.
pub struct EmailDetector {
    obfuscated: Regex,
    dot: Regex,
}

impl EmailDetector {
    /// Builds the detector from the doc's phrase lists `at_words` and `dot_words`.
    pub fn from_doc(doc: &CheckDoc) -> Self {
        let words = |list: &str, min_len: usize| {
            let mut words: Vec<String> = doc
                .phrase_set(list)
                .all()
                .filter(|w| w.chars().count() >= min_len)
                .map(|w| regex::escape(&w.to_lowercase()))
                .collect();
            words.sort_by_key(|w| std::cmp::Reverse(w.len()));
            words.dedup();
            words.join("|")
        };
        let (at, dot) = (words("at_words", 1), words("dot_words", 1));
        // Bracketed words are unmistakable; bare ones must be long enough not to be the
        // English "at" of running text ("arroba", "arobase").
        let bare_at = words("at_words", 3);
        let at_token =
            format!(r"(?:\s*[\[({{<]\s*(?:{at}|@)\s*[\])}}>]\s*|\s+(?:{bare_at})\s+|\s+@\s+)");
        let dot_token = format!(r"(?:\s*[\[({{<]\s*(?:{dot})\s*[\])}}>]\s*|\s+(?:{dot})\s+|\.)");
        let obfuscated = Regex::new(&format!(
            r"(?i)\b([a-z0-9][a-z0-9._%+\-]*){at_token}([a-z0-9][a-z0-9\-]*(?:{dot_token}[a-z0-9][a-z0-9\-]*)*{dot_token}[a-z]{{2,12}})\b"
        ))
        .expect("the at/dot words make a valid regex");
        let dot = Regex::new(&format!(r"(?i){dot_token}")).expect("valid regex");
        EmailDetector { obfuscated, dot }
    }

    /// The detector built from `missing-email-address`, which other contact checks share.
    pub fn shared() -> &'static EmailDetector {
        static SHARED: OnceLock<EmailDetector> = OnceLock::new();
        SHARED.get_or_init(|| {
            let check = crate::checks::find("missing-email-address")
                .expect("missing-email-address is in the registry");
            EmailDetector::from_doc(&check.doc)
        })
    }

    /// Every distinct address on a page: its text, mailto: links and links protected by
    /// Cloudflare's e-mail obfuscation (which browsers decode and show).
    pub fn find_on_page(&self, content: &PageContent) -> Vec<FoundEmail> {
        let mut found = self.find(&content.text, &content.mailto_links);
        for link in &content.links {
            let Some((_, encoded)) = link.href.split_once("/cdn-cgi/l/email-protection#") else {
                continue;
            };
            if let Some(address) = decode_cloudflare(encoded).filter(|a| is_address(a)) {
                if !found.iter().any(|f| f.address == address) {
                    found.push(FoundEmail {
                        address,
                        form: EmailForm::ScriptProtected,
                        written: link.href.clone(),
                    });
                }
            }
        }
        found
    }

    /// Every distinct address in the text and the mailto: links, mailto first.
    pub fn find(&self, text: &str, mailto_links: &[String]) -> Vec<FoundEmail> {
        let mut found: Vec<FoundEmail> = Vec::new();
        let mut push = |e: FoundEmail| {
            if !found.iter().any(|f| f.address == e.address) {
                found.push(e);
            }
        };
        for link in mailto_links {
            let address = link
                .split('?')
                .next()
                .unwrap_or(link)
                .split(',')
                .next()
                .unwrap_or(link)
                .trim()
                .replace("%40", "@")
                .to_lowercase();
            if is_address(&address) {
                push(FoundEmail {
                    address,
                    form: EmailForm::Mailto,
                    written: link.clone(),
                });
            }
        }
        for m in plain_regex().find_iter(text) {
            let address = m.as_str().trim_end_matches('.').to_lowercase();
            if is_address(&address) {
                push(FoundEmail {
                    address,
                    form: EmailForm::Text,
                    written: m.as_str().to_string(),
                });
            }
        }
        for caps in self.obfuscated.captures_iter(text) {
            let whole = caps.get(0).expect("group 0").as_str();
            if whole.contains('@') && plain_regex().is_match(whole) {
                continue;
            }
            let domain = self.dot.replace_all(&caps[2], ".");
            let address = format!("{}@{}", &caps[1], domain).to_lowercase();
            if is_address(&address) {
                push(FoundEmail {
                    address,
                    form: EmailForm::Obfuscated,
                    written: whole.to_string(),
                });
            }
        }
        found
    }
}

/// Cloudflare's e-mail protection: hex bytes, the first a key XORed into the others.
fn decode_cloudflare(encoded: &str) -> Option<String> {
    let bytes: Vec<u8> = (0..encoded.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(encoded.get(i..i + 2)?, 16).ok())
        .collect::<Option<_>>()?;
    let (key, rest) = bytes.split_first()?;
    let decoded: Vec<u8> = rest.iter().map(|b| b ^ key).collect();
    String::from_utf8(decoded).ok().map(|s| s.to_lowercase())
}

fn plain_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b[a-z0-9][a-z0-9._%+\-]*@[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.[a-z]{2,12}\b",
        )
        .expect("valid regex")
    })
}

fn is_address(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let Some(tld) = domain.rsplit('.').next() else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic())
        && !FILE_SUFFIXES.contains(&tld)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addresses(text: &str) -> Vec<(String, EmailForm)> {
        EmailDetector::shared()
            .find(text, &[])
            .into_iter()
            .map(|e| (e.address, e.form))
            .collect()
    }

    #[test]
    fn plain_and_mailto_addresses() {
        assert_eq!(
            addresses("Escríbenos a hola@tienda.es."),
            [("hola@tienda.es".to_string(), EmailForm::Text)]
        );
        let found = EmailDetector::shared().find("", &["Info@Shop.com?subject=Hi".into()]);
        assert_eq!(found[0].address, "info@shop.com");
        assert_eq!(found[0].form, EmailForm::Mailto);
    }

    #[test]
    fn readable_obfuscations_are_found() {
        for (text, want) in [
            ("Mail: info [at] shop.es", "info@shop.es"),
            ("info(at)shop(dot)es", "info@shop.es"),
            ("contacto arroba tienda punto es", "contacto@tienda.es"),
            (
                "service.client [arobase] boutique [point] fr",
                "service.client@boutique.fr",
            ),
            (
                "support {at} my-shop {dot} co {dot} uk",
                "support@my-shop.co.uk",
            ),
            ("hello @ shop.com", "hello@shop.com"),
        ] {
            assert_eq!(
                addresses(text),
                [(want.to_string(), EmailForm::Obfuscated)],
                "{text}"
            );
        }
    }

    #[test]
    fn cloudflare_protected_addresses_are_decoded() {
        let key = 0x42u8;
        let hex: String = std::iter::once(key)
            .chain(b"hola@tienda.es".iter().map(|b| b ^ key))
            .map(|b| format!("{b:02x}"))
            .collect();
        let content = PageContent {
            text: "[email protected]".into(),
            links: vec![std::sync::Arc::new(crate::artifacts::Link {
                href: format!("/cdn-cgi/l/email-protection#{hex}"),
                url: None,
                text: "[email protected]".into(),
                region: Default::default(),
            })]
            .into(),
            ..Default::default()
        };
        let found = EmailDetector::shared().find_on_page(&content);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].address, "hola@tienda.es");
        assert_eq!(found[0].form, EmailForm::ScriptProtected);
        assert_eq!(decode_cloudflare("zz"), None);
    }

    #[test]
    fn look_alikes_are_not_addresses() {
        assert!(addresses("logo@2x.png and see you at home.").is_empty());
        assert!(addresses("Meet us at shop dot com").is_empty());
        assert!(addresses("Price 10 @ 5.00").is_empty());
    }
}
