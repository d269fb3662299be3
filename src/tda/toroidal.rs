//! Toroidal coordinates from two H1 classes, decorrelated by lattice (documented in the parent module)

use super::rips::{Cocycle, Diagrams};
use super::sparse_circular::{
    classes_by_persistence, euclidean_to_landmarks, harmonic, nearest_weights, weights, Harmonic,
    SparseCircularParams,
};
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{Error, Result};
use crate::params::Params;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};
use std::f64::consts::TAU;

/// Two decorrelated circular coordinates of every point.
///
/// # Example
/// ```
/// use canns::tda::{rips, RipsParams, toroidal_coordinates_of_points, SparseCircularParams};
/// // A flat torus in R^4 on a 15 x 15 grid of angles, 80 landmarks.
/// let n = 15;
/// let pts = canns::ndarray::Array2::from_shape_fn((n * n, 4), |(i, j)| {
///     let a = [(i / n) as f64, (i % n) as f64][j / 2] * std::f64::consts::TAU / n as f64;
///     if j % 2 == 0 { a.cos() } else { a.sin() }
/// });
/// let d = rips(&pts, &RipsParams::default().coeff(47).cocycles(true).n_perm(80))?;
/// let t = toroidal_coordinates_of_points(&pts, &d, &SparseCircularParams::default())?;
/// assert_eq!(t.theta.dim(), (n * n, 2));
/// // The change of basis is unimodular, and after it the two coordinates wind
/// // independently (reduced Gram matrix: |g01| <= g00 / 2 <= g11 / 2).
/// let b = t.basis;
/// assert_eq!((b[0][0] * b[1][1] - b[0][1] * b[1][0]).abs(), 1);
/// assert!(t.gram[0][1].abs() <= t.gram[0][0] / 2.0 + 1e-12 && t.gram[0][0] <= t.gram[1][1]);
/// assert!(t.correlation().abs() < 0.2, "{}", t.correlation());
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ToroidalCoordinates {
    /// `(n_points, 2)` angles in radians, `[0, 2 pi)`.
    pub theta: Array2<f64>,
    /// The integer change of basis: coordinate `r` comes from the cocycle
    /// `basis[r][0] z_1 + basis[r][1] z_2` of the two input classes.
    pub basis: [[i64; 2]; 2],
    /// Gram matrix of the harmonic representatives before reduction.
    pub gram_input: [[f64; 2]; 2],
    /// Gram matrix after reduction.
    pub gram: [[f64; 2]; 2],
    /// Rips scale of the landmarks' complex shared by both classes.
    pub eps: f64,
    /// Points outside every partition-of-unity ball.
    pub n_uncovered: usize,
}

impl ToroidalCoordinates {
    /// Cosine of the angle between the two reduced harmonic cocycles (0:
    /// independent, 1: the same winding).
    pub fn correlation(&self) -> f64 {
        let g = self.gram;
        g[0][1] / (g[0][0] * g[1][1]).sqrt().max(f64::MIN_POSITIVE)
    }

    /// The points on the flat torus: first angle against the second.
    pub fn plot(&self) -> Figure {
        let pts = self.theta.view();
        display::scatter("Toroidal coordinates", &pts, None, "angle")
            .expect("two columns and no colour always fit")
    }
}

impl Render for ToroidalCoordinates {
    fn bundle(&self) -> Bundle {
        let kv = KeyValues::new("Toroidal coordinates")
            .row("points", self.theta.nrows(), "")
            .row(
                "basis",
                format!("{:?}", self.basis),
                "integer combination of the input classes",
            )
            .row(
                "correlation",
                format!("{:.3}", self.correlation()),
                format!(
                    "of the reduced harmonic cocycles (input {:.3})",
                    self.gram_input[0][1] / (self.gram_input[0][0] * self.gram_input[1][1]).sqrt()
                ),
            )
            .row(
                "eps",
                format!("{:.4}", self.eps),
                "Rips scale of the landmarks",
            )
            .row(
                "uncovered",
                self.n_uncovered,
                "points given their nearest landmark",
            );
        Bundle::figure(&self.plot(), &kv.to_html(), format!("{self}"))
    }
}

crate::display::debug_via_display!(ToroidalCoordinates);

impl std::fmt::Display for ToroidalCoordinates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ToroidalCoordinates({} points, basis {:?}, correlation {:.3})",
            self.theta.nrows(),
            self.basis,
            self.correlation()
        )
    }
}

display::evcxr_display_via_render!(ToroidalCoordinates);

