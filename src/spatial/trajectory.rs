//! Imported trajectories: times and positions, interpolated by natural cubic
//! splines at any time step, with velocity (the spline's derivative), speed
//! and head direction derived.
//!
//! Two real rat trajectories ship in `datasets/` and load by name (see
//! `datasets/README.md`): `"sargolini"` (600 s in a 1 m x 1 m box, Sargolini
//! et al. 2006) and `"tanni"` (7323 s in a 3.5 m x 2.5 m environment, Tanni et
//! al. 2022).
//!
//! # Examples
//! ```
//! use canns::spatial::Trajectory;
//! let traj = Trajectory::new(vec![0.0, 1.0, 2.0], vec![vec![0.0, 0.0], vec![1.0, 1.0], vec![2.0, 0.0]])?;
//! let p = traj.position_at(1.0);
//! assert!((p[0] - 1.0).abs() < 1e-12 && (p[1] - 1.0).abs() < 1e-12);
//! let h = traj.resample(0.1)?;
//! assert_eq!(h.len(), 21);
//! # Ok::<(), canns::Error>(())
//! ```
//!
//! # References
//! Sargolini, F. et al. (2006). Science 312:758, doi:10.1126/science.1125572.
//! Tanni, S., de Cothi, W. & Barry, C. (2022). State transitions in the
//! statistically stable place cell population correspond to rate of
//! perceptual change. Curr Biol 32:3505, doi:10.1016/j.cub.2022.06.046.

use super::environment::Environment;
use crate::display::Figure;
use crate::display::{self, Bundle, KeyValues, Render};
use crate::error::{Error, ParamError, Result};
use crate::params::check;
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// A trajectory: strictly increasing times (s, shifted to start at 0) and
/// positions (m), with a natural cubic spline through each coordinate.
///
/// # Example
/// ```
/// use canns::spatial::Trajectory;
/// // Four samples at 10 cm/s along x; times are shifted to start at 0.
/// let traj = Trajectory::new(
///     vec![10.0, 11.0, 12.0, 13.0],
///     vec![vec![0.1, 0.5], vec![0.2, 0.5], vec![0.3, 0.5], vec![0.4, 0.5]],
/// )?;
/// assert_eq!((traj.len(), traj.dim(), traj.duration(), traj.times()[0]), (4, 2, 3.0, 0.0));
/// // The natural spline through points on a line is that line.
/// let p = traj.position_at(1.5);
/// let v = traj.velocity_at(1.5);
/// assert!((p[0] - 0.25).abs() < 1e-12 && (v[0] - 0.1).abs() < 1e-12 && v[1].abs() < 1e-12);
/// // Times that go back are an error naming the index.
/// let err = Trajectory::new(vec![0.0, 2.0, 1.0], vec![vec![0.0]; 3]).unwrap_err();
/// assert!(err.to_string().contains("times"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct Trajectory {
    name: String,
    t: Vec<f64>,
    /// Positions per coordinate.
    coords: Vec<Vec<f64>>,
    /// Spline second derivatives per coordinate.
    second: Vec<Vec<f64>>,
}

/// A validation error of a trajectory read from `file`, naming the file.
fn in_file(file: &str, e: Error) -> Error {
    match e {
        e @ (Error::Param(_) | Error::Shape { .. }) => Error::data(file, e.to_string()),
        other => other,
    }
}

/// Second derivatives of the natural cubic spline through `(t, y)`
/// (tridiagonal solve, Thomas algorithm).
fn natural_spline(t: &[f64], y: &[f64]) -> Vec<f64> {
    let n = t.len();
    let mut m = vec![0.0; n];
    if n < 3 {
        return m;
    }
    let mut c = vec![0.0; n];
    let mut d = vec![0.0; n];
    for i in 1..n - 1 {
        let h0 = t[i] - t[i - 1];
        let h1 = t[i + 1] - t[i];
        let a = h0 / 6.0;
        let b = (h0 + h1) / 3.0;
        let cc = h1 / 6.0;
        let r = (y[i + 1] - y[i]) / h1 - (y[i] - y[i - 1]) / h0;
        let den = b - a * c[i - 1];
        c[i] = cc / den;
        d[i] = (r - a * d[i - 1]) / den;
    }
    for i in (1..n - 1).rev() {
        m[i] = d[i] - c[i] * m[i + 1];
    }
    m
}

