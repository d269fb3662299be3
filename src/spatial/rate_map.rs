//! Rate maps: the firing rate of each cell of a population over the bins of
//! an environment, each cell's map a
//! [`RateMap`](crate::analysis::place::RateMap) of shape `(n_y, n_x)`, the
//! one rate-map type the analyses score; and the crate's one spatial
//! binning of positions, behind every occupancy.

use super::environment::Environment;
use crate::analysis::place::RateMap;
use crate::display::compact_matrix;
use crate::display::Figure;
use crate::error::{ParamError, Result};
use ndarray::{Array2, Array3, Axis as ArrayAxis};
use plotly::common::{ColorScale, ColorScalePalette, Title};
use plotly::layout::{Axis, GridPattern, LayoutGrid};
use plotly::{HeatMap, Layout, Plot};

/// Rate maps of a population over an environment's grid: one `(n_y, n_x)`
/// map per cell, the shape of the analyses' [`RateMap`].
///
/// # Examples
/// ```
/// use canns::prelude::*;
/// let env = Environment::params().build()?; // 1 m x 1 m
/// let place = PlaceCells::params().n(4).build(&env)?;
/// let maps = place.rate_maps(0.05)?;
/// assert_eq!(maps.rates.dim(), (4, 20, 20)); // (cells, n_y, n_x)
/// assert_eq!(maps.rate_map(2)?.rates, maps.rates.index_axis(canns::ndarray::Axis(0), 2));
/// assert_eq!(format!("{maps:?}"), "RateMaps(4 place cells, 20 x 20 bins of 0.05 m)");
/// // One field at (0.25, 0.75), 10 cm bins: the peak is at row 7, column 2.
/// let one = PlaceCells::params().centres(Some(vec![[0.25, 0.75]])).build(&env)?;
/// let z = one.rate_maps(0.1)?.map(0)?; // z[row = y][column = x]
/// let peak = z.iter().flatten().copied().fold(0.0, f64::max);
/// assert_eq!(z[7][2], peak);
/// assert!(maps.map(4).unwrap_err().to_string().contains("`cell`"));
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct RateMaps {
    /// Bin centres along x (m).
    pub xs: Vec<f64>,
    /// Bin centres along y (m; empty in 1D).
    pub ys: Vec<f64>,
    /// Rates (Hz): `rates[[cell, row = y, column = x]]`.
    ///
    /// # Shapes
    /// `(n_cells, n_y, n_x)` (`(n_cells, 1, n_x)` in 1D).
    pub rates: Array3<f64>,
    dx: f64,
    kind: String,
}

impl RateMaps {
    /// From rates with one row per bin (row-major over (y, x)) and one
    /// column per cell.
    pub(crate) fn new(
        env: &Environment,
        dx: f64,
        per_bin: Array2<f64>,
        kind: &str,
    ) -> Result<Self> {
        let (xs, ys) = env.grid(dx);
        let (nx, ny) = (xs.len(), ys.len().max(1));
        if per_bin.nrows() != nx * ny {
            return Err(crate::Error::shape(
                "rate maps over the environment's grid",
                format!("{} bins ({ny} x {nx})", nx * ny),
                per_bin.nrows(),
            ));
        }
        let rates = Array3::from_shape_fn((per_bin.ncols(), ny, nx), |(c, r, x)| {
            per_bin[[r * nx + x, c]]
        });
        Ok(Self {
            xs,
            ys,
            rates,
            dx,
            kind: kind.to_string(),
        })
    }
    /// Number of cells.
    pub fn n_cells(&self) -> usize {
        self.rates.dim().0
    }
    /// Number of bins of each map (`n_y * n_x`).
    pub fn n_bins(&self) -> usize {
        let (_, ny, nx) = self.rates.dim();
        ny * nx
    }
    /// Map of one cell as `z[row = y][col = x]`.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) when `cell` is out of range.
    pub fn map(&self, cell: usize) -> Result<Vec<Vec<f64>>> {
        if cell >= self.n_cells() {
            return Err(ParamError::new("cell", format!("< {}", self.n_cells()), cell).into());
        }
        let map = self.rates.index_axis(ArrayAxis(0), cell);
        Ok(map.rows().into_iter().map(|row| row.to_vec()).collect())
    }
    /// The map of one cell as the analyses' rate-map type, shape
    /// `(n_y, n_x)` (`(1, n_x)` in 1D), with a uniform occupancy of 1 s per
    /// bin (a model's map weighs every bin alike), so its grid score,
    /// spacing, spatial information and border score are at hand.
    ///
    /// # Examples
    /// ```
    /// use canns::spatial::{Environment, GridCells};
    /// let env = Environment::params().build()?;
    /// let gc = GridCells::params().n(3).build(&env)?;
    /// let m = gc.rate_maps(0.05)?.rate_map(0)?;
    /// assert_eq!(m.rates.dim(), (20, 20));
    /// assert!(m.grid_score() > 0.5);
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) when `cell` is out of range.
    pub fn rate_map(&self, cell: usize) -> Result<RateMap> {
        if cell >= self.n_cells() {
            return Err(ParamError::new("cell", format!("< {}", self.n_cells()), cell).into());
        }
        let nx = self.xs.len();
        let ny = self.ys.len().max(1);
        let rates = self.rates.index_axis(ArrayAxis(0), cell).to_owned();
        let dx = self.dx;
        let mut m = RateMap::from_rates(rates, Array2::ones((ny, nx)), dx)?;
        let (x0, y0) = (
            self.xs[0] - dx / 2.0,
            self.ys.first().map_or(0.0, |y| y - dx / 2.0),
        );
        m.extent = [x0, x0 + nx as f64 * dx, y0, y0 + ny as f64 * dx];
        Ok(m)
    }
    /// The grid score of every cell's map ([`RateMap::grid_score`]).
    pub fn grid_scores(&self) -> Vec<f64> {
        (0..self.n_cells())
            .map(|c| self.rate_map(c).expect("cell below n_cells").grid_score())
            .collect()
    }
    /// Heatmaps of up to `max_cells` cells side by side.
    pub fn plot(&self, max_cells: usize) -> Figure {
        rate_maps_plot(self, max_cells, &self.kind)
    }
}

