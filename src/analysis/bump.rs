//! Bump statistics: centre (population vector), height and width.
//!
//! # Shapes
//! Activity vectors are flat, one value per neuron; on the torus they are
//! row-major `N x N` with neuron `(i, j)` preferring `(x_j, x_i)`, where
//! `x_k = -pi + k * 2pi/N`.

use crate::space::{circular_mean, ring_positions, wrap, TWO_PI};

/// Centre of a bump on the ring: the angle of the population vector
/// `sum_i r_i exp(i x_i)`, with `x_i = -pi + i 2pi/N`. `None` when all rates
/// are zero (no bump).
///
/// # Examples
/// ```
/// let mut r = vec![0.0; 8];
/// r[2] = 1.0; // neuron 2 prefers -pi + 2 * 2pi/8 = -pi/2
/// let c = canns::analysis::bump::centre_1d(&r).unwrap();
/// assert!((c + std::f64::consts::FRAC_PI_2).abs() < 1e-12);
/// ```
pub fn centre_1d(r: &[f64]) -> Option<f64> {
    let x = ring_positions(r.len());
    circular_mean(&x, r).map(|(m, _)| m)
}

/// Centre of a bump on an `n x n` torus: the population-vector angle of each
/// marginal, `[along columns, along rows]`. `None` when all rates are zero.
pub fn centre_2d(r: &[f64], n: usize) -> Option<[f64; 2]> {
    let mut col = vec![0.0; n];
    let mut row = vec![0.0; n];
    for i in 0..n {
        for j in 0..n {
            let v = r[i * n + j];
            col[j] += v;
            row[i] += v;
        }
    }
    Some([centre_1d(&col)?, centre_1d(&row)?])
}

/// Height of a bump: the maximum value.
pub fn height(u: &[f64]) -> f64 {
    u.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
}

/// Width of a bump on the ring: the standard deviation `sigma` (radians) of
/// the Gaussian `h exp(-d^2 / (2 sigma^2))` fitted by least squares to
/// `ln r` over the neurons with `r > 5%` of the peak, around `centre`.
/// `None` when fewer than three neurons are above that level or the fit is
/// not a bump (non-negative curvature).
///
/// For the default `Cann1d`, the stationary rate profile is close to a
/// Gaussian of width `a` (Wu et al. 2008).
pub fn width_1d(r: &[f64], centre: f64) -> Option<f64> {
    let x = ring_positions(r.len());
    fit_sigma(
        x.iter()
            .zip(r)
            .map(|(x, r)| (crate::space::angle_diff(*x, centre), *r)),
    )
}

/// Width of a bump on an `n x n` torus: the fitted `sigma` of its marginal
/// along columns (the kernel is isotropic, so one axis suffices).
pub fn width_2d(r: &[f64], n: usize, centre: [f64; 2]) -> Option<f64> {
    // Use the row through the centre, not the marginal: the marginal of an
    // isotropic Gaussian has the same sigma, but a cut is cheaper and robust.
    let step = TWO_PI / n as f64;
    let i = ((wrap(centre[1]) + std::f64::consts::PI) / step).round() as usize % n;
    width_1d(&r[i * n..(i + 1) * n], centre[0])
}

/// Weighted least squares of `ln r = c0 - d^2 / (2 sigma^2)`, weights `r`.
fn fit_sigma(points: impl Iterator<Item = (f64, f64)>) -> Option<f64> {
    let pts: Vec<(f64, f64)> = points.collect();
    let peak = pts.iter().map(|p| p.1).fold(0.0, f64::max);
    if peak <= 0.0 || !peak.is_finite() {
        return None;
    }
    let (mut sw, mut sx, mut sy, mut sxx, mut sxy, mut count) = (0.0, 0.0, 0.0, 0.0, 0.0, 0);
    for (d, r) in pts {
        if r > 0.05 * peak {
            let w = r / peak;
            let x = d * d;
            let y = (r / peak).ln();
            sw += w;
            sx += w * x;
            sy += w * y;
            sxx += w * x * x;
            sxy += w * x * y;
            count += 1;
        }
    }
    if count < 3 {
        return None;
    }
    let det = sw * sxx - sx * sx;
    if det <= 0.0 {
        return None;
    }
    let slope = (sw * sxy - sx * sy) / det;
    (slope < 0.0).then(|| (-1.0 / (2.0 * slope)).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::angle_diff;

    #[test]
    fn width_recovers_gaussian_sigma() {
        let x = ring_positions(256);
        for sigma in [0.2, 0.35, 0.6] {
            let r: Vec<f64> = x
                .iter()
                .map(|x| (-(angle_diff(*x, 1.0)).powi(2) / (2.0 * sigma * sigma)).exp())
                .collect();
            let c = centre_1d(&r).unwrap();
            assert!((c - 1.0).abs() < 1e-6);
            let w = width_1d(&r, c).unwrap();
            assert!((w - sigma).abs() < 1e-6, "{w} vs {sigma}");
        }
    }

    #[test]
    fn zero_activity_has_no_centre_or_width() {
        assert!(centre_1d(&[0.0; 10]).is_none());
        assert!(width_1d(&[0.0; 10], 0.0).is_none());
    }

    #[test]
    fn centre_2d_reads_columns_then_rows() {
        let n = 16;
        let mut r = vec![0.0; n * n];
        r[4 * n + 12] = 1.0; // row 4, column 12
        let c = centre_2d(&r, n).unwrap();
        let x = ring_positions(n);
        assert!((c[0] - x[12]).abs() < 1e-12 && (c[1] - x[4]).abs() < 1e-12);
    }
}
