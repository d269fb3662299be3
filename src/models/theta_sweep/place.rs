use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{Error, ParamError, Result};
use crate::models::dense;
use crate::models::dynamics::AdaptiveStep;
use crate::models::{FeatureMap, Model};
use crate::params::check;
use crate::params::{setters, Params};
use crate::random::SeededRng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::f64::consts::PI;

/// Even-odd point-in-polygon test.
fn in_polygon(poly: &[[f64; 2]], p: [f64; 2]) -> bool {
    let mut inside = false;
    let n = poly.len();
    let mut j = n - 1;
    for i in 0..n {
        let (a, b) = (poly[i], poly[j]);
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if p[0] < x {
                inside = !inside;
            }
        }
        j = i;
    }
    inside
}

/// The boundary of the T-maze of Chu et al. (2024) as `canns` builds it
/// (`TMazeRecessOpenLoopNavigationTask`): a stem of width `w` and length
/// `l_s` from `y = 0`, centred on `x = 0`, under a bar of thickness `t`
/// spanning `[-l_arm, l_arm]`, with recesses `recess_width x recess_depth`
/// where the stem meets the bar (0 for none). Metres, counter-clockwise.
///
/// # Examples
/// ```
/// use canns::models::t_maze;
/// let b = t_maze(0.84, 3.64, 2.36, 1.0, 0.2, 0.2);
/// assert_eq!(b.len(), 12);
/// ```
pub fn t_maze(
    w: f64,
    l_s: f64,
    l_arm: f64,
    t: f64,
    recess_width: f64,
    recess_depth: f64,
) -> Vec<[f64; 2]> {
    let hw = w / 2.0;
    let (rw, rd) = (recess_width, recess_depth);
    vec![
        [-hw, 0.0],
        [-hw, l_s - rd],
        [-hw - rw, l_s - rd],
        [-hw - rw, l_s],
        [-l_arm, l_s],
        [-l_arm, l_s + t],
        [l_arm, l_s + t],
        [l_arm, l_s],
        [hw + rw, l_s],
        [hw + rw, l_s - rd],
        [hw, l_s - rd],
        [hw, 0.0],
    ]
}

/// An environment discretised into square cells for geodesic distances.
///
/// Cells of side `dx` tile the bounding box from its left edge and from its
/// top edge downwards (as `canns`'s `MovementCostGrid`); a cell is
/// accessible when its centre lies inside the boundary polygon and outside
/// every hole. Accessible cells are numbered row by row from the top.
///
/// # Example
/// ```
/// use canns::models::GeodesicGrid;
/// // A 30 cm square at 10 cm with the centre cell walled off: 8 cells.
/// let square = [[0.0, 0.0], [0.3, 0.0], [0.3, 0.3], [0.0, 0.3]];
/// let hole = vec![[0.1, 0.1], [0.2, 0.1], [0.2, 0.2], [0.1, 0.2]];
/// let grid = GeodesicGrid::from_polygon(&square, &[hole], 0.1)?;
/// assert_eq!((grid.n_cells(), grid.shape()), (8, (3, 3)));
/// // From the top middle to the bottom middle the path goes round the wall:
/// // two diagonal steps, not the straight 0.2 m.
/// let (top, bottom) = (grid.cell_index([0.15, 0.25]).unwrap(), grid.cell_index([0.15, 0.05]).unwrap());
/// let d = grid.distances()[top * grid.n_cells() + bottom];
/// assert!((d - 0.2 * 2f64.sqrt()).abs() < 1e-12, "{d}");
/// assert_eq!(grid.cell_index([0.15, 0.15]), None);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct GeodesicGrid {
    dx: f64,
    left: f64,
    top: f64,
    n_rows: usize,
    n_cols: usize,
    /// Row-major over the grid: the accessible index, or `usize::MAX`.
    index: Vec<usize>,
    /// (row, col) of every accessible cell.
    cells: Vec<(usize, usize)>,
    boundary: Vec<[f64; 2]>,
    holes: Vec<Vec<[f64; 2]>>,
}

impl GeodesicGrid {
    /// The grid of cells of side `dx` (m) inside the simple polygon
    /// `boundary` (m) and outside the polygons `holes`.
    ///
    /// # Errors
    /// [`Error::Param`] when `dx` is not positive, a polygon has fewer than 3
    /// corners or a non-finite one, the grid would exceed 10^7 cells, or no
    /// cell is accessible.
    pub fn from_polygon(boundary: &[[f64; 2]], holes: &[Vec<[f64; 2]>], dx: f64) -> Result<Self> {
        check::positive("dx", dx)?;
        let check_poly = |name: &str, p: &[[f64; 2]]| -> Result<()> {
            if p.len() < 3 {
                return Err(ParamError::new(name, "a polygon of >= 3 corners", p.len()).into());
            }
            for (i, c) in p.iter().enumerate() {
                check::finite(&format!("{name}[{i}][0]"), c[0])?;
                check::finite(&format!("{name}[{i}][1]"), c[1])?;
            }
            Ok(())
        };
        check_poly("boundary", boundary)?;
        for (k, h) in holes.iter().enumerate() {
            check_poly(&format!("holes[{k}]"), h)?;
        }
        let fold = |f: fn(f64, f64) -> f64, k: usize, init: f64| {
            boundary.iter().map(|p| p[k]).fold(init, f)
        };
        let (min_x, max_x) = (
            fold(f64::min, 0, f64::INFINITY),
            fold(f64::max, 0, f64::NEG_INFINITY),
        );
        let (min_y, max_y) = (
            fold(f64::min, 1, f64::INFINITY),
            fold(f64::max, 1, f64::NEG_INFINITY),
        );
        // A hair below an integer counts as it (0.2 / 0.05 = 4.000000000000001).
        let n_cols = ((max_x - min_x) / dx - 1e-9).ceil().max(1.0) as usize;
        let n_rows = ((max_y - min_y) / dx - 1e-9).ceil().max(1.0) as usize;
        if n_cols.saturating_mul(n_rows) > 10_000_000 {
            return Err(ParamError::new("dx", "coarse enough for <= 10^7 cells", dx).into());
        }
        let mut index = vec![usize::MAX; n_rows * n_cols];
        let mut cells = Vec::new();
        for row in 0..n_rows {
            let cy = max_y - (row as f64 + 0.5) * dx;
            for col in 0..n_cols {
                let cx = min_x + (col as f64 + 0.5) * dx;
                let p = [cx, cy];
                if in_polygon(boundary, p) && !holes.iter().any(|h| in_polygon(h, p)) {
                    index[row * n_cols + col] = cells.len();
                    cells.push((row, col));
                }
            }
        }
        if cells.is_empty() {
            return Err(ParamError::new("dx", "fine enough for an accessible cell", dx).into());
        }
        Ok(Self {
            dx,
            left: min_x,
            top: max_y,
            n_rows,
            n_cols,
            index,
            cells,
            boundary: boundary.to_vec(),
            holes: holes.to_vec(),
        })
    }

