use super::{check_fit, check_position, Task};
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::Result;
use crate::models::FeatureMap;
use crate::params::{check, setters, Params};
use crate::random::SeededRng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Parameters of [`Replay`]. Times are in the model's time unit (ms in Ji et
/// al. 2026, where `tau = 1` ms).
///
/// # Example
/// ```
/// use canns::tasks::{Replay, Task};
/// // Ji et al.'s 2-D protocol: cue at (0, 0) for 2, then 100 free, at dt = 0.1.
/// let task = Replay::params().cue_duration(2.0).free_duration(100.0).cue_pos(vec![0.0, 0.0]).build()?;
/// assert_eq!((task.dim(), task.n_cue(), task.n_steps()), (2, 20, 1020));
/// assert_eq!(Replay::params().cue_duration(2.0).free_duration(100.0).cue_pos(vec![0.0, 0.0]).input_noise(0.0), canns::tasks::ReplayParams::ji_2d());
/// let err = Replay::params().input_noise(-0.1).build().unwrap_err();
/// assert!(err.to_string().contains("input_noise"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplayParams {
    /// Cue position (radians), of dimension 1 or 2. Default `[-3 pi / 4]`
    /// (Ji et al. Fig. 2).
    pub cue_pos: Vec<f64>,
    /// How long the cue is on, from step 0 (time unit). Default 50.
    pub cue_duration: f64,
    /// Free run after the cue (time unit). Default 200.
    pub free_duration: f64,
    /// Standard deviation of the i.i.d. Gaussian noise added to every
    /// neuron's input at every step (input units, not scaled by `dt`).
    /// Default 0.02 (Ji et al. 1-D protocol).
    pub input_noise: f64,
    /// Time step (time unit). Default 0.1.
    pub dt: f64,
    /// Seed of the input noise. Default 0.
    pub seed: u64,
}

impl Default for ReplayParams {
    fn default() -> Self {
        Self {
            cue_pos: vec![-0.75 * PI],
            cue_duration: 50.0,
            free_duration: 200.0,
            input_noise: 0.02,
            dt: 0.1,
            seed: 0,
        }
    }
}

impl ReplayParams {
    setters! {
        /// Sets `cue_pos`.
        cue_pos: Vec<f64>,
        /// Sets `cue_duration`.
        cue_duration: f64,
        /// Sets `free_duration`.
        free_duration: f64,
        /// Sets `input_noise`.
        input_noise: f64,
        /// Sets `dt`.
        dt: f64,
        /// Sets `seed`.
        seed: u64,
    }

    /// The protocol of Ji et al.'s 2-D examples (Fig. 3, `TwoD_fun.get_trace`):
    /// cue at (0, 0) for 2, then 100 free, no input noise (their noise is on
    /// `u` and `v`: set the network's `noise` and `noise_v`).
    pub fn ji_2d() -> Self {
        Self {
            cue_pos: vec![0.0, 0.0],
            cue_duration: 2.0,
            free_duration: 100.0,
            input_noise: 0.0,
            ..Self::default()
        }
    }

    /// Validates and builds the task.
    ///
    /// # Errors
    /// [`crate::Error::Param`] naming the invalid field and value.
    pub fn build(&self) -> Result<Replay> {
        self.validate()?;
        let n_cue = (self.cue_duration / self.dt).round() as usize;
        let n_steps = n_cue + (self.free_duration / self.dt).round() as usize;
        Ok(Replay {
            params: self.clone(),
            n_cue,
            n_steps,
            rng: crate::random::seeded(self.seed),
            cache: Vec::new(),
        })
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("ReplayParams")
            .row(
                "cue_pos",
                format!("{:?}", self.cue_pos),
                "cue position (rad)",
            )
            .row("cue_duration", self.cue_duration, "cue on (time unit)")
            .row("free_duration", self.free_duration, "free run (time unit)")
            .row("input_noise", self.input_noise, "input noise std per step")
            .row("dt", self.dt, "time step")
            .row("seed", self.seed, "noise seed")
    }
}

impl Params for ReplayParams {
    const NAME: &'static str = "ReplayParams";

    fn validate(&self) -> Result<()> {
        check::positive("dt", self.dt)?;
        check_position(&self.cue_pos)?;
        check::non_negative("cue_duration", self.cue_duration)?;
        check::non_negative("free_duration", self.free_duration)?;
        check::non_negative("input_noise", self.input_noise)?;
        let steps = (self.cue_duration + self.free_duration) / self.dt;
        if steps > 1e9 {
            return Err(crate::ParamError::new(
                "free_duration",
                "at most 1e9 steps in all",
                format!("{steps:.3e} steps"),
            )
            .into());
        }
        Ok(())
    }
}

