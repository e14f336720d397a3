#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clientele::fuzzing::http_head(data));
