//! Streams recorded sensor series sample by sample through the `motion`, `vowels` and `exercise` models, on
//! a Cortex-M core under QEMU or on the host, and prints one line per series:
//! `model<TAB>label<TAB>probability<TAB>series`.
//!
//! ```text
//! cargo run --release --target thumbv6m-none-eabi --bin mcu_motion   # M0 under QEMU
//! cargo run --release --bin mcu_motion                               # the same on the host
//! ```
//! The series are in `cases/series.rs` as `static` data: two BasicMotions test series per class
//! for `motion` (`data/sensor/BasicMotions_TEST.ts`, 100 samples of accelerometer and gyroscope
//! each), one JapaneseVowels test series per class for `vowels`, and one 5 s window per exercise
//! for `exercise` (`data/sensor/Watch_TEST.ts`, subjects never seen in training, 50 samples of a
//! smartwatch's accelerometer and gyroscope at 10 Hz). The program fails only if a
//! series cannot be streamed; the labels are checked on the host by `tests/cases.rs`, and under
//! QEMU by `tools/compare-host-qemu.sh` (same labels as the host).
#![cfg_attr(target_os = "none", no_std, no_main)]

use tinyrnn::StreamingModel;
use tinyrnn_firmware::{cases, finish};

// Baked by build.rs: `tinyrnn_build::bake("../models/<name>.safetensors")`.
tinyrnn::include_model!(motion);
tinyrnn::include_model!(vowels);
tinyrnn::include_model!(exercise);

/// Streams the series recorded for the model called `name`, one `step` per sample; false if
/// one failed.
fn stream_series<M, const F: usize>(name: &str, model: &M) -> bool
where
    M: for<'a> StreamingModel<Input<'a> = &'a [f32; F]>,
{
    let mut state = M::State::default();
    let mut ok = true;
    for (index, (_, samples)) in cases::series(name).enumerate() {
        let steps = samples.len() / F;
        ok &= cases::report_series(
            name,
            index,
            steps,
            cases::stream(model, samples, &mut state),
        );
    }
    ok
}

#[cfg_attr(target_os = "none", cortex_m_rt::entry)]
fn main() -> ! {
    let motion = stream_series("motion", &motion::MODEL);
    let vowels = stream_series("vowels", &vowels::MODEL);
    let exercise = stream_series("exercise", &exercise::MODEL);
    finish(motion && vowels && exercise)
}
