//! candle's autodiff of our cells agrees with central finite differences (f64).

use candle_core::{DType, Device, Tensor};
use tinyrnn_train::examples::{make_batch, Example, Seq};
use tinyrnn_train::model::{Config, Input, Params};
use tinyrnn_train::Cell;

fn loss(params: &Params, batch: &[&Example]) -> Tensor {
    let (input, lengths, targets) = make_batch(batch, DType::F64, &Device::Cpu).unwrap();
    let logits = params.forward(&input, &lengths, None).unwrap();
    candle_nn::loss::cross_entropy(&logits, &targets).unwrap()
}

fn value(t: &Tensor) -> f64 {
    t.to_scalar::<f64>().unwrap()
}

/// Checks entries `(row, col)` of parameter `name` (a 1-D tensor uses `row` only; a 3-D one is
/// read as rows of its last two dimensions flattened).
fn check(params: &Params, batch: &[&Example], name: &str, entries: &[(usize, usize)], what: &str) {
    let l = loss(params, batch);
    let grads = l.backward().unwrap();
    let var = &params.vars.iter().find(|(n, _)| n == name).unwrap().1;
    let grad: Vec<f64> = grads
        .get(var)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap();
    let shape = var.dims().to_vec();
    // An entry is (row, column) of the tensor as rows of its trailing dimensions flattened.
    let cols: usize = shape[1..].iter().product();
    let theta: Vec<f64> = var.flatten_all().unwrap().to_vec1().unwrap();
    let eps = 1e-6;
    for &(r, c) in entries {
        let k = r * cols + c;
        let at = |delta: f64| {
            let mut v = theta.clone();
            v[k] += delta;
            var.set(&Tensor::from_vec(v, shape.as_slice(), &Device::Cpu).unwrap())
                .unwrap();
            value(&loss(params, batch))
        };
        let numeric = (at(eps) - at(-eps)) / (2.0 * eps);
        var.set(&Tensor::from_vec(theta.clone(), shape.as_slice(), &Device::Cpu).unwrap())
            .unwrap();
        let analytic = grad[k];
        assert!(
            (numeric - analytic).abs() <= 1e-7 + 1e-5 * analytic.abs(),
            "{what}: d loss / d {name}[{r},{c}]: finite differences {numeric:e}, autodiff {analytic:e}"
        );
        assert!(
            analytic.abs() > 1e-9,
            "{what}: {name}[{r},{c}] has a zero gradient; pick another entry"
        );
    }
}

#[test]
fn autodiff_matches_finite_differences() {
    let h = 4;
    for cell in [Cell::Rnn, Cell::Lstm, Cell::Gru] {
        let g = cell.gates();
        for input in [
            Input::Embedding { vocab: 7, dim: 3 },
            Input::OneHot { vocab: 7 },
            Input::Dense { features: 3 },
        ] {
            let config = Config {
                cell,
                input,
                hidden: h,
                layers: 2,
                classes: 3,
                // Dense models are bidirectional: the backward directions, and their masking
                // of the padded steps, are checked too.
                bidirectional: matches!(input, Input::Dense { .. }).then_some(5),
                conv: Vec::new(),
            };
            let params = Params::init(config.clone(), 11, DType::F64, &Device::Cpu).unwrap();
            // Three sequences of different lengths: padding and masking are exercised.
            let seqs: Vec<Seq> = match input {
                Input::Dense { .. } => dense_examples(&[3, 5, 1])
                    .into_iter()
                    .map(|e| e.seq)
                    .collect(),
                _ => vec![
                    Seq::Tokens(vec![2, 3, 6]),
                    Seq::Tokens(vec![5, 1, 4, 2, 6]),
                    Seq::Tokens(vec![3]),
                ],
            };
            let examples: Vec<Example> = seqs
                .into_iter()
                .zip([0, 2, 1])
                .map(|(seq, label)| Example { seq, label })
                .collect();
            let batch: Vec<&Example> = examples.iter().collect();
            let what = format!("{} {}", cell.name(), input.name());
            // One entry in every gate block of the recurrent weights of layer 0 …
            let rows: Vec<(usize, usize)> = (0..g).map(|k| (k * h + 1, (k + 2) % h)).collect();
            check(&params, &batch, "rnn.weight_hh_l0", &rows, &what);
            // … and of the input weights of layer 0 (one-hot: columns of tokens that occur).
            let rows: Vec<(usize, usize)> = (0..g).map(|k| (k * h + 2, 2)).collect();
            check(&params, &batch, "rnn.weight_ih_l0", &rows, &what);
            check(
                &params,
                &batch,
                "rnn.bias_hh_l1",
                &[(0, 0), (g * h - 1, 0)],
                &what,
            );
            check(&params, &batch, "head.weight", &[(1, 3)], &what);
            if config.bidirectional.is_some() {
                let rows: Vec<(usize, usize)> = (0..g).map(|k| (k * h + 3, (k + 1) % h)).collect();
                check(&params, &batch, "rnn.weight_hh_l0_reverse", &rows, &what);
                check(
                    &params,
                    &batch,
                    "rnn.weight_ih_l1_reverse",
                    &[(1, h + 2)],
                    &what,
                );
                check(&params, &batch, "head.weight", &[(2, h + 1)], &what);
            }
            if let Input::Embedding { .. } = input {
                check(
                    &params,
                    &batch,
                    "embedding.weight",
                    &[(3, 0), (6, 2)],
                    &what,
                );
            }
        }
    }
}

