use super::fuzzy::{FuzzyGraph, FuzzyGraphParams};
use super::knn::{KnnAlgorithm, Metric};
use super::linalg::sym_eigen;
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{Error, ParamError, Result};
use crate::params::check;
use crate::params::Params;
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// How the SGD is scheduled.
///
/// # Example
/// ```
/// use canns::embed::{SgdMode, Umap};
/// use canns::ndarray::Array2;
/// let x = Array2::from_shape_fn((30, 2), |(i, j)| {
///     let t = i as f64 / 30.0 * std::f64::consts::TAU;
///     if j == 0 { t.cos() } else { t.sin() }
/// });
/// let p = Umap::params().n_neighbors(5).n_epochs(50);
/// // The parallel schedule gives the same embedding for a seed, run after run.
/// let a = p.clone().fit(&x.view())?;
/// assert_eq!(a.embedding(), p.clone().fit(&x.view())?.embedding());
/// // umap-learn's sequential schedule moves the points in another order.
/// let s = p.sgd(SgdMode::Sequential).fit(&x.view())?;
/// assert_eq!(s.embedding().dim(), (30, 2));
/// assert_ne!(a.embedding(), s.embedding());
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SgdMode {
    /// Epoch-synchronous updates, parallel over points, deterministic for a
    /// seed whatever the thread count.
    #[default]
    Parallel,
    /// umap-learn's sequential in-place updates, one thread.
    Sequential,
}

/// How the embedding starts.
///
/// # Example
/// ```
/// use canns::embed::{Init, Umap};
/// use canns::ndarray::Array2;
/// // Two clusters far apart: their kNN graph has two components, so the
/// // spectral start falls back to a random one and says so.
/// let x = Array2::from_shape_fn((24, 2), |(i, j)| {
///     let k = (i % 12) as f64;
///     if j == 0 { (i / 12) as f64 * 50.0 + k } else { 0.1 * k * k }
/// });
/// let p = Umap::params().n_neighbors(4).n_epochs(20);
/// let spectral = p.clone().fit(&x.view())?;
/// assert!(spectral.warnings()[0].contains("2 connected components"), "{:?}", spectral.warnings());
/// // Asking for a random start is not a fallback: no warning.
/// assert!(p.init(Init::Random).fit(&x.view())?.warnings().is_empty());
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Init {
    /// Eigenvectors of the graph's normalised Laplacian (umap-learn's default).
    #[default]
    Spectral,
    /// Uniform in `[-10, 10]` per axis.
    Random,
}

/// Parameters of [`Umap`]; defaults are umap-learn's.
///
/// # Example
/// ```
/// use canns::embed::Umap;
/// use canns::params::Params;
/// use canns::ndarray::Array2;
/// let x = Array2::from_shape_fn((20, 4), |(i, j)| (0.3 * i as f64 + j as f64).sin());
/// let u = Umap::params().n_neighbors(5).n_components(3).min_dist(0.5).n_epochs(30).fit(&x.view())?;
/// assert_eq!((u.embedding().dim(), u.n_epochs()), ((20, 3), 30));
/// assert_eq!(u.used_params().min_dist, 0.5);
/// // Points cannot sit closer than `min_dist` on a scale of `spread`.
/// let err = Umap::params().min_dist(2.0).validate().unwrap_err();
/// assert!(err.to_string().contains("min_dist"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UmapParams {
    /// Neighbours per point, itself included (`n_neighbors`). Default 15.
    pub n_neighbors: usize,
    /// Smallest distance between embedded points (`min_dist`). Default 0.1.
    pub min_dist: f64,
    /// Scale of the embedded clusters (`spread`). Default 1.
    pub spread: f64,
    /// Dimension of the embedding. Default 2.
    pub n_components: usize,
    /// Distance in the data space. Default Euclidean.
    pub metric: Metric,
    /// SGD epochs; `None`: 500 up to 10 000 points, 200 above (umap-learn). Default `None`.
    pub n_epochs: Option<usize>,
    /// Seed of every random choice (initial noise, negative samples). Default 42.
    pub seed: u64,
    /// Initial SGD learning rate `alpha`. Default 1.
    pub learning_rate: f64,
    /// Negative samples per positive sample. Default 5.
    pub negative_sample_rate: usize,
    /// Weight `gamma` of the repulsive samples. Default 1.
    pub repulsion_strength: f64,
    /// Nearest neighbours taken as fully connected. Default 1.
    pub local_connectivity: f64,
    /// Initialisation. Default spectral.
    pub init: Init,
    /// SGD schedule. Default [`SgdMode::Parallel`].
    pub sgd: SgdMode,
    /// Exact kNN algorithm. Default [`KnnAlgorithm::Auto`].
    pub algorithm: KnnAlgorithm,
}

