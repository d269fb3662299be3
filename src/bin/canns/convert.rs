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
    /// NPZ output: deflate the arrays (as `np.savez_compressed`); without
    /// it they are stored (as `np.savez`).
    #[arg(long)]
    pub compress: bool,
}

/// Runs `canns convert`.
///
/// # Errors
/// The reader's and writer's errors (naming the file and the field).
pub fn run(a: ConvertArgs) -> Result<()> {
    let rec = super::inspect::load(&a.input, a.keep_noise)?;
    let npz = a
        .output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npz"));
    if a.compress && !npz {
        return Err(canns::Error::Invalid(format!(
            "--compress applies to .npz output only (got {})",
            a.output.display()
        )));
    }
    if a.compress {
        if let Some(dir) = a.output.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| canns::Error::io(dir, e))?;
        }
        io::write_npz_compressed(&rec, &a.output)?;
    } else {
        io::write(&rec, &a.output)?;
    }
    println!(
        "wrote {} ({} units, {} spikes, {} behaviour samples)",
        a.output.display(),
        rec.n_units(),
        rec.n_spikes(),
        rec.behaviour().height()
    );
    Ok(())
}
