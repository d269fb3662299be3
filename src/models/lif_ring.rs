use super::cann1d::ring_gaussian;
use super::{FeatureMap, Model};
use crate::display::{lines, Bundle, Figure, KeyValues, Render, Series};
use crate::error::{Error, ParamError, Result};
use crate::params::{check, setters, Params};
use crate::pipeline::progress::{Progress, ShowProgress};
use crate::random::SeededRng;
use crate::space::{ring_positions, TWO_PI};
use plotly::common::{Marker, Mode};
use plotly::{Plot, Scatter};
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// Parameters of a [`LifRing`]. Time in seconds, potentials and currents in mV.
///
/// # Example
/// ```
/// use canns::models::LifRing;
/// let ring = LifRing::params().n_exc(64).n_inh(16).record_spikes(false).build()?;
/// assert_eq!((ring.positions().len(), ring.potentials().len()), (64, 80));
/// assert!(!ring.parameters().record_spikes);
/// // A reset above threshold is an error naming the field.
/// let err = LifRing::params().v_reset(-45.0).build().unwrap_err();
/// assert!(err.to_string().contains("v_reset"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LifRingParams {
    /// Excitatory neurons on the ring `N_E`. Default 800.
    pub n_exc: usize,
    /// Inhibitory neurons `N_I`. Default 200.
    pub n_inh: usize,
    /// Time step (s). Default 1e-4.
    pub dt: f64,
    /// Membrane time constant of excitatory neurons (s). Default 0.02 (Compte et al.).
    pub tau_exc: f64,
    /// Membrane time constant of inhibitory neurons (s). Default 0.01 (Compte et al.).
    pub tau_inh: f64,
    /// Resting (leak) potential `V_L` (mV). Default -70 (Compte et al.).
    pub v_rest: f64,
    /// Firing threshold `V_th` (mV). Default -50 (Compte et al.).
    pub v_threshold: f64,
    /// Reset potential `V_reset` (mV). Default -60 (Compte et al.).
    pub v_reset: f64,
    /// Refractory period of excitatory neurons (s). Default 0.002 (Compte et al.).
    pub t_ref_exc: f64,
    /// Refractory period of inhibitory neurons (s). Default 0.001 (Compte et al.).
    pub t_ref_inh: f64,
    /// Decay time of the E->E synapses, NMDA-like (s). Default 0.1 (Compte et al.).
    pub tau_ee: f64,
    /// Decay time of the E->I synapses (s). Default 0.005.
    pub tau_ei: f64,
    /// Decay time of the I->E and I->I synapses, GABA_A-like (s). Default 0.01 (Compte et al.).
    pub tau_inhibitory: f64,
    /// Saturation `alpha` of the E->E gating: each spike moves it a fraction
    /// `alpha` of the way to 1. Default 0.5.
    pub alpha: f64,
    /// E->E coupling `J_EE`: the excitation (mV) when every gating is at 1. Default 30.
    pub j_ee: f64,
    /// E->I coupling `J_EI` (mV per unit of mean activation). Default 100.
    pub j_ei: f64,
    /// I->E coupling `J_IE` (mV per unit of mean activation). Default 45.
    pub j_ie: f64,
    /// I->I coupling `J_II` (mV per unit of mean activation). Default 2.
    pub j_ii: f64,
    /// Peak `J+` of the E->E profile (mean 1). Default 7.
    pub j_plus: f64,
    /// Width `sigma_w` of the E->E profile (rad). Default 0.35 (about 20 degrees; Compte et al. 18).
    pub sigma_w: f64,
    /// Background drive of excitatory neurons `I_E` (mV above rest). Default 10.
    pub i_exc: f64,
    /// Background drive of inhibitory neurons `I_I` (mV above rest). Default 8.
    pub i_inh: f64,
    /// Membrane noise `sigma`, the standard deviation of the free potential (mV). Default 3.
    pub noise: f64,
    /// Peak of the cue current made by [`FeatureMap::stimulus`] (mV). Default 12.
    pub cue_amplitude: f64,
    /// Width of the cue (rad). Default 0.3.
    pub cue_width: f64,
    /// Time constant of the firing-rate estimate `r` (s). Default 0.05.
    pub rate_tau: f64,
    /// Keep every spike (time, neuron) in [`LifRing::spike_log`]. Default true.
    pub record_spikes: bool,
    /// Seed of the noise and of the initial potentials. Default 0.
    pub seed: u64,
}

impl Default for LifRingParams {
    fn default() -> Self {
        Self {
            n_exc: 800,
            n_inh: 200,
            dt: 1e-4,
            tau_exc: 0.02,
            tau_inh: 0.01,
            v_rest: -70.0,
            v_threshold: -50.0,
            v_reset: -60.0,
            t_ref_exc: 0.002,
            t_ref_inh: 0.001,
            tau_ee: 0.1,
            tau_ei: 0.005,
            tau_inhibitory: 0.01,
            alpha: 0.5,
            j_ee: 30.0,
            j_ei: 100.0,
            j_ie: 45.0,
            j_ii: 2.0,
            j_plus: 7.0,
            sigma_w: 0.35,
            i_exc: 10.0,
            i_inh: 8.0,
            noise: 3.0,
            cue_amplitude: 12.0,
            cue_width: 0.3,
            rate_tau: 0.05,
            record_spikes: true,
            seed: 0,
        }
    }
}

