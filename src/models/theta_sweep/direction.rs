use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render, Series};
use crate::error::{Error, ParamError, Result};
use crate::models::cann1d::ring_gaussian;
use crate::models::dynamics::AdaptiveStep;
use crate::models::kernel::{CircularConv, Recurrence};
use crate::models::{FeatureMap, Model};
use crate::params::check;
use crate::params::{setters, Params};
use crate::random::SeededRng;
use crate::space::{angle_diff, circular_mean, ring_positions, TWO_PI};
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Parameters of [`DirectionCellNetwork`] (Ji et al. 2025; defaults of
/// `canns`'s `DirectionCellNetwork`). Time is in milliseconds.
///
/// # Example
/// ```
/// use canns::models::DirectionCellNetwork;
/// let p = DirectionCellNetwork::params().num(36).adaptation_strength(5.0);
/// assert!((p.m() - 0.5).abs() < 1e-12); // 5 * tau / tau_v = 5 * 10 / 100
/// let net = p.build()?;
/// assert_eq!(net.preferred_directions().len(), 36);
/// // A ring needs at least 3 neurons.
/// let err = DirectionCellNetwork::params().num(2).build().unwrap_err();
/// assert!(err.to_string().contains("`num`"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DirectionCellNetworkParams {
    /// Number of neurons N on the ring. Default 100.
    pub num: usize,
    /// Synaptic time constant `tau` (ms). Default 10.
    pub tau: f64,
    /// Adaptation time constant `tau_v` (ms). Default 100.
    pub tau_v: f64,
    /// Standard deviation of the Gaussian noise added to every neuron's
    /// input current each step. Default 0.1.
    pub noise_strength: f64,
    /// Global inhibition `k` of the divisive normalisation. Default 0.2.
    pub k: f64,
    /// Adaptation strength `mbar`; the adaptation gain is
    /// `m = mbar tau / tau_v`. Default 15 (`m = 1.5`).
    pub adaptation_strength: f64,
    /// Width `a` of the recurrent kernel and of the cue (rad). Default 0.7.
    pub a: f64,
    /// Cue amplitude `A`. Default 3.
    pub amplitude: f64,
    /// Recurrent strength `J0`. Default 1.
    pub j0: f64,
    /// Rate gain `g`. Default 1.
    pub g: f64,
    /// Standard deviation of fixed Gaussian noise added to every weight
    /// (then the weights are a dense matrix, not a convolution). Default 0.
    pub conn_noise: f64,
    /// Time step `dt` of [`DirectionCellNetwork::update`] (ms). Default 1.
    pub dt: f64,
    /// Seed of the noise (input noise and weight noise). Default 0.
    pub seed: u64,
    /// How the recurrent input is computed (FFT or exact dense sum). Default FFT.
    pub recurrence: Recurrence,
}

impl Default for DirectionCellNetworkParams {
    fn default() -> Self {
        Self {
            num: 100,
            tau: 10.0,
            tau_v: 100.0,
            noise_strength: 0.1,
            k: 0.2,
            adaptation_strength: 15.0,
            a: 0.7,
            amplitude: 3.0,
            j0: 1.0,
            g: 1.0,
            conn_noise: 0.0,
            dt: 1.0,
            seed: 0,
            recurrence: Recurrence::Fft,
        }
    }
}

impl DirectionCellNetworkParams {
    setters! {
        /// Sets `num`.
        num: usize,
        /// Sets `tau` (ms).
        tau: f64,
        /// Sets `tau_v` (ms).
        tau_v: f64,
        /// Sets `noise_strength`.
        noise_strength: f64,
        /// Sets `k`.
        k: f64,
        /// Sets `adaptation_strength` (mbar).
        adaptation_strength: f64,
        /// Sets `a` (rad).
        a: f64,
        /// Sets `amplitude` (A).
        amplitude: f64,
        /// Sets `j0`.
        j0: f64,
        /// Sets `g`.
        g: f64,
        /// Sets `conn_noise`.
        conn_noise: f64,
        /// Sets `dt` (ms).
        dt: f64,
        /// Sets `seed`.
        seed: u64,
        /// Sets `recurrence`.
        recurrence: Recurrence,
    }

