//! Network models.
//!
//! Every model implements [`Model`]: it advances one time step given an
//! external input current, and exposes its state. Models never generate their
//! own input (that is a [`crate::tasks::Task`]'s job) and never analyse their
//! output (that is [`crate::analysis`]'s job).

pub mod cann1d;
pub mod cann2d;
pub mod dynamics;
pub mod kernel;
pub(crate) mod params;

pub use cann1d::{Cann1d, Cann1dParams};
pub use cann2d::{Cann2d, Cann2dParams};
pub use dynamics::Integrator;
pub use kernel::Recurrence;

use crate::error::Result;

/// A network that advances in time under an external input.
///
/// The state is stored flat (`n_neurons` values); for lattice models the
/// order is row-major over [`Model::shape`].
pub trait Model {
    /// Short name (e.g. `"cann1d"`).
    fn name(&self) -> &'static str;
    /// Lattice shape: `[n]` on the ring, `[n, n]` on the torus.
    fn shape(&self) -> Vec<usize>;
    /// Number of neurons.
    fn n_neurons(&self) -> usize {
        self.shape().iter().product()
    }
    /// Dimension of the encoded feature (1 on the ring, 2 on the torus).
    fn feature_dim(&self) -> usize;
    /// Period of each feature dimension (2 pi for angles).
    fn period(&self) -> f64 {
        crate::space::TWO_PI
    }
    /// Preferred feature value of neuron `i`, written into `out` (length
    /// [`Model::feature_dim`]).
    fn preferred(&self, i: usize, out: &mut [f64]);
    /// The input current this network receives from a stimulus centred at
    /// `pos` (length [`Model::feature_dim`]), written into `out` (length
    /// [`Model::n_neurons`]). The profile belongs to the network's input layer.
    fn stimulus(&self, pos: &[f64], out: &mut [f64]);
    /// Peak amplitude `A` of [`Model::stimulus`] (scales task noise).
    fn stimulus_amplitude(&self) -> f64;
    /// Advances by `dt` (in units of the model's time constant) under the
    /// external input `input` (length [`Model::n_neurons`]).
    ///
    /// # Errors
    /// [`crate::Error::Param`] when `dt` is not finite and positive,
    /// [`crate::Error::Shape`] when `input` has the wrong length,
    /// [`crate::Error::Diverged`] when the state stops being finite.
    fn step(&mut self, dt: f64, input: &[f64]) -> Result<()>;
    /// Resets the state to rest (zero) and reseeds the noise.
    fn reset(&mut self);
    /// Synaptic input `u` of every neuron.
    fn u(&self) -> &[f64];
    /// Firing rate `r` of every neuron.
    fn r(&self) -> &[f64];
    /// Adaptation variable `v`, when the model has one.
    fn v(&self) -> Option<&[f64]> {
        None
    }
    /// Time elapsed since the last reset.
    fn time(&self) -> f64;
}
