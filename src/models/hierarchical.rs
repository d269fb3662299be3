use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{Error, ParamError, Result};
use crate::models::dense::{axpy, exp_in_place, sum_rows_u16};
use crate::models::dynamics::AdaptiveStep;
use crate::models::kernel::{CircularConv, LowPassRing, Recurrence};
use crate::params::{check, setters, Params};
use crate::pipeline::progress::{Progress, ShowProgress};
use crate::random::SeededRng;
use crate::space::{ring_positions, wrap, TWO_PI};
use crate::spatial::History;
use ndarray::Array2;
use rand_distr::{Distribution, StandardNormal};
use realfft::num_complex::Complex;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

const SQRT3: f64 = 1.732_050_807_568_877_2;

/// What exceeding the speed limit `gain * spacing / (2 pi)` does.
///
/// # Examples
/// ```
/// use canns::models::{HierarchicalNetwork, SpeedLimit};
/// let mut net = HierarchicalNetwork::params().num_module(1).num_place(4)
///     .speed_limit(SpeedLimit::Error).build()?;
/// assert!(net.update([0.0, 0.2], [0.0, 0.0], 0.0).is_err());
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpeedLimit {
    /// Count the step ([`HierarchicalNetwork::speed_violations`]) and go on (default).
    #[default]
    Warn,
    /// Return an error naming the speed and the limit.
    Error,
    /// Do nothing.
    Ignore,
}

/// Parameters of [`HierarchicalNetwork`] (defaults of `canns`'s
/// `HierarchicalNetwork`). Time is in seconds, positions in metres, phases in rad.
///
/// # Examples
/// ```
/// use canns::models::HierarchicalNetworkParams;
/// let p = HierarchicalNetworkParams::default();
/// assert_eq!(p.spacings(), vec![2.0, 2.75, 3.5, 4.25, 5.0]);
/// assert!((p.speed_limit_value() - 0.2 * 2.0 / std::f64::consts::TAU).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HierarchicalNetworkParams {
    /// Number of grid modules. Default 5.
    pub num_module: usize,
    /// Place cells per side (`num_place^2` in all). Default 30.
    pub num_place: usize,
    /// Side of the square arena the place cells tile, from 0 (m). Default 5.
    pub arena_size: f64,
    /// Spacing of the first module `lambda_min` (m). Default 2.
    pub spacing_min: f64,
    /// Spacing of the last module `lambda_max` (m; spacings evenly in between). Default 5.
    pub spacing_max: f64,
    /// Orientation `theta` of every module's first band direction (rad). Default 0.
    pub module_angle: f64,
    /// Neurons per band ring (and per shifter population). Default 180.
    pub band_size: usize,
    /// Standard deviation of the noise added to the shifter rates. Default 0.
    pub band_noise: f64,
    /// Ring-to-shifter weight `w_L2S`. Default 0.2.
    pub band_w_l2s: f64,
    /// Shifter-to-ring weight `w_S2L`. Default 1.
    pub band_w_s2l: f64,
    /// Shifter gate offset `gain` (rad/s; also the speed limit's scale). Default 0.2.
    pub band_gain: f64,
    /// Shift `delta` of the shifter-to-ring kernels (rad). Default 0.76 pi / 9.
    pub band_shift: f64,
    /// Ring time constant `tau_b` (s). Default 1.
    pub gauss_tau: f64,
    /// Ring strength `J0_b` in units of the critical strength. Default 1.1.
    pub gauss_j0: f64,
    /// Ring divisive inhibition `k_b`. Default 5e-4.
    pub gauss_k: f64,
    /// Ring kernel width `a_b` (rad; also the width of the band-to-grid and
    /// grid-to-place maps). Default 2 pi / 9.
    pub gauss_a: f64,
    /// Shifter time constant `tau_s` (s). Default 0.1.
    pub nonrec_tau: f64,
    /// Grid neurons per side `m` (`m^2` per module). Default 20.
    pub grid_num: usize,
    /// Grid time constant `tau` (s). Default 0.1.
    pub grid_tau: f64,
    /// Grid adaptation time constant `tau_v` (s). Default 10.
    pub grid_tau_v: f64,
    /// Grid divisive inhibition `k`. Default 5e-3.
    pub grid_k: f64,
    /// Grid kernel width `a_g` (rad). Default pi / 9.
    pub grid_a: f64,
    /// Grid recurrent strength `J0`. Default 1.
    pub grid_j0: f64,
    /// Grid adaptation strength `mbar`. Default 1.
    pub grid_mbar: f64,
    /// Gain `c` of the band-phase input to the grid sheet. Default 5000.
    pub grid_input_gain: f64,
    /// Time step `dt` (s). Default 0.05.
    pub dt: f64,
    /// Activity floor of the grid-to-place product, relative to each
    /// module's largest grid rate: grid cells below `place_floor * max r`
    /// are left out. Every place input then errs by at most
    /// `sum(left-out rates) / (sqrt(2 pi) a_b)` (the largest weight times the
    /// rate mass left out), reported each step by
    /// [`HierarchicalNetwork::place_input_bound`]. 0 is the exact dense
    /// product. Default 1e-3.
    pub place_floor: f64,
    /// Seed of the shifter noise. Default 0.
    pub seed: u64,
    /// What exceeding the speed limit does. Default [`SpeedLimit::Warn`].
    pub speed_limit: SpeedLimit,
}

impl Default for HierarchicalNetworkParams {
    fn default() -> Self {
        Self {
            num_module: 5,
            num_place: 30,
            arena_size: 5.0,
            spacing_min: 2.0,
            spacing_max: 5.0,
            module_angle: 0.0,
            band_size: 180,
            band_noise: 0.0,
            band_w_l2s: 0.2,
            band_w_s2l: 1.0,
            band_gain: 0.2,
            band_shift: 0.76 * PI / 9.0,
            gauss_tau: 1.0,
            gauss_j0: 1.1,
            gauss_k: 5e-4,
            gauss_a: 2.0 * PI / 9.0,
            nonrec_tau: 0.1,
            grid_num: 20,
            grid_tau: 0.1,
            grid_tau_v: 10.0,
            grid_k: 5e-3,
            grid_a: PI / 9.0,
            grid_j0: 1.0,
            grid_mbar: 1.0,
            grid_input_gain: 5000.0,
            dt: 0.05,
            place_floor: 1e-3,
            seed: 0,
            speed_limit: SpeedLimit::Warn,
        }
    }
}

impl HierarchicalNetworkParams {
    setters! {
        /// Sets `num_module`.
        num_module: usize,
        /// Sets `num_place` (per side).
        num_place: usize,
        /// Sets `arena_size` (m).
        arena_size: f64,
        /// Sets `spacing_min` (m).
        spacing_min: f64,
        /// Sets `spacing_max` (m).
        spacing_max: f64,
        /// Sets `module_angle` (rad).
        module_angle: f64,
        /// Sets `band_size`.
        band_size: usize,
        /// Sets `band_noise`.
        band_noise: f64,
        /// Sets `band_w_l2s`.
        band_w_l2s: f64,
        /// Sets `band_w_s2l`.
        band_w_s2l: f64,
        /// Sets `band_gain` (rad/s).
        band_gain: f64,
        /// Sets `band_shift` (rad).
        band_shift: f64,
        /// Sets `gauss_tau` (s).
        gauss_tau: f64,
        /// Sets `gauss_j0`.
        gauss_j0: f64,
        /// Sets `gauss_k`.
        gauss_k: f64,
        /// Sets `gauss_a` (rad).
        gauss_a: f64,
        /// Sets `nonrec_tau` (s).
        nonrec_tau: f64,
        /// Sets `grid_num` (per side).
        grid_num: usize,
        /// Sets `grid_tau` (s).
        grid_tau: f64,
        /// Sets `grid_tau_v` (s).
        grid_tau_v: f64,
        /// Sets `grid_k`.
        grid_k: f64,
        /// Sets `grid_a` (rad).
        grid_a: f64,
        /// Sets `grid_j0`.
        grid_j0: f64,
        /// Sets `grid_mbar`.
        grid_mbar: f64,
        /// Sets `grid_input_gain`.
        grid_input_gain: f64,
        /// Sets `dt` (s).
        dt: f64,
        /// Sets `place_floor` (relative to the largest grid rate).
        place_floor: f64,
        /// Sets `seed`.
        seed: u64,
        /// Sets `speed_limit`.
        speed_limit: SpeedLimit,
    }

