//! Environments an agent moves in: a 1D track or a 2D box, solid or periodic,
//! with extra walls (line segments), holes (polygons) and objects.
//!
//! The geometry follows RatInABox's `Environment` (George et al. 2024): a 2D
//! box spans `[0, aspect * scale] x [0, scale]` and, with solid boundaries,
//! its four sides are walls; holes contribute their edges as walls; periodic
//! boxes have no boundary walls and wrap positions. Positions are in metres.
//!
//! # Examples
//! ```
//! use canns::spatial::Environment;
//! let env = Environment::params()
//!     .walls(vec![[[0.5, 0.0], [0.5, 0.6]]])
//!     .build()?;
//! assert_eq!(env.walls().len(), 5); // four sides + one wall
//! assert!((env.distance_to_walls(&[0.4, 0.3]) - 0.1).abs() < 1e-12);
//! # Ok::<(), canns::Error>(())
//! ```
//!
//! # References
//! George, T. M., de Cothi, W., Stachenfeld, K. L. & Barry, C. (2024).
//! RatInABox, a toolkit for modelling locomotion and neuronal activity in
//! continuous environments. eLife 13:e85274.

use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{Error, ParamError, Result};
use crate::params::check;
use crate::params::setters;
use crate::params::Params;
use plotly::common::{Fill, Line, Marker, Mode, Title};
use plotly::layout::Axis;
use plotly::{Layout, Plot, Scatter};
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

/// A line segment `[[x0, y0], [x1, y1]]` in metres.
pub type Segment = [[f64; 2]; 2];

/// Number of spatial dimensions.
///
/// # Example
/// ```
/// use canns::spatial::{Dimensionality, Environment};
/// let track = Environment::params().dimensionality(Dimensionality::D1).scale(2.0).build()?;
/// assert_eq!((track.dim(), track.area()), (1, 2.0)); // a 2 m track
/// assert!(track.contains(&[1.5]) && !track.contains(&[2.5]));
/// let open_field = Environment::params().build()?;
/// assert_eq!((open_field.dim(), open_field.area()), (2, 1.0)); // a 1 m x 1 m box
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Dimensionality {
    /// A linear track `[0, scale]`.
    #[serde(rename = "1D")]
    D1,
    /// A rectangular box `[0, aspect * scale] x [0, scale]`.
    #[default]
    #[serde(rename = "2D")]
    D2,
}

/// What happens at the edge of the environment.
///
/// # Example
/// ```
/// use canns::spatial::{BoundaryConditions, Environment};
/// let torus = Environment::params().boundary_conditions(BoundaryConditions::Periodic).build()?;
/// let solid = Environment::params().build()?;
/// // Across the edge of a periodic box, not across the box.
/// assert!((torus.distance(&[0.05, 0.5], &[0.95, 0.5]) - 0.1).abs() < 1e-12);
/// assert!((solid.distance(&[0.05, 0.5], &[0.95, 0.5]) - 0.9).abs() < 1e-12);
/// assert_eq!((torus.walls().len(), solid.walls().len()), (0, 4));
/// assert_eq!("periodic".parse::<BoundaryConditions>()?, BoundaryConditions::Periodic);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BoundaryConditions {
    /// The edges are walls: the agent bounces off and is repelled by them.
    #[default]
    Solid,
    /// The edges wrap around (a ring in 1D, a torus in 2D).
    Periodic,
}

impl std::str::FromStr for BoundaryConditions {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "solid" => Ok(Self::Solid),
            "periodic" => Ok(Self::Periodic),
            other => Err(ParamError::new("boundary_conditions", "solid or periodic", other).into()),
        }
    }
}

