//! Browser flows end to end: the real binary drives Chromium through every fixture store.
//! Under CI=true these tests fail when Chromium is missing; elsewhere they are skipped with a
//! note.

use crate::common::repo_root;
use shopaudit::fixture::store;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The browser checks, as the fixtures' expected.toml name them.
pub(crate) const BROWSER_CHECKS: [&str; 10] = [
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

/// The checks that need a placed order.
pub(crate) const ORDER_CHECKS: [&str; 5] = [
    "contradictory-payment-message",
    "duplicate-order-on-resubmit",
    "dead-post-purchase-link",
    "order-missing-from-account",
    "thin-order-confirmation",
];

pub(crate) fn chromium_available() -> bool {
    if shopaudit::gather::browser::chromium::find_executable(None).is_some() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and no Chromium on PATH: install it (apt-get install chromium)");
    }
    eprintln!("note: no Chromium on PATH, browser test skipped");
    false
}

/// Test secrets: the good store's run takes its password and card from these variables, and
/// neither may appear in the report or the saved artifacts (the fixture stores accept only the
/// public test card; its full number must not be written anywhere either).
const SECRET_PASSWORD: &str = "Correct-Horse-Battery-9";
const SECRET_CARD: &str = "4242424242424242";

/// Runs `shopaudit audit` with a private TMPDIR (where Chromium's profile goes, so the test can
/// find the processes of this run and no other).
pub(crate) async fn audit(url: &str, extra: &[&str], tmp: &Path) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_shopaudit"))
        .args(["audit", url, "--format", "json", "--quiet"])
        .args(["--max-pages", "40"])
        .args(extra)
        .env("NO_COLOR", "1")
        .env("TMPDIR", tmp)
        .env("SHOPAUDIT_TEST_PASSWORD", SECRET_PASSWORD)
        .env("SHOPAUDIT_TEST_CARD", SECRET_CARD)
        .output()
        .await
        .expect("the shopaudit binary runs")
}

/// A config naming the secret variables, and a folder for the saved artifacts.
fn secrets_setup(tmp: &Path) -> (PathBuf, PathBuf) {
    let config = tmp.join("secrets.toml");
    std::fs::write(
        &config,
        "[checkout]\npassword_env = \"SHOPAUDIT_TEST_PASSWORD\"\ncard_number_env = \"SHOPAUDIT_TEST_CARD\"\n",
    )
    .unwrap();
    (config, tmp.join("good-artifacts"))
}

/// The saved artifacts file, after checking the screenshots were saved next to it.
fn saved_text(dir: &Path) -> String {
    let json = std::fs::read_to_string(dir.join("artifacts.json")).expect("artifacts.json saved");
    let shots = std::fs::read_dir(dir.join("screenshots"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert!(
        shots >= 5,
        "only {shots} screenshots saved in {}",
        dir.display()
    );
    json
}

/// Every report format rendered from the saved artifacts, and what the run printed, as one
/// text to search for secrets.
fn every_format_of(artifacts_dir: &Path, tmp: &Path) -> String {
    let out_dir = tmp.join("every-format");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shopaudit"))
        .args(["report", "--from-artifacts"])
        .arg(artifacts_dir)
        .args([
            "--format",
            "table,json,html,markdown,junit,sarif",
            "--output-dir",
        ])
        .arg(&out_dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the shopaudit binary runs");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    let mut files = 0;
    for entry in std::fs::read_dir(&out_dir).expect("reports written") {
        let path = entry.unwrap().path();
        if let Ok(content) = std::fs::read_to_string(&path) {
            text.push_str(&content);
            files += 1;
        }
    }
    assert_eq!(files, 6, "one file per format in {}", out_dir.display());
    text
}

pub(crate) fn statuses(out: &Output) -> BTreeMap<String, (String, String)> {
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                (
                    c["status"].as_str().unwrap().to_string(),
                    c["summary"].as_str().unwrap_or("").to_string(),
                ),
            )
        })
        .collect()
}

pub(crate) fn expected(variant: &str) -> BTreeMap<String, String> {
    #[derive(serde::Deserialize)]
    struct Expected {
        checks: BTreeMap<String, String>,
    }
    let path = repo_root()
        .join("fixtures/stores")
        .join(variant)
        .join("expected.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    toml::from_str::<Expected>(&text).unwrap().checks
}

/// Chromium processes whose command line mentions `marker` (this test's TMPDIR).
pub(crate) fn chromium_processes_under(marker: &Path) -> Vec<u32> {
    let marker = marker.to_string_lossy().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| String::from_utf8_lossy(&c).contains(&marker))
                .unwrap_or(false)
        })
        .collect()
}

struct VariantRun {
    variant: String,
    place_orders: bool,
    orders_placed: usize,
    status: Option<i32>,
    checks: BTreeMap<String, (String, String)>,
}

