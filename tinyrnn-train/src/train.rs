//! A training run: options, data preparation, the epochs with early stopping (one epoch is in
//! `epoch.rs`), export and the printed report.

use std::fmt::Display;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
use candle_core::Tensor;
use tinyrnn_schema::{ConvLayer, Padding};

use crate::cell::Cell;
use crate::data::{self, DataFile};
use crate::epoch::Trainer;
use crate::examples::{encode, mean_std, Example};
use crate::metrics::Confusion;
use crate::model::{Config, Input, Params};
use crate::modelfile::{self, ClassifierMeta, Metadata, Preprocess};
use crate::rng::Rng;
use crate::text::Vocab;

// Defined with the epoch loop and the history; still reachable here, where they were first.
pub use crate::epoch::evaluate;
pub use crate::history::EpochStats;

/// How text reaches the first layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextInput {
    /// A learned embedding of this size.
    Embedding(usize),
    /// One-hot vectors of the vocabulary size.
    OneHot,
}

/// Everything `train` needs; the CLI flags map one to one.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Training data files (all of one kind, concatenated).
    pub train: Vec<PathBuf>,
    /// A validation file; otherwise `val_split` of the training data is held out.
    pub val: Option<PathBuf>,
    /// Fraction of the training data held out for validation (stratified), when `val` is `None`.
    pub val_split: f64,
    /// Extra labelled text (for example a sentiment lexicon, one word a row) added to the
    /// training split after the validation hold-out; it adds to the vocabulary only through
    /// `extra_vocab`.
    pub extra: Vec<PathBuf>,
    /// Text: add up to this many tokens of the extra files (in order of first appearance) that
    /// the training split's vocabulary lacks.
    pub extra_vocab: usize,
    /// Text: buckets for unknown words (`tokenizer.unk_buckets`), appended as the last ids.
    pub unk_buckets: u16,
    /// Text: negation scope (`tokenizer.negation`): mark up to this many tokens after a negator
    /// word, up to punctuation, as `not_` entries (0: off).
    pub negation: u16,
    /// Text: look tokens up as their stems (`tokenizer.stem`, `tinyrnn::stem`).
    pub stem: bool,
    /// The cell.
    pub cell: Cell,
    /// Hidden size.
    pub hidden: usize,
    /// Stacked layers.
    pub layers: usize,
    /// Text input kind (ignored for time series).
    pub text_input: TextInput,
    /// Maximum number of epochs.
    pub epochs: usize,
    /// AdamW learning rate.
    pub lr: f64,
    /// AdamW (decoupled) weight decay.
    pub weight_decay: f64,
    /// Examples per mini-batch.
    pub batch_size: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// Largest vocabulary, counting `<pad>` and `<unk>`.
    pub vocab_size: Option<usize>,
    /// Keep only words seen at least this often in the training split.
    pub min_count: usize,
    /// Truncate training sequences to this many steps.
    pub max_len: Option<usize>,
    /// Stop after this many epochs without a better validation accuracy.
    pub patience: Option<usize>,
    /// Dropout probability on the embeddings, between layers and before the head.
    pub dropout: f32,
    /// Clip the global gradient norm to this (0: no clipping).
    pub clip: f64,
    /// Augmentation: train on a random window of at least this many steps of each sequence,
    /// drawn anew every epoch.
    pub crop: Option<usize>,
    /// Augmentation: add Gaussian noise of this standard deviation to the normalised samples of
    /// dense training sequences, drawn anew every epoch.
    pub noise: f32,
    /// Augmentation (text): replace each training token by `<unk>` (by its bucket when
    /// `unk_buckets` is set) with this probability, drawn anew every epoch, so that the model
    /// learns to read sentences with unknown words.
    pub unk_drop: f32,
    /// Bidirectional recurrent layers (PyTorch `bidirectional=True`).
    pub bidirectional: bool,
    /// The longest sequence a bidirectional model holds (`max_steps` in the file); by default
    /// the longest training or validation sequence.
    pub max_steps: Option<usize>,
    /// A convolution front-end before the recurrent layers (dense input only; see
    /// [`parse_conv`]); empty for none.
    pub conv: Vec<ConvLayer>,
    /// The model file to write.
    pub out: PathBuf,
    /// Also write the training curve as a PNG next to the model file.
    pub plot: bool,
    /// Show progress bars and per-epoch lines.
    pub verbose: bool,
    /// Class names to store instead of the data's labels, which must then be the class indices
    /// `0..n`.
    pub label_names: Option<Vec<String>>,
}

