//! Shortest collision-free routes through an [`Environment`], on a
//! visibility graph.
//!
//! Among polygonal obstacles, a shortest path is a polyline that bends only
//! at convex corners of the obstacles (Lozano-Pérez & Wesley 1979). The
//! [`RoutePlanner`] places one node at every such corner, pushed out by a
//! clearance `c` so that routes keep off the walls:
//!
//! * at a point where walls meet (a wall end, a polygon corner, a T or an L
//!   junction), every angular gap between the walls wider than π (the side
//!   a path can wrap around) gets a node at distance `c` along the gap's
//!   bisector: a free wall end gets one node on the wall's extension, a
//!   convex hole corner one on its outward bisector, box corners and
//!   reflex corners none;
//! * a node falling outside the environment or inside a hole is moved
//!   closer (`c/2`, `c/4`, ... down to `c/16`) and dropped if it still does
//!   not fit, so a passage narrower than about the clearance may lose its
//!   nodes (a straight line through it is still found when in sight).
//!
//! Two points see each other when the segment between them stays more than
//! 1 nm from every wall (box sides, extra walls and hole edges: a segment
//! that enters a hole crosses its edges). The node-node visibility is
//! computed once per planner; a query connects the goal to the nodes it
//! sees, runs Dijkstra's algorithm from the goal over the graph (every node
//! then knows its distance to the goal and its next hop), and picks the
//! start's first hop as the visible node (or the goal) minimising
//! `|start - node| + distance(node)`, testing candidates in increasing order
//! of that bound so only a few are tested. The route is exact for the graph:
//! the shortest path among the obstacles grown by the clearance at their
//! corners.
//!
//! Periodic environments are tori: the box edges are passable, a segment is
//! tested against the walls of the 3 x 3 neighbouring copies of the box,
//! and every pair of points is joined through each of its 9 images, so a
//! route may wrap around. Route waypoints are then unwrapped: they start at
//! the start position and continue across the box edges (wrap them with
//! [`Environment::apply_boundary_conditions`] to get positions in the box).
//! In 1D the route is the straight line (the shorter way round a periodic
//! track).
//!
//! # Examples
//! ```
//! use canns::spatial::{Environment, RoutePlanner};
//! // A wall from the bottom side up to y = 0.7 between start and goal.
//! let env = Environment::params()
//!     .walls(vec![[[0.5, 0.0], [0.5, 0.7]]])
//!     .build()?;
//! let planner = RoutePlanner::params().clearance(0.05).build(&env)?;
//! let route = planner.route(&[0.25, 0.2], &[0.75, 0.2])?;
//! // Over the wall's top end, pushed up by the clearance.
//! assert_eq!(route.waypoints(), &[[0.25, 0.2], [0.5, 0.75], [0.75, 0.2]]);
//! let expected = 2.0 * (0.25f64.powi(2) + 0.55f64.powi(2)).sqrt();
//! assert!((route.length() - expected).abs() < 1e-12);
//! // A goal walled in is an error, not a panic.
//! let closed = Environment::params()
//!     .walls(vec![[[0.6, 0.0], [0.6, 1.0]]])
//!     .build()?;
//! let planner = RoutePlanner::params().build(&closed)?;
//! assert!(planner.route(&[0.3, 0.5], &[0.8, 0.5]).is_err());
//! # Ok::<(), canns::Error>(())
//! ```
//!
//! # References
//! Lozano-Pérez, T. & Wesley, M. A. (1979). An algorithm for planning
//! collision-free paths among polyhedral obstacles. Communications of the
//! ACM 22:560-570.
//! Dijkstra, E. W. (1959). A note on two problems in connexion with graphs.
//! Numerische Mathematik 1:269-271.

use super::environment::{Environment, Segment};
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{ParamError, Result};
use crate::params::check;
use crate::params::setters;
use crate::params::Params;
use plotly::common::{Line, Marker, Mode};
use plotly::Scatter;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::f64::consts::{PI, TAU};

/// Distance (m) below which a segment counts as touching a wall.
const TOUCH: f64 = 1e-9;