async fn run_variant(variant: String, place_orders: bool, tmp: PathBuf) -> VariantRun {
    let (server, handle) = store::start(&variant, 0).await.expect("the store starts");
    let mut extra: Vec<String> = Vec::new();
    if place_orders {
        extra.push("--place-orders".into());
    }
    let secrets = variant == "good" && place_orders;
    let (config, artifacts_dir) = secrets_setup(&tmp);
    if secrets {
        extra.extend(["--config".into(), config.display().to_string()]);
        extra.extend([
            "--save-artifacts".into(),
            artifacts_dir.display().to_string(),
        ]);
    }
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let out = audit(&server.url(), &extra, &tmp).await;
    if secrets {
        let mut saved = saved_text(&artifacts_dir)
            + &String::from_utf8_lossy(&out.stdout)
            + &String::from_utf8_lossy(&out.stderr);
        saved.push_str(&every_format_of(&artifacts_dir, &tmp));
        for secret in [SECRET_PASSWORD, SECRET_CARD, "4242 4242 4242 4242"] {
            assert!(
                !saved.contains(secret),
                "a secret was written to a report, an artifact or the log"
            );
        }
        assert!(
            saved.contains("\"flow\": \"registration\""),
            "per-flow command counts are saved"
        );
    }
    let run = VariantRun {
        checks: statuses(&out),
        variant,
        place_orders,
        orders_placed: handle.orders_placed(),
        status: out.status.code(),
    };
    server.stop().await;
    run
}

/// Every fixture variant, audited with --place-orders, gives exactly the browser verdicts of its
/// expected.toml; the good store audited without opt-in places no order; no Chromium survives.
#[test]
fn fixture_variants_give_their_expected_browser_verdicts() {
    if !chromium_available() {
        return;
    }
    use futures::StreamExt;
    let tmp = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut jobs: Vec<(String, bool)> = store::variant_names()
        .into_iter()
        .map(|v| (v.to_string(), true))
        .collect();
    jobs.push(("good".to_string(), false));
    let tmp_path = tmp.path().to_path_buf();
    let runs: Vec<VariantRun> = runtime.block_on(
        futures::stream::iter(jobs)
            .map(|(v, place)| run_variant(v, place, tmp_path.clone()))
            .buffer_unordered(2)
            .collect(),
    );

    let mut mismatches = Vec::new();
    for run in &runs {
        assert!(
            matches!(run.status, Some(0) | Some(1)),
            "{}: exit {:?}",
            run.variant,
            run.status
        );
        if !run.place_orders {
            assert_eq!(run.orders_placed, 0, "an order was placed without opt-in");
            for id in ORDER_CHECKS {
                let (status, summary) = &run.checks[id];
                assert_eq!(status, "not-applicable", "{id} without opt-in: {summary}");
                assert!(summary.contains("--place-orders"), "{id}: {summary}");
            }
            continue;
        }
        let expected = expected(&run.variant);
        // A store whose checkout cannot be completed (a hanging page, a layer nothing gets
        // past) takes no order; every other one takes at least one.
        if ORDER_CHECKS
            .iter()
            .all(|id| expected.get(*id).map(String::as_str) == Some("error"))
        {
            assert_eq!(run.orders_placed, 0, "{}: an order was placed", run.variant);
        } else {
            assert!(run.orders_placed >= 1, "{}: no order placed", run.variant);
        }
        for id in BROWSER_CHECKS {
            let want = expected.get(id).map(String::as_str).unwrap_or("(missing)");
            let (got, summary) = &run.checks[id];
            if want != got {
                mismatches.push(format!(
                    "{}: {id} expected {want}, got {got} ({summary})",
                    run.variant
                ));
            }
        }
    }
    assert_eq!(
        chromium_processes_under(tmp.path()),
        Vec::<u32>::new(),
        "Chromium processes left after the runs"
    );
    assert!(
        mismatches.is_empty(),
        "verdicts differ from expected.toml:\n{}",
        mismatches.join("\n")
    );
}

/// Without Chromium the browser checks are errors with the install hint; the crawl checks are
/// still scored.
#[test]
fn missing_chromium_errors_only_the_browser_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (out, orders) = runtime.block_on(async {
        let (server, handle) = store::start("good", 0).await.unwrap();
        let out = audit(
            &server.url(),
            &["--browser", "/nonexistent/chromium", "--place-orders"],
            tmp.path(),
        )
        .await;
        let orders = handle.orders_placed();
        server.stop().await;
        (out, orders)
    });
    assert_eq!(orders, 0);
    let checks = statuses(&out);
    for id in BROWSER_CHECKS {
        let (status, summary) = &checks[id];
        assert_eq!(status, "error", "{id}: {summary}");
        assert!(
            summary.contains(
                "Chromium not found: install it with `apt-get install chromium` or pass --browser PATH"
            ),
            "{id}: {summary}"
        );
    }
    let scored = checks
        .iter()
        .filter(|(id, (status, _))| {
            !BROWSER_CHECKS.contains(&id.as_str())
                && matches!(status.as_str(), "pass" | "warn" | "fail")
        })
        .count();
    assert!(scored >= 5, "crawl checks were not scored: {checks:?}");
}

