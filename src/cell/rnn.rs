//! The Elman tanh RNN: `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`.

use super::Cell;
use crate::math::tanh;

/// Elman RNN with tanh (PyTorch `nn.RNN`, `nonlinearity="tanh"`): one gate, state `[h]`.
///
/// ```
/// use tinyrnn::{Cell, Rnn};
/// let mut state = [[0.0f32; 1]];
/// Rnn::update(&[[0.25]], &[[0.25]], &mut state);
/// assert!((state[0][0] - 0.5f32.tanh()).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Rnn;

impl Cell<1, 1> for Rnn {
    const NAME: &'static str = "rnn";

    #[inline]
    fn update<const H: usize>(x: &[[f32; H]; 1], h: &[[f32; H]; 1], state: &mut [[f32; H]; 1]) {
        let [x] = x;
        let [h] = h;
        let [hidden] = state;
        for ((out, xa), ha) in hidden.iter_mut().zip(x).zip(h) {
            *out = tanh(xa + ha);
        }
    }
}
