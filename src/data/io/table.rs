//! Parquet and CSV: one file per table (`spikes`, `behaviour`, `units`, (documented in the parent module)

use super::TABLES;
use crate::data::Recording;
use crate::error::{Error, Result};
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// A table file format.
///
/// # Example
/// ```
/// use canns::data::io::{read_table_dir, TableFormat};
/// assert_eq!((TableFormat::Parquet.ext(), TableFormat::Csv.ext()), ("parquet", "csv"));
/// // The format decides which files a table directory is read from: here the
/// // spikes table `spikes.csv`, which this directory does not have.
/// let err = read_table_dir("no-such-session", TableFormat::Csv).unwrap_err().to_string();
/// assert!(err.contains("spikes.csv"), "{err}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// Apache Parquet.
    Parquet,
    /// Comma-separated values with a header row.
    Csv,
}

impl TableFormat {
    /// The file extension (without the dot).
    pub fn ext(self) -> &'static str {
        match self {
            TableFormat::Parquet => "parquet",
            TableFormat::Csv => "csv",
        }
    }
}

pub(crate) fn read_frame(path: &Path, fmt: TableFormat) -> Result<DataFrame> {
    let name = path.display().to_string();
    // A damaged file can trip an internal assertion of the decoder: that is
    // an error about this file, not a crash of the caller (or the kernel).
    std::panic::catch_unwind(|| read_frame_unguarded(path, fmt)).unwrap_or_else(|p| {
        let what = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(Error::data(
            name,
            format!("damaged {} table (the decoder failed: {what})", fmt.ext()),
        ))
    })
}

fn read_frame_unguarded(path: &Path, fmt: TableFormat) -> Result<DataFrame> {
    let name = path.display().to_string();
    let df = match fmt {
        TableFormat::Csv => CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(PathBuf::from(path)))
            .and_then(|r| r.finish()),
        TableFormat::Parquet => {
            let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
            ParquetReader::new(f).finish()
        }
    };
    df.map_err(|e| Error::data(name, format!("unreadable {} table: {e}", fmt.ext())))
}

pub(crate) fn write_frame(df: &mut DataFrame, path: &Path, fmt: TableFormat) -> Result<()> {
    let mut f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    match fmt {
        TableFormat::Parquet => {
            ParquetWriter::new(&mut f).finish(df)?;
        }
        TableFormat::Csv => {
            CsvWriter::new(&mut f).finish(df)?;
        }
    }
    Ok(())
}

/// Reads a directory of tables.
///
/// # Errors
/// [`Error::Data`] naming the file and the column for missing columns or
/// bad values; [`Error::Io`] when `spikes` cannot be opened.
pub fn read_table_dir(dir: impl AsRef<Path>, fmt: TableFormat) -> Result<Recording> {
    let dir = dir.as_ref();
    let mut frames = Vec::new();
    for t in TABLES {
        let p = dir.join(format!("{t}.{}", fmt.ext()));
        if p.exists() {
            frames.push(read_frame(&p, fmt)?);
        } else if t == "spikes" {
            return Err(Error::io(
                &p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no spikes table"),
            ));
        } else {
            frames.push(DataFrame::empty());
        }
    }
    let name = dir.display().to_string();
    let mut it = frames.into_iter();
    let mut next = || it.next().expect("five tables were pushed");
    Recording::from_frames_named(next(), next(), next(), next(), next(), &name)
}

/// Reads one spikes table (`unit`, `t`) as a recording with no other table.
///
/// # Errors
/// As [`read_table_dir`].
pub fn read_spikes_file(path: &Path, fmt: TableFormat) -> Result<Recording> {
    let spikes = read_frame(path, fmt)?;
    Recording::from_frames_named(
        spikes,
        DataFrame::empty(),
        DataFrame::empty(),
        DataFrame::empty(),
        DataFrame::empty(),
        &path.display().to_string(),
    )
}

/// Writes one file per table into `dir` (created if needed).
///
/// # Errors
/// [`Error::Io`] when the directory or a file cannot be written.
pub fn write_table_dir(rec: &Recording, dir: impl AsRef<Path>, fmt: TableFormat) -> Result<()> {
    let dir = dir.as_ref();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let frames = [
        rec.spikes(),
        rec.behaviour(),
        rec.units(),
        rec.epochs(),
        rec.events(),
    ];
    for (t, df) in TABLES.iter().zip(frames) {
        let p = dir.join(format!("{t}.{}", fmt.ext()));
        write_frame(&mut df.clone(), &p, fmt)?;
    }
    Ok(())
}
