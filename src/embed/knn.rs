use crate::error::{Error, ParamError, Result};
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, Axis};
use petal_neighbors::distance::Metric as PetalMetric;
use petal_neighbors::BallTree;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Distance between data points.
///
/// # Example
/// ```
/// use canns::embed::Metric;
/// use canns::ndarray::array;
/// let (a, b) = (array![1.0, 0.0], array![0.0, 2.0]);
/// assert!((Metric::Euclidean.distance(&a.view(), &b.view()) - 5f64.sqrt()).abs() < 1e-12);
/// assert_eq!(Metric::Manhattan.distance(&a.view(), &b.view()), 3.0);
/// // Orthogonal directions: cosine distance 1 whatever the lengths.
/// assert_eq!(Metric::Cosine.distance(&a.view(), &b.view()), 1.0);
/// assert_eq!(Metric::parse("L1")?, Metric::Manhattan);
/// let err = Metric::parse("hamming").unwrap_err().to_string();
/// assert!(err.contains("metric") && err.contains("hamming"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// `sqrt(sum_i (x_i - y_i)^2)`.
    #[default]
    Euclidean,
    /// `1 - x.y / (|x| |y|)`. Neighbours are found as Euclidean neighbours of
    /// the unit-normalised rows (the same order); a zero row is at cosine
    /// distance 0.5 from every non-zero row (umap-learn uses 1).
    Cosine,
    /// `sum_i |x_i - y_i|` (city block, L1).
    Manhattan,
}

impl Metric {
    /// The distance between two points.
    pub fn distance(self, a: &ArrayView1<f64>, b: &ArrayView1<f64>) -> f64 {
        match self {
            Metric::Euclidean => sq_dist(a, b).sqrt(),
            Metric::Manhattan => a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum(),
            Metric::Cosine => {
                let (na, nb) = (a.dot(a).sqrt(), b.dot(b).sqrt());
                match (na > 0.0, nb > 0.0) {
                    (false, false) => 0.0,
                    (true, true) => (1.0 - a.dot(b) / (na * nb)).max(0.0),
                    _ => 0.5,
                }
            }
        }
    }

    /// Parses `euclidean`, `cosine` or `manhattan` (also `l2`, `l1`, `cityblock`).
    ///
    /// # Errors
    /// [`Error::Param`] naming `metric` for anything else.
    pub fn parse(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "euclidean" | "l2" => Ok(Metric::Euclidean),
            "cosine" => Ok(Metric::Cosine),
            "manhattan" | "l1" | "cityblock" | "taxicab" => Ok(Metric::Manhattan),
            _ => Err(ParamError::new("metric", "euclidean, cosine or manhattan", name).into()),
        }
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Metric::Euclidean => "euclidean",
            Metric::Cosine => "cosine",
            Metric::Manhattan => "manhattan",
        })
    }
}

/// How [`knn`] searches.
///
/// # Example
/// ```
/// use canns::embed::{knn, KnnAlgorithm, Metric};
/// use canns::ndarray::Array2;
/// // Both exact searches find the same neighbours; only their speed differs.
/// let x = Array2::from_shape_fn((40, 3), |(i, j)| ((i * 7 + j * 3) % 11) as f64 + 0.01 * i as f64);
/// let tree = knn(&x.view(), 4, Metric::Euclidean, KnnAlgorithm::BallTree)?;
/// let brute = knn(&x.view(), 4, Metric::Euclidean, KnnAlgorithm::BruteForce)?;
/// assert_eq!(tree.indices, brute.indices);
/// assert!((&tree.distances - &brute.distances).iter().all(|d| d.abs() < 1e-9));
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum KnnAlgorithm {
    /// Ball tree up to [`BALL_TREE_MAX_FEATURES`] features, brute force above.
    #[default]
    Auto,
    /// petal-neighbors' ball tree.
    BallTree,
    /// All pairwise distances, by blocks.
    BruteForce,
}

/// With more features than this, [`KnnAlgorithm::Auto`] uses brute force: a
/// tree then prunes too little to pay for itself (measured on a noisy circle
/// in R^50, 10k points: brute force several times faster than the tree).
pub const BALL_TREE_MAX_FEATURES: usize = 12;

