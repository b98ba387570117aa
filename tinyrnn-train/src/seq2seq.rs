//! Sequence-to-sequence models (`task: "seq2seq"`, N→M): grapheme to phoneme, trained with
//! teacher forcing, evaluated by greedy decoding against a letter-to-phoneme baseline.
//!
//! The network is the PyTorch module of docs/model-format.md ("Sequence-to-sequence models"):
//! `embedding` and `encoder` read the letters; `decoder`, started from the encoder's final state
//! (every layer's `h`, and an LSTM's `c`), reads `decoder_embedding` rows of `<s> p1 … pn` and
//! its `head` scores `p1 … pn </s>`; the loss is the mean cross-entropy over the real (unpadded)
//! output positions. A batch holds words of one length, so the encoder needs no padding.
//!
//! The figures: phoneme error rate (edit distance over reference length, summed over the
//! words) and word error rate (words with any error) of greedy decoding on the held-out words;
//! the baseline maps each letter to the phoneme it most often stands for, counted on the
//! training words whose letters and phonemes are equally many (position by position), and
//! merges a repeated phoneme ("ll" → L).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use candle_core::{Device, Tensor, Var, D};

use tinyrnn_schema::{
    CellKind, Decoding, Input, Meta, OutputKind, SplitKind, TaskKind, Text, TokenizerRules,
};

use crate::cell::unroll;
use crate::generative::{adam, descend};
use crate::model::vars_to_f32;
use crate::rng::Rng;

/// The output token the decoder reads first.
pub const START: &str = "<s>";
/// The output token that ends a pronunciation.
pub const END: &str = "</s>";
/// Output ids of [`START`] and [`END`].
const START_ID: u32 = 0;
const END_ID: u32 = 1;
/// Input ids of the padding and unknown-letter entries.
const PAD_ID: u32 = 0;
const UNK_ID: u32 = 1;
/// The longest pronunciation decoded in evaluation.
const MAX_OUTPUT: usize = 24;

/// Everything [`train_seq2seq`] needs; the `seq2seq` subcommand's flags map one to one.
#[derive(Debug, Clone)]
pub struct Seq2SeqOptions {
    /// Training pairs: `word<TAB>phonemes` TSV with a header, phonemes separated by spaces.
    pub train: PathBuf,
    /// Held-out pairs, same format (the figures reported).
    pub test: PathBuf,
    /// The recurrent cell of the encoder and the decoder.
    pub cell: CellKind,
    /// Embedding width (letters and phonemes).
    pub embedding: usize,
    /// Hidden size.
    pub hidden: usize,
    /// Stacked layers.
    pub layers: usize,
    /// Epochs (no early stopping: the held-out words are only measured).
    pub epochs: usize,
    /// AdamW learning rate.
    pub lr: f64,
    /// Words per mini-batch.
    pub batch_size: usize,
    /// Clip the global gradient norm to this.
    pub clip: f64,
    /// Seed of every random choice.
    pub seed: u64,
    /// The model file to write.
    pub out: PathBuf,
    /// Print per-epoch lines.
    pub verbose: bool,
}

impl Seq2SeqOptions {
    /// Defaults for everything but the data and output paths.
    pub fn new(train: PathBuf, test: PathBuf, out: PathBuf) -> Self {
        Seq2SeqOptions {
            train,
            test,
            cell: CellKind::Gru,
            embedding: 16,
            hidden: 64,
            layers: 1,
            epochs: 12,
            lr: 0.01,
            batch_size: 64,
            clip: 5.0,
            seed: 0,
            out,
            verbose: true,
        }
    }
}

/// One word and its pronunciation, as ids.
#[derive(Debug, Clone)]
pub struct Pair {
    /// Letter ids (input vocabulary).
    pub letters: Vec<u32>,
    /// Phoneme ids (output vocabulary), without `<s>` and `</s>`.
    pub phonemes: Vec<u32>,
}

