//! Registration: find the registration form, fill it with the run's identity, submit it, then
//! sign out and sign back in with the same credentials.

use super::common::{find_clickable, is_signed_in, logout_control, matches, platforms, FlowEnv};
use super::driver::{FormState, PageState, StepFailed, Tab};
use super::fill::{classify, plan, Purpose};
use crate::artifacts::{FlowResult, FormSnapshot, LoginAttempt, RegistrationFlow};

/// Pages visited while looking for the form, at most.
const MAX_VISITS: usize = 10;

pub fn run(tab: &mut Tab, env: &FlowEnv) -> FlowResult<RegistrationFlow> {
    match register(tab, env) {
        Ok(result) => result,
        Err(e) => FlowResult::Failed {
            reason: e.reason,
            screenshot: e.screenshot,
        },
    }
}

/// A form that identifies the customer: a password field and an e-mail or username field.
fn is_account_form(form: &FormState) -> bool {
    form.password_fields() >= 1
        && form
            .fields
            .iter()
            .any(|f| matches!(classify(f).as_str(), "email" | "username"))
}

/// How much a form looks like a registration form (None: it does not).
fn registration_score(form: &FormState) -> Option<u32> {
    if !is_account_form(form) {
        return None;
    }
    let buttons_say_register = form
        .buttons
        .iter()
        .any(|b| matches("register_link", &b.text));
    let many_fields = form.fields.len() > 3;
    let confirm = form.password_fields() >= 2;
    if !(confirm || buttons_say_register || many_fields) {
        return None;
    }
    Some(
        u32::from(confirm) * 3
            + u32::from(buttons_say_register) * 2
            + form.fields.len().min(20) as u32,
    )
}

pub fn registration_form<'a>(
    state: &'a PageState,
    selector: Option<&str>,
) -> Option<&'a FormState> {
    if let Some(sel) = selector {
        return state.forms.iter().find(|f| f.selector == sel);
    }
    state
        .forms
        .iter()
        .filter_map(|f| registration_score(f).map(|s| (s, f)))
        .max_by_key(|(s, _)| *s)
        .map(|(_, f)| f)
}

/// The sign-in form: an account form with one password field, the fewest fields.
pub fn login_form<'a>(state: &'a PageState, selector: Option<&str>) -> Option<&'a FormState> {
    if let Some(sel) = selector {
        return state.forms.iter().find(|f| f.selector == sel);
    }
    state
        .forms
        .iter()
        .filter(|f| is_account_form(f) && f.password_fields() == 1)
        .filter(|f| {
            !f.buttons.iter().any(|b| matches("register_link", &b.text)) || f.fields.len() <= 3
        })
        .min_by_key(|f| f.fields.len())
}

fn submit_button(form: &FormState) -> Option<String> {
    form.buttons
        .iter()
        .find(|b| b.submits && !b.disabled)
        .or_else(|| form.buttons.iter().find(|b| !b.disabled))
        .map(|b| b.selector.clone())
}

