//! Replay statistics of decoded bump trajectories: mean squared displacement (documented in the parent module)

use crate::display::{self, Bundle, KeyValues, Render, Series};
use crate::error::{Error, ParamError, Result};
use crate::params::{check, setters, Params};
use crate::space::TWO_PI;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// Parameters of [`ReplayStats`]. Times in the trajectory's time unit.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // A bump moving 0.01 rad per step of 1 time unit, analysed from t = 100.
/// let c = Array2::from_shape_fn((1000, 1), |(t, _)| wrap(0.01 * t as f64));
/// let s = ReplayStats::params().dt(1.0).start(100.0).lags(vec![1.0, 2.0, 4.0, 8.0]).fit(&[c])?;
/// assert_eq!(s.lags, vec![1.0, 2.0, 4.0, 8.0]);
/// assert!((s.net_displacement - 0.01 * 899.0).abs() < 1e-9, "{}", s.net_displacement);
/// let err = ReplayStats::params().fit_to(0.5).validate().unwrap_err();
/// assert!(err.to_string().contains("fit_to"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplayStatsParams {
    /// Time step of the trajectories. Default 0.1.
    pub dt: f64,
    /// Time from which to analyse (skips the cue and the transient). Default 0.
    pub start: f64,
    /// Lags of the MSD (time unit); lags shorter than a step or longer than
    /// the analysed trajectory are left out. Default
    /// `[0.5, 1, 2, 5, 10, 20, 50]` (Ji et al. 1-D analysis).
    pub lags: Vec<f64>,
    /// Shortest lag of the log-log fit of the MSD. Default 1.
    pub fit_from: f64,
    /// Longest lag of the log-log fit. Default 20.
    pub fit_to: f64,
    /// Lag of the step sizes (histogram and alpha). Default 1.
    pub step_lag: f64,
    /// Bins of the step-size histogram, over `[0, max step]`. Default 40.
    pub n_bins: usize,
    /// Period of each coordinate, for unwrapping. Default 2 pi.
    pub period: f64,
}

impl Default for ReplayStatsParams {
    fn default() -> Self {
        Self {
            dt: 0.1,
            start: 0.0,
            lags: vec![0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0],
            fit_from: 1.0,
            fit_to: 20.0,
            step_lag: 1.0,
            n_bins: 40,
            period: TWO_PI,
        }
    }
}

impl ReplayStatsParams {
    setters! {
        /// Sets `dt`.
        dt: f64,
        /// Sets `start`.
        start: f64,
        /// Sets `lags`.
        lags: Vec<f64>,
        /// Sets `fit_from`.
        fit_from: f64,
        /// Sets `fit_to`.
        fit_to: f64,
        /// Sets `step_lag`.
        step_lag: f64,
        /// Sets `n_bins`.
        n_bins: usize,
        /// Sets `period`.
        period: f64,
    }

