//! The kernels every layer is made of: a dot product, and the dot products of a block of rows
//! with one vector.
//!
//! Weights are stored row by row (`[rows][cols]`). [`dot_rows`] walks the columns once for `B`
//! rows, so each input value is loaded once per block instead of once per row, and the `B`
//! running sums are independent (the FPU pipeline never waits on one of them). Each row's sum
//! is still accumulated in column order, starting from the value passed in, so the result is
//! the same on every target. Iterators over fixed-size arrays keep the loops free of bounds
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

/// `acc[k] + rows[k] · x` for each of the `B` rows: each sum starts from `acc[k]` and adds
/// `rows[k][j] * x[j]` for `j = 0, 1, …` in order.
///
/// ```
/// let rows = [[1.0, 2.0], [3.0, 4.0], [0.5, 0.0]];
/// let out = tinyrnn::linalg::dot_rows(&rows, &[10.0, 1.0], [0.0, 1.0, -1.0]);
/// assert_eq!(out, [12.0, 35.0, 4.0]);
/// ```
#[inline(always)]
pub fn dot_rows<const B: usize, const N: usize>(
    rows: &[[f32; N]; B],
    x: &[f32; N],
    acc: [f32; B],
) -> [f32; B] {
    let mut acc = acc;
    for (j, v) in x.iter().enumerate() {
        for (a, row) in acc.iter_mut().zip(rows.iter()) {
            // `j < N`: the check is compiled away.
            if let Some(w) = row.get(j) {
                *a += w * v;
            }
        }
    }
    acc
}
