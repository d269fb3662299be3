//! Head-direction tuning: occupancy-normalised tuning curves, preferred (documented in the parent module)

use super::sampling::{
    check_behaviour, check_spikes, percentile, sample_durations, sample_of, smooth_circular,
    wrap_shift,
};
use crate::display::Figure;
use crate::display::{lines, Bundle, KeyValues, Render, Series, Table};
use crate::error::{Error, ParamError, Result};
use crate::params::check;
use crate::params::Params;
use polars::prelude::*;
use rand::RngExt;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::f64::consts::TAU;

/// Parameters of [`hd_tuning`].
///
/// # Example
/// ```
/// use canns::prelude::*;
/// let p = HdTuningParams::default().n_bins(36).n_shuffles(100);
/// p.validate()?;
/// assert_eq!((p.n_bins, p.n_shuffles), (36, 100));
/// let err = HdTuningParams::default().percentile(120.0).validate().unwrap_err();
/// assert!(err.to_string().contains("percentile"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HdTuningParams {
    /// Number of direction bins over `[0, 2 pi)`. Default 60 (6 degrees).
    pub n_bins: usize,
    /// Standard deviation of the circular Gaussian applied to spike counts and
    /// occupancy before dividing, in radians; 0 disables smoothing. Default 0.
    pub smoothing: f64,
    /// Behaviour sampling intervals longer than this are tracking gaps and
    /// count neither as occupancy nor for spikes (seconds). Default 1.
    pub max_gap: f64,
    /// Number of circular-shift shuffles per unit; 0 skips classification.
    /// Default 500.
    pub n_shuffles: usize,
    /// Smallest shift of a shuffle, from either end of the epoch (seconds):
    /// shifts are uniform in `[min_shift, T - min_shift]`. Default 20.
    pub min_shift: f64,
    /// Percentile of the shuffled scores a unit must exceed (0-100). Default 99.
    pub percentile: f64,
    /// Seed of the shuffles. Default 0.
    pub seed: u64,
    /// Smallest stability (correlation of the curves of the two halves of
    /// the tracked time) of an HD cell, in [-1, 1]. Default 0.8.
    pub min_stability: f64,
    /// Standard deviation of the circular Gaussian applied to the half-epoch
    /// curves before correlating them (radians). Default 0.2 (about 11 degrees).
    pub stability_smoothing: f64,
}

impl Default for HdTuningParams {
    fn default() -> Self {
        Self {
            n_bins: 60,
            smoothing: 0.0,
            max_gap: 1.0,
            n_shuffles: 500,
            min_shift: 20.0,
            percentile: 99.0,
            seed: 0,
            min_stability: 0.8,
            stability_smoothing: 0.2,
        }
    }
}

impl HdTuningParams {
    /// Head-direction tuning curves of spike trains over a tracked head
    /// direction: the same as [`hd_tuning`], which documents the arguments.
    ///
    /// # Errors
    /// As [`hd_tuning`].
    pub fn fit(&self, t: &[f64], hd: &[f64], spikes: &[Vec<f64>]) -> Result<HdTuning> {
        hd_tuning(t, hd, spikes, self)
    }

    crate::params::setters! {
        /// Sets `n_bins`.
        n_bins: usize,
        /// Sets `smoothing` (radians).
        smoothing: f64,
        /// Sets `max_gap` (seconds).
        max_gap: f64,
        /// Sets `n_shuffles`.
        n_shuffles: usize,
        /// Sets `min_shift` (seconds).
        min_shift: f64,
        /// Sets `percentile` (0-100).
        percentile: f64,
        /// Sets `seed`.
        seed: u64,
        /// Sets `min_stability`.
        min_stability: f64,
        /// Sets `stability_smoothing` (radians).
        stability_smoothing: f64,
    }
}

impl Params for HdTuningParams {
    const NAME: &'static str = "HdTuningParams";