/// The input and output vocabularies of a grapheme-to-phoneme corpus.
#[derive(Debug, Clone)]
pub struct Vocabularies {
    /// `<pad>`, `<unk>`, then the letters of the training words in byte order.
    pub letters: Vec<String>,
    /// `<s>`, `</s>`, then the phonemes of the training words in byte order.
    pub phonemes: Vec<String>,
}

impl Vocabularies {
    fn build(rows: &[(String, Vec<String>)]) -> Vocabularies {
        let mut letters: Vec<String> = rows
            .iter()
            .flat_map(|(w, _)| w.chars().map(String::from))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        letters.splice(0..0, ["<pad>".to_string(), "<unk>".to_string()]);
        let mut phonemes: Vec<String> = rows
            .iter()
            .flat_map(|(_, p)| p.iter().cloned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        phonemes.splice(0..0, [START.to_string(), END.to_string()]);
        Vocabularies { letters, phonemes }
    }

    /// The pairs of `rows` as ids (an unknown letter is `<unk>`; an unknown phoneme an error).
    fn encode(&self, rows: &[(String, Vec<String>)]) -> anyhow::Result<Vec<Pair>> {
        let letter: HashMap<&str, u32> = ids(&self.letters);
        let phoneme: HashMap<&str, u32> = ids(&self.phonemes);
        rows.iter()
            .map(|(w, p)| {
                let letters = w
                    .chars()
                    .map(|c| *letter.get(c.to_string().as_str()).unwrap_or(&UNK_ID))
                    .collect();
                let phonemes =
                    p.iter()
                        .map(|x| {
                            phoneme.get(x.as_str()).copied().with_context(|| {
                                format!("{w}: phoneme {x} not in the training words")
                            })
                        })
                        .collect::<anyhow::Result<_>>()?;
                Ok(Pair { letters, phonemes })
            })
            .collect()
    }
}

fn ids(words: &[String]) -> HashMap<&str, u32> {
    words
        .iter()
        .enumerate()
        .map(|(i, w)| (w.as_str(), i as u32))
        .collect()
}

/// Reads a `word<TAB>phonemes` TSV (header line skipped).
pub fn read_pairs(path: &Path) -> anyhow::Result<Vec<(String, Vec<String>)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let Some((word, phones)) = line.split_once('\t') else {
            bail!("{}:{}: expected word<TAB>phonemes", path.display(), n + 1);
        };
        let phones: Vec<String> = phones.split_whitespace().map(String::from).collect();
        if word.is_empty() || phones.is_empty() {
            bail!(
                "{}:{}: an empty word or pronunciation",
                path.display(),
                n + 1
            );
        }
        rows.push((word.to_string(), phones));
    }
    Ok(rows)
}

/// One layer's state: `h`, and `c` for the LSTM.
type LayerState = (Tensor, Option<Tensor>);

/// The encoder–decoder's weights, named like the model file's tensors.
pub struct Seq2SeqParams {
    cell: CellKind,
    hidden: usize,
    layers: usize,
    vars: Vec<(String, Var)>,
}

