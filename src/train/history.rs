use super::line_angle_deg;
use crate::display::{lines, Bundle, Figure, Render, Series};
use crate::error::{check_memory, Result};
use crate::models::dense::check_components;
use crate::models::LinearLayer;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// The course of training: the weights and BCM thresholds of a
/// [`LinearLayer`] before training and after every epoch, as recorded by
/// [`Oja`](super::Oja), [`Sanger`](super::Sanger) and [`Bcm`](super::Bcm).
///
/// A snapshot costs `n_outputs x n_inputs` weights; the rules check the
/// memory before an epoch-heavy run (turn recording off with their
/// `record_history(false)`).
///
/// ## Examples
/// ```
/// use canns::models::LinearLayer;
/// use canns::train::{patterns, LearningRule, Oja};
/// let (x, axes) = patterns::gaussian(500, &[4.0, 1.0, 0.5], 0)?;
/// let mut layer = LinearLayer::params().n_inputs(3).seed(5).build()?;
/// let mut oja = Oja::params().learning_rate(0.01).epochs(5).build()?;
/// oja.train(&mut layer, x.view())?;
/// let h = oja.history();
/// assert_eq!(h.epochs(), &[0, 1, 2, 3, 4, 5]);             // before training, then each epoch
/// let angles = h.angles(axes.view())?;                     // (6 snapshots, 1 output)
/// assert!(angles[[5, 0]] < angles[[0, 0]] && angles[[5, 0]] < 10.0, "{angles}");
/// let fig = h.plot_angles(axes.view())?;
/// assert_eq!(fig.plot().data().len(), 1);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Example
/// ```
/// use canns::models::LinearLayer;
/// use canns::ndarray::array;
/// use canns::train::{LearningRule, Oja};
/// let data = array![[1.0, 0.2], [-1.0, -0.1], [0.9, 0.0], [-1.1, 0.1]];
/// let mut layer = LinearLayer::params().n_inputs(2).seed(4).build()?;
/// let w0 = layer.weights().clone();
/// let mut oja = Oja::params().learning_rate(0.05).epochs(3).build()?;
/// oja.train(&mut layer, data.view())?;
/// // A snapshot before training and one after each epoch of 4 samples.
/// let h = oja.history();
/// assert_eq!((h.len(), h.epochs(), h.samples()), (4, &[0, 1, 2, 3][..], &[0, 4, 8, 12][..]));
/// assert_eq!((&h.weights()[0], &h.weights()[3]), (&w0, layer.weights()));
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    epochs: Vec<usize>,
    samples: Vec<usize>,
    weights: Vec<Array2<f64>>,
    theta: Vec<Vec<f64>>,
}

impl History {
    /// Number of snapshots.
    pub fn len(&self) -> usize {
        self.epochs.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.epochs.is_empty()
    }

    /// Epochs completed at each snapshot (0: before training).
    pub fn epochs(&self) -> &[usize] {
        &self.epochs
    }

    /// Samples presented at each snapshot.
    pub fn samples(&self) -> &[usize] {
        &self.samples
    }

    /// The weights (`n_outputs x n_inputs`) at each snapshot.
    pub fn weights(&self) -> &[Array2<f64>] {
        &self.weights
    }

    /// The BCM threshold of every output at each snapshot.
    pub fn theta(&self) -> &[Vec<f64>] {
        &self.theta
    }

    /// Forgets every snapshot.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Checks that `epochs` more snapshots of `layer` fit in memory.
    pub(crate) fn check_room(&self, epochs: usize, layer: &LinearLayer) -> Result<()> {
        let per = (layer.n_outputs() * (layer.n_inputs() + 1) * 8 + 64) as u64;
        check_memory(
            "the training history (one weight matrix per epoch)",
            per.saturating_mul(epochs as u64 + 1),
            "set record_history(false) on the rule",
        )
    }