impl Default for UmapParams {
    fn default() -> Self {
        Self {
            n_neighbors: 15,
            min_dist: 0.1,
            spread: 1.0,
            n_components: 2,
            metric: Metric::Euclidean,
            n_epochs: None,
            seed: 42,
            learning_rate: 1.0,
            negative_sample_rate: 5,
            repulsion_strength: 1.0,
            local_connectivity: 1.0,
            init: Init::Spectral,
            sgd: SgdMode::Parallel,
            algorithm: KnnAlgorithm::Auto,
        }
    }
}

impl UmapParams {
    crate::params::setters! {
        /// Sets `n_neighbors`.
        n_neighbors: usize,
        /// Sets `min_dist`.
        min_dist: f64,
        /// Sets `spread`.
        spread: f64,
        /// Sets `n_components`.
        n_components: usize,
        /// Sets `metric`.
        metric: Metric,
        /// Sets `seed`.
        seed: u64,
        /// Sets `learning_rate`.
        learning_rate: f64,
        /// Sets `negative_sample_rate`.
        negative_sample_rate: usize,
        /// Sets `repulsion_strength`.
        repulsion_strength: f64,
        /// Sets `local_connectivity`.
        local_connectivity: f64,
        /// Sets `init`.
        init: Init,
        /// Sets `sgd`.
        sgd: SgdMode,
        /// Sets `algorithm`.
        algorithm: KnnAlgorithm,
    }
    /// Sets `n_epochs`.
    pub fn n_epochs(mut self, n: usize) -> Self {
        self.n_epochs = Some(n);
        self
    }

    /// Embeds `data`.
    ///
    /// # Shapes
    /// `data`: `(n_points, n_features)`; [`Umap::embedding`]: `(n_points, n_components)`.
    ///
    /// # Errors
    /// [`Error::Param`] for invalid fields or `n_neighbors` above the number
    /// of points; [`Error::Shape`] / [`Error::Invalid`] for empty or
    /// non-finite data, or fewer than `n_components + 2` points.
    pub fn fit(&self, data: &ArrayView2<f64>) -> Result<Umap> {
        self.validate()?;
        let n = data.nrows();
        if n < self.n_components + 2 {
            return Err(Error::shape(
                "UMAP data",
                format!(">= {} points", self.n_components + 2),
                n,
            ));
        }
        let graph = FuzzyGraphParams::default()
            .n_neighbors(self.n_neighbors)
            .metric(self.metric)
            .local_connectivity(self.local_connectivity)
            .algorithm(self.algorithm)
            .fit(data)?;
        self.fit_graph(graph)
    }

