use super::progress::{Progress, ShowProgress};
use crate::analysis::theta::{
    active_steps, direction_sweeps, position_sweeps, DirectionSweeps, PositionSweeps,
};
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render, Series};
use crate::error::{Error, ParamError, Result};
use crate::models::theta_sweep::{
    DirectionCellNetworkParams, GeodesicGrid, GridCellNetworkParams, PlaceCellNetworkParams,
    ThetaClockParams,
};
use crate::models::Model;
use crate::params::check;
use crate::params::Params;
use crate::space::wrap;
use crate::spatial::{History, Trajectory};
use ndarray::Array2;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// `ThetaSweep`: a trajectory through the head-direction and grid networks
/// under a theta clock, recorded, with per-cycle sweep statistics.
///
/// Units are explicit and never shared through a global: the trajectory is
/// in seconds and metres, resampled every `dt / 1000` s; the networks and
/// the clock step `dt` milliseconds (the pipeline's `dt` overrides the `dt`
/// of the nested parameters, so they cannot disagree). The removed
/// `ThetaSweepPipeline` of the Python `canns` package handed its 1 ms theta
/// clock a step of 0.001 and so ran with a frozen theta phase; here the
/// recorded phase advances one cycle per `cycle_len` ms.
///
/// Per step: `m = clock.modulation(i, speed, omega)`, the direction network
/// steps towards the heading under `m.hd`, then the grid network steps at the
/// position with the direction network's new rates under `m.gc`.
///
/// ## Examples
/// ```
/// use canns::pipeline::ThetaSweep;
/// use canns::spatial::Trajectory;
/// // Half a second along a straight line at 0.4 m/s.
/// let traj = Trajectory::new(vec![0.0, 0.5], vec![vec![0.2, 0.5], vec![0.4, 0.5]])?;
/// let mut p = ThetaSweep::params();
/// p.grid.num_gc_x = 24;
/// p.grid.mapping_ratio = 10.0;
/// let res = p.run(&traj)?;
/// assert_eq!(res.n_steps(), 501);
/// // The theta phase advances: five cycles in 500 ms.
/// assert_eq!(res.cycle[500], 5);
/// // Mid-cycle, with no noise, the internal direction is the heading (+x).
/// assert!(res.internal_direction[450].abs() < 0.1);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Ji, Z., Chu, T., Wu, S. & Burgess, N. (2025). A systems model of
///   alternating theta sweeps via firing rate adaptation. Curr Biol
///   35(4):709-722.
///
/// The theta-sweep pipeline: build its parameters with [`ThetaSweep::params`]
/// and [`ThetaSweepParams::run`] them on a trajectory.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::spatial::Trajectory;
/// // Half a second turning on a circle of 0.2 m radius at 0.3 m/s, the
/// // direction ring only (no grid module).
/// let t: Vec<f64> = (0..=50).map(|i| i as f64 * 0.01).collect();
/// let xy: Vec<Vec<f64>> = t.iter().map(|t| vec![0.5 + 0.2 * (1.5 * t).cos(), 0.5 + 0.2 * (1.5 * t).sin()]).collect();
/// let traj = Trajectory::new(t, xy)?;
/// let res = ThetaSweep::params().with_grid(false).run(&traj)?;
/// // 1 ms steps; the theta phase completes a cycle every 100 ms.
/// assert_eq!((res.n_steps(), res.cycle[500]), (501, 5));
/// assert!(res.direction_sweeps.is_some() && res.position_sweeps.is_none());
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ThetaSweep;

impl ThetaSweep {
    /// Default parameters (those of `canns`'s `ThetaSweepPipeline`).
    pub fn params() -> ThetaSweepParams {
        ThetaSweepParams::default()
    }
}

/// Parameters of [`ThetaSweep`].
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::spatial::Trajectory;
/// let traj = Trajectory::new(vec![0.0, 0.2], vec![vec![0.2, 0.5], vec![0.3, 0.5]])?;
/// // 2 ms steps, direction rates recorded every 5th step, no grid module.
/// let p = ThetaSweep::params().dt(2.0).record_every(5).with_grid(false);
/// let res = p.run(&traj)?;
/// assert_eq!((res.n_steps(), res.dc_activity.nrows()), (101, 21));
/// // The pipeline's step overrides the nested ones.
/// let err = ThetaSweep::params().dt(0.0).validate().unwrap_err();
/// assert!(err.to_string().contains("`dt`"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThetaSweepParams {
    /// Network time step (ms); the trajectory is resampled every `dt / 1000`
    /// s. Overrides the `dt` of `clock`, `direction` and `grid`. Default 1.
    pub dt: f64,
    /// The theta clock. Default: cycle 100 ms, `s_hd = 1`, `s_gc = 0.5`,
    /// `v_max = 1 m/s`, `omega_max = 2 pi rad/s`.
    pub clock: ThetaClockParams,
    /// The head-direction ring. Default: 100 neurons, adaptation 15, no noise.
    pub direction: DirectionCellNetworkParams,
    /// The grid module. Default: 100 x 100, adaptation 8, mapping ratio 5
    /// (spacing 1.26 m), no noise.
    pub grid: GridCellNetworkParams,
    /// Run the grid network. Default true.
    pub with_grid: bool,
    /// Place-cell network, driven by the position with the grid drive's
    /// theta modulation. Default: the parameters of Chu et al. (2024).
    pub place: PlaceCellNetworkParams,
    /// Run the place network on the trajectory's box (cells of `place_dx`).
    /// Default false.
    pub with_place: bool,
    /// Cell side of the place network's grid (m). Default 0.05.
    pub place_dx: f64,
    /// Record the direction-cell rates every this many steps (0: never).
    /// Default 10.
    pub record_every: usize,
    /// Record the grid-cell rates every this many steps (0: never; each
    /// record holds `num_gc_x^2` values). Default 0.
    pub record_grid_every: usize,
    /// Theta cycles left out of the summary statistics at the start (the
    /// bumps form). Default 2.
    pub warmup_cycles: usize,
    /// Largest number of steps a run may take. Default 10^7.
    pub max_steps: usize,
    /// Progress display. Default: on a terminal for long runs.
    pub progress: ShowProgress,
}

