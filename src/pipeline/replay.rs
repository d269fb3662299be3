//! Replay runs: a CANN on the [`Replay`] protocol, over seeds, recording the (documented in the parent module)

use crate::analysis::bump::RingGrid;
use crate::analysis::fixed_points::FixedPointFinder;
use crate::analysis::replay::{ReplayStats, ReplayStatsParams};
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{Error, Result};
use crate::models::{
    AdaptationDrive, Cann1d, Cann1dParams, Cann2d, Cann2dParams, CannOptions, FeatureMap, Model,
    StepMap,
};
use crate::params::Params;
use crate::space::TWO_PI;
use crate::tasks::{Replay, ReplayParams, Task};
use ndarray::Array2;
use rayon::prelude::*;
use std::f64::consts::PI;

/// The 1-D replay network of Ji et al. (2026, `cann.py`) with `N = 128`:
/// `tau = 1` (ms), `tau_v = 48`, `k = 5 * 512 / N`, `J0 = 512 / N`, `a = 0.4`,
/// `A = 0.19`, adaptation `m = m_bar * tau / tau_v` (`m_bar` relative to the
/// travelling-wave boundary), and the options: `u` rectified, `v` driven by
/// the start-of-step `u`. Build it with
/// `params.seed(s).build_with(&options)`, or use [`ji_1d`].
///
/// # Examples
/// ```
/// let (p, o) = canns::pipeline::ji_1d_params(1.5);
/// assert!((p.m - 1.5 / 48.0).abs() < 1e-15 && o.rectify);
/// ```
pub fn ji_1d_params(m_bar: f64) -> (Cann1dParams, CannOptions) {
    let n = 128;
    let p = Cann1d::params()
        .num(n)
        .tau(1.0)
        .tau_v(48.0)
        .k(5.0 * 512.0 / n as f64)
        .j0(512.0 / n as f64)
        .a(0.4)
        .amplitude(0.19)
        .m_bar(m_bar);
    let o = CannOptions::default()
        .rectify(true)
        .adaptation_drive(AdaptationDrive::OldU);
    (p, o)
}

/// The network of [`ji_1d_params`] with noise seed `seed`.
///
/// # Errors
/// [`Error::Param`] when `m_bar` is negative or not finite.
pub fn ji_1d(m_bar: f64, seed: u64) -> Result<Cann1d> {
    let (p, o) = ji_1d_params(m_bar);
    p.seed(seed).build_with(&o)
}

/// The 2-D replay network of Ji et al. (2026, `TwoD_fun.py` CANN2D) with
/// distance to the boundary `mu` and adaptation-noise strength `gamma`:
/// `m = (1 - mu) tau / tau_v`, `sigma_m = 2 sqrt(pi) (1 - mu) (tau / tau_v) a gamma`
/// (`noise_v`), `sigma_u = 0.5` (`noise`), `a = 0.2`, `k = 0.1`, `A = 10`,
/// `J0 = 4`, `tau = 1`, `tau_v = 100`, no rectification, `v` driven by the
/// updated `u`; `length` neurons per side (the authors use 100).
///
/// # Examples
/// ```
/// let (p, o) = canns::pipeline::ji_2d_params(0.01, 2.0, 100);
/// assert!((p.m - 0.99 / 100.0).abs() < 1e-15 && o.noise_v > 0.0);
/// ```
pub fn ji_2d_params(mu: f64, gamma: f64, length: usize) -> (Cann2dParams, CannOptions) {
    let (tau, tau_v, a) = (1.0, 100.0, 0.2);
    let m0 = 1.0 - mu;
    let p = Cann2d::params()
        .length(length)
        .tau(tau)
        .tau_v(tau_v)
        .a(a)
        .k(0.1)
        .amplitude(10.0)
        .j0(4.0)
        .noise(0.5)
        .m_bar(m0);
    let o = CannOptions::default()
        .noise_v(2.0 * std::f64::consts::PI.sqrt() * m0 * tau / tau_v * a * gamma);
    (p, o)
}

