use super::grid::Grid;
use super::metrics::{Metric, MetricFn, Run};
use super::spec::SweepSpec;
use crate::error::{Error, ParamError, Result};
use crate::pipeline::progress::{Progress, ShowProgress};
use polars::prelude::*;
use rayon::prelude::*;
use serde_json::Value;
use std::sync::Mutex;
use std::time::Instant;

/// Column of the run index.
pub const RUN: &str = "run";
/// Column of the replicate seed.
pub const SEED: &str = "seed";
/// Column of the wall time of a run (s).
pub const WALL_TIME: &str = "wall_time";
/// Column of the error of a failed run (null when it succeeded).
pub const ERROR: &str = "error";

/// The row of one run.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::pipeline::sweep::{Axis, Sweep};
/// let task = SmoothTracking::params().keypoints(vec![vec![-1.0], vec![1.0]]).durations(vec![10.0]);
/// // A negative time constant is a valid value for the field's type, so the
/// // plan accepts it; its run fails, and the failure is a row, not a panic.
/// let plan = Sweep::new(Cann1d::params().num(64), task)
///     .over(Axis::values("tau", [1.0, -1.0]))
///     .metrics(["height"])
///     .plan()?;
/// let ok = plan.run_one(0);
/// assert_eq!((ok.run, ok.seed, ok.error.clone()), (0, 0, None));
/// assert!(ok.metrics[0].unwrap() > 0.0 && ok.wall_time >= 0.0);
/// let bad = plan.run_one(1);
/// assert_eq!(bad.metrics, vec![None]);
/// assert!(bad.error.unwrap().contains("tau"));
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Run index.
    pub run: usize,
    /// Replicate seed.
    pub seed: u64,
    /// Metric values, in the plan's metric order (`None` when the run or
    /// the metric failed).
    pub metrics: Vec<Option<f64>>,
    /// Wall time of the run, metrics included (s).
    pub wall_time: f64,
    /// What went wrong, if anything (the first failing metric when only
    /// metrics failed).
    pub error: Option<String>,
}

/// The engine: runs a list of a sweep's runs in parallel (rayon, every
/// core), computes their metrics, drops their states, and hands the rows
/// over chunk by chunk (to memory or to the Parquet dataset).
///
/// A failing run (invalid parameters, a diverging network, a metric that
/// errs, even a panic) is a row with its error: it never stops the sweep.
///
/// A checked spec with its metric functions, ready to run.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::pipeline::sweep::{Axis, Metric, Plan, SweepSpec};
/// let task = SmoothTracking::params().keypoints(vec![vec![-1.0], vec![1.0]]).durations(vec![10.0]);
/// let mut spec = SweepSpec::new(Cann1d::params().num(64), task).with_axis(Axis::values("m", [0.0, 0.1]));
/// spec.seeds = vec![1, 2];
/// spec.metrics = vec!["height".into(), "width".into()];
/// let plan = Plan::new(&spec, &[])?;
/// assert_eq!((plan.n_runs(), plan.grid.keys()), (4, vec!["m".to_string()]));
/// // Runs into rows, then a frame: run, the keys, seed, metrics, wall_time, error.
/// let records: Vec<_> = (0..plan.n_runs()).map(|i| plan.run_one(i)).collect();
/// let df = plan.to_dataframe(&records)?;
/// assert_eq!(df.shape(), (4, 7));
/// // A custom metric named like a key would make two columns of one name.
/// let custom = [("m".to_string(), Metric::Height.function())];
/// let err = Plan::new(&spec, &custom).unwrap_err();
/// assert!(err.to_string().contains("`m`"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct Plan {
    /// The spec.
    pub spec: SweepSpec,
    /// Its grid.
    pub grid: Grid,
    /// Metric names and functions, in column order.
    pub metrics: Vec<(String, MetricFn)>,
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.metrics.iter().map(|m| &m.0).collect();
        write!(
            f,
            "Plan({} runs, keys {:?}, metrics {names:?})",
            self.grid.n_runs(),
            self.grid.keys()
        )
    }
}

