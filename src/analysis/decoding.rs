//! Decoding head direction or position from binned population activity, (documented in the parent module)

use super::sampling::{percentile, smooth_2d, smooth_circular};
use crate::display::Figure;
use crate::display::{layout, Bundle, KeyValues, Render};
use crate::error::{Error, Result};
use crate::params::check;
use crate::params::Params;
use crate::space::angle_diff;
use ndarray::{Array2, ArrayView2};
use plotly::common::Mode;
use plotly::{Plot, Scatter};
use rand::RngExt;
use serde::{Deserialize, Serialize};
use std::f64::consts::TAU;

/// Which decoder to use.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::analysis::Decoder;
/// // 4 units tuned to head direction; counts set to their expected values.
/// let angle: Vec<f64> = (0..600).map(|k| (k as f64 * 0.05) % std::f64::consts::TAU).collect();
/// let counts = Array2::from_shape_fn((600, 4), |(t, i)| {
///     5.0 * (3.0 * ((angle[t] - i as f64 * 1.57).cos() - 1.0)).exp()
/// });
/// let p = DecodingParams::default().shuffle(false);
/// let bayes = p.clone().run(&counts.view(), &angle, 0.1)?;
/// let pv = p.decoder(Decoder::PopulationVector).run(&counts.view(), &angle, 0.1)?;
/// // Both decoders recover the direction; the population vector is biased
/// // towards the 4 preferred directions, the Bayesian decoder is not.
/// assert!(bayes.median_error_deg() < 5.0, "{}", bayes.median_error_deg());
/// assert!(pv.median_error_deg() < 20.0, "{}", pv.median_error_deg());
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Decoder {
    /// Maximum a posteriori under independent Poisson counts and a uniform prior.
    #[default]
    Bayesian,
    /// Count-weighted vector sum of preferred directions (or field centres).
    PopulationVector,
}

/// What is decoded.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::analysis::Variable;
/// let angle: Vec<f64> = (0..300).map(|k| (k as f64 * 0.05) % std::f64::consts::TAU).collect();
/// let counts = Array2::from_shape_fn((300, 4), |(t, i)| {
///     5.0 * (3.0 * ((angle[t] - i as f64 * 1.57).cos() - 1.0)).exp()
/// });
/// let d = DecodingParams::default().shuffle(false).run(&counts.view(), &angle, 0.1)?;
/// // Head-direction errors are circular, in radians.
/// assert_eq!(d.variable, Variable::HeadDirection);
/// assert!(d.error.iter().all(|e| *e <= std::f64::consts::PI));
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Variable {
    /// Head direction (radians; errors are circular).
    HeadDirection,
    /// 2D position (input units, usually metres; errors are Euclidean).
    Position,
}

/// Parameters of [`decode_head_direction`] and [`decode_position`].
///
/// # Example
/// ```
/// use canns::prelude::*;
/// let p = DecodingParams::default().n_folds(10).n_bins(36);
/// assert_eq!((p.n_folds, p.n_bins), (10, 36));
/// p.validate()?;
/// // Cross-validation needs two blocks at least.
/// let err = DecodingParams::default().n_folds(1).validate().unwrap_err();
/// assert!(err.to_string().contains("n_folds"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecodingParams {
    /// The decoder. Default [`Decoder::Bayesian`].
    pub decoder: Decoder,
    /// Number of contiguous cross-validation blocks (>= 2). Default 5.
    pub n_folds: usize,
    /// State bins: direction bins over `[0, 2 pi)`, or spatial bins per side
    /// of the position's bounding box. Default 60.
    pub n_bins: usize,
    /// Standard deviation of the Gaussian smoothing of the training counts and
    /// occupancy, in state bins (0: none). Default 1.
    pub smoothing: f64,
    /// Also decode with the shuffled control. Default true.
    pub shuffle: bool,
    /// Seed of the shuffle offsets. Default 0.
    pub seed: u64,
}

impl Default for DecodingParams {
    fn default() -> Self {
        Self {
            decoder: Decoder::Bayesian,
            n_folds: 5,
            n_bins: 60,
            smoothing: 1.0,
            shuffle: true,
            seed: 0,
        }
    }
}

