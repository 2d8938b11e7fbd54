//! Checkout: pick a product, add it to the cart, enter the checkout, walk its steps (filling
//! address, shipping and payment with test data) and stop before the final button unless orders
//! may be placed.

use super::common::{find_clickable, matches, page_links, platforms, FlowEnv};
use super::driver::{FormState, PageState, StepFailed, Tab};
use super::fill::{classify, is_incidental, plan, Purpose};
use super::price::{product_price, read_totals};
use crate::artifacts::{CartSnapshot, CheckoutStep, OrderSummary, ProductPick};

/// Steps walked in a checkout at most.
const MAX_STEPS: usize = 9;
/// Candidate product pages visited at most.
const MAX_PRODUCT_VISITS: usize = 6;

const PRODUCT_URL_WORDS: [&str; 7] = [
    "/product",
    "/products/",
    "/p/",
    "/item",
    "/catalogue/",
    "/producto",
    "/produit",
];

/// Paths of listings, not of one product.
const LISTING_URL_WORDS: [&str; 7] = [
    "/category/",
    "/categories/",
    "/collections/",
    "/tag/",
    "/search",
    "/page/",
    "/brand/",
];

fn is_add_to_cart(c: &super::driver::Clickable) -> bool {
    !c.disabled
        && c.href.is_none()
        && matches("add_to_cart", &c.text)
        && !["wishlist", "wish list", "compare", "review", "favorit"]
            .iter()
            .any(|w| c.text.to_lowercase().contains(w))
}

fn add_controls(state: &PageState) -> usize {
    state
        .clickables
        .iter()
        .filter(|c| is_add_to_cart(c))
        .count()
}

/// How the checkout ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// Stop on the final step without pressing the final button.
    Stop,
    /// Press the final button once.
    Click,
    /// Press it twice, 20 ms apart.
    DoubleClick,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Guest,
    Customer,
}

/// Where a walk through the checkout ended.
#[derive(Debug)]
pub enum WalkEnd {
    /// On the final step, button not pressed.
    ReachedFinal,
    /// The final button was pressed; the page that followed.
    Placed {
        after: Box<PageState>,
        disabled_after_first: bool,
    },
    /// The checkout asks to sign in or register and offers no guest path.
    AccountGate { evidence: String },
    /// The checkout could not go on (validation errors, no way forward).
    Stuck { reason: String },
}

#[derive(Debug)]
pub struct Walk {
    pub entry_url: String,
    pub steps: Vec<CheckoutStep>,
    pub summary: Option<OrderSummary>,
    pub final_button: Option<String>,
    pub guest_evidence: Option<String>,
    pub gate_seen: bool,
    pub end: WalkEnd,
    pub entry_screenshot: Option<String>,
}

