//! Stages 1-2 input: population activity (counts, bin times, behaviour).

use crate::data::BinnedSpikes;
use crate::error::{Error, Result};
use crate::params::check;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// Population activity handed to the pipeline.
///
/// # Shapes
/// `counts`: `(n_bins, n_units)`, time-major; `angle`: `(n_bins,)` radians
/// (NaN where not measured); `position`: `(n_bins, 2)` metres.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // 3 units over 5 bins of 0.2 s, starting at 0, with the head direction per bin.
/// let counts = Array2::from_shape_fn((5, 3), |(t, u)| ((t + u) % 3) as f64);
/// let a = Activity::from_counts(counts, 0.2)?.with_angle(vec![0.0, 0.5, 1.0, 1.5, 2.0])?;
/// assert_eq!((a.n_bins(), a.n_units()), (5, 3));
/// assert!((a.time(2) - 0.5).abs() < 1e-12); // the centre of the third bin
/// // Behaviour must have one value per bin; counts must be >= 0.
/// let err = a.clone().with_angle(vec![0.0; 4]).unwrap_err();
/// assert!(matches!(err, canns::Error::Shape { .. }), "{err}");
/// assert!(Activity::from_counts(array![[1.0], [-1.0]], 0.2).is_err());
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
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

    /// Activity from binned spikes: their counts, bin size and first
    /// bin's start (behaviour is added with [`Activity::with_angle`] and
    /// [`Activity::with_position`], or comes with
    /// [`Activity::from_recording`]).
    ///
    /// # Examples
    /// ```
    /// use canns::data::BinnedSpikes;
    /// use canns::pipeline::Activity;
    /// let b = BinnedSpikes::from_spike_times(&[vec![0.05, 0.15, 0.16]], 0.1, 2.0, 2.3)?;
    /// let a = Activity::from_binned(b)?;
    /// assert_eq!(a.n_bins(), 3);
    /// assert!((a.time(0) - 2.05).abs() < 1e-12);
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Activity::from_counts`].
    pub fn from_binned(binned: BinnedSpikes) -> Result<Self> {
        let t_start = binned
            .centres
            .first()
            .map_or(0.0, |c| c - 0.5 * binned.bin_size);
        let mut a = Self::from_counts(binned.counts, binned.bin_size)?;
        a.t_start = t_start;
        Ok(a)
    }

    /// Bins spike times (seconds, one list per unit) into `[t_start,
    /// t_stop)` with bins of `bin_size` seconds; spikes outside are ignored
    /// (see [`BinnedSpikes::from_spike_times`]).
    ///
    /// # Examples
    /// ```
    /// use canns::pipeline::Activity;
    /// let a = Activity::from_spike_times(&[vec![0.05, 0.15, 0.16], vec![0.25]], 0.1, 0.0, 0.3)?;
    /// assert_eq!(a.counts.column(0).to_vec(), vec![1.0, 2.0, 0.0]);
    /// assert_eq!(a.counts.column(1).to_vec(), vec![0.0, 0.0, 1.0]);
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`BinnedSpikes::from_spike_times`] (bad `bin_size`, `t_start`,
    /// `t_stop` or spike time); [`Error::Shape`] with no unit or fewer than
    /// two bins.
    pub fn from_spike_times(
        spikes: &[Vec<f64>],
        bin_size: f64,
        t_start: f64,
        t_stop: f64,
    ) -> Result<Self> {
        let mut a = Self::from_binned(BinnedSpikes::from_spike_times(
            spikes, bin_size, t_start, t_stop,
        )?)?;
        a.t_start = t_start;
        Ok(a)
    }

    /// Bins the spikes of every unit of `recording` at `bin_size` seconds
    /// over the epoch named `epoch` (or the whole recording with `None`;
    /// see [`Recording::bin_spikes`](crate::data::Recording::bin_spikes)),
    /// and attaches the head direction (channel `head_direction`) and the
    /// position (channels `x`, `y`) of each bin when the recording has them,
    /// by the rule decoding uses too
    /// ([`Recording::behaviour_in_bins`](crate::data::Recording::behaviour_in_bins):
    /// the mean over the bin, circular for angles). Select units first, e.g.
    /// `recording.select_units("location", "adn")`.
    ///
    /// With an epoch of several intervals the bins are concatenated and
    /// [`Activity::time`] counts from the first interval's start.
    ///
    /// # Examples
    /// ```
    /// use canns::data::Recording;
    /// use canns::pipeline::Activity;
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
        let channels = recording.channels();
        let has = |c: &str| channels.iter().any(|x| x == c);
        let angle = if has(col::HEAD_DIRECTION) {
            Some(recording.behaviour_in_bins(col::HEAD_DIRECTION, &b)?)
        } else {
            None
        };
        let position = if has(col::X) && has(col::Y) {
            let x = recording.behaviour_in_bins(col::X, &b)?;
            let y = recording.behaviour_in_bins(col::Y, &b)?;
            Some(Array2::from_shape_fn((x.len(), 2), |(i, j)| {
                if j == 0 {
                    x[i]
                } else {
                    y[i]
                }
            }))
        } else {
            None
        };
        let mut a = Self::from_binned(b)?;
        a.angle = angle;
        a.position = position;
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
    pub(super) fn shifted(&self, shifts: &[usize]) -> Activity {
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

crate::display::debug_via_display!(Activity);

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

#[cfg(test)]
mod tests {
    use super::*;
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
}
