//! `canns theta-sweep`: a trajectory through the head-direction and grid
//! networks under a theta clock; writes an HTML report, the per-step records
//! and the parameters.

use canns::error::{Error, ParamError, Result};
use canns::params::Params;
use canns::pipeline::ThetaSweep;
use canns::spatial::Trajectory;
use clap::Args;
use polars::prelude::*;
use std::path::PathBuf;

/// Arguments of `canns theta-sweep`.
#[derive(Debug, Args)]
pub struct ThetaSweepArgs {
    /// The trajectory: `sargolini`, `tanni`, or a .npz (t, pos) / .csv (t, x, y) file.
    #[arg(long, default_value = "sargolini")]
    pub trajectory: String,
    /// Use only the first this many seconds of the trajectory.
    #[arg(long, allow_negative_numbers = true)]
    pub duration: Option<f64>,
    /// Set a parameter, `key=value` (repeatable), by dotted name:
    /// `dt=0.5`, `grid.mapping_ratio=10`, `direction.noise_strength=0.1`,
    /// `clock.v_max=0.5`, `with_grid=false`. Values are JSON or bare words.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Output directory (created): `report.html`, `theta_sweep.parquet`,
    /// `params.json`.
    #[arg(long)]
    pub out: PathBuf,
}

fn flag(name: &str, rule: &str, value: impl std::fmt::Display) -> Error {
    ParamError::new(format!("--{name}"), rule, value).into()
}

/// Runs `canns theta-sweep`.
///
/// # Errors
/// [`Error::Param`] naming the flag and value for bad arguments; errors of
/// the pipeline; I/O errors writing the outputs.
pub fn run(a: ThetaSweepArgs) -> Result<()> {
    let mut params = ThetaSweep::params();
    for kv in &a.set {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| flag("set", "key=value", kv))?;
        params
            .set_text(k.trim(), v.trim())
            .map_err(|e| Error::Invalid(format!("--set `{}`: {e}", k.trim())))?;
    }
    params.validate()?;
    let mut traj = Trajectory::load(&a.trajectory).map_err(|e| match e {
        Error::Param(_) => flag(
            "trajectory",
            "sargolini, tanni, or a .npz/.csv file",
            &a.trajectory,
        ),
        other => other,
    })?;
    if let Some(d) = a.duration {
        if !(d.is_finite() && d > 0.0) {
            return Err(flag("duration", "finite and > 0", d));
        }
        if d < traj.duration() {
            let t = traj.times();
            let keep = t.iter().take_while(|&&x| x <= d).count().max(2);
            let pos = (0..keep)
                .map(|i| (0..traj.dim()).map(|k| traj.coordinate(k)[i]).collect())
                .collect();
            traj = Trajectory::new(t[..keep].to_vec(), pos)?;
        }
    }
    std::fs::create_dir_all(&a.out).map_err(|e| Error::io(&a.out, e))?;
    let res = params.run(&traj)?;
    let spc = (params.clock.cycle_len / params.dt).round() as usize;
    let report = a.out.join("report.html");
    std::fs::write(&report, res.report_html(20 * spc)).map_err(|e| Error::io(&report, e))?;
    let data = a.out.join("theta_sweep.parquet");
    let mut df = res.to_dataframe()?;
    let f = std::fs::File::create(&data).map_err(|e| Error::io(&data, e))?;
    ParquetWriter::new(f).finish(&mut df)?;
    let pj = a.out.join("params.json");
    std::fs::write(&pj, params.to_json()).map_err(|e| Error::io(&pj, e))?;
    println!("{res}");
    println!(
        "wrote {}, {} and {}",
        report.display(),
        data.display(),
        pj.display()
    );
    Ok(())
}
