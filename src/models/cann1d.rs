use super::cann_params::cann_params;
use super::dynamics::{CannOptions, Dynamics, Integrator};
use super::kernel::{CircularConv, Recurrence};
use super::step_map::CannMap;
use super::{FeatureMap, Model};
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render, Series};
use crate::error::{Error, Result};
use crate::params::{check, Params};
use crate::space::{angle_diff, ring_positions, TWO_PI};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

cann_params!(
    Cann1dParams,
    Cann1d,
    num,
    "Number of neurons N on the ring. Default 512.",
    512,
    "neurons on the ring (-pi, pi]",
    "The spike-frequency-adaptation network (Mi et al. 2014) with the defaults of `canns`'s `CANN1D_SFA`: `a = 0.3`, `A = 0.2`, `J0 = 1`, `m = 0.3`, `tau_v = 50`."
);

/// Gaussian profile `amp * exp(-d(x_i, z)^2 / c)` on an evenly spaced ring,
/// evaluated with a multiplicative recurrence outwards from the neuron
/// nearest to `z` (two multiplications per neuron instead of an `exp`).
pub(crate) fn ring_gaussian(z: f64, amp: f64, c: f64, out: &mut [f64]) {
    let n = out.len();
    let dx = TWO_PI / n as f64;
    // Index of the neuron nearest to z (positions -pi + i dx).
    let z = crate::space::wrap(z);
    let i0 = (((z + PI) / dx).round() as usize) % n;
    let d0 = angle_diff(-PI + i0 as f64 * dx, z);
    let g0 = amp * (-d0 * d0 / c).exp();
    out[i0] = g0;
    let ratio = (-2.0 * dx * dx / c).exp();
    // Neurons on each side of i0, each at its periodic (shortest) distance:
    // with an even n the opposite neuron belongs to the side nearer to z.
    let up = if d0 < 0.0 { n / 2 } else { (n - 1) / 2 };
    let down = n - 1 - up;
    let mut g = g0;
    let mut q = (-(2.0 * d0 * dx + dx * dx) / c).exp();
    for j in 1..=up {
        g *= q;
        q *= ratio;
        out[(i0 + j) % n] = g;
    }
    let mut g = g0;
    let mut q = (-(-2.0 * d0 * dx + dx * dx) / c).exp();
    for j in 1..=down {
        g *= q;
        q *= ratio;
        out[(i0 + n - j) % n] = g;
    }
}

/// `Cann1d`: a continuous attractor network of N neurons on a ring.
///
/// Neurons sit at `x_i = -pi + i * 2pi/N` (no duplicated end point) and
/// follow the Wu-Amari dynamics (see the [`models`](crate::models) docs):
///
/// ```text
/// r_i = u_i^2 / (1 + k * sum_j u_j^2)
/// W(x, x') = J0 / (sqrt(2 pi) a) * exp(-d(x, x')^2 / (2 a^2))      d: periodic distance
/// tau du/dt = -u + sum_j W(x, x_j) r_j + I_ext - v
/// tau_v dv/dt = -v + m u
/// I_ext(x) = A * exp(-d(x, z)^2 / (4 a^2))                            stimulus at z
/// ```
///
/// The recurrent input is the plain sum `sum_j W(x_i, x_j) r_j`, exactly as the
/// Python `canns` package computes it (`dot(conn_mat, r)`), so the same
/// parameters give the same dynamics. With `m = 0` (the default) there is no
/// adaptation; [`Cann1dParams::sfa`] gives the spike-frequency-adaptation
/// network of Mi et al. (2014) with `canns`'s `CANN1D_SFA` defaults.
///
/// The default integrator is forward Euler (as `canns`); choose
/// [`Integrator::Exponential`] for exponential Euler.
///
/// One deliberate difference from `canns`: `canns` places neurons with
/// `linspace(-pi, pi, N)`, which puts two neurons at the same point (-pi = pi)
/// and makes its connectivity slightly non-circulant. We place N distinct
/// neurons, so the recurrent term is an exact circular convolution.
///
/// ## Examples
/// ```
/// use canns::prelude::*;
/// let mut net = Cann1d::params().num(256).build()?;
/// let mut input = vec![0.0; net.n_neurons()];
/// net.stimulus(&[0.5], &mut input);
/// for _ in 0..200 { net.step(0.1, &input)?; }
/// let centre = canns::analysis::centre_1d(net.r()).unwrap();
/// assert!((centre - 0.5).abs() < 0.05);
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
/// let mut net = Cann1d::params().num(64).build()?;
/// let input = net.stimulus_at(&[-1.0])?;
/// for _ in 0..200 {
///     net.step(0.1, &input)?;
/// }
/// // The bump sits on the stimulus.
/// let centre = centre_1d(net.r()).unwrap();
/// assert!((centre + 1.0).abs() < 0.1, "{centre}");
/// assert!(net.to_string().starts_with("Cann1d(N=64"), "{net}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct Cann1d {
    params: Cann1dParams,
    x: Vec<f64>,
    options: CannOptions,
    dyn_: Dynamics,
}

