//! Plotly figures of navigation: environment, trajectory, occupancy heatmap,
//! speed and rotational-velocity histograms, rate maps and an animation.

use super::environment::{environment_traces, square_layout, Environment};
use crate::display::Figure;
use crate::display::{self, compact, compact_matrix};
use plotly::common::{ColorScale, ColorScalePalette, Line, Marker, Mode, Title};
use plotly::layout::{Axis, Frame, GridPattern, LayoutGrid};
use plotly::{Bar, HeatMap, Layout, Plot, Scatter, Traces};

/// Largest number of points a line trace keeps (longer paths are thinned).
const MAX_POINTS: usize = 5000;

/// A sampled path: times (s) and coordinates (m; `y` is 0 in 1D), borrowed
/// from whatever recorded it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Path<'a> {
    pub t: &'a [f64],
    pub x: &'a [f64],
    pub y: &'a [f64],
}

impl Path<'_> {
    fn len(&self) -> usize {
        self.t.len()
    }
    fn is_empty(&self) -> bool {
        self.t.is_empty()
    }
}

fn thin(h: Path<'_>, start: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let n = h.len().saturating_sub(start);
    let stride = n.div_ceil(MAX_POINTS).max(1);
    let idx = (start..h.len()).step_by(stride);
    let (mut t, mut x, mut y) = (Vec::new(), Vec::new(), Vec::new());
    for i in idx {
        t.push(compact(h.t[i]));
        x.push(compact(h.x[i]));
        y.push(compact(h.y[i]));
    }
    (t, x, y)
}

/// The environment with the path of `history` (the last `last` seconds, or all).
pub fn trajectory(env: &Environment, h: Path<'_>, last: Option<f64>) -> Figure {
    let start = match (last, h.t.last()) {
        (Some(s), Some(&end)) => h.t.partition_point(|&t| t < end - s),
        _ => 0,
    };
    let mut plot = super::environment::environment_plot(env);
    let (t, x, y) = thin(h, start);
    let y = if env.dim() == 1 { t.clone() } else { y };
    plot.add_trace(
        Scatter::new(x.clone(), y.clone())
            .mode(Mode::Lines)
            .name("path")
            .line(Line::new().color("rgba(31,119,180,0.7)").width(1.0)),
    );
    if let (Some(&lx), Some(&ly)) = (x.last(), y.last()) {
        plot.add_trace(
            Scatter::new(vec![lx], vec![ly])
                .mode(Mode::Markers)
                .name("agent")
                .marker(Marker::new().size(10).color("darkorange")),
        );
    }
    let title = format!(
        "Trajectory ({} steps, {:.1} s)",
        h.len(),
        h.t.last().copied().unwrap_or(0.0)
    );
    let mut layout = square_layout(Some(env), &title);
    if env.dim() == 1 {
        layout = display::layout(&title, "x (m)", "t (s)");
    }
    plot.set_layout(layout);
    plot
}

/// Sampled positions of an imported trajectory, in their environment if known.
pub fn trajectory_points(env: Option<&Environment>, h: Path<'_>, title: &str) -> Figure {
    let mut plot = Plot::new();
    if let Some(e) = env {
        for t in environment_traces(e) {
            plot.add_trace(t);
        }
    }
    let (_, x, y) = thin(h, 0);
    plot.add_trace(
        Scatter::new(x, y)
            .mode(Mode::Lines)
            .name("path")
            .line(Line::new().color("rgba(31,119,180,0.7)").width(1.0)),
    );
    plot.set_layout(square_layout(env, title));
    Figure::from(plot)
}

/// Bin centres along x and y, and values `z[row = y][col = x]`.
pub type Grid = (Vec<f64>, Vec<f64>, Vec<Vec<f64>>);

/// Occupancy: fraction of the time spent in each bin of side `dx` (m).
///
/// # Errors
/// [`crate::Error::Param`] when `dx` is not positive.
pub fn occupancy(env: &Environment, h: Path<'_>, dx: f64) -> crate::Result<Grid> {
    crate::params::check::positive("dx", dx)?;
    let (xs, ys) = env.grid(dx);
    let e = env.extent();
    let shape = (xs.len(), ys.len().max(1));
    // A `dx` that does not divide the extent leaves a strip beyond the last
    // bin: positions there count in the last bin.
    let clamp = |v: &[f64], lo: f64, n: usize| -> Vec<f64> {
        v.iter().map(|&v| v.min(lo + n as f64 * dx)).collect()
    };
    let x = clamp(h.x, e[0], shape.0);
    let y = (env.dim() == 2).then(|| clamp(h.y, e[2], shape.1));
    let bins = super::rate_map::bins_of_positions(&x, y.as_deref(), [e[0], e[2]], dx, shape);
    let n = h.len().max(1) as f64;
    let occ = super::rate_map::occupancy(&bins, |_| 1.0 / n, shape);
    let z: Vec<Vec<f64>> = occ.rows().into_iter().map(|r| r.to_vec()).collect();
    Ok((xs, ys, z))
}