impl LifRingParams {
    setters! {
        /// Sets `n_exc`.
        n_exc: usize,
        /// Sets `n_inh`.
        n_inh: usize,
        /// Sets `dt` (s).
        dt: f64,
        /// Sets `tau_exc` (s).
        tau_exc: f64,
        /// Sets `tau_inh` (s).
        tau_inh: f64,
        /// Sets `v_rest` (mV).
        v_rest: f64,
        /// Sets `v_threshold` (mV).
        v_threshold: f64,
        /// Sets `v_reset` (mV).
        v_reset: f64,
        /// Sets `t_ref_exc` (s).
        t_ref_exc: f64,
        /// Sets `t_ref_inh` (s).
        t_ref_inh: f64,
        /// Sets `tau_ee` (s).
        tau_ee: f64,
        /// Sets `tau_ei` (s).
        tau_ei: f64,
        /// Sets `tau_inhibitory` (s).
        tau_inhibitory: f64,
        /// Sets `alpha`.
        alpha: f64,
        /// Sets `j_ee` (mV).
        j_ee: f64,
        /// Sets `j_ei` (mV).
        j_ei: f64,
        /// Sets `j_ie` (mV).
        j_ie: f64,
        /// Sets `j_ii` (mV).
        j_ii: f64,
        /// Sets `j_plus`.
        j_plus: f64,
        /// Sets `sigma_w` (rad).
        sigma_w: f64,
        /// Sets `i_exc` (mV).
        i_exc: f64,
        /// Sets `i_inh` (mV).
        i_inh: f64,
        /// Sets `noise` (mV).
        noise: f64,
        /// Sets `cue_amplitude` (mV).
        cue_amplitude: f64,
        /// Sets `cue_width` (rad).
        cue_width: f64,
        /// Sets `rate_tau` (s).
        rate_tau: f64,
        /// Sets `record_spikes`.
        record_spikes: bool,
        /// Sets `seed`.
        seed: u64,
    }

    /// The inhibition-free profile floor `J-` that gives `w` a mean of 1.
    fn j_minus(&self) -> f64 {
        // Mean over the ring of exp(-d^2 / (2 sigma^2)), summed on the grid.
        let g = self.profile_mean();
        (1.0 - self.j_plus * g) / (1.0 - g)
    }

    fn profile_mean(&self) -> f64 {
        let n = self.n_exc;
        let dx = TWO_PI / n as f64;
        (0..n)
            .map(|k| {
                let d = crate::space::angle_diff(k as f64 * dx, 0.0);
                (-d * d / (2.0 * self.sigma_w * self.sigma_w)).exp()
            })
            .sum::<f64>()
            / n as f64
    }

    /// Validates and builds the network.
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn build(&self) -> Result<LifRing> {
        LifRing::new(self.clone())
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("LifRingParams")
            .row(
                "n_exc / n_inh",
                format!("{} / {}", self.n_exc, self.n_inh),
                "excitatory (ring) / inhibitory neurons",
            )
            .row("dt", self.dt, "time step (s)")
            .row(
                "tau_exc / tau_inh",
                format!("{} / {}", self.tau_exc, self.tau_inh),
                "membrane time constants (s)",
            )
            .row(
                "V_L / V_th / V_reset",
                format!("{} / {} / {}", self.v_rest, self.v_threshold, self.v_reset),
                "mV",
            )
            .row(
                "tau_ee / tau_ei / tau_inhibitory",
                format!(
                    "{} / {} / {}",
                    self.tau_ee, self.tau_ei, self.tau_inhibitory
                ),
                "synaptic decay (s)",
            )
            .row(
                "J_EE / J_EI / J_IE / J_II",
                format!(
                    "{} / {} / {} / {}",
                    self.j_ee, self.j_ei, self.j_ie, self.j_ii
                ),
                "couplings (mV)",
            )
            .row("alpha", self.alpha, "E->E gating saturation per spike")
            .row(
                "J+ / sigma_w",
                format!("{} / {}", self.j_plus, self.sigma_w),
                "E->E profile peak / width (rad)",
            )
            .row(
                "I_E / I_I",
                format!("{} / {}", self.i_exc, self.i_inh),
                "background drive (mV)",
            )
            .row("noise", self.noise, "membrane noise std (mV)")
            .row(
                "cue",
                format!("{} mV, width {}", self.cue_amplitude, self.cue_width),
                "stimulus",
            )
            .row("seed", self.seed, "noise seed")
    }
}

impl Params for LifRingParams {
    const NAME: &'static str = "LifRingParams";