    /// Embeds a fuzzy graph already built (for example to reuse it for the
    /// `-ln(w)` distances of the "ASA" pipeline).
    ///
    /// # Errors
    /// As [`UmapParams::fit`].
    pub fn fit_graph(&self, graph: FuzzyGraph) -> Result<Umap> {
        self.validate()?;
        let n = graph.n_points();
        if n < self.n_components + 2 {
            return Err(Error::shape(
                "UMAP graph",
                format!(">= {} points", self.n_components + 2),
                n,
            ));
        }
        let n_epochs = self.n_epochs.unwrap_or(if n <= 10_000 { 500 } else { 200 });
        let (a, b) = find_ab_params(self.spread, self.min_dist);
        let mut warnings = Vec::new();
        let mut rng = SplitMix(self.seed ^ 0x005e_ed0f_0a1b);
        let dim = self.n_components;
        let mut y = match self.init {
            Init::Random => random_init(n, dim, &mut rng),
            Init::Spectral => {
                let (nc, _) = graph.components();
                if nc > 1 {
                    warnings.push(format!(
                        "the graph has {nc} connected components: spectral initialisation replaced by a random one"
                    ));
                    random_init(n, dim, &mut rng)
                } else {
                    match spectral_init(&graph, dim) {
                        Some(v) => noisy_scale(v, &mut rng),
                        None => {
                            warnings.push("spectral initialisation did not converge: random initialisation used".into());
                            random_init(n, dim, &mut rng)
                        }
                    }
                }
            }
        };
        // umap-learn rescales every start to [0, 10] per axis.
        for mut col in y.columns_mut() {
            let (lo, hi) = col
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                    (l.min(v), h.max(v))
                });
            let span = if hi > lo { hi - lo } else { 1.0 };
            col.mapv_inplace(|v| 10.0 * (v - lo) / span);
        }
        let sgd = Sgd::new(&graph, n_epochs, a, b, self);
        match self.sgd {
            SgdMode::Parallel => sgd.run_parallel(&mut y),
            SgdMode::Sequential => sgd.run_sequential(&mut y),
        }
        Ok(Umap {
            embedding: y,
            graph,
            a,
            b,
            n_epochs,
            warnings,
            params: self.clone(),
        })
    }
}

impl Params for UmapParams {
    const NAME: &'static str = "UmapParams";

    fn validate(&self) -> Result<()> {
        check::at_least("n_neighbors", self.n_neighbors, 2)?;
        check::non_negative("min_dist", self.min_dist)?;
        check::positive("spread", self.spread)?;
        if self.min_dist > self.spread {
            return Err(ParamError::new(
                "min_dist",
                format!("<= spread ({})", self.spread),
                self.min_dist,
            )
            .into());
        }
        check::at_least("n_components", self.n_components, 1)?;
        if let Some(e) = self.n_epochs {
            check::at_least("n_epochs", e, 1)?;
        }
        check::positive("learning_rate", self.learning_rate)?;
        check::non_negative("repulsion_strength", self.repulsion_strength)?;
        check::non_negative("local_connectivity", self.local_connectivity)?;
        Ok(())
    }
}

/// UMAP: Uniform Manifold Approximation and Projection.
///
/// 1. The fuzzy simplicial set of the data ([`FuzzyGraph`]): exact kNN,
///    smooth kNN distances, fuzzy union.
/// 2. Spectral initialisation: the eigenvectors of the normalised Laplacian
///    `L = I - D^{-1/2} W D^{-1/2}` with the smallest non-zero eigenvalues
///    (Lanczos with full reorthogonalisation on the sparse graph), scaled to
///    `[0, 10]` per axis as umap-learn. A disconnected graph falls back to a
///    uniform random start in `[-10, 10]` and says so in [`Umap::warnings`].
/// 3. Stochastic gradient descent on the fuzzy cross-entropy between the
///    graph and the low-dimensional similarities `1 / (1 + a d^{2b})`, with
///    `a`, `b` fitted to `min_dist` and `spread` ([`find_ab_params`]): each
///    edge is sampled in proportion to its weight, with
///    `negative_sample_rate` random repulsive samples per positive sample,
///    gradients clipped at 4 and a learning rate decaying linearly to 0.
///
/// The SGD runs epoch-synchronously so that it is both parallel and
/// deterministic: in each epoch every point moves by the attraction of its
/// own due edges (twice, standing for both endpoints' updates in
/// umap-learn) and the repulsion of its negative samples, computed against
/// the positions at the start of the epoch, with a random stream per point
/// and epoch. The result depends on the seed only, not on the number of
/// threads. [`SgdMode::Sequential`] runs umap-learn's sequential
/// (in-place, both endpoints) update instead, on one thread.
///
/// ## References
/// - L. McInnes, J. Healy, J. Melville (2018), UMAP: Uniform Manifold
///   Approximation and Projection for Dimension Reduction, arXiv:1802.03426.
///
/// A fitted UMAP embedding.
///
/// # Examples
/// ```
/// use canns::embed::Umap;
/// use canns::ndarray::Array2;
/// // Two well separated clusters of 40 points in R^5.
/// let x = Array2::from_shape_fn((80, 5), |(i, j)| {
///     let c = if i < 40 { 0.0 } else { 20.0 };
///     c + ((i * 7 + j * 13) % 11) as f64 / 11.0
/// });
/// let u = Umap::params().n_neighbors(10).n_epochs(100).fit(&x.view())?;
/// assert_eq!(u.embedding().dim(), (80, 2));
/// assert!(u.warnings().len() == 1); // two components: random start
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Umap {
    embedding: Array2<f64>,
    graph: FuzzyGraph,
    a: f64,
    b: f64,
    n_epochs: usize,
    warnings: Vec<String>,
    params: UmapParams,
}

