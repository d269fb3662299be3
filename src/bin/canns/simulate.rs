//! `canns simulate MODEL TASK`: run one model on one task and write the
//! recorded states, decoded centre and ground truth to a file.

use canns::error::{Error, Result};
use canns::models::{Cann1dParams, Cann2dParams, FeatureMap};
use canns::params::{parse_text, Params};
use canns::pipeline::{simulate_with, SimOptions, Simulation};
use canns::tasks::{PopulationCodingParams, SmoothTrackingParams, Task, TemplateMatchingParams};
use clap::Args;
use polars::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Arguments of `canns simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Model: cann1d, cann1d-sfa, cann2d or cann2d-sfa.
    pub model: String,
    /// Task: smooth-tracking, population-coding or template-matching.
    pub task: String,
    /// Set a parameter, `key=value` (repeatable). Keys name a field of the
    /// model's or the task's parameters, dotted for nested fields; prefix
    /// with `model.` or `task.` when both have it (e.g. `task.dt=0.05`).
    /// Values are JSON (`[0.5]`, `true`, `"exponential"`) or bare words. An
    /// unknown key lists the known ones.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// JSON file `{"model": {...}, "task": {...}}` with parameters (applied
    /// before --set).
    #[arg(long)]
    pub params: Option<PathBuf>,
    /// Record full states every this many steps.
    #[arg(long, default_value_t = 1)]
    pub record_every: usize,
    /// Output file: .parquet, .csv (one row per recorded step: step, t,
    /// target_*, centre_*, height, width, u_0..u_{N-1}) or .npy (the same
    /// columns as one float64 matrix).
    #[arg(long)]
    pub out: PathBuf,
}

/// The model's parameters, by model name.
enum ModelParams {
    Ring(Cann1dParams),
    Torus(Cann2dParams),
}

/// The task's parameters, by task name.
enum TaskParams {
    Tracking(SmoothTrackingParams),
    Coding(PopulationCodingParams),
    Matching(TemplateMatchingParams),
}

/// Setting fields by name on either kind of parameters.
trait ByName {
    fn keys(&self) -> Vec<String>;
    fn set(&mut self, key: &str, value: Value) -> Result<()>;
}

macro_rules! by_name {
    ($ty:ty, $($variant:ident),*) => {
        impl ByName for $ty {
            fn keys(&self) -> Vec<String> {
                match self { $(Self::$variant(p) => p.current_keys(),)* }
            }
            fn set(&mut self, key: &str, value: Value) -> Result<()> {
                match self { $(Self::$variant(p) => p.set(key, value),)* }
            }
        }
    };
}
by_name!(ModelParams, Ring, Torus);
by_name!(TaskParams, Tracking, Coding, Matching);

fn model_defaults(name: &str) -> Result<ModelParams> {
    Ok(match name {
        "cann1d" => ModelParams::Ring(Cann1dParams::default()),
        "cann1d-sfa" => ModelParams::Ring(Cann1dParams::sfa()),
        "cann2d" => ModelParams::Torus(Cann2dParams::default()),
        "cann2d-sfa" => ModelParams::Torus(Cann2dParams::sfa()),
        other => {
            return Err(Error::Invalid(format!(
                "unknown model `{other}` (expected cann1d, cann1d-sfa, cann2d or cann2d-sfa)"
            )))
        }
    })
}

fn task_defaults(name: &str, dim: usize) -> Result<TaskParams> {
    let mut t = match name {
        "smooth-tracking" => TaskParams::Tracking(SmoothTrackingParams::default()),
        "population-coding" => TaskParams::Coding(PopulationCodingParams::default()),
        "template-matching" => TaskParams::Matching(TemplateMatchingParams::default()),
        other => {
            return Err(Error::Invalid(format!(
                "unknown task `{other}` (expected smooth-tracking, population-coding or template-matching)"
            )))
        }
    };
    if dim == 2 {
        // 2D defaults: the same protocol on both axes of the torus.
        let keys = t.keys();
        if keys.iter().any(|k| k == "position") {
            t.set("position", serde_json::json!([0.0, 0.0]))?;
        }
        if keys.iter().any(|k| k == "keypoints") {
            t.set(
                "keypoints",
                serde_json::json!([[0.0, 0.0], [1.5, 1.0], [-1.5, -1.0]]),
            )?;
        }
    }
    Ok(t)
}

/// Applies `key=value` settings to the model's and the task's parameters.
fn apply_sets(model: &mut ModelParams, task: &mut TaskParams, sets: &[String]) -> Result<()> {
    for s in sets {
        let (key, text) = s
            .split_once('=')
            .ok_or_else(|| Error::Invalid(format!("--set `{s}`: expected KEY=VALUE")))?;
        let value = parse_text(text);
        let (target, field): (&mut dyn ByName, &str) = if let Some(f) = key.strip_prefix("model.") {
            (model, f)
        } else if let Some(f) = key.strip_prefix("task.") {
            (task, f)
        } else {
            let head = key.split('.').next().unwrap_or(key);
            let has = |keys: Vec<String>| keys.iter().any(|k| k.split('.').next() == Some(head));
            let (in_m, in_t) = (has(model.keys()), has(task.keys()));
            match (in_m, in_t) {
                (true, true) => {
                    return Err(Error::Invalid(format!(
                    "--set `{key}`: both model and task have it; write model.{key} or task.{key}"
                )))
                }
                (true, false) => (model, key),
                (false, true) => (task, key),
                (false, false) => {
                    let mut keys: Vec<String> =
                        model.keys().iter().map(|k| format!("model.{k}")).collect();
                    keys.extend(task.keys().iter().map(|k| format!("task.{k}")));
                    return Err(Error::Invalid(format!(
                        "--set `{key}`: unknown parameter (known: {})",
                        keys.join(", ")
                    )));
                }
            }
        };
        target
            .set(field, value)
            .map_err(|e| Error::Invalid(format!("--set `{key}`: {e}")))?;
    }
    Ok(())
}

fn build_model(p: &ModelParams) -> Result<Box<dyn FeatureMap>> {
    Ok(match p {
        ModelParams::Ring(p) => Box::new(p.build()?),
        ModelParams::Torus(p) => Box::new(p.build()?),
    })
}

fn build_task(p: &TaskParams) -> Result<Box<dyn Task>> {
    Ok(match p {
        TaskParams::Tracking(p) => Box::new(p.build()?),
        TaskParams::Coding(p) => Box::new(p.build()?),
        TaskParams::Matching(p) => Box::new(p.build()?),
    })
}

/// The output table: one row per recorded step.
pub fn states_frame(sim: &Simulation) -> Result<DataFrame> {
    let rows: Vec<usize> = (0..sim.r.nrows()).map(|k| k * sim.record_every).collect();
    let n = rows.len();
    let mut cols: Vec<Column> = vec![
        Column::new(
            "step".into(),
            rows.iter().map(|&s| s as u64).collect::<Vec<_>>(),
        ),
        Column::new(
            "t".into(),
            rows.iter().map(|&s| sim.t[s]).collect::<Vec<_>>(),
        ),
    ];
    for c in 0..sim.dim() {
        cols.push(Column::new(
            format!("target_{}", c + 1).into(),
            rows.iter().map(|&s| sim.target[[s, c]]).collect::<Vec<_>>(),
        ));
        cols.push(Column::new(
            format!("centre_{}", c + 1).into(),
            rows.iter().map(|&s| sim.centre[[s, c]]).collect::<Vec<_>>(),
        ));
    }
    cols.push(Column::new(
        "height".into(),
        rows.iter().map(|&s| sim.height[s]).collect::<Vec<_>>(),
    ));
    cols.push(Column::new(
        "width".into(),
        rows.iter().map(|&s| sim.width[s]).collect::<Vec<_>>(),
    ));
    for i in 0..sim.u.ncols() {
        cols.push(Column::new(
            format!("u_{i}").into(),
            sim.u.column(i).to_vec(),
        ));
    }
    Ok(DataFrame::new(n, cols)?)
}

/// Writes a DataFrame as .parquet, .csv or .npy (all columns cast to f64).
///
/// # Errors
/// [`Error::Invalid`] for an unsupported extension, [`Error::Io`] / [`Error::Polars`] on write failures.
pub fn write_frame(df: &mut DataFrame, path: &Path) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    crate::prepare_output(path)?;
    match ext.as_str() {
        "parquet" => {
            let f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
            ParquetWriter::new(f).finish(df)?;
        }
        "csv" => {
            let mut f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
            CsvWriter::new(&mut f).finish(df)?;
        }
        "npy" => {
            let (h, w) = (df.height(), df.width());
            let mut a = ndarray::Array2::<f64>::zeros((h, w));
            for (j, c) in df.columns().iter().enumerate() {
                let c = c.cast(&DataType::Float64)?;
                for (i, v) in c.f64()?.iter().enumerate() {
                    a[[i, j]] = v.unwrap_or(f64::NAN);
                }
            }
            ndarray_npy::write_npy(path, &a)
                .map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
        }
        other => {
            return Err(Error::Invalid(format!(
                "{}: unsupported output format `.{other}` (use .parquet, .csv or .npy)",
                path.display()
            )))
        }
    }
    Ok(())
}

/// Runs `canns simulate`.
///
/// # Errors
/// Unknown model/task/keys, invalid values, unreadable params file, write failures.
pub fn run(args: SimulateArgs) -> Result<()> {
    let mut mv = model_defaults(&args.model)?;
    let dim = if args.model.starts_with("cann2d") {
        2
    } else {
        1
    };
    let mut tv = task_defaults(&args.task, dim)?;
    if let Some(p) = &args.params {
        let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| Error::data(p.display().to_string(), format!("not JSON: {e}")))?;
        let obj = v.as_object().ok_or_else(|| {
            Error::data(
                p.display().to_string(),
                "expected an object {\"model\": {...}, \"task\": {...}}",
            )
        })?;
        for (k, sub) in obj {
            let target: &mut dyn ByName = match k.as_str() {
                "model" => &mut mv,
                "task" => &mut tv,
                other => {
                    return Err(Error::data(
                        p.display().to_string(),
                        format!("unknown key `{other}` (expected model, task)"),
                    ))
                }
            };
            let sub = sub.as_object().ok_or_else(|| {
                Error::data(p.display().to_string(), format!("`{k}` must be an object"))
            })?;
            for (f, val) in sub {
                target
                    .set(f, val.clone())
                    .map_err(|e| Error::data(p.display().to_string(), format!("`{k}.{f}`: {e}")))?;
            }
        }
    }
    apply_sets(&mut mv, &mut tv, &args.set)?;
    let mut model = build_model(&mv)?;
    let mut task = build_task(&tv)?;
    let opts = SimOptions {
        record_every: args.record_every,
        ..SimOptions::default()
    };
    let sim = simulate_with(model.as_mut(), task.as_mut(), &opts)?;
    let mut df = states_frame(&sim)?;
    write_frame(&mut df, &args.out)?;
    let tr = sim.tracking(0);
    println!(
        "{} on {}: {} steps, {} recorded rows x {} columns -> {}; mean |error| {:.4} rad, final height {:.4}",
        sim.model,
        sim.task,
        sim.n_steps(),
        df.height(),
        df.width(),
        args.out.display(),
        tr.mean_abs_error,
        sim.height.last().copied().unwrap_or(f64::NAN)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_ambiguous_keys_are_clear_errors() {
        let mut m = model_defaults("cann1d").unwrap();
        let mut t = task_defaults("template-matching", 1).unwrap();
        let e = apply_sets(&mut m, &mut t, &["nmu=3".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("nmu") && e.contains("model.num"), "{e}");
        let e = apply_sets(&mut m, &mut t, &["seed=3".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("model.seed or task.seed"), "{e}");
        apply_sets(&mut m, &mut t, &["num=64".into(), "task.seed=3".into()]).unwrap();
        let (ModelParams::Ring(mp), TaskParams::Matching(tp)) = (&m, &t) else {
            panic!("cann1d and template-matching")
        };
        assert_eq!((mp.num, tp.seed), (64, 3));
    }

    #[test]
    fn bad_values_are_rejected() {
        let mut m = model_defaults("cann1d").unwrap();
        let mut t = task_defaults("population-coding", 1).unwrap();
        apply_sets(&mut m, &mut t, &["tau=-1".into()]).unwrap();
        let e = build_model(&m).err().unwrap().to_string();
        assert!(e.contains("`tau`") && e.contains("-1"), "{e}");
        let mut m = model_defaults("cann1d").unwrap();
        let e = apply_sets(&mut m, &mut t, &["num=\"many\"".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("num") && e.contains("many"), "{e}");
    }
}