/// Exact k-nearest neighbours of every point of a data set.
///
/// Two exact algorithms: a ball tree (petal-neighbors), fast when the data
/// have few features, and a blocked brute force that computes squared
/// distances as `|x|^2 + |y|^2 - 2 x.y` with matrix products (rayon over
/// blocks of query rows), which wins in high dimension where a tree prunes
/// little. Both return the same neighbours: each point is its own first
/// neighbour (distance 0, as umap-learn's kNN), ties are broken by index.
///
/// The `k` nearest neighbours of every point.
///
/// # Example
/// ```
/// use canns::embed::{knn, KnnAlgorithm, Metric};
/// use canns::ndarray::array;
/// let x = array![[0.0, 0.0], [0.0, 1.0], [5.0, 0.0], [5.0, 2.0]];
/// let nn = knn(&x.view(), 3, Metric::Manhattan, KnnAlgorithm::Auto)?;
/// assert_eq!((nn.n_points(), nn.k(), nn.metric), (4, 3, Metric::Manhattan));
/// // Each point is its own first neighbour; point 3's next are 2 (at 2) and 1 (at 6).
/// assert_eq!(nn.indices.row(3).to_vec(), vec![3, 2, 1]);
/// assert_eq!(nn.distances.row(3).to_vec(), vec![0.0, 2.0, 6.0]);
/// // More neighbours than points is an error naming the field.
/// let err = knn(&x.view(), 5, Metric::Euclidean, KnnAlgorithm::Auto).unwrap_err();
/// assert!(err.to_string().contains("n_neighbors"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Knn {
    /// `indices[[i, j]]`: the `j`-th nearest neighbour of point `i`
    /// (`indices[[i, 0]] == i`), shape `(n_points, k)`.
    pub indices: Array2<usize>,
    /// The matching distances, ascending along each row.
    pub distances: Array2<f64>,
    /// The metric used.
    pub metric: Metric,
}

impl Knn {
    /// Number of points.
    pub fn n_points(&self) -> usize {
        self.indices.nrows()
    }
    /// Neighbours per point (including the point itself).
    pub fn k(&self) -> usize {
        self.indices.ncols()
    }
}

fn sq_dist(a: &ArrayView1<f64>, b: &ArrayView1<f64>) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

#[derive(Clone, Copy, Default)]
struct Manhattan;

impl PetalMetric<f64> for Manhattan {
    fn distance(&self, a: &ArrayView1<f64>, b: &ArrayView1<f64>) -> f64 {
        a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum()
    }
    fn rdistance(&self, a: &ArrayView1<f64>, b: &ArrayView1<f64>) -> f64 {
        self.distance(a, b)
    }
    fn rdistance_to_distance(&self, d: f64) -> f64 {
        d
    }
    fn distance_to_rdistance(&self, d: f64) -> f64 {
        d
    }
}

/// Checks a data matrix: at least one row and column, all finite.
pub(crate) fn check_data(what: &str, data: &ArrayView2<f64>) -> Result<()> {
    let (n, p) = data.dim();
    if n == 0 || p == 0 {
        return Err(Error::shape(
            what,
            ">= 1 row and >= 1 column",
            format!("{n} x {p}"),
        ));
    }
    if let Some(((r, c), v)) = data.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(Error::Invalid(format!(
            "{what}[{r}, {c}] is not finite ({v})"
        )));
    }
    Ok(())
}

fn unit_rows(data: &ArrayView2<f64>) -> Array2<f64> {
    let mut out = data.to_owned();
    for mut row in out.rows_mut() {
        let n = row.dot(&row).sqrt();
        if n > 0.0 {
            row /= n;
        }
    }
    out
}

