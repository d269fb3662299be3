use crate::analysis::sheet::SheetTracker;
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{Error, ParamError, Result};
use crate::models::kernel::ConvBank;
use crate::models::Model;
use crate::params::{check, setters, Params};
use crate::pipeline::progress::{Progress, ShowProgress};
use crate::spatial::History;
use ndarray::Array2;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// How preferred directions are laid out on the sheet.
///
/// # Examples
/// ```
/// use canns::models::DirectionLayout;
/// assert_eq!(DirectionLayout::Blocks4.directions().len(), 4);
/// assert_eq!(DirectionLayout::Blocks4.class(41, 40), 3); // row 1, column 1
/// assert_eq!(DirectionLayout::Modulo6.class(41, 40), 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectionLayout {
    /// Burak & Fiete: east, west, north, south, one of each in every 2x2
    /// block (class `(iy mod 2) * 2 + ix mod 2`). Default.
    #[default]
    Blocks4,
    /// `canns`: six directions at 0, pi, pi/3, 4 pi/3, 2 pi/3, 5 pi/3,
    /// neuron `i` taking number `i mod 6`.
    Modulo6,
}

impl DirectionLayout {
    /// The unit vectors of the direction classes.
    pub fn directions(&self) -> Vec<[f64; 2]> {
        match self {
            Self::Blocks4 => vec![[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]],
            Self::Modulo6 => [
                0.0,
                PI,
                PI / 3.0,
                4.0 * PI / 3.0,
                2.0 * PI / 3.0,
                5.0 * PI / 3.0,
            ]
            .iter()
            .map(|a: &f64| [a.cos(), a.sin()])
            .collect(),
        }
    }

    /// The direction class of neuron `i` on a sheet of side `side`.
    pub fn class(&self, i: usize, side: usize) -> usize {
        match self {
            Self::Blocks4 => ((i / side) % 2) * 2 + (i % side) % 2,
            Self::Modulo6 => i % 6,
        }
    }
}

/// Boundary of the neural sheet.
///
/// # Examples
/// ```
/// use canns::models::{GridCell2DVelocity, SheetBoundary};
/// let p = GridCell2DVelocity::params().length(16).boundary(SheetBoundary::Aperiodic);
/// assert!(p.build().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetBoundary {
    /// A torus (default).
    #[default]
    Periodic,
    /// A square with the input envelope of B&F's aperiodic network.
    Aperiodic,
}

/// Parameters of [`GridCell2DVelocity`] (defaults of `canns`'s
/// `GridCell2DVelocity`; B&F use `L = 128`, `lambda = 13`, `e = 1.05`,
/// `alpha = 0.10315`). Time is in seconds, velocities in m/s, distances on
/// the sheet in neurons.
///
/// # Examples
/// ```
/// use canns::models::{DirectionLayout, GridCell2DVelocityParams};
/// let p = GridCell2DVelocityParams::canns();
/// assert!(p.canns_compat && p.directions == DirectionLayout::Modulo6);
/// assert!((p.gamma() / p.beta() - 1.15).abs() < 1e-12);
/// // The 2x2 block layout needs an even side.
/// assert!(GridCell2DVelocityParams::default().length(41).build().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GridCell2DVelocityParams {
    /// Neurons per side `L` (`L^2` neurons). Default 40.
    pub length: usize,
    /// Time constant `tau` (s). Default 0.01.
    pub tau: f64,
    /// Velocity gain `alpha` (s/m). Default 0.2.
    pub alpha: f64,
    /// Input amplitude `A`. Default 1.
    pub amplitude: f64,
    /// Weight amplitude `W_a` (multiplies both Gaussians; B&F's `a` is 1). Default 1.5.
    pub w_a: f64,
    /// Shift `l` of the outgoing weights along the preferred direction (neurons). Default 2.
    pub w_l: f64,
    /// Approximate pattern period `lambda_net` (neurons; `beta = 3 / lambda^2`). Default 15.
    pub lambda_net: f64,
    /// Ratio `e = gamma / beta` of the two Gaussians. Default 1.15.
    pub e: f64,
    /// Time step `dt` of [`GridCell2DVelocity::update`] (s). Default 5e-4.
    pub dt: f64,
    /// Seed of the initial state `s = 0.1 U(0, 1)`. Default 0.
    pub seed: u64,
    /// Preferred-direction layout. Default [`DirectionLayout::Blocks4`].
    pub directions: DirectionLayout,
    /// Periodic or aperiodic sheet. Default periodic.
    pub boundary: SheetBoundary,
    /// Envelope steepness `a0` of the aperiodic sheet. Default 4.
    pub envelope_a0: f64,
    /// Envelope fall-off width `dr` of the aperiodic sheet, as a fraction of
    /// `R = L / 2` (the input is flat within `R - dr` of the centre). Default 0.5.
    pub envelope_dr: f64,
    /// Use `canns`'s weights `W0(x_j - x_i - l e_i)` (postsynaptic
    /// direction, opposite sign: the pattern moves against v). Default false.
    pub canns_compat: bool,
}

impl Default for GridCell2DVelocityParams {
    fn default() -> Self {
        Self {
            length: 40,
            tau: 0.01,
            alpha: 0.2,
            amplitude: 1.0,
            w_a: 1.5,
            w_l: 2.0,
            lambda_net: 15.0,
            e: 1.15,
            dt: 5e-4,
            seed: 0,
            directions: DirectionLayout::Blocks4,
            boundary: SheetBoundary::Periodic,
            envelope_a0: 4.0,
            envelope_dr: 0.5,
            canns_compat: false,
        }
    }
}

impl GridCell2DVelocityParams {
    setters! {
        /// Sets `length`.
        length: usize,
        /// Sets `tau` (s).
        tau: f64,
        /// Sets `alpha` (s/m).
        alpha: f64,
        /// Sets `amplitude` (A).
        amplitude: f64,
        /// Sets `w_a`.
        w_a: f64,
        /// Sets `w_l` (neurons).
        w_l: f64,
        /// Sets `lambda_net` (neurons).
        lambda_net: f64,
        /// Sets `e`.
        e: f64,
        /// Sets `dt` (s).
        dt: f64,
        /// Sets `seed`.
        seed: u64,
        /// Sets `directions`.
        directions: DirectionLayout,
        /// Sets `boundary`.
        boundary: SheetBoundary,
        /// Sets `envelope_a0`.
        envelope_a0: f64,
        /// Sets `envelope_dr` (fraction of L / 2).
        envelope_dr: f64,
        /// Sets `canns_compat`.
        canns_compat: bool,
    }

    /// `canns`'s model exactly: its weights and its six-direction layout.
    pub fn canns() -> Self {
        Self {
            canns_compat: true,
            directions: DirectionLayout::Modulo6,
            ..Self::default()
        }
    }