/// The network of [`ji_2d_params`] with noise seed `seed`.
///
/// # Errors
/// [`Error::Param`] when `mu > 1`, `gamma < 0`, or `length < 2`.
pub fn ji_2d(mu: f64, gamma: f64, length: usize, seed: u64) -> Result<Cann2d> {
    let (p, o) = ji_2d_params(mu, gamma, length);
    p.seed(seed).build_with(&o)
}

/// One replay run: the decoded centre at every step, and the rates every
/// `raster_every` steps when asked for.
///
/// # Shapes
/// `centres` is `(n_steps, dim)` (wrapped angles); `raster` is
/// `(n_recorded, n_neurons)`, row `k` at step `k * raster_every`.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::pipeline::{ji_1d, run_replay};
/// // Without adaptation (m / m* = 0) the bump left by the cue stays near it.
/// let mut net = ji_1d(0.0, 0)?;
/// let mut task = Replay::params().cue_duration(10.0).free_duration(20.0).build()?;
/// let run = run_replay(&mut net, &mut task, 10)?;
/// assert_eq!((run.n_cue, run.centres.dim(), run.raster.dim()), (100, (300, 1), (30, 128)));
/// let last = run.centres[[299, 0]];
/// assert!(angle_diff(last, -0.75 * std::f64::consts::PI).abs() < 0.2, "{last}");
/// assert_eq!(run.lost, 0);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayRun {
    /// The seed of this run (network and input noise).
    pub seed: u64,
    /// Time step.
    pub dt: f64,
    /// Steps with the cue on (`0..n_cue`).
    pub n_cue: usize,
    /// Decoded centre per step (rad). Where the network had no activity the
    /// previous centre is kept (counted in `lost`).
    pub centres: Array2<f64>,
    /// Rates every `raster_every` steps (empty when not recorded).
    pub raster: Array2<f64>,
    /// Steps between raster rows (0: no raster).
    pub raster_every: usize,
    /// Steps without activity to decode.
    pub lost: usize,
}

/// Runs `model` on `task` from rest, decoding the bump at every step (the
/// population vector of `r`, on each axis of a torus) and recording the rates
/// every `raster_every` steps (0: none).
///
/// # Errors
/// [`Error::Shape`] if the task does not fit the model,
/// [`Error::Diverged`] if the state stops being finite, [`Error::Limit`] when
/// the recording would exceed the memory budget.
pub fn run_replay(
    model: &mut dyn FeatureMap,
    task: &mut Replay,
    raster_every: usize,
) -> Result<ReplayRun> {
    model.reset();
    task.reset();
    let n = model.n_neurons();
    let steps = task.n_steps();
    let dim = task.dim();
    let n_rec = if raster_every > 0 {
        steps.div_ceil(raster_every)
    } else {
        0
    };
    crate::error::check_memory(
        &format!(
            "replay of {} ({steps} steps, {n_rec} raster rows of {n} neurons)",
            model.name()
        ),
        (n_rec as u64)
            .saturating_mul(n as u64)
            .saturating_add(steps as u64 * dim as u64)
            .saturating_mul(8),
        "shorten the run or record the raster every k-th step",
    )?;
    let grid = RingGrid::new(*model.shape().last().unwrap_or(&1));
    let mut centres = Array2::zeros((steps, dim));
    let mut raster = Array2::zeros((n_rec, n));
    let mut input = vec![0.0; n];
    let mut last = task.parameters().cue_pos.clone();
    let mut lost = 0;
    let dt = task.dt();
    for s in 0..steps {
        task.input(s, &*model, &mut input)?;
        model.step(dt, &input)?;
        let r = model.r();
        let c = match dim {
            1 => grid.centre(r).map(|c| vec![c]),
            _ => grid.centre_2d(r).map(|c| c.to_vec()),
        };
        match c {
            Some(c) => last = c,
            None => lost += 1,
        }
        for (d, v) in last.iter().enumerate() {
            centres[[s, d]] = *v;
        }
        if raster_every > 0 && s % raster_every == 0 {
            raster
                .row_mut(s / raster_every)
                .assign(&ndarray::ArrayView1::from(r));
        }
    }
    Ok(ReplayRun {
        seed: task.parameters().seed,
        dt,
        n_cue: task.n_cue(),
        centres,
        raster,
        raster_every,
        lost,
    })
}

