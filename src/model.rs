//! A whole model: frontend → stacked layers → head, and the caller-owned state it runs on.

use core::marker::PhantomData;

use crate::cell::Cell;
use crate::error::Error;
use crate::frontend::{Frontend, TextFrontend};
use crate::head::{Activation, Linear, Output};
use crate::layer::{Layer, LayerInput};

/// What the model was trained for (the `task` field of the model file).
///
/// ```
/// assert_ne!(tinyrnn::Task::Classify, tinyrnn::Task::Tag);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Task {
    /// One label per sequence, read after the last step (N→1).
    Classify,
    /// One label per step (N→N): read [`Model::step_output`] after every step.
    Tag,
    /// Real-valued outputs per sequence, read after the last step.
    Regress,
}

/// The recurrent state of all `L` layers: `S` vectors of `H` values each (`h`, and `c` for the
/// LSTM). It belongs to the caller, so it can live in a `static` and carry a stream across calls.
///
/// ```
/// // A 2-layer LSTM with 16 hidden units keeps [h, c] per layer.
/// static mut STATE: tinyrnn::State<16, 2, 2> = tinyrnn::State::new();
/// let mut state = tinyrnn::State::<16, 2, 2>::new();
/// assert_eq!(state.hidden(), &[0.0; 16]);
/// state.reset();
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct State<const H: usize, const S: usize, const L: usize> {
    layers: [[[f32; H]; S]; L],
}

impl<const H: usize, const S: usize, const L: usize> State<H, S, L> {
    /// The all-zero state every sequence starts from.
    pub const fn new() -> Self {
        State {
            layers: [[[0.0; H]; S]; L],
        }
    }

    /// Returns to the all-zero state, to start a new sequence.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// The top layer's hidden state `h`: what the head reads.
    pub fn hidden(&self) -> &[f32; H] {
        const {
            assert!(
                L > 0 && S > 0,
                "a state needs at least one layer and one vector"
            )
        };
        match self.layers.last().and_then(|layer| layer.first()) {
            Some(h) => h,
            None => &[0.0; H],
        }
    }

    /// The state vectors of every layer, bottom first: `[layer][h, c][unit]`.
    pub fn layers(&self) -> &[[[f32; H]; S]; L] {
        &self.layers
    }
}

impl<const H: usize, const S: usize, const L: usize> Default for State<H, S, L> {
    fn default() -> Self {
        Self::new()
    }
}

/// A recurrent model baked into flash.
///
/// Type parameters: the cell `K` with `G` gates and `S` state vectors, the frontend `F` producing
/// `I` inputs, `H` hidden units, `L` layers and `C` outputs. Baked models come with aliases for
/// the whole type and for their [`State`], so application code never spells these out:
///
/// ```
/// use tinyrnn::models::seed;
///
/// let mut state = seed::State::new();
/// let out = seed::MODEL.classify_text("i am very good", &mut state).unwrap();
/// println!("{} ({:.2})", out.label(), out.score());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Model<
    K,
    F,
    const G: usize,
    const S: usize,
    const I: usize,
    const H: usize,
    const L: usize,
    const C: usize,
> {
    /// The cell equations used by every layer.
    pub cell: PhantomData<K>,
    /// Turns a token or a sample into the first layer's input.
    pub frontend: F,
    /// Layer 0, reading the frontend's `I` values.
    pub first: Layer<G, I, H>,
    /// Layers 1 to `L - 1`, each reading the `h` of the layer below.
    pub upper: &'static [Layer<G, H, H>],
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
        const L: usize,
        const C: usize,
    > Model<K, F, G, S, I, H, L, C>
where
    K: Cell<G, S>,
    F: Frontend<I>,
{
    /// Feeds one token or sample, advancing `state` by one step.
    ///
    /// On error (a token id out of range, a NaN sample) `state` is left unchanged.
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
    /// println!("{}", motion::MODEL.output(&state).label());
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn step(&self, item: F::Item<'_>, state: &mut State<H, S, L>) -> Result<(), Error> {
        let mut scratch = self.frontend.scratch();
        let input = self.frontend.encode(item, &mut scratch)?;
        let mut layers = state.layers.iter_mut();
        let Some(bottom) = layers.next() else {
            return Ok(());
        };
        self.first.step::<K, S>(input, bottom);
        // Copied so that the layer above can read it while its own state is borrowed mutably.
        let mut below = bottom[0];
        for (layer, s) in self.upper.iter().zip(layers) {
            layer.step::<K, S>(LayerInput::Dense(&below), s);
            below = s[0];
        }
        Ok(())
    }

    /// [`step`](Self::step), then the head's output for this step (sequence tagging, N→N).
    ///
    /// ```
    /// use tinyrnn::models::seed;
    ///
    /// let mut state = seed::State::new();
    /// let vocab = seed::MODEL.frontend.vocab;
    /// for word in ["this", "is", "very", "good"] {
    ///     let out = seed::MODEL.step_output(vocab.id(word), &mut state)?;
    ///     println!("after {word:?}: {} {:.2}", out.label(), out.score());
    /// }
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn step_output(
        &self,
        item: F::Item<'_>,
        state: &mut State<H, S, L>,
    ) -> Result<Output<C>, Error> {
        self.step(item, state)?;
        Ok(self.output(state))
    }

    /// The head's output for the current state, after the activation.
    ///
    /// ```
    /// use tinyrnn::models::seed;
    ///
    /// let mut state = seed::State::new();
    /// seed::MODEL.feed_text("i am happy", &mut state)?;
    /// let out = seed::MODEL.output(&state);
    /// assert!((out.values.iter().sum::<f32>() - 1.0).abs() < 1e-5); // softmax
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn output(&self, state: &State<H, S, L>) -> Output<C> {
        let mut values = self.head.forward(state.hidden());
        self.activation.apply(&mut values);
        Output {
            values,
            labels: self.labels,
        }
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
    /// let vocab = seed::MODEL.frontend.vocab;
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
        state: &mut State<H, S, L>,
    ) -> Result<Output<C>, Error>
    where
        F: 'a,
    {
        state.reset();
        let mut steps = 0usize;
        for item in items {
            self.step(item, state)?;
            steps += 1;
        }
        if steps == 0 {
            return Err(Error::EmptyInput);
        }
        Ok(self.output(state))
    }
}

impl<
        K,
        F,
        const G: usize,
        const S: usize,
        const I: usize,
        const H: usize,
        const L: usize,
        const C: usize,
    > Model<K, F, G, S, I, H, L, C>
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
        state: &mut State<H, S, L>,
    ) -> Result<Output<C>, Error> {
        let vocab = self.frontend.vocabulary();
        self.classify(vocab.encode(text), state)
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
    /// assert_eq!(seed::MODEL.output(&state), whole);
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn feed_text(&self, text: &str, state: &mut State<H, S, L>) -> Result<usize, Error> {
        let mut steps = 0;
        for id in self.frontend.vocabulary().encode(text) {
            self.step(id, state)?;
            steps += 1;
        }
        Ok(steps)
    }
}
