use super::dense::{check_components, first_non_finite, gaussian_matrix, matvec};
use crate::display::{heatmap, lines, Bundle, Figure, KeyValues, Render, Series};
use crate::error::{Error, Result};
use crate::params::{check, setters, Params};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// Parameters of a [`LinearLayer`].
///
/// # Example
/// ```
/// use canns::models::LinearLayer;
/// let layer = LinearLayer::params().n_inputs(4).n_outputs(3).theta_init(0.5).build()?;
/// assert_eq!(layer.weights().dim(), (3, 4));
/// assert_eq!(layer.theta(), &[0.5, 0.5, 0.5]);
/// // `theta_tau` counts samples and must be at least 1.
/// let err = LinearLayer::params().theta_tau(0.5).build().unwrap_err();
/// assert!(err.to_string().contains("theta_tau"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinearLayerParams {
    /// Number of inputs (columns of `W`). Default 10.
    pub n_inputs: usize,
    /// Number of outputs (rows of `W`). Default 1.
    pub n_outputs: usize,
    /// Standard deviation of the initial weights, `W_ij ~ w_std N(0, 1)`. Default 0.01 (as canns).
    pub w_std: f64,
    /// Initial BCM threshold `theta_0` of every output. Default 0.1 (as canns).
    pub theta_init: f64,
    /// Time constant `tau_theta` of the threshold, in samples. Default 100 (as canns).
    pub theta_tau: f64,
    /// Seed of the initial weights. Default 0.
    pub seed: u64,
}

impl Default for LinearLayerParams {
    fn default() -> Self {
        Self {
            n_inputs: 10,
            n_outputs: 1,
            w_std: 0.01,
            theta_init: 0.1,
            theta_tau: 100.0,
            seed: 0,
        }
    }
}

impl LinearLayerParams {
    setters! {
        /// Sets `n_inputs`.
        n_inputs: usize,
        /// Sets `n_outputs`.
        n_outputs: usize,
        /// Sets `w_std`.
        w_std: f64,
        /// Sets `theta_init`.
        theta_init: f64,
        /// Sets `theta_tau` (samples).
        theta_tau: f64,
        /// Sets `seed`.
        seed: u64,
    }

    /// Validates and builds the layer.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn build(&self) -> Result<LinearLayer> {
        LinearLayer::new(self.clone())
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("LinearLayerParams")
            .row("n_inputs", self.n_inputs, "inputs (columns of W)")
            .row("n_outputs", self.n_outputs, "outputs (rows of W)")
            .row("w_std", self.w_std, "initial weight std")
            .row("theta_init", self.theta_init, "initial BCM threshold")
            .row(
                "theta_tau",
                self.theta_tau,
                "threshold time constant (samples)",
            )
            .row("seed", self.seed, "seed of the initial weights")
    }
}

impl Params for LinearLayerParams {
    const NAME: &'static str = "LinearLayerParams";

    fn validate(&self) -> Result<()> {
        check::at_least("n_inputs", self.n_inputs, 1)?;
        check::at_least("n_outputs", self.n_outputs, 1)?;
        check::non_negative("w_std", self.w_std)?;
        check::finite("theta_init", self.theta_init)?;
        if !(self.theta_tau.is_finite() && self.theta_tau >= 1.0) {
            return Err(
                crate::ParamError::new("theta_tau", "finite and >= 1", self.theta_tau).into(),
            );
        }
        Ok(())
    }
}

