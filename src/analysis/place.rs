//! Spatial rate maps and their scores: Skaggs spatial information, (documented in the parent module)

use super::sampling::{check_behaviour, check_spikes, sample_durations, sample_of, smooth_2d};
use crate::display::Figure;
use crate::display::{heatmap, Bundle, KeyValues, Render};
use crate::error::{Error, ParamError, Result};
use crate::params::check;
use crate::params::Params;
use crate::spatial::{bins_of_positions, occupancy_of_bins};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// Parameters of [`rate_map`].
///
/// # Example
/// ```
/// use canns::analysis::RateMapParams;
/// use canns::params::Params;
/// // A fixed 1 m box in 10 cm bins, whatever part of it was visited.
/// let p = RateMapParams::default().bin_size(0.1).extent(Some([0.0, 1.0, 0.0, 1.0]));
/// let t: Vec<f64> = (0..1000).map(|i| i as f64 * 0.02).collect();
/// let x: Vec<f64> = t.iter().map(|t| 0.2 + 0.01 * t).collect();
/// let y = vec![0.5; t.len()];
/// let maps = p.run(&t, &x, &y, &[vec![1.0, 2.0, 3.0]])?;
/// assert_eq!((maps[0].rates.dim(), maps[0].extent), ((10, 10), [0.0, 1.0, 0.0, 1.0]));
/// let err = RateMapParams::default().extent(Some([1.0, 0.0, 0.0, 1.0])).validate().unwrap_err();
/// assert!(err.to_string().contains("extent"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateMapParams {
    /// Side of a square spatial bin (input units, usually metres). Default 0.025 (2.5 cm).
    pub bin_size: f64,
    /// `[x_min, x_max, y_min, y_max]` of the map; `None` uses the bounding box
    /// of the tracked positions. Default `None`.
    pub extent: Option<[f64; 4]>,
    /// Standard deviation of the Gaussian applied to counts and occupancy, in
    /// bins (0: none). Default 1.5.
    pub smoothing: f64,
    /// Bins visited for less than this (seconds, before smoothing) are left
    /// undefined (NaN). Default 0.1.
    pub min_occupancy: f64,
    /// Sampling intervals longer than this are tracking gaps (seconds). Default 1.
    pub max_gap: f64,
    /// Smallest field for the border score (input units squared). Default
    /// 0.02 (200 cm^2, Solstad et al. 2008).
    pub min_field_area: f64,
}

impl Default for RateMapParams {
    fn default() -> Self {
        Self {
            bin_size: 0.025,
            extent: None,
            smoothing: 1.5,
            min_occupancy: 0.1,
            max_gap: 1.0,
            min_field_area: 0.02,
        }
    }
}

impl RateMapParams {
    /// The rate maps of several spike trains over the same behaviour: the
    /// same as [`rate_maps`], which documents the arguments and errors.
    ///
    /// # Errors
    /// As [`rate_maps`].
    pub fn run(
        &self,
        t: &[f64],
        x: &[f64],
        y: &[f64],
        spikes: &[Vec<f64>],
    ) -> Result<Vec<RateMap>> {
        rate_maps(t, x, y, spikes, self)
    }

    crate::params::setters! {
        /// Sets `bin_size`.
        bin_size: f64,
        /// Sets `extent`.
        extent: Option<[f64; 4]>,
        /// Sets `smoothing` (bins).
        smoothing: f64,
        /// Sets `min_occupancy` (seconds).
        min_occupancy: f64,
        /// Sets `max_gap` (seconds).
        max_gap: f64,
        /// Sets `min_field_area`.
        min_field_area: f64,
    }
}

impl Params for RateMapParams {
    const NAME: &'static str = "RateMapParams";

    fn validate(&self) -> Result<()> {
        check::positive("bin_size", self.bin_size)?;
        check::non_negative("smoothing", self.smoothing)?;
        check::non_negative("min_occupancy", self.min_occupancy)?;
        check::positive("max_gap", self.max_gap)?;
        check::non_negative("min_field_area", self.min_field_area)?;
        if let Some(e) = self.extent {
            if !(e.iter().all(|v| v.is_finite()) && e[1] > e[0] && e[3] > e[2]) {
                return Err(ParamError::new(
                    "extent",
                    "finite with x_max > x_min and y_max > y_min",
                    format!("{e:?}"),
                )
                .into());
            }
            if (e[1] - e[0]) / self.bin_size > 2000.0 || (e[3] - e[2]) / self.bin_size > 2000.0 {
                return Err(Error::Limit(format!(
                    "rate map: more than 2000 bins per side (extent {e:?}, bin_size {})",
                    self.bin_size
                )));
            }
        }
        Ok(())
    }
}

