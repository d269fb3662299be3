use crate::display::{self, Bundle, KeyValues, Render, Series};
use crate::error::{Error, ParamError, Result};
use crate::models::StepMap;
use crate::params::{check, setters, Params};
use ndarray::{Array2, ArrayView2};
use rand::seq::index::sample;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// How stability is judged from the Jacobian of the map.
///
/// # Example
/// ```
/// use canns::analysis::{FixedPointFinder, Stability};
/// use canns::models::FnMap;
/// use canns::ndarray::Array2;
/// // x -> -2 x: lambda = -2 at the fixed point 0. As a map, |lambda| > 1:
/// // unstable. As the Euler step (dt = 1) of the flow dx/dt = -3 x, the
/// // flow's eigenvalue lambda - 1 = -3 < 0: stable.
/// let mut map = FnMap::new(1, |x: &[f64], out: &mut [f64]| out[0] = -2.0 * x[0]);
/// let states = Array2::from_shape_fn((10, 1), |(i, _)| i as f64 / 9.0 - 0.5);
/// let p = FixedPointFinder::params().n_inits(10);
/// let as_map = p.clone().run(&mut map, &states.view())?;
/// let as_flow = p.stability(Stability::Continuous).run(&mut map, &states.view())?;
/// assert_eq!((as_map.len(), as_map.is_stable[0]), (1, false));
/// assert!(as_flow.is_stable[0]);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stability {
    /// A discrete-time map: stable when every `|lambda| < 1`. Default.
    #[default]
    Discrete,
    /// The map is an Euler step of a flow: stable when every `Re lambda < 1`.
    Continuous,
}

/// Parameters of [`FixedPointFinder`].
///
/// # Example
/// ```
/// use canns::prelude::*;
/// let p = FixedPointFinder::params().n_inits(16).lr_init(0.1).seed(3);
/// p.validate()?;
/// assert_eq!((p.n_inits, p.lr_init, p.seed), (16, 0.1, 3));
/// let err = FixedPointFinder::params().lr_factor(1.5).validate().unwrap_err();
/// assert!(err.to_string().contains("lr_factor"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FixedPointFinderParams {
    /// Initial states sampled (without replacement) from the given states.
    /// Default 128.
    pub n_inits: usize,
    /// Standard deviation of Gaussian noise added to the initial states.
    /// Default 0.
    pub noise_scale: f64,
    /// Most Adam iterations. Default 5000.
    pub max_iters: usize,
    /// Stop when every `q` is below this. Default 1e-12.
    pub tol_q: f64,
    /// Stop when every `|Delta q|` is below `tol_dq * lr`. Default 1e-20.
    pub tol_dq: f64,
    /// Initial learning rate (state units per step). Default 0.05, for
    /// generic initial states; Adam's first steps have this size whatever
    /// the gradient, so states taken from a settled run (already within
    /// `q ~ 1e-10` of a fixed point) want a rate near 1e-3.
    pub lr_init: f64,
    /// Factor applied to the learning rate on a plateau. Default 0.95.
    pub lr_factor: f64,
    /// Iterations without improvement of the mean `q` before the rate drops.
    /// Default 5.
    pub lr_patience: usize,
    /// Iterations after a drop during which the rate is not lowered again.
    /// Default 0.
    pub lr_cooldown: usize,
    /// Adam's first-moment decay `beta1`. Default 0.9.
    pub beta1: f64,
    /// Adam's second-moment decay `beta2`. Default 0.999.
    pub beta2: f64,
    /// Adam's `epsilon`. Default 1e-8.
    pub eps: f64,
    /// Points closer than this (Euclidean) are one fixed point. Default 1e-3.
    pub tol_unique: f64,
    /// Drop points farther from the centroid of the initial states than this
    /// many times their mean distance to it (0: keep all). Default 10.
    pub outlier_distance_scale: f64,
    /// Keep only points with `q` below this. Default 1e-8.
    pub final_q_threshold: f64,
    /// Stability criterion. Default discrete time.
    pub stability: Stability,
    /// Seed of the sampling of initial states and their noise. Default 0.
    pub seed: u64,
}

impl Default for FixedPointFinderParams {
    fn default() -> Self {
        Self {
            n_inits: 128,
            noise_scale: 0.0,
            max_iters: 5000,
            tol_q: 1e-12,
            tol_dq: 1e-20,
            lr_init: 0.05,
            lr_factor: 0.95,
            lr_patience: 5,
            lr_cooldown: 0,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            tol_unique: 1e-3,
            outlier_distance_scale: 10.0,
            final_q_threshold: 1e-8,
            stability: Stability::Discrete,
            seed: 0,
        }
    }
}