    /// The adaptation gain `m = adaptation_strength * tau / tau_v`.
    pub fn m(&self) -> f64 {
        self.adaptation_strength * self.tau / self.tau_v
    }

    /// Validates and builds the network.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn build(&self) -> Result<DirectionCellNetwork> {
        DirectionCellNetwork::new(self.clone())
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("DirectionCellNetworkParams")
            .row("num", self.num, "neurons on the ring")
            .row("tau", self.tau, "synaptic time constant (ms)")
            .row("tau_v", self.tau_v, "adaptation time constant (ms)")
            .row(
                "noise_strength",
                self.noise_strength,
                "input noise std per step",
            )
            .row("k", self.k, "global inhibition")
            .row(
                "adaptation_strength",
                self.adaptation_strength,
                format!("mbar (m = {:.3})", self.m()),
            )
            .row("a", self.a, "kernel and cue width (rad)")
            .row("amplitude", self.amplitude, "cue amplitude A")
            .row("j0", self.j0, "recurrent strength J0")
            .row("g", self.g, "rate gain")
            .row("conn_noise", self.conn_noise, "weight noise std")
            .row("dt", self.dt, "time step (ms)")
            .row("seed", self.seed, "noise seed")
            .row(
                "recurrence",
                format!("{:?}", self.recurrence),
                "FFT or dense",
            )
    }
}

impl Params for DirectionCellNetworkParams {
    const NAME: &'static str = "DirectionCellNetworkParams";

    fn validate(&self) -> Result<()> {
        check::at_least("num", self.num, 3)?;
        if self.num > 1_000_000 {
            return Err(ParamError::new("num", "<= 10^6", self.num).into());
        }
        if self.conn_noise > 0.0 && self.num > 4096 {
            return Err(ParamError::new("num", "<= 4096 with conn_noise > 0", self.num).into());
        }
        check::positive("tau", self.tau)?;
        check::positive("tau_v", self.tau_v)?;
        check::non_negative("noise_strength", self.noise_strength)?;
        check::non_negative("k", self.k)?;
        check::non_negative("adaptation_strength", self.adaptation_strength)?;
        check::positive("a", self.a)?;
        check::finite("amplitude", self.amplitude)?;
        check::finite("j0", self.j0)?;
        check::positive("g", self.g)?;
        check::non_negative("conn_noise", self.conn_noise)?;
        check::positive("dt", self.dt)?;
        Ok(())
    }
}

impl Render for DirectionCellNetworkParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(self.table().to_html(), format!("{self:?}"))
    }
}

/// Recurrent weights: a circular convolution, or a dense matrix when the
/// weights carry noise.
#[derive(Debug, Clone)]
enum Weights {
    Circulant(Box<CircularConv>),
    Dense(Vec<f64>),
}

impl Weights {
    fn apply(&mut self, r: &[f64], out: &mut [f64]) {
        match self {
            Weights::Circulant(c) => c.apply(r, out),
            Weights::Dense(w) => {
                let n = r.len();
                for (o, row) in out.iter_mut().zip(w.chunks_exact(n)) {
                    *o = row.iter().zip(r).map(|(a, b)| a * b).sum();
                }
            }
        }
    }
}