/// Parameters of an [`Environment`] (names and defaults as RatInABox's).
///
/// # Example
/// ```
/// use canns::spatial::Environment;
/// let env = Environment::params().scale(0.5).aspect(2.0).objects(vec![vec![0.2, 0.2]]).build()?;
/// assert_eq!((env.width(), env.height(), env.area()), (1.0, 0.5, 0.5));
/// assert_eq!(env.objects().len(), 1);
/// // A wall outside the box is an error naming it.
/// let err = Environment::params().walls(vec![[[0.5, 0.5], [1.5, 0.5]]]).build().unwrap_err();
/// assert!(err.to_string().contains("walls[0]"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnvironmentParams {
    /// 1D track or 2D box. Default 2D.
    pub dimensionality: Dimensionality,
    /// Solid walls or periodic wrap at the edges. Default solid.
    pub boundary_conditions: BoundaryConditions,
    /// Side length (m): the height of a 2D box, the length of a 1D track. Default 1.
    pub scale: f64,
    /// Width / height of a 2D box. Default 1.
    pub aspect: f64,
    /// Bin size (m) of the grid used for rate maps and heatmaps. Default 0.01.
    pub dx: f64,
    /// Extra walls inside a 2D box, as segments (m). Default none.
    pub walls: Vec<Segment>,
    /// Holes in a 2D box, each a simple polygon of at least 3 corners (m),
    /// strictly inside the box and not overlapping another hole. Default none.
    pub holes: Vec<Vec<[f64; 2]>>,
    /// Objects (goals, landmarks), one position per object (1 or 2
    /// coordinates, m). Default none.
    pub objects: Vec<Vec<f64>>,
}

impl Default for EnvironmentParams {
    fn default() -> Self {
        Self {
            dimensionality: Dimensionality::D2,
            boundary_conditions: BoundaryConditions::Solid,
            scale: 1.0,
            aspect: 1.0,
            dx: 0.01,
            walls: Vec::new(),
            holes: Vec::new(),
            objects: Vec::new(),
        }
    }
}

impl EnvironmentParams {
    setters! {
        /// Sets `dimensionality`.
        dimensionality: Dimensionality,
        /// Sets `boundary_conditions`.
        boundary_conditions: BoundaryConditions,
        /// Sets `scale` (m).
        scale: f64,
        /// Sets `aspect`.
        aspect: f64,
        /// Sets `dx` (m).
        dx: f64,
        /// Sets `walls`.
        walls: Vec<Segment>,
        /// Sets `holes`.
        holes: Vec<Vec<[f64; 2]>>,
        /// Sets `objects`.
        objects: Vec<Vec<f64>>,
    }

    /// Validates the geometry and builds the environment.
    ///
    /// # Errors
    /// [`Error::Param`] naming the field and value: a non-positive `scale`,
    /// `aspect` or `dx`; a wall with a non-finite end, zero length or an end
    /// outside the box; a hole with fewer than 3 corners, a corner outside the
    /// box, crossing edges, or overlapping another hole; walls, holes or
    /// objects that do not fit the dimensionality.
    pub fn build(&self) -> Result<Environment> {
        Environment::new(self.clone())
    }

    /// `(width, height)` of the box (m; a track has height 0).
    fn sides(&self) -> (f64, f64) {
        match self.dimensionality {
            Dimensionality::D2 => (self.aspect * self.scale, self.scale),
            Dimensionality::D1 => (self.scale, 0.0),
        }
    }
}

impl Params for EnvironmentParams {
    const NAME: &'static str = "EnvironmentParams";

    /// Checks the sizes and the geometry: walls, holes and objects must fit
    /// the dimensionality and lie in the box, holes must be simple polygons
    /// of non-zero area that do not overlap, objects must lie outside the
    /// holes.
    fn validate(&self) -> Result<()> {
        check::positive("scale", self.scale)?;
        check::positive("aspect", self.aspect)?;
        check::positive("dx", self.dx)?;
        let d2 = self.dimensionality == Dimensionality::D2;
        let (w, h) = self.sides();
        if !w.is_finite() {
            return Err(ParamError::new(
                "aspect",
                format!(
                    "such that aspect * scale (scale = {}) is finite",
                    self.scale
                ),
                self.aspect,
            )
            .into());
        }
        if !d2 && (!self.walls.is_empty() || !self.holes.is_empty()) {
            let field = if self.walls.is_empty() {
                "holes"
            } else {
                "walls"
            };
            return Err(ParamError::new(field, "empty in a 1D environment", "non-empty").into());
        }
        let inside = |p: [f64; 2]| p[0] >= 0.0 && p[0] <= w && p[1] >= 0.0 && p[1] <= h;
        for (i, s) in self.walls.iter().enumerate() {
            let field = format!("walls[{i}]");
            if !s.iter().flatten().all(|v| v.is_finite()) {
                return Err(ParamError::new(field, "finite", format!("{s:?}")).into());
            }
            if s[0] == s[1] {
                return Err(ParamError::new(field, "of non-zero length", format!("{s:?}")).into());
            }
            if !inside(s[0]) || !inside(s[1]) {
                return Err(ParamError::new(
                    field,
                    format!("inside the box [0, {w}] x [0, {h}]"),
                    format!("{s:?}"),
                )
                .into());
            }
        }
        for (i, hole) in self.holes.iter().enumerate() {
            check_hole(i, hole, &self.holes[..i], w, h)?;
        }
        let dim = if d2 { 2 } else { 1 };
        for (i, o) in self.objects.iter().enumerate() {
            check_point(&format!("objects[{i}]"), o, dim)?;
        }
        for (i, o) in self.objects.iter().enumerate() {
            if !contains(self.sides(), &self.holes, dim, o) {
                return Err(ParamError::new(
                    format!("objects[{i}]"),
                    "inside the environment",
                    format!("{o:?}"),
                )
                .into());
            }
        }
        Ok(())
    }
}