/// `LinearLayer`: `y = W x`, the layer that Oja's, Sanger's and the BCM rule
/// train, with the sliding modification threshold of BCM theory.
///
/// ```text
/// y = W x                              W: n_outputs x n_inputs, W_ij ~ w_std N(0, 1)
/// theta <- theta + (y^2 - theta) / tau_theta      (update_threshold, per output)
/// ```
///
/// The threshold tracks the recent mean of `y^2` over `tau_theta` samples, as
/// in Bienenstock, Cooper & Munro (1982) with the running average of Intrator
/// & Cooper (1992). It is state of the layer (the neuron's own history), and
/// [`crate::train::Bcm`] moves it; the other rules leave it alone.
///
/// ## Examples
/// ```
/// use canns::models::LinearLayer;
/// let mut layer = LinearLayer::params().n_inputs(3).n_outputs(2).seed(1).build()?;
/// layer.set_weights(canns::ndarray::array![[1.0, 0.0, 0.0], [0.0, 2.0, 1.0]].view())?;
/// assert_eq!(layer.forward(&[1.0, 2.0, 3.0])?, &[1.0, 7.0]);
/// layer.update_threshold();
/// assert!((layer.theta()[1] - (0.1 + (49.0 - 0.1) / 100.0)).abs() < 1e-12);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Bienenstock, Cooper & Munro (1982), J. Neurosci. 2(1):32-48.
/// - Intrator & Cooper (1992), Neural Networks 5(1):3-17.
///
/// # Example
/// ```
/// use canns::models::LinearLayer;
/// use canns::ndarray::array;
/// let mut layer = LinearLayer::params().n_inputs(2).n_outputs(2).build()?;
/// layer.set_weights(array![[1.0, -1.0], [0.5, 0.5]].view())?;
/// // One sample, then a batch (the batch leaves the layer's state alone).
/// assert_eq!(layer.forward(&[3.0, 1.0])?, &[2.0, 2.0]);
/// let y = layer.responses(array![[1.0, 1.0], [2.0, 0.0]].view())?;
/// assert_eq!(y, array![[0.0, 1.0], [2.0, 1.0]]);
/// assert_eq!(layer.output(), &[2.0, 2.0]);
/// assert!(layer.to_string().starts_with("LinearLayer(2 -> 2"), "{layer}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct LinearLayer {
    params: LinearLayerParams,
    w: Array2<f64>,
    y: Vec<f64>,
    theta: Vec<f64>,
}

impl LinearLayer {
    /// Default parameters, to adjust and [`LinearLayerParams::build`].
    pub fn params() -> LinearLayerParams {
        LinearLayerParams::default()
    }

