use super::circular::harmonic_lift;
use super::rips::{Cocycle, Diagrams};
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render, Series};
use crate::error::{Error, ParamError, Result};
use crate::params::check;
use crate::params::Params;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::f64::consts::TAU;

/// Shape `psi` of the partition-of-unity bumps, as a function of
/// `s = 1 - d / r` in `[0, 1]`.
///
/// # Example
/// ```
/// use canns::tda::{rips, RipsParams, PartitionWeight, SparseCircularParams};
/// // 200 points on a circle, 20 landmarks.
/// let pts = canns::ndarray::Array2::from_shape_fn((200, 2), |(i, j)| {
///     let a = i as f64 * std::f64::consts::TAU / 200.0;
///     if j == 0 { a.cos() } else { a.sin() }
/// });
/// let d = rips(&pts, &RipsParams::default().coeff(47).cocycles(true).n_perm(20))?;
/// let lin = SparseCircularParams::default().weight(PartitionWeight::Linear).run(&pts, &d, 0)?;
/// let quad = SparseCircularParams::default().weight(PartitionWeight::Quadratic).run(&pts, &d, 0)?;
/// // The bump shape only changes how the landmarks' angles blend in between.
/// assert_eq!(lin.landmark_theta, quad.landmark_theta);
/// assert!(lin.theta.iter().zip(&quad.theta).any(|(a, b)| (a - b).abs() > 1e-6));
/// // Either way the coordinate winds once round the circle, in small steps.
/// for c in [&lin, &quad] {
///     let steps: Vec<f64> = (0..200).map(|i| canns::space::angle_diff(c.theta[(i + 1) % 200], c.theta[i])).collect();
///     assert!((steps.iter().sum::<f64>().abs() - std::f64::consts::TAU).abs() < 1e-9);
///     assert!(steps.iter().all(|s| s.abs() < 3.0 * std::f64::consts::TAU / 200.0), "{steps:?}");
/// }
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartitionWeight {
    /// `psi(s) = s`.
    Linear,
    /// `psi(s) = s^2` (continuously differentiable at the ball's edge).
    Quadratic,
}

impl PartitionWeight {
    fn psi(self, s: f64) -> f64 {
        match self {
            PartitionWeight::Linear => s,
            PartitionWeight::Quadratic => s * s,
        }
    }
}

/// Sparse circular coordinates (Perea 2020): solve on landmarks, extend to
/// every point by a partition of unity.
///
/// Persistent cohomology is computed on a few landmarks `l_1..l_k` only. At a
/// scale `eps` in the class's life `[birth, death)`, the balls `B(l_j, r)`,
/// `r = eps / 2`, cover the data when `r` exceeds the landmarks' cover
/// radius, and two balls meet only if `d(l_j, l_k) < eps`: the nerve of the
/// cover is (a subcomplex of) the landmarks' Rips complex at `eps`, on which
/// the integer-lifted cocycle `z` lives. With the harmonic splitting
/// `z_jk = (f_k - f_j) + theta_jk` (least squares, as in
/// [`circular_coordinates`](super::circular_coordinates)) and the partition
/// of unity `phi_k(b) = psi(1 - d(b, l_k) / r) / sum_m psi(1 - d(b, l_m) / r)`,
/// every point `b` in the ball of landmark `j` gets
///
/// `h(b) = f_j - sum_k phi_k(b) theta_jk  (mod 1)`, angle `2 pi h(b)`
///
/// (Perea 2020, Theorem 3.2 and eq. (10)): on a landmark it is `f_j mod 1`,
/// it does not depend on which `j` is chosen, and it varies continuously
/// from ball to ball, where the nearest-landmark rule jumps. Pairs of
/// landmarks whose balls meet but that are not an edge of the complex (a
/// cover in another metric than the complex, see [`extend`]) use the short
/// way round, `theta_jk = -wrap(f_k - f_j)`. Points in no ball take their
/// nearest landmark's coordinate and are counted in
/// [`CircularCoordinates::n_uncovered`].
///
/// ## References
/// - J. A. Perea (2020), Sparse circular coordinates via principal
///   Z-bundles, Topological Data Analysis (Abel Symposia 15), 489-511,
///   arXiv:1809.09269.
/// - J. A. Perea (2018), Multiscale projective coordinates via persistent
///   cohomology of sparse filtrations, Discrete Comput. Geom. 59:175-225.
///
/// Parameters of [`sparse_circular_coordinates`].
///
/// # Example
/// ```
/// use canns::params::Params;
/// use canns::tda::{rips, RipsParams, SparseCircularParams};
/// let pts = canns::ndarray::Array2::from_shape_fn((100, 2), |(i, j)| {
///     let a = i as f64 * std::f64::consts::TAU / 100.0;
///     if j == 0 { a.cos() } else { a.sin() }
/// });
/// let d = rips(&pts, &RipsParams::default().coeff(47).cocycles(true).n_perm(20))?;
/// // The cover taken early in the class's life: eps = birth + 0.2 (death - birth).
/// let c = SparseCircularParams::default().fraction(0.2).run(&pts, &d, 0)?;
/// assert!((c.eps - (c.birth + 0.2 * (c.death - c.birth))).abs() < 1e-12);
/// let err = SparseCircularParams::default().fraction(1.0).validate().unwrap_err();
/// assert!(err.to_string().contains("fraction"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SparseCircularParams {
    /// Where in the class's life the cover is taken:
    /// `eps = birth + fraction (death - birth)` (for an essential class,
    /// `death` is the largest landmark distance). In `[0, 1)`. Default 0.5.
    pub fraction: f64,
    /// Partition-of-unity bump. Default [`PartitionWeight::Quadratic`].
    pub weight: PartitionWeight,
}