/// Checks hole `i` of a `w x h` box against the holes before it.
fn check_hole(
    i: usize,
    hole: &[[f64; 2]],
    earlier: &[Vec<[f64; 2]>],
    w: f64,
    h: f64,
) -> Result<()> {
    let field = format!("holes[{i}]");
    if hole.len() < 3 {
        return Err(ParamError::new(
            field,
            "a polygon of >= 3 corners",
            format!("{} corners", hole.len()),
        )
        .into());
    }
    for c in hole {
        if !(c[0].is_finite()
            && c[1].is_finite()
            && c[0] > 0.0
            && c[0] < w
            && c[1] > 0.0
            && c[1] < h)
        {
            return Err(ParamError::new(
                field,
                format!("strictly inside the box (0, {w}) x (0, {h})"),
                format!("corner {c:?}"),
            )
            .into());
        }
    }
    let edges = polygon_edges(hole);
    let n = edges.len();
    for a in 0..n {
        for b in a + 2..n {
            if a == 0 && b == n - 1 {
                continue;
            }
            if segments_cross(&edges[a], &edges[b]) {
                return Err(ParamError::new(
                    field,
                    "a simple (non self-intersecting) polygon",
                    format!("{hole:?}"),
                )
                .into());
            }
        }
    }
    if polygon_area(hole) == 0.0 {
        return Err(ParamError::new(field, "of non-zero area", format!("{hole:?}")).into());
    }
    for (j, other) in earlier.iter().enumerate() {
        let overlap = edges
            .iter()
            .any(|e| polygon_edges(other).iter().any(|f| segments_cross(e, f)))
            || in_polygon(other, hole[0])
            || in_polygon(hole, other[0]);
        if overlap {
            return Err(ParamError::new(
                field,
                format!("disjoint from holes[{j}]"),
                format!("{hole:?}"),
            )
            .into());
        }
    }
    Ok(())
}

/// Whether `pos` (of dimension `dim`) lies strictly inside a box of sides
/// `(w, h)` and outside every hole.
fn contains(sides: (f64, f64), holes: &[Vec<[f64; 2]>], dim: usize, pos: &[f64]) -> bool {
    if pos.len() != dim || !pos.iter().all(|v| v.is_finite()) {
        return false;
    }
    if pos[0] <= 0.0 || pos[0] >= sides.0 {
        return false;
    }
    if dim == 1 {
        return true;
    }
    if pos[1] <= 0.0 || pos[1] >= sides.1 {
        return false;
    }
    let p = [pos[0], pos[1]];
    !holes.iter().any(|h| in_polygon(h, p))
}

/// A 1D or 2D environment. See the [module docs](crate::spatial).
///
/// # Example
/// ```
/// use canns::spatial::Environment;
/// // A 1 m box with a 20 cm square hole in the middle.
/// let hole = vec![[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.6]];
/// let env = Environment::params().holes(vec![hole]).build()?;
/// assert!((env.area() - 0.96).abs() < 1e-12);
/// assert!(!env.contains(&[0.5, 0.5]) && env.contains(&[0.2, 0.5]));
/// assert!((env.distance_to_walls(&[0.3, 0.5]) - 0.1).abs() < 1e-12); // to the hole's edge
/// assert_eq!(env.to_string(), "Environment(2D, Solid, 1 x 1 m, 8 walls, 1 holes, 0 objects)");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct Environment {
    params: EnvironmentParams,
    /// `[left, right, bottom, top]` (1D: `[0, scale, 0, 0]`).
    extent: [f64; 4],
    /// Every wall: boundary sides (solid boxes), extra walls, hole edges.
    walls: Vec<Segment>,
    /// Axis-aligned bounding boxes of the walls, `[xmin, xmax, ymin, ymax]`.
    wall_boxes: Vec<[f64; 4]>,
}

