//! Int8 models: int8 weights and an integer-only step, baked from the same `f32` model file with
//! `tinyrnn_build::bake_with(path, Quantize::Int8)` (the shipped models: `models::<name>_int8`).
//!
//! The scheme, in full in `docs/quantization.md`:
//!
//! | value | type | scale |
//! |---|---|---|
//! | weights of `[W_ih \| W_hh]`, the head, embedding rows | `i8`, symmetric per row (one scale for a gate row's input and recurrent parts) | `max\|row\| / 127` |
//! | a layer's input vector | `i16` | Q15 for the `h` of the layer below, Q12 (±8 std) for a normalised sample, a per-model power of two (at most Q15) for embeddings |
//! | hidden state `h` | `i16` Q15 | `|h| ≤ 1` by construction |
//! | LSTM cell state `c` | `i32` Q15 | saturated at ±128 |
//! | mat-vec sums | `i32`, wrapping (cannot wrap: ≤ 511 columns) | |
//! | gate pre-activations, biases | `i32` Q12: a row's two sums added in Q15, requantised once by the row's `u16` multiplier and shift | saturated at ±4096 |
//! | tanh, sigmoid | 513-entry table, linear interpolation | Q12 in, Q15 out |
//!
//! A text model baked with `Quantize::Int8Embedding4` reads its embedding through
//! [`QEmbedding4`] instead: 4-bit weights with a power-of-two step per row.
//!
//! Every step is integer arithmetic only, rounding defined exactly ([`shift_round`]), so the
//! same model gives bit-identical states on every target. The head's sums are integers; their
//! scale, bias and the softmax are applied in `f32` once per output ([`StreamingModel::output`](crate::StreamingModel::output)).
//!
//! ```
//! use tinyrnn::prelude::*;
//! use tinyrnn::models::{seed, seed_int8};
//!
//! let mut state = seed_int8::State::new();
//! let out = seed_int8::MODEL.classify_text("i am very happy", &mut state)?;
//! assert_eq!(out.label(), "positive");
//! assert!(seed_int8::WEIGHT_BYTES * 3 < seed::WEIGHT_BYTES);
//! # Ok::<(), tinyrnn::Error>(())
//! ```

mod act;
mod conv;
mod packed;

use core::marker::PhantomData;
use core::sync::atomic::{compiler_fence, Ordering};

use crate::cell::{Gru, Lstm, Rnn};
use crate::conv::Zero;
use crate::error::Error;
use crate::frontend::{Frontend, TextFrontend};
use crate::layer::LayerInput;
use crate::network::{Head, Layers};
use crate::vocab::Vocabulary;

pub use act::{sigmoid_q12, tanh_q12, TANH_Q15};
pub use conv::QConv1d;
pub use packed::QEmbedding4;

/// Fraction bits of a gate pre-activation and of a bias: Q12.
pub const PRE_FRAC: u32 = 12;

/// Largest magnitude of a requantised product or a bias, in Q12: `2^24` (4096.0). Far beyond
/// where every activation saturates, it keeps sums of three such terms within `i32`.
pub const PRE_LIMIT: i32 = 1 << 24;

/// Largest magnitude of an LSTM cell state, in Q15: `2^22` (128.0). `c` is not bounded by the
/// equations (it can grow by up to 1 per step); it saturates here.
pub const CELL_LIMIT: i32 = 1 << 22;

/// Largest number of columns of a quantised row `[W_ih | W_hh]`: 511 products of `i8 × i16`
/// (each below `2^22`) always fit an `i32` sum. An input column counts `2^x_shift` times (its sum
/// is shifted to the recurrent side's Q15 before the two are added; [`QLayer`]), so the bake
/// refuses a layer with `I · 2^x_shift + H > 511` (a one-hot input counts as one column).
pub const MAX_COLUMNS: usize = 511;

/// `v / 2^n` rounded to nearest, ties towards +∞: `(v + 2^(n-1)) >> n` (arithmetic shift);
/// `n` is clamped to `1..=62`.
///
/// ```
/// use tinyrnn::quant::shift_round;
/// assert_eq!(shift_round(5, 1), 3); // 2.5 -> 3
/// assert_eq!(shift_round(-5, 1), -2); // -2.5 -> -2
/// assert_eq!(shift_round(-7, 2), -2); // -1.75 -> -2
/// ```
#[inline(always)]
pub fn shift_round(v: i64, n: u32) -> i64 {
    let n = n.clamp(1, 62);
    (v + (1i64 << (n - 1))) >> n
}

/// `acc · m / 2^shift`, rounded by [`shift_round`] and saturated at ±[`PRE_LIMIT`]: an `i32`
/// mat-vec sum to Q12.
///
/// Exactly `clamp(shift_round(acc · m, shift), ±PRE_LIMIT)` computed in 64 bits, but without a
/// 64-bit shift by a variable amount, and with one path for the shifts of every shipped layer
/// (`17..=32`: multipliers `m · 2^-shift` from `2^-17` to `2^-1`), the others out of line. Where the core has a 32×32→64 multiply (every target but ARMv6-M), that path is one:
/// `(acc · (m · 2^(32 − shift)) + 2^31) >> 32`, the high word of a product (`smmulr` on the
/// M4F); on ARMv6-M (no such multiply, a library call) it uses 32-bit products only
/// (`acc = hi · 2^16 + lo`).
///
/// ```
/// use tinyrnn::quant::{requantize, shift_round};
/// // A multiplier of 0.75 (49152 / 2^16): 1000 -> 750.
/// assert_eq!(requantize(1000, 49152, 16), 750);
/// assert_eq!(requantize(i32::MAX, 65535, 1), 1 << 24);
/// for (acc, m, s) in [(-123_456_789, 40_000, 27), (77, 65_535, 17), (-1, 32_768, 40)] {
///     assert_eq!(requantize(acc, m, s) as i64, shift_round(acc as i64 * m as i64, s as u32));
/// }
/// ```
#[inline(always)]
pub fn requantize(acc: i32, m: u16, shift: u8) -> i32 {
    requantize_by::<{ !ARMV6M }>(acc, m, shift)
}