/// Replay: a cue, then a free run under input noise.
///
/// The protocol of Ji et al. (2026, Fig. 2 and `Figure2_replay_three_adaptation_strength.ipynb`):
/// a stimulus at `cue_pos` for `cue_duration`, then `free_duration` without
/// it; throughout, i.i.d. Gaussian noise of standard deviation `input_noise`
/// is added to every neuron's input at every step (not scaled by `dt`, as in
/// the authors' code). What the bump does after the cue is the replay: it
/// stays (weak adaptation), diffuses, or travels in Levy-like jumps (strong,
/// noisy adaptation); [`crate::pipeline::replay_trials`] runs it and
/// [`crate::analysis::ReplayStats`] measures it.
///
/// ## Examples
/// ```
/// use canns::prelude::*;
/// use canns::tasks::Replay;
/// let task = Replay::params().cue_duration(5.0).free_duration(10.0).build()?;
/// assert_eq!(task.n_steps(), 150);
/// assert!(task.stimulus_on(49) && !task.stimulus_on(50));
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Ji, Chu, Dong, Yu, Bush, Burgess & Wu (2026), Dynamical modulation of
///   hippocampal replay through firing rate adaptation, Nat Commun,
///   doi:10.1038/s41467-025-68042-3.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// let net = Cann1d::params().num(64).build()?;
/// let mut task = Replay::params().cue_duration(1.0).free_duration(1.0).input_noise(0.02).seed(5).build()?;
/// let mut input = vec![0.0; 64];
/// // After the cue, the input is the noise alone: standard deviation 0.02.
/// task.input(task.n_cue(), &net, &mut input)?;
/// let sd = (input.iter().map(|x| x * x).sum::<f64>() / 64.0).sqrt();
/// assert!(sd > 0.01 && sd < 0.03, "{sd}");
/// // During the cue it peaks at the cue position (-3 pi / 4 by default).
/// task.input(0, &net, &mut input)?;
/// let peak = (0..64).max_by(|&i, &j| input[i].total_cmp(&input[j])).unwrap();
/// assert!(angle_diff(net.preferred(peak)?[0], -0.75 * std::f64::consts::PI).abs() < 0.2);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Replay {
    params: ReplayParams,
    n_cue: usize,
    n_steps: usize,
    rng: SeededRng,
    cache: Vec<f64>,
}

impl Replay {
    /// Default parameters, to adjust and build.
    pub fn params() -> ReplayParams {
        ReplayParams::default()
    }
    /// The parameters of this task.
    pub fn parameters(&self) -> &ReplayParams {
        &self.params
    }
    /// Number of steps with the cue on (steps `0..n_cue`).
    pub fn n_cue(&self) -> usize {
        self.n_cue
    }
}

impl Task for Replay {
    fn name(&self) -> &'static str {
        "replay"
    }
    fn dt(&self) -> f64 {
        self.params.dt
    }
    fn n_steps(&self) -> usize {
        self.n_steps
    }
    fn dim(&self) -> usize {
        self.params.cue_pos.len()
    }
    fn target(&self, _step: usize, out: &mut [f64]) {
        out.copy_from_slice(&self.params.cue_pos);
    }
    fn stimulus_on(&self, step: usize) -> bool {
        step < self.n_cue
    }
    /// The cue (while on) plus fresh noise. Steps are meant to be asked for
    /// in order: the noise is drawn from one stream.
    fn input(&mut self, step: usize, model: &dyn FeatureMap, input: &mut [f64]) -> Result<()> {
        check_fit(self, model, input)?;
        if step < self.n_cue {
            if self.cache.len() != input.len() {
                self.cache = vec![0.0; input.len()];
                model.stimulus(&self.params.cue_pos, &mut self.cache)?;
            }
            input.copy_from_slice(&self.cache);
        } else {
            input.iter_mut().for_each(|x| *x = 0.0);
        }
        let s = self.params.input_noise;
        if s > 0.0 {
            for x in input.iter_mut() {
                let xi: f64 = StandardNormal.sample(&mut self.rng);
                *x += s * xi;
            }
        }
        Ok(())
    }
    fn reset(&mut self) {
        self.cache.clear();
        self.rng = crate::random::seeded(self.params.seed);
    }
}

impl Render for ReplayParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(self.table().to_html(), format!("{self:?}"))
    }
}

impl Render for Replay {
    fn bundle(&self) -> Bundle {
        let t = self
            .params
            .table()
            .row("n_steps", self.n_steps, "steps")
            .row("n_cue", self.n_cue, "cue steps")
            .to_html();
        Bundle::html(
            t,
            format!("Replay({} steps, cue {})", self.n_steps, self.n_cue),
        )
    }
}

display::evcxr_display_via_render!(ReplayParams, Replay);
