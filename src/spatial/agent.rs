//! An agent moving through an [`Environment`] by RatInABox's random motion
//! model, optionally drifting towards a goal, or along an imported trajectory.
//!
//! In 2D the rotational velocity `ω` and the speed `v` follow
//! Ornstein-Uhlenbeck processes (George et al. 2024, Methods; the defaults
//! fit Sargolini et al. 2006):
//!
//! `ω ← ω - ω dt/τ_ω + σ_ω √(2 dt/τ_ω) ξ₁`, and the velocity turns by `ω dt`;
//!
//! the speed is Rayleigh distributed with scale `speed_mean`: it is mapped to
//! a standard normal `z = Φ⁻¹(1 - exp(-v²/2σ²))`, which follows
//! `z ← z - z dt/τ_v + √(2 dt/τ_v) ξ₂`, and mapped back.
//!
//! Near a wall (closer than `wall_repel_distance` `d`), a spring of constant
//! `k = (wall_repel_strength · speed_mean)² / d²` accelerates the agent away,
//! weighted by `3 (1 - thigmotaxis)²`, and a "conveyor belt" shifts its
//! position away, weighted by `6 thigmotaxis²`. A step crossing a wall is
//! reflected off it at half the mean speed. The head direction is the
//! measured velocity direction, low-pass filtered with time constant
//! `head_direction_smoothing_timescale`. In 1D the velocity itself is an
//! Ornstein-Uhlenbeck process of mean `speed_mean` and deviation `speed_std`.
//!
//! The step loop allocates nothing (the history columns grow amortised),
//! draws normals with the ziggurat method from a seeded Xoshiro256++
//! generator, precomputes the Ornstein-Uhlenbeck coefficients once per `dt`,
//! keeps the speed's normal variable between steps when no wall or drift
//! changed the speed (so the speed-to-normal map runs only then), evaluates
//! both speed maps from tables (`speed_map`), and looks walls up in a grid of
//! per-cell wall lists (`wall_grid`). Long runs with history move the agent
//! on one thread while a second tracks head direction, rotational velocity
//! and distance and fills the history ([`Agent::run`]).
//!
//! # Examples
//! ```
//! use canns::spatial::{Agent, Environment};
//! let env = Environment::params().build()?;
//! let mut agent = Agent::params().dt(0.01).seed(7).build(env)?;
//! agent.run(1000)?;
//! let h = agent.history();
//! assert_eq!(h.len(), 1000);
//! assert!(h.x.iter().all(|&x| x > 0.0 && x < 1.0));
//! let df = h.to_frame()?;
//! assert_eq!(df.width(), 9);
//! # Ok::<(), canns::Error>(())
//! ```
//!
//! # References
//! George, T. M. et al. (2024). RatInABox. eLife 13:e85274.
//! Sargolini, F. et al. (2006). Conjunctive representation of position,
//! direction, and velocity in entorhinal cortex. Science 312:758.

use super::environment::{Environment, Segment};
use super::speed_map::{SpeedMap, Z_CLIP};
use super::trajectory::{History, Trajectory};
use super::wall_grid::{Cell, WallGrid};
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{ParamError, Result};
use crate::params::check;
use crate::params::setters;
use crate::params::Params;
use crate::random::SeededRng;
use polars::prelude::*;
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// Parameters of an [`Agent`]: RatInABox's names, meanings and defaults.
///
/// # Example
/// ```
/// use canns::spatial::{Agent, Environment};
/// let env = Environment::params().build()?;
/// let agent = Agent::params().start_position(Some(vec![0.25, 0.75])).speed_mean(0.2).build(env)?;
/// assert_eq!(agent.position(), [0.25, 0.75]);
/// assert_eq!(agent.parameters().speed_mean, 0.2);
/// // Thigmotaxis is a weight in [0, 1].
/// let err = Agent::params().thigmotaxis(1.5).build(Environment::params().build()?).unwrap_err();
/// assert!(err.to_string().contains("thigmotaxis"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentParams {
    /// Time step (s). Default 0.05.
    pub dt: f64,
    /// Coherence time of the speed, `τ_v` (s). Default 0.7.
    pub speed_coherence_time: f64,
    /// 2D: Rayleigh scale `σ_v` of the speed (m/s; mean speed `σ_v √(π/2)`);
    /// 1D: mean velocity `μ_v` (m/s). Default 0.08.
    pub speed_mean: f64,
    /// 1D: deviation of the velocity `σ_v` (m/s). In 2D only `0` matters:
    /// the speed is then fixed at `speed_mean`. Default 0.08.
    pub speed_std: f64,
    /// Coherence time of the rotational velocity, `τ_ω` (s). Default 0.08.
    pub rotational_velocity_coherence_time: f64,
    /// Deviation of the rotational velocity, `σ_ω` (rad/s). Default 120° = 2.094.
    pub rotational_velocity_std: f64,
    /// Time constant of the head-direction low-pass filter (s; <= dt: none). Default 0.15.
    pub head_direction_smoothing_timescale: f64,
    /// Tendency to linger near walls, in [0, 1]. Default 0.5.
    pub thigmotaxis: f64,
    /// Distance (m) below which walls repel. Default 0.1.
    pub wall_repel_distance: f64,
    /// Strength of the wall repulsion (0: none). Default 1.
    pub wall_repel_strength: f64,
    /// Whether to record the history. Default true.
    pub save_history: bool,
    /// Starting position (m); `None` draws one uniformly. Default `None`.
    pub start_position: Option<Vec<f64>>,
    /// Seed of the motion noise and of the start. Default 0.
    pub seed: u64,
}

