//! The firmware that `tools/cost-card.sh` measures: one inference, then one more `step`, of one
//! shipped model, each between the markers `insn_region_start` and `insn_region_end` (so that
//! `COUNT=1 ./qemu-run.sh` counts their instructions), then a line with the sizes of the
//! work done, and a semihosting exit.
//!
//! ```text
//! TINYRNN_COST_MODEL=seed cargo run --release --target thumbv6m-none-eabi --bin mcu_cost
//! ```
//! The model is chosen at build time by `TINYRNN_COST_MODEL` (default: every model baked by
//! `build.rs` but the int8 variants, one after the other), so that the firmware holds that model only and its flash, RAM and stack
//! are that model's. The inference is, for a text model, `classify_text` of [`TEXT`]; for a
//! sensor model, `classify` of the first recorded series of `cases/series.rs` for
//! that model, or else of 100 samples of a fixed wave. Nothing is printed before the first
//! region ends, so the stack painted at reset holds the inference's peak there.
//!
//! The models that emit tokens are measured per token instead, each measurement a line
//! `tokens <model> what=… units=… steps=… macs_per_step=… first=K stride=S count=C` whose
//! instructions are those of the regions K, K+S, … (C of them): `melody` (1→N) generates
//! [`GENERATED`] tokens for the condition `jig` from the seed [`SEED`], one region per sampling
//! mode (greedy, top-5 at temperature 1, temperature 1); `g2p` (N→M) spells the words of
//! [`TEXT`], a region for `encode` of each word's letters (tokenizer included) and one for
//! its decoding (greedy, up to `</s>`, which costs a step and is not emitted).
//! The program avoids `core::fmt` (numbers are printed by hand) to keep the firmware small, so
//! it brings its own panic handler and does not link the `tinyrnn_firmware` library.
#![cfg_attr(target_os = "none", no_std, no_main)]

use core::hint::black_box;

use tinyrnn::{GenerativeModel, Rng, Sampling, Seq2SeqModel, StreamingModel, TextModel};

#[path = "../exit.rs"]
mod exit;
#[path = "../regions.rs"]
mod regions;
// The shipped models and their int8 variants; the int8 ones are measured only when selected by
// name (`TINYRNN_COST_MODEL=seed_int8`): the default, every model, is the `f32` ones.
#[path = "../shipped.rs"]
pub mod shipped;
use exit::finish;
use regions::{insn_region_end, insn_region_start};
use shipped::*; // the models, by name

// The models that emit tokens: build.rs bakes them for `mcu_generate` and `mcu_seq2seq`.
tinyrnn::include_model!(melody);
tinyrnn::include_model!(g2p);

/// The model to measure, from `TINYRNN_COST_MODEL` at build time; `None`: all of them.
const SELECTED: Option<&str> = option_env!("TINYRNN_COST_MODEL");

/// The sentence a text model classifies.
const TEXT: &str = "i am not happy with this movie and the plot was very bad";

/// Tokens `melody` generates per sampling mode (fewer if it draws its end token first).
const GENERATED: usize = 64;

/// The seed of `melody`'s generations (`mcu_generate`'s seed).
const SEED: u64 = 2026;

/// Steps of the fallback wave for sensor models without a recorded series.
const WAVE_STEPS: usize = 100;

/// `(model, expected label, samples)`: the series of `mcu_motion`, read at compile time only.
// Recorded sensor values: one that happens to be 0.318 is not an approximation of 1/π.
#[allow(clippy::approx_constant)]
const SERIES: &[(&str, &str, &[f32])] = include!("../../cases/series.rs");

/// A triangle wave in [-2, 2] with period 16: sample `t` of a model with `I` features is
/// `WAVE[t..t + I]`.
static WAVE: [f32; WAVE_STEPS + 64] = {
    let mut wave = [0.0; WAVE_STEPS + 64];
    let mut i = 0;
    while i < wave.len() {
        let phase = (i % 16) as f32;
        wave[i] = if phase < 8.0 {
            phase / 2.0 - 2.0
        } else {
            6.0 - phase / 2.0
        };
        i += 1;
    }
    wave
};

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn selected(name: &str) -> bool {
    match SELECTED {
        Some(s) => same(s, name),
        None => !is_int8(name),
    }
}

