//! After the order: the confirmation page (text, order number, links checked over HTTP), the
//! customer's order history, and the count of orders a double click creates.

use super::common::{find_clickable, page_links, phrases, platforms, FlowEnv};
use super::driver::{PageState, StepFailed, Tab};
use crate::artifacts::{Confirmation, FlowResult, LinkCheck, OrderHistory, PageText};
use regex::Regex;
use std::sync::OnceLock;

/// Links checked on the confirmation page at most.
const MAX_LINKS: usize = 40;
/// Text kept per page after the order.
const MAX_TEXT: usize = 6000;

fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

fn order_number_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let mut labels: Vec<String> = phrases()["order_number_label"]
            .all()
            .map(|p| regex::escape(p))
            .collect();
        labels.sort_by_key(|l| std::cmp::Reverse(l.len()));
        Regex::new(&format!(
            r"(?i)(?:{})\s*(?:is|es|est)?\s*[:#.º°nN]*\s*#?\s*([A-Z0-9][A-Z0-9-]{{2,24}})",
            labels.join("|")
        ))
        .expect("the order label regex is valid")
    })
}

/// The order number a confirmation page states: a token with a digit after an order label
/// ("Order number: 100023", "Pedido nº A-1042", "Commande n° 77"), or "#12345".
pub fn order_number(text: &str) -> Option<String> {
    let labelled = order_number_regex()
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str().trim_end_matches('-').to_string())
        .find(|t| t.chars().any(|c| c.is_ascii_digit()));
    labelled.or_else(|| {
        static HASH: OnceLock<Regex> = OnceLock::new();
        HASH.get_or_init(|| Regex::new(r"#\s?(\d{3,})\b").expect("valid"))
            .captures(text)
            .map(|c| c[1].to_string())
    })
}

/// A pattern for order numbers shaped like `number` (same letters, digit runs of the same
/// length or one more), to count the orders listed in a history page.
pub fn shape_of(number: &str) -> Regex {
    let mut pattern = String::from(r"(?i)\b");
    let chars: Vec<char> = number.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let n = i - start;
            pattern.push_str(&format!(r"\d{{{n},{}}}", n + 1));
        } else {
            pattern.push_str(&regex::escape(&chars[i].to_string()));
            i += 1;
        }
    }
    pattern.push_str(r"\b");
    Regex::new(&pattern).expect("an escaped pattern is valid")
}

pub fn orders_listed(text: &str, number: &str) -> Vec<String> {
    dedup(
        shape_of(number)
            .find_iter(text)
            .map(|m| m.as_str().to_string()),
    )
}

/// Order numbers written after an order label, for a history page read without a known number.
pub fn labelled_orders(text: &str) -> Vec<String> {
    dedup(
        order_number_regex()
            .captures_iter(text)
            .filter_map(|c| c.get(1))
            .map(|m| m.as_str().trim_end_matches('-').to_string())
            .filter(|t| t.chars().any(|c| c.is_ascii_digit())),
    )
}

fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = Vec::new();
    for s in items {
        if !seen.contains(&s) {
            seen.push(s);
        }
    }
    seen
}

fn listed_on(text: &str, number: Option<&str>) -> Vec<String> {
    match number {
        Some(n) => orders_listed(text, n),
        None => labelled_orders(text),
    }
}

/// Reads the confirmation page and checks each of its links over HTTP (with the browser's
/// cookies, so links to the customer's own order work as they do for the customer).
pub fn confirmation(tab: &mut Tab, env: &FlowEnv, state: &PageState) -> (Confirmation, PageText) {
    let shot = tab.snap("order confirmation", Some(&state.url));
    let cookies = tab.cookie_header().unwrap_or_default();
    let links: Vec<(String, String)> = page_links(state).into_iter().take(MAX_LINKS).collect();
    let checked = check_links(env, &links, &cookies);
    let text = cut(&state.text, MAX_TEXT);
    (
        Confirmation {
            url: state.url.clone(),
            // What the confirmation itself says, without the header and footer every page has.
            text: cut(&state.main_text, MAX_TEXT),
            order_number: order_number(&state.main_text).or_else(|| order_number(&state.text)),
            confirmed: super::checkout::is_confirmation(state),
            links: checked,
            screenshot: shot.clone(),
        },
        PageText {
            url: state.url.clone(),
            text,
            screenshot: shot,
        },
    )
}