    fn validate(&self) -> Result<()> {
        check::at_least("n_exc", self.n_exc, 8)?;
        check::at_least("n_inh", self.n_inh, 1)?;
        for (f, v) in [
            ("dt", self.dt),
            ("tau_exc", self.tau_exc),
            ("tau_inh", self.tau_inh),
            ("tau_ee", self.tau_ee),
            ("tau_ei", self.tau_ei),
            ("tau_inhibitory", self.tau_inhibitory),
            ("sigma_w", self.sigma_w),
            ("cue_width", self.cue_width),
            ("rate_tau", self.rate_tau),
        ] {
            check::positive(f, v)?;
        }
        for (f, v) in [
            ("t_ref_exc", self.t_ref_exc),
            ("t_ref_inh", self.t_ref_inh),
            ("j_ee", self.j_ee),
            ("j_ei", self.j_ei),
            ("j_ie", self.j_ie),
            ("j_ii", self.j_ii),
            ("noise", self.noise),
        ] {
            check::non_negative(f, v)?;
        }
        for (f, v) in [
            ("v_rest", self.v_rest),
            ("v_threshold", self.v_threshold),
            ("v_reset", self.v_reset),
            ("i_exc", self.i_exc),
            ("i_inh", self.i_inh),
            ("cue_amplitude", self.cue_amplitude),
        ] {
            check::finite(f, v)?;
        }
        if self.v_reset >= self.v_threshold {
            return Err(ParamError::new(
                "v_reset",
                format!("< v_threshold = {}", self.v_threshold),
                self.v_reset,
            )
            .into());
        }
        if !(self.alpha > 0.0 && self.alpha <= 1.0) {
            return Err(ParamError::new("alpha", "in (0, 1]", self.alpha).into());
        }
        if !(self.j_plus.is_finite() && self.j_plus >= 1.0) {
            return Err(ParamError::new("j_plus", "finite and >= 1", self.j_plus).into());
        }
        if self.j_minus() < 0.0 {
            return Err(ParamError::new(
                "j_plus",
                format!(
                    "<= {:.3} for sigma_w = {} (the profile floor J- would be negative)",
                    1.0 / self.profile_mean(),
                    self.sigma_w
                ),
                self.j_plus,
            )
            .into());
        }
        if self.dt > 0.1 * self.tau_exc.min(self.tau_inh) {
            return Err(
                ParamError::new("dt", "<= 0.1 x the membrane time constants", self.dt).into(),
            );
        }
        Ok(())
    }
}

/// Spikes of a [`LifRing`]: times (s) and neuron indices (excitatory
/// `0..N_E`, then inhibitory `N_E..N_E + N_I`), in time order.
///
/// # Example
/// ```
/// use canns::models::SpikeLog;
/// // Usually `ring.spike_log()`; here 3 spikes of 8 excitatory and 2
/// // inhibitory neurons written by hand.
/// let log = SpikeLog { t: vec![0.01, 0.02, 0.03], neuron: vec![6, 6, 9], n_exc: 8, n_inh: 2 };
/// let (exc, inh) = log.population_rates(0.0, 0.1);
/// assert!((exc - 2.0 / (8.0 * 0.1)).abs() < 1e-12 && (inh - 1.0 / (2.0 * 0.1)).abs() < 1e-12);
/// assert_eq!(log.to_string(), "SpikeLog(3 spikes, 8 + 2 neurons, t <= 0.030 s)");
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SpikeLog {
    /// Spike times (s).
    pub t: Vec<f64>,
    /// Neuron of each spike.
    pub neuron: Vec<u32>,
    /// Number of excitatory neurons (indices below it are on the ring).
    pub n_exc: usize,
    /// Number of inhibitory neurons.
    pub n_inh: usize,
}

/// The bump decoded from excitatory spikes in time bins (see
/// [`SpikeLog::bump`]).
///
/// # Example
/// ```
/// use canns::models::SpikeLog;
/// // Two spikes of excitatory neuron 6 of 8 (at -pi + 2 pi 6 / 8 = pi / 2)
/// // in the first 50 ms bin, none in the second.
/// let log = SpikeLog { t: vec![0.01, 0.02], neuron: vec![6, 6], n_exc: 8, n_inh: 2 };
/// let bump = log.bump(0.0, 0.1, 0.05)?;
/// assert_eq!(bump.t.len(), 2); // bin centres 0.025 and 0.075 s
/// assert!((bump.centre[0] - std::f64::consts::FRAC_PI_2).abs() < 1e-12);
/// assert!((bump.concentration[0] - 1.0).abs() < 1e-12 && bump.centre[1].is_nan());
/// assert!((bump.rate[0] - 2.0 / (8.0 * 0.05)).abs() < 1e-12);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct BumpTrace {
    /// Bin centres (s).
    pub t: Vec<f64>,
    /// Population-vector angle of the spikes in each bin (rad; NaN without spikes).
    pub centre: Vec<f64>,
    /// Mean excitatory rate in each bin (Hz).
    pub rate: Vec<f64>,
    /// Length of the population vector over the spike count, in [0, 1]: 0 for
    /// spikes spread evenly, 1 for spikes all at one angle.
    pub concentration: Vec<f64>,
}