impl Default for AgentParams {
    fn default() -> Self {
        Self {
            dt: 0.05,
            speed_coherence_time: 0.7,
            speed_mean: 0.08,
            speed_std: 0.08,
            rotational_velocity_coherence_time: 0.08,
            rotational_velocity_std: 120.0 * std::f64::consts::PI / 180.0,
            head_direction_smoothing_timescale: 0.15,
            thigmotaxis: 0.5,
            wall_repel_distance: 0.1,
            wall_repel_strength: 1.0,
            save_history: true,
            start_position: None,
            seed: 0,
        }
    }
}

impl AgentParams {
    setters! {
        /// Sets `dt` (s).
        dt: f64,
        /// Sets `speed_coherence_time` (s).
        speed_coherence_time: f64,
        /// Sets `speed_mean` (m/s).
        speed_mean: f64,
        /// Sets `speed_std` (m/s).
        speed_std: f64,
        /// Sets `rotational_velocity_coherence_time` (s).
        rotational_velocity_coherence_time: f64,
        /// Sets `rotational_velocity_std` (rad/s).
        rotational_velocity_std: f64,
        /// Sets `head_direction_smoothing_timescale` (s).
        head_direction_smoothing_timescale: f64,
        /// Sets `thigmotaxis`.
        thigmotaxis: f64,
        /// Sets `wall_repel_distance` (m).
        wall_repel_distance: f64,
        /// Sets `wall_repel_strength`.
        wall_repel_strength: f64,
        /// Sets `save_history`.
        save_history: bool,
        /// Sets `start_position` (m).
        start_position: Option<Vec<f64>>,
        /// Sets `seed`.
        seed: u64,
    }

    /// Validates and places the agent in `env`.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) naming the invalid field and value (including a
    /// `start_position` of the wrong dimension or outside the environment),
    /// or `speed_mean` <= 0 in 2D (the Rayleigh scale must be positive).
    pub fn build(&self, env: Environment) -> Result<Agent> {
        self.validate()?;
        if env.dim() == 2 {
            check::positive("speed_mean", self.speed_mean)?;
        }
        Agent::new(self.clone(), env)
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("AgentParams")
            .row("dt", self.dt, "s")
            .row("speed_mean", self.speed_mean, "m/s (2D: Rayleigh scale)")
            .row("speed_std", self.speed_std, "m/s (1D)")
            .row("speed_coherence_time", self.speed_coherence_time, "s")
            .row(
                "rotational_velocity_std",
                self.rotational_velocity_std,
                "rad/s",
            )
            .row(
                "rotational_velocity_coherence_time",
                self.rotational_velocity_coherence_time,
                "s",
            )
            .row(
                "head_direction_smoothing_timescale",
                self.head_direction_smoothing_timescale,
                "s",
            )
            .row("thigmotaxis", self.thigmotaxis, "[0, 1]")
            .row("wall_repel_distance", self.wall_repel_distance, "m")
            .row("wall_repel_strength", self.wall_repel_strength, "")
            .row("seed", self.seed, "")
    }
}

impl Params for AgentParams {
    const NAME: &'static str = "AgentParams";

    fn validate(&self) -> Result<()> {
        check::positive("dt", self.dt)?;
        check::positive("speed_coherence_time", self.speed_coherence_time)?;
        check::finite("speed_mean", self.speed_mean)?;
        check::non_negative("speed_std", self.speed_std)?;
        check::positive(
            "rotational_velocity_coherence_time",
            self.rotational_velocity_coherence_time,
        )?;
        check::non_negative("rotational_velocity_std", self.rotational_velocity_std)?;
        check::non_negative(
            "head_direction_smoothing_timescale",
            self.head_direction_smoothing_timescale,
        )?;
        if !(0.0..=1.0).contains(&self.thigmotaxis) {
            return Err(ParamError::new("thigmotaxis", "in [0, 1]", self.thigmotaxis).into());
        }
        check::positive("wall_repel_distance", self.wall_repel_distance)?;
        check::non_negative("wall_repel_strength", self.wall_repel_strength)?;
        Ok(())
    }
}

/// Distance travelled, head direction and rotational velocity: they follow
/// the measured motion without acting on it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Tracker {
    /// Measured velocity of the last step followed (m/s).
    velocity: [f64; 2],
    /// Distance travelled (m).
    distance: f64,
    /// Head direction, a unit vector (1D: `[±1, 0]`).
    head_direction: [f64; 2],
}

impl Tracker {
    /// Follows the step `from -> to` of `dt` s and measured velocity `mv`:
    /// the head direction moves a fraction `hd_mix` of the way towards
    /// `mv`'s direction (RatInABox's smoothing over
    /// `head_direction_smoothing_timescale`). Returns the rotational velocity
    /// (rad/s) from the last step's measured velocity to `mv`.
    #[inline(always)]
    fn track(
        &mut self,
        env: &Environment,
        hd_mix: f64,
        dt: f64,
        from: [f64; 2],
        to: [f64; 2],
        mv: [f64; 2],
    ) -> f64 {
        self.distance += norm(env.displacement(&from, &to));
        let prev = std::mem::replace(&mut self.velocity, mv);
        if env.dim() == 1 {
            self.head_direction = [mv[0].signum(), 0.0];
            return 0.0;
        }
        let rotation = rotation_rate(prev, mv, dt);
        let speed = norm(mv);
        if hd_mix >= 1.0 {
            let k = 1.0 / speed;
            self.head_direction = [mv[0] * k, mv[1] * k];
            return rotation;
        }
        let (k, b) = (hd_mix / speed, 1.0 - hd_mix);
        let h = [
            self.head_direction[0] * b + k * mv[0],
            self.head_direction[1] * b + k * mv[1],
        ];
        let n = norm(h);
        if n > 0.0 {
            let k = 1.0 / n;
            self.head_direction = [h[0] * k, h[1] * k];
        }
        rotation
    }
}

