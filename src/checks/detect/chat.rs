//! Recognising chat widgets from the snippets vendors ask stores to paste: script URLs, inline
//! loader code, iframes and widget containers. The vendor patterns are data in
//! `checks/no-live-chat.md` (`[patterns]`, one list per vendor).

use crate::artifacts::PageContent;
use crate::checks::CheckDoc;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatWidget {
    pub vendor: String,
    /// The snippet it was recognised in, cut short.
    pub snippet: String,
}

pub struct ChatDetector<'a> {
    patterns: &'a BTreeMap<String, Vec<String>>,
}

impl<'a> ChatDetector<'a> {
    pub fn from_doc(doc: &'a CheckDoc) -> Self {
        ChatDetector {
            patterns: &doc.patterns,
        }
    }

    /// The detector of `no-live-chat`, which `form-only-contact` shares.
    pub fn shared() -> ChatDetector<'static> {
        let check = crate::checks::find("no-live-chat").expect("no-live-chat is in the registry");
        ChatDetector::from_doc(&check.doc)
    }

    /// Every vendor whose snippet is on the page (one entry per vendor). The generic
    /// "Embedded chat" patterns ("livechat", "chat-widget") only speak when no vendor did, so
    /// a vendor's own snippet is named after the vendor.
    pub fn find(&self, content: &PageContent) -> Vec<ChatWidget> {
        let sources: Vec<&str> = content
            .script_srcs
            .iter()
            .chain(&content.inline_scripts)
            .chain(&content.iframe_srcs)
            .map(String::as_str)
            .chain(content.links.iter().map(|l| l.href.as_str()))
            .collect();
        let lowered: Vec<String> = sources.iter().map(|s| s.to_lowercase()).collect();
        let (generic, vendors): (Vec<_>, Vec<_>) = self
            .patterns
            .iter()
            .partition(|(name, _)| name.as_str() == GENERIC);
        let mut found: Vec<ChatWidget> = Vec::new();
        for group in [vendors, generic] {
            if !found.is_empty() {
                break;
            }
            for (source, lower) in sources.iter().zip(&lowered) {
                for (vendor, needles) in &group {
                    if found.iter().any(|f| &f.vendor == *vendor) {
                        continue;
                    }
                    if let Some(needle) = needles.iter().find(|n| lower.contains(&n.to_lowercase()))
                    {
                        found.push(ChatWidget {
                            vendor: vendor.to_string(),
                            snippet: snippet_around(source, lower, &needle.to_lowercase()),
                        });
                    }
                }
            }
        }
        found
    }
}

/// The pattern list for home-made chat widgets.
const GENERIC: &str = "Embedded chat";

fn snippet_around(source: &str, lower: &str, needle: &str) -> String {
    let at = lower.find(needle).unwrap_or(0);
    let from = source[..at]
        .char_indices()
        .rev()
        .nth(39)
        .map(|(i, _)| i)
        .unwrap_or(0);
    let rest = &source[from..];
    super::clip(rest, 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendors_are_recognised_in_scripts_iframes_and_links() {
        let content = PageContent {
            script_srcs: thin_vec::thin_vec!["https://embed.tawk.to/5f1/default".into()],
            inline_scripts: thin_vec::thin_vec!["window.intercomSettings = { app_id: 'x' };".into()],
            iframe_srcs: thin_vec::thin_vec!["crisp-client".into()],
            ..Default::default()
        };
        let vendors: Vec<String> = ChatDetector::shared()
            .find(&content)
            .into_iter()
            .map(|w| w.vendor)
            .collect();
        assert_eq!(vendors, ["tawk.to", "Intercom", "Crisp"]);
        let vendor_of = |src: &str| {
            ChatDetector::shared()
                .find(&PageContent {
                    script_srcs: thin_vec::thin_vec![src.to_string()],
                    ..Default::default()
                })
                .into_iter()
                .map(|w| w.vendor)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            vendor_of("https://cdn.livechatinc.com/tracking.js"),
            ["LiveChat"]
        );
        assert_eq!(
            vendor_of("https://shop.test/js/live-chat.js"),
            ["Embedded chat"]
        );
        assert!(ChatDetector::shared()
            .find(&PageContent {
                script_srcs: thin_vec::thin_vec!["https://www.googletagmanager.com/gtag/js".into()],
                ..Default::default()
            })
            .is_empty());
    }
}
