//! Convolution front-ends (format version 2) against ONNX Runtime's `Conv`, `Relu` and
//! `MaxPool` followed by its RNN/LSTM/GRU operators.
//!
//! The samples are streamed one by one through `step`: the recurrent layers step only when the
//! convolution gives an output, and after each such step the head's output must be within
//! `support::TOLERANCE` of ONNX Runtime's output for that recurrent step. `classify` over the same
//! samples must give the same bits as the stream, and its result the reference's final output.

mod support;

use serde::Deserialize;
use support::{assert_close, reference};
use tinyrnn::prelude::*;
use tinyrnn::Error;
use tinyrnn_conformance as fx;

#[derive(Deserialize)]
struct Reference {
    min_samples: usize,
    sequences: Vec<Vec<Vec<f32>>>,
    #[serde(rename = "final")]
    last: Vec<Vec<f32>>,
    per_step: Vec<Vec<Vec<f32>>>,
}

/// Streams and classifies every reference sequence; returns the largest difference seen.
macro_rules! check {
    ($name:ident) => {{
        use fx::$name as m;
        let r: Reference = reference(stringify!($name));
        assert_eq!(r.min_samples, m::MIN_SAMPLES, "MIN_SAMPLES");
        let mut largest = 0.0f32;
        for (n, seq) in r.sequences.iter().enumerate() {
            let samples: Vec<[f32; m::INPUTS]> = seq
                .iter()
                .map(|s| s.as_slice().try_into().unwrap())
                .collect();
            let mut streamed = m::State::new();
            let mut outputs = Vec::new();
            for sample in &samples {
                let before = streamed.steps();
                let out = m::MODEL.step_output(sample, &mut streamed).expect("step");
                if streamed.steps() != before {
                    assert_eq!(streamed.steps(), before + 1);
                    outputs.push(out);
                }
            }
            assert_eq!(
                outputs.len(),
                r.per_step[n].len(),
                "{} sequence {n}: recurrent steps",
                stringify!($name)
            );
            for (t, (ours, theirs)) in outputs.iter().zip(&r.per_step[n]).enumerate() {
                let what = format!("{} seq {n} step {t}", stringify!($name));
                largest = largest.max(assert_close(&what, ours.values(), theirs));
            }
            let mut whole = m::State::new();
            let out = m::MODEL.classify(&samples, &mut whole).expect("classify");
            let what = format!("{} seq {n} final", stringify!($name));
            largest = largest.max(assert_close(&what, out.values(), &r.last[n]));
            // Bit-identical: the same state and the same output as the stream.
            assert_eq!(
                whole,
                streamed,
                "{} seq {n}: states differ",
                stringify!($name)
            );
            assert_eq!(Some(&out), outputs.last());
            assert_eq!(m::MODEL.output(&streamed), Ok(out));
            // One sample fewer than MIN_SAMPLES never reaches the recurrent layers.
            if samples.len() == m::MIN_SAMPLES {
                assert_eq!(
                    m::MODEL.classify(&samples[..samples.len() - 1], &mut whole),
                    Err(Error::EmptyInput)
                );
                assert_eq!(whole.steps(), 0);
            }
        }
        largest
    }};
}

#[test]
fn conv_gru_1c() {
    eprintln!(
        "{}: largest |ours - onnxruntime| {:e}",
        stringify!(conv_gru_1c),
        check!(conv_gru_1c)
    );
}

#[test]
fn conv_gru_2c() {
    eprintln!(
        "{}: largest |ours - onnxruntime| {:e}",
        stringify!(conv_gru_2c),
        check!(conv_gru_2c)
    );
}

#[test]
fn conv_lstm_2c() {
    eprintln!(
        "{}: largest |ours - onnxruntime| {:e}",
        stringify!(conv_lstm_2c),
        check!(conv_lstm_2c)
    );
}

#[test]
fn conv_rnn_1c() {
    eprintln!(
        "{}: largest |ours - onnxruntime| {:e}",
        stringify!(conv_rnn_1c),
        check!(conv_rnn_1c)
    );
}

/// A NaN sample, in the middle of a window, is refused and leaves the windows and the
/// recurrent state as they were; the stream then goes on as if it had not been sent.
#[test]
fn a_bad_sample_leaves_the_windows_unchanged() {
    use fx::conv_gru_2c as m;
    let r: Reference = reference("conv_gru_2c");
    let samples: Vec<[f32; m::INPUTS]> = r.sequences[4]
        .iter()
        .map(|s| s.as_slice().try_into().unwrap())
        .collect();
    let mut clean = m::State::new();
    let mut dirty = m::State::new();
    for (t, sample) in samples.iter().enumerate() {
        m::MODEL.step(sample, &mut clean).unwrap();
        if t % 3 == 1 {
            let before = dirty;
            let mut bad = *sample;
            bad[2] = f32::NAN;
            assert_eq!(
                m::MODEL.step(&bad, &mut dirty),
                Err(Error::NonFinite { feature: 2 })
            );
            assert_eq!(dirty, before);
        }
        m::MODEL.step(sample, &mut dirty).unwrap();
        assert_eq!(dirty, clean);
    }
}

/// The generic traits see a conv model like any other, with no new type parameter.
#[test]
fn a_conv_model_is_a_streaming_model() {
    fn label<'a, M: StreamingModel>(
        model: &M,
        items: impl IntoIterator<Item = M::Input<'a>>,
    ) -> usize {
        let mut state = M::State::default();
        model
            .classify(items, &mut state)
            .map_or(usize::MAX, |o| o.best())
    }
    let series = [[0.5f32; fx::conv_lstm_2c::INPUTS]; 40];
    assert!(label(&fx::conv_lstm_2c::MODEL, &series) < fx::conv_lstm_2c::OUTPUTS);
    assert_eq!(
        fx::conv_lstm_2c::MODEL.weight_bytes(),
        fx::conv_lstm_2c::WEIGHT_BYTES
    );
}