/// [`requantize`] with the 64-bit product (`LONG_MUL`) or with 32-bit products only; both are
/// compiled on every target so that a test compares them with the definition.
#[inline(always)]
fn requantize_by<const LONG_MUL: bool>(acc: i32, m: u16, shift: u8) -> i32 {
    // shift − 17, as the common path reads it (a wrap makes shifts below 17 large).
    let k = shift.wrapping_sub(17) as u32;
    if LONG_MUL && k < 16 {
        // m · 2^(32 − shift) < 2^16 · 2^15: positive in an i32. The result's magnitude is below
        // 2^31 · 2^31 / 2^32.
        let mm = (m as i32) << (15 - k);
        let v = ((acc as i64 * mm as i64 + (1 << 31)) >> 32) as i32;
        return saturate(v);
    }
    let m = m as i32;
    let hi = acc >> 16;
    let low = (acc & 0xffff) as u32 * m as u32;
    // v = floor(acc · m / 2^16): |hi · m| ≤ 2^31 − 98303 and low >> 16 < 2^16, no overflow.
    let v = (hi * m).wrapping_add((low >> 16) as i32);
    if k < 32 {
        // floor((floor(v / 2^k) + 1) / 2) = floor(v / 2^(k + 1) + 1/2), k + 1 = shift − 16,
        // without the overflow of v + 2^k.
        return saturate((v >> k).wrapping_add(1) >> 1);
    }
    requantize_rare(acc, m, shift, v, low)
}

/// `v` saturated at ±[`PRE_LIMIT`]: in line only the test whether `v` lies in `[−2^24, 2^24)`
/// (written as a clamp to that range, LLVM's `ssat #25` pattern, compared with `v`; LLVM makes
/// it one unsigned comparison of `v + 2^24` with `2^25`, a constant Thumb-2 encodes), the
/// saturation itself out of line, which also gives `2^24` its exact value. 4 instructions on the
/// M4F against 8 for a two-sided clamp in line, whose constants were loaded anew every row.
#[inline(always)]
fn saturate(v: i32) -> i32 {
    if v.clamp(-PRE_LIMIT, PRE_LIMIT - 1) != v {
        return saturated(v);
    }
    v
}

/// [`saturate`] beyond the limits (never for the shipped models' sums).
#[cold]
#[inline(never)]
fn saturated(v: i32) -> i32 {
    v.clamp(-PRE_LIMIT, PRE_LIMIT)
}

/// The shifts [`requantize_by`]'s common path leaves: below 17 and above 48 (`v` and `low` as
/// there).
#[inline(never)]
fn requantize_rare(acc: i32, m: i32, shift: u8, v: i32, low: u32) -> i32 {
    let rounded = if shift < 16 {
        let n = shift.max(1) as u32;
        if let Ok(a) = i16::try_from(acc) {
            // A one-hot input's sum is one weight: |a · m| + 2^14 ≤ 2^31 − 2^14, 32 bits suffice.
            (a as i32 * m + (1 << (n - 1))) >> n
        } else {
            let v = shift_round(acc as i64 * m as i64, n);
            v.clamp(-(PRE_LIMIT as i64), PRE_LIMIT as i64) as i32
        }
    } else if shift == 16 {
        v.wrapping_add(((low >> 15) & 1) as i32)
    } else {
        // shift > 48: |acc · m| < 2^47 ≤ 2^(n − 1) for the definition's n = min(shift, 62), so
        // 0 < acc · m + 2^(n − 1) < 2^n.
        0
    };
    rounded.clamp(-PRE_LIMIT, PRE_LIMIT)
}

/// `shift_round(a · b, 15)` for `0 ≤ a ≤ 32768` (a Q15 gate) and any `b`, with 32-bit products
/// only (exact: `b = hi · 2^16 + lo`).
///
/// ```
/// use tinyrnn::quant::{mul_q15, shift_round};
/// for (a, b) in [(32767, 1 << 25), (16384, -3), (1, -1), (32768, i32::MIN / 2)] {
///     assert_eq!(mul_q15(a, b) as i64, shift_round(a as i64 * b as i64, 15));
/// }
/// ```
#[inline(always)]
pub fn mul_q15(a: i32, b: i32) -> i32 {
    let a = a.clamp(0, 32768);
    let hi = b >> 16;
    let lo = (b & 0xffff) as u32;
    // a · lo < 2^31 + 2^16; 2 · a · hi keeps the result's range.
    let low = (a as u32 * lo + (1 << 14)) >> 15;
    (a.wrapping_mul(hi) << 1).wrapping_add(low as i32)
}

/// `Σ w[j] · x[j]` in an `i32`. With at most [`MAX_COLUMNS`] columns it cannot overflow; the
/// additions wrap rather than check, so that no overflow branch exists in any build.
///
/// ```
/// assert_eq!(tinyrnn::quant::dot_i8(&[1, -2, 127], &[100, 50, -32768]), 100 - 100 - 127 * 32768);
/// ```
#[inline(always)]
pub fn dot_i8<const N: usize>(w: &[i8; N], x: &[i16; N]) -> i32 {
    w.iter()
        .zip(x)
        .fold(0i32, |acc, (&w, &x)| acc.wrapping_add(w as i32 * x as i32))
}

/// A recurrent cell in integer arithmetic: `G` gates, with [`Cell`](crate::Cell)'s equations
/// and gate orders.
///
/// The layer hands the cell one unit's pre-activations in Q12 — summed in `x` unless
/// `SEPARATE[g]`, in which case `x[g] = b_ih + W_ih x` and `h[g] = b_hh + W_hh h` — with its
/// previous `h` (Q15) and `c` (Q15, 0 for cells without one); it returns the new `(h, c)`.
///
/// ```
/// use tinyrnn::quant::QCell;
/// use tinyrnn::Rnn;
/// assert_eq!(<Rnn as QCell<1>>::unit([4096], [0], 0, 0), (24956, 0)); // tanh(1)
/// ```
pub trait QCell<const G: usize> {
    /// For each gate, whether its input and recurrent parts arrive separately.
    const SEPARATE: [bool; G];

    /// Whether the cell keeps a cell state `c` (the LSTM).
    const CELL_STATE: bool;

    /// The new `(h, c)` of one unit.
    fn unit(x: [i32; G], h: [i32; G], hidden: i16, cell: i32) -> (i16, i32);
}

impl QCell<1> for Rnn {
    const SEPARATE: [bool; 1] = [false];
    const CELL_STATE: bool = false;

