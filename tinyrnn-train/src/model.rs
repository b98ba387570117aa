//! The network: an optional embedding or convolution front-end, stacked recurrent layers, a
//! linear head.
//!
//! Parameters are named and shaped like the `state_dict()` of the PyTorch module described in
//! docs/model-format.md, and initialised like PyTorch does (from our own seeded [`Rng`]).
//! The forward pass runs a padded batch; a mask freezes each sequence's state after its last
//! element, so its final state equals running the sequence alone, without padding.

use candle_core::{DType, Device, Result, Tensor, Var};
use tinyrnn_schema::{ConvLayer, Padding};

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
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// `Some(max_steps)` for bidirectional layers (PyTorch `bidirectional=True`): the longest
    /// sequence the baked model will hold; `None` for one direction.
    pub bidirectional: Option<usize>,
    /// The `nn.Conv1d` front-end (dense input only; docs/model-format.md), first layer first;
    /// empty for none.
    pub conv: Vec<ConvLayer>,
}

impl Config {
    /// A one-directional network of `layers` layers of `hidden` units and `classes` outputs
    /// (set [`bidirectional`](Self::bidirectional) for two directions).
    pub fn new(cell: Cell, input: Input, hidden: usize, layers: usize, classes: usize) -> Self {
        Config {
            cell,
            input,
            hidden,
            layers,
            classes,
            bidirectional: None,
            conv: Vec::new(),
        }
    }

    /// Directions per layer: 2 when bidirectional, else 1.
    pub fn directions(&self) -> usize {
        if self.bidirectional.is_some() {
            2
        } else {
            1
        }
    }

    /// What a layer gives the layer above and the head: `H` per direction.
    pub fn layer_output(&self) -> usize {
        self.hidden * self.directions()
    }

    /// `I_k`, the input size of layer `k`.
    pub fn layer_input(&self, k: usize) -> usize {
        if k > 0 {
            return self.layer_output();
        }
        match self.input {
            Input::Embedding { dim, .. } => dim,
            Input::OneHot { vocab } => vocab,
            Input::Dense { features } => self.conv.last().map_or(features, |l| l.out_channels),
        }
    }

    /// `I'_j`, the input channels of convolution layer `j`: the features for the first, the
    /// output channels of the layer below for the others.
    pub fn conv_input(&self, j: usize) -> usize {
        match (j, self.input) {
            (0, Input::Dense { features }) => features,
            (0, _) => 0,
            _ => self.conv[j - 1].out_channels,
        }
    }

    /// The recurrent steps that `n` samples make through the convolution front-end (`n` without
    /// one): per layer, the outputs of the (left-padded) input, then the whole pool groups.
    /// This is the runtime's count too (`ConvState::steps` after `n` samples).
    pub fn conv_steps(&self, n: usize) -> usize {
        self.conv.iter().fold(n, |n, layer| {
            let window = layer.window();
            let padded = match layer.padding {
                Padding::Valid => n,
                Padding::Causal => n + window - 1,
            };
            let outputs = if padded >= window {
                (padded - window) / layer.stride + 1
            } else {
                0
            };
            outputs / layer.pool
        })
    }

    /// The fewest samples that make one recurrent step (the baked module's `MIN_SAMPLES`).
    pub fn min_samples(&self) -> usize {
        // Every layer gives an output once it has a window (times a pool) of inputs, so the
        // search ends at the product of the windows, strides and pools at the latest.
        (1..).find(|&n| self.conv_steps(n) > 0).unwrap_or(1)
    }

