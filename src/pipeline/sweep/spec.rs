use super::grid::{Axis, Grid};
use super::metrics::Metric;
use crate::error::{Error, ParamError, Result};
use crate::models::{Cann1dParams, Cann2dParams, CannOptions, FeatureMap};
use crate::params::Params;
use crate::pipeline::replay::{run_replay, ReplayRun};
use crate::pipeline::{simulate_with, SimOptions, Simulation};
use crate::tasks::{PopulationCodingParams, ReplayParams, SmoothTrackingParams};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The network of a sweep, with its base parameters (in a spec file:
/// `{"cann1d": {...params}}`).
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::pipeline::sweep::ModelSpec;
/// // Base parameters convert into a spec; a spec file names the model.
/// let m: ModelSpec = Cann2d::params().length(16).into();
/// assert_eq!(m.name(), "cann2d");
/// let from_file: ModelSpec = serde_json::from_str(r#"{"cann1d": {"num": 128}}"#).unwrap();
/// assert!(matches!(from_file, ModelSpec::Cann1d(ref p) if p.num == 128));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ModelSpec {
    /// [`crate::models::Cann1d`], the ring.
    Cann1d(Cann1dParams),
    /// [`crate::models::Cann2d`], the torus.
    Cann2d(Cann2dParams),
}

impl Default for ModelSpec {
    fn default() -> Self {
        ModelSpec::Cann1d(Cann1dParams::default())
    }
}

impl From<Cann1dParams> for ModelSpec {
    fn from(p: Cann1dParams) -> Self {
        ModelSpec::Cann1d(p)
    }
}

impl From<Cann2dParams> for ModelSpec {
    fn from(p: Cann2dParams) -> Self {
        ModelSpec::Cann2d(p)
    }
}

/// The task or protocol of a sweep, with its base parameters (in a spec
/// file: `{"smooth_tracking": {...params}}`).
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::pipeline::sweep::{SweepSpec, TaskSpec};
/// let t: TaskSpec = Replay::params().cue_duration(20.0).into();
/// assert_eq!(t.name(), "replay");
/// // The task's dimension must be the model's: a 2-D cue on a ring is refused.
/// let spec = SweepSpec::new(Cann1d::params(), Replay::params().cue_pos(vec![0.0, 0.0]));
/// let err = spec.check().unwrap_err().to_string();
/// assert!(err.contains("dimension"), "{err}");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TaskSpec {
    /// [`crate::tasks::SmoothTracking`]: a moving stimulus.
    SmoothTracking(SmoothTrackingParams),
    /// [`crate::tasks::PopulationCoding`]: a fixed stimulus, on then off.
    PopulationCoding(PopulationCodingParams),
    /// [`crate::tasks::Replay`]: a cue, then the network on its own.
    Replay(ReplayParams),
}

impl Default for TaskSpec {
    fn default() -> Self {
        TaskSpec::SmoothTracking(SmoothTrackingParams::default())
    }
}

impl From<SmoothTrackingParams> for TaskSpec {
    fn from(p: SmoothTrackingParams) -> Self {
        TaskSpec::SmoothTracking(p)
    }
}

impl From<PopulationCodingParams> for TaskSpec {
    fn from(p: PopulationCodingParams) -> Self {
        TaskSpec::PopulationCoding(p)
    }
}

impl From<ReplayParams> for TaskSpec {
    fn from(p: ReplayParams) -> Self {
        TaskSpec::Replay(p)
    }
}

