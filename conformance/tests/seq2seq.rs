//! Sequence-to-sequence (N→M) models against PyTorch: the greedy decoder loop — encoder over the
//! input, decoder from its final state fed back its own best token — gives the same output
//! tokens, and every decoder step's scores (logits) are close to PyTorch's (float32), relative
//! to their size: `|ours − theirs| ≤ tolerance · max(1, |theirs|)`, with a tolerance of 1e-5 for
//! the two small fixtures (worst 2.9e-6) and 5e-5 for the shipped `g2p` model (worst 2.2e-5, and
//! 2.3e-5 with `--features exact-activations`: not the activations but `f32` sums, in another
//! order than PyTorch's, carried through up to ten encoder and twenty decoder steps of a trained
//! model whose logits reach ±30). The decoder's outputs as probabilities, its softmax
//! (`MODEL.decoder.output`, with the crate's own `exp`), are within 1e-5 of the softmax of
//! PyTorch's logits (computed in `f64`) after every step, for all three (`g2p`: worst 2.6e-6,
//! 2.8e-6 with `exact-activations`).
//!
//! The fixtures are made by `scripts/make_seq2seq_fixtures.py`, which runs `nn.GRU`/`nn.LSTM`
//! and `nn.Linear` in float32 on the same weights.

use std::path::Path;

use serde::Deserialize;
use tinyrnn::{Model, Prediction, Seq2SeqModel, StreamingModel, Task, TextModel};
use tinyrnn_conformance as fx;

/// Largest allowed difference from PyTorch for the small fixtures, as in `parity.rs`, scaled by
/// `max(1, |logit|)`.
const TOLERANCE: f32 = 1e-5;

/// The same for the shipped trained model (module documentation).
const TRAINED_TOLERANCE: f32 = 5e-5;

#[derive(Deserialize)]
struct Case {
    input: Vec<usize>,
    output: Vec<usize>,
    logits: Vec<Vec<f32>>,
}

#[derive(Deserialize)]
struct Reference {
    start_id: usize,
    end_id: usize,
    limit: usize,
    cases: Vec<Case>,
}

