//! The small browser interface the flows are written against, and the page-level operations
//! built on it (go to a URL, read the page's state, fill a form, click and wait for the result).
//! Every operation is one or a few DevTools commands and has a deadline. A command costs what
//! Chromium takes to answer (a few ms for an `evaluate`) since the transport fix in
//! vendor/headless_chrome; still, each page's state is read in one command.

use crate::artifacts::StepRecord;
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One browser tab (a page the flows drive).
pub trait Session: Send {
    /// Evaluates a JavaScript expression whose value is a string (promises are awaited) and
    /// returns that string. Fails when the deadline passes.
    fn eval_string(&self, expression: &str, timeout: Duration) -> anyhow::Result<String>;
    /// A PNG of the visible viewport.
    fn screenshot_png(&self, timeout: Duration) -> anyhow::Result<Vec<u8>>;
    /// The cookies of the current page (name, value), HttpOnly ones included.
    fn cookies(&self, timeout: Duration) -> anyhow::Result<Vec<(String, String)>>;
    /// The dialogs the page opened (already answered) and the windows it opened (closed by
    /// now) since the last call.
    fn take_events(&self) -> Vec<PageEvent> {
        Vec::new()
    }
    /// Whether the browser behind this tab has exited (crashed or killed).
    fn browser_gone(&self) -> bool {
        false
    }
    /// Stops loading the current page, as the browser's Stop button does: the requests that
    /// hang are dropped and what has arrived stays on screen.
    fn stop_loading(&self, _timeout: Duration) -> anyhow::Result<()> {
        Ok(())
    }
}

/// Something a page did besides showing itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageEvent {
    /// alert, confirm, prompt or leave-page; whether OK was pressed.
    Dialog {
        kind: String,
        message: String,
        accepted: bool,
    },
    /// `window.open` and the like; whether the window was closed again.
    Popup { url: String, closed: bool },
}

/// A running (or connected) browser.
pub trait Driver: Send {
    /// A new tab; `isolated` gives it its own cookies and storage (a fresh visitor).
    fn open(&self, isolated: bool) -> anyhow::Result<Box<dyn Session>>;
    fn version(&self) -> Option<String>;
    /// DevTools commands sent so far (all tabs).
    fn commands_sent(&self) -> u32;
    /// Time spent waiting for the answers to those commands.
    fn command_time(&self) -> Duration {
        Duration::ZERO
    }
}

const PAGE_STATE_JS: &str = include_str!("page_state.js");
const ACTIONS_JS: &str = include_str!("actions.js");

/// A field of a form as read from the page, with what the flows need to fill it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FieldState {
    pub tag: String,
    pub kind: String,
    pub name: Option<String>,
    pub id: Option<String>,
    pub label: Option<String>,
    pub placeholder: Option<String>,
    pub required: bool,
    pub autocomplete: Option<String>,
    pub selector: String,
    #[serde(default)]
    pub checked: bool,
    #[serde(default)]
    pub has_value: bool,
    #[serde(default)]
    pub invalid: bool,
    /// For selects: (value, text, disabled).
    #[serde(default)]
    pub options: Vec<(String, String, bool)>,
}

