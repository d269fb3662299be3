//! Parameter sweeps: a model on a task over a grid of parameter values and
//! replicate seeds, with named metrics per run, in parallel on every core;
//! on disk as a resumable Parquet dataset partitioned by shard; on a Slurm
//! cluster as a job array.
//!
//! - [`Grid`]: axes (`values`, `linspace`, `logspace`, `zip`), seeds, the
//!   numbering of runs, shards;
//! - [`SweepSpec`]: the spec (model, options, task, grid, seeds, metrics) and
//!   how one run is set up (any parameter field by name, via
//!   [`crate::params::Params::set`]);
//! - [`Metric`]: the built-in metrics and the [`Run`] a custom one sees;
//! - [`Plan`]: parallel execution, one row per run, errors as rows;
//! - [`Dataset`]: the Parquet dataset, resume, status and collect;
//! - [`SlurmJob`]: the job-array script and its submission;
//! - [`plot_lines`], [`plot_heatmap`]: phase diagrams and metric-against-parameter lines.
//!
//! # Examples
//! ```
//! use canns::prelude::*;
//! use canns::pipeline::sweep::{Axis, Sweep};
//! let task = SmoothTracking::params().keypoints(vec![vec![-1.0], vec![1.0]]).durations(vec![60.0]);
//! let result = Sweep::new(Cann1d::params().num(64), task)
//!     .over(Axis::values("m", [0.0, 0.1]))
//!     .over(Axis::linspace("tau_v", 20.0, 50.0, 2))
//!     .replicates(2)
//!     .metrics(["lag", "speed"])
//!     .metric("final_height", |run| Ok(*run.height().and_then(|h| h.last()).unwrap_or(&0.0)))
//!     .warmup(20.0)
//!     .run()?;
//! let df = result.dataframe();
//! assert_eq!(df.height(), 8); // 2 x 2 points, 2 seeds
//! assert_eq!(result.n_failed(), 0);
//! // Adaptation makes the bump anticipate the stimulus.
//! let lag = result.column("lag")?;
//! assert!(lag[0] > 0.0 && lag[4] < lag[0]);
//! let fig = result.plot_lines("m", "lag", Some("tau_v"))?;
//! assert!(fig.plot().to_json().contains("tau_v = 20"));
//! # Ok::<(), canns::Error>(())
//! ```

pub(crate) mod engine;
pub(crate) mod grid;
pub(crate) mod metrics;
pub(crate) mod plots;
pub(crate) mod slurm;
pub(crate) mod spec;
pub(crate) mod storage;

pub use engine::{Plan, Record, ERROR, RUN, SEED, WALL_TIME};
pub use grid::{Axis, Grid, ResolvedAxis, Shard};
pub use metrics::{Metric, MetricFn, Run};
pub use plots::{plot_heatmap, plot_lines};
pub use slurm::SlurmJob;
pub use spec::{ModelSpec, Output, SweepSpec, TaskSpec};
pub use storage::{digest, Dataset, ShardReport, Status, MERGED_FILE, SPEC_FILE};

use crate::display::{self, Bundle, Figure, KeyValues, Render, Table};
use crate::error::Result;
use crate::models::CannOptions;
use crate::pipeline::progress::ShowProgress;
use polars::prelude::*;
use std::sync::Arc;
use std::time::Instant;

/// A sweep: a [`SweepSpec`] and, for notebooks, metrics given as closures.
///
/// Errors in the spec (an unknown key, a value of the wrong type, an empty
/// axis, a bad range, an unknown metric) surface when it runs, naming the
/// key and the value.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::pipeline::sweep::{Axis, Sweep};
/// let task = PopulationCoding::params().position(vec![0.5]).before(1.0).duration(5.0).after(4.0);
/// let sweep = Sweep::new(Cann1d::params().num(64), task)
///     .over(Axis::values("k", [0.5, 2.0]))
///     .replicates(2)
///     .metrics(["height"]);
/// assert_eq!(format!("{sweep:?}"), "Sweep(cann1d on population_coding, 4 runs, metrics [\"height\"])");
/// let result = sweep.run()?;
/// // Stronger global inhibition k gives lower bumps.
/// let h = result.column("height")?;
/// assert!(h[2] < h[0] && h[3] < h[1], "{h:?}");
/// // A misspelt key fails before anything runs, naming the key.
/// let err = sweep.clone().over(Axis::values("kk", [1.0])).run().unwrap_err();
/// assert!(err.to_string().contains("`kk`"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct Sweep {
    spec: SweepSpec,
    custom: Vec<(String, MetricFn)>,
    progress: ShowProgress,
    chunk: usize,
}

impl std::fmt::Debug for Sweep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let runs = self
            .spec
            .grid()
            .map_or("?".to_string(), |g| g.n_runs().to_string());
        write!(
            f,
            "Sweep({} on {}, {runs} runs, metrics {:?}{})",
            self.spec.model.name(),
            self.spec.task.name(),
            self.spec.metrics,
            if self.custom.is_empty() {
                String::new()
            } else {
                format!(" + {} custom", self.custom.len())
            }
        )
    }
}

