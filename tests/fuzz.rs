//! The fuzz targets without cargo-fuzz: the crashing inputs cargo-fuzz found, replayed, and
//! proptest properties over the same four parsers of untrusted input (page extraction, phone
//! detection, price parsing, config parsing). `fuzz/` holds the cargo-fuzz crate; the targets'
//! bodies and invariants are in `tests/fuzz/targets.rs`, shared by both.

pub mod targets;

use proptest::prelude::*;
use shopaudit::config::Config;
use std::path::{Path, PathBuf};

/// Every saved input under `fuzz/regressions/<target>/` replays through its target without a
/// panic or a broken invariant (each was a crash when found; the fix is in the code).
#[test]
fn saved_fuzz_crashes_replay_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    for (name, target) in targets::TARGETS {
        let dir = root.join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            if let Err(panic) = std::panic::catch_unwind(|| target(&data)) {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                panic!("{} fails again: {why}", file.display());
            }
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no saved inputs under {}", root.display());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn config_parsing_never_panics_and_errors_carry_a_position(text in "\\PC{0,200}") {
        if let Err(e) = Config::parse(&text, Path::new("f.toml")) {
            targets::assert_config_error_positioned(&e.0, &text);
        }
    }

    #[test]
    fn config_bytes_parse_or_fail_with_a_position(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        targets::parse_config(&bytes);
    }

    #[test]
    fn extraction_of_arbitrary_bytes_keeps_its_invariants(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        targets::extract_page(&bytes);
    }

    #[test]
    fn detected_phones_were_written_in_the_text(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        targets::detect_phone(&bytes);
    }

    #[test]
    fn phone_like_text_in_three_locales_keeps_its_invariants(
        lang in prop::sample::select(vec!["en", "es", "fr"]),
        pieces in prop::collection::vec(prop::sample::select(vec![
            "+", "(", ")", " ", "\u{a0}", ".", "-", "0", "1", "6", "9", "34", "33", "912", "345",
            "678", "800", "tel", "Llámanos", "SKU", "pedido", "€", "$", "\n", "2024-05-12", "FR",
        ]), 0..30),
    ) {
        targets::check_phone_scan(lang, pieces.concat(), vec!["+34 912 345 678".into()]);
    }

    #[test]
    fn any_price_text_gives_a_finite_amount_or_none(text in "\\PC{0,40}") {
        targets::check_price_text(&text);
    }

    #[test]
    fn formatted_prices_read_back_as_formatted(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        targets::formatted_price_round_trips(&bytes);
    }

    #[test]
    fn config_like_input_never_panics(
        section in prop::sample::select(vec!["crawl", "browser", "checkout", "gate", "output", "checks.hidden-phone-number", "nope"]),
        key in prop::sample::select(vec!["max_pages", "concurrency", "timeout_secs", "fail_under", "fail_on", "enabled", "weight", "scope", "formats", "x"]),
        value in prop::sample::select(vec!["1", "-1", "0", "1e400", "\"fail\"", "\"host\"", "true", "[\"json\"]", "{a=1}", "nan", "\"\""]),
    ) {
        let text = format!("[{section}]\n{key} = {value}\n");
        if let Ok(config) = Config::parse(&text, Path::new("f.toml")) {
            // Whatever parsed must validate or be refused with a message, not a panic.
            let _ = config.validate();
        }
    }
}