    /// Number of accessible cells (neurons of a [`PlaceCellNetwork`]).
    pub fn n_cells(&self) -> usize {
        self.cells.len()
    }

    /// Cell side (m).
    pub fn dx(&self) -> f64 {
        self.dx
    }

    /// Grid size `(rows, columns)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.n_rows, self.n_cols)
    }

    /// The boundary polygon (m).
    pub fn boundary(&self) -> &[[f64; 2]] {
        &self.boundary
    }

    /// Centre (m) of accessible cell `i`.
    pub fn centre(&self, i: usize) -> [f64; 2] {
        let (r, c) = self.cells[i];
        [
            self.left + (c as f64 + 0.5) * self.dx,
            self.top - (r as f64 + 0.5) * self.dx,
        ]
    }

    /// Centres of every accessible cell.
    pub fn centres(&self) -> Vec<[f64; 2]> {
        (0..self.n_cells()).map(|i| self.centre(i)).collect()
    }

    /// The accessible cell holding `pos` (m), if any. A point on a cell edge
    /// belongs to the cell right of it and above it (as in `canns`).
    pub fn cell_index(&self, pos: [f64; 2]) -> Option<usize> {
        if !(pos[0].is_finite() && pos[1].is_finite()) {
            return None;
        }
        let c = ((pos[0] - self.left) / self.dx).floor();
        let r = ((self.top - pos[1]) / self.dx).ceil() - 1.0;
        if c < 0.0 || r < 0.0 || c >= self.n_cols as f64 || r >= self.n_rows as f64 {
            return None;
        }
        let i = self.index[r as usize * self.n_cols + c as usize];
        (i != usize::MAX).then_some(i)
    }

    /// Geodesic distances (m) between every pair of accessible cells,
    /// row-major `(n_cells, n_cells)`, `INFINITY` between disconnected cells.
    ///
    /// The metric is the shortest path on the 8-neighbour grid graph of
    /// accessible cells: axis steps cost `dx`, diagonal steps `sqrt 2 dx`
    /// (a diagonal step may pass a blocked corner, as in `canns`'s numba
    /// path). One Dijkstra search per cell, in parallel.
    pub fn distances(&self) -> Vec<f64> {
        let n = self.n_cells();
        let mut d = vec![f64::INFINITY; n * n];
        d.par_chunks_mut(n).enumerate().for_each_init(
            || vec![f64::INFINITY; self.n_rows * self.n_cols],
            |scratch, (i, row)| {
                self.dijkstra(i, scratch);
                for (j, out) in row.iter_mut().enumerate() {
                    let (r, c) = self.cells[j];
                    *out = scratch[r * self.n_cols + c];
                }
            },
        );
        d
    }

    /// Distances from accessible cell `src` to every grid cell, into `dist`.
    fn dijkstra(&self, src: usize, dist: &mut [f64]) {
        #[derive(PartialEq)]
        struct Item(f64, usize);
        impl Eq for Item {}
        impl PartialOrd for Item {
            fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
                Some(self.cmp(o))
            }
        }
        impl Ord for Item {
            fn cmp(&self, o: &Self) -> Ordering {
                // Min-heap on distance.
                o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
            }
        }
        dist.iter_mut().for_each(|x| *x = f64::INFINITY);
        let (nr, nc) = (self.n_rows as isize, self.n_cols as isize);
        let (r0, c0) = self.cells[src];
        let s = r0 * self.n_cols + c0;
        dist[s] = 0.0;
        let diag = self.dx * std::f64::consts::SQRT_2;
        let steps = [
            (-1, 0, self.dx),
            (1, 0, self.dx),
            (0, -1, self.dx),
            (0, 1, self.dx),
            (-1, -1, diag),
            (-1, 1, diag),
            (1, -1, diag),
            (1, 1, diag),
        ];
        let mut heap = BinaryHeap::new();
        heap.push(Item(0.0, s));
        while let Some(Item(d, k)) = heap.pop() {
            if d > dist[k] {
                continue;
            }
            let (r, c) = ((k / self.n_cols) as isize, (k % self.n_cols) as isize);
            for &(dr, dc, w) in &steps {
                let (rr, cc) = (r + dr, c + dc);
                if rr < 0 || cc < 0 || rr >= nr || cc >= nc {
                    continue;
                }
                let kk = (rr * nc + cc) as usize;
                if self.index[kk] == usize::MAX {
                    continue;
                }
                let nd = d + w;
                if nd < dist[kk] {
                    dist[kk] = nd;
                    heap.push(Item(nd, kk));
                }
            }
        }
    }

    /// Values per accessible cell as a `rows x cols` matrix (rows from the
    /// bottom, for plotting), `NaN` in blocked cells.
    pub fn to_matrix(&self, values: &[f64]) -> Vec<Vec<f64>> {
        let mut m = vec![vec![f64::NAN; self.n_cols]; self.n_rows];
        for (i, &(r, c)) in self.cells.iter().enumerate() {
            if let Some(v) = values.get(i) {
                m[self.n_rows - 1 - r][c] = *v;
            }
        }
        m
    }

    /// Cell-centre coordinates of the columns (x) and rows from the bottom (y).
    pub fn axes(&self) -> (Vec<f64>, Vec<f64>) {
        let xs = (0..self.n_cols)
            .map(|c| self.left + (c as f64 + 0.5) * self.dx)
            .collect();
        let ys = (0..self.n_rows)
            .map(|r| self.top - (self.n_rows - r) as f64 * self.dx + 0.5 * self.dx)
            .collect();
        (xs, ys)
    }

    /// Heatmap of one value per accessible cell with the boundary drawn.
    pub fn plot_values(&self, values: &[f64], title: &str) -> Figure {
        let (xs, ys) = self.axes();
        let mut plot = display::heatmap(title, "x (m)", "y (m)", xs, ys, self.to_matrix(values));
        let mut poly = self.boundary.clone();
        poly.push(self.boundary[0]);
        plot.add_trace(
            plotly::Scatter::new(
                poly.iter().map(|p| p[0]).collect(),
                poly.iter().map(|p| p[1]).collect(),
            )
            .mode(plotly::common::Mode::Lines)
            .name("boundary")
            .line(plotly::common::Line::new().color("black")),
        );
        for h in &self.holes {
            let mut q = h.clone();
            q.push(h[0]);
            plot.add_trace(
                plotly::Scatter::new(
                    q.iter().map(|p| p[0]).collect(),
                    q.iter().map(|p| p[1]).collect(),
                )
                .mode(plotly::common::Mode::Lines)
                .show_legend(false)
                .line(plotly::common::Line::new().color("black")),
            );
        }
        plot
    }
}

crate::display::debug_via_display!(GeodesicGrid);

impl std::fmt::Display for GeodesicGrid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "GeodesicGrid({} accessible of {}x{} cells, dx={} m)",
            self.n_cells(),
            self.n_rows,
            self.n_cols,
            self.dx
        )
    }
}