    #[inline(always)]
    fn unit(x: [i32; 1], _: [i32; 1], _: i16, _: i32) -> (i16, i32) {
        (tanh_q12(x[0]), 0)
    }
}

impl QCell<3> for Gru {
    const SEPARATE: [bool; 3] = [false, false, true];
    const CELL_STATE: bool = false;

    /// `n = tanh(x_n + r·h_n)`, `h' = n + z·(h − n)` (the same as `(1 − z)·n + z·h`).
    #[inline(always)]
    fn unit(x: [i32; 3], h: [i32; 3], hidden: i16, _: i32) -> (i16, i32) {
        let [xr, xz, xn] = x;
        let [_, _, hn] = h;
        let r = sigmoid_q12(xr) as i32;
        let z = sigmoid_q12(xz) as i32;
        // |hn| ≤ 2·PRE_LIMIT: r·hn / 2^15 and the sum stay far inside i32.
        let n = tanh_q12(xn + mul_q15(r, hn)) as i32;
        let old = hidden as i32;
        // z ≤ 32767 and |old − n| ≤ 65535: the product fits an i32.
        let new = n + ((z * (old - n) + (1 << 14)) >> 15);
        (new.clamp(-32768, 32767) as i16, 0)
    }
}

impl QCell<4> for Lstm {
    const SEPARATE: [bool; 4] = [false; 4];
    const CELL_STATE: bool = true;

    /// `c' = f·c + i·g` (saturated at ±[`CELL_LIMIT`]), `h' = o·tanh(c')`.
    #[inline(always)]
    fn unit(x: [i32; 4], _: [i32; 4], _: i16, cell: i32) -> (i16, i32) {
        let [xi, xf, xg, xo] = x;
        let i = sigmoid_q12(xi) as i32;
        let f = sigmoid_q12(xf) as i32;
        let g = tanh_q12(xg) as i32;
        let o = sigmoid_q12(xo) as i32;
        // |c| ≤ CELL_LIMIT and |i·g| < 2^30: the sum fits an i32.
        let c = mul_q15(f, cell) + mul_q15(i, g);
        let c = c.clamp(-CELL_LIMIT, CELL_LIMIT);
        // Q15 to Q12, rounded like every shift.
        let t = tanh_q12((c + 4) >> 3) as i32;
        (((o * t + (1 << 14)) >> 15) as i16, c)
    }
}

/// What an int8 layer reads at a step: `I` fixed-point values (in the input format the layer's
/// multipliers were baked for) or a one-hot index (`< I`), whose product with `W_ih` is a
/// column lookup.
///
/// ```
/// use tinyrnn::quant::QInput;
/// let x = [4096i16, -4096];
/// assert_ne!(QInput::Dense(&x), QInput::<2>::OneHot(1));
/// ```
pub type QInput<'a, const I: usize> = LayerInput<'a, I, i16>;

/// Token ids through an int8 embedding table: row `t` is `table[t]` times `scale[t] / 256` in
/// the model's embedding input format (`x = (q · scale + 128) >> 8`).
///
/// ```
/// use tinyrnn::quant::{QEmbedding, QInput};
/// use tinyrnn::Frontend;
/// use tinyrnn::{Split, Tokenizer, Vocabulary};
/// static TABLE: [[i8; 2]; 2] = [[0, 0], [127, -64]];
/// static SCALE: [u16; 2] = [0, 512];
/// let vocab = Vocabulary { text: "<unk>hi", ends: &[5, 7], sorted: &[0, 1], unk: 0, pad: None,
///     tokenizer: Tokenizer { lowercase: true, split: Split::Words, unk_buckets: 0, negation: 0, stem: false } };
/// let emb = QEmbedding { table: &TABLE, scale: &SCALE, vocab };
/// assert_eq!(emb.encode(1, &mut [0; 2]), Ok(QInput::Dense(&[254, -128])));
/// assert!(emb.encode(2, &mut [0; 2]).is_err());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct QEmbedding<const V: usize, const E: usize> {
    /// `embedding.weight`, int8 per row.
    pub table: &'static [[i8; E]; V],
    /// Per row: its scale to the input format, times 256.
    pub scale: &'static [u16; V],
    /// The vocabulary whose ids index `table`.
    pub vocab: Vocabulary,
}

impl<const V: usize, const E: usize> Frontend<E, i16> for QEmbedding<V, E> {
    type Item<'a> = usize;
    type Scratch = [i16; E];

    fn scratch(&self) -> [i16; E] {
        [0; E]
    }

    fn encode<'a>(&'a self, id: usize, buf: &'a mut [i16; E]) -> Result<QInput<'a, E>, Error> {
        let out_of_range = Error::TokenOutOfRange { id, vocab_size: V };
        let row = self.table.get(id).ok_or(out_of_range)?;
        let m = self.scale.get(id).copied().ok_or(out_of_range)? as i32;
        for (x, &q) in buf.iter_mut().zip(row) {
            // |q · m| ≤ 127 · 65535: no overflow; the bake keeps the result within i16.
            *x = ((q as i32 * m + 128) >> 8).clamp(-32768, 32767) as i16;
        }
        Ok(QInput::Dense(buf))
    }

    fn weight_bytes(&self) -> usize {
        V * (E + 2)
    }
}

impl<const V: usize, const E: usize> TextFrontend for QEmbedding<V, E> {
    fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }
}