    /// `beta = 3 / lambda_net^2` (per neuron^2).
    pub fn beta(&self) -> f64 {
        3.0 / (self.lambda_net * self.lambda_net)
    }

    /// `gamma = e beta` (per neuron^2).
    pub fn gamma(&self) -> f64 {
        self.e * self.beta()
    }

    /// Validates and builds the network.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn build(&self) -> Result<GridCell2DVelocity> {
        GridCell2DVelocity::new(self.clone())
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("GridCell2DVelocityParams")
            .row("length", self.length, "neurons per side L")
            .row("tau", self.tau, "time constant (s)")
            .row("alpha", self.alpha, "velocity gain (s/m)")
            .row("amplitude", self.amplitude, "input amplitude A")
            .row("w_a", self.w_a, "weight amplitude")
            .row("w_l", self.w_l, "weight shift l (neurons)")
            .row("lambda_net", self.lambda_net, "pattern period (neurons)")
            .row("e", self.e, "gamma / beta")
            .row("dt", self.dt, "time step (s)")
            .row("seed", self.seed, "initial-state seed")
            .row("directions", format!("{:?}", self.directions), "layout")
            .row("boundary", format!("{:?}", self.boundary), "sheet")
            .row("canns_compat", self.canns_compat, "canns's weights")
    }
}

impl Params for GridCell2DVelocityParams {
    const NAME: &'static str = "GridCell2DVelocityParams";

    fn validate(&self) -> Result<()> {
        check::at_least("length", self.length, 4)?;
        if self.length > 1024 {
            return Err(ParamError::new("length", "<= 1024", self.length).into());
        }
        if self.directions == DirectionLayout::Blocks4 && !self.length.is_multiple_of(2) {
            return Err(ParamError::new(
                "length",
                "even with the 2x2 block layout (blocks4)",
                self.length,
            )
            .into());
        }
        check::positive("tau", self.tau)?;
        check::finite("alpha", self.alpha)?;
        check::finite("amplitude", self.amplitude)?;
        check::finite("w_a", self.w_a)?;
        check::finite("w_l", self.w_l)?;
        check::positive("lambda_net", self.lambda_net)?;
        check::positive("e", self.e)?;
        check::positive("dt", self.dt)?;
        if self.dt > self.tau {
            return Err(ParamError::new(
                "dt",
                format!("<= tau = {} s (forward Euler)", self.tau),
                self.dt,
            )
            .into());
        }
        check::positive("envelope_a0", self.envelope_a0)?;
        check::positive("envelope_dr", self.envelope_dr)?;
        if self.envelope_dr > 1.0 {
            return Err(ParamError::new(
                "envelope_dr",
                "<= 1 (a fraction of L / 2)",
                self.envelope_dr,
            )
            .into());
        }
        let pad = if self.boundary == SheetBoundary::Aperiodic {
            4
        } else {
            1
        };
        crate::error::check_memory(
            "GridCell2DVelocity",
            (self.length * self.length * pad) as u64 * (64 + 16 * 8),
            "reduce `length`",
        )?;
        Ok(())
    }
}

impl Render for GridCell2DVelocityParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(self.table().to_html(), format!("{self:?}"))
    }
}

/// One segment of a healing schedule: `steps` steps at `speed` (m/s) along
/// `heading` (rad).
///
/// # Examples
/// ```
/// use canns::models::{HealSchedule, HealSegment};
/// let s = HealSchedule { dt: 1e-4, segments: vec![HealSegment { steps: 50, speed: 0.0, heading: 0.0 }] };
/// assert_eq!(s.total_steps(), 50);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HealSegment {
    /// Number of steps.
    pub steps: usize,
    /// Speed (m/s).
    pub speed: f64,
    /// Heading (rad).
    pub heading: f64,
}

/// A healing schedule: constant-velocity segments run at their own time step
/// before path integration, so the pattern forms and settles.
///
/// # Examples
/// ```
/// use canns::models::HealSchedule;
/// assert_eq!(HealSchedule::canns().total_steps(), 10_000);
/// assert_eq!(HealSchedule::canns_steps(777).total_steps(), 777);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealSchedule {
    /// Time step of the healing steps (s).
    pub dt: f64,
    /// The segments, in order.
    pub segments: Vec<HealSegment>,
}

impl HealSchedule {
    /// `canns`'s `heal_network` schedule at `dt = 1e-4` s: 0.25 s still, 0.125 s
    /// each at 0.8 m/s along 0, pi/5, pi/2, -pi/5, 0.25 s still (10000 steps).
    pub fn canns() -> Self {
        Self::canns_steps(10_000)
    }

    /// The [`HealSchedule::canns`] segments scaled to `total` steps in all
    /// (the last segment takes the rounding), at `dt = 1e-4` s.
    pub fn canns_steps(total: usize) -> Self {
        let parts = [
            (0.25, 0.0, 0.0),
            (0.125, 0.8, 0.0),
            (0.125, 0.8, PI / 5.0),
            (0.125, 0.8, PI / 2.0),
            (0.125, 0.8, -PI / 5.0),
            (0.25, 0.0, 0.0),
        ];
        let mut used = 0;
        let segments = parts
            .iter()
            .enumerate()
            .map(|(k, &(frac, speed, heading))| {
                let steps = if k + 1 == parts.len() {
                    total - used
                } else {
                    ((total as f64 * frac).round() as usize).min(total - used)
                };
                used += steps;
                HealSegment {
                    steps,
                    speed,
                    heading,
                }
            })
            .collect();
        Self { dt: 1e-4, segments }
    }

    /// Total number of steps.
    pub fn total_steps(&self) -> usize {
        self.segments.iter().map(|s| s.steps).sum()
    }
}

