//! The [`Recording`] type: spikes, behaviour, units, epochs and events as
//! polars DataFrames, with slicing, binning and smoothing.

use super::BinnedSpikes;
use crate::display::Figure;
use crate::display::{self, compact, layout, Bundle, KeyValues, Render, Series};
use crate::error::{Error, Result};
use plotly::common::{Marker, MarkerSymbol, Mode};
use plotly::{Plot, Scatter};
use polars::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::f64::consts::TAU;
use std::path::Path;

/// Column names of the recording's tables.
pub mod col {
    /// `spikes`, `units`: unit id (u32).
    pub const UNIT: &str = "unit";
    /// `spikes`, `behaviour`, `events`: time in seconds.
    pub const T: &str = "t";
    /// `behaviour`: horizontal position in metres.
    pub const X: &str = "x";
    /// `behaviour`: second horizontal position in metres.
    pub const Y: &str = "y";
    /// `behaviour`: third position coordinate in metres (NWB files often
    /// store the floor plane as x, z).
    pub const Z: &str = "z";
    /// `behaviour`: head direction in radians, wrapped to `[0, 2 pi)`.
    pub const HEAD_DIRECTION: &str = "head_direction";
    /// `behaviour`: running speed in metres per second.
    pub const SPEED: &str = "speed";
    /// `units`: brain region of the unit.
    pub const LOCATION: &str = "location";
    /// `epochs`, `events`: label.
    pub const NAME: &str = "name";
    /// `epochs`: interval start in seconds.
    pub const START: &str = "start";
    /// `epochs`: interval end in seconds.
    pub const STOP: &str = "stop";
    /// Units: the curation label of a spike-sorted unit (Phy's `group`:
    /// `good`, `mua`, `noise`, `unsorted`; NWB files may hold a number).
    pub const GROUP: &str = "group";
}

/// Behaviour channels holding angles: wrapped to `[0, 2 pi)` and
/// interpolated along the shorter arc.
const ANGLE_CHANNELS: &[&str] = &[col::HEAD_DIRECTION];

/// True when `channel` holds an angle in radians.
fn is_angle(channel: &str) -> bool {
    ANGLE_CHANNELS.contains(&channel)
}

/// Wraps an angle to `[0, 2 pi)`.
fn wrap(a: f64) -> f64 {
    let r = a.rem_euclid(TAU);
    if r >= TAU {
        0.0
    } else {
        r
    }
}

/// A behaviour sampled at times `bt` (increasing), interpolated at `t`:
/// linear, or along the shorter arc for an angle; NaN outside the sampled
/// range or next to an untracked (NaN) sample.
fn interpolate(bt: &[f64], v: &[f64], t: f64, angle: bool) -> f64 {
    if bt.is_empty() || !(t >= bt[0] && t <= bt[bt.len() - 1]) {
        return f64::NAN;
    }
    let k = bt.partition_point(|&x| x <= t);
    if k >= bt.len() {
        return v[bt.len() - 1];
    }
    let (t0, t1) = (bt[k - 1], bt[k]);
    let f = (t - t0) / (t1 - t0);
    if angle {
        let d = (v[k] - v[k - 1] + std::f64::consts::PI).rem_euclid(TAU) - std::f64::consts::PI;
        wrap(v[k - 1] + f * d)
    } else {
        v[k - 1] + f * (v[k] - v[k - 1])
    }
}

/// The behaviour of each time bin: the crate's one rule for labelling bins
/// of spike counts, used by decoding and by the attractor-signature
/// pipeline alike.
///
/// A bin of centre `c` and width `bin_size` gets the mean of the samples
/// taken in `[c - bin_size / 2, c + bin_size / 2)` (a sample on the edge of
/// two bins belongs to the later one): the circular mean
/// (result in `[0, 2 pi)`) when `circular`, the arithmetic mean otherwise.
/// The mean rather than the value at the centre, because a count sums the
/// spikes of the whole bin: its label should describe the same window, and
/// averaging the samples of a bin also averages out tracking jitter. Where
/// the tracking is slower than the bins, a bin may hold no sample: it gets
/// the value interpolated at its centre (as [`Recording::behaviour_at`]).
/// Untracked (NaN) samples are skipped; a bin whose samples are all
/// untracked is NaN, as is a bin outside the sampled range.
///
/// # Shapes
/// `t`, `x`: `(n_samples,)`, `t` increasing; `centres` and the result:
/// `(n_bins,)`.
///
/// # Examples
/// ```
/// use canns::data::bin_behaviour;
/// let t = [0.0, 0.05, 0.1, 0.15, 0.4];
/// let x = [1.0, 3.0, 5.0, f64::NAN, 9.0];
/// // Two samples, one tracked sample, none (interpolated at 0.35 s), untracked.
/// let m = bin_behaviour(&t, &x, &[0.05, 0.15, 0.35, 0.65], 0.1, false);
/// assert_eq!(m[..2], [2.0, 5.0]);
/// assert!(m[2].is_nan()); // 0.35 s lies next to the untracked sample at 0.15 s
/// assert!(m[3].is_nan()); // after the last sample
/// let m = bin_behaviour(&t[..3], &x[..3], &[0.025], 0.01, false);
/// assert!((m[0] - 2.0).abs() < 1e-12); // no sample in the bin: interpolated
/// ```
pub fn bin_behaviour(
    t: &[f64],
    x: &[f64],
    centres: &[f64],
    bin_size: f64,
    circular: bool,
) -> Vec<f64> {
    let n = t.len().min(x.len());
    let (t, x) = (&t[..n], &x[..n]);
    // Both edges moved down by the same hair, so a sample on the boundary of
    // two bins lands in the later one even when the centres carry round-off
    // (0.1 + 0.05 - 0.05 > 0.1).
    let eps = 1e-9 * bin_size;
    centres
        .iter()
        .map(|&c| {
            let lo = t.partition_point(|&s| s < c - bin_size / 2.0 - eps);
            let hi = t.partition_point(|&s| s < c + bin_size / 2.0 - eps);
            if lo >= hi {
                return interpolate(t, x, c, circular);
            }
            let (mut a, mut b, mut k) = (0.0, 0.0, 0usize);
            for &v in x[lo..hi].iter().filter(|v| v.is_finite()) {
                if circular {
                    a += v.cos();
                    b += v.sin();
                } else {
                    a += v;
                }
                k += 1;
            }
            match (k, circular) {
                (0, _) => f64::NAN,
                (_, true) => b.atan2(a).rem_euclid(TAU),
                (_, false) => a / k as f64,
            }
        })
        .collect()
}

