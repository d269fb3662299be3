//! Tasks: input protocols with a known ground truth.
//!
//! A [`Task`] generates, step by step and deterministically from its
//! parameters and seed, the external input a model receives, and knows the
//! target the network should encode at every step. Tasks never analyse.
//!
//! ## Navigation tasks
//!
//! * [`OpenLoopNavigation`]: a fixed trajectory (random motion or an imported
//!   one) with position, velocity, speed and head direction per step: the
//!   input path-integration and theta-sweep models consume.
//! * [`ClosedLoopNavigation`]: an agent moving towards goals among walls,
//!   its velocity drifting each step towards the next waypoint of the
//!   shortest route to the goal (see [`RoutePlanner`](crate::spatial::RoutePlanner)), or straight
//!   at the goal, or towards an external velocity command (e.g. decoded
//!   from a network).
//!
//! As [`Task`]s, both present the agent's position to a network: on a ring
//! (1D) or torus (2D) model, the position in the environment maps linearly
//! onto the feature space, `θ_k = 2π (x_k - left_k) / L_k - π`.
//!
//! ### Examples
//! ```
//! use canns::spatial::{AgentParams, Environment};
//! use canns::tasks::{OpenLoopNavigation, Task};
//! let env = Environment::params().build()?;
//! let task = OpenLoopNavigation::random(env, AgentParams::default().dt(0.01), 5.0)?;
//! assert_eq!(task.n_steps(), 500);
//! assert_eq!(task.dim(), 2);
//! # Ok::<(), canns::Error>(())
//! ```

pub(crate) mod navigation;
pub(crate) mod population_coding;
pub(crate) mod replay;
pub(crate) mod template_matching;
pub(crate) mod tracking;

pub use navigation::{ClosedLoopNavigation, ClosedLoopNavigationParams, OpenLoopNavigation};
pub use population_coding::{PopulationCoding, PopulationCodingParams};
pub use replay::{Replay, ReplayParams};
pub use template_matching::{TemplateMatching, TemplateMatchingParams};
pub use tracking::{SmoothTracking, SmoothTrackingParams};

use crate::error::{Error, Result};
use crate::models::FeatureMap;

/// An input protocol with ground truth.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // A task of our own: a stimulus that jumps from -1 to 1 rad halfway.
/// struct Jump;
/// impl Task for Jump {
///     fn name(&self) -> &'static str { "jump" }
///     fn dt(&self) -> f64 { 0.1 }
///     fn n_steps(&self) -> usize { 400 }
///     fn dim(&self) -> usize { 1 }
///     fn target(&self, step: usize, out: &mut [f64]) {
///         out[0] = if step < 200 { -1.0 } else { 1.0 };
///     }
///     fn stimulus_on(&self, _step: usize) -> bool { true }
///     fn input(&mut self, step: usize, model: &dyn FeatureMap, input: &mut [f64]) -> canns::Result<()> {
///         let mut z = [0.0];
///         self.target(step, &mut z);
///         model.stimulus(&z, input)
///     }
/// }
/// let mut net = Cann1d::params().num(64).build()?;
/// let sim = simulate(&mut net, &mut Jump)?;
/// // The bump follows the jump.
/// assert!((sim.centre[[199, 0]] + 1.0).abs() < 0.1 && (sim.centre[[399, 0]] - 1.0).abs() < 0.1);
/// # Ok::<(), canns::Error>(())
/// ```
pub trait Task {
    /// Short name (e.g. `"smooth_tracking"`).
    fn name(&self) -> &'static str;
    /// Time step (in the model's time unit).
    fn dt(&self) -> f64;
    /// Number of steps.
    fn n_steps(&self) -> usize;
    /// Dimension of the target (1 on the ring, 2 on the torus).
    fn dim(&self) -> usize;
    /// Ground-truth target at `step`, written into `out` (length [`Task::dim`]).
    fn target(&self, step: usize, out: &mut [f64]);
    /// Whether a stimulus is presented at `step`.
    fn stimulus_on(&self, step: usize) -> bool;
    /// Writes the external input for `step` into `input` (one value per
    /// neuron of `model`), using the model's stimulus profile.
    ///
    /// # Errors
    /// [`Error::Shape`] when the model's feature dimension differs from the
    /// task's, or `input` has the wrong length.
    fn input(&mut self, step: usize, model: &dyn FeatureMap, input: &mut [f64]) -> Result<()>;
    /// Restarts the task's random stream (a rerun gives identical input).
    fn reset(&mut self) {}
}

/// Checks that a model and a task fit together.
pub(crate) fn check_fit(task: &dyn Task, model: &dyn FeatureMap, input: &[f64]) -> Result<()> {
    if model.feature_dim() != task.dim() {
        return Err(Error::shape(
            format!(
                "task `{}` on model `{}` (feature dimension)",
                task.name(),
                model.name()
            ),
            model.feature_dim(),
            task.dim(),
        ));
    }
    if input.len() != model.n_neurons() {
        return Err(Error::shape("input buffer", model.n_neurons(), input.len()));
    }
    Ok(())
}

/// Python-compatible step count of a duration: `int(duration / dt)`.
pub(crate) fn steps_of(duration: f64, dt: f64) -> usize {
    (duration / dt).trunc() as usize
}

/// Checks a stimulus position: dimension 1 or 2, finite coordinates.
pub(crate) fn check_position(position: &[f64]) -> Result<()> {
    if !(1..=2).contains(&position.len()) {
        return Err(crate::ParamError::new(
            "position",
            "of dimension 1 or 2",
            format!("dimension {}", position.len()),
        )
        .into());
    }
    for (i, v) in position.iter().enumerate() {
        crate::params::check::finite(&format!("position[{i}]"), *v)?;
    }
    Ok(())
}
