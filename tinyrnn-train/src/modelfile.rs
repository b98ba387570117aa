//! Reading and writing the tinyrnn model file (docs/model-format.md, format version 1).
//!
//! The writer produces the safetensors layout by hand — 8-byte little-endian header length, a
//! JSON header, the tensor bytes — so that the bytes depend on nothing but the model: tensors in
//! name order, the metadata fields in the fixed order of [`Metadata`], the header padded with
//! spaces to a multiple of 8. The reader uses the `safetensors` crate, which also checks that
//! what we write is valid safetensors.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};
use candle_core::{DType, Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::cell::Cell;
use crate::model::{Config, Input, NamedTensor, Params};
use crate::text::Vocab;

/// The model-file format version written and read.
pub const FORMAT_VERSION: u32 = 1;

/// The tokenizer rules of a text model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenizerMeta {
    /// Lowercase each character before lookup.
    pub lowercase: bool,
    /// `"words"` or `"whitespace"`.
    pub split: String,
}

/// The JSON document stored under `__metadata__["tinyrnn"]`; fields in the order of the doc.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// Must be 1.
    pub format_version: u32,
    /// The cell kind.
    pub cell: Cell,
    /// Stacked layers.
    pub num_layers: usize,
    /// `H`.
    pub hidden_size: usize,
    /// `"embedding"`, `"one_hot"` or `"dense"`.
    pub input: String,
    /// `"classify"`, `"tag"` or `"regress"`.
    pub task: String,
    /// `"softmax"`, `"sigmoid"` or `"identity"`.
    pub output: String,
    /// Class names, index = class id.
    pub labels: Vec<String>,
    /// Text models: the vocabulary, index = token id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vocab: Option<Vec<String>>,
    /// Text models: the id of unknown words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unk_id: Option<u32>,
    /// Text models: the padding id used in training.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pad_id: Option<u32>,
    /// Text models: how text is tokenized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokenizer: Option<TokenizerMeta>,
    /// Dense models: per-feature mean subtracted before layer 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<Vec<f32>>,
    /// Dense models: per-feature standard deviation divided by before layer 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub std: Option<Vec<f32>>,
}

/// How the examples of a model are prepared before the network: tokens or normalised samples.
#[derive(Debug, Clone, PartialEq)]
pub enum Preprocess {
    /// Tokenize (tinyrnn's `Split::Words`, lowercase) and look up.
    Text(Vocab),
    /// `(x − mean) / std` per feature.
    Dense {
        /// Per-feature mean.
        mean: Vec<f32>,
        /// Per-feature standard deviation (> 0).
        std: Vec<f32>,
    },
}

impl Metadata {
    /// The metadata of a classifier with softmax output.
    pub fn for_classifier(config: &Config, labels: &[String], pre: &Preprocess) -> Self {
        let (vocab, unk_id, pad_id, tokenizer, mean, std) = match pre {
            Preprocess::Text(v) => (
                Some(v.words.clone()),
                Some(v.unk),
                Some(crate::text::PAD_ID),
                Some(TokenizerMeta {
                    lowercase: v.lowercase,
                    split: match v.split {
                        tinyrnn::Split::Words => "words",
                        tinyrnn::Split::Whitespace => "whitespace",
                    }
                    .to_string(),
                }),
                None,
                None,
            ),
            Preprocess::Dense { mean, std } => (
                None,
                None,
                None,
                None,
                Some(mean.clone()),
                Some(std.clone()),
            ),
        };
        Metadata {
            format_version: FORMAT_VERSION,
            cell: config.cell,
            num_layers: config.layers,
            hidden_size: config.hidden,
            input: config.input.name().to_string(),
            task: "classify".to_string(),
            output: "softmax".to_string(),
            labels: labels.to_vec(),
            vocab,
            unk_id,
            pad_id,
            tokenizer,
            mean,
            std,
        }
    }
}

