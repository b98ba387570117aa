//! Link-time proof that the inference path cannot panic: this firmware calls `classify_text`,
//! `feed_text`, `classify`, `step`, `step_output` and `output` of every model it bakes (the `f32`
//! models, or with `TINYRNN_NO_PANIC=int8` at build time their int8 variants, a model with a
//! convolution front-end and one with bidirectional layers; with `TINYRNN_NO_PANIC=generate` the
//! generative model's `generate`, `generator`, `prompt` and `condition` under each sampling;
//! with `TINYRNN_NO_PANIC=seq2seq` the sequence-to-sequence model's `translate_text`,
//! `translate`, `decoder`, `decode_step`, `step` and `output`) on inputs the optimizer cannot see,
//! and links with `panic-never` as its panic handler, whose symbol is undefined: if any panic
//! path survives optimisation, linking fails.
//!
//! ```text
//! tools/check-no-panic.sh          # builds it for the Cortex-M4F (release), then runs it in QEMU
//! ```
//! Only meaningful in `--release` (a debug build keeps overflow checks and panics: it does not
//! link). On the host it runs the same calls with the standard panic handler. It does not link
//! the `tinyrnn_firmware` library, whose panic handler would take `panic-never`'s place.
#![cfg_attr(target_os = "none", no_std, no_main)]

#[cfg(target_os = "none")]
use cortex_m as _; // critical-section implementation
#[cfg(target_os = "none")]
use panic_never as _;

use core::hint::black_box;
use tinyrnn::prelude::*;

#[path = "../exit.rs"]
mod exit;
// The shipped models and their int8 variants.
#[path = "../shipped.rs"]
pub mod shipped;
use exit::finish;
use shipped::*; // the models, by name

// A convolution front-end before two GRU layers (`conformance/fixtures/conv_gru_2c`).
tinyrnn::include_model!(conv_gru_2c);
// Two bidirectional GRU layers (`conformance/fixtures/bidi_gru_2l_dense`): `classify` only.
tinyrnn::include_model!(bidi_gru_2l_dense);
// The generative model: `generate`, `generator` with a prompt, `condition`.
tinyrnn::include_model!(melody);
// The sequence-to-sequence model: `translate_text`, `translate`, `decoder`, `decode_step`.
tinyrnn::include_model!(g2p);

/// Whether this build checks the int8 models (`TINYRNN_NO_PANIC=int8` at build time) rather
/// than the `f32` ones.
const INT8: bool = match option_env!("TINYRNN_NO_PANIC") {
    Some(s) => matches!(s.as_bytes(), b"int8"),
    None => false,
};

/// Whether this build checks the generative model (`TINYRNN_NO_PANIC=generate`).
const GENERATE: bool = match option_env!("TINYRNN_NO_PANIC") {
    Some(s) => matches!(s.as_bytes(), b"generate"),
    None => false,
};

/// Runs the bidirectional model on a window, an over-long one and one with a NaN sample; true
/// if each gave the expected result.
fn bidirectional() -> bool {
    use bidi_gru_2l_dense::{State, INPUTS, MAX_STEPS, MODEL};
    let mut state = State::new();
    let sample: [f32; INPUTS] = black_box([0.25; INPUTS]);
    let window: [[f32; INPUTS]; MAX_STEPS + 1] = black_box([sample; MAX_STEPS + 1]);
    let mut ok = match MODEL.classify(window.iter().take(black_box(5)), &mut state) {
        Ok(out) => black_box((out.label(), out.score(), out.best())).2 < 3,
        Err(_) => false,
    };
    // Too long, and a NaN sample: errors, not panics.
    ok &= MODEL.classify(window.iter(), &mut state).is_err();
    let nan: [f32; INPUTS] = black_box([f32::NAN; INPUTS]);
    ok &= MODEL.classify([&sample, &nan], &mut state).is_err();
    ok
}

/// Whether this build checks the sequence-to-sequence model (`TINYRNN_NO_PANIC=seq2seq`).
const SEQ2SEQ: bool = match option_env!("TINYRNN_NO_PANIC") {
    Some(s) => matches!(s.as_bytes(), b"seq2seq"),
    None => false,
};

/// Runs the sequence-to-sequence entry points; true if none reported an unexpected result.
fn seq2seq() -> bool {
    use g2p::{State, MODEL, OUTPUTS, VOCAB_SIZE};
    let mut ok = true;
    let mut state = State::new();
    let mut out = [0usize; 16];
    let word: &str = black_box("Ünïcödé words, punctuation!");
    ok &= MODEL.translate_text(word, &mut state, &mut out).is_ok();
    ok &= MODEL
        .translate(black_box([2usize, 3, 4]), &mut state, &mut out)
        .is_ok();
    // No input, an id out of range: errors, not panics.
    ok &= MODEL
        .translate_text(black_box(" "), &mut state, &mut out)
        .is_err();
    ok &= MODEL.step(black_box(VOCAB_SIZE), &mut state).is_err();
    ok &= MODEL.decode_step(black_box(OUTPUTS), &mut state).is_err();
    ok &= MODEL.encode(black_box([5usize, 6]), &mut state).is_ok();
    ok &= MODEL.output(&state).is_ok();
    ok &= MODEL
        .decoder(&mut state)
        .take(black_box(4))
        .all(|t| t.is_ok());
    ok
}