/// `DirectionCellNetwork`: a head-direction ring with firing-rate adaptation
/// whose bump sweeps left and right of the heading in alternate theta cycles.
///
/// N neurons at `x_i = -pi + 2 pi i / N` (no duplicated end point), time in
/// milliseconds:
///
/// ```text
/// W_ij  = J0 / (sqrt(2 pi) a) exp(-d(x_i, x_j)^2 / (2 a^2))      d: periodic distance
/// I_ext = theta_mod * A exp(-d(x_i, hd)^2 / (2 a^2))             cue at the heading hd
/// I     = I_ext + W r + noise_strength xi,   xi ~ N(0, 1) per neuron and step
/// tau du/dt   = -u + I - v
/// tau_v dv/dt = -v + m u,    m = adaptation_strength tau / tau_v
/// u <- max(u, 0),  r = g u^2 / (1 + k sum u^2)
/// ```
///
/// Each step is one exponential-Euler step of the (u, v) pair with
/// start-of-step values on both right-hand sides, as the Python `canns`
/// package integrates it (`brainpy`'s `exp_euler` on a joint system); the
/// one-step and hundred-step values are tested against that formula. The
/// noise is added to the input current every step (not scaled by `dt`), as in
/// `canns`.
///
/// With adaptation well above the travelling-wave boundary (`m = 1.5` by
/// default, fifteen times `tau / tau_v`), the cue must re-anchor the bump
/// every theta cycle; noise picks the side of the first sweep and the
/// adaptation left behind pushes the next one to the other side, so internal
/// direction alternates left and right of the heading; when turning, the
/// sweep leads the heading in the turn's direction (anticipation).
///
/// ## Examples
/// ```
/// use canns::models::{DirectionCellNetwork, ThetaClock};
/// let mut net = DirectionCellNetwork::params().noise_strength(0.0).build()?;
/// let clock = ThetaClock::params().build()?;
/// for i in 0..250 {
///     let m = clock.modulation(i, 0.0, 0.0);
///     net.update(0.5, m.hd)?;
/// }
/// // Without noise nothing breaks the mirror symmetry: the bump sits on the
/// // heading (to the ring's resolution).
/// let d = net.direction().expect("the bump is active mid-cycle");
/// assert!((d - 0.5).abs() < 0.03);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Ji, Z., Chu, T., Wu, S. & Burgess, N. (2025). A systems model of
///   alternating theta sweeps via firing rate adaptation. Curr Biol
///   35(4):709-722.
/// - Ji, Z., Lomi, E., Jeffery, K., Mitchell, A. S. & Burgess, N. (2025).
///   Phase precession relative to turning angle in theta-modulated head
///   direction cells. Hippocampus 35(2):e70008.
///
/// # Example
/// ```
/// use canns::models::{DirectionCellNetwork, ThetaClock};
/// let mut net = DirectionCellNetwork::params().noise_strength(0.0).build()?;
/// let clock = ThetaClock::params().build()?;
/// assert_eq!(net.direction(), None); // silent before any input
/// for i in 0..250 {
///     net.update(-1.0, clock.modulation(i, 0.0, 0.0).hd)?;
/// }
/// // Mid-cycle, without noise, the bump sits on the heading.
/// let d = net.direction().expect("an active bump");
/// assert!((d + 1.0).abs() < 0.05, "{d}");
/// assert_eq!(net.steps(), 250);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct DirectionCellNetwork {
    params: DirectionCellNetworkParams,
    x: Vec<f64>,
    w: Weights,
    stepper: AdaptiveStep,
    u: Vec<f64>,
    v: Vec<f64>,
    r: Vec<f64>,
    input: Vec<f64>,
    rec: Vec<f64>,
    rng: SeededRng,
    steps: usize,
    t: f64,
}

impl DirectionCellNetwork {
    /// Default parameters, to adjust and [`DirectionCellNetworkParams::build`].
    pub fn params() -> DirectionCellNetworkParams {
        DirectionCellNetworkParams::default()
    }

