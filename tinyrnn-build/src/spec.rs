//! Reading a model file and checking it against the format, into a [`ModelSpec`].

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use safetensors::{Dtype, SafeTensors};

use tinyrnn_schema::{Input, Meta, METADATA_KEY};

use crate::error::Error;

/// A weight tensor, row-major as stored in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    /// PyTorch shape.
    pub shape: Vec<usize>,
    /// The values, row-major.
    pub data: Vec<f32>,
}

/// A validated model: its metadata, its sizes and its tensors.
#[derive(Debug, Clone)]
pub struct ModelSpec {
    /// The metadata, as written.
    pub meta: Meta,
    /// Layer-0 input size: `E`, `V` or `F`.
    pub input_size: usize,
    /// Number of outputs (`C`).
    pub outputs: usize,
    /// Every tensor by name.
    pub tensors: BTreeMap<String, Tensor>,
}

impl ModelSpec {
    /// The tensor `name` (validated to exist).
    pub fn tensor(&self, name: &str) -> &Tensor {
        &self.tensors[name]
    }

    /// Vocabulary size, for text inputs (0 for sensor inputs).
    pub fn vocab_size(&self) -> usize {
        self.meta.input.text().map_or(0, |t| t.vocab.len())
    }

    /// Number of `f32` parameters in all tensors.
    pub fn parameters(&self) -> usize {
        self.tensors.values().map(|t| t.data.len()).sum()
    }

    /// Multiply-accumulates of one recurrent step (all layers; a one-hot input is a lookup).
    pub fn macs_per_step(&self) -> usize {
        let g = self.meta.cell.gates();
        let h = self.meta.hidden_size;
        let first_input = match self.meta.input {
            Input::OneHot(_) => 0,
            Input::Embedding(_) | Input::Dense(_) => self.input_size,
        };
        let first = g * h * (first_input + h);
        let upper = (self.meta.num_layers - 1) * g * h * (h + h);
        first + upper
    }

    /// Multiply-accumulates of one read of the head.
    pub fn head_macs(&self) -> usize {
        self.outputs * self.meta.hidden_size
    }
}

/// Reads and validates the model file at `path`.
///
/// ```
/// let spec = tinyrnn_build::load("../conformance/fixtures/lstm_2l_dense.safetensors".as_ref())?;
/// assert_eq!(spec.meta.num_layers, 2);
/// assert_eq!(spec.tensor("rnn.weight_hh_l1").shape, [32, 8]); // 4 gates × 8 units, 8 inputs
/// assert_eq!(spec.macs_per_step(), 4 * 8 * (4 + 8) + 4 * 8 * (8 + 8));
/// # Ok::<(), tinyrnn_build::Error>(())
/// ```
pub fn load(path: &Path) -> Result<ModelSpec, Error> {
    let err = |m: String| Error::new(path, m);
    let bytes = std::fs::read(path).map_err(|e| err(format!("cannot read the model file: {e}")))?;
    parse(path, &bytes)
}