/// Fixed and slow points of a discrete-time map `x -> F(x)` (Sussillo &
/// Barak 2013; Golub & Sussillo 2018), with their Jacobians, eigenvalues and
/// stability.
///
/// ```text
/// q(x) = 1/2 |x - F(x)|^2          grad q = (I - J)^T (x - F(x)),   J = dF/dx
/// ```
///
/// From a batch of initial states (sampled from trajectories), `q` is
/// minimised with Adam, every point in one loop; the learning rate is
/// multiplied by `lr_factor` whenever the mean `q` has not improved for
/// `lr_patience` iterations. The run stops when every `q < tol_q`, every
/// change of `q` is below `tol_dq * lr`, or after `max_iters`. Then points
/// with `q > final_q_threshold` are dropped, duplicates within `tol_unique`
/// merged (keeping the lowest `q`), points farther from the centroid of the
/// initial states than `outlier_distance_scale` times their mean distance
/// dropped, and the Jacobian at each remaining point eigen-decomposed.
/// Discrete-time stability is `max |lambda| < 1`; for a map that is an Euler
/// step `x + dt f(x)` of a flow, the flow's eigenvalues are
/// `(lambda - 1) / dt`, stable when `max Re lambda < 1`
/// ([`Stability::Continuous`]).
///
/// Differences from `canns`'s `FixedPointFinder`: the default learning rate
/// is 0.05 (`canns`'s 1.0 makes every Adam step about 1 state unit and does
/// not converge), `q` and `F(x*)` are those of the returned `x*` (not of the
/// state before the last step), and `q` is per point (Adam normalises the
/// scale away, so this differs from `canns`'s mean only through `eps`).
///
/// ## Examples
/// ```
/// use canns::analysis::FixedPointFinder;
/// use canns::models::FnMap;
/// use canns::ndarray::Array2;
/// // x' = tanh(2 x) in 1-D: fixed points 0 (unstable, lambda = 2) and +-0.9575 (stable).
/// let mut map = FnMap::new(1, |x: &[f64], out: &mut [f64]| out[0] = (2.0 * x[0]).tanh());
/// let states = Array2::from_shape_fn((50, 1), |(i, _)| -1.0 + 2.0 * i as f64 / 49.0);
/// let fps = FixedPointFinder::params().n_inits(50).run(&mut map, &states.view())?;
/// assert_eq!(fps.len(), 3);
/// assert_eq!(fps.is_stable.iter().filter(|s| **s).count(), 2);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Sussillo & Barak (2013), Neural Computation 25(3):626-649.
/// - Golub & Sussillo (2018), FixedPointFinder: a Tensorflow toolbox for
///   identifying and characterizing fixed points in recurrent neural
///   networks, JOSS 3(31):1003.
/// - Kingma & Ba (2015), Adam: a method for stochastic optimization, ICLR.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::models::FnMap;
/// // x -> x / 2 + 1 has one fixed point, x* = 2, stable (lambda = 0.5).
/// let mut map = FnMap::new(1, |x: &[f64], out: &mut [f64]| out[0] = 0.5 * x[0] + 1.0);
/// let states = Array2::from_shape_fn((20, 1), |(i, _)| i as f64 * 0.2);
/// let fps = FixedPointFinder::params().n_inits(20).run(&mut map, &states.view())?;
/// assert_eq!(fps.len(), 1);
/// assert!((fps.xstar[[0, 0]] - 2.0).abs() < 1e-3, "{}", fps.xstar[[0, 0]]);
/// assert!((fps.eigenvalues[0][0].0 - 0.5).abs() < 1e-6 && fps.is_stable[0]);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FixedPointFinder;

impl FixedPointFinder {
    /// Default parameters, to adjust and [`FixedPointFinderParams::run`].
    pub fn params() -> FixedPointFinderParams {
        FixedPointFinderParams::default()
    }
}

impl FixedPointFinderParams {
    setters! {
        /// Sets `n_inits`.
        n_inits: usize,
        /// Sets `noise_scale`.
        noise_scale: f64,
        /// Sets `max_iters`.
        max_iters: usize,
        /// Sets `tol_q`.
        tol_q: f64,
        /// Sets `tol_dq`.
        tol_dq: f64,
        /// Sets `lr_init`.
        lr_init: f64,
        /// Sets `lr_factor`.
        lr_factor: f64,
        /// Sets `lr_patience`.
        lr_patience: usize,
        /// Sets `lr_cooldown`.
        lr_cooldown: usize,
        /// Sets `beta1`.
        beta1: f64,
        /// Sets `beta2`.
        beta2: f64,
        /// Sets `eps`.
        eps: f64,
        /// Sets `tol_unique`.
        tol_unique: f64,
        /// Sets `outlier_distance_scale`.
        outlier_distance_scale: f64,
        /// Sets `final_q_threshold`.
        final_q_threshold: f64,
        /// Sets `stability`.
        stability: Stability,
        /// Sets `seed`.
        seed: u64,
    }

    /// The former name of [`run`](Self::run).
    ///
    /// # Errors
    /// As [`run`](Self::run).
    #[deprecated(since = "0.2.0", note = "analyses run on data: use `run`")]
    pub fn find(&self, map: &mut dyn StepMap, states: &ArrayView2<f64>) -> Result<FixedPoints> {
        self.run(map, states)
    }