impl SpikeLog {
    /// Number of spikes.
    pub fn len(&self) -> usize {
        self.t.len()
    }

    /// Whether there is no spike.
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }

    /// Mean rate (Hz) of the excitatory and inhibitory populations over `[t0, t1)`.
    pub fn population_rates(&self, t0: f64, t1: f64) -> (f64, f64) {
        let (mut e, mut i) = (0usize, 0usize);
        for (&t, &n) in self.t.iter().zip(&self.neuron) {
            if t >= t0 && t < t1 {
                if (n as usize) < self.n_exc {
                    e += 1;
                } else {
                    i += 1;
                }
            }
        }
        let d = (t1 - t0).max(f64::MIN_POSITIVE);
        (
            e as f64 / (self.n_exc as f64 * d),
            i as f64 / (self.n_inh.max(1) as f64 * d),
        )
    }

    /// The bump decoded in bins of `bin` seconds from `t0` to `t1`: the
    /// population vector of the excitatory spikes of each bin (neuron `i` at
    /// angle `-pi + 2 pi i / N_E`).
    ///
    /// # Errors
    /// [`Error::Param`] when `bin` is not positive or `t1 <= t0`.
    pub fn bump(&self, t0: f64, t1: f64, bin: f64) -> Result<BumpTrace> {
        check::positive("bin", bin)?;
        check::finite("t0", t0)?;
        check::positive("t1 - t0", t1 - t0)?;
        let n_bins = ((t1 - t0) / bin).ceil() as usize;
        let x = ring_positions(self.n_exc);
        let (cos, sin): (Vec<f64>, Vec<f64>) = x.iter().map(|a| (a.cos(), a.sin())).unzip();
        let mut c = vec![0.0; n_bins];
        let mut s = vec![0.0; n_bins];
        let mut count = vec![0usize; n_bins];
        for (&t, &n) in self.t.iter().zip(&self.neuron) {
            let n = n as usize;
            if n >= self.n_exc || t < t0 || t >= t1 {
                continue;
            }
            let b = (((t - t0) / bin) as usize).min(n_bins - 1);
            c[b] += cos[n];
            s[b] += sin[n];
            count[b] += 1;
        }
        let mut trace = BumpTrace {
            t: (0..n_bins).map(|b| t0 + (b as f64 + 0.5) * bin).collect(),
            centre: Vec::with_capacity(n_bins),
            rate: Vec::with_capacity(n_bins),
            concentration: Vec::with_capacity(n_bins),
        };
        for b in 0..n_bins {
            let k = count[b] as f64;
            trace.centre.push(if count[b] > 0 {
                s[b].atan2(c[b])
            } else {
                f64::NAN
            });
            trace.rate.push(k / (self.n_exc as f64 * bin));
            trace.concentration.push(if count[b] > 0 {
                (c[b].hypot(s[b])) / k
            } else {
                0.0
            });
        }
        Ok(trace)
    }

    /// A raster of the spikes in `[t0, t1)`: excitatory neurons by preferred
    /// angle (degrees), inhibitory neurons below them.
    pub fn plot_raster(&self, t0: f64, t1: f64) -> Figure {
        let (mut te, mut ye, mut ti, mut yi) = (vec![], vec![], vec![], vec![]);
        let deg = 360.0 / self.n_exc as f64;
        let below = 360.0 / self.n_inh.max(1) as f64 * 0.25;
        for (&t, &n) in self.t.iter().zip(&self.neuron) {
            if t < t0 || t >= t1 {
                continue;
            }
            let n = n as usize;
            let t = (t * 1e4).round() / 1e4;
            if n < self.n_exc {
                te.push(t);
                ye.push(-180.0 + n as f64 * deg);
            } else {
                ti.push(t);
                yi.push(-200.0 - (n - self.n_exc) as f64 * below);
            }
        }
        let mut plot = Plot::new();
        let marker = |c: &str| Marker::new().size(2).color(c.to_string());
        plot.add_trace(
            Scatter::new(te, ye)
                .mode(Mode::Markers)
                .name("excitatory")
                .marker(marker("#1f77b4")),
        );
        plot.add_trace(
            Scatter::new(ti, yi)
                .mode(Mode::Markers)
                .name("inhibitory")
                .marker(marker("#d62728")),
        );
        plot.set_layout(crate::display::layout(
            "Spike raster (excitatory by preferred angle; inhibitory below)",
            "time (s)",
            "preferred angle (deg)",
        ));
        plot.into()
    }
}

impl BumpTrace {
    /// The decoded centre (and, dashed, a reference such as the cue) over time.
    pub fn plot(&self, reference: Option<&[f64]>) -> Figure {
        let deg: Vec<f64> = self.centre.iter().map(|c| c.to_degrees()).collect();
        let mut series = vec![Series::markers("decoded bump centre", self.t.clone(), deg)];
        if let Some(r) = reference {
            series.push(Series::dashed(
                "cue",
                self.t.clone(),
                r.iter().map(|c| c.to_degrees()).collect(),
            ));
        }
        lines("Decoded bump", "time (s)", "angle (deg)", series)
    }
}

