use super::dense::{dot, first_non_finite, PaddedF32};
use super::linear::{check_input, image_strip};
use super::Model;
use crate::display::{heatmap, lines, Bundle, Figure, KeyValues, Render, Series};
use crate::error::{Error, Result};
use crate::params::{check, setters, Params};
use crate::random::SeededRng;
use ndarray::{Array2, ArrayView2, Zip};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// The activation `f` of a Hopfield neuron.
///
/// # Example
/// ```
/// use canns::models::{Activation, Hopfield};
/// use canns::ndarray::array;
/// // Two neurons exciting each other; one synchronous update from (0.5, 1)
/// // gives each neuron f of the other's state.
/// let after = |activation| -> canns::Result<Vec<f64>> {
///     let mut net = Hopfield::params().n_neurons(2).activation(activation).build()?;
///     net.set_weights(array![[0.0, 1.0], [1.0, 0.0]].view())?;
///     net.set_state(&[0.5, 1.0])?;
///     net.update();
///     Ok(net.state().to_vec())
/// };
/// assert_eq!(after(Activation::Sign)?, vec![1.0, 1.0]);
/// let s = after(Activation::Tanh)?;
/// assert!((s[0] - 1f64.tanh()).abs() < 1e-12 && (s[1] - 0.5f64.tanh()).abs() < 1e-12);
/// let s = after(Activation::Sigmoid)?;
/// assert!((s[0] - 1.0 / (1.0 + (-1f64).exp())).abs() < 1e-12);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// `sign(h)`: states +-1; a zero field keeps the current state.
    #[default]
    Sign,
    /// `tanh(h / T)`: graded states in (-1, 1).
    Tanh,
    /// `1 / (1 + exp(-h / T))`: graded states in (0, 1).
    Sigmoid,
}

impl Activation {
    #[inline]
    fn apply(self, h: f64, inv_t: f64, current: f64) -> f64 {
        match self {
            Activation::Sign => {
                if h > 0.0 {
                    1.0
                } else if h < 0.0 {
                    -1.0
                } else {
                    current
                }
            }
            Activation::Tanh => (h * inv_t).tanh(),
            Activation::Sigmoid => 1.0 / (1.0 + (-h * inv_t).exp()),
        }
    }
}

/// How the neurons are updated in one [`Hopfield::step`].
///
/// # Example
/// ```
/// use canns::models::{Hopfield, Update};
/// use canns::ndarray::array;
/// // Two neurons that copy each other, started in disagreement: synchronous
/// // updates swap the states forever, an asynchronous sweep settles.
/// let recall = |update| -> canns::Result<bool> {
///     let mut net = Hopfield::params().n_neurons(2).update(update).build()?;
///     net.set_weights(array![[0.0, 1.0], [1.0, 0.0]].view())?;
///     Ok(net.recall(&[1.0, -1.0], 10)?.converged)
/// };
/// assert!(!recall(Update::Synchronous)?);
/// assert!(recall(Update::Asynchronous)?);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Update {
    /// Every neuron from the same state (`s <- f(W s - theta)`; as canns's default).
    #[default]
    Synchronous,
    /// One sweep over all neurons in a fresh random order, each seeing the
    /// updates before it.
    Asynchronous,
}

/// Largest state change below which [`Hopfield::recall`] calls the state a
/// fixed point (exactly zero for the sign activation).
pub const CONVERGED: f64 = 1e-9;

/// Parameters of a [`Hopfield`] network.
///
/// # Example
/// ```
/// use canns::models::{Hopfield, Update};
/// let net = Hopfield::params().n_neurons(16).update(Update::Asynchronous).seed(3).build()?;
/// assert_eq!(net.n_neurons(), 16);
/// assert_eq!(net.parameters().update, Update::Asynchronous);
/// assert_eq!(net.capacity(), 2); // floor(0.14 N)
/// // A bad value is an error naming the field.
/// let err = Hopfield::params().temperature(0.0).build().unwrap_err();
/// assert!(err.to_string().contains("temperature"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HopfieldParams {
    /// Number of neurons `N`. Default 100.
    pub n_neurons: usize,
    /// Activation `f`. Default [`Activation::Sign`].
    pub activation: Activation,
    /// Update order. Default [`Update::Synchronous`] (as canns).
    pub update: Update,
    /// Threshold `theta` subtracted from every field. Default 0.
    pub threshold: f64,
    /// Temperature `T` of the graded activations (`f(h / T)`). Default 1.
    pub temperature: f64,
    /// Seed of the asynchronous update order. Default 0.
    pub seed: u64,
    /// Compute the dense local fields from a single-precision copy of `W`
    /// (as canns, which runs in float32): half the memory per step, and the
    /// fields differ from the double-precision ones by at most about
    /// `(N / 32 + 5) 2^-24 sum_j |W_ij s_j|` (sums in single precision over
    /// 32 interleaved partial sums).
    /// `W` itself, the energy and the sign update with symmetric weights
    /// (which keeps the fields incrementally) stay in double precision.
    /// Default false.
    pub single_precision: bool,
}

impl Default for HopfieldParams {
    fn default() -> Self {
        Self {
            n_neurons: 100,
            activation: Activation::Sign,
            update: Update::Synchronous,
            threshold: 0.0,
            temperature: 1.0,
            seed: 0,
            single_precision: false,
        }
    }
}

