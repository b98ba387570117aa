//! Every int8 shipped model against its `f32` model, step by step, on every test example of its
//! test split: the largest deviation of the hidden state (every layer, every unit, every step)
//! and of the outputs (after the activation, every step), the agreement of the final labels,
//! and both accuracies. `cargo test --test int8 -- --nocapture` prints the table
//! (docs/quantization.md records it).

#[path = "../examples/host/mod.rs"]
mod host;

use tinyrnn::prelude::*;

#[derive(Debug, Default)]
struct Report {
    examples: usize,
    steps: usize,
    max_hidden: f32,
    max_output: f32,
    agree: usize,
    f32_correct: usize,
    int8_correct: usize,
}

impl Report {
    fn print(&self, name: &str) {
        let pct = |k: usize| 100.0 * k as f64 / self.examples as f64;
        println!(
            "{name:9} {:4} examples {:6} steps  max|Δh| {:.5}  max|Δout| {:.5}  labels agree \
             {:.2} %  accuracy f32 {:.2} % ({}/{}), int8 {:.2} % ({}/{})",
            self.examples,
            self.steps,
            self.max_hidden,
            self.max_output,
            pct(self.agree),
            pct(self.f32_correct),
            self.f32_correct,
            self.examples,
            pct(self.int8_correct),
            self.int8_correct,
            self.examples,
        );
    }

    fn check(&self, name: &str, max_hidden: f32, min_agree: f64) {
        self.print(name);
        assert!(self.examples > 0, "{name}: no example");
        assert!(
            self.max_hidden <= max_hidden,
            "{name}: max|Δh| {}",
            self.max_hidden
        );
        let agree = self.agree as f64 / self.examples as f64;
        assert!(agree >= min_agree, "{name}: labels agree on {agree}");
    }
}

/// Runs one example through both models, step by step, from the zero state.
macro_rules! compare {
    ($report:expr, $f:ident, $q:ident, $items:expr, $truth:expr) => {{
        use tinyrnn::models::{$f as f, $q as q};
        let report: &mut Report = $report;
        let mut fs = f::State::new();
        let mut qs = q::State::new();
        let mut last = None;
        for item in $items {
            let fo = f::MODEL.step_output(item, &mut fs).unwrap();
            let qo = q::MODEL.step_output(item, &mut qs).unwrap();
            for (fl, ql) in fs.layers().zip(qs.layers()) {
                for (a, &b) in fl[0].iter().zip(ql) {
                    let d = (a - b as f32 / 32768.0).abs();
                    report.max_hidden = report.max_hidden.max(d);
                }
            }
            for (a, b) in fo.values().iter().zip(qo.values()) {
                report.max_output = report.max_output.max((a - b).abs());
            }
            report.steps += 1;
            last = Some((fo.best(), qo.best()));
        }
        if let Some((fb, qb)) = last {
            report.examples += 1;
            report.agree += usize::from(fb == qb);
            report.f32_correct += usize::from(Some(fb) == $truth);
            report.int8_correct += usize::from(Some(qb) == $truth);
        }
    }};
}

fn data(file: &str) -> String {
    format!("{}/data/{file}", env!("CARGO_MANIFEST_DIR"))
}

macro_rules! text_pair {
    ($f:ident, $q:ident, $file:expr, $max_hidden:expr, $min_agree:expr) => {{
        use tinyrnn::models::$f as f;
        let mut report = Report::default();
        for ex in host::read_tsv(&data($file)).unwrap() {
            let ids: Vec<usize> = f::MODEL.vocabulary().encode(&ex.input).collect();
            let truth = host::label_index(&f::LABELS, &ex.label);
            compare!(&mut report, $f, $q, ids.iter().copied(), truth);
        }
        report.check(stringify!($q), $max_hidden, $min_agree);
        report
    }};
}

macro_rules! sensor_pair {
    ($f:ident, $q:ident, $file:expr, $max_hidden:expr, $min_agree:expr) => {{
        use tinyrnn::models::$f as f;
        let mut report = Report::default();
        for ex in host::read_ts(&data($file)).unwrap() {
            let samples: Vec<[f32; f::INPUTS]> = ex
                .input
                .iter()
                .map(|s| s.as_slice().try_into().unwrap())
                .collect();
            let truth = host::label_index(&f::LABELS, &ex.label);
            compare!(&mut report, $f, $q, samples.iter(), truth);
        }
        report.check(stringify!($q), $max_hidden, $min_agree);
        report
    }};
}

