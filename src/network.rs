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
/// `U` counts the layers above the first one and is the same parameter as in [`Network`], so a
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

    /// One step of the recurrent layers `first` and `upper` with cell `K` on `input`; on
    /// [`Error::Overflow`] the state is left as it was.
    pub(crate) fn advance<K: Cell<G, S>, const G: usize, const I: usize>(
        &mut self,
        first: &Layer<G, I, H>,
        upper: &[Layer<G, H, H>; U],
        input: LayerInput<'_, I>,
    ) -> Result<(), Error> {
        // Kept to undo a step whose arithmetic overflowed: a NaN state would stay NaN forever.
        let before = *self;
        first.step::<K, S>(input, &mut self.first);
        // Copied so that the layer above can read it while its own state is borrowed mutably.
        let mut below = hidden_of(&self.first);
        for (layer, s) in upper.iter().zip(self.upper.iter_mut()) {
            layer.step::<K, S>(LayerInput::Dense(&below), s);
            below = hidden_of(s);
        }
        if self.is_finite() {
            Ok(())
        } else {
            *self = before;
            Err(Error::Overflow)
        }
    }
}

impl<const H: usize, const S: usize, const U: usize> Default for State<H, S, U> {
    fn default() -> Self {
        Self::new()
    }
}

/// A recurrent network baked into flash: the struct behind every generated `MODEL`.
///
/// Type parameters: the cell `K` with `G` gates and `S` state vectors, the frontend `F` producing
/// `I` inputs, `H` hidden units, `1 + U` layers and `C` outputs. Application code never spells
/// them: baked models come with the aliases `model::Network` and `model::State`. Its methods
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
pub struct Network<
    K,
    F,
    const G: usize,
    const S: usize,
    const I: usize,
    const H: usize,
    const U: usize,
    const C: usize,
> {
    /// The cell equations used by every layer.
    pub cell: PhantomData<K>,
    /// Turns a token or a sample into the first layer's input.
    pub frontend: F,
    /// Layer 0, reading the frontend's `I` values.
    pub first: Layer<G, I, H>,
    /// Layers 1 to `U`, each reading the `h` of the layer below.
    pub upper: &'static [Layer<G, H, H>; U],
    /// The output layer.
    pub head: Linear<H, C>,
    /// The activation after the output layer.
    pub activation: Activation,
    /// What the model was trained for.
    pub task: Task,
    /// One label per output.
    pub labels: &'static [&'static str; C],
}

impl<
        K,
        F,
        const G: usize,
        const S: usize,
        const I: usize,
        const H: usize,
        const U: usize,
        const C: usize,
    > Recurrent for Network<K, F, G, S, I, H, U, C>
where
    K: Cell<G, S>,
    F: Frontend<I>,
{
    type State = State<H, S, U>;
    type Input<'a> = F::Item<'a>;
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

    /// The layers, the head, and the embedding table of an embedding frontend.
    fn weight_bytes(&self) -> usize {
        let upper: usize = self.upper.iter().map(Layer::weight_bytes).sum();
        self.frontend.weight_bytes() + self.first.weight_bytes() + upper + self.head.weight_bytes()
    }

    fn advance(&self, item: F::Item<'_>, state: &mut State<H, S, U>) -> Result<(), Error> {
        let mut scratch = self.frontend.scratch();
        let input = self.frontend.encode(item, &mut scratch)?;
        state.advance::<K, G, I>(&self.first, self.upper, input)
    }

    fn read(&self, state: &State<H, S, U>, activate: bool) -> Result<Output<C>, Error> {
        head_output(
            self.head.forward(state.hidden()),
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
