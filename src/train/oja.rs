use super::{check_sample, check_weights, normalise, History, LearningRule, Schedule};
use crate::display::KeyValues;
use crate::error::Result;
use crate::models::dense::scale_add;
use crate::models::LinearLayer;
use crate::params::{check, setters, Params};
use crate::pipeline::progress::ShowProgress;
use ndarray::{ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

/// Parameters of [`Oja`]'s rule.
///
/// # Example
/// ```
/// use canns::models::LinearLayer;
/// use canns::ndarray::array;
/// use canns::train::{LearningRule, Oja};
/// let mut oja = Oja::params().learning_rate(0.01).epochs(3).shuffle(true).seed(2).record_history(false).build()?;
/// let mut layer = LinearLayer::params().n_inputs(2).build()?;
/// oja.train(&mut layer, array![[1.0, 0.0], [0.0, 1.0]].view())?;
/// assert_eq!((oja.samples_seen(), oja.history().len()), (6, 0)); // 3 epochs of 2, nothing recorded
/// let err = Oja::params().epochs(0).build().unwrap_err();
/// assert!(err.to_string().contains("epochs"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OjaParams {
    /// Learning rate `eta`. Default 0.01 (as canns).
    pub learning_rate: f64,
    /// Rescale every row to unit length after each update. Default true (as canns).
    pub normalize: bool,
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

impl Default for OjaParams {
    fn default() -> Self {
        Self {
            learning_rate: 0.01,
            normalize: true,
            epochs: 1,
            shuffle: false,
            seed: 0,
            record_history: true,
            progress: ShowProgress::Auto,
        }
    }
}

impl OjaParams {
    setters! {
        /// Sets `learning_rate`.
        learning_rate: f64,
        /// Sets `normalize`.
        normalize: bool,
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
    pub fn build(&self) -> Result<Oja> {
        self.validate()?;
        Ok(Oja {
            schedule: Schedule::new(self.seed),
            history: History::default(),
            params: self.clone(),
            warned: false,
        })
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("OjaParams")
            .row("learning_rate", self.learning_rate, "eta")
            .row(
                "normalize",
                self.normalize,
                "unit-length rows after each update",
            )
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

impl Params for OjaParams {
    const NAME: &'static str = "OjaParams";

    fn validate(&self) -> Result<()> {
        check::positive("learning_rate", self.learning_rate)?;
        check::at_least("epochs", self.epochs, 1)?;
        Ok(())
    }
}

/// Oja's rule: a Hebbian neuron with multiplicative weight decay, whose weight
/// vector converges to the first principal component of its (centred) input.
///
/// ```text
/// y = W x
/// W <- W + eta (y x^T - diag(y^2) W)        per row: w_i += eta y_i (x - y_i w_i)
/// w_i <- w_i / |w_i|                         (when `normalize`)
/// ```
///
/// Every output is an independent Oja neuron, so with several outputs every
/// row converges to the same first component (a warning is printed once);
/// use [`Sanger`](super::Sanger) for several components. The data must be
/// centred: the rule finds the leading eigenvector of `E[x x^T]`. With a fixed
/// learning rate the weights fluctuate around the component by an angle that
/// grows with `eta` (and, with the same order every epoch, settle on a limit
/// cycle of that order).
///
/// ## Examples
/// ```
/// use canns::models::LinearLayer;
/// use canns::train::{LearningRule, Oja};
/// let mut layer = LinearLayer::params().n_inputs(2).seed(3).build()?;
/// let mut oja = Oja::params().learning_rate(0.05).build()?;
/// // Alternating samples along the first axis: w turns to (+-1, 0).
/// let data = canns::ndarray::array![[2.0, 0.0], [-2.0, 0.1]];
/// for _ in 0..200 { oja.train(&mut layer, data.view())?; }
/// assert!(canns::train::line_angle_deg(layer.weights().row(0).as_slice().unwrap(), &[1.0, 0.0]) < 3.0);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// Oja (1982), J. Math. Biology 15(3):267-273, "A simplified neuron model as
/// a principal component analyzer".
///
/// # Example
/// ```
/// use canns::models::LinearLayer;
/// use canns::train::{line_angle_deg, patterns, LearningRule, Oja};
/// // Centred Gaussian data with variances 9 and 1 along random axes.
/// let (x, axes) = patterns::gaussian(300, &[9.0, 1.0], 0)?;
/// let mut layer = LinearLayer::params().n_inputs(2).seed(1).build()?;
/// let mut oja = Oja::params().learning_rate(0.005).epochs(5).build()?;
/// oja.train(&mut layer, x.view())?;
/// // The weight vector turns to the first principal axis, at unit length.
/// let w = layer.weights().row(0).to_vec();
/// let angle = line_angle_deg(&w, axes.row(0).as_slice().unwrap());
/// assert!(angle < 5.0, "{angle}");
/// assert!((w.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < 1e-9);
/// assert!(oja.to_string().contains("1500 samples seen"), "{oja}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct Oja {
    params: OjaParams,
    schedule: Schedule,
    history: History,
    warned: bool,
}

impl Oja {
    /// Default parameters, to adjust and [`OjaParams::build`].
    pub fn params() -> OjaParams {
        OjaParams::default()
    }

    /// The rule's parameters.
    pub fn parameters(&self) -> &OjaParams {
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

    fn warn_if_several_outputs(&mut self, layer: &LinearLayer) {
        if layer.n_outputs() > 1 && !self.warned {
            self.warned = true;
            eprintln!(
                "warning: Oja's rule trains each of the {} outputs independently: every row converges to the \
                 first principal component; use Sanger's rule for several components",
                layer.n_outputs()
            );
        }
    }
}

/// One Oja update of `layer` with sample `x`.
fn update(layer: &mut LinearLayer, x: &[f64], eta: f64, normalize: bool) {
    layer.forward_unchecked(x);
    let (w, y, _) = layer.parts_mut();
    for (row, &yi) in w.chunks_exact_mut(x.len()).zip(y) {
        // w_i += eta y_i x - eta y_i^2 w_i
        let decay = 1.0 - eta * yi * yi;
        scale_add(decay, eta * yi, x, row);
        if normalize {
            normalise(row);
        }
    }
}

impl LearningRule for Oja {
    type Layer = LinearLayer;

    fn name(&self) -> &'static str {
        "oja"
    }

    fn step(&mut self, layer: &mut LinearLayer, x: ArrayView1<f64>) -> Result<()> {
        check_sample(&x, layer.n_inputs())?;
        self.warn_if_several_outputs(layer);
        let p = &self.params;
        self.schedule
            .one(&x, |x| update(layer, x, p.learning_rate, p.normalize));
        check_weights(layer.weights(), self.schedule.samples_seen)
    }

    fn train(&mut self, layer: &mut LinearLayer, data: ArrayView2<f64>) -> Result<()> {
        super::check_data(&data, layer.n_inputs())?;
        self.warn_if_several_outputs(layer);
        let p = &self.params;
        let pass = super::Passes::new("oja", (p.epochs, p.shuffle, p.progress), layer, 4.0);
        let history = p.record_history.then_some(&mut self.history);
        self.schedule
            .train_layer(layer, &data, pass, history, |layer, x| {
                update(layer, x, p.learning_rate, p.normalize)
            })
    }
}

impl std::fmt::Display for Oja {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Oja(eta={}, normalize={}, {} samples seen)",
            self.params.learning_rate, self.params.normalize, self.schedule.samples_seen
        )
    }
}

super::rule_display!(Oja, OjaParams, "samples_seen", "samples presented", |r| r
    .schedule
    .samples_seen);

crate::display::evcxr_display_via_render!(OjaParams, Oja);
