//! `canns tuning FILE`: head-direction tuning curves and HD-cell
//! classification of a recording, written as a table.

use canns::analysis::HdTuningParams;
use canns::data::Recording;
use canns::error::{Error, Result};
use clap::Args;
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// Arguments of `canns tuning`.
#[derive(Debug, Args)]
pub struct TuningArgs {
    /// The recording: a file (NWB, Parquet, CSV, NPZ) or a bundled dataset name.
    pub file: String,
    /// Only the units whose `location` is this region (e.g. `adn`).
    #[arg(long)]
    pub units: Option<String>,
    /// Restrict to the epochs with this name (e.g. `wake`).
    #[arg(long)]
    pub epoch: Option<String>,
    /// Direction bins over 360 degrees.
    #[arg(long, default_value_t = 60)]
    pub bins: usize,
    /// Gaussian smoothing of counts and occupancy (radians, 0: none).
    #[arg(long, default_value_t = 0.0)]
    pub smoothing: f64,
    /// Circular-shift shuffles per unit (0: no classification).
    #[arg(long, default_value_t = 500)]
    pub shuffles: usize,
    /// Seed of the shuffles.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output table: .csv or .parquet, one row per unit. The curves go in long
    /// format (unit, angle_rad, rate_hz, occupancy_s) to `<stem>_curves.<ext>` beside it.
    #[arg(long)]
    pub out: PathBuf,
}

fn write_table(df: &mut DataFrame, path: &Path) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    crate::prepare_output(path)?;
    let f = || std::fs::File::create(path).map_err(|e| Error::io(path, e));
    match ext.as_str() {
        "csv" => {
            CsvWriter::new(f()?).finish(df)?;
        }
        "parquet" => {
            ParquetWriter::new(f()?).finish(df)?;
        }
        other => {
            return Err(Error::Invalid(format!(
                "{}: unsupported output format `.{other}` (use .csv or .parquet)",
                path.display()
            )))
        }
    }
    Ok(())
}

/// The path of the curves table beside `out`: `<stem>_curves.<ext>`.
pub fn curves_path(out: &Path) -> PathBuf {
    let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or("tuning");
    let ext = out.extension().and_then(|s| s.to_str()).unwrap_or("csv");
    out.with_file_name(format!("{stem}_curves.{ext}"))
}

/// Runs `canns tuning`.
///
/// # Errors
/// Unreadable recording, unknown region or epoch, bad parameters, write failures.
pub fn run(args: TuningArgs) -> Result<()> {
    let ext = args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ext != "csv" && ext != "parquet" {
        return Err(Error::Invalid(format!(
            "{}: unsupported output format `.{ext}` (use .csv or .parquet)",
            args.out.display()
        )));
    }
    let mut rec = Recording::dataset(&args.file)?;
    if let Some(e) = &args.epoch {
        rec = rec.restrict(e)?;
    }
    if let Some(region) = &args.units {
        rec = rec.select_units(canns::data::col::LOCATION, region)?;
        if rec.n_units() == 0 {
            return Err(Error::data(
                &args.file,
                format!("units: no unit with location `{region}`"),
            ));
        }
    }
    let params = HdTuningParams::default()
        .n_bins(args.bins)
        .smoothing(args.smoothing)
        .n_shuffles(args.shuffles)
        .seed(args.seed);
    let start = std::time::Instant::now();
    let tuning = rec.hd_tuning(&params)?;
    let secs = start.elapsed().as_secs_f64();
    let mut summary = tuning.summary()?;
    write_table(&mut summary, &args.out)?;
    let curves = curves_path(&args.out);
    write_table(&mut tuning.curves_long()?, &curves)?;
    println!("{summary}");
    println!(
        "{tuning} in {secs:.2} s -> {} and {}",
        args.out.display(),
        curves.display()
    );
    Ok(())
}