    /// The module spacings (m): `num_module` values evenly from
    /// `spacing_min` to `spacing_max`.
    pub fn spacings(&self) -> Vec<f64> {
        let n = self.num_module;
        (0..n)
            .map(|i| {
                if n == 1 {
                    self.spacing_min
                } else {
                    self.spacing_min
                        + (self.spacing_max - self.spacing_min) * i as f64 / (n - 1) as f64
                }
            })
            .collect()
    }

    /// The same network on a time axis `factor` times faster: `dt` and every
    /// time constant (`gauss_tau`, `nonrec_tau`, `grid_tau`, `grid_tau_v`)
    /// divided by `factor`, `band_gain` multiplied by it and `band_w_s2l`
    /// divided by it (so the gated shifter input `w_S2L (gain +- v_phi)`
    /// keeps its size). Every step then does what a step of the original
    /// does on the path slowed `factor` times: the speed limit is `factor`
    /// times higher and a second of path costs `factor` times the steps.
    /// With a power of two the rescaled numbers are exact. This is how the
    /// network integrates a running rat (`sped_up(16.0)` admits 1.02 m/s at
    /// the default spacings).
    ///
    /// # Examples
    /// ```
    /// use canns::models::HierarchicalNetwork;
    /// let p = HierarchicalNetwork::params();
    /// let q = p.clone().sped_up(16.0);
    /// assert_eq!(q.speed_limit_value(), 16.0 * p.speed_limit_value());
    /// assert_eq!((q.dt, q.gauss_tau, q.band_w_s2l), (p.dt / 16.0, p.gauss_tau / 16.0, 0.0625));
    /// ```
    pub fn sped_up(mut self, factor: f64) -> Self {
        self.dt /= factor;
        self.gauss_tau /= factor;
        self.nonrec_tau /= factor;
        self.grid_tau /= factor;
        self.grid_tau_v /= factor;
        self.band_gain *= factor;
        self.band_w_s2l /= factor;
        self
    }

    /// The largest speed (m/s) every module integrates correctly:
    /// `band_gain * spacing_min / (2 pi)`.
    pub fn speed_limit_value(&self) -> f64 {
        let min = self.spacings().into_iter().fold(f64::INFINITY, f64::min);
        self.band_gain * min / TWO_PI
    }

    /// Checks that `speed` (m/s) is within [`speed_limit_value`](Self::speed_limit_value).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the speed, the limit, and the smallest
    /// `band_gain` (or `spacing_min`) that would admit it.
    ///
    /// # Examples
    /// ```
    /// use canns::models::HierarchicalNetwork;
    /// let p = HierarchicalNetwork::params();
    /// assert!(p.check_speed(0.05).is_ok());
    /// let e = p.check_speed(0.6).unwrap_err().to_string();
    /// assert!(e.contains("band_gain >= 1.885"), "{e}");
    /// assert!(p.band_gain(2.0).check_speed(0.6).is_ok());
    /// ```
    pub fn check_speed(&self, speed: f64) -> Result<()> {
        let limit = self.speed_limit_value();
        if speed.is_nan() || speed > limit {
            let min = self.spacings().into_iter().fold(f64::INFINITY, f64::min);
            return Err(Error::Invalid(format!(
                "HierarchicalNetwork: speed {speed:.4} m/s exceeds the limit band_gain * spacing_min / (2 pi) = \
                 {limit:.4} m/s (band_gain {}, spacing_min {min} m; beyond it the shifter gate gain - v_phi turns \
                 negative): set band_gain >= {:.3} or spacing_min >= {:.3} m",
                self.band_gain,
                TWO_PI * speed / min,
                TWO_PI * speed / self.band_gain,
            )));
        }
        Ok(())
    }

    /// Validates and builds the network.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn build(&self) -> Result<HierarchicalNetwork> {
        HierarchicalNetwork::new(self.clone())
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("HierarchicalNetworkParams")
            .row("num_module", self.num_module, "grid modules")
            .row("num_place", self.num_place, "place cells per side")
            .row("arena_size", self.arena_size, "m")
            .row(
                "spacings",
                format!("{:.3?}", self.spacings()),
                "module spacings (m)",
            )
            .row("band_size", self.band_size, "neurons per band ring")
            .row("band_gain", self.band_gain, "shifter gate (rad/s)")
            .row("grid_num", self.grid_num, "grid neurons per side")
            .row("dt", self.dt, "time step (s)")
            .row(
                "place_floor",
                self.place_floor,
                "grid rates below this fraction of the largest skip the place product",
            )
            .row(
                "speed limit",
                format!("{:.4}", self.speed_limit_value()),
                "m/s (gain * spacing_min / 2 pi)",
            )
    }
}

impl Params for HierarchicalNetworkParams {
    const NAME: &'static str = "HierarchicalNetworkParams";

    fn validate(&self) -> Result<()> {
        check::at_least("num_module", self.num_module, 1)?;
        check::at_least("num_place", self.num_place, 2)?;
        check::positive("arena_size", self.arena_size)?;
        check::positive("spacing_min", self.spacing_min)?;
        check::positive("spacing_max", self.spacing_max)?;
        if self.spacing_max < self.spacing_min {
            return Err(ParamError::new(
                "spacing_max",
                format!(">= spacing_min = {}", self.spacing_min),
                self.spacing_max,
            )
            .into());
        }
        check::finite("module_angle", self.module_angle)?;
        check::at_least("band_size", self.band_size, 8)?;
        check::non_negative("band_noise", self.band_noise)?;
        check::finite("band_w_l2s", self.band_w_l2s)?;
        check::finite("band_w_s2l", self.band_w_s2l)?;
        check::positive("band_gain", self.band_gain)?;
        check::finite("band_shift", self.band_shift)?;
        check::positive("gauss_tau", self.gauss_tau)?;
        check::positive("gauss_j0", self.gauss_j0)?;
        check::positive("gauss_k", self.gauss_k)?;
        check::positive("gauss_a", self.gauss_a)?;
        check::positive("nonrec_tau", self.nonrec_tau)?;
        check::at_least("grid_num", self.grid_num, 4)?;
        check::positive("grid_tau", self.grid_tau)?;
        check::positive("grid_tau_v", self.grid_tau_v)?;
        check::non_negative("grid_k", self.grid_k)?;
        check::positive("grid_a", self.grid_a)?;
        check::finite("grid_j0", self.grid_j0)?;
        check::non_negative("grid_mbar", self.grid_mbar)?;
        check::finite("grid_input_gain", self.grid_input_gain)?;
        check::positive("dt", self.dt)?;
        if !(0.0..1.0).contains(&self.place_floor) {
            return Err(ParamError::new("place_floor", "in [0, 1)", self.place_floor).into());
        }
        if self.dt > self.nonrec_tau.min(self.gauss_tau) {
            return Err(ParamError::new(
                "dt",
                format!(
                    "<= min(nonrec_tau, gauss_tau) = {} s (forward Euler)",
                    self.nonrec_tau.min(self.gauss_tau)
                ),
                self.dt,
            )
            .into());
        }
        let g2 = (self.grid_num * self.grid_num) as u64;
        let np = (self.num_place * self.num_place) as u64;
        let bytes = self.num_module as u64
            * (g2 * np * 8 + g2 * 256 + self.band_size as u64 * 3 * 200)
            + np * 64;
        crate::error::check_memory(
            "HierarchicalNetwork",
            bytes,
            "reduce num_place, grid_num or num_module",
        )?;
        Ok(())
    }
}