    /// Builds the layer from validated parameters.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn new(params: LinearLayerParams) -> Result<Self> {
        params.validate()?;
        let w = gaussian_matrix(
            params.n_outputs,
            params.n_inputs,
            0.0,
            params.w_std,
            params.seed,
        );
        Ok(Self {
            y: vec![0.0; params.n_outputs],
            theta: vec![params.theta_init; params.n_outputs],
            w,
            params,
        })
    }

    /// The parameters this layer was built with.
    pub fn parameters(&self) -> &LinearLayerParams {
        &self.params
    }

    /// Number of inputs.
    pub fn n_inputs(&self) -> usize {
        self.params.n_inputs
    }

    /// Number of outputs.
    pub fn n_outputs(&self) -> usize {
        self.params.n_outputs
    }

    /// The weights `W` (`n_outputs x n_inputs`).
    pub fn weights(&self) -> &Array2<f64> {
        &self.w
    }

    /// The weights (row-major) for writing, with the output and threshold.
    pub(crate) fn parts_mut(&mut self) -> (&mut [f64], &[f64], &mut [f64]) {
        (
            self.w
                .as_slice_mut()
                .expect("weights are kept in standard layout"),
            &self.y,
            &mut self.theta,
        )
    }

    /// Replaces the weights.
    ///
    /// # Errors
    /// [`Error::Shape`] unless `w` is `n_outputs x n_inputs`, [`Error::Invalid`]
    /// when an entry is not finite.
    pub fn set_weights(&mut self, w: ArrayView2<f64>) -> Result<()> {
        let want = (self.params.n_outputs, self.params.n_inputs);
        if w.dim() != want {
            return Err(Error::shape(
                "LinearLayer weights",
                format!("{want:?}"),
                format!("{:?}", w.dim()),
            ));
        }
        if let Some((i, v)) = first_non_finite(w.iter()) {
            return Err(Error::Invalid(format!(
                "weights[{}, {}] must be finite (got {v})",
                i / want.1,
                i % want.1
            )));
        }
        self.w.assign(&w);
        Ok(())
    }

    /// The response `y = W x`, stored as the layer's output.
    ///
    /// # Errors
    /// [`Error::Shape`] unless `x` has `n_inputs` values, [`Error::Invalid`]
    /// when one is not finite.
    pub fn forward(&mut self, x: &[f64]) -> Result<&[f64]> {
        check_input("x", x, self.params.n_inputs)?;
        self.forward_unchecked(x);
        Ok(&self.y)
    }

    pub(crate) fn forward_unchecked(&mut self, x: &[f64]) {
        matvec(
            self.w
                .as_slice()
                .expect("weights are kept in standard layout"),
            x,
            &mut self.y,
        );
    }

    /// The output `y` of the last [`LinearLayer::forward`].
    pub fn output(&self) -> &[f64] {
        &self.y
    }

    /// The BCM threshold `theta` of every output.
    pub fn theta(&self) -> &[f64] {
        &self.theta
    }

    /// Moves the threshold towards the square of the last output:
    /// `theta <- theta + (y^2 - theta) / tau_theta`.
    pub fn update_threshold(&mut self) {
        let k = 1.0 / self.params.theta_tau;
        for (t, y) in self.theta.iter_mut().zip(&self.y) {
            *t += (y * y - *t) * k;
        }
    }

    /// Output and threshold back to their initial values; the weights stay.
    pub fn reset_state(&mut self) {
        self.y.fill(0.0);
        self.theta.fill(self.params.theta_init);
    }

    /// Responses to every row of `data` (`n_samples x n_inputs`), as
    /// `n_samples x n_outputs`; the layer's state is unchanged.
    ///
    /// # Errors
    /// [`Error::Shape`] when `data` does not have `n_inputs` columns.
    pub fn responses(&self, data: ArrayView2<f64>) -> Result<Array2<f64>> {
        if data.ncols() != self.params.n_inputs {
            return Err(Error::shape(
                "data columns",
                self.params.n_inputs,
                data.ncols(),
            ));
        }
        Ok(data.dot(&self.w.t()))
    }

    /// The weights as a heatmap (one row per output).
    pub fn plot_weights(&self) -> Figure {
        let (r, c) = self.w.dim();
        heatmap(
            "LinearLayer weights W",
            "input",
            "output",
            (0..c).map(|j| j as f64).collect(),
            (0..r).map(|i| i as f64).collect(),
            self.w.outer_iter().map(|row| row.to_vec()).collect(),
        )
    }

    /// Every output's weight vector (solid) against a direction (dashed),
    /// over the input index: row `i` with row `i` of `components`, or with
    /// the last row when there are fewer (as
    /// [`History::angles`](crate::train::History::angles)). Each component
    /// is scaled to unit length and signed to agree with its weights, and
    /// the legend gives the angle between them.
    ///
    /// # Errors
    /// [`Error::Shape`] unless `components` has one row or more of
    /// `n_inputs` values, [`Error::Invalid`] when one is not finite.
    pub fn plot_components(&self, components: ArrayView2<f64>) -> Result<Figure> {
        let n_in = self.params.n_inputs;
        check_components(&components, n_in)?;
        let k = components.nrows();
        let x: Vec<f64> = (0..n_in).map(|j| j as f64).collect();
        let mut series = Vec::new();
        for (i, w) in self.w.outer_iter().enumerate() {
            let c = components.row(i.min(k - 1));
            let norm = c.dot(&c).sqrt();
            let sign = if w.dot(&c) < 0.0 { -1.0 } else { 1.0 };
            let angle = crate::train::line_angle_deg(&w.to_vec(), &c.to_vec());
            series.push(Series::line(
                format!("w {i} ({angle:.1} deg)"),
                x.clone(),
                w.to_vec(),
            ));
            series.push(Series::dashed(
                format!("component {}", i.min(k - 1)),
                x.clone(),
                c.iter()
                    .map(|v| if norm > 0.0 { sign * v / norm } else { 0.0 })
                    .collect(),
            ));
        }
        Ok(lines(
            "Weight vectors and principal components",
            "input",
            "weight",
            series,
        ))
    }

    /// The weights of each output reshaped as a `width`-wide image (row-major
    /// over the inputs), side by side: receptive fields of image inputs.
    ///
    /// # Errors
    /// [`Error::Param`] unless `width` divides `n_inputs`.
    pub fn plot_receptive_fields(&self, width: usize) -> Result<Figure> {
        let rows: Vec<(String, Vec<f64>)> = self
            .w
            .outer_iter()
            .enumerate()
            .map(|(i, r)| (format!("output {i}"), r.to_vec()))
            .collect();
        image_strip("Receptive fields (weights of each output)", &rows, width)
    }
}

/// Checks that `x` has `n` finite values.
pub(crate) fn check_input(what: &str, x: &[f64], n: usize) -> Result<()> {
    if x.len() != n {
        return Err(Error::shape(what, n, x.len()));
    }
    if let Some((i, v)) = first_non_finite(x) {
        return Err(Error::Invalid(format!(
            "{what}[{i}] must be finite (got {v})"
        )));
    }
    Ok(())
}

