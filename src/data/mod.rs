//! Recordings of real neurons: spikes, behaviour, unit metadata, epochs and
//! events as polars DataFrames, read from and written to NWB, Parquet, CSV
//! and NPZ, read from Phy / Kilosort folders, plus the bundled datasets.
//!
//! A [`Recording`] holds five long-format tables whose column names are the
//! constants in [`col`]:
//!
//! | table | columns | units |
//! | --- | --- | --- |
//! | `spikes` | `unit` (u32), `t` (f64) | seconds |
//! | `behaviour` | `t` (f64, strictly increasing), then channels such as `x`, `y`, `z` (metres), `head_direction` (radians in `[0, 2 pi)`), `speed` (m/s) | |
//! | `units` | `unit` (u32), then metadata such as `location` (brain region, string), `electrode_group` | |
//! | `epochs` | `name` (string), `start`, `stop` (f64) | seconds |
//! | `events` | `name` (string), `t` (f64) | seconds |
//!
//! Analyses take the plain arrays a recording hands out:
//! [`Recording::spike_times`], [`Recording::bin_spikes`] (a time-major
//! `(n_bins, n_units)` matrix with its bin centres, a [`BinnedSpikes`]: the
//! crate's one binning routine, also for plain spike trains) and
//! [`Recording::behaviour_at`] (a behaviour channel interpolated at given
//! times, circularly for angles) and [`Recording::behaviour_in_bins`] (the
//! behaviour of each time bin, by the crate's one rule, [`bin_behaviour`]:
//! the mean over the bin).
//!
//! # Untracked samples (NaN)
//!
//! Real tracking loses the animal for some frames. Every reader (NWB,
//! Parquet, CSV, NPZ) keeps such samples as NaN in the behaviour channels
//! (an empty CSV or Parquet cell reads as NaN too); behaviour times must
//! still be finite and strictly increasing, and an infinite channel value is
//! an error naming the column and row. How each analysis treats them:
//!
//! | analysis | untracked (NaN) samples |
//! | --- | --- |
//! | [`Recording::behaviour_at`] | NaN at times next to an untracked sample |
//! | [`Recording::with_speed`] | speed NaN where a neighbouring position is untracked |
//! | [`Recording::speed_filter`] | samples and spikes with NaN speed are dropped |
//! | head-direction tuning ([`hd_tuning`](crate::analysis::hd_tuning)) | add no occupancy; spikes there are not counted |
//! | rate maps and place-field scores ([`crate::analysis::RateMapParams`]) | add no occupancy; spikes there are not counted |
//! | decoding ([`crate::analysis::DecodingParams`]) | bins with an untracked truth are neither trained on nor scored |
//! | attractor signature (angle / position of an `Activity`) | compared only where tracked |

mod binned;
pub mod datasets;
pub mod io;
mod recording;
pub mod synthetic;

pub(crate) use binned::smooth_in_time;
pub use binned::BinnedSpikes;
pub use recording::{bin_behaviour, col, Recording, RecordingBuilder};

/// The column called `name`, found by comparing names one by one.
///
/// `DataFrame::column` looks names up in the frame's cached schema, a hash
/// map whose hasher seed is a static of the polars code that built it. In
/// a notebook, evcxr links every cell against its own copy of the
/// dependencies, so a frame whose schema was cached by one cell (displaying
/// it, say) cannot find its columns by hash in another. The library's own
/// lookups therefore never go through that cache.
pub fn frame_column<'a>(
    df: &'a polars::prelude::DataFrame,
    name: &str,
) -> Option<&'a polars::prelude::Column> {
    df.columns().iter().find(|c| c.name().as_str() == name)
}

/// `df` with `column` added, or replacing the column of the same name
/// (without the frame's cached schema; see [`frame_column`]).
pub(crate) fn with_frame_column(
    df: &polars::prelude::DataFrame,
    column: polars::prelude::Column,
) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
    let mut cols: Vec<polars::prelude::Column> = df.columns().to_vec();
    match cols.iter().position(|c| c.name() == column.name()) {
        Some(i) => cols[i] = column,
        None => cols.push(column),
    }
    polars::prelude::DataFrame::new(df.height(), cols)
}