    /// Finds the fixed points of `map` from initial states sampled from the
    /// rows of `states` (`(n_states, dim)`).
    ///
    /// # Errors
    /// [`Error::Param`] for invalid parameters; [`Error::Shape`] when
    /// `states` has no row or its columns differ from the map's dimension;
    /// [`Error::Invalid`] when a state is not finite; [`Error::Limit`] when
    /// the Jacobians would exceed the memory budget.
    pub fn run(&self, map: &mut dyn StepMap, states: &ArrayView2<f64>) -> Result<FixedPoints> {
        self.validate()?;
        let d = map.dim();
        let (n_states, cols) = states.dim();
        if cols != d {
            return Err(Error::shape("fixed-point states (columns)", d, cols));
        }
        if n_states == 0 {
            return Err(Error::shape("fixed-point states (rows)", "at least 1", 0));
        }
        if let Some(p) = states.iter().position(|v| !v.is_finite()) {
            return Err(Error::Invalid(format!(
                "fixed-point state row {} is not finite",
                p / d
            )));
        }
        let b = self.n_inits.min(n_states);
        crate::error::check_memory(
            &format!("fixed points: {b} points of dimension {d}"),
            (b as u64)
                .saturating_mul(d as u64)
                .saturating_mul(8 * (8 + d as u64)),
            "use fewer `n_inits`",
        )?;
        let mut rng = crate::random::seeded(self.seed);
        let mut rows = sample(&mut rng, n_states, b).into_vec();
        rows.sort_unstable();
        let mut x = Array2::zeros((b, d));
        for (i, &r) in rows.iter().enumerate() {
            x.row_mut(i).assign(&states.row(r));
        }
        if self.noise_scale > 0.0 {
            for v in x.iter_mut() {
                let z: f64 = StandardNormal.sample(&mut rng);
                *v += self.noise_scale * z;
            }
        }
        let x_init = x.clone();
        let (q, n_iters, dq) = self.minimise(map, &mut x);

        // Keep the converged points, lowest q first, then merge duplicates.
        let mut order: Vec<usize> = (0..b).filter(|&i| q[i] <= self.final_q_threshold).collect();
        order.sort_by(|&i, &j| q[i].total_cmp(&q[j]));
        let mut keep: Vec<usize> = Vec::new();
        for i in order {
            let xi = x.row(i);
            let dup = keep.iter().any(|&j| {
                let d2: f64 = xi
                    .iter()
                    .zip(x.row(j))
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum();
                d2.sqrt() < self.tol_unique
            });
            if !dup {
                keep.push(i);
            }
        }
        if self.outlier_distance_scale > 0.0 {
            let centroid = x_init.mean_axis(ndarray::Axis(0)).expect("b >= 1");
            let dist = |r: ndarray::ArrayView1<f64>| -> f64 {
                r.iter()
                    .zip(&centroid)
                    .map(|(a, c)| (a - c) * (a - c))
                    .sum::<f64>()
                    .sqrt()
            };
            let mean_init = x_init.rows().into_iter().map(dist).sum::<f64>() / b as f64;
            let limit = self.outlier_distance_scale * mean_init;
            if mean_init > 0.0 {
                keep.retain(|&i| dist(x.row(i)) <= limit);
            }
        }
        let n = keep.len();
        let mut xstar = Array2::zeros((n, d));
        let mut f_xstar = Array2::zeros((n, d));
        let mut init = Array2::zeros((n, d));
        let mut qstar = Vec::with_capacity(n);
        let mut dqs = Vec::with_capacity(n);
        let mut jacobians = Vec::with_capacity(n);
        let mut eigenvalues = Vec::with_capacity(n);
        let mut is_stable = Vec::with_capacity(n);
        let mut f = vec![0.0; d];
        for (k, &i) in keep.iter().enumerate() {
            let xi = x.row(i).to_vec();
            map.apply(&xi, &mut f);
            xstar.row_mut(k).assign(&x.row(i));
            f_xstar
                .row_mut(k)
                .assign(&ndarray::ArrayView1::from(&f[..]));
            init.row_mut(k).assign(&x_init.row(i));
            qstar.push(q[i]);
            dqs.push(dq[i]);
            let jac = map.jacobian(&xi);
            let ev = eigenvalues_of(&jac, d);
            is_stable.push(match self.stability {
                Stability::Discrete => ev.iter().all(|e| e.0.hypot(e.1) < 1.0),
                Stability::Continuous => ev.iter().all(|e| e.0 < 1.0),
            });
            eigenvalues.push(ev);
            jacobians.push(Array2::from_shape_vec((d, d), jac).expect("d x d values"));
        }
        Ok(FixedPoints {
            xstar,
            f_xstar,
            x_init: init,
            qstar,
            dq: dqs,
            n_iters,
            n_inits: b,
            n_converged: q.iter().filter(|&&v| v <= self.final_q_threshold).count(),
            q_all: q,
            jacobians,
            eigenvalues,
            is_stable,
            stability: self.stability,
        })
    }