    /// Computes the statistics of `trials` (each `(n_steps, dim)`, wrapped
    /// angles, all of one dim).
    ///
    /// # Errors
    /// [`Error::Param`] for invalid parameters; [`Error::Shape`] when there
    /// is no trial, the trials differ in dim or have dim 0; [`Error::Invalid`]
    /// when a centre is not finite, or fewer than two fitted lags or two
    /// steps remain after `start`.
    pub fn fit(&self, trials: &[Array2<f64>]) -> Result<ReplayStats> {
        self.validate()?;
        let first = trials
            .first()
            .ok_or_else(|| Error::shape("replay trials", "at least 1", 0))?;
        let dim = first.ncols();
        if dim == 0 {
            return Err(Error::shape("replay trial columns", "1 or more", 0));
        }
        let skip = (self.start / self.dt).round() as usize;
        let mut unwrapped = Vec::with_capacity(trials.len());
        for (k, tr) in trials.iter().enumerate() {
            if tr.ncols() != dim {
                return Err(Error::shape(
                    format!("replay trial {k} columns"),
                    dim,
                    tr.ncols(),
                ));
            }
            if let Some(p) = tr.iter().position(|v| !v.is_finite()) {
                return Err(Error::Invalid(format!(
                    "replay trial {k}: centre {} (row {}) is not finite",
                    tr.iter().nth(p).expect("position found it"),
                    p / dim
                )));
            }
            if tr.nrows() > skip {
                unwrapped.push(unwrap(tr, skip, self.period));
            }
        }
        let n = unwrapped.iter().map(|c| c.nrows()).min().unwrap_or(0);
        let lag_steps = |l: f64| (l / self.dt).round() as usize;
        let mut lags = Vec::new();
        let mut msd = Vec::new();
        for &l in &self.lags {
            let k = lag_steps(l);
            if k == 0 || k >= n {
                continue;
            }
            let (mut s, mut cnt) = (0.0, 0usize);
            for c in &unwrapped {
                for t in 0..c.nrows() - k {
                    for d in 0..dim {
                        let x = c[[t + k, d]] - c[[t, d]];
                        s += x * x;
                    }
                    cnt += 1;
                }
            }
            lags.push(k as f64 * self.dt);
            msd.push(s / cnt as f64);
        }
        let fit: Vec<(f64, f64)> = lags
            .iter()
            .zip(&msd)
            .filter(|(l, m)| **l >= self.fit_from - 1e-9 && **l <= self.fit_to + 1e-9 && **m > 0.0)
            .map(|(l, m)| (l.ln(), m.ln()))
            .collect();
        if fit.len() < 2 {
            return Err(Error::Invalid(format!(
                "replay stats: {} MSD lag(s) in [{}, {}] for trajectories of {} steps after `start`; need 2",
                fit.len(),
                self.fit_from,
                self.fit_to,
                n
            )));
        }
        let (msd_exponent, msd_intercept) = line_fit(&fit);
        // Net displacement and speed over the analysed span.
        let mut net = 0.0;
        let mut dur = 0.0;
        for c in &unwrapped {
            let last = c.nrows() - 1;
            let d2: f64 = (0..dim).map(|d| (c[[last, d]] - c[[0, d]]).powi(2)).sum();
            net += d2.sqrt();
            dur += last as f64 * self.dt;
        }
        let n_trials = unwrapped.len() as f64;
        let net_displacement = net / n_trials;
        let speed = if dur > 0.0 { net / dur } else { 0.0 };
        // Steps at `step_lag`, non-overlapping.
        let ks = lag_steps(self.step_lag).max(1);
        let mut signed = Vec::new();
        let mut step_sizes = Vec::new();
        for c in &unwrapped {
            let mut t = 0;
            while t + ks < c.nrows() {
                let mut d2 = 0.0;
                for d in 0..dim {
                    let x = c[[t + ks, d]] - c[[t, d]];
                    signed.push(x);
                    d2 += x * x;
                }
                step_sizes.push(d2.sqrt());
                t += ks;
            }
        }
        if step_sizes.len() < 2 {
            return Err(Error::Invalid(format!(
                "replay stats: {} step(s) of lag {} after `start`; need 2",
                step_sizes.len(),
                self.step_lag
            )));
        }
        let max = step_sizes.iter().cloned().fold(0.0, f64::max);
        let width = if max > 0.0 {
            max / self.n_bins as f64
        } else {
            1.0
        };
        let mut counts = vec![0usize; self.n_bins];
        for s in &step_sizes {
            let b = ((s / width) as usize).min(self.n_bins - 1);
            counts[b] += 1;
        }
        let bin_edges = (0..=self.n_bins).map(|i| i as f64 * width).collect();
        let levy = levy_alpha(&signed);
        Ok(ReplayStats {
            params: self.clone(),
            dim,
            n_trials: unwrapped.len(),
            lags,
            msd,
            msd_exponent,
            msd_intercept,
            net_displacement,
            speed,
            step_sizes,
            bin_edges,
            counts,
            levy_alpha: levy.map(|l| l.0),
            levy_scale: levy.map(|l| l.1),
        })
    }
}

impl Params for ReplayStatsParams {
    const NAME: &'static str = "ReplayStatsParams";

