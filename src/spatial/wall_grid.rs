//! A uniform grid over a 2D environment listing, for each cell, the walls
//! within a reach of it: the agent's per-step wall queries (repulsion within
//! `wall_repel_distance`, the wall a step crosses) then look at the few walls
//! near its cell instead of every wall, and at none in the open middle of a
//! box. Queries beyond the reach fall back to the environment's full scan,
//! so answers never depend on the grid.

use super::environment::{segments_cross, vector_from_segment, wall_within, Environment, Segment};

/// Walls near each cell of a uniform grid (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WallGrid {
    /// Lower-left corner of the grid (m).
    origin: [f64; 2],
    /// Cells per metre along each axis.
    inv_cell: [f64; 2],
    /// Cells along each axis, and as floats.
    n: [usize; 2],
    limit: [f64; 2],
    /// Distance (m) within which a cell lists a wall.
    reach: f64,
    /// Cell `c` lists `walls[start[c]..start[c + 1]]` (ascending wall indices).
    start: Vec<u32>,
    walls: Vec<u32>,
    /// Every wall of the environment, and its bounding box.
    segments: Vec<Segment>,
    boxes: Vec<[f64; 4]>,
}

/// At most this many cells along an axis.
const MAX_CELLS: usize = 512;

impl WallGrid {
    /// The grid of cells of side about `reach / 2` (at most 512 per axis) over
    /// `env`'s extent, each listing the walls within `reach` (m) of it.
    pub(crate) fn new(env: &Environment, reach: f64) -> Self {
        let e = env.extent();
        let origin = [e[0], e[2]];
        let size = [e[1] - e[0], (e[3] - e[2]).max(0.0)];
        let n = size.map(|l| ((2.0 * l / reach).ceil() as usize).clamp(1, MAX_CELLS));
        let cell = [size[0] / n[0] as f64, size[1] / n[1] as f64];
        let segments = env.walls().to_vec();
        let boxes: Vec<[f64; 4]> = segments.iter().map(bounding_box).collect();
        // Each wall visits the cells its bounding box, widened by the reach,
        // overlaps; walls go in ascending order, so the lists come sorted.
        let mut lists = vec![Vec::new(); n[0] * n[1]];
        let cell_range = |lo: f64, hi: f64, k: usize| {
            let f = |x: f64| {
                ((x - origin[k]) / cell[k])
                    .floor()
                    .clamp(0.0, (n[k] - 1) as f64)
            };
            (f(lo - reach) as usize, f(hi + reach) as usize)
        };
        for (i, (w, b)) in segments.iter().zip(&boxes).enumerate() {
            let (x0, x1) = cell_range(b[0], b[1], 0);
            let (y0, y1) = cell_range(b[2], b[3], 1);
            for iy in y0..=y1 {
                for ix in x0..=x1 {
                    let lo = [
                        origin[0] + ix as f64 * cell[0],
                        origin[1] + iy as f64 * cell[1],
                    ];
                    let rect = [lo[0], lo[0] + cell[0], lo[1], lo[1] + cell[1]];
                    if segment_rect_distance(w, rect) <= reach {
                        lists[iy * n[0] + ix].push(i as u32);
                    }
                }
            }
        }
        let mut start = Vec::with_capacity(lists.len() + 1);
        start.push(0);
        let mut walls = Vec::new();
        for l in &lists {
            walls.extend_from_slice(l);
            start.push(walls.len() as u32);
        }
        Self {
            origin,
            inv_cell: [1.0 / cell[0], 1.0 / cell[1]],
            n,
            limit: [n[0] as f64, n[1] as f64],
            reach,
            start,
            walls,
            segments,
            boxes,
        }
    }

    /// The cell holding `p` (the range of its list in `walls`), or `None`
    /// outside the grid.
    #[inline(always)]
    pub(crate) fn cell(&self, p: [f64; 2]) -> Option<Cell> {
        let fx = (p[0] - self.origin[0]) * self.inv_cell[0];
        let fy = (p[1] - self.origin[1]) * self.inv_cell[1];
        // Negated so that NaN falls outside.
        if !(fx >= 0.0 && fx < self.limit[0] && fy >= 0.0 && fy < self.limit[1]) {
            return None;
        }
        let c = fy as u32 as usize * self.n[0] + fx as u32 as usize;
        Some(Cell(self.start[c], self.start[c + 1]))
    }

    /// Calls `f(vector from wall to p, distance)` for every wall closer than
    /// `range` (m), as [`Environment::for_walls_within`] does; `cell` is
    /// [`WallGrid::cell`]`(p)`.
    #[inline(always)]
    pub(crate) fn for_walls_within(
        &self,
        env: &Environment,
        cell: Option<Cell>,
        p: [f64; 2],
        range: f64,
        mut f: impl FnMut([f64; 2], f64),
    ) {
        let Some(Cell(a, b)) = cell else {
            return env.for_walls_within(p, range, f);
        };
        if range > self.reach {
            return env.for_walls_within(p, range, f);
        }
        for &i in &self.walls[a as usize..b as usize] {
            let (w, b) = (&self.segments[i as usize], &self.boxes[i as usize]);
            if let Some((v, d)) = wall_within(w, b, p, range) {
                f(v, d);
            }
        }
    }