impl DecodingParams {
    /// Decodes head direction from binned counts: the same as
    /// [`decode_head_direction`], which documents the arguments.
    ///
    /// # Errors
    /// As [`decode_head_direction`].
    pub fn run(&self, counts: &ArrayView2<f64>, angle: &[f64], bin_size: f64) -> Result<Decoding> {
        decode_head_direction(counts, angle, bin_size, self)
    }

    /// Decodes a 2D position from binned counts: the same as
    /// [`decode_position`].
    ///
    /// # Errors
    /// As [`decode_position`].
    pub fn run_position(
        &self,
        counts: &ArrayView2<f64>,
        xy: &ArrayView2<f64>,
        bin_size: f64,
    ) -> Result<Decoding> {
        decode_position(counts, xy, bin_size, self)
    }

    crate::params::setters! {
        /// Sets `decoder`.
        decoder: Decoder,
        /// Sets `n_folds`.
        n_folds: usize,
        /// Sets `n_bins`.
        n_bins: usize,
        /// Sets `smoothing` (state bins).
        smoothing: f64,
        /// Sets `shuffle`.
        shuffle: bool,
        /// Sets `seed`.
        seed: u64,
    }
}

impl Params for DecodingParams {
    const NAME: &'static str = "DecodingParams";

    fn validate(&self) -> Result<()> {
        check::at_least("n_folds", self.n_folds, 2)?;
        check::at_least("n_bins", self.n_bins, 2)?;
        check::non_negative("smoothing", self.smoothing)?;
        Ok(())
    }
}

/// The behaviour of each time bin (centres `centres`, width `bin_size`):
/// [`crate::data::bin_behaviour`], the crate's one rule, which the
/// attractor-signature pipeline uses too: the mean of the samples in the
/// bin (circular mean when `circular`, radians, result in `[0, 2 pi)`),
/// NaN samples skipped, the value interpolated at the centre for a bin
/// without a sample.
///
/// # Examples
/// ```
/// let t = [0.0, 0.05, 0.1, 0.15];
/// let x = [1.0, 3.0, 5.0, f64::NAN];
/// let m = canns::analysis::resample(&t, &x, &[0.05, 0.15], 0.1, false);
/// assert_eq!(m, vec![2.0, 5.0]);
/// ```
pub fn resample(t: &[f64], x: &[f64], centres: &[f64], bin_size: f64, circular: bool) -> Vec<f64> {
    crate::data::bin_behaviour(t, x, centres, bin_size, circular)
}

/// The state space decoded over.
#[derive(Debug, Clone)]
enum States {
    Circle {
        n: usize,
    },
    Grid {
        n: usize,
        lo: [f64; 2],
        step: [f64; 2],
    },
}

impl States {
    fn len(&self) -> usize {
        match self {
            States::Circle { n } => *n,
            States::Grid { n, .. } => n * n,
        }
    }
    fn state_of(&self, v: &[f64]) -> Option<usize> {
        match self {
            States::Circle { n } => v[0]
                .is_finite()
                .then(|| ((v[0].rem_euclid(TAU) / (TAU / *n as f64)) as usize).min(n - 1)),
            States::Grid { n, lo, step } => {
                if !(v[0].is_finite() && v[1].is_finite()) {
                    return None;
                }
                let ix = (((v[0] - lo[0]) / step[0]) as usize).min(n - 1);
                let iy = (((v[1] - lo[1]) / step[1]) as usize).min(n - 1);
                Some(iy * n + ix)
            }
        }
    }
    fn coord(&self, k: usize) -> [f64; 2] {
        match self {
            States::Circle { n } => [(k as f64 + 0.5) * TAU / *n as f64, 0.0],
            States::Grid { n, lo, step } => [
                lo[0] + ((k % n) as f64 + 0.5) * step[0],
                lo[1] + ((k / n) as f64 + 0.5) * step[1],
            ],
        }
    }
    fn smooth(&self, v: &[f64], sd: f64) -> Vec<f64> {
        match self {
            States::Circle { .. } => smooth_circular(v, sd),
            States::Grid { n, .. } => {
                let a = Array2::from_shape_vec((*n, *n), v.to_vec()).expect("n * n values");
                smooth_2d(&a, sd).into_iter().collect()
            }
        }
    }
    fn error(&self, a: &[f64; 2], b: &[f64]) -> f64 {
        match self {
            States::Circle { .. } => angle_diff(a[0], b[0]).abs(),
            States::Grid { .. } => ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt(),
        }
    }
}

