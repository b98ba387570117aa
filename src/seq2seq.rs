//! Sequence to sequence (N→M): an encoder reads the N input tokens, a decoder started from the
//! encoder's final state emits output tokens one at a time, each fed back as its next input,
//! until it emits the end token or the caller's buffer is full. Grapheme to phoneme conversion
//! is one: the letters of a word in, its phonemes out.
//!
//! | item | what |
//! |---|---|
//! | [`Seq2SeqModel`] | the trait: [`translate`](Seq2SeqModel::translate), [`translate_text`](Seq2SeqModel::translate_text), the [`decoder`](Seq2SeqModel::decoder) iterator, the target vocabulary |
//! | [`Seq2Seq`] | the struct behind a baked sequence-to-sequence `MODEL`: two [`Network`](crate::Network)s |
//! | [`Decoder`] | the iterator of decoded tokens (greedy) |
//!
//! **The state passes as PyTorch users pass it**: the decoder's initial state is the encoder's
//! final state, every layer's `h` (and an LSTM's `c`), so the encoder and the decoder have the
//! same cell, layer count and hidden size, and share one caller-owned `State`. The decoder reads
//! the start token first, then each token it emitted; each step's token is the one with the
//! largest score (greedy decoding, the first one on ties).
//!
//! The model also implements [`Model`], [`StreamingModel`] and [`TextModel`] over its *input*:
//! [`step`](StreamingModel::step) feeds one input token to the encoder (from a UART, say), and
//! [`output`](StreamingModel::output) is the distribution of the first output token given the
//! input so far.
//!
//! ```
//! use tinyrnn::models::g2p;
//! use tinyrnn::Seq2SeqModel;
//!
//! let mut state = g2p::State::new();
//! let mut phonemes = [0usize; 24];
//! let n = g2p::MODEL.translate_text("robot", &mut state, &mut phonemes)?; // letters in
//! for &id in &phonemes[..n] {
//!     print!("{} ", g2p::MODEL.targets().word(id).unwrap_or("?")); // R OW B AA T
//! }
//! let target = g2p::MODEL.targets();
//! let spoken: Vec<&str> = phonemes[..n].iter().filter_map(|&id| target.word(id)).collect();
//! assert_eq!(spoken, ["R", "OW", "B", "AA", "T"]);
//! # Ok::<(), tinyrnn::Error>(())
//! ```

use crate::error::Error;
use crate::generate::{feed_back, Logits};
use crate::head::argmax;
use crate::model::{Model, StreamingModel, Task, TextModel};
use crate::vocab::Vocabulary;

/// A baked sequence-to-sequence model: an `encoder` network over the input vocabulary (without
/// a head: it has no outputs) and a `decoder` network over the output vocabulary, whose head
/// scores the next output token. Both have the same state type.
///
/// Application code never spells `E` and `D` (`model::Model` is the alias) and calls
/// [`Seq2SeqModel`]; the networks are `MODEL.encoder` and `MODEL.decoder`.
///
/// ```
/// use tinyrnn::models::g2p;
/// use tinyrnn::{Model, TextModel};
/// assert_eq!(g2p::MODEL.encoder.vocabulary().word(g2p::MODEL.vocabulary().id("q")), Some("q"));
/// assert_eq!(g2p::MODEL.labels(), g2p::MODEL.decoder.labels());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Seq2Seq<E: 'static, D: 'static> {
    /// Reads the input tokens: embedding (or one-hot), layers, no head.
    pub encoder: &'static E,
    /// Emits the output tokens: embedding of the output vocabulary, layers, head over it.
    pub decoder: &'static D,
    /// The output token the decoder reads first.
    pub start_id: usize,
    /// The output token that ends a decoded sequence (not emitted).
    pub end_id: usize,
}

