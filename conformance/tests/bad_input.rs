//! Bad input gets a clear error, never a panic, and loses nothing: the state is left as it was.

use tinyrnn::prelude::*;
use tinyrnn::Error;
use tinyrnn_conformance::{
    gru_2l_one_hot as one_hot, lstm_2l_dense as dense, rnn_1l_embedding as emb,
};

#[test]
fn token_out_of_range_is_an_error_and_keeps_the_state() {
    let mut state = emb::State::new();
    emb::MODEL.step(3, &mut state).unwrap();
    let before = state;
    let e = emb::MODEL.step(emb::VOCAB_SIZE, &mut state).unwrap_err();
    assert_eq!(
        e,
        Error::TokenOutOfRange {
            id: 20,
            vocab_size: 20
        }
    );
    assert_eq!(state, before);
    let e = one_hot::MODEL
        .step(usize::MAX, &mut one_hot::State::new())
        .unwrap_err();
    assert_eq!(
        e,
        Error::TokenOutOfRange {
            id: usize::MAX,
            vocab_size: 20
        }
    );
    assert!(emb::MODEL.classify([1, 2, 99], &mut state).is_err());
}

#[test]
fn non_finite_samples_are_errors_and_keep_the_state() {
    let mut state = dense::State::new();
    dense::MODEL
        .step(&[0.1, 0.2, 0.3, 0.4], &mut state)
        .unwrap();
    let before = state;
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let e = dense::MODEL
            .step(&[0.0, 0.0, bad, 0.0], &mut state)
            .unwrap_err();
        assert_eq!(e, Error::NonFinite { feature: 2 });
        assert_eq!(state, before);
    }
    assert_eq!(
        e_of(dense::MODEL.classify([&[f32::NAN; 4]], &mut state)),
        Error::NonFinite { feature: 0 }
    );
}

fn e_of<T: std::fmt::Debug>(r: Result<T, Error>) -> Error {
    r.unwrap_err()
}

#[test]
fn empty_input_is_an_error() {
    let mut state = emb::State::new();
    assert_eq!(e_of(emb::MODEL.classify([], &mut state)), Error::EmptyInput);
    for text in ["", "   ", "!!! ... ---", "\u{0}\u{7}", "😀 🎉"] {
        assert_eq!(
            e_of(emb::MODEL.classify_text(text, &mut state)),
            Error::EmptyInput,
            "{text:?}"
        );
    }
    let no_samples: [&[f32; 4]; 0] = [];
    assert_eq!(
        e_of(dense::MODEL.classify(no_samples, &mut dense::State::new())),
        Error::EmptyInput
    );
}

#[test]
fn unknown_words_map_to_the_unknown_id() {
    let vocab = emb::MODEL.vocabulary();
    let ids: Vec<usize> = vocab.encode("The ZEBRAS, quantum flux!").collect();
    assert_eq!(ids, [vocab.id("the"), 1, 1, 1]);
    let mut state = emb::State::new();
    let unknown_only = emb::MODEL
        .classify_text("zebras quantum flux", &mut state)
        .unwrap();
    let unk_ids = emb::MODEL.classify([1, 1, 1], &mut state).unwrap();
    assert_eq!(unknown_only, unk_ids);
}

#[test]
fn odd_and_long_inputs_stay_finite() {
    let mut state = emb::State::new();
    let long_text = "the movie was not good and really boring ".repeat(20_000);
    let out = emb::MODEL.classify_text(&long_text, &mut state).unwrap();
    assert!(out.values().iter().all(|v| v.is_finite()));
    let odd = "\u{feff}ÉCOLE\u{0}isn't\r\n\t'''good'''  \u{202e}bad\u{ffff} 10/10";
    assert!(emb::MODEL.classify_text(odd, &mut state).is_ok());

    let mut state = dense::State::new();
    let extreme = [1e30, -1e30, 1e30, -1e-30];
    let out = dense::MODEL
        .classify(std::iter::repeat_n(&extreme, 50_000), &mut state)
        .unwrap();
    assert!(
        out.values().iter().all(|v| v.is_finite()),
        "{:?}",
        out.values()
    );
}

#[test]
fn streaming_can_continue_a_sequence_across_calls() {
    let mut whole = emb::State::new();
    let expected = emb::MODEL
        .classify_text("i liked the plot and it was fun", &mut whole)
        .unwrap();
    let mut state = emb::State::new();
    assert_eq!(emb::MODEL.feed_text("i liked the plot", &mut state), Ok(4));
    assert_eq!(emb::MODEL.feed_text(" and it was fun", &mut state), Ok(4));
    assert_eq!(emb::MODEL.output(&state), Ok(expected));
    assert_eq!(state, whole);
}