    fn validate(&self) -> Result<()> {
        check::at_least("n_bins", self.n_bins, 4)?;
        check::non_negative("smoothing", self.smoothing)?;
        check::positive("max_gap", self.max_gap)?;
        check::non_negative("min_shift", self.min_shift)?;
        if !(self.percentile.is_finite() && (0.0..=100.0).contains(&self.percentile)) {
            return Err(ParamError::new("percentile", "in [0, 100]", self.percentile).into());
        }
        if !(self.min_stability.is_finite() && (-1.0..=1.0).contains(&self.min_stability)) {
            return Err(ParamError::new("min_stability", "in [-1, 1]", self.min_stability).into());
        }
        check::non_negative("stability_smoothing", self.stability_smoothing)?;
        Ok(())
    }
}

/// Scores of one unit's head-direction tuning.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // The head turns at 1 rad/s for 60 s; the unit fires whenever it faces 2 +- 0.3 rad.
/// let t: Vec<f64> = (0..6000).map(|i| i as f64 * 0.01).collect();
/// let hd: Vec<f64> = t.clone();
/// let near = |a: f64| (a.rem_euclid(TWO_PI) - 2.0).abs() < 0.3;
/// let spikes: Vec<f64> = t.iter().filter(|&&a| near(a)).copied().step_by(3).collect();
/// let tuning = HdTuningParams::default().n_shuffles(0).fit(&t, &hd, &[spikes])?;
/// let u = &tuning.units[0];
/// // 10 passes through the field, 60 samples each, every third one a spike.
/// assert!(u.unit == "0" && (195..=205).contains(&u.n_spikes), "{}", u.n_spikes);
/// assert!((u.preferred_direction - 2.0).abs() < 0.05, "{}", u.preferred_direction);
/// assert!(u.rayleigh > 0.9 && u.mutual_info > 2.0);
/// // Without shuffles there is no threshold to pass.
/// assert!(u.rayleigh_threshold.is_nan() && !u.is_hd_cell);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HdUnit {
    /// Unit label.
    pub unit: String,
    /// Spikes that fell in tracked time.
    pub n_spikes: usize,
    /// Mean rate over tracked time (Hz).
    pub mean_rate: f64,
    /// Largest bin rate of the tuning curve (Hz).
    pub peak_rate: f64,
    /// Preferred direction `phi` (radians, `[0, 2 pi)`).
    pub preferred_direction: f64,
    /// Rayleigh mean vector length `R` of the tuning curve (0..1).
    pub rayleigh: f64,
    /// Skaggs mutual information `I` (bits per spike).
    pub mutual_info: f64,
    /// Shuffle percentile of `R` (NaN without shuffles).
    pub rayleigh_threshold: f64,
    /// Shuffle percentile of `I` (NaN without shuffles).
    pub mutual_info_threshold: f64,
    /// Pearson correlation of the tuning curves of the first and second
    /// halves of the tracked time (NaN when undefined).
    pub stability: f64,
    /// `R` and `I` both exceed their shuffle thresholds and the stability is
    /// at least `min_stability`.
    pub is_hd_cell: bool,
}

/// Head-direction tuning curves of a population, with scores and
/// classification. Built by [`hd_tuning`].
///
/// # Shapes
/// `curves` is `(n_units, n_bins)`; `bin_centres` and `occupancy` have `n_bins`.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // The head turns at 1 rad/s for 60 s; unit 0 fires facing 2 rad, unit 1 at 5 rad.
/// let t: Vec<f64> = (0..6000).map(|i| i as f64 * 0.01).collect();
/// let fires = |c: f64| -> Vec<f64> {
///     t.iter().filter(|&&a| (a.rem_euclid(TWO_PI) - c).abs() < 0.3).copied().step_by(3).collect()
/// };
/// let tuning = HdTuningParams::default().n_bins(36).n_shuffles(0).fit(&t, &t, &[fires(2.0), fires(5.0)])?;
/// assert_eq!(tuning.curves.dim(), (2, 36));
/// assert_eq!((tuning.n_units(), tuning.bin_centres.len()), (2, 36));
/// // 60 s of tracking spread over the bins; every direction faced 9 or 10
/// // times, about 0.17 s each time.
/// let total: f64 = tuning.occupancy.iter().sum();
/// assert!((total - 60.0).abs() < 1e-6, "{total}");
/// assert!(tuning.occupancy.iter().all(|o| *o > 1.5 && *o < 1.85), "{:?}", tuning.occupancy);
/// let tuning = tuning.with_labels(&["a", "b"])?;
/// assert_eq!(tuning.summary()?.height(), 2);
/// assert!(tuning.to_string().starts_with("HdTuning: 2 units, 36 bins"));
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct HdTuning {
    /// The parameters used.
    pub params: HdTuningParams,
    /// Bin centres (radians).
    pub bin_centres: Vec<f64>,
    /// Time spent facing each bin (seconds, smoothed like the counts).
    pub occupancy: Vec<f64>,
    /// Rates (Hz), one row per unit; NaN in bins never visited.
    pub curves: ndarray::Array2<f64>,
    /// Scores per unit.
    pub units: Vec<HdUnit>,
}

