//! The plumbing every streaming model kind shares. A kind (`Network`, `QNetwork`,
//! `ConvNetwork`, `Generative`) says only what is its own — one step, the head, its labels and
//! sizes — by implementing [`Recurrent`]; the blanket impls below give it [`Model`],
//! [`StreamingModel`] and [`Logits`], so the sequence loop of `classify`, the empty-input rule
//! and the delegations exist once, and a new kind cannot get them subtly different.
//!
//! `Recurrent` lives in this private module: users name the public traits, never this one.

use crate::error::Error;
use crate::frontend::TextFrontend;
use crate::generate::Logits;
use crate::head::{Activation, Output};
use crate::model::{Model, Prediction, StreamingModel, Task, TextModel};
use crate::vocab::Vocabulary;

/// What a streaming model kind provides; everything else is derived from it.
pub trait Recurrent {
    /// [`Model::State`].
    type State: Clone + Default;
    /// [`Model::Input`].
    type Input<'a>: Copy;
    /// [`Model::Output`].
    type Output: Prediction + Copy;
    /// What turns an input item into the first layer's values. A kind whose frontend is a
    /// [`TextFrontend`] and whose items are token ids is a [`TextModel`] (the blanket impl
    /// below), so "has a vocabulary" is decided once, by the frontend.
    type Front;

    /// The frontend.
    fn frontend(&self) -> &Self::Front;

    /// One step ([`StreamingModel::step`]); on error `state` is left unchanged.
    fn advance(&self, item: Self::Input<'_>, state: &mut Self::State) -> Result<(), Error>;

    /// The head on the current state: after the activation when `activate`
    /// ([`StreamingModel::output`]), the raw scores otherwise ([`Logits::logits`]).
    fn read(&self, state: &Self::State, activate: bool) -> Result<Self::Output, Error>;

    /// [`Model::labels`].
    fn labels(&self) -> &'static [&'static str];

    /// [`Model::task`].
    fn task(&self) -> Task;

    /// [`Model::weight_bytes`].
    fn weight_bytes(&self) -> usize;

    /// Whether a sequence of `items` elements that left `state` gave the recurrent layers at
    /// least one step: an empty sequence is [`Error::EmptyInput`]. A convolution front-end
    /// overrides it (a sequence shorter than its window gives no step).
    fn stepped(&self, _state: &Self::State, items: usize) -> bool {
        items > 0
    }
}

/// The head's values after `activation` (if `activate`) as an [`Output`] with `labels`;
/// [`Error::Overflow`] if a value is not finite. Every kind's head ends here.
pub(crate) fn head_output<const C: usize>(
    mut values: [f32; C],
    activation: Activation,
    activate: bool,
    labels: &'static [&'static str; C],
) -> Result<Output<C>, Error> {
    if activate {
        activation.apply(&mut values);
    }
    Output::new(values, labels)
}

impl<M: Recurrent> Model for M {
    type State = M::State;
    type Input<'a> = M::Input<'a>;
    type Output = M::Output;

    fn labels(&self) -> &'static [&'static str] {
        Recurrent::labels(self)
    }

    fn task(&self) -> Task {
        Recurrent::task(self)
    }

    fn weight_bytes(&self) -> usize {
        Recurrent::weight_bytes(self)
    }

    fn classify<'a>(
        &self,
        items: impl IntoIterator<Item = M::Input<'a>>,
        state: &mut M::State,
    ) -> Result<M::Output, Error> {
        *state = M::State::default();
        let mut count = 0usize;
        for item in items {
            self.advance(item, state)?;
            count += 1;
        }
        if !self.stepped(state, count) {
            return Err(Error::EmptyInput);
        }
        self.read(state, true)
    }
}

impl<M: Recurrent> StreamingModel for M {
    fn step(&self, item: M::Input<'_>, state: &mut M::State) -> Result<(), Error> {
        self.advance(item, state)
    }

    fn output(&self, state: &M::State) -> Result<M::Output, Error> {
        self.read(state, true)
    }
}

impl<M: Recurrent> Logits for M {
    fn logits(&self, state: &M::State) -> Result<M::Output, Error> {
        self.read(state, false)
    }
}

impl<M> TextModel for M
where
    M: for<'a> Recurrent<Input<'a> = usize>,
    M::Front: TextFrontend,
{
    fn vocabulary(&self) -> &Vocabulary {
        self.frontend().vocabulary()
    }
}
