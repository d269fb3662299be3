//! Topological data analysis: Vietoris-Rips persistent homology.
//!
//! [`rips()`] computes persistence barcodes of the Vietoris-Rips filtration of a
//! point cloud (or of a distance matrix, [`rips_distances`]) with coefficients
//! in Z/p, in every dimension up to `maxdim`, and representative cocycles of
//! the H1 classes.
//!
//! The cocycles give coordinates: circular ([`circular_coordinates`], and
//! Perea's sparse variant [`sparse_circular_coordinates`] that solves on
//! landmarks and extends to every point by a partition of unity) and
//! toroidal ([`toroidal_coordinates`], two classes decorrelated by lattice
//! reduction).

pub mod circular;
mod cohomology;
pub mod rips;
pub mod sparse_circular;
pub mod toroidal;

pub use circular::{circular_coordinates, circular_coordinates_of_points};
pub use rips::{rips, rips_distances, Cocycle, Diagrams, RipsParams};
pub use sparse_circular::{
    sparse_circular_coordinates, sparse_circular_coordinates_of_points, CircularCoordinates,
    PartitionWeight, SparseCircularParams,
};
pub use toroidal::{toroidal_coordinates, toroidal_coordinates_of_points, ToroidalCoordinates};
