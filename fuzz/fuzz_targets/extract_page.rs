#![no_main]

// The target's body is shared with the test suite, which replays saved crashes through it.
#[allow(dead_code)]
#[path = "../../tests/fuzz/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::extract_page(data));
