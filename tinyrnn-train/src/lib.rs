//! `tinyrnn-train`: trains tanh RNN / LSTM / GRU sequence classifiers on the host with candle and
//! exports them as tinyrnn model files (docs/model-format.md).
//!
//! The forward pass of each cell is written with candle tensor ops (PyTorch's equations and gate
//! orders) and candle's autodiff computes the gradients; AdamW updates the weights. The same
//! forward pass runs exported files back for evaluation ([`predict`], [`Model::predict`]), one
//! sequence at a time and unpadded, as the microcontroller runs them.
//!
//! ```no_run
//! use tinyrnn_train::{predict, Sequence};
//! let p = predict("models/sentiment.safetensors".as_ref(), Sequence::Text("not bad at all")).unwrap();
//! println!("{p:?}");
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bow;
pub mod cell;
pub mod data;
mod epoch;
pub mod examples;
pub mod generative;
pub mod history;
pub mod loso;
pub mod metrics;
pub mod model;
pub mod modelfile;
pub mod plot;
pub mod rng;
pub mod seq2seq;
pub mod split;
pub mod text;
pub mod train;

use std::path::Path;

use anyhow::bail;
use candle_core::{DType, Device};
use tinyrnn::head::argmax;
use tinyrnn_schema::OutputKind;

pub use crate::cell::Cell;
pub use crate::modelfile::{Model, Preprocess};
pub use crate::train::{train, TextInput, TrainOptions, TrainReport};

use crate::examples::{make_batch, Example, Seq};
use crate::metrics::Confusion;

/// One input sequence for [`predict`].
#[derive(Debug, Clone, Copy)]
pub enum Sequence<'a> {
    /// Text, tokenized like the runtime (text models).
    Text(&'a str),
    /// Token ids (text models).
    Tokens(&'a [u32]),
    /// Raw (not yet normalised) samples, `[T][F]` (dense models).
    Samples(&'a [Vec<f32>]),
}

impl Model {
    /// The model's output for one sequence (probabilities for a softmax classifier), computed
    /// one sequence at a time without padding, like the runtime. For a `tag` model this is the
    /// output after the last step.
    pub fn predict(&self, seq: Sequence<'_>) -> anyhow::Result<Vec<f32>> {
        let encoded = match (seq, &self.pre) {
            (Sequence::Text(t), Preprocess::Text(v)) => Seq::Tokens(v.encode(t)),
            (Sequence::Tokens(t), Preprocess::Text(v)) => {
                if let Some(bad) = t.iter().find(|&&id| id as usize >= v.len()) {
                    bail!(
                        "token id {bad} is outside the vocabulary of {} entries",
                        v.len()
                    );
                }
                Seq::Tokens(t.to_vec())
            }
            (Sequence::Samples(s), Preprocess::Dense { mean, std }) => {
                if let Some(bad) = s.iter().find(|x| x.len() != mean.len()) {
                    bail!(
                        "a sample has {} features, the model expects {}",
                        bad.len(),
                        mean.len()
                    );
                }
                if s.iter().flatten().any(|x| !x.is_finite()) {
                    bail!("non-finite sample");
                }
                Seq::Dense(examples::normalise(s, mean, std))
            }
            _ => bail!(
                "this input does not fit a model with {} input",
                self.meta.input
            ),
        };
        if encoded.is_empty() {
            bail!("empty input (no tokens or no samples)");
        }
        let logits = self.logits(&encoded)?;
        Ok(activate(&logits, self.meta.output))
    }

    /// The head's raw output (before the activation) for one encoded sequence.
    pub fn logits(&self, seq: &Seq) -> anyhow::Result<Vec<f32>> {
        let dtype = self.params.vars[0].1.dtype();
        let example = Example {
            seq: seq.clone(),
            label: 0,
        };
        let (input, lengths, _) = make_batch(&[&example], dtype, &Device::Cpu)?;
        let logits = self.params.forward(&input, &lengths, None)?;
        Ok(logits.squeeze(0)?.to_dtype(DType::F32)?.to_vec1::<f32>()?)
    }

    /// Evaluates the model on a data file, one unpadded sequence at a time. Returns the confusion
    /// matrix and the number of examples left out because their text has no token.
    pub fn evaluate(&self, data: &data::DataFile) -> anyhow::Result<(Confusion, usize)> {
        let (examples, empty) = examples::encode(data, &self.meta.labels, &self.pre)?;
        let mut confusion = Confusion::new(&self.meta.labels);
        for e in &examples {
            let logits = self.logits(&e.seq)?;
            confusion.add(e.label, argmax(&logits).unwrap_or(0));
        }
        Ok((confusion, empty))
    }
}

/// Reads a model file and returns its output for one sequence (see [`Model::predict`]). To run
/// many sequences, load the [`Model`] once instead.
pub fn predict(model_file: &Path, seq: Sequence<'_>) -> anyhow::Result<Vec<f32>> {
    Model::load(model_file)?.predict(seq)
}

/// The output activation: softmax (after subtracting the maximum), sigmoid or identity.
fn activate(logits: &[f32], output: OutputKind) -> Vec<f32> {
    match output {
        OutputKind::Softmax => {
            let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let e: Vec<f32> = logits.iter().map(|&x| (x - max).exp()).collect();
            let sum: f32 = e.iter().sum();
            e.iter().map(|&x| x / sum).collect()
        }
        OutputKind::Sigmoid => logits.iter().map(|&x| 1.0 / (1.0 + (-x).exp())).collect(),
        OutputKind::Identity => logits.to_vec(),
    }
}
