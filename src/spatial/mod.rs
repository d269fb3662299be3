//! The spatial simulator: environments, a RatInABox-compatible agent,
//! imported real trajectories, route planning and spatial cells. Navigation
//! tasks built on it live in [`crate::tasks`].
//!
//! * [`Environment`]: 1D track or 2D box, solid or periodic, walls, holes, objects.
//! * [`Agent`]: RatInABox's random motion model (George et al. 2024), drift
//!   towards a goal, imported trajectories, history as a polars DataFrame.
//! * [`Trajectory`]: times and positions, natural cubic spline resampling;
//!   the real trajectories of Sargolini et al. (2006) and Tanni et al. (2022).
//! * [`PlaceCells`], [`GridCells`], [`BoundaryVectorCells`],
//!   [`HeadDirectionCells`], [`SpeedCell`]:
//!   rates at positions and over the environment, seeded Poisson spikes.
//! * [`RoutePlanner`]: shortest collision-free routes around walls and
//!   holes, on a visibility graph.
//! * [`RateMaps`]: rates of a population over the bins of an environment,
//!   one map of shape `(n_y, n_x)` per cell.
//!
//! # Examples
//! ```
//! use canns::spatial::*;
//! let env = Environment::params().build()?;
//! let mut agent = Agent::params().dt(0.01).seed(1).build(env.clone())?;
//! agent.run(500)?;
//! let pc = PlaceCells::params().n(20).build(&env)?;
//! let rates = pc.rates(&agent.history().positions().view())?;
//! assert_eq!(rates.dim(), (500, 20));
//! # Ok::<(), canns::Error>(())
//! ```
//!
//! # References
//! George, T. M., de Cothi, W., Stachenfeld, K. L. & Barry, C. (2024).
//! RatInABox, a toolkit for modelling locomotion and neuronal activity in
//! continuous environments. eLife 13:e85274.

mod agent;
mod cells;
mod environment;
mod plots;
mod rate_map;
mod route;
mod speed_map;
mod trajectory;
mod wall_grid;

/// Seeded Poisson spikes from rates: the crate's one sampler, in
/// [`crate::data::synthetic`].
pub use crate::data::synthetic::poisson_spikes;
pub use agent::{Agent, AgentParams};
pub use cells::{
    BoundaryVectorCells, BoundaryVectorCellsParams, GridCells, GridCellsParams, GridField,
    HeadDirectionCells, HeadDirectionCellsParams, PlaceCells, PlaceCellsParams, PlaceField,
    SpeedCell,
};
pub use environment::{
    BoundaryConditions, Dimensionality, Environment, EnvironmentParams, Segment,
};
pub(crate) use plots::trajectory as trajectory_plot;
pub use rate_map::RateMaps;
pub(crate) use rate_map::{bins_of_positions, occupancy as occupancy_of_bins};
pub(crate) use route::{route_trace, GoalField};
pub use route::{Route, RoutePlanner, RoutePlannerParams};
pub use trajectory::{columns, History, Trajectory};
