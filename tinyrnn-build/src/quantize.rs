//! The int8 scheme at bake time: from a validated `f32` model to the integer arrays of
//! `tinyrnn::quant` (docs/quantization.md). Every value is derived with `f64` operations that
//! are exact or correctly rounded (products by powers of two, one division, `floor`), so that
//! a second implementation (`scripts/int8_reference.py`) derives the same integers.

use tinyrnn_schema::{CellKind, Input};

use crate::spec::ModelSpec;

/// The most columns a quantised row `[W_ih | W_hh]` may have (`tinyrnn::quant::MAX_COLUMNS`):
/// 511 products of `i8 × i16` always fit the `i32` sum; an input column counts `2^x_shift` times.
pub const MAX_COLUMNS: usize = 511;

/// Fraction bits of pre-activations and biases (Q12).
const PRE_FRAC: i32 = 12;
/// Saturation of biases in Q12 (`tinyrnn::quant::PRE_LIMIT`).
const PRE_LIMIT: f64 = (1 << 24) as f64;

/// How a model is baked.
///
/// ```
/// assert_ne!(tinyrnn_build::Quantize::None, tinyrnn_build::Quantize::Int8);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quantize {
    /// `f32` weights, the model as trained: `tinyrnn::Network`, module `<stem>`.
    #[default]
    None,
    /// int8 weights and an integer-only step: `tinyrnn::QNetwork`, module `<stem>_int8`
    /// (docs/quantization.md).
    Int8,
    /// [`Quantize::Int8`] with the embedding table in 4 bits a weight and a power-of-two scale
    /// per row in 2 bits (`tinyrnn::quant::QEmbedding4`): 4.25 bytes a token for 8 features
    /// instead of 10, for models whose vocabulary dominates their flash. The same module name
    /// `<stem>_int8`; a model without an embedding is baked as with [`Quantize::Int8`].
    ///
    /// ```no_run
    /// // build.rs of a firmware crate
    /// use tinyrnn_build::Quantize;
    /// tinyrnn_build::bake_with("models/sentiment.safetensors", Quantize::Int8Embedding4);
    /// ```
    Int8Embedding4,
}

impl Quantize {
    /// The suffix of the module name: `""` or `"_int8"`.
    ///
    /// ```
    /// assert_eq!(tinyrnn_build::Quantize::Int8.suffix(), "_int8");
    /// ```
    pub fn suffix(self) -> &'static str {
        match self {
            Quantize::None => "",
            Quantize::Int8 | Quantize::Int8Embedding4 => "_int8",
        }
    }
}

/// `x` rounded to the nearest integer, ties away from zero.
pub(crate) fn round_half_away(x: f64) -> f64 {
    (x.abs() + 0.5).floor().copysign(x)
}

/// `(mantissa, exponent)` with `x = mantissa · 2^exponent`, `mantissa` in `[0.5, 1)`, for a
/// positive normal `x` (C's `frexp`); exact.
pub(crate) fn frexp(x: f64) -> (f64, i32) {
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let mantissa = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (mantissa, exponent - 1022)
}

/// One row quantised symmetrically: `round(w / s)` with `s = max|w| / 127` (all zero when the
/// row is).
pub(crate) fn quantize_row(row: &[f32]) -> (Vec<i8>, f64) {
    let max = row.iter().map(|&v| (v as f64).abs()).fold(0.0, f64::max);
    if max == 0.0 {
        return (vec![0; row.len()], 0.0);
    }
    let scale = max / 127.0;
    let q = row
        .iter()
        .map(|&v| round_half_away(v as f64 / scale).clamp(-127.0, 127.0) as i8)
        .collect();
    (q, scale)
}

/// A positive real multiplier as `m · 2^-shift` with `m` in `[2^15, 2^16)` and `shift` in
/// `1..=62`; `(0, 1)` for 0 or a multiplier below `2^-47` (no effect on any Q12 value).
pub(crate) fn multiplier(real: f64) -> Result<(u16, u8), String> {
    if real == 0.0 {
        return Ok((0, 1));
    }
    let (mantissa, exponent) = frexp(real);
    let mut m = (mantissa * 65536.0 + 0.5).floor() as u32;
    let mut shift = 16 - exponent;
    if m == 1 << 16 {
        m = 1 << 15;
        shift -= 1;
    }
    if shift > 62 {
        return Ok((0, 1));
    }
    if shift < 1 {
        return Err(format!(
            "a requantisation multiplier of {real:e} is too large for the int8 scheme \
             (at most 2^15: weights this large do not fit it)"
        ));
    }
    Ok((m as u16, shift as u8))
}