/// `GridCell2DVelocity`: the Burak & Fiete (2009) path integrator, a neural
/// sheet whose neurons have preferred directions and shifted centre-surround
/// inhibition, driven by the animal's velocity.
///
/// `L x L` neurons sit at integer positions `x_i = (i mod L, i div L)`; each
/// has a preferred direction `e_i` ([`DirectionLayout`]). With `W0` the
/// centre-surround profile (all weights <= 0 when `gamma > beta`):
///
/// ```text
/// W0(d)  = W_a (exp(-gamma |d|^2) - exp(-beta |d|^2)),   beta = 3 / lambda^2,  gamma = e beta     (B&F eq. 3)
/// W_ij   = W0(x_i - x_j - l e_j)                          presynaptic direction (B&F eq. 2)
/// B_i    = A (1 + alpha v . e_i)  [x envelope_i]          velocity input, v in m/s (B&F eq. 4)
/// s     <- s + dt / tau (-s + W r + B),   r = max(s, 0)     forward Euler (B&F eq. 1)
/// ```
///
/// On a periodic sheet `d` is the shortest difference on the torus; on an
/// aperiodic sheet it is the plain difference and the input is multiplied by
/// the envelope `A(x) = 1` for `|x - c| < R - dr`, `exp(-a0 ((|x - c| - R + dr) / dr)^2)`
/// beyond (B&F eq. 5, `c` the sheet centre, `R = L / 2`).
///
/// The recurrence is not a dense `L^2 x L^2` matrix: the neurons of one
/// direction class share one shifted kernel, so `W r = sum_c K_c * r_c`
/// (`r_c`: the rates of class `c`, zero elsewhere) is one 2D FFT per class
/// and one inverse (on a sheet padded to `2L` when aperiodic).
///
/// With [`GridCell2DVelocityParams::canns_compat`] the weights are those of
/// the Python `canns` package, `W_ij = W0(x_j - x_i - l e_i)`: the
/// postsynaptic neuron's direction with the opposite sign, which makes the
/// pattern move against the velocity (anti-parallel, a mirrored but working
/// integrator); it is then computed as one forward FFT and one inverse per
/// class.
///
/// **Differences from `canns`** (`GridCell2DVelocity`, canns 1.5):
/// [`GridCell2DVelocity::heal`] honours its schedule's step counts and time
/// step and changes nothing global (`canns`'s `heal_network` ignores
/// `num_healing_steps` and resets a global dt); B&F's four directions in 2x2
/// blocks are the default layout, `canns`'s six directions assigned by
/// `i mod 6` are [`DirectionLayout::Modulo6`]; aperiodic sheets are supported;
/// the sheet's motion is measured by Fourier-phase tracking
/// ([`crate::analysis::sheet::SheetTracker`]) rather than blob tracking.
///
/// ## Examples
/// ```
/// use canns::models::{GridCell2DVelocity, HealSchedule};
/// let mut net = GridCell2DVelocity::params().length(24).lambda_net(10.0).build()?;
/// net.heal(&HealSchedule::canns_steps(2000))?;
/// assert_eq!(net.steps(), 2000);
/// // Healing forms a pattern: a minority of the sheet is active.
/// let active = net.active_fraction();
/// assert!(active > 0.05 && active < 0.5, "{active}");
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Burak, Y. & Fiete, I. R. (2009). Accurate path integration in continuous
///   attractor network models of grid cells. PLoS Comput Biol 5:e1000291.
///
/// The Burak & Fiete sheet.
///
/// # Examples
/// ```
/// use canns::models::{GridCell2DVelocity, Model};
/// let net = GridCell2DVelocity::params().length(16).build()?;
/// assert_eq!(net.n_neurons(), 256);
/// assert_eq!(net.preferred_direction(1)?, [-1.0, 0.0]);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct GridCell2DVelocity {
    params: GridCell2DVelocityParams,
    /// Side of the FFT lattice (L, or 2L when aperiodic).
    m: usize,
    classes: Vec<usize>,
    dirs: Vec<[f64; 2]>,
    envelope: Vec<f64>,
    bank: ConvBank,
    s: Vec<f64>,
    r: Vec<f64>,
    input: Vec<f64>,
    pad: Vec<f64>,
    pad_out: Vec<f64>,
    outs: Vec<Vec<f64>>,
    steps: usize,
    t: f64,
}

/// `x` wrapped to `[-m/2, m/2)`.
fn wrap_sheet(x: f64, m: f64) -> f64 {
    (x + m / 2.0).rem_euclid(m) - m / 2.0
}

impl GridCell2DVelocity {
    /// Default parameters, to adjust and [`GridCell2DVelocityParams::build`].
    pub fn params() -> GridCell2DVelocityParams {
        GridCell2DVelocityParams::default()
    }

