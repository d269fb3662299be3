//! Navigation tasks for the [`Task`] trait. (documented in the parent module)

use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{Error, ParamError, Result};
use crate::models::FeatureMap;
use crate::params::check;
use crate::params::Params;
use crate::spatial::{route_trace, GoalField};
use crate::spatial::{Agent, AgentParams, Environment, History, Route, RoutePlanner, Trajectory};
use crate::tasks::{check_fit, Task};
use polars::prelude::DataFrame;
use std::f64::consts::{PI, TAU};

fn to_feature(env: &Environment, p: [f64; 2], out: &mut [f64]) {
    let e = env.extent();
    for (k, o) in out.iter_mut().enumerate().take(env.dim()) {
        let (lo, hi) = (e[2 * k], e[2 * k + 1]);
        *o = TAU * (p[k] - lo) / (hi - lo) - PI;
    }
}

/// A trajectory presented step by step (see the [`tasks`](crate::tasks) docs).
///
/// # Example
/// ```
/// use canns::spatial::{Environment, Trajectory};
/// use canns::tasks::{OpenLoopNavigation, Task};
/// use std::f64::consts::FRAC_PI_2;
/// // Eastward at 0.1 m/s from (0.5, 0.25) in a 1 m box, 0.5 s steps.
/// let traj = Trajectory::new(vec![0.0, 1.0, 2.0], vec![vec![0.5, 0.25], vec![0.6, 0.25], vec![0.7, 0.25]])?;
/// let task = OpenLoopNavigation::from_history(Environment::params().build()?, traj.resample(0.5)?, 0.5)?;
/// assert_eq!((task.n_steps(), task.dim()), (5, 2));
/// assert!((task.velocity(2)[0] - 0.1).abs() < 1e-12 && task.head_direction(2).abs() < 1e-12);
/// // The position maps onto the torus: x = 0.5 m -> 0, y = 0.25 m -> -pi/2.
/// let mut z = [0.0; 2];
/// task.target(0, &mut z);
/// assert!(z[0].abs() < 1e-12 && (z[1] + FRAC_PI_2).abs() < 1e-12);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct OpenLoopNavigation {
    env: Environment,
    history: History,
    dt: f64,
}

impl OpenLoopNavigation {
    /// `duration` seconds of RatInABox random motion in `env` with `agent`
    /// parameters (their `dt` and `seed`).
    ///
    /// # Errors
    /// [`Error::Param`] for invalid agent parameters or a non-positive duration;
    /// [`Error::Limit`] beyond 10^8 steps.
    pub fn random(env: Environment, agent: AgentParams, duration: f64) -> Result<Self> {
        check::positive("duration", duration)?;
        let n = crate::tasks::steps_of(duration, agent.dt);
        if n > 100_000_000 {
            return Err(Error::Limit(format!("{n} steps (> 10^8)")));
        }
        let dt = agent.dt;
        let mut a = agent.save_history(true).build(env.clone())?;
        a.run(n)?;
        Ok(Self {
            env,
            history: a.history().clone(),
            dt,
        })
    }

    /// An imported trajectory resampled every `dt` seconds, in the smallest
    /// box holding it.
    ///
    /// # Errors
    /// As [`Trajectory::resample`] and [`Trajectory::environment`].
    pub fn from_trajectory(trajectory: &Trajectory, dt: f64) -> Result<Self> {
        Ok(Self {
            env: trajectory.environment()?,
            history: trajectory.resample(dt)?,
            dt,
        })
    }

    /// A recorded history in `env`, at time step `dt` (s).
    ///
    /// # Errors
    /// [`Error::Param`] when `dt` is not positive or the history is empty.
    pub fn from_history(env: Environment, history: History, dt: f64) -> Result<Self> {
        check::positive("dt", dt)?;
        if history.is_empty() {
            return Err(ParamError::new("history", "non-empty", "0 steps").into());
        }
        Ok(Self { env, history, dt })
    }