impl Render for BumpTrace {
    fn bundle(&self) -> Bundle {
        Bundle::figure(self.plot(None).plot(), "", self.to_string())
    }
}

impl Render for SpikeLog {
    fn bundle(&self) -> Bundle {
        let t1 = self.t.last().copied().unwrap_or(0.0) + 1e-9;
        let t0 = (t1 - 2.0).max(0.0);
        Bundle::figure(self.plot_raster(t0, t1).plot(), "", self.to_string())
    }
}

/// Per-step constants that depend on `dt`.
#[derive(Debug, Clone, PartialEq)]
struct Decay {
    dt: f64,
    mem_e: f64,
    mem_i: f64,
    noise_e: f64,
    noise_i: f64,
    ee: f64,
    ei: f64,
    inh: f64,
    rate: f64,
    ref_e: u32,
    ref_i: u32,
}

impl Decay {
    fn new(p: &LifRingParams, dt: f64) -> Self {
        let a = |tau: f64| (-dt / tau).exp();
        Self {
            dt,
            mem_e: a(p.tau_exc),
            mem_i: a(p.tau_inh),
            noise_e: p.noise * (1.0 - a(p.tau_exc).powi(2)).sqrt(),
            noise_i: p.noise * (1.0 - a(p.tau_inh).powi(2)).sqrt(),
            ee: a(p.tau_ee),
            ei: a(p.tau_ei),
            inh: a(p.tau_inhibitory),
            rate: a(p.rate_tau),
            ref_e: (p.t_ref_exc / dt).round() as u32,
            ref_i: (p.t_ref_inh / dt).round() as u32,
        }
    }
}

/// `LifRing`: a spiking ring attractor of leaky integrate-and-fire neurons,
/// after the working-memory network of Compte, Brunel, Goldman-Rakic & Wang
/// (2000): excitatory neurons on a ring with slow (NMDA-like), local
/// recurrent excitation, and an inhibitory population that inhibits every
/// excitatory neuron alike. A brief cue starts a bump of activity that
/// outlasts the cue (persistent activity) and follows a moving cue.
///
/// Each neuron `i` (excitatory: `x_i = -pi + 2 pi i / N_E`):
///
/// ```text
/// tau_m dV_i/dt = -(V_i - V_L) + mu_i + sigma sqrt(2 tau_m) xi_i(t)
/// V_i >= V_th  ->  spike, V_i <- V_reset, held for t_ref
/// mu_i (E) = I_E + J_EE/N_E sum_j w(x_i - x_j) g_j + I_ext,i - J_IE/N_I sum_k s_k^IE
/// mu_k (I) = I_I + J_EI/N_E sum_j s_j^EI - J_II/N_I sum_l s_l^II
/// dg/dt = -g / tau_EE, and g <- g + alpha (1 - g) at each spike          (NMDA-like, saturating)
/// ds/dt = -s / tau_syn + sum_spikes delta(t - t_spike)                  (the other synapses)
/// w(d)  = J- + (J+ - J-) exp(-d^2 / (2 sigma_w^2)),   mean of w over the ring = 1
/// ```
///
/// The saturating E->E gating `g` (in [0, 1]; Poisson firing at rate `r`
/// holds it at `r alpha tau / (1 + r alpha tau)`) bounds the recurrent
/// excitation, which sets the height of the bump (Wang 1999).
///
/// Currents are in mV (the voltage they hold the membrane at), `sigma` is the
/// standard deviation of the free membrane potential, and each step applies
/// the exact solution of the Ornstein-Uhlenbeck membrane over `dt` and the
/// exact decay of every synaptic variable. Recurrent excitation is updated
/// by events: a spike of neuron `j` adds the shifted profile `w` to the
/// filtered input of every excitatory neuron, so a step costs `O(N)` plus
/// `O(N_E)` per excitatory spike. A moving cue drags the bump because the
/// connectivity is translation invariant (Zhang 1996; Compte et al. 2000).
///
/// Differences from Compte et al. (2000), for speed and simplicity:
/// current-based instead of conductance-based synapses, one synaptic time
/// constant per connection type (E->E slow as NMDA, the rest fast), Gaussian
/// membrane noise instead of Poisson background spikes, 800 + 200 neurons by
/// default instead of 2048 + 512.
///
/// ## Examples
/// ```
/// use canns::models::{FeatureMap, LifRing, Model};
/// let mut ring = LifRing::params().build()?;
/// let cue = ring.stimulus_at(&[1.0])?;
/// ring.run(0.25, &cue)?;                            // cue on for 250 ms
/// ring.run(0.5, &vec![0.0; ring.n_neurons()])?;    // then 500 ms without input
/// let centre = canns::analysis::centre_1d(ring.r()).unwrap();
/// assert!(canns::space::angle_diff(centre, 1.0).abs() < 0.5);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Compte, Brunel, Goldman-Rakic & Wang (2000), Cerebral Cortex
///   10(9):910-923, "Synaptic mechanisms and network dynamics underlying
///   spatial working memory in a cortical network model".
/// - Wang (1999), J. Neurosci. 19(21):9587-9603 (NMDA and persistent activity).
/// - Brunel & Hakim (1999), Neural Computation 11(7):1621-1671 (LIF networks
///   with noise).
///
/// # Example
/// ```
/// use canns::models::{FeatureMap, LifRing, Model};
/// // A small ring (160 + 40 neurons) under a cue at -2 rad for 150 ms.
/// let mut ring = LifRing::params().n_exc(160).n_inh(40).dt(2e-4).build()?;
/// let cue = ring.stimulus_at(&[-2.0])?;
/// ring.run(0.15, &cue)?;
/// let bump = ring.spike_log().bump(0.05, 0.15, 0.1)?;
/// assert!(canns::space::angle_diff(bump.centre[0], -2.0).abs() < 0.3, "{:?}", bump.centre);
/// assert!(ring.to_string().starts_with("LifRing(160 E + 40 I LIF, t = 0.150 s"), "{ring}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct LifRing {
    params: LifRingParams,
    x: Vec<f64>,
    /// E->E profile by ring offset, already scaled by `J_EE / N_E`.
    kernel: Vec<f64>,
    /// Membrane potentials: excitatory then inhibitory.
    v: Vec<f64>,
    refractory: Vec<u32>,
    /// Filtered recurrent excitation of every excitatory neuron (mV).
    ee: Vec<f64>,
    /// E->E gating of every excitatory neuron, in [0, 1].
    gate: Vec<f64>,
    /// Summed E->I, I->E and I->I activations (the connections are uniform).
    s_ei: f64,
    s_inh: f64,
    rate: Vec<f64>,
    spiked: Vec<u32>,
    log: SpikeLog,
    decay: Decay,
    rng: SeededRng,
    t: f64,
    steps: usize,
}