/// Heatmap of the occupancy.
///
/// # Errors
/// [`crate::Error::Param`] when `dx` is not positive.
pub fn position_heatmap(env: &Environment, h: Path<'_>, dx: f64) -> crate::Result<Figure> {
    let (xs, ys, z) = occupancy(env, h, dx)?;
    let ys = if ys.is_empty() { vec![0.0] } else { ys };
    let mut plot = Plot::new();
    plot.add_trace(
        HeatMap::new(xs, ys, compact_matrix(z))
            .color_scale(ColorScale::Palette(ColorScalePalette::Viridis))
            .name("occupancy"),
    );
    plot.set_layout(square_layout(
        Some(env),
        &format!("Occupancy (fraction of time, {dx} m bins)"),
    ));
    Ok(Figure::from(plot))
}

/// Histogram densities of `v` on `bins` bins over `[lo, hi]`.
pub(crate) fn density(v: &[f64], lo: f64, hi: f64, bins: usize) -> (Vec<f64>, Vec<f64>) {
    let w = (hi - lo) / bins as f64;
    let mut c = vec![0.0; bins];
    for &x in v {
        if x >= lo && x < hi {
            c[((x - lo) / w) as usize] += 1.0;
        }
    }
    let n = v.len().max(1) as f64;
    let centres = (0..bins).map(|i| lo + (i as f64 + 0.5) * w).collect();
    (
        centres,
        c.into_iter().map(|k| compact(k / (n * w))).collect(),
    )
}

/// Histograms of speed and rotational velocity side by side.
pub fn motion_histograms(speed: &[f64], rotational_velocity: &[f64]) -> Figure {
    let top = speed.iter().cloned().fold(0.0, f64::max).max(1e-3);
    let (sx, sy) = density(speed, 0.0, top, 50);
    let (rx, ry) = density(rotational_velocity, -15.0, 15.0, 60);
    let mut plot = Plot::new();
    plot.add_trace(Bar::new(sx, sy).name("speed"));
    plot.add_trace(
        Bar::new(rx, ry)
            .name("rotational velocity")
            .x_axis("x2")
            .y_axis("y2"),
    );
    let layout = Layout::new()
        .title(Title::from("Speed and rotational velocity"))
        .height(display::DEFAULT_HEIGHT)
        .grid(
            LayoutGrid::new()
                .rows(1)
                .columns(2)
                .pattern(GridPattern::Independent),
        )
        .x_axis(Axis::new().title(Title::from("speed (m/s)")))
        .y_axis(Axis::new().title(Title::from("density")))
        .x_axis2(Axis::new().title(Title::from("rotational velocity (rad/s)")))
        .y_axis2(Axis::new().title(Title::from("density")));
    plot.set_layout(layout);
    Figure::from(plot)
}

/// Animation of the agent: `n_frames` frames (at most 200) spread over the
/// history, each showing the agent and its last 5 s of path.
pub fn animate(env: &Environment, h: Path<'_>, n_frames: usize) -> Figure {
    let mut plot = super::environment::environment_plot(env);
    let n_env = plot.data().len();
    let n_frames = n_frames.clamp(1, 200).min(h.len().max(1));
    type Frames = (String, Box<Scatter<f64, f64>>, Box<Scatter<f64, f64>>);
    let frame_at = |k: usize| -> Frames {
        let i = if h.is_empty() {
            0
        } else {
            (k + 1) * h.len() / n_frames - 1
        };
        let t_now = h.t.get(i).copied().unwrap_or(0.0);
        let start = h.t.partition_point(|&t| t < t_now - 5.0);
        let stride = (i + 1 - start.min(i + 1)).div_ceil(250).max(1);
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for j in (start..=i.min(h.len().saturating_sub(1))).step_by(stride) {
            x.push(compact(h.x[j]));
            y.push(compact(h.y[j]));
        }
        let (ax, ay) = (
            h.x.get(i).copied().unwrap_or(0.0),
            h.y.get(i).copied().unwrap_or(0.0),
        );
        (
            format!("{t_now:.2}"),
            Scatter::new(x, y)
                .mode(Mode::Lines)
                .name("trail")
                .line(Line::new().color("rgba(31,119,180,0.6)")),
            Scatter::new(vec![ax], vec![ay])
                .mode(Mode::Markers)
                .name("agent")
                .marker(Marker::new().size(12).color("darkorange")),
        )
    };
    let (_, trail, agent) = frame_at(0);
    plot.add_trace(trail);
    plot.add_trace(agent);
    let mut names = Vec::new();
    for k in 0..n_frames {
        let (name, trail, agent) = frame_at(k);
        let mut data = Traces::new();
        data.push(trail);
        data.push(agent);
        plot.add_frame(
            Frame::new()
                .name(name.clone())
                .data(data)
                .traces(vec![n_env, n_env + 1]),
        );
        names.push(name);
    }
    let (sliders, menus) = crate::display::animation::controls(&names, "t = ", 50, false);
    let layout = square_layout(Some(env), "Agent (last 5 s of path)")
        .height(display::DEFAULT_HEIGHT + 120)
        .sliders(sliders)
        .update_menus(menus);
    plot.set_layout(layout);
    plot
}