    fn validate(&self) -> Result<()> {
        check::positive("dt", self.dt)?;
        check::non_negative("start", self.start)?;
        check::positive("period", self.period)?;
        check::positive("step_lag", self.step_lag)?;
        check::positive("fit_from", self.fit_from)?;
        check::positive("fit_to", self.fit_to)?;
        if self.fit_to < self.fit_from {
            return Err(ParamError::new(
                "fit_to",
                format!(">= fit_from = {}", self.fit_from),
                self.fit_to,
            )
            .into());
        }
        check::at_least("n_bins", self.n_bins, 1)?;
        for (i, l) in self.lags.iter().enumerate() {
            check::positive(&format!("lags[{i}]"), *l)?;
        }
        Ok(())
    }
}

/// Replay statistics of a set of trials (see the [`analysis`](crate::analysis) docs).
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // Two random walks (uniform steps, a hash as the random source): diffusive.
/// let u = |k: usize| ((k as f64 * 12.9898).sin() * 43758.5453).rem_euclid(1.0) - 0.5;
/// let walk = |seed: usize| {
///     let mut c = 0.0;
///     Array2::from_shape_fn((3000, 1), move |(t, _)| { c += 0.05 * u(seed + t); wrap(c) })
/// };
/// let s = ReplayStats::params().fit(&[walk(0), walk(10_000)])?;
/// assert_eq!((s.dim, s.n_trials), (1, 2));
/// assert!((s.msd_exponent - 1.0).abs() < 0.2, "{}", s.msd_exponent);
/// // Steps over 10 samples are near Gaussian: alpha close to 2.
/// assert!(s.levy_alpha.unwrap() > 1.6, "{s}");
/// assert_eq!(s.counts.iter().sum::<usize>(), s.step_sizes.len());
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayStats {
    /// The parameters used.
    pub params: ReplayStatsParams,
    /// Dimension of the trajectories.
    pub dim: usize,
    /// Trials analysed.
    pub n_trials: usize,
    /// Lags of the MSD (time unit, whole steps).
    pub lags: Vec<f64>,
    /// Mean squared displacement at each lag (rad^2), over trials and times.
    pub msd: Vec<f64>,
    /// Log-log slope of MSD against lag over `[fit_from, fit_to]`:
    /// 1 diffusive, 2 ballistic.
    pub msd_exponent: f64,
    /// Intercept of that fit: `ln MSD = intercept + exponent ln lag`.
    pub msd_intercept: f64,
    /// Mean over trials of `|c(end) - c(start)|` (rad).
    pub net_displacement: f64,
    /// Net displacement over elapsed time, pooled (rad per time unit).
    pub speed: f64,
    /// Step sizes `|Delta c|` at `step_lag`, non-overlapping (rad).
    pub step_sizes: Vec<f64>,
    /// Edges of the step-size histogram (`n_bins + 1`).
    pub bin_edges: Vec<f64>,
    /// Counts of the step-size histogram.
    pub counts: Vec<usize>,
    /// Levy exponent alpha of the signed steps (see the module docs); `None`
    /// when the steps have no spread.
    pub levy_alpha: Option<f64>,
    /// Scale sigma of the fitted stable law (rad).
    pub levy_scale: Option<f64>,
}

impl ReplayStats {
    /// Default parameters, to adjust and [`ReplayStatsParams::fit`].
    pub fn params() -> ReplayStatsParams {
        ReplayStatsParams::default()
    }

    /// MSD against lag on log-log axes, with the fitted power law.
    pub fn plot_msd(&self) -> display::Figure {
        let fit: Vec<f64> = self
            .lags
            .iter()
            .map(|l| (self.msd_intercept + self.msd_exponent * l.ln()).exp())
            .collect();
        let mut p = display::lines(
            &format!("MSD (exponent {:.2})", self.msd_exponent),
            "lag",
            "MSD (rad^2)",
            vec![
                Series::markers("MSD", self.lags.clone(), self.msd.clone()),
                Series::dashed(
                    format!("lag^{:.2}", self.msd_exponent),
                    self.lags.clone(),
                    fit,
                ),
            ],
        );
        let layout = p
            .layout()
            .clone()
            .x_axis(
                plotly::layout::Axis::new()
                    .type_(plotly::layout::AxisType::Log)
                    .title("lag"),
            )
            .y_axis(
                plotly::layout::Axis::new()
                    .type_(plotly::layout::AxisType::Log)
                    .title("MSD (rad^2)"),
            );
        p.set_layout(layout);
        display::show(p)
    }