impl Render for HierarchicalNetworkParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(self.table().to_html(), format!("{self:?}"))
    }
}

/// Normal density `exp(-d^2 / (2 a^2)) / (sqrt(2 pi) a)`.
fn normal(d: f64, a: f64) -> f64 {
    (-0.5 * (d / a).powi(2)).exp() / ((2.0 * PI).sqrt() * a)
}

/// The hierarchical model's hexagonal distance of a phase difference
/// (each component wrapped once).
fn hex_dist(dx: f64, dy: f64) -> f64 {
    let (dx, dy) = (wrap(dx), wrap(dy));
    dx.hypot((dy - 0.5 * dx) * 2.0 / SQRT3)
}

/// One band-cell population: a ring attractor and its two shifters.
///
/// The left and right shifters receive the same drive `w_L2S r_ring` from the
/// same start (0), so their potentials are equal at every step: one
/// potential `s` serves both, and the gates act on the kernels instead of
/// the rates, `K_L * ((g + v) s) + K_R * ((g - v) s) = (g K_+ + v K_-) * s`
/// with `K_+- = K_L +- K_R`. The drive is a rate (`>= 0`) and the Euler
/// step a convex combination (`dt <= tau_s`), so `s >= 0` and its
/// rectification is the identity: `s` is linear in the ring's rates and is
/// kept as its Fourier coefficients, updated from the ring rates'
/// coefficients of the step before. A step then transforms the ring rates
/// once and inverts once; shifter noise, which differs between the two
/// sides, adds one transform per side. Kernels whose spectra vanish beyond
/// a few frequencies carry only those ([`LowPassRing`]); the default band
/// kernels, Gaussians cut at the far side of the ring, keep about `1e-7`
/// of their sum beyond any such band, so they use every frequency.
#[derive(Debug, Clone)]
struct Band {
    /// Phase gradient `k` (rad/m).
    proj: [f64; 2],
    u: Vec<f64>,
    r: Vec<f64>,
    /// Fourier coefficients of the ring rates `r`.
    r_hat: Vec<Complex<f64>>,
    /// Fourier coefficients of the shifters' potential.
    s_hat: Vec<Complex<f64>>,
    /// The shifter potential's coefficients before this step's update.
    s_prev: Vec<Complex<f64>>,
    /// Noise added to the left and right shifter rates (`band_noise != 0`),
    /// and their coefficients.
    noise_l: Vec<f64>,
    noise_r: Vec<f64>,
    noise_hat: [Vec<Complex<f64>>; 2],
    rec: Vec<f64>,
    centre: f64,
    centre_ideal: f64,
}

/// Shared constants of the band rings.
#[derive(Debug, Clone)]
struct BandConsts {
    x: Vec<f64>,
    k: f64,
    a: f64,
    tau: f64,
    tau_s: f64,
    w_l2s: f64,
    gain: f64,
    noise: f64,
}

/// Index of the ring's recurrent kernel `J N(d)` in [`band_kernels`].
const K_RING: usize = 0;
/// Index of `K_+ = K_L + K_R`.
const K_PLUS: usize = 1;
/// Index of `K_- = K_L - K_R`.
const K_MINUS: usize = 2;

/// The kernels every band ring shares, by ring offset `d = x_i - x_j`:
/// the recurrence `J N(d; a_b)` and the sum and difference of the shifter
/// kernels `K_L(d) = w_S2L N(d - delta; a_b)` (the left shifters push the
/// bump towards larger phases) and `K_R(d) = w_S2L N(d + delta; a_b)`.
/// (canns stores the shifter kernels as `bp.dnn.Linear` weights, indexed
/// [pre, post].)
fn band_kernels(p: &HierarchicalNetworkParams) -> LowPassRing {
    let n = p.band_size;
    let a = p.gauss_a;
    let rho = n as f64 / TWO_PI;
    let jc = (8.0 * (2.0 * PI).sqrt() * p.gauss_k * a / rho).sqrt();
    let j = p.gauss_j0 * jc;
    let step = TWO_PI / n as f64;
    let kern = |shift: f64, scale: f64| -> Vec<f64> {
        (0..n)
            .map(|d| scale * normal(wrap(d as f64 * step - shift), a))
            .collect()
    };
    let (left, right) = (
        kern(p.band_shift, p.band_w_s2l),
        kern(-p.band_shift, p.band_w_s2l),
    );
    let plus = left.iter().zip(&right).map(|(l, r)| l + r).collect();
    let minus = left.iter().zip(&right).map(|(l, r)| l - r).collect();
    LowPassRing::new(n, &[kern(0.0, j), plus, minus])
}

impl Band {
    fn new(
        theta: f64,
        spacing: f64,
        p: &HierarchicalNetworkParams,
        c: &BandConsts,
        ring: &mut LowPassRing,
    ) -> Self {
        let n = p.band_size;
        let a = p.gauss_a;
        let kk = TWO_PI / spacing;
        let (s, co) = (theta - PI / 2.0).sin_cos();
        let u: Vec<f64> = c.x.iter().map(|&x| 10.0 * normal(x, a)).collect();
        let r: Vec<f64> = c.x.iter().map(|&x| 30.0 * normal(x, a)).collect();
        let noisy = if p.band_noise != 0.0 { n } else { 0 };
        let b = ring.len();
        let mut r_hat = vec![Complex::default(); b];
        ring.forward(&r, &mut r_hat);
        let noise_hat = if noisy > 0 { b } else { 0 };
        Self {
            proj: [co * kk, s * kk],
            u,
            r,
            r_hat,
            s_hat: vec![Complex::default(); b],
            s_prev: vec![Complex::default(); b],
            noise_l: vec![0.0; noisy],
            noise_r: vec![0.0; noisy],
            noise_hat: [
                vec![Complex::default(); noise_hat],
                vec![Complex::default(); noise_hat],
            ],
            rec: vec![0.0; n],
            centre: 0.0,
            centre_ideal: 0.0,
        }
    }

    /// `mod(p . k, 2 pi) - pi`: the phase a position maps to.
    fn phase_of(&self, pos: [f64; 2]) -> f64 {
        (pos[0] * self.proj[0] + pos[1] * self.proj[1]).rem_euclid(TWO_PI) - PI
    }