/// A 2D rate map with its occupancy.
///
/// # Shapes
/// `rates`, `occupancy` and `counts` are `(n_y, n_x)`: row `i` is
/// `y = y_min + (i + 0.5) bin_size`, column `j` is `x = x_min + (j + 0.5) bin_size`.
///
/// # Example
/// ```
/// use canns::analysis::RateMap;
/// use canns::ndarray::Array2;
/// // Uniform occupancy; the unit fires at 10 Hz in one bin of 100 and is silent elsewhere.
/// let mut rates = Array2::zeros((10, 10));
/// rates[[2, 7]] = 10.0;
/// let m = RateMap::from_rates(rates, Array2::ones((10, 10)), 0.1)?;
/// assert!((m.mean_rate() - 0.1).abs() < 1e-12 && m.peak_rate() == 10.0);
/// // One bin in 100: log2(100) bits per spike, sparsity 1/100.
/// assert!((m.spatial_information() - 100f64.log2()).abs() < 1e-9);
/// assert!((m.sparsity() - 0.01).abs() < 1e-12);
/// assert!(m.to_string().starts_with("RateMap 10 x 10 bins"), "{m}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateMap {
    /// The parameters used.
    pub params: RateMapParams,
    /// `[x_min, x_max, y_min, y_max]` actually used.
    pub extent: [f64; 4],
    /// Rates (Hz), NaN where undefined.
    pub rates: Array2<f64>,
    /// Smoothed time in each bin (seconds).
    pub occupancy: Array2<f64>,
    /// Raw spike counts in each bin.
    pub counts: Array2<f64>,
}

/// The rate map of one spike train (see the module docs).
///
/// `t` are behaviour timestamps (seconds, increasing), `x`, `y` the position
/// at each (NaN: untracked), `spikes` the spike times (seconds).
///
/// # Examples
/// ```
/// use canns::analysis::{rate_map, RateMapParams};
/// // A 1 m box scanned row by row for 400 s; the unit fires in the corner x, y < 0.2 m.
/// let t: Vec<f64> = (0..40_000).map(|i| i as f64 * 0.01).collect();
/// let x: Vec<f64> = t.iter().map(|t| (t * 0.5 % 2.0 - 1.0).abs()).collect();
/// let y: Vec<f64> = t.iter().map(|t| t / 400.0).collect();
/// let spikes: Vec<f64> = t.iter().zip(x.iter().zip(&y)).filter(|(_, (x, y))| **x < 0.2 && **y < 0.2).map(|(t, _)| *t).step_by(2).collect();
/// let map = rate_map(&t, &x, &y, &spikes, &RateMapParams::default().bin_size(0.05))?;
/// assert!(map.rates[[0, 0]] > 40.0 && map.rates[[15, 15]] < 1.0);
/// assert!(map.spatial_information() > 2.0);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Param`] for a bad parameter, [`Error::Shape`] when `x`, `y` and
/// `t` differ in length, [`Error::Data`] when `t` is not strictly increasing
/// or a spike time is not finite, [`Error::Invalid`] when no position is tracked.
pub fn rate_map(
    t: &[f64],
    x: &[f64],
    y: &[f64],
    spikes: &[f64],
    params: &RateMapParams,
) -> Result<RateMap> {
    rate_maps(t, x, y, &[spikes.to_vec()], params).map(|mut v| v.remove(0))
}