    /// Builds the network; the initial state is `s = 0.1 U(0, 1)` from the seed.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn new(params: GridCell2DVelocityParams) -> Result<Self> {
        params.validate()?;
        let l = params.length;
        let periodic = params.boundary == SheetBoundary::Periodic;
        let m = if periodic { l } else { 2 * l };
        let dirs = params.directions.directions();
        let classes: Vec<usize> = (0..l * l).map(|i| params.directions.class(i, l)).collect();
        let (beta, gamma, wa, wl) = (params.beta(), params.gamma(), params.w_a, params.w_l);
        let w0 = |dx: f64, dy: f64| {
            let d2 = dx * dx + dy * dy;
            wa * ((-gamma * d2).exp() - (-beta * d2).exp())
        };
        let mf = m as f64;
        // Kernel by lattice offset (row d0, column d1) of the FFT lattice.
        let kernels: Vec<Vec<f64>> = dirs
            .iter()
            .map(|e| {
                let mut k = vec![0.0; m * m];
                for d0 in 0..m {
                    for d1 in 0..m {
                        // Offset x_i - x_j as the signed representative.
                        let (ox, oy) = (wrap_sheet(d1 as f64, mf), wrap_sheet(d0 as f64, mf));
                        let (dx, dy) = if params.canns_compat {
                            (-ox - wl * e[0], -oy - wl * e[1])
                        } else {
                            (ox - wl * e[0], oy - wl * e[1])
                        };
                        let (dx, dy) = if periodic {
                            (wrap_sheet(dx, mf), wrap_sheet(dy, mf))
                        } else {
                            (dx, dy)
                        };
                        k[d0 * m + d1] = w0(dx, dy);
                    }
                }
                k
            })
            .collect();
        let envelope = if periodic {
            vec![1.0; l * l]
        } else {
            let big_r = l as f64 / 2.0;
            let dr = params.envelope_dr * big_r;
            let c = (l as f64 - 1.0) / 2.0;
            (0..l * l)
                .map(|i| {
                    let rho = ((i % l) as f64 - c).hypot((i / l) as f64 - c);
                    if rho < big_r - dr {
                        1.0
                    } else {
                        (-params.envelope_a0 * ((rho - big_r + dr) / dr).powi(2)).exp()
                    }
                })
                .collect()
        };
        let bank = ConvBank::new(m, m, kernels);
        let mut rng = crate::random::seeded(params.seed);
        let s: Vec<f64> = (0..l * l).map(|_| 0.1 * rng.random::<f64>()).collect();
        let r = s.iter().map(|x| x.max(0.0)).collect();
        let nd = dirs.len();
        Ok(Self {
            m,
            classes,
            dirs,
            envelope,
            bank,
            s,
            r,
            input: vec![0.0; l * l],
            pad: vec![0.0; m * m],
            pad_out: vec![0.0; m * m],
            outs: if params.canns_compat {
                vec![vec![0.0; m * m]; nd]
            } else {
                Vec::new()
            },
            steps: 0,
            t: 0.0,
            params,
        })
    }

    /// The parameters this network was built with.
    pub fn parameters(&self) -> &GridCell2DVelocityParams {
        &self.params
    }

    /// Neurons per side.
    pub fn length(&self) -> usize {
        self.params.length
    }

    /// Preferred direction (unit vector) of neuron `i`.
    ///
    /// # Errors
    /// [`Error::Param`] when `i` is out of range.
    pub fn preferred_direction(&self, i: usize) -> Result<[f64; 2]> {
        let nn = self.classes.len();
        if i >= nn {
            return Err(ParamError::new("neuron", format!("< {nn}"), i).into());
        }
        Ok(self.dirs[self.classes[i]])
    }

    /// `self.input = W r` (recurrent input only).
    fn recurrent(&mut self) {
        let (l, m) = (self.params.length, self.m);
        let r = &self.r;
        let classes = &self.classes;
        if self.params.canns_compat {
            // One transform of r, one inverse per class; each neuron reads its class.
            for iy in 0..l {
                self.pad[iy * m..iy * m + l].copy_from_slice(&r[iy * l..(iy + 1) * l]);
            }
            self.bank.fan_out(&self.pad, &mut self.outs);
            for (i, x) in self.input.iter_mut().enumerate() {
                *x = self.outs[classes[i]][(i / l) * m + i % l];
            }
        } else {
            self.bank.sum(
                |c, buf| {
                    for (i, &ri) in r.iter().enumerate() {
                        if classes[i] == c {
                            buf[(i / l) * m + i % l] = ri;
                        }
                    }
                },
                &mut self.pad,
                &mut self.pad_out,
            );
            for (i, x) in self.input.iter_mut().enumerate() {
                *x = self.pad_out[(i / l) * m + i % l];
            }
        }
    }

    /// Forward Euler with `self.input` holding `W r`, plus `extra(i)`.
    fn advance(&mut self, dt: f64, extra: impl Fn(usize) -> f64) -> Result<()> {
        let f = dt / self.params.tau;
        let mut ok = true;
        for (i, (s, r)) in self.s.iter_mut().zip(self.r.iter_mut()).enumerate() {
            *s += f * (-*s + self.input[i] + extra(i));
            *r = s.max(0.0);
            ok &= s.is_finite();
        }
        self.steps += 1;
        self.t += dt;
        if !ok {
            return Err(Error::Diverged {
                step: self.steps,
                t: self.t,
                what: "s of the velocity sheet".into(),
            });
        }
        Ok(())
    }

    /// One step of `dt` s under the velocity `v` (m/s).
    ///
    /// # Errors
    /// [`Error::Param`] when `dt` or a component of `v` is not finite;
    /// [`Error::Diverged`] when the state stops being finite.
    pub fn update_dt(&mut self, v: [f64; 2], dt: f64) -> Result<()> {
        check::finite("velocity[0]", v[0])?;
        check::finite("velocity[1]", v[1])?;
        check::positive("dt", dt)?;
        self.recurrent();
        let (a, alpha) = (self.params.amplitude, self.params.alpha);
        let gains: Vec<f64> = self
            .dirs
            .iter()
            .map(|e| a * (1.0 + alpha * (v[0] * e[0] + v[1] * e[1])))
            .collect();
        let classes = std::mem::take(&mut self.classes);
        let envelope = std::mem::take(&mut self.envelope);
        let res = self.advance(dt, |i| gains[classes[i]] * envelope[i]);
        self.classes = classes;
        self.envelope = envelope;
        res
    }

    /// One step of the model's `dt` under the velocity `v` (m/s).
    ///
    /// # Errors
    /// As [`GridCell2DVelocity::update_dt`].
    pub fn update(&mut self, v: [f64; 2]) -> Result<()> {
        self.update_dt(v, self.params.dt)
    }

    /// Runs a healing schedule (at its own time step) so the pattern forms.
    ///
    /// # Errors
    /// [`Error::Param`] when the schedule's `dt` is not positive or above
    /// `tau`, or a speed or heading is not finite; [`Error::Diverged`].
    pub fn heal(&mut self, schedule: &HealSchedule) -> Result<()> {
        check::positive("schedule.dt", schedule.dt)?;
        if schedule.dt > self.params.tau {
            return Err(ParamError::new(
                "schedule.dt",
                format!("<= tau = {}", self.params.tau),
                schedule.dt,
            )
            .into());
        }
        for (k, seg) in schedule.segments.iter().enumerate() {
            check::finite(&format!("segments[{k}].speed"), seg.speed)?;
            check::finite(&format!("segments[{k}].heading"), seg.heading)?;
            let v = [seg.speed * seg.heading.cos(), seg.speed * seg.heading.sin()];
            for _ in 0..seg.steps {
                self.update_dt(v, schedule.dt)?;
            }
        }
        Ok(())
    }

    /// Steps taken since the last reset (healing included).
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Fraction of neurons with a positive rate.
    pub fn active_fraction(&self) -> f64 {
        self.r.iter().filter(|&&r| r > 0.0).count() as f64 / self.r.len() as f64
    }

    /// The largest rate.
    pub fn r_max(&self) -> f64 {
        self.r.iter().copied().fold(0.0, f64::max)
    }

    /// Integrates the velocity of sample `k` of `history` from `t[k-1]` to
    /// `t[k]`, in substeps of at most about `dt`.
    fn advance_to_sample(&mut self, history: &History, k: usize) -> Result<()> {
        let span = history.t[k] - history.t[k - 1];
        let sub = ((span / self.params.dt).round() as usize).max(1);
        let dt = span / sub as f64;
        if dt.is_nan() || dt <= 0.0 {
            return Err(Error::Invalid(format!(
                "history: times must increase (t[{k}] = {})",
                history.t[k]
            )));
        }
        let v = [history.vx[k], history.vy[k]];
        for _ in 0..sub {
            self.update_dt(v, dt)?;
        }
        Ok(())
    }

    /// Integrates the velocities of `history` (an agent's history or a
    /// resampled [`crate::spatial::Trajectory`]): each sample interval is
    /// split into steps of the model's `dt` (at least one). The sheet's
    /// translation is tracked by [`SheetTracker`] from the state at the
    /// start, and `gain` (neurons per metre, e.g. from
    /// [`GridCell2DVelocity::measure_gain`]) turns it into a position
    /// estimate starting at the first position. Rates of the neurons in
    /// `record` are kept at every sample.
    ///
    /// # Errors
    /// [`Error::Param`] when `gain` is zero or not finite or a neuron in
    /// `record` is out of range; [`Error::Invalid`] when the sheet has no
    /// pattern to track (heal it first); [`Error::Diverged`].
    pub fn run(&mut self, history: &History, gain: f64, record: &[usize]) -> Result<VelocityRun> {
        check::finite("gain", gain)?;
        if gain == 0.0 {
            return Err(ParamError::new("gain", "non-zero", gain).into());
        }
        let nn = self.r.len();
        if let Some(&i) = record.iter().find(|&&i| i >= nn) {
            return Err(ParamError::new("record", format!("neurons < {nn}"), i).into());
        }
        let n = history.len();
        crate::error::check_memory(
            "GridCell2DVelocity::run recording",
            (n as u64) * (record.len() as u64 + 6) * 8,
            "record fewer neurons or a shorter history",
        )?;
        let mut tracker = SheetTracker::new(&self.r, self.params.length)?;
        let mut displacement = Array2::zeros((n, 2));
        let mut estimate = Array2::zeros((n, 2));
        let mut rates = Array2::zeros((n, record.len()));
        let start = if n > 0 {
            [history.x[0], history.y[0]]
        } else {
            [0.0; 2]
        };
        let mut progress = Progress::new(
            "GridCell2DVelocity",
            n,
            (n * nn) as f64 * 50.0,
            ShowProgress::Auto,
        );
        for k in 0..n {
            if k > 0 {
                self.advance_to_sample(history, k)?;
            }
            let d = tracker.update(&self.r)?;
            displacement[[k, 0]] = d[0];
            displacement[[k, 1]] = d[1];
            estimate[[k, 0]] = start[0] + d[0] / gain;
            estimate[[k, 1]] = start[1] + d[1] / gain;
            for (c, &i) in record.iter().enumerate() {
                rates[[k, c]] = self.r[i];
            }
            if k % 64 == 0 {
                progress.update(k);
            }
        }
        progress.update(n);
        Ok(VelocityRun {
            t: history.t.clone(),
            positions: history.positions(),
            displacement,
            estimate,
            cells: record.to_vec(),
            rates,
        })
    }

    /// Measures the sheet velocity (neurons/s) under a constant velocity `v`
    /// (m/s) held for `steps` steps, from a copy of the current state (the
    /// network itself is unchanged): Fourier-phase tracking every 10 steps
    /// and a straight-line fit after the first tenth.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the sheet has no pattern to track or `steps`
    /// is below 100; [`Error::Diverged`].
    pub fn sheet_velocity(&self, v: [f64; 2], steps: usize) -> Result<[f64; 2]> {
        if steps < 100 {
            return Err(ParamError::new("steps", ">= 100", steps).into());
        }
        let mut net = self.clone();
        let mut tracker = SheetTracker::new(&net.r, net.params.length)?;
        let (mut ts, mut xs, mut ys) = (Vec::new(), Vec::new(), Vec::new());
        for k in 1..=steps {
            net.update(v)?;
            if k % 10 == 0 {
                let d = tracker.update(&net.r)?;
                if k > steps / 10 {
                    ts.push(k as f64 * net.params.dt);
                    xs.push(d[0]);
                    ys.push(d[1]);
                }
            }
        }
        use crate::analysis::sheet::linear_slope;
        Ok([linear_slope(&ts, &xs), linear_slope(&ts, &ys)])
    }

    /// The velocity gain (neurons per metre): the mean of
    /// `|sheet velocity| / |v|` over velocities of `speed` m/s along
    /// `n_directions` evenly spaced headings, each held `steps` steps.
    ///
    /// # Errors
    /// As [`GridCell2DVelocity::sheet_velocity`]; [`Error::Param`] when
    /// `speed` is not positive or `n_directions` is 0.
    pub fn measure_gain(&self, speed: f64, n_directions: usize, steps: usize) -> Result<f64> {
        check::positive("speed", speed)?;
        check::at_least("n_directions", n_directions, 1)?;
        let mut g = 0.0;
        for k in 0..n_directions {
            let th = 2.0 * PI * k as f64 / n_directions as f64;
            let s = self.sheet_velocity([speed * th.cos(), speed * th.sin()], steps)?;
            g += s[0].hypot(s[1]) / speed;
        }
        Ok(g / n_directions as f64)
    }

    /// Rate maps of the neurons `cells` by a systematic sweep (Burak & Fiete
    /// 2009): from a copy of the current state, the sheet is driven along a
    /// raster over a `side x side` m box at `speed` m/s (rows `bin` m apart,
    /// alternating direction, the moves between rows included), and the
    /// rates are binned at `bin` m by [`activity_rate_maps`](crate::analysis::place::activity_rate_maps)
    /// (no smoothing). The network itself is unchanged. Progress is shown
    /// on a terminal for long sweeps.
    ///
    /// # Examples
    /// ```
    /// use canns::models::{GridCell2DVelocity, HealSchedule};
    /// let mut net = GridCell2DVelocity::params().length(24).lambda_net(10.0).build()?;
    /// net.heal(&HealSchedule::canns_steps(3000))?;
    /// let maps = net.systematic_rate_maps(&[0, 100], 0.4, 0.05, 0.8)?;
    /// assert_eq!(maps.len(), 2);
    /// assert_eq!(maps[0].rates.dim(), (8, 8));
    /// assert!(maps[1].peak_rate() > 0.0);
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Param`] for a neuron out of range or a non-positive `side`,
    /// `bin` (at most `side`) or `speed`; [`Error::Limit`] when the
    /// recording would not fit; [`Error::Diverged`].
    pub fn systematic_rate_maps(
        &self,
        cells: &[usize],
        side: f64,
        bin: f64,
        speed: f64,
    ) -> Result<Vec<crate::analysis::place::RateMap>> {
        check::positive("side", side)?;
        check::positive("bin", bin)?;
        check::positive("speed", speed)?;
        if bin > side {
            return Err(ParamError::new("bin", format!("<= side = {side}"), bin).into());
        }
        let nn = self.r.len();
        if let Some(&i) = cells.iter().find(|&&i| i >= nn) {
            return Err(ParamError::new("cells", format!("neurons < {nn}"), i).into());
        }
        let dt = self.params.dt;
        let rows = (side / bin).round().max(1.0) as usize;
        let along = ((side / (speed * dt)).round() as usize).max(1);
        let up = ((bin / (speed * dt)).round() as usize).max(1);
        let n = rows * along + (rows - 1) * up;
        crate::error::check_memory(
            "GridCell2DVelocity::systematic_rate_maps recording",
            n as u64 * (cells.len() as u64 + 2) * 8,
            "a larger bin, a higher speed or fewer cells",
        )?;
        let mut net = self.clone();
        let (mut xs, mut ys) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let mut rates = Array2::zeros((n, cells.len()));
        let mut progress = Progress::new(
            "systematic sweep",
            n,
            (n * nn) as f64 * 50.0,
            ShowProgress::Auto,
        );
        let (mut x, mut y) = (0.0, 0.5 * side / rows as f64);
        let step_len = side / along as f64;
        let rise = side / rows as f64 / up as f64;
        for row in 0..rows {
            let sign = if row % 2 == 0 { 1.0 } else { -1.0 };
            let segments = [(along, [sign * step_len, 0.0]), (up, [0.0, rise])];
            let count = if row + 1 < rows { 2 } else { 1 };
            for &(steps, d) in &segments[..count] {
                let v = [d[0] / dt, d[1] / dt];
                for _ in 0..steps {
                    net.update_dt(v, dt)?;
                    x += d[0];
                    y += d[1];
                    let k = xs.len();
                    xs.push(x.clamp(0.0, side));
                    ys.push(y.clamp(0.0, side));
                    for (c, &i) in cells.iter().enumerate() {
                        rates[[k, c]] = net.r[i];
                    }
                    if k % 1024 == 0 {
                        progress.update(k);
                    }
                }
            }
        }
        progress.update(n);
        crate::analysis::place::activity_rate_maps(
            &xs,
            &ys,
            &rates.view(),
            [0.0, side, 0.0, side],
            bin,
            0.0,
        )
    }

    /// The velocity-to-sheet-velocity map `M` (neurons/s per m/s) fitted
    /// by least squares ([`velocity_map`](crate::analysis::sheet::velocity_map))
    /// to [`sheet_velocity`](Self::sheet_velocity) under `speed` m/s along
    /// `n_directions` headings, with its singular values (equal for an
    /// isotropic gain).
    ///
    /// # Errors
    /// As [`GridCell2DVelocity::measure_gain`]; `n_directions` below 2.
    pub fn velocity_gain_matrix(
        &self,
        speed: f64,
        n_directions: usize,
        steps: usize,
    ) -> Result<([[f64; 2]; 2], [f64; 2])> {
        check::positive("speed", speed)?;
        check::at_least("n_directions", n_directions, 2)?;
        let mut vs = Vec::with_capacity(n_directions);
        let mut sheet = Vec::with_capacity(n_directions);
        for k in 0..n_directions {
            let th = 2.0 * PI * k as f64 / n_directions as f64;
            let v = [speed * th.cos(), speed * th.sin()];
            sheet.push(self.sheet_velocity(v, steps)?);
            vs.push(v);
        }
        crate::analysis::sheet::velocity_map(&vs, &sheet)
    }

    /// Figure of the velocity-gain matrix `M` of
    /// [`velocity_gain_matrix`](Self::velocity_gain_matrix): a heatmap of its
    /// four entries (neurons per metre), each written on its cell, with the
    /// singular values in the title.
    ///
    /// # Examples
    /// ```
    /// use canns::models::{GridCell2DVelocity, HealSchedule};
    /// let mut net = GridCell2DVelocity::params().length(24).lambda_net(10.0).build()?;
    /// net.heal(&HealSchedule::canns_steps(3000))?;
    /// let (m, sv) = net.velocity_gain_matrix(0.4, 4, 400)?;
    /// assert!(sv[0] > 0.0 && sv[1] > 0.0);
    /// let fig = GridCell2DVelocity::plot_gain_matrix(m, sv);
    /// assert!(fig.plot().to_json().contains("singular values"));
    /// # Ok::<(), canns::Error>(())
    /// ```
    pub fn plot_gain_matrix(m: [[f64; 2]; 2], singular: [f64; 2]) -> display::Figure {
        use plotly::layout::Annotation;
        let labels = vec!["v_x".to_string(), "v_y".to_string()];
        let rows = vec!["sheet x".to_string(), "sheet y".to_string()];
        let z = vec![m[0].to_vec(), m[1].to_vec()];
        let top = m
            .iter()
            .flatten()
            .fold(0.0f64, |a, b| a.max(b.abs()))
            .max(1e-12);
        let mut plot = plotly::Plot::new();
        plot.add_trace(
            plotly::HeatMap::new(labels.clone(), rows.clone(), z)
                .zmin(-top)
                .zmax(top)
                .color_scale(plotly::common::ColorScale::Palette(
                    plotly::common::ColorScalePalette::RdBu,
                )),
        );
        let mut notes = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            for (j, col) in labels.iter().enumerate() {
                notes.push(
                    Annotation::new()
                        .x(col.clone())
                        .y(row.clone())
                        .text(format!("{:.1}", m[i][j]))
                        .show_arrow(false),
                );
            }
        }
        let layout = display::layout(
            &format!(
                "Velocity gain M (neurons/m); singular values {:.1}, {:.1}",
                singular[0], singular[1]
            ),
            "velocity component",
            "sheet velocity component",
        )
        .annotations(notes);
        plot.set_layout(layout);
        plot.into()
    }

    /// An animation of the sheet along `history` (from a copy of the current
    /// state, stepped as [`GridCell2DVelocity::run`] does): `frames`
    /// evenly spaced snapshots of the sheet's rates beside the path so far,
    /// the true position and the position read from the sheet with `gain`
    /// (neurons per metre).
    ///
    /// # Examples
    /// ```
    /// use canns::models::{GridCell2DVelocity, HealSchedule};
    /// use canns::spatial::{Agent, Environment};
    /// let mut net = GridCell2DVelocity::params().length(24).lambda_net(10.0).build()?;
    /// net.heal(&HealSchedule::canns_steps(3000))?;
    /// let mut agent = Agent::params().dt(0.01).seed(2).build(Environment::rectangle(1.0, 1.0)?)?;
    /// agent.run(40)?;
    /// let fig = net.animate(agent.history(), 60.0, 8)?;
    /// let json = fig.plot().to_json();
    /// // One slider step per frame, and Play.
    /// assert_eq!(json.matches("\"redraw\":true").count(), 8 + 1);
    /// assert!(json.contains("read from the sheet"));
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`GridCell2DVelocity::run`]; [`Error::Param`] when `frames` is
    /// below 2 or the history has fewer than 2 samples.
    pub fn animate(&self, history: &History, gain: f64, frames: usize) -> Result<display::Figure> {
        use plotly::common::{ColorScale, ColorScalePalette, Line, Marker, Mode};
        use plotly::layout::{Axis, Frame, Layout};
        use plotly::{HeatMap, Scatter, Traces};
        check::at_least("frames", frames, 2)?;
        check::at_least("history samples", history.len(), 2)?;
        let n = history.len();
        let l = self.params.length;
        crate::error::check_memory(
            "GridCell2DVelocity::animate frames",
            (frames * l * l * 8) as u64,
            "fewer frames",
        )?;
        let picks: Vec<usize> = (0..frames).map(|f| f * (n - 1) / (frames - 1)).collect();
        let mut net = self.clone();
        let mut snaps: Vec<(usize, Vec<f64>, [f64; 2])> = Vec::with_capacity(frames);
        let mut tracker = SheetTracker::new(&net.r, l)?;
        let start = [history.x[0], history.y[0]];
        let mut next = 0;
        for k in 0..n {
            if k > 0 {
                net.advance_to_sample(history, k)?;
            }
            let d = tracker.update(&net.r)?;
            while next < picks.len() && picks[next] == k {
                snaps.push((
                    k,
                    net.r.clone(),
                    [start[0] + d[0] / gain, start[1] + d[1] / gain],
                ));
                next += 1;
            }
        }
        let top = snaps
            .iter()
            .flat_map(|s| s.1.iter())
            .fold(0.0f64, |a, &b| a.max(b))
            .max(1e-12);
        let ax: Vec<f64> = (0..l).map(|i| i as f64).collect();
        let c = display::compact;
        let traces = |(k, r, est): &(usize, Vec<f64>, [f64; 2])| -> Vec<Box<dyn plotly::Trace>> {
            vec![
                HeatMap::new(
                    ax.clone(),
                    ax.clone(),
                    display::compact_matrix(r.chunks(l).map(|c| c.to_vec()).collect()),
                )
                .zmin(0.0)
                .zmax(top)
                .color_scale(ColorScale::Palette(ColorScalePalette::Viridis))
                .show_scale(false),
                Scatter::new(
                    history.x[..=*k].iter().map(|v| c(*v)).collect(),
                    history.y[..=*k].iter().map(|v| c(*v)).collect(),
                )
                .mode(Mode::Lines)
                .line(Line::new().color("grey"))
                .x_axis("x2")
                .y_axis("y2")
                .name("path"),
                Scatter::new(vec![history.x[*k]], vec![history.y[*k]])
                    .mode(Mode::Markers)
                    .marker(Marker::new().size(10).color("red"))
                    .x_axis("x2")
                    .y_axis("y2")
                    .name("animal"),
                Scatter::new(vec![c(est[0])], vec![c(est[1])])
                    .mode(Mode::Markers)
                    .marker(Marker::new().size(9).color("blue"))
                    .x_axis("x2")
                    .y_axis("y2")
                    .name("read from the sheet"),
            ]
        };
        let mut plot = plotly::Plot::new();
        for t in traces(&snaps[0]) {
            plot.add_trace(t);
        }
        let names: Vec<String> = snaps
            .iter()
            .map(|s| format!("{:.2} s", history.t[s.0]))
            .collect();
        for (snap, name) in snaps.iter().zip(&names) {
            let mut data = Traces::new();
            for t in traces(snap) {
                data.push(t);
            }
            plot.add_frame(Frame::new().name(name.as_str()).data(data));
        }
        let (sliders, menus) = display::animation::controls(&names, "t = ", 120, true);
        let span = |v: &[f64]| {
            let (a, b) = v
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
            let pad = 0.05 * (b - a).max(0.1);
            vec![a - pad, b + pad]
        };
        let layout = Layout::new()
            .title("GridCell2DVelocity: the sheet and the path")
            .height(display::DEFAULT_HEIGHT + 120)
            .margin(display::animation::controls_margin())
            .x_axis(
                Axis::new()
                    .domain(&[0.0, 0.45])
                    .anchor("y")
                    .title("x (neuron)"),
            )
            .y_axis(
                Axis::new()
                    .anchor("x")
                    .title("y (neuron)")
                    .scale_anchor("x"),
            )
            .x_axis2(
                Axis::new()
                    .domain(&[0.55, 1.0])
                    .anchor("y2")
                    .title("x (m)")
                    .range(span(&history.x)),
            )
            .y_axis2(
                Axis::new()
                    .anchor("x2")
                    .title("y (m)")
                    .range(span(&history.y))
                    .scale_anchor("x2"),
            )
            .sliders(sliders)
            .update_menus(menus);
        plot.set_layout(layout);
        Ok(plot.into())
    }

    /// Heatmap of the sheet's rates (rows: y, columns: x).
    pub fn plot_sheet(&self) -> Figure {
        let l = self.params.length;
        let ax: Vec<f64> = (0..l).map(|i| i as f64).collect();
        display::heatmap(
            &format!("GridCell2DVelocity sheet at t = {:.3} s", self.t),
            "x (neuron)",
            "y (neuron)",
            ax.clone(),
            ax,
            self.r.chunks(l).map(|c| c.to_vec()).collect(),
        )
    }
}