impl Umap {
    /// Default parameters, to set and `fit`.
    pub fn params() -> UmapParams {
        UmapParams::default()
    }
    /// The embedded points, `(n_points, n_components)`.
    pub fn embedding(&self) -> &Array2<f64> {
        &self.embedding
    }
    /// Takes the embedded points.
    pub fn into_embedding(self) -> Array2<f64> {
        self.embedding
    }
    /// The fuzzy graph that was embedded.
    pub fn graph(&self) -> &FuzzyGraph {
        &self.graph
    }
    /// The fitted curve parameters `(a, b)` of `1 / (1 + a d^{2b})`.
    pub fn ab(&self) -> (f64, f64) {
        (self.a, self.b)
    }
    /// Epochs run.
    pub fn n_epochs(&self) -> usize {
        self.n_epochs
    }
    /// What did not go as asked (e.g. a random start on a disconnected graph).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
    /// The parameters used.
    pub fn used_params(&self) -> &UmapParams {
        &self.params
    }

    /// Scatter of the embedding (2D, or 3D when `n_components >= 3`),
    /// coloured by `color` (one value per point) when given.
    ///
    /// # Errors
    /// [`Error::Shape`] when `color` does not have one value per point.
    pub fn plot_embedding(&self, color: Option<&[f64]>) -> Result<Figure> {
        let d = self.embedding.ncols().min(3);
        display::scatter(
            "UMAP embedding",
            &self.embedding.slice(ndarray::s![.., ..d]),
            color,
            "UMAP",
        )
    }
}

impl Render for Umap {
    fn bundle(&self) -> Bundle {
        let mut kv = KeyValues::new("UMAP")
            .row("points", self.embedding.nrows(), "")
            .row("components", self.embedding.ncols(), "")
            .row(
                "neighbours",
                self.params.n_neighbors,
                format!("{} metric", self.params.metric),
            )
            .row(
                "min_dist / spread",
                format!("{} / {}", self.params.min_dist, self.params.spread),
                format!("a = {:.4}, b = {:.4}", self.a, self.b),
            )
            .row(
                "epochs",
                self.n_epochs,
                format!("seed {}", self.params.seed),
            )
            .row("graph edges", self.graph.n_entries() / 2, "");
        for w in &self.warnings {
            kv = kv.row("warning", display::html_escape(w), "");
        }
        match self.plot_embedding(None) {
            Ok(p) => Bundle::figure(&p, &kv.to_html(), format!("{self}")),
            Err(_) => Bundle::html(kv.to_html(), format!("{self}")),
        }
    }
}

crate::display::debug_via_display!(Umap);

impl std::fmt::Display for Umap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Umap({} points -> {}D, k = {}, {} epochs{})",
            self.embedding.nrows(),
            self.embedding.ncols(),
            self.params.n_neighbors,
            self.n_epochs,
            if self.warnings.is_empty() {
                ""
            } else {
                ", with warnings"
            }
        )
    }
}

display::evcxr_display_via_render!(Umap);

