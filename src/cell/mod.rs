//! The recurrent cells, with PyTorch's equations and gate orders.
//!
//! A layer first computes the gates' pre-activations from its input (`W_ih x + b_ih`) and from
//! its previous hidden state (`W_hh h + b_hh`), as `G` blocks of `H` values; a [`Cell`] turns
//! those into the new state. Each cell is a zero-sized type that picks the equations at compile
//! time, so the inner loops have no dispatch.

mod gru;
mod lstm;
mod rnn;

pub use gru::Gru;
pub use lstm::Lstm;
pub use rnn::Rnn;

/// A recurrent cell with `G` gates per unit and `S` state vectors per layer (`h`, and `c` for
/// the LSTM). `state[0]` is always the hidden state `h` that the next layer and the head read.
///
/// ```
/// use tinyrnn::{Cell, Rnn};
/// // h' = tanh(x-part + h-part)
/// let mut state = [[0.0f32; 2]];
/// Rnn::update(&[[0.5, -0.5]], &[[0.0, 0.0]], &mut state);
/// assert!((state[0][0] - 0.5f32.tanh()).abs() < 1e-6);
/// ```
pub trait Cell<const G: usize, const S: usize> {
    /// The cell's name in the model file's `cell` field.
    const NAME: &'static str;

    /// Updates `state` in place from the input pre-activations `x = W_ih x + b_ih` and the
    /// hidden pre-activations `h = W_hh h + b_hh`, both computed from the previous state.
    fn update<const H: usize>(x: &[[f32; H]; G], h: &[[f32; H]; G], state: &mut [[f32; H]; S]);
}