impl FieldState {
    pub fn snapshot(&self) -> crate::artifacts::FieldSnapshot {
        crate::artifacts::FieldSnapshot {
            tag: self.tag.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            id: self.id.clone(),
            label: self.label.clone(),
            placeholder: self.placeholder.clone(),
            required: self.required,
            autocomplete: self.autocomplete.clone(),
            selector: self.selector.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Clickable {
    pub selector: String,
    pub tag: String,
    pub text: String,
    pub href: Option<String>,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default)]
    pub submits: bool,
    pub form: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct FormState {
    pub selector: String,
    pub action: Option<String>,
    pub method: String,
    #[serde(default)]
    pub shown: bool,
    pub text: String,
    pub fields: Vec<FieldState>,
    pub buttons: Vec<Clickable>,
}

impl FormState {
    pub fn password_fields(&self) -> usize {
        self.fields.iter().filter(|f| f.kind == "password").count()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PriceSpot {
    pub text: String,
    pub row: String,
    pub itemprop: Option<String>,
    #[serde(default)]
    pub in_main: bool,
    #[serde(default)]
    pub in_form: bool,
    pub selector: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Message {
    pub text: String,
    pub kind: String,
}

/// Everything the flows read from a page, from one `evaluate`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PageState {
    pub url: String,
    pub status: Option<u16>,
    pub title: String,
    pub lang: Option<String>,
    pub h1: Vec<String>,
    pub text: String,
    /// Text of `<main>` (or the body when the page has none): without header and footer.
    #[serde(default)]
    pub main_text: String,
    pub forms: Vec<FormState>,
    pub clickables: Vec<Clickable>,
    pub prices: Vec<PriceSpot>,
    pub messages: Vec<Message>,
    pub json_ld: Vec<serde_json::Value>,
    pub meta_price: Option<String>,
}

impl PageState {
    pub fn error_messages(&self) -> Vec<String> {
        self.messages
            .iter()
            .filter(|m| m.kind == "error")
            .map(|m| m.text.clone())
            .collect()
    }
    pub fn all_messages(&self) -> Vec<String> {
        self.messages.iter().map(|m| m.text.clone()).collect()
    }
    pub fn has_invalid_fields(&self) -> bool {
        self.forms.iter().flat_map(|f| &f.fields).any(|f| f.invalid)
    }
    /// A chrome error page (connection refused, DNS...) instead of the store's page.
    pub fn is_browser_error_page(&self) -> bool {
        self.url.starts_with("chrome-error://")
    }
}

/// A step that could not finish: why, and the screenshot taken when it failed.
#[derive(Debug, Clone)]
pub struct StepFailed {
    pub reason: String,
    pub screenshot: Option<String>,
}

impl std::fmt::Display for StepFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Removes secrets from any text that is about to be stored.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        Redactor {
            secrets: secrets.into_iter().filter(|s| s.len() >= 3).collect(),
        }
    }
    pub fn clean(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "[redacted]");
            }
        }
        out
    }
}

/// What every tab of one run shares: deadlines, where screenshots go, the step log.
pub struct RunContext {
    pub step_timeout: Duration,
    pub screenshot_dir: Option<PathBuf>,
    pub redactor: Redactor,
    pub steps: Mutex<Vec<StepRecord>>,
    /// What the flows got past without failing (dialogs, popups, overlays), for the report.
    pub notes: Mutex<Vec<String>>,
    shots: AtomicU32,
}

impl RunContext {
    pub fn new(
        step_timeout: Duration,
        screenshot_dir: Option<PathBuf>,
        redactor: Redactor,
    ) -> Self {
        RunContext {
            step_timeout,
            screenshot_dir,
            redactor,
            steps: Mutex::new(Vec::new()),
            notes: Mutex::new(Vec::new()),
            shots: AtomicU32::new(0),
        }
    }

    pub fn record(&self, step: StepRecord) {
        self.steps.lock().expect("step log").push(step);
    }
}

/// A tab with the operations the flows use.
pub struct Tab {
    session: Box<dyn Session>,
    pub ctx: Arc<RunContext>,
    pub flow: String,
}

#[derive(Deserialize)]
struct SettleProbe {
    phase: String,
    #[serde(default)]
    leaving: bool,
    #[serde(default)]
    quiet_ms: u64,
    state: Option<PageState>,
    /// While loading: the page's address, whether its HTML has fully arrived, and a script it
    /// is still waiting for.
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    html_done: bool,
    #[serde(default)]
    waiting_for: Option<String>,
}

/// What `actions.js` answers to a click.
#[derive(Deserialize)]
struct ClickResult {
    clicked: bool,
    #[serde(default)]
    disabled_after_first: bool,
    covered: Option<CoveringLayer>,
}

/// A fixed layer (consent banner, modal) over the element the flows wanted to click.
#[derive(Debug, Deserialize)]
struct CoveringLayer {
    text: String,
    buttons: Vec<LayerButton>,
}

#[derive(Debug, Deserialize)]
struct LayerButton {
    selector: String,
    text: String,
}

impl Tab {
    pub fn new(session: Box<dyn Session>, ctx: Arc<RunContext>, flow: &str) -> Self {
        Tab {
            session,
            ctx,
            flow: flow.to_string(),
        }
    }

    fn eval_json<T: serde::de::DeserializeOwned>(
        &self,
        body: &str,
        timeout: Duration,
    ) -> anyhow::Result<T> {
        let expression = format!("(async () => JSON.stringify(await ({body})))()");
        let text = self.session.eval_string(&expression, timeout)?;
        Ok(serde_json::from_str(&text)?)
    }

    fn action_js(call: &str) -> String {
        format!("(() => {{ {ACTIONS_JS}; return window.__shopaudit.{call}; }})()")
    }