impl Render for GeodesicGrid {
    fn bundle(&self) -> Bundle {
        let ones = vec![1.0; self.n_cells()];
        Bundle::figure(
            &self.plot_values(&ones, "Accessible cells"),
            "",
            self.to_string(),
        )
    }
}

/// Parameters of [`PlaceCellNetwork`] (Chu et al. 2024; defaults of
/// `canns`'s `PlaceCellNetwork`). Time is in milliseconds, distances in metres.
///
/// # Example
/// ```
/// use canns::models::{GeodesicGrid, PlaceCellNetwork};
/// let grid = GeodesicGrid::from_polygon(&[[0.0, 0.0], [1.0, 0.0], [1.0, 0.2], [0.0, 0.2]], &[], 0.05)?;
/// let net = PlaceCellNetwork::params().a(0.1).m(1.0).build(&grid)?;
/// assert_eq!((net.parameters().a, net.grid().n_cells()), (0.1, 80));
/// // The activity cutoff is a fraction of the peak rate, below 1.
/// let err = PlaceCellNetwork::params().activity_cutoff(1.0).build(&grid).unwrap_err();
/// assert!(err.to_string().contains("activity_cutoff"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlaceCellNetworkParams {
    /// Synaptic time constant `tau` (ms). Default 10.
    pub tau: f64,
    /// Adaptation time constant `tau_v` (ms). Default 100.
    pub tau_v: f64,
    /// Standard deviation of the Gaussian noise added to every neuron's input
    /// current each step. Default 0.
    pub noise_strength: f64,
    /// Global inhibition `k`. Default 0.2.
    pub k: f64,
    /// Adaptation gain `m`. Default 3.
    pub m: f64,
    /// Width `a` of the kernel and input (m). Default 0.2.
    pub a: f64,
    /// Input amplitude `A`. Default 5.
    pub amplitude: f64,
    /// Recurrent strength `J0`. Default 1.
    pub j0: f64,
    /// Rate gain `g`. Default 1.
    pub g: f64,
    /// Time step `dt` of [`PlaceCellNetwork::update`] (ms). Default 1.
    pub dt: f64,
    /// Seed of the input noise. Default 0.
    pub seed: u64,
    /// `canns`'s profile `exp(-D / (2 a^2))` instead of the Gaussian
    /// `exp(-D^2 / (2 a^2))`. Default false.
    pub canns_compat: bool,
    /// Neurons whose rate is at most `activity_cutoff * max(r)` are left out
    /// of the recurrent sum. 0 (the default) is exact (only silent neurons
    /// are skipped). A cutoff `c` changes each neuron's recurrent input by at
    /// most `J0 / (2 pi a^2) * c * max(r) * n_skipped`, and in practice far
    /// less (the skipped neurons sit in the kernel's tails); `1e-3` skips the
    /// noise floor outside the bump and makes a step several times faster.
    pub activity_cutoff: f64,
    /// Kernel entries `K_ij` below this value (the largest is 1) are dropped
    /// from the stored kernel; each neuron's input changes by at most
    /// `J0 / (2 pi a^2) * kernel_cutoff * sum_j r_j` (see the module docs).
    /// 0 keeps every entry. Default `1e-12`.
    pub kernel_cutoff: f64,
}

impl Default for PlaceCellNetworkParams {
    fn default() -> Self {
        Self {
            tau: 10.0,
            tau_v: 100.0,
            noise_strength: 0.0,
            k: 0.2,
            m: 3.0,
            a: 0.2,
            amplitude: 5.0,
            j0: 1.0,
            g: 1.0,
            dt: 1.0,
            seed: 0,
            canns_compat: false,
            activity_cutoff: 0.0,
            kernel_cutoff: 1e-12,
        }
    }
}

impl PlaceCellNetworkParams {
    setters! {
        /// Sets `tau` (ms).
        tau: f64,
        /// Sets `tau_v` (ms).
        tau_v: f64,
        /// Sets `noise_strength`.
        noise_strength: f64,
        /// Sets `k`.
        k: f64,
        /// Sets `m`.
        m: f64,
        /// Sets `a` (m).
        a: f64,
        /// Sets `amplitude` (A).
        amplitude: f64,
        /// Sets `j0`.
        j0: f64,
        /// Sets `g`.
        g: f64,
        /// Sets `dt` (ms).
        dt: f64,
        /// Sets `seed`.
        seed: u64,
        /// Sets `canns_compat`.
        canns_compat: bool,
        /// Sets `activity_cutoff`.
        activity_cutoff: f64,
        /// Sets `kernel_cutoff`.
        kernel_cutoff: f64,
    }

    /// The parameters of Chu et al. (2024, Table 3) as `canns`'s T-maze
    /// example uses them: `tau = 3, tau_v = 150, noise 0.05, k = 1.4, m = 1.1,
    /// a = 0.3, A = 2.3, J0 = 0.25, g = 20`.
    pub fn chu2024() -> Self {
        Self {
            tau: 3.0,
            tau_v: 150.0,
            noise_strength: 0.05,
            k: 1.4,
            m: 1.1,
            a: 0.3,
            amplitude: 2.3,
            j0: 0.25,
            g: 20.0,
            ..Self::default()
        }
    }

    /// Validates and builds the network on `grid` (computing its geodesic
    /// distances).
    ///
    /// # Errors
    /// [`Error::Param`] naming the invalid field and value; [`Error::Limit`]
    /// beyond 20000 cells (the dense kernel).
    pub fn build(&self, grid: &GeodesicGrid) -> Result<PlaceCellNetwork> {
        self.validate()?;
        Self::check_size(grid)?;
        PlaceCellNetwork::new(self.clone(), grid.clone(), grid.distances())
    }

    /// As [`PlaceCellNetworkParams::build`] with distances already computed
    /// by [`GeodesicGrid::distances`] (they are consumed as the kernel).
    ///
    /// # Errors
    /// As `build`; [`Error::Shape`] when `distances` is not `n_cells^2` long.
    pub fn build_with_distances(
        &self,
        grid: &GeodesicGrid,
        distances: Vec<f64>,
    ) -> Result<PlaceCellNetwork> {
        self.validate()?;
        Self::check_size(grid)?;
        let n = grid.n_cells();
        if distances.len() != n * n {
            return Err(Error::shape("geodesic distances", n * n, distances.len()));
        }
        PlaceCellNetwork::new(self.clone(), grid.clone(), distances)
    }

    fn check_size(grid: &GeodesicGrid) -> Result<()> {
        if grid.n_cells() > 20_000 {
            return Err(Error::Limit(format!(
                "{} place cells need a {} GB dense kernel (> 20000 cells); use a coarser grid",
                grid.n_cells(),
                (grid.n_cells() as f64).powi(2) * 8e-9
            )));
        }
        Ok(())
    }