    /// The environment.
    pub fn environment(&self) -> &Environment {
        &self.env
    }
    /// The trajectory, one entry per step.
    pub fn history(&self) -> &History {
        &self.history
    }
    /// The trajectory as a DataFrame (see [`History::to_frame`]).
    ///
    /// # Errors
    /// [`Error::Polars`] if the frame cannot be built.
    pub fn to_frame(&self) -> Result<DataFrame> {
        self.history.to_frame()
    }
    /// Velocity (m/s) at `step`.
    pub fn velocity(&self, step: usize) -> [f64; 2] {
        let i = step.min(self.history.len() - 1);
        [self.history.vx[i], self.history.vy[i]]
    }
    /// Head direction (rad) at `step`.
    pub fn head_direction(&self, step: usize) -> f64 {
        let i = step.min(self.history.len() - 1);
        self.history.hd_y[i].atan2(self.history.hd_x[i])
    }
    /// Position (m) at `step`.
    pub fn position(&self, step: usize) -> [f64; 2] {
        let i = step.min(self.history.len() - 1);
        [self.history.x[i], self.history.y[i]]
    }
    /// Plot of the trajectory.
    pub fn plot(&self) -> Figure {
        crate::spatial::trajectory_plot(&self.env, self.history.path(), None)
    }
}

impl Task for OpenLoopNavigation {
    fn name(&self) -> &'static str {
        "open_loop_navigation"
    }
    fn dt(&self) -> f64 {
        self.dt
    }
    fn n_steps(&self) -> usize {
        self.history.len()
    }
    fn dim(&self) -> usize {
        self.env.dim()
    }
    fn target(&self, step: usize, out: &mut [f64]) {
        to_feature(&self.env, self.position(step), out);
    }
    fn stimulus_on(&self, _step: usize) -> bool {
        true
    }
    fn input(&mut self, step: usize, model: &dyn FeatureMap, input: &mut [f64]) -> Result<()> {
        check_fit(self, model, input)?;
        let mut f = [0.0; 2];
        to_feature(&self.env, self.position(step), &mut f[..self.env.dim()]);
        model.stimulus(&f[..self.env.dim()], input)?;
        Ok(())
    }
}

/// Parameters of [`ClosedLoopNavigation`].
///
/// # Example
/// ```
/// use canns::spatial::{Agent, Environment};
/// use canns::tasks::ClosedLoopNavigation;
/// let agent = Agent::params().build(Environment::params().build()?)?;
/// let task = ClosedLoopNavigation::params().goals(vec![vec![0.8, 0.8], vec![0.2, 0.8]]).cycle(false).build(agent.clone())?;
/// assert_eq!(task.current_goal(), Some(0));
/// // A goal outside the box is an error naming it.
/// let err = ClosedLoopNavigation::params().goals(vec![vec![1.5, 0.5]]).build(agent).unwrap_err();
/// assert!(err.to_string().contains("goals[0]"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClosedLoopNavigationParams {
    /// Goals visited in turn (m); empty: the environment's objects. Default empty.
    pub goals: Vec<Vec<f64>>,
    /// Distance (m) at which a goal counts as reached. Default 0.05.
    pub goal_tolerance: f64,
    /// Speed (m/s) of the drift velocity towards the goal. Default 0.15.
    pub goal_speed: f64,
    /// RatInABox's `drift_to_random_strength_ratio`. Default 3.
    pub drift_ratio: f64,
    /// Number of steps of the task. Default 3000.
    pub n_steps: usize,
    /// Whether to start again at the first goal after the last. Default true.
    pub cycle: bool,
    /// Whether to drift along the shortest route around walls and holes
    /// (true) or straight at the goal (false, which stalls at a wall
    /// between the agent and the goal). Default true.
    pub plan_routes: bool,
    /// Clearance (m) of route corners from the wall corners they go round
    /// (see [`RoutePlannerParams::clearance`](crate::spatial::RoutePlannerParams)).
    /// Default 0.05.
    pub clearance: f64,
}

impl Default for ClosedLoopNavigationParams {
    fn default() -> Self {
        Self {
            goals: Vec::new(),
            goal_tolerance: 0.05,
            goal_speed: 0.15,
            drift_ratio: 3.0,
            n_steps: 3000,
            cycle: true,
            plan_routes: true,
            clearance: 0.05,
        }
    }
}

impl ClosedLoopNavigationParams {
    crate::params::setters! {
        /// Sets `goals` (m).
        goals: Vec<Vec<f64>>,
        /// Sets `goal_tolerance` (m).
        goal_tolerance: f64,
        /// Sets `goal_speed` (m/s).
        goal_speed: f64,
        /// Sets `drift_ratio`.
        drift_ratio: f64,
        /// Sets `n_steps`.
        n_steps: usize,
        /// Sets `cycle`.
        cycle: bool,
        /// Sets `plan_routes`.
        plan_routes: bool,
        /// Sets `clearance` (m).
        clearance: f64,
    }

