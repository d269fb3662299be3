use super::cann1d::ring_gaussian;
use super::cann_params::cann_params;
use super::dynamics::{CannOptions, Dynamics, Integrator};
use super::kernel::{CircularConv, Recurrence};
use super::step_map::CannMap;
use super::{FeatureMap, Model};
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{Error, Result};
use crate::params::{check, Params};
use crate::space::{angle_diff, ring_positions, TWO_PI};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

cann_params!(
    Cann2dParams,
    Cann2d,
    length,
    "Neurons per side N (N x N in all). Default 100.",
    100,
    "neurons per side of the torus",
    "The adaptation network with `canns`'s `CANN2D_SFA` defaults (`a = 0.3`, `A = 0.2`, `J0 = 1`, `m = 0.3`, `tau_v = 50`)."
);

/// `Cann2d`: a continuous attractor network of N x N neurons on a torus.
///
/// The same Wu-Amari dynamics as [`crate::models::Cann1d`] (see
/// the [`models`](crate::models) docs) with the 2D periodic Gaussian kernel
///
/// ```text
/// W(x, x') = J0 / (sqrt(2 pi) a) * exp(-|d(x, x')|^2 / (2 a^2))
/// ```
///
/// where `d` is the wrapped difference vector on the torus (-pi, pi]^2, as the
/// Python `canns` package's `CANN2D` defines it (same normalisation), and the
/// stimulus `A * exp(-|d(x, z)|^2 / (4 a^2))`. Neuron `(row i, column j)` (flat
/// index `i * N + j`) prefers the feature `(x_j, x_i)`: the first feature
/// coordinate runs along columns, the second along rows.
///
/// The recurrent term is computed by a 2D real FFT: O(N^2 log N) time and
/// O(N^2) memory per step, where `canns` stores a dense N^2 x N^2 matrix.
///
/// ## Examples
/// ```
/// use canns::prelude::*;
/// let mut net = Cann2d::params().length(32).build()?;
/// let mut input = vec![0.0; net.n_neurons()];
/// net.stimulus(&[0.5, -1.0], &mut input);
/// for _ in 0..200 { net.step(0.1, &input)?; }
/// let c = canns::analysis::centre_2d(net.r(), 32).unwrap();
/// assert!((c[0] - 0.5).abs() < 0.1 && (c[1] + 1.0).abs() < 0.1);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Wu, Hamaguchi & Amari (2008), Neural Computation 20(4):994-1025.
/// - Mi, Fung, Wong & Wu (2014), NeurIPS 27 (adaptation).
///
/// # Example
/// ```
/// use canns::prelude::*;
/// let mut net = Cann2d::params().length(16).build()?;
/// assert_eq!((net.axis().len(), net.n_neurons()), (16, 256));
/// let input = net.stimulus_at(&[1.0, -0.5])?;
/// for _ in 0..200 {
///     net.step(0.1, &input)?;
/// }
/// // The bump sits on the stimulus (first coordinate along columns).
/// let c = centre_2d(net.r(), 16).unwrap();
/// assert!((c[0] - 1.0).abs() < 0.2 && (c[1] + 0.5).abs() < 0.2, "{c:?}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct Cann2d {
    params: Cann2dParams,
    x: Vec<f64>,
    options: CannOptions,
    dyn_: Dynamics,
}

impl Cann2d {
    /// Default parameters, to adjust and [`Cann2dParams::build`].
    pub fn params() -> Cann2dParams {
        Cann2dParams::default()
    }

    /// Builds the network from validated parameters.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn new(params: Cann2dParams) -> Result<Self> {
        params.validate()?;
        let n = params.length;
        let x = ring_positions(n);
        let dx = TWO_PI / n as f64;
        let norm = params.j0 / ((2.0 * PI).sqrt() * params.a);
        let g: Vec<f64> = (0..n)
            .map(|i| {
                let d = angle_diff(i as f64 * dx, 0.0);
                (-0.5 * (d / params.a).powi(2)).exp()
            })
            .collect();
        let mut kernel = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                kernel[i * n + j] = norm * g[i] * g[j];
            }
        }
        let conv = CircularConv::new(n, n, kernel, params.recurrence);
        let options = CannOptions::default();
        let c = params.constants(&options);
        Ok(Self {
            options,
            dyn_: Dynamics::new(c, conv, n * n),
            x,
            params,
        })
    }

    /// This network's noise-free step of `dt` under the constant input
    /// `input` (none: zero) as a map `x -> F(x)` for the fixed-point finder
    /// ([`crate::analysis::FixedPointFinder`]); the state is `u`, or `[u, v]`
    /// with adaptation. See [`CannMap`].
    ///
    /// # Errors
    /// [`Error::Param`] when `dt` is not finite and positive,
    /// [`Error::Shape`] when `input` does not have one value per neuron.
    pub fn step_map(&self, dt: f64, input: Option<&[f64]>) -> Result<CannMap> {
        check::positive("dt", dt)?;
        let n = self.n_neurons();
        let input = match input {
            Some(i) if i.len() != n => return Err(Error::shape("step map input", n, i.len())),
            Some(i) => i.to_vec(),
            None => vec![0.0; n],
        };
        Ok(CannMap::new(self.dyn_.conv.clone(), self.dyn_.c, dt, input))
    }

    /// Replaces the dynamics options (rectification, order of the adaptation
    /// update, noise on `v`); the state is kept.
    ///
    /// # Errors
    /// [`Error::Param`] naming an invalid option.
    pub fn with_options(mut self, options: CannOptions) -> Result<Self> {
        options.validate()?;
        self.dyn_.c = self.params.constants(&options);
        self.options = options;
        Ok(self)
    }

    /// The dynamics options.
    pub fn options(&self) -> &CannOptions {
        &self.options
    }

    /// The parameters this network was built with.
    pub fn parameters(&self) -> &Cann2dParams {
        &self.params
    }

    /// Preferred angle along each axis (the same for both axes).
    pub fn axis(&self) -> &[f64] {
        &self.x
    }

    /// Sets the synaptic input `u` (flat, row-major).
    ///
    /// # Errors
    /// [`Error::Shape`] if `u` does not have N^2 values, [`Error::Invalid`] if any is not finite.
    pub fn set_u(&mut self, u: &[f64]) -> Result<()> {
        if u.len() != self.dyn_.u.len() {
            return Err(Error::shape("u", self.dyn_.u.len(), u.len()));
        }
        if let Some(i) = u.iter().position(|v| !v.is_finite()) {
            return Err(Error::Invalid(format!(
                "u[{i}] must be finite (got {})",
                u[i]
            )));
        }
        self.dyn_.u.copy_from_slice(u);
        self.dyn_.rates();
        Ok(())
    }

    /// Heatmap of the firing rate over the torus.
    pub fn plot_state(&self) -> Figure {
        let n = self.params.length;
        let z: Vec<Vec<f64>> = (0..n)
            .map(|i| self.dyn_.r[i * n..(i + 1) * n].to_vec())
            .collect();
        let mut p = display::heatmap(
            &format!("Cann2d firing rate at t = {:.1}", self.dyn_.t),
            "x1 (rad)",
            "x2 (rad)",
            self.x.clone(),
            self.x.clone(),
            z,
        );
        let layout = p.layout().clone().width(display::plot_height() + 80);
        p.set_layout(layout);
        p
    }
}