/// One line: cells, grid and bin size (never the rates).
impl std::fmt::Debug for RateMaps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (n, ny, nx) = self.rates.dim();
        let grid = if self.ys.is_empty() {
            format!("{nx} bins")
        } else {
            format!("{ny} x {nx} bins")
        };
        write!(f, "RateMaps({n} {}s, {grid} of {} m)", self.kind, self.dx)
    }
}

/// Heatmaps of up to `max_cells` (at most 8) cells side by side.
fn rate_maps_plot(m: &RateMaps, max_cells: usize, kind: &str) -> Figure {
    let k = max_cells.min(8).min(m.n_cells()).max(1);
    let mut plot = Plot::new();
    let ys = if m.ys.is_empty() {
        vec![0.0]
    } else {
        m.ys.clone()
    };
    for c in 0..k.min(m.n_cells()) {
        let z = m.map(c).expect("cell index below n_cells");
        let mut hm = HeatMap::new(m.xs.clone(), ys.clone(), compact_matrix(z))
            .color_scale(ColorScale::Palette(ColorScalePalette::Viridis))
            .show_scale(c == 0)
            .name(format!("{kind} {c}"));
        if c > 0 {
            hm = hm
                .x_axis(format!("x{}", c + 1))
                .y_axis(format!("y{}", c + 1));
        }
        plot.add_trace(hm);
    }
    let mut layout = Layout::new()
        .title(Title::from(format!("Rate maps ({kind}s 0..{k})")))
        .height(260)
        .width(180 * k + 120)
        .grid(
            LayoutGrid::new()
                .rows(1)
                .columns(k)
                .pattern(GridPattern::Independent),
        );
    let ax = || Axis::new().show_tick_labels(false);
    for c in 0..k {
        layout = match c {
            0 => layout.x_axis(ax()).y_axis(ax()),
            1 => layout.x_axis2(ax()).y_axis2(ax()),
            2 => layout.x_axis3(ax()).y_axis3(ax()),
            3 => layout.x_axis4(ax()).y_axis4(ax()),
            4 => layout.x_axis5(ax()).y_axis5(ax()),
            5 => layout.x_axis6(ax()).y_axis6(ax()),
            6 => layout.x_axis7(ax()).y_axis7(ax()),
            _ => layout.x_axis8(ax()).y_axis8(ax()),
        };
    }
    plot.set_layout(layout);
    Figure::from(plot)
}

/// The bin of each position in a grid of `n_x x n_y` square bins of side
/// `bin_size` with its low corner at `origin`: `(row = y, column = x)`, or
/// `None` for an untracked (NaN) position or one outside the grid. A
/// position on the grid's far edge falls in the last bin. `y = None` bins
/// along x only (row 0). The crate's one spatial binning: occupancy, and
/// rate maps of spikes and of activity, all count with it.
pub(crate) fn bins_of_positions(
    x: &[f64],
    y: Option<&[f64]>,
    origin: [f64; 2],
    bin_size: f64,
    (n_x, n_y): (usize, usize),
) -> Vec<Option<(usize, usize)>> {
    let index = |v: f64, lo: f64, n: usize| -> Option<usize> {
        if !v.is_finite() {
            return None;
        }
        let k = ((v - lo) / bin_size).floor();
        let far = lo + n as f64 * bin_size;
        if k < 0.0 || v > far {
            None
        } else {
            Some((k as usize).min(n - 1))
        }
    };
    (0..x.len())
        .map(|i| {
            let c = index(x[i], origin[0], n_x)?;
            let r = match y {
                Some(y) => index(y[i], origin[1], n_y)?,
                None => 0,
            };
            Some((r, c))
        })
        .collect()
}

/// Occupancy: the sum of `weight(i)` over the samples `i` in each bin of
/// [`bins_of_positions`], shape `(n_y, n_x)`. Time per bin with sample
/// durations as weights, a fraction of the samples with `1 / n`.
pub(crate) fn occupancy(
    bins: &[Option<(usize, usize)>],
    weight: impl Fn(usize) -> f64,
    (n_x, n_y): (usize, usize),
) -> Array2<f64> {
    let mut occ = Array2::zeros((n_y, n_x));
    for (i, b) in bins.iter().enumerate() {
        if let Some(b) = b {
            occ[*b] += weight(i);
        }
    }
    occ
}