impl<E, D> Model for Seq2Seq<E, D>
where
    E: TextModel,
    D: TextModel<State = E::State> + StreamingModel,
{
    type State = E::State;
    type Input<'a> = usize;
    type Output = D::Output;

    /// The output vocabulary: output `i` of the decoder scores token `i`.
    fn labels(&self) -> &'static [&'static str] {
        self.decoder.labels()
    }

    fn task(&self) -> Task {
        Task::Seq2Seq
    }

    fn weight_bytes(&self) -> usize {
        self.encoder.weight_bytes() + self.decoder.weight_bytes()
    }

    /// Encodes `items` from the zero state and returns the distribution of the first output
    /// token; [`Seq2SeqModel::translate`] decodes the whole output.
    fn classify<'a>(
        &self,
        items: impl IntoIterator<Item = Self::Input<'a>>,
        state: &mut Self::State,
    ) -> Result<Self::Output, Error> {
        self.encoder.classify(items, state)?;
        first_output(self, state)
    }
}

/// The decoder's softmax after the start token, on a copy of `state`.
fn first_output<E, D>(model: &Seq2Seq<E, D>, state: &E::State) -> Result<D::Output, Error>
where
    E: TextModel,
    D: TextModel<State = E::State> + StreamingModel,
{
    let mut decoding = state.clone();
    model.decoder.step(model.start_id, &mut decoding)?;
    model.decoder.output(&decoding)
}

impl<E, D> StreamingModel for Seq2Seq<E, D>
where
    E: TextModel + StreamingModel,
    D: TextModel<State = E::State> + StreamingModel,
{
    /// Feeds one input token to the encoder.
    fn step(&self, item: usize, state: &mut Self::State) -> Result<(), Error> {
        self.encoder.step(item, state)
    }

    /// The distribution of the first output token given the input read so far (the decoder
    /// runs on a copy of `state`, which stays the encoder's).
    fn output(&self, state: &Self::State) -> Result<Self::Output, Error> {
        first_output(self, state)
    }
}

impl<E, D> TextModel for Seq2Seq<E, D>
where
    E: TextModel,
    D: TextModel<State = E::State> + StreamingModel,
{
    /// The input vocabulary and its tokenizer.
    fn vocabulary(&self) -> &Vocabulary {
        self.encoder.vocabulary()
    }
}

/// A sequence-to-sequence model: [`translate`](Self::translate) encodes input token ids and
/// decodes output token ids into a caller buffer, without allocating.
///
/// Every baked model whose file says `"task": "seq2seq"` implements it; generic code needs no
/// size parameter:
///
/// ```
/// use tinyrnn::Seq2SeqModel;
///
/// /// The output of `text`, as the output vocabulary's words separated by spaces.
/// fn spell<M: Seq2SeqModel>(model: &M, text: &str) -> Result<String, tinyrnn::Error> {
///     let mut state = M::State::default();
///     let mut out = [0usize; 32];
///     let n = model.translate_text(text, &mut state, &mut out)?;
///     let words: Vec<&str> = out[..n].iter().filter_map(|&id| model.targets().word(id)).collect();
///     Ok(words.join(" "))
/// }
///
/// assert_eq!(spell(&tinyrnn::models::g2p::MODEL, "cat")?, "K AE T");
/// # Ok::<(), tinyrnn::Error>(())
/// ```
pub trait Seq2SeqModel: StreamingModel + TextModel {
    /// The output vocabulary: the decoder's token ids and their names (`word(id)`).
    fn targets(&self) -> &Vocabulary;

    /// The output token the decoder reads first.
    fn start_id(&self) -> usize;

    /// The output token that ends a decoded sequence: emitting it stops decoding, and it is not
    /// part of the output.
    fn end_id(&self) -> usize;

    /// One decoder step: feeds the output token `token` and returns the scores (logits, before
    /// the softmax) of the next one. On error (`token` out of range, [`Error::Overflow`])
    /// `state` is left unchanged.
    fn decode_step(&self, token: usize, state: &mut Self::State) -> Result<Self::Output, Error>;

    /// Encodes `items` from the zero state: `state` is reset, then holds the encoder's final
    /// state, which the decoder starts from. Returns how many tokens were read; none is
    /// [`Error::EmptyInput`], a token id out of range [`Error::TokenOutOfRange`].
    fn encode(
        &self,
        items: impl IntoIterator<Item = usize>,
        state: &mut Self::State,
    ) -> Result<usize, Error> {
        *state = Self::State::default();
        let mut n = 0;
        for item in items {
            self.step(item, state)?;
            n += 1;
        }
        if n == 0 {
            return Err(Error::EmptyInput);
        }
        Ok(n)
    }

