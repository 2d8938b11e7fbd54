//! The fixture storefront behaves like a real store over HTTP, each fault has its observable
//! effect, and every variant's files are complete. A scripted headless Chromium (not the
//! auditor) proves the pages and flows work in a real browser.

use crate::common::{http_client, repo_root, shopaudit, stderr};
use scraper::{Html, Selector};
use shopaudit::fixture::store::{self, StoreHandle};
use shopaudit::fixture::RunningServer;
use std::collections::{BTreeMap, BTreeSet};

/// Every check id a variant's expected.toml must give a verdict for (the static checks of the
/// foundation issue and the browser checks).
const CHECK_IDS: &[&str] = &[
    "hidden-phone-number",
    "missing-email-address",
    "unreachable-contact-page",
    "form-only-contact",
    "no-response-time-promise",
    "no-live-chat",
    "missing-faq",
    "missing-policy-pages",
    "vague-delivery-promise",
    "broken-internal-link",
    "shouting-text",
    "long-registration-form",
    "broken-login-after-registration",
    "forced-account-creation",
    "long-checkout-form",
    "inconsistent-prices",
    "contradictory-payment-message",
    "duplicate-order-on-resubmit",
    "dead-post-purchase-link",
    "order-missing-from-account",
    "thin-order-confirmation",
];

struct Shop {
    _server: RunningServer,
    handle: StoreHandle,
    base: String,
}

async fn open(variant: &str) -> Shop {
    let (server, handle) = store::start(variant, 0).await.expect("the store starts");
    let base = server.url().trim_end_matches('/').to_string();
    Shop {
        _server: server,
        handle,
        base,
    }
}

struct Answer {
    status: u16,
    location: Option<String>,
    set_cookie: Vec<String>,
    body: String,
}

/// One browser-less customer: a cookie jar, no automatic redirects.
struct Shopper {
    client: reqwest::Client,
    base: String,
}

