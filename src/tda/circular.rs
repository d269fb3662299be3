//! Circular coordinates from an H1 cocycle (de Silva, Morozov & (documented in the parent module)

use super::rips::{Cocycle, Diagrams};
use crate::error::{Error, Result};
use ndarray::ArrayView2;
use std::f64::consts::TAU;

/// Circular coordinate (radians, in [0, 2 pi)) of every point, from the H1
/// `cocycle` of a diagram computed on the distance matrix `dist`, on the
/// Rips graph at scale `eps` (default: three quarters of the way from the
/// class's birth to its death, where the graph is dense enough for a smooth
/// coordinate; 1.5 x birth for an essential class).
///
/// # Errors
/// [`Error::Invalid`] when `eps` lies outside `[birth, death)`, the cocycle
/// names a point outside the matrix, or the matrix is not square.
pub fn circular_coordinates(
    dist: &ArrayView2<f64>,
    cocycle: &Cocycle,
    eps: Option<f64>,
) -> Result<Vec<f64>> {
    let (f, _) = harmonic_lift(dist, cocycle, eps)?;
    Ok(f.iter().map(|v| (v.rem_euclid(1.0)) * TAU).collect())
}

/// An edge `(i, j)`, `i < j`, with the cocycle's value on it.
pub(crate) type Edge = (usize, usize, f64);

/// The Rips graph of `dist` at scale `eps` (default as in
/// [`circular_coordinates`]), the integer cocycle's value `z_ij` on each
/// edge `(i, j)`, `i < j`, and the real vertex function `f` minimising
/// `sum (z_ij - (f_j - f_i))^2` (zero mean on each component).
pub(crate) fn harmonic_lift(
    dist: &ArrayView2<f64>,
    cocycle: &Cocycle,
    eps: Option<f64>,
) -> Result<(Vec<f64>, Vec<Edge>)> {
    let n = dist.nrows();
    if dist.ncols() != n {
        return Err(Error::shape(
            "distance matrix",
            format!("{n} x {n}"),
            format!("{n} x {}", dist.ncols()),
        ));
    }
    let (birth, death) = (cocycle.birth, cocycle.death);
    let eps = eps.unwrap_or(if death.is_finite() {
        birth + 0.75 * (death - birth)
    } else {
        birth * 1.5
    });
    if !(eps >= birth && eps < death) {
        return Err(Error::Invalid(format!(
            "eps must lie in [birth, death) = [{birth}, {death}) (got {eps})"
        )));
    }
    // Edges of the Rips graph at eps, with the cocycle's value on each.
    let mut value = std::collections::HashMap::new();
    for (s, c) in &cocycle.simplices {
        if s.len() != 2 || s[0] >= n || s[1] >= n {
            return Err(Error::Invalid(format!(
                "cocycle simplex {s:?} is not an edge of {n} points"
            )));
        }
        value.insert(
            (s[0].min(s[1]), s[0].max(s[1])),
            *c as f64 * if s[0] < s[1] { 1.0 } else { -1.0 },
        );
    }
    let mut edges = Vec::new();
    for j in 0..n {
        for i in 0..j {
            if dist[[i, j]] <= eps {
                edges.push((i, j, value.get(&(i, j)).copied().unwrap_or(0.0)));
            }
        }
    }
    // Normal equations L f = b, b_v = sum over edges (i, j) of z_ij ([v = j] - [v = i]).
    let mut b = vec![0.0; n];
    let mut degree = vec![0.0; n];
    for &(i, j, z) in &edges {
        b[j] += z;
        b[i] -= z;
        degree[i] += 1.0;
        degree[j] += 1.0;
    }
    let apply = |f: &[f64], out: &mut [f64]| {
        for (o, (fv, d)) in out.iter_mut().zip(f.iter().zip(&degree)) {
            *o = d * fv;
        }
        for &(i, j, _) in &edges {
            out[i] -= f[j];
            out[j] -= f[i];
        }
    };
    let f = conjugate_gradient(apply, &b, 1e-10, 10 * n + 100);
    Ok((f, edges))
}