fn register(tab: &mut Tab, env: &FlowEnv) -> Result<FlowResult<RegistrationFlow>, StepFailed> {
    let form_selector = env.overrides.selectors.get("registration_form").cloned();
    let Some((state, found_via)) = find_registration_page(tab, env, form_selector.as_deref())?
    else {
        return Ok(FlowResult::NotFound {
            reason: "no registration form found (page roles, account links, platform paths)".into(),
        });
    };
    let form = registration_form(&state, form_selector.as_deref())
        .expect("the page was chosen for its form")
        .clone();
    let page_url = state.url.clone();
    let form_shot = tab.snap("registration form", Some(&page_url));
    let snapshot = FormSnapshot {
        url: page_url.clone(),
        selector: form.selector.clone(),
        action: form.action.clone(),
        fields: form.fields.iter().map(|f| f.snapshot()).collect(),
        submit_text: form.buttons.first().map(|b| b.text.clone()),
    };
    let card = env.card_for_forms();
    let actions = plan(
        &form.fields,
        &env.identity,
        &card,
        Purpose::Registration,
        &env.overrides.fields,
    );
    tab.fill(&actions)?;
    let Some(button) = submit_button(&form) else {
        return Err(tab.fail(
            "submit registration",
            "the registration form has no submit button",
        ));
    };
    let after = tab.click(&button, "the registration form's submit button")?;
    let result_shot = tab.snap("registration submitted", Some(&after.url));
    let still_there =
        registration_form(&after, form_selector.as_deref()).is_some() && after.url == page_url;
    let errors = after.error_messages();
    let signed_in = is_signed_in(&after);
    let success_words = after
        .messages
        .iter()
        .any(|m| matches("registration_success", &m.text));
    let registered = signed_in
        || (errors.is_empty() && !after.has_invalid_fields() && (!still_there || success_words));
    let mut flow = RegistrationFlow {
        page_url,
        found_via,
        form: snapshot,
        registered,
        messages: after.all_messages(),
        result_url: Some(after.url.clone()),
        screenshot: result_shot.or(form_shot),
        logged_out: None,
        login: None,
    };
    if !registered {
        return Ok(FlowResult::Done { data: flow });
    }

    // Sign out, then back in with the same credentials.
    let mut current = after;
    if !is_signed_in(&current) {
        current = tab.goto(env.start.as_str())?;
    }
    let logout_sel = env.overrides.selectors.get("logout").cloned();
    let logout = logout_sel.or_else(|| logout_control(&current).map(|c| c.selector.clone()));
    match logout {
        Some(sel) => {
            let out = tab.click(&sel, "sign out")?;
            let out = if is_signed_in(&out) {
                tab.goto(env.start.as_str())?
            } else {
                out
            };
            flow.logged_out = Some(!is_signed_in(&out));
            tab.snap("signed out", Some(&out.url));
            current = out;
        }
        None => {
            // No sign-out control: end the session as a customer closing the browser would.
            flow.logged_out = Some(false);
        }
    }
    if flow.logged_out == Some(true) {
        flow.login = Some(login(tab, env, &current, &flow.page_url)?);
    }
    Ok(FlowResult::Done { data: flow })
}

/// Signs in with the run's identity. Used after registration and before the checkout.
pub fn login(
    tab: &mut Tab,
    env: &FlowEnv,
    current: &PageState,
    registration_page: &str,
) -> Result<LoginAttempt, StepFailed> {
    let form_sel = env.overrides.selectors.get("login_form").cloned();
    let mut candidates: Vec<String> = Vec::new();
    candidates.extend(env.overrides.login_url.clone());
    if let Some(link) = find_clickable(
        current,
        "login_link",
        &["login", "signin", "sign_in", "account"],
        &["logout", "register_link"],
    ) {
        candidates.extend(link.href.clone());
    }
    candidates.push(registration_page.to_string());
    candidates.extend(env.hints.login.iter().map(|(u, _)| u.clone()));
    for platform in platforms() {
        candidates.extend(platform.login.iter().filter_map(|p| env.at(p)));
    }
    let mut visited = std::collections::BTreeSet::new();
    for url in candidates {
        if visited.len() >= MAX_VISITS || !visited.insert(url.clone()) {
            continue;
        }
        if !env.same_site(&url) {
            continue;
        }
        let state = tab.goto(&url)?;
        let Some(form) = login_form(&state, form_sel.as_deref()).cloned() else {
            continue;
        };
        let card = env.card_for_forms();
        let mut actions = plan(
            &form.fields,
            &env.identity,
            &card,
            Purpose::Login,
            &env.overrides.fields,
        );
        // A login form's identifier field takes the e-mail unless it asks for a username.
        for (a, f) in actions.iter_mut().zip(form.fields.iter()) {
            if a.selector == f.selector && classify(f) == "username" && f.kind != "email" {
                a.value = env.identity.email.clone();
            }
        }
        tab.fill(&actions)?;
        let Some(button) = submit_button(&form) else {
            continue;
        };
        let after = tab.click(&button, "the sign-in form's submit button")?;
        let shot = tab.snap("signed in again", Some(&after.url));
        let succeeded = is_signed_in(&after)
            || (after.error_messages().is_empty()
                && login_form(&after, form_sel.as_deref()).is_none());
        return Ok(LoginAttempt {
            page_url: state.url.clone(),
            succeeded,
            messages: after.all_messages(),
            result_url: Some(after.url.clone()),
            screenshot: shot,
        });
    }
    Ok(LoginAttempt {
        page_url: registration_page.to_string(),
        succeeded: false,
        messages: vec!["no sign-in form found".into()],
        result_url: None,
        screenshot: None,
    })
}