impl HopfieldParams {
    setters! {
        /// Sets `n_neurons`.
        n_neurons: usize,
        /// Sets `activation`.
        activation: Activation,
        /// Sets `update`.
        update: Update,
        /// Sets `threshold`.
        threshold: f64,
        /// Sets `temperature`.
        temperature: f64,
        /// Sets `seed`.
        seed: u64,
        /// Sets `single_precision`.
        single_precision: bool,
    }

    /// Validates and builds the network.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn build(&self) -> Result<Hopfield> {
        Hopfield::new(self.clone())
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("HopfieldParams")
            .row("n_neurons", self.n_neurons, "neurons N")
            .row("activation", format!("{:?}", self.activation), "f")
            .row("update", format!("{:?}", self.update), "update order")
            .row("threshold", self.threshold, "theta")
            .row("temperature", self.temperature, "T of tanh / sigmoid")
            .row("seed", self.seed, "seed of the asynchronous order")
            .row(
                "single_precision",
                self.single_precision,
                "dense fields from an f32 copy of W",
            )
    }
}

impl Params for HopfieldParams {
    const NAME: &'static str = "HopfieldParams";

    fn validate(&self) -> Result<()> {
        check::at_least("n_neurons", self.n_neurons, 1)?;
        check::finite("threshold", self.threshold)?;
        check::positive("temperature", self.temperature)?;
        Ok(())
    }
}

/// The result of [`Hopfield::recall`].
///
/// # Example
/// ```
/// use canns::models::Hopfield;
/// use canns::train::{patterns, Hebbian, LearningRule};
/// let stored = patterns::random(2, 64, 7);
/// let mut net = Hopfield::params().n_neurons(64).build()?;
/// Hebbian::params().build()?.train(&mut net, stored.view())?;
/// let probe = patterns::corrupt(&stored.view(), 0.1, 8)?;
/// let recall = net.recall(probe.row(0).as_slice().unwrap(), 20)?;
/// assert!(recall.converged && recall.steps <= 20);
/// // The final state is the stored pattern, reached downhill in energy.
/// assert_eq!(recall.state, stored.row(0).to_vec());
/// assert!(recall.energy.last().unwrap() < recall.energy.first().unwrap());
/// assert!(recall.to_string().contains("converged = true"), "{recall}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Recall {
    /// The probe the recall started from.
    pub probe: Vec<f64>,
    /// The final state.
    pub state: Vec<f64>,
    /// Energy of the probe, then after every step (`steps + 1` values).
    pub energy: Vec<f64>,
    /// Steps taken.
    pub steps: usize,
    /// Whether the last step changed no state by more than [`CONVERGED`].
    pub converged: bool,
}

impl Recall {
    /// The probe and the recalled state (and, when given, the stored
    /// pattern) as images `width` neurons wide: noisy -> recalled.
    ///
    /// # Errors
    /// [`Error::Param`] unless `width` divides `N`, [`Error::Shape`] when
    /// `stored` does not have `N` values.
    pub fn plot_patterns(&self, width: usize, stored: Option<&[f64]>) -> Result<Figure> {
        let mut images = vec![
            ("probe".to_string(), self.probe.clone()),
            (
                format!("recalled ({} steps)", self.steps),
                self.state.clone(),
            ),
        ];
        if let Some(p) = stored {
            images.push(("stored".to_string(), p.to_vec()));
        }
        image_strip("Recall: probe -> recalled", &images, width)
    }

    /// The energy after every step.
    pub fn plot_energy(&self) -> Figure {
        let x: Vec<f64> = (0..self.energy.len()).map(|i| i as f64).collect();
        lines(
            "Hopfield energy during recall",
            "step",
            "energy E",
            vec![Series::line("E", x, self.energy.clone())],
        )
    }
}

impl Render for Recall {
    fn bundle(&self) -> Bundle {
        let table = KeyValues::new("Recall")
            .row("steps", self.steps, "updates taken")
            .row("converged", self.converged, "fixed point reached")
            .row(
                "energy",
                format!("{:.4}", self.energy.last().copied().unwrap_or(f64::NAN)),
                "final energy",
            )
            .to_html();
        Bundle::figure(self.plot_energy().plot(), &table, self.to_string())
    }
}

