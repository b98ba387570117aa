//! Classifies a fixed list of sentences with the int8 variants of the `seed` and `sentiment`
//! models, on a Cortex-M core under QEMU or on the host, and prints one line per sentence:
//! `model<TAB>label<TAB>probability<TAB>text`.
//!
//! ```text
//! cargo run --release --target thumbv7em-none-eabihf --bin mcu_sentiment   # M4F under QEMU
//! cargo run --release --bin mcu_sentiment                                  # the same on the host
//! ```
//! The sentences are in `cases/sentences.rs`: the `seed` model's 20 test sentences
//! (`data/sentiment/seed_test.tsv`) and the first test sentences of
//! `data/sentiment/uci_test.tsv` for `sentiment`. The program fails only if a sentence cannot
//! be classified; that the labels are the expected ones is checked on the host by
//! `tests/cases.rs`, and under QEMU by `tools/compare-host-qemu.sh` (same labels as the host).
//!
//! Both models are the int8 variants (`sentiment_int8`: 27 % of `sentiment`'s model data, 4-bit
//! embedding rows, 253 of the 300 test sentences right against 254) on every core, so that the
//! host and all four cores print the same values and the M0 build fits in half of the
//! micro:bit's 256 KB of flash (110,012 B; 92,340 B with `--features ascii-tokenizer`;
//! `tools/check-m0-size.sh`).
#![cfg_attr(target_os = "none", no_std, no_main)]

use tinyrnn::{Prediction, TextModel};
use tinyrnn_firmware::{cases, finish, say};

// Baked by build.rs: `tinyrnn_build::bake("../models/<name>.safetensors")`.
tinyrnn::include_model!(seed_int8);
tinyrnn::include_model!(sentiment_int8);

/// Classifies the sentences recorded for the model called `name`; false if one failed.
fn classify_sentences<M: TextModel>(name: &str, model: &M) -> bool {
    let mut state = M::State::default();
    let mut ok = true;
    for (_, text) in cases::sentences(name) {
        match model.classify_text(text, &mut state) {
            Ok(out) => say!("{}\t{}\t{}\t{}", name, out.label(), out.score(), text),
            Err(_) => {
                say!("{}\t(error)\t-\t{}", name, text);
                ok = false;
            }
        }
    }
    ok
}

#[cfg_attr(target_os = "none", cortex_m_rt::entry)]
fn main() -> ! {
    let seed = classify_sentences("seed", &seed_int8::MODEL);
    let sentiment = classify_sentences("sentiment", &sentiment_int8::MODEL);
    finish(seed && sentiment)
}
