//! The network: an optional embedding, stacked recurrent layers, a linear head.
//!
//! Parameters are named and shaped like the `state_dict()` of the PyTorch module described in
//! docs/model-format.md, and initialised like PyTorch does (from our own seeded [`Rng`]).
//! The forward pass runs a padded batch; a mask freezes each sequence's state after its last
//! element, so its final state equals running the sequence alone, without padding.

use candle_core::{DType, Device, Result, Tensor, Var};

use crate::cell::{gru_step, lstm_step, rnn_step, Cell};
use crate::rng::Rng;

/// What one time step consumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A token id selects a row of `embedding.weight` `[vocab, dim]`.
    Embedding {
        /// Vocabulary size `V`.
        vocab: usize,
        /// Embedding size `E`.
        dim: usize,
    },
    /// A token id is a one-hot vector of size `vocab`.
    OneHot {
        /// Vocabulary size `V`.
        vocab: usize,
    },
    /// A sample of `features` numbers (already normalised).
    Dense {
        /// Number of features `F`.
        features: usize,
    },
}

impl Input {
    /// The name used in the model file.
    pub fn name(self) -> &'static str {
        match self {
            Input::Embedding { .. } => "embedding",
            Input::OneHot { .. } => "one_hot",
            Input::Dense { .. } => "dense",
        }
    }
}

/// The shape of a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The recurrent cell.
    pub cell: Cell,
    /// What a step consumes.
    pub input: Input,
    /// Hidden size `H`.
    pub hidden: usize,
    /// Stacked layers.
    pub layers: usize,
    /// Number of classes `C`.
    pub classes: usize,
}

impl Config {
    /// `I_k`, the input size of layer `k`.
    pub fn layer_input(&self, k: usize) -> usize {
        if k > 0 {
            return self.hidden;
        }
        match self.input {
            Input::Embedding { dim, .. } => dim,
            Input::OneHot { vocab } => vocab,
            Input::Dense { features } => features,
        }
    }

    /// Every tensor of the model file with its shape, in `state_dict()` order.
    pub fn tensor_shapes(&self) -> Vec<(String, Vec<usize>)> {
        let mut out = Vec::new();
        if let Input::Embedding { vocab, dim } = self.input {
            out.push(("embedding.weight".to_string(), vec![vocab, dim]));
        }
        let layers = self
            .cell
            .layer_tensors(self.layers, self.hidden, self.layer_input(0));
        out.extend(layers);
        out.push(("head.weight".to_string(), vec![self.classes, self.hidden]));
        out.push(("head.bias".to_string(), vec![self.classes]));
        out
    }

    /// Total number of parameters (all tensors).
    pub fn num_params(&self) -> usize {
        self.tensor_shapes()
            .iter()
            .map(|(_, s)| s.iter().product::<usize>())
            .sum()
    }
}

/// One time-major batch of sequences, padded to the longest.
#[derive(Debug, Clone)]
pub enum BatchInput {
    /// Token ids `[T, B]` (u32); padding positions hold `<pad>`.
    Tokens(Tensor),
    /// Samples `[T, B, F]`; padding positions hold zeros.
    Dense(Tensor),
}

/// A tensor as exported: `(name, shape, row-major f32 values)`.
pub type NamedTensor = (String, Vec<usize>, Vec<f32>);

/// The trainable parameters, in `state_dict()` order.
#[derive(Debug)]
pub struct Params {
    /// The network shape.
    pub config: Config,
    /// `(name, variable)` in the order of [`Config::tensor_shapes`].
    pub vars: Vec<(String, Var)>,
}

impl Params {
    /// Fresh parameters initialised like PyTorch's modules:
    /// `nn.Embedding` N(0, 1); `nn.RNN`/`nn.LSTM`/`nn.GRU` every weight and bias U(−1/√H, 1/√H);
    /// `nn.Linear` weight and bias U(−1/√fan_in, 1/√fan_in) (kaiming-uniform with a = √5).
    pub fn init(config: Config, seed: u64, dtype: DType, device: &Device) -> Result<Self> {
        let mut rng = Rng::stream(seed, "init");
        let mut vars = Vec::new();
        for (name, shape) in config.tensor_shapes() {
            let n: usize = shape.iter().product();
            let values: Vec<f64> = if name == "embedding.weight" {
                (0..n).map(|_| rng.normal()).collect()
            } else {
                let fan = config.hidden as f64; // rnn.*: 1/√H; head: fan_in = H
                let bound = 1.0 / fan.sqrt();
                (0..n).map(|_| rng.uniform(-bound, bound)).collect()
            };
            let t = Tensor::from_vec(values, shape.as_slice(), device)?.to_dtype(dtype)?;
            vars.push((name, Var::from_tensor(&t)?));
        }
        Ok(Params { config, vars })
    }

