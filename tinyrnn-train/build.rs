//! Bakes the trained models of `tests/models/` (a convolution front-end and bidirectional
//! layers, which no shipped model has) for `tests/agreement.rs`, the way a firmware crate bakes
//! its model: the trainer's forward pass and the baked no_std one must agree on them too.

/// The models of `tests/models/` (tests/models/README.md has the commands that trained them).
const TRAINED: [&str; 3] = ["vowels_conv", "motion_conv", "vowels_bidi"];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for name in TRAINED {
        tinyrnn_build::bake(format!("tests/models/{name}.safetensors"));
    }
}
