//! # tinyrnn-schema
//!
//! The JSON document a tinyrnn model file carries under the `tinyrnn` key of its safetensors
//! `__metadata__` (format versions 1 and 2, see `docs/model-format.md`), defined once for the code
//! generator (`tinyrnn-build`, which reads it) and the trainer (`tinyrnn-train`, which writes it).
//!
//! On disk the document is one flat JSON object; in Rust it is typed: the cell, task and output
//! are enums, and [`Input`] carries the fields of its kind — a vocabulary and tokenizer for text,
//! a normalisation for sensor samples — so that a text model without a vocabulary cannot be
//! built. [`Meta::from_json`] checks every field and names the first wrong one;
//! [`Meta::to_json`] writes the fields in the order of the format document, numbers in their
//! shortest exact form, so that reading and writing round-trip.
//!
//! ```
//! use tinyrnn_schema::{CellKind, Input, Meta, SplitKind};
//!
//! let json = r#"{"format_version":1,"cell":"gru","num_layers":1,"hidden_size":8,
//!     "input":"one_hot","task":"classify","output":"softmax","labels":["neg","pos"],
//!     "vocab":["<pad>","<unk>","good","bad"],"unk_id":1,"pad_id":0,
//!     "tokenizer":{"lowercase":true,"split":"words"}}"#;
//! let meta = Meta::from_json(json)?;
//! assert_eq!(meta.cell, CellKind::Gru);
//! let Input::OneHot(text) = &meta.input else { panic!("a text model") };
//! assert_eq!((text.vocab.len(), text.unk_id, text.tokenizer.split), (4, 1, SplitKind::Words));
//! assert_eq!(Meta::from_json(&meta.to_json())?, meta);
//!
//! let e = Meta::from_json(&json.replace(r#""unk_id":1"#, r#""unk_id":9"#)).unwrap_err();
//! assert_eq!(
//!     e.to_string(),
//!     "metadata field `unk_id`: expected an id below the vocabulary size 4, found 9"
//! );
//! # Ok::<(), tinyrnn_schema::MetaError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

mod keys;
pub mod show;
mod tensors;

pub use keys::duplicate_key;

/// The newest format version this crate reads and writes: 2, which adds the `conv` front-end
/// and bidirectional layers.
/// Version 1 files (every file without `conv` or `bidirectional`) are still read, and a
/// document without them is still written as version 1, byte for byte as before.
pub const FORMAT_VERSION: u64 = 2;

/// The format versions this crate reads.
pub const FORMAT_VERSIONS: [u64; 2] = [1, 2];

/// The largest `kernel_size`, `stride`, `dilation` and `pool` of a convolution layer, and the
/// largest span `(kernel_size - 1) * dilation + 1` of its window: the window is a ring buffer
/// in the caller's state, so it must stay far below any microcontroller's RAM.
pub const MAX_CONV_SIZE: usize = 4096;

/// The largest `max_steps` of a bidirectional model: the runtime keeps every step of a
/// sequence in the caller's state, so it must stay far below any microcontroller's RAM.
pub const MAX_STEPS: usize = 65536;

/// The safetensors `__metadata__` key holding the model's JSON description.
pub const METADATA_KEY: &str = "tinyrnn";

/// The smallest `std` accepted: with it, `(x - mean) / std` stays finite in `f32` for every
/// sample `x` within `1e32` of the mean. A smaller one makes ordinary samples overflow to
/// infinity when normalised, so that nearly every input would be rejected at run time.
pub const MIN_STD: f32 = 1e-6;

/// The largest `|mean|` accepted: with [`MIN_STD`], every sample of magnitude up to `1e32`
/// normalises to a finite `f32`.
pub const MAX_ABS_MEAN: f32 = 1e30;

/// The longest message: a `MetaError` is cut in the middle beyond this many characters.
const MAX_MESSAGE: usize = 400;

/// The metadata of a model file: everything but the tensors.
///
/// The fields are public, so a writer builds it directly; [`Meta::validate`] checks what
/// [`Meta::from_json`] checks on reading.
///
/// ```
/// use tinyrnn_schema::{CellKind, Dense, Input, Meta, OutputKind, TaskKind};
///
/// let meta = Meta {
///     cell: CellKind::Lstm,
///     num_layers: 2,
///     hidden_size: 16,
///     input: Input::Dense(Dense { mean: vec![0.5, -1.0], std: vec![2.0, 0.25] }),
///     task: TaskKind::Classify,
///     output: OutputKind::Softmax,
///     labels: vec!["still".into(), "moving".into()],
///     generation: None,
///     decoding: None,
///     conv: vec![],
///     bidirectional: None,
/// };
/// meta.validate()?;
/// assert_eq!(
///     meta.to_json(),
///     r#"{"format_version":1,"cell":"lstm","num_layers":2,"hidden_size":16,"input":"dense","#
///         .to_owned()
///         + r#""task":"classify","output":"softmax","labels":["still","moving"],"#
///         + r#""mean":[0.5,-1.0],"std":[2.0,0.25]}"#
/// );
/// # Ok::<(), tinyrnn_schema::MetaError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// The recurrent cell of every layer.
    pub cell: CellKind,
    /// Number of stacked layers (at least 1).
    pub num_layers: usize,
    /// Hidden units per layer, `H` (at least 1).
    pub hidden_size: usize,
    /// What one step reads, with the fields of that kind of input.
    pub input: Input,
    /// What the model was trained for.
    pub task: TaskKind,
    /// The activation after the head.
    pub output: OutputKind,
    /// Class (or output) names, one per head row, distinct. For a generative model
    /// (`task: "generate"`), the vocabulary itself: output `i` is the score of token `i`.
    pub labels: Vec<String>,
    /// The fields of a generative model (`task: "generate"`), `None` for every other task.
    pub generation: Option<Generation>,
    /// The fields of a sequence-to-sequence model (`task: "seq2seq"`), `None` for every other
    /// task.
    pub decoding: Option<Decoding>,
    /// The 1D convolution front-end between the normalised samples and layer 0, first layer
    /// first: empty for none (format version 1). Only for `dense` input.
    pub conv: Vec<ConvLayer>,
    /// Bidirectional recurrent layers (PyTorch `bidirectional=True`, format version 2), with
    /// the most steps a sequence may have; `None` for one direction.
    pub bidirectional: Option<Bidirectional>,
}

