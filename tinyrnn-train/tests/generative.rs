//! The generative trainer: the exported file is a valid `task: "generate"` model, its forward
//! pass agrees with ONNX Runtime (through a conformance fixture), and the n-gram baselines are
//! distributions.

use std::path::{Path, PathBuf};

use tinyrnn_train::generative::{train_generative, Corpus, GenOptions, Generator, Ngrams};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// About `n` rows spread over a melody split (every k-th, so that every condition is in), as
/// a file of their own.
fn head_of(split: &str, n: usize, dir: &Path) -> PathBuf {
    let text =
        std::fs::read_to_string(root().join(format!("data/melody/oneills_{split}.tsv"))).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let step = (lines.len() / n).max(1);
    let rows: Vec<&str> = std::iter::once(lines[0])
        .chain(lines[1..].iter().step_by(step).copied())
        .collect();
    let path = dir.join(format!("{split}.tsv"));
    std::fs::write(&path, rows.join("\n") + "\n").unwrap();
    path
}

#[test]
fn a_short_run_exports_a_generative_model_file() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("generative");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("tiny.safetensors");
    let mut o = GenOptions::new(
        head_of("train", 40, &dir),
        head_of("val", 12, &dir),
        head_of("test", 12, &dir),
        out.clone(),
    );
    (o.hidden, o.embedding, o.epochs, o.verbose) = (8, 4, 2, false);
    let r = train_generative(&o).unwrap();
    let spec = tinyrnn_build::load(&out).unwrap();
    let g = spec.meta.generation.as_ref().unwrap();
    assert_eq!(g.conditions, r.conditions);
    assert_eq!((g.start_id, g.end_id), (0, 1));
    assert_eq!(
        spec.tensor("condition.weight").shape,
        [r.conditions.len(), 8]
    );
    let p = &r.perplexity;
    for ppl in [p.network, p.unigram.0, p.bigram.0, p.class_bigram.0] {
        assert!(ppl.is_finite() && ppl > 1.0, "{p:?}");
    }
    // The host generator reads it back and stops within the limit.
    let generator = Generator::load(&out).unwrap();
    let mut rng = tinyrnn::Rng::new(3);
    let ids = generator
        .generate(0, tinyrnn::Sampling::Temperature(1.0), &mut rng, 10)
        .unwrap();
    assert!(ids.len() <= 10 && ids.iter().all(|&i| (i as usize) < r.vocab));
}

#[test]
fn the_host_generator_agrees_with_onnxruntime_greedy() {
    for name in ["generate_gru_2l", "generate_lstm_1l"] {
        greedy_matches(name);
    }
}

fn greedy_matches(name: &str) {
    // The fixture's greedy decoder loop was run with ONNX Runtime.
    let fixture = root().join("conformance/fixtures").join(name);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture.with_extension("json")).unwrap())
            .unwrap();
    let generator = Generator::load(&fixture.with_extension("safetensors")).unwrap();
    for (class, expected) in json["greedy"].as_array().unwrap().iter().enumerate() {
        let expected: Vec<u32> = serde_json::from_value(expected.clone()).unwrap();
        let mut rng = tinyrnn::Rng::new(0);
        let ids = generator
            .generate(class, tinyrnn::Sampling::Greedy, &mut rng, 12)
            .unwrap();
        assert_eq!(ids, expected, "{name}, condition {class}");
    }
}

#[test]
fn the_bigram_baseline_is_a_distribution() {
    let text = std::fs::read_to_string(root().join("data/melody/oneills_train.tsv")).unwrap();
    let rows = tinyrnn_train::data::parse_tsv(Path::new("train.tsv"), &text).unwrap();
    let corpus = Corpus::build(&rows, 2);
    let tunes = corpus.encode(&rows).unwrap();
    let v = corpus.vocab.len();
    let ngrams = Ngrams::count(&tunes, v, corpus.conditions.len());
    // Every token but <s> can follow; the probabilities of what follows a context sum to 1.
    for prev in [Corpus::START_ID, 5, Corpus::UNK_ID] {
        for condition in [None, Some(0)] {
            let sum: f64 = (1..v as u32)
                .map(|next| ngrams.probability(prev, next, 0.1, 0.8, condition))
                .sum();
            assert!((sum - 1.0).abs() < 1e-9, "{prev} {condition:?}: {sum}");
        }
    }
}
