//! Network models.
//!
//! Every model implements [`Model`]: it advances one time step given an
//! external input current, and exposes its state. Models that encode a
//! continuous feature also implement [`FeatureMap`]. Models never generate their
//! own input (that is a [`crate::tasks::Task`]'s job) and never analyse their
//! output (that is [`crate::analysis`]'s job). The weight-matrix networks
//! that [`crate::train`]'s rules change ([`Hopfield`], [`LinearLayer`],
//! [`SpikingLayer`]) have their own update methods.
//!
//! ## Rate dynamics of the ring and torus
//!
//! The Wu-Amari rate dynamics shared by the ring and torus CANNs, with
//! optional spike-frequency adaptation and additive noise.
//!
//! ```text
//! r_i      = u_i^2 / (1 + k * sum_j u_j^2)                 (divisive normalisation)
//! tau du/dt   = -u + W * r + I_ext - v  [+ noise]
//! tau_v dv/dt = -v + m u                                   (adaptation; m = 0 disables it)
//! ```
//!
//! One forward-Euler step (Ji et al. 2026, eq. 1-2 and `cann.py`/`TwoD_fun.py`):
//!
//! ```text
//! u' = u + dt/tau (-u + W * r + I - v) + sigma_u sqrt(dt) xi         (sigma_u: `noise`)
//! u' = max(u', 0)                                                     (if `rectify`)
//! v' = v + dt/tau_v (-v + m u*) + sigma_m u* sqrt(dt/tau_v) xi'       (sigma_m: `noise_v`)
//! ```
//!
//! where `u*` is `u'` ([`AdaptationDrive::NewU`], default) or `u`
//! ([`AdaptationDrive::OldU`]). The travelling-wave boundary of the
//! noise-free network is `m* = tau / tau_v` (Mi et al. 2014): below it a bump
//! stays put, above it the bump travels; Ji et al. (2026) show that `m / m*`
//! alone moves replay from stationary through diffusive to super-diffusive.
//!
//! ### References
//! - Wu, Hamaguchi & Amari (2008), Dynamics and computation of continuous
//!   attractors, Neural Computation 20(4):994-1025.
//! - Mi, Fung, Wong & Wu (2014), Spike frequency adaptation implements
//!   anticipative tracking in continuous attractor neural networks, NeurIPS 27.
//! - Dong, Chu, Wu et al. (2021), Noisy adaptation generates Levy flights in
//!   attractor neural networks, NeurIPS 34.
//! - Ji, Chu, Dong, Yu, Bush, Burgess & Wu (2026), Dynamical modulation of
//!   hippocampal replay through firing rate adaptation, Nat Commun,
//!   doi:10.1038/s41467-025-68042-3.
//!
//! ## Recurrent kernels
//!
//! Circular convolution of firing rates with a translation-invariant
//! recurrent kernel, on the ring (1D) and the torus (2D).
//!
//! The recurrent input of a CANN, `I_rec(x) = sum_x' W(x - x') r(x')`, is a
//! circular convolution because `W` depends only on the periodic distance. We
//! compute it by real FFT in O(N log N) (O(N^2 log N) on an N x N torus), and
//! keep an exact direct sum ([`Recurrence::Dense`]) as the test oracle. The
//! dense path never stores an N^2 matrix: it sums over the kernel vector, so
//! its memory is O(N) as well.
//!
//! ## Theta sweeps
//!
//! Theta sweeps: the head-direction, grid-cell and place-cell networks with
//! firing-rate adaptation whose activity sweeps ahead of the animal, left and
//! right in alternate theta cycles.
//!
//! * [`ThetaClock`]: theta phase, cycle index, and the modulation of each
//!   network's drive by running and turning speed (explicit units: ms for
//!   the networks, m/s and rad/s from trajectories).
//! * [`DirectionCellNetwork`]: a head-direction ring whose internal
//!   direction alternates left and right of the heading (Ji et al. 2025).
//! * [`GridCellNetwork`]: a twisted-torus grid module driven by conjunctive
//!   direction x position input, whose decoded position sweeps ahead along
//!   internal direction (Ji et al. 2025).
//! * [`PlaceCellNetwork`]: place cells on the geodesic distances of an
//!   environment with walls ([`GeodesicGrid`], e.g. a T-maze), whose bump
//!   sweeps forwards along the track (Chu et al. 2024).
//!
//! Every network steps by exponential Euler on its (u, v) pair with
//! start-of-step values, rectifies `u` and normalises the rates divisively,
//! as the Python `canns` package does; each carries its own `dt` (ms) and
//! noise seed.
//!
//! ### Examples
//! ```
//! use canns::models::{DirectionCellNetwork, GridCellNetwork, ThetaClock};
//! use canns::models::Model; // r(), u(), v()
//! let clock = ThetaClock::params().v_max(2.0).build()?;
//! let mut dc = DirectionCellNetwork::params().noise_strength(0.0).build()?;
//! let mut gc = GridCellNetwork::params()
//!     .num_gc_x(24)
//!     .mapping_ratio(10.0)
//!     .noise_strength(0.0)
//!     .build()?;
//! for i in 0..200 {
//!     let pos = [0.2 + 0.5e-3 * i as f64, 0.75];
//!     let m = clock.modulation(i, 0.5, 0.0);
//!     dc.update(0.0, m.hd)?;
//!     gc.update(pos, dc.r(), m.gc)?;
//! }
//! let p = gc.decoded_position().expect("an active bump");
//! assert!((p[1] - 0.75).abs() < 0.1);
//! # Ok::<(), canns::Error>(())
//! ```
//!
//! ### References
//! - Ji, Z., Chu, T., Wu, S. & Burgess, N. (2025). A systems model of
//!   alternating theta sweeps via firing rate adaptation. Curr Biol
//!   35(4):709-722.
//! - Chu, T., Ji, Z., Zuo, J., Mi, Y., Zhang, W., Huang, T., Bush, D.,
//!   Burgess, N. & Wu, S. (2024). Firing rate adaptation affords place cell
//!   theta sweeps, phase precession and procession. eLife 12:RP87055.

pub(crate) mod cann1d;
pub(crate) mod cann2d;
pub(crate) mod cann_params;
pub(crate) mod dense;
pub(crate) mod dynamics;
pub(crate) mod grid_position;
pub(crate) mod grid_velocity;
pub(crate) mod hierarchical;
pub(crate) mod hopfield;
pub(crate) mod kernel;
pub(crate) mod lif_ring;
pub(crate) mod linear;
pub(crate) mod spiking;
pub(crate) mod step_map;
pub(crate) mod theta_sweep;
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
pub use hopfield::{
    plot_patterns, Activation, Hopfield, HopfieldParams, Overlaps, Recall, Update, CONVERGED,
};
pub use kernel::{CircularConv, Recurrence};
pub use lif_ring::{BumpTrace, LifRing, LifRingParams, SpikeLog};
pub use linear::{LinearLayer, LinearLayerParams};
pub use spiking::{SpikingLayer, SpikingLayerParams};
pub use step_map::{CannMap, FnMap, StepMap};
pub use theta_sweep::{
    t_maze, DirectionCellNetwork, DirectionCellNetworkParams, GeodesicGrid, GridCellNetwork,
    GridCellNetworkParams, GridDecode, PlaceCellNetwork, PlaceCellNetworkParams, ThetaClock,
    ThetaClockParams, ThetaModulation,
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