/// What [`GridCell2DVelocity::run`] records.
///
/// # Examples
/// ```
/// use canns::models::{GridCell2DVelocity, HealSchedule};
/// use canns::spatial::{Agent, Environment};
/// let mut net = GridCell2DVelocity::params().length(24).lambda_net(10.0).build()?;
/// net.heal(&HealSchedule::canns_steps(3000))?;
/// let mut agent = Agent::params().dt(0.01).seed(2).build(Environment::rectangle(1.0, 1.0)?)?;
/// agent.run(50)?;
/// let run = net.run(agent.history(), 60.0, &[])?;
/// assert_eq!(run.estimate.nrows(), 50);
/// assert!(run.errors().iter().all(|e| e.is_finite()));
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Shapes
/// `positions`, `displacement`, `estimate`: `(n_steps, 2)`; `rates`:
/// `(n_steps, cells.len())`.
#[derive(Clone, PartialEq)]
pub struct VelocityRun {
    /// Time of each sample (s).
    pub t: Vec<f64>,
    /// True position (m).
    pub positions: Array2<f64>,
    /// Sheet translation since the start (neurons).
    pub displacement: Array2<f64>,
    /// Position estimate: start + displacement / gain (m).
    pub estimate: Array2<f64>,
    /// The recorded neurons.
    pub cells: Vec<usize>,
    /// Rates of the recorded neurons.
    pub rates: Array2<f64>,
}

