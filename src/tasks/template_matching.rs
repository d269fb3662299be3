use super::tracking::plot_targets;
use super::{check_fit, check_position, Task};
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{ParamError, Result};
use crate::models::FeatureMap;
use crate::params::check;
use crate::params::setters;
use crate::params::Params;
use crate::random::SeededRng;
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// Parameters of [`TemplateMatching`].
///
/// # Example
/// ```
/// use canns::prelude::*;
/// let net = Cann1d::params().num(32).build()?;
/// // Same seed, same noise: a rerun gives identical input.
/// let p = TemplateMatching::params().noise_level(0.5).seed(9);
/// let (mut a, mut b) = (p.build()?, p.build()?);
/// let (mut ia, mut ib) = (vec![0.0; 32], vec![0.0; 32]);
/// a.input(0, &net, &mut ia)?;
/// b.input(0, &net, &mut ib)?;
/// assert_eq!(ia, ib);
/// let err = TemplateMatching::params().missing(1.0).build().unwrap_err();
/// assert!(err.to_string().contains("missing"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TemplateMatchingParams {
    /// Template position (radians), of dimension 1 or 2. Default `[0]`.
    pub position: Vec<f64>,
    /// Duration (time unit). Default 20.
    pub duration: f64,
    /// Noise standard deviation relative to the stimulus amplitude `A`. Default 0.1.
    pub noise_level: f64,
    /// Fraction of input neurons that receive no stimulus, in [0, 1). Default 0.
    pub missing: f64,
    /// Time step (time unit). Default 0.1.
    pub dt: f64,
    /// Seed of the noise and of the missing neurons. Default 0.
    pub seed: u64,
}

impl Default for TemplateMatchingParams {
    fn default() -> Self {
        Self {
            position: vec![0.0],
            duration: 20.0,
            noise_level: 0.1,
            missing: 0.0,
            dt: 0.1,
            seed: 0,
        }
    }
}

impl TemplateMatchingParams {
    setters! {
        /// Sets `position`.
        position: Vec<f64>,
        /// Sets `duration`.
        duration: f64,
        /// Sets `noise_level`.
        noise_level: f64,
        /// Sets `missing`.
        missing: f64,
        /// Sets `dt`.
        dt: f64,
        /// Sets `seed`.
        seed: u64,
    }

    /// Validates and builds the task.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) naming the invalid field and value.
    pub fn build(&self) -> Result<TemplateMatching> {
        self.validate()?;
        let n_steps = (self.duration / self.dt).ceil() as usize;
        Ok(TemplateMatching {
            rng: crate::random::seeded(self.seed),
            params: self.clone(),
            n_steps,
            template: Vec::new(),
        })
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("TemplateMatchingParams")
            .row(
                "position",
                format!("{:?}", self.position),
                "template position (rad)",
            )
            .row("duration", self.duration, "time unit")
            .row("noise_level", self.noise_level, "noise std / A")
            .row("missing", self.missing, "fraction of silenced inputs")
            .row("dt", self.dt, "time step")
            .row("seed", self.seed, "noise seed")
    }
}

impl Params for TemplateMatchingParams {
    const NAME: &'static str = "TemplateMatchingParams";

    fn validate(&self) -> Result<()> {
        check::positive("dt", self.dt)?;
        check_position(&self.position)?;
        check::positive("duration", self.duration)?;
        check::non_negative("noise_level", self.noise_level)?;
        if !(self.missing.is_finite() && (0.0..1.0).contains(&self.missing)) {
            return Err(ParamError::new("missing", "in [0, 1)", self.missing).into());
        }
        Ok(())
    }
}

/// Template matching: a noisy, partial stimulus the network should clean up.
///
/// At every step the input is the stimulus at `position` plus independent
/// Gaussian noise of standard deviation `noise_level * A` per neuron (as the
/// Python `canns` package's `TemplateMatching1D/2D`), where `A` is the model's
/// stimulus amplitude. Optionally a fraction `missing` of the input neurons,
/// chosen once per run, receive no stimulus (a partial template). The
/// network's bump should settle at `position` regardless.
///
/// The noise is drawn from a generator seeded with `seed`: the same
/// parameters give the same input, run after run.
///
/// ## Examples
/// ```
/// use canns::prelude::*;
/// let task = TemplateMatching::params().position(vec![0.5]).noise_level(0.2).missing(0.3).build()?;
/// assert_eq!(task.n_steps(), 200);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // A noisy template at -2 rad with 30% of its inputs missing.
/// let mut task = TemplateMatching::params().position(vec![-2.0]).noise_level(0.2).missing(0.3).build()?;
/// let mut net = Cann1d::params().num(64).build()?;
/// let sim = simulate(&mut net, &mut task)?;
/// // The bump still settles on the template.
/// let c = sim.centre[[sim.t.len() - 1, 0]];
/// assert!((c + 2.0).abs() < 0.15, "{c}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct TemplateMatching {
    params: TemplateMatchingParams,
    n_steps: usize,
    rng: SeededRng,
    // Clean (partial) template and noise scale for the current model.
    template: Vec<f64>,
}

impl TemplateMatching {
    /// Default parameters, to adjust and build.
    pub fn params() -> TemplateMatchingParams {
        TemplateMatchingParams::default()
    }
    /// The parameters of this task.
    pub fn parameters(&self) -> &TemplateMatchingParams {
        &self.params
    }
    /// Plot of the template position.
    pub fn plot(&self) -> Figure {
        plot_targets("TemplateMatching template position", self)
    }
}

impl Task for TemplateMatching {
    fn name(&self) -> &'static str {
        "template_matching"
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
    fn stimulus_on(&self, _step: usize) -> bool {
        true
    }
    fn input(&mut self, _step: usize, model: &dyn FeatureMap, input: &mut [f64]) -> Result<()> {
        check_fit(self, model, input)?;
        if self.template.len() != input.len() {
            self.template = vec![0.0; input.len()];
            model.stimulus(&self.params.position, &mut self.template)?;
            if self.params.missing > 0.0 {
                for t in self.template.iter_mut() {
                    if self.rng.random::<f64>() < self.params.missing {
                        *t = 0.0;
                    }
                }
            }
        }
        let sd = self.params.noise_level * model.stimulus_amplitude();
        for (x, t) in input.iter_mut().zip(&self.template) {
            let xi: f64 = StandardNormal.sample(&mut self.rng);
            *x = t + sd * xi;
        }
        Ok(())
    }
    fn reset(&mut self) {
        self.rng = crate::random::seeded(self.params.seed);
        self.template.clear();
    }
}

impl Render for TemplateMatchingParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(self.table().to_html(), format!("{self:?}"))
    }
}

impl Render for TemplateMatching {
    fn bundle(&self) -> Bundle {
        let t = self
            .params
            .table()
            .row("n_steps", self.n_steps, "steps")
            .to_html();
        Bundle::figure(
            &self.plot(),
            &t,
            format!("TemplateMatching({} steps)", self.n_steps),
        )
    }
}

display::evcxr_display_via_render!(TemplateMatchingParams, TemplateMatching);
