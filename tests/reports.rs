//! Every report format on one fixed report: snapshots, a real browser rendering of the HTML,
//! JUnit parsed as XML, SARIF and JSON validated against their schemas, `diff` exit codes.

use crate::common::{repo_root, shopaudit, stderr, stdout};
use shopaudit::checks::{CheckDoc, CheckResult, Evidence, Status};
use shopaudit::report::table::TableStyle;
use shopaudit::report::{
    self, CategoryScore, Docs, Format, Gate, RenderOptions, Report, Tool, SCHEMA_VERSION,
};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Folder the fixed report's screenshot paths are relative to.
fn artifacts_dir() -> PathBuf {
    repo_root().join("tests/data/report-artifacts")
}

const DOCS: &[&str] = &[
    r#"+++
id = "sample-contact-phone"
title = "Phone number visible on the contact page"
failure_title = "Customers cannot find a phone number"
category = "contact"
weight = 10.0
needs = ["crawl"]
+++
## What it checks
Looks for a callable phone number on the contact page.

## Why it matters
Customers who want to talk to a person go to the contact page just to find a phone number.

## How to fix
Put a phone number, as text, on the contact page & in the footer.
"#,
    r#"+++
id = "sample-long-checkout"
title = "Checkout asks only what it needs"
failure_title = "Checkout asks for too much"
category = "checkout"
weight = 8.0
needs = ["browser"]
[thresholds]
max_fields = 12.0
+++
## What it checks
Counts the form fields a guest must fill in to pay.

## Why it matters
22% of shoppers have abandoned a purchase because the checkout was too long.

The average checkout has 11.3 form fields; 8 is achievable.

## How to fix
Drop the fields you do not need: company, second address line, phone (unless the carrier needs it).
"#,
    r#"+++
id = "sample-broken-link"
title = "Internal links work"
failure_title = "Internal links are broken"
category = "site"
weight = 3.0
needs = ["crawl"]
+++
## What it checks
Follows internal links and records 4xx/5xx answers.

## Why it matters
Every error page erodes trust.

## How to fix
Fix or redirect the broken links.
"#,
    r#"+++
id = "sample-shouting"
title = "Messages are written in normal case"
failure_title = "Messages shout in capitals"
category = "tone"
weight = 1.0
needs = ["crawl"]
+++
## What it checks
Looks for customer-facing messages in ALL CAPS.

## Why it matters
All caps reads as shouting.

## How to fix
Write messages in sentence case.
"#,
    r#"+++
id = "sample-order-confirmation"
title = "Order confirmation says what happens next"
failure_title = "Order confirmation leaves the buyer guessing"
category = "post-purchase"
weight = 5.0
needs = ["browser"]
+++
## What it checks
Reads the page after the order is placed.

## Why it matters
After paying, the buyer wants an order number and a delivery date.

## How to fix
Show the order number, what happens next and when.
"#,
    r#"+++
id = "sample-faq"
title = "FAQ answers the usual questions"
failure_title = "No FAQ"
category = "self-service"
weight = 4.0
needs = ["crawl"]
+++
## What it checks
Looks for a FAQ page.

## Why it matters
Customers look for answers before they write.

## How to fix
Publish a FAQ with shipping, returns and payment answers.
"#,
];

fn docs() -> &'static [CheckDoc] {
    static PARSED: OnceLock<Vec<CheckDoc>> = OnceLock::new();
    PARSED.get_or_init(|| DOCS.iter().map(|d| CheckDoc::parse(d).unwrap()).collect())
}

fn check(
    id: &str,
    status: Status,
    score: Option<f64>,
    summary: &str,
    evidence: Vec<Evidence>,
) -> CheckResult {
    let doc = docs().iter().find(|d| d.id == id).unwrap();
    CheckResult {
        id: id.into(),
        category: doc.category.clone(),
        title: if matches!(status, Status::Pass | Status::NotApplicable) {
            doc.title.clone()
        } else {
            doc.failure_title.clone()
        },
        status,
        score,
        weight: doc.weight,
        summary: summary.into(),
        evidence,
        recommendation: doc.how_to_fix.clone(),
    }
}

