//! Theta sweeps, cycle by cycle: how far and to which side a decoded (documented in the parent module)

use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render, Series};
use crate::error::{Error, ParamError, Result};
use serde::{Deserialize, Serialize};
use std::f64::consts::{PI, TAU};

/// Which steps are active: the largest rate at the step is at least
/// `fraction` of the largest over the whole series (and finite).
///
/// # Examples
/// ```
/// use canns::analysis::active_steps;
/// assert_eq!(active_steps(&[1.0, 0.05, 0.5], 0.1), vec![true, false, true]);
/// ```
pub fn active_steps(r_max: &[f64], fraction: f64) -> Vec<bool> {
    let top = r_max
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let thr = fraction * top;
    r_max
        .iter()
        .map(|&x| x.is_finite() && x > 0.0 && x >= thr)
        .collect()
}

/// The fraction of successive nonzero values with opposite signs (zeros are
/// dropped first); `None` with fewer than two nonzero values.
///
/// # Examples
/// ```
/// use canns::analysis::alternation_fraction;
/// assert_eq!(alternation_fraction(&[1.0, -2.0, 0.0, 3.0, 4.0]), Some(2.0 / 3.0));
/// assert_eq!(alternation_fraction(&[1.0]), None);
/// ```
pub fn alternation_fraction(values: &[f64]) -> Option<f64> {
    let s: Vec<f64> = values
        .iter()
        .filter(|v| **v != 0.0 && v.is_finite())
        .map(|v| v.signum())
        .collect();
    if s.len() < 2 {
        return None;
    }
    let flips = s.windows(2).filter(|w| w[0] != w[1]).count();
    Some(flips as f64 / (s.len() - 1) as f64)
}

fn check_lengths(what: &str, a: usize, b: usize) -> Result<()> {
    if a != b {
        return Err(Error::shape(what, a, b));
    }
    Ok(())
}

fn check_cycle_len(cycle_len: usize) -> Result<()> {
    if cycle_len == 0 {
        return Err(ParamError::new("cycle_len", ">= 1", cycle_len).into());
    }
    Ok(())
}

fn mean(v: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (mut s, mut n) = (0.0, 0usize);
    for x in v {
        s += x;
        n += 1;
    }
    (n > 0).then(|| s / n as f64)
}

/// One theta cycle of a direction sweep.
///
/// # Example
/// ```
/// use canns::analysis::direction_sweeps;
/// // One cycle of 4 steps; the network is silent at the second step.
/// let s = direction_sweeps(&[0.1, 0.9, -0.3, 0.2], &[true, false, true, true], 4)?;
/// let c = s.cycles[0];
/// // The silent 0.9 does not count: the peak is -0.3, the half range (0.2 + 0.3) / 2.
/// assert_eq!((c.cycle, c.peak), (0, Some(-0.3)));
/// assert!((c.half_range.unwrap() - 0.25).abs() < 1e-12 && c.silent_fraction == 0.25);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DirectionCycle {
    /// Cycle index from the start of the series.
    pub cycle: usize,
    /// The active offset of largest magnitude (signed); `None` if the cycle
    /// was silent throughout.
    pub peak: Option<f64>,
    /// Half the range of the active offsets.
    pub half_range: Option<f64>,
    /// Fraction of the cycle's steps that were silent.
    pub silent_fraction: f64,
}

