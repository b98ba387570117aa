//! Class-conditioned generative models (`task: "generate"`, 1→N): training, held-out
//! perplexity against n-gram baselines, and generation.
//!
//! The network is the PyTorch module of docs/model-format.md ("Generative models"): an
//! embedding, stacked recurrent layers whose initial hidden state `h0` is the condition's row of
//! `condition.weight` (`[K, L·H]`, layer 0 first; an LSTM's `c0` is zero), and a head over the
//! vocabulary. Trained with teacher forcing: on `<s> t1 … tn` it predicts `t1 … tn </s>`, the
//! loss the mean cross-entropy over the real (unpadded) positions.
//!
//! The baselines are counted on the same training split, tokens and targets (`</s>` included):
//! an add-α unigram, a bigram interpolated with it, and the same bigram per condition; their
//! smoothing is chosen on the validation split, like the network's early stopping.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use candle_core::{Device, Tensor, Var, D};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};

use tinyrnn_schema::{
    CellKind, Generation, Input, Meta, OutputKind, TaskKind, Text, TokenizerRules,
};

use crate::cell::unroll;
use crate::data::{self, DataFile};
use crate::model::{apply_dropout, vars_to_f32, NamedTensor};
use crate::rng::Rng;
use crate::text::ids_by_word;

/// The token fed at the first step.
pub const START: &str = "<s>";
/// The token that ends a sequence.
pub const END: &str = "</s>";
/// Tokens missing from the vocabulary.
pub const UNK: &str = "<unk>";

/// Everything [`train_generative`] needs; the `generate` subcommand's flags map one to one.
#[derive(Debug, Clone)]
pub struct GenOptions {
    /// Training data: `label<TAB>tokens` TSV, whitespace-separated tokens; the label is the
    /// condition.
    pub train: PathBuf,
    /// Validation data (early stopping, the baselines' smoothing).
    pub val: PathBuf,
    /// Held-out test data (the figures reported).
    pub test: PathBuf,
    /// The recurrent cell.
    pub cell: CellKind,
    /// Embedding width.
    pub embedding: usize,
    /// Hidden size.
    pub hidden: usize,
    /// Stacked layers.
    pub layers: usize,
    /// Maximum epochs.
    pub epochs: usize,
    /// Stop after this many epochs without a better validation loss.
    pub patience: usize,
    /// AdamW learning rate.
    pub lr: f64,
    /// Sequences per mini-batch.
    pub batch_size: usize,
    /// Dropout on the embeddings, between layers and before the head.
    pub dropout: f32,
    /// Clip the global gradient norm to this.
    pub clip: f64,
    /// Keep tokens seen at least this often in the training split.
    pub min_count: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// The model file to write.
    pub out: PathBuf,
    /// Print per-epoch lines.
    pub verbose: bool,
}

impl GenOptions {
    /// Defaults for everything but the data and output paths.
    pub fn new(train: PathBuf, val: PathBuf, test: PathBuf, out: PathBuf) -> Self {
        GenOptions {
            train,
            val,
            test,
            cell: CellKind::Gru,
            embedding: 16,
            hidden: 64,
            layers: 1,
            epochs: 40,
            patience: 5,
            lr: 0.005,
            batch_size: 32,
            dropout: 0.1,
            clip: 5.0,
            min_count: 2,
            seed: 0,
            out,
            verbose: true,
        }
    }
}

/// A tokenized sequence and its condition.
#[derive(Debug, Clone)]
pub struct Tune {
    /// The condition index.
    pub condition: usize,
    /// Token ids, without `<s>` and `</s>`.
    pub tokens: Vec<u32>,
}

/// The vocabulary and conditions of a generative corpus.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// Token by id: `<s>`, `</s>`, `<unk>`, then the kept tokens, most frequent first.
    pub vocab: Vec<String>,
    /// Condition names, sorted.
    pub conditions: Vec<String>,
    index: HashMap<String, u32>,
}

