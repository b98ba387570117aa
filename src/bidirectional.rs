//! Bidirectional recurrent layers (PyTorch `bidirectional=True`): each layer runs once forward
//! and once backward over the whole sequence, and the layer above reads both directions.
//!
//! A backward direction starts at the last element, so it needs the whole sequence before it
//! can answer: a [`BiNetwork`] implements [`Model`] (a sequence in, one output) but not
//! [`StreamingModel`](crate::StreamingModel) — calling `step` on it does not compile:
//!
//! ```compile_fail
//! use tinyrnn::{BiNetwork, Normalize, Rnn, StreamingModel};
//! fn streams<M: StreamingModel>() {}
//! // error: `BiNetwork` does not implement `StreamingModel`
//! streams::<BiNetwork<Rnn, Normalize<1>, 1, 1, 1, 1, 2, 1, 4, 0>>();
//! ```
//!
//! Nothing is allocated: the caller-owned [`BiState`] holds a fixed maximum number of steps `N`
//! (the model file's `max_steps`). [`Model::classify`] copies each encoded input into it as the
//! sequence arrives, so any iterator works (a slice, a tokenizer), and a sequence of more than
//! `N` elements is [`Error::TooLong`], never a panic. With two layers or more the state also
//! keeps, per step, the `2H` outputs of the layer below and the `H` outputs of the backward
//! direction of the layer being computed (`M = N` rows; `M = 0` for one layer).
//!
//! A text model reads token ids: `MODEL.classify(vocabulary.encode(text), &mut state)` with the
//! frontend's [`TextFrontend::vocabulary`](crate::TextFrontend::vocabulary).
//!
//! The equations of each direction are those of the cell ([`Cell`]), computed by the same
//! [`Layer::step`] as a one-directional network, so the forward direction of layer 0 gives the
//! same bits as a [`Network`](crate::Network) with the same weights.
//!
//! What the head reads is PyTorch's `h_n` of the top layer for both directions,
//! `torch.cat((h_n[-2], h_n[-1]), dim=1)`: the forward direction's `h` after the last element,
//! then the backward direction's `h` after the first element (the end of its pass). This is not
//! `output[:, -1]`, whose backward half has seen only the last element.

use core::marker::PhantomData;

use crate::cell::Cell;
use crate::error::Error;
use crate::frontend::Frontend;
use crate::head::{Activation, Linear, Output};
use crate::layer::{Layer, LayerInput};
use crate::model::{Model, Task};

/// The caller-owned state of a [`BiNetwork`]: room for `N` steps of `I` inputs, for `M` steps
/// of the inner layers' outputs (`2H` values of both directions of the layer below, `H` values
/// of a backward direction), and the top layer's final states (`S` vectors per direction).
///
/// `M` is `N` for a network of two layers or more, 0 for one layer (which needs only the
/// inputs). Baked models name it `model::State`. It is large (`4 · (N·I + M·3H + 2·S·H)` bytes
/// and a `usize`): keep it in a `static` on a microcontroller rather than on a small stack.
///
/// ```
/// use tinyrnn::BiState;
/// // 10 steps of 3 inputs, H = 4, one state vector (GRU), one layer.
/// let state = BiState::<3, 4, 1, 10, 0>::new();
/// assert_eq!((state.steps(), state.max_steps()), (0, 10));
/// assert_eq!(state.hidden(), [[0.0; 4]; 2]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BiState<const I: usize, const H: usize, const S: usize, const N: usize, const M: usize> {
    /// Layer 0's input at each step (the encoded token or normalised sample).
    inputs: [[f32; I]; N],
    /// The outputs of the layer below at each step: forward `h`, backward `h`.
    below: [[[f32; H]; 2]; M],
    /// The backward direction's `h` at each step, while the forward one is computed.
    backward: [[f32; H]; M],
    /// The top layer's final states: forward (after the last step), backward (after the
    /// first).
    last: [[[f32; H]; S]; 2],
    /// Steps of the last sequence.
    steps: usize,
}