/// The safetensors bytes of a model: tensors `(name, shape, values)` and the metadata JSON.
pub fn to_bytes(tensors: &[NamedTensor], meta: &Metadata) -> anyhow::Result<Vec<u8>> {
    let meta_json = serde_json::to_string(meta)?;
    let mut sorted: Vec<&NamedTensor> = tensors.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));

    let mut header = String::from("{\"__metadata__\":{\"tinyrnn\":");
    header.push_str(&serde_json::to_string(&meta_json)?);
    header.push('}');
    let mut offset = 0usize;
    for (name, shape, values) in &sorted {
        let n: usize = shape.iter().product();
        if n != values.len() {
            bail!(
                "tensor {name}: shape {shape:?} holds {n} values, found {}",
                values.len()
            );
        }
        if let Some(bad) = values.iter().find(|v| !v.is_finite()) {
            bail!("tensor {name} holds a non-finite value {bad}");
        }
        let end = offset + 4 * n;
        let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
        header.push_str(&format!(
            ",{}:{{\"dtype\":\"F32\",\"shape\":[{}],\"data_offsets\":[{offset},{end}]}}",
            serde_json::to_string(name)?,
            dims.join(",")
        ));
        offset = end;
    }
    header.push('}');
    while header.len() % 8 != 0 {
        header.push(' ');
    }

    let mut out = Vec::with_capacity(8 + header.len() + offset);
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for (_, _, values) in &sorted {
        for v in values.iter() {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    Ok(out)
}

/// Writes the model file (creating its directory).
pub fn write(path: &Path, params: &Params, meta: &Metadata) -> anyhow::Result<()> {
    let bytes = to_bytes(&params.to_f32()?, meta)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut f =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    f.write_all(&bytes)?;
    Ok(())
}

/// A model read back from a file, ready to run.
#[derive(Debug)]
pub struct Model {
    /// The metadata.
    pub meta: Metadata,
    /// The parameters (f32 unless converted).
    pub params: Params,
    /// How inputs are prepared.
    pub pre: Preprocess,
}

impl Model {
    /// Reads and checks a model file.
    pub fn load(path: &Path) -> anyhow::Result<Model> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        Model::from_bytes(&bytes).with_context(|| format!("{}", path.display()))
    }

    /// Parses and checks a model file's bytes.
    pub fn from_bytes(bytes: &[u8]) -> anyhow::Result<Model> {
        let (_, header) = safetensors::SafeTensors::read_metadata(bytes)?;
        let Some(json) = header.metadata().as_ref().and_then(|m| m.get("tinyrnn")) else {
            bail!("no \"tinyrnn\" entry in __metadata__");
        };
        let meta: Metadata = serde_json::from_str(json).context("metadata \"tinyrnn\"")?;
        if meta.format_version != FORMAT_VERSION {
            bail!(
                "format_version {} (this trainer reads {FORMAT_VERSION})",
                meta.format_version
            );
        }
        let st = safetensors::SafeTensors::deserialize(bytes)?;
        let device = Device::Cpu;
        let mut tensors = Vec::new();
        for (name, view) in st.tensors() {
            if view.dtype() != safetensors::Dtype::F32 {
                bail!("tensor {name}: dtype {:?}, expected F32", view.dtype());
            }
            let values: Vec<f32> = view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            tensors.push((name, Tensor::from_vec(values, view.shape(), &device)?));
        }
        let head = tensors
            .iter()
            .find(|(n, _)| n == "head.weight")
            .map(|(_, t)| t.dims().to_vec());
        let Some([classes, _]) = head
            .as_deref()
            .map(|d| <[usize; 2]>::try_from(d).unwrap_or([0, 0]))
        else {
            bail!("missing tensor head.weight");
        };
        if classes != meta.labels.len() {
            bail!(
                "head.weight has {classes} rows but there are {} labels",
                meta.labels.len()
            );
        }
        let w_ih0 = tensors
            .iter()
            .find(|(n, _)| n == "rnn.weight_ih_l0")
            .map(|(_, t)| t.dims().to_vec());
        let Some(i0) = w_ih0.as_ref().and_then(|d| d.get(1).copied()) else {
            bail!("missing tensor rnn.weight_ih_l0");
        };
        let (input, pre) = match meta.input.as_str() {
            "embedding" | "one_hot" => {
                let (Some(vocab), Some(unk)) = (meta.vocab.clone(), meta.unk_id) else {
                    bail!("a {} model needs vocab and unk_id", meta.input);
                };
                let tok = meta.tokenizer.as_ref().context("missing tokenizer")?;
                let split = match tok.split.as_str() {
                    "words" => tinyrnn::Split::Words,
                    "whitespace" => tinyrnn::Split::Whitespace,
                    other => bail!("unknown tokenizer split {other:?}"),
                };
                if unk as usize >= vocab.len() {
                    bail!("unk_id {unk} is outside the vocabulary");
                }
                let v = vocab.len();
                let input = if meta.input == "embedding" {
                    let e = tensors
                        .iter()
                        .find(|(n, _)| n == "embedding.weight")
                        .context("missing embedding.weight")?;
                    Input::Embedding {
                        vocab: v,
                        dim: e.1.dim(1)?,
                    }
                } else {
                    Input::OneHot { vocab: v }
                };
                (
                    input,
                    Preprocess::Text(Vocab::with_tokenizer(vocab, unk, split, tok.lowercase)),
                )
            }
            "dense" => {
                let (Some(mean), Some(std)) = (meta.mean.clone(), meta.std.clone()) else {
                    bail!("a dense model needs mean and std");
                };
                if mean.len() != i0
                    || std.len() != i0
                    || std.iter().any(|&s| s.is_nan() || s <= 0.0)
                {
                    bail!("mean/std must have {i0} entries and std > 0");
                }
                (
                    Input::Dense { features: i0 },
                    Preprocess::Dense { mean, std },
                )
            }
            other => bail!("unknown input {other:?}"),
        };
        if !["classify", "tag", "regress"].contains(&meta.task.as_str()) {
            bail!("unknown task {:?}", meta.task);
        }
        let config = Config {
            cell: meta.cell,
            input,
            hidden: meta.hidden_size,
            layers: meta.num_layers,
            classes,
        };
        let params = Params::from_tensors(config, tensors)?;
        Ok(Model { meta, params, pre })
    }

    /// The same model with its parameters in another dtype (e.g. F64 for a reference run).
    pub fn to_dtype(&self, dtype: DType) -> anyhow::Result<Model> {
        let tensors = self
            .params
            .vars
            .iter()
            .map(|(n, v)| Ok((n.clone(), v.as_tensor().to_dtype(dtype)?)))
            .collect::<candle_core::Result<Vec<_>>>()?;
        Ok(Model {
            meta: self.meta.clone(),
            params: Params::from_tensors(self.params.config, tensors)?,
            pre: self.pre.clone(),
        })
    }
}
