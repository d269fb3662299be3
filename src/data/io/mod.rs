//! Reading and writing recordings: NWB 2.x (read), Parquet and CSV (one
//! file per table in a directory), NPZ (one archive), Phy / Kilosort
//! folders (read).
//!
//! [`read()`] and [`write()`] choose the format from the path:
//!
//! | path | format |
//! | --- | --- |
//! | `*.nwb` | NWB 2.x (HDF5), read only, see [`read_nwb`] |
//! | `*.npz` | one NumPy archive, see [`read_npz`] for the array names |
//! | a directory holding `params.py` or `spike_times.npy`, or such a `params.py` | a Phy / Kilosort output folder, read only, `noise` clusters dropped, see [`read_phy`] |
//! | a directory holding `spikes.parquet` (or `spikes.csv`), or such a file | one file per table: `spikes`, `behaviour`, `units`, `epochs`, `events` |
//! | `*.parquet` / `*.csv` that does not exist yet (writing) | a directory of that name with one file per table |
//! | any other `*.parquet` / `*.csv` file (reading) | a spikes table (`unit`, `t`) alone |
//!
//! ## NumPy arrays
//!
//! NumPy `.npy` arrays and `.npz` archives (stored or deflate-compressed, as
//! written by `np.savez` and `np.savez_compressed`), read defensively.
//!
//! Every size a file declares is checked against the bytes it actually holds
//! and against the memory budget ([`check_memory`](crate::error::check_memory))
//! before anything is allocated: the dtype and shape come from the header, a
//! member's size from the zip directory, and a deflated member cannot expand
//! by more than deflate's maximum ratio. Zip members are checked against
//! their CRC-32 and their local header, so a damaged archive is an error, not
//! silently different numbers. (A bare `.npy` file has no checksum: a flipped
//! bit in its data changes one value and cannot be detected.)
//!
//! ### Examples
//! ```
//! use canns::data::io::{Npz, NpyArray};
//! let path = std::env::temp_dir().join("canns_npy_doc.npz");
//! let mut w = ndarray_npy::NpzWriter::new(std::fs::File::create(&path)?);
//! w.add_array("x", &ndarray::arr2(&[[1.0, 2.0], [3.0, 4.0]])).unwrap();
//! w.finish().unwrap();
//! let mut z = Npz::open(&path)?;
//! assert_eq!(z.names(), ["x"]);
//! let x: NpyArray = z.array("x")?;
//! assert_eq!(x.shape(), [2, 2]);
//! assert_eq!(x.into_array2("x")?[[1, 0]], 3.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Parquet and CSV
//!
//! Parquet and CSV: one file per table (`spikes`, `behaviour`, `units`,
//! `epochs`, `events`) in a directory, columns as in
//! [`col`](crate::data::col). Missing tables other than `spikes` are empty.

pub(crate) mod hdf5;
mod hdf5_filters;
pub(crate) mod npy;
pub(crate) mod npz;
pub(crate) mod nwb;
pub(crate) mod phy;
pub(crate) mod table;

pub use npy::{
    read_npy, read_npy_bytes, read_npy_header, shape_text, Dtype, NpyArray, NpyData, Npz,
};
pub use npz::{read_npz, write_npz, write_npz_compressed};
pub use nwb::{read_nwb, read_nwb_bytes};
pub use phy::{is_phy_dir, read_phy, read_phy_with, NoiseClusters};
pub use table::{read_spikes_file, read_table_dir, write_table_dir, TableFormat};

use crate::data::Recording;
use crate::error::{Error, Result};
use std::path::Path;

/// The names of the tables in a directory, in order.
pub const TABLES: [&str; 5] = ["spikes", "behaviour", "units", "epochs", "events"];

fn ext(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Reads a recording, choosing the format from the path (see the
/// module docs).
///
/// # Examples
/// ```
/// let rec = canns::data::io::read(concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/A2929-200711.nwb"))?;
/// assert_eq!(rec.n_units(), 15);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] when the path cannot be read, [`Error::Data`] naming the
/// file and the field for bad content or an unknown format.
pub fn read(path: impl AsRef<Path>) -> Result<Recording> {
    let path = path.as_ref();
    if phy::is_phy_dir(path) {
        return read_phy(path);
    }
    if path.is_dir() {
        for fmt in [TableFormat::Parquet, TableFormat::Csv] {
            if path.join(format!("spikes.{}", fmt.ext())).exists() {
                return read_table_dir(path, fmt);
            }
        }
        return Err(Error::data(
            path.display().to_string(),
            "directory holds no spikes.parquet or spikes.csv, and is no Phy folder (params.py, spike_times.npy)",
        ));
    }
    if !path.exists() {
        return Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
        ));
    }
    if path.file_name().is_some_and(|n| n == phy::PARAMS) {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        return read_phy(dir.unwrap_or(Path::new(".")));
    }
    match ext(path).as_str() {
        "nwb" | "h5" | "hdf5" => read_nwb(path),
        "npz" => read_npz(path),
        e @ ("parquet" | "csv") => {
            let fmt = if e == "csv" {
                TableFormat::Csv
            } else {
                TableFormat::Parquet
            };
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            match path.parent() {
                Some(dir) if TABLES.contains(&stem) => read_table_dir(
                    if dir.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        dir
                    },
                    fmt,
                ),
                _ => table::read_spikes_file(path, fmt),
            }
        }
        other => Err(Error::data(
            path.display().to_string(),
            format!("unknown format `.{other}` (use .nwb, .npz, .parquet, .csv, a directory or a Phy folder)"),
        )),
    }
}

/// Writes a recording, choosing the format from the path: `*.npz` is one
/// archive; `*.parquet`, `*.csv` or an existing directory get one file per
/// table (Parquet for a directory without extension). Existing files are
/// overwritten; missing parent directories are created.
///
/// # Errors
/// [`Error::Io`] when a file cannot be written; [`Error::Data`] for `.nwb`
/// (NWB is read only) or an unknown extension.
pub fn write(rec: &Recording, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    match ext(path).as_str() {
        "npz" => write_npz(rec, path),
        "parquet" => write_table_dir(rec, path, TableFormat::Parquet),
        "csv" => write_table_dir(rec, path, TableFormat::Csv),
        "" => write_table_dir(rec, path, TableFormat::Parquet),
        "nwb" => Err(Error::data(
            path.display().to_string(),
            "writing NWB is not supported; write .parquet, .csv or .npz",
        )),
        other => Err(Error::data(
            path.display().to_string(),
            format!("unknown output format `.{other}` (use .npz, .parquet, .csv or a directory)"),
        )),
    }
}
