//! Browser flows through headless Chromium: registration, checkout, post-purchase.
//!
//! The flows are written against the small [`driver::Driver`] interface; [`chromium`] is its
//! headless_chrome implementation. Everything runs on a blocking thread (headless_chrome is
//! synchronous), every step has a deadline, and a launched Chromium is killed at the end of the
//! run and on Ctrl-C.

pub mod checkout;
pub mod chromium;
pub mod common;
pub mod driver;
pub mod fill;
pub mod post_purchase;
pub mod price;
pub mod registration;

use crate::artifacts::{
    BrowserFlows, CheckoutFlow, FlowResult, Gathered, GuestProbe, PostPurchase, ResubmitTest,
    SiteCrawl,
};
use crate::config::Config;
use checkout::{Finish, Mode, WalkEnd};
use common::{FlowEnv, Hints};
use driver::{CommandMeter, Driver, PageState, Redactor, RunContext, StepFailed, Tab};
use fill::{Identity, TestCard};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

pub use chromium::NOT_FOUND as CHROMIUM_NOT_FOUND;

/// Why the order-dependent checks are not-applicable without opt-in.
pub const NO_ORDER_REASON: &str =
    "no order placed: pass --place-orders to let shopaudit place a test order";

pub async fn run(
    start: &Url,
    config: &Config,
    crawl: Option<&SiteCrawl>,
) -> Gathered<BrowserFlows> {
    if !config.browser.enabled {
        return Gathered::Skipped {
            reason: "browser flows turned off (--no-browser)".into(),
        };
    }
    let target = match (&config.browser.ws_url, &config.browser.path) {
        (Some(ws), _) => Target::Remote(ws.clone()),
        (None, configured) => match chromium::find_executable(configured.as_deref()) {
            Some(path) => Target::Launch(path),
            None => {
                return Gathered::Failed {
                    reason: CHROMIUM_NOT_FOUND.into(),
                }
            }
        },
    };
    let password = match &config.checkout.password_env {
        None => None,
        Some(var) => match std::env::var(var) {
            Ok(p) => Some(p),
            Err(_) => {
                return Gathered::Failed {
                    reason: format!(
                    "checkout.password_env names the environment variable {var}, which is not set"
                ),
                }
            }
        },
    };
    let identity = Identity::generate(password);
    let card = TestCard::from_config(&config.checkout);
    let mut secrets = vec![identity.password.clone()];
    if let Ok(c) = &card {
        secrets.push(c.number.clone());
        if c.cvc.len() >= 3 {
            secrets.push(c.cvc.clone());
        }
    }
    let http = match common::http_client(&config.crawl) {
        Ok(c) => c,
        Err(e) => {
            return Gathered::Failed {
                reason: format!("cannot build the HTTP client: {e}"),
            }
        }
    };
    let env = FlowEnv {
        start: start.clone(),
        hints: crawl.map(Hints::from_crawl).unwrap_or_default(),
        identity,
        card,
        overrides: config.browser.overrides.clone(),
        place_orders: config.checkout.place_orders,
        http,
        runtime: tokio::runtime::Handle::current(),
    };
    let step_timeout = Duration::from_secs_f64(config.browser.step_timeout_secs);
    let ctx = Arc::new(RunContext::new(
        step_timeout,
        Some(screenshot_dir(config)),
        Redactor::new(secrets),
    ));
    install_interrupt_handler();
    let task = tokio::task::spawn_blocking(move || {
        let driver: Box<dyn Driver> = match &target {
            Target::Launch(path) => match chromium::Chromium::launch(path) {
                Ok(c) => Box::new(c),
                Err(e) => return Err(format!("Chromium ({}) did not start: {e}", path.display())),
            },
            Target::Remote(ws) => match chromium::Chromium::connect(ws) {
                Ok(c) => Box::new(c),
                Err(e) => return Err(format!("cannot connect to the browser at {ws}: {e}")),
            },
        };
        let flows = run_flows(driver.as_ref(), &env, ctx);
        drop(driver);
        Ok(flows)
    });
    // Each step has its own deadline; this bounds the whole run in case many steps each take
    // nearly theirs.
    let overall = step_timeout * 60;
    match tokio::time::timeout(overall, task).await {
        Ok(Ok(Ok(flows))) => Gathered::Collected { data: flows },
        Ok(Ok(Err(reason))) => Gathered::Failed { reason },
        Ok(Err(join)) => {
            chromium::kill_launched();
            Gathered::Failed {
                reason: format!("the browser flows crashed: {join}"),
            }
        }
        Err(_) => {
            chromium::kill_launched();
            Gathered::Failed {
                reason: format!(
                    "the browser flows did not finish within {:.0} s",
                    overall.as_secs_f64()
                ),
            }
        }
    }
}