/// `Hopfield`: the Amari-Hopfield associative memory of N binary (or graded)
/// neurons with symmetric weights.
///
/// ```text
/// h_i = sum_j W_ij s_j - theta                 local field
/// s_i <- f(h_i)                                f = sign, tanh(h / T) or sigmoid(h / T)
/// E   = -1/2 sum_ij W_ij s_i s_j + theta sum_i s_i
/// m   = p . s / N                              overlap with a pattern p
/// ```
///
/// The update is synchronous (every neuron from the same state) or
/// asynchronous (one sweep visits every neuron once, each seeing the
/// neurons updated before it, in a fresh random order per sweep drawn from
/// the network's seeded generator). With symmetric `W`, a zero diagonal and
/// the sign activation, an asynchronous sweep never increases `E` (Hopfield
/// 1982). Weights come from a learning rule, usually
/// [`crate::train::Hebbian`]: with `W = (1/N) sum_mu p_mu p_mu^T`, random
/// patterns are recalled up to a load `P / N` of about 0.138 (Amit, Gutfreund
/// & Sompolinsky 1985).
///
/// Differences from canns's `AmariHopfieldNetwork`, deliberate:
/// - a neuron whose field is exactly zero keeps its state under the sign
///   activation (canns sets it to `sign(0) = 0`, leaving the binary states);
/// - each asynchronous sweep draws a new order (canns's key does not advance,
///   so its "random" order is the same permutation on every call).
///
/// ## Examples
/// ```
/// use canns::models::Hopfield;
/// use canns::train::{Hebbian, LearningRule};
/// use canns::ndarray::array;
/// let patterns = array![[1.0, -1.0, 1.0, -1.0, 1.0, -1.0], [1.0, 1.0, 1.0, -1.0, -1.0, -1.0]];
/// let mut net = Hopfield::params().n_neurons(6).build()?;
/// Hebbian::params().build()?.train(&mut net, patterns.view())?;
/// let recall = net.recall(&[1.0, -1.0, 1.0, -1.0, 1.0, 1.0], 10)?; // last bit flipped
/// assert!(recall.converged);
/// assert_eq!(net.overlap(patterns.row(0).as_slice().unwrap())?, 1.0);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Amari (1972), IEEE Trans. Computers C-21(11):1197-1206.
/// - Hopfield (1982), PNAS 79(8):2554-2558.
/// - Amit, Gutfreund & Sompolinsky (1985), Phys. Rev. Lett. 55(14):1530-1533.
///
/// # Example
/// ```
/// use canns::models::Hopfield;
/// use canns::train::{patterns, Hebbian, LearningRule};
/// // Store 3 random patterns in 100 neurons, then recall one from a probe
/// // with 10% of its bits flipped.
/// let stored = patterns::random(3, 100, 1);
/// let mut net = Hopfield::params().n_neurons(100).build()?;
/// Hebbian::params().build()?.train(&mut net, stored.view())?;
/// assert_eq!(net.weights().dim(), (100, 100));
/// let probe = patterns::corrupt(&stored.view(), 0.1, 2)?;
/// net.recall(probe.row(1).as_slice().unwrap(), 20)?;
/// assert_eq!(net.overlap(stored.row(1).as_slice().unwrap())?, 1.0);
/// assert!(net.to_string().starts_with("Hopfield(N=100"), "{net}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct Hopfield {
    params: HopfieldParams,
    w: Array2<f64>,
    s: Vec<f64>,
    h: Vec<f64>,
    /// `W s` for the current state when `ws_valid` (kept up to date by the
    /// sign activation's updates: only flipped neurons change it).
    ws: Vec<f64>,
    ws_valid: bool,
    /// Whether `W` is symmetric (None: not checked since it last changed).
    symmetric: Option<bool>,
    /// `W` in single precision when `single_precision` (empty: not built
    /// since `W` last changed).
    w32: PaddedF32,
    /// The state in single precision (for the `f32` fields).
    s32: PaddedF32,
    order: Vec<usize>,
    rng: SeededRng,
    steps: usize,
}

impl Hopfield {
    /// Default parameters, to adjust and [`HopfieldParams::build`].
    pub fn params() -> HopfieldParams {
        HopfieldParams::default()
    }

    /// Builds the network with zero weights and every state at +1 (as canns).
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn new(params: HopfieldParams) -> Result<Self> {
        params.validate()?;
        let n = params.n_neurons;
        Ok(Self {
            w: Array2::zeros((n, n)),
            s: vec![1.0; n],
            h: vec![0.0; n],
            ws: vec![0.0; n],
            ws_valid: false,
            symmetric: Some(true),
            w32: PaddedF32::default(),
            s32: PaddedF32::default(),
            order: (0..n).collect(),
            rng: crate::random::seeded(params.seed),
            steps: 0,
            params,
        })
    }

    /// The parameters this network was built with.
    pub fn parameters(&self) -> &HopfieldParams {
        &self.params
    }

    /// Number of neurons `N`.
    pub fn n_neurons(&self) -> usize {
        self.params.n_neurons
    }

    /// The weights `W` (`N x N`).
    pub fn weights(&self) -> &Array2<f64> {
        &self.w
    }

    pub(crate) fn weights_mut(&mut self) -> &mut Array2<f64> {
        self.ws_valid = false;
        self.symmetric = None;
        self.w32.clear();
        &mut self.w
    }

    /// Replaces the weights. Energy descent needs them symmetric with a zero
    /// diagonal; other matrices are accepted (and may cycle).
    ///
    /// # Errors
    /// [`Error::Shape`] unless `w` is `N x N`, [`Error::Invalid`] when an
    /// entry is not finite.
    pub fn set_weights(&mut self, w: ArrayView2<f64>) -> Result<()> {
        let n = self.params.n_neurons;
        if w.dim() != (n, n) {
            return Err(Error::shape(
                "Hopfield weights",
                format!("({n}, {n})"),
                format!("{:?}", w.dim()),
            ));
        }
        if let Some((i, v)) = first_non_finite(w.iter()) {
            return Err(Error::Invalid(format!(
                "weights[{}, {}] must be finite (got {v})",
                i / n,
                i % n
            )));
        }
        self.w.assign(&w);
        self.ws_valid = false;
        self.symmetric = None;
        self.w32.clear();
        Ok(())
    }

    /// The state `s`.
    pub fn state(&self) -> &[f64] {
        &self.s
    }