fn reference(name: &str) -> Reference {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Largest allowed difference of a probability (the decoder's softmax) from PyTorch's.
const PROBABILITY_TOLERANCE: f64 = 1e-5;

/// The softmax of PyTorch's logits, in `f64`.
fn softmax(logits: &[f32]) -> Vec<f64> {
    let max = logits.iter().fold(f64::MIN, |m, &z| m.max(f64::from(z)));
    let e: Vec<f64> = logits.iter().map(|&z| (f64::from(z) - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}

/// Checks every case of `name`: the decoded tokens, and each step's logits (the decoder run
/// step by step on the encoder's state) and probabilities (`probabilities` of the state after
/// the step: the decoder's softmax).
fn check<M: Seq2SeqModel>(
    name: &str,
    model: &M,
    cases: usize,
    tolerance: f32,
    probabilities: impl Fn(&M::State) -> Result<M::Output, tinyrnn::Error>,
) {
    let r = reference(name);
    assert_eq!(r.cases.len(), cases, "{name}: cases");
    assert_eq!((model.start_id(), model.end_id()), (r.start_id, r.end_id));
    assert_eq!(model.task(), Task::Seq2Seq);
    let (mut worst, mut worst_p) = (0.0f32, 0.0f64);
    for (n, case) in r.cases.iter().enumerate() {
        let mut state = M::State::default();
        let mut out = vec![0usize; r.limit];
        let written = model
            .translate(case.input.iter().copied(), &mut state, &mut out)
            .unwrap();
        assert_eq!(&out[..written], &case.output[..], "{name} case {n}: tokens");

        model
            .encode(case.input.iter().copied(), &mut state)
            .unwrap();
        let fed = std::iter::once(model.start_id()).chain(case.output.iter().copied());
        assert_eq!(
            case.logits.len(),
            fed.clone().count().min(r.limit),
            "{name} case {n}"
        );
        for (t, (token, theirs)) in fed.zip(&case.logits).enumerate() {
            let ours = model.decode_step(token, &mut state).unwrap();
            assert_eq!(ours.values().len(), theirs.len());
            for (a, b) in ours.values().iter().zip(theirs) {
                let d = (a - b).abs() / b.abs().max(1.0);
                worst = worst.max(d);
                assert!(
                    d <= tolerance,
                    "{name} case {n} step {t}: {a} vs {b}: {d:e}"
                );
            }
            let ours = probabilities(&state).unwrap();
            for (a, b) in ours.values().iter().zip(softmax(theirs)) {
                let d = (f64::from(*a) - b).abs();
                worst_p = worst_p.max(d);
                assert!(
                    d <= PROBABILITY_TOLERANCE,
                    "{name} case {n} step {t}: probability {a} vs {b}: {d:e}"
                );
            }
        }
    }
    println!(
        "{name}: {} cases, worst |ours - PyTorch| / max(1, |PyTorch|) = {worst:e}, \
         worst probability difference {worst_p:e}",
        r.cases.len()
    );
}

#[test]
fn gru_2l_embedding_decodes_as_pytorch() {
    use fx::seq2seq_gru_2l as m;
    check("seq2seq_gru_2l", &m::MODEL, 6, TOLERANCE, |s| {
        m::MODEL.decoder.output(s)
    });
}

#[test]
fn lstm_1l_one_hot_decodes_as_pytorch() {
    use fx::seq2seq_lstm_1l as m;
    check("seq2seq_lstm_1l", &m::MODEL, 6, TOLERANCE, |s| {
        m::MODEL.decoder.output(s)
    });
}

#[test]
fn the_streaming_view_reads_the_input_and_the_first_output() {
    use fx::seq2seq_gru_2l as m;
    let text = "bcd";
    let ids: Vec<usize> = m::MODEL.vocabulary().encode(text).collect();
    assert_eq!(ids, [3, 4, 5]);
    // classify = the encoder over the input, then the first output token's distribution.
    let mut state = m::State::new();
    let first = m::MODEL.classify(ids.iter().copied(), &mut state).unwrap();
    let mut streamed = m::State::new();
    for &id in &ids {
        m::MODEL.step(id, &mut streamed).unwrap();
    }
    assert_eq!(streamed, state);
    assert_eq!(m::MODEL.output(&streamed).unwrap(), first);
    assert!((first.values().iter().sum::<f32>() - 1.0).abs() < 1e-5);
    let r = reference("seq2seq_gru_2l");
    assert_eq!(first.best(), r.cases[1].output[0]);
    // Errors: no input, an input id out of range (the state is left as it was).
    let mut out = [0usize; 4];
    assert_eq!(
        m::MODEL.translate_text("  ", &mut state, &mut out),
        Err(tinyrnn::Error::EmptyInput)
    );
    let before = state;
    assert_eq!(
        m::MODEL.step(m::VOCAB_SIZE, &mut state),
        Err(tinyrnn::Error::TokenOutOfRange {
            id: m::VOCAB_SIZE,
            vocab_size: m::VOCAB_SIZE
        })
    );
    assert_eq!(state, before);
    assert!(m::MODEL.decode_step(m::OUTPUTS, &mut state).is_err());
    assert_eq!(state, before);
    // The caller's limit: an empty buffer decodes nothing, a short one stops when full.
    assert_eq!(
        m::MODEL.translate(ids.iter().copied(), &mut state, &mut []),
        Ok(0)
    );
    assert_eq!(
        m::MODEL.translate(ids.iter().copied(), &mut state, &mut out),
        Ok(4)
    );
    assert_eq!(&out[..], &r.cases[1].output[..4]);
    assert_eq!(m::MODEL.weight_bytes(), m::WEIGHT_BYTES);
    assert_eq!(m::MODEL.labels(), &m::LABELS[..]);
}

/// The shipped `g2p` model on held-out words of `data/g2p/test.tsv` (the first 100 without a
/// near-tie), against PyTorch on the same weights
/// (`scripts/make_seq2seq_fixtures.py --model models/g2p.safetensors`).
#[test]
fn the_shipped_g2p_model_decodes_held_out_words_as_pytorch() {
    use tinyrnn::models::g2p;
    check("g2p_reference", &g2p::MODEL, 100, TRAINED_TOLERANCE, |s| {
        g2p::MODEL.decoder.output(s)
    });
}
