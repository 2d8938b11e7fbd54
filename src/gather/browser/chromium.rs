//! The `Driver` over headless_chrome: launches Chromium (or connects to a running one) and
//! makes sure a launched Chromium never outlives the run, Ctrl-C included.

use super::driver::{CommandCounter, Driver, PageEvent, Session};
use base64::Engine as _;
use headless_chrome::browser::transport::ConnectionClosed;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::Page::{
    CaptureScreenshot, CaptureScreenshotFormatOption, DialogType,
};
use headless_chrome::{Browser, LaunchOptions, Tab};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The reason shown for every browser check when no Chromium can be found.
pub const NOT_FOUND: &str =
    "Chromium not found: install it with `apt-get install chromium` or pass --browser PATH";

const CANDIDATES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

/// The configured executable, or the first candidate on PATH.
pub fn find_executable(configured: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = configured {
        return is_executable(path).then(|| path.to_path_buf());
    }
    let path_var = std::env::var_os("PATH")?;
    CANDIDATES.iter().find_map(|name| {
        std::env::split_paths(&path_var)
            .map(|dir| dir.join(name))
            .find(|p| is_executable(p))
    })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Profile folders of the Chromiums this process launched, registered before each launch: a
/// Chromium is found by its `--user-data-dir` even while headless_chrome is still starting it.
static PROFILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Kills every Chromium this process launched, with its child processes, and removes their
/// profile folders. Called on Ctrl-C (and harmless when nothing runs).
pub fn kill_launched() {
    let profiles = std::mem::take(&mut *PROFILES.lock().unwrap_or_else(|e| e.into_inner()));
    for profile in profiles {
        for pid in processes_mentioning(&profile) {
            kill_tree(pid);
        }
        let _ = std::fs::remove_dir_all(profile);
    }
}

/// Processes whose command line contains `path`.
fn processes_mentioning(path: &Path) -> Vec<u32> {
    let needle = path.to_string_lossy().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&needle))
        })
        .collect()
}

/// SIGKILLs `pid` and all its descendants (Chromium's zygote and renderers), children first
/// collected so none is re-parented out of reach.
fn kill_tree(pid: u32) {
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        tree.extend(children_of(tree[i]));
        i += 1;
    }
    for p in tree {
        // SAFETY: kill(2) with a pid we collected; at worst the process is already gone.
        unsafe {
            libc::kill(p as libc::pid_t, libc::SIGKILL);
        }
    }
}

fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| parent_of(*p) == Some(pid))
        .collect()
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: fields restart after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

pub struct Chromium {
    browser: Browser,
    counter: CommandCounter,
    version: Option<String>,
    launched: Option<(u32, tempfile::TempDir)>,
}

impl Chromium {
    /// Launches a headless Chromium with a fresh profile.
    pub fn launch(path: &Path) -> anyhow::Result<Chromium> {
        let profile = tempfile::Builder::new()
            .prefix("shopaudit-chromium-")
            .tempdir()?;
        let args: Vec<&OsStr> = [
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--no-default-browser-check",
            "--password-store=basic",
        ]
        .iter()
        .map(OsStr::new)
        .collect();
        let options = LaunchOptions::default_builder()
            .path(Some(path.to_path_buf()))
            .headless(true)
            // Chromium refuses to start as root with its sandbox on.
            .sandbox(!running_as_root())
            .user_data_dir(Some(profile.path().to_path_buf()))
            .window_size(Some((1280, 900)))
            .idle_browser_timeout(Duration::from_secs(600))
            .args(args)
            .build()
            .map_err(|e| anyhow::anyhow!("invalid launch options: {e}"))?;
        PROFILES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(profile.path().to_path_buf());
        let browser = Browser::new(options)?;
        let pid = browser.get_process_id();
        Ok(Self::wrap(browser, pid.map(|p| (p, profile))))
    }

    /// Connects to a running browser's DevTools websocket; it keeps running afterwards.
    pub fn connect(ws_url: &str) -> anyhow::Result<Chromium> {
        let browser = Browser::connect_with_timeout(ws_url.to_string(), Duration::from_secs(600))?;
        Ok(Self::wrap(browser, None))
    }

    fn wrap(browser: Browser, launched: Option<(u32, tempfile::TempDir)>) -> Chromium {
        let version = browser.get_version().ok().map(|v| v.product);
        Chromium {
            browser,
            counter: CommandCounter::default(),
            version,
            launched,
        }
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        // headless_chrome kills the browser process itself when the Browser is dropped; the
        // renderers it leaves behind die with their parent, but a kill of the whole tree makes
        // sure of it.
        if let Some((pid, profile)) = self.launched.take() {
            kill_tree(pid);
            // A browser process killed from outside leaves its zygote and renderers re-parented
            // out of its tree; they still name the profile.
            for orphan in processes_mentioning(profile.path()) {
                kill_tree(orphan);
            }
            PROFILES
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|p| p != profile.path());
            drop(profile);
        }
    }
}

fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

struct ChromiumTab {
    tab: Arc<Tab>,
    counter: CommandCounter,
    /// A remote browser outlives the run: its tabs are closed when done with.
    close_on_drop: bool,
    /// The launched browser's process, to tell a browser that exited from a slow one.
    pid: Option<u32>,
    /// Set when a command found the DevTools connection closed (a remote browser that went
    /// away has no process of ours to look at).
    connection_lost: Arc<AtomicBool>,
    /// Every tab of the browser (popups appear here).
    browser_tabs: Arc<Mutex<Vec<Arc<Tab>>>>,
    /// Dialogs answered and windows opened since the flows last asked.
    events: Arc<Mutex<Vec<PageEvent>>>,
}

impl ChromiumTab {
    /// Passes `result` on, noting a closed DevTools connection.
    fn noting_loss<T>(&self, result: anyhow::Result<T>) -> anyhow::Result<T> {
        if let Err(e) = &result {
            if e.chain().any(|c| c.is::<ConnectionClosed>()) {
                self.connection_lost.store(true, Ordering::SeqCst);
            }
        }
        result
    }

    /// Answers every JavaScript dialog as soon as it opens (an open dialog blocks every script
    /// until answered) and notes it, with the windows the page opens.
    fn watch(&self) -> anyhow::Result<()> {
        let events = self.events.clone();
        let tab = Arc::downgrade(&self.tab);
        self.tab
            .add_event_listener(Arc::new(move |event: &Event| match event {
                Event::PageJavascriptDialogOpening(e) => {
                    let (kind, accept) = match e.params.Type {
                        // OK on an alert; OK on a confirm, which only ever follows a click the flows
                        // meant (they never press the final button without --place-orders); leave a
                        // page that asks whether to.
                        DialogType::Alert => ("alert", true),
                        DialogType::Confirm => ("confirm", true),
                        DialogType::Beforeunload => ("leave-page", true),
                        // No answer to type: Cancel.
                        DialogType::Prompt => ("prompt", false),
                    };
                    lock(&events).push(PageEvent::Dialog {
                        kind: kind.into(),
                        message: e.params.message.clone(),
                        accepted: accept,
                    });
                    // Answered from another thread: this one delivers the tab's events, the answer
                    // must not wait on it.
                    if let Some(tab) = tab.upgrade() {
                        std::thread::spawn(move || {
                            let dialog = tab.get_dialog();
                            let _ = if accept {
                                dialog.accept(None)
                            } else {
                                dialog.dismiss()
                            };
                        });
                    }
                }
                Event::PageWindowOpen(e) => lock(&events).push(PageEvent::Popup {
                    url: e.params.url.clone(),
                    closed: false,
                }),
                _ => {}
            }))?;
        Ok(())
    }

    /// Closes the windows this tab opened (found by their opener), waiting briefly for those
    /// announced but not yet created. Returns how many were closed.
    fn close_popups(&self, announced: usize) -> usize {
        let own = self.tab.get_target_id().clone();
        let deadline = std::time::Instant::now() + Duration::from_secs(3);
        let mut closed = std::collections::BTreeSet::new();
        loop {
            let candidates: Vec<Arc<Tab>> = lock(&self.browser_tabs)
                .iter()
                .filter(|t| *t.get_target_id() != own && !closed.contains(t.get_target_id()))
                .cloned()
                .collect();
            for candidate in candidates {
                let probe = candidate.clone();
                let info = self.counter.time(|| {
                    with_deadline(Duration::from_secs(3), "a window's details", move || {
                        probe.get_target_info()
                    })
                });
                if info.is_ok_and(|i| i.opener_id.as_ref() == Some(&own)) {
                    let id = candidate.get_target_id().clone();
                    let _ = self.counter.time(|| {
                        with_deadline(Duration::from_secs(3), "closing a window", move || {
                            candidate.close_target()
                        })
                    });
                    closed.insert(id);
                }
            }
            if closed.len() >= announced || std::time::Instant::now() >= deadline {
                return closed.len();
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether the process is gone (or a zombie waiting to be reaped).
fn process_exited(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            .is_none_or(|state| state == "Z" || state == "X"),
    }
}

impl Drop for ChromiumTab {
    fn drop(&mut self) {
        if self.close_on_drop {
            let tab = self.tab.clone();
            let _ = with_deadline(Duration::from_secs(3), "closing a tab", move || {
                tab.close(false)
            });
        }
    }
}

/// Runs a blocking headless_chrome call on its own thread so a stuck call cannot outlive its
/// deadline (the thread is abandoned and ends when the browser goes away).
fn with_deadline<T: Send + 'static>(
    timeout: Duration,
    what: &str,
    call: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(call());
    });
    match rx.recv_timeout(timeout) {
        Ok(result) => result,
        Err(_) => anyhow::bail!(
            "the browser did not answer {what} within {:.0} s",
            timeout.as_secs_f64()
        ),
    }
}