    fn table(&self) -> KeyValues {
        KeyValues::new("PlaceCellNetworkParams")
            .row("tau", self.tau, "synaptic time constant (ms)")
            .row("tau_v", self.tau_v, "adaptation time constant (ms)")
            .row(
                "noise_strength",
                self.noise_strength,
                "input noise std per step",
            )
            .row("k", self.k, "global inhibition")
            .row("m", self.m, "adaptation gain")
            .row("a", self.a, "kernel width (m)")
            .row("amplitude", self.amplitude, "input amplitude A")
            .row("j0", self.j0, "recurrent strength J0")
            .row("g", self.g, "rate gain")
            .row("dt", self.dt, "time step (ms)")
            .row("seed", self.seed, "noise seed")
            .row("canns_compat", self.canns_compat, "exp(-D/2a^2) profile")
            .row(
                "activity_cutoff",
                self.activity_cutoff,
                "rates below this x max skipped (0: exact)",
            )
            .row(
                "kernel_cutoff",
                self.kernel_cutoff,
                "kernel entries below this dropped (0: all kept)",
            )
    }
}

impl Params for PlaceCellNetworkParams {
    const NAME: &'static str = "PlaceCellNetworkParams";

    fn validate(&self) -> Result<()> {
        check::positive("tau", self.tau)?;
        check::positive("tau_v", self.tau_v)?;
        check::non_negative("noise_strength", self.noise_strength)?;
        check::non_negative("k", self.k)?;
        check::non_negative("m", self.m)?;
        check::positive("a", self.a)?;
        check::finite("amplitude", self.amplitude)?;
        check::finite("j0", self.j0)?;
        check::positive("g", self.g)?;
        check::positive("dt", self.dt)?;
        check::non_negative("activity_cutoff", self.activity_cutoff)?;
        if self.activity_cutoff >= 1.0 {
            return Err(ParamError::new("activity_cutoff", "< 1", self.activity_cutoff).into());
        }
        check::non_negative("kernel_cutoff", self.kernel_cutoff)?;
        if self.kernel_cutoff >= 1.0 {
            return Err(ParamError::new("kernel_cutoff", "< 1", self.kernel_cutoff).into());
        }
        Ok(())
    }
}

impl Render for PlaceCellNetworkParams {
    fn bundle(&self) -> Bundle {
        Bundle::html(self.table().to_html(), format!("{self:?}"))
    }
}

/// Stored entries (or active ones) from which the recurrent sum runs on
/// several threads.
const PARALLEL_ENTRIES: usize = 1 << 16;

/// Row blocks of the upper-triangle product of large kernels.
const UPPER_BLOCKS: usize = 4;

/// Makes the row-major `n x n` matrix `k` symmetric, each pair taking the
/// larger of its two values (in blocks, to stay in cache).
fn symmetrize_max(k: &mut [f64], n: usize) {
    const B: usize = 64;
    for bi in (0..n).step_by(B) {
        for bj in (bi..n).step_by(B) {
            for i in bi..(bi + B).min(n) {
                for j in bj.max(i + 1)..(bj + B).min(n) {
                    let m = k[i * n + j].max(k[j * n + i]);
                    k[i * n + j] = m;
                    k[j * n + i] = m;
                }
            }
        }
    }
}

/// A symmetric kernel stored by rows, each row as runs of consecutive
/// columns whose entries are at least the cutoff, in single precision.
#[derive(Clone)]
struct RunKernel {
    n: usize,
    /// Runs of row `i`: `runs[row_runs[i]..row_runs[i + 1]]`.
    row_runs: Vec<usize>,
    /// (first column, length, offset into `values`).
    runs: Vec<(u32, u32, usize)>,
    values: Vec<f32>,
    /// Row bounds of the blocks of [`RunKernel::upper`].
    upper_bounds: Vec<usize>,
}

impl RunKernel {
    /// Keeps the entries `>= cutoff` of the row-major `n x n` matrix `dense`
    /// (with `cutoff = 0`, the nonzero ones).
    fn from_dense(dense: &[f64], n: usize, cutoff: f64) -> Self {
        let keep = |k: f64| k > 0.0 && k >= cutoff;
        // Per row: its runs (first column, length) and their values.
        type Row = (Vec<(u32, u32)>, Vec<f32>);
        let rows: Vec<Row> = dense
            .par_chunks(n.max(1))
            .map(|row| {
                let (mut runs, mut values) = (Vec::new(), Vec::new());
                let mut j = 0;
                while j < row.len() {
                    if keep(row[j]) {
                        let start = j;
                        while j < row.len() && keep(row[j]) {
                            values.push(row[j] as f32);
                            j += 1;
                        }
                        runs.push((start as u32, (j - start) as u32));
                    } else {
                        j += 1;
                    }
                }
                (runs, values)
            })
            .collect();
        let mut k = RunKernel {
            n,
            row_runs: Vec::with_capacity(n + 1),
            runs: Vec::new(),
            values: Vec::with_capacity(rows.iter().map(|r| r.1.len()).sum()),
            upper_bounds: Vec::new(),
        };
        k.row_runs.push(0);
        for (runs, values) in rows {
            let mut off = k.values.len();
            for (c, l) in runs {
                k.runs.push((c, l, off));
                off += l as usize;
            }
            k.values.extend_from_slice(&values);
            k.row_runs.push(k.runs.len());
        }
        k.upper_bounds = k.block_bounds();
        k
    }

    /// The runs of row `i`, as (first column, values).
    fn row(&self, i: usize) -> impl Iterator<Item = (usize, &[f32])> {
        self.runs[self.row_runs[i]..self.row_runs[i + 1]]
            .iter()
            .map(|&(c, l, off)| (c as usize, &self.values[off..off + l as usize]))
    }

    /// `out = scale * K[i, :]`.
    fn row_into(&self, i: usize, scale: f64, out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
        for (c, vals) in self.row(i) {
            for (o, &k) in out[c..c + vals.len()].iter_mut().zip(vals) {
                *o = scale * f64::from(k);
            }
        }
    }

    /// `out += scale * K r` for the symmetric kernel: by scattering the rows
    /// of the active cells (`r_j != 0`, listed in `active`) when they hold
    /// fewer than half of the stored entries, else over the upper triangle
    /// (which reads half of them).
    fn add_product(&self, r: &[f64], scale: f64, out: &mut [f64], active: &mut Vec<usize>) {
        active.clear();
        let mut entries = 0;
        for (j, &rj) in r.iter().enumerate().take(self.n) {
            if rj != 0.0 {
                active.push(j);
                entries += self.row_len(j);
            }
        }
        if 2 * entries < self.values.len() {
            self.scatter(r, scale, out, active, entries);
        } else {
            self.upper(r, scale, out);
        }
    }

    /// Stored entries of row `i`.
    fn row_len(&self, i: usize) -> usize {
        let runs = &self.runs[self.row_runs[i]..self.row_runs[i + 1]];
        match (runs.first(), runs.last()) {
            (Some(first), Some(&(_, l, off))) => off + l as usize - first.2,
            _ => 0,
        }
    }