    /// Validates and builds the task around `agent`.
    ///
    /// # Errors
    /// [`Error::Param`] naming the field: any failure of
    /// [`Params::validate`]; no goals (and no objects), a goal outside the
    /// environment; with `plan_routes`, a goal `goals[i]` no route leads to
    /// from the agent's start (`i = 0`) or from the previous goal.
    pub fn build(&self, agent: Agent) -> Result<ClosedLoopNavigation> {
        self.validate()?;
        let env = agent.environment();
        let goals = if self.goals.is_empty() {
            env.objects().to_vec()
        } else {
            self.goals.clone()
        };
        if goals.is_empty() {
            return Err(ParamError::new(
                "goals",
                "non-empty (or objects in the environment)",
                "none",
            )
            .into());
        }
        let mut g2 = Vec::with_capacity(goals.len());
        for (i, g) in goals.iter().enumerate() {
            if g.len() != env.dim() || !env.contains(g) {
                return Err(ParamError::new(
                    format!("goals[{i}]"),
                    "inside the environment",
                    format!("{g:?}"),
                )
                .into());
            }
            g2.push([g[0], g.get(1).copied().unwrap_or(0.0)]);
        }
        let planner = if self.plan_routes {
            let planner = RoutePlanner::params()
                .clearance(self.clearance)
                .build(env)?;
            let dim = env.dim();
            let start = agent.position();
            let mut legs = vec![(start[..dim].to_vec(), 0, "the agent's start")];
            for i in 1..goals.len() {
                legs.push((goals[i - 1].clone(), i, "the previous goal"));
            }
            if self.cycle && goals.len() > 1 {
                legs.push((goals[goals.len() - 1].clone(), 0, "the last goal"));
            }
            for (from, i, what) in legs {
                if planner.route(&from, &goals[i]).is_err() {
                    return Err(ParamError::new(
                        format!("goals[{i}]"),
                        format!(
                            "reachable from {what} {from:?} (clearance {} m)",
                            self.clearance
                        ),
                        format!("{:?}", goals[i]),
                    )
                    .into());
                }
            }
            Some(planner)
        } else {
            None
        };
        Ok(ClosedLoopNavigation {
            planner,
            field: None,
            start: agent.clone(),
            agent,
            goals: g2,
            current: 0,
            reached: Vec::new(),
            params: self.clone(),
            command: None,
        })
    }
}

impl Params for ClosedLoopNavigationParams {
    const NAME: &'static str = "ClosedLoopNavigationParams";

    /// Checks the goals (finite, all of dimension 1 or all of dimension 2;
    /// whether they lie in the environment is checked by `build`), the
    /// positive tolerance, speed, ratio and clearance, and `n_steps` >= 1.
    fn validate(&self) -> Result<()> {
        if let Some(first) = self.goals.first() {
            let dim = first.len();
            for (i, g) in self.goals.iter().enumerate() {
                let field = format!("goals[{i}]");
                if !(1..=2).contains(&dim) || g.len() != dim {
                    let rule = if i == 0 {
                        "of dimension 1 or 2".to_string()
                    } else {
                        format!("of the dimension of goals[0] ({dim})")
                    };
                    return Err(ParamError::new(field, rule, format!("{g:?}")).into());
                }
                for v in g {
                    check::finite(&field, *v)?;
                }
            }
        }
        check::positive("goal_tolerance", self.goal_tolerance)?;
        check::positive("goal_speed", self.goal_speed)?;
        check::positive("drift_ratio", self.drift_ratio)?;
        check::at_least("n_steps", self.n_steps, 1)?;
        check::positive("clearance", self.clearance)?;
        Ok(())
    }
}

/// An agent drawn towards goals, step by step (see the [`tasks`](crate::tasks) docs).
///
/// # Example
/// ```
/// use canns::spatial::{Agent, Environment};
/// use canns::tasks::ClosedLoopNavigation;
/// // From (0.2, 0.2) to a goal at (0.8, 0.8), drifting at 0.15 m/s.
/// let agent = Agent::params().start_position(Some(vec![0.2, 0.2])).seed(1).build(Environment::params().build()?)?;
/// let mut task = ClosedLoopNavigation::params().goals(vec![vec![0.8, 0.8]]).cycle(false).build(agent)?;
/// task.run(400); // 20 s
/// assert_eq!(task.goals_reached().len(), 1);
/// let (t, goal) = task.goals_reached()[0];
/// assert!(goal == 0 && t > 2.0 && t < 20.0, "{t}");
/// assert_eq!(task.current_goal(), None); // no more goals without cycling
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClosedLoopNavigation {
    params: ClosedLoopNavigationParams,
    planner: Option<RoutePlanner>,
    /// Distances to the current goal over the planner's graph, with its index.
    field: Option<(usize, GoalField)>,
    start: Agent,
    agent: Agent,
    goals: Vec<[f64; 2]>,
    current: usize,
    /// `(time, goal index)` of each goal reached.
    reached: Vec<(f64, usize)>,
    command: Option<[f64; 2]>,
}

