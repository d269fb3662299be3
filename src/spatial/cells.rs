//! Spatial cells: rate models of place, grid, head-direction and speed cells
//! (as RatInABox's, same formulas and defaults) and rate maps over an
//! environment; seeded Poisson spikes from their rates come from the
//! crate's one sampler, [`crate::data::synthetic`].
//!
//! * Place cells, with `d` the distance to the centre and `w` the width:
//!   gaussian `exp(-d²/2w²)`; gaussian_threshold
//!   `max(0, exp(-d²/2w²) - e^{-1/2}) / (1 - e^{-1/2})`; diff_of_gaussians
//!   `(exp(-d²/2w²) - exp(-d²/2(1.5w)²)/1.5²) · 1.5²/(1.5² - 1)`; top_hat
//!   `1[d < w]`; one_hot (1 for the nearest centre).
//! * Grid cells (Solstad et al. 2006, Eq. 2): with `φ_j = (2π/λ) w_j·(x - x₀)`
//!   for three unit vectors 60° apart rotated by the orientation,
//!   `g = (cos φ₁ + cos φ₂ + cos φ₃)/3`; rectified_cosines rescales `g` so it
//!   is 0 at the field edge set by `width_ratio` and rectifies it;
//!   shifted_cosines is `(2/3)(g + 1/2)`.
//! * Head-direction cells: von Mises `exp(κ (cos(θ - μ) - 1))`, `κ = 1/σ²`.
//! * Speed cell: `v / (speed_mean + speed_std)`.
//! * Boundary vector cells (Hartley et al. 2000; Barry et al. 2006): a
//!   gaussian in the distance to the first wall along each ray times a von
//!   Mises in the ray's direction, summed over rays (see
//!   [`BoundaryVectorCells`]).
//!
//! Rates are scaled to `[min_fr, max_fr]` (Hz).
//!
//! # Examples
//! ```
//! use canns::spatial::{Environment, PlaceCells};
//! let env = Environment::params().build()?;
//! let pc = PlaceCells::params().centres(Some(vec![[0.5, 0.5]])).build(&env)?;
//! let r = pc.rates_at(&[0.5, 0.5]);
//! assert!((r[0] - 1.0).abs() < 1e-12);
//! # Ok::<(), canns::Error>(())
//! ```
//!
//! # References
//! George, T. M. et al. (2024). RatInABox. eLife 13:e85274.
//! Solstad, T., Moser, E. I. & Einevoll, G. T. (2006). From grid cells to
//! place cells: a mathematical model. Hippocampus 16:1026.

use super::environment::Environment;
use super::rate_map::RateMaps;
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{Error, ParamError, Result};
use crate::params::check;
use crate::params::setters;
use crate::params::Params;
use ndarray::{Array2, ArrayView2, Axis};
use rand::RngExt;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::f64::consts::{PI, TAU};

/// The public rate methods of a [`SpatialCells`] population, with `$shapes`
/// the `# Shapes` line of `rates`.
macro_rules! spatial_cell_methods {
    ($shapes:literal) => {
        /// Rates (Hz) at one position.
        pub fn rates_at(&self, position: &[f64]) -> Vec<f64> {
            SpatialCells::rates_at_one(self, position)
        }

        /// Rates (Hz) at many positions, in parallel.
        ///
        /// # Shapes
        #[doc = $shapes]
        ///
        /// # Errors
        /// [`Error::Shape`] when `positions` has a column count other than the environment's dimension.
        pub fn rates(&self, positions: &ArrayView2<f64>) -> Result<Array2<f64>> {
            SpatialCells::rates_many(self, positions)
        }

        /// Rate map of every cell over the environment's grid of bin `dx` (m).
        ///
        /// # Errors
        /// [`Error::Param`] when `dx` is not positive.
        pub fn rate_maps(&self, dx: f64) -> Result<RateMaps> {
            SpatialCells::maps(self, dx)
        }
    };
}

/// Place-field shape.
///
/// # Example
/// ```
/// use canns::spatial::{Environment, PlaceCells, PlaceField};
/// let env = Environment::params().build()?;
/// // One field of width 0.2 m at the centre, read 0.1 m away (half a width).
/// let rate = |shape| -> canns::Result<f64> {
///     let pc = PlaceCells::params().description(shape).centres(Some(vec![[0.5, 0.5]])).build(&env)?;
///     Ok(pc.rates_at(&[0.6, 0.5])[0])
/// };
/// assert!((rate(PlaceField::Gaussian)? - (-0.125f64).exp()).abs() < 1e-12);
/// assert_eq!(rate(PlaceField::TopHat)?, 1.0);
/// let e = (-0.5f64).exp();
/// assert!((rate(PlaceField::GaussianThreshold)? - ((-0.125f64).exp() - e) / (1.0 - e)).abs() < 1e-12);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PlaceField {
    /// `exp(-d²/2w²)`.
    #[default]
    Gaussian,
    /// Gaussian thresholded at one width and rescaled to [0, 1].
    GaussianThreshold,
    /// Difference of gaussians (widths `w` and `1.5 w`), peak 1.
    DiffOfGaussians,
    /// 1 within `w` of the centre.
    TopHat,
    /// 1 for the nearest centre only.
    OneHot,
}

/// Parameters of [`PlaceCells`].
///
/// # Example
/// ```
/// use canns::spatial::{Environment, PlaceCells};
/// let env = Environment::params().build()?;
/// let pc = PlaceCells::params().n(25).widths(0.1).max_fr(20.0).seed(2).build(&env)?;
/// assert_eq!(pc.n(), 25);
/// assert!(pc.centres().iter().all(|c| env.contains(c)));
/// // A peak rate below the floor is an error naming the field.
/// let err = PlaceCells::params().min_fr(5.0).max_fr(1.0).build(&env).unwrap_err();
/// assert!(err.to_string().contains("max_fr"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlaceCellsParams {
    /// Number of cells (ignored when `centres` are given). Default 10.
    pub n: usize,
    /// Field shape. Default gaussian.
    pub description: PlaceField,
    /// Field width `w` (m). Default 0.2.
    pub widths: f64,
    /// Field centres (m); `None` scatters `n` uniformly at random. Default `None`.
    pub centres: Option<Vec<[f64; 2]>>,
    /// Rate at the field's edge and beyond (Hz). Default 0.
    pub min_fr: f64,
    /// Peak rate (Hz). Default 1.
    pub max_fr: f64,
    /// Seed of the centres. Default 0.
    pub seed: u64,
}

impl Default for PlaceCellsParams {
    fn default() -> Self {
        Self {
            n: 10,
            description: PlaceField::Gaussian,
            widths: 0.2,
            centres: None,
            min_fr: 0.0,
            max_fr: 1.0,
            seed: 0,
        }
    }
}

