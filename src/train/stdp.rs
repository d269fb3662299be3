use super::{check_sample, check_weights, LearningRule, Schedule};
use crate::display::{lines, Figure, Series};
use crate::display::{Bundle, KeyValues, Render};
use crate::error::Result;
use crate::models::SpikingLayer;
use crate::params::{check, setters, Params};
use crate::pipeline::progress::ShowProgress;
use crate::ParamError;
use ndarray::{ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

/// Parameters of the [`Stdp`] rule.
///
/// # Example
/// ```
/// use canns::train::Stdp;
/// let stdp = Stdp::params().a_plus(0.02).a_minus(0.01).w_min(-1.0).epochs(2).build()?;
/// assert_eq!((stdp.parameters().a_plus, stdp.parameters().epochs), (0.02, 2));
/// // Potentiation twice as strong as depression: a net gain for coincident spikes.
/// let w = stdp.window(0.9, 1)?;
/// assert!((w.dw_at(0).unwrap() - 0.01 * (0.02 - 0.01)).abs() < 1e-12);
/// let err = Stdp::params().w_min(0.5).w_max(0.2).build().unwrap_err();
/// assert!(err.to_string().contains("w_max"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StdpParams {
    /// Learning rate `eta`. Default 0.01 (as canns).
    pub learning_rate: f64,
    /// Potentiation amplitude `A+`. Default 0.005 (as canns).
    pub a_plus: f64,
    /// Depression amplitude `A-`. Default 0.00525 (as canns).
    pub a_minus: f64,
    /// Lower bound `w_min` of every weight. Default 0 (as canns).
    pub w_min: f64,
    /// Upper bound `w_max` of every weight. Default 1 (as canns).
    pub w_max: f64,
    /// Passes over the data per [`LearningRule::train`] call. Default 1.
    pub epochs: usize,
    /// Progress display for long runs. Default auto.
    pub progress: ShowProgress,
}

impl Default for StdpParams {
    fn default() -> Self {
        Self {
            learning_rate: 0.01,
            a_plus: 0.005,
            a_minus: 0.00525,
            w_min: 0.0,
            w_max: 1.0,
            epochs: 1,
            progress: ShowProgress::Auto,
        }
    }
}

impl StdpParams {
    setters! {
        /// Sets `learning_rate`.
        learning_rate: f64,
        /// Sets `a_plus`.
        a_plus: f64,
        /// Sets `a_minus`.
        a_minus: f64,
        /// Sets `w_min`.
        w_min: f64,
        /// Sets `w_max`.
        w_max: f64,
        /// Sets `epochs`.
        epochs: usize,
        /// Sets `progress`.
        progress: ShowProgress,
    }

    /// Validates and builds the rule.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) naming the invalid field and value.
    pub fn build(&self) -> Result<Stdp> {
        self.validate()?;
        Ok(Stdp {
            schedule: Schedule::new(0),
            params: self.clone(),
        })
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("StdpParams")
            .row("learning_rate", self.learning_rate, "eta")
            .row("a_plus", self.a_plus, "potentiation amplitude A+")
            .row("a_minus", self.a_minus, "depression amplitude A-")
            .row("w_min", self.w_min, "lower weight bound")
            .row("w_max", self.w_max, "upper weight bound")
            .row("epochs", self.epochs, "passes per train call")
    }
}

impl Params for StdpParams {
    const NAME: &'static str = "StdpParams";

    fn validate(&self) -> Result<()> {
        check::positive("learning_rate", self.learning_rate)?;
        check::non_negative("a_plus", self.a_plus)?;
        check::non_negative("a_minus", self.a_minus)?;
        check::finite("w_min", self.w_min)?;
        check::finite("w_max", self.w_max)?;
        if self.w_max < self.w_min {
            return Err(crate::ParamError::new(
                "w_max",
                format!(">= w_min = {}", self.w_min),
                self.w_max,
            )
            .into());
        }
        check::at_least("epochs", self.epochs, 1)?;
        Ok(())
    }
}

