use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{Error, ParamError, Result};
use crate::models::dynamics::AdaptiveStep;
use crate::models::kernel::{CircularConv, Recurrence};
pub use crate::models::twisted_torus::GridDecode;
use crate::models::twisted_torus::{
    hex_forward, image_range, periodic_gaussian, phasors, spectral_terms, PhaseTorus, Term,
};
use crate::models::{FeatureMap, Model};
use crate::params::check;
use crate::params::{setters, Params};
use crate::random::SeededRng;
use crate::space::{ring_positions, TWO_PI};
use rand_distr::{Distribution, StandardNormal};
use realfft::num_complex::Complex;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Parameters of [`GridCellNetwork`] (Ji et al. 2025; defaults of `canns`'s
/// `GridCellNetwork`). Time is in milliseconds, positions in metres.
///
/// # Example
/// ```
/// use canns::models::GridCellNetwork;
/// let p = GridCellNetwork::params().num_gc_x(16).mapping_ratio(4.0);
/// assert!((p.m() - 1.5).abs() < 1e-12); // adaptation_strength * tau / tau_v
/// let net = p.build()?;
/// assert!((net.spacing() - std::f64::consts::PI / 2.0).abs() < 1e-12); // 2 pi / 4 m
/// // The torus needs at least 4 neurons per side.
/// let err = GridCellNetwork::params().num_gc_x(2).build().unwrap_err();
/// assert!(err.to_string().contains("num_gc_x"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GridCellNetworkParams {
    /// Number of direction cells feeding the conjunctive input (the
    /// direction network's `num`). Default 100.
    pub num_dc: usize,
    /// Neurons per side `n` of the phase torus (`n^2` neurons). Default 100.
    pub num_gc_x: usize,
    /// Synaptic time constant `tau` (ms). Default 10.
    pub tau: f64,
    /// Adaptation time constant `tau_v` (ms). Default 100.
    pub tau_v: f64,
    /// Standard deviation of the Gaussian noise added to every neuron's input
    /// current each step. Default 0.1.
    pub noise_strength: f64,
    /// Global inhibition `k`. Default 1.
    pub k: f64,
    /// Adaptation strength `mbar` (`m = mbar tau / tau_v`). Default 15.
    pub adaptation_strength: f64,
    /// Width `a` of the recurrent kernel and of the conjunctive input (rad of
    /// phase). Default 0.8.
    pub a: f64,
    /// Conjunctive input amplitude `A`. Default 3.
    pub amplitude: f64,
    /// Recurrent strength `J0` (the kernel is `J0 / g`). Default 5.
    pub j0: f64,
    /// Rate gain `g`. Default 1000.
    pub g: f64,
    /// Mapping ratio `mr` (rad of phase per metre; spacing `2 pi / mr` m). Default 1.
    pub mapping_ratio: f64,
    /// Distance (m) from the animal to the conjunctive input along each
    /// direction bin. Default 0.05.
    pub phase_offset: f64,
    /// Time step `dt` of [`GridCellNetwork::update`] (ms). Default 1.
    pub dt: f64,
    /// Seed of the input noise. Default 0.
    pub seed: u64,
    /// Use `canns`'s direction bins `linspace(-pi, pi, num_dc)` (with the end
    /// point) instead of the direction network's. Default false.
    pub canns_compat: bool,
    /// How the recurrent and conjunctive inputs are computed. Default FFT.
    pub recurrence: Recurrence,
}

impl Default for GridCellNetworkParams {
    fn default() -> Self {
        Self {
            num_dc: 100,
            num_gc_x: 100,
            tau: 10.0,
            tau_v: 100.0,
            noise_strength: 0.1,
            k: 1.0,
            adaptation_strength: 15.0,
            a: 0.8,
            amplitude: 3.0,
            j0: 5.0,
            g: 1000.0,
            mapping_ratio: 1.0,
            phase_offset: 0.05,
            dt: 1.0,
            seed: 0,
            canns_compat: false,
            recurrence: Recurrence::Fft,
        }
    }
}

