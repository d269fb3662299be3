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
//! Two presets: [`Signature::head_direction`] (the default) and
//! [`Signature::asa`], the recipe of the Python `canns` package's ASA
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

use crate::display::{self, Bundle, KeyValues, Render, Series};
use crate::embed::{FuzzyGraph, FuzzyGraphParams, KnnAlgorithm, Metric, Pca};
use crate::error::{check, Error, ParamError, Result};
use crate::tda::sparse_circular::{
    classes_by_persistence, extend, sparse_circular_coordinates, CircularCoordinates,
    SparseCircularParams,
};
use crate::tda::toroidal::{toroidal_coordinates, toroidal_coordinates_nearest};
use crate::tda::{rips, rips_distances, Cocycle, Diagrams, RipsParams, ToroidalCoordinates};
use ndarray::{Array2, ArrayView2, Axis};
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Population activity handed to the pipeline.
///
/// # Shapes
/// `counts`: `(n_bins, n_units)`, time-major; `angle`: `(n_bins,)` radians
/// (NaN where not measured); `position`: `(n_bins, 2)` metres.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// Spike counts (or rates) per bin and unit.
    pub counts: Array2<f64>,
    /// Bin width in seconds.
    pub bin_size: f64,
    /// Time of the first bin's start, seconds.
    pub t_start: f64,
    /// A measured angle per bin (e.g. head direction), radians.
    pub angle: Option<Vec<f64>>,
    /// A measured 2D position per bin, metres.
    pub position: Option<Array2<f64>>,
}

impl Activity {
    /// Activity from a `(n_bins, n_units)` count matrix with bins of
    /// `bin_size` seconds.
    ///
    /// # Errors
    /// [`Error::Param`] naming `bin_size` when it is not > 0,
    /// [`Error::Shape`] for an empty matrix, [`Error::Invalid`] for
    /// negative or non-finite counts.
    pub fn from_counts(counts: Array2<f64>, bin_size: f64) -> Result<Self> {
        check::positive("bin_size", bin_size)?;
        let (n, m) = counts.dim();
        if n < 2 || m == 0 {
            return Err(Error::shape(
                "activity counts",
                ">= 2 bins x >= 1 unit",
                format!("{n} x {m}"),
            ));
        }
        if let Some(((i, j), v)) = counts
            .indexed_iter()
            .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
        {
            return Err(Error::Invalid(format!(
                "counts[{i}, {j}] must be finite and >= 0 (got {v})"
            )));
        }
        Ok(Self {
            counts,
            bin_size,
            t_start: 0.0,
            angle: None,
            position: None,
        })
    }

