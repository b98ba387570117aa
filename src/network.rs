//! The recurrent network every baked model is: frontend → stacked layers → head, and the
//! caller-owned state it runs on.

use core::marker::PhantomData;

use crate::cell::Cell;
use crate::error::Error;
use crate::frontend::{Frontend, TextFrontend};
use crate::head::{Activation, Linear, Output};
use crate::layer::{Layer, LayerInput};
use crate::model::{Model, StreamingModel, Task, TextModel};
use crate::vocab::Vocabulary;

/// The recurrent state of a network with `1 + U` layers: `S` vectors of `H` values per layer
/// (`h`, and `c` for the LSTM). It belongs to the caller, so it can live in a `static` and carry a
/// stream across calls.
///
/// `U` counts the layers above the first one and is the same parameter as in [`Network`], so a
/// state always has exactly one slot per layer of its network: a mismatch does not compile.
/// Baked models name their state `model::State`, so user code never spells the sizes.
///
/// ```
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

    /// Whether every value is finite. [`Network::step`] never leaves a state that is not (it
    /// undoes an overflowing step and reports [`Error::Overflow`]).
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
/// them: baked models come with the aliases `model::Network` and `model::State`, and generic
/// code uses the [`Model`], [`StreamingModel`] and [`TextModel`] traits, which `Network`
/// implements (its inherent methods are the same, callable without importing the traits).
///
/// ```
/// use tinyrnn::models::seed;
///
/// let mut state = seed::State::new();
/// let out = seed::MODEL.classify_text("i am very good", &mut state).unwrap();
/// println!("{} ({:.2})", out.label(), out.score());
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
    > Network<K, F, G, S, I, H, U, C>
where
    K: Cell<G, S>,
    F: Frontend<I>,
{
    /// Feeds one token or sample, advancing `state` by one step.
    ///
    /// On error (a token id out of range, a NaN sample, [`Error::Overflow`]) `state` is left
    /// unchanged.
    ///
    /// ```
    /// use tinyrnn::models::motion;
    ///
    /// // Stream accelerometer + gyroscope samples as they arrive, then read the head.
    /// let mut state = motion::State::new();
    /// for _ in 0..50 {
    ///     let sample = [0.1f32, -0.3, 9.8, 0.0, 0.01, 0.0];
    ///     motion::MODEL.step(&sample, &mut state)?;
    /// }
    /// let before = state;
    /// assert!(motion::MODEL.step(&[f32::NAN; 6], &mut state).is_err());
    /// assert_eq!(state, before);
    /// println!("{}", motion::MODEL.output(&state)?.label());
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn step(&self, item: F::Item<'_>, state: &mut State<H, S, U>) -> Result<(), Error> {
        let mut scratch = self.frontend.scratch();
        let input = self.frontend.encode(item, &mut scratch)?;
        state.advance::<K, G, I>(&self.first, self.upper, input)
    }

    /// [`step`](Self::step), then the head's output for this step (sequence tagging, N→N).
    ///
    /// ```
    /// use tinyrnn::models::seed;
    ///
    /// let mut state = seed::State::new();
    /// let vocab = seed::MODEL.vocabulary();
    /// for word in ["this", "is", "very", "good"] {
    ///     let out = seed::MODEL.step_output(vocab.id(word), &mut state)?;
    ///     println!("after {word:?}: {} {:.2}", out.label(), out.score());
    /// }
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn step_output(
        &self,
        item: F::Item<'_>,
        state: &mut State<H, S, U>,
    ) -> Result<Output<C>, Error> {
        StreamingModel::step_output(self, item, state)
    }

    /// Bytes of weights the network reads from flash: the layers, the head, and the embedding
    /// table of an embedding frontend.
    ///
    /// ```
    /// use tinyrnn::models::motion;
    /// assert_eq!(motion::MODEL.weight_bytes(), motion::WEIGHT_BYTES);
    /// ```
    pub fn weight_bytes(&self) -> usize {
        let upper: usize = self.upper.iter().map(Layer::weight_bytes).sum();
        self.frontend.weight_bytes() + self.first.weight_bytes() + upper + self.head.weight_bytes()
    }

    /// The head's output for the current state, after the activation; [`Error::Overflow`] if
    /// an output value is not finite (a model with extreme head weights), never a label picked
    /// from NaNs.
    ///
    /// ```
    /// use tinyrnn::models::seed;
    ///
    /// let mut state = seed::State::new();
    /// seed::MODEL.feed_text("i am happy", &mut state)?;
    /// let out = seed::MODEL.output(&state)?;
    /// assert!((out.values().iter().sum::<f32>() - 1.0).abs() < 1e-5); // softmax
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn output(&self, state: &State<H, S, U>) -> Result<Output<C>, Error> {
        let mut values = self.head.forward(state.hidden());
        self.activation.apply(&mut values);
        Output::new(values, self.labels)
    }

    /// Runs a whole sequence from the zero state and returns the output after its last element.
    ///
    /// `state` is reset first and holds the final state afterwards. An empty sequence is
    /// [`Error::EmptyInput`].
    ///
    /// ```
    /// use tinyrnn::models::{motion, seed};
    ///
    /// let mut state = seed::State::new();
    /// let vocab = seed::MODEL.vocabulary();
    /// let out = seed::MODEL.classify(vocab.encode("i am not sad"), &mut state)?;
    /// println!("{}", out.label());
    ///
    /// let series = [[0.0f32; motion::INPUTS]; 100];
    /// let mut state = motion::State::new();
    /// let out = motion::MODEL.classify(&series, &mut state)?;
    /// assert!(motion::LABELS.contains(&out.label()));
    /// assert_eq!(motion::MODEL.classify(&[], &mut state), Err(tinyrnn::Error::EmptyInput));
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn classify<'a>(
        &self,
        items: impl IntoIterator<Item = F::Item<'a>>,
        state: &mut State<H, S, U>,
    ) -> Result<Output<C>, Error> {
        state.reset();
        let mut steps = 0usize;
        for item in items {
            self.step(item, state)?;
            steps += 1;
        }
        if steps == 0 {
            return Err(Error::EmptyInput);
        }
        self.output(state)
    }
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
    > Network<K, F, G, S, I, H, U, C>