impl Cann1d {
    /// Default parameters, to adjust and [`Cann1dParams::build`].
    pub fn params() -> Cann1dParams {
        Cann1dParams::default()
    }

    /// Builds the network from validated parameters.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn new(params: Cann1dParams) -> Result<Self> {
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
        let conv = CircularConv::new(1, n, kernel, params.recurrence);
        let options = CannOptions::default();
        let c = params.constants(&options);
        Ok(Self {
            options,
            dyn_: Dynamics::new(c, conv, n),
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
    pub fn parameters(&self) -> &Cann1dParams {
        &self.params
    }

    /// Preferred angle of every neuron (radians).
    pub fn positions(&self) -> &[f64] {
        &self.x
    }

    /// Sets the synaptic input `u` (e.g. to start from a bump).
    ///
    /// # Errors
    /// [`Error::Shape`] if `u` does not have one value per neuron, [`Error::Invalid`] if any value is not finite.
    pub fn set_u(&mut self, u: &[f64]) -> Result<()> {
        if u.len() != self.x.len() {
            return Err(Error::shape("u", self.x.len(), u.len()));
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

    /// The energy landscape plot: `u` and `r` over the ring, with an optional
    /// stimulus drawn for reference.
    pub fn plot_state(&self, stimulus: Option<&[f64]>) -> Figure {
        let mut series = vec![
            Series::line("u (synaptic input)", self.x.clone(), self.dyn_.u.clone()),
            Series::line(
                "r (rate) x 1/max",
                self.x.clone(),
                normalised(
                    &self.dyn_.r,
                    self.dyn_.u.iter().cloned().fold(0.0, f64::max),
                ),
            ),
        ];
        if let Some(s) = stimulus {
            // A stimulus is often tens of times the resting bump's height:
            // its own axis keeps the bump visible.
            series.push(Series::dashed("stimulus", self.x.clone(), s.to_vec()).on_right_axis());
        }
        if self.params.m > 0.0 {
            series.push(Series::line(
                "v (adaptation)",
                self.x.clone(),
                self.dyn_.v.clone(),
            ));
        }
        display::lines(
            &format!("Cann1d state at t = {:.1}", self.dyn_.t),
            "preferred angle x (rad)",
            "activity",
            series,
        )
    }
}

/// Rescales `r` so its maximum equals `to` (for plotting beside `u`).
fn normalised(r: &[f64], to: f64) -> Vec<f64> {
    let m = r.iter().cloned().fold(0.0, f64::max);
    if m > 0.0 && to > 0.0 {
        r.iter().map(|v| v / m * to).collect()
    } else {
        r.to_vec()
    }
}

impl Model for Cann1d {
    fn name(&self) -> &'static str {
        "cann1d"
    }
    fn shape(&self) -> Vec<usize> {
        vec![self.params.num]
    }
    fn n_neurons(&self) -> usize {
        self.params.num
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

impl FeatureMap for Cann1d {
    fn feature_dim(&self) -> usize {
        1
    }
    fn write_preferred(&self, i: usize, out: &mut [f64]) {
        out[0] = self.x[i];
    }
    fn write_stimulus(&self, pos: &[f64], out: &mut [f64]) {
        ring_gaussian(
            pos[0],
            self.params.amplitude,
            4.0 * self.params.a * self.params.a,
            out,
        );
    }
    fn stimulus_amplitude(&self) -> f64 {
        self.params.amplitude
    }
}

crate::display::debug_via_display!(Cann1d);

impl std::fmt::Display for Cann1d {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = &self.params;
        write!(
            f,
            "Cann1d(N={}, tau={}, k={}, a={}, A={}, J0={}, m={}, t={:.1})",
            p.num, p.tau, p.k, p.a, p.amplitude, p.j0, p.m, self.dyn_.t
        )
    }
}

impl Render for Cann1d {
    fn bundle(&self) -> Bundle {
        let table = self
            .options
            .rows(self.params.table())
            .row("t", format!("{:.2}", self.dyn_.t), "time since reset")
            .to_html();
        Bundle::figure(&self.plot_state(None), &table, self.to_string())
    }
}

display::evcxr_display_via_render!(Cann1dParams, Cann1d);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_gaussian_matches_direct_formula() {
        for n in [7usize, 8, 64, 513] {
            for z in [-3.1, -1.0, 0.0, 0.37, PI - 1e-9, 2.0 * PI + 0.2] {
                let mut out = vec![0.0; n];
                ring_gaussian(z, 10.0, 4.0 * 0.25, &mut out);
                for (i, x) in ring_positions(n).iter().enumerate() {
                    let d = angle_diff(*x, z);
                    let want = 10.0 * (-d * d / 1.0).exp();
                    assert!(
                        (out[i] - want).abs() < 1e-11 * 10.0,
                        "n={n} z={z} i={i}: {} vs {want}",
                        out[i]
                    );
                }
            }
        }
    }

    #[test]
    fn build_rejects_bad_values_naming_field_and_value() {
        let cases: Vec<(Cann1dParams, &str)> = vec![
            (Cann1d::params().tau(-1.0), "`tau`"),
            (Cann1d::params().tau(0.0), "`tau`"),
            (Cann1d::params().a(0.0), "`a`"),
            (Cann1d::params().a(f64::NAN), "`a`"),
            (Cann1d::params().num(0), "`num`"),
            (Cann1d::params().k(-0.1), "`k`"),
            (Cann1d::params().j0(f64::INFINITY), "`j0`"),
            (Cann1d::params().amplitude(f64::NAN), "`amplitude`"),
            (Cann1d::params().tau_v(0.0), "`tau_v`"),
            (Cann1d::params().m(-1.0), "`m`"),
            (Cann1d::params().noise(-1.0), "`noise`"),
        ];
        for (p, field) in cases {
            let e = p.build().unwrap_err().to_string();
            assert!(e.contains(field), "{e} should name {field}");
            assert!(e.contains("got"), "{e} should show the value");
        }
    }

    #[test]
    fn params_round_trip_through_json() {
        let p = Cann1dParams::sfa()
            .num(100)
            .seed(7)
            .integrator(Integrator::Exponential);
        assert_eq!(Cann1dParams::from_json(&p.to_json()).unwrap(), p);
        assert!(Cann1dParams::from_json("{\"nmu\": 3}")
            .unwrap_err()
            .to_string()
            .contains("nmu"));
    }

    #[test]
    fn bad_dt_and_wrong_input_length_are_errors() {
        let mut net = Cann1d::params().num(16).build().unwrap();
        assert!(net
            .step(0.0, &[0.0; 16])
            .unwrap_err()
            .to_string()
            .contains("`dt`"));
        assert!(net.step(f64::NAN, &[0.0; 16]).is_err());
        assert!(net
            .step(0.1, &[0.0; 15])
            .unwrap_err()
            .to_string()
            .contains("expected 16"));
    }

    #[test]
    fn divergence_is_reported_not_returned_as_nan() {
        let mut net = Cann1d::params().num(16).build().unwrap();
        let input = vec![1e300; 16];
        let mut err = None;
        for _ in 0..10 {
            if let Err(e) = net.step(0.1, &input) {
                err = Some(e);
                break;
            }
        }
        assert!(matches!(err, Some(Error::Diverged { .. })), "{err:?}");
    }
}