/// Whether `name` ends in `_int8`.
const fn is_int8(name: &str) -> bool {
    let (name, suffix) = (name.as_bytes(), b"_int8");
    if name.len() < suffix.len() {
        return false;
    }
    let mut i = 0;
    while i < suffix.len() {
        if name[name.len() - suffix.len() + i] != suffix[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The first recorded series for the model called `name`, if any.
const fn first_series(name: &str) -> Option<&'static [f32]> {
    let mut i = 0;
    while i < SERIES.len() {
        if same(SERIES[i].0, name) {
            return Some(SERIES[i].2);
        }
        i += 1;
    }
    None
}

/// Prints the cost line of the model module `$m` after `$steps` steps: the sizes the cost
/// card divides the instruction counts by.
macro_rules! report_model {
    ($m:ident, $steps:expr) => {{
        use crate::$m as m;
        report(
            stringify!($m),
            &[
                ("steps", $steps),
                ("inputs", m::INPUTS),
                ("hidden", m::HIDDEN),
                ("layers", m::LAYERS),
                ("weight_bytes", m::WEIGHT_BYTES),
                ("vocab_bytes", m::VOCAB_BYTES),
                ("macs_per_step", m::MACS_PER_STEP),
                ("head_macs", m::HEAD_MACS),
            ],
        );
    }};
}

/// Measures the selected models; false if an inference failed.
fn run() -> bool {
    let mut ok = true;
    macro_rules! text {
        ($m:ident) => {
            if const { selected(stringify!($m)) } {
                use crate::$m as m;
                ok &= measure_text(&m::MODEL);
                report_model!($m, m::MODEL.vocabulary().encode(TEXT).count());
            }
        };
    }
    macro_rules! sensor {
        ($m:ident) => {
            sensor!($m, stringify!($m))
        };
        // `$series`: the model whose recorded series it reads.
        ($m:ident, $series:expr) => {
            if const { selected(stringify!($m)) } {
                use crate::$m as m;
                const DATA: Option<&[f32]> = first_series($series);
                let samples = match DATA {
                    Some(series) => series,
                    None => WAVE.get(..WAVE_STEPS + m::INPUTS - 1).unwrap_or(&WAVE),
                };
                // A recorded series is read sample after sample, the wave through a sliding window.
                let stride = if DATA.is_some() { m::INPUTS } else { 1 };
                ok &= measure_sensor(&m::MODEL, samples, stride);
                report_model!($m, samples.len().saturating_sub(m::INPUTS) / stride + 1);
            }
        };
    }
    text!(seed);
    text!(sentiment);
    sensor!(motion);
    sensor!(vowels);
    sensor!(exercise);
    text!(seed_int8);
    text!(sentiment_int8);
    sensor!(motion_int8, "motion");
    sensor!(vowels_int8, "vowels");
    sensor!(exercise_int8, "exercise");
    if const { selected("melody") } {
        ok &= measure_generate();
    }
    if const { selected("g2p") } {
        ok &= measure_seq2seq();
    }
    ok
}

/// `melody`: one region per sampling mode, each generating up to [`GENERATED`] tokens for the
/// condition `jig` from [`SEED`] (condition, steps, head and draws included).
fn measure_generate() -> bool {
    let model = &melody::MODEL;
    let jig = black_box(
        melody::CONDITIONS
            .iter()
            .position(|&c| c == "jig")
            .unwrap_or(0),
    );
    let modes = [
        ("greedy", Sampling::Greedy),
        (
            "top5",
            Sampling::TopK {
                k: 5,
                temperature: 1.0,
            },
        ),
        ("temperature1", Sampling::Temperature(1.0)),
    ];
    let mut state = melody::State::new();
    let mut out = [0usize; GENERATED];
    let mut counts = [0usize; 3];
    let mut ok = true;
    for ((_, sampling), count) in modes.iter().zip(&mut counts) {
        let mut rng = Rng::new(black_box(SEED));
        insn_region_start();
        let n = model.generate(jig, *sampling, &mut rng, &mut state, &mut out);
        insn_region_end();
        ok &= n.is_ok();
        *count = black_box(n).unwrap_or(0);
    }
    for (region, ((what, _), count)) in modes.iter().zip(counts).enumerate() {
        // A run that stopped before the limit drew `</s>`: one more step, no token.
        let steps = if count < GENERATED { count + 1 } else { count };
        report_tokens(
            "melody",
            what,
            &[
                ("units", count),
                ("steps", steps),
                ("macs_per_step", melody::MACS_PER_STEP + melody::HEAD_MACS),
                ("weight_bytes", melody::WEIGHT_BYTES),
                ("first", region),
                ("stride", 1),
                ("count", 1),
            ],
        );
    }
    ok
}

/// `g2p`: for each word of [`TEXT`], a region encoding its letters and one decoding it.
fn measure_seq2seq() -> bool {
    let model = &g2p::MODEL;
    let mut state = g2p::State::new();
    let mut phonemes = [0usize; 24];
    let (mut words, mut letters, mut emitted) = (0, 0, 0);
    let mut ok = true;
    for word in black_box(TEXT).split(' ') {
        insn_region_start();
        let read = model.encode(model.vocabulary().encode(word), &mut state);
        insn_region_end();
        insn_region_start();
        let mut n = 0;
        for (slot, token) in phonemes.iter_mut().zip(model.decoder(&mut state)) {
            ok &= token.is_ok();
            *slot = token.unwrap_or(0);
            n += 1;
        }
        insn_region_end();
        black_box(&phonemes);
        ok &= read.is_ok();
        letters += read.unwrap_or(0);
        emitted += n;
        words += 1;
    }
    let bytes = g2p::WEIGHT_BYTES;
    report_tokens(
        "g2p",
        "encoder",
        &[
            ("units", letters),
            ("steps", letters),
            ("macs_per_step", g2p::MACS_PER_INPUT),
            ("weight_bytes", bytes),
            ("first", 0),
            ("stride", 2),
            ("count", words),
        ],
    );
    // `</s>` takes one more decoder step per word than the phonemes emitted.
    report_tokens(
        "g2p",
        "decoder",
        &[
            ("units", emitted),
            ("steps", emitted + words),
            ("macs_per_step", g2p::MACS_PER_OUTPUT),
            ("weight_bytes", bytes),
            ("first", 1),
            ("stride", 2),
            ("count", words),
        ],
    );
    ok
}

/// Region 0: `classify_text` of [`TEXT`]; region 1: one more `step`.
fn measure_text<M: TextModel + StreamingModel>(model: &M) -> bool {
    let mut state = M::State::default();
    let text = black_box(TEXT);
    insn_region_start();
    let out = model.classify_text(text, &mut state);
    insn_region_end();
    let id = black_box(model.vocabulary().len() - 1);
    insn_region_start();
    let step = model.step(id, &mut state);
    insn_region_end();
    black_box(&state);
    black_box(out).is_ok() && step.is_ok()
}

/// Region 0: `classify` of the samples (each `F` values, `stride` apart); region 1: one more `step`.
fn measure_sensor<M, const F: usize>(model: &M, samples: &'static [f32], stride: usize) -> bool
where
    M: for<'a> StreamingModel<Input<'a> = &'a [f32; F]>,
{
    let mut state = M::State::default();
    let samples = black_box(samples);
    let windows = samples
        .windows(F)
        .step_by(stride)
        .filter_map(|w| <&[f32; F]>::try_from(w).ok());
    insn_region_start();
    let out = model.classify(windows, &mut state);
    insn_region_end();
    let mut ok = false;
    if let Some(first) = samples.get(..F).and_then(|s| <&[f32; F]>::try_from(s).ok()) {
        insn_region_start();
        ok = model.step(first, &mut state).is_ok();
        insn_region_end();
    }
    black_box(&state);
    black_box(out).is_ok() && ok
}

/// Prints `tokens <model> what=<what> key=value ...` without `core::fmt`.
fn report_tokens(model: &str, what: &str, values: &[(&str, usize)]) {
    let head = [b"tokens ", model.as_bytes(), b" what=", what.as_bytes()];
    report_line(&head, values);
}

/// Prints `cost <model> key=value ...` without `core::fmt`.
fn report(model: &str, values: &[(&str, usize)]) {
    report_line(&[b"cost ", model.as_bytes()], values);
}

/// Prints the pieces of `head`, then ` key=value` for each of `values`, and a newline.
fn report_line(head: &[&[u8]], values: &[(&str, usize)]) {
    let mut line = Line::default();
    for piece in head {
        line.push(piece);
    }
    for (key, value) in values {
        line.push(b" ");
        line.push(key.as_bytes());
        line.push(b"=");
        let mut digits = [0u8; 20];
        let mut n = *value;
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 || i == 0 {
                break;
            }
        }
        line.push(digits.get(i..).unwrap_or_default());
    }
    line.push(b"\n");
    write_out(line.as_bytes());
}

/// A line being assembled, cut at 160 bytes.
struct Line {
    buf: [u8; 160],
    len: usize,
}

impl Default for Line {
    fn default() -> Self {
        Line {
            buf: [0; 160],
            len: 0,
        }
    }
}

impl Line {
    fn push(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
    }

    fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

#[cfg(target_os = "none")]
fn write_out(bytes: &[u8]) {
    if let Ok(mut out) = cortex_m_semihosting::hio::hstdout() {
        let _ = out.write_all(bytes);
    }
}

#[cfg(not(target_os = "none"))]
fn write_out(bytes: &[u8]) {
    use std::io::Write;
    let _ = std::io::stdout().write_all(bytes);
}

#[cfg(target_os = "none")]
use cortex_m as _; // critical-section implementation

/// Fails the run without `core::fmt` (a message would pull it into the measured firmware).
#[cfg(target_os = "none")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    write_out(b"panic\n");
    finish(false)
}

#[cfg_attr(target_os = "none", cortex_m_rt::entry)]
fn main() -> ! {
    finish(run())
}
