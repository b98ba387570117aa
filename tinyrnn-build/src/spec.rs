//! Reading a model file and checking it against the format, into a [`ModelSpec`].

use std::collections::{BTreeMap, HashMap};
use std::fs::{FileType, Metadata};
use std::io::Read as _;
use std::path::Path;

use safetensors::{Dtype, SafeTensors};

use tinyrnn_schema::{show, Input, Meta, Padding, METADATA_KEY};

use crate::error::Error;

/// The most `f32` parameters, all tensors together, that a model may have: 16 Mi, 64 MiB of
/// weights, more than any microcontroller's flash. It bounds the generated source (at most
/// about 16 bytes per parameter) and the time and memory of a build.
pub const MAX_PARAMETERS: usize = 1 << 24;

/// The most bytes of text in `labels`, and the most in `vocab` (4 MiB each).
pub const MAX_TEXT_BYTES: usize = 1 << 22;

/// The most bytes of text in `vocab` that the baked offsets (`u16`) can address: 64 KiB less
/// one, some 8,000 words, more than a microcontroller's model wants.
pub const MAX_VOCAB_TEXT_BYTES: usize = u16::MAX as usize;

/// The most `vocab` entries that the baked ids (`u16`) can number.
pub const MAX_VOCAB_WORDS: usize = u16::MAX as usize + 1;