impl Seq2SeqParams {
    /// Fresh weights: embeddings N(0, 1), every other tensor U(±1/√H) (PyTorch's initialisers
    /// of `nn.Embedding`, `nn.GRU` and, with fan-in H, `nn.Linear`).
    fn init(o: &Seq2SeqOptions, letters: usize, phonemes: usize) -> anyhow::Result<Self> {
        let mut rng = Rng::stream(o.seed, "seq2seq-init");
        let gh = o.cell.gates() * o.hidden;
        let (h, e) = (o.hidden, o.embedding);
        let mut shapes = vec![
            ("embedding.weight".to_string(), vec![letters, e]),
            ("decoder_embedding.weight".to_string(), vec![phonemes, e]),
        ];
        for stack in ["encoder", "decoder"] {
            for k in 0..o.layers {
                let cols = if k == 0 { e } else { h };
                shapes.extend([
                    (format!("{stack}.weight_ih_l{k}"), vec![gh, cols]),
                    (format!("{stack}.weight_hh_l{k}"), vec![gh, h]),
                    (format!("{stack}.bias_ih_l{k}"), vec![gh]),
                    (format!("{stack}.bias_hh_l{k}"), vec![gh]),
                ]);
            }
        }
        shapes.push(("head.weight".to_string(), vec![phonemes, h]));
        shapes.push(("head.bias".to_string(), vec![phonemes]));
        let bound = 1.0 / (h as f64).sqrt();
        let vars = shapes
            .into_iter()
            .map(|(name, shape)| {
                let embedding = name.ends_with("embedding.weight");
                let n: usize = shape.iter().product();
                let values: Vec<f32> = (0..n)
                    .map(|_| match embedding {
                        true => rng.normal() as f32,
                        false => rng.uniform(-bound, bound) as f32,
                    })
                    .collect();
                let t = Tensor::from_vec(values, shape.as_slice(), &Device::Cpu)?;
                Ok((name, Var::from_tensor(&t)?))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Seq2SeqParams {
            cell: o.cell,
            hidden: h,
            layers: o.layers,
            vars,
        })
    }

    fn var(&self, name: &str) -> anyhow::Result<&Tensor> {
        let found = self.vars.iter().find(|(n, _)| n == name);
        found
            .map(|(_, v)| v.as_tensor())
            .with_context(|| format!("no tensor {name}"))
    }

    /// Runs the layers of `stack` (`encoder` or `decoder`) over `x` (`[T·B, E]`, time-major),
    /// from `init` (zero without it); returns the top layer's outputs `[T·B, H]` and every
    /// layer's final state.
    fn run(
        &self,
        stack: &str,
        mut x: Tensor,
        t_len: usize,
        batch: usize,
        init: Option<&[LayerState]>,
    ) -> anyhow::Result<(Tensor, Vec<LayerState>)> {
        let hs = self.hidden;
        let gh = self.cell.gates() * hs;
        let zeros = Tensor::zeros((batch, hs), candle_core::DType::F32, &Device::Cpu)?;
        let mut finals = Vec::with_capacity(self.layers);
        for k in 0..self.layers {
            let w = |kind: &str| self.var(&format!("{stack}.{kind}_l{k}"));
            let xp = x
                .matmul(&w("weight_ih")?.t()?)?
                .broadcast_add(w("bias_ih")?)?
                .reshape((t_len, batch, gh))?;
            let w_hh_t = w("weight_hh")?.t()?;
            let b_hh = w("bias_hh")?;
            let (h, c) = match init.and_then(|s| s.get(k)) {
                Some((h, c)) => (h.clone(), c.clone()),
                None => (zeros.clone(), None),
            };
            let (outputs, h, c) = unroll(self.cell, &xp, &w_hh_t, b_hh, h, c)?;
            x = Tensor::stack(&outputs, 0)?.reshape((t_len * batch, hs))?;
            finals.push((h, c));
        }
        Ok((x, finals))
    }

    /// The encoder's final state for letters `[B, T]` (words of one length).
    fn encode(&self, letters: &Tensor) -> anyhow::Result<Vec<LayerState>> {
        let (batch, t_len) = letters.dims2()?;
        let ids = letters.t()?.contiguous()?.flatten_all()?;
        let x = self.var("embedding.weight")?.index_select(&ids, 0)?;
        Ok(self.run("encoder", x, t_len, batch, None)?.1)
    }

    /// Decoder logits `[T·B, V]` (time-major) of the output tokens `[T, B]` from `state`, and
    /// the decoder's state after them.
    fn decode(
        &self,
        tokens: &Tensor,
        state: &[LayerState],
    ) -> anyhow::Result<(Tensor, Vec<LayerState>)> {
        let (t_len, batch) = tokens.dims2()?;
        let x = self
            .var("decoder_embedding.weight")?
            .index_select(&tokens.flatten_all()?, 0)?;
        let (y, finals) = self.run("decoder", x, t_len, batch, Some(state))?;
        let logits = y
            .matmul(&self.var("head.weight")?.t()?)?
            .broadcast_add(self.var("head.bias")?)?;
        Ok((logits, finals))
    }

    /// Summed cross-entropy (nats) of the pronunciations of `pairs` (words of one length) under
    /// teacher forcing, and the number of predicted tokens.
    fn nll_sum(&self, pairs: &[&Pair]) -> anyhow::Result<(Tensor, usize)> {
        let b = pairs.len();
        let n_in = pairs.first().map_or(0, |p| p.letters.len());
        let letters: Vec<u32> = pairs.iter().flat_map(|p| p.letters.clone()).collect();
        let dev = &Device::Cpu;
        let state = self.encode(&Tensor::from_vec(letters, (b, n_in), dev)?)?;
        let t_len = pairs
            .iter()
            .map(|p| p.phonemes.len() + 1)
            .max()
            .unwrap_or(1);
        let mut inputs = vec![END_ID; t_len * b];
        let mut targets = vec![END_ID; t_len * b];
        let mut mask = vec![0f32; t_len * b];
        let mut n = 0;
        for (j, p) in pairs.iter().enumerate() {
            for t in 0..=p.phonemes.len() {
                inputs[t * b + j] = if t == 0 { START_ID } else { p.phonemes[t - 1] };
                targets[t * b + j] = p.phonemes.get(t).copied().unwrap_or(END_ID);
                mask[t * b + j] = 1.0;
                n += 1;
            }
        }
        let (logits, _) = self.decode(&Tensor::from_vec(inputs, (t_len, b), dev)?, &state)?;
        let logp = candle_nn::ops::log_softmax(&logits, D::Minus1)?;
        let targets = Tensor::from_vec(targets, t_len * b, dev)?;
        let picked = logp.gather(&targets.unsqueeze(1)?, 1)?.squeeze(1)?;
        let mask = Tensor::from_vec(mask, t_len * b, dev)?;
        Ok(((picked * mask)?.sum_all()?.neg()?, n))
    }

    /// Greedy decoding of words of one length: the most likely phoneme fed back until `</s>`
    /// or [`MAX_OUTPUT`] phonemes.
    fn greedy(&self, pairs: &[&Pair]) -> anyhow::Result<Vec<Vec<u32>>> {
        let b = pairs.len();
        let n_in = pairs.first().map_or(0, |p| p.letters.len());
        let letters: Vec<u32> = pairs.iter().flat_map(|p| p.letters.clone()).collect();
        let dev = &Device::Cpu;
        let mut state = self.encode(&Tensor::from_vec(letters, (b, n_in), dev)?)?;
        let mut token = vec![START_ID; b];
        let mut out = vec![Vec::new(); b];
        let mut done = vec![false; b];
        for _ in 0..MAX_OUTPUT {
            let (logits, next) =
                self.decode(&Tensor::from_vec(token.clone(), (1, b), dev)?, &state)?;
            state = next;
            token = logits.argmax(D::Minus1)?.to_vec1::<u32>()?;
            for (j, &t) in token.iter().enumerate() {
                if t == END_ID {
                    done[j] = true;
                } else if !done[j] {
                    out[j].push(t);
                }
            }
            if done.iter().all(|&d| d) {
                break;
            }
        }
        Ok(out)
    }
}

/// Indices of `pairs` grouped by word length (the key), each group in file order.
fn by_length(pairs: &[Pair]) -> BTreeMap<usize, Vec<usize>> {
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, p) in pairs.iter().enumerate() {
        groups.entry(p.letters.len()).or_default().push(i);
    }
    groups
}

