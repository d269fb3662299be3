use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{Error, ParamError, Result};
use crate::models::kernel::{CircularConv, Recurrence};
use crate::models::twisted_torus::{phasors, spectral_terms, GridDecode, PhaseTorus, Term};
use crate::models::{FeatureMap, Model};
use crate::params::{check, setters, Params};
use crate::pipeline::progress::{Progress, ShowProgress};
use crate::random::SeededRng;
use crate::spatial::History;
use ndarray::Array2;
use rand_distr::{Distribution, StandardNormal};
use realfft::num_complex::Complex;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Parameters of [`GridCell2DPosition`] (defaults of `canns`'s
/// `GridCell2DPosition`). Time is in milliseconds, positions in metres.
///
/// # Examples
/// ```
/// use canns::models::GridCell2DPositionParams;
/// use canns::params::Params;
/// let p = GridCell2DPositionParams::example();
/// assert_eq!((p.length, p.mapping_ratio), (40, 6.0));
/// let e = p.clone().length(2).build().unwrap_err().to_string();
/// assert!(e.contains("`length`"));
/// assert_eq!(GridCell2DPositionParams::from_json(&p.to_json())?, p);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GridCell2DPositionParams {
    /// Neurons per side `n` of the phase torus (`n^2` neurons). Default 30.
    pub length: usize,
    /// Synaptic time constant `tau` (ms). Default 10.
    pub tau: f64,
    /// Divisive inhibition `k`. Default 1.
    pub k: f64,
    /// Width `a` of the recurrent kernel and of the input (rad of phase). Default 0.8.
    pub a: f64,
    /// Position input amplitude `A`. Default 3.
    pub amplitude: f64,
    /// Recurrent strength `J0` (the kernel is `J0 / g` times a unit Gaussian). Default 5.
    pub j0: f64,
    /// Mapping ratio `mr` (rad of phase per metre; spacing `2 pi / mr` m). Default 1.5.
    pub mapping_ratio: f64,
    /// Standard deviation of the Gaussian noise added to each neuron's input
    /// current every step. Default 0.1.
    pub noise_strength: f64,
    /// Rate gain `g`. Default 1.
    pub g: f64,
    /// Time step `dt` of [`GridCell2DPosition::update`] (ms). Default 1.
    pub dt: f64,
    /// Seed of the input noise. Default 0.
    pub seed: u64,
    /// How the recurrent and position inputs are computed. Default FFT.
    pub recurrence: Recurrence,
}

impl Default for GridCell2DPositionParams {
    fn default() -> Self {
        Self {
            length: 30,
            tau: 10.0,
            k: 1.0,
            a: 0.8,
            amplitude: 3.0,
            j0: 5.0,
            mapping_ratio: 1.5,
            noise_strength: 0.1,
            g: 1.0,
            dt: 1.0,
            seed: 0,
            recurrence: Recurrence::Fft,
        }
    }
}

impl GridCell2DPositionParams {
    setters! {
        /// Sets `length`.
        length: usize,
        /// Sets `tau` (ms).
        tau: f64,
        /// Sets `k`.
        k: f64,
        /// Sets `a` (rad).
        a: f64,
        /// Sets `amplitude` (A).
        amplitude: f64,
        /// Sets `j0`.
        j0: f64,
        /// Sets `mapping_ratio` (rad/m).
        mapping_ratio: f64,
        /// Sets `noise_strength`.
        noise_strength: f64,
        /// Sets `g`.
        g: f64,
        /// Sets `dt` (ms).
        dt: f64,
        /// Sets `seed`.
        seed: u64,
        /// Sets `recurrence`.
        recurrence: Recurrence,
    }

    /// The parameters of the `canns` example
    /// (`grid_cell_position_spatial_analysis.py`): `length = 40`,
    /// `mapping_ratio = 6`, `k = 0.5`, `A = 15`, `J0 = 10`, `noise = 0.2`,
    /// `g = 100`.
    pub fn example() -> Self {
        Self {
            length: 40,
            k: 0.5,
            amplitude: 15.0,
            j0: 10.0,
            mapping_ratio: 6.0,
            noise_strength: 0.2,
            g: 100.0,
            ..Self::default()
        }
    }