/// Tuning learnt from training bins: expected count per bin `f[(s, i)]`,
/// and which states were visited.
struct Trained {
    f: Array2<f64>,
    visited: Vec<bool>,
}

fn train(
    counts: &ArrayView2<f64>,
    state: &[Option<usize>],
    rows: &[usize],
    space: &States,
    sd: f64,
) -> Trained {
    let (k, n_units) = (space.len(), counts.ncols());
    let mut occ = vec![0.0; k];
    let mut sums = vec![vec![0.0; k]; n_units];
    for &r in rows {
        if let Some(s) = state[r] {
            occ[s] += 1.0;
            for (i, sum) in sums.iter_mut().enumerate() {
                sum[s] += counts[[r, i]];
            }
        }
    }
    let visited: Vec<bool> = occ.iter().map(|&o| o > 0.0).collect();
    let occ_s = space.smooth(&occ, sd);
    let total: f64 =
        sums.iter().flatten().sum::<f64>() / (rows.len().max(1) * n_units.max(1)) as f64;
    // A floor keeps log f finite where a unit never fired in training.
    let floor = (1e-3 * total).max(1e-9);
    let mut f = Array2::zeros((k, n_units));
    for (i, sum) in sums.iter().enumerate() {
        let s = space.smooth(sum, sd);
        for j in 0..k {
            f[[j, i]] = if occ_s[j] > 0.0 {
                (s[j] / occ_s[j]).max(floor)
            } else {
                floor
            };
        }
    }
    Trained { f, visited }
}

fn decode_rows(
    counts: &ArrayView2<f64>,
    rows: &[usize],
    tr: &Trained,
    space: &States,
    decoder: Decoder,
    out: &mut Array2<f64>,
) {
    let n_units = counts.ncols();
    match decoder {
        Decoder::Bayesian => {
            let logf = tr.f.mapv(f64::ln);
            let sum_f: Vec<f64> = tr.f.rows().into_iter().map(|r| r.sum()).collect();
            for &r in rows {
                let n = counts.row(r);
                let mut best = (f64::NEG_INFINITY, usize::MAX);
                for (s, &total) in sum_f.iter().enumerate() {
                    if !tr.visited[s] {
                        continue;
                    }
                    let ll = logf.row(s).dot(&n) - total;
                    if ll > best.0 {
                        best = (ll, s);
                    }
                }
                if best.1 != usize::MAX {
                    let c = space.coord(best.1);
                    out[[r, 0]] = c[0];
                    out[[r, 1]] = c[1];
                }
            }
        }
        Decoder::PopulationVector => {
            // Preferred direction (or rate-weighted field centre) of each unit.
            let centres: Vec<[f64; 2]> = (0..n_units)
                .map(|i| {
                    let (mut a, mut b, mut w) = (0.0, 0.0, 0.0);
                    for s in 0..space.len() {
                        if !tr.visited[s] {
                            continue;
                        }
                        let f = tr.f[[s, i]];
                        let c = space.coord(s);
                        match space {
                            States::Circle { .. } => {
                                a += f * c[0].cos();
                                b += f * c[0].sin();
                            }
                            States::Grid { .. } => {
                                a += f * c[0];
                                b += f * c[1];
                                w += f;
                            }
                        }
                    }
                    match space {
                        States::Circle { .. } => [b.atan2(a), 0.0],
                        States::Grid { .. } => [a / w, b / w],
                    }
                })
                .collect();
            for &r in rows {
                let n = counts.row(r);
                let total: f64 = n.sum();
                if total <= 0.0 {
                    continue;
                }
                let (mut a, mut b) = (0.0, 0.0);
                for (i, c) in centres.iter().enumerate() {
                    match space {
                        States::Circle { .. } => {
                            a += n[i] * c[0].cos();
                            b += n[i] * c[0].sin();
                        }
                        States::Grid { .. } => {
                            a += n[i] * c[0] / total;
                            b += n[i] * c[1] / total;
                        }
                    }
                }
                match space {
                    States::Circle { .. } => out[[r, 0]] = b.atan2(a).rem_euclid(TAU),
                    States::Grid { .. } => {
                        out[[r, 0]] = a;
                        out[[r, 1]] = b;
                    }
                }
            }
        }
    }
}

