//! `canns path-integrate`: a trajectory integrated by one of the
//! path-integration models; prints the error summary and writes an HTML
//! report (true and decoded paths, error over time), the per-sample records
//! (CSV) and the parameters.

use canns::display::{plot_html, standalone_html};
use canns::error::{Error, ParamError, Result};
use canns::models::{GridCell2DPosition, GridCell2DVelocity, HealSchedule, HierarchicalNetwork};
use canns::params::Params;
use canns::spatial::Trajectory;
use clap::{Args, ValueEnum};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Which model integrates the trajectory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PiModel {
    /// `GridCell2DVelocity` (Burak & Fiete): healed, then driven by velocity.
    Velocity,
    /// `HierarchicalNetwork`: band, grid and place cells, driven by velocity.
    Hierarchical,
    /// `GridCell2DPosition`: driven by position, decoded on its lattice.
    Position,
}

/// Arguments of `canns path-integrate`.
#[derive(Debug, Args)]
pub struct PathIntegrateArgs {
    /// The trajectory: `sargolini`, `tanni`, or a .npz (t, pos) / .csv (t, x, y) file.
    #[arg(long, default_value = "sargolini")]
    pub trajectory: String,
    /// The model.
    #[arg(long, value_enum, default_value = "velocity")]
    pub model: PiModel,
    /// Use only the first this many seconds of the trajectory.
    #[arg(long, allow_negative_numbers = true)]
    pub duration: Option<f64>,
    /// Sample interval (s) the trajectory is resampled at (default: 0.01 for
    /// velocity, the model's dt for hierarchical, 0.001 for position).
    #[arg(long, allow_negative_numbers = true)]
    pub sample_dt: Option<f64>,
    /// Set a model parameter, `key=value` (repeatable): e.g. `length=64`,
    /// `band_gain=0.5`, `mapping_ratio=6`. Values are JSON or bare words.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Output directory (created): `report.html`, `path_integration.csv`,
    /// `params.json`.
    #[arg(long)]
    pub out: PathBuf,
}

fn flag(name: &str, rule: &str, value: impl std::fmt::Display) -> Error {
    ParamError::new(format!("--{name}"), rule, value).into()
}

fn with_sets<P: Params>(mut p: P, sets: &[String]) -> Result<P> {
    for kv in sets {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| flag("set", "key=value", kv))?;
        p.set_text(k.trim(), v.trim())
            .map_err(|e| Error::Invalid(format!("--set `{}`: {e}", k.trim())))?;
    }
    p.validate()?;
    Ok(p)
}