/// Per-cycle statistics of a direction sweep; see [`direction_sweeps`].
///
/// # Example
/// ```
/// use canns::analysis::direction_sweeps;
/// // Three cycles of 3 steps: left, left, right of the heading; the last step silent.
/// let off = [0.2, 0.6, 0.1, 0.3, 0.4, 0.0, -0.5, -0.2, 9.9];
/// let active = [true, true, true, true, true, true, true, true, false];
/// let s = direction_sweeps(&off, &active, 3)?;
/// assert_eq!(s.peaks(), vec![0.6, 0.4, -0.5]);
/// assert!((s.mean_abs_peak.unwrap() - 0.5).abs() < 1e-12);
/// assert!((s.mean_peak.unwrap() - 0.5 / 3.0).abs() < 1e-12);
/// // One side change in two successive pairs; one silent step in nine.
/// assert_eq!(s.alternation, Some(0.5));
/// assert!((s.silent_fraction - 1.0 / 9.0).abs() < 1e-12);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectionSweeps {
    /// Every whole cycle.
    pub cycles: Vec<DirectionCycle>,
    /// Mean |peak| over the cycles with a peak.
    pub mean_abs_peak: Option<f64>,
    /// Mean signed peak (positive: counter-clockwise of the heading).
    pub mean_peak: Option<f64>,
    /// Mean half range.
    pub mean_half_range: Option<f64>,
    /// Fraction of silent steps over all cycles.
    pub silent_fraction: f64,
    /// Fraction of successive peaks on opposite sides of the heading.
    pub alternation: Option<f64>,
}

impl DirectionSweeps {
    /// The peaks of the cycles that have one.
    pub fn peaks(&self) -> Vec<f64> {
        self.cycles.iter().filter_map(|c| c.peak).collect()
    }

    /// Bar plot of the signed peaks by cycle.
    pub fn plot(&self) -> Figure {
        let (x, y): (Vec<f64>, Vec<f64>) = self
            .cycles
            .iter()
            .filter_map(|c| c.peak.map(|p| (c.cycle as f64, p)))
            .unzip();
        display::lines(
            "Sweep peak per theta cycle",
            "theta cycle",
            "peak offset",
            vec![Series::markers("peak", x, y)],
        )
    }
}

impl Render for DirectionSweeps {
    fn bundle(&self) -> Bundle {
        let f = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.4}"));
        let t = KeyValues::new("Direction sweeps")
            .row("cycles", self.cycles.len(), "")
            .row("mean |peak|", f(self.mean_abs_peak), "")
            .row("mean peak", f(self.mean_peak), "signed")
            .row("mean half range", f(self.mean_half_range), "")
            .row(
                "silent fraction",
                format!("{:.3}", self.silent_fraction),
                "steps",
            )
            .row("alternation", f(self.alternation), "successive peaks")
            .to_html();
        Bundle::figure(&self.plot(), &t, format!("{self:?}"))
    }
}

display::evcxr_display_via_render!(DirectionSweeps);

/// Per-cycle statistics of a 1-D sweep: `offsets[i]` is the signed offset
/// at step `i` (e.g. `wrap(decoded - heading)`), `active[i]` whether the
/// network was active; cycles are `cycle_len` steps from the first (a partial
/// last cycle is dropped).
///
/// # Errors
/// [`Error::Shape`] when the lengths differ; [`Error::Param`] when
/// `cycle_len` is 0.
pub fn direction_sweeps(
    offsets: &[f64],
    active: &[bool],
    cycle_len: usize,
) -> Result<DirectionSweeps> {
    check_lengths("active (one per offset)", offsets.len(), active.len())?;
    check_cycle_len(cycle_len)?;
    let n = offsets.len() / cycle_len;
    let mut cycles = Vec::with_capacity(n);
    let mut silent = 0usize;
    for c in 0..n {
        let r = c * cycle_len..(c + 1) * cycle_len;
        let vals: Vec<f64> = offsets[r.clone()]
            .iter()
            .zip(&active[r])
            .filter(|(o, a)| **a && o.is_finite())
            .map(|(o, _)| *o)
            .collect();
        silent += cycle_len - vals.len();
        let peak = vals
            .iter()
            .copied()
            .fold(None, |b: Option<f64>, x| match b {
                Some(y) if y.abs() >= x.abs() => Some(y),
                _ => Some(x),
            });
        let half_range = (!vals.is_empty()).then(|| {
            let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
            (hi - lo) / 2.0
        });
        cycles.push(DirectionCycle {
            cycle: c,
            peak,
            half_range,
            silent_fraction: 1.0 - vals.len() as f64 / cycle_len as f64,
        });
    }
    let peaks: Vec<f64> = cycles.iter().filter_map(|c| c.peak).collect();
    Ok(DirectionSweeps {
        mean_abs_peak: mean(peaks.iter().map(|p| p.abs())),
        mean_peak: mean(peaks.iter().copied()),
        mean_half_range: mean(cycles.iter().filter_map(|c| c.half_range)),
        silent_fraction: if n > 0 {
            silent as f64 / (n * cycle_len) as f64
        } else {
            0.0
        },
        alternation: alternation_fraction(&peaks),
        cycles,
    })
}

