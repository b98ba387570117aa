//! The int8 convolution front-end: [`QConv1d`] layers on Q12 samples. An int8 model with one is
//! a [`ConvNetwork`](crate::ConvNetwork) of [`QNormalize`](super::QNormalize), `QConv1d` layers
//! and a [`QNetwork`](super::QNetwork).
//!
//! Every value between the layers is an `i16` in Q12, like a normalised sample: a layer's
//! output is `relu(b + requantize(Σ q · x))`, saturated at `32767` (8.0, docs/quantization.md
//! says why that range), so that the next convolution layer and the first recurrent layer read
//! it exactly as they would read samples. The ring buffers, strides and pools are the `f32`
//! front-end's ([`Window`]), on `i16` values.

use super::{dot_i8, requantize};
use crate::conv::{check_window, ConvStage, Padding, Window};
use crate::error::Error;

/// One `nn.Conv1d` in int8: `IN` to `OUT` channels, `K` taps `D` inputs apart (`W = (K − 1) ·
/// D + 1` inputs), then ReLU, then a max-pool of width and stride `pool` (1: none). Inputs and
/// outputs are `i16` in Q12.
///
/// Per output channel `o`: the weights are int8, symmetric (`q = round(w / s_o)`, `s_o =
/// max|w[o]| / 127` over the channel's `K · IN` weights), in the `f32` layer's order (tap, input
/// channel); the bias is `round(b · 4096)` (Q12, saturated at ±4096). The output is
/// `clamp(bias + requantize(Σ q · x, m, s), 0, 32767)`, with `m · 2^−s = s_o` (the sum of Q12
/// inputs times `s_o` is in Q12): ReLU and the saturation at 8.0 in one clamp. The sum has at
/// most `K · IN ≤ 511` products (the bake checks), so it cannot overflow its `i32`.
///
/// ```
/// use tinyrnn::conv::{ConvStage, Window};
/// use tinyrnn::quant::QConv1d;
/// use tinyrnn::Padding;
/// // One channel, two taps: y = relu(x[t-1] - x[t]), the weights ±127 with s = 1/127.
/// static W: [[[i8; 1]; 2]; 1] = [[[127], [-127]]];
/// static M: [u16; 1] = [33026]; // 1/127 ≈ 33026 / 2^22
/// static S: [u8; 1] = [22];
/// static B: [i32; 1] = [0];
/// let conv: QConv1d<1, 1, 2, 1, 2> =
///     QConv1d { weight: &W, m: &M, s: &S, bias: &B, stride: 1, padding: Padding::Valid, pool: 1 };
/// let mut state = Window::new();
/// assert_eq!(conv.push(&[3 * 4096], &mut state), Ok(None)); // the window is not full yet
/// assert_eq!(conv.push(&[4096], &mut state), Ok(Some([2 * 4096])));
/// assert_eq!(conv.push(&[4 * 4096], &mut state), Ok(Some([0]))); // relu(1 - 4)
/// assert_eq!(conv.push(&[-32768], &mut state), Ok(Some([32767]))); // 12.0: saturated at 8
/// ```
#[derive(Debug, Clone, Copy)]
pub struct QConv1d<
    const IN: usize,
    const OUT: usize,
    const K: usize,
    const D: usize,
    const W: usize,
> {
    /// `conv.{j}.weight` in int8, per output channel: (output channel, tap, input channel).
    pub weight: &'static [[[i8; IN]; K]; OUT],
    /// Per output channel: the multiplier of its sum to Q12, with `s`.
    pub m: &'static [u16; OUT],
    /// Per output channel: the right shift of its requantisation.
    pub s: &'static [u8; OUT],
    /// `conv.{j}.bias` in Q12: (output channel).
    pub bias: &'static [i32; OUT],
    /// Inputs between two outputs (at least 1).
    pub stride: usize,
    /// Left padding.
    pub padding: Padding,
    /// Max-pool width and stride after the ReLU (1: no pooling).
    pub pool: usize,
}

impl<const IN: usize, const OUT: usize, const K: usize, const D: usize, const W: usize>
    ConvStage<IN, OUT> for QConv1d<IN, OUT, K, D, W>
{
    type Value = i16;
    type State = Window<IN, OUT, W, i16>;

    /// Integer arithmetic only; never an error (the values saturate).
    fn push(&self, x: &[i16; IN], s: &mut Self::State) -> Result<Option<[i16; OUT]>, Error> {
        check_window::<K, D, W>();
        if !s.admit(x, self.padding, self.stride) {
            return Ok(None);
        }
        let mut y = [0i16; OUT];
        let per_channel = self
            .weight
            .iter()
            .zip(self.m.iter().zip(self.s))
            .zip(self.bias);
        for (out, ((taps, (&m, &shift)), &bias)) in y.iter_mut().zip(per_channel) {
            // Σ_k q[o][k] · x[oldest + k·D]: ≤ 511 products below 2^22, no overflow.
            let mut acc = 0i32;
            for (k, w) in taps.iter().enumerate() {
                if let Some(input) = s.tap::<D>(k) {
                    acc = acc.wrapping_add(dot_i8(w, input));
                }
            }
            // |bias| and the requantised sum are at most 2^24 each: the sum fits an i32.
            let v = bias + requantize(acc, m, shift);
            // ReLU, and the Q12 range of an i16: [0, 8).
            *out = v.clamp(0, i16::MAX as i32) as i16;
        }
        Ok(s.pool(y, self.pool))
    }

    /// Weights, multipliers, shifts and biases.
    fn weight_bytes(&self) -> usize {
        OUT * (K * IN + 2 + 1 + 4)
    }

    fn macs(&self) -> usize {
        OUT * K * IN
    }
}