/// Occupancy-normalised head-direction tuning of each spike train, scored
/// and classified against circular-shift shuffles (see the module docs for
/// the equations).
///
/// `t` are behaviour timestamps (seconds, increasing), `hd` the head
/// direction at each (radians, any range; NaN marks untracked samples),
/// `spikes[i]` the spike times of unit `i` (seconds). The epoch is the
/// tracked span of `t`; spikes outside it are ignored. Units are labelled
/// `"0"`, `"1"`, ... (see [`HdTuning::with_labels`]).
///
/// # Examples
/// ```
/// use canns::analysis::{hd_tuning, HdTuningParams};
/// use std::f64::consts::{PI, TAU};
/// // The head wanders for 300 s; unit 0 fires near 1 rad, unit 1 regardless of direction.
/// let t: Vec<f64> = (0..30_000).map(|i| i as f64 * 0.01).collect();
/// let hd: Vec<f64> = t.iter().map(|&t| 2.0 * (0.31 * t).sin() + 3.0 * (0.077 * t).sin() + 0.05 * t).collect();
/// let near = |a: f64| ((a - 1.0 + PI).rem_euclid(TAU) - PI).abs() < 0.3;
/// let tuned: Vec<f64> = t.iter().zip(&hd).filter(|(_, &a)| near(a)).map(|(&t, _)| t).step_by(5).collect();
/// let flat: Vec<f64> = (0..1500).map(|i| i as f64 * 0.2 + 0.05).collect();
/// let tuning = hd_tuning(&t, &hd, &[tuned, flat], &HdTuningParams::default().n_shuffles(100))?;
/// assert!(tuning.units[0].is_hd_cell && !tuning.units[1].is_hd_cell);
/// assert!((tuning.units[0].preferred_direction - 1.0).abs() < 0.05);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Param`] for a bad parameter, [`Error::Shape`] when `hd` and `t`
/// differ in length (or have fewer than 2 samples), [`Error::Data`] when `t`
/// is not strictly increasing or a spike time is not finite,
/// [`Error::Invalid`] when no sample is tracked, and [`Error::Limit`] when
/// the curves over `n_bins` would exceed the memory budget.
///
/// # References
/// Skaggs et al. (1993); Taube et al. (1990); Peyrache et al. (2015).
pub fn hd_tuning(
    t: &[f64],
    hd: &[f64],
    spikes: &[Vec<f64>],
    params: &HdTuningParams,
) -> Result<HdTuning> {
    params.validate()?;
    check_behaviour("head direction", t, &[hd.len()])?;
    check_spikes(spikes)?;
    let n_bins = params.n_bins;
    // Curves and per-unit shuffle buffers (a few vectors of n_bins each).
    crate::error::check_memory(
        &format!("tuning curves of {} units over {n_bins} bins", spikes.len()),
        (n_bins as u64).saturating_mul(8 * (2 * spikes.len() as u64 + 16)),
        "use fewer `n_bins` (--bins)",
    )?;
    let width = TAU / n_bins as f64;
    let dur = sample_durations(t, params.max_gap, |i| hd[i].is_finite());
    let bin_of: Vec<usize> = hd
        .iter()
        .map(|&a| {
            if a.is_finite() {
                ((a.rem_euclid(TAU) / width) as usize).min(n_bins - 1)
            } else {
                usize::MAX
            }
        })
        .collect();
    let mut occ_raw = vec![0.0; n_bins];
    for (i, &b) in bin_of.iter().enumerate() {
        if dur[i] > 0.0 {
            occ_raw[b] += dur[i];
        }
    }
    let total: f64 = occ_raw.iter().sum();
    if total <= 0.0 {
        return Err(Error::Invalid(
            "head direction: no tracked sample (all NaN or all intervals longer than `max_gap`)"
                .into(),
        ));
    }
    let sd_bins = params.smoothing / width;
    let occ = smooth_circular(&occ_raw, sd_bins);
    let centres: Vec<f64> = (0..n_bins).map(|k| (k as f64 + 0.5) * width).collect();
    let t0 = t[0];
    let span = t[t.len() - 1] + dur[t.len() - 1].max(0.0) - t0;
    if !span.is_finite() {
        return Err(Error::data(
            "behaviour",
            format!(
                "time span {t0} to {} s overflows (is not finite); check the time column",
                t[t.len() - 1]
            ),
        ));
    }
    let tracked = |s: f64| sample_of(t, &dur, s).map(|i| bin_of[i]);

    // The two halves of the tracked time, for the stability score.
    let mut acc = 0.0;
    let i_mid = dur
        .iter()
        .position(|d| {
            acc += d;
            acc >= total / 2.0
        })
        .unwrap_or(t.len() - 1);
    let sd_half = params.stability_smoothing / width;
    let mut occ_half = [vec![0.0; n_bins], vec![0.0; n_bins]];
    for (i, &b) in bin_of.iter().enumerate() {
        if dur[i] > 0.0 {
            occ_half[usize::from(i > i_mid)][b] += dur[i];
        }
    }
    let occ_half = occ_half.map(|o| smooth_circular(&o, sd_half));
    let half_stability = |spikes: &[f64]| -> f64 {
        let mut c = [vec![0.0; n_bins], vec![0.0; n_bins]];
        for &s in spikes {
            if let Some(i) = sample_of(t, &dur, s) {
                c[usize::from(i > i_mid)][bin_of[i]] += 1.0;
            }
        }
        let r: Vec<Vec<f64>> = (0..2)
            .map(|h| {
                smooth_circular(&c[h], sd_half)
                    .iter()
                    .zip(&occ_half[h])
                    .map(|(&c, &o)| if o > 0.0 { c / o } else { f64::NAN })
                    .collect()
            })
            .collect();
        pearson(&r[0], &r[1])
    };
    let scorer = Scorer {
        occ: &occ,
        centres: &centres,
        sd_bins,
    };
    let results: Vec<(Vec<f64>, HdUnit)> = spikes
        .par_iter()
        .enumerate()
        .map(|(u, train)| {
            let in_epoch: Vec<f64> = train
                .iter()
                .copied()
                .filter(|&s| s >= t0 && s < t0 + span)
                .collect();
            let mut counts = vec![0.0; n_bins];
            let mut n_spikes = 0;
            for &s in &in_epoch {
                if let Some(b) = tracked(s) {
                    counts[b] += 1.0;
                    n_spikes += 1;
                }
            }
            let (curve, score) = scorer.score(&counts);
            let stability = half_stability(&in_epoch);
            let (r_thr, i_thr) = if params.n_shuffles > 0 {
                let lo = params.min_shift.min(span / 2.0);
                let hi = (span - params.min_shift).max(lo);
                let shuffled: Vec<(f64, f64)> = (0..params.n_shuffles)
                    .into_par_iter()
                    .map(|k| {
                        let mut rng = crate::random::seeded(
                            params.seed
                                ^ ((u as u64) << 32 | k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                        );
                        let offset = rng.random_range(lo..=hi);
                        let mut c = vec![0.0; n_bins];
                        for &s in &in_epoch {
                            if let Some(b) = tracked(wrap_shift(s, offset, t0, span)) {
                                c[b] += 1.0;
                            }
                        }
                        let (_, sc) = scorer.score(&c);
                        (sc.rayleigh, sc.mutual_info)
                    })
                    .collect();
                let r: Vec<f64> = shuffled.iter().map(|p| p.0).collect();
                let i: Vec<f64> = shuffled.iter().map(|p| p.1).collect();
                (
                    percentile(&r, params.percentile),
                    percentile(&i, params.percentile),
                )
            } else {
                (f64::NAN, f64::NAN)
            };
            let unit = HdUnit {
                unit: u.to_string(),
                n_spikes,
                mean_rate: n_spikes as f64 / total,
                peak_rate: score.peak,
                preferred_direction: score.preferred,
                rayleigh: score.rayleigh,
                mutual_info: score.mutual_info,
                rayleigh_threshold: r_thr,
                mutual_info_threshold: i_thr,
                stability,
                is_hd_cell: score.rayleigh > r_thr
                    && score.mutual_info > i_thr
                    && stability >= params.min_stability,
            };
            (curve, unit)
        })
        .collect();

    let mut curves = ndarray::Array2::from_elem((spikes.len(), n_bins), f64::NAN);
    let mut units = Vec::with_capacity(spikes.len());
    for (i, (c, u)) in results.into_iter().enumerate() {
        curves
            .row_mut(i)
            .assign(&ndarray::ArrayView1::from(c.as_slice()));
        units.push(u);
    }
    Ok(HdTuning {
        params: params.clone(),
        bin_centres: centres,
        occupancy: occ,
        curves,
        units,
    })
}

/// Pearson correlation over the entries finite in both; NaN when undefined.
fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(&x, &y)| (x, y))
        .collect();
    let n = pairs.len() as f64;
    if n < 3.0 {
        return f64::NAN;
    }
    let (ma, mb) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    if saa > 0.0 && sbb > 0.0 {
        sab / (saa * sbb).sqrt()
    } else {
        f64::NAN
    }
}

