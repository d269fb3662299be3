//! The Wu-Amari rate dynamics shared by the ring and torus CANNs, with (documented in the parent module)

use super::kernel::CircularConv;
use crate::error::{Error, ParamError, Result};
use crate::random::SeededRng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// Time-stepping scheme.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // One step of dt = 0.5 tau from rest under a uniform input of 1: forward
/// // Euler moves u by dt/tau, exponential Euler by 1 - exp(-dt/tau).
/// let u_after = |integrator| -> canns::Result<f64> {
///     let mut net = Cann1d::params().num(16).integrator(integrator).build()?;
///     net.step(0.5, &[1.0; 16])?;
///     Ok(net.u()[0])
/// };
/// assert!((u_after(Integrator::Euler)? - 0.5).abs() < 1e-12);
/// assert!((u_after(Integrator::Exponential)? - (1.0 - (-0.5f64).exp())).abs() < 1e-12);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Integrator {
    /// Forward Euler, as the Python `canns` CANN1D/CANN2D models step
    /// (`u += dt/tau * (...)`, then `v` from the updated `u`). Default.
    #[default]
    Euler,
    /// Exponential Euler on (u, v): the leak is integrated exactly with the
    /// drive held constant over the step (what `canns`'s theta-sweep and grid
    /// models use); stable for any `dt`.
    Exponential,
}

impl std::str::FromStr for Integrator {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "euler" => Ok(Self::Euler),
            "exponential" => Ok(Self::Exponential),
            _ => Err(format!(
                "unknown integrator {s:?} (expected euler or exponential)"
            )),
        }
    }
}

/// Which synaptic input drives the adaptation update.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::models::CannOptions;
/// // From rest, one step under a uniform input: `NewU` drives `v` with the
/// // updated `u` (already > 0), `OldU` with the starting `u` (0).
/// let v_after = |drive| -> canns::Result<f64> {
///     let opts = CannOptions::default().adaptation_drive(drive);
///     let mut net = Cann1dParams::sfa().num(16).build_with(&opts)?;
///     net.step(0.1, &[1.0; 16])?;
///     Ok(net.v().expect("m > 0 gives adaptation")[0])
/// };
/// assert!(v_after(AdaptationDrive::NewU)? > 0.0);
/// assert_eq!(v_after(AdaptationDrive::OldU)?, 0.0);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdaptationDrive {
    /// `v` follows the updated `u` of the same step (`canns`'s CANN1D_SFA,
    /// Ji et al.'s 2-D model). Default.
    #[default]
    NewU,
    /// `v` follows the start-of-step `u`: both right-hand sides use the old
    /// state (plain forward Euler; Ji et al.'s 1-D model).
    OldU,
}

impl std::str::FromStr for AdaptationDrive {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "new_u" => Ok(Self::NewU),
            "old_u" => Ok(Self::OldU),
            _ => Err(format!(
                "unknown adaptation drive {s:?} (expected new_u or old_u)"
            )),
        }
    }
}

/// Options of the Wu-Amari step beyond `canns`'s CANN1D/CANN2D, for the
/// adaptive replay models of Ji et al. (2026). The defaults keep `canns`'s
/// step. Set them with `Cann1dParams::build_with` or `Cann1d::with_options`
/// (and the same on the torus).
///
/// # Examples
/// ```
/// use canns::prelude::*;
/// use canns::models::CannOptions;
/// let opts = CannOptions::default().rectify(true).adaptation_drive(AdaptationDrive::OldU);
/// let mut net = Cann1d::params().num(64).build_with(&opts)?;
/// net.step(0.1, &vec![-1.0; 64])?;
/// assert!(net.u().iter().all(|&u| u == 0.0)); // rectified
/// assert!(CannOptions::default().noise_v(-1.0).validate().is_err());
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CannOptions {
    /// Rectify `u` after every step, `u <- max(u, 0)`, as the 1-D model of
    /// Ji et al. (2026, `cann.py`) does. Default false (as `canns`).
    pub rectify: bool,
    /// Which `u` drives the adaptation update: the updated one (default, as
    /// `canns` and Ji et al.'s 2-D model) or the start-of-step one (Ji et
    /// al.'s 1-D model).
    pub adaptation_drive: AdaptationDrive,
    /// Multiplicative noise on the adaptation, `sigma_m` (Dong et al. 2021;
    /// Ji et al. 2026): `v <- v + sigma_m * u* * sqrt(dt / tau_v) * xi'` per
    /// step, with `u*` the `u` that drives `v` and `xi'` standard normal
    /// (seeded by the network's `seed`). Default 0.
    pub noise_v: f64,
}