impl<const I: usize, const H: usize, const S: usize, const N: usize, const M: usize>
    BiState<I, H, S, N, M>
{
    /// The all-zero state (a `const fn`, for a `static`).
    pub const fn new() -> Self {
        BiState {
            inputs: [[0.0; I]; N],
            below: [[[0.0; H]; 2]; M],
            backward: [[0.0; H]; M],
            last: [[[0.0; H]; S]; 2],
            steps: 0,
        }
    }

    /// The longest sequence this state holds, `N` (the model file's `max_steps`).
    pub const fn max_steps(&self) -> usize {
        N
    }

    /// Steps of the last sequence run on this state (0 before any, and after an error).
    pub const fn steps(&self) -> usize {
        self.steps
    }

    /// What the head reads: the top layer's forward `h` after the last step and its backward
    /// `h` after the first step (PyTorch's `h_n[-2]` and `h_n[-1]`), in that order.
    pub fn hidden(&self) -> [[f32; H]; 2] {
        self.last
            .map(|direction| direction.first().copied().unwrap_or([0.0; H]))
    }

    /// The top layer's final state vectors (`[h]`, or `[h, c]` for the LSTM), forward then
    /// backward: PyTorch's `h_n[-2]`, `h_n[-1]` (and `c_n[-2]`, `c_n[-1]`).
    ///
    /// ```
    /// let state = tinyrnn::BiState::<1, 2, 2, 4, 0>::new();
    /// let [forward, backward] = state.last();
    /// assert_eq!(forward.len(), 2); // h and c
    /// assert_eq!(backward[1], [0.0; 2]);
    /// ```
    pub fn last(&self) -> &[[[f32; H]; S]; 2] {
        &self.last
    }
}

impl<const I: usize, const H: usize, const S: usize, const N: usize, const M: usize> Default
    for BiState<I, H, S, N, M>
{
    fn default() -> Self {
        Self::new()
    }
}

/// A network of bidirectional recurrent layers baked into flash: the struct behind the
/// generated `MODEL` of a model file with `"bidirectional": true`. It implements [`Model`]
/// (import the trait to call `classify`).
///
/// Type parameters: the cell `K` with `G` gates and `S` state vectors, the frontend `F`
/// producing `I` inputs, `H` hidden units per direction (`J = 2H`), `C` outputs, and the
/// state's room `N` (steps) and `M` (see [`BiState`]; with two layers or more, a sequence
/// longer than `M` is [`Error::TooLong`] too). Application code never
/// spells them: baked models come with the aliases `model::Network` and `model::State`.
///
/// ```
/// use core::marker::PhantomData;
/// use tinyrnn::layer::{interleave, Block};
/// use tinyrnn::{Activation, BiNetwork, BiState, Layer, Linear, Model, Normalize, Prediction};
/// use tinyrnn::{Error, Rnn, Task};
///
/// // One input, one unit per direction: h' = tanh(x + h), the head reads h_fwd - h_bwd.
/// static W: [Block<1>; 1] = interleave(&[[[1.0]]]);
/// static B: [[f32; 1]; 1] = [[0.0]];
/// static MEAN: [f32; 1] = [0.0];
/// static STD: [f32; 1] = [1.0];
/// static HEAD_W: [[f32; 2]; 1] = [[1.0, -1.0]];
/// static HEAD_B: [f32; 1] = [0.0];
/// static LABELS: [&str; 1] = ["difference"];
/// static UPPER: [[Layer<1, 2, 1>; 2]; 0] = [];
/// const LAYER: Layer<1, 1, 1> = Layer::new(&W, &W, &B, &B);
/// static MODEL: BiNetwork<Rnn, Normalize<1>, 1, 1, 1, 1, 2, 1, 4, 0> = BiNetwork {
///     cell: PhantomData,
///     frontend: Normalize { mean: &MEAN, std: &STD },
///     first: [LAYER, LAYER],
///     upper: &UPPER,
///     head: Linear { w: &HEAD_W, b: &HEAD_B },
///     activation: Activation::Identity,
///     task: Task::Regress,
///     labels: &LABELS,
/// };
///
/// let mut state = BiState::new();
/// // The forward direction ends on tanh(2 + tanh(1)), the backward one on tanh(1 + tanh(2)).
/// let out = MODEL.classify(&[[1.0], [2.0]], &mut state)?;
/// let expected = (2.0f32 + 1.0f32.tanh()).tanh() - (1.0f32 + 2.0f32.tanh()).tanh();
/// assert!((out.score() - expected).abs() < 1e-6);
/// // A symmetric sequence reads the same both ways; the state needs no reset in between.
/// assert_eq!(MODEL.classify(&[[1.0], [2.0], [1.0]], &mut state)?.values(), &[0.0]);
/// assert_eq!(state.steps(), 3);
/// // The state holds 4 steps: a fifth is an error, not a panic.
/// assert_eq!(MODEL.classify(&[[0.0]; 5], &mut state), Err(Error::TooLong { max_steps: 4 }));
/// assert_eq!(MODEL.classify(&[], &mut state), Err(Error::EmptyInput));
/// // Two directions of 8 padded rows × (1 + 1) columns and 2 biases, a head of 2 + 1.
/// assert_eq!(MODEL.weight_bytes(), 4 * (2 * (8 * 2 + 2) + 3));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct BiNetwork<
    K,
    F,
    const G: usize,
    const S: usize,
    const I: usize,
    const H: usize,
    const J: usize,
    const C: usize,
    const N: usize,
    const M: usize,