/// A recording: spikes, behaviour, unit metadata, epochs and events, each a
/// polars DataFrame in long format (column names in [`col`], see the
/// [module docs](crate::data) for the units).
///
/// Invariants, checked whenever a recording is made (by the builder, a
/// reader, or [`Recording::from_frames`]): all times finite, behaviour times
/// strictly increasing, behaviour channels finite, every spike's unit listed
/// in `units`, every epoch with `start < stop`. Units are listed in ascending
/// id order, and the columns of [`Recording::bin_spikes`] follow that order.
///
/// # Examples
/// ```
/// use canns::data::Recording;
/// let rec = Recording::builder()
///     .spike_train(1, vec![0.1, 0.5, 1.2])
///     .spike_train(2, vec![0.3])
///     .unit_meta("location", vec!["adn", "ca1"])
///     .behaviour_time(vec![0.0, 1.0, 2.0])
///     .channel("head_direction", vec![0.0, 1.0, 2.0])
///     .epoch("wake", 0.0, 2.0)
///     .build()?;
/// assert_eq!(rec.n_units(), 2);
/// assert_eq!(rec.spike_times(1), vec![0.1, 0.5, 1.2]);
/// let b = rec.bin_spikes(0.5, Some("wake"))?;
/// assert_eq!(b.counts.dim(), (4, 2));
/// assert_eq!(b.counts[[0, 0]] + b.counts[[1, 0]], 2.0);
/// let adn = rec.select_units("location", "adn")?;
/// assert_eq!(adn.unit_ids(), vec![1]);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct Recording {
    spikes: DataFrame,
    behaviour: DataFrame,
    units: DataFrame,
    epochs: DataFrame,
    events: DataFrame,
    source: String,
}

/// Builds a [`Recording`] from plain vectors (see [`Recording::builder`]).
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // Spikes in long format (unit, time), a silent unit, stimulus events and two epochs.
/// let rec = Recording::builder()
///     .spikes(vec![4, 2, 4], vec![0.2, 0.4, 1.5])
///     .spike_train(9, vec![])
///     .events("stimulus", vec![0.5, 1.0])
///     .epoch("sleep", 0.0, 1.0)
///     .epoch("sleep", 2.0, 3.0)
///     .source("demo")
///     .build()?;
/// assert_eq!((rec.unit_ids(), rec.n_spikes()), (vec![2, 4, 9], 3));
/// assert_eq!(rec.spike_times(4), vec![0.2, 1.5]);
/// assert_eq!(rec.intervals("sleep")?, vec![(0.0, 1.0), (2.0, 3.0)]);
/// assert_eq!((rec.events().height(), rec.source()), (2, "demo"));
/// // Vectors that go together must have the same length.
/// let err = Recording::builder().spikes(vec![1, 2], vec![0.1]).build().unwrap_err();
/// assert!(err.to_string().contains("unit"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct RecordingBuilder {
    spike_unit: Vec<u32>,
    spike_t: Vec<f64>,
    extra_units: Vec<u32>,
    unit_meta: Vec<(String, Vec<String>)>,
    behaviour_t: Vec<f64>,
    channels: Vec<(String, Vec<f64>)>,
    epochs: Vec<(String, f64, f64)>,
    events: Vec<(String, f64)>,
    source: Option<String>,
    mismatch: Option<(usize, usize)>,
}

impl RecordingBuilder {
    /// Adds spikes in long format: one unit id and one time (s) per spike.
    pub fn spikes(mut self, unit: Vec<u32>, t: Vec<f64>) -> Self {
        if unit.len() != t.len() && self.mismatch.is_none() {
            self.mismatch = Some((unit.len(), t.len()));
        }
        let n = unit.len().min(t.len());
        self.spike_unit.extend(&unit[..n]);
        self.spike_t.extend(&t[..n]);
        self
    }

    /// Adds the spike times (s) of one unit; a unit with no spike is still
    /// listed.
    pub fn spike_train(mut self, unit: u32, t: Vec<f64>) -> Self {
        self.spike_unit.extend(std::iter::repeat_n(unit, t.len()));
        self.spike_t.extend(t);
        self.extra_units.push(unit);
        self
    }

    /// Adds a metadata column to the units table: one value per unit, in
    /// ascending unit-id order (e.g. `location`).
    pub fn unit_meta<S: ToString>(mut self, name: &str, values: Vec<S>) -> Self {
        self.unit_meta.push((
            name.to_string(),
            values.iter().map(|v| v.to_string()).collect(),
        ));
        self
    }

    /// Sets the behaviour sampling times (s, strictly increasing).
    pub fn behaviour_time(mut self, t: Vec<f64>) -> Self {
        self.behaviour_t = t;
        self
    }

    /// Adds a behaviour channel sampled at the behaviour times (metres,
    /// radians or m/s; see [`col`]).
    pub fn channel(mut self, name: &str, values: Vec<f64>) -> Self {
        self.channels.push((name.to_string(), values));
        self
    }

    /// Adds a named epoch `[start, stop)` in seconds.
    pub fn epoch(mut self, name: &str, start: f64, stop: f64) -> Self {
        self.epochs.push((name.to_string(), start, stop));
        self
    }

    /// Adds events with one name at the given times (s).
    pub fn events(mut self, name: &str, t: Vec<f64>) -> Self {
        self.events
            .extend(t.into_iter().map(|t| (name.to_string(), t)));
        self
    }

    /// Names the recording's source (a file name), used in error messages.
    pub fn source(mut self, source: &str) -> Self {
        self.source = Some(source.to_string());
        self
    }