impl GridCellNetworkParams {
    setters! {
        /// Sets `num_dc`.
        num_dc: usize,
        /// Sets `num_gc_x`.
        num_gc_x: usize,
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
        /// Sets `mapping_ratio` (rad/m).
        mapping_ratio: f64,
        /// Sets `phase_offset` (m).
        phase_offset: f64,
        /// Sets `dt` (ms).
        dt: f64,
        /// Sets `seed`.
        seed: u64,
        /// Sets `canns_compat`.
        canns_compat: bool,
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
    pub fn build(&self) -> Result<GridCellNetwork> {
        GridCellNetwork::new(self.clone())
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("GridCellNetworkParams")
            .row("num_dc", self.num_dc, "direction cells")
            .row("num_gc_x", self.num_gc_x, "neurons per side of the torus")
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
            .row("a", self.a, "kernel and input width (rad of phase)")
            .row("amplitude", self.amplitude, "conjunctive input amplitude A")
            .row("j0", self.j0, "recurrent strength J0")
            .row("g", self.g, "rate gain")
            .row(
                "mapping_ratio",
                self.mapping_ratio,
                format!("rad/m (spacing {:.3} m)", TWO_PI / self.mapping_ratio),
            )
            .row("phase_offset", self.phase_offset, "conjunctive offset (m)")
            .row("dt", self.dt, "time step (ms)")
            .row("seed", self.seed, "noise seed")
            .row("canns_compat", self.canns_compat, "canns's direction bins")
            .row(
                "recurrence",
                format!("{:?}", self.recurrence),
                "FFT or dense",
            )
    }
}

impl Params for GridCellNetworkParams {
    const NAME: &'static str = "GridCellNetworkParams";

    fn validate(&self) -> Result<()> {
        check::at_least("num_dc", self.num_dc, 2)?;
        check::at_least("num_gc_x", self.num_gc_x, 4)?;
        if self.num_gc_x > 2048 {
            return Err(ParamError::new("num_gc_x", "<= 2048", self.num_gc_x).into());
        }
        if self.recurrence == Recurrence::Dense && self.num_gc_x > 64 {
            return Err(ParamError::new(
                "num_gc_x",
                "<= 64 with the dense recurrence (O(n^4) per step)",
                self.num_gc_x,
            )
            .into());
        }
        check::positive("tau", self.tau)?;
        check::positive("tau_v", self.tau_v)?;
        check::non_negative("noise_strength", self.noise_strength)?;
        check::non_negative("k", self.k)?;
        check::non_negative("adaptation_strength", self.adaptation_strength)?;
        check::positive("a", self.a)?;
        if self.a > 10.0 {
            return Err(ParamError::new("a", "<= 10 rad", self.a).into());
        }
        check::finite("amplitude", self.amplitude)?;
        check::finite("j0", self.j0)?;
        check::positive("g", self.g)?;
        check::positive("mapping_ratio", self.mapping_ratio)?;
        check::finite("phase_offset", self.phase_offset)?;
        check::positive("dt", self.dt)?;
        Ok(())
    }
}

impl Render for GridCellNetworkParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(self.table().to_html(), format!("{self:?}"))
    }
}