fn check_links(env: &FlowEnv, links: &[(String, String)], cookies: &str) -> Vec<LinkCheck> {
    let http = env.http.clone();
    let host = env.start.host_str().map(str::to_string);
    let cookies = cookies.to_string();
    let links = links.to_vec();
    env.runtime.block_on(async move {
        let checks = links.into_iter().map(|(url, text)| {
            let http = http.clone();
            let same_host = url::Url::parse(&url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                == host;
            let cookies = cookies.clone();
            async move {
                let mut request = http.get(&url);
                if same_host && !cookies.is_empty() {
                    request = request.header(reqwest::header::COOKIE, cookies);
                }
                match request.send().await {
                    Ok(r) => LinkCheck {
                        url,
                        text,
                        status: Some(r.status().as_u16()),
                        error: None,
                    },
                    Err(e) => LinkCheck {
                        url,
                        text,
                        status: None,
                        error: Some(describe(&e)),
                    },
                }
            }
        });
        futures::future::join_all(checks).await
    })
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else if e.is_redirect() {
        "too many redirects".into()
    } else {
        "request failed".into()
    }
}

/// Finds the customer's order history (links from the current page, "My account", crawl roles,
/// platform paths) and lists the orders shaped like `number`.
pub fn history(
    tab: &mut Tab,
    env: &FlowEnv,
    from: &PageState,
    number: Option<&str>,
) -> Result<FlowResult<OrderHistory>, StepFailed> {
    let order_hrefs = [
        "/orders",
        "order-history",
        "/history",
        "commandes",
        "pedidos",
    ];
    let mut candidates: Vec<(String, String)> = Vec::new();
    if let Some(u) = &env.overrides.order_history_url {
        candidates.push((u.clone(), "override".into()));
    }
    if let Some(c) = find_clickable(from, "order_history_link", &order_hrefs, &["logout"]) {
        candidates.extend(c.href.clone().map(|h| (h, format!("link '{}'", c.text))));
    }
    let account = find_clickable(
        from,
        "my_account",
        &["/account", "/my-account", "/profile"],
        &["logout", "order_history_link"],
    )
    .and_then(|c| c.href.clone().map(|h| (h, c.text.clone())));
    candidates.extend(env.hints.order_history.iter().cloned());
    let mut visited = std::collections::BTreeSet::new();
    let mut account_page_tried = false;
    let mut platform_tried = false;
    let mut i = 0;
    loop {
        if i >= candidates.len() {
            if !account_page_tried {
                account_page_tried = true;
                if let Some((href, text)) = &account {
                    if env.same_site(href) && visited.insert(href.clone()) {
                        let page = tab.goto(href)?;
                        // Many stores list the orders on the account page itself.
                        if let Some(found) =
                            accept_history(tab, &page, number, format!("link '{text}'"))
                        {
                            return Ok(FlowResult::Done { data: found });
                        }
                        if let Some(c) =
                            find_clickable(&page, "order_history_link", &order_hrefs, &["logout"])
                        {
                            candidates.extend(
                                c.href
                                    .clone()
                                    .map(|h| (h, format!("link '{}' from '{text}'", c.text))),
                            );
                        }
                    }
                }
                continue;
            }
            if !platform_tried {
                platform_tried = true;
                for p in platforms() {
                    for path in &p.orders {
                        if let Some(u) = env.at(path).filter(|u| env.answers(u)) {
                            candidates.push((u, format!("platform path ({})", p.name)));
                        }
                    }
                }
                continue;
            }
            return Ok(FlowResult::NotFound {
                reason: "no order history page found (account links, page roles, platform paths)"
                    .into(),
            });
        }
        let (url, via) = candidates[i].clone();
        i += 1;
        // The status page of this one order is not the history of all of them.
        if number.is_some_and(|n| url.contains(n)) {
            continue;
        }
        if !env.same_site(&url) || !visited.insert(url.clone()) || visited.len() > 12 {
            continue;
        }
        let page = tab.goto(&url)?;
        if let Some(found) = accept_history(tab, &page, number, via) {
            return Ok(FlowResult::Done { data: found });
        }
    }
}

/// The page as the order history, when it lists orders or says it is the (empty) history.
fn accept_history(
    tab: &mut Tab,
    page: &PageState,
    number: Option<&str>,
    via: String,
) -> Option<OrderHistory> {
    let listed = listed_on(&page.text, number);
    let says_history = super::common::matches("history_page", &page.text);
    if listed.is_empty() && !says_history {
        return None;
    }
    let shot = tab.snap("order history", Some(&page.url));
    Some(OrderHistory {
        url: page.url.clone(),
        found_via: via,
        // The account was registered by this run: without a number to look for, any order in
        // its history is the one just placed.
        contains_order: match number {
            Some(n) => listed.iter().any(|l| l.eq_ignore_ascii_case(n)),
            None => !listed.is_empty(),
        },
        order_numbers: listed,
        screenshot: shot,
    })
}

/// Reads the history page again (after the double click) and lists the orders on it.
pub fn recount(tab: &mut Tab, url: &str, number: Option<&str>) -> Result<Vec<String>, StepFailed> {
    let page = tab.goto(url)?;
    tab.snap("order history after double click", Some(&page.url));
    Ok(listed_on(&page.text, number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers_in_three_languages() {
        assert_eq!(
            order_number("Thank you! Your order number is 100023."),
            Some("100023".into())
        );
        assert_eq!(
            order_number("Gracias. Pedido nº A-1042 recibido"),
            Some("A-1042".into())
        );
        assert_eq!(
            order_number("Merci ! Commande n° 77812 confirmée"),
            Some("77812".into())
        );
        assert_eq!(
            order_number("Order #55120 is on its way"),
            Some("55120".into())
        );
        assert_eq!(order_number("Your order has been placed."), None);
    }

    #[test]
    fn history_counts_orders_of_the_same_shape() {
        let text = "Order 100023 placed 22 Nov, $12.00\nOrder 100024 placed 22 Nov\nPostcode 62701";
        assert_eq!(orders_listed(text, "100023"), vec!["100023", "100024"]);
        assert_eq!(
            orders_listed("ORD-0999 ORD-1000 ORD-1000", "ORD-0999"),
            vec!["ORD-0999", "ORD-1000"]
        );
    }
}