    /// Histogram of step sizes (fraction of steps per bin).
    pub fn plot_steps(&self) -> display::Figure {
        let total: usize = self.counts.iter().sum();
        let centres: Vec<f64> = self
            .bin_edges
            .windows(2)
            .map(|w| 0.5 * (w[0] + w[1]))
            .collect();
        let frac: Vec<f64> = self
            .counts
            .iter()
            .map(|&c| c as f64 / total.max(1) as f64)
            .collect();
        let mut plot = plotly::Plot::new();
        plot.add_trace(plotly::Bar::new(centres, frac).name("steps"));
        plot.set_layout(display::layout(
            &format!(
                "Step sizes at lag {} (alpha {})",
                self.params.step_lag,
                self.levy_alpha
                    .map_or("-".to_string(), |a| format!("{a:.2}"))
            ),
            "|step| (rad)",
            "fraction",
        ));
        display::show(plot)
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("ReplayStats")
            .row("n_trials", self.n_trials, "trials")
            .row(
                "msd_exponent",
                format!("{:.3}", self.msd_exponent),
                "log-log MSD slope",
            )
            .row(
                "net_displacement",
                format!("{:.4}", self.net_displacement),
                "mean |end - start| (rad)",
            )
            .row("speed", format!("{:.5}", self.speed), "rad per time unit")
            .row(
                "levy_alpha",
                self.levy_alpha.map_or("-".into(), |a| format!("{a:.3}")),
                "stable-law exponent of steps",
            )
    }
}

crate::display::debug_via_display!(ReplayStats);

impl std::fmt::Display for ReplayStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ReplayStats({} trials, MSD exponent {:.3}, net {:.3} rad, alpha {})",
            self.n_trials,
            self.msd_exponent,
            self.net_displacement,
            self.levy_alpha
                .map_or("-".to_string(), |a| format!("{a:.3}"))
        )
    }
}

impl Render for ReplayStats {
    fn bundle(&self) -> Bundle {
        Bundle::figure(
            self.plot_msd().plot(),
            &self.table().to_html(),
            self.to_string(),
        )
    }
}

display::evcxr_display_via_render!(ReplayStatsParams, ReplayStats);

impl Render for ReplayStatsParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(String::new(), format!("{self:?}"))
    }
}