/// Steps per chunk handed from the moving thread to the recording one.
/// Bytes of history a step adds: nine `f64` columns.
const HISTORY_BYTES_PER_STEP: u64 = 9 * 8;

const MOVES_CHUNK: usize = 1 << 13;

/// A chunk of moves: time, position and measured velocity per step.
#[derive(Debug, Default)]
struct Moves {
    t: Vec<f64>,
    x: Vec<f64>,
    y: Vec<f64>,
    vx: Vec<f64>,
    vy: Vec<f64>,
}

impl Moves {
    fn with_capacity(n: usize) -> Self {
        let v = || Vec::with_capacity(n);
        Self {
            t: v(),
            x: v(),
            y: v(),
            vx: v(),
            vy: v(),
        }
    }
    fn clear(&mut self) {
        for c in [
            &mut self.t,
            &mut self.x,
            &mut self.y,
            &mut self.vx,
            &mut self.vy,
        ] {
            c.clear();
        }
    }
    #[inline(always)]
    fn push(&mut self, t: f64, pos: [f64; 2], mv: [f64; 2]) {
        self.t.push(t);
        self.x.push(pos[0]);
        self.y.push(pos[1]);
        self.vx.push(mv[0]);
        self.vy.push(mv[1]);
    }
}

/// Ornstein-Uhlenbeck and wall coefficients for one `dt`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Coefficients {
    dt: f64,
    /// `dt / τ_ω` and `σ_ω √(2 dt / τ_ω)`.
    rot_decay: f64,
    rot_noise: f64,
    /// `dt / τ_v` and `√(2 dt / τ_v)` (1D: times `speed_std`).
    speed_decay: f64,
    speed_noise: f64,
    /// `3 (1 - thigmotaxis)² k dt` and `6 thigmotaxis² v dt`.
    spring: f64,
    belt: f64,
    /// `dt / τ_hd` (1 when no smoothing).
    hd_mix: f64,
    /// `1 / speed_mean` and `1 / dt`.
    inv_speed_mean: f64,
    inv_dt: f64,
}

/// An agent moving in an environment. See the [module docs](crate::spatial).
///
/// # Example
/// ```
/// use canns::spatial::{Agent, Environment};
/// let env = Environment::rectangle(2.0, 1.0)?;
/// let mut agent = Agent::params().seed(3).build(env)?;
/// agent.run(200)?; // 10 s at the default dt of 50 ms
/// assert!((agent.t() - 10.0).abs() < 1e-9);
/// assert_eq!(agent.history().len(), 200);
/// assert!(agent.environment().contains(&agent.position()));
/// // About 0.1 m/s on average (Rayleigh speeds of scale 0.08 m/s).
/// let d = agent.distance_travelled();
/// assert!(d > 0.2 && d < 3.0, "{d}");
/// assert!(agent.to_string().starts_with("Agent(t = 10.000 s"), "{agent}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct Agent {
    params: AgentParams,
    env: Environment,
    rng: SeededRng,
    coef: Coefficients,
    t: f64,
    pos: [f64; 2],
    velocity: [f64; 2],
    rotational_velocity: f64,
    measured_velocity: [f64; 2],
    /// Measured velocity of the step before the last (m/s): with
    /// `measured_velocity`, it gives the measured rotational velocity.
    prev_measured_velocity: [f64; 2],
    /// Distance travelled and head direction.
    tracker: Tracker,
    /// Normal variable of the speed, valid while `speed_fresh`.
    speed_z: f64,
    speed_fresh: bool,
    /// `1 / |velocity|`, valid while `speed_fresh`.
    inv_speed: f64,
    speed_map: &'static SpeedMap,
    /// The walls near each part of a 2D environment.
    wall_grid: Option<WallGrid>,
    imported: Option<Trajectory>,
    history: History,
}

impl Agent {
    /// Default parameters, to adjust and build with an environment.
    pub fn params() -> AgentParams {
        AgentParams::default()
    }

    fn new(params: AgentParams, env: Environment) -> Result<Self> {
        let mut rng = crate::random::seeded(params.seed);
        let pos = match &params.start_position {
            Some(p) => {
                if p.len() != env.dim() || !env.contains(p) {
                    return Err(ParamError::new(
                        "start_position",
                        "inside the environment",
                        format!("{p:?}"),
                    )
                    .into());
                }
                [p[0], p.get(1).copied().unwrap_or(0.0)]
            }
            None => env.sample_position(&mut rng),
        };
        let velocity = if env.dim() == 2 {
            let a = rng.random::<f64>() * std::f64::consts::TAU;
            [params.speed_mean * a.cos(), params.speed_mean * a.sin()]
        } else {
            [params.speed_mean + 1e-8, 0.0]
        };
        let n = norm(velocity);
        let head_direction = if env.dim() == 2 {
            [velocity[0] / n, velocity[1] / n]
        } else {
            [velocity[0].signum(), 0.0]
        };
        let coef = coefficients(&params, params.dt);
        Ok(Self {
            rng,
            coef,
            t: 0.0,
            pos,
            velocity,
            rotational_velocity: 0.0,
            measured_velocity: velocity,
            prev_measured_velocity: velocity,
            tracker: Tracker {
                velocity,
                distance: 0.0,
                head_direction,
            },
            speed_z: 0.0,
            speed_fresh: false,
            inv_speed: 0.0,
            speed_map: SpeedMap::get(),
            // Reach: the repulsion range, and at least 5 cm for the steps.
            wall_grid: (env.dim() == 2)
                .then(|| WallGrid::new(&env, params.wall_repel_distance.max(0.05))),
            imported: None,
            history: History::default(),
            params,
            env,
        })
    }