fn cross(a: [f64; 2], b: [f64; 2]) -> f64 {
    a[0] * b[1] - a[1] * b[0]
}

fn sub(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [a[0] - b[0], a[1] - b[1]]
}

/// Whether two segments cross at interior points of both (RatInABox's
/// `vector_intercepts` with `return_collisions=True`).
pub(crate) fn segments_cross(a: &Segment, b: &Segment) -> bool {
    let sa = sub(a[1], a[0]);
    let sb = sub(b[1], b[0]);
    let d0 = sub(b[0], a[0]);
    let den = cross(sa, sb);
    if den == 0.0 {
        return false;
    }
    let la = cross(d0, sb) / den;
    let lb = cross(d0, sa) / den;
    la > 0.0 && la < 1.0 && lb > 0.0 && lb < 1.0
}

/// The vector from wall `w` (bounding box `b`) to `p` and its length, when
/// the wall is within `range`; the bounding box rejects most walls before
/// the exact distance.
#[inline(always)]
pub(crate) fn wall_within(
    w: &Segment,
    b: &[f64; 4],
    p: [f64; 2],
    range: f64,
) -> Option<([f64; 2], f64)> {
    if p[0] < b[0] - range || p[0] > b[1] + range || p[1] < b[2] - range || p[1] > b[3] + range {
        return None;
    }
    let v = vector_from_segment(w, p);
    let d = (v[0] * v[0] + v[1] * v[1]).sqrt();
    (d <= range).then_some((v, d))
}

/// Vector from the nearest point of segment `w` to `p`.
#[inline]
pub(crate) fn vector_from_segment(w: &Segment, p: [f64; 2]) -> [f64; 2] {
    let s = sub(w[1], w[0]);
    let d = sub(p, w[0]);
    let l = ((d[0] * s[0] + d[1] * s[1]) / (s[0] * s[0] + s[1] * s[1])).clamp(0.0, 1.0);
    [p[0] - (w[0][0] + l * s[0]), p[1] - (w[0][1] + l * s[1])]
}

/// Even-odd point-in-polygon test (points on an edge count as inside).
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
            } else if p[0] == x {
                return true;
            }
        }
        j = i;
    }
    inside
}

fn polygon_edges(poly: &[[f64; 2]]) -> Vec<Segment> {
    // RatInABox orders hole edges [next corner, corner].
    (0..poly.len())
        .map(|i| [poly[(i + 1) % poly.len()], poly[i]])
        .collect()
}

fn polygon_area(poly: &[[f64; 2]]) -> f64 {
    let n = poly.len();
    (0..n)
        .map(|i| cross(poly[i], poly[(i + 1) % n]))
        .sum::<f64>()
        .abs()
        / 2.0
}

impl Environment {
    /// Default parameters (a 1 m x 1 m solid box), to adjust and build.
    pub fn params() -> EnvironmentParams {
        EnvironmentParams::default()
    }

    /// A solid 2D box `width x height` (m).
    ///
    /// # Errors
    /// [`Error::Param`] when a side is not finite and positive.
    pub fn rectangle(width: f64, height: f64) -> Result<Self> {
        check::positive("height", height)?;
        check::positive("width", width)?;
        Self::params().scale(height).aspect(width / height).build()
    }

    fn new(params: EnvironmentParams) -> Result<Self> {
        params.validate()?;
        let d2 = params.dimensionality == Dimensionality::D2;
        let (w, h) = params.sides();
        let extent = [0.0, w, 0.0, h];
        let mut walls: Vec<Segment> = Vec::new();
        if d2 && params.boundary_conditions == BoundaryConditions::Solid {
            let b = [[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]];
            walls.extend(polygon_edges(&b));
        }
        walls.extend(params.walls.iter().copied());
        for hole in &params.holes {
            walls.extend(polygon_edges(hole));
        }
        let wall_boxes = walls
            .iter()
            .map(|s| {
                [
                    s[0][0].min(s[1][0]),
                    s[0][0].max(s[1][0]),
                    s[0][1].min(s[1][1]),
                    s[0][1].max(s[1][1]),
                ]
            })
            .collect();
        Ok(Self {
            params,
            extent,
            walls,
            wall_boxes,
        })
    }