#[test]
fn seed_int8_follows_seed() {
    let r = text_pair!(seed, seed_int8, "sentiment/seed_test.tsv", 0.05, 1.0);
    assert_eq!(r.int8_correct, r.f32_correct);
}

#[test]
fn sentiment_int8_follows_sentiment() {
    let r = text_pair!(
        sentiment,
        sentiment_int8,
        "sentiment/uci_test.tsv",
        0.1,
        0.97
    );
    assert!(r.int8_correct + 3 >= r.f32_correct, "{r:?}");
}

#[test]
fn motion_int8_follows_motion() {
    let r = sensor_pair!(motion, motion_int8, "sensor/BasicMotions_TEST.ts", 0.3, 1.0);
    assert_eq!(r.int8_correct, r.f32_correct);
}

#[test]
fn vowels_int8_follows_vowels() {
    let r = sensor_pair!(
        vowels,
        vowels_int8,
        "sensor/JapaneseVowels_TEST.ts",
        0.15,
        0.97
    );
    assert!(r.int8_correct + 4 >= r.f32_correct, "{r:?}");
}

/// The int8 models fail on bad input exactly as the `f32` models do, state untouched.
#[test]
fn bad_input_is_refused_like_f32() {
    use tinyrnn::models::{motion, motion_int8, seed, seed_int8};
    let mut fs = seed::State::new();
    let mut qs = seed_int8::State::new();
    let id = seed::VOCAB_SIZE + 3;
    assert_eq!(
        seed::MODEL.step(id, &mut fs),
        seed_int8::MODEL.step(id, &mut qs)
    );
    assert_eq!(qs, seed_int8::State::new());
    assert_eq!(
        seed::MODEL.classify_text("?!", &mut fs),
        seed_int8::MODEL.classify_text("?!", &mut qs)
    );
    let empty: [usize; 0] = [];
    assert_eq!(
        Model::classify(&seed_int8::MODEL, empty, &mut qs),
        Err(tinyrnn::Error::EmptyInput)
    );
    let mut fs = motion::State::new();
    let mut qs = motion_int8::State::new();
    motion_int8::MODEL.step(&[0.5; 6], &mut qs).unwrap();
    let before = qs;
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let mut sample = [0.0f32; 6];
        sample[4] = bad;
        assert_eq!(
            motion::MODEL.step(&sample, &mut fs),
            motion_int8::MODEL.step(&sample, &mut qs)
        );
        assert_eq!(qs, before);
    }
}

/// Samples far outside the training range saturate (±8 std) instead of failing, and the state
/// stays within its bounds.
#[test]
fn extreme_samples_saturate() {
    use tinyrnn::models::motion_int8 as q;
    let mut state = q::State::new();
    for x in [f32::MAX, -f32::MAX, 1e30, -1e-30, 0.0] {
        for _ in 0..20 {
            q::MODEL.step(&[x; q::INPUTS], &mut state).unwrap();
        }
        let out = q::MODEL.output(&state).unwrap();
        assert!(out.values().iter().all(|v| v.is_finite()));
    }
    // Saturated at 8 std: any sample beyond gives the same step.
    let (mut a, mut b) = (q::State::new(), q::State::new());
    q::MODEL.step(&[1e6; q::INPUTS], &mut a).unwrap();
    q::MODEL.step(&[f32::MAX; q::INPUTS], &mut b).unwrap();
    assert_eq!(a, b);
}

/// The int8 models are a fraction of the `f32` models' flash.
#[test]
fn int8_weights_are_under_a_third() {
    use tinyrnn::models::*;
    for (name, f, q) in [
        ("seed", seed::WEIGHT_BYTES, seed_int8::WEIGHT_BYTES),
        (
            "sentiment",
            sentiment::WEIGHT_BYTES,
            sentiment_int8::WEIGHT_BYTES,
        ),
        ("motion", motion::WEIGHT_BYTES, motion_int8::WEIGHT_BYTES),
        ("vowels", vowels::WEIGHT_BYTES, vowels_int8::WEIGHT_BYTES),
    ] {
        println!(
            "{name:9} weights f32 {f:6} B, int8 {q:6} B ({:.1} %)",
            100.0 * q as f64 / f as f64
        );
        assert!(3 * q < f + f / 10, "{name}: {q} of {f}");
    }
    assert_eq!(
        Model::weight_bytes(&sentiment_int8::MODEL),
        sentiment_int8::WEIGHT_BYTES
    );
}
