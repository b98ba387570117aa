//! One-to-many generation on the microcontroller: the shipped `melody` model generates the
//! first strain of a tune for each dance type (reel, jig, hornpipe, slip jig), from a fixed
//! seed, with top-5 sampling; it prints one line per tune, `melody<TAB>type<TAB>tokens` (a
//! token is `p<semitones from the tonic>_d<sixteenths>`, `r_d<n>` a rest), and exits with
//! success only if every line equals the host's, recorded in `cases/melody-generated.tsv`.
//!
//! After each tune's line it plays the tune on a buzzer (`tinyrnn_firmware::buzzer`: a PWM pin
//! and a delay; tonic D4, 125 ms a sixteenth): here a [`Recorder`] that writes down what the pin
//! and the delay are asked to do, printed as
//! `buzzer<TAB>type<TAB>notes, rests, skipped, milliseconds<TAB>D5:240+10 …` (each note with its
//! milliseconds on + milliseconds of gap; `rest:<ms>`). It fails if the recorder did not sound
//! every note the player played, for the player's length; `compare-host-qemu.sh` checks these
//! lines against the host's. On a board, give [`Player::new`] the buzzer's PWM pin (with
//! `buzzer::Tone` for its timer) and a delay.
//!
//! `tools/compare-host-qemu.sh mcu_generate` runs it on the host and under QEMU on the four
//! cores: the same seed gives the same tokens bit for bit everywhere (`tinyrnn::generate`).
//! After retraining the model, record the host's lines anew (from firmware/):
//! `TINYRNN_RECORD=1 cargo run --release --bin mcu_generate | grep '^melody' > cases/melody-generated.tsv`.
#![cfg_attr(target_os = "none", no_std, no_main)]

use tinyrnn::{GenerativeModel, Rng, Sampling, TextModel};
use tinyrnn_firmware::buzzer::{Player, Recorder};
use tinyrnn_firmware::transcript::Transcript;
use tinyrnn_firmware::{finish, say};

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
        if !play(name, ids.iter().map(|&id| vocab.word(id).unwrap_or("?"))) {
            finish(false)
        }
    }
    transcript.finish()
}

/// Plays `tokens` on the recording buzzer and prints what it did; false if the recorder and the
/// player disagree.
fn play<'t>(name: &str, tokens: impl Iterator<Item = &'t str>) -> bool {
    let recorder = Recorder::<1024>::new();
    let Ok(played) = Player::new(recorder.pin(), recorder.delay()).play(tokens);
    // Plain `{}` only: the same text through core::fmt and defmt (lib.rs).
    say!(
        "buzzer\t{}\t{} notes, {} rests, {} skipped, {} ms\t{}",
        name,
        played.notes,
        played.rests,
        played.skipped,
        played.micros / 1000,
        recorder.line().as_str()
    );
    recorder.notes() == played.notes && recorder.micros() == played.micros
}
