//! Synthetic populations with a known latent variable, to test and
//! demonstrate the attractor-signature pipeline: head-direction cells on a
//! ring and grid cells on a torus, as Poisson spike counts in 0.1 s bins.

use super::signature::Activity;
use crate::error::Result;
use crate::params::check;
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal, Poisson};
use std::f64::consts::{PI, TAU};

const DT: f64 = 0.1;

fn poisson(rate: f64, rng: &mut impl Rng) -> f64 {
    if rate <= 0.0 {
        return 0.0;
    }
    Poisson::new(rate)
        .expect("a positive finite rate is a valid Poisson mean")
        .sample(rng)
}

/// Poisson spike counts of `n_units` head-direction cells along a smooth
/// random walk of the head, in 0.1 s bins, with the head direction.
///
/// Tuning: `rate = 0.5 + 30 exp(kappa (cos(phi - pref) - 1))` Hz with
/// `kappa = 3` (about 60 degrees wide at half height) and preferred
/// directions evenly spread; angular velocity: an Ornstein-Uhlenbeck
/// process with a 1 s time constant and 1.5 rad/s standard deviation
/// (rodent head turning; Taube 2007).
///
/// # Examples
/// ```
/// let a = canns::pipeline::synthetic::head_direction_cells(100, 6, 0)?;
/// assert_eq!(a.counts.dim(), (100, 6));
/// assert!(a.angle.is_some());
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Param`](crate::Error::Param) naming `n_bins` (< 2) or `n_units` (0).
///
/// # References
/// J. S. Taube (2007), The head direction signal: origins and
/// sensory-motor integration, Annu. Rev. Neurosci. 30:181-207.
pub fn head_direction_cells(n_bins: usize, n_units: usize, seed: u64) -> Result<Activity> {
    check::at_least("n_bins", n_bins, 2)?;
    check::at_least("n_units", n_units, 1)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let g = Normal::new(0.0, 1.0).expect("unit normal");
    let (mut phi, mut omega) = (0.0f64, 0.0f64);
    let mut angle = Vec::with_capacity(n_bins);
    for _ in 0..n_bins {
        omega += -omega * DT + 1.5 * (2.0 * DT).sqrt() * g.sample(&mut rng);
        phi = crate::space::wrap(phi + omega * DT);
        angle.push(phi);
    }
    let mut counts = Array2::zeros((n_bins, n_units));
    for i in 0..n_bins {
        for u in 0..n_units {
            let pref = u as f64 * TAU / n_units as f64;
            let rate = 0.5 + 30.0 * (3.0 * ((angle[i] - pref).cos() - 1.0)).exp();
            counts[[i, u]] = poisson(rate * DT, &mut rng);
        }
    }
    Activity::from_counts(counts, DT)?.with_angle(angle)
}

/// Poisson spike counts of `side x side` grid cells of one module (three
/// cosines at 60 degrees, spacing `spacing` metres, phases on a regular
/// `side x side` grid of the unit cell) along a smooth random path at
/// 0.25 m/s in a 1 m periodic box, in 0.1 s bins, with the position.
///
/// Tuning: `rate = 40 exp((g(x - c) - 3) / 1.5)` Hz with
/// `g(x) = sum_m cos(k_m . x)`, `|k_m| = 4 pi / (sqrt(3) spacing)`
/// (Solstad, Moser & Einevoll 2006). The population's states lie on a
/// torus: two H1 classes and one H2 class.
///
/// # Examples
/// ```
/// let a = canns::pipeline::synthetic::grid_cells(100, 4, 0.4, 0)?;
/// assert_eq!(a.counts.dim(), (100, 16));
/// assert_eq!(a.position.as_ref().unwrap().dim(), (100, 2));
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Param`](crate::Error::Param) naming `n_bins` (< 2), `side` (0)
/// or `spacing` (not > 0).
///
/// # References
/// T. Solstad, E. I. Moser, G. T. Einevoll (2006), From grid cells to place
/// cells: a mathematical model, Hippocampus 16:1026-1031.
pub fn grid_cells(n_bins: usize, side: usize, spacing: f64, seed: u64) -> Result<Activity> {
    check::at_least("n_bins", n_bins, 2)?;
    check::at_least("side", side, 1)?;
    check::positive("spacing", spacing)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let g = Normal::new(0.0, 1.0).expect("unit normal");
    let (mut x, mut y, mut head) = (0.5f64, 0.5f64, 0.0f64);
    let mut pos = Array2::zeros((n_bins, 2));
    for i in 0..n_bins {
        head += 0.8 * DT.sqrt() * g.sample(&mut rng);
        x = (x + 0.25 * DT * head.cos()).rem_euclid(1.0);
        y = (y + 0.25 * DT * head.sin()).rem_euclid(1.0);
        pos[[i, 0]] = x;
        pos[[i, 1]] = y;
    }
    let k = 4.0 * PI / (3f64.sqrt() * spacing);
    let waves: Vec<(f64, f64)> = (0..3)
        .map(|m| {
            let a = m as f64 * PI / 3.0 + PI / 6.0;
            (k * a.cos(), k * a.sin())
        })
        .collect();
    let (l1, l2) = ((spacing, 0.0), (spacing * 0.5, spacing * 3f64.sqrt() / 2.0));
    let phases: Vec<(f64, f64)> = (0..side * side)
        .map(|c| {
            let (u, v) = (
                (c / side) as f64 / side as f64,
                (c % side) as f64 / side as f64,
            );
            (u * l1.0 + v * l2.0, u * l1.1 + v * l2.1)
        })
        .collect();
    let mut counts = Array2::zeros((n_bins, phases.len()));
    for i in 0..n_bins {
        for (c, ph) in phases.iter().enumerate() {
            let (px, py) = (pos[[i, 0]] - ph.0, pos[[i, 1]] - ph.1);
            let s: f64 = waves.iter().map(|w| (w.0 * px + w.1 * py).cos()).sum();
            counts[[i, c]] = poisson(40.0 * ((s - 3.0) / 1.5).exp() * DT, &mut rng);
        }
    }
    Activity::from_counts(counts, DT)?.with_position(pos)
}

/// Poisson spike counts in bins of `bin_size` seconds from firing rates
/// (Hz): `counts[i, u] ~ Poisson(rates[i, u] * bin_size)`, seeded. Use it
/// to give rates from the project's cells (e.g.
/// [`GridCells::rates`](crate::spatial::GridCells::rates)) the
/// noise of a recording.
///
/// # Shapes
/// `rates` and the result: `(n_bins, n_units)`.
///
/// # Examples
/// ```
/// use canns::ndarray::array;
/// let c = canns::pipeline::synthetic::poisson_counts(&array![[0.0, 1000.0]].view(), 0.1, 0)?;
/// assert_eq!(c[[0, 0]], 0.0);
/// assert!((c[[0, 1]] - 100.0).abs() < 50.0);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Param`](crate::Error::Param) naming `bin_size` when it is not
/// positive; [`Error::Invalid`](crate::Error::Invalid) for a negative or
/// non-finite rate.
pub fn poisson_counts(
    rates: &ndarray::ArrayView2<f64>,
    bin_size: f64,
    seed: u64,
) -> Result<Array2<f64>> {
    check::positive("bin_size", bin_size)?;
    if let Some(((i, u), r)) = rates
        .indexed_iter()
        .find(|(_, r)| !(r.is_finite() && **r >= 0.0))
    {
        return Err(crate::Error::Invalid(format!(
            "rates[{i}, {u}] must be finite and >= 0 Hz (got {r})"
        )));
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    Ok(rates.mapv(|r| poisson(r * bin_size, &mut rng)))
}