    /// `out += scale * K r` from the upper triangle of the symmetric `K`:
    /// row `i` beyond the diagonal gives `out_i` its dot product with `r`
    /// and adds `r_i K[i, j]` to every `out_j`, so each stored pair is read
    /// once. Large kernels split the rows into [`UPPER_BLOCKS`] blocks of
    /// about equal entries, each adding into its own buffer, summed in block
    /// order (the result does not depend on the thread count).
    fn upper(&self, r: &[f64], scale: f64, out: &mut [f64]) {
        let n = self.n;
        if self.values.len() > PARALLEL_ENTRIES {
            let parts: Vec<Vec<f64>> = self
                .upper_bounds
                .par_windows(2)
                .map(|w| {
                    let mut acc = vec![0.0; n];
                    self.upper_rows(r, scale, w[0], w[1], &mut acc);
                    acc
                })
                .collect();
            for part in &parts {
                for (o, p) in out.iter_mut().zip(part) {
                    *o += p;
                }
            }
        } else {
            self.upper_rows(r, scale, 0, n, &mut out[..n]);
        }
    }

    /// Rows `lo..hi` of [`RunKernel::upper`], added into `acc`.
    fn upper_rows(&self, r: &[f64], scale: f64, lo: usize, hi: usize, acc: &mut [f64]) {
        for i in lo..hi {
            let ri = scale * r[i];
            let mut s = 0.0;
            for (c, vals) in self.row(i) {
                let end = c + vals.len();
                if end <= i {
                    continue;
                }
                // The diagonal counts once (in the dot product only).
                if c <= i {
                    s += f64::from(vals[i - c]) * r[i];
                }
                let c1 = c.max(i + 1);
                if c1 < end {
                    let v = &vals[c1 - c..];
                    s += if ri != 0.0 {
                        dense::dot_axpy_f32_f64(v, &r[c1..end], ri, &mut acc[c1..end])
                    } else {
                        dense::dot_f32_f64(v, &r[c1..end])
                    };
                }
            }
            acc[i] += scale * s;
        }
    }

    /// Row bounds of [`UPPER_BLOCKS`] blocks of about equal entries in the
    /// upper triangle.
    fn block_bounds(&self) -> Vec<usize> {
        let total: usize = (0..self.n).map(|i| self.upper_len(i)).sum();
        let mut bounds = vec![0];
        let mut sum = 0;
        for i in 0..self.n {
            sum += self.upper_len(i);
            if sum * UPPER_BLOCKS >= total * bounds.len() && bounds.len() < UPPER_BLOCKS {
                bounds.push(i + 1);
            }
        }
        bounds.push(self.n);
        bounds.dedup();
        bounds
    }

    /// Stored entries of row `i` at or beyond the diagonal.
    fn upper_len(&self, i: usize) -> usize {
        self.row(i)
            .map(|(c, vals)| (c + vals.len()).saturating_sub(c.max(i)))
            .sum()
    }

    /// `out += scale * K r` by rows (in parallel for large kernels): the
    /// reference the other paths are tested against.
    #[cfg(test)]
    fn gather(&self, r: &[f64], scale: f64, out: &mut [f64]) {
        let row_dot = |i: usize| -> f64 {
            self.row(i)
                .map(|(c, vals)| dense::dot_f32_f64(vals, &r[c..c + vals.len()]))
                .sum::<f64>()
        };
        if self.values.len() > PARALLEL_ENTRIES {
            out.par_chunks_mut(64).enumerate().for_each(|(b, chunk)| {
                for (k, o) in chunk.iter_mut().enumerate() {
                    *o += scale * row_dot(b * 64 + k);
                }
            });
        } else {
            for (i, o) in out.iter_mut().enumerate().take(self.n) {
                *o += scale * row_dot(i);
            }
        }
    }

    /// `out += scale * sum_{j in active} r_j K[j, :]` (`K` symmetric, so
    /// this is `scale * K r` when the other rates are 0). With many entries
    /// to add, the output is split into column blocks summed in parallel,
    /// each adding the active rows in the same order (the same result as
    /// one thread).
    fn scatter(&self, r: &[f64], scale: f64, out: &mut [f64], active: &[usize], entries: usize) {
        let add = |lo: usize, block: &mut [f64]| {
            let hi = lo + block.len();
            for &j in active {
                let a = scale * r[j];
                for (c, vals) in self.row(j) {
                    let (c0, c1) = (c.max(lo), (c + vals.len()).min(hi));
                    if c0 < c1 {
                        dense::axpy_f32_f64(a, &vals[c0 - c..c1 - c], &mut block[c0 - lo..c1 - lo]);
                    }
                }
            }
        };
        if entries > PARALLEL_ENTRIES {
            let width = self
                .n
                .div_ceil(rayon::current_num_threads().max(1))
                .max(256);
            out[..self.n]
                .par_chunks_mut(width)
                .enumerate()
                .for_each(|(b, block)| add(b * width, block));
        } else {
            add(0, &mut out[..self.n]);
        }
    }

    /// Stored entries.
    fn nnz(&self) -> usize {
        self.values.len()
    }
}