    /// Adam on every row of `x`; returns the final `q` per point, the
    /// iterations run and the last change of `q` per point.
    fn minimise(&self, map: &mut dyn StepMap, x: &mut Array2<f64>) -> (Vec<f64>, usize, Vec<f64>) {
        let (b, d) = x.dim();
        let mut m1 = vec![0.0; b * d];
        let mut m2 = vec![0.0; b * d];
        let mut f = vec![0.0; d];
        let mut res = vec![0.0; b * d];
        let mut g = vec![0.0; d];
        let mut q = vec![f64::INFINITY; b];
        let mut dq = vec![f64::INFINITY; b];
        let mut lr = self.lr_init;
        let (mut best, mut wait, mut cool) = (f64::INFINITY, 0usize, 0usize);
        let (b1, b2) = (self.beta1, self.beta2);
        let (mut p1, mut p2) = (1.0, 1.0);
        let mut iters = 0;
        for it in 0..=self.max_iters {
            let mut mean_q = 0.0;
            let mut all_q = true;
            let mut all_dq = true;
            for i in 0..b {
                let xi = x.row(i).to_vec();
                map.apply(&xi, &mut f);
                let mut qi = 0.0;
                let r = &mut res[i * d..(i + 1) * d];
                for j in 0..d {
                    r[j] = xi[j] - f[j];
                    qi += r[j] * r[j];
                }
                let qi = 0.5 * qi;
                dq[i] = (q[i] - qi).abs();
                q[i] = if qi.is_finite() { qi } else { f64::INFINITY };
                mean_q += q[i] / b as f64;
                all_q &= q[i] < self.tol_q;
                all_dq &= dq[i] < self.tol_dq * lr;
            }
            iters = it;
            if all_q || all_dq || it == self.max_iters {
                break;
            }
            // Learning-rate schedule on the mean q.
            if mean_q < best {
                best = mean_q;
                wait = 0;
            } else if cool > 0 {
                cool -= 1;
            } else {
                wait += 1;
                if wait >= self.lr_patience {
                    lr *= self.lr_factor;
                    wait = 0;
                    cool = self.lr_cooldown;
                }
            }
            p1 *= b1;
            p2 *= b2;
            let step = lr * (1.0 - p2).sqrt() / (1.0 - p1);
            for i in 0..b {
                if !q[i].is_finite() {
                    continue;
                }
                let xi = x.row(i).to_vec();
                let r = &res[i * d..(i + 1) * d];
                map.vjp(&xi, r, &mut g);
                let mut row = x.row_mut(i);
                for j in 0..d {
                    let gj = r[j] - g[j];
                    let k = i * d + j;
                    m1[k] = b1 * m1[k] + (1.0 - b1) * gj;
                    m2[k] = b2 * m2[k] + (1.0 - b2) * gj * gj;
                    row[j] -= step * m1[k] / (m2[k].sqrt() + self.eps * (1.0 - p2).sqrt());
                }
            }
        }
        (q, iters, dq)
    }
}

impl Params for FixedPointFinderParams {
    const NAME: &'static str = "FixedPointFinderParams";

    fn validate(&self) -> Result<()> {
        check::at_least("n_inits", self.n_inits, 1)?;
        check::non_negative("noise_scale", self.noise_scale)?;
        check::positive("tol_q", self.tol_q)?;
        check::non_negative("tol_dq", self.tol_dq)?;
        check::positive("lr_init", self.lr_init)?;
        if !(self.lr_factor > 0.0 && self.lr_factor <= 1.0) {
            return Err(ParamError::new("lr_factor", "in (0, 1]", self.lr_factor).into());
        }
        check::at_least("lr_patience", self.lr_patience, 1)?;
        for (name, v) in [("beta1", self.beta1), ("beta2", self.beta2)] {
            if !(0.0..1.0).contains(&v) {
                return Err(ParamError::new(name, "in [0, 1)", v).into());
            }
        }
        check::positive("eps", self.eps)?;
        check::positive("tol_unique", self.tol_unique)?;
        check::non_negative("outlier_distance_scale", self.outlier_distance_scale)?;
        check::positive("final_q_threshold", self.final_q_threshold)?;
        Ok(())
    }
}

