use super::knn::{knn, Knn, KnnAlgorithm, Metric};
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{ParamError, Result};
use crate::params::check;
use crate::params::Params;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

const SMOOTH_K_TOLERANCE: f64 = 1e-5;
const MIN_K_DIST_SCALE: f64 = 1e-3;

/// Parameters of [`FuzzyGraph`].
///
/// # Example
/// ```
/// use canns::embed::FuzzyGraph;
/// use canns::params::Params;
/// use canns::ndarray::Array2;
/// let x = Array2::from_shape_fn((20, 2), |(i, j)| {
///     let t = i as f64 / 20.0 * std::f64::consts::TAU;
///     if j == 0 { t.cos() } else { t.sin() }
/// });
/// // Gardner et al.'s torus analysis: no neighbour taken as fully connected.
/// let g = FuzzyGraph::params().n_neighbors(4).local_connectivity(0.0).fit(&x.view())?;
/// assert_eq!((g.n_points(), g.n_neighbors()), (20, 4));
/// assert!(g.rhos().iter().all(|r| *r == 0.0) && g.weight(0, 1) < 1.0);
/// let err = FuzzyGraph::params().n_neighbors(1).validate().unwrap_err();
/// assert!(err.to_string().contains("n_neighbors"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FuzzyGraphParams {
    /// Neighbours per point, the point itself included (umap-learn's
    /// `n_neighbors`). Default 15.
    pub n_neighbors: usize,
    /// Distance between points. Default Euclidean.
    pub metric: Metric,
    /// How many nearest neighbours are taken as fully connected (`rho_i` is
    /// the distance to the `local_connectivity`-th neighbour, interpolated
    /// when fractional; 0 makes `rho_i = 0`). Default 1 (umap-learn); the
    /// grid-cell torus analysis of Gardner et al. (2022) uses 0.
    pub local_connectivity: f64,
    /// Exact kNN algorithm. Default [`KnnAlgorithm::Auto`].
    pub algorithm: KnnAlgorithm,
}

impl Default for FuzzyGraphParams {
    fn default() -> Self {
        Self {
            n_neighbors: 15,
            metric: Metric::Euclidean,
            local_connectivity: 1.0,
            algorithm: KnnAlgorithm::Auto,
        }
    }
}

impl FuzzyGraphParams {
    crate::params::setters! {
        /// Sets `n_neighbors`.
        n_neighbors: usize,
        /// Sets `metric`.
        metric: Metric,
        /// Sets `local_connectivity`.
        local_connectivity: f64,
        /// Sets `algorithm`.
        algorithm: KnnAlgorithm,
    }

    /// Fits the fuzzy graph of `data`.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) for invalid fields or more neighbours than points;
    /// [`Error::Shape`](crate::Error::Shape) / [`Error::Invalid`](crate::Error::Invalid) for empty or non-finite data.
    pub fn fit(&self, data: &ArrayView2<f64>) -> Result<FuzzyGraph> {
        self.validate()?;
        let nn = knn(data, self.n_neighbors, self.metric, self.algorithm)?;
        Ok(FuzzyGraph::from_knn(&nn, self.local_connectivity))
    }

    /// The former name of [`fit`](Self::fit).
    ///
    /// # Errors
    /// As [`fit`](Self::fit).
    #[deprecated(since = "0.2.0", note = "analyses fit data: use `fit`")]
    pub fn build(&self, data: &ArrayView2<f64>) -> Result<FuzzyGraph> {
        self.fit(data)
    }
}

impl Params for FuzzyGraphParams {
    const NAME: &'static str = "FuzzyGraphParams";

    fn validate(&self) -> Result<()> {
        check::at_least("n_neighbors", self.n_neighbors, 2)?;
        check::non_negative("local_connectivity", self.local_connectivity)?;
        Ok(())
    }
}

