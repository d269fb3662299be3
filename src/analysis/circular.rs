//! Circular statistics: comparing a decoded angle with a measured one. (documented in the parent module)

use serde::{Deserialize, Serialize};

/// A decoded angle compared with a measured one.
///
/// # Example
/// ```
/// use canns::analysis::compare_angles;
/// // A decoded angle running the same way as the measured one, rotated by 1 rad.
/// let phi: Vec<f64> = (0..50).map(|i| i as f64 * 0.2).collect();
/// let theta: Vec<f64> = phi.iter().map(|p| p - 1.0).collect();
/// let c = compare_angles(&theta, &phi).unwrap();
/// assert_eq!((c.sign, c.n), (1.0, 50));
/// assert!((c.offset - 1.0).abs() < 1e-9 && c.correlation > 0.999);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CircularComparison {
    /// Which decoded coordinate (0 or 1).
    pub class: usize,
    /// Circular correlation: mean resultant length `|mean exp(i (phi - s theta))|`
    /// of the difference between the measured and the reflected decoded
    /// angle (1: equal up to a rotation; about 0: unrelated).
    pub correlation: f64,
    /// +1 or -1: the decoded angle runs the same way as the measured one, or
    /// the opposite way.
    pub sign: f64,
    /// Rotation added after the reflection, radians.
    pub offset: f64,
    /// Mean absolute angular error after alignment, radians.
    pub mean_abs_error: f64,
    /// Bins compared (measured angle known).
    pub n: usize,
}

/// Compares a decoded angle `theta` with a measured `phi` (radians, NaN in
/// `phi` skipped): for each reflection `s = +-1`, the mean resultant length
/// `R = |mean exp(i (phi - s theta))|` of the difference (Mardia & Jupp
/// 2000, section 2.3.1: 1 when `phi = s theta + c` for a constant `c`,
/// near 0 when they are unrelated); the reflection with the larger `R`,
/// the rotation `c = arg mean exp(i (phi - s theta))` and the mean absolute
/// error of `s theta + c` are returned. (Jammalamadaka's correlation
/// coefficient is unstable for angles spread around the whole circle,
/// where the circular means are undefined.) `None` with fewer than 3 shared
/// values.
///
/// # Examples
/// ```
/// use canns::analysis::compare_angles;
/// let phi: Vec<f64> = (0..100).map(|i| i as f64 * 0.1).collect();
/// let theta: Vec<f64> = phi.iter().map(|p| 2.0 - p).collect(); // reflected and rotated
/// let c = compare_angles(&theta, &phi).unwrap();
/// assert_eq!(c.sign, -1.0);
/// assert!(c.correlation > 0.999 && c.mean_abs_error < 1e-9);
/// ```
pub fn compare_angles(theta: &[f64], phi: &[f64]) -> Option<CircularComparison> {
    let pairs: Vec<(f64, f64)> = theta
        .iter()
        .zip(phi)
        .filter(|(t, p)| t.is_finite() && p.is_finite())
        .map(|(&t, &p)| (t, p))
        .collect();
    if pairs.len() < 3 {
        return None;
    }
    let mut best: Option<CircularComparison> = None;
    for sign in [1.0, -1.0] {
        let (c, s) = pairs.iter().fold((0.0, 0.0), |(c, s), (t, p)| {
            (c + (p - sign * t).cos(), s + (p - sign * t).sin())
        });
        let offset = s.atan2(c);
        let r = (c * c + s * s).sqrt() / pairs.len() as f64;
        let mae = pairs
            .iter()
            .map(|(t, p)| crate::space::angle_diff(sign * t + offset, *p).abs())
            .sum::<f64>()
            / pairs.len() as f64;
        let cand = CircularComparison {
            class: 0,
            correlation: r,
            sign,
            offset: crate::space::wrap(offset),
            mean_abs_error: mae,
            n: pairs.len(),
        };
        if best
            .as_ref()
            .is_none_or(|b| cand.correlation > b.correlation)
        {
            best = Some(cand);
        }
    }
    best
}