/// The fixed points found, with their Jacobians and eigenvalues.
///
/// # Shapes
/// `xstar`, `f_xstar`, `x_init`: `(n, dim)`; `jacobians[i]`: `(dim, dim)`
/// with `J[a][b] = dF_a / dx_b`; `eigenvalues[i]`: `dim` pairs `(re, im)`,
/// sorted by decreasing modulus.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::models::FnMap;
/// // x' = tanh(2 x): fixed points 0 (unstable) and +-0.9575 (stable).
/// let mut map = FnMap::new(1, |x: &[f64], out: &mut [f64]| out[0] = (2.0 * x[0]).tanh());
/// let states = Array2::from_shape_fn((30, 1), |(i, _)| -1.0 + 2.0 * i as f64 / 29.0);
/// let fps = FixedPointFinder::params().n_inits(30).run(&mut map, &states.view())?;
/// assert_eq!(fps.xstar.dim(), (3, 1));
/// assert_eq!(fps.jacobians[0].dim(), (1, 1));
/// // The unstable point has the largest |lambda| (= 2 at x = 0).
/// let top = fps.top_modulus();
/// assert!(top.iter().any(|m| (m - 2.0).abs() < 1e-3));
/// assert!(fps.to_string().contains("2 stable"), "{fps}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct FixedPoints {
    /// The fixed points.
    pub xstar: Array2<f64>,
    /// `F(x*)` (equal to `x*` within `sqrt(2 q)`).
    pub f_xstar: Array2<f64>,
    /// The initial state each point came from.
    pub x_init: Array2<f64>,
    /// `q = 1/2 |x* - F(x*)|^2` at each point.
    pub qstar: Vec<f64>,
    /// Change of `q` in the last iteration, per point.
    pub dq: Vec<f64>,
    /// Adam iterations run.
    pub n_iters: usize,
    /// Initial states used.
    pub n_inits: usize,
    /// Points with `q` below the final threshold (before merging).
    pub n_converged: usize,
    /// Final `q` of every initial state (before filtering).
    pub q_all: Vec<f64>,
    /// Jacobian `dF/dx` at each point.
    pub jacobians: Vec<Array2<f64>>,
    /// Eigenvalues of each Jacobian, `(re, im)`, by decreasing modulus.
    pub eigenvalues: Vec<Vec<(f64, f64)>>,
    /// Whether each point is stable (see [`Stability`]).
    pub is_stable: Vec<bool>,
    /// The criterion `is_stable` was judged by.
    pub stability: Stability,
}

impl FixedPoints {
    /// Number of unique fixed points.
    pub fn len(&self) -> usize {
        self.qstar.len()
    }

    /// Whether none was found.
    pub fn is_empty(&self) -> bool {
        self.qstar.is_empty()
    }

    /// The largest `|lambda|` at each point.
    pub fn top_modulus(&self) -> Vec<f64> {
        self.eigenvalues
            .iter()
            .map(|ev| ev.first().map_or(f64::NAN, |e| e.0.hypot(e.1)))
            .collect()
    }

    /// The eigenvalues of every point in the complex plane, stable and
    /// unstable points apart, with the stability boundary: the unit circle
    /// for a discrete-time map, the line `Re lambda = 1` for the Euler step
    /// of a flow ([`Stability::Continuous`]).
    pub fn plot_eigenvalues(&self) -> display::Figure {
        let (mut sr, mut si, mut ur, mut ui) = (vec![], vec![], vec![], vec![]);
        for (ev, &st) in self.eigenvalues.iter().zip(&self.is_stable) {
            for e in ev {
                if st {
                    sr.push(e.0);
                    si.push(e.1);
                } else {
                    ur.push(e.0);
                    ui.push(e.1);
                }
            }
        }
        let boundary = match self.stability {
            Stability::Discrete => {
                let t: Vec<f64> = (0..=100)
                    .map(|k| k as f64 * std::f64::consts::TAU / 100.0)
                    .collect();
                Series::dashed(
                    "|lambda| = 1",
                    t.iter().map(|t| t.cos()).collect(),
                    t.iter().map(|t| t.sin()).collect(),
                )
            }
            Stability::Continuous => {
                let im = sr
                    .iter()
                    .chain(&ur)
                    .zip(si.iter().chain(&ui))
                    .map(|(_, i)| i.abs())
                    .fold(1.0, f64::max);
                Series::dashed("Re lambda = 1", vec![1.0, 1.0], vec![-im, im])
            }
        };
        let p = display::lines(
            &format!("Jacobian eigenvalues at {} fixed points", self.len()),
            "Re lambda",
            "Im lambda",
            vec![
                boundary,
                Series::markers("stable points", sr, si),
                Series::markers("unstable points", ur, ui),
            ],
        );
        display::show(p)
    }

    /// The fixed points projected on the first two principal components of
    /// `states` (e.g. the trajectories they were sought from), stable ones
    /// and unstable ones apart, over the states in grey.
    ///
    /// # Errors
    /// As [`crate::embed::PcaParams::fit`]; [`Error::Shape`] when `states`
    /// does not have the fixed points' dimension.
    pub fn plot_pca(&self, states: &ArrayView2<f64>) -> Result<display::Figure> {
        let pca = crate::embed::Pca::params().n_components(2).fit(states)?;
        let s = pca.transform(states)?;
        let f = pca.transform(&self.xstar.view())?;
        let pick = |stable: bool, c: usize| -> Vec<f64> {
            (0..self.len())
                .filter(|&i| self.is_stable[i] == stable)
                .map(|i| f[[i, c]])
                .collect()
        };
        let p = display::lines(
            "Fixed points on the PCA of the states",
            "PC 1",
            "PC 2",
            vec![
                Series::markers("states", s.column(0).to_vec(), s.column(1).to_vec()),
                Series::markers("stable", pick(true, 0), pick(true, 1)),
                Series::markers("unstable", pick(false, 0), pick(false, 1)),
            ],
        );
        Ok(display::show(p))
    }