/// The sweep spec: what a spec file holds (model, options, task, grid,
/// seeds, metrics) and how one run is set up from it.
///
/// ## Examples
/// A spec file (JSON):
/// ```
/// use canns::pipeline::sweep::SweepSpec;
/// let spec = SweepSpec::from_json(r#"{
///     "model": {"cann1d": {"num": 128}},
///     "task": {"smooth_tracking": {"keypoints": [[-1], [1]], "durations": [40]}},
///     "grid": [{"key": "m", "values": [0.0, 0.05]}, {"key": "task.dt", "linspace": [0.05, 0.1, 2]}],
///     "seeds": [0, 1],
///     "metrics": ["lag", "width"],
///     "warmup": 10
/// }"#)?;
/// assert_eq!(spec.grid()?.n_runs(), 8);
/// // Unknown fields name the key.
/// let bad = spec.clone().with_axis(canns::pipeline::sweep::Axis::values("tua", [1.0]));
/// assert!(bad.check().unwrap_err().to_string().contains("tua"));
/// # Ok::<(), canns::Error>(())
/// ```
///
/// Everything that defines a sweep's runs: a spec file holds this as JSON
/// (missing fields take their defaults).
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::pipeline::sweep::{Axis, SweepSpec};
/// let task = SmoothTracking::params().keypoints(vec![vec![-1.0], vec![1.0]]).durations(vec![10.0]);
/// let mut spec = SweepSpec::new(Cann1d::params().num(64), task)
///     .with_axis(Axis::values("m", [0.0, 0.05]))
///     .with_axis(Axis::values("task.dt", [0.05, 0.1]));
/// spec.seeds = vec![0, 1, 2];
/// spec.check()?;
/// assert_eq!(spec.grid()?.n_runs(), 12);
/// // A bare key is looked up in the model, then the options, then the task.
/// spec.set("tau", 2.0.into())?;
/// assert!(matches!(spec.model, canns::pipeline::sweep::ModelSpec::Cann1d(ref p) if p.tau == 2.0));
/// // The spec file round trip keeps everything.
/// assert_eq!(SweepSpec::from_json(&spec.to_json())?, spec);
/// // Seeds are replicates, not a grid axis.
/// let err = spec.clone().with_axis(Axis::values("seed", [1, 2])).check().unwrap_err();
/// assert!(err.to_string().contains("seeds"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SweepSpec {
    /// The network and its base parameters. Default: `Cann1d` defaults.
    pub model: ModelSpec,
    /// Options of the network's dynamics (rectification, adaptation drive
    /// and noise). Default: [`CannOptions::default`].
    pub options: CannOptions,
    /// The task and its base parameters. Default: `SmoothTracking` defaults.
    pub task: TaskSpec,
    /// The axes, first varying slowest. Default: none (one grid point).
    pub grid: Vec<Axis>,
    /// Replicate seeds: each grid point runs once per seed, which seeds
    /// the network's noise and the task's (when it has one). Default `[0]`.
    pub seeds: Vec<u64>,
    /// Metrics computed per run, by name (see [`Metric`]). Default
    /// `["lag", "height", "width", "speed"]`.
    pub metrics: Vec<String>,
    /// Time skipped before the metrics (time unit; for replay, counted from
    /// the end of the cue). Default 0.
    pub warmup: f64,
}

impl Default for SweepSpec {
    fn default() -> Self {
        Self {
            model: ModelSpec::default(),
            options: CannOptions::default(),
            task: TaskSpec::default(),
            grid: Vec::new(),
            seeds: vec![0],
            metrics: ["lag", "height", "width", "speed"]
                .map(String::from)
                .to_vec(),
            warmup: 0.0,
        }
    }
}

impl SweepSpec {
    /// A spec of `model` on `task`, with the defaults of the other fields.
    pub fn new(model: impl Into<ModelSpec>, task: impl Into<TaskSpec>) -> Self {
        Self {
            model: model.into(),
            task: task.into(),
            ..Self::default()
        }
    }

    /// Adds an axis (builder form).
    pub fn with_axis(mut self, axis: Axis) -> Self {
        self.grid.push(axis);
        self
    }

    /// Parses and checks a spec.
    ///
    /// # Errors
    /// [`Error::Invalid`] with serde's message for malformed JSON or unknown
    /// keys; as [`SweepSpec::check`].
    pub fn from_json(text: &str) -> Result<Self> {
        let s: Self =
            serde_json::from_str(text).map_err(|e| Error::Invalid(format!("sweep spec: {e}")))?;
        s.check()?;
        Ok(s)
    }

