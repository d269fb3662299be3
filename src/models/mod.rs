//! Network models.
//!
//! Every model implements [`Model`]: it advances one time step given an
//! external input current, and exposes its state. Models that encode a
//! continuous feature also implement [`FeatureMap`]. Models never generate their
//! own input (that is a [`crate::tasks::Task`]'s job) and never analyse their
//! output (that is [`crate::analysis`]'s job). The weight-matrix networks
//! that [`crate::train`]'s rules change ([`Hopfield`], [`LinearLayer`],
//! [`SpikingLayer`]) have their own update methods.

pub mod cann1d;
pub mod cann2d;
pub(crate) mod cann_params;
pub(crate) mod dense;
pub mod dynamics;
pub mod grid_position;
pub mod grid_velocity;
pub mod hierarchical;
pub mod hopfield;
pub mod kernel;
pub mod lif_ring;
pub mod linear;
pub mod spiking;
pub mod step_map;
pub mod theta_sweep;
pub(crate) mod twisted_torus;

pub use cann1d::{Cann1d, Cann1dParams};
pub use cann2d::{Cann2d, Cann2dParams};
pub use dynamics::{AdaptationDrive, CannOptions, Integrator};
pub use grid_position::{GridCell2DPosition, GridCell2DPositionParams, PositionRun};
pub use grid_velocity::{
    DirectionLayout, GridCell2DVelocity, GridCell2DVelocityParams, HealSchedule, HealSegment,
    SheetBoundary, VelocityRun,
};
pub use hierarchical::{
    HierarchicalNetwork, HierarchicalNetworkParams, HierarchicalRun, SpeedLimit,
};
pub use hopfield::{Activation, Hopfield, HopfieldParams, Overlaps, Recall, Update};
pub use kernel::Recurrence;
pub use lif_ring::{LifRing, LifRingParams};
pub use linear::{LinearLayer, LinearLayerParams};
pub use spiking::{SpikingLayer, SpikingLayerParams};
pub use step_map::{CannMap, FnMap, StepMap};
pub use theta_sweep::{
    DirectionCellNetwork, DirectionCellNetworkParams, GridCellNetwork, GridCellNetworkParams,
    ThetaClock, ThetaClockParams,
};

/// Estimated bytes a neuron of a CANN takes (state `u`, `r`, `v`, input,
/// noise and scratch vectors, kernel and FFT buffers), for the memory check
/// of `build`.
pub const BYTES_PER_NEURON: u64 = 256;

use crate::error::{Error, ParamError, Result};
use crate::params::check;

/// A network that advances in time under an external input.
///
/// What every network has: a size, a state, a clock and a step. The state
/// is stored flat (`n_neurons` values); for lattice models the order is
/// row-major over [`Model::shape`]. Networks that encode a continuous
/// feature (a ring, a torus) also implement [`FeatureMap`].
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // Code written against `Model` runs any network.
/// fn settle(net: &mut dyn Model, steps: usize) -> canns::Result<f64> {
///     let input = vec![0.0; net.n_neurons()];
///     for _ in 0..steps {
///         net.step(0.1, &input)?;
///     }
///     Ok(net.time())
/// }
/// let mut net = Cann2d::params().length(8).build()?;
/// assert_eq!((net.shape(), net.n_neurons()), (vec![8, 8], 64));
/// assert!((settle(&mut net, 10)? - 1.0).abs() < 1e-9);
/// net.reset();
/// assert_eq!(net.time(), 0.0);
/// # Ok::<(), canns::Error>(())
/// ```
pub trait Model {
    /// Short name (e.g. `"cann1d"`).
    fn name(&self) -> &'static str;
    /// Lattice shape: `[n]` on the ring, `[n, n]` on the torus.
    fn shape(&self) -> Vec<usize>;
    /// Number of neurons.
    fn n_neurons(&self) -> usize {
        self.shape().iter().product()
    }
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

/// The feature space a network encodes, and the input a stimulus at a
/// point of it gives: what a [`crate::tasks::Task`] needs to drive the
/// network.
///
/// # Examples
/// ```
/// use canns::prelude::*;
/// let net = Cann1d::params().num(64).build()?;
/// let input = net.stimulus_at(&[0.5])?;
/// let peak = (0..64).max_by(|&i, &j| input[i].total_cmp(&input[j])).unwrap();
/// assert!((net.preferred(peak)?[0] - 0.5).abs() < 0.1);
/// // A position of the wrong dimension is an error, not a panic.
/// assert!(net.stimulus_at(&[0.5, 1.0]).is_err());
/// # Ok::<(), canns::Error>(())
/// ```
pub trait FeatureMap: Model {
    /// Dimension of the encoded feature (1 on the ring, 2 on the torus).
    fn feature_dim(&self) -> usize;
    /// Period of each feature dimension (2 pi for angles).
    fn period(&self) -> f64 {
        crate::space::TWO_PI
    }
    /// Preferred feature value of neuron `i` (length [`FeatureMap::feature_dim`]).
    ///
    /// # Errors
    /// [`crate::Error::Param`] when `i` is not below [`Model::n_neurons`].
    fn preferred(&self, i: usize) -> Result<Vec<f64>> {
        if i >= self.n_neurons() {
            return Err(ParamError::new("neuron", format!("< {}", self.n_neurons()), i).into());
        }
        let mut out = vec![0.0; self.feature_dim()];
        self.write_preferred(i, &mut out);
        Ok(out)
    }
    /// Peak amplitude `A` of the stimulus (scales task noise).
    fn stimulus_amplitude(&self) -> f64;
    /// The input current a stimulus centred at `pos` gives every neuron.
    ///
    /// # Errors
    /// [`crate::Error::Shape`] when `pos` is not of length
    /// [`FeatureMap::feature_dim`], [`crate::Error::Param`] when a
    /// coordinate is not finite.
    fn stimulus_at(&self, pos: &[f64]) -> Result<Vec<f64>> {
        let mut out = vec![0.0; self.n_neurons()];
        self.stimulus(pos, &mut out)?;
        Ok(out)
    }
    /// In-place form of [`FeatureMap::stimulus_at`]: writes into `out`
    /// (length [`Model::n_neurons`]).
    ///
    /// # Errors
    /// As [`FeatureMap::stimulus_at`]; [`crate::Error::Shape`] when `out`
    /// has the wrong length.
    fn stimulus(&self, pos: &[f64], out: &mut [f64]) -> Result<()> {
        if pos.len() != self.feature_dim() {
            return Err(Error::shape(
                format!("stimulus position of `{}`", self.name()),
                self.feature_dim(),
                pos.len(),
            ));
        }
        for (i, v) in pos.iter().enumerate() {
            check::finite(&format!("pos[{i}]"), *v)?;
        }
        if out.len() != self.n_neurons() {
            return Err(Error::shape("stimulus buffer", self.n_neurons(), out.len()));
        }
        self.write_stimulus(pos, out);
        Ok(())
    }
    /// Writes the preferred value of neuron `i` into `out`. Called by
    /// [`FeatureMap::preferred`] after checking `i`; `out` has length
    /// [`FeatureMap::feature_dim`].
    fn write_preferred(&self, i: usize, out: &mut [f64]);
    /// Writes the stimulus profile centred at `pos` into `out`. Called by
    /// [`FeatureMap::stimulus`] after checking the lengths and finiteness,
    /// so implementations may index freely.
    fn write_stimulus(&self, pos: &[f64], out: &mut [f64]);
}