    /// The parameters of this agent.
    pub fn parameters(&self) -> &AgentParams {
        &self.params
    }
    /// The environment.
    pub fn environment(&self) -> &Environment {
        &self.env
    }
    /// Current time (s).
    pub fn t(&self) -> f64 {
        self.t
    }
    /// Current position (m); `[x, 0]` in 1D.
    pub fn position(&self) -> [f64; 2] {
        self.pos
    }
    /// Velocity driving the next step (m/s).
    pub fn velocity(&self) -> [f64; 2] {
        self.velocity
    }
    /// Velocity of the last step taken (m/s).
    pub fn measured_velocity(&self) -> [f64; 2] {
        self.measured_velocity
    }
    /// Rotational velocity of the last step taken (rad/s).
    pub fn measured_rotational_velocity(&self) -> f64 {
        if self.env.dim() == 1 {
            return 0.0;
        }
        rotation_rate(
            self.prev_measured_velocity,
            self.measured_velocity,
            self.coef.dt,
        )
    }
    /// Head direction (rad, in (-π, π]).
    pub fn head_direction(&self) -> f64 {
        let h = self.tracker.head_direction;
        h[1].atan2(h[0])
    }
    /// Distance travelled (m).
    pub fn distance_travelled(&self) -> f64 {
        self.tracker.distance
    }
    /// Distance (m) to the nearest wall.
    pub fn distance_to_walls(&self) -> f64 {
        self.env.distance_to_walls(&self.pos)
    }
    /// The recorded history.
    pub fn history(&self) -> &History {
        &self.history
    }
    /// The history as a DataFrame (see [`History::to_frame`]).
    ///
    /// # Errors
    /// [`Error::Polars`](crate::Error::Polars) if the frame cannot be built.
    pub fn history_frame(&self) -> Result<DataFrame> {
        self.history.to_frame()
    }
    /// Forgets the history (the state is kept).
    pub fn reset_history(&mut self) {
        self.history = History::default();
    }

    /// Moves the agent to `position`.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) when the position is outside the environment.
    pub fn set_position(&mut self, position: &[f64]) -> Result<()> {
        if position.len() != self.env.dim() || !self.env.contains(position) {
            return Err(ParamError::new(
                "position",
                "inside the environment",
                format!("{position:?}"),
            )
            .into());
        }
        self.pos = [position[0], position.get(1).copied().unwrap_or(0.0)];
        Ok(())
    }