    /// Bins spike times (seconds, one list per unit) into `[t_start,
    /// t_stop)` with bins of `bin_size` seconds; spikes outside are ignored.
    ///
    /// # Examples
    /// ```
    /// use canns::pipeline::signature::Activity;
    /// let a = Activity::from_spike_times(&[vec![0.05, 0.15, 0.16], vec![0.25]], 0.1, 0.0, 0.3)?;
    /// assert_eq!(a.counts.column(0).to_vec(), vec![1.0, 2.0, 0.0]);
    /// assert_eq!(a.counts.column(1).to_vec(), vec![0.0, 0.0, 1.0]);
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Param`] for a non-positive `bin_size` or `t_stop <= t_start`;
    /// [`Error::Shape`] with no unit or fewer than two bins.
    pub fn from_spike_times(
        spikes: &[Vec<f64>],
        bin_size: f64,
        t_start: f64,
        t_stop: f64,
    ) -> Result<Self> {
        check::positive("bin_size", bin_size)?;
        check::finite("t_start", t_start)?;
        check::finite("t_stop", t_stop)?;
        if t_stop <= t_start {
            return Err(ParamError::new("t_stop", format!("> t_start = {t_start}"), t_stop).into());
        }
        // The tolerance keeps float rounding (0.3 / 0.1 = 2.999...) from dropping a bin.
        let n = ((t_stop - t_start) / bin_size + 1e-9).floor() as usize;
        let mut counts = Array2::zeros((n, spikes.len()));
        for (u, train) in spikes.iter().enumerate() {
            for &t in train {
                if t >= t_start && t < t_stop {
                    let b = ((t - t_start) / bin_size) as usize;
                    if b < n {
                        counts[[b, u]] += 1.0;
                    }
                }
            }
        }
        let mut a = Self::from_counts(counts, bin_size)?;
        a.t_start = t_start;
        Ok(a)
    }

    /// Bins the spikes of every unit of `recording` at `bin_size` seconds
    /// over the epoch named `epoch` (or the whole recording with `None`;
    /// see [`Recording::bin_spikes`](crate::data::Recording::bin_spikes)),
    /// and attaches the head direction (channel `head_direction`, circular
    /// interpolation at the bin centres) and the position (channels `x`,
    /// `y`) when the recording has them. Select units first, e.g.
    /// `recording.select_units("location", "adn")`.
    ///
    /// With an epoch of several intervals the bins are concatenated and
    /// [`Activity::time`] counts from the first interval's start.
    ///
    /// # Examples
    /// ```
    /// use canns::data::Recording;
    /// use canns::pipeline::signature::Activity;
    /// let rec = Recording::dataset("A2929-200711")?.select_units("location", "adn")?;
    /// let a = Activity::from_recording(&rec, 0.1, Some("wake"))?;
    /// assert_eq!(a.n_units(), 7);
    /// assert!(a.angle.is_some());
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Recording::bin_spikes`](crate::data::Recording::bin_spikes)
    /// (bad `bin_size`, unknown epoch); [`Error::Shape`] when fewer than
    /// two bins or no unit remain.
    pub fn from_recording(
        recording: &crate::data::Recording,
        bin_size: f64,
        epoch: Option<&str>,
    ) -> Result<Self> {
        use crate::data::col;
        let b = recording.bin_spikes(bin_size, epoch)?;
        let mut a = Self::from_counts(b.counts, bin_size)?;
        a.t_start = b.centres[0] - 0.5 * bin_size;
        let channels = recording.channels();
        let has = |c: &str| channels.iter().any(|x| x == c);
        if has(col::HEAD_DIRECTION) {
            a.angle = Some(recording.behaviour_at(col::HEAD_DIRECTION, &b.centres)?);
        }
        if has(col::X) && has(col::Y) {
            let x = recording.behaviour_at(col::X, &b.centres)?;
            let y = recording.behaviour_at(col::Y, &b.centres)?;
            a.position = Some(Array2::from_shape_fn((x.len(), 2), |(i, j)| {
                if j == 0 {
                    x[i]
                } else {
                    y[i]
                }
            }));
        }
        Ok(a)
    }

    /// Adds a measured angle per bin (radians; NaN where unknown).
    ///
    /// # Errors
    /// [`Error::Shape`] when there is not one value per bin.
    pub fn with_angle(mut self, angle: Vec<f64>) -> Result<Self> {
        if angle.len() != self.n_bins() {
            return Err(Error::shape("angle", self.n_bins(), angle.len()));
        }
        self.angle = Some(angle);
        Ok(self)
    }

    /// Adds a measured position per bin (metres; NaN where unknown).
    ///
    /// # Errors
    /// [`Error::Shape`] when it is not `(n_bins, 2)`.
    pub fn with_position(mut self, position: Array2<f64>) -> Result<Self> {
        if position.dim() != (self.n_bins(), 2) {
            return Err(Error::shape(
                "position",
                format!("{} x 2", self.n_bins()),
                format!("{} x {}", position.nrows(), position.ncols()),
            ));
        }
        self.position = Some(position);
        Ok(self)
    }

    /// Number of time bins.
    pub fn n_bins(&self) -> usize {
        self.counts.nrows()
    }

    /// Number of units.
    pub fn n_units(&self) -> usize {
        self.counts.ncols()
    }

    /// Centre time of bin `i`, seconds.
    pub fn time(&self, i: usize) -> f64 {
        self.t_start + (i as f64 + 0.5) * self.bin_size
    }

    /// The same activity with each unit's counts circularly shifted by
    /// `shifts[u]` bins (the behaviour stays in place).
    fn shifted(&self, shifts: &[usize]) -> Activity {
        let n = self.n_bins();
        let mut counts = Array2::zeros(self.counts.dim());
        for (u, &s) in shifts.iter().enumerate() {
            for i in 0..n {
                counts[[(i + s) % n, u]] = self.counts[[i, u]];
            }
        }
        Activity {
            counts,
            ..self.clone()
        }
    }
}

impl std::fmt::Display for Activity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Activity({} bins of {} s, {} units{}{})",
            self.n_bins(),
            self.bin_size,
            self.n_units(),
            if self.angle.is_some() { ", angle" } else { "" },
            if self.position.is_some() {
                ", position"
            } else {
                ""
            }
        )
    }
}

/// How the selected time points are subsampled before persistent homology.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subsample {
    /// Greedy (furthest-point) permutation in Euclidean distance, starting
    /// from the first point; Rips on Euclidean distances between the
    /// landmarks, and Perea's partition of unity over balls of radius
    /// `eps / 2` for the coordinates.
    Greedy,
    /// Gardner et al. (2022): a fuzzy `k`-nearest-neighbour graph
    /// (`local_connectivity = 0`), points picked greedily by largest
    /// remaining total membership (each pick subtracts its memberships),
    /// then a second fuzzy graph with `nbs` neighbours on the picked points
    /// whose `-ln(membership)` is the distance for Rips. Coordinates extend
    /// to every point over its `n_nearest` nearest landmarks (Euclidean).
    Fuzzy {
        /// Neighbours of the denoising graph (ASA: 1000).
        k: usize,
        /// Neighbours of the distance graph (ASA: 800).
        nbs: usize,
        /// Metric of both graphs (ASA: cosine).
        metric: Metric,
    },
}

/// The per-bar statistic compared with the shuffles (stage 7).
///
/// Circularly shifting units decorrelates them, which spreads the shuffled
/// cloud over a larger volume than the real one: its bars are born *and*
/// die later. A raw lifetime `death - birth` then grows with the cloud's
/// scale and a real ring can lose against noise that is merely wider (on the
/// seven ADn units of A2929-200711, the real ring lives 0.76 while the
/// longest shuffled bars live 0.85-1.32). The ratio `death / birth` is
/// unchanged when a cloud is scaled, and for a Rips filtration the birth of
/// a cycle is the local sampling scale around it, so the ratio measures how
/// many times larger than the local noise the hole is: the default. On the
/// ADn ring (`cargo test --test signature_real`) the ratio is 2.60 against
/// a shuffle band of 1.99, while the raw lifetime (1.08) stays under its
/// band (1.09).
///
/// The ratios of small noise bars still depend on the cloud's intrinsic
/// dimension: a 2D torus sampled by 200 landmarks has sampling holes with
/// larger ratios than any bar of a shuffled 6D blob, so the ratio calls
/// them significant. Bobrowski & Skraba's standardisation subtracts the
/// mean `ln ln` ratio of the diagram and removes that dependence
/// ([`Statistic::Universal`]; on grid cells exactly two H1 bars and one H2
/// bar pass, `cargo test --test signature_grid`). It needs a bulk of
/// noise bars to standardise by: on clean data with one or two H1 bars it
/// says nothing (one bar alone always gets `-gamma`), hence not the
/// default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    /// Multiplicative persistence `pi = death / birth` (Bobrowski & Skraba
    /// 2023, eq. 1). Infinite bars die at the threshold; a bar
    /// born at 0 (never in H1 of distinct points) counts as infinitely
    /// persistent. H0 bars, all born at 0, use their lifetime.
    Ratio,
    /// Lifetime `death - birth` in the filtration's units (Gardner et al.
    /// 2022 compare it with shuffles); infinite bars die at the threshold.
    Lifetime,
    /// Bobrowski & Skraba's (2023, eqs. 3-4) standardised
    /// `l = ln ln pi - mean(ln ln pi) - gamma` (Euler's gamma; the mean
    /// over the bars of the same dimension and diagram, `A = 1` for Rips):
    /// the ratio measured against the diagram's own bulk of small bars, so
    /// that clouds of different intrinsic dimension (a 2D torus against a
    /// 6D shuffled blob, whose noise bars have smaller ratios) compare
    /// fairly. Under noise `l` follows the left-skewed Gumbel law
    /// (`P(l > x) = exp(-e^x)`). H0 uses the lifetime.
    Universal,
}

impl Statistic {
    /// The statistic of the bar `(birth, death)` of dimension `dim` in a
    /// filtration cut at `threshold` ([`Statistic::Universal`] gives the
    /// ratio here: its standardisation needs the whole diagram, see
    /// [`Statistic::of_bars`]).
    ///
    /// # Examples
    /// ```
    /// use canns::pipeline::signature::Statistic;
    /// assert_eq!(Statistic::Ratio.of(1, (0.5, 2.0), 10.0), 4.0);
    /// assert_eq!(Statistic::Lifetime.of(1, (0.5, 2.0), 10.0), 1.5);
    /// // Infinite bars end at the threshold.
    /// assert_eq!(Statistic::Ratio.of(1, (0.5, f64::INFINITY), 10.0), 20.0);
    /// ```
    pub fn of(self, dim: usize, bar: (f64, f64), threshold: f64) -> f64 {
        let death = bar.1.min(threshold);
        match self {
            Statistic::Ratio | Statistic::Universal if dim > 0 => {
                if bar.0 > 0.0 {
                    death / bar.0
                } else {
                    f64::INFINITY
                }
            }
            _ => death - bar.0,
        }
    }