    #[allow(clippy::too_many_arguments)]
    fn update(
        &mut self,
        v: [f64; 2],
        loc: [f64; 2],
        strength: f64,
        dt: f64,
        c: &BandConsts,
        ring: &mut LowPassRing,
        rng: &mut SeededRng,
    ) {
        let n = self.u.len();
        let v_phi = v[0] * self.proj[0] + v[1] * self.proj[1];
        self.centre_ideal = wrap(self.centre_ideal + v_phi * dt);
        // Shifters: rates from their previous potential (>= 0, so its own
        // rectification), then Euler on it with the ring's rates, all on
        // Fourier coefficients.
        let fs = dt / c.tau_s;
        self.s_prev.copy_from_slice(&self.s_hat);
        for (s, r) in self.s_hat.iter_mut().zip(&self.r_hat) {
            *s += (-*s + r * c.w_l2s) * fs;
        }
        if c.noise != 0.0 {
            for i in 0..n {
                let (a, b): (f64, f64) = (StandardNormal.sample(rng), StandardNormal.sample(rng));
                self.noise_l[i] = c.noise * a;
                self.noise_r[i] = c.noise * b;
            }
            ring.forward(&self.noise_l, &mut self.noise_hat[0]);
            ring.forward(&self.noise_r, &mut self.noise_hat[1]);
        }
        // Ring: rates from the previous u; recurrence plus the gated shifter
        // input in one pass of transforms (+ location), then Euler.
        let s2: f64 = self.u.iter().map(|u| u * u).sum();
        let scale = 1.0 / (1.0 + c.k * s2);
        for (r, u) in self.r.iter_mut().zip(&self.u) {
            *r = u * u * scale;
        }
        ring.forward(&self.r, &mut self.r_hat);
        let (gl, gr) = (c.gain + v_phi, c.gain - v_phi);
        let ring_terms = [(K_RING, 1.0)];
        let shift_terms = [(K_PLUS, c.gain), (K_MINUS, v_phi)];
        let (left_terms, right_terms) = (
            [(K_PLUS, 0.5 * gl), (K_MINUS, 0.5 * gl)],
            [(K_PLUS, 0.5 * gr), (K_MINUS, -0.5 * gr)],
        );
        if c.noise != 0.0 {
            ring.inverse_weighted(
                &[
                    (&self.r_hat, &ring_terms),
                    (&self.s_prev, &shift_terms),
                    (&self.noise_hat[0], &left_terms),
                    (&self.noise_hat[1], &right_terms),
                ],
                &mut self.rec,
            );
        } else {
            ring.inverse_weighted(
                &[(&self.r_hat, &ring_terms), (&self.s_prev, &shift_terms)],
                &mut self.rec,
            );
        }
        if strength != 0.0 {
            let ph = self.phase_of(loc);
            for i in 0..n {
                let d = wrap(ph - c.x[i]);
                self.rec[i] += strength * (-0.25 * (d / c.a).powi(2)).exp();
            }
        }
        let f = dt / c.tau;
        for i in 0..n {
            self.u[i] += f * (-self.u[i] + self.rec[i]);
        }
        // sum_j r_j e^{i x_j} with x_j = -pi + 2 pi j / n is -conj(R_1).
        self.centre = self.r_hat[1].im.atan2(-self.r_hat[1].re);
    }
}

/// One grid module: three band populations and a grid sheet.
#[derive(Debug, Clone)]
struct Module {
    spacing: f64,
    bands: [Band; 3],
    conv: CircularConv,
    stepper: AdaptiveStep,
    u: Vec<f64>,
    v: Vec<f64>,
    r: Vec<f64>,
    input: Vec<f64>,
    /// Grid-to-place weights, grid-major: `w[g * n_place + p]`.
    w_gp: PlaceWeights,
}

/// Grid-to-place weights of one module, grid-major (`w[g * n_place + p]`):
/// exact (`f64`) for the dense product (`place_floor = 0`), and stored as
/// 16-bit multiples of `w_max / 65535` when the product already skips grid
/// cells below the floor, which reads a quarter of the memory (the rows a
/// step reads then stay in the processor's cache). Each stored weight is
/// within half a step, `w_max / 131070`, of its value, and each module's
/// rows above the floor are summed in single precision
/// ([`sum_rows_u16`]), so with `n` such rows of rate mass `R` the module's
/// input to every place cell errs by at most `w_max R (1 / 131070 +
/// (n + 3) 2^-24)` beyond the mass the floor leaves out (about `w_max R
/// 1.3e-5` at `n = 90`).
#[derive(Debug, Clone)]
enum PlaceWeights {
    Exact(Vec<f64>),
    Fixed16(Vec<u16>),
}

/// Steps of the 16-bit weights between 0 and the largest weight `w_max`.
const FIXED16_STEPS: f64 = 65535.0;

/// `2^-24`, the unit roundoff of `f32`.
const F32_EPS: f64 = 1.0 / 16_777_216.0;