/// The step-size distributions of several runs (e.g. one per regime) on
/// one log-density plot, each step divided by its run's RMS step so that
/// shapes compare across scales, over the Gaussian reference (half-normal
/// in 1-D, Rayleigh in 2-D, both with unit RMS). Brownian steps follow the
/// reference; heavy-tailed (Levy) steps lie above it far out. The legend
/// gives each run's fitted alpha.
///
/// # Examples
/// ```
/// use canns::analysis::{plot_step_distributions, replay_stats};
/// use canns::ndarray::Array2;
/// let c = Array2::from_shape_fn((500, 1), |(t, _)| canns::space::wrap((0.3 * t as f64).sin()));
/// let s = replay_stats(&[c], 0.1)?;
/// let fig = plot_step_distributions(&[("sine", &s)])?;
/// assert_eq!(fig.plot().data().len(), 2); // the run and the reference
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Shape`] when `runs` is empty or the runs differ in dimension.
pub fn plot_step_distributions(runs: &[(&str, &ReplayStats)]) -> Result<display::Figure> {
    let dim = runs
        .first()
        .ok_or_else(|| Error::shape("step distributions", "at least 1 run", 0))?
        .1
        .dim;
    if let Some((name, s)) = runs.iter().find(|r| r.1.dim != dim) {
        return Err(Error::shape(
            format!("step distribution `{name}` (dimension)"),
            dim,
            s.dim,
        ));
    }
    const X_MAX: f64 = 5.0;
    const BINS: usize = 40;
    let width = X_MAX / BINS as f64;
    let centres: Vec<f64> = (0..BINS).map(|i| (i as f64 + 0.5) * width).collect();
    let mut series = Vec::new();
    for (name, s) in runs {
        let n = s.step_sizes.len() as f64;
        let rms = (s.step_sizes.iter().map(|x| x * x).sum::<f64>() / n).sqrt();
        let mut counts = vec![0usize; BINS];
        if rms > 0.0 {
            for x in &s.step_sizes {
                let b = (x / rms / width) as usize;
                if b < BINS {
                    counts[b] += 1;
                }
            }
        }
        // Empty bins are left out (log axis).
        let (x, y): (Vec<f64>, Vec<f64>) = centres
            .iter()
            .zip(&counts)
            .filter(|(_, &c)| c > 0)
            .map(|(x, &c)| (*x, c as f64 / (n * width)))
            .unzip();
        let alpha = s.levy_alpha.map_or("-".to_string(), |a| format!("{a:.2}"));
        series.push(Series::line(format!("{name} (alpha {alpha})"), x, y));
    }
    let reference: Vec<f64> = centres
        .iter()
        .map(|&x| {
            if dim == 1 {
                (2.0 / std::f64::consts::PI).sqrt() * (-0.5 * x * x).exp()
            } else {
                2.0 * x * (-x * x).exp()
            }
        })
        .collect();
    series.push(Series::dashed("Gaussian steps", centres, reference));
    let lag = runs[0].1.params.step_lag;
    let mut p = display::lines(
        &format!("Step sizes at lag {lag}, scaled by their RMS"),
        "|step| / RMS step",
        "density",
        series,
    );
    let layout = p.layout().clone().y_axis(
        plotly::layout::Axis::new()
            .type_(plotly::layout::AxisType::Log)
            .title("density"),
    );
    p.set_layout(layout);
    Ok(display::show(p))
}

/// [`ReplayStatsParams::fit`] with default parameters and time step `dt`.
///
/// # Errors
/// As [`ReplayStatsParams::fit`].
pub fn replay_stats(trials: &[Array2<f64>], dt: f64) -> Result<ReplayStats> {
    ReplayStats::params().dt(dt).fit(trials)
}

/// Rows `skip..` of `c`, unwrapped along time per column with `period`.
fn unwrap(c: &Array2<f64>, skip: usize, period: f64) -> Array2<f64> {
    let (n, dim) = c.dim();
    let mut out = Array2::zeros((n - skip, dim));
    for d in 0..dim {
        let mut prev = c[[skip, d]];
        let mut acc = prev;
        out[[0, d]] = acc;
        for t in skip + 1..n {
            let x = c[[t, d]];
            acc += crate::space::periodic_diff(x, prev, period);
            prev = x;
            out[[t - skip, d]] = acc;
        }
    }
    out
}

/// Least-squares line through `(x, y)`: (slope, intercept).
fn line_fit(p: &[(f64, f64)]) -> (f64, f64) {
    let n = p.len() as f64;
    let mx = p.iter().map(|v| v.0).sum::<f64>() / n;
    let my = p.iter().map(|v| v.1).sum::<f64>() / n;
    let sxy: f64 = p.iter().map(|v| (v.0 - mx) * (v.1 - my)).sum();
    let sxx: f64 = p.iter().map(|v| (v.0 - mx).powi(2)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    (slope, my - slope * mx)
}

/// Symmetric stable-law fit by the characteristic-function regression of
/// Koutrouvelis (1980): (alpha, sigma) of signed samples `x`, or `None` when
/// they have no spread (see the [`analysis`](crate::analysis) docs).
///
/// # Examples
/// ```
/// use canns::analysis::levy_alpha;
/// // Quantiles of the Cauchy law (stable with alpha = 1, sigma = 0.1).
/// let n = 4000;
/// let x: Vec<f64> = (1..n)
///     .map(|i| 0.1 * (std::f64::consts::PI * (i as f64 / n as f64 - 0.5)).tan())
///     .collect();
/// let (alpha, sigma) = levy_alpha(&x).unwrap();
/// assert!((alpha - 1.0).abs() < 0.05 && (sigma - 0.1).abs() < 0.01);
/// ```
pub fn levy_alpha(x: &[f64]) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = x.iter().cloned().filter(|v| v.is_finite()).collect();
    if v.len() < 8 {
        return None;
    }
    let mean_median = {
        let mut s = v.clone();
        s.sort_by(f64::total_cmp);
        s[s.len() / 2]
    };
    // Symmetric law about the median (the location of a symmetric stable law).
    v.iter_mut().for_each(|a| *a -= mean_median);
    let mut s = v.clone();
    s.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let i = p * (s.len() - 1) as f64;
        let (lo, f) = (i.floor() as usize, i - i.floor());
        s[lo] + f * (s[(lo + 1).min(s.len() - 1)] - s[lo])
    };
    let scale = 0.5 * (q(0.75) - q(0.25));
    if !(scale > 0.0 && scale.is_finite()) {
        return None;
    }
    let n = v.len() as f64;
    let mut pts = Vec::new();
    for k in 1..=10 {
        let t = std::f64::consts::PI * k as f64 / 25.0;
        let (mut c, mut sn) = (0.0, 0.0);
        for a in &v {
            let (si, co) = (t * a / scale).sin_cos();
            c += co;
            sn += si;
        }
        let mod2 = (c * c + sn * sn) / (n * n);
        if mod2 > 0.0 && mod2 < 1.0 {
            let y = (-mod2.ln()).ln();
            if y.is_finite() {
                pts.push((t.ln(), y));
            }
        }
    }
    if pts.len() < 2 {
        return None;
    }
    let (alpha, b) = line_fit(&pts);
    let alpha = alpha.clamp(1e-3, 2.0);
    // ln(-ln|phi|^2) = ln 2 + alpha ln sigma' + alpha ln t  (sigma' standardised)
    let sigma = ((b - std::f64::consts::LN_2) / alpha).exp() * scale;
    Some((alpha, sigma))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// Chambers-Mallows-Stuck sample of a standard symmetric stable law.
    fn stable(alpha: f64, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = crate::random::seeded(seed);
        (0..n)
            .map(|_| {
                let v: f64 = std::f64::consts::PI * (rng.random::<f64>() - 0.5);
                let w: f64 = -(1.0 - rng.random::<f64>()).ln();
                if (alpha - 1.0).abs() < 1e-12 {
                    v.tan()
                } else {
                    (alpha * v).sin() / v.cos().powf(1.0 / alpha)
                        * ((v - alpha * v).cos() / w).powf((1.0 - alpha) / alpha)
                }
            })
            .collect()
    }

    #[test]
    fn levy_alpha_recovers_stable_exponents() {
        for (alpha, seed) in [(2.0, 1), (1.5, 2), (1.0, 3), (0.8, 4)] {
            let x: Vec<f64> = stable(alpha, 20_000, seed)
                .iter()
                .map(|v| 0.03 * v)
                .collect();
            let (a, sigma) = levy_alpha(&x).unwrap();
            assert!((a - alpha).abs() < 0.08, "alpha {alpha}: fitted {a}");
            // The standard law has sigma = 1 (scale 0.03 after multiplying).
            assert!(
                (sigma / 0.03 - 1.0).abs() < 0.15,
                "alpha {alpha}: sigma {sigma}"
            );
        }
    }

    #[test]
    fn levy_alpha_of_constant_is_none() {
        assert!(levy_alpha(&[1.0; 100]).is_none());
        assert!(levy_alpha(&[1.0, 2.0]).is_none());
    }

    #[test]
    fn unwrap_crosses_the_seam() {
        let c = Array2::from_shape_vec((3, 1), vec![3.1, -3.1, -2.9]).unwrap();
        let u = unwrap(&c, 0, TWO_PI);
        assert!((u[[1, 0]] - (TWO_PI - 3.1)).abs() < 1e-12);
        assert!((u[[2, 0]] - (TWO_PI - 2.9)).abs() < 1e-12);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(replay_stats(&[], 0.1).is_err());
        let nan = Array2::from_elem((100, 1), f64::NAN);
        assert!(replay_stats(&[nan], 0.1)
            .unwrap_err()
            .to_string()
            .contains("not finite"));
        let short = Array2::zeros((3, 1));
        assert!(replay_stats(&[short], 0.1).is_err());
        let e = ReplayStats::params()
            .dt(-1.0)
            .fit(&[Array2::zeros((10, 1))])
            .unwrap_err();
        assert!(e.to_string().contains("`dt`"));
    }
}
