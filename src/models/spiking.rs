use super::dense::{first_non_finite, gaussian_matrix, matvec};
use super::linear::check_input;
use crate::display::{heatmap, Bundle, Figure, KeyValues, Render};
use crate::error::{Error, ParamError, Result};
use crate::params::{check, setters, Params};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// Parameters of a [`SpikingLayer`]. Time is counted in steps.
///
/// # Example
/// ```
/// use canns::models::SpikingLayer;
/// let layer = SpikingLayer::params().n_inputs(5).n_outputs(2).leak(0.8).seed(4).build()?;
/// assert_eq!(layer.weights().dim(), (2, 5));
/// assert_eq!(layer.parameters().leak, 0.8);
/// // A leak factor is a per-step fraction in [0, 1].
/// let err = SpikingLayer::params().leak(1.5).build().unwrap_err();
/// assert!(err.to_string().contains("leak"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpikingLayerParams {
    /// Number of inputs (columns of `W`). Default 10.
    pub n_inputs: usize,
    /// Number of outputs (rows of `W`). Default 1.
    pub n_outputs: usize,
    /// Firing threshold `v_threshold`. Default 1 (as canns).
    pub v_threshold: f64,
    /// Reset potential after a spike (below `v_threshold`). Default 0 (as canns).
    pub v_reset: f64,
    /// Per-step leak factor of the membrane potential `lambda_leak`, in [0, 1]. Default 0.9 (as canns).
    pub leak: f64,
    /// Per-step decay factor of the spike traces `lambda_trace`, in [0, 1]. Default 0.95 (as canns).
    pub trace_decay: f64,
    /// Standard deviation of the initial weights, `W_ij ~ w_std N(0, 1)`. Default 0.05 (as canns).
    pub w_std: f64,
    /// Seed of the initial weights. Default 0.
    pub seed: u64,
}

impl Default for SpikingLayerParams {
    fn default() -> Self {
        Self {
            n_inputs: 10,
            n_outputs: 1,
            v_threshold: 1.0,
            v_reset: 0.0,
            leak: 0.9,
            trace_decay: 0.95,
            w_std: 0.05,
            seed: 0,
        }
    }
}

impl SpikingLayerParams {
    setters! {
        /// Sets `n_inputs`.
        n_inputs: usize,
        /// Sets `n_outputs`.
        n_outputs: usize,
        /// Sets `v_threshold`.
        v_threshold: f64,
        /// Sets `v_reset`.
        v_reset: f64,
        /// Sets `leak` (per step, in [0, 1]).
        leak: f64,
        /// Sets `trace_decay` (per step, in [0, 1]).
        trace_decay: f64,
        /// Sets `w_std`.
        w_std: f64,
        /// Sets `seed`.
        seed: u64,
    }

    /// Validates and builds the layer.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn build(&self) -> Result<SpikingLayer> {
        SpikingLayer::new(self.clone())
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("SpikingLayerParams")
            .row("n_inputs", self.n_inputs, "inputs (columns of W)")
            .row("n_outputs", self.n_outputs, "LIF neurons (rows of W)")
            .row("v_threshold", self.v_threshold, "firing threshold")
            .row("v_reset", self.v_reset, "reset potential")
            .row("leak", self.leak, "membrane leak factor per step")
            .row(
                "trace_decay",
                self.trace_decay,
                "trace decay factor per step",
            )
            .row("w_std", self.w_std, "initial weight std")
            .row("seed", self.seed, "seed of the initial weights")
    }
}

impl Params for SpikingLayerParams {
    const NAME: &'static str = "SpikingLayerParams";

    fn validate(&self) -> Result<()> {
        check::at_least("n_inputs", self.n_inputs, 1)?;
        check::at_least("n_outputs", self.n_outputs, 1)?;
        check::finite("v_threshold", self.v_threshold)?;
        check::finite("v_reset", self.v_reset)?;
        if self.v_reset >= self.v_threshold {
            return Err(ParamError::new(
                "v_reset",
                format!("< v_threshold = {}", self.v_threshold),
                self.v_reset,
            )
            .into());
        }
        for (field, v) in [("leak", self.leak), ("trace_decay", self.trace_decay)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(ParamError::new(field, "in [0, 1]", v).into());
            }
        }
        check::non_negative("w_std", self.w_std)?;
        Ok(())
    }
}