/// Fits `a`, `b` of `1 / (1 + a x^{2b})` to the target curve that is 1 up to
/// `min_dist` and `exp(-(x - min_dist) / spread)` beyond, by least squares on
/// 300 points in `[0, 3 spread]` (Levenberg-Marquardt from `a = b = 1`), as
/// umap-learn's `find_ab_params`.
///
/// # Examples
/// ```
/// let (a, b) = canns::embed::find_ab_params(1.0, 0.1);
/// assert!((a - 1.577).abs() < 2e-3 && (b - 0.895).abs() < 2e-3);
/// ```
pub fn find_ab_params(spread: f64, min_dist: f64) -> (f64, f64) {
    let m = 300;
    let xs: Vec<f64> = (0..m)
        .map(|i| 3.0 * spread * i as f64 / (m - 1) as f64)
        .collect();
    let ys: Vec<f64> = xs
        .iter()
        .map(|&x| {
            if x < min_dist {
                1.0
            } else {
                (-(x - min_dist) / spread).exp()
            }
        })
        .collect();
    let cost = |a: f64, b: f64| -> f64 {
        xs.iter()
            .zip(&ys)
            .map(|(&x, &y)| {
                let r = 1.0 / (1.0 + a * x.powf(2.0 * b)) - y;
                r * r
            })
            .sum()
    };
    let (mut a, mut b) = (1.0f64, 1.0f64);
    let mut lambda = 1e-3;
    let mut c = cost(a, b);
    for _ in 0..500 {
        // Normal equations J^T J and J^T r.
        let (mut jaa, mut jab, mut jbb, mut ga, mut gb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (&x, &y) in xs.iter().zip(&ys) {
            let p = if x > 0.0 { x.powf(2.0 * b) } else { 0.0 };
            let den = 1.0 + a * p;
            let f = 1.0 / den;
            let r = f - y;
            let da = -p / (den * den);
            let db = if x > 0.0 {
                -a * p * 2.0 * x.ln() / (den * den)
            } else {
                0.0
            };
            jaa += da * da;
            jab += da * db;
            jbb += db * db;
            ga += da * r;
            gb += db * r;
        }
        let mut improved = false;
        for _ in 0..30 {
            let (maa, mbb) = (jaa * (1.0 + lambda), jbb * (1.0 + lambda));
            let det = maa * mbb - jab * jab;
            if det == 0.0 {
                lambda *= 10.0;
                continue;
            }
            let sa = -(mbb * ga - jab * gb) / det;
            let sb = -(maa * gb - jab * ga) / det;
            let (na, nb) = (a + sa, b + sb);
            let nc = cost(na, nb);
            if nc.is_finite() && nc <= c {
                let done =
                    (c - nc) <= 1e-15 * c.max(1e-300) && sa.abs() < 1e-12 && sb.abs() < 1e-12;
                a = na;
                b = nb;
                c = nc;
                lambda = (lambda / 10.0).max(1e-12);
                improved = !done;
                break;
            }
            lambda *= 10.0;
        }
        if !improved {
            break;
        }
    }
    (a, b)
}

/// A small, fast, seedable generator (SplitMix64).
#[derive(Clone)]
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(f64::MIN_POSITIVE);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }
}

fn random_init(n: usize, dim: usize, rng: &mut SplitMix) -> Array2<f64> {
    Array2::from_shape_fn((n, dim), |_| -10.0 + 20.0 * rng.uniform())
}

/// Scales to a largest coordinate of 10 and adds N(0, 1e-4) noise (umap-learn's `noisy_scale_coords`).
fn noisy_scale(mut y: Array2<f64>, rng: &mut SplitMix) -> Array2<f64> {
    let m = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let s = if m > 0.0 { 10.0 / m } else { 1.0 };
    y.mapv_inplace(|v| v * s + 1e-4 * rng.normal());
    y
}

