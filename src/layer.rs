//! One recurrent layer: its weights in PyTorch's layout and the step that updates its state.

use crate::cell::Cell;
use crate::linalg::dot_block;

/// Units a layer computes together: each input value loaded is used for `BLOCK` rows of a
/// gate's weights, and the `BLOCK` sums are independent.
pub const BLOCK: usize = 8;

/// What one layer reads at a step: `I` values of type `T` (`f32`; `i16` fixed point for an
/// int8 layer, [`QInput`](crate::quant::QInput)) or a one-hot index.
///
/// ```
/// use tinyrnn::LayerInput;
/// let x = [0.5f32, 1.0];
/// let dense = LayerInput::Dense(&x);
/// let token: LayerInput<'_, 2> = LayerInput::OneHot(1);
/// assert_ne!(dense, token);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LayerInput<'a, const I: usize, T = f32> {
    /// A vector of `I` values: an embedding row, a normalised sample or the layer below's `h`.
    Dense(&'a [T; I]),
    /// The one-hot vector of this index (`< I`): its product with `W_ih` is a column lookup.
    OneHot(usize),
}

/// The weights of one layer with `G` gates of `H` units reading `I` inputs.
///
/// The matrices are PyTorch's `weight_ih_l{k}` (`[G*H, I]`) and `weight_hh_l{k}` (`[G*H, H]`)
/// stored **column-interleaved in blocks of [`BLOCK`] rows**: for each gate `g` and each block
/// `b` of `BLOCK` consecutive units (rows `g*H + b*BLOCK ..`), one `[[f32; BLOCK]; cols]` array
/// whose column `j` holds the `BLOCK` rows' weights for input `j` side by side. The layer reads
/// each input value once per block and the `BLOCK` weights it multiplies with it from one
/// contiguous place (one vector load on the host, consecutive loads on a Cortex-M). A last,
/// partial block of `H % BLOCK` units is padded with zero rows, whose results are discarded.
/// The `H.div_ceil(BLOCK) * G` blocks are stored block of units by block of units, each with its
/// `G` gates in PyTorch's order, so that one pass over the input serves every gate of a block.
/// [`interleave`] turns PyTorch's layout into this one at compile time; `tinyrnn-build` emits
/// it directly.
///
/// Biases stay in PyTorch's layout, as `G` gate rows of `H` values.
///
/// ```
/// use tinyrnn::layer::{interleave, Block, Layer, LayerInput};
/// use tinyrnn::Rnn;
/// // One gate, one unit, one input: h' = tanh(2 x).
/// static W_IH: [Block<1>; 1] = interleave(&[[[2.0]]]);
/// static W_HH: [Block<1>; 1] = interleave(&[[[0.0]]]);
/// static B: [[f32; 1]; 1] = [[0.0]];
/// static LAYER: Layer<1, 1, 1> = Layer::new(&W_IH, &W_HH, &B, &B);
/// let mut state = [[0.0f32; 1]];
/// LAYER.step::<Rnn, 1>(LayerInput::Dense(&[0.25]), &mut state);
/// assert!((state[0][0] - 0.5f32.tanh()).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Layer<const G: usize, const I: usize, const H: usize> {
    /// `weight_ih_l{k}`, interleaved: `G * H.div_ceil(BLOCK)` blocks of `I` columns.
    w_ih: &'static [Block<I>],
    /// `weight_hh_l{k}`, interleaved: `G * H.div_ceil(BLOCK)` blocks of `H` columns.
    w_hh: &'static [Block<H>],
    /// `bias_ih_l{k}`: (gate, unit).
    b_ih: &'static [[f32; H]; G],
    /// `bias_hh_l{k}`: (gate, unit).
    b_hh: &'static [[f32; H]; G],
}

/// `BLOCK` rows of a weight matrix, column-interleaved: `block[j][k]` is row `k`'s weight for
/// input `j`.
pub type Block<const COLS: usize> = [[f32; BLOCK]; COLS];

/// Blocks of [`BLOCK`] rows needed for `h` units: `h.div_ceil(BLOCK)`.
///
/// ```
/// use tinyrnn::layer::{blocks, BLOCK};
/// assert_eq!(blocks(6 * BLOCK), 6);
/// assert_eq!(blocks(BLOCK + 1), 2);
/// ```
pub const fn blocks(h: usize) -> usize {
    h.div_ceil(BLOCK)
}