impl Default for SparseCircularParams {
    fn default() -> Self {
        Self {
            fraction: 0.5,
            weight: PartitionWeight::Quadratic,
        }
    }
}

impl SparseCircularParams {
    /// Circular coordinates of `points` from the `k`-th most persistent H1
    /// class of their diagrams: the same as
    /// [`sparse_circular_coordinates_of_points`], which documents the arguments.
    ///
    /// # Errors
    /// As [`sparse_circular_coordinates_of_points`].
    pub fn run(
        &self,
        points: &Array2<f64>,
        diagrams: &Diagrams,
        k: usize,
    ) -> Result<CircularCoordinates> {
        sparse_circular_coordinates_of_points(points, diagrams, k, self)
    }

    crate::params::setters! {
        /// Sets `fraction`.
        fraction: f64,
        /// Sets `weight`.
        weight: PartitionWeight,
    }

    /// The scale `eps` for a class living on `[birth, death)` among
    /// landmarks whose largest distance is `diameter`.
    pub(crate) fn eps(&self, birth: f64, death: f64, diameter: f64) -> f64 {
        let death = if death.is_finite() {
            death
        } else {
            diameter.max(birth)
        };
        birth + self.fraction * (death - birth)
    }
}

impl Params for SparseCircularParams {
    const NAME: &'static str = "SparseCircularParams";

    fn validate(&self) -> Result<()> {
        check::finite("fraction", self.fraction)?;
        if !(0.0..1.0).contains(&self.fraction) {
            return Err(ParamError::new("fraction", "in [0, 1)", self.fraction).into());
        }
        Ok(())
    }
}

/// Circular coordinates of every point, with what was needed to get them.
///
/// # Example
/// ```
/// use canns::tda::{rips, RipsParams, SparseCircularParams};
/// let pts = canns::ndarray::Array2::from_shape_fn((120, 2), |(i, j)| {
///     let a = i as f64 * std::f64::consts::TAU / 120.0;
///     if j == 0 { a.cos() } else { a.sin() }
/// });
/// let d = rips(&pts, &RipsParams::default().coeff(47).cocycles(true).n_perm(24))?;
/// let c = SparseCircularParams::default().run(&pts, &d, 0)?;
/// assert_eq!((c.theta.len(), c.landmark_theta.len(), c.n_uncovered), (120, 24, 0));
/// assert!(c.birth < c.eps && c.eps < c.death && (c.radius - c.eps / 2.0).abs() < 1e-12);
/// assert!(c.theta.iter().all(|t| (0.0..std::f64::consts::TAU).contains(t)));
/// assert!(c.to_string().starts_with("CircularCoordinates(120 points, 24 landmarks"), "{c}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CircularCoordinates {
    /// Angle of every point, radians in `[0, 2 pi)`.
    pub theta: Vec<f64>,
    /// Angle of every landmark, radians in `[0, 2 pi)`.
    pub landmark_theta: Vec<f64>,
    /// Birth of the class.
    pub birth: f64,
    /// Death of the class.
    pub death: f64,
    /// Rips scale of the landmarks' complex.
    pub eps: f64,
    /// Radius of the partition-of-unity balls (`eps / 2` for Perea's cover).
    pub radius: f64,
    /// Points farther than `radius` from every landmark (given their
    /// nearest landmark's angle).
    pub n_uncovered: usize,
}