    /// Reads and parses a spec file.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be read; as [`SweepSpec::from_json`],
    /// naming the file.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_json(&text).map_err(|e| Error::data(path.display().to_string(), e.to_string()))
    }

    /// The spec as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("specs always serialise")
    }

    /// The resolved grid.
    ///
    /// # Errors
    /// As [`Grid::new`].
    pub fn grid(&self) -> Result<Grid> {
        Grid::new(&self.grid, &self.seeds)
    }

    /// Checks the spec without running it: the base parameters are valid,
    /// the grid resolves, every key names a field and every value has the
    /// field's type, every metric is known, the model fits the task.
    ///
    /// # Errors
    /// [`Error::Param`] or [`Error::Invalid`] naming the key and the value.
    pub fn check(&self) -> Result<()> {
        crate::params::check::non_negative("warmup", self.warmup)?;
        let grid = self.grid()?;
        for m in &self.metrics {
            Metric::from_name(m)?;
        }
        let mut names = std::collections::HashSet::new();
        for m in &self.metrics {
            if !names.insert(m) {
                return Err(ParamError::new("metrics", "without repeats", m).into());
            }
        }
        for key in grid.keys() {
            if key == "seed" || key.ends_with(".seed") {
                return Err(ParamError::new(
                    format!("grid `{key}`"),
                    "left to `seeds` (seeds are the replicates)",
                    "a grid axis",
                )
                .into());
            }
        }
        for axis in &grid.axes {
            for (key, col) in axis.keys.iter().zip(&axis.columns) {
                for v in col {
                    let mut s = self.clone();
                    s.set(key, v.clone())?;
                }
            }
        }
        self.model.validate()?;
        self.options.validate()?;
        self.task.validate()?;
        let dim = match self.model {
            ModelSpec::Cann1d(_) => 1,
            ModelSpec::Cann2d(_) => 2,
        };
        if self.task.dim() != dim {
            return Err(Error::shape(
                "the sweep's task position (dimension of the model's feature space)",
                dim,
                self.task.dim(),
            ));
        }
        Ok(())
    }

    /// Sets `key` (`"m"`, `"model.m"`, `"options.noise_v"`, `"task.dt"`) to
    /// `value`. A bare key is looked up in the model's parameters, then the
    /// options, then the task's.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the key when no part of the spec has it, or
    /// the value when the field cannot take it.
    pub fn set(&mut self, key: &str, value: Value) -> Result<()> {
        let (owner, field) = match key.split_once('.') {
            Some((o @ ("model" | "options" | "task"), rest)) => (Some(o), rest),
            _ => (None, key),
        };
        let owner = match owner {
            Some(o) => o,
            None if self.model.has(field) => "model",
            None if has_key(&self.options, field) => "options",
            None if self.task.has(field) => "task",
            None => {
                return Err(Error::Invalid(format!(
                    "sweep grid: unknown parameter `{key}` (model keys: {}; options: {}; task keys: {})",
                    self.model.keys().join(", "),
                    self.options.current_keys().join(", "),
                    self.task.keys().join(", ")
                )))
            }
        };
        match owner {
            "model" => self.model.set(field, value),
            "options" => self.options.set(field, value),
            _ => self.task.set(field, value),
        }
    }

    /// Sets the replicate seed: the network's noise seed, and the task's
    /// seed when it has one.
    pub(crate) fn set_seed(&mut self, seed: u64) {
        self.model
            .set("seed", seed.into())
            .expect("every model has a seed");
        if self.task.has("seed") {
            self.task
                .set("seed", seed.into())
                .expect("the task has a seed");
        }
    }

    /// Builds and runs the spec as it stands, keeping what the metrics need
    /// (decoded centres, target, bump height and width) and no state.
    ///
    /// # Errors
    /// [`Error::Param`] for invalid parameters; the run's errors.
    pub(crate) fn execute(&self) -> Result<super::Run> {
        let mut net: Box<dyn FeatureMap> = match &self.model {
            ModelSpec::Cann1d(p) => Box::new(p.build_with(&self.options)?) as Box<dyn FeatureMap>,
            ModelSpec::Cann2d(p) => Box::new(p.build_with(&self.options)?),
        };
        let quiet = SimOptions::default()
            .record_states(false)
            .progress(crate::pipeline::progress::ShowProgress::Never);
        let (output, from_time) = match &self.task {
            TaskSpec::SmoothTracking(p) => (
                Output::Simulation(Box::new(simulate_with(&mut *net, &mut p.build()?, &quiet)?)),
                self.warmup,
            ),
            TaskSpec::PopulationCoding(p) => (
                Output::Simulation(Box::new(simulate_with(&mut *net, &mut p.build()?, &quiet)?)),
                self.warmup,
            ),
            TaskSpec::Replay(p) => {
                let mut task = p.build()?;
                let run = run_replay(&mut *net, &mut task, 0)?;
                let cue = run.n_cue as f64 * run.dt;
                (Output::Replay(run), cue + self.warmup)
            }
        };
        let dt = output.dt();
        Ok(super::Run {
            from: (from_time / dt).round() as usize,
            output,
        })
    }

    /// Bytes one run holds while it runs (per-step summaries and the
    /// network), for the memory check of a sweep.
    pub(crate) fn run_bytes(&self) -> u64 {
        let (steps, dim) = match &self.task {
            TaskSpec::SmoothTracking(p) => (
                (p.durations.iter().sum::<f64>() / p.dt).ceil(),
                p.keypoints.first().map_or(1, Vec::len),
            ),
            TaskSpec::PopulationCoding(p) => {
                ((p.before + p.duration + p.after) / p.dt, p.position.len())
            }
            TaskSpec::Replay(p) => ((p.cue_duration + p.free_duration) / p.dt, p.cue_pos.len()),
        };
        let n = match &self.model {
            ModelSpec::Cann1d(p) => p.num as u64,
            ModelSpec::Cann2d(p) => (p.length as u64).saturating_pow(2),
        };
        let steps = if steps.is_finite() {
            steps.max(0.0) as u64
        } else {
            u64::MAX
        };
        steps
            .saturating_mul(16 * dim as u64 + 25)
            .saturating_add(n.saturating_mul(crate::models::BYTES_PER_NEURON))
    }
}

