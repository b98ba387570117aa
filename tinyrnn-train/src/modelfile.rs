//! Reading and writing the tinyrnn model file (docs/model-format.md, format versions 1 and 2).
//!
//! The metadata is `tinyrnn-schema`'s [`Meta`], the type `tinyrnn-build` reads, so the two
//! cannot drift apart. The writer produces the safetensors layout by hand — 8-byte
//! little-endian header length, a JSON header, the tensor bytes — so that the bytes depend on
//! nothing but the model: tensors in name order, the metadata fields in the fixed order of
//! [`Meta::to_json`], the header padded with spaces to a multiple of 8. The reader uses the
//! `safetensors` crate, which also checks that what we write is valid safetensors.

use std::path::Path;

use anyhow::{bail, Context};
use candle_core::{DType, Device, Tensor};
use tinyrnn_schema::{
    Dense, Input as InputMeta, OutputKind, SplitKind, TaskKind, Text, TokenizerRules,
};

/// The model file's metadata (`tinyrnn_schema::Meta`, under the name the trainer has used).
pub use tinyrnn_schema::Meta as Metadata;
pub use tinyrnn_schema::{Meta, FORMAT_VERSION, METADATA_KEY};

use crate::model::{Config, Input, NamedTensor, Params};
use crate::text::Vocab;

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

/// The metadata the trainer writes for a network it trained.
pub trait ClassifierMeta {
    /// The metadata of a classifier with softmax output. The input's fields come from `pre`;
    /// for text, `config.input` says whether the tokens go through an embedding or one-hot.
    fn for_classifier(config: &Config, labels: &[String], pre: &Preprocess) -> Self;
}

impl ClassifierMeta for Meta {
    fn for_classifier(config: &Config, labels: &[String], pre: &Preprocess) -> Self {
        let input = match pre {
            Preprocess::Text(v) => {
                let text = Text {
                    vocab: v.words.clone(),
                    unk_id: v.unk as usize,
                    pad_id: Some(crate::text::PAD_ID as usize),
                    tokenizer: TokenizerRules {
                        lowercase: v.lowercase,
                        split: match v.split {
                            tinyrnn::Split::Words => SplitKind::Words,
                            tinyrnn::Split::Whitespace => SplitKind::Whitespace,
                            tinyrnn::Split::Chars => SplitKind::Chars,
                        },
                        unk_buckets: v.buckets,
                        negation: v.negation,
                        stem: v.stem,
                    },
                };
                match config.input {
                    Input::Embedding { .. } => InputMeta::Embedding(text),
                    Input::OneHot { .. } | Input::Dense { .. } => InputMeta::OneHot(text),
                }
            }
            Preprocess::Dense { mean, std } => InputMeta::Dense(Dense {
                mean: mean.clone(),
                std: std.clone(),
            }),
        };
        Meta {
            cell: config.cell,
            num_layers: config.layers,
            hidden_size: config.hidden,
            input,
            task: TaskKind::Classify,
            output: OutputKind::Softmax,
            labels: labels.to_vec(),
            generation: None,
            decoding: None,
            conv: config.conv.clone(),
            bidirectional: config
                .bidirectional
                .map(|max_steps| tinyrnn_schema::Bidirectional { max_steps }),
        }
    }
}

/// The safetensors bytes of a model: tensors `(name, shape, values)` and the metadata JSON
/// (checked as `tinyrnn-build` will check it).
pub fn to_bytes(tensors: &[NamedTensor], meta: &Meta) -> anyhow::Result<Vec<u8>> {
    meta.validate()?;
    let meta_json = meta.to_json();
    let mut sorted: Vec<&NamedTensor> = tensors.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));

    let mut header = format!("{{\"__metadata__\":{{\"{METADATA_KEY}\":");
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

/// Writes `tensors` with `meta` as a model file at `path`, creating its directory; returns the
/// file's size in bytes. Every trainer (classifier, generative, sequence-to-sequence) saves
/// through here.
pub fn save(path: &Path, tensors: &[NamedTensor], meta: &Meta) -> anyhow::Result<usize> {
    let bytes = to_bytes(tensors, meta)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
    Ok(bytes.len())
}

/// A model read back from a file, ready to run.
#[derive(Debug)]
pub struct Model {
    /// The metadata.
    pub meta: Meta,
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
        let Some(json) = header.metadata().as_ref().and_then(|m| m.get(METADATA_KEY)) else {
            bail!("no \"{METADATA_KEY}\" entry in __metadata__");
        };
        let meta = Meta::from_json(json)?;
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
        // The features are the input columns of the first layer: the first convolution's, or
        // the first recurrent layer's without one.
        let first = if meta.conv.is_empty() {
            "rnn.weight_ih_l0"
        } else {
            "conv.0.weight"
        };
        let first_dims = tensors
            .iter()
            .find(|(n, _)| n == first)
            .map(|(_, t)| t.dims().to_vec());
        let Some(i0) = first_dims.as_ref().and_then(|d| d.get(1).copied()) else {
            bail!("missing tensor {first}");
        };
        let (input, pre) = match &meta.input {
            InputMeta::Embedding(text) | InputMeta::OneHot(text) => {
                let split = match text.tokenizer.split {
                    SplitKind::Words => tinyrnn::Split::Words,
                    SplitKind::Whitespace => tinyrnn::Split::Whitespace,
                    SplitKind::Chars => tinyrnn::Split::Chars,
                };
                let v = text.vocab.len();
                let input = if let InputMeta::Embedding(_) = meta.input {
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
                let vocab = Vocab::with_tokenizer(
                    text.vocab.clone(),
                    text.unk_id as u32,
                    split,
                    text.tokenizer.lowercase,
                )
                .with_buckets(text.tokenizer.unk_buckets)
                .with_negation(text.tokenizer.negation)
                .with_stem(text.tokenizer.stem);
                (input, Preprocess::Text(vocab))
            }
            InputMeta::Dense(Dense { mean, std }) => {
                if mean.len() != i0 {
                    bail!("mean/std must have {i0} entries, one per input channel of {first}");
                }
                (
                    Input::Dense { features: i0 },
                    Preprocess::Dense {
                        mean: mean.clone(),
                        std: std.clone(),
                    },
                )
            }
        };
        let config = Config {
            cell: meta.cell,
            input,
            hidden: meta.hidden_size,
            layers: meta.num_layers,
            classes,
            bidirectional: meta.bidirectional.map(|b| b.max_steps),
            conv: meta.conv.clone(),
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
            params: Params::from_tensors(self.params.config.clone(), tensors)?,
            pre: self.pre.clone(),
        })
    }
}