    /// Parameters from tensors (e.g. read from a model file), checking names and shapes.
    pub fn from_tensors(config: Config, mut tensors: Vec<(String, Tensor)>) -> Result<Self> {
        let mut vars = Vec::new();
        for (name, shape) in config.tensor_shapes() {
            let Some(pos) = tensors.iter().position(|(n, _)| *n == name) else {
                candle_core::bail!("missing tensor {name}");
            };
            let (_, t) = tensors.swap_remove(pos);
            if t.dims() != shape.as_slice() {
                candle_core::bail!(
                    "tensor {name}: expected shape {shape:?}, found {:?}",
                    t.dims()
                );
            }
            vars.push((name, Var::from_tensor(&t)?));
        }
        if let Some((name, _)) = tensors.first() {
            candle_core::bail!("unexpected tensor {name}");
        }
        Ok(Params { config, vars })
    }

    /// The tensor called `name`.
    pub fn get(&self, name: &str) -> &Tensor {
        match self.vars.iter().find(|(n, _)| n == name) {
            Some((_, v)) => v.as_tensor(),
            None => panic!("no parameter {name}"),
        }
    }

    /// The variables, for the optimiser.
    pub fn all_vars(&self) -> Vec<Var> {
        self.vars.iter().map(|(_, v)| v.clone()).collect()
    }

    /// A copy of the current values.
    pub fn snapshot(&self) -> Result<Vec<Tensor>> {
        self.vars
            .iter()
            .map(|(_, v)| v.as_tensor().copy())
            .collect()
    }

    /// Restores values saved by [`Params::snapshot`].
    pub fn restore(&self, snapshot: &[Tensor]) -> Result<()> {
        for ((_, v), t) in self.vars.iter().zip(snapshot) {
            v.set(t)?;
        }
        Ok(())
    }

    /// Every tensor as `(name, shape, f32 values)`, in `state_dict()` order.
    pub fn to_f32(&self) -> Result<Vec<NamedTensor>> {
        vars_to_f32(&self.vars)
    }