impl Default for ThetaSweepParams {
    fn default() -> Self {
        Self {
            dt: 1.0,
            clock: ThetaClockParams::default()
                .strength_hd(1.0)
                .strength_gc(0.5),
            direction: DirectionCellNetworkParams::default()
                .adaptation_strength(15.0)
                .noise_strength(0.0),
            grid: GridCellNetworkParams::default()
                .adaptation_strength(8.0)
                .mapping_ratio(5.0)
                .noise_strength(0.0),
            with_grid: true,
            place: PlaceCellNetworkParams::chu2024(),
            with_place: false,
            place_dx: 0.05,
            record_every: 10,
            record_grid_every: 0,
            warmup_cycles: 2,
            max_steps: 10_000_000,
            progress: ShowProgress::Auto,
        }
    }
}

impl ThetaSweepParams {
    crate::params::setters! {
        /// Sets `dt` (ms).
        dt: f64,
        /// Sets `clock`.
        clock: ThetaClockParams,
        /// Sets `direction`.
        direction: DirectionCellNetworkParams,
        /// Sets `grid`.
        grid: GridCellNetworkParams,
        /// Sets `with_grid`.
        with_grid: bool,
        /// Sets `place`.
        place: PlaceCellNetworkParams,
        /// Sets `with_place`.
        with_place: bool,
        /// Sets `place_dx` (m).
        place_dx: f64,
        /// Sets `record_every`.
        record_every: usize,
        /// Sets `record_grid_every`.
        record_grid_every: usize,
        /// Sets `warmup_cycles`.
        warmup_cycles: usize,
        /// Sets `max_steps`.
        max_steps: usize,
        /// Sets `progress`.
        progress: ShowProgress,
    }

    /// The nested parameters with the pipeline's `dt` and the grid's
    /// `num_dc` matched to the direction ring.
    fn resolved(
        &self,
    ) -> (
        ThetaClockParams,
        DirectionCellNetworkParams,
        GridCellNetworkParams,
    ) {
        let clock = self.clock.clone().dt(self.dt);
        let dir = self.direction.clone().dt(self.dt);
        let grid = self.grid.clone().dt(self.dt).num_dc(dir.num);
        (clock, dir, grid)
    }

    /// Runs the pipeline on an imported (or generated) trajectory, resampled
    /// every `dt / 1000` s over its whole duration.
    ///
    /// # Errors
    /// [`Error::Param`] for invalid parameters or a 1-D trajectory;
    /// [`Error::Limit`] beyond `max_steps`; [`Error::Diverged`] if a network
    /// diverges.
    pub fn run(&self, trajectory: &Trajectory) -> Result<ThetaSweepResult> {
        self.validate()?;
        if trajectory.dim() != 2 {
            return Err(ParamError::new("trajectory", "two-dimensional", trajectory.dim()).into());
        }
        let n = (trajectory.duration() / (self.dt * 1e-3)).floor() as usize + 1;
        if n > self.max_steps {
            return Err(Error::Limit(format!(
                "{n} steps of {} ms for {:.1} s of trajectory (max_steps = {})",
                self.dt,
                trajectory.duration(),
                self.max_steps
            )));
        }
        let h = trajectory.resample(self.dt * 1e-3)?;
        let place = if self.with_place {
            let e = trajectory.environment()?.extent();
            let rect = [[e[0], e[2]], [e[1], e[2]], [e[1], e[3]], [e[0], e[3]]];
            Some(GeodesicGrid::from_polygon(&rect, &[], self.place_dx)?)
        } else {
            None
        };
        self.run_resampled(&h, trajectory.name(), place.as_ref())
    }

    /// Runs the pipeline on an agent's (or a task's) history: its samples
    /// are splined and resampled every `dt / 1000` s.
    ///
    /// # Errors
    /// As [`ThetaSweepParams::run`]; [`Error::Param`] when the history has
    /// fewer than two samples.
    pub fn run_history(&self, history: &History) -> Result<ThetaSweepResult> {
        let pos = history
            .x
            .iter()
            .zip(&history.y)
            .map(|(x, y)| vec![*x, *y])
            .collect();
        let traj = Trajectory::new(history.t.clone(), pos)?;
        self.run(&traj)
    }