impl Trajectory {
    /// A trajectory through `positions` (one row of 1 or 2 coordinates per
    /// time) at `times` (s; shifted so that the first is 0).
    ///
    /// # Errors
    /// [`Error::Param`] when fewer than 2 samples are given, lengths differ,
    /// a value is not finite, rows have different dimensions (not 1 or 2),
    /// or times are not strictly increasing (naming the index).
    pub fn new(times: Vec<f64>, positions: Vec<Vec<f64>>) -> Result<Self> {
        Self::named("imported", times, positions)
    }

    fn named(name: &str, times: Vec<f64>, positions: Vec<Vec<f64>>) -> Result<Self> {
        if times.len() < 2 {
            return Err(ParamError::new("times", "of length >= 2", times.len()).into());
        }
        if positions.len() != times.len() {
            return Err(Error::shape(
                "trajectory positions (one per time)",
                times.len(),
                positions.len(),
            ));
        }
        let dim = positions[0].len();
        if !(1..=2).contains(&dim) {
            return Err(ParamError::new("positions", "of dimension 1 or 2", dim).into());
        }
        let t0 = times[0];
        check::finite("times[0]", t0)?;
        for i in 1..times.len() {
            check::finite(&format!("times[{i}]"), times[i])?;
            if times[i] <= times[i - 1] {
                return Err(ParamError::new(
                    format!("times[{i}]"),
                    format!("> times[{}] = {}", i - 1, times[i - 1]),
                    times[i],
                )
                .into());
            }
        }
        let mut coords = vec![Vec::with_capacity(times.len()); dim];
        for (i, p) in positions.iter().enumerate() {
            if p.len() != dim {
                return Err(Error::shape(format!("positions[{i}]"), dim, p.len()));
            }
            for (k, v) in p.iter().enumerate() {
                check::finite(&format!("positions[{i}][{k}]"), *v)?;
                coords[k].push(*v);
            }
        }
        let t: Vec<f64> = times.iter().map(|x| x - t0).collect();
        let second = coords.iter().map(|c| natural_spline(&t, c)).collect();
        Ok(Self {
            name: name.to_string(),
            t,
            coords,
            second,
        })
    }

    /// A bundled real trajectory: `"sargolini"` or `"tanni"`.
    ///
    /// # Errors
    /// [`Error::Param`] for an unknown name; [`Error::Io`] / [`Error::Data`]
    /// when the file cannot be read.
    pub fn dataset(name: &str) -> Result<Self> {
        match name {
            "sargolini" | "tanni" => {
                let mut traj = Self::from_npz(dataset_path(name)?)?;
                traj.name = name.to_string();
                Ok(traj)
            }
            other => Err(ParamError::new("dataset", "\"sargolini\" or \"tanni\"", other).into()),
        }
    }

    /// Reads a `.npz` file holding `t` (n,) and `pos` (n, 1 or 2) in float64,
    /// RatInABox's format.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be opened; [`Error::Data`] naming the
    /// missing or malformed array.
    pub fn from_npz(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let p = path.display().to_string();
        let mut npz = crate::data::io::npy::Npz::open(path)?;
        let t = npz
            .array("t")?
            .into_array1("t")
            .map_err(|e| Error::data(&p, e.to_string()))?;
        let pos = npz.array("pos")?;
        let pos = match pos.shape().len() {
            1 => pos
                .into_array1("pos")
                .map_err(|e| Error::data(&p, e.to_string()))?
                .insert_axis(ndarray::Axis(1)),
            _ => pos
                .into_array2("pos")
                .map_err(|e| Error::data(&p, e.to_string()))?,
        };
        if pos.nrows() != t.len() {
            return Err(Error::data(
                &p,
                format!(
                    "`pos` has {} rows, expected one per time in `t` ({})",
                    pos.nrows(),
                    t.len()
                ),
            ));
        }
        let positions = pos.rows().into_iter().map(|r| r.to_vec()).collect();
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Self::named(&name, t.to_vec(), positions).map_err(|e| in_file(&p, e))
    }

