//! Recordings of real neurons: spikes, behaviour, unit metadata, epochs and
//! events as polars DataFrames, read from and written to NWB, Parquet, CSV
//! and NPZ, plus the bundled datasets.
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
//! `(n_bins, n_units)` matrix with its bin centres) and
//! [`Recording::behaviour_at`] (a behaviour channel interpolated at given
//! times, circularly for angles).

pub mod io;
mod recording;

pub use recording::{col, BinnedSpikes, Recording, RecordingBuilder};