impl TrainOptions {
    /// Defaults for everything but the data and output paths.
    pub fn new(train: Vec<PathBuf>, out: PathBuf) -> Self {
        TrainOptions {
            train,
            val: None,
            val_split: 0.0,
            extra: Vec::new(),
            extra_vocab: 0,
            unk_buckets: 0,
            negation: 0,
            stem: false,
            cell: Cell::Gru,
            hidden: 32,
            layers: 1,
            text_input: TextInput::Embedding(16),
            epochs: 20,
            lr: 0.01,
            weight_decay: 0.0,
            batch_size: 32,
            seed: 0,
            vocab_size: None,
            min_count: 1,
            max_len: None,
            patience: None,
            dropout: 0.0,
            clip: 5.0,
            crop: None,
            noise: 0.0,
            unk_drop: 0.0,
            bidirectional: false,
            max_steps: None,
            conv: Vec::new(),
            out,
            plot: true,
            verbose: true,
            label_names: None,
        }
    }
}

/// The class names that replace data labels `0..n` (data files may then use either form; see
/// [`examples::class_index`](crate::examples::class_index)).
fn rename_classes(labels: &[String], names: &[String]) -> anyhow::Result<Vec<String>> {
    let indices: Vec<String> = (0..labels.len()).map(|i| i.to_string()).collect();
    if labels != indices.as_slice() {
        bail!(
            "--label-names needs data labels that are the class indices 0..{}, found {}",
            labels.len(),
            labels.join(" ")
        );
    }
    if names.len() != labels.len() {
        bail!(
            "--label-names: expected {} names, one per class, found {}",
            labels.len(),
            names.len()
        );
    }
    for (k, name) in names.iter().enumerate() {
        if name.is_empty() || name.chars().any(char::is_whitespace) || names[..k].contains(name) {
            bail!("--label-names: {name:?} is empty, has whitespace or is repeated");
        }
    }
    Ok(names.to_vec())
}

/// Parses the `--conv` flag: comma-separated layers, first layer first, each
/// `OUT:KERNEL[:STRIDE][:option...]` where the options are `stride=S`, `dilation=D`, `pool=P`
/// and `causal` (PyTorch `nn.Conv1d(in, OUT, KERNEL, STRIDE, dilation=D)`, then ReLU, then
/// `nn.MaxPool1d(P)`; without `causal` the padding is `valid`, PyTorch's `padding=0`). The
/// input channels follow from the data (the first layer) and the layer below (the others).
///
/// ```
/// use tinyrnn_schema::Padding;
/// let layers = tinyrnn_train::train::parse_conv("16:5,16:3:causal:dilation=2:pool=2").unwrap();
/// assert_eq!((layers[0].out_channels, layers[0].kernel_size, layers[0].stride), (16, 5, 1));
/// assert_eq!((layers[1].dilation, layers[1].pool, layers[1].padding), (2, 2, Padding::Causal));
/// assert_eq!(tinyrnn_train::train::parse_conv("8:3:2").unwrap()[0].stride, 2);
/// assert!(tinyrnn_train::train::parse_conv("8").is_err());
/// ```
pub fn parse_conv(spec: &str) -> anyhow::Result<Vec<ConvLayer>> {
    spec.split(',')
        .map(|layer| {
            parse_conv_layer(layer.trim()).with_context(|| format!("--conv layer {layer:?}"))
        })
        .collect()
}