/// Vectors of equal length shown as `width`-wide images side by side (one
/// blank column between them), each titled below by its name.
pub(crate) fn image_strip(
    title: &str,
    images: &[(String, Vec<f64>)],
    width: usize,
) -> Result<Figure> {
    let len = images.first().map_or(0, |(_, v)| v.len());
    if width == 0 || !len.is_multiple_of(width) {
        return Err(crate::ParamError::new(
            "width",
            format!("a divisor of the image length {len}"),
            width,
        )
        .into());
    }
    if let Some((name, v)) = images.iter().find(|(_, v)| v.len() != len) {
        return Err(Error::shape(format!("image `{name}`"), len, v.len()));
    }
    let height = len / width;
    let cols = images.len() * (width + 1);
    let mut z = vec![vec![f64::NAN; cols.saturating_sub(1)]; height];
    for (k, (_, v)) in images.iter().enumerate() {
        for r in 0..height {
            for c in 0..width {
                // Row 0 of the image at the top.
                z[height - 1 - r][k * (width + 1) + c] = v[r * width + c];
            }
        }
    }
    let names: Vec<&str> = images.iter().map(|(n, _)| n.as_str()).collect();
    let mut plot = heatmap(
        title,
        &names.join("  |  "),
        "",
        (0..cols.saturating_sub(1)).map(|j| j as f64).collect(),
        (0..height).map(|i| i as f64).collect(),
        z,
    );
    let layout = plot
        .layout()
        .clone()
        .x_axis(
            plotly::layout::Axis::new()
                .show_tick_labels(false)
                .title(plotly::common::Title::from(names.join("  |  ").as_str())),
        )
        .y_axis(
            plotly::layout::Axis::new()
                .show_tick_labels(false)
                .scale_anchor("x")
                .scale_ratio(1.0),
        );
    plot.set_layout(layout);
    Ok(plot)
}

impl std::fmt::Display for LinearLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let norms: Vec<String> = self
            .w
            .outer_iter()
            .take(4)
            .map(|r| format!("{:.3}", r.dot(&r).sqrt()))
            .collect();
        write!(
            f,
            "LinearLayer({} -> {}, |w_i| = [{}{}])",
            self.params.n_inputs,
            self.params.n_outputs,
            norms.join(", "),
            if self.params.n_outputs > 4 {
                ", ..."
            } else {
                ""
            }
        )
    }
}

impl std::fmt::Debug for LinearLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl Render for LinearLayer {
    fn bundle(&self) -> Bundle {
        let theta: Vec<String> = self
            .theta
            .iter()
            .take(4)
            .map(|t| format!("{t:.4}"))
            .collect();
        let table = self
            .params
            .table()
            .row("theta", theta.join(", "), "current BCM threshold")
            .to_html();
        Bundle::figure(self.plot_weights().plot(), &table, self.to_string())
    }
}

impl Render for LinearLayerParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(self.table().to_html(), format!("{self:?}"))
    }
}

crate::display::evcxr_display_via_render!(LinearLayerParams, LinearLayer);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_rejects_bad_values_naming_field_and_value() {
        let cases = [
            (LinearLayer::params().n_inputs(0), "`n_inputs`"),
            (LinearLayer::params().n_outputs(0), "`n_outputs`"),
            (LinearLayer::params().w_std(-1.0), "`w_std`"),
            (LinearLayer::params().theta_init(f64::NAN), "`theta_init`"),
            (LinearLayer::params().theta_tau(0.5), "`theta_tau`"),
        ];
        for (p, field) in cases {
            let e = p.build().unwrap_err().to_string();
            assert!(e.contains(field) && e.contains("got"), "{e}");
        }
    }

    #[test]
    fn params_round_trip_through_json() {
        let p = LinearLayer::params().n_inputs(4).theta_tau(10.0).seed(3);
        assert_eq!(LinearLayerParams::from_json(&p.to_json()).unwrap(), p);
        assert!(LinearLayerParams::from_json("{\"tau\": 1}").is_err());
    }

    #[test]
    fn bad_inputs_are_errors() {
        let mut l = LinearLayer::params().n_inputs(3).build().unwrap();
        assert!(l
            .forward(&[1.0, 2.0])
            .unwrap_err()
            .to_string()
            .contains("expected 3"));
        assert!(l
            .forward(&[1.0, f64::NAN, 0.0])
            .unwrap_err()
            .to_string()
            .contains("x[1]"));
        assert!(l.set_weights(Array2::zeros((2, 3)).view()).is_err());
        assert!(l.plot_receptive_fields(2).is_err());
        assert!(l.plot_receptive_fields(3).is_ok());
    }

    #[test]
    fn seeds_give_different_weights() {
        let a = LinearLayer::params().seed(1).build().unwrap();
        let b = LinearLayer::params().seed(2).build().unwrap();
        assert_ne!(a.weights(), b.weights());
        assert_eq!(
            a.weights(),
            LinearLayer::params().seed(1).build().unwrap().weights()
        );
    }
}
