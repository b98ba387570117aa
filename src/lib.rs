//! # tinyrnn
//!
//! Recurrent neural networks — the Elman tanh RNN, the LSTM and the GRU, stacked, with PyTorch's
//! equations — for microcontrollers: `no_std`, no heap, no `unsafe`, and the weights compiled
//! into flash as `static` arrays by a build script.
//!
//! A model is trained on the host (with `tinyrnn-train`, or PyTorch) and saved as one
//! `.safetensors` file (see `docs/model-format.md`). `tinyrnn-build` validates the file and
//! generates a module with its weights, vocabulary and labels. This crate bakes every file in
//! its `models/` directory into [`models`]; a firmware crate bakes its own with one call in its
//! `build.rs` and [`include_model!`].
//!
//! ```
//! use tinyrnn::prelude::*;
//! use tinyrnn::models::seed;
//!
//! // The state belongs to the caller: it can live on the stack or in a `static`.
//! let mut state = seed::State::new();
//! let out = seed::MODEL.classify_text("I am very happy", &mut state)?;
//! assert_eq!(out.label(), "positive");
//!
//! // Streaming: one token at a time, with the output after each step.
//! state.reset();
//! let vocab = seed::MODEL.vocabulary();
//! for id in vocab.encode("this is not bad") {
//!     let step = seed::MODEL.step_output(id, &mut state)?;
//!     let _ = (step.label(), step.score());
//! }
//! # Ok::<(), tinyrnn::Error>(())
//! ```
//!
//! Everything that can go wrong with an input — an empty text, a token id out of range, a NaN
//! sample — is an [`Error`]; nothing on the inference path panics.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bidirectional;
pub mod cell;
pub mod conv;
mod driver;
mod error;
pub mod frontend;
pub mod generate;
pub mod head;
pub mod layer;
pub mod linalg;
pub mod math;
mod model;
mod network;
pub mod quant;
pub mod seq2seq;
pub mod vocab;

pub use bidirectional::{BiNetwork, BiState};
pub use cell::{Cell, Gru, Lstm, Rnn};
pub use conv::{Conv1d, ConvNetwork, ConvStage, ConvState, Padding};
pub use error::Error;
pub use frontend::{Embedding, Frontend, Normalize, OneHot, TextFrontend};
pub use generate::{Generative, GenerativeModel, Generator, Logits, Rng, Sampling};
pub use head::{Activation, Linear, Output};
pub use layer::{Layer, LayerInput};
pub use model::{Model, Prediction, StreamingModel, Task, TextModel};
pub use network::{Network, Stack, State};
pub use quant::{QNetwork, QState};
pub use seq2seq::{Decoder, Seq2Seq, Seq2SeqModel};
pub use vocab::{stem, Split, Tokenizer, Tokens, Vocabulary, NEGATED_PREFIX, NEGATORS};

/// The traits whose methods every baked model has: `use tinyrnn::prelude::*;` to call
/// `classify_text`, `step`, `output`, `generate`, `label`, ... on a `MODEL` and its outputs.
///
/// ```
/// use tinyrnn::prelude::*;
/// use tinyrnn::models::seed;
///
/// let out = seed::MODEL.classify_text("i am very happy", &mut seed::State::new())?;
/// assert_eq!(out.label(), "positive");
/// # Ok::<(), tinyrnn::Error>(())
/// ```
pub mod prelude {
    pub use crate::generate::{GenerativeModel, Logits};
    pub use crate::model::{Model, Prediction, StreamingModel, TextModel};
    pub use crate::seq2seq::Seq2SeqModel;
}

/// Declares a module holding a model baked by `tinyrnn_build::bake` in this crate's build script.
///
/// `include_model!(gesture)` expands to `pub mod gesture { ... }` with the generated statics
/// (`MODEL`, `State`, `LABELS`, sizes and costs), documented by the generated summary.
///
/// ```ignore
/// // build.rs:  fn main() { tinyrnn_build::bake("models/gesture.safetensors"); }
/// tinyrnn::include_model!(gesture);
///
/// let mut state = gesture::State::new();
/// ```
#[macro_export]
macro_rules! include_model {
    ($name:ident) => {
        #[doc = include_str!(concat!(env!("OUT_DIR"), "/tinyrnn/", stringify!($name), ".md"))]
        pub mod $name {
            include!(concat!(
                env!("OUT_DIR"),
                "/tinyrnn/",
                stringify!($name),
                ".rs"
            ));
        }
    };
}

/// The models shipped in this crate's `models/` directory, baked at build time (feature `models`,
/// on by default).
#[cfg(feature = "models")]
pub mod models {
    include!(concat!(env!("OUT_DIR"), "/tinyrnn/models.rs"));
}
