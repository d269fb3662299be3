//! `canns convert IN OUT`: converts a recording between formats (NWB,
//! Parquet, CSV, NPZ in; Parquet, CSV, NPZ out), see [`canns::data::io`].

use canns::data::{io, Recording};
use canns::error::Result;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `canns convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Input: .nwb, .npz, .parquet / .csv (a directory of tables or one of
    /// its files), or a bundled dataset name such as A2929-200711.
    pub input: String,
    /// Output: .npz (one archive), or .parquet / .csv (a directory with one
    /// file per table: spikes, behaviour, units, epochs, events).
    pub output: PathBuf,
}

/// Runs `canns convert`.
///
/// # Errors
/// The reader's and writer's errors (naming the file and the field).
pub fn run(a: ConvertArgs) -> Result<()> {
    let rec = Recording::dataset(&a.input)?;
    io::write(&rec, &a.output)?;
    println!(
        "wrote {} ({} units, {} spikes, {} behaviour samples)",
        a.output.display(),
        rec.n_units(),
        rec.n_spikes(),
        rec.behaviour().height()
    );
    Ok(())
}