/// Finds a product page with an add-to-cart control. Returns its state and what was picked.
pub fn pick_product(
    tab: &mut Tab,
    env: &FlowEnv,
) -> Result<Option<(PageState, ProductPick)>, StepFailed> {
    let mut queue: std::collections::VecDeque<(String, String)> = Default::default();
    if let Some(u) = &env.overrides.product_url {
        queue.push_back((u.clone(), "override".into()));
    }
    queue.extend(env.hints.product.iter().cloned());
    queue.push_back((env.start.to_string(), "home page".into()));
    let mut visited = std::collections::BTreeSet::new();
    let mut listing_fallback: Option<(PageState, String)> = None;
    while let Some((url, via)) = queue.pop_front() {
        if visited.len() >= MAX_PRODUCT_VISITS {
            break;
        }
        if !env.same_site(&url) || !visited.insert(url.clone()) {
            continue;
        }
        let state = tab.goto(&url)?;
        let is_home = via == "home page";
        if add_to_cart_control(&state, env).is_some() && product_price(&state).is_some() {
            // A listing with add buttons is a fallback; a product's own page (one add button,
            // or schema.org Product data) is better.
            let single = add_controls(&state) <= 1;
            let product_page = state
                .json_ld
                .iter()
                .any(|v| crate::site::json_ld_has_type(v, "Product"))
                || (single && !is_home);
            if product_page {
                let pick = ProductPick {
                    url: state.url.clone(),
                    name: state.h1.first().cloned(),
                    found_via: via,
                    price: product_price(&state),
                };
                return Ok(Some((state, pick)));
            }
            listing_fallback.get_or_insert((state.clone(), via.clone()));
        }
        // Links that look like product pages, from this page.
        let mut links: Vec<(u32, String, String)> = page_links(&state)
            .into_iter()
            .filter(|(u, _)| env.same_site(u) && !visited.contains(u))
            .filter_map(|(u, text)| {
                let path = url::Url::parse(&u).ok()?.path().to_lowercase();
                if LISTING_URL_WORDS.iter().any(|w| path.contains(w)) {
                    return None;
                }
                let score = u32::from(PRODUCT_URL_WORDS.iter().any(|w| path.contains(w))) * 2
                    + u32::from(path.trim_matches('/').split('/').count() >= 2);
                let navigational = [
                    "cart_link",
                    "login_link",
                    "register_link",
                    "logout",
                    "checkout_button",
                    "order_history_link",
                ]
                .iter()
                .any(|l| matches(l, &text));
                (score > 0 && !navigational).then_some((score, u, text))
            })
            .collect();
        links.sort_by_key(|l| std::cmp::Reverse(l.0));
        for (_, u, text) in links.into_iter().take(4) {
            queue.push_back((u, format!("link '{text}'")));
        }
    }
    Ok(listing_fallback.map(|(state, via)| {
        let pick = ProductPick {
            url: state.url.clone(),
            name: None,
            found_via: format!("{via} (add button on a listing)"),
            price: product_price(&state),
        };
        (state, pick)
    }))
}

/// The add-to-cart control: override, button text, or the submit of a form posting to a cart.
fn add_to_cart_control(state: &PageState, env: &FlowEnv) -> Option<(String, Option<FormState>)> {
    if let Some(sel) = env.overrides.selectors.get("add_to_cart") {
        return Some((sel.clone(), None));
    }
    let by_text = state.clickables.iter().find(|c| is_add_to_cart(c));
    if let Some(c) = by_text {
        let form = c
            .form
            .as_ref()
            .and_then(|sel| state.forms.iter().find(|f| &f.selector == sel))
            .cloned();
        return Some((c.selector.clone(), form));
    }
    state
        .forms
        .iter()
        .find(|f| {
            f.method == "post"
                && f.action.as_deref().is_some_and(|a| {
                    let a = a.to_lowercase();
                    a.contains("cart")
                        || a.contains("basket")
                        || a.contains("panier")
                        || a.contains("carrito")
                })
                && f.buttons.iter().any(|b| b.submits)
        })
        .map(|f| {
            let b = f.buttons.iter().find(|b| b.submits).expect("checked above");
            (b.selector.clone(), Some(f.clone()))
        })
}

