//! The exported file has exactly the tensors of docs/model-format.md, passes tinyrnn-build's
//! validation, and reads back to the same forward pass.

mod common;

use candle_core::{DType, Device};
use tinyrnn_train::model::{Config, Input, Params};
use tinyrnn_train::modelfile::{self, ClassifierMeta, Metadata, Model, Preprocess};
use tinyrnn_train::text::Vocab;
use tinyrnn_train::{Cell, Sequence};

/// The tensors the doc lists, written out independently of `Config::tensor_shapes`.
fn expected(
    cell: Cell,
    input: Input,
    h: usize,
    layers: usize,
    c: usize,
) -> Vec<(String, Vec<usize>)> {
    let g = match cell {
        Cell::Rnn => 1,
        Cell::Lstm => 4,
        Cell::Gru => 3,
    };
    let mut v = Vec::new();
    let i0 = match input {
        Input::Embedding { vocab, dim } => {
            v.push(("embedding.weight".to_string(), vec![vocab, dim]));
            dim
        }
        Input::OneHot { vocab } => vocab,
        Input::Dense { features } => features,
    };
    for k in 0..layers {
        let i = if k == 0 { i0 } else { h };
        v.push((format!("rnn.weight_ih_l{k}"), vec![g * h, i]));
        v.push((format!("rnn.weight_hh_l{k}"), vec![g * h, h]));
        v.push((format!("rnn.bias_ih_l{k}"), vec![g * h]));
        v.push((format!("rnn.bias_hh_l{k}"), vec![g * h]));
    }
    v.push(("head.weight".to_string(), vec![c, h]));
    v.push(("head.bias".to_string(), vec![c]));
    v.sort();
    v
}

fn preprocess(input: Input) -> Preprocess {
    match input {
        Input::Embedding { vocab, .. } | Input::OneHot { vocab } => {
            let mut words = vec!["<pad>".to_string(), "<unk>".to_string()];
            words.extend((2..vocab).map(|i| format!("w{i}")));
            Preprocess::Text(Vocab::from_words(words))
        }
        Input::Dense { features } => Preprocess::Dense {
            mean: vec![0.5; features],
            std: vec![2.0; features],
        },
    }
}

#[test]
fn tensor_names_and_shapes_match_the_doc() {
    let dir = common::scratch("export");
    for cell in [Cell::Rnn, Cell::Lstm, Cell::Gru] {
        for input in [
            Input::Embedding { vocab: 9, dim: 5 },
            Input::OneHot { vocab: 9 },
            Input::Dense { features: 3 },
        ] {
            for layers in [1, 2] {
                let config = Config {
                    cell,
                    input,
                    hidden: 4,
                    layers,
                    classes: 3,
                    bidirectional: None,
                    conv: Vec::new(),
                };
                let params = Params::init(config.clone(), 1, DType::F32, &Device::Cpu).unwrap();
                let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
                let pre = preprocess(input);
                let meta = Metadata::for_classifier(&config, &labels, &pre);
                let bytes = modelfile::to_bytes(&params.to_f32().unwrap(), &meta).unwrap();
                let what = format!("{} {} {layers}l", cell.name(), input.name());

                // Names, shapes, dtypes as safetensors sees them.
                let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
                let mut found: Vec<(String, Vec<usize>)> = st
                    .tensors()
                    .into_iter()
                    .map(|(n, t)| (n, t.shape().to_vec()))
                    .collect();
                found.sort();
                assert_eq!(found, expected(cell, input, 4, layers, 3), "{what}");
                assert!(st
                    .tensors()
                    .iter()
                    .all(|(_, t)| t.dtype() == safetensors::Dtype::F32));

                // Metadata JSON.
                let (_, header) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
                let json: serde_json::Value =
                    serde_json::from_str(&header.metadata().as_ref().unwrap()["tinyrnn"]).unwrap();
                assert_eq!(json["format_version"], 1);
                assert_eq!(json["cell"], cell.name());
                assert_eq!(json["num_layers"], layers);
                assert_eq!(json["hidden_size"], 4);
                assert_eq!(json["input"], input.name());
                assert_eq!(json["task"], "classify");
                assert_eq!(json["output"], "softmax");
                assert_eq!(json["labels"], serde_json::json!(["a", "b", "c"]));
                if let Input::Dense { .. } = input {
                    assert_eq!(json["mean"], serde_json::json!([0.5, 0.5, 0.5]));
                    assert!(json.get("vocab").is_none());
                } else {
                    assert_eq!(json["vocab"][0], "<pad>");
                    assert_eq!(json["vocab"][1], "<unk>");
                    assert_eq!(json["unk_id"], 1);
                    assert_eq!(json["pad_id"], 0);
                    assert_eq!(
                        json["tokenizer"],
                        serde_json::json!({"lowercase": true, "split": "words"})
                    );
                    assert!(json.get("mean").is_none());
                }

                // The code generator's validator accepts the file.
                let spec = tinyrnn_build::parse(std::path::Path::new(&what), &bytes)
                    .unwrap_or_else(|e| panic!("{what}: tinyrnn-build rejects the file: {e}"));
                assert_eq!(spec.parameters(), config.num_params());

                // Reading back gives the same forward pass.
                let path = dir.join("m.safetensors");
                std::fs::write(&path, &bytes).unwrap();
                let model = Model::load(&path).unwrap();
                assert_eq!(model.params.config, config);
                let seq_text = [vec![2u32, 5, 1], vec![8]];
                let seq_dense = [vec![vec![0.1f32, -0.2, 0.3], vec![1.0, 2.0, -3.0]]];
                let p = match input {
                    Input::Dense { .. } => model.predict(Sequence::Samples(&seq_dense[0])).unwrap(),
                    _ => model.predict(Sequence::Tokens(&seq_text[0])).unwrap(),
                };
                assert_eq!(p.len(), 3);
                assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5, "{what}: {p:?}");
            }
        }
    }
}