    /// The parameters of this environment.
    pub fn parameters(&self) -> &EnvironmentParams {
        &self.params
    }
    /// Number of dimensions (1 or 2).
    pub fn dim(&self) -> usize {
        match self.params.dimensionality {
            Dimensionality::D1 => 1,
            Dimensionality::D2 => 2,
        }
    }
    /// Whether the environment is periodic.
    pub fn is_periodic(&self) -> bool {
        self.params.boundary_conditions == BoundaryConditions::Periodic
    }
    /// `[left, right, bottom, top]` in metres (1D: `[0, scale, 0, 0]`).
    pub fn extent(&self) -> [f64; 4] {
        self.extent
    }
    /// Width (m) of the box (the length of a track).
    pub fn width(&self) -> f64 {
        self.extent[1] - self.extent[0]
    }
    /// Height (m) of the box (0 for a track).
    pub fn height(&self) -> f64 {
        self.extent[3] - self.extent[2]
    }
    /// Every wall: the sides of a solid box, the extra walls, the hole edges.
    pub fn walls(&self) -> &[Segment] {
        &self.walls
    }
    /// The holes (polygons).
    pub fn holes(&self) -> &[Vec<[f64; 2]>] {
        &self.params.holes
    }
    /// The objects (one position per object).
    pub fn objects(&self) -> &[Vec<f64>] {
        &self.params.objects
    }

    /// Adds an object (goal, landmark) at `position`.
    ///
    /// # Errors
    /// [`Error::Param`] when the position has the wrong dimension or lies
    /// outside the environment.
    pub fn add_object(&mut self, position: Vec<f64>) -> Result<()> {
        let field = format!("objects[{}]", self.params.objects.len());
        check_point(&field, &position, self.dim())?;
        if !self.contains(&position) {
            return Err(
                ParamError::new(field, "inside the environment", format!("{position:?}")).into(),
            );
        }
        self.params.objects.push(position);
        Ok(())
    }

    /// Whether `pos` lies strictly inside the environment and outside every hole.
    #[inline]
    pub fn contains(&self, pos: &[f64]) -> bool {
        contains(self.params.sides(), &self.params.holes, self.dim(), pos)
    }

    /// Area (m², 2D) or length (m, 1D) available to the agent.
    pub fn area(&self) -> f64 {
        if self.dim() == 1 {
            return self.width();
        }
        self.width() * self.height()
            - self
                .params
                .holes
                .iter()
                .map(|h| polygon_area(h))
                .sum::<f64>()
    }

    /// A position drawn uniformly inside the environment (outside holes).
    pub fn sample_position<R: Rng + ?Sized>(&self, rng: &mut R) -> [f64; 2] {
        let e = self.extent;
        loop {
            let x = e[0] + (e[1] - e[0]) * rng.random::<f64>();
            if self.dim() == 1 {
                if x > e[0] {
                    return [x, 0.0];
                }
                continue;
            }
            let y = e[2] + (e[3] - e[2]) * rng.random::<f64>();
            if self.contains(&[x, y]) {
                return [x, y];
            }
        }
    }

    /// `n` positions drawn uniformly inside the environment, seeded.
    ///
    /// # Shapes
    /// `(n, dim)`.
    pub fn sample_positions(&self, n: usize, seed: u64) -> ndarray::Array2<f64> {
        let mut rng = crate::random::seeded(seed);
        let d = self.dim();
        let mut out = ndarray::Array2::zeros((n, d));
        for mut row in out.rows_mut() {
            let p = self.sample_position(&mut rng);
            for k in 0..d {
                row[k] = p[k];
            }
        }
        out
    }