/// Looks for the registration form: override, crawl roles, links from the home page and from
/// sign-in pages, then platform paths that answer.
fn find_registration_page(
    tab: &mut Tab,
    env: &FlowEnv,
    form_selector: Option<&str>,
) -> Result<Option<(PageState, String)>, StepFailed> {
    let mut queue: std::collections::VecDeque<(String, String)> = Default::default();
    if let Some(url) = &env.overrides.registration_url {
        queue.push_back((url.clone(), "override".into()));
    }
    queue.extend(env.hints.registration.iter().cloned());
    queue.push_back((env.start.to_string(), "home page".into()));
    queue.extend(env.hints.login.iter().cloned());
    let mut visited = std::collections::BTreeSet::new();
    let mut platform_tried = false;
    loop {
        let Some((url, via)) = queue.pop_front() else {
            if platform_tried {
                return Ok(None);
            }
            platform_tried = true;
            for platform in platforms() {
                for path in &platform.register {
                    if let Some(url) = env.at(path) {
                        if !visited.contains(&url) && env.answers(&url) {
                            queue.push_back((url, format!("platform path ({})", platform.name)));
                        }
                    }
                }
            }
            continue;
        };
        if visited.len() >= MAX_VISITS {
            return Ok(None);
        }
        if !env.same_site(&url) || !visited.insert(url.clone()) {
            continue;
        }
        let state = tab.goto(&url)?;
        if registration_form(&state, form_selector).is_some() {
            return Ok(Some((state, via)));
        }
        // Follow "Create account" first, then "Sign in" / "My account" (registration often
        // sits behind the sign-in page).
        if let Some(link) = find_clickable(
            &state,
            "register_link",
            &["register", "signup", "sign-up", "create"],
            &["logout"],
        ) {
            if let Some(href) = &link.href {
                queue.push_front((href.clone(), format!("link '{}'", link.text)));
            }
        }
        if let Some(link) = find_clickable(
            &state,
            "login_link",
            &["login", "signin", "account"],
            &["logout", "register_link"],
        ) {
            if let Some(href) = &link.href {
                queue.push_back((href.clone(), format!("link '{}'", link.text)));
            }
        }
    }
}

/// Registers a second account and stays signed in: what a customer locked out of the first
/// account does to be able to order at all. Returns whether the new session is signed in.
pub fn register_again(tab: &mut Tab, env: &FlowEnv, page_url: &str) -> Result<bool, StepFailed> {
    let form_selector = env.overrides.selectors.get("registration_form").cloned();
    let state = tab.goto(page_url)?;
    let Some(form) = registration_form(&state, form_selector.as_deref()).cloned() else {
        return Ok(false);
    };
    let card = env.card_for_forms();
    let actions = plan(
        &form.fields,
        &env.identity,
        &card,
        Purpose::Registration,
        &env.overrides.fields,
    );
    tab.fill(&actions)?;
    let Some(button) = submit_button(&form) else {
        return Ok(false);
    };
    let after = tab.click(&button, "the registration form's submit button")?;
    tab.snap("registered a second account", Some(&after.url));
    Ok(is_signed_in(&after))
}