/// Adds the product on `state` to the cart and returns the cart page.
pub fn add_to_cart_and_open_cart(
    tab: &mut Tab,
    env: &FlowEnv,
    state: &PageState,
) -> Result<PageState, StepFailed> {
    let Some((button, form)) = add_to_cart_control(state, env) else {
        return Err(tab.fail("add to cart", "the product page has no add-to-cart button"));
    };
    if let Some(form) = &form {
        // Variant choices (size, colour) must be made before adding.
        let fields: Vec<_> = form
            .fields
            .iter()
            .filter(|f| classify(f) != "quantity")
            .cloned()
            .collect();
        let actions = plan(
            &fields,
            &env.identity,
            &env.card_for_forms(),
            Purpose::Checkout,
            &env.overrides.fields,
        );
        tab.fill(&actions)?;
    }
    let after = tab.click(&button, "add to cart")?;
    if looks_like_cart(&after) {
        return Ok(after);
    }
    let mut candidates: Vec<String> = Vec::new();
    candidates.extend(env.overrides.cart_url.clone());
    if let Some(link) = find_clickable(
        &after,
        "cart_link",
        &["/cart", "/basket", "/panier", "/carrito"],
        &["add_to_cart", "checkout_button"],
    ) {
        match &link.href {
            Some(href) => candidates.push(href.clone()),
            None => {
                // A cart button that navigates by script (a mini-cart toggle).
                let sel = link.selector.clone();
                let page = tab.click(&sel, "the cart button")?;
                if looks_like_cart(&page) {
                    return Ok(page);
                }
            }
        }
    }
    candidates.extend(env.hints.cart.iter().map(|(u, _)| u.clone()));
    for p in platforms() {
        candidates.extend(p.cart.iter().filter_map(|c| env.at(c)));
    }
    let mut seen = std::collections::BTreeSet::new();
    for url in candidates {
        if !seen.insert(url.clone()) || !env.same_site(&url) {
            continue;
        }
        if url != env.overrides.cart_url.clone().unwrap_or_default() && !env.answers(&url) {
            continue;
        }
        let cart = tab.goto(&url)?;
        if looks_like_cart(&cart) {
            return Ok(cart);
        }
    }
    Err(tab.fail(
        "open cart",
        "the cart page could not be found after adding the product",
    ))
}

fn looks_like_cart(state: &PageState) -> bool {
    let path = url::Url::parse(&state.url)
        .map(|u| u.path().to_lowercase())
        .unwrap_or_default();
    let cart_url = ["cart", "basket", "panier", "carrito", "cesta", "bag"]
        .iter()
        .any(|w| path.contains(w));
    let has_checkout = find_clickable(state, "checkout_button", &["checkout"], &[]).is_some();
    has_checkout && (cart_url || state.h1.iter().any(|h| matches("cart_link", h)))
}

pub fn cart_snapshot(
    state: &PageState,
    product_name: Option<&str>,
    shot: Option<String>,
) -> CartSnapshot {
    let t = read_totals(state, product_name);
    CartSnapshot {
        url: state.url.clone(),
        line_price: t.line,
        subtotal: t.subtotal,
        shipping: t.shipping,
        tax: t.tax,
        total: t.total,
        screenshot: shot,
    }
}

/// Presses the cart's checkout button.
pub fn enter_checkout(
    tab: &mut Tab,
    env: &FlowEnv,
    cart: &PageState,
) -> Result<PageState, StepFailed> {
    let sel = env
        .overrides
        .selectors
        .get("checkout_button")
        .cloned()
        .or_else(|| {
            find_clickable(cart, "checkout_button", &["checkout"], &["cart_link"])
                .map(|c| c.selector.clone())
        });
    let Some(sel) = sel else {
        return Err(tab.fail("enter checkout", "the cart has no checkout button"));
    };
    tab.click(&sel, "the checkout button")
}

pub fn is_confirmation(state: &PageState) -> bool {
    let path = url::Url::parse(&state.url)
        .map(|u| u.path().to_lowercase())
        .unwrap_or_default();
    let url_says = [
        "thank",
        "confirmation",
        "success",
        "order-received",
        "complete",
        "gracias",
        "merci",
    ]
    .iter()
    .any(|w| path.contains(w));
    let text_says = matches("confirmation", &state.text);
    (url_says || text_says)
        && state
            .forms
            .iter()
            .all(|f| f.fields.iter().all(|x| is_incidental(&classify(x))))
}

/// The form the step asks the customer to fill: the one with the most real fields.
fn main_form(state: &PageState, mode: Mode) -> Option<&FormState> {
    state
        .forms
        .iter()
        .filter(|f| f.shown || f.selector == "body")
        .filter(|f| !(mode == Mode::Customer && f.password_fields() > 0))
        .map(|f| {
            let real = f
                .fields
                .iter()
                .filter(|x| !is_incidental(&classify(x)))
                .count();
            (real, f)
        })
        .filter(|(real, _)| *real > 0)
        .max_by_key(|(real, _)| *real)
        .map(|(_, f)| f)
}