    /// Distance (m) from `pos` to the nearest wall (`inf` when there is none).
    /// In 1D, the distance to the nearer end of a solid track.
    pub fn distance_to_walls(&self, pos: &[f64]) -> f64 {
        if self.dim() == 1 {
            return if self.is_periodic() {
                f64::INFINITY
            } else {
                (pos[0] - self.extent[0]).min(self.extent[1] - pos[0])
            };
        }
        let p = [pos[0], pos.get(1).copied().unwrap_or(0.0)];
        self.walls
            .iter()
            .map(|w| {
                let v = vector_from_segment(w, p);
                (v[0] * v[0] + v[1] * v[1]).sqrt()
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// Calls `f(vector from wall to pos, distance)` for every wall closer than `range`.
    #[inline]
    pub(crate) fn for_walls_within(
        &self,
        p: [f64; 2],
        range: f64,
        mut f: impl FnMut([f64; 2], f64),
    ) {
        for (w, b) in self.walls.iter().zip(&self.wall_boxes) {
            if let Some((v, d)) = wall_within(w, b, p, range) {
                f(v, d);
            }
        }
    }

    /// The first wall the step `from -> to` crosses, if any.
    #[inline]
    pub(crate) fn first_collision(&self, from: [f64; 2], to: [f64; 2]) -> Option<usize> {
        let step = [from, to];
        let bx = [
            from[0].min(to[0]),
            from[0].max(to[0]),
            from[1].min(to[1]),
            from[1].max(to[1]),
        ];
        self.walls.iter().zip(&self.wall_boxes).position(|(w, b)| {
            !(b[1] < bx[0] || b[0] > bx[1] || b[3] < bx[2] || b[2] > bx[3])
                && segments_cross(w, &step)
        })
    }

    /// Shortest displacement `to - from`, going round a periodic environment.
    #[inline]
    pub fn displacement(&self, from: &[f64], to: &[f64]) -> [f64; 2] {
        let mut d = [0.0; 2];
        for k in 0..self.dim() {
            let mut v = to[k] - from[k];
            if self.is_periodic() {
                let l = self.extent[2 * k + 1] - self.extent[2 * k];
                if v.abs() > l / 2.0 {
                    v -= l * v.signum();
                }
            }
            d[k] = v;
        }
        d
    }

    /// Euclidean distance (m) between two positions, going round a periodic environment.
    pub fn distance(&self, a: &[f64], b: &[f64]) -> f64 {
        let d = self.displacement(a, b);
        (d[0] * d[0] + d[1] * d[1]).sqrt()
    }

    /// Wraps `pos` into a periodic environment; clamps it 1 cm inside a solid one.
    pub fn apply_boundary_conditions(&self, pos: &mut [f64; 2]) {
        let dim = self.dim();
        for (k, p) in pos.iter_mut().enumerate().take(dim) {
            let (lo, hi) = (self.extent[2 * k], self.extent[2 * k + 1]);
            if self.is_periodic() {
                *p = lo + (*p - lo).rem_euclid(hi - lo);
            } else if *p <= lo || *p >= hi {
                *p = p.clamp(lo + 0.01, hi - 0.01);
            }
        }
    }

    /// Centres of the grid bins of side `dx`: x centres (left to right) and y
    /// centres (bottom to top; empty in 1D).
    pub fn grid(&self, dx: f64) -> (Vec<f64>, Vec<f64>) {
        let centres = |lo: f64, hi: f64| {
            let n = ((hi - lo) / dx).round().max(1.0) as usize;
            (0..n)
                .map(|i| lo + (i as f64 + 0.5) * dx)
                .filter(|&c| c < hi)
                .collect::<Vec<_>>()
        };
        let xs = centres(self.extent[0], self.extent[1]);
        let ys = if self.dim() == 2 {
            centres(self.extent[2], self.extent[3])
        } else {
            Vec::new()
        };
        (xs, ys)
    }

    /// Bin centres as positions, row-major over (y, x) in 2D.
    ///
    /// # Shapes
    /// `(n_y * n_x, 2)` in 2D, `(n_x, 1)` in 1D.
    ///
    /// # Errors
    /// [`Error::Param`] when `dx` is not positive.
    pub fn discretise(&self, dx: f64) -> Result<ndarray::Array2<f64>> {
        check::positive("dx", dx)?;
        let (xs, ys) = self.grid(dx);
        if self.dim() == 1 {
            return Ok(ndarray::Array2::from_shape_fn((xs.len(), 1), |(i, _)| {
                xs[i]
            }));
        }
        let nx = xs.len();
        Ok(ndarray::Array2::from_shape_fn(
            (ys.len() * nx, 2),
            |(i, k)| {
                if k == 0 {
                    xs[i % nx]
                } else {
                    ys[i / nx]
                }
            },
        ))
    }

    /// Plot of the environment: walls, holes and objects.
    pub fn plot(&self) -> Figure {
        environment_plot(self)
    }

    fn table(&self) -> KeyValues {
        let p = &self.params;
        KeyValues::new("Environment")
            .row("dimensionality", format!("{:?}", p.dimensionality), "")
            .row(
                "boundary_conditions",
                format!("{:?}", p.boundary_conditions),
                "",
            )
            .row(
                "extent",
                format!("{:?}", self.extent),
                "m [left, right, bottom, top]",
            )
            .row("walls", self.walls.len(), "segments (sides included)")
            .row("holes", p.holes.len(), "polygons")
            .row("objects", p.objects.len(), "")
            .row("dx", p.dx, "m, rate-map bin")
    }
}

fn check_point(field: &str, p: &[f64], dim: usize) -> Result<()> {
    if p.len() != dim {
        return Err(ParamError::new(field, format!("of dimension {dim}"), format!("{p:?}")).into());
    }
    for v in p {
        check::finite(field, *v)?;
    }
    Ok(())
}

crate::display::debug_via_display!(Environment);

impl std::fmt::Display for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Environment({}D, {:?}, {} x {} m, {} walls, {} holes, {} objects)",
            self.dim(),
            self.params.boundary_conditions,
            self.width(),
            self.height(),
            self.walls.len(),
            self.params.holes.len(),
            self.params.objects.len()
        )
    }
}