/// The mean offset in `n_bins` equal theta-phase bins over `[-pi, pi)`
/// (bin `b` centred at `-pi + (b + 1/2) 2 pi / n_bins`), over the active
/// steps; `NaN` for a bin without any.
///
/// # Errors
/// [`Error::Shape`] when the lengths differ; [`Error::Param`] when `n_bins` is 0.
///
/// # Examples
/// ```
/// use canns::analysis::offset_vs_phase;
/// let phase = [-3.0, -1.0, 1.0, 3.0];
/// let prof = offset_vs_phase(&[1.0, 2.0, 3.0, 4.0], &phase, &[true; 4], 2)?;
/// assert_eq!(prof, vec![1.5, 3.5]);
/// # Ok::<(), canns::Error>(())
/// ```
pub fn offset_vs_phase(
    offsets: &[f64],
    phases: &[f64],
    active: &[bool],
    n_bins: usize,
) -> Result<Vec<f64>> {
    check_lengths("phases (one per offset)", offsets.len(), phases.len())?;
    check_lengths("active (one per offset)", offsets.len(), active.len())?;
    if n_bins == 0 {
        return Err(ParamError::new("n_bins", ">= 1", n_bins).into());
    }
    let mut sum = vec![0.0; n_bins];
    let mut cnt = vec![0usize; n_bins];
    for ((o, p), a) in offsets.iter().zip(phases).zip(active) {
        if !*a || !o.is_finite() || !p.is_finite() {
            continue;
        }
        let f = (p + PI).rem_euclid(TAU) / TAU;
        let b = ((f * n_bins as f64) as usize).min(n_bins - 1);
        sum[b] += o;
        cnt[b] += 1;
    }
    Ok(sum
        .iter()
        .zip(&cnt)
        .map(|(s, &c)| if c > 0 { s / c as f64 } else { f64::NAN })
        .collect())
}

/// The centres of the bins of [`offset_vs_phase`] (rad).
pub fn phase_bin_centres(n_bins: usize) -> Vec<f64> {
    (0..n_bins)
        .map(|b| -PI + (b as f64 + 0.5) * TAU / n_bins as f64)
        .collect()
}

/// One theta cycle of a position sweep (metres).
///
/// # Example
/// ```
/// use canns::analysis::position_sweeps;
/// // Heading north (+y) at the origin; the decoded position sweeps ahead and to the left (-x).
/// let dec = [[0.0, 0.05], [-0.04, 0.15], [-0.02, 0.25]];
/// let s = position_sweeps(&dec, &[[0.0, 0.0]; 3], &[std::f64::consts::FRAC_PI_2; 3], 3)?;
/// let c = s.cycles[0];
/// assert!((c.max_ahead - 0.25).abs() < 1e-12 && (c.min_ahead - 0.05).abs() < 1e-12);
/// assert!((c.ego_length - 0.2).abs() < 1e-12);
/// // Left of a northward heading is positive.
/// assert!((c.lateral_peak - 0.04).abs() < 1e-12 && (c.lateral_range - 0.04).abs() < 1e-12);
/// assert_eq!(c.silent_fraction, 0.0);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PositionCycle {
    /// Cycle index from the start of the series.
    pub cycle: usize,
    /// Egocentric sweep length: range of the along-heading offset.
    pub ego_length: f64,
    /// Allocentric sweep length: range of the decoded position projected on
    /// the cycle's first heading (includes the animal's own motion).
    pub allo_length: f64,
    /// Largest along-heading offset (how far ahead).
    pub max_ahead: f64,
    /// Smallest along-heading offset.
    pub min_ahead: f64,
    /// Mean along-heading offset.
    pub mean_ahead: f64,
    /// Range of the lateral offset (positive: left of the heading).
    pub lateral_range: f64,
    /// The lateral offset of largest magnitude (signed).
    pub lateral_peak: f64,
    /// Fraction of the cycle's steps without a decoded position.
    pub silent_fraction: f64,
}