/// A fixed report covering every status, evidence with markup to escape, two screenshots.
pub fn sample_report() -> Report {
    let checks = vec![
        check(
            "sample-broken-link",
            Status::Warn,
            Some(0.5),
            "2 internal links answer 404",
            vec![
                Evidence::at(
                    "https://shop.example/es/envios",
                    "404 Not Found (linked from /es/)",
                ),
                Evidence::at("https://shop.example/es/devoluciones", "404 Not Found"),
            ],
        ),
        check(
            "sample-contact-phone",
            Status::Fail,
            Some(0.0),
            "No phone number on the contact page, only a form",
            vec![Evidence {
                url: Some("https://shop.example/es/contacto".into()),
                excerpt: Some(
                    r#"<script>alert("x")</script> Escríbenos & te responderemos | *pronto*"#
                        .into(),
                ),
                selector: Some("form#contact".into()),
                screenshot: Some("screenshots/contact-page.png".into()),
            }],
        ),
        check(
            "sample-long-checkout",
            Status::Fail,
            Some(0.2),
            "The guest checkout has 19 fields (threshold 12)",
            vec![Evidence {
                url: Some("https://shop.example/es/checkout".into()),
                excerpt: Some("Company, Address line 2, Phone, Fax, Date of birth ...".into()),
                selector: Some("form.checkout".into()),
                screenshot: Some("screenshots/checkout-form.png".into()),
            }],
        ),
        check(
            "sample-shouting",
            Status::Pass,
            Some(1.0),
            "No message in capitals",
            vec![],
        ),
        check(
            "sample-order-confirmation",
            Status::NotApplicable,
            None,
            "no order placed (pass --place-orders to allow one)",
            vec![],
        ),
        check(
            "sample-faq",
            Status::Error,
            None,
            "the crawl failed: timed out after 15 s",
            vec![],
        ),
    ];
    let category = |id: &str, title: &str, score: Option<f64>, weight: f64| CategoryScore {
        id: id.into(),
        title: title.into(),
        score,
        weight,
    };
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "shopaudit".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        target: "https://shop.example/es/".into(),
        started_at: "2026-03-01T09:30:00Z".parse().unwrap(),
        duration_ms: 4321,
        score: Some(31.8),
        categories: vec![
            category("contact", "Contact", Some(0.0), 3.0),
            category("self-service", "Self-service", None, 2.0),
            category("checkout", "Checkout", Some(20.0), 3.0),
            category("post-purchase", "Post-purchase", None, 2.0),
            category("site", "Site health", Some(50.0), 1.0),
            category("tone", "Tone", Some(100.0), 0.5),
        ],
        checks,
        gate: Gate {
            passed: false,
            fail_under: Some(70.0),
            fail_on: "fail".into(),
            reasons: vec![
                "score 31.8 is below --fail-under 70".into(),
                "sample-contact-phone fail: No phone number on the contact page, only a form"
                    .into(),
                "sample-long-checkout fail: The guest checkout has 19 fields (threshold 12)".into(),
            ],
        },
        warnings: vec!["robots.txt disallows /es/cuenta/: not crawled".into()],
    }
}

pub fn options() -> RenderOptions<'static> {
    RenderOptions {
        table: TableStyle {
            color: false,
            width: None,
        },
        docs: Docs::new(docs().iter().collect()),
        title: Some("Store audit: Tienda Ejemplo".into()),
        client: Some("Tienda Ejemplo S.L.".into()),
        auditor: Some("Ana <QA> Auditora".into()),
        config_file: Some(PathBuf::from("shopaudit.toml")),
        artifacts_dir: Some(artifacts_dir()),
        browser: None,
    }
}

pub fn render_text(report: &Report, format: Format, options: &RenderOptions) -> String {
    String::from_utf8(report::render(report, format, options).unwrap()).unwrap()
}