    /// Validates and builds the network.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn build(&self) -> Result<GridCell2DPosition> {
        GridCell2DPosition::new(self.clone())
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("GridCell2DPositionParams")
            .row("length", self.length, "neurons per side of the torus")
            .row("tau", self.tau, "synaptic time constant (ms)")
            .row("k", self.k, "divisive inhibition")
            .row("a", self.a, "kernel and input width (rad of phase)")
            .row("amplitude", self.amplitude, "position input amplitude A")
            .row("j0", self.j0, "recurrent strength J0")
            .row(
                "mapping_ratio",
                self.mapping_ratio,
                format!("rad/m (spacing {:.3} m)", 2.0 * PI / self.mapping_ratio),
            )
            .row("noise_strength", self.noise_strength, "input noise std")
            .row("g", self.g, "rate gain")
            .row("dt", self.dt, "time step (ms)")
            .row("seed", self.seed, "noise seed")
            .row(
                "recurrence",
                format!("{:?}", self.recurrence),
                "FFT or dense",
            )
    }
}

impl Params for GridCell2DPositionParams {
    const NAME: &'static str = "GridCell2DPositionParams";

    fn validate(&self) -> Result<()> {
        check::at_least("length", self.length, 4)?;
        if self.length > 2048 {
            return Err(ParamError::new("length", "<= 2048", self.length).into());
        }
        if self.recurrence == Recurrence::Dense && self.length > 64 {
            return Err(ParamError::new(
                "length",
                "<= 64 with the dense recurrence (O(n^4) per step)",
                self.length,
            )
            .into());
        }
        check::positive("tau", self.tau)?;
        check::non_negative("k", self.k)?;
        check::positive("a", self.a)?;
        if self.a > 10.0 {
            return Err(ParamError::new("a", "<= 10 rad", self.a).into());
        }
        check::finite("amplitude", self.amplitude)?;
        check::finite("j0", self.j0)?;
        check::positive("mapping_ratio", self.mapping_ratio)?;
        check::non_negative("noise_strength", self.noise_strength)?;
        check::positive("g", self.g)?;
        check::positive("dt", self.dt)?;
        if self.dt > 2.0 * self.tau {
            return Err(ParamError::new(
                "dt",
                format!(
                    "<= 2 tau = {} ms (forward Euler is unstable beyond)",
                    2.0 * self.tau
                ),
                self.dt,
            )
            .into());
        }
        crate::error::check_memory(
            "GridCell2DPosition",
            (self.length * self.length) as u64 * super::BYTES_PER_NEURON,
            "reduce `length`",
        )?;
        Ok(())
    }
}

impl Render for GridCell2DPositionParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(self.table().to_html(), format!("{self:?}"))
    }
}