fn step_fields(form: Option<&FormState>) -> Vec<crate::artifacts::FieldSnapshot> {
    form.map(|f| {
        f.fields
            .iter()
            .filter(|x| !is_incidental(&classify(x)))
            .map(|x| x.snapshot())
            .collect()
    })
    .unwrap_or_default()
}

fn final_button(state: &PageState, env: &FlowEnv) -> Option<(String, String)> {
    if let Some(sel) = env.overrides.selectors.get("place_order") {
        // The override is compared with the selectors the page script computes (an id
        // selector such as `#place-order` when the id is unique).
        if let Some(c) = state.clickables.iter().find(|c| &c.selector == sel) {
            return Some((sel.clone(), c.text.clone()));
        }
    }
    state
        .clickables
        .iter()
        .find(|c| !c.disabled && c.tag != "a" && matches("final_button", &c.text))
        .map(|c| (c.selector.clone(), c.text.clone()))
}

fn continue_button(state: &PageState, form: Option<&FormState>, env: &FlowEnv) -> Option<String> {
    if let Some(sel) = env.overrides.selectors.get("continue_button") {
        if state.clickables.iter().any(|c| &c.selector == sel) {
            return Some(sel.clone());
        }
    }
    if let Some(f) = form {
        if let Some(b) = f.buttons.iter().find(|b| b.submits && !b.disabled) {
            return Some(b.selector.clone());
        }
    }
    find_clickable(
        state,
        "continue_button",
        &[],
        &["cart_link", "logout", "login_link"],
    )
    .map(|c| c.selector.clone())
}

fn summary_of(state: &PageState, product_name: Option<&str>) -> Option<OrderSummary> {
    let t = read_totals(state, product_name);
    t.total.as_ref()?;
    Some(OrderSummary {
        url: state.url.clone(),
        line_price: t.line,
        subtotal: t.subtotal,
        shipping: t.shipping,
        tax: t.tax,
        discount: t.discount,
        total: t.total,
    })
}

/// Handles a checkout entry that asks to sign in: takes the guest path when one is offered.
/// Returns the page after choosing it, or None when there is no guest path.
fn take_guest_path(
    tab: &mut Tab,
    env: &FlowEnv,
    state: &PageState,
) -> Result<Option<(PageState, String)>, StepFailed> {
    let card = env.card_for_forms();
    // A radio choice "checkout as guest" inside the sign-in form (django-oscar's gateway).
    for form in &state.forms {
        if let Some(radio) = form
            .fields
            .iter()
            .find(|f| f.kind == "radio" && f.label.as_deref().is_some_and(|l| matches("guest", l)))
        {
            let others: Vec<_> = form
                .fields
                .iter()
                .filter(|f| f.kind != "radio" && f.kind != "password")
                .cloned()
                .collect();
            let mut actions = plan(
                &others,
                &env.identity,
                &card,
                Purpose::Checkout,
                &env.overrides.fields,
            );
            actions.push(super::driver::FillAction {
                selector: radio.selector.clone(),
                op: "check",
                value: String::new(),
                secret: false,
            });
            tab.fill(&actions)?;
            let Some(button) = continue_button(state, Some(form), env) else {
                continue;
            };
            let after = tab.click(&button, "continue as guest")?;
            return Ok(Some((
                after,
                format!("option '{}'", radio.label.clone().unwrap_or_default()),
            )));
        }
    }
    // A button or link "Continue as guest".
    if let Some(c) = find_clickable(state, "guest", &["guest"], &["login_link", "register_link"]) {
        let text = c.text.clone();
        let sel = c.selector.clone();
        if let Some(form) = c
            .form
            .as_ref()
            .and_then(|s| state.forms.iter().find(|f| &f.selector == s))
        {
            let fields: Vec<_> = form
                .fields
                .iter()
                .filter(|f| f.kind != "password")
                .cloned()
                .collect();
            let actions = plan(
                &fields,
                &env.identity,
                &card,
                Purpose::Checkout,
                &env.overrides.fields,
            );
            tab.fill(&actions)?;
        }
        let after = tab.click(&sel, "continue as guest")?;
        return Ok(Some((after, format!("button '{text}'"))));
    }
    // A second form on the page without a password: the guest form next to the sign-in box.
    if main_form(state, Mode::Customer).is_some_and(|f| {
        f.fields.iter().any(|x| {
            matches!(
                classify(x).as_str(),
                "email" | "address1" | "first-name" | "full-name"
            )
        })
    }) {
        return Ok(Some((
            state.clone(),
            "a form without sign-in next to the sign-in form".into(),
        )));
    }
    // No sign-in form at all, only a way on: an intermediate page, not a gate.
    if !state.forms.iter().any(|f| f.password_fields() > 0) {
        if let Some(sel) = continue_button(state, None, env) {
            let after = tab.click(&sel, "continue")?;
            return Ok(Some((after, "a checkout step without sign-in".into())));
        }
    }
    Ok(None)
}

