//! Learning rules: Hebbian and anti-Hebbian storage in a Hopfield network,
//! Oja's and Sanger's principal-component rules and the BCM rule on a
//! [`LinearLayer`], and spike-timing-dependent
//! plasticity on a [`SpikingLayer`](crate::models::SpikingLayer).
//!
//! Every rule implements [`LearningRule`]: [`LearningRule::step`] presents one
//! sample, [`LearningRule::train`] presents the rows of a data matrix
//! (`n_samples x n_inputs`, any [`ArrayView2`], never copied). The online
//! rules (Oja, Sanger, BCM, STDP) update after every sample, for `epochs`
//! passes, in row order or (`shuffle`) in a fresh order per epoch drawn from
//! the rule's `seed`; the Hebbian rule is a batch rule: one call stores all
//! rows. Long runs show progress on a terminal (see
//! [`ShowProgress`]).
//!
//! | rule | layer | update per sample `x` |
//! | --- | --- | --- |
//! | [`Hebbian`] | [`Hopfield`](crate::models::Hopfield) | `W += +-eta / n (x - rho)(x - rho)^T`, zero diagonal |
//! | [`Oja`] | [`LinearLayer`] | `W += eta (y x^T - diag(y^2) W)` |
//! | [`Sanger`] | [`LinearLayer`] | `W += eta (y x^T - LT(y y^T) W)` |
//! | [`Bcm`] | [`LinearLayer`] | `W += eta y (y - theta) x^T`, `theta += (y^2 - theta) / tau` |
//! | [`Stdp`] | [`SpikingLayer`](crate::models::SpikingLayer) | `W += eta (A+ s trace_pre^T - A- trace_post x^T)` |
//!
//! A rule holds its own settings and schedule (and the shuffling generator)
//! and, for Oja, Sanger and BCM, a [`History`] of the weights and thresholds
//! after every epoch (angles to principal components, threshold plots); the
//! layer holds the weights and the neural state (potentials, traces, the
//! BCM threshold). [`Stdp::window`] measures the rule's timing window. Training the same layer with the same data and seeds gives
//! the same weights, bit for bit.
//!
//! # Examples
//! ```
//! use canns::models::LinearLayer;
//! use canns::train::{LearningRule, Oja};
//! use canns::ndarray::Array2;
//! // Data spread along (1, 1) / sqrt(2).
//! let data = Array2::from_shape_fn((400, 2), |(i, j)| {
//!     let t = (i as f64 * 0.7).sin() * 2.0;
//!     t + if j == 0 { 0.1 } else { -0.1 } * (i as f64 * 1.3).cos()
//! });
//! let mut layer = LinearLayer::params().n_inputs(2).build()?;
//! Oja::params().learning_rate(0.01).epochs(5).build()?.train(&mut layer, data.view())?;
//! let w = layer.weights();
//! assert!((w[[0, 0]].abs() - 0.5f64.sqrt()).abs() < 0.02);
//! # Ok::<(), canns::Error>(())
//! ```

pub(crate) mod bcm;
pub(crate) mod hebbian;
pub(crate) mod history;
pub(crate) mod oja;
pub mod patterns;
pub(crate) mod sanger;
pub(crate) mod stdp;

pub use bcm::{Bcm, BcmParams};
pub use hebbian::{Hebbian, HebbianParams, Normalization};
pub use history::History;
pub use oja::{Oja, OjaParams};
pub use sanger::{Sanger, SangerParams};
pub use stdp::{Stdp, StdpParams, StdpWindow};

use crate::error::{Error, Result};
use crate::models::dense::first_non_finite;
use crate::models::LinearLayer;
use crate::pipeline::progress::{Progress, ShowProgress};
use crate::random::SeededRng;
use ndarray::{Array2, ArrayView1, ArrayView2};
use rand::seq::SliceRandom;

/// A rule that changes the weights of a layer from the samples it is shown.
///
/// # Example
/// ```
/// use canns::models::LinearLayer;
/// use canns::ndarray::array;
/// use canns::train::{LearningRule, Oja};
/// // Code written against `LearningRule` trains any rule's layer.
/// fn present<R: LearningRule>(rule: &mut R, layer: &mut R::Layer, x: &[f64]) -> canns::Result<()> {
///     rule.step(layer, canns::ndarray::ArrayView1::from(x))
/// }
/// let mut layer = LinearLayer::params().n_inputs(2).build()?;
/// layer.set_weights(array![[1.0, 0.0]].view())?;
/// // One Oja step: y = w.x = 1, w += eta y (x - y w) = 0.1 (0, 1).
/// let mut oja = Oja::params().learning_rate(0.1).normalize(false).build()?;
/// present(&mut oja, &mut layer, &[1.0, 1.0])?;
/// assert_eq!(oja.name(), "oja");
/// assert!((layer.weights()[[0, 0]] - 1.0).abs() < 1e-12 && (layer.weights()[[0, 1]] - 0.1).abs() < 1e-12);
/// // A sample of the wrong length is an error, not a panic.
/// assert!(present(&mut oja, &mut layer, &[1.0]).is_err());
/// # Ok::<(), canns::Error>(())
/// ```
pub trait LearningRule {
    /// The kind of network the rule trains.
    type Layer;

