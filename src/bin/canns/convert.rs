//! `canns convert IN OUT`: converts a recording between formats (NWB,
//! Parquet, CSV, NPZ, Phy folders in; Parquet, CSV, NPZ out), see
//! [`canns::data::io`].

use canns::data::io;
use canns::error::Result;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `canns convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Input: .nwb, .npz, .parquet / .csv (a directory of tables or one of
    /// its files), a Phy / Kilosort folder, or a bundled dataset name such as
    /// A2929-200711.
    pub input: String,
    /// Output: .npz (one archive), or .parquet / .csv (a directory with one
    /// file per table: spikes, behaviour, units, epochs, events).
    pub output: PathBuf,
    /// Phy folders: keep the clusters labelled `noise` (dropped by default).
    #[arg(long)]
    pub keep_noise: bool,
}

/// Runs `canns convert`.
///
/// # Errors
/// The reader's and writer's errors (naming the file and the field).
pub fn run(a: ConvertArgs) -> Result<()> {
    let rec = super::inspect::load(&a.input, a.keep_noise)?;
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