    /// Sets the velocity driving the next step (m/s).
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) when a component is not finite.
    pub fn set_velocity(&mut self, velocity: [f64; 2]) -> Result<()> {
        check::finite("velocity[0]", velocity[0])?;
        check::finite("velocity[1]", velocity[1])?;
        self.velocity = velocity;
        self.speed_fresh = false;
        Ok(())
    }

    /// Follows `trajectory` (looping at its end) instead of moving randomly:
    /// each step interpolates the trajectory's spline at the agent's time.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) when the trajectory's dimension differs from the environment's.
    pub fn import_trajectory(&mut self, trajectory: Trajectory) -> Result<()> {
        if trajectory.dim() != self.env.dim() {
            return Err(ParamError::new(
                "trajectory",
                format!("of dimension {}", self.env.dim()),
                trajectory.dim(),
            )
            .into());
        }
        let p = trajectory.position_at(0.0);
        self.pos = p;
        self.imported = Some(trajectory);
        Ok(())
    }

    /// Runs `n_steps` steps of the random motion model at the parameters' `dt`.
    ///
    /// Long runs with history use two threads: one moves the agent, the
    /// other follows with what does not act on the motion (head direction,
    /// rotational velocity, distance travelled, the history's columns); the result is the same as
    /// `n_steps` single steps.
    ///
    /// # Errors
    /// [`Error::Limit`](crate::Error::Limit) before any step when the history (9 columns of `f64`,
    /// 72 bytes a step, counting what it already holds) would exceed the
    /// memory budget ([`check_memory`](crate::error::check_memory)).
    pub fn run(&mut self, n_steps: usize) -> Result<()> {
        if self.params.save_history {
            let steps = (self.history.len() as u64).saturating_add(n_steps as u64);
            crate::error::check_memory(
                &format!("the history of {steps} agent steps"),
                steps.saturating_mul(HISTORY_BYTES_PER_STEP),
                "run fewer steps, or build the agent with save_history(false)",
            )?;
            self.history.reserve(n_steps);
        }
        if self.params.save_history && self.imported.is_none() && n_steps >= 2 * MOVES_CHUNK {
            self.run_pipelined(n_steps);
        } else {
            for _ in 0..n_steps {
                self.step(None, 1.0);
            }
        }
        Ok(())
    }

    /// [`Agent::run`] with the tracking and recording on a second thread,
    /// fed chunks of moves.
    fn run_pipelined(&mut self, n_steps: usize) {
        use std::sync::mpsc;
        let (to_worker, moves) = mpsc::sync_channel::<Moves>(4);
        let (to_main, spare) = mpsc::channel::<Moves>();
        let mut history = std::mem::take(&mut self.history);
        let mut tracker = self.tracker;
        let env = self.env.clone();
        let (hd_mix, dt) = (self.coef.hd_mix, self.coef.dt);
        let start_pos = self.pos;
        std::thread::scope(|scope| {
            let worker = scope.spawn(move || {
                let mut prev = start_pos;
                for m in moves {
                    for i in 0..m.t.len() {
                        let (pos, mv) = ([m.x[i], m.y[i]], [m.vx[i], m.vy[i]]);
                        let rotation = tracker.track(&env, hd_mix, dt, prev, pos, mv);
                        prev = pos;
                        history.rotational_velocity.push(rotation);
                        history.hd_x.push(tracker.head_direction[0]);
                        history.hd_y.push(tracker.head_direction[1]);
                        history.distance_travelled.push(tracker.distance);
                    }
                    history.t.extend_from_slice(&m.t);
                    history.x.extend_from_slice(&m.x);
                    history.y.extend_from_slice(&m.y);
                    history.vx.extend_from_slice(&m.vx);
                    history.vy.extend_from_slice(&m.vy);
                    // The main thread may be gone: then the chunk is just dropped.
                    let _ = to_main.send(m);
                }
                (history, tracker)
            });
            let mut left = n_steps;
            while left > 0 {
                let k = left.min(MOVES_CHUNK);
                let mut m = spare
                    .try_recv()
                    .unwrap_or_else(|_| Moves::with_capacity(MOVES_CHUNK));
                m.clear();
                for _ in 0..k {
                    self.motion(None, 1.0);
                    m.push(self.t, self.pos, self.measured_velocity);
                }
                left -= k;
                if to_worker.send(m).is_err() {
                    break;
                }
            }
            drop(to_worker);
            match worker.join() {
                Ok((h, t)) => {
                    self.history = h;
                    self.tracker = t;
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });
    }

    /// One step of `dt` (s) of random motion.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) when `dt` is not positive.
    pub fn update(&mut self, dt: f64) -> Result<()> {
        check::positive("dt", dt)?;
        self.set_dt(dt);
        self.step(None, 1.0);
        Ok(())
    }

    /// One step of random motion whose velocity also drifts towards
    /// `drift_velocity` (m/s), with strength `ratio` relative to the random
    /// part (RatInABox's `drift_to_random_strength_ratio`): the velocity
    /// relaxes to the drift with time constant `speed_coherence_time / ratio`.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) when the drift is not finite or `ratio` not positive.
    pub fn update_with_drift(&mut self, drift_velocity: [f64; 2], ratio: f64) -> Result<()> {
        check::finite("drift_velocity[0]", drift_velocity[0])?;
        check::finite("drift_velocity[1]", drift_velocity[1])?;
        check::positive("drift_to_random_strength_ratio", ratio)?;
        self.step(Some(drift_velocity), ratio);
        Ok(())
    }

    fn set_dt(&mut self, dt: f64) {
        if dt != self.coef.dt {
            self.coef = coefficients(&self.params, dt);
        }
    }

    /// One step: motion, tracking, history.
    #[inline]
    /// One step of random motion, history growing by one entry (the
    /// closed-loop tasks step this way, a step at a time).
    pub(crate) fn step_once(&mut self) {
        self.step(None, 1.0);
    }

    fn step(&mut self, drift: Option<[f64; 2]>, ratio: f64) {
        let prev_pos = self.pos;
        self.motion(drift, ratio);
        let mv = self.measured_velocity;
        let (hd_mix, dt) = (self.coef.hd_mix, self.coef.dt);
        let rotation = self
            .tracker
            .track(&self.env, hd_mix, dt, prev_pos, self.pos, mv);
        if self.params.save_history {
            let h = &mut self.history;
            h.t.push(self.t);
            h.x.push(self.pos[0]);
            h.y.push(self.pos[1]);
            h.vx.push(mv[0]);
            h.vy.push(mv[1]);
            h.hd_x.push(self.tracker.head_direction[0]);
            h.hd_y.push(self.tracker.head_direction[1]);
            h.distance_travelled.push(self.tracker.distance);
            h.rotational_velocity.push(rotation);
        }
    }

    /// The motion model (RatInABox `Agent.update`): moves the agent and
    /// measures its velocity.
    #[inline(always)]
    fn motion(&mut self, drift: Option<[f64; 2]>, ratio: f64) {
        let dt = self.coef.dt;
        self.t += dt;
        let prev_pos = self.pos;
        let prev_mv = self.measured_velocity;
        if let Some(traj) = &self.imported {
            let period = traj.duration();
            let tt = if period > 0.0 { self.t % period } else { 0.0 };
            self.pos = traj.position_at(tt);
            self.measure(prev_pos, prev_mv, true);
        } else {
            if self.env.dim() == 2 {
                self.stochastic_2d();
            } else {
                self.stochastic_1d();
            }
            if let Some(d) = drift {
                let a = dt * ratio / self.params.speed_coherence_time;
                self.velocity[0] += (d[0] - self.velocity[0]) * a;
                self.velocity[1] += (d[1] - self.velocity[1]) * a;
                self.speed_fresh = false;
            }
            let cell = self.wall_grid.as_ref().and_then(|g| g.cell(prev_pos));
            if self.env.dim() == 2 {
                self.wall_repulsion(cell);
            }
            self.pos[0] += self.velocity[0] * dt;
            self.pos[1] += self.velocity[1] * dt;
            if let Some(grid) = &self.wall_grid {
                // Most steps cross no wall: only those go through the bounces.
                if grid
                    .first_collision(&self.env, cell, prev_pos, self.pos)
                    .is_some()
                {
                    self.handle_collisions(prev_pos, cell);
                }
            }
            if !self.env.contains(&self.pos[..self.env.dim()]) {
                self.out_of_bounds();
            }
            self.measure(prev_pos, prev_mv, false);
        }
    }

    #[inline(always)]
    fn stochastic_2d(&mut self) {
        let c = self.coef;
        let xi: f64 = StandardNormal.sample(&mut self.rng);
        self.rotational_velocity += -self.rotational_velocity * c.rot_decay + c.rot_noise * xi;
        let (s, co) = small_angle_sin_cos(self.rotational_velocity * c.dt);
        let v = self.velocity;
        self.velocity = [co * v[0] - s * v[1], s * v[0] + co * v[1]];
        // Fresh: nothing but this process changed the velocity since the last
        // step, so its speed is the one set then (rotation keeps it) and the
        // reciprocal is at hand, off the step's chain of dependencies.
        let (z, inv_speed) = if self.speed_fresh {
            (self.speed_z.clamp(-Z_CLIP, Z_CLIP), self.inv_speed)
        } else {
            let mut speed = norm(self.velocity);
            if speed == 0.0 {
                self.velocity = [1e-8, 0.0];
                speed = 1e-8;
            }
            (self.speed_map.normal(speed * c.inv_speed_mean), 1.0 / speed)
        };
        let sigma = self.params.speed_mean;
        let xi: f64 = StandardNormal.sample(&mut self.rng);
        let z = z - z * c.speed_decay + c.speed_noise * xi;
        let new_speed = if self.params.speed_std == 0.0 {
            sigma
        } else {
            sigma * self.speed_map.speed(z)
        };
        self.speed_z = z;
        self.speed_fresh = true;
        self.inv_speed = 1.0 / new_speed;
        let f = new_speed * inv_speed;
        self.velocity[0] *= f;
        self.velocity[1] *= f;
    }

    #[inline]
    fn stochastic_1d(&mut self) {
        let c = self.coef;
        let xi: f64 = StandardNormal.sample(&mut self.rng);
        self.velocity[0] += (self.params.speed_mean - self.velocity[0]) * c.speed_decay
            + self.params.speed_std * c.speed_noise * xi;
        self.velocity[1] = 0.0;
    }

    #[inline(always)]
    fn wall_repulsion(&mut self, cell: Option<Cell>) {
        let c = self.coef;
        if self.params.wall_repel_strength == 0.0 || self.env.walls().is_empty() {
            return;
        }
        let d = self.params.wall_repel_distance;
        let inv_d2 = 1.0 / (d * d);
        let (mut acc, mut belt) = ([0.0; 2], [0.0; 2]);
        let mut near = false;
        let walls = self.wall_grid.as_ref().expect("2D agents have a wall grid");
        walls.for_walls_within(&self.env, cell, self.pos, d, |v, x| {
            if x == 0.0 {
                return;
            }
            near = true;
            let k = 1.0 / x;
            let n = [v[0] * k, v[1] * k];
            let a = d - x;
            acc[0] += a * n[0];
            acc[1] += a * n[1];
            let b = 1.0 - (1.0 - a * a * inv_d2).sqrt();
            belt[0] += b * n[0];
            belt[1] += b * n[1];
        });
        if near {
            self.velocity[0] += c.spring * acc[0];
            self.velocity[1] += c.spring * acc[1];
            self.pos[0] += c.belt * belt[0];
            self.pos[1] += c.belt * belt[1];
            if c.spring != 0.0 {
                self.speed_fresh = false;
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn handle_collisions(&mut self, prev_pos: [f64; 2], cell: Option<Cell>) {
        let dt = self.coef.dt;
        let walls = self.wall_grid.as_ref().expect("2D agents have a wall grid");
        for _ in 0..100 {
            let Some(i) = walls.first_collision(&self.env, cell, prev_pos, self.pos) else {
                return;
            };
            let wall = self.env.walls()[i];
            let v = wall_bounce(self.velocity, &wall);
            let f = 0.5 * self.params.speed_mean / norm(v);
            self.velocity = [v[0] * f, v[1] * f];
            self.speed_fresh = false;
            self.pos = [
                prev_pos[0] + self.velocity[0] * dt,
                prev_pos[1] + self.velocity[1] * dt,
            ];
        }
        // Trapped in a corner: stay put rather than cross a wall.
        self.pos = prev_pos;
    }

    fn out_of_bounds(&mut self) {
        let e = self.env.extent();
        let inside_box = self.env.dim() == 1
            || (self.pos[0] > e[0]
                && self.pos[0] < e[1]
                && self.pos[1] > e[2]
                && self.pos[1] < e[3]);
        if inside_box && !self.env.is_periodic() {
            // In a hole: RatInABox resamples a position.
            self.pos = self.env.sample_position(&mut self.rng);
        } else {
            self.env.apply_boundary_conditions(&mut self.pos);
            if !self.env.contains(&self.pos[..self.env.dim()]) {
                self.pos = self.env.sample_position(&mut self.rng);
            }
        }
    }

    /// Measures the velocity of the step just taken.
    #[inline(always)]
    fn measure(&mut self, prev_pos: [f64; 2], prev_mv: [f64; 2], overwrite: bool) {
        let inv_dt = self.coef.inv_dt;
        let d = self.env.displacement(&prev_pos, &self.pos);
        let mut mv = [d[0] * inv_dt, d[1] * inv_dt];
        if mv[0] == 0.0 && mv[1] == 0.0 {
            let xi: f64 = StandardNormal.sample(&mut self.rng);
            mv[0] = 1e-8 * xi;
            if self.env.dim() == 2 {
                let xi: f64 = StandardNormal.sample(&mut self.rng);
                mv[1] = 1e-8 * xi;
            }
        }
        self.prev_measured_velocity = prev_mv;
        self.measured_velocity = mv;
        if overwrite {
            self.velocity = mv;
            self.rotational_velocity = self.measured_rotational_velocity();
            self.speed_fresh = false;
        }
    }

    /// Plot of the trajectory in the environment.
    pub fn plot_trajectory(&self) -> Figure {
        super::plots::trajectory(&self.env, self.history.path(), None)
    }
    /// Occupancy heatmap (fraction of time per bin of side `dx` m).
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) when `dx` is not positive.
    pub fn plot_position_heatmap(&self, dx: f64) -> Result<Figure> {
        super::plots::position_heatmap(&self.env, self.history.path(), dx)
    }
    /// Histograms of speed and rotational velocity.
    pub fn plot_histograms(&self) -> Figure {
        super::plots::motion_histograms(&self.history.speed(), &self.history.rotational_velocity)
    }
    /// Animation of the agent moving (`n_frames` frames of the last `window` s).
    pub fn animate(&self, n_frames: usize) -> Figure {
        super::plots::animate(&self.env, self.history.path(), n_frames)
    }
}

fn coefficients(p: &AgentParams, dt: f64) -> Coefficients {
    let rot_decay = dt / p.rotational_velocity_coherence_time;
    let speed_decay = dt / p.speed_coherence_time;
    let v = p.wall_repel_strength * p.speed_mean;
    let d = p.wall_repel_distance;
    let tau = p.head_direction_smoothing_timescale;
    Coefficients {
        dt,
        rot_decay,
        rot_noise: p.rotational_velocity_std * (2.0 * rot_decay).sqrt(),
        speed_decay,
        // 2D: the normal variable has unit deviation; 1D: the velocity has speed_std.
        speed_noise: (2.0 * speed_decay).sqrt() * if p.speed_std > 0.0 { 1.0 } else { 0.0 },
        spring: 3.0 * (1.0 - p.thigmotaxis).powi(2) * (v * v / (d * d)) * dt,
        belt: 6.0 * p.thigmotaxis.powi(2) * v * dt,
        hd_mix: if tau <= dt { 1.0 } else { dt / tau },
        inv_speed_mean: 1.0 / p.speed_mean,
        inv_dt: 1.0 / dt,
    }
}

/// `(sin a, cos a)`: by their Taylor series (truncation below 1e-21 relative)
/// for the small angles an agent turns by in one step, `|a| < 0.25` rad.
#[inline]
fn small_angle_sin_cos(a: f64) -> (f64, f64) {
    if a.abs() >= 0.25 {
        return a.sin_cos();
    }
    // Coefficients of x = a²: (-1)^k / (2k + 1)! and (-1)^k / (2k)!.
    const S: [f64; 7] = [
        -1.0 / 6.0,
        1.0 / 120.0,
        -1.0 / 5040.0,
        1.0 / 362_880.0,
        -1.0 / 39_916_800.0,
        1.0 / 6_227_020_800.0,
        -1.0 / 1_307_674_368_000.0,
    ];
    const C: [f64; 7] = [
        -1.0 / 2.0,
        1.0 / 24.0,
        -1.0 / 720.0,
        1.0 / 40_320.0,
        -1.0 / 3_628_800.0,
        1.0 / 479_001_600.0,
        -1.0 / 87_178_291_200.0,
    ];
    let x = a * a;
    let horner = |k: &[f64; 7]| k.iter().rev().fold(0.0, |acc, &k| acc * x + k);
    let s = 1.0 + x * horner(&S);
    let c = 1.0 + x * horner(&C);
    (a * s, c)
}

/// Rotational velocity (rad/s) of a velocity turning from `from` to `to` in `dt` s.
/// Turns of less than about 14 degrees (`|tan| <= 0.25`) take the arctangent's
/// Taylor series (truncation below 1e-17 relative), the rest `atan2`.
#[inline]
fn rotation_rate(from: [f64; 2], to: [f64; 2], dt: f64) -> f64 {
    let cr = from[0] * to[1] - from[1] * to[0];
    let dot = from[0] * to[0] + from[1] * to[1];
    if dot > 0.0 && cr.abs() <= 0.25 * dot {
        // atan x = Σ (-1)^k x^(2k+1) / (2k+1), |x| <= 1/4: 13 terms.
        let x = cr / dot;
        let x2 = x * x;
        const A: [f64; 13] = [
            1.0,
            -1.0 / 3.0,
            1.0 / 5.0,
            -1.0 / 7.0,
            1.0 / 9.0,
            -1.0 / 11.0,
            1.0 / 13.0,
            -1.0 / 15.0,
            1.0 / 17.0,
            -1.0 / 19.0,
            1.0 / 21.0,
            -1.0 / 23.0,
            1.0 / 25.0,
        ];
        let series = A.iter().rev().fold(0.0, |acc, &a| acc * x2 + a);
        return x * series / dt;
    }
    cr.atan2(dot) / dt
}

#[inline]
fn norm(v: [f64; 2]) -> f64 {
    (v[0] * v[0] + v[1] * v[1]).sqrt()
}

/// Reflects `v` off `wall`: keeps its parallel part, flips its normal part.
fn wall_bounce(v: [f64; 2], wall: &Segment) -> [f64; 2] {
    let par = [wall[1][0] - wall[0][0], wall[1][1] - wall[0][1]];
    let n = norm(par);
    let (par, perp) = ([par[0] / n, par[1] / n], [-par[1] / n, par[0] / n]);
    let a = v[0] * par[0] + v[1] * par[1];
    let b = v[0] * perp[0] + v[1] * perp[1];
    [par[0] * a - perp[0] * b, par[1] * a - perp[1] * b]
}

crate::display::debug_via_display!(Agent);

impl std::fmt::Display for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Agent(t = {:.3} s, position = [{:.3}, {:.3}] m, {} steps recorded{})",
            self.t,
            self.pos[0],
            self.pos[1],
            self.history.len(),
            if self.imported.is_some() {
                ", imported trajectory"
            } else {
                ""
            }
        )
    }
}

