//! Scalar activations: rational approximations of `tanh` and `sigmoid` by default, `libm` with
//! the `exact-activations` feature; `exp` (for softmax) is always `libm`'s.
//!
//! [`tanh`] is `x·P(x²)/Q(x²)` on `[-8, 8]` and that function's value at ±8 beyond (the same
//! bits as clamping `x` to `[-8, 8]`), with `P` of degree 3 and `Q` of degree 4 in `x²` (an odd
//! polynomial of degree 7 over an even one of degree 8, the form of Eigen's float `tanh`). The
//! coefficients are our own fit, made and checked by `scripts/fit_tanh.py`: a rational minimax
//! fit of the absolute error in float64, rounded to f32. [`sigmoid`] is `0.5 + 0.5·tanh(x/2)`
//! with the halving folded into its own coefficients (on `[-16, 16]`, its value at ±16 beyond).
//! Both are evaluated in f32 in one fixed order, with no fused multiply-add (Rust never
//! contracts `a * b + c`), so a model's outputs are bit-identical on the host and on every
//! Cortex-M core. Their largest absolute error against a float64 reference, over every f32
//! input, is [`MAX_ABS_ERROR`]: about 8 units in the last place near ±1, and enough for every
//! conformance fixture to stay within 1e-5 of ONNX Runtime.
//!
//! On a Cortex-M4F, counted in the disassembly, `tanh` is 20 instructions inside `[-8, 8]` and
//! `sigmoid` 21 inside `[-16, 16]`: one comparison of `|x|` and a branch (4), then `x²`, the two
//! polynomials in Horner form and `x·P/Q` (16: a `vmla` overwrites its addend, so each constant
//! is copied first), and the sigmoid's `0.5 +`; about 8 beyond. `libm::tanhf` and an
//! `expf`-based sigmoid take 50–110 (`tools/activation-cost.sh`, whose loop over `[-12, 12]`
//! adds about 1.5 a call; BENCHMARKS.md). NaN in gives NaN out; ±∞ gives ±1 (`tanh`) and 0 or
//! 1 (`sigmoid`).

/// Largest absolute difference between [`tanh`] or [`sigmoid`] and the float64 functions, over
/// every f32 input (measured by `scripts/fit_tanh.py`: 5.2e-7 for `tanh` near ±6.6, 2.9e-7 for
/// `sigmoid`; a sweep in this module's tests checks it). With the `exact-activations`
/// feature the activations are `libm`'s, within one unit in the last place.
///
/// ```
/// use tinyrnn::math::{tanh, MAX_ABS_ERROR};
/// assert!((tanh(0.5) as f64 - 0.5f64.tanh()).abs() <= MAX_ABS_ERROR as f64);
/// ```
pub const MAX_ABS_ERROR: f32 = 6.0e-7;

/// The rational approximations (also compiled, and tested, with `exact-activations`).
#[cfg_attr(feature = "exact-activations", allow(dead_code))]
mod rational {
    /// `tanh` is constant beyond `±C`: `1 - tanh(8) = 2.3e-7`.
    pub(crate) const C: f32 = 8.0;

    // tanh(x) = x P(x²) / Q(x²), Q monic. From scripts/fit_tanh.py.
    pub(crate) const P0: f32 = 4.125_263_2e6;
    pub(crate) const P1: f32 = 5.327_247_5e5;
    pub(crate) const P2: f32 = 1.212_374e4;
    pub(crate) const P3: f32 = 4.666_085e1;
    pub(crate) const Q0: f32 = 4.125_265_8e6;
    pub(crate) const Q1: f32 = 1.907_803_8e6;
    pub(crate) const Q2: f32 = 9.803_331e4;
    pub(crate) const Q3: f32 = 9.778_470_5e2;

    // sigmoid(x) = 0.5 + x P'(x²) / Q'(x²) on [-2C, 2C]: P, Q with x/2 substituted.
    pub(crate) const SP0: f32 = 2.640_168_5e8;
    pub(crate) const SP1: f32 = 8.523_596e6;
    pub(crate) const SP2: f32 = 4.849_496e4;
    pub(crate) const SP3: f32 = 4.666_085e1;
    pub(crate) const SQ0: f32 = 1.056_068_03e9;
    pub(crate) const SQ1: f32 = 1.220_994_4e8;
    pub(crate) const SQ2: f32 = 1.568_533e6;
    pub(crate) const SQ3: f32 = 3.911_388_2e3;

