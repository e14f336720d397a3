#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clientele::fuzzing::record_decode(data));
