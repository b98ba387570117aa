//! The 1D convolution front-end: PyTorch `nn.Conv1d` layers, each followed by ReLU and an
//! optional `nn.MaxPool1d`, between the normalised samples and the recurrent layers.
//!
//! It streams. Each layer keeps the last `W = (K - 1) · D + 1` inputs it was given in a ring
//! buffer inside the caller's state ([`Window`]), so one sample at a time goes in and an output
//! comes out whenever a whole (strided, pooled) output is due:
//!
//! - `padding` [`Padding::Valid`] (PyTorch's `padding=0`): the first output after `W` inputs,
//!   then one every `stride` inputs;
//! - [`Padding::Causal`] (`W - 1` zeros on the left): the first output after the first input,
//!   then one every `stride` inputs. The zeros are the ring buffer's initial contents.
//! - a max-pool of width `p` (stride `p`) passes on one value every `p` outputs, the largest
//!   of those `p` per channel; an incomplete last group is dropped (PyTorch's floor mode).
//!
//! The recurrent layers step only when the last convolution layer gives an output, so a
//! whole sequence of `n` samples makes exactly the recurrent steps that PyTorch's batch
//! forward pass of the same layers makes, with the same inputs, in the same order.
//!
//! Each output is accumulated in a fixed order — the bias, then the taps from the oldest input
//! to the newest, each tap's input channels in order — so every target computes the same bits.

use crate::driver::Recurrent;
use crate::error::Error;
use crate::frontend::Frontend;
use crate::layer::LayerInput;
use crate::linalg::dot;
use crate::model::Task;
use crate::network::State;

/// How a convolution layer pads its input on the left (the `padding` of a `conv` layer in the
/// model file).
///
/// ```
/// assert_ne!(tinyrnn::Padding::Valid, tinyrnn::Padding::Causal);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Padding {
    /// No padding: an output reads `W` real inputs.
    Valid,
    /// `W - 1` zeros before the first input: an output from the first input on, reading only
    /// inputs that have already arrived.
    Causal,
}

/// A value every element of which is zero: the state a stream starts from. A trait with an
/// associated constant, so that a state made of several layers' windows is built in a
/// `const fn` (for a `static`).
///
/// ```
/// use tinyrnn::conv::{Window, Zero};
/// let w = <Window<2, 3, 4> as Zero>::ZERO;
/// assert_eq!(w, Window::new());
/// ```
pub trait Zero {
    /// The all-zero value.
    const ZERO: Self;
}

impl<A: Zero, B: Zero> Zero for (A, B) {
    const ZERO: Self = (A::ZERO, B::ZERO);
}

impl Zero for f32 {
    const ZERO: Self = 0.0;
}

impl Zero for i16 {
    const ZERO: Self = 0;
}

/// One or more convolution layers reading `I` channels and giving `O`: a [`Conv1d`] (`f32`
/// values) or a [`QConv1d`](crate::quant::QConv1d) (`i16` in Q12, int8 weights), or two stages
/// one after the other ([`Then`]).
pub trait ConvStage<const I: usize, const O: usize> {
    /// The values read and written: `f32`, or `i16` for an int8 stage.
    type Value: Copy;

    /// The caller-owned state of the stage: its ring buffers and counters.
    type State: Copy + PartialEq + core::fmt::Debug + Zero;

    /// Feeds one input; returns the stage's output when one is due (`Ok(None)` otherwise).
    /// [`Error::Overflow`] when an `f32` output is not finite (an int8 stage saturates and
    /// never fails); `state` is then partly updated, and the model restores it.
    fn push(
        &self,
        x: &[Self::Value; I],
        state: &mut Self::State,
    ) -> Result<Option<[Self::Value; O]>, Error>;

    /// Bytes of weights and biases.
    fn weight_bytes(&self) -> usize;

    /// Multiply-accumulates of one output of every layer of the stage.
    fn macs(&self) -> usize;
}