/// Validates the bytes of a model file; `path` only names it in errors.
///
/// ```
/// let e = tinyrnn_build::parse("in-memory.safetensors".as_ref(), b"not a model").unwrap_err();
/// assert!(e.to_string().starts_with("in-memory.safetensors: not a valid safetensors file"));
/// ```
pub fn parse(path: &Path, bytes: &[u8]) -> Result<ModelSpec, Error> {
    let err = |m: String| Error::new(path, m);
    let file = SafeTensors::deserialize(bytes)
        .map_err(|e| err(format!("not a valid safetensors file: {e}")))?;
    let (_, header) = SafeTensors::read_metadata(bytes)
        .map_err(|e| err(format!("not a valid safetensors file: {e}")))?;
    let json = header
        .metadata()
        .as_ref()
        .and_then(|m| m.get(METADATA_KEY))
        .ok_or_else(|| {
            err(format!(
                "__metadata__: expected a `{METADATA_KEY}` entry with the model's JSON \
                 description (see docs/model-format.md), found none"
            ))
        })?;
    let meta = Meta::from_json(json).map_err(|e| err(e.to_string()))?;
    let (expected, input_size) = expected_tensors(&meta, &file).map_err(err)?;
    let mut tensors = BTreeMap::new();
    // In name order, so that the first wrong tensor reported does not depend on hashing.
    let mut views: Vec<_> = file.iter().collect();
    views.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (name, view) in views {
        let Some(shape) = expected.get(name) else {
            let mut names: Vec<&str> = expected.keys().map(String::as_str).collect();
            names.sort_unstable();
            return Err(err(format!(
                "tensor `{name}`: not expected in a {}-layer {} model with {} input \
                 (expected only {})",
                meta.num_layers,
                meta.cell.name(),
                meta.input.name(),
                names.join(", ")
            )));
        };
        if view.dtype() != Dtype::F32 {
            return Err(err(format!(
                "tensor `{name}`: expected dtype F32, found {:?} (save with model.float())",
                view.dtype()
            )));
        }
        if view.shape() != shape.as_slice() {
            return Err(err(format!(
                "tensor `{name}`: expected shape {shape:?} ({}), found {:?}",
                shape_reason(&meta, name),
                view.shape()
            )));
        }
        let data: Vec<f32> = view
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if let Some((i, v)) = data.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(err(format!(
                "tensor `{name}`: expected finite values, found {v} at flat index {i}"
            )));
        }
        tensors.insert(
            name.to_string(),
            Tensor {
                shape: shape.clone(),
                data,
            },
        );
    }
    let mut missing: Vec<(&String, &Vec<usize>)> = expected
        .iter()
        .filter(|(n, _)| !tensors.contains_key(*n))
        .collect();
    missing.sort();
    if let Some((name, shape)) = missing.first() {
        return Err(err(format!(
            "tensor `{name}`: expected shape {shape:?} for a {}-layer {} model with {} input, \
             found no such tensor",
            meta.num_layers,
            meta.cell.name(),
            meta.input.name()
        )));
    }
    Ok(ModelSpec {
        input_size,
        outputs: meta.labels.len(),
        meta,
        tensors,
    })
}

/// Where an expected shape comes from, for error messages.
fn shape_reason(meta: &Meta, name: &str) -> String {
    let h = meta.hidden_size;
    if name.starts_with("head.") {
        format!("{} labels, hidden_size {h}", meta.labels.len())
    } else if name.starts_with("embedding.") {
        format!(
            "{} vocabulary entries",
            meta.input.text().map_or(0, |t| t.vocab.len())
        )
    } else {
        let g = meta.cell.gates();
        let input = match (&meta.input, name.ends_with("_l0") && name.contains("_ih_")) {
            (Input::OneHot(_), true) => " and one column per vocabulary entry",
            (Input::Dense(_), true) => " and one column per `mean` feature",
            (Input::Embedding(_), true) => " and one column per embedding feature",
            _ => "",
        };
        format!(
            "{g} gates of a {} × hidden_size {h}{input}",
            meta.cell.name()
        )
    }
}

/// The exact tensor set and shapes a model with this metadata must have.
fn expected_tensors(
    meta: &Meta,
    file: &SafeTensors<'_>,
) -> Result<(HashMap<String, Vec<usize>>, usize), String> {
    let g = meta.cell.gates();
    let h = meta.hidden_size;
    let mut input = match &meta.input {
        Input::OneHot(text) => text.vocab.len(),
        Input::Dense(dense) => dense.mean.len(),
        // The embedding width is the one size the metadata does not state: read below.
        Input::Embedding(_) => 0,
    };
    let mut expected = HashMap::new();
    if let Input::Embedding(text) = &meta.input {
        let v = text.vocab.len();
        let width = match file.tensor("embedding.weight") {
            Ok(t) if t.shape().len() == 2 => t.shape()[1],
            _ => 0,
        };
        if width == 0 {
            let found = file
                .tensor("embedding.weight")
                .map_or("no such tensor".to_string(), |t| {
                    format!("shape {:?}", t.shape())
                });
            return Err(format!(
                "tensor `embedding.weight`: expected shape [{v}, E] with E >= 1 \
                 ({v} vocabulary entries), found {found}"
            ));
        }
        expected.insert("embedding.weight".to_string(), vec![v, width]);
        input = width;
    }
    for k in 0..meta.num_layers {
        let cols = if k == 0 { input } else { h };
        expected.insert(format!("rnn.weight_ih_l{k}"), vec![g * h, cols]);
        expected.insert(format!("rnn.weight_hh_l{k}"), vec![g * h, h]);
        expected.insert(format!("rnn.bias_ih_l{k}"), vec![g * h]);
        expected.insert(format!("rnn.bias_hh_l{k}"), vec![g * h]);
    }
    expected.insert("head.weight".to_string(), vec![meta.labels.len(), h]);
    expected.insert("head.bias".to_string(), vec![meta.labels.len()]);
    Ok((expected, input))
}