/// Walks the checkout from its entry page to the final step (and past it, per `finish`).
pub fn walk(
    tab: &mut Tab,
    env: &FlowEnv,
    entry: PageState,
    mode: Mode,
    finish: Finish,
    product_name: Option<&str>,
) -> Result<Walk, StepFailed> {
    let entry_screenshot = tab.snap("checkout entry", Some(&entry.url));
    let mut walk = Walk {
        entry_url: entry.url.clone(),
        steps: Vec::new(),
        summary: None,
        final_button: None,
        guest_evidence: None,
        gate_seen: false,
        end: WalkEnd::Stuck {
            reason: "the checkout has more steps than shopaudit walks".into(),
        },
        entry_screenshot,
    };
    let mut state = entry;
    // A sign-in gate: a password form, or a page with no checkout fields that offers to sign
    // in or create an account.
    let guest_radio = state
        .forms
        .iter()
        .flat_map(|f| &f.fields)
        .any(|f| f.kind == "radio" && f.label.as_deref().is_some_and(|l| matches("guest", l)));
    let gate = guest_radio
        || state
            .forms
            .iter()
            .any(|f| f.shown && f.password_fields() > 0)
        || (main_form(&state, Mode::Guest).is_none()
            && find_clickable(&state, "register_link", &[], &["logout"]).is_some());
    if mode == Mode::Guest {
        if gate {
            walk.gate_seen = true;
            match take_guest_path(tab, env, &state)? {
                Some((after, evidence)) => {
                    walk.guest_evidence = Some(evidence);
                    let errors = after.error_messages();
                    if after.url == state.url && !errors.is_empty() {
                        walk.end = WalkEnd::Stuck {
                            reason: format!(
                                "the guest option did not accept the test data: {}",
                                errors.join("; ")
                            ),
                        };
                        return Ok(walk);
                    }
                    // The guest form's e-mail is a checkout field too.
                    let gate_form = state.forms.iter().find(|f| {
                        f.password_fields() > 0 || f.fields.iter().any(|x| x.kind == "radio")
                    });
                    if let Some(form) = gate_form {
                        let fields = form
                            .fields
                            .iter()
                            .filter(|f| f.kind != "password" && f.kind != "radio")
                            .map(|f| f.snapshot())
                            .collect::<Vec<_>>();
                        if !fields.is_empty() && after.url != state.url {
                            walk.steps.push(CheckoutStep {
                                name: "guest sign-in choice".into(),
                                url: state.url.clone(),
                                fields,
                                screenshot: None,
                            });
                        }
                    }
                    state = after;
                }
                None => {
                    let evidence = state
                        .h1
                        .first()
                        .cloned()
                        .unwrap_or_else(|| state.title.clone());
                    walk.end = WalkEnd::AccountGate {
                        evidence: format!("the checkout opens on a sign-in page ('{evidence}') with no guest option"),
                    };
                    return Ok(walk);
                }
            }
        } else {
            walk.guest_evidence = Some("the checkout asks for details without any sign-in".into());
        }
    }
    let mut last_url = String::new();
    let mut repeats = 0;
    for _ in 0..MAX_STEPS {
        if let Some(s) = summary_of(&state, product_name) {
            walk.summary = Some(s);
        }
        let form = main_form(&state, mode).cloned();
        let fields = step_fields(form.as_ref());
        let name = state
            .h1
            .first()
            .cloned()
            .unwrap_or_else(|| state.title.clone());
        let actions = form
            .as_ref()
            .map(|f| {
                let fillable: Vec<_> = f
                    .fields
                    .iter()
                    .filter(|x| !(mode == Mode::Guest && x.kind == "password"))
                    .cloned()
                    .collect();
                let card = env.card_for_forms();
                plan(
                    &fillable,
                    &env.identity,
                    &card,
                    Purpose::Checkout,
                    &env.overrides.fields,
                )
            })
            .unwrap_or_default();
        let asks_card = form
            .as_ref()
            .is_some_and(|f| f.fields.iter().any(|x| classify(x) == "card-number"));
        if asks_card {
            if let Err(reason) = &env.card {
                walk.end = WalkEnd::Stuck {
                    reason: reason.clone(),
                };
                return Ok(walk);
            }
        }
        if let Some((final_sel, final_text)) = final_button(&state, env) {
            let shot = tab.snap(&format!("final step {name}"), Some(&state.url));
            walk.steps.push(CheckoutStep {
                name,
                url: state.url.clone(),
                fields,
                screenshot: shot,
            });
            walk.final_button = Some(final_text.clone());
            if finish == Finish::Stop {
                walk.end = WalkEnd::ReachedFinal;
                return Ok(walk);
            }
            tab.fill(&actions)?;
            let (disabled_after_first, after) = if finish == Finish::DoubleClick {
                tab.double_click(&final_sel, &format!("'{final_text}' twice"))?
            } else {
                (false, tab.click(&final_sel, &format!("'{final_text}'"))?)
            };
            walk.end = WalkEnd::Placed {
                after: Box::new(after),
                disabled_after_first,
            };
            return Ok(walk);
        }
        let shot = tab.snap(&format!("checkout step {name}"), Some(&state.url));
        tab.fill(&actions)?;
        let Some(button) = continue_button(&state, form.as_ref(), env) else {
            walk.end = WalkEnd::Stuck {
                reason: format!("no way forward from the checkout step '{name}'"),
            };
            return Ok(walk);
        };
        walk.steps.push(CheckoutStep {
            name: name.clone(),
            url: state.url.clone(),
            fields,
            screenshot: shot,
        });
        let after = tab.click(&button, &format!("continue from '{name}'"))?;
        if after.url == state.url
            && (!after.error_messages().is_empty() || after.has_invalid_fields())
        {
            let mut errors = after.error_messages();
            if errors.is_empty() {
                errors.push("fields marked invalid".into());
            }
            walk.end = WalkEnd::Stuck {
                reason: format!(
                    "the checkout step '{name}' did not accept the test data: {}",
                    errors.join("; ")
                ),
            };
            return Ok(walk);
        }
        if after.url == last_url {
            repeats += 1;
            if repeats >= 2 {
                walk.end = WalkEnd::Stuck {
                    reason: format!("the checkout does not move past '{name}'"),
                };
                return Ok(walk);
            }
        }
        last_url = state.url.clone();
        state = after;
    }
    Ok(walk)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gather::browser::driver::Clickable;

    #[test]
    fn confirmation_pages_are_recognised() {
        let state = PageState {
            url: "http://shop.test/checkout/thank-you/".into(),
            text: "Thank you for your order. Your order number is 100023.".into(),
            ..Default::default()
        };
        assert!(is_confirmation(&state));
        let cart = PageState {
            url: "http://shop.test/basket/".into(),
            text: "Your basket".into(),
            clickables: vec![Clickable {
                selector: "#go".into(),
                tag: "a".into(),
                text: "Proceed to checkout".into(),
                href: Some("http://shop.test/checkout/".into()),
                ..Default::default()
            }],
            ..Default::default()
        };
        assert!(!is_confirmation(&cart));
        assert!(looks_like_cart(&cart));
    }
}