/// `SpikingLayer`: a layer of discrete-time leaky integrate-and-fire neurons
/// with exponentially decaying spike traces, the layer that
/// [`crate::train::Stdp`] trains.
///
/// One call of [`SpikingLayer::forward`] with the input spikes (or rates) `x`
/// runs, in this order (as canns's `SpikingLayer`):
///
/// ```text
/// trace_pre  <- lambda_trace * trace_pre + x
/// v          <- lambda_leak * v + W x
/// s          <- [v >= v_threshold]                   (0 or 1 per output)
/// v          <- v_reset where s = 1
/// trace_post <- lambda_trace * trace_post + s
/// ```
///
/// Time is counted in steps: the leak and the trace decay are per-step
/// factors (`exp(-dt / tau)` for a time constant `tau`), so the layer needs no
/// `dt` (canns's `dt` argument is unused).
///
/// One deliberate difference from canns: the initial weights come from this
/// layer's own `seed`. canns draws them from a key that does not advance, so
/// every layer built in one process starts with the same weights.
///
/// ## Examples
/// ```
/// use canns::models::SpikingLayer;
/// let mut layer = SpikingLayer::params().n_inputs(2).n_outputs(1).v_threshold(0.5).build()?;
/// layer.set_weights(canns::ndarray::array![[0.8, 0.3]].view())?;
/// assert_eq!(layer.forward(&[0.0, 1.0])?, &[0.0]); // v = 0.3: below threshold
/// assert_eq!(layer.forward(&[0.0, 1.0])?, &[1.0]); // v = 0.9 * 0.3 + 0.3 = 0.57
/// assert_eq!(layer.v(), &[0.0]);                    // reset after the spike
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Lapicque (1907); Gerstner, Kistler, Naud & Paninski (2014), Neuronal
///   Dynamics, ch. 1.3 (leaky integrate-and-fire) and 19.2 (traces for STDP).
///
/// # Example
/// ```
/// use canns::models::SpikingLayer;
/// use canns::ndarray::{array, Array2};
/// // One neuron driven through a weight of 0.4 by a constant input: v climbs
/// // 0.4, 0.76, 1.084 (spike, reset to 0), ... so it fires every third step.
/// let mut layer = SpikingLayer::params().n_inputs(1).n_outputs(1).build()?;
/// layer.set_weights(array![[0.4]].view())?;
/// let spikes = layer.run(Array2::ones((10, 1)).view())?;
/// assert_eq!(spikes.column(0).to_vec(), vec![0., 0., 1., 0., 0., 1., 0., 0., 1., 0.]);
/// // The presynaptic trace sums the decayed inputs: (1 - 0.95^10) / 0.05.
/// assert!((layer.trace_pre()[0] - (1.0 - 0.95f64.powi(10)) / 0.05).abs() < 1e-12);
/// assert_eq!(layer.steps(), 10);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct SpikingLayer {
    params: SpikingLayerParams,
    w: Array2<f64>,
    v: Vec<f64>,
    spikes: Vec<f64>,
    trace_pre: Vec<f64>,
    trace_post: Vec<f64>,
    steps: usize,
}

impl SpikingLayer {
    /// Default parameters, to adjust and [`SpikingLayerParams::build`].
    pub fn params() -> SpikingLayerParams {
        SpikingLayerParams::default()
    }

    /// Builds the layer from validated parameters.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn new(params: SpikingLayerParams) -> Result<Self> {
        params.validate()?;
        let (n_in, n_out) = (params.n_inputs, params.n_outputs);
        Ok(Self {
            w: gaussian_matrix(n_out, n_in, 0.0, params.w_std, params.seed),
            v: vec![0.0; n_out],
            spikes: vec![0.0; n_out],
            trace_pre: vec![0.0; n_in],
            trace_post: vec![0.0; n_out],
            steps: 0,
            params,
        })
    }

    /// The parameters this layer was built with.
    pub fn parameters(&self) -> &SpikingLayerParams {
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

    pub(crate) fn weights_mut(&mut self) -> &mut Array2<f64> {
        &mut self.w
    }

    /// The weights (row-major) for writing, with the spikes and both traces.
    pub(crate) fn parts_mut(&mut self) -> (&mut [f64], &[f64], &[f64], &[f64]) {
        (
            self.w
                .as_slice_mut()
                .expect("weights are kept in standard layout"),
            &self.spikes,
            &self.trace_pre,
            &self.trace_post,
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
                "SpikingLayer weights",
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

    /// Advances one step with input `x` (see the module docs) and returns the
    /// output spikes (1 or 0 per neuron).
    ///
    /// # Errors
    /// [`Error::Shape`] unless `x` has `n_inputs` values, [`Error::Invalid`]
    /// when one is not finite.
    pub fn forward(&mut self, x: &[f64]) -> Result<&[f64]> {
        check_input("x", x, self.params.n_inputs)?;
        self.forward_unchecked(x);
        Ok(&self.spikes)
    }

    pub(crate) fn forward_unchecked(&mut self, x: &[f64]) {
        let p = &self.params;
        for (t, xi) in self.trace_pre.iter_mut().zip(x) {
            *t = p.trace_decay * *t + xi;
        }
        // The spike buffer holds W x until the threshold test.
        matvec(
            self.w
                .as_slice()
                .expect("weights are kept in standard layout"),
            x,
            &mut self.spikes,
        );
        for ((v, s), tq) in self
            .v
            .iter_mut()
            .zip(self.spikes.iter_mut())
            .zip(self.trace_post.iter_mut())
        {
            *v = p.leak * *v + *s;
            *s = if *v >= p.v_threshold { 1.0 } else { 0.0 };
            if *s > 0.0 {
                *v = p.v_reset;
            }
            *tq = p.trace_decay * *tq + *s;
        }
        self.steps += 1;
    }

    /// Runs the rows of `inputs` (`n_steps x n_inputs`) as consecutive steps
    /// and returns the output spikes, `n_steps x n_outputs`.
    ///
    /// # Shapes
    /// `inputs` is time-major `(n_steps, n_inputs)`; the result is `(n_steps, n_outputs)`.
    ///
    /// # Errors
    /// [`Error::Shape`] when `inputs` does not have `n_inputs` columns,
    /// [`Error::Invalid`] when an entry is not finite (the state is then
    /// unchanged).
    pub fn run(&mut self, inputs: ArrayView2<f64>) -> Result<Array2<f64>> {
        crate::train::check_data(&inputs, self.params.n_inputs)?;
        let mut out = Array2::zeros((inputs.nrows(), self.params.n_outputs));
        let mut scratch = Vec::new();
        for (row, mut o) in inputs.outer_iter().zip(out.outer_iter_mut()) {
            let x = crate::train::as_contiguous(&row, &mut scratch);
            self.forward_unchecked(x);
            o.assign(&ndarray::ArrayView1::from(&self.spikes[..]));
        }
        Ok(out)
    }

    /// Membrane potential of every neuron.
    pub fn v(&self) -> &[f64] {
        &self.v
    }

    /// Spikes of the last step (1 or 0 per neuron).
    pub fn spikes(&self) -> &[f64] {
        &self.spikes
    }

    /// Presynaptic traces (one per input).
    pub fn trace_pre(&self) -> &[f64] {
        &self.trace_pre
    }

    /// Postsynaptic traces (one per neuron).
    pub fn trace_post(&self) -> &[f64] {
        &self.trace_post
    }

    /// Steps since the last reset.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Potentials, spikes and traces back to zero; the weights stay.
    pub fn reset_state(&mut self) {
        self.v.fill(0.0);
        self.spikes.fill(0.0);
        self.trace_pre.fill(0.0);
        self.trace_post.fill(0.0);
        self.steps = 0;
    }

    /// The weights as a heatmap (one row per neuron).
    pub fn plot_weights(&self) -> Figure {
        let (r, c) = self.w.dim();
        heatmap(
            "SpikingLayer weights W",
            "input",
            "neuron",
            (0..c).map(|j| j as f64).collect(),
            (0..r).map(|i| i as f64).collect(),
            self.w.outer_iter().map(|row| row.to_vec()).collect(),
        )
    }
}

impl std::fmt::Display for SpikingLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n_spk = self.spikes.iter().filter(|&&s| s > 0.0).count();
        write!(
            f,
            "SpikingLayer({} -> {} LIF, step {}, {} spiking now)",
            self.params.n_inputs, self.params.n_outputs, self.steps, n_spk
        )
    }
}