/// The `dim` eigenvectors of the normalised Laplacian with the smallest
/// eigenvalues above the trivial one, as the largest eigenvectors of
/// `M = D^{-1/2} W D^{-1/2}` orthogonal to `D^{1/2} 1`.
fn spectral_init(graph: &FuzzyGraph, dim: usize) -> Option<Array2<f64>> {
    let n = graph.n_points();
    let deg = graph.degrees();
    if deg.iter().any(|&d| d <= 0.0) {
        return None;
    }
    let isd: Vec<f64> = deg.iter().map(|d| 1.0 / d.sqrt()).collect();
    let mut v0: Vec<f64> = deg.iter().map(|d| d.sqrt()).collect();
    normalise(&mut v0);
    let (indptr, indices, weights) = graph.csr();
    let matvec = |x: &[f64], out: &mut [f64]| {
        out.par_iter_mut().enumerate().for_each(|(i, o)| {
            let mut s = 0.0;
            for p in indptr[i]..indptr[i + 1] {
                s += weights[p] * isd[indices[p]] * x[indices[p]];
            }
            *o = s * isd[i];
        });
    };
    let m_max = (n - 1).min(40 + 20 * dim).max(dim + 1);
    let mut basis: Vec<Vec<f64>> = Vec::with_capacity(m_max);
    let mut alpha = Vec::new();
    let mut beta: Vec<f64> = Vec::new();
    // Deterministic start with every frequency present.
    let mut q: Vec<f64> = (0..n)
        .map(|i| 1.0 + ((i as f64) * 0.618_033_988_75).fract())
        .collect();
    project_out(&mut q, &v0);
    normalise(&mut q);
    let mut w = vec![0.0; n];
    let mut result: Option<Array2<f64>> = None;
    for step in 0..m_max {
        basis.push(q.clone());
        matvec(&q, &mut w);
        let a = dot(&w, &q);
        alpha.push(a);
        // Full reorthogonalisation (twice) against v0 and every basis vector.
        for _ in 0..2 {
            project_out(&mut w, &v0);
            for bv in &basis {
                project_out(&mut w, bv);
            }
        }
        let bnorm = dot(&w, &w).sqrt();
        let m = basis.len();
        let converged_check =
            m > dim && (m.is_multiple_of(10) || bnorm < 1e-10 || step + 1 == m_max);
        if converged_check {
            let mut t = Array2::zeros((m, m));
            for i in 0..m {
                t[[i, i]] = alpha[i];
                if i + 1 < m {
                    t[[i, i + 1]] = beta[i];
                    t[[i + 1, i]] = beta[i];
                }
            }
            let (vals, vecs) = sym_eigen(&t);
            // Residual of a Ritz pair: |beta_m * last component of its eigenvector|.
            let ok = (0..dim).all(|c| {
                (bnorm * vecs[[m - 1, m - 1 - c]]).abs() < 1e-4 * vals[m - 1].abs().max(1e-3)
            });
            if ok || bnorm < 1e-10 || step + 1 == m_max {
                let mut y = Array2::zeros((n, dim));
                for c in 0..dim {
                    for (bi, bv) in basis.iter().enumerate() {
                        let coef = vecs[[bi, m - 1 - c]];
                        for i in 0..n {
                            y[[i, c]] += coef * bv[i];
                        }
                    }
                }
                result = Some(y);
                break;
            }
        }
        if bnorm < 1e-10 {
            break;
        }
        beta.push(bnorm);
        q = w.iter().map(|x| x / bnorm).collect();
    }
    result.filter(|y| y.iter().all(|v| v.is_finite()))
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
fn normalise(v: &mut [f64]) {
    let n = dot(v, v).sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}
fn project_out(v: &mut [f64], u: &[f64]) {
    let p = dot(v, u);
    v.iter_mut().zip(u).for_each(|(x, y)| *x -= p * y);
}

/// The edge sampling schedule and constants of the SGD.
struct Sgd<'g> {
    indptr: &'g [usize],
    indices: &'g [usize],
    /// Epochs between two samples of each entry (`max w / w`), negative when the entry is dropped.
    epochs_per_sample: Vec<f64>,
    n_epochs: usize,
    a: f64,
    b: f64,
    gamma: f64,
    alpha0: f64,
    neg_rate: f64,
    seed: u64,
}

const CLIP: f64 = 4.0;

#[inline]
fn clip(v: f64) -> f64 {
    v.clamp(-CLIP, CLIP)
}

impl<'g> Sgd<'g> {
    fn new(graph: &'g FuzzyGraph, n_epochs: usize, a: f64, b: f64, p: &UmapParams) -> Self {
        let (indptr, indices, weights) = graph.csr();
        let wmax = weights.iter().copied().fold(0.0, f64::max);
        // umap-learn drops the entries that would be sampled less than once.
        let cut = wmax / n_epochs as f64;
        let epochs_per_sample = weights
            .iter()
            .map(|&w| if w >= cut && w > 0.0 { wmax / w } else { -1.0 })
            .collect();
        Sgd {
            indptr,
            indices,
            epochs_per_sample,
            n_epochs,
            a,
            b,
            gamma: p.repulsion_strength,
            alpha0: p.learning_rate,
            neg_rate: p.negative_sample_rate as f64,
            seed: p.seed,
        }
    }