impl Plan {
    /// Checks `spec` and adds the `custom` metrics after the spec's.
    ///
    /// # Errors
    /// As [`SweepSpec::check`]; [`Error::Param`] when a metric or key name
    /// is used twice or is a reserved column (`run`, `seed`, `wall_time`,
    /// `error`); [`Error::Limit`] when the runs in flight would exceed the
    /// memory budget.
    pub fn new(spec: &SweepSpec, custom: &[(String, MetricFn)]) -> Result<Self> {
        spec.check()?;
        let grid = spec.grid()?;
        let mut metrics: Vec<(String, MetricFn)> = spec
            .metrics
            .iter()
            .map(|m| Ok((m.clone(), Metric::from_name(m)?.function())))
            .collect::<Result<_>>()?;
        metrics.extend(custom.iter().cloned());
        let mut seen: std::collections::HashSet<String> =
            [RUN, SEED, WALL_TIME, ERROR].map(String::from).into();
        for name in grid.keys().iter().chain(metrics.iter().map(|m| &m.0)) {
            if !seen.insert(name.clone()) {
                return Err(ParamError::new(
                    format!("sweep column `{name}`"),
                    "unique and not one of run, seed, wall_time, error",
                    "a repeat",
                )
                .into());
            }
        }
        let threads = rayon::current_num_threads() as u64;
        crate::error::check_memory(
            &format!("a sweep of {} runs ({threads} at a time)", grid.n_runs()),
            spec.run_bytes().saturating_mul(threads).saturating_add(
                (grid.n_runs() as u64).saturating_mul(64 + 16 * metrics.len() as u64),
            ),
            "shorten the task, raise `dt`, or split the sweep in shards",
        )?;
        Ok(Self {
            spec: spec.clone(),
            grid,
            metrics,
        })
    }

    /// Number of runs.
    pub fn n_runs(&self) -> usize {
        self.grid.n_runs()
    }

