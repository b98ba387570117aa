//! The LSTM, gates in PyTorch's order i, f, g, o.

use super::Cell;
use crate::math::{sigmoid, tanh};

/// Long short-term memory (PyTorch `nn.LSTM`): four gates i, f, g, o; state `[h, c]`.
///
/// ```text
/// i = σ(x_i + h_i)   f = σ(x_f + h_f)   g = tanh(x_g + h_g)   o = σ(x_o + h_o)
/// c' = f ⊙ c + i ⊙ g
/// h' = o ⊙ tanh(c')
/// ```
/// Every gate's pre-activations arrive summed.
///
/// ```
/// use tinyrnn::{Cell, Lstm};
/// // Only the candidate gate g is driven; i = f = o = σ(0) = 0.5, c = 0.
/// let [h, c] = Lstm::unit([0.0, 0.0, 1.0, 0.0], [0.0; 4], [0.0, 0.0]);
/// let expected_c = 0.5 * 1.0f32.tanh();
/// assert!((c - expected_c).abs() < 1e-6);
/// assert!((h - 0.5 * expected_c.tanh()).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Lstm;

impl Cell<4, 2> for Lstm {
    const NAME: &'static str = "lstm";
    const SEPARATE: [bool; 4] = [false; 4];

    #[inline(always)]
    fn unit(x: [f32; 4], _h: [f32; 4], state: [f32; 2]) -> [f32; 2] {
        let [xi, xf, xg, xo] = x;
        let [_, c] = state;
        let i = sigmoid(xi);
        let f = sigmoid(xf);
        let g = tanh(xg);
        let o = sigmoid(xo);
        let c = f * c + i * g;
        [o * tanh(c), c]
    }
}