/// `GridCellNetwork`: one grid module on a twisted torus, driven by
/// conjunctive direction x position input, whose bump sweeps ahead of the
/// animal along internal direction in every theta cycle.
///
/// `n x n` neurons tile the phase torus at `phi = (-pi + 2 pi ix / n, -pi +
/// 2 pi iy / n)` (neuron `iy * n + ix`). Positions map to phases through the
/// hexagonal transform `T` and the mapping ratio `mr` (grid spacing
/// `Lambda = 2 pi / mr` metres):
///
/// ```text
/// T = [[1, -1/sqrt 3], [0, 2/sqrt 3]],   T^-1 = [[1, 1/2], [0, sqrt 3 / 2]]
/// phase(p)     = wrap(T mr p)
/// d_hex(dphi)  = min over lattice images |T^-1 (dphi + 2 pi m)|
/// W_ij         = J0 / g / (sqrt(2 pi) a) G(phi_i - phi_j),  G(dphi) = sum_m exp(-|T^-1 (dphi + 2 pi m)|^2 / (2 a^2))
/// c_j          = phase(p + phase_offset (cos theta_j, sin theta_j))    theta_j: direction-cell bins
/// w_j          = dc_j [dc_j > max(dc) / 3] / sum(...)                   only active direction cells
/// I_conj       = theta_mod A sum_j w_j G(phi_i - c_j)
/// I            = W r + I_conj + noise_strength xi
/// tau du/dt    = -u + I - v,   tau_v dv/dt = -v + m u,   m = adaptation_strength tau / tau_v
/// u <- max(u, 0),  r = g u^2 / (1 + k sum u^2)
/// ```
///
/// The Gaussian `G` is summed over the torus' lattice images, so it is
/// smooth and exactly periodic; where it is not negligible it equals the
/// single-wrap `exp(-d_hex^2 / (2 a^2))` of the Python `canns` package to
/// within `1e-3` of its peak (at `a = 0.8`; the largest difference is at the
/// far corner of the torus, where a second lattice image is as near as the first).
///
/// The recurrence is a circular convolution on the torus, by 2D FFT. The
/// conjunctive input is a sum of Gaussians at off-lattice centres; its
/// Fourier series has only a few hundred non-negligible terms (those with
/// `exp(-a^2 k^T M^-1 k / 2) > 4e-18`), so it is added to the recurrence's
/// spectrum before the one inverse transform. Per step: one forward and one
/// inverse real 2D FFT, whatever the number of active direction cells. The
/// kernel is the same Gaussian series, so its spectrum is below `4e-18` of
/// its peak beyond the same `|kx| <= k_max` (14 at `a = 0.8`): the column
/// transforms run over those `k_max + 1` columns of the half spectrum only
/// (15 of 51 at `n = 100`), and what is dropped is rounding noise (tested
/// far below `1e-13` of the kernel's peak per unit of rate). With
/// [`Recurrence::Dense`] both terms are exact direct sums (the test oracle).
///
/// **Differences from `canns`** (`GridCellNetwork`, canns 1.5):
///
/// * The direction bins are the direction network's preferred directions
///   `-pi + 2 pi j / N` ([`DirectionCellNetwork::preferred_directions`](super::DirectionCellNetwork::preferred_directions)).
///   `canns` uses `linspace(-pi, pi, N)` with the end point, misaligned by up
///   to `2 pi / N` and asymmetric left/right; `canns_compat = true` restores it.
/// * `phase_offset` is in metres (it is in `canns` too, whose docstring says
///   "relative to -pi..pi"): the conjunctive shift in phase space is
///   `phase_offset * mapping_ratio` rad.
/// * The decoder (a population vector on each phase axis over the rates above
///   10% of the maximum, mapped back by `T^-1 / mr` and moved to the lattice
///   copy nearest a reference position) searches the whole lattice, not a
///   32 x 32 patch, and the raw phase is reported beside the position: a
///   sweep longer than half the spacing aliases onto the neighbouring copy.
/// * `canns`'s `gc_bump` (a Gaussian between a position and four times a
///   phase) has no meaning and is not provided; nor is weight noise.
///
/// ## Examples
/// ```
/// use canns::models::GridCellNetwork;
/// let net = GridCellNetwork::params().num_gc_x(32).mapping_ratio(5.0).build()?;
/// // The grid spacing is 2 pi / mapping_ratio metres.
/// assert!((net.spacing() - 2.0 * std::f64::consts::PI / 5.0).abs() < 1e-12);
/// // Positions one spacing apart along x share a phase.
/// let a = net.position_to_phase([0.1, 0.2]);
/// let b = net.position_to_phase([0.1 + net.spacing(), 0.2]);
/// assert!((a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Ji, Z., Chu, T., Wu, S. & Burgess, N. (2025). A systems model of
///   alternating theta sweeps via firing rate adaptation. Curr Biol
///   35(4):709-722.
///
/// # Example
/// ```
/// use canns::models::GridCellNetwork;
/// // A 24 x 24 module without noise, driven at a fixed position by one active
/// // direction cell (bin 50 of 100: heading 0).
/// let mut gc = GridCellNetwork::params().num_gc_x(24).mapping_ratio(10.0).noise_strength(0.0).build()?;
/// let mut dc = vec![0.0; gc.parameters().num_dc];
/// dc[50] = 1.0;
/// for _ in 0..100 {
///     gc.update([0.3, 0.2], &dc, 1.0)?;
/// }
/// let p = gc.decoded_position().expect("an active bump");
/// assert!((p[0] - 0.3).abs() < 0.1 && (p[1] - 0.2).abs() < 0.1, "{p:?}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct GridCellNetwork {
    params: GridCellNetworkParams,
    n: usize,
    /// Phase of each column (x) and row (y) of the lattice.
    phi: Vec<f64>,
    torus: PhaseTorus,
    /// Direction bins of the conjunctive input and their unit vectors.
    bins: Vec<f64>,
    bin_dirs: Vec<[f64; 2]>,
    conv: CircularConv,
    terms: Vec<Term>,
    /// Largest |kx| and |ky| among the terms.
    k_max: i32,
    images: i32,
    stepper: AdaptiveStep,
    u: Vec<f64>,
    v: Vec<f64>,
    r: Vec<f64>,
    input: Vec<f64>,
    /// Per-step scratch: active direction cells (index, weight) and phasors.
    active: Vec<(usize, f64)>,
    ex: Vec<Complex<f64>>,
    ey: Vec<Complex<f64>>,
    series: Vec<Complex<f64>>,
    rng: SeededRng,
    reference: [f64; 2],
    steps: usize,
    t: f64,
}