    /// Runs run `i` and computes its metrics; never fails (the error goes in
    /// the record).
    pub fn run_one(&self, i: usize) -> Record {
        let start = Instant::now();
        let (set, seed) = self.grid.run(i);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut spec = self.spec.clone();
            for (k, v) in set {
                spec.set(&k, v)?;
            }
            spec.set_seed(seed);
            spec.execute()
        }));
        let mut error = None;
        let metrics = match outcome {
            Ok(Ok(run)) => self
                .metrics
                .iter()
                .map(|(name, f)| metric(name, f, &run, &mut error))
                .collect(),
            Ok(Err(e)) => {
                error = Some(e.to_string());
                vec![None; self.metrics.len()]
            }
            Err(p) => {
                error = Some(format!("the run panicked: {}", panic_message(&p)));
                vec![None; self.metrics.len()]
            }
        };
        Record {
            run: i,
            seed,
            metrics,
            wall_time: start.elapsed().as_secs_f64(),
            error,
        }
    }

    /// Runs `runs` in parallel, `chunk` at a time, handing each chunk's
    /// records (in run order) to `on_chunk` before starting the next.
    ///
    /// # Errors
    /// The first error of `on_chunk` (the runs themselves never fail).
    pub fn execute(
        &self,
        runs: &[usize],
        chunk: usize,
        progress: ShowProgress,
        mut on_chunk: impl FnMut(Vec<Record>) -> Result<()>,
    ) -> Result<()> {
        let steps = self.spec.run_bytes() as f64 / 40.0;
        let bar = Mutex::new(Progress::new(
            "sweep",
            runs.len(),
            runs.len() as f64 * steps * 500.0,
            progress,
        ));
        let done = std::sync::atomic::AtomicUsize::new(0);
        for part in runs.chunks(chunk.max(1)) {
            let records: Vec<Record> = part
                .par_iter()
                .with_max_len(1)
                .map(|&i| {
                    let r = self.run_one(i);
                    let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    if let Ok(mut b) = bar.lock() {
                        b.update(d);
                    }
                    r
                })
                .collect();
            on_chunk(records)?;
        }
        Ok(())
    }

    /// The records as a DataFrame: `run`, one column per key, `seed`, one
    /// column per metric, `wall_time` (s) and `error`.
    ///
    /// # Errors
    /// [`Error::Polars`] if polars cannot assemble the frame.
    pub fn to_dataframe(&self, records: &[Record]) -> Result<DataFrame> {
        let n = records.len();
        let mut cols: Vec<Column> = Vec::new();
        cols.push(Column::new(
            RUN.into(),
            records.iter().map(|r| r.run as u64).collect::<Vec<_>>(),
        ));
        let mut values: Vec<Vec<Value>> = vec![Vec::with_capacity(n); self.grid.keys().len()];
        for r in records {
            for (k, (_, v)) in self.grid.run(r.run).0.into_iter().enumerate() {
                values[k].push(v);
            }
        }
        for (key, vals) in self.grid.keys().iter().zip(values) {
            cols.push(value_column(key, &self.all_values(key), vals));
        }
        cols.push(Column::new(
            SEED.into(),
            records.iter().map(|r| r.seed).collect::<Vec<_>>(),
        ));
        for (k, (name, _)) in self.metrics.iter().enumerate() {
            cols.push(Column::new(
                name.as_str().into(),
                records.iter().map(|r| r.metrics[k]).collect::<Vec<_>>(),
            ));
        }
        cols.push(Column::new(
            WALL_TIME.into(),
            records.iter().map(|r| r.wall_time).collect::<Vec<_>>(),
        ));
        cols.push(Column::new(
            ERROR.into(),
            records
                .iter()
                .map(|r| r.error.clone())
                .collect::<Vec<Option<String>>>(),
        ));
        Ok(DataFrame::new(n, cols)?)
    }

    fn all_values(&self, key: &str) -> Vec<Value> {
        self.grid
            .axes
            .iter()
            .flat_map(|a| a.keys.iter().zip(&a.columns))
            .find(|(k, _)| *k == key)
            .map(|(_, c)| c.clone())
            .unwrap_or_default()
    }
}

fn metric(name: &str, f: &MetricFn, run: &Run, error: &mut Option<String>) -> Option<f64> {
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(run)));
    let e = match out {
        Ok(Ok(v)) if v.is_finite() => return Some(v),
        Ok(Ok(v)) => Error::Invalid(format!("metric `{name}` is {v}")),
        Ok(Err(e)) => e,
        Err(p) => Error::Invalid(format!("metric `{name}` panicked: {}", panic_message(&p))),
    };
    if error.is_none() {
        let text = e.to_string();
        *error = Some(if text.contains(name) {
            text
        } else {
            format!("metric `{name}`: {text}")
        });
    }
    None
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// How a key's values are stored: integers, floats and booleans as such,
/// anything else as compact JSON text (strings without quotes).
fn value_column(key: &str, all: &[Value], vals: Vec<Value>) -> Column {
    if all.iter().all(|v| v.is_i64() || v.is_u64()) {
        Column::new(
            key.into(),
            vals.iter().map(|v| v.as_i64()).collect::<Vec<_>>(),
        )
    } else if all.iter().all(Value::is_number) {
        Column::new(
            key.into(),
            vals.iter().map(|v| v.as_f64()).collect::<Vec<_>>(),
        )
    } else if all.iter().all(Value::is_boolean) {
        Column::new(
            key.into(),
            vals.iter().map(|v| v.as_bool()).collect::<Vec<_>>(),
        )
    } else {
        Column::new(
            key.into(),
            vals.iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>(),
        )
    }
}
