//! The pipeline's parameters and its stages: rates, selection, embedding,
//! topology, significance and coordinates.

use super::statistic::{largest_statistic, quantile};
use super::{Activity, SignatureResult, Statistic};
use crate::analysis::circular::compare_angles;
use crate::data::smooth_in_time;
use crate::embed::{FuzzyGraph, FuzzyGraphParams, KnnAlgorithm, Metric, Pca};
use crate::error::{Error, ParamError, Result};
use crate::params::check;
use crate::params::Params;
use crate::pipeline::progress::{Progress, ShowProgress};
use crate::tda::sparse_circular::{
    classes_by_persistence, extend, sparse_circular_coordinates, SparseCircularParams,
};
use crate::tda::toroidal::{toroidal_coordinates, toroidal_coordinates_nearest};
use crate::tda::{rips, rips_distances, Cocycle, Diagrams, RipsParams};
use ndarray::{Array2, Axis};
use rand::RngExt;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// How the selected time points are subsampled before persistent homology.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::embed::Metric;
/// use canns::pipeline::Subsample;
/// // 200 points on the unit circle.
/// let pts = Array2::from_shape_fn((200, 2), |(i, j)| {
///     let a = i as f64 * TWO_PI / 200.0;
///     if j == 0 { a.cos() } else { a.sin() }
/// });
/// // Greedy: 40 furthest-point landmarks, Euclidean distances between them.
/// let greedy = SignatureParams::default().n_points(40).topology(&pts)?;
/// assert_eq!((greedy.landmarks.len(), greedy.distances.dim()), (40, (40, 40)));
/// // Every point lies within about half the largest gap of a landmark.
/// assert!(greedy.cover_radius < 0.15, "{}", greedy.cover_radius);
/// // Fuzzy: 40 denoised points, `-ln(membership)` distances in the graph.
/// let fuzzy = SignatureParams::default()
///     .n_points(40)
///     .subsample(Subsample::Fuzzy { k: 10, nbs: 8, metric: Metric::Euclidean })
///     .topology(&pts)?;
/// assert_eq!(fuzzy.landmarks.len(), 40);
/// assert!(fuzzy.distances.iter().all(|d| *d >= 0.0));
/// // Both see the circle's one H1 class first.
/// assert!(!greedy.classes.is_empty() && !fuzzy.classes.is_empty());
/// # Ok::<(), canns::Error>(())
/// ```
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

/// The attractor-signature pipeline's parameters (see the module docs for
/// the stages). Build one from a preset and adjust it with the setters.
///
/// # Examples
/// ```
/// use canns::params::Params;
/// use canns::pipeline::SignatureParams;
/// let s = SignatureParams::asa().n_shuffles(10);
/// assert_eq!(s.pca, Some(6));
/// assert!(s.validate().is_ok());
/// assert!(SignatureParams::default().active_fraction(0.0).validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignatureParams {
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

/// The former name of [`SignatureParams`].
#[deprecated(
    since = "0.2.0",
    note = "parameter types end in `Params`: use `SignatureParams`"
)]
pub type Signature = SignatureParams;

impl Default for SignatureParams {
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

impl SignatureParams {
    crate::params::setters! {
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

    /// Stage 2: smoothed (and square-rooted) activity, `(n_bins, n_units)`.
    pub fn rates(&self, activity: &Activity) -> Array2<f64> {
        let sigma = self.smooth / activity.bin_size;
        let mut r = if sigma > 0.0 {
            smooth_in_time(&activity.counts.view(), sigma)
        } else {
            activity.counts.clone()
        };
        if self.sqrt {
            r.mapv_inplace(|v| v.max(0.0).sqrt());
        }
        r
    }

    /// Stage 3: the kept bins (ascending), from the rates of [`SignatureParams::rates`].
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
    /// As [`rips()`] and [`FuzzyGraphParams::fit`].
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
                    .fit(&points.view())?;
                let landmarks = denoise(&g, m);
                let sub = points.select(Axis(0), &landmarks);
                let g2 = FuzzyGraphParams::default()
                    .n_neighbors(nbs.min(m).max(2))
                    .metric(metric)
                    .local_connectivity(0.0)
                    .fit(&sub.view())?;
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
    /// use canns::pipeline::{Activity, SignatureParams};
    /// // Eight cosine-tuned units on an angle turning at 1 rad/s, 0.1 s bins.
    /// let n = 400;
    /// let angle: Vec<f64> = (0..n).map(|i| (0.1 * i as f64) % std::f64::consts::TAU).collect();
    /// let counts = canns::ndarray::Array2::from_shape_fn((n, 8), |(i, u)| {
    ///     let pref = u as f64 * std::f64::consts::TAU / 8.0;
    ///     5.0 * (1.0 + (angle[i] - pref).cos())
    /// });
    /// let act = Activity::from_counts(counts, 0.1)?.with_angle(angle)?;
    /// let r = SignatureParams::head_direction().n_points(100).n_shuffles(4).run(&act)?;
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
        // Each shuffle repeats the persistent homology of `n_points` points.
        let per_shuffle = (self.n_points as f64).powi(3) / 10.0;
        let progress = std::sync::Mutex::new(Progress::new(
            "shuffles",
            self.n_shuffles,
            self.n_shuffles as f64 * per_shuffle,
            ShowProgress::Auto,
        ));
        let done = std::sync::atomic::AtomicUsize::new(0);
        let shuffle_max: Vec<Vec<f64>> = (0..self.n_shuffles)
            .into_par_iter()
            .map(|s| {
                let mut rng = crate::random::seeded(
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
                let bars = self.longest_bars(&activity.shifted(&shifts));
                let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if let Ok(mut p) = progress.lock() {
                    p.update(k);
                }
                bars
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

impl Params for SignatureParams {
    const NAME: &'static str = "SignatureParams";

    fn validate(&self) -> Result<()> {
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
            check::at_least("subsample.fuzzy.k", k, 2)?;
            check::at_least("subsample.fuzzy.nbs", nbs, 2)?;
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
}

/// Landmarks, their distances and diagrams (stages 5-6).
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // 100 points on the unit circle, 30 greedy landmarks.
/// let pts = Array2::from_shape_fn((100, 2), |(i, j)| {
///     let a = i as f64 * TWO_PI / 100.0;
///     if j == 0 { a.cos() } else { a.sin() }
/// });
/// let t = SignatureParams::default().n_points(30).topology(&pts)?;
/// assert_eq!((t.landmarks.len(), t.distances.dim()), (30, (30, 30)));
/// // The circle's class is born when the largest gap between landmarks
/// // closes and dies when the inscribed equilateral triangle fills in
/// // (side sqrt 3).
/// let c = &t.classes[0];
/// assert!(c.birth < 0.4 && (c.death - 3f64.sqrt()).abs() < 0.1, "{c:?}");
/// # Ok::<(), canns::Error>(())
/// ```
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

pub(super) fn euclid(p: &Array2<f64>, i: usize, j: usize) -> f64 {
    p.row(i)
        .iter()
        .zip(p.row(j))
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt()
}

/// Greedy denoising of Gardner et al. (2022): repeatedly take the point with
/// the largest remaining total membership and subtract its memberships.
pub(super) fn denoise(g: &FuzzyGraph, m: usize) -> Vec<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn validate_names_the_field() {
        let e = SignatureParams::default()
            .n_classes(3)
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("n_classes"));
        let e = SignatureParams::default()
            .quantile(0.0)
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("quantile"));
    }
}