/// The model file of a freshly initialised network with these labels.
fn export(config: Config, labels: &[&str]) -> Vec<u8> {
    let params = Params::init(config.clone(), 1, DType::F32, &Device::Cpu).unwrap();
    let labels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
    let meta = Metadata::for_classifier(&config, &labels, &preprocess(config.input));
    modelfile::to_bytes(&params.to_f32().unwrap(), &meta).unwrap()
}

/// A bidirectional network is written with PyTorch's `_reverse` tensors, a head over both
/// directions and `"bidirectional": true`, accepted by tinyrnn-build, and read back the same.
#[test]
fn a_bidirectional_model_is_written_baked_and_read_back() {
    let (cell, input) = (Cell::Lstm, Input::Dense { features: 3 });
    let mut config = Config::new(cell, input, 4, 2, 3);
    config.bidirectional = Some(6);
    let bytes = export(config.clone(), &["a", "b", "c"]);
    let spec = tinyrnn_build::parse(std::path::Path::new("bidi.safetensors"), &bytes).unwrap();
    assert_eq!(spec.meta.bidirectional.map(|b| b.max_steps), Some(6));
    assert_eq!(spec.tensor("rnn.weight_ih_l1_reverse").shape, [16, 8]);
    assert_eq!(spec.tensor("head.weight").shape, [3, 8]);
    assert_eq!(spec.parameters(), config.num_params());
    let model = Model::from_bytes(&bytes).unwrap();
    assert_eq!(model.params.config, config);
    let p = model
        .predict(Sequence::Samples(&[
            vec![0.1, -0.2, 0.3],
            vec![1.0, 2.0, -3.0],
        ]))
        .unwrap();
    assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5, "{p:?}");
}