/// Cross-validated decoding of one variable, with its errors.
///
/// # Shapes
/// `truth` and `decoded` are `(n_bins, 2)` (head direction in column 0,
/// column 1 unused and 0; position `x, y`); `error`, `fold` and `t` have
/// `n_bins` entries.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// let angle: Vec<f64> = (0..500).map(|k| (k as f64 * 0.05) % std::f64::consts::TAU).collect();
/// let counts = Array2::from_shape_fn((500, 4), |(t, i)| {
///     5.0 * (3.0 * ((angle[t] - i as f64 * 1.57).cos() - 1.0)).exp()
/// });
/// let d = DecodingParams::default().run(&counts.view(), &angle, 0.1)?;
/// assert_eq!(d.decoded.dim(), (500, 2));
/// assert_eq!((d.n_scored(), d.fold_median_error.len()), (500, 5));
/// assert!((d.t[1] - 0.1).abs() < 1e-12);
/// // The shuffled control is near chance; the real decoding is not.
/// assert!(d.median_error_deg() < 5.0 && d.shuffled_median_error_deg() > 20.0);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Decoding {
    /// What was decoded.
    pub variable: Variable,
    /// The parameters used.
    pub params: DecodingParams,
    /// Time-bin width (seconds).
    pub bin_size: f64,
    /// Time-bin centres (seconds; `0, bin_size, ...` when not given).
    pub t: Vec<f64>,
    /// The true value per bin (NaN where untracked).
    pub truth: Array2<f64>,
    /// The decoded value per bin (NaN where not decoded).
    pub decoded: Array2<f64>,
    /// Absolute error per bin (radians, or input units), NaN where undefined.
    pub error: Vec<f64>,
    /// The cross-validation block of each bin.
    pub fold: Vec<usize>,
    /// Median absolute error over all decoded bins (radians, or input units).
    pub median_error: f64,
    /// Median absolute error in each block.
    pub fold_median_error: Vec<f64>,
    /// Median absolute error of the shuffled control (NaN when not run).
    pub shuffled_median_error: f64,
    /// Median absolute error of the shuffled control in each block.
    pub shuffled_fold_median_error: Vec<f64>,
}

/// Cross-validated decoding of head direction from time-major counts.
///
/// `counts` is `(n_bins, n_units)` spike counts in bins of `bin_size`
/// seconds (see [`BinnedSpikes`](crate::data::BinnedSpikes)); `angle` the head direction in each bin
/// (radians; NaN: untracked, neither trained on nor scored; see
/// [`resample`]).
///
/// # Examples
/// ```
/// use canns::analysis::{decode_head_direction, DecodingParams};
/// use canns::ndarray::Array2;
/// // 4 units with von Mises tuning; counts set to their expected values.
/// let angle: Vec<f64> = (0..2000).map(|k| (k as f64 * 0.37).sin() * 3.0 + k as f64 * 0.01).collect();
/// let counts = Array2::from_shape_fn((2000, 4), |(t, i)| {
///     (10.0 * ((angle[t] - i as f64 * 1.57).cos() - 1.0)).exp() * 5.0
/// });
/// let d = decode_head_direction(&counts.view(), &angle, 0.1, &DecodingParams::default())?;
/// assert!(d.median_error.to_degrees() < 10.0);
/// // Shuffling behaviour against spikes destroys it (one random shift: 41-124
/// // degrees over seeds 0-3).
/// assert!(d.shuffled_median_error > 10.0 * d.median_error);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Param`] for a bad parameter or `bin_size`, [`Error::Shape`] when
/// `angle` does not have one value per row of `counts` or there are fewer
/// rows than folds, [`Error::Data`] when a count is negative or not finite.
///
/// # References
/// Zhang et al. (1998), eqs. 16 and 36.
pub fn decode_head_direction(
    counts: &ArrayView2<f64>,
    angle: &[f64],
    bin_size: f64,
    params: &DecodingParams,
) -> Result<Decoding> {
    params.validate()?;
    let truth = Array2::from_shape_fn((angle.len(), 2), |(r, c)| {
        if c == 0 {
            angle[r].rem_euclid(TAU)
        } else {
            0.0
        }
    });
    let space = States::Circle { n: params.n_bins };
    run(
        counts,
        truth,
        bin_size,
        params,
        space,
        Variable::HeadDirection,
    )
}

