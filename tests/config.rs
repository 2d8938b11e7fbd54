//! `shopaudit.toml` through the real binary: flags win over the file, mistakes exit 2 with
//! file:line:col, and the file's output settings reach the reports.

use crate::common::{repo_root, shopaudit, stderr, stdout};

fn artifacts() -> String {
    repo_root()
        .join("tests/data/report-artifacts")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn config_output_settings_reach_the_report_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("shopaudit.toml");
    std::fs::write(
        &config,
        "[output]\nformats = [\"markdown\"]\ntitle = \"From the file\"\n\n[gate]\nfail_under = 90.0\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();

    // The saved run has no score: a fail_under gate from the file fails it (exit 1).
    let out = shopaudit(&["report", "--from-artifacts", &artifacts(), "-c", config]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("## From the file"), "{text}");
    assert!(
        text.contains("no score could be computed (--fail-under 90)"),
        "{text}"
    );

    // Flags win: another format, another title, another gate.
    let artifacts_dir = artifacts();
    let run = |extra: &[&str]| {
        let mut args = vec!["report", "--from-artifacts", &artifacts_dir, "-c", config];
        args.extend_from_slice(extra);
        shopaudit(&args)
    };
    let out = run(&["--format", "markdown", "--title", "From the flag"]);
    assert!(
        stdout(&out).starts_with("## From the flag"),
        "{}",
        stdout(&out)
    );
    let out = run(&[
        "--format",
        "json",
        "--fail-under",
        "10",
        "--fail-on",
        "warn",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["gate"]["fail_under"], 10.0);
    assert_eq!(json["gate"]["fail_on"], "warn");
}

#[test]
fn config_mistakes_exit_2_with_position() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "[output]\ntitle = \"x\"\nclient = 3\n").unwrap();
    let out = shopaudit(&[
        "report",
        "--from-artifacts",
        &artifacts(),
        "-c",
        config.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.toml:3:10: "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    std::fs::write(&config, "[output]\nauditr = \"me\"\n").unwrap();
    let out = shopaudit(&[
        "report",
        "--from-artifacts",
        &artifacts(),
        "-c",
        config.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.toml:2:1: unknown field `auditr`"),
        "{}",
        stderr(&out)
    );

    let out = shopaudit(&[
        "report",
        "--from-artifacts",
        &artifacts(),
        "-c",
        dir.path().join("missing.toml").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
}