/// The `k` nearest neighbours (the point itself first) of every row of `data`.
///
/// # Shapes
/// `data`: `(n_points, n_features)`; the result has `(n_points, k)` indices
/// and distances.
///
/// # Examples
/// ```
/// use canns::embed::{knn, KnnAlgorithm, Metric};
/// use canns::ndarray::array;
/// let x = array![[0.0], [1.0], [3.0], [3.5]];
/// let nn = knn(&x.view(), 2, Metric::Euclidean, KnnAlgorithm::Auto)?;
/// assert_eq!(nn.indices.column(1).to_vec(), vec![1, 0, 3, 2]);
/// assert_eq!(nn.distances[[2, 1]], 0.5);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Param`] when `k` is 0 or larger than the number of points;
/// [`Error::Shape`] / [`Error::Invalid`] for empty or non-finite data.
pub fn knn(
    data: &ArrayView2<f64>,
    k: usize,
    metric: Metric,
    algorithm: KnnAlgorithm,
) -> Result<Knn> {
    check_data("kNN data", data)?;
    let n = data.nrows();
    if k == 0 || k > n {
        return Err(ParamError::new(
            "n_neighbors",
            format!("in 1..={n} (the number of points)"),
            k,
        )
        .into());
    }
    let tree = match algorithm {
        KnnAlgorithm::BallTree => true,
        KnnAlgorithm::BruteForce => false,
        KnnAlgorithm::Auto => data.ncols() <= BALL_TREE_MAX_FEATURES,
    };
    let (indices, distances) = match metric {
        Metric::Euclidean => euclidean(data, k, tree)?,
        Metric::Cosine => {
            let unit = unit_rows(data);
            let (idx, d) = euclidean(&unit.view(), k, tree)?;
            // |a - b|^2 = 2 - 2 cos for unit vectors.
            (idx, d.mapv(|e| (0.5 * e * e).min(2.0)))
        }
        Metric::Manhattan => {
            if tree {
                by_tree(data, k, Manhattan)?
            } else {
                brute_generic(data, k, |a, b| Metric::Manhattan.distance(a, b))
            }
        }
    };
    Ok(Knn {
        indices,
        distances,
        metric,
    })
}

fn euclidean(data: &ArrayView2<f64>, k: usize, tree: bool) -> Result<(Array2<usize>, Array2<f64>)> {
    if tree {
        by_tree(data, k, petal_neighbors::distance::Euclidean::default())
    } else {
        Ok(brute_euclidean(data, k))
    }
}

/// Sorts candidates by (distance, index) and puts `i` itself first.
fn finish_row(i: usize, mut cand: Vec<(f64, usize)>, k: usize) -> (Vec<usize>, Vec<f64>) {
    cand.retain(|c| c.1 != i);
    cand.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut idx = Vec::with_capacity(k);
    let mut dist = Vec::with_capacity(k);
    idx.push(i);
    dist.push(0.0);
    for (d, j) in cand.into_iter().take(k - 1) {
        idx.push(j);
        dist.push(d);
    }
    (idx, dist)
}

fn assemble(rows: Vec<(Vec<usize>, Vec<f64>)>, k: usize) -> (Array2<usize>, Array2<f64>) {
    let n = rows.len();
    let mut idx = Array2::zeros((n, k));
    let mut dist = Array2::zeros((n, k));
    for (i, (r, d)) in rows.into_iter().enumerate() {
        idx.row_mut(i).assign(&Array1::from(r));
        dist.row_mut(i).assign(&Array1::from(d));
    }
    (idx, dist)
}

fn by_tree<M>(data: &ArrayView2<f64>, k: usize, metric: M) -> Result<(Array2<usize>, Array2<f64>)>
where
    M: PetalMetric<f64> + Sync,
{
    let tree = BallTree::new(data.view(), metric)
        .map_err(|e| Error::Invalid(format!("ball tree: {e}")))?;
    let n = data.nrows();
    // One extra neighbour so the point itself can be dropped even when it
    // ties with a duplicate.
    let kq = (k + 1).min(n);
    let rows: Vec<_> = (0..n)
        .into_par_iter()
        .map(|i| {
            let (idx, d) = tree.query(&data.row(i), kq);
            let mut cand: Vec<(f64, usize)> = d.into_iter().zip(idx).collect();
            if !cand.iter().any(|c| c.1 == i) {
                cand.pop();
            }
            finish_row(i, cand, k)
        })
        .collect();
    Ok(assemble(rows, k))
}

const BLOCK: usize = 256;