    /// Reads a CSV file with columns `t`, `x` and optionally `y` (header required).
    ///
    /// # Errors
    /// [`Error::Io`] / [`Error::Polars`] when the file cannot be read;
    /// [`Error::Data`] naming a missing column.
    pub fn from_csv(path: impl AsRef<Path>) -> Result<Self> {
        use polars::prelude::*;
        let path = path.as_ref();
        let p = path.display().to_string();
        let df = CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .and_then(|r| r.finish())
            .map_err(|e| Error::data(&p, format!("unreadable CSV table: {e}")))?;
        let col = |name: &str| -> Result<Vec<f64>> {
            let c = crate::data::frame_column(&df, name)
                .ok_or_else(|| Error::data(&p, format!("missing column `{name}`")))?;
            let c = c.cast(&DataType::Float64).map_err(|_| {
                Error::data(
                    &p,
                    format!("column `{name}` is not numeric ({})", c.dtype()),
                )
            })?;
            Ok(c.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
        };
        let t = col("t")?;
        let x = col("x")?;
        let positions = match crate::data::frame_column(&df, "y") {
            Some(_) => {
                let y = col("y")?;
                x.into_iter().zip(y).map(|(a, b)| vec![a, b]).collect()
            }
            None => x.into_iter().map(|a| vec![a]).collect(),
        };
        Self::named(
            &path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            t,
            positions,
        )
        .map_err(|e| in_file(&p, e))
    }

    /// Loads a dataset by name, or a `.npz` / `.csv` file by path.
    ///
    /// # Errors
    /// As [`Trajectory::dataset`], [`Trajectory::from_npz`] and [`Trajectory::from_csv`].
    pub fn load(name_or_path: &str) -> Result<Self> {
        if name_or_path == "sargolini" || name_or_path == "tanni" {
            return Self::dataset(name_or_path);
        }
        if name_or_path.ends_with(".csv") {
            Self::from_csv(name_or_path)
        } else if name_or_path.ends_with(".npz") {
            Self::from_npz(name_or_path)
        } else {
            Err(ParamError::new(
                "trajectory",
                "\"sargolini\", \"tanni\" or a .npz/.csv file",
                name_or_path,
            )
            .into())
        }
    }

    /// Name (dataset name or file stem).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.t.len()
    }
    /// Whether there are no samples (never true for a built trajectory).
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }
    /// Number of coordinates (1 or 2).
    pub fn dim(&self) -> usize {
        self.coords.len()
    }
    /// Duration (s).
    pub fn duration(&self) -> f64 {
        *self.t.last().expect("at least 2 samples")
    }
    /// Sample times (s, from 0).
    pub fn times(&self) -> &[f64] {
        &self.t
    }
    /// Sampled coordinate `k` (0: x, 1: y).
    pub fn coordinate(&self, k: usize) -> &[f64] {
        &self.coords[k]
    }

    /// The smallest box `[0, w] x [0, h]` (rounded up to 0.5 m) holding every sample.
    ///
    /// # Errors
    /// [`Error::Param`] if the trajectory has no positive extent.
    pub fn environment(&self) -> Result<Environment> {
        let top = |k: usize| {
            let m = self.coords[k]
                .iter()
                .cloned()
                .fold(f64::NEG_INFINITY, f64::max);
            (m * 2.0).ceil() / 2.0
        };
        if self.dim() == 1 {
            return Environment::params()
                .dimensionality(super::Dimensionality::D1)
                .scale(top(0))
                .build();
        }
        Environment::rectangle(top(0), top(1))
    }

    fn segment(&self, t: f64) -> usize {
        let n = self.t.len();
        match self
            .t
            .binary_search_by(|x| x.partial_cmp(&t).expect("finite times"))
        {
            Ok(i) => i.min(n - 2),
            Err(i) => i.clamp(1, n - 1) - 1,
        }
    }

    /// Spline value and derivative of coordinate `k` at `t` (clamped to the span).
    fn eval(&self, k: usize, t: f64) -> (f64, f64) {
        let t = t.clamp(0.0, self.duration());
        let i = self.segment(t);
        let (t0, t1) = (self.t[i], self.t[i + 1]);
        let h = t1 - t0;
        let (y0, y1) = (self.coords[k][i], self.coords[k][i + 1]);
        let (m0, m1) = (self.second[k][i], self.second[k][i + 1]);
        let a = (t1 - t) / h;
        let b = (t - t0) / h;
        let y = a * y0 + b * y1 + ((a * a * a - a) * m0 + (b * b * b - b) * m1) * h * h / 6.0;
        let dy = (y1 - y0) / h + (-(3.0 * a * a - 1.0) * m0 + (3.0 * b * b - 1.0) * m1) * h / 6.0;
        (y, dy)
    }

    /// Interpolated position (m) at time `t` (s, clamped to the span); `[x, 0]` in 1D.
    pub fn position_at(&self, t: f64) -> [f64; 2] {
        let mut p = [0.0; 2];
        for (k, v) in p.iter_mut().enumerate().take(self.dim()) {
            *v = self.eval(k, t).0;
        }
        p
    }

    /// Interpolated velocity (m/s) at time `t`: the spline's derivative.
    pub fn velocity_at(&self, t: f64) -> [f64; 2] {
        let mut v = [0.0; 2];
        for (k, x) in v.iter_mut().enumerate().take(self.dim()) {
            *x = self.eval(k, t).1;
        }
        v
    }

    /// The trajectory resampled every `dt` seconds from 0 to its end: positions,
    /// velocities (spline derivative), head direction (direction of the
    /// velocity), rotational velocity and distance travelled.
    ///
    /// # Errors
    /// [`Error::Param`] when `dt` is not positive; [`Error::Limit`] when it
    /// would give more than 10^8 samples.
    pub fn resample(&self, dt: f64) -> Result<History> {
        check::positive("dt", dt)?;
        // Counted in f64: a tiny dt must not wrap the count to 0 samples.
        let n_f = (self.duration() / dt).floor() + 1.0;
        if n_f.is_nan() || n_f > 1e8 {
            return Err(Error::Limit(format!(
                "resampling {} s at dt = {dt:e} s gives {n_f:e} samples (more than 10^8); raise dt",
                self.duration()
            )));
        }
        let n = n_f as usize;
        let mut h = History::default();
        let mut prev: Option<([f64; 2], f64)> = None;
        let mut dist = 0.0;
        for i in 0..n {
            let t = i as f64 * dt;
            let p = self.position_at(t);
            let v = self.velocity_at(t);
            let angle = v[1].atan2(v[0]);
            let rot = match prev {
                Some((pp, pa)) => {
                    dist += (p[0] - pp[0]).hypot(p[1] - pp[1]);
                    let mut d = angle - pa;
                    d -= std::f64::consts::TAU * (d / std::f64::consts::TAU).round();
                    d / dt
                }
                None => 0.0,
            };
            prev = Some((p, angle));
            let s = v[0].hypot(v[1]);
            h.t.push(t);
            h.x.push(p[0]);
            h.y.push(p[1]);
            h.vx.push(v[0]);
            h.vy.push(v[1]);
            let (hx, hy) = if s > 0.0 {
                (v[0] / s, v[1] / s)
            } else {
                (1.0, 0.0)
            };
            h.hd_x.push(hx);
            h.hd_y.push(hy);
            h.rotational_velocity.push(rot);
            h.distance_travelled.push(dist);
        }
        Ok(h)
    }

    /// Plot of the sampled positions.
    pub fn plot(&self) -> Figure {
        let env = self.environment().ok();
        let h = History {
            t: self.t.clone(),
            x: self.coords[0].clone(),
            y: if self.dim() == 2 {
                self.coords[1].clone()
            } else {
                vec![0.0; self.len()]
            },
            ..History::default()
        };
        super::plots::trajectory_points(
            env.as_ref(),
            h.path(),
            &format!("Trajectory `{}`", self.name),
        )
    }
}

