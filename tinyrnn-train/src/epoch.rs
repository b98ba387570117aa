//! Passes over the data: one training epoch (mini-batches in a seeded order, augmentation, the
//! AdamW step with gradient clipping) and evaluation without dropout.

use anyhow::bail;
use candle_core::backprop::GradStore;
use candle_core::{DType, Device, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use indicatif::{ProgressBar, ProgressStyle};

use crate::examples::{make_batch, Example, Seq};
use crate::history::EpochStats;
use crate::metrics::Confusion;
use crate::model::{Config, Params};
use crate::rng::Rng;
use crate::train::TrainOptions;

/// The weights being trained and what moves them: the optimiser and the seeded random streams
/// of batch order, dropout and augmentation.
pub struct Trainer<'o> {
    opts: &'o TrainOptions,
    /// The weights.
    pub params: Params,
    vars: Vec<Var>,
    optimizer: AdamW,
    batch_rng: Rng,
    dropout_rng: Rng,
    augment_rng: Rng,
    /// The id each token id becomes when `unk_drop` hides it (by id; `<unk>` beyond the end).
    pub drop_to: Vec<u32>,
}

/// Loss and accuracy summed over the batches of an epoch so far.
#[derive(Default)]
struct Tally {
    loss_sum: f64,
    correct: usize,
    seen: usize,
}

impl Tally {
    fn mean_loss(&self) -> f64 {
        self.loss_sum / self.seen as f64
    }

    fn accuracy(&self) -> f64 {
        self.correct as f64 / self.seen as f64
    }
}

impl<'o> Trainer<'o> {
    /// Fresh weights for `config`, initialised from the seed of `opts`, and AdamW over them.
    pub fn new(opts: &'o TrainOptions, config: Config) -> anyhow::Result<Self> {
        let params = Params::init(config, opts.seed, DType::F32, &Device::Cpu)?;
        let vars = params.all_vars();
        let optimizer = AdamW::new(
            vars.clone(),
            ParamsAdamW {
                lr: opts.lr,
                weight_decay: opts.weight_decay,
                ..ParamsAdamW::default()
            },
        )?;
        Ok(Trainer {
            opts,
            params,
            vars,
            optimizer,
            batch_rng: Rng::stream(opts.seed, "batches"),
            dropout_rng: Rng::stream(opts.seed, "dropout"),
            augment_rng: Rng::stream(opts.seed, "augment"),
            drop_to: Vec::new(),
        })
    }

    /// Trains one epoch (1-based) over `examples` and returns its training numbers (the
    /// validation ones are left empty).
    pub fn epoch(&mut self, epoch: usize, examples: &[Example]) -> anyhow::Result<EpochStats> {
        let batches = epoch_batches(examples, self.opts.batch_size, &mut self.batch_rng);
        let bar = progress_bar(self.opts, batches.len(), epoch)?;
        let mut tally = Tally::default();
        for batch in &batches {
            self.train_batch(epoch, examples, batch, &mut tally)?;
            bar.inc(1);
            bar.set_message(format!("loss {:.4}", tally.mean_loss()));
        }
        bar.finish_and_clear();
        Ok(EpochStats {
            epoch,
            train_loss: tally.mean_loss(),
            train_acc: tally.accuracy(),
            val_loss: None,
            val_acc: None,
        })
    }

    /// One optimiser step on the examples `batch` indexes (augmented if the options say so);
    /// adds its loss and correct predictions to `tally`.
    fn train_batch(
        &mut self,
        epoch: usize,
        examples: &[Example],
        batch: &[usize],
        tally: &mut Tally,
    ) -> anyhow::Result<()> {
        let augmented: Vec<Example>;
        let o = self.opts;
        let ex: Vec<&Example> = if o.crop.is_some() || o.noise > 0.0 || o.unk_drop > 0.0 {
            augmented = batch
                .iter()
                .map(|&i| augment(&examples[i], o, &self.drop_to, &mut self.augment_rng))
                .collect();
            augmented.iter().collect()
        } else {
            batch.iter().map(|&i| &examples[i]).collect()
        };
        let (loss, predicted) = self.step(epoch, &ex)?;
        tally.loss_sum += loss * ex.len() as f64;
        tally.correct += ex
            .iter()
            .zip(&predicted)
            .filter(|(e, &p)| e.label == p as usize)
            .count();
        tally.seen += ex.len();
        Ok(())
    }

    /// Forward (with dropout), cross-entropy, backward, clipping, AdamW; returns the batch's
    /// mean loss and the predicted classes.
    fn step(&mut self, epoch: usize, ex: &[&Example]) -> anyhow::Result<(f64, Vec<u32>)> {
        let (input, lengths, targets) = make_batch(ex, DType::F32, &Device::Cpu)?;
        let dropout =
            (self.opts.dropout > 0.0).then_some((self.opts.dropout, &mut self.dropout_rng));
        let logits = self.params.forward(&input, &lengths, dropout)?;
        let loss = candle_nn::loss::cross_entropy(&logits, &targets)?;
        let mut grads = loss.backward()?;
        clip_gradients(&mut grads, &self.vars, self.opts.clip)?;
        self.optimizer.step(&grads)?;

        let l = loss.to_scalar::<f32>()? as f64;
        if !l.is_finite() {
            bail!("epoch {epoch}: the loss became {l}; try a lower --lr");
        }
        Ok((l, logits.argmax(1)?.to_vec1::<u32>()?))
    }
}

/// The progress bar of one epoch (hidden unless the options are verbose).
fn progress_bar(opts: &TrainOptions, batches: usize, epoch: usize) -> anyhow::Result<ProgressBar> {
    let bar = if opts.verbose {
        ProgressBar::new(batches as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("epoch {prefix} [{bar:30}] {pos}/{len} batches  {msg}")?
            .progress_chars("=> "),
    );
    bar.set_prefix(format!("{epoch:>3}/{}", opts.epochs));
    Ok(bar)
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
fn clip_gradients(grads: &mut GradStore, vars: &[Var], max_norm: f64) -> anyhow::Result<f64> {
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

/// A training example with a random window of at least `crop` steps, Gaussian noise of
/// standard deviation `noise` on dense samples, and tokens replaced with probability `unk_drop`
/// by `drop_to[id]` (their bucket, or `<unk>`) (the options' fields).
fn augment(e: &Example, opts: &TrainOptions, drop_to: &[u32], rng: &mut Rng) -> Example {
    let mut seq = e.seq.clone();
    let noise = opts.noise;
    if let Some(min) = opts.crop {
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
    if opts.unk_drop > 0.0 {
        if let Seq::Tokens(t) = &mut seq {
            for id in t.iter_mut() {
                if rng.next_f64() < f64::from(opts.unk_drop) {
                    *id = drop_to
                        .get(*id as usize)
                        .copied()
                        .unwrap_or(crate::text::UNK_ID);
                }
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