impl VelocityRun {
    /// `|estimate - true|` at each sample (m).
    pub fn errors(&self) -> Vec<f64> {
        (0..self.positions.nrows())
            .map(|i| {
                (self.estimate[[i, 0]] - self.positions[[i, 0]])
                    .hypot(self.estimate[[i, 1]] - self.positions[[i, 1]])
            })
            .collect()
    }

    /// Mean of [`VelocityRun::errors`] (m).
    pub fn mean_error(&self) -> f64 {
        let e = self.errors();
        e.iter().sum::<f64>() / e.len().max(1) as f64
    }

    /// True and integrated paths.
    pub fn plot_paths(&self) -> Figure {
        super::grid_position::path_plot(
            "True and integrated paths",
            &self.positions,
            &self.estimate,
            "integrated",
        )
    }

    /// Error over time.
    pub fn plot_error(&self) -> Figure {
        display::lines(
            "Path-integration error",
            "t (s)",
            "|estimate - true| (m)",
            vec![display::Series::line(
                "error",
                self.t.clone(),
                self.errors(),
            )],
        )
    }
}

crate::display::debug_via_display!(VelocityRun);

impl std::fmt::Display for VelocityRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "VelocityRun({} samples, mean error {:.4} m)",
            self.t.len(),
            self.mean_error()
        )
    }
}