macro_rules! masked_snapshot {
    ($name:expr, $text:expr) => {
        insta::with_settings!({
            filters => vec![
                (regex_escape(env!("CARGO_PKG_VERSION")).as_str(), "[version]"),
                (r"2026-03-01[T ]09:30(:00)?(Z|\+00:00| UTC)?", "[time]"),
                (r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:image/png;base64,[image]"),
            ],
        }, {
            insta::assert_snapshot!($name, $text);
        });
    };
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_ascii_alphanumeric() {
                vec![c]
            } else {
                vec!['\\', c]
            }
        })
        .collect()
}

#[test]
fn snapshot_of_every_format() {
    let report = sample_report();
    let options = options();
    for format in [
        Format::Table,
        Format::Json,
        Format::Html,
        Format::Markdown,
        Format::Junit,
        Format::Sarif,
    ] {
        masked_snapshot!(
            format!("report_{}", format.name()),
            render_text(&report, format, &options)
        );
    }
}

/// Chromium for the browser tests. Under CI=true a missing Chromium fails the test; elsewhere
/// the test is skipped with a note.
fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    match report::pdf::find_chromium(None) {
        Ok(path) => Some(path),
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("{test}: Chromium is required under CI=true: {e:#}")
        }
        Err(e) => {
            eprintln!("{test}: skipped, {e:#}");
            None
        }
    }
}

const PAGE_STATE_JS: &str = r#"JSON.stringify((() => {
  const shown = (e) => {
    const r = e.getBoundingClientRect();
    const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  return {
    score: document.querySelector('#overall-score strong').innerText,
    categories: [...document.querySelectorAll('.category')].map(e => e.innerText.replace(/\s+/g, ' ').trim()),
    checks: [...document.querySelectorAll('[data-check]')].filter(shown).map(e => e.dataset.check),
    images: [...document.querySelectorAll('img.screenshot')].map(i => ({
      complete: i.complete, width: i.naturalWidth, height: i.naturalHeight, shown: shown(i)
    })),
    scripts: document.querySelectorAll('script').length,
    text: document.body.innerText,
    height: document.documentElement.scrollHeight
  };
})())"#;

#[derive(serde::Deserialize, Debug)]
struct PageState {
    score: String,
    categories: Vec<String>,
    checks: Vec<String>,
    images: Vec<ImageState>,
    scripts: usize,
    text: String,
    height: f64,
}

#[derive(serde::Deserialize, Debug)]
struct ImageState {
    complete: bool,
    width: u32,
    height: u32,
    shown: bool,
}

#[test]
fn html_report_shows_score_findings_and_screenshots_in_chromium() {
    let Some(chromium) = chromium_or_skip("html_report_in_chromium") else {
        return;
    };
    let report = sample_report();
    let work = tempfile::tempdir().unwrap();
    let page = work.path().join("report.html");
    std::fs::write(&page, render_text(&report, Format::Html, &options())).unwrap();

    let browser = headless_chrome::Browser::new(
        report::pdf::launch_options(&chromium, &work.path().join("profile")).unwrap(),
    )
    .unwrap();
    let tab = browser.new_tab().unwrap();
    let url = url::Url::from_file_path(&page).unwrap();
    tab.navigate_to(url.as_str())
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    // The screen layout, then the print stylesheet (what `--format pdf` prints).
    for media in ["screen", "print"] {
        use headless_chrome::protocol::cdp::Emulation;
        tab.call_method(Emulation::SetEmulatedMedia {
            media: Some(media.into()),
            features: None,
        })
        .unwrap();
        let state = tab.evaluate(PAGE_STATE_JS, false).unwrap();
        let state: PageState =
            serde_json::from_str(state.value.unwrap().as_str().unwrap()).unwrap();
        assert_everything_visible(&report, &state, media);
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("report-{media}.png"));
        std::fs::write(&out, full_page_png(&tab, state.height)).unwrap();
        eprintln!("full-page {media} screenshot: {}", out.display());
    }
}