/// `HierarchicalNetwork`: path integration by band cells with shifter rings,
/// grid modules driven by the band phases, and place cells reading several
/// modules (the `canns` model of Chu et al.).
///
/// Each **band cell** population is a ring attractor of `n` neurons on
/// phases `x_j = -pi + 2 pi j / n` that integrates the velocity component along
/// its direction `theta` (spacing `lambda`: `k = 2 pi / lambda (cos(theta - pi/2), sin(theta - pi/2))`),
/// shifted by two velocity-gated shifter populations (left, right):
///
/// ```text
/// ring:     r = u^2 / (1 + k_b sum u^2),   tau_b du/dt = -u + J N(x_i - x_j; a_b) * r + I,   J = J0_b sqrt(8 sqrt(2 pi) k_b a_b / rho)
/// shifter:  r_s = relu(u_s) [+ noise xi],  tau_s du_s/dt = -u_s + w_L2S r_ring
///           r_left *= (gain + v_phi),  r_right *= (gain - v_phi),     v_phi = v . k   (rad/s)
/// input:    I = w_S2L (N(x_i - x_j - delta; a_b) * r_left + N(x_i - x_j + delta; a_b) * r_right) + I_loc
/// centre:   phi = arg sum_j e^{i x_j} r_j
/// ```
///
/// Each **grid module** has three band populations at `theta, theta + 60, theta + 120`
/// degrees (one spacing) and an `m x m` grid sheet on the phase torus driven by
/// the phases `(phi_x, phi_y)` of the first two, with adaptation
/// (exponential Euler on `(u, v)`, `m = mbar tau / tau_v`):
///
/// ```text
/// I_grid = c N(d_hex(Phi - phi_i); a_b),    d_hex(d) = |(d_x, (d_y - d_x / 2) 2 / sqrt 3)|   (single wrap)
/// tau du/dt = -u + J0 N(d_hex; a_g) * r + I_grid - v,   tau_v dv/dt = -v + m u,   r = u^2 / (1 + k sum u^2)
/// place input from the module: W_pg r,   W_pg = N(d_hex(phase(c_p) - phi_g); a_b)
/// ```
///
/// **Place cells** on an `n_p x n_p` lattice over the arena sum the modules'
/// outputs `g`, and the position is read from them:
///
/// ```text
/// u_p = max(g - max(g) / 2, 0),   decoded = sum_p c_p u_p / (1e-5 + sum u_p),   r_p = u_p^2 / (1 + sum u^2)
/// ```
///
/// **The speed limit.** The right shifter's gate `gain - v_phi` is negative,
/// and its rate unphysical, once `|v_phi| > gain`, i.e. for
/// `|v| > gain lambda / (2 pi)` along a band direction (0.064 m/s at
/// `gain = 0.2`, `lambda = 2` m). Every update checks the velocity against
/// the smallest spacing; [`SpeedLimit`] chooses whether exceeding it is
/// counted ([`HierarchicalNetwork::speed_violations`]), an error, or ignored;
/// [`HierarchicalNetwork::run`] checks a whole history first and names the
/// `band_gain` or `spacing_min` that would admit it
/// ([`HierarchicalNetworkParams::check_speed`]). canns's examples move at
/// 0.04 m/s; a running rat does not (the Sargolini et al. trajectory reaches
/// 0.82 m/s at 0.05 s sampling and is over 0.064 m/s on 8772 of 11 993
/// samples). Raising `band_gain` (or `spacing_min`) until the check passes
/// keeps both gates positive but does not make the rings follow such phase
/// speeds: at `band_gain = 3` (`spacing 2..5` m, place cells over the 1 m
/// box) the 600 s run decodes with a 0.46 m mean error, and at
/// `band_gain = 1`, spacings `6..15` m, 0.35 m. Rescaling time instead
/// ([`HierarchicalNetworkParams::sped_up`]: `dt`, every time constant and
/// `band_w_s2l` divided by a factor, `band_gain` multiplied by it) keeps
/// each step what it is for the slow walks the model was built for: at
/// `sped_up(16.0)` (`dt` 3.125 ms, `band_gain` 3.2, `band_w_s2l` 1/16,
/// spacings 2..5 m, limit 1.02 m/s, 30^2 place cells over the 1 m box) the
/// whole 600 s Sargolini trajectory (192 373 steps) stays within the limit,
/// the bands within 0.026 rad of the integrated phase, and the decoded
/// position within 0.092 m on average (0.086 m over the first tenth, 0.096 m
/// over the last, 0.22 m at most; `cargo run --release --example
/// hierarchical_sargolini`); the place cells' half-maximum centroid over a
/// box smaller than the spacings, not the integration, sets that error.
///
/// **Differences from `canns`** (`hierarchical_model.py`, canns 1.5): any
/// module count, band size and grid size (canns hard-codes 20^2 and 180 in its
/// recorders); the band-to-grid matrices that `canns` computes and never uses
/// are not built; `grid_A` and the module angle's rotation (unused in canns)
/// are not parameters; the grid-to-place product reads only the grid cells
/// above an activity floor (`place_floor`, with the error bound it implies
/// reported each step); the speed limit is reported.
///
/// **Cost of a step.** The two shifters of a band receive the same drive
/// from the same start, so one potential serves both and their gates act on
/// the kernels, and their potential, linear in the ring rates, is kept as
/// Fourier coefficients: a band step is one real FFT of the ring rates and
/// one inverse (not six transforms), exact to rounding, and the band's
/// centre is read from the first coefficient. Above the floor, the grid-to-place weights are read
/// as 16-bit multiples of the largest weight and each module's rows are
/// summed in single precision, which adds at most `w_max R (1 / 131070 +
/// (n + 3) 2^-24)` (rate mass `R` of the `n` rows read) to the bound
/// [`HierarchicalNetwork::place_input_bound`] reports; `place_floor = 0`
/// keeps the exact `f64` product. At 5 modules and 30^2 place cells a step
/// takes 0.102 ms of CPU time (criterion median of `CANNS_BENCH_CLOCK=cpu
/// nice cargo bench --bench path_integration -- --warm-up-time 1
/// --measurement-time 3`, load average 10-15 on 2 cores), against canns
/// 1.5's 0.91 ms wall time beside it (`scripts/compare/path_integration.py
/// --no-bench`) and 0.75 ms on an idle machine; the grid-to-place product
/// takes 40% of it under `perf`, the band rings under a tenth. `cargo run
/// --release --example hierarchical_long` runs canns's example at full
/// length (a million steps, with progress): 133 s of CPU time.
///
/// ## Examples
/// ```
/// use canns::models::HierarchicalNetwork;
/// let mut net = HierarchicalNetwork::params().num_module(2).num_place(10).build()?;
/// net.anchor([2.5, 2.5], 200, 100.0)?;
/// net.anchor([2.5, 2.5], 50, 0.0)?;
/// let d = net.decoded();
/// assert!((d[0] - 2.5).abs() < 0.1 && (d[1] - 2.5).abs() < 0.1, "{d:?}");
/// // Faster than gain * spacing / 2 pi is reported.
/// assert!(net.speed_limit() < 0.07);
/// net.update([0.5, 0.0], [2.5, 2.5], 0.0)?;
/// assert_eq!(net.speed_violations(), 1);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Chu, T. et al. (2025). Localized space coding and phase coding complement
///   each other to achieve robust and efficient spatial representation
///   (as cited by the `canns` documentation).
///
/// The hierarchical band -> grid -> place network.
///
/// # Examples
/// ```
/// use canns::models::HierarchicalNetwork;
/// let net = HierarchicalNetwork::params().num_module(2).num_place(6).grid_num(12).build()?;
/// assert_eq!(net.place_rates().len(), 36);
/// assert_eq!(net.grid_rates(1)?.len(), 144);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct HierarchicalNetwork {
    params: HierarchicalNetworkParams,
    consts: BandConsts,
    /// The band rings' kernels and transforms (shared by every band population).
    band_bank: LowPassRing,
    modules: Vec<Module>,
    /// Phases of the grid sheet's axes.
    grid_phi: Vec<f64>,
    centres: Vec<[f64; 2]>,
    place_in: Vec<f64>,
    place_r: Vec<f64>,
    /// Wrapped offsets of the band phases from the grid axes, per axis.
    dphi: [Vec<f64>; 2],
    /// The band-phase input of one grid sheet (scratch).
    drive: Vec<f64>,
    /// Coefficients and row offsets of the grid cells above the floor
    /// (scratch of the grid-to-place product).
    active_alpha: Vec<f64>,
    active_start: Vec<usize>,
    /// Bound on the error of every place input in the last step.
    place_bound: f64,
    decoded: [f64; 2],
    rng: SeededRng,
    violations: usize,
    fastest: f64,
    steps: usize,
    t: f64,
}

impl HierarchicalNetwork {
    /// Default parameters, to adjust and [`HierarchicalNetworkParams::build`].
    pub fn params() -> HierarchicalNetworkParams {
        HierarchicalNetworkParams::default()
    }

    /// Builds the network (band bumps at phase 0, grid and place cells silent).
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value; [`Error::Limit`]
    /// when it would not fit in memory.
    pub fn new(params: HierarchicalNetworkParams) -> Result<Self> {
        params.validate()?;
        let p = &params;
        let x = ring_positions(p.band_size);
        let consts = BandConsts {
            x,
            k: p.gauss_k,
            a: p.gauss_a,
            tau: p.gauss_tau,
            tau_s: p.nonrec_tau,
            w_l2s: p.band_w_l2s,
            gain: p.band_gain,
            noise: p.band_noise,
        };
        let m = p.grid_num;
        let grid_phi = ring_positions(m);
        let step = TWO_PI / m as f64;
        let mut kernel = vec![0.0; m * m];
        for d0 in 0..m {
            for d1 in 0..m {
                kernel[d0 * m + d1] =
                    p.grid_j0 * normal(hex_dist(d1 as f64 * step, d0 as f64 * step), p.grid_a);
            }
        }
        let np = p.num_place;
        let centres: Vec<[f64; 2]> = (0..np * np)
            .map(|i| {
                let s = p.arena_size / (np - 1) as f64;
                [(i % np) as f64 * s, (i / np) as f64 * s]
            })
            .collect();
        let w_max = normal(0.0, p.gauss_a);
        let mut band_bank = band_kernels(p);
        let modules = p
            .spacings()
            .into_iter()
            .map(|spacing| {
                let th = p.module_angle;
                let bands = [
                    Band::new(th, spacing, p, &consts, &mut band_bank),
                    Band::new(th + PI / 3.0, spacing, p, &consts, &mut band_bank),
                    Band::new(th + 2.0 * PI / 3.0, spacing, p, &consts, &mut band_bank),
                ];
                let mut w_gp = vec![0.0; m * m * centres.len()];
                for (pi, c) in centres.iter().enumerate() {
                    let ph = [bands[0].phase_of(*c), bands[1].phase_of(*c)];
                    for g in 0..m * m {
                        w_gp[g * centres.len() + pi] = normal(
                            hex_dist(ph[0] - grid_phi[g % m], ph[1] - grid_phi[g / m]),
                            p.gauss_a,
                        );
                    }
                }
                Module {
                    spacing,
                    bands,
                    conv: CircularConv::new(m, m, kernel.clone(), Recurrence::Fft),
                    stepper: AdaptiveStep::new(
                        p.dt,
                        p.grid_tau,
                        p.grid_tau_v,
                        p.grid_mbar * p.grid_tau / p.grid_tau_v,
                        1.0,
                        p.grid_k,
                    ),
                    u: vec![0.0; m * m],
                    v: vec![0.0; m * m],
                    r: vec![0.0; m * m],
                    input: vec![0.0; m * m],
                    w_gp: if p.place_floor > 0.0 {
                        // Every weight is in [0, w_max]: its multiple of w_max / 65535 fits.
                        PlaceWeights::Fixed16(
                            w_gp.iter()
                                .map(|&w| (w / w_max * FIXED16_STEPS).round() as u16)
                                .collect(),
                        )
                    } else {
                        PlaceWeights::Exact(w_gp)
                    },
                }
            })
            .collect();
        Ok(Self {
            consts,
            band_bank,
            modules,
            grid_phi,
            place_in: vec![0.0; centres.len()],
            dphi: [vec![0.0; m], vec![0.0; m]],
            drive: vec![0.0; m * m],
            active_alpha: Vec::with_capacity(m * m),
            active_start: Vec::with_capacity(m * m),
            place_bound: 0.0,
            place_r: vec![0.0; centres.len()],
            centres,
            decoded: [0.0; 2],
            rng: crate::random::seeded(params.seed),
            violations: 0,
            fastest: 0.0,
            steps: 0,
            t: 0.0,
            params,
        })
    }