fn check_rates(min_fr: f64, max_fr: f64) -> Result<()> {
    check::finite("min_fr", min_fr)?;
    check::finite("max_fr", max_fr)?;
    if max_fr < min_fr {
        return Err(ParamError::new("max_fr", format!(">= min_fr = {min_fr}"), max_fr).into());
    }
    Ok(())
}

impl PlaceCellsParams {
    setters! {
        /// Sets `n`.
        n: usize,
        /// Sets `description`.
        description: PlaceField,
        /// Sets `widths` (m).
        widths: f64,
        /// Sets `centres` (m).
        centres: Option<Vec<[f64; 2]>>,
        /// Sets `min_fr` (Hz).
        min_fr: f64,
        /// Sets `max_fr` (Hz).
        max_fr: f64,
        /// Sets `seed`.
        seed: u64,
    }

    /// Validates and builds the cells in `env`.
    ///
    /// # Errors
    /// [`Error::Param`] naming the field: `n` = 0, `widths` <= 0, `max_fr` <
    /// `min_fr`, a non-finite centre.
    pub fn build(&self, env: &Environment) -> Result<PlaceCells> {
        self.validate()?;
        let centres = match &self.centres {
            Some(c) => c.clone(),
            None => {
                let mut rng = crate::random::seeded(self.seed);
                (0..self.n).map(|_| env.sample_position(&mut rng)).collect()
            }
        };
        Ok(PlaceCells {
            params: self.clone(),
            env: env.clone(),
            centres,
        })
    }
}

impl Params for PlaceCellsParams {
    const NAME: &'static str = "PlaceCellsParams";

    fn validate(&self) -> Result<()> {
        check::positive("widths", self.widths)?;
        check_rates(self.min_fr, self.max_fr)?;
        match &self.centres {
            Some(c) => {
                check::at_least("centres.len()", c.len(), 1)?;
                for (i, p) in c.iter().enumerate() {
                    check::finite(&format!("centres[{i}]"), p[0])?;
                    check::finite(&format!("centres[{i}]"), p[1])?;
                }
            }
            None => {
                check::at_least("n", self.n, 1)?;
            }
        }
        Ok(())
    }
}

/// A population of place cells. See the [module docs](crate::spatial).
///
/// # Example
/// ```
/// use canns::ndarray::array;
/// use canns::spatial::{Environment, PlaceCells};
/// let env = Environment::params().build()?;
/// let pc = PlaceCells::params().centres(Some(vec![[0.2, 0.2], [0.8, 0.8]])).max_fr(10.0).build(&env)?;
/// // Rates at many positions: one row per position, one column per cell.
/// let r = pc.rates(&array![[0.2, 0.2], [0.5, 0.5], [0.8, 0.8]].view())?;
/// assert_eq!(r.dim(), (3, 2));
/// assert_eq!((r[[0, 0]], r[[2, 1]]), (10.0, 10.0)); // at each centre
/// assert!((r[[1, 0]] - r[[1, 1]]).abs() < 1e-12); // halfway: equal rates
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceCells {
    params: PlaceCellsParams,
    env: Environment,
    centres: Vec<[f64; 2]>,
}

impl PlaceCells {
    /// Default parameters, to adjust and build.
    pub fn params() -> PlaceCellsParams {
        PlaceCellsParams::default()
    }
    /// Number of cells.
    pub fn n(&self) -> usize {
        self.centres.len()
    }
    /// Field centres (m).
    pub fn centres(&self) -> &[[f64; 2]] {
        &self.centres
    }

    fn rates_into(&self, p: &[f64], out: &mut [f64]) {
        let w = self.params.widths;
        let inv = 1.0 / (2.0 * w * w);
        let (lo, hi) = (self.params.min_fr, self.params.max_fr);
        let e_half = (-0.5f64).exp();
        let ratio2 = 2.25;
        if self.params.description == PlaceField::OneHot {
            let mut best = (0, f64::INFINITY);
            for (i, c) in self.centres.iter().enumerate() {
                let d = self.env.distance(c, p);
                if d < best.1 {
                    best = (i, d);
                }
            }
            for (i, o) in out.iter_mut().enumerate() {
                *o = if i == best.0 { hi } else { lo };
            }
            return;
        }
        for (c, o) in self.centres.iter().zip(out.iter_mut()) {
            let dd = self.env.displacement(c, p);
            let d2 = dd[0] * dd[0] + dd[1] * dd[1];
            let r = match self.params.description {
                PlaceField::Gaussian => (-d2 * inv).exp(),
                PlaceField::GaussianThreshold => {
                    (((-d2 * inv).exp()) - e_half).max(0.0) / (1.0 - e_half)
                }
                PlaceField::DiffOfGaussians => {
                    ((-d2 * inv).exp() - (-d2 * inv / ratio2).exp() / ratio2) * ratio2
                        / (ratio2 - 1.0)
                }
                PlaceField::TopHat => {
                    if d2.sqrt() < w {
                        1.0
                    } else {
                        0.0
                    }
                }
                PlaceField::OneHot => unreachable!("handled above"),
            };
            *o = r * (hi - lo) + lo;
        }
    }

    spatial_cell_methods!("`positions`: `(n_positions, dim)`; result `(n_positions, n_cells)`.");

    fn table(&self) -> KeyValues {
        KeyValues::new("PlaceCells")
            .row("n", self.n(), "cells")
            .row("description", format!("{:?}", self.params.description), "")
            .row("widths", self.params.widths, "m")
            .row(
                "rates",
                format!("[{}, {}]", self.params.min_fr, self.params.max_fr),
                "Hz",
            )
    }
}

/// Grid-field shape.
///
/// # Example
/// ```
/// use canns::spatial::{Environment, GridCells, GridField};
/// let env = Environment::params().build()?;
/// // One cell of spacing 0.4 m with a field at the origin, read half a
/// // wavelength along x: g = (cos pi + cos(pi/2) + cos(-pi/2)) / 3 = -1/3.
/// let rate = |shape| -> canns::Result<f64> {
///     let gc = GridCells::params().n(1).gridscale(vec![0.4]).orientation(vec![0.0])
///         .phase_offset(Some(vec![[0.0, 0.0]])).description(shape).build(&env)?;
///     assert!((gc.rates_at(&[0.0, 0.0])[0] - 1.0).abs() < 1e-12); // peak on the field
///     Ok(gc.rates_at(&[0.2, 0.0])[0])
/// };
/// assert_eq!(rate(GridField::RectifiedCosines)?, 0.0); // outside the field: rectified
/// assert!((rate(GridField::ShiftedCosines)? - 1.0 / 9.0).abs() < 1e-12); // (2/3)(g + 1/2)
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GridField {
    /// Sum of three cosines, rescaled to 0 at the field edge and rectified.
    #[default]
    RectifiedCosines,
    /// `(2/3)(g + 1/2)`: the sum of three cosines shifted into [0, 1].
    ShiftedCosines,
}

