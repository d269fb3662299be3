//! How well a decoded bump follows a target: error, offset and lag. (documented in the parent module)

use crate::space::angle_diff;
use serde::{Deserialize, Serialize};

/// Summary of tracking a moving or fixed target on a ring.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // The bump runs 0.02 rad ahead of a target moving at 0.1 rad per time unit.
/// let target: Vec<f64> = (0..100).map(|i| 0.01 * i as f64).collect();
/// let centre: Vec<f64> = target.iter().map(|t| t + 0.02).collect();
/// let s = tracking_summary(&centre, &target, 0.1, 10);
/// assert_eq!(s.n_steps, 90);
/// assert!((s.rmse - 0.02).abs() < 1e-9 && (s.mean_abs_error - 0.02).abs() < 1e-9);
/// // Anticipation: a negative offset and lag (0.02 rad / 0.1 rad per time unit).
/// assert!((s.offset + 0.02).abs() < 1e-9 && (s.lag + 0.2).abs() < 1e-6);
/// // A target that never moves has no lag.
/// assert!(tracking_summary(&[0.1; 20], &[0.0; 20], 0.1, 0).lag.is_nan());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackingSummary {
    /// Mean absolute circular error |centre - target| (rad), over the steps used.
    pub mean_abs_error: f64,
    /// Root mean square circular error (rad).
    pub rmse: f64,
    /// Mean signed offset of the bump behind the target along the direction of
    /// motion (rad): positive when the bump lags, negative when it leads
    /// (anticipates). Only over steps where the target moves; NaN if it never does.
    pub offset: f64,
    /// Offset divided by the mean target speed (time unit): the tracking lag.
    /// Negative means anticipation. NaN if the target never moves.
    pub lag: f64,
    /// Number of steps used.
    pub n_steps: usize,
}

/// Tracking error, offset and lag of `centre` against `target` (both in
/// radians, one value per step, time step `dt`), over steps `from..`.
/// Steps where either is NaN are skipped.
///
/// # Examples
/// ```
/// use canns::analysis::tracking_summary;
/// let target: Vec<f64> = (0..100).map(|i| 0.01 * i as f64).collect();
/// let centre: Vec<f64> = target.iter().map(|t| t - 0.05).collect(); // 0.05 rad behind
/// let s = tracking_summary(&centre, &target, 0.1, 0);
/// assert!((s.offset - 0.05).abs() < 1e-9);
/// assert!((s.lag - 0.5).abs() < 1e-6); // speed 0.1 rad per time unit
/// ```
pub fn tracking_summary(centre: &[f64], target: &[f64], dt: f64, from: usize) -> TrackingSummary {
    let n = centre.len().min(target.len());
    let (mut abs, mut sq, mut count) = (0.0, 0.0, 0usize);
    let (mut off, mut speed, mut moving) = (0.0, 0.0, 0usize);
    for i in from..n {
        let (c, t) = (centre[i], target[i]);
        if !(c.is_finite() && t.is_finite()) {
            continue;
        }
        let e = angle_diff(c, t);
        abs += e.abs();
        sq += e * e;
        count += 1;
        if i + 1 < n && target[i + 1].is_finite() {
            let v = angle_diff(target[i + 1], t) / dt;
            if v.abs() > 1e-12 {
                off += -e * v.signum();
                speed += v.abs();
                moving += 1;
            }
        }
    }
    let c = count.max(1) as f64;
    let (offset, lag) = if moving > 0 {
        let o = off / moving as f64;
        (o, o / (speed / moving as f64))
    } else {
        (f64::NAN, f64::NAN)
    };
    TrackingSummary {
        mean_abs_error: abs / c,
        rmse: (sq / c).sqrt(),
        offset,
        lag,
        n_steps: count,
    }
}

impl crate::display::Render for TrackingSummary {
    fn bundle(&self) -> crate::display::Bundle {
        let kv = crate::display::KeyValues::new("TrackingSummary")
            .row(
                "mean_abs_error",
                format!("{:.5}", self.mean_abs_error),
                "rad",
            )
            .row("rmse", format!("{:.5}", self.rmse), "rad")
            .row(
                "offset",
                format!("{:.5}", self.offset),
                "rad behind the target (< 0: ahead)",
            )
            .row(
                "lag",
                format!("{:.4}", self.lag),
                "time units (< 0: anticipation)",
            )
            .row("n_steps", self.n_steps, "steps used");
        crate::display::Bundle::html(kv.to_html(), format!("{self:?}"))
    }
}

crate::display::evcxr_display_via_render!(TrackingSummary);