/// Runs the protocol `task` once per seed, in parallel: trial `s` builds its
/// network with `make(s)` (which should seed the network's noise with `s`)
/// and uses `task` with `seed = s`. `raster_every` as in [`run_replay`].
///
/// # Errors
/// As [`run_replay`]; [`Error::Param`] for invalid task parameters; the
/// first error of `make`; [`Error::Shape`] with no seed.
pub fn replay_trials<M, F>(
    make: F,
    task: &ReplayParams,
    seeds: &[u64],
    raster_every: usize,
) -> Result<ReplayTrials>
where
    M: FeatureMap + Send,
    F: Fn(u64) -> Result<M> + Sync,
{
    task.validate()?;
    if seeds.is_empty() {
        return Err(Error::shape("replay seeds", "at least 1", 0));
    }
    let runs = seeds
        .par_iter()
        .map(|&s| {
            let mut net = make(s)?;
            let mut t = task.clone().seed(s).build()?;
            run_replay(&mut net, &mut t, raster_every)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ReplayTrials {
        task: task.clone(),
        runs,
    })
}

/// The runs of one protocol over several seeds.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // Two seeds of a short protocol: 10 time units of cue, 20 free, no raster.
/// let task = Replay::params().cue_duration(10.0).free_duration(20.0);
/// let trials = replay_trials(|s| ji_1d(0.0, s), &task, &[3, 4], 0)?;
/// assert_eq!(trials.runs.iter().map(|r| r.seed).collect::<Vec<_>>(), vec![3, 4]);
/// assert_eq!(trials.centres()[1].dim(), (300, 1));
/// // The input noise differs between seeds, so do the paths.
/// assert_ne!(trials.runs[0].centres, trials.runs[1].centres);
/// assert!(trials.to_string().starts_with("ReplayTrials(2 runs of 300 steps"), "{trials}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct ReplayTrials {
    /// The protocol (its seed replaced by each run's).
    pub task: ReplayParams,
    /// One run per seed.
    pub runs: Vec<ReplayRun>,
}

impl ReplayTrials {
    /// The decoded trajectories, one `(n_steps, dim)` array per run.
    pub fn centres(&self) -> Vec<Array2<f64>> {
        self.runs.iter().map(|r| r.centres.clone()).collect()
    }

    /// Replay statistics from `after_cue` (time unit) after the cue went
    /// off, with default [`ReplayStatsParams`] otherwise.
    ///
    /// # Errors
    /// As [`ReplayStatsParams::fit`].
    pub fn stats(&self, after_cue: f64) -> Result<ReplayStats> {
        self.stats_with(ReplayStats::params(), after_cue)
    }

    /// As [`ReplayTrials::stats`] with `params` (its `dt` and `start` are set
    /// here).
    ///
    /// # Errors
    /// As [`ReplayStatsParams::fit`].
    pub fn stats_with(&self, params: ReplayStatsParams, after_cue: f64) -> Result<ReplayStats> {
        let r0 = &self.runs[0];
        params
            .dt(r0.dt)
            .start(r0.n_cue as f64 * r0.dt + after_cue)
            .fit(&self.centres())
    }

