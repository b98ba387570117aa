//! One recurrent layer: its weights in PyTorch's layout and the step that updates its state.

use crate::cell::Cell;
use crate::linalg::{affine, affine_one_hot};

/// What one layer reads at a step.
///
/// ```
/// use tinyrnn::LayerInput;
/// let x = [0.5f32, 1.0];
/// let dense = LayerInput::Dense(&x);
/// let token: LayerInput<'_, 2> = LayerInput::OneHot(1);
/// assert_ne!(dense, token);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LayerInput<'a, const I: usize> {
    /// A vector of `I` values: an embedding row, a normalised sample or the layer below's `h`.
    Dense(&'a [f32; I]),
    /// The one-hot vector of this index (`< I`): its product with `W_ih` is a column lookup.
    OneHot(usize),
}

/// The weights of one layer with `G` gates of `H` units reading `I` inputs.
///
/// Each matrix is PyTorch's `[G*H, cols]` tensor viewed as `G` gate blocks of `H` rows, so one
/// unit's dot product reads one contiguous row.
///
/// ```
/// use tinyrnn::{Layer, LayerInput, Rnn};
/// static W_IH: [[[f32; 1]; 1]; 1] = [[[2.0]]];
/// static W_HH: [[[f32; 1]; 1]; 1] = [[[0.0]]];
/// static B: [[f32; 1]; 1] = [[0.0]];
/// let layer = Layer { w_ih: &W_IH, w_hh: &W_HH, b_ih: &B, b_hh: &B };
/// let mut state = [[0.0f32; 1]];
/// layer.step::<Rnn, 1>(LayerInput::Dense(&[0.25]), &mut state);
/// assert!((state[0][0] - 0.5f32.tanh()).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Layer<const G: usize, const I: usize, const H: usize> {
    /// `weight_ih_l{k}`: (gate, unit, input).
    pub w_ih: &'static [[[f32; I]; H]; G],
    /// `weight_hh_l{k}`: (gate, unit, hidden).
    pub w_hh: &'static [[[f32; H]; H]; G],
    /// `bias_ih_l{k}`: (gate, unit).
    pub b_ih: &'static [[f32; H]; G],
    /// `bias_hh_l{k}`: (gate, unit).
    pub b_hh: &'static [[f32; H]; G],
}

impl<const G: usize, const I: usize, const H: usize> Layer<G, I, H> {
    /// Bytes of its four weight arrays.
    ///
    /// ```
    /// static W_IH: [[[f32; 3]; 2]; 1] = [[[0.0; 3]; 2]];
    /// static W_HH: [[[f32; 2]; 2]; 1] = [[[0.0; 2]; 2]];
    /// static B: [[f32; 2]; 1] = [[0.0; 2]];
    /// let layer = tinyrnn::Layer { w_ih: &W_IH, w_hh: &W_HH, b_ih: &B, b_hh: &B };
    /// assert_eq!(layer.weight_bytes(), 4 * (6 + 4 + 2 + 2));
    /// ```
    pub const fn weight_bytes(&self) -> usize {
        core::mem::size_of::<f32>() * G * H * (I + H + 2)
    }

    /// Advances `state` by one step of `input` with the equations of cell `K`.
    ///
    /// A one-hot index outside `0..I` contributes nothing; the model checks it beforehand.
    #[inline]
    pub fn step<K: Cell<G, S>, const S: usize>(
        &self,
        input: LayerInput<'_, I>,
        state: &mut [[f32; H]; S],
    ) {
        // Both pre-activations are computed from the previous state before the cell
        // overwrites it.
        let mut x_part = [[0.0f32; H]; G];
        match input {
            LayerInput::Dense(x) => affine(self.w_ih, self.b_ih, x, &mut x_part),
            LayerInput::OneHot(t) => affine_one_hot(self.w_ih, self.b_ih, t, &mut x_part),
        }
        let mut h_part = [[0.0f32; H]; G];
        let Some(h) = state.first() else {
            return; // S == 0: a cell without state has nothing to update
        };
        affine(self.w_hh, self.b_hh, h, &mut h_part);
        K::update(&x_part, &h_part, state);
    }
}
