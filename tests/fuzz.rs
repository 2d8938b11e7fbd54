//! Property tests standing in for fuzzing on the stable toolchain: arbitrary input must give a
//! result or a clean error, never a panic.

use proptest::prelude::*;
use shopaudit::config::Config;
use std::path::Path;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn config_parsing_never_panics_and_errors_carry_a_position(text in "\\PC{0,200}") {
        if let Err(e) = Config::parse(&text, Path::new("f.toml")) {
            let rest = e.0.strip_prefix("f.toml:").expect("error names the file");
            let mut parts = rest.splitn(3, ':');
            let line: usize = parts.next().unwrap().parse().expect("line number");
            let col: usize = parts.next().unwrap().parse().expect("column number");
            prop_assert!(line >= 1 && col >= 1);
            prop_assert!(line <= text.lines().count().max(1) + 1);
        }
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