impl Default for CannOptions {
    fn default() -> Self {
        Self {
            rectify: false,
            adaptation_drive: AdaptationDrive::NewU,
            noise_v: 0.0,
        }
    }
}

impl CannOptions {
    crate::params::setters! {
        /// Sets `rectify`.
        rectify: bool,
        /// Sets `adaptation_drive`.
        adaptation_drive: AdaptationDrive,
        /// Sets `noise_v` (sigma_m).
        noise_v: f64,
    }

    pub(crate) fn rows(&self, t: crate::display::KeyValues) -> crate::display::KeyValues {
        t.row("rectify", self.rectify, "u <- max(u, 0) each step")
            .row(
                "adaptation_drive",
                format!("{:?}", self.adaptation_drive),
                "the u that drives v",
            )
            .row(
                "noise_v",
                self.noise_v,
                "multiplicative noise on v (sigma_m)",
            )
    }
}

impl crate::params::Params for CannOptions {
    const NAME: &'static str = "CannOptions";

    fn validate(&self) -> Result<()> {
        crate::params::check::non_negative("noise_v", self.noise_v)?;
        Ok(())
    }
}

impl crate::display::Render for CannOptions {
    fn bundle(&self) -> crate::display::Bundle {
        crate::display::Bundle::html(
            self.rows(crate::display::KeyValues::new("CannOptions"))
                .to_html(),
            format!("{self:?}"),
        )
    }
}

crate::display::evcxr_display_via_render!(CannOptions);

/// Constants of the dynamics (validated by the model's `build`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Constants {
    pub tau: f64,
    pub k: f64,
    pub tau_v: f64,
    pub m: f64,
    pub noise: f64,
    pub seed: u64,
    pub integrator: Integrator,
    pub rectify: bool,
    pub drive: AdaptationDrive,
    pub noise_v: f64,
}

/// State and stepping of a CANN on a periodic lattice.
#[derive(Debug, Clone)]
pub(crate) struct Dynamics {
    pub c: Constants,
    pub conv: CircularConv,
    pub u: Vec<f64>,
    pub v: Vec<f64>,
    pub r: Vec<f64>,
    pub rec: Vec<f64>,
    pub t: f64,
    pub steps: usize,
    rng: SeededRng,
}

impl Dynamics {
    pub fn new(c: Constants, conv: CircularConv, n: usize) -> Self {
        Self {
            rng: crate::random::seeded(c.seed),
            c,
            conv,
            u: vec![0.0; n],
            v: vec![0.0; n],
            r: vec![0.0; n],
            rec: vec![0.0; n],
            t: 0.0,
            steps: 0,
        }
    }

    pub fn reset(&mut self) {
        self.u.iter_mut().for_each(|x| *x = 0.0);
        self.v.iter_mut().for_each(|x| *x = 0.0);
        self.r.iter_mut().for_each(|x| *x = 0.0);
        self.t = 0.0;
        self.steps = 0;
        self.rng = crate::random::seeded(self.c.seed);
    }

    /// Firing rates from the current `u` (divisive normalisation). Returns
    /// `sum u^2`, which is finite exactly when every `u` is.
    pub fn rates(&mut self) -> f64 {
        let s: f64 = self.u.iter().map(|x| x * x).sum();
        let inv = 1.0 / (1.0 + self.c.k * s);
        for (r, u) in self.r.iter_mut().zip(&self.u) {
            *r = u * u * inv;
        }
        s
    }