/// Cross-validated decoding of 2D position from time-major counts.
///
/// `xy` is `(n_bins, 2)`: the position in each time bin (NaN: untracked).
/// States are `n_bins x n_bins` spatial bins over the bounding box of the
/// tracked positions; errors are Euclidean distances in the input's units.
///
/// # Examples
/// ```
/// use canns::analysis::{decode_position, DecodingParams};
/// use canns::ndarray::Array2;
/// // 9 units with Gaussian place fields on a 3 x 3 lattice in a 1 m box.
/// let xy = Array2::from_shape_fn((3000, 2), |(t, c)| {
///     let t = t as f64;
///     0.5 + 0.45 * if c == 0 { (0.013 * t).sin() } else { (0.0171 * t).cos() }
/// });
/// let counts = Array2::from_shape_fn((3000, 9), |(t, i)| {
///     let (cx, cy) = (0.2 + 0.3 * (i % 3) as f64, 0.2 + 0.3 * (i / 3) as f64);
///     let d2 = (xy[[t, 0]] - cx).powi(2) + (xy[[t, 1]] - cy).powi(2);
///     4.0 * (-d2 / (2.0 * 0.15f64.powi(2))).exp()
/// });
/// let d = decode_position(&counts.view(), &xy.view(), 0.1, &DecodingParams::default().n_bins(20))?;
/// assert!(d.median_error < 0.05); // metres
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// As [`decode_head_direction`]; also [`Error::Shape`] when `xy` does not
/// have 2 columns, and [`Error::Invalid`] when no position is tracked.
///
/// # References
/// Zhang et al. (1998), eqs. 16 and 36.
pub fn decode_position(
    counts: &ArrayView2<f64>,
    xy: &ArrayView2<f64>,
    bin_size: f64,
    params: &DecodingParams,
) -> Result<Decoding> {
    params.validate()?;
    if xy.ncols() != 2 {
        return Err(Error::shape("positions", "2 columns (x, y)", xy.ncols()));
    }
    let mut lo = [f64::INFINITY; 2];
    let mut hi = [f64::NEG_INFINITY; 2];
    for r in xy.rows() {
        if r[0].is_finite() && r[1].is_finite() {
            for c in 0..2 {
                lo[c] = lo[c].min(r[c]);
                hi[c] = hi[c].max(r[c]);
            }
        }
    }
    if !lo[0].is_finite() {
        return Err(Error::Invalid(
            "positions: no tracked (finite) position".into(),
        ));
    }
    let n = params.n_bins;
    let step = [
        ((hi[0] - lo[0]) / n as f64).max(1e-12),
        ((hi[1] - lo[1]) / n as f64).max(1e-12),
    ];
    let space = States::Grid { n, lo, step };
    run(
        counts,
        xy.to_owned(),
        bin_size,
        params,
        space,
        Variable::Position,
    )
}

