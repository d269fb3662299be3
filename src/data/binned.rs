//! [`BinnedSpikes`]: spike counts in time bins, the crate's one binning
//! routine and its one Gaussian smoothing in time.
//!
//! Every count matrix in the crate comes from here: [`Recording::bin_spikes`]
//! (over the intervals of an epoch), [`BinnedSpikes::from_spike_times`] (plain
//! spike trains), the decoding analyses and the signature pipeline's
//! [`Activity`](crate::pipeline::signature::Activity).
//!
//! [`Recording::bin_spikes`]: crate::data::Recording::bin_spikes

use super::col;
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{Error, ParamError, Result};
use ndarray::{Array2, ArrayView2};
use polars::prelude::*;

/// Spike counts binned in time.
///
/// Bin `k` of an interval `[a, b)` covers `[a + k bin_size, a + (k + 1)
/// bin_size)`; an interval holds `floor((b - a) / bin_size)` bins, computed
/// with a tolerance of `1e-9` bins so that float round-off (`0.3 / 0.1 =
/// 2.9999999999999996`) does not drop the last one, and a last partial bin
/// is dropped. A spike at `t` counts in bin `floor((t - a) / bin_size)` when
/// that bin exists.
///
/// # Shapes
/// `counts`: `(n_bins, n_units)`, time-major; `centres`: `n_bins`;
/// `units`: `n_units` (the unit id of each column).
///
/// # Examples
/// ```
/// use canns::data::BinnedSpikes;
/// let b = BinnedSpikes::from_spike_times(&[vec![0.05, 0.15, 0.16], vec![0.25]], 0.1, 0.0, 0.3)?;
/// assert_eq!(b.n_bins(), 3); // 0.3 / 0.1 rounds to 2.999..., still 3 bins
/// assert_eq!(b.counts.column(0).to_vec(), vec![1.0, 2.0, 0.0]);
/// assert_eq!(b.units, vec![0, 1]);
/// assert!((b.centres[2] - 0.25).abs() < 1e-12);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct BinnedSpikes {
    /// Spike counts per bin (or smoothed counts after [`BinnedSpikes::smooth`]).
    pub counts: Array2<f64>,
    /// Bin centres in seconds.
    pub centres: Vec<f64>,
    /// Unit id of each column.
    pub units: Vec<u32>,
    /// Bin width in seconds.
    pub bin_size: f64,
    /// Gaussian smoothing applied so far, in seconds (`None` for raw counts).
    pub sigma: Option<f64>,
}

/// Most cells (bins x units) a count matrix may have.
const MAX_CELLS: f64 = 1e9;

/// Bins in an interval of `length` seconds: `floor(length / bin_size)`,
/// with a tolerance so that round-off does not drop the last bin.
fn bins_in(length: f64, bin_size: f64) -> usize {
    (length / bin_size + 1e-9).floor().max(0.0) as usize
}