fn assert_everything_visible(report: &Report, state: &PageState, media: &str) {
    assert_eq!(state.score, "32", "{media}");
    assert!(
        state.categories.contains(&"Checkout 20".to_string()),
        "{media}: {:?}",
        state.categories
    );
    for check in &report.checks {
        assert!(
            state.checks.contains(&check.id),
            "{media}: {} is not visible; visible: {:?}",
            check.id,
            state.checks
        );
        assert!(
            state.text.contains(&check.summary),
            "{media}: {} summary missing",
            check.id
        );
    }
    assert_eq!(state.images.len(), 2, "{media}: {:?}", state.images);
    for image in &state.images {
        assert!(image.complete && image.shown, "{media}: {image:?}");
        assert_eq!(
            (image.width, image.height),
            (480, 300),
            "{media}: {image:?}"
        );
    }
    // The evidence's markup is shown as text, never run.
    assert_eq!(state.scripts, 0);
    assert!(state
        .text
        .contains(r#"<script>alert("x")</script> Escríbenos &"#));
    assert!(state.text.contains("Tienda Ejemplo S.L.") && state.text.contains("Ana <QA> Auditora"));
}

/// A picture of the whole page, for a person to look at (and for the README).
fn full_page_png(tab: &headless_chrome::Tab, height: f64) -> Vec<u8> {
    use base64::Engine;
    use headless_chrome::protocol::cdp::Page;
    let png = tab
        .call_method(Page::CaptureScreenshot {
            format: Some(Page::CaptureScreenshotFormatOption::Png),
            quality: None,
            clip: Some(Page::Viewport {
                x: 0.0,
                y: 0.0,
                width: 1280.0,
                height,
                scale: 1.0,
            }),
            from_surface: Some(true),
            capture_beyond_viewport: Some(true),
            optimize_for_speed: None,
        })
        .unwrap()
        .data;
    let png = base64::engine::general_purpose::STANDARD
        .decode(png)
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    png
}

#[test]
fn pdf_report_is_printed_by_chromium() {
    let Some(chromium) = chromium_or_skip("pdf_report") else {
        return;
    };
    let mut options = options();
    options.browser = Some(chromium);
    let pdf = report::render(&sample_report(), Format::Pdf, &options).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    assert!(
        pdf.len() > 10_000,
        "suspiciously small PDF: {} bytes",
        pdf.len()
    );
}

#[test]
fn pdf_without_chromium_is_a_clear_error() {
    let mut options = options();
    options.browser = Some(PathBuf::from("/nonexistent/chromium"));
    let err = report::render(&sample_report(), Format::Pdf, &options).unwrap_err();
    assert!(format!("{err:#}").contains("/nonexistent/chromium does not exist"));
    assert_eq!(
        shopaudit::error::exit_for(&err),
        shopaudit::error::Exit::CouldNotRun
    );
}

fn junit_counts(xml: &str) -> (usize, usize, usize, usize) {
    let doc = roxmltree::Document::parse(xml).expect("JUnit output is well-formed XML");
    let count = |name: &str| doc.descendants().filter(|n| n.has_tag_name(name)).count();
    (
        count("testcase"),
        count("failure"),
        count("error"),
        count("skipped"),
    )
}

#[test]
fn junit_parses_as_xml_with_one_testcase_per_check() {
    let mut report = sample_report();
    let xml = render_text(&report, Format::Junit, &options());
    assert_eq!(junit_counts(&xml), (6, 2, 1, 1));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("6"));
    assert_eq!(root.attribute("failures"), Some("2"));
    let phone = doc
        .descendants()
        .find(|n| n.attribute("name") == Some("sample-contact-phone"))
        .unwrap();
    let system_out = phone
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .and_then(|n| n.text())
        .unwrap();
    assert!(system_out.contains("https://shop.example/es/contacto"));
    assert!(system_out.contains(r#"<script>alert("x")</script>"#));

    // With --fail-on warn the warning is a failure too.
    report.gate.fail_on = "warn".into();
    let xml = render_text(&report, Format::Junit, &options());
    assert_eq!(junit_counts(&xml), (6, 3, 1, 1));
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("tests/data/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn sarif_is_valid_2_1_0() {
    let report = sample_report();
    let text = render_text(&report, Format::Sarif, &options());
    let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &sarif["runs"][0];
    let rule_ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let check_ids: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(rule_ids, check_ids);
    let results = run["results"].as_array().unwrap();
    // Two failures (error) and one warning; pass, not-applicable and error produce none.
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["warning", "error", "error"]);
    for result in results {
        let id = result["ruleId"].as_str().unwrap();
        assert!(rule_ids.contains(&id));
        assert_eq!(rule_ids[result["ruleIndex"].as_u64().unwrap() as usize], id);
        assert!(result["message"]["text"]
            .as_str()
            .unwrap()
            .contains("https://shop.example/es/"));
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "shopaudit.toml"
        );
    }
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes[0]["associatedRule"]["id"], "sample-faq");
}

#[test]
fn sarif_fingerprints_are_stable_and_distinct() {
    let fingerprints = |report: &Report, options: &RenderOptions| -> Vec<String> {
        let sarif: serde_json::Value =
            serde_json::from_str(&render_text(report, Format::Sarif, options)).unwrap();
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["shopaudit/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let first = fingerprints(&sample_report(), &options());
    // Another run: other time, duration, score and wording; same problems on the same pages.
    let mut later = sample_report();
    later.started_at = "2026-04-01T10:00:00Z".parse().unwrap();
    later.duration_ms = 9999;
    later.score = Some(40.0);
    later.checks[2].summary = "The guest checkout has 17 fields (threshold 12)".into();
    assert_eq!(first, fingerprints(&later, &options()));
    let distinct: std::collections::BTreeSet<&String> = first.iter().collect();
    assert_eq!(distinct.len(), first.len());

    // Without a config file the result points at the audited URL.
    let mut no_config = options();
    no_config.config_file = None;
    let sarif: serde_json::Value =
        serde_json::from_str(&render_text(&sample_report(), Format::Sarif, &no_config)).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"],
        "https://shop.example/es/"
    );
    assert!(sarif_validator().is_valid(&sarif));
}

fn report_schema() -> jsonschema::Validator {
    let out = shopaudit(&["schema"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let schema: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(schema["properties"]["schema_version"]["description"]
        .as_str()
        .unwrap()
        .contains("incompatible"));
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn json_reports_validate_against_the_published_schema() {
    let validator = report_schema();
    let sample: serde_json::Value =
        serde_json::from_str(&render_text(&sample_report(), Format::Json, &options())).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sample)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // A real run's JSON (re-scored from saved artifacts by the binary).
    let out = shopaudit(&[
        "report",
        "--from-artifacts",
        repo_root()
            .join("tests/data/report-artifacts")
            .to_str()
            .unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let errors: Vec<String> = validator.iter_errors(&run).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // Every saved fixture run, scored by the real catalogue.
    let config = shopaudit::config::Config::default();
    let mut validated = 0;
    for entry in std::fs::read_dir(repo_root().join("fixtures/artifacts")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let artifacts = shopaudit::artifacts::Artifacts::load(&path).unwrap();
        let report = report::build(&artifacts, &config, 1);
        let json: serde_json::Value = serde_json::from_str(&report::json::render(&report)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        validated += 1;
    }
    assert!(validated > 0, "no fixture artifacts found");

    // The schema is not a rubber stamp.
    let mut broken = sample.clone();
    broken["checks"][0]["status"] = "maybe".into();
    assert!(!validator.is_valid(&broken));
    broken = sample;
    broken.as_object_mut().unwrap().remove("target");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn one_run_writes_every_format_into_the_output_dir() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = shopaudit(&[
        "report",
        "--from-artifacts",
        repo_root()
            .join("tests/data/report-artifacts")
            .to_str()
            .unwrap(),
        "--format",
        "table,json,html,markdown,junit,sarif",
        "--output-dir",
        out_dir.path().to_str().unwrap(),
        "--title",
        "Nightly audit",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Overall score"),
        "the table is also printed"
    );
    let mut names: Vec<String> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "report.html",
            "report.json",
            "report.junit.xml",
            "report.md",
            "report.sarif",
            "report.txt"
        ]
    );
    let html = std::fs::read_to_string(out_dir.path().join("report.html")).unwrap();
    assert!(html.contains("<h1>Nightly audit</h1>"));
    let md = std::fs::read_to_string(out_dir.path().join("report.md")).unwrap();
    assert!(md.starts_with("## Nightly audit"));

    let out = shopaudit(&[
        "report",
        "--from-artifacts",
        "x",
        "--format",
        "html,json",
        "-o",
        "r",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = shopaudit(&[
        "report",
        "--from-artifacts",
        repo_root()
            .join("tests/data/report-artifacts")
            .to_str()
            .unwrap(),
        "--format",
        "docx",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown format `docx`"),
        "{}",
        stderr(&out)
    );
}

fn write_report(dir: &Path, name: &str, report: &Report) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, shopaudit::report::json::render(report)).unwrap();
    path
}

#[test]
fn diff_exit_codes_follow_the_changes() {
    let dir = tempfile::tempdir().unwrap();
    let base = sample_report();
    let old = write_report(dir.path(), "old.json", &base);
    let run = |new: &Path, extra: &[&str]| {
        let mut args = vec!["diff", old.to_str().unwrap(), new.to_str().unwrap()];
        args.extend_from_slice(extra);
        shopaudit(&args)
    };

    // Same report: nothing changed, exit 0.
    let out = run(&old, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("No check changed status"));

    // Better: the warning passes, score up.
    let mut better = base.clone();
    better.checks[0].status = Status::Pass;
    better.score = Some(35.0);
    let path = write_report(dir.path(), "better.json", &better);
    let out = run(&path, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("Score: 31.8 -> 35.0 (+3.2)"), "{text}");
    assert!(text.contains("Better:\n  sample-broken-link"), "{text}");

    // A pass turns into a fail: exit 1 whatever the score.
    let mut broke = base.clone();
    broke.checks[3].status = Status::Fail;
    broke.score = Some(32.0);
    let path = write_report(dir.path(), "broke.json", &broke);
    let out = run(&path, &["--max-drop", "50"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("sample-shouting went from pass to fail"));

    // Score drop: within --max-drop passes, beyond it fails.
    let mut lower = base.clone();
    lower.score = Some(28.8);
    let path = write_report(dir.path(), "lower.json", &lower);
    assert_eq!(run(&path, &["--max-drop", "5"]).status.code(), Some(0));
    let out = run(&path, &["--max-drop", "2"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("score fell by 3.0 points"),
        "{}",
        stdout(&out)
    );

    // Unreadable input: exit 2 with a one-line reason.
    let out = run(&dir.path().join("missing.json"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: cannot read"),
        "{}",
        stderr(&out)
    );
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{\"schema_version\": 1, \"score\": \"high\"}").unwrap();
    let out = run(&garbage, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not a shopaudit JSON report"),
        "{}",
        stderr(&out)
    );
    std::fs::write(&garbage, "not json").unwrap();
    assert_eq!(run(&garbage, &[]).status.code(), Some(2));
}

#[test]
fn init_writes_a_template_once_and_completions_and_man_are_generated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shopaudit.toml");
    let out = shopaudit(&["init", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("[checks.hidden-phone-number]"));
    let out = shopaudit(&["init", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    std::fs::write(&path, "edited").unwrap();
    let out = shopaudit(&["init", path.to_str().unwrap(), "--force"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written);

    for (shell, marker) in [
        ("bash", "_shopaudit()"),
        ("zsh", "#compdef shopaudit"),
        ("fish", "complete -c shopaudit"),
    ] {
        let out = shopaudit(&["completions", shell]);
        assert!(out.status.success());
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(script.contains("max-drop"), "{shell} lacks diff's flags");
    }
    let out = shopaudit(&["man"]);
    assert!(out.status.success());
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie") || page.contains(".TH shopaudit"),
        "{page}"
    );
    assert!(page.contains("completions"));

    let man_dir = dir.path().join("man1");
    let out = shopaudit(&["man", "--dir", man_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let audit_page = std::fs::read_to_string(man_dir.join("shopaudit-audit.1")).unwrap();
    assert!(audit_page.contains("fail\\-under"), "{audit_page}");
    let diff_page = std::fs::read_to_string(man_dir.join("shopaudit-diff.1")).unwrap();
    assert!(diff_page.contains("max\\-drop"), "{diff_page}");
    assert!(man_dir.join("shopaudit.1").is_file());
}