> {
    /// The cell equations used by every layer and direction.
    pub cell: PhantomData<K>,
    /// Turns a token or a sample into the first layer's input.
    pub frontend: F,
    /// Layer 0: forward (`weight_ih_l0`, …), backward (`weight_ih_l0_reverse`, …).
    pub first: [Layer<G, I, H>; 2],
    /// Layers 1 and up, forward and backward, each reading the `J = 2H` outputs of the layer
    /// below (its forward `h`, then its backward `h`, as PyTorch concatenates them).
    pub upper: &'static [[Layer<G, J, H>; 2]],
    /// The output layer, reading [`BiState::hidden`], forward first.
    pub head: Linear<J, C>,
    /// Softmax, sigmoid or identity, applied to the head's values.
    pub activation: Activation,
    /// The model file's `task`: `Classify` or `Regress`.
    pub task: Task,
    /// The labels, one per output of the head.
    pub labels: &'static [&'static str; C],
}

impl<
        K: Cell<G, S>,
        const G: usize,
        const S: usize,
        const I: usize,
        F: Frontend<I>,
        const H: usize,
        const J: usize,
        const C: usize,
        const N: usize,
        const M: usize,
    > Model for BiNetwork<K, F, G, S, I, H, J, C, N, M>
{
    type State = BiState<I, H, S, N, M>;

    /// Runs both directions of every layer over the whole sequence. `state` is overwritten (no
    /// reset needed); an empty sequence is [`Error::EmptyInput`], one of more than `N`
    /// elements [`Error::TooLong`], a bad element its error, an arithmetic overflow
    /// [`Error::Overflow`]; after an error [`BiState::steps`] is 0.
    fn classify<'a>(
        &self,
        items: impl IntoIterator<Item = F::Item<'a>>,
        state: &mut Self::State,
    ) -> Result<Output<C>, Error> {
        const { assert!(J == 2 * H, "J must be 2 * H") };
        state.steps = 0;
        let steps = read(&self.frontend, items, &mut state.inputs)?;
        let BiState {
            inputs,
            below,
            backward,
            last,
            ..
        } = state;
        if !self.upper.is_empty() && steps > M {
            // Not for a baked model, whose M is N when it has two layers or more.
            return Err(Error::TooLong { max_steps: M });
        }
        let inputs = inputs.get_mut(..steps).unwrap_or_default();
        let below = below.get_mut(..steps).unwrap_or_default();
        let backward = backward.get_mut(..steps).unwrap_or_default();
        *last = layers::<K, G, S, I, H, J>(&self.first, self.upper, inputs, below, backward)?;
        let mut values = self.head.forward(&concat(&state.hidden()));
        self.activation.apply(&mut values);
        let out = Output::new(values, self.labels)?;
        state.steps = steps;
        Ok(out)
    }

    type Input<'a> = F::Item<'a>;

    fn weight_bytes(&self) -> usize {
        let upper: usize = self.upper.iter().flatten().map(Layer::weight_bytes).sum();
        let first: usize = self.first.iter().map(Layer::weight_bytes).sum();
        self.frontend.weight_bytes() + first + upper + self.head.weight_bytes()
    }

    type Output = Output<C>;

    fn task(&self) -> Task {
        self.task
    }

    fn labels(&self) -> &'static [&'static str] {
        self.labels
    }
}

