//! The generated source is rustfmt-clean: `rustfmt --check` accepts the module generated for
//! every shipped model, every conformance fixture and a set of odd shapes (one unit, one output,
//! three layers, long and non-ASCII words, short and long numbers).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use tinyrnn_schema::CellKind;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn model_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "safetensors"))
        .collect();
    files.sort();
    files
}

/// Runs `rustfmt --check` on each generated module; returns the ones it would change, with
/// its diff.
fn rustfmt_check(sources: &[(String, String)]) -> Vec<String> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rustfmt-check");
    std::fs::create_dir_all(&dir).unwrap();
    let mut failures = Vec::new();
    for (name, source) in sources {
        let file = dir.join(format!("{name}.rs"));
        std::fs::write(&file, source).unwrap();
        let out = Command::new(std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into()))
            .args(["--edition", "2021", "--check"])
            .arg(&file)
            .output()
            .expect("rustfmt runs (rustup component add rustfmt)");
        if !out.status.success() {
            let diff = String::from_utf8_lossy(&out.stdout);
            let head: String = diff.lines().take(40).collect::<Vec<_>>().join("\n");
            failures.push(format!("{name}:\n{head}"));
        }
    }
    failures
}

fn bake(path: &Path, crate_path: &str, doc: Option<&str>) -> String {
    bake_with(path, crate_path, doc, tinyrnn_build::Quantize::None)
}

fn bake_with(
    path: &Path,
    crate_path: &str,
    doc: Option<&str>,
    quantize: tinyrnn_build::Quantize,
) -> String {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rustfmt-baked");
    let baked = tinyrnn_build::bake_into_with(path, &out, crate_path, doc, quantize).unwrap();
    std::fs::read_to_string(out.join("tinyrnn").join(format!("{}.rs", baked.module))).unwrap()
}

/// Whether the model file says `"task": "generate"` or `"seq2seq"` (which int8 does not bake).
fn is_generative(path: &Path) -> bool {
    let meta = tinyrnn_build::load(path).unwrap().meta;
    meta.generation.is_some() || meta.decoding.is_some()
}

/// The encoder and decoder files a sequence-to-sequence module includes, baked last from
/// `path` (none for other models).
fn parts(path: &Path) -> Vec<(String, String)> {
    let stem = path.file_stem().unwrap().to_string_lossy().to_string();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rustfmt-baked/tinyrnn");
    ["encoder", "decoder"]
        .iter()
        .filter_map(|part| {
            let name = format!("{stem}_{part}");
            let text = std::fs::read_to_string(dir.join(format!("{name}.rs"))).ok()?;
            Some((name, text))
        })
        .collect()
}

