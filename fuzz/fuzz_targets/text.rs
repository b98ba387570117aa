//! The tokenizer and `classify_text` of the shipped text models (`f32` and int8) on arbitrary
//! UTF-8: a label with probabilities, or `EmptyInput`; streaming the same text feeds exactly its
//! tokens.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tinyrnn::models::{seed, seed_int8, sentiment, sentiment_int8};
use tinyrnn::{Error, Prediction, TextModel};

fn check<M: TextModel>(model: &M, text: &str) {
    let mut state = M::State::default();
    match model.classify_text(text, &mut state) {
        Ok(out) => {
            let sum: f32 = out.values().iter().sum();
            assert!((sum - 1.0).abs() < 1e-5, "{:?}", out.values());
            assert!(out.labels().contains(&out.label()));
        }
        Err(e) => assert_eq!(e, Error::EmptyInput),
    }
    for id in model.vocabulary().encode(text) {
        assert!(id < model.vocabulary().len());
    }
}

fuzz_target!(|text: &str| {
    check(&seed::MODEL, text);
    check(&sentiment::MODEL, text);
    check(&seed_int8::MODEL, text);
    check(&sentiment_int8::MODEL, text);
});