impl Sweep {
    /// `model` (its base parameters) on `task`, with the defaults of
    /// [`SweepSpec`].
    pub fn new(model: impl Into<ModelSpec>, task: impl Into<TaskSpec>) -> Self {
        Self::from_spec(SweepSpec::new(model, task))
    }

    /// A sweep from a spec (e.g. read with [`SweepSpec::from_file`]).
    pub fn from_spec(spec: SweepSpec) -> Self {
        Self {
            spec,
            custom: Vec::new(),
            progress: ShowProgress::Auto,
            chunk: 256,
        }
    }

    /// Adds an axis.
    pub fn over(mut self, axis: Axis) -> Self {
        self.spec.grid.push(axis);
        self
    }

    /// Sets the replicate seeds.
    pub fn seeds(mut self, seeds: impl IntoIterator<Item = u64>) -> Self {
        self.spec.seeds = seeds.into_iter().collect();
        self
    }

    /// Seeds `0..n` as replicates.
    pub fn replicates(self, n: u64) -> Self {
        self.seeds(0..n)
    }

    /// Sets the built-in metrics, by name (see [`Metric`]).
    pub fn metrics<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.spec.metrics = names.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a metric computed by `f` on each run (after the built-in ones).
    pub fn metric(
        mut self,
        name: &str,
        f: impl Fn(&Run) -> Result<f64> + Send + Sync + 'static,
    ) -> Self {
        self.custom.push((name.to_string(), Arc::new(f)));
        self
    }

    /// Sets the network's options.
    pub fn options(mut self, options: CannOptions) -> Self {
        self.spec.options = options;
        self
    }

    /// Sets the warmup (time unit) the metrics skip.
    pub fn warmup(mut self, warmup: f64) -> Self {
        self.spec.warmup = warmup;
        self
    }

    /// Sets when progress shows.
    pub fn progress(mut self, progress: ShowProgress) -> Self {
        self.progress = progress;
        self
    }

    /// The spec (to save as a spec file: [`SweepSpec::to_json`]).
    pub fn spec(&self) -> &SweepSpec {
        &self.spec
    }

    /// The checked plan.
    ///
    /// # Errors
    /// As [`Plan::new`].
    pub fn plan(&self) -> Result<Plan> {
        Plan::new(&self.spec, &self.custom)
    }

    /// Runs every run in memory, in parallel; failed runs are rows with
    /// their error.
    ///
    /// # Errors
    /// As [`Plan::new`] (the spec is invalid); never for a failing run.
    pub fn run(&self) -> Result<SweepResult> {
        let plan = self.plan()?;
        let start = Instant::now();
        let runs: Vec<usize> = (0..plan.n_runs()).collect();
        let mut records = Vec::with_capacity(runs.len());
        plan.execute(&runs, self.chunk, self.progress, |r| {
            records.extend(r);
            Ok(())
        })?;
        Ok(SweepResult {
            df: plan.to_dataframe(&records)?,
            keys: plan.grid.keys(),
            metrics: plan.metrics.iter().map(|m| m.0.clone()).collect(),
            elapsed: start.elapsed().as_secs_f64(),
            spec: plan.spec,
        })
    }

    /// Runs `shard` into the dataset in `dir` (skipping runs already
    /// there), `limit` runs at most, then returns what the directory holds
    /// (merged, one row per run, sorted).
    ///
    /// # Errors
    /// As [`Plan::new`], [`Dataset::open`] and [`Dataset::run_shard`].
    pub fn run_into(
        &self,
        dir: impl AsRef<std::path::Path>,
        shard: Shard,
        limit: Option<usize>,
    ) -> Result<SweepResult> {
        let plan = self.plan()?;
        let start = Instant::now();
        let data = Dataset::open(dir, &plan)?;
        data.run_shard(&plan, shard, self.chunk, limit, self.progress)?;
        let (df, _) = data.collect(&plan)?;
        Ok(SweepResult {
            df,
            keys: plan.grid.keys(),
            metrics: plan.metrics.iter().map(|m| m.0.clone()).collect(),
            elapsed: start.elapsed().as_secs_f64(),
            spec: plan.spec,
        })
    }

    /// Sets the runs written per part file by [`Sweep::run_into`] (and the
    /// runs between progress hand-offs). Default 256.
    pub fn chunk(mut self, chunk: usize) -> Self {
        self.chunk = chunk.max(1);
        self
    }
}

/// The rows of a sweep: one per run (`run`, one column per key, `seed`,
/// the metrics, `wall_time` in s, `error`), with plots.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::pipeline::sweep::{Axis, Sweep};
/// let task = PopulationCoding::params().position(vec![0.5]).before(1.0).duration(5.0).after(4.0);
/// let result = Sweep::new(Cann1d::params().num(64), task)
///     .over(Axis::values("k", [0.5, 1.0, 2.0]))
///     .metrics(["height", "width"])
///     .run()?;
/// assert_eq!((result.n_runs(), result.n_failed()), (3, 0));
/// let columns: Vec<String> = result.dataframe().get_column_names().iter().map(|c| c.to_string()).collect();
/// assert_eq!(columns, ["run", "k", "seed", "height", "width", "wall_time", "error"]);
/// assert_eq!(result.column("k")?, vec![0.5, 1.0, 2.0]);
/// // A metric against the one varied key: a line plot.
/// assert!(result.plot().is_some());
/// assert!(result.column("lag").unwrap_err().to_string().contains("`lag`"));
/// assert!(result.to_string().starts_with("SweepResult(3 runs, 0 failed"), "{result}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SweepResult {
    /// The spec that was run.
    pub spec: SweepSpec,
    df: DataFrame,
    keys: Vec<String>,
    metrics: Vec<String>,
    elapsed: f64,
}

