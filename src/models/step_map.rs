#[cfg(test)]
use super::dynamics::CannOptions;
use super::dynamics::{AdaptationDrive, Constants, Integrator};
use super::kernel::CircularConv;

/// Networks as discrete-time maps `x -> F(x, u)`, for the fixed-point
/// analysis of [`crate::analysis::FixedPointFinder`] (Sussillo & Barak 2013).
///
/// [`StepMap`] is the whole contract: a state dimension, one deterministic
/// step, and (optionally) its vector-Jacobian product. The input `u` is part
/// of the map (held fixed while fixed points are sought). The crate's CANNs
/// give theirs with [`crate::models::Cann1d::step_map`] and
/// [`crate::models::Cann2d::step_map`]; a notebook can implement the trait
/// for its own model, or wrap a closure with [`FnMap`].
///
/// ## References
/// - Sussillo & Barak (2013), Opening the black box: low-dimensional
///   dynamics in high-dimensional recurrent neural networks, Neural
///   Computation 25(3):626-649.
///
/// A deterministic discrete-time map `x -> F(x)` (the input is part of the
/// map). Methods take `&mut self` so implementations may keep scratch
/// buffers.
///
/// # Examples
/// ```
/// use canns::models::{FnMap, StepMap};
/// let mut m = FnMap::new(2, |x: &[f64], out: &mut [f64]| {
///     out[0] = 0.5 * x[0];
///     out[1] = x[0] + x[1];
/// });
/// let mut out = [0.0; 2];
/// m.vjp(&[1.0, 2.0], &[1.0, 1.0], &mut out); // J^T w with J = [[0.5, 0], [1, 1]]
/// assert!((out[0] - 1.5).abs() < 1e-6 && (out[1] - 1.0).abs() < 1e-6);
/// ```
pub trait StepMap {
    /// Dimension of the state `x`.
    fn dim(&self) -> usize;
    /// Writes `F(x)` into `out` (both of length [`StepMap::dim`]).
    fn apply(&mut self, x: &[f64], out: &mut [f64]);
    /// Writes `J(x)^T w` into `out`, with `J = dF/dx`. The default uses
    /// central finite differences (`2 dim` evaluations of `F`); models
    /// override it with the analytic product.
    fn vjp(&mut self, x: &[f64], w: &[f64], out: &mut [f64]) {
        let n = self.dim();
        let mut xp = x.to_vec();
        let (mut fp, mut fm) = (vec![0.0; n], vec![0.0; n]);
        for j in 0..n {
            let h = 1e-6 * x[j].abs().max(1.0);
            xp[j] = x[j] + h;
            self.apply(&xp, &mut fp);
            xp[j] = x[j] - h;
            self.apply(&xp, &mut fm);
            xp[j] = x[j];
            out[j] = fp
                .iter()
                .zip(&fm)
                .zip(w)
                .map(|((a, b), w)| w * (a - b))
                .sum::<f64>()
                / (2.0 * h);
        }
    }
    /// The Jacobian `dF/dx` at `x`, row-major (`J[i * dim + j] = dF_i/dx_j`),
    /// from [`StepMap::vjp`] with unit vectors.
    fn jacobian(&mut self, x: &[f64]) -> Vec<f64> {
        let n = self.dim();
        let mut jac = vec![0.0; n * n];
        let mut e = vec![0.0; n];
        let mut row = vec![0.0; n];
        for i in 0..n {
            e[i] = 1.0;
            self.vjp(x, &e, &mut row);
            jac[i * n..(i + 1) * n].copy_from_slice(&row);
            e[i] = 0.0;
        }
        jac
    }
}

/// A [`StepMap`] from a closure `f(x, out)`, with finite-difference
/// Jacobians.
///
/// # Example
/// ```
/// use canns::models::{FnMap, StepMap};
/// // A linear map x -> A x; its finite-difference Jacobian recovers A.
/// let mut m = FnMap::new(2, |x: &[f64], out: &mut [f64]| {
///     out[0] = 0.9 * x[0] + 0.1 * x[1];
///     out[1] = -0.2 * x[0];
/// });
/// let jac = m.jacobian(&[0.3, -0.7]);
/// for (j, a) in jac.iter().zip([0.9, 0.1, -0.2, 0.0]) {
///     assert!((j - a).abs() < 1e-6, "{jac:?}");
/// }
/// assert_eq!(format!("{m:?}"), "FnMap(dim 2)");
/// ```
pub struct FnMap<F> {
    dim: usize,
    f: F,
}

