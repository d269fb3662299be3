//! Vietoris-Rips persistent homology by persistent cohomology with clearing. (documented in the parent module)

use super::cohomology::Engine;
use crate::display::{self, Bundle, Figure, KeyValues, Render, Series};
use crate::error::{Error, ParamError, Result};
use crate::params::check;
use crate::params::Params;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// Parameters of [`rips`].
///
/// # Example
/// ```
/// use canns::prelude::*;
/// let pts = Array2::from_shape_fn((30, 2), |(i, c)| {
///     let a = i as f64 * TWO_PI / 30.0;
///     if c == 0 { a.cos() } else { a.sin() }
/// });
/// // The circle's class dies at sqrt 3 (the inscribed triangle fills in); cut
/// // the filtration at 1 and it is still alive: an infinite bar.
/// let d = RipsParams::default().threshold(1.0).run(&pts)?;
/// assert_eq!((d.threshold, d.pairs[1].len()), (1.0, 1));
/// assert!(d.pairs[1][0].1.is_infinite());
/// let err = RipsParams::default().coeff(4).validate().unwrap_err();
/// assert!(err.to_string().contains("coeff"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RipsParams {
    /// Largest homology dimension computed. Default 1.
    pub maxdim: usize,
    /// Largest edge length in the filtration (same unit as the points);
    /// `None` uses the enclosing radius `min_i max_j d(i, j)`, beyond which
    /// the complex is a cone and has no further topology (as Ripser). Default `None`.
    pub threshold: Option<f64>,
    /// Coefficient field Z/p, `p` prime and at most [`MAX_COEFF`]. Default 2.
    pub coeff: u64,
    /// Return representative cocycles of the H1 classes. Default false.
    pub cocycles: bool,
    /// Most simplices of one dimension stored at once; a larger problem
    /// fails with [`Error::Limit`] instead of exhausting memory. Default 5e8
    /// (about 8 GB).
    pub max_simplices: usize,
    /// Number of landmarks chosen by greedy (furthest-point) permutation,
    /// starting from point 0 as ripser.py does; `None` uses every point. The
    /// diagrams then describe the landmarks, within `cover_radius` of every
    /// point. Default `None`.
    pub n_perm: Option<usize>,
}

impl Default for RipsParams {
    fn default() -> Self {
        Self {
            maxdim: 1,
            threshold: None,
            coeff: 2,
            cocycles: false,
            max_simplices: 500_000_000,
            n_perm: None,
        }
    }
}

impl RipsParams {
    /// Vietoris-Rips persistence of a point cloud (rows are points): the
    /// same as [`rips`], which documents the computation and its errors.
    ///
    /// ```
    /// use canns::prelude::*;
    /// let pts = Array2::from_shape_fn((40, 2), |(i, c)| {
    ///     let a = i as f64 * std::f64::consts::TAU / 40.0;
    ///     if c == 0 { a.cos() } else { a.sin() }
    /// });
    /// let d = RipsParams::default().run(&pts)?;
    /// assert_eq!(d.pairs[1].iter().filter(|p| p.1 - p.0 > 1.0).count(), 1);
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`rips`].
    pub fn run(&self, points: &Array2<f64>) -> Result<Diagrams> {
        rips(points, self)
    }

    /// Vietoris-Rips persistence of a symmetric distance matrix: the same as
    /// [`rips_distances`].
    ///
    /// # Errors
    /// As [`rips_distances`].
    pub fn run_distances(&self, dist: &ArrayView2<f64>) -> Result<Diagrams> {
        rips_distances(dist, self)
    }

    crate::params::setters! {
        /// Sets `maxdim`.
        maxdim: usize,
        /// Sets `coeff`.
        coeff: u64,
        /// Sets `cocycles`.
        cocycles: bool,
        /// Sets `max_simplices`.
        max_simplices: usize,
    }
    /// Sets `threshold`.
    pub fn threshold(mut self, v: f64) -> Self {
        self.threshold = Some(v);
        self
    }
    /// Sets `n_perm`.
    pub fn n_perm(mut self, v: usize) -> Self {
        self.n_perm = Some(v);
        self
    }
}

impl Params for RipsParams {
    const NAME: &'static str = "RipsParams";

    fn validate(&self) -> Result<()> {
        if self.maxdim > 3 {
            return Err(ParamError::new("maxdim", "<= 3", self.maxdim).into());
        }
        if let Some(t) = self.threshold {
            check::non_negative("threshold", t)?;
        }
        if self.coeff > MAX_COEFF {
            return Err(
                ParamError::new("coeff", format!("a prime <= {MAX_COEFF}"), self.coeff).into(),
            );
        }
        if !is_prime(self.coeff) {
            return Err(ParamError::new("coeff", "a prime", self.coeff).into());
        }
        check::at_least("max_simplices", self.max_simplices, 1)?;
        if let Some(k) = self.n_perm {
            check::at_least("n_perm", k, 1)?;
        }
        Ok(())
    }
}