    /// The first wall (lowest index) the step `from -> to` crosses, as
    /// [`Environment::first_collision`] finds it; `cell` is
    /// [`WallGrid::cell`]`(from)`. A wall the step crosses lies within the
    /// step's length of `from`, so within the reach of its cell.
    #[inline(always)]
    pub(crate) fn first_collision(
        &self,
        env: &Environment,
        cell: Option<Cell>,
        from: [f64; 2],
        to: [f64; 2],
    ) -> Option<usize> {
        let d = [to[0] - from[0], to[1] - from[1]];
        let Some(Cell(a, b)) = cell else {
            return env.first_collision(from, to);
        };
        if d[0] * d[0] + d[1] * d[1] > self.reach * self.reach {
            return env.first_collision(from, to);
        }
        let step = [from, to];
        let bx = bounding_box(&step);
        self.walls[a as usize..b as usize]
            .iter()
            .map(|&i| i as usize)
            .find(|&i| {
                let b = &self.boxes[i];
                !(b[1] < bx[0] || b[0] > bx[1] || b[3] < bx[2] || b[2] > bx[3])
                    && segments_cross(&self.segments[i], &step)
            })
    }
}

/// A cell of a [`WallGrid`]: the range of its wall list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Cell(u32, u32);

/// `[xmin, xmax, ymin, ymax]` of a segment.
fn bounding_box(s: &Segment) -> [f64; 4] {
    [
        s[0][0].min(s[1][0]),
        s[0][0].max(s[1][0]),
        s[0][1].min(s[1][1]),
        s[0][1].max(s[1][1]),
    ]
}

/// Distance (m) between segment `s` and the rectangle `[x0, x1, y0, y1]`.
fn segment_rect_distance(s: &Segment, r: [f64; 4]) -> f64 {
    let inside = |p: [f64; 2]| p[0] >= r[0] && p[0] <= r[1] && p[1] >= r[2] && p[1] <= r[3];
    let corners = [[r[0], r[2]], [r[1], r[2]], [r[1], r[3]], [r[0], r[3]]];
    let edges: [Segment; 4] = std::array::from_fn(|k| [corners[k], corners[(k + 1) % 4]]);
    if inside(s[0]) || inside(s[1]) || edges.iter().any(|e| segments_cross(e, s)) {
        return 0.0;
    }
    let point_rect = |p: [f64; 2]| {
        let dx = (r[0] - p[0]).max(p[0] - r[1]).max(0.0);
        let dy = (r[2] - p[1]).max(p[1] - r[3]).max(0.0);
        dx.hypot(dy)
    };
    let from_corners = corners.iter().map(|&c| {
        let v = vector_from_segment(s, c);
        v[0].hypot(v[1])
    });
    from_corners
        .chain([point_rect(s[0]), point_rect(s[1])])
        .fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn grid_queries_equal_the_full_scan() {
        let env = Environment::params()
            .walls(vec![[[0.5, 0.0], [0.5, 0.6]], [[0.1, 0.8], [0.4, 0.95]]])
            .holes(vec![vec![[0.7, 0.2], [0.9, 0.3], [0.8, 0.5]]])
            .build()
            .unwrap();
        let grid = WallGrid::new(&env, 0.1);
        let mut rng = crate::random::seeded(1);
        let (mut near, mut crossed) = (0, 0);
        for _ in 0..20_000 {
            let p = env.sample_position(&mut rng);
            let range = rng.random::<f64>() * 0.12;
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let cell = grid.cell(p);
            env.for_walls_within(p, range, |v, d| a.push((v, d)));
            grid.for_walls_within(&env, cell, p, range, |v, d| b.push((v, d)));
            assert_eq!(a, b, "{p:?} {range}");
            near += usize::from(!a.is_empty());
            let len = rng.random::<f64>() * 0.15;
            let angle = rng.random::<f64>() * std::f64::consts::TAU;
            let to = [p[0] + len * angle.cos(), p[1] + len * angle.sin()];
            let hit = env.first_collision(p, to);
            assert_eq!(hit, grid.first_collision(&env, cell, p, to), "{p:?} {to:?}");
            crossed += usize::from(hit.is_some());
        }
        // Both branches of both queries were exercised.
        assert!(near > 1000 && crossed > 500, "{near} {crossed}");
        // The open middle of the box lists no wall.
        let Some(Cell(a, b)) = grid.cell([0.3, 0.4]) else {
            panic!("inside the grid")
        };
        assert_eq!(a, b);
        assert_eq!(grid.cell([1.5, 0.4]), None);
        assert_eq!(grid.cell([f64::NAN, 0.4]), None);
    }

    #[test]
    fn rectangle_distance() {
        let r = [0.0, 1.0, 0.0, 1.0];
        assert_eq!(segment_rect_distance(&[[0.5, 0.5], [3.0, 3.0]], r), 0.0);
        assert_eq!(segment_rect_distance(&[[-1.0, 0.5], [2.0, 0.5]], r), 0.0);
        assert!((segment_rect_distance(&[[2.0, -1.0], [2.0, 3.0]], r) - 1.0).abs() < 1e-15);
        let d = segment_rect_distance(&[[2.0, 3.0], [3.0, 2.0]], r);
        assert!((d - 1.5f64.hypot(1.5)).abs() < 1e-12, "{d}");
    }
}
