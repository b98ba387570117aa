//! The one error type of the inference path.

use core::fmt;

/// Why a step or a classification could not run.
///
/// The inference path never panics: every input it cannot use is reported here and the
/// caller's [`State`](crate::State) is left as it was before the failing step.
///
/// ```
/// use tinyrnn::Error;
/// let e = Error::TokenOutOfRange { id: 7, vocab_size: 5 };
/// assert_eq!(e.to_string(), "token id 7 is out of range for a vocabulary of 5");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// The sequence had no element, or the text no token (empty, or only punctuation).
    EmptyInput,
    /// A sensor sample held a NaN or an infinity at this feature index (or a value so large
    /// that normalising it overflowed).
    NonFinite {
        /// Index of the offending feature within the sample.
        feature: usize,
    },
    /// The arithmetic left the finite range: a state or output value would have become NaN or
    /// infinite (finite but extreme samples, or a model with extreme weights). The state is
    /// left as it was before the step, so no NaN is ever carried on or turned into a label.
    Overflow,
    /// A token id was not smaller than the vocabulary size.
    TokenOutOfRange {
        /// The id that was given.
        id: usize,
        /// The number of entries in the model's vocabulary.
        vocab_size: usize,
    },
    /// The sequence had more elements than a model that must see all of them before it
    /// answers (a bidirectional one) has room for in its state.
    TooLong {
        /// The most elements the state holds (the model file's `max_steps`).
        max_steps: usize,
    },
    /// A generative model was asked for a condition (class) it does not have.
    ClassOutOfRange {
        /// The condition index that was given.
        class: usize,
        /// The number of conditions of the model.
        classes: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::EmptyInput => f.write_str("the input is empty (no token or sample to read)"),
            Error::NonFinite { feature } => {
                write!(f, "sample feature {feature} is NaN or infinite")
            }
            Error::Overflow => f.write_str(
                "the model's arithmetic overflowed (a state or output value was not finite)",
            ),
            Error::TokenOutOfRange { id, vocab_size } => {
                write!(
                    f,
                    "token id {id} is out of range for a vocabulary of {vocab_size}"
                )
            }
            Error::TooLong { max_steps } => write!(
                f,
                "the sequence is longer than the {max_steps} steps the model's state holds"
            ),
            Error::ClassOutOfRange { class, classes } => {
                write!(
                    f,
                    "condition {class} is out of range for a model with {classes}"
                )
            }
        }
    }
}

impl core::error::Error for Error {}
