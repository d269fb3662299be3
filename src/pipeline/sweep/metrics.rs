use super::spec::Output;
use crate::analysis::replay::ReplayStats;
use crate::analysis::tracking::tracking_summary;
use crate::error::{Error, ParamError, Result};
use crate::space::angle_diff;
use ndarray::ArrayView2;
use std::sync::Arc;

/// What a metric sees of one run.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::pipeline::sweep::{Axis, Output, Run, Sweep};
/// // What a custom metric sees: here, the bump's final position.
/// let task = SmoothTracking::params().keypoints(vec![vec![-1.0], vec![1.0]]).durations(vec![10.0]);
/// let result = Sweep::new(Cann1d::params().num(64), task)
///     .over(Axis::values("m", [0.0]))
///     .metrics(["height"])
///     .metric("final_centre", |run: &Run| Ok(run.centres()[[run.n_steps() - 1, 0]]))
///     .run()?;
/// let c = result.column("final_centre")?[0];
/// assert!((c - 1.0).abs() < 0.5, "{c}"); // near the stimulus, which ends at 1 rad
/// // A run can also be made by hand from a simulation, e.g. to test a metric.
/// let mut net = Cann1d::params().num(64).build()?;
/// let mut task = SmoothTracking::params().keypoints(vec![vec![-1.0], vec![1.0]]).durations(vec![10.0]).build()?;
/// let run = Run { from: 50, output: Output::Simulation(Box::new(simulate(&mut net, &mut task)?)) };
/// assert_eq!((run.n_steps(), run.height().unwrap().len()), (100, 100));
/// assert!(run.target().is_some());
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Run {
    /// First step the metrics analyse (the warmup skipped, and for replay
    /// the cue too).
    pub from: usize,
    /// What the run recorded.
    pub output: Output,
}

impl Run {
    /// Time step.
    pub fn dt(&self) -> f64 {
        self.output.dt()
    }
    /// Decoded bump centre per step, `(n_steps, dim)` (rad; NaN where
    /// there was no bump, except in replay runs, which keep the last one).
    pub fn centres(&self) -> ArrayView2<'_, f64> {
        match &self.output {
            Output::Simulation(s) => s.centre.view(),
            Output::Replay(r) => r.centres.view(),
        }
    }
    /// Ground-truth target per step, `(n_steps, dim)`; `None` for replay.
    pub fn target(&self) -> Option<ArrayView2<'_, f64>> {
        match &self.output {
            Output::Simulation(s) => Some(s.target.view()),
            Output::Replay(_) => None,
        }
    }
    /// Bump height (max `u`) per step; `None` for replay.
    pub fn height(&self) -> Option<&[f64]> {
        match &self.output {
            Output::Simulation(s) => Some(&s.height),
            Output::Replay(_) => None,
        }
    }
    /// Bump width (fitted sigma of `r`, rad) per step; `None` for replay.
    pub fn width(&self) -> Option<&[f64]> {
        match &self.output {
            Output::Simulation(s) => Some(&s.width),
            Output::Replay(_) => None,
        }
    }
    /// Number of steps.
    pub fn n_steps(&self) -> usize {
        self.centres().nrows()
    }
}

/// A metric: a name and a function of a run.
pub type MetricFn = Arc<dyn Fn(&Run) -> Result<f64> + Send + Sync>;

/// Metrics: the numbers a sweep keeps from each run.
///
/// A run's states are dropped as soon as its metrics are computed; a metric
/// sees a [`Run`]: the decoded bump centre at every step, the target (on
/// tracking and coding tasks), the bump height and width per step, and the
/// first step to analyse (after the warmup).
///
/// The built-in metrics, by the name a spec uses.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::pipeline::sweep::{Metric, Output, Run};
/// // A bump tracking a stimulus that moves from -1 to 1 rad in 10 time units.
/// let mut net = Cann1d::params().num(64).build()?;
/// let mut task = SmoothTracking::params().keypoints(vec![vec![-1.0], vec![1.0]]).durations(vec![10.0]).build()?;
/// let run = Run { from: 20, output: Output::Simulation(Box::new(simulate(&mut net, &mut task)?)) };
/// assert_eq!(Metric::from_name("speed")?, Metric::Speed);
/// // The bump moves at about the stimulus's 0.2 rad per time unit.
/// let speed = Metric::Speed.compute(&run)?;
/// assert!((speed - 0.2).abs() < 0.05, "{speed}");
/// // Without adaptation it lags behind the stimulus.
/// assert!(Metric::Lag.compute(&run)? > 0.0);
/// let err = Metric::from_name("latency").unwrap_err().to_string();
/// assert!(err.contains("latency") && err.contains("msd_exponent"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// `lag`: tracking lag, offset behind the target over its speed (time
    /// unit; `< 0`: anticipation). Needs a moving target.
    Lag,
    /// `offset`: mean offset behind the target along its motion (rad).
    Offset,
    /// `error`: mean absolute circular error from the target (rad).
    Error,
    /// `height`: mean bump height, max `u`.
    Height,
    /// `width`: mean bump width, fitted sigma of `r` (rad).
    Width,
    /// `speed`: travelling speed of the bump, mean `|d centre / dt|`
    /// (rad per time unit).
    Speed,
    /// `msd_exponent`: slope of the log-log mean squared displacement of
    /// the bump (1 diffusive, 2 ballistic), fitted as
    /// [`crate::analysis::replay::ReplayStats`] does, on this run alone.
    MsdExponent,
}

