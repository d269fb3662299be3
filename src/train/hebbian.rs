use super::{check_data, check_sample, check_weights, LearningRule};
use crate::display::KeyValues;
use crate::error::Result;
use crate::models::Hopfield;
use crate::params::{check, setters, Params};
use crate::pipeline::progress::{Progress, ShowProgress};
use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// The divisor `n` of the Hebbian sum.
///
/// # Example
/// ```
/// use canns::models::Hopfield;
/// use canns::ndarray::array;
/// use canns::train::{Hebbian, LearningRule, Normalization};
/// // Two patterns of 4 neurons; neurons 0 and 2 agree in both: the sum is 2.
/// let patterns = array![[1.0, 1.0, 1.0, 1.0], [1.0, -1.0, 1.0, -1.0]];
/// let w02 = |norm| -> canns::Result<f64> {
///     let mut net = Hopfield::params().n_neurons(4).build()?;
///     Hebbian::params().normalization(norm).build()?.train(&mut net, patterns.view())?;
///     Ok(net.weights()[[0, 2]])
/// };
/// assert_eq!(w02(Normalization::Neurons)?, 0.5); // / N = 4
/// assert_eq!(w02(Normalization::Patterns)?, 1.0); // / 2 patterns
/// assert_eq!(w02(Normalization::None)?, 2.0);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalization {
    /// By the number of neurons `N` (Hopfield 1982): consistent across calls.
    #[default]
    Neurons,
    /// By the number of patterns in the call (canns's default; see the module docs).
    Patterns,
    /// No division.
    None,
}

/// Parameters of the [`Hebbian`] rule.
///
/// # Example
/// ```
/// use canns::models::Hopfield;
/// use canns::train::{patterns, Hebbian, LearningRule};
/// let stored = patterns::random(2, 20, 3);
/// let mut net = Hopfield::params().n_neurons(20).build()?;
/// Hebbian::params().build()?.train(&mut net, stored.view())?;
/// // Anti-Hebbian unlearning of the same patterns removes them again.
/// let mut unlearn = Hebbian::params().anti(true).build()?;
/// unlearn.train(&mut net, stored.view())?;
/// assert!(net.weights().iter().all(|w| w.abs() < 1e-12));
/// assert_eq!(unlearn.to_string(), "AntiHebbian(eta=1, by Neurons, 2 patterns seen)");
/// let err = Hebbian::params().learning_rate(0.0).build().unwrap_err();
/// assert!(err.to_string().contains("learning_rate"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HebbianParams {
    /// Learning rate `eta`. Default 1.
    pub learning_rate: f64,
    /// Anti-Hebbian: subtract the outer products (unlearning). Default false.
    pub anti: bool,
    /// The divisor `n`. Default [`Normalization::Neurons`].
    pub normalization: Normalization,
    /// Subtract the mean `rho` of all entries of the call's patterns. Default
    /// false (canns: true; it matters only for biased patterns).
    pub subtract_mean: bool,
    /// Set the diagonal to zero after the update (no self-coupling). Default true.
    pub zero_diagonal: bool,
    /// Progress display for long runs. Default auto.
    pub progress: ShowProgress,
}

impl Default for HebbianParams {
    fn default() -> Self {
        Self {
            learning_rate: 1.0,
            anti: false,
            normalization: Normalization::Neurons,
            subtract_mean: false,
            zero_diagonal: true,
            progress: ShowProgress::Auto,
        }
    }
}

impl HebbianParams {
    setters! {
        /// Sets `learning_rate`.
        learning_rate: f64,
        /// Sets `anti`.
        anti: bool,
        /// Sets `normalization`.
        normalization: Normalization,
        /// Sets `subtract_mean`.
        subtract_mean: bool,
        /// Sets `zero_diagonal`.
        zero_diagonal: bool,
        /// Sets `progress`.
        progress: ShowProgress,
    }

    /// Validates and builds the rule.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) naming the invalid field and value.
    pub fn build(&self) -> Result<Hebbian> {
        self.validate()?;
        Ok(Hebbian {
            params: self.clone(),
            patterns_seen: 0,
        })
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("HebbianParams")
            .row("learning_rate", self.learning_rate, "eta")
            .row("anti", self.anti, "anti-Hebbian (unlearning)")
            .row(
                "normalization",
                format!("{:?}", self.normalization),
                "divisor of the sum",
            )
            .row(
                "subtract_mean",
                self.subtract_mean,
                "subtract the mean entry rho",
            )
            .row("zero_diagonal", self.zero_diagonal, "no self-coupling")
    }
}

impl Params for HebbianParams {
    const NAME: &'static str = "HebbianParams";

    fn validate(&self) -> Result<()> {
        check::positive("learning_rate", self.learning_rate)?;
        Ok(())
    }
}

