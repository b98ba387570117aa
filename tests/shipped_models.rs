//! Checks every model baked from `models/`: the generated tables are as large as the file says,
//! the vocabulary lookup finds every word, and the model runs.

use core::mem::size_of_val;

use tinyrnn::{Model, Prediction, StreamingModel, TextModel};

/// The weights reachable from a model are the bytes the file declared, and its state holds one
/// entry per declared layer. `declared` is the generated `(WEIGHT_BYTES, PARAMETERS, LAYERS)`.
fn check_sizes<M: StreamingModel>(
    name: &str,
    model: &M,
    declared: (usize, usize, usize),
    state_layers: usize,
) {
    let (weight_bytes, parameters, layers) = declared;
    assert_eq!(model.weight_bytes(), weight_bytes, "{name}: weight bytes");
    assert_eq!(weight_bytes, 4 * parameters, "{name}: f32 parameters");
    assert_eq!(state_layers, layers, "{name}: layers");
}

fn check_output(name: &str, out: &impl Prediction) {
    assert!(
        out.values().iter().all(|v| v.is_finite()),
        "{name}: {:?}",
        out.values()
    );
    assert!(out.labels().contains(&out.label()), "{name}");
}

fn check_text<M: TextModel>(name: &str, model: &M, vocab_size: usize) {
    let vocab = model.vocabulary();
    assert_eq!(vocab.len(), vocab_size, "{name}: vocabulary size");
    // Every word that text can produce is found again by the binary search: a `not_` entry
    // after a negator, and with stemming, every entry that is its own stem (one that is not,
    // such as "thes" from "these", whose own stem is "the", is only reached from longer words;
    // 17 of the 1,100 entries of `sentiment`).
    let rules = vocab.tokenizer;
    let mut not_own_stem = 0;
    for id in 0..vocab.len() {
        let word = vocab.word(id).unwrap();
        if Some(id as u32) == vocab.pad {
            continue;
        }
        let negated = word
            .strip_prefix(tinyrnn::NEGATED_PREFIX)
            .filter(|_| rules.negation > 0);
        let plain = negated.unwrap_or(word);
        if rules.stem && tinyrnn::stem(plain) != plain {
            not_own_stem += 1;
            continue;
        }
        let found = match negated {
            Some(plain) => vocab.encode(&format!("not {plain}")).nth(1),
            None => Some(vocab.id(word)),
        };
        assert_eq!(found, Some(id), "{name}: word {word:?}");
    }
    assert!(not_own_stem * 50 <= vocab.len(), "{name}: {not_own_stem}");
    let mut state = M::State::default();
    let out = model
        .classify_text("a plain short sentence", &mut state)
        .unwrap();
    check_output(name, &out);
}

/// How many layers a state holds: a recurrent state's, or that of a convolution model's
/// recurrent part.
trait LayerCount {
    fn layer_count(&self) -> usize;
}

impl<const H: usize, const S: usize, const U: usize> LayerCount for tinyrnn::State<H, S, U> {
    fn layer_count(&self) -> usize {
        self.layers().count()
    }
}

impl<T, R: LayerCount> LayerCount for tinyrnn::ConvState<T, R> {
    fn layer_count(&self) -> usize {
        self.recurrent().layer_count()
    }
}

macro_rules! sizes {
    ($m:ident) => {{
        use tinyrnn::models::$m as m;
        let declared = (m::WEIGHT_BYTES, m::PARAMETERS, m::LAYERS);
        let layers = m::State::new().layer_count();
        check_sizes(stringify!($m), &m::MODEL, declared, layers);
    }};
}

macro_rules! text_model {
    ($m:ident) => {{
        use tinyrnn::models::$m as m;
        let name = stringify!($m);
        check_text(name, &m::MODEL, m::VOCAB_SIZE);
    }};
}

macro_rules! sensor_model {
    ($m:ident) => {{
        use tinyrnn::models::$m as m;
        let name = stringify!($m);
        let stats = size_of_val(m::MODEL.frontend.mean) + size_of_val(m::MODEL.frontend.std);
        assert_eq!(stats, 2 * 4 * m::INPUTS, "{name}: normalisation");
        let sample = *m::MODEL.frontend.mean; // the training mean normalises to zero
        let mut state = m::State::new();
        let out = m::MODEL
            .classify([&sample, &sample, &sample], &mut state)
            .unwrap();
        check_output(name, &out);
    }};
}

#[test]
fn every_shipped_model_is_consistent_and_runs() {
    let mut count = 0;
    macro_rules! text {
        ($m:ident) => {
            sizes!($m);
            text_model!($m);
            count += 1;
        };
    }
    macro_rules! sensor {
        ($m:ident) => {
            sizes!($m);
            sensor_model!($m);
            count += 1;
        };
    }
    tinyrnn::for_each_text_model!(text);
    tinyrnn::for_each_sensor_model!(sensor);
    assert!(count > 0, "no model in models/");
}

/// `weight_bytes` counts what the generated statics really occupy, embedding included.
#[test]
fn weight_bytes_is_the_size_of_the_generated_tables() {
    use tinyrnn::models::sentiment::MODEL as n;
    fn layer<const G: usize, const I: usize, const H: usize>(l: &tinyrnn::Layer<G, I, H>) -> usize {
        size_of_val(l.w_ih())
            + size_of_val(l.w_hh())
            + size_of_val(l.b_ih())
            + size_of_val(l.b_hh())
    }
    let first = layer(&n.layers.first);
    let upper: usize = n.layers.upper.iter().map(layer).sum();
    let head = size_of_val(n.head.w) + size_of_val(n.head.b);
    let table = size_of_val(n.frontend.table);
    assert_eq!(Model::weight_bytes(&n), first + upper + head + table);
}