impl std::fmt::Debug for SpikingLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl Render for SpikingLayer {
    fn bundle(&self) -> Bundle {
        let table = self
            .params
            .table()
            .row("steps", self.steps, "steps since reset")
            .to_html();
        Bundle::figure(self.plot_weights().plot(), &table, self.to_string())
    }
}

impl Render for SpikingLayerParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(self.table().to_html(), format!("{self:?}"))
    }
}

crate::display::evcxr_display_via_render!(SpikingLayerParams, SpikingLayer);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_rejects_bad_values_naming_field_and_value() {
        let cases = [
            (SpikingLayer::params().n_inputs(0), "`n_inputs`"),
            (
                SpikingLayer::params().v_threshold(f64::NAN),
                "`v_threshold`",
            ),
            (SpikingLayer::params().v_reset(2.0), "`v_reset`"),
            (SpikingLayer::params().leak(1.5), "`leak`"),
            (SpikingLayer::params().trace_decay(-0.1), "`trace_decay`"),
            (SpikingLayer::params().w_std(f64::INFINITY), "`w_std`"),
        ];
        for (p, field) in cases {
            let e = p.build().unwrap_err().to_string();
            assert!(e.contains(field) && e.contains("got"), "{e}");
        }
    }

    #[test]
    fn params_round_trip_through_json() {
        let p = SpikingLayer::params().leak(0.5).seed(9);
        assert_eq!(SpikingLayerParams::from_json(&p.to_json()).unwrap(), p);
    }

    #[test]
    fn run_equals_forward_steps_and_reset_clears_the_state() {
        let mut a = SpikingLayer::params()
            .n_inputs(3)
            .n_outputs(2)
            .w_std(1.0)
            .v_threshold(0.3)
            .seed(4)
            .build()
            .unwrap();
        let mut b = a.clone();
        let xs = ndarray::array![
            [1.0, 0.0, 1.0],
            [0.0, 1.0, 0.0],
            [1.0, 1.0, 1.0],
            [0.0, 0.0, 1.0]
        ];
        let raster = a.run(xs.view()).unwrap();
        for (k, x) in xs.outer_iter().enumerate() {
            let s = b.forward(x.as_slice().unwrap()).unwrap().to_vec();
            assert_eq!(raster.row(k).to_vec(), s);
        }
        assert_eq!(a.trace_pre(), b.trace_pre());
        a.reset_state();
        assert_eq!(a.steps(), 0);
        assert!(a.v().iter().chain(a.trace_post()).all(|&v| v == 0.0));
    }
}
