//! The output head: a linear layer, then softmax, sigmoid or nothing.

use crate::error::Error;
use crate::linalg::dot;
use crate::math::{exp, sigmoid};

/// The activation applied after the head's linear layer.
///
/// ```
/// use tinyrnn::Activation;
/// let mut y = [1.0f32, 1.0];
/// Activation::Softmax.apply(&mut y);
/// assert_eq!(y, [0.5, 0.5]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Activation {
    /// Class probabilities summing to one (single-label classification).
    Softmax,
    /// Independent probabilities per output (binary or multi-label classification).
    Sigmoid,
    /// Raw values (regression).
    Identity,
}

impl Activation {
    /// Applies the activation in place.
    pub fn apply<const C: usize>(self, y: &mut [f32; C]) {
        match self {
            Activation::Softmax => softmax(y),
            Activation::Sigmoid => y.iter_mut().for_each(|v| *v = sigmoid(*v)),
            Activation::Identity => {}
        }
    }
}

/// Softmax in place. The maximum is subtracted first so that `exp` cannot overflow.
///
/// ```
/// let mut y = [1000.0f32, 1000.0, 1000.0, 1000.0];
/// tinyrnn::head::softmax(&mut y);
/// assert_eq!(y, [0.25; 4]);
/// ```
pub fn softmax<const C: usize>(y: &mut [f32; C]) {
    // find max value (for numerical stability)
    let max = y.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in y.iter_mut() {
        *v = exp(*v - max);
        sum += *v;
    }
    for v in y.iter_mut() {
        *v /= sum;
    }
}

/// Index of the largest value: the first one on ties, NaNs never chosen over a number, `None`
/// for an empty slice.
///
/// ```
/// assert_eq!(tinyrnn::head::argmax(&[0.1, 0.7, 0.7, f32::NAN]), Some(1));
/// assert_eq!(tinyrnn::head::argmax(&[]), None);
/// ```
pub fn argmax(values: &[f32]) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    for (i, &v) in values.iter().enumerate() {
        match best {
            Some((_, b)) if !(v > b || b.is_nan() && !v.is_nan()) => {}
            _ => best = Some((i, v)),
        }
    }
    best.map(|(i, _)| i)
}

/// The head's linear layer: `y = w · h + b` with PyTorch's `nn.Linear` layout.
///
/// ```
/// use tinyrnn::Linear;
/// static W: [[f32; 2]; 1] = [[1.0, 2.0]];
/// static B: [f32; 1] = [0.5];
/// let head = Linear { w: &W, b: &B };
/// assert_eq!(head.forward(&[1.0, 1.0]), [3.5]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Linear<const H: usize, const C: usize> {
    /// `head.weight`: (output, hidden).
    pub w: &'static [[f32; H]; C],
    /// `head.bias`: (output).
    pub b: &'static [f32; C],
}

impl<const H: usize, const C: usize> Linear<H, C> {
    /// Bytes of its weight and bias.
    ///
    /// ```
    /// static W: [[f32; 2]; 3] = [[0.0; 2]; 3];
    /// static B: [f32; 3] = [0.0; 3];
    /// assert_eq!(tinyrnn::Linear { w: &W, b: &B }.weight_bytes(), 4 * (6 + 3));
    /// ```
    pub const fn weight_bytes(&self) -> usize {
        core::mem::size_of::<f32>() * C * (H + 1)
    }

    /// Computes `w · h + b`.
    pub fn forward(&self, h: &[f32; H]) -> [f32; C] {
        let mut y = *self.b;
        for (y, row) in y.iter_mut().zip(self.w.iter()) {
            *y += dot(row, h);
        }
        y
    }
}

/// The head's output for one step or one sequence, with the model's labels.
///
/// Every value is finite: [`Output::new`] refuses NaN and infinities, so an `Output` always
/// names a label that the values support (a model whose arithmetic overflows reports
/// [`Error::Overflow`] instead of a label picked from NaNs).
///
/// ```
/// use tinyrnn::{Error, Output};
/// static LABELS: [&str; 3] = ["cat", "dog", "cow"];
/// let out = Output::new([0.2, 0.7, 0.1], &LABELS)?;
/// assert_eq!(out.best(), 1);
/// assert_eq!(out.label(), "dog");
/// assert_eq!(out.score(), 0.7);
/// assert_eq!(Output::new([0.2, f32::NAN, 0.1], &LABELS), Err(Error::Overflow));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Output<const C: usize> {
    values: [f32; C],
    labels: &'static [&'static str; C],
}

impl<const C: usize> Output<C> {
    /// An output of `values` (one per label, after the activation), or [`Error::Overflow`] if
    /// one of them is NaN or infinite.
    pub fn new(values: [f32; C], labels: &'static [&'static str; C]) -> Result<Self, Error> {
        if values.iter().all(|v| v.is_finite()) {
            Ok(Output { values, labels })
        } else {
            Err(Error::Overflow)
        }
    }

    /// One value per label, after the activation: probabilities for softmax and sigmoid.
    pub fn values(&self) -> &[f32; C] {
        &self.values
    }

    /// The model's labels, in the order of [`values`](Self::values).
    pub fn labels(&self) -> &'static [&'static str; C] {
        self.labels
    }

    /// Index of the largest value (the first one on ties; 0 when `C == 0`).
    pub fn best(&self) -> usize {
        argmax(&self.values).unwrap_or(0)
    }

    /// Label of [`best`](Self::best) (empty when `C == 0`).
    pub fn label(&self) -> &'static str {
        self.labels.get(self.best()).copied().unwrap_or("")
    }

    /// Value of [`best`](Self::best): the predicted class's probability for softmax models.
    pub fn score(&self) -> f32 {
        self.values.get(self.best()).copied().unwrap_or(f32::NAN)
    }
}