impl GridCellNetwork {
    /// Default parameters, to adjust and [`GridCellNetworkParams::build`].
    pub fn params() -> GridCellNetworkParams {
        GridCellNetworkParams::default()
    }

    /// Builds the network from validated parameters.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn new(params: GridCellNetworkParams) -> Result<Self> {
        params.validate()?;
        let n = params.num_gc_x;
        let a = params.a;
        let phi = ring_positions(n);
        let images = image_range(a);
        let norm = params.j0 / params.g / ((2.0 * PI).sqrt() * a);
        let step = TWO_PI / n as f64;
        let mut kernel = vec![0.0; n * n];
        for d0 in 0..n {
            for d1 in 0..n {
                kernel[d0 * n + d1] =
                    norm * periodic_gaussian(d1 as f64 * step, d0 as f64 * step, a, images);
            }
        }
        let mut conv = CircularConv::new(n, n, kernel, params.recurrence);
        let (terms, k_max) = spectral_terms(n, a);
        // The kernel's spectrum is the same Gaussian series as the
        // conjunctive input's: beyond `k_max` along x it is below e^-40 of its
        // peak, so only the columns up to `k_max` are transformed.
        conv.limit_band(k_max as usize + 1);
        let bins = if params.canns_compat {
            let m = params.num_dc;
            (0..m)
                .map(|j| -PI + TWO_PI * j as f64 / (m - 1) as f64)
                .collect()
        } else {
            ring_positions(params.num_dc)
        };
        let bin_dirs = bins.iter().map(|t: &f64| [t.cos(), t.sin()]).collect();
        let kk = 2 * k_max as usize + 1;
        Ok(Self {
            torus: PhaseTorus::new(n, params.mapping_ratio),
            phi,
            bins,
            bin_dirs,
            conv,
            terms,
            k_max,
            images,
            stepper: AdaptiveStep::new(
                params.dt,
                params.tau,
                params.tau_v,
                params.m(),
                params.g,
                params.k,
            ),
            u: vec![0.0; n * n],
            v: vec![0.0; n * n],
            r: vec![0.0; n * n],
            input: vec![0.0; n * n],
            active: Vec::with_capacity(params.num_dc),
            ex: vec![Complex::default(); kk],
            ey: vec![Complex::default(); kk],
            series: Vec::new(),
            rng: crate::random::seeded(params.seed),
            reference: [0.0; 2],
            steps: 0,
            t: 0.0,
            n,
            params,
        })
    }

    /// The parameters this network was built with.
    pub fn parameters(&self) -> &GridCellNetworkParams {
        &self.params
    }

    /// Grid spacing `Lambda = 2 pi / mapping_ratio` (m).
    pub fn spacing(&self) -> f64 {
        TWO_PI / self.params.mapping_ratio
    }

    /// The direction bins of the conjunctive input (rad): the direction
    /// network's preferred directions, or `canns`'s with `canns_compat`.
    pub fn direction_bins(&self) -> &[f64] {
        &self.bins
    }

    /// Phase of neuron `i` (rad), `(phi_x, phi_y)`.
    pub fn neuron_phase(&self, i: usize) -> [f64; 2] {
        [self.phi[i % self.n], self.phi[i / self.n]]
    }

    /// The phase (rad, wrapped into (-pi, pi]) a position (m) maps to: `wrap(T mr p)`.
    pub fn position_to_phase(&self, p: [f64; 2]) -> [f64; 2] {
        self.torus.position_to_phase(p)
    }

    /// The position (m) of a phase within one lattice cell: `T^-1 phi / mr`.
    pub fn phase_to_position(&self, phi: [f64; 2]) -> [f64; 2] {
        self.torus.phase_to_position(phi)
    }

    /// The active direction cells (rate above a third of the maximum) and
    /// their normalised weights, into `self.active`.
    fn collect_active(&mut self, dc: &[f64]) {
        self.active.clear();
        let max = dc.iter().copied().fold(0.0, f64::max);
        if max <= 0.0 {
            return;
        }
        let thr = max / 3.0;
        let mut sum = 0.0;
        for (j, &d) in dc.iter().enumerate() {
            if d > thr {
                self.active.push((j, d));
                sum += d;
            }
        }
        let inv = 1.0 / (sum + 1e-12);
        for (_, w) in self.active.iter_mut() {
            *w *= inv;
        }
    }

    /// The centre (unwrapped phase) of the conjunctive input of direction bin `j`.
    fn conj_centre(&self, position: [f64; 2], j: usize) -> [f64; 2] {
        let mr = self.params.mapping_ratio;
        let off = self.params.phase_offset;
        let d = self.bin_dirs[j];
        hex_forward([
            mr * (position[0] + off * d[0]),
            mr * (position[1] + off * d[1]),
        ])
    }

    /// Adds `scale * sum_j w_j G(phi_i - c_j)` to `out` by direct summation.
    fn add_conjunctive_direct(&self, position: [f64; 2], scale: f64, out: &mut [f64]) {
        let n = self.n;
        let a = self.params.a;
        for &(j, w) in &self.active {
            let c = self.conj_centre(position, j);
            let s = scale * w;
            for iy in 0..n {
                for ix in 0..n {
                    out[iy * n + ix] += s * periodic_gaussian(
                        self.phi[ix] - c[0],
                        self.phi[iy] - c[1],
                        a,
                        self.images,
                    );
                }
            }
        }
    }

    /// Advances one step of `dt` ms: the animal at `position` (m), the
    /// direction network's rates `dc_rates` (one per direction bin), and the
    /// theta modulation `theta_mod` of the grid drive (see
    /// [`ThetaModulation::gc`](super::ThetaModulation)). The position also
    /// becomes the decoder's reference.
    ///
    /// # Errors
    /// [`Error::Param`] when a coordinate or `theta_mod` is not finite;
    /// [`Error::Shape`] when `dc_rates` does not hold `num_dc` values;
    /// [`Error::Invalid`] when a rate is negative or not finite;
    /// [`Error::Diverged`] when the state stops being finite.
    pub fn update(&mut self, position: [f64; 2], dc_rates: &[f64], theta_mod: f64) -> Result<()> {
        check::finite("position[0]", position[0])?;
        check::finite("position[1]", position[1])?;
        check::finite("theta_mod", theta_mod)?;
        if dc_rates.len() != self.params.num_dc {
            return Err(Error::shape(
                "direction-cell rates (num_dc)",
                self.params.num_dc,
                dc_rates.len(),
            ));
        }
        if let Some(i) = dc_rates.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
            return Err(Error::Invalid(format!(
                "dc_rates[{i}] must be finite and >= 0 (got {})",
                dc_rates[i]
            )));
        }
        self.reference = position;
        self.collect_active(dc_rates);
        let scale = theta_mod * self.params.amplitude;
        match self.params.recurrence {
            Recurrence::Fft => self.recurrent_and_conjunctive_fft(position, scale),
            Recurrence::Dense => {
                let mut input = std::mem::take(&mut self.input);
                self.conv.apply(&self.r, &mut input);
                self.add_conjunctive_direct(position, scale, &mut input);
                self.input = input;
            }
        }
        let stepper = self.stepper;
        self.advance(stepper, self.params.dt)
    }

    /// `input = W r + I_conj` with one inverse FFT: the conjunctive input's
    /// Fourier series is added to the recurrence's spectrum.
    fn recurrent_and_conjunctive_fft(&mut self, position: [f64; 2], scale: f64) {
        let km = self.k_max;
        let kk = (2 * km + 1) as usize;
        // S(k) = sum_j w_j e^{-i k.c_j} over the active direction cells.
        let mut s = std::mem::take(&mut self.series);
        s.clear();
        s.resize(self.terms.len(), Complex::default());
        if scale != 0.0 {
            for idx in 0..self.active.len() {
                let (j, w) = self.active[idx];
                let c = self.conj_centre(position, j);
                phasors(c[0], km, &mut self.ex[..kk]);
                phasors(c[1], km, &mut self.ey[..kk]);
                for (sk, t) in s.iter_mut().zip(&self.terms) {
                    *sk += self.ex[(t.kx + km) as usize] * self.ey[(t.ky + km) as usize] * w;
                }
            }
        }
        let terms = &self.terms;
        self.conv
            .apply_fft_adding(&self.r, &mut self.input, |spec, _n0, _h| {
                for (sk, t) in s.iter().zip(terms) {
                    spec[t.slot] += sk * (t.coef * scale);
                }
            });
        self.series = s;
    }

    /// Adds noise to `self.input` (which holds the deterministic input) and
    /// takes one step.
    fn advance(&mut self, stepper: AdaptiveStep, dt: f64) -> Result<()> {
        let noise = self.params.noise_strength;
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
                what: "u of the grid cells".into(),
            });
        }
        Ok(())
    }

    /// The bump's phase and the position it decodes to, nearest `reference`
    /// (m); `None` while the sheet is silent.
    ///
    /// The phase on each axis is the angle of the population vector of the
    /// rates above 10% of their maximum; `T^-1 phase / mr` is moved to the
    /// copy on the grid lattice (spacing `2 pi / mr`) nearest the reference.
    pub fn decode(&self, reference: [f64; 2]) -> Option<GridDecode> {
        self.torus.decode(&self.r, reference)
    }

    /// The decoded position (m) nearest the last position given to
    /// [`GridCellNetwork::update`]; `None` while the sheet is silent.
    pub fn decoded_position(&self) -> Option<[f64; 2]> {
        self.decode(self.reference).map(|d| d.position)
    }

    /// The bump's raw phase (rad on each torus axis); `None` while silent.
    pub fn phase(&self) -> Option<[f64; 2]> {
        self.decode(self.reference).map(|d| d.phase)
    }

    /// The last position given to [`GridCellNetwork::update`] (m).
    pub fn reference(&self) -> [f64; 2] {
        self.reference
    }

    /// The largest firing rate.
    pub fn r_max(&self) -> f64 {
        crate::models::twisted_torus::max_rate(&self.r)
    }

    /// Steps taken since the last reset.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The rates as an `n x n` matrix (rows: phase y, columns: phase x).
    pub fn rate_matrix(&self) -> Vec<Vec<f64>> {
        self.r.chunks(self.n).map(|c| c.to_vec()).collect()
    }

    /// Heatmap of the rates over the phase torus.
    pub fn plot_phase(&self) -> Figure {
        self.torus.plot_phase(
            &format!("GridCellNetwork rates at t = {:.0} ms", self.t),
            &self.r,
        )
    }

    /// The rates on the twisted manifold: each neuron at `T^-1 phi / mr` (m),
    /// one lattice cell of real space, coloured by rate.
    pub fn plot_manifold(&self) -> Figure {
        self.torus.plot_manifold(
            &format!(
                "Grid cells on the twisted torus (spacing {:.3} m)",
                self.spacing()
            ),
            &self.r,
        )
    }
}