/// Levenshtein distance between two token sequences.
pub fn edit_distance(a: &[u32], b: &[u32]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(x != y);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// Phoneme and word error rates of `predicted` against the pairs' pronunciations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorRates {
    /// Edit operations over reference phonemes, summed over the words.
    pub phoneme: f64,
    /// Words whose pronunciation is not exactly the reference.
    pub word: f64,
}

impl ErrorRates {
    fn of(pairs: &[Pair], predicted: &[Vec<u32>]) -> ErrorRates {
        let (mut edits, mut phonemes, mut wrong) = (0, 0, 0);
        for (p, q) in pairs.iter().zip(predicted) {
            let d = edit_distance(&p.phonemes, q);
            edits += d;
            phonemes += p.phonemes.len();
            wrong += usize::from(d > 0);
        }
        ErrorRates {
            phoneme: edits as f64 / phonemes.max(1) as f64,
            word: wrong as f64 / pairs.len().max(1) as f64,
        }
    }
}

/// The letter-to-phoneme baseline (module documentation): each letter's most frequent phoneme
/// on the equal-length training words, `None` (silent) for a letter never counted.
pub fn letter_baseline(train: &[Pair], letters: usize) -> Vec<Option<u32>> {
    let mut counts: Vec<BTreeMap<u32, usize>> = vec![BTreeMap::new(); letters];
    for p in train.iter().filter(|p| p.letters.len() == p.phonemes.len()) {
        for (&l, &ph) in p.letters.iter().zip(&p.phonemes) {
            *counts[l as usize].entry(ph).or_insert(0) += 1;
        }
    }
    counts
        .iter()
        .map(|c| {
            c.iter()
                .max_by_key(|&(ph, n)| (*n, std::cmp::Reverse(*ph)))
                .map(|(&ph, _)| ph)
        })
        .collect()
}