/// Hebbian storage (and anti-Hebbian unlearning) of patterns in a
/// [`Hopfield`] network: the outer-product rule.
///
/// ```text
/// W <- W + sign * eta / n * sum_mu (p_mu - rho)(p_mu - rho)^T      then W_ii = 0
/// ```
///
/// over the patterns `p_mu` (rows) of one [`LearningRule::train`] call, with
/// `sign = +1` (Hebbian) or `-1` (anti-Hebbian, `anti`), `rho` the mean of all
/// entries of the call's patterns when `subtract_mean` (else 0), and `n` set
/// by [`Normalization`]: by default the number of neurons `N`, the classic
/// `W = (1/N) sum p p^T` of Hopfield (1982). Normalising by `N` makes storage
/// and unlearning commensurate whatever the number of patterns per call:
/// unlearning one pattern exactly cancels learning it.
///
/// canns normalises by the number of patterns of each call instead
/// ([`Normalization::Patterns`], available for comparison): storing 10
/// patterns and then unlearning one makes the unlearning 10x stronger than the
/// learning, and recall falls into a period-2 cycle.
///
/// The rule is a batch rule: [`LearningRule::step`] stores one pattern as a
/// batch of one. The sum runs as matrix products over blocks of rows, without
/// copying the patterns.
///
/// ## Examples
/// ```
/// use canns::models::Hopfield;
/// use canns::train::{Hebbian, LearningRule};
/// use canns::ndarray::array;
/// let p = array![[1.0, -1.0, 1.0, 1.0], [1.0, 1.0, -1.0, 1.0]];
/// let mut net = Hopfield::params().n_neurons(4).build()?;
/// Hebbian::params().build()?.train(&mut net, p.view())?;
/// assert_eq!(net.weights()[[0, 1]], (1.0 * -1.0 + 1.0 * 1.0) / 4.0);
/// assert_eq!(net.weights()[[0, 3]], 2.0 / 4.0);
/// // Unlearning the second pattern leaves the first one alone.
/// Hebbian::params().anti(true).build()?.step(&mut net, p.row(1))?;
/// assert_eq!(net.weights()[[0, 3]], 1.0 / 4.0);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Hebb (1949), The Organization of Behavior.
/// - Hopfield (1982), PNAS 79(8):2554-2558.
/// - Hopfield, Feinstein & Palmer (1983), Nature 304:158-159 ("unlearning").
///
/// # Example
/// ```
/// use canns::models::Hopfield;
/// use canns::ndarray::array;
/// use canns::train::{Hebbian, LearningRule};
/// // W = p p^T / N with a zero diagonal.
/// let p = array![[1.0, -1.0, 1.0]];
/// let mut net = Hopfield::params().n_neurons(3).build()?;
/// let mut rule = Hebbian::params().build()?;
/// rule.train(&mut net, p.view())?;
/// let third = 1.0 / 3.0;
/// assert_eq!(net.weights(), &array![[0.0, -third, third], [-third, 0.0, -third], [third, -third, 0.0]]);
/// assert_eq!(rule.patterns_seen(), 1);
/// // The pattern is a fixed point.
/// assert!(net.recall(&[1.0, -1.0, 1.0], 5)?.converged);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct Hebbian {
    params: HebbianParams,
    patterns_seen: usize,
}

impl Hebbian {
    /// Default parameters, to adjust and [`HebbianParams::build`].
    pub fn params() -> HebbianParams {
        HebbianParams::default()
    }

    /// The rule's parameters.
    pub fn parameters(&self) -> &HebbianParams {
        &self.params
    }

    /// Patterns stored (or unlearned) so far.
    pub fn patterns_seen(&self) -> usize {
        self.patterns_seen
    }

    fn store(&mut self, net: &mut Hopfield, patterns: ArrayView2<f64>) -> Result<()> {
        let (n_pat, n) = patterns.dim();
        if n_pat == 0 {
            return Ok(());
        }
        let p = &self.params;
        let divisor = match p.normalization {
            Normalization::Neurons => n as f64,
            Normalization::Patterns => n_pat as f64,
            Normalization::None => 1.0,
        };
        let scale = if p.anti { -1.0 } else { 1.0 } * p.learning_rate / divisor;
        // sum (p - rho)(p - rho)^T = P^T P - rho (c 1^T + 1 c^T) + n_pat rho^2 1 1^T,
        // with c the column sums: the patterns are read in place, never copied.
        let mut col_sums = vec![0.0; n];
        let w = net.weights_mut();
        const BLOCK: usize = 256;
        let mut bar = Progress::new("hebbian", n_pat, (n_pat * n * n) as f64, p.progress);
        let mut done = 0;
        for block in patterns.axis_chunks_iter(Axis(0), BLOCK) {
            general_mat_mul(scale, &block.t(), &block, 1.0, w);
            if p.subtract_mean {
                for row in block.outer_iter() {
                    for (c, x) in col_sums.iter_mut().zip(row) {
                        *c += x;
                    }
                }
            }
            done += block.nrows();
            bar.update(done);
        }
        if p.subtract_mean {
            let rho = col_sums.iter().sum::<f64>() / (n_pat * n) as f64;
            let k = n_pat as f64 * rho * rho;
            for ((i, j), wij) in w.indexed_iter_mut() {
                *wij += scale * (k - rho * (col_sums[i] + col_sums[j]));
            }
        }
        if p.zero_diagonal {
            w.diag_mut().fill(0.0);
        }
        self.patterns_seen += n_pat;
        check_weights(w, self.patterns_seen)
    }
}

impl LearningRule for Hebbian {
    type Layer = Hopfield;

    fn name(&self) -> &'static str {
        if self.params.anti {
            "anti-hebbian"
        } else {
            "hebbian"
        }
    }

    fn step(&mut self, net: &mut Hopfield, x: ArrayView1<f64>) -> Result<()> {
        check_sample(&x, net.n_neurons())?;
        self.store(net, x.insert_axis(Axis(0)))
    }

    fn train(&mut self, net: &mut Hopfield, data: ArrayView2<f64>) -> Result<()> {
        check_data(&data, net.n_neurons())?;
        self.store(net, data)
    }
}

impl std::fmt::Display for Hebbian {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}(eta={}, by {:?}, {} patterns seen)",
            if self.params.anti {
                "AntiHebbian"
            } else {
                "Hebbian"
            },
            self.params.learning_rate,
            self.params.normalization,
            self.patterns_seen
        )
    }
}

super::rule_display!(
    Hebbian,
    HebbianParams,
    "patterns_seen",
    "patterns presented",
    |r| r.patterns_seen
);

crate::display::evcxr_display_via_render!(HebbianParams, Hebbian);
