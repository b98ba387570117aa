//! tinyrnn against ONNX Runtime: every cell × {1, 2} layers × {embedding, one-hot, dense}.
//!
//! The fixtures (models and reference outputs) are made by `scripts/make_fixtures.py`, which
//! runs ONNX Runtime's RNN/LSTM/GRU operators (gate orders converted from PyTorch's) and checks
//! them against a plain-numpy float64 forward pass. Here the baked models must reproduce the
//! final outputs and the per-step outputs within `support::TOLERANCE`.

mod support;

use serde::Deserialize;
use support::{assert_close, reference};
use tinyrnn::prelude::*;
use tinyrnn_conformance as fx;

#[derive(Deserialize)]
struct Reference<T> {
    sequences: Vec<Vec<T>>,
    #[serde(rename = "final")]
    last: Vec<Vec<f32>>,
    per_step: Vec<Vec<Vec<f32>>>,
}

/// Runs one model over the reference sequences three ways: `classify`, streaming `step_output`
/// (per-step outputs), and checks they agree with each other exactly and with the reference.
fn check<M, T>(name: &str, model: &M, item: impl for<'a> Fn(&'a T) -> M::Input<'a>)
where
    M: StreamingModel,
    M::Output: PartialEq + std::fmt::Debug,
    M::State: PartialEq + std::fmt::Debug,
    T: for<'de> Deserialize<'de>,
{
    let r = reference::<Reference<T>>(name);
    assert_eq!(r.sequences.len(), 5, "{name}: fixture sequences");
    for (n, seq) in r.sequences.iter().enumerate() {
        let mut whole = M::State::default();
        let out = model
            .classify(seq.iter().map(&item), &mut whole)
            .expect("classify");
        let what = format!("{name} sequence {n} final");
        assert_close(&what, out.values(), &r.last[n]);

        let mut streamed = M::State::default();
        assert_eq!(r.per_step[n].len(), seq.len(), "{name}: per-step count");
        let mut last = None;
        for (t, x) in seq.iter().enumerate() {
            let step = model.step_output(item(x), &mut streamed).expect("step");
            let what = format!("{name} sequence {n} step {t}");
            assert_close(&what, step.values(), &r.per_step[n][t]);
            last = Some(step);
        }
        assert_eq!(
            last,
            Some(out),
            "{name} sequence {n}: streaming differs from classify"
        );
        assert_eq!(streamed, whole, "{name} sequence {n}: final states differ");
    }
}

fn token(id: &usize) -> usize {
    *id
}

macro_rules! token_models {
    ($($name:ident),*) => {$(
        #[test]
        fn $name() {
            check(stringify!($name), &fx::$name::MODEL, token);
        }
    )*};
}

macro_rules! dense_models {
    ($($name:ident),*) => {$(
        #[test]
        fn $name() {
            check(stringify!($name), &fx::$name::MODEL, |x: &[f32; fx::$name::INPUTS]| x);
        }
    )*};
}

token_models!(
    rnn_1l_embedding,
    rnn_1l_one_hot,
    rnn_2l_embedding,
    rnn_2l_one_hot,
    lstm_1l_embedding,
    lstm_1l_one_hot,
    lstm_2l_embedding,
    lstm_2l_one_hot,
    gru_1l_embedding,
    gru_1l_one_hot,
    gru_2l_embedding,
    gru_2l_one_hot
);
dense_models!(
    rnn_1l_dense,
    rnn_2l_dense,
    lstm_1l_dense,
    lstm_2l_dense,
    gru_1l_dense,
    gru_2l_dense
);

#[derive(Deserialize)]
struct TextCases {
    model: String,
    cases: Vec<TextCase>,
}

#[derive(Deserialize)]
struct TextCase {
    text: String,
    tokens: Vec<usize>,
    #[serde(rename = "final")]
    last: Vec<f32>,
}

/// The text front door: tokenization (case, punctuation, apostrophes, unknown words) and the
/// whole-text output against the reference.
#[test]
fn text_front_door_matches_the_reference() {
    let cases: TextCases = reference("text_cases");
    assert_eq!(cases.model, "gru_1l_embedding.safetensors");
    let model = &fx::gru_1l_embedding::MODEL;
    let vocab = model.vocabulary();
    for case in &cases.cases {
        let ids: Vec<usize> = vocab.encode(&case.text).collect();
        assert_eq!(ids, case.tokens, "tokens of {:?}", case.text);
        let mut state = fx::gru_1l_embedding::State::new();
        let out = model
            .classify_text(&case.text, &mut state)
            .expect("classify_text");
        let what = format!("gru_1l_embedding text {:?}", case.text);
        assert_close(&what, out.values(), &case.last);
    }
}
