//! The recurrent cells, with PyTorch's equations and gate orders.
//!
//! A layer computes each unit's gate pre-activations from its input (`W_ih x + b_ih`) and from
//! its previous hidden state (`W_hh h + b_hh`); a [`Cell`] turns those into the unit's new
//! state. Each cell is a zero-sized type that picks the equations at compile time, so the inner
//! loops have no dispatch.

mod gru;
mod lstm;
mod rnn;

pub use gru::Gru;
pub use lstm::Lstm;
pub use rnn::Rnn;

/// A recurrent cell with `G` gates per unit and `S` state vectors per layer (`h`, and `c` for
/// the LSTM). `state[0]` is always the hidden state `h` that the next layer and the head read.
///
/// The layer hands the cell one unit at a time: for a gate `g` with `SEPARATE[g] == false`,
/// `x[g]` is the whole pre-activation `(b_ih + b_hh) + W_ih x + W_hh h` and `h[g]` is 0; for a
/// gate with `SEPARATE[g] == true` (the GRU's candidate gate, whose recurrent part the reset
/// gate scales), `x[g] = b_ih + W_ih x` and `h[g] = b_hh + W_hh h`. Both are computed from the
/// previous state.
///
/// ```
/// use tinyrnn::{Cell, Rnn};
/// // h' = tanh(x-part + h-part)
/// let [h] = Rnn::unit([0.5], [0.0], [0.0]);
/// assert!((h - 0.5f32.tanh()).abs() < 1e-6);
/// ```
pub trait Cell<const G: usize, const S: usize> {
    /// The cell's name in the model file's `cell` field.
    const NAME: &'static str;

    /// For each gate, whether its input and recurrent pre-activations reach [`unit`](Self::unit)
    /// separately (`true`) or summed in `x` (`false`, the cheaper way).
    const SEPARATE: [bool; G];

    /// The new state of one unit (`[h]` or `[h, c]`) from its gates' pre-activations and its
    /// previous state.
    fn unit(x: [f32; G], h: [f32; G], state: [f32; S]) -> [f32; S];
}
