//! Synthetic populations with a known latent variable, to test and
//! demonstrate the attractor-signature pipeline: head-direction cells on a
//! ring and grid cells on a torus, as Poisson spike counts in 0.1 s bins.
//! Built from the spatial module's agents and cells
//! ([`crate::spatial`]) and the crate's one Poisson sampler
//! ([`crate::data::synthetic`]).

use super::signature::Activity;
use crate::data::synthetic::sample_counts;
use crate::error::Result;
use crate::params::check;
use crate::spatial::{Agent, BoundaryConditions, Environment, GridCells, HeadDirectionCells};
use rand_distr::{Distribution, Normal};
use std::f64::consts::TAU;

const DT: f64 = 0.1;

/// Poisson spike counts of `n_units` head-direction cells along a smooth
/// random walk of the head, in 0.1 s bins, with the head direction.
///
/// Tuning: the spatial module's
/// [`HeadDirectionCells`],
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
    let mut rng = crate::random::seeded(seed);
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

/// Poisson spike counts of `side x side` grid cells of one module (the
/// spatial module's [`GridCells`], field spacing `spacing` metres,
/// orientation 0, peak 40 Hz, phases on a regular `side x side` grid of the
/// module's phase torus) along the path of an [`Agent`] (RatInABox's
/// motion model, Rayleigh speed of scale 0.25 m/s) in a 1 m periodic box, in 0.1 s
/// bins, with the position. Each cell's rate is a function of the
/// module's two phases, so the population's states lie on a torus.
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
/// T. M. George et al. (2024), RatInABox, eLife 13:e85274.
pub fn grid_cells(n_bins: usize, side: usize, spacing: f64, seed: u64) -> Result<Activity> {
    check::at_least("n_bins", n_bins, 2)?;
    check::at_least("side", side, 1)?;
    check::positive("spacing", spacing)?;
    let env = Environment::params()
        .boundary_conditions(BoundaryConditions::Periodic)
        .build()?;
    let mut agent = Agent::params()
        .dt(DT)
        .speed_mean(0.25)
        .seed(seed)
        .build(env.clone())?;
    agent.run(n_bins)?;
    let pos = agent.history().positions();
    // Phases (phi_1, phi_2) = (w_1 . c, w_2 . c) evenly over [0, 2 pi)^2,
    // given to the cells as the offset c in units of gridscale / 2 pi.
    let phases: Vec<[f64; 2]> = (0..side * side)
        .map(|c| {
            let f1 = TAU * (c / side) as f64 / side as f64;
            let f2 = TAU * (c % side) as f64 / side as f64;
            [f1, (f2 - f1 / 2.0) * 2.0 / 3f64.sqrt()]
        })
        .collect();
    // Fields of three cosines with wave number 2 pi / gridscale lie
    // 2 gridscale / sqrt(3) apart.
    let cells = GridCells::params()
        .n(side * side)
        .gridscale(vec![spacing * 3f64.sqrt() / 2.0])
        .orientation(vec![0.0])
        .phase_offset(Some(phases))
        .max_fr(40.0)
        .build(&env)?;
    let rates = cells.rates(&pos.view())?;
    let mut rng = crate::random::seeded(seed);
    let counts = sample_counts(&rates.view(), DT, &mut rng);
    Activity::from_counts(counts, DT)?.with_position(pos)
}

/// Poisson spike counts from rates: moved to
/// [`crate::data::synthetic::poisson_counts`], the crate's one sampler.
pub use crate::data::synthetic::poisson_counts;