/// The largest model file read (256 MiB): the tensors of [`MAX_PARAMETERS`] and safetensors'
/// own limit of 100 MB of header fit in it.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// Names listed at most in a message that lists names; the rest are counted.
const MAX_LISTED: usize = 8;

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
    /// Layer-0 input size: `E`, `V`, `F`, or the last convolution layer's `out_channels`.
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

    /// Directions of every recurrent layer: 2 for a bidirectional model, else 1.
    ///
    /// ```
    /// let spec = tinyrnn_build::load("../conformance/fixtures/gru_1l_dense.safetensors".as_ref())?;
    /// assert_eq!(spec.directions(), 1);
    /// # Ok::<(), tinyrnn_build::Error>(())
    /// ```
    pub fn directions(&self) -> usize {
        if self.meta.bidirectional.is_some() {
            2
        } else {
            1
        }
    }

    /// Values a layer gives the layer above and the head: `hidden_size` per direction.
    pub fn layer_outputs(&self) -> usize {
        self.directions().saturating_mul(self.meta.hidden_size)
    }

    /// Multiply-accumulates of one recurrent step (all layers and directions; a one-hot input
    /// is a lookup).
    ///
    /// Saturating: [`parse`] bounds every size by [`MAX_PARAMETERS`], but the fields are
    /// public and a hand-made spec must not make this panic.
    pub fn macs_per_step(&self) -> usize {
        let gh = self.meta.cell.gates().saturating_mul(self.meta.hidden_size);
        let h = self.meta.hidden_size;
        let first_input = match self.meta.input {
            Input::OneHot(_) => 0,
            Input::Embedding(_) | Input::Dense(_) => self.input_size,
        };
        let first = gh.saturating_mul(first_input.saturating_add(h));
        let upper = self.meta.num_layers.saturating_sub(1).saturating_mul(gh);
        let upper = upper.saturating_mul(self.layer_outputs().saturating_add(h));
        first
            .saturating_add(upper)
            .saturating_mul(self.directions())
    }

    /// Features per sample of a `dense` model (what `step` reads); for a text model, the
    /// layer-0 input size.
    pub fn features(&self) -> usize {
        self.meta
            .input
            .dense()
            .map_or(self.input_size, |d| d.mean.len())
    }

    /// The input channels of convolution layer `j`: the features for the first, the layer
    /// below's `out_channels` for the others.
    pub fn conv_inputs(&self, j: usize) -> usize {
        match j.checked_sub(1) {
            None => self.features(),
            Some(below) => self.meta.conv.get(below).map_or(0, |c| c.out_channels),
        }
    }

    /// Multiply-accumulates of one output of every convolution layer (0 without `conv`;
    /// saturating).
    pub fn conv_macs(&self) -> usize {
        self.meta
            .conv
            .iter()
            .enumerate()
            .fold(0usize, |sum, (j, c)| {
                let one = c
                    .out_channels
                    .saturating_mul(c.kernel_size)
                    .saturating_mul(self.conv_inputs(j));
                sum.saturating_add(one)
            })
    }

    /// Multiply-accumulates of the convolution layers per recurrent step once the windows are
    /// full (0 without `conv`; saturating): the last layer computes `pool` outputs per step, and
    /// each layer below it `pool` outputs per input of the layer above, which takes one every
    /// `stride`.
    ///
    /// ```
    /// let spec = tinyrnn_build::load("../conformance/fixtures/conv_gru_2c.safetensors".as_ref())?;
    /// // Layer 1 (6 → 5, kernel 3, pool 2): 2 outputs; layer 0 (4 → 6, kernel 3): 2 · 1 · 1.
    /// assert_eq!(spec.conv_macs_per_step(), 2 * 5 * 3 * 6 + 2 * 6 * 3 * 4);
    /// # Ok::<(), tinyrnn_build::Error>(())
    /// ```
    pub fn conv_macs_per_step(&self) -> usize {
        let mut outputs = 1usize; // of the layer above, per recurrent step
        let mut stride = 1usize; // of the layer above
        let mut macs = 0usize;
        for (j, c) in self.meta.conv.iter().enumerate().rev() {
            outputs = outputs.saturating_mul(stride).saturating_mul(c.pool);
            let one = c
                .out_channels
                .saturating_mul(c.kernel_size)
                .saturating_mul(self.conv_inputs(j));
            macs = macs.saturating_add(outputs.saturating_mul(one));
            stride = c.stride;
        }
        macs
    }

    /// The fewest samples after which the recurrent layers have stepped once: 1 without
    /// `conv`; with it, what the windows, strides and pools of the layers need (saturating).
    ///
    /// ```
    /// let spec = tinyrnn_build::load("../conformance/fixtures/conv_gru_2c.safetensors".as_ref())?;
    /// // Layer 1: a valid window of 3 inputs at dilation 2 (span 5), pool 2, stride 1 ->
    /// // 6 inputs; layer 0 is causal with stride 1 -> 6 samples.
    /// assert_eq!(spec.min_samples(), 6);
    /// # Ok::<(), tinyrnn_build::Error>(())
    /// ```
    pub fn min_samples(&self) -> usize {
        self.meta.conv.iter().rev().fold(1usize, |outputs, c| {
            let convolved = outputs.saturating_mul(c.pool);
            let first = match c.padding {
                Padding::Valid => c.window(),
                Padding::Causal => 1,
            };
            first.saturating_add(convolved.saturating_sub(1).saturating_mul(c.stride))
        })
    }

    /// Multiply-accumulates of one read of the head (saturating, like
    /// [`ModelSpec::macs_per_step`]).
    pub fn head_macs(&self) -> usize {
        self.outputs.saturating_mul(self.layer_outputs())
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
    let bytes = read_model(path).map_err(|m| Error::new(path, m))?;
    parse(path, &bytes)
}

/// The bytes of a model file that is a regular file of at most [`MAX_FILE_BYTES`].
fn read_model(path: &Path) -> Result<Vec<u8>, String> {
    let cannot = |e: std::io::Error| format!("cannot read the model file: {e}");
    // Opening a FIFO blocks until something writes to it, and a device may never end: look at
    // what the path is before opening it.
    check_regular(&std::fs::metadata(path).map_err(cannot)?)?;
    let file = std::fs::File::open(path).map_err(cannot)?;
    // The path may have been replaced in between: check what was opened, too.
    check_regular(&file.metadata().map_err(cannot)?)?;
    let mut bytes = Vec::new();
    // One byte more than the limit, to see a file that grew past it.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    check_size(len)?;
    Ok(bytes)
}

