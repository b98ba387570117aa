//! The trainer's candle forward pass on the inputs of the crate's `benches/models.rs`, so that
//! tools/bench-onnx.sh can put candle beside tinyrnn and ONNX Runtime in one run (issue 8).
//!
//! ```text
//! cargo bench -p tinyrnn-train --bench candle
//! ```
//! The shipped models are read from `models/*.safetensors` and run through
//! `tinyrnn_train::Model::predict` (one unpadded sequence, batch 1, CPU, f32: what the trainer
//! uses for its own evaluation); the text models tokenize the same 15-word sentence, the
//! sensor models read the same 100-sample triangle waves, and `sentiment_ids` and the shapes
//! read the same 15 token ids. The shapes (an embedding of 64, GRU or LSTM layers, two
//! outputs) have initialised, untrained weights: the time does not depend on the values.
//! candle is built for the host's baseline CPU like the rest of the workspace.

use std::hint::black_box;
use std::path::Path;

use candle_core::{DType, Device};
use criterion::{criterion_group, criterion_main, Criterion};
use tinyrnn_train::model::{Config, Input, Params};
use tinyrnn_train::{Cell, Model, Preprocess, Sequence};

/// 15 words (the same sentence as `benches/models.rs`).
const TEXT: &str = "i am not happy with this movie because the plot was very bad and slow";

/// Token ids of the shapes' inputs (the same as `benches/models.rs`).
const IDS: [u32; 15] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9];

/// `samples[t]`: a triangle wave per feature, 100 steps (the same as `benches/models.rs`).
fn series(features: usize) -> Vec<Vec<f32>> {
    (0..100)
        .map(|t| {
            (0..features)
                .map(|f| ((t + 3 * f) % 16) as f32 / 4.0 - 2.0)
                .collect()
        })
        .collect()
}

/// A shipped model as the trainer reads it.
fn shipped(name: &str) -> Model {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../models/{name}.safetensors"));
    Model::load(&file).unwrap_or_else(|e| panic!("{}: {e:#}", file.display()))
}

/// `sentiment`'s file (for its metadata and vocabulary) with the layers of a shape instead of
/// its own: an embedding of 64 over its vocabulary, `layers` layers of `hidden` units, two
/// outputs.
fn shape(cell: Cell, hidden: usize, layers: usize) -> Model {
    let mut model = shipped("sentiment");
    let vocab = match model.params.config.input {
        Input::Embedding { vocab, .. } => vocab,
        _ => panic!("sentiment reads an embedding"),
    };
    let input = Input::Embedding { vocab, dim: 64 };
    let config = Config::new(cell, input, hidden, layers, 2);
    model.params = Params::init(config, 0, DType::F32, &Device::Cpu).expect("shape parameters");
    model
}

fn bench(c: &mut Criterion, name: &str, model: &Model, seq: Sequence<'_>) {
    // A model that cannot run the input must fail here, not be timed failing.
    model.predict(seq).expect(name);
    c.bench_function(name, |b| b.iter(|| model.predict(black_box(seq))));
}

fn models(c: &mut Criterion) {
    bench(c, "seed", &shipped("seed"), Sequence::Text(TEXT));
    let sentiment = shipped("sentiment");
    bench(c, "sentiment", &sentiment, Sequence::Text(TEXT));
    bench(c, "sentiment_ids", &sentiment, Sequence::Tokens(&IDS));
    for name in ["motion", "vowels"] {
        let model = shipped(name);
        let features = match &model.pre {
            Preprocess::Dense { mean, .. } => mean.len(),
            Preprocess::Text(_) => panic!("{name} reads samples"),
        };
        let samples = series(features);
        bench(c, name, &model, Sequence::Samples(&samples));
    }
}

fn shapes(c: &mut Criterion) {
    let ids = Sequence::Tokens(&IDS);
    bench(c, "gru_e64_h64", &shape(Cell::Gru, 64, 1), ids);
    bench(c, "gru_e64_h256", &shape(Cell::Gru, 256, 1), ids);
    bench(c, "lstm_e64_h128_l2", &shape(Cell::Lstm, 128, 2), ids);
}

criterion_group!(benches, models, shapes);
criterion_main!(benches);
