//! What the tests against ONNX Runtime share: reading a reference fixture and comparing an
//! output with the reference's.

use std::path::Path;

use serde::de::DeserializeOwned;

/// Largest allowed absolute difference from ONNX Runtime, with the default (rational) and with
/// the `exact-activations` (libm) activations alike.
pub const TOLERANCE: f32 = 1e-5;

/// The reference `fixtures/{name}.json`, as written by the scripts in `scripts/`.
pub fn reference<T: DeserializeOwned>(name: &str) -> T {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Fails unless `ours` has as many values as `theirs`, each within [`TOLERANCE`] of it; `what`
/// names the output in the message. Returns the largest difference.
pub fn assert_close(what: &str, ours: &[f32], theirs: &[f32]) -> f32 {
    assert_eq!(ours.len(), theirs.len(), "{what}: output count");
    let worst = ours
        .iter()
        .zip(theirs)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst <= TOLERANCE,
        "{what}: max |ours - onnxruntime| = {worst:e} > {TOLERANCE:e}\n ours   {ours:?}\n theirs {theirs:?}"
    );
    worst
}