/// Dense `f32` samples normalised in integer arithmetic to Q12, saturated at ±8 standard
/// deviations.
///
/// Per feature `f`, with `k = shift[f]` chosen at bake time so that `std · 2^k` lies in
/// `[2^16, 2^17)`: the sample is read from its bits as `round(x · 2^k)` (an `i64`, exact
/// rounding, saturated at ±2^62; [`f32_to_fixed`]), `mean[f] = round(mean · 2^k)` is
/// subtracted (saturating), the difference is clamped to ±2^21 (16 std or more), multiplied by
/// `inv_std[f] = round(2^44 / (std · 2^k))` and shifted right by 32 (rounded), then saturated
/// to `i16`: ±8 std. A NaN or infinite feature is [`Error::NonFinite`]; a finite sample never
/// is an error (unlike the `f32` path, which reports a sample whose normalisation overflows
/// `f32`), it saturates.
///
/// ```
/// use tinyrnn::quant::{QInput, QNormalize};
/// use tinyrnn::Frontend;
/// use tinyrnn::Error;
/// static SHIFT: [i16; 2] = [16, 15];
/// static MEAN: [i64; 2] = [0, 1 << 15]; // mean 1.0 at 2^15
/// static INV: [i32; 2] = [1 << 28, 1 << 28]; // std 1 and 2
/// let norm = QNormalize { shift: &SHIFT, mean: &MEAN, inv_std: &INV };
/// let mut buf = norm.scratch();
/// assert_eq!(norm.encode(&[1.0, 5.0], &mut buf), Ok(QInput::Dense(&[4096, 8192])));
/// assert_eq!(norm.encode(&[1e30, -1e30], &mut buf), Ok(QInput::Dense(&[32767, -32768])));
/// assert_eq!(norm.encode(&[0.0, f32::NAN], &mut buf), Err(Error::NonFinite { feature: 1 }));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct QNormalize<const F: usize> {
    /// Per feature: the power of two `k` the sample is read at.
    pub shift: &'static [i16; F],
    /// Per feature: `round(mean · 2^k)`.
    pub mean: &'static [i64; F],
    /// Per feature: `round(2^44 / (std · 2^k))`.
    pub inv_std: &'static [i32; F],
}

/// `round(x · 2^k)` (ties away from zero) computed from the bits of `x`, saturated at ±2^62;
/// `None` for NaN and infinities. No floating-point operation.
///
/// ```
/// use tinyrnn::quant::f32_to_fixed;
/// assert_eq!(f32_to_fixed(1.5, 4), Some(24));
/// assert_eq!(f32_to_fixed(-0.75, 1), Some(-2)); // -1.5 -> -2
/// assert_eq!(f32_to_fixed(1e-30, 20), Some(0));
/// assert_eq!(f32_to_fixed(3e38, 20), Some(1 << 62));
/// assert_eq!(f32_to_fixed(f32::INFINITY, 0), None);
/// ```
pub fn f32_to_fixed(x: f32, k: i32) -> Option<i64> {
    let bits = x.to_bits();
    let exponent = ((bits >> 23) & 0xff) as i32;
    let fraction = (bits & 0x7f_ffff) as i64;
    if exponent == 0xff {
        return None;
    }
    // x = mantissa · 2^(e − 150): subnormals have no implicit bit and e = 1.
    let (mantissa, e) = if exponent == 0 {
        (fraction, 1)
    } else {
        (fraction | 0x80_0000, exponent)
    };
    let sh = e - 150 + k;
    let magnitude = if sh >= 0 {
        if sh > 38 {
            1i64 << 62
        } else {
            mantissa << sh
        }
    } else if sh < -25 {
        0
    } else {
        (mantissa + (1i64 << (-sh - 1))) >> -sh
    };
    Some(if bits >> 31 == 1 {
        -magnitude
    } else {
        magnitude
    })
}

impl<const F: usize> Frontend<F, i16> for QNormalize<F> {
    type Item<'a> = &'a [f32; F];
    type Scratch = [i16; F];

    fn scratch(&self) -> [i16; F] {
        [0; F]
    }

    fn encode<'a>(
        &'a self,
        sample: &[f32; F],
        buf: &'a mut [i16; F],
    ) -> Result<QInput<'a, F>, Error> {
        let stats = self.shift.iter().zip(self.mean).zip(self.inv_std);
        for (feature, ((out, &x), ((&k, &mean), &inv))) in
            buf.iter_mut().zip(sample).zip(stats).enumerate()
        {
            let fixed = f32_to_fixed(x, k as i32).ok_or(Error::NonFinite { feature })?;
            let d = fixed.saturating_sub(mean).clamp(-(1 << 21), 1 << 21);
            *out = shift_round(d * inv as i64, 32).clamp(-32768, 32767) as i16;
        }
        Ok(QInput::Dense(buf))
    }
}

/// One int8 layer: `G` gates of `H` units reading `I` inputs, PyTorch's layout with every row
/// of `[W_ih | W_hh]` quantised on its own (one scale for the row's input and recurrent parts).
///
/// For gate `g`, unit `u`, with `acc_x = W_ih[g][u] · x` (input format Q`(15 − x_shift)`) and
/// `acc_h = W_hh[g][u] · h` (Q15): the pre-activation is
/// `b_x + requantize((acc_x << x_shift) + acc_h, m, s)` in Q12 — one requantisation per row —
/// or, for a gate whose parts are kept apart (the GRU's `n`), `x_part = b_x +
/// requantize(acc_x << x_shift, m, s)` and `h_part = b_h + requantize(acc_h, m, s)`;
/// `b_x = b_ih + b_hh` for a summed gate.
///
/// ```
/// use tinyrnn::quant::{QInput, QLayer};
/// use tinyrnn::Rnn;
/// // One unit: h' = tanh(0.5 · x), x in Q12 (x_shift 3); W_ih = [127] with a scale of 0.5 / 127:
/// // a multiplier of 0.5 / 127 / 8 for sums in Q15.
/// static W_IH: [[[u8; 1]; 1]; 1] = [[[255]]]; // q + 128
/// static W_HH: [[[u8; 1]; 1]; 1] = [[[128]]];
/// static M: [[u16; 1]; 1] = [[33026]]; // 0.5/127/8 ≈ 33026 / 2^26
/// static S: [[u8; 1]; 1] = [[26]];
/// static B: [[i32; 1]; 1] = [[0]];
/// static NONE: [[i32; 1]; 0] = []; // no separate gate
/// let layer = QLayer { w_ih: &W_IH, w_hh: &W_HH, m: &M, s: &S, b_x: &B, b_h: &NONE, x_shift: 3 };
/// let mut h = [0i16; 1];
/// layer.step::<Rnn>(QInput::Dense(&[8192]), &mut h, None); // x = 2.0
/// assert_eq!(h, [24956]); // tanh(1.0)
/// ```
#[derive(Debug, Clone, Copy)]
pub struct QLayer<const G: usize, const I: usize, const H: usize> {
    /// `weight_ih_l{k}`, int8 stored as `q + 128`: (gate, unit, input).
    pub w_ih: &'static [[[u8; I]; H]; G],
    /// `weight_hh_l{k}`, int8 stored as `q + 128`: (gate, unit, hidden).
    pub w_hh: &'static [[[u8; H]; H]; G],
    /// Per row of `[W_ih | W_hh]`: the multiplier of its sums (in Q15) to Q12, with `s`.
    pub m: &'static [[u16; H]; G],
    /// Per row: the right shift of its requantisation.
    pub s: &'static [[u8; H]; G],
    /// The input-side bias in Q12 (`b_ih + b_hh` for a gate whose parts are summed).
    pub b_x: &'static [[i32; H]; G],
    /// The recurrent-side biases in Q12 (`b_hh`) of the separate gates only, in gate order
    /// (empty for a cell without one: a summed gate's `b_hh` is in `b_x`).
    pub b_h: &'static [[i32; H]],
    /// `15 − ` the fraction bits of the input: the left shift that brings `acc_x` to the Q15 of
    /// `acc_h` (3 for a normalised sample, 0 for the layer below's `h`, 15 for a one-hot input).
    pub x_shift: u32,
}