/// The fuzzy k-nearest-neighbour graph of a data set with umap-learn's
/// defaults (`local_connectivity = 1`).
///
/// # Examples
/// ```
/// use canns::embed::{fuzzy_graph, Metric};
/// use canns::ndarray::Array2;
/// let x = Array2::from_shape_fn((30, 2), |(i, j)| {
///     let t = i as f64 / 30.0 * std::f64::consts::TAU;
///     if j == 0 { t.cos() } else { t.sin() }
/// });
/// let g = fuzzy_graph(&x.view(), 5, Metric::Euclidean)?;
/// assert_eq!(g.n_points(), 30);
/// assert_eq!(g.weight(0, 1), g.weight(1, 0)); // symmetric
/// assert_eq!(g.weight(0, 1), 1.0); // nearest neighbours are fully connected
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// As [`FuzzyGraphParams::fit`].
pub fn fuzzy_graph(
    data: &ArrayView2<f64>,
    n_neighbors: usize,
    metric: Metric,
) -> Result<FuzzyGraph> {
    FuzzyGraphParams::default()
        .n_neighbors(n_neighbors)
        .metric(metric)
        .fit(data)
}

/// UMAP's fuzzy simplicial set: the symmetric, weighted k-nearest-neighbour
/// graph whose edge weights are membership strengths in `(0, 1]`.
///
/// For each point `i` with neighbours `j` at distances `d_ij`, `rho_i` is the
/// distance to the nearest (non-identical) neighbour and `sigma_i` solves
/// `sum_j exp(-max(0, d_ij - rho_i) / sigma_i) = log2(k)` (binary search);
/// the directed membership is `a_ij = exp(-max(0, d_ij - rho_i) / sigma_i)`.
/// The fuzzy union symmetrises: `w_ij = a_ij + a_ji - a_ij a_ji`.
/// This follows umap-learn's `smooth_knn_dist`, `compute_membership_strengths`
/// and `fuzzy_simplicial_set` step by step (tolerance 1e-5, 64 bisection
/// steps, `sigma_i >= 1e-3` times the mean neighbour distance).
///
/// ## References
/// - L. McInnes, J. Healy, J. Melville (2018), UMAP: Uniform Manifold
///   Approximation and Projection for Dimension Reduction, arXiv:1802.03426,
///   section 3 and appendix.
///
/// A symmetric sparse graph with membership strengths in `(0, 1]`, stored
/// row-wise (compressed sparse rows, column indices ascending).
///
/// # Example
/// ```
/// use canns::embed::{fuzzy_graph, Metric};
/// use canns::ndarray::Array2;
/// // Two clusters of 10 points on a line, far apart.
/// let x = Array2::from_shape_fn((20, 1), |(i, _)| if i < 10 { i as f64 } else { 100.0 + i as f64 });
/// let g = fuzzy_graph(&x.view(), 3, Metric::Euclidean)?;
/// let (n, comp) = g.components();
/// assert_eq!(n, 2);
/// assert!(comp[..10].iter().all(|c| *c == comp[0]) && comp[10] != comp[0]);
/// // Memberships are symmetric and in (0, 1]; no edge joins the clusters.
/// assert_eq!(g.weight(4, 5), g.weight(5, 4));
/// assert!(g.triplets().iter().all(|&(_, _, w)| w > 0.0 && w <= 1.0));
/// assert_eq!(g.weight(0, 15), 0.0);
/// assert!(g.to_string().starts_with("FuzzyGraph(20 points"), "{g}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct FuzzyGraph {
    indptr: Vec<usize>,
    indices: Vec<usize>,
    weights: Vec<f64>,
    sigmas: Vec<f64>,
    rhos: Vec<f64>,
    n_neighbors: usize,
    metric: Metric,
}

