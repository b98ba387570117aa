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
//! function `step_int8` (one instance per model): `tools/check-int8-float.sh` disassembles the M0 build and fails if
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
tinyrnn::include_model!(exercise_int8);
tinyrnn::include_model!(seed);

/// One int8 step of `model`, out of line for the soft-float check: one instance per model, each
/// named `mcu_int8::step_int8` in the disassembly.
#[inline(never)]
fn step_int8<M: StreamingModel>(
    model: &M,
    item: M::Input<'_>,
    state: &mut M::State,
) -> Result<(), Error> {
    model.step(item, state)
}

/// One `f32` step of `seed`: the check's control.
#[inline(never)]
fn step_seed_f32(id: usize, state: &mut seed::State) -> Result<(), Error> {
    seed::MODEL.step(id, state)
}

/// Classifies the sentences recorded for `cases` with the int8 `model`; false if one failed.
fn sentences<M: TextModel + StreamingModel>(name: &str, cases: &str, model: &M) -> bool {
    let mut ok = true;
    for (_, text) in cases::sentences(cases) {
        let mut state = M::State::default();
        let mut steps = 0;
        let mut result = Ok(());
        for id in model.vocabulary().encode(text) {
            result = result.and_then(|()| step_int8(model, id, &mut state));
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

/// Streams the series recorded for `cases` through the int8 `model`, one step per sample; false
/// if one failed.
fn series<M, const F: usize>(name: &str, cases: &str, model: &M) -> bool
where
    M: for<'a> StreamingModel<Input<'a> = &'a [f32; F]>,
{
    let mut ok = true;
    for (index, (_, samples)) in cases::series(cases).enumerate() {
        let mut state = M::State::default();
        let mut result = Ok(());
        let mut steps = 0;
        for chunk in samples.chunks_exact(F) {
            if let Ok(sample) = <&[f32; F]>::try_from(chunk) {
                result = result.and_then(|()| step_int8(model, sample, &mut state));
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
    let mut ok = sentences("seed_int8", "seed", &seed_int8::MODEL);
    ok &= sentences("sentiment_int8", "sentiment", &sentiment_int8::MODEL);
    ok &= series("motion_int8", "motion", &motion_int8::MODEL);
    ok &= series("vowels_int8", "vowels", &vowels_int8::MODEL);
    ok &= series("exercise_int8", "exercise", &exercise_int8::MODEL);
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
