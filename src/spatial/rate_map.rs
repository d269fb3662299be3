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
use ndarray::Array2;
use plotly::common::{ColorScale, ColorScalePalette, Title};
use plotly::layout::{Axis, GridPattern, LayoutGrid};
use plotly::{HeatMap, Layout, Plot};

/// Rate maps of a population over an environment's grid.
///
/// # Example
/// ```
/// use canns::spatial::{Environment, PlaceCells};
/// let env = Environment::params().build()?;
/// let pc = PlaceCells::params().centres(Some(vec![[0.25, 0.75]])).build(&env)?;
/// // 10 cm bins: centres 0.05, 0.15, ..., 0.95 along each side.
/// let maps = pc.rate_maps(0.1)?;
/// assert_eq!((maps.n_cells(), maps.xs.len(), maps.ys.len()), (1, 10, 10));
/// let z = maps.map(0)?; // z[row = y][column = x]
/// let peak = z.iter().flatten().copied().fold(0.0, f64::max);
/// assert_eq!(z[7][2], peak); // the bin at (0.25, 0.75)
/// assert!(maps.map(1).unwrap_err().to_string().contains("`cell`"));
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RateMaps {
    /// Bin centres along x (m).
    pub xs: Vec<f64>,
    /// Bin centres along y (m; empty in 1D).
    pub ys: Vec<f64>,
    /// Rates, one row per bin (row-major over (y, x)), one column per cell.
    ///
    /// # Shapes
    /// `(n_y * n_x, n_cells)` (`(n_x, n_cells)` in 1D).
    pub rates: Array2<f64>,
    dx: f64,
    kind: String,
}

impl RateMaps {
    pub(crate) fn new(env: &Environment, dx: f64, rates: Array2<f64>, kind: &str) -> Result<Self> {
        let (xs, ys) = env.grid(dx);
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
        self.rates.ncols()
    }
    /// Map of one cell as `z[row = y][col = x]`.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) when `cell` is out of range.
    pub fn map(&self, cell: usize) -> Result<Vec<Vec<f64>>> {
        if cell >= self.n_cells() {
            return Err(ParamError::new("cell", format!("< {}", self.n_cells()), cell).into());
        }
        let nx = self.xs.len();
        let col = self.rates.column(cell);
        let ny = self.ys.len().max(1);
        Ok((0..ny)
            .map(|r| (0..nx).map(|c| col[r * nx + c]).collect())
            .collect())
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
        let rates = Array2::from_shape_vec((ny, nx), self.rates.column(cell).to_vec())
            .expect("one rate per bin of the (n_y, n_x) grid");
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