/// A convolution front-end is written with PyTorch's `conv.{j}.weight` `[out, in, kernel]` and
/// `conv.{j}.bias` and the `conv` list (format version 2), accepted by tinyrnn-build, and read
/// back the same.
#[test]
fn a_conv_model_is_written_baked_and_read_back() {
    let mut config = Config::new(Cell::Gru, Input::Dense { features: 3 }, 4, 2, 3);
    config.conv = tinyrnn_train::train::parse_conv("6:5:causal:dilation=2,5:3:2:pool=2").unwrap();
    assert_eq!(config.layer_input(0), 5);
    let bytes = export(config.clone(), &["a", "b", "c"]);
    let spec = tinyrnn_build::parse(std::path::Path::new("conv.safetensors"), &bytes).unwrap();
    assert_eq!(spec.meta.conv, config.conv);
    assert_eq!(spec.tensor("conv.0.weight").shape, [6, 3, 5]);
    assert_eq!(spec.tensor("conv.1.weight").shape, [5, 6, 3]);
    assert_eq!(spec.tensor("conv.1.bias").shape, [5]);
    assert_eq!(spec.tensor("rnn.weight_ih_l0").shape, [12, 5]);
    assert_eq!(spec.parameters(), config.num_params());
    let model = Model::from_bytes(&bytes).unwrap();
    assert_eq!(model.params.config, config);
    assert!(String::from_utf8_lossy(&bytes).contains(r#"\"format_version\":2"#));
    let samples: Vec<Vec<f32>> = (0..9).map(|t| vec![t as f32 * 0.1, -0.2, 0.3]).collect();
    let p = model.predict(Sequence::Samples(&samples)).unwrap();
    assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5, "{p:?}");
}

#[test]
fn header_is_sorted_and_padded() {
    let config = Config::new(Cell::Gru, Input::Dense { features: 2 }, 3, 1, 2);
    let bytes = export(config.clone(), &["x", "y"]);
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    assert_eq!(n % 8, 0);
    let header = std::str::from_utf8(&bytes[8..8 + n]).unwrap();
    assert!(
        header.starts_with(
            "{\"__metadata__\":{\"tinyrnn\":\"{\\\"format_version\\\":1,\\\"cell\\\":\\\"gru\\\""
        ),
        "{header}"
    );
    let order: Vec<usize> = [
        "\"head.bias\"",
        "\"head.weight\"",
        "\"rnn.bias_hh_l0\"",
        "\"rnn.bias_ih_l0\"",
        "\"rnn.weight_hh_l0\"",
        "\"rnn.weight_ih_l0\"",
    ]
    .iter()
    .map(|k| header.find(k).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{header}");
}

#[test]
fn re_exporting_a_shipped_model_gives_its_bytes_back() {
    // The trainer's export path (metadata from the configuration, header, tensors) reproduces
    // every shipped model byte for byte, so `tools/retrain-check.sh` compares only training.
    let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../models");
    let mut checked = 0;
    for entry in std::fs::read_dir(models).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "safetensors") {
            continue;
        }
        let shipped = std::fs::read(&path).unwrap();
        let spec = tinyrnn_build::load(&path).unwrap();
        if spec.meta.decoding.is_some() {
            // A sequence-to-sequence model: the `seq2seq` subcommand writes its tensors and
            // metadata with the same writer.
            let tensors: Vec<_> = spec
                .tensors
                .iter()
                .map(|(n, t)| (n.clone(), t.shape.clone(), t.data.clone()))
                .collect();
            let bytes = modelfile::to_bytes(&tensors, &spec.meta).unwrap();
            assert!(bytes == shipped, "{path:?}: the re-exported file differs");
            checked += 1;
            continue;
        }
        if spec.meta.generation.is_some() {
            // A generative model: the `generate` subcommand's export path.
            let g = tinyrnn_train::generative::Generator::load(&path).unwrap();
            let bytes = modelfile::to_bytes(&g.tensors().unwrap(), &g.meta).unwrap();
            assert!(bytes == shipped, "{path:?}: the re-exported file differs");
            checked += 1;
            continue;
        }
        let model = Model::load(&path).unwrap();
        let meta = Metadata::for_classifier(&model.params.config, &model.meta.labels, &model.pre);
        assert_eq!(meta, model.meta, "{path:?}");
        let bytes = modelfile::to_bytes(&model.params.to_f32().unwrap(), &meta).unwrap();
        assert!(bytes == shipped, "{path:?}: the re-exported file differs");
        checked += 1;
    }
    assert!(checked >= 5, "found {checked} shipped models");
}