/// Parameters of a [`RoutePlanner`].
///
/// # Example
/// ```
/// use canns::spatial::{Environment, RoutePlanner};
/// let env = Environment::params().walls(vec![[[0.5, 0.0], [0.5, 0.7]]]).build()?;
/// // The wall's free end gets one node, `clearance` beyond it on its extension.
/// let planner = RoutePlanner::params().clearance(0.1).build(&env)?;
/// let nodes = planner.nodes();
/// assert_eq!(nodes.len(), 1);
/// assert!((nodes[0][0] - 0.5).abs() < 1e-12 && (nodes[0][1] - 0.8).abs() < 1e-12);
/// let err = RoutePlanner::params().clearance(0.0).build(&env).unwrap_err();
/// assert!(err.to_string().contains("clearance"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutePlannerParams {
    /// Distance (m) by which route corners are pushed away from the wall
    /// corners they go round. Default 0.05.
    pub clearance: f64,
}

impl Default for RoutePlannerParams {
    fn default() -> Self {
        Self { clearance: 0.05 }
    }
}

impl RoutePlannerParams {
    setters! {
        /// Sets `clearance` (m).
        clearance: f64,
    }

    /// Validates the parameters and builds the visibility graph of `env`.
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) when `clearance` is not finite
    /// and positive.
    pub fn build(&self, env: &Environment) -> Result<RoutePlanner> {
        self.validate()?;
        Ok(RoutePlanner::new(env.clone(), self.clone()))
    }
}

impl Params for RoutePlannerParams {
    const NAME: &'static str = "RoutePlannerParams";

    fn validate(&self) -> Result<()> {
        check::positive("clearance", self.clearance)?;
        Ok(())
    }
}

/// An edge of the visibility graph: to node `to`, by displacement `d`
/// (unwrapped, m) of length `len` (m).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Edge {
    to: usize,
    d: [f64; 2],
    len: f64,
}

/// Where a point goes next on its way to the goal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Hop {
    /// No way to the goal.
    None,
    /// Straight to the goal, by this displacement.
    Goal([f64; 2]),
    /// To a node, by this displacement.
    Node(usize, [f64; 2]),
}

impl Hop {
    /// The displacement (zero for `None`).
    pub(crate) fn displacement(&self) -> [f64; 2] {
        match self {
            Hop::None => [0.0, 0.0],
            Hop::Goal(d) | Hop::Node(_, d) => *d,
        }
    }
}

/// Distances of every node to one goal, with next hops (Dijkstra's tree).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GoalField {
    goal: [f64; 2],
    dist: Vec<f64>,
    hop: Vec<Hop>,
}

/// Shortest collision-free routes in one environment. See the
/// [module docs](crate::spatial).
///
/// # Example
/// ```
/// use canns::spatial::{BoundaryConditions, Environment, RoutePlanner};
/// // On a torus the short way from x = 0.1 to x = 0.9 crosses the left edge;
/// // the waypoints are unwrapped (the goal's image at x = -0.1).
/// let env = Environment::params().boundary_conditions(BoundaryConditions::Periodic).build()?;
/// let planner = RoutePlanner::params().build(&env)?;
/// let route = planner.route(&[0.1, 0.5], &[0.9, 0.5])?;
/// assert!((route.length() - 0.2).abs() < 1e-12);
/// let end = route.waypoints()[route.waypoints().len() - 1];
/// assert!((end[0] + 0.1).abs() < 1e-12 && (end[1] - 0.5).abs() < 1e-12);
/// assert!(planner.to_string().starts_with("RoutePlanner("), "{planner}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct RoutePlanner {
    env: Environment,
    params: RoutePlannerParams,
    /// Lattice offsets of the box copies a segment is tested in (one zero
    /// offset unless periodic).
    offsets: Vec<[f64; 2]>,
    nodes: Vec<[f64; 2]>,
    edges: Vec<Vec<Edge>>,
}

/// A route: unwrapped waypoints from the start to the goal. See the
/// [module docs](crate::spatial).
///
/// # Example
/// ```
/// use canns::spatial::{Environment, RoutePlanner};
/// // In an empty box the goal is in sight: a straight route.
/// let env = Environment::params().build()?;
/// let route = RoutePlanner::params().build(&env)?.route(&[0.2, 0.2], &[0.5, 0.6])?;
/// assert_eq!(route.waypoints().len(), 2);
/// let next = route.next_waypoint();
/// assert!((next[0] - 0.5).abs() < 1e-12 && (next[1] - 0.6).abs() < 1e-12);
/// assert!((route.length() - 0.5).abs() < 1e-12);
/// assert_eq!(route.to_string(), "Route(0.5000 m, 2 waypoints)");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct Route {
    env: Environment,
    waypoints: Vec<[f64; 2]>,
    length: f64,
}

