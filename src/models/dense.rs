//! Dense kernels shared by the weight-matrix networks (Hopfield, linear and
//! spiking layers) and their learning rules: dot products with independent
//! accumulators (so the compiler can keep several vector lanes busy), and
//! seeded Gaussian weight matrices.

use ndarray::Array2;
use rand::rngs::SmallRng;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};

/// `sum_i a_i b_i` over the common length, with eight partial sums.
#[inline]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut tail = 0.0;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// `y += alpha x` over the common length.
#[inline]
pub(crate) fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// `out = W x` for a row-major `W` (rows of length `x.len()`).
#[inline]
pub(crate) fn matvec(w: &[f64], x: &[f64], out: &mut [f64]) {
    let n = x.len();
    for (o, row) in out.iter_mut().zip(w.chunks_exact(n.max(1))) {
        *o = dot(row, x);
    }
}

/// A `rows x cols` matrix of independent `mean + std * N(0, 1)` entries drawn
/// from a generator seeded with `seed` (row-major order).
pub(crate) fn gaussian_matrix(
    rows: usize,
    cols: usize,
    mean: f64,
    std: f64,
    seed: u64,
) -> Array2<f64> {
    let mut rng = SmallRng::seed_from_u64(seed);
    Array2::from_shape_simple_fn((rows, cols), || {
        let z: f64 = StandardNormal.sample(&mut rng);
        mean + std * z
    })
}

/// The first non-finite entry of `v`, as `(index, value)`.
pub(crate) fn first_non_finite<'a>(v: impl IntoIterator<Item = &'a f64>) -> Option<(usize, f64)> {
    v.into_iter()
        .enumerate()
        .find(|(_, x)| !x.is_finite())
        .map(|(i, &x)| (i, x))
}

/// Checks principal components given as rows of `n_in` values: at least one
/// row, the right width, every value finite.
///
/// # Errors
/// [`crate::Error::Shape`] naming `components`, or [`crate::Error::Invalid`]
/// naming the first non-finite entry and its value.
pub(crate) fn check_components(
    components: &ndarray::ArrayView2<f64>,
    n_in: usize,
) -> crate::Result<()> {
    if components.nrows() == 0 || components.ncols() != n_in {
        return Err(crate::Error::shape(
            "components",
            format!("(k >= 1, {n_in})"),
            format!("{:?}", components.dim()),
        ));
    }
    if let Some((i, v)) = first_non_finite(components.iter()) {
        return Err(crate::Error::Invalid(format!(
            "components[{}, {}] must be finite (got {v})",
            i / n_in,
            i % n_in
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_the_plain_sum_for_every_remainder() {
        for n in 0..40 {
            let a: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
            let b: Vec<f64> = (0..n).map(|i| (i as f64 * 0.11).cos()).collect();
            let want: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot(&a, &b) - want).abs() < 1e-12, "n = {n}");
        }
    }

    #[test]
    fn gaussian_matrix_is_seeded() {
        let a = gaussian_matrix(3, 4, 0.0, 1.0, 7);
        assert_eq!(a, gaussian_matrix(3, 4, 0.0, 1.0, 7));
        assert_ne!(a, gaussian_matrix(3, 4, 0.0, 1.0, 8));
    }
}