impl<F: FnMut(&[f64], &mut [f64])> FnMap<F> {
    /// The map `f` on states of dimension `dim`.
    pub fn new(dim: usize, f: F) -> Self {
        Self { dim, f }
    }
}

impl<F> std::fmt::Debug for FnMap<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FnMap(dim {})", self.dim)
    }
}

impl<F: FnMut(&[f64], &mut [f64])> StepMap for FnMap<F> {
    fn dim(&self) -> usize {
        self.dim
    }
    fn apply(&mut self, x: &[f64], out: &mut [f64]) {
        (self.f)(x, out)
    }
}

/// One noise-free step of a Wu-Amari CANN (ring or torus) as a map, with
/// its analytic vector-Jacobian product. The state is `u` (`n` values) when
/// the network has no adaptation, `[u, v]` (`2 n` values) otherwise.
///
/// ```text
/// r = u^2 / (1 + k sum u^2)
/// h = u + a (-u + W r + I - v)          (a = dt/tau; 1 - exp(-dt/tau) for exponential Euler)
/// u' = max(h, 0) if rectified, else h
/// v' = v + b (-v + m u*)                (u* = u' or u, as the network's adaptation drive)
/// ```
///
/// # Examples
/// ```
/// use canns::prelude::*;
/// use canns::models::StepMap;
/// let net = Cann1d::params().num(32).m(0.1).build()?;
/// let mut map = net.step_map(0.1, None)?;
/// assert_eq!(map.dim(), 64); // [u, v]
/// let mut out = vec![1.0; 64];
/// map.apply(&vec![0.0; 64], &mut out);
/// assert!(out.iter().all(|&x| x == 0.0)); // rest is a fixed point
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CannMap {
    conv: CircularConv,
    c: Constants,
    a: f64,
    b: f64,
    input: Vec<f64>,
    n: usize,
    adapt: bool,
    // scratch
    r: Vec<f64>,
    rec: Vec<f64>,
    y: Vec<f64>,
}

impl CannMap {
    pub(crate) fn new(conv: CircularConv, c: Constants, dt: f64, input: Vec<f64>) -> Self {
        let (a, b) = match c.integrator {
            Integrator::Euler => (dt / c.tau, dt / c.tau_v),
            Integrator::Exponential => (-(-dt / c.tau).exp_m1(), -(-dt / c.tau_v).exp_m1()),
        };
        let n = input.len();
        Self {
            conv,
            c,
            a,
            b,
            adapt: c.m != 0.0,
            input,
            n,
            r: vec![0.0; n],
            rec: vec![0.0; n],
            y: vec![0.0; n],
        }
    }

    /// Number of neurons.
    pub fn n_neurons(&self) -> usize {
        self.n
    }

    /// Whether the state holds the adaptation `v` after `u`.
    pub fn has_adaptation(&self) -> bool {
        self.adapt
    }

    /// Rates of `u` into `self.r`; returns `1 / (1 + k sum u^2)`.
    fn rates(&mut self, u: &[f64]) -> f64 {
        let s: f64 = u.iter().map(|x| x * x).sum();
        let inv = 1.0 / (1.0 + self.c.k * s);
        for (r, u) in self.r.iter_mut().zip(u) {
            *r = u * u * inv;
        }
        inv
    }
}

impl StepMap for CannMap {
    fn dim(&self) -> usize {
        if self.adapt {
            2 * self.n
        } else {
            self.n
        }
    }

    fn apply(&mut self, x: &[f64], out: &mut [f64]) {
        let n = self.n;
        let (u, rest) = x.split_at(n);
        self.rates(u);
        self.conv.apply(&self.r, &mut self.rec);
        let (a, b, m) = (self.a, self.b, self.c.m);
        for i in 0..n {
            let v = if self.adapt { rest[i] } else { 0.0 };
            let mut h = u[i] + a * (self.rec[i] + self.input[i] - v - u[i]);
            if self.c.rectify && h < 0.0 {
                h = 0.0;
            }
            out[i] = h;
            if self.adapt {
                let ud = match self.c.drive {
                    AdaptationDrive::NewU => h,
                    AdaptationDrive::OldU => u[i],
                };
                out[n + i] = v + b * (m * ud - v);
            }
        }
    }

