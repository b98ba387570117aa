//! Reading a model file and checking it against the format, into a [`ModelSpec`].

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use safetensors::{Dtype, SafeTensors};

use crate::error::Error;
use crate::meta::{InputKind, Meta, FORMAT_VERSION};

/// The metadata key holding the model's JSON description.
pub const METADATA_KEY: &str = "tinyrnn";

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

    /// Vocabulary size, for text inputs.
    pub fn vocab_size(&self) -> usize {
        self.meta.vocab.as_ref().map_or(0, Vec::len)
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
            InputKind::OneHot => 0,
            InputKind::Embedding | InputKind::Dense => self.input_size,
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
    let meta = parse_meta(json).map_err(err)?;
    let sizes = check_meta(&meta).map_err(err)?;

    let (expected, input_size) = expected_tensors(&meta, &sizes, &file).map_err(err)?;
    let mut tensors = BTreeMap::new();
    for (name, view) in file.iter() {
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

/// Parses the JSON, checking the version before the fields so that a file from a newer format
/// says so instead of complaining about fields this version does not know.
fn parse_meta(json: &str) -> Result<Meta, String> {
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| format!("metadata `{METADATA_KEY}`: expected a JSON object, {e}"))?;
    match value.get("format_version") {
        None => {
            return Err(format!(
                "metadata field `format_version`: expected {FORMAT_VERSION}, found no such field"
            ))
        }
        Some(v) if v.as_u64() != Some(FORMAT_VERSION) => {
            return Err(format!(
                "metadata field `format_version`: expected {FORMAT_VERSION}, found {v} \
                 (this tinyrnn-build reads version {FORMAT_VERSION} only)"
            ))
        }
        Some(_) => {}
    }
    serde_json::from_value(value).map_err(|e| format!("metadata `{METADATA_KEY}`: {e}"))
}

/// Sizes implied by the metadata.
struct Sizes {
    /// Layer-0 input size when the metadata fixes it (one-hot: V, dense: F); 0 for embedding,
    /// whose width comes from `embedding.weight`.
    input: usize,
}

/// Where an expected shape comes from, for error messages.
fn shape_reason(meta: &Meta, name: &str) -> String {
    let h = meta.hidden_size;
    if name.starts_with("head.") {
        format!("{} labels, hidden_size {h}", meta.labels.len())
    } else if name.starts_with("embedding.") {
        format!(
            "{} vocabulary entries",
            meta.vocab.as_ref().map_or(0, Vec::len)
        )
    } else {
        let g = meta.cell.gates();
        let input = match (meta.input, name.ends_with("_l0") && name.contains("_ih_")) {
            (InputKind::OneHot, true) => " and one column per vocabulary entry",
            (InputKind::Dense, true) => " and one column per `mean` feature",
            (InputKind::Embedding, true) => " and one column per embedding feature",
            _ => "",
        };
        format!(
            "{g} gates of a {} × hidden_size {h}{input}",
            meta.cell.name()
        )
    }
}

/// A metadata field's name and whether the file has it.
type Field<'a> = (&'a str, bool);