impl<const G: usize, const I: usize, const H: usize> QLayer<G, I, H> {
    /// Bytes of its arrays in flash.
    ///
    /// ```
    /// # use tinyrnn::quant::QLayer;
    /// static W_IH: [[[u8; 3]; 2]; 1] = [[[128; 3]; 2]];
    /// static W_HH: [[[u8; 2]; 2]; 1] = [[[128; 2]; 2]];
    /// static M: [[u16; 2]; 1] = [[0; 2]];
    /// static S: [[u8; 2]; 1] = [[1; 2]];
    /// static B: [[i32; 2]; 1] = [[0; 2]];
    /// static NONE: [[i32; 2]; 0] = [];
    /// let layer = QLayer { w_ih: &W_IH, w_hh: &W_HH, m: &M, s: &S, b_x: &B, b_h: &NONE,
    ///     x_shift: 0 };
    /// assert_eq!(layer.weight_bytes(), 6 + 4 + 2 * (2 + 1) + 2 * 4);
    /// // With a separate gate (a GRU's n), its recurrent-side biases too.
    /// let gru_like = QLayer { b_h: &B, ..layer };
    /// assert_eq!(gru_like.weight_bytes(), layer.weight_bytes() + 2 * 4);
    /// ```
    pub const fn weight_bytes(&self) -> usize {
        G * H * (I + H + 3 + 4) + self.b_h.len() * H * 4
    }

    /// Advances one layer's `h` (and its `c`, for a cell with a cell state) by one step of
    /// `input` with the equations of cell `K`.
    ///
    /// Units are computed in blocks of [`BLOCK`] (then one by one). The weights are stored as
    /// `q + 128` (`u8`), so each row's sum is `Σ (q + 128) · x − 128 · Σ x`, the second term
    /// computed once per step for all rows. Integer sums do not depend on the order of their
    /// terms (the additions wrap, and the true result fits an `i32`), so neither the blocking
    /// nor the kernel changes a result.
    #[inline]
    pub fn step<K: QCell<G>>(
        &self,
        input: QInput<'_, I>,
        h: &mut [i16; H],
        mut c: Option<&mut [i32; H]>,
    ) {
        let mut h_prev: [Lane; H] = [0; H];
        let h_offset = widen(h, &mut h_prev);
        // What 128 · Σ x subtracts from each raw sum (a one-hot input's sum is one raw weight).
        let x_offset = match input {
            QInput::Dense(x) => offset_of(x),
            QInput::OneHot(_) => 128,
        };
        let sums = Offsets {
            x: x_offset,
            h: h_offset,
        };
        for block in 0..H / BLOCK {
            self.block::<K, BLOCK>(block * BLOCK, input, &h_prev, sums, h, &mut c);
        }
        // Empty at compile time when BLOCK divides H (every shipped model): no code, no stack.
        for unit in H / BLOCK * BLOCK..H {
            self.block::<K, 1>(unit, input, &h_prev, sums, h, &mut c);
        }
    }

    /// Updates units `unit..unit + B`.
    #[inline(always)]
    fn block<K: QCell<G>, const B: usize>(
        &self,
        unit: usize,
        input: QInput<'_, I>,
        h_prev: &[Lane; H],
        offsets: Offsets,
        h: &mut [i16; H],
        c: &mut Option<&mut [i32; H]>,
    ) {
        // Each gate's (x-part, h-part) of the B units, started as copies of gate 0's: zeros (96
        // bytes for a GRU) were a `memclr` call per block, which the writes after it left in.
        let first = self.gate::<K, B>(0, unit, input, h_prev, offsets);
        let mut parts = [first; G];
        for (g, part) in parts.iter_mut().enumerate().skip(1) {
            *part = self.gate::<K, B>(g, unit, input, h_prev, offsets);
        }
        for k in 0..B {
            let u = unit + k;
            let (mut x, mut hp) = ([0i32; G], [0i32; G]);
            for ((x, hp), gate) in x.iter_mut().zip(&mut hp).zip(&parts) {
                if let Some(&(xs, hs)) = gate.get(k) {
                    (*x, *hp) = (xs, hs);
                }
            }
            // Not written yet: a block writes only its own units.
            let old_h = h.get(u).copied().unwrap_or(0);
            let old_c = c.as_ref().and_then(|c| c.get(u)).copied().unwrap_or(0);
            let (new_h, new_c) = K::unit(x, hp, old_h, old_c);
            if let Some(slot) = h.get_mut(u) {
                *slot = new_h;
            }
            if let Some(slot) = c.as_mut().and_then(|c| c.get_mut(u)) {
                *slot = new_c;
            }
        }
    }

