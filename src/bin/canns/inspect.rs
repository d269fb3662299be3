//! `canns inspect FILE`: a summary of a recording (NWB, Parquet, CSV, NPZ,
//! a Phy / Kilosort folder or a bundled dataset name): units by region (and
//! by curation label for Phy), spike counts, epochs, behaviour channels and
//! their ranges, events.

use canns::data::{col, Recording};
use canns::error::Result;
use clap::Args;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Arguments of `canns inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A recording: .nwb, .npz, .parquet / .csv (a directory of tables or one
    /// of its files), a Phy / Kilosort folder, or a bundled dataset name such
    /// as A2929-200711.
    pub file: String,
    /// Phy folders: keep the clusters labelled `noise` (dropped by default).
    #[arg(long)]
    pub keep_noise: bool,
}

/// Loads `input` (a path or a bundled dataset name); `keep_noise` keeps the
/// `noise` clusters of a Phy folder.
///
/// # Errors
/// The reader's errors; [`canns::Error::Invalid`] for `keep_noise` on
/// anything but a Phy folder.
pub fn load(input: &str, keep_noise: bool) -> Result<Recording> {
    if !keep_noise {
        return Recording::dataset(input);
    }
    if !canns::data::io::is_phy_dir(input) {
        return Err(canns::Error::Invalid(format!(
            "--keep-noise applies to Phy folders (params.py, spike_times.npy); {input} is none"
        )));
    }
    Recording::from_phy_with(input, canns::data::io::NoiseClusters::Keep)
}

/// Runs `canns inspect`: prints [`summary`].
///
/// # Errors
/// The reader's errors (naming the file and the field).
pub fn run(a: InspectArgs) -> Result<()> {
    let rec = load(&a.file, a.keep_noise)?;
    print!("{}", summary(&rec)?);
    Ok(())
}

fn frame<'a>(df: &'a DataFrame, c: &str) -> Result<&'a Column> {
    canns::data::frame_column(df, c)
        .ok_or_else(|| canns::Error::data("table", format!("missing column `{c}`")))
}

fn column_f64(df: &DataFrame, c: &str) -> Result<Vec<f64>> {
    Ok(frame(df, c)?
        .cast(&DataType::Float64)?
        .f64()?
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect())
}

fn column_str(df: &DataFrame, c: &str) -> Result<Vec<String>> {
    Ok(frame(df, c)?
        .cast(&DataType::String)?
        .str()?
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect())
}

/// The text `canns inspect` prints.
///
/// # Errors
/// [`canns::Error::Polars`] if a table cannot be read back (not expected for
/// a validated recording).
pub fn summary(rec: &Recording) -> Result<String> {
    let mut s = String::new();
    let (a, b) = rec.time_span();
    let _ = writeln!(s, "{}", rec.source());
    let _ = writeln!(
        s,
        "{} units, {} spikes, {:.3}-{:.3} s",
        rec.n_units(),
        rec.n_spikes(),
        a,
        b
    );
    let _ = writeln!(s, "\nunits by {}:", col::LOCATION);
    for (loc, n) in rec.units_by(col::LOCATION) {
        let _ = writeln!(s, "  {loc:<12} {n}");
    }
    // Phy's curation labels (text); NWB files use `group` for a number.
    let group = col::GROUP;
    if canns::data::frame_column(rec.units(), group).is_some_and(|c| c.dtype() == &DataType::String)
    {
        let _ = writeln!(s, "\nunits by {group}:");
        for (g, n) in rec.units_by(group) {
            let _ = writeln!(s, "  {g:<12} {n}");
        }
    }
    let _ = writeln!(s, "\nspikes per unit:");
    let units = rec.units();
    let locs = column_str(units, col::LOCATION).ok();
    for (i, (u, t)) in rec.spike_trains().iter().enumerate() {
        let loc = locs.as_ref().map_or("", |l| l[i].as_str());
        let (f, l) = (
            t.first().copied().unwrap_or(f64::NAN),
            t.last().copied().unwrap_or(f64::NAN),
        );
        let _ = writeln!(
            s,
            "  unit {u:>4} {loc:<8} {:>8} spikes  {f:.4}-{l:.4} s",
            t.len()
        );
    }
    let mut others: Vec<String> = units
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .filter(|c| c != col::UNIT)
        .collect();
    others.sort();
    let _ = writeln!(s, "unit columns: {}", others.join(", "));
    let _ = writeln!(s, "\nepochs:");
    let names = column_str(rec.epochs(), col::NAME)?;
    let start = column_f64(rec.epochs(), col::START)?;
    let stop = column_f64(rec.epochs(), col::STOP)?;
    let mut per: BTreeMap<&str, (usize, f64, f64, f64)> = BTreeMap::new();
    for i in 0..names.len() {
        let e = per
            .entry(&names[i])
            .or_insert((0, f64::INFINITY, f64::NEG_INFINITY, 0.0));
        e.0 += 1;
        e.1 = e.1.min(start[i]);
        e.2 = e.2.max(stop[i]);
        e.3 += stop[i] - start[i];
    }
    for (n, (k, lo, hi, total)) in per {
        let _ = writeln!(
            s,
            "  {n:<28} {k:>5} interval(s)  {lo:.3}-{hi:.3} s  ({total:.3} s in all)"
        );
    }
    let bt = column_f64(rec.behaviour(), col::T)?;
    let _ = writeln!(
        s,
        "\nbehaviour: {} samples{}",
        bt.len(),
        if bt.len() > 1 {
            format!(
                ", {:.3}-{:.3} s, {:.1} Hz",
                bt[0],
                bt[bt.len() - 1],
                (bt.len() - 1) as f64 / (bt[bt.len() - 1] - bt[0])
            )
        } else {
            String::new()
        }
    );
    for c in rec.channels() {
        let v = column_f64(rec.behaviour(), &c)?;
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let unit = match c.as_str() {
            col::HEAD_DIRECTION => "rad",
            col::SPEED => "m/s",
            _ => "",
        };
        let _ = writeln!(s, "  {c:<16} {lo:.4} to {hi:.4} {unit}");
    }
    let ev = column_str(rec.events(), col::NAME)?;
    let _ = writeln!(s, "\nevents: {}", ev.len());
    let mut per: BTreeMap<&str, usize> = BTreeMap::new();
    for n in &ev {
        *per.entry(n).or_default() += 1;
    }
    for (n, k) in per {
        let _ = writeln!(s, "  {n:<28} {k}");
    }
    Ok(s)
}