/// Column names of the history frame.
pub mod columns {
    /// Time (s).
    pub const T: &str = "t";
    /// x position (m).
    pub const X: &str = "x";
    /// y position (m; 0 in 1D).
    pub const Y: &str = "y";
    /// x velocity (m/s).
    pub const VX: &str = "vx";
    /// y velocity (m/s).
    pub const VY: &str = "vy";
    /// Head direction (rad, in (-π, π]; 1D: 0 moving right, π moving left).
    pub const HEAD_DIRECTION: &str = "head_direction";
    /// Speed (m/s).
    pub const SPEED: &str = "speed";
    /// Rotational velocity of the measured velocity (rad/s).
    pub const ROTATIONAL_VELOCITY: &str = "rotational_velocity";
    /// Distance travelled since the start (m).
    pub const DISTANCE: &str = "distance_travelled";
}

/// The recorded history of an agent, one entry per step, as columns.
///
/// # Example
/// ```
/// use canns::spatial::Trajectory;
/// let traj = Trajectory::new(vec![0.0, 1.0, 2.0, 3.0], vec![vec![0.1, 0.5], vec![0.2, 0.5], vec![0.3, 0.5], vec![0.4, 0.5]])?;
/// // Resampled every 0.5 s (an agent's `history()` has the same columns).
/// let h = traj.resample(0.5)?;
/// assert_eq!(h.len(), 7);
/// assert!(h.speed().iter().all(|s| (s - 0.1).abs() < 1e-12));
/// assert!(h.head_direction().iter().all(|a| a.abs() < 1e-12)); // heading east
/// assert!((h.distance_travelled[6] - 0.3).abs() < 1e-12);
/// assert_eq!(h.positions().dim(), (7, 2));
/// assert_eq!(h.to_frame()?.width(), 9);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct History {
    /// Time (s).
    pub t: Vec<f64>,
    /// x position (m).
    pub x: Vec<f64>,
    /// y position (m; 0 in 1D).
    pub y: Vec<f64>,
    /// x velocity of the step taken (m/s).
    pub vx: Vec<f64>,
    /// y velocity of the step taken (m/s).
    pub vy: Vec<f64>,
    /// Head direction, x component of the unit vector.
    pub hd_x: Vec<f64>,
    /// Head direction, y component of the unit vector.
    pub hd_y: Vec<f64>,
    /// Rotational velocity of the measured velocity (rad/s).
    pub rotational_velocity: Vec<f64>,
    /// Distance travelled (m).
    pub distance_travelled: Vec<f64>,
}