    /// Builds and validates the recording.
    ///
    /// # Errors
    /// [`Error::Shape`] when vectors that go together differ in length;
    /// [`Error::Data`] for non-finite or non-monotonic times, a unit
    /// metadata column without one value per unit, or an epoch with
    /// `start >= stop`.
    pub fn build(self) -> Result<Recording> {
        let source = self
            .source
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "recording".to_string());
        if let Some((nu, nt)) = self.mismatch {
            return Err(Error::shape(
                "spikes `unit` and `t`",
                format!("{nu} times (one per unit id)"),
                nt,
            ));
        }
        let mut ids: Vec<u32> = self
            .spike_unit
            .iter()
            .chain(&self.extra_units)
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let n_units = ids.len();
        let mut ucols = vec![Column::new(col::UNIT.into(), ids.clone())];
        for (name, v) in &self.unit_meta {
            if v.len() != n_units {
                return Err(Error::shape(
                    format!("unit metadata `{name}`"),
                    format!("{n_units} values (one per unit)"),
                    v.len(),
                ));
            }
            ucols.push(Column::new(name.as_str().into(), v.clone()));
        }
        let units = DataFrame::new(n_units, ucols)?;
        let spikes = DataFrame::new(
            self.spike_t.len(),
            vec![
                Column::new(col::UNIT.into(), self.spike_unit),
                Column::new(col::T.into(), self.spike_t),
            ],
        )?;
        let nb = self.behaviour_t.len();
        let mut bcols = vec![Column::new(col::T.into(), self.behaviour_t)];
        for (name, v) in self.channels {
            if v.len() != nb {
                return Err(Error::shape(
                    format!("behaviour channel `{name}`"),
                    format!("{nb} samples (one per behaviour time)"),
                    v.len(),
                ));
            }
            bcols.push(Column::new(name.as_str().into(), v));
        }
        let behaviour = DataFrame::new(nb, bcols)?;
        let epochs = epochs_frame(&self.epochs)?;
        let events = DataFrame::new(
            self.events.len(),
            vec![
                Column::new(
                    col::NAME.into(),
                    self.events.iter().map(|e| e.0.clone()).collect::<Vec<_>>(),
                ),
                Column::new(
                    col::T.into(),
                    self.events.iter().map(|e| e.1).collect::<Vec<_>>(),
                ),
            ],
        )?;
        Recording::from_frames_named(spikes, behaviour, units, epochs, events, &source)
    }
}

/// An `epochs` frame from (name, start, stop) triples.
pub(crate) fn epochs_frame(e: &[(String, f64, f64)]) -> Result<DataFrame> {
    Ok(DataFrame::new(
        e.len(),
        vec![
            Column::new(
                col::NAME.into(),
                e.iter().map(|e| e.0.clone()).collect::<Vec<_>>(),
            ),
            Column::new(col::START.into(), e.iter().map(|e| e.1).collect::<Vec<_>>()),
            Column::new(col::STOP.into(), e.iter().map(|e| e.2).collect::<Vec<_>>()),
        ],
    )?)
}

/// A numeric column as `f64`s; errors name the table, the column and the row.
pub(crate) fn f64_column(df: &DataFrame, name: &str, what: &str, src: &str) -> Result<Vec<f64>> {
    let c = super::frame_column(df, name)
        .ok_or_else(|| Error::data(src, format!("{what}: missing column `{name}`")))?;
    let c = c.cast(&DataType::Float64).map_err(|_| {
        Error::data(
            src,
            format!("{what}: column `{name}` is not numeric ({})", c.dtype()),
        )
    })?;
    let ca = c.f64()?;
    let mut out = Vec::with_capacity(ca.len());
    for (i, v) in ca.iter().enumerate() {
        match v {
            Some(v) if v.is_finite() => out.push(v),
            Some(v) => {
                return Err(Error::data(
                    src,
                    format!("{what}: column `{name}` row {i} is not finite ({v})"),
                ))
            }
            None => {
                return Err(Error::data(
                    src,
                    format!("{what}: column `{name}` row {i} is empty"),
                ))
            }
        }
    }
    Ok(out)
}

/// A behaviour channel as `f64`s: NaN and empty cells are untracked samples
/// (kept as NaN); an infinity is an error naming the column and row.
fn channel_column(df: &DataFrame, name: &str, src: &str) -> Result<Vec<f64>> {
    let c = super::frame_column(df, name)
        .ok_or_else(|| Error::data(src, format!("behaviour: missing column `{name}`")))?;
    let c = c.cast(&DataType::Float64).map_err(|_| {
        Error::data(
            src,
            format!("behaviour: column `{name}` is not numeric ({})", c.dtype()),
        )
    })?;
    let ca = c.f64()?;
    let mut out = Vec::with_capacity(ca.len());
    for (i, v) in ca.iter().enumerate() {
        let v = v.unwrap_or(f64::NAN);
        if v.is_infinite() {
            return Err(Error::data(
                src,
                format!("behaviour: column `{name}` row {i} is infinite ({v})"),
            ));
        }
        out.push(v);
    }
    Ok(out)
}

/// A unit-id column as `u32`s.
pub(crate) fn u32_column(df: &DataFrame, name: &str, what: &str, src: &str) -> Result<Vec<u32>> {
    let v = f64_column(df, name, what, src)?;
    v.iter()
        .enumerate()
        .map(|(i, &x)| {
            if x >= 0.0 && x <= u32::MAX as f64 && x.fract() == 0.0 {
                Ok(x as u32)
            } else {
                Err(Error::data(
                    src,
                    format!("{what}: column `{name}` row {i} is not a unit id ({x})"),
                ))
            }
        })
        .collect()
}

/// A column as strings (numbers formatted).
pub(crate) fn str_column(df: &DataFrame, name: &str, what: &str, src: &str) -> Result<Vec<String>> {
    let c = super::frame_column(df, name)
        .ok_or_else(|| Error::data(src, format!("{what}: missing column `{name}`")))?;
    let c = c.cast(&DataType::String).map_err(|_| {
        Error::data(
            src,
            format!("{what}: column `{name}` is not text ({})", c.dtype()),
        )
    })?;
    Ok(c.str()?
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect())
}

impl Recording {
    /// Starts building a recording from plain vectors.
    pub fn builder() -> RecordingBuilder {
        RecordingBuilder::default()
    }

    /// A recording from five DataFrames (columns as in [`col`]); `units`
    /// may be empty (it is then made from the spikes' unit ids), as may
    /// `behaviour`, `epochs` and `events`.
    ///
    /// Spikes are sorted by unit then time, behaviour by time (duplicated
    /// times are an error), units by id; head direction is wrapped to
    /// `[0, 2 pi)`.
    ///
    /// # Errors
    /// [`Error::Data`] naming the table, column and row of the first
    /// missing column, non-finite value, repeated behaviour time, unknown
    /// spike unit, or epoch with `start >= stop`.
    pub fn from_frames(
        spikes: DataFrame,
        behaviour: DataFrame,
        units: DataFrame,
        epochs: DataFrame,
        events: DataFrame,
    ) -> Result<Recording> {
        Self::from_frames_named(spikes, behaviour, units, epochs, events, "recording")
    }