    /// `x P(x²) / Q(x²)` with monic `Q` of degree 4, in the order `scripts/fit_tanh.py` checks.
    #[inline(always)]
    pub(crate) const fn odd_rational(x: f32, p: [f32; 4], q: [f32; 4]) -> f32 {
        let y = x * x;
        let num = ((p[3] * y + p[2]) * y + p[1]) * y + p[0];
        let den = (((y + q[3]) * y + q[2]) * y + q[1]) * y + q[0];
        num * x / den
    }

    /// `tanh(±C)` as the rational gives it, evaluated at compile time (IEEE f32 arithmetic in
    /// the same order as at run time, so the same bits): what `tanh` returns beyond `±C`.
    pub(crate) const TANH_AT_C: f32 = odd_rational(C, [P0, P1, P2, P3], [Q0, Q1, Q2, Q3]);
    /// `sigmoid(±2C) - 0.5` as the rational gives it: what `sigmoid` returns beyond `±2C`
    /// is `0.5` plus or minus it (the rational is odd, bit for bit).
    pub(crate) const SIGMOID_AT_2C: f32 =
        odd_rational(2.0 * C, [SP0, SP1, SP2, SP3], [SQ0, SQ1, SQ2, SQ3]);

    /// The default [`tanh`](super::tanh): the rational on `[-C, C]`, its value at `±C` beyond.
    ///
    /// One comparison of `|x|` takes the common path (4 instructions on the M4F: `vabs`,
    /// `vcmp`, `vmrs`, a branch, where clamping `x` to `[-C, C]` and keeping NaN took 8); a
    /// NaN compares false, goes through the rational and stays NaN. Every other input gives
    /// the bits the clamped form gave (a test compares them).
    #[inline(always)]
    pub(crate) fn tanh(x: f32) -> f32 {
        if x.abs() > C {
            return TANH_AT_C.copysign(x);
        }
        odd_rational(x, [P0, P1, P2, P3], [Q0, Q1, Q2, Q3])
    }

    /// The default [`sigmoid`](super::sigmoid), in the same form as [`tanh`] on `[-2C, 2C]`.
    #[inline(always)]
    pub(crate) fn sigmoid(x: f32) -> f32 {
        if x.abs() > 2.0 * C {
            return 0.5 + SIGMOID_AT_2C.copysign(x);
        }
        0.5 + odd_rational(x, [SP0, SP1, SP2, SP3], [SQ0, SQ1, SQ2, SQ3])
    }
}

/// `e^x` (`libm::expf`).
///
/// ```
/// assert!((tinyrnn::math::exp(1.0) - core::f32::consts::E).abs() < 1e-6);
/// ```
#[inline]
pub fn exp(x: f32) -> f32 {
    libm::expf(x)
}

/// Hyperbolic tangent, within [`MAX_ABS_ERROR`].
///
/// ```
/// use tinyrnn::math::tanh;
/// assert_eq!(tanh(0.0), 0.0);
/// assert!((tanh(1.0) - 0.761_594_2).abs() < 1e-6);
/// assert!((tanh(30.0) - 1.0).abs() < 1e-6);
/// assert!(tanh(f32::NAN).is_nan());
/// ```
// Without an FPU (the `eabi` Cortex-M targets) each is a dozen soft-float calls: one copy of
// the code, not one per call site, keeps the firmware small at no measurable cost.
#[cfg_attr(target_abi = "eabi", inline(never))]
#[cfg_attr(not(target_abi = "eabi"), inline)]
pub fn tanh(x: f32) -> f32 {
    #[cfg(feature = "exact-activations")]
    {
        libm::tanhf(x)
    }
    #[cfg(not(feature = "exact-activations"))]
    {
        rational::tanh(x)
    }
}

