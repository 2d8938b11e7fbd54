//! What a form field asks for (from `checks/form-fields.toml`) and the value the flows give it:
//! the generated identity, test address data and the test card.

use super::driver::{FieldState, FillAction};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
struct KindRule {
    kind: String,
    autocomplete: Vec<String>,
    words: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct KindFile {
    kind: Vec<KindRule>,
}

fn rules() -> &'static [KindRule] {
    static RULES: OnceLock<Vec<KindRule>> = OnceLock::new();
    RULES.get_or_init(|| {
        toml::from_str::<KindFile>(include_str!("../../../checks/form-fields.toml"))
            .unwrap_or_else(|e| panic!("checks/form-fields.toml is invalid: {e}"))
            .kind
    })
}

fn tokens(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// `word` names the field in an attribute such as `billing[first_name]`: as a whole token, or
/// (for words of 5+ characters) inside it.
fn attr_matches(attr: &str, word: &str) -> bool {
    let attr = attr.to_lowercase();
    if word.contains(' ') {
        return false;
    }
    if attr == word || tokens(&attr).iter().any(|t| t == word) {
        return true;
    }
    word.chars().count() >= 5 && attr.contains(word)
}

/// `word` appears as whole words in a label or placeholder.
fn text_matches(text: &str, word: &str) -> bool {
    let text = text.to_lowercase();
    let mut from = 0;
    while let Some(i) = text[from..].find(word) {
        let start = from + i;
        let end = start + word.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return true;
        }
        from = start + word.len().max(1);
    }
    false
}

/// The kind of a field ("email", "first-name", "card-number"...), or "unknown".
pub fn classify(field: &FieldState) -> String {
    let confirm_like = |kind: &str| {
        rules()
            .iter()
            .find(|r| r.kind == kind)
            .is_some_and(|r| rule_matches(r, field))
    };
    match field.kind.as_str() {
        "password" => {
            return if confirm_like("password-confirm") {
                "password-confirm".into()
            } else {
                "password".into()
            }
        }
        "email" => {
            return if confirm_like("email-confirm") {
                "email-confirm".into()
            } else {
                "email".into()
            }
        }
        "tel" => return "phone".into(),
        "search" => return "search".into(),
        _ => {}
    }
    rules()
        .iter()
        .filter(|r| !matches!(r.kind.as_str(), "password" | "password-confirm"))
        .find(|r| rule_matches(r, field))
        .map(|r| r.kind.clone())
        .unwrap_or_else(|| "unknown".into())
}

fn rule_matches(rule: &KindRule, field: &FieldState) -> bool {
    if let Some(ac) = field.autocomplete.as_deref().map(str::to_lowercase) {
        let last = ac.split_whitespace().last().unwrap_or("").to_string();
        if rule.autocomplete.iter().any(|a| *a == ac || *a == last) {
            return true;
        }
    }
    let attrs = [field.name.as_deref(), field.id.as_deref()];
    if rule
        .words
        .iter()
        .any(|w| attrs.iter().flatten().any(|a| attr_matches(a, w)))
    {
        return true;
    }
    let texts = [field.label.as_deref(), field.placeholder.as_deref()];
    rule.words
        .iter()
        .any(|w| texts.iter().flatten().any(|t| text_matches(t, w)))
}

/// Kinds that are not questions the store asks the customer (site search, coupon, quantity).
pub fn is_incidental(kind: &str) -> bool {
    matches!(kind, "search" | "coupon" | "quantity")
}

/// The test customer of one run. The password never leaves this struct except into the form.
#[derive(Clone)]
pub struct Identity {
    pub email: String,
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("email", &self.email)
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish()
    }
}

impl Identity {
    /// A unique e-mail per run and a strong password (from `password` when the config names an
    /// environment variable for it).
    pub fn generate(password: Option<String>) -> Identity {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let stamp = format!("{}{:03}", now.as_secs(), now.subsec_millis());
        let password = password.unwrap_or_else(|| generate_password(now.as_nanos()));
        Identity {
            email: format!("shopaudit+{stamp}@example.com"),
            username: format!("shopaudit{stamp}"),
            password,
        }
    }
}

fn generate_password(seed: u128) -> String {
    use sha2::{Digest, Sha256};
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(seed);
    hasher.write_u32(std::process::id());
    let digest = Sha256::digest(hasher.finish().to_le_bytes());
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let body: String = digest
        .iter()
        .take(14)
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    // Upper, lower, digit and symbol whatever the digest gave, for strict password rules.
    format!("{body}Aa7!")
}

/// Test payment details: from the environment variables the config names, else the public
/// test card 4242 4242 4242 4242 that payment gateways accept only in test mode.
#[derive(Clone)]
pub struct TestCard {
    pub number: String,
    pub cvc: String,
    pub exp_month: String,
    pub exp_year: String,
}

impl std::fmt::Debug for TestCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestCard([redacted])")
    }
}

pub const DEFAULT_TEST_CARD: &str = "4242424242424242";

