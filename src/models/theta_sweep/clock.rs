use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render, Series};
use crate::error::{ParamError, Result};
use crate::params::check;
use crate::params::{setters, Params};
use serde::{Deserialize, Serialize};
use std::f64::consts::{PI, TAU};

/// Parameters of [`ThetaClock`].
///
/// # Example
/// ```
/// use canns::models::ThetaClock;
/// // An 8 Hz rhythm (125 ms cycles) stepped at 0.5 ms.
/// let clock = ThetaClock::params().cycle_len(125.0).dt(0.5).build()?;
/// assert_eq!(clock.steps_per_cycle(), 250.0);
/// assert_eq!(clock.cycle(600), 2); // 300 ms
/// // A step longer than the cycle is an error naming the field.
/// let err = ThetaClock::params().cycle_len(10.0).dt(20.0).build().unwrap_err();
/// assert!(err.to_string().contains("`dt`"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThetaClockParams {
    /// Theta cycle length `L` (ms). Default 100 (10 Hz).
    pub cycle_len: f64,
    /// Network time step `dt` (ms). Default 1.
    pub dt: f64,
    /// Theta strength of the head-direction drive `s_hd`. Default 1.
    pub strength_hd: f64,
    /// Theta strength of the grid (and place) drive `s_gc`. Default 1.
    pub strength_gc: f64,
    /// Running speed giving a linear gain of 1 (m/s); faster saturates. Default 1.
    pub v_max: f64,
    /// Angular speed giving an angular gain of 1 (rad/s); faster saturates.
    /// Default `2 pi`.
    pub omega_max: f64,
    /// Keep the sign of the angular gain, as `canns` does. Default false.
    pub canns_compat: bool,
}

impl Default for ThetaClockParams {
    fn default() -> Self {
        Self {
            cycle_len: 100.0,
            dt: 1.0,
            strength_hd: 1.0,
            strength_gc: 1.0,
            v_max: 1.0,
            omega_max: TAU,
            canns_compat: false,
        }
    }
}

impl ThetaClockParams {
    setters! {
        /// Sets `cycle_len` (ms).
        cycle_len: f64,
        /// Sets `dt` (ms).
        dt: f64,
        /// Sets `strength_hd`.
        strength_hd: f64,
        /// Sets `strength_gc`.
        strength_gc: f64,
        /// Sets `v_max` (m/s).
        v_max: f64,
        /// Sets `omega_max` (rad/s).
        omega_max: f64,
        /// Sets `canns_compat`.
        canns_compat: bool,
    }

    /// Validates and builds the clock.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) naming the invalid field and value.
    pub fn build(&self) -> Result<ThetaClock> {
        self.validate()?;
        Ok(ThetaClock {
            params: self.clone(),
        })
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("ThetaClockParams")
            .row("cycle_len", self.cycle_len, "theta cycle L (ms)")
            .row("dt", self.dt, "network step (ms)")
            .row("strength_hd", self.strength_hd, "s_hd")
            .row("strength_gc", self.strength_gc, "s_gc")
            .row("v_max", self.v_max, "speed of linear gain 1 (m/s)")
            .row(
                "omega_max",
                self.omega_max,
                "angular speed of gain 1 (rad/s)",
            )
            .row("canns_compat", self.canns_compat, "signed angular gain")
    }
}

impl Params for ThetaClockParams {
    const NAME: &'static str = "ThetaClockParams";

    fn validate(&self) -> Result<()> {
        check::positive("cycle_len", self.cycle_len)?;
        check::positive("dt", self.dt)?;
        if self.dt > self.cycle_len {
            return Err(ParamError::new(
                "dt",
                format!("<= cycle_len = {} ms", self.cycle_len),
                self.dt,
            )
            .into());
        }
        check::finite("strength_hd", self.strength_hd)?;
        check::finite("strength_gc", self.strength_gc)?;
        check::positive("v_max", self.v_max)?;
        check::positive("omega_max", self.omega_max)?;
        Ok(())
    }
}

impl Render for ThetaClockParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(self.table().to_html(), format!("{self:?}"))
    }
}

