//! The bag-of-words logistic-regression baseline: binary word-presence features over the
//! trainer's tokenizer, an L2-regularised logistic regression fitted by full-batch gradient
//! descent with Nesterov momentum. Plain Rust, deterministic, two classes.
//!
//! The objective is scikit-learn's `LogisticRegression(C)`:
//! `½‖w‖² + C · Σᵢ logloss(yᵢ, w·xᵢ + b)` (the bias is not penalised), divided by the number of
//! examples so that one step size fits every data size.

use std::collections::BTreeMap;

use crate::text::tokenize;

/// Fitting options.
#[derive(Debug, Clone, Copy)]
pub struct BowOptions {
    /// Inverse regularisation strength (scikit-learn's `C`).
    pub c: f64,
    /// Gradient steps.
    pub iterations: usize,
    /// Step size.
    pub step: f64,
}

impl Default for BowOptions {
    fn default() -> Self {
        BowOptions {
            c: 1.0,
            iterations: 3000,
            step: 0.5,
        }
    }
}

/// A fitted baseline: the word index, one weight per word and a bias.
#[derive(Debug, Clone)]
pub struct BagOfWords {
    index: BTreeMap<String, usize>,
    weights: Vec<f64>,
    bias: f64,
}

/// The distinct feature ids of a text (words absent from `index` are dropped).
fn features(index: &BTreeMap<String, usize>, text: &str) -> Vec<usize> {
    let mut ids: Vec<usize> = tokenize(text)
        .iter()
        .filter_map(|t| index.get(t).copied())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Every token of the texts, numbered in byte order.
fn word_index<'a>(texts: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, usize> {
    let mut index: BTreeMap<String, usize> = texts
        .into_iter()
        .flat_map(tokenize)
        .map(|w| (w, 0))
        .collect();
    for (i, v) in index.values_mut().enumerate() {
        *v = i;
    }
    index
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl BagOfWords {
    /// Fits the baseline on texts labelled `false`/`true` (negative/positive).
    pub fn fit(texts: &[&str], labels: &[bool], opts: BowOptions) -> Self {
        assert_eq!(texts.len(), labels.len(), "one label per text");
        let index = word_index(texts.iter().copied());
        let xs: Vec<Vec<usize>> = texts.iter().map(|t| features(&index, t)).collect();
        let (weights, bias) = descend(&xs, labels, index.len(), opts);
        BagOfWords {
            index,
            weights,
            bias,
        }
    }

    /// The probability that a text is positive.
    pub fn probability(&self, text: &str) -> f64 {
        let z: f64 = features(&self.index, text)
            .iter()
            .map(|&i| self.weights[i])
            .sum();
        sigmoid(z + self.bias)
    }

    /// The predicted label of a text.
    pub fn predict(&self, text: &str) -> bool {
        self.probability(text) > 0.5
    }

    /// The fraction of texts whose predicted label is the given one.
    pub fn accuracy(&self, texts: &[&str], labels: &[bool]) -> f64 {
        let correct = texts
            .iter()
            .zip(labels)
            .filter(|(t, &y)| self.predict(t) == y)
            .count();
        correct as f64 / texts.len().max(1) as f64
    }

    /// Number of words with a weight.
    pub fn num_words(&self) -> usize {
        self.index.len()
    }
}

/// The gradient of the objective (divided by n) at `(w, b)`.
fn gradient(xs: &[Vec<usize>], ys: &[bool], w: &[f64], b: f64, c: f64) -> (Vec<f64>, f64) {
    let n = xs.len().max(1) as f64;
    let mut gw: Vec<f64> = w.iter().map(|wi| wi / n).collect();
    let mut gb = 0.0;
    for (x, &y) in xs.iter().zip(ys) {
        let z: f64 = x.iter().map(|&i| w[i]).sum::<f64>() + b;
        let r = c * (sigmoid(z) - f64::from(u8::from(y))) / n;
        for &i in x {
            gw[i] += r;
        }
        gb += r;
    }
    (gw, gb)
}

/// Nesterov-accelerated gradient descent from zero weights.
fn descend(xs: &[Vec<usize>], ys: &[bool], dims: usize, opts: BowOptions) -> (Vec<f64>, f64) {
    let (mut w, mut b) = (vec![0.0; dims], 0.0);
    let (mut vw, mut vb) = (vec![0.0; dims], 0.0);
    let momentum = 0.9;
    for _ in 0..opts.iterations {
        let look: Vec<f64> = w
            .iter()
            .zip(&vw)
            .map(|(wi, vi)| wi + momentum * vi)
            .collect();
        let (gw, gb) = gradient(xs, ys, &look, b + momentum * vb, opts.c);
        for ((wi, vi), gi) in w.iter_mut().zip(vw.iter_mut()).zip(&gw) {
            *vi = momentum * *vi - opts.step * gi;
            *wi += *vi;
        }
        vb = momentum * vb - opts.step * gb;
        b += vb;
    }
    (w, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_separable_toy_set() {
        let texts = [
            "good film",
            "great food",
            "good and great",
            "I loved it, good",
            "bad film",
            "awful food",
            "bad and awful",
            "I hated it, bad",
        ];
        let labels = [true, true, true, true, false, false, false, false];
        let m = BagOfWords::fit(&texts, &labels, BowOptions::default());
        assert_eq!(m.accuracy(&texts, &labels), 1.0);
        assert!(m.predict("great"));
        assert!(!m.predict("awful"));
        // Words never seen in training carry no weight: only the bias is left, near 0.5.
        assert!((m.probability("zebra") - 0.5).abs() < 0.05);
        assert_eq!(m.num_words(), 11);
    }

    #[test]
    fn is_deterministic_and_regularised() {
        let texts = ["a b", "a c", "d b", "d c"];
        let labels = [true, true, false, false];
        let weak = BagOfWords::fit(&texts, &labels, BowOptions::default());
        let again = BagOfWords::fit(&texts, &labels, BowOptions::default());
        assert_eq!(weak.probability("a"), again.probability("a"));
        let strong = BagOfWords::fit(
            &texts,
            &labels,
            BowOptions {
                c: 0.01,
                ..BowOptions::default()
            },
        );
        // More regularisation: less confident, same side.
        assert!(strong.probability("a") > 0.5);
        assert!(strong.probability("a") < weak.probability("a"));
    }

    #[test]
    fn matches_the_closed_form_optimum_of_one_feature() {
        // One word present in 3 positives and 1 negative, bias free in the objective:
        // at the optimum the gradient vanishes; check it numerically.
        let texts = ["x", "x", "x", "x", "y"];
        let labels = [true, true, true, false, false];
        let m = BagOfWords::fit(&texts, &labels, BowOptions::default());
        let xs: Vec<Vec<usize>> = texts.iter().map(|t| features(&m.index, t)).collect();
        let (gw, gb) = gradient(&xs, &labels, &m.weights, m.bias, 1.0);
        assert!(
            gw.iter().all(|g| g.abs() < 1e-6) && gb.abs() < 1e-6,
            "{gw:?} {gb}"
        );
    }
}
