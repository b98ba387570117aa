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
/// Keras and ONNX store these gates as z, r, h; a model file must use PyTorch's order.
///
/// ```
/// use tinyrnn::{Cell, Gru};
/// let mut state = [[0.5f32; 1]];
/// let x = [[0.0], [0.0], [1.0]];
/// let h = [[0.0], [0.0], [2.0]];
/// Gru::update(&x, &h, &mut state);
/// let n = (1.0f32 + 0.5 * 2.0).tanh(); // r = z = σ(0) = 0.5
/// assert!((state[0][0] - (0.5 * n + 0.5 * 0.5)).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Gru;

impl Cell<3, 1> for Gru {
    const NAME: &'static str = "gru";

    #[inline]
    fn update<const H: usize>(x: &[[f32; H]; 3], h: &[[f32; H]; 3], state: &mut [[f32; H]; 1]) {
        let [xr, xz, xn] = x;
        let [hr, hz, hn] = h;
        let [hidden] = state;
        let gates = xr
            .iter()
            .zip(hr)
            .zip(xz.iter().zip(hz))
            .zip(xn.iter().zip(hn));
        for (out, (((xr, hr), (xz, hz)), (xn, hn))) in hidden.iter_mut().zip(gates) {
            let r = sigmoid(xr + hr);
            let z = sigmoid(xz + hz);
            let n = tanh(xn + r * hn);
            *out = (1.0 - z) * n + z * *out;
        }
    }
}