    /// The rate raster of run `i` (time along x, neuron angle along y): the
    /// bump's path on the ring. Needs a raster (`raster_every > 0`).
    ///
    /// # Errors
    /// [`Error::Invalid`] when run `i` does not exist or has no raster.
    pub fn plot_raster(&self, i: usize, title: &str) -> Result<display::Figure> {
        let run = self
            .runs
            .get(i)
            .ok_or_else(|| Error::Invalid(format!("no run {i} (have {})", self.runs.len())))?;
        if run.raster.nrows() == 0 {
            return Err(Error::Invalid(
                "no raster recorded: run with raster_every > 0".into(),
            ));
        }
        let n = run.raster.ncols();
        let t: Vec<f64> = (0..run.raster.nrows())
            .map(|k| (k * run.raster_every) as f64 * run.dt)
            .collect();
        let x = crate::space::ring_positions(n);
        let z: Vec<Vec<f64>> = (0..n).map(|j| run.raster.column(j).to_vec()).collect();
        Ok(display::show(display::heatmap(
            title,
            "time",
            "neuron angle (rad)",
            t,
            x,
            z,
        )))
    }

    /// The 2-D trajectory of run `i` after the cue, coloured by time.
    ///
    /// # Errors
    /// [`Error::Invalid`] when run `i` does not exist or is 1-D.
    pub fn plot_trajectory(&self, i: usize) -> Result<display::Figure> {
        let run = self
            .runs
            .get(i)
            .ok_or_else(|| Error::Invalid(format!("no run {i} (have {})", self.runs.len())))?;
        if run.centres.ncols() != 2 {
            return Err(Error::Invalid("the trajectory plot needs a 2-D run".into()));
        }
        let c = run.centres.slice(ndarray::s![run.n_cue.., ..]).to_owned();
        let t: Vec<f64> = (0..c.nrows())
            .map(|k| (k + run.n_cue) as f64 * run.dt)
            .collect();
        let p = display::scatter(
            "Decoded bump position (colour: time)",
            &c.view(),
            Some(&t),
            "x",
        )?;
        Ok(display::show(p))
    }
}

crate::display::debug_via_display!(ReplayTrials);

impl std::fmt::Display for ReplayTrials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let steps = self.runs.first().map_or(0, |r| r.centres.nrows());
        write!(
            f,
            "ReplayTrials({} runs of {steps} steps, cue at {:?})",
            self.runs.len(),
            self.task.cue_pos
        )
    }
}

impl Render for ReplayTrials {
    fn bundle(&self) -> Bundle {
        let table = KeyValues::new("ReplayTrials")
            .row("runs", self.runs.len(), "seeds")
            .row(
                "lost",
                self.runs.iter().map(|r| r.lost).sum::<usize>(),
                "steps without a bump",
            )
            .to_html();
        match self.stats(10.0) {
            Ok(s) => Bundle::figure(s.plot_msd().plot(), &table, self.to_string()),
            Err(_) => Bundle::html(table, self.to_string()),
        }
    }
}

display::evcxr_display_via_render!(ReplayTrials);

