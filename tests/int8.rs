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
    /// Sum and count of `|Δh|` over every unit and step, for the mean.
    sum_hidden: f64,
    hidden_values: usize,
    max_output: f32,
    agree: usize,
    f32_correct: usize,
    int8_correct: usize,
}

impl Report {
    fn print(&self, name: &str) {
        let pct = |k: usize| 100.0 * k as f64 / self.examples as f64;
        println!(
            "{name:9} {:4} examples {:6} steps  max|Δh| {:.5}  mean|Δh| {:.5}  max|Δout| {:.5}  \
             labels agree {:.2} %  accuracy f32 {:.2} % ({}/{}), int8 {:.2} % ({}/{})",
            self.examples,
            self.steps,
            self.max_hidden,
            self.mean_hidden(),
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

    fn mean_hidden(&self) -> f64 {
        self.sum_hidden / self.hidden_values.max(1) as f64
    }

    fn check(&self, expect: Expect) {
        let name = expect.name;
        self.print(name);
        assert!(self.examples > 0, "{name}: no example");
        assert!(
            self.max_hidden <= expect.max_hidden,
            "{name}: max|Δh| {}",
            self.max_hidden
        );
        assert!(
            self.mean_hidden() <= expect.mean_hidden,
            "{name}: mean|Δh| {}",
            self.mean_hidden()
        );
        let agree = self.agree as f64 / self.examples as f64;
        assert!(agree >= expect.min_agree, "{name}: labels agree on {agree}");
        match expect.correct {
            Correct::Same => assert_eq!(self.int8_correct, self.f32_correct, "{name}"),
            Correct::AtMostFewer(k) => {
                assert!(
                    self.int8_correct + k >= self.f32_correct,
                    "{name}: {self:?}"
                )
            }
        }
    }
}

/// The hidden states `h` of every layer as `f32` values: an `f32` state as it is, an int8 one
/// from Q15.
trait Hidden {
    fn hidden_values(&self) -> impl Iterator<Item = f32> + '_;
}

impl<const H: usize, const S: usize, const U: usize> Hidden for tinyrnn::State<H, S, U> {
    fn hidden_values(&self) -> impl Iterator<Item = f32> + '_ {
        self.layers().flat_map(|l| l[0])
    }
}

impl<T, R: Hidden> Hidden for tinyrnn::ConvState<T, R> {
    fn hidden_values(&self) -> impl Iterator<Item = f32> + '_ {
        self.recurrent().hidden_values()
    }
}

impl<const H: usize, const L: usize, const M: usize> Hidden for tinyrnn::quant::QState<H, L, M> {
    fn hidden_values(&self) -> impl Iterator<Item = f32> + '_ {
        self.layers().flatten().map(|&h| h as f32 / 32768.0)
    }
}

/// The int8 model `name` against its `f32` model on the test split: the largest `|Δh|`, the
/// largest mean `|Δh|`, the least share of agreeing labels, and how many examples it gets right.
struct Expect {
    name: &'static str,
    max_hidden: f32,
    mean_hidden: f64,
    min_agree: f64,
    correct: Correct,
}

/// How many test examples the int8 model gets right, against the `f32` model.
enum Correct {
    Same,
    AtMostFewer(usize),
}

impl Report {
    /// Runs one example through both models, step by step, from the zero state.
    fn compare<'a, F, Q>(&mut self, f: &F, q: &Q, items: &[F::Input<'a>], truth: Option<usize>)
    where
        F: StreamingModel<Output: Prediction, State: Hidden>,
        Q: StreamingModel<Input<'a> = F::Input<'a>, Output: Prediction, State: Hidden>,
    {
        let (mut fs, mut qs) = (F::State::default(), Q::State::default());
        let mut last = None;
        for &item in items {
            let fo = f.step_output(item, &mut fs).unwrap();
            let qo = q.step_output(item, &mut qs).unwrap();
            for (a, b) in fs.hidden_values().zip(qs.hidden_values()) {
                self.max_hidden = self.max_hidden.max((a - b).abs());
                self.sum_hidden += f64::from((a - b).abs());
                self.hidden_values += 1;
            }
            for (a, b) in fo.values().iter().zip(qo.values()) {
                self.max_output = self.max_output.max((a - b).abs());
            }
            self.steps += 1;
            last = Some((fo.best(), qo.best()));
        }
        if let Some((fb, qb)) = last {
            self.examples += 1;
            self.agree += usize::from(fb == qb);
            self.f32_correct += usize::from(Some(fb) == truth);
            self.int8_correct += usize::from(Some(qb) == truth);
        }
    }
}