    /// The statistic of every bar of dimension `dim` of `diagrams`, in the
    /// bars' order (H0 without its infinite bars).
    ///
    /// # Examples
    /// ```
    /// use canns::pipeline::signature::Statistic;
    /// use canns::tda::Diagrams;
    /// let d = Diagrams {
    ///     pairs: vec![vec![], vec![(1.0, 1.1), (2.0, 2.2), (1.0, 1.1), (1.0, 8.0)]],
    ///     cocycles: vec![],
    ///     threshold: 100.0,
    ///     coeff: 47,
    ///     n_points: 10,
    ///     idx_perm: (0..10).collect(),
    ///     cover_radius: 0.0,
    /// };
    /// let ratio = Statistic::Ratio.of_bars(&d, 1);
    /// assert!((ratio[1] - 1.1).abs() < 1e-12 && ratio[3] == 8.0);
    /// // Standardised: the three noise bars alike, the long one far above.
    /// let l = Statistic::Universal.of_bars(&d, 1);
    /// assert!((l[0] - l[1]).abs() < 1e-9 && l[3] > l[0] + 3.0);
    /// // Scaling the cloud changes neither.
    /// let mut big = d.clone();
    /// big.pairs[1].iter_mut().for_each(|p| *p = (10.0 * p.0, 10.0 * p.1));
    /// big.threshold = 1000.0;
    /// assert_eq!(Statistic::Universal.of_bars(&big, 1), l);
    /// ```
    pub fn of_bars(self, diagrams: &Diagrams, dim: usize) -> Vec<f64> {
        let th = diagrams.threshold;
        let v: Vec<f64> = diagrams.pairs.get(dim).map_or(Vec::new(), |ps| {
            ps.iter()
                .filter(|p| dim > 0 || p.1.is_finite())
                .map(|&p| self.of(dim, p, th))
                .collect()
        });
        if self != Statistic::Universal || dim == 0 {
            return v;
        }
        let shift = universal_shift(diagrams, dim);
        v.iter().map(|pi| pi.ln().ln() - shift).collect()
    }
}

/// `mean(ln ln pi) + gamma` over the finite ratios of dimension `dim`
/// (0 without any): what [`Statistic::Universal`] subtracts.
fn universal_shift(d: &Diagrams, dim: usize) -> f64 {
    const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;
    let ll: Vec<f64> = d.pairs.get(dim).map_or(Vec::new(), |ps| {
        ps.iter()
            .map(|&p| Statistic::Ratio.of(dim.max(1), p, d.threshold).ln().ln())
            .filter(|x| x.is_finite())
            .collect()
    });
    if ll.is_empty() {
        return 0.0;
    }
    ll.iter().sum::<f64>() / ll.len() as f64 + EULER_GAMMA
}

/// The attractor-signature pipeline's parameters (see the module docs for
/// the stages). Build one from a preset and adjust it with the setters.
///
/// # Examples
/// ```
/// use canns::pipeline::signature::Signature;
/// let s = Signature::asa().n_shuffles(10);
/// assert_eq!(s.pca, Some(6));
/// assert!(s.validate().is_ok());
/// assert!(Signature::default().active_fraction(0.0).validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Signature {
    /// Gaussian smoothing of each unit in time: standard deviation in
    /// seconds (0 disables). Default 0.1 s; ASA 0.05 s.
    pub smooth: f64,
    /// Square root of the smoothed counts. Default true; ASA false.
    pub sqrt: bool,
    /// Keep only bins where the animal moves faster than this (m/s; needs a
    /// position). Default `None`; ASA 0.025 m/s.
    pub min_speed: Option<f64>,
    /// Consider every `stride`-th bin. Default 1; ASA 5.
    pub stride: usize,
    /// Fraction of the considered bins kept, the most active by summed
    /// (smoothed) activity. In `(0, 1]`. Default 0.5; ASA 1.
    pub active_fraction: f64,
    /// At most this many bins kept. Default `None`; ASA 15000.
    pub max_active: Option<usize>,
    /// Z-score every unit over the kept bins before PCA. Default false; ASA true.
    pub standardize: bool,
    /// Project on this many principal components. Default `None`; ASA 6.
    pub pca: Option<usize>,
    /// Number of points handed to persistent homology. Default 500; ASA 1200.
    pub n_points: usize,
    /// Subsampling. Default [`Subsample::Greedy`]; ASA fuzzy (1000, 800, cosine).
    pub subsample: Subsample,
    /// Largest homology dimension (1 for rings and tori, 2 to see a torus's
    /// H2). Default 1.
    pub maxdim: usize,
    /// Coefficients Z/p (a prime that does not divide the torsion of
    /// interest). Default 47.
    pub coeff: u64,
    /// How many of the most persistent H1 classes are decoded: 1 (circular
    /// coordinate) or 2 (toroidal coordinates). Default 1.
    pub n_classes: usize,
    /// Shuffled surrogates (0 skips the significance test). Default 100.
    pub n_shuffles: usize,
    /// Smallest circular shift of a unit, seconds (shifts are uniform in
    /// `[min_shift, duration - min_shift]`). Default 0.
    pub min_shift: f64,
    /// A bar is significant when its statistic exceeds this quantile of the
    /// largest statistic of its dimension across shuffles. In `(0, 1]`.
    /// Default 0.99.
    pub quantile: f64,
    /// The bar statistic compared with the shuffles. Default
    /// [`Statistic::Ratio`] (`death / birth`, scale-free);
    /// [`Statistic::Universal`] (Bobrowski & Skraba's standardised
    /// `ln ln(death / birth)`, for manifolds of dimension >= 2 such as a
    /// torus) and the raw lifetime ([`Statistic::Lifetime`]) stay
    /// available.
    pub statistic: Statistic,
    /// Where in a class's life the coordinates are computed (see
    /// [`SparseCircularParams::fraction`]). Default 0.5.
    pub fraction: f64,
    /// Landmarks per point in the partition of unity of the fuzzy
    /// subsampling. Default 5.
    pub n_nearest: usize,
    /// Seed of the shuffles. Default 0.
    pub seed: u64,
}

impl Default for Signature {
    fn default() -> Self {
        Self {
            smooth: 0.1,
            sqrt: true,
            min_speed: None,
            stride: 1,
            active_fraction: 0.5,
            max_active: None,
            standardize: false,
            pca: None,
            n_points: 500,
            subsample: Subsample::Greedy,
            maxdim: 1,
            coeff: 47,
            n_classes: 1,
            n_shuffles: 100,
            min_shift: 0.0,
            quantile: 0.99,
            statistic: Statistic::Ratio,
            fraction: 0.5,
            n_nearest: 5,
            seed: 0,
        }
    }
}

impl Signature {
    crate::models::params::setters! {
        /// Sets `smooth`.
        smooth: f64,
        /// Sets `sqrt`.
        sqrt: bool,
        /// Sets `min_speed`.
        min_speed: Option<f64>,
        /// Sets `stride`.
        stride: usize,
        /// Sets `active_fraction`.
        active_fraction: f64,
        /// Sets `max_active`.
        max_active: Option<usize>,
        /// Sets `standardize`.
        standardize: bool,
        /// Sets `pca`.
        pca: Option<usize>,
        /// Sets `n_points`.
        n_points: usize,
        /// Sets `subsample`.
        subsample: Subsample,
        /// Sets `maxdim`.
        maxdim: usize,
        /// Sets `coeff`.
        coeff: u64,
        /// Sets `n_classes`.
        n_classes: usize,
        /// Sets `n_shuffles`.
        n_shuffles: usize,
        /// Sets `min_shift`.
        min_shift: f64,
        /// Sets `quantile`.
        quantile: f64,
        /// Sets `statistic`.
        statistic: Statistic,
        /// Sets `fraction`.
        fraction: f64,
        /// Sets `n_nearest`.
        n_nearest: usize,
        /// Sets `seed`.
        seed: u64,
    }