/// Rearranges a weight matrix from PyTorch's layout, viewed as `(gate, unit, column)`, into the
/// interleaved blocks a [`Layer`] reads (zero rows pad the last block). `N` must be
/// `G * blocks(H)`; in a `static` or `const` initializer a wrong `N` is a compile error.
///
/// ```
/// use tinyrnn::layer::{interleave, Block, BLOCK};
/// // Two gates of BLOCK + 1 units reading two inputs: two blocks of units, the second padded,
/// // each holding both gates.
/// const W: [[[f32; 2]; BLOCK + 1]; 2] = [[[1.0, 2.0]; BLOCK + 1], [[3.0, 4.0]; BLOCK + 1]];
/// const B: [Block<2>; 4] = interleave(&W);
/// assert_eq!(B[0], [[1.0; BLOCK], [2.0; BLOCK]]); // units 0.., gate 0
/// assert_eq!(B[1], [[3.0; BLOCK], [4.0; BLOCK]]); // units 0.., gate 1
/// let mut padded = [0.0; BLOCK];
/// padded[0] = 2.0;
/// assert_eq!(B[2][1], padded); // unit BLOCK, gate 0
/// padded[0] = 4.0;
/// assert_eq!(B[3][1], padded); // unit BLOCK, gate 1
/// ```
pub const fn interleave<const G: usize, const H: usize, const C: usize, const N: usize>(
    w: &[[[f32; C]; H]; G],
) -> [Block<C>; N] {
    assert!(N == G * blocks(H), "N must be G * blocks(H)");
    let mut out = [[[0.0; BLOCK]; C]; N];
    let mut g = 0;
    while g < G {
        let mut u = 0;
        while u < H {
            let mut j = 0;
            while j < C {
                out[(u / BLOCK) * G + g][j][u % BLOCK] = w[g][u][j];
                j += 1;
            }
            u += 1;
        }
        g += 1;
    }
    out
}

impl<const G: usize, const I: usize, const H: usize> Layer<G, I, H> {
    /// A layer from its interleaved weight blocks (see [`interleave`]) and biases.
    ///
    /// Panics if a matrix does not hold `G * blocks(H)` blocks: evaluated in a `static` or
    /// `const` initializer (as generated code does), that is a compile error, never a run-time
    /// panic.
    pub const fn new(
        w_ih: &'static [Block<I>],
        w_hh: &'static [Block<H>],
        b_ih: &'static [[f32; H]; G],
        b_hh: &'static [[f32; H]; G],
    ) -> Self {
        assert!(w_ih.len() == G * blocks(H), "w_ih: G * blocks(H) blocks");
        assert!(w_hh.len() == G * blocks(H), "w_hh: G * blocks(H) blocks");
        Layer {
            w_ih,
            w_hh,
            b_ih,
            b_hh,
        }
    }