/// The baseline's pronunciation of `letters`.
fn spell(table: &[Option<u32>], letters: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    for ph in letters
        .iter()
        .filter_map(|&l| table.get(l as usize).copied().flatten())
    {
        if out.last() != Some(&ph) {
            out.push(ph);
        }
    }
    out
}

/// What [`train_seq2seq`] measured.
#[derive(Debug, Clone)]
pub struct Seq2SeqReport {
    /// Input letters and output phonemes, specials included.
    pub vocab: (usize, usize),
    /// Training and held-out words.
    pub sizes: (usize, usize),
    /// Mean training cross-entropy (nats per output token) of the last epoch.
    pub train_loss: f64,
    /// The network, greedy, on the held-out words.
    pub network: ErrorRates,
    /// The letter-to-phoneme baseline on the held-out words.
    pub baseline: ErrorRates,
    /// Parameters written.
    pub params: usize,
    /// Wall-clock seconds, training and evaluation.
    pub seconds: f64,
}

/// Trains the encoder–decoder, measures it and the baseline on the held-out words, writes the
/// model file.
pub fn train_seq2seq(o: &Seq2SeqOptions) -> anyhow::Result<Seq2SeqReport> {
    let started = Instant::now();
    let train_rows = read_pairs(&o.train)?;
    let vocabs = Vocabularies::build(&train_rows);
    let train = vocabs.encode(&train_rows)?;
    let test = vocabs.encode(&read_pairs(&o.test)?)?;
    let params = Seq2SeqParams::init(o, vocabs.letters.len(), vocabs.phonemes.len())?;
    let (vars, mut opt) = adam(&params.vars, o.lr)?;
    let mut rng = Rng::stream(o.seed, "seq2seq-batches");
    let groups = by_length(&train);
    let mut train_loss = f64::NAN;
    for epoch in 1..=o.epochs {
        // Batches of words of one length, in a shuffled order.
        let mut batches: Vec<Vec<usize>> = Vec::new();
        for group in groups.values() {
            let mut group = group.clone();
            rng.shuffle(&mut group);
            batches.extend(group.chunks(o.batch_size.max(1)).map(<[usize]>::to_vec));
        }
        rng.shuffle(&mut batches);
        let (mut sum, mut seen) = (0.0, 0usize);
        for batch in &batches {
            let pairs: Vec<&Pair> = batch.iter().map(|&i| &train[i]).collect();
            let (nll, n) = params.nll_sum(&pairs)?;
            sum += descend(&mut opt, &vars, o.clip, &nll, n, epoch)? * n as f64;
            seen += n;
        }
        train_loss = sum / seen.max(1) as f64;
        if o.verbose {
            eprintln!("epoch {epoch:>3}: train {train_loss:.4} nats/phoneme");
        }
    }
    let mut predicted = vec![Vec::new(); test.len()];
    for group in by_length(&test).values() {
        let pairs: Vec<&Pair> = group.iter().map(|&i| &test[i]).collect();
        for (&i, out) in group.iter().zip(params.greedy(&pairs)?) {
            predicted[i] = out;
        }
    }
    let table = letter_baseline(&train, vocabs.letters.len());
    let spelled: Vec<Vec<u32>> = test.iter().map(|p| spell(&table, &p.letters)).collect();
    let tensors = vars_to_f32(&params.vars)?;
    crate::modelfile::save(&o.out, &tensors, &meta(o, &vocabs))?;
    Ok(Seq2SeqReport {
        vocab: (vocabs.letters.len(), vocabs.phonemes.len()),
        sizes: (train.len(), test.len()),
        train_loss,
        network: ErrorRates::of(&test, &predicted),
        baseline: ErrorRates::of(&test, &spelled),
        seconds: started.elapsed().as_secs_f64(),
        params: tensors.iter().map(|t| t.2.len()).sum(),
    })
}

