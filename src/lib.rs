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
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `cli` | on | the `canns` command line (and its argument parser, clap). A library or a notebook does not need it: `default-features = false` skips compiling clap. |
//!
//! Everything else (models, analysis, recordings in every format, figures)
//! is always built.
//!
//! # Datasets
//!
//! The bundled recordings and trajectories live in the repository's
//! `datasets/` folder, not in the published package; [`data::datasets`]
//! finds them at run time (`CANNS_DATA_DIR`, beside the program, the user
//! data folder, or the source checkout). `canns datasets install --from
//! <checkout>/datasets` copies them into the user data folder.

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
pub mod random;
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
