//! `simulate`: run a model on a task and record what happened. (documented in the parent module)

use super::progress::{Progress, ShowProgress};
use crate::analysis::bump;
use crate::analysis::tracking::{tracking_summary, TrackingSummary};
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render, Series};
use crate::error::Result;
use crate::models::FeatureMap;
use crate::params::{check, setters, Params};
use crate::space::ring_positions;
use crate::tasks::Task;
use ndarray::Array2;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// Options of [`simulate_with`].
///
/// # Example
/// ```
/// use canns::prelude::*;
/// let mut net = Cann1d::params().num(64).build()?;
/// let mut task = PopulationCoding::params().position(vec![1.0]).before(1.0).duration(5.0).after(4.0).build()?;
/// // States and inputs every 10th step; summaries at every step.
/// let opts = SimOptions::default().record_every(10).record_input(true);
/// let sim = simulate_with(&mut net, &mut task, &opts)?;
/// assert_eq!((sim.n_steps(), sim.r.dim()), (100, (10, 64)));
/// assert_eq!(sim.input.as_ref().map(|i| i.dim()), Some((10, 64)));
/// let err = SimOptions::default().record_every(0).validate().unwrap_err();
/// assert!(err.to_string().contains("record_every"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimOptions {
    /// Record the full state (`u`, `r`, `v`) every `record_every` steps
    /// (summaries are computed at every step). Default 1.
    pub record_every: usize,
    /// Record full states at all (large for big 2D networks). Default true.
    pub record_states: bool,
    /// Also record the external input the task gave each neuron, at the same
    /// steps as the states (into [`Simulation::input`]), so that
    /// [`Simulation::plot_animation`] shows it beside the rates (the
    /// "energy landscape" of a CANN with its stimulus). Default false.
    pub record_input: bool,
    /// Reset the model and task before running. Default true.
    pub reset: bool,
    /// Progress display. Default: on a terminal for long runs.
    pub progress: ShowProgress,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            record_every: 1,
            record_states: true,
            record_input: false,
            reset: true,
            progress: ShowProgress::Auto,
        }
    }
}

impl SimOptions {
    setters! {
        /// Sets `record_every` (steps).
        record_every: usize,
        /// Sets `record_states`.
        record_states: bool,
        /// Sets `record_input`.
        record_input: bool,
        /// Sets `reset`.
        reset: bool,
        /// Sets `progress`.
        progress: ShowProgress,
    }
}

impl Params for SimOptions {
    const NAME: &'static str = "SimOptions";

    fn validate(&self) -> Result<()> {
        check::at_least("record_every", self.record_every, 1)?;
        Ok(())
    }
}

/// What a run recorded.
///
/// # Shapes
/// - `u`, `r`, `v`: `(n_recorded, n_neurons)`, time-major, recorded every
///   `record_every` steps (row `k` is step `k * record_every`);
/// - `centre`, `target`: `(n_steps, dim)`: decoded bump centre (population
///   vector of `r`; NaN where there is no bump) and ground truth per step;
/// - `height`, `width`, `t`, `stimulus_on`: one value per step.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // A bump held at 1 rad by a stimulus, then left alone.
/// let mut net = Cann1d::params().num(64).build()?;
/// let mut task = PopulationCoding::params().position(vec![1.0]).before(1.0).duration(5.0).after(4.0).build()?;
/// let sim = simulate(&mut net, &mut task)?;
/// assert_eq!((sim.n_steps(), sim.dim(), sim.shape.clone()), (100, 1, vec![64]));
/// assert_eq!((sim.u.dim(), sim.centre.dim()), ((100, 64), (100, 1)));
/// assert!(!sim.stimulus_on[0] && sim.stimulus_on[50]);
/// assert!((sim.centre[[99, 0]] - 1.0).abs() < 0.05, "{}", sim.centre[[99, 0]]);
/// assert_eq!(sim.to_dataframe()?.height(), 100);
/// assert!(sim.to_string().contains("100 steps"), "{sim}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct Simulation {
    /// Model name.
    pub model: String,
    /// Task name.
    pub task: String,
    /// Lattice shape of the model.
    pub shape: Vec<usize>,
    /// Time step.
    pub dt: f64,
    /// Time at the end of each step.
    pub t: Vec<f64>,
    /// Recorded synaptic inputs.
    pub u: Array2<f64>,
    /// Recorded firing rates.
    pub r: Array2<f64>,
    /// Recorded adaptation variables (models with adaptation).
    pub v: Option<Array2<f64>>,
    /// Recorded external input, same rows as `u` (with
    /// [`SimOptions::record_input`]).
    pub input: Option<Array2<f64>>,
    /// Steps between recorded states.
    pub record_every: usize,
    /// Decoded bump centre per step (rad).
    pub centre: Array2<f64>,
    /// Ground-truth target per step (rad).
    pub target: Array2<f64>,
    /// Whether the stimulus was on, per step.
    pub stimulus_on: Vec<bool>,
    /// Bump height (max u) per step.
    pub height: Vec<f64>,
    /// Bump width (fitted sigma of r, rad) per step; NaN without a bump.
    pub width: Vec<f64>,
}

