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

use criterion::{criterion_group, criterion_main, Criterion};
use tinyrnn::layer::{blocks, interleave, Block};
use tinyrnn::models::{motion, seed, sentiment, vowels};
use tinyrnn::{
    Activation, Embedding, Gru, Layer, Linear, Lstm, Network, Split, State, Task, Tokenizer,
    Vocabulary,
};

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

static WORDS: [&str; 16] = [
    "<unk>", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
];
static SORTED: [u32; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
const VOCAB: Vocabulary = Vocabulary {
    words: &WORDS,
    sorted: &SORTED,
    unk: 0,
    pad: None,
    tokenizer: Tokenizer {
        lowercase: true,
        split: Split::Words,
    },
};
static TABLE: [[f32; 64]; 16] = [[0.05; 64]; 16];
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

type Gru64 = Network<Gru, Embedding<16, 64>, 3, 1, 64, 64, 0, 2>;
type Gru256 = Network<Gru, Embedding<16, 64>, 3, 1, 64, 256, 0, 2>;
type Lstm128x2 = Network<Lstm, Embedding<16, 64>, 4, 2, 64, 128, 1, 2>;

fn gru_e64_h64() -> Gru64 {
    static UPPER: [Layer<3, 64, 64>; 0] = [];
    Network {
        cell: PhantomData,
        frontend: Embedding {
            table: &TABLE,
            vocab: VOCAB,
        },
        first: layer!(3, 64, 64),
        upper: &UPPER,
        head: head!(64),
        activation: Activation::Softmax,
        task: Task::Classify,
        labels: &LABELS,
    }
}

fn gru_e64_h256() -> Gru256 {
    static UPPER: [Layer<3, 256, 256>; 0] = [];
    Network {
        cell: PhantomData,
        frontend: Embedding {
            table: &TABLE,
            vocab: VOCAB,
        },
        first: layer!(3, 64, 256),
        upper: &UPPER,
        head: head!(256),
        activation: Activation::Softmax,
        task: Task::Classify,
        labels: &LABELS,
    }
}

fn lstm_e64_h128_l2() -> Lstm128x2 {
    static UPPER: [Layer<4, 128, 128>; 1] = [layer!(4, 128, 128)];
    Network {
        cell: PhantomData,
        frontend: Embedding {
            table: &TABLE,
            vocab: VOCAB,
        },
        first: layer!(4, 64, 128),
        upper: &UPPER,
        head: head!(128),
        activation: Activation::Softmax,
        task: Task::Classify,
        labels: &LABELS,
    }
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
