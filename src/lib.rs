#![doc = include_str!("../README.md")]
//!
//! Layout: [`models`] (networks: [`models::Model`] and [`models::FeatureMap`]),
//! [`spatial`] (environments, agent, trajectories, spatial cells),
//! [`tasks`] (inputs with ground truth), [`analysis`] (tuning, rate maps,
//! bump statistics, decoding), [`tda`] and [`embed`] (persistent homology,
//! PCA, UMAP), [`data`] (recordings), [`pipeline`] (simulate, signature),
//! [`params`] (the [`params::Params`] trait), [`display`] (notebook
//! rendering), [`space`] (ring and torus geometry), [`train`] (learning rules). The `canns` command line
//! is a binary of this package (feature `cli`, on by default).

#![warn(missing_docs)]

pub mod analysis;
pub mod data;
pub mod display;
pub mod embed;
pub mod error;
pub mod models;
pub mod params;
pub mod pipeline;
pub mod prelude;
pub mod space;
pub mod spatial;
pub mod tasks;
pub mod tda;
pub mod train;

pub use error::{Error, ParamError, Result};

/// Re-exports for notebooks: one `:dep canns` gives ndarray, polars and plotly.
pub use ndarray;
pub use plotly;
pub use polars;