impl Model for GridCellNetwork {
    fn name(&self) -> &'static str {
        "grid_cells"
    }
    fn shape(&self) -> Vec<usize> {
        vec![self.n, self.n]
    }
    fn n_neurons(&self) -> usize {
        self.n * self.n
    }
    /// One step of `dt` ms under the external input `input` (in place of the
    /// conjunctive input); recurrence and noise are added here.
    fn step(&mut self, dt: f64, input: &[f64]) -> Result<()> {
        check::positive("dt", dt)?;
        if input.len() != self.n * self.n {
            return Err(Error::shape("external input", self.n * self.n, input.len()));
        }
        let mut buf = std::mem::take(&mut self.input);
        self.conv.apply(&self.r, &mut buf);
        for (b, i) in buf.iter_mut().zip(input) {
            *b += i;
        }
        self.input = buf;
        let p = &self.params;
        let stepper = if dt == p.dt {
            self.stepper
        } else {
            AdaptiveStep::new(dt, p.tau, p.tau_v, p.m(), p.g, p.k)
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

impl FeatureMap for GridCellNetwork {
    fn feature_dim(&self) -> usize {
        2
    }
    fn write_preferred(&self, i: usize, out: &mut [f64]) {
        let p = self.neuron_phase(i);
        out[0] = p[0];
        out[1] = p[1];
    }
    /// `A G(phi_i - pos)`: a conjunctive-style input centred at the phase `pos`.
    fn write_stimulus(&self, pos: &[f64], out: &mut [f64]) {
        let n = self.n;
        for iy in 0..n {
            for ix in 0..n {
                out[iy * n + ix] = self.params.amplitude
                    * periodic_gaussian(
                        self.phi[ix] - pos[0],
                        self.phi[iy] - pos[1],
                        self.params.a,
                        self.images,
                    );
            }
        }
    }
    fn stimulus_amplitude(&self) -> f64 {
        self.params.amplitude
    }
}

crate::display::debug_via_display!(GridCellNetwork);

impl std::fmt::Display for GridCellNetwork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = &self.params;
        write!(
            f,
            "GridCellNetwork({}x{}, spacing={:.3} m, m={:.2}, t={:.0} ms",
            p.num_gc_x,
            p.num_gc_x,
            self.spacing(),
            p.m(),
            self.t
        )?;
        match self.decoded_position() {
            Some(q) => write!(f, ", decoded=({:.3}, {:.3}) m)", q[0], q[1]),
            None => write!(f, ", silent)"),
        }
    }
}