    fn run_resampled(
        &self,
        h: &History,
        name: &str,
        place_grid: Option<&GeodesicGrid>,
    ) -> Result<ThetaSweepResult> {
        let (clock_p, dir_p, grid_p) = self.resolved();
        let clock = clock_p.build()?;
        let mut dc = dir_p.build()?;
        let mut gc = if self.with_grid {
            Some(grid_p.build()?)
        } else {
            None
        };
        let mut pc = match place_grid {
            Some(g) => Some(self.place.clone().dt(self.dt).build(g)?),
            None => None,
        };
        let n = h.len();
        let nd = dc.n_neurons();
        let rec = |every: usize| if every == 0 { 0 } else { n.div_ceil(every) };
        let mut res = ThetaSweepResult::empty(name, self.clone(), n, nd);
        res.dc_activity = Array2::zeros((rec(self.record_every), nd));
        if let Some(g) = &gc {
            res.gc_activity = Array2::zeros((rec(self.record_grid_every), g.n_neurons()));
        }
        let work = n as f64 * (nd + gc.as_ref().map_or(0, |g| 30 * g.n_neurons())) as f64;
        let mut progress = Progress::new("theta sweep", n, work, self.progress);
        for i in 0..n {
            let hd = h.hd_y[i].atan2(h.hd_x[i]);
            let speed = h.vx[i].hypot(h.vy[i]);
            let omega = h.rotational_velocity[i];
            let pos = [h.x[i], h.y[i]];
            let m = clock.modulation(i, speed, omega);
            dc.update(hd, m.hd)?;
            res.t.push(h.t[i]);
            res.x.push(pos[0]);
            res.y.push(pos[1]);
            res.heading.push(hd);
            res.speed.push(speed);
            res.angular_velocity.push(omega);
            res.phase.push(m.phase);
            res.cycle.push(m.cycle);
            res.linear_gain.push(m.linear_gain);
            res.angular_gain.push(m.angular_gain);
            res.mod_hd.push(m.hd);
            res.mod_gc.push(m.gc);
            res.internal_direction
                .push(dc.direction().unwrap_or(f64::NAN));
            res.dc_r_max.push(dc.r_max());
            if self.record_every > 0 && i % self.record_every == 0 {
                res.dc_activity
                    .row_mut(i / self.record_every)
                    .assign(&ndarray::ArrayView1::from(dc.r()));
            }
            if let Some(g) = gc.as_mut() {
                g.update(pos, dc.r(), m.gc)?;
                let d = g.decode(pos);
                res.decoded_x.push(d.map_or(f64::NAN, |d| d.position[0]));
                res.decoded_y.push(d.map_or(f64::NAN, |d| d.position[1]));
                res.grid_phase_x.push(d.map_or(f64::NAN, |d| d.phase[0]));
                res.grid_phase_y.push(d.map_or(f64::NAN, |d| d.phase[1]));
                res.gc_r_max.push(g.r_max());
                if self.record_grid_every > 0 && i % self.record_grid_every == 0 {
                    res.gc_activity
                        .row_mut(i / self.record_grid_every)
                        .assign(&ndarray::ArrayView1::from(g.r()));
                }
            }
            if let Some(p) = pc.as_mut() {
                p.update(pos, m.gc)?;
                let d = p.decoded_position();
                res.place_x.push(d.map_or(f64::NAN, |d| d[0]));
                res.place_y.push(d.map_or(f64::NAN, |d| d[1]));
                res.pc_r_max.push(p.r_max());
            }
            if i % 1000 == 0 {
                progress.update(i);
            }
        }
        progress.update(n);
        res.direction_preferred = dc.preferred_directions().to_vec();
        res.summarise(clock.steps_per_cycle());
        Ok(res)
    }
}

impl Params for ThetaSweepParams {
    const NAME: &'static str = "ThetaSweepParams";

    fn validate(&self) -> Result<()> {
        check::positive("dt", self.dt)?;
        let (clock, dir, grid) = self.resolved();
        clock.validate()?;
        dir.validate()?;
        if self.with_grid {
            grid.validate()?;
        }
        if self.with_place {
            self.place.clone().dt(self.dt).validate()?;
            check::positive("place_dx", self.place_dx)?;
        }
        if self.max_steps == 0 {
            return Err(ParamError::new("max_steps", ">= 1", 0).into());
        }
        Ok(())
    }
}

impl Render for ThetaSweepParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(
            format!("<pre>{}</pre>", display::html_escape(&self.to_json())),
            format!("{self:?}"),
        )
    }
}

