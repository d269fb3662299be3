//! `canns signature RECORDING`: the attractor-signature pipeline on a count
//! matrix, written as a JSON or HTML report.
//!
//! Input: `.npz` with `counts` `(n_bins, n_units)` and optionally
//! `bin_size` (seconds, one value), `angle` `(n_bins,)` radians and
//! `position` `(n_bins, 2)` metres; or `.npy` with the counts alone
//! (`--bin-size` then gives the bin width); or a recording (`.nwb`, e.g.
//! `datasets/A2929-200711.nwb`), binned at `--bin-size` (default 0.1 s)
//! over `--epoch`, restricted to the units of `--units` (their `location`),
//! with the head direction and position it tracks.

use canns::data::io::{read_npy, shape_text, Npz};
use canns::error::{Error, Result};
use canns::pipeline::{Activity, SignatureParams, Statistic};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

/// Pipeline presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// Head-direction rings (`SignatureParams::head_direction`).
    Default,
    /// The Python canns ASA recipe (`SignatureParams::asa`).
    Asa,
}

/// The bar statistic compared with the shuffles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatisticArg {
    /// `death / birth` ([`Statistic::Ratio`]).
    Ratio,
    /// Bobrowski & Skraba's standardised `ln ln(death / birth)` ([`Statistic::Universal`]).
    Universal,
    /// `death - birth` ([`Statistic::Lifetime`]).
    Lifetime,
}

/// Arguments of `canns signature`.
#[derive(Debug, Args)]
pub struct SignatureArgs {
    /// Counts: .npz (`counts`, optional `bin_size`, `angle`, `position`), .npy (counts only), or a .nwb recording.
    pub recording: PathBuf,
    /// Units of this brain region only (recordings with unit metadata).
    #[arg(long)]
    pub units: Option<String>,
    /// Epoch of the recording to analyse (recordings with epochs).
    #[arg(long)]
    pub epoch: Option<String>,
    /// Parameter preset.
    #[arg(long, value_enum, default_value_t = Preset::Default)]
    pub preset: Preset,
    /// Number of shuffled surrogates (overrides the preset).
    #[arg(long)]
    pub shuffles: Option<usize>,
    /// Points handed to persistent homology (overrides the preset).
    #[arg(long)]
    pub n_points: Option<usize>,
    /// Gaussian smoothing in seconds (overrides the preset).
    #[arg(long)]
    pub smooth: Option<f64>,
    /// Significance statistic (overrides the preset's `ratio`).
    #[arg(long, value_enum)]
    pub statistic: Option<StatisticArg>,
    /// Seed of the shuffles.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Bin width in seconds, when the file does not say.
    #[arg(long)]
    pub bin_size: Option<f64>,
    /// Report: .json (numbers) or .html (figures and summary, offline).
    #[arg(long)]
    pub out: PathBuf,
}

fn ext(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Reads the activity of a `.npz` or `.npy` file.
///
/// # Errors
/// [`Error::Io`] when the file cannot be opened, [`Error::Data`] naming the
/// file and the array that is missing or malformed.
pub fn read_activity(path: &Path, bin_size: Option<f64>) -> Result<Activity> {
    let name = path.display().to_string();
    if !path.exists() {
        return Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        ));
    }
    let bad = |m: String| Error::data(&name, m);
    match ext(path).as_str() {
        "npy" => {
            let counts = read_npy(path)?
                .into_array2("counts")
                .map_err(|e| bad(e.to_string()))?;
            let b = bin_size.ok_or_else(|| {
                bad("a .npy file holds no bin width: pass --bin-size SECONDS".into())
            })?;
            Activity::from_counts(counts, b)
        }
        "npz" => {
            let mut z = Npz::open(path)?;
            let names = z.names();
            let has = |n: &str| names.iter().any(|m| m == n);
            if !has("counts") {
                return Err(bad(format!(
                    "no `counts` array (n_bins x n_units); arrays present: {names:?}"
                )));
            }
            let counts = z
                .array("counts")?
                .into_array2("counts")
                .map_err(|e| bad(e.to_string()))?;
            let b = if has("bin_size") {
                let v = z.array("bin_size")?;
                if v.len() != 1 {
                    return Err(bad(format!(
                        "`bin_size` must hold one value (got shape {})",
                        shape_text(v.shape())
                    )));
                }
                v.into_f64()[0]
            } else {
                bin_size
                    .ok_or_else(|| bad("no `bin_size` array: pass --bin-size SECONDS".into()))?
            };
            let mut a = Activity::from_counts(counts, b)?;
            if has("angle") {
                let v = z
                    .array("angle")?
                    .into_array1("angle")
                    .map_err(|e| bad(e.to_string()))?;
                a = a.with_angle(v.to_vec())?;
            }
            if has("position") {
                let v = z
                    .array("position")?
                    .into_array2("position")
                    .map_err(|e| bad(e.to_string()))?;
                a = a.with_position(v)?;
            }
            Ok(a)
        }
        "nwb" => read_recording(path, bin_size.unwrap_or(0.1), None, None),
        other => Err(bad(format!(
            "unsupported format `.{other}` (use .npz or .npy)"
        ))),
    }
}

