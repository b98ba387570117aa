//! Generative (1→N) models against ONNX Runtime: the next-token distribution after every step
//! from a condition's initial state, and the greedy decoder loop.
//!
//! The fixtures are made by `scripts/make_generate_fixtures.py`, which runs ONNX Runtime's
//! GRU/LSTM operators with `initial_h` gathered from `condition.weight` and checks them against
//! a plain-numpy float64 forward pass.

mod support;

use serde::Deserialize;
use support::{assert_close, reference};
use tinyrnn::{GenerativeModel, Prediction, Rng, Sampling};
use tinyrnn_conformance as fx;

#[derive(Deserialize)]
struct Case {
    condition: usize,
    tokens: Vec<usize>,
    per_step: Vec<Vec<f32>>,
}

#[derive(Deserialize)]
struct Reference {
    cases: Vec<Case>,
    greedy: Vec<Vec<usize>>,
}

fn check<M: GenerativeModel>(name: &str, model: &M)
where
    M::State: PartialEq + std::fmt::Debug,
{
    let r: Reference = reference(name);
    assert_eq!(r.cases.len(), 4, "{name}: cases");
    for (n, case) in r.cases.iter().enumerate() {
        let mut state = M::State::default();
        model.condition(case.condition, &mut state).unwrap();
        for (t, (&token, theirs)) in case.tokens.iter().zip(&case.per_step).enumerate() {
            let ours = model.step_output(token, &mut state).unwrap();
            assert_close(&format!("{name} case {n} step {t}"), ours.values(), theirs);
            // The logits give the same distribution.
            let mut z = [0.0f32; 64];
            let logits = model.logits(&state).unwrap();
            let z = &mut z[..logits.values().len()];
            z.copy_from_slice(logits.values());
            let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let sum: f32 = z.iter().map(|v| (v - max).exp()).sum();
            for (v, p) in z.iter().zip(ours.values()) {
                assert!(((v - max).exp() / sum - p).abs() < 1e-6);
            }
        }
    }
    assert_eq!(
        r.greedy.len(),
        model.conditions().len(),
        "{name}: greedy runs"
    );
    for (class, expected) in r.greedy.iter().enumerate() {
        let mut state = M::State::default();
        let mut out = [0usize; 12];
        let mut rng = Rng::new(0);
        let n = model
            .generate(class, Sampling::Greedy, &mut rng, &mut state, &mut out)
            .unwrap();
        assert_eq!(
            &out[..n],
            expected.as_slice(),
            "{name} greedy, condition {class}"
        );
        assert_eq!(rng, Rng::new(0), "greedy draws nothing");
    }
}

#[test]
fn generate_gru_2l_matches_onnxruntime() {
    check("generate_gru_2l", &fx::generate_gru_2l::MODEL);
}

#[test]
fn generate_lstm_1l_matches_onnxruntime() {
    check("generate_lstm_1l", &fx::generate_lstm_1l::MODEL);
}

#[test]
fn the_baked_module_carries_the_generation_fields() {
    use fx::generate_gru_2l as g;
    assert_eq!(g::CONDITIONS, ["reel", "jig", "polka"]);
    assert_eq!((g::START_ID, g::END_ID), (0, 11));
    assert_eq!(g::MODEL.conditions(), &g::CONDITIONS);
    assert_eq!(tinyrnn::Model::task(&g::MODEL), tinyrnn::Task::Generate);
    // condition.weight is counted with the other weights.
    assert_eq!(tinyrnn::Model::weight_bytes(&g::MODEL), g::WEIGHT_BYTES);
    let mut state = g::State::new();
    assert_eq!(
        g::MODEL.condition(3, &mut state),
        Err(tinyrnn::Error::ClassOutOfRange {
            class: 3,
            classes: 3
        })
    );
}