/// `PlaceCellNetwork`: a place-cell CANN on the geodesic distances of an
/// environment with walls, whose bump sweeps forwards (and back) along the
/// track in every theta cycle.
///
/// The environment is discretised into square cells ([`GeodesicGrid`]); one
/// neuron sits in each accessible cell. With `D_ij` the geodesic distance
/// between cells (shortest path through accessible cells, see
/// [`GeodesicGrid::distances`]), time in milliseconds:
///
/// ```text
/// K_ij  = exp(-D_ij^2 / (2 a^2))                  (canns_compat: exp(-D_ij / (2 a^2)))
/// W_ij  = J0 / (2 pi a^2) K_ij
/// I_ext = theta_mod A K_{c(p), i}                  c(p): the cell holding the animal (0 outside)
/// I     = I_ext + W r + noise_strength xi
/// tau du/dt = -u + I - v,   tau_v dv/dt = -v + m u
/// u <- max(u, 0),  r = g u^2 / (1 + k sum u^2)
/// ```
///
/// **Differences from `canns`** (`PlaceCellNetwork`, canns 1.5):
///
/// * `canns` puts the unsquared distance `D` in the Gaussian (a Laplacian
///   profile in the distance); the default here is the Gaussian of `D`,
///   with `canns_compat = true` for `canns`'s form.
/// * The decoded position is a position (the rate-weighted centroid of the
///   cell centres, [`PlaceCellNetwork::decoded_position`]), not `canns`'s
///   rate-weighted cell index.
/// * `m` is the adaptation gain itself (as in `canns`, unlike the direction
///   and grid networks' `adaptation_strength`).
///
/// The kernel is stored sparsely: entries below `kernel_cutoff` (default
/// `1e-12`, against a largest entry of 1) are dropped, and each row keeps
/// runs of consecutive cells (cells are numbered row by row, so a
/// neighbourhood is a few runs) in single precision. Each neuron's recurrent
/// input then differs from the dense double-precision sum by at most
/// `J0 / (2 pi a^2) (kernel_cutoff + 6e-8 K_max) sum_j r_j`: far below the
/// input noise of any published parameter set (`canns` computes in single
/// precision throughout). With Chu et al.'s T-maze (`a = 0.3` m, 3153 cells)
/// half of the entries are kept.
///
/// The kernel is made exactly symmetric (`K_ij = K_ji`, the larger of the two
/// values: the two Dijkstra searches may round a distance differently in the
/// last bit), so the recurrent sum `sum_j K_ij r_j` can be taken either by
/// rows (reading every stored entry) or by scattering `r_j K[j, :]` over the
/// presynaptic cells `j` whose rate is not zero, which reads only their rows.
/// Each step takes the cheaper of the two by the number of stored entries
/// it would read; both have the bound above. With `activity_cutoff > 0`, the
/// cells at or below `activity_cutoff * max(r)` count as silent, and the bump
/// covers a small part of the environment, so a step costs a fraction of a
/// dense product.
///
/// ## Examples
/// ```
/// use canns::models::{GeodesicGrid, PlaceCellNetwork};
/// // A 1 m x 0.2 m corridor at 5 cm: 20 x 4 cells.
/// let grid = GeodesicGrid::from_polygon(
///     &[[0.0, 0.0], [1.0, 0.0], [1.0, 0.2], [0.0, 0.2]], &[], 0.05)?;
/// assert_eq!(grid.n_cells(), 80);
/// let mut net = PlaceCellNetwork::params().m(0.0).build(&grid)?;
/// for _ in 0..200 {
///     net.update([0.5, 0.1], 1.0)?;
/// }
/// let p = net.decoded_position().expect("an active bump");
/// assert!((p[0] - 0.5).abs() < 0.05 && (p[1] - 0.1).abs() < 0.05);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// ## References
/// - Chu, T., Ji, Z., Zuo, J., Mi, Y., Zhang, W., Huang, T., Bush, D.,
///   Burgess, N. & Wu, S. (2024). Firing rate adaptation affords place cell
///   theta sweeps, phase precession and procession. eLife 12:RP87055.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::models::GeodesicGrid;
/// // A 1 m x 0.2 m corridor at 5 cm; the animal stands at x = 0.3 m.
/// let grid = GeodesicGrid::from_polygon(&[[0.0, 0.0], [1.0, 0.0], [1.0, 0.2], [0.0, 0.2]], &[], 0.05)?;
/// let mut net = PlaceCellNetwork::params().m(0.0).build(&grid)?;
/// assert!(net.decoded_position().is_none()); // silent before any input
/// for _ in 0..200 {
///     net.update([0.3, 0.1], 1.0)?;
/// }
/// let p = net.decoded_position().expect("an active bump");
/// assert!((p[0] - 0.3).abs() < 0.05 && (p[1] - 0.1).abs() < 0.05, "{p:?}");
/// assert!(net.to_string().starts_with("PlaceCellNetwork(80 cells"), "{net}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone)]
pub struct PlaceCellNetwork {
    params: PlaceCellNetworkParams,
    grid: GeodesicGrid,
    centres: Vec<[f64; 2]>,
    /// `K_ij` (symmetric), sparse.
    kernel: RunKernel,
    /// The rates entering the recurrent sum (those above the activity cutoff).
    r_active: Vec<f64>,
    /// The cells of `r_active` above zero (scratch).
    active: Vec<usize>,
    w_scale: f64,
    stepper: AdaptiveStep,
    u: Vec<f64>,
    v: Vec<f64>,
    r: Vec<f64>,
    input: Vec<f64>,
    rng: SeededRng,
    steps: usize,
    t: f64,
}

impl std::fmt::Debug for PlaceCellNetwork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl PlaceCellNetwork {
    /// Default parameters, to adjust and [`PlaceCellNetworkParams::build`].
    pub fn params() -> PlaceCellNetworkParams {
        PlaceCellNetworkParams::default()
    }

    fn new(
        params: PlaceCellNetworkParams,
        grid: GeodesicGrid,
        mut kernel: Vec<f64>,
    ) -> Result<Self> {
        let n = grid.n_cells();
        let c = -1.0 / (2.0 * params.a * params.a);
        let compat = params.canns_compat;
        kernel.par_iter_mut().for_each(|d| {
            *d = if d.is_finite() {
                (c * if compat { *d } else { *d * *d }).exp()
            } else {
                0.0
            };
        });
        symmetrize_max(&mut kernel, n);
        let kernel = RunKernel::from_dense(&kernel, n, params.kernel_cutoff);
        Ok(Self {
            r_active: vec![0.0; n],
            active: Vec::with_capacity(n),
            w_scale: params.j0 / (2.0 * PI * params.a * params.a),
            stepper: AdaptiveStep::new(
                params.dt,
                params.tau,
                params.tau_v,
                params.m,
                params.g,
                params.k,
            ),
            rng: crate::random::seeded(params.seed),
            centres: grid.centres(),
            kernel,
            grid,
            u: vec![0.0; n],
            v: vec![0.0; n],
            r: vec![0.0; n],
            input: vec![0.0; n],
            steps: 0,
            t: 0.0,
            params,
        })
    }

    /// The parameters this network was built with.
    pub fn parameters(&self) -> &PlaceCellNetworkParams {
        &self.params
    }

    /// The grid the neurons sit on.
    pub fn grid(&self) -> &GeodesicGrid {
        &self.grid
    }

    /// Advances one step of `dt` ms with the animal at `position` (m) and
    /// the input scaled by `theta_mod`. Outside the accessible cells the
    /// input is 0.
    ///
    /// # Errors
    /// [`Error::Param`] when `theta_mod` is not finite; [`Error::Diverged`]
    /// when the state stops being finite.
    pub fn update(&mut self, position: [f64; 2], theta_mod: f64) -> Result<()> {
        check::finite("theta_mod", theta_mod)?;
        match self.grid.cell_index(position) {
            Some(c) => {
                let s = theta_mod * self.params.amplitude;
                self.kernel.row_into(c, s, &mut self.input);
            }
            None => self.input.iter_mut().for_each(|i| *i = 0.0),
        }
        let stepper = self.stepper;
        self.advance(stepper, self.params.dt)
    }