fn sub(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [a[0] - b[0], a[1] - b[1]]
}

fn add(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [a[0] + b[0], a[1] + b[1]]
}

fn norm(a: [f64; 2]) -> f64 {
    a[0].hypot(a[1])
}

fn cross(a: [f64; 2], b: [f64; 2]) -> f64 {
    a[0] * b[1] - a[1] * b[0]
}

fn point_segment_distance(p: [f64; 2], s: &Segment) -> f64 {
    let v = sub(s[1], s[0]);
    let w = sub(p, s[0]);
    let l2 = v[0] * v[0] + v[1] * v[1];
    let t = if l2 > 0.0 {
        ((w[0] * v[0] + w[1] * v[1]) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    norm([w[0] - t * v[0], w[1] - t * v[1]])
}

/// Distance between two segments (0 when they cross).
fn segment_distance(a: &Segment, b: &Segment) -> f64 {
    let da = sub(a[1], a[0]);
    let db = sub(b[1], b[0]);
    let o1 = cross(da, sub(b[0], a[0]));
    let o2 = cross(da, sub(b[1], a[0]));
    let o3 = cross(db, sub(a[0], b[0]));
    let o4 = cross(db, sub(a[1], b[0]));
    if o1 * o2 < 0.0 && o3 * o4 < 0.0 {
        return 0.0;
    }
    point_segment_distance(a[0], b)
        .min(point_segment_distance(a[1], b))
        .min(point_segment_distance(b[0], a))
        .min(point_segment_distance(b[1], a))
}

#[derive(PartialEq)]
struct Queued(f64, usize);
impl Eq for Queued {}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap pops the largest, Dijkstra wants the nearest.
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl RoutePlanner {
    /// Default parameters, to adjust and build with an environment.
    pub fn params() -> RoutePlannerParams {
        RoutePlannerParams::default()
    }

    fn new(env: Environment, params: RoutePlannerParams) -> Self {
        let (w, h) = (env.width(), env.height());
        let offsets = if !env.is_periodic() {
            vec![[0.0, 0.0]]
        } else if env.dim() == 1 {
            vec![[-w, 0.0], [0.0, 0.0], [w, 0.0]]
        } else {
            let mut o = Vec::with_capacity(9);
            for i in -1..=1 {
                for j in -1..=1 {
                    o.push([i as f64 * w, j as f64 * h]);
                }
            }
            o
        };
        let mut planner = Self {
            env,
            params,
            offsets,
            nodes: Vec::new(),
            edges: Vec::new(),
        };
        if planner.env.dim() == 2 {
            planner.nodes = planner.corner_nodes();
            planner.edges = planner.visibility_graph();
        }
        planner
    }

    /// The nodes: wall corners a path can wrap around, pushed out by the clearance.
    fn corner_nodes(&self) -> Vec<[f64; 2]> {
        let walls = self.env.walls();
        let mut points: Vec<[f64; 2]> = Vec::new();
        for w in walls {
            for p in w {
                if !points.iter().any(|q| norm(sub(*p, *q)) < TOUCH) {
                    points.push(*p);
                }
            }
        }
        let c = self.params.clearance;
        let mut nodes: Vec<[f64; 2]> = Vec::new();
        for p in points {
            // Directions of the walls leaving p, in every copy of the box.
            let mut angles: Vec<f64> = Vec::new();
            for o in &self.offsets {
                for w in walls {
                    let w = [add(w[0], *o), add(w[1], *o)];
                    let along = |to: [f64; 2]| {
                        let d = sub(to, p);
                        d[1].atan2(d[0])
                    };
                    if norm(sub(w[0], p)) < TOUCH {
                        angles.push(along(w[1]));
                    } else if norm(sub(w[1], p)) < TOUCH {
                        angles.push(along(w[0]));
                    } else if point_segment_distance(p, &w) < TOUCH {
                        angles.push(along(w[0]));
                        angles.push(along(w[1]));
                    }
                }
            }
            angles.sort_by(f64::total_cmp);
            for (k, &a) in angles.iter().enumerate() {
                let next = if k + 1 < angles.len() {
                    angles[k + 1]
                } else {
                    angles[0] + TAU
                };
                if next - a <= PI + 1e-9 {
                    continue;
                }
                let mid = 0.5 * (a + next);
                let dir = [mid.cos(), mid.sin()];
                let mut r = c;
                for _ in 0..5 {
                    let mut q = [p[0] + r * dir[0], p[1] + r * dir[1]];
                    if self.env.is_periodic() {
                        self.env.apply_boundary_conditions(&mut q);
                    }
                    if self.env.contains(&q) {
                        if !nodes.iter().any(|n| norm(sub(*n, q)) < TOUCH) {
                            nodes.push(q);
                        }
                        break;
                    }
                    r *= 0.5;
                }
            }
        }
        nodes
    }

    fn visibility_graph(&self) -> Vec<Vec<Edge>> {
        let n = self.nodes.len();
        let mut edges = vec![Vec::new(); n];
        for i in 0..n {
            for j in i + 1..n {
                for o in &self.offsets {
                    let b = add(self.nodes[j], *o);
                    if self.sees(self.nodes[i], b) {
                        let d = sub(b, self.nodes[i]);
                        let len = norm(d);
                        edges[i].push(Edge { to: j, d, len });
                        edges[j].push(Edge {
                            to: i,
                            d: [-d[0], -d[1]],
                            len,
                        });
                    }
                }
            }
        }
        edges
    }

    /// Whether the segment from `a` (in the box) to `b` (unwrapped) keeps
    /// off every wall of every copy of the box.
    fn sees(&self, a: [f64; 2], b: [f64; 2]) -> bool {
        let e = self.env.extent();
        for o in &self.offsets {
            let s = [sub(a, *o), sub(b, *o)];
            let bx = [
                s[0][0].min(s[1][0]),
                s[0][0].max(s[1][0]),
                s[0][1].min(s[1][1]),
                s[0][1].max(s[1][1]),
            ];
            if bx[1] < e[0] - TOUCH
                || bx[0] > e[1] + TOUCH
                || bx[3] < e[2] - TOUCH
                || bx[2] > e[3] + TOUCH
            {
                continue;
            }
            for w in self.env.walls() {
                let out = w[0][0].max(w[1][0]) < bx[0] - TOUCH
                    || w[0][0].min(w[1][0]) > bx[1] + TOUCH
                    || w[0][1].max(w[1][1]) < bx[2] - TOUCH
                    || w[0][1].min(w[1][1]) > bx[3] + TOUCH;
                if !out && segment_distance(&s, w) < TOUCH {
                    return false;
                }
            }
        }
        true
    }

    /// The copy of `p` (a point in the box) nearest to `approx`: `p` itself
    /// unless periodic. Waypoints are snapped to it so that sums of hops do
    /// not accumulate rounding.
    fn image_near(&self, p: [f64; 2], approx: [f64; 2]) -> [f64; 2] {
        if !self.env.is_periodic() {
            return p;
        }
        let (w, h) = (self.env.width(), self.env.height());
        let mut q = p;
        q[0] += ((approx[0] - p[0]) / w).round() * w;
        if self.env.dim() == 2 {
            q[1] += ((approx[1] - p[1]) / h).round() * h;
        }
        q
    }

    /// The environment.
    pub fn environment(&self) -> &Environment {
        &self.env
    }
    /// The parameters.
    pub fn parameters(&self) -> &RoutePlannerParams {
        &self.params
    }
    /// The graph's nodes (m): wall corners pushed out by the clearance.
    pub fn nodes(&self) -> &[[f64; 2]] {
        &self.nodes
    }
    /// Number of edges (pairs of nodes in sight of each other, counted once
    /// per image in a periodic box).
    pub fn n_edges(&self) -> usize {
        self.edges.iter().map(Vec::len).sum::<usize>() / 2
    }

    fn point(&self, field: &str, p: &[f64]) -> Result<[f64; 2]> {
        if p.len() != self.env.dim() || !self.env.contains(p) {
            return Err(ParamError::new(field, "inside the environment", format!("{p:?}")).into());
        }
        Ok([p[0], p.get(1).copied().unwrap_or(0.0)])
    }

    /// Distances to `goal` (in the environment) from every node.
    pub(crate) fn goal_field(&self, goal: [f64; 2]) -> GoalField {
        let n = self.nodes.len();
        let mut dist = vec![f64::INFINITY; n];
        let mut hop = vec![Hop::None; n];
        let mut heap = BinaryHeap::new();
        for (i, node) in self.nodes.iter().enumerate() {
            for o in &self.offsets {
                let g = add(goal, *o);
                let d = sub(g, *node);
                let len = norm(d);
                if len < dist[i] && self.sees(*node, g) {
                    dist[i] = len;
                    hop[i] = Hop::Goal(d);
                }
            }
            if dist[i].is_finite() {
                heap.push(Queued(dist[i], i));
            }
        }
        while let Some(Queued(dj, j)) = heap.pop() {
            if dj > dist[j] {
                continue;
            }
            for e in &self.edges[j] {
                let i = e.to;
                let di = dj + e.len;
                if di < dist[i] {
                    dist[i] = di;
                    hop[i] = Hop::Node(j, [-e.d[0], -e.d[1]]);
                    heap.push(Queued(di, i));
                }
            }
        }
        GoalField { goal, dist, hop }
    }

    /// The first hop from `start` towards the field's goal: the total
    /// length and the hop. `None` when the goal cannot be reached.
    pub(crate) fn first_hop(&self, field: &GoalField, start: [f64; 2]) -> Option<(f64, Hop)> {
        // (bound on the total length, node or goal, displacement)
        let mut candidates: Vec<(f64, Option<usize>, [f64; 2])> =
            Vec::with_capacity((self.nodes.len() + 1) * self.offsets.len());
        for o in &self.offsets {
            let d = sub(add(field.goal, *o), start);
            candidates.push((norm(d), None, d));
            for (i, node) in self.nodes.iter().enumerate() {
                if field.dist[i].is_finite() {
                    let d = sub(add(*node, *o), start);
                    candidates.push((norm(d) + field.dist[i], Some(i), d));
                }
            }
        }
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
        candidates
            .into_iter()
            .find(|c| self.sees(start, add(start, c.2)))
            .map(|(len, node, d)| match node {
                Some(i) => (len, Hop::Node(i, d)),
                None => (len, Hop::Goal(d)),
            })
    }

    /// The shortest route from `start` to `goal` (positions in metres, of
    /// the environment's dimension).
    ///
    /// # Errors
    /// [`Error::Param`](crate::Error::Param) naming `start` or `goal` when it
    /// lies outside the environment (or in a hole), and naming `goal` when no
    /// route leads there.
    pub fn route(&self, start: &[f64], goal: &[f64]) -> Result<Route> {
        let s = self.point("start", start)?;
        let g = self.point("goal", goal)?;
        let field = self.goal_field(g);
        let Some((length, mut hop)) = self.first_hop(&field, s) else {
            return Err(ParamError::new(
                "goal",
                format!(
                    "reachable from start {start:?} (clearance {} m)",
                    self.params.clearance
                ),
                format!("{goal:?}"),
            )
            .into());
        };
        let mut waypoints = vec![s];
        let mut at = s;
        loop {
            match hop {
                Hop::Goal(d) => {
                    waypoints.push(self.image_near(g, add(at, d)));
                    break;
                }
                Hop::Node(i, d) => {
                    at = self.image_near(self.nodes[i], add(at, d));
                    waypoints.push(at);
                    hop = field.hop[i];
                }
                Hop::None => unreachable!("a node with a finite distance has a hop"),
            }
        }
        Ok(Route {
            env: self.env.clone(),
            waypoints,
            length,
        })
    }

    /// Plot of the environment with the graph: nodes and visibility edges
    /// (edges leaving the box of a periodic environment are cut at its edge).
    pub fn plot(&self) -> Figure {
        let mut plot = self.env.plot();
        let (mut x, mut y): (Vec<Option<f64>>, Vec<Option<f64>>) = (Vec::new(), Vec::new());
        for (i, es) in self.edges.iter().enumerate() {
            for e in es.iter().filter(|e| e.to > i) {
                let a = self.nodes[i];
                push_segment(&mut x, &mut y, a, add(a, e.d), &self.env);
            }
        }
        plot.add_trace(
            Scatter::new(x, y)
                .mode(Mode::Lines)
                .name("visibility")
                .line(Line::new().color("rgba(150,150,150,0.5)").width(1.0)),
        );
        plot.add_trace(
            Scatter::new(
                self.nodes.iter().map(|n| n[0]).collect(),
                self.nodes.iter().map(|n| n[1]).collect(),
            )
            .mode(Mode::Markers)
            .name("nodes")
            .marker(Marker::new().size(7).color("orange")),
        );
        plot
    }
}

/// Adds the segment `a -> b` (unwrapped) to a line trace; in a periodic
/// environment also its copy shifted back into the box by its end.
fn push_segment(
    x: &mut Vec<Option<f64>>,
    y: &mut Vec<Option<f64>>,
    a: [f64; 2],
    b: [f64; 2],
    env: &Environment,
) {
    let mut pieces = vec![(a, b)];
    if env.is_periodic() {
        let mut bw = b;
        env.apply_boundary_conditions(&mut bw);
        let shift = sub(bw, b);
        if norm(shift) > 0.0 {
            pieces.push((add(a, shift), bw));
        }
    }
    for (p, q) in pieces {
        x.extend([Some(p[0]), Some(q[0]), None]);
        y.extend([Some(p[1]), Some(q[1]), None]);
    }
}

/// Route trace of `waypoints` (unwrapped) in `env`, to add to a plot.
pub(crate) fn route_trace(
    env: &Environment,
    waypoints: &[[f64; 2]],
) -> Box<Scatter<Option<f64>, Option<f64>>> {
    let (mut x, mut y): (Vec<Option<f64>>, Vec<Option<f64>>) = (Vec::new(), Vec::new());
    for w in waypoints.windows(2) {
        let mut from = w[0];
        if env.is_periodic() {
            env.apply_boundary_conditions(&mut from);
        }
        push_segment(&mut x, &mut y, from, add(from, sub(w[1], w[0])), env);
    }
    Scatter::new(x, y)
        .mode(Mode::LinesMarkers)
        .name("route")
        .line(
            Line::new()
                .color("darkorange")
                .width(2.5)
                .dash(plotly::common::DashType::Dash),
        )
        .marker(Marker::new().size(6).color("darkorange"))
}

impl Route {
    /// Waypoints (m) from the start to the goal; in a periodic environment
    /// unwrapped, continuing across the box edges.
    pub fn waypoints(&self) -> &[[f64; 2]] {
        &self.waypoints
    }
    /// Length (m) of the route.
    pub fn length(&self) -> f64 {
        self.length
    }
    /// The first waypoint after the start (the goal when in sight).
    pub fn next_waypoint(&self) -> [f64; 2] {
        self.waypoints[1]
    }
    /// The environment.
    pub fn environment(&self) -> &Environment {
        &self.env
    }
    /// Plot of the environment with the route.
    pub fn plot(&self) -> Figure {
        let mut plot = self.env.plot();
        plot.add_trace(route_trace(&self.env, &self.waypoints));
        plot
    }
}

crate::display::debug_via_display!(Route);

impl std::fmt::Display for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Route({:.4} m, {} waypoints)",
            self.length,
            self.waypoints.len()
        )
    }
}

crate::display::debug_via_display!(RoutePlanner);

impl std::fmt::Display for RoutePlanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RoutePlanner({} nodes, {} edges, clearance {} m)",
            self.nodes.len(),
            self.n_edges(),
            self.params.clearance
        )
    }
}

impl Render for Route {
    fn bundle(&self) -> Bundle {
        let t = KeyValues::new("Route")
            .row("length", format!("{:.4}", self.length), "m")
            .row("waypoints", self.waypoints.len(), "start and goal included")
            .row("environment", self.env.to_string(), "")
            .to_html();
        Bundle::figure(&self.plot(), &t, self.to_string())
    }
}

impl Render for RoutePlanner {
    fn bundle(&self) -> Bundle {
        let t = KeyValues::new("RoutePlanner")
            .row("nodes", self.nodes.len(), "corners pushed out")
            .row("edges", self.n_edges(), "pairs in sight")
            .row("clearance", self.params.clearance, "m")
            .row("environment", self.env.to_string(), "")
            .to_html();
        Bundle::figure(&self.plot(), &t, self.to_string())
    }
}

display::evcxr_display_via_render!(Route, RoutePlanner);