impl TestCard {
    pub fn from_config(c: &crate::config::CheckoutConfig) -> Result<TestCard, String> {
        let from_env = |var: &Option<String>, what: &str| -> Result<Option<String>, String> {
            match var {
                None => Ok(None),
                Some(name) => std::env::var(name).map(Some).map_err(|_| {
                    format!(
                        "checkout.{what} names the environment variable {name}, which is not set"
                    )
                }),
            }
        };
        let number = from_env(&c.card_number_env, "card_number_env")?
            .unwrap_or_else(|| DEFAULT_TEST_CARD.to_string())
            .replace([' ', '-'], "");
        let cvc = from_env(&c.card_cvc_env, "card_cvc_env")?.unwrap_or_else(|| "123".into());
        let year_now: u32 = chrono::Datelike::year(&chrono::Utc::now()) as u32;
        let (exp_month, exp_year) = match c.card_expiry.as_deref() {
            Some(e) => {
                let (m, y) = e
                    .split_once('/')
                    .ok_or_else(|| format!("checkout.card_expiry `{e}` is not MM/YY"))?;
                let y = if y.trim().len() == 2 {
                    format!("20{}", y.trim())
                } else {
                    y.trim().to_string()
                };
                (format!("{:0>2}", m.trim()), y)
            }
            None => ("12".into(), (year_now + 4).to_string()),
        };
        Ok(TestCard {
            number,
            cvc,
            exp_month,
            exp_year,
        })
    }
}

/// Test address data for a country (ISO code), so postcode validators accept it.
fn address_for(country: &str) -> (&'static str, &'static str, &'static str, &'static str) {
    // (postcode, city, state, phone)
    match country {
        "GB" | "UK" => ("SW1A 1AA", "London", "London", "+44 20 7946 0958"),
        "ES" => ("28001", "Madrid", "Madrid", "+34 912 345 678"),
        "FR" => ("75001", "Paris", "Paris", "+33 1 23 45 67 89"),
        "DE" => ("10115", "Berlin", "Berlin", "+49 30 123456"),
        "CA" => ("K1A 0B1", "Ottawa", "ON", "+1 613 555 0143"),
        _ => ("62701", "Springfield", "IL", "+1 217 555 0143"),
    }
}

/// Which step a form belongs to changes what an unknown optional field gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Registration,
    Login,
    Checkout,
}

/// The values to set for a form's fields. Required fields always get a value; optional ones
/// only when a customer would normally fill them. Terms checkboxes are ticked, newsletters not.
pub fn plan(
    fields: &[FieldState],
    identity: &Identity,
    card: &TestCard,
    purpose: Purpose,
    overrides: &BTreeMap<String, String>,
) -> Vec<FillAction> {
    let kinds: Vec<String> = fields.iter().map(classify).collect();
    let country = fields
        .iter()
        .zip(&kinds)
        .find(|(_, k)| *k == "country")
        .map(|(f, _)| chosen_country(f))
        .unwrap_or_else(|| "US".to_string());
    let (postcode, city, state, phone) = address_for(&country);
    let mut actions = Vec::new();
    let mut radio_groups_done = std::collections::BTreeSet::new();
    for (field, kind) in fields.iter().zip(&kinds) {
        let text = |v: &str| FillAction {
            selector: field.selector.clone(),
            op: "text",
            value: v.to_string(),
            secret: false,
        };
        let secret = |v: &str| FillAction {
            secret: true,
            ..text(v)
        };
        let select = |v: &str| FillAction {
            op: "select",
            ..text(v)
        };
        let check = || FillAction {
            op: "check",
            ..text("")
        };
        if let Some(value) = [field.name.as_deref(), field.id.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|k| overrides.get(k))
        {
            actions.push(match field.kind.as_str() {
                "checkbox" | "radio" if value == "true" || value == "on" => check(),
                _ if field.tag == "select" => select(value),
                _ => text(value),
            });
            continue;
        }
        if field.kind == "radio" {
            let group = field.name.clone().unwrap_or_else(|| field.selector.clone());
            let group_checked = fields
                .iter()
                .any(|f| f.kind == "radio" && f.name == field.name && f.checked);
            if !group_checked && radio_groups_done.insert(group) {
                actions.push(check());
            }
            continue;
        }
        if field.kind == "checkbox" {
            if !field.checked && (kind == "terms" || (field.required && kind != "newsletter")) {
                actions.push(check());
            }
            continue;
        }
        let is_select = field.tag == "select";
        let required = field.required;
        let wanted = |always: bool| always || required;
        let action = match kind.as_str() {
            "email" | "email-confirm" => Some(text(&identity.email)),
            "password" | "password-confirm" => Some(secret(&identity.password)),
            "username" if purpose == Purpose::Checkout && !required => None,
            "username" => Some(text(&identity.username)),
            "first-name" => Some(text("Alex")),
            "last-name" => Some(text("Tester")),
            "full-name" if wanted(purpose != Purpose::Login) => Some(text("Alex Tester")),
            "card-name" => Some(text("Alex Tester")),
            "card-number" => Some(secret(&card.number)),
            "card-cvc" => Some(secret(&card.cvc)),
            "card-exp-month" if is_select => Some(select(&card.exp_month)),
            "card-exp-month" => Some(text(&card.exp_month)),
            "card-exp-year" if is_select => Some(select(&card.exp_year)),
            "card-exp-year" => Some(text(&card.exp_year)),
            "card-expiry" => Some(text(&format!(
                "{}/{}",
                card.exp_month,
                &card.exp_year[card.exp_year.len().saturating_sub(2)..]
            ))),
            "phone" if wanted(false) => Some(text(phone)),
            "address1" if wanted(purpose == Purpose::Checkout) => Some(text("1 Test Street")),
            "city" if wanted(purpose == Purpose::Checkout) => Some(text(city)),
            "postcode" if wanted(purpose == Purpose::Checkout) => Some(text(postcode)),
            "state" if is_select && wanted(false) => Some(select("")),
            "state" if wanted(false) => Some(text(state)),
            "country" if is_select => Some(select(&country)),
            "country" if wanted(purpose == Purpose::Checkout) => Some(text("United States")),
            "birthdate" if wanted(false) => Some(text(if field.kind == "date" {
                "1990-01-15"
            } else {
                "01/15/1990"
            })),
            "company" if wanted(false) => Some(text("Test Co")),
            "title" if is_select && wanted(false) => Some(select("")),
            "search" | "coupon" | "quantity" | "newsletter" => None,
            _ if !required || field.has_value => None,
            _ if is_select => Some(select("")),
            _ => Some(text(match field.kind.as_str() {
                "number" => "1",
                "date" => "2030-01-15",
                "url" => "https://example.com",
                _ => "Test",
            })),
        };
        if let Some(a) = action {
            if !(field.has_value && is_select && a.value.is_empty()) {
                actions.push(a);
            }
        }
    }
    actions
}

