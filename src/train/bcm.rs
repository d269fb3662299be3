use super::{check_sample, check_weights, History, LearningRule, Schedule};
use crate::display::KeyValues;
use crate::error::Result;
use crate::models::LinearLayer;
use crate::params::{check, setters, Params};
use crate::pipeline::progress::ShowProgress;
use ndarray::{ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

/// Parameters of the [`Bcm`] rule.
///
/// # Example
/// ```
/// use canns::models::LinearLayer;
/// use canns::ndarray::array;
/// use canns::train::{Bcm, LearningRule};
/// let mut layer = LinearLayer::params().n_inputs(2).build()?;
/// layer.set_weights(array![[0.99, 0.0]].view())?;
/// // A large step is clipped at w_max.
/// let mut bcm = Bcm::params().learning_rate(0.5).w_max(1.0).build()?;
/// bcm.step(&mut layer, array![1.0, 0.0].view())?;
/// assert_eq!(layer.weights()[[0, 0]], 1.0);
/// let err = Bcm::params().w_max(0.0).build().unwrap_err();
/// assert!(err.to_string().contains("w_max"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BcmParams {
    /// Learning rate `eta`. Default 0.01 (as canns).
    pub learning_rate: f64,
    /// Bound `w_max` of every weight's magnitude. Default 10 (as canns).
    pub w_max: f64,
    /// Passes over the data per [`LearningRule::train`] call. Default 1.
    pub epochs: usize,
    /// Present the rows in a fresh random order each epoch (else in row order, as canns). Default false.
    pub shuffle: bool,
    /// Seed of the shuffling. Default 0.
    pub seed: u64,
    /// Keep the weights (and thresholds) before training and after every
    /// epoch in the rule's [`History`]. Default true.
    pub record_history: bool,
    /// Progress display for long runs. Default auto.
    pub progress: ShowProgress,
}

impl Default for BcmParams {
    fn default() -> Self {
        Self {
            learning_rate: 0.01,
            w_max: 10.0,
            epochs: 1,
            shuffle: false,
            seed: 0,
            record_history: true,
            progress: ShowProgress::Auto,
        }
    }
}

impl BcmParams {
    setters! {
        /// Sets `learning_rate`.
        learning_rate: f64,
        /// Sets `w_max`.
        w_max: f64,
        /// Sets `epochs`.
        epochs: usize,
        /// Sets `shuffle`.
        shuffle: bool,
        /// Sets `seed`.
        seed: u64,
        /// Sets `record_history`.
        record_history: bool,
        /// Sets `progress`.
        progress: ShowProgress,
    }

    /// Validates and builds the rule.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) naming the invalid field and value.
    pub fn build(&self) -> Result<Bcm> {
        self.validate()?;
        Ok(Bcm {
            schedule: Schedule::new(self.seed),
            history: History::default(),
            params: self.clone(),
        })
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("BcmParams")
            .row("learning_rate", self.learning_rate, "eta")
            .row("w_max", self.w_max, "weights clipped to [-w_max, w_max]")
            .row("epochs", self.epochs, "passes per train call")
            .row("shuffle", self.shuffle, "fresh order each epoch")
            .row("seed", self.seed, "seed of the order")
            .row(
                "record_history",
                self.record_history,
                "snapshot every epoch",
            )
    }
}

impl Params for BcmParams {
    const NAME: &'static str = "BcmParams";

    fn validate(&self) -> Result<()> {
        check::positive("learning_rate", self.learning_rate)?;
        check::positive("w_max", self.w_max)?;
        check::at_least("epochs", self.epochs, 1)?;
        Ok(())
    }
}