    /// The default preset, for head-direction rings from a few units:
    /// 0.1 s Gaussian smoothing and a square root (Poisson counts of
    /// sharply tuned cells at 0.1 s bins; the root evens out the variance
    /// between strongly and weakly firing units without z-scoring weak ones
    /// up to noise), the more active half of the bins (the quiet half
    /// carries little angle), no PCA (with a handful of units every
    /// dimension carries the ring), 500 greedy landmarks in Euclidean
    /// distance (the landmarks cover the cloud evenly, so Perea's
    /// partition of unity extends to every point), Z/47, H1 only, one
    /// class, 100 shuffles with a 99% band on the scale-free `death /
    /// birth` ratio ([`Statistic::Ratio`]).
    pub fn head_direction() -> Self {
        Self::default()
    }

    /// The Python `canns` package's ASA recipe (after Gardner et al. 2022),
    /// for counts binned at 10 ms: 50 ms smoothing, no square root, speed
    /// filter at 2.5 cm/s (when positions are given), every 5th bin, at
    /// most 15000 most active bins, z-score, PCA to 6, fuzzy-kNN denoising
    /// (k = 1000, cosine) to 1200 points, `-ln` membership distances (800
    /// neighbours), Z/47, the two most persistent H1 classes.
    pub fn asa() -> Self {
        Self {
            smooth: 0.05,
            sqrt: false,
            min_speed: Some(0.025),
            stride: 5,
            active_fraction: 1.0,
            max_active: Some(15000),
            standardize: true,
            pca: Some(6),
            n_points: 1200,
            subsample: Subsample::Fuzzy {
                k: 1000,
                nbs: 800,
                metric: Metric::Cosine,
            },
            n_classes: 2,
            ..Self::default()
        }
    }

