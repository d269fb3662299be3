use super::knn::{check_data, knn, KnnAlgorithm, Metric};
use crate::error::{Error, ParamError, Result};
use ndarray::ArrayView2;
use rayon::prelude::*;

/// Trustworthiness of an embedding: how many of each point's nearest
/// neighbours in the embedding were also near it in the original space.
///
/// `T(k) = 1 - 2 / (n k (2n - 3k - 1)) sum_i sum_{j in U_k(i)} max(0, r(i, j) - k)`
/// where `U_k(i)` are the `k` nearest neighbours of `i` in the embedding and
/// `r(i, j)` is the rank of `j` among `i`'s neighbours in the original space
/// (1 = nearest). `T = 1` when every embedded neighbourhood is a true one.
/// Same definition and normalisation as `sklearn.manifold.trustworthiness`
/// (Euclidean distance in the embedding).
///
/// ## References
/// - J. Venna, S. Kaski (2001), Neighborhood preservation in nonlinear
///   projection methods: an experimental study, ICANN 2001, LNCS 2130:485-491.
///
/// Trustworthiness of `embedding` as a map of `data` with `n_neighbors`
/// neighbours (scikit-learn's default is 5), distances in `data` by `metric`.
///
/// # Shapes
/// `data`: `(n, n_features)`, `embedding`: `(n, n_components)`.
///
/// # Examples
/// ```
/// use canns::embed::{trustworthiness, Metric};
/// use canns::ndarray::Array2;
/// let x = Array2::from_shape_fn((40, 3), |(i, j)| (i * (j + 1)) as f64);
/// let t = trustworthiness(&x.view(), &x.view(), 5, Metric::Euclidean)?;
/// assert!((t - 1.0).abs() < 1e-12); // the identity map is perfectly trustworthy
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Shape`] when the row counts differ; [`Error::Param`] unless
/// `1 <= n_neighbors < n / 2` (as scikit-learn).
pub fn trustworthiness(
    data: &ArrayView2<f64>,
    embedding: &ArrayView2<f64>,
    n_neighbors: usize,
    metric: Metric,
) -> Result<f64> {
    check_data("trustworthiness data", data)?;
    check_data("trustworthiness embedding", embedding)?;
    let n = data.nrows();
    if embedding.nrows() != n {
        return Err(Error::shape("embedding rows", n, embedding.nrows()));
    }
    let k = n_neighbors;
    if k == 0 || 2 * k >= n {
        return Err(ParamError::new(
            "n_neighbors",
            format!("in 1..{} (< n / 2)", n.div_ceil(2)),
            k,
        )
        .into());
    }
    let nn = knn(embedding, k + 1, Metric::Euclidean, KnnAlgorithm::Auto)?;
    let penalty: f64 = (0..n)
        .into_par_iter()
        .map(|i| {
            let xi = data.row(i);
            let mut d: Vec<f64> = (0..n)
                .filter(|&l| l != i)
                .map(|l| metric.distance(&xi, &data.row(l)))
                .collect();
            d.sort_unstable_by(f64::total_cmp);
            let mut t = 0.0;
            for &j in nn.indices.row(i).iter().skip(1) {
                let dij = metric.distance(&xi, &data.row(j));
                let rank = d.partition_point(|&x| x < dij) + 1;
                if rank > k {
                    t += (rank - k) as f64;
                }
            }
            t
        })
        .sum();
    let (nf, kf) = (n as f64, k as f64);
    Ok(1.0 - penalty * (2.0 / (nf * kf * (2.0 * nf - 3.0 * kf - 1.0))))
}
