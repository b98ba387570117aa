//! Bidirectional layers (format version 2) against ONNX Runtime's RNN/LSTM/GRU operators with
//! `direction="bidirectional"` (and, when the fixtures were made, PyTorch's `h_n`).
//!
//! A bidirectional model has a final output only: `classify` over each reference sequence must
//! be within `support::TOLERANCE` (1e-5) of the reference. The state holds `max_steps` elements: the longest
//! reference sequence fills it exactly, and one element more is `Error::TooLong`.

mod support;

use serde::Deserialize;
use support::{assert_close, reference};
use tinyrnn::{Error, Model, Prediction, TextFrontend};
use tinyrnn_conformance as fx;

/// A fixture: sequences of samples (`Vec<f32>` each) or of token ids (`usize` each).
#[derive(Deserialize)]
struct Reference<T> {
    max_steps: usize,
    sequences: Vec<Vec<T>>,
    #[serde(rename = "final")]
    last: Vec<Vec<f32>>,
}

/// Classifies every reference sequence and checks the final output against the reference,
/// the state's length limit and an empty sequence; returns the largest difference.
fn check<'a, M>(name: &str, model: &M, max_steps: usize, seqs: &[Vec<M::Input<'a>>]) -> f32
where
    M: Model,
    M::Output: PartialEq + std::fmt::Debug,
{
    let r: Reference<serde_json::Value> = reference(name);
    assert_eq!(r.max_steps, max_steps, "{name}: MAX_STEPS");
    let mut largest = 0.0f32;
    let mut state = M::State::default();
    for (n, seq) in seqs.iter().enumerate() {
        let out = model.classify(seq.iter().copied(), &mut state).unwrap();
        let d = assert_close(&format!("{name} sequence {n}"), out.values(), &r.last[n]);
        largest = largest.max(d);
        // The same again from whatever the last run left: the state needs no reset.
        assert_eq!(model.classify(seq.iter().copied(), &mut state), Ok(out));
    }
    let longest = seqs.iter().max_by_key(|s| s.len()).unwrap();
    assert_eq!(
        longest.len(),
        max_steps,
        "{name}: the longest sequence fills the state"
    );
    let too_long = longest.iter().chain(longest.first()).copied();
    assert_eq!(
        model.classify(too_long, &mut state),
        Err(Error::TooLong { max_steps })
    );
    assert_eq!(model.classify([], &mut state), Err(Error::EmptyInput));
    eprintln!("{name}: largest |ours - onnxruntime| {largest:e}");
    largest
}

/// [`check`] for a model reading samples of `F` features.
fn dense<M, const F: usize>(name: &str, model: &M, max_steps: usize)
where
    M: for<'a> Model<Input<'a> = &'a [f32; F]>,
    M::Output: PartialEq + std::fmt::Debug,
{
    let r: Reference<Vec<f32>> = reference(name);
    let samples: Vec<Vec<[f32; F]>> = r
        .sequences
        .iter()
        .map(|seq| {
            seq.iter()
                .map(|s| s.as_slice().try_into().unwrap())
                .collect()
        })
        .collect();
    let seqs: Vec<Vec<&[f32; F]>> = samples.iter().map(|s| s.iter().collect()).collect();
    check(name, model, max_steps, &seqs);
}

/// [`check`] for a model reading token ids.
fn tokens<M>(name: &str, model: &M, max_steps: usize)
where
    M: for<'a> Model<Input<'a> = usize>,
    M::Output: PartialEq + std::fmt::Debug,
{
    let r: Reference<usize> = reference(name);
    check(name, model, max_steps, &r.sequences);
}

#[test]
fn sensor_models() {
    use fx::{bidi_gru_2l_dense as gru, bidi_lstm_2l_dense as lstm, bidi_rnn_1l_dense as rnn};
    dense("bidi_rnn_1l_dense", &rnn::MODEL, rnn::MAX_STEPS);
    dense("bidi_lstm_2l_dense", &lstm::MODEL, lstm::MAX_STEPS);
    dense("bidi_gru_2l_dense", &gru::MODEL, gru::MAX_STEPS);
}

#[test]
fn text_models() {
    use fx::bidi_rnn_2l_embedding as rnn;
    use fx::{bidi_gru_1l_embedding as gru, bidi_lstm_1l_one_hot as lstm};
    tokens("bidi_rnn_2l_embedding", &rnn::MODEL, rnn::MAX_STEPS);
    tokens("bidi_lstm_1l_one_hot", &lstm::MODEL, lstm::MAX_STEPS);
    tokens("bidi_gru_1l_embedding", &gru::MODEL, gru::MAX_STEPS);
}

/// Bad elements are refused with their error and leave no result in the state.
#[test]
fn bad_elements() {
    use fx::{bidi_gru_1l_embedding as text, bidi_gru_2l_dense as dense};
    let mut state = dense::State::new();
    let mut nan = [0.5f32; dense::INPUTS];
    nan[2] = f32::NAN;
    assert_eq!(
        dense::MODEL.classify(&[[0.5; dense::INPUTS], nan], &mut state),
        Err(Error::NonFinite { feature: 2 })
    );
    assert_eq!(state.steps(), 0);
    let vocabulary = text::MODEL.frontend.vocabulary();
    let ids = vocabulary.encode("the movie was not good");
    let mut state = text::State::new();
    assert!(text::MODEL.classify(ids, &mut state).is_ok());
    assert_eq!(state.steps(), 5);
    assert_eq!(
        text::MODEL.classify([2, text::VOCAB_SIZE], &mut state),
        Err(Error::TokenOutOfRange {
            id: text::VOCAB_SIZE,
            vocab_size: text::VOCAB_SIZE
        })
    );
    assert_eq!(state.steps(), 0);
}

/// The generated sizes: weights of both directions, and the state's room (no output buffers
/// for one layer).
#[test]
fn sizes() {
    use fx::{bidi_gru_1l_embedding as one, bidi_gru_2l_dense as two};
    assert_eq!(one::MODEL.weight_bytes(), one::WEIGHT_BYTES);
    assert_eq!(two::MODEL.weight_bytes(), two::WEIGHT_BYTES);
    // The f32 values, then the step count (a usize, aligned).
    let bytes = |f32s: usize| {
        (4 * f32s).next_multiple_of(std::mem::align_of::<usize>()) + std::mem::size_of::<usize>()
    };
    // Inputs of every step, the top layer's two final states.
    let one_state = one::MAX_STEPS * one::INPUTS + 2 * one::HIDDEN;
    assert_eq!(std::mem::size_of::<one::State>(), bytes(one_state));
    // Two layers: also 2H outputs of the layer below and H of a backward direction per step.
    let two_state = two::MAX_STEPS * (two::INPUTS + 3 * two::HIDDEN) + 2 * two::HIDDEN;
    assert_eq!(std::mem::size_of::<two::State>(), bytes(two_state));
}