/// The largest coefficient prime: the field's inverse table holds `p`
/// entries, and products of coefficients must fit in 64 bits.
pub const MAX_COEFF: u64 = 65_521;

fn is_prime(p: u64) -> bool {
    p >= 2
        && (2..)
            .take_while(|&d| d <= p / d)
            .all(|d| !p.is_multiple_of(d))
}

/// Checks the memory of the dense path before any of it is allocated:
/// `held` bytes the caller already holds, the `n x n` copy the engine works
/// on, and its neighbour lists (16 bytes per directed edge while sorted, 12
/// once packed) and edge table.
fn check_rips_memory(n: usize, edges: u64, held: u64) -> Result<()> {
    let n2 = (n as u64).saturating_mul(n as u64);
    let bytes = held
        .saturating_add(n2.saturating_mul(8))
        .saturating_add(edges.saturating_mul(28))
        .saturating_add(n2.saturating_mul(2));
    crate::error::check_memory(
        &format!("rips on {n} points ({n} x {n} distances)"),
        bytes,
        "compute on landmarks with `n_perm` (--n-perm K), or lower `threshold` (--threshold)",
    )
}

/// A representative cocycle: simplices (vertex lists, ascending) with
/// coefficients in Z/p, written in (-p/2, p/2].
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // Twelve points on the unit circle, Z/3 coefficients.
/// let pts = Array2::from_shape_fn((12, 2), |(i, c)| {
///     let a = i as f64 * TWO_PI / 12.0;
///     if c == 0 { a.cos() } else { a.sin() }
/// });
/// let d = RipsParams::default().coeff(3).cocycles(true).run(&pts)?;
/// let c = &d.cocycles[0];
/// // Born when the neighbours join (side 2 sin(pi / 12)), dead at sqrt 3.
/// assert!((c.birth - 2.0 * (std::f64::consts::PI / 12.0).sin()).abs() < 1e-9);
/// assert!((c.death - 3f64.sqrt()).abs() < 1e-9);
/// // A 1-cocycle: edges, with coefficients in (-3/2, 3/2], none zero.
/// assert!(c.simplices.iter().all(|(v, k)| v.len() == 2 && v[0] < v[1] && (*k == 1 || *k == -1)));
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cocycle {
    /// Birth of the class.
    pub birth: f64,
    /// Death of the class (infinite for essential classes).
    pub death: f64,
    /// `(vertices, coefficient)` of every simplex in the cocycle.
    pub simplices: Vec<(Vec<usize>, i64)>,
}

/// Persistence diagrams of a Vietoris-Rips filtration.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // The octahedron's six vertices: a 2-sphere, born when the edges of length
/// // sqrt 2 close its faces, filled when the diagonals (length 2) come in.
/// let pts = array![[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, -1.0]];
/// let d = RipsParams::default().maxdim(2).run(&pts)?;
/// assert_eq!((d.n_points, d.pairs.len()), (6, 3));
/// assert!(d.pairs[1].is_empty());
/// assert_eq!(d.pairs[2].len(), 1);
/// assert!((d.pairs[2][0].0 - 2f64.sqrt()).abs() < 1e-12);
/// // One connected component lives for ever.
/// assert_eq!(d.longest(0, 1)[0].1, f64::INFINITY);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagrams {
    /// `pairs[d]`: the `(birth, death)` intervals in dimension `d`, sorted
    /// by birth then death; `death = inf` for essential classes.
    pub pairs: Vec<Vec<(f64, f64)>>,
    /// Representative cocycles of the H1 intervals (same order as
    /// `pairs[1]`), when asked for.
    pub cocycles: Vec<Cocycle>,
    /// The threshold used.
    pub threshold: f64,
    /// Coefficient field Z/p.
    pub coeff: u64,
    /// Number of points.
    pub n_points: usize,
    /// Indices of the points the diagrams were computed on (the landmarks
    /// with `n_perm`, else all points in order).
    pub idx_perm: Vec<usize>,
    /// Largest distance from a point to its nearest landmark (0 without `n_perm`).
    pub cover_radius: f64,
}

