//! Host timings of one whole inference (batch 1, one thread): the shipped models, and three
//! larger shapes with constant weights (the timing does not depend on the values).
//!
//! ```text
//! cargo bench --bench models                 # all
//! cargo bench --bench models -- gru_e64_h256 # one
//! ```
//! Text models classify a 15-word sentence (tokenizer included); sensor models a 100-sample
//! series; the shapes 15 token ids through an embedding, a stack of GRU or LSTM layers, a
//! linear head and softmax. BENCHMARKS.md has the figures and tools/bench-onnx.sh the same
//! shapes on ONNX Runtime.

use core::marker::PhantomData;
use std::hint::black_box;
use tinyrnn::prelude::*;

use criterion::{criterion_group, criterion_main, Criterion};
use tinyrnn::layer::{blocks, interleave, Block};
use tinyrnn::models::{motion, seed, sentiment, vowels};
use tinyrnn::{Activation, Embedding, Gru, Layer, Linear, Lstm, Network, Stack, State, Task};

/// 15 words.
const TEXT: &str = "i am not happy with this movie because the plot was very bad and slow";

/// Token ids of the shapes' inputs.
const IDS: [usize; 15] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9];

/// `samples[t]`: a triangle wave per feature, 100 steps.
fn series<const F: usize>() -> Vec<[f32; F]> {
    (0..100)
        .map(|t| core::array::from_fn(|f| ((t + 3 * f) % 16) as f32 / 4.0 - 2.0))
        .collect()
}

/// The shapes' embedding: one row per word of the seed model's vocabulary, which they borrow
/// (they read token ids, so the words only complete the type; the shipped models time the
/// tokenizer).
static TABLE: [[f32; 64]; seed::VOCAB_SIZE] = [[0.05; 64]; seed::VOCAB_SIZE];
static LABELS: [&str; 2] = ["no", "yes"];

/// The statics of one layer with `G` gates, `I` inputs and `H` units.
macro_rules! layer {
    ($g:literal, $i:literal, $h:literal) => {{
        static W_IH: [Block<$i>; $g * blocks($h)] = interleave(&[[[0.01; $i]; $h]; $g]);
        static W_HH: [Block<$h>; $g * blocks($h)] = interleave(&[[[-0.01; $h]; $h]; $g]);
        static B: [[f32; $h]; $g] = [[0.1; $h]; $g];
        Layer::new(&W_IH, &W_HH, &B, &B)
    }};
}

/// A head of `H` inputs and two outputs.
macro_rules! head {
    ($h:literal) => {{
        static W: [[f32; $h]; 2] = [[0.02; $h]; 2];
        static B: [f32; 2] = [0.0; 2];
        Linear { w: &W, b: &B }
    }};
}

/// The shapes: an embedding of 64, `U + 1` layers of `H` units with `G` gates (`S` state
/// vectors), two outputs.
type Shape<K, const G: usize, const S: usize, const H: usize, const U: usize> =
    Network<Embedding<{ seed::VOCAB_SIZE }, 64>, Stack<K, G, S, 64, H, U>, 64, H, 2>;
type Gru64 = Shape<Gru, 3, 1, 64, 0>;
type Gru256 = Shape<Gru, 3, 1, 256, 0>;
type Lstm128x2 = Shape<Lstm, 4, 2, 128, 1>;

/// A classifier of the shapes: the embedding, `first`, the layers `upper` above it, `head`
/// and softmax.
fn embedded<K, const G: usize, const S: usize, const H: usize, const U: usize>(
    first: Layer<G, 64, H>,
    upper: &'static [Layer<G, H, H>; U],
    head: Linear<H, 2>,
) -> Shape<K, G, S, H, U> {
    Network {
        frontend: Embedding {
            table: &TABLE,
            vocab: seed::MODEL.frontend.vocab,
        },
        layers: Stack {
            cell: PhantomData,
            first,
            upper,
        },
        head,
        activation: Activation::Softmax,
        task: Task::Classify,
        labels: &LABELS,
    }
}

fn gru_e64_h64() -> Gru64 {
    static UPPER: [Layer<3, 64, 64>; 0] = [];
    embedded(layer!(3, 64, 64), &UPPER, head!(64))
}

fn gru_e64_h256() -> Gru256 {
    static UPPER: [Layer<3, 256, 256>; 0] = [];
    embedded(layer!(3, 64, 256), &UPPER, head!(256))
}

fn lstm_e64_h128_l2() -> Lstm128x2 {
    static UPPER: [Layer<4, 128, 128>; 1] = [layer!(4, 128, 128)];
    embedded(layer!(4, 64, 128), &UPPER, head!(128))
}

fn shipped(c: &mut Criterion) {
    let mut state = seed::State::new();
    c.bench_function("seed", |b| {
        b.iter(|| seed::MODEL.classify_text(black_box(TEXT), &mut state))
    });
    let mut state = sentiment::State::new();
    c.bench_function("sentiment", |b| {
        b.iter(|| sentiment::MODEL.classify_text(black_box(TEXT), &mut state))
    });
    // The same model on 15 token ids, without the tokenizer (tools/bench-onnx.sh compares it).
    let mut state = sentiment::State::new();
    c.bench_function("sentiment_ids", |b| {
        b.iter(|| sentiment::MODEL.classify(black_box(IDS), &mut state))
    });
    let samples = series::<{ motion::INPUTS }>();
    let mut state = motion::State::new();
    c.bench_function("motion", |b| {
        b.iter(|| motion::MODEL.classify(black_box(&samples), &mut state))
    });
    let samples = series::<{ vowels::INPUTS }>();
    let mut state = vowels::State::new();
    c.bench_function("vowels", |b| {
        b.iter(|| vowels::MODEL.classify(black_box(&samples), &mut state))
    });
}

fn shapes(c: &mut Criterion) {
    let model = gru_e64_h64();
    let mut state = State::new();
    c.bench_function("gru_e64_h64", |b| {
        b.iter(|| model.classify(black_box(IDS), &mut state))
    });
    let model = gru_e64_h256();
    let mut state = State::new();
    c.bench_function("gru_e64_h256", |b| {
        b.iter(|| model.classify(black_box(IDS), &mut state))
    });
    let model = lstm_e64_h128_l2();
    let mut state = State::new();
    c.bench_function("lstm_e64_h128_l2", |b| {
        b.iter(|| model.classify(black_box(IDS), &mut state))
    });
}

criterion_group!(benches, shipped, shapes);
criterion_main!(benches);
