//! No NaN ever reaches a label: finite but extreme samples, and models with extreme (finite)
//! weights, end in `Error::Overflow` with the state left as it was, never in a NaN state that
//! every later step would carry, nor in an output that names a label picked from NaNs.

use core::marker::PhantomData;
use tinyrnn::prelude::*;

use tinyrnn::layer::{interleave, Block};
use tinyrnn::models::motion;
use tinyrnn::{
    Activation, Error, Gru, Layer, Linear, Lstm, Network, Normalize, Stack, State, Task,
};

/// A one-layer GRU over two dense features, 2 hidden units, 2 outputs.
type Tiny = Network<Normalize<2>, Stack<Gru, 3, 1, 2, 2, 0>, 2, 2, 2>;

static MEAN: [f32; 2] = [0.0; 2];
static STD: [f32; 2] = [1.0; 2];
static LABELS: [&str; 2] = ["low", "high"];
static NO_UPPER: [Layer<3, 2, 2>; 0] = [];
static ZERO_B: [[f32; 2]; 3] = [[0.0; 2]; 3];
static W_HH: [Block<2>; 3] = interleave(&[[[0.5, -0.5], [0.25, 0.75]]; 3]);

/// Rows of opposite signs: the input `[2, 2]` makes `+inf + -inf`, a NaN, in every gate.
static HUGE_IH: [Block<2>; 3] = interleave(&[[[3e38, -3e38], [-3e38, 3e38]]; 3]);
static SMALL_IH: [Block<2>; 3] = interleave(&[[[0.5, 0.25], [-0.5, 0.75]]; 3]);
/// `y = MAX ± MAX · (h0 + h1)`: one output is `+inf` for any state with `h0 + h1 != 0`, and
/// softmax turns `+inf` into NaN.
static HUGE_HEAD: [[f32; 2]; 2] = [[f32::MAX, f32::MAX], [-f32::MAX, -f32::MAX]];
static HUGE_HEAD_B: [f32; 2] = [f32::MAX; 2];
static SMALL_HEAD: [[f32; 2]; 2] = [[1.0, -1.0], [-1.0, 1.0]];
static SMALL_HEAD_B: [f32; 2] = [0.0; 2];

fn tiny(w_ih: &'static [Block<2>; 3], huge_head: bool) -> Tiny {
    let (head, bias) = if huge_head {
        (&HUGE_HEAD, &HUGE_HEAD_B)
    } else {
        (&SMALL_HEAD, &SMALL_HEAD_B)
    };
    let layers = Stack {
        cell: PhantomData,
        first: Layer::new(w_ih, &W_HH, &ZERO_B, &ZERO_B),
        upper: &NO_UPPER,
    };
    network(layers, Linear { w: head, b: bias })
}

/// A classifier of two normalised features with these layers and this head.
fn network<R>(layers: R, head: Linear<2, 2>) -> Network<Normalize<2>, R, 2, 2, 2> {
    Network {
        frontend: Normalize {
            mean: &MEAN,
            std: &STD,
        },
        layers,
        head,
        activation: Activation::Softmax,
        task: Task::Classify,
        labels: &LABELS,
    }
}

/// Runs a few ordinary steps so that the state is neither zero nor saturated.
fn warmed_up(model: &Tiny) -> State<2, 1, 0> {
    let mut state = State::new();
    for x in [0.3, -0.7, 1.1] {
        model.step(&[x, 0.5], &mut state).unwrap();
    }
    state
}

#[test]
fn an_overflowing_step_is_an_error_and_keeps_the_state() {
    let model = tiny(&HUGE_IH, false);
    let mut state = warmed_up(&model);
    let before = state;
    // 2 · ±3e38 overflows to ±inf in the gates: the new state would be NaN.
    assert_eq!(model.step(&[2.0, 2.0], &mut state), Err(Error::Overflow));
    assert_eq!(state, before);
    assert!(state.is_finite());
    assert_eq!(
        model.step_output(&[2.0, 2.0], &mut state),
        Err(Error::Overflow)
    );
    assert_eq!(state, before);
    assert_eq!(
        model.classify(&[[0.1, 0.1], [2.0, 2.0]], &mut state),
        Err(Error::Overflow)
    );
    // The model still works on ordinary input afterwards.
    assert!(model.step_output(&[0.1, 0.1], &mut state).is_ok());
}