impl Corpus {
    /// The vocabulary of the training rows (tokens seen at least `min_count` times) and their
    /// conditions.
    pub fn build(rows: &[data::TextRow], min_count: usize) -> Corpus {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for row in rows {
            for t in row.text.split_whitespace() {
                *counts.entry(t).or_insert(0) += 1;
            }
        }
        let mut kept: Vec<(&str, usize)> = counts
            .into_iter()
            .filter(|&(t, c)| c >= min_count.max(1) && ![START, END, UNK].contains(&t))
            .collect();
        kept.sort_by_key(|&(_, c)| std::cmp::Reverse(c));
        let mut vocab: Vec<String> = [START, END, UNK].map(String::from).to_vec();
        vocab.extend(kept.into_iter().map(|(t, _)| t.to_string()));
        let mut conditions: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
        conditions.sort();
        conditions.dedup();
        let index = ids_by_word(&vocab);
        Corpus {
            vocab,
            conditions,
            index,
        }
    }

    /// The ids of `<s>`, `</s>`, `<unk>`.
    pub const START_ID: u32 = 0;
    /// See [`Corpus::START_ID`].
    pub const END_ID: u32 = 1;
    /// See [`Corpus::START_ID`].
    pub const UNK_ID: u32 = 2;

    /// The rows as tunes; a row whose condition the training split lacks is an error.
    pub fn encode(&self, rows: &[data::TextRow]) -> anyhow::Result<Vec<Tune>> {
        rows.iter()
            .map(|r| {
                let Some(condition) = self.conditions.iter().position(|c| *c == r.label) else {
                    bail!(
                        "{}:{}: condition {:?} is not in the training data",
                        r.file.display(),
                        r.line,
                        r.label
                    );
                };
                let tokens = r
                    .text
                    .split_whitespace()
                    .map(|t| self.index.get(t).copied().unwrap_or(Self::UNK_ID))
                    .collect();
                Ok(Tune { condition, tokens })
            })
            .collect()
    }