/// The fields of a bidirectional model (`"bidirectional": true`): every layer also runs
/// backward (tensors `weight_ih_l{k}_reverse`, …), layer `k + 1` reads the `2H` outputs of both
/// directions of layer `k`, and the head reads the top layer's final forward and backward `h`.
///
/// A backward direction needs the whole sequence, which the runtime keeps in the caller's
/// state: `max_steps` is the longest sequence it holds (a longer one is an error at run time).
///
/// ```
/// let b = tinyrnn_schema::Bidirectional { max_steps: 29 };
/// assert_eq!(b.max_steps, 29);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bidirectional {
    /// The longest sequence the model runs on, 1 to [`MAX_STEPS`].
    pub max_steps: usize,
}

/// The fields of a generative model (`task: "generate"`, one-to-many): the conditions a
/// sequence can be generated for, whose rows of `condition.weight` initialise the hidden state,
/// and the tokens that start and end a sequence.
///
/// ```
/// use tinyrnn_schema::Generation;
/// let g = Generation { conditions: vec!["reel".into(), "jig".into()], start_id: 1, end_id: 1 };
/// assert_eq!(g.conditions.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generation {
    /// The condition (class) names, distinct: row `k` of `condition.weight` is condition `k`.
    pub conditions: Vec<String>,
    /// The token fed at the first step, before any generated one.
    pub start_id: usize,
    /// The token that ends a sequence (it may equal `start_id`).
    pub end_id: usize,
}

/// The fields of a sequence-to-sequence model (`task: "seq2seq"`, N→M): the output tokens that
/// start and end a decoded sequence. The output vocabulary is `labels` (output `i` of the head
/// scores output token `i`); the input vocabulary is `vocab`.
///
/// ```
/// let d = tinyrnn_schema::Decoding { start_id: 0, end_id: 1 };
/// assert_ne!(d.start_id, d.end_id);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoding {
    /// The output token the decoder reads first (an index of `labels`).
    pub start_id: usize,
    /// The output token that ends a decoded sequence (an index of `labels`).
    pub end_id: usize,
}

/// One layer of the convolution front-end (an element of the `conv` field): PyTorch's
/// `nn.Conv1d(in, out_channels, kernel_size, stride=stride, dilation=dilation)`, then ReLU,
/// then `nn.MaxPool1d(pool)` when `pool > 1` (stride `pool`, no padding, floor mode).
///
/// ```
/// use tinyrnn_schema::{ConvLayer, Padding};
/// let layer = ConvLayer { out_channels: 16, kernel_size: 5, stride: 1, dilation: 2,
///     padding: Padding::Causal, pool: 1 };
/// assert_eq!(layer.window(), 9); // (5 - 1) * 2 + 1 inputs
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvLayer {
    /// Output channels (`out_channels`); the input channels are the features (layer 0) or
    /// the layer below's outputs.
    pub out_channels: usize,
    /// Taps per channel (`kernel_size`).
    pub kernel_size: usize,
    /// Step between two outputs, in inputs (`stride`).
    pub stride: usize,
    /// Step between two taps, in inputs (`dilation`).
    pub dilation: usize,
    /// `valid` (PyTorch's `padding=0`) or `causal` (left zero padding of `window() - 1`).
    pub padding: Padding,
    /// Max-pool width and stride after the ReLU; 1 for no pooling.
    pub pool: usize,
}

impl ConvLayer {
    /// The inputs one output reads: `(kernel_size - 1) * dilation + 1` (saturating).
    pub fn window(&self) -> usize {
        self.kernel_size
            .saturating_sub(1)
            .saturating_mul(self.dilation)
            .saturating_add(1)
    }
}

/// The `padding` of a convolution layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Padding {
    /// No padding (`padding=0`): the first output needs a whole window of inputs.
    Valid,
    /// `window - 1` zeros on the left (`F.pad(x, (window - 1, 0))`): an output per input
    /// from the first one (every `stride`-th), reading only past inputs.
    Causal,
}

impl Padding {
    /// The name used in the file.
    pub fn name(self) -> &'static str {
        match self {
            Padding::Valid => "valid",
            Padding::Causal => "causal",
        }
    }
}

