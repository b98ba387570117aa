//! The kernels every layer is made of: a dot product, and the dot products of a block of rows
//! with one vector.
//!
//! A layer's weights are stored in blocks of `B` rows interleaved by column (`[cols][B]`, see
//! [`Layer`](crate::Layer)). [`dot_block`] walks the columns once for the `B` rows, so each input
//! value is loaded once per block, the `B` weights it meets are contiguous (one SIMD multiply
//! and add on the host), and the `B` running sums are independent (the FPU pipeline never waits
//! on one of them). Each row's sum is still accumulated in column order, starting from the
//! value passed in, with a separate multiply and add (never fused), so the result is the same
//! bit for bit on every target. Iterators over fixed-size arrays keep the loops free of bounds
//! checks.

/// `Σ a[i] * b[i]`, accumulated in index order.
///
/// ```
/// assert_eq!(tinyrnn::linalg::dot(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]), 32.0);
/// ```
#[inline]
pub fn dot<const N: usize>(a: &[f32; N], b: &[f32; N]) -> f32 {
    a.iter().zip(b.iter()).fold(0.0, |acc, (x, y)| acc + x * y)
}

/// `acc[g][k] + Σ_j blocks[g][j][k] · x[j]` for the `B` interleaved rows of each of the `G`
/// blocks: each sum starts from `acc[g][k]` and adds `blocks[g][j][k] * x[j]` for
/// `j = 0, 1, …` in order. One pass over `x` serves all `G · B` rows.
///
/// ```
/// // Rows [1, 2], [3, 4] and [0.5, 0], interleaved by column, as one block.
/// let block = [[1.0, 3.0, 0.5], [2.0, 4.0, 0.0]];
/// let out = tinyrnn::linalg::dot_block([&block], &[10.0, 1.0], [[0.0, 1.0, -1.0]]);
/// assert_eq!(out, [[12.0, 35.0, 4.0]]);
/// ```
#[inline(always)]
pub fn dot_block<const G: usize, const B: usize, const N: usize>(
    blocks: [&[[f32; B]; N]; G],
    x: &[f32; N],
    acc: [[f32; B]; G],
) -> [[f32; B]; G] {
    let mut acc = acc;
    for (j, v) in x.iter().enumerate() {
        for (a, block) in acc.iter_mut().zip(blocks) {
            // `j < N`: the check is compiled away.
            if let Some(column) = block.get(j) {
                for (a, w) in a.iter_mut().zip(column) {
                    *a += w * v;
                }
            }
        }
    }
    acc
}
