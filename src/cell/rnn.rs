//! The Elman tanh RNN: `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`.

use super::Cell;
use crate::math::tanh;

/// Elman RNN with tanh (PyTorch `nn.RNN`, `nonlinearity="tanh"`): one gate, state `[h]`.
///
/// ```
/// use tinyrnn::{Cell, Rnn};
/// // The layer sums both pre-activations: 0.25 + 0.25.
/// let [h] = Rnn::unit([0.5], [0.0], [0.0]);
/// assert!((h - 0.5f32.tanh()).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Rnn;

impl Cell<1, 1> for Rnn {
    const NAME: &'static str = "rnn";
    const SEPARATE: [bool; 1] = [false];

    #[inline(always)]
    fn unit(x: [f32; 1], _h: [f32; 1], _state: [f32; 1]) -> [f32; 1] {
        let [x] = x;
        [tanh(x)]
    }
}