/// What a run left for its metrics.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::pipeline::{ji_1d, run_replay};
/// use canns::pipeline::sweep::{Metric, Output, Run};
/// // A replay run keeps the decoded path only: metrics that need a target fail.
/// let mut task = Replay::params().cue_duration(10.0).free_duration(10.0).build()?;
/// let out = Output::Replay(run_replay(&mut ji_1d(0.0, 0)?, &mut task, 0)?);
/// assert_eq!(out.dt(), 0.1);
/// let run = Run { from: 100, output: out };
/// assert!(run.target().is_none());
/// let err = Metric::Lag.compute(&run).unwrap_err().to_string();
/// assert!(err.contains("needs a target"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone)]
pub enum Output {
    /// A tracking or population-coding run (no states recorded).
    Simulation(Box<Simulation>),
    /// A replay run (no raster recorded).
    Replay(ReplayRun),
}

impl Output {
    /// Time step of the run.
    pub fn dt(&self) -> f64 {
        match self {
            Output::Simulation(s) => s.dt,
            Output::Replay(r) => r.dt,
        }
    }
}

fn has_key<P: Params>(p: &P, key: &str) -> bool {
    let tree = serde_json::to_value(p).expect("parameter structs always serialise");
    key.split('.')
        .try_fold(&tree, |node, part| node.as_object()?.get(part))
        .is_some()
}