/// How adaptation destabilises the ring: the fixed points of the noise-free
/// [`ji_1d`] network (state `[u, v]`) at each adaptation strength, found by
/// [`FixedPointFinder`] from bumps relaxed at `n_cues` positions (with
/// `v = m u`, the adaptation's steady state), and the largest `|lambda|` of
/// their Jacobians.
///
/// Every rotation of a bump is a fixed point, so one eigenvalue stays at 1
/// (on the lattice, within about 1e-3: the grid pins the bump slightly).
/// Below the travelling-wave boundary `m* = tau / tau_v` the rest of the
/// spectrum is inside the unit circle: the bump stays where it is put. Above
/// it, the mode that moves `u` ahead of `v` grows (`|lambda| > 1`): the
/// static bump is unstable and the network travels (Mi et al. 2014; Ji et
/// al. 2026). For this network the growing mode's rate is
/// `(m / m* - 1) / tau_v`, so the largest `|lambda|` of one step is
/// `1 + dt (m / m* - 1) / tau_v` above the boundary
/// ([`AdaptationSpectrum::theory`]); below it the largest is the neutral 1,
/// and whether a point counts as stable is a rounding matter.
///
/// # Examples
/// ```
/// use canns::pipeline::adaptation_spectrum;
/// let s = adaptation_spectrum(&[0.5, 2.0], 4)?;
/// assert!(s.top[0] < 1.0 + 1e-3 && s.top[1] > 1.0 + 1e-3);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Param`] when an `m_bar` is negative or not finite;
/// [`Error::Shape`] when `m_bars` is empty or `n_cues` is 0;
/// [`Error::Invalid`] when no fixed point is found at some strength.
pub fn adaptation_spectrum(m_bars: &[f64], n_cues: usize) -> Result<AdaptationSpectrum> {
    const RELAX_STEPS: usize = 4000;
    if m_bars.is_empty() {
        return Err(Error::shape("adaptation strengths", "at least 1", 0));
    }
    if n_cues == 0 {
        return Err(Error::shape("cue positions", "at least 1", 0));
    }
    // Relaxed bumps of the network without adaptation: the cue for 50 time
    // units, then 50 free.
    let dt = 0.1;
    let mut bumps = Vec::with_capacity(n_cues);
    for i in 0..n_cues {
        let mut net = ji_1d(0.0, 0)?;
        let cue = -PI + TWO_PI * (i as f64 + 0.25) / n_cues as f64;
        let stim = net.stimulus_at(&[cue])?;
        let zero = vec![0.0; stim.len()];
        for s in 0..1000 {
            net.step(dt, if s < 500 { &stim } else { &zero })?;
        }
        bumps.push(net.u().to_vec());
    }
    let results = m_bars
        .par_iter()
        .map(|&m_bar| -> Result<(f64, f64, usize, usize)> {
            let net = ji_1d(m_bar, 0)?;
            let m = net.parameters().m;
            let mut map = net.step_map(dt, None)?;
            let d = map.dim();
            let n = map.n_neurons();
            // With v held at m u (its steady state), the u update is the
            // network without adaptation and a leak 1 + m: relax that, and
            // [u*, m u*] is a fixed point of the whole map.
            let mut states = Array2::zeros((n_cues, d));
            let (mut x, mut out) = (vec![0.0; d], vec![0.0; d]);
            for (k, u) in bumps.iter().enumerate() {
                x[..n].copy_from_slice(u);
                for _ in 0..RELAX_STEPS {
                    for j in 0..d - n {
                        x[n + j] = m * x[j];
                    }
                    map.apply(&x, &mut out);
                    x[..n].copy_from_slice(&out[..n]);
                }
                for j in 0..d - n {
                    x[n + j] = m * x[j];
                }
                states.row_mut(k).assign(&ndarray::ArrayView1::from(&x[..]));
            }
            let fps = FixedPointFinder::params()
                .n_inits(n_cues)
                .lr_init(1e-4)
                .max_iters(500)
                .tol_q(1e-20)
                .run(&mut map, &states.view())?;
            if fps.is_empty() {
                let best = fps.q_all.iter().cloned().fold(f64::INFINITY, f64::min);
                return Err(Error::Invalid(format!(
                    "adaptation spectrum: no fixed point found at m/m* = {m_bar} (lowest q {best:e} after {} iterations)",
                    fps.n_iters
                )));
            }
            let top = fps.top_modulus();
            let max = top.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let min = top.iter().cloned().fold(f64::INFINITY, f64::min);
            let stable = fps.is_stable.iter().filter(|s| **s).count();
            Ok((max, min, fps.len(), stable))
        })
        .collect::<Result<Vec<_>>>()?;
    let (p, _) = ji_1d_params(0.0);
    Ok(AdaptationSpectrum {
        m_bars: m_bars.to_vec(),
        m_star: p.tau / p.tau_v,
        tau_v: p.tau_v,
        dt,
        top: results.iter().map(|r| r.0).collect(),
        top_min: results.iter().map(|r| r.1).collect(),
        n_points: results.iter().map(|r| r.2).collect(),
        n_stable: results.iter().map(|r| r.3).collect(),
    })
}