impl CircularCoordinates {
    /// The angles against the point index.
    pub fn plot(&self) -> Figure {
        let x = (0..self.theta.len()).map(|i| i as f64).collect();
        display::lines(
            "Circular coordinates",
            "point",
            "angle (rad)",
            vec![Series::markers("theta", x, self.theta.clone())],
        )
    }
}

impl Render for CircularCoordinates {
    fn bundle(&self) -> Bundle {
        let kv = KeyValues::new("Sparse circular coordinates")
            .row("points", self.theta.len(), "")
            .row("landmarks", self.landmark_theta.len(), "")
            .row(
                "class",
                format!("[{:.4}, {:.4})", self.birth, self.death),
                "birth, death",
            )
            .row(
                "eps",
                format!("{:.4}", self.eps),
                "Rips scale of the landmarks",
            )
            .row(
                "radius",
                format!("{:.4}", self.radius),
                "partition-of-unity balls",
            )
            .row(
                "uncovered",
                self.n_uncovered,
                "points given their nearest landmark",
            );
        Bundle::figure(&self.plot(), &kv.to_html(), format!("{self}"))
    }
}

crate::display::debug_via_display!(CircularCoordinates);

impl std::fmt::Display for CircularCoordinates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CircularCoordinates({} points, {} landmarks, eps {:.4}, {} uncovered)",
            self.theta.len(),
            self.landmark_theta.len(),
            self.eps,
            self.n_uncovered
        )
    }
}

display::evcxr_display_via_render!(CircularCoordinates);

/// The harmonic splitting of a cocycle on the landmarks' Rips graph at
/// `eps`: the landmark function `f` (in turns, not reduced) and
/// `theta_jk = z_jk - (f_k - f_j)` on every edge `j < k`.
pub(crate) struct Harmonic {
    pub f: Vec<f64>,
    pub theta: HashMap<(usize, usize), f64>,
}

pub(crate) fn harmonic(land: &ArrayView2<f64>, cocycle: &Cocycle, eps: f64) -> Result<Harmonic> {
    let (f, edges) = harmonic_lift(land, cocycle, Some(eps))?;
    let theta = edges
        .iter()
        .map(|&(i, j, z)| ((i, j), z - (f[j] - f[i])))
        .collect();
    Ok(Harmonic { f, theta })
}

impl Harmonic {
    /// `theta_jk` oriented from `j` to `k`; the short way round for pairs
    /// that are not edges.
    fn theta(&self, j: usize, k: usize) -> f64 {
        if j == k {
            return 0.0;
        }
        let (a, b, sign) = if j < k { (j, k, 1.0) } else { (k, j, -1.0) };
        match self.theta.get(&(a, b)) {
            Some(t) => sign * t,
            None => -crate::space::periodic_diff(self.f[k], self.f[j], 1.0),
        }
    }

    /// `h(b)` in turns from the partition-of-unity weights `(landmark, phi)`.
    pub(crate) fn at(&self, weights: &[(usize, f64)]) -> f64 {
        let j = weights
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .expect("at least one weight")
            .0;
        self.f[j]
            - weights
                .iter()
                .map(|&(k, w)| w * self.theta(j, k))
                .sum::<f64>()
    }
}

/// Partition-of-unity weights of one point from its distances to the
/// landmarks (`true` when the point lies in at least one ball).
pub(crate) fn weights(
    row: impl Iterator<Item = f64>,
    radius: f64,
    weight: PartitionWeight,
) -> (Vec<(usize, f64)>, bool) {
    let mut w = Vec::new();
    let (mut near, mut near_d) = (0, f64::INFINITY);
    for (k, d) in row.enumerate() {
        if d < near_d {
            (near, near_d) = (k, d);
        }
        if d < radius {
            w.push((k, weight.psi(1.0 - d / radius)));
        }
    }
    let total: f64 = w.iter().map(|p| p.1).sum();
    if w.is_empty() || total <= 0.0 {
        return (vec![(near, 1.0)], false);
    }
    w.iter_mut().for_each(|p| p.1 /= total);
    (w, true)
}

