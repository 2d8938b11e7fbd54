use serde::{Deserialize, Serialize};

/// What the browser flows (registration, checkout, post-purchase) recorded.
/// Filled in by `gather::browser`; every check of the registration, checkout and post-purchase
/// categories reads only this.
///
/// Secrets (the generated password, the card number and CVC) are never stored here: field
/// values are not recorded at all, and every captured text passes through a redactor.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BrowserFlows {
    pub browser_version: Option<String>,
    /// The e-mail address of the identity registered for this run (not a secret: it is unique
    /// per run and under example.com).
    pub identity_email: Option<String>,
    /// Whether the user allowed orders to be placed (`--place-orders`).
    pub place_orders: bool,
    pub registration: FlowResult<RegistrationFlow>,
    pub checkout: FlowResult<CheckoutFlow>,
    pub post_purchase: FlowResult<PostPurchase>,
    /// Commands sent to the browser and wall time, per flow.
    pub stats: Vec<FlowStats>,
    /// Every step in order, with its screenshot (relative to the artifacts folder).
    pub steps: Vec<StepRecord>,
    /// Problems that did not stop the flows (a link that could not be followed...).
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// How far one flow got. Checks map `NotFound` and `Skipped` to not-applicable and `Failed` to
/// error (with the reason and the screenshot of the step that failed).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum FlowResult<T> {
    Done {
        data: T,
    },
    /// The flow did not apply to this store (no registration form anywhere, no purchasable
    /// product).
    NotFound {
        reason: String,
    },
    /// The flow was not run on purpose (no order opt-in, an earlier flow failed).
    Skipped {
        reason: String,
    },
    /// The flow broke on our side or the browser's (timeout, crash).
    Failed {
        reason: String,
        #[serde(default)]
        screenshot: Option<String>,
    },
}

impl<T> Default for FlowResult<T> {
    fn default() -> Self {
        FlowResult::Skipped {
            reason: "not run".into(),
        }
    }
}