/// One `nn.Conv1d` of `IN` to `OUT` channels with `K` taps `D` inputs apart (a window of `W =
/// (K - 1) · D + 1` inputs), then ReLU, then a max-pool of width and stride `pool` (1: none).
///
/// The weights are PyTorch's `conv.{j}.weight` `[OUT, IN, K]` with the last two axes swapped
/// at bake time, so that one tap of one output channel is one contiguous row.
///
/// ```
/// use tinyrnn::conv::{ConvStage, Window};
/// use tinyrnn::{Conv1d, Padding};
/// // One channel, two taps one input apart: y = relu(x[t-1] - x[t]).
/// static W: [[[f32; 1]; 2]; 1] = [[[1.0], [-1.0]]];
/// static B: [f32; 1] = [0.0];
/// let conv: Conv1d<1, 1, 2, 1, 2> =
///     Conv1d { weight: &W, bias: &B, stride: 1, padding: Padding::Valid, pool: 1 };
/// let mut state = Window::new();
/// assert_eq!(conv.push(&[3.0], &mut state), Ok(None)); // the window is not full yet
/// assert_eq!(conv.push(&[1.0], &mut state), Ok(Some([2.0])));
/// assert_eq!(conv.push(&[4.0], &mut state), Ok(Some([0.0]))); // relu(1 - 4)
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Conv1d<const IN: usize, const OUT: usize, const K: usize, const D: usize, const W: usize>
{
    /// `conv.{j}.weight`: (output channel, tap, input channel).
    pub weight: &'static [[[f32; IN]; K]; OUT],
    /// `conv.{j}.bias`: (output channel).
    pub bias: &'static [f32; OUT],
    /// Inputs between two outputs (at least 1).
    pub stride: usize,
    /// Left padding.
    pub padding: Padding,
    /// Max-pool width and stride after the ReLU (1: no pooling).
    pub pool: usize,
}

/// The state of one [`Conv1d`] (`T = f32`) or [`QConv1d`](crate::quant::QConv1d) (`T =
/// i16`): the last `W` inputs of `IN` channels (a ring buffer), where a stride and a pool
/// stand, and the running maximum of `OUT` channels of the pool.
///
/// ```
/// let w = tinyrnn::conv::Window::<3, 4, 5>::new();
/// assert_eq!(w.filled(), 0);
/// let q = tinyrnn::conv::Window::<3, 4, 5, i16>::new(); // an int8 layer's
/// assert_eq!(q.filled(), 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Window<const IN: usize, const OUT: usize, const W: usize, T = f32> {
    /// The last `W` inputs; `next` is the oldest, to be overwritten next.
    taps: [[T; IN]; W],
    next: usize,
    /// Inputs received, up to `W`.
    filled: usize,
    /// Inputs still to skip before the next output (the stride).
    skip: usize,
    /// Outputs in the current pool group.
    pooled: usize,
    /// Their running maximum per channel.
    max: [T; OUT],
}

impl<const IN: usize, const OUT: usize, const W: usize, T: Zero + Copy> Window<IN, OUT, W, T> {
    /// The empty window every stream starts from (all zero: the causal padding).
    pub const fn new() -> Self {
        Window {
            taps: [[T::ZERO; IN]; W],
            next: 0,
            filled: 0,
            skip: 0,
            pooled: 0,
            max: [T::ZERO; OUT],
        }
    }

    /// Inputs received so far, counted up to `W`.
    pub fn filled(&self) -> usize {
        self.filled
    }

    /// Stores `x` as the newest input; whether an output is due now (the window full enough
    /// for `padding`, and `stride` inputs since the last output).
    pub(crate) fn admit(&mut self, x: &[T; IN], padding: Padding, stride: usize) -> bool {
        if let Some(slot) = self.taps.get_mut(self.next) {
            *slot = *x;
        }
        self.next = if self.next + 1 >= W { 0 } else { self.next + 1 };
        self.filled = (self.filled + 1).min(W);
        // Causal: the W - 1 zeros of the padding are already in the buffer.
        if padding == Padding::Valid && self.filled < W {
            return false;
        }
        if self.skip > 0 {
            self.skip -= 1;
            return false;
        }
        self.skip = stride.saturating_sub(1);
        true
    }