/// Vietoris-Rips persistence of a point cloud (rows are points, Euclidean
/// distance).
///
/// # Examples
/// ```
/// use canns::tda::{rips, RipsParams};
/// // Eight points on a circle: one H1 class.
/// let pts = ndarray::Array2::from_shape_fn((8, 2), |(i, j)| {
///     let a = i as f64 * std::f64::consts::TAU / 8.0;
///     if j == 0 { a.cos() } else { a.sin() }
/// });
/// let d = rips(&pts, &RipsParams::default())?;
/// assert_eq!(d.pairs[1].len(), 1);
/// assert_eq!(d.pairs[0].iter().filter(|p| p.1.is_infinite()).count(), 1);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Param`] for invalid parameters, [`Error::Invalid`] for
/// non-finite coordinates or fewer than one point, [`Error::Limit`] when a
/// dimension would need more than `max_simplices` simplices, or the
/// distance matrix and neighbour lists more than the memory budget
/// ([`check_memory`](crate::error::check_memory)), checked before they are
/// built.
pub fn rips(points: &Array2<f64>, params: &RipsParams) -> Result<Diagrams> {
    params.validate()?;
    if let Some(((i, j), v)) = points.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(Error::Invalid(format!(
            "points[{i}, {j}] must be finite (got {v})"
        )));
    }
    let n = points.nrows();
    let euclid = |i: usize, j: usize| euclidean(points, i, j);
    if let Some(k) = landmarks_wanted(params, n)? {
        // Only landmark-to-point distances: O(k n) instead of an n x n matrix.
        let (idx, cover) = greedy_perm(n, k, |i, out| {
            out.iter_mut()
                .enumerate()
                .for_each(|(j, o)| *o = euclid(i, j))
        });
        let k2 = (k as u64).saturating_mul(k as u64);
        check_rips_memory(k, 0, k2.saturating_mul(8))?;
        let dm = Array2::from_shape_fn((k, k), |(a, b)| euclid(idx[a], idx[b]));
        return landmark_diagrams(&dm, idx, cover, n, params);
    }
    // Before the matrix exists its edges cannot be counted: check the
    // matrices now, and everything once the edges are known.
    let n2 = (n as u64).saturating_mul(n as u64);
    check_rips_memory(n, 0, n2.saturating_mul(8))?;
    let d = Array2::from_shape_fn((n, n), |(i, j)| euclid(i, j));
    dense(&d.view(), params, n2.saturating_mul(8))
}

/// Vietoris-Rips persistence of a symmetric distance matrix.
///
/// # Errors
/// As [`rips`]; [`Error::Shape`] when the matrix is not square,
/// [`Error::Invalid`] when it is not symmetric, has negative or non-finite
/// entries or a non-zero diagonal.
pub fn rips_distances(dist: &ArrayView2<f64>, params: &RipsParams) -> Result<Diagrams> {
    dense(dist, params, 0)
}

/// [`rips_distances`], `held` bytes being held by the caller (for the
/// memory check).
fn dense(dist: &ArrayView2<f64>, params: &RipsParams, held: u64) -> Result<Diagrams> {
    params.validate()?;
    let (n, m) = dist.dim();
    if n != m {
        return Err(Error::shape(
            "distance matrix",
            format!("{n} x {n}"),
            format!("{n} x {m}"),
        ));
    }
    if n == 0 {
        return Err(Error::Invalid(
            "rips needs at least one point (got 0)".into(),
        ));
    }
    for i in 0..n {
        if dist[[i, i]] != 0.0 {
            return Err(Error::Invalid(format!(
                "distance[{i}, {i}] must be 0 (got {})",
                dist[[i, i]]
            )));
        }
        for j in 0..i {
            let v = dist[[i, j]];
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::Invalid(format!(
                    "distance[{i}, {j}] must be finite and >= 0 (got {v})"
                )));
            }
            if (v - dist[[j, i]]).abs() > 1e-12 * v.max(1.0) {
                return Err(Error::Invalid(format!(
                    "distance matrix must be symmetric: [{i}, {j}] = {v}, [{j}, {i}] = {}",
                    dist[[j, i]]
                )));
            }
        }
    }
    if let Some(k) = landmarks_wanted(params, n)? {
        let (idx, cover) = greedy_perm(n, k, |i, out| {
            out.iter_mut()
                .enumerate()
                .for_each(|(j, o)| *o = dist[[i, j]])
        });
        let k2 = (k as u64).saturating_mul(k as u64);
        check_rips_memory(k, 0, k2.saturating_mul(8))?;
        let dm = Array2::from_shape_fn((k, k), |(a, b)| dist[[idx[a], idx[b]]]);
        return landmark_diagrams(&dm, idx, cover, n, params);
    }
    let enclosing = (0..n)
        .map(|i| (0..n).map(|j| dist[[i, j]]).fold(0.0, f64::max))
        .fold(f64::INFINITY, f64::min);
    let threshold = params.threshold.unwrap_or(enclosing);
    let edges = dist.iter().filter(|&&d| d <= threshold).count() as u64;
    check_rips_memory(n, edges.saturating_sub(n as u64), held)?;
    let flat: Vec<f64> = dist.iter().copied().collect();
    let engine = Engine::new(
        flat,
        n,
        threshold,
        params.maxdim,
        params.coeff,
        params.cocycles,
        params.max_simplices,
    )?;
    let (mut pairs, mut cocycles) = engine.compute()?;
    for p in pairs.iter_mut() {
        p.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    }
    cocycles.sort_by(|a, b| {
        a.birth
            .total_cmp(&b.birth)
            .then(a.death.total_cmp(&b.death))
    });
    Ok(Diagrams {
        pairs,
        cocycles,
        threshold,
        coeff: params.coeff,
        n_points: n,
        idx_perm: (0..n).collect(),
        cover_radius: 0.0,
    })
}