/// The theta phase and the drive modulations at one step.
///
/// # Example
/// ```
/// use canns::models::ThetaClock;
/// let clock = ThetaClock::params().build()?; // L = 100 ms, dt = 1 ms, v_max = 1 m/s
/// // Running at 0.5 m/s without turning, at the start of a cycle (phase -pi):
/// let m = clock.modulation(0, 0.5, 0.0);
/// assert_eq!((m.cycle, m.linear_gain, m.angular_gain), (0, 0.5, 0.0));
/// assert!((m.phase + std::f64::consts::PI).abs() < 1e-12);
/// assert!(m.gc.abs() < 1e-12); // 1 + (1/2 + 0.5) cos(-pi)
/// assert!((m.hd - 0.5).abs() < 1e-12); // 1 + (1/2 + 0) cos(-pi)
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThetaModulation {
    /// Theta phase (rad, in [-pi, pi); -pi at the start of a cycle).
    pub phase: f64,
    /// Index of the theta cycle (0 for the first `L` ms).
    pub cycle: usize,
    /// Linear speed gain in [0, 1].
    pub linear_gain: f64,
    /// Angular speed gain in [0, 1] ([-1, 1] with `canns_compat`).
    pub angular_gain: f64,
    /// Modulation of the head-direction drive, `1 + s_hd (1/2 + ang_gain) cos(phase)`.
    pub hd: f64,
    /// Modulation of the grid/place drive, `1 + s_gc (1/2 + lin_gain) cos(phase)`.
    pub gc: f64,
}

/// The theta clock: phase, cycle index and the theta modulation of the
/// networks' external drive by running and turning speed.
///
/// ```text
/// phase(i)  = 2 pi mod(i dt, L) / L - pi                (rad, in [-pi, pi))
/// cycle(i)  = floor(i dt / L)
/// lin_gain  = min(speed / v_max, 1)                       in [0, 1]
/// ang_gain  = min(|omega| / omega_max, 1)                 in [0, 1]
/// mod_hd    = 1 + s_hd (1/2 + ang_gain) cos(phase)
/// mod_gc    = 1 + s_gc (1/2 + lin_gain) cos(phase)
/// ```
///
/// Units are explicit: the clock counts network steps of `dt`
/// milliseconds, the cycle length `L` is in milliseconds, speeds come from
/// trajectories in m/s and rad/s. A cycle starts at phase `-pi`, where
/// `cos = -1` and the drive is weakest; the drive peaks mid-cycle.
///
/// Two deliberate differences from the Python `canns` package
/// (`calculate_theta_modulation`):
///
/// * the gains are normalised by explicit `v_max` and `omega_max`, not by the
///   maximum over the whole trajectory (which made them non-causal and
///   dependent on the trajectory's length);
/// * the angular gain is `|omega| / omega_max`: `canns` keeps its sign, so a
///   fast right turn (gain below -1/2) inverts the modulation. Set
///   [`ThetaClockParams::canns_compat`] to keep the sign (gain in [-1, 1]).
///
/// With `s = 1` and a gain of 1 the modulation reaches `1 - 1.5 = -0.5`: the
/// external drive is then negative (inhibitory) at the start of a cycle. That
/// is the model's behaviour, not an error.
///
/// The removed `canns` `ThetaSweepPipeline` passed a 1 ms cycle clock a step
/// of 0.001 (seconds), so its phase advanced 10^-5 cycles per step and the
/// sweeps ran without theta; here the clock has its own `dt` and the cycle
/// length the same unit, and [`ThetaClock::phase`] is tested to advance one
/// cycle per cycle length.
///
/// ## Examples
/// ```
/// use canns::models::ThetaClock;
/// let clock = ThetaClock::params().cycle_len(100.0).dt(1.0).build()?;
/// assert_eq!(clock.steps_per_cycle(), 100.0);
/// assert!((clock.phase(0) + std::f64::consts::PI).abs() < 1e-12);
/// assert!(clock.phase(50).abs() < 1e-12);
/// assert_eq!(clock.cycle(250), 2);
/// // Turning at omega_max: the head-direction drive swings between -0.5 and 2.5.
/// let m = clock.modulation(50, 0.0, clock.parameters().omega_max);
/// assert!((m.hd - 2.5).abs() < 1e-12);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Ji, Z., Chu, T., Wu, S. & Burgess, N. (2025). A systems model of
///   alternating theta sweeps via firing rate adaptation. Curr Biol
///   35(4):709-722.
///
/// A theta clock counting network steps.
///
/// The clock holds no running state: every quantity is a function of the
/// step index, so a run can be replayed or split without drift.
///
/// # Example
/// ```
/// use canns::models::ThetaClock;
/// let clock = ThetaClock::params().build()?;
/// // The grid drive peaks mid-cycle (phase 0) and is weakest at its start;
/// // a speed beyond v_max saturates the gain at 1.
/// let gc: Vec<f64> = (0..100).map(|i| clock.modulation(i, 2.0, 0.0).gc).collect();
/// let peak = (0..100).max_by(|&a, &b| gc[a].total_cmp(&gc[b])).unwrap();
/// assert_eq!(peak, 50);
/// assert!((gc[50] - 2.5).abs() < 1e-12 && (gc[0] + 0.5).abs() < 1e-12);
/// assert_eq!(clock.time(250), 250.0); // ms
/// assert!(clock.to_string().starts_with("ThetaClock(L=100 ms"), "{clock}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ThetaClock {
    params: ThetaClockParams,
}

