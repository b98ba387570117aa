//! The recurrent network every baked model is: frontend → stacked layers → head, and the
//! caller-owned state it runs on.

use core::marker::PhantomData;

use crate::cell::Cell;
use crate::driver::{head_output, Recurrent};
use crate::error::Error;
use crate::frontend::Frontend;
use crate::head::{Activation, Linear, Output};
use crate::layer::{Layer, LayerInput};
use crate::model::Task;

/// The recurrent state of a network with `1 + U` layers: `S` vectors of `H` values per layer
/// (`h`, and `c` for the LSTM). It belongs to the caller, so it can live in a `static` and carry a
/// stream across calls.
///
/// `U` counts the layers above the first one and is the same parameter as in [`Stack`], so a
/// state always has exactly one slot per layer of its network: a mismatch does not compile.
/// Baked models name their state `model::State`, so user code never spells the sizes.
///
/// ```
/// use tinyrnn::prelude::*;
/// use core::cell::RefCell;
/// use critical_section::Mutex;
/// use tinyrnn::models::motion;
///
/// // A state that outlives one call (a sensor interrupt feeding it, say): a `static` behind a
/// // critical-section mutex, possible because `State::new` is a `const fn`.
/// static STATE: Mutex<RefCell<motion::State>> = Mutex::new(RefCell::new(motion::State::new()));
///
/// critical_section::with(|cs| {
///     let mut state = STATE.borrow_ref_mut(cs);
///     motion::MODEL.step(&[0.0; motion::INPUTS], &mut state)?;
///     assert_eq!(state.layers().count(), motion::LAYERS);
///     state.reset();
///     assert_eq!(state.hidden(), &[0.0; motion::HIDDEN]);
///     Ok::<(), tinyrnn::Error>(())
/// })?;
/// # Ok::<(), tinyrnn::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct State<const H: usize, const S: usize, const U: usize> {
    /// Layer 0.
    first: [[f32; H]; S],
    /// Layers 1 to `U`.
    upper: [[[f32; H]; S]; U],
}

impl<const H: usize, const S: usize, const U: usize> State<H, S, U> {
    /// The all-zero state every sequence starts from.
    pub const fn new() -> Self {
        State {
            first: [[0.0; H]; S],
            upper: [[[0.0; H]; S]; U],
        }
    }

    /// The state whose hidden vectors `h` are `first` (layer 0) and `upper` (layers 1 to `U`),
    /// every other vector (an LSTM's `c`) zero: the initial state PyTorch's `h0` gives.
    ///
    /// ```
    /// use tinyrnn::State;
    /// let state = State::<2, 1, 1>::with_hidden(&[1.0, 2.0], &[[3.0, 4.0]]);
    /// assert_eq!(state.hidden(), &[3.0, 4.0]);
    /// assert_eq!(state.layers().next(), Some(&[[1.0, 2.0]]));
    /// ```
    pub fn with_hidden(first: &[f32; H], upper: &[[f32; H]; U]) -> Self {
        let mut state = Self::new();
        if let Some(h) = state.first.first_mut() {
            *h = *first;
        }
        for (layer, h) in state.upper.iter_mut().zip(upper) {
            if let Some(slot) = layer.first_mut() {
                *slot = *h;
            }
        }
        state
    }

    /// Returns to the all-zero state, to start a new sequence.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// The top layer's hidden state `h`: what the head reads.
    pub fn hidden(&self) -> &[f32; H] {
        const { assert!(S > 0, "a cell keeps at least its hidden state") };
        let top = self.upper.last().unwrap_or(&self.first);
        match top.first() {
            Some(h) => h,
            None => &[0.0; H],
        }
    }

    /// Whether every value is finite. A step never leaves a state that is not (it undoes an
    /// overflowing step and reports [`Error::Overflow`]).
    ///
    /// ```
    /// assert!(tinyrnn::models::motion::State::new().is_finite());
    /// ```
    pub fn is_finite(&self) -> bool {
        self.layers().flatten().flatten().all(|v| v.is_finite())
    }

    /// The state vectors of every layer, bottom first: each is `[h]` or `[h, c]`.
    pub fn layers(&self) -> impl Iterator<Item = &[[f32; H]; S]> {
        core::iter::once(&self.first).chain(self.upper.iter())
    }
}

impl<const H: usize, const S: usize, const U: usize> Default for State<H, S, U> {
    fn default() -> Self {
        Self::new()
    }
}

/// What a network needs of its recurrent layers: one step on an input of `I` values, the top
/// layer's `h` of `H` units for the head, and their size. Implemented by [`Stack`] (`f32`) and
/// [`QStack`](crate::quant::QStack) (int8); the network types are generic over it so that
/// the cell and the layer count stay out of their own parameters.
pub trait Layers<const I: usize, const H: usize> {
    /// The type of the input values and of `h`: `f32`, or `i16` for int8 layers.
    type Lane;
    /// The caller-owned recurrent state: one slot per layer.
    type State: Copy + Default;