/// `GridCell2DPosition`: a grid module on a twisted torus driven by the
/// animal's position (the `canns` model of the same name, without
/// adaptation).
///
/// The geometry is the twisted torus shared with the theta-sweep
/// [`GridCellNetwork`](super::theta_sweep::GridCellNetwork): `n x n`
/// neurons at phases `phi_i`, positions mapped to phases by
/// `phase(p) = wrap(T mr p)`, the hexagonal distance `|T^-1 wrap(dphi)|`, and
/// the grid spacing `Lambda = 2 pi / mr` (m). With `G` the Gaussian of width
/// `a` on the torus (summed over its lattice images):
///
/// ```text
/// W_ij  = J0 / g / (sqrt(2 pi) a) G(phi_i - phi_j)                 recurrent kernel
/// I_i   = A G(phi_i - phase(p))                                   position input
/// u    <- u + dt / tau (-u + W r + I + noise_strength xi)          forward Euler, xi ~ N(0, 1)
/// u    <- max(u, 0),   r = g u^2 / (1 + k sum u^2)                 rectification, divisive normalisation
/// ```
///
/// The recurrence is a circular convolution on the torus by 2D real FFT; the
/// position input is added to its spectrum from its Fourier series, so a
/// step costs one forward and one inverse transform. [`Recurrence::Dense`]
/// computes both terms by direct sums (the test oracle).
///
/// The decoder is the lattice decoder of the theta-sweep grid module: the
/// population vector of the rates above 10% of their maximum on each phase
/// axis, mapped back by `T^-1 / mr` and moved to the lattice copy nearest a
/// reference position (the last position given to
/// [`GridCell2DPosition::update`]).
///
/// **Differences from `canns`** (`GridCell2DPosition`, canns 1.5):
/// the decoder reads the rates after the step rather than before it (in
/// `canns` `center_position` lags the input by one step); `gc_bump` (a
/// Gaussian between a position and four times a phase) and weight noise
/// (`conn_noise`) are not provided; the default `mapping_ratio` stays 1.5
/// (spacing 4.19 m), while the `canns` examples use 6 (1.05 m).
///
/// ## Examples
/// ```
/// use canns::models::GridCell2DPosition;
/// let mut net = GridCell2DPosition::params()
///     .length(24).mapping_ratio(6.0).amplitude(15.0).j0(10.0).g(100.0).k(0.5)
///     .noise_strength(0.0).build()?;
/// for _ in 0..200 { net.update([0.4, 0.7])?; }
/// let d = net.decoded_position().unwrap();
/// assert!((d[0] - 0.4).abs() < 0.03 && (d[1] - 0.7).abs() < 0.03);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Burak, Y. & Fiete, I. R. (2009). Accurate path integration in continuous
///   attractor network models of grid cells. PLoS Comput Biol 5:e1000291.
/// - Ji, Z., Chu, T., Wu, S. & Burgess, N. (2025). A systems model of
///   alternating theta sweeps via firing rate adaptation. Curr Biol
///   35(4):709-722 (the twisted-torus grid module).
///
/// A position-driven grid module on a twisted torus.
///
/// # Examples
/// ```
/// use canns::models::{GridCell2DPosition, Model};
/// let net = GridCell2DPosition::params().length(16).mapping_ratio(6.0).build()?;
/// assert_eq!(net.n_neurons(), 256);
/// assert!((net.spacing() - 2.0 * std::f64::consts::PI / 6.0).abs() < 1e-12);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct GridCell2DPosition {
    params: GridCell2DPositionParams,
    torus: PhaseTorus,
    conv: CircularConv,
    terms: Vec<Term>,
    k_max: i32,
    ex: Vec<Complex<f64>>,
    ey: Vec<Complex<f64>>,
    u: Vec<f64>,
    r: Vec<f64>,
    input: Vec<f64>,
    scratch: Vec<f64>,
    rng: SeededRng,
    reference: [f64; 2],
    steps: usize,
    t: f64,
}

impl GridCell2DPosition {
    /// Default parameters, to adjust and [`GridCell2DPositionParams::build`].
    pub fn params() -> GridCell2DPositionParams {
        GridCell2DPositionParams::default()
    }

    /// Builds the network from validated parameters.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value;
    /// [`Error::Limit`] when the network would not fit in memory.
    pub fn new(params: GridCell2DPositionParams) -> Result<Self> {
        params.validate()?;
        let n = params.length;
        let a = params.a;
        let torus = PhaseTorus::new(n, params.mapping_ratio);
        let norm = params.j0 / params.g / ((2.0 * PI).sqrt() * a);
        let conv = CircularConv::new(n, n, torus.kernel(a, norm), params.recurrence);
        let (terms, k_max) = spectral_terms(n, a);
        let kk = 2 * k_max as usize + 1;
        Ok(Self {
            torus,
            conv,
            terms,
            k_max,
            ex: vec![Complex::default(); kk],
            ey: vec![Complex::default(); kk],
            u: vec![0.0; n * n],
            r: vec![0.0; n * n],
            input: vec![0.0; n * n],
            scratch: vec![0.0; n * n],
            rng: crate::random::seeded(params.seed),
            reference: [0.0; 2],
            steps: 0,
            t: 0.0,
            params,
        })
    }