impl BinnedSpikes {
    /// Bins spike trains (seconds, one list per unit; the units get ids `0,
    /// 1, ...`) into bins of `bin_size` seconds over `[t_start, t_stop)`;
    /// spikes outside are ignored. See the type's docs for the bin edges.
    ///
    /// # Examples
    /// ```
    /// use canns::data::BinnedSpikes;
    /// let b = BinnedSpikes::from_spike_times(&[vec![0.5; 10]], 0.5, 0.0, 1.0)?;
    /// assert_eq!(b.counts.column(0).to_vec(), vec![0.0, 10.0]);
    /// assert!(BinnedSpikes::from_spike_times(&[vec![f64::NAN]], 0.5, 0.0, 1.0).is_err());
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Param`] naming `bin_size` (not > 0, or more than 10^9
    /// cells), `t_start` (not finite) or `t_stop` (not > `t_start`);
    /// [`Error::Data`] when a spike time is not finite.
    pub fn from_spike_times(
        trains: &[Vec<f64>],
        bin_size: f64,
        t_start: f64,
        t_stop: f64,
    ) -> Result<Self> {
        crate::params::check::positive("bin_size", bin_size)?;
        crate::params::check::finite("t_start", t_start)?;
        if !(t_stop > t_start && t_stop.is_finite()) {
            return Err(ParamError::new(
                "t_stop",
                format!("finite and > t_start = {t_start}"),
                t_stop,
            )
            .into());
        }
        for (u, train) in trains.iter().enumerate() {
            if let Some((i, t)) = train.iter().enumerate().find(|(_, t)| !t.is_finite()) {
                return Err(Error::data(
                    "spike times",
                    format!("spikes[{u}][{i}] must be finite (got {t})"),
                ));
            }
        }
        let spikes = trains
            .iter()
            .enumerate()
            .flat_map(|(u, train)| train.iter().map(move |&t| (u, t)));
        Self::over_intervals(
            (0..trains.len() as u32).collect(),
            spikes,
            &[(t_start, t_stop)],
            bin_size,
        )
    }

    /// The one binning routine: `spikes` yields (column, time) pairs,
    /// `intervals` are sorted and disjoint; their bins are concatenated.
    ///
    /// # Errors
    /// [`Error::Param`] naming `bin_size` when it is not > 0 or the matrix
    /// would exceed 10^9 cells.
    pub(crate) fn over_intervals(
        units: Vec<u32>,
        spikes: impl IntoIterator<Item = (usize, f64)>,
        intervals: &[(f64, f64)],
        bin_size: f64,
    ) -> Result<Self> {
        crate::params::check::positive("bin_size", bin_size)?;
        let per: Vec<usize> = intervals
            .iter()
            .map(|&(a, b)| bins_in(b - a, bin_size))
            .collect();
        // Summed in f64: a huge interval must not wrap the count.
        let n_bins_f: f64 = per.iter().map(|&n| n as f64).sum();
        if n_bins_f * (units.len().max(1) as f64) > MAX_CELLS {
            return Err(ParamError::new(
                "bin_size",
                format!(
                    "large enough for at most 1e9 cells ({n_bins_f:.3e} bins x {} units)",
                    units.len()
                ),
                bin_size,
            )
            .into());
        }
        let n_bins: usize = per.iter().sum();
        crate::error::check_memory(
            &format!("{n_bins} bins x {} units of spike counts", units.len()),
            (n_bins as u64).saturating_mul(units.len().max(1) as u64 * 8),
            "raise `bin_size`",
        )?;
        let mut offsets = Vec::with_capacity(intervals.len());
        let mut centres = Vec::with_capacity(n_bins);
        let mut acc = 0;
        for (&(a, _), &n) in intervals.iter().zip(&per) {
            offsets.push(acc);
            acc += n;
            centres.extend((0..n).map(|k| a + (k as f64 + 0.5) * bin_size));
        }
        let starts: Vec<f64> = intervals.iter().map(|x| x.0).collect();
        let mut counts = Array2::<f64>::zeros((n_bins, units.len()));
        for (j, t) in spikes {
            let k = starts.partition_point(|&s| s <= t);
            if k == 0 {
                continue;
            }
            let i = k - 1;
            let b = ((t - starts[i]) / bin_size).floor();
            if b >= 0.0 && (b as usize) < per[i] {
                counts[[offsets[i] + b as usize, j]] += 1.0;
            }
        }
        Ok(BinnedSpikes {
            counts,
            centres,
            units,
            bin_size,
            sigma: None,
        })
    }

    /// Number of time bins.
    pub fn n_bins(&self) -> usize {
        self.counts.nrows()
    }

    /// Number of units (columns).
    pub fn n_units(&self) -> usize {
        self.counts.ncols()
    }

    /// Firing rates in Hz: counts divided by the bin width.
    ///
    /// # Shapes
    /// `(n_bins, n_units)`.
    pub fn rates(&self) -> Array2<f64> {
        &self.counts / self.bin_size
    }

    /// Smooths each unit's counts over time with a Gaussian kernel of
    /// standard deviation `sigma` seconds, truncated at 4 sigma and
    /// renormalised near the ends (so a constant count stays constant):
    /// `c'(t_i) = sum_j w_ij c(t_j) / sum_j w_ij`, `w_ij = exp(-(t_i - t_j)^2 / (2 sigma^2))`.
    ///
    /// # Examples
    /// ```
    /// use canns::data::Recording;
    /// let rec = Recording::builder().spike_train(0, vec![0.55]).build()?;
    /// let b = rec.bin_spikes(0.1, None)?;
    /// let s = b.smooth(0.2)?;
    /// assert!((s.counts.sum() - b.counts.sum()).abs() < 0.5);
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Param`] when `sigma` is not finite and > 0.
    pub fn smooth(&self, sigma: f64) -> Result<BinnedSpikes> {
        crate::params::check::positive("sigma", sigma)?;
        let total = match self.sigma {
            Some(prev) => (prev * prev + sigma * sigma).sqrt(),
            None => sigma,
        };
        Ok(BinnedSpikes {
            counts: smooth_in_time(&self.counts.view(), sigma / self.bin_size),
            centres: self.centres.clone(),
            units: self.units.clone(),
            bin_size: self.bin_size,
            sigma: Some(total),
        })
    }

    /// The counts as a DataFrame: `t` (bin centre, s), then one column
    /// `unit_<id>` per unit.
    ///
    /// # Errors
    /// [`Error::Polars`] if the frame cannot be built.
    pub fn to_dataframe(&self) -> Result<DataFrame> {
        let mut cols = vec![Column::new(col::T.into(), self.centres.clone())];
        for (j, u) in self.units.iter().enumerate() {
            cols.push(Column::new(
                format!("unit_{u}").into(),
                self.counts.column(j).to_vec(),
            ));
        }
        Ok(DataFrame::new(self.n_bins(), cols)?)
    }

    /// Heatmap of the rates (Hz), units along y, time along x.
    pub fn plot_rates(&self) -> Figure {
        let step = (self.n_bins() / 2000).max(1);
        let idx: Vec<usize> = (0..self.n_bins()).step_by(step).collect();
        let x: Vec<f64> = idx.iter().map(|&i| self.centres[i]).collect();
        let z: Vec<Vec<f64>> = (0..self.n_units())
            .map(|j| {
                idx.iter()
                    .map(|&i| self.counts[[i, j]] / self.bin_size)
                    .collect()
            })
            .collect();
        let y: Vec<f64> = self.units.iter().map(|&u| u as f64).collect();
        display::heatmap("rate (Hz)", "time (s)", "unit", x, y, z)
    }
}

impl std::fmt::Display for BinnedSpikes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "BinnedSpikes({} bins x {} units, bin {} s{})",
            self.n_bins(),
            self.n_units(),
            self.bin_size,
            match self.sigma {
                Some(s) => format!(", smoothed sigma {s} s"),
                None => String::new(),
            }
        )
    }
}

impl std::fmt::Debug for BinnedSpikes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl Render for BinnedSpikes {
    fn bundle(&self) -> Bundle {
        let kv = KeyValues::new("binned spikes")
            .row("n_bins", self.n_bins(), "time bins")
            .row("n_units", self.n_units(), "columns")
            .row("bin_size", self.bin_size, "s")
            .row(
                "sigma",
                self.sigma.map_or("none".to_string(), |s| s.to_string()),
                "Gaussian smoothing, s",
            );
        Bundle::figure(&self.plot_rates(), &kv.to_html(), self.to_string())
    }
}

display::evcxr_display_via_render!(BinnedSpikes);

/// Smooths each column of a time-major matrix with a Gaussian of standard
/// deviation `sigma` bins, truncated at 4 sigma (at least one bin; taps
/// beyond the series never touch it, so a kernel wider than the data is cut
/// at its length rather than allocated) and renormalised near the ends, so the first and last bins are not damped
/// and a constant column stays constant. The crate's one smoothing in time:
/// [`BinnedSpikes::smooth`] and the signature pipeline's smoothing stage
/// call it.
///
/// # Shapes
/// `x` and the result: `(n_bins, n_units)`.
pub(crate) fn smooth_in_time(x: &ArrayView2<f64>, sigma: f64) -> Array2<f64> {
    let half = (4.0 * sigma).ceil().max(1.0).min(x.nrows().max(1) as f64) as usize;
    let w: Vec<f64> = (0..=2 * half)
        .map(|k| {
            let d = k as f64 - half as f64;
            (-0.5 * d * d / (sigma * sigma)).exp()
        })
        .collect();
    let (n, m) = x.dim();
    let mut out = Array2::zeros((n, m));
    for j in 0..m {
        let c = x.column(j);
        for i in 0..n {
            let lo = i.saturating_sub(half);
            let hi = (i + half).min(n.saturating_sub(1));
            let (mut acc, mut norm) = (0.0, 0.0);
            for (k, ck) in c.iter().enumerate().take(hi + 1).skip(lo) {
                let wk = w[k + half - i];
                acc += wk * ck;
                norm += wk;
            }
            out[[i, j]] = acc / norm;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_off_keeps_the_last_bin() {
        let b = BinnedSpikes::from_spike_times(&[vec![0.0, 0.29]], 0.1, 0.0, 0.3).unwrap();
        assert_eq!(b.n_bins(), 3);
        assert_eq!(b.counts.column(0).to_vec(), vec![1.0, 0.0, 1.0]);
        let b = BinnedSpikes::from_spike_times(&[vec![]], 0.1, 0.7, 1.0).unwrap();
        assert_eq!(b.n_bins(), 3);
    }

    #[test]
    fn intervals_concatenate_and_skip_gaps() {
        let spikes = vec![(0, 0.05), (0, 0.5), (1, 1.05), (1, 1.25), (0, 2.0)];
        let b = BinnedSpikes::over_intervals(vec![4, 9], spikes, &[(0.0, 0.2), (1.0, 1.3)], 0.1)
            .unwrap();
        assert_eq!(b.n_bins(), 5);
        assert_eq!(b.counts.column(0).to_vec(), vec![1.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(b.counts.column(1).to_vec(), vec![0.0, 0.0, 1.0, 0.0, 1.0]);
        assert!((b.centres[2] - 1.05).abs() < 1e-12);
    }

    #[test]
    fn smoothing_keeps_a_constant_and_the_total() {
        let x = Array2::from_elem((50, 2), 3.0);
        let y = smooth_in_time(&x.view(), 2.0);
        assert!(y.iter().all(|v| (v - 3.0).abs() < 1e-12));
        // Away from the edges (every window that reaches the spike is
        // whole) the total is kept; at the edges each window is renormalised.
        let mut spike = Array2::zeros((81, 1));
        spike[[40, 0]] = 1.0;
        let y = smooth_in_time(&spike.view(), 3.0);
        assert!((y.sum() - 1.0).abs() < 1e-9, "{}", y.sum());
        assert!(y[[40, 0]] > y[[39, 0]] && (y[[39, 0]] - y[[41, 0]]).abs() < 1e-15);
    }
}