    /// `weight_ih_l{k}` as stored: `G * blocks(H)` interleaved blocks (see [`Layer`]).
    ///
    /// ```
    /// use tinyrnn::models::motion;
    /// use tinyrnn::layer::blocks;
    /// assert_eq!(motion::MODEL.layers.first.w_ih().len(), 3 * blocks(motion::HIDDEN));
    /// ```
    pub const fn w_ih(&self) -> &'static [Block<I>] {
        self.w_ih
    }

    /// `weight_hh_l{k}` as stored: `G * blocks(H)` interleaved blocks (see [`Layer`]).
    ///
    /// ```
    /// use tinyrnn::models::motion;
    /// let first = &motion::MODEL.layers.first;
    /// assert_eq!(first.w_hh().len(), first.w_ih().len());
    /// ```
    pub const fn w_hh(&self) -> &'static [Block<H>] {
        self.w_hh
    }

    /// `bias_ih_l{k}`: (gate, unit).
    ///
    /// ```
    /// use tinyrnn::models::motion;
    /// assert_eq!(motion::MODEL.layers.first.b_ih().len(), 3);
    /// ```
    pub const fn b_ih(&self) -> &'static [[f32; H]; G] {
        self.b_ih
    }

    /// `bias_hh_l{k}`: (gate, unit).
    ///
    /// ```
    /// use tinyrnn::models::motion;
    /// assert_eq!(motion::MODEL.layers.first.b_hh()[0].len(), motion::HIDDEN);
    /// ```
    pub const fn b_hh(&self) -> &'static [[f32; H]; G] {
        self.b_hh
    }

    /// Bytes of its four weight arrays in flash, the zero rows of a partial block included.
    ///
    /// ```
    /// use tinyrnn::layer::{interleave, Block, Layer, BLOCK};
    /// static W_IH: [Block<3>; 1] = interleave(&[[[0.0; 3]; 2]]);
    /// static W_HH: [Block<2>; 1] = interleave(&[[[0.0; 2]; 2]]);
    /// static B: [[f32; 2]; 1] = [[0.0; 2]];
    /// let layer: Layer<1, 3, 2> = Layer::new(&W_IH, &W_HH, &B, &B);
    /// // Two units padded to one block of BLOCK rows.
    /// assert_eq!(layer.weight_bytes(), 4 * (BLOCK * 3 + BLOCK * 2 + 2 + 2));
    /// ```
    pub const fn weight_bytes(&self) -> usize {
        core::mem::size_of::<f32>() * (G * blocks(H) * BLOCK * (I + H) + 2 * G * H)
    }

    /// Advances `state` by one step of `input` with the equations of cell `K`.
    ///
    /// The units are computed in blocks of [`BLOCK`]: for each gate, the block's rows of `W_ih`
    /// and then of `W_hh` are multiplied with the input and the previous `h` in one pass over
    /// the columns ([`dot_block`]), the two products summed into one value unless the cell keeps
    /// them apart ([`Cell::SEPARATE`]), and the cell updates the block's units at once. Only a
    /// copy of the previous `h` and a few values per block are kept on the stack. Each
    /// pre-activation is accumulated in a fixed order: `b_ih` (plus `b_hh`), then `W_ih x`
    /// column by column, then `W_hh h` column by column — the same on every target.
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
        self.update::<K, S>(input, &h_prev, state);
    }

    /// [`step`](Self::step), then whether every new state value is finite; if one is not (the
    /// arithmetic overflowed), `state` is put back as it was and the result is `false`.
    ///
    /// The previous state is restored from the copy the step keeps anyway (the previous `h`,
    /// which the cell overwrites block by block; with it an LSTM's `c`), so a single-layer
    /// network needs no copy of its whole state to undo a step.
    #[inline]
    pub(crate) fn step_or_keep<K: Cell<G, S>, const S: usize>(
        &self,
        input: LayerInput<'_, I>,
        state: &mut [[f32; H]; S],
    ) -> bool {
        let before = *state;
        let Some(h_prev) = before.first() else {
            return true; // S == 0: nothing to update
        };
        if self.update::<K, S>(input, h_prev, state) == 0.0 {
            true
        } else {
            *state = before;
            false
        }
    }

    /// Every block's units, from the previous hidden state `h_prev`. Returns 0 if every new
    /// state value is finite, NaN otherwise (see [`block`](Self::block)).
    #[inline(always)]
    fn update<K: Cell<G, S>, const S: usize>(
        &self,
        input: LayerInput<'_, I>,
        h_prev: &[f32; H],
        state: &mut [[f32; H]; S],
    ) -> f32 {
        // Each block's pre-activations, (x-part, h-part) per gate, filled in place block after
        // block: building a new array per block (`array::from_fn`) copied it (`memcpy`, 192 B
        // a block for a GRU), 5 % of a `motion` step on the M4F (the `compact` build still does,
        // see `block`).
        let mut parts = [([0.0; BLOCK], [0.0; BLOCK]); G];
        let mut poison = 0.0;
        for block in 0..blocks(H) {
            poison += self.block::<K, S>(block, input, h_prev, state, &mut parts);
        }
        poison
    }

    /// Updates the units of block `block` (all [`BLOCK`] of them, or those below `H`).
    ///
    /// First every gate's pre-activations for the block, as [`Cell::unit`] takes them:
    /// `(x-parts, h-parts)`, where a gate that is not [`Cell::SEPARATE`] has its sum in the
    /// x-part and 0 in the h-part; all gates in one pass over the input and `h`, or one gate at
    /// a time (see [`ONE_PASS_FOR_ALL_GATES`]), written into `parts`. Then the cell, unit by
    /// unit. Returns 0 if every value it wrote into `state` is finite, NaN otherwise.
    #[inline(always)]
    fn block<K: Cell<G, S>, const S: usize>(
        &self,
        block: usize,
        input: LayerInput<'_, I>,
        h_prev: &[f32; H],
        state: &mut [[f32; H]; S],
        parts: &mut [([f32; BLOCK], [f32; BLOCK]); G],
    ) -> f32 {
        if ONE_PASS_FOR_ALL_GATES {
            let (x, h) = self.parts::<K, S, G>(core::array::from_fn(|g| g), block, input, h_prev);
            for ((p, x), h) in parts.iter_mut().zip(x).zip(h) {
                *p = (x, h);
            }
        } else if cfg!(feature = "compact") {
            // A new array: at `opt-level = "s"` filling `parts` in place (below) is 68 B more
            // code for `motion` on the M4F (the `compact` build's 4 KB budget, BENCHMARKS.md).
            *parts = core::array::from_fn(|g| {
                self.gate(g, K::SEPARATE.get(g) == Some(&true), block, input, h_prev)
            });
        } else {
            for (g, p) in parts.iter_mut().enumerate() {
                let separate = K::SEPARATE.get(g) == Some(&true);
                let (x, h) = self.gate(g, separate, block, input, h_prev);
                p.0 = x;
                // The h-part of a gate that is not separate is 0 (`update` zeroed it once).
                if separate {
                    p.1 = h;
                }
            }
        }
        let parts = &*parts;
        // Whether the values written are finite: with an FPU, their sum times 0 (`v * 0` is ±0
        // for a finite `v`, NaN for ±∞ or NaN), one `vmla` a value where testing each took a
        // `vabs`, a `vcmp`, a `vmrs` and a branch; in soft float, that test on the bits, two
        // integer instructions where a multiply-add is two library calls. Either way the code is
        // removed when the caller does not ask ([`step`](Self::step)).
        let mut poison = 0.0f32;
        for k in 0..BLOCK {
            let at = block * BLOCK + k;
            if at >= H {
                break; // the zero rows of a partial block
            }
            let x = lane(parts, k, |p| &p.0);
            let h = lane(parts, k, |p| &p.1);
            let old = core::array::from_fn(|s| {
                state.get(s).and_then(|v| v.get(at)).copied().unwrap_or(0.0)
            });
            let new = K::unit(x, h, old);
            for (s, v) in state.iter_mut().zip(new) {
                if SOFT_FLOAT {
                    if !v.is_finite() {
                        poison = f32::NAN;
                    }
                } else {
                    poison += v * 0.0;
                }
                if let Some(slot) = s.get_mut(at) {
                    *slot = v;
                }
            }
        }
        poison
    }

    /// Gate `g`'s pre-activations for the units of block `block`: `(x-part, h-part)`, or
    /// `(sum, 0)` unless `separate`, summed in the order [`parts`](Self::parts) sums them.
    ///
    /// The same sums as `parts::<K, S, 1>([g], ..)`, written for one gate because that is what
    /// LLVM keeps in registers on the M4F: going through `parts` measured 3.81 / 3.33 / 3.42 /
    /// 3.61 instructions per MAC (motion / seed / sentiment / vowels) against 3.64 / 3.27 /
    /// 3.33 / 3.46 with this function. `tools/compare-host-qemu.sh` checks that both paths give
    /// the same bits.
    #[inline(always)]
    fn gate(
        &self,
        g: usize,
        separate: bool,
        block: usize,
        input: LayerInput<'_, I>,
        h_prev: &[f32; H],
    ) -> ([f32; BLOCK], [f32; BLOCK]) {
        let Some(at) = block.checked_mul(G).and_then(|at| at.checked_add(g)) else {
            return ([0.0; BLOCK], [0.0; BLOCK]); // not reached
        };
        let (Some(w_ih), Some(w_hh)) = (self.w_ih.get(at), self.w_hh.get(at)) else {
            return ([0.0; BLOCK], [0.0; BLOCK]); // g >= G or block >= blocks(H): not reached
        };
        let unit = block * BLOCK;
        let b_ih = bias_block(self.b_ih.get(g), unit);
        let b_hh = bias_block(self.b_hh.get(g), unit);
        let mut x_acc = b_ih;
        if !separate {
            for (a, b) in x_acc.iter_mut().zip(b_hh) {
                *a += b;
            }
        }
        let [x_acc] = match input {
            LayerInput::Dense(x) => dot_block([w_ih], x, [x_acc]),
            LayerInput::OneHot(t) => {
                if let Some(column) = w_ih.get(t) {
                    for (a, w) in x_acc.iter_mut().zip(column) {
                        *a += w;
                    }
                }
                [x_acc]
            }
        };
        if separate {
            let [h_acc] = dot_block([w_hh], h_prev, [b_hh]);
            (x_acc, h_acc)
        } else {
            let [sum] = dot_block([w_hh], h_prev, [x_acc]);
            (sum, [0.0; BLOCK])
        }
    }

    /// The pre-activations of gates `gates` (indices below `G`) for the units of block
    /// `block`, in one pass over the input and one over `h`: `(x-parts, h-parts)` as in
    /// [`block`](Self::block). Each sum is accumulated in a fixed order:
    /// `b_ih` (plus `b_hh` unless separate), then `W_ih x` column by column, then `W_hh h`
    /// column by column (from `b_hh` for a separate gate).
    #[inline(always)]
    fn parts<K: Cell<G, S>, const S: usize, const N: usize>(
        &self,
        gates: [usize; N],
        block: usize,
        input: LayerInput<'_, I>,
        h_prev: &[f32; H],
    ) -> ([[f32; BLOCK]; N], [[f32; BLOCK]; N]) {
        let (Some(w_ih), Some(w_hh)) = (
            gate_blocks::<I, G, N>(self.w_ih, block, gates),
            gate_blocks::<H, G, N>(self.w_hh, block, gates),
        ) else {
            return ([[0.0; BLOCK]; N], [[0.0; BLOCK]; N]); // block >= blocks(H): not reached
        };
        let separate = gates.map(|g| K::SEPARATE.get(g) == Some(&true));
        let unit = block * BLOCK;
        let b_hh = gates.map(|g| bias_block(self.b_hh.get(g), unit));
        let mut x_acc = gates.map(|g| bias_block(self.b_ih.get(g), unit));
        for ((a, b), separate) in x_acc.iter_mut().zip(&b_hh).zip(separate) {
            if !separate {
                for (a, b) in a.iter_mut().zip(b) {
                    *a += b;
                }
            }
        }
        x_acc = match input {
            LayerInput::Dense(x) => dot_block(w_ih, x, x_acc),
            LayerInput::OneHot(t) => {
                for (a, w) in x_acc.iter_mut().zip(w_ih) {
                    if let Some(column) = w.get(t) {
                        for (a, w) in a.iter_mut().zip(column) {
                            *a += w;
                        }
                    }
                }
                x_acc
            }
        };
        // A separate gate's h-part starts from b_hh; the others go on from their x-part.
        let mut start = x_acc;
        for ((s, b), separate) in start.iter_mut().zip(b_hh).zip(separate) {
            if separate {
                *s = b;
            }
        }
        let h_acc = dot_block(w_hh, h_prev, start);
        let mut x_out = x_acc;
        let mut h_out = [[0.0; BLOCK]; N];
        for (((xo, ho), ha), separate) in x_out.iter_mut().zip(&mut h_out).zip(h_acc).zip(separate)
        {
            if separate {
                *ho = ha;
            } else {
                *xo = ha;
            }
        }
        (x_out, h_out)
    }
}