/// The BCM rule (Bienenstock, Cooper & Munro): Hebbian growth when the
/// response exceeds a sliding threshold, depression below it; the threshold
/// follows the mean squared response, so a neuron becomes selective for one
/// of its input patterns.
///
/// ```text
/// y = W x
/// W <- clip(W + eta y (y - theta) x^T, -w_max, w_max)
/// theta <- theta + (y^2 - theta) / tau_theta        (the layer's threshold, with this sample's y)
/// ```
///
/// The threshold belongs to the [`LinearLayer`] (its `theta_init`,
/// `theta_tau`). For `K` one-hot patterns shown equally often the selective
/// fixed point has the winner's response `y = theta = K` and the others at 0,
/// a selectivity `1 - mean/max = 1 - 1/K`. The threshold must move faster
/// than the weights (`tau_theta` samples well below `1 / eta`) or the rule
/// oscillates.
///
/// canns's compiled and uncompiled BCM trainers disagree (the uncompiled path
/// reads stale weights); this rule is the compiled one: response, weight
/// update, then the threshold from the same response.
///
/// ## Examples
/// ```
/// use canns::models::LinearLayer;
/// use canns::train::{Bcm, LearningRule};
/// use canns::ndarray::Array2;
/// let mut layer = LinearLayer::params().n_inputs(2).theta_tau(10.0).build()?;
/// layer.set_weights(canns::ndarray::array![[0.55, 0.45]].view())?;
/// // Two one-hot patterns, alternating: the neuron picks the stronger one.
/// let data = Array2::from_shape_fn((2000, 2), |(i, j)| if i % 2 == j { 1.0 } else { 0.0 });
/// Bcm::params().learning_rate(0.01).epochs(5).build()?.train(&mut layer, data.view())?;
/// let w = layer.weights();
/// assert!(w[[0, 0]] > 1.5 && w[[0, 1]].abs() < 0.1, "{w}");
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Bienenstock, Cooper & Munro (1982), J. Neurosci. 2(1):32-48, "Theory for
///   the development of neuron selectivity".
/// - Intrator & Cooper (1992), Neural Networks 5(1):3-17 (the running average
///   of `y^2` as threshold).
///
/// # Example
/// ```
/// use canns::models::LinearLayer;
/// use canns::ndarray::array;
/// use canns::train::{Bcm, LearningRule};
/// // Threshold theta = 0.1 (the layer's theta_init), eta = 0.1.
/// let step = |w: f64| -> canns::Result<(f64, f64)> {
///     let mut layer = LinearLayer::params().n_inputs(1).build()?;
///     layer.set_weights(array![[w]].view())?;
///     Bcm::params().learning_rate(0.1).build()?.step(&mut layer, array![1.0].view())?;
///     Ok((layer.weights()[[0, 0]], layer.theta()[0]))
/// };
/// // Above threshold (y = 1): potentiation by eta y (y - theta) = 0.09.
/// let (w, theta) = step(1.0)?;
/// assert!((w - 1.09).abs() < 1e-12 && (theta - (0.1 + 0.9 / 100.0)).abs() < 1e-12);
/// // Below it (y = 0.05): depression by 0.1 * 0.05 * 0.05 = 0.00025.
/// assert!((step(0.05)?.0 - 0.04975).abs() < 1e-12);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct Bcm {
    params: BcmParams,
    schedule: Schedule,
    history: History,
}

impl Bcm {
    /// Default parameters, to adjust and [`BcmParams::build`].
    pub fn params() -> BcmParams {
        BcmParams::default()
    }

    /// The rule's parameters.
    pub fn parameters(&self) -> &BcmParams {
        &self.params
    }

    /// Samples presented so far.
    pub fn samples_seen(&self) -> usize {
        self.schedule.samples_seen
    }

    /// The weights before training and after every epoch of
    /// [`LearningRule::train`] (when `record_history`).
    pub fn history(&self) -> &History {
        &self.history
    }
}

/// One BCM update of `layer` with sample `x`.
fn update(layer: &mut LinearLayer, x: &[f64], eta: f64, w_max: f64) {
    layer.forward_unchecked(x);
    let (w, y, theta) = layer.parts_mut();
    for ((row, &yi), &ti) in w.chunks_exact_mut(x.len()).zip(y).zip(theta.iter()) {
        let g = eta * yi * (yi - ti);
        for (wij, xj) in row.iter_mut().zip(x) {
            *wij = (*wij + g * xj).clamp(-w_max, w_max);
        }
    }
    // The threshold moves with this sample's response (before the update).
    layer.update_threshold();
}

impl LearningRule for Bcm {
    type Layer = LinearLayer;

    fn name(&self) -> &'static str {
        "bcm"
    }

    fn step(&mut self, layer: &mut LinearLayer, x: ArrayView1<f64>) -> Result<()> {
        check_sample(&x, layer.n_inputs())?;
        let p = &self.params;
        self.schedule
            .one(&x, |x| update(layer, x, p.learning_rate, p.w_max));
        check_weights(layer.weights(), self.schedule.samples_seen)
    }

    fn train(&mut self, layer: &mut LinearLayer, data: ArrayView2<f64>) -> Result<()> {
        super::check_data(&data, layer.n_inputs())?;
        let p = &self.params;
        let pass = super::Passes::new("bcm", (p.epochs, p.shuffle, p.progress), layer, 4.0);
        let history = p.record_history.then_some(&mut self.history);
        self.schedule
            .train_layer(layer, &data, pass, history, |layer, x| {
                update(layer, x, p.learning_rate, p.w_max)
            })
    }
}

impl std::fmt::Display for Bcm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Bcm(eta={}, w_max={}, {} samples seen)",
            self.params.learning_rate, self.params.w_max, self.schedule.samples_seen
        )
    }
}

super::rule_display!(Bcm, BcmParams, "samples_seen", "samples presented", |r| r
    .schedule
    .samples_seen);

crate::display::evcxr_display_via_render!(BcmParams, Bcm);