/// Circular coordinates for the `k`-th longest H1 class of `diagrams`
/// (computed with `cocycles: true`) on the points' Euclidean distances.
/// With landmarks (`n_perm`), coordinates are solved on the landmarks and
/// every other point takes the coordinate of its nearest landmark.
///
/// # Examples
/// ```
/// use canns::tda::{rips, RipsParams, circular_coordinates_of_points};
/// let pts = ndarray::Array2::from_shape_fn((40, 2), |(i, j)| {
///     let a = i as f64 * std::f64::consts::TAU / 40.0;
///     if j == 0 { a.cos() } else { a.sin() }
/// });
/// let d = rips(&pts, &RipsParams::default().coeff(47).cocycles(true))?;
/// let theta = circular_coordinates_of_points(&pts, &d, 0)?;
/// // Neighbours on the circle are neighbours in theta (one turn in 40 steps).
/// let step = canns::space::angle_diff(theta[1], theta[0]).abs();
/// assert!((step - std::f64::consts::TAU / 40.0).abs() < 1e-3);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Invalid`] when the diagrams have no cocycles or fewer than `k + 1` H1 classes,
/// [`Error::Shape`] when `points` are not the points of `diagrams`.
pub fn circular_coordinates_of_points(
    points: &ndarray::Array2<f64>,
    diagrams: &Diagrams,
    k: usize,
) -> Result<Vec<f64>> {
    if diagrams.cocycles.is_empty() {
        return Err(Error::Invalid(
            "diagrams carry no cocycles: compute them with RipsParams::cocycles(true)".into(),
        ));
    }
    let mut order: Vec<&Cocycle> = diagrams.cocycles.iter().collect();
    order.sort_by(|a, b| (b.death - b.birth).total_cmp(&(a.death - a.birth)));
    let c = order.get(k).ok_or_else(|| {
        Error::Invalid(format!(
            "asked for H1 class {k} but there are {}",
            order.len()
        ))
    })?;
    let n = points.nrows();
    if diagrams.n_points != n {
        return Err(Error::shape(
            "points for circular coordinates",
            diagrams.n_points,
            n,
        ));
    }
    let euclid = |i: usize, j: usize| super::rips::euclidean(points, i, j);
    // Coordinates on the points the diagrams were computed on (the landmarks
    // with n_perm), whose cocycle indices refer to original points.
    let idx = &diagrams.idx_perm;
    let mut position = vec![usize::MAX; n];
    for (a, &i) in idx.iter().enumerate() {
        position[i] = a;
    }
    let local = Cocycle {
        birth: c.birth,
        death: c.death,
        simplices: c
            .simplices
            .iter()
            .map(|(s, v)| (s.iter().map(|&i| position[i]).collect(), *v))
            .collect(),
    };
    let k = idx.len();
    let d = ndarray::Array2::from_shape_fn((k, k), |(a, b)| euclid(idx[a], idx[b]));
    let eps = if c.death.is_finite() {
        None
    } else {
        Some(c.birth.max(diagrams.threshold * 0.999))
    };
    let theta_l = circular_coordinates(&d.view(), &local, eps)?;
    // Every other point takes the coordinate of its nearest landmark.
    Ok((0..n)
        .map(|i| {
            if position[i] != usize::MAX {
                return theta_l[position[i]];
            }
            let near = (0..k)
                .min_by(|&a, &b| euclid(i, idx[a]).total_cmp(&euclid(i, idx[b])))
                .expect("at least one landmark");
            theta_l[near]
        })
        .collect())
}

/// Conjugate gradients for a symmetric positive semi-definite operator with
/// a consistent right-hand side.
pub(crate) fn conjugate_gradient(
    apply: impl Fn(&[f64], &mut [f64]),
    b: &[f64],
    tol: f64,
    max_iter: usize,
) -> Vec<f64> {
    let n = b.len();
    let mut x = vec![0.0; n];
    let mut r = b.to_vec();
    let mut p = r.clone();
    let mut ap = vec![0.0; n];
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let mut rr = dot(&r, &r);
    let stop = tol * tol * dot(b, b).max(1e-300);
    for _ in 0..max_iter {
        if rr <= stop {
            break;
        }
        apply(&p, &mut ap);
        let pap = dot(&p, &ap);
        if pap <= 0.0 {
            break;
        }
        let alpha = rr / pap;
        for i in 0..n {
            x[i] += alpha * p[i];
            r[i] -= alpha * ap[i];
        }
        let rr_new = dot(&r, &r);
        let beta = rr_new / rr;
        for i in 0..n {
            p[i] = r[i] + beta * p[i];
        }
        rr = rr_new;
    }
    x
}