/// The rate maps of several spike trains over the same behaviour (see [`rate_map`]).
///
/// # Errors
/// As [`rate_map`].
pub fn rate_maps(
    t: &[f64],
    x: &[f64],
    y: &[f64],
    spikes: &[Vec<f64>],
    params: &RateMapParams,
) -> Result<Vec<RateMap>> {
    use rayon::prelude::*;
    params.validate()?;
    check_behaviour("position", t, &[x.len(), y.len()])?;
    check_spikes(spikes)?;
    let ok = |i: usize| x[i].is_finite() && y[i].is_finite();
    let extent = match params.extent {
        Some(e) => e,
        None => {
            let mut e = [
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
            ];
            for i in (0..t.len()).filter(|&i| ok(i)) {
                e = [
                    e[0].min(x[i]),
                    e[1].max(x[i]),
                    e[2].min(y[i]),
                    e[3].max(y[i]),
                ];
            }
            if !e[0].is_finite() {
                return Err(Error::Invalid(
                    "position: no tracked (finite) sample".into(),
                ));
            }
            // Keep the largest position inside the last bin.
            e[1] += 1e-9 * (1.0 + e[1].abs());
            e[3] += 1e-9 * (1.0 + e[3].abs());
            e
        }
    };
    let b = params.bin_size;
    let nx = (((extent[1] - extent[0]) / b).ceil() as usize).max(1);
    let ny = (((extent[3] - extent[2]) / b).ceil() as usize).max(1);
    if nx > 2000 || ny > 2000 {
        return Err(Error::Limit(format!(
            "rate map: {ny} x {nx} bins; use a larger `bin_size` (got {b})"
        )));
    }
    let bin_of = bins_of_positions(x, Some(y), [extent[0], extent[2]], b, (nx, ny));
    let dur = sample_durations(t, params.max_gap, |i| bin_of[i].is_some());
    let occ_raw = occupancy_of_bins(&bin_of, |i| dur[i], (nx, ny));
    if occ_raw.sum() <= 0.0 {
        return Err(Error::Invalid(
            "position: no tracked sample inside the extent".into(),
        ));
    }
    let occ = smooth_2d(&occ_raw, params.smoothing);
    Ok(spikes
        .par_iter()
        .map(|train| {
            let mut counts = Array2::zeros((ny, nx));
            for &s in train {
                if let Some(i) = sample_of(t, &dur, s) {
                    if let Some(bin) = bin_of[i] {
                        counts[bin] += 1.0;
                    }
                }
            }
            let c = smooth_2d(&counts, params.smoothing);
            let rates = Array2::from_shape_fn((ny, nx), |ij| {
                if occ_raw[ij] >= params.min_occupancy && occ_raw[ij] > 0.0 && occ[ij] > 0.0 {
                    c[ij] / occ[ij]
                } else {
                    f64::NAN
                }
            });
            RateMap {
                params: params.clone(),
                extent,
                rates,
                occupancy: occ.clone(),
                counts,
            }
        })
        .collect())
}