/// Parameters of [`GridCells`]. `gridscale` and `orientation` hold one value
/// per cell (length `n`) or one per module (cells split into equal
/// consecutive modules).
///
/// # Example
/// ```
/// use canns::spatial::{Environment, GridCells};
/// let env = Environment::params().build()?;
/// // Two modules of 4 cells each: one spacing and orientation per module.
/// let gc = GridCells::params().n(8).gridscale(vec![0.3, 0.6]).orientation(vec![0.0, 0.5]).build(&env)?;
/// assert_eq!(gc.gridscales(), &[0.3, 0.3, 0.3, 0.3, 0.6, 0.6, 0.6, 0.6]);
/// assert_eq!(gc.orientations()[4], 0.5);
/// // A negative spacing is an error naming the entry.
/// let err = GridCells::params().gridscale(vec![0.3, -0.5, 0.8]).build(&env).unwrap_err();
/// assert!(err.to_string().contains("gridscale[1]"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GridCellsParams {
    /// Number of cells. Default 30.
    pub n: usize,
    /// Grid spacing `λ` (m), per cell or per module. Default `[0.3, 0.5, 0.8]`.
    pub gridscale: Vec<f64>,
    /// Grid orientation (rad), per cell or per module. Default `[0, 0.1, 0.2]`.
    pub orientation: Vec<f64>,
    /// Phase offsets (rad, in `[0, 2π)²`), one per cell; `None` draws them
    /// uniformly. Default `None`.
    pub phase_offset: Option<Vec<[f64; 2]>>,
    /// Field shape. Default rectified_cosines.
    pub description: GridField,
    /// Field width / field spacing for rectified cosines, in (0, 1]. Default `4/(3√3)`.
    pub width_ratio: f64,
    /// Minimum rate (Hz). Default 0.
    pub min_fr: f64,
    /// Peak rate (Hz). Default 1.
    pub max_fr: f64,
    /// Seed of the phase offsets. Default 0.
    pub seed: u64,
}

impl Default for GridCellsParams {
    fn default() -> Self {
        Self {
            n: 30,
            gridscale: vec![0.3, 0.5, 0.8],
            orientation: vec![0.0, 0.1, 0.2],
            phase_offset: None,
            description: GridField::RectifiedCosines,
            width_ratio: 4.0 / (3.0 * 3f64.sqrt()),
            min_fr: 0.0,
            max_fr: 1.0,
            seed: 0,
        }
    }
}

/// Checks that `v` holds one value per cell or per module (at most `n`).
fn check_per_cell(field: &str, v: &[f64], n: usize) -> Result<()> {
    if v.is_empty() || v.len() > n {
        return Err(ParamError::new(
            field,
            format!("of length n = {n} or a number of modules <= n"),
            v.len(),
        )
        .into());
    }
    for (i, x) in v.iter().enumerate() {
        check::finite(&format!("{field}[{i}]"), *x)?;
    }
    Ok(())
}

/// One value per cell from values per cell or per module (checked by
/// [`check_per_cell`]): cells split into equal consecutive modules.
fn per_cell(v: &[f64], n: usize) -> Vec<f64> {
    if v.len() == n {
        return v.to_vec();
    }
    (0..n).map(|i| v[i * v.len() / n]).collect()
}

impl GridCellsParams {
    setters! {
        /// Sets `n`.
        n: usize,
        /// Sets `gridscale` (m).
        gridscale: Vec<f64>,
        /// Sets `orientation` (rad).
        orientation: Vec<f64>,
        /// Sets `phase_offset` (rad).
        phase_offset: Option<Vec<[f64; 2]>>,
        /// Sets `description`.
        description: GridField,
        /// Sets `width_ratio`.
        width_ratio: f64,
        /// Sets `min_fr` (Hz).
        min_fr: f64,
        /// Sets `max_fr` (Hz).
        max_fr: f64,
        /// Sets `seed`.
        seed: u64,
    }

    /// Validates and builds the cells in `env` (2D).
    ///
    /// # Errors
    /// [`Error::Param`] naming the field: `n` = 0, a gridscale <= 0, lengths
    /// that fit neither cells nor modules, `width_ratio` outside (0, 1], a 1D environment.
    pub fn build(&self, env: &Environment) -> Result<GridCells> {
        self.validate()?;
        if env.dim() != 2 {
            return Err(ParamError::new("environment", "2D for grid cells", "1D").into());
        }
        let scale = per_cell(&self.gridscale, self.n);
        let orient = per_cell(&self.orientation, self.n);
        let phases = match &self.phase_offset {
            Some(p) => p.clone(),
            None => {
                let mut rng = crate::random::seeded(self.seed);
                (0..self.n)
                    .map(|_| [rng.random::<f64>() * TAU, rng.random::<f64>() * TAU])
                    .collect()
            }
        };
        let mut waves: Vec<([f64; 2], [f64; 2])> = Vec::new();
        let cells = (0..self.n)
            .map(|i| {
                let k = TAU / scale[i];
                let (s1, c1) = orient[i].sin_cos();
                let (s2, c2) = (orient[i] + PI / 3.0).sin_cos();
                let origin = [scale[i] * phases[i][0] / TAU, scale[i] * phases[i][1] / TAU];
                // φ₃ = φ₂ - φ₁ (w₃ = w₂ - w₁ for vectors at 0°, 60°, 120°).
                let (w1, w2) = ([k * c1, k * s1], [k * c2, k * s2]);
                let wave = match waves.iter().position(|&w| w == (w1, w2)) {
                    Some(j) => j,
                    None => {
                        waves.push((w1, w2));
                        waves.len() - 1
                    }
                };
                let (sa1, ca1) = (w1[0] * origin[0] + w1[1] * origin[1]).sin_cos();
                let (sa2, ca2) = (w2[0] * origin[0] + w2[1] * origin[1]).sin_cos();
                GridCell {
                    w1,
                    w2,
                    origin,
                    wave,
                    origin_phase: [sa1, ca1, sa2, ca2],
                }
            })
            .collect();
        let edge = (2.0 * (3f64.sqrt() * PI * self.width_ratio / 2.0).cos() + 1.0) / 3.0;
        Ok(GridCells {
            params: self.clone(),
            env: env.clone(),
            gridscale: scale,
            orientation: orient,
            phases,
            cells,
            edge,
            waves,
        })
    }
}

impl Params for GridCellsParams {
    const NAME: &'static str = "GridCellsParams";