fn brute_euclidean(data: &ArrayView2<f64>, k: usize) -> (Array2<usize>, Array2<f64>) {
    let n = data.nrows();
    let norms: Array1<f64> = data.rows().into_iter().map(|r| r.dot(&r)).collect();
    let starts: Vec<usize> = (0..n).step_by(BLOCK).collect();
    let rows: Vec<_> = starts
        .into_par_iter()
        .flat_map_iter(|b0| {
            let b1 = (b0 + BLOCK).min(n);
            let q = data.slice(s![b0..b1, ..]);
            let g = q.dot(&data.t());
            let mut out = Vec::with_capacity(b1 - b0);
            let m = (2 * k + 8).min(n);
            let mut cand: Vec<(f64, usize)> = Vec::with_capacity(n);
            for (r, grow) in g.axis_iter(Axis(0)).enumerate() {
                let i = b0 + r;
                cand.clear();
                cand.extend(
                    grow.iter()
                        .zip(norms.iter())
                        .enumerate()
                        .map(|(j, (gij, nj))| (norms[i] + nj - 2.0 * gij, j)),
                );
                // Keep a margin beyond k: the expanded form has rounding
                // error, so the exact distances re-rank a few more candidates.
                if m < n {
                    cand.select_nth_unstable_by(m, |a, b| a.0.total_cmp(&b.0));
                    cand.truncate(m);
                }
                let xi = data.row(i);
                let exact: Vec<(f64, usize)> = cand
                    .iter()
                    .map(|&(_, j)| (sq_dist(&xi, &data.row(j)).sqrt(), j))
                    .collect();
                out.push(finish_row(i, exact, k));
            }
            out
        })
        .collect();
    assemble(rows, k)
}

fn brute_generic<F>(data: &ArrayView2<f64>, k: usize, dist: F) -> (Array2<usize>, Array2<f64>)
where
    F: Fn(&ArrayView1<f64>, &ArrayView1<f64>) -> f64 + Sync,
{
    let n = data.nrows();
    let rows: Vec<_> = (0..n)
        .into_par_iter()
        .map(|i| {
            let xi = data.row(i);
            let mut cand: Vec<(f64, usize)> =
                (0..n).map(|j| (dist(&xi, &data.row(j)), j)).collect();
            let m = (k + 1).min(n);
            if m < n {
                cand.select_nth_unstable_by(m, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                cand.truncate(m);
            }
            finish_row(i, cand, k)
        })
        .collect();
    assemble(rows, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(n: usize, p: usize, seed: u64) -> Array2<f64> {
        let mut s = seed;
        Array2::from_shape_fn((n, p), |_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
    }

    #[test]
    fn tree_and_brute_force_agree_for_every_metric() {
        for p in [3, 20] {
            let x = points(300, p, p as u64);
            for metric in [Metric::Euclidean, Metric::Cosine, Metric::Manhattan] {
                let a = knn(&x.view(), 10, metric, KnnAlgorithm::BallTree).unwrap();
                let b = knn(&x.view(), 10, metric, KnnAlgorithm::BruteForce).unwrap();
                assert_eq!(a.indices, b.indices, "{metric} p={p}");
                for (u, v) in a.distances.iter().zip(b.distances.iter()) {
                    assert!((u - v).abs() < 1e-9);
                }
                // Check against the definition.
                for i in [0, 17, 299] {
                    for j in 1..10 {
                        let d = metric.distance(&x.row(i), &x.row(a.indices[[i, j]]));
                        assert!((d - a.distances[[i, j]]).abs() < 1e-9);
                    }
                    assert_eq!(a.indices[[i, 0]], i);
                }
            }
        }
    }

    #[test]
    fn bad_k_is_an_error() {
        let x = points(5, 2, 1);
        assert!(knn(&x.view(), 0, Metric::Euclidean, KnnAlgorithm::Auto).is_err());
        assert!(knn(&x.view(), 6, Metric::Euclidean, KnnAlgorithm::Auto).is_err());
        assert!(Metric::parse("hamming").is_err());
        assert_eq!(Metric::parse("L1").unwrap(), Metric::Manhattan);
    }
}