/// Lagrange-Gauss reduction of a two-dimensional lattice given by its Gram
/// matrix: the unimodular integer matrix `M` (rows: new basis vectors in
/// the old basis) and the reduced Gram matrix `M G M^T`, with
/// `|g_01| <= g_00 / 2` and `g_00 <= g_11`.
///
/// # Examples
/// ```
/// use canns::tda::reduce_lattice;
/// // Basis (e1, e1 + e2) of the square lattice reduces to (e1, e2) up to sign.
/// let (m, g) = reduce_lattice([[1.0, 1.0], [1.0, 2.0]]);
/// assert_eq!(g, [[1.0, 0.0], [0.0, 1.0]]);
/// assert_eq!((m[1][0], m[1][1].abs()), (-1, 1));
/// ```
pub fn reduce_lattice(gram: [[f64; 2]; 2]) -> ([[i64; 2]; 2], [[f64; 2]; 2]) {
    let mut m = [[1i64, 0], [0, 1]];
    let mut g = gram;
    for _ in 0..200 {
        if g[1][1] < g[0][0] {
            m.swap(0, 1);
            g = [[g[1][1], g[0][1]], [g[0][1], g[0][0]]];
        }
        if g[0][0] <= 0.0 {
            break;
        }
        let mu = (g[0][1] / g[0][0]).round();
        if mu == 0.0 {
            break;
        }
        // b2 <- b2 - mu b1
        let mi = mu as i64;
        m[1] = [m[1][0] - mi * m[0][0], m[1][1] - mi * m[0][1]];
        let g01 = g[0][1] - mu * g[0][0];
        let g11 = g[1][1] - 2.0 * mu * g[0][1] + mu * mu * g[0][0];
        g = [[g[0][0], g01], [g01, g11]];
    }
    (m, g)
}

fn gram_of(h: &[Harmonic; 2]) -> [[f64; 2]; 2] {
    let mut g = [[0.0; 2]; 2];
    // Both were computed on the same graph, so they share their edge keys.
    for (e, &t0) in &h[0].theta {
        let t1 = h[1].theta.get(e).copied().unwrap_or(0.0);
        g[0][0] += t0 * t0;
        g[0][1] += t0 * t1;
        g[1][1] += t1 * t1;
    }
    g[1][0] = g[0][1];
    g
}

fn combine(h: &[Harmonic; 2], row: [i64; 2]) -> Harmonic {
    let (a, b) = (row[0] as f64, row[1] as f64);
    Harmonic {
        f: h[0]
            .f
            .iter()
            .zip(&h[1].f)
            .map(|(x, y)| a * x + b * y)
            .collect(),
        theta: h[0]
            .theta
            .iter()
            .map(|(e, &t0)| (*e, a * t0 + b * h[1].theta.get(e).copied().unwrap_or(0.0)))
            .collect(),
    }
}

/// How points are given weights over the landmarks.
enum Cover {
    /// Balls of radius `eps / 2` in the landmarks' own metric (Perea).
    Radius,
    /// Each point's `m` nearest landmarks in another metric.
    Nearest(usize),
}

fn toroidal(
    land: &ArrayView2<f64>,
    to_land: &ArrayView2<f64>,
    classes: [&Cocycle; 2],
    params: &SparseCircularParams,
    cover: Cover,
) -> Result<ToroidalCoordinates> {
    params.validate()?;
    let k = land.nrows();
    if land.ncols() != k || to_land.ncols() != k {
        return Err(Error::shape(
            "landmark distances",
            format!("{k} x {k} and n x {k}"),
            format!(
                "{} x {} and {} x {}",
                land.nrows(),
                land.ncols(),
                to_land.nrows(),
                to_land.ncols()
            ),
        ));
    }
    let birth = classes[0].birth.max(classes[1].birth);
    let death = classes[0].death.min(classes[1].death);
    if birth >= death {
        return Err(Error::Invalid(format!(
            "the two H1 classes are never alive together (births {}, {}; deaths {}, {})",
            classes[0].birth, classes[1].birth, classes[0].death, classes[1].death
        )));
    }
    let diameter = land
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let eps = params.eps(birth, death, diameter);
    let h = [
        harmonic(land, classes[0], eps)?,
        harmonic(land, classes[1], eps)?,
    ];
    let gram_input = gram_of(&h);
    let (basis, gram) = reduce_lattice(gram_input);
    let reduced = [combine(&h, basis[0]), combine(&h, basis[1])];
    let n = to_land.nrows();
    let mut theta = Array2::zeros((n, 2));
    let mut n_uncovered = 0;
    for (i, row) in to_land.rows().into_iter().enumerate() {
        let w = match cover {
            Cover::Radius => {
                let (w, covered) = weights(row.iter().copied(), eps / 2.0, params.weight);
                n_uncovered += usize::from(!covered);
                w
            }
            Cover::Nearest(m) => nearest_weights(&row.to_vec(), m, params.weight),
        };
        for (r, hr) in reduced.iter().enumerate() {
            theta[[i, r]] = hr.at(&w).rem_euclid(1.0) * TAU;
        }
    }
    Ok(ToroidalCoordinates {
        theta,
        basis,
        gram_input,
        gram,
        eps,
        n_uncovered,
    })
}