    /// [`Recording::from_frames`] with the source named in errors.
    ///
    /// # Errors
    /// As [`Recording::from_frames`].
    pub fn from_frames_named(
        spikes: DataFrame,
        behaviour: DataFrame,
        units: DataFrame,
        epochs: DataFrame,
        events: DataFrame,
        source: &str,
    ) -> Result<Recording> {
        let src = source;
        // spikes
        let su = u32_column(&spikes, col::UNIT, "spikes", src)?;
        let st = f64_column(&spikes, col::T, "spikes", src)?;
        let mut order: Vec<usize> = (0..st.len()).collect();
        order.sort_by(|&a, &b| su[a].cmp(&su[b]).then(st[a].total_cmp(&st[b])));
        let spikes = DataFrame::new(
            st.len(),
            vec![
                Column::new(
                    col::UNIT.into(),
                    order.iter().map(|&i| su[i]).collect::<Vec<u32>>(),
                ),
                Column::new(
                    col::T.into(),
                    order.iter().map(|&i| st[i]).collect::<Vec<f64>>(),
                ),
            ],
        )?;
        // units
        let units = if units.width() == 0 || units.height() == 0 && !su.is_empty() {
            let mut ids = su.clone();
            ids.sort_unstable();
            ids.dedup();
            DataFrame::new(ids.len(), vec![Column::new(col::UNIT.into(), ids)])?
        } else {
            let ids = u32_column(&units, col::UNIT, "units", src)?;
            let mut order: Vec<usize> = (0..ids.len()).collect();
            order.sort_by_key(|&i| ids[i]);
            if let Some(w) = order.windows(2).find(|w| ids[w[0]] == ids[w[1]]) {
                return Err(Error::data(
                    src,
                    format!("units: unit id {} is listed twice", ids[w[0]]),
                ));
            }
            let idx = IdxCa::from_vec("idx".into(), order.iter().map(|&i| i as IdxSize).collect());
            let u = super::with_frame_column(
                &units.take(&idx)?,
                Column::new(
                    col::UNIT.into(),
                    order.iter().map(|&i| ids[i]).collect::<Vec<u32>>(),
                ),
            )?;
            let known: std::collections::HashSet<u32> = ids.iter().copied().collect();
            if let Some((i, s)) = su.iter().enumerate().find(|(_, s)| !known.contains(s)) {
                return Err(Error::data(
                    src,
                    format!("spikes: row {i} has unit {s}, which is not in the units table"),
                ));
            }
            u
        };
        // behaviour
        let behaviour = if behaviour.width() == 0 {
            DataFrame::new(0, vec![Column::new(col::T.into(), Vec::<f64>::new())])?
        } else {
            let bt = f64_column(&behaviour, col::T, "behaviour", src)?;
            if let Some(i) = (1..bt.len()).find(|&i| bt[i] <= bt[i - 1]) {
                return Err(Error::data(
                    src,
                    format!(
                        "behaviour: column `t` is not strictly increasing at row {i} ({} after {})",
                        bt[i],
                        bt[i - 1]
                    ),
                ));
            }
            let mut cols = vec![Column::new(col::T.into(), bt.clone())];
            for c in behaviour.columns() {
                let name = c.name().as_str();
                if name == col::T {
                    continue;
                }
                let mut v = channel_column(&behaviour, name, src)?;
                if is_angle(name) {
                    v.iter_mut().for_each(|a| *a = wrap(*a));
                }
                cols.push(Column::new(name.into(), v));
            }
            DataFrame::new(bt.len(), cols)?
        };
        // epochs
        let epochs = if epochs.width() == 0 {
            epochs_frame(&[])?
        } else {
            let n = str_column(&epochs, col::NAME, "epochs", src)?;
            let a = f64_column(&epochs, col::START, "epochs", src)?;
            let b = f64_column(&epochs, col::STOP, "epochs", src)?;
            if let Some(i) = (0..a.len()).find(|&i| a[i] >= b[i]) {
                return Err(Error::data(
                    src,
                    format!(
                        "epochs: row {i} (`{}`) has start {} >= stop {}",
                        n[i], a[i], b[i]
                    ),
                ));
            }
            let e: Vec<(String, f64, f64)> =
                (0..a.len()).map(|i| (n[i].clone(), a[i], b[i])).collect();
            epochs_frame(&e)?
        };
        // events
        let events = if events.width() == 0 {
            DataFrame::new(
                0,
                vec![
                    Column::new(col::NAME.into(), Vec::<String>::new()),
                    Column::new(col::T.into(), Vec::<f64>::new()),
                ],
            )?
        } else {
            let n = str_column(&events, col::NAME, "events", src)?;
            let t = f64_column(&events, col::T, "events", src)?;
            DataFrame::new(
                t.len(),
                vec![
                    Column::new(col::NAME.into(), n),
                    Column::new(col::T.into(), t),
                ],
            )?
        };
        Ok(Recording {
            spikes,
            behaviour,
            units,
            epochs,
            events,
            source: source.to_string(),
        })
    }

    /// Spikes: `unit` (u32), `t` (s), sorted by unit then time.
    pub fn spikes(&self) -> &DataFrame {
        &self.spikes
    }
    /// Behaviour: `t` (s) then one column per channel (see [`col`]).
    pub fn behaviour(&self) -> &DataFrame {
        &self.behaviour
    }
    /// Units: `unit` (u32) then metadata columns, ascending ids.
    pub fn units(&self) -> &DataFrame {
        &self.units
    }
    /// Epochs: `name`, `start` (s), `stop` (s).
    pub fn epochs(&self) -> &DataFrame {
        &self.epochs
    }
    /// Events: `name`, `t` (s).
    pub fn events(&self) -> &DataFrame {
        &self.events
    }
    /// Where the recording came from (file name), as used in errors.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Unit ids, ascending (the column order of [`Recording::bin_spikes`]).
    pub fn unit_ids(&self) -> Vec<u32> {
        u32_column(&self.units, col::UNIT, "units", &self.source)
            .expect("validated when the recording was made")
    }
    /// Number of units.
    pub fn n_units(&self) -> usize {
        self.units.height()
    }
    /// Number of spikes.
    pub fn n_spikes(&self) -> usize {
        self.spikes.height()
    }
    /// Names of the behaviour channels (every column but `t`).
    pub fn channels(&self) -> Vec<String> {
        self.behaviour
            .get_column_names()
            .into_iter()
            .filter(|c| c.as_str() != col::T)
            .map(|c| c.to_string())
            .collect()
    }

    fn spike_columns(&self) -> (Vec<u32>, Vec<f64>) {
        let u = u32_column(&self.spikes, col::UNIT, "spikes", &self.source)
            .expect("validated when the recording was made");
        let t = f64_column(&self.spikes, col::T, "spikes", &self.source)
            .expect("validated when the recording was made");
        (u, t)
    }

    /// Spike times (s, ascending) of one unit; empty for an unknown unit.
    pub fn spike_times(&self, unit: u32) -> Vec<f64> {
        let (u, t) = self.spike_columns();
        let lo = u.partition_point(|&x| x < unit);
        let hi = u.partition_point(|&x| x <= unit);
        t[lo..hi].to_vec()
    }

