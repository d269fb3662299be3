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
//!
//! ## Circular coordinates
//!
//! Circular coordinates from an H1 cocycle (de Silva, Morozov &
//! Vejdemo-Johansson 2011).
//!
//! A persistent H1 class with an integer-lifted representative cocycle `z`
//! (coefficients in (-p/2, p/2]) defines a map from the points to the circle:
//! on the Rips graph at a scale `eps` in `[birth, death)`, find the vertex
//! function `f` minimising `sum_(i<j) (z_ij - (f_j - f_i))^2` (a graph
//! Laplacian system, solved by conjugate gradients), and take
//! `theta_i = 2 pi (f_i mod 1)`. Going once around the class advances
//! `theta` by one turn, so for points sampled from a ring, `theta` recovers
//! their angle up to rotation and reflection.
//!
//! ### References
//! - V. de Silva, D. Morozov, M. Vejdemo-Johansson (2011), Persistent
//!   cohomology and circular coordinates, Discrete Comput. Geom. 45:737-759.
//!
//! ## Vietoris-Rips persistent homology
//!
//! By persistent cohomology with clearing.
//!
//! The algorithm follows Bauer (2021): simplices are never stored as a
//! filtration; each `d`-simplex is a single integer in the combinatorial
//! number system (vertices `v_d > ... > v_0` map to `sum_i C(v_i, i + 1)`),
//! its coboundary is enumerated on demand, and the coboundary matrix is
//! reduced column by column in reverse filtration order (decreasing
//! diameter). A column that reduces to the pivot `tau` gives the interval
//! `[diam(sigma), diam(tau))` in dimension `d`; a column that reduces to zero
//! gives an essential class. Pivots of dimension `d` are `(d+1)`-simplices
//! that can never be essential, so they are cleared from the columns of the
//! next dimension (clearing). Dimension 0 is computed with a union-find over
//! the edges sorted by length. Zero-length intervals are not reported (as in
//! Ripser).
//!
//! The persistence diagram does not depend on how ties between equal
//! diameters are broken, so the intervals equal Ripser's.
//!
//! ### References
//! - U. Bauer (2021), Ripser: efficient computation of Vietoris-Rips
//!   persistence barcodes, J. Appl. Comput. Topology 5:391-423.
//! - V. de Silva, D. Morozov, M. Vejdemo-Johansson (2011), Dualities in
//!   persistent (co)homology, Inverse Problems 27:124003.
//!
//! ## Toroidal coordinates
//!
//! Toroidal coordinates from two H1 classes, decorrelated by lattice
//! reduction (Scoccola, Gakhar, Bush, Schonsheck, Rask, Zhou & Perea 2023).
//!
//! Two persistent classes give two circular coordinates, but persistent
//! cohomology returns an arbitrary basis of the classes: on a torus it may
//! hand back `a` and `a + b`, whose coordinates wind together. Any
//! unimodular integer combination `M` of the integer cocycles is another
//! basis with the same torus, and the harmonic representatives transform
//! linearly (`theta' = M theta`, `f' = M f`). Scoccola et al. choose `M` so
//! that the harmonic representatives are as short and as orthogonal as the
//! lattice allows in the inner product `<theta_1, theta_2> = sum over edges
//! theta_1 theta_2`: for two classes this is Lagrange-Gauss reduction of
//! their Gram matrix, after which `|<b_1, b_2>| <= <b_1, b_1> / 2 <=
//! <b_2, b_2> / 2`. The two coordinates are then extended to every point by
//! Perea's partition of unity (see [`SparseCircularParams`]).
//!
//! ### References
//! - L. Scoccola, H. Gakhar, J. Bush, N. Schonsheck, T. Rask, L. Zhou,
//!   J. A. Perea (2023), Toroidal coordinates: decorrelating circular
//!   coordinates with lattice reduction, SoCG 2023, LIPIcs 258:57,
//!   arXiv:2212.07201 (section 3, Algorithm 1).
//! - J. A. Perea (2020), Sparse circular coordinates via principal Z-bundles.

pub(crate) mod circular;
mod cohomology;
pub(crate) mod rips;
pub(crate) mod sparse_circular;
pub(crate) mod toroidal;

pub use circular::{circular_coordinates, circular_coordinates_of_points};
pub use rips::{rips, rips_distances, Cocycle, Diagrams, RipsParams, MAX_COEFF};
pub use sparse_circular::{
    extend, sparse_circular_coordinates, sparse_circular_coordinates_of_points,
    CircularCoordinates, PartitionWeight, SparseCircularParams,
};
pub use toroidal::{
    reduce_lattice, toroidal_coordinates, toroidal_coordinates_nearest,
    toroidal_coordinates_of_points, ToroidalCoordinates,
};