/// Toroidal coordinates of points from their distances to the landmarks,
/// for two H1 cocycles of the landmarks' Rips filtration (vertex indices
/// `0..k`), decorrelated by lattice reduction and extended by Perea's
/// partition of unity (balls of radius `eps / 2`, `eps` taken at
/// `params.fraction` of the interval where both classes are alive).
///
/// # Shapes
/// `land`: `(k, k)`; `to_land`: `(n, k)` in the same metric.
///
/// # Errors
/// [`Error::Shape`] when the matrices do not fit; [`Error::Invalid`] when
/// the classes are never alive together or a cocycle names a vertex outside
/// the landmarks; [`Error::Param`] for invalid parameters.
pub fn toroidal_coordinates(
    land: &ArrayView2<f64>,
    to_land: &ArrayView2<f64>,
    classes: [&Cocycle; 2],
    params: &SparseCircularParams,
) -> Result<ToroidalCoordinates> {
    toroidal(land, to_land, classes, params, Cover::Radius)
}

/// As [`toroidal_coordinates`], with each point weighted over its
/// `n_nearest` nearest landmarks in the metric of `to_land`, which may
/// differ from the metric of `land` (see
/// [`sparse_circular::extend`](super::sparse_circular::extend)).
///
/// # Errors
/// As [`toroidal_coordinates`].
pub fn toroidal_coordinates_nearest(
    land: &ArrayView2<f64>,
    to_land: &ArrayView2<f64>,
    classes: [&Cocycle; 2],
    n_nearest: usize,
    params: &SparseCircularParams,
) -> Result<ToroidalCoordinates> {
    crate::params::check::at_least("n_nearest", n_nearest, 1)?;
    toroidal(land, to_land, classes, params, Cover::Nearest(n_nearest))
}

/// Toroidal coordinates of `points` (Euclidean) from the two most
/// persistent H1 classes of `diagrams` (computed on `points` with
/// cocycles, usually on landmarks).
///
/// # Examples
/// ```
/// use canns::tda::{rips, RipsParams, toroidal_coordinates_of_points, SparseCircularParams};
/// // A flat torus in R^4 on a 20 x 20 grid of angles.
/// let n = 20;
/// let pts = canns::ndarray::Array2::from_shape_fn((n * n, 4), |(i, j)| {
///     let a = [(i / n) as f64, (i % n) as f64][j / 2] * std::f64::consts::TAU / n as f64;
///     if j % 2 == 0 { a.cos() } else { a.sin() }
/// });
/// let d = rips(&pts, &RipsParams::default().coeff(47).cocycles(true).n_perm(120))?;
/// let t = toroidal_coordinates_of_points(&pts, &d, &SparseCircularParams::default())?;
/// assert!(t.correlation().abs() < 0.2);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Invalid`] when there are fewer than two H1 classes or no
/// cocycles; as [`toroidal_coordinates`].
pub fn toroidal_coordinates_of_points(
    points: &Array2<f64>,
    diagrams: &Diagrams,
    params: &SparseCircularParams,
) -> Result<ToroidalCoordinates> {
    let classes = classes_by_persistence(diagrams)?;
    if classes.len() < 2 {
        return Err(Error::Invalid(format!(
            "toroidal coordinates need two H1 classes (got {})",
            classes.len()
        )));
    }
    let (land, to_land) = euclidean_to_landmarks(points, diagrams)?;
    toroidal_coordinates(
        &land.view(),
        &to_land.view(),
        [&classes[0], &classes[1]],
        params,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduction_is_unimodular_and_reduced() {
        for g in [
            [[1.0, 0.3], [0.3, 1.0]],
            [[5.0, 7.0], [7.0, 10.0]],
            [[2.0, -3.9], [-3.9, 8.0]],
        ] {
            let (m, r) = reduce_lattice(g);
            let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
            assert_eq!(det.abs(), 1, "{m:?}");
            assert!(r[0][1].abs() <= r[0][0] / 2.0 + 1e-12);
            assert!(r[0][0] <= r[1][1] + 1e-12);
            // r = M g M^T
            let mut check = [[0.0; 2]; 2];
            for a in 0..2 {
                for b in 0..2 {
                    for i in 0..2 {
                        for j in 0..2 {
                            check[a][b] += m[a][i] as f64 * g[i][j] * m[b][j] as f64;
                        }
                    }
                }
            }
            for a in 0..2 {
                for b in 0..2 {
                    assert!((check[a][b] - r[a][b]).abs() < 1e-9);
                }
            }
        }
    }
}