/// A front-end of two convolution layers (valid with stride 2; causal with dilation 2 and a
/// max-pool of 2) before a GRU, on dense sequences of different lengths.
fn conv_config(cell: Cell) -> Config {
    let mut config = Config::new(cell, Input::Dense { features: 3 }, 4, 1, 3);
    config.conv = tinyrnn_train::train::parse_conv("5:3:2,4:2:causal:dilation=2:pool=2").unwrap();
    config
}

/// Dense sequences of these lengths with distinct, smooth values.
fn dense_examples(lengths: &[usize]) -> Vec<Example> {
    lengths
        .iter()
        .enumerate()
        .map(|(b, &n)| Example {
            seq: Seq::Dense(
                (0..n)
                    .map(|t| {
                        (0..3)
                            .map(|f| ((b * 7 + t * 3 + f) as f32 * 0.37).sin())
                            .collect()
                    })
                    .collect(),
            ),
            label: b % 3,
        })
        .collect()
}

#[test]
fn conv_autodiff_matches_finite_differences() {
    let config = conv_config(Cell::Gru);
    assert_eq!(config.min_samples(), 5);
    let params = Params::init(config, 7, DType::F64, &Device::Cpu).unwrap();
    // 9, 14 and 6 samples: 4, 6 and 2 convolution outputs, 2, 3 and 1 after the pool.
    let examples = dense_examples(&[9, 14, 6]);
    let batch: Vec<&Example> = examples.iter().collect();
    let what = "conv gru";
    // conv.{j}.weight is [O, I, K]: `check` reads it as O rows of I·K entries. (Output
    // channel 0 of conv.1 is never above zero on these sequences: its ReLU passes no gradient.)
    check(
        &params,
        &batch,
        "conv.0.weight",
        &[(0, 0), (2, 4), (4, 8)],
        what,
    );
    check(&params, &batch, "conv.0.bias", &[(1, 0), (3, 0)], what);
    check(
        &params,
        &batch,
        "conv.1.weight",
        &[(1, 0), (2, 5), (3, 4)],
        what,
    );
    check(&params, &batch, "conv.1.bias", &[(2, 0)], what);
    check(&params, &batch, "rnn.weight_ih_l0", &[(1, 0), (9, 3)], what);
}

#[test]
fn padded_batch_equals_sequences_run_alone() {
    // Bidirectional too: a backward direction must start at each sequence's own last element.
    let shapes = [Cell::Rnn, Cell::Lstm, Cell::Gru]
        .into_iter()
        .flat_map(|cell| [(cell, None), (cell, Some(6))]);
    for (cell, bidirectional) in shapes {
        let config = Config {
            cell,
            input: Input::Embedding { vocab: 9, dim: 4 },
            hidden: 5,
            layers: 2,
            classes: 2,
            bidirectional,
            conv: Vec::new(),
        };
        let params = Params::init(config, 3, DType::F64, &Device::Cpu).unwrap();
        let examples: Vec<Example> = [vec![2u32, 3, 4, 5, 6, 7], vec![8, 1], vec![4, 4, 4]]
            .into_iter()
            .map(|t| Example {
                seq: Seq::Tokens(t),
                label: 0,
            })
            .collect();
        assert_batch_equals_alone(&params, &examples, cell.name());
    }
}

/// With a convolution front-end, each sequence of a padded batch makes its own number of
/// recurrent steps: the batch gives each sequence's output alone.
#[test]
fn padded_conv_batch_equals_sequences_run_alone() {
    for cell in [Cell::Rnn, Cell::Lstm, Cell::Gru] {
        let params = Params::init(conv_config(cell), 5, DType::F64, &Device::Cpu).unwrap();
        let examples = dense_examples(&[5, 17, 8, 6]);
        assert_batch_equals_alone(&params, &examples, cell.name());
        // Four samples make no recurrent step: refused, naming the five needed.
        let short = dense_examples(&[4]);
        let (input, lengths, _) = make_batch(&[&short[0]], DType::F64, &Device::Cpu).unwrap();
        let e = params.forward(&input, &lengths, None).unwrap_err();
        assert!(e.to_string().contains("needs at least 5"), "{e}");
    }
}

/// Runs `examples` as one padded batch and each alone: the outputs must agree (f64).
fn assert_batch_equals_alone(params: &Params, examples: &[Example], what: &str) {
    let all: Vec<&Example> = examples.iter().collect();
    let run = |batch: &[&Example]| -> Vec<Vec<f64>> {
        let (input, lengths, _) = make_batch(batch, DType::F64, &Device::Cpu).unwrap();
        let out = params.forward(&input, &lengths, None).unwrap();
        out.to_vec2().unwrap()
    };
    let batched = run(&all);
    for (b, e) in all.iter().enumerate() {
        let alone = run(&[e]);
        for (x, y) in batched[b].iter().zip(&alone[0]) {
            assert!(
                (x - y).abs() < 1e-12,
                "{what}: sequence {b}: batched {x} alone {y}"
            );
        }
    }
}
