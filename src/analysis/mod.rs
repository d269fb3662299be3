//! Analyses of activity and behaviour. Analyses take arrays, tables or
//! results, never a model, and never change what they are given.

pub mod bump;
pub mod circular;
pub mod decoding;
pub mod fixed_points;
pub mod head_direction;
pub mod place;
pub mod raster;
pub mod recording;
pub mod replay;
mod sampling;
pub mod sheet;
pub mod theta;
pub mod tracking;

pub use circular::{compare_angles, CircularComparison};