    fn redact(&self, mut state: PageState) -> PageState {
        let r = &self.ctx.redactor;
        state.text = r.clean(&state.text);
        state.main_text = r.clean(&state.main_text);
        for m in &mut state.messages {
            m.text = r.clean(&m.text);
        }
        for f in &mut state.forms {
            f.text = r.clean(&f.text);
        }
        state
    }

    /// The current page's state, in one command.
    pub fn read(&mut self) -> Result<PageState, StepFailed> {
        let timeout = self.ctx.step_timeout;
        self.eval_json::<PageState>(PAGE_STATE_JS, timeout)
            .map(|s| self.redact(s))
            .map_err(|e| self.fail("read page", &format!("could not read the page: {e}")))
    }

    /// Opens `url` and waits for the new page to load.
    pub fn goto(&mut self, url: &str) -> Result<PageState, StepFailed> {
        let step = format!("open {url}");
        let call = format!(
            "go({})",
            serde_json::to_string(url).expect("a string serialises")
        );
        // The old document may be gone before the answer arrives: that is not an error.
        let _ = self.eval_json::<serde_json::Value>(&Self::action_js(&call), self.ctx.step_timeout);
        let state = self.settle(&step, true);
        self.note_events(&step);
        let state = state?;
        if state.is_browser_error_page() {
            return Err(self.fail(&step, &format!("{url} did not answer")));
        }
        Ok(state)
    }

    /// Clicks the element and waits for what follows: a new page or an update of this one.
    pub fn click(&mut self, selector: &str, what: &str) -> Result<PageState, StepFailed> {
        let step = format!("click {what}");
        let call = format!(
            "click({})",
            serde_json::to_string(selector).expect("a string serialises")
        );
        let mut layers_dismissed = 0;
        loop {
            let clicked = self
                .eval_json::<ClickResult>(&Self::action_js(&call), self.ctx.step_timeout)
                .map_err(|e| self.fail(&step, &format!("could not click {what}: {e}")))?;
            if clicked.clicked {
                break;
            }
            match clicked.covered {
                Some(layer) => {
                    self.dismiss_layer(&step, what, &layer, layers_dismissed)?;
                    layers_dismissed += 1;
                }
                None => {
                    return Err(self.fail(&step, &format!("{what} ({selector}) is not on the page")))
                }
            }
        }
        let result = self.settle(&step, false);
        self.note_events(&step);
        result
    }

    /// Gets a layer covering the page out of the way as a customer does: presses its accept
    /// button (phrases in `checks/browser-flows.toml`, list `consent_accept`), else its close
    /// button (`layer_close`), and waits for the page to settle. Fails when there is no such
    /// button, or the layer keeps coming back.
    fn dismiss_layer(
        &mut self,
        step: &str,
        what: &str,
        layer: &CoveringLayer,
        dismissed_before: usize,
    ) -> Result<(), StepFailed> {
        let text = self.ctx.redactor.clean(&layer.text);
        if dismissed_before >= 2 {
            return Err(self.fail(
                step,
                &format!("{what} stays covered by a layer (\"{text}\") after pressing its accept button twice"),
            ));
        }
        let pick = |list: &str| {
            layer
                .buttons
                .iter()
                .filter(|b| super::common::matches(list, &b.text))
                .min_by_key(|b| b.text.len())
        };
        let accept = pick("consent_accept").or_else(|| pick("layer_close"));
        let Some(button) = accept else {
            let buttons: Vec<&str> = layer.buttons.iter().map(|b| b.text.as_str()).collect();
            return Err(self.fail(
                step,
                &format!(
                    "{what} is covered by a layer (\"{text}\") with no accept or close button shopaudit recognises (its buttons: {})",
                    if buttons.is_empty() { "none".to_string() } else { buttons.join(", ") }
                ),
            ));
        };
        let call = format!(
            "click({})",
            serde_json::to_string(&button.selector).expect("a string serialises")
        );
        self.eval_json::<ClickResult>(&Self::action_js(&call), self.ctx.step_timeout)
            .map_err(|e| {
                self.fail(
                    step,
                    &format!(
                        "could not press '{}' on the layer covering {what}: {e}",
                        button.text
                    ),
                )
            })?;
        let after = self.settle(step, false)?;
        let label = format!("pressed '{}' on a layer covering the page", button.text);
        self.snap(&label, Some(&after.url));
        self.note(format!(
            "{}: a layer covered the page (\"{text}\"); shopaudit pressed '{}' and went on",
            self.flow, button.text
        ));
        Ok(())
    }