    /// Gate `g`'s pre-activations of units `unit..unit + B` in Q12: `(x, 0)` for a summed
    /// gate, `(x-part, h-part)` for a separate one ([`QCell::SEPARATE`]).
    #[inline(always)]
    fn gate<K: QCell<G>, const B: usize>(
        &self,
        g: usize,
        unit: usize,
        input: QInput<'_, I>,
        h_prev: &[Lane; H],
        offsets: Offsets,
    ) -> [(i32, i32); B] {
        let w_ih = self.w_ih.get(g).and_then(|m| block_of::<_, B>(m, unit));
        let w_hh = self.w_hh.get(g).and_then(|m| block_of::<_, B>(m, unit));
        let (Some(w_ih), Some(w_hh)) = (w_ih, w_hh) else {
            return [(0, 0); B]; // unit + B > H: not reached
        };
        let acc_x = match input {
            QInput::Dense(x) => dot_rows(w_ih, x),
            QInput::OneHot(t) => {
                let mut acc = [0i32; B];
                for (a, row) in acc.iter_mut().zip(w_ih) {
                    *a = row.get(t).map_or(128, |&w| w as i32);
                }
                acc
            }
        };
        let separate = K::SEPARATE.get(g).copied().unwrap_or(false);
        // The input sums are done with before the recurrent ones are computed: a separate
        // gate's x-parts are requantised, a summed gate's sums wait in its x-parts for the
        // recurrent sums. With both arrays of sums live across the second `dot_rows`, the step's
        // frame was larger: `motion_int8`'s peak stack on the M4F was 852 B, above the `f32`
        // model's 828 B; it is 772 B so (BENCHMARKS.md, "Peak stack of the int8 step").
        let mut out = [(0, 0); B];
        for (k, (o, ax)) in out.iter_mut().zip(acc_x).enumerate() {
            // Q15 like the recurrent sums: the bake keeps |acc_x · 2^x_shift| + |acc_h| below
            // 2^31.
            let ax = ax.wrapping_sub(offsets.x).wrapping_shl(self.x_shift);
            o.0 = if separate {
                let u = unit + k;
                at(self.b_x, g, u) + requantize(ax, at(self.m, g, u), at(self.s, g, u))
            } else {
                ax
            };
        }
        let acc_h = dot_rows(w_hh, h_prev);
        // Row of b_h: how many separate gates come before g.
        let h_bias = self
            .b_h
            .get(K::SEPARATE.iter().take(g).filter(|&&s| s).count());
        for (k, (o, ah)) in out.iter_mut().zip(acc_h).enumerate() {
            let u = unit + k;
            let (m, s) = (at(self.m, g, u), at(self.s, g, u));
            let ah = ah.wrapping_sub(offsets.h);
            if separate {
                let b_h = h_bias.and_then(|r| r.get(u)).copied().unwrap_or(0);
                o.1 = b_h + requantize(ah, m, s);
            } else {
                o.0 = at(self.b_x, g, u) + requantize(o.0.wrapping_add(ah), m, s);
            }
        }
        out
    }
}

/// `128 · Σ x` (wrapping) for the input `x` and the `h` of a step: what the `+ 128` of the stored
/// weights adds to every raw row sum.
#[derive(Debug, Clone, Copy)]
struct Offsets {
    x: i32,
    h: i32,
}

/// `128 · Σ v`, wrapping (`|Σ v| ≤ 511 · 2^15`; only the exact difference with a raw sum
/// matters, which fits an `i32`).
#[inline(always)]
fn offset_of<const N: usize, T: Copy + Into<i32>>(v: &[T; N]) -> i32 {
    v.iter()
        .fold(0i32, |s, &x| s.wrapping_add(x.into()))
        .wrapping_shl(7)
}

/// Whether the target is an ARMv6-M core (Cortex-M0/M0+/M1: Thumb-1 only, no 32-bit atomics),
/// where `ldrsh`/`ldrsb` have no immediate-offset form: there the kernels read `h` as `i32`
/// (`ldr` with an offset) and go row by row, which keeps a row's sum in registers with its 7
/// usable low registers (4 instructions a MAC: `ldrb`, `ldr`, `muls`, `adds`; 5 for the layer's
/// `i16` input).
const ARMV6M: bool = cfg!(all(target_arch = "arm", not(target_has_atomic = "32")));

/// How the kernels read the previous `h` (widened once per step): `i32` on ARMv6-M
/// ([`ARMV6M`]), `i16` elsewhere (a load with an offset and sign extension in one instruction;
/// half the stack). The layer's input is read as it comes (`i16`): no copy of it, whatever its
/// width.
#[cfg(all(target_arch = "arm", not(target_has_atomic = "32")))]
type Lane = i32;
#[cfg(not(all(target_arch = "arm", not(target_has_atomic = "32"))))]
type Lane = i16;

/// Writes `v` as [`Lane`]s into `out` (a copy where they are `i16`) and returns
/// [`offset_of`]`(v)`; on ARMv6-M ([`ARMV6M`]) four values at a time.
#[inline(always)]
fn widen<const N: usize>(v: &[i16; N], out: &mut [Lane; N]) -> i32 {
    widen_by::<ARMV6M, N>(v, out)
}

/// [`widen`] in groups of four values if `GROUPED`, else in one loop. Both are compiled on every
/// target so that a test compares them.
///
/// Grouped, for ARMv6-M, where `ldrsh` takes its offset in a register: in one loop, LLVM loaded
/// every value of `v` (each offset in a register of its own) before storing the first, which
/// spilled them all — 256 bytes of the step's frame for H = 64, a peak stack 112 bytes above the
/// `f32` model's (`sentiment_int8` on the M0); out of line, the same in its own frame. A
/// compiler fence after each group keeps the loads of `v` in their group (it emits no
/// instruction, but `out` is then zeroed first: a `memclr` of H words a step); the sum is read
/// back from `out`, an `ldr` with an offset per value.
#[inline(always)]
#[allow(clippy::unnecessary_cast)] // Lane is i16 or i32, depending on the target.
fn widen_by<const GROUPED: bool, const N: usize>(v: &[i16; N], out: &mut [Lane; N]) -> i32 {
    if !GROUPED {
        for (o, &x) in out.iter_mut().zip(v) {
            *o = x as Lane;
        }
        return offset_of(v);
    }
    for (o, x) in out.chunks_exact_mut(4).zip(v.chunks_exact(4)) {
        for (o, &x) in o.iter_mut().zip(x) {
            *o = x as Lane;
        }
        compiler_fence(Ordering::SeqCst);
    }
    for (o, &x) in out.iter_mut().zip(v).skip(N / 4 * 4) {
        *o = x as Lane;
    }
    offset_of(out)
}

/// Rows a layer computes together: each input value loaded is used for `BLOCK` rows.
pub const BLOCK: usize = 4;

/// `v[at..at + B]` as an array, if it fits.
#[inline(always)]
fn block_of<T, const B: usize>(v: &[T], at: usize) -> Option<&[T; B]> {
    v.get(at..at.checked_add(B)?)?.try_into().ok()
}