/// One layer of [`parse_conv`]; every size is checked against the file format's limits.
fn parse_conv_layer(layer: &str) -> anyhow::Result<ConvLayer> {
    let number = |what: &str, text: &str| -> anyhow::Result<usize> {
        match text.parse::<usize>() {
            Ok(n) if (1..=4096).contains(&n) => Ok(n),
            _ => bail!("{what} must be an integer from 1 to 4096, found {text:?}"),
        }
    };
    let mut parts = layer.split(':');
    let (Some(out), Some(kernel)) = (parts.next(), parts.next()) else {
        bail!("expected OUT:KERNEL[:STRIDE][:stride=S][:dilation=D][:pool=P][:causal]");
    };
    let mut conv = ConvLayer {
        out_channels: number("OUT", out)?,
        kernel_size: number("KERNEL", kernel)?,
        stride: 1,
        dilation: 1,
        padding: Padding::Valid,
        pool: 1,
    };
    for (n, part) in parts.enumerate() {
        match part.split_once('=') {
            Some(("stride", v)) => conv.stride = number("stride", v)?,
            Some(("dilation", v)) => conv.dilation = number("dilation", v)?,
            Some(("pool", v)) => conv.pool = number("pool", v)?,
            None if part == "causal" => conv.padding = Padding::Causal,
            None if n == 0 => conv.stride = number("STRIDE", part)?,
            _ => bail!("unknown option {part:?} (stride=S, dilation=D, pool=P or causal)"),
        }
    }
    if conv.window() > 4096 {
        bail!("(kernel - 1) * dilation + 1 must be at most 4096");
    }
    Ok(conv)
}

/// What a training run produced.
#[derive(Debug, Clone)]
pub struct TrainReport {
    /// Per-epoch numbers.
    pub history: Vec<EpochStats>,
    /// The epoch whose weights were exported.
    pub best_epoch: usize,
    /// Confusion matrix of the exported model on the validation data, if any.
    pub val_confusion: Option<Confusion>,
    /// Confusion matrix of the exported model on the training data.
    pub train_confusion: Confusion,
    /// Number of parameters.
    pub params: usize,
    /// Size of the model file in bytes.
    pub file_bytes: usize,
    /// The PNG written, if any.
    pub png: Option<PathBuf>,
    /// Wall-clock seconds from loading the data to writing the files.
    pub seconds: f64,
}

/// Indices of a stratified hold-out: for each class, `round(n * frac)` of its examples (but
/// never all of them), chosen by `rng`. Returns `(train, held_out)`, each in the original order.
pub fn stratified_split(labels: &[&str], frac: f64, rng: &mut Rng) -> (Vec<usize>, Vec<usize>) {
    let mut classes: Vec<&str> = labels.to_vec();
    classes.sort_unstable();
    classes.dedup();
    let mut held = vec![false; labels.len()];
    for c in classes {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == c).collect();
        rng.shuffle(&mut idx);
        let k = ((idx.len() as f64 * frac).round() as usize).min(idx.len().saturating_sub(1));
        for &i in &idx[..k] {
            held[i] = true;
        }
    }
    let train = (0..labels.len()).filter(|&i| !held[i]).collect();
    let val = (0..labels.len()).filter(|&i| held[i]).collect();
    (train, val)
}

/// The encoded data of a run and what encodes it.
struct Prepared {
    /// Class names, in the order of the outputs.
    labels: Vec<String>,
    /// The input preprocessing, fitted on the training split.
    pre: Preprocess,
    /// Training examples (truncated to `max_len`).
    train: Vec<Example>,
    /// Validation examples, if any.
    val: Option<Vec<Example>>,
}