#[test]
fn shipped_models_and_fixtures_generate_rustfmt_clean_source() {
    let mut sources = Vec::new();
    for file in model_files("models") {
        let stem = file.file_stem().unwrap().to_string_lossy().to_string();
        // As the tinyrnn crate bakes them, and as a firmware crate would.
        sources.push((stem.clone(), bake(&file, "crate", Some("tinyrnn::models"))));
        sources.push((format!("{stem}_ext"), bake(&file, "::tinyrnn", None)));
        sources.extend(parts(&file));
    }
    for file in model_files("conformance/fixtures") {
        let stem = file.file_stem().unwrap().to_string_lossy().to_string();
        sources.push((stem.clone(), bake(&file, "::tinyrnn", None)));
        sources.extend(parts(&file));
        if is_generative(&file) {
            // int8 bakes no generative or sequence-to-sequence model, and says so.
            let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rustfmt-baked");
            let int8 = tinyrnn_build::Quantize::Int8;
            let refused = tinyrnn_build::bake_into_with(&file, &out, "::tinyrnn", None, int8);
            assert!(refused.is_err_and(|e| e.to_string().contains("bake it without quantisation")));
            continue;
        }
        // And quantised to int8, which refuses bidirectional layers (not implemented yet).
        let int8 = tinyrnn_build::Quantize::Int8;
        let refusal = match stem.split('_').next() {
            Some("bidi") => Some("metadata field `bidirectional`: expected one direction"),
            _ => None,
        };
        if let Some(says) = refusal {
            let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rustfmt-baked");
            let refused = tinyrnn_build::bake_into_with(&file, &out, "::tinyrnn", None, int8);
            assert!(refused.is_err_and(|e| e.to_string().contains(says)));
            continue;
        }
        sources.push((
            format!("{stem}_int8"),
            bake_with(&file, "::tinyrnn", None, int8),
        ));
    }
    for file in model_files("models") {
        if is_generative(&file) {
            continue;
        }
        let stem = file.file_stem().unwrap().to_string_lossy().to_string();
        let int8 = tinyrnn_build::Quantize::Int8;
        let doc = Some("tinyrnn::models");
        sources.push((format!("{stem}_int8"), bake_with(&file, "crate", doc, int8)));
        // With 4-bit embedding rows (the shipped sentiment_int8; the same as int8 without an
        // embedding).
        let int8_e4 = tinyrnn_build::Quantize::Int8Embedding4;
        sources.push((
            format!("{stem}_int8_e4"),
            bake_with(&file, "crate", doc, int8_e4),
        ));
    }
    assert!(
        sources.len() >= 8 + 36 + 4 + 4,
        "found {} models",
        sources.len()
    );
    let failures = rustfmt_check(&sources);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A valid model file with the given metadata and tensors of deterministic pseudo-random values
/// drawn from `values`.
fn synthetic(meta: serde_json::Value, embedding: Option<usize>, values: &[f32]) -> Vec<u8> {
    let cell: CellKind = serde_json::from_value(meta["cell"].clone()).unwrap();
    let h = meta["hidden_size"].as_u64().unwrap() as usize;
    let layers = meta["num_layers"].as_u64().unwrap() as usize;
    let c = meta["labels"].as_array().unwrap().len();
    let v = meta["vocab"].as_array().map_or(0, Vec::len);
    let i0 = match meta["input"].as_str().unwrap() {
        "embedding" => embedding.unwrap(),
        "one_hot" => v,
        _ => meta["mean"].as_array().unwrap().len(),
    };
    let mut shapes = vec![
        ("head.weight".to_string(), vec![c, h]),
        ("head.bias".to_string(), vec![c]),
    ];
    if let Some(e) = embedding {
        shapes.push(("embedding.weight".to_string(), vec![v, e]));
    }
    shapes.extend(cell.layer_tensors(layers, h, i0));
    let mut n = 0usize;
    let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = shapes
        .into_iter()
        .map(|(name, shape)| {
            let len: usize = shape.iter().product();
            let data: Vec<u8> = (0..len)
                .flat_map(|_| {
                    n = n.wrapping_mul(31).wrapping_add(7);
                    values[n % values.len()].to_le_bytes()
                })
                .collect();
            (name, shape, data)
        })
        .collect();
    common::f32_file(&bytes, &meta)
}

#[test]
fn odd_shapes_generate_rustfmt_clean_source() {
    let long = [-0.123_456_78f32, 0.987_654_3, 1.5e-7, -3.25e12];
    let short = [0.5f32, -1.0, 0.25, 2.0, -0.125];
    let mixed = [0.5f32, -0.123_456_78, 0.25];
    let words: Vec<String> = ["<pad>", "<unk>", "über", "日本語", "isn't", "a", "zz"]
        .iter()
        .map(|s| s.to_string())
        .chain(std::iter::once("x".repeat(70)))
        .chain((0..40).map(|k| format!("w{k}")))
        .collect();
    let text = |cell: &str, input: &str, h: usize, layers: usize, labels: Vec<String>| {
        json!({
            "format_version": 1, "cell": cell, "num_layers": layers, "hidden_size": h,
            "input": input, "task": "classify", "output": "softmax", "labels": labels,
            "vocab": words, "unk_id": 1, "pad_id": 0,
            "tokenizer": {"lowercase": true, "split": "whitespace"},
        })
    };
    let dense = |cell: &str, h: usize, layers: usize, features: usize, labels: Vec<String>| {
        json!({
            "format_version": 1, "cell": cell, "num_layers": layers, "hidden_size": h,
            "input": "dense", "task": "regress", "output": "identity", "labels": labels,
            "mean": vec![0.5; features], "std": (0..features).map(|k| 1.0 + k as f64 / 3.0).collect::<Vec<_>>(),
        })
    };
    let one = vec!["only".to_string()];
    let many: Vec<String> = (0..12).map(|k| format!("label number {k}")).collect();
    let cases = [
        ("rnn_h1_c1", dense("rnn", 1, 1, 1, one.clone()), None),
        ("rnn_h3_3l", dense("rnn", 3, 3, 2, many.clone()), None),
        ("gru_h5_wide", dense("gru", 5, 2, 30, one.clone()), None),
        (
            "lstm_h2_one_hot",
            text("lstm", "one_hot", 2, 1, many.clone()),
            None,
        ),
        (
            "rnn_h9_embedding",
            text("rnn", "embedding", 9, 2, one.clone()),
            Some(1),
        ),
        (
            "gru_h4_embedding",
            text("gru", "embedding", 4, 4, many.clone()),
            Some(13),
        ),
    ];
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rustfmt-synthetic");
    std::fs::create_dir_all(&dir).unwrap();
    let mut sources = Vec::new();
    for (name, meta, embedding) in cases {
        for (suffix, values) in [
            ("long", &long[..]),
            ("short", &short[..]),
            ("mixed", &mixed[..]),
        ] {
            let path = dir.join(format!("{name}_{suffix}.safetensors"));
            std::fs::write(&path, synthetic(meta.clone(), embedding, values)).unwrap();
            sources.push((format!("{name}_{suffix}"), bake(&path, "::tinyrnn", None)));
        }
    }
    let failures = rustfmt_check(&sources);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
