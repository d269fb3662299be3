//! End-to-end runs: a model on a task, and whole analysis pipelines (the
//! attractor signature of population activity, [`SignatureParams`]).
//!
//! ## Replay runs
//!
//! Replay runs: a CANN on the [`Replay`](crate::tasks::Replay) protocol, over seeds, recording the
//! decoded bump trajectory (and optionally the rate raster), with the
//! statistics of [`crate::analysis::ReplayStats`] on top.
//!
//! Ji et al. (2026): with the adaptation strength `m` relative to the
//! travelling-wave boundary `m* = tau / tau_v` as the one control variable,
//! the bump left by a cue stays put (`m / m* = 0`, MSD exponent about 1 from
//! the input noise), diffuses, or moves super-diffusively (`m / m* > 1`,
//! exponent towards 2).
//!
//! ### Examples
//! ```
//! use canns::prelude::*;
//! use canns::pipeline::{replay_trials, ji_1d};
//! use canns::tasks::Replay;
//! // The 1-D model of Ji et al. far above the boundary (m / m* = 3.5), two
//! // seeds, cue 50 ms then 200 ms free: nearly ballistic (exponent 1.92 in
//! // the authors' model).
//! let runs = replay_trials(|s| ji_1d(3.5, s), &Replay::params(), &[0, 1], 0)?;
//! let stats = runs.stats(10.0)?;
//! assert!(stats.msd_exponent > 1.7);
//! # Ok::<(), canns::Error>(())
//! ```
//!
//! ### References
//! - Ji, Chu, Dong, Yu, Bush, Burgess & Wu (2026), Nat Commun,
//!   doi:10.1038/s41467-025-68042-3.
//!
//! ## Simulation
//!
//! [`simulate`]: run a model on a task and record what happened.
//!
//!
//! ## Attractor signatures
//!
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
//! ### References
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

pub(crate) mod progress;
pub(crate) mod replay;
pub(crate) mod signature;
pub(crate) mod simulate;
pub mod sweep;
pub mod synthetic;
pub(crate) mod theta_sweep;

pub use progress::{in_notebook_kernel, Progress, ShowProgress};
pub use replay::{
    adaptation_spectrum, ji_1d, ji_1d_params, ji_2d, ji_2d_params, replay_trials, run_replay,
    AdaptationSpectrum, ReplayRun, ReplayTrials,
};
#[allow(deprecated)]
pub use signature::Signature;
pub use signature::{Activity, SignatureParams, SignatureResult, Statistic, Subsample, Topology};
pub use simulate::{simulate, simulate_with, SimOptions, Simulation};
pub use theta_sweep::{ThetaSweep, ThetaSweepParams, ThetaSweepResult};