    /// Builds the network from validated parameters.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn new(params: DirectionCellNetworkParams) -> Result<Self> {
        params.validate()?;
        let n = params.num;
        let x = ring_positions(n);
        let dx = TWO_PI / n as f64;
        let norm = params.j0 / ((2.0 * PI).sqrt() * params.a);
        let kernel: Vec<f64> = (0..n)
            .map(|i| {
                let d = angle_diff(i as f64 * dx, 0.0);
                norm * (-0.5 * (d / params.a).powi(2)).exp()
            })
            .collect();
        let w = if params.conn_noise > 0.0 {
            // A separate stream, so the weight noise does not shift the input noise.
            let mut rng = crate::random::seeded(params.seed ^ 0x5eed_c0de_d1ec_7105);
            let mut m = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..n {
                    let xi: f64 = StandardNormal.sample(&mut rng);
                    m[i * n + j] = kernel[(i + n - j) % n] + params.conn_noise * xi;
                }
            }
            Weights::Dense(m)
        } else {
            Weights::Circulant(Box::new(CircularConv::new(1, n, kernel, params.recurrence)))
        };
        Ok(Self {
            stepper: Self::stepper_for(&params, params.dt),
            rng: crate::random::seeded(params.seed),
            w,
            x,
            u: vec![0.0; n],
            v: vec![0.0; n],
            r: vec![0.0; n],
            input: vec![0.0; n],
            rec: vec![0.0; n],
            steps: 0,
            t: 0.0,
            params,
        })
    }

    fn stepper_for(p: &DirectionCellNetworkParams, dt: f64) -> AdaptiveStep {
        AdaptiveStep::new(dt, p.tau, p.tau_v, p.m(), p.g, p.k)
    }

    /// The parameters this network was built with.
    pub fn parameters(&self) -> &DirectionCellNetworkParams {
        &self.params
    }

    /// Preferred direction of every neuron (rad), `-pi + 2 pi i / N`.
    pub fn preferred_directions(&self) -> &[f64] {
        &self.x
    }

    /// Writes the cue `A exp(-d(x_i, hd)^2 / (2 a^2))` at heading `hd` (rad) into `out`.
    ///
    /// # Panics
    /// If `out` does not hold one value per neuron (an internal call).
    fn cue(&self, hd: f64, scale: f64, out: &mut [f64]) {
        let a = self.params.a;
        ring_gaussian(hd, self.params.amplitude * scale, 2.0 * a * a, out);
    }

    /// Advances one step of `dt` ms towards the heading `head_direction`
    /// (rad) with the cue scaled by `theta_mod` (the theta modulation of the
    /// head-direction drive, see [`ThetaModulation::hd`](super::ThetaModulation)).
    ///
    /// # Errors
    /// [`Error::Param`] when `head_direction` or `theta_mod` is not finite;
    /// [`Error::Diverged`] when the state stops being finite.
    pub fn update(&mut self, head_direction: f64, theta_mod: f64) -> Result<()> {
        check::finite("head_direction", head_direction)?;
        check::finite("theta_mod", theta_mod)?;
        let mut input = std::mem::take(&mut self.input);
        self.cue(head_direction, theta_mod, &mut input);
        self.input = input;
        let stepper = self.stepper;
        self.advance(stepper, self.params.dt)
    }

    /// One step with the external input already in `self.input`.
    fn advance(&mut self, stepper: AdaptiveStep, dt: f64) -> Result<()> {
        self.w.apply(&self.r, &mut self.rec);
        let noise = self.params.noise_strength;
        for (i, rec) in self.input.iter_mut().zip(&self.rec) {
            *i += rec;
        }
        if noise > 0.0 {
            for i in self.input.iter_mut() {
                let xi: f64 = StandardNormal.sample(&mut self.rng);
                *i += noise * xi;
            }
        }
        let s = stepper.apply(&mut self.u, &mut self.v, &mut self.r, &self.input);
        self.steps += 1;
        self.t += dt;
        if !s.is_finite() {
            return Err(Error::Diverged {
                step: self.steps,
                t: self.t,
                what: "u of the direction cells".into(),
            });
        }
        Ok(())
    }

    /// Internal direction: the angle of the population vector of the rates
    /// (rad), `None` while the ring is silent.
    pub fn direction(&self) -> Option<f64> {
        circular_mean(&self.x, &self.r).map(|(m, _)| m)
    }

    /// The largest firing rate.
    pub fn r_max(&self) -> f64 {
        self.r.iter().copied().fold(0.0, f64::max)
    }

    /// Steps taken since the last reset.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Sets the state (u and v; the rates follow from u) to start from a bump.
    ///
    /// # Errors
    /// [`Error::Shape`] when a vector does not have one value per neuron;
    /// [`Error::Invalid`] when a value is not finite or `u` is negative.
    pub fn set_state(&mut self, u: &[f64], v: &[f64]) -> Result<()> {
        let n = self.x.len();
        for (name, s) in [("u", u), ("v", v)] {
            if s.len() != n {
                return Err(Error::shape(name, n, s.len()));
            }
            if let Some(i) = s.iter().position(|x| !x.is_finite()) {
                return Err(Error::Invalid(format!(
                    "{name}[{i}] must be finite (got {})",
                    s[i]
                )));
            }
        }
        if let Some(i) = u.iter().position(|&x| x < 0.0) {
            return Err(Error::Invalid(format!(
                "u[{i}] must be >= 0 (got {})",
                u[i]
            )));
        }
        self.u.copy_from_slice(u);
        self.v.copy_from_slice(v);
        let s: f64 = u.iter().map(|x| x * x).sum();
        let scale = self.params.g / (1.0 + self.params.k * s);
        for (r, u) in self.r.iter_mut().zip(u) {
            *r = scale * u * u;
        }
        Ok(())
    }

    /// `u`, `r` (scaled to the height of `u`) and `v` over the ring.
    pub fn plot_state(&self) -> Figure {
        let top = self.u.iter().copied().fold(0.0, f64::max);
        let rmax = self.r_max();
        let r: Vec<f64> = if rmax > 0.0 && top > 0.0 {
            self.r.iter().map(|v| v / rmax * top).collect()
        } else {
            self.r.clone()
        };
        display::lines(
            &format!("DirectionCellNetwork at t = {:.0} ms", self.t),
            "preferred direction (rad)",
            "activity",
            vec![
                Series::line("u", self.x.clone(), self.u.clone()),
                Series::line("r (scaled to u)", self.x.clone(), r),
                Series::line("v (adaptation)", self.x.clone(), self.v.clone()),
            ],
        )
    }

    /// Polar tuning: the rates against preferred direction, with a needle at
    /// `heading` (rad) when given.
    pub fn plot_polar(&self, heading: Option<f64>) -> Figure {
        super::plots::polar(&self.x, &self.r, heading, "Direction cells")
    }
}