    /// Records what the page did during `step` (dialogs answered, windows closed), each as a
    /// step with a screenshot of the page after it and a note for the report.
    fn note_events(&mut self, step: &str) {
        for event in self.session.take_events() {
            let (name, note) = match event {
                PageEvent::Dialog {
                    kind,
                    message,
                    accepted,
                } => (
                    format!("{kind} dialog answered"),
                    format!(
                        "{step}: the page opened {} {kind} dialog (\"{message}\"); shopaudit pressed {}",
                        if kind.starts_with('a') { "an" } else { "a" },
                        if accepted { "OK" } else { "Cancel" }
                    ),
                ),
                PageEvent::Popup { url, closed } => (
                    "popup window".to_string(),
                    format!(
                        "{step}: the page opened a window ({url}){}",
                        if closed {
                            "; shopaudit closed it and went on in the store's tab"
                        } else {
                            ", which shopaudit could not close"
                        }
                    ),
                ),
            };
            self.snap(&name, None);
            self.note(format!("{}: {note}", self.flow));
        }
    }

    fn note(&self, text: String) {
        let text = self.ctx.redactor.clean(&text);
        self.ctx.notes.lock().expect("notes").push(text);
    }

    /// Whether the browser has exited under the flows.
    pub fn browser_gone(&self) -> bool {
        self.session.browser_gone()
    }

    /// Two clicks 20 ms apart (the first request is on its way, the page not yet replaced). Returns whether the element was disabled (or gone) after the
    /// first click, and the page that followed.
    pub fn double_click(
        &mut self,
        selector: &str,
        what: &str,
    ) -> Result<(bool, PageState), StepFailed> {
        let step = format!("double-click {what}");
        let call = format!(
            "doubleClick({})",
            serde_json::to_string(selector).expect("a string serialises")
        );
        // When the first click's page arrives within 20 ms the evaluation is cut short by the
        // navigation; the button was then effectively not clickable twice.
        let result = self.eval_json::<ClickResult>(
            &format!("(async () => {{ {ACTIONS_JS}; return await window.__shopaudit.{call}; }})()"),
            self.ctx.step_timeout,
        );
        let disabled = match &result {
            Ok(r) if !r.clicked => {
                let why = match &r.covered {
                    Some(layer) => format!(
                        "{what} ({selector}) is covered by a layer (\"{}\")",
                        self.ctx.redactor.clean(&layer.text)
                    ),
                    None => format!("{what} ({selector}) is not on the page"),
                };
                return Err(self.fail(&step, &why));
            }
            Ok(r) => r.disabled_after_first,
            Err(_) => true,
        };
        let state = self.settle(&step, false);
        self.note_events(&step);
        Ok((disabled, state?))
    }

    /// Sets the values of a form's fields in one command.
    pub fn fill(&mut self, actions: &[FillAction]) -> Result<(), StepFailed> {
        if actions.is_empty() {
            return Ok(());
        }
        let call = format!(
            "fill({})",
            serde_json::to_string(actions).expect("fill actions serialise")
        );
        self.eval_json::<serde_json::Value>(&Self::action_js(&call), self.ctx.step_timeout)
            .map(|_| ())
            .map_err(|e| self.fail("fill form", &format!("could not fill the form: {e}")))
    }