impl ThetaClock {
    /// Default parameters, to adjust and [`ThetaClockParams::build`].
    pub fn params() -> ThetaClockParams {
        ThetaClockParams::default()
    }

    /// The parameters this clock was built with.
    pub fn parameters(&self) -> &ThetaClockParams {
        &self.params
    }

    /// Network steps per theta cycle (`L / dt`, not necessarily whole).
    pub fn steps_per_cycle(&self) -> f64 {
        self.params.cycle_len / self.params.dt
    }

    /// Time of step `step` (ms).
    pub fn time(&self, step: usize) -> f64 {
        step as f64 * self.params.dt
    }

    /// Cycles elapsed at `step`, split into the whole cycles and the
    /// fraction of the current one (in [0, 1)). A time that rounding puts a
    /// hair below a multiple of `L` counts as the start of the next cycle.
    fn cycles(&self, step: usize) -> (usize, f64) {
        let x = step as f64 * self.params.dt / self.params.cycle_len;
        let whole = (x + 1e-9).floor();
        (whole as usize, (x - whole).max(0.0))
    }

    /// Theta phase at `step` (rad, in [-pi, pi)).
    pub fn phase(&self, step: usize) -> f64 {
        TAU * self.cycles(step).1 - PI
    }

    /// Theta cycle index at `step`.
    pub fn cycle(&self, step: usize) -> usize {
        self.cycles(step).0
    }

    /// Linear gain of a running speed (m/s): `min(|speed| / v_max, 1)`.
    pub fn linear_gain(&self, speed: f64) -> f64 {
        if !speed.is_finite() {
            return 0.0;
        }
        (speed.abs() / self.params.v_max).min(1.0)
    }

    /// Angular gain of an angular velocity (rad/s): `min(|omega| / omega_max,
    /// 1)`, or the signed `clamp(omega / omega_max, -1, 1)` with `canns_compat`.
    pub fn angular_gain(&self, omega: f64) -> f64 {
        if !omega.is_finite() {
            return 0.0;
        }
        let g = omega / self.params.omega_max;
        if self.params.canns_compat {
            g.clamp(-1.0, 1.0)
        } else {
            g.abs().min(1.0)
        }
    }

    /// Phase and modulations at `step` for a running speed (m/s) and angular
    /// velocity (rad/s). Non-finite speeds count as 0.
    pub fn modulation(&self, step: usize, speed: f64, omega: f64) -> ThetaModulation {
        self.modulation_from_gains(step, self.linear_gain(speed), self.angular_gain(omega))
    }

    /// Phase and modulations at `step` for given gains (used as they are:
    /// this is how `canns` takes them).
    pub fn modulation_from_gains(
        &self,
        step: usize,
        linear_gain: f64,
        angular_gain: f64,
    ) -> ThetaModulation {
        let phase = self.phase(step);
        let c = phase.cos();
        ThetaModulation {
            phase,
            cycle: self.cycle(step),
            linear_gain,
            angular_gain,
            hd: 1.0 + self.params.strength_hd * (0.5 + angular_gain) * c,
            gc: 1.0 + self.params.strength_gc * (0.5 + linear_gain) * c,
        }
    }

    /// Plot of the phase and both modulations over `n_cycles` cycles at the
    /// given constant gains.
    pub fn plot(&self, n_cycles: usize, linear_gain: f64, angular_gain: f64) -> Figure {
        let n = ((n_cycles.max(1) as f64) * self.steps_per_cycle()).ceil() as usize;
        let n = n.min(100_000);
        let t: Vec<f64> = (0..n).map(|i| self.time(i)).collect();
        let m: Vec<ThetaModulation> = (0..n)
            .map(|i| self.modulation_from_gains(i, linear_gain, angular_gain))
            .collect();
        display::lines(
            "Theta clock",
            "time (ms)",
            "phase (rad) / modulation",
            vec![
                Series::dashed("phase", t.clone(), m.iter().map(|x| x.phase).collect()),
                Series::line("mod hd", t.clone(), m.iter().map(|x| x.hd).collect()),
                Series::line("mod gc", t, m.iter().map(|x| x.gc).collect()),
            ],
        )
    }
}

