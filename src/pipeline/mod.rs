//! End-to-end runs: a model on a task, and whole analysis pipelines (the
//! attractor signature of population activity, [`signature`]).

pub mod progress;
pub mod replay;
pub mod signature;
pub mod simulate;
pub mod sweep;
pub mod synthetic;
pub mod theta_sweep;

pub use signature::{Activity, SignatureParams, SignatureResult, Statistic};
pub use simulate::{simulate, simulate_with, SimOptions, Simulation};
pub use sweep::{Axis, Sweep, SweepResult, SweepSpec};
pub use theta_sweep::{ThetaSweep, ThetaSweepParams, ThetaSweepResult};