    /// For a CANN on a ring of `n_neurons` (state `u`, or `[u, v]`): the
    /// decoded position of each fixed point (population vector of `u^2`)
    /// against its largest `|lambda|`, stable and unstable points apart. A
    /// continuous attractor shows as points all round the ring at
    /// `|lambda|` close to 1.
    ///
    /// # Errors
    /// [`Error::Shape`] when the state is shorter than `n_neurons`.
    pub fn plot_ring(&self, n_neurons: usize) -> Result<display::Figure> {
        if n_neurons == 0 || self.xstar.ncols() < n_neurons {
            return Err(Error::shape(
                "ring fixed points (state length)",
                format!(">= {n_neurons}"),
                self.xstar.ncols(),
            ));
        }
        let grid = crate::analysis::bump::RingGrid::new(n_neurons);
        let top = self.top_modulus();
        let (mut sx, mut sy, mut ux, mut uy) = (vec![], vec![], vec![], vec![]);
        let rows = self.xstar.rows().into_iter();
        for ((row, &stable), &t) in rows.zip(&self.is_stable).zip(&top) {
            let r: Vec<f64> = row.iter().take(n_neurons).map(|u| u * u).collect();
            if let Some(c) = grid.centre(&r) {
                if stable {
                    sx.push(c);
                    sy.push(t);
                } else {
                    ux.push(c);
                    uy.push(t);
                }
            }
        }
        let p = display::lines(
            "Fixed points on the ring",
            "decoded position (rad)",
            "largest |lambda|",
            vec![
                Series::markers("stable", sx, sy),
                Series::markers("unstable", ux, uy),
            ],
        );
        Ok(display::show(p))
    }

    fn table(&self) -> KeyValues {
        let top = self.top_modulus();
        let (lo, hi) = top
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        KeyValues::new("FixedPoints")
            .row("n", self.len(), "unique fixed points")
            .row(
                "stable",
                self.is_stable.iter().filter(|s| **s).count(),
                "stable points",
            )
            .row("n_iters", self.n_iters, "Adam iterations")
            .row(
                "converged",
                format!("{} / {}", self.n_converged, self.n_inits),
                "q below threshold",
            )
            .row(
                "top |lambda|",
                format!("{lo:.4} .. {hi:.4}"),
                "range over points",
            )
    }
}

crate::display::debug_via_display!(FixedPoints);

impl std::fmt::Display for FixedPoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FixedPoints({} unique, {} stable, {} iterations)",
            self.len(),
            self.is_stable.iter().filter(|s| **s).count(),
            self.n_iters
        )
    }
}

impl Render for FixedPoints {
    fn bundle(&self) -> Bundle {
        Bundle::figure(
            self.plot_eigenvalues().plot(),
            &self.table().to_html(),
            self.to_string(),
        )
    }
}

impl Render for FixedPointFinderParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(String::new(), format!("{self:?}"))
    }
}

display::evcxr_display_via_render!(FixedPoints, FixedPointFinderParams);

/// Eigenvalues `(re, im)` of the row-major `d x d` matrix `a`, by decreasing
/// modulus: balancing, reduction to Hessenberg form by stabilised elementary
/// similarity transforms, and the shifted (Francis double-shift) QR
/// iteration (EISPACK `balanc`, `elmhes`, `hqr`; Press et al., Numerical
/// Recipes, 3rd ed., section 11.6). Eigenvalues the iteration cannot
/// separate within 60 sweeps are returned as NaN.
///
/// # Examples
/// ```
/// // A rotation by 90 degrees scaled by 2: eigenvalues +-2i.
/// let ev = canns::analysis::eigenvalues_of(&[0.0, -2.0, 2.0, 0.0], 2);
/// assert!(ev.iter().all(|e| e.0.abs() < 1e-12 && (e.1.abs() - 2.0).abs() < 1e-12));
/// ```
pub fn eigenvalues_of(a: &[f64], d: usize) -> Vec<(f64, f64)> {
    let mut a = a.to_vec();
    if d == 0 || a.len() != d * d || a.iter().any(|v| !v.is_finite()) {
        return vec![(f64::NAN, f64::NAN); d];
    }
    balance(&mut a, d);
    hessenberg(&mut a, d);
    for i in 2..d {
        for j in 0..i - 1 {
            a[i * d + j] = 0.0;
        }
    }
    let mut ev = hqr(&mut a, d);
    ev.sort_by(|a, b| b.0.hypot(b.1).total_cmp(&a.0.hypot(a.1)));
    ev
}

/// Balances `a` in place by powers of 2 (Parlett & Reinsch 1969).
fn balance(a: &mut [f64], n: usize) {
    const RADIX: f64 = 2.0;
    let sqrdx = RADIX * RADIX;
    let mut done = false;
    while !done {
        done = true;
        for i in 0..n {
            let (mut r, mut c) = (0.0, 0.0);
            for j in 0..n {
                if j != i {
                    c += a[j * n + i].abs();
                    r += a[i * n + j].abs();
                }
            }
            if c != 0.0 && r != 0.0 {
                let mut g = r / RADIX;
                let mut f = 1.0;
                let s = c + r;
                while c < g {
                    f *= RADIX;
                    c *= sqrdx;
                }
                g = r * RADIX;
                while c > g {
                    f /= RADIX;
                    c /= sqrdx;
                }
                if (c + r) / f < 0.95 * s {
                    done = false;
                    let g = 1.0 / f;
                    for j in 0..n {
                        a[i * n + j] *= g;
                    }
                    for j in 0..n {
                        a[j * n + i] *= f;
                    }
                }
            }
        }
    }
}