impl Render for AgentParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(self.table().to_html(), format!("{self:?}"))
    }
}

impl Render for Agent {
    fn bundle(&self) -> Bundle {
        let t = self
            .params
            .table()
            .row("t", format!("{:.3}", self.t), "s")
            .row("steps recorded", self.history.len(), "")
            .row(
                "distance_travelled",
                format!("{:.3}", self.tracker.distance),
                "m",
            )
            .to_html();
        Bundle::figure(&self.plot_trajectory(), &t, self.to_string())
    }
}

display::evcxr_display_via_render!(AgentParams, Agent, History);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_angles_turn_as_sin_cos() {
        for i in -1000..=1000 {
            let a = 0.3 * i as f64 / 1000.0;
            let (s, c) = small_angle_sin_cos(a);
            assert!((s - a.sin()).abs() <= 4.5e-16 * a.abs(), "{a}");
            assert!((c - a.cos()).abs() <= 4.5e-16, "{a}");
        }
    }

    #[test]
    fn rotation_rate_is_the_angle_turned() {
        for i in -1999..=1999 {
            let a = std::f64::consts::PI * i as f64 / 2000.0;
            let (from, to) = (
                [0.3, -0.2],
                [0.3 * a.cos() + 0.2 * a.sin(), 0.3 * a.sin() - 0.2 * a.cos()],
            );
            let (r, exact) = (
                rotation_rate(from, to, 0.5),
                (from[0] * to[1] - from[1] * to[0]).atan2(from[0] * to[0] + from[1] * to[1]) / 0.5,
            );
            assert!(
                (r - exact).abs() <= 4.5e-16 * exact.abs().max(1e-3),
                "{a}: {r} {exact}"
            );
            assert!((r - 2.0 * a).abs() < 1e-12, "{a}");
        }
    }

    #[test]
    fn bounce_flips_the_normal_component() {
        let v = wall_bounce([0.3, -0.4], &[[0.0, 0.0], [1.0, 0.0]]);
        assert!((v[0] - 0.3).abs() < 1e-15 && (v[1] - 0.4).abs() < 1e-15);
    }

    #[test]
    fn run_measures_rotation_as_single_steps_do() {
        let env = Environment::params()
            .walls(vec![[[0.5, 0.0], [0.5, 0.6]]])
            .build()
            .unwrap();
        let mut a = Agent::params().dt(0.01).seed(3).build(env.clone()).unwrap();
        let mut b = a.clone();
        // The first run is long enough to go through two threads.
        a.run(3 * MOVES_CHUNK + 17).unwrap();
        a.run(2000).unwrap();
        let n = 3 * MOVES_CHUNK + 2017;
        for _ in 0..n {
            b.update(0.01).unwrap();
        }
        assert_eq!(a.history(), b.history());
        assert_eq!(a.history().rotational_velocity.len(), n);
        assert_eq!(a.distance_travelled(), b.distance_travelled());
        assert_eq!(a.head_direction(), b.head_direction());
        assert_eq!(
            a.measured_rotational_velocity(),
            b.measured_rotational_velocity()
        );
        assert!(a.history().rotational_velocity.iter().any(|r| *r != 0.0));
    }

    #[test]
    fn runs_are_reproducible_and_stay_inside() {
        let env = Environment::params().build().unwrap();
        let mut a = Agent::params().dt(0.01).seed(3).build(env.clone()).unwrap();
        let mut b = Agent::params().dt(0.01).seed(3).build(env).unwrap();
        a.run(20_000).unwrap();
        b.run(20_000).unwrap();
        assert_eq!(a.history(), b.history());
        let h = a.history();
        assert!(h
            .x
            .iter()
            .zip(&h.y)
            .all(|(x, y)| *x > 0.0 && *x < 1.0 && *y > 0.0 && *y < 1.0));
    }

    #[test]
    fn one_dimensional_periodic_track_wraps() {
        let env = Environment::params()
            .dimensionality(super::super::Dimensionality::D1)
            .boundary_conditions(super::super::BoundaryConditions::Periodic)
            .build()
            .unwrap();
        let mut a = Agent::params().dt(0.01).speed_mean(0.2).build(env).unwrap();
        a.run(5000).unwrap();
        let h = a.history();
        assert!(h.x.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(h.distance_travelled.last().unwrap() > &5.0);
    }

    #[test]
    fn bad_params_name_the_field() {
        let env = Environment::params().build().unwrap();
        let e = Agent::params()
            .thigmotaxis(1.5)
            .build(env.clone())
            .unwrap_err();
        assert!(e.to_string().contains("`thigmotaxis`"), "{e}");
        let e = Agent::params()
            .start_position(Some(vec![2.0, 0.5]))
            .build(env)
            .unwrap_err();
        assert!(e.to_string().contains("`start_position`"), "{e}");
    }
}