impl std::fmt::Display for ThetaClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = &self.params;
        write!(
            f,
            "ThetaClock(L={} ms, dt={} ms, s_hd={}, s_gc={}, v_max={} m/s, omega_max={:.3} rad/s{})",
            p.cycle_len,
            p.dt,
            p.strength_hd,
            p.strength_gc,
            p.v_max,
            p.omega_max,
            if p.canns_compat { ", canns_compat" } else { "" }
        )
    }
}

impl Render for ThetaClock {
    fn bundle(&self) -> Bundle {
        Bundle::figure(
            &self.plot(3, 1.0, 1.0),
            &self.params.table().to_html(),
            self.to_string(),
        )
    }
}

display::evcxr_display_via_render!(ThetaClockParams, ThetaClock);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_advances_one_cycle_per_cycle_length() {
        for (l, dt) in [(100.0, 1.0), (125.0, 0.5), (100.0, 0.1), (80.0, 2.0)] {
            let c = ThetaClock::params().cycle_len(l).dt(dt).build().unwrap();
            let spc = (l / dt).round() as usize;
            for k in 0..5 {
                let i = k * spc;
                assert!((c.phase(i) + PI).abs() < 1e-9, "start of cycle {k}");
                assert_eq!(c.cycle(i), k);
                assert_eq!(c.cycle(i + spc - 1), k);
                // The phase increases monotonically within a cycle, by 2 pi dt / L a step.
                for j in 1..spc {
                    let d = c.phase(i + j) - c.phase(i + j - 1);
                    assert!((d - TAU * dt / l).abs() < 1e-9, "{l} {dt} {k} {j}: {d}");
                }
            }
        }
    }

    #[test]
    fn angular_gain_is_unsigned_unless_compat() {
        let c = ThetaClock::params().build().unwrap();
        assert_eq!(c.angular_gain(-TAU), 1.0);
        assert_eq!(c.angular_gain(-PI), 0.5);
        assert_eq!(c.angular_gain(3.0 * TAU), 1.0);
        let m = c.modulation(0, 0.0, -TAU);
        // Full-speed right turn: strongest modulation, not inverted.
        assert!((m.hd - (1.0 - 1.5)).abs() < 1e-12);
        let cc = ThetaClock::params().canns_compat(true).build().unwrap();
        assert_eq!(cc.angular_gain(-PI), -0.5);
        let m = cc.modulation(0, 0.0, -TAU);
        assert!((m.hd - 1.5).abs() < 1e-12, "canns inverts: {}", m.hd);
    }

    #[test]
    fn linear_gain_uses_v_max_and_saturates() {
        let c = ThetaClock::params().v_max(2.0).build().unwrap();
        assert_eq!(c.linear_gain(0.5), 0.25);
        assert_eq!(c.linear_gain(5.0), 1.0);
        assert_eq!(c.linear_gain(f64::NAN), 0.0);
        let m = c.modulation(50, 1.0, 0.0);
        assert!((m.gc - 2.0).abs() < 1e-12);
        assert!((m.hd - 1.5).abs() < 1e-12);
    }

    #[test]
    fn build_rejects_bad_values_naming_field_and_value() {
        for (p, f) in [
            (ThetaClock::params().cycle_len(0.0), "`cycle_len`"),
            (ThetaClock::params().dt(-1.0), "`dt`"),
            (ThetaClock::params().dt(200.0), "`dt`"),
            (ThetaClock::params().v_max(0.0), "`v_max`"),
            (ThetaClock::params().omega_max(f64::NAN), "`omega_max`"),
            (
                ThetaClock::params().strength_hd(f64::INFINITY),
                "`strength_hd`",
            ),
        ] {
            let e = p.build().unwrap_err().to_string();
            assert!(e.contains(f) && e.contains("got"), "{e}");
        }
        let p = ThetaClock::params().v_max(0.5).canns_compat(true);
        assert_eq!(ThetaClockParams::from_json(&p.to_json()).unwrap(), p);
    }
}