    /// Spike times of every unit, in unit-id order.
    pub fn spike_trains(&self) -> Vec<(u32, Vec<f64>)> {
        let (u, t) = self.spike_columns();
        self.unit_ids()
            .into_iter()
            .map(|id| {
                let lo = u.partition_point(|&x| x < id);
                let hi = u.partition_point(|&x| x <= id);
                (id, t[lo..hi].to_vec())
            })
            .collect()
    }

    /// The `(start, stop)` intervals (s) of the epochs called `name`, in
    /// time order.
    ///
    /// # Errors
    /// [`Error::Data`] when no epoch has that name (the message lists them).
    pub fn intervals(&self, name: &str) -> Result<Vec<(f64, f64)>> {
        let n = str_column(&self.epochs, col::NAME, "epochs", &self.source)?;
        let a = f64_column(&self.epochs, col::START, "epochs", &self.source)?;
        let b = f64_column(&self.epochs, col::STOP, "epochs", &self.source)?;
        let mut iv: Vec<(f64, f64)> = (0..n.len())
            .filter(|&i| n[i] == name)
            .map(|i| (a[i], b[i]))
            .collect();
        if iv.is_empty() {
            let mut names = n.clone();
            names.dedup();
            return Err(Error::data(
                &self.source,
                format!(
                    "epochs: no epoch named `{name}` (epochs: {})",
                    names.join(", ")
                ),
            ));
        }
        iv.sort_by(|x, y| x.0.total_cmp(&y.0));
        Ok(iv)
    }

    /// The time span covered by spikes and behaviour, `(first, last)` in s.
    pub fn time_span(&self) -> (f64, f64) {
        let (_, t) = self.spike_columns();
        let bt = f64_column(&self.behaviour, col::T, "behaviour", &self.source)
            .expect("validated when the recording was made");
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for &x in t.iter().chain(&bt) {
            lo = lo.min(x);
            hi = hi.max(x);
        }
        if lo > hi {
            (0.0, 0.0)
        } else {
            (lo, hi)
        }
    }

    /// The recording restricted to the epochs called `name` (spikes,
    /// behaviour samples and events inside any of them; epochs clipped).
    ///
    /// # Errors
    /// [`Error::Data`] when no epoch has that name.
    pub fn restrict(&self, name: &str) -> Result<Recording> {
        let iv = self.intervals(name)?;
        self.restrict_intervals(&iv)
    }

    /// The recording restricted to `[start, stop)` seconds.
    ///
    /// # Errors
    /// [`Error::Param`] when `start >= stop` or either is not finite.
    pub fn restrict_range(&self, start: f64, stop: f64) -> Result<Recording> {
        crate::params::check::finite("start", start)?;
        crate::params::check::finite("stop", stop)?;
        if start >= stop {
            return Err(crate::ParamError::new("stop", format!("> start ({start})"), stop).into());
        }
        self.restrict_intervals(&[(start, stop)])
    }

    fn restrict_intervals(&self, iv: &[(f64, f64)]) -> Result<Recording> {
        let inside = |t: f64| iv.iter().any(|&(a, b)| t >= a && t < b);
        let mask = |df: &DataFrame, c: &str| -> Result<BooleanChunked> {
            let t = f64_column(df, c, "times", &self.source)?;
            Ok(BooleanChunked::from_iter_values(
                "mask".into(),
                t.into_iter().map(inside),
            ))
        };
        let spikes = self.spikes.filter(&mask(&self.spikes, col::T)?)?;
        let behaviour = self.behaviour.filter(&mask(&self.behaviour, col::T)?)?;
        let events = self.events.filter(&mask(&self.events, col::T)?)?;
        let n = str_column(&self.epochs, col::NAME, "epochs", &self.source)?;
        let a = f64_column(&self.epochs, col::START, "epochs", &self.source)?;
        let b = f64_column(&self.epochs, col::STOP, "epochs", &self.source)?;
        let mut e = Vec::new();
        for i in 0..n.len() {
            for &(s, t) in iv {
                let (lo, hi) = (a[i].max(s), b[i].min(t));
                if lo < hi {
                    e.push((n[i].clone(), lo, hi));
                }
            }
        }
        Ok(Recording {
            spikes,
            behaviour,
            units: self.units.clone(),
            epochs: epochs_frame(&e)?,
            events,
            source: self.source.clone(),
        })
    }

    /// The units whose metadata `column` equals `value` (compared as text,
    /// so `select_units("unit", "3")` works too), with their spikes.
    ///
    /// # Errors
    /// [`Error::Data`] when the units table has no such column, or no unit
    /// matches (the message lists the values present).
    pub fn select_units(&self, column: &str, value: &str) -> Result<Recording> {
        let v = str_column(&self.units, column, "units", &self.source)?;
        let keep: Vec<bool> = v.iter().map(|x| x == value).collect();
        if !keep.iter().any(|&k| k) {
            let mut present = v.clone();
            present.sort();
            present.dedup();
            return Err(Error::data(
                &self.source,
                format!(
                    "units: no unit has `{column}` = `{value}` (values: {})",
                    present.join(", ")
                ),
            ));
        }
        let ids = self.unit_ids();
        let kept: std::collections::HashSet<u32> = ids
            .iter()
            .zip(&keep)
            .filter(|(_, &k)| k)
            .map(|(&u, _)| u)
            .collect();
        let units = self.units.filter(&BooleanChunked::from_iter_values(
            "mask".into(),
            keep.into_iter(),
        ))?;
        let (su, _) = self.spike_columns();
        let smask =
            BooleanChunked::from_iter_values("mask".into(), su.iter().map(|u| kept.contains(u)));
        Ok(Recording {
            spikes: self.spikes.filter(&smask)?,
            units,
            ..self.clone()
        })
    }

    /// The recording with a `speed` channel (m/s) computed from the
    /// position (`x` and `y`, or `x` and `z` when there is no `y`) by
    /// central differences; unchanged if it already has one.
    ///
    /// # Errors
    /// [`Error::Data`] when there is no speed and no 2D position.
    pub fn with_speed(&self) -> Result<Recording> {
        let names = self.channels();
        if names.iter().any(|c| c == col::SPEED) {
            return Ok(self.clone());
        }
        let has = |c: &str| names.iter().any(|n| n == c);
        let second = if has(col::Y) {
            col::Y
        } else if has(col::Z) {
            col::Z
        } else {
            ""
        };
        if !has(col::X) || second.is_empty() {
            return Err(Error::data(
                &self.source,
                format!(
                    "behaviour: no `speed` channel and no position (`x` with `y` or `z`) to compute it from (channels: {})",
                    names.join(", ")
                ),
            ));
        }
        self.with_speed_from(col::X, second)
    }

