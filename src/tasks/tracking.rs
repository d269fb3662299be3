use super::{check_fit, steps_of, Task};
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render, Series};
use crate::error::{ParamError, Result};
use crate::models::FeatureMap;
use crate::params::check;
use crate::params::setters;
use crate::params::Params;
use serde::{Deserialize, Serialize};

/// Parameters of [`SmoothTracking`].
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // A 2D target from (0, 0) to (1, -1) over 5 time units at dt = 0.5.
/// let task = SmoothTracking::params().keypoints(vec![vec![0.0, 0.0], vec![1.0, -1.0]]).durations(vec![5.0]).dt(0.5).build()?;
/// assert_eq!((task.dim(), task.n_steps()), (2, 10));
/// // One duration per segment: one fewer than the keypoints.
/// let err = SmoothTracking::params().durations(vec![1.0]).build().unwrap_err();
/// assert!(err.to_string().contains("durations"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmoothTrackingParams {
    /// Keypoints the stimulus passes through, each of the task's dimension
    /// (radians). Default `[[0], [pi/2], [pi]]`... see [`Default`].
    pub keypoints: Vec<Vec<f64>>,
    /// Duration of each segment (time unit), one fewer than `keypoints`.
    pub durations: Vec<f64>,
    /// Time step (time unit). Default 0.1.
    pub dt: f64,
}

impl Default for SmoothTrackingParams {
    /// Default: a 1D stimulus from 0 to pi/2 and back to -pi/2 over 2 x 100
    /// time units (speed about 0.016 rad per unit time), the protocol of the
    /// `canns` tracking tutorial scaled to a slow, trackable speed.
    fn default() -> Self {
        use std::f64::consts::FRAC_PI_2;
        Self {
            keypoints: vec![vec![0.0], vec![FRAC_PI_2], vec![-FRAC_PI_2]],
            durations: vec![100.0, 200.0],
            dt: 0.1,
        }
    }
}

impl SmoothTrackingParams {
    setters! {
        /// Sets `keypoints`.
        keypoints: Vec<Vec<f64>>,
        /// Sets `durations`.
        durations: Vec<f64>,
        /// Sets `dt`.
        dt: f64,
    }

    /// Validates and builds the task.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) naming the invalid field and value;
    /// [`Error::Limit`](crate::Error::Limit) when the targets (one per step)
    /// would exceed the memory budget ([`check_memory`](crate::error::check_memory)).
    pub fn build(&self) -> Result<SmoothTracking> {
        self.validate()?;
        let total: f64 = self.durations.iter().sum();
        let steps = (total / self.dt).ceil();
        let dim = self.keypoints[0].len() as f64;
        crate::error::check_memory(
            &format!(
                "SmoothTracking over {total} time units at dt = {} ({steps} steps)",
                self.dt
            ),
            (steps * dim * 8.0).min(u64::MAX as f64) as u64,
            "raise `dt` or shorten `durations`",
        )?;
        Ok(SmoothTracking {
            targets: targets(&self.keypoints, &self.durations, self.dt),
            params: self.clone(),
        })
    }
}

impl Params for SmoothTrackingParams {
    const NAME: &'static str = "SmoothTrackingParams";