/// Trains a model as the options say, writes the model file (and the PNG), prints progress.
pub fn train(opts: &TrainOptions) -> anyhow::Result<TrainReport> {
    let start = Instant::now();
    check_options(opts)?;
    let data = prepare(opts)?;
    let config = model_config(opts, &data);
    check_lengths(opts, &data, &config)?;
    describe(opts, &data, &config);
    let (params, history, best_epoch) = fit(opts, config.clone(), &data)?;
    let (_, train_confusion) = evaluate(&params, &data.train, &data.labels, 256)?;
    let val_confusion = match &data.val {
        Some(v) => Some(evaluate(&params, v, &data.labels, 256)?.1),
        None => None,
    };
    let file_bytes = write_model(opts, &params, &config, &data)?;
    let png = write_plot(opts, &history, best_epoch, &config)?;
    let report = TrainReport {
        history,
        best_epoch,
        val_confusion,
        train_confusion,
        params: config.num_params(),
        file_bytes,
        png,
        seconds: start.elapsed().as_secs_f64(),
    };
    print_summary(opts, &report);
    Ok(report)
}

/// Prints a progress line when the options are verbose.
fn say(opts: &TrainOptions, line: impl Display) {
    if opts.verbose {
        println!("{line}");
    }
}

/// Rejects sizes, fractions and noise levels that cannot train.
fn check_options(opts: &TrainOptions) -> anyhow::Result<()> {
    if opts.batch_size == 0 || opts.hidden == 0 || opts.layers == 0 || opts.epochs == 0 {
        bail!("--batch-size, --hidden, --layers and --epochs must be at least 1");
    }
    if !(0.0..1.0).contains(&opts.val_split) {
        bail!("--val-split must be in [0, 1)");
    }
    if !(0.0..1.0).contains(&opts.dropout) || !(0.0..1.0).contains(&opts.unk_drop) {
        bail!("--dropout and --unk-drop must be in [0, 1)");
    }
    if !(opts.noise >= 0.0 && opts.noise.is_finite()) {
        bail!("--noise must be a finite number >= 0");
    }
    if !opts.conv.is_empty() && opts.bidirectional {
        bail!("--conv and --bidirectional do not go together (the model format has no such model)");
    }
    Ok(())
}

/// With a convolution front-end: the model reads dense samples, and every training and
/// validation sequence (and every crop of one) is long enough to make a recurrent step.
fn check_lengths(opts: &TrainOptions, data: &Prepared, config: &Config) -> anyhow::Result<()> {
    if config.conv.is_empty() {
        return Ok(());
    }
    if !matches!(config.input, Input::Dense { .. }) {
        bail!("--conv needs time-series data (a convolution front-end reads dense samples)");
    }
    let min = config.min_samples();
    let val = data.val.iter().flatten();
    if let Some(short) = data.train.iter().chain(val).map(|e| e.seq.len()).min() {
        if short < min {
            bail!(
                "--conv: a sequence of {short} samples is shorter than the {min} the convolution \
                 front-end needs for one recurrent step (use causal padding, smaller kernels, \
                 strides or pools)"
            );
        }
    }
    if opts.crop.is_some_and(|c| c < min) {
        bail!("--crop must be at least {min}, the samples the convolution front-end needs");
    }
    Ok(())
}

/// Loads and encodes the training and validation data, with the preprocessing fitted on the
/// training split only.
fn prepare(opts: &TrainOptions) -> anyhow::Result<Prepared> {
    let (labels, mut train_data, val_data) = load_splits(opts)?;
    let extra = load_extra(opts)?;
    let pre = fit_preprocess(opts, &train_data, &extra);
    if let (DataFile::Text(rows), Some(DataFile::Text(more)), Preprocess::Text(vocab)) =
        (&mut train_data, extra, &pre)
    {
        // Rows of only unknown words would teach nothing but a label for <unk>.
        rows.extend(more.into_iter().filter(|r| vocab.encode_known(&r.text)));
    }
    let mut train = encode_part(opts, &train_data, &labels, &pre, "training")?;
    let val = match &val_data {
        Some(v) => {
            Some(encode_part(opts, v, &labels, &pre, "validation").context("validation data")?)
        }
        None => None,
    };
    truncate_training(opts, &mut train);
    if train.is_empty() {
        bail!("no training examples");
    }
    Ok(Prepared {
        labels,
        pre,
        train,
        val,
    })
}