/// What one step of the model reads (the file's `input` field and the fields that go with it).
///
/// ```
/// use tinyrnn_schema::{Dense, Input, InputKind};
///
/// let input = Input::Dense(Dense { mean: vec![0.0], std: vec![1.0] });
/// assert_eq!(input.kind(), InputKind::Dense);
/// assert!(!input.is_text() && input.text().is_none());
/// assert_eq!(input.to_string(), "dense");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Token ids through `embedding.weight`.
    Embedding(Text),
    /// Token ids as one-hot vectors of the vocabulary size.
    OneHot(Text),
    /// Sensor samples, normalised per feature before layer 0.
    Dense(Dense),
}

/// The fields of a text input (`embedding` or `one_hot`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// Token id → word; distinct, non-empty entries.
    pub vocab: Vec<String>,
    /// The id that words missing from `vocab` map to.
    pub unk_id: usize,
    /// The padding id used in training, if any (never produced by the tokenizer).
    pub pad_id: Option<usize>,
    /// How text is cut into tokens and compared.
    pub tokenizer: TokenizerRules,
}

/// The fields of a sensor input (`dense`): `x' = (x - mean) / std` per feature, in `f32`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    /// Per-feature mean of the training split.
    pub mean: Vec<f32>,
    /// Per-feature standard deviation of the training split (each at least [`MIN_STD`]).
    pub std: Vec<f32>,
}

impl Input {
    /// The kind of input, without its fields.
    pub fn kind(&self) -> InputKind {
        match self {
            Input::Embedding(_) => InputKind::Embedding,
            Input::OneHot(_) => InputKind::OneHot,
            Input::Dense(_) => InputKind::Dense,
        }
    }

    /// True for the two token inputs.
    pub fn is_text(&self) -> bool {
        self.kind().is_text()
    }

    /// The vocabulary and tokenizer of a text input.
    pub fn text(&self) -> Option<&Text> {
        match self {
            Input::Embedding(text) | Input::OneHot(text) => Some(text),
            Input::Dense(_) => None,
        }
    }

    /// The normalisation of a sensor input.
    pub fn dense(&self) -> Option<&Dense> {
        match self {
            Input::Dense(dense) => Some(dense),
            Input::Embedding(_) | Input::OneHot(_) => None,
        }
    }

    /// The name used in the file.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The `cell` field.
///
/// ```
/// use tinyrnn_schema::CellKind;
/// assert_eq!((CellKind::Gru.gates(), CellKind::Lstm.state_vectors()), (3, 2));
/// assert_eq!(CellKind::Rnn.name(), "rnn");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// The name used in the file.
    pub fn name(self) -> &'static str {
        match self {
            CellKind::Rnn => "rnn",
            CellKind::Lstm => "lstm",
            CellKind::Gru => "gru",
        }
    }
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
}

/// The `input` field, without the fields that go with it (see [`Input`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// The name used in the file.
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Embedding => "embedding",
            InputKind::OneHot => "one_hot",
            InputKind::Dense => "dense",
        }
    }
}

impl InputKind {
    /// True for the two token inputs.
    pub fn is_text(self) -> bool {
        matches!(self, InputKind::Embedding | InputKind::OneHot)
    }
}

/// The `task` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// N→1 classification.
    Classify,
    /// N→N tagging.
    Tag,
    /// N→1 regression.
    Regress,
    /// 1→N generation: the head scores the next token after every step (a language model
    /// over the vocabulary), started from a condition's initial state.
    Generate,
    /// N→M sequence to sequence: an encoder reads the input tokens, a decoder started from its
    /// final state emits output tokens (scored by the head over `labels`) until the end token.
    #[serde(rename = "seq2seq")]
    Seq2Seq,
}

impl TaskKind {
    /// The name used in the file.
    pub fn name(self) -> &'static str {
        match self {
            TaskKind::Classify => "classify",
            TaskKind::Tag => "tag",
            TaskKind::Regress => "regress",
            TaskKind::Generate => "generate",
            TaskKind::Seq2Seq => "seq2seq",
        }
    }
}

/// The `output` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputKind {
    /// Softmax over the outputs.
    Softmax,
    /// Sigmoid per output.
    Sigmoid,
    /// No activation.
    Identity,
}

impl OutputKind {
    /// The name used in the file.
    pub fn name(self) -> &'static str {
        match self {
            OutputKind::Softmax => "softmax",
            OutputKind::Sigmoid => "sigmoid",
            OutputKind::Identity => "identity",
        }
    }
}

/// The `tokenizer` field of a text model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenizerRules {
    /// Lowercase each character of a token before lookup.
    pub lowercase: bool,
    /// How text is split into tokens.
    pub split: SplitKind,
    /// Buckets for the words missing from `vocab` (version 2; `0`, the default, when absent):
    /// when non-zero, the last `unk_buckets` entries of `vocab` are buckets, and a missing
    /// token gets the bucket `fnv1a(token) % unk_buckets` (FNV-1a, 32-bit, over the token's
    /// UTF-8 bytes after lowercasing) instead of `unk_id`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unk_buckets: u16,
    /// Negation scope (version 2; `0`, the default, when absent: no negation marking): when
    /// non-zero, up to `negation` tokens after a negator word, up to the next `.,;:!?`, are
    /// looked up as `not_` + the token when `vocab` has that entry (docs/model-format.md).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub negation: u16,
    /// Light suffix stripping (version 2; `false`, the default, when absent): when set, every
    /// token is looked up (and hashed) as its stem, a prefix of it with at most one
    /// inflectional suffix stripped (the runtime's `tinyrnn::stem`, docs/model-format.md).
    #[serde(default, skip_serializing_if = "is_false")]
    pub stem: bool,
}