    /// Logits `[B, C]` of a time-major padded batch; `lengths[b]` is the true length of sequence
    /// `b` (≥ 1). `dropout`: probability and generator, in training only.
    pub fn forward(
        &self,
        input: &BatchInput,
        lengths: &[usize],
        mut dropout: Option<(f32, &mut Rng)>,
    ) -> Result<Tensor> {
        let cfg = self.config;
        let hs = cfg.hidden;
        let gh = cfg.cell.gates() * hs;
        let (t_len, batch) = match input {
            BatchInput::Tokens(ids) => ids.dims2()?,
            BatchInput::Dense(x) => {
                let (t, b, _) = x.dims3()?;
                (t, b)
            }
        };
        let w_ih0 = self.get("rnn.weight_ih_l0");
        let b_ih0 = self.get("rnn.bias_ih_l0");

        // Layer 0 input projection for all steps at once: xp = W_ih x + b_ih, [T*B, G*H].
        let xp0 = match (input, cfg.input) {
            (BatchInput::Tokens(ids), Input::Embedding { .. }) => {
                let emb = self
                    .get("embedding.weight")
                    .index_select(&ids.flatten_all()?, 0)?;
                let emb = apply_dropout(&emb, &mut dropout)?;
                emb.matmul(&w_ih0.t()?)?
            }
            // One-hot: W_ih x is column t of W_ih, a lookup.
            (BatchInput::Tokens(ids), Input::OneHot { .. }) => w_ih0
                .t()?
                .contiguous()?
                .index_select(&ids.flatten_all()?, 0)?,
            (BatchInput::Dense(x), Input::Dense { features }) => {
                x.reshape((t_len * batch, features))?.matmul(&w_ih0.t()?)?
            }
            _ => candle_core::bail!(
                "batch input does not match the model's {} input",
                cfg.input.name()
            ),
        };
        let mut xp = xp0.broadcast_add(b_ih0)?.reshape((t_len, batch, gh))?;

        // masks[t]: [B, 1], 1 while t < length; None when every sequence is still running.
        let dtype = xp.dtype();
        let device = xp.device().clone();
        let mut masks: Vec<Option<(Tensor, Tensor)>> = Vec::with_capacity(t_len);
        for t in 0..t_len {
            if lengths.iter().all(|&l| l > t) {
                masks.push(None);
            } else {
                let m: Vec<f32> = lengths
                    .iter()
                    .map(|&l| if l > t { 1.0 } else { 0.0 })
                    .collect();
                let m = Tensor::from_vec(m, (batch, 1), &device)?.to_dtype(dtype)?;
                let keep = m.affine(-1.0, 1.0)?;
                masks.push(Some((m, keep)));
            }
        }

        let mut h_last = None;
        for k in 0..cfg.layers {
            let w_hh_t = self.get(&format!("rnn.weight_hh_l{k}")).t()?;
            let b_hh = self.get(&format!("rnn.bias_hh_l{k}"));
            let mut h = Tensor::zeros((batch, hs), dtype, &device)?;
            let mut c = if cfg.cell == Cell::Lstm {
                Some(h.clone())
            } else {
                None
            };
            let last_layer = k + 1 == cfg.layers;
            let mut outputs = Vec::with_capacity(if last_layer { 0 } else { t_len });
            for (t, mask) in masks.iter().enumerate() {
                let xp_t = xp.get(t)?; // [B, G*H]
                let hp = h.matmul(&w_hh_t)?.broadcast_add(b_hh)?;
                let (h_new, c_new) = match cfg.cell {
                    Cell::Rnn => (rnn_step(&xp_t, &hp)?, None),
                    Cell::Gru => (gru_step(&xp_t, &hp, &h)?, None),
                    Cell::Lstm => {
                        let (hn, cn) = lstm_step(&xp_t, &hp, c.as_ref().expect("lstm state"))?;
                        (hn, Some(cn))
                    }
                };
                // Past a sequence's end its state is frozen: h = m ⊙ h_new + (1 − m) ⊙ h,
                // exact for m ∈ {0, 1}.
                (h, c) = match mask {
                    None => (h_new, c_new),
                    Some((m, keep)) => {
                        let h = (h_new.broadcast_mul(m)? + h.broadcast_mul(keep)?)?;
                        let c = match (c_new, c) {
                            (Some(cn), Some(c)) => {
                                Some((cn.broadcast_mul(m)? + c.broadcast_mul(keep)?)?)
                            }
                            _ => None,
                        };
                        (h, c)
                    }
                };
                if !last_layer {
                    outputs.push(h.clone());
                }
            }
            if last_layer {
                h_last = Some(h);
            } else {
                // Next layer's input projection for all steps: [T*B, H] x [H, G*H].
                let seq = Tensor::stack(&outputs, 0)?.reshape((t_len * batch, hs))?;
                let seq = apply_dropout(&seq, &mut dropout)?;
                let w_ih = self.get(&format!("rnn.weight_ih_l{}", k + 1));
                let b_ih = self.get(&format!("rnn.bias_ih_l{}", k + 1));
                xp = seq
                    .matmul(&w_ih.t()?)?
                    .broadcast_add(b_ih)?
                    .reshape((t_len, batch, gh))?;
            }
        }
        let h = apply_dropout(&h_last.expect("at least one layer"), &mut dropout)?;
        h.matmul(&self.get("head.weight").t()?)?
            .broadcast_add(self.get("head.bias"))
    }
}

/// Every variable as `(name, shape, f32 values)`, in the order given: what a model file stores.
pub(crate) fn vars_to_f32(vars: &[(String, Var)]) -> Result<Vec<NamedTensor>> {
    vars.iter()
        .map(|(n, v)| {
            let t = v.as_tensor();
            Ok((
                n.clone(),
                t.dims().to_vec(),
                t.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?,
            ))
        })
        .collect()
}

/// Inverted dropout with a mask drawn from our generator (identity when `dropout` is `None` or 0).
pub(crate) fn apply_dropout(x: &Tensor, dropout: &mut Option<(f32, &mut Rng)>) -> Result<Tensor> {
    let Some((p, rng)) = dropout else {
        return Ok(x.clone());
    };
    let p = *p;
    if p <= 0.0 {
        return Ok(x.clone());
    }
    let scale = 1.0 / (1.0 - p);
    let mask: Vec<f32> = (0..x.elem_count())
        .map(|_| {
            if rng.next_f64() < p as f64 {
                0.0
            } else {
                scale
            }
        })
        .collect();
    let mask = Tensor::from_vec(mask, x.shape(), x.device())?.to_dtype(x.dtype())?;
    x * mask
}