impl Render for Environment {
    fn bundle(&self) -> Bundle {
        Bundle::figure(&self.plot(), &self.table().to_html(), self.to_string())
    }
}

display::evcxr_display_via_render!(Environment);

pub(crate) fn square_layout(env: Option<&Environment>, title: &str) -> Layout {
    let (w, h) = env
        .map(|e| (e.width(), e.height().max(0.05)))
        .unwrap_or((1.0, 1.0));
    let height = display::DEFAULT_HEIGHT;
    let width = ((height as f64 - 90.0) * w / h + 100.0).clamp(250.0, 1100.0) as usize;
    // A narrow arena's figure is narrow too: wrap its title rather than clip it.
    let (title, lines) = display::fit_title(title, width as f64);
    display::layout(&title, "x (m)", "y (m)")
        .height(height + 22 * (lines - 1))
        .width(width)
        .margin(
            plotly::layout::Margin::new()
                .left(60)
                .right(20)
                .top(50 + 22 * (lines - 1))
                .bottom(50),
        )
        .x_axis(
            Axis::new()
                .title(Title::from("x (m)"))
                .range(vec![-0.02 * w, 1.02 * w]),
        )
        .y_axis(
            Axis::new()
                .title(Title::from("y (m)"))
                .range(vec![-0.02 * h, 1.02 * h]),
        )
}