/// `sigma_i` and `rho_i` of every point from its sorted neighbour distances
/// (`distances[[i, 0]] = 0` is the point itself), as umap-learn's `smooth_knn_dist`.
pub(crate) fn smooth_knn_dist(
    distances: &Array2<f64>,
    local_connectivity: f64,
) -> (Vec<f64>, Vec<f64>) {
    let (n, k) = distances.dim();
    let target = (k as f64).log2();
    let mean_all = distances.mean().unwrap_or(0.0);
    let mut sigmas = vec![0.0; n];
    let mut rhos = vec![0.0; n];
    for i in 0..n {
        let row = distances.row(i);
        let nonzero: Vec<f64> = row.iter().copied().filter(|&d| d > 0.0).collect();
        let mut rho = 0.0;
        // All neighbours at distance 0 (duplicate points, e.g. all-zero
        // counts) leave rho at 0 whatever `local_connectivity` asks.
        if !nonzero.is_empty() && nonzero.len() as f64 >= local_connectivity {
            let index = local_connectivity.floor() as usize;
            let interp = local_connectivity - index as f64;
            if index > 0 {
                rho = nonzero[index - 1];
                if interp > SMOOTH_K_TOLERANCE {
                    rho += interp * (nonzero[index] - nonzero[index - 1]);
                }
            } else {
                rho = interp * nonzero[0];
            }
        } else if !nonzero.is_empty() {
            rho = nonzero.iter().copied().fold(f64::MIN, f64::max);
        }
        let (mut lo, mut hi, mut mid) = (0.0, f64::INFINITY, 1.0);
        for _ in 0..64 {
            let mut psum = 0.0;
            for &d in row.iter().skip(1) {
                let d = d - rho;
                psum += if d > 0.0 { (-(d / mid)).exp() } else { 1.0 };
            }
            if (psum - target).abs() < SMOOTH_K_TOLERANCE {
                break;
            }
            if psum > target {
                hi = mid;
                mid = (lo + hi) / 2.0;
            } else {
                lo = mid;
                if hi == f64::INFINITY {
                    mid *= 2.0;
                } else {
                    mid = (lo + hi) / 2.0;
                }
            }
        }
        let floor = if rho > 0.0 {
            MIN_K_DIST_SCALE * row.mean().unwrap_or(0.0)
        } else {
            MIN_K_DIST_SCALE * mean_all
        };
        sigmas[i] = mid.max(floor);
        rhos[i] = rho;
    }
    (sigmas, rhos)
}

impl FuzzyGraph {
    /// Default parameters, to set and `build`.
    pub fn params() -> FuzzyGraphParams {
        FuzzyGraphParams::default()
    }

    /// The fuzzy union of the directed membership strengths of `nn`.
    pub fn from_knn(nn: &Knn, local_connectivity: f64) -> FuzzyGraph {
        let (n, k) = nn.indices.dim();
        let (sigmas, rhos) = smooth_knn_dist(&nn.distances, local_connectivity);
        // (row, col, weight, transposed?) for both directions of each edge.
        let mut trip: Vec<(usize, usize, f64, bool)> = Vec::with_capacity(2 * n * k);
        for i in 0..n {
            for j in 0..k {
                let c = nn.indices[[i, j]];
                if c == i {
                    continue;
                }
                let d = nn.distances[[i, j]] - rhos[i];
                let w = if d <= 0.0 || sigmas[i] == 0.0 {
                    1.0
                } else {
                    (-(d / sigmas[i])).exp()
                };
                if w > 0.0 {
                    trip.push((i, c, w, false));
                    trip.push((c, i, w, true));
                }
            }
        }
        trip.sort_unstable_by_key(|t| (t.0, t.1, t.3));
        let mut indptr = vec![0usize; n + 1];
        let mut indices = Vec::with_capacity(trip.len());
        let mut weights = Vec::with_capacity(trip.len());
        let mut t = 0;
        while t < trip.len() {
            let (r, c) = (trip[t].0, trip[t].1);
            let (mut a, mut b) = (0.0, 0.0);
            while t < trip.len() && trip[t].0 == r && trip[t].1 == c {
                if trip[t].3 {
                    b = trip[t].2;
                } else {
                    a = trip[t].2;
                }
                t += 1;
            }
            let w = a + b - a * b;
            if w > 0.0 {
                indices.push(c);
                weights.push(w);
                indptr[r + 1] += 1;
            }
        }
        for i in 0..n {
            indptr[i + 1] += indptr[i];
        }
        FuzzyGraph {
            indptr,
            indices,
            weights,
            sigmas,
            rhos,
            n_neighbors: k,
            metric: nn.metric,
        }
    }

