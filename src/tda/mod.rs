//! Topological data analysis: Vietoris-Rips persistent homology.
//!
//! [`rips()`] computes persistence barcodes of the Vietoris-Rips filtration of a
//! point cloud (or of a distance matrix, [`rips_distances`]) with coefficients
//! in Z/p, in every dimension up to `maxdim`, and representative cocycles of
//! the H1 classes.

pub mod circular;
mod cohomology;
pub mod rips;

pub use circular::{circular_coordinates, circular_coordinates_of_points};
pub use rips::{rips, rips_distances, Cocycle, Diagrams, RipsParams};