    /// The input tap `k` of `D`-dilated taps reads, oldest first: `oldest + k·D`.
    #[inline(always)]
    pub(crate) fn tap<const D: usize>(&self, k: usize) -> Option<&[T; IN]> {
        // `next` (< W) is the oldest input, and k·D <= W - 1: one wrap at most.
        let at = self.next + k * D;
        self.taps.get(if at >= W { at - W } else { at })
    }

    /// Passes a layer's output `y` (after the ReLU) through a max-pool of width and stride
    /// `pool`: `y` itself without one, else the channels' maxima once every `pool` outputs.
    pub(crate) fn pool(&mut self, y: [T; OUT], pool: usize) -> Option<[T; OUT]>
    where
        T: PartialOrd,
    {
        if pool <= 1 {
            return Some(y);
        }
        if self.pooled == 0 {
            self.max = y;
        } else {
            for (m, v) in self.max.iter_mut().zip(y) {
                if v > *m {
                    *m = v;
                }
            }
        }
        self.pooled += 1;
        if self.pooled < pool {
            return None;
        }
        self.pooled = 0;
        Some(self.max)
    }
}

impl<const IN: usize, const OUT: usize, const W: usize> Window<IN, OUT, W> {
    /// Whether every value held is finite.
    pub fn is_finite(&self) -> bool {
        self.taps
            .iter()
            .flatten()
            .chain(&self.max)
            .all(|v| v.is_finite())
    }
}

impl<const IN: usize, const OUT: usize, const W: usize, T: Zero + Copy> Default
    for Window<IN, OUT, W, T>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const IN: usize, const OUT: usize, const W: usize, T: Zero + Copy> Zero
    for Window<IN, OUT, W, T>
{
    const ZERO: Self = Self::new();
}

impl<const IN: usize, const OUT: usize, const K: usize, const D: usize, const W: usize>
    ConvStage<IN, OUT> for Conv1d<IN, OUT, K, D, W>
{
    type Value = f32;
    type State = Window<IN, OUT, W>;

    fn push(&self, x: &[f32; IN], s: &mut Self::State) -> Result<Option<[f32; OUT]>, Error> {
        check_window::<K, D, W>();
        if !s.admit(x, self.padding, self.stride) {
            return Ok(None);
        }
        // y[o] = bias[o] + Σ_k w[o][k] · x[oldest + k·D]
        let mut y = *self.bias;
        for (acc, taps) in y.iter_mut().zip(self.weight.iter()) {
            for (k, w) in taps.iter().enumerate() {
                if let Some(input) = s.tap::<D>(k) {
                    *acc += dot(w, input);
                }
            }
        }
        // Before the ReLU, which would turn a NaN into 0.
        if !y.iter().all(|v| v.is_finite()) {
            return Err(Error::Overflow);
        }
        // ReLU (the values are finite here).
        for v in y.iter_mut() {
            *v = v.max(0.0);
        }
        Ok(s.pool(y, self.pool))
    }

    fn weight_bytes(&self) -> usize {
        core::mem::size_of::<f32>() * OUT * (K * IN + 1)
    }

    fn macs(&self) -> usize {
        OUT * K * IN
    }
}

/// Checks, while compiling, that a layer of `K` taps `D` apart spans `W` inputs.
#[inline(always)]
pub(crate) fn check_window<const K: usize, const D: usize, const W: usize>() {
    const {
        assert!(
            K >= 1 && D >= 1,
            "a convolution has a tap and a dilation of at least 1"
        );
        assert!(
            W == (K - 1) * D + 1,
            "the window spans (K - 1) * D + 1 inputs"
        );
    };
}