impl TokenizerRules {
    /// Tokens taken as written: split at whitespace, no lowercasing, no buckets, no negation.
    /// The rules of a vocabulary of tokens rather than words (a generative model's events, a
    /// sequence-to-sequence decoder's outputs).
    ///
    /// ```
    /// use tinyrnn_schema::{SplitKind, TokenizerRules};
    /// assert_eq!(TokenizerRules::AS_WRITTEN.split, SplitKind::Whitespace);
    /// assert!(!TokenizerRules::AS_WRITTEN.lowercase);
    /// ```
    pub const AS_WRITTEN: TokenizerRules = TokenizerRules {
        lowercase: false,
        split: SplitKind::Whitespace,
        unk_buckets: 0,
        negation: 0,
        stem: false,
    };
}

/// The prefix of the `vocab` entries that tokens in a negation scope are looked up as
/// (`tokenizer.negation`; the runtime's `tinyrnn::NEGATED_PREFIX`).
pub const NEGATED_PREFIX: &str = "not_";

/// Whether `unk_buckets` or `negation` is absent from a written file (0: off, as in version 1).
fn is_zero(n: &u16) -> bool {
    *n == 0
}

/// Whether `stem` is absent from a written file (off, as in version 1).
fn is_false(b: &bool) -> bool {
    !*b
}

/// The `tokenizer.split` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitKind {
    /// Runs of alphanumeric characters, keeping an apostrophe between two of them.
    Words,
    /// Runs of non-whitespace characters.
    Whitespace,
    /// Every non-whitespace character on its own (letters in, for grapheme to phoneme).
    Chars,
}

impl SplitKind {
    /// The name used in the file.
    pub fn name(self) -> &'static str {
        match self {
            SplitKind::Words => "words",
            SplitKind::Whitespace => "whitespace",
            SplitKind::Chars => "chars",
        }
    }
}

/// Why a metadata document was rejected, in one line: the field, what was expected and what was
/// found (the file name is the caller's to add).
///
/// ```
/// let e = tinyrnn_schema::Meta::from_json("not json").unwrap_err();
/// assert!(e.to_string().starts_with("metadata `tinyrnn`: "));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaError(String);

impl fmt::Display for MetaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MetaError {}

impl MetaError {
    /// The message on one line of bounded length, whatever of the file it quotes.
    fn new(message: impl AsRef<str>) -> MetaError {
        MetaError(show::line(message.as_ref(), MAX_MESSAGE))
    }
}

impl Meta {
    /// Parses and checks the JSON document, checking the version before the fields so that a
    /// file from a newer format says so instead of complaining about fields this version does
    /// not know. Numbers of `mean` and `std` are rounded to `f32`.
    ///
    /// ```
    /// let e = tinyrnn_schema::Meta::from_json(r#"{"format_version": 3}"#).unwrap_err();
    /// assert!(e.to_string().contains("expected 1 or 2, found 3"));
    /// ```
    pub fn from_json(json: &str) -> Result<Meta, MetaError> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
            MetaError::new(format!(
                "metadata `{METADATA_KEY}`: expected a JSON object, {e}"
            ))
        })?;
        // Before anything reads a field: a repeated one would be read as its last value.
        if let Some(path) = duplicate_key(json) {
            return Err(MetaError::new(format!(
                "metadata field `{}`: expected once, found it at least twice",
                show::name(&path.join("."))
            )));
        }
        match value.get("format_version") {
            None => {
                return Err(MetaError::new(
                    "metadata field `format_version`: expected 1 or 2, found no such field",
                ))
            }
            Some(v) if !v.as_u64().is_some_and(|n| FORMAT_VERSIONS.contains(&n)) => {
                return Err(MetaError::new(format!(
                    "metadata field `format_version`: expected 1 or 2, found {v} (this \
                     tinyrnn-build reads versions 1 and 2 only)"
                )))
            }
            Some(_) => {}
        }
        let wire: Wire<f64> = serde_path_to_error::deserialize(value).map_err(|e| {
            // Name the field a wrong type or value is in (`tokenizer.stem`), as every other
            // message does; serde's own message names only the value and the expected type.
            let path = e.path().to_string();
            let error = e.into_inner();
            if path.is_empty() || path == "." {
                MetaError::new(format!("metadata `{METADATA_KEY}`: {error}"))
            } else {
                MetaError::new(format!("metadata field `{}`: {error}", show::name(&path)))
            }
        })?;
        wire.check()?;
        Ok(wire.into_meta())
    }

    /// The JSON document: one line, the fields in the order of `docs/model-format.md`, optional
    /// fields left out when absent, numbers in their shortest form that reads back exactly.
    ///
    /// It does not check the fields: call [`Meta::validate`] first.
    pub fn to_json(&self) -> String {
        // Every value is a string, a bool, an integer or a finite-or-null float: cannot fail.
        serde_json::to_string(&Wire::from(self)).unwrap_or_default()
    }

    /// Checks what [`Meta::from_json`] checks: sizes of at least 1, distinct labels, a
    /// vocabulary of distinct non-empty entries (lowercase when the tokenizer lowercases) with
    /// `unk_id` and `pad_id` inside it, `mean`/`std` of the same non-zero length, finite, and
    /// `MIN_STD <= std` and `|mean| <= MAX_ABS_MEAN` (see [`MIN_STD`]).
    ///
    /// ```
    /// use tinyrnn_schema::{CellKind, Dense, Input, Meta, OutputKind, TaskKind};
    /// let meta = Meta {
    ///     cell: CellKind::Gru,
    ///     num_layers: 1,
    ///     hidden_size: 4,
    ///     input: Input::Dense(Dense { mean: vec![0.0], std: vec![0.0] }),
    ///     task: TaskKind::Classify,
    ///     output: OutputKind::Softmax,
    ///     labels: vec!["a".into()],
    ///     generation: None,
    ///     decoding: None,
    ///     conv: vec![],
    ///     bidirectional: None,
    /// };
    /// let e = meta.validate().unwrap_err();
    /// assert_eq!(
    ///     e.to_string(),
    ///     "metadata field `std`: expected positive finite values, found 0 at index 0"
    /// );
    /// ```
    pub fn validate(&self) -> Result<(), MetaError> {
        Wire::from(self).check()
    }
}