/// Per-cycle statistics of a position sweep; see [`position_sweeps`].
///
/// # Example
/// ```
/// use canns::analysis::position_sweeps;
/// // The animal runs along +x at 0.01 m per step; the decoded position sweeps
/// // from 0 to 0.2 m ahead of it in each 5-step cycle, and is lost in the last step.
/// let pos: Vec<[f64; 2]> = (0..10).map(|i| [0.01 * i as f64, 0.0]).collect();
/// let dec: Vec<[f64; 2]> = (0..10)
///     .map(|i| if i == 9 { [f64::NAN; 2] } else { [pos[i][0] + 0.05 * (i % 5) as f64, 0.0] })
///     .collect();
/// let s = position_sweeps(&dec, &pos, &[0.0; 10], 5)?;
/// assert_eq!(s.cycles.len(), 2);
/// // Egocentric: 0 to 0.2 m ahead; allocentric also counts the 0.04 m run (first cycle).
/// assert!((s.ego_length.unwrap() - (0.2 + 0.15) / 2.0).abs() < 1e-12);
/// assert!((s.cycles[0].allo_length - 0.24).abs() < 1e-12);
/// assert!((s.cycles[1].silent_fraction - 0.2).abs() < 1e-12);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PositionSweeps {
    /// Cycles with at least two decoded steps.
    pub cycles: Vec<PositionCycle>,
    /// Mean egocentric sweep length (m).
    pub ego_length: Option<f64>,
    /// Mean allocentric sweep length (m).
    pub allo_length: Option<f64>,
    /// Mean of the per-cycle largest along-heading offsets (m).
    pub max_ahead: Option<f64>,
    /// Mean of the per-cycle smallest along-heading offsets (m).
    pub min_ahead: Option<f64>,
    /// Mean along-heading offset over all decoded steps (m).
    pub mean_ahead: Option<f64>,
    /// Mean lateral range (m).
    pub lateral_range: Option<f64>,
    /// Fraction of successive cycles whose lateral peaks are on opposite sides.
    pub lateral_alternation: Option<f64>,
}

impl Render for PositionSweeps {
    fn bundle(&self) -> Bundle {
        let f = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.4}"));
        let t = KeyValues::new("Position sweeps")
            .row("cycles", self.cycles.len(), "")
            .row("ego length", f(self.ego_length), "m")
            .row("allo length", f(self.allo_length), "m")
            .row("max ahead", f(self.max_ahead), "m")
            .row("min ahead", f(self.min_ahead), "m")
            .row("mean ahead", f(self.mean_ahead), "m")
            .row("lateral range", f(self.lateral_range), "m")
            .row("lateral alternation", f(self.lateral_alternation), "")
            .to_html();
        Bundle::html(t, format!("{self:?}"))
    }
}

display::evcxr_display_via_render!(PositionSweeps);