fn check_square(what: &str, m: &ArrayView2<f64>) -> Result<()> {
    if m.nrows() != m.ncols() {
        return Err(Error::shape(
            what,
            format!("{0} x {0}", m.nrows()),
            format!("{} x {}", m.nrows(), m.ncols()),
        ));
    }
    Ok(())
}

/// Sparse circular coordinates of points from their distances to `k`
/// landmarks, for an H1 `cocycle` of the landmarks' Rips filtration (vertex
/// indices `0..k`, as [`rips_distances`](super::rips_distances) on `land`
/// returns them).
///
/// # Shapes
/// `land`: `(k, k)` landmark distances; `to_land`: `(n, k)`, distance of
/// every point to every landmark (same metric).
///
/// # Examples
/// ```
/// use canns::tda::{rips_distances, RipsParams, sparse_circular_coordinates, SparseCircularParams};
/// use canns::ndarray::Array2;
/// // 200 points on a circle, every 10th one a landmark.
/// let ang = |i: usize| i as f64 * std::f64::consts::TAU / 200.0;
/// let d = |a: f64, b: f64| 2.0 * ((a - b) / 2.0).sin().abs();
/// let land = Array2::from_shape_fn((20, 20), |(a, b)| d(ang(10 * a), ang(10 * b)));
/// let to_land = Array2::from_shape_fn((200, 20), |(i, b)| d(ang(i), ang(10 * b)));
/// let dg = rips_distances(&land.view(), &RipsParams::default().coeff(47).cocycles(true))?;
/// let c = sparse_circular_coordinates(&land.view(), &to_land.view(), &dg.cocycles[0], &SparseCircularParams::default())?;
/// // Every step along the circle advances the coordinate by one 200th of a turn.
/// for i in 0..199 {
///     let step = canns::space::angle_diff(c.theta[i + 1], c.theta[i]).abs();
///     assert!((step - std::f64::consts::TAU / 200.0).abs() < 0.01);
/// }
/// assert_eq!(c.n_uncovered, 0);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Param`] for invalid parameters; [`Error::Shape`] when the
/// matrices do not fit; [`Error::Invalid`] when the cocycle names a vertex
/// outside the landmarks or a distance is not finite.
///
/// # References
/// Perea (2020), Sparse circular coordinates via principal Z-bundles, eq. (10).
pub fn sparse_circular_coordinates(
    land: &ArrayView2<f64>,
    to_land: &ArrayView2<f64>,
    cocycle: &Cocycle,
    params: &SparseCircularParams,
) -> Result<CircularCoordinates> {
    params.validate()?;
    check_square("landmark distances", land)?;
    let k = land.nrows();
    if to_land.ncols() != k {
        return Err(Error::shape(
            "point-to-landmark distances",
            format!("{} x {k}", to_land.nrows()),
            format!("{} x {}", to_land.nrows(), to_land.ncols()),
        ));
    }
    if let Some(v) = to_land.iter().find(|v| !v.is_finite()) {
        return Err(Error::Invalid(format!(
            "point-to-landmark distances must be finite (got {v})"
        )));
    }
    let diameter = land
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let eps = params.eps(cocycle.birth, cocycle.death, diameter);
    let h = harmonic(land, cocycle, eps)?;
    let radius = eps / 2.0;
    let mut n_uncovered = 0;
    let theta = to_land
        .rows()
        .into_iter()
        .map(|row| {
            let (w, covered) = weights(row.iter().copied(), radius, params.weight);
            n_uncovered += usize::from(!covered);
            h.at(&w).rem_euclid(1.0) * TAU
        })
        .collect();
    Ok(CircularCoordinates {
        theta,
        landmark_theta: h.f.iter().map(|v| v.rem_euclid(1.0) * TAU).collect(),
        birth: cocycle.birth,
        death: cocycle.death,
        eps,
        radius,
        n_uncovered,
    })
}

