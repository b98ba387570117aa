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

/// Checks entries `(row, col)` of parameter `name` (a 1-D tensor uses `row` only).
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
    let cols = if shape.len() == 2 { shape[1] } else { 1 };
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
            };
            let params = Params::init(config, 11, DType::F64, &Device::Cpu).unwrap();
            // Three sequences of different lengths: padding and masking are exercised.
            let seqs: Vec<Seq> = match input {
                Input::Dense { .. } => [3usize, 5, 1]
                    .iter()
                    .enumerate()
                    .map(|(b, &n)| {
                        Seq::Dense(
                            (0..n)
                                .map(|t| {
                                    (0..3)
                                        .map(|f| ((b * 7 + t * 3 + f) as f32 * 0.37).sin())
                                        .collect()
                                })
                                .collect(),
                        )
                    })
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
        };
        let params = Params::init(config, 3, DType::F64, &Device::Cpu).unwrap();
        let examples: Vec<Example> = [vec![2u32, 3, 4, 5, 6, 7], vec![8, 1], vec![4, 4, 4]]
            .into_iter()
            .map(|t| Example {
                seq: Seq::Tokens(t),
                label: 0,
            })
            .collect();
        let all: Vec<&Example> = examples.iter().collect();
        let (input, lengths, _) = make_batch(&all, DType::F64, &Device::Cpu).unwrap();
        let batched: Vec<Vec<f64>> = params
            .forward(&input, &lengths, None)
            .unwrap()
            .to_vec2()
            .unwrap();
        for (b, e) in examples.iter().enumerate() {
            let (input, lengths, _) = make_batch(&[e], DType::F64, &Device::Cpu).unwrap();
            let alone: Vec<Vec<f64>> = params
                .forward(&input, &lengths, None)
                .unwrap()
                .to_vec2()
                .unwrap();
            for (x, y) in batched[b].iter().zip(&alone[0]) {
                assert!(
                    (x - y).abs() < 1e-12,
                    "{}: sequence {b}: batched {x} alone {y}",
                    cell.name()
                );
            }
        }
    }
}