    fn validate(&self) -> Result<()> {
        check::at_least("n", self.n, 1)?;
        check_per_cell("gridscale", &self.gridscale, self.n)?;
        for (i, s) in self.gridscale.iter().enumerate() {
            check::positive(&format!("gridscale[{i}]"), *s)?;
        }
        check_per_cell("orientation", &self.orientation, self.n)?;
        if let Some(p) = &self.phase_offset {
            if p.len() != self.n {
                return Err(ParamError::new(
                    "phase_offset",
                    format!("of length n = {}", self.n),
                    p.len(),
                )
                .into());
            }
            for (i, q) in p.iter().enumerate() {
                check::finite(&format!("phase_offset[{i}]"), q[0])?;
                check::finite(&format!("phase_offset[{i}]"), q[1])?;
            }
        }
        if !(self.width_ratio > 0.0 && self.width_ratio <= 1.0) {
            return Err(ParamError::new("width_ratio", "in (0, 1]", self.width_ratio).into());
        }
        check_rates(self.min_fr, self.max_fr)?;
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
struct GridCell {
    /// Wave vectors `(2π/λ) w₁`, `(2π/λ) w₂`.
    w1: [f64; 2],
    w2: [f64; 2],
    origin: [f64; 2],
    /// Index of `(w1, w2)` in [`GridCells::waves`].
    wave: usize,
    /// `sin`, `cos` of `w₁·origin` and of `w₂·origin`.
    origin_phase: [f64; 4],
}

/// A population of grid cells. See the [module docs](crate::spatial).
///
/// # Example
/// ```
/// use canns::spatial::{Environment, GridCells};
/// let env = Environment::params().build()?;
/// let gc = GridCells::params().n(6).build(&env)?;
/// assert_eq!((gc.n(), gc.phase_offsets().len()), (6, 6));
/// // Rate maps over the box at 5 cm bins: 20 x 20 bins, one column per cell, in [0, 1] Hz.
/// let maps = gc.rate_maps(0.05)?;
/// assert_eq!((maps.xs.len(), maps.ys.len(), maps.rates.dim()), (20, 20, (6, 20, 20)));
/// assert!(maps.rates.iter().all(|&r| (0.0..=1.0).contains(&r)));
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GridCells {
    params: GridCellsParams,
    env: Environment,
    gridscale: Vec<f64>,
    orientation: Vec<f64>,
    phases: Vec<[f64; 2]>,
    cells: Vec<GridCell>,
    /// `g` at the field edge (rectified cosines).
    edge: f64,
    /// The distinct wave-vector pairs (one per module when cells share a
    /// scale and orientation).
    waves: Vec<([f64; 2], [f64; 2])>,
}

impl GridCells {
    /// Default parameters, to adjust and build.
    pub fn params() -> GridCellsParams {
        GridCellsParams::default()
    }
    /// Number of cells.
    pub fn n(&self) -> usize {
        self.cells.len()
    }
    /// Grid spacing per cell (m).
    pub fn gridscales(&self) -> &[f64] {
        &self.gridscale
    }
    /// Orientation per cell (rad).
    pub fn orientations(&self) -> &[f64] {
        &self.orientation
    }
    /// Phase offset per cell (rad).
    pub fn phase_offsets(&self) -> &[[f64; 2]] {
        &self.phases
    }

    #[inline]
    fn rates_into(&self, p: &[f64], out: &mut [f64]) {
        // Cells of one module share their wave vectors, so the phases
        // w·(origin - p) = w·origin - w·p need one sin/cos of w·p per module
        // and per position; the angle-difference identities do the rest.
        const MAX_WAVES: usize = 16;
        if self.waves.len() > MAX_WAVES {
            for (c, o) in self.cells.iter().zip(out.iter_mut()) {
                let v = [c.origin[0] - p[0], c.origin[1] - p[1]];
                let (s1, c1) = (c.w1[0] * v[0] + c.w1[1] * v[1]).sin_cos();
                let (s2, c2) = (c.w2[0] * v[0] + c.w2[1] * v[1]).sin_cos();
                *o = self.rate(c1, s1, c2, s2);
            }
            return;
        }
        let mut at = [[0.0f64; 4]; MAX_WAVES];
        for (b, (w1, w2)) in at.iter_mut().zip(&self.waves) {
            let (s1, c1) = (w1[0] * p[0] + w1[1] * p[1]).sin_cos();
            let (s2, c2) = (w2[0] * p[0] + w2[1] * p[1]).sin_cos();
            *b = [s1, c1, s2, c2];
        }
        for (c, o) in self.cells.iter().zip(out.iter_mut()) {
            let [sb1, cb1, sb2, cb2] = at[c.wave];
            let [sa1, ca1, sa2, ca2] = c.origin_phase;
            let (c1, s1) = (ca1 * cb1 + sa1 * sb1, sa1 * cb1 - ca1 * sb1);
            let (c2, s2) = (ca2 * cb2 + sa2 * sb2, sa2 * cb2 - ca2 * sb2);
            *o = self.rate(c1, s1, c2, s2);
        }
    }

    /// Rate (Hz) from the cosines and sines of the first two phases.
    #[inline]
    fn rate(&self, c1: f64, s1: f64, c2: f64, s2: f64) -> f64 {
        let (lo, hi) = (self.params.min_fr, self.params.max_fr);
        let c3 = c2 * c1 + s2 * s1;
        let g = (c1 + c2 + c3) / 3.0;
        let r = match self.params.description {
            GridField::RectifiedCosines => ((g - self.edge) / (1.0 - self.edge)).max(0.0),
            GridField::ShiftedCosines => (2.0 / 3.0) * (g + 0.5),
        };
        r * (hi - lo) + lo
    }

    spatial_cell_methods!("`positions`: `(n_positions, 2)`; result `(n_positions, n_cells)`.");

    fn table(&self) -> KeyValues {
        KeyValues::new("GridCells")
            .row("n", self.n(), "cells")
            .row("description", format!("{:?}", self.params.description), "")
            .row("gridscale", format!("{:?}", self.params.gridscale), "m")
            .row(
                "orientation",
                format!("{:?}", self.params.orientation),
                "rad",
            )
            .row("width_ratio", format!("{:.4}", self.params.width_ratio), "")
    }
}

/// Parameters of [`HeadDirectionCells`].
///
/// # Example
/// ```
/// use canns::spatial::HeadDirectionCells;
/// let hd = HeadDirectionCells::params().n(8).angular_spread_degrees(30.0).max_fr(5.0).build()?;
/// assert_eq!(hd.n(), 8);
/// assert!((hd.preferred_angles()[2] - std::f64::consts::FRAC_PI_2).abs() < 1e-12);
/// let err = HeadDirectionCells::params().angular_spread_degrees(0.0).build().unwrap_err();
/// assert!(err.to_string().contains("angular_spread_degrees"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HeadDirectionCellsParams {
    /// Number of cells, preferred directions evenly spaced from 0. Default 10.
    pub n: usize,
    /// Tuning width `σ` (degrees); `κ = 1/σ²` in radians. Default 45.
    pub angular_spread_degrees: f64,
    /// Minimum rate (Hz). Default 0.
    pub min_fr: f64,
    /// Peak rate (Hz). Default 1.
    pub max_fr: f64,
}

impl Default for HeadDirectionCellsParams {
    fn default() -> Self {
        Self {
            n: 10,
            angular_spread_degrees: 45.0,
            min_fr: 0.0,
            max_fr: 1.0,
        }
    }
}

impl HeadDirectionCellsParams {
    setters! {
        /// Sets `n`.
        n: usize,
        /// Sets `angular_spread_degrees`.
        angular_spread_degrees: f64,
        /// Sets `min_fr` (Hz).
        min_fr: f64,
        /// Sets `max_fr` (Hz).
        max_fr: f64,
    }

