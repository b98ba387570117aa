//! The int8 runtime against a second implementation of the scheme: `scripts/int8_reference.py`
//! (plain Python, written from docs/quantization.md) quantises the same model files and runs
//! the integer forward pass; its states and head sums, committed in
//! `tests/fixtures/int8_golden.json`, must equal the Rust ones bit for bit, every step.
//! Regenerate with `python3 scripts/int8_reference.py` after changing the scheme or a model.

/// The little JSON the fixture uses: numbers (integers), strings, arrays, objects.
#[derive(Debug, Clone)]
enum Json {
    Int(i64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn parse(text: &str) -> Json {
        let mut p = Parser {
            s: text.as_bytes(),
            at: 0,
        };
        p.value()
    }

    fn get(&self, key: &str) -> &Json {
        match self {
            Json::Obj(fields) => &fields.iter().find(|(k, _)| k == key).unwrap().1,
            _ => panic!("not an object"),
        }
    }

    fn try_get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|f| &f.1),
            _ => None,
        }
    }

    fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(items) => items,
            _ => panic!("not an array"),
        }
    }

    fn int(&self) -> i64 {
        match self {
            Json::Int(v) => *v,
            _ => panic!("not an integer"),
        }
    }

    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            _ => panic!("not a string"),
        }
    }

    fn ints(&self) -> Vec<i64> {
        self.arr().iter().map(Json::int).collect()
    }
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn skip(&mut self) {
        while self.s[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    /// The items of an array or object, `item` parsing each, from its opening bracket to the
    /// `close` one.
    fn items<T>(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> T) -> Vec<T> {
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.skip();
            if self.s[self.at] == close {
                self.at += 1;
                return items;
            }
            items.push(item(self));
            self.skip();
            if self.s[self.at] == b',' {
                self.at += 1;
            }
        }
    }

    fn value(&mut self) -> Json {
        self.skip();
        match self.s[self.at] {
            b'[' => Json::Arr(self.items(b']', Self::value)),
            b'{' => Json::Obj(self.items(b'}', |p| {
                let key = p.value().str().to_string();
                p.skip();
                assert_eq!(p.s[p.at], b':');
                p.at += 1;
                (key, p.value())
            })),
            b'"' => {
                let start = self.at + 1;
                self.at = start;
                while self.s[self.at] != b'"' {
                    self.at += 1;
                }
                self.at += 1;
                Json::Str(String::from_utf8(self.s[start..self.at - 1].to_vec()).unwrap())
            }
            _ => {
                let start = self.at;
                while self.s[self.at] == b'-' || self.s[self.at].is_ascii_digit() {
                    self.at += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.at]).unwrap();
                Json::Int(text.parse().unwrap())
            }
        }
    }
}

fn fixture() -> Json {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/int8_golden.json"
    );
    Json::parse(&std::fs::read_to_string(path).unwrap())
}

/// Runs every recorded sequence of `name` and compares each step's states and head sums.
use tinyrnn::prelude::*;

macro_rules! check_model {
    ($fixture:expr, $m:path, |$input:ident| $arg:expr) => {
        check_model!($fixture, $m, |$input| $arg, |state| state, m::MODEL)
    };
    // A convolution model: its recurrent state, and its recurrent network (with the head).
    (
        $fixture:expr,
        $m:path,
        |$input:ident| $arg:expr,
        |$state:ident| $recurrent:expr,
        $network:expr
    ) => {{
        use $m as m;
        let name = stringify!($m).rsplit("::").next().unwrap().trim();
        let model = $fixture
            .get("models")
            .arr()
            .iter()
            .find(|e| e.get("model").str() == name)
            .unwrap_or_else(|| panic!("{name}: not in the fixture"));
        let mut steps = 0;
        for (s, seq) in model.get("sequences").arr().iter().enumerate() {
            let mut state = m::State::new();
            let inputs = seq.get("inputs").arr();
            let expected = seq.get("steps").arr();
            assert_eq!(inputs.len(), expected.len());
            for (t, (input, want)) in inputs.iter().zip(expected).enumerate() {
                let $input = input;
                m::MODEL.step($arg, &mut state).unwrap();
                let recurrent = {
                    let $state = &state;
                    $recurrent
                };
                assert_eq!(
                    recurrent.layers().count(),
                    want.get("h").arr().len(),
                    "{name}: layers"
                );
                for (k, (got, want)) in recurrent.layers().zip(want.get("h").arr()).enumerate() {
                    let got: Vec<i64> = got.iter().map(|&v| v as i64).collect();
                    assert_eq!(
                        got,
                        want.ints(),
                        "{name}: sequence {s}, step {t}, layer {k}: h"
                    );
                }
                if let Some(cells) = want.try_get("c") {
                    for (k, (got, want)) in recurrent.cells().zip(cells.arr()).enumerate() {
                        let got: Vec<i64> = got.iter().map(|&v| v as i64).collect();
                        assert_eq!(
                            got,
                            want.ints(),
                            "{name}: sequence {s}, step {t}, layer {k}: c"
                        );
                    }
                }
                let sums: Vec<i64> = $network
                    .head
                    .sums(recurrent.hidden())
                    .iter()
                    .map(|&v| v as i64)
                    .collect();
                assert_eq!(
                    sums,
                    want.get("head").ints(),
                    "{name}: sequence {s}, step {t}: head"
                );
                steps += 1;
            }
        }
        assert!(steps > 0, "{name}: no step");
        println!("{name}: {steps} steps bit-identical to scripts/int8_reference.py");
    }};
}