/// Runs `canns path-integrate`.
///
/// # Errors
/// [`Error::Param`] naming the flag and value for bad arguments; errors of
/// the model; I/O errors writing the outputs.
pub fn run(a: PathIntegrateArgs) -> Result<()> {
    let mut traj = Trajectory::load(&a.trajectory).map_err(|e| match e {
        Error::Param(_) => flag(
            "trajectory",
            "sargolini, tanni, or a .npz/.csv file",
            &a.trajectory,
        ),
        other => other,
    })?;
    if traj.dim() != 2 {
        return Err(flag("trajectory", "a 2D trajectory", &a.trajectory));
    }
    if let Some(d) = a.duration {
        if !(d.is_finite() && d > 0.0) {
            return Err(flag("duration", "finite and > 0", d));
        }
        if d < traj.duration() {
            let t = traj.times();
            let keep = t.iter().take_while(|&&x| x <= d).count().max(2);
            let pos = (0..keep)
                .map(|i| (0..2).map(|k| traj.coordinate(k)[i]).collect())
                .collect();
            traj = Trajectory::new(t[..keep].to_vec(), pos)?;
        }
    }
    if let Some(s) = a.sample_dt {
        if !(s.is_finite() && s > 0.0) {
            return Err(flag("sample-dt", "finite and > 0", s));
        }
    }
    std::fs::create_dir_all(&a.out).map_err(|e| Error::io(&a.out, e))?;
    let (t, truth, est, params_json, summary_extra, plots) = match a.model {
        PiModel::Velocity => {
            let p = with_sets(GridCell2DVelocity::params(), &a.set)?;
            let hist = traj.resample(a.sample_dt.unwrap_or(0.01))?;
            let mut net = p.build()?;
            net.heal(&HealSchedule::canns())?;
            let gain = net.measure_gain(0.4, 6, 2000)?;
            let run = net.run(&hist, gain, &[])?;
            let extra = format!("velocity gain {gain:.3} neurons/m");
            let plots = [run.plot_paths(), run.plot_error(), net.plot_sheet()];
            (
                run.t.clone(),
                run.positions.clone(),
                run.estimate.clone(),
                p.to_json(),
                extra,
                plots.to_vec(),
            )
        }
        PiModel::Hierarchical => {
            let p = with_sets(HierarchicalNetwork::params(), &a.set)?;
            let hist = traj.resample(a.sample_dt.unwrap_or(p.dt))?;
            let mut net = p.build()?;
            let start = [hist.x[0], hist.y[0]];
            net.anchor(start, 400, 100.0)?;
            net.anchor(start, 100, 0.0)?;
            let run = net.run(&hist)?;
            let drift = run.band_drift().into_iter().fold(0.0, f64::max);
            let extra = format!(
                "band drift {drift:.4} rad; {} steps over the speed limit {:.4} m/s (fastest {:.4} m/s)",
                run.speed_violations,
                net.speed_limit(),
                net.fastest_speed()
            );
            let plots = [run.plot_paths(), run.plot_error(), net.plot_place()];
            (
                run.t.clone(),
                run.positions.clone(),
                run.decoded.clone(),
                p.to_json(),
                extra,
                plots.to_vec(),
            )
        }
        PiModel::Position => {
            let p = with_sets(canns::models::GridCell2DPositionParams::example(), &a.set)?;
            let hist = traj.resample(a.sample_dt.unwrap_or(0.001))?;
            let mut net: GridCell2DPosition = p.build()?;
            let run = net.run(&hist, &[])?;
            let plots = [run.plot_paths(), run.plot_error(), net.plot_manifold()];
            (
                run.t.clone(),
                run.positions.clone(),
                run.decoded.clone(),
                p.to_json(),
                format!("grid spacing {:.3} m", net.spacing()),
                plots.to_vec(),
            )
        }
    };
    let n = t.len();
    let err: Vec<f64> = (0..n)
        .map(|i| (est[[i, 0]] - truth[[i, 0]]).hypot(est[[i, 1]] - truth[[i, 1]]))
        .collect();
    let fin: Vec<f64> = err.iter().copied().filter(|e| e.is_finite()).collect();
    let mean = fin.iter().sum::<f64>() / fin.len().max(1) as f64;
    let max = fin.iter().copied().fold(0.0, f64::max);
    let last = err.last().copied().unwrap_or(f64::NAN);
    let summary = format!(
        "{:?} on {} ({n} samples, {:.1} s): mean error {mean:.4} m, max {max:.4} m, final {last:.4} m; {summary_extra}",
        a.model,
        traj.name(),
        t.last().copied().unwrap_or(0.0)
    );
    let mut csv = String::from("t,x,y,x_est,y_est,error\n");
    for i in 0..n {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{}",
            t[i],
            truth[[i, 0]],
            truth[[i, 1]],
            est[[i, 0]],
            est[[i, 1]],
            err[i]
        );
    }
    let data = a.out.join("path_integration.csv");
    std::fs::write(&data, csv).map_err(|e| Error::io(&data, e))?;
    let mut body = format!("<h1>Path integration</h1><p>{summary}</p>");
    for p in &plots {
        body.push_str(&plot_html(p));
    }
    let report = a.out.join("report.html");
    std::fs::write(&report, standalone_html("Path integration", &body))
        .map_err(|e| Error::io(&report, e))?;
    let pj = a.out.join("params.json");
    std::fs::write(&pj, params_json).map_err(|e| Error::io(&pj, e))?;
    println!("{summary}");
    println!(
        "wrote {}, {} and {}",
        report.display(),
        data.display(),
        pj.display()
    );
    Ok(())
}