impl LifRing {
    /// Default parameters, to adjust and [`LifRingParams::build`].
    pub fn params() -> LifRingParams {
        LifRingParams::default()
    }

    /// Builds the network at rest (potentials drawn uniformly between reset
    /// and threshold, no synaptic activity).
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value.
    pub fn new(params: LifRingParams) -> Result<Self> {
        params.validate()?;
        let n_e = params.n_exc;
        let dx = TWO_PI / n_e as f64;
        let jm = params.j_minus();
        let scale = params.j_ee / n_e as f64;
        let kernel = (0..n_e)
            .map(|k| {
                let d = crate::space::angle_diff(k as f64 * dx, 0.0);
                scale
                    * (jm
                        + (params.j_plus - jm)
                            * (-d * d / (2.0 * params.sigma_w * params.sigma_w)).exp())
            })
            .collect();
        let n = n_e + params.n_inh;
        let mut net = Self {
            x: ring_positions(n_e),
            kernel,
            v: vec![0.0; n],
            refractory: vec![0; n],
            ee: vec![0.0; n_e],
            gate: vec![0.0; n_e],
            s_ei: 0.0,
            s_inh: 0.0,
            rate: vec![0.0; n_e],
            spiked: Vec::new(),
            log: SpikeLog {
                n_exc: n_e,
                n_inh: params.n_inh,
                ..SpikeLog::default()
            },
            decay: Decay::new(&params, params.dt),
            rng: crate::random::seeded(params.seed),
            t: 0.0,
            steps: 0,
            params,
        };
        net.reset();
        Ok(net)
    }

    /// The parameters this network was built with.
    pub fn parameters(&self) -> &LifRingParams {
        &self.params
    }

    /// Preferred angle of every excitatory neuron (rad).
    pub fn positions(&self) -> &[f64] {
        &self.x
    }

    /// Membrane potentials of all neurons, excitatory then inhibitory (mV).
    pub fn potentials(&self) -> &[f64] {
        &self.v
    }

    /// Neurons that spiked in the last step (excitatory `0..N_E`, then inhibitory).
    pub fn spiked(&self) -> &[u32] {
        &self.spiked
    }

    /// Every spike since the last reset (when `record_spikes`).
    pub fn spike_log(&self) -> &SpikeLog {
        &self.log
    }

    /// Empties the spike log (the network state is unchanged).
    pub fn clear_spike_log(&mut self) {
        self.log.t.clear();
        self.log.neuron.clear();
    }

    /// Runs for `duration` seconds (whole steps of `dt`) with a constant
    /// external current `input` (mV, one value per excitatory neuron).
    ///
    /// # Errors
    /// As [`Model::step`].
    pub fn run(&mut self, duration: f64, input: &[f64]) -> Result<()> {
        check::non_negative("duration", duration)?;
        let n = (duration / self.params.dt).round() as usize;
        let work = (n * (self.v.len() + 20 * self.params.n_exc)) as f64;
        let mut bar = Progress::new("LifRing", n, work, ShowProgress::Auto);
        for k in 0..n {
            self.step(self.params.dt, input)?;
            if k % 1000 == 999 {
                bar.update(k + 1);
            }
        }
        bar.update(n);
        Ok(())
    }

