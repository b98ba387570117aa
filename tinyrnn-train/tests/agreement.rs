//! The trainer and the baked crate agree: for every shipped model and every example of its test
//! split, the no_std forward pass (`tinyrnn::models::*`) gives the same label as candle's forward
//! pass of the same model file, with every output within 1e-5. So do the trained models of
//! `tests/models/` (baked by this crate's build script): convolution front-ends and
//! bidirectional layers, which no shipped model has.

use std::path::{Path, PathBuf};

use tinyrnn::head::argmax;
use tinyrnn::{Model, Prediction, TextModel};
use tinyrnn_train::data::{self, DataFile};
use tinyrnn_train::Sequence;

const TOLERANCE: f32 = 1e-5;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The held-out test split of each shipped model (a model added to `models/` without one here is
/// reported and skipped; the five shipped ones must all be checked).
fn test_split(model: &str) -> Option<&'static str> {
    match model {
        "seed" => Some("data/sentiment/seed_test.tsv"),
        "sentiment" => Some("data/sentiment/uci_test.tsv"),
        "motion" => Some("data/sensor/BasicMotions_TEST.ts"),
        "vowels" => Some("data/sensor/JapaneseVowels_TEST.ts"),
        "exercise" => Some("data/sensor/Watch_TEST.ts"),
        _ => None,
    }
}

/// The trainer's (candle) model read from the shipped file (or, for a name ending in `_conv`
/// or `_bidi`, from `tests/models/`), and the model's test split; `None` when no split is
/// registered.
fn reference(model: &str) -> Option<(tinyrnn_train::Model, DataFile)> {
    let file = match model.rsplit_once('_') {
        Some((data, "conv" | "bidi")) => {
            let file = root().join(format!("tinyrnn-train/tests/models/{model}.safetensors"));
            return Some((
                tinyrnn_train::Model::load(&file).unwrap(),
                data::load(&root().join(test_split(data)?)).unwrap(),
            ));
        }
        _ => root().join(format!("models/{model}.safetensors")),
    };
    let split = test_split(model)?;
    let candle = tinyrnn_train::Model::load(&file).unwrap();
    Some((candle, data::load(&root().join(split)).unwrap()))
}

/// Asserts that both sides pick the same label and that every output is within [`TOLERANCE`].
fn compare(model: &str, what: &str, ours: &[f32], theirs: &[f32]) {
    assert_eq!(
        argmax(ours),
        argmax(theirs),
        "{model} {what}: labels differ: {ours:?} vs {theirs:?}"
    );
    assert_eq!(ours.len(), theirs.len(), "{model} {what}: output count");
    // The first output out of tolerance, named by its index, is what a failure needs to show.
    let beyond = (0..ours.len()).find(|&i| (ours[i] - theirs[i]).abs() > TOLERANCE);
    assert_eq!(
        beyond, None,
        "{model} {what}: output beyond {TOLERANCE:e}: {ours:?} vs {theirs:?}"
    );
}

/// Checks a text model on every sentence of its test split; returns how many were compared.
fn text<M: TextModel>(name: &str, baked: &M) -> usize {
    let Some((reference, split)) = reference(name) else {
        return 0;
    };
    let DataFile::Text(rows) = split else {
        panic!("{name}: expected a text test split");
    };
    let mut state = M::State::default();
    let mut checked = 0;
    for row in &rows {
        let theirs = reference.predict(Sequence::Text(&row.text));
        match baked.classify_text(&row.text, &mut state) {
            Ok(out) => {
                compare(
                    name,
                    &format!("{:?}", row.text),
                    out.values(),
                    &theirs.unwrap(),
                );
                checked += 1;
            }
            // No token at all: both sides refuse it.
            Err(tinyrnn::Error::EmptyInput) => assert!(theirs.is_err()),
            Err(e) => panic!("{name} {:?}: {e}", row.text),
        }
    }
    checked
}

/// Checks a sensor model (`F` features per sample) on every series of its test split; returns
/// how many were compared.
fn sensor<const F: usize, M>(name: &str, baked: &M) -> usize
where
    M: for<'a> Model<Input<'a> = &'a [f32; F]>,
{
    let Some((reference, split)) = reference(name) else {
        return 0;
    };
    let DataFile::Series(file) = split else {
        panic!("{name}: expected a time-series test split");
    };
    let mut state = M::State::default();
    for (n, row) in file.rows.iter().enumerate() {
        let samples: Vec<[f32; F]> = row
            .steps
            .iter()
            .map(|s| s.as_slice().try_into().unwrap())
            .collect();
        let ours = baked.classify(samples.iter(), &mut state).unwrap();
        let theirs = reference.predict(Sequence::Samples(&row.steps)).unwrap();
        compare(name, &format!("series {n}"), ours.values(), &theirs);
    }
    file.rows.len()
}

#[test]
fn every_shipped_model_agrees_with_the_trainer_on_its_test_split() {
    let mut checked = Vec::new();
    let mut report = |name: &'static str, n: usize| {
        if n == 0 {
            println!("{name}: no test split registered in tests/agreement.rs, not checked");
        } else {
            println!("{name}: {n} test examples agree");
            checked.push(name);
        }
    };
    macro_rules! text_model {
        ($m:ident) => {
            report(
                stringify!($m),
                text(stringify!($m), &tinyrnn::models::$m::MODEL),
            );
        };
    }
    macro_rules! sensor_model {
        ($m:ident) => {
            report(
                stringify!($m),
                sensor(stringify!($m), &tinyrnn::models::$m::MODEL),
            );
        };
    }
    tinyrnn::for_each_text_model!(text_model);
    tinyrnn::for_each_sensor_model!(sensor_model);
    checked.sort_unstable();
    assert_eq!(
        checked,
        ["exercise", "motion", "seed", "sentiment", "vowels"]
    );
}

/// The models of `tests/models/`, baked by build.rs.
// The generated modules also hold sizes and costs that this test does not read.
#[allow(dead_code)]
mod trained {
    tinyrnn::include_model!(vowels_conv);
    tinyrnn::include_model!(motion_conv);
    tinyrnn::include_model!(vowels_bidi);
}

/// A convolution front-end (streamed: `classify` runs `step` sample by sample) and
/// bidirectional layers (a whole window) agree with the trainer on every test series.
#[test]
fn trained_conv_and_bidirectional_models_agree_with_the_trainer() {
    // They are what they are named: a convolution front-end, bidirectional layers.
    const {
        assert!(trained::vowels_conv::CONV_LAYERS == 1 && trained::motion_conv::CONV_LAYERS == 2);
        assert!(trained::vowels_bidi::MAX_STEPS == 29);
    }
    assert_eq!(sensor("vowels_conv", &trained::vowels_conv::MODEL), 370);
    assert_eq!(sensor("motion_conv", &trained::motion_conv::MODEL), 40);
    assert_eq!(sensor("vowels_bidi", &trained::vowels_bidi::MODEL), 370);
}
