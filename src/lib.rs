//! # canns: continuous attractor neural networks
//!
//! Models, tasks, analysis and topology for continuous attractor neural
//! networks (CANNs), built to be used from Jupyter notebooks with the evcxr
//! Rust kernel and from the `canns` command line.
//!
//! ```
//! use canns::prelude::*;
//! let mut net = Cann1d::params().num(256).build()?;
//! let mut task = SmoothTracking::params().build()?;
//! let sim = simulate(&mut net, &mut task)?;
//! assert!(sim.tracking(100).mean_abs_error < 0.1);
//! # Ok::<(), canns::Error>(())
//! ```
//!
//! Layout: [`models`] (networks), [`tasks`] (inputs with ground truth),
//! [`analysis`] (bump statistics, tracking), [`pipeline`] (simulate),
//! [`display`] (notebook rendering), [`space`] (ring and torus geometry).

#![warn(missing_docs)]

pub mod analysis;
pub mod cli;
pub mod display;
pub mod error;
pub mod models;
pub mod pipeline;
pub mod prelude;
pub mod space;
pub mod tasks;

pub use error::{Error, ParamError, Result};

/// Re-exports for notebooks: one `:dep canns` gives ndarray, polars and plotly.
pub use ndarray;
pub use plotly;
pub use polars;