impl ModelSpec {
    fn has(&self, key: &str) -> bool {
        match self {
            ModelSpec::Cann1d(p) => has_key(p, key),
            ModelSpec::Cann2d(p) => has_key(p, key),
        }
    }
    fn keys(&self) -> Vec<String> {
        match self {
            ModelSpec::Cann1d(p) => p.current_keys(),
            ModelSpec::Cann2d(p) => p.current_keys(),
        }
    }
    fn set(&mut self, key: &str, value: Value) -> Result<()> {
        match self {
            ModelSpec::Cann1d(p) => p.set(key, value),
            ModelSpec::Cann2d(p) => p.set(key, value),
        }
    }
    fn validate(&self) -> Result<()> {
        match self {
            ModelSpec::Cann1d(p) => p.validate(),
            ModelSpec::Cann2d(p) => p.validate(),
        }
    }
    /// Short name, as in a spec file.
    pub fn name(&self) -> &'static str {
        match self {
            ModelSpec::Cann1d(_) => "cann1d",
            ModelSpec::Cann2d(_) => "cann2d",
        }
    }
}

impl TaskSpec {
    fn has(&self, key: &str) -> bool {
        match self {
            TaskSpec::SmoothTracking(p) => has_key(p, key),
            TaskSpec::PopulationCoding(p) => has_key(p, key),
            TaskSpec::Replay(p) => has_key(p, key),
        }
    }
    fn keys(&self) -> Vec<String> {
        match self {
            TaskSpec::SmoothTracking(p) => p.current_keys(),
            TaskSpec::PopulationCoding(p) => p.current_keys(),
            TaskSpec::Replay(p) => p.current_keys(),
        }
    }
    fn set(&mut self, key: &str, value: Value) -> Result<()> {
        match self {
            TaskSpec::SmoothTracking(p) => p.set(key, value),
            TaskSpec::PopulationCoding(p) => p.set(key, value),
            TaskSpec::Replay(p) => p.set(key, value),
        }
    }
    fn validate(&self) -> Result<()> {
        match self {
            TaskSpec::SmoothTracking(p) => p.validate(),
            TaskSpec::PopulationCoding(p) => p.validate(),
            TaskSpec::Replay(p) => p.validate(),
        }
    }
    fn dim(&self) -> usize {
        match self {
            TaskSpec::SmoothTracking(p) => p.keypoints.first().map_or(0, Vec::len),
            TaskSpec::PopulationCoding(p) => p.position.len(),
            TaskSpec::Replay(p) => p.cue_pos.len(),
        }
    }
    /// Short name, as in a spec file.
    pub fn name(&self) -> &'static str {
        match self {
            TaskSpec::SmoothTracking(_) => "smooth_tracking",
            TaskSpec::PopulationCoding(_) => "population_coding",
            TaskSpec::Replay(_) => "replay",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_route_to_model_options_and_task() {
        let mut s = SweepSpec::new(Cann1dParams::default(), ReplayParams::default());
        s.set("m", 0.1.into()).unwrap();
        s.set("options.noise_v", 0.2.into()).unwrap();
        s.set("free_duration", 30.0.into()).unwrap();
        s.set("task.dt", 0.05.into()).unwrap();
        let ModelSpec::Cann1d(p) = &s.model else {
            panic!("the ring")
        };
        assert_eq!(p.m, 0.1);
        assert_eq!(s.options.noise_v, 0.2);
        let TaskSpec::Replay(t) = &s.task else {
            panic!("replay")
        };
        assert_eq!((t.free_duration, t.dt), (30.0, 0.05));
        let e = s.set("model.dt", 1.0.into()).unwrap_err().to_string();
        assert!(e.contains("dt"), "{e}");
        let e = s.set("tau", "slow".into()).unwrap_err().to_string();
        assert!(e.contains("tau") && e.contains("slow"), "{e}");
    }

    #[test]
    fn spec_json_round_trips() {
        let s = SweepSpec::new(Cann2dParams::default().length(16), ReplayParams::ji_2d())
            .with_axis(Axis::values("m", [0.0, 0.01]));
        assert_eq!(SweepSpec::from_json(&s.to_json()).unwrap(), s);
        let e = SweepSpec::from_json(r#"{"modle": {}}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("modle"), "{e}");
        let e = SweepSpec::from_json(r#"{"metrics": ["lagg"]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("lagg"), "{e}");
    }
}