impl Serialize for Meta {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Wire::from(self).serialize(serializer)
    }
}

/// The document as it is on disk: one flat object (the `conv` layers are objects in a list). `N` is the number type of `mean`/`std`:
/// `f64` when reading (so that an error shows the number as written), `f32` when writing (so
/// that it is written in its shortest `f32` form). The field order is the order written.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire<N> {
    format_version: u64,
    cell: CellKind,
    num_layers: usize,
    hidden_size: usize,
    input: InputKind,
    task: TaskKind,
    output: OutputKind,
    labels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vocab: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unk_id: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pad_id: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tokenizer: Option<TokenizerRules>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mean: Option<Vec<N>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    std: Option<Vec<N>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    conditions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    start_id: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end_id: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    conv: Option<Vec<ConvLayer>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bidirectional: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_steps: Option<usize>,
}

impl From<&Meta> for Wire<f32> {
    fn from(m: &Meta) -> Self {
        let text = m.input.text();
        let dense = m.input.dense();
        let tokenizer_v2 = text.is_some_and(|t| {
            t.tokenizer.unk_buckets > 0 || t.tokenizer.negation > 0 || t.tokenizer.stem
        });
        Wire {
            // Version 1 whenever it suffices, so that files without `conv`, `bidirectional`,
            // buckets, negation or stemming stay as they were.
            format_version: if m.conv.is_empty() && m.bidirectional.is_none() && !tokenizer_v2 {
                1
            } else {
                FORMAT_VERSION
            },
            cell: m.cell,
            num_layers: m.num_layers,
            hidden_size: m.hidden_size,
            input: m.input.kind(),
            task: m.task,
            output: m.output,
            labels: m.labels.clone(),
            vocab: text.map(|t| t.vocab.clone()),
            unk_id: text.map(|t| t.unk_id),
            pad_id: text.and_then(|t| t.pad_id),
            tokenizer: text.map(|t| t.tokenizer),
            mean: dense.map(|d| d.mean.clone()),
            std: dense.map(|d| d.std.clone()),
            conditions: m.generation.as_ref().map(|g| g.conditions.clone()),
            start_id: m
                .generation
                .as_ref()
                .map(|g| g.start_id)
                .or(m.decoding.map(|d| d.start_id)),
            end_id: m
                .generation
                .as_ref()
                .map(|g| g.end_id)
                .or(m.decoding.map(|d| d.end_id)),
            conv: (!m.conv.is_empty()).then(|| m.conv.clone()),
            bidirectional: m.bidirectional.map(|_| true),
            max_steps: m.bidirectional.map(|b| b.max_steps),
        }
    }
}

impl Wire<f64> {
    /// The typed document; [`Wire::check`] has passed, so every field of the input kind is
    /// present.
    fn into_meta(self) -> Meta {
        // Each field is moved out of `self` once (closures capture only the fields they use).
        let text = || Text {
            vocab: self.vocab.unwrap_or_default(),
            unk_id: self.unk_id.unwrap_or_default(),
            pad_id: self.pad_id,
            tokenizer: self.tokenizer.unwrap_or(TokenizerRules::AS_WRITTEN),
        };
        let f32s = |v: Option<Vec<f64>>| v.unwrap_or_default().iter().map(|&x| x as f32).collect();
        let input = match self.input {
            InputKind::Embedding => Input::Embedding(text()),
            InputKind::OneHot => Input::OneHot(text()),
            InputKind::Dense => Input::Dense(Dense {
                mean: f32s(self.mean),
                std: f32s(self.std),
            }),
        };
        let decoding = (self.task == TaskKind::Seq2Seq).then(|| Decoding {
            start_id: self.start_id.unwrap_or_default(),
            end_id: self.end_id.unwrap_or_default(),
        });
        let generation = (self.task == TaskKind::Generate).then(|| Generation {
            conditions: self.conditions.unwrap_or_default(),
            start_id: self.start_id.unwrap_or_default(),
            end_id: self.end_id.unwrap_or_default(),
        });
        Meta {
            cell: self.cell,
            num_layers: self.num_layers,
            hidden_size: self.hidden_size,
            input,
            task: self.task,
            output: self.output,
            labels: self.labels,
            generation,
            decoding,
            conv: self.conv.unwrap_or_default(),
            bidirectional: (self.bidirectional == Some(true)).then(|| Bidirectional {
                max_steps: self.max_steps.unwrap_or_default(),
            }),
        }
    }
}

