use super::tracking::plot_targets;
use super::{check_fit, check_position, steps_of, Task};
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::Result;
use crate::models::FeatureMap;
use crate::params::check;
use crate::params::setters;
use crate::params::Params;
use serde::{Deserialize, Serialize};

/// Parameters of [`PopulationCoding`].
///
/// # Example
/// ```
/// use canns::prelude::*;
/// let task = PopulationCoding::params().position(vec![0.5, -0.5]).before(2.0).duration(5.0).after(3.0).dt(0.5).build()?;
/// assert_eq!((task.dim(), task.n_steps(), task.on_steps()), (2, 20, 4..14));
/// // The stimulus must be shown for some time.
/// let err = PopulationCoding::params().duration(0.0).build().unwrap_err();
/// assert!(err.to_string().contains("duration"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PopulationCodingParams {
    /// Stimulus position (radians), of dimension 1 or 2. Default `[0]`.
    pub position: Vec<f64>,
    /// Time without input before the stimulus (time unit). Default 10.
    pub before: f64,
    /// Stimulus duration (time unit). Default 20.
    pub duration: f64,
    /// Time without input after the stimulus (time unit). Default 100.
    pub after: f64,
    /// Time step (time unit). Default 0.1.
    pub dt: f64,
}

impl Default for PopulationCodingParams {
    fn default() -> Self {
        Self {
            position: vec![0.0],
            before: 10.0,
            duration: 20.0,
            after: 100.0,
            dt: 0.1,
        }
    }
}

impl PopulationCodingParams {
    setters! {
        /// Sets `position`.
        position: Vec<f64>,
        /// Sets `before`.
        before: f64,
        /// Sets `duration`.
        duration: f64,
        /// Sets `after`.
        after: f64,
        /// Sets `dt`.
        dt: f64,
    }

    /// Validates and builds the task.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) naming the invalid field and value.
    pub fn build(&self) -> Result<PopulationCoding> {
        self.validate()?;
        let total = self.before + self.duration + self.after;
        let n_steps = (total / self.dt).ceil() as usize;
        let on = steps_of(self.before, self.dt)..steps_of(total - self.after, self.dt);
        Ok(PopulationCoding {
            params: self.clone(),
            n_steps,
            on,
            cache: Vec::new(),
        })
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("PopulationCodingParams")
            .row(
                "position",
                format!("{:?}", self.position),
                "stimulus position (rad)",
            )
            .row("before", self.before, "no input before (time unit)")
            .row("duration", self.duration, "stimulus on (time unit)")
            .row("after", self.after, "no input after (time unit)")
            .row("dt", self.dt, "time step")
    }
}

impl Params for PopulationCodingParams {
    const NAME: &'static str = "PopulationCodingParams";

    fn validate(&self) -> Result<()> {
        check::positive("dt", self.dt)?;
        check_position(&self.position)?;
        check::non_negative("before", self.before)?;
        check::positive("duration", self.duration)?;
        check::non_negative("after", self.after)?;
        Ok(())
    }
}

/// Population coding: a stimulus shown for a while, then removed.
///
/// No input for `before`, a stimulus at `position` for `duration`, then no
/// input for `after` (time units). A CANN keeps a bump at the stimulated
/// position after the stimulus is gone: the network's memory. The protocol
/// follows the Python `canns` package's `PopulationCoding1D/2D`: the stimulus
/// is on for steps `int(before/dt) .. int((total - after)/dt)`.
///
/// ## Examples
/// ```
/// use canns::prelude::*;
/// let task = PopulationCoding::params().position(vec![1.0]).before(1.0).duration(2.0).after(3.0).build()?;
/// assert_eq!(task.n_steps(), 60);
/// assert!(!task.stimulus_on(9) && task.stimulus_on(10) && task.stimulus_on(29) && !task.stimulus_on(30));
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // A stimulus at 1 rad for 10 time units, then 10 without input.
/// let mut task = PopulationCoding::params().position(vec![1.0]).before(1.0).duration(10.0).after(10.0).build()?;
/// let mut net = Cann1d::params().num(64).build()?;
/// let sim = simulate(&mut net, &mut task)?;
/// let last = sim.t.len() - 1;
/// assert!(!sim.stimulus_on[last]);
/// // The bump stays where the stimulus was: the network remembers it.
/// let c = sim.centre[[last, 0]];
/// assert!((c - 1.0).abs() < 0.1, "{c}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationCoding {
    params: PopulationCodingParams,
    n_steps: usize,
    on: std::ops::Range<usize>,
    // The stimulus is the same at every step: computed once per model size.
    cache: Vec<f64>,
}

impl PopulationCoding {
    /// Default parameters, to adjust and build.
    pub fn params() -> PopulationCodingParams {
        PopulationCodingParams::default()
    }
    /// The parameters of this task.
    pub fn parameters(&self) -> &PopulationCodingParams {
        &self.params
    }
    /// The steps during which the stimulus is on.
    pub fn on_steps(&self) -> std::ops::Range<usize> {
        self.on.clone()
    }
    /// Plot of the stimulus position while it is on.
    pub fn plot(&self) -> Figure {
        plot_targets("PopulationCoding stimulus", self)
    }
}

impl Task for PopulationCoding {
    fn name(&self) -> &'static str {
        "population_coding"
    }
    fn dt(&self) -> f64 {
        self.params.dt
    }
    fn n_steps(&self) -> usize {
        self.n_steps
    }
    fn dim(&self) -> usize {
        self.params.position.len()
    }
    fn target(&self, _step: usize, out: &mut [f64]) {
        out.copy_from_slice(&self.params.position);
    }
    fn stimulus_on(&self, step: usize) -> bool {
        self.on.contains(&step)
    }
    fn input(&mut self, step: usize, model: &dyn FeatureMap, input: &mut [f64]) -> Result<()> {
        check_fit(self, model, input)?;
        if !self.on.contains(&step) {
            input.iter_mut().for_each(|x| *x = 0.0);
            return Ok(());
        }
        if self.cache.len() != input.len() {
            self.cache = vec![0.0; input.len()];
            model.stimulus(&self.params.position, &mut self.cache)?;
        }
        input.copy_from_slice(&self.cache);
        Ok(())
    }
    fn reset(&mut self) {
        self.cache.clear();
    }
}

impl Render for PopulationCodingParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(self.table().to_html(), format!("{self:?}"))
    }
}

impl Render for PopulationCoding {
    fn bundle(&self) -> Bundle {
        let t = self
            .params
            .table()
            .row("n_steps", self.n_steps, "steps")
            .row("on", format!("{:?}", self.on), "stimulus steps")
            .to_html();
        Bundle::figure(
            &self.plot(),
            &t,
            format!("PopulationCoding({} steps, on {:?})", self.n_steps, self.on),
        )
    }
}

display::evcxr_display_via_render!(PopulationCodingParams, PopulationCoding);