/// Ctrl-C during the browser flows ends the run with 130 and leaves no Chromium behind.
#[test]
fn interrupt_kills_chromium() {
    if !chromium_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (server, _handle) = store::start("good", 0).await.unwrap();
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_shopaudit"))
            .args(["audit", &server.url(), "--format", "json", "--quiet"])
            .env("TMPDIR", tmp.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
        while chromium_processes_under(tmp.path()).is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "Chromium never started"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        // Interrupt as a terminal would, while Chromium is still starting up (the hardest
        // moment: headless_chrome has not handed over the browser yet).
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        // SAFETY: kill(2) on the child we spawned.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGINT);
        }
        let status = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait())
            .await
            .expect("the audit stops after Ctrl-C")
            .unwrap();
        assert_eq!(status.code(), Some(130));
        // Killed processes may take a moment to be reaped by init.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let left = chromium_processes_under(tmp.path());
            if left.is_empty() {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "Chromium processes left after Ctrl-C: {left:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        server.stop().await;
    });
}

/// `--browser-ws` drives an already running Chromium (a remote pool's) and leaves it running.
#[test]
fn a_running_browser_is_driven_through_its_devtools_websocket() {
    if !chromium_available() {
        return;
    }
    let profile = tempfile::tempdir().unwrap();
    let (mut remote, ws_url) = launch_remote_chromium(profile.path());

    let tmp = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let out = runtime.block_on(async {
        let (server, _handle) = store::start("good", 0).await.unwrap();
        let out = audit(&server.url(), &["--browser-ws", &ws_url], tmp.path()).await;
        server.stop().await;
        out
    });
    let still_running = remote.try_wait().unwrap().is_none();
    let _ = remote.kill();
    let _ = remote.wait();
    assert!(
        still_running,
        "the remote browser was shut down by the audit"
    );
    let checks = statuses(&out);
    for id in [
        "long-registration-form",
        "broken-login-after-registration",
        "forced-account-creation",
        "inconsistent-prices",
    ] {
        let (status, summary) = &checks[id];
        assert_eq!(status, "pass", "{id}: {summary}");
    }
    for id in ORDER_CHECKS {
        assert_eq!(checks[id].0, "not-applicable", "{id}: {:?}", checks[id]);
    }
}

/// Per-store overrides are a fallback the flows obey: a product URL given in the config is the
/// product bought, whatever the heuristics would have picked.
#[test]
fn config_overrides_choose_the_product() {
    if !chromium_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (out, product_url) = runtime.block_on(async {
        let (server, _handle) = store::start("good", 0).await.unwrap();
        let product_url = format!("{}products/rechargeable-lantern", server.url());
        let config = tmp.path().join("overrides.toml");
        std::fs::write(
            &config,
            format!("[browser.overrides]\nproduct_url = \"{product_url}\"\n"),
        )
        .unwrap();
        let artifacts = tmp.path().join("artifacts");
        let out = audit(
            &server.url(),
            &[
                "--config",
                &config.display().to_string(),
                "--save-artifacts",
                &artifacts.display().to_string(),
            ],
            tmp.path(),
        )
        .await;
        server.stop().await;
        (out, product_url)
    });
    let checks = statuses(&out);
    assert_eq!(checks["inconsistent-prices"].0, "pass", "{checks:?}");
    let saved: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("artifacts/artifacts.json")).unwrap(),
    )
    .unwrap();
    let picked = &saved["browser"]["data"]["checkout"]["data"]["product"];
    assert_eq!(picked["url"], product_url.as_str(), "{picked}");
}

/// A headless Chromium started as a remote pool would run it (not by shopaudit), with its
/// DevTools websocket URL.
pub(crate) fn launch_remote_chromium(profile: &Path) -> (std::process::Child, String) {
    use std::io::BufRead;
    let chromium = shopaudit::gather::browser::chromium::find_executable(None).unwrap();
    let mut remote = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("about:blank")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("Chromium starts");
    let mut lines = std::io::BufReader::new(remote.stderr.take().unwrap()).lines();
    let ws_url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("DevTools listening on ")
                .map(|u| u.trim().to_string())
        })
        .expect("Chromium prints its DevTools websocket");
    // Keep reading, so Chromium never writes into a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (remote, ws_url)
}
