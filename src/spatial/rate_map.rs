//! Rate maps: the firing rate of each cell of a population over the bins of
//! an environment, the one rate-map type of the crate.

use super::environment::Environment;
use crate::display::compact_matrix;
use crate::error::{ParamError, Result};
use ndarray::Array2;
use plotly::common::{ColorScale, ColorScalePalette, Title};
use plotly::layout::{Axis, GridPattern, LayoutGrid};
use plotly::{HeatMap, Layout, Plot};

/// Rate maps of a population over an environment's grid.
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
    kind: String,
}

impl RateMaps {
    pub(crate) fn new(env: &Environment, dx: f64, rates: Array2<f64>, kind: &str) -> Result<Self> {
        let (xs, ys) = env.grid(dx);
        Ok(Self {
            xs,
            ys,
            rates,
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
    /// Heatmaps of up to `max_cells` cells side by side.
    pub fn plot(&self, max_cells: usize) -> plotly::Plot {
        rate_maps_plot(self, max_cells, &self.kind)
    }
}

/// Heatmaps of up to `max_cells` (at most 8) cells side by side.
fn rate_maps_plot(m: &RateMaps, max_cells: usize, kind: &str) -> Plot {
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
    plot
}
