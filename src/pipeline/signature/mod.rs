//! The attractor-signature pipeline: from population activity to the shape
//! of its state space, its significance, and the variable it encodes.
//!
//! Stages, each kept in the [`SignatureResult`]:
//! 1. **bin** spike times (or take a count matrix) at `bin_size`;
//! 2. **smooth** each unit with a Gaussian of standard deviation `smooth`
//!    seconds, then optionally take the **square root** (variance
//!    stabilising for Poisson counts);
//! 3. **select** time points: an optional speed filter (needs positions),
//!    a stride, then the most active fraction by summed activity;
//! 4. optionally **standardise** (z-score) and project by **PCA**;
//! 5. **subsample**: a greedy (furthest-point) permutation in Euclidean
//!    distance, or the fuzzy-kNN denoising of Gardner et al. (2022)
//!    followed by `-ln(membership)` distances;
//! 6. **persistent homology**: Vietoris-Rips barcodes with cocycles;
//! 7. **significance**: every unit's train circularly shifted by an
//!    independent random lag, the whole pipeline re-run per shuffle; a bar
//!    is significant when its [`Statistic`] exceeds the `quantile` of the
//!    largest statistic of its dimension across shuffles. The default
//!    statistic is the scale-free ratio `death / birth` (Bobrowski & Skraba
//!    2023), since shuffled clouds are spread wider than the real one and
//!    raw lifetimes compare their sizes, not their shapes; for a torus,
//!    the ratio standardised by the diagram's own bars
//!    ([`Statistic::Universal`]);
//! 8. **coordinates**: sparse circular (one class) or toroidal (two
//!    classes) coordinates of every selected time point;
//! 9. **comparison** of the decoded angle with a measured one: circular
//!    correlation with the best rotation and reflection.
//!
//! Two presets: [`SignatureParams::head_direction`] (the default) and
//! [`SignatureParams::asa`], the recipe of the Python `canns` package's ASA
//! analysis, after Gardner et al. (2022).
//!
//! # References
//! - R. J. Gardner, E. Hermansen, M. Pachitariu, Y. Burak, N. A. Baas,
//!   B. A. Dunn, M.-B. Moser, E. I. Moser (2022), Toroidal topology of
//!   population activity in grid cells, Nature 602:123-128 (Methods:
//!   "Persistent cohomology", "Shuffling").
//! - R. Chaudhuri, B. Gercek, B. Pandey, A. Peyrache, I. Fiete (2019), The
//!   intrinsic attractor manifold and population dynamics of a canonical
//!   cognitive circuit across waking and sleep, Nat. Neurosci. 22:1512-1520.
//! - K. V. Mardia, P. E. Jupp (2000), Directional Statistics, section 2.3.1
//!   (mean resultant length).
//! - O. Bobrowski, P. Skraba (2023), A universal null-distribution for
//!   topological data analysis, Sci. Rep. 13:12274 (the multiplicative
//!   persistence `pi = death / birth` and its universal LGumbel law).

mod activity;
mod result;
mod stages;
mod statistic;

pub use crate::analysis::circular::{compare_angles, CircularComparison};
pub use activity::Activity;
pub use result::SignatureResult;
#[allow(deprecated)]
pub use stages::Signature;
pub use stages::{SignatureParams, Subsample, Topology};
pub use statistic::Statistic;
