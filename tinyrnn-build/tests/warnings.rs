//! A vocabulary entry the tokenizer can never produce is legal but almost certainly a mistake:
//! `bake_into` returns a one-line warning for it (which `bake` shows as a cargo warning), and
//! the model is still baked.

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::TensorView;
use safetensors::SafeTensors;

/// `conformance/fixtures/<name>` with its metadata changed by `edit`, written to a temp file
/// `<tag>_<name>` (one per test: tests run in parallel).
fn edited(tag: &str, name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> std::path::PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(here.join("../conformance/fixtures").join(name)).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
    let mut meta: serde_json::Value =
        serde_json::from_str(&header.metadata().as_ref().unwrap()["tinyrnn"]).unwrap();
    edit(&mut meta);
    let views: Vec<(String, TensorView<'_>)> = st.tensors();
    let meta = HashMap::from([("tinyrnn".to_string(), meta.to_string())]);
    let out = safetensors::serialize(views, Some(meta)).unwrap();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("warnings");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{tag}_{name}"));
    std::fs::write(&path, out).unwrap();
    path
}

fn warnings(path: &Path) -> Vec<String> {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("warnings-out");
    tinyrnn_build::bake_into(path, &out, "::tinyrnn", None)
        .unwrap()
        .warnings
}

#[test]
fn entries_the_words_tokenizer_never_produces_are_warned_about() {
    let path = edited("words", "gru_1l_embedding.safetensors", |meta| {
        assert_eq!(meta["tokenizer"]["split"], "words");
        meta["vocab"][4] = "was not".into();
        meta["vocab"][7] = "bad!".into();
    });
    let found = warnings(&path);
    assert_eq!(found.len(), 2, "{found:?}");
    let file = path.display().to_string();
    assert!(found[0].starts_with(&format!(
        "{file}: metadata field `vocab`: entry \"was not\" at id 4 "
    )));
    assert!(found[0].contains("never produces it"), "{}", found[0]);
    assert!(found[1].contains("\"bad!\" at id 7"), "{}", found[1]);
    assert!(found.iter().all(|w| !w.contains('\n')));
}

#[test]
fn entries_the_whitespace_tokenizer_never_produces_are_warned_about() {
    let path = edited("whitespace", "gru_1l_embedding.safetensors", |meta| {
        meta["tokenizer"]["split"] = "whitespace".into();
        meta["vocab"][7] = "bad!".into(); // a whole token under this split
        meta["vocab"][4] = "was\tnot".into();
    });
    let found = warnings(&path);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("\"was\\tnot\" at id 4"), "{}", found[0]);
    assert!(found[0].contains("split \"whitespace\""), "{}", found[0]);
}

#[test]
fn shipped_models_and_fixtures_have_no_warnings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for dir in ["models", "conformance/fixtures"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "safetensors") {
                assert_eq!(warnings(&path), Vec::<String>::new(), "{path:?}");
            }
        }
    }
}

#[test]
fn bucket_entries_are_not_warned_about_and_are_baked_out_of_the_lookup() {
    let path = edited("buckets", "gru_1l_embedding.safetensors", |meta| {
        meta["format_version"] = 2.into();
        meta["tokenizer"]["unk_buckets"] = 3.into();
        let v = meta["vocab"].as_array().unwrap().len();
        for (k, id) in (v - 3..v).enumerate() {
            meta["vocab"][id] = format!("#{k}").into();
        }
    });
    assert_eq!(warnings(&path), Vec::<String>::new());
    let spec = tinyrnn_build::load(&path).unwrap();
    let source =
        tinyrnn_build::generate(&spec, &tinyrnn_build::Options::new("m.safetensors")).source;
    assert!(source.contains("unk_buckets: 3,"), "{source}");
    // The lookup table leaves out padding and the three buckets.
    let v = spec.vocab_size();
    assert!(
        source.contains(&format!("static SORTED: [u16; {}]", v - 4)),
        "{source}"
    );
}

#[test]
fn negated_entries_are_reachable_only_with_negation() {
    let edit = |negation: u64| {
        move |meta: &mut serde_json::Value| {
            meta["format_version"] = 2.into();
            meta["tokenizer"]["negation"] = negation.into();
            meta["vocab"][4] = "not_good".into();
            meta["vocab"][5] = "not_".into();
        }
    };
    let path = edited("negation", "gru_1l_embedding.safetensors", edit(3));
    // "not_" + nothing is no token; "not_good" is reached through a negation scope.
    let found = warnings(&path);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("\"not_\" at id 5"), "{found:?}");
    let spec = tinyrnn_build::load(&path).unwrap();
    let source =
        tinyrnn_build::generate(&spec, &tinyrnn_build::Options::new("m.safetensors")).source;
    assert!(source.contains("negation: 3,"), "{source}");
    let path = edited("plain", "gru_1l_embedding.safetensors", edit(0));
    assert_eq!(warnings(&path).len(), 2);
}

#[test]
fn stemming_is_baked_into_the_tokenizer() {
    let path = edited("stem", "gru_1l_embedding.safetensors", |meta| {
        meta["format_version"] = 2.into();
        meta["tokenizer"]["stem"] = true.into();
    });
    // Stems are whole tokens; whether some token stems to an entry is not checked.
    assert_eq!(warnings(&path), Vec::<String>::new());
    let spec = tinyrnn_build::load(&path).unwrap();
    assert!(spec.meta.input.text().unwrap().tokenizer.stem);
    let source =
        tinyrnn_build::generate(&spec, &tinyrnn_build::Options::new("m.safetensors")).source;
    assert!(source.contains("stem: true,"), "{source}");
}
