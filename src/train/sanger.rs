use super::{check_sample, check_weights, normalise, History, LearningRule, Schedule};
use crate::display::KeyValues;
use crate::error::Result;
use crate::models::dense::axpy;
use crate::models::LinearLayer;
use crate::params::{check, setters, Params};
use crate::pipeline::progress::ShowProgress;
use ndarray::{ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

/// Parameters of [`Sanger`]'s rule.
///
/// # Example
/// ```
/// use canns::models::LinearLayer;
/// use canns::ndarray::array;
/// use canns::train::{LearningRule, Sanger};
/// let mut gha = Sanger::params().learning_rate(0.01).epochs(2).normalize(false).build()?;
/// let mut layer = LinearLayer::params().n_inputs(2).n_outputs(2).build()?;
/// gha.train(&mut layer, array![[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]].view())?;
/// assert_eq!((gha.samples_seen(), gha.history().epochs()), (6, &[0, 1, 2][..]));
/// assert!(!gha.parameters().normalize);
/// let err = Sanger::params().learning_rate(-1.0).build().unwrap_err();
/// assert!(err.to_string().contains("learning_rate"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SangerParams {
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

impl Default for SangerParams {
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

impl SangerParams {
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
    pub fn build(&self) -> Result<Sanger> {
        self.validate()?;
        Ok(Sanger {
            schedule: Schedule::new(self.seed),
            history: History::default(),
            params: self.clone(),
            resid: Vec::new(),
        })
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("SangerParams")
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

impl Params for SangerParams {
    const NAME: &'static str = "SangerParams";

    fn validate(&self) -> Result<()> {
        check::positive("learning_rate", self.learning_rate)?;
        check::at_least("epochs", self.epochs, 1)?;
        Ok(())
    }
}

/// Sanger's rule (the generalized Hebbian algorithm): output `i` learns the
/// `i`-th principal component of its (centred) input, each output removing
/// what the outputs before it already explain.
///
/// ```text
/// y = W x
/// W <- W + eta (y x^T - LT(y y^T) W)        LT: lower triangle with the diagonal
///   per row: w_i += eta y_i (x - sum_{k <= i} y_k w_k)
/// w_i <- w_i / |w_i|                         (when `normalize`)
/// ```
///
/// The first row follows [`Oja`](super::Oja)'s rule; row `i` sees the input
/// with the projections on rows `0..i` removed (Gram-Schmidt in the
/// learning), so the rows converge to the leading eigenvectors of `E[x x^T]`
/// in order and become orthonormal. Centre the data first.
///
/// ## Examples
/// ```
/// use canns::models::LinearLayer;
/// use canns::train::{LearningRule, Sanger};
/// let mut layer = LinearLayer::params().n_inputs(3).n_outputs(2).seed(1).build()?;
/// let mut gha = Sanger::params().learning_rate(0.02).epochs(300).build()?;
/// // Variance 4 along axis 1, 1 along axis 0, none along axis 2.
/// let data = canns::ndarray::array![[1.0, 2.0, 0.0], [-1.0, 2.0, 0.0], [1.0, -2.0, 0.0], [-1.0, -2.0, 0.0]];
/// gha.train(&mut layer, data.view())?;
/// let w = layer.weights();
/// assert!(canns::train::line_angle_deg(w.row(0).as_slice().unwrap(), &[0.0, 1.0, 0.0]) < 2.0);
/// assert!(canns::train::line_angle_deg(w.row(1).as_slice().unwrap(), &[1.0, 0.0, 0.0]) < 2.0);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// Sanger (1989), Neural Networks 2(6):459-473, "Optimal unsupervised
/// learning in a single-layer linear feedforward neural network".
///
/// # Example
/// ```
/// use canns::models::LinearLayer;
/// use canns::ndarray::array;
/// use canns::train::{line_angle_deg, LearningRule, Sanger};
/// // Variance 9 along axis 2, 1 along axis 1, none along axis 0.
/// let data = array![[0.0, 1.0, 3.0], [0.0, -1.0, 3.0], [0.0, 1.0, -3.0], [0.0, -1.0, -3.0]];
/// let mut layer = LinearLayer::params().n_inputs(3).n_outputs(2).seed(2).build()?;
/// Sanger::params().learning_rate(0.01).epochs(300).build()?.train(&mut layer, data.view())?;
/// let w = layer.weights();
/// let (w0, w1) = (w.row(0).to_vec(), w.row(1).to_vec());
/// assert!(line_angle_deg(&w0, &[0.0, 0.0, 1.0]) < 2.0 && line_angle_deg(&w1, &[0.0, 1.0, 0.0]) < 2.0);
/// // The rows come out orthonormal.
/// assert!(w.row(0).dot(&w.row(1)).abs() < 0.05);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct Sanger {
    params: SangerParams,
    schedule: Schedule,
    history: History,
    resid: Vec<f64>,
}

impl Sanger {
    /// Default parameters, to adjust and [`SangerParams::build`].
    pub fn params() -> SangerParams {
        SangerParams::default()
    }

    /// The rule's parameters.
    pub fn parameters(&self) -> &SangerParams {
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

/// One Sanger update of `layer` with sample `x`; `resid` is scratch.
fn update(layer: &mut LinearLayer, x: &[f64], eta: f64, normalize: bool, resid: &mut Vec<f64>) {
    layer.forward_unchecked(x);
    resid.clear();
    resid.extend_from_slice(x);
    let (w, y, _) = layer.parts_mut();
    for (row, &yi) in w.chunks_exact_mut(x.len()).zip(y) {
        // The residual removes y_k w_k for every k <= i, each with the weights
        // before this sample's update (row i is updated after its own removal).
        axpy(-yi, row, resid);
        axpy(eta * yi, resid, row);
        if normalize {
            normalise(row);
        }
    }
}

impl LearningRule for Sanger {
    type Layer = LinearLayer;

    fn name(&self) -> &'static str {
        "sanger"
    }

    fn step(&mut self, layer: &mut LinearLayer, x: ArrayView1<f64>) -> Result<()> {
        check_sample(&x, layer.n_inputs())?;
        let (p, resid) = (&self.params, &mut self.resid);
        self.schedule.one(&x, |x| {
            update(layer, x, p.learning_rate, p.normalize, resid)
        });
        check_weights(layer.weights(), self.schedule.samples_seen)
    }

    fn train(&mut self, layer: &mut LinearLayer, data: ArrayView2<f64>) -> Result<()> {
        super::check_data(&data, layer.n_inputs())?;
        let (p, resid) = (&self.params, &mut self.resid);
        let pass = super::Passes::new("sanger", (p.epochs, p.shuffle, p.progress), layer, 6.0);
        let history = p.record_history.then_some(&mut self.history);
        self.schedule
            .train_layer(layer, &data, pass, history, |layer, x| {
                update(layer, x, p.learning_rate, p.normalize, resid)
            })
    }
}

impl std::fmt::Display for Sanger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Sanger(eta={}, normalize={}, {} samples seen)",
            self.params.learning_rate, self.params.normalize, self.schedule.samples_seen
        )
    }
}

super::rule_display!(
    Sanger,
    SangerParams,
    "samples_seen",
    "samples presented",
    |r| r.schedule.samples_seen
);

crate::display::evcxr_display_via_render!(SangerParams, Sanger);