where
    K: Cell<G, S>,
    F: TextFrontend<I>,
{
    /// Tokenizes `text` with the model's rules (without allocating) and classifies it.
    ///
    /// Words missing from the vocabulary become the unknown token; a text with no token at all
    /// (empty, or only punctuation) is [`Error::EmptyInput`].
    ///
    /// ```
    /// use tinyrnn::models::seed;
    ///
    /// let mut state = seed::State::new();
    /// assert_eq!(seed::MODEL.classify_text("I am very HAPPY!", &mut state)?.label(), "positive");
    /// assert_eq!(seed::MODEL.classify_text("?!", &mut state), Err(tinyrnn::Error::EmptyInput));
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn classify_text(
        &self,
        text: &str,
        state: &mut State<H, S, U>,
    ) -> Result<Output<C>, Error> {
        TextModel::classify_text(self, text, state)
    }

    /// Streams the tokens of `text` into `state` without resetting it, returning how many
    /// tokens were fed. Use it to feed a text in pieces (for example line by line from a UART).
    ///
    /// ```
    /// use tinyrnn::models::seed;
    ///
    /// let mut state = seed::State::new();
    /// assert_eq!(seed::MODEL.feed_text("i am not", &mut state)?, 3);
    /// assert_eq!(seed::MODEL.feed_text(" happy", &mut state)?, 1);
    /// let whole = seed::MODEL.classify_text("i am not happy", &mut seed::State::new())?;
    /// assert_eq!(seed::MODEL.output(&state)?, whole);
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn feed_text(&self, text: &str, state: &mut State<H, S, U>) -> Result<usize, Error> {
        TextModel::feed_text(self, text, state)
    }

    /// The vocabulary and tokenizer rules: a word's token id is `vocabulary().id(word)`, a
    /// text's ids `vocabulary().encode(text)`.
    ///
    /// ```
    /// use tinyrnn::models::seed;
    ///
    /// let vocab = seed::MODEL.vocabulary();
    /// let happy = vocab.id("happy");
    /// assert_eq!(vocab.word(happy), Some("happy"));
    /// assert_eq!(vocab.id("zyzzyva"), vocab.unk as usize); // not in the vocabulary
    /// ```
    pub fn vocabulary(&self) -> &Vocabulary {
        self.frontend.vocabulary()
    }
}

/// A copy of a layer's hidden state `h` (the first state vector), for the layer above.
fn hidden_of<const H: usize, const S: usize>(state: &[[f32; H]; S]) -> [f32; H] {
    state.first().copied().unwrap_or([0.0; H])
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
    > Model for Network<K, F, G, S, I, H, U, C>
where
    K: Cell<G, S>,
    F: Frontend<I>,
{
    type State = State<H, S, U>;
    type Input<'a> = F::Item<'a>;
    type Output = Output<C>;

    fn labels(&self) -> &'static [&'static str] {
        self.labels
    }

    fn task(&self) -> Task {
        self.task
    }

    fn weight_bytes(&self) -> usize {
        Network::weight_bytes(self)
    }

    fn classify<'a>(
        &self,
        items: impl IntoIterator<Item = F::Item<'a>>,
        state: &mut State<H, S, U>,
    ) -> Result<Output<C>, Error> {
        Network::classify(self, items, state)
    }
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
    > StreamingModel for Network<K, F, G, S, I, H, U, C>
where
    K: Cell<G, S>,
    F: Frontend<I>,
{
    fn step(&self, item: F::Item<'_>, state: &mut State<H, S, U>) -> Result<(), Error> {
        Network::step(self, item, state)
    }

    fn output(&self, state: &State<H, S, U>) -> Result<Output<C>, Error> {
        Network::output(self, state)
    }
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
    > TextModel for Network<K, F, G, S, I, H, U, C>
where
    K: Cell<G, S>,
    F: TextFrontend<I>,
{
    fn vocabulary(&self) -> &Vocabulary {
        self.frontend.vocabulary()
    }
}