/// The raw sums `Σ_j w[k][j] · x[j]` of `B` rows of `u8`-stored weights (wrapping, like
/// [`dot_i8`]): row by row on ARMv6-M ([`ARMV6M`]), elsewhere each input value loaded once for
/// all rows. The same sums either way.
#[inline(never)]
fn dot_rows<const B: usize, const N: usize, T: Copy + Into<i32>>(
    w: &[[u8; N]; B],
    x: &[T; N],
) -> [i32; B] {
    sums_by::<ARMV6M, B, N, T>(w, x)
}

/// [`dot_rows`] one row at a time, each an out-of-line call ([`dot_u8`]) if `ROW_BY_ROW`, else
/// column by column: each input value loaded once for the `B` rows. Both kernels are compiled
/// on every target so that a test compares them.
#[inline(always)]
fn sums_by<const ROW_BY_ROW: bool, const B: usize, const N: usize, T: Copy + Into<i32>>(
    w: &[[u8; N]; B],
    x: &[T; N],
) -> [i32; B] {
    let mut acc = [0i32; B];
    if ROW_BY_ROW {
        for (a, row) in acc.iter_mut().zip(w) {
            *a = dot_u8(row, x);
        }
        return acc;
    }
    for (j, &xv) in x.iter().enumerate() {
        let xv: i32 = xv.into();
        for (a, row) in acc.iter_mut().zip(w) {
            if let Some(&wv) = row.get(j) {
                *a = a.wrapping_add(wv as i32 * xv);
            }
        }
    }
    acc
}

/// `Σ w[j] · x[j]` of one row (wrapping), out of line so that the caller's values stay out of
/// its registers.
#[inline(never)]
fn dot_u8<const N: usize, T: Copy + Into<i32>>(w: &[u8; N], x: &[T; N]) -> i32 {
    w.iter()
        .zip(x)
        .fold(0i32, |acc, (&w, &x)| acc.wrapping_add(w as i32 * x.into()))
}

/// `m[g][u]`, or a zero value if out of range (never: `g < G`, `u < H`).
#[inline(always)]
fn at<T: Copy + Default, const H: usize, const G: usize>(m: &[[T; H]; G], g: usize, u: usize) -> T {
    m.get(g).and_then(|r| r.get(u)).copied().unwrap_or_default()
}

/// The int8 head: `y = scale · (w · h) + b`, the sums in integers, scale and bias in `f32`
/// (applied once per output read).
///
/// ```
/// use tinyrnn::quant::QLinear;
/// static W: [[i8; 2]; 1] = [[127, -127]];
/// static SCALE: [f32; 1] = [1.0 / 127.0 / 32768.0];
/// static B: [f32; 1] = [0.5];
/// let head = QLinear { w: &W, scale: &SCALE, b: &B };
/// assert_eq!(head.sums(&[16384, 0]), [127 * 16384]);
/// assert!((head.forward(&[16384, 0])[0] - 1.0).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct QLinear<const H: usize, const C: usize> {
    /// `head.weight`, int8 per row: (output, hidden).
    pub w: &'static [[i8; H]; C],
    /// Per row: `max|row| / 127 / 32768` (the weight scale times the Q15 of `h`).
    pub scale: &'static [f32; C],
    /// `head.bias`.
    pub b: &'static [f32; C],
}

impl<const H: usize, const C: usize> QLinear<H, C> {
    /// Bytes of its arrays in flash.
    ///
    /// ```
    /// # use tinyrnn::quant::QLinear;
    /// static W: [[i8; 4]; 2] = [[0; 4]; 2];
    /// static F: [f32; 2] = [0.0; 2];
    /// assert_eq!(QLinear { w: &W, scale: &F, b: &F }.weight_bytes(), 8 + 2 * 8);
    /// ```
    pub const fn weight_bytes(&self) -> usize {
        C * (H + 8)
    }

    /// The integer sums `w · h`, one per output (before scale, bias and activation): of a
    /// model's head on its state, `MODEL.head.sums(state.hidden())`, what the integer reference
    /// `scripts/int8_reference.py` checks bit for bit.
    ///
    /// ```
    /// use tinyrnn::models::seed_int8;
    /// assert_eq!(seed_int8::MODEL.head.sums(seed_int8::State::new().hidden()), [0, 0]);
    /// ```
    pub fn sums(&self, h: &[i16; H]) -> [i32; C] {
        let mut y = [0i32; C];
        for (y, row) in y.iter_mut().zip(self.w) {
            *y = dot_i8(row, h);
        }
        y
    }

    /// `scale · (w · h) + b`, before the activation.
    pub fn forward(&self, h: &[i16; H]) -> [f32; C] {
        let mut y = [0.0f32; C];
        let parts = self.sums(h).into_iter().zip(self.scale).zip(self.b);
        for (y, ((sum, scale), b)) in y.iter_mut().zip(parts) {
            *y = sum as f32 * scale + b;
        }
        y
    }
}

/// The caller-owned state of an int8 network with `L` layers of `H` units: `h` in Q15 per
/// layer, and `c` in Q15 per layer for an LSTM (`M = L`; `M = 0` for the other cells).
///
/// ```
/// use tinyrnn::prelude::*;
/// use tinyrnn::models::motion_int8;
/// let mut state = motion_int8::State::new();
/// motion_int8::MODEL.step(&[0.1; motion_int8::INPUTS], &mut state)?;
/// assert_eq!(state.layers().count(), motion_int8::LAYERS);
/// assert!(state.hidden_f32().iter().all(|h| h.abs() <= 1.0));
/// state.reset();
/// assert_eq!(state.hidden(), &[0; motion_int8::HIDDEN]);
/// # Ok::<(), tinyrnn::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct QState<const H: usize, const L: usize, const M: usize> {
    h: [[i16; H]; L],
    c: [[i32; H]; M],
}

impl<const H: usize, const L: usize, const M: usize> QState<H, L, M> {
    /// The all-zero state every sequence starts from.
    pub const fn new() -> Self {
        QState {
            h: [[0; H]; L],
            c: [[0; H]; M],
        }
    }

    /// Returns to the all-zero state, to start a new sequence.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// The top layer's hidden state in Q15: what the head reads.
    pub fn hidden(&self) -> &[i16; H] {
        match self.h.last() {
            Some(h) => h,
            None => &[0; H],
        }
    }