/// The H1 classes of `diagrams` (computed with cocycles) sorted by
/// decreasing persistence, with vertices renumbered to positions in
/// `diagrams.idx_perm`.
pub(crate) fn classes_by_persistence(diagrams: &Diagrams) -> Result<Vec<Cocycle>> {
    if diagrams.cocycles.is_empty() && diagrams.pairs.get(1).is_some_and(|p| !p.is_empty()) {
        return Err(Error::Invalid(
            "diagrams carry no H1 cocycles: compute them with RipsParams::cocycles(true)".into(),
        ));
    }
    let mut position = HashMap::new();
    for (a, &i) in diagrams.idx_perm.iter().enumerate() {
        position.insert(i, a);
    }
    let mut out = diagrams
        .cocycles
        .iter()
        .map(|c| {
            let simplices = c
                .simplices
                .iter()
                .map(|(s, v)| {
                    let s = s
                        .iter()
                        .map(|i| {
                            position.get(i).copied().ok_or_else(|| {
                                Error::Invalid(format!("cocycle vertex {i} is not a landmark"))
                            })
                        })
                        .collect::<Result<Vec<usize>>>()?;
                    Ok((s, *v))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Cocycle {
                birth: c.birth,
                death: c.death,
                simplices,
            })
        })
        .collect::<Result<Vec<Cocycle>>>()?;
    out.sort_by(|a, b| (b.death - b.birth).total_cmp(&(a.death - a.birth)));
    Ok(out)
}

/// Landmark and point-to-landmark Euclidean distances for `diagrams`
/// computed on `points` (landmarks `diagrams.idx_perm`).
pub(crate) fn euclidean_to_landmarks(
    points: &Array2<f64>,
    diagrams: &Diagrams,
) -> Result<(Array2<f64>, Array2<f64>)> {
    let n = points.nrows();
    if diagrams.n_points != n {
        return Err(Error::shape(
            "points for circular coordinates",
            diagrams.n_points,
            n,
        ));
    }
    let idx = &diagrams.idx_perm;
    let e = |i: usize, j: usize| super::rips::euclidean(points, i, j);
    let land = Array2::from_shape_fn((idx.len(), idx.len()), |(a, b)| e(idx[a], idx[b]));
    let to_land = Array2::from_shape_fn((n, idx.len()), |(i, b)| e(i, idx[b]));
    Ok((land, to_land))
}

/// Sparse circular coordinates of `points` (Euclidean distance) for the
/// `k`-th most persistent H1 class of `diagrams`, computed on `points` with
/// cocycles, usually on landmarks (`n_perm`).
///
/// # Examples
/// ```
/// use canns::tda::{rips, RipsParams, sparse_circular_coordinates_of_points, SparseCircularParams};
/// let pts = canns::ndarray::Array2::from_shape_fn((300, 2), |(i, j)| {
///     let a = i as f64 * std::f64::consts::TAU / 300.0;
///     if j == 0 { a.cos() } else { a.sin() }
/// });
/// let d = rips(&pts, &RipsParams::default().coeff(47).cocycles(true).n_perm(30))?;
/// let c = sparse_circular_coordinates_of_points(&pts, &d, 0, &SparseCircularParams::default())?;
/// let step = canns::space::angle_diff(c.theta[1], c.theta[0]).abs();
/// assert!((step - std::f64::consts::TAU / 300.0).abs() < 0.005);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Invalid`] when the diagrams have no cocycles or fewer than
/// `k + 1` H1 classes; [`Error::Shape`] when `points` are not the points of
/// `diagrams`; as [`sparse_circular_coordinates`].
pub fn sparse_circular_coordinates_of_points(
    points: &Array2<f64>,
    diagrams: &Diagrams,
    k: usize,
    params: &SparseCircularParams,
) -> Result<CircularCoordinates> {
    let classes = classes_by_persistence(diagrams)?;
    let c = classes.get(k).ok_or_else(|| {
        Error::Invalid(format!(
            "asked for H1 class {k} but there are {}",
            classes.len()
        ))
    })?;
    let (land, to_land) = euclidean_to_landmarks(points, diagrams)?;
    sparse_circular_coordinates(&land.view(), &to_land.view(), c, params)
}

/// Extends landmark circular coordinates to points through a partition of
/// unity over each point's `n_nearest` nearest landmarks in another metric
/// than the landmarks' complex (e.g. Euclidean positions when the complex
/// used fuzzy-graph distances): the ball of point `b` has the radius of its
/// `(n_nearest + 1)`-th nearest landmark, so every point is covered.
///
/// # Shapes
/// `land`: `(k, k)` distances the cocycle was computed on; `to_land`:
/// `(n, k)` distances of the points to the landmarks in the extension metric.
///
/// # Errors
/// As [`sparse_circular_coordinates`]; [`Error::Param`] naming `n_nearest`
/// when it is 0.
pub fn extend(
    land: &ArrayView2<f64>,
    to_land: &ArrayView2<f64>,
    cocycle: &Cocycle,
    n_nearest: usize,
    params: &SparseCircularParams,
) -> Result<CircularCoordinates> {
    params.validate()?;
    check::at_least("n_nearest", n_nearest, 1)?;
    check_square("landmark distances", land)?;
    let k = land.nrows();
    if to_land.ncols() != k {
        return Err(Error::shape(
            "point-to-landmark distances",
            format!("{} x {k}", to_land.nrows()),
            format!("{} x {}", to_land.nrows(), to_land.ncols()),
        ));
    }
    let diameter = land
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let eps = params.eps(cocycle.birth, cocycle.death, diameter);
    let h = harmonic(land, cocycle, eps)?;
    let theta = to_land
        .rows()
        .into_iter()
        .map(|row| {
            let w = nearest_weights(&row.to_vec(), n_nearest, params.weight);
            h.at(&w).rem_euclid(1.0) * TAU
        })
        .collect();
    Ok(CircularCoordinates {
        theta,
        landmark_theta: h.f.iter().map(|v| v.rem_euclid(1.0) * TAU).collect(),
        birth: cocycle.birth,
        death: cocycle.death,
        eps,
        radius: f64::NAN,
        n_uncovered: 0,
    })
}

/// Partition-of-unity weights over the `m` nearest landmarks, radius the
/// distance to the `(m + 1)`-th.
pub(crate) fn nearest_weights(row: &[f64], m: usize, weight: PartitionWeight) -> Vec<(usize, f64)> {
    let mut order: Vec<usize> = (0..row.len()).collect();
    let m = m.min(row.len());
    if m < row.len() {
        order.select_nth_unstable_by(m, |&a, &b| row[a].total_cmp(&row[b]));
    }
    order.truncate(m + 1);
    order.sort_by(|&a, &b| row[a].total_cmp(&row[b]));
    let radius = order.get(m).map_or(f64::INFINITY, |&j| row[j]);
    let mut w: Vec<(usize, f64)> = order[..m]
        .iter()
        .map(|&j| {
            let s = if radius.is_finite() && radius > 0.0 {
                1.0 - row[j] / radius
            } else {
                1.0
            };
            (j, weight.psi(s.max(0.0)))
        })
        .collect();
    let total: f64 = w.iter().map(|p| p.1).sum();
    if total <= 0.0 {
        return vec![(order[0], 1.0)];
    }
    w.iter_mut().for_each(|p| p.1 /= total);
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_one_and_fall_back_to_nearest() {
        let (w, covered) = weights([0.1, 0.5, 2.0].into_iter(), 1.0, PartitionWeight::Linear);
        assert!(covered);
        assert_eq!(w.len(), 2);
        assert!((w.iter().map(|p| p.1).sum::<f64>() - 1.0).abs() < 1e-12);
        let (w, covered) = weights([3.0, 2.0].into_iter(), 1.0, PartitionWeight::Quadratic);
        assert!(!covered);
        assert_eq!(w, vec![(1, 1.0)]);
    }

    #[test]
    fn nearest_weights_use_the_next_landmark_as_radius() {
        let row = [4.0, 1.0, 2.0, 3.0];
        let w = nearest_weights(&row, 2, PartitionWeight::Linear);
        assert_eq!(w.iter().map(|p| p.0).collect::<Vec<_>>(), vec![1, 2]);
        // radius 3: weights 2/3 and 1/3, normalised.
        assert!((w[0].1 - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_bad_fraction() {
        assert!(SparseCircularParams::default()
            .fraction(1.0)
            .validate()
            .is_err());
        assert!(SparseCircularParams::default()
            .fraction(f64::NAN)
            .validate()
            .is_err());
    }
}