fn run(
    counts: &ArrayView2<f64>,
    truth: Array2<f64>,
    bin_size: f64,
    params: &DecodingParams,
    space: States,
    variable: Variable,
) -> Result<Decoding> {
    check::positive("bin_size", bin_size)?;
    let (n_rows, n_units) = counts.dim();
    if truth.nrows() != n_rows {
        return Err(Error::shape(
            "decoded variable against counts",
            format!("{n_rows} time bins"),
            truth.nrows(),
        ));
    }
    if n_rows < params.n_folds {
        return Err(Error::shape(
            "counts",
            format!(">= {} time bins (n_folds)", params.n_folds),
            n_rows,
        ));
    }
    if n_units == 0 {
        return Err(Error::shape("counts", ">= 1 unit", 0));
    }
    if let Some(v) = counts.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
        return Err(Error::data(
            "counts",
            format!("spike counts must be finite and >= 0 (got {v})"),
        ));
    }
    let state: Vec<Option<usize>> = truth
        .rows()
        .into_iter()
        .map(|r| space.state_of(r.as_slice().expect("owned rows are contiguous")))
        .collect();
    let fold: Vec<usize> = (0..n_rows).map(|r| r * params.n_folds / n_rows).collect();
    let sd = params.smoothing;
    let decode_all = |c: &ArrayView2<f64>| -> Array2<f64> {
        let mut out = Array2::from_elem((n_rows, 2), f64::NAN);
        for f in 0..params.n_folds {
            let test: Vec<usize> = (0..n_rows).filter(|&r| fold[r] == f).collect();
            let train_rows: Vec<usize> = (0..n_rows).filter(|&r| fold[r] != f).collect();
            let tr = train(c, &state, &train_rows, &space, sd);
            decode_rows(counts, &test, &tr, &space, params.decoder, &mut out);
        }
        if matches!(space, States::Circle { .. }) {
            out.column_mut(1)
                .mapv_inplace(|v| if v.is_nan() { v } else { 0.0 });
        }
        out
    };
    let errors_of = |decoded: &Array2<f64>| -> Vec<f64> {
        (0..n_rows)
            .map(|r| {
                let d = [decoded[[r, 0]], decoded[[r, 1]]];
                if state[r].is_some() && d[0].is_finite() {
                    space.error(&d, truth.row(r).as_slice().expect("contiguous"))
                } else {
                    f64::NAN
                }
            })
            .collect()
    };
    let per_fold = |e: &[f64]| -> Vec<f64> {
        (0..params.n_folds)
            .map(|f| {
                let v: Vec<f64> = (0..n_rows)
                    .filter(|&r| fold[r] == f)
                    .map(|r| e[r])
                    .collect();
                percentile(&v, 50.0)
            })
            .collect()
    };
    let decoded = decode_all(counts);
    let error = errors_of(&decoded);
    let (shuffled_median_error, shuffled_fold_median_error) = if params.shuffle {
        let mut rng = crate::random::seeded(params.seed);
        let mut shifted = Array2::zeros((n_rows, n_units));
        for i in 0..n_units {
            let off = rng.random_range(n_rows / 10..=(9 * n_rows / 10).max(n_rows / 10));
            for r in 0..n_rows {
                shifted[[(r + off) % n_rows, i]] = counts[[r, i]];
            }
        }
        let e = errors_of(&decode_all(&shifted.view()));
        (percentile(&e, 50.0), per_fold(&e))
    } else {
        (f64::NAN, vec![f64::NAN; params.n_folds])
    };
    Ok(Decoding {
        variable,
        params: params.clone(),
        bin_size,
        t: (0..n_rows).map(|r| r as f64 * bin_size).collect(),
        truth,
        decoded,
        median_error: percentile(&error, 50.0),
        fold_median_error: per_fold(&error),
        error,
        fold,
        shuffled_median_error,
        shuffled_fold_median_error,
    })
}

