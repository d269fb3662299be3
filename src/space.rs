//! Feature spaces: the ring (-pi, pi] and the torus, with periodic distance,
//! wrapping and circular statistics.

use std::f64::consts::PI;

/// Length of the ring (-pi, pi].
pub const TWO_PI: f64 = 2.0 * PI;

/// Wraps an angle into (-pi, pi].
///
/// # Examples
/// ```
/// use canns::space::wrap;
/// assert!((wrap(3.0 * std::f64::consts::PI) - std::f64::consts::PI).abs() < 1e-12);
/// assert!((wrap(-0.5) + 0.5).abs() < 1e-15);
/// ```
pub fn wrap(x: f64) -> f64 {
    let y = x.rem_euclid(TWO_PI);
    if y > PI {
        y - TWO_PI
    } else {
        y
    }
}

/// Signed periodic difference `a - b` on a ring of length `period`, in
/// (-period/2, period/2].
///
/// # Examples
/// ```
/// use canns::space::periodic_diff;
/// assert!((periodic_diff(0.9, 0.1, 1.0) + 0.2).abs() < 1e-12);
/// ```
pub fn periodic_diff(a: f64, b: f64, period: f64) -> f64 {
    let d = (a - b).rem_euclid(period);
    if d > period / 2.0 {
        d - period
    } else {
        d
    }
}

/// Signed angular difference `a - b` in (-pi, pi].
pub fn angle_diff(a: f64, b: f64) -> f64 {
    periodic_diff(a, b, TWO_PI)
}

/// Positions of `n` neurons evenly spaced on the ring without a duplicated
/// end point: `x_i = -pi + i * 2pi/n`, i = 0..n (the point -pi is pi).
///
/// The Python `canns` package uses `linspace(-pi, pi, n)`, which places two
/// neurons at the same point (-pi and pi); we use `n` distinct points.
pub fn ring_positions(n: usize) -> Vec<f64> {
    let dx = TWO_PI / n as f64;
    (0..n).map(|i| -PI + i as f64 * dx).collect()
}

/// Circular mean of angles `x` weighted by `w` (population vector), and the
/// resultant length (0: no preferred direction, 1: all weight at one angle).
/// Returns `None` when the weights sum to zero.
///
/// # Examples
/// ```
/// use canns::space::circular_mean;
/// let (m, r) = circular_mean(&[0.1, 0.3], &[1.0, 1.0]).unwrap();
/// assert!((m - 0.2).abs() < 1e-12 && r > 0.99);
/// ```
pub fn circular_mean(x: &[f64], w: &[f64]) -> Option<(f64, f64)> {
    let (mut c, mut s, mut tot) = (0.0, 0.0, 0.0);
    for (xi, wi) in x.iter().zip(w) {
        c += wi * xi.cos();
        s += wi * xi.sin();
        tot += wi;
    }
    if tot <= 0.0 || !tot.is_finite() {
        return None;
    }
    Some((s.atan2(c), (c * c + s * s).sqrt() / tot))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn ring_distance_is_symmetric_and_at_most_half(a in -20.0f64..20.0, b in -20.0f64..20.0) {
            let d1 = angle_diff(a, b).abs();
            let d2 = angle_diff(b, a).abs();
            prop_assert!((d1 - d2).abs() < 1e-9 || (d1 - PI).abs() < 1e-9);
            prop_assert!(d1 <= PI + 1e-12);
        }

        #[test]
        fn wrap_lands_in_half_open_interval(a in -100.0f64..100.0) {
            let w = wrap(a);
            prop_assert!(w > -PI && w <= PI);
            prop_assert!(((a - w) / TWO_PI - ((a - w) / TWO_PI).round()).abs() < 1e-9);
        }
    }

    #[test]
    fn ring_positions_are_distinct_and_evenly_spaced() {
        let x = ring_positions(8);
        assert_eq!(x.len(), 8);
        assert!((x[0] + PI).abs() < 1e-15);
        assert!((x[7] - (PI - TWO_PI / 8.0)).abs() < 1e-12);
    }
}