    /// Checks every field.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn validate(&self) -> Result<()> {
        check::non_negative("smooth", self.smooth)?;
        if let Some(v) = self.min_speed {
            check::non_negative("min_speed", v)?;
        }
        check::at_least("stride", self.stride, 1)?;
        if !(self.active_fraction > 0.0 && self.active_fraction <= 1.0) {
            return Err(
                ParamError::new("active_fraction", "in (0, 1]", self.active_fraction).into(),
            );
        }
        if let Some(m) = self.max_active {
            check::at_least("max_active", m, 3)?;
        }
        if let Some(k) = self.pca {
            check::at_least("pca", k, 1)?;
        }
        check::at_least("n_points", self.n_points, 3)?;
        if let Subsample::Fuzzy { k, nbs, .. } = self.subsample {
            check::at_least("subsample.k", k, 2)?;
            check::at_least("subsample.nbs", nbs, 2)?;
        }
        if !(1..=2).contains(&self.n_classes) {
            return Err(ParamError::new("n_classes", "1 or 2", self.n_classes).into());
        }
        if self.maxdim < 1 {
            return Err(ParamError::new("maxdim", ">= 1", self.maxdim).into());
        }
        RipsParams::default()
            .maxdim(self.maxdim)
            .coeff(self.coeff)
            .validate()?;
        check::non_negative("min_shift", self.min_shift)?;
        if !(self.quantile > 0.0 && self.quantile <= 1.0) {
            return Err(ParamError::new("quantile", "in (0, 1]", self.quantile).into());
        }
        SparseCircularParams::default()
            .fraction(self.fraction)
            .validate()?;
        check::at_least("n_nearest", self.n_nearest, 1)?;
        Ok(())
    }

    /// Stage 2: smoothed (and square-rooted) activity, `(n_bins, n_units)`.
    pub fn rates(&self, activity: &Activity) -> Array2<f64> {
        let sigma = self.smooth / activity.bin_size;
        let mut r = if sigma > 0.0 {
            gaussian_smooth(&activity.counts.view(), sigma)
        } else {
            activity.counts.clone()
        };
        if self.sqrt {
            r.mapv_inplace(|v| v.max(0.0).sqrt());
        }
        r
    }

    /// Stage 3: the kept bins (ascending), from the rates of [`Signature::rates`].
    ///
    /// # Errors
    /// [`Error::Invalid`] when a speed filter is asked for without
    /// positions, or fewer than 3 bins remain.
    pub fn select(&self, activity: &Activity, rates: &Array2<f64>) -> Result<Vec<usize>> {
        let n = activity.n_bins();
        let speed_ok: Vec<bool> = match (self.min_speed, &activity.position) {
            (None, _) => vec![true; n],
            (Some(_), None) => {
                return Err(Error::Invalid(
                    "min_speed needs a position per bin (Activity::with_position), or set min_speed to None".into(),
                ))
            }
            (Some(v), Some(p)) => (0..n)
                .map(|i| {
                    let (a, b) = (i.saturating_sub(1), (i + 1).min(n - 1));
                    let dt = (b - a) as f64 * activity.bin_size;
                    let d = ((p[[b, 0]] - p[[a, 0]]).powi(2) + (p[[b, 1]] - p[[a, 1]]).powi(2)).sqrt();
                    d / dt > v
                })
                .collect(),
        };
        let cand: Vec<usize> = (0..n)
            .step_by(self.stride)
            .filter(|&i| speed_ok[i])
            .collect();
        let mut keep = ((cand.len() as f64 * self.active_fraction).ceil() as usize).min(cand.len());
        if let Some(m) = self.max_active {
            keep = keep.min(m);
        }
        let score: Vec<f64> = cand.iter().map(|&i| rates.row(i).sum()).collect();
        let mut order: Vec<usize> = (0..cand.len()).collect();
        // Most active first; ties by time, so the selection is deterministic.
        order.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
        let mut kept: Vec<usize> = order[..keep].iter().map(|&k| cand[k]).collect();
        kept.sort_unstable();
        if kept.len() < 3 {
            return Err(Error::Invalid(format!(
                "only {} time bins left after the speed filter and activity selection (need >= 3)",
                kept.len()
            )));
        }
        Ok(kept)
    }

    /// Stage 4: the point cloud of the kept bins (z-scored and projected
    /// when asked) and the PCA.
    ///
    /// # Errors
    /// As [`PcaParams::fit`](crate::embed::PcaParams::fit).
    pub fn embed(&self, rates: &Array2<f64>, kept: &[usize]) -> Result<(Array2<f64>, Option<Pca>)> {
        let mut x = rates.select(Axis(0), kept);
        if self.standardize {
            for mut col in x.columns_mut() {
                let m = col.mean().unwrap_or(0.0);
                let sd = col.mapv(|v| (v - m) * (v - m)).mean().unwrap_or(0.0).sqrt();
                col.mapv_inplace(|v| if sd > 0.0 { (v - m) / sd } else { 0.0 });
            }
        }
        match self.pca {
            Some(k) => {
                let k = k.min(x.ncols()).min(x.nrows());
                let (p, y) = Pca::params().n_components(k).fit_transform(&x.view())?;
                Ok((y, Some(p)))
            }
            None => Ok((x, None)),
        }
    }

    /// Stages 5-6: landmarks (indices into `points`), the distances between
    /// them that Rips saw, and the diagrams (cocycle vertices are positions
    /// in the landmark list).
    ///
    /// # Errors
    /// As [`rips()`] and [`FuzzyGraphParams::build`].
    pub fn topology(&self, points: &Array2<f64>) -> Result<Topology> {
        let n = points.nrows();
        let m = self.n_points.min(n);
        let rp = RipsParams::default()
            .maxdim(self.maxdim)
            .coeff(self.coeff)
            .cocycles(true);
        match self.subsample {
            Subsample::Greedy => {
                let d = rips(points, &rp.n_perm(m))?;
                let idx = d.idx_perm.clone();
                let e = |a: usize, b: usize| {
                    points
                        .row(idx[a])
                        .iter()
                        .zip(points.row(idx[b]))
                        .map(|(x, y)| (x - y) * (x - y))
                        .sum::<f64>()
                        .sqrt()
                };
                let land = Array2::from_shape_fn((m, m), |(a, b)| e(a, b));
                let classes = classes_by_persistence(&d)?;
                Ok(Topology {
                    landmarks: idx,
                    cover_radius: d.cover_radius,
                    distances: land,
                    diagrams: d,
                    classes,
                })
            }
            Subsample::Fuzzy { k, nbs, metric } => {
                let k = k.min(n);
                let g = FuzzyGraphParams::default()
                    .n_neighbors(k.max(2))
                    .metric(metric)
                    .local_connectivity(0.0)
                    .algorithm(KnnAlgorithm::Auto)
                    .build(&points.view())?;
                let landmarks = denoise(&g, m);
                let sub = points.select(Axis(0), &landmarks);
                let g2 = FuzzyGraphParams::default()
                    .n_neighbors(nbs.min(m).max(2))
                    .metric(metric)
                    .local_connectivity(0.0)
                    .build(&sub.view())?;
                let mut dist = g2.log_distance_matrix(None)?;
                let top = dist
                    .iter()
                    .copied()
                    .filter(|v| v.is_finite())
                    .fold(0.0, f64::max);
                // No edge: beyond the threshold, as an infinite distance is for Ripser.
                dist.mapv_inplace(|v| if v.is_finite() { v } else { 2.0 * top + 1.0 });
                let d = rips_distances(&dist.view(), &rp.threshold(top))?;
                let cover = (0..n)
                    .map(|i| {
                        landmarks
                            .iter()
                            .map(|&j| euclid(points, i, j))
                            .fold(f64::INFINITY, f64::min)
                    })
                    .fold(0.0, f64::max);
                let classes = classes_by_persistence(&d)?;
                Ok(Topology {
                    landmarks,
                    cover_radius: cover,
                    distances: dist,
                    diagrams: d,
                    classes,
                })
            }
        }
    }

    /// The largest statistic of every dimension after stages 2-6 on
    /// `activity` (what a shuffle contributes to the null distribution).
    fn longest_bars(&self, activity: &Activity) -> Result<Vec<f64>> {
        let rates = self.rates(activity);
        let kept = self.select(activity, &rates)?;
        let (points, _) = self.embed(&rates, &kept)?;
        let t = self.topology(&points)?;
        Ok(largest_statistic(&t.diagrams, self.statistic))
    }

    /// Runs the whole pipeline on `activity`.
    ///
    /// # Examples
    /// ```
    /// use canns::pipeline::signature::{Activity, Signature};
    /// // Eight cosine-tuned units on an angle turning at 1 rad/s, 0.1 s bins.
    /// let n = 400;
    /// let angle: Vec<f64> = (0..n).map(|i| (0.1 * i as f64) % std::f64::consts::TAU).collect();
    /// let counts = canns::ndarray::Array2::from_shape_fn((n, 8), |(i, u)| {
    ///     let pref = u as f64 * std::f64::consts::TAU / 8.0;
    ///     5.0 * (1.0 + (angle[i] - pref).cos())
    /// });
    /// let act = Activity::from_counts(counts, 0.1)?.with_angle(angle)?;
    /// let r = Signature::head_direction().n_points(100).n_shuffles(4).run(&act)?;
    /// assert_eq!(r.n_significant(1), 1);
    /// assert!(r.comparison.as_ref().unwrap().correlation > 0.8);
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Param`] for invalid parameters; [`Error::Invalid`] when too
    /// few bins are left or there are fewer H1 classes than `n_classes`; as
    /// the stages.
    pub fn run(&self, activity: &Activity) -> Result<SignatureResult> {
        self.validate()?;
        let rates = self.rates(activity);
        let kept = self.select(activity, &rates)?;
        let (points, pca) = self.embed(&rates, &kept)?;
        let topo = self.topology(&points)?;
        if topo.classes.len() < self.n_classes {
            return Err(Error::Invalid(format!(
                "decoding {} H1 classes but the diagram has {}",
                self.n_classes,
                topo.classes.len()
            )));
        }
        // Significance: the whole pipeline on independently shifted units.
        let n = activity.n_bins();
        let lo = ((self.min_shift / activity.bin_size).ceil() as usize).min(n / 2);
        let shuffle_max: Vec<Vec<f64>> = (0..self.n_shuffles)
            .into_par_iter()
            .map(|s| {
                let mut rng = rand::rngs::StdRng::seed_from_u64(
                    self.seed ^ (s as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                );
                let shifts: Vec<usize> = (0..activity.n_units())
                    .map(|_| {
                        if n - lo > lo {
                            rng.random_range(lo..n - lo)
                        } else {
                            lo
                        }
                    })
                    .collect();
                self.longest_bars(&activity.shifted(&shifts))
            })
            .collect::<Result<_>>()?;
        let band: Vec<f64> = (0..=self.maxdim)
            .map(|d| {
                let v: Vec<f64> = shuffle_max
                    .iter()
                    .map(|s| s.get(d).copied().unwrap_or(0.0))
                    .collect();
                quantile(&v, self.quantile)
            })
            .collect();
        // Coordinates of every kept point.
        let cp = SparseCircularParams::default().fraction(self.fraction);
        let to_land = Array2::from_shape_fn((points.nrows(), topo.landmarks.len()), |(i, b)| {
            euclid(&points, i, topo.landmarks[b])
        });
        let (circular, toroidal, coords) = if self.n_classes == 1 {
            let c = match self.subsample {
                Subsample::Greedy => sparse_circular_coordinates(
                    &topo.distances.view(),
                    &to_land.view(),
                    &topo.classes[0],
                    &cp,
                )?,
                Subsample::Fuzzy { .. } => extend(
                    &topo.distances.view(),
                    &to_land.view(),
                    &topo.classes[0],
                    self.n_nearest,
                    &cp,
                )?,
            };
            let coords = Array2::from_shape_vec((c.theta.len(), 1), c.theta.clone())
                .expect("one angle per point");
            (Some(c), None, coords)
        } else {
            let cls = [&topo.classes[0], &topo.classes[1]];
            let t = match self.subsample {
                Subsample::Greedy => {
                    toroidal_coordinates(&topo.distances.view(), &to_land.view(), cls, &cp)?
                }
                Subsample::Fuzzy { .. } => toroidal_coordinates_nearest(
                    &topo.distances.view(),
                    &to_land.view(),
                    cls,
                    self.n_nearest,
                    &cp,
                )?,
            };
            let coords = t.theta.clone();
            (None, Some(t), coords)
        };
        let measured: Option<Vec<f64>> = activity
            .angle
            .as_ref()
            .map(|a| kept.iter().map(|&i| a[i]).collect());
        let comparison = match &measured {
            Some(m) => (0..coords.ncols())
                .filter_map(|c| {
                    compare_angles(&coords.column(c).to_vec(), m).map(|mut cmp| {
                        cmp.class = c;
                        cmp
                    })
                })
                .max_by(|a, b| a.correlation.total_cmp(&b.correlation)),
            None => None,
        };
        Ok(SignatureResult {
            params: self.clone(),
            bin_size: activity.bin_size,
            n_bins: n,
            n_units: activity.n_units(),
            times: kept.iter().map(|&i| activity.time(i)).collect(),
            kept,
            points,
            pca,
            landmarks: topo.landmarks,
            cover_radius: topo.cover_radius,
            diagrams: topo.diagrams,
            shuffle_max,
            band,
            coords,
            circular,
            toroidal,
            measured,
            comparison,
        })
    }
}

/// Landmarks, their distances and diagrams (stages 5-6).
#[derive(Debug, Clone)]
pub struct Topology {
    /// Indices of the landmarks among the points.
    pub landmarks: Vec<usize>,
    /// Largest Euclidean distance from a point to its nearest landmark.
    pub cover_radius: f64,
    /// `(k, k)` distances between landmarks, as Rips saw them.
    pub distances: Array2<f64>,
    /// The diagrams (with H1 cocycles).
    pub diagrams: Diagrams,
    /// The H1 cocycles, most persistent first, vertices numbered as the landmarks.
    pub classes: Vec<Cocycle>,
}

fn euclid(p: &Array2<f64>, i: usize, j: usize) -> f64 {
    p.row(i)
        .iter()
        .zip(p.row(j))
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt()
}

/// Greedy denoising of Gardner et al. (2022): repeatedly take the point with
/// the largest remaining total membership and subtract its memberships.
fn denoise(g: &FuzzyGraph, m: usize) -> Vec<usize> {
    let n = g.n_points();
    let mut f: Vec<f64> = g.degrees();
    let mut left = vec![true; n];
    let mut out = Vec::with_capacity(m);
    for _ in 0..m.min(n) {
        let i = (0..n)
            .filter(|&i| left[i])
            .max_by(|&a, &b| f[a].total_cmp(&f[b]).then(b.cmp(&a)))
            .expect("points left");
        left[i] = false;
        out.push(i);
        let (idx, w) = g.neighbors(i);
        for (&j, &wij) in idx.iter().zip(w) {
            f[j] -= wij;
        }
    }
    out
}

fn gaussian_smooth(x: &ArrayView2<f64>, sigma: f64) -> Array2<f64> {
    let half = (4.0 * sigma).ceil() as isize;
    let kernel: Vec<f64> = (-half..=half)
        .map(|k| (-0.5 * (k as f64 / sigma).powi(2)).exp())
        .collect();
    let n = x.nrows() as isize;
    let mut out = Array2::zeros(x.dim());
    for (u, col) in x.columns().into_iter().enumerate() {
        for i in 0..n {
            let (mut s, mut w) = (0.0, 0.0);
            for (k, kv) in (-half..=half).zip(&kernel) {
                let j = i + k;
                if j >= 0 && j < n {
                    s += kv * col[j as usize];
                    w += kv;
                }
            }
            // Renormalised at the edges, so the first and last bins are not damped.
            out[[i as usize, u]] = s / w;
        }
    }
    out
}

/// Largest statistic of each dimension (H0 without its infinite bars, the
/// connected components that never merge below the threshold).
fn largest_statistic(d: &Diagrams, stat: Statistic) -> Vec<f64> {
    (0..d.pairs.len())
        .map(|dim| {
            // A dimension without bars contributes the smallest value the
            // statistic can take.
            let floor = match stat {
                Statistic::Universal if dim > 0 => f64::NEG_INFINITY,
                Statistic::Ratio if dim > 0 => 1.0,
                _ => 0.0,
            };
            stat.of_bars(d, dim).into_iter().fold(floor, f64::max)
        })
        .collect()
}

fn quantile(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let pos = q * (s.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    if lo == hi || s[lo] == s[hi] {
        return s[lo];
    }
    // An infinite end point (a shuffle without bars) leaves no room to
    // interpolate: take the upper one.
    if !(s[lo].is_finite() && s[hi].is_finite()) {
        return s[hi];
    }
    s[lo] + (pos - lo as f64) * (s[hi] - s[lo])
}

/// A decoded angle compared with a measured one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CircularComparison {
    /// Which decoded coordinate (0 or 1).
    pub class: usize,
    /// Circular correlation: mean resultant length `|mean exp(i (phi - s theta))|`
    /// of the difference between the measured and the reflected decoded
    /// angle (1: equal up to a rotation; about 0: unrelated).
    pub correlation: f64,
    /// +1 or -1: the decoded angle runs the same way as the measured one, or
    /// the opposite way.
    pub sign: f64,
    /// Rotation added after the reflection, radians.
    pub offset: f64,
    /// Mean absolute angular error after alignment, radians.
    pub mean_abs_error: f64,
    /// Bins compared (measured angle known).
    pub n: usize,
}

/// Compares a decoded angle `theta` with a measured `phi` (radians, NaN in
/// `phi` skipped): for each reflection `s = +-1`, the mean resultant length
/// `R = |mean exp(i (phi - s theta))|` of the difference (Mardia & Jupp
/// 2000, section 2.3.1: 1 when `phi = s theta + c` for a constant `c`,
/// near 0 when they are unrelated); the reflection with the larger `R`,
/// the rotation `c = arg mean exp(i (phi - s theta))` and the mean absolute
/// error of `s theta + c` are returned. (Jammalamadaka's correlation
/// coefficient is unstable for angles spread around the whole circle,
/// where the circular means are undefined.) `None` with fewer than 3 shared
/// values.
///
/// # Examples
/// ```
/// use canns::pipeline::signature::compare_angles;
/// let phi: Vec<f64> = (0..100).map(|i| i as f64 * 0.1).collect();
/// let theta: Vec<f64> = phi.iter().map(|p| 2.0 - p).collect(); // reflected and rotated
/// let c = compare_angles(&theta, &phi).unwrap();
/// assert_eq!(c.sign, -1.0);
/// assert!(c.correlation > 0.999 && c.mean_abs_error < 1e-9);
/// ```
pub fn compare_angles(theta: &[f64], phi: &[f64]) -> Option<CircularComparison> {
    let pairs: Vec<(f64, f64)> = theta
        .iter()
        .zip(phi)
        .filter(|(t, p)| t.is_finite() && p.is_finite())
        .map(|(&t, &p)| (t, p))
        .collect();
    if pairs.len() < 3 {
        return None;
    }
    let mut best: Option<CircularComparison> = None;
    for sign in [1.0, -1.0] {
        let (c, s) = pairs.iter().fold((0.0, 0.0), |(c, s), (t, p)| {
            (c + (p - sign * t).cos(), s + (p - sign * t).sin())
        });
        let offset = s.atan2(c);
        let r = (c * c + s * s).sqrt() / pairs.len() as f64;
        let mae = pairs
            .iter()
            .map(|(t, p)| crate::space::angle_diff(sign * t + offset, *p).abs())
            .sum::<f64>()
            / pairs.len() as f64;
        let cand = CircularComparison {
            class: 0,
            correlation: r,
            sign,
            offset: crate::space::wrap(offset),
            mean_abs_error: mae,
            n: pairs.len(),
        };
        if best
            .as_ref()
            .is_none_or(|b| cand.correlation > b.correlation)
        {
            best = Some(cand);
        }
    }
    best
}