    /// Short name (e.g. `"oja"`).
    fn name(&self) -> &'static str;

    /// Presents one sample `x` (`n_inputs` values).
    ///
    /// # Errors
    /// [`Error::Shape`] when `x` does not fit the layer, [`Error::Invalid`]
    /// when a value is not finite, [`Error::Diverged`] when the weights stop
    /// being finite.
    fn step(&mut self, layer: &mut Self::Layer, x: ArrayView1<f64>) -> Result<()>;

    /// Presents the rows of `data` (`n_samples x n_inputs`): online rules
    /// sample by sample for their number of epochs, batch rules at once.
    ///
    /// # Shapes
    /// `data` is `(n_samples, n_inputs)`, one sample per row.
    ///
    /// # Errors
    /// [`Error::Shape`] when `data` does not fit the layer, [`Error::Invalid`]
    /// when an entry is not finite (naming its row and column; the layer is
    /// then unchanged), [`Error::Diverged`] when the weights stop being finite.
    fn train(&mut self, layer: &mut Self::Layer, data: ArrayView2<f64>) -> Result<()>;
}

/// Checks that `data` has `n_cols` columns and only finite entries.
pub(crate) fn check_data(data: &ArrayView2<f64>, n_cols: usize) -> Result<()> {
    if data.ncols() != n_cols {
        return Err(Error::shape("data columns", n_cols, data.ncols()));
    }
    for (r, row) in data.outer_iter().enumerate() {
        if let Some((c, v)) = first_non_finite(row.iter()) {
            return Err(Error::Invalid(format!(
                "data[{r}, {c}] must be finite (got {v})"
            )));
        }
    }
    Ok(())
}

/// Checks one sample: `n` finite values.
pub(crate) fn check_sample(x: &ArrayView1<f64>, n: usize) -> Result<()> {
    if x.len() != n {
        return Err(Error::shape("sample x", n, x.len()));
    }
    if let Some((i, v)) = first_non_finite(x.iter()) {
        return Err(Error::Invalid(format!("x[{i}] must be finite (got {v})")));
    }
    Ok(())
}

/// The row as a slice: itself when contiguous, otherwise copied into
/// `scratch` (one row, reused; the data matrix is never copied).
pub(crate) fn as_contiguous<'a>(
    row: &'a ArrayView1<'a, f64>,
    scratch: &'a mut Vec<f64>,
) -> &'a [f64] {
    match row.as_slice() {
        Some(s) => s,
        None => {
            scratch.clear();
            scratch.extend(row.iter());
            scratch
        }
    }
}

/// [`Error::Diverged`] when a weight is not finite after `samples` samples.
pub(crate) fn check_weights(w: &Array2<f64>, samples: usize) -> Result<()> {
    match first_non_finite(w.iter()) {
        None => Ok(()),
        Some((i, v)) => Err(Error::Diverged {
            step: samples,
            t: samples as f64,
            what: format!(
                "weight [{}, {}] = {v} (lower the learning rate)",
                i / w.ncols().max(1),
                i % w.ncols().max(1)
            ),
        }),
    }
}

/// The display of a learning rule: `Debug` as its one-line `Display`, the rule
/// rendered as its parameters' table plus how much it has seen (`$key`, read
/// by `$seen` from `$this`), and its parameters rendered as their table.
macro_rules! rule_display {
    ($rule:ident, $params:ident, $key:literal, $what:literal, |$this:ident| $seen:expr) => {
        impl std::fmt::Debug for $rule {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{self}")
            }
        }

        impl $crate::display::Render for $rule {
            fn bundle(&self) -> $crate::display::Bundle {
                let $this = self;
                let t = self.params.table().row($key, $seen, $what);
                $crate::display::Bundle::html(t.to_html(), self.to_string())
            }
        }

        impl $crate::display::Render for $params {
            fn bundle(&self) -> $crate::display::Bundle {
                $crate::display::Bundle::html(self.table().to_html(), format!("{self:?}"))
            }
        }
    };
}
pub(crate) use rule_display;

/// The presentation schedule of an online rule: epochs over the rows, in
/// order or shuffled afresh each epoch by a seeded generator.
#[derive(Clone)]
pub(crate) struct Schedule {
    rng: SeededRng,
    order: Vec<usize>,
    pub(crate) samples_seen: usize,
    scratch: Vec<f64>,
}