/// The result of [`adaptation_spectrum`]: per adaptation strength, the
/// largest `|lambda|` over the fixed points found.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // Above the travelling-wave boundary (m / m* = 2) the ring's fixed points
/// // are unstable, with the largest |lambda| the theory gives.
/// let s = adaptation_spectrum(&[2.0], 2)?;
/// assert_eq!((s.m_bars.len(), s.m_star), (1, 1.0 / s.tau_v));
/// assert!(s.n_points[0] >= 1 && s.n_stable[0] == 0, "{s}");
/// assert!((s.top[0] - s.theory()[0]).abs() < 1e-3, "{s}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AdaptationSpectrum {
    /// Adaptation strengths `m / m*`.
    pub m_bars: Vec<f64>,
    /// The boundary `m* = tau / tau_v`.
    pub m_star: f64,
    /// The adaptation time constant `tau_v` (time unit).
    pub tau_v: f64,
    /// Time step of the map (time unit).
    pub dt: f64,
    /// Largest `|lambda|` over the fixed points, per strength.
    pub top: Vec<f64>,
    /// Smallest over the points of their largest `|lambda|`, per strength.
    pub top_min: Vec<f64>,
    /// Unique fixed points found, per strength.
    pub n_points: Vec<usize>,
    /// Of which stable (`max |lambda| < 1`), per strength.
    pub n_stable: Vec<usize>,
}

impl AdaptationSpectrum {
    /// `1 + dt max(0, m / m* - 1) / tau_v`, the largest `|lambda|` expected
    /// at each strength (see [`adaptation_spectrum`]).
    pub fn theory(&self) -> Vec<f64> {
        self.m_bars
            .iter()
            .map(|m| 1.0 + self.dt * (m - 1.0).max(0.0) / self.tau_v)
            .collect()
    }

    /// The largest `|lambda|` against `m / m*`, with the expected curve,
    /// `|lambda| = 1` and the boundary `m / m* = 1` dashed.
    pub fn plot(&self) -> display::Figure {
        let lo = self
            .top_min
            .iter()
            .chain(&self.top)
            .cloned()
            .fold(f64::INFINITY, f64::min);
        let hi = self.top.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let x_max = self.m_bars.iter().cloned().fold(1.0, f64::max);
        let p = display::lines(
            "Largest |eigenvalue| of the ring's fixed points against adaptation",
            "adaptation m / m*",
            "|lambda| (one step of 0.1)",
            vec![
                display::Series::line(
                    "largest over the points",
                    self.m_bars.clone(),
                    self.top.clone(),
                ),
                display::Series::markers(
                    "smallest over the points",
                    self.m_bars.clone(),
                    self.top_min.clone(),
                ),
                display::Series::dashed(
                    "1 + dt max(0, m/m* - 1) / tau_v",
                    self.m_bars.clone(),
                    self.theory(),
                ),
                display::Series::dashed("|lambda| = 1", vec![0.0, x_max], vec![1.0, 1.0]),
                display::Series::dashed("m = m*", vec![1.0, 1.0], vec![lo.min(1.0), hi.max(1.0)]),
            ],
        );
        display::show(p)
    }
}

impl std::fmt::Display for AdaptationSpectrum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AdaptationSpectrum({} strengths", self.m_bars.len())?;
        for (m, t) in self.m_bars.iter().zip(&self.top) {
            write!(f, "; m/m* {m}: {t:.5}")?;
        }
        write!(f, ")")
    }
}

impl Render for AdaptationSpectrum {
    fn bundle(&self) -> Bundle {
        Bundle::figure(self.plot().plot(), "", self.to_string())
    }
}

display::evcxr_display_via_render!(AdaptationSpectrum);