/// Everything the pipeline computed, stage by stage.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignatureResult {
    /// The parameters used.
    pub params: Signature,
    /// Bin width, seconds.
    pub bin_size: f64,
    /// Bins in the input.
    pub n_bins: usize,
    /// Units in the input.
    pub n_units: usize,
    /// Indices of the kept bins (stage 3).
    pub kept: Vec<usize>,
    /// Centre times of the kept bins, seconds.
    pub times: Vec<f64>,
    /// `(n_kept, dim)`: the point cloud (stage 4).
    pub points: Array2<f64>,
    /// The PCA, when asked for.
    pub pca: Option<Pca>,
    /// Landmarks handed to persistent homology: indices into `points` (stage 5).
    pub landmarks: Vec<usize>,
    /// Largest Euclidean distance from a point to its nearest landmark.
    pub cover_radius: f64,
    /// Persistence diagrams of the landmarks (stage 6).
    pub diagrams: Diagrams,
    /// `shuffle_max[s][d]`: largest [`Statistic`] (`params.statistic`) of
    /// dimension `d` in shuffle `s` (stage 7).
    pub shuffle_max: Vec<Vec<f64>>,
    /// `band[d]`: the `quantile` of `shuffle_max[.][d]` (NaN without
    /// shuffles), in the statistic's units.
    pub band: Vec<f64>,
    /// `(n_kept, n_classes)`: decoded angles, radians (stage 8).
    pub coords: Array2<f64>,
    /// The circular coordinates (one class).
    pub circular: Option<CircularCoordinates>,
    /// The toroidal coordinates (two classes).
    pub toroidal: Option<ToroidalCoordinates>,
    /// The measured angle at the kept bins, if given.
    pub measured: Option<Vec<f64>>,
    /// Decoded against measured angle (stage 9), the best-matching coordinate.
    pub comparison: Option<CircularComparison>,
}

