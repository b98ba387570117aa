//! The recorded inputs the demos classify, and the label each should get: sentences from
//! `data/sentiment/` (`cases/sentences.rs`) and sensor series from `data/sensor/`
//! (`cases/series.rs`), kept only where the host build gives the true label.
//!
//! `tests/cases.rs` checks on the host that every case still gets its label; the firmware only
//! prints the labels it computes, and `tools/compare-host-qemu.sh` checks that they are the
//! host's. After retraining a model, regenerate both files with `tools/mcu-data.sh`.

use tinyrnn::{Error, Prediction, StreamingModel};

use crate::say;

/// `(model, expected label, text)`.
pub static SENTENCES: &[(&str, &str, &str)] = include!("../cases/sentences.rs");

/// `(model, expected label, samples)`, the samples time-major (`INPUTS` values each).
// Recorded sensor values: one that happens to be 0.318 is not an approximation of 1/π.
#[allow(clippy::approx_constant)]
pub static SERIES: &[(&str, &str, &[f32])] = include!("../cases/series.rs");

/// The sentences recorded for the model called `name`: `(expected label, text)`.
pub fn sentences(name: &str) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    SENTENCES
        .iter()
        .filter(move |case| case.0 == name)
        .map(|&(_, expected, text)| (expected, text))
}

/// The series recorded for the model called `name`: `(expected label, samples)`.
pub fn series(name: &str) -> impl Iterator<Item = (&'static str, &'static [f32])> + '_ {
    SERIES
        .iter()
        .filter(move |case| case.0 == name)
        .map(|&(_, expected, samples)| (expected, samples))
}

/// Streams a recorded series (`F` values per sample, time-major) through `model` from the zero
/// state, one `step` per sample, and returns the output after the last one; trailing values
/// that do not fill a sample are ignored, and no sample at all is [`Error::EmptyInput`].
pub fn stream<M, const F: usize>(
    model: &M,
    samples: &[f32],
    state: &mut M::State,
) -> Result<M::Output, Error>
where
    M: for<'a> StreamingModel<Input<'a> = &'a [f32; F]>,
{
    *state = M::State::default();
    let mut steps = 0;
    for chunk in samples.chunks_exact(F) {
        if let Ok(sample) = <&[f32; F]>::try_from(chunk) {
            model.step(sample, state)?;
            steps += 1;
        }
    }
    if steps == 0 {
        return Err(Error::EmptyInput);
    }
    model.output(state)
}

/// Prints the line of one streamed series, `name<TAB>label<TAB>score<TAB>series INDEX (STEPS
/// samples)`, or `(error)` in place of the label and score; returns whether it had an output.
pub fn report_series<O: Prediction>(
    name: &str,
    index: usize,
    steps: usize,
    output: Result<O, Error>,
) -> bool {
    match output {
        Ok(out) => say!(
            "{}\t{}\t{}\tseries {} ({} samples)",
            name,
            out.label(),
            out.score(),
            index,
            steps
        ),
        Err(_) => {
            say!("{}\t(error)\t-\tseries {} ({} samples)", name, index, steps);
            return false;
        }
    }
    true
}