impl Metric {
    /// Every built-in metric.
    pub const ALL: [Metric; 7] = [
        Metric::Lag,
        Metric::Offset,
        Metric::Error,
        Metric::Height,
        Metric::Width,
        Metric::Speed,
        Metric::MsdExponent,
    ];

    /// The name in a spec.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Lag => "lag",
            Metric::Offset => "offset",
            Metric::Error => "error",
            Metric::Height => "height",
            Metric::Width => "width",
            Metric::Speed => "speed",
            Metric::MsdExponent => "msd_exponent",
        }
    }

    /// The metric called `name`.
    ///
    /// # Errors
    /// [`Error::Param`] naming `name` and listing the known metrics.
    pub fn from_name(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| {
                let known: Vec<_> = Self::ALL.iter().map(|m| m.name()).collect();
                ParamError::new("metrics", format!("one of {}", known.join(", ")), name).into()
            })
    }

    /// The metric's value on `run`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the run lacks what the metric needs (a
    /// target, a bump) or too few steps remain after the warmup.
    pub fn compute(self, run: &Run) -> Result<f64> {
        let from = run.from;
        let needs = |what: &str| {
            Error::Invalid(format!(
                "metric `{}` needs {what}, which this run does not have",
                self.name()
            ))
        };
        let v = match self {
            Metric::Lag | Metric::Offset | Metric::Error => {
                let target = run.target().ok_or_else(|| needs("a target"))?;
                let centre = run.centres();
                let s = tracking_summary(
                    &centre.column(0).to_vec(),
                    &target.column(0).to_vec(),
                    run.dt(),
                    from,
                );
                match self {
                    Metric::Lag => s.lag,
                    Metric::Offset => s.offset,
                    _ => s.mean_abs_error,
                }
            }
            Metric::Height => mean_finite(run.height().ok_or_else(|| needs("bump heights"))?, from),
            Metric::Width => mean_finite(run.width().ok_or_else(|| needs("bump widths"))?, from),
            Metric::Speed => {
                let c = run.centres();
                let (mut path, mut count) = (0.0, 0usize);
                for s in from.max(1)..c.nrows() {
                    let d2: f64 = (0..c.ncols())
                        .map(|d| angle_diff(c[[s, d]], c[[s - 1, d]]).powi(2))
                        .sum();
                    if d2.is_finite() {
                        path += d2.sqrt();
                        count += 1;
                    }
                }
                if count == 0 {
                    f64::NAN
                } else {
                    path / (count as f64 * run.dt())
                }
            }
            Metric::MsdExponent => {
                let c = run.centres();
                let start = from.min(c.nrows());
                let c = c.slice(ndarray::s![start.., ..]).to_owned();
                ReplayStats::params().dt(run.dt()).fit(&[c])?.msd_exponent
            }
        };
        if v.is_nan() {
            return Err(Error::Invalid(format!(
                "metric `{}` is undefined on this run (no bump, no motion or no steps after the warmup)",
                self.name()
            )));
        }
        Ok(v)
    }

    /// The metric as a [`MetricFn`].
    pub fn function(self) -> MetricFn {
        Arc::new(move |run| self.compute(run))
    }
}

fn mean_finite(x: &[f64], from: usize) -> f64 {
    let (s, n) = x
        .iter()
        .skip(from)
        .filter(|v| v.is_finite())
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        f64::NAN
    } else {
        s / n as f64
    }
}