struct Score {
    peak: f64,
    preferred: f64,
    rayleigh: f64,
    mutual_info: f64,
}

struct Scorer<'a> {
    occ: &'a [f64],
    centres: &'a [f64],
    sd_bins: f64,
}

impl Scorer<'_> {
    fn score(&self, counts: &[f64]) -> (Vec<f64>, Score) {
        let c = smooth_circular(counts, self.sd_bins);
        let curve: Vec<f64> = c
            .iter()
            .zip(self.occ)
            .map(|(&c, &o)| if o > 0.0 { c / o } else { f64::NAN })
            .collect();
        let (mut sx, mut sy, mut sr, mut peak) = (0.0, 0.0, 0.0, 0.0f64);
        let (mut mean, mut occ_sum) = (0.0, 0.0);
        for ((&r, &th), &o) in curve.iter().zip(self.centres).zip(self.occ) {
            if r.is_finite() {
                sx += r * th.cos();
                sy += r * th.sin();
                sr += r;
                peak = peak.max(r);
                mean += o * r;
                occ_sum += o;
            }
        }
        mean /= occ_sum;
        let mut mi = 0.0;
        if mean > 0.0 {
            for (&r, &o) in curve.iter().zip(self.occ) {
                if r.is_finite() && r > 0.0 {
                    let q = r / mean;
                    mi += o / occ_sum * q * q.log2();
                }
            }
        }
        let (rayleigh, preferred) = if sr > 0.0 {
            (
                (sx * sx + sy * sy).sqrt() / sr,
                sy.atan2(sx).rem_euclid(TAU),
            )
        } else {
            (0.0, f64::NAN)
        };
        (
            curve,
            Score {
                peak,
                preferred,
                rayleigh,
                mutual_info: mi,
            },
        )
    }
}