    // One index runs over the voltage, refractory, synaptic and input arrays.
    #[allow(clippy::needless_range_loop)]
    fn advance(&mut self, input: &[f64]) {
        let p = &self.params;
        let d = &self.decay;
        let n_e = p.n_exc;
        let (th, reset, rest) = (p.v_threshold, p.v_reset, p.v_rest);
        let inh_e = p.j_ie / p.n_inh as f64 * self.s_inh;
        let mu_i =
            rest + p.i_inh + p.j_ei / n_e as f64 * self.s_ei - p.j_ii / p.n_inh as f64 * self.s_inh;
        let mu_e0 = rest + p.i_exc - inh_e;
        self.spiked.clear();
        for i in 0..self.v.len() {
            let exc = i < n_e;
            if self.refractory[i] > 0 {
                self.refractory[i] -= 1;
                continue;
            }
            let (mu, a, sd) = if exc {
                (mu_e0 + self.ee[i] + input[i], d.mem_e, d.noise_e)
            } else {
                (mu_i, d.mem_i, d.noise_i)
            };
            let z: f64 = StandardNormal.sample(&mut self.rng);
            let v = mu + (self.v[i] - mu) * a + sd * z;
            if v >= th {
                self.v[i] = reset;
                self.refractory[i] = if exc { d.ref_e } else { d.ref_i };
                self.spiked.push(i as u32);
            } else {
                self.v[i] = v;
            }
        }
        // Synapses: exact decay over the step, then this step's spikes.
        for (e, g) in self.ee.iter_mut().zip(self.gate.iter_mut()) {
            *e *= d.ee;
            *g *= d.ee;
        }
        for r in self.rate.iter_mut() {
            *r *= d.rate;
        }
        self.s_ei *= d.ei;
        self.s_inh *= d.inh;
        let jump = 1.0 / p.rate_tau;
        self.t += d.dt;
        self.steps += 1;
        for &j in &self.spiked {
            let j = j as usize;
            if j < n_e {
                // The gating jumps by alpha (1 - g); every target's excitation
                // by that jump times kernel[(i - j) mod N_E].
                let jump_g = p.alpha * (1.0 - self.gate[j]);
                self.gate[j] += jump_g;
                let (head, tail) = self.ee.split_at_mut(j);
                for (e, k) in tail.iter_mut().zip(&self.kernel) {
                    *e += jump_g * k;
                }
                for (e, k) in head.iter_mut().zip(&self.kernel[n_e - j..]) {
                    *e += jump_g * k;
                }
                self.s_ei += 1.0;
                self.rate[j] += jump;
            } else {
                self.s_inh += 1.0;
            }
            if p.record_spikes {
                self.log.t.push(self.t);
                self.log.neuron.push(j as u32);
            }
        }
    }

    /// The firing-rate estimate `r` (Hz) of the excitatory neurons over the ring.
    pub fn plot_state(&self) -> Figure {
        let deg: Vec<f64> = self.x.iter().map(|x| x.to_degrees()).collect();
        lines(
            &format!("LifRing rates at t = {:.3} s", self.t),
            "preferred angle (deg)",
            "rate (Hz)",
            vec![Series::line("r (excitatory)", deg, self.rate.clone())],
        )
    }
}

impl Model for LifRing {
    fn name(&self) -> &'static str {
        "lif_ring"
    }
    fn shape(&self) -> Vec<usize> {
        vec![self.params.n_exc]
    }
    fn n_neurons(&self) -> usize {
        self.params.n_exc
    }
    /// Advances by `dt` seconds; `input` is an extra current (mV) for each
    /// excitatory neuron. The inhibitory neurons receive no external input.
    fn step(&mut self, dt: f64, input: &[f64]) -> Result<()> {
        check::positive("dt", dt)?;
        if dt > 0.1 * self.params.tau_exc.min(self.params.tau_inh) {
            return Err(ParamError::new("dt", "<= 0.1 x the membrane time constants", dt).into());
        }
        if input.len() != self.params.n_exc {
            return Err(Error::shape("input", self.params.n_exc, input.len()));
        }
        if let Some(i) = input.iter().position(|v| !v.is_finite()) {
            return Err(Error::Invalid(format!(
                "input[{i}] must be finite (got {})",
                input[i]
            )));
        }
        if dt != self.decay.dt {
            self.decay = Decay::new(&self.params, dt);
        }
        self.advance(input);
        Ok(())
    }
    fn reset(&mut self) {
        self.rng = crate::random::seeded(self.params.seed);
        let (lo, hi) = (self.params.v_reset, self.params.v_threshold);
        for v in self.v.iter_mut() {
            let u: f64 = rand::RngExt::random(&mut self.rng);
            *v = lo + (hi - lo) * u;
        }
        self.refractory.fill(0);
        self.ee.fill(0.0);
        self.gate.fill(0.0);
        self.rate.fill(0.0);
        self.s_ei = 0.0;
        self.s_inh = 0.0;
        self.spiked.clear();
        self.clear_spike_log();
        self.t = 0.0;
        self.steps = 0;
    }
    fn u(&self) -> &[f64] {
        &self.v[..self.params.n_exc]
    }
    fn r(&self) -> &[f64] {
        &self.rate
    }
    fn time(&self) -> f64 {
        self.t
    }
}