impl Render for VelocityRun {
    fn bundle(&self) -> Bundle {
        let kv = KeyValues::new("VelocityRun")
            .row("samples", self.t.len(), "")
            .row("mean_error", format!("{:.4}", self.mean_error()), "m");
        Bundle::figure(&self.plot_paths(), &kv.to_html(), self.to_string())
    }
}

impl Model for GridCell2DVelocity {
    fn name(&self) -> &'static str {
        "grid_cell_2d_velocity"
    }
    fn shape(&self) -> Vec<usize> {
        vec![self.params.length, self.params.length]
    }
    /// One step of `dt` s with `input` in place of the velocity input `B`.
    fn step(&mut self, dt: f64, input: &[f64]) -> Result<()> {
        check::positive("dt", dt)?;
        let nn = self.r.len();
        if input.len() != nn {
            return Err(Error::shape("external input", nn, input.len()));
        }
        self.recurrent();
        self.advance(dt, |i| input[i])
    }
    /// Back to the seeded initial state `s = 0.1 U(0, 1)`.
    fn reset(&mut self) {
        let mut rng = crate::random::seeded(self.params.seed);
        for (s, r) in self.s.iter_mut().zip(self.r.iter_mut()) {
            *s = 0.1 * rng.random::<f64>();
            *r = *s;
        }
        self.steps = 0;
        self.t = 0.0;
    }
    fn u(&self) -> &[f64] {
        &self.s
    }
    fn r(&self) -> &[f64] {
        &self.r
    }
    /// Time since the last reset (s).
    fn time(&self) -> f64 {
        self.t
    }
}