/// Runs `model` on `task` with default [`SimOptions`].
///
/// # Examples
/// ```
/// use canns::prelude::*;
/// let mut net = Cann1d::params().num(128).build()?;
/// let mut task = PopulationCoding::params().position(vec![1.0]).before(1.0).duration(10.0).after(20.0).build()?;
/// let sim = simulate(&mut net, &mut task)?;
/// assert_eq!(sim.n_steps(), 310);
/// assert!((sim.centre[[309, 0]] - 1.0).abs() < 0.01);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) if the task does not fit the model, [`Error::Diverged`](crate::Error::Diverged)
/// if the state stops being finite; [`Error::Limit`](crate::Error::Limit) before
/// any step when the recorded states and summaries would exceed the memory
/// budget ([`check_memory`](crate::error::check_memory)).
pub fn simulate(model: &mut dyn FeatureMap, task: &mut dyn Task) -> Result<Simulation> {
    simulate_with(model, task, &SimOptions::default())
}

/// Runs `model` on `task`, recording as `options` say.
///
/// # Errors
/// As [`simulate`]; [`Error::Param`](crate::Error::Param) when `options`
/// fail [`Params::validate`] (`record_every` is 0).
pub fn simulate_with(
    model: &mut dyn FeatureMap,
    task: &mut dyn Task,
    options: &SimOptions,
) -> Result<Simulation> {
    options.validate()?;
    if options.reset {
        model.reset();
        task.reset();
    }
    let n = model.n_neurons();
    let steps = task.n_steps();
    let dim = task.dim();
    let shape = model.shape();
    let dt = task.dt();
    let n_rec = if options.record_states {
        steps.div_ceil(options.record_every)
    } else {
        0
    };
    let has_v = model.v().is_some();
    let arrays = 2 + u64::from(has_v) + u64::from(options.record_input);
    let state_bytes = (n_rec as u64)
        .saturating_mul(n as u64)
        .saturating_mul(8 * arrays);
    // centre and target (dim each), t, height, width, on
    let step_bytes = (steps as u64).saturating_mul(16 * dim as u64 + 25);
    crate::error::check_memory(
        &format!(
            "simulating {} on {} ({steps} steps, {n_rec} recorded states of {n} neurons)",
            model.name(),
            task.name()
        ),
        state_bytes.saturating_add(step_bytes),
        "raise `dt`, shorten the task, record every k-th step (record_every) or fewer neurons",
    )?;
    let mut u = Array2::zeros((n_rec, n));
    let mut r = Array2::zeros((n_rec, n));
    let mut v = has_v.then(|| Array2::zeros((n_rec, n)));
    let mut inputs = options.record_input.then(|| Array2::zeros((n_rec, n)));
    let mut centre = Array2::from_elem((steps, dim), f64::NAN);
    let mut target = Array2::zeros((steps, dim));
    let mut t = Vec::with_capacity(steps);
    let mut on = Vec::with_capacity(steps);
    let mut height = Vec::with_capacity(steps);
    let mut width = Vec::with_capacity(steps);
    let mut input = vec![0.0; n];
    let mut z = vec![0.0; dim];
    let grid = bump::RingGrid::new(*shape.last().unwrap_or(&1));
    let mut progress = Progress::new(
        &format!("{} on {}", model.name(), task.name()),
        steps,
        (steps * n) as f64 * 30.0,
        options.progress,
    );
    for s in 0..steps {
        task.input(s, &*model, &mut input)?;
        model.step(dt, &input)?;
        task.target(s, &mut z);
        target.row_mut(s).assign(&ndarray::ArrayView1::from(&z[..]));
        on.push(task.stimulus_on(s));
        t.push(model.time());
        let rs = model.r();
        height.push(bump::height(model.u()));
        match dim {
            1 => {
                if let Some(c) = grid.centre(rs) {
                    centre[[s, 0]] = c;
                    width.push(grid.width(rs, c).unwrap_or(f64::NAN));
                } else {
                    width.push(f64::NAN);
                }
            }
            _ => {
                if let Some(c) = grid.centre_2d(rs) {
                    centre[[s, 0]] = c[0];
                    centre[[s, 1]] = c[1];
                    width.push(grid.width_2d(rs, c).unwrap_or(f64::NAN));
                } else {
                    width.push(f64::NAN);
                }
            }
        }
        if options.record_states && s % options.record_every == 0 {
            let k = s / options.record_every;
            u.row_mut(k).assign(&ndarray::ArrayView1::from(model.u()));
            r.row_mut(k).assign(&ndarray::ArrayView1::from(rs));
            if let (Some(v), Some(mv)) = (v.as_mut(), model.v()) {
                v.row_mut(k).assign(&ndarray::ArrayView1::from(mv));
            }
            if let Some(inputs) = inputs.as_mut() {
                inputs
                    .row_mut(k)
                    .assign(&ndarray::ArrayView1::from(&input[..]));
            }
        }
        progress.update(s + 1);
    }
    Ok(Simulation {
        model: model.name().to_string(),
        task: task.name().to_string(),
        shape,
        dt,
        t,
        u,
        r,
        v,
        input: inputs,
        record_every: options.record_every,
        centre,
        target,
        stimulus_on: on,
        height,
        width,
    })
}

