//! Integer tanh and sigmoid: a 513-entry table of `tanh` (computed at compile time, stored in
//! flash) and linear interpolation.
//!
//! Inputs are pre-activations in Q12 (`x / 4096`), outputs Q15 (`y / 32768`). Both read
//! `TANH_Q15[k] = min(32767, round(32768 · tanh(k / 64)))` for `k = 0..=512` (`tanh` on
//! `[0, 8]`; beyond, the last entry: `tanh(8) = 1 − 2.3e-7`) at an argument in Q13, interpolated
//! linearly between entries with an exactly defined rounding, odd-symmetric:
//! `tanh(x) = T(2x)` and `sigmoid(x) = (1 + T(x)) / 2` (`σ(x) = (1 + tanh(x / 2)) / 2`), so the
//! sigmoid loses no input bit. Largest error against `f64` over every Q12 input (the tests
//! `tanh_error` and `sigmoid_error`): 4.7e-5 and 3.9e-5 (see `docs/quantization.md`).

/// `min(32767, round(32768 · tanh(k / 64)))` for `k = 0..=512`: `tanh` on `[0, 8]` in Q15,
/// computed when the crate is compiled (by a `const fn`) and stored in flash (1,026 bytes).
///
/// ```
/// assert_eq!(tinyrnn::quant::TANH_Q15[0], 0);
/// assert_eq!(tinyrnn::quant::TANH_Q15[64], 24956); // tanh(1) = 0.76159
/// assert_eq!(tinyrnn::quant::TANH_Q15[512], 32767);
/// ```
pub static TANH_Q15: [i16; 513] = tanh_table();

/// The entries of [`TANH_Q15`], in `f64` at compile time: `tanh(t) = (1 − e^(−2t)) / (1 +
/// e^(−2t))`, with `e^(−2t)` from [`exp_neg`]; its error (below 1e-15) cannot move a rounding
/// that is not a tie within 3e-11 of a Q15 step, and the test `the_table_is_rounded_tanh`
/// checks every entry against the standard library's `tanh`.
const fn tanh_table() -> [i16; 513] {
    let mut table = [0i16; 513];
    let mut k = 0;
    while k < table.len() {
        let e = exp_neg(2.0 * k as f64 / 64.0);
        let q = 32768.0 * (1.0 - e) / (1.0 + e) + 0.5;
        // Truncation is floor here: q ≥ 0.5.
        let v = q as i64;
        table[k] = if v > 32767 { 32767 } else { v as i16 };
        k += 1;
    }
    table
}

/// `e^(−t)` for `0 ≤ t ≤ 64`, in a `const fn`: `t = m · ln 2 + r` with `|r| ≤ ln 2 / 2`, the
/// Taylor series of `e^(−r)` to 20 terms (remainder below 1e-24), then `m` halvings.
const fn exp_neg(t: f64) -> f64 {
    const LN_2: f64 = core::f64::consts::LN_2;
    let m = (t / LN_2 + 0.5) as i32;
    let r = t - m as f64 * LN_2;
    let mut sum = 1.0;
    let mut term = 1.0;
    let mut n = 1;
    while n <= 20 {
        term = term * -r / n as f64;
        sum += term;
        n += 1;
    }
    let mut i = 0;
    while i < m {
        sum *= 0.5;
        i += 1;
    }
    sum
}

/// `tanh(x / 8192)` in Q15: the table with linear interpolation between its entries
/// (`k = |x| >> 7`, `frac = |x| & 127`: `lo + (((hi − lo) · frac + 64) >> 7)`), odd-symmetric,
/// saturated at ±32767 for `|x| ≥ 8.0`.
#[inline]
fn tanh_q13(x: i32) -> i32 {
    // |x| ≥ 2^16 - 1 gives 32767 either way: the last two entries are both 32767 (the test
    // `the_last_two_entries_saturate`), so k ≤ 511 and both reads below are in bounds, which
    // the compiler sees (no bounds check, no fallback).
    let a = x.unsigned_abs().min((1 << 16) - 1);
    let k = (a >> 7) as usize;
    let frac = (a & 127) as i32;
    let lo = TANH_Q15.get(k).copied().unwrap_or(32767) as i32;
    let hi = TANH_Q15.get(k + 1).copied().unwrap_or(32767) as i32;
    let y = lo + (((hi - lo) * frac + 64) >> 7);
    if x < 0 {
        -y
    } else {
        y
    }
}

/// `tanh(x / 4096)` in Q15, from the table with linear interpolation (at `2x` in Q13);
/// saturates at ±32767 for `|x| ≥ 8.0` (any `i32` is a valid input).
///
/// ```
/// use tinyrnn::quant::tanh_q12;
/// assert_eq!(tanh_q12(0), 0);
/// assert_eq!(tanh_q12(4096), 24956); // 32768 · tanh(1) = 24955.7
/// assert_eq!(tanh_q12(-4096), -24956);
/// assert_eq!(tanh_q12(i32::MIN), -32767);
/// ```
#[inline]
pub fn tanh_q12(x: i32) -> i16 {
    tanh_q13(x.saturating_mul(2)) as i16
}

/// `σ(x / 4096) = (1 + tanh(x / 8192)) / 2` in Q15: `(tanh_q13(x) + 32768) >> 1`, in
/// `0..=32767`.
///
/// ```
/// use tinyrnn::quant::sigmoid_q12;
/// assert_eq!(sigmoid_q12(0), 16384);
/// assert_eq!(sigmoid_q12(i32::MAX), 32767);
/// assert_eq!(sigmoid_q12(i32::MIN), 0);
/// ```
#[inline]
pub fn sigmoid_q12(x: i32) -> i16 {
    ((tanh_q13(x) + 32768) >> 1) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_rounded_tanh() {
        for (k, &v) in TANH_Q15.iter().enumerate() {
            let exact = ((k as f64 / 64.0).tanh() * 32768.0 + 0.5)
                .floor()
                .min(32767.0);
            assert_eq!(v as f64, exact, "entry {k}");
        }
    }

    /// Largest error over every Q12 input of the range that does not saturate trivially.
    fn max_error(f: fn(i32) -> i16, g: fn(f64) -> f64, limit: i32) -> f64 {
        (-limit..=limit)
            .map(|x| (f(x) as f64 / 32768.0 - g(x as f64 / 4096.0)).abs())
            .fold(0.0, f64::max)
    }

    #[test]
    fn the_last_two_entries_saturate() {
        // What lets tanh_q13 clamp |x| at 2^16 - 1 (k = 511, frac = 127) instead of 2^16.
        assert_eq!(TANH_Q15[511], 32767);
        assert_eq!(TANH_Q15[512], 32767);
        assert_eq!(tanh_q13(1 << 16), 32767);
        assert_eq!(tanh_q13((1 << 16) - 1), 32767);
        assert_eq!(tanh_q13(-(1 << 16)), -32767);
    }

    #[test]
    fn tanh_error() {
        let e = max_error(tanh_q12, f64::tanh, 1 << 17);
        assert!(e < 5e-5, "{e}");
    }

    #[test]
    fn sigmoid_error() {
        let e = max_error(sigmoid_q12, |x| 1.0 / (1.0 + (-x).exp()), 1 << 18);
        assert!(e < 4e-5, "{e}");
    }
}