/// What a [`ThetaSweep`] run recorded, one value per step unless stated.
///
/// # Shapes
/// - per-step vectors: `n_steps`;
/// - `dc_activity`: `(n_records, num)`, row `k` at step `k * record_every`;
/// - `gc_activity`: `(n_records, num_gc_x^2)`, row `k` at step
///   `k * record_grid_every` (empty unless asked for).
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::spatial::Trajectory;
/// // 0.4 s straight along +x at 0.5 m/s, direction ring only.
/// let traj = Trajectory::new(vec![0.0, 0.4], vec![vec![0.2, 0.5], vec![0.4, 0.5]])?;
/// let res = ThetaSweep::params().with_grid(false).run(&traj)?;
/// assert_eq!((res.x.len(), res.dc_activity.dim()), (401, (41, 100)));
/// assert!((res.speed[200] - 0.5).abs() < 1e-9 && res.heading[200].abs() < 1e-9);
/// // Two warm-up cycles out of four leave two cycles of direction sweeps.
/// assert_eq!(res.direction_sweeps.as_ref().unwrap().cycles.len(), 2);
/// assert_eq!(res.to_dataframe()?.width(), 23);
/// assert!(res.to_string().contains("401 steps, 5 cycles"), "{res}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct ThetaSweepResult {
    /// Trajectory name.
    pub name: String,
    /// The parameters of the run.
    pub params: ThetaSweepParams,
    /// Time (s).
    pub t: Vec<f64>,
    /// Animal position x (m).
    pub x: Vec<f64>,
    /// Animal position y (m).
    pub y: Vec<f64>,
    /// Heading (rad): direction of motion.
    pub heading: Vec<f64>,
    /// Running speed (m/s).
    pub speed: Vec<f64>,
    /// Angular velocity of the heading (rad/s).
    pub angular_velocity: Vec<f64>,
    /// Theta phase (rad).
    pub phase: Vec<f64>,
    /// Theta cycle index.
    pub cycle: Vec<usize>,
    /// Linear speed gain.
    pub linear_gain: Vec<f64>,
    /// Angular speed gain.
    pub angular_gain: Vec<f64>,
    /// Modulation of the direction drive.
    pub mod_hd: Vec<f64>,
    /// Modulation of the grid drive.
    pub mod_gc: Vec<f64>,
    /// Internal direction decoded from the ring (rad; NaN when silent).
    pub internal_direction: Vec<f64>,
    /// Largest direction-cell rate.
    pub dc_r_max: Vec<f64>,
    /// Decoded position x (m; NaN when silent or without grid).
    pub decoded_x: Vec<f64>,
    /// Decoded position y (m).
    pub decoded_y: Vec<f64>,
    /// Raw bump phase on the first torus axis (rad).
    pub grid_phase_x: Vec<f64>,
    /// Raw bump phase on the second torus axis (rad).
    pub grid_phase_y: Vec<f64>,
    /// Largest grid-cell rate.
    pub gc_r_max: Vec<f64>,
    /// Position decoded from the place network, x (m; NaN when silent or without it).
    pub place_x: Vec<f64>,
    /// Position decoded from the place network, y (m).
    pub place_y: Vec<f64>,
    /// Largest place-cell rate.
    pub pc_r_max: Vec<f64>,
    /// Preferred directions of the direction cells (rad).
    pub direction_preferred: Vec<f64>,
    /// Recorded direction-cell rates.
    pub dc_activity: Array2<f64>,
    /// Recorded grid-cell rates.
    pub gc_activity: Array2<f64>,
    /// Per-cycle direction sweeps after the warm-up.
    pub direction_sweeps: Option<DirectionSweeps>,
    /// Per-cycle position sweeps after the warm-up (with the grid).
    pub position_sweeps: Option<PositionSweeps>,
    /// Per-cycle sweeps of the place network's decoded position.
    pub place_sweeps: Option<PositionSweeps>,
}

/// Column names of [`ThetaSweepResult::to_dataframe`].
const COLUMN_NAMES: [&str; 23] = [
    "t",
    "x",
    "y",
    "heading",
    "speed",
    "angular_velocity",
    "phase",
    "cycle",
    "linear_gain",
    "angular_gain",
    "mod_hd",
    "mod_gc",
    "internal_direction",
    "dc_r_max",
    "decoded_x",
    "decoded_y",
    "grid_phase_x",
    "grid_phase_y",
    "gc_r_max",
    "place_x",
    "place_y",
    "pc_r_max",
    "direction_offset",
];