impl Simulation {
    /// Number of simulated steps.
    pub fn n_steps(&self) -> usize {
        self.t.len()
    }

    /// Feature dimension (1 ring, 2 torus).
    pub fn dim(&self) -> usize {
        self.target.ncols()
    }

    /// Per-step summary as a DataFrame: `step, t, stimulus_on, target_1..,
    /// centre_1.., error_1.. (centre - target, wrapped), height, width`.
    ///
    /// # Errors
    /// [`Error::Polars`](crate::Error::Polars) if the frame cannot be built (never for a valid run).
    pub fn to_dataframe(&self) -> Result<DataFrame> {
        let n = self.n_steps();
        let mut cols: Vec<Column> = vec![
            Column::new("step".into(), (0..n as u64).collect::<Vec<_>>()),
            Column::new("t".into(), self.t.clone()),
            Column::new("stimulus_on".into(), self.stimulus_on.clone()),
        ];
        for c in 0..self.dim() {
            let tg: Vec<f64> = self.target.column(c).to_vec();
            let ce: Vec<f64> = self.centre.column(c).to_vec();
            let er: Vec<f64> = tg
                .iter()
                .zip(&ce)
                .map(|(t, c)| crate::space::angle_diff(*c, *t))
                .collect();
            cols.push(Column::new(format!("target_{}", c + 1).into(), tg));
            cols.push(Column::new(format!("centre_{}", c + 1).into(), ce));
            cols.push(Column::new(format!("error_{}", c + 1).into(), er));
        }
        cols.push(Column::new("height".into(), self.height.clone()));
        cols.push(Column::new("width".into(), self.width.clone()));
        Ok(DataFrame::new(n, cols)?)
    }