    /// One step of every layer, bottom first; on error `state` is left as it was.
    fn advance(
        &self,
        input: LayerInput<'_, I, Self::Lane>,
        state: &mut Self::State,
    ) -> Result<(), Error>;

    /// The top layer's hidden state `h`: what the head reads.
    fn hidden(state: &Self::State) -> &[Self::Lane; H];

    /// Bytes of the layers' weights in flash.
    fn weight_bytes(&self) -> usize;
}

/// What a network needs of its output layer: the `C` scores (before the activation) of a
/// hidden state of `H` values of type `T`, and its size. Implemented by [`Linear`] (`f32`)
/// and [`QLinear`](crate::quant::QLinear) (int8).
pub trait Head<const H: usize, const C: usize, T> {
    /// The scores before the activation.
    fn scores(&self, h: &[T; H]) -> [f32; C];

    /// Bytes of its arrays in flash.
    fn bytes(&self) -> usize;
}

impl<const H: usize, const C: usize> Head<H, C, f32> for Linear<H, C> {
    fn scores(&self, h: &[f32; H]) -> [f32; C] {
        self.forward(h)
    }

    fn bytes(&self) -> usize {
        self.weight_bytes()
    }
}

/// The recurrent layers of a network: layer 0 reading `I` values a step, and `U` layers above
/// it, each reading the `h` of the layer below; every layer has `H` units of cell `K` (`G`
/// gates, `S` state vectors). Its state is a [`State`] with one slot per layer: a mismatch
/// does not compile.
///
/// ```
/// use tinyrnn::layer::blocks;
/// use tinyrnn::models::motion;
/// let layers = &motion::MODEL.layers;
/// assert_eq!(layers.first.w_ih().len(), 3 * blocks(motion::HIDDEN)); // a GRU: 3 gates
/// assert_eq!(1 + layers.upper.len(), motion::LAYERS);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Stack<K, const G: usize, const S: usize, const I: usize, const H: usize, const U: usize>
{
    /// The cell equations used by every layer.
    pub cell: PhantomData<K>,
    /// Layer 0, reading `I` values.
    pub first: Layer<G, I, H>,
    /// Layers 1 to `U`, each reading the `h` of the layer below.
    pub upper: &'static [Layer<G, H, H>; U],
}

impl<K, const G: usize, const S: usize, const I: usize, const H: usize, const U: usize> Layers<I, H>
    for Stack<K, G, S, I, H, U>
where
    K: Cell<G, S>,
{
    type Lane = f32;
    type State = State<H, S, U>;

    fn advance(&self, input: LayerInput<'_, I>, state: &mut State<H, S, U>) -> Result<(), Error> {
        // A step whose arithmetic overflowed is undone: a NaN state would stay NaN forever.
        if U == 0 && UNDO_IN_LAYER {
            // One layer (every shipped model): it undoes its own step from the copy of the
            // previous state it keeps, without a copy of the whole state here.
            return match self.first.step_or_keep::<K, S>(input, &mut state.first) {
                true => Ok(()),
                false => Err(Error::Overflow),
            };
        }
        let before = *state;
        self.first.step::<K, S>(input, &mut state.first);
        // Copied so that the layer above can read it while its own state is borrowed mutably.
        let mut below = hidden_of(&state.first);
        for (layer, s) in self.upper.iter().zip(state.upper.iter_mut()) {
            layer.step::<K, S>(LayerInput::Dense(&below), s);
            below = hidden_of(s);
        }
        if state.is_finite() {
            Ok(())
        } else {
            *state = before;
            Err(Error::Overflow)
        }
    }

    fn hidden(state: &State<H, S, U>) -> &[f32; H] {
        state.hidden()
    }

    fn weight_bytes(&self) -> usize {
        let upper: usize = self.upper.iter().map(Layer::weight_bytes).sum();
        self.first.weight_bytes() + upper
    }
}

/// Whether a single-layer stack lets its layer undo an overflowing step
/// ([`Layer::step_or_keep`](crate::layer::Layer)): on the Cortex-M cores, where it saves the
/// copy of the whole state (`memcpy`) and the separate finiteness pass. Not on the host: there
/// the running finiteness test inside the cell's loop (a strict `f32` sum) keeps the compiler
/// from vectorising that loop, and the host's `motion` took 1.7 times as long
/// (`cargo bench --bench models`, BENCHMARKS.md); the copy and one pass over the state after
/// the step cost less. The outcome is the same either way: `Ok`, or `Err(Overflow)` with the
/// state as it was.
const UNDO_IN_LAYER: bool = cfg!(target_arch = "arm");

