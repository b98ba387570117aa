//! Classifies windows of samples with a bidirectional model (the conformance model
//! `bidi_gru_2l_dense`: two bidirectional GRU layers, whose state keeps the window) and prints
//! each output; a window longer than the state holds must be refused with `Error::TooLong`.
//! `tools/compare-host-qemu.sh mcu_bidi` checks that every core prints the host's values. From
//! firmware/: `cargo run --release --target thumbv6m-none-eabi --bin mcu_bidi`.
#![cfg_attr(target_os = "none", no_std, no_main)]

use tinyrnn::prelude::*;
use tinyrnn::Error;
use tinyrnn_firmware::{finish, say};

// build.rs: `tinyrnn_build::bake("../conformance/fixtures/bidi_gru_2l_dense.safetensors");`
tinyrnn::include_model!(bidi_gru_2l_dense);
use bidi_gru_2l_dense::{State, INPUTS, MAX_STEPS, MODEL};

/// Sample `t`: a deterministic signal made from integers, so it has the same bits everywhere.
fn sample(t: usize) -> [f32; INPUTS] {
    core::array::from_fn(|f| ((t * 7 + f * 13) % 17) as f32 * 0.375 - 3.0)
}

#[cfg_attr(target_os = "none", cortex_m_rt::entry)]
fn main() -> ! {
    let window: [[f32; INPUTS]; MAX_STEPS + 1] = core::array::from_fn(sample);
    let mut state = State::new();
    // Windows of 1 to MAX_STEPS samples, each from the start of the signal.
    for steps in [1, 2, 5, 9, MAX_STEPS] {
        let Some(part) = window.get(..steps) else {
            finish(false)
        };
        let Ok(out) = MODEL.classify(part, &mut state) else {
            finish(false)
        };
        let [a, b, c] = *out.values();
        say!(
            "bidi_gru_2l_dense\t{}\t{}\t{} samples: {} {} {}",
            out.label(),
            out.score(),
            steps,
            a,
            b,
            c
        );
    }
    let refused = MODEL.classify(&window, &mut state)
        == Err(Error::TooLong {
            max_steps: MAX_STEPS,
        });
    say!(
        "bidi_gru_2l_dense\t{} samples refused: {}",
        MAX_STEPS + 1,
        refused
    );
    finish(refused && state.steps() == 0)
}