impl SweepResult {
    /// A result from a frame read back from disk (`sweep.parquet`).
    ///
    /// # Errors
    /// As [`SweepSpec::grid`].
    pub fn from_dataframe(spec: SweepSpec, df: DataFrame) -> Result<Self> {
        let keys = spec.grid()?.keys();
        let reserved = [engine::RUN, engine::SEED, engine::WALL_TIME, engine::ERROR];
        let metrics = df
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .filter(|c| !keys.contains(c) && !reserved.contains(&c.as_str()))
            .collect();
        let elapsed = df
            .column(engine::WALL_TIME)
            .ok()
            .and_then(|c| c.as_materialized_series().sum::<f64>().ok())
            .unwrap_or(0.0);
        Ok(Self {
            spec,
            df,
            keys,
            metrics,
            elapsed,
        })
    }

    /// The rows.
    pub fn dataframe(&self) -> &DataFrame {
        &self.df
    }

    /// Number of runs.
    pub fn n_runs(&self) -> usize {
        self.df.height()
    }

    /// Runs that failed (non-null `error`).
    pub fn n_failed(&self) -> usize {
        self.df
            .column(engine::ERROR)
            .map_or(0, |c| c.is_not_null().sum().unwrap_or(0) as usize)
    }

    /// Wall-clock time of the sweep (s).
    pub fn elapsed(&self) -> f64 {
        self.elapsed
    }

    /// A numeric column as `f64`, in run order (NaN where null).
    ///
    /// # Errors
    /// [`crate::Error::Invalid`] naming a missing or non-numeric column.
    pub fn column(&self, name: &str) -> Result<Vec<f64>> {
        let col = self.df.column(name).map_err(|_| {
            crate::Error::Invalid(format!(
                "the sweep has no column `{name}` (keys {:?}, metrics {:?})",
                self.keys, self.metrics
            ))
        })?;
        let col = col
            .cast(&DataType::Float64)
            .map_err(|_| crate::Error::Invalid(format!("sweep column `{name}` is not numeric")))?;
        Ok(col.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
    }

    /// See [`plot_lines`].
    ///
    /// # Errors
    /// As [`plot_lines`].
    pub fn plot_lines(&self, x: &str, metric: &str, by: Option<&str>) -> Result<Figure> {
        plots::plot_lines(&self.df, x, metric, by)
    }

    /// See [`plot_heatmap`].
    ///
    /// # Errors
    /// As [`plot_heatmap`].
    pub fn plot_heatmap(&self, x: &str, y: &str, metric: &str) -> Result<Figure> {
        plots::plot_heatmap(&self.df, x, y, metric)
    }

    /// The default figure: a phase diagram of the first metric over the
    /// first two numeric keys with several values, or lines against the
    /// first one; `None` without such a key or metric.
    pub fn plot(&self) -> Option<Figure> {
        let metric = self.metrics.first()?;
        let varied: Vec<&String> = self
            .keys
            .iter()
            .filter(|k| {
                self.column(k)
                    .is_ok_and(|v| v.iter().any(|x| x.is_finite() && (*x - v[0]).abs() > 0.0))
            })
            .collect();
        match varied.as_slice() {
            [] => None,
            [x] => self.plot_lines(x, metric, None).ok(),
            [x, y, ..] => self.plot_heatmap(x, y, metric).ok(),
        }
    }
}

impl std::fmt::Display for SweepResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SweepResult({} runs, {} failed, keys {:?}, metrics {:?}, {:.2} s)",
            self.n_runs(),
            self.n_failed(),
            self.keys,
            self.metrics,
            self.elapsed
        )
    }
}

impl Render for SweepResult {
    fn bundle(&self) -> Bundle {
        let kv = KeyValues::new("Sweep")
            .row(
                "model / task",
                format!("{} / {}", self.spec.model.name(), self.spec.task.name()),
                "",
            )
            .row("runs", self.n_runs(), "grid points x seeds")
            .row("failed", self.n_failed(), "rows with an error")
            .row("keys", self.keys.join(", "), "swept parameters")
            .row("metrics", self.metrics.join(", "), "per run")
            .row(
                "wall time",
                format!("{:.2}", self.elapsed),
                "s (runs/s: n / wall time)",
            )
            .to_html();
        let html = kv + &Table::from_dataframe("runs", &self.df).to_html();
        match self.plot() {
            Some(fig) => Bundle::figure(fig.plot(), &html, self.to_string()),
            None => Bundle::html(html, self.to_string()),
        }
    }
}

display::evcxr_display_via_render!(SweepResult);
