//! Our forward pass (candle) reproduces the independent reference outputs of the project's
//! conformance fixtures (ONNX Runtime, cross-checked against numpy by scripts/make_fixtures.py)
//! for every cell, layer count and input kind.

use std::path::{Path, PathBuf};

use tinyrnn_train::{Model, Sequence};

#[test]
fn forward_pass_matches_the_onnx_reference_fixtures() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../conformance/fixtures");
    let mut checked = 0;
    for cell in ["rnn", "lstm", "gru"] {
        for layers in [1, 2] {
            for input in ["embedding", "one_hot", "dense"] {
                let name = format!("{cell}_{layers}l_{input}");
                checked += check_fixture(&dir, &name, input == "dense");
            }
        }
    }
    assert!(checked >= 18);
}

/// Models with a convolution front-end (format version 2, every `conv_*` fixture: valid and
/// causal padding, strides, dilations, max-pools, before RNN, LSTM and GRU layers): the
/// trainer's convolution (taps gathered and multiplied, ReLU, pooling) followed by its recurrent
/// layers gives ONNX Runtime's `Conv`/`Relu`/`MaxPool` outputs.
#[test]
fn conv_forward_pass_matches_the_onnx_reference_fixtures() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../conformance/fixtures");
    let mut checked = 0;
    for name in ["conv_gru_1c", "conv_gru_2c", "conv_lstm_2c", "conv_rnn_1c"] {
        let model = Model::load(&dir.join(format!("{name}.safetensors"))).unwrap();
        assert!(!model.params.config.conv.is_empty(), "{name}");
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(
            json["min_samples"].as_u64(),
            Some(model.params.config.min_samples() as u64),
            "{name}: the fewest samples for one recurrent step"
        );
        // One sample fewer than that makes no recurrent step: refused, as the runtime does.
        let tinyrnn_train::Preprocess::Dense { mean, .. } = &model.pre else {
            panic!("{name}: a conv model reads dense samples");
        };
        let short = vec![vec![0.5f32; mean.len()]; model.params.config.min_samples() - 1];
        if !short.is_empty() {
            assert!(model.predict(Sequence::Samples(&short)).is_err(), "{name}");
        }
        checked += check_fixture(&dir, name, true);
    }
    assert_eq!(checked, 20);
}

/// Bidirectional models (format version 2, every `bidi_*` fixture): the trainer's forward
/// pass, both directions with the padded-batch masking, gives ONNX Runtime's
/// `direction="bidirectional"` outputs.
#[test]
fn bidirectional_forward_pass_matches_the_onnx_reference_fixtures() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../conformance/fixtures");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let file = entry.unwrap().file_name().into_string().unwrap();
        if let Some(name) = file
            .strip_prefix("bidi_")
            .and_then(|n| n.strip_suffix(".json"))
        {
            let name = format!("bidi_{name}");
            let model = Model::load(&dir.join(format!("{name}.safetensors"))).unwrap();
            assert_eq!(model.params.config.bidirectional, Some(17), "{name}");
            checked += check_fixture(&dir, &name, name.ends_with("dense"));
        }
    }
    assert_eq!(checked, 30);
}

/// Compares the final output of every sequence of fixture `name` with the reference (within
/// 1e-5); returns how many were checked.
fn check_fixture(dir: &Path, name: &str, dense: bool) -> usize {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap())
            .unwrap();
    let model = Model::load(&dir.join(format!("{name}.safetensors"))).unwrap();
    let seqs = json["sequences"].as_array().unwrap();
    let finals = json["final"].as_array().unwrap();
    assert_eq!(seqs.len(), finals.len());
    for (s, f) in seqs.iter().zip(finals) {
        let expected: Vec<f64> = serde_json::from_value(f.clone()).unwrap();
        let got = if dense {
            let samples: Vec<Vec<f32>> = serde_json::from_value(s.clone()).unwrap();
            model.predict(Sequence::Samples(&samples)).unwrap()
        } else {
            let ids: Vec<u32> = serde_json::from_value(s.clone()).unwrap();
            model.predict(Sequence::Tokens(&ids)).unwrap()
        };
        assert_eq!(got.len(), expected.len(), "{name}");
        for (g, e) in got.iter().zip(&expected) {
            assert!(
                (f64::from(*g) - e).abs() < 1e-5,
                "{name}: {s}: got {got:?}, reference {expected:?}"
            );
        }
    }
    seqs.len()
}