/// Spike-timing-dependent plasticity with pre- and postsynaptic traces: a
/// synapse grows when its input spiked shortly before the neuron, and shrinks
/// when the neuron spiked shortly before the input.
///
/// For each input step `x` the [`SpikingLayer`] first advances (traces,
/// potentials, spikes `s`; see its docs), then
///
/// ```text
/// W <- clip(W + eta (A+ s trace_pre^T - A- trace_post x^T), w_min, w_max)
/// ```
///
/// With trace decay `lambda` per step, a pre spike `d` steps before a post
/// spike adds `eta A+ lambda^d` (potentiation), a post spike `d` steps before
/// a pre spike subtracts `eta A- lambda^d` (depression): the exponential
/// window of Bi & Poo (1998) in the pair-based trace form of Song, Miller &
/// Abbott (2000). Both traces include the current step, so coincident pre and
/// post spikes get both terms, a net `eta (A+ - A-)`.
///
/// This is exactly canns's compiled `STDPTrainer` (its uncompiled path uses
/// the traces of the step before and stale weights, and disagrees with it).
/// Unlike canns, the layer's potentials and traces carry over between
/// [`LearningRule::train`] calls (call
/// [`SpikingLayer::reset_state`] to start afresh; canns restarts them at
/// every call).
///
/// ## Examples
/// ```
/// use canns::models::SpikingLayer;
/// use canns::train::{LearningRule, Stdp};
/// use canns::ndarray::array;
/// let mut layer = SpikingLayer::params().n_inputs(2).v_threshold(0.5).trace_decay(0.9).build()?;
/// layer.set_weights(array![[0.8, 0.3]].view())?;
/// let mut stdp = Stdp::params().learning_rate(1.0).a_plus(0.01).a_minus(0.0105).build()?;
/// // Input 1 fires, then input 0 drives a spike two steps later: pre before post.
/// let data = array![[0.0, 1.0], [0.0, 0.0], [1.0, 0.0]];
/// stdp.train(&mut layer, data.view())?;
/// let dw = layer.weights()[[0, 1]] - 0.3;
/// assert!((dw - 0.01 * 0.9f64.powi(2)).abs() < 1e-12);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Bi & Poo (1998), J. Neurosci. 18(24):10464-10472, "Synaptic
///   modifications in cultured hippocampal neurons".
/// - Song, Miller & Abbott (2000), Nat. Neurosci. 3(9):919-926.
///
/// # Example
/// ```
/// use canns::models::SpikingLayer;
/// use canns::ndarray::array;
/// use canns::train::{LearningRule, Stdp};
/// let mut layer = SpikingLayer::params().n_inputs(2).v_threshold(0.5).trace_decay(0.9).build()?;
/// layer.set_weights(array![[0.8, 0.3]].view())?;
/// let mut stdp = Stdp::params().learning_rate(1.0).a_plus(0.01).a_minus(0.0105).build()?;
/// // Input 0 makes the neuron spike; input 1 fires two steps later: post
/// // before pre, so synapse 1 is depressed by A- 0.9^2.
/// stdp.train(&mut layer, array![[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]].view())?;
/// let dw = layer.weights()[[0, 1]] - 0.3;
/// assert!((dw + 0.0105 * 0.81).abs() < 1e-12, "{dw}");
/// assert_eq!(stdp.samples_seen(), 3);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct Stdp {
    params: StdpParams,
    schedule: Schedule,
}

impl Stdp {
    /// Default parameters, to adjust and [`StdpParams::build`].
    pub fn params() -> StdpParams {
        StdpParams::default()
    }

    /// The rule's parameters.
    pub fn parameters(&self) -> &StdpParams {
        &self.params
    }

    /// Samples presented so far.
    pub fn samples_seen(&self) -> usize {
        self.schedule.samples_seen
    }