/// Traces of the walls, holes and objects of `env`.
pub(crate) fn environment_traces(env: &Environment) -> Vec<Box<dyn plotly::Trace>> {
    let mut traces: Vec<Box<dyn plotly::Trace>> = Vec::new();
    let e = env.extent();
    if env.dim() == 1 {
        traces.push(
            Scatter::new(vec![e[0], e[1]], vec![0.0, 0.0])
                .mode(Mode::Lines)
                .name("track")
                .line(Line::new().color("grey").width(4.0)),
        );
    } else {
        if env.is_periodic() {
            traces.push(
                Scatter::new(
                    vec![e[0], e[1], e[1], e[0], e[0]],
                    vec![e[2], e[2], e[3], e[3], e[2]],
                )
                .mode(Mode::Lines)
                .name("periodic edge")
                .line(
                    Line::new()
                        .color("lightgrey")
                        .dash(plotly::common::DashType::Dash),
                ),
            );
        }
        let (mut x, mut y): (Vec<Option<f64>>, Vec<Option<f64>>) = (Vec::new(), Vec::new());
        for w in env.walls() {
            x.extend([Some(w[0][0]), Some(w[1][0]), None]);
            y.extend([Some(w[0][1]), Some(w[1][1]), None]);
        }
        if !x.is_empty() {
            traces.push(
                Scatter::new(x, y)
                    .mode(Mode::Lines)
                    .name("walls")
                    .line(Line::new().color("black").width(3.0)),
            );
        }
        for (i, h) in env.holes().iter().enumerate() {
            let mut hx: Vec<f64> = h.iter().map(|p| p[0]).collect();
            let mut hy: Vec<f64> = h.iter().map(|p| p[1]).collect();
            hx.push(h[0][0]);
            hy.push(h[0][1]);
            traces.push(
                Scatter::new(hx, hy)
                    .mode(Mode::Lines)
                    .fill(Fill::ToSelf)
                    .fill_color("rgba(120,120,120,0.6)")
                    .name(format!("hole {i}"))
                    .line(Line::new().color("black")),
            );
        }
    }
    if !env.objects().is_empty() {
        let ox: Vec<f64> = env.objects().iter().map(|o| o[0]).collect();
        let oy: Vec<f64> = env
            .objects()
            .iter()
            .map(|o| o.get(1).copied().unwrap_or(0.0))
            .collect();
        traces.push(
            Scatter::new(ox, oy)
                .mode(Mode::Markers)
                .name("objects")
                .marker(
                    Marker::new()
                        .size(12)
                        .color("red")
                        .symbol(plotly::common::MarkerSymbol::Star),
                ),
        );
    }
    traces
}

/// The environment alone: walls, holes and objects.
pub(crate) fn environment_plot(env: &Environment) -> Figure {
    let mut plot = Plot::new();
    for t in environment_traces(env) {
        plot.add_trace(t);
    }
    plot.set_layout(square_layout(Some(env), &format!("{env}")));
    Figure::from(plot)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_errors_name_the_field() {
        let e = Environment::params().scale(0.0).build().unwrap_err();
        assert!(e.to_string().contains("`scale`"), "{e}");
        let e = Environment::params()
            .walls(vec![[[0.5, 0.5], [1.5, 0.5]]])
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("`walls[0]`"), "{e}");
        let bowtie = vec![[0.2, 0.2], [0.4, 0.4], [0.4, 0.2], [0.2, 0.4]];
        let e = Environment::params()
            .holes(vec![bowtie])
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("simple"), "{e}");
        let sq = |a: f64| vec![[a, a], [a + 0.2, a], [a + 0.2, a + 0.2], [a, a + 0.2]];
        let e = Environment::params()
            .holes(vec![sq(0.2), sq(0.3)])
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("holes[1]"), "{e}");
        assert!(Environment::params()
            .holes(vec![sq(0.2), sq(0.6)])
            .build()
            .is_ok());
    }

    #[test]
    fn holes_are_excluded_and_add_walls() {
        let hole = vec![[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.6]];
        let env = Environment::params().holes(vec![hole]).build().unwrap();
        assert_eq!(env.walls().len(), 8);
        assert!(!env.contains(&[0.5, 0.5]));
        assert!(env.contains(&[0.3, 0.5]));
        assert!((env.area() - 0.96).abs() < 1e-12);
        let pts = env.sample_positions(500, 3);
        assert!(pts.rows().into_iter().all(|r| env.contains(&[r[0], r[1]])));
        assert!((env.distance_to_walls(&[0.35, 0.5]) - 0.05).abs() < 1e-12);
    }

    #[test]
    fn periodic_displacement_wraps() {
        let env = Environment::params()
            .boundary_conditions(BoundaryConditions::Periodic)
            .build()
            .unwrap();
        assert!(env.walls().is_empty());
        let d = env.displacement(&[0.95, 0.5], &[0.05, 0.5]);
        assert!((d[0] - 0.1).abs() < 1e-12);
        let mut p = [1.02, -0.01];
        env.apply_boundary_conditions(&mut p);
        assert!((p[0] - 0.02).abs() < 1e-12 && (p[1] - 0.99).abs() < 1e-12);
    }

    #[test]
    fn grid_matches_dx() {
        let env = Environment::rectangle(2.0, 1.0).unwrap();
        let (xs, ys) = env.grid(0.1);
        assert_eq!((xs.len(), ys.len()), (20, 10));
        assert!((xs[0] - 0.05).abs() < 1e-12);
        assert_eq!(env.discretise(0.1).unwrap().dim(), (200, 2));
    }
}