    fn validate(&self) -> Result<()> {
        check::positive("dt", self.dt)?;
        if self.keypoints.len() < 2 {
            return Err(ParamError::new(
                "keypoints",
                "at least 2 points",
                format!("{} points", self.keypoints.len()),
            )
            .into());
        }
        let dim = self.keypoints[0].len();
        if !(1..=2).contains(&dim) {
            return Err(ParamError::new(
                "keypoints[0]",
                "of dimension 1 or 2",
                format!("dimension {dim}"),
            )
            .into());
        }
        for (i, k) in self.keypoints.iter().enumerate() {
            if k.len() != dim {
                return Err(ParamError::new(
                    format!("keypoints[{i}]"),
                    format!("of dimension {dim}"),
                    format!("dimension {}", k.len()),
                )
                .into());
            }
            for (j, v) in k.iter().enumerate() {
                check::finite(&format!("keypoints[{i}][{j}]"), *v)?;
            }
        }
        if self.durations.len() + 1 != self.keypoints.len() {
            return Err(ParamError::new(
                "durations",
                format!("one fewer than keypoints ({})", self.keypoints.len() - 1),
                format!("{} durations", self.durations.len()),
            )
            .into());
        }
        for (i, d) in self.durations.iter().enumerate() {
            check::non_negative(&format!("durations[{i}]"), *d)?;
        }
        if self.durations.iter().sum::<f64>() / self.dt < 1.0 {
            return Err(ParamError::new(
                "durations",
                "to sum to at least one dt",
                self.durations.iter().sum::<f64>(),
            )
            .into());
        }
        Ok(())
    }
}

/// Targets per step, flat `(n_steps, dim)`, following `canns`'s protocol.
fn targets(keypoints: &[Vec<f64>], durations: &[f64], dt: f64) -> Vec<f64> {
    let dim = keypoints[0].len();
    let total: f64 = durations.iter().sum();
    let n = (total / dt).ceil() as usize;
    let mut out = vec![0.0; n * dim];
    let mut start = 0;
    for (i, d) in durations.iter().enumerate() {
        let m = steps_of(*d, dt).min(n - start);
        for s in 0..m {
            let f = if m > 1 {
                s as f64 / (m - 1) as f64
            } else {
                0.0
            };
            for c in 0..dim {
                let (a, b) = (keypoints[i][c], keypoints[i + 1][c]);
                out[(start + s) * dim + c] = a + f * (b - a);
            }
        }
        start += m;
    }
    for s in start..n {
        out[s * dim..(s + 1) * dim]
            .copy_from_slice(keypoints.last().expect("validated: >= 2 keypoints"));
    }
    out
}

/// Smooth tracking: a stimulus moving between keypoints.
///
/// The target moves linearly from keypoint `i` to keypoint `i + 1` over
/// `durations[i]`, in `int(durations[i] / dt)` steps that include both ends
/// (as `numpy.linspace` does in the Python `canns` package's
/// `SmoothTracking1D/2D`), then stays at the last keypoint for any remaining
/// steps of `ceil(sum(durations) / dt)`. Positions are not wrapped while
/// interpolating (0 -> 6 moves the long way round the ring, as in `canns`);
/// the stimulus itself is periodic.
///
/// ## Examples
/// ```
/// use canns::prelude::*;
/// let task = SmoothTracking::params().keypoints(vec![vec![0.0], vec![1.0]]).durations(vec![10.0]).build()?;
/// assert_eq!(task.n_steps(), 100);
/// let mut z = [0.0];
/// task.target(99, &mut z);
/// assert!((z[0] - 1.0).abs() < 1e-12);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // A stimulus moving slowly from 0 to 1 rad; the bump follows it.
/// let mut task = SmoothTracking::params().keypoints(vec![vec![0.0], vec![1.0]]).durations(vec![30.0]).build()?;
/// let mut net = Cann1d::params().num(64).build()?;
/// let sim = simulate(&mut net, &mut task)?;
/// assert_eq!(sim.t.len(), 300);
/// let (last, target) = (sim.centre[[299, 0]], sim.target[[299, 0]]);
/// assert!((target - 1.0).abs() < 1e-12 && (last - target).abs() < 0.15, "{last}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SmoothTracking {
    params: SmoothTrackingParams,
    targets: Vec<f64>,
}

impl SmoothTracking {
    /// Default parameters, to adjust and build.
    pub fn params() -> SmoothTrackingParams {
        SmoothTrackingParams::default()
    }
    /// The parameters of this task.
    pub fn parameters(&self) -> &SmoothTrackingParams {
        &self.params
    }
    /// Plot of the target over time (one line per dimension).
    pub fn plot(&self) -> Figure {
        plot_targets("SmoothTracking target", self)
    }
}