    /// Number of points (vertices).
    pub fn n_points(&self) -> usize {
        self.indptr.len() - 1
    }
    /// Number of stored directed entries (twice the number of undirected edges).
    pub fn n_entries(&self) -> usize {
        self.indices.len()
    }
    /// Neighbours per point used to build the graph.
    pub fn n_neighbors(&self) -> usize {
        self.n_neighbors
    }
    /// The metric used.
    pub fn metric(&self) -> Metric {
        self.metric
    }
    /// The neighbours of `i` (ascending) and their membership strengths.
    ///
    /// # Panics
    /// When `i >= n_points()`.
    pub fn neighbors(&self, i: usize) -> (&[usize], &[f64]) {
        let r = self.indptr[i]..self.indptr[i + 1];
        (&self.indices[r.clone()], &self.weights[r])
    }
    /// The membership strength of edge `(i, j)`, 0 when absent.
    pub fn weight(&self, i: usize, j: usize) -> f64 {
        if i >= self.n_points() {
            return 0.0;
        }
        let (idx, w) = self.neighbors(i);
        idx.binary_search(&j).map(|p| w[p]).unwrap_or(0.0)
    }
    /// `sigma_i` of every point (the local distance scale).
    pub fn sigmas(&self) -> &[f64] {
        &self.sigmas
    }
    /// `rho_i` of every point (the distance to its nearest neighbour).
    pub fn rhos(&self) -> &[f64] {
        &self.rhos
    }
    /// Row pointers, column indices and weights (CSR), as scipy's `csr_matrix`.
    pub fn csr(&self) -> (&[usize], &[usize], &[f64]) {
        (&self.indptr, &self.indices, &self.weights)
    }
    /// Every stored entry as `(i, j, w)`, row by row.
    pub fn triplets(&self) -> Vec<(usize, usize, f64)> {
        (0..self.n_points())
            .flat_map(|i| {
                let (idx, w) = self.neighbors(i);
                idx.iter().zip(w).map(move |(&j, &w)| (i, j, w))
            })
            .collect()
    }
    /// Degree `sum_j w_ij` of every point.
    pub fn degrees(&self) -> Vec<f64> {
        (0..self.n_points())
            .map(|i| self.neighbors(i).1.iter().sum())
            .collect()
    }

    /// The dense matrix of `-ln(w_ij)` between the points `subset` (all
    /// points when `None`): 0 on the diagonal, infinite where there is no
    /// edge. This is the distance the canns "ASA" pipeline (after Gardner et
    /// al. 2022) hands to Ripser.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) naming `subset` when an index is out of range.
    pub fn log_distance_matrix(&self, subset: Option<&[usize]>) -> Result<Array2<f64>> {
        let n = self.n_points();
        let all: Vec<usize>;
        let pts = match subset {
            Some(s) => s,
            None => {
                all = (0..n).collect();
                &all
            }
        };
        if let Some(&bad) = pts.iter().find(|&&i| i >= n) {
            return Err(ParamError::new("subset", format!("indices < {n}"), bad).into());
        }
        let m = pts.len();
        let mut pos = vec![usize::MAX; n];
        for (a, &i) in pts.iter().enumerate() {
            pos[i] = a;
        }
        let mut d = Array2::from_elem((m, m), f64::INFINITY);
        for (a, &i) in pts.iter().enumerate() {
            let (idx, w) = self.neighbors(i);
            for (&j, &wij) in idx.iter().zip(w) {
                let b = pos[j];
                if b != usize::MAX {
                    d[[a, b]] = -wij.ln();
                }
            }
            d[[a, a]] = 0.0;
        }
        // A point listed twice in `subset` is at distance 0 from its copy.
        for a in 0..m {
            for b in 0..m {
                if pts[a] == pts[b] {
                    d[[a, b]] = 0.0;
                }
            }
        }
        Ok(d)
    }