impl Session for ChromiumTab {
    fn eval_string(&self, expression: &str, timeout: Duration) -> anyhow::Result<String> {
        let tab = self.tab.clone();
        let expression = expression.to_string();
        let value = self.noting_loss(self.counter.time(|| {
            with_deadline(timeout, "a script", move || {
                let object = tab.evaluate(&expression, true)?;
                Ok(object.value)
            })
        }))?;
        match value {
            Some(serde_json::Value::String(s)) => Ok(s),
            other => anyhow::bail!("the page script returned {other:?} instead of JSON text"),
        }
    }

    fn screenshot_png(&self, timeout: Duration) -> anyhow::Result<Vec<u8>> {
        let tab = self.tab.clone();
        self.noting_loss(self.counter.time(|| {
            with_deadline(timeout, "a screenshot", move || {
                // Chromium's fast PNG encoding: about half the time of its default one (40-50
                // against 90 ms for a 1280x900 page here), files a quarter larger, still lossless.
                let data = tab
                    .call_method(CaptureScreenshot {
                        format: Some(CaptureScreenshotFormatOption::Png),
                        quality: None,
                        clip: None,
                        from_surface: Some(true),
                        capture_beyond_viewport: None,
                        optimize_for_speed: Some(true),
                    })?
                    .data;
                Ok(base64::engine::general_purpose::STANDARD.decode(data)?)
            })
        }))
    }

    fn cookies(&self, timeout: Duration) -> anyhow::Result<Vec<(String, String)>> {
        self.cookie_pairs(timeout)
    }

    fn take_events(&self) -> Vec<PageEvent> {
        let mut events = std::mem::take(&mut *lock(&self.events));
        let announced = events
            .iter()
            .filter(|e| matches!(e, PageEvent::Popup { .. }))
            .count();
        if announced > 0 {
            let closed = self.close_popups(announced);
            for (i, e) in events
                .iter_mut()
                .filter(|e| matches!(e, PageEvent::Popup { .. }))
                .enumerate()
            {
                if let PageEvent::Popup { closed: c, .. } = e {
                    *c = i < closed;
                }
            }
        }
        events
    }

    fn browser_gone(&self) -> bool {
        self.connection_lost.load(Ordering::SeqCst) || self.pid.is_some_and(process_exited)
    }

    fn stop_loading(&self, timeout: Duration) -> anyhow::Result<()> {
        let tab = self.tab.clone();
        self.counter.time(|| {
            with_deadline(timeout, "stopping the page", move || {
                tab.stop_loading().map(|_| ())
            })
        })
    }
}

impl ChromiumTab {
    fn cookie_pairs(&self, timeout: Duration) -> anyhow::Result<Vec<(String, String)>> {
        let tab = self.tab.clone();
        self.counter.time(|| {
            with_deadline(timeout, "the cookie list", move || {
                Ok(tab
                    .get_cookies()?
                    .into_iter()
                    .map(|c| (c.name, c.value))
                    .collect())
            })
        })
    }
}

impl Driver for Chromium {
    fn open(&self, isolated: bool) -> anyhow::Result<Box<dyn Session>> {
        let tab = self.counter.time(|| -> anyhow::Result<_> {
            Ok(if isolated {
                self.browser.new_context()?.new_tab()?
            } else {
                self.browser.new_tab()?
            })
        })?;
        let session = ChromiumTab {
            tab,
            counter: self.counter.clone(),
            close_on_drop: self.launched.is_none(),
            pid: self.launched.as_ref().map(|(pid, _)| *pid),
            connection_lost: Default::default(),
            browser_tabs: self.browser.get_tabs().clone(),
            events: Default::default(),
        };
        session.watch()?;
        Ok(Box::new(session))
    }

    fn version(&self) -> Option<String> {
        self.version.clone()
    }

    fn commands_sent(&self) -> u32 {
        self.counter.sent()
    }

    fn command_time(&self) -> Duration {
        self.counter.waited()
    }
}