crate::display::debug_via_display!(GridCell2DVelocity);

impl std::fmt::Display for GridCell2DVelocity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = &self.params;
        write!(
            f,
            "GridCell2DVelocity({}x{}, {:?}, {:?}{}, t={:.3} s, active={:.3})",
            p.length,
            p.length,
            p.boundary,
            p.directions,
            if p.canns_compat {
                ", canns weights"
            } else {
                ""
            },
            self.t,
            self.active_fraction()
        )
    }
}

impl Render for GridCell2DVelocity {
    fn bundle(&self) -> Bundle {
        let table = self
            .params
            .table()
            .row("t", format!("{:.4}", self.t), "time since reset (s)")
            .row(
                "active_fraction",
                format!("{:.3}", self.active_fraction()),
                "r > 0",
            )
            .to_html();
        Bundle::figure(&self.plot_sheet(), &table, self.to_string())
    }
}

display::evcxr_display_via_render!(GridCell2DVelocityParams, GridCell2DVelocity, VelocityRun);

#[cfg(test)]
mod tests {
    use super::*;

    /// The recurrent input by direct summation over all pairs.
    fn dense_recurrent(net: &GridCell2DVelocity) -> Vec<f64> {
        let p = &net.params;
        let l = p.length;
        let periodic = p.boundary == SheetBoundary::Periodic;
        let (beta, gamma) = (p.beta(), p.gamma());
        let lf = l as f64;
        (0..l * l)
            .map(|i| {
                let xi = [(i % l) as f64, (i / l) as f64];
                (0..l * l)
                    .map(|j| {
                        let xj = [(j % l) as f64, (j / l) as f64];
                        let (e, sign, a, b) = if p.canns_compat {
                            (net.dirs[net.classes[i]], 1.0, xj, xi)
                        } else {
                            (net.dirs[net.classes[j]], 1.0, xi, xj)
                        };
                        let _ = sign;
                        let mut d = [a[0] - b[0] - p.w_l * e[0], a[1] - b[1] - p.w_l * e[1]];
                        if periodic {
                            d = [wrap_sheet(d[0], lf), wrap_sheet(d[1], lf)];
                        }
                        let d2 = d[0] * d[0] + d[1] * d[1];
                        p.w_a * ((-gamma * d2).exp() - (-beta * d2).exp()) * net.r[j]
                    })
                    .sum()
            })
            .collect()
    }

    #[test]
    fn fft_recurrence_equals_the_dense_sum() {
        for p in [
            GridCell2DVelocity::params().length(12).lambda_net(6.0),
            GridCell2DVelocityParams::canns().length(12).lambda_net(6.0),
            GridCell2DVelocity::params()
                .length(10)
                .lambda_net(5.0)
                .boundary(SheetBoundary::Aperiodic),
        ] {
            let mut net = p.build().unwrap();
            net.recurrent();
            let want = dense_recurrent(&net);
            for (a, b) in net.input.iter().zip(&want) {
                assert!((a - b).abs() < 1e-10, "{p:?}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn weights_are_inhibitory() {
        let net = GridCell2DVelocity::params().length(16).build().unwrap();
        let mut n2 = net.clone();
        n2.r.iter_mut().for_each(|r| *r = 1.0);
        n2.recurrent();
        assert!(n2.input.iter().all(|&x| x < 0.0));
    }

    #[test]
    fn schedule_steps_add_up() {
        for n in [0usize, 7, 100, 2500, 10_000] {
            assert_eq!(HealSchedule::canns_steps(n).total_steps(), n);
        }
        let s = HealSchedule::canns();
        assert_eq!(s.segments[0].steps, 2500);
        assert_eq!(s.segments[1].steps, 1250);
    }

    #[test]
    fn bad_values_are_errors() {
        let p = GridCell2DVelocity::params;
        for (q, f) in [
            (p().length(3), "`length`"),
            (p().length(11), "`length`"),
            (p().tau(0.0), "`tau`"),
            (p().dt(0.1), "`dt`"),
            (p().lambda_net(-1.0), "`lambda_net`"),
            (p().envelope_dr(2.0), "`envelope_dr`"),
        ] {
            let e = q.build().unwrap_err().to_string();
            assert!(e.contains(f) && e.contains("got"), "{e} should name {f}");
        }
        let mut net = p().length(8).build().unwrap();
        assert!(net.update([f64::NAN, 0.0]).is_err());
        assert!(net.step(1e-4, &[0.0; 3]).is_err());
        let q = GridCell2DVelocityParams::canns().length(32);
        assert_eq!(
            GridCell2DVelocityParams::from_json(&q.to_json()).unwrap(),
            q
        );
    }
}