    fn vjp(&mut self, x: &[f64], w: &[f64], out: &mut [f64]) {
        let n = self.n;
        let (u, _) = x.split_at(n);
        let inv = self.rates(u);
        self.conv.apply(&self.r, &mut self.rec);
        let (a, b, m) = (self.a, self.b, self.c.m);
        let new_u = self.c.drive == AdaptationDrive::NewU;
        // y = R w_h: the weight on the pre-rectification update h, zero where
        // the rectifier clipped it.
        for i in 0..n {
            let v = if self.adapt { x[n + i] } else { 0.0 };
            let h = u[i] + a * (self.rec[i] + self.input[i] - v - u[i]);
            let mut wh = w[i];
            if self.adapt && new_u {
                wh += b * m * w[n + i];
            }
            self.y[i] = if self.c.rectify && h < 0.0 { 0.0 } else { wh };
        }
        // W is symmetric (it depends on the periodic distance only): W^T y = W y.
        self.conv.apply(&self.y, &mut self.rec);
        // D^T z with D = dr/du: 2 u_j z_j inv - 2 k inv^2 u_j sum_i u_i^2 z_i.
        let s: f64 = u.iter().zip(&self.rec).map(|(u, z)| u * u * z).sum();
        let k = self.c.k;
        for j in 0..n {
            let dz = 2.0 * u[j] * self.rec[j] * inv - 2.0 * k * inv * inv * u[j] * s;
            out[j] = (1.0 - a) * self.y[j] + a * dz;
            if self.adapt {
                if !new_u {
                    out[j] += b * m * w[n + j];
                }
                out[n + j] = -a * self.y[j] + (1.0 - b) * w[n + j];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{Cann1d, Model};

    /// The analytic product against finite differences, for every option.
    #[test]
    fn analytic_vjp_matches_finite_differences() {
        for (m, rectify, drive, integ) in [
            (0.0, false, AdaptationDrive::NewU, Integrator::Euler),
            (0.5, true, AdaptationDrive::OldU, Integrator::Euler),
            (0.5, false, AdaptationDrive::NewU, Integrator::Exponential),
            (1.5, true, AdaptationDrive::NewU, Integrator::Euler),
        ] {
            let mut net = Cann1d::params()
                .num(32)
                .tau_v(5.0)
                .m_bar(m)
                .integrator(integ)
                .build_with(
                    &CannOptions::default()
                        .rectify(rectify)
                        .adaptation_drive(drive),
                )
                .unwrap();
            let input: Vec<f64> = (0..32).map(|i| (i as f64 * 0.3).sin()).collect();
            for _ in 0..30 {
                net.step(0.1, &input).unwrap();
            }
            let mut map = net.step_map(0.1, Some(&input)).unwrap();
            let d = map.dim();
            let mut x: Vec<f64> = net.u().to_vec();
            if map.has_adaptation() {
                x.extend(net.v().unwrap());
            }
            // Move off the kinks of the rectifier.
            for (i, xi) in x.iter_mut().enumerate() {
                *xi += 0.01 * ((i * 7 % 11) as f64 - 5.0) / 5.0;
            }
            let w: Vec<f64> = (0..d).map(|i| ((i * 5 % 13) as f64 - 6.0) / 6.0).collect();
            let mut exact = vec![0.0; d];
            map.vjp(&x, &w, &mut exact);
            let mut fd = FnMap::new(d, |x: &[f64], out: &mut [f64]| map.clone().apply(x, out));
            let mut approx = vec![0.0; d];
            fd.vjp(&x, &w, &mut approx);
            for j in 0..d {
                assert!(
                    (exact[j] - approx[j]).abs() < 1e-6 * (1.0 + exact[j].abs()),
                    "m {m} rectify {rectify} {drive:?}: {j}: {} vs {}",
                    exact[j],
                    approx[j]
                );
            }
        }
    }
}