impl ThetaSweepResult {
    /// Column names of [`ThetaSweepResult::to_dataframe`], in order.
    pub const COLUMNS: [&'static str; 23] = COLUMN_NAMES;

    fn empty(name: &str, params: ThetaSweepParams, n: usize, _nd: usize) -> Self {
        let v = || Vec::with_capacity(n);
        Self {
            name: name.to_string(),
            params,
            t: v(),
            x: v(),
            y: v(),
            heading: v(),
            speed: v(),
            angular_velocity: v(),
            phase: v(),
            cycle: Vec::with_capacity(n),
            linear_gain: v(),
            angular_gain: v(),
            mod_hd: v(),
            mod_gc: v(),
            internal_direction: v(),
            dc_r_max: v(),
            decoded_x: v(),
            decoded_y: v(),
            grid_phase_x: v(),
            grid_phase_y: v(),
            gc_r_max: v(),
            place_x: v(),
            place_y: v(),
            pc_r_max: v(),
            direction_preferred: Vec::new(),
            dc_activity: Array2::zeros((0, 0)),
            gc_activity: Array2::zeros((0, 0)),
            direction_sweeps: None,
            position_sweeps: None,
            place_sweeps: None,
        }
    }

    /// Number of steps.
    pub fn n_steps(&self) -> usize {
        self.t.len()
    }

    /// Signed offset of the internal direction from the heading per step
    /// (rad, NaN when silent).
    pub fn direction_offset(&self) -> Vec<f64> {
        self.internal_direction
            .iter()
            .zip(&self.heading)
            .map(|(d, h)| wrap(d - h))
            .collect()
    }

    fn summarise(&mut self, steps_per_cycle: f64) {
        let spc = steps_per_cycle.round() as usize;
        if spc == 0 || (steps_per_cycle - spc as f64).abs() > 1e-9 {
            // Cycles are not whole numbers of steps: no per-cycle statistics.
            return;
        }
        let start = (self.params.warmup_cycles * spc).min(self.n_steps());
        let off = self.direction_offset();
        let act = active_steps(&self.dc_r_max[start..], 0.1);
        self.direction_sweeps = direction_sweeps(&off[start..], &act, spc).ok();
        let pairs = |a: &[f64], b: &[f64]| -> Vec<[f64; 2]> {
            a[start..]
                .iter()
                .zip(&b[start..])
                .map(|(x, y)| [*x, *y])
                .collect()
        };
        let pos = pairs(&self.x, &self.y);
        if !self.decoded_x.is_empty() {
            let dec = pairs(&self.decoded_x, &self.decoded_y);
            self.position_sweeps = position_sweeps(&dec, &pos, &self.heading[start..], spc).ok();
        }
        if !self.place_x.is_empty() {
            let dec = pairs(&self.place_x, &self.place_y);
            self.place_sweeps = position_sweeps(&dec, &pos, &self.heading[start..], spc).ok();
        }
    }

    /// The per-step records as a DataFrame (columns [`ThetaSweepResult::COLUMNS`]; the grid
    /// columns are NaN without the grid network).
    ///
    /// # Errors
    /// [`Error::Polars`] if the frame cannot be built.
    pub fn to_dataframe(&self) -> Result<DataFrame> {
        let n = self.n_steps();
        let or_nan = |v: &Vec<f64>| {
            if v.len() == n {
                v.clone()
            } else {
                vec![f64::NAN; n]
            }
        };
        let cycle: Vec<u64> = self.cycle.iter().map(|&c| c as u64).collect();
        let cols = vec![
            Column::new("t".into(), &self.t),
            Column::new("x".into(), &self.x),
            Column::new("y".into(), &self.y),
            Column::new("heading".into(), &self.heading),
            Column::new("speed".into(), &self.speed),
            Column::new("angular_velocity".into(), &self.angular_velocity),
            Column::new("phase".into(), &self.phase),
            Column::new("cycle".into(), cycle),
            Column::new("linear_gain".into(), &self.linear_gain),
            Column::new("angular_gain".into(), &self.angular_gain),
            Column::new("mod_hd".into(), &self.mod_hd),
            Column::new("mod_gc".into(), &self.mod_gc),
            Column::new("internal_direction".into(), &self.internal_direction),
            Column::new("dc_r_max".into(), &self.dc_r_max),
            Column::new("decoded_x".into(), or_nan(&self.decoded_x)),
            Column::new("decoded_y".into(), or_nan(&self.decoded_y)),
            Column::new("grid_phase_x".into(), or_nan(&self.grid_phase_x)),
            Column::new("grid_phase_y".into(), or_nan(&self.grid_phase_y)),
            Column::new("gc_r_max".into(), or_nan(&self.gc_r_max)),
            Column::new("place_x".into(), or_nan(&self.place_x)),
            Column::new("place_y".into(), or_nan(&self.place_y)),
            Column::new("pc_r_max".into(), or_nan(&self.pc_r_max)),
            Column::new("direction_offset".into(), self.direction_offset()),
        ];
        Ok(DataFrame::new(n, cols)?)
    }

    /// The direction-cell rates as a heatmap (time x preferred direction),
    /// with the heading (white, broken at wraps) and dashed lines at the
    /// start of each theta cycle, over the steps `from..to`.
    pub fn plot_direction_activity(&self, from: usize, to: usize) -> Figure {
        let every = self.params.record_every.max(1);
        let (a, b) = (
            from.min(self.n_steps()) / every,
            to.min(self.n_steps())
                .div_ceil(every)
                .min(self.dc_activity.nrows()),
        );
        let t: Vec<f64> = (a..b).map(|k| self.t[k * every]).collect();
        let z: Vec<Vec<f64>> = (0..self.dc_activity.ncols())
            .map(|j| (a..b).map(|k| self.dc_activity[[k, j]]).collect())
            .collect();
        let mut plot = display::heatmap(
            "Direction cells with theta",
            "time (s)",
            "preferred direction (rad)",
            t,
            self.direction_preferred.clone(),
            z,
        );
        let (lo, hi) = (from.min(self.n_steps()), to.min(self.n_steps()));
        let mut ht = Vec::new();
        let mut hv = Vec::new();
        for i in lo..hi {
            if i > lo && (self.heading[i] - self.heading[i - 1]).abs() > std::f64::consts::PI {
                ht.push(self.t[i]);
                hv.push(f64::NAN);
            }
            ht.push(self.t[i]);
            hv.push(self.heading[i]);
        }
        plot.add_trace(
            plotly::Scatter::new(ht, hv)
                .mode(plotly::common::Mode::Lines)
                .name("heading")
                .line(plotly::common::Line::new().color("white").width(2.0)),
        );
        let (mut lt, mut lv) = (Vec::new(), Vec::new());
        for i in lo.max(1)..hi {
            if self.cycle[i] != self.cycle[i - 1] {
                lt.extend([self.t[i], self.t[i], f64::NAN]);
                lv.extend([-std::f64::consts::PI, std::f64::consts::PI, f64::NAN]);
            }
        }
        plot.add_trace(
            plotly::Scatter::new(lt, lv)
                .mode(plotly::common::Mode::Lines)
                .name("theta cycle start")
                .line(
                    plotly::common::Line::new()
                        .color("grey")
                        .dash(plotly::common::DashType::Dash),
                ),
        );
        plot
    }

    /// Decoded against true position over the steps `from..to`.
    pub fn plot_decoded_position(&self, from: usize, to: usize) -> Figure {
        let (lo, hi) = (from.min(self.n_steps()), to.min(self.n_steps()));
        let mut series = vec![Series::line(
            "animal",
            self.x[lo..hi].to_vec(),
            self.y[lo..hi].to_vec(),
        )];
        if self.decoded_x.len() == self.n_steps() {
            series.push(Series::markers(
                "decoded (grid)",
                self.decoded_x[lo..hi].to_vec(),
                self.decoded_y[lo..hi].to_vec(),
            ));
        }
        if self.place_x.len() == self.n_steps() {
            series.push(Series::markers(
                "decoded (place)",
                self.place_x[lo..hi].to_vec(),
                self.place_y[lo..hi].to_vec(),
            ));
        }
        display::lines("Decoded and true position", "x (m)", "y (m)", series)
    }

    /// Internal direction offset from the heading and the theta phase over
    /// the steps `from..to`.
    pub fn plot_direction_offset(&self, from: usize, to: usize) -> Figure {
        let (lo, hi) = (from.min(self.n_steps()), to.min(self.n_steps()));
        let off = self.direction_offset();
        display::lines(
            "Internal direction minus heading",
            "time (s)",
            "rad",
            vec![
                Series::line("offset", self.t[lo..hi].to_vec(), off[lo..hi].to_vec()),
                Series::dashed(
                    "theta phase",
                    self.t[lo..hi].to_vec(),
                    self.phase[lo..hi].to_vec(),
                ),
            ],
        )
    }

    /// The four panels of a sweep as one interactive figure, a frame every
    /// `every` steps from `from` to `to` (at most 300 frames) with a slider and
    /// Play/Pause: (1) the path, the animal and the grid's decoded position;
    /// (2) the direction cells' rates as a rose around the heading (radius:
    /// rate, scaled to the window's peak); (3) the grid cells' rates on the
    /// twisted torus (when grid rates were recorded at these steps, see
    /// `record_grid_every`; otherwise the decoded position relative to the
    /// animal); (4) the internal direction's offset from the heading over time
    /// with a cursor.
    ///
    /// # Errors
    /// [`Error::Param`] when `every` is not a positive multiple of
    /// `record_every` (the direction rates exist only at those steps) or the
    /// window holds no step.
    pub fn animation(&self, from: usize, to: usize, every: usize) -> Result<Figure> {
        use plotly::common::{ColorScale, ColorScalePalette, Line, Marker, Mode};
        use plotly::layout::{Axis, Frame, Layout};
        use plotly::{Scatter, Traces};
        let rec = self.params.record_every;
        if rec == 0 || every == 0 || !every.is_multiple_of(rec) {
            return Err(ParamError::new(
                "every",
                format!("a positive multiple of record_every = {rec}"),
                every,
            )
            .into());
        }
        let to = to.min(self.n_steps());
        if from >= to {
            return Err(ParamError::new("from", format!("< {to}"), from).into());
        }
        let steps: Vec<usize> = (from..to).step_by(every).take(300).collect();
        let ge = self.params.record_grid_every;
        let manifold = self.gc_activity.nrows() > 0
            && ge > 0
            && every.is_multiple_of(ge)
            && from.is_multiple_of(ge);
        let n = self.params.grid.num_gc_x;
        let stride = n.div_ceil(50).max(1);
        let keep: Vec<usize> = if manifold {
            (0..n * n)
                .filter(|i| (i % n).is_multiple_of(stride) && (i / n).is_multiple_of(stride))
                .collect()
        } else {
            Vec::new()
        };
        let pts = if manifold {
            crate::models::twisted_torus::manifold_points(n, self.params.grid.mapping_ratio)
        } else {
            Vec::new()
        };
        let rows = || steps.iter().map(|&k| k / rec);
        let dc_top = rows()
            .flat_map(|r| self.dc_activity.row(r).to_vec())
            .fold(0.0, f64::max)
            .max(1e-12);
        let gc_top = if manifold {
            steps
                .iter()
                .flat_map(|&k| self.gc_activity.row(k / ge).to_vec())
                .fold(0.0, f64::max)
                .max(1e-12)
        } else {
            1.0
        };
        let c = display::compact;
        let dec = |k: usize| {
            if self.decoded_x.len() == self.n_steps() {
                [self.decoded_x[k], self.decoded_y[k]]
            } else {
                [f64::NAN, f64::NAN]
            }
        };
        let off = self.direction_offset();
        // The animated traces of step k, in the order of `animated`.
        let frame_traces = |k: usize| -> Vec<Box<dyn plotly::Trace>> {
            let d = dec(k);
            let r = self.dc_activity.row(k / rec);
            let mut rx: Vec<f64> = Vec::with_capacity(r.len() + 1);
            let mut ry: Vec<f64> = Vec::with_capacity(r.len() + 1);
            for (v, th) in r.iter().zip(&self.direction_preferred) {
                rx.push(c(v / dc_top * th.cos()));
                ry.push(c(v / dc_top * th.sin()));
            }
            if let (Some(&x0), Some(&y0)) = (rx.first(), ry.first()) {
                rx.push(x0);
                ry.push(y0);
            }
            let h = self.heading[k];
            let third: Box<dyn plotly::Trace> = if manifold {
                let g = self.gc_activity.row(k / ge);
                Scatter::new(
                    keep.iter().map(|&i| c(pts[i][0])).collect(),
                    keep.iter().map(|&i| c(pts[i][1])).collect(),
                )
                .mode(Mode::Markers)
                .x_axis("x3")
                .y_axis("y3")
                .show_legend(false)
                .marker(
                    Marker::new()
                        .size(5)
                        .color_array(keep.iter().map(|&i| c(g[i])).collect::<Vec<f64>>())
                        .color_scale(ColorScale::Palette(ColorScalePalette::Viridis))
                        .cmin(0.0)
                        .cmax(c(gc_top)),
                )
            } else {
                Scatter::new(vec![c(d[0] - self.x[k])], vec![c(d[1] - self.y[k])])
                    .mode(Mode::Markers)
                    .x_axis("x3")
                    .y_axis("y3")
                    .name("decoded - animal")
            };
            vec![
                Scatter::new(vec![c(self.x[k])], vec![c(self.y[k])])
                    .mode(Mode::Markers)
                    .marker(Marker::new().size(10).color("red"))
                    .name("animal"),
                Scatter::new(vec![c(d[0])], vec![c(d[1])])
                    .mode(Mode::Markers)
                    .marker(Marker::new().size(9).color("blue"))
                    .name("decoded (grid)"),
                Scatter::new(rx, ry)
                    .mode(Mode::Lines)
                    .x_axis("x2")
                    .y_axis("y2")
                    .name("direction cells"),
                Scatter::new(vec![0.0, c(h.cos())], vec![0.0, c(h.sin())])
                    .mode(Mode::Lines)
                    .line(Line::new().color("red").width(3.0))
                    .x_axis("x2")
                    .y_axis("y2")
                    .name("heading"),
                third,
                Scatter::new(vec![self.t[k], self.t[k]], vec![-3.2, 3.2])
                    .mode(Mode::Lines)
                    .line(Line::new().color("black"))
                    .x_axis("x4")
                    .y_axis("y4")
                    .show_legend(false),
            ]
        };
        let animated = vec![1usize, 2, 3, 4, 5, 7];
        let mut plot = plotly::Plot::new();
        let (lo, hi) = (steps[0], to);
        plot.add_trace(
            Scatter::new(
                self.x[lo..hi].iter().map(|v| c(*v)).collect(),
                self.y[lo..hi].iter().map(|v| c(*v)).collect(),
            )
            .mode(Mode::Lines)
            .line(Line::new().color("grey"))
            .name("path"),
        );
        let first = frame_traces(steps[0]);
        let mut it = first.into_iter();
        for _ in 0..5 {
            plot.add_trace(it.next().expect("six animated traces"));
        }
        plot.add_trace(
            Scatter::new(
                self.t[lo..hi].to_vec(),
                off[lo..hi].iter().map(|v| c(*v)).collect(),
            )
            .mode(Mode::Lines)
            .x_axis("x4")
            .y_axis("y4")
            .name("internal - heading (rad)"),
        );
        plot.add_trace(it.next().expect("six animated traces"));
        let names: Vec<String> = steps
            .iter()
            .map(|&k| format!("{:.3} s", self.t[k]))
            .collect();
        for (&k, name) in steps.iter().zip(&names) {
            let mut data = Traces::new();
            for t in frame_traces(k) {
                data.push(t);
            }
            plot.add_frame(
                Frame::new()
                    .name(name.as_str())
                    .traces(animated.clone())
                    .data(data),
            );
        }
        let (sliders, menus) = display::animation::controls(&names, "t = ", 80, false);
        let xs = |lo: f64, hi: f64| {
            let pad = 0.05 * (hi - lo).max(0.1);
            vec![lo - pad, hi + pad]
        };
        let span = |v: &[f64]| {
            v.iter()
                .filter(|x| x.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                })
        };
        let (x0, x1) = span(&self.x[lo..hi]);
        let (y0, y1) = span(&self.y[lo..hi]);
        let third_range = if manifold {
            let xs3: Vec<f64> = keep.iter().map(|&i| pts[i][0]).collect();
            let ys3: Vec<f64> = keep.iter().map(|&i| pts[i][1]).collect();
            (span(&xs3), span(&ys3))
        } else {
            ((-0.5, 0.5), (-0.5, 0.5))
        };
        let layout = Layout::new()
            .title(format!("Theta sweep: {}", self.name).as_str())
            .height(820)
            .x_axis(
                Axis::new()
                    .domain(&[0.0, 0.45])
                    .anchor("y")
                    .range(xs(x0, x1)),
            )
            .y_axis(
                Axis::new()
                    .domain(&[0.58, 1.0])
                    .anchor("x")
                    .range(xs(y0, y1))
                    .scale_anchor("x"),
            )
            .x_axis2(
                Axis::new()
                    .domain(&[0.55, 1.0])
                    .anchor("y2")
                    .range(vec![-1.2, 1.2]),
            )
            .y_axis2(
                Axis::new()
                    .domain(&[0.58, 1.0])
                    .anchor("x2")
                    .range(vec![-1.2, 1.2])
                    .scale_anchor("x2"),
            )
            .x_axis3(
                Axis::new()
                    .domain(&[0.0, 0.45])
                    .anchor("y3")
                    .range(xs(third_range.0 .0, third_range.0 .1)),
            )
            .y_axis3(
                Axis::new()
                    .domain(&[0.0, 0.4])
                    .anchor("x3")
                    .range(xs(third_range.1 .0, third_range.1 .1))
                    .scale_anchor("x3"),
            )
            .x_axis4(
                Axis::new()
                    .domain(&[0.55, 1.0])
                    .anchor("y4")
                    .range(vec![self.t[lo], self.t[hi - 1]]),
            )
            .y_axis4(
                Axis::new()
                    .domain(&[0.0, 0.4])
                    .anchor("x4")
                    .range(vec![-3.2, 3.2]),
            )
            .sliders(sliders)
            .update_menus(menus);
        plot.set_layout(layout);
        Ok(Figure::from(plot))
    }