/// A regular file of at most [`MAX_FILE_BYTES`].
fn check_regular(meta: &Metadata) -> Result<(), String> {
    if !meta.is_file() {
        return Err(format!(
            "model file: expected a regular file, found {}",
            file_kind(meta.file_type())
        ));
    }
    check_size(meta.len())
}

fn check_size(len: u64) -> Result<(), String> {
    if len > MAX_FILE_BYTES {
        return Err(format!(
            "model file: expected at most {MAX_FILE_BYTES} bytes (tinyrnn-build's limit, \
             docs/model-format.md), found {len} bytes"
        ));
    }
    Ok(())
}

/// What a path that is not a regular file is, for an error message.
fn file_kind(kind: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "something other than a file"
    }
}

/// Validates the bytes of a model file; `path` only names it in errors.
///
/// ```
/// let e = tinyrnn_build::parse("in-memory.safetensors".as_ref(), b"not a model").unwrap_err();
/// assert!(e.to_string().starts_with("in-memory.safetensors: not a valid safetensors file"));
/// ```
pub fn parse(path: &Path, bytes: &[u8]) -> Result<ModelSpec, Error> {
    let err = |m: String| Error::new(path, m);
    // Before safetensors reads the header, which keeps the last of two equal keys.
    check_header_keys(bytes).map_err(err)?;
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
    check_text(&meta).map_err(err)?;
    let (expected, input_size) = expected_tensors(&meta, &file).map_err(err)?;
    let mut tensors = BTreeMap::new();
    // In name order, so that the first wrong tensor reported does not depend on hashing.
    let mut views: Vec<_> = file.iter().collect();
    views.sort_unstable_by(|a, b| a.0.cmp(b.0));
    // A PyTorch `bidirectional=True` state_dict whose metadata does not say so: said before
    // the shapes this makes wrong.
    let reverse = views
        .iter()
        .find(|(name, _)| name.starts_with("rnn.") && name.ends_with("_reverse"));
    if let (None, Some((name, _))) = (meta.bidirectional, reverse) {
        return Err(err(format!(
            "tensor `{}`: not expected without `\"bidirectional\": true` (a backward \
                 direction: set `\"bidirectional\": true` and `\"max_steps\"`, format version \
                 2, to bake both directions)",
            show::name(name)
        )));
    }
    for (name, view) in views {
        let Some(shape) = expected.get(name) else {
            let mut names: Vec<&str> = expected.keys().map(String::as_str).collect();
            names.sort_unstable();
            return Err(err(format!(
                "tensor `{}`: not expected in a {}-layer {} model with {} input \
                 (expected only {})",
                show::name(name),
                meta.num_layers,
                meta.cell.name(),
                meta.input.name(),
                listed(&names)
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
    let both = meta.bidirectional.is_some();
    if name.starts_with("head.") && both {
        format!(
            "{} labels, 2 × hidden_size {h}: both directions of the top layer",
            meta.labels.len()
        )
    } else if name.starts_with("head.") {
        format!("{} labels, hidden_size {h}", meta.labels.len())
    } else if name.starts_with("condition.") {
        format!(
            "{} conditions, num_layers {} × hidden_size {h}",
            meta.generation.as_ref().map_or(0, |g| g.conditions.len()),
            meta.num_layers
        )
    } else if let Some(rest) = name.strip_prefix("conv.") {
        let j: usize = rest
            .split('.')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let layer = meta.conv.get(j);
        let inputs = match j.checked_sub(1) {
            None => format!(
                "{} `mean` features",
                meta.input.dense().map_or(0, |d| d.mean.len())
            ),
            Some(below) => format!(
                "out_channels {} of conv layer {below}",
                meta.conv.get(below).map_or(0, |c| c.out_channels)
            ),
        };
        format!(
            "conv layer {j}: out_channels {}, {inputs}, kernel_size {}",
            layer.map_or(0, |c| c.out_channels),
            layer.map_or(0, |c| c.kernel_size)
        )
    } else if name.starts_with("decoder_embedding.") {
        format!("{} output tokens (labels)", meta.labels.len())
    } else if name.starts_with("embedding.") {
        format!(
            "{} vocabulary entries",
            meta.input.text().map_or(0, |t| t.vocab.len())
        )
    } else {
        let g = meta.cell.gates();
        let first_ih = name.contains("_ih_l0");
        let input = match (&meta.input, first_ih) {
            _ if both && !first_ih && name.contains("_ih_") => {
                " and 2 × hidden_size columns: both directions of the layer below"
            }
            (Input::Dense(_), true) if !meta.conv.is_empty() => {
                " and one column per output channel of the last conv layer"
            }
            (Input::OneHot(_), true) => " and one column per vocabulary entry",
            (Input::Dense(_), true) => " and one column per `mean` feature",
            (_, true) if name.starts_with("decoder.") => {
                " and one column per `decoder_embedding` feature"
            }
            (Input::Embedding(_), true) => " and one column per embedding feature",
            _ => "",
        };
        let direction = if name.ends_with("_reverse") {
            ", backward direction"
        } else {
            ""
        };
        format!(
            "{g} gates of a {} × hidden_size {h}{input}{direction}",
            meta.cell.name()
        )
    }
}

/// `names`, joined with `, `: the first [`MAX_LISTED`], then how many more.
fn listed(names: &[&str]) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(MAX_LISTED)
        .map(|n| show::name(n))
        .collect();
    match names.len().saturating_sub(MAX_LISTED) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// Rejects a key the safetensors header gives twice: a tensor listed twice, or two
/// `__metadata__` entries or two `tinyrnn` keys, of which a JSON parser keeps the last.
fn check_header_keys(bytes: &[u8]) -> Result<(), String> {
    // A header that cannot be read is reported by safetensors.
    let Some(path) = header_text(bytes).and_then(tinyrnn_schema::duplicate_key) else {
        return Ok(());
    };
    let what = match path.as_slice() {
        [meta] if meta == "__metadata__" => "`__metadata__`".to_string(),
        [meta, key, ..] if meta == "__metadata__" => {
            format!("__metadata__ key `{}`", show::name(key))
        }
        [tensor] => format!("tensor `{}`", show::name(tensor)),
        [tensor, field, ..] => format!(
            "tensor `{}`: field `{}`",
            show::name(tensor),
            show::name(field)
        ),
        [] => "header".to_string(),
    };
    Err(format!(
        "{what}: expected once in the safetensors header, found it at least twice"
    ))
}

/// The JSON header of a safetensors file (8 bytes of little-endian length, then the JSON).
fn header_text(bytes: &[u8]) -> Option<&str> {
    let len = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    let end = usize::try_from(len).ok()?.checked_add(8)?;
    std::str::from_utf8(bytes.get(8..end)?).ok()
}

/// The text the generator copies into the source, `labels` and `vocab`, within
/// [`MAX_TEXT_BYTES`] each.
fn check_text(meta: &Meta) -> Result<(), String> {
    let vocab = meta.input.text().map_or(&[][..], |t| &t.vocab[..]);
    for (field, items) in [("labels", &meta.labels[..]), ("vocab", vocab)] {
        let bytes = items.iter().fold(0usize, |n, s| n.saturating_add(s.len()));
        if bytes > MAX_TEXT_BYTES {
            return Err(format!(
                "metadata field `{field}`: expected at most {MAX_TEXT_BYTES} bytes of text \
                 (tinyrnn-build's limit, docs/model-format.md), found {bytes}"
            ));
        }
    }
    let words = vocab.len();
    if words > MAX_VOCAB_WORDS {
        return Err(format!(
            "metadata field `vocab`: expected at most {MAX_VOCAB_WORDS} entries (the baked ids \
             are `u16`, docs/model-format.md), found {words}"
        ));
    }
    let bytes: usize = vocab.iter().map(String::len).sum();
    if bytes > MAX_VOCAB_TEXT_BYTES {
        return Err(format!(
            "metadata field `vocab`: expected at most {MAX_VOCAB_TEXT_BYTES} bytes of text (the \
             baked offsets are `u16`, docs/model-format.md), found {bytes}"
        ));
    }
    Ok(())
}

/// The number of elements of a tensor of `shape`, unless it overflows.
fn elements(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
}

/// The layer count, checked against the file before anything is made per layer: a layer has
/// four tensors, so a file cannot hold more layers than it has tensors. (A smaller shortfall
/// is reported as the first missing tensor, which says more.)
fn check_layers(meta: &Meta, tensors: usize) -> Result<(), String> {
    if meta.num_layers > tensors {
        return Err(format!(
            "metadata field `num_layers`: expected at most {tensors} (4 tensors per layer; the \
             file has {tensors} tensors), found {}",
            meta.num_layers
        ));
    }
    Ok(())
}

/// `hidden_size`, checked before any size is computed from it: one recurrent matrix alone,
/// `G·H × H`, must stay within [`MAX_PARAMETERS`].
fn check_hidden(meta: &Meta) -> Result<(), String> {
    let g = meta.cell.gates();
    let h = meta.hidden_size;
    let recurrent = h.checked_mul(h).and_then(|hh| hh.checked_mul(g));
    if recurrent.is_none_or(|n| n > MAX_PARAMETERS) {
        // The largest H with G·H·H within the limit (H·H <= limit / G, in integers).
        let largest = (MAX_PARAMETERS / g).isqrt();
        return Err(format!(
            "metadata field `hidden_size`: expected at most {largest} for a {} ({g}·H×H \
             recurrent weights within tinyrnn-build's limit of {MAX_PARAMETERS} parameters, \
             docs/model-format.md), found {h}",
            meta.cell.name()
        ));
    }
    Ok(())
}

/// The total size of the `expected` tensors, within [`MAX_PARAMETERS`].
fn check_parameters(meta: &Meta, expected: &HashMap<String, Vec<usize>>) -> Result<(), String> {
    let mut total = Some(0usize);
    let mut largest: Option<(&str, usize)> = None;
    for (name, shape) in expected {
        let n = elements(shape);
        total = total.zip(n).and_then(|(t, n)| t.checked_add(n));
        let size = n.unwrap_or(usize::MAX);
        if largest.is_none_or(|(l, s)| (size, name.as_str()) > (s, l)) {
            largest = Some((name, size));
        }
    }
    if total.is_some_and(|t| t <= MAX_PARAMETERS) {
        return Ok(());
    }
    let found = total.map_or(format!("more than {}", usize::MAX), |t| t.to_string());
    let (name, _) = largest.unwrap_or(("", 0));
    let shape = expected
        .get(name)
        .map_or(String::new(), |s| format!("{s:?}"));
    Err(format!(
        "tensors: expected at most {MAX_PARAMETERS} parameters in all (tinyrnn-build's limit, \
         docs/model-format.md), found {found} for a {}-layer {} model with {} input (the \
         largest, `{name}`, of shape {shape})",
        meta.num_layers,
        meta.cell.name(),
        meta.input.name()
    ))
}

/// The width `E` of the embedding tensor `name` of `rows` rows, the one size the metadata does
/// not state: the tensor must be `[rows, E]` with `E >= 1`.
fn embedding_width(file: &SafeTensors<'_>, name: &str, rows: usize) -> Result<usize, String> {
    match file.tensor(name) {
        Ok(t) if t.shape().len() == 2 && t.shape()[1] > 0 => Ok(t.shape()[1]),
        found => {
            let found = found.map_or("no such tensor".to_string(), |t| {
                format!("shape {:?}", t.shape())
            });
            let what = if name == "embedding.weight" {
                "vocabulary entries"
            } else {
                "output tokens (labels)"
            };
            Err(format!(
                "tensor `{name}`: expected shape [{rows}, E] with E >= 1 ({rows} {what}), \
                 found {found}"
            ))
        }
    }
}

/// The exact tensor set and shapes a model with this metadata must have.
fn expected_tensors(
    meta: &Meta,
    file: &SafeTensors<'_>,
) -> Result<(HashMap<String, Vec<usize>>, usize), String> {
    check_layers(meta, file.len())?;
    check_hidden(meta)?;
    let g = meta.cell.gates();
    let h = meta.hidden_size;
    // Within MAX_PARAMETERS: check_hidden bounds G·H·H, and H >= 1.
    let gh = g * h;
    let mut input = match &meta.input {
        Input::OneHot(text) => text.vocab.len(),
        Input::Dense(dense) => dense.mean.len(),
        // The embedding width is the one size the metadata does not state: read below.
        Input::Embedding(_) => 0,
    };
    let mut expected = HashMap::new();
    if let Input::Embedding(text) = &meta.input {
        let v = text.vocab.len();
        let width = embedding_width(file, "embedding.weight", v)?;
        expected.insert("embedding.weight".to_string(), vec![v, width]);
        input = width;
    }
    for (j, layer) in meta.conv.iter().enumerate() {
        // PyTorch's `nn.Conv1d` weight: [out_channels, in_channels, kernel_size].
        let shape = vec![layer.out_channels, input, layer.kernel_size];
        expected.insert(format!("conv.{j}.weight"), shape);
        expected.insert(format!("conv.{j}.bias"), vec![layer.out_channels]);
        input = layer.out_channels;
    }
    // PyTorch's names: `_reverse` for the backward direction of a bidirectional layer, whose
    // outputs double what the layer above and the head read.
    let directions: &[&str] = match meta.bidirectional {
        Some(_) => &["", "_reverse"],
        None => &[""],
    };
    let outputs = h * directions.len();
    let seq2seq = meta.decoding.is_some();
    // A sequence-to-sequence model's encoder is `encoder` (its `rnn`); its decoder `decoder`
    // reads `decoder_embedding` rows of the output tokens.
    let mut stacks = vec![(if seq2seq { "encoder" } else { "rnn" }, input)];
    if seq2seq {
        let width = embedding_width(file, "decoder_embedding.weight", meta.labels.len())?;
        expected.insert(
            "decoder_embedding.weight".to_string(),
            vec![meta.labels.len(), width],
        );
        stacks.push(("decoder", width));
    }
    for (stack, input) in stacks {
        for k in 0..meta.num_layers {
            let cols = if k == 0 { input } else { outputs };
            for d in directions {
                expected.insert(format!("{stack}.weight_ih_l{k}{d}"), vec![gh, cols]);
                expected.insert(format!("{stack}.weight_hh_l{k}{d}"), vec![gh, h]);
                expected.insert(format!("{stack}.bias_ih_l{k}{d}"), vec![gh]);
                expected.insert(format!("{stack}.bias_hh_l{k}{d}"), vec![gh]);
            }
        }
    }
    expected.insert("head.weight".to_string(), vec![meta.labels.len(), outputs]);
    expected.insert("head.bias".to_string(), vec![meta.labels.len()]);
    if let Some(generation) = &meta.generation {
        // Row k: h0 of every layer, layer 0 first. Within MAX_PARAMETERS once checked below;
        // saturating so that an absurd count cannot overflow before the check.
        let row = meta.num_layers.saturating_mul(h);
        expected.insert(
            "condition.weight".to_string(),
            vec![generation.conditions.len(), row],
        );
    }
    check_parameters(meta, &expected)?;
    Ok((expected, input))
}