impl<T> FlowResult<T> {
    pub fn done(&self) -> Option<&T> {
        match self {
            FlowResult::Done { data } => Some(data),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FlowStats {
    pub flow: String,
    pub commands: u32,
    /// Time spent waiting for the browser to answer those commands (the rest of `wall_ms` is
    /// waiting for pages and our own work).
    #[serde(default)]
    pub command_ms: u64,
    pub wall_ms: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StepRecord {
    pub flow: String,
    pub name: String,
    pub url: Option<String>,
    /// Screenshot path, relative to the artifacts folder.
    pub screenshot: Option<String>,
    pub error: Option<String>,
}

/// One form field as the browser showed it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldSnapshot {
    /// input / select / textarea
    pub tag: String,
    /// The input type (text, email, password, checkbox, radio...); the tag name for others.
    pub kind: String,
    pub name: Option<String>,
    pub id: Option<String>,
    pub label: Option<String>,
    pub placeholder: Option<String>,
    pub required: bool,
    pub autocomplete: Option<String>,
    /// A CSS selector unique in the page.
    pub selector: String,
}

impl FieldSnapshot {
    /// The key a customer-facing "field" is counted by: radio buttons of one group are one
    /// question, every other control is one field.
    pub fn count_key(&self) -> String {
        match (&self.kind[..], &self.name) {
            ("radio", Some(name)) => format!("radio:{name}"),
            _ => format!("field:{}", self.selector),
        }
    }
}

/// Visible fields counted as a customer sees them (a radio group is one question).
pub fn count_fields<'a>(fields: impl IntoIterator<Item = &'a FieldSnapshot>) -> (usize, usize) {
    let mut seen = std::collections::BTreeMap::<String, bool>::new();
    for f in fields {
        let required = seen.entry(f.count_key()).or_insert(false);
        *required |= f.required;
    }
    (seen.len(), seen.values().filter(|r| **r).count())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FormSnapshot {
    pub url: String,
    /// Selector of the `<form>` (or of the page body for form-less fields).
    pub selector: String,
    pub action: Option<String>,
    pub fields: Vec<FieldSnapshot>,
    pub submit_text: Option<String>,
}

impl FormSnapshot {
    pub fn visible_field_count(&self) -> usize {
        count_fields(&self.fields).0
    }
    pub fn required_field_count(&self) -> usize {
        count_fields(&self.fields).1
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RegistrationFlow {
    /// Where the form was found.
    pub page_url: String,
    /// How it was found: "page role", "link 'Create account'", "platform path (Shopify)",
    /// "override".
    pub found_via: String,
    pub form: FormSnapshot,
    /// The store accepted the registration (signed in, or a success message, and no error).
    pub registered: bool,
    /// Messages shown after submitting (errors or success), redacted.
    pub messages: Vec<String>,
    pub result_url: Option<String>,
    pub screenshot: Option<String>,
    /// Logging out worked (the sign-out control was found and the session ended).
    pub logged_out: Option<bool>,
    pub login: Option<LoginAttempt>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LoginAttempt {
    pub page_url: String,
    pub succeeded: bool,
    pub messages: Vec<String>,
    pub result_url: Option<String>,
    pub screenshot: Option<String>,
}

/// A price as displayed and as parsed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub text: String,
    pub amount: f64,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProductPick {
    pub url: String,
    pub name: Option<String>,
    pub found_via: String,
    pub price: Option<Price>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CartSnapshot {
    pub url: String,
    /// Price of the line holding the product (unit or line total for quantity 1).
    pub line_price: Option<Price>,
    pub subtotal: Option<Price>,
    pub shipping: Option<Price>,
    pub tax: Option<Price>,
    pub total: Option<Price>,
    pub screenshot: Option<String>,
}

/// One page of the checkout and the fields it asked for.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CheckoutStep {
    pub name: String,
    pub url: String,
    pub fields: Vec<FieldSnapshot>,
    pub screenshot: Option<String>,
}

/// What the customer is offered when entering the checkout without being signed in.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GuestProbe {
    pub entry_url: String,
    /// The checkout can go on without an account (a guest option, or address fields straight
    /// away without any sign-in form).
    pub guest_offered: bool,
    /// The checkout entry asked to sign in or create an account.
    pub account_gate: bool,
    /// What showed it (button text, phrase).
    pub evidence: Option<String>,
    /// The guest path's steps, walked up to the final button (never placing an order).
    pub steps: Vec<CheckoutStep>,
    /// The guest path reached its final step.
    pub reached_final_step: bool,
    pub screenshot: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OrderSummary {
    pub url: String,
    pub line_price: Option<Price>,
    pub subtotal: Option<Price>,
    pub shipping: Option<Price>,
    pub tax: Option<Price>,
    pub discount: Option<Price>,
    pub total: Option<Price>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CheckoutFlow {
    pub product: ProductPick,
    pub cart: Option<CartSnapshot>,
    pub guest: Option<GuestProbe>,
    /// "customer" (signed in with the registered account) or "guest".
    pub checked_out_as: String,
    /// The path the order went through (or would have).
    pub steps: Vec<CheckoutStep>,
    pub summary: Option<OrderSummary>,
    /// The final button was found (text).
    pub final_button: Option<String>,
    pub order_placed: bool,
    /// Why no order was placed (no opt-in, the final step was not reached...).
    pub not_placed_reason: Option<String>,
}

impl CheckoutFlow {
    /// The fields a first-time customer fills in: the guest path when it was walked to the end,
    /// else the path the order took.
    pub fn first_time_path(&self) -> (&'static str, &[CheckoutStep]) {
        match &self.guest {
            Some(g) if g.guest_offered && g.reached_final_step && !g.steps.is_empty() => {
                ("guest", &g.steps)
            }
            _ => ("account", &self.steps),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LinkCheck {
    pub url: String,
    pub text: String,
    pub status: Option<u16>,
    pub error: Option<String>,
}

impl LinkCheck {
    pub fn is_dead(&self) -> bool {
        self.error.is_some() || self.status.is_none_or(|s| s >= 400)
    }
}

/// A page shown after the order was recorded (confirmation, redirects, history), redacted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PageText {
    pub url: String,
    pub text: String,
    pub screenshot: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Confirmation {
    pub url: String,
    /// The main content's text (header and footer left out), redacted.
    pub text: String,
    /// The page reads as an order confirmation (thank-you URL or confirmation wording).
    pub confirmed: bool,
    pub order_number: Option<String>,
    pub links: Vec<LinkCheck>,
    pub screenshot: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OrderHistory {
    pub url: String,
    pub found_via: String,
    /// Order numbers shaped like the confirmed one (or, without one, written after an order
    /// label), in page order, deduplicated.
    pub order_numbers: Vec<String>,
    /// The order just placed is listed (by its number; without one, any order counts: the
    /// account was registered by this run).
    pub contains_order: bool,
    pub screenshot: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ResubmitTest {
    /// Orders listed in the history before the double click (None: the history lists no
    /// orders, so none could be counted).
    pub orders_before: Option<usize>,
    /// ... and after it.
    pub orders_after: Option<usize>,
    /// The final button was disabled (or gone) right after the first click.
    pub button_disabled_after_click: bool,
    pub confirmation_url: Option<String>,
    pub screenshot: Option<String>,
}

impl ResubmitTest {
    /// Orders the double click created, when the history could count them.
    pub fn orders_created(&self) -> Option<usize> {
        Some(self.orders_after?.saturating_sub(self.orders_before?))
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PostPurchase {
    pub confirmation: Confirmation,
    /// Every page shown from the click on the final button onwards.
    pub pages_after_order: Vec<PageText>,
    pub history: FlowResult<OrderHistory>,
    pub resubmit: FlowResult<ResubmitTest>,
}