    fn table(&self) -> KeyValues {
        let f = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.4}"));
        let ds = self.direction_sweeps.as_ref();
        let ps = self.position_sweeps.as_ref();
        KeyValues::new("ThetaSweep")
            .row("trajectory", &self.name, "")
            .row("steps", self.n_steps(), format!("of {} ms", self.params.dt))
            .row(
                "duration",
                format!("{:.2}", self.t.last().copied().unwrap_or(0.0)),
                "s",
            )
            .row("cycles", ds.map_or(0, |d| d.cycles.len()), "after warm-up")
            .row(
                "direction |peak|",
                f(ds.and_then(|d| d.mean_abs_peak)),
                "rad",
            )
            .row(
                "direction alternation",
                f(ds.and_then(|d| d.alternation)),
                "",
            )
            .row(
                "direction silent",
                f(ds.map(|d| d.silent_fraction)),
                "steps",
            )
            .row("ego sweep length", f(ps.and_then(|p| p.ego_length)), "m")
            .row("mean ahead", f(ps.and_then(|p| p.mean_ahead)), "m")
            .row(
                "lateral alternation",
                f(ps.and_then(|p| p.lateral_alternation)),
                "",
            )
    }

    /// An HTML report: the summary table and the figures over the first
    /// `window` steps after the warm-up.
    pub fn report_html(&self, window: usize) -> String {
        let spc = (self.params.clock.cycle_len / self.params.dt).round() as usize;
        let from = (self.params.warmup_cycles * spc).min(self.n_steps());
        let to = from + window;
        let mut body = self.table().to_html();
        for p in [
            self.plot_direction_activity(from, to),
            self.plot_direction_offset(from, to),
            self.plot_decoded_position(from, to),
        ] {
            body.push_str(&p.to_inline_html(None));
        }
        display::standalone_html(&format!("Theta sweep: {}", self.name), &body)
    }
}