    /// Adds recurrence and noise to `self.input` and takes one step.
    fn advance(&mut self, stepper: AdaptiveStep, dt: f64) -> Result<()> {
        let thr = self.params.activity_cutoff * self.r_max();
        for (a, &r) in self.r_active.iter_mut().zip(&self.r) {
            *a = if r > thr { r } else { 0.0 };
        }
        self.kernel.add_product(
            &self.r_active,
            self.w_scale,
            &mut self.input,
            &mut self.active,
        );
        let noise = self.params.noise_strength;
        if noise > 0.0 {
            for i in self.input.iter_mut() {
                let xi: f64 = StandardNormal.sample(&mut self.rng);
                *i += noise * xi;
            }
        }
        let s = stepper.apply(&mut self.u, &mut self.v, &mut self.r, &self.input);
        self.steps += 1;
        self.t += dt;
        if !s.is_finite() {
            return Err(Error::Diverged {
                step: self.steps,
                t: self.t,
                what: "u of the place cells".into(),
            });
        }
        Ok(())
    }

    /// The decoded position (m): the rate-weighted centroid of the cell
    /// centres; `None` while the network is silent.
    pub fn decoded_position(&self) -> Option<[f64; 2]> {
        let (mut x, mut y, mut s) = (0.0, 0.0, 0.0);
        for (r, c) in self.r.iter().zip(&self.centres) {
            if *r > 0.0 {
                x += r * c[0];
                y += r * c[1];
                s += r;
            }
        }
        (s > 0.0).then(|| [x / s, y / s])
    }

    /// The centre (m) of the most active cell; `None` while silent.
    pub fn peak_position(&self) -> Option<[f64; 2]> {
        let (i, r) = self
            .r
            .iter()
            .enumerate()
            .fold((0, 0.0), |b, (i, &r)| if r > b.1 { (i, r) } else { b });
        (r > 0.0).then(|| self.centres[i])
    }

    /// The largest firing rate.
    pub fn r_max(&self) -> f64 {
        self.r.iter().copied().fold(0.0, f64::max)
    }

    /// Steps taken since the last reset.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The rates over the environment.
    pub fn plot_activity(&self) -> Figure {
        self.grid.plot_values(
            &self.r,
            &format!("PlaceCellNetwork rates at t = {:.0} ms", self.t),
        )
    }
}

impl Model for PlaceCellNetwork {
    fn name(&self) -> &'static str {
        "place_cells"
    }
    fn shape(&self) -> Vec<usize> {
        vec![self.grid.n_cells()]
    }
    fn step(&mut self, dt: f64, input: &[f64]) -> Result<()> {
        check::positive("dt", dt)?;
        let n = self.grid.n_cells();
        if input.len() != n {
            return Err(Error::shape("external input", n, input.len()));
        }
        self.input.copy_from_slice(input);
        let p = &self.params;
        let stepper = if dt == p.dt {
            self.stepper
        } else {
            AdaptiveStep::new(dt, p.tau, p.tau_v, p.m, p.g, p.k)
        };
        self.advance(stepper, dt)
    }
    fn reset(&mut self) {
        for s in [&mut self.u, &mut self.v, &mut self.r] {
            s.iter_mut().for_each(|x| *x = 0.0);
        }
        self.rng = crate::random::seeded(self.params.seed);
        self.steps = 0;
        self.t = 0.0;
    }
    fn u(&self) -> &[f64] {
        &self.u
    }
    fn r(&self) -> &[f64] {
        &self.r
    }
    fn v(&self) -> Option<&[f64]> {
        Some(&self.v)
    }
    /// Time since the last reset (ms).
    fn time(&self) -> f64 {
        self.t
    }
}

impl FeatureMap for PlaceCellNetwork {
    fn feature_dim(&self) -> usize {
        2
    }
    /// Not periodic: the period is infinite.
    fn period(&self) -> f64 {
        f64::INFINITY
    }
    fn write_preferred(&self, i: usize, out: &mut [f64]) {
        let c = self.centres[i];
        out[0] = c[0];
        out[1] = c[1];
    }
    fn write_stimulus(&self, pos: &[f64], out: &mut [f64]) {
        match pos
            .get(..2)
            .and_then(|p| self.grid.cell_index([p[0], p[1]]))
        {
            Some(c) => self.kernel.row_into(c, self.params.amplitude, out),
            None => out.iter_mut().for_each(|o| *o = 0.0),
        }
    }
    fn stimulus_amplitude(&self) -> f64 {
        self.params.amplitude
    }
}

impl std::fmt::Display for PlaceCellNetwork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PlaceCellNetwork({} cells, a={} m, m={}, t={:.0} ms",
            self.grid.n_cells(),
            self.params.a,
            self.params.m,
            self.t
        )?;
        match self.decoded_position() {
            Some(p) => write!(f, ", decoded=({:.3}, {:.3}) m)", p[0], p[1]),
            None => write!(f, ", silent)"),
        }
    }
}

impl Render for PlaceCellNetwork {
    fn bundle(&self) -> Bundle {
        let table = self
            .params
            .table()
            .row("cells", self.grid.n_cells(), "accessible grid cells")
            .row(
                "kernel entries",
                format!(
                    "{} ({:.0}%)",
                    self.kernel.nnz(),
                    100.0 * self.kernel.nnz() as f64
                        / (self.grid.n_cells() as f64).powi(2).max(1.0)
                ),
                "stored (kernel_cutoff)",
            )
            .row("t", format!("{:.1}", self.t), "time since reset (ms)")
            .to_html();
        Bundle::figure(&self.plot_activity(), &table, self.to_string())
    }
}

display::evcxr_display_via_render!(GeodesicGrid, PlaceCellNetworkParams, PlaceCellNetwork);

#[cfg(test)]
mod tests {
    use super::*;

    fn corridor() -> GeodesicGrid {
        GeodesicGrid::from_polygon(&[[0.0, 0.0], [1.0, 0.0], [1.0, 0.2], [0.0, 0.2]], &[], 0.05)
            .unwrap()
    }