    /// The parameters this network was built with.
    pub fn parameters(&self) -> &HierarchicalNetworkParams {
        &self.params
    }

    /// The speed limit `band_gain * spacing_min / (2 pi)` (m/s).
    pub fn speed_limit(&self) -> f64 {
        self.params.speed_limit_value()
    }

    /// Steps whose speed exceeded [`HierarchicalNetwork::speed_limit`].
    pub fn speed_violations(&self) -> usize {
        self.violations
    }

    /// The fastest speed (m/s) seen by [`HierarchicalNetwork::update`].
    pub fn fastest_speed(&self) -> f64 {
        self.fastest
    }

    /// One step of `dt`: the band cells integrate `velocity` (m/s); with
    /// `strength != 0` they are also pulled towards the phases of `location`
    /// (m), which anchors the network (canns's `loc_input_stre`).
    ///
    /// # Errors
    /// [`Error::Param`] when a component is not finite; [`Error::Invalid`]
    /// when the speed exceeds the limit under [`SpeedLimit::Error`];
    /// [`Error::Diverged`] when the state stops being finite.
    pub fn update(&mut self, velocity: [f64; 2], location: [f64; 2], strength: f64) -> Result<()> {
        self.update_dt(velocity, location, strength, self.params.dt)
    }

    fn update_dt(
        &mut self,
        velocity: [f64; 2],
        location: [f64; 2],
        strength: f64,
        dt: f64,
    ) -> Result<()> {
        check::finite("velocity[0]", velocity[0])?;
        check::finite("velocity[1]", velocity[1])?;
        check::finite("location[0]", location[0])?;
        check::finite("location[1]", location[1])?;
        check::finite("strength", strength)?;
        let speed = velocity[0].hypot(velocity[1]);
        self.fastest = self.fastest.max(speed);
        // The largest |v . k| over every band direction of the finest module.
        let over = self.modules.iter().any(|m| {
            m.bands.iter().any(|b| {
                (velocity[0] * b.proj[0] + velocity[1] * b.proj[1]).abs() > self.params.band_gain
            })
        });
        if over {
            match self.params.speed_limit {
                SpeedLimit::Warn => self.violations += 1,
                // Over along a band direction means over in speed as well.
                SpeedLimit::Error => self.params.check_speed(speed)?,
                SpeedLimit::Ignore => {}
            }
        }
        let p = &self.params;
        let m = p.grid_num;
        let n_place = self.centres.len();
        self.place_in.iter_mut().for_each(|x| *x = 0.0);
        let stepper_dt = dt;
        let (mut skipped, mut rounded, mut rounded_sum) = (0.0, 0.0, 0.0);
        // The largest grid-to-place weight, N(0; a_b).
        let w_max = normal(0.0, p.gauss_a);
        for module in self.modules.iter_mut() {
            for b in module.bands.iter_mut() {
                b.update(
                    velocity,
                    location,
                    strength,
                    dt,
                    &self.consts,
                    &mut self.band_bank,
                    &mut self.rng,
                );
            }
            let ph = [module.bands[0].centre, module.bands[1].centre];
            let mut input = std::mem::take(&mut module.input);
            module.conv.apply(&module.r, &mut input);
            // Band-phase input c N(d_hex(Phi - phi_g); a_b): the wrapped axis
            // offsets once per axis, then one exponential per cell.
            for (i, &phi) in self.grid_phi.iter().enumerate() {
                self.dphi[0][i] = wrap(ph[0] - phi);
                self.dphi[1][i] = wrap(ph[1] - phi);
            }
            let (c, inv2a2) = (
                p.grid_input_gain / ((2.0 * PI).sqrt() * p.gauss_a),
                -0.5 / (p.gauss_a * p.gauss_a),
            );
            for (row, &dy) in self.drive.chunks_mut(m).zip(&self.dphi[1]) {
                for (x, &dx) in row.iter_mut().zip(&self.dphi[0]) {
                    let e = (dy - 0.5 * dx) * (2.0 / SQRT3);
                    *x = (dx * dx + e * e) * inv2a2;
                }
            }
            exp_in_place(&mut self.drive);
            for (x, d) in input.iter_mut().zip(&self.drive) {
                *x += c * d;
            }
            let stepper = if stepper_dt == p.dt {
                module.stepper
            } else {
                AdaptiveStep::new(
                    stepper_dt,
                    p.grid_tau,
                    p.grid_tau_v,
                    p.grid_mbar * p.grid_tau / p.grid_tau_v,
                    1.0,
                    p.grid_k,
                )
            };
            let s2 = stepper.apply(&mut module.u, &mut module.v, &mut module.r, &input);
            module.input = input;
            if !s2.is_finite() {
                return Err(Error::Diverged {
                    step: self.steps + 1,
                    t: self.t + dt,
                    what: "u of a grid module".into(),
                });
            }
            // Grid -> place over the grid cells at or above the floor; the
            // rate mass left out bounds the error of every place input.
            let floor = p.place_floor * module.r.iter().copied().fold(0.0f64, f64::max);
            self.active_alpha.clear();
            self.active_start.clear();
            let mut module_rounded = 0.0;
            for (g, &r) in module.r.iter().enumerate() {
                if r > 0.0 && r >= floor {
                    match &module.w_gp {
                        PlaceWeights::Exact(w) => {
                            axpy(r, &w[g * n_place..(g + 1) * n_place], &mut self.place_in)
                        }
                        PlaceWeights::Fixed16(_) => {
                            self.active_alpha.push(r * w_max / FIXED16_STEPS);
                            self.active_start.push(g * n_place);
                            module_rounded += r;
                        }
                    }
                } else {
                    skipped += r.max(0.0);
                }
            }
            if let PlaceWeights::Fixed16(w) = &module.w_gp {
                sum_rows_u16(
                    &self.active_alpha,
                    &self.active_start,
                    w,
                    &mut self.place_in,
                );
                // The sum over n rows rounds by at most (n + 3) 2^-24 of its
                // terms' total (the final f64 addition is exact to 2^-53).
                rounded_sum += (self.active_alpha.len() as f64 + 3.0) * module_rounded;
                rounded += module_rounded;
            }
        }
        // The rate mass left out, the storage rounding of the weights used
        // (half a step) and the single-precision sums over them, times the
        // largest weight.
        self.place_bound =
            (skipped + rounded / (2.0 * FIXED16_STEPS) + rounded_sum * F32_EPS * (1.0 + 1e-6))
                * w_max;
        let max = self.place_in.iter().copied().fold(0.0f64, f64::max);
        let half = max / 2.0;
        let (mut sx, mut sy, mut su, mut s2) = (0.0, 0.0, 0.0, 0.0);
        for (i, x) in self.place_in.iter().enumerate() {
            let u = if *x > half { x - half } else { 0.0 };
            self.place_r[i] = u;
            sx += u * self.centres[i][0];
            sy += u * self.centres[i][1];
            su += u;
            s2 += u * u;
        }
        self.decoded = [sx / (1e-5 + su), sy / (1e-5 + su)];
        let scale = 1.0 / (1.0 + s2);
        self.place_r.iter_mut().for_each(|u| *u = *u * *u * scale);
        self.steps += 1;
        self.t += dt;
        Ok(())
    }