impl Decoding {
    /// Replaces the time-bin centres (seconds), e.g. those of a
    /// [`BinnedSpikes`](crate::data::BinnedSpikes).
    ///
    /// # Errors
    /// [`Error::Shape`] when `t` does not have one value per time bin.
    pub fn with_times(mut self, t: Vec<f64>) -> Result<Self> {
        if t.len() != self.t.len() {
            return Err(Error::shape(
                "decoding times",
                format!("{} values", self.t.len()),
                t.len(),
            ));
        }
        self.t = t;
        Ok(self)
    }

    /// Median absolute error in degrees (head direction).
    pub fn median_error_deg(&self) -> f64 {
        self.median_error.to_degrees()
    }

    /// Median absolute error of the shuffled control in degrees (head direction).
    pub fn shuffled_median_error_deg(&self) -> f64 {
        self.shuffled_median_error.to_degrees()
    }

    /// Number of time bins with a defined error.
    pub fn n_scored(&self) -> usize {
        self.error.iter().filter(|e| e.is_finite()).count()
    }

    fn unit(&self) -> (&'static str, f64) {
        match self.variable {
            Variable::HeadDirection => ("deg", 180.0 / std::f64::consts::PI),
            Variable::Position => ("cm (if metres)", 100.0),
        }
    }

    /// Decoded against true values over time (degrees for head direction;
    /// x and y for position).
    pub fn plot(&self) -> Figure {
        let mut plot = Plot::new();
        let t = self.t.clone();
        let cols: &[(usize, &str)] = match self.variable {
            Variable::HeadDirection => &[(0, "head direction")],
            Variable::Position => &[(0, "x"), (1, "y")],
        };
        let scale = match self.variable {
            Variable::HeadDirection => 180.0 / std::f64::consts::PI,
            Variable::Position => 1.0,
        };
        for &(c, name) in cols {
            let y = |a: &Array2<f64>| -> Vec<f64> {
                a.column(c)
                    .iter()
                    .map(|v| crate::display::compact(v * scale))
                    .collect()
            };
            plot.add_trace(
                Scatter::new(t.clone(), y(&self.truth))
                    .name(format!("true {name}"))
                    .mode(Mode::Lines),
            );
            plot.add_trace(
                Scatter::new(t.clone(), y(&self.decoded))
                    .name(format!("decoded {name}"))
                    .mode(Mode::Markers)
                    .marker(plotly::common::Marker::new().size(3)),
            );
        }
        let y_label = match self.variable {
            Variable::HeadDirection => "head direction (deg)",
            Variable::Position => "position",
        };
        plot.set_layout(layout(
            &format!(
                "{:?} decoding ({:?}, {} s bins)",
                self.variable, self.params.decoder, self.bin_size
            ),
            "time (s)",
            y_label,
        ));
        Figure::from(plot)
    }
}

crate::display::debug_via_display!(Decoding);

impl std::fmt::Display for Decoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (u, s) = self.unit();
        write!(
            f,
            "Decoding {:?} ({:?}, {} s bins, {} folds): median error {:.2} {u}, shuffled {:.2} {u}",
            self.variable,
            self.params.decoder,
            self.bin_size,
            self.params.n_folds,
            self.median_error * s,
            self.shuffled_median_error * s
        )
    }
}

impl Render for Decoding {
    fn bundle(&self) -> Bundle {
        let (u, s) = self.unit();
        let folds = |v: &[f64]| {
            v.iter()
                .map(|e| format!("{:.1}", e * s))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let kv = KeyValues::new(format!("{:?} decoding", self.variable))
            .row(
                "decoder",
                format!("{:?}", self.params.decoder),
                "Zhang et al. 1998",
            )
            .row("bin_size", self.bin_size, "s")
            .row("median_error", format!("{:.2}", self.median_error * s), u)
            .row("fold_median_error", folds(&self.fold_median_error), u)
            .row(
                "shuffled_median_error",
                format!("{:.2}", self.shuffled_median_error * s),
                format!("{u}, decoder trained on circularly shifted spikes"),
            )
            .row(
                "scored bins",
                self.n_scored(),
                "time bins with a true and a decoded value",
            );
        Bundle::figure(&self.plot(), &kv.to_html(), self.to_string())
    }
}

crate::display::evcxr_display_via_render!(Decoding);