    /// The learning window of this rule, measured: the change of one
    /// synapse after a single pairing of its input spike with a
    /// postsynaptic spike `lag` steps later (negative `lag`: the
    /// postsynaptic spike comes first), for every `lag` in
    /// `-max_lag..=max_lag`. Each pairing runs the rule on a fresh neuron
    /// with two inputs: the one measured (weight midway between `w_min`
    /// and `w_max`, too weak to fire the neuron) and a driver (weight
    /// `w_max`, at the threshold) that fires it; no leak, spike traces
    /// decaying by `trace_decay` per step.
    ///
    /// For the pair-based traces the window is `eta A+ lambda^lag` for
    /// `lag > 0`, `-eta A- lambda^|lag|` for `lag < 0` and `eta (A+ - A-)`
    /// at 0 (unless the weight bounds clip it).
    ///
    /// # Examples
    /// ```
    /// use canns::train::Stdp;
    /// let w = Stdp::params().learning_rate(1.0).a_plus(0.01).a_minus(0.0105).build()?.window(0.9, 5)?;
    /// assert_eq!(w.lag.len(), 11);
    /// assert!((w.dw_at(2).unwrap() - 0.01 * 0.81).abs() < 1e-12);   // pre 2 steps before post
    /// assert!((w.dw_at(-2).unwrap() + 0.0105 * 0.81).abs() < 1e-12); // post 2 steps before pre
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) unless `trace_decay` is in
    /// (0, 1] and `max_lag` at most 10 000, or when the rule's bounds leave
    /// no room to fire the neuron (`w_max <= 0` or `w_max = w_min`).
    pub fn window(&self, trace_decay: f64, max_lag: usize) -> Result<StdpWindow> {
        if !(trace_decay > 0.0 && trace_decay <= 1.0) {
            return Err(ParamError::new("trace_decay", "in (0, 1]", trace_decay).into());
        }
        if max_lag > 10_000 {
            return Err(ParamError::new("max_lag", "<= 10000", max_lag).into());
        }
        let p = &self.params;
        if p.w_max <= 0.0 || p.w_max <= p.w_min {
            return Err(ParamError::new(
                "w_max",
                format!("> 0 and > w_min = {} to fire the test neuron", p.w_min),
                p.w_max,
            )
            .into());
        }
        let w_test = 0.5 * (p.w_min + p.w_max);
        let neuron = SpikingLayer::params()
            .n_inputs(2)
            .n_outputs(1)
            .v_threshold(p.w_max)
            .v_reset(0.0)
            .leak(0.0)
            .trace_decay(trace_decay)
            .w_std(0.0);
        let quiet = StdpParams {
            epochs: 1,
            progress: ShowProgress::Never,
            ..p.clone()
        };
        let max = max_lag as i64;
        let mut window = StdpWindow {
            lag: Vec::with_capacity(2 * max_lag + 1),
            dw: Vec::with_capacity(2 * max_lag + 1),
        };
        for lag in -max..=max {
            let mut layer = neuron.build()?;
            layer.set_weights(ndarray::array![[w_test, p.w_max]].view())?;
            let d = lag.unsigned_abs() as usize;
            let mut xs = ndarray::Array2::zeros((d + 1, 2));
            let (pre, post) = if lag >= 0 { (0, d) } else { (d, 0) };
            xs[[pre, 0]] = 1.0;
            xs[[post, 1]] = 1.0;
            quiet.build()?.train(&mut layer, xs.view())?;
            window.lag.push(lag);
            window.dw.push(layer.weights()[[0, 0]] - w_test);
        }
        Ok(window)
    }
}

/// Clips every weight into `[w_min, w_max]` (as the rule does after every
/// step; afterwards only the rows a step changes need clipping).
fn clip_all(layer: &mut SpikingLayer, p: &StdpParams) {
    layer
        .weights_mut()
        .mapv_inplace(|w| w.clamp(p.w_min, p.w_max));
}

/// One STDP step of `layer` with input `x` (weights already within bounds).
fn update(layer: &mut SpikingLayer, x: &[f64], p: &StdpParams) {
    layer.forward_unchecked(x);
    let (w, s, tp, tq) = layer.parts_mut();
    let (ap, am) = (p.learning_rate * p.a_plus, p.learning_rate * p.a_minus);
    for ((row, &si), &tqi) in w.chunks_exact_mut(x.len()).zip(s).zip(tq) {
        let (a, b) = (ap * si, am * tqi);
        if a == 0.0 && b == 0.0 {
            continue;
        }
        for ((wij, tpj), xj) in row.iter_mut().zip(tp).zip(x) {
            *wij = (*wij + (a * tpj - b * xj)).clamp(p.w_min, p.w_max);
        }
    }
}

