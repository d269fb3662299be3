//! `canns replay`: the replay regimes of the adaptive CANN (Ji et al. 2026)
//! over adaptation strengths; writes an HTML report (bump rasters, MSD
//! log-log, step-size histograms) and the statistics as JSON.

use canns::display::{plot_html, standalone_html, KeyValues};
use canns::error::{Error, ParamError, Result};
use canns::pipeline::{ji_1d, ji_2d, replay_trials};
use canns::tasks::ReplayParams;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `canns replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// 1: the ring (Ji et al. Fig. 2 protocol); 2: the torus (Fig. 3).
    #[arg(long, default_value_t = 1)]
    pub dim: usize,
    /// Adaptation strengths: m / m* on the ring, or 1 - mu on the torus
    /// (comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0,1.5,3.5",
        allow_negative_numbers = true
    )]
    pub m_bar: Vec<f64>,
    /// Adaptation-noise strength gamma (torus only).
    #[arg(long, default_value_t = 2.0)]
    pub gamma: f64,
    /// Neurons per side of the torus.
    #[arg(long, default_value_t = 100)]
    pub length: usize,
    /// Seeds per adaptation strength (0..seeds).
    #[arg(long, default_value_t = 8)]
    pub seeds: u64,
    /// Output directory (created): `report.html`, `replay_stats.json`.
    #[arg(long)]
    pub out: PathBuf,
}

fn flag(name: &str, rule: &str, value: impl std::fmt::Display) -> Error {
    ParamError::new(format!("--{name}"), rule, value).into()
}

/// Runs `canns replay`.
///
/// # Errors
/// [`Error::Param`] naming the flag and value for bad arguments; errors of
/// the runs; I/O errors writing the outputs.
pub fn run(a: ReplayArgs) -> Result<()> {
    if !(1..=2).contains(&a.dim) {
        return Err(flag("dim", "1 or 2", a.dim));
    }
    if a.seeds == 0 {
        return Err(flag("seeds", ">= 1", a.seeds));
    }
    if let Some(m) = a.m_bar.iter().find(|m| !(m.is_finite() && **m >= 0.0)) {
        return Err(flag("m-bar", "finite and >= 0", m));
    }
    let seeds: Vec<u64> = (0..a.seeds).collect();
    let mut body = String::new();
    let mut all = Vec::new();
    for &m in &a.m_bar {
        let (trials, after) = if a.dim == 1 {
            let t = replay_trials(|s| ji_1d(m, s), &ReplayParams::default(), &seeds, 10)?;
            (t, 10.0)
        } else {
            let t = replay_trials(
                |s| ji_2d(1.0 - m, a.gamma, a.length, s),
                &ReplayParams::ji_2d(),
                &seeds,
                0,
            )?;
            (t, 18.0)
        };
        let stats = trials.stats(after)?;
        println!("m_bar {m}: {stats}");
        body.push_str(&format!("<h2>m_bar = {m}</h2>"));
        body.push_str(
            &KeyValues::new("replay")
                .row(
                    "msd_exponent",
                    format!("{:.3}", stats.msd_exponent),
                    "log-log MSD slope",
                )
                .row(
                    "net_displacement",
                    format!("{:.3}", stats.net_displacement),
                    "rad",
                )
                .row(
                    "levy_alpha",
                    stats.levy_alpha.map_or("-".into(), |x| format!("{x:.3}")),
                    "stable-law exponent",
                )
                .to_html(),
        );
        if a.dim == 1 {
            body.push_str(&plot_html(
                trials
                    .plot_raster(0, &format!("Bump raster, m_bar = {m}"))?
                    .plot(),
            ));
        } else {
            body.push_str(&plot_html(trials.plot_trajectory(0)?.plot()));
        }
        body.push_str(&plot_html(stats.plot_msd().plot()));
        body.push_str(&plot_html(stats.plot_steps().plot()));
        all.push(serde_json::json!({
            "m_bar": m,
            "msd_exponent": stats.msd_exponent,
            "lags": stats.lags,
            "msd": stats.msd,
            "net_displacement": stats.net_displacement,
            "speed": stats.speed,
            "levy_alpha": stats.levy_alpha,
        }));
    }
    std::fs::create_dir_all(&a.out).map_err(|e| Error::io(&a.out, e))?;
    let report = a.out.join("report.html");
    std::fs::write(&report, standalone_html("Replay regimes", &body))
        .map_err(|e| Error::io(&report, e))?;
    let js = a.out.join("replay_stats.json");
    let text = serde_json::to_string_pretty(&all).expect("numbers serialise");
    std::fs::write(&js, text).map_err(|e| Error::io(&js, e))?;
    println!("wrote {} and {}", report.display(), js.display());
    Ok(())
}