fn data(file: &str) -> String {
    format!("{}/data/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// A text model `f` and its int8 variant `q` on the sentences of `file`.
fn text_pair<F, Q>(f: &F, q: &Q, file: &str, expect: Expect)
where
    F: TextModel + StreamingModel<Output: Prediction, State: Hidden>,
    Q: TextModel + StreamingModel<Output: Prediction, State: Hidden>,
{
    let mut report = Report::default();
    for ex in host::read_tsv(&data(file)).unwrap() {
        let ids: Vec<usize> = f.vocabulary().encode(&ex.input).collect();
        let truth = host::label_index(f.labels(), &ex.label);
        report.compare(f, q, &ids, truth);
    }
    report.check(expect);
}

/// A sensor model `f` and its int8 variant `q` on the series of `file`.
fn sensor_pair<F, Q, const I: usize>(f: &F, q: &Q, file: &str, expect: Expect)
where
    F: for<'a> StreamingModel<Input<'a> = &'a [f32; I], Output: Prediction, State: Hidden>,
    Q: for<'a> StreamingModel<Input<'a> = &'a [f32; I], Output: Prediction, State: Hidden>,
{
    let series = host::read_ts(&data(file)).unwrap();
    let mut report = Report::default();
    for ex in &series {
        let samples: Vec<&[f32; I]> = ex
            .input
            .iter()
            .map(|s| s.as_slice().try_into().unwrap())
            .collect();
        let truth = host::label_index(f.labels(), &ex.label);
        report.compare(f, q, &samples, truth);
    }
    report.check(expect);
}

/// Every shipped int8 model against its `f32` model: seed and motion get the same examples
/// right, sentiment, vowels and exercise at most 1, 4 and 3 fewer (sentiment: issue 9 allows 0.5
/// points of its 300 test sentences).
#[test]
fn int8_follows_f32() {
    use tinyrnn::models::*;
    use Correct::{AtMostFewer, Same};
    let expect = |name, (max_hidden, mean_hidden), min_agree, correct| Expect {
        name,
        max_hidden,
        mean_hidden,
        min_agree,
        correct,
    };
    let (seed, sentiment) = ("sentiment/seed_test.tsv", "sentiment/uci_test.tsv");
    let (motion, vowels) = (
        "sensor/BasicMotions_TEST.ts",
        "sensor/JapaneseVowels_TEST.ts",
    );
    let seed_bounds = expect("seed_int8", (0.05, 0.005), 1.0, Same);
    text_pair(&seed::MODEL, &seed_int8::MODEL, seed, seed_bounds);
    // 4-bit embedding rows (Quantize::Int8Embedding4): a hidden unit near its tipping point
    // can swing to the other side for a few steps (max|Δh| 1.91 with E=12), so the largest
    // |Δh| is not bounded (2 is its range); the mean |Δh| (0.029) is, and the outputs and
    // labels follow the f32 model (docs/quantization.md).
    let sentiment_bounds = expect("sentiment_int8", (2.0, 0.04), 0.99, AtMostFewer(1));
    text_pair(
        &sentiment::MODEL,
        &sentiment_int8::MODEL,
        sentiment,
        sentiment_bounds,
    );
    let motion_bounds = expect("motion_int8", (0.3, 0.003), 1.0, Same);
    sensor_pair(&motion::MODEL, &motion_int8::MODEL, motion, motion_bounds);
    let vowels_bounds = expect("vowels_int8", (0.15, 0.005), 0.97, AtMostFewer(4));
    sensor_pair(&vowels::MODEL, &vowels_int8::MODEL, vowels, vowels_bounds);
    let exercise_bounds = expect("exercise_int8", (0.15, 0.005), 0.98, AtMostFewer(3));
    let exercises = "sensor/Watch_TEST.ts";
    sensor_pair(
        &exercise::MODEL,
        &exercise_int8::MODEL,
        exercises,
        exercise_bounds,
    );
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

/// The int8 models are a fraction of the `f32` models' flash: issue 9's target, model data
/// (weights, vocabulary and labels, as `evaluate` prints it) at most 30 % of the `f32` model's.
#[test]
fn int8_model_data_is_at_most_30_percent() {
    use tinyrnn::models::*;
    // Each module's WEIGHT_BYTES, VOCAB_BYTES and LABEL_BYTES.
    for (name, f, q) in [
        (
            "seed",
            [seed::WEIGHT_BYTES, seed::VOCAB_BYTES, seed::LABEL_BYTES],
            [
                seed_int8::WEIGHT_BYTES,
                seed_int8::VOCAB_BYTES,
                seed_int8::LABEL_BYTES,
            ],
        ),
        (
            "sentiment",
            [
                sentiment::WEIGHT_BYTES,
                sentiment::VOCAB_BYTES,
                sentiment::LABEL_BYTES,
            ],
            [
                sentiment_int8::WEIGHT_BYTES,
                sentiment_int8::VOCAB_BYTES,
                sentiment_int8::LABEL_BYTES,
            ],
        ),
        (
            "motion",
            [
                motion::WEIGHT_BYTES,
                motion::VOCAB_BYTES,
                motion::LABEL_BYTES,
            ],
            [
                motion_int8::WEIGHT_BYTES,
                motion_int8::VOCAB_BYTES,
                motion_int8::LABEL_BYTES,
            ],
        ),
        (
            "vowels",
            [
                vowels::WEIGHT_BYTES,
                vowels::VOCAB_BYTES,
                vowels::LABEL_BYTES,
            ],
            [
                vowels_int8::WEIGHT_BYTES,
                vowels_int8::VOCAB_BYTES,
                vowels_int8::LABEL_BYTES,
            ],
        ),
        (
            "exercise",
            [
                exercise::WEIGHT_BYTES,
                exercise::VOCAB_BYTES,
                exercise::LABEL_BYTES,
            ],
            [
                exercise_int8::WEIGHT_BYTES,
                exercise_int8::VOCAB_BYTES,
                exercise_int8::LABEL_BYTES,
            ],
        ),
    ] {
        let pct = |q: usize, f: usize| 100.0 * q as f64 / f as f64;
        let (fw, qw) = (f[0], q[0]);
        let (f, q): (usize, usize) = (f.iter().sum(), q.iter().sum());
        println!(
            "{name:9} weights f32 {fw:6} B, int8 {qw:6} B ({:.1} %); model data f32 {f:6} B, \
             int8 {q:6} B ({:.2} %)",
            pct(qw, fw),
            pct(q, f)
        );
        assert!(10 * q <= 3 * f, "{name}: {q} of {f}");
    }
    assert_eq!(
        Model::weight_bytes(&sentiment_int8::MODEL),
        sentiment_int8::WEIGHT_BYTES
    );
}