impl HdTuning {
    /// Number of units.
    pub fn n_units(&self) -> usize {
        self.units.len()
    }

    /// Number of units classified as HD cells.
    pub fn n_hd_cells(&self) -> usize {
        self.units.iter().filter(|u| u.is_hd_cell).count()
    }

    /// Renames the units (one label per unit, in order).
    ///
    /// # Errors
    /// [`Error::Shape`] when the number of labels differs from the number of units.
    pub fn with_labels<S: ToString>(mut self, labels: &[S]) -> Result<Self> {
        if labels.len() != self.units.len() {
            return Err(Error::shape(
                "unit labels",
                format!("{} labels", self.units.len()),
                labels.len(),
            ));
        }
        for (u, l) in self.units.iter_mut().zip(labels) {
            u.unit = l.to_string();
        }
        Ok(self)
    }

    /// One row per unit: `unit`, `n_spikes`, `mean_rate_hz`, `peak_rate_hz`,
    /// `preferred_direction_rad`, `rayleigh`, `rayleigh_threshold`,
    /// `mutual_info_bits_per_spike`, `mutual_info_threshold`, `stability`, `is_hd_cell`.
    ///
    /// # Errors
    /// [`Error::Polars`] if the frame cannot be built.
    pub fn summary(&self) -> Result<DataFrame> {
        let u = &self.units;
        let f = |g: fn(&HdUnit) -> f64| u.iter().map(g).collect::<Vec<f64>>();
        Ok(df!(
            "unit" => u.iter().map(|x| x.unit.clone()).collect::<Vec<_>>(),
            "n_spikes" => u.iter().map(|x| x.n_spikes as u64).collect::<Vec<_>>(),
            "mean_rate_hz" => f(|x| x.mean_rate),
            "peak_rate_hz" => f(|x| x.peak_rate),
            "preferred_direction_rad" => f(|x| x.preferred_direction),
            "rayleigh" => f(|x| x.rayleigh),
            "rayleigh_threshold" => f(|x| x.rayleigh_threshold),
            "mutual_info_bits_per_spike" => f(|x| x.mutual_info),
            "mutual_info_threshold" => f(|x| x.mutual_info_threshold),
            "stability" => f(|x| x.stability),
            "is_hd_cell" => u.iter().map(|x| x.is_hd_cell).collect::<Vec<_>>(),
        )?)
    }