#[test]
fn an_overflowing_head_is_an_error_not_a_label() {
    let model = tiny(&SMALL_IH, true);
    let mut state = warmed_up(&model);
    let before = state;
    assert_eq!(model.output(&state), Err(Error::Overflow));
    // `step_output` undoes the step whose output it cannot give.
    assert_eq!(
        model.step_output(&[0.2, 0.2], &mut state),
        Err(Error::Overflow)
    );
    assert_eq!(state, before);
    assert_eq!(
        model.classify(&[[0.2, 0.2]], &mut state),
        Err(Error::Overflow)
    );
}

#[test]
fn extreme_finite_samples_never_leave_a_nan_state_or_label() {
    let extremes = [
        f32::MAX,
        -f32::MAX,
        1e30,
        -1e30,
        1e20,
        f32::MIN_POSITIVE,
        0.0,
    ];
    let mut state = motion::State::new();
    for (i, &a) in extremes.iter().enumerate() {
        for &b in &extremes[i..] {
            let sample = [a, b, -a, b, a, -b];
            let before = state;
            match motion::MODEL.step_output(&sample, &mut state) {
                Ok(out) => {
                    assert!(out.values().iter().all(|v| v.is_finite()), "{sample:?}");
                    assert!(motion::LABELS.contains(&out.label()));
                }
                Err(Error::NonFinite { .. } | Error::Overflow) => assert_eq!(state, before),
                Err(e) => panic!("{sample:?}: {e}"),
            }
            assert!(state.is_finite(), "{sample:?}");
        }
    }
}

#[test]
fn an_output_never_holds_a_non_finite_value() {
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        assert_eq!(
            tinyrnn::Output::new([0.5, bad], &LABELS),
            Err(Error::Overflow)
        );
    }
    let out = tinyrnn::Output::new([0.25, 0.75], &LABELS).unwrap();
    assert_eq!((out.label(), out.score()), ("high", 0.75));
}

/// Two LSTM units over the same two features: four gates, state `[h, c]`.
type TinyLstm<const U: usize> = Network<Normalize<2>, Stack<Lstm, 4, 2, 2, 2, U>, 2, 2, 2>;

static LSTM_B: [[f32; 2]; 4] = [[0.0; 2]; 4];
static LSTM_HH: [Block<2>; 4] = interleave(&[[[0.5, -0.5], [0.25, 0.75]]; 4]);
static LSTM_SMALL_IH: [Block<2>; 4] = interleave(&[[[0.5, 0.25], [-0.5, 0.75]]; 4]);
/// As [`HUGE_IH`]: the input `[2, 2]` makes `+inf + -inf` in every gate.
static LSTM_HUGE_IH: [Block<2>; 4] = interleave(&[[[3e38, -3e38], [-3e38, 3e38]]; 4]);
static LSTM_UPPER: [Layer<4, 2, 2>; 1] = [Layer::new(&LSTM_SMALL_IH, &LSTM_HH, &LSTM_B, &LSTM_B)];
static LSTM_NO_UPPER: [Layer<4, 2, 2>; 0] = [];

fn tiny_lstm<const U: usize>(
    w_ih: &'static [Block<2>; 4],
    upper: &'static [Layer<4, 2, 2>; U],
) -> TinyLstm<U> {
    let layers = Stack {
        cell: PhantomData,
        first: Layer::new(w_ih, &LSTM_HH, &LSTM_B, &LSTM_B),
        upper,
    };
    network(
        layers,
        Linear {
            w: &SMALL_HEAD,
            b: &SMALL_HEAD_B,
        },
    )
}

/// A state with every `h` and `c` away from zero, then a step that overflows: the whole state,
/// the cell states `c` included, is as it was. One layer (undone from the layer's own copy) and
/// two layers (the stack's copy of the whole state).
#[test]
fn an_overflowing_lstm_step_keeps_h_and_c() {
    fn check<const U: usize>(upper: &'static [Layer<4, 2, 2>; U]) {
        let mut state = State::<2, 2, U>::new();
        for x in [0.3, -0.7, 1.1] {
            tiny_lstm(&LSTM_SMALL_IH, upper)
                .step(&[x, 0.5], &mut state)
                .unwrap();
        }
        assert!(state.layers().flatten().flatten().all(|&v| v != 0.0));
        let before = state;
        let model = tiny_lstm(&LSTM_HUGE_IH, upper);
        assert_eq!(model.step(&[2.0, 2.0], &mut state), Err(Error::Overflow));
        assert_eq!(state, before);
        assert!(model.step(&[0.1, 0.1], &mut state).is_ok());
        assert_ne!(state, before);
    }
    check(&LSTM_NO_UPPER);
    check(&LSTM_UPPER);
}
