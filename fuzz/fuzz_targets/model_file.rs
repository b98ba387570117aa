//! The model-file reader, validator and code generator on arbitrary bytes (seeded with the
//! shipped models and the conformance fixtures, so libFuzzer also mutates valid files): it must
//! return a one-line error or a model, never panic, hang or exhaust memory; a model it accepts
//! must generate source.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let path = Path::new("fuzz.safetensors");
    match tinyrnn_build::parse(path, bytes) {
        Ok(spec) => {
            let opts = tinyrnn_build::Options::new("fuzz.safetensors");
            let generated = tinyrnn_build::generate(&spec, &opts);
            assert!(generated.source.starts_with("// @generated"));
        }
        Err(e) => {
            let line = e.to_string();
            assert!(!line.contains('\n'), "a multi-line error: {line:?}");
            assert!(line.starts_with("fuzz.safetensors: "), "{line:?}");
        }
    }
});