impl History {
    /// Number of steps recorded.
    pub fn len(&self) -> usize {
        self.t.len()
    }
    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }
    /// The path as borrowed columns, for plotting.
    pub(crate) fn path(&self) -> super::plots::Path<'_> {
        super::plots::Path {
            t: &self.t,
            x: &self.x,
            y: &self.y,
        }
    }
    pub(crate) fn reserve(&mut self, n: usize) {
        for c in [
            &mut self.t,
            &mut self.x,
            &mut self.y,
            &mut self.vx,
            &mut self.vy,
            &mut self.hd_x,
            &mut self.hd_y,
            &mut self.rotational_velocity,
            &mut self.distance_travelled,
        ] {
            let before = c.capacity();
            c.reserve(n);
            if c.capacity() != before {
                advise_huge_pages(c);
            }
        }
    }
    /// Speeds (m/s).
    pub fn speed(&self) -> Vec<f64> {
        self.vx
            .iter()
            .zip(&self.vy)
            .map(|(a, b)| a.hypot(*b))
            .collect()
    }
    /// Head directions (rad, in (-π, π]).
    pub fn head_direction(&self) -> Vec<f64> {
        self.hd_y
            .iter()
            .zip(&self.hd_x)
            .map(|(y, x)| y.atan2(*x))
            .collect()
    }
    /// Positions.
    ///
    /// # Shapes
    /// `(n_steps, 2)` (y is 0 in 1D).
    pub fn positions(&self) -> ndarray::Array2<f64> {
        ndarray::Array2::from_shape_fn(
            (self.len(), 2),
            |(i, k)| if k == 0 { self.x[i] } else { self.y[i] },
        )
    }
    /// The history as a DataFrame with columns t, x, y, vx, vy,
    /// head_direction, speed, rotational_velocity, distance_travelled
    /// (see [`columns`]).
    ///
    /// # Errors
    /// [`Error::Polars`] if the frame cannot be built.
    pub fn to_frame(&self) -> Result<DataFrame> {
        use rayon::prelude::*;
        // Copying the columns and deriving head direction and speed are
        // independent: spread them over the cores.
        let jobs: [(&str, &(dyn Fn() -> Vec<f64> + Sync)); 9] = [
            (columns::T, &|| self.t.clone()),
            (columns::X, &|| self.x.clone()),
            (columns::Y, &|| self.y.clone()),
            (columns::VX, &|| self.vx.clone()),
            (columns::VY, &|| self.vy.clone()),
            (columns::HEAD_DIRECTION, &|| self.head_direction()),
            (columns::SPEED, &|| self.speed()),
            (columns::ROTATIONAL_VELOCITY, &|| {
                self.rotational_velocity.clone()
            }),
            (columns::DISTANCE, &|| self.distance_travelled.clone()),
        ];
        let cols: Vec<Column> = jobs
            .par_iter()
            .map(|(name, f)| Column::new((*name).into(), f()))
            .collect();
        Ok(DataFrame::new(self.len(), cols)?)
    }
}