/// Per-cycle statistics of a 2-D sweep: `decoded[i]` and `position[i]`
/// (m) at step `i` (`decoded` NaN where nothing was decoded), `heading[i]`
/// (rad); cycles are `cycle_len` steps from the first.
///
/// # Errors
/// [`Error::Shape`] when the lengths differ; [`Error::Param`] when
/// `cycle_len` is 0.
///
/// # Examples
/// ```
/// use canns::analysis::position_sweeps;
/// // Heading +x, decoded position moving from 0.1 to 0.3 m ahead in each cycle.
/// let pos = vec![[0.0, 0.0]; 6];
/// let dec = vec![[0.1, 0.0], [0.2, 0.01], [0.3, 0.0], [0.1, 0.0], [0.2, -0.02], [0.3, 0.0]];
/// let s = position_sweeps(&dec, &pos, &[0.0; 6], 3)?;
/// assert!((s.ego_length.unwrap() - 0.2).abs() < 1e-12);
/// assert!((s.max_ahead.unwrap() - 0.3).abs() < 1e-12);
/// assert_eq!(s.lateral_alternation, Some(1.0));
/// # Ok::<(), canns::Error>(())
/// ```
pub fn position_sweeps(
    decoded: &[[f64; 2]],
    position: &[[f64; 2]],
    heading: &[f64],
    cycle_len: usize,
) -> Result<PositionSweeps> {
    check_lengths("positions (one per decoded)", decoded.len(), position.len())?;
    check_lengths("headings (one per decoded)", decoded.len(), heading.len())?;
    check_cycle_len(cycle_len)?;
    let n = decoded.len() / cycle_len;
    let mut cycles = Vec::with_capacity(n);
    let (mut along_sum, mut along_n) = (0.0, 0usize);
    for c in 0..n {
        let r = c * cycle_len..(c + 1) * cycle_len;
        let h0 = heading[r.start];
        let (c0, s0) = (h0.cos(), h0.sin());
        let mut along = Vec::with_capacity(cycle_len);
        let mut lat = Vec::with_capacity(cycle_len);
        let mut allo = Vec::with_capacity(cycle_len);
        for i in r {
            let (d, p, h) = (decoded[i], position[i], heading[i]);
            if !(d[0].is_finite() && d[1].is_finite() && h.is_finite()) {
                continue;
            }
            let (dx, dy) = (d[0] - p[0], d[1] - p[1]);
            let (ch, sh) = (h.cos(), h.sin());
            along.push(dx * ch + dy * sh);
            lat.push(-dx * sh + dy * ch);
            allo.push(d[0] * c0 + d[1] * s0);
        }
        if along.len() < 2 {
            continue;
        }
        let range = |v: &[f64]| {
            v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                - v.iter().copied().fold(f64::INFINITY, f64::min)
        };
        along_sum += along.iter().sum::<f64>();
        along_n += along.len();
        let lateral_peak = lat
            .iter()
            .copied()
            .fold(0.0, |b: f64, x| if x.abs() > b.abs() { x } else { b });
        cycles.push(PositionCycle {
            cycle: c,
            ego_length: range(&along),
            allo_length: range(&allo),
            max_ahead: along.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            min_ahead: along.iter().copied().fold(f64::INFINITY, f64::min),
            mean_ahead: along.iter().sum::<f64>() / along.len() as f64,
            lateral_range: range(&lat),
            lateral_peak,
            silent_fraction: 1.0 - along.len() as f64 / cycle_len as f64,
        });
    }
    let m = |f: fn(&PositionCycle) -> f64| mean(cycles.iter().map(f));
    let peaks: Vec<f64> = cycles.iter().map(|c| c.lateral_peak).collect();
    Ok(PositionSweeps {
        ego_length: m(|c| c.ego_length),
        allo_length: m(|c| c.allo_length),
        max_ahead: m(|c| c.max_ahead),
        min_ahead: m(|c| c.min_ahead),
        mean_ahead: (along_n > 0).then(|| along_sum / along_n as f64),
        lateral_range: m(|c| c.lateral_range),
        lateral_alternation: alternation_fraction(&peaks),
        cycles,
    })
}