/// The country a country select will hold: its current choice when real, else the first of
/// US, GB, ES, FR offered, else the first real option.
fn chosen_country(field: &FieldState) -> String {
    if field.tag != "select" {
        return "US".into();
    }
    let real = |v: &str| !v.is_empty();
    let prefer = ["US", "GB", "ES", "FR"];
    let upper = |v: &str| v.to_uppercase();
    if field.has_value {
        if let Some((v, _, _)) = field.options.iter().find(|(v, _, _)| real(v)) {
            if field.options.len() == 1 {
                return upper(v);
            }
        }
    }
    prefer
        .iter()
        .find(|p| field.options.iter().any(|(v, _, d)| !d && upper(v) == **p))
        .map(|p| p.to_string())
        .or_else(|| {
            field
                .options
                .iter()
                .find(|(v, _, d)| real(v) && !d)
                .map(|(v, _, _)| upper(v))
        })
        .unwrap_or_else(|| "US".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: &str, name: &str, label: &str) -> FieldState {
        FieldState {
            tag: "input".into(),
            kind: kind.into(),
            name: Some(name.into()),
            label: Some(label.into()),
            selector: format!("[name={name}]"),
            ..Default::default()
        }
    }

    #[test]
    fn fields_are_recognised_in_three_languages() {
        assert_eq!(
            classify(&field("text", "billing[first_name]", "")),
            "first-name"
        );
        assert_eq!(classify(&field("text", "x1", "Apellidos")), "last-name");
        assert_eq!(classify(&field("text", "f7", "Code postal")), "postcode");
        assert_eq!(
            classify(&field("password", "password2", "")),
            "password-confirm"
        );
        assert_eq!(
            classify(&field("password", "pw", "Mot de passe")),
            "password"
        );
        assert_eq!(classify(&field("email", "username", "E-mail")), "email");
        assert_eq!(classify(&field("text", "line4", "City")), "city");
        assert_eq!(
            classify(&field("checkbox", "tos", "I accept the terms")),
            "terms"
        );
        assert_eq!(classify(&field("text", "cc", "Card number")), "card-number");
    }

    #[test]
    fn secrets_are_masked_and_optional_noise_is_left_alone() {
        let identity = Identity::generate(None);
        let card = TestCard::from_config(&Default::default()).unwrap();
        let fields = vec![
            field("email", "email", "Email"),
            field("password", "password1", "Password"),
            field("checkbox", "newsletter", "Send me offers"),
            field("checkbox", "terms", "I agree to the terms"),
            field("text", "company", "Company"),
        ];
        let actions = plan(
            &fields,
            &identity,
            &card,
            Purpose::Registration,
            &Default::default(),
        );
        let ops: Vec<(&str, &str)> = actions
            .iter()
            .map(|a| (a.selector.as_str(), a.op))
            .collect();
        assert_eq!(
            ops,
            vec![
                ("[name=email]", "text"),
                ("[name=password1]", "text"),
                ("[name=terms]", "check")
            ]
        );
        assert!(actions[1].secret);
        assert!(identity.password.len() >= 16);
        assert!(!format!("{identity:?}").contains(&identity.password));
    }
}
