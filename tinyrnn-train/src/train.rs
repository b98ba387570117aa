//! The training loop: data preparation, mini-batch AdamW, early stopping, export.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cell::Cell;
use crate::data::{self, DataFile};
use crate::examples::{encode, make_batch, mean_std, Example, Seq};
use crate::metrics::Confusion;
use crate::model::{Config, Input, Params};
use crate::modelfile::{self, Metadata, Preprocess};
use crate::rng::Rng;
use crate::text::Vocab;

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

/// One epoch's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochStats {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training loss over the epoch (while the weights moved).
    pub train_loss: f64,
    /// Accuracy of the training batches as they were seen (with dropout).
    pub train_acc: f64,
    /// Validation loss after the epoch.
    pub val_loss: Option<f64>,
    /// Validation accuracy after the epoch.
    pub val_acc: Option<f64>,
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

/// Mean loss and confusion matrix of `params` on `examples` (no dropout).
pub fn evaluate(
    params: &Params,
    examples: &[Example],
    labels: &[String],
    batch_size: usize,
) -> anyhow::Result<(f64, Confusion)> {
    let device = Device::Cpu;
    let dtype = params.vars[0].1.dtype();
    // Group similar lengths to pad little; the result does not depend on the grouping.
    let mut order: Vec<usize> = (0..examples.len()).collect();
    order.sort_by_key(|&i| examples[i].seq.len());
    let mut confusion = Confusion::new(labels);
    let mut loss_sum = 0.0;
    for chunk in order.chunks(batch_size.max(1)) {
        let batch: Vec<&Example> = chunk.iter().map(|&i| &examples[i]).collect();
        let (input, lengths, targets) = make_batch(&batch, dtype, &device)?;
        let logits = params.forward(&input, &lengths, None)?;
        let loss = candle_nn::loss::cross_entropy(&logits, &targets)?;
        loss_sum += loss.to_dtype(DType::F64)?.to_scalar::<f64>()? * batch.len() as f64;
        let predicted = logits.argmax(1)?.to_vec1::<u32>()?;
        for (e, p) in batch.iter().zip(predicted) {
            confusion.add(e.label, p as usize);
        }
    }
    Ok((loss_sum / examples.len().max(1) as f64, confusion))
}

/// Scales the gradients so that their global L2 norm is at most `max_norm`; returns the norm.
fn clip_gradients(
    grads: &mut candle_core::backprop::GradStore,
    vars: &[Var],
    max_norm: f64,
) -> anyhow::Result<f64> {
    let mut total = 0.0;
    for v in vars {
        if let Some(g) = grads.get(v) {
            total += g
                .sqr()?
                .sum_all()?
                .to_dtype(DType::F64)?
                .to_scalar::<f64>()?;
        }
    }
    let norm = total.sqrt();
    if max_norm > 0.0 && norm > max_norm {
        let scale = max_norm / norm;
        for v in vars {
            if let Some(g) = grads.remove(v) {
                grads.insert(v, (g * scale)?);
            }
        }
    }
    Ok(norm)
}

/// A training example with a random window of at least `crop` steps and Gaussian noise of
/// standard deviation `noise` on dense samples.
fn augment(e: &Example, crop: Option<usize>, noise: f32, rng: &mut Rng) -> Example {
    let mut seq = e.seq.clone();
    if let Some(min) = crop {
        let len = seq.len();
        let min = min.clamp(1, len);
        let n = min + rng.below(len - min + 1);
        let start = rng.below(len - n + 1);
        seq = match seq {
            Seq::Tokens(t) => Seq::Tokens(t[start..start + n].to_vec()),
            Seq::Dense(d) => Seq::Dense(d[start..start + n].to_vec()),
        };
    }
    if noise > 0.0 {
        if let Seq::Dense(d) = &mut seq {
            for x in d.iter_mut().flatten() {
                *x += noise * rng.normal() as f32;
            }
        }
    }
    Example {
        seq,
        label: e.label,
    }
}

/// The batches of one epoch: shuffled, then sorted by length inside windows of 8 batches (less
/// padding), then the batches shuffled.
fn epoch_batches(examples: &[Example], batch_size: usize, rng: &mut Rng) -> Vec<Vec<usize>> {
    let mut idx: Vec<usize> = (0..examples.len()).collect();
    rng.shuffle(&mut idx);
    let mut batches = Vec::new();
    for window in idx.chunks_mut(batch_size * 8) {
        window.sort_by_key(|&i| examples[i].seq.len());
        batches.extend(window.chunks(batch_size).map(<[usize]>::to_vec));
    }
    rng.shuffle(&mut batches);
    batches
}