/// A metadata field's name and whether the document has it.
type Field<'a> = (&'a str, bool);

impl<N: Number> Wire<N> {
    /// Checks the fields in a fixed order and reports the first wrong one.
    fn check(&self) -> Result<(), MetaError> {
        let field = |name: &str, expected: &str, found: String| {
            MetaError::new(format!(
                "metadata field `{name}`: expected {expected}, found {found}"
            ))
        };
        if self.num_layers == 0 {
            return Err(field("num_layers", "at least 1", "0".into()));
        }
        if self.hidden_size == 0 {
            return Err(field("hidden_size", "at least 1", "0".into()));
        }
        non_empty("labels", &self.labels, "at least one label")?;
        if let Some((i, j)) = first_duplicate(&self.labels) {
            return Err(field(
                "labels",
                "distinct labels",
                format!("{} at positions {i} and {j}", show::quote(&self.labels[i])),
            ));
        }
        // The file is flat: which fields belong is decided by `input`.
        let text_fields = [
            ("vocab", self.vocab.is_some()),
            ("unk_id", self.unk_id.is_some()),
            ("pad_id", self.pad_id.is_some()),
            ("tokenizer", self.tokenizer.is_some()),
        ];
        let dense_fields = [("mean", self.mean.is_some()), ("std", self.std.is_some())];
        let (required, forbidden): (&[Field], &[Field]) = if self.input.is_text() {
            (&text_fields[..], &dense_fields[..])
        } else {
            (&dense_fields[..], &text_fields[..])
        };
        for (name, present) in required {
            // pad_id is optional even for text.
            if !present && *name != "pad_id" {
                return Err(field(
                    name,
                    &format!("a value for `{}` input", self.input.name()),
                    "no such field".into(),
                ));
            }
        }
        if let Some((name, _)) = forbidden.iter().find(|(_, present)| *present) {
            return Err(field(
                name,
                &format!("no such field for `{}` input", self.input.name()),
                "one".into(),
            ));
        }

        if self.input.is_text() {
            let vocab = self.vocab.as_deref().unwrap_or_default();
            non_empty("vocab", vocab, "at least one entry")?;
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
                    format!("duplicate {} at ids {i} and {j}", show::quote(&vocab[i])),
                ));
            }
            if self.tokenizer.is_some_and(|t| t.lowercase) {
                if let Some(i) = vocab.iter().position(|w| lowercase(w) != *w) {
                    return Err(field(
                        "vocab",
                        "lowercase entries (tokenizer.lowercase is true)",
                        format!("{} at id {i}", show::quote(&vocab[i])),
                    ));
                }
            }
            let unk = self.unk_id.unwrap_or_default();
            if unk >= vocab.len() {
                return Err(field(
                    "unk_id",
                    &format!("an id below the vocabulary size {}", vocab.len()),
                    unk.to_string(),
                ));
            }
            if let Some(pad) = self.pad_id {
                if pad >= vocab.len() || pad == unk {
                    return Err(field(
                        "pad_id",
                        &format!("an id below {} other than unk_id {unk}", vocab.len()),
                        pad.to_string(),
                    ));
                }
            }
            self.check_buckets(vocab.len())?;
            self.check_negation()?;
        } else {
            let mean = self.mean.as_deref().unwrap_or_default();
            let std = self.std.as_deref().unwrap_or_default();
            non_empty("mean", mean, "one value per feature")?;
            if std.len() != mean.len() {
                return Err(field(
                    "std",
                    &format!("{} values, as many as `mean`", mean.len()),
                    format!("{}", std.len()),
                ));
            }
            check_statistics(mean, std)?;
        }
        self.check_generation()?;
        self.check_conv()?;
        self.check_bidirectional()
    }

    /// `bidirectional` and `max_steps`: version 2, both or neither, `max_steps` within
    /// 1..=[`MAX_STEPS`], and a model that reads a whole sequence once (a classifier or
    /// regressor without a convolution front-end, which streams).
    fn check_bidirectional(&self) -> Result<(), MetaError> {
        let field = |name: &str, expected: &str, found: String| {
            MetaError::new(format!(
                "metadata field `{name}`: expected {expected}, found {found}"
            ))
        };
        let max_steps = match (self.bidirectional, self.max_steps) {
            (None | Some(false), None) => return Ok(()),
            (Some(true), Some(n)) => n,
            (Some(true), None) => {
                return Err(field(
                    "max_steps",
                    "the longest sequence a bidirectional model runs on",
                    "no such field".into(),
                ))
            }
            (_, Some(_)) => {
                return Err(field(
                    "max_steps",
                    "no such field unless `bidirectional` is true",
                    "one".into(),
                ))
            }
        };
        if self.format_version < 2 {
            return Err(field(
                "bidirectional",
                "`format_version` 2 (version 1 has no bidirectional layers)",
                format!("format_version {}", self.format_version),
            ));
        }
        if !(1..=MAX_STEPS).contains(&max_steps) {
            return Err(field(
                "max_steps",
                &format!("1 to {MAX_STEPS}"),
                max_steps.to_string(),
            ));
        }
        if self.conv.is_some() {
            return Err(field(
                "bidirectional",
                "no `conv` front-end with it (a convolution front-end streams, a bidirectional \
                 layer does not)",
                "both".into(),
            ));
        }
        if matches!(self.task, TaskKind::Tag | TaskKind::Generate) {
            return Err(field(
                "bidirectional",
                "`task` classify or regress (a bidirectional model answers once per sequence)",
                format!("`task` {}", self.task.name()),
            ));
        }
        Ok(())
    }

    /// A task that reads and emits tokens (`generate`, `seq2seq`): a text input and a softmax
    /// head; `reads` and `scores` say why in the error.
    fn check_token_io(&self, reads: &str, scores: &str) -> Result<(), MetaError> {
        let task = self.task.name();
        if !self.input.is_text() {
            return Err(MetaError::new(format!(
                "metadata field `input`: expected `embedding` or `one_hot` for task `{task}` \
                 ({reads}), found `{}`",
                self.input.name()
            )));
        }
        if self.output != OutputKind::Softmax {
            return Err(MetaError::new(format!(
                "metadata field `output`: expected `softmax` for task `{task}` ({scores}), found \
                 `{}`",
                self.output.name()
            )));
        }
        Ok(())
    }

    /// The fields of `task: "seq2seq"`: a text input (the input vocabulary), a softmax head
    /// over `labels` (the output vocabulary, whose entries the decoder's embedding rows
    /// follow), start and end tokens among the labels, no conditions.
    fn check_decoding(&self, fields: &[Field<'_>]) -> Result<(), MetaError> {
        let field = |name: &str, expected: &str, found: String| {
            MetaError::new(format!(
                "metadata field `{name}`: expected {expected}, found {found}"
            ))
        };
        self.check_token_io(
            "the encoder reads token ids",
            "a distribution over the next output token",
        )?;
        if self.conditions.is_some() {
            return Err(field(
                "conditions",
                "no such field for task `seq2seq` (the encoder gives the initial state)",
                "one".into(),
            ));
        }
        if self.bidirectional.is_some() {
            return Err(field(
                "bidirectional",
                "no such field for task `seq2seq` (the decoder starts from the encoder's \
                 final state, one direction)",
                "one".into(),
            ));
        }
        for (name, present) in &fields[1..] {
            if !present {
                return Err(field(
                    name,
                    "a value for task `seq2seq`",
                    "no such field".into(),
                ));
            }
        }
        for (name, id) in [("start_id", self.start_id), ("end_id", self.end_id)] {
            let id = id.unwrap_or_default();
            if id >= self.labels.len() {
                return Err(field(
                    name,
                    &format!(
                        "an id below the output vocabulary size (labels) {}",
                        self.labels.len()
                    ),
                    id.to_string(),
                ));
            }
        }
        Ok(())
    }

    /// The fields of `task: "generate"`: a text model with a softmax head over its
    /// vocabulary, distinct condition names, and start and end tokens inside the vocabulary.
    fn check_generation(&self) -> Result<(), MetaError> {
        let field = |name: &str, expected: &str, found: String| {
            MetaError::new(format!(
                "metadata field `{name}`: expected {expected}, found {found}"
            ))
        };
        let fields = [
            ("conditions", self.conditions.is_some()),
            ("start_id", self.start_id.is_some()),
            ("end_id", self.end_id.is_some()),
        ];
        if self.task == TaskKind::Seq2Seq {
            return self.check_decoding(&fields);
        }
        if self.task != TaskKind::Generate {
            if let Some((name, _)) = fields.iter().find(|(_, present)| *present) {
                return Err(field(
                    name,
                    &format!("no such field for task `{}`", self.task.name()),
                    "one".into(),
                ));
            }
            return Ok(());
        }
        self.check_token_io(
            "it feeds back token ids",
            "a distribution over the next token",
        )?;
        for (name, present) in fields {
            if !present {
                return Err(field(
                    name,
                    "a value for task `generate`",
                    "no such field".into(),
                ));
            }
        }
        let vocab = self.vocab.as_deref().unwrap_or_default();
        if self.labels != vocab {
            return Err(field(
                "labels",
                "the vocabulary, in its order, for task `generate` (output i scores token i)",
                format!("{} labels that differ from it", self.labels.len()),
            ));
        }
        let conditions = self.conditions.as_deref().unwrap_or_default();
        let expected = "at least one condition (one with a zero row for an unconditioned model)";
        non_empty("conditions", conditions, expected)?;
        if let Some((i, j)) = first_duplicate(conditions) {
            return Err(field(
                "conditions",
                "distinct names",
                format!("{} at positions {i} and {j}", show::quote(&conditions[i])),
            ));
        }
        for (name, id) in [("start_id", self.start_id), ("end_id", self.end_id)] {
            let id = id.unwrap_or_default();
            if id >= vocab.len() {
                return Err(field(
                    name,
                    &format!("an id below the vocabulary size {}", vocab.len()),
                    id.to_string(),
                ));
            }
        }
        Ok(())
    }

    /// `tokenizer.unk_buckets`: version 2, and the buckets (the last entries of `vocab`) leave
    /// room for `unk_id` and `pad_id` before them.
    fn check_buckets(&self, v: usize) -> Result<(), MetaError> {
        let buckets = usize::from(self.tokenizer.map_or(0, |t| t.unk_buckets));
        if buckets == 0 {
            return Ok(());
        }
        self.require_version_2("tokenizer.unk_buckets", "buckets")?;
        let first = v.saturating_sub(buckets);
        let unk = self.unk_id.unwrap_or_default();
        let pad = self.pad_id.unwrap_or(unk);
        if buckets >= v || unk >= first || pad >= first {
            return Err(MetaError::new(format!(
                "metadata field `tokenizer.unk_buckets`: expected fewer than the {v} vocabulary \
                 entries, with unk_id and pad_id before the buckets, found {buckets} (unk_id \
                 {unk}, pad_id {pad})"
            )));
        }
        Ok(())
    }

    /// `tokenizer.negation` and `tokenizer.stem`: version 2.
    fn check_negation(&self) -> Result<(), MetaError> {
        if self.tokenizer.is_some_and(|t| t.negation > 0) {
            self.require_version_2("tokenizer.negation", "negation marking")?;
        }
        if self.tokenizer.is_some_and(|t| t.stem) {
            self.require_version_2("tokenizer.stem", "stemming")?;
        }
        Ok(())
    }

    /// An error for field `name` unless the file is version 2 (version 1 has no `what`).
    fn require_version_2(&self, name: &str, what: &str) -> Result<(), MetaError> {
        if self.format_version < 2 {
            return Err(MetaError::new(format!(
                "metadata field `{name}`: expected `format_version` 2 (version 1 has no \
                 {what}), found format_version {}",
                self.format_version
            )));
        }
        Ok(())
    }

    /// The `conv` field: version 2, `dense` input, at least one layer, every size within
    /// 1..=[`MAX_CONV_SIZE`].
    fn check_conv(&self) -> Result<(), MetaError> {
        let Some(conv) = &self.conv else {
            return Ok(());
        };
        let field = |expected: &str, found: String| {
            MetaError::new(format!(
                "metadata field `conv`: expected {expected}, found {found}"
            ))
        };
        self.require_version_2("conv", "convolution front-end")?;
        if self.input.is_text() {
            let expected = format!(
                "no such field for `{}` input (a convolution front-end reads dense samples)",
                self.input.name()
            );
            return Err(field(&expected, "one".into()));
        }
        non_empty(
            "conv",
            conv,
            "at least one layer (leave the field out for none)",
        )?;
        for (j, layer) in conv.iter().enumerate() {
            let sizes = [
                ("out_channels", layer.out_channels),
                ("kernel_size", layer.kernel_size),
                ("stride", layer.stride),
                ("dilation", layer.dilation),
                ("pool", layer.pool),
                ("(kernel_size - 1) * dilation + 1", layer.window()),
            ];
            for (name, n) in sizes {
                if !(1..=MAX_CONV_SIZE).contains(&n) {
                    return Err(MetaError::new(format!(
                        "metadata field `conv[{j}].{name}`: expected 1 to {MAX_CONV_SIZE}, \
                         found {n}"
                    )));
                }
            }
        }
        Ok(())
    }
}