/// Encodes the sequence into `inputs`, returning its length: [`Error::TooLong`] beyond `N`
/// elements, [`Error::EmptyInput`] for none.
fn read<'a, F: Frontend<I>, const I: usize, const N: usize>(
    frontend: &F,
    items: impl IntoIterator<Item = F::Item<'a>>,
    inputs: &mut [[f32; I]; N],
) -> Result<usize, Error> {
    let mut steps = 0;
    for item in items {
        let slot = inputs
            .get_mut(steps)
            .ok_or(Error::TooLong { max_steps: N })?;
        let mut scratch = frontend.scratch();
        match frontend.encode(item, &mut scratch)? {
            LayerInput::Dense(x) => *slot = *x,
            // Kept as the vector it stands for (the frontend checked the index).
            LayerInput::OneHot(t) => {
                *slot = [0.0; I];
                if let Some(one) = slot.get_mut(t) {
                    *one = 1.0;
                }
            }
        }
        steps += 1;
    }
    if steps == 0 {
        return Err(Error::EmptyInput);
    }
    Ok(steps)
}

/// Both directions of every layer over `inputs`; returns the top layer's final states. Layer 0
/// writes its outputs to `below` unless it is the top; each layer above runs backward first,
/// into `backward`, then forward, overwriting `below` step by step once that step's input is
/// read.
fn layers<
    K: Cell<G, S>,
    const G: usize,
    const S: usize,
    const I: usize,
    const H: usize,
    const J: usize,
>(
    first: &[Layer<G, I, H>; 2],
    upper: &[[Layer<G, J, H>; 2]],
    inputs: &mut [[f32; I]],
    below: &mut [[[f32; H]; 2]],
    backward: &mut [[f32; H]],
) -> Result<[[[f32; H]; S]; 2], Error> {
    let mut last = [[[0.0; H]; S]; 2];
    // Direction 0 forward, direction 1 backward; each writes its half of `below`.
    for ((slot, layer), d) in last.iter_mut().zip(first).zip(0..) {
        *slot = sweep::<K, G, S, I, H, _>(
            layer,
            inputs,
            d == 1,
            |x| *x,
            |t, h, _| write(below.get_mut(t).and_then(|row| row.get_mut(d)), h),
        )?;
    }
    for (k, [forward_k, backward_k]) in upper.iter().enumerate() {
        let top = k + 1 == upper.len();
        let b = sweep::<K, G, S, J, H, _>(backward_k, below, true, concat, |t, h, _| {
            write(backward.get_mut(t), h)
        })?;
        let f = sweep::<K, G, S, J, H, _>(forward_k, below, false, concat, |t, h, row| {
            if !top {
                *row = [*h, backward.get(t).copied().unwrap_or([0.0; H])];
            }
        })?;
        last = [f, b];
    }
    Ok(last)
}

/// One direction of one layer over `rows` (backward if `reverse`), from the zero state:
/// `input` gives a row's `X` values, `after(t, h, row)` receives each step's `h` and may then
/// overwrite that step's row, which is not read again. Returns the final state;
/// [`Error::Overflow`] as soon as a state value is not finite.
fn sweep<K: Cell<G, S>, const G: usize, const S: usize, const X: usize, const H: usize, R>(
    layer: &Layer<G, X, H>,
    rows: &mut [R],
    reverse: bool,
    input: impl Fn(&R) -> [f32; X],
    mut after: impl FnMut(usize, &[f32; H], &mut R),
) -> Result<[[f32; H]; S], Error> {
    let mut state = [[0.0; H]; S];
    let steps = rows.len();
    for k in 0..steps {
        let t = if reverse { steps - 1 - k } else { k };
        let Some(row) = rows.get_mut(t) else {
            continue; // not reached: t < steps
        };
        layer.step::<K, S>(LayerInput::Dense(&input(row)), &mut state);
        if !state.iter().flatten().all(|v| v.is_finite()) {
            return Err(Error::Overflow);
        }
        if let Some(h) = state.first() {
            after(t, h, row);
        }
    }
    Ok(state)
}

/// `[forward, backward]` as one vector of `J = 2H` values, forward first (PyTorch's order).
fn concat<const H: usize, const J: usize>(halves: &[[f32; H]; 2]) -> [f32; J] {
    let mut out = [0.0; J];
    for (slot, v) in out.iter_mut().zip(halves.iter().flatten()) {
        *slot = *v;
    }
    out
}

/// Copies `h` into `slot` (nothing if there is no slot: a one-layer network keeps no outputs).
fn write<const H: usize>(slot: Option<&mut [f32; H]>, h: &[f32; H]) {
    if let Some(slot) = slot {
        *slot = *h;
    }
}