/// Lane `k` of each gate's block of pre-activations (the x- or h-part, as `part` picks):
/// one unit's `G` values, as [`Cell::unit`] takes them. Read in place: an array of references
/// to the parts first (`each_ref().map(..)`) is not optimised away at `opt-level = "s"` and
/// cost `motion` 11 % more instructions per step in the `compact` build.
#[inline(always)]
fn lane<const G: usize>(
    parts: &[([f32; BLOCK], [f32; BLOCK]); G],
    k: usize,
    part: impl Fn(&([f32; BLOCK], [f32; BLOCK])) -> &[f32; BLOCK],
) -> [f32; G] {
    core::array::from_fn(|g| {
        parts
            .get(g)
            .and_then(|p| part(p).get(k))
            .copied()
            .unwrap_or(0.0)
    })
}

/// Whether a layer walks the input once for all gates of a block (`G · BLOCK` running sums) or
/// once per gate (`BLOCK` sums). On the host, one pass is fastest: each input value is loaded
/// once, the `G` gates' sums are independent chains of SIMD additions, and there are enough
/// vector registers. A Cortex-M FPU has 32 single-precision registers, which `3 · 8` or `4 · 8`
/// sums plus the weights overflow (measured: the GRU models went from 3.6-3.8 to 5.1-5.4
/// instructions per MAC on the M4F), so there it goes gate by gate. Either way each sum is
/// accumulated in the same order, so the results are bit-identical.
const ONE_PASS_FOR_ALL_GATES: bool = !cfg!(target_arch = "arm");