    /// `Ok` when the behaviour has a channel called `channel`; otherwise
    /// an error listing the channels there are.
    fn require_channel(&self, channel: &str) -> Result<()> {
        if self.channels().iter().any(|c| c == channel) {
            return Ok(());
        }
        Err(Error::data(
            &self.source,
            format!(
                "behaviour: no channel `{channel}` (channels: {})",
                self.channels().join(", ")
            ),
        ))
    }

    /// The recording with a `speed` channel (m/s) computed by central
    /// differences from the two position channels `first` and `second`
    /// (metres), replacing any `speed` channel. Use it when the floor is
    /// not the x-y plane: `with_speed_from("x", "z")` for the bundled
    /// `A2929-200711`, whose `y` is height.
    ///
    /// # Errors
    /// [`Error::Data`] when a channel does not exist (the message lists
    /// the channels).
    pub fn with_speed_from(&self, first: &str, second: &str) -> Result<Recording> {
        for c in [first, second] {
            self.require_channel(c)?;
        }
        let t = f64_column(&self.behaviour, col::T, "behaviour", &self.source)?;
        let x = channel_column(&self.behaviour, first, &self.source)?;
        let y = channel_column(&self.behaviour, second, &self.source)?;
        let n = t.len();
        let speed: Vec<f64> = (0..n)
            .map(|i| {
                if n < 2 {
                    return 0.0;
                }
                let (a, b) = if i == 0 {
                    (0, 1)
                } else if i == n - 1 {
                    (n - 2, n - 1)
                } else {
                    (i - 1, i + 1)
                };
                (x[b] - x[a]).hypot(y[b] - y[a]) / (t[b] - t[a])
            })
            .collect();
        let behaviour =
            super::with_frame_column(&self.behaviour, Column::new(col::SPEED.into(), speed))?;
        Ok(Recording {
            behaviour,
            ..self.clone()
        })
    }

    /// Keeps the spikes and behaviour samples where the speed is at least
    /// `min_speed` m/s (speed linearly interpolated at spike times; spikes
    /// outside the behaviour's time range are dropped). Speed comes from
    /// the `speed` channel, or is computed as in [`Recording::with_speed`].
    ///
    /// # Errors
    /// [`Error::Param`] for a negative or non-finite `min_speed`;
    /// [`Error::Data`] when no speed can be had.
    pub fn speed_filter(&self, min_speed: f64) -> Result<Recording> {
        crate::params::check::non_negative("min_speed", min_speed)?;
        let rec = self.with_speed()?;
        let (_, st) = rec.spike_columns();
        let at = rec.behaviour_at(col::SPEED, &st)?;
        let smask =
            BooleanChunked::from_iter_values("mask".into(), at.iter().map(|&s| s >= min_speed));
        let sp = channel_column(&rec.behaviour, col::SPEED, &rec.source)?;
        let bmask =
            BooleanChunked::from_iter_values("mask".into(), sp.iter().map(|&s| s >= min_speed));
        Ok(Recording {
            spikes: rec.spikes.filter(&smask)?,
            behaviour: rec.behaviour.filter(&bmask)?,
            ..rec.clone()
        })
    }

    /// A behaviour channel interpolated at `times` (s): linear, or along
    /// the shorter arc for angles (`head_direction`, result in `[0, 2 pi)`).
    /// Times outside the sampled range give NaN: the behaviour was not
    /// recorded there; so does a time next to an untracked (NaN) sample.
    /// For the behaviour of time bins, use [`Recording::behaviour_in_bins`].
    ///
    /// # Errors
    /// [`Error::Data`] when the channel does not exist (the message lists
    /// the channels).
    pub fn behaviour_at(&self, channel: &str, times: &[f64]) -> Result<Vec<f64>> {
        self.require_channel(channel)?;
        let bt = f64_column(&self.behaviour, col::T, "behaviour", &self.source)?;
        let v = channel_column(&self.behaviour, channel, &self.source)?;
        let angle = is_angle(channel);
        Ok(times
            .iter()
            .map(|&t| interpolate(&bt, &v, t, angle))
            .collect())
    }

