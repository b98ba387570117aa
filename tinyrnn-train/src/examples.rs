//! Examples as the network sees them (token ids or normalised samples) and padded batches.

use anyhow::bail;
use candle_core::{DType, Device, Tensor};

use crate::data::DataFile;
use crate::model::BatchInput;
use crate::modelfile::Preprocess;

/// One encoded sequence.
#[derive(Debug, Clone, PartialEq)]
pub enum Seq {
    /// Token ids.
    Tokens(Vec<u32>),
    /// Normalised samples, `[T][F]`.
    Dense(Vec<Vec<f32>>),
}

impl Seq {
    /// Number of time steps.
    pub fn len(&self) -> usize {
        match self {
            Seq::Tokens(t) => t.len(),
            Seq::Dense(d) => d.len(),
        }
    }

    /// Whether there are no steps.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first `n` steps.
    pub fn truncate(&mut self, n: usize) {
        match self {
            Seq::Tokens(t) => t.truncate(n),
            Seq::Dense(d) => d.truncate(n),
        }
    }
}

/// An encoded, labelled example.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The input sequence.
    pub seq: Seq,
    /// The class index.
    pub label: usize,
}

/// Per-feature mean and standard deviation over all time steps of all series (population std,
/// floored at `1e-3` times the largest std and at `1e-6`, so that a constant feature gives
/// `std > 0`).
pub fn mean_std(data: &DataFile) -> (Vec<f32>, Vec<f32>) {
    let DataFile::Series(s) = data else {
        return (Vec::new(), Vec::new());
    };
    let f = s.dims;
    let mut sum = vec![0f64; f];
    let mut sq = vec![0f64; f];
    let mut n = 0usize;
    for row in &s.rows {
        for step in &row.steps {
            for (j, &x) in step.iter().enumerate() {
                sum[j] += f64::from(x);
            }
            n += 1;
        }
    }
    let mean: Vec<f64> = sum.iter().map(|s| s / n.max(1) as f64).collect();
    for row in &s.rows {
        for step in &row.steps {
            for (j, &x) in step.iter().enumerate() {
                sq[j] += (f64::from(x) - mean[j]).powi(2);
            }
        }
    }
    let std: Vec<f64> = sq.iter().map(|s| (s / n.max(1) as f64).sqrt()).collect();
    let floor = (std.iter().cloned().fold(0.0, f64::max) * 1e-3).max(1e-6);
    (
        mean.iter().map(|&m| m as f32).collect(),
        std.iter().map(|&s| s.max(floor) as f32).collect(),
    )
}

/// The class of a data label: the label whose name it is, otherwise the class index it spells
/// (`"0"`, `"1"`, … for a model trained with `--label-names`).
pub fn class_index(labels: &[String], label: &str) -> Option<usize> {
    labels
        .iter()
        .position(|l| l == label)
        .or_else(|| label.parse::<usize>().ok().filter(|&i| i < labels.len()))
}

/// Encodes a data set for a model with the given labels and preprocessing. Examples whose text
/// has no token are left out and counted in the second value (the runtime rejects empty input).
pub fn encode(
    data: &DataFile,
    labels: &[String],
    pre: &Preprocess,
) -> anyhow::Result<(Vec<Example>, usize)> {
    let mut out = Vec::with_capacity(data.len());
    let mut empty = 0;
    for (i, label) in data.labels().into_iter().enumerate() {
        let Some(y) = class_index(labels, label) else {
            bail!(
                "{}: bad label {label:?}: not one of the model's labels {} nor a class index",
                data.location(i),
                labels.join(" ")
            );
        };
        let seq = match (data, pre) {
            (DataFile::Text(rows), Preprocess::Text(vocab)) => {
                Seq::Tokens(vocab.encode(&rows[i].text))
            }
            (DataFile::Series(s), Preprocess::Dense { mean, std }) => {
                if s.dims != mean.len() {
                    bail!(
                        "{}: {} dimensions, the model expects {}",
                        data.location(i),
                        s.dims,
                        mean.len()
                    );
                }
                Seq::Dense(normalise(&s.rows[i].steps, mean, std))
            }
            (DataFile::Text(_), _) => bail!(
                "{}: text data for a model with dense input",
                data.location(i)
            ),
            (DataFile::Series(_), _) => {
                bail!("{}: time-series data for a text model", data.location(i))
            }
        };
        if seq.is_empty() {
            empty += 1;
            continue;
        }
        out.push(Example { seq, label: y });
    }
    Ok((out, empty))
}

/// `(x − mean) / std` per feature, in f32 as the runtime computes it.
pub fn normalise(steps: &[Vec<f32>], mean: &[f32], std: &[f32]) -> Vec<Vec<f32>> {
    steps
        .iter()
        .map(|s| {
            s.iter()
                .zip(mean)
                .zip(std)
                .map(|((x, m), d)| (x - m) / d)
                .collect()
        })
        .collect()
}

/// A padded, time-major batch: the input, each sequence's length, and the class indices.
pub fn make_batch(
    examples: &[&Example],
    dtype: DType,
    device: &Device,
) -> candle_core::Result<(BatchInput, Vec<usize>, Tensor)> {
    let b = examples.len();
    let lengths: Vec<usize> = examples.iter().map(|e| e.seq.len()).collect();
    let t_len = lengths.iter().copied().max().unwrap_or(0);
    let targets = Tensor::from_vec(
        examples.iter().map(|e| e.label as u32).collect::<Vec<_>>(),
        b,
        device,
    )?;
    let input = match &examples[0].seq {
        Seq::Tokens(_) => {
            let mut ids = vec![crate::text::PAD_ID; t_len * b];
            for (j, e) in examples.iter().enumerate() {
                if let Seq::Tokens(t) = &e.seq {
                    for (t_i, &id) in t.iter().enumerate() {
                        ids[t_i * b + j] = id;
                    }
                }
            }
            BatchInput::Tokens(Tensor::from_vec(ids, (t_len, b), device)?)
        }
        Seq::Dense(first) => {
            let f = first[0].len();
            let mut x = vec![0f32; t_len * b * f];
            for (j, e) in examples.iter().enumerate() {
                if let Seq::Dense(steps) = &e.seq {
                    for (t_i, s) in steps.iter().enumerate() {
                        x[(t_i * b + j) * f..(t_i * b + j + 1) * f].copy_from_slice(s);
                    }
                }
            }
            BatchInput::Dense(Tensor::from_vec(x, (t_len, b, f), device)?.to_dtype(dtype)?)
        }
    };
    Ok((input, lengths, targets))
}