impl FeatureMap for LifRing {
    fn feature_dim(&self) -> usize {
        1
    }
    fn write_preferred(&self, i: usize, out: &mut [f64]) {
        out[0] = self.x[i];
    }
    fn write_stimulus(&self, pos: &[f64], out: &mut [f64]) {
        let w = self.params.cue_width;
        ring_gaussian(pos[0], self.params.cue_amplitude, 2.0 * w * w, out);
    }
    fn stimulus_amplitude(&self) -> f64 {
        self.params.cue_amplitude
    }
}

impl std::fmt::Display for LifRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = &self.params;
        write!(
            f,
            "LifRing({} E + {} I LIF, t = {:.3} s, {} spikes logged)",
            p.n_exc,
            p.n_inh,
            self.t,
            self.log.len()
        )
    }
}

impl std::fmt::Debug for LifRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for SpikeLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SpikeLog({} spikes, {} + {} neurons, t <= {:.3} s)",
            self.len(),
            self.n_exc,
            self.n_inh,
            self.t.last().copied().unwrap_or(0.0)
        )
    }
}

impl std::fmt::Debug for SpikeLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for BumpTrace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "BumpTrace({} bins, {:.3} to {:.3} s)",
            self.t.len(),
            self.t.first().copied().unwrap_or(0.0),
            self.t.last().copied().unwrap_or(0.0)
        )
    }
}

impl std::fmt::Debug for BumpTrace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl Render for LifRing {
    fn bundle(&self) -> Bundle {
        let table = self
            .params
            .table()
            .row("t", format!("{:.4}", self.t), "time (s)")
            .to_html();
        let t1 = self.t + 1e-9;
        let fig = self.log.plot_raster((t1 - 2.0).max(0.0), t1);
        let mut b = Bundle::figure(fig.plot(), &table, self.to_string());
        b.html
            .push_str(&crate::display::plot_html(self.plot_state().plot()));
        b
    }
}

impl Render for LifRingParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(self.table().to_html(), format!("{self:?}"))
    }
}

crate::display::evcxr_display_via_render!(LifRingParams, LifRing, SpikeLog, BumpTrace);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_has_mean_one_and_rejects_impossible_peaks() {
        let p = LifRing::params();
        let ring = p.build().unwrap();
        let mean: f64 = ring.kernel.iter().sum::<f64>() / p.j_ee;
        assert!((mean - 1.0).abs() < 1e-12, "{mean}");
        let e = LifRing::params()
            .j_plus(100.0)
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("`j_plus`") && e.contains("100"), "{e}");
    }

    #[test]
    fn build_rejects_bad_values_naming_field_and_value() {
        let cases = [
            (LifRing::params().n_exc(2), "`n_exc`"),
            (LifRing::params().dt(0.0), "`dt`"),
            (LifRing::params().dt(0.01), "`dt`"),
            (LifRing::params().tau_ee(-1.0), "`tau_ee`"),
            (LifRing::params().j_ie(-1.0), "`j_ie`"),
            (LifRing::params().v_reset(-40.0), "`v_reset`"),
            (LifRing::params().noise(f64::NAN), "`noise`"),
        ];
        for (p, field) in cases {
            let e = p.build().unwrap_err().to_string();
            assert!(e.contains(field) && e.contains("got"), "{e}");
        }
    }

    #[test]
    fn params_round_trip_through_json() {
        let p = LifRing::params().n_exc(100).j_plus(3.0).seed(4);
        assert_eq!(LifRingParams::from_json(&p.to_json()).unwrap(), p);
    }

    #[test]
    fn event_driven_excitation_equals_the_dense_sum() {
        let mut ring = LifRing::params().n_exc(64).n_inh(16).build().unwrap();
        let input = vec![30.0; 64];
        for _ in 0..200 {
            ring.step(1e-4, &input).unwrap();
        }
        // The filtered excitation is the dense sum over the gatings.
        let want: Vec<f64> = (0..64)
            .map(|i| {
                (0..64)
                    .map(|j| ring.kernel[(i + 64 - j) % 64] * ring.gate[j])
                    .sum()
            })
            .collect();
        assert!(!ring.spike_log().is_empty());
        assert!(ring.gate.iter().all(|&g| (0.0..=1.0).contains(&g)));
        for (a, b) in ring.ee.iter().zip(&want) {
            assert!((a - b).abs() < 1e-9 * (1.0 + b.abs()), "{a} vs {b}");
        }
    }
}