impl SignatureResult {
    /// Lifetimes of dimension `dim`, longest first (infinite bars end at
    /// the threshold).
    pub fn lifetimes(&self, dim: usize) -> Vec<f64> {
        let top = self.diagrams.threshold;
        self.diagrams
            .longest(dim, usize::MAX)
            .iter()
            .map(|p| p.1.min(top) - p.0)
            .collect()
    }

    /// The statistic ([`Signature::statistic`]) of every bar of dimension
    /// `dim`, largest first (H0 without its infinite bars).
    pub fn statistics(&self, dim: usize) -> Vec<f64> {
        let mut v = self.params.statistic.of_bars(&self.diagrams, dim);
        v.sort_by(|a, b| b.total_cmp(a));
        v
    }

    /// Bars of dimension `dim` whose statistic exceeds the shuffle band
    /// (all bars of dimension >= 1 when there were no shuffles; H0 never
    /// counts its infinite bars).
    pub fn n_significant(&self, dim: usize) -> usize {
        let band = self.band.get(dim).copied().unwrap_or(f64::NAN);
        let band = if band.is_nan() { 0.0 } else { band };
        self.statistics(dim).iter().filter(|&&v| v > band).count()
    }

    /// The `k`-th largest statistic of dimension `dim` over the shuffle
    /// band (> 1: beyond the band; NaN without shuffles).
    pub fn relative_persistence(&self, dim: usize, k: usize) -> f64 {
        let l = self.statistics(dim).get(k).copied().unwrap_or(0.0);
        l / self.band.get(dim).copied().unwrap_or(f64::NAN)
    }

    /// Bobrowski & Skraba's (2023) p-values of the bars of dimension `dim`
    /// (>= 1), most persistent first, without shuffles: with `pi = death /
    /// birth` (infinite deaths at the threshold) and `L = ln ln pi`, the
    /// standardised `l = L - mean(L) - gamma` (Euler's gamma; `A = 1`,
    /// `B = -gamma - mean(L)` for Rips, their eqs. 3-4) follows the
    /// left-skewed Gumbel law under noise, so `p = exp(-exp(l))`. Compare
    /// with `alpha / n_bars` (Bonferroni). Empty with fewer than two bars.
    ///
    /// # References
    /// O. Bobrowski, P. Skraba (2023), A universal null-distribution for
    /// topological data analysis, Sci. Rep. 13:12274.
    pub fn universal_p_values(&self, dim: usize) -> Vec<f64> {
        if dim == 0 {
            return Vec::new();
        }
        let l = Statistic::Universal.of_bars(&self.diagrams, dim);
        if l.len() < 2 {
            return Vec::new();
        }
        let mut p: Vec<f64> = l.iter().map(|x| (-x.exp()).exp()).collect();
        p.sort_by(f64::total_cmp);
        p
    }

    /// Barcode of dimensions >= 1 (the 15 longest bars of each), each bar
    /// overlaid from its birth by the shuffle band (dashed, grey).
    pub fn plot_barcode(&self) -> plotly::Plot {
        let top = self.diagrams.threshold;
        let mut series = Vec::new();
        let mut row = 0.0;
        let (mut bx, mut by) = (Vec::new(), Vec::new());
        for d in 1..self.diagrams.pairs.len() {
            let (mut x, mut y) = (Vec::new(), Vec::new());
            let band = self.band.get(d).copied().unwrap_or(f64::NAN);
            for p in self.diagrams.longest(d, 15) {
                x.extend([p.0, p.1.min(top), f64::NAN]);
                y.extend([row, row, f64::NAN]);
                if band.is_finite() {
                    let end = match self.params.statistic {
                        Statistic::Lifetime => p.0 + band,
                        Statistic::Ratio => p.0 * band,
                        // Back from l to the ratio in this diagram.
                        Statistic::Universal => {
                            p.0 * (band + universal_shift(&self.diagrams, d)).exp().exp()
                        }
                    };
                    bx.extend([p.0, end.min(top), f64::NAN]);
                    by.extend([row + 0.3, row + 0.3, f64::NAN]);
                }
                row += 1.0;
            }
            series.push(Series::line(format!("H{d}"), x, y));
            row += 1.0;
        }
        if !bx.is_empty() {
            series.push(Series::dashed(
                format!("shuffle band ({:.0}%)", 100.0 * self.params.quantile),
                bx,
                by,
            ));
        }
        display::lines(
            "Barcode with shuffle significance band",
            "filtration value",
            "bar",
            series,
        )
    }

