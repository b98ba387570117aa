//! Streams samples, one at a time, through a model with a 1D convolution front-end (the
//! conformance model `conv_gru_2c`: a causal convolution, a dilated valid one with a max-pool,
//! then two GRU layers) and prints the output after every recurrent step, then checks that
//! `classify` over the whole window gives the same bits. `tools/compare-host-qemu.sh mcu_conv`
//! checks that every core prints the host's values. From firmware/:
//! `cargo run --release --target thumbv6m-none-eabi --bin mcu_conv`.
#![cfg_attr(target_os = "none", no_std, no_main)]

use tinyrnn::prelude::*;
use tinyrnn_firmware::{finish, say};

// build.rs: `tinyrnn_build::bake("../conformance/fixtures/conv_gru_2c.safetensors");`
tinyrnn::include_model!(conv_gru_2c);
use conv_gru_2c::{State, INPUTS, MODEL};

/// Samples fed.
const SAMPLES: usize = 48;

/// Sample `t`: a deterministic signal made from integers, so it has the same bits everywhere.
fn sample(t: usize) -> [f32; INPUTS] {
    core::array::from_fn(|f| ((t * 7 + f * 13) % 17) as f32 * 0.375 - 3.0)
}

#[cfg_attr(target_os = "none", cortex_m_rt::entry)]
fn main() -> ! {
    let mut state = State::new();
    let mut last = None;
    for t in 0..SAMPLES {
        let before = state.steps();
        let Ok(out) = MODEL.step_output(&sample(t), &mut state) else {
            finish(false)
        };
        // The recurrent layers stepped: the convolution gave them an input.
        if state.steps() != before {
            let [a, b, c] = *out.values();
            say!(
                "conv_gru_2c\t{}\t{}\tsample {} step {}: {} {} {}",
                out.label(),
                out.score(),
                t,
                state.steps(),
                a,
                b,
                c
            );
            last = Some(out);
        }
    }
    let window: [[f32; INPUTS]; SAMPLES] = core::array::from_fn(sample);
    let mut whole = State::new();
    match MODEL.classify(&window, &mut whole) {
        Ok(out) if whole == state && Some(out) == last => {
            say!(
                "conv_gru_2c\t{}\t{}\tclassify {} samples",
                out.label(),
                out.score(),
                SAMPLES
            );
            finish(true)
        }
        _ => finish(false),
    }
}
