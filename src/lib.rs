#![doc = include_str!("../README.md")]
//!
//! Layout: [`models`] (networks), [`tasks`] (inputs with ground truth),
//! [`analysis`] (bump statistics, tracking), [`pipeline`] (simulate),
//! [`display`] (notebook rendering), [`embed`] (PCA, UMAP, trustworthiness), [`space`] (ring and torus geometry),
//! [`cli`] (the command line).

#![warn(missing_docs)]

pub mod analysis;
pub mod cli;
pub mod data;
pub mod display;
pub mod embed;
pub mod error;
pub mod models;
pub mod pipeline;
pub mod prelude;
pub mod space;
pub mod tasks;
pub mod tda;

pub use error::{Error, ParamError, Result};

/// Re-exports for notebooks: one `:dep canns` gives ndarray, polars and plotly.
pub use ndarray;
pub use plotly;
pub use polars;