    /// Sets the state (e.g. to a noisy probe).
    ///
    /// # Errors
    /// [`Error::Shape`] unless `s` has `N` values, [`Error::Invalid`] when one
    /// is not finite.
    pub fn set_state(&mut self, s: &[f64]) -> Result<()> {
        check_input("state", s, self.params.n_neurons)?;
        self.s.copy_from_slice(s);
        self.ws_valid = false;
        Ok(())
    }

    /// Updates since the last [`Hopfield::reset`].
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// State back to all +1, step count to 0, and the order generator
    /// reseeded; the weights stay.
    pub fn reset(&mut self) {
        self.s.fill(1.0);
        self.h.fill(0.0);
        self.ws_valid = false;
        self.steps = 0;
        self.order = (0..self.params.n_neurons).collect();
        self.rng = crate::random::seeded(self.params.seed);
    }

    /// One update of every neuron ([`Update`]): synchronous, or one
    /// asynchronous sweep. Returns the largest change of a state.
    pub fn update(&mut self) -> f64 {
        self.update_with(None)
    }

    /// [`Hopfield::update`] with an external field `input_i` added to every
    /// local field; [`Model::u`] then holds the fields each neuron saw.
    fn update_with(&mut self, input: Option<&[f64]>) -> f64 {
        if self.params.activation == Activation::Sign && self.is_symmetric() {
            return self.update_sign(input);
        }
        let n = self.params.n_neurons;
        let (act, inv_t, theta) = (
            self.params.activation,
            1.0 / self.params.temperature,
            self.params.threshold,
        );
        self.ws_valid = false;
        let single = self.params.single_precision;
        if single && self.w32.is_empty() {
            let w = self
                .w
                .as_slice()
                .expect("weights are kept in standard layout");
            self.w32 = PaddedF32::from_f64(w, n, n);
        }
        let w = self
            .w
            .as_slice()
            .expect("weights are kept in standard layout");
        let ext = |i: usize| input.map_or(0.0, |x| x[i]);
        let mut change: f64 = 0.0;
        if single {
            if self.s32.is_empty() {
                self.s32 = PaddedF32::from_f64(&self.s, 1, n);
            } else {
                self.s32.set_row(0, &self.s);
            }
        }
        match self.params.update {
            Update::Synchronous => {
                if single {
                    let signs = act == Activation::Sign
                        && self.s.iter().all(|&v| v == 0.0 || v.abs() == 1.0);
                    if signs {
                        // Exact products: the same sums with fused multiply-adds.
                        super::dense::matvec_padded_signs(&self.w32, self.s32.row(0), &mut self.h);
                    } else {
                        super::dense::matvec_padded(&self.w32, self.s32.row(0), &mut self.h);
                    }
                } else {
                    super::dense::matvec(w, &self.s, &mut self.h);
                }
                for (i, h) in self.h.iter_mut().enumerate() {
                    *h = *h - theta + ext(i);
                }
                for (s, &h) in self.s.iter_mut().zip(&self.h) {
                    let new = act.apply(h, inv_t, *s);
                    change = change.max((new - *s).abs());
                    *s = new;
                }
            }
            Update::Asynchronous => {
                self.order.shuffle(&mut self.rng);
                for &i in &self.order {
                    let field = if single {
                        super::dense::dot_blocks(self.w32.row(i), self.s32.row(0))
                    } else {
                        dot(&w[i * n..(i + 1) * n], &self.s)
                    };
                    let h = field - theta + ext(i);
                    self.h[i] = h;
                    let new = act.apply(h, inv_t, self.s[i]);
                    change = change.max((new - self.s[i]).abs());
                    self.s[i] = new;
                    if single {
                        self.s32.set(0, i, new);
                    }
                }
            }
        }
        self.steps += 1;
        change
    }

    /// Whether `W` is symmetric (checked once after each change of `W`).
    fn is_symmetric(&mut self) -> bool {
        if self.symmetric.is_none() {
            let w = &self.w;
            let n = self.params.n_neurons;
            let sym = (0..n).all(|i| (0..i).all(|j| w[[i, j]] == w[[j, i]]));
            self.symmetric = Some(sym);
        }
        self.symmetric == Some(true)
    }

    /// Recomputes `W s` unless it is current.
    fn refresh_ws(&mut self) {
        if !self.ws_valid {
            let w = self
                .w
                .as_slice()
                .expect("weights are kept in standard layout");
            super::dense::matvec(w, &self.s, &mut self.ws);
            self.ws_valid = true;
        }
    }