    /// The tokens of ids, joined by spaces.
    pub fn decode(&self, ids: &[u32]) -> String {
        ids.iter()
            .map(|&i| self.vocab.get(i as usize).map_or("?", String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn text_rows(path: &Path) -> anyhow::Result<Vec<data::TextRow>> {
    match data::load(path)? {
        DataFile::Text(rows) => Ok(rows),
        DataFile::Series(_) => bail!("{}: expected a label<TAB>tokens TSV", path.display()),
    }
}

/// The network's weights, named like the model file's tensors.
pub struct GenParams {
    /// Cell, sizes.
    pub cell: CellKind,
    /// Hidden size.
    pub hidden: usize,
    /// Layers.
    pub layers: usize,
    /// Whether tokens enter one-hot (no `embedding.weight`; read back from a file only).
    pub one_hot: bool,
    vars: Vec<(String, Var)>,
}

impl GenParams {
    /// Fresh weights: the embedding N(0, 1), recurrent and head weights U(±1/√H) (PyTorch's
    /// `nn.Embedding`, `nn.GRU`, `nn.Linear` with fan-in H), `condition.weight` U(±1/√H) too,
    /// so that an initial state starts in the range the recurrent state takes.
    pub fn init(o: &GenOptions, vocab: usize, conditions: usize) -> anyhow::Result<GenParams> {
        let mut rng = Rng::stream(o.seed, "generative-init");
        let (h, e, l) = (o.hidden, o.embedding, o.layers);
        let mut shapes = vec![("embedding.weight".to_string(), vec![vocab, e])];
        shapes.extend(o.cell.layer_tensors(l, h, e));
        shapes.push(("head.weight".to_string(), vec![vocab, h]));
        shapes.push(("head.bias".to_string(), vec![vocab]));
        shapes.push(("condition.weight".to_string(), vec![conditions, l * h]));
        let bound = 1.0 / (h as f64).sqrt();
        let mut vars = Vec::new();
        for (name, shape) in shapes {
            let n: usize = shape.iter().product();
            let values: Vec<f32> = (0..n)
                .map(|_| {
                    if name == "embedding.weight" {
                        rng.normal() as f32
                    } else {
                        rng.uniform(-bound, bound) as f32
                    }
                })
                .collect();
            let t = Tensor::from_vec(values, shape.as_slice(), &Device::Cpu)?;
            vars.push((name, Var::from_tensor(&t)?));
        }
        Ok(GenParams {
            cell: o.cell,
            hidden: h,
            layers: l,
            one_hot: false,
            vars,
        })
    }

    fn get(&self, name: &str) -> anyhow::Result<&Tensor> {
        self.vars
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_tensor())
            .with_context(|| format!("no parameter {name}"))
    }

    fn snapshot(&self) -> anyhow::Result<Vec<Tensor>> {
        Ok(self
            .vars
            .iter()
            .map(|(_, v)| v.as_tensor().copy())
            .collect::<candle_core::Result<_>>()?)
    }

    fn restore(&self, saved: &[Tensor]) -> anyhow::Result<()> {
        for ((_, v), t) in self.vars.iter().zip(saved) {
            v.set(t)?;
        }
        Ok(())
    }

    /// Every tensor as exported.
    pub fn to_f32(&self) -> anyhow::Result<Vec<NamedTensor>> {
        Ok(vars_to_f32(&self.vars)?)
    }

    /// Next-token logits `[T·B, V]` (time-major) of the inputs `[T, B]` from the conditions'
    /// initial states.
    fn forward(
        &self,
        inputs: &Tensor,
        conditions: &Tensor,
        mut dropout: Option<(f32, &mut Rng)>,
    ) -> anyhow::Result<Tensor> {
        let (t_len, batch) = inputs.dims2()?;
        let hs = self.hidden;
        let gh = self.cell.gates() * hs;
        let h0 = self.get("condition.weight")?.index_select(conditions, 0)?; // [B, L·H]
        let ids = inputs.flatten_all()?;
        let mut x = if self.one_hot {
            ids.clone() // layer 0 looks its columns up below
        } else {
            let emb = self.get("embedding.weight")?.index_select(&ids, 0)?;
            apply_dropout(&emb, &mut dropout)? // [T·B, E]
        };
        for k in 0..self.layers {
            let w_ih = self.get(&format!("rnn.weight_ih_l{k}"))?;
            let b_ih = self.get(&format!("rnn.bias_ih_l{k}"))?;
            let w_hh_t = self.get(&format!("rnn.weight_hh_l{k}"))?.t()?;
            let b_hh = self.get(&format!("rnn.bias_hh_l{k}"))?;
            // One-hot: W_ih x is column t of W_ih.
            let projected = if k == 0 && self.one_hot {
                w_ih.t()?.contiguous()?.index_select(&x, 0)?
            } else {
                x.matmul(&w_ih.t()?)?
            };
            let xp = projected.broadcast_add(b_ih)?.reshape((t_len, batch, gh))?;
            let h = h0.narrow(1, k * hs, hs)?.contiguous()?;
            let (outputs, _, _) = unroll(self.cell, &xp, &w_hh_t, b_hh, h, None)?;
            let seq = Tensor::stack(&outputs, 0)?.reshape((t_len * batch, hs))?;
            x = apply_dropout(&seq, &mut dropout)?;
        }
        Ok(x.matmul(&self.get("head.weight")?.t()?)?
            .broadcast_add(self.get("head.bias")?)?)
    }
}

/// A padded, time-major batch: inputs `<s> t1 … tn`, targets `t1 … tn </s>`, the mask of real
/// positions, the conditions, and the number of real targets.
fn batch(tunes: &[&Tune]) -> anyhow::Result<(Tensor, Tensor, Tensor, Tensor, usize)> {
    let t_len = tunes.iter().map(|t| t.tokens.len() + 1).max().unwrap_or(1);
    let b = tunes.len();
    let mut inputs = vec![Corpus::END_ID; t_len * b];
    let mut targets = vec![Corpus::END_ID; t_len * b];
    let mut mask = vec![0f32; t_len * b];
    let mut n = 0;
    for (j, tune) in tunes.iter().enumerate() {
        let seq: Vec<u32> = std::iter::once(Corpus::START_ID)
            .chain(tune.tokens.iter().copied())
            .collect();
        for (t, &id) in seq.iter().enumerate() {
            inputs[t * b + j] = id;
            targets[t * b + j] = tune.tokens.get(t).copied().unwrap_or(Corpus::END_ID);
            mask[t * b + j] = 1.0;
            n += 1;
        }
    }
    let dev = &Device::Cpu;
    let conditions: Vec<u32> = tunes.iter().map(|t| t.condition as u32).collect();
    Ok((
        Tensor::from_vec(inputs, (t_len, b), dev)?,
        Tensor::from_vec(targets, t_len * b, dev)?,
        Tensor::from_vec(mask, t_len * b, dev)?,
        Tensor::from_vec(conditions, b, dev)?,
        n,
    ))
}

/// Summed negative log-likelihood (nats) of the real targets of a batch.
fn nll_sum(
    params: &GenParams,
    tunes: &[&Tune],
    dropout: Option<(f32, &mut Rng)>,
) -> anyhow::Result<(Tensor, usize)> {
    let (inputs, targets, mask, conditions, n) = batch(tunes)?;
    let logits = params.forward(&inputs, &conditions, dropout)?;
    let logp = candle_nn::ops::log_softmax(&logits, D::Minus1)?;
    let picked = logp.gather(&targets.unsqueeze(1)?, 1)?.squeeze(1)?;
    Ok(((picked * mask)?.sum_all()?.neg()?, n))
}

/// Mean negative log-likelihood per predicted token (nats) of `tunes`.
pub fn mean_nll(params: &GenParams, tunes: &[Tune]) -> anyhow::Result<f64> {
    let mut order: Vec<&Tune> = tunes.iter().collect();
    order.sort_by_key(|t| t.tokens.len());
    let (mut total, mut count) = (0.0, 0usize);
    for chunk in order.chunks(64) {
        let (s, n) = nll_sum(params, chunk, None)?;
        total += f64::from(s.to_scalar::<f32>()?);
        count += n;
    }
    Ok(total / count.max(1) as f64)
}

/// Counts of (previous, next) pairs and of previous tokens.
type PairCounts = (HashMap<(u32, u32), f64>, HashMap<u32, f64>);

/// The n-gram baselines, counted on the training tunes.
pub struct Ngrams {
    v: usize,
    unigram: Vec<f64>,
    bigram: HashMap<(u32, u32), f64>,
    context: HashMap<u32, f64>,
    by_condition: Vec<PairCounts>,
}

impl Ngrams {
    /// Counts of targets (`</s>` included) and of (previous, next) pairs (`<s>` a context).
    pub fn count(tunes: &[Tune], v: usize, conditions: usize) -> Ngrams {
        let mut n = Ngrams {
            v,
            unigram: vec![0.0; v],
            bigram: HashMap::new(),
            context: HashMap::new(),
            by_condition: vec![(HashMap::new(), HashMap::new()); conditions],
        };
        for tune in tunes {
            for (prev, next) in pairs(tune) {
                n.unigram[next as usize] += 1.0;
                *n.bigram.entry((prev, next)).or_insert(0.0) += 1.0;
                *n.context.entry(prev).or_insert(0.0) += 1.0;
                let (b, c) = &mut n.by_condition[tune.condition];
                *b.entry((prev, next)).or_insert(0.0) += 1.0;
                *c.entry(prev).or_insert(0.0) += 1.0;
            }
        }
        n
    }

    /// Add-α unigram probability of `next` (every token but `<s>` can be a target).
    fn unigram(&self, next: u32, alpha: f64) -> f64 {
        let total: f64 = self.unigram.iter().sum();
        (self.unigram[next as usize] + alpha) / (total + alpha * (self.v - 1) as f64)
    }

    /// The bigram interpolated with the add-α unigram:
    /// `λ·c(prev, next)/c(prev) + (1 − λ)·p₁(next)` (the unigram alone after an unseen
    /// context); per condition when `condition` is given.
    pub fn probability(
        &self,
        prev: u32,
        next: u32,
        alpha: f64,
        lambda: f64,
        condition: Option<usize>,
    ) -> f64 {
        let (pairs, contexts) = match condition {
            Some(c) => (&self.by_condition[c].0, &self.by_condition[c].1),
            None => (&self.bigram, &self.context),
        };
        let c = contexts.get(&prev).copied().unwrap_or(0.0);
        let ml = if c > 0.0 {
            pairs.get(&(prev, next)).copied().unwrap_or(0.0) / c
        } else {
            0.0
        };
        let l = if c > 0.0 { lambda } else { 0.0 };
        l * ml + (1.0 - l) * self.unigram(next, alpha)
    }

    /// Mean negative log-likelihood per target of `tunes` under one baseline.
    fn mean_nll(&self, tunes: &[Tune], p: impl Fn(&Tune, u32, u32) -> f64) -> f64 {
        let (mut total, mut count) = (0.0, 0usize);
        for tune in tunes {
            for (prev, next) in pairs(tune) {
                total -= p(tune, prev, next).ln();
                count += 1;
            }
        }
        total / count.max(1) as f64
    }
}

/// The (previous, next) pairs of a tune: `<s>`→t1, …, tn→`</s>`.
fn pairs(tune: &Tune) -> impl Iterator<Item = (u32, u32)> + '_ {
    let prev = std::iter::once(Corpus::START_ID).chain(tune.tokens.iter().copied());
    let next = tune
        .tokens
        .iter()
        .copied()
        .chain(std::iter::once(Corpus::END_ID));
    prev.zip(next)
}

/// Per-token perplexities on the test split, the network's and the baselines', with the
/// baselines' smoothing chosen on the validation split.
#[derive(Debug, Clone)]
pub struct Perplexities {
    /// The network.
    pub network: f64,
    /// Add-α unigram (α).
    pub unigram: (f64, f64),
    /// Interpolated bigram (α, λ).
    pub bigram: (f64, f64, f64),
    /// Interpolated bigram per condition (α, λ).
    pub class_bigram: (f64, f64, f64),
}

/// The baselines' test perplexities, each smoothed as best on `val`: the unigram (perplexity,
/// α), the bigram and the bigram per condition (perplexity, α, λ).
fn baselines(ngrams: &Ngrams, val: &[Tune], test: &[Tune]) -> Baselines {
    let alphas = [0.01, 0.05, 0.1, 0.5, 1.0];
    let lambdas = [0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
    let best_alpha = alphas
        .iter()
        .copied()
        .min_by(|&a, &b| {
            let f = |x| ngrams.mean_nll(val, |_, _, n| ngrams.unigram(n, x));
            f(a).total_cmp(&f(b))
        })
        .unwrap_or(1.0);
    let uni = ngrams
        .mean_nll(test, |_, _, n| ngrams.unigram(n, best_alpha))
        .exp();
    let bi = |per_class: bool| {
        let p = |tune: &Tune, prev, next, l| {
            let c = per_class.then_some(tune.condition);
            ngrams.probability(prev, next, best_alpha, l, c)
        };
        let l = lambdas
            .iter()
            .copied()
            .min_by(|&a, &b| {
                let f = |l| ngrams.mean_nll(val, |t, pv, n| p(t, pv, n, l));
                f(a).total_cmp(&f(b))
            })
            .unwrap_or(0.5);
        let ppl = ngrams.mean_nll(test, |t, pv, n| p(t, pv, n, l)).exp();
        (ppl, best_alpha, l)
    };
    ((uni, best_alpha), bi(false), bi(true))
}

/// [`baselines`]' figures.
type Baselines = ((f64, f64), (f64, f64, f64), (f64, f64, f64));

/// What a run produced.
#[derive(Debug, Clone)]
pub struct GenReport {
    /// The vocabulary and conditions.
    pub vocab: usize,
    /// The condition names.
    pub conditions: Vec<String>,
    /// Tunes in train / val / test.
    pub sizes: (usize, usize, usize),
    /// The epoch whose weights were kept, and how many ran.
    pub best_epoch: usize,
    /// Epochs run.
    pub epochs_run: usize,
    /// Test perplexities.
    pub perplexity: Perplexities,
    /// Parameters.
    pub params: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Trains the network, keeps the epoch of the best validation loss, writes the model file and
/// measures the test perplexities.
pub fn train_generative(o: &GenOptions) -> anyhow::Result<GenReport> {
    let started = Instant::now();
    let train_rows = text_rows(&o.train)?;
    let corpus = Corpus::build(&train_rows, o.min_count);
    let train = corpus.encode(&train_rows)?;
    let val = corpus.encode(&text_rows(&o.val)?)?;
    let test = corpus.encode(&text_rows(&o.test)?)?;
    let (v, k) = (corpus.vocab.len(), corpus.conditions.len());
    let params = GenParams::init(o, v, k)?;
    let (vars, mut opt) = adam(&params.vars, o.lr)?;
    let mut batch_rng = Rng::stream(o.seed, "generative-batches");
    let mut dropout_rng = Rng::stream(o.seed, "generative-dropout");
    let mut best = (f64::INFINITY, 0usize, params.snapshot()?);
    let mut epochs_run = 0;
    for epoch in 1..=o.epochs {
        epochs_run = epoch;
        let mut order: Vec<usize> = (0..train.len()).collect();
        batch_rng.shuffle(&mut order);
        let (mut loss_sum, mut seen) = (0.0, 0usize);
        for chunk in order.chunks(o.batch_size.max(1)) {
            let tunes: Vec<&Tune> = chunk.iter().map(|&i| &train[i]).collect();
            let dropout = (o.dropout > 0.0).then_some((o.dropout, &mut dropout_rng));
            let (sum, n) = nll_sum(&params, &tunes, dropout)?;
            loss_sum += descend(&mut opt, &vars, o.clip, &sum, n, epoch)? * n as f64;
            seen += n;
        }
        let val_nll = mean_nll(&params, &val)?;
        if o.verbose {
            eprintln!(
                "epoch {epoch:>3}: train {:.4} nats/token, val {:.4} (perplexity {:.2})",
                loss_sum / seen.max(1) as f64,
                val_nll,
                val_nll.exp()
            );
        }
        if val_nll < best.0 {
            best = (val_nll, epoch, params.snapshot()?);
        } else if epoch - best.1 >= o.patience {
            break;
        }
    }
    params.restore(&best.2)?;
    let network = mean_nll(&params, &test)?.exp();
    let ngrams = Ngrams::count(&train, v, k);
    let (unigram, bigram, class_bigram) = baselines(&ngrams, &val, &test);
    let meta = meta(o, &corpus);
    let tensors = params.to_f32()?;
    crate::modelfile::save(&o.out, &tensors, &meta)?;
    Ok(GenReport {
        vocab: v,
        conditions: corpus.conditions.clone(),
        sizes: (train.len(), val.len(), test.len()),
        best_epoch: best.1,
        epochs_run,
        perplexity: Perplexities {
            network,
            unigram,
            bigram,
            class_bigram,
        },
        params: tensors.iter().map(|t| t.2.len()).sum(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The metadata of the exported file.
fn meta(o: &GenOptions, corpus: &Corpus) -> Meta {
    Meta {
        cell: o.cell,
        num_layers: o.layers,
        hidden_size: o.hidden,
        input: Input::Embedding(Text {
            vocab: corpus.vocab.clone(),
            unk_id: Corpus::UNK_ID as usize,
            pad_id: None,
            tokenizer: TokenizerRules::AS_WRITTEN,
        }),
        task: TaskKind::Generate,
        output: OutputKind::Softmax,
        labels: corpus.vocab.clone(),
        generation: Some(Generation {
            conditions: corpus.conditions.clone(),
            start_id: Corpus::START_ID as usize,
            end_id: Corpus::END_ID as usize,
        }),
        decoding: None,
        conv: Vec::new(),
        bidirectional: None,
    }
}

/// The variables of a model's named tensors, in file order, with AdamW over them at learning
/// rate `lr` and without weight decay: the optimiser of the generative and
/// sequence-to-sequence trainers.
pub(crate) fn adam(named: &[(String, Var)], lr: f64) -> anyhow::Result<(Vec<Var>, AdamW)> {
    let vars: Vec<Var> = named.iter().map(|(_, v)| v.clone()).collect();
    let params = ParamsAdamW {
        lr,
        weight_decay: 0.0,
        ..ParamsAdamW::default()
    };
    let opt = AdamW::new(vars.clone(), params)?;
    Ok((vars, opt))
}

/// One optimiser step on a batch whose summed loss is `sum` over `n` tokens: the mean's
/// gradients, clipped to `max_norm`. Returns the mean loss; a loss that is not finite stops
/// training with an error naming `epoch`.
pub(crate) fn descend(
    opt: &mut AdamW,
    vars: &[Var],
    max_norm: f64,
    sum: &Tensor,
    n: usize,
    epoch: usize,
) -> anyhow::Result<f64> {
    let loss = (sum / n as f64)?;
    let mut grads = loss.backward()?;
    clip(&mut grads, vars, max_norm)?;
    opt.step(&grads)?;
    let l = f64::from(loss.to_scalar::<f32>()?);
    if !l.is_finite() {
        bail!("epoch {epoch}: the loss became {l}; try a lower --lr");
    }
    Ok(l)
}

/// Scales the gradients to a global L2 norm of at most `max_norm`.
pub(crate) fn clip(
    grads: &mut candle_core::backprop::GradStore,
    vars: &[Var],
    max_norm: f64,
) -> anyhow::Result<()> {
    let mut total = 0.0;
    for v in vars {
        if let Some(g) = grads.get(v) {
            total += f64::from(g.sqr()?.sum_all()?.to_scalar::<f32>()?);
        }
    }
    let norm = total.sqrt();
    if max_norm > 0.0 && norm > max_norm {
        for v in vars {
            if let Some(g) = grads.remove(v) {
                grads.insert(v, (g * (max_norm / norm))?);
            }
        }
    }
    Ok(())
}

/// A model file read back for generation on the host: one step at a time, in `f32`, with
/// PyTorch's equations (the same arithmetic as the trainer's forward pass).
pub struct Generator {
    params: GenParams,
    /// The metadata.
    pub meta: Meta,
}

impl Generator {
    /// Reads a `task: "generate"` model file.
    pub fn load(path: &Path) -> anyhow::Result<Generator> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let file = safetensors::SafeTensors::deserialize(&bytes)?;
        let (_, header) = safetensors::SafeTensors::read_metadata(&bytes)?;
        let json = header
            .metadata()
            .as_ref()
            .and_then(|m| m.get(tinyrnn_schema::METADATA_KEY))
            .with_context(|| format!("{}: no tinyrnn metadata", path.display()))?;
        let meta = Meta::from_json(json)?;
        if meta.generation.is_none() {
            bail!(
                "{}: not a generative model (task {})",
                path.display(),
                meta.task.name()
            );
        }
        let vars = file
            .tensors()
            .into_iter()
            .map(|(name, view)| {
                let data: Vec<f32> = view
                    .data()
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect();
                let tensor = Tensor::from_vec(data, view.shape(), &Device::Cpu)?;
                Ok((name, Var::from_tensor(&tensor)?))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Generator {
            params: GenParams {
                cell: meta.cell,
                hidden: meta.hidden_size,
                layers: meta.num_layers,
                one_hot: matches!(meta.input, Input::OneHot(_)),
                vars,
            },
            meta,
        })
    }

    /// Its tensors, as the trainer exports them.
    pub fn tensors(&self) -> anyhow::Result<Vec<NamedTensor>> {
        self.params.to_f32()
    }

    /// Generates up to `limit` tokens for `condition`, drawing with `sampling` from `rng` (the
    /// runtime's sampler and generator).
    pub fn generate(
        &self,
        condition: usize,
        sampling: tinyrnn::Sampling,
        rng: &mut tinyrnn::Rng,
        limit: usize,
    ) -> anyhow::Result<Vec<u32>> {
        let g = self
            .meta
            .generation
            .as_ref()
            .context("a generative model")?;
        let mut tokens: Vec<u32> = vec![g.start_id as u32];
        let mut out = Vec::new();
        // The whole prefix is rerun each step: simple, and these sequences are short.
        while out.len() < limit {
            let inputs = Tensor::from_vec(tokens.clone(), (tokens.len(), 1), &Device::Cpu)?;
            let conditions = Tensor::from_vec(vec![condition as u32], 1, &Device::Cpu)?;
            let logits = self.params.forward(&inputs, &conditions, None)?;
            let last = logits.get(tokens.len() - 1)?.to_vec1::<f32>()?;
            let next = sampling.pick(&last, rng) as u32;
            if next as usize == g.end_id {
                break;
            }
            out.push(next);
            tokens.push(next);
        }
        Ok(out)
    }
}

/// How often generated sequences are recognised as their condition by a separate classifier.
#[derive(Debug, Clone)]
pub struct Consistency {
    /// The classifier's accuracy on the real test sequences (the ceiling to read the rate by).
    pub classifier_test_accuracy: f64,
    /// Per condition: (name, generated, recognised as it, empty generations).
    pub per_condition: Vec<(String, usize, usize, usize)>,
    /// One example generation per condition (tokens joined by spaces).
    pub examples: Vec<String>,
}

impl Consistency {
    /// Recognised / generated, all conditions together.
    pub fn rate(&self) -> f64 {
        let (n, ok) = self
            .per_condition
            .iter()
            .fold((0, 0), |(n, ok), c| (n + c.1, ok + c.2));
        ok as f64 / n.max(1) as f64
    }
}

/// Trains a separate sequence classifier (a GRU, the `train` recipe) on the same training and
/// validation splits, measures it on the real test sequences, then generates `samples`
/// sequences per condition from the model file `model` (with `sampling`, at most `limit`
/// tokens, from `seed`) and counts those it assigns to their condition.
pub fn class_consistency(
    o: &GenOptions,
    model: &Path,
    classifier_out: &Path,
    samples: usize,
    sampling: tinyrnn::Sampling,
    limit: usize,
) -> anyhow::Result<Consistency> {
    let mut c = crate::TrainOptions::new(vec![o.train.clone()], classifier_out.to_path_buf());
    c.val = Some(o.val.clone());
    c.hidden = 32;
    c.text_input = crate::TextInput::Embedding(16);
    c.epochs = 30;
    c.patience = Some(6);
    c.lr = 0.005;
    c.seed = o.seed;
    c.plot = false;
    c.verbose = false;
    crate::train(&c)?;
    let classifier = crate::Model::load(classifier_out)?;
    let (confusion, _) = classifier.evaluate(&data::load(&o.test)?)?;
    let generator = Generator::load(model)?;
    let g = generator
        .meta
        .generation
        .clone()
        .context("a generative model")?;
    let vocab = match &generator.meta.input {
        Input::Embedding(t) | Input::OneHot(t) => t.vocab.clone(),
        Input::Dense(_) => bail!("a generative model reads tokens"),
    };
    let mut rng = tinyrnn::Rng::new(o.seed);
    let mut per_condition = Vec::new();
    let mut examples = Vec::new();
    for (k, name) in g.conditions.iter().enumerate() {
        let (mut ok, mut empty) = (0, 0);
        for i in 0..samples {
            let ids = generator.generate(k, sampling, &mut rng, limit)?;
            let text = ids
                .iter()
                .map(|&i| vocab.get(i as usize).map_or("?", String::as_str))
                .collect::<Vec<_>>()
                .join(" ");
            if i == 0 {
                examples.push(text.clone());
            }
            if ids.is_empty() {
                empty += 1;
                continue;
            }
            let p = classifier.predict(crate::Sequence::Text(&text))?;
            let best = tinyrnn::head::argmax(&p).unwrap_or(0);
            if classifier.meta.labels.get(best) == Some(name) {
                ok += 1;
            }
        }
        per_condition.push((name.clone(), samples, ok, empty));
    }
    Ok(Consistency {
        classifier_test_accuracy: confusion.accuracy(),
        per_condition,
        examples,
    })
}