impl Model for Cann2d {
    fn name(&self) -> &'static str {
        "cann2d"
    }
    fn shape(&self) -> Vec<usize> {
        vec![self.params.length, self.params.length]
    }
    fn n_neurons(&self) -> usize {
        self.params.length * self.params.length
    }
    fn step(&mut self, dt: f64, input: &[f64]) -> Result<()> {
        self.dyn_.step(dt, input)
    }
    fn reset(&mut self) {
        self.dyn_.reset();
    }
    fn u(&self) -> &[f64] {
        &self.dyn_.u
    }
    fn r(&self) -> &[f64] {
        &self.dyn_.r
    }
    fn v(&self) -> Option<&[f64]> {
        (self.params.m > 0.0).then_some(&self.dyn_.v[..])
    }
    fn time(&self) -> f64 {
        self.dyn_.t
    }
}

impl FeatureMap for Cann2d {
    fn feature_dim(&self) -> usize {
        2
    }
    fn write_preferred(&self, i: usize, out: &mut [f64]) {
        let n = self.params.length;
        out[0] = self.x[i % n];
        out[1] = self.x[i / n];
    }
    fn write_stimulus(&self, pos: &[f64], out: &mut [f64]) {
        let n = self.params.length;
        let c = 4.0 * self.params.a * self.params.a;
        // The 2D Gaussian is separable: one ring profile per axis.
        let (mut gx, mut gy) = (vec![0.0; n], vec![0.0; n]);
        ring_gaussian(pos[0], self.params.amplitude, c, &mut gx);
        ring_gaussian(pos[1], 1.0, c, &mut gy);
        for i in 0..n {
            let row = &mut out[i * n..(i + 1) * n];
            for (o, x) in row.iter_mut().zip(gx.iter()) {
                *o = gy[i] * x;
            }
        }
    }
    fn stimulus_amplitude(&self) -> f64 {
        self.params.amplitude
    }
}

crate::display::debug_via_display!(Cann2d);

impl std::fmt::Display for Cann2d {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = &self.params;
        write!(
            f,
            "Cann2d({}x{}, tau={}, k={}, a={}, A={}, J0={}, m={}, t={:.1})",
            p.length, p.length, p.tau, p.k, p.a, p.amplitude, p.j0, p.m, self.dyn_.t
        )
    }
}

impl Render for Cann2d {
    fn bundle(&self) -> Bundle {
        let table = self
            .options
            .rows(self.params.table())
            .row("t", format!("{:.2}", self.dyn_.t), "time since reset")
            .to_html();
        Bundle::figure(&self.plot_state(), &table, self.to_string())
    }
}

display::evcxr_display_via_render!(Cann2dParams, Cann2d);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stimulus_matches_canns_formula() {
        let net = Cann2d::params().length(12).a(0.4).build().unwrap();
        let mut out = vec![0.0; 144];
        let z = [0.3, -2.9];
        net.stimulus(&z, &mut out).unwrap();
        for (i, o) in out.iter().enumerate() {
            let p = net.preferred(i).unwrap();
            let d2 = angle_diff(p[0], z[0]).powi(2) + angle_diff(p[1], z[1]).powi(2);
            let want = 10.0 * (-0.25 * d2 / 0.16).exp();
            assert!((o - want).abs() < 1e-10, "{i}: {o} vs {want}");
        }
    }

    #[test]
    fn fft_and_dense_agree_over_steps() {
        let p = Cann2d::params().length(10);
        let mut a = p.clone().build().unwrap();
        let mut b = p.recurrence(Recurrence::Dense).build().unwrap();
        let mut input = vec![0.0; 100];
        a.stimulus(&[1.0, 0.5], &mut input).unwrap();
        for _ in 0..50 {
            a.step(0.1, &input).unwrap();
            b.step(0.1, &input).unwrap();
        }
        for (x, y) in a.u().iter().zip(b.u()) {
            assert!((x - y).abs() < 1e-10);
        }
    }

    #[test]
    fn build_rejects_bad_length() {
        let e = Cann2d::params().length(1).build().unwrap_err().to_string();
        assert!(e.contains("`length`") && e.contains("got 1"), "{e}");
    }
}