/// A circular-linear regression of phase on position; see [`circular_linear_fit`].
///
/// # Example
/// ```
/// use canns::analysis::circular_linear_fit;
/// use canns::space::wrap;
/// // Phase advancing by 2 rad per metre from -1 rad; half the samples weigh double.
/// let x: Vec<f64> = (0..100).map(|i| i as f64 / 100.0).collect();
/// let phase: Vec<f64> = x.iter().map(|x| wrap(2.0 * x - 1.0)).collect();
/// let w: Vec<f64> = (0..100).map(|i| if i % 2 == 0 { 2.0 } else { 1.0 }).collect();
/// let fit = circular_linear_fit(&x, &phase, &w, 10.0)?;
/// assert!((fit.slope - 2.0).abs() < 1e-6 && (wrap(fit.offset + 1.0)).abs() < 1e-6);
/// assert!(fit.resultant > 0.999 && fit.rho > 0.9, "{fit:?}");
/// assert_eq!(fit.weight, 150.0);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CircularLinearFit {
    /// Slope (rad of phase per unit of position; negative: precession).
    pub slope: f64,
    /// Phase at position 0 (rad).
    pub offset: f64,
    /// Mean resultant length of the residual phases (1: every sample on the line).
    pub resultant: f64,
    /// Circular-linear correlation coefficient (Kempter et al. 2012, eq. 3).
    pub rho: f64,
    /// Total weight of the samples.
    pub weight: f64,
}