/// Reduces `a` to upper Hessenberg form in place (Gaussian elimination with
/// pivoting, as similarity transforms).
fn hessenberg(a: &mut [f64], n: usize) {
    for m in 1..n.saturating_sub(1) {
        let mut x = 0.0f64;
        let mut i = m;
        for j in m..n {
            if a[j * n + m - 1].abs() > x.abs() {
                x = a[j * n + m - 1];
                i = j;
            }
        }
        if i != m {
            for j in m - 1..n {
                a.swap(i * n + j, m * n + j);
            }
            for j in 0..n {
                a.swap(j * n + i, j * n + m);
            }
        }
        if x != 0.0 {
            for i in m + 1..n {
                let mut y = a[i * n + m - 1];
                if y != 0.0 {
                    y /= x;
                    a[i * n + m - 1] = y;
                    for j in m..n {
                        a[i * n + j] -= y * a[m * n + j];
                    }
                    for j in 0..n {
                        a[j * n + m] += y * a[j * n + i];
                    }
                }
            }
        }
    }
}

/// Eigenvalues of an upper Hessenberg matrix by the shifted QR iteration
/// (destroys `a`).
#[allow(clippy::many_single_char_names)]
fn hqr(a: &mut [f64], n: usize) -> Vec<(f64, f64)> {
    let idx = |i: isize, j: isize| i as usize * n + j as usize;
    let mut wr = vec![f64::NAN; n];
    let mut wi = vec![0.0; n];
    let eps = f64::EPSILON;
    let mut anorm = 0.0;
    for i in 0..n {
        for j in i.saturating_sub(1)..n {
            anorm += a[i * n + j].abs();
        }
    }
    let mut nn = n as isize - 1;
    let mut t = 0.0;
    let (mut p, mut q, mut r) = (0.0f64, 0.0f64, 0.0f64);
    let (mut x, mut y, mut z, mut w);
    'outer: while nn >= 0 {
        let mut its = 0;
        loop {
            let mut l = nn;
            while l > 0 {
                let mut s = a[idx(l - 1, l - 1)].abs() + a[idx(l, l)].abs();
                if s == 0.0 {
                    s = anorm;
                }
                if a[idx(l, l - 1)].abs() <= eps * s {
                    a[idx(l, l - 1)] = 0.0;
                    break;
                }
                l -= 1;
            }
            x = a[idx(nn, nn)];
            if l == nn {
                wr[nn as usize] = x + t;
                wi[nn as usize] = 0.0;
                nn -= 1;
            } else {
                y = a[idx(nn - 1, nn - 1)];
                w = a[idx(nn, nn - 1)] * a[idx(nn - 1, nn)];
                if l == nn - 1 {
                    p = 0.5 * (y - x);
                    q = p * p + w;
                    z = q.abs().sqrt();
                    x += t;
                    let (i1, i0) = (nn as usize, nn as usize - 1);
                    if q >= 0.0 {
                        z = p + z.copysign(p);
                        wr[i0] = x + z;
                        wr[i1] = x + z;
                        if z != 0.0 {
                            wr[i1] = x - w / z;
                        }
                        wi[i0] = 0.0;
                        wi[i1] = 0.0;
                    } else {
                        wr[i0] = x + p;
                        wr[i1] = x + p;
                        wi[i0] = z;
                        wi[i1] = -z;
                    }
                    nn -= 2;
                } else {
                    if its == 60 {
                        break 'outer;
                    }
                    if its == 10 || its == 20 || its == 40 {
                        t += x;
                        for i in 0..=nn {
                            a[idx(i, i)] -= x;
                        }
                        let s = a[idx(nn, nn - 1)].abs() + a[idx(nn - 1, nn - 2)].abs();
                        x = 0.75 * s;
                        y = x;
                        w = -0.4375 * s * s;
                    }
                    its += 1;
                    let mut m = nn - 2;
                    while m >= l {
                        z = a[idx(m, m)];
                        let rr = x - z;
                        let ss = y - z;
                        p = (rr * ss - w) / a[idx(m + 1, m)] + a[idx(m, m + 1)];
                        q = a[idx(m + 1, m + 1)] - z - rr - ss;
                        r = a[idx(m + 2, m + 1)];
                        let s = p.abs() + q.abs() + r.abs();
                        p /= s;
                        q /= s;
                        r /= s;
                        if m == l {
                            break;
                        }
                        let u = a[idx(m, m - 1)].abs() * (q.abs() + r.abs());
                        let v = p.abs()
                            * (a[idx(m - 1, m - 1)].abs() + z.abs() + a[idx(m + 1, m + 1)].abs());
                        if u <= eps * v {
                            break;
                        }
                        m -= 1;
                    }
                    for i in m..nn - 1 {
                        a[idx(i + 2, i)] = 0.0;
                        if i != m {
                            a[idx(i + 2, i - 1)] = 0.0;
                        }
                    }
                    let mut k = m;
                    while k < nn {
                        if k != m {
                            p = a[idx(k, k - 1)];
                            q = a[idx(k + 1, k - 1)];
                            r = 0.0;
                            if k + 1 != nn {
                                r = a[idx(k + 2, k - 1)];
                            }
                            x = p.abs() + q.abs() + r.abs();
                            if x != 0.0 {
                                p /= x;
                                q /= x;
                                r /= x;
                            }
                        }
                        let s = (p * p + q * q + r * r).sqrt().copysign(p);
                        if s != 0.0 {
                            if k == m {
                                if l != m {
                                    a[idx(k, k - 1)] = -a[idx(k, k - 1)];
                                }
                            } else {
                                a[idx(k, k - 1)] = -s * x;
                            }
                            p += s;
                            x = p / s;
                            y = q / s;
                            z = r / s;
                            q /= p;
                            r /= p;
                            for j in k..=nn {
                                p = a[idx(k, j)] + q * a[idx(k + 1, j)];
                                if k + 1 != nn {
                                    p += r * a[idx(k + 2, j)];
                                    a[idx(k + 2, j)] -= p * z;
                                }
                                a[idx(k + 1, j)] -= p * y;
                                a[idx(k, j)] -= p * x;
                            }
                            let mmin = if nn < k + 3 { nn } else { k + 3 };
                            for i in l..=mmin {
                                p = x * a[idx(i, k)] + y * a[idx(i, k + 1)];
                                if k + 1 != nn {
                                    p += z * a[idx(i, k + 2)];
                                    a[idx(i, k + 2)] -= p * r;
                                }
                                a[idx(i, k + 1)] -= p * q;
                                a[idx(i, k)] -= p;
                            }
                        }
                        k += 1;
                    }
                }
            }
            if l + 1 >= nn {
                break;
            }
        }
    }
    wr.into_iter().zip(wi).collect()
}

