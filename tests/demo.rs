//! `shopaudit demo` runs the whole pipeline on the bundled stores from any folder.

use crate::common::{shopaudit_in, stdout};

#[test]
fn demo_audits_the_good_and_bad_stores_side_by_side_and_writes_the_reports() {
    let cwd = tempfile::tempdir().unwrap();
    let out = shopaudit_in(cwd.path(), &["demo", "--no-browser", "--quiet"]);
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        crate::common::stderr(&out)
    );
    assert!(
        text.contains("good store") && text.contains("bad store"),
        "{text}"
    );
    // The static verdicts agree with both stores' expected.toml (a disagreement is printed
    // as "(expected ...)").
    assert!(!text.contains("(expected"), "{text}");
    let row = |id: &str| {
        text.lines()
            .find(|l| l.contains(&format!(" {id} ")))
            .unwrap_or_else(|| panic!("no row for {id} in\n{text}"))
            .to_string()
    };
    let phone = row("hidden-phone-number");
    assert!(phone.contains("pass") && phone.contains("fail"), "{phone}");
    assert!(
        text.contains("Browser checks were skipped (--no-browser)."),
        "{text}"
    );

    let dir = cwd.path().join("shopaudit-demo");
    for store in ["good", "bad"] {
        let json = std::fs::read_to_string(dir.join(store).join("report.json")).unwrap();
        let report: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(report["score"].as_f64().is_some(), "{store}");
        assert!(dir.join(store).join("report.txt").is_file());
    }
    let good: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("good/report.json")).unwrap())
            .unwrap();
    let bad: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("bad/report.json")).unwrap())
            .unwrap();
    let (good_score, bad_score) = (
        good["score"].as_f64().unwrap(),
        bad["score"].as_f64().unwrap(),
    );
    assert!(good_score > bad_score);
    // The table shows the reports' scores.
    let shown: Vec<f64> = row("Overall score (0-100)")
        .split('┆')
        .skip(1)
        .map(|cell| {
            cell.trim_matches(|c: char| !c.is_ascii_digit())
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(shown, vec![good_score.round(), bad_score.round()]);
    assert!(dir.join("summary.txt").is_file());
    assert!(text.contains(&format!(
        "Reports written to {}",
        dir.canonicalize().unwrap().display()
    )));
}
