#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clientele::fuzzing::multipart_body(data));