impl RateMap {
    /// A rate map from given rates (Hz) and occupancy (seconds), e.g. a
    /// model's; `extent` is derived from `bin_size` with the origin at 0.
    ///
    /// # Examples
    /// ```
    /// use canns::analysis::RateMap;
    /// use canns::ndarray::Array2;
    /// let m = RateMap::from_rates(Array2::from_elem((10, 10), 2.0), Array2::ones((10, 10)), 0.1)?;
    /// assert!((m.sparsity() - 1.0).abs() < 1e-12);
    /// assert!(m.spatial_information().abs() < 1e-12);
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Shape`] when the two arrays differ in shape, [`Error::Param`]
    /// when `bin_size` is not positive.
    pub fn from_rates(rates: Array2<f64>, occupancy: Array2<f64>, bin_size: f64) -> Result<Self> {
        check::positive("bin_size", bin_size)?;
        if rates.dim() != occupancy.dim() {
            return Err(Error::shape(
                "occupancy against rates",
                format!("{:?}", rates.dim()),
                format!("{:?}", occupancy.dim()),
            ));
        }
        let (ny, nx) = rates.dim();
        Ok(Self {
            params: RateMapParams::default().bin_size(bin_size),
            extent: [0.0, nx as f64 * bin_size, 0.0, ny as f64 * bin_size],
            counts: Array2::zeros((ny, nx)),
            rates,
            occupancy,
        })
    }

    fn weighted(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        let total: f64 = self
            .rates
            .iter()
            .zip(&self.occupancy)
            .filter(|(r, _)| r.is_finite())
            .map(|(_, o)| o)
            .sum();
        self.rates
            .iter()
            .zip(&self.occupancy)
            .filter(|(r, _)| r.is_finite())
            .map(move |(&r, &o)| (o / total, r))
    }

    /// Occupancy-weighted mean rate `l` (Hz).
    pub fn mean_rate(&self) -> f64 {
        self.weighted().map(|(p, r)| p * r).sum()
    }

    /// Largest bin rate (Hz).
    pub fn peak_rate(&self) -> f64 {
        self.rates
            .iter()
            .filter(|r| r.is_finite())
            .fold(0.0, |a, &b| a.max(b))
    }

    /// Skaggs spatial information (bits/spike); 0 for a silent unit.
    pub fn spatial_information(&self) -> f64 {
        let l = self.mean_rate();
        if l <= 0.0 {
            return 0.0;
        }
        self.weighted()
            .filter(|(_, r)| *r > 0.0)
            .map(|(p, r)| p * r / l * (r / l).log2())
            .sum()
    }

    /// Sparsity (0..1; 1 for a uniform map); NaN for a silent unit.
    pub fn sparsity(&self) -> f64 {
        let l = self.mean_rate();
        let l2: f64 = self.weighted().map(|(p, r)| p * r * r).sum();
        if l2 > 0.0 {
            l * l / l2
        } else {
            f64::NAN
        }
    }

    /// Spatial autocorrelogram: Pearson correlation of the map with itself
    /// shifted by every lag, over bins defined in both (NaN with fewer than
    /// 20 such bins). Shape `(2 n_y - 1, 2 n_x - 1)`, zero lag at the centre.
    pub fn autocorrelogram(&self) -> Array2<f64> {
        autocorrelogram(&self.rates)
    }

    /// Grid score of the autocorrelogram (see the module docs); NaN when the
    /// map is too small or flat.
    pub fn grid_score(&self) -> f64 {
        grid_score(&self.autocorrelogram())
    }

    /// Grid spacing (input units): [`grid_spacing`] of the autocorrelogram
    /// times the bin size; NaN when it has no peak beyond its first minimum.
    pub fn grid_spacing(&self) -> f64 {
        grid_spacing(&self.autocorrelogram()) * self.params.bin_size
    }

    /// Border score (see the module docs): near 1 for a field along one wall,
    /// -1 for fields away from the walls; NaN for a silent unit.
    pub fn border_score(&self) -> f64 {
        border_score(
            &self.rates,
            self.params.bin_size,
            self.params.min_field_area,
        )
    }

    fn centres(&self) -> (Vec<f64>, Vec<f64>) {
        let (ny, nx) = self.rates.dim();
        let b = self.params.bin_size;
        (
            (0..nx)
                .map(|j| self.extent[0] + (j as f64 + 0.5) * b)
                .collect(),
            (0..ny)
                .map(|i| self.extent[2] + (i as f64 + 0.5) * b)
                .collect(),
        )
    }

    /// The rate map as a heatmap (Hz).
    pub fn plot(&self) -> Figure {
        let (x, y) = self.centres();
        let z = self.rates.rows().into_iter().map(|r| r.to_vec()).collect();
        heatmap("Rate map (Hz)", "x", "y", x, y, z)
    }

    /// The spatial autocorrelogram as a heatmap.
    pub fn plot_autocorrelogram(&self) -> Figure {
        let a = self.autocorrelogram();
        let (ny, nx) = a.dim();
        let b = self.params.bin_size;
        let x = (0..nx).map(|j| (j as f64 - (nx / 2) as f64) * b).collect();
        let y = (0..ny).map(|i| (i as f64 - (ny / 2) as f64) * b).collect();
        let z = a.rows().into_iter().map(|r| r.to_vec()).collect();
        heatmap(
            &format!(
                "Spatial autocorrelogram (grid score {:.2})",
                self.grid_score()
            ),
            "lag x",
            "lag y",
            x,
            y,
            z,
        )
    }
}

impl std::fmt::Display for RateMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (ny, nx) = self.rates.dim();
        write!(
            f,
            "RateMap {ny} x {nx} bins of {}: peak {:.2} Hz, mean {:.2} Hz, {:.3} bits/spike",
            self.params.bin_size,
            self.peak_rate(),
            self.mean_rate(),
            self.spatial_information()
        )
    }
}

impl Render for RateMap {
    fn bundle(&self) -> Bundle {
        let kv = KeyValues::new("Rate map")
            .row("peak_rate", format!("{:.2}", self.peak_rate()), "Hz")
            .row(
                "mean_rate",
                format!("{:.2}", self.mean_rate()),
                "Hz, occupancy-weighted",
            )
            .row(
                "spatial_information",
                format!("{:.3}", self.spatial_information()),
                "bits/spike (Skaggs 1993)",
            )
            .row("sparsity", format!("{:.3}", self.sparsity()), "Skaggs 1996")
            .row(
                "grid_score",
                format!("{:.3}", self.grid_score()),
                "Sargolini 2006",
            )
            .row(
                "border_score",
                format!("{:.3}", self.border_score()),
                "Solstad 2008",
            );
        Bundle::figure(&self.plot(), &kv.to_html(), self.to_string())
    }
}

crate::display::evcxr_display_via_render!(RateMap);

/// Spatial autocorrelogram of a map (NaN: undefined bins); see
/// [`RateMap::autocorrelogram`].
///
/// # Examples
/// ```
/// let m = canns::ndarray::Array2::from_shape_fn((10, 10), |(i, j)| ((i + 2 * j) % 5) as f64);
/// let a = canns::analysis::autocorrelogram(&m);
/// assert_eq!(a.dim(), (19, 19));
/// assert!((a[[9, 9]] - 1.0).abs() < 1e-12);
/// ```
pub fn autocorrelogram(m: &Array2<f64>) -> Array2<f64> {
    let (ny, nx) = m.dim();
    let mut out = Array2::from_elem((2 * ny - 1, 2 * nx - 1), f64::NAN);
    for dy in -(ny as isize - 1)..ny as isize {
        for dx in -(nx as isize - 1)..nx as isize {
            let (mut n, mut sa, mut sb, mut saa, mut sbb, mut sab) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
            for i in 0.max(-dy)..(ny as isize).min(ny as isize - dy) {
                for j in 0.max(-dx)..(nx as isize).min(nx as isize - dx) {
                    let a = m[[i as usize, j as usize]];
                    let b = m[[(i + dy) as usize, (j + dx) as usize]];
                    if a.is_finite() && b.is_finite() {
                        n += 1.0;
                        sa += a;
                        sb += b;
                        saa += a * a;
                        sbb += b * b;
                        sab += a * b;
                    }
                }
            }
            if n >= 20.0 {
                let cov = sab / n - sa * sb / (n * n);
                let va = saa / n - sa * sa / (n * n);
                let vb = sbb / n - sb * sb / (n * n);
                if va > 1e-15 && vb > 1e-15 {
                    out[[
                        (dy + ny as isize - 1) as usize,
                        (dx + nx as isize - 1) as usize,
                    ]] = cov / (va * vb).sqrt();
                }
            }
        }
    }
    out
}

/// Bilinear sample of `a` at fractional `(y, x)`; NaN outside or next to NaN.
fn sample(a: &Array2<f64>, y: f64, x: f64) -> f64 {
    let (ny, nx) = a.dim();
    if y < 0.0 || x < 0.0 || y > (ny - 1) as f64 || x > (nx - 1) as f64 {
        return f64::NAN;
    }
    let (i, j) = (y.floor() as usize, x.floor() as usize);
    let (i1, j1) = ((i + 1).min(ny - 1), (j + 1).min(nx - 1));
    let (fy, fx) = (y - i as f64, x - j as f64);
    a[[i, j]] * (1.0 - fy) * (1.0 - fx)
        + a[[i, j1]] * (1.0 - fy) * fx
        + a[[i1, j]] * fy * (1.0 - fx)
        + a[[i1, j1]] * fy * fx
}

/// Grid score of an autocorrelogram (centre at the middle bin); see the
/// module docs. The inner radius is where the radial mean profile first
/// stops decreasing or drops below 0 (the edge of the central peak); the
/// score is the largest over outer radii from the inner radius + 3 bins to
/// the largest full circle.
///
/// # Examples
/// ```
/// use canns::analysis::{autocorrelogram, grid_score};
/// use canns::ndarray::Array2;
/// // A hexagonal pattern: three plane waves 60 degrees apart, period 8 bins.
/// let k = 2.0 * std::f64::consts::PI / 8.0 * 2.0 / 3f64.sqrt();
/// let m = Array2::from_shape_fn((40, 40), |(i, j)| {
///     (0..3).map(|n| {
///         let a = n as f64 * std::f64::consts::PI / 3.0;
///         (k * (a.cos() * j as f64 + a.sin() * i as f64)).cos()
///     }).sum::<f64>()
/// });
/// assert!(grid_score(&autocorrelogram(&m)) > 1.0);
/// ```
pub fn grid_score(ac: &Array2<f64>) -> f64 {
    let (ny, nx) = ac.dim();
    let (cy, cx) = ((ny / 2) as f64, (nx / 2) as f64);
    let r_max = (cy.min(cx) - 1.0).floor();
    if r_max < 4.0 {
        return f64::NAN;
    }
    let dist = |i: usize, j: usize| ((i as f64 - cy).powi(2) + (j as f64 - cx).powi(2)).sqrt();
    // Radial mean profile in 1-bin rings.
    let nr = r_max as usize + 1;
    let (mut sum, mut cnt) = (vec![0.0; nr], vec![0.0; nr]);
    for ((i, j), &v) in ac.indexed_iter() {
        let r = dist(i, j).round() as usize;
        if r < nr && v.is_finite() {
            sum[r] += v;
            cnt[r] += 1.0;
        }
    }
    let prof: Vec<f64> = sum
        .iter()
        .zip(&cnt)
        .map(|(s, c)| if *c > 0.0 { s / c } else { f64::NAN })
        .collect();
    let mut r_in = 1usize;
    while r_in + 1 < nr && prof[r_in + 1] < prof[r_in] && prof[r_in] > 0.0 {
        r_in += 1;
    }
    let rotated: Vec<(f64, Array2<f64>)> = [30.0f64, 60.0, 90.0, 120.0, 150.0]
        .iter()
        .map(|&deg| {
            let (s, c) = deg.to_radians().sin_cos();
            let rot = Array2::from_shape_fn((ny, nx), |(i, j)| {
                let (y, x) = (i as f64 - cy, j as f64 - cx);
                sample(ac, cy + s * x + c * y, cx + c * x - s * y)
            });
            (deg, rot)
        })
        .collect();
    let mut best = f64::NAN;
    for r_out in (r_in + 3)..=(r_max as usize) {
        let corr = |b: &Array2<f64>| {
            let (mut n, mut sa, mut sb, mut saa, mut sbb, mut sab) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
            for ((i, j), &a) in ac.indexed_iter() {
                let d = dist(i, j);
                let v = b[[i, j]];
                if d > r_in as f64 && d <= r_out as f64 && a.is_finite() && v.is_finite() {
                    n += 1.0;
                    sa += a;
                    sb += v;
                    saa += a * a;
                    sbb += v * v;
                    sab += a * v;
                }
            }
            let cov = sab / n - sa * sb / (n * n);
            let va = saa / n - sa * sa / (n * n);
            let vb = sbb / n - sb * sb / (n * n);
            if n >= 10.0 && va > 1e-15 && vb > 1e-15 {
                cov / (va * vb).sqrt()
            } else {
                f64::NAN
            }
        };
        let c: Vec<f64> = rotated.iter().map(|(_, r)| corr(r)).collect();
        let g = c[1].min(c[3]) - c[0].max(c[2]).max(c[4]);
        if g.is_finite() && (best.is_nan() || g > best) {
            best = g;
        }
    }
    best
}

/// Grid spacing of an autocorrelogram (centre at the middle bin), in bins:
/// the radius of the first local maximum of the radially averaged profile
/// beyond its first local minimum (the innermost ring of six fields),
/// refined by a parabola through the peak and its two neighbours. NaN when the profile has no minimum followed by a peak.
///
/// Unlike masking a fixed radius around the centre (as `canns`'s
/// `find_grid_spacing` masks r < 3 bins), starting beyond the first minimum
/// never picks the flank of the central peak.
///
/// # Examples
/// ```
/// use canns::analysis::{autocorrelogram, grid_spacing};
/// use canns::ndarray::Array2;
/// // A hexagonal pattern of period 8 bins.
/// let k = 2.0 * std::f64::consts::PI / 8.0 * 2.0 / 3f64.sqrt();
/// let m = Array2::from_shape_fn((40, 40), |(i, j)| {
///     (0..3).map(|n| {
///         let a = n as f64 * std::f64::consts::PI / 3.0;
///         (k * (a.cos() * j as f64 + a.sin() * i as f64)).cos()
///     }).sum::<f64>()
/// });
/// assert!((grid_spacing(&autocorrelogram(&m)) - 8.0).abs() < 0.5);
/// ```
pub fn grid_spacing(ac: &Array2<f64>) -> f64 {
    let (ny, nx) = ac.dim();
    let (cy, cx) = ((ny / 2) as f64, (nx / 2) as f64);
    let r_max = (cy.min(cx) - 1.0).floor();
    if r_max < 3.0 {
        return f64::NAN;
    }
    let nr = r_max as usize + 1;
    let (mut sum, mut cnt) = (vec![0.0; nr], vec![0.0; nr]);
    for ((i, j), &v) in ac.indexed_iter() {
        let r = ((i as f64 - cy).powi(2) + (j as f64 - cx).powi(2))
            .sqrt()
            .round() as usize;
        if r < nr && v.is_finite() {
            sum[r] += v;
            cnt[r] += 1.0;
        }
    }
    let prof: Vec<f64> = sum
        .iter()
        .zip(&cnt)
        .map(|(s, c)| if *c > 0.0 { s / c } else { f64::NAN })
        .collect();
    let mut r_min = 1usize;
    while r_min + 1 < nr
        && prof[r_min + 1].partial_cmp(&prof[r_min]) != Some(std::cmp::Ordering::Greater)
    {
        r_min += 1;
    }
    if r_min + 1 >= nr {
        return f64::NAN;
    }
    // The first local maximum beyond the minimum (the innermost ring of
    // fields); the highest point when the profile rises to the edge.
    let mut peak = r_min + 1;
    while peak + 1 < nr && prof[peak + 1].partial_cmp(&prof[peak]) != Some(std::cmp::Ordering::Less)
    {
        peak += 1;
    }
    if !prof[peak].is_finite() {
        return f64::NAN;
    }
    if peak + 1 < nr && prof[peak + 1].is_finite() && prof[peak - 1].is_finite() {
        let (a, b, c) = (prof[peak - 1], prof[peak], prof[peak + 1]);
        let den = a - 2.0 * b + c;
        if den < 0.0 {
            return peak as f64 + 0.5 * (a - c) / den;
        }
    }
    peak as f64
}

/// Rate maps of continuous activity (model rates) over a path: the mean
/// activity of each cell in each square bin of side `bin_size`, with the
/// summed activity and the occupancy smoothed alike by a Gaussian of
/// `smoothing` bins; bins never visited are NaN. The occupancy of the
/// returned maps is in samples.
///
/// # Shapes
/// `activity` is `(n_samples, n_cells)`; `x`, `y` have `n_samples` entries.
///
/// # Examples
/// ```
/// use canns::analysis::activity_rate_maps;
/// use canns::ndarray::Array2;
/// // A raster scan of a 1 m box; cell 0 is active for x < 0.5.
/// let (x, y): (Vec<f64>, Vec<f64>) = (0..10_000).map(|i| ((i % 100) as f64 / 100.0, (i / 100) as f64 / 100.0)).unzip();
/// let act = Array2::from_shape_fn((10_000, 1), |(i, _)| if x[i] < 0.5 { 2.0 } else { 0.0 });
/// let maps = activity_rate_maps(&x, &y, &act.view(), [0.0, 1.0, 0.0, 1.0], 0.1, 0.0)?;
/// assert_eq!(maps[0].rates.dim(), (10, 10));
/// assert_eq!(maps[0].rates[[3, 1]], 2.0);
/// assert_eq!(maps[0].rates[[3, 8]], 0.0);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Shape`] when the lengths disagree, [`Error::Param`] for a bad
/// extent, bin size or smoothing, [`Error::Invalid`] when no sample lies in
/// the extent.
pub fn activity_rate_maps(
    x: &[f64],
    y: &[f64],
    activity: &ndarray::ArrayView2<f64>,
    extent: [f64; 4],
    bin_size: f64,
    smoothing: f64,
) -> Result<Vec<RateMap>> {
    use rayon::prelude::*;
    let params = RateMapParams::default()
        .bin_size(bin_size)
        .extent(Some(extent))
        .smoothing(smoothing)
        .min_occupancy(0.0);
    params.validate()?;
    if x.len() != y.len() || activity.nrows() != x.len() {
        return Err(Error::shape(
            "positions and activity (samples)",
            x.len(),
            format!("{} y, {} activity rows", y.len(), activity.nrows()),
        ));
    }
    let nx = (((extent[1] - extent[0]) / bin_size).round() as usize).max(1);
    let ny = (((extent[3] - extent[2]) / bin_size).round() as usize).max(1);
    let bin_of = bins_of_positions(x, Some(y), [extent[0], extent[2]], bin_size, (nx, ny));
    let occ_raw = occupancy_of_bins(&bin_of, |_| 1.0, (nx, ny));
    if occ_raw.sum() <= 0.0 {
        return Err(Error::Invalid(format!(
            "activity_rate_maps: no position inside the extent {extent:?}"
        )));
    }
    let occ = smooth_2d(&occ_raw, smoothing);
    let extent = [
        extent[0],
        extent[0] + nx as f64 * bin_size,
        extent[2],
        extent[2] + ny as f64 * bin_size,
    ];
    Ok((0..activity.ncols())
        .into_par_iter()
        .map(|c| {
            let col = activity.column(c);
            let mut sums = Array2::zeros((ny, nx));
            for (i, b) in bin_of.iter().enumerate() {
                if let Some(b) = b {
                    sums[*b] += col[i];
                }
            }
            let s = smooth_2d(&sums, smoothing);
            let rates = Array2::from_shape_fn((ny, nx), |ij| {
                if occ_raw[ij] > 0.0 && occ[ij] > 0.0 {
                    s[ij] / occ[ij]
                } else {
                    f64::NAN
                }
            });
            RateMap {
                params: params.clone(),
                extent,
                rates,
                occupancy: occ.clone(),
                counts: sums,
            }
        })
        .collect())
}

/// Border score of a rate map with square bins of `bin_size` (walls are the
/// map's edges); fields smaller than `min_field_area` are ignored. See the
/// module docs; NaN when no field qualifies.
///
/// # Examples
/// ```
/// use canns::analysis::border_score;
/// use canns::ndarray::Array2;
/// // 1 m box in 2.5 cm bins: a field hugging the west wall, and one in the middle.
/// let wall = Array2::from_shape_fn((40, 40), |(_, j)| (-(j as f64 * 0.025).powi(2) / 0.005).exp());
/// let centre = Array2::from_shape_fn((40, 40), |(i, j)| {
///     (-((i as f64 - 20.0).powi(2) + (j as f64 - 20.0).powi(2)) / 30.0).exp()
/// });
/// assert!(border_score(&wall, 0.025, 0.02) > 0.6);
/// assert!(border_score(&centre, 0.025, 0.02) < -0.9);
/// ```
pub fn border_score(rates: &Array2<f64>, bin_size: f64, min_field_area: f64) -> f64 {
    let (ny, nx) = rates.dim();
    let peak = rates
        .iter()
        .filter(|r| r.is_finite())
        .fold(0.0f64, |a, &b| a.max(b));
    if peak <= 0.0 || ny == 0 || nx == 0 {
        return f64::NAN;
    }
    let min_bins = (min_field_area / (bin_size * bin_size)).ceil() as usize;
    // Fields: 4-connected components of bins at >= 30% of the peak.
    let mut label = Array2::<usize>::zeros((ny, nx));
    let mut fields: Vec<Vec<(usize, usize)>> = Vec::new();
    for start in rates.indexed_iter().map(|(ij, _)| ij) {
        let hot = |ij: (usize, usize)| rates[ij].is_finite() && rates[ij] >= 0.3 * peak;
        if label[start] != 0 || !hot(start) {
            continue;
        }
        let id = fields.len() + 1;
        let mut stack = vec![start];
        let mut bins = Vec::new();
        label[start] = id;
        while let Some((i, j)) = stack.pop() {
            bins.push((i, j));
            let nb = [
                (i.wrapping_sub(1), j),
                (i + 1, j),
                (i, j.wrapping_sub(1)),
                (i, j + 1),
            ];
            for (a, b) in nb {
                if a < ny && b < nx && label[[a, b]] == 0 && hot((a, b)) {
                    label[[a, b]] = id;
                    stack.push((a, b));
                }
            }
        }
        fields.push(bins);
    }
    let kept: Vec<usize> = (0..fields.len())
        .filter(|&f| fields[f].len() >= min_bins.max(1))
        .collect();
    if kept.is_empty() {
        return f64::NAN;
    }
    // Wall coverage: fraction of the defined bins along each wall inside one field.
    let walls: [Vec<(usize, usize)>; 4] = [
        (0..ny).map(|i| (i, 0)).collect(),
        (0..ny).map(|i| (i, nx - 1)).collect(),
        (0..nx).map(|j| (0, j)).collect(),
        (0..nx).map(|j| (ny - 1, j)).collect(),
    ];
    let mut cm = 0.0f64;
    for wall in &walls {
        let defined: Vec<_> = wall.iter().filter(|&&ij| rates[ij].is_finite()).collect();
        if defined.is_empty() {
            continue;
        }
        for &f in &kept {
            let id = f + 1;
            let covered = defined.iter().filter(|&&&ij| label[ij] == id).count();
            cm = cm.max(covered as f64 / defined.len() as f64);
        }
    }
    let half = 0.5 * (ny.min(nx) as f64);
    let (mut dsum, mut wsum) = (0.0, 0.0);
    for &f in &kept {
        for &(i, j) in &fields[f] {
            let d = (i as f64 + 0.5)
                .min(ny as f64 - i as f64 - 0.5)
                .min(j as f64 + 0.5)
                .min(nx as f64 - j as f64 - 0.5);
            let w = rates[[i, j]];
            dsum += w * d / half;
            wsum += w;
        }
    }
    let dm = dsum / wsum;
    (cm - dm) / (cm + dm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_input() {
        let t = [0.0, 1.0, 2.0];
        let p = RateMapParams::default();
        assert!(matches!(
            rate_map(&t, &[0.0; 3], &[0.0; 2], &[], &p).unwrap_err(),
            Error::Shape { .. }
        ));
        let e = rate_map(&t, &[0.0; 3], &[0.0; 3], &[], &p.clone().bin_size(-1.0)).unwrap_err();
        assert!(e.to_string().contains("`bin_size`"), "{e}");
        let e = rate_map(&t, &[f64::NAN; 3], &[0.0; 3], &[], &p).unwrap_err();
        assert!(matches!(e, Error::Invalid(_)));
        let e = rate_map(
            &t,
            &[0.0; 3],
            &[0.0; 3],
            &[],
            &p.extent(Some([1.0, 0.0, 0.0, 1.0])),
        )
        .unwrap_err();
        assert!(e.to_string().contains("`extent`"), "{e}");
    }
}
