//! Checks every model baked from `models/`: the generated tables are as large as the file says,
//! the vocabulary lookup finds every word, and the model runs.

use core::mem::size_of_val;

use tinyrnn::{Cell, Frontend, Model, TextFrontend};

/// Bytes of `f32` weights reachable from a model, frontend tables excluded.
fn layer_bytes<
    K,
    F,
    const G: usize,
    const S: usize,
    const I: usize,
    const H: usize,
    const L: usize,
    const C: usize,
>(
    m: &Model<K, F, G, S, I, H, L, C>,
) -> usize
where
    K: Cell<G, S>,
    F: Frontend<I>,
{
    let first = size_of_val(m.first.w_ih)
        + size_of_val(m.first.w_hh)
        + size_of_val(m.first.b_ih)
        + size_of_val(m.first.b_hh);
    let upper: usize = m
        .upper
        .iter()
        .map(|l| {
            size_of_val(l.w_ih) + size_of_val(l.w_hh) + size_of_val(l.b_ih) + size_of_val(l.b_hh)
        })
        .sum();
    assert_eq!(m.upper.len(), L - 1, "upper layers");
    first + upper + size_of_val(m.head.w) + size_of_val(m.head.b)
}

macro_rules! text_model {
    ($m:ident) => {{
        use tinyrnn::models::$m as m;
        let vocab = m::MODEL.frontend.vocabulary();
        assert_eq!(vocab.len(), m::VOCAB_SIZE);
        // Every word that text can produce is found again by the binary search.
        for (id, word) in vocab.words.iter().enumerate() {
            if Some(id as u32) != vocab.pad {
                assert_eq!(vocab.id(word), id, "{}: word {word:?}", stringify!($m));
            }
        }
        let table = embedding_bytes(&m::MODEL.frontend);
        assert_eq!(
            layer_bytes(&m::MODEL) + table,
            m::WEIGHT_BYTES,
            "{}",
            stringify!($m)
        );
        assert_eq!(m::WEIGHT_BYTES, 4 * m::PARAMETERS);
        let mut state = m::State::new();
        let out = m::MODEL
            .classify_text("a plain short sentence", &mut state)
            .unwrap();
        assert!(out.values.iter().all(|v| v.is_finite()));
        assert!(m::LABELS.contains(&out.label()));
    }};
}

trait EmbeddingBytes {
    fn bytes(&self) -> usize;
}
impl<const V: usize, const E: usize> EmbeddingBytes for tinyrnn::Embedding<V, E> {
    fn bytes(&self) -> usize {
        size_of_val(self.table)
    }
}
impl<const V: usize> EmbeddingBytes for tinyrnn::OneHot<V> {
    fn bytes(&self) -> usize {
        0
    }
}
fn embedding_bytes(f: &impl EmbeddingBytes) -> usize {
    f.bytes()
}

macro_rules! sensor_model {
    ($m:ident) => {{
        use tinyrnn::models::$m as m;
        let stats = size_of_val(m::MODEL.frontend.mean) + size_of_val(m::MODEL.frontend.std);
        assert_eq!(stats, 2 * 4 * m::INPUTS);
        assert_eq!(
            layer_bytes(&m::MODEL),
            m::WEIGHT_BYTES,
            "{}",
            stringify!($m)
        );
        let sample = *m::MODEL.frontend.mean; // the training mean normalises to zero
        let mut state = m::State::new();
        let out = m::MODEL
            .classify([&sample, &sample, &sample], &mut state)
            .unwrap();
        assert!(out.values.iter().all(|v| v.is_finite()));
    }};
}

#[test]
fn every_shipped_model_is_consistent_and_runs() {
    let mut count = 0;
    macro_rules! text {
        ($m:ident) => {
            text_model!($m);
            count += 1;
        };
    }
    macro_rules! sensor {
        ($m:ident) => {
            sensor_model!($m);
            count += 1;
        };
    }
    tinyrnn::for_each_text_model!(text);
    tinyrnn::for_each_sensor_model!(sensor);
    assert!(count > 0, "no model in models/");
}
