//! The GRU, gates in PyTorch's order r, z, n (reset applied after the hidden matmul).

use super::Cell;
use crate::math::{sigmoid, tanh};

/// Gated recurrent unit (PyTorch `nn.GRU`): three gates r, z, n; state `[h]`.
///
/// ```text
/// r = σ(x_r + h_r)
/// z = σ(x_z + h_z)
/// n = tanh(x_n + r ⊙ h_n)        (h_n = W_hn h + b_hn: the reset gate scales it after the matmul)
/// h' = (1 − z) ⊙ n + z ⊙ h
/// ```
/// The pre-activations of r and z arrive summed, those of n separately. Keras and ONNX store
/// these gates as z, r, h; a model file must use PyTorch's order.
///
/// ```
/// use tinyrnn::{Cell, Gru};
/// let [h] = Gru::unit([0.0, 0.0, 1.0], [0.0, 0.0, 2.0], [0.5]);
/// let n = (1.0f32 + 0.5 * 2.0).tanh(); // r = z = σ(0) = 0.5
/// assert!((h - (0.5 * n + 0.5 * 0.5)).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Gru;

impl Cell<3, 1> for Gru {
    const NAME: &'static str = "gru";
    const SEPARATE: [bool; 3] = [false, false, true];

    #[inline(always)]
    fn unit(x: [f32; 3], h: [f32; 3], state: [f32; 1]) -> [f32; 1] {
        let [xr, xz, xn] = x;
        let [_, _, hn] = h;
        let [hidden] = state;
        let r = sigmoid(xr);
        let z = sigmoid(xz);
        let n = tanh(xn + r * hn);
        [(1.0 - z) * n + z * hidden]
    }
}