/// The class names, the training split and the validation split (a file, a stratified
/// hold-out of the training files, or none).
fn load_splits(opts: &TrainOptions) -> anyhow::Result<(Vec<String>, DataFile, Option<DataFile>)> {
    let all = data::load_many(&opts.train)?;
    let labels = class_names(opts, &all)?;
    let (train, val) = match &opts.val {
        Some(path) => (all, Some(data::load(path)?)),
        None if opts.val_split > 0.0 => {
            let (tr, va) = stratified_split(
                &all.labels(),
                opts.val_split,
                &mut Rng::stream(opts.seed, "split"),
            );
            (all.subset(&tr), Some(all.subset(&va)))
        }
        None => (all, None),
    };
    Ok((labels, train, val))
}

/// The data's class labels (at least two), renamed by `label_names` if given.
fn class_names(opts: &TrainOptions, all: &DataFile) -> anyhow::Result<Vec<String>> {
    let labels = data::class_labels(all);
    if labels.len() < 2 {
        bail!(
            "the training data has {} class(es); at least 2 are needed",
            labels.len()
        );
    }
    match &opts.label_names {
        Some(names) => rename_classes(&labels, names),
        None => Ok(labels),
    }
}

/// The extra training text, if any (text files only).
fn load_extra(opts: &TrainOptions) -> anyhow::Result<Option<DataFile>> {
    if opts.extra.is_empty() {
        return Ok(None);
    }
    let extra = data::load_many(&opts.extra).context("extra training data")?;
    if !matches!(extra, DataFile::Text(_)) {
        bail!("--extra takes label<TAB>text files");
    }
    Ok(Some(extra))
}

/// The vocabulary of the training texts (plus up to `extra_vocab` tokens of the extra text), or
/// the per-feature mean and std of the training series.
fn fit_preprocess(
    opts: &TrainOptions,
    train_data: &DataFile,
    extra: &Option<DataFile>,
) -> Preprocess {
    match train_data {
        DataFile::Text(rows) => {
            let mut vocab = Vocab::build_marked(
                rows.iter().map(|r| r.text.as_str()),
                opts.min_count,
                opts.vocab_size,
                opts.negation,
                opts.stem,
            );
            if let Some(DataFile::Text(more)) = extra {
                vocab.extend(more.iter().map(|r| r.text.as_str()), opts.extra_vocab);
            }
            vocab.add_buckets(opts.unk_buckets);
            Preprocess::Text(vocab)
        }
        DataFile::Series(_) => {
            let (mean, std) = mean_std(train_data);
            Preprocess::Dense { mean, std }
        }
    }
}

/// Encodes one part of the data (`part` names it in the note about texts with no token).
fn encode_part(
    opts: &TrainOptions,
    data: &DataFile,
    labels: &[String],
    pre: &Preprocess,
    part: &str,
) -> anyhow::Result<Vec<Example>> {
    let (examples, empty) = encode(data, labels, pre)?;
    if empty > 0 {
        say(
            opts,
            format!("note: left out {empty} {part} example(s) with no tokens"),
        );
    }
    Ok(examples)
}

/// Truncates the training sequences to `max_len` steps, if set.
fn truncate_training(opts: &TrainOptions, train: &mut [Example]) {
    if let Some(max) = opts.max_len {
        let n = train.iter().filter(|e| e.seq.len() > max).count();
        train.iter_mut().for_each(|e| e.seq.truncate(max.max(1)));
        if n > 0 {
            say(
                opts,
                format!("note: truncated {n} training sequence(s) to {max} steps"),
            );
        }
    }
}