enum Target {
    Launch(PathBuf),
    Remote(String),
}

/// Where screenshots go: the `--save-artifacts` folder, else `<output-dir>/artifacts`, else a
/// folder under the system's temporary directory (kept, so the report's paths stay valid).
pub fn screenshot_dir(config: &Config) -> PathBuf {
    if let Some(dir) = config
        .browser
        .artifacts_dir
        .as_ref()
        .or(config.output.save_artifacts.as_ref())
    {
        return dir.clone();
    }
    if let Some(dir) = &config.output.output_dir {
        return dir.join("artifacts");
    }
    std::env::temp_dir().join(format!(
        "shopaudit-{}-{}",
        chrono::Utc::now().format("%Y%m%d-%H%M%S"),
        std::process::id()
    ))
}

/// On Ctrl-C: kill the Chromium this process launched, then exit 130 as shells expect.
fn install_interrupt_handler() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        tokio::spawn(async {
            if tokio::signal::ctrl_c().await.is_ok() {
                chromium::kill_launched();
                eprintln!("interrupted: browser closed");
                std::process::exit(130);
            }
        });
    });
}

fn run_flows(driver: &dyn Driver, env: &FlowEnv, ctx: Arc<RunContext>) -> BrowserFlows {
    let mut flows = BrowserFlows {
        browser_version: driver.version(),
        identity_email: Some(env.identity.email.clone()),
        place_orders: env.place_orders,
        ..Default::default()
    };
    let main = match driver.open(false) {
        Ok(s) => s,
        Err(e) => {
            let reason = format!("cannot open a browser tab: {e}");
            flows.registration = failed(&reason);
            flows.checkout = failed(&reason);
            flows.post_purchase = failed(&reason);
            return flows;
        }
    };
    let mut tab = Tab::new(main, ctx.clone(), "registration");

    let meter = CommandMeter::start(driver);
    flows.registration = registration::run(&mut tab, env);
    flows.stats.push(meter.finish("registration"));
    if tab.browser_gone() {
        let reason = match &flows.registration {
            FlowResult::Failed { reason, .. } => reason.clone(),
            _ => "the browser exited after the registration flow".to_string(),
        };
        flows.checkout = failed(&reason);
        flows.post_purchase = failed(&reason);
        flows.steps = std::mem::take(&mut *ctx.steps.lock().expect("step log"));
        flows.warnings = std::mem::take(&mut *ctx.notes.lock().expect("notes"));
        return flows;
    }
    let mut signed_in = flows
        .registration
        .done()
        .and_then(|r| r.login.as_ref())
        .is_some_and(|l| l.succeeded);
    let mut env = env.clone();
    if let Some(r) = flows
        .registration
        .done()
        .filter(|r| r.registered && !signed_in)
    {
        // Locked out of the first account: a second one, kept signed in, to be able to order.
        env.identity.email = env.identity.email.replace('@', "-2@");
        signed_in = registration::register_again(&mut tab, &env, &r.page_url).unwrap_or(false);
        if signed_in {
            flows.warnings.push(format!(
                "signing back in failed, so the checkout used a second account ({})",
                env.identity.email
            ));
        }
    }
    let env = &env;

    let meter = CommandMeter::start(driver);
    let (checkout, post_purchase) = checkout_flows(driver, &mut tab, env, ctx.clone(), signed_in);
    flows.stats.push(meter.finish("checkout and post-purchase"));
    flows.checkout = checkout;
    flows.post_purchase = post_purchase;
    flows.steps = std::mem::take(&mut *ctx.steps.lock().expect("step log"));
    flows
        .warnings
        .extend(std::mem::take(&mut *ctx.notes.lock().expect("notes")));
    flows
}

fn failed<T>(reason: &str) -> FlowResult<T> {
    FlowResult::Failed {
        reason: reason.to_string(),
        screenshot: None,
    }
}

