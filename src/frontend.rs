//! What a model reads at each step: a token through an embedding, a one-hot token, or a dense
//! sensor sample with the normalisation stored in the model.

use crate::error::Error;
use crate::layer::LayerInput;
use crate::vocab::Vocabulary;

/// Turns one element of the input sequence into the input of the first layer: `I` values of
/// type `T` — `f32`, or `i16` fixed point for an int8 model (the frontends of
/// [`quant`](crate::quant)).
///
/// ```
/// use tinyrnn::{Frontend, LayerInput, Normalize};
/// static MEAN: [f32; 2] = [1.0, 2.0];
/// static STD: [f32; 2] = [2.0, 4.0];
/// let norm = Normalize { mean: &MEAN, std: &STD };
/// let mut scratch = norm.scratch();
/// let input = norm.encode(&[3.0, 0.0], &mut scratch).unwrap();
/// assert_eq!(input, LayerInput::Dense(&[1.0, -0.5]));
/// ```
pub trait Frontend<const I: usize, T = f32> {
    /// One element of the sequence: a token id or a reference to a sample.
    type Item<'a>: Copy;

    /// Stack space a step needs to compute the input vector: `[T; I]` for normalised samples
    /// and int8 embedding rows, `()` for inputs read from flash as they are (so a one-hot
    /// model over a large vocabulary costs no stack for its input).
    type Scratch;

    /// A scratch value for [`encode`](Self::encode).
    fn scratch(&self) -> Self::Scratch;

    /// Encodes `item` as the first layer's input, using `scratch` when a vector has to be
    /// computed; [`Error::TokenOutOfRange`] or [`Error::NonFinite`] for an element the model
    /// cannot read.
    fn encode<'a>(
        &'a self,
        item: Self::Item<'_>,
        scratch: &'a mut Self::Scratch,
    ) -> Result<LayerInput<'a, I, T>, Error>;

    /// Bytes of weights the frontend reads from flash (an embedding table, with its scales for
    /// int8; 0 otherwise).
    fn weight_bytes(&self) -> usize {
        0
    }
}

/// The input vector as it comes: the frontend of the recurrent part of a
/// [`ConvNetwork`](crate::ConvNetwork), whose first layer reads the convolution's outputs (`f32`
/// values, or `i16` in Q12 for an int8 model). One copy of the vector per step.
///
/// ```
/// use tinyrnn::frontend::Passthrough;
/// use tinyrnn::{Frontend, LayerInput};
/// let x = [1.5f32, -2.0];
/// assert_eq!(Passthrough.encode(&x, &mut [0.0; 2]), Ok(LayerInput::Dense(&x)));
/// let q = [7i16, 8];
/// assert_eq!(Passthrough.encode(&q, &mut [0; 2]), Ok(LayerInput::Dense(&q)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Passthrough;

impl<const I: usize, T: Copy + Default + 'static> Frontend<I, T> for Passthrough {
    type Item<'a> = &'a [T; I];
    type Scratch = [T; I];

    fn scratch(&self) -> [T; I] {
        [T::default(); I]
    }

    fn encode<'a>(
        &'a self,
        x: &[T; I],
        buf: &'a mut [T; I],
    ) -> Result<LayerInput<'a, I, T>, Error> {
        *buf = *x;
        Ok(LayerInput::Dense(buf))
    }
}

/// A frontend that reads token ids and knows how to tokenize text: a model built on one is a
/// [`TextModel`](crate::TextModel), whatever its cells and weights (f32 or int8).
///
/// ```
/// use tinyrnn::models::{seed, seed_int8};
/// use tinyrnn::{TextFrontend, TextModel};
///
/// let words = seed::MODEL.frontend.vocabulary();
/// assert_eq!(words.id("happy"), seed::MODEL.vocabulary().id("happy"));
/// // The int8 variant tokenizes with the same vocabulary.
/// assert_eq!(seed_int8::MODEL.frontend.vocabulary().id("happy"), words.id("happy"));
/// ```
pub trait TextFrontend {
    /// The vocabulary and tokenizer rules of the model.
    fn vocabulary(&self) -> &Vocabulary;
}

/// Token ids through an embedding table of `V` rows of `E` values (`embedding.weight`).
///
/// ```
/// use tinyrnn::{Embedding, Frontend, LayerInput, Split, Tokenizer, Vocabulary};
/// static TABLE: [[f32; 2]; 2] = [[0.0, 0.0], [0.5, -0.5]];
/// let vocab = Vocabulary { text: "<unk>hi", ends: &[5, 7], sorted: &[0, 1], unk: 0, pad: None,
///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0, negation: 0, stem: false } };
/// let emb = Embedding { table: &TABLE, vocab };
/// assert_eq!(emb.encode(1, &mut ()), Ok(LayerInput::Dense(&[0.5, -0.5])));
/// assert!(emb.encode(2, &mut ()).is_err());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Embedding<const V: usize, const E: usize> {
    /// `embedding.weight`: (token, feature).
    pub table: &'static [[f32; E]; V],
    /// The vocabulary whose ids index `table`.
    pub vocab: Vocabulary,
}

impl<const V: usize, const E: usize> Frontend<E> for Embedding<V, E> {
    type Item<'a> = usize;
    type Scratch = ();