    /// The iterator of decoded tokens from `state` (the encoder's final state, after
    /// [`encode`](Self::encode)): it yields `Ok(id)` per token and ends after the end token
    /// (not yielded) or after an error. Bound its length with [`Iterator::take`]: a model can
    /// in principle decode forever.
    fn decoder<'a>(&'a self, state: &'a mut Self::State) -> Decoder<'a, Self>
    where
        Self: Sized,
    {
        Decoder {
            model: self,
            state,
            next: Some(self.start_id()),
        }
    }

    /// Encodes `items`, then decodes into `out` until the end token or until `out` is full,
    /// and returns how many tokens were written (the end token is not). Allocation-free: the
    /// caller owns `out` and `state`.
    ///
    /// A return value equal to `out.len()` means the buffer filled up: the output may have
    /// been cut (with [`decoder`](Self::decoder), one more `next()` tells).
    fn translate(
        &self,
        items: impl IntoIterator<Item = usize>,
        state: &mut Self::State,
        out: &mut [usize],
    ) -> Result<usize, Error>
    where
        Self: Sized,
    {
        self.encode(items, state)?;
        let limit = out.len();
        let mut n = 0;
        for (slot, token) in out.iter_mut().zip(self.decoder(state).take(limit)) {
            *slot = token?;
            n += 1;
        }
        Ok(n)
    }

    /// [`translate`](Self::translate) of the tokens of `text`, cut by the input vocabulary's
    /// tokenizer (a grapheme-to-phoneme model reads one token per character). A text with no
    /// token is [`Error::EmptyInput`].
    fn translate_text(
        &self,
        text: &str,
        state: &mut Self::State,
        out: &mut [usize],
    ) -> Result<usize, Error>
    where
        Self: Sized,
    {
        self.translate(self.vocabulary().encode(text), state, out)
    }
}

impl<E, D> Seq2SeqModel for Seq2Seq<E, D>
where
    E: TextModel + StreamingModel,
    D: TextModel<State = E::State> + Logits,
{
    fn targets(&self) -> &Vocabulary {
        self.decoder.vocabulary()
    }

    fn start_id(&self) -> usize {
        self.start_id
    }

    fn end_id(&self) -> usize {
        self.end_id
    }

    fn decode_step(&self, token: usize, state: &mut Self::State) -> Result<D::Output, Error> {
        let before = state.clone();
        self.decoder.step(token, state)?;
        self.decoder.logits(state).inspect_err(|_| *state = before)
    }
}

/// The output tokens of one decoding, one decoder step each: see [`Seq2SeqModel::decoder`].
///
/// ```
/// use tinyrnn::models::g2p;
/// use tinyrnn::{Seq2SeqModel, TextModel};
///
/// let mut state = g2p::State::new();
/// g2p::MODEL.encode(g2p::MODEL.vocabulary().encode("zoo"), &mut state)?;
/// let first = g2p::MODEL.decoder(&mut state).next().transpose()?;
/// assert_eq!(first.and_then(|id| g2p::MODEL.targets().word(id)), Some("Z"));
/// # Ok::<(), tinyrnn::Error>(())
/// ```
#[derive(Debug)]
pub struct Decoder<'a, M: Seq2SeqModel> {
    model: &'a M,
    state: &'a mut M::State,
    /// The token to feed at the next step; `None` once the sequence has ended.
    next: Option<usize>,
}

impl<M: Seq2SeqModel> Decoder<'_, M> {
    /// The state after the last step.
    pub fn state(&self) -> &M::State {
        self.state
    }
}

impl<M: Seq2SeqModel> Iterator for Decoder<'_, M> {
    type Item = Result<usize, Error>;

    fn next(&mut self) -> Option<Result<usize, Error>> {
        let (model, state) = (self.model, &mut *self.state);
        feed_back(
            &mut self.next,
            model.end_id(),
            |input| model.decode_step(input, state),
            |scores| argmax(scores).unwrap_or(0),
        )
    }
}