/// Stage `first` (`I` → `M` channels), then stage `then` (`M` → `O`): a stack of convolution
/// layers, nested from the left (`Then<Then<A, B, M1>, C, M2>` for three).
///
/// ```
/// use tinyrnn::conv::{ConvStage, Then, Zero};
/// use tinyrnn::{Conv1d, Padding};
/// static W: [[[f32; 1]; 1]; 1] = [[[2.0]]];
/// static B: [f32; 1] = [0.0];
/// let double: Conv1d<1, 1, 1, 1, 1> =
///     Conv1d { weight: &W, bias: &B, stride: 1, padding: Padding::Valid, pool: 1 };
/// let twice = Then::<_, _, 1> { first: double, then: double };
/// let mut state = Zero::ZERO;
/// assert_eq!(twice.push(&[1.5], &mut state), Ok(Some([6.0])));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Then<A, B, const M: usize> {
    /// The stage that reads the input.
    pub first: A,
    /// The stage that reads `first`'s outputs.
    pub then: B,
}

impl<A, B, const I: usize, const M: usize, const O: usize> ConvStage<I, O> for Then<A, B, M>
where
    A: ConvStage<I, M>,
    B: ConvStage<M, O, Value = A::Value>,
{
    type Value = A::Value;
    type State = (A::State, B::State);

    fn push(
        &self,
        x: &[A::Value; I],
        state: &mut Self::State,
    ) -> Result<Option<[A::Value; O]>, Error> {
        match self.first.push(x, &mut state.0)? {
            Some(mid) => self.then.push(&mid, &mut state.1),
            None => Ok(None),
        }
    }

    fn weight_bytes(&self) -> usize {
        self.first.weight_bytes() + self.then.weight_bytes()
    }

    fn macs(&self) -> usize {
        self.first.macs() + self.then.macs()
    }
}

/// The state of a [`ConvNetwork`], `f32` or int8: the convolution stage's windows `T` and the
/// recurrent state `R` (a [`State`] or a [`QState`](crate::QState)), with the number of recurrent steps taken. It belongs to the
/// caller; `new` is a `const fn`, so it can sit in a `static`. [`ConvNetwork`] shows one
/// stepped.
///
/// ```
/// use tinyrnn::conv::Window;
/// use tinyrnn::ConvState;
/// type State = ConvState<Window<1, 1, 2>, tinyrnn::State<1, 1, 0>>;
/// static STATE: State = State::new(); // a `static` is possible
/// let mut state = STATE;
/// assert_eq!(state.steps(), 0);
/// assert_eq!(state.windows().filled(), 0);
/// assert_eq!(state.recurrent().hidden(), &[0.0]);
/// state.reset();
/// assert_eq!(state, State::new());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ConvState<T, R> {
    conv: T,
    rnn: R,
    steps: usize,
}

impl<T: Zero, R: Zero> ConvState<T, R> {
    /// The state every stream starts from: empty windows (the causal padding's zeros) and the
    /// all-zero recurrent state.
    pub const fn new() -> Self {
        ConvState {
            conv: T::ZERO,
            rnn: R::ZERO,
            steps: 0,
        }
    }

    /// Returns to [`new`](Self::new), to start a new sequence.
    pub fn reset(&mut self) {
        *self = Self::new();
    }
}

impl<T, R> ConvState<T, R> {
    /// The recurrent layers' state.
    pub fn recurrent(&self) -> &R {
        &self.rnn
    }

    /// The convolution layers' windows.
    pub fn windows(&self) -> &T {
        &self.conv
    }

