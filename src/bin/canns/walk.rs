//! `canns walk`: RatInABox-style random motion (or an imported trajectory)
//! written as a table t, x, y, vx, vy, head_direction, speed,
//! rotational_velocity, distance_travelled.

use canns::error::{check_memory, Error, ParamError, Result};
use canns::params::Params;
use canns::spatial::{AgentParams, BoundaryConditions, EnvironmentParams, Trajectory};
use clap::Args;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Arguments of `canns walk`.
#[derive(Debug, Args)]
pub struct WalkArgs {
    /// Width of the box (m).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub width: f64,
    /// Height of the box (m).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub height: f64,
    /// Boundary: solid or periodic.
    #[arg(long, default_value = "solid")]
    pub boundary: String,
    /// Number of steps (random motion), or of samples of the imported trajectory.
    #[arg(long, default_value_t = 10_000)]
    pub steps: usize,
    /// Time step (s).
    #[arg(long, default_value_t = 0.01, allow_negative_numbers = true)]
    pub dt: f64,
    /// Seed of the motion.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output file: .parquet, .csv or .npy (columns as one float64 matrix).
    #[arg(long)]
    pub out: PathBuf,
    /// Import a trajectory instead of random motion: `sargolini`, `tanni`, or
    /// a .npz (t, pos) / .csv (t, x[, y]) file. It is resampled at --dt.
    #[arg(long)]
    pub trajectory: Option<String>,
    /// Set a parameter of the random motion, `key=value` (repeatable,
    /// applied after the flags above): `environment.<field>` of
    /// EnvironmentParams or `agent.<field>` of AgentParams, e.g.
    /// `agent.speed_mean=0.2`, `environment.walls=[[[0.5,0],[0.5,0.6]]]`.
    /// Values are JSON or bare words. An unknown key lists the known ones.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// Everything random motion needs, set by dotted keys.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct WalkParams {
    environment: EnvironmentParams,
    agent: AgentParams,
}

impl Params for WalkParams {
    const NAME: &'static str = "walk";

    /// Both parts, their errors naming the dotted key.
    fn validate(&self) -> Result<()> {
        self.environment.validate().map_err(within("environment"))?;
        self.agent.validate().map_err(within("agent"))
    }
}

/// Prefixes the field a parameter error names with `part.`, so it reads as
/// the dotted key `--set` takes.
fn within(part: &'static str) -> impl Fn(Error) -> Error {
    move |e| match e {
        Error::Param(mut p) => {
            p.field = format!("{part}.{}", p.field);
            Error::Param(p)
        }
        other => other,
    }
}

fn flag(name: &str, rule: &str, value: impl std::fmt::Display) -> Error {
    ParamError::new(format!("--{name}"), rule, value).into()
}

/// Runs `canns walk`.
///
/// # Errors
/// [`Error::Param`] naming the flag and value for bad arguments; I/O errors
/// from reading the trajectory or writing the output.
pub fn run(a: WalkArgs) -> Result<()> {
    if !(a.width.is_finite() && a.width > 0.0) {
        return Err(flag("width", "finite and > 0", a.width));
    }
    if !(a.height.is_finite() && a.height > 0.0) {
        return Err(flag("height", "finite and > 0", a.height));
    }
    if !(a.dt.is_finite() && a.dt > 0.0) {
        return Err(flag("dt", "finite and > 0", a.dt));
    }
    if a.steps == 0 || a.steps > 100_000_000 {
        return Err(flag("steps", "in 1..=10^8", a.steps));
    }
    let boundary: BoundaryConditions = a
        .boundary
        .parse()
        .map_err(|_| flag("boundary", "solid or periodic", &a.boundary))?;
    let mut p = WalkParams {
        environment: EnvironmentParams::default()
            .scale(a.height)
            .aspect(a.width / a.height)
            .boundary_conditions(boundary),
        agent: AgentParams::default().dt(a.dt).seed(a.seed),
    };
    for s in &a.set {
        let (key, text) = s
            .split_once('=')
            .ok_or_else(|| Error::Invalid(format!("--set `{s}`: expected KEY=VALUE")))?;
        if a.trajectory.is_some() {
            return Err(Error::Invalid(format!(
                "--set `{key}`: parameters apply to random motion, not to --trajectory"
            )));
        }
        p.set_text(key, text)
            .map_err(|e| Error::Invalid(format!("--set `{key}`: {e}")))?;
    }
    p.validate()?;
    let ext = a.out.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !matches!(ext, "parquet" | "csv" | "npy") {
        return Err(flag(
            "out",
            "a .parquet, .csv or .npy file",
            a.out.display(),
        ));
    }
    // The history, its table and the output matrix are held at once.
    check_memory(
        &format!("a walk of {} steps (history, table and output)", a.steps),
        (a.steps as u64).saturating_mul(3 * 72),
        "use fewer --steps",
    )?;
    let history = match &a.trajectory {
        Some(name) => {
            // The loader's own message names the file and what is wrong.
            let traj = Trajectory::load(name)?;
            let mut h = traj.resample(a.dt)?;
            if h.len() > a.steps {
                for c in [
                    &mut h.t,
                    &mut h.x,
                    &mut h.y,
                    &mut h.vx,
                    &mut h.vy,
                    &mut h.hd_x,
                    &mut h.hd_y,
                    &mut h.rotational_velocity,
                    &mut h.distance_travelled,
                ] {
                    c.truncate(a.steps);
                }
            }
            h
        }
        None => {
            let env = p.environment.build().map_err(within("environment"))?;
            let mut agent = p.agent.build(env).map_err(within("agent"))?;
            agent.run(a.steps)?;
            agent.history().clone()
        }
    };
    let mut df = history.to_frame()?;
    super::simulate::write_frame(&mut df, &a.out)?;
    eprintln!("wrote {} steps to {}", df.height(), a.out.display());
    Ok(())
}