pub(crate) fn plot_targets(title: &str, task: &dyn Task) -> Figure {
    let n = task.n_steps();
    let dim = task.dim();
    let t: Vec<f64> = (0..n).map(|s| s as f64 * task.dt()).collect();
    let mut z = vec![0.0; dim];
    let mut ys = vec![Vec::with_capacity(n); dim];
    for s in 0..n {
        task.target(s, &mut z);
        for c in 0..dim {
            ys[c].push(if task.stimulus_on(s) { z[c] } else { f64::NAN });
        }
    }
    let series = ys
        .into_iter()
        .enumerate()
        .map(|(c, y)| Series::line(format!("target x{}", c + 1), t.clone(), y))
        .collect();
    display::lines(title, "time", "stimulus position (rad)", series)
}

impl Task for SmoothTracking {
    fn name(&self) -> &'static str {
        "smooth_tracking"
    }
    fn dt(&self) -> f64 {
        self.params.dt
    }
    fn n_steps(&self) -> usize {
        self.targets.len() / self.dim()
    }
    fn dim(&self) -> usize {
        self.params.keypoints[0].len()
    }
    fn target(&self, step: usize, out: &mut [f64]) {
        let d = self.dim();
        out.copy_from_slice(&self.targets[step * d..(step + 1) * d]);
    }
    fn stimulus_on(&self, _step: usize) -> bool {
        true
    }
    fn input(&mut self, step: usize, model: &dyn FeatureMap, input: &mut [f64]) -> Result<()> {
        check_fit(self, model, input)?;
        let d = self.dim();
        model.stimulus(&self.targets[step * d..(step + 1) * d], input)?;
        Ok(())
    }
}

impl Render for SmoothTrackingParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(table(self).to_html(), format!("{self:?}"))
    }
}

fn table(p: &SmoothTrackingParams) -> KeyValues {
    KeyValues::new("SmoothTrackingParams")
        .row(
            "keypoints",
            format!("{:?}", p.keypoints),
            "positions passed through (rad)",
        )
        .row(
            "durations",
            format!("{:?}", p.durations),
            "segment durations (time unit)",
        )
        .row("dt", p.dt, "time step")
}

impl Render for SmoothTracking {
    fn bundle(&self) -> Bundle {
        let t = table(&self.params)
            .row("n_steps", self.n_steps(), "steps")
            .to_html();
        Bundle::figure(
            &self.plot(),
            &t,
            format!(
                "SmoothTracking({} steps, dim {})",
                self.n_steps(),
                self.dim()
            ),
        )
    }
}

display::evcxr_display_via_render!(SmoothTrackingParams, SmoothTracking);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_follow_linspace_per_segment_like_canns() {
        let t = targets(&[vec![0.0], vec![1.0], vec![3.0]], &[0.5, 0.3], 0.1);
        // int(0.5/0.1) = 5 steps linspace(0,1,5), int(0.3/0.1) = 2 (0.3/0.1 = 2.9999...), ceil(0.8/0.1) = 8.
        assert_eq!(t.len(), 8);
        assert_eq!(&t[..5], &[0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(&t[5..7], &[1.0, 3.0]);
        assert_eq!(t[7], 3.0);
    }

    #[test]
    fn invalid_params_name_the_field() {
        let e = SmoothTracking::params()
            .durations(vec![1.0])
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("`durations`"), "{e}");
        let e = SmoothTracking::params()
            .dt(-0.1)
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("`dt`") && e.contains("-0.1"), "{e}");
        let e = SmoothTracking::params()
            .keypoints(vec![vec![0.0], vec![f64::NAN], vec![1.0]])
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("keypoints[1][0]"), "{e}");
        let e = SmoothTracking::params()
            .keypoints(vec![vec![0.0], vec![1.0, 2.0], vec![1.0]])
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("keypoints[1]"), "{e}");
    }
}