    #[inline]
    fn attract_coeff(&self, d2: f64) -> f64 {
        if d2 > 0.0 {
            let pb = d2.powf(self.b);
            -2.0 * self.a * self.b * pb / d2 / (self.a * pb + 1.0)
        } else {
            0.0
        }
    }
    #[inline]
    fn repel_coeff(&self, d2: f64) -> f64 {
        2.0 * self.gamma * self.b / ((0.001 + d2) * (self.a * d2.powf(self.b) + 1.0))
    }

    fn rng_for(&self, point: usize, epoch: usize) -> SplitMix {
        let mut r = SplitMix(
            self.seed
                ^ (point as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
                ^ (epoch as u64).wrapping_mul(0xc2b2_ae3d_27d4_eb4f),
        );
        r.next();
        r
    }

    /// Epoch-synchronous, parallel over points; deterministic.
    #[allow(clippy::needless_range_loop)] // entry index `e` addresses several arrays
    fn run_parallel(&self, y: &mut Array2<f64>) {
        let (n, dim) = y.dim();
        let mut next_sample = self.epochs_per_sample.clone();
        let eneg: Vec<f64> = self
            .epochs_per_sample
            .iter()
            .map(|e| e / self.neg_rate)
            .collect();
        let mut next_neg = eneg.clone();
        let mut flat: Vec<f64> = y.iter().copied().collect();
        let mut snap = flat.clone();
        const CHUNK: usize = 256;
        for epoch in 0..self.n_epochs {
            let alpha = self.alpha0 * (1.0 - epoch as f64 / self.n_epochs as f64);
            let ep = epoch as f64;
            snap.copy_from_slice(&flat);
            let snap = &snap;
            // Split the per-entry schedules by rows so each chunk owns its slices.
            flat.par_chunks_mut(CHUNK * dim)
                .zip(split_rows(&mut next_sample, self.indptr, CHUNK))
                .zip(split_rows(&mut next_neg, self.indptr, CHUNK))
                .enumerate()
                .for_each(|(c, ((rows, ns), nn))| {
                    let i0 = c * CHUNK;
                    let e0 = self.indptr[i0];
                    let mut grad = vec![0.0f64; dim];
                    for (r, row) in rows.chunks_mut(dim).enumerate() {
                        let i = i0 + r;
                        let mut rng = self.rng_for(i, epoch);
                        for e in self.indptr[i]..self.indptr[i + 1] {
                            let eps = self.epochs_per_sample[e];
                            let le = e - e0;
                            if eps <= 0.0 || ns[le] > ep {
                                continue;
                            }
                            let j = self.indices[e];
                            let other = &snap[j * dim..(j + 1) * dim];
                            let mut d2 = 0.0;
                            for d in 0..dim {
                                let diff = row[d] - other[d];
                                d2 += diff * diff;
                            }
                            let g = self.attract_coeff(d2);
                            for d in 0..dim {
                                row[d] += 2.0 * clip(g * (row[d] - other[d])) * alpha;
                            }
                            ns[le] += eps;
                            let n_neg = ((ep - nn[le]) / eneg[e]) as usize;
                            for _ in 0..n_neg {
                                let k = rng.below(n);
                                if k == i {
                                    continue;
                                }
                                let other = &snap[k * dim..(k + 1) * dim];
                                let mut d2 = 0.0;
                                for d in 0..dim {
                                    let diff = row[d] - other[d];
                                    d2 += diff * diff;
                                }
                                if d2 > 0.0 {
                                    let g = self.repel_coeff(d2);
                                    for d in 0..dim {
                                        grad[d] = clip(g * (row[d] - other[d]));
                                    }
                                } else {
                                    grad.iter_mut().for_each(|v| *v = CLIP);
                                }
                                for d in 0..dim {
                                    row[d] += grad[d] * alpha;
                                }
                            }
                            nn[le] += n_neg as f64 * eneg[e];
                        }
                    }
                });
        }
        for (dst, src) in y.iter_mut().zip(&flat) {
            *dst = *src;
        }
    }

    /// umap-learn's sequential update (both endpoints move), one thread.
    fn run_sequential(&self, y: &mut Array2<f64>) {
        let (n, dim) = y.dim();
        let mut next_sample = self.epochs_per_sample.clone();
        let eneg: Vec<f64> = self
            .epochs_per_sample
            .iter()
            .map(|e| e / self.neg_rate)
            .collect();
        let mut next_neg = eneg.clone();
        let mut flat: Vec<f64> = y.iter().copied().collect();
        let mut rng = SplitMix(self.seed);
        let mut grad = vec![0.0; dim];
        for epoch in 0..self.n_epochs {
            let alpha = self.alpha0 * (1.0 - epoch as f64 / self.n_epochs as f64);
            let ep = epoch as f64;
            for i in 0..n {
                for e in self.indptr[i]..self.indptr[i + 1] {
                    let eps = self.epochs_per_sample[e];
                    if eps <= 0.0 || next_sample[e] > ep {
                        continue;
                    }
                    let j = self.indices[e];
                    let mut d2 = 0.0;
                    for d in 0..dim {
                        let diff = flat[i * dim + d] - flat[j * dim + d];
                        d2 += diff * diff;
                    }
                    let g = self.attract_coeff(d2);
                    for d in 0..dim {
                        let gd = clip(g * (flat[i * dim + d] - flat[j * dim + d])) * alpha;
                        flat[i * dim + d] += gd;
                        flat[j * dim + d] -= gd;
                    }
                    next_sample[e] += eps;
                    let n_neg = ((ep - next_neg[e]) / eneg[e]) as usize;
                    for _ in 0..n_neg {
                        let k = rng.below(n);
                        if k == i {
                            continue;
                        }
                        let mut d2 = 0.0;
                        for d in 0..dim {
                            let diff = flat[i * dim + d] - flat[k * dim + d];
                            d2 += diff * diff;
                        }
                        if d2 > 0.0 {
                            let g = self.repel_coeff(d2);
                            for d in 0..dim {
                                grad[d] = clip(g * (flat[i * dim + d] - flat[k * dim + d]));
                            }
                        } else {
                            grad.iter_mut().for_each(|v| *v = CLIP);
                        }
                        for d in 0..dim {
                            flat[i * dim + d] += grad[d] * alpha;
                        }
                    }
                    next_neg[e] += n_neg as f64 * eneg[e];
                }
            }
        }
        for (dst, src) in y.iter_mut().zip(&flat) {
            *dst = *src;
        }
    }
}

/// Splits a per-entry vector into the slices of consecutive row chunks of `chunk` rows.
fn split_rows<'a>(v: &'a mut [f64], indptr: &[usize], chunk: usize) -> Vec<&'a mut [f64]> {
    let n = indptr.len() - 1;
    let mut out = Vec::with_capacity(n.div_ceil(chunk));
    let mut rest = v;
    let mut start = 0;
    let mut i = 0;
    while i < n {
        let end_row = (i + chunk).min(n);
        let len = indptr[end_row] - start;
        let (head, tail) = rest.split_at_mut(len);
        out.push(head);
        rest = tail;
        start = indptr[end_row];
        i = end_row;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ab_for_default_min_dist_matches_umap_learn() {
        // umap-learn 0.5: find_ab_params(1.0, 0.1) = (1.5769, 0.8951).
        let (a, b) = find_ab_params(1.0, 0.1);
        assert!((a - 1.5769).abs() < 1e-3, "{a}");
        assert!((b - 0.8951).abs() < 1e-3, "{b}");
    }

    #[test]
    fn bad_params_are_errors() {
        assert!(Umap::params().min_dist(2.0).validate().is_err());
        assert!(Umap::params().n_neighbors(1).validate().is_err());
        assert!(Umap::params().learning_rate(0.0).validate().is_err());
        assert!(Umap::params().validate().is_ok());
    }
}