crate::display::debug_via_display!(ThetaSweepResult);

impl std::fmt::Display for ThetaSweepResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ThetaSweepResult(`{}`, {} steps, {} cycles",
            self.name,
            self.n_steps(),
            self.cycle.last().map_or(0, |c| c + 1)
        )?;
        if let Some(d) = &self.direction_sweeps {
            if let Some(p) = d.mean_abs_peak {
                write!(f, ", direction |peak| {p:.3} rad")?;
            }
        }
        if let Some(p) = self.position_sweeps.as_ref().and_then(|p| p.ego_length) {
            write!(f, ", ego sweep {p:.3} m")?;
        }
        write!(f, ")")
    }
}

impl Render for ThetaSweepResult {
    fn bundle(&self) -> Bundle {
        let spc = (self.params.clock.cycle_len / self.params.dt).round() as usize;
        let from = (self.params.warmup_cycles * spc).min(self.n_steps());
        Bundle::figure(
            &self.plot_direction_activity(from, from + 10 * spc),
            &self.table().to_html(),
            self.to_string(),
        )
    }
}

display::evcxr_display_via_render!(ThetaSweepParams, ThetaSweepResult);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_sets_nested_fields_and_rejects_unknown_ones() {
        let p = ThetaSweep::params()
            .with("direction.noise_strength", 0.3)
            .unwrap()
            .with("with_grid", false)
            .unwrap()
            .with("grid.recurrence", "dense")
            .unwrap();
        assert_eq!(p.direction.noise_strength, 0.3);
        assert!(!p.with_grid);
        let e = p
            .clone()
            .with("direction.nosie", 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("nosie") && e.contains("noise_strength"), "{e}");
        assert!(p.clone().with("dt", "x").is_err());
        assert_eq!(ThetaSweepParams::from_json(&p.to_json()).unwrap(), p);
    }

    #[test]
    fn the_nested_dt_follows_the_pipeline() {
        let p = ThetaSweep::params().dt(0.5);
        let (c, d, g) = p.resolved();
        assert_eq!((c.dt, d.dt, g.dt), (0.5, 0.5, 0.5));
        assert!(ThetaSweep::params().dt(0.0).validate().is_err());
    }
}
