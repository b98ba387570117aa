//! One-to-many generation on the microcontroller: the shipped `melody` model generates the
//! first strain of a tune for each dance type (reel, jig, hornpipe, slip jig), from a fixed
//! seed, with top-5 sampling; it prints one line per tune, `melody<TAB>type<TAB>tokens` (a
//! token is `p<semitones from the tonic>_d<sixteenths>`, `r_d<n>` a rest), and exits with
//! success only if every line equals the host's, recorded in `cases/melody-generated.tsv`.
//!
//! `tools/compare-host-qemu.sh mcu_generate` runs it on the host and under QEMU on the four
//! cores: the same seed gives the same tokens bit for bit everywhere (`tinyrnn::generate`).
//! After retraining the model, record the host's lines anew (from firmware/):
//! `TINYRNN_RECORD=1 cargo run --release --bin mcu_generate > cases/melody-generated.tsv`.
#![cfg_attr(target_os = "none", no_std, no_main)]

use tinyrnn::{GenerativeModel, Rng, Sampling, TextModel};
use tinyrnn_firmware::finish;
use tinyrnn_firmware::transcript::Transcript;

// build.rs: `tinyrnn_build::bake("../models/melody.safetensors");`
tinyrnn::include_model!(melody);

/// The host's lines, one per condition.
const EXPECTED: &str = include_str!("../../cases/melody-generated.tsv");

/// The longest tune generated, in tokens.
const LIMIT: usize = 64;

/// The seed of condition `k`'s tune is `SEED + k`.
const SEED: u64 = 2026;

#[cfg_attr(target_os = "none", cortex_m_rt::entry)]
fn main() -> ! {
    let mut state = melody::State::new();
    let mut tokens = [0usize; LIMIT];
    // Checked against the host's lines (recorded instead on the host: see the module docs).
    let mut transcript = Transcript::new(EXPECTED);
    let sampling = Sampling::TopK {
        k: 5,
        temperature: 1.0,
    };
    let vocab = melody::MODEL.vocabulary();
    for (class, name) in melody::CONDITIONS.iter().enumerate() {
        let mut rng = Rng::new(SEED + class as u64);
        let Ok(n) = melody::MODEL.generate(class, sampling, &mut rng, &mut state, &mut tokens)
        else {
            finish(false)
        };
        let ids = tokens.get(..n).unwrap_or(&[]);
        transcript.tokens::<1024>("melody", name, ids, |id| vocab.word(id));
    }
    transcript.finish()
}