    /// The curves in long format: `unit`, `angle_rad`, `rate_hz`, `occupancy_s`
    /// (one row per unit and bin).
    ///
    /// # Errors
    /// [`Error::Polars`] if the frame cannot be built.
    pub fn curves_long(&self) -> Result<DataFrame> {
        let nb = self.bin_centres.len();
        let mut unit = Vec::new();
        let (mut angle, mut rate, mut occ) = (Vec::new(), Vec::new(), Vec::new());
        for (i, u) in self.units.iter().enumerate() {
            for k in 0..nb {
                unit.push(u.unit.clone());
                angle.push(self.bin_centres[k]);
                rate.push(self.curves[[i, k]]);
                occ.push(self.occupancy[k]);
            }
        }
        Ok(df!("unit" => unit, "angle_rad" => angle, "rate_hz" => rate, "occupancy_s" => occ)?)
    }

    /// Tuning curves of every unit: rate (Hz) against direction (degrees).
    pub fn plot_curves(&self) -> Figure {
        let x: Vec<f64> = self.bin_centres.iter().map(|a| a.to_degrees()).collect();
        let series = self
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let name = if u.is_hd_cell {
                    format!("{} (HD)", u.unit)
                } else {
                    u.unit.clone()
                };
                Series::line(name, x.clone(), self.curves.row(i).to_vec())
            })
            .collect();
        lines(
            "Head-direction tuning curves",
            "head direction (deg)",
            "rate (Hz)",
            series,
        )
    }

    /// Polar plot of every unit's curve, each normalised to its peak rate.
    pub fn plot_polar(&self) -> Figure {
        let mut theta: Vec<f64> = self.bin_centres.iter().map(|a| a.to_degrees()).collect();
        theta.push(theta[0]);
        let mut plot = plotly::Plot::new();
        for (i, u) in self.units.iter().enumerate() {
            let mut r: Vec<f64> = self
                .curves
                .row(i)
                .iter()
                .map(|v| {
                    if u.peak_rate > 0.0 {
                        v / u.peak_rate
                    } else {
                        0.0
                    }
                })
                .collect();
            r.push(r[0]);
            plot.add_trace(
                plotly::ScatterPolar::new(theta.clone(), r)
                    .name(format!("{} ({:.0} Hz)", u.unit, u.peak_rate))
                    .mode(plotly::common::Mode::Lines),
            );
        }
        plot.set_layout(
            plotly::Layout::new()
                .title(plotly::common::Title::from(
                    "Head-direction tuning (normalised to peak)",
                ))
                .height(crate::display::DEFAULT_HEIGHT),
        );
        Figure::from(plot)
    }

    /// The per-unit scores as an HTML table.
    pub fn table(&self) -> Table {
        let f = |v: f64, d: usize| {
            if v.is_finite() {
                format!("{v:.d$}")
            } else {
                "-".into()
            }
        };
        Table {
            title: "Head-direction tuning".into(),
            columns: [
                "unit",
                "spikes",
                "mean Hz",
                "peak Hz",
                "pref deg",
                "R",
                "R thr",
                "MI bits/spk",
                "MI thr",
                "stability",
                "HD cell",
            ]
            .map(String::from)
            .to_vec(),
            rows: self
                .units
                .iter()
                .map(|u| {
                    vec![
                        u.unit.clone(),
                        u.n_spikes.to_string(),
                        f(u.mean_rate, 2),
                        f(u.peak_rate, 1),
                        f(u.preferred_direction.to_degrees(), 0),
                        f(u.rayleigh, 3),
                        f(u.rayleigh_threshold, 3),
                        f(u.mutual_info, 3),
                        f(u.mutual_info_threshold, 3),
                        f(u.stability, 3),
                        if u.is_hd_cell { "yes" } else { "no" }.into(),
                    ]
                })
                .collect(),
            n_rows: self.units.len(),
        }
    }
}

