//! The two kernels every layer is made of: a dot product and a gate-major matrix-vector product.
//!
//! Weights are stored row by row (`[rows][cols]`), so each output's dot product reads one
//! contiguous row. Iterators over fixed-size arrays keep the loops free of bounds checks.

/// `Σ a[i] * b[i]`, accumulated in index order.
///
/// ```
/// assert_eq!(tinyrnn::linalg::dot(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]), 32.0);
/// ```
#[inline]
pub fn dot<const N: usize>(a: &[f32; N], b: &[f32; N]) -> f32 {
    a.iter().zip(b.iter()).fold(0.0, |acc, (x, y)| acc + x * y)
}

/// `out[g][j] = bias[g][j] + w[g][j] · x` for every gate `g` and unit `j`.
///
/// `w` is PyTorch's `[G*H, N]` weight seen as `G` blocks of `H` rows.
///
/// ```
/// let w = [[[1.0, 0.0], [0.0, 2.0]]]; // one gate, two units, two inputs
/// let b = [[0.5, -0.5]];
/// let mut out = [[0.0; 2]];
/// tinyrnn::linalg::affine(&w, &b, &[3.0, 4.0], &mut out);
/// assert_eq!(out, [[3.5, 7.5]]);
/// ```
#[inline]
pub fn affine<const G: usize, const H: usize, const N: usize>(
    w: &[[[f32; N]; H]; G],
    bias: &[[f32; H]; G],
    x: &[f32; N],
    out: &mut [[f32; H]; G],
) {
    for ((w_g, b_g), out_g) in w.iter().zip(bias.iter()).zip(out.iter_mut()) {
        for ((row, b), o) in w_g.iter().zip(b_g.iter()).zip(out_g.iter_mut()) {
            *o = b + dot(row, x);
        }
    }
}

/// `out[g][j] = bias[g][j] + w[g][j][column]`: the product of `w` with the one-hot vector of
/// `column`, computed as a lookup. An out-of-range column contributes nothing (callers check
/// the range first and report it as an error).
///
/// ```
/// let w = [[[1.0, 2.0], [3.0, 4.0]]];
/// let mut out = [[0.0; 2]];
/// tinyrnn::linalg::affine_one_hot(&w, &[[0.5, 0.5]], 1, &mut out);
/// assert_eq!(out, [[2.5, 4.5]]);
/// ```
#[inline]
pub fn affine_one_hot<const G: usize, const H: usize, const N: usize>(
    w: &[[[f32; N]; H]; G],
    bias: &[[f32; H]; G],
    column: usize,
    out: &mut [[f32; H]; G],
) {
    for ((w_g, b_g), out_g) in w.iter().zip(bias.iter()).zip(out.iter_mut()) {
        for ((row, b), o) in w_g.iter().zip(b_g.iter()).zip(out_g.iter_mut()) {
            *o = b + row.get(column).copied().unwrap_or(0.0);
        }
    }
}