/// A bias in Q12, saturated at ±2^24.
fn bias(b: f64) -> i32 {
    round_half_away(b * (1 << PRE_FRAC) as f64).clamp(-PRE_LIMIT, PRE_LIMIT) as i32
}

/// One quantised layer, arrays row-major in PyTorch's layout (gate-major rows).
#[derive(Debug, Clone)]
pub(crate) struct QLayerData {
    pub w_ih: Vec<i8>,
    pub w_hh: Vec<i8>,
    /// Per row of `[W_ih | W_hh]`: the multiplier and shift of its sums (Q15) to Q12.
    pub m: Vec<u16>,
    pub s: Vec<u8>,
    pub b_x: Vec<i32>,
    /// Only the rows of the gates whose parts are kept apart (the GRU's `n`), gate-major.
    pub b_h: Vec<i32>,
    /// `15 −` the fraction bits of the layer's input: `acc_x << x_shift` is in Q15.
    pub x_shift: u32,
}

/// The quantised frontend.
#[derive(Debug, Clone)]
pub(crate) enum QFront {
    Embedding {
        table: Vec<i8>,
        scale: Vec<u16>,
    },
    /// 4-bit rows (`tinyrnn::quant::QEmbedding4`): two weights a byte, low nibble first; a
    /// 2-bit shift code per row, four rows a byte; the shift of code 0.
    Embedding4 {
        table: Vec<u8>,
        codes: Vec<u8>,
        base: u8,
    },
    OneHot,
    Dense {
        shift: Vec<i16>,
        mean: Vec<i64>,
        inv_std: Vec<i32>,
    },
}

/// One quantised convolution layer (`tinyrnn::quant::QConv1d`): its weights, int8 per output
/// channel as (output channel, tap, input channel), the `f32` layer's order; per output channel
/// the multiplier and shift of its sum (Q12) to Q12, and the bias in Q12.
#[derive(Debug, Clone)]
pub(crate) struct QConvData {
    pub weight: Vec<i8>,
    pub requantize: Vec<(u16, u8)>,
    pub bias: Vec<i32>,
}

/// A whole quantised model.
#[derive(Debug, Clone)]
pub(crate) struct QModel {
    pub front: QFront,
    /// The convolution layers (none without a `conv` field).
    pub conv: Vec<QConvData>,
    /// Fraction bits of layer 0's input vector.
    pub input_frac: i32,
    pub layers: Vec<QLayerData>,
    pub head_w: Vec<i8>,
    pub head_scale: Vec<f32>,
    pub head_b: Vec<f32>,
}

impl QModel {
    /// Bytes of every array the runtime counts in `weight_bytes` (normalisation excluded, as
    /// for `f32` models).
    pub fn weight_bytes(&self) -> usize {
        let front = match &self.front {
            QFront::Embedding { table, scale } => table.len() + 2 * scale.len(),
            QFront::Embedding4 { table, codes, .. } => table.len() + codes.len(),
            QFront::OneHot | QFront::Dense { .. } => 0,
        };
        let layers: usize = self
            .layers
            .iter()
            .map(|l| l.w_ih.len() + l.w_hh.len() + 3 * l.m.len() + 4 * (l.b_x.len() + l.b_h.len()))
            .sum();
        let conv: usize = self
            .conv
            .iter()
            .map(|c| c.weight.len() + 3 * c.requantize.len() + 4 * c.bias.len())
            .sum();
        front + conv + layers + self.head_w.len() + 8 * self.head_b.len()
    }
}

/// Int8 embedding rows (`tinyrnn::quant::QEmbedding`) of `width` features, for the input format
/// Q`frac`: symmetric per row, each row's scale as `round(s · 2^(frac + 8))`.
fn embedding8(data: &[f32], width: usize, frac: i32) -> QFront {
    let mut table = Vec::with_capacity(data.len());
    let mut scale = Vec::new();
    for row in data.chunks(width.max(1)) {
        let (q, s) = quantize_row(row);
        table.extend(q);
        let m = round_half_away(s * 2f64.powi(frac + 8));
        scale.push(m.clamp(0.0, 65535.0) as u16);
    }
    QFront::Embedding { table, scale }
}