/// Reads a recording, keeps the units whose `location` is `units` and bins
/// them at `bin_size` seconds over `epoch`.
///
/// # Errors
/// The reader's errors; [`Error::Data`] for an unknown region or epoch.
pub fn read_recording(
    path: &Path,
    bin_size: f64,
    units: Option<&str>,
    epoch: Option<&str>,
) -> Result<Activity> {
    let mut rec = canns::data::Recording::dataset(&path.display().to_string())?;
    if let Some(region) = units {
        rec = rec.select_units(canns::data::col::LOCATION, region)?;
        if rec.n_units() == 0 {
            return Err(Error::data(
                path.display().to_string(),
                format!("units: no unit with location `{region}`"),
            ));
        }
    }
    Activity::from_recording(&rec, bin_size, epoch)
}

/// Runs `canns signature`.
///
/// # Errors
/// Unreadable input, invalid parameters, pipeline failures, write failures.
pub fn run(args: SignatureArgs) -> Result<()> {
    if (args.units.is_some() || args.epoch.is_some())
        && matches!(ext(&args.recording).as_str(), "npz" | "npy")
    {
        return Err(Error::Invalid(format!(
            "{}: --units and --epoch select parts of a recording; a count matrix has neither",
            args.recording.display()
        )));
    }
    let out_ext = ext(&args.out);
    if out_ext != "json" && out_ext != "html" {
        return Err(Error::Invalid(format!(
            "{}: unsupported report format `.{out_ext}` (use .json or .html)",
            args.out.display()
        )));
    }
    let activity = if ext(&args.recording) == "nwb" {
        read_recording(
            &args.recording,
            args.bin_size.unwrap_or(0.1),
            args.units.as_deref(),
            args.epoch.as_deref(),
        )?
    } else {
        read_activity(&args.recording, args.bin_size)?
    };
    let mut sig = match args.preset {
        Preset::Default => SignatureParams::head_direction(),
        Preset::Asa => SignatureParams::asa(),
    }
    .seed(args.seed);
    if activity.position.is_none() {
        sig.min_speed = None;
    }
    if let Some(n) = args.shuffles {
        sig.n_shuffles = n;
    }
    if let Some(n) = args.n_points {
        sig.n_points = n;
    }
    if let Some(v) = args.smooth {
        sig.smooth = v;
    }
    if let Some(s) = args.statistic {
        sig.statistic = match s {
            StatisticArg::Ratio => Statistic::Ratio,
            StatisticArg::Universal => Statistic::Universal,
            StatisticArg::Lifetime => Statistic::Lifetime,
        };
    }
    let start = std::time::Instant::now();
    let r = sig.run(&activity)?;
    let secs = start.elapsed().as_secs_f64();
    let text = if out_ext == "json" {
        serde_json::to_string(&serde_json::json!({
            "input": activity.to_string(),
            "params": r.params,
            "kept_bins": r.kept.len(),
            "landmarks": r.landmarks.len(),
            "cover_radius": r.cover_radius,
            "diagrams": r.diagrams.pairs,
            "shuffle_max": r.shuffle_max,
            "band": r.band,
            "significant": (0..r.diagrams.pairs.len()).map(|d| r.n_significant(d)).collect::<Vec<_>>(),
            "relative_persistence_h1": r.relative_persistence(1, 0),
            "comparison": r.comparison,
            "times": r.times,
            "decoded": r.coords.columns().into_iter().map(|c| c.to_vec()).collect::<Vec<_>>(),
            "seconds": secs,
        }))
        .expect("report serialises")
    } else {
        r.to_html()
    };
    crate::prepare_output(&args.out)?;
    std::fs::write(&args.out, text).map_err(|e| Error::io(&args.out, e))?;
    println!("{r} in {secs:.2} s -> {}", args.out.display());
    Ok(())
}