#[cfg(test)]
mod tests {
    use super::eigenvalues_of;

    fn sorted_re(ev: &[(f64, f64)]) -> Vec<f64> {
        let mut v: Vec<f64> = ev.iter().map(|e| e.0).collect();
        v.sort_by(f64::total_cmp);
        v
    }

    #[test]
    fn eigenvalues_of_known_matrices() {
        // Triangular: the diagonal.
        let a = [2.0, 1.0, 3.0, 0.0, -1.0, 4.0, 0.0, 0.0, 0.5];
        let ev = eigenvalues_of(&a, 3);
        assert_eq!(sorted_re(&ev).len(), 3);
        for (g, w) in sorted_re(&ev).iter().zip([-1.0, 0.5, 2.0]) {
            assert!((g - w).abs() < 1e-12, "{ev:?}");
        }
        // Companion matrix of (x-1)(x-2)(x-3)(x-4) = x^4 - 10x^3 + 35x^2 - 50x + 24.
        let c = [
            10.0, -35.0, 50.0, -24.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0,
        ];
        let ev = eigenvalues_of(&c, 4);
        for (g, w) in sorted_re(&ev).iter().zip([1.0, 2.0, 3.0, 4.0]) {
            assert!((g - w).abs() < 1e-9, "{ev:?}");
        }
        // A circulant matrix: eigenvalues are the DFT of its first row.
        let n = 64;
        let row: Vec<f64> = (0..n)
            .map(|k| {
                (-((k.min(n - k)) as f64).powi(2) / 8.0).exp() + if k == 1 { 0.3 } else { 0.0 }
            })
            .collect();
        let mut m = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                m[i * n + j] = row[(j + n - i) % n];
            }
        }
        let ev = eigenvalues_of(&m, n);
        let mut want: Vec<f64> = (0..n)
            .map(|f| {
                let (mut re, mut im) = (0.0, 0.0);
                for (k, r) in row.iter().enumerate() {
                    let ph = std::f64::consts::TAU * (f * k) as f64 / n as f64;
                    re += r * ph.cos();
                    im += r * ph.sin();
                }
                re.hypot(im)
            })
            .collect();
        want.sort_by(|a, b| b.total_cmp(a));
        for (g, w) in ev.iter().zip(&want) {
            assert!((g.0.hypot(g.1) - w).abs() < 1e-9, "{g:?} vs {w}");
        }
        // Non-finite input: NaN, not a hang or a panic.
        assert!(eigenvalues_of(&[f64::NAN, 0.0, 0.0, 1.0], 2)[0].0.is_nan());
        assert!(eigenvalues_of(&[], 0).is_empty());
        assert_eq!(eigenvalues_of(&[3.0], 1), vec![(3.0, 0.0)]);
    }
}
