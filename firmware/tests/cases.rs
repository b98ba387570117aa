//! The recorded inputs of the demos (`cases/*.rs`) still get their expected labels on the host,
//! through the same code the firmware runs. The firmware prints its labels and
//! `tools/compare-host-qemu.sh` checks that they are the host's, so together the two catch a
//! wrong label on any core. After retraining a model, regenerate the cases with
//! `tools/mcu-data.sh`.

use tinyrnn::{Prediction, StreamingModel, TextModel};
use tinyrnn_firmware::cases;

tinyrnn::include_model!(seed);
tinyrnn::include_model!(seed_int8);
tinyrnn::include_model!(sentiment);
tinyrnn::include_model!(sentiment_int8);
tinyrnn::include_model!(motion);
tinyrnn::include_model!(vowels);
tinyrnn::include_model!(exercise);

/// The mismatches of the sentences recorded for `name`, and how many there are.
fn check_sentences<M: TextModel>(name: &str, model: &M, wrong: &mut Vec<String>) -> usize {
    let mut state = M::State::default();
    let mut n = 0;
    for (expected, text) in cases::sentences(name) {
        let got = model.classify_text(text, &mut state).map(|o| o.label());
        if got != Ok(expected) {
            wrong.push(format!(
                "{name}: {text:?}: expected {expected}, got {got:?}"
            ));
        }
        n += 1;
    }
    n
}

/// The mismatches of the series recorded for `name`, and how many there are.
fn check_series<M, const F: usize>(name: &str, model: &M, wrong: &mut Vec<String>) -> usize
where
    M: for<'a> StreamingModel<Input<'a> = &'a [f32; F]>,
{
    let mut state = M::State::default();
    let mut n = 0;
    for (index, (expected, samples)) in cases::series(name).enumerate() {
        assert_eq!(
            samples.len() % F,
            0,
            "{name} series {index}: not whole samples"
        );
        let got = cases::stream(model, samples, &mut state).map(|o| o.label());
        if got != Ok(expected) {
            wrong.push(format!(
                "{name} series {index}: expected {expected}, got {got:?}"
            ));
        }
        n += 1;
    }
    n
}

/// Every recorded sentence and series, all mismatches reported together.
#[test]
fn every_recorded_case_gets_its_label() {
    let mut wrong = Vec::new();
    assert!(check_sentences("seed", &seed::MODEL, &mut wrong) >= 20);
    assert!(check_sentences("sentiment", &sentiment::MODEL, &mut wrong) > 0);
    // mcu_sentiment runs the int8 variants: the same labels.
    assert!(check_sentences("seed", &seed_int8::MODEL, &mut wrong) >= 20);
    assert!(check_sentences("sentiment", &sentiment_int8::MODEL, &mut wrong) > 0);
    assert!(check_series("motion", &motion::MODEL, &mut wrong) > 0);
    assert!(check_series("vowels", &vowels::MODEL, &mut wrong) > 0);
    assert!(check_series("exercise", &exercise::MODEL, &mut wrong) > 0);
    assert!(
        wrong.is_empty(),
        "run tools/mcu-data.sh?\n{}",
        wrong.join("\n")
    );
}

/// Every case belongs to a model the firmware bakes (a case of another model would be skipped
/// without a word).
#[test]
fn every_case_names_a_baked_model() {
    for (model, _, _) in cases::SENTENCES {
        assert!(["seed", "sentiment"].contains(model), "{model}");
    }
    for (model, _, _) in cases::SERIES {
        assert!(["motion", "vowels", "exercise"].contains(model), "{model}");
    }
}