fn from_step<T>(e: StepFailed) -> FlowResult<T> {
    FlowResult::Failed {
        reason: e.reason,
        screenshot: e.screenshot,
    }
}

/// The guest probe (in a fresh, isolated tab), then the checkout as the registered customer
/// (or as guest when the store has no accounts), then everything after the order.
fn checkout_flows(
    driver: &dyn Driver,
    customer: &mut Tab,
    env: &FlowEnv,
    ctx: Arc<RunContext>,
    signed_in: bool,
) -> (FlowResult<CheckoutFlow>, FlowResult<PostPurchase>) {
    let guest_session = match driver.open(true) {
        Ok(s) => s,
        Err(e) => {
            let reason = format!("cannot open a browser tab: {e}");
            return (failed(&reason), FlowResult::Skipped { reason });
        }
    };
    let mut guest = Tab::new(guest_session, ctx, "guest-checkout");
    let result = checkout_and_after(customer, &mut guest, env, signed_in);
    match result {
        Ok(pair) => pair,
        // Not "not applicable": the order could not be judged because of an error.
        Err(e) => {
            let reason = format!("no order placed: the checkout failed: {}", e.reason);
            (from_step(e), failed(&reason))
        }
    }
}

fn checkout_and_after(
    customer: &mut Tab,
    guest: &mut Tab,
    env: &FlowEnv,
    signed_in: bool,
) -> Result<(FlowResult<CheckoutFlow>, FlowResult<PostPurchase>), StepFailed> {
    // A guest uses an address of its own: stores refuse guest orders under a registered e-mail.
    let mut guest_env = env.clone();
    guest_env.identity.email = env.identity.email.replace('@', "-guest@");
    let guest_env = &guest_env;
    let Some((product_state, pick)) = checkout::pick_product(guest, guest_env)? else {
        let reason = "no purchasable product found (product pages, add-to-cart buttons)";
        return Ok((
            FlowResult::NotFound {
                reason: reason.into(),
            },
            FlowResult::Skipped {
                reason: format!("no order placed: {reason}"),
            },
        ));
    };
    let name = pick.name.clone();
    let cart_state = checkout::add_to_cart_and_open_cart(guest, guest_env, &product_state)?;
    let cart_shot = guest.snap("cart", Some(&cart_state.url));
    let mut cart = checkout::cart_snapshot(&cart_state, name.as_deref(), cart_shot);
    let entry = checkout::enter_checkout(guest, guest_env, &cart_state)?;
    let guest_places = !signed_in && env.place_orders;
    let guest_walk = checkout::walk(
        guest,
        guest_env,
        entry,
        Mode::Guest,
        if guest_places {
            Finish::Click
        } else {
            Finish::Stop
        },
        name.as_deref(),
    )?;
    let gate = matches!(guest_walk.end, WalkEnd::AccountGate { .. });
    let probe = GuestProbe {
        entry_url: guest_walk.entry_url.clone(),
        guest_offered: !gate && guest_walk.guest_evidence.is_some(),
        account_gate: guest_walk.gate_seen,
        evidence: match &guest_walk.end {
            WalkEnd::AccountGate { evidence } => Some(evidence.clone()),
            _ => guest_walk.guest_evidence.clone(),
        },
        steps: guest_walk.steps.clone(),
        reached_final_step: matches!(
            guest_walk.end,
            WalkEnd::ReachedFinal | WalkEnd::Placed { .. }
        ),
        screenshot: guest_walk.entry_screenshot.clone(),
    };

    let (order_walk, tab, checked_out_as): (checkout::Walk, &mut Tab, &str) = if signed_in {
        customer.flow = "checkout".into();
        let product = customer.goto(&pick.url)?;
        let cart_state = checkout::add_to_cart_and_open_cart(customer, env, &product)?;
        let shot = customer.snap("cart (signed in)", Some(&cart_state.url));
        cart = checkout::cart_snapshot(&cart_state, name.as_deref(), shot);
        let entry = checkout::enter_checkout(customer, env, &cart_state)?;
        let finish = if env.place_orders {
            Finish::Click
        } else {
            Finish::Stop
        };
        let walk = checkout::walk(
            customer,
            env,
            entry,
            Mode::Customer,
            finish,
            name.as_deref(),
        )?;
        (walk, customer, "customer")
    } else {
        (guest_walk, guest, "guest")
    };

    let mut flow = CheckoutFlow {
        product: pick.clone(),
        cart: Some(cart),
        guest: Some(probe),
        checked_out_as: checked_out_as.into(),
        steps: order_walk.steps.clone(),
        summary: order_walk.summary.clone(),
        final_button: order_walk.final_button.clone(),
        order_placed: false,
        not_placed_reason: None,
    };
    let placed = match order_walk.end {
        WalkEnd::Placed { after, .. } => *after,
        WalkEnd::ReachedFinal => {
            flow.not_placed_reason = Some(NO_ORDER_REASON.into());
            return Ok((
                FlowResult::Done { data: flow },
                FlowResult::Skipped {
                    reason: NO_ORDER_REASON.into(),
                },
            ));
        }
        WalkEnd::AccountGate { evidence } => {
            let reason = format!("no order placed: {evidence}, and no account could be registered");
            flow.not_placed_reason = Some(reason.clone());
            return Ok((
                FlowResult::Done { data: flow },
                FlowResult::Skipped { reason },
            ));
        }
        WalkEnd::Stuck { reason } => {
            let reason = format!("no order placed: {reason}");
            flow.not_placed_reason = Some(reason.clone());
            return Ok((
                FlowResult::Done { data: flow },
                FlowResult::Skipped { reason },
            ));
        }
    };
    flow.order_placed = true;
    let post = match after_order(tab, env, &placed, &pick.url, signed_in) {
        Ok(p) => FlowResult::Done { data: p },
        Err(e) => from_step(e),
    };
    Ok((FlowResult::Done { data: flow }, post))
}