impl Schedule {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            rng: crate::random::seeded(seed),
            order: Vec::new(),
            samples_seen: 0,
            scratch: Vec::new(),
        }
    }

    /// Calls `f` on one sample (as a slice) and counts it.
    pub(crate) fn one(&mut self, x: &ArrayView1<f64>, f: impl FnOnce(&[f64])) {
        match x.as_slice() {
            Some(s) => f(s),
            None => {
                self.scratch.clear();
                self.scratch.extend(x.iter());
                f(&self.scratch);
            }
        }
        self.samples_seen += 1;
    }

    /// A progress bar for `epochs` passes over `n_rows` rows; `work` is the
    /// cost of one sample (for [`ShowProgress::Auto`]).
    pub(crate) fn bar(
        label: &str,
        n_rows: usize,
        epochs: usize,
        progress: ShowProgress,
        work: f64,
    ) -> Progress {
        let total = n_rows * epochs;
        Progress::new(label, total, total as f64 * work, progress)
    }

    /// Calls `f` on every row of `data` once (in row order, or shuffled
    /// afresh), advancing `bar` from `done` samples.
    pub(crate) fn epoch(
        &mut self,
        data: &ArrayView2<f64>,
        shuffle: bool,
        bar: &mut Progress,
        done: &mut usize,
        mut f: impl FnMut(&[f64]),
    ) {
        let n = data.nrows();
        if shuffle {
            if self.order.len() != n {
                self.order = (0..n).collect();
            }
            self.order.shuffle(&mut self.rng);
        }
        for k in 0..n {
            let i = if shuffle { self.order[k] } else { k };
            let row = data.row(i);
            match row.as_slice() {
                Some(x) => f(x),
                None => {
                    self.scratch.clear();
                    self.scratch.extend(row.iter());
                    f(&self.scratch);
                }
            }
            *done += 1;
            if (*done).is_multiple_of(4096) {
                bar.update(*done);
            }
        }
        bar.update(*done);
        self.samples_seen += n;
    }
}

/// How an online rule passes over a data set: `epochs` passes, shuffled
/// afresh each pass or in row order, with progress under `label` (`work`:
/// the cost of one sample, for [`ShowProgress::Auto`]).
pub(crate) struct Passes {
    pub(crate) label: &'static str,
    pub(crate) epochs: usize,
    pub(crate) shuffle: bool,
    pub(crate) progress: ShowProgress,
    pub(crate) work: f64,
}

impl Passes {
    /// `epochs` passes of `layer`'s rule at `ops_per_weight` operations per
    /// weight and sample (the progress estimate's unit of work).
    pub(crate) fn new(
        label: &'static str,
        (epochs, shuffle, progress): (usize, bool, ShowProgress),
        layer: &LinearLayer,
        ops_per_weight: f64,
    ) -> Self {
        Self {
            label,
            epochs,
            shuffle,
            progress,
            work: ops_per_weight * (layer.n_inputs() * layer.n_outputs()) as f64,
        }
    }
}

impl Schedule {
    /// Trains a linear layer by `update` on every sample of `pass`, recording
    /// its weights into `history` (when given) before the first pass and
    /// after each, and checks that the weights stayed finite.
    pub(crate) fn train_layer(
        &mut self,
        layer: &mut LinearLayer,
        data: &ArrayView2<f64>,
        pass: Passes,
        mut history: Option<&mut History>,
        mut update: impl FnMut(&mut LinearLayer, &[f64]),
    ) -> Result<()> {
        if let Some(h) = history.as_deref_mut() {
            h.check_room(pass.epochs, layer)?;
            h.record(layer, self.samples_seen, false);
        }
        let mut bar = Self::bar(
            pass.label,
            data.nrows(),
            pass.epochs,
            pass.progress,
            pass.work,
        );
        let mut done = 0;
        for _ in 0..pass.epochs {
            self.epoch(data, pass.shuffle, &mut bar, &mut done, |x| {
                update(layer, x)
            });
            if let Some(h) = history.as_deref_mut() {
                h.record(layer, self.samples_seen, true);
            }
        }
        check_weights(layer.weights(), self.samples_seen)
    }
}

impl std::fmt::Debug for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Schedule({} samples seen)", self.samples_seen)
    }
}

/// Scales `row` to unit length (a row of zeros stays zero).
#[inline]
pub(crate) fn normalise(row: &mut [f64]) {
    let norm = crate::models::dense::dot(row, row).sqrt();
    if norm > 0.0 {
        crate::models::dense::scale(1.0 / norm, row);
    }
}

/// Angle in degrees between the lines spanned by `a` and `b` (sign-invariant,
/// in [0, 90]); NaN when either is zero.
///
/// # Examples
/// ```
/// let a = canns::train::line_angle_deg(&[1.0, 0.0], &[-1.0, 1.0]);
/// assert!((a - 45.0).abs() < 1e-12);
/// ```
pub fn line_angle_deg(a: &[f64], b: &[f64]) -> f64 {
    let d = crate::models::dense::dot(a, b);
    let na = crate::models::dense::dot(a, a).sqrt();
    let nb = crate::models::dense::dot(b, b).sqrt();
    if na == 0.0 || nb == 0.0 {
        return f64::NAN;
    }
    (d.abs() / (na * nb)).clamp(0.0, 1.0).acos().to_degrees()
}