    /// The sign update with symmetric weights, by local fields kept up to
    /// date: a neuron that flips by `d` adds `d` times its column (its row,
    /// `W` being symmetric) to `W s`, so a step costs `O(N)` plus `O(N)` per
    /// flip instead of `O(N^2)`, and near a memory almost nothing flips.
    fn update_sign(&mut self, input: Option<&[f64]>) -> f64 {
        let n = self.params.n_neurons;
        let theta = self.params.threshold;
        self.refresh_ws();
        let w = self
            .w
            .as_slice()
            .expect("weights are kept in standard layout");
        let ext = |i: usize| input.map_or(0.0, |x| x[i]);
        let sign = |h: f64, s: f64| {
            if h > 0.0 {
                1.0
            } else if h < 0.0 {
                -1.0
            } else {
                s
            }
        };
        let mut change: f64 = 0.0;
        match self.params.update {
            Update::Synchronous => {
                let mut flips = 0;
                for i in 0..n {
                    self.h[i] = self.ws[i] - theta + ext(i);
                    if sign(self.h[i], self.s[i]) != self.s[i] {
                        flips += 1;
                    }
                }
                // Beyond a quarter of the neurons, one dense product is cheaper.
                let incremental = 4 * flips <= n;
                for i in 0..n {
                    let new = sign(self.h[i], self.s[i]);
                    let d = new - self.s[i];
                    if d != 0.0 {
                        change = change.max(d.abs());
                        if incremental {
                            super::dense::axpy(d, &w[i * n..(i + 1) * n], &mut self.ws);
                        }
                        self.s[i] = new;
                    }
                }
                self.ws_valid = incremental;
            }
            Update::Asynchronous => {
                self.order.shuffle(&mut self.rng);
                for &i in &self.order {
                    let h = self.ws[i] - theta + ext(i);
                    self.h[i] = h;
                    let new = sign(h, self.s[i]);
                    let d = new - self.s[i];
                    if d != 0.0 {
                        change = change.max(d.abs());
                        super::dense::axpy(d, &w[i * n..(i + 1) * n], &mut self.ws);
                        self.s[i] = new;
                    }
                }
            }
        }
        self.steps += 1;
        change
    }

    /// Sets the state to `probe` and steps until a fixed point (no state
    /// changes by more than [`CONVERGED`]) or `max_steps`, recording the
    /// energy. The network keeps the final state.
    ///
    /// # Errors
    /// [`Error::Shape`] unless `probe` has `N` values, [`Error::Invalid`] when
    /// one is not finite.
    pub fn recall(&mut self, probe: &[f64], max_steps: usize) -> Result<Recall> {
        self.set_state(probe)?;
        let mut energy = vec![self.energy()];
        let mut converged = false;
        let mut steps = 0;
        while steps < max_steps {
            let change = self.update();
            steps += 1;
            energy.push(self.energy());
            if change <= CONVERGED {
                converged = true;
                break;
            }
        }
        Ok(Recall {
            probe: probe.to_vec(),
            state: self.s.clone(),
            energy,
            steps,
            converged,
        })
    }

    /// Recalls every row of `probes` (`n_probes x N`) for up to `n_steps`
    /// updates each, as [`Hopfield::recall`] without the energy trace, and
    /// returns the final states (`n_probes x N`). Synchronous recall runs as
    /// matrix products over all probes at once. The network's own state is
    /// left as it was; asynchronous recall advances its order generator.
    ///
    /// # Errors
    /// [`Error::Shape`] unless `probes` has `N` columns, [`Error::Invalid`]
    /// when an entry is not finite.
    pub fn recall_batch(&mut self, probes: ArrayView2<f64>, n_steps: usize) -> Result<Array2<f64>> {
        let n = self.params.n_neurons;
        crate::train::check_data(&probes, n)?;
        let (act, inv_t, theta) = (
            self.params.activation,
            1.0 / self.params.temperature,
            self.params.threshold,
        );
        match self.params.update {
            Update::Synchronous => {
                let mut s = probes.to_owned();
                for _ in 0..n_steps {
                    let h = s.dot(&self.w.t());
                    let mut change: f64 = 0.0;
                    Zip::from(&mut s).and(&h).for_each(|s, &h| {
                        let new = act.apply(h - theta, inv_t, *s);
                        change = change.max((new - *s).abs());
                        *s = new;
                    });
                    if change <= CONVERGED {
                        break;
                    }
                }
                Ok(s)
            }
            Update::Asynchronous => {
                let saved = std::mem::take(&mut self.s);
                let saved_steps = self.steps;
                let mut out = Array2::zeros(probes.dim());
                for (probe, mut o) in probes.outer_iter().zip(out.outer_iter_mut()) {
                    self.s = probe.to_vec();
                    self.ws_valid = false;
                    for _ in 0..n_steps {
                        if self.update() <= CONVERGED {
                            break;
                        }
                    }
                    o.assign(&ndarray::ArrayView1::from(&self.s[..]));
                }
                self.s = saved;
                self.ws_valid = false;
                self.steps = saved_steps;
                Ok(out)
            }
        }
    }