impl ClosedLoopNavigation {
    /// Default parameters, to adjust and build with an agent.
    pub fn params() -> ClosedLoopNavigationParams {
        ClosedLoopNavigationParams::default()
    }
    /// The agent.
    pub fn agent(&self) -> &Agent {
        &self.agent
    }
    /// Index of the goal currently pursued (`None` once all are reached without cycling).
    pub fn current_goal(&self) -> Option<usize> {
        (self.current < self.goals.len()).then_some(self.current)
    }
    /// `(time in s, goal index)` for every goal reached so far.
    pub fn goals_reached(&self) -> &[(f64, usize)] {
        &self.reached
    }
    /// Sets the velocity command (m/s) the agent drifts towards on the next
    /// steps instead of the goal direction (`None` returns to the goal).
    ///
    /// # Errors
    /// [`Error::Param`] when a component is not finite.
    pub fn set_velocity_command(&mut self, velocity: Option<[f64; 2]>) -> Result<()> {
        if let Some(v) = velocity {
            check::finite("velocity[0]", v[0])?;
            check::finite("velocity[1]", v[1])?;
        }
        self.command = velocity;
        Ok(())
    }

    /// The direction to steer towards goal `g` from `pos`: the first leg of
    /// the route (re-planned every step) or, without planning or route, the
    /// straight displacement to the goal.
    fn heading(&mut self, g: usize, pos: [f64; 2]) -> [f64; 2] {
        if let Some(planner) = &self.planner {
            if self.field.as_ref().map(|f| f.0) != Some(g) {
                self.field = Some((g, planner.goal_field(self.goals[g])));
            }
            let (_, field) = self.field.as_ref().expect("set just above");
            if let Some((_, hop)) = planner.first_hop(field, pos) {
                return hop.displacement();
            }
        }
        self.agent.environment().displacement(&pos, &self.goals[g])
    }

    /// The route from the agent's position to the current goal (`None`
    /// without `plan_routes`, without a current goal, or when no route
    /// leads there from the position).
    pub fn route(&self) -> Option<Route> {
        let (planner, g) = (self.planner.as_ref()?, self.current_goal()?);
        let p = self.agent.position();
        let dim = self.dim();
        planner.route(&p[..dim], &self.goals[g][..dim]).ok()
    }

    /// One step: the velocity drifts towards the command, or at
    /// `goal_speed` towards the next waypoint of the route to the current
    /// goal (with `plan_routes`; the route is re-planned from the new
    /// position every step, which costs a few wall tests per step) or
    /// straight at the goal; then goals are checked.
    pub fn step(&mut self) {
        let pos = self.agent.position();
        let drift = match (self.command, self.current_goal()) {
            (Some(v), _) => Some(v),
            (None, Some(g)) => {
                let d = self.heading(g, pos);
                let n = (d[0] * d[0] + d[1] * d[1]).sqrt().max(1e-12);
                Some([
                    self.params.goal_speed * d[0] / n,
                    self.params.goal_speed * d[1] / n,
                ])
            }
            (None, None) => None,
        };
        match drift {
            Some(v) => self
                .agent
                .update_with_drift(v, self.params.drift_ratio)
                .expect("drift is finite and the ratio was validated"),
            None => self.agent.step_once(),
        }
        if let Some(g) = self.current_goal() {
            let p = self.agent.position();
            if self.agent.environment().distance(&p, &self.goals[g]) < self.params.goal_tolerance {
                self.reached.push((self.agent.t(), g));
                self.current = if self.params.cycle {
                    (g + 1) % self.goals.len()
                } else {
                    g + 1
                };
            }
        }
    }

    /// Runs `n` steps.
    pub fn run(&mut self, n: usize) {
        for _ in 0..n {
            self.step();
        }
    }