    /// How many recurrent steps the samples fed so far have made (saturating): it grows by one
    /// exactly when the convolution front-end gives the recurrent layers an input, so a
    /// streaming caller reads a new output when it changes.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Pushes `x` through the convolution stage `conv` and, when it gives an output, steps the
    /// recurrent state with it (`step`) and counts the step. On error the whole state is left
    /// as it was.
    fn feed<X, const F: usize, const I: usize>(
        &mut self,
        conv: &X,
        x: &[X::Value; F],
        step: impl FnOnce(&mut R, &[X::Value; I]) -> Result<(), Error>,
    ) -> Result<(), Error>
    where
        X: ConvStage<F, I, State = T>,
        Self: Copy,
    {
        // Kept to undo a step that overflowed in the convolution or the recurrent layers.
        let before = *self;
        let result = match conv.push(x, &mut self.conv) {
            Ok(Some(y)) => {
                self.steps = self.steps.saturating_add(1);
                step(&mut self.rnn, &y)
            }
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        if result.is_err() {
            *self = before;
        }
        result
    }
}

impl<T: Zero, R: Zero> Default for ConvState<T, R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const H: usize, const S: usize, const U: usize> Zero for State<H, S, U> {
    const ZERO: Self = Self::new();
}

/// A recurrent network with a 1D convolution front-end: samples of `F` features, normalised by
/// `P` → the convolution stage `X` (`F` → `I` channels) → the recurrent layers and the head,
/// `N`. The struct behind a generated `MODEL` whose file has a `conv` field, `f32` or int8:
///
/// | | `P` | `X` | `N` |
/// |---|---|---|---|
/// | `f32` | [`Normalize`](crate::Normalize) | [`Conv1d`] layers | [`Network`](crate::Network) |
/// | int8 | [`QNormalize`](crate::quant::QNormalize) | [`QConv1d`](crate::quant::QConv1d) layers | [`QNetwork`](crate::QNetwork) |
///
/// `N`'s frontend is a [`Passthrough`](crate::frontend::Passthrough): its first layer reads the
/// convolution's outputs as they come.
///
/// It implements [`Model`](crate::Model) and [`StreamingModel`](crate::StreamingModel) like
/// `N` does: `step` takes one sample; the recurrent layers advance only when the convolution
/// gives an output ([`ConvState::steps`]), and `output` reads the head on the recurrent state at
/// any time. A whole sequence through `classify` and the same samples through `step` give the
/// same bits, because `classify` is built on `step`.
///
/// A baked model with a `conv` field is one of these (the generated `Network` alias); the
/// pieces, by hand:
///
/// ```
/// use tinyrnn::prelude::*;
/// use tinyrnn::conv::Window;
/// use tinyrnn::frontend::Passthrough;
/// use tinyrnn::{Activation, Conv1d, ConvNetwork, ConvState, Layer, Linear, Network, Normalize};
/// use tinyrnn::{Padding, Rnn, Stack, Task};
/// static MEAN: [f32; 1] = [0.0];
/// static STD: [f32; 1] = [1.0];
/// static CONV_W: [[[f32; 1]; 2]; 1] = [[[-1.0], [1.0]]]; // y = relu(x[t] - x[t-1])
/// static CONV_B: [f32; 1] = [0.0];
/// static W_IH: [tinyrnn::layer::Block<1>; 1] = tinyrnn::layer::interleave(&[[[1.0]]]);
/// static W_HH: [tinyrnn::layer::Block<1>; 1] = tinyrnn::layer::interleave(&[[[0.5]]]);
/// static BIAS: [[f32; 1]; 1] = [[0.0]];
/// static UPPER: [Layer<1, 1, 1>; 0] = [];
/// static HEAD_W: [[f32; 1]; 2] = [[1.0], [-1.0]];
/// static HEAD_B: [f32; 2] = [0.0, 0.0];
/// static LABELS: [&str; 2] = ["rising", "flat"];
/// type Conv = Conv1d<1, 1, 2, 1, 2>;
/// type Rnn1 = Network<Passthrough, Stack<Rnn, 1, 1, 1, 1, 0>, 1, 1, 2>;
/// static MODEL: ConvNetwork<Normalize<1>, Conv, Rnn1, 1, 1> = ConvNetwork {
///     frontend: Normalize { mean: &MEAN, std: &STD },
///     conv: Conv1d { weight: &CONV_W, bias: &CONV_B, stride: 1, padding: Padding::Valid, pool: 1 },
///     network: Network {
///         frontend: Passthrough,
///         layers: Stack {
///             cell: core::marker::PhantomData,
///             first: Layer::new(&W_IH, &W_HH, &BIAS, &BIAS),
///             upper: &UPPER,
///         },
///         head: Linear { w: &HEAD_W, b: &HEAD_B },
///         activation: Activation::Softmax,
///         task: Task::Classify,
///         labels: &LABELS,
///     },
/// };
/// type State = ConvState<Window<1, 1, 2>, tinyrnn::State<1, 1, 0>>;
///
/// let samples = [[0.0f32], [1.0], [3.0], [3.5]];
/// let mut state = State::new();
/// let whole = MODEL.classify(&samples, &mut state)?;
///
/// let mut streamed = State::new();
/// MODEL.step(&samples[0], &mut streamed)?;
/// assert_eq!(streamed.steps(), 0); // a `valid` window of two samples is not full yet
/// for sample in &samples[1..] {
///     MODEL.step(sample, &mut streamed)?;
/// }
/// assert_eq!(streamed.steps(), 3); // one per new difference
/// assert_eq!(streamed.windows().filled(), 2);
/// assert!((streamed.recurrent().hidden()[0] - 0.5f32.tanh()).abs() < 0.5); // tanh(0.5 + 0.5 h)
/// assert_eq!(MODEL.output(&streamed)?, whole); // bit for bit
/// assert_eq!(whole.label(), "rising");
/// # Ok::<(), tinyrnn::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ConvNetwork<P, X, N, const F: usize, const I: usize> {
    /// The per-feature normalisation of the samples.
    pub frontend: P,
    /// The convolution layers.
    pub conv: X,
    /// The recurrent layers and the head, reading the convolution's `I` channels.
    pub network: N,
}