    fn scratch(&self) {}

    fn encode<'a>(&'a self, id: usize, _: &'a mut ()) -> Result<LayerInput<'a, E>, Error> {
        let row = self
            .table
            .get(id)
            .ok_or(Error::TokenOutOfRange { id, vocab_size: V })?;
        Ok(LayerInput::Dense(row))
    }

    fn weight_bytes(&self) -> usize {
        core::mem::size_of::<f32>() * V * E
    }
}

impl<const V: usize, const E: usize> TextFrontend for Embedding<V, E> {
    fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }
}

/// Token ids as one-hot vectors of size `V`, multiplied by a column lookup: the frontend of an
/// `f32` model and of an int8 one alike (a one-hot input has no values to convert).
///
/// ```
/// use tinyrnn::{Frontend, LayerInput, OneHot, Split, Tokenizer, Vocabulary};
/// use tinyrnn::quant::QInput;
/// let vocab = Vocabulary { text: "<unk>hi", ends: &[5, 7], sorted: &[0, 1], unk: 0, pad: None,
///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0, negation: 0, stem: false } };
/// let one_hot = OneHot::<2> { vocab };
/// let mut scratch = ();
/// let input: LayerInput<'_, 2> = one_hot.encode(1, &mut scratch)?;
/// assert_eq!(input, LayerInput::OneHot(1));
/// let int8_input: QInput<'_, 2> = one_hot.encode(1, &mut scratch)?;
/// assert_eq!(int8_input, QInput::OneHot(1));
/// # Ok::<(), tinyrnn::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct OneHot<const V: usize> {
    /// The vocabulary whose ids are the one-hot positions.
    pub vocab: Vocabulary,
}

impl<const V: usize, T> Frontend<V, T> for OneHot<V> {
    type Item<'a> = usize;
    type Scratch = ();

    fn scratch(&self) {}

    fn encode<'a>(&'a self, id: usize, _: &'a mut ()) -> Result<LayerInput<'a, V, T>, Error> {
        if id < V {
            Ok(LayerInput::OneHot(id))
        } else {
            Err(Error::TokenOutOfRange { id, vocab_size: V })
        }
    }
}

impl<const V: usize> TextFrontend for OneHot<V> {
    fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }
}

/// Dense samples of `F` features, normalised as `(x - mean) / std` with the training split's
/// statistics. A NaN or infinite feature (before or after normalising) is an error.
///
/// ```
/// use tinyrnn::{Error, Frontend, Normalize};
/// static MEAN: [f32; 1] = [0.0];
/// static STD: [f32; 1] = [1.0];
/// let norm = Normalize { mean: &MEAN, std: &STD };
/// assert_eq!(norm.encode(&[f32::NAN], &mut [0.0]), Err(Error::NonFinite { feature: 0 }));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Normalize<const F: usize> {
    /// Per-feature mean.
    pub mean: &'static [f32; F],
    /// Per-feature standard deviation (positive).
    pub std: &'static [f32; F],
}

impl<const F: usize> Frontend<F> for Normalize<F> {
    type Item<'a> = &'a [f32; F];
    type Scratch = [f32; F];

    fn scratch(&self) -> [f32; F] {
        [0.0; F]
    }

    fn encode<'a>(
        &'a self,
        sample: &[f32; F],
        buf: &'a mut [f32; F],
    ) -> Result<LayerInput<'a, F>, Error> {
        self.apply(sample, buf)?;
        Ok(LayerInput::Dense(buf))
    }
}

impl<const F: usize> Normalize<F> {
    /// Writes `(sample - mean) / std` into `out`; [`Error::NonFinite`] names the first
    /// feature that is NaN or infinite before or after normalising (`out` is then partly
    /// written).
    ///
    /// ```
    /// use tinyrnn::Normalize;
    /// static MEAN: [f32; 2] = [1.0, 2.0];
    /// static STD: [f32; 2] = [2.0, 4.0];
    /// let mut out = [0.0; 2];
    /// Normalize { mean: &MEAN, std: &STD }.apply(&[3.0, 0.0], &mut out)?;
    /// assert_eq!(out, [1.0, -0.5]);
    /// # Ok::<(), tinyrnn::Error>(())
    /// ```
    pub fn apply(&self, sample: &[f32; F], out: &mut [f32; F]) -> Result<(), Error> {
        let stats = self.mean.iter().zip(self.std.iter());
        for (feature, ((out, x), (mean, std))) in out.iter_mut().zip(sample).zip(stats).enumerate()
        {
            *out = (x - mean) / std;
            // Also catches a finite sample so large that normalising it overflows.
            if !out.is_finite() {
                return Err(Error::NonFinite { feature });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_that_overflows_when_normalised_is_an_error() {
        static MEAN: [f32; 2] = [0.0, -1.0];
        static STD: [f32; 2] = [1.0, 0.5];
        let norm = Normalize {
            mean: &MEAN,
            std: &STD,
        };
        let mut buf = [0.0; 2];
        assert_eq!(
            norm.encode(&[1.0, f32::MAX], &mut buf),
            Err(Error::NonFinite { feature: 1 })
        );
        assert!(norm.encode(&[1.0, 1e30], &mut buf).is_ok());
    }
}
