//! Analyses of activity and behaviour. Analyses take arrays, tables or
//! results, never a model, and never change what they are given.

pub mod bump;
pub mod tracking;
