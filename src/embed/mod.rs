//! Embeddings of high-dimensional activity: PCA, UMAP and the fuzzy
//! nearest-neighbour graph behind it, and the trustworthiness score that
//! says how well an embedding keeps local neighbourhoods.
//!
//! These sit between binned activity and persistent homology in the
//! attractor-signature pipeline: `(n_samples, n_features)` arrays in,
//! `(n_samples, n_components)` arrays out.

pub(crate) mod fuzzy;
pub(crate) mod knn;
mod linalg;
pub(crate) mod pca;
pub(crate) mod trust;
pub(crate) mod umap;

pub use fuzzy::{fuzzy_graph, FuzzyGraph, FuzzyGraphParams};
pub use knn::{knn, Knn, KnnAlgorithm, Metric, BALL_TREE_MAX_FEATURES};
pub use pca::{Pca, PcaParams};
pub use trust::trustworthiness;
pub use umap::{find_ab_params, Init, SgdMode, Umap, UmapParams};