fn token(input: &Json) -> usize {
    input.int() as usize
}

/// A sample from its recorded `f32` bits.
fn sample<const F: usize>(input: &Json) -> [f32; F] {
    let bits = input.ints();
    std::array::from_fn(|i| f32::from_bits(bits[i] as u32))
}

#[test]
fn text_models_match_the_python_reference() {
    let f = fixture();
    check_model!(f, tinyrnn::models::seed_int8, |i| token(i));
    check_model!(f, tinyrnn::models::sentiment_int8, |i| token(i));
}

#[test]
fn sensor_models_match_the_python_reference() {
    let f = fixture();
    check_model!(f, tinyrnn::models::motion_int8, |i| &sample::<6>(i));
    // A convolution front-end (`--conv 32:5:causal`), with samples that saturate its outputs.
    check_model!(
        f,
        tinyrnn::models::vowels_int8,
        |i| &sample::<12>(i),
        |state| state.recurrent(),
        tinyrnn::models::vowels_int8::MODEL.network
    );
    check_model!(f, tinyrnn::models::exercise_int8, |i| &sample::<6>(i));
}

/// Models no shipped model is like, baked to int8 for the tests by the root build.rs into
/// `$OUT_DIR/tinyrnn/test/`: LSTMs, and convolution front-ends.
#[allow(dead_code)] // the tests read only some of the generated items
mod fixtures {
    pub mod conv_gru_2c_int8 {
        include!(concat!(
            env!("OUT_DIR"),
            "/tinyrnn/test/tinyrnn/conv_gru_2c_int8.rs"
        ));
    }
    pub mod conv_lstm_2c_int8 {
        include!(concat!(
            env!("OUT_DIR"),
            "/tinyrnn/test/tinyrnn/conv_lstm_2c_int8.rs"
        ));
    }
    pub mod lstm_2l_dense_int8 {
        include!(concat!(
            env!("OUT_DIR"),
            "/tinyrnn/test/tinyrnn/lstm_2l_dense_int8.rs"
        ));
    }
    pub mod lstm_1l_embedding_int8 {
        include!(concat!(
            env!("OUT_DIR"),
            "/tinyrnn/test/tinyrnn/lstm_1l_embedding_int8.rs"
        ));
    }
}

#[test]
fn lstm_fixtures_match_the_python_reference() {
    let f = fixture();
    check_model!(f, fixtures::lstm_2l_dense_int8, |i| &sample::<
        { fixtures::lstm_2l_dense_int8::INPUTS },
    >(i));
    check_model!(f, fixtures::lstm_1l_embedding_int8, |i| token(i));
}

/// Int8 convolution front-ends with strides, dilation, pools and two layers (the shipped
/// `vowels_int8`, above, has one): the reference recomputes the convolution in batch over every
/// sample so far, the runtime streams it through ring buffers.
#[test]
fn conv_fixtures_match_the_python_reference() {
    let f = fixture();
    check_model!(
        f,
        fixtures::conv_gru_2c_int8,
        |i| &sample::<4>(i),
        |state| state.recurrent(),
        fixtures::conv_gru_2c_int8::MODEL.network
    );
    check_model!(
        f,
        fixtures::conv_lstm_2c_int8,
        |i| &sample::<4>(i),
        |state| state.recurrent(),
        fixtures::conv_lstm_2c_int8::MODEL.network
    );
}

/// The recorded sequences of model `name`.
fn sequences<'a>(f: &'a Json, name: &str) -> &'a [Json] {
    let models = f.get("models").arr();
    let model = models.iter().find(|e| e.get("model").str() == name);
    model.unwrap().get("sequences").arr()
}

/// The reference's count of recurrent steps is the runtime's, after every sample.
#[test]
fn conv_steps_match_the_python_reference() {
    use fixtures::conv_lstm_2c_int8 as m;
    let f = fixture();
    let mut checked = 0;
    for seq in sequences(&f, "conv_lstm_2c_int8") {
        let mut state = m::State::new();
        for (input, want) in seq.get("inputs").arr().iter().zip(seq.get("steps").arr()) {
            m::MODEL.step(&sample::<4>(input), &mut state).unwrap();
            assert_eq!(state.steps() as i64, want.get("steps").int());
            checked += 1;
        }
    }
    assert!(checked > 20);
}

/// The int8 convolution model classifies a window through `classify` exactly as through `step`
/// (the same bits), and refuses a NaN sample with its state untouched.
#[test]
fn conv_classify_equals_streaming() {
    use tinyrnn::models::vowels_int8 as m;
    let f = fixture();
    for seq in sequences(&f, "vowels_int8") {
        let samples: Vec<[f32; 12]> = seq.get("inputs").arr().iter().map(sample).collect();
        let whole = m::MODEL.classify(&samples, &mut m::State::new()).unwrap();
        let mut state = m::State::new();
        for s in &samples {
            m::MODEL.step(s, &mut state).unwrap();
        }
        assert_eq!(m::MODEL.output(&state).unwrap(), whole);
        let before = state;
        let mut bad = samples[0];
        bad[3] = f32::NAN;
        assert_eq!(
            m::MODEL.step(&bad, &mut state),
            Err(tinyrnn::Error::NonFinite { feature: 3 })
        );
        assert_eq!(state, before);
    }
    let none: [[f32; 12]; 0] = [];
    assert_eq!(
        m::MODEL.classify(&none, &mut m::State::new()),
        Err(tinyrnn::Error::EmptyInput)
    );
}