/// Runs the generative entry points; true if none reported an unexpected result.
fn generate() -> bool {
    use melody::{State, CONDITIONS, MODEL, VOCAB_SIZE};
    use tinyrnn::{Rng, Sampling};
    let mut ok = true;
    let mut state = State::new();
    let mut out = [0usize; 16];
    let mut rng = Rng::new(black_box(7));
    for sampling in [
        Sampling::Greedy,
        Sampling::Temperature(black_box(0.7)),
        Sampling::TopK {
            k: black_box(5),
            temperature: black_box(1.2),
        },
    ] {
        let class = black_box(CONDITIONS.len() - 1);
        ok &= MODEL
            .generate(class, sampling, &mut rng, &mut state, &mut out)
            .is_ok();
    }
    // A condition out of range: an error, not a panic.
    ok &= MODEL
        .condition(black_box(CONDITIONS.len()), &mut state)
        .is_err();
    if let Ok(mut tokens) = MODEL.generator(0, Sampling::Greedy, &mut rng, &mut state) {
        ok &= tokens.prompt(&black_box([3usize, 4])).is_ok();
        ok &= tokens.next().is_some_and(|t| t.is_ok());
    }
    ok &= MODEL.step(black_box(VOCAB_SIZE), &mut state).is_err();
    ok
}

/// Runs every entry point of every model once; true if none reported an error.
fn run() -> bool {
    let mut ok = true;
    macro_rules! text {
        ($m:ident) => {{
            use crate::$m::{State, MODEL, VOCAB_SIZE};
            let mut state = State::new();
            // `black_box`: the text and the ids are unknown at compile time, as on a device.
            let text: &str = black_box("This movie isn't good, it's BAD!! 10/10 ünïcödé");
            ok &= MODEL.classify_text(text, &mut state).is_ok();
            ok &= MODEL
                .feed_text(black_box("and a second line"), &mut state)
                .is_ok();
            ok &= MODEL.step(black_box(VOCAB_SIZE - 1), &mut state).is_ok();
            // Out of range: an error, not a panic.
            ok &= MODEL.step(black_box(VOCAB_SIZE), &mut state).is_err();
            ok &= MODEL
                .classify(black_box([0usize, 1, 2]), &mut state)
                .is_ok();
            if let Ok(out) = MODEL.step_output(black_box(1), &mut state) {
                black_box((out.label(), out.score(), out.best()));
            }
            if let Ok(out) = MODEL.output(&state) {
                black_box(out.label());
            }
        }};
    }
    macro_rules! sensor {
        ($m:ident) => {{
            use crate::$m::{State, INPUTS, MODEL};
            let mut state = State::new();
            let sample: [f32; INPUTS] = black_box([0.25; INPUTS]);
            let series: [[f32; INPUTS]; 8] = black_box([sample; 8]);
            ok &= MODEL.classify(series.iter(), &mut state).is_ok();
            ok &= MODEL.step(&sample, &mut state).is_ok();
            // A NaN sample: an error, not a panic.
            ok &= MODEL
                .step(&black_box([f32::NAN; INPUTS]), &mut state)
                .is_err();
            if let Ok(out) = MODEL.step_output(&sample, &mut state) {
                black_box((out.label(), out.score(), out.best()));
            }
            if let Ok(out) = MODEL.output(&state) {
                black_box(out.label());
            }
        }};
    }
    // The f32 models and the int8 ones together do not fit the M0 board's flash: one set per
    // build, chosen by `TINYRNN_NO_PANIC=int8` (the models not called are not linked).
    if const { GENERATE } {
        return generate();
    }
    if const { SEQ2SEQ } {
        return seq2seq();
    }
    if const { INT8 } {
        text!(seed_int8);
        text!(sentiment_int8);
        sensor!(motion_int8);
        sensor!(vowels_int8);
        sensor!(exercise_int8);
        // f32 models, but the f32 set leaves no room for them in the M0 and M3 boards' flash
        // (256 KB each; `exercise` with the `compact` kernels overflowed the M3's by 564 B,
        // `seed` the M0's by 3,580 B once `sentiment` grew to 141 KB).
        text!(seed);
        sensor!(conv_gru_2c);
        sensor!(exercise);
        ok &= bidirectional();
    } else {
        text!(sentiment);
        sensor!(motion);
        sensor!(vowels);
    }
    ok
}

#[cfg_attr(target_os = "none", cortex_m_rt::entry)]
fn main() -> ! {
    let ok = run();
    #[cfg(not(target_os = "none"))]
    if ok {
        println!("every entry point of every model ran without error");
    }
    finish(ok)
}