    /// Recalls every row of `probes` for up to `n_steps` updates (as
    /// [`Hopfield::recall_batch`]) and returns the overlap of each result
    /// with the matching row of `patterns`: how well each stored pattern is
    /// recalled from its probe (e.g. a corrupted copy).
    ///
    /// # Examples
    /// ```
    /// use canns::models::Hopfield;
    /// use canns::train::{patterns, Hebbian, LearningRule};
    /// let stored = patterns::random(5, 200, 1);
    /// let mut net = Hopfield::params().n_neurons(200).build()?;
    /// Hebbian::params().build()?.train(&mut net, stored.view())?;
    /// let noisy = patterns::corrupt(&stored.view(), 0.1, 2)?;
    /// let m = net.recall_overlaps(stored.view(), noisy.view(), 20)?;
    /// assert_eq!(m.values.len(), 5);
    /// assert_eq!(m.fraction_recalled(0.95), 1.0);
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Shape`] unless `patterns` and `probes` are both
    /// `n x N`, [`Error::Invalid`] when an entry is not finite.
    pub fn recall_overlaps(
        &mut self,
        patterns: ArrayView2<f64>,
        probes: ArrayView2<f64>,
        n_steps: usize,
    ) -> Result<Overlaps> {
        let n = self.params.n_neurons;
        crate::train::check_data(&patterns, n)?;
        if probes.nrows() != patterns.nrows() {
            return Err(Error::shape(
                "probes rows (one per pattern)",
                patterns.nrows(),
                probes.nrows(),
            ));
        }
        let out = self.recall_batch(probes, n_steps)?;
        let values = patterns
            .outer_iter()
            .zip(out.outer_iter())
            .map(|(p, s)| p.dot(&s) / n as f64)
            .collect();
        Ok(Overlaps {
            label: "overlap".to_string(),
            values,
        })
    }

    /// The energy `E = -1/2 s^T W s + theta sum_i s_i` of the current state.
    pub fn energy(&self) -> f64 {
        let linear = self.params.threshold * self.s.iter().sum::<f64>();
        if self.ws_valid {
            return -0.5 * dot(&self.s, &self.ws) + linear;
        }
        let n = self.params.n_neurons;
        let w = self
            .w
            .as_slice()
            .expect("weights are kept in standard layout");
        let quad: f64 = w
            .chunks_exact(n)
            .zip(&self.s)
            .map(|(row, si)| si * dot(row, &self.s))
            .sum();
        -0.5 * quad + linear
    }

    /// The overlap `m = p . s / N` of the state with `pattern` (1 when equal,
    /// -1 when opposite, about 0 for an unrelated random pattern).
    ///
    /// # Errors
    /// [`Error::Shape`] unless `pattern` has `N` values.
    pub fn overlap(&self, pattern: &[f64]) -> Result<f64> {
        let n = self.params.n_neurons;
        if pattern.len() != n {
            return Err(Error::shape("pattern", n, pattern.len()));
        }
        Ok(dot(pattern, &self.s) / n as f64)
    }

    /// The number of random patterns the network can store and recall:
    /// `max(1, floor(0.14 N))` (as canns; 0.138 N in Amit, Gutfreund &
    /// Sompolinsky 1985).
    pub fn capacity(&self) -> usize {
        ((0.14 * self.params.n_neurons as f64).floor() as usize).max(1)
    }

    /// The state as an image `width` neurons wide.
    ///
    /// # Errors
    /// [`Error::Param`] unless `width` divides `N`.
    pub fn plot_state(&self, width: usize) -> Result<Figure> {
        image_strip(
            &format!("Hopfield state after {} updates", self.steps),
            &[("state".to_string(), self.s.clone())],
            width,
        )
    }

    /// The weights as a heatmap.
    pub fn plot_weights(&self) -> Figure {
        let n = self.params.n_neurons;
        let idx: Vec<f64> = (0..n).map(|i| i as f64).collect();
        heatmap(
            "Hopfield weights W",
            "neuron j",
            "neuron i",
            idx.clone(),
            idx,
            self.w.outer_iter().map(|r| r.to_vec()).collect(),
        )
    }
}

/// Patterns of `width`-pixel rows drawn side by side, each named (e.g.
/// stored, noisy probe, recalled).
///
/// # Examples
/// ```
/// let fig = canns::models::plot_patterns(
///     "noisy -> recalled",
///     &[("probe", &[1.0, -1.0, -1.0, 1.0][..]), ("recalled", &[1.0, -1.0, 1.0, 1.0][..])],
///     2,
/// )?;
/// assert_eq!(fig.plot().data().len(), 1);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Param`] unless `width` divides the pattern length,
/// [`Error::Shape`] when the patterns differ in length.
pub fn plot_patterns(title: &str, patterns: &[(&str, &[f64])], width: usize) -> Result<Figure> {
    let images: Vec<(String, Vec<f64>)> = patterns
        .iter()
        .map(|(n, p)| (n.to_string(), p.to_vec()))
        .collect();
    image_strip(title, &images, width)
}

/// The divisor of `n` nearest to `sqrt(n)` from above: a near-square image width.
fn image_width(n: usize) -> usize {
    (1..=n)
        .find(|w| n.is_multiple_of(*w) && w * w >= n)
        .unwrap_or(n)
}

/// A Hopfield network has no time constant: each [`Model::step`] is one
/// [`Hopfield::update`] with `input` added to the local fields, `dt` is
/// checked and otherwise unused, and [`Model::time`] counts updates.
/// [`Model::u`] is the local field each neuron saw at its last update and
/// [`Model::r`] the state.
impl Model for Hopfield {
    fn name(&self) -> &'static str {
        "hopfield"
    }
    fn shape(&self) -> Vec<usize> {
        vec![self.params.n_neurons]
    }
    fn n_neurons(&self) -> usize {
        self.params.n_neurons
    }
    fn step(&mut self, dt: f64, input: &[f64]) -> Result<()> {
        check::positive("dt", dt)?;
        check_input("input", input, self.params.n_neurons)?;
        self.update_with(Some(input));
        Ok(())
    }
    fn reset(&mut self) {
        Hopfield::reset(self);
    }
    fn u(&self) -> &[f64] {
        &self.h
    }
    fn r(&self) -> &[f64] {
        &self.s
    }
    fn time(&self) -> f64 {
        self.steps as f64
    }
}