crate::display::debug_via_display!(HdTuning);

impl std::fmt::Display for HdTuning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "HdTuning: {} units, {} bins, {} HD cells ({} shuffles, {}th percentile)",
            self.n_units(),
            self.bin_centres.len(),
            self.n_hd_cells(),
            self.params.n_shuffles,
            self.params.percentile
        )
    }
}

impl Render for HdTuning {
    fn bundle(&self) -> Bundle {
        let kv = KeyValues::new("Classification")
            .row("units", self.n_units(), "spike trains analysed")
            .row(
                "HD cells",
                self.n_hd_cells(),
                format!(
                    "R and MI above the {}th shuffle percentile, stability >= {}",
                    self.params.percentile, self.params.min_stability
                ),
            )
            .row(
                "shuffles",
                self.params.n_shuffles,
                "circular time shifts per unit",
            )
            .row(
                "bins",
                self.bin_centres.len(),
                "direction bins over 360 deg",
            );
        let before = format!("{}{}", kv.to_html(), self.table().to_html());
        Bundle::figure(&self.plot_curves(), &before, self.to_string())
    }
}

crate::display::evcxr_display_via_render!(HdTuning);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_input() {
        let t = [0.0, 1.0, 2.0];
        let e = hd_tuning(&t, &[0.0, 1.0], &[], &HdTuningParams::default()).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }));
        let e =
            hd_tuning(&[0.0, 2.0, 1.0], &[0.0; 3], &[], &HdTuningParams::default()).unwrap_err();
        assert!(e.to_string().contains("strictly increasing"), "{e}");
        let e = hd_tuning(&t, &[0.0; 3], &[], &HdTuningParams::default().n_bins(2)).unwrap_err();
        assert!(e.to_string().contains("`n_bins`"), "{e}");
        let e =
            hd_tuning(&t, &[0.0; 3], &[vec![f64::NAN]], &HdTuningParams::default()).unwrap_err();
        assert!(e.to_string().contains("not finite"), "{e}");
        let e = hd_tuning(&t, &[f64::NAN; 3], &[], &HdTuningParams::default()).unwrap_err();
        assert!(matches!(e, Error::Invalid(_)));
    }
}