impl Render for GridCellNetwork {
    fn bundle(&self) -> Bundle {
        let d = self.decode(self.reference);
        let table = self
            .params
            .table()
            .row("t", format!("{:.1}", self.t), "time since reset (ms)")
            .row(
                "phase",
                d.map_or("silent".into(), |d| {
                    format!("({:.3}, {:.3})", d.phase[0], d.phase[1])
                }),
                "bump phase (rad)",
            )
            .row(
                "decoded",
                d.map_or("silent".into(), |d| {
                    format!("({:.3}, {:.3})", d.position[0], d.position[1])
                }),
                "position (m)",
            )
            .to_html();
        Bundle::figure(&self.plot_manifold(), &table, self.to_string())
    }
}

display::evcxr_display_via_render!(GridCellNetworkParams, GridCellNetwork);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fft_and_dense_paths_agree() {
        for n in [16, 40] {
            fft_and_dense_agree_on(n);
        }
    }

    /// At `n = 40` only 15 of the 21 columns of the half spectrum are
    /// transformed (the band up to `k_max`); at 16 all of them.
    fn fft_and_dense_agree_on(n: usize) {
        let band = GridCellNetwork::params()
            .num_gc_x(n)
            .num_dc(30)
            .build()
            .unwrap();
        assert_eq!(band.conv.band(), (band.k_max as usize + 1).min(n / 2 + 1));
        if n == 40 {
            assert!(band.conv.band() < n / 2 + 1);
        }
        // The spectrum dropped is rounding noise: its bound (per unit of
        // rate) is far below the kernel's peak.
        let kernel = band.conv.kernel().to_vec();
        let peak = kernel[0];
        let dropped =
            CircularConv::new(n, n, kernel, Recurrence::Fft).limit_band(band.k_max as usize + 1);
        assert!(dropped < 1e-13 * peak, "{dropped} against {peak}");
        let run = |rec: Recurrence| {
            let mut net = GridCellNetwork::params()
                .num_gc_x(n)
                .num_dc(30)
                .mapping_ratio(4.0)
                .noise_strength(0.05)
                .seed(9)
                .recurrence(rec)
                .build()
                .unwrap();
            let dc: Vec<f64> = ring_positions(30)
                .iter()
                .map(|x| (-(x - 0.4).powi(2) * 3.0).exp())
                .collect();
            for i in 0..60 {
                let m = 1.0 + 0.5 * (i as f64 * 0.2).cos();
                net.update([0.01 * i as f64, 0.3], &dc, m).unwrap();
            }
            // The recurrent and conjunctive inputs of the last step.
            (net.r().to_vec(), net.input.clone())
        };
        let ((a, ia), (b, ib)) = (run(Recurrence::Fft), run(Recurrence::Dense));
        let top_input = ib.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        for (p, q) in ia.iter().zip(&ib) {
            assert!((p - q).abs() < 1e-10 * top_input, "{p} vs {q}");
        }
        let top = a.iter().copied().fold(0.0, f64::max);
        assert!(top > 0.0);
        for (p, q) in a.iter().zip(&b) {
            assert!((p - q).abs() < 1e-9 * top.max(1.0), "{p} vs {q}");
        }
    }

    #[test]
    fn decoder_recovers_a_bump_placed_at_a_position() {
        let mut net = GridCellNetwork::params()
            .num_gc_x(40)
            .mapping_ratio(3.0)
            .noise_strength(0.0)
            .build()
            .unwrap();
        for &p in &[[0.3, 0.2], [1.7, -0.4], [-2.2, 3.1]] {
            let phi = net.position_to_phase(p);
            let mut u = vec![0.0; 1600];
            net.stimulus(&phi, &mut u).unwrap();
            net.u.copy_from_slice(&u);
            net.r.iter_mut().zip(&u).for_each(|(r, u)| *r = u * u);
            // A reference within half a spacing picks the right copy.
            let d = net.decode([p[0] + 0.4, p[1] - 0.3]).unwrap();
            // The 10% mask cuts the sampled bump slightly asymmetrically.
            assert!((d.position[0] - p[0]).abs() < 5e-3, "{p:?} {d:?}");
            assert!((d.position[1] - p[1]).abs() < 5e-3, "{p:?} {d:?}");
            assert!((crate::space::wrap(d.phase[0] - phi[0])).abs() < 1e-2);
            assert!((crate::space::wrap(d.phase[1] - phi[1])).abs() < 1e-2);
        }
    }

    #[test]
    fn bins_align_with_the_direction_network_unless_compat() {
        let net = GridCellNetwork::params().num_gc_x(8).build().unwrap();
        assert_eq!(net.direction_bins(), &ring_positions(100)[..]);
        let c = GridCellNetwork::params()
            .num_gc_x(8)
            .canns_compat(true)
            .build()
            .unwrap();
        assert!((c.direction_bins()[99] - PI).abs() < 1e-12);
    }

    #[test]
    fn build_and_update_reject_bad_values() {
        let p = GridCellNetwork::params;
        for (q, f) in [
            (p().num_gc_x(2), "`num_gc_x`"),
            (p().num_dc(1), "`num_dc`"),
            (p().mapping_ratio(0.0), "`mapping_ratio`"),
            (p().a(-1.0), "`a`"),
            (p().g(0.0), "`g`"),
            (p().phase_offset(f64::NAN), "`phase_offset`"),
            (
                p().num_gc_x(100).recurrence(Recurrence::Dense),
                "`num_gc_x`",
            ),
        ] {
            let e = q.build().unwrap_err().to_string();
            assert!(e.contains(f) && e.contains("got"), "{e} should name {f}");
        }
        let mut net = p().num_gc_x(8).num_dc(10).build().unwrap();
        assert!(net.update([0.0, f64::NAN], &[0.0; 10], 1.0).is_err());
        assert!(net.update([0.0, 0.0], &[0.0; 9], 1.0).is_err());
        assert!(net.update([0.0, 0.0], &[-1.0; 10], 1.0).is_err());
        assert!(net.update([0.0, 0.0], &[0.0; 10], 1.0).is_ok());
        let q = p().num_gc_x(50).mapping_ratio(10.0).canns_compat(true);
        assert_eq!(GridCellNetworkParams::from_json(&q.to_json()).unwrap(), q);
    }
}