/// The network's shape: the options' cell and sizes, the input the preprocessing gives, one
/// output per class.
fn model_config(opts: &TrainOptions, data: &Prepared) -> Config {
    let input = match (&data.pre, opts.text_input) {
        (Preprocess::Text(v), TextInput::Embedding(dim)) => Input::Embedding {
            vocab: v.len(),
            dim,
        },
        (Preprocess::Text(v), TextInput::OneHot) => Input::OneHot { vocab: v.len() },
        (Preprocess::Dense { mean, .. }, _) => Input::Dense {
            features: mean.len(),
        },
    };
    Config {
        cell: opts.cell,
        input,
        hidden: opts.hidden,
        layers: opts.layers,
        classes: data.labels.len(),
        bidirectional: opts.bidirectional.then(|| {
            let val = data.val.iter().flatten();
            let longest = data.train.iter().chain(val).map(|e| e.seq.len()).max();
            opts.max_steps.unwrap_or(longest.unwrap_or(1))
        }),
        conv: opts.conv.clone(),
    }
}

/// Prints the data, the input and the model about to be trained.
fn describe(opts: &TrainOptions, data: &Prepared, config: &Config) {
    say(
        opts,
        format!(
            "data: {} training, {} validation examples; classes: {}",
            data.train.len(),
            data.val.as_ref().map_or(0, Vec::len),
            data.labels.join(", ")
        ),
    );
    match &data.pre {
        Preprocess::Text(v) => say(
            opts,
            format!(
                "vocabulary: {} entries (min count {})",
                v.len(),
                opts.min_count
            ),
        ),
        Preprocess::Dense { mean, .. } => say(
            opts,
            format!("input: {} features per step, normalised", mean.len()),
        ),
    }
    for (j, l) in config.conv.iter().enumerate() {
        say(
            opts,
            format!(
                "conv.{j}: {} -> {} channels, kernel {}, stride {}, dilation {}, {} padding, \
                 ReLU, pool {}",
                config.conv_input(j),
                l.out_channels,
                l.kernel_size,
                l.stride,
                l.dilation,
                l.padding.name(),
                l.pool
            ),
        );
    }
    let n_params = config.num_params();
    say(
        opts,
        format!(
            "model: {} x{} layer(s), hidden {}, input {} (I_0 = {}), {} parameters = {} bytes as f32",
            opts.cell.name(),
            opts.layers,
            opts.hidden,
            config.input.name(),
            config.layer_input(0),
            n_params,
            4 * n_params
        ),
    );
}

/// Runs the epochs with early stopping; returns the weights of the exported epoch, the history
/// and that epoch (the best by validation, or the last without validation data).
fn fit(
    opts: &TrainOptions,
    config: Config,
    data: &Prepared,
) -> anyhow::Result<(Params, Vec<EpochStats>, usize)> {
    let mut trainer = Trainer::new(opts, config)?;
    if let Preprocess::Text(vocab) = &data.pre {
        trainer.drop_to = (0..vocab.len() as u32)
            .map(|id| vocab.dropped(id))
            .collect();
    }
    let mut history = Vec::new();
    let mut best = BestEpoch::default();
    for epoch in 1..=opts.epochs {
        let t0 = Instant::now();
        let mut stats = trainer.epoch(epoch, &data.train)?;
        let improved = match &data.val {
            Some(val) => validate(&trainer.params, val, &data.labels, &mut stats, &mut best)?,
            None => false,
        };
        say(
            opts,
            stats.line(opts.epochs, improved, t0.elapsed().as_secs_f64()),
        );
        history.push(stats);
        if data.val.is_some() && best.patience_exhausted(opts.patience) {
            say(
                opts,
                format!(
                    "early stop: no better validation accuracy for {} epochs",
                    best.since_best
                ),
            );
            break;
        }
    }
    let best_epoch = best.restore(&trainer.params, history.len())?;
    Ok((trainer.params, history, best_epoch))
}

/// Evaluates the epoch's weights on the validation data, records the numbers in `stats` and
/// offers the weights to `best`; returns whether they are the best so far.
fn validate(
    params: &Params,
    val: &[Example],
    labels: &[String],
    stats: &mut EpochStats,
    best: &mut BestEpoch,
) -> anyhow::Result<bool> {
    let (loss, confusion) = evaluate(params, val, labels, 256)?;
    stats.val_loss = Some(loss);
    stats.val_acc = Some(confusion.accuracy());
    best.offer(stats.epoch, confusion.accuracy(), loss, params)
}