    /// Plot of the path with the goals and the planned route to the current goal.
    pub fn plot(&self) -> Figure {
        let mut plot = self.agent.plot_trajectory();
        if let Some(route) = self.route() {
            plot.add_trace(route_trace(self.agent.environment(), route.waypoints()));
        }
        let gx: Vec<f64> = self.goals.iter().map(|g| g[0]).collect();
        let gy: Vec<f64> = self.goals.iter().map(|g| g[1]).collect();
        plot.add_trace(
            plotly::Scatter::new(gx, gy)
                .mode(plotly::common::Mode::Markers)
                .name("goals")
                .marker(
                    plotly::common::Marker::new()
                        .size(14)
                        .color("green")
                        .symbol(plotly::common::MarkerSymbol::Star),
                ),
        );
        plot
    }
}

impl Task for ClosedLoopNavigation {
    fn name(&self) -> &'static str {
        "closed_loop_navigation"
    }
    fn dt(&self) -> f64 {
        self.agent.parameters().dt
    }
    fn n_steps(&self) -> usize {
        self.params.n_steps
    }
    fn dim(&self) -> usize {
        self.agent.environment().dim()
    }
    fn target(&self, step: usize, out: &mut [f64]) {
        let h = self.agent.history();
        let p = if step < h.len() {
            [h.x[step], h.y[step]]
        } else {
            self.agent.position()
        };
        to_feature(self.agent.environment(), p, out);
    }
    fn stimulus_on(&self, _step: usize) -> bool {
        true
    }
    fn input(&mut self, step: usize, model: &dyn FeatureMap, input: &mut [f64]) -> Result<()> {
        check_fit(self, model, input)?;
        while self.agent.history().len() <= step {
            self.step();
        }
        let d = self.dim();
        let mut f = [0.0; 2];
        self.target(step, &mut f[..d]);
        model.stimulus(&f[..d], input)?;
        Ok(())
    }
    fn reset(&mut self) {
        self.agent = self.start.clone();
        self.current = 0;
        self.reached.clear();
        self.command = None;
        self.field = None;
    }
}

impl Render for OpenLoopNavigation {
    fn bundle(&self) -> Bundle {
        let t = KeyValues::new("OpenLoopNavigation")
            .row("n_steps", self.history.len(), "")
            .row("dt", self.dt, "s")
            .row("environment", self.env.to_string(), "")
            .to_html();
        Bundle::figure(
            &self.plot(),
            &t,
            format!("OpenLoopNavigation({} steps)", self.history.len()),
        )
    }
}

impl Render for ClosedLoopNavigation {
    fn bundle(&self) -> Bundle {
        let t = KeyValues::new("ClosedLoopNavigation")
            .row("goals", self.goals.len(), "")
            .row("goals reached", self.reached.len(), "")
            .row("t", format!("{:.2}", self.agent.t()), "s")
            .row("goal_speed", self.params.goal_speed, "m/s")
            .row("plan_routes", self.params.plan_routes, "")
            .row(
                "route to current goal",
                self.route()
                    .map_or("-".to_string(), |r| format!("{:.3}", r.length())),
                "m",
            )
            .to_html();
        Bundle::figure(
            &self.plot(),
            &t,
            format!("ClosedLoopNavigation({} goals reached)", self.reached.len()),
        )
    }
}

display::evcxr_display_via_render!(OpenLoopNavigation, ClosedLoopNavigation);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_loop_reaches_goals() {
        let env = Environment::params()
            .walls(vec![[[0.5, 0.0], [0.5, 0.7]]])
            .build()
            .unwrap();
        let agent = Agent::params()
            .dt(0.02)
            .seed(1)
            .start_position(Some(vec![0.2, 0.2]))
            .build(env)
            .unwrap();
        let mut task = ClosedLoopNavigation::params()
            .goals(vec![vec![0.2, 0.8], vec![0.4, 0.4]])
            .build(agent)
            .unwrap();
        task.run(6000);
        assert!(
            task.goals_reached().len() >= 2,
            "{:?}",
            task.goals_reached()
        );
        let h = task.agent().history();
        // Never crosses the wall x = 0.5, y < 0.6.
        for i in 1..h.len() {
            let crossed = (h.x[i - 1] - 0.5).signum() != (h.x[i] - 0.5).signum();
            assert!(
                !(crossed && h.y[i].max(h.y[i - 1]) < 0.6),
                "step {i} crosses the wall"
            );
        }
    }
}