    /// [`hidden`](Self::hidden) as `f32` values (`h / 32768`), to compare with an `f32` model.
    pub fn hidden_f32(&self) -> [f32; H] {
        let mut out = [0.0; H];
        for (o, &h) in out.iter_mut().zip(self.hidden()) {
            *o = h as f32 / 32768.0;
        }
        out
    }

    /// Each layer's hidden state `h` (Q15), bottom first.
    pub fn layers(&self) -> impl Iterator<Item = &[i16; H]> {
        self.h.iter()
    }

    /// Each layer's cell state `c` (Q15), bottom first: empty unless the cell is an LSTM.
    pub fn cells(&self) -> impl Iterator<Item = &[i32; H]> {
        self.c.iter()
    }
}

impl<const H: usize, const L: usize, const M: usize> QState<H, L, M> {
    /// One step of every layer: `first` reads `input`, each layer of `upper` the `h` of the
    /// layer below.
    #[inline(always)]
    pub(crate) fn advance<K: QCell<G>, const G: usize, const I: usize>(
        &mut self,
        first: &QLayer<G, I, H>,
        upper: &[QLayer<G, H, H>],
        input: QInput<'_, I>,
    ) {
        let mut cells = self.c.iter_mut();
        let Some((h0, rest)) = self.h.split_first_mut() else {
            return;
        };
        first.step::<K>(input, h0, cells.next());
        // Each layer reads the one below in place (split borrows): no copy of it on the stack.
        let mut below: &[i16; H] = h0;
        for (layer, h) in upper.iter().zip(rest) {
            layer.step::<K>(QInput::Dense(below), h, cells.next());
            below = h;
        }
    }
}

impl<const H: usize, const L: usize, const M: usize> Zero for QState<H, L, M> {
    const ZERO: Self = Self::new();
}

impl<const H: usize, const L: usize, const M: usize> Default for QState<H, L, M> {
    fn default() -> Self {
        Self::new()
    }
}

/// An int8 recurrent network baked into flash: the type behind every generated int8 `MODEL`, a
/// [`Network`](crate::Network) of int8 layers ([`QStack`]) and an int8 head ([`QLinear`]).
///
/// The same API as an `f32` network — [`Model`](crate::Model),
/// [`StreamingModel`](crate::StreamingModel), [`Logits`](crate::Logits) and, for text models,
/// [`TextModel`](crate::TextModel) — but integer weights and an integer [`QState`]; a step is
/// integer arithmetic only, and nothing but a bad element can fail it (values saturate). Type
/// parameters: frontend `F` producing `I` inputs, the layers `R` with `H` hidden units, `C`
/// outputs. Baked models name it `model::Network` and its state `model::State`.
///
/// ```
/// use tinyrnn::models::{motion_int8, sentiment, sentiment_int8};
/// use tinyrnn::prelude::*;
///
/// let text = "the food was great and the staff very friendly";
/// let f32_out = sentiment::MODEL.classify_text(text, &mut sentiment::State::new())?;
/// let int8_out = sentiment_int8::MODEL.classify_text(text, &mut sentiment_int8::State::new())?;
/// assert_eq!(f32_out.label(), int8_out.label());
/// assert!((f32_out.score() - int8_out.score()).abs() < 0.05);
///
/// let mut state = motion_int8::State::new();
/// motion_int8::MODEL.step(&[0.1, -0.3, 9.8, 0.0, 0.01, 0.0], &mut state)?;
/// let before = state;
/// assert!(motion_int8::MODEL.step(&[f32::NAN; 6], &mut state).is_err());
/// assert_eq!(state, before);
/// assert_eq!(motion_int8::MODEL.weight_bytes(), motion_int8::WEIGHT_BYTES);
/// # Ok::<(), tinyrnn::Error>(())
/// ```
pub type QNetwork<F, R, const I: usize, const H: usize, const C: usize> =
    crate::Network<F, R, I, H, C, QLinear<H, C>>;

/// The int8 recurrent layers of a [`QNetwork`]: layer 0 reading `I` values a step, and the
/// layers above it (`L` in all), each reading the `h` of the layer below; every layer has `H`
/// units of cell `K` with `G` gates, and `M` cell-state vectors in all (`L` for the LSTM, else
/// 0). Its state is a [`QState`]`<H, L, M>`.
///
/// ```
/// use tinyrnn::models::motion_int8;
/// let layers = &motion_int8::MODEL.layers;
/// assert_eq!(1 + layers.upper.len(), motion_int8::LAYERS);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct QStack<K, const G: usize, const I: usize, const H: usize, const L: usize, const M: usize>
{
    /// The cell equations used by every layer.
    pub cell: PhantomData<K>,
    /// Layer 0.
    pub first: QLayer<G, I, H>,
    /// Layers 1 to `L − 1`, each reading the `h` of the layer below.
    pub upper: &'static [QLayer<G, H, H>],
}

impl<K, const G: usize, const I: usize, const H: usize, const L: usize, const M: usize> Layers<I, H>
    for QStack<K, G, I, H, L, M>
where
    K: QCell<G>,
{
    type Lane = i16;
    type State = QState<H, L, M>;

    /// Integer arithmetic only: it cannot fail (values saturate). Inlined into the network's
    /// step like the layers' loop it calls (out of line, motion_int8 took 32 instructions more
    /// a step on the M4F and M0).
    #[inline(always)]
    fn advance(&self, input: QInput<'_, I>, state: &mut QState<H, L, M>) -> Result<(), Error> {
        state.advance::<K, G, I>(&self.first, self.upper, input);
        Ok(())
    }

    fn hidden(state: &QState<H, L, M>) -> &[i16; H] {
        state.hidden()
    }

    fn weight_bytes(&self) -> usize {
        let upper: usize = self.upper.iter().map(QLayer::weight_bytes).sum();
        self.first.weight_bytes() + upper
    }
}

impl<const H: usize, const C: usize> Head<H, C, i16> for QLinear<H, C> {
    fn scores(&self, h: &[i16; H]) -> [f32; C] {
        self.forward(h)
    }

    fn bytes(&self) -> usize {
        self.weight_bytes()
    }
}

#[cfg(test)]
mod tests;