    /// `steps` steps at rest at `location` with anchoring `strength` (canns's
    /// initialisation: 400 steps at strength 100, then 100 at 0).
    ///
    /// # Errors
    /// As [`HierarchicalNetwork::update`].
    pub fn anchor(&mut self, location: [f64; 2], steps: usize, strength: f64) -> Result<()> {
        for _ in 0..steps {
            self.update([0.0, 0.0], location, strength)?;
        }
        Ok(())
    }

    /// The position (m) decoded from the place cells.
    pub fn decoded(&self) -> [f64; 2] {
        self.decoded
    }

    /// Place-cell inputs `g`, the sum of the modules' grid-to-place products
    /// (`num_place^2`, row-major over (y, x)).
    pub fn place_input(&self) -> &[f64] {
        &self.place_in
    }

    /// Bound on `|g - g_exact|` for every place input of the last step
    /// (the rate mass the activity floor `place_floor` left out, times the
    /// largest grid-to-place weight `1 / (sqrt(2 pi) a_b)`); 0 with
    /// `place_floor = 0`.
    pub fn place_input_bound(&self) -> f64 {
        self.place_bound
    }

    /// Place-cell rates (`num_place^2`, row-major over (y, x)).
    pub fn place_rates(&self) -> &[f64] {
        &self.place_r
    }

    /// Place-field centres (m).
    pub fn place_centres(&self) -> &[[f64; 2]] {
        &self.centres
    }

    /// Grid rates of module `i` (`grid_num^2`).
    ///
    /// # Errors
    /// [`Error::Param`] when `i` is not below `num_module`.
    pub fn grid_rates(&self, i: usize) -> Result<&[f64]> {
        self.module(i).map(|m| &m.r[..])
    }

    /// Ring rates of band population `band` (0, 1, 2) of module `i`.
    ///
    /// # Errors
    /// [`Error::Param`] when `i` or `band` is out of range.
    pub fn band_rates(&self, i: usize, band: usize) -> Result<&[f64]> {
        if band > 2 {
            return Err(ParamError::new("band", "0, 1 or 2", band).into());
        }
        self.module(i).map(|m| &m.bands[band].r[..])
    }

    /// `(centre, ideal centre)` of band population `band` of module `i`
    /// (rad): the decoded phase and the exact integral of `v . k` since the
    /// start (which begins at 0).
    ///
    /// # Errors
    /// [`Error::Param`] when `i` or `band` is out of range.
    pub fn band_phase(&self, i: usize, band: usize) -> Result<(f64, f64)> {
        if band > 2 {
            return Err(ParamError::new("band", "0, 1 or 2", band).into());
        }
        self.module(i)
            .map(|m| (m.bands[band].centre, m.bands[band].centre_ideal))
    }

    /// The spacing (m) of each module.
    pub fn spacings(&self) -> Vec<f64> {
        self.modules.iter().map(|m| m.spacing).collect()
    }

    fn module(&self, i: usize) -> Result<&Module> {
        self.modules
            .get(i)
            .ok_or_else(|| ParamError::new("module", format!("< {}", self.modules.len()), i).into())
    }

    /// Steps taken.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Time (s) since construction.
    pub fn time(&self) -> f64 {
        self.t
    }

    /// Integrates the velocities of `history` (one step per sample, sample
    /// intervals split into steps of at most `dt`), recording the decoded
    /// position and every band's `wrap(centre - ideal centre)`. Progress is
    /// shown on a terminal for long runs.
    ///
    /// The history's fastest speed is checked first
    /// ([`HierarchicalNetworkParams::check_speed`]): under
    /// [`SpeedLimit::Warn`] a warning with the number of samples over the
    /// limit and the `band_gain` or `spacing_min` that would admit them is
    /// printed, under [`SpeedLimit::Error`] it is the error.
    ///
    /// # Errors
    /// As [`HierarchicalNetwork::update`]; [`Error::Invalid`] when the times
    /// do not increase, or when the history is too fast under
    /// [`SpeedLimit::Error`]; [`Error::Limit`] when the recording would not fit.
    pub fn run(&mut self, history: &History) -> Result<HierarchicalRun> {
        let n = history.len();
        let nb = 3 * self.modules.len();
        crate::error::check_memory(
            "HierarchicalNetwork::run recording",
            n as u64 * (nb as u64 + 6) * 8,
            "run a shorter history",
        )?;
        let fastest = (0..n)
            .map(|k| history.vx[k].hypot(history.vy[k]))
            .fold(0.0, f64::max);
        if let Err(e) = self.params.check_speed(fastest) {
            match self.params.speed_limit {
                SpeedLimit::Error => return Err(e),
                SpeedLimit::Warn => {
                    let over = (0..n)
                        .filter(|&k| {
                            self.params
                                .check_speed(history.vx[k].hypot(history.vy[k]))
                                .is_err()
                        })
                        .count();
                    eprintln!("warning: {over} of {n} samples: {e}");
                }
                SpeedLimit::Ignore => {}
            }
        }
        let mut decoded = Array2::zeros((n, 2));
        let mut band_error = Array2::zeros((n, nb));
        let work = (n
            * self.modules.len()
            * (self.params.grid_num.pow(2) + 3 * self.params.band_size)) as f64;
        let mut progress = Progress::new("HierarchicalNetwork", n, work * 30.0, ShowProgress::Auto);
        for k in 0..n {
            let span = if k == 0 {
                self.params.dt
            } else {
                history.t[k] - history.t[k - 1]
            };
            if span.is_nan() || span <= 0.0 {
                return Err(Error::Invalid(format!(
                    "history: times must increase (t[{k}] = {})",
                    history.t[k]
                )));
            }
            let sub = ((span / self.params.dt).round() as usize).max(1);
            let v = [history.vx[k], history.vy[k]];
            let loc = [history.x[k], history.y[k]];
            for _ in 0..sub {
                self.update_dt(v, loc, 0.0, span / sub as f64)?;
            }
            decoded[[k, 0]] = self.decoded[0];
            decoded[[k, 1]] = self.decoded[1];
            for (mi, m) in self.modules.iter().enumerate() {
                for (bi, b) in m.bands.iter().enumerate() {
                    band_error[[k, 3 * mi + bi]] = wrap(b.centre - b.centre_ideal);
                }
            }
            if k % 256 == 0 {
                progress.update(k);
            }
        }
        progress.update(n);
        Ok(HierarchicalRun {
            t: history.t.clone(),
            positions: history.positions(),
            decoded,
            band_error,
            speed_violations: self.violations,
        })
    }

    /// Heatmap of the place-cell rates over the arena.
    pub fn plot_place(&self) -> Figure {
        let np = self.params.num_place;
        let s = self.params.arena_size / (np - 1) as f64;
        let ax: Vec<f64> = (0..np).map(|i| i as f64 * s).collect();
        display::heatmap(
            &format!("Place cells at t = {:.2} s", self.t),
            "x (m)",
            "y (m)",
            ax.clone(),
            ax,
            self.place_r.chunks(np).map(|c| c.to_vec()).collect(),
        )
    }