/// Phase precession: fits `phase = slope * x + offset (mod 2 pi)` by
/// maximising the mean resultant length of the residuals
/// `R(a) = |sum w e^{i (phase - a x)}| / sum w` over slopes in
/// `[-max_slope, max_slope]` (a grid of 2001 slopes, refined by golden-section
/// search around the best), as Kempter et al. (2012) do. `weights` are spike
/// counts or firing rates per sample (e.g. a cell's rate at each step, with
/// the theta phase and the animal's position along the track).
///
/// # Errors
/// [`Error::Shape`] when the lengths differ; [`Error::Param`] when
/// `max_slope` is not positive or the weights do not sum to a positive value.
///
/// # Examples
/// ```
/// use canns::analysis::circular_linear_fit;
/// // Phase falls by pi over 1 m (precession), starting at 2 rad.
/// let x: Vec<f64> = (0..200).map(|i| i as f64 / 200.0).collect();
/// let phase: Vec<f64> = x.iter().map(|x| canns::space::wrap(2.0 - std::f64::consts::PI * x)).collect();
/// let fit = circular_linear_fit(&x, &phase, &vec![1.0; 200], 10.0)?;
/// assert!((fit.slope + std::f64::consts::PI).abs() < 1e-6);
/// assert!((fit.offset - 2.0).abs() < 1e-6 && fit.resultant > 0.999);
/// # Ok::<(), canns::Error>(())
/// ```
pub fn circular_linear_fit(
    x: &[f64],
    phase: &[f64],
    weights: &[f64],
    max_slope: f64,
) -> Result<CircularLinearFit> {
    check_lengths("phases (one per position)", x.len(), phase.len())?;
    check_lengths("weights (one per position)", x.len(), weights.len())?;
    crate::params::check::positive("max_slope", max_slope)?;
    let ok: Vec<(f64, f64, f64)> = x
        .iter()
        .zip(phase)
        .zip(weights)
        .filter(|((x, p), w)| x.is_finite() && p.is_finite() && w.is_finite() && **w > 0.0)
        .map(|((x, p), w)| (*x, *p, *w))
        .collect();
    let total: f64 = ok.iter().map(|s| s.2).sum();
    if total <= 0.0 || !total.is_finite() {
        return Err(ParamError::new("weights", "summing to > 0 over finite samples", total).into());
    }
    let resultant = |a: f64| {
        let (mut c, mut s) = (0.0, 0.0);
        for &(x, p, w) in &ok {
            let r = p - a * x;
            c += w * r.cos();
            s += w * r.sin();
        }
        (c.hypot(s) / total, s.atan2(c))
    };
    let n = 2001;
    let step = 2.0 * max_slope / (n - 1) as f64;
    let (mut best, mut best_r) = (0.0, -1.0);
    for k in 0..n {
        let a = -max_slope + k as f64 * step;
        let r = resultant(a).0;
        if r > best_r {
            best_r = r;
            best = a;
        }
    }
    // Golden-section search within one grid step of the best slope.
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut lo, mut hi) = (best - step, best + step);
    for _ in 0..60 {
        let (m1, m2) = (hi - g * (hi - lo), lo + g * (hi - lo));
        if resultant(m1).0 >= resultant(m2).0 {
            hi = m2;
        } else {
            lo = m1;
        }
    }
    let mid = 0.5 * (lo + hi);
    let slope = if resultant(mid).0 >= best_r {
        mid
    } else {
        best
    };
    let (r, offset) = resultant(slope);
    // Circular-linear correlation between the phases and the circular
    // variable |slope| x (Kempter et al. 2012, eq. 3), weighted: negative
    // for precession.
    let mean_angle = |f: &dyn Fn(f64, f64) -> f64| {
        let (mut c, mut s) = (0.0, 0.0);
        for &(x, p, w) in &ok {
            let v = f(x, p);
            c += w * v.cos();
            s += w * v.sin();
        }
        s.atan2(c)
    };
    let pm = mean_angle(&|_, p| p);
    let tm = mean_angle(&|x, _| slope.abs() * x);
    let (mut num, mut sp, mut st) = (0.0, 0.0, 0.0);
    for &(x, p, w) in &ok {
        let a = (p - pm).sin();
        let b = (slope.abs() * x - tm).sin();
        num += w * a * b;
        sp += w * a * a;
        st += w * b * b;
    }
    let rho = if sp > 0.0 && st > 0.0 {
        num / (sp * st).sqrt()
    } else {
        0.0
    };
    Ok(CircularLinearFit {
        slope,
        offset,
        resultant: r,
        rho,
        weight: total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silent_steps_are_skipped_and_counted() {
        let off = [5.0, 0.3, -0.1, 9.0];
        let act = [false, true, true, false];
        let s = direction_sweeps(&off, &act, 4).unwrap();
        assert_eq!(s.peaks(), vec![0.3]);
        assert!((s.silent_fraction - 0.5).abs() < 1e-12);
        assert!((s.mean_half_range.unwrap() - 0.2).abs() < 1e-12);
        assert_eq!(s.alternation, None);
        assert!(direction_sweeps(&off, &act[..3], 4).is_err());
        assert!(direction_sweeps(&off, &act, 0).is_err());
    }

    #[test]
    fn circular_linear_fit_recovers_a_noisy_slope_and_ignores_bad_samples() {
        use rand::RngExt;
        let mut rng = crate::random::seeded(5);
        let mut x = Vec::new();
        let mut p = Vec::new();
        for _ in 0..2000 {
            let xi: f64 = rng.random::<f64>() * 0.5;
            x.push(xi);
            p.push(crate::space::wrap(
                1.0 - 8.0 * xi + 0.3 * (rng.random::<f64>() - 0.5),
            ));
        }
        x.push(f64::NAN);
        p.push(0.0);
        let w = vec![1.0; x.len()];
        let f = circular_linear_fit(&x, &p, &w, 20.0).unwrap();
        assert!((f.slope + 8.0).abs() < 0.05, "{f:?}");
        assert!((crate::space::wrap(f.offset - 1.0)).abs() < 0.05, "{f:?}");
        assert!(f.rho < -0.8, "{f:?}");
        assert!(circular_linear_fit(&x, &p, &w[1..], 20.0).is_err());
        assert!(circular_linear_fit(&x, &p, &vec![0.0; x.len()], 20.0).is_err());
    }

    #[test]
    fn phase_bins_match_cycle_position_bins() {
        // 100-step cycles from phase -pi: bin b holds steps 10b..10b+9.
        let phases: Vec<f64> = (0..200)
            .map(|i| -PI + TAU * (i % 100) as f64 / 100.0)
            .collect();
        let off: Vec<f64> = (0..200).map(|i| ((i % 100) / 10) as f64).collect();
        let p = offset_vs_phase(&off, &phases, &[true; 200], 10).unwrap();
        for (b, v) in p.iter().enumerate() {
            assert!((v - b as f64).abs() < 1e-12, "{b}: {v}");
        }
        let c = phase_bin_centres(10);
        assert!((c[0] + PI - PI / 10.0).abs() < 1e-12);
    }
}