    /// The parameters this network was built with.
    pub fn parameters(&self) -> &GridCell2DPositionParams {
        &self.params
    }

    /// Grid spacing `Lambda = 2 pi / mapping_ratio` (m).
    pub fn spacing(&self) -> f64 {
        self.torus.spacing()
    }

    /// Neurons per side.
    pub fn length(&self) -> usize {
        self.params.length
    }

    /// The phase (rad, wrapped into (-pi, pi]) a position (m) maps to: `wrap(T mr p)`.
    pub fn position_to_phase(&self, p: [f64; 2]) -> [f64; 2] {
        self.torus.position_to_phase(p)
    }

    /// The position (m) of a phase within one lattice cell: `T^-1 phi / mr`.
    pub fn phase_to_position(&self, phi: [f64; 2]) -> [f64; 2] {
        self.torus.phase_to_position(phi)
    }

    /// Advances one step of `dt` ms with the animal at `position` (m), which
    /// also becomes the decoder's reference.
    ///
    /// # Errors
    /// [`Error::Param`] when a coordinate is not finite;
    /// [`Error::Diverged`] when the state stops being finite.
    pub fn update(&mut self, position: [f64; 2]) -> Result<()> {
        check::finite("position[0]", position[0])?;
        check::finite("position[1]", position[1])?;
        self.reference = position;
        let c = self.torus.position_to_phase_unwrapped(position);
        let amp = self.params.amplitude;
        match self.params.recurrence {
            Recurrence::Fft => {
                let km = self.k_max;
                let kk = (2 * km + 1) as usize;
                phasors(c[0], km, &mut self.ex[..kk]);
                phasors(c[1], km, &mut self.ey[..kk]);
                let (terms, ex, ey) = (&self.terms, &self.ex, &self.ey);
                self.conv
                    .apply_fft_adding(&self.r, &mut self.input, |spec, _n0, _h| {
                        for t in terms {
                            spec[t.slot] += ex[(t.kx + km) as usize]
                                * ey[(t.ky + km) as usize]
                                * (t.coef * amp);
                        }
                    });
            }
            Recurrence::Dense => {
                self.conv.apply(&self.r, &mut self.input);
                self.torus.gaussian(
                    [crate::space::wrap(c[0]), crate::space::wrap(c[1])],
                    self.params.a,
                    amp,
                    &mut self.scratch,
                );
                for (i, s) in self.input.iter_mut().zip(&self.scratch) {
                    *i += s;
                }
            }
        }
        self.advance(self.params.dt)
    }

    /// Forward Euler on `u` with the total input in `self.input` (noise is
    /// added here), then the rates.
    fn advance(&mut self, dt: f64) -> Result<()> {
        let noise = self.params.noise_strength;
        let f = dt / self.params.tau;
        let mut s2 = 0.0;
        for (u, &i) in self.u.iter_mut().zip(&self.input) {
            let xi: f64 = if noise > 0.0 {
                let z: f64 = StandardNormal.sample(&mut self.rng);
                noise * z
            } else {
                0.0
            };
            *u = (*u + f * (-*u + i + xi)).max(0.0);
            s2 += *u * *u;
        }
        self.steps += 1;
        self.t += dt;
        if !s2.is_finite() {
            return Err(Error::Diverged {
                step: self.steps,
                t: self.t,
                what: "u of the grid cells".into(),
            });
        }
        let scale = self.params.g / (1.0 + self.params.k * s2);
        for (r, u) in self.r.iter_mut().zip(&self.u) {
            *r = scale * u * u;
        }
        Ok(())
    }