    /// Validates and builds the cells.
    ///
    /// # Errors
    /// [`Error::Param`] naming the field: `n` = 0, a non-positive spread, `max_fr` < `min_fr`.
    pub fn build(&self) -> Result<HeadDirectionCells> {
        self.validate()?;
        let sigma = self.angular_spread_degrees * PI / 180.0;
        Ok(HeadDirectionCells {
            params: self.clone(),
            preferred: (0..self.n)
                .map(|i| TAU * i as f64 / self.n as f64)
                .collect(),
            kappa: 1.0 / (sigma * sigma),
        })
    }
}

impl Params for HeadDirectionCellsParams {
    const NAME: &'static str = "HeadDirectionCellsParams";

    fn validate(&self) -> Result<()> {
        check::at_least("n", self.n, 1)?;
        check::positive("angular_spread_degrees", self.angular_spread_degrees)?;
        check_rates(self.min_fr, self.max_fr)?;
        Ok(())
    }
}

/// A population of head-direction cells. See the [module docs](crate::spatial).
///
/// # Example
/// ```
/// use canns::spatial::HeadDirectionCells;
/// use std::f64::consts::PI;
/// // Four cells preferring 0, pi/2, pi and 3 pi/2; von Mises tuning of 45 degrees.
/// let hd = HeadDirectionCells::params().n(4).build()?;
/// let r = hd.rates_at(PI / 2.0);
/// assert!((r[1] - 1.0).abs() < 1e-12); // the cell facing that way fires at max_fr
/// let kappa = 1.0 / (PI / 4.0).powi(2);
/// assert!((r[0] - (-kappa).exp()).abs() < 1e-12); // 90 degrees off: exp(kappa (cos - 1))
/// assert_eq!(hd.rates(&[0.0, PI]).dim(), (2, 4));
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HeadDirectionCells {
    params: HeadDirectionCellsParams,
    preferred: Vec<f64>,
    kappa: f64,
}

impl HeadDirectionCells {
    /// Default parameters, to adjust and build.
    pub fn params() -> HeadDirectionCellsParams {
        HeadDirectionCellsParams::default()
    }
    /// Number of cells.
    pub fn n(&self) -> usize {
        self.preferred.len()
    }
    /// Preferred directions (rad).
    pub fn preferred_angles(&self) -> &[f64] {
        &self.preferred
    }
    /// Rates (Hz) at head direction `theta` (rad).
    pub fn rates_at(&self, theta: f64) -> Vec<f64> {
        let (lo, hi) = (self.params.min_fr, self.params.max_fr);
        self.preferred
            .iter()
            .map(|mu| (self.kappa * ((theta - mu).cos() - 1.0)).exp() * (hi - lo) + lo)
            .collect()
    }
    /// Rates (Hz) at many head directions.
    ///
    /// # Shapes
    /// Result `(n_angles, n_cells)`.
    pub fn rates(&self, thetas: &[f64]) -> Array2<f64> {
        let mut out = Array2::zeros((thetas.len(), self.n()));
        for (mut row, &th) in out.rows_mut().into_iter().zip(thetas) {
            for (o, r) in row.iter_mut().zip(self.rates_at(th)) {
                *o = r;
            }
        }
        out
    }
    /// Tuning curves over `[0, 2π)`.
    pub fn plot(&self) -> Figure {
        let th: Vec<f64> = (0..361).map(|i| i as f64 * TAU / 360.0).collect();
        let r = self.rates(&th);
        let series = (0..self.n())
            .map(|j| display::Series::line(format!("cell {j}"), th.clone(), r.column(j).to_vec()))
            .collect();
        display::lines(
            "Head-direction tuning",
            "head direction (rad)",
            "rate (Hz)",
            series,
        )
    }
}

/// One speed cell: `rate = v / (speed_mean + speed_std)` scaled to `[min_fr, max_fr]`.
///
/// # Example
/// ```
/// use canns::spatial::{AgentParams, SpeedCell};
/// // Fires at max_fr when the agent runs at speed_mean + speed_std.
/// let cell = SpeedCell::new(&AgentParams::default().speed_mean(0.1).speed_std(0.1))?;
/// assert!((cell.one_sigma_speed - 0.2).abs() < 1e-12);
/// assert_eq!(cell.rates(&[0.0, 0.1, 0.2]), vec![0.0, 0.5, 1.0]);
/// assert!(SpeedCell::new(&AgentParams::default().speed_mean(0.0).speed_std(0.0)).is_err());
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SpeedCell {
    /// Speed (m/s) at which the cell fires at `max_fr`: the agent's
    /// `speed_mean + speed_std`.
    pub one_sigma_speed: f64,
    /// Rate at rest (Hz).
    pub min_fr: f64,
    /// Rate at `one_sigma_speed` (Hz).
    pub max_fr: f64,
}

impl SpeedCell {
    /// A speed cell for an agent with these parameters (rates 0 to 1 Hz).
    ///
    /// # Errors
    /// [`Error::Param`] when `speed_mean + speed_std` is not positive.
    pub fn new(agent: &super::AgentParams) -> Result<Self> {
        let s = check::positive("speed_mean + speed_std", agent.speed_mean + agent.speed_std)?;
        Ok(Self {
            one_sigma_speed: s,
            min_fr: 0.0,
            max_fr: 1.0,
        })
    }
    /// Rate (Hz) at speed `v` (m/s).
    pub fn rate(&self, v: f64) -> f64 {
        v / self.one_sigma_speed * (self.max_fr - self.min_fr) + self.min_fr
    }
    /// Rates (Hz) along speeds (m/s).
    pub fn rates(&self, speeds: &[f64]) -> Vec<f64> {
        speeds.iter().map(|&v| self.rate(v)).collect()
    }
}

/// Parameters of [`BoundaryVectorCells`] (RatInABox's `BoundaryVectorCells`
/// with its `"random"` cell arrangement and `"diverging"` distance spread).
///
/// # Example
/// ```
/// use canns::spatial::{BoundaryConditions, BoundaryVectorCells, Environment};
/// let env = Environment::params().build()?;
/// // Drawn tuning: preferred distances in [0.05, 0.3] m, sigma_d = xi + d / beta.
/// let bvc = BoundaryVectorCells::params().n(5).xi(0.05).seed(1).build(&env)?;
/// assert_eq!(bvc.n(), 5);
/// for (d, s) in bvc.tuning_distances().iter().zip(bvc.sigma_distances()) {
///     assert!((0.05..=0.3).contains(d) && (s - (0.05 + d / 12.0)).abs() < 1e-12);
/// }
/// // A periodic box has no boundary to respond to.
/// let torus = Environment::params().boundary_conditions(BoundaryConditions::Periodic).build()?;
/// assert!(BoundaryVectorCells::params().build(&torus).is_err());
/// let err = BoundaryVectorCells::params().dtheta_degrees(120.0).build(&env).unwrap_err();
/// assert!(err.to_string().contains("dtheta_degrees"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoundaryVectorCellsParams {
    /// Number of cells (ignored when tuning values are given). Default 10.
    pub n: usize,
    /// Preferred distance `d` (m) to a boundary, one per cell; `None` draws
    /// them uniformly in `[0.05, 0.3]` m (RatInABox's default). Default `None`.
    pub tuning_distances: Option<Vec<f64>>,
    /// Preferred allocentric direction `φ` (rad, 0 = east, counter-clockwise)
    /// of the boundary, one per cell; `None` draws them uniformly in
    /// `[0, 2π)`. Default `None`.
    pub tuning_angles: Option<Vec<f64>>,
    /// Angular tuning width `σ_θ` (rad), one per cell; `None` draws them
    /// uniformly in `[10°, 30°]`. Default `None`.
    pub sigma_angles: Option<Vec<f64>>,
    /// Distance-spread offset `ξ` (m) in `σ_d = ξ + d/β`. Default 0.08.
    pub xi: f64,
    /// Distance-spread divisor `β` in `σ_d = ξ + d/β`. Default 12.
    pub beta: f64,
    /// Angular resolution (degrees) of the rays cast over 360°. Default 2.
    pub dtheta_degrees: f64,
    /// Rate (Hz) far from every boundary. Default 0.
    pub min_fr: f64,
    /// Rate (Hz) of the analytic maximum (a boundary at `d` in every
    /// direction). Default 1.
    pub max_fr: f64,
    /// Seed of the drawn tuning values. Default 0.
    pub seed: u64,
}