impl Render for History {
    fn bundle(&self) -> Bundle {
        let sp = self.speed();
        let mean = sp.iter().sum::<f64>() / sp.len().max(1) as f64;
        let t = KeyValues::new("History")
            .row("steps", self.len(), "")
            .row("duration", self.t.last().copied().unwrap_or(0.0), "s")
            .row("mean speed", format!("{mean:.4}"), "m/s")
            .to_html();
        Bundle::figure(
            &super::plots::motion_histograms(&self.speed(), &self.rotational_velocity),
            &t,
            format!("History({} steps)", self.len()),
        )
    }
}

/// Asks the kernel to back the spare capacity of `v` with huge pages when
/// it spans some: a run of 10^6 steps writes 72 MB of history, and faulting
/// it in 4 KB pages costs more than a tenth of the run.
#[cfg(target_os = "linux")]
fn advise_huge_pages(v: &mut Vec<f64>) {
    const HUGE: usize = 2 << 20;
    let spare = v.spare_capacity_mut();
    let start = spare.as_mut_ptr() as usize;
    let (lo, hi) = (
        start.next_multiple_of(HUGE),
        (start + std::mem::size_of_val(spare)) / HUGE * HUGE,
    );
    if hi > lo {
        // SAFETY: [lo, hi) lies inside the vector's allocation (page aligned);
        // MADV_HUGEPAGE only changes how the kernel backs those pages, never
        // their contents, and failure (e.g. no THP support) is harmless.
        unsafe {
            libc::madvise(lo as *mut libc::c_void, hi - lo, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_: &mut Vec<f64>) {}

/// Path of a bundled trajectory file (`name` without `.npz`), found at run
/// time by [`crate::data::datasets::find`].
///
/// # Errors
/// [`Error::Data`] listing where it looked when the file is not found.
pub fn dataset_path(name: &str) -> Result<PathBuf> {
    crate::data::datasets::find(&format!("{name}.npz"))
}

crate::display::debug_via_display!(Trajectory, History);

impl std::fmt::Display for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let span = match (self.t.first(), self.t.last()) {
            (Some(a), Some(b)) => b - a,
            _ => 0.0,
        };
        write!(
            f,
            "History({} steps over {span:.2} s, {:.2} m travelled)",
            self.len(),
            self.distance_travelled.last().copied().unwrap_or(0.0)
        )
    }
}

impl std::fmt::Display for Trajectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Trajectory(`{}`, {} samples over {:.1} s, {}D)",
            self.name,
            self.len(),
            self.duration(),
            self.dim()
        )
    }
}

impl Render for Trajectory {
    fn bundle(&self) -> Bundle {
        let t = KeyValues::new("Trajectory")
            .row("name", &self.name, "")
            .row("samples", self.len(), "")
            .row("duration", format!("{:.2}", self.duration()), "s")
            .row("dim", self.dim(), "")
            .to_html();
        Bundle::figure(&self.plot(), &t, self.to_string())
    }
}

display::evcxr_display_via_render!(Trajectory);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spline_reproduces_a_cubic_free_line_and_knots() {
        let t: Vec<f64> = (0..20).map(|i| i as f64 * 0.3).collect();
        let pos: Vec<Vec<f64>> = t.iter().map(|&x| vec![2.0 * x + 1.0, x.sin()]).collect();
        let tr = Trajectory::new(t.clone(), pos).unwrap();
        for &x in &[0.1, 1.7, 4.4] {
            let p = tr.position_at(x);
            assert!((p[0] - (2.0 * x + 1.0)).abs() < 1e-12);
            assert!((p[1] - x.sin()).abs() < 2e-3);
            assert!((tr.velocity_at(x)[0] - 2.0).abs() < 1e-12);
        }
        for (i, &x) in t.iter().enumerate() {
            assert!((tr.position_at(x)[1] - tr.coordinate(1)[i]).abs() < 1e-12);
        }
    }

    #[test]
    fn bad_times_name_the_index() {
        let e = Trajectory::new(vec![0.0, 1.0, 1.0], vec![vec![0.0]; 3]).unwrap_err();
        assert!(e.to_string().contains("`times[2]`"), "{e}");
        let e = Trajectory::dataset("nope").unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
    }
}