    /// The bump's phase and the position it decodes to, nearest `reference`
    /// (m); `None` while the sheet is silent.
    pub fn decode(&self, reference: [f64; 2]) -> Option<GridDecode> {
        self.torus.decode(&self.r, reference)
    }

    /// The decoded position (m) nearest the last position given to
    /// [`GridCell2DPosition::update`]; `None` while the sheet is silent.
    pub fn decoded_position(&self) -> Option<[f64; 2]> {
        self.decode(self.reference).map(|d| d.position)
    }

    /// The bump's phase (rad on each torus axis); `None` while silent.
    pub fn phase(&self) -> Option<[f64; 2]> {
        self.decode(self.reference).map(|d| d.phase)
    }

    /// The last position given to [`GridCell2DPosition::update`] (m).
    pub fn reference(&self) -> [f64; 2] {
        self.reference
    }

    /// Steps taken since the last reset.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The largest firing rate.
    pub fn r_max(&self) -> f64 {
        self.r.iter().copied().fold(0.0, f64::max)
    }

    /// Runs one network step per sample of `history` (an agent's history or
    /// a resampled [`crate::spatial::Trajectory`]), recording the decoded
    /// position and the rates of the neurons in `record` at every step.
    /// Progress is shown on a terminal for long runs.
    ///
    /// # Errors
    /// [`Error::Param`] when a neuron in `record` is out of range or a
    /// position is not finite; [`Error::Limit`] when the recording would not
    /// fit in memory; [`Error::Diverged`] as [`GridCell2DPosition::update`].
    pub fn run(&mut self, history: &History, record: &[usize]) -> Result<PositionRun> {
        let nn = self.n_neurons();
        if let Some(&i) = record.iter().find(|&&i| i >= nn) {
            return Err(ParamError::new("record", format!("neurons < {nn}"), i).into());
        }
        let n = history.len();
        crate::error::check_memory(
            "GridCell2DPosition::run recording",
            (n as u64) * (record.len() as u64 + 4) * 8,
            "record fewer neurons or a shorter history",
        )?;
        let mut rates = Array2::zeros((n, record.len()));
        let mut decoded = Array2::from_elem((n, 2), f64::NAN);
        let mut progress = Progress::new(
            "GridCell2DPosition",
            n,
            (n * nn) as f64 * 20.0,
            ShowProgress::Auto,
        );
        for s in 0..n {
            self.update([history.x[s], history.y[s]])?;
            for (k, &i) in record.iter().enumerate() {
                rates[[s, k]] = self.r[i];
            }
            if let Some(d) = self.decoded_position() {
                decoded[[s, 0]] = d[0];
                decoded[[s, 1]] = d[1];
            }
            if s % 256 == 0 {
                progress.update(s);
            }
        }
        progress.update(n);
        Ok(PositionRun {
            t: history.t.clone(),
            positions: history.positions(),
            decoded,
            cells: record.to_vec(),
            rates,
        })
    }

    /// Heatmap of the rates over the phase torus.
    pub fn plot_phase(&self) -> Figure {
        self.torus.plot_phase(
            &format!("GridCell2DPosition rates at t = {:.0} ms", self.t),
            &self.r,
        )
    }