    /// The point cloud on its first three principal components, coloured by
    /// the measured angle (or the first decoded one).
    pub fn plot_embedding(&self) -> plotly::Plot {
        let k = self.points.ncols().min(3);
        let proj = Pca::params()
            .n_components(k)
            .fit_transform(&self.points.view())
            .map(|p| p.1)
            .unwrap_or_else(|_| self.points.clone());
        let colour: Vec<f64> = match &self.measured {
            Some(m) => m
                .iter()
                .map(|v| if v.is_finite() { *v } else { 0.0 })
                .collect(),
            None => self.coords.column(0).to_vec(),
        };
        let title = if self.measured.is_some() {
            "Activity (PCA), coloured by the measured angle"
        } else {
            "Activity (PCA), coloured by the decoded angle"
        };
        display::scatter(title, &proj.view(), Some(&colour), "PC")
            .expect("1 to 3 columns and one colour per point")
    }

    /// Decoded angle(s) (aligned to the measured one when there is one)
    /// and the measured angle against time.
    pub fn plot_decoded(&self) -> plotly::Plot {
        let mut series = Vec::new();
        for c in 0..self.coords.ncols() {
            let y: Vec<f64> = match &self.comparison {
                Some(cmp) if cmp.class == c => self
                    .coords
                    .column(c)
                    .iter()
                    .map(|t| crate::space::wrap(cmp.sign * t + cmp.offset))
                    .collect(),
                _ => self
                    .coords
                    .column(c)
                    .iter()
                    .map(|t| crate::space::wrap(*t))
                    .collect(),
            };
            series.push(Series::markers(
                format!("decoded {}", c + 1),
                self.times.clone(),
                y,
            ));
        }
        if let Some(m) = &self.measured {
            series.push(Series::markers("measured", self.times.clone(), m.clone()));
        }
        display::lines(
            "Decoded and measured angle",
            "time (s)",
            "angle (rad)",
            series,
        )
    }

    /// The summary table.
    pub fn summary(&self) -> KeyValues {
        let mut kv = KeyValues::new("Attractor signature")
            .row(
                "input",
                format!("{} bins x {} units", self.n_bins, self.n_units),
                format!("{} s bins", self.bin_size),
            )
            .row(
                "kept bins",
                self.kept.len(),
                "after speed filter, stride and activity selection",
            )
            .row(
                "point cloud",
                format!("{} x {}", self.points.nrows(), self.points.ncols()),
                if self.pca.is_some() { "PCA" } else { "rates" },
            )
            .row(
                "landmarks",
                self.landmarks.len(),
                format!("cover radius {:.4}", self.cover_radius),
            )
            .row(
                "shuffles",
                self.shuffle_max.len(),
                format!(
                    "band = {:.0}% quantile of the largest shuffled {}",
                    100.0 * self.params.quantile,
                    match self.params.statistic {
                        Statistic::Ratio => "death/birth",
                        Statistic::Lifetime => "lifetime",
                        Statistic::Universal => "standardised ln ln(death/birth)",
                    }
                ),
            );
        for d in 1..self.diagrams.pairs.len() {
            let l = self.lifetimes(d);
            let st = self.statistics(d);
            let name = match self.params.statistic {
                Statistic::Ratio => "death/birth",
                Statistic::Lifetime => "lifetime",
                Statistic::Universal => "standardised ln ln(death/birth)",
            };
            kv = kv.row(
                format!("H{d}"),
                format!("{} significant", self.n_significant(d)),
                format!(
                    "{name}: largest {:.4}, next {:.4}, band {:.4}; lifetimes {:.4}, {:.4}",
                    st.first().copied().unwrap_or(0.0),
                    st.get(1).copied().unwrap_or(0.0),
                    self.band.get(d).copied().unwrap_or(f64::NAN),
                    l.first().copied().unwrap_or(0.0),
                    l.get(1).copied().unwrap_or(0.0),
                ),
            );
        }
        if let Some(c) = &self.comparison {
            kv = kv.row(
                "decoded vs measured",
                format!("r = {:.3}", c.correlation),
                format!(
                    "circular correlation over {} bins; mean |error| {:.1} deg, {}",
                    c.n,
                    c.mean_abs_error.to_degrees(),
                    if c.sign > 0.0 {
                        "same direction"
                    } else {
                        "reflected"
                    }
                ),
            );
        }
        kv
    }

    /// A standalone HTML report: the summary and the three figures.
    pub fn to_html(&self) -> String {
        let body = format!(
            "{}{}{}{}{}",
            self.summary().to_html(),
            self.plot_barcode().to_inline_html(Some("barcode")),
            self.diagrams.plot_diagram().to_inline_html(Some("diagram")),
            self.plot_embedding().to_inline_html(Some("embedding")),
            self.plot_decoded().to_inline_html(Some("decoded")),
        );
        display::standalone_html("Attractor signature", &body)
    }
}

impl Render for SignatureResult {
    fn bundle(&self) -> Bundle {
        let mut b = Bundle::figure(
            &self.plot_barcode(),
            &self.summary().to_html(),
            format!("{self}"),
        );
        b.html.push_str(&display::plot_html(&self.plot_embedding()));
        b.html.push_str(&display::plot_html(&self.plot_decoded()));
        b
    }
}

impl std::fmt::Display for SignatureResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sig: Vec<String> = (1..self.diagrams.pairs.len())
            .map(|d| format!("H{d}: {} significant", self.n_significant(d)))
            .collect();
        write!(
            f,
            "SignatureResult({} points, {}, {} shuffles{})",
            self.points.nrows(),
            sig.join(", "),
            self.shuffle_max.len(),
            self.comparison
                .as_ref()
                .map(|c| format!(", r = {:.3}", c.correlation))
                .unwrap_or_default()
        )
    }
}

display::evcxr_display_via_render!(SignatureResult);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoothing_keeps_a_constant() {
        let x = Array2::from_elem((50, 2), 3.0);
        let y = gaussian_smooth(&x.view(), 2.0);
        assert!(y.iter().all(|v| (v - 3.0).abs() < 1e-12));
    }

    #[test]
    fn quantile_interpolates() {
        assert_eq!(quantile(&[0.0, 1.0, 2.0], 0.5), 1.0);
        assert_eq!(quantile(&[0.0, 1.0], 0.25), 0.25);
        assert_eq!(quantile(&[f64::NEG_INFINITY, 1.0], 0.5), 1.0);
        assert_eq!(quantile(&[f64::NEG_INFINITY; 2], 0.5), f64::NEG_INFINITY);
    }

    #[test]
    fn shift_rolls_each_unit() {
        let a = Activity::from_counts(
            Array2::from_shape_fn((4, 2), |(i, u)| (i + 10 * u) as f64),
            1.0,
        )
        .unwrap();
        let s = a.shifted(&[1, 0]);
        assert_eq!(s.counts.column(0).to_vec(), vec![3.0, 0.0, 1.0, 2.0]);
        assert_eq!(s.counts.column(1).to_vec(), vec![10.0, 11.0, 12.0, 13.0]);
    }

    #[test]
    fn validate_names_the_field() {
        let e = Signature::default().n_classes(3).validate().unwrap_err();
        assert!(e.to_string().contains("n_classes"));
        let e = Signature::default().quantile(0.0).validate().unwrap_err();
        assert!(e.to_string().contains("quantile"));
    }
}