/// Euclidean distance between rows `i` and `j` of `points`.
pub(crate) fn euclidean(points: &Array2<f64>, i: usize, j: usize) -> f64 {
    points
        .row(i)
        .iter()
        .zip(points.row(j))
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt()
}

/// `Some(k)` when `n_perm` asks for fewer landmarks than points.
fn landmarks_wanted(params: &RipsParams, n: usize) -> Result<Option<usize>> {
    match params.n_perm {
        Some(k) if k > n => {
            Err(ParamError::new("n_perm", format!("<= the number of points ({n})"), k).into())
        }
        Some(k) if k < n => Ok(Some(k)),
        _ => Ok(None),
    }
}

/// Greedy furthest-point permutation from point 0 (ties to the lowest
/// index, as ripser.py): the `k` landmarks and the cover radius.
/// `dist_from(i, out)` writes the distances from point `i` to every point.
fn greedy_perm(n: usize, k: usize, dist_from: impl Fn(usize, &mut [f64])) -> (Vec<usize>, f64) {
    let mut idx = vec![0usize];
    let mut nearest = vec![0.0; n];
    dist_from(0, &mut nearest);
    let mut row = vec![0.0; n];
    while idx.len() < k {
        let (far, _) = nearest
            .iter()
            .enumerate()
            .fold((0, f64::NEG_INFINITY), |best, (j, &d)| {
                if d > best.1 {
                    (j, d)
                } else {
                    best
                }
            });
        idx.push(far);
        dist_from(far, &mut row);
        for (m, r) in nearest.iter_mut().zip(&row) {
            *m = m.min(*r);
        }
    }
    (idx, nearest.iter().cloned().fold(0.0, f64::max))
}

/// Diagrams of the landmark distance matrix, with cocycles and indices
/// mapped back to the original points.
fn landmark_diagrams(
    dm: &Array2<f64>,
    idx: Vec<usize>,
    cover: f64,
    n: usize,
    params: &RipsParams,
) -> Result<Diagrams> {
    let sub = RipsParams {
        n_perm: None,
        ..params.clone()
    };
    let mut d = rips_distances(&dm.view(), &sub)?;
    for c in d.cocycles.iter_mut() {
        for (verts, _) in c.simplices.iter_mut() {
            for v in verts.iter_mut() {
                *v = idx[*v];
            }
        }
    }
    d.idx_perm = idx;
    d.cover_radius = cover;
    d.n_points = n;
    Ok(d)
}

impl Diagrams {
    /// The `k` longest finite-or-infinite intervals of dimension `dim`,
    /// longest first (infinite ones count as longest).
    pub fn longest(&self, dim: usize, k: usize) -> Vec<(f64, f64)> {
        let mut v = self.pairs.get(dim).cloned().unwrap_or_default();
        v.sort_by(|a, b| (b.1 - b.0).total_cmp(&(a.1 - a.0)));
        v.truncate(k);
        v
    }

    /// Persistence diagram: death against birth, one series per dimension
    /// (infinite deaths drawn at the threshold).
    pub fn plot_diagram(&self) -> Figure {
        let top = self.threshold.max(
            self.pairs
                .iter()
                .flatten()
                .filter(|p| p.1.is_finite())
                .map(|p| p.1)
                .fold(0.0, f64::max),
        );
        let mut series: Vec<Series> = self
            .pairs
            .iter()
            .enumerate()
            .map(|(d, ps)| {
                let (x, y) = ps
                    .iter()
                    .map(|p| (p.0, if p.1.is_finite() { p.1 } else { top }))
                    .unzip();
                Series::markers(format!("H{d}"), x, y)
            })
            .collect();
        series.push(Series::dashed("diagonal", vec![0.0, top], vec![0.0, top]));
        display::lines(
            "Persistence diagram (Vietoris-Rips)",
            "birth",
            "death",
            series,
        )
    }