    #[test]
    fn distances_follow_the_eight_neighbour_metric() {
        let g = corridor();
        assert_eq!(g.shape(), (4, 20));
        let d = g.distances();
        let n = g.n_cells();
        let a = g.cell_index([0.01, 0.19]).unwrap();
        let b = g.cell_index([0.99, 0.01]).unwrap();
        // 19 columns and 3 rows apart: 3 diagonal and 16 axis steps.
        let want = 3.0 * 0.05 * std::f64::consts::SQRT_2 + 16.0 * 0.05;
        assert!((d[a * n + b] - want).abs() < 1e-12, "{}", d[a * n + b]);
        for i in 0..n {
            assert_eq!(d[i * n + i], 0.0);
            for j in 0..n {
                assert!((d[i * n + j] - d[j * n + i]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn a_wall_makes_distances_geodesic() {
        // A U: two 0.2 m wide arms joined at the top; the arms' bottoms are
        // 0.3 m apart straight across but 2 x 0.8 + 0.3 m along the U.
        let b = [
            [0.0, 0.0],
            [0.2, 0.0],
            [0.2, 0.8],
            [0.5, 0.8],
            [0.5, 0.0],
            [0.7, 0.0],
            [0.7, 1.0],
            [0.0, 1.0],
        ];
        let g = GeodesicGrid::from_polygon(&b, &[], 0.05).unwrap();
        let d = g.distances();
        let n = g.n_cells();
        let (p, q) = (
            g.cell_index([0.1, 0.02]).unwrap(),
            g.cell_index([0.6, 0.02]).unwrap(),
        );
        assert!(d[p * n + q] > 1.5, "{}", d[p * n + q]);
        assert!(g.cell_index([0.35, 0.4]).is_none());
    }

    #[test]
    fn an_activity_cutoff_barely_moves_the_bump() {
        let g = GeodesicGrid::from_polygon(
            &[[0.0, 0.0], [2.0, 0.0], [2.0, 0.4], [0.0, 0.4]],
            &[],
            0.05,
        )
        .unwrap();
        let d = g.distances();
        // Without noise (with it, two runs drift apart whatever the cutoff).
        let p = PlaceCellNetworkParams::chu2024()
            .canns_compat(true)
            .noise_strength(0.0);
        let mut exact = p.clone().build_with_distances(&g, d.clone()).unwrap();
        let mut cut = p.activity_cutoff(1e-3).build_with_distances(&g, d).unwrap();
        // 150 ms with the animal moving at 1.2 m/s: the bump follows the
        // input. (Later it runs ahead as a travelling wave and falls back,
        // two bumps briefly compete, and the order in which they swap is
        // sensitive to any change of the input, cutoff or not.)
        let mut worst: f64 = 0.0;
        for i in 0..150 {
            let pos = [0.3 + 1.2e-3 * i as f64, 0.2];
            let th = 1.0 + 0.1 * (i as f64 * 0.0628).cos();
            exact.update(pos, th).unwrap();
            cut.update(pos, th).unwrap();
            let (a, b) = (
                exact.decoded_position().unwrap(),
                cut.decoded_position().unwrap(),
            );
            worst = worst.max((a[0] - b[0]).hypot(a[1] - b[1]));
        }
        assert!(worst < 1e-3, "decoded positions differ by {worst} m");
    }

    #[test]
    fn the_sparse_kernel_sums_within_its_stated_bound() {
        let g = GeodesicGrid::from_polygon(
            &[[0.0, 0.0], [3.0, 0.0], [3.0, 0.5], [0.0, 0.5]],
            &[],
            0.05,
        )
        .unwrap();
        let n = g.n_cells();
        let d = g.distances();
        let a = 0.2;
        let mut dense: Vec<f64> = d.iter().map(|x| (-x * x / (2.0 * a * a)).exp()).collect();
        symmetrize_max(&mut dense, n);
        for i in 0..n {
            for j in 0..n {
                assert_eq!(dense[i * n + j], dense[j * n + i]);
            }
        }
        // Every rate set, and a bump: 1 in 12 cells active, all the others 0.
        let r_all: Vec<f64> = (0..n).map(|i| ((i * 7919) % 101) as f64 / 100.0).collect();
        let r_bump: Vec<f64> = (0..n)
            .map(|i| {
                if i % 12 == 5 {
                    0.5 + (i % 7) as f64 / 7.0
                } else {
                    0.0
                }
            })
            .collect();
        let mut active = Vec::new();
        for cutoff in [0.0, 1e-12, 1e-6] {
            let k = RunKernel::from_dense(&dense, n, cutoff);
            if cutoff > 0.0 {
                assert!(k.nnz() < n * n, "nothing dropped at {cutoff}");
            }
            for r in [&r_all, &r_bump] {
                let sum_r: f64 = r.iter().sum();
                let active_cells: Vec<usize> = (0..n).filter(|&j| r[j] != 0.0).collect();
                let entries: usize = active_cells.iter().map(|&j| k.row_len(j)).sum();
                // The chosen path, rows, scatter on one thread and on
                // several, the upper triangle.
                let mut outs = vec![vec![1.0; n]; 5];
                assert_eq!(k.upper_bounds.len(), UPPER_BLOCKS + 1);
                k.add_product(r, 2.0, &mut outs[0], &mut active);
                k.gather(r, 2.0, &mut outs[1]);
                k.scatter(r, 2.0, &mut outs[2], &active_cells, 0);
                k.scatter(r, 2.0, &mut outs[3], &active_cells, usize::MAX);
                assert_eq!(outs[2], outs[3], "the scatter does not depend on threads");
                k.upper(r, 2.0, &mut outs[4]);
                let mut serial = vec![1.0; n];
                k.upper_rows(r, 2.0, 0, n, &mut serial);
                outs.push(serial);
                for i in 0..n {
                    let want: f64 = (0..n).map(|j| dense[i * n + j] * r[j]).sum();
                    let bound = 2.0 * (cutoff + 6e-8) * sum_r + 1e-12;
                    for (p, out) in outs.iter().enumerate() {
                        assert!(
                            (out[i] - 1.0 - 2.0 * want).abs() <= bound,
                            "row {i}, cutoff {cutoff}, path {p}, {entries} active entries"
                        );
                    }
                }
            }
            let mut row = vec![0.0; n];
            for i in 0..n {
                k.row_into(i, 3.0, &mut row);
                for j in 0..n {
                    let e = dense[i * n + j];
                    let want = if e >= cutoff { 3.0 * e } else { 0.0 };
                    assert!(
                        (row[j] - want).abs() <= 3.0 * (6e-8 * e + 1e-37),
                        "({i}, {j})"
                    );
                }
            }
        }
    }

    #[test]
    fn build_rejects_bad_values() {
        let g = corridor();
        for (p, f) in [
            (PlaceCellNetwork::params().tau(0.0), "`tau`"),
            (PlaceCellNetwork::params().a(-1.0), "`a`"),
            (PlaceCellNetwork::params().m(-1.0), "`m`"),
            (PlaceCellNetwork::params().g(f64::NAN), "`g`"),
            (
                PlaceCellNetwork::params().activity_cutoff(1.0),
                "`activity_cutoff`",
            ),
            (
                PlaceCellNetwork::params().kernel_cutoff(-1e-9),
                "`kernel_cutoff`",
            ),
        ] {
            let e = p.build(&g).unwrap_err().to_string();
            assert!(e.contains(f) && e.contains("got"), "{e}");
        }
        assert!(GeodesicGrid::from_polygon(&[[0.0, 0.0], [1.0, 0.0]], &[], 0.1).is_err());
        assert!(
            GeodesicGrid::from_polygon(&[[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], &[], 0.0).is_err()
        );
        let mut net = PlaceCellNetwork::params().build(&g).unwrap();
        assert!(net.update([0.5, 0.1], f64::NAN).is_err());
        // Outside the environment: no input, no error.
        net.update([5.0, 5.0], 1.0).unwrap();
        assert_eq!(net.decoded_position(), None);
        let q = PlaceCellNetworkParams::chu2024().canns_compat(true);
        assert_eq!(PlaceCellNetworkParams::from_json(&q.to_json()).unwrap(), q);
    }
}