impl std::fmt::Display for Hopfield {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Hopfield(N={}, {:?}, {:?}, step {}, E={:.4})",
            self.params.n_neurons,
            self.params.activation,
            self.params.update,
            self.steps,
            self.energy()
        )
    }
}

impl std::fmt::Debug for Hopfield {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for Recall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Recall(N={}, {} steps, converged = {}, E {:.4} -> {:.4})",
            self.state.len(),
            self.steps,
            self.converged,
            self.energy.first().copied().unwrap_or(f64::NAN),
            self.energy.last().copied().unwrap_or(f64::NAN)
        )
    }
}

impl std::fmt::Debug for Recall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl Render for Hopfield {
    fn bundle(&self) -> Bundle {
        let table = self
            .params
            .table()
            .row("steps", self.steps, "steps since reset")
            .row(
                "energy",
                format!("{:.4}", self.energy()),
                "E of the current state",
            )
            .row("capacity", self.capacity(), "patterns storable (0.14 N)")
            .to_html();
        let fig = self
            .plot_state(image_width(self.params.n_neurons))
            .expect("image_width divides N");
        Bundle::figure(fig.plot(), &table, self.to_string())
    }
}

impl Render for HopfieldParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(self.table().to_html(), format!("{self:?}"))
    }
}

/// How well each stored pattern is recalled: the overlap `m = p . s / N` of
/// each pattern with the state recalled from its probe (see
/// [`Hopfield::recall_overlaps`]). Compare several (after learning, after
/// unlearning) with [`Overlaps::plot_with`].
///
/// # Example
/// ```
/// use canns::models::Hopfield;
/// use canns::train::{patterns, Hebbian, LearningRule};
/// let stored = patterns::random(4, 100, 1);
/// let mut net = Hopfield::params().n_neurons(100).build()?;
/// Hebbian::params().build()?.train(&mut net, stored.view())?;
/// let noisy = patterns::corrupt(&stored.view(), 0.1, 2)?;
/// let m = net.recall_overlaps(stored.view(), noisy.view(), 20)?.labelled("10% flipped");
/// assert_eq!(m.values.len(), 4);
/// assert!(m.mean() > 0.95 && m.fraction_recalled(0.95) == 1.0, "{m}");
/// assert!(m.to_string().starts_with("Overlaps(10% flipped: 4 patterns"), "{m}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Overlaps {
    /// Name in legends (e.g. "after unlearning pattern 0").
    pub label: String,
    /// Overlap of each pattern, in [-1, 1].
    pub values: Vec<f64>,
}

impl Overlaps {
    /// The same overlaps under another name.
    pub fn labelled(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Mean overlap over the patterns (NaN without patterns).
    pub fn mean(&self) -> f64 {
        self.values.iter().sum::<f64>() / self.values.len() as f64
    }

    /// Fraction of the patterns whose overlap exceeds `threshold` (0 without patterns).
    pub fn fraction_recalled(&self, threshold: f64) -> f64 {
        if self.values.is_empty() {
            return 0.0;
        }
        self.values.iter().filter(|&&m| m > threshold).count() as f64 / self.values.len() as f64
    }

    /// The overlap of every pattern as bars.
    pub fn plot(&self) -> Figure {
        self.plot_with(&[])
    }

    /// The overlaps of every pattern side by side with `others` (grouped
    /// bars, one colour per set): e.g. forgetting by anti-Hebbian unlearning.
    pub fn plot_with(&self, others: &[&Overlaps]) -> Figure {
        let mut plot = plotly::Plot::new();
        for o in std::iter::once(self).chain(others.iter().copied()) {
            let x: Vec<f64> = (0..o.values.len()).map(|i| i as f64).collect();
            plot.add_trace(plotly::Bar::new(x, o.values.clone()).name(o.label.as_str()));
        }
        let layout = crate::display::layout(
            "Recall overlap of each stored pattern",
            "pattern",
            "overlap m",
        )
        .bar_mode(plotly::layout::BarMode::Group);
        plot.set_layout(layout);
        plot.into()
    }
}

impl std::fmt::Display for Overlaps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Overlaps({}: {} patterns, mean {:.3}, {:.0}% above 0.95)",
            self.label,
            self.values.len(),
            self.mean(),
            100.0 * self.fraction_recalled(0.95)
        )
    }
}

impl std::fmt::Debug for Overlaps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl Render for Overlaps {
    fn bundle(&self) -> Bundle {
        Bundle::figure(self.plot().plot(), "", self.to_string())
    }
}

