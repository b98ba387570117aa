//! Scalar activations: `libm` by default, `micromath` approximations with the `micromath` feature.
//!
//! `libm` gives results within 1 ulp of the correctly rounded value, and the same results on the
//! host and on every target. The `micromath` feature swaps in micromath's `exp` approximation and
//! derives `tanh` and `sigmoid` from it, trading accuracy for fewer instructions on cores without
//! an FPU. Its error against `libm` is bounded by [`MICROMATH_MAX_ABS_ERROR`] per activation
//! (5.3e-4 measured); through the steps and layers of the reference fixtures the model outputs
//! stay within 1e-3 of ONNX Runtime's (checked by `conformance/tests/parity.rs`).

/// Largest absolute difference between the `micromath` and the `libm` versions of [`tanh`] and
/// [`sigmoid`], measured over `[-20, 20]` in steps of 1/1024 and checked by this module's tests.
///
/// ```
/// assert!(tinyrnn::math::MICROMATH_MAX_ABS_ERROR < 1e-2);
/// ```
pub const MICROMATH_MAX_ABS_ERROR: f32 = 6.0e-4;

/// `e^x`.
///
/// ```
/// assert!((tinyrnn::math::exp(1.0) - core::f32::consts::E).abs() < 1e-3);
/// ```
#[inline]
pub fn exp(x: f32) -> f32 {
    #[cfg(feature = "micromath")]
    {
        // micromath's exp is only accurate where the result is a normal f32.
        micromath::F32Ext::exp(x.clamp(-87.0, 88.0))
    }
    #[cfg(not(feature = "micromath"))]
    {
        libm::expf(x)
    }
}

/// Hyperbolic tangent.
///
/// ```
/// assert!(tinyrnn::math::tanh(0.0).abs() < 1e-6);
/// assert!((tinyrnn::math::tanh(30.0) - 1.0).abs() < 1e-6);
/// ```
#[inline]
pub fn tanh(x: f32) -> f32 {
    #[cfg(feature = "micromath")]
    {
        // tanh(|x|) = 1 - 2 / (e^{2|x|} + 1): no cancellation for large |x|, and the
        // sign is restored afterwards so the result is odd like the true function.
        let e = exp(2.0 * x.abs());
        let t = 1.0 - 2.0 / (e + 1.0);
        if x < 0.0 {
            -t
        } else {
            t
        }
    }
    #[cfg(not(feature = "micromath"))]
    {
        libm::tanhf(x)
    }
}

/// Logistic sigmoid `1 / (1 + e^{-x})`.
///
/// ```
/// assert!((tinyrnn::math::sigmoid(0.0) - 0.5).abs() < 1e-6);
/// assert!(tinyrnn::math::sigmoid(-200.0) >= 0.0);
/// ```
#[inline]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> impl Iterator<Item = f32> {
        (-20 * 1024..=20 * 1024).map(|i| i as f32 / 1024.0)
    }

    #[test]
    fn error_against_libm_is_within_the_documented_bound() {
        let mut worst = 0.0f32;
        for x in grid() {
            worst = worst.max((tanh(x) - libm::tanhf(x)).abs());
            worst = worst.max((sigmoid(x) - 1.0 / (1.0 + libm::expf(-x))).abs());
        }
        println!("worst |micromath - libm| = {worst:e}");
        assert!(worst <= MICROMATH_MAX_ABS_ERROR, "worst error {worst}");
        #[cfg(not(feature = "micromath"))]
        assert!(worst <= 1e-6, "libm path should match libm, got {worst}");
    }

    #[test]
    fn activations_are_finite_and_bounded_at_the_extremes() {
        for x in [f32::MIN, -1e30, -100.0, -88.5, 88.5, 100.0, 1e30, f32::MAX] {
            let t = tanh(x);
            let s = sigmoid(x);
            assert!((-1.0..=1.0).contains(&t), "tanh({x}) = {t}");
            assert!((0.0..=1.0).contains(&s), "sigmoid({x}) = {s}");
        }
    }
}