/// The metadata of the exported file: letters in (one token per character, lowercased),
/// phonemes out.
fn meta(o: &Seq2SeqOptions, vocabs: &Vocabularies) -> Meta {
    Meta {
        task: TaskKind::Seq2Seq,
        cell: o.cell,
        hidden_size: o.hidden,
        num_layers: o.layers,
        input: Input::Embedding(Text {
            vocab: vocabs.letters.clone(),
            unk_id: UNK_ID as usize,
            pad_id: Some(PAD_ID as usize),
            tokenizer: TokenizerRules {
                lowercase: true,
                split: SplitKind::Chars,
                unk_buckets: 0,
                negation: 0,
                stem: false,
            },
        }),
        output: OutputKind::Softmax,
        labels: vocabs.phonemes.clone(),
        generation: None,
        bidirectional: None,
        decoding: Some(Decoding {
            start_id: START_ID as usize,
            end_id: END_ID as usize,
        }),
        conv: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_substitutions_insertions_and_deletions() {
        assert_eq!(edit_distance(&[1, 2, 3], &[1, 2, 3]), 0);
        assert_eq!(edit_distance(&[1, 2, 3], &[1, 4, 3]), 1);
        assert_eq!(edit_distance(&[1, 2, 3], &[1, 3]), 1);
        assert_eq!(edit_distance(&[], &[5, 6]), 2);
        assert_eq!(edit_distance(&[1, 2, 3, 4], &[2, 3, 4, 5]), 2);
    }

    #[test]
    fn the_baseline_merges_repeated_phonemes_and_skips_silent_letters() {
        // Letters 2 = "b", 3 = "e"; phonemes 2 = B, 3 = IY.
        let train = vec![
            Pair {
                letters: vec![2, 3],
                phonemes: vec![2, 3],
            },
            Pair {
                letters: vec![2, 2, 3],
                phonemes: vec![2, 3],
            },
        ];
        let table = letter_baseline(&train, 5);
        assert_eq!(table, [None, None, Some(2), Some(3), None]);
        assert_eq!(spell(&table, &[2, 2, 4, 3]), [2, 3]);
    }
}