    /// The rates on the twisted manifold: each neuron at `T^-1 phi / mr` (m).
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

/// What [`GridCell2DPosition::run`] records.
///
/// # Examples
/// ```
/// use canns::models::GridCell2DPositionParams;
/// use canns::spatial::{Agent, Environment};
/// let mut agent = Agent::params().dt(0.001).seed(1).build(Environment::rectangle(1.0, 1.0)?)?;
/// agent.run(300)?;
/// let mut net = GridCell2DPositionParams::example().length(20).noise_strength(0.0).build()?;
/// let run = net.run(agent.history(), &[0, 5])?;
/// assert_eq!(run.rates.dim(), (300, 2));
/// assert!(run.mean_error(100) < 0.05);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Shapes
/// `positions`, `decoded`: `(n_steps, 2)`; `rates`: `(n_steps, cells.len())`.
#[derive(Clone, PartialEq)]
pub struct PositionRun {
    /// Time of each sample (s).
    pub t: Vec<f64>,
    /// True position at each step (m).
    pub positions: Array2<f64>,
    /// Decoded position after each step (m; NaN while the sheet is silent).
    pub decoded: Array2<f64>,
    /// The recorded neurons.
    pub cells: Vec<usize>,
    /// Rates of the recorded neurons.
    pub rates: Array2<f64>,
}

impl PositionRun {
    /// `|decoded - true|` at each step (m; NaN while silent).
    pub fn errors(&self) -> Vec<f64> {
        (0..self.positions.nrows())
            .map(|i| {
                (self.decoded[[i, 0]] - self.positions[[i, 0]])
                    .hypot(self.decoded[[i, 1]] - self.positions[[i, 1]])
            })
            .collect()
    }

    /// Mean decoding error (m) over the steps from `from` on, ignoring
    /// silent steps; NaN when none is left.
    pub fn mean_error(&self, from: usize) -> f64 {
        let e: Vec<f64> = self
            .errors()
            .into_iter()
            .skip(from)
            .filter(|e| e.is_finite())
            .collect();
        if e.is_empty() {
            f64::NAN
        } else {
            e.iter().sum::<f64>() / e.len() as f64
        }
    }

    /// True and decoded paths.
    pub fn plot_paths(&self) -> Figure {
        path_plot(
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

crate::display::debug_via_display!(PositionRun);

impl std::fmt::Display for PositionRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PositionRun({} steps, {} cells recorded, mean error {:.4} m)",
            self.t.len(),
            self.cells.len(),
            self.mean_error(0)
        )
    }
}

impl Render for PositionRun {
    fn bundle(&self) -> Bundle {
        let kv = KeyValues::new("PositionRun")
            .row("steps", self.t.len(), "")
            .row("cells", self.cells.len(), "recorded neurons")
            .row(
                "mean_error",
                format!("{:.4}", self.mean_error(0)),
                "m, |decoded - true|",
            );
        Bundle::figure(&self.plot_paths(), &kv.to_html(), self.to_string())
    }
}

/// Two paths of `(n, 2)` positions on one plot.
pub(crate) fn path_plot(
    title: &str,
    truth: &Array2<f64>,
    other: &Array2<f64>,
    name: &str,
) -> Figure {
    let col = |a: &Array2<f64>, k: usize| a.column(k).to_vec();
    display::lines(
        title,
        "x (m)",
        "y (m)",
        vec![
            display::Series::line("true", col(truth, 0), col(truth, 1)),
            display::Series::line(name, col(other, 0), col(other, 1)),
        ],
    )
}

impl Model for GridCell2DPosition {
    fn name(&self) -> &'static str {
        "grid_cell_2d_position"
    }
    fn shape(&self) -> Vec<usize> {
        vec![self.params.length, self.params.length]
    }
    /// One step of `dt` ms under the external input `input` (in place of the
    /// position input); recurrence and noise are added here.
    fn step(&mut self, dt: f64, input: &[f64]) -> Result<()> {
        check::positive("dt", dt)?;
        let nn = self.n_neurons();
        if input.len() != nn {
            return Err(Error::shape("external input", nn, input.len()));
        }
        self.conv.apply(&self.r, &mut self.input);
        for (b, i) in self.input.iter_mut().zip(input) {
            *b += i;
        }
        self.advance(dt)
    }
    fn reset(&mut self) {
        self.u.iter_mut().for_each(|x| *x = 0.0);
        self.r.iter_mut().for_each(|x| *x = 0.0);
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
    /// Time since the last reset (ms).
    fn time(&self) -> f64 {
        self.t
    }
}

impl FeatureMap for GridCell2DPosition {
    fn feature_dim(&self) -> usize {
        2
    }
    fn write_preferred(&self, i: usize, out: &mut [f64]) {
        let p = self.torus.neuron_phase(i);
        out[0] = p[0];
        out[1] = p[1];
    }
    /// `A G(phi_i - pos)`: the position input for the phase `pos`.
    fn write_stimulus(&self, pos: &[f64], out: &mut [f64]) {
        self.torus
            .gaussian([pos[0], pos[1]], self.params.a, self.params.amplitude, out);
    }
    fn stimulus_amplitude(&self) -> f64 {
        self.params.amplitude
    }
}

crate::display::debug_via_display!(GridCell2DPosition);

impl std::fmt::Display for GridCell2DPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = &self.params;
        write!(
            f,
            "GridCell2DPosition({}x{}, spacing={:.3} m, t={:.0} ms",
            p.length,
            p.length,
            self.spacing(),
            self.t
        )?;
        match self.decoded_position() {
            Some(q) => write!(f, ", decoded=({:.3}, {:.3}) m)", q[0], q[1]),
            None => write!(f, ", silent)"),
        }
    }
}