impl<P, X, N, const F: usize, const I: usize> Recurrent for ConvNetwork<P, X, N, F, I>
where
    P: for<'a> Frontend<F, X::Value, Item<'a> = &'a [f32; F]>,
    X: ConvStage<F, I>,
    N: for<'a> Recurrent<Input<'a> = &'a [X::Value; I]>,
    N::State: Copy + Zero,
{
    type State = ConvState<X::State, N::State>;
    type Input<'a> = &'a [f32; F];
    type Output = N::Output;
    type Front = P;

    fn frontend(&self) -> &P {
        &self.frontend
    }

    fn labels(&self) -> &'static [&'static str] {
        self.network.labels()
    }

    fn task(&self) -> Task {
        self.network.task()
    }

    /// Convolution, recurrent layers and head.
    fn weight_bytes(&self) -> usize {
        self.conv.weight_bytes() + self.network.weight_bytes()
    }

    /// Normalises the sample, pushes it through the convolution layers and, when they give an
    /// output, steps the recurrent layers with it. On error (a NaN sample,
    /// [`Error::Overflow`]) `state` is left unchanged.
    fn advance(&self, sample: &[f32; F], state: &mut Self::State) -> Result<(), Error> {
        let mut scratch = self.frontend.scratch();
        let LayerInput::Dense(x) = self.frontend.encode(sample, &mut scratch)? else {
            return Ok(()); // a normalisation gives dense values
        };
        state.feed(&self.conv, x, |rnn, y| self.network.advance(y, rnn))
    }

    /// The head on the recurrent state, whatever the convolution's window holds.
    fn read(&self, state: &Self::State, activate: bool) -> Result<N::Output, Error> {
        self.network.read(&state.rnn, activate)
    }

    /// Samples too few for the convolution to give the recurrent layers an input (none at all,
    /// or fewer than a `valid` window) are an empty sequence.
    fn stepped(&self, state: &Self::State, _items: usize) -> bool {
        state.steps > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Numbers in [-2, 2) from a fixed linear congruential sequence.
    fn numbers(seed: u64, n: usize) -> Vec<f32> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((x >> 40) as f32 / (1u64 << 24) as f32) * 4.0 - 2.0
            })
            .collect()
    }

    /// The batch definition (PyTorch's): pad, convolve every `stride`-th window, ReLU, pool in
    /// groups of `pool` (an incomplete last group dropped), with the runtime's summation order.
    fn batch<const IN: usize, const OUT: usize, const K: usize, const D: usize, const W: usize>(
        conv: &Conv1d<IN, OUT, K, D, W>,
        xs: &[[f32; IN]],
    ) -> Vec<[f32; OUT]> {
        let mut padded = Vec::new();
        if conv.padding == Padding::Causal {
            padded.resize(W - 1, [0.0; IN]);
        }
        padded.extend_from_slice(xs);
        let mut ys = Vec::new();
        let mut t = 0;
        while t + W <= padded.len() {
            let mut y = *conv.bias;
            for (o, acc) in y.iter_mut().enumerate() {
                for k in 0..K {
                    *acc += dot(&conv.weight[o][k], &padded[t + k * D]);
                }
                *acc = acc.max(0.0);
            }
            ys.push(y);
            t += conv.stride;
        }
        ys.chunks_exact(conv.pool)
            .map(|group| {
                let mut m = group[0];
                for y in &group[1..] {
                    for (a, b) in m.iter_mut().zip(y) {
                        if *b > *a {
                            *a = *b;
                        }
                    }
                }
                m
            })
            .collect()
    }

    /// Streaming `push` gives exactly the batch outputs, for every stride, pool and padding.
    fn streams_like_the_batch<
        const IN: usize,
        const OUT: usize,
        const K: usize,
        const D: usize,
        const W: usize,
    >(
        seed: u64,
    ) {
        let w = numbers(seed, OUT * K * IN);
        let weight: &'static mut [[[f32; IN]; K]; OUT] = Box::leak(Box::new([[[0.0; IN]; K]; OUT]));
        for (v, slot) in w.iter().zip(weight.iter_mut().flatten().flatten()) {
            *slot = *v;
        }
        let b = numbers(seed + 1, OUT);
        let bias: &'static mut [f32; OUT] = Box::leak(Box::new([0.0; OUT]));
        bias.copy_from_slice(&b);
        let xs: Vec<[f32; IN]> = numbers(seed + 2, 40 * IN)
            .chunks_exact(IN)
            .map(|c| c.try_into().unwrap())
            .collect();
        for padding in [Padding::Valid, Padding::Causal] {
            for stride in 1..=4 {
                for pool in 1..=3 {
                    let conv = Conv1d::<IN, OUT, K, D, W> {
                        weight,
                        bias,
                        stride,
                        padding,
                        pool,
                    };
                    for n in 0..xs.len() {
                        let mut state = Window::new();
                        let streamed: Vec<[f32; OUT]> = xs[..n]
                            .iter()
                            .filter_map(|x| conv.push(x, &mut state).unwrap())
                            .collect();
                        let expected = batch(&conv, &xs[..n]);
                        assert_eq!(
                            streamed, expected,
                            "{padding:?} stride {stride} pool {pool} n {n}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn streaming_equals_the_batch_definition() {
        streams_like_the_batch::<2, 3, 3, 2, 5>(1);
        streams_like_the_batch::<1, 2, 1, 1, 1>(2);
        streams_like_the_batch::<3, 2, 4, 1, 4>(3);
        streams_like_the_batch::<2, 2, 2, 3, 4>(4);
        streams_like_the_batch::<4, 1, 5, 2, 9>(5);
    }
}
