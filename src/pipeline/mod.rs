//! End-to-end runs: a model on a task, and (in later modules) whole analysis
//! pipelines.

pub mod progress;
pub mod simulate;

pub use simulate::{simulate, simulate_with, SimOptions, Simulation};
