//! Properties of the inference path over generated inputs (proptest): streaming equals the
//! whole sequence bit for bit, an error never touches the state, and every output is finite
//! and a probability for any finite input.

use proptest::prelude::*;
use tinyrnn::models::{motion, seed, sentiment};
use tinyrnn::prelude::*;
use tinyrnn::Error;

/// Any finite `f32`, extremes included.
fn finite() -> impl Strategy<Value = f32> {
    any::<f32>().prop_filter("finite", |v| v.is_finite())
}

/// A motion sample: mostly ordinary values, sometimes any finite value.
fn sample() -> impl Strategy<Value = [f32; motion::INPUTS]> {
    let value = prop_oneof![4 => -20.0f32..20.0, 1 => finite()];
    proptest::array::uniform6(value)
}

/// The outputs of a softmax model are probabilities that sum to one.
fn assert_probabilities(values: &[f32]) {
    assert!(values.iter().all(|v| (0.0..=1.0).contains(v)), "{values:?}");
    let sum: f32 = values.iter().sum();
    assert!((sum - 1.0).abs() < 1e-5, "{values:?}");
}

proptest! {
    #[test]
    fn streaming_equals_the_whole_sequence(ids in prop::collection::vec(0..seed::VOCAB_SIZE, 1..40)) {
        let whole = seed::MODEL.classify(ids.iter().copied(), &mut seed::State::new()).unwrap();
        let mut state = seed::State::new();
        let mut last = None;
        for &id in &ids {
            last = Some(seed::MODEL.step_output(id, &mut state).unwrap());
        }
        prop_assert_eq!(last, Some(whole));
        prop_assert_eq!(seed::MODEL.output(&state), Ok(whole));
    }

    #[test]
    fn a_bad_token_leaves_the_state_as_it_was(
        ids in prop::collection::vec(0..sentiment::VOCAB_SIZE, 0..20),
        bad in sentiment::VOCAB_SIZE..usize::MAX,
    ) {
        let mut state = sentiment::State::new();
        for &id in &ids {
            sentiment::MODEL.step(id, &mut state).unwrap();
        }
        let before = state;
        let e = sentiment::MODEL.step_output(bad, &mut state).unwrap_err();
        prop_assert_eq!(e, Error::TokenOutOfRange { id: bad, vocab_size: sentiment::VOCAB_SIZE });
        prop_assert_eq!(state, before);
    }

    #[test]
    fn any_finite_sample_gives_probabilities_or_an_error_that_keeps_the_state(
        samples in prop::collection::vec(sample(), 1..30),
    ) {
        let mut state = motion::State::new();
        for s in &samples {
            let before = state;
            match motion::MODEL.step_output(s, &mut state) {
                Ok(out) => assert_probabilities(out.values()),
                Err(Error::NonFinite { .. } | Error::Overflow) => prop_assert_eq!(state, before),
                Err(e) => prop_assert!(false, "{:?}: {}", s, e),
            }
            prop_assert!(state.is_finite());
        }
    }

    #[test]
    fn a_nan_anywhere_in_a_sample_leaves_the_state_as_it_was(
        prefix in prop::collection::vec(sample(), 0..10),
        mut bad in sample(),
        at in 0..motion::INPUTS,
    ) {
        let mut state = motion::State::new();
        for s in &prefix {
            let _ = motion::MODEL.step(s, &mut state);
        }
        bad[at] = f32::NAN;
        let before = state;
        prop_assert!(motion::MODEL.step(&bad, &mut state).is_err());
        prop_assert_eq!(state, before);
    }

    #[test]
    fn any_text_gives_probabilities_or_empty_input(text in any::<String>()) {
        let mut state = sentiment::State::new();
        match sentiment::MODEL.classify_text(&text, &mut state) {
            Ok(out) => assert_probabilities(out.values()),
            Err(e) => prop_assert_eq!(e, Error::EmptyInput),
        }
        // Streaming feeds exactly the tokens the tokenizer yields, without an error.
        let mut fed = sentiment::State::new();
        let n = sentiment::MODEL.feed_text(&text, &mut fed).unwrap();
        prop_assert_eq!(n, sentiment::MODEL.vocabulary().encode(&text).count());
    }
}
