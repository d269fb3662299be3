//! The Wu-Amari rate dynamics shared by the ring and torus CANNs, with
//! optional spike-frequency adaptation and additive noise.
//!
//! ```text
//! r_i      = u_i^2 / (1 + k * sum_j u_j^2)                 (divisive normalisation)
//! tau du/dt   = -u + W * r + I_ext - v  [+ noise]
//! tau_v dv/dt = -v + m u                                   (adaptation; m = 0 disables it)
//! ```
//!
//! # References
//! - Wu, Hamaguchi & Amari (2008), Dynamics and computation of continuous
//!   attractors, Neural Computation 20(4):994-1025.
//! - Mi, Fung, Wong & Wu (2014), Spike frequency adaptation implements
//!   anticipative tracking in continuous attractor neural networks, NeurIPS 27.

use super::kernel::CircularConv;
use crate::error::{Error, ParamError, Result};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// Time-stepping scheme.
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
    rng: StdRng,
}

impl Dynamics {
    pub fn new(c: Constants, conv: CircularConv, n: usize) -> Self {
        Self {
            rng: StdRng::seed_from_u64(c.seed),
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
        self.rng = StdRng::seed_from_u64(self.c.seed);
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
            ..
        } = self.c;
        let adapt = m != 0.0;
        match integrator {
            Integrator::Euler => {
                let a = dt / tau;
                for (((u, rec), inp), v) in self.u.iter_mut().zip(&self.rec).zip(input).zip(&self.v)
                {
                    *u += a * (rec + inp - v - *u);
                }
                if adapt {
                    let b = dt / tau_v;
                    for (v, u) in self.v.iter_mut().zip(&self.u) {
                        *v += b * (m * u - *v);
                    }
                }
            }
            Integrator::Exponential => {
                let e = (-dt / tau).exp();
                for (((u, rec), inp), v) in self.u.iter_mut().zip(&self.rec).zip(input).zip(&self.v)
                {
                    let drive = rec + inp - v;
                    *u = drive + (*u - drive) * e;
                }
                if adapt {
                    let ev = (-dt / tau_v).exp();
                    for (v, u) in self.v.iter_mut().zip(&self.u) {
                        *v = m * u + (*v - m * u) * ev;
                    }
                }
            }
        }
        if noise > 0.0 {
            let s = noise * dt.sqrt();
            for u in self.u.iter_mut() {
                let xi: f64 = StandardNormal.sample(&mut self.rng);
                *u += s * xi;
            }
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
        let mut s = 0.0;
        for ((u, v), i) in u.iter_mut().zip(v.iter_mut()).zip(input) {
            let (u0, v0) = (*u, *v);
            let un = u0 + fu * (i - u0 - v0);
            // Rectify without `f64::max`, which would turn a NaN into 0 and
            // hide a divergence from the caller's check of the returned sum.
            let un = if un < 0.0 { 0.0 } else { un };
            *v = v0 + fv * (m * u0 - v0);
            *u = un;
            s += un * un;
        }
        let scale = g / (1.0 + k * s);
        for (r, u) in r.iter_mut().zip(u.iter()) {
            *r = scale * u * u;
        }
        s
    }
}