/// The exponent `k` of the smallest power of two with `round(top / 2^k) ≤ 7` (`top / 2^k <
/// 7.5`), for a positive `top`: with `top = mantissa · 2^e`, `mantissa · 8 < 7.5` exactly when
/// `mantissa < 0.9375`. Exact.
fn nibble_exponent(top: f64) -> i32 {
    let (mantissa, e) = frexp(top);
    if mantissa < 0.9375 {
        e - 3
    } else {
        e - 2
    }
}

/// 4-bit embedding rows (`tinyrnn::quant::QEmbedding4`) of `width` features, for the input
/// format Q`frac`: row `t` is `q = round(w / 2^k_t)` in `-7..=7` with `k_t` the row's
/// [`nibble_exponent`], raised to at least `k_max − 3` (four scales, 2 bits a row: a row more
/// than 8 times smaller than the largest is quantised with a coarser step) and to at least
/// `−frac` (a step below the input format's unit would need a right shift). Its code is
/// `k_t − k_min`; `base = k_min + frac`, the shift of code 0.
fn embedding4(data: &[f32], width: usize, frac: i32) -> QFront {
    let rows: Vec<&[f32]> = data.chunks(width.max(1)).collect();
    let tops: Vec<f64> = rows
        .iter()
        .map(|row| row.iter().map(|&v| (v as f64).abs()).fold(0.0, f64::max))
        .collect();
    let exponents: Vec<Option<i32>> = tops
        .iter()
        .map(|&top| (top > 0.0).then(|| nibble_exponent(top)))
        .collect();
    let largest = exponents.iter().flatten().copied().max();
    let lowest = largest.map_or(-frac, |k| (k - 3).max(-frac));
    let mut table = Vec::new();
    let mut codes = vec![0u8; rows.len().div_ceil(4)];
    for (t, (row, k)) in rows.iter().zip(&exponents).enumerate() {
        let k = k.unwrap_or(lowest).max(lowest);
        let step = 2f64.powi(-k);
        let q: Vec<u8> = row
            .iter()
            .map(|&w| (round_half_away(w as f64 * step).clamp(-7.0, 7.0) as i8 as u8) & 0xF)
            .collect();
        table.extend(
            q.chunks(2)
                .map(|pair| pair[0] | pair.get(1).map_or(0, |hi| hi << 4)),
        );
        codes[t / 4] |= ((k - lowest) as u8) << (2 * (t % 4));
    }
    QFront::Embedding4 {
        table,
        codes,
        base: (lowest + frac) as u8,
    }
}