/// A recurrent network baked into flash: the struct behind every generated `MODEL`.
///
/// Type parameters: the frontend `F` producing `I` inputs, the recurrent layers `R` (a
/// [`Stack`], or an int8 [`QStack`](crate::quant::QStack)) with `H` hidden units, and `C`
/// outputs from the head `D` ([`Linear`], or an int8 [`QLinear`](crate::quant::QLinear):
/// [`QNetwork`](crate::QNetwork) names that network). Application code never spells them:
/// baked models come with the aliases `model::Network` and `model::State`. Its methods
/// are those of the traits it implements — [`Model`](crate::Model),
/// [`StreamingModel`](crate::StreamingModel), [`Logits`](crate::Logits) and, with a token
/// frontend, [`TextModel`](crate::TextModel) — so bring them into scope (`use tinyrnn::prelude::*`).
///
/// ```
/// use tinyrnn::models::{motion, seed};
/// use tinyrnn::prelude::*;
///
/// let mut state = seed::State::new();
/// let out = seed::MODEL.classify_text("i am very good", &mut state)?;
/// println!("{} ({:.2})", out.label(), out.score());
///
/// // Stream samples as they arrive; a bad one is an error and leaves the state unchanged.
/// let mut state = motion::State::new();
/// motion::MODEL.step(&[0.1, -0.3, 9.8, 0.0, 0.01, 0.0], &mut state)?;
/// let before = state;
/// assert!(motion::MODEL.step(&[f32::NAN; 6], &mut state).is_err());
/// assert_eq!(state, before);
/// assert_eq!(motion::MODEL.weight_bytes(), motion::WEIGHT_BYTES);
/// assert_eq!(motion::MODEL.classify(&[], &mut state), Err(tinyrnn::Error::EmptyInput));
/// # Ok::<(), tinyrnn::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Network<F, R, const I: usize, const H: usize, const C: usize, D = Linear<H, C>> {
    /// Turns a token or a sample into the first layer's input.
    pub frontend: F,
    /// The recurrent layers.
    pub layers: R,
    /// The output layer.
    pub head: D,
    /// The activation after the output layer.
    pub activation: Activation,
    /// What the model was trained for.
    pub task: Task,
    /// One label per output.
    pub labels: &'static [&'static str; C],
}

impl<F, R, D, const I: usize, const H: usize, const C: usize> Recurrent
    for Network<F, R, I, H, C, D>
where
    F: Frontend<I, R::Lane>,
    R: Layers<I, H>,
    D: Head<H, C, R::Lane>,
{
    type State = R::State;
    type Input<'a> = <F as Frontend<I, R::Lane>>::Item<'a>;
    type Output = Output<C>;
    type Front = F;

    fn frontend(&self) -> &F {
        &self.frontend
    }

    fn labels(&self) -> &'static [&'static str] {
        self.labels
    }

    fn task(&self) -> Task {
        self.task
    }

    /// The layers, the head, and the embedding table of an embedding frontend (with its scales
    /// in an int8 model).
    fn weight_bytes(&self) -> usize {
        self.frontend.weight_bytes() + self.layers.weight_bytes() + self.head.bytes()
    }

    /// Everything but the head: an int8 step is integer arithmetic only, and then only a token
    /// id out of range or a NaN or infinite sample fails it (values saturate, see
    /// [`quant`](crate::quant)). On error `state` is left unchanged.
    fn advance(&self, item: Self::Input<'_>, state: &mut R::State) -> Result<(), Error> {
        let mut scratch = self.frontend.scratch();
        let input = self.frontend.encode(item, &mut scratch)?;
        self.layers.advance(input, state)
    }

    /// The head in `f32`, once per read; [`Error::Overflow`] if a value is not finite.
    ///
    /// Out of line: inlined into a caller that also steps the layers (`classify`), its arrays
    /// of `C` values (head sums, scores, the softmax's) sat in that caller's frame below every
    /// step, the peak of the stack (`exercise_int8`, 7 outputs, took 96 B more than
    /// `motion_int8`, 4, on the M0).
    #[inline(never)]
    fn read(&self, state: &R::State, activate: bool) -> Result<Output<C>, Error> {
        head_output(
            self.head.scores(R::hidden(state)),
            self.activation,
            activate,
            self.labels,
        )
    }
}

/// A copy of a layer's hidden state `h` (the first state vector), for the layer above.
fn hidden_of<const H: usize, const S: usize>(state: &[[f32; H]; S]) -> [f32; H] {
    state.first().copied().unwrap_or([0.0; H])
}