impl Model for DirectionCellNetwork {
    fn name(&self) -> &'static str {
        "direction_cells"
    }
    fn shape(&self) -> Vec<usize> {
        vec![self.params.num]
    }
    fn n_neurons(&self) -> usize {
        self.params.num
    }
    /// One step of `dt` ms under the external input `input` (the cue, already
    /// theta-modulated); recurrence and noise are added here.
    fn step(&mut self, dt: f64, input: &[f64]) -> Result<()> {
        check::positive("dt", dt)?;
        if input.len() != self.x.len() {
            return Err(Error::shape("external input", self.x.len(), input.len()));
        }
        self.input.copy_from_slice(input);
        let stepper = if dt == self.params.dt {
            self.stepper
        } else {
            Self::stepper_for(&self.params, dt)
        };
        self.advance(stepper, dt)
    }
    fn reset(&mut self) {
        for s in [&mut self.u, &mut self.v, &mut self.r] {
            s.iter_mut().for_each(|x| *x = 0.0);
        }
        self.rng = crate::random::seeded(self.params.seed);
        self.steps = 0;
        self.t = 0.0;
    }
    fn u(&self) -> &[f64] {
        &self.u
    }
    fn r(&self) -> &[f64] {
        &self.r
    }
    fn v(&self) -> Option<&[f64]> {
        Some(&self.v)
    }
    /// Time since the last reset (ms).
    fn time(&self) -> f64 {
        self.t
    }
}

impl FeatureMap for DirectionCellNetwork {
    fn feature_dim(&self) -> usize {
        1
    }
    fn write_preferred(&self, i: usize, out: &mut [f64]) {
        out[0] = self.x[i];
    }
    fn write_stimulus(&self, pos: &[f64], out: &mut [f64]) {
        self.cue(pos[0], 1.0, out);
    }
    fn stimulus_amplitude(&self) -> f64 {
        self.params.amplitude
    }
}

crate::display::debug_via_display!(DirectionCellNetwork);

