//! Runs the int8 variants of the shipped models (docs/quantization.md) on the recorded cases, on
//! a Cortex-M core under QEMU or on the host, and prints one line per case:
//! `model<TAB>label<TAB>probability<TAB>input`.
//!
//! ```text
//! cargo run --release --target thumbv6m-none-eabi --bin mcu_int8   # M0 under QEMU
//! cargo run --release --bin mcu_int8                               # the same on the host
//! ```
//! The step is integer arithmetic only, so the states are bit-identical on every core; the
//! printed probabilities (the head's scale, bias and softmax, in `f32` once per case) are too
//! (`tools/compare-host-qemu.sh mcu_int8`). Each model's step runs through an out-of-line
//! function `step_<model>`: `tools/check-int8-float.sh` disassembles the M0 build and fails if
//! a soft-float routine (`__aeabi_f*`, `__aeabi_d*`, …) is reachable from one of them. The `f32`
//! `seed` model's step runs the same way (`step_seed_f32`, the last line) as the check's control:
//! on the M0 it must reach soft-float routines, or the check would prove nothing.
#![cfg_attr(target_os = "none", no_std, no_main)]

use tinyrnn::{Error, Prediction, StreamingModel, TextModel};
use tinyrnn_firmware::{cases, finish, say};

// Baked by build.rs: `tinyrnn_build::bake_with("../models/<name>.safetensors", Quantize::Int8)`.
tinyrnn::include_model!(seed_int8);
tinyrnn::include_model!(sentiment_int8);
tinyrnn::include_model!(motion_int8);
tinyrnn::include_model!(vowels_int8);
tinyrnn::include_model!(seed);

/// One int8 step of `seed_int8`, out of line for the soft-float check.
#[inline(never)]
fn step_seed_int8(id: usize, state: &mut seed_int8::State) -> Result<(), Error> {
    seed_int8::MODEL.step(id, state)
}

/// One int8 step of `sentiment_int8`.
#[inline(never)]
fn step_sentiment_int8(id: usize, state: &mut sentiment_int8::State) -> Result<(), Error> {
    sentiment_int8::MODEL.step(id, state)
}

/// One int8 step of `motion_int8`, from an `f32` sample (read from its bits: no float
/// operation either).
#[inline(never)]
fn step_motion_int8(
    sample: &[f32; motion_int8::INPUTS],
    state: &mut motion_int8::State,
) -> Result<(), Error> {
    motion_int8::MODEL.step(sample, state)
}

/// One int8 step of `vowels_int8`.
#[inline(never)]
fn step_vowels_int8(
    sample: &[f32; vowels_int8::INPUTS],
    state: &mut vowels_int8::State,
) -> Result<(), Error> {
    vowels_int8::MODEL.step(sample, state)
}

/// One `f32` step of `seed`: the check's control.
#[inline(never)]
fn step_seed_f32(id: usize, state: &mut seed::State) -> Result<(), Error> {
    seed::MODEL.step(id, state)
}

/// Classifies the sentences recorded for `cases` with `model`, stepping through `step`; false
/// if one failed.
fn sentences<M: TextModel + StreamingModel>(
    name: &str,
    cases: &str,
    model: &M,
    step: fn(usize, &mut M::State) -> Result<(), Error>,
) -> bool {
    let mut ok = true;
    for (_, text) in cases::sentences(cases) {
        let mut state = M::State::default();
        let mut steps = 0;
        let mut result = Ok(());
        for id in model.vocabulary().encode(text) {
            result = result.and_then(|()| step(id, &mut state));
            steps += 1;
        }
        match result.and_then(|()| model.output(&state)) {
            Ok(out) if steps > 0 => say!("{}\t{}\t{}\t{}", name, out.label(), out.score(), text),
            _ => {
                say!("{}\t(error)\t-\t{}", name, text);
                ok = false;
            }
        }
    }
    ok
}

/// Streams the series recorded for `cases` through `model`, one `step` per sample; false if one
/// failed.
fn series<M: StreamingModel, const F: usize>(
    name: &str,
    cases: &str,
    model: &M,
    step: fn(&[f32; F], &mut M::State) -> Result<(), Error>,
) -> bool {
    let mut ok = true;
    for (index, (_, samples)) in cases::series(cases).enumerate() {
        let mut state = M::State::default();
        let mut result = Ok(());
        let mut steps = 0;
        for chunk in samples.chunks_exact(F) {
            if let Ok(sample) = <&[f32; F]>::try_from(chunk) {
                result = result.and_then(|()| step(sample, &mut state));
                steps += 1;
            }
        }
        let output = match result.and_then(|()| model.output(&state)) {
            Ok(_) if steps == 0 => Err(Error::EmptyInput),
            output => output,
        };
        ok &= cases::report_series(name, index, steps, output);
    }
    ok
}

#[cfg_attr(target_os = "none", cortex_m_rt::entry)]
fn main() -> ! {
    let mut ok = sentences("seed_int8", "seed", &seed_int8::MODEL, step_seed_int8);
    ok &= sentences(
        "sentiment_int8",
        "sentiment",
        &sentiment_int8::MODEL,
        step_sentiment_int8,
    );
    ok &= series(
        "motion_int8",
        "motion",
        &motion_int8::MODEL,
        step_motion_int8,
    );
    ok &= series(
        "vowels_int8",
        "vowels",
        &vowels_int8::MODEL,
        step_vowels_int8,
    );
    // The control: the f32 model through its own out-of-line step.
    let mut state = seed::State::new();
    let text = "i am very happy";
    let mut result = Ok(());
    for id in seed::MODEL.vocabulary().encode(text) {
        result = result.and_then(|()| step_seed_f32(id, &mut state));
    }
    match result.and_then(|()| seed::MODEL.output(&state)) {
        Ok(out) => say!("seed (f32)\t{}\t{}\t{}", out.label(), out.score(), text),
        Err(_) => ok = false,
    }
    finish(ok)
}