    /// Number of connected components and the component of each point.
    pub fn components(&self) -> (usize, Vec<usize>) {
        let n = self.n_points();
        let mut comp = vec![usize::MAX; n];
        let mut count = 0;
        let mut stack = Vec::new();
        for s in 0..n {
            if comp[s] != usize::MAX {
                continue;
            }
            comp[s] = count;
            stack.push(s);
            while let Some(v) = stack.pop() {
                for &u in self.neighbors(v).0 {
                    if comp[u] == usize::MAX {
                        comp[u] = count;
                        stack.push(u);
                    }
                }
            }
            count += 1;
        }
        (count, comp)
    }

    /// Histogram of the membership strengths.
    pub fn plot_weights(&self) -> Figure {
        let bins = 20;
        let mut counts = vec![0.0; bins];
        for &w in &self.weights {
            counts[((w * bins as f64) as usize).min(bins - 1)] += 1.0;
        }
        let x: Vec<f64> = (0..bins).map(|b| (b as f64 + 0.5) / bins as f64).collect();
        let mut s = display::Series::line("entries", x, counts);
        s.markers = true;
        display::lines(
            "Fuzzy graph membership strengths",
            "membership w",
            "entries",
            vec![s],
        )
    }
}

impl Render for FuzzyGraph {
    fn bundle(&self) -> Bundle {
        let (nc, _) = self.components();
        let kv = KeyValues::new("Fuzzy kNN graph (UMAP)")
            .row("points", self.n_points(), "")
            .row("neighbours", self.n_neighbors, "per point, itself included")
            .row("metric", self.metric, "")
            .row("edges", self.n_entries() / 2, "undirected")
            .row("components", nc, "connected");
        Bundle::figure(&self.plot_weights(), &kv.to_html(), format!("{self}"))
    }
}

crate::display::debug_via_display!(FuzzyGraph);

impl std::fmt::Display for FuzzyGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FuzzyGraph({} points, {} edges, k = {}, {})",
            self.n_points(),
            self.n_entries() / 2,
            self.n_neighbors,
            self.metric
        )
    }
}

display::evcxr_display_via_render!(FuzzyGraph);

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn sigma_solves_the_log2_k_equation() {
        let d = array![[0.0, 1.0, 2.0, 3.0, 4.0], [0.0, 0.5, 0.5, 2.0, 9.0]];
        let (s, r) = smooth_knn_dist(&d, 1.0);
        for i in 0..2 {
            let sum: f64 = d
                .row(i)
                .iter()
                .skip(1)
                .map(|&x| (-((x - r[i]).max(0.0)) / s[i]).exp())
                .sum();
            assert!((sum - 5f64.log2()).abs() < 1e-4, "{sum}");
        }
        assert_eq!(r, vec![1.0, 0.5]);
    }

    #[test]
    fn union_is_symmetric_and_log_distances_are_finite_on_edges() {
        let x = array![
            [0.0, 0.0],
            [1.0, 0.0],
            [0.0, 1.2],
            [3.0, 3.0],
            [3.1, 2.9],
            [5.0, 0.0]
        ];
        let g = fuzzy_graph(&x.view(), 3, Metric::Euclidean).unwrap();
        for (i, j, w) in g.triplets() {
            assert_eq!(g.weight(j, i), w);
            assert!(w > 0.0 && w <= 1.0);
        }
        let d = g.log_distance_matrix(Some(&[0, 1, 5])).unwrap();
        assert_eq!(d[[0, 0]], 0.0);
        assert_eq!(d[[0, 1]], 0.0); // w = 1: nearest neighbours
        assert!(g.log_distance_matrix(Some(&[9])).is_err());
    }
}