impl std::fmt::Display for DirectionCellNetwork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = &self.params;
        write!(
            f,
            "DirectionCellNetwork(N={}, m={:.2}, noise={}, t={:.0} ms",
            p.num,
            p.m(),
            p.noise_strength,
            self.t
        )?;
        match self.direction() {
            Some(d) => write!(f, ", direction={d:.3} rad)"),
            None => write!(f, ", silent)"),
        }
    }
}

impl Render for DirectionCellNetwork {
    fn bundle(&self) -> Bundle {
        let table = self
            .params
            .table()
            .row("t", format!("{:.1}", self.t), "time since reset (ms)")
            .row(
                "direction",
                self.direction()
                    .map_or("silent".to_string(), |d| format!("{d:.4}")),
                "population vector (rad)",
            )
            .to_html();
        Bundle::figure(&self.plot_state(), &table, self.to_string())
    }
}

display::evcxr_display_via_render!(DirectionCellNetworkParams, DirectionCellNetwork);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_rejects_bad_values_naming_field_and_value() {
        let p = DirectionCellNetwork::params;
        for (q, f) in [
            (p().num(2), "`num`"),
            (p().tau(0.0), "`tau`"),
            (p().tau_v(-1.0), "`tau_v`"),
            (p().noise_strength(-0.1), "`noise_strength`"),
            (p().k(f64::NAN), "`k`"),
            (p().adaptation_strength(-1.0), "`adaptation_strength`"),
            (p().a(0.0), "`a`"),
            (p().amplitude(f64::INFINITY), "`amplitude`"),
            (p().g(0.0), "`g`"),
            (p().conn_noise(-1.0), "`conn_noise`"),
            (p().dt(0.0), "`dt`"),
        ] {
            let e = q.build().unwrap_err().to_string();
            assert!(e.contains(f) && e.contains("got"), "{e} should name {f}");
        }
        let q = p().num(64).seed(3).adaptation_strength(5.0);
        assert_eq!(
            DirectionCellNetworkParams::from_json(&q.to_json()).unwrap(),
            q
        );
        assert!(DirectionCellNetworkParams::from_json("{\"noise\": 1}").is_err());
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        let mut net = DirectionCellNetwork::params().build().unwrap();
        assert!(net.update(f64::NAN, 1.0).is_err());
        assert!(net.update(0.0, f64::INFINITY).is_err());
        assert!(net.step(1.0, &[0.0; 3]).is_err());
        assert!(net.step(0.0, &[0.0; 100]).is_err());
        assert!(net.set_state(&[0.0; 100], &[0.0; 99]).is_err());
        assert!(net.set_state(&[-1.0; 100], &[0.0; 100]).is_err());
    }

    #[test]
    fn dense_and_fft_recurrence_agree() {
        let run = |rec: Recurrence| {
            let mut net = DirectionCellNetwork::params()
                .num(60)
                .noise_strength(0.2)
                .seed(4)
                .recurrence(rec)
                .build()
                .unwrap();
            for i in 0..200 {
                net.update(0.01 * i as f64, 1.0).unwrap();
            }
            net.r().to_vec()
        };
        let (a, b) = (run(Recurrence::Fft), run(Recurrence::Dense));
        for (p, q) in a.iter().zip(&b) {
            assert!((p - q).abs() < 1e-9, "{p} vs {q}");
        }
    }

    #[test]
    fn model_step_with_the_cue_equals_update() {
        let mut a = DirectionCellNetwork::params().seed(2).build().unwrap();
        let mut b = a.clone();
        let mut cue = vec![0.0; 100];
        for i in 0..50 {
            a.update(1.0, 0.8).unwrap();
            b.stimulus(&[1.0], &mut cue).unwrap();
            cue.iter_mut().for_each(|c| *c *= 0.8);
            b.step(1.0, &cue).unwrap();
            for (p, q) in a.u().iter().zip(b.u()) {
                assert!((p - q).abs() < 1e-12, "step {i}: {p} vs {q}");
            }
        }
        b.reset();
        assert_eq!(b.time(), 0.0);
        assert_eq!(b.direction(), None);
    }
}
