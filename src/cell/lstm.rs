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
///
/// ```
/// use tinyrnn::{Cell, Lstm};
/// let zero = [[0.0f32; 1]; 4];
/// let mut state = [[0.0f32; 1]; 2];
/// let x = [[0.0], [0.0], [1.0], [0.0]]; // only the candidate gate g is driven
/// Lstm::update(&x, &zero, &mut state);
/// let c = 0.5 * 1.0f32.tanh();
/// assert!((state[1][0] - c).abs() < 1e-6);
/// assert!((state[0][0] - 0.5 * c.tanh()).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Lstm;

impl Cell<4, 2> for Lstm {
    const NAME: &'static str = "lstm";

    #[inline]
    fn update<const H: usize>(x: &[[f32; H]; 4], h: &[[f32; H]; 4], state: &mut [[f32; H]; 2]) {
        let [xi, xf, xg, xo] = x;
        let [hi, hf, hg, ho] = h;
        let [hidden, cell] = state;
        let gates = xi.iter().zip(hi).zip(xf.iter().zip(hf));
        let gates = gates.zip(xg.iter().zip(hg)).zip(xo.iter().zip(ho));
        for ((out_h, out_c), ((((xi, hi), (xf, hf)), (xg, hg)), (xo, ho))) in
            hidden.iter_mut().zip(cell.iter_mut()).zip(gates)
        {
            let i = sigmoid(xi + hi);
            let f = sigmoid(xf + hf);
            let g = tanh(xg + hg);
            let o = sigmoid(xo + ho);
            *out_c = f * *out_c + i * g;
            *out_h = o * tanh(*out_c);
        }
    }
}