    /// Records the layer after `samples` samples: the initial state on the
    /// first call, and one more epoch on each call with `epoch_done`.
    pub(crate) fn record(&mut self, layer: &LinearLayer, samples: usize, epoch_done: bool) {
        let epoch = match (self.epochs.last(), epoch_done) {
            (None, _) => 0,
            (Some(&e), true) => e + 1,
            (Some(_), false) => return,
        };
        self.epochs.push(epoch);
        self.samples.push(samples);
        self.weights.push(layer.weights().clone());
        self.theta.push(layer.theta().to_vec());
    }

    /// The angle (degrees, sign-invariant) of every output's weight vector
    /// to a direction at every snapshot, `(n_snapshots, n_outputs)`. Row `i`
    /// of the weights is compared with row `i` of `components`, or with the
    /// last row when there are fewer: pass the first principal component
    /// alone for [`Oja`](super::Oja) (every output learns it), the leading
    /// components in order for [`Sanger`](super::Sanger).
    ///
    /// # Errors
    /// [`crate::Error::Shape`] unless `components` has one row or more of
    /// `n_inputs` values, [`crate::Error::Invalid`] when one is not finite.
    pub fn angles(&self, components: ArrayView2<f64>) -> Result<Array2<f64>> {
        let Some(w0) = self.weights.first() else {
            return Ok(Array2::zeros((0, 0)));
        };
        let (n_out, n_in) = w0.dim();
        check_components(&components, n_in)?;
        let k = components.nrows();
        let comp: Vec<Vec<f64>> = components.outer_iter().map(|r| r.to_vec()).collect();
        Ok(Array2::from_shape_fn((self.len(), n_out), |(s, i)| {
            line_angle_deg(&self.weights[s].row(i).to_vec(), &comp[i.min(k - 1)])
        }))
    }

    /// The [`History::angles`] of every output over the epochs.
    ///
    /// # Errors
    /// As [`History::angles`].
    pub fn plot_angles(&self, components: ArrayView2<f64>) -> Result<Figure> {
        let a = self.angles(components)?;
        let k = components.nrows();
        let x: Vec<f64> = self.epochs.iter().map(|&e| e as f64).collect();
        let series = (0..a.ncols())
            .map(|i| {
                Series::line(
                    format!("output {i} vs component {}", i.min(k - 1)),
                    x.clone(),
                    a.column(i).to_vec(),
                )
            })
            .collect();
        Ok(lines(
            "Angle between weight vectors and principal components",
            "epoch",
            "angle (deg)",
            series,
        ))
    }

    /// The BCM threshold `theta` (solid) and the weight norm `|w|` (dashed)
    /// of every output over the epochs.
    pub fn plot_threshold(&self) -> Figure {
        let x: Vec<f64> = self.epochs.iter().map(|&e| e as f64).collect();
        let n_out = self.theta.first().map_or(0, Vec::len);
        let mut series = Vec::new();
        for i in 0..n_out {
            series.push(Series::line(
                format!("theta {i}"),
                x.clone(),
                self.theta.iter().map(|t| t[i]).collect(),
            ));
            series.push(Series::dashed(
                format!("|w {i}|"),
                x.clone(),
                self.weights
                    .iter()
                    .map(|w| w.row(i).dot(&w.row(i)).sqrt())
                    .collect(),
            ));
        }
        lines(
            "Threshold and weight norm during training",
            "epoch",
            "theta, |w|",
            series,
        )
    }
}

impl std::fmt::Display for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shape = self.weights.first().map_or((0, 0), |w| w.dim());
        write!(
            f,
            "History({} snapshots of {} x {} weights, {} samples)",
            self.len(),
            shape.0,
            shape.1,
            self.samples.last().copied().unwrap_or(0)
        )
    }
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl Render for History {
    fn bundle(&self) -> Bundle {
        Bundle::figure(self.plot_threshold().plot(), "", self.to_string())
    }
}

crate::display::evcxr_display_via_render!(History);