/// Quantises a validated model as `quantize` says (an embedding in 4 bits for
/// [`Quantize::Int8Embedding4`]); the reason if the scheme cannot represent it.
pub(crate) fn quantize(spec: &ModelSpec, quantize: Quantize) -> Result<QModel, String> {
    let m = &spec.meta;
    let g = m.cell.gates();
    let h = m.hidden_size;
    let i = spec.input_size;
    let wide = |what: &str, n: usize| {
        format!(
            "int8: {what} of {n} columns: the int8 scheme sums at most {MAX_COLUMNS} products \
             per row in an i32"
        )
    };
    if h > MAX_COLUMNS {
        return Err(wide("hidden state", h));
    }
    if !matches!(m.input, Input::OneHot(_)) && i > MAX_COLUMNS {
        return Err(wide("an input", i));
    }
    let (front, input_frac) = match &m.input {
        Input::OneHot(_) => (QFront::OneHot, 0),
        Input::Embedding(_) => {
            let t = spec.tensor("embedding.weight");
            let max = t.data.iter().map(|&v| (v as f64).abs()).fold(0.0, f64::max);
            // At most Q15, the recurrent side's format, which the input sums are shifted to.
            let frac = if max == 0.0 {
                0
            } else {
                (14 - frexp(max).1).min(15)
            };
            let front = if quantize == Quantize::Int8Embedding4 {
                embedding4(&t.data, i, frac)
            } else {
                embedding8(&t.data, i, frac)
            };
            (front, frac)
        }
        Input::Dense(d) => {
            let (mut shift, mut mean, mut inv_std) = (Vec::new(), Vec::new(), Vec::new());
            for (f, (&mu, &sd)) in d.mean.iter().zip(&d.std).enumerate() {
                let k = 17 - frexp(sd as f64).1;
                let std_fix = sd as f64 * 2f64.powi(k);
                let mean_fix = round_half_away(mu as f64 * 2f64.powi(k));
                if mean_fix.abs() >= 2f64.powi(62) {
                    return Err(format!(
                        "int8: feature {f}: |mean| / std = {:e} is too large for the int8 \
                         scheme (at most 2^45)",
                        (mu / sd).abs()
                    ));
                }
                shift.push(k as i16);
                mean.push(mean_fix as i64);
                inv_std.push((2f64.powi(44) / std_fix + 0.5).floor() as i32);
            }
            (
                QFront::Dense {
                    shift,
                    mean,
                    inv_std,
                },
                PRE_FRAC,
            )
        }
    };
    let conv = quantize_conv(spec)?;
    let separate = |gate: usize| m.cell == CellKind::Gru && gate == 2;
    let mut layers = Vec::new();
    for k in 0..m.num_layers {
        let cols = if k == 0 { i } else { h };
        let frac = if k == 0 { input_frac } else { 15 };
        let x_shift = (15 - frac) as u32;
        // The joint sum of a row: each input column weighs 2^x_shift recurrent ones (a one-hot
        // input's sum is one weight).
        let input_columns = match (k, &m.input) {
            (0, Input::OneHot(_)) => 1,
            _ => cols.saturating_mul(1usize.checked_shl(x_shift).unwrap_or(usize::MAX)),
        };
        if input_columns.saturating_add(h) > MAX_COLUMNS {
            return Err(format!(
                "int8: layer {k}: {cols} inputs (each counting 2^{x_shift} columns in Q15) and \
                 {h} hidden units make {} columns: the int8 scheme sums at most {MAX_COLUMNS} \
                 per row in an i32",
                input_columns.saturating_add(h)
            ));
        }
        let mut layer = QLayerData {
            w_ih: Vec::new(),
            w_hh: Vec::new(),
            m: Vec::new(),
            s: Vec::new(),
            b_x: Vec::new(),
            b_h: Vec::new(),
            x_shift,
        };
        let w_ih = &spec.tensor(&format!("rnn.weight_ih_l{k}")).data;
        let w_hh = &spec.tensor(&format!("rnn.weight_hh_l{k}")).data;
        let b_ih = &spec.tensor(&format!("rnn.bias_ih_l{k}")).data;
        let b_hh = &spec.tensor(&format!("rnn.bias_hh_l{k}")).data;
        for r in 0..g * h {
            // One scale for the whole row [W_ih | W_hh]: its two sums add before one
            // requantisation.
            let row: Vec<f32> = w_ih[r * cols..(r + 1) * cols]
                .iter()
                .chain(&w_hh[r * h..(r + 1) * h])
                .copied()
                .collect();
            let (q, s) = quantize_row(&row);
            layer.w_ih.extend(&q[..cols]);
            layer.w_hh.extend(&q[cols..]);
            let (mm, sh) = multiplier(s * 2f64.powi(PRE_FRAC - 15))?;
            layer.m.push(mm);
            layer.s.push(sh);
            let (bi, bh) = (b_ih[r] as f64, b_hh[r] as f64);
            // A gate whose parts are summed has no recurrent-side bias: none is stored.
            if separate(r / h) {
                layer.b_x.push(bias(bi));
                layer.b_h.push(bias(bh));
            } else {
                layer.b_x.push(bias(bi + bh));
            }
        }
        layers.push(layer);
    }
    let head = spec.tensor("head.weight");
    let mut head_w = Vec::new();
    let mut head_scale = Vec::new();
    for row in head.data.chunks(h) {
        let (q, s) = quantize_row(row);
        head_w.extend(q);
        head_scale.push((s / 32768.0) as f32);
    }
    Ok(QModel {
        front,
        conv,
        input_frac,
        layers,
        head_w,
        head_scale,
        head_b: spec.tensor("head.bias").data.clone(),
    })
}

