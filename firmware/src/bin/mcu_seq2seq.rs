//! Sequence to sequence (N→M) on the microcontroller: the shipped `g2p` model spells words as
//! phonemes (grapheme to phoneme, CMUdict's ARPAbet without stress). The encoder reads a word's
//! letters, the decoder emits phonemes until its end token (greedy, at most `LIMIT`). It prints
//! one line per word, `g2p<TAB>word<TAB>phonemes`, and exits with success only if every line
//! equals the host's, recorded in `cases/g2p-decoded.tsv`.
//!
//! `tools/compare-host-qemu.sh mcu_seq2seq` runs it on the host and under QEMU on the four
//! cores. After retraining the model, record the host's lines anew (from firmware/):
//! `TINYRNN_RECORD=1 cargo run --release --bin mcu_seq2seq > cases/g2p-decoded.tsv`.
#![cfg_attr(target_os = "none", no_std, no_main)]

use tinyrnn::Seq2SeqModel;
use tinyrnn_firmware::finish;
use tinyrnn_firmware::transcript::Transcript;

// build.rs: `tinyrnn_build::bake("../models/g2p.safetensors");`
tinyrnn::include_model!(g2p);

/// The host's lines, one per word.
const EXPECTED: &str = include_str!("../../cases/g2p-decoded.tsv");

/// The longest pronunciation decoded, in phonemes.
const LIMIT: usize = 24;

/// Words spelled: a few everyday ones (only `cat` and `tiny` are training words), then
/// held-out words of `data/g2p/test.tsv` (never seen in training).
const WORDS: [&str; 12] = [
    "robot",
    "cat",
    "zoo",
    "tiny",
    "speech",
    "voice",
    "abdicates",
    "blushed",
    "corruptly",
    "equators",
    "kellwood",
    "mayner",
];

#[cfg_attr(target_os = "none", cortex_m_rt::entry)]
fn main() -> ! {
    let mut state = g2p::State::new();
    let mut phonemes = [0usize; LIMIT];
    // Checked against the host's lines (recorded instead on the host: see the module docs).
    let mut transcript = Transcript::new(EXPECTED);
    let targets = g2p::MODEL.targets();
    for word in WORDS {
        let Ok(n) = g2p::MODEL.translate_text(word, &mut state, &mut phonemes) else {
            finish(false)
        };
        let ids = phonemes.get(..n).unwrap_or(&[]);
        transcript.tokens::<256>("g2p", word, ids, |id| targets.word(id));
    }
    transcript.finish()
}
