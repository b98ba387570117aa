//! The JSON document stored under the `tinyrnn` key of the safetensors `__metadata__`.

use serde::Deserialize;

/// The only format version this crate reads.
pub const FORMAT_VERSION: u64 = 1;

/// The metadata of a model file, as written (see `docs/model-format.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Must be [`FORMAT_VERSION`].
    pub format_version: u64,
    /// The recurrent cell.
    pub cell: CellKind,
    /// Number of stacked layers.
    pub num_layers: usize,
    /// Hidden units per layer.
    pub hidden_size: usize,
    /// What one step reads.
    pub input: InputKind,
    /// What the model was trained for.
    pub task: TaskKind,
    /// The activation after the head.
    pub output: OutputKind,
    /// Class (or output) names, one per head row.
    pub labels: Vec<String>,
    /// Token id → word (text inputs).
    #[serde(default)]
    pub vocab: Option<Vec<String>>,
    /// Id of unknown words (text inputs).
    #[serde(default)]
    pub unk_id: Option<usize>,
    /// Id used for padding in training (text inputs, optional).
    #[serde(default)]
    pub pad_id: Option<usize>,
    /// Tokenizer rules (text inputs).
    #[serde(default)]
    pub tokenizer: Option<TokenizerRules>,
    /// Per-feature mean (dense input).
    #[serde(default)]
    pub mean: Option<Vec<f64>>,
    /// Per-feature standard deviation (dense input).
    #[serde(default)]
    pub std: Option<Vec<f64>>,
}

/// The `cell` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellKind {
    /// Elman tanh RNN, one gate.
    Rnn,
    /// LSTM, gates i, f, g, o.
    Lstm,
    /// GRU, gates r, z, n.
    Gru,
}

impl CellKind {
    /// Gates per unit (`G`).
    pub fn gates(self) -> usize {
        match self {
            CellKind::Rnn => 1,
            CellKind::Lstm => 4,
            CellKind::Gru => 3,
        }
    }

    /// State vectors per layer (`S`): `h`, and `c` for the LSTM.
    pub fn state_vectors(self) -> usize {
        match self {
            CellKind::Lstm => 2,
            CellKind::Rnn | CellKind::Gru => 1,
        }
    }

    /// The name used in the file and in the runtime crate's type.
    pub fn name(self) -> &'static str {
        match self {
            CellKind::Rnn => "rnn",
            CellKind::Lstm => "lstm",
            CellKind::Gru => "gru",
        }
    }
}

/// The `input` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// Token ids through `embedding.weight`.
    Embedding,
    /// Token ids as one-hot vectors.
    OneHot,
    /// Normalised sensor samples.
    Dense,
}

impl InputKind {
    /// True for the two token inputs.
    pub fn is_text(self) -> bool {
        matches!(self, InputKind::Embedding | InputKind::OneHot)
    }

    /// The name used in the file.
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Embedding => "embedding",
            InputKind::OneHot => "one_hot",
            InputKind::Dense => "dense",
        }
    }
}

/// The `task` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// N→1 classification.
    Classify,
    /// N→N tagging.
    Tag,
    /// N→1 regression.
    Regress,
}

/// The `output` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputKind {
    /// Softmax over the outputs.
    Softmax,
    /// Sigmoid per output.
    Sigmoid,
    /// No activation.
    Identity,
}

/// The `tokenizer` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenizerRules {
    /// Compare tokens in lowercase.
    pub lowercase: bool,
    /// How text is split.
    pub split: SplitKind,
}

/// The `tokenizer.split` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitKind {
    /// Alphanumeric runs with inner apostrophes.
    Words,
    /// Runs of non-whitespace.
    Whitespace,
}