    /// Tracking error, offset and lag along the first feature dimension,
    /// over the steps from `from` on.
    pub fn tracking(&self, from: usize) -> TrackingSummary {
        let c = self.centre.column(0).to_vec();
        let t = self.target.column(0).to_vec();
        tracking_summary(&c, &t, self.dt, from)
    }

    /// Decoded bump centre and target over time.
    pub fn plot_tracking(&self) -> Figure {
        let mut series = Vec::new();
        for c in 0..self.dim() {
            let tg: Vec<f64> = self
                .target
                .column(c)
                .iter()
                .zip(&self.stimulus_on)
                .map(|(t, on)| {
                    if *on {
                        crate::space::wrap(*t)
                    } else {
                        f64::NAN
                    }
                })
                .collect();
            series.push(Series::dashed(
                format!("target x{}", c + 1),
                self.t.clone(),
                tg,
            ));
            series.push(Series::line(
                format!("bump centre x{}", c + 1),
                self.t.clone(),
                self.centre.column(c).to_vec(),
            ));
        }
        display::lines(
            &format!("{} on {}: decoded vs true position", self.model, self.task),
            "time",
            "position (rad)",
            series,
        )
    }

    /// The firing rate over time as a heatmap (ring models; on the torus, the
    /// row of neurons through the bump centre). Long runs and large networks
    /// are subsampled to at most 300 time points and 128 neurons so the
    /// figure stays light.
    pub fn plot_activity(&self) -> Figure {
        let n_side = *self.shape.last().unwrap_or(&1);
        let x_all = ring_positions(n_side);
        let rows = self.r.nrows();
        let t_stride = rows.div_ceil(300).max(1);
        let n_stride = n_side.div_ceil(128).max(1);
        let ks: Vec<usize> = (0..rows).step_by(t_stride).collect();
        let js: Vec<usize> = (0..n_side).step_by(n_stride).collect();
        let step_of = |k: usize| (k * self.record_every).min(self.t.len().saturating_sub(1));
        let times: Vec<f64> = ks.iter().map(|&k| self.t[step_of(k)]).collect();
        let x: Vec<f64> = js.iter().map(|&j| x_all[j]).collect();
        let flat_index = |k: usize, j: usize| -> usize {
            if self.shape.len() == 1 {
                return j;
            }
            let c = self.centre[[step_of(k), 1]];
            let row = if c.is_finite() {
                ((c + std::f64::consts::PI) / (crate::space::TWO_PI / n_side as f64)).round()
                    as usize
                    % n_side
            } else {
                0
            };
            row * n_side + j
        };
        // z[neuron][time]: rows along y = preferred position.
        let z: Vec<Vec<f64>> = js
            .iter()
            .map(|&j| ks.iter().map(|&k| self.r[[k, flat_index(k, j)]]).collect())
            .collect();
        display::heatmap(
            &format!("{} firing rate over time", self.model),
            "time",
            "preferred position (rad)",
            times,
            x,
            z,
        )
    }