impl Default for BoundaryVectorCellsParams {
    fn default() -> Self {
        Self {
            n: 10,
            tuning_distances: None,
            tuning_angles: None,
            sigma_angles: None,
            xi: 0.08,
            beta: 12.0,
            dtheta_degrees: 2.0,
            min_fr: 0.0,
            max_fr: 1.0,
            seed: 0,
        }
    }
}

impl BoundaryVectorCellsParams {
    setters! {
        /// Sets `n`.
        n: usize,
        /// Sets `tuning_distances` (m).
        tuning_distances: Option<Vec<f64>>,
        /// Sets `tuning_angles` (rad).
        tuning_angles: Option<Vec<f64>>,
        /// Sets `sigma_angles` (rad).
        sigma_angles: Option<Vec<f64>>,
        /// Sets `xi` (m).
        xi: f64,
        /// Sets `beta`.
        beta: f64,
        /// Sets `dtheta_degrees`.
        dtheta_degrees: f64,
        /// Sets `min_fr` (Hz).
        min_fr: f64,
        /// Sets `max_fr` (Hz).
        max_fr: f64,
        /// Sets `seed`.
        seed: u64,
    }

    /// Validates and builds the cells in `env`.
    ///
    /// # Errors
    /// [`Error::Param`] naming the field: `n` = 0, tuning lists of unequal
    /// lengths, a negative or non-finite distance, a non-positive angular
    /// width, `xi` or `beta`, `dtheta_degrees` outside (0, 90], `max_fr` <
    /// `min_fr`, a 1D or periodic environment (no boundaries to respond to).
    pub fn build(&self, env: &Environment) -> Result<BoundaryVectorCells> {
        self.validate()?;
        if env.dim() != 2 || env.is_periodic() {
            return Err(ParamError::new(
                "environment",
                "a solid 2D box for boundary vector cells",
                env.to_string(),
            )
            .into());
        }
        let n = self.n_cells()?;
        let mut rng = crate::random::seeded(self.seed);
        let mut draw = |lo: f64, hi: f64| -> Vec<f64> {
            (0..n)
                .map(|_| lo + (hi - lo) * rng.random::<f64>())
                .collect()
        };
        let d = self
            .tuning_distances
            .clone()
            .unwrap_or_else(|| draw(0.05, 0.3));
        let phi = self.tuning_angles.clone().unwrap_or_else(|| draw(0.0, TAU));
        let deg = PI / 180.0;
        let sig = self
            .sigma_angles
            .clone()
            .unwrap_or_else(|| draw(10.0 * deg, 30.0 * deg));
        let n_rays = (360.0 / self.dtheta_degrees).round() as usize;
        let rays: Vec<[f64; 2]> = (0..n_rays)
            .map(|k| {
                let (s, c) = (TAU * k as f64 / n_rays as f64).sin_cos();
                [c, s]
            })
            .collect();
        // The angular factor does not depend on the position (allocentric
        // frame): one row of von Mises weights per cell, and its sum, the
        // rate with a boundary at `d` along every ray.
        let mut weights = Array2::zeros((n, n_rays));
        let mut norm = vec![0.0; n];
        for i in 0..n {
            let kappa = 1.0 / (sig[i] * sig[i]);
            for k in 0..n_rays {
                let th = TAU * k as f64 / n_rays as f64;
                weights[(i, k)] = (kappa * ((th - phi[i]).cos() - 1.0)).exp();
                norm[i] += (kappa * ((th).cos() - 1.0)).exp();
            }
        }
        let sigma_d = d.iter().map(|d| self.xi + d / self.beta).collect();
        Ok(BoundaryVectorCells {
            params: self.clone(),
            env: env.clone(),
            tuning_distances: d,
            tuning_angles: phi,
            sigma_angles: sig,
            sigma_distances: sigma_d,
            rays,
            weights,
            norm,
        })
    }
}

impl BoundaryVectorCellsParams {
    /// The number of cells: the common length of the given tuning lists, or
    /// `n` when none is given.
    fn n_cells(&self) -> Result<usize> {
        let given = [
            ("tuning_distances", &self.tuning_distances),
            ("tuning_angles", &self.tuning_angles),
            ("sigma_angles", &self.sigma_angles),
        ];
        let mut n = None;
        for (field, v) in given {
            if let Some(v) = v {
                match n {
                    None => n = Some((field, v.len())),
                    Some((other, m)) if m != v.len() => {
                        return Err(ParamError::new(
                            field,
                            format!("of the length of `{other}` ({m})"),
                            v.len(),
                        )
                        .into())
                    }
                    _ => {}
                }
            }
        }
        Ok(n.map_or(self.n, |(_, m)| m))
    }
}

impl Params for BoundaryVectorCellsParams {
    const NAME: &'static str = "BoundaryVectorCellsParams";

