//! Every way a model file can be wrong gives one line naming the file, the tensor or field,
//! what was expected and what was found.
//!
//! The second half is the hostile-input corpus: every way a model file (or its path) was found
//! to crash, hang, inject text or mislead the build is rejected in one line of bounded length,
//! without control characters, naming the file and the exact tensor or field. One table, one
//! row per case.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

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
                assert!(line.chars().count() <= MAX_LINE, "too long: {line}");
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

    /// Gives tensor `name` the shape `shape`, its data cut to match.
    fn reshape(&mut self, name: &str, shape: &[usize]) {
        let t = self.tensor(name);
        t.2 = shape.to_vec();
        t.3.truncate(shape.iter().product::<usize>() * 4);
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
fn the_conv_fixtures_are_accepted() {
    for name in ["conv_gru_1c", "conv_gru_2c", "conv_lstm_2c", "conv_rnn_1c"] {
        let spec = tinyrnn_build::load(&fixture(&format!("{name}.safetensors"))).unwrap();
        assert!(!spec.meta.conv.is_empty());
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
    f.reshape("rnn.weight_ih_l0", &[8, 19]);
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
    f.meta["format_version"] = json!(3);
    assert_says(
        &f.error(),
        &["`format_version`", "expected 1 or 2", "found 3"],
    );
    f.meta.as_object_mut().unwrap().remove("format_version");
    assert_says(
        &f.error(),
        &["`format_version`", "expected 1 or 2", "no such field"],
    );
    // Version 2 adds the optional `conv` field: a file without one is read alike.
    let mut f = open("gru_1l_embedding.safetensors");
    f.meta["format_version"] = json!(2);
    tinyrnn_build::parse(Path::new("v2.safetensors"), &f.bytes()).unwrap();
}

#[test]
fn vocabulary_beyond_u16_ids_or_offsets() {
    // 65,537 distinct entries: one more than `u16` ids can number.
    let mut f = open("gru_1l_one_hot.safetensors");
    let words = (0..65_535).map(|k| format!("w{k}"));
    let vocab: Vec<String> = ["<pad>", "<unk>"]
        .map(String::from)
        .into_iter()
        .chain(words)
        .collect();
    f.meta["vocab"] = json!(vocab);
    assert_says(
        &f.error(),
        &[
            "field `vocab`",
            "expected at most 65536 entries",
            "found 65537",
        ],
    );
    // 65,536 bytes of text in few entries: one more than `u16` offsets can reach.
    let mut f = open("gru_1l_one_hot.safetensors");
    f.meta["vocab"] = json!(["<pad>", "<unk>", "a".repeat(65_526)]);
    assert_says(
        &f.error(),
        &[
            "field `vocab`",
            "expected at most 65535 bytes of text",
            "found 65536",
        ],
    );
}

#[test]
fn unknown_word_buckets_need_version_2_and_room_before_them() {
    // Negation marking and stemming are version 2 as well.
    for (field, value) in [
        ("unk_buckets", json!(4)),
        ("negation", json!(4)),
        ("stem", json!(true)),
    ] {
        let mut f = open("gru_1l_one_hot.safetensors");
        f.meta["tokenizer"][field] = value;
        assert_says(
            &f.error(),
            &[
                &format!("field `tokenizer.{field}`"),
                "`format_version` 2",
                "found format_version 1",
            ],
        );
    }
    let mut f = open("gru_1l_one_hot.safetensors");
    f.meta["tokenizer"]["negation"] = json!(3);
    f.meta["tokenizer"]["stem"] = json!(true);
    f.meta["format_version"] = json!(2);
    tinyrnn_build::parse(Path::new("n.safetensors"), &f.bytes()).unwrap();
    f.meta["tokenizer"]["stem"] = json!("yes");
    assert_says(
        &f.error(),
        &[
            "metadata field `tokenizer.stem`",
            "\"yes\"",
            "expected a boolean",
        ],
    );
    f.meta["tokenizer"]["stem"] = json!(true);
    f.meta["tokenizer"]["unk_buckets"] = json!(19); // 20 entries, <unk> at 1 among the buckets
    assert_says(
        &f.error(),
        &[
            "field `tokenizer.unk_buckets`",
            "before the buckets",
            "found 19 (unk_id 1, pad_id 0)",
        ],
    );
    f.meta["tokenizer"]["unk_buckets"] = json!(18);
    tinyrnn_build::parse(Path::new("b.safetensors"), &f.bytes()).unwrap();
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

    // A value of the wrong type: the message names the field it is in, down to the index.
    type Case = (&'static str, fn(&mut Value), &'static [&'static str]);
    let wrong_types: [Case; 3] = [
        (
            "rnn_1l_dense.safetensors",
            |m| m["hidden_size"] = json!("8"),
            &["metadata field `hidden_size`", "invalid type: string \"8\""],
        ),
        (
            "rnn_1l_dense.safetensors",
            |m| m["mean"][1] = json!("0.5"),
            &["metadata field `mean[1]`", "invalid type"],
        ),
        (
            "gru_1l_one_hot.safetensors",
            |m| m["labels"] = json!("positive"),
            &["metadata field `labels`", "expected a sequence"],
        ),
    ];
    for (fixture, change, says) in wrong_types {
        let mut f = open(fixture);
        change(&mut f.meta);
        assert_says(&f.error(), says);
    }

    let mut f = open("gru_1l_embedding.safetensors");
    f.meta["vocab"][7] = f.meta["vocab"][3].clone();
    assert_says(
        &f.error(),
        &["field `vocab`", "expected distinct entries", "ids 3 and 7"],
    );

    let mut f = open("gru_1l_one_hot.safetensors");
    f.meta["vocab"][4] = json!("Good");
    assert_says(
        &f.error(),
        &["field `vocab`", "lowercase", "\"Good\" at id 4"],
    );

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

// The hostile-input corpus.

/// The longest error line any case may produce (the file name is cut at 160 characters, the
/// message at 480).
const MAX_LINE: usize = 160 + 2 + 480;

/// A fixture taken apart: its metadata, and its tensors as (name, shape, bytes).
struct Model {
    meta: Value,
    tensors: Vec<(String, Vec<usize>, Vec<u8>)>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance/fixtures")
}

fn take_apart(name: &str) -> Model {
    let bytes = std::fs::read(fixtures().join(name)).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
    let meta = serde_json::from_str(&header.metadata().as_ref().unwrap()["tinyrnn"]).unwrap();
    let mut tensors: Vec<_> = st
        .tensors()
        .into_iter()
        .map(|(n, v)| (n, v.shape().to_vec(), v.data().to_vec()))
        .collect();
    tensors.sort();
    Model { meta, tensors }
}

impl Model {
    fn with(mut self, field: &str, value: Value) -> Model {
        self.meta[field] = value;
        self
    }

    /// Gives tensor `name` the shape `shape`, its data cut (or zero-extended) to match.
    fn reshape(&mut self, name: &str, shape: &[usize]) {
        let t = self.tensors.iter_mut().find(|t| t.0 == name).unwrap();
        t.1 = shape.to_vec();
        t.2.resize(shape.iter().product::<usize>() * 4, 0);
    }

    /// [`reshape`](Self::reshape), for a chain.
    fn reshaped(mut self, name: &str, shape: &[usize]) -> Model {
        self.reshape(name, shape);
        self
    }

    /// Without tensor `name`.
    fn without(mut self, name: &str) -> Model {
        self.tensors.retain(|t| t.0 != name);
        self
    }

    /// The header entries (`"key":value`, the metadata first) and the data they point into.
    fn entries(&self, meta_json: &str) -> (Vec<String>, Vec<u8>) {
        let meta = json!({ "tinyrnn": meta_json });
        let mut entries = vec![format!("\"__metadata__\":{meta}")];
        let mut data = Vec::new();
        for (name, shape, bytes) in &self.tensors {
            let (start, end) = (data.len(), data.len() + bytes.len());
            let info = json!({"dtype": "F32", "shape": shape, "data_offsets": [start, end]});
            entries.push(format!("{}:{info}", Value::from(name.as_str())));
            data.extend_from_slice(bytes);
        }
        (entries, data)
    }

    fn bytes(&self) -> Vec<u8> {
        self.bytes_with_meta(&self.meta.to_string())
    }

    /// The file with `meta_json` written as it is (so that it may repeat a key).
    fn bytes_with_meta(&self, meta_json: &str) -> Vec<u8> {
        let (entries, data) = self.entries(meta_json);
        raw(&entries, &data)
    }
}

/// A safetensors file with exactly these header entries (so that they may repeat a key).
fn raw(entries: &[String], data: &[u8]) -> Vec<u8> {
    let header = format!("{{{}}}", entries.join(","));
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

/// What a case hands to tinyrnn-build.
enum Input {
    /// File bytes, for `parse`.
    Bytes(Vec<u8>),
    /// A path, for `bake_into` (which checks the path, then loads the file).
    Path(PathBuf),
}

/// The error line for `input`, checked to be one bounded line without control characters.
fn error_line(case: &str, input: Input) -> String {
    let named = Path::new("models/hostile.safetensors");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-out");
    let result = match &input {
        Input::Bytes(bytes) => tinyrnn_build::parse(named, bytes).map(|_| ()),
        Input::Path(path) => tinyrnn_build::bake_into(path, &out, "::tinyrnn", None).map(|_| ()),
    };
    let line = match result {
        Ok(()) => panic!("{case}: the hostile input was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(
        !line.chars().any(char::is_control),
        "{case}: a control character: {line:?}"
    );
    assert!(
        line.chars().count() <= MAX_LINE,
        "{case}: {} characters: {}…",
        line.chars().count(),
        line.chars().take(300).collect::<String>()
    );
    if let Input::Bytes(_) = input {
        assert!(
            line.starts_with("models/hostile.safetensors: "),
            "{case}: {line}"
        );
    }
    line
}

/// A path in the test's scratch directory holding `bytes`.
fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn file(model: Model) -> Input {
    Input::Bytes(model.bytes())
}

fn overflowing_hidden_size() -> Input {
    file(take_apart("lstm_1l_dense.safetensors").with("hidden_size", json!(1u64 << 62)))
}

fn overflowing_rnn_hidden_size() -> Input {
    file(take_apart("rnn_1l_dense.safetensors").with("hidden_size", json!(u64::MAX)))
}

fn too_many_parameters() -> Input {
    file(take_apart("gru_2l_one_hot.safetensors").with("hidden_size", json!(2000)))
}

fn embedding_without_width() -> Input {
    let mut m = take_apart("gru_1l_embedding.safetensors");
    let v = m.meta["vocab"].as_array().unwrap().len();
    let e = m
        .tensors
        .iter_mut()
        .find(|t| t.0 == "embedding.weight")
        .unwrap();
    e.1 = vec![v, 0];
    e.2.clear();
    file(m)
}

fn huge_num_layers() -> Input {
    file(take_apart("gru_1l_dense.safetensors").with("num_layers", json!(1_000_000_000u64)))
}

fn usize_max_num_layers() -> Input {
    file(take_apart("gru_1l_dense.safetensors").with("num_layers", json!(u64::MAX)))
}

/// 20 000 declared layers, and as many stray empty tensors, so that the layer count passes and
/// the first stray tensor is reported: its message used to list all 80 006 expected tensors.
fn stray_tensor_among_many_layers() -> Input {
    let mut m = take_apart("gru_1l_dense.safetensors").with("num_layers", json!(20_000));
    m.tensors
        .extend((0..20_000).map(|k| (format!("stray{k:05}"), vec![0], Vec::new())));
    file(m)
}

fn too_much_label_text() -> Input {
    let long = |c: char| c.to_string().repeat(2 << 20);
    file(take_apart("rnn_1l_dense.safetensors").with("labels", json!([long('a'), long('b'), "c"])))
}

#[cfg(unix)]
fn fifo() -> Input {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fifo.safetensors");
    let _ = std::fs::remove_file(&path);
    let made = std::process::Command::new("mkfifo").arg(&path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    Input::Path(path)
}

fn directory() -> Input {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile/dir.safetensors");
    std::fs::create_dir_all(&path).unwrap();
    Input::Path(path)
}

#[cfg(unix)]
fn device() -> Input {
    // An endless file: /dev/zero through a symlink with a model's name.
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile/zero.safetensors");
    let _ = std::fs::remove_file(&path);
    std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    Input::Path(path)
}

fn newline_in_path() -> Input {
    let model = std::fs::read(fixtures().join("gru_1l_dense.safetensors")).unwrap();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile/x\ncargo::rustc-cfg=evil");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("gesture.safetensors");
    std::fs::write(&path, model).unwrap();
    Input::Path(path)
}

fn escape_in_path() -> Input {
    Input::Path(PathBuf::from(
        "models/\u{1b}[2J\u{202e}/gesture.safetensors",
    ))
}

fn fixture_named(stem: &str) -> Input {
    let model = std::fs::read(fixtures().join("gru_1l_dense.safetensors")).unwrap();
    Input::Path(scratch(&format!("{stem}.safetensors"), &model))
}

fn underscore_module() -> Input {
    fixture_named("_")
}

fn keyword_module() -> Input {
    fixture_named("gen")
}

fn reserved_keyword_module() -> Input {
    fixture_named("abstract")
}

#[cfg(unix)]
fn non_utf8_module() -> Input {
    use std::os::unix::ffi::OsStrExt as _;
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.safetensors");
    Input::Path(Path::new("models").join(name))
}

/// The fixture's metadata with `"key":value` given a second time, first.
fn meta_repeating(name: &str, repeated: &str) -> Input {
    let m = take_apart(name);
    let json = m
        .meta
        .to_string()
        .replacen('{', &format!("{{{repeated},"), 1);
    Input::Bytes(m.bytes_with_meta(&json))
}

fn repeated_hidden_size() -> Input {
    meta_repeating("gru_1l_dense.safetensors", r#""hidden_size":9"#)
}

fn repeated_labels() -> Input {
    meta_repeating("gru_1l_dense.safetensors", r#""labels":["x","y","z"]"#)
}

fn repeated_tokenizer() -> Input {
    meta_repeating(
        "gru_1l_one_hot.safetensors",
        r#""tokenizer":{"lowercase":false,"split":"whitespace"}"#,
    )
}

fn repeated_metadata_key() -> Input {
    let m = take_apart("gru_1l_dense.safetensors");
    let (mut entries, data) = m.entries(&m.meta.to_string());
    let other = m.meta.clone();
    let both = format!(
        "\"__metadata__\":{{\"tinyrnn\":{},\"tinyrnn\":{}}}",
        Value::from(m.meta.to_string()),
        Value::from(other.to_string())
    );
    entries[0] = both;
    Input::Bytes(raw(&entries, &data))
}

fn repeated_tensor() -> Input {
    let m = take_apart("gru_1l_dense.safetensors");
    let (mut entries, data) = m.entries(&m.meta.to_string());
    // The same entry twice: safetensors alone would read the file as valid.
    let last = entries.last().unwrap().clone();
    entries.push(last);
    Input::Bytes(raw(&entries, &data))
}

fn tiny_std() -> Input {
    let mut m = take_apart("rnn_1l_dense.safetensors");
    m.meta["std"][2] = json!(1e-40);
    file(m)
}

fn huge_mean() -> Input {
    let mut m = take_apart("rnn_1l_dense.safetensors");
    m.meta["mean"][1] = json!(-1e35);
    file(m)
}

fn long_tensor_name() -> Input {
    let mut m = take_apart("rnn_1l_dense.safetensors");
    m.tensors.push(("w".repeat(100_000), vec![0], Vec::new()));
    file(m)
}

fn long_duplicate_label() -> Input {
    let label = "L".repeat(100_000);
    file(take_apart("rnn_1l_dense.safetensors").with("labels", json!([label, "x", label])))
}

fn long_unknown_cell() -> Input {
    file(take_apart("rnn_1l_dense.safetensors").with("cell", json!("c".repeat(100_000))))
}

fn control_characters_in_tensor_name() -> Input {
    let mut m = take_apart("rnn_1l_dense.safetensors");
    m.tensors.push((
        "evil\u{1b}[31m\ncargo::warning=x".to_string(),
        vec![0],
        Vec::new(),
    ));
    file(m)
}

fn control_characters_in_field_name() -> Input {
    file(take_apart("rnn_1l_dense.safetensors").with("evil\r\n\u{7}", json!(1)))
}

fn control_characters_in_vocabulary() -> Input {
    let mut m = take_apart("gru_1l_one_hot.safetensors");
    m.meta["vocab"][5] = json!("\u{1b}[2J\n");
    m.meta["vocab"][6] = json!("\u{1b}[2J\n");
    file(m)
}

// Generative models (`task: "generate"`).

fn condition_weight_on_a_classifier() -> Input {
    let mut m = take_apart("gru_1l_embedding.safetensors");
    m.tensors
        .push(("condition.weight".into(), vec![1, 8], vec![0; 32]));
    file(m)
}

fn end_id_outside_the_vocabulary() -> Input {
    file(take_apart("generate_gru_2l.safetensors").with("end_id", json!(12)))
}

fn generate_without_conditions() -> Input {
    let mut m = take_apart("generate_lstm_1l.safetensors");
    m.meta.as_object_mut().unwrap().remove("conditions");
    file(m)
}

fn conditions_on_a_classifier() -> Input {
    file(take_apart("gru_1l_embedding.safetensors").with("conditions", json!(["a"])))
}

fn generate_with_labels_other_than_the_vocabulary() -> Input {
    let mut m = take_apart("generate_lstm_1l.safetensors");
    m.meta["labels"][2] = json!("c4");
    file(m)
}

fn generate_from_samples() -> Input {
    file(take_apart("gru_1l_dense.safetensors").with("task", json!("generate")))
}

// Sequence-to-sequence models (`task: "seq2seq"`).

fn seq2seq_with_a_classifier_s_tensor_names() -> Input {
    let mut m = take_apart("seq2seq_lstm_1l.safetensors");
    for t in &mut m.tensors {
        t.0 = t.0.replace("encoder.", "rnn.");
    }
    file(m)
}

fn seq2seq_end_id_outside_the_labels() -> Input {
    file(take_apart("seq2seq_gru_2l.safetensors").with("end_id", json!(10)))
}

fn seq2seq_with_conditions() -> Input {
    file(take_apart("seq2seq_gru_2l.safetensors").with("conditions", json!(["a"])))
}

fn seq2seq_from_samples() -> Input {
    file(take_apart("gru_1l_dense.safetensors").with("task", json!("seq2seq")))
}

fn conv_model() -> Model {
    take_apart("conv_gru_2c.safetensors")
}

/// The convolution model with tensor `name` of shape `shape`.
fn conv_reshaped(name: &str, shape: &[usize]) -> Input {
    let mut m = conv_model();
    m.reshape(name, shape);
    file(m)
}

/// The convolution model with `field` of layer `layer` set to `value`.
fn conv_layer_with(layer: usize, field: &str, value: Value) -> Input {
    let mut m = conv_model();
    m.meta["conv"][layer][field] = value;
    file(m)
}

fn conv_bias_missing() -> Input {
    file(conv_model().without("conv.1.bias"))
}

fn conv_extra_layer_tensor() -> Input {
    let mut m = conv_model();
    m.tensors
        .push(("conv.2.weight".into(), vec![1, 5, 1], vec![0; 20]));
    file(m)
}

fn conv_in_version_1() -> Input {
    file(conv_model().with("format_version", json!(1)))
}

fn conv_on_text_input() -> Input {
    let mut m = take_apart("gru_1l_embedding.safetensors")
        .with("format_version", json!(2))
        .with("conv", conv_model().meta["conv"].clone());
    m.meta["format_version"] = json!(2);
    file(m)
}

fn conv_empty_list() -> Input {
    file(conv_model().with("conv", json!([])))
}

fn bidi_model() -> Model {
    take_apart("bidi_gru_2l_dense.safetensors")
}

fn bidi_reverse_missing() -> Input {
    file(bidi_model().without("rnn.weight_hh_l1_reverse"))
}

/// A backward weight of the wrong shape, and the layer above reading one direction only.
fn bidi_tensor_reshaped(name: &'static str, shape: Vec<usize>) -> Input {
    file(bidi_model().reshaped(name, &shape))
}

fn bidi_reverse_wrong_shape() -> Input {
    bidi_tensor_reshaped("rnn.weight_ih_l0_reverse", vec![24, 3])
}

fn bidi_upper_reads_one_direction() -> Input {
    bidi_tensor_reshaped("rnn.weight_ih_l1", vec![24, 8])
}

fn bidi_head_reads_one_direction() -> Input {
    bidi_tensor_reshaped("head.weight", vec![3, 8])
}

/// A PyTorch `bidirectional=True` state_dict whose metadata does not say so.
fn bidi_flag_missing() -> Input {
    let mut m = bidi_model();
    let meta = m.meta.as_object_mut().unwrap();
    meta.remove("bidirectional");
    meta.remove("max_steps");
    file(m)
}

fn bidi_max_steps_missing() -> Input {
    let mut m = bidi_model();
    m.meta.as_object_mut().unwrap().remove("max_steps");
    file(m)
}

fn bidi_max_steps_zero() -> Input {
    file(bidi_model().with("max_steps", json!(0)))
}

fn bidi_max_steps_huge() -> Input {
    file(bidi_model().with("max_steps", json!(1u64 << 40)))
}

fn bidi_max_steps_without_flag() -> Input {
    file(take_apart("gru_1l_dense.safetensors").with("max_steps", json!(10)))
}

fn bidi_in_version_1() -> Input {
    file(bidi_model().with("format_version", json!(1)))
}

fn bidi_tagger() -> Input {
    file(bidi_model().with("task", json!("tag")))
}

fn bidi_with_conv() -> Input {
    file(
        conv_model()
            .with("bidirectional", json!(true))
            .with("max_steps", json!(20)),
    )
}

/// One row: the case, its input, and what the line must say.
type Case = (&'static str, fn() -> Input, &'static [&'static str]);

const CASES: &[Case] = &[
    // Overflow in shape arithmetic.
    (
        "overflowing hidden_size",
        overflowing_hidden_size,
        &[
            "field `hidden_size`: expected at most 2048 for a lstm",
            "limit of 16777216 parameters",
            "found 4611686018427387904",
        ],
    ),
    (
        "overflowing rnn hidden_size",
        overflowing_rnn_hidden_size,
        &["field `hidden_size`: expected at most 4096 for a rnn", "found 18446744073709551615"],
    ),
    (
        "too many parameters",
        too_many_parameters,
        &[
            "tensors: expected at most 16777216 parameters in all",
            "found 36150003 for a 2-layer gru model with one_hot input",
            "`rnn.weight_ih_l1`, of shape [6000, 2000]",
        ],
    ),
    (
        "embedding of width 0",
        embedding_without_width,
        &["tensor `embedding.weight`: expected shape [20, E] with E >= 1", "found shape [20, 0]"],
    ),
    // Memory exhaustion.
    (
        "num_layers of 10^9",
        huge_num_layers,
        &["field `num_layers`: expected at most 6", "found 1000000000"],
    ),
    (
        "num_layers of 2^64 - 1",
        usize_max_num_layers,
        &["field `num_layers`: expected at most 6", "found 18446744073709551615"],
    ),
    (
        "a stray tensor among 20 000 layers",
        stray_tensor_among_many_layers,
        &[
            "tensor `stray00000`: not expected in a 20000-layer gru model",
            "expected only head.bias, head.weight, rnn.bias_hh_l0,",
            "and 79994 more)",
        ],
    ),
    (
        "4 MiB of label text",
        too_much_label_text,
        &["field `labels`: expected at most 4194304 bytes of text", "found 4194305"],
    ),
    // Files that are not regular files.
    #[cfg(unix)]
    (
        "a FIFO",
        fifo,
        &["fifo.safetensors: model file: expected a regular file, found a FIFO (named pipe)"],
    ),
    (
        "a directory",
        directory,
        &["dir.safetensors: model file: expected a regular file, found a directory"],
    ),
    #[cfg(unix)]
    (
        "/dev/zero",
        device,
        &["zero.safetensors: model file: expected a regular file, found a device"],
    ),
    // Paths and module names.
    (
        "a newline in the path",
        newline_in_path,
        &[
            "x\\ncargo::rustc-cfg=evil/gesture.safetensors: file path: expected a path without \
             control characters",
            "found \"",
        ],
    ),
    (
        "terminal and bidi escapes in the path",
        escape_in_path,
        &["models/\\u{1b}[2J\\u{202e}/gesture.safetensors: file path: expected a path without"],
    ),
    (
        "module `_`",
        underscore_module,
        &["file name: expected a stem that is a lowercase Rust identifier", "found \"_\"", "e.g. to \"model.safetensors\""],
    ),
    (
        "module `gen`",
        keyword_module,
        &["file name: expected a stem", "found \"gen\"", "e.g. to \"gen_model.safetensors\""],
    ),
    (
        "module `abstract`",
        reserved_keyword_module,
        &["file name: expected a stem", "found \"abstract\""],
    ),
    #[cfg(unix)]
    (
        "a stem that is not UTF-8",
        non_utf8_module,
        &["file path: expected UTF-8", "found \"models/caf\u{fffd}.safetensors\""],
    ),
    // Keys given twice.
    (
        "hidden_size twice",
        repeated_hidden_size,
        &["metadata field `hidden_size`: expected once, found it at least twice"],
    ),
    (
        "labels twice",
        repeated_labels,
        &["metadata field `labels`: expected once, found it at least twice"],
    ),
    (
        "tokenizer twice",
        repeated_tokenizer,
        &["metadata field `tokenizer`: expected once, found it at least twice"],
    ),
    (
        "two tinyrnn metadata keys",
        repeated_metadata_key,
        &["__metadata__ key `tinyrnn`: expected once in the safetensors header, found it at least twice"],
    ),
    (
        "a tensor listed twice",
        repeated_tensor,
        &["tensor `rnn.weight_ih_l0`: expected once in the safetensors header, found it at least twice"],
    ),
    // Statistics that overflow ordinary samples.
    (
        "std of 1e-40",
        tiny_std,
        &["field `std`: expected values of at least 1e-6", "found 1e-40 at index 2"],
    ),
    (
        "mean of -1e35",
        huge_mean,
        &["field `mean`: expected values of magnitude at most 1e30", "found -1e35 at index 1"],
    ),
    // Long and hostile names.
    (
        "a 100 000-character tensor name",
        long_tensor_name,
        &["tensor `wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww…`: not expected"],
    ),
    (
        "a 100 000-character label given twice",
        long_duplicate_label,
        &["field `labels`: expected distinct labels, found \"LLLLLLLL", "LLLL\"… at positions 0 and 2"],
    ),
    (
        "a 100 000-character cell",
        long_unknown_cell,
        &["metadata field `cell`: unknown variant `cccc", " … ", "expected one of `rnn`, `lstm`, `gru`"],
    ),
    (
        "control characters in a tensor name",
        control_characters_in_tensor_name,
        &["tensor `evil\\u{1b}[31m\\ncargo::warning=x`: not expected"],
    ),
    (
        "control characters in a field name",
        control_characters_in_field_name,
        &["unknown field `evil\\r\\n\\u{7}`"],
    ),
    (
        "control characters in vocabulary entries",
        control_characters_in_vocabulary,
        &["field `vocab`: expected distinct entries, found duplicate \"\\u{1b}[2J\\n\" at ids 5 and 6"],
    ),
    // Generative models.
    (
        "a generative model without condition.weight",
        || file(take_apart("generate_gru_2l.safetensors").without("condition.weight")),
        &["tensor `condition.weight`: expected shape [3, 16] for a 2-layer gru model", "found no such tensor"],
    ),
    (
        "condition.weight of one layer for two",
        || file(take_apart("generate_gru_2l.safetensors").reshaped("condition.weight", &[3, 8])),
        &["tensor `condition.weight`: expected shape [3, 16] (3 conditions, num_layers 2 × hidden_size 8), found [3, 8]"],
    ),
    (
        "condition.weight on a classifier",
        condition_weight_on_a_classifier,
        &["tensor `condition.weight`: not expected in a 1-layer gru model with embedding input"],
    ),
    (
        "end_id outside the vocabulary",
        end_id_outside_the_vocabulary,
        &["field `end_id`: expected an id below the vocabulary size 12, found 12"],
    ),
    (
        "task generate without conditions",
        generate_without_conditions,
        &["field `conditions`: expected a value for task `generate`, found no such field"],
    ),
    (
        "conditions on a classifier",
        conditions_on_a_classifier,
        &["field `conditions`: expected no such field for task `tag`, found one"],
    ),
    (
        "task generate with labels other than the vocabulary",
        generate_with_labels_other_than_the_vocabulary,
        &["field `labels`: expected the vocabulary, in its order, for task `generate`"],
    ),
    (
        "task generate on sensor samples",
        generate_from_samples,
        &["field `input`: expected `embedding` or `one_hot` for task `generate`", "found `dense`"],
    ),
    // Sequence-to-sequence models.
    (
        "a seq2seq model without decoder_embedding.weight",
        || file(take_apart("seq2seq_gru_2l.safetensors").without("decoder_embedding.weight")),
        &["tensor `decoder_embedding.weight`: expected shape [10, E] with E >= 1 (10 output tokens (labels)), found no such tensor"],
    ),
    (
        "a seq2seq decoder layer reading the wrong width",
        || file(take_apart("seq2seq_gru_2l.safetensors").reshaped("decoder.weight_ih_l0", &[24, 5])),
        &["tensor `decoder.weight_ih_l0`: expected shape [24, 4]", "one column per `decoder_embedding` feature", "found [24, 5]"],
    ),
    (
        "a seq2seq model with rnn.* instead of encoder.*",
        seq2seq_with_a_classifier_s_tensor_names,
        &["tensor `rnn.bias_hh_l0`: not expected in a 1-layer lstm model", "expected only decoder.bias_hh_l0"],
    ),
    (
        "a seq2seq end_id outside the output tokens",
        seq2seq_end_id_outside_the_labels,
        &["field `end_id`: expected an id below the output vocabulary size (labels) 10, found 10"],
    ),
    (
        "conditions on a seq2seq model",
        seq2seq_with_conditions,
        &["field `conditions`: expected no such field for task `seq2seq`"],
    ),
    (
        "task seq2seq on sensor samples",
        seq2seq_from_samples,
        &["field `input`: expected `embedding` or `one_hot` for task `seq2seq`", "found `dense`"],
    ),
    // The convolution front-end (format version 2).
        (
            "conv weight with the wrong kernel size",
            || conv_reshaped("conv.1.weight", &[5, 6, 2]),
            &[
                "tensor `conv.1.weight`: expected shape [5, 6, 3]",
                "conv layer 1: out_channels 5, out_channels 6 of conv layer 0, kernel_size 3",
                "found [5, 6, 2]",
            ],
        ),
        (
            "conv weight with the wrong input channels",
            || conv_reshaped("conv.0.weight", &[6, 3, 3]),
            &[
                "tensor `conv.0.weight`: expected shape [6, 4, 3]",
                "4 `mean` features",
                "found [6, 3, 3]",
            ],
        ),
        (
            "conv bias missing",
            conv_bias_missing,
            &["tensor `conv.1.bias`: expected shape [5]", "found no such tensor"],
        ),
        (
            "a third conv layer's weight in a two-layer front-end",
            conv_extra_layer_tensor,
            &["tensor `conv.2.weight`: not expected in a 2-layer gru model with dense input"],
        ),
        (
            "out_channels that do not match the recurrent layer",
            || conv_layer_with(1, "out_channels", json!(4)),
            &["tensor `conv.1.bias`: expected shape [4]", "found [5]"],
        ),
        (
            "conv in a version 1 file",
            conv_in_version_1,
            &["field `conv`: expected `format_version` 2", "found format_version 1"],
        ),
        (
            "conv stride 0",
            || conv_layer_with(0, "stride", json!(0)),
            &["field `conv[0].stride`: expected 1 to 4096, found 0"],
        ),
        (
            "conv window beyond the limit",
            || conv_layer_with(1, "dilation", json!(3000)),
            &["field `conv[1].(kernel_size - 1) * dilation + 1`: expected 1 to 4096, found 6001"],
        ),
        (
            "conv padding `same`",
            || conv_layer_with(0, "padding", json!("same")),
            &["unknown variant `same`", "valid", "causal"],
        ),
        (
            "conv layer with an unknown field",
            || conv_layer_with(0, "groups", json!(2)),
            &["unknown field `groups`"],
        ),
        (
            "conv on a text model",
            conv_on_text_input,
            &["field `conv`: expected no such field for `embedding` input"],
        ),
        (
            "an empty conv list",
            conv_empty_list,
            &["field `conv`: expected at least one layer", "found an empty list"],
        ),
    // Bidirectional layers (format version 2).
    (
        "a backward tensor missing",
        bidi_reverse_missing,
        &[
            "tensor `rnn.weight_hh_l1_reverse`: expected shape [24, 8]",
            "found no such tensor",
        ],
    ),
    (
        "a backward tensor of the wrong shape",
        bidi_reverse_wrong_shape,
        &[
            "tensor `rnn.weight_ih_l0_reverse`: expected shape [24, 4]",
            "one column per `mean` feature, backward direction), found [24, 3]",
        ],
    ),
    (
        "layer 1 reading one direction of layer 0",
        bidi_upper_reads_one_direction,
        &[
            "tensor `rnn.weight_ih_l1`: expected shape [24, 16]",
            "2 × hidden_size columns: both directions of the layer below), found [24, 8]",
        ],
    ),
    (
        "a head reading one direction",
        bidi_head_reads_one_direction,
        &[
            "tensor `head.weight`: expected shape [3, 16]",
            "2 × hidden_size 8: both directions of the top layer), found [3, 8]",
        ],
    ),
    (
        "backward tensors without `bidirectional`",
        bidi_flag_missing,
        &[
            "tensor `rnn.bias_hh_l0_reverse`: not expected without `\"bidirectional\": true`",
            "\"max_steps\"",
        ],
    ),
    (
        "bidirectional without max_steps",
        bidi_max_steps_missing,
        &["field `max_steps`: expected the longest sequence", "found no such field"],
    ),
    (
        "max_steps 0",
        bidi_max_steps_zero,
        &["field `max_steps`: expected 1 to 65536, found 0"],
    ),
    (
        "max_steps beyond the limit",
        bidi_max_steps_huge,
        &["field `max_steps`: expected 1 to 65536, found 1099511627776"],
    ),
    (
        "max_steps in a one-direction model",
        bidi_max_steps_without_flag,
        &["field `max_steps`: expected no such field unless `bidirectional` is true"],
    ),
    (
        "bidirectional in a version 1 file",
        bidi_in_version_1,
        &["field `bidirectional`: expected `format_version` 2", "found format_version 1"],
    ),
    (
        "a bidirectional tagger",
        bidi_tagger,
        &["field `bidirectional`: expected `task` classify or regress", "found `task` tag"],
    ),
    (
        "bidirectional with a conv front-end",
        bidi_with_conv,
        &["field `bidirectional`: expected no `conv` front-end with it", "found both"],
    ),
];

#[test]
fn every_hostile_input_is_rejected_in_one_clear_line() {
    let mut failures = Vec::new();
    for &(case, make, says) in CASES {
        // On a thread with a deadline: a regression must fail the test, not hang it (a FIFO)
        // or exhaust memory for minutes.
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = send.send(error_line(case, make()));
        });
        let line = match receive.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => line,
            Err(_) => {
                failures.push(format!("{case}: no answer within 60 s (or a panic)"));
                continue;
            }
        };
        for part in says {
            if !line.contains(part) {
                failures.push(format!("{case}: {line:?} does not say {part:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A model with these labels, baked; its summary (the module's documentation).
fn summary_with_labels(tag: &str, labels: &[&str]) -> String {
    let m = take_apart("rnn_1l_dense.safetensors").with("labels", json!(labels));
    let path = scratch(&format!("labels_{tag}.safetensors"), &m.bytes());
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-docs");
    let baked = tinyrnn_build::bake_into(&path, &out, "::tinyrnn", None).unwrap();
    std::fs::read_to_string(out.join(format!("tinyrnn/{}.md", baked.module))).unwrap()
}

/// The doc tests rustdoc finds in a Markdown text: the number in its `running N tests` line.
fn doc_tests_in(tag: &str, markdown: &str) -> usize {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-rustdoc");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{tag}.md"));
    std::fs::write(&file, markdown).unwrap();
    let out = std::process::Command::new(std::env::var("RUSTDOC").unwrap_or("rustdoc".into()))
        .arg("--test")
        .arg(&file)
        .output()
        .expect("rustdoc runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("running ")?.split(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no `running N tests` line:\n{stdout}"))
}

#[test]
fn labels_cannot_inject_doc_tests_into_the_summary() {
    let fenced = "a\n\n```\npanic!()\n```";
    let indented = "x\n\n    panic!()";
    let ticks = "` ``` `` `";
    let plain = summary_with_labels("plain", &["a", "x", "y"]);
    let hostile = summary_with_labels("hostile", &[fenced, indented, ticks]);
    // No label adds a line, so no label starts a code block.
    assert_eq!(hostile.lines().count(), plain.lines().count(), "{hostile}");
    for line in hostile.lines() {
        assert!(
            !line.starts_with("```") && !line.starts_with("    "),
            "{line:?}"
        );
    }
    let row = hostile
        .lines()
        .find(|l| l.starts_with("| labels |"))
        .unwrap();
    assert_eq!(
        row,
        r"| labels | 0: ```` a\n\n```\npanic!()\n``` ````, 1: `x\n\n    panic!()`, 2: ```` ` ``` `` ` ```` |"
    );
    // rustdoc agrees: the same labels written raw would be a doc test, escaped they are not.
    let raw = format!("Labels:\n\n{fenced}\n\n{indented}\n");
    assert_eq!(doc_tests_in("raw", &raw), 2);
    assert_eq!(doc_tests_in("escaped", &hostile), 0);
}

#[test]
fn a_path_with_a_line_break_reaches_no_cargo_directive() {
    // `bake` prints what `bake_into` checks first: the path is refused before it is written
    // anywhere (the corpus shows the error line); a plain path is accepted as it is.
    let e = tinyrnn_build::source_name(Path::new("a\nb.safetensors")).unwrap_err();
    assert!(!e.to_string().contains('\n'));
    assert_eq!(
        tinyrnn_build::source_name(Path::new("models/seed.safetensors")).unwrap(),
        "models/seed.safetensors"
    );
}

#[test]
fn many_unreachable_vocabulary_entries_give_a_bounded_number_of_warnings() {
    let mut m = take_apart("gru_1l_one_hot.safetensors");
    let vocab: Vec<String> = (0..200).map(|k| format!("w {k}")).collect();
    let mut meta_vocab = vec![json!("<pad>"), json!("<unk>")];
    meta_vocab.extend(vocab.iter().map(|w| json!(w)));
    let v = meta_vocab.len();
    m.meta["vocab"] = Value::Array(meta_vocab);
    let ih = m
        .tensors
        .iter_mut()
        .find(|t| t.0 == "rnn.weight_ih_l0")
        .unwrap();
    ih.1 = vec![24, v];
    ih.2 = vec![0; 24 * v * 4];
    let path = scratch("many_warnings.safetensors", &m.bytes());
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-warnings");
    let warnings = tinyrnn_build::bake_into(&path, &out, "::tinyrnn", None)
        .unwrap()
        .warnings;
    assert_eq!(warnings.len(), 21, "{warnings:?}");
    assert!(warnings[20]
        .ends_with("metadata field `vocab`: 180 more entries can never be looked up (not listed)"));
}

#[test]
fn module_names_are_what_include_model_accepts() {
    let name = |stem: &str| tinyrnn_build::module_name(&Path::new("m").join(stem));
    for good in ["seed", "_x", "__", "x_1", "union", "raw"] {
        assert_eq!(name(&format!("{good}.safetensors")).unwrap(), good);
    }
    for bad in [
        "_", "gen", "self", "crate", "abstract", "try", "1x", "Seed", "é",
    ] {
        let e = name(&format!("{bad}.safetensors")).unwrap_err().to_string();
        assert!(e.contains(&format!("found {bad:?}")), "{e}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt as _;
        let stem = std::ffi::OsStr::from_bytes(b"caf\xe9.safetensors");
        let e = tinyrnn_build::module_name(Path::new(stem))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("found \"caf\u{fffd}\"; rename the file, e.g. to \"caf.safetensors\""),
            "{e}"
        );
    }
}
