#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clientele::fuzzing::form_body(data));