/// A number of `mean` or `std`: `f64` as read, `f32` as written.
trait Number: Copy + Into<f64> + fmt::Display + fmt::LowerExp {}

impl<N: Copy + Into<f64> + fmt::Display + fmt::LowerExp> Number for N {}

/// Checks that every statistic is finite once rounded to `f32` (the runtime normalises in
/// `f32`), that `|mean| <= MAX_ABS_MEAN` and that `std >= MIN_STD`, so that an ordinary sample
/// normalises to a finite value.
fn check_statistics<N: Number>(mean: &[N], std: &[N]) -> Result<(), MetaError> {
    let field = |name: &str, expected: &str, x: N, i: usize| {
        MetaError::new(format!(
            "metadata field `{name}`: expected {expected}, found {} at index {i}",
            number(x)
        ))
    };
    let as_f32 = |x: N| x.into() as f32;
    let finite = |x: N| x.into().is_finite() && as_f32(x).is_finite();
    if let Some(i) = mean.iter().position(|&m| !finite(m)) {
        return Err(field("mean", "finite values", mean[i], i));
    }
    if let Some(i) = mean.iter().position(|&m| as_f32(m).abs() > MAX_ABS_MEAN) {
        let expected = format!(
            "values of magnitude at most {MAX_ABS_MEAN:e} (beyond, normalising an ordinary \
             sample overflows)"
        );
        return Err(field("mean", &expected, mean[i], i));
    }
    if let Some(i) = std.iter().position(|&s| !(finite(s) && as_f32(s) > 0.0)) {
        return Err(field("std", "positive finite values", std[i], i));
    }
    if let Some(i) = std.iter().position(|&s| as_f32(s) < MIN_STD) {
        let expected = format!(
            "values of at least {MIN_STD:e} (a smaller one makes normalising an ordinary \
             sample overflow)"
        );
        return Err(field("std", &expected, std[i], i));
    }
    Ok(())
}

/// `x` as written, in exponent form when plain digits would be long (`1e-40`, not forty zeros).
fn number<N: Number>(x: N) -> String {
    let magnitude = x.into().abs();
    if magnitude != 0.0 && !(1e-4..1e16).contains(&magnitude) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Lowercases like the runtime's lookup does: character by character.
fn lowercase(word: &str) -> String {
    word.chars().flat_map(char::to_lowercase).collect()
}

/// An error naming the list field `name` if `list` is empty; `expected` says what it should hold.
fn non_empty<T>(name: &str, list: &[T], expected: &str) -> Result<(), MetaError> {
    if list.is_empty() {
        return Err(MetaError::new(format!(
            "metadata field `{name}`: expected {expected}, found an empty list"
        )));
    }
    Ok(())
}

/// The positions of the first repeated item.
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
