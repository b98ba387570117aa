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
    if cfg!(feature = "compact") {
        for (a, block) in acc.iter_mut().zip(blocks) {
            *a = dot_rows_rolled(block, x, *a);
        }
        return acc;
    }
    walk(blocks, x, acc)
}

/// [`dot_block`] without the `compact` feature: one pass over `x` for all `G · B` rows, their
/// sums independent (all in registers on the host; several SIMD chains).
#[inline(always)]
fn walk<const G: usize, const B: usize, const N: usize>(
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

/// [`dot_block`] of one block with the `compact` feature: four rows at a time (then one by one
/// for the rows left over), four running sums in registers, the loops left rolled. Small code,
/// about 1.6x the instructions per MAC of the interleaved walk, which keeps all `B` lanes. Each
/// row still adds its products in column order from the same start, so the bits do not change.
#[inline(always)]
fn dot_rows_rolled<const B: usize, const N: usize>(
    block: &[[f32; B]; N],
    x: &[f32; N],
    acc: [f32; B],
) -> [f32; B] {
    let mut acc = acc;
    let mut quads = acc.chunks_exact_mut(4);
    for (q, a) in quads.by_ref().enumerate() {
        let [mut s0, mut s1, mut s2, mut s3] = [0.0; 4];
        if let [a0, a1, a2, a3] = a {
            [s0, s1, s2, s3] = [*a0, *a1, *a2, *a3];
        }
        for (column, v) in block.iter().zip(x) {
            if let Some(&[w0, w1, w2, w3]) = column.get(4 * q..4 * q + 4) {
                s0 += w0 * v;
                s1 += w1 * v;
                s2 += w2 * v;
                s3 += w3 * v;
            }
        }
        if let [a0, a1, a2, a3] = a {
            [*a0, *a1, *a2, *a3] = [s0, s1, s2, s3];
        }
    }
    let done = B - B % 4;
    for (k, a) in quads.into_remainder().iter_mut().enumerate() {
        let mut sum = *a;
        for (column, v) in block.iter().zip(x) {
            if let Some(w) = column.get(done + k) {
                sum += w * v;
            }
        }
        *a = sum;
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values of many magnitudes and signs, so that any change in the order of the additions
    /// would change some bits.
    fn values<const N: usize>(seed: &mut u32) -> [f32; N] {
        core::array::from_fn(|_| {
            *seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let mantissa = (*seed >> 9) as f32 / (1u32 << 23) as f32 - 0.5;
            mantissa * [1e-3, 1.0, 37.0, 1e4][(*seed & 3) as usize]
        })
    }

    fn same_bits<const B: usize, const N: usize>(seed: &mut u32) {
        let block: [[f32; B]; N] = core::array::from_fn(|_| values(seed));
        let x: [f32; N] = values(seed);
        let start: [f32; B] = values(seed);
        let [walked] = walk([&block], &x, [start]);
        let rolled = dot_rows_rolled(&block, &x, start);
        assert_eq!(
            walked.map(f32::to_bits),
            rolled.map(f32::to_bits),
            "B={B} N={N}"
        );
    }

    #[test]
    fn the_compact_kernel_gives_the_bits_of_the_interleaved_walk() {
        let mut seed = 7;
        for _ in 0..50 {
            same_bits::<8, 1>(&mut seed);
            same_bits::<8, 6>(&mut seed);
            same_bits::<8, 32>(&mut seed);
            same_bits::<3, 5>(&mut seed);
            same_bits::<5, 13>(&mut seed);
            same_bits::<4, 2>(&mut seed);
            same_bits::<1, 9>(&mut seed);
        }
    }
}
