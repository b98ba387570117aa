//! One recurrent layer: its weights in PyTorch's layout and the step that updates its state.

use crate::cell::Cell;
use crate::linalg::dot_rows;

/// Units a layer computes together: each input value loaded is used for `BLOCK` rows of a
/// gate's weights, and the `BLOCK` sums are independent.
pub const BLOCK: usize = 4;

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
    /// The units are computed in blocks of [`BLOCK`] (then one by one for the rest): for each
    /// gate, the block's rows of `W_ih` and then of `W_hh` are multiplied with the input and the
    /// previous `h` in one pass over the columns ([`dot_rows`]), the two products summed into
    /// one value unless the cell keeps them apart ([`Cell::SEPARATE`]), and the cell updates the
    /// block's units at once. Only a copy of the previous `h` and a few values per block are
    /// kept on the stack. Each pre-activation is accumulated in a fixed order: `b_ih` (plus
    /// `b_hh`), then `W_ih x` column by column, then `W_hh h` column by column.
    ///
    /// A one-hot index outside `0..I` contributes nothing; the model checks it beforehand.
    #[inline]
    pub fn step<K: Cell<G, S>, const S: usize>(
        &self,
        input: LayerInput<'_, I>,
        state: &mut [[f32; H]; S],
    ) {
        // Every unit's gates read the previous `h`, but the cell overwrites it block by block.
        let Some(&h_prev) = state.first() else {
            return; // S == 0: a cell without state has nothing to update
        };
        let mut unit = 0;
        while unit + BLOCK <= H {
            self.block::<K, S, BLOCK>(unit, input, &h_prev, state);
            unit += BLOCK;
        }
        while unit < H {
            self.block::<K, S, 1>(unit, input, &h_prev, state);
            unit += 1;
        }
    }

    /// Updates units `unit..unit + B`.
    #[inline(always)]
    fn block<K: Cell<G, S>, const S: usize, const B: usize>(
        &self,
        unit: usize,
        input: LayerInput<'_, I>,
        h_prev: &[f32; H],
        state: &mut [[f32; H]; S],
    ) {
        // Per gate, per unit of the block: the input (or summed) and the recurrent parts.
        let parts: [([f32; B], [f32; B]); G] = core::array::from_fn(|g| {
            self.gate::<B>(g, K::SEPARATE.get(g) == Some(&true), unit, input, h_prev)
        });
        for k in 0..B {
            let x = core::array::from_fn(|g| {
                parts
                    .get(g)
                    .and_then(|p| p.0.get(k))
                    .copied()
                    .unwrap_or(0.0)
            });
            let h = core::array::from_fn(|g| {
                parts
                    .get(g)
                    .and_then(|p| p.1.get(k))
                    .copied()
                    .unwrap_or(0.0)
            });
            let at = unit + k;
            let old = core::array::from_fn(|s| {
                state.get(s).and_then(|v| v.get(at)).copied().unwrap_or(0.0)
            });
            let new = K::unit(x, h, old);
            for (s, v) in state.iter_mut().zip(new) {
                if let Some(slot) = s.get_mut(at) {
                    *slot = v;
                }
            }
        }
    }

    /// Gate `g`'s pre-activations for units `unit..unit + B`: `(x-part, h-part)`, or
    /// `(sum, 0)` unless `separate`.
    #[inline(always)]
    fn gate<const B: usize>(
        &self,
        g: usize,
        separate: bool,
        unit: usize,
        input: LayerInput<'_, I>,
        h_prev: &[f32; H],
    ) -> ([f32; B], [f32; B]) {
        let (Some(w_ih), Some(w_hh), Some(b_ih), Some(b_hh)) = (
            self.w_ih.get(g).and_then(|w| block_of::<_, B>(w, unit)),
            self.w_hh.get(g).and_then(|w| block_of::<_, B>(w, unit)),
            self.b_ih.get(g).and_then(|b| block_of::<_, B>(b, unit)),
            self.b_hh.get(g).and_then(|b| block_of::<_, B>(b, unit)),
        ) else {
            return ([0.0; B], [0.0; B]); // g >= G or unit + B > H: not reached
        };
        let mut x_acc = *b_ih;
        if !separate {
            for (a, b) in x_acc.iter_mut().zip(b_hh) {
                *a += b;
            }
        }
        x_acc = match input {
            LayerInput::Dense(x) => dot_rows(w_ih, x, x_acc),
            LayerInput::OneHot(t) => {
                for (a, row) in x_acc.iter_mut().zip(w_ih) {
                    *a += row.get(t).copied().unwrap_or(0.0);
                }
                x_acc
            }
        };
        if separate {
            (x_acc, dot_rows(w_hh, h_prev, *b_hh))
        } else {
            (dot_rows(w_hh, h_prev, x_acc), [0.0; B])
        }
    }
}

/// `v[at..at + B]` as an array, if it fits.
#[inline(always)]
fn block_of<T, const B: usize>(v: &[T], at: usize) -> Option<&[T; B]> {
    v.get(at..at.checked_add(B)?)?.try_into().ok()
}