crate::display::evcxr_display_via_render!(HopfieldParams, Hopfield, Recall, Overlaps);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_rejects_bad_values_naming_field_and_value() {
        let cases = [
            (Hopfield::params().n_neurons(0), "`n_neurons`"),
            (Hopfield::params().threshold(f64::NAN), "`threshold`"),
            (Hopfield::params().temperature(0.0), "`temperature`"),
        ];
        for (p, field) in cases {
            let e = p.build().unwrap_err().to_string();
            assert!(e.contains(field) && e.contains("got"), "{e}");
        }
    }

    #[test]
    fn params_round_trip_through_json() {
        let p = Hopfield::params()
            .activation(Activation::Tanh)
            .update(Update::Asynchronous)
            .seed(5);
        assert_eq!(HopfieldParams::from_json(&p.to_json()).unwrap(), p);
        assert!(p.to_json().contains("\"asynchronous\""));
    }

    #[test]
    fn zero_field_keeps_the_state_and_bad_inputs_are_errors() {
        let mut net = Hopfield::params().n_neurons(4).build().unwrap();
        net.set_state(&[1.0, -1.0, 1.0, -1.0]).unwrap();
        assert_eq!(net.update(), 0.0);
        assert_eq!(net.state(), &[1.0, -1.0, 1.0, -1.0]);
        assert!(net.set_state(&[1.0]).is_err());
        assert!(net.set_state(&[1.0, f64::NAN, 1.0, 1.0]).is_err());
        assert!(net.overlap(&[1.0]).is_err());
        assert!(net.set_weights(Array2::zeros((3, 3)).view()).is_err());
        assert!(net.plot_state(3).is_err());
    }

    #[test]
    fn local_fields_follow_the_dense_rule() {
        let n = 120;
        let pats = crate::train::patterns::random(12, n, 3);
        for update in [Update::Synchronous, Update::Asynchronous] {
            let mut net = Hopfield::params()
                .n_neurons(n)
                .update(update)
                .build()
                .unwrap();
            crate::train::LearningRule::train(
                &mut crate::train::Hebbian::params().build().unwrap(),
                &mut net,
                pats.view(),
            )
            .unwrap();
            assert!(net.is_symmetric(), "Hebbian weights are symmetric");
            let probe = crate::train::patterns::corrupt(&pats.view(), 0.3, 4).unwrap();
            net.set_state(probe.row(0).as_slice().unwrap()).unwrap();
            for _ in 0..6 {
                let before = net.s.clone();
                net.update();
                // W s kept by flips (or recomputed after many) equals the dense product.
                net.refresh_ws();
                let mut dense = vec![0.0; n];
                super::super::dense::matvec(net.w.as_slice().unwrap(), &net.s, &mut dense);
                for (a, b) in net.ws.iter().zip(&dense) {
                    assert!((a - b).abs() < 1e-12);
                }
                if update == Update::Synchronous {
                    // Every neuron took the sign of its field in the old state.
                    let mut h = vec![0.0; n];
                    super::super::dense::matvec(net.w.as_slice().unwrap(), &before, &mut h);
                    for i in 0..n {
                        let want = if h[i] > 0.0 {
                            1.0
                        } else if h[i] < 0.0 {
                            -1.0
                        } else {
                            before[i]
                        };
                        assert_eq!(net.s[i], want);
                    }
                }
            }
            let e = net.energy();
            net.ws_valid = false;
            assert!((e - net.energy()).abs() < 1e-9);
        }
        // Asymmetric weights take the dense path.
        let mut net = Hopfield::params().n_neurons(3).build().unwrap();
        net.set_weights(ndarray::array![[0.0, 1.0, 0.0], [0.5, 0.0, 0.0], [0.0, 0.0, 0.0]].view())
            .unwrap();
        assert!(!net.is_symmetric());
        net.set_state(&[1.0, -1.0, 1.0]).unwrap();
        net.update();
        assert_eq!(net.state(), &[-1.0, 1.0, 1.0]);
    }

    #[test]
    fn single_precision_fields_stay_within_their_bound() {
        // Gaussian asymmetric weights (the dense path), graded and sign
        // activations, both orders; N = 1, a multiple of 32 and neither.
        for n in [1, 64, 77] {
            let w = super::super::dense::gaussian_matrix(n, n, 0.0, 1.0, 5);
            let s0: Vec<f64> = (0..n).map(|i| ((i * 37 % 11) as f64 - 5.0) / 5.0).collect();
            for act in [Activation::Sign, Activation::Tanh] {
                for update in [Update::Synchronous, Update::Asynchronous] {
                    let build = |single: bool| {
                        let mut net = Hopfield::params()
                            .n_neurons(n)
                            .activation(act)
                            .update(update)
                            .single_precision(single)
                            .build()
                            .unwrap();
                        net.set_weights(w.view()).unwrap();
                        net.set_state(&s0).unwrap();
                        net
                    };
                    let (mut a, mut b) = (build(false), build(true));
                    // One update from the same state: compare the fields.
                    let before = a.s.clone();
                    a.update();
                    b.update();
                    if update == Update::Synchronous {
                        for i in 0..n {
                            let abs: f64 = (0..n).map(|j| (w[[i, j]] * before[j]).abs()).sum();
                            let bound = (n as f64 / 32.0 + 5.0) * 2f64.powi(-24) * abs;
                            assert!((a.h[i] - b.h[i]).abs() <= bound, "n {n}, {act:?}, row {i}");
                        }
                    } else {
                        // The first neuron of the (same) order saw the same state.
                        let i = a.order[0];
                        assert_eq!(i, b.order[0]);
                        let abs: f64 = (0..n).map(|j| (w[[i, j]] * before[j]).abs()).sum();
                        let bound = (n as f64 / 32.0 + 5.0) * 2f64.powi(-24) * abs;
                        assert!((a.h[i] - b.h[i]).abs() <= bound, "n {n}, {act:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn image_width_is_a_near_square_divisor() {
        assert_eq!(image_width(100), 10);
        assert_eq!(image_width(500), 25);
        assert_eq!(image_width(7), 7);
    }
}