fn check_meta(meta: &Meta) -> Result<Sizes, String> {
    let field = |name: &str, expected: &str, found: String| {
        format!("metadata field `{name}`: expected {expected}, found {found}")
    };
    if meta.num_layers == 0 {
        return Err(field("num_layers", "at least 1", "0".into()));
    }
    if meta.hidden_size == 0 {
        return Err(field("hidden_size", "at least 1", "0".into()));
    }
    if meta.labels.is_empty() {
        return Err(field(
            "labels",
            "at least one label",
            "an empty list".into(),
        ));
    }
    if let Some((i, j)) = first_duplicate(&meta.labels) {
        return Err(field(
            "labels",
            "distinct labels",
            format!("{:?} at positions {i} and {j}", meta.labels[i]),
        ));
    }
    let text_fields = [
        ("vocab", meta.vocab.is_some()),
        ("unk_id", meta.unk_id.is_some()),
        ("pad_id", meta.pad_id.is_some()),
        ("tokenizer", meta.tokenizer.is_some()),
    ];
    let dense_fields = [("mean", meta.mean.is_some()), ("std", meta.std.is_some())];
    let (required, forbidden): (&[Field], &[Field]) = if meta.input.is_text() {
        (&text_fields[..], &dense_fields[..])
    } else {
        (&dense_fields[..], &text_fields[..])
    };
    for (name, present) in required {
        // pad_id is optional even for text.
        if !present && *name != "pad_id" {
            return Err(field(
                name,
                &format!("a value for `{}` input", meta.input.name()),
                "no such field".into(),
            ));
        }
    }
    if let Some((name, _)) = forbidden.iter().find(|(_, present)| *present) {
        return Err(field(
            name,
            &format!("no such field for `{}` input", meta.input.name()),
            "one".into(),
        ));
    }

    if meta.input.is_text() {
        let vocab = meta.vocab.as_deref().unwrap_or_default();
        if vocab.is_empty() {
            return Err(field("vocab", "at least one entry", "an empty list".into()));
        }
        if let Some(i) = vocab.iter().position(String::is_empty) {
            return Err(field(
                "vocab",
                "non-empty entries",
                format!("an empty entry at id {i}"),
            ));
        }
        if let Some((i, j)) = first_duplicate(vocab) {
            return Err(field(
                "vocab",
                "distinct entries",
                format!("duplicate {:?} at ids {i} and {j}", vocab[i]),
            ));
        }
        let lowercase = meta.tokenizer.is_some_and(|t| t.lowercase);
        if lowercase {
            if let Some(i) = vocab.iter().position(|w| lower(w) != *w) {
                return Err(field(
                    "vocab",
                    "lowercase entries (tokenizer.lowercase is true)",
                    format!("{:?} at id {i}", vocab[i]),
                ));
            }
        }
        let unk = meta.unk_id.unwrap_or_default();
        if unk >= vocab.len() {
            return Err(field(
                "unk_id",
                &format!("an id below the vocabulary size {}", vocab.len()),
                unk.to_string(),
            ));
        }
        if let Some(pad) = meta.pad_id {
            if pad >= vocab.len() || pad == unk {
                return Err(field(
                    "pad_id",
                    &format!("an id below {} other than unk_id {unk}", vocab.len()),
                    pad.to_string(),
                ));
            }
        }
        let input = if meta.input == InputKind::OneHot {
            vocab.len()
        } else {
            0
        };
        Ok(Sizes { input })
    } else {
        let mean = meta.mean.as_deref().unwrap_or_default();
        let std = meta.std.as_deref().unwrap_or_default();
        if mean.is_empty() {
            return Err(field(
                "mean",
                "one value per feature",
                "an empty list".into(),
            ));
        }
        if std.len() != mean.len() {
            return Err(field(
                "std",
                &format!("{} values, as many as `mean`", mean.len()),
                format!("{}", std.len()),
            ));
        }
        if let Some(i) = mean
            .iter()
            .position(|m| !m.is_finite() || !(*m as f32).is_finite())
        {
            return Err(field(
                "mean",
                "finite values",
                format!("{} at index {i}", mean[i]),
            ));
        }
        if let Some(i) = std
            .iter()
            .position(|s| !(s.is_finite() && (*s as f32) > 0.0))
        {
            return Err(field(
                "std",
                "positive finite values",
                format!("{} at index {i}", std[i]),
            ));
        }
        Ok(Sizes { input: mean.len() })
    }
}

/// The exact tensor set and shapes a model with this metadata must have.
fn expected_tensors(
    meta: &Meta,
    sizes: &Sizes,
    file: &SafeTensors<'_>,
) -> Result<(HashMap<String, Vec<usize>>, usize), String> {
    let g = meta.cell.gates();
    let h = meta.hidden_size;
    let mut input = sizes.input;
    let mut expected = HashMap::new();
    if meta.input == InputKind::Embedding {
        // The embedding width is the one size the metadata does not state.
        let v = meta.vocab.as_ref().map_or(0, Vec::len);
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

/// Lowercases like the runtime's lookup does: character by character.
fn lower(word: &str) -> String {
    word.chars().flat_map(char::to_lowercase).collect()
}

fn first_duplicate(items: &[String]) -> Option<(usize, usize)> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (j, item) in items.iter().enumerate() {
        if let Some(&i) = seen.get(item.as_str()) {
            return Some((i, j));
        }
        seen.insert(item, j);
    }
    None
}