impl LearningRule for Stdp {
    type Layer = SpikingLayer;

    fn name(&self) -> &'static str {
        "stdp"
    }

    fn step(&mut self, layer: &mut SpikingLayer, x: ArrayView1<f64>) -> Result<()> {
        check_sample(&x, layer.n_inputs())?;
        let p = &self.params;
        clip_all(layer, p);
        self.schedule.one(&x, |x| update(layer, x, p));
        check_weights(layer.weights(), self.schedule.samples_seen)
    }

    fn train(&mut self, layer: &mut SpikingLayer, data: ArrayView2<f64>) -> Result<()> {
        super::check_data(&data, layer.n_inputs())?;
        let p = &self.params;
        let work = 4.0 * (layer.n_inputs() * layer.n_outputs()) as f64;
        clip_all(layer, p);
        let mut bar = Schedule::bar("stdp", data.nrows(), p.epochs, p.progress, work);
        let mut done = 0;
        for _ in 0..p.epochs {
            self.schedule
                .epoch(&data, false, &mut bar, &mut done, |x| update(layer, x, p));
        }
        check_weights(layer.weights(), self.schedule.samples_seen)
    }
}

impl std::fmt::Display for Stdp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Stdp(eta={}, A+={}, A-={}, w in [{}, {}], {} steps seen)",
            self.params.learning_rate,
            self.params.a_plus,
            self.params.a_minus,
            self.params.w_min,
            self.params.w_max,
            self.schedule.samples_seen
        )
    }
}

super::rule_display!(Stdp, StdpParams, "samples_seen", "samples presented", |r| r
    .schedule
    .samples_seen);

/// The learning window of an STDP rule (see [`Stdp::window`]).
///
/// # Example
/// ```
/// use canns::train::Stdp;
/// let w = Stdp::params().learning_rate(1.0).a_plus(0.01).a_minus(0.0105).build()?.window(0.5, 3)?;
/// assert_eq!(w.lag, vec![-3, -2, -1, 0, 1, 2, 3]);
/// // Pre before post (lag > 0) potentiates, post before pre depresses, both
/// // decaying by the trace factor per step.
/// assert!((w.dw_at(1).unwrap() - 0.005).abs() < 1e-12);
/// assert!((w.dw_at(-3).unwrap() + 0.0105 * 0.125).abs() < 1e-12);
/// assert_eq!(w.dw_at(4), None);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct StdpWindow {
    /// Postsynaptic minus presynaptic spike time (steps).
    pub lag: Vec<i64>,
    /// Weight change after one pairing at each lag.
    pub dw: Vec<f64>,
}

impl StdpWindow {
    /// The weight change at `lag`, if measured.
    pub fn dw_at(&self, lag: i64) -> Option<f64> {
        self.lag.iter().position(|&l| l == lag).map(|i| self.dw[i])
    }

    /// The weight change against the spike-time difference.
    pub fn plot(&self) -> Figure {
        let x: Vec<f64> = self.lag.iter().map(|&l| l as f64).collect();
        let zero = vec![0.0; x.len()];
        lines(
            "STDP window: weight change after one pairing",
            "t_post - t_pre (steps)",
            "weight change",
            vec![
                Series::dashed("0", x.clone(), zero),
                Series::line("dw", x.clone(), self.dw.clone()),
                Series::markers("measured", x, self.dw.clone()),
            ],
        )
    }
}

impl std::fmt::Display for StdpWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (lo, hi) = self
            .dw
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &d| {
                (a.min(d), b.max(d))
            });
        write!(
            f,
            "StdpWindow({} lags, dw from {lo:.3e} to {hi:.3e})",
            self.lag.len()
        )
    }
}

impl std::fmt::Debug for StdpWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl Render for StdpWindow {
    fn bundle(&self) -> Bundle {
        Bundle::figure(self.plot().plot(), "", self.to_string())
    }
}

crate::display::evcxr_display_via_render!(StdpParams, Stdp, StdpWindow);