impl Render for GridCell2DPosition {
    fn bundle(&self) -> Bundle {
        let d = self.decode(self.reference);
        let table = self
            .params
            .table()
            .row("t", format!("{:.1}", self.t), "time since reset (ms)")
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

display::evcxr_display_via_render!(GridCell2DPositionParams, GridCell2DPosition, PositionRun);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fft_and_dense_paths_agree() {
        let run = |rec: Recurrence| {
            let mut net = GridCell2DPositionParams::example()
                .length(16)
                .noise_strength(0.05)
                .seed(3)
                .recurrence(rec)
                .build()
                .unwrap();
            for i in 0..80 {
                net.update([0.01 * i as f64, 0.3 - 0.004 * i as f64])
                    .unwrap();
            }
            net.r().to_vec()
        };
        let (a, b) = (run(Recurrence::Fft), run(Recurrence::Dense));
        let top = a.iter().copied().fold(0.0, f64::max);
        assert!(top > 0.0);
        for (p, q) in a.iter().zip(&b) {
            assert!((p - q).abs() < 1e-9 * top.max(1.0), "{p} vs {q}");
        }
    }

    #[test]
    fn same_seed_same_run_and_reset_restarts() {
        let mut a = GridCell2DPositionParams::example()
            .length(12)
            .build()
            .unwrap();
        let mut b = a.clone();
        for _ in 0..20 {
            a.update([0.1, 0.2]).unwrap();
            b.update([0.1, 0.2]).unwrap();
        }
        assert_eq!(a.r(), b.r());
        let first = a.r().to_vec();
        a.reset();
        for _ in 0..20 {
            a.update([0.1, 0.2]).unwrap();
        }
        assert_eq!(a.r(), &first[..]);
        let mut c = GridCell2DPositionParams::example()
            .length(12)
            .seed(1)
            .build()
            .unwrap();
        for _ in 0..20 {
            c.update([0.1, 0.2]).unwrap();
        }
        assert_ne!(c.r(), &first[..]);
    }

    #[test]
    fn bad_values_are_errors() {
        let p = GridCell2DPosition::params;
        for (q, f) in [
            (p().length(2), "`length`"),
            (p().mapping_ratio(0.0), "`mapping_ratio`"),
            (p().a(-1.0), "`a`"),
            (p().tau(f64::NAN), "`tau`"),
            (p().dt(25.0), "`dt`"),
            (p().length(100).recurrence(Recurrence::Dense), "`length`"),
        ] {
            let e = q.build().unwrap_err().to_string();
            assert!(e.contains(f) && e.contains("got"), "{e} should name {f}");
        }
        let mut net = p().length(8).build().unwrap();
        assert!(net.update([f64::NAN, 0.0]).is_err());
        assert!(net.step(1.0, &[0.0; 3]).is_err());
        let q = p().length(50).mapping_ratio(6.0);
        assert_eq!(
            GridCell2DPositionParams::from_json(&q.to_json()).unwrap(),
            q
        );
    }
}