    fn validate(&self) -> Result<()> {
        check::positive("xi", self.xi)?;
        check::positive("beta", self.beta)?;
        if !(self.dtheta_degrees > 0.0 && self.dtheta_degrees <= 90.0) {
            return Err(
                ParamError::new("dtheta_degrees", "in (0, 90]", self.dtheta_degrees).into(),
            );
        }
        check_rates(self.min_fr, self.max_fr)?;
        check::at_least("n", self.n_cells()?, 1)?;
        for (i, d) in self.tuning_distances.iter().flatten().enumerate() {
            check::non_negative(&format!("tuning_distances[{i}]"), *d)?;
        }
        for (i, phi) in self.tuning_angles.iter().flatten().enumerate() {
            check::finite(&format!("tuning_angles[{i}]"), *phi)?;
        }
        for (i, sig) in self.sigma_angles.iter().flatten().enumerate() {
            check::positive(&format!("sigma_angles[{i}]"), *sig)?;
        }
        Ok(())
    }
}

/// A population of allocentric boundary vector cells (Hartley et al. 2000;
/// Barry et al. 2006), as RatInABox's `BoundaryVectorCells`.
///
/// Cell `i` prefers a boundary at distance `d_i` in direction `φ_i`. From a
/// position, rays are cast every `dθ` and each ray `θ_k` meets its first
/// wall at distance `r_k`; the rate is
///
/// `f_i = Σ_k exp(-(r_k - d_i)²/2σ_d,i²) · exp(κ_i (cos(θ_k - φ_i) - 1)) / Σ_k exp(κ_i (cos θ_k - 1))`,
///
/// with `σ_d,i = ξ + d_i/β` and `κ_i = 1/σ_θ,i²`, scaled to
/// `[min_fr, max_fr]`. The denominator is the rate with a boundary at `d_i`
/// along every ray, so `max_fr` is the analytic maximum (RatInABox ≥ 1.10
/// normalises this way, not by the maximum over the environment). Walls
/// hide the walls behind them; hole edges are walls.
///
/// # Examples
/// ```
/// use canns::spatial::{BoundaryVectorCells, Environment};
/// let env = Environment::params().build()?;
/// // One cell preferring the west wall 0.1 m away.
/// let bvc = BoundaryVectorCells::params()
///     .tuning_distances(Some(vec![0.1]))
///     .tuning_angles(Some(vec![std::f64::consts::PI]))
///     .sigma_angles(Some(vec![0.2]))
///     .build(&env)?;
/// let near = bvc.rates_at(&[0.1, 0.5])[0];
/// let far = bvc.rates_at(&[0.9, 0.5])[0];
/// assert!(near > 0.3 && far < 1e-6);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # References
/// Hartley, T., Burgess, N., Lever, C., Cacucci, F. & O'Keefe, J. (2000).
/// Modeling place fields in terms of the cortical inputs to the hippocampus.
/// Hippocampus 10:369.
/// Barry, C. et al. (2006). The boundary vector cell model of place cell
/// firing and spatial memory. Reviews in the Neurosciences 17:71.
/// de Cothi, W. & Barry, C. (2020). Neurobiological successor features for
/// spatial navigation. Hippocampus 30:1347.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryVectorCells {
    params: BoundaryVectorCellsParams,
    env: Environment,
    tuning_distances: Vec<f64>,
    tuning_angles: Vec<f64>,
    sigma_angles: Vec<f64>,
    sigma_distances: Vec<f64>,
    /// Unit vectors of the rays.
    rays: Vec<[f64; 2]>,
    /// `exp(κ_i (cos(θ_k - φ_i) - 1))`, `(n_cells, n_rays)`.
    weights: Array2<f64>,
    /// The rate with a boundary at the preferred distance along every ray.
    norm: Vec<f64>,
}

impl BoundaryVectorCells {
    /// Default parameters, to adjust and build.
    pub fn params() -> BoundaryVectorCellsParams {
        BoundaryVectorCellsParams::default()
    }
    /// Number of cells.
    pub fn n(&self) -> usize {
        self.tuning_distances.len()
    }
    /// Preferred boundary distances `d` (m).
    pub fn tuning_distances(&self) -> &[f64] {
        &self.tuning_distances
    }
    /// Preferred boundary directions `φ` (rad).
    pub fn tuning_angles(&self) -> &[f64] {
        &self.tuning_angles
    }
    /// Angular widths `σ_θ` (rad).
    pub fn sigma_angles(&self) -> &[f64] {
        &self.sigma_angles
    }
    /// Distance widths `σ_d = ξ + d/β` (m).
    pub fn sigma_distances(&self) -> &[f64] {
        &self.sigma_distances
    }

    /// Distance (m) along the ray `u` from `p` to the first wall (`inf` if none).
    fn first_hit(&self, p: [f64; 2], u: [f64; 2]) -> f64 {
        let mut best = f64::INFINITY;
        for w in self.env.walls() {
            let s = [w[1][0] - w[0][0], w[1][1] - w[0][1]];
            let den = u[0] * s[1] - u[1] * s[0];
            if den == 0.0 {
                continue;
            }
            let d0 = [w[0][0] - p[0], w[0][1] - p[1]];
            let t = (d0[0] * s[1] - d0[1] * s[0]) / den;
            let l = (d0[0] * u[1] - d0[1] * u[0]) / den;
            if t > 0.0 && (0.0..=1.0).contains(&l) && t < best {
                best = t;
            }
        }
        best
    }

    fn rates_into(&self, p: &[f64], out: &mut [f64]) {
        let p = [p[0], p[1]];
        let hits: Vec<f64> = self.rays.iter().map(|&u| self.first_hit(p, u)).collect();
        let (lo, hi) = (self.params.min_fr, self.params.max_fr);
        for (i, o) in out.iter_mut().enumerate() {
            let (d, s) = (self.tuning_distances[i], self.sigma_distances[i]);
            let inv = 1.0 / (2.0 * s * s);
            let w = self.weights.row(i);
            let f: f64 = hits
                .iter()
                .zip(w.iter())
                .filter(|(r, _)| r.is_finite())
                .map(|(r, a)| a * (-(r - d) * (r - d) * inv).exp())
                .sum();
            *o = f / self.norm[i] * (hi - lo) + lo;
        }
    }

    spatial_cell_methods!("`positions`: `(n_positions, 2)`; result `(n_positions, n_cells)`.");

    fn table(&self) -> KeyValues {
        KeyValues::new("BoundaryVectorCells")
            .row("n", self.n(), "cells")
            .row("xi", self.params.xi, "m")
            .row("beta", self.params.beta, "")
            .row("dtheta_degrees", self.params.dtheta_degrees, "deg")
            .row(
                "rates",
                format!("[{}, {}]", self.params.min_fr, self.params.max_fr),
                "Hz",
            )
    }
}