impl Shopper {
    fn new(shop: &Shop) -> Self {
        Shopper {
            client: http_client(),
            base: shop.base.clone(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        Answer {
            status,
            location: headers
                .get("location")
                .map(|v| v.to_str().unwrap().to_string()),
            set_cookie: headers
                .get_all("set-cookie")
                .iter()
                .map(|v| v.to_str().unwrap().to_string())
                .collect(),
            body: response.text().await.unwrap(),
        }
    }

    async fn get(&self, path: &str) -> Answer {
        Self::answer(self.client.get(self.url(path)).send().await.unwrap()).await
    }

    async fn post(&self, path: &str, fields: &[(String, String)]) -> Answer {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        Self::answer(
            self.client
                .post(self.url(path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Opens `page`, fills the form posting to `action` as a customer would (overrides win),
    /// and sends it.
    async fn submit(&self, page: &str, action: &str, overrides: &[(&str, &str)]) -> Answer {
        let html = self.get(page).await;
        assert_eq!(html.status, 200, "{page}: {}", html.body);
        let fields = fill_form(&html.body, action, overrides);
        self.post(action, &fields).await
    }

    async fn add_to_cart(&self, slug: &str, quantity: u32) {
        let q = quantity.to_string();
        let answer = self
            .submit(
                &format!("/products/{slug}"),
                "/cart/add",
                &[("quantity", &q)],
            )
            .await;
        assert_eq!(answer.status, 303);
        assert_eq!(answer.location.as_deref(), Some("/cart"));
    }

    async fn register(&self, email: &str, password: &str) -> Answer {
        self.submit(
            "/account/register",
            "/account/register",
            &[("email", email), ("password", password)],
        )
        .await
    }

    async fn log_out(&self) {
        let answer = self.submit("/account", "/account/logout", &[]).await;
        assert_eq!(answer.status, 303);
    }

    async fn log_in(&self, email: &str, password: &str) -> Answer {
        self.submit(
            "/account/login",
            "/account/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// From a filled cart through address, shipping and payment to the review page's HTML.
    async fn checkout_to_review(&self, guest: bool) -> String {
        if guest {
            let answer = self.submit("/checkout", "/checkout/guest", &[]).await;
            assert_eq!(
                answer.location.as_deref(),
                Some("/checkout/address"),
                "guest checkout"
            );
        }
        for (page, next) in [
            ("/checkout/address", "/checkout/shipping"),
            ("/checkout/shipping", "/checkout/payment"),
            ("/checkout/payment", "/checkout/review"),
        ] {
            let answer = self.submit(page, page, &[]).await;
            assert_eq!(answer.status, 303, "{page}: {}", answer.body);
            assert_eq!(answer.location.as_deref(), Some(next));
        }
        let review = self.get("/checkout/review").await;
        assert_eq!(review.status, 200);
        review.body
    }

    /// Places the order from the review page; returns the confirmation page's path and HTML.
    async fn place_order(&self, review_html: &str) -> (String, String) {
        let fields = fill_form(review_html, "/checkout/place", &[]);
        let answer = self.post("/checkout/place", &fields).await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        let location = answer.location.unwrap();
        assert!(location.starts_with("/checkout/thank-you/"), "{location}");
        let page = self.get(&location).await;
        assert_eq!(page.status, 200);
        (location, page.body)
    }
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

/// A plausible value for a field, by its name, as a customer would type it.
fn default_value(name: &str) -> &'static str {
    match name {
        "email" | "email_confirm" => "shopper@example.com",
        "password" | "password_confirm" => "correct horse battery",
        "full_name" | "name" | "cardholder_name" => "Ann Lee",
        "first_name" => "Ann",
        "last_name" => "Lee",
        "phone" => "+1 503 555 0199",
        "birth_date" => "1990-04-23",
        "postcode" => "97209",
        "street" => "1200 NW Marshall St",
        "city" => "Portland",
        "card_number" => "4242 4242 4242 4242",
        "card_expiry" => "12/39",
        "card_cvc" => "123",
        "message" | "delivery_instructions" | "gift_message" => "Please leave it at the door.",
        _ => "Test",
    }
}

/// The fields a browser would send for the form posting to `action`: hidden inputs as they
/// are, the first choice of radios and selects (the latest year for expiry years), a plausible
/// value for the rest (values the page filled in stay); checkboxes stay unticked. `*_confirm` copies its field's override.
fn fill_form(html: &str, action: &str, overrides: &[(&str, &str)]) -> Vec<(String, String)> {
    let doc = Html::parse_document(html);
    let form = doc
        .select(&sel(&format!("form[action=\"{action}\"]")))
        .next()
        .unwrap_or_else(|| panic!("no form posting to {action}"));
    let overrides: BTreeMap<&str, &str> = overrides.iter().copied().collect();
    let mut out: Vec<(String, String)> = Vec::new();
    for field in form.select(&sel("input, select, textarea")) {
        let el = field.value();
        let Some(name) = el.attr("name") else {
            continue;
        };
        let kind = el.attr("type").unwrap_or("text");
        if out.iter().any(|(n, _)| n == name) || kind == "submit" || kind == "checkbox" {
            continue;
        }
        let base_name = name.strip_suffix("_confirm").unwrap_or(name);
        let value = if let Some(v) = overrides.get(name).or(overrides.get(base_name)) {
            v.to_string()
        } else if kind == "hidden"
            || kind == "number"
            || (kind != "radio" && el.attr("value").is_some_and(|v| !v.is_empty()))
        {
            // What the page already filled in stays.
            el.attr("value").unwrap_or("").to_string()
        } else if kind == "radio" {
            el.attr("value").unwrap_or("").to_string()
        } else if el.name() == "select" {
            let options: Vec<String> = field
                .select(&sel("option"))
                .filter_map(|o| o.value().attr("value"))
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .collect();
            if name == "card_expiry_year" {
                options.last().cloned().unwrap_or_default()
            } else {
                options.first().cloned().unwrap_or_default()
            }
        } else {
            default_value(name).to_string()
        };
        out.push((name.to_string(), value));
    }
    out
}

/// Visible fields of the form posting to `action`: (name, required), radios once.
fn visible_fields(html: &str, action: &str) -> Vec<(String, bool)> {
    let doc = Html::parse_document(html);
    let form = doc
        .select(&sel(&format!("form[action=\"{action}\"]")))
        .next()
        .unwrap_or_else(|| panic!("no form posting to {action}"));
    let mut out: Vec<(String, bool)> = Vec::new();
    for field in form.select(&sel("input, select, textarea")) {
        let el = field.value();
        let kind = el.attr("type").unwrap_or("text");
        if matches!(kind, "hidden" | "submit" | "button") {
            continue;
        }
        let name = el.attr("name").unwrap().to_string();
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, el.attr("required").is_some()));
        }
    }
    out
}

/// `data-price` of the first element matching `css`, in cents.
fn price_at(html: &str, css: &str) -> i64 {
    let doc = Html::parse_document(html);
    let el = doc
        .select(&sel(css))
        .next()
        .unwrap_or_else(|| panic!("no {css}"));
    cents(el.value().attr("data-price").unwrap())
}

fn cents(price: &str) -> i64 {
    let (whole, frac) = price.split_once('.').unwrap();
    whole.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap()
}

fn links(html: &str, css: &str) -> Vec<String> {
    Html::parse_document(html)
        .select(&sel(css))
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect()
}

fn text_of(html: &str) -> String {
    let doc = Html::parse_document(html);
    let main = doc.select(&sel("main")).next().unwrap();
    main.text().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------
// Files

#[test]
fn every_store_toml_parses_and_every_expected_toml_lists_every_check() {
    let stores = repo_root().join("fixtures/stores");
    let mut on_disk = BTreeSet::new();
    for entry in std::fs::read_dir(&stores).unwrap() {
        let dir = entry.unwrap().path();
        let toml_path = dir.join("store.toml");
        if !toml_path.exists() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&toml_path).unwrap();
        let config = store::parse_store_toml(&text, &|base| {
            std::fs::read_to_string(stores.join(base).join("store.toml")).ok()
        })
        .unwrap_or_else(|e| panic!("{name}/store.toml: {e}"));
        assert!(!config.products.is_empty());

        let expected = std::fs::read_to_string(dir.join("expected.toml"))
            .unwrap_or_else(|e| panic!("{name}/expected.toml: {e}"));
        assert!(
            expected.trim_start().starts_with('#'),
            "{name}/expected.toml must open with a comment saying why the store exists"
        );
        let parsed: toml::Table = expected.parse().unwrap();
        let checks = parsed["checks"].as_table().unwrap();
        let ids: BTreeSet<&str> = checks.keys().map(String::as_str).collect();
        let wanted: BTreeSet<&str> = CHECK_IDS.iter().copied().collect();
        assert_eq!(ids, wanted, "{name}/expected.toml");
        for (id, verdict) in checks {
            let verdict = verdict.as_str().unwrap();
            assert!(
                ["pass", "warn", "fail", "not-applicable", "error"].contains(&verdict),
                "{name}: {id} = {verdict}"
            );
        }
        on_disk.insert(name);
    }
    let embedded: BTreeSet<String> = store::variant_names()
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(
        on_disk, embedded,
        "every storefront folder is embedded in the binary (VARIANTS) and vice versa"
    );
    // Every check the registry knows is judged by the storefronts' expectations.
    for check in shopaudit::checks::registry() {
        assert!(
            CHECK_IDS.contains(&check.doc.id.as_str()),
            "{} has no verdict in the storefronts' expected.toml",
            check.doc.id
        );
    }
}

#[test]
fn each_fault_variant_switches_on_exactly_its_fault_and_the_bad_store_all() {
    let good = store::load_variant("good").unwrap();
    assert_eq!(good.faults, store::Faults::default());
    let bad = store::load_variant("bad").unwrap();
    let all_on = serde_json::to_value(&bad.faults).unwrap();
    for (name, on) in all_on.as_object().unwrap() {
        assert_eq!(on, true, "bad store: fault {name} is off");
    }
    let mut switched = BTreeSet::new();
    for name in store::variant_names() {
        if !name.starts_with("fault-") {
            continue;
        }
        let faults = serde_json::to_value(store::load_variant(name).unwrap().faults).unwrap();
        let on: Vec<&String> = faults
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, v)| **v == true)
            .map(|(k, _)| k)
            .collect();
        assert_eq!(on.len(), 1, "{name} switches on {on:?}");
        switched.insert(on[0].clone());
    }
    assert_eq!(switched.len(), all_on.as_object().unwrap().len());
}

#[test]
fn serve_fixture_rejects_an_unknown_variant_with_exit_2() {
    let out = shopaudit(&["serve-fixture", "no-such-store"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no fixture store `no-such-store`"), "{err}");
    assert!(err.contains("good"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// HTTP behaviour

#[tokio::test]
async fn sessions_live_in_an_http_only_cookie_and_csrf_is_enforced() {
    let shop = open("good").await;
    let shopper = Shopper::new(&shop);
    let home = shopper.get("/").await;
    assert_eq!(home.status, 200);
    let cookie = home
        .set_cookie
        .iter()
        .find(|c| c.starts_with("shop_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");

    let page = shopper.get("/products/enamel-camp-mug").await;
    let mut fields = fill_form(&page.body, "/cart/add", &[]);
    // Missing token.
    let without: Vec<_> = fields
        .iter()
        .filter(|(n, _)| n != "csrf_token")
        .cloned()
        .collect();
    let answer = shopper.post("/cart/add", &without).await;
    assert_eq!(answer.status, 403);
    assert!(answer.body.contains("Your session has expired"));
    // Wrong token.
    for (name, value) in fields.iter_mut() {
        if name == "csrf_token" {
            *value = "0123456789abcdef".into();
        }
    }
    assert_eq!(shopper.post("/cart/add", &fields).await.status, 403);
    // Another shopper's token.
    let other = Shopper::new(&shop);
    let their_page = other.get("/products/enamel-camp-mug").await;
    let theirs = fill_form(&their_page.body, "/cart/add", &[]);
    assert_eq!(shopper.post("/cart/add", &theirs).await.status, 403);
    assert!(shopper
        .get("/cart")
        .await
        .body
        .contains("Your cart is empty."));

    // The right token: 303 to the cart, which now holds the item.
    shopper.add_to_cart("enamel-camp-mug", 2).await;
    let cart = shopper.get("/cart").await;
    assert!(cart
        .body
        .contains("Enamel camp mug was added to your cart."));
    assert!(cart.body.contains(r#"<span class="cart-count">2</span>"#));
    // The flash message shows once.
    assert!(!shopper
        .get("/cart")
        .await
        .body
        .contains("was added to your cart"));
    // Another shopper's cart is their own.
    assert!(other
        .get("/cart")
        .await
        .body
        .contains("Your cart is empty."));
}

#[tokio::test]
async fn validation_errors_sit_next_to_their_fields_and_keep_values_but_not_secrets() {
    let shop = open("good").await;
    let shopper = Shopper::new(&shop);
    let answer = shopper
        .submit(
            "/account/register",
            "/account/register",
            &[
                ("email", "not-an-address"),
                ("password", "short"),
                ("full_name", "Ann Lee"),
            ],
        )
        .await;
    assert_eq!(answer.status, 422);
    let doc = Html::parse_document(&answer.body);
    let email_field = doc
        .select(&sel(".field.has-error"))
        .find(|f| f.select(&sel("input[name=email]")).next().is_some())
        .expect("the e-mail field is marked");
    let message = email_field
        .select(&sel(".field-error"))
        .next()
        .unwrap()
        .text()
        .collect::<String>();
    assert!(message.contains("name@example.com"), "{message}");
    let input = email_field.select(&sel("input")).next().unwrap();
    assert_eq!(input.value().attr("value"), Some("not-an-address"));
    assert_eq!(input.value().attr("aria-invalid"), Some("true"));
    assert!(answer.body.contains("Use at least 8 characters."));
    assert!(answer.body.contains(r#"value="Ann Lee""#));
    assert!(
        !answer.body.contains(r#"value="short""#),
        "passwords are never echoed"
    );
    assert_eq!(shop.handle.accounts(), 0);

    // Registering the same address twice is refused with a message on the field.
    let first = shopper.register("ann@example.com", "correct horse").await;
    assert_eq!(first.status, 303);
    let again = Shopper::new(&shop)
        .register("ANN@example.com", "correct horse")
        .await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("already exists"));
}

#[tokio::test]
async fn unknown_pages_are_real_404_pages_in_the_theme() {
    let shop = open("good").await;
    let shopper = Shopper::new(&shop);
    for path in [
        "/no-such-page",
        "/products/no-such-product",
        "/orders/999999",
        "/checkout/thank-you/nope",
    ] {
        let answer = shopper.get(path).await;
        assert_eq!(answer.status, 404, "{path}");
        assert!(answer.body.contains("Page not found"), "{path}");
        assert!(answer.body.contains(r#"class="site-header""#));
        assert!(answer.body.contains(r#"class="site-footer""#));
    }
}

#[tokio::test]
async fn the_good_store_shows_a_real_theme_and_consistent_prices() {
    let shop = open("good").await;
    let shopper = Shopper::new(&shop);
    let home = shopper.get("/").await.body;
    assert!(home.contains(r#"<a href="tel:+15035550147">+1 (503) 555-0147</a>"#));
    assert!(home.contains("mailto:help@harborandpine.example"));
    assert!(home.contains("embed.tawk.to"));
    assert_eq!(links(&home, ".product-grid a").len(), 4);
    assert!(links(&home, "nav.main-nav a").contains(&"/contact".to_string()));

    let product = shopper.get("/products/insulated-bottle").await.body;
    assert!(product.contains(r#"<nav class="breadcrumbs" aria-label="Breadcrumb">"#));
    let doc = Html::parse_document(&product);
    let json_ld: serde_json::Value = serde_json::from_str(
        &doc.select(&sel(r#"script[type="application/ld+json"]"#))
            .next()
            .unwrap()
            .inner_html(),
    )
    .unwrap();
    assert_eq!(json_ld["@type"], "Product");
    assert_eq!(json_ld["offers"]["price"], "32.50");
    assert_eq!(json_ld["offers"]["priceCurrency"], "USD");
    assert_eq!(price_at(&product, ".product-price"), 3250);
    assert!(text_of(&product).contains("$32.50"));

    shopper.add_to_cart("insulated-bottle", 2).await;
    let cart = shopper.get("/cart").await.body;
    assert_eq!(price_at(&cart, ".cart-line .unit-price"), 3250);
    assert_eq!(price_at(&cart, ".cart-line .line-total"), 6500);
    assert_eq!(price_at(&cart, ".cart-totals .total"), 6500);

    let review = shopper.checkout_to_review(true).await;
    assert_eq!(price_at(&review, ".review-line .unit-price"), 3250);
    let subtotal = price_at(&review, ".review-totals .subtotal");
    let shipping = price_at(&review, ".review-totals .shipping");
    assert_eq!(
        price_at(&review, ".review-totals .total"),
        subtotal + shipping
    );
    assert_eq!(shipping, 490);
}

#[tokio::test]
async fn robots_and_sitemap_list_the_public_pages_and_every_page_answers() {
    let shop = open("good").await;
    let shopper = Shopper::new(&shop);
    let robots = shopper.get("/robots.txt").await.body;
    assert!(robots.contains("Disallow: /checkout"));
    assert!(robots.contains(&format!("Sitemap: {}/sitemap.xml", shop.base)));
    let sitemap = shopper.get("/sitemap.xml").await.body;
    let locs: Vec<String> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap().to_string())
        .collect();
    assert!(locs.len() >= 12, "{locs:?}");
    for path in ["/faq", "/contact", "/shipping", "/returns"] {
        assert!(locs.contains(&format!("{}{path}", shop.base)), "{path}");
    }
    // No broken link anywhere on the good store's public pages.
    let mut checked = BTreeSet::new();
    for loc in &locs {
        let page = shopper.get(loc).await;
        assert_eq!(page.status, 200, "{loc}");
        for href in links(&page.body, "a[href]") {
            if href.starts_with("tel:") || href.starts_with("mailto:") || href.starts_with('#') {
                continue;
            }
            if checked.insert(href.clone()) {
                let status = shopper.get(&href).await.status;
                assert!(status < 400, "{href} (linked from {loc}) answers {status}");
            }
        }
    }
}

#[tokio::test]
async fn guest_and_member_orders_go_through_and_are_counted_once() {
    let shop = open("good").await;
    let guest = Shopper::new(&shop);
    guest.add_to_cart("enamel-camp-mug", 1).await;
    let review = guest.checkout_to_review(true).await;
    assert_eq!(
        shop.handle.orders_placed(),
        0,
        "nothing is ordered before the final button"
    );

    // The declined test card is refused at the payment step, and no order is made.
    let declined = guest
        .submit(
            "/checkout/payment",
            "/checkout/payment",
            &[("card_number", "4000 0000 0000 0002")],
        )
        .await;
    assert_eq!(declined.status, 422);
    assert!(declined
        .body
        .contains("Your card was declined. Try a different card."));
    assert!(
        !declined.body.contains("4000 0000"),
        "card numbers are never echoed"
    );
    assert_eq!(shop.handle.orders_placed(), 0);
    let review_again = guest.get("/checkout/review").await.body;
    assert!(review_again.contains("Card ending in 4242"));
    let _ = review;

    // Place the order, then resubmit the same form (a double click): one order.
    let fields = fill_form(&review_again, "/checkout/place", &[]);
    assert!(fields
        .iter()
        .any(|(n, v)| n == "idempotency_key" && v.len() == 32));
    assert!(review_again.contains("button.disabled = true"));
    let first = guest.post("/checkout/place", &fields).await;
    let second = guest.post("/checkout/place", &fields).await;
    assert_eq!(first.status, 303);
    assert_eq!(
        second.location, first.location,
        "the retry lands on the same order"
    );
    assert_eq!(shop.handle.orders_placed(), 1);
    let orders: serde_json::Value =
        serde_json::from_str(&guest.get("/__fixture/orders").await.body).unwrap();
    assert_eq!(orders["orders"], 1);
    assert_eq!(orders["variant"], "good");

    let confirmation = guest.get(first.location.as_deref().unwrap()).await.body;
    let number = shop.handle.order_numbers()[0].clone();
    assert!(confirmation.contains(&format!(
        r#"<strong class="order-number">{number}</strong>"#
    )));
    assert!(confirmation.contains("What happens next"));
    assert!(guest
        .get("/cart")
        .await
        .body
        .contains("Your cart is empty."));
    for href in links(&confirmation, ".confirmation-links a") {
        assert_eq!(guest.get(&href).await.status, 200, "{href}");
    }

    // A member: register, log out, log in, order, find the order in the history.
    let member = Shopper::new(&shop);
    let registered = member.register("ann@example.com", "correct horse").await;
    assert_eq!(registered.status, 303);
    assert_eq!(registered.location.as_deref(), Some("/account"));
    member.log_out().await;
    assert_eq!(
        member.get("/account").await.location.as_deref(),
        Some("/account/login?next=/account")
    );
    let wrong = member.log_in("ann@example.com", "wrong password").await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("Incorrect e-mail address or password."));
    let login = member.log_in("ann@example.com", "correct horse").await;
    assert_eq!(login.status, 303);
    assert!(
        login
            .set_cookie
            .iter()
            .any(|c| c.starts_with("shop_session=")),
        "the session id changes at login"
    );
    member.add_to_cart("wool-throw-blanket", 1).await;
    let review = member.checkout_to_review(false).await;
    assert!(review.contains("Confirmation goes to ann@example.com"));
    let (_, confirmation) = member.place_order(&review).await;
    assert_eq!(shop.handle.orders_placed(), 2);
    let number = shop.handle.order_numbers()[1].clone();
    assert!(confirmation.contains(&number));
    let account = member.get("/account").await.body;
    let rows = Html::parse_document(&account)
        .select(&sel(".order-row"))
        .map(|r| r.value().attr("data-order-number").unwrap().to_string())
        .collect::<Vec<_>>();
    assert_eq!(rows, vec![number.clone()], "only the member's own order");
    let status = member.get(&format!("/orders/{number}")).await;
    assert_eq!(status.status, 200);
    assert!(status.body.contains("Received"));
    let details: serde_json::Value =
        serde_json::from_str(&member.get("/__fixture/orders?details=1").await.body).unwrap();
    let guests: Vec<bool> = details["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["guest"].as_bool().unwrap())
        .collect();
    assert_eq!(guests, vec![true, false]);
    assert_eq!(details["details"][1]["total"], "93.90");
    // Someone else cannot read it.
    assert_eq!(guest.get(&format!("/orders/{number}")).await.status, 404);
    // The guest finds theirs by number and e-mail.
    let first_number = shop.handle.order_numbers()[0].clone();
    let tracked = guest
        .get(&format!(
            "/orders/track?order_number={first_number}&email=shopper%40example.com"
        ))
        .await;
    assert_eq!(tracked.status, 303);
}

#[tokio::test]
async fn the_checkout_keeps_its_order_and_needs_a_customer() {
    let shop = open("good").await;
    let shopper = Shopper::new(&shop);
    assert_eq!(
        shopper.get("/checkout").await.location.as_deref(),
        Some("/cart")
    );
    shopper.add_to_cart("enamel-camp-mug", 1).await;
    let start = shopper.get("/checkout").await;
    assert_eq!(start.status, 200);
    assert!(start.body.contains("Continue as guest"));
    // Skipping steps sends the shopper back.
    assert_eq!(
        shopper.get("/checkout/payment").await.location.as_deref(),
        Some("/checkout")
    );
    let guest = shopper.submit("/checkout", "/checkout/guest", &[]).await;
    assert_eq!(guest.status, 303);
    assert_eq!(
        shopper.get("/checkout/review").await.location.as_deref(),
        Some("/checkout/address")
    );
    let fields = visible_fields(
        &shopper.get("/checkout/address").await.body,
        "/checkout/address",
    );
    let sent = shopper
        .submit("/checkout/address", "/checkout/address", &[])
        .await;
    assert_eq!(sent.location.as_deref(), Some("/checkout/shipping"));
    let shipping = visible_fields(
        &shopper.get("/checkout/shipping").await.body,
        "/checkout/shipping",
    );
    shopper
        .submit("/checkout/shipping", "/checkout/shipping", &[])
        .await;
    let payment = visible_fields(
        &shopper.get("/checkout/payment").await.body,
        "/checkout/payment",
    );
    let total = fields.len() + shipping.len() + payment.len();
    assert_eq!(
        total, 10,
        "good checkout: {fields:?} {shipping:?} {payment:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Each fault's observable effect (and its absence in the good store)

/// A guest order placed through every step; returns the shopper, the confirmation path and
/// its HTML.
async fn guest_order(shop: &Shop) -> (Shopper, String, String) {
    let shopper = Shopper::new(shop);
    shopper.add_to_cart("enamel-camp-mug", 1).await;
    let review = shopper.checkout_to_review(true).await;
    let (path, html) = shopper.place_order(&review).await;
    (shopper, path, html)
}

#[tokio::test]
async fn fault_registration_fields_asks_for_14_fields_9_required() {
    for (variant, visible, required) in [("good", 3, 3), ("fault-registration-fields", 14, 9)] {
        let shop = open(variant).await;
        let shopper = Shopper::new(&shop);
        let page = shopper.get("/account/register").await.body;
        let fields = visible_fields(&page, "/account/register");
        assert_eq!(fields.len(), visible, "{variant}: {fields:?}");
        assert_eq!(
            fields.iter().filter(|(_, r)| *r).count(),
            required,
            "{variant}"
        );
        // The long form still registers when filled in completely.
        let answer = shopper.register("ann@example.com", "correct horse").await;
        assert_eq!(answer.status, 303, "{variant}: {}", answer.body);
    }
}

#[tokio::test]
async fn fault_login_locks_out_the_customer_who_just_registered() {
    for (variant, works) in [("good", true), ("fault-login", false)] {
        let shop = open(variant).await;
        let shopper = Shopper::new(&shop);
        let registered = shopper.register("ann@example.com", "correct horse").await;
        assert_eq!(registered.status, 303, "{variant}");
        // Registration logs the customer in either way.
        assert!(shopper
            .get("/account")
            .await
            .body
            .contains("ann@example.com"));
        shopper.log_out().await;
        let login = shopper.log_in("ann@example.com", "correct horse").await;
        if works {
            assert_eq!(login.status, 303, "{variant}");
        } else {
            assert_eq!(login.status, 422, "{variant}");
            assert!(login.body.contains("Incorrect e-mail address or password."));
        }
    }
}

#[tokio::test]
async fn fault_no_guest_requires_an_account_to_order() {
    let shop = open("fault-no-guest").await;
    let shopper = Shopper::new(&shop);
    shopper.add_to_cart("enamel-camp-mug", 1).await;
    let start = shopper.get("/checkout").await.body;
    assert!(!start.contains("Continue as guest"));
    assert!(start.contains("An account is required to place an order."));
    // Forcing the guest form anyway is refused.
    let token = Html::parse_document(&shopper.get("/cart").await.body)
        .select(&sel("input[name=csrf_token]"))
        .next()
        .unwrap()
        .value()
        .attr("value")
        .unwrap()
        .to_string();
    let forced = shopper
        .post("/checkout/guest", &[("csrf_token".into(), token)])
        .await;
    assert_eq!(forced.location.as_deref(), Some("/checkout"));
    assert_eq!(
        shopper.get("/checkout/address").await.location.as_deref(),
        Some("/checkout")
    );
    // A member can order.
    shopper.register("ann@example.com", "correct horse").await;
    let review = shopper.checkout_to_review(false).await;
    shopper.place_order(&review).await;
    assert_eq!(shop.handle.orders_placed(), 1);
}

#[tokio::test]
async fn fault_prices_charges_more_than_the_product_page_and_the_total_does_not_add_up() {
    let shop = open("fault-prices").await;
    let shopper = Shopper::new(&shop);
    let product = shopper.get("/products/enamel-camp-mug").await.body;
    assert_eq!(price_at(&product, ".product-price"), 1800);
    shopper.add_to_cart("enamel-camp-mug", 1).await;
    let cart = shopper.get("/cart").await.body;
    assert_eq!(price_at(&cart, ".cart-line .unit-price"), 1980);
    let subtotal = price_at(&cart, ".cart-totals .subtotal");
    assert_eq!(price_at(&cart, ".cart-totals .total"), subtotal + 150);
    let review = shopper.checkout_to_review(true).await;
    let total = price_at(&review, ".review-totals .total");
    let parts = price_at(&review, ".review-totals .subtotal")
        + price_at(&review, ".review-totals .shipping");
    assert_ne!(total, parts);
}

#[tokio::test]
async fn fault_declined_message_records_the_order_and_says_the_card_was_declined() {
    let shop = open("fault-declined-message").await;
    let (_, _, confirmation) = guest_order(&shop).await;
    assert_eq!(shop.handle.orders_placed(), 1);
    assert!(confirmation.contains("Your card was declined, please try again."));
    let good = open("good").await;
    let (_, _, confirmation) = guest_order(&good).await;
    assert!(!confirmation.to_lowercase().contains("declined"));
}

#[tokio::test]
async fn fault_double_order_records_two_orders_for_one_resubmitted_form() {
    let shop = open("fault-double-order").await;
    let shopper = Shopper::new(&shop);
    shopper.add_to_cart("enamel-camp-mug", 1).await;
    let review = shopper.checkout_to_review(true).await;
    assert!(!review.contains("idempotency_key"));
    assert!(!review.contains("button.disabled = true"));
    let fields = fill_form(&review, "/checkout/place", &[]);
    let first = shopper.post("/checkout/place", &fields).await;
    let second = shopper.post("/checkout/place", &fields).await;
    assert_eq!(first.status, 303);
    assert_eq!(second.status, 303);
    assert_ne!(first.location, second.location);
    assert_eq!(shop.handle.orders_placed(), 2);
}

#[tokio::test]
async fn fault_dead_links_sends_the_buyer_to_a_404_and_a_refused_host() {
    let shop = open("fault-dead-links").await;
    let (shopper, _, confirmation) = guest_order(&shop).await;
    let hrefs = links(&confirmation, ".confirmation-links a");
    let number = shop.handle.order_numbers()[0].clone();
    assert!(hrefs.contains(&format!("/track/{number}")), "{hrefs:?}");
    assert!(hrefs.contains(&"http://127.0.0.1:9/help".to_string()));
    assert_eq!(shopper.get(&format!("/track/{number}")).await.status, 404);
    let refused = shopper.client.get("http://127.0.0.1:9/help").send().await;
    assert!(refused.is_err(), "port 9 refuses connections");
    // The confirmation still has its number and next steps.
    assert!(confirmation.contains("What happens next"));
}

#[tokio::test]
async fn fault_missing_order_keeps_the_history_empty() {
    for (variant, listed) in [("good", 1), ("fault-missing-order", 0)] {
        let shop = open(variant).await;
        let shopper = Shopper::new(&shop);
        shopper.register("ann@example.com", "correct horse").await;
        shopper.add_to_cart("enamel-camp-mug", 1).await;
        let review = shopper.checkout_to_review(false).await;
        shopper.place_order(&review).await;
        assert_eq!(shop.handle.orders_placed(), 1);
        let account = shopper.get("/account").await.body;
        let rows = Html::parse_document(&account)
            .select(&sel(".order-row"))
            .count();
        assert_eq!(rows, listed, "{variant}");
        let number = shop.handle.order_numbers()[0].clone();
        let status = shopper.get(&format!("/orders/{number}")).await;
        assert_eq!(status.status, 200);
        assert_eq!(
            status.body.contains("We can't find this order yet"),
            listed == 0,
            "{variant}"
        );
    }
}

#[tokio::test]
async fn fault_thin_confirmation_has_no_order_number_and_no_next_steps() {
    let shop = open("fault-thin-confirmation").await;
    let (_, path, confirmation) = guest_order(&shop).await;
    let number = shop.handle.order_numbers()[0].clone();
    assert!(!confirmation.contains(&number));
    assert!(!path.contains(&number));
    assert!(!confirmation.contains("What happens next"));
    assert!(text_of(&confirmation).contains("We have received your request."));
    assert!(links(&confirmation, ".confirmation-links a").is_empty());
}

#[tokio::test]
async fn fault_checkout_fields_asks_for_22_fields_across_the_steps() {
    let shop = open("fault-checkout-fields").await;
    let shopper = Shopper::new(&shop);
    shopper.add_to_cart("enamel-camp-mug", 1).await;
    shopper.submit("/checkout", "/checkout/guest", &[]).await;
    let mut total = 0;
    for (page, next) in [
        ("/checkout/address", "/checkout/shipping"),
        ("/checkout/shipping", "/checkout/payment"),
        ("/checkout/payment", "/checkout/review"),
    ] {
        total += visible_fields(&shopper.get(page).await.body, page).len();
        let sent = shopper.submit(page, page, &[]).await;
        assert_eq!(
            sent.location.as_deref(),
            Some(next),
            "{page}: {}",
            sent.body
        );
    }
    assert_eq!(total, 22);
    let review = shopper.get("/checkout/review").await.body;
    shopper.place_order(&review).await;
    assert_eq!(shop.handle.orders_placed(), 1);
}

#[tokio::test]
async fn the_bad_store_hides_its_contact_details_and_has_a_broken_link() {
    let shop = open("bad").await;
    let shopper = Shopper::new(&shop);
    let home = shopper.get("/").await.body;
    assert!(!home.contains("tel:"));
    assert!(!home.contains("mailto:"));
    assert!(!home.contains("/contact-form"));
    assert!(home.contains("ALL SALES ARE FINAL ON CLEARANCE ITEMS"));
    assert!(!home.contains("tawk"));
    assert_eq!(shopper.get("/faq").await.status, 404);
    assert_eq!(shopper.get("/about-us").await.status, 404);
    let delivery = shopper.get("/delivery").await.body;
    assert!(delivery.contains(r#"href="/contact-form""#));
    let contact = shopper.get("/contact-form").await.body;
    assert!(contact.contains("within 3 to 5 business days"));
    assert!(!contact.contains("tel:") && !contact.contains("mailto:"));
    // The contact form itself works.
    let sent = shopper
        .submit(
            "/contact-form",
            "/contact-form",
            &[("email", "ann@example.com")],
        )
        .await;
    assert_eq!(sent.status, 303);
    assert!(shopper
        .get("/contact-form")
        .await
        .body
        .contains("your message was sent"));

    // Every flow fault at once: double submission makes two orders, members only, thin page
    // with dead links.
    shopper.register("ann@example.com", "correct horse").await;
    shopper.add_to_cart("led-desk-lamp", 1).await;
    let review = shopper.checkout_to_review(false).await;
    let fields = fill_form(&review, "/checkout/place", &[]);
    let first = shopper.post("/checkout/place", &fields).await;
    shopper.post("/checkout/place", &fields).await;
    assert_eq!(shop.handle.orders_placed(), 2);
    let confirmation = shopper.get(first.location.as_deref().unwrap()).await.body;
    assert!(confirmation.contains("Your card was declined, please try again."));
    assert!(confirmation.contains("Thank you!"));
    let hrefs = links(&confirmation, ".confirmation-links a");
    assert_eq!(hrefs.len(), 2, "{hrefs:?}");
    for href in hrefs.iter().filter(|h| h.starts_with('/')) {
        assert_eq!(shopper.get(href).await.status, 404);
    }
    assert!(shopper
        .get("/account")
        .await
        .body
        .contains("You have not placed any orders yet."));
}

#[test]
fn the_good_stores_phone_number_is_a_valid_number() {
    let config = store::load_variant("good").unwrap();
    let phone = config.contact.phone.unwrap();
    let number = phonenumber::parse(None, &phone).unwrap();
    assert!(
        phonenumber::is_valid(&number),
        "{phone} is not a valid number"
    );
    assert!(store::load_variant("bad").unwrap().contact.phone.is_none());
}

/// The static checks give every storefront variant the verdicts its expected.toml lists.
#[tokio::test]
async fn the_static_checks_give_each_storefront_its_expected_verdicts() {
    let mut config = shopaudit::config::Config::default();
    config.browser.enabled = false;
    let mut mismatches = Vec::new();
    let mut judged = 0;
    for variant in store::variant_names() {
        let shop = open(variant).await;
        let start = url::Url::parse(&format!("{}/", shop.base)).unwrap();
        let artifacts =
            shopaudit::audit::gather(&start, &config, &indicatif::ProgressBar::hidden())
                .await
                .unwrap();
        let report = shopaudit::report::build(&artifacts, &config, 0);
        let expected = shopaudit::demo::expected_verdicts(variant).unwrap();
        for check in &report.checks {
            let Some(want) = expected.get(&check.id) else {
                continue;
            };
            let needs_browser = shopaudit::checks::find(&check.id)
                .is_some_and(|c| c.doc.needs.contains(&shopaudit::checks::Need::Browser));
            if needs_browser {
                continue;
            }
            judged += 1;
            if check.status.as_str() != want {
                mismatches.push(format!(
                    "{variant}: {} is {} (expected {want}): {}",
                    check.id,
                    check.status.as_str(),
                    check.summary
                ));
            }
        }
        assert_eq!(shop.handle.orders_placed(), 0, "a crawl never orders");
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(
        judged >= 11 * store::variant_names().len(),
        "{judged} verdicts compared"
    );
}

#[test]
fn serve_fixture_prints_its_url_and_serves_the_store() {
    use std::io::BufRead;
    /// Stops the server even when an assertion fails.
    struct Stop(std::process::Child);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Stop(
        std::process::Command::new(env!("CARGO_BIN_EXE_shopaudit"))
            .args(["serve-fixture", "bad", "--port", "0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut first = String::new();
    std::io::BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_string();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (status, body) = runtime.block_on(async {
        let answer = http_client().get(&url).send().await.unwrap();
        (answer.status().as_u16(), answer.text().await.unwrap())
    });
    drop(child);
    assert!(first.contains("`bad` fixture store"), "{first}");
    assert_eq!(status, 200);
    assert!(body.contains("Bargain Barn"));
}

// ---------------------------------------------------------------------------------------------
// Browser quirks (tests/browser_faults.rs drives Chromium through them)

/// Reaches the payment step of a `browser-hang-*` store as a guest and opens `path` with a
/// short wait: returns what arrived in that time and whether the answer ended.
async fn read_for_a_while(shopper: &Shopper, path: &str) -> (String, bool) {
    let mut response = shopper.client.get(shopper.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let mut body = Vec::new();
    let ended = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while let Some(chunk) = response.chunk().await.unwrap() {
            body.extend_from_slice(&chunk);
        }
    })
    .await
    .is_ok();
    (String::from_utf8_lossy(&body).into_owned(), ended)
}

async fn guest_at_payment(shop: &Shop) -> Shopper {
    let shopper = Shopper::new(shop);
    let slug = shop.handle.config().products[0].slug.clone();
    shopper.add_to_cart(&slug, 1).await;
    let answer = shopper.submit("/checkout", "/checkout/guest", &[]).await;
    assert_eq!(answer.location.as_deref(), Some("/checkout/address"));
    for page in ["/checkout/address", "/checkout/shipping"] {
        let answer = shopper.submit(page, page, &[]).await;
        assert_eq!(answer.status, 303, "{page}: {}", answer.body);
    }
    shopper
}

#[tokio::test]
async fn browser_hang_html_flushes_the_top_of_the_payment_page_and_never_ends_it() {
    let shop = open("browser-hang-html").await;
    let shopper = guest_at_payment(&shop).await;
    let (html, ended) = read_for_a_while(&shopper, "/checkout/payment").await;
    assert!(!ended, "the payment page finished");
    assert!(
        html.contains("<h2>Payment</h2>") || html.contains("Checkout"),
        "{html}"
    );
    assert!(html.contains("Loading the secure payment form"), "{html}");
    assert!(!html.contains("</html>"), "the page was completed");
    assert!(!html.contains("name=\"card_number\""), "the form was sent");
    assert_eq!(shop.handle.hangs_started(), 1);
}

#[tokio::test]
async fn browser_hang_script_puts_a_never_answering_script_in_the_payment_page_head() {
    let shop = open("browser-hang-script").await;
    let shopper = guest_at_payment(&shop).await;
    let page = shopper.get("/checkout/payment").await;
    assert_eq!(page.status, 200);
    let head = &page.body[..page.body.find("</head>").unwrap()];
    assert!(
        head.contains("<script src=\"/payments/checkout-sdk.js\"></script>"),
        "{head}"
    );
    let (_, ended) = read_for_a_while(&shopper, "/payments/checkout-sdk.js").await;
    assert!(!ended, "the payment script finished");
    // Other pages do not load it.
    let address = shopper.get("/checkout/address").await;
    assert!(!address.body.contains("checkout-sdk.js"));
}

#[tokio::test]
async fn browser_quirk_stores_show_their_dialogs_popup_and_consent_layer() {
    let dialogs = open("browser-dialogs").await;
    let shopper = Shopper::new(&dialogs);
    let slug = dialogs.handle.config().products[0].slug.clone();
    let product = shopper.get(&format!("/products/{slug}")).await.body;
    assert!(product.contains("alert('Adding this item to your cart.')"));
    shopper.add_to_cart(&slug, 1).await;
    let review = shopper.checkout_to_review(true).await;
    assert!(review.contains("if (!confirm('Place this order? Your card will be charged"));

    let popup = open("browser-popup").await;
    let shopper = Shopper::new(&popup);
    let product = shopper.get(&format!("/products/{slug}")).await.body;
    assert!(product.contains("window.open('/newsletter-signup'"));
    let newsletter = shopper.get("/newsletter-signup").await;
    assert_eq!(newsletter.status, 200);
    assert!(newsletter.body.contains("Join our newsletter"));

    for (variant, accept) in [
        ("browser-consent", "Accept all"),
        ("browser-consent-unknown", "Alle akzeptieren"),
    ] {
        let shop = open(variant).await;
        let home = Shopper::new(&shop).get("/").await.body;
        assert!(home.contains("id=\"cookie-consent\""), "{variant}");
        assert!(home.contains("position:fixed;inset:0"), "{variant}");
        assert!(home.contains(&format!(">{accept}</button>")), "{variant}");
    }
    // The good store has none of it.
    let good = open("good").await;
    let home = Shopper::new(&good).get("/").await.body;
    assert!(!home.contains("cookie-consent"));
    assert!(!home.contains("window.open"));
}