    /// The firing-rate profile as an animation with a slider (ring models), or
    /// the 2D activity as an animated heatmap (torus models), with at most
    /// `max_frames` frames. A ring run recorded with
    /// [`SimOptions::record_input`] shows the external input too, dashed on
    /// its own axis at the right (a stimulus is often 30 times the bump's
    /// height).
    ///
    /// # Examples
    /// ```
    /// use canns::prelude::*;
    /// let mut net = Cann1d::params().num(64).build()?;
    /// let mut task = PopulationCoding::params().position(vec![1.0]).duration(5.0).after(5.0).build()?;
    /// let sim = simulate_with(&mut net, &mut task, &SimOptions::default().record_input(true))?;
    /// assert_eq!(sim.input.as_ref().unwrap().dim(), sim.r.dim());
    /// let fig = sim.plot_animation(10);
    /// assert_eq!(fig.data().len(), 2); // the rates and the input
    /// # Ok::<(), canns::Error>(())
    /// ```
    pub fn plot_animation(&self, max_frames: usize) -> Figure {
        let rows = self.r.nrows();
        let every = rows.div_ceil(max_frames.max(1)).max(1);
        let picks: Vec<usize> = (0..rows).step_by(every).collect();
        let label = |k: usize| {
            format!(
                "{:.1}",
                self.t[(k * self.record_every).min(self.t.len() - 1)]
            )
        };
        let hi = self.r.iter().cloned().fold(0.0, f64::max).max(1e-12);
        let n_side = *self.shape.last().unwrap_or(&1);
        let x = ring_positions(n_side);
        if let (1, Some(input)) = (self.shape.len(), self.input.as_ref()) {
            let frames = picks
                .iter()
                .map(|&k| {
                    (
                        label(k),
                        vec![self.r.row(k).to_vec(), input.row(k).to_vec()],
                    )
                })
                .collect();
            let lo = input.iter().cloned().fold(0.0, f64::min);
            let top = input.iter().cloned().fold(0.0, f64::max).max(1e-12);
            return display::animation::animated_curves(
                &format!("{} firing rate and input", self.model),
                ("preferred position (rad)", "r"),
                x,
                &[("r", false), ("input", true)],
                frames,
                (0.0, 1.05 * hi),
                Some(("external input", (lo.min(0.0) * 1.05, 1.05 * top))),
            );
        }
        if self.shape.len() == 1 {
            let frames = picks
                .iter()
                .map(|&k| (label(k), self.r.row(k).to_vec()))
                .collect();
            display::animated_lines(
                &format!("{} firing rate", self.model),
                "preferred position (rad)",
                "r",
                x,
                frames,
                (0.0, 1.05 * hi),
            )
        } else {
            let n = n_side;
            let frames = picks
                .iter()
                .map(|&k| {
                    let row = self.r.row(k);
                    (
                        label(k),
                        (0..n)
                            .map(|i| row.slice(ndarray::s![i * n..(i + 1) * n]).to_vec())
                            .collect(),
                    )
                })
                .collect();
            display::animated_heatmap(
                &format!("{} firing rate", self.model),
                "x1 (rad)",
                "x2 (rad)",
                x.clone(),
                x,
                frames,
                (0.0, hi),
            )
        }
    }

    fn summary_table(&self) -> KeyValues {
        let tr = self.tracking(0);
        let mut kv = KeyValues::new(format!("Simulation: {} on {}", self.model, self.task))
            .row("n_steps", self.n_steps(), "steps")
            .row("dt", self.dt, "time step")
            .row("shape", format!("{:?}", self.shape), "lattice")
            .row(
                "recorded",
                self.r.nrows(),
                format!("states (every {} steps)", self.record_every),
            )
            .row(
                "final height",
                format!("{:.4}", self.height.last().copied().unwrap_or(f64::NAN)),
                "max u",
            )
            .row(
                "final width",
                format!("{:.4}", self.width.last().copied().unwrap_or(f64::NAN)),
                "fitted sigma (rad)",
            )
            .row(
                "mean |error|",
                format!("{:.4}", tr.mean_abs_error),
                "rad (dimension 1)",
            );
        if tr.lag.is_finite() {
            kv = kv.row(
                "lag",
                format!("{:.3}", tr.lag),
                "time (negative: anticipation)",
            );
        }
        kv
    }
}

crate::display::debug_via_display!(Simulation);

impl std::fmt::Display for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Simulation({} on {}, {} steps, shape {:?})",
            self.model,
            self.task,
            self.n_steps(),
            self.shape
        )
    }
}

impl Render for Simulation {
    fn bundle(&self) -> Bundle {
        Bundle::figure(
            &self.plot_tracking(),
            &self.summary_table().to_html(),
            self.to_string(),
        )
    }
}

display::evcxr_display_via_render!(Simulation);