fn after_order(
    tab: &mut Tab,
    env: &FlowEnv,
    placed: &PageState,
    product_url: &str,
    signed_in: bool,
) -> Result<PostPurchase, StepFailed> {
    tab.flow = "post-purchase".into();
    let (confirmation, page) = post_purchase::confirmation(tab, env, placed);
    let number = confirmation.order_number.clone();
    let mut post = PostPurchase {
        confirmation,
        pages_after_order: vec![page],
        history: FlowResult::Skipped {
            reason: "checked out as guest: the store offers no account to hold an order history"
                .into(),
        },
        resubmit: FlowResult::Skipped {
            reason: "no order history to count orders in".into(),
        },
    };
    if !signed_in {
        return Ok(post);
    }
    post.history = post_purchase::history(tab, env, placed, number.as_deref())?;
    let Some(history) = post.history.done().cloned() else {
        return Ok(post);
    };
    // A history that lists no orders cannot count them; the double click still shows whether
    // the final button locks itself.
    let countable = !history.order_numbers.is_empty();

    // A second order, with a double click on the final button.
    let product = tab.goto(product_url)?;
    let cart = checkout::add_to_cart_and_open_cart(tab, env, &product)?;
    let entry = checkout::enter_checkout(tab, env, &cart)?;
    let walk = checkout::walk(tab, env, entry, Mode::Customer, Finish::DoubleClick, None)?;
    post.resubmit = match walk.end {
        WalkEnd::Placed {
            after,
            disabled_after_first,
        } => {
            let shot = tab.snap("after double click", Some(&after.url));
            post.pages_after_order.push(crate::artifacts::PageText {
                url: after.url.clone(),
                text: after.text.chars().take(6000).collect(),
                screenshot: shot.clone(),
            });
            let orders_after = if countable {
                Some(post_purchase::recount(tab, &history.url, number.as_deref())?.len())
            } else {
                None
            };
            FlowResult::Done {
                data: ResubmitTest {
                    orders_before: countable.then_some(history.order_numbers.len()),
                    orders_after,
                    button_disabled_after_click: disabled_after_first,
                    confirmation_url: Some(after.url.clone()),
                    screenshot: shot,
                },
            }
        }
        WalkEnd::Stuck { reason } => FlowResult::Failed {
            reason: format!("the second checkout did not reach its final button: {reason}"),
            screenshot: None,
        },
        other => FlowResult::Failed {
            reason: format!("the second checkout ended unexpectedly: {other:?}"),
            screenshot: None,
        },
    };
    Ok(post)
}
