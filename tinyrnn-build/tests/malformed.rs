//! Every way a model file can be wrong gives one line naming the file, the tensor or field,
//! what was expected and what was found.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};
use serde_json::{json, Value};

/// A model file taken apart so that a test can break one thing and put it back together.
struct File {
    tensors: Vec<(String, Dtype, Vec<usize>, Vec<u8>)>,
    meta: Value,
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../conformance/fixtures")
        .join(name)
}

fn open(name: &str) -> File {
    let bytes = std::fs::read(fixture(name)).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
    let meta = header.metadata().as_ref().unwrap()["tinyrnn"].clone();
    let mut tensors: Vec<_> = st
        .tensors()
        .into_iter()
        .map(|(n, v)| (n, v.dtype(), v.shape().to_vec(), v.data().to_vec()))
        .collect();
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    File {
        tensors,
        meta: serde_json::from_str(&meta).unwrap(),
    }
}

impl File {
    fn bytes(&self) -> Vec<u8> {
        let views: Vec<(String, TensorView<'_>)> = self
            .tensors
            .iter()
            .map(|(n, d, s, b)| (n.clone(), TensorView::new(*d, s.clone(), b).unwrap()))
            .collect();
        let meta = HashMap::from([("tinyrnn".to_string(), self.meta.to_string())]);
        safetensors::serialize(views, Some(meta)).unwrap()
    }

    fn error(&self) -> String {
        match tinyrnn_build::parse(Path::new("models/broken.safetensors"), &self.bytes()) {
            Ok(_) => panic!("the broken file was accepted"),
            Err(e) => {
                let line = e.to_string();
                assert!(!line.contains('\n'), "not one line: {line}");
                assert!(
                    line.starts_with("models/broken.safetensors: "),
                    "no file name: {line}"
                );
                line
            }
        }
    }

    fn tensor(&mut self, name: &str) -> &mut (String, Dtype, Vec<usize>, Vec<u8>) {
        self.tensors.iter_mut().find(|t| t.0 == name).unwrap()
    }

    fn remove(&mut self, name: &str) {
        self.tensors.retain(|t| t.0 != name);
    }
}

fn assert_says(line: &str, parts: &[&str]) {
    for part in parts {
        assert!(line.contains(part), "{line:?} does not say {part:?}");
    }
}

#[test]
fn the_fixtures_are_accepted() {
    for cell in ["rnn", "lstm", "gru"] {
        for input in ["embedding", "one_hot", "dense"] {
            let name = format!("{cell}_2l_{input}.safetensors");
            let spec = tinyrnn_build::load(&fixture(&name)).unwrap();
            assert_eq!(spec.meta.num_layers, 2);
            let unchanged = open(&name);
            tinyrnn_build::parse(Path::new("x.safetensors"), &unchanged.bytes()).unwrap();
        }
    }
}

#[test]
fn missing_tensor() {
    let mut f = open("gru_2l_embedding.safetensors");
    f.remove("rnn.bias_hh_l1");
    assert_says(
        &f.error(),
        &[
            "tensor `rnn.bias_hh_l1`",
            "expected shape [24]",
            "found no such tensor",
        ],
    );
}

#[test]
fn extra_tensor() {
    let mut f = open("lstm_1l_dense.safetensors");
    let extra = (
        "rnn.weight_ih_l1".to_string(),
        Dtype::F32,
        vec![32, 8],
        vec![0; 32 * 8 * 4],
    );
    f.tensors.push(extra);
    assert_says(
        &f.error(),
        &[
            "tensor `rnn.weight_ih_l1`",
            "not expected",
            "1-layer lstm",
            "expected only",
        ],
    );
}

#[test]
fn wrong_shape() {
    let mut f = open("rnn_1l_one_hot.safetensors");
    let t = f.tensor("rnn.weight_ih_l0");
    t.2 = vec![8, 19];
    t.3.truncate(8 * 19 * 4);
    assert_says(
        &f.error(),
        &[
            "tensor `rnn.weight_ih_l0`",
            "expected shape [8, 20]",
            "found [8, 19]",
        ],
    );
}

#[test]
fn wrong_dtype() {
    let mut f = open("gru_1l_dense.safetensors");
    let t = f.tensor("head.bias");
    t.1 = Dtype::F16;
    t.3.truncate(t.3.len() / 2);
    assert_says(
        &f.error(),
        &["tensor `head.bias`", "expected dtype F32", "found F16"],
    );
}

#[test]
fn nan_and_infinity() {
    for (bad, shown) in [
        (f32::NAN, "NaN"),
        (f32::INFINITY, "inf"),
        (f32::NEG_INFINITY, "-inf"),
    ] {
        let mut f = open("lstm_2l_embedding.safetensors");
        f.tensor("rnn.weight_hh_l1").3[8..12].copy_from_slice(&bad.to_le_bytes());
        let line = f.error();
        assert_says(
            &line,
            &[
                "tensor `rnn.weight_hh_l1`",
                "expected finite values",
                shown,
                "index 2",
            ],
        );
    }
}

#[test]
fn unknown_format_version() {
    let mut f = open("gru_1l_embedding.safetensors");
    f.meta["format_version"] = json!(2);
    assert_says(&f.error(), &["`format_version`", "expected 1", "found 2"]);
    f.meta.as_object_mut().unwrap().remove("format_version");
    assert_says(
        &f.error(),
        &["`format_version`", "expected 1", "no such field"],
    );
}

#[test]
fn duplicate_vocabulary_entry() {
    let mut f = open("gru_1l_embedding.safetensors");
    f.meta["vocab"][7] = f.meta["vocab"][3].clone();
    assert_says(
        &f.error(),
        &["field `vocab`", "expected distinct entries", "ids 3 and 7"],
    );
}

#[test]
fn vocabulary_not_lowercase() {
    let mut f = open("gru_1l_one_hot.safetensors");
    f.meta["vocab"][4] = json!("Good");
    assert_says(
        &f.error(),
        &["field `vocab`", "lowercase", "\"Good\" at id 4"],
    );
}

#[test]
fn labels_that_do_not_match_the_head() {
    let mut f = open("lstm_1l_one_hot.safetensors");
    f.meta["labels"] = json!(["neg", "pos"]);
    assert_says(
        &f.error(),
        &["tensor `head.", "expected shape [2", "2 labels", "found [3"],
    );
    f.meta["labels"] = json!(["a", "b", "a"]);
    assert_says(
        &f.error(),
        &["field `labels`", "distinct", "positions 0 and 2"],
    );
}

#[test]
fn bad_metadata_fields() {
    let mut f = open("rnn_1l_dense.safetensors");
    f.meta["std"][1] = json!(0.0);
    assert_says(&f.error(), &["field `std`", "positive", "index 1"]);

    let mut f = open("rnn_1l_dense.safetensors");
    f.meta["cell"] = json!("transformer");
    assert_says(
        &f.error(),
        &["unknown variant `transformer`", "rnn", "lstm", "gru"],
    );

    let mut f = open("rnn_1l_dense.safetensors");
    f.meta["hiden_size"] = json!(8);
    assert_says(&f.error(), &["unknown field `hiden_size`"]);

    let mut f = open("rnn_1l_dense.safetensors");
    f.meta["vocab"] = json!(["a", "b"]);
    assert_says(
        &f.error(),
        &["field `vocab`", "no such field for `dense` input"],
    );

    let mut f = open("rnn_1l_embedding.safetensors");
    f.meta.as_object_mut().unwrap().remove("unk_id");
    assert_says(
        &f.error(),
        &["field `unk_id`", "expected a value for `embedding` input"],
    );

    let mut f = open("rnn_1l_embedding.safetensors");
    f.meta["unk_id"] = json!(20);
    assert_says(
        &f.error(),
        &["field `unk_id`", "below the vocabulary size 20", "found 20"],
    );

    let mut f = open("rnn_1l_embedding.safetensors");
    f.meta["pad_id"] = json!(1);
    assert_says(
        &f.error(),
        &["field `pad_id`", "other than unk_id 1", "found 1"],
    );
}

#[test]
fn not_a_model_file() {
    let garbage = b"this is not a safetensors file";
    let e = tinyrnn_build::parse(Path::new("m.safetensors"), garbage).unwrap_err();
    assert_says(
        &e.to_string(),
        &["m.safetensors: not a valid safetensors file"],
    );

    let f = open("gru_1l_dense.safetensors");
    let views: Vec<(String, TensorView<'_>)> = f
        .tensors
        .iter()
        .map(|(n, d, s, b)| (n.clone(), TensorView::new(*d, s.clone(), b).unwrap()))
        .collect();
    let bytes = safetensors::serialize(views, None).unwrap();
    let e = tinyrnn_build::parse(Path::new("m.safetensors"), &bytes).unwrap_err();
    assert_says(&e.to_string(), &["__metadata__", "`tinyrnn`", "found none"]);

    let e = tinyrnn_build::load(Path::new("does/not/exist.safetensors")).unwrap_err();
    assert_says(
        &e.to_string(),
        &["does/not/exist.safetensors: cannot read the model file"],
    );
}