    /// Every tensor of the model file with its shape, in `state_dict()` order.
    pub fn tensor_shapes(&self) -> Vec<(String, Vec<usize>)> {
        let mut out = Vec::new();
        if let Input::Embedding { vocab, dim } = self.input {
            out.push(("embedding.weight".to_string(), vec![vocab, dim]));
        }
        for (j, layer) in self.conv.iter().enumerate() {
            let (o, i, k) = (layer.out_channels, self.conv_input(j), layer.kernel_size);
            out.push((format!("conv.{j}.weight"), vec![o, i, k]));
            out.push((format!("conv.{j}.bias"), vec![o]));
        }
        let (layers, hidden, input) = (self.layers, self.hidden, self.layer_input(0));
        out.extend(match self.bidirectional {
            Some(_) => self.cell.bidirectional_layer_tensors(layers, hidden, input),
            None => self.cell.layer_tensors(layers, hidden, input),
        });
        out.push((
            "head.weight".to_string(),
            vec![self.classes, self.layer_output()],
        ));
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
    /// `nn.Linear` and `nn.Conv1d` weight and bias U(−1/√fan_in, 1/√fan_in) (kaiming-uniform
    /// with a = √5; a convolution's fan-in is its input channels times its kernel size).
    pub fn init(config: Config, seed: u64, dtype: DType, device: &Device) -> Result<Self> {
        let mut rng = Rng::stream(seed, "init");
        let mut vars = Vec::new();
        for (name, shape) in config.tensor_shapes() {
            let n: usize = shape.iter().product();
            let values: Vec<f64> = if name == "embedding.weight" {
                (0..n).map(|_| rng.normal()).collect()
            } else {
                // rnn.*: 1/√H; head: fan_in, H per direction; conv.{j}.*: I'_j · K_j.
                let fan = if name.starts_with("head.") {
                    config.layer_output()
                } else if let Some(j) = conv_index(&name) {
                    config.conv_input(j) * config.conv[j].kernel_size
                } else {
                    config.hidden
                };
                let bound = 1.0 / (fan as f64).sqrt();
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
        let cfg = &self.config;
        let hs = cfg.hidden;
        let gh = cfg.cell.gates() * hs;
        let (mut t_len, batch) = match input {
            BatchInput::Tokens(ids) => ids.dims2()?,
            BatchInput::Dense(x) => {
                let (t, b, _) = x.dims3()?;
                (t, b)
            }
        };
        // With a convolution front-end the recurrent layers read its outputs: fewer steps, and
        // each sequence's own count of them.
        let mut lengths = lengths.to_vec();
        let convolved = match input {
            BatchInput::Dense(x) if !cfg.conv.is_empty() => {
                let (y, steps) = self.convolve(x, &lengths)?;
                t_len = y.dim(0)?;
                lengths = steps;
                Some(y)
            }
            _ => None,
        };
        // Layer 0's input as rows [T*B, I_0]: the embedded tokens or convolution outputs (after
        // dropout) or the samples; `None` for one-hot ids, whose product with W_ih is a column
        // lookup.
        let x0 = match (input, cfg.input) {
            (BatchInput::Tokens(ids), Input::Embedding { .. }) => {
                let emb = self
                    .get("embedding.weight")
                    .index_select(&ids.flatten_all()?, 0)?;
                Some(apply_dropout(&emb, &mut dropout)?)
            }
            (BatchInput::Tokens(_), Input::OneHot { .. }) => None,
            (BatchInput::Dense(x), Input::Dense { .. }) => match &convolved {
                Some(y) => {
                    let rows = y.reshape((t_len * batch, cfg.layer_input(0)))?;
                    Some(apply_dropout(&rows, &mut dropout)?)
                }
                None => Some(x.reshape((t_len * batch, cfg.layer_input(0)))?),
            },
            _ => candle_core::bail!(
                "batch input does not match the model's {} input",
                cfg.input.name()
            ),
        };
        let ids = match input {
            BatchInput::Tokens(ids) => Some(ids.flatten_all()?),
            BatchInput::Dense(_) => None,
        };

        // masks[t]: [B, 1], 1 while t < length; None when every sequence is still running.
        let dtype = self.get("head.bias").dtype();
        let device = self.get("head.bias").device().clone();
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

        // Each layer's directions (PyTorch's `_reverse` for the backward one); the layer above
        // reads [forward h_t, backward h_t] at step t, the head the final states side by side.
        let suffixes = ["", "_reverse"];
        let mut below: Option<Tensor> = None;
        let mut finals = Vec::new();
        for k in 0..cfg.layers {
            let last_layer = k + 1 == cfg.layers;
            let mut outputs = Vec::with_capacity(cfg.directions());
            finals.clear();
            for (d, suffix) in suffixes[..cfg.directions()].iter().enumerate() {
                let name = format!("l{k}{suffix}");
                let w_ih = self.get(&format!("rnn.weight_ih_{name}"));
                let rows = match (&below, &x0, &ids) {
                    (Some(x), _, _) | (None, Some(x), _) => x.matmul(&w_ih.t()?)?,
                    (None, None, Some(ids)) => w_ih.t()?.contiguous()?.index_select(ids, 0)?,
                    (None, None, None) => candle_core::bail!("no input for layer {k}"),
                };
                let xp = rows
                    .broadcast_add(self.get(&format!("rnn.bias_ih_{name}")))?
                    .reshape((t_len, batch, gh))?;
                let (h, out) = self.direction(&name, &xp, &masks, d == 1, !last_layer)?;
                finals.push(h);
                outputs.push(out);
            }
            if !last_layer {
                let per_step: Vec<Tensor> = (0..t_len)
                    .map(|t| {
                        let halves: Vec<&Tensor> =
                            outputs.iter().filter_map(|o| o.get(t)).collect();
                        Tensor::cat(&halves, 1)
                    })
                    .collect::<Result<_>>()?;
                let seq =
                    Tensor::stack(&per_step, 0)?.reshape((t_len * batch, cfg.layer_output()))?;
                below = Some(apply_dropout(&seq, &mut dropout)?);
            }
        }
        let h = apply_dropout(&Tensor::cat(&finals, 1)?, &mut dropout)?;
        h.matmul(&self.get("head.weight").t()?)?
            .broadcast_add(self.get("head.bias"))
    }

    /// The convolution front-end over a time-major padded batch `x` `[T, B, F]`: returns its
    /// outputs `[T', B, O]` (the last layer's channels) and each sequence's number of them,
    /// which must be at least one. Each layer is PyTorch's `F.relu(conv(x))` (after
    /// `F.pad(x, (window - 1, 0))` when causal), then `F.max_pool1d(·, pool)`; an output
    /// reads only inputs up to its sequence's end, so the padding never reaches a counted one.
    fn convolve(&self, x: &Tensor, lengths: &[usize]) -> Result<(Tensor, Vec<usize>)> {
        let cfg = &self.config;
        let steps: Vec<usize> = lengths.iter().map(|&n| cfg.conv_steps(n)).collect();
        if let Some(n) = lengths.iter().find(|&&n| cfg.conv_steps(n) == 0) {
            candle_core::bail!(
                "a sequence of {n} samples is too short for the convolution front-end, which \
                 needs at least {}",
                cfg.min_samples()
            );
        }
        let mut x = x.clone();
        for (j, layer) in cfg.conv.iter().enumerate() {
            let (_, batch, channels) = x.dims3()?;
            let window = layer.window();
            if layer.padding == Padding::Causal && window > 1 {
                let zeros = Tensor::zeros((window - 1, batch, channels), x.dtype(), x.device())?;
                x = Tensor::cat(&[&zeros, &x], 0)?;
            }
            let padded = x.dim(0)?;
            let outputs = (padded.saturating_sub(window)) / layer.stride + 1;
            // Row (t, b) holds the taps x[t·stride + k·dilation, b, :] for k = 0..K side by
            // side, and the weight [O, I, K] is laid out [O, K·I] to match: one product.
            let taps = (0..layer.kernel_size)
                .map(|k| {
                    let at: Vec<u32> = (0..outputs)
                        .map(|t| (t * layer.stride + k * layer.dilation) as u32)
                        .collect();
                    x.index_select(&Tensor::from_vec(at, outputs, x.device())?, 0)
                })
                .collect::<Result<Vec<_>>>()?;
            let width = layer.kernel_size * channels;
            let rows = Tensor::cat(&taps, 2)?.reshape((outputs * batch, width))?;
            let weight = self
                .get(&format!("conv.{j}.weight"))
                .transpose(1, 2)?
                .contiguous()?
                .reshape((layer.out_channels, width))?;
            let y = rows
                .matmul(&weight.t()?)?
                .broadcast_add(self.get(&format!("conv.{j}.bias")))?
                .relu()?
                .reshape((outputs, batch, layer.out_channels))?;
            x = if layer.pool > 1 {
                let groups = outputs / layer.pool;
                y.narrow(0, 0, groups * layer.pool)?
                    .reshape((groups, layer.pool, batch, layer.out_channels))?
                    .max(1)?
            } else {
                y
            };
        }
        Ok((x, steps))
    }

    /// One direction (`name` is `l{k}` or `l{k}_reverse`) of a layer over the projected inputs
    /// `xp` `[T, B, G*H]`, from the zero state, backward if `reverse`. A sequence's state is
    /// frozen past its end, so a backward direction stays at zero until it reaches the
    /// sequence's last element. Returns the final `h` `[B, H]` and, if `keep`, `h` at every step
    /// in time order.
    fn direction(
        &self,
        name: &str,
        xp: &Tensor,
        masks: &[Option<(Tensor, Tensor)>],
        reverse: bool,
        keep: bool,
    ) -> Result<(Tensor, Vec<Tensor>)> {
        let cfg = &self.config;
        let (_, batch, _) = xp.dims3()?;
        let w_hh_t = self.get(&format!("rnn.weight_hh_{name}")).t()?;
        let b_hh = self.get(&format!("rnn.bias_hh_{name}"));
        let mut h = Tensor::zeros((batch, cfg.hidden), xp.dtype(), xp.device())?;
        let mut c = if cfg.cell == Cell::Lstm {
            Some(h.clone())
        } else {
            None
        };
        let mut outputs = Vec::with_capacity(if keep { masks.len() } else { 0 });
        let order: Vec<usize> = if reverse {
            (0..masks.len()).rev().collect()
        } else {
            (0..masks.len()).collect()
        };
        for t in order {
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
            (h, c) = match &masks[t] {
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
            if keep {
                outputs.push(h.clone());
            }
        }
        if reverse {
            outputs.reverse();
        }
        Ok((h, outputs))
    }
}

/// `j` for the tensors `conv.{j}.weight` and `conv.{j}.bias`.
fn conv_index(name: &str) -> Option<usize> {
    name.strip_prefix("conv.")?.split('.').next()?.parse().ok()
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
