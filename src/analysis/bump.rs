//! Bump statistics: centre (population vector), height and width. (documented in the parent module)

use crate::space::{ring_positions, wrap, TWO_PI};
use std::f64::consts::PI;

/// The neurons of a ring (or one axis of a torus) with their preferred angles
/// and the trigonometric tables the population vector needs, computed once.
///
/// # Examples
/// ```
/// use canns::analysis::RingGrid;
/// let grid = RingGrid::new(8);
/// let mut r = vec![0.0; 8];
/// r[2] = 1.0; // neuron 2 prefers -pi + 2 * 2pi/8 = -pi/2
/// assert!((grid.centre(&r).unwrap() + std::f64::consts::FRAC_PI_2).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RingGrid {
    x: Vec<f64>,
    cos: Vec<f64>,
    sin: Vec<f64>,
}

impl RingGrid {
    /// The grid of `n` neurons at `-pi + i 2pi/n`.
    pub fn new(n: usize) -> Self {
        let x = ring_positions(n);
        Self {
            cos: x.iter().map(|v| v.cos()).collect(),
            sin: x.iter().map(|v| v.sin()).collect(),
            x,
        }
    }

    /// Number of neurons.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// Whether the grid has no neurons.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// Preferred angles.
    pub fn positions(&self) -> &[f64] {
        &self.x
    }

    /// Population-vector angle of `r` (one value per neuron); `None` when
    /// the rates sum to zero or are not finite.
    pub fn centre(&self, r: &[f64]) -> Option<f64> {
        let (mut c, mut s, mut tot) = (0.0, 0.0, 0.0);
        for ((w, co), si) in r.iter().zip(&self.cos).zip(&self.sin) {
            c += w * co;
            s += w * si;
            tot += w;
        }
        (tot > 0.0 && tot.is_finite()).then(|| s.atan2(c))
    }

    /// Fitted Gaussian width of `r` around `centre` (see [`width_1d`]).
    pub fn width(&self, r: &[f64], centre: f64) -> Option<f64> {
        let c = wrap(centre);
        fit_sigma(self.x.iter().zip(r).map(|(x, r)| {
            // Both angles are in (-pi, pi]: one correction wraps the difference.
            let d = x - c;
            let d = if d > PI {
                d - TWO_PI
            } else if d <= -PI {
                d + TWO_PI
            } else {
                d
            };
            (d, *r)
        }))
    }

    /// Centre on an `n x n` torus (`n` = this grid's size): the population
    /// vector of each marginal, `[along columns, along rows]`.
    pub fn centre_2d(&self, r: &[f64]) -> Option<[f64; 2]> {
        let n = self.len();
        let mut col = vec![0.0; n];
        let mut row = vec![0.0; n];
        for (i, chunk) in r.chunks_exact(n).enumerate() {
            let mut acc = 0.0;
            for (c, v) in col.iter_mut().zip(chunk) {
                *c += v;
                acc += v;
            }
            row[i] = acc;
        }
        Some([self.centre(&col)?, self.centre(&row)?])
    }

    /// Width on an `n x n` torus: the fitted sigma along the row of neurons
    /// through the centre (the kernel is isotropic, so one axis suffices).
    pub fn width_2d(&self, r: &[f64], centre: [f64; 2]) -> Option<f64> {
        let n = self.len();
        let i = ((wrap(centre[1]) + PI) / (TWO_PI / n as f64)).round() as usize % n;
        self.width(&r[i * n..(i + 1) * n], centre[0])
    }
}

/// Centre of a bump on the ring: the angle of the population vector
/// `sum_i r_i exp(i x_i)`, with `x_i = -pi + i 2pi/N`. `None` when all rates
/// are zero (no bump). For repeated calls, use a [`RingGrid`].
///
/// # Examples
/// ```
/// let mut r = vec![0.0; 8];
/// r[2] = 1.0; // neuron 2 prefers -pi + 2 * 2pi/8 = -pi/2
/// let c = canns::analysis::centre_1d(&r).unwrap();
/// assert!((c + std::f64::consts::FRAC_PI_2).abs() < 1e-12);
/// ```
pub fn centre_1d(r: &[f64]) -> Option<f64> {
    RingGrid::new(r.len()).centre(r)
}

/// Centre of a bump on an `n x n` torus: the population-vector angle of each
/// marginal, `[along columns, along rows]`. `None` when all rates are zero.
pub fn centre_2d(r: &[f64], n: usize) -> Option<[f64; 2]> {
    RingGrid::new(n).centre_2d(r)
}

/// Height of a bump: the maximum value.
pub fn height(u: &[f64]) -> f64 {
    u.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
}

/// Width of a bump on the ring: the standard deviation `sigma` (radians) of
/// the Gaussian `h exp(-d^2 / (2 sigma^2))` fitted by least squares to
/// `ln r` over the neurons with `r > 5%` of the peak (weights `r / peak`),
/// around `centre`. `None` when fewer than three neurons are above that
/// level or the fit is not a bump (non-negative curvature).
///
/// For the default `Cann1d`, the stationary rate profile is close to a
/// Gaussian of width `a` (Wu et al. 2008).
pub fn width_1d(r: &[f64], centre: f64) -> Option<f64> {
    RingGrid::new(r.len()).width(r, centre)
}

/// Width of a bump on an `n x n` torus: the fitted `sigma` along the row of
/// neurons through the centre.
pub fn width_2d(r: &[f64], n: usize, centre: [f64; 2]) -> Option<f64> {
    RingGrid::new(n).width_2d(r, centre)
}

/// Weighted least squares of `ln r = c0 - d^2 / (2 sigma^2)`, weights `r`.
fn fit_sigma(points: impl Iterator<Item = (f64, f64)> + Clone) -> Option<f64> {
    let peak = points.clone().map(|p| p.1).fold(0.0, f64::max);
    if peak <= 0.0 || !peak.is_finite() {
        return None;
    }
    let (mut sw, mut sx, mut sy, mut sxx, mut sxy, mut count) = (0.0, 0.0, 0.0, 0.0, 0.0, 0);
    for (d, r) in points {
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
