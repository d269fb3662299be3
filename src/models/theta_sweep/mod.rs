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
//! # Examples
//! ```
//! use canns::models::theta_sweep::{DirectionCellNetwork, GridCellNetwork, ThetaClock};
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
//! # References
//! - Ji, Z., Chu, T., Wu, S. & Burgess, N. (2025). A systems model of
//!   alternating theta sweeps via firing rate adaptation. Curr Biol
//!   35(4):709-722.
//! - Chu, T., Ji, Z., Zuo, J., Mi, Y., Zhang, W., Huang, T., Bush, D.,
//!   Burgess, N. & Wu, S. (2024). Firing rate adaptation affords place cell
//!   theta sweeps, phase precession and procession. eLife 12:RP87055.

pub mod clock;
pub mod direction;
pub mod grid;
pub mod place;
mod plots;

pub use clock::{ThetaClock, ThetaClockParams, ThetaModulation};
pub use direction::{DirectionCellNetwork, DirectionCellNetworkParams};
pub use grid::{GridCellNetwork, GridCellNetworkParams, GridDecode};
pub use place::{GeodesicGrid, PlaceCellNetwork, PlaceCellNetworkParams};