    pub fn step(&mut self, dt: f64, input: &[f64]) -> Result<()> {
        if !(dt.is_finite() && dt > 0.0) {
            return Err(ParamError::new("dt", "finite and > 0", dt).into());
        }
        if input.len() != self.u.len() {
            return Err(Error::shape("external input", self.u.len(), input.len()));
        }
        // `r` is kept consistent with `u` (after every step, reset and set_u).
        self.conv.apply(&self.r, &mut self.rec);
        let Constants {
            tau,
            tau_v,
            m,
            noise,
            integrator,
            rectify,
            drive,
            noise_v,
            ..
        } = self.c;
        let adapt = m != 0.0 || noise_v != 0.0;
        let exp = integrator == Integrator::Exponential;
        // Forward Euler moves a fraction dt/tau of the way to the drive;
        // exponential Euler keeps the fraction exp(-dt/tau) of the distance.
        let (fu, fv) = if exp {
            ((-dt / tau).exp(), (-dt / tau_v).exp())
        } else {
            (dt / tau, dt / tau_v)
        };
        let su = noise * dt.sqrt();
        let sv = noise_v * (dt / tau_v).sqrt();
        let old = drive == AdaptationDrive::OldU;
        for (((u, rec), inp), v) in self
            .u
            .iter_mut()
            .zip(&self.rec)
            .zip(input)
            .zip(self.v.iter_mut())
        {
            let (u0, v0) = (*u, *v);
            let mut un = if exp {
                let d = rec + inp - v0;
                d + (u0 - d) * fu
            } else {
                u0 + fu * (rec + inp - v0 - u0)
            };
            if noise > 0.0 {
                let xi: f64 = StandardNormal.sample(&mut self.rng);
                un += su * xi;
            }
            // Not `f64::max`, which would turn a NaN into 0 and hide a
            // divergence from the check below.
            if rectify && un < 0.0 {
                un = 0.0;
            }
            if adapt {
                let ud = if old { u0 } else { un };
                let mut vn = if exp {
                    m * ud + (v0 - m * ud) * fv
                } else {
                    v0 + fv * (m * ud - v0)
                };
                if noise_v > 0.0 {
                    let xi: f64 = StandardNormal.sample(&mut self.rng);
                    vn += sv * ud * xi;
                }
                *v = vn;
            }
            *u = un;
        }
        self.steps += 1;
        self.t += dt;
        if let Some(i) = self.u.iter().position(|x| !x.is_finite()) {
            return Err(Error::Diverged {
                step: self.steps,
                t: self.t,
                what: format!("u[{i}]"),
            });
        }
        // Keep r consistent with the state the caller sees.
        self.rates();
        Ok(())
    }
}

/// Coefficients of one exponential-Euler step of the adaptation pair (u, v)
/// used by the theta-sweep networks: `fu = 1 - exp(-dt/tau)`,
/// `fv = 1 - exp(-dt/tau_v)`, adaptation strength `m`, rate gain `g` and
/// divisive inhibition `k`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AdaptiveStep {
    pub fu: f64,
    pub fv: f64,
    pub m: f64,
    pub g: f64,
    pub k: f64,
}

impl AdaptiveStep {
    /// The coefficients for a step of `dt` (same unit as `tau`, `tau_v`).
    pub fn new(dt: f64, tau: f64, tau_v: f64, m: f64, g: f64, k: f64) -> Self {
        Self {
            fu: -(-dt / tau).exp_m1(),
            fv: -(-dt / tau_v).exp_m1(),
            m,
            g,
            k,
        }
    }

    /// One step, in place: with start-of-step values on both right-hand sides
    ///
    /// ```text
    /// u <- max(u + fu (-u + I - v), 0)
    /// v <- v + fv (-v + m u)
    /// r <- g u^2 / (1 + k sum u^2)
    /// ```
    ///
    /// which is `brainpy`'s `exp_euler` on the joint (u, v) system the Python
    /// `canns` theta-sweep networks integrate. `input` is the total input
    /// current `I`. Returns `sum u^2` after the step (finite exactly when
    /// every `u` is).
    pub fn apply(&self, u: &mut [f64], v: &mut [f64], r: &mut [f64], input: &[f64]) -> f64 {
        let Self { fu, fv, m, g, k } = *self;
        let step = |u: &mut f64, v: &mut f64, i: f64| -> f64 {
            let (u0, v0) = (*u, *v);
            let un = u0 + fu * (i - u0 - v0);
            // Rectify without `f64::max`, which would turn a NaN into 0 and
            // hide a divergence from the caller's check of the returned sum.
            let un = if un < 0.0 { 0.0 } else { un };
            *v = v0 + fv * (m * u0 - v0);
            *u = un;
            un * un
        };
        // `sum u^2` in `L` partial sums, so the loop vectorises.
        const L: usize = 4;
        let n = u.len().min(v.len()).min(input.len());
        let (u, v, input) = (&mut u[..n], &mut v[..n], &input[..n]);
        let mut acc = [0.0; L];
        for ((uc, vc), ic) in u
            .chunks_exact_mut(L)
            .zip(v.chunks_exact_mut(L))
            .zip(input.chunks_exact(L))
        {
            for j in 0..L {
                acc[j] += step(&mut uc[j], &mut vc[j], ic[j]);
            }
        }
        let tail = n - n % L;
        for j in tail..n {
            acc[0] += step(&mut u[j], &mut v[j], input[j]);
        }
        let s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
        let scale = g / (1.0 + k * s);
        for (r, u) in r.iter_mut().zip(u.iter()) {
            *r = scale * u * u;
        }
        s
    }
}