/// Early stopping's memory: the best epoch so far by validation accuracy (then by lower
/// validation loss) with a copy of its weights, and the epochs run since.
#[derive(Default)]
struct BestEpoch {
    best: Option<Checkpoint>,
    since_best: usize,
}

/// The weights of one epoch and the validation numbers that rank it.
struct Checkpoint {
    accuracy: f64,
    neg_loss: f64,
    epoch: usize,
    weights: Vec<Tensor>,
}

impl BestEpoch {
    /// Keeps a copy of `params` if the epoch beats the best so far; returns whether it did.
    fn offer(
        &mut self,
        epoch: usize,
        accuracy: f64,
        loss: f64,
        params: &Params,
    ) -> anyhow::Result<bool> {
        let key = (accuracy, -loss);
        let improved = self
            .best
            .as_ref()
            .is_none_or(|b| key > (b.accuracy, b.neg_loss));
        if improved {
            self.best = Some(Checkpoint {
                accuracy: key.0,
                neg_loss: key.1,
                epoch,
                weights: params.snapshot()?,
            });
            self.since_best = 0;
        } else {
            self.since_best += 1;
        }
        Ok(improved)
    }

    /// Whether `patience` epochs have passed without a better one.
    fn patience_exhausted(&self, patience: Option<usize>) -> bool {
        patience.is_some_and(|p| self.since_best >= p)
    }

    /// Puts the best weights back into `params` and returns their epoch; with no checkpoint (no
    /// validation data) the weights stay and the last epoch, `epochs_run`, is the exported one.
    fn restore(&self, params: &Params, epochs_run: usize) -> anyhow::Result<usize> {
        match &self.best {
            Some(c) => {
                params.restore(&c.weights)?;
                Ok(c.epoch)
            }
            None => Ok(epochs_run),
        }
    }
}

/// Writes the model file (creating its directory); returns its size in bytes.
fn write_model(
    opts: &TrainOptions,
    params: &Params,
    config: &Config,
    data: &Prepared,
) -> anyhow::Result<usize> {
    let meta = Metadata::for_classifier(config, &data.labels, &data.pre);
    modelfile::save(&opts.out, &params.to_f32()?, &meta)
}

/// Writes the training curve next to the model file if the options ask for it; returns its path.
fn write_plot(
    opts: &TrainOptions,
    history: &[EpochStats],
    best_epoch: usize,
    config: &Config,
) -> anyhow::Result<Option<PathBuf>> {
    if !opts.plot {
        return Ok(None);
    }
    let png = opts.out.with_extension("png");
    let name = opts
        .out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let title = format!("{name}: {} ({})", opts.cell.name(), config.input.name());
    crate::plot::training_curve(&png, history, best_epoch, &title)?;
    Ok(Some(png))
}

/// Prints the exported epoch, its confusion matrix, the files written and the time taken.
fn print_summary(opts: &TrainOptions, r: &TrainReport) {
    say(
        opts,
        format!("best epoch: {} of {}", r.best_epoch, r.history.len()),
    );
    match &r.val_confusion {
        Some(c) => say(opts, format!("validation set, best epoch:\n{}", c.report())),
        None => say(
            opts,
            format!("training set, final epoch:\n{}", r.train_confusion.report()),
        ),
    }
    say(
        opts,
        format!(
            "exported model on the training data: {}",
            r.train_confusion.accuracy_line()
        ),
    );
    say(
        opts,
        format!(
            "wrote {} ({} bytes; {} parameters = {} bytes as f32)",
            opts.out.display(),
            r.file_bytes,
            r.params,
            4 * r.params
        ),
    );
    if let Some(p) = &r.png {
        say(opts, format!("wrote {}", p.display()));
    }
    say(opts, format!("total training time: {:.1} s", r.seconds));
}