/// Trains a model as the options say, writes the model file (and the PNG), prints progress.
pub fn train(opts: &TrainOptions) -> anyhow::Result<TrainReport> {
    let start = Instant::now();
    let say = |s: String| {
        if opts.verbose {
            println!("{s}");
        }
    };
    if opts.batch_size == 0 || opts.hidden == 0 || opts.layers == 0 || opts.epochs == 0 {
        bail!("--batch-size, --hidden, --layers and --epochs must be at least 1");
    }
    if !(0.0..1.0).contains(&opts.val_split) {
        bail!("--val-split must be in [0, 1)");
    }
    if !(0.0..1.0).contains(&opts.dropout) {
        bail!("--dropout must be in [0, 1)");
    }
    if !(opts.noise >= 0.0 && opts.noise.is_finite()) {
        bail!("--noise must be a finite number >= 0");
    }

    // Data: training split, validation split.
    let all = data::load_many(&opts.train)?;
    let mut labels = data::class_labels(&all);
    if labels.len() < 2 {
        bail!(
            "the training data has {} class(es); at least 2 are needed",
            labels.len()
        );
    }
    if let Some(names) = &opts.label_names {
        labels = rename_classes(&labels, names)?;
    }
    let (train_data, val_data) = match &opts.val {
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

    // Preprocessing fitted on the training split only.
    let pre = match &train_data {
        DataFile::Text(rows) => Preprocess::Text(Vocab::build(
            rows.iter().map(|r| r.text.as_str()),
            opts.min_count,
            opts.vocab_size,
        )),
        DataFile::Series(_) => {
            let (mean, std) = mean_std(&train_data);
            Preprocess::Dense { mean, std }
        }
    };
    let (mut train_ex, empty) = encode(&train_data, &labels, &pre)?;
    if empty > 0 {
        say(format!(
            "note: left out {empty} training example(s) with no tokens"
        ));
    }
    let val_ex = match &val_data {
        Some(v) => {
            let (ex, empty) = encode(v, &labels, &pre).context("validation data")?;
            if empty > 0 {
                say(format!(
                    "note: left out {empty} validation example(s) with no tokens"
                ));
            }
            Some(ex)
        }
        None => None,
    };
    if let Some(max) = opts.max_len {
        let n = train_ex.iter().filter(|e| e.seq.len() > max).count();
        train_ex.iter_mut().for_each(|e| e.seq.truncate(max.max(1)));
        if n > 0 {
            say(format!(
                "note: truncated {n} training sequence(s) to {max} steps"
            ));
        }
    }
    if train_ex.is_empty() {
        bail!("no training examples");
    }

    let input = match (&pre, opts.text_input) {
        (Preprocess::Text(v), TextInput::Embedding(dim)) => Input::Embedding {
            vocab: v.len(),
            dim,
        },
        (Preprocess::Text(v), TextInput::OneHot) => Input::OneHot { vocab: v.len() },
        (Preprocess::Dense { mean, .. }, _) => Input::Dense {
            features: mean.len(),
        },
    };
    let config = Config {
        cell: opts.cell,
        input,
        hidden: opts.hidden,
        layers: opts.layers,
        classes: labels.len(),
    };
    let n_params = config.num_params();
    say(format!(
        "data: {} training, {} validation examples; classes: {}",
        train_ex.len(),
        val_ex.as_ref().map_or(0, Vec::len),
        labels.join(", ")
    ));
    match &pre {
        Preprocess::Text(v) => say(format!(
            "vocabulary: {} entries (min count {})",
            v.len(),
            opts.min_count
        )),
        Preprocess::Dense { mean, .. } => say(format!(
            "input: {} features per step, normalised",
            mean.len()
        )),
    }
    say(format!(
        "model: {} x{} layer(s), hidden {}, input {} (I_0 = {}), {} parameters = {} bytes as f32",
        opts.cell.name(),
        opts.layers,
        opts.hidden,
        input.name(),
        config.layer_input(0),
        n_params,
        4 * n_params
    ));

    let device = Device::Cpu;
    let params = Params::init(config, opts.seed, DType::F32, &device)?;
    let vars = params.all_vars();
    let mut opt = AdamW::new(
        vars.clone(),
        ParamsAdamW {
            lr: opts.lr,
            weight_decay: opts.weight_decay,
            ..ParamsAdamW::default()
        },
    )?;
    let mut batch_rng = Rng::stream(opts.seed, "batches");
    let mut dropout_rng = Rng::stream(opts.seed, "dropout");
    let mut augment_rng = Rng::stream(opts.seed, "augment");
    let augmenting = opts.crop.is_some() || opts.noise > 0.0;

    let mut history = Vec::new();
    let mut best: Option<(f64, f64, usize, Vec<Tensor>)> = None; // (acc, -loss, epoch, weights)
    let mut since_best = 0;
    for epoch in 1..=opts.epochs {
        let t0 = Instant::now();
        let batches = epoch_batches(&train_ex, opts.batch_size, &mut batch_rng);
        let bar = if opts.verbose {
            ProgressBar::new(batches.len() as u64)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("epoch {prefix} [{bar:30}] {pos}/{len} batches  {msg}")?
                .progress_chars("=> "),
        );
        bar.set_prefix(format!("{epoch:>3}/{}", opts.epochs));
        let (mut loss_sum, mut correct, mut seen) = (0.0, 0usize, 0usize);
        for batch in &batches {
            let augmented: Vec<Example> = if augmenting {
                batch
                    .iter()
                    .map(|&i| augment(&train_ex[i], opts.crop, opts.noise, &mut augment_rng))
                    .collect()
            } else {
                Vec::new()
            };
            let ex: Vec<&Example> = if augmenting {
                augmented.iter().collect()
            } else {
                batch.iter().map(|&i| &train_ex[i]).collect()
            };
            let (input, lengths, targets) = make_batch(&ex, DType::F32, &device)?;
            let dropout = (opts.dropout > 0.0).then_some((opts.dropout, &mut dropout_rng));
            let logits = params.forward(&input, &lengths, dropout)?;
            let loss = candle_nn::loss::cross_entropy(&logits, &targets)?;
            let mut grads = loss.backward()?;
            clip_gradients(&mut grads, &vars, opts.clip)?;
            opt.step(&grads)?;

            let l = loss.to_scalar::<f32>()? as f64;
            if !l.is_finite() {
                bail!("epoch {epoch}: the loss became {l}; try a lower --lr");
            }
            loss_sum += l * ex.len() as f64;
            let predicted = logits.argmax(1)?.to_vec1::<u32>()?;
            correct += ex
                .iter()
                .zip(&predicted)
                .filter(|(e, &p)| e.label == p as usize)
                .count();
            seen += ex.len();
            bar.inc(1);
            bar.set_message(format!("loss {:.4}", loss_sum / seen as f64));
        }
        bar.finish_and_clear();
        let mut stats = EpochStats {
            epoch,
            train_loss: loss_sum / seen as f64,
            train_acc: correct as f64 / seen as f64,
            val_loss: None,
            val_acc: None,
        };
        let mut improved = false;
        if let Some(val) = &val_ex {
            let (vl, vc) = evaluate(&params, val, &labels, 256)?;
            stats.val_loss = Some(vl);
            stats.val_acc = Some(vc.accuracy());
            let key = (vc.accuracy(), -vl);
            improved = best.as_ref().is_none_or(|b| key > (b.0, b.1));
            if improved {
                best = Some((key.0, key.1, epoch, params.snapshot()?));
                since_best = 0;
            } else {
                since_best += 1;
            }
        }
        say(format!(
            "epoch {epoch:>3}/{}  loss {:.4}  train acc {:.4}{}{}  {:.1} s",
            opts.epochs,
            stats.train_loss,
            stats.train_acc,
            match (stats.val_loss, stats.val_acc) {
                (Some(l), Some(a)) => format!("  val loss {l:.4}  val acc {a:.4}"),
                _ => String::new(),
            },
            if improved { " *" } else { "  " },
            t0.elapsed().as_secs_f64()
        ));
        history.push(stats);
        if opts
            .patience
            .is_some_and(|p| val_ex.is_some() && since_best >= p)
        {
            say(format!(
                "early stop: no better validation accuracy for {since_best} epochs"
            ));
            break;
        }
    }

    let best_epoch = match &best {
        Some((_, _, epoch, weights)) => {
            params.restore(weights)?;
            *epoch
        }
        None => history.len(),
    };
    let (_, train_confusion) = evaluate(&params, &train_ex, &labels, 256)?;
    let val_confusion = match &val_ex {
        Some(v) => Some(evaluate(&params, v, &labels, 256)?.1),
        None => None,
    };

    // Export.
    let meta = Metadata::for_classifier(&config, &labels, &pre);
    let bytes = modelfile::to_bytes(&params.to_f32()?, &meta)?;
    if let Some(dir) = opts.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&opts.out, &bytes).with_context(|| format!("writing {}", opts.out.display()))?;
    let png = if opts.plot {
        let png = opts.out.with_extension("png");
        crate::plot::training_curve(
            &png,
            &history,
            best_epoch,
            &title(&opts.out, opts.cell, &input),
        )?;
        Some(png)
    } else {
        None
    };
    let seconds = start.elapsed().as_secs_f64();

    say(format!("best epoch: {best_epoch} of {}", history.len()));
    match &val_confusion {
        Some(c) => say(format!("validation set, best epoch:\n{}", c.report())),
        None => say(format!(
            "training set, final epoch:\n{}",
            train_confusion.report()
        )),
    }
    say(format!(
        "exported model on the training data: {}",
        train_confusion.accuracy_line()
    ));
    say(format!(
        "wrote {} ({} bytes; {} parameters = {} bytes as f32)",
        opts.out.display(),
        bytes.len(),
        n_params,
        4 * n_params
    ));
    if let Some(p) = &png {
        say(format!("wrote {}", p.display()));
    }
    say(format!("total training time: {seconds:.1} s"));
    Ok(TrainReport {
        history,
        best_epoch,
        val_confusion,
        train_confusion,
        params: n_params,
        file_bytes: bytes.len(),
        png,
        seconds,
    })
}

fn title(out: &Path, cell: Cell, input: &Input) -> String {
    let name = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{name}: {} ({})", cell.name(), input.name())
}