/// Whether `f32` arithmetic is done in software (the Cortex-M targets without an FPU: `eabi`).
const SOFT_FLOAT: bool = cfg!(all(target_arch = "arm", target_abi = "eabi"));

/// The weight blocks of gates `gates` for unit block `block` (stored block by block, each with
/// its `G` gates).
#[inline(always)]
fn gate_blocks<const C: usize, const G: usize, const N: usize>(
    w: &'static [Block<C>],
    block: usize,
    gates: [usize; N],
) -> Option<[&'static Block<C>; N]> {
    let at = block.checked_mul(G)?;
    let all = w.get(at..at.checked_add(G)?)?;
    let first = all.first()?;
    Some(gates.map(|g| all.get(g).unwrap_or(first)))
}

/// `b[unit..unit + BLOCK]`, zero beyond the end (a partial block).
#[inline(always)]
fn bias_block<const H: usize>(b: Option<&[f32; H]>, unit: usize) -> [f32; BLOCK] {
    core::array::from_fn(|k| b.and_then(|b| b.get(unit + k)).copied().unwrap_or(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lstm;

    static B: [[f32; 2]; 4] = [[0.0; 2]; 4];
    static HH: [Block<2>; 4] = interleave(&[[[0.5, -0.5], [0.25, 0.75]]; 4]);
    static SMALL: [Block<2>; 4] = interleave(&[[[0.5, 0.25], [-0.5, 0.75]]; 4]);
    /// The input `[2, 2]` makes `+inf + -inf` in every gate.
    static HUGE: [Block<2>; 4] = interleave(&[[[3e38, -3e38], [-3e38, 3e38]]; 4]);

    /// The layer's own undo (used on the Cortex-M cores only, `network::UNDO_IN_LAYER`, so
    /// tested here on every target): a finite step gives the bits of `step`; an overflowing one
    /// puts `h` and the LSTM's `c` back.
    #[test]
    fn step_or_keep_steps_like_step_and_undoes_an_overflow() {
        let small = Layer::new(&SMALL, &HH, &B, &B);
        let huge = Layer::new(&HUGE, &HH, &B, &B);
        let (mut state, mut plain) = ([[0.0f32; 2]; 2], [[0.0f32; 2]; 2]);
        for x in [0.3, -0.7, 1.1] {
            assert!(small.step_or_keep::<Lstm, 2>(LayerInput::Dense(&[x, 0.5]), &mut state));
            small.step::<Lstm, 2>(LayerInput::Dense(&[x, 0.5]), &mut plain);
            assert_eq!(
                state.map(|v| v.map(f32::to_bits)),
                plain.map(|v| v.map(f32::to_bits))
            );
        }
        assert!(state.iter().flatten().all(|&v| v != 0.0));
        let before = state;
        assert!(!huge.step_or_keep::<Lstm, 2>(LayerInput::Dense(&[2.0, 2.0]), &mut state));
        assert_eq!(state, before);
        assert!(small.step_or_keep::<Lstm, 2>(LayerInput::Dense(&[0.1, 0.1]), &mut state));
        assert_ne!(state, before);
    }
}