    /// Heatmap of the grid sheet of module `i` over its phase torus.
    ///
    /// # Errors
    /// [`Error::Param`] when `i` is not below `num_module`.
    pub fn plot_grid(&self, i: usize) -> Result<Figure> {
        let m = self.module(i)?;
        let n = self.params.grid_num;
        Ok(display::heatmap(
            &format!("Grid module {i} (spacing {:.2} m)", m.spacing),
            "phase x (rad)",
            "phase y (rad)",
            self.grid_phi.clone(),
            self.grid_phi.clone(),
            m.r.chunks(n).map(|c| c.to_vec()).collect(),
        ))
    }
}

/// What [`HierarchicalNetwork::run`] records.
///
/// # Examples
/// ```
/// use canns::models::HierarchicalNetwork;
/// use canns::spatial::{Agent, Environment};
/// let mut agent = Agent::params().dt(0.05).speed_mean(0.03).speed_std(0.0)
///     .start_position(Some(vec![2.5, 2.5])).build(Environment::rectangle(5.0, 5.0)?)?;
/// agent.run(100)?;
/// let mut net = HierarchicalNetwork::params().num_module(2).num_place(20).build()?;
/// net.anchor([2.5, 2.5], 300, 100.0)?;
/// let run = net.run(agent.history())?;
/// assert!(run.mean_error(0, 100) < 0.05);
/// assert_eq!(run.band_error.ncols(), 6);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Shapes
/// `positions`, `decoded`: `(n_steps, 2)`; `band_error`: `(n_steps, 3 num_module)`
/// (module-major: module `i`'s bands at columns `3i, 3i+1, 3i+2`).
#[derive(Clone, PartialEq)]
pub struct HierarchicalRun {
    /// Time of each sample (s).
    pub t: Vec<f64>,
    /// True position (m).
    pub positions: Array2<f64>,
    /// Decoded position (m).
    pub decoded: Array2<f64>,
    /// `wrap(centre - ideal centre)` of every band population (rad).
    pub band_error: Array2<f64>,
    /// Steps over the speed limit so far.
    pub speed_violations: usize,
}

impl HierarchicalRun {
    /// `|decoded - true|` at each sample (m).
    pub fn errors(&self) -> Vec<f64> {
        (0..self.positions.nrows())
            .map(|i| {
                (self.decoded[[i, 0]] - self.positions[[i, 0]])
                    .hypot(self.decoded[[i, 1]] - self.positions[[i, 1]])
            })
            .collect()
    }

    /// Mean of [`HierarchicalRun::errors`] over samples `from..to` (m).
    pub fn mean_error(&self, from: usize, to: usize) -> f64 {
        let e = self.errors();
        let to = to.min(e.len());
        if from >= to {
            return f64::NAN;
        }
        e[from..to].iter().sum::<f64>() / (to - from) as f64
    }

    /// The largest drift of each band's offset from its ideal centre
    /// relative to the first sample (rad).
    pub fn band_drift(&self) -> Vec<f64> {
        (0..self.band_error.ncols())
            .map(|c| {
                let col = self.band_error.column(c);
                let first = col.first().copied().unwrap_or(0.0);
                col.iter()
                    .map(|x| wrap(x - first).abs())
                    .fold(0.0, f64::max)
            })
            .collect()
    }

    /// True and decoded paths.
    pub fn plot_paths(&self) -> Figure {
        super::grid_position::path_plot(
            "True and decoded paths",
            &self.positions,
            &self.decoded,
            "decoded",
        )
    }

    /// Decoding error over time.
    pub fn plot_error(&self) -> Figure {
        display::lines(
            "Decoding error",
            "t (s)",
            "|decoded - true| (m)",
            vec![display::Series::line(
                "error",
                self.t.clone(),
                self.errors(),
            )],
        )
    }
}

crate::display::debug_via_display!(HierarchicalRun);

impl std::fmt::Display for HierarchicalRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "HierarchicalRun({} samples, mean error {:.4} m, {} steps over the speed limit)",
            self.t.len(),
            self.mean_error(0, usize::MAX),
            self.speed_violations
        )
    }
}

impl Render for HierarchicalRun {
    fn bundle(&self) -> Bundle {
        let drift = self.band_drift().into_iter().fold(0.0, f64::max);
        let kv = KeyValues::new("HierarchicalRun")
            .row("samples", self.t.len(), "")
            .row(
                "mean_error",
                format!("{:.4}", self.mean_error(0, usize::MAX)),
                "m",
            )
            .row("band_drift", format!("{drift:.4}"), "largest, rad")
            .row("speed_violations", self.speed_violations, "steps");
        Bundle::figure(&self.plot_paths(), &kv.to_html(), self.to_string())
    }
}

crate::display::debug_via_display!(HierarchicalNetwork);

impl std::fmt::Display for HierarchicalNetwork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "HierarchicalNetwork({} modules, {}^2 place cells, t={:.2} s, decoded=({:.3}, {:.3}) m)",
            self.modules.len(),
            self.params.num_place,
            self.t,
            self.decoded[0],
            self.decoded[1]
        )
    }
}

impl Render for HierarchicalNetwork {
    fn bundle(&self) -> Bundle {
        let table = self
            .params
            .table()
            .row("t", format!("{:.2}", self.t), "s")
            .row(
                "decoded",
                format!("({:.3}, {:.3})", self.decoded[0], self.decoded[1]),
                "m",
            )
            .row("speed_violations", self.violations, "steps")
            .to_html();
        Bundle::figure(&self.plot_place(), &table, self.to_string())
    }
}

display::evcxr_display_via_render!(
    HierarchicalNetworkParams,
    HierarchicalNetwork,
    HierarchicalRun
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_shifts_with_velocity_along_its_direction() {
        let p = HierarchicalNetwork::params().num_module(1).num_place(5);
        let mut net = p.build().unwrap();
        net.anchor([0.0, 0.0], 200, 0.0).unwrap();
        let (c0, _) = net.band_phase(0, 0).unwrap();
        // Band 0 (angle 0) has k along -y: moving along -y advances its phase.
        for _ in 0..200 {
            net.update([0.0, -0.03], [0.0, 0.0], 0.0).unwrap();
        }
        let (c1, ideal) = net.band_phase(0, 0).unwrap();
        let moved = wrap(c1 - c0);
        assert!(
            moved > 0.0 && (moved - ideal).abs() < 0.1,
            "{moved} vs {ideal}"
        );
        assert_eq!(net.speed_violations(), 0);
    }

    #[test]
    fn bad_values_are_errors() {
        let p = HierarchicalNetwork::params;
        for (q, f) in [
            (p().num_module(0), "`num_module`"),
            (p().num_place(1), "`num_place`"),
            (p().spacing_max(1.0), "`spacing_max`"),
            (p().dt(0.5), "`dt`"),
            (p().band_size(2), "`band_size`"),
        ] {
            let e = q.build().unwrap_err().to_string();
            assert!(e.contains(f) && e.contains("got"), "{e} should name {f}");
        }
        let mut net = p().num_module(1).num_place(4).build().unwrap();
        assert!(net.update([f64::NAN, 0.0], [0.0; 2], 0.0).is_err());
        assert!(net.grid_rates(1).is_err());
        assert!(net.band_rates(0, 3).is_err());
        let q = p().num_module(3).speed_limit(SpeedLimit::Error);
        assert_eq!(
            HierarchicalNetworkParams::from_json(&q.to_json()).unwrap(),
            q
        );
    }
}
