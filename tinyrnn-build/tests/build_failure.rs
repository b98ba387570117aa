//! End to end: a firmware crate whose `build.rs` bakes a malformed model fails to build with one
//! clear line from cargo, and no panic or backtrace.

use std::path::Path;
use std::process::Command;

#[test]
fn a_malformed_model_fails_the_build_with_one_line() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad-model-firmware");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("models")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"bad-model-firmware\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [build-dependencies]\ntinyrnn-build = {{ path = {:?} }}\n\n[workspace]\n",
            here.display().to_string()
        ),
    )
    .unwrap();
    // The workspace's lock file pins the same dependency versions, so this builds offline.
    std::fs::copy(here.join("../Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    std::fs::write(
        dir.join("build.rs"),
        "fn main() {\n    tinyrnn_build::bake(\"models/gesture.safetensors\");\n}\n",
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), "").unwrap();

    // A 1-layer GRU file whose metadata claims 2 layers: layer 1's tensors are missing.
    let good =
        std::fs::read(here.join("../conformance/fixtures/gru_1l_dense.safetensors")).unwrap();
    let text = String::from_utf8_lossy(&good);
    let needle = r#"\"num_layers\": 1"#;
    assert!(
        text.contains(needle),
        "fixture metadata changed; update this test"
    );
    let bad = replace_bytes(&good, needle.as_bytes(), br#"\"num_layers\": 2"#);
    std::fs::write(dir.join("models/gesture.safetensors"), bad).unwrap();

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--offline", "--quiet"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the build succeeded:\n{stderr}");
    let expected = "error: bad-model-firmware@0.1.0: models/gesture.safetensors: tensor \
                    `rnn.bias_hh_l1`: expected shape [24] for a 2-layer gru model with dense \
                    input, found no such tensor";
    assert!(
        stderr.lines().any(|l| l == expected),
        "missing the one-line error:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("stack backtrace"), "{stderr}");
}

/// Same-length replacement, so the safetensors header keeps its size.
fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at = haystack
        .windows(from.len())
        .position(|w| w == from)
        .unwrap();
    let mut out = haystack.to_vec();
    out[at..at + to.len()].copy_from_slice(to);
    out
}