    /// Polls until a new document has loaded (or, when `must_navigate` is false, until the
    /// current one stopped changing), within the step deadline. Each probe waits in the page
    /// (see `wait_in_page`), so a step costs the page's own load time plus a few commands.
    fn settle(&mut self, step: &str, must_navigate: bool) -> Result<PageState, StepFailed> {
        let started = Instant::now();
        let deadline = started + self.ctx.step_timeout;
        // Only between probes that came back without a page (the document was being replaced,
        // or the probe's time in the page ran out).
        let mut pause = Duration::ZERO;
        let mut last_error: Option<String> = None;
        let mut last_loading: Option<SettleProbe> = None;
        loop {
            std::thread::sleep(pause);
            pause = Duration::from_millis(20);
            let elapsed = started.elapsed();
            // A slow third-party script (an unreachable CDN) can hold a page in "loading" long
            // after its content is shown: accept a parsed page after 1.5 s, a visible one after 3 s.
            // Counted on in the page while the probe waits there (`began` is `wait_in_page`'s).
            let waited_ms = format!("({} + (Date.now() - began))", elapsed.as_millis());
            // A page whose HTML is still arriving is never ready: the server is holding it.
            let probe_js = format!(
                "(() => {{ const waited = {waited_ms};
                  const state = document.readyState;
                  const nav = performance.getEntriesByType('navigation')[0];
                  const htmlDone = state !== 'loading' || !nav || nav.responseEnd > 0;
                  const ready = state === 'complete' || (waited > 1500 && state === 'interactive')
                    || (waited > 3000 && htmlDone && !!document.body && document.body.children.length > 0);
                  if (window.__sa_mark) {{
                    const quiet = Date.now() - (window.__sa_last || 0);
                    return {{ phase: 'old', leaving: !!window.__sa_leaving, quiet_ms: quiet,
                      state: (!window.__sa_leaving && quiet > 500 && ready) ? {PAGE_STATE_JS} : null }};
                  }}
                  if (!ready) {{
                    const loaded = new Set(performance.getEntriesByType('resource').map((e) => e.name));
                    const pending = Array.from(document.scripts).find((s) => s.src && !s.async && !s.defer && !loaded.has(s.src));
                    return {{ phase: 'loading', url: location.href, html_done: htmlDone,
                      waiting_for: pending ? pending.src : null }};
                  }}
                  return {{ phase: 'new', state: {PAGE_STATE_JS} }};
                }})()"
            );
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                let secs = self.ctx.step_timeout.as_secs_f64();
                let reason = match &last_loading {
                    Some(SettleProbe {
                        url: Some(url),
                        html_done,
                        waiting_for,
                        ..
                    }) => {
                        // Stop it, as a customer would, before photographing what arrived.
                        let _ = self.session.stop_loading(Duration::from_secs(5));
                        let why = match (html_done, waiting_for) {
                            (false, _) => " (its HTML was still arriving)".to_string(),
                            (true, Some(script)) => format!(" (waiting for the script {script})"),
                            (true, None) => String::new(),
                        };
                        format!(
                            "{step}: the page {url} did not finish loading within {secs:.0} s{why}"
                        )
                    }
                    _ => {
                        let detail = last_error
                            .map(|e| format!(" (last page read failed: {e})"))
                            .unwrap_or_default();
                        format!("{step}: no answer within {secs:.0} s{detail}")
                    }
                };
                return Err(self.fail(step, &reason));
            }
            // Evaluations fail while a document is being replaced: poll again, and keep the
            // error for the timeout message in case it is not that.
            let waiting_probe = Self::wait_in_page(&probe_js, must_navigate, elapsed, remaining);
            let probe = match self.eval_json::<SettleProbe>(&waiting_probe, remaining) {
                Ok(p) => p,
                Err(e) => {
                    if self.session.browser_gone() {
                        return Err(self.fail(step, "the browser exited"));
                    }
                    last_error = Some(format!("{e:#}"));
                    continue;
                }
            };
            if probe.phase == "loading" {
                last_loading = Some(probe);
                continue;
            }
            last_loading = None;
            match (probe.phase.as_str(), probe.state) {
                ("new", Some(state)) => return Ok(self.redact(state)),
                ("old", Some(state))
                    if !must_navigate
                        && !probe.leaving
                        && probe.quiet_ms > 500
                        && started.elapsed() > Duration::from_millis(700) =>
                {
                    return Ok(self.redact(state))
                }
                _ => {}
            }
        }
    }

    /// Wraps a settle probe (an expression evaluated afresh on each try) so that it is retried
    /// in the page every 25 ms until it returns a page `settle` accepts, or until its time runs
    /// out (well before the command's deadline, so `settle` keeps control of the step's). A
    /// navigation destroys the old document and with it this wait: the evaluation then fails
    /// and `settle` probes the new document.
    fn wait_in_page(
        probe_js: &str,
        must_navigate: bool,
        elapsed: Duration,
        remaining: Duration,
    ) -> String {
        let budget_ms = remaining
            .saturating_sub(Duration::from_millis(250))
            .min(Duration::from_secs(2))
            .as_millis();
        format!(
            "(async () => {{ const began = Date.now();
              for (;;) {{
                const probe = {probe_js};
                const done = probe.phase === 'new' ? !!probe.state
                  : probe.phase === 'old' && {may_stay} && !!probe.state && !probe.leaving
                    && probe.quiet_ms > 500 && {elapsed_ms} + (Date.now() - began) > 700;
                if (done || Date.now() - began >= {budget_ms}) return probe;
                // A page read that was not taken (the page was quiet, but not long enough) is
                // costly: do not repeat it at full rate.
                await new Promise((r) => setTimeout(r, probe.state ? 100 : 25));
              }}
            }})()",
            may_stay = !must_navigate,
            elapsed_ms = elapsed.as_millis(),
        )
    }

    /// The `Cookie` header the customer's browser sends to the current site.
    pub fn cookie_header(&self) -> anyhow::Result<String> {
        let cookies = self.session.cookies(self.ctx.step_timeout)?;
        Ok(cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; "))
    }

    /// Saves a screenshot for this step and records the step. Returns the relative path.
    pub fn snap(&mut self, name: &str, url: Option<&str>) -> Option<String> {
        let path = self.screenshot(name);
        self.ctx.record(StepRecord {
            flow: self.flow.clone(),
            name: name.to_string(),
            url: url.map(str::to_string),
            screenshot: path.clone(),
            error: None,
        });
        path
    }

    fn screenshot(&self, name: &str) -> Option<String> {
        let dir = self.ctx.screenshot_dir.as_ref()?;
        let n = self.ctx.shots.fetch_add(1, Ordering::SeqCst) + 1;
        let slug: String = format!("{}-{}", self.flow, name)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect::<String>()
            .split('-')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let slug: String = slug.chars().take(60).collect();
        let file = format!("screenshots/{n:02}-{slug}.png");
        let png = self
            .session
            .screenshot_png(Duration::from_secs(8).min(self.ctx.step_timeout))
            .ok()?;
        std::fs::create_dir_all(dir.join("screenshots")).ok()?;
        std::fs::write(dir.join(&file), png).ok()?;
        Some(file)
    }

    /// Records a failed step with its screenshot and returns the error to propagate.
    pub fn fail(&self, step: &str, reason: &str) -> StepFailed {
        if self.session.browser_gone() {
            // Nothing left to photograph; the reason says what happened, not what timed out.
            let reason = self.ctx.redactor.clean(&format!(
                "the browser exited during the {} flow (step: {step})",
                self.flow
            ));
            self.ctx.record(StepRecord {
                flow: self.flow.clone(),
                name: step.to_string(),
                url: None,
                screenshot: None,
                error: Some(reason.clone()),
            });
            return StepFailed {
                reason,
                screenshot: None,
            };
        }
        let reason = self.ctx.redactor.clean(reason);
        let screenshot = self.screenshot(&format!("{step}-error"));
        self.ctx.record(StepRecord {
            flow: self.flow.clone(),
            name: step.to_string(),
            url: None,
            screenshot: screenshot.clone(),
            error: Some(reason.clone()),
        });
        StepFailed { reason, screenshot }
    }
}

