//! Synthetic populations with a known latent variable, to test and
//! demonstrate the attractor-signature pipeline: head-direction cells on a
//! ring and grid cells on a torus, as Poisson spike counts in 0.1 s bins.

use super::signature::Activity;
use crate::data::synthetic::sample_counts;
use crate::error::Result;
use crate::params::check;
use crate::spatial::HeadDirectionCells;
use ndarray::Array2;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use std::f64::consts::PI;

const DT: f64 = 0.1;

/// Poisson spike counts of `n_units` head-direction cells along a smooth
/// random walk of the head, in 0.1 s bins, with the head direction.
///
/// Tuning: the spatial module's
/// [`HeadDirectionCells`](crate::spatial::HeadDirectionCells),
/// `rate = 0.5 + 30 exp(kappa (cos(phi - pref) - 1))` Hz with `kappa = 3`
/// (about 60 degrees wide at half height) and preferred directions evenly
/// spread; counts drawn by the crate's one Poisson sampler
/// ([`crate::data::synthetic`]); angular velocity: an Ornstein-Uhlenbeck
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
    // kappa = 1 / sigma^2 = 3, rates in [0.5, 30.5] Hz.
    let cells = HeadDirectionCells::params()
        .n(n_units)
        .angular_spread_degrees((1.0 / 3f64).sqrt().to_degrees())
        .min_fr(0.5)
        .max_fr(30.5)
        .build()?;
    let counts = sample_counts(&cells.rates(&angle).view(), DT, &mut rng);
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
    let rates = Array2::from_shape_fn((n_bins, phases.len()), |(i, c)| {
        let (px, py) = (pos[[i, 0]] - phases[c].0, pos[[i, 1]] - phases[c].1);
        let s: f64 = waves.iter().map(|w| (w.0 * px + w.1 * py).cos()).sum();
        40.0 * ((s - 3.0) / 1.5).exp()
    });
    let counts = sample_counts(&rates.view(), DT, &mut rng);
    Activity::from_counts(counts, DT)?.with_position(pos)
}

/// Poisson spike counts from rates: moved to
/// [`crate::data::synthetic::poisson_counts`], the crate's one sampler.
pub use crate::data::synthetic::poisson_counts;