/// Populations whose rates depend on the position only: the provided
/// methods are the one body behind every such population's public
/// `rates_at`, `rates`, `rate_maps` (see `spatial_cell_methods!`) and its
/// notebook rendering.
trait SpatialCells: Sync {
    /// What one cell is called in plots.
    const KIND: &'static str;
    /// The type's name in summaries.
    const NAME: &'static str;
    /// The environment the cells live in.
    fn env(&self) -> &Environment;
    /// Number of cells.
    fn n_cells(&self) -> usize;
    /// Writes the rates (Hz) at position `p` into `out` (one per cell).
    fn fill_rates(&self, p: &[f64], out: &mut [f64]);
    /// The summary table.
    fn summary(&self) -> KeyValues;

    fn rates_at_one(&self, position: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.n_cells()];
        self.fill_rates(position, &mut out);
        out
    }

    fn rates_many(&self, positions: &ArrayView2<f64>) -> Result<Array2<f64>> {
        check_cols(positions, self.env().dim())?;
        Ok(par_rows(positions, self.n_cells(), |p, out| {
            self.fill_rates(p, out)
        }))
    }

    fn maps(&self, dx: f64) -> Result<RateMaps> {
        let pts = self.env().discretise(dx)?;
        RateMaps::new(self.env(), dx, self.rates_many(&pts.view())?, Self::KIND)
    }

    fn spatial_bundle(&self) -> Bundle {
        let plot = match self.maps(self.env().parameters().dx.max(0.02)) {
            Ok(m) => m.plot(6),
            Err(_) => Figure::from(plotly::Plot::new()),
        };
        Bundle::figure(
            &plot,
            &self.summary().to_html(),
            format!("{}(n = {})", Self::NAME, self.n_cells()),
        )
    }
}

macro_rules! spatial_cells {
    ($ty:ty, $kind:literal, $name:literal) => {
        impl SpatialCells for $ty {
            const KIND: &'static str = $kind;
            const NAME: &'static str = $name;
            fn env(&self) -> &Environment {
                &self.env
            }
            fn n_cells(&self) -> usize {
                self.n()
            }
            fn fill_rates(&self, p: &[f64], out: &mut [f64]) {
                self.rates_into(p, out)
            }
            fn summary(&self) -> KeyValues {
                self.table()
            }
        }
    };
}

spatial_cells!(PlaceCells, "place cell", "PlaceCells");
spatial_cells!(GridCells, "grid cell", "GridCells");
spatial_cells!(
    BoundaryVectorCells,
    "boundary vector cell",
    "BoundaryVectorCells"
);

fn check_cols(positions: &ArrayView2<f64>, dim: usize) -> Result<()> {
    if positions.ncols() != dim {
        return Err(Error::shape("positions (columns)", dim, positions.ncols()));
    }
    Ok(())
}

fn par_rows(
    positions: &ArrayView2<f64>,
    n: usize,
    f: impl Fn(&[f64], &mut [f64]) + Sync,
) -> Array2<f64> {
    let mut out = Array2::zeros((positions.nrows(), n));
    out.axis_chunks_iter_mut(Axis(0), 1024)
        .into_par_iter()
        .zip(positions.axis_chunks_iter(Axis(0), 1024).into_par_iter())
        .for_each(|(mut o, p)| {
            let mut buf = [0.0; 2];
            for (mut orow, prow) in o.rows_mut().into_iter().zip(p.rows()) {
                for (b, v) in buf.iter_mut().zip(prow.iter()) {
                    *b = *v;
                }
                let slice = orow
                    .as_slice_mut()
                    .expect("rows of a standard array are contiguous");
                f(&buf[..prow.len()], slice);
            }
        });
    out
}

impl Render for PlaceCells {
    fn bundle(&self) -> Bundle {
        self.spatial_bundle()
    }
}

impl Render for GridCells {
    fn bundle(&self) -> Bundle {
        self.spatial_bundle()
    }
}

impl Render for HeadDirectionCells {
    fn bundle(&self) -> Bundle {
        let t = KeyValues::new("HeadDirectionCells")
            .row("n", self.n(), "cells")
            .row(
                "angular_spread_degrees",
                self.params.angular_spread_degrees,
                "deg",
            )
            .to_html();
        Bundle::figure(
            &self.plot(),
            &t,
            format!("HeadDirectionCells(n = {})", self.n()),
        )
    }
}

impl Render for SpeedCell {
    fn bundle(&self) -> Bundle {
        let t = KeyValues::new("SpeedCell")
            .row("one_sigma_speed", self.one_sigma_speed, "m/s")
            .row("rates", format!("[{}, {}]", self.min_fr, self.max_fr), "Hz")
            .to_html();
        Bundle::html(t, format!("{self:?}"))
    }
}

impl Render for RateMaps {
    fn bundle(&self) -> Bundle {
        Bundle::figure(
            &self.plot(6),
            "",
            format!("RateMaps({} cells, {} bins)", self.n_cells(), self.n_bins()),
        )
    }
}

impl Render for BoundaryVectorCells {
    fn bundle(&self) -> Bundle {
        self.spatial_bundle()
    }
}

display::evcxr_display_via_render!(
    BoundaryVectorCells,
    PlaceCells,
    GridCells,
    HeadDirectionCells,
    SpeedCell,
    RateMaps
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Rates from the phases computed directly, cell by cell.
    fn direct(g: &GridCells, p: &[f64]) -> Vec<f64> {
        g.cells
            .iter()
            .map(|c| {
                let v = [c.origin[0] - p[0], c.origin[1] - p[1]];
                let (s1, c1) = (c.w1[0] * v[0] + c.w1[1] * v[1]).sin_cos();
                let (s2, c2) = (c.w2[0] * v[0] + c.w2[1] * v[1]).sin_cos();
                g.rate(c1, s1, c2, s2)
            })
            .collect()
    }

    #[test]
    fn shared_module_phases_equal_direct_phases() {
        let env = Environment::params().build().unwrap();
        let modules = GridCells::params().n(100).build(&env).unwrap();
        assert_eq!(modules.waves.len(), 3);
        // One scale per cell: more wave pairs than the shared path holds.
        let scales: Vec<f64> = (0..40).map(|i| 0.3 + 0.01 * i as f64).collect();
        let each = GridCells::params()
            .n(40)
            .gridscale(scales)
            .build(&env)
            .unwrap();
        assert_eq!(each.waves.len(), 40);
        for g in [&modules, &each] {
            for p in [[0.1, 0.2], [0.93, 0.07], [0.5, 0.5]] {
                for (a, b) in g.rates_at(&p).iter().zip(direct(g, &p)) {
                    assert!((a - b).abs() < 1e-12, "{a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn modules_split_cells() {
        assert!(check_per_cell("gridscale", &[0.3, 0.5, 0.8], 9).is_ok());
        let v = per_cell(&[0.3, 0.5, 0.8], 9);
        assert_eq!(v, vec![0.3, 0.3, 0.3, 0.5, 0.5, 0.5, 0.8, 0.8, 0.8]);
        assert!(check_per_cell("gridscale", &[0.3; 10], 9).is_err());
        assert!(check_per_cell("gridscale", &[], 9).is_err());
    }
}