/// One field to set, as the page script expects it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FillAction {
    pub selector: String,
    /// "text", "check" or "select".
    pub op: &'static str,
    pub value: String,
    /// Masked on screen after filling (card number, CVC).
    pub secret: bool,
}

/// Counts commands per flow: the difference of the driver's counters around the flow.
pub struct CommandMeter<'a> {
    driver: &'a dyn Driver,
    start: u32,
    start_time: Duration,
    started: Instant,
}

impl<'a> CommandMeter<'a> {
    pub fn start(driver: &'a dyn Driver) -> Self {
        CommandMeter {
            driver,
            start: driver.commands_sent(),
            start_time: driver.command_time(),
            started: Instant::now(),
        }
    }
    pub fn finish(self, flow: &str) -> crate::artifacts::FlowStats {
        crate::artifacts::FlowStats {
            flow: flow.to_string(),
            commands: self.driver.commands_sent().saturating_sub(self.start),
            command_ms: self
                .driver
                .command_time()
                .saturating_sub(self.start_time)
                .as_millis() as u64,
            wall_ms: self.started.elapsed().as_millis() as u64,
        }
    }
}

/// The commands a driver sent (all tabs) and the time spent waiting for their answers.
#[derive(Debug, Default)]
pub struct CommandLog {
    sent: AtomicU32,
    waited_us: AtomicU64,
}

impl CommandLog {
    /// Sends one command (`call`) and accounts for it.
    pub fn time<T>(&self, call: impl FnOnce() -> T) -> T {
        self.sent.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let result = call();
        self.waited_us
            .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        result
    }
    pub fn sent(&self) -> u32 {
        self.sent.load(Ordering::Relaxed)
    }
    pub fn waited(&self) -> Duration {
        Duration::from_micros(self.waited_us.load(Ordering::Relaxed))
    }
}

/// Shared by the driver and its tabs.
pub type CommandCounter = Arc<CommandLog>;