/// The convolution layers: per output channel, symmetric int8 weights over its `K · IN` weights,
/// a multiplier `m · 2^-s` equal to the weight scale (a sum of Q12 inputs to a Q12 output) and a
/// Q12 bias. Every layer reads and writes Q12 (`tinyrnn::quant::QConv1d`).
fn quantize_conv(spec: &ModelSpec) -> Result<Vec<QConvData>, String> {
    let mut layers = Vec::new();
    for (j, c) in spec.meta.conv.iter().enumerate() {
        let (out, taps, ins) = (c.out_channels, c.kernel_size, spec.conv_inputs(j));
        if taps.saturating_mul(ins) > MAX_COLUMNS {
            return Err(format!(
                "int8: conv layer {j}: kernel {taps} × {ins} input channels make {} products                  per output: the int8 scheme sums at most {MAX_COLUMNS} in an i32",
                taps.saturating_mul(ins)
            ));
        }
        let weight = &spec.tensor(&format!("conv.{j}.weight")).data;
        let bias_f32 = &spec.tensor(&format!("conv.{j}.bias")).data;
        let mut layer = QConvData {
            weight: Vec::new(),
            requantize: Vec::new(),
            bias: Vec::new(),
        };
        for o in 0..out {
            // [out, in, k] in the file; (tap, input channel) per output channel in flash.
            let row: Vec<f32> = (0..taps)
                .flat_map(|k| (0..ins).map(move |i| weight[(o * ins + i) * taps + k]))
                .collect();
            let (q, scale) = quantize_row(&row);
            layer.weight.extend(q);
            layer.requantize.push(multiplier(scale)?);
            layer.bias.push(bias(bias_f32[o] as f64));
        }
        layers.push(layer);
    }
    Ok(layers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipliers_are_sixteen_bit_mantissas() {
        assert_eq!(multiplier(0.5).unwrap(), (32768, 16));
        assert_eq!(multiplier(1.0).unwrap(), (32768, 15));
        assert_eq!(multiplier(0.75).unwrap(), (49152, 16));
        // Rounds up to 2^16: one bit less of shift.
        assert_eq!(multiplier(1.0 - 1e-9).unwrap(), (32768, 15));
        assert_eq!(multiplier(1e-30).unwrap(), (0, 1));
        assert!(multiplier(1e10).is_err());
    }

    #[test]
    fn embedding4_rows_take_a_power_of_two_step_within_eight_times_the_largest() {
        // round(7.49) = 7 fits in 4 bits at step 1, 7.5 rounds to 8 and needs step 2.
        assert_eq!(nibble_exponent(7.49), 0);
        assert_eq!(nibble_exponent(7.5), 1);
        assert_eq!(nibble_exponent(0.5), -3);
        // Rows: step 1 (code 3), step 1/8 (code 0), one far smaller raised to 1/8, all zero.
        let rows = [7.0, -1.0, 0.5, 0.25, 0.001, 0.0, 0.0, 0.0];
        let QFront::Embedding4 { table, codes, base } = embedding4(&rows, 2, 11) else {
            panic!("not 4-bit rows");
        };
        // 7 and -1 (0xF) in one byte, the even feature low; 4 and 2; zeros.
        assert_eq!(
            (table, codes, base),
            (vec![0xF7, 0x24, 0, 0], vec![0b11], 8)
        );
        // No step finer than the input format's unit (Q1 here): the second row at step 1/2.
        let QFront::Embedding4 { table, codes, base } = embedding4(&rows, 2, 1) else {
            panic!("not 4-bit rows");
        };
        assert_eq!(
            (table, codes, base),
            (vec![0xF7, 0x11, 0, 0], vec![0b01], 0)
        );
    }

    #[test]
    fn rows_use_the_whole_int8_range() {
        let (q, s) = quantize_row(&[0.5, -1.0, 0.25, 0.0]);
        assert_eq!(q, [64, -127, 32, 0]); // 63.5 rounds away from zero
        assert_eq!(s, 1.0 / 127.0);
        assert_eq!(quantize_row(&[0.0, 0.0]), (vec![0, 0], 0.0));
        assert_eq!(frexp(6.0), (0.75, 3));
        assert_eq!(round_half_away(-2.5), -3.0);
    }
}