    /// Barcode: one horizontal bar per interval, grouped by dimension (a
    /// blank row between dimensions), longest first; infinite bars end at
    /// the threshold.
    ///
    /// # Examples
    /// ```
    /// use canns::tda::{rips, RipsParams};
    /// // 12 points on a unit circle: one long H1 bar.
    /// let x = canns::ndarray::Array2::from_shape_fn((12, 2), |(i, j)| {
    ///     let a = i as f64 * std::f64::consts::TAU / 12.0;
    ///     if j == 0 { a.cos() } else { a.sin() }
    /// });
    /// let d = rips(&x, &RipsParams::default())?;
    /// let fig = d.plot_barcode();
    /// assert_eq!(fig.plot().data().len(), d.pairs.len()); // one series per dimension
    /// # Ok::<(), canns::Error>(())
    /// ```
    pub fn plot_barcode(&self) -> Figure {
        let (series, bars) = self.barcode(0, usize::MAX);
        barcode_figure("Barcode", series, &bars)
    }

    /// The bars of a barcode as drawn by [`Diagrams::plot_barcode`]: one
    /// line series per dimension from `from_dim` up, the `per_dim` longest
    /// bars of each, and each bar's `(dim, birth, drawn death, row)` so a
    /// caller can lay more on the same rows (the signature's shuffle band).
    pub(crate) fn barcode(&self, from_dim: usize, per_dim: usize) -> (Vec<Series>, Vec<DrawnBar>) {
        let top = self.threshold;
        let (mut series, mut bars) = (Vec::new(), Vec::new());
        let mut row = 0.0;
        for d in from_dim..self.pairs.len() {
            let (mut x, mut y) = (Vec::new(), Vec::new());
            for p in self.longest(d, per_dim) {
                let death = p.1.min(top);
                x.extend([p.0, death, f64::NAN]);
                y.extend([row, row, f64::NAN]);
                bars.push((d, p.0, death, row));
                row += 1.0;
            }
            series.push(Series::line(format!("H{d}"), x, y).width(4.0));
            row += 1.0;
        }
        (series, bars)
    }
}

/// A bar as a barcode draws it: `(dimension, birth, drawn death, row)`.
pub(crate) type DrawnBar = (usize, f64, f64, f64);

/// A barcode figure: rows padded by one on either side (so no bar sits on
/// the axis line and a single bar stays visible), row numbers hidden.
pub(crate) fn barcode_figure(title: &str, series: Vec<Series>, bars: &[DrawnBar]) -> Figure {
    let rows = bars.iter().map(|b| b.3).fold(0.0, f64::max);
    let mut fig = display::lines(title, "filtration value", "bar", series);
    let layout = fig.layout().clone().y_axis(
        plotly::layout::Axis::new()
            .title(plotly::common::Title::from("bar"))
            .range(vec![rows + 1.0, -1.0])
            .show_tick_labels(false)
            .zero_line(false),
    );
    fig.set_layout(layout);
    fig
}

impl Render for Diagrams {
    fn bundle(&self) -> Bundle {
        let mut kv = KeyValues::new("Vietoris-Rips persistence")
            .row("points", self.n_points, "")
            .row(
                "threshold",
                format!("{:.4}", self.threshold),
                "largest edge in the filtration",
            )
            .row("coefficients", format!("Z/{}", self.coeff), "")
            .row(
                "landmarks",
                self.idx_perm.len(),
                format!("cover radius {:.4}", self.cover_radius),
            );
        for (d, ps) in self.pairs.iter().enumerate() {
            let best = self
                .longest(d, 1)
                .first()
                .map(|p| format!("[{:.4}, {:.4})", p.0, p.1))
                .unwrap_or_default();
            kv = kv.row(
                format!("H{d}"),
                ps.len(),
                format!("intervals; longest {best}"),
            );
        }
        Bundle::figure(&self.plot_diagram(), &kv.to_html(), format!("{self}"))
    }
}

crate::display::debug_via_display!(Diagrams);

impl std::fmt::Display for Diagrams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let counts: Vec<String> = self
            .pairs
            .iter()
            .enumerate()
            .map(|(d, p)| format!("H{d}: {}", p.len()))
            .collect();
        write!(
            f,
            "Diagrams({} points, {})",
            self.n_points,
            counts.join(", ")
        )
    }
}

display::evcxr_display_via_render!(Diagrams);