/// Logistic sigmoid `1 / (1 + e^{-x})`, within [`MAX_ABS_ERROR`].
///
/// ```
/// use tinyrnn::math::sigmoid;
/// assert_eq!(sigmoid(0.0), 0.5);
/// assert!((sigmoid(2.0) - 0.880_797).abs() < 1e-6);
/// assert!(sigmoid(-200.0) >= 0.0);
/// ```
// Without an FPU (the `eabi` Cortex-M targets) each is a dozen soft-float calls: one copy of
// the code, not one per call site, keeps the firmware small at no measurable cost.
#[cfg_attr(target_abi = "eabi", inline(never))]
#[cfg_attr(not(target_abi = "eabi"), inline)]
pub fn sigmoid(x: f32) -> f32 {
    #[cfg(feature = "exact-activations")]
    {
        1.0 / (1.0 + libm::expf(-x))
    }
    #[cfg(not(feature = "exact-activations"))]
    {
        rational::sigmoid(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every 61st f32 of magnitude up to 20, and its negative (about 36 million inputs).
    fn sweep() -> impl Iterator<Item = f32> {
        (0..=20.0f32.to_bits())
            .step_by(61)
            .map(f32::from_bits)
            .flat_map(|x| [x, -x])
    }

    #[test]
    fn error_against_float64_is_within_the_documented_bound() {
        let (mut worst_t, mut worst_s) = (0.0f64, 0.0f64);
        for x in sweep() {
            let xd = f64::from(x);
            let (t, s) = (xd.tanh(), 1.0 / (1.0 + (-xd).exp()));
            // The rational functions, and the activations in use (the same by default).
            for (ours_t, ours_s) in [
                (rational::tanh(x), rational::sigmoid(x)),
                (tanh(x), sigmoid(x)),
            ] {
                worst_t = worst_t.max((f64::from(ours_t) - t).abs());
                worst_s = worst_s.max((f64::from(ours_s) - s).abs());
            }
        }
        println!("max |tanh - f64| = {worst_t:e}, max |sigmoid - f64| = {worst_s:e}");
        assert!(worst_t <= f64::from(MAX_ABS_ERROR), "tanh: {worst_t:e}");
        assert!(worst_s <= f64::from(MAX_ABS_ERROR), "sigmoid: {worst_s:e}");
    }

    /// The form used before the saturated branch: `x` clamped to `[-c, c]` (NaN kept), then
    /// the rational. The branch must give its bits for every input.
    fn clamped(x: f32, c: f32, p: [f32; 4], q: [f32; 4]) -> f32 {
        let x = if x < -c {
            -c
        } else if x > c {
            c
        } else {
            x
        };
        rational::odd_rational(core::hint::black_box(x), p, q)
    }

    #[test]
    fn saturated_branch_gives_the_bits_of_the_clamped_rational() {
        use rational::{C, P0, P1, P2, P3, Q0, Q1, Q2, Q3};
        use rational::{SP0, SP1, SP2, SP3, SQ0, SQ1, SQ2, SQ3};
        let (p, q) = ([P0, P1, P2, P3], [Q0, Q1, Q2, Q3]);
        let (sp, sq) = ([SP0, SP1, SP2, SP3], [SQ0, SQ1, SQ2, SQ3]);
        // The sweep, every f32 within 4096 units in the last place of ±C and ±2C, the extremes.
        let near = [C, 2.0 * C].into_iter().flat_map(|c| {
            (c.to_bits() - 4096..=c.to_bits() + 4096)
                .map(f32::from_bits)
                .flat_map(|x| [x, -x])
        });
        let extremes = [f32::MAX, f32::INFINITY, 1e30, 20.0, f32::MIN_POSITIVE, 0.0]
            .into_iter()
            .flat_map(|x| [x, -x]);
        let mut checked = 0u32;
        for x in sweep().chain(near).chain(extremes) {
            let (t, s) = (rational::tanh(x), rational::sigmoid(x));
            assert_eq!(t.to_bits(), clamped(x, C, p, q).to_bits(), "tanh({x})");
            let clamped_s = 0.5 + clamped(x, 2.0 * C, sp, sq);
            assert_eq!(s.to_bits(), clamped_s.to_bits(), "sigmoid({x})");
            checked += 1;
        }
        assert!(checked > 1_000_000);
        assert!(rational::tanh(f32::NAN).is_nan() && rational::sigmoid(-f32::NAN).is_nan());
    }

    #[test]
    fn activations_are_odd_bounded_and_finite_at_the_extremes() {
        for x in sweep() {
            assert_eq!(rational::tanh(-x), -rational::tanh(x), "tanh is odd at {x}");
            assert!((-1.0..=1.0).contains(&tanh(x)), "tanh({x}) = {}", tanh(x));
            assert!(
                (0.0..=1.0).contains(&sigmoid(x)),
                "sigmoid({x}) = {}",
                sigmoid(x)
            );
        }
        for x in [f32::MIN, -1e30, -100.0, -88.5, 88.5, 100.0, 1e30, f32::MAX] {
            let t = tanh(x);
            let s = sigmoid(x);
            assert!((-1.0..=1.0).contains(&t), "tanh({x}) = {t}");
            assert!((0.0..=1.0).contains(&s), "sigmoid({x}) = {s}");
        }
        assert!((tanh(f32::INFINITY) - 1.0).abs() <= MAX_ABS_ERROR);
        assert!((tanh(f32::NEG_INFINITY) + 1.0).abs() <= MAX_ABS_ERROR);
        assert!(tanh(f32::NAN).is_nan() && sigmoid(f32::NAN).is_nan());
    }
}
