//! Browser faults a real store throws at a customer: JavaScript dialogs, a popup window, a
//! cookie-consent layer over the page, a payment page that never finishes loading, and Chromium
//! dying mid-flow. Each run must end in bounded time with a handled step or an `error` naming
//! what happened, with screenshots, and leave no Chromium behind.

use crate::browser::{
    audit, chromium_available, chromium_processes_under, launch_remote_chromium, statuses,
    BROWSER_CHECKS, ORDER_CHECKS,
};
use shopaudit::fixture::store;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

/// The step deadline the hanging-page runs use, and the bound a whole run must stay under: far
/// above what a run takes, far below what a hang without our own deadlines would take.
const STEP_SECS: u64 = 12;
const RUN_BOUND: Duration = Duration::from_secs(30 * STEP_SECS);

struct FaultRun {
    out: Output,
    checks: BTreeMap<String, (String, String)>,
    report: serde_json::Value,
    saved: serde_json::Value,
    artifacts: std::path::PathBuf,
    orders: usize,
    elapsed: Duration,
}

impl FaultRun {
    fn warnings(&self) -> Vec<String> {
        self.report["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .map(|w| w.as_str().unwrap().to_string())
            .collect()
    }

    /// The recorded steps named `name` (or starting with it), with their screenshot files.
    fn steps_named(&self, name: &str) -> Vec<(serde_json::Value, Option<std::path::PathBuf>)> {
        self.saved["browser"]["data"]["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .filter(|s| s["name"].as_str().is_some_and(|n| n.starts_with(name)))
            .map(|s| {
                let shot = s["screenshot"].as_str().map(|p| self.artifacts.join(p));
                (s.clone(), shot)
            })
            .collect()
    }

    fn assert_status(&self, ids: &[&str], want: &str, variant: &str) {
        for id in ids {
            let (status, summary) = &self.checks[*id];
            assert_eq!(status, want, "{variant}: {id}: {summary}");
        }
    }
}

/// Audits `variant` with --place-orders and saved artifacts, under a private TMPDIR, and checks
/// that no Chromium of this run is left afterwards.
fn run_fault_variant(variant: &str, config: Option<&str>) -> FaultRun {
    let tmp = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let artifacts = tmp.path().join("artifacts");
    let mut args = vec![
        "--place-orders".to_string(),
        "--save-artifacts".to_string(),
        artifacts.display().to_string(),
    ];
    if let Some(text) = config {
        let path = tmp.path().join("shopaudit.toml");
        std::fs::write(&path, text).unwrap();
        args.extend(["--config".to_string(), path.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (out, orders, elapsed) = runtime.block_on(async {
        let (server, handle) = store::start(variant, 0).await.unwrap();
        let started = Instant::now();
        let out = audit(&server.url(), &args, tmp.path()).await;
        let elapsed = started.elapsed();
        let orders = handle.orders_placed();
        server.stop().await;
        (out, orders, elapsed)
    });
    assert_no_chromium_left(tmp.path());
    eprintln!("{variant}: audited in {:.1} s", elapsed.as_secs_f64());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{variant}: not a JSON report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let saved: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(artifacts.join("artifacts.json")).expect("artifacts saved"),
    )
    .unwrap();
    // The artifacts folder outlives the temporary folder's guard only as long as this run.
    let kept = tempfile::tempdir().unwrap().keep();
    copy_dir(&artifacts, &kept);
    FaultRun {
        checks: statuses(&out),
        out,
        report,
        saved,
        artifacts: kept,
        orders,
        elapsed,
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// No Chromium process names this test's folder (killed ones may take a moment to be reaped).
fn assert_no_chromium_left(tmp: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = chromium_processes_under(tmp);
        if left.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "Chromium processes left after the run: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn assert_screenshot(shot: &Option<std::path::PathBuf>, what: &str) {
    let path = shot
        .as_ref()
        .unwrap_or_else(|| panic!("{what}: no screenshot"));
    let size = std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{what}: {}: {e}", path.display()))
        .len();
    assert!(size > 1000, "{what}: {} is {size} bytes", path.display());
}

/// An alert on add-to-cart and a confirm before the order: OK on both (the confirm guards the
/// order shopaudit was allowed to place), each recorded with a screenshot, the order placed.
#[test]
fn javascript_dialogs_are_answered_and_recorded() {
    if !chromium_available() {
        return;
    }
    let run = run_fault_variant("browser-dialogs", None);
    run.assert_status(&BROWSER_CHECKS, "pass", "browser-dialogs");
    assert!(run.orders >= 1, "the confirm was not accepted: no order");
    let warnings = run.warnings();
    assert!(
        warnings.iter().any(|w| w
            .contains("opened a confirm dialog (\"Place this order? Your card will be charged")
            && w.contains("shopaudit pressed OK")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("opened an alert dialog (\"Adding this item to your cart.\")")),
        "{warnings:?}"
    );
    for name in ["confirm dialog answered", "alert dialog answered"] {
        let steps = run.steps_named(name);
        assert!(!steps.is_empty(), "no step '{name}'");
        for (_, shot) in &steps {
            assert_screenshot(shot, name);
        }
    }
    assert!(run.elapsed < RUN_BOUND, "{:?}", run.elapsed);
}

/// Add to cart opens a newsletter window: it is recorded, closed, and the flows go on in the
/// store's tab.
#[test]
fn a_popup_window_is_closed_and_the_flow_goes_on() {
    if !chromium_available() {
        return;
    }
    let run = run_fault_variant("browser-popup", None);
    run.assert_status(&BROWSER_CHECKS, "pass", "browser-popup");
    let warnings = run.warnings();
    let popups: Vec<&String> = warnings
        .iter()
        .filter(|w| w.contains("opened a window (http://127.0.0.1:"))
        .collect();
    assert!(!popups.is_empty(), "{warnings:?}");
    for w in &popups {
        assert!(w.contains("/newsletter-signup)"), "{w}");
        assert!(w.contains("shopaudit closed it"), "{w}");
    }
    let steps = run.steps_named("popup window");
    assert_eq!(steps.len(), popups.len(), "one step per popup");
    for (_, shot) in &steps {
        assert_screenshot(shot, "popup window");
    }
    assert!(run.elapsed < RUN_BOUND, "{:?}", run.elapsed);
}

/// A consent layer catching every click: "Accept all" is pressed (not the "Manage preferences"
/// decoy) and the audit goes on; a layer whose buttons say nothing shopaudit knows (German)
/// makes the browser checks errors that say which click it covered.
#[test]
fn a_cookie_consent_layer_is_accepted_or_named_as_the_blocker() {
    if !chromium_available() {
        return;
    }
    let run = run_fault_variant("browser-consent", None);
    run.assert_status(&BROWSER_CHECKS, "pass", "browser-consent");
    let warnings = run.warnings();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("a layer covered the page")
                && w.contains("We value your privacy")
                && w.contains("shopaudit pressed 'Accept all'")),
        "{warnings:?}"
    );
    let steps = run.steps_named("pressed 'Accept all' on a layer covering the page");
    assert!(!steps.is_empty(), "no consent step recorded");
    for (_, shot) in &steps {
        assert_screenshot(shot, "consent accepted");
    }

    let blocked = run_fault_variant("browser-consent-unknown", None);
    blocked.assert_status(&BROWSER_CHECKS, "error", "browser-consent-unknown");
    for id in BROWSER_CHECKS {
        let summary = &blocked.checks[id].1;
        assert!(
            summary.contains("is covered by a layer (\"We value your privacy")
                && summary.contains("no accept or close button shopaudit recognises")
                && summary.contains("Alle akzeptieren"),
            "{id}: {summary}"
        );
    }
    assert_eq!(blocked.orders, 0);
    let errors: Vec<_> = blocked.saved["browser"]["data"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["error"].as_str().is_some_and(|e| e.contains("covered")))
        .collect();
    assert!(!errors.is_empty(), "no failed step recorded");
    for step in errors {
        let shot = step["screenshot"]
            .as_str()
            .map(|p| blocked.artifacts.join(p));
        assert_screenshot(&shot, "covered click");
    }
    let scored = blocked
        .checks
        .iter()
        .filter(|(id, (s, _))| !BROWSER_CHECKS.contains(&id.as_str()) && s == "pass")
        .count();
    assert!(
        scored >= 10,
        "static checks not judged: {:?}",
        blocked.checks
    );
    assert!(blocked.elapsed < RUN_BOUND, "{:?}", blocked.elapsed);
}

/// The payment page never finishes loading, once because its HTML stops half-way and once
/// because a blocking script never answers: the checkout stops at the step deadline with an
/// error naming the page and the cause, registration is still judged, the run stays bounded.
#[test]
fn a_payment_page_that_never_finishes_loading_hits_the_step_deadline() {
    if !chromium_available() {
        return;
    }
    let config = format!("[browser]\nstep_timeout_secs = {STEP_SECS}\n");
    for (variant, cause) in [
        (
            "browser-hang-html",
            "(its HTML was still arriving)".to_string(),
        ),
        (
            "browser-hang-script",
            "(waiting for the script http://127.0.0.1:".to_string(),
        ),
    ] {
        let run = run_fault_variant(variant, Some(&config));
        run.assert_status(
            &["long-registration-form", "broken-login-after-registration"],
            "pass",
            variant,
        );
        let checkout_checks: Vec<&str> = BROWSER_CHECKS[2..].to_vec();
        run.assert_status(&checkout_checks, "error", variant);
        for id in checkout_checks {
            let summary = &run.checks[id].1;
            assert!(
                summary.contains(&format!(
                    "/checkout/payment did not finish loading within {STEP_SECS} s"
                )) && summary.contains(&cause),
                "{variant}: {id}: {summary}"
            );
        }
        assert_eq!(run.orders, 0, "{variant}");
        // The guest's walk photographed each checkout step up to the hanging one.
        let shots = run.steps_named("checkout step");
        assert!(!shots.is_empty(), "{variant}: no checkout step recorded");
        for (_, shot) in &shots {
            assert_screenshot(shot, "checkout step");
        }
        if variant == "browser-hang-html" {
            // What had arrived of the page is photographed when the step fails. (A page blocked
            // in its <head> paints nothing, so the other variant has no such picture.)
            let failed: Vec<_> = run.saved["browser"]["data"]["steps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| {
                    s["error"]
                        .as_str()
                        .is_some_and(|e| e.contains("did not finish loading"))
                })
                .cloned()
                .collect();
            assert!(!failed.is_empty(), "no failed step recorded");
            let shot = failed[0]["screenshot"]
                .as_str()
                .map(|p| run.artifacts.join(p));
            assert_screenshot(&shot, "hanging page");
        }
        assert!(
            run.elapsed < RUN_BOUND,
            "{variant}: {:?} for a step deadline of {STEP_SECS} s",
            run.elapsed
        );
        assert!(
            matches!(run.out.status.code(), Some(0) | Some(1)),
            "{variant}: exit {:?}",
            run.out.status
        );
    }
}

/// Chromium's browser process is killed (SIGKILL) once the store has registered the audit's
/// account:
/// every browser check is an error saying the browser exited, the static checks are still
/// judged, the exit code is the gate's, nothing of Chromium is left.
#[test]
fn chromium_killed_mid_flow_makes_the_browser_checks_errors() {
    if !chromium_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (output, elapsed) = runtime.block_on(async {
        let (server, handle) = store::start("good", 0).await.unwrap();
        let started = Instant::now();
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_shopaudit"))
            .args(["audit", &server.url(), "--format", "json", "--quiet"])
            .args(["--max-pages", "40", "--place-orders"])
            .env("NO_COLOR", "1")
            .env("TMPDIR", tmp.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(180);
        while handle.accounts() == 0 {
            assert!(Instant::now() < deadline, "the audit never registered");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let running = chromium_processes_under(tmp.path());
        assert!(!running.is_empty(), "no Chromium running mid-flow");
        // The browser process itself (shopaudit's child), as the OOM killer would pick it: its
        // zygote and renderers are left orphaned, and must not survive the run either.
        let shopaudit_pid = child.id().expect("the audit runs");
        let victims: Vec<u32> = running
            .iter()
            .copied()
            .filter(|pid| parent_of(*pid) == Some(shopaudit_pid))
            .collect();
        assert!(
            !victims.is_empty(),
            "no Chromium is a child of shopaudit: {running:?}"
        );
        for pid in victims {
            // SAFETY: kill(2) on a Chromium process of this test's run.
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGKILL);
            }
        }
        let output = tokio::time::timeout(RUN_BOUND, child.wait_with_output())
            .await
            .expect("the audit ends after Chromium died")
            .unwrap();
        let elapsed = started.elapsed();
        server.stop().await;
        (output, elapsed)
    });
    assert_no_chromium_left(tmp.path());
    eprintln!(
        "Chromium killed mid-flow: the audit ended after {:.1} s",
        elapsed.as_secs_f64()
    );
    assert!(
        matches!(output.status.code(), Some(0) | Some(1)),
        "exit {:?}; stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let checks = statuses(&output);
    for id in BROWSER_CHECKS {
        let (status, summary) = &checks[id];
        assert_eq!(status, "error", "{id}: {summary}");
        assert!(
            summary.contains("the browser exited during the registration flow"),
            "{id}: {summary}"
        );
    }
    for id in ORDER_CHECKS {
        assert!(checks[id].1.contains("no order placed") || checks[id].1.contains("exited"));
    }
    let scored = checks
        .iter()
        .filter(|(id, (s, _))| !BROWSER_CHECKS.contains(&id.as_str()) && s == "pass")
        .count();
    assert!(scored >= 10, "static checks not judged: {checks:?}");
    assert!(elapsed < RUN_BOUND, "{elapsed:?}");
}

/// A browser driven over `--browser-ws` (no process of shopaudit's) dies mid-flow: the lost
/// connection is told apart from a slow page, and the browser checks are errors saying so.
#[test]
fn a_remote_browser_dying_mid_flow_makes_the_browser_checks_errors() {
    if !chromium_available() {
        return;
    }
    let profile = tempfile::tempdir().unwrap();
    let (mut remote, ws_url) = launch_remote_chromium(profile.path());
    let tmp = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (output, elapsed) = runtime.block_on(async {
        let (server, handle) = store::start("good", 0).await.unwrap();
        let started = Instant::now();
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_shopaudit"))
            .args(["audit", &server.url(), "--format", "json", "--quiet"])
            .args(["--max-pages", "40", "--browser-ws", &ws_url])
            .env("NO_COLOR", "1")
            .env("TMPDIR", tmp.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(180);
        while handle.accounts() == 0 {
            assert!(Instant::now() < deadline, "the audit never registered");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        remote.kill().unwrap();
        remote.wait().unwrap();
        let output = tokio::time::timeout(RUN_BOUND, child.wait_with_output())
            .await
            .expect("the audit ends after the browser died")
            .unwrap();
        let elapsed = started.elapsed();
        server.stop().await;
        (output, elapsed)
    });
    assert_no_chromium_left(profile.path());
    eprintln!(
        "remote browser killed mid-flow: the audit ended after {:.1} s",
        elapsed.as_secs_f64()
    );
    assert!(
        matches!(output.status.code(), Some(0) | Some(1)),
        "exit {:?}",
        output.status
    );
    let checks = statuses(&output);
    for id in BROWSER_CHECKS {
        let (status, summary) = &checks[id];
        assert_eq!(status, "error", "{id}: {summary}");
        assert!(
            summary.contains("the browser exited during"),
            "{id}: {summary}"
        );
    }
    assert!(elapsed < RUN_BOUND, "{elapsed:?}");
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Ctrl-C while the payment page hangs: exit 130 at once, no Chromium left.
#[test]
fn interrupt_while_a_page_hangs_exits_130_and_kills_chromium() {
    if !chromium_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("slow.toml");
    // A deadline far beyond the test's: only the interrupt can end this run in time.
    std::fs::write(&config, "[browser]\nstep_timeout_secs = 600\n").unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (server, handle) = store::start("browser-hang-html", 0).await.unwrap();
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_shopaudit"))
            .args(["audit", &server.url(), "--format", "json", "--quiet"])
            .args(["--max-pages", "40", "--place-orders", "--config"])
            .arg(&config)
            .env("TMPDIR", tmp.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id().unwrap();
        let deadline = Instant::now() + Duration::from_secs(240);
        while handle.hangs_started() == 0 {
            assert!(
                Instant::now() < deadline,
                "the payment page was never reached"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        // SAFETY: kill(2) on the child we spawned.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGINT);
        }
        let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
            .await
            .expect("the audit stops after Ctrl-C")
            .unwrap();
        assert_eq!(status.code(), Some(130));
        server.stop().await;
    });
    assert_no_chromium_left(tmp.path());
}