    /// A behaviour channel in each bin of `binned` (see [`bin_behaviour`]:
    /// the mean over the bin, circular for angles; the value interpolated
    /// at the centre for a bin without a sample).
    ///
    /// # Examples
    /// ```
    /// use canns::data::Recording;
    /// let rec = Recording::builder()
    ///     .spike_train(0, vec![0.05])
    ///     .behaviour_time(vec![0.0, 0.05, 0.1, 0.15])
    ///     .channel("x", vec![1.0, 3.0, 5.0, 7.0])
    ///     .build()?;
    /// let b = rec.bin_spikes(0.1, None)?;
    /// assert_eq!(rec.behaviour_in_bins("x", &b)?, vec![2.0, 6.0]);
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Data`] when the channel does not exist (the message lists
    /// the channels).
    pub fn behaviour_in_bins(&self, channel: &str, binned: &BinnedSpikes) -> Result<Vec<f64>> {
        self.require_channel(channel)?;
        let bt = f64_column(&self.behaviour, col::T, "behaviour", &self.source)?;
        let v = channel_column(&self.behaviour, channel, &self.source)?;
        Ok(bin_behaviour(
            &bt,
            &v,
            &binned.centres,
            binned.bin_size,
            is_angle(channel),
        ))
    }

    /// Spike counts in bins of `bin_size` seconds, time-major, over the
    /// epochs called `epoch` (bins laid from each interval's start; a last
    /// partial bin is dropped) or, with `None`, over the span from the
    /// first to the last spike or behaviour sample.
    ///
    /// # Shapes
    /// `counts`: `(n_bins, n_units)`, columns in [`Recording::unit_ids`] order.
    ///
    /// # Errors
    /// [`Error::Param`] when `bin_size` is not finite and > 0 or the bins
    /// would exceed 10^9 cells; [`Error::Data`] for an unknown epoch.
    pub fn bin_spikes(&self, bin_size: f64, epoch: Option<&str>) -> Result<BinnedSpikes> {
        crate::params::check::positive("bin_size", bin_size)?;
        let iv = match epoch {
            Some(name) => self.intervals(name)?,
            None => {
                let (a, b) = self.time_span();
                vec![(a, b + bin_size)]
            }
        };
        let ids = self.unit_ids();
        let col_of: HashMap<u32, usize> = ids.iter().enumerate().map(|(j, &u)| (u, j)).collect();
        let (su, st) = self.spike_columns();
        let spikes = su.iter().zip(st).map(|(u, t)| (col_of[u], t));
        BinnedSpikes::over_intervals(ids, spikes, &iv, bin_size)
    }

    /// Mean firing rate of each unit over the epochs called `epoch` (or the
    /// whole span): a DataFrame `unit`, `n_spikes`, `duration` (s), `rate`
    /// (Hz).
    ///
    /// # Errors
    /// [`Error::Data`] for an unknown epoch.
    pub fn firing_rates(&self, epoch: Option<&str>) -> Result<DataFrame> {
        let rec = match epoch {
            Some(e) => self.restrict(e)?,
            None => self.clone(),
        };
        let duration = match epoch {
            Some(e) => self.intervals(e)?.iter().map(|(a, b)| b - a).sum::<f64>(),
            None => {
                let (a, b) = self.time_span();
                b - a
            }
        };
        let trains = rec.spike_trains();
        let n: Vec<u32> = trains.iter().map(|t| t.1.len() as u32).collect();
        let rate: Vec<f64> = n
            .iter()
            .map(|&k| {
                if duration > 0.0 {
                    k as f64 / duration
                } else {
                    0.0
                }
            })
            .collect();
        let m = trains.len();
        Ok(DataFrame::new(
            m,
            vec![
                Column::new(
                    col::UNIT.into(),
                    trains.iter().map(|t| t.0).collect::<Vec<u32>>(),
                ),
                Column::new("n_spikes".into(), n),
                Column::new("duration".into(), vec![duration; m]),
                Column::new("rate".into(), rate),
            ],
        )?)
    }

    /// Number of units per value of a units column (e.g. `location`), in
    /// value order; a single `("all", n)` entry without that column.
    pub fn units_by(&self, column: &str) -> Vec<(String, usize)> {
        match str_column(&self.units, column, "units", &self.source) {
            Ok(v) => {
                let mut m: BTreeMap<String, usize> = BTreeMap::new();
                for x in v {
                    *m.entry(x).or_default() += 1;
                }
                m.into_iter().collect()
            }
            Err(_) => vec![("all".to_string(), self.n_units())],
        }
    }

    /// A spike raster over `[start, stop)` seconds: one row per unit
    /// (labelled `id location`), at most 20 000 spikes drawn (evenly
    /// thinned beyond).
    pub fn plot_raster(&self, start: f64, stop: f64) -> Figure {
        let trains = self.spike_trains();
        let locs = str_column(&self.units, col::LOCATION, "units", &self.source).ok();
        let total: usize = trains
            .iter()
            .map(|(_, t)| t.iter().filter(|&&x| x >= start && x < stop).count())
            .sum();
        let step = total.div_ceil(20_000).max(1);
        let mut plot = Plot::new();
        for (row, (u, t)) in trains.iter().enumerate() {
            let x: Vec<f64> = t
                .iter()
                .filter(|&&x| x >= start && x < stop)
                .step_by(step)
                .map(|&x| compact(x))
                .collect();
            let y = vec![row as f64; x.len()];
            let name = match &locs {
                Some(l) => format!("{u} {}", l[row]),
                None => format!("{u}"),
            };
            plot.add_trace(
                Scatter::new(x, y)
                    .mode(Mode::Markers)
                    .name(name)
                    .marker(Marker::new().symbol(MarkerSymbol::LineNSOpen).size(8)),
            );
        }
        plot.set_layout(layout(
            &format!("spike raster, {start:.1}-{stop:.1} s"),
            "time (s)",
            "unit (row)",
        ));
        Figure::from(plot)
    }

    /// A behaviour channel against time (at most 5 000 points drawn).
    ///
    /// # Errors
    /// [`Error::Data`] when the channel does not exist.
    pub fn plot_behaviour(&self, channel: &str) -> Result<Figure> {
        self.require_channel(channel)?;
        let t = f64_column(&self.behaviour, col::T, "behaviour", &self.source)?;
        let v = channel_column(&self.behaviour, channel, &self.source)?;
        let step = t.len().div_ceil(5000).max(1);
        let x = t.iter().step_by(step).map(|&x| compact(x)).collect();
        let y = v.iter().step_by(step).map(|&x| compact(x)).collect();
        Ok(display::lines(
            channel,
            "time (s)",
            channel,
            vec![Series::line(channel, x, y)],
        ))
    }

    /// Summary table: units by region, spikes, span, epochs, behaviour
    /// channels with their ranges, events.
    pub fn summary(&self) -> KeyValues {
        let (a, b) = self.time_span();
        let mut kv = KeyValues::new(format!("Recording {}", self.source))
            .row("units", self.n_units(), "")
            .row("spikes", self.n_spikes(), "")
            .row("span", format!("{a:.3} - {b:.3}"), "s");
        for (loc, n) in self.units_by(col::LOCATION) {
            kv = kv.row(format!("units in {loc}"), n, "location");
        }
        if let (Ok(n), Ok(s), Ok(e)) = (
            str_column(&self.epochs, col::NAME, "epochs", &self.source),
            f64_column(&self.epochs, col::START, "epochs", &self.source),
            f64_column(&self.epochs, col::STOP, "epochs", &self.source),
        ) {
            let mut per: BTreeMap<&str, (usize, f64, f64)> = BTreeMap::new();
            for i in 0..n.len() {
                let x = per
                    .entry(&n[i])
                    .or_insert((0, f64::INFINITY, f64::NEG_INFINITY));
                x.0 += 1;
                x.1 = x.1.min(s[i]);
                x.2 = x.2.max(e[i]);
            }
            for (name, (k, lo, hi)) in per {
                kv = kv.row(
                    format!("epoch {name}"),
                    format!("{lo:.3} - {hi:.3}"),
                    format!("s, {k} interval(s)"),
                );
            }
        }
        let bt = f64_column(&self.behaviour, col::T, "behaviour", &self.source).unwrap_or_default();
        for c in self.channels() {
            let v = f64_column(&self.behaviour, &c, "behaviour", &self.source).unwrap_or_default();
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            kv = kv.row(
                format!("behaviour {c}"),
                format!("{lo:.4} - {hi:.4}"),
                format!("{} samples", bt.len()),
            );
        }
        if let Ok(n) = str_column(&self.events, col::NAME, "events", &self.source) {
            let mut per: BTreeMap<&str, usize> = BTreeMap::new();
            for x in &n {
                *per.entry(x).or_default() += 1;
            }
            for (name, k) in per {
                kv = kv.row(format!("events {name}"), k, "count");
            }
        }
        kv
    }
}

impl std::fmt::Display for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (a, b) = self.time_span();
        write!(
            f,
            "Recording({}: {} units, {} spikes, {:.1}-{:.1} s, {} behaviour samples [{}], {} epochs, {} events)",
            self.source,
            self.n_units(),
            self.n_spikes(),
            a,
            b,
            self.behaviour.height(),
            self.channels().join(", "),
            self.epochs.height(),
            self.events.height()
        )
    }
}

impl std::fmt::Debug for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl Render for Recording {
    fn bundle(&self) -> Bundle {
        let (a, b) = self.time_span();
        let plot = self.plot_raster(a, (a + 10.0).min(b.max(a + 1e-9)));
        Bundle::figure(&plot, &self.summary().to_html(), self.to_string())
    }
}

display::evcxr_display_via_render!(Recording);

impl Recording {
    /// Loads a bundled dataset by name (`"A2929-200711"`, found at run time
    /// by [`crate::data::datasets::find`])
    /// or any supported file by path (NWB, Parquet, CSV, NPZ; see
    /// [`crate::data::io::read`]).
    ///
    /// # Examples
    /// ```
    /// let rec = canns::data::Recording::dataset("A2929-200711")?;
    /// assert_eq!(rec.n_units(), 15);
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Data`] for an unknown name or when the dataset is not found
    /// (listing where it looked); the reader's errors otherwise.
    pub fn dataset(name_or_path: &str) -> Result<Recording> {
        let p = Path::new(name_or_path);
        if p.exists() {
            return crate::data::io::read(p);
        }
        if name_or_path != "A2929-200711" {
            return Err(Error::data(
                name_or_path,
                "no such file, and no bundled recording of that name (bundled: A2929-200711)",
            ));
        }
        crate::data::io::read(crate::data::datasets::find("A2929-200711.nwb")?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec() -> Recording {
        Recording::builder()
            .spike_train(3, vec![0.05, 0.15, 0.16, 1.5])
            .spike_train(1, vec![0.95])
            .unit_meta("location", vec!["ca1", "adn"])
            .behaviour_time(vec![0.0, 0.5, 1.0, 1.5, 2.0])
            .channel("x", vec![0.0, 0.0, 0.1, 0.2, 0.2])
            .channel("y", vec![0.0; 5])
            .channel("head_direction", vec![6.2, 0.1, -0.1, 7.0, 3.0])
            .epoch("sleep", 0.0, 1.0)
            .epoch("wake", 1.0, 2.0)
            .events("ripple", vec![0.5, 1.2])
            .build()
            .unwrap()
    }

    #[test]
    fn units_sorted_and_head_direction_wrapped() {
        let r = rec();
        assert_eq!(r.unit_ids(), vec![1, 3]);
        let hd = f64_column(r.behaviour(), "head_direction", "", "").unwrap();
        assert!(hd.iter().all(|&a| (0.0..TAU).contains(&a)));
        assert!((hd[2] - (TAU - 0.1)).abs() < 1e-12);
    }

    #[test]
    fn binning_counts_every_spike_in_range() {
        let r = rec();
        let b = r.bin_spikes(0.1, Some("sleep")).unwrap();
        assert_eq!(b.counts.dim(), (10, 2));
        assert_eq!(b.counts[[0, 1]], 1.0);
        assert_eq!(b.counts[[1, 1]], 2.0);
        assert_eq!(b.counts[[9, 0]], 1.0);
        assert!((b.centres[0] - 0.05).abs() < 1e-12);
        let all = r.bin_spikes(0.1, None).unwrap();
        assert_eq!(all.counts.sum(), 5.0);
        assert!(r.bin_spikes(0.0, None).is_err());
        assert!(r.bin_spikes(0.1, Some("run")).is_err());
    }

    #[test]
    fn circular_interpolation_takes_the_short_arc() {
        let r = rec();
        let v = r
            .behaviour_at("head_direction", &[0.25, 0.75, 3.0])
            .unwrap();
        // 6.2 -> 0.1 (through 2 pi): the midpoint is near 0, not near 3.15
        let mid = (6.2 + (0.1 + TAU)) / 2.0 - TAU;
        assert!((v[0] - mid).abs() < 1e-9, "{}", v[0]);
        assert!((v[1] - 0.0).abs() < 1e-9 || (v[1] - TAU).abs() < 1e-9);
        assert!(v[2].is_nan());
    }

    #[test]
    fn restrict_select_and_speed() {
        let r = rec();
        let w = r.restrict("wake").unwrap();
        assert_eq!(w.n_spikes(), 1);
        assert_eq!(w.events().height(), 1);
        assert_eq!(w.epochs().height(), 1);
        // metadata follows ascending unit ids: unit 1 is ca1, unit 3 is adn
        let adn = r.select_units("location", "adn").unwrap();
        assert_eq!(adn.unit_ids(), vec![3]);
        assert_eq!(adn.n_spikes(), 4);
        assert!(r.select_units("location", "v1").is_err());
        let s = r.speed_filter(0.15).unwrap();
        let xz = r.with_speed_from("x", "head_direction").unwrap();
        assert!(xz.channels().contains(&"speed".to_string()));
        assert!(r.with_speed_from("x", "q").is_err());
        assert!(s.spike_times(3).iter().all(|&t| t > 0.5));
        assert!(r.restrict_range(1.0, 0.5).is_err());
    }

    #[test]
    fn bad_input_is_an_error_naming_the_field() {
        let e = Recording::builder()
            .behaviour_time(vec![0.0, 1.0, 1.0])
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("strictly increasing"), "{e}");
        let e = Recording::builder()
            .spike_train(0, vec![f64::NAN])
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("finite"), "{e}");
        let e = Recording::builder()
            .epoch("a", 2.0, 1.0)
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("start"), "{e}");
        assert!(Recording::builder()
            .behaviour_time(vec![0.0, 1.0])
            .channel("x", vec![0.0])
            .build()
            .is_err());
        assert!(Recording::builder()
            .spikes(vec![0, 1], vec![0.5])
            .build()
            .is_err());
    }

    #[test]
    fn smoothing_keeps_constant_rates() {
        let r = Recording::builder()
            .spike_train(0, (0..100).map(|i| i as f64 * 0.1 + 0.05).collect())
            .epoch("all", 0.0, 10.0)
            .build()
            .unwrap();
        let b = r.bin_spikes(0.1, Some("all")).unwrap();
        assert_eq!(b.n_bins(), 100);
        let s = b.smooth(0.3).unwrap();
        assert!(s.counts.iter().take(99).all(|&c| (c - 1.0).abs() < 1e-9));
        assert!(b.smooth(-1.0).is_err());
        assert!((s.rates()[[5, 0]] - 10.0).abs() < 1e-9);
    }

    #[test]
    fn renders_summary_and_raster() {
        let r = rec();
        let b = r.bundle();
        assert!(b.html.contains("units in adn"));
        assert!(b.plotly_json.unwrap().contains("line-ns-open"));
        assert!(r.to_string().starts_with("Recording("));
    }
}
