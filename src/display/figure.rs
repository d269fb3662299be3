//! Small plotly figure builders shared by every concept's plot methods.

use super::Figure;
use plotly::common::{ColorScale, ColorScalePalette, Line, LineShape, Mode, Title};
use plotly::layout::{Axis, Layout, Margin};
use plotly::{HeatMap, Plot, Scatter};

/// One line of a line plot.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// let t = vec![0.0, 1.0, 2.0];
/// let bump = Series::line("bump", t.clone(), vec![0.1, 0.3, 0.2]).width(3.0);
/// let input = Series::dashed("input", t.clone(), vec![5.0, 10.0, 5.0]).on_right_axis();
/// assert!(input.dashed && input.right_axis && bump.width == Some(3.0));
/// // The series on the right axis gets a second y axis titled with its name.
/// let fig = lines("tracking", "t (ms)", "height", vec![bump, input]);
/// let json = fig.to_json();
/// assert!(json.contains("\"y2\"") && json.contains("\"bump\""), "{json}");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// x values.
    pub x: Vec<f64>,
    /// y values (same length as `x`).
    pub y: Vec<f64>,
    /// Draw as markers instead of a line.
    pub markers: bool,
    /// Draw dashed.
    pub dashed: bool,
    /// Line width in px (plotly's default, 2, when `None`).
    pub width: Option<f64>,
    /// Drawn against a second y axis on the right, titled with the series'
    /// name: for a curve whose scale differs by orders of magnitude from the
    /// others (a stimulus of height 10 beside a bump of height 0.3).
    pub right_axis: bool,
}

impl Series {
    /// A solid line.
    pub fn line(name: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        Self {
            name: name.into(),
            x,
            y,
            markers: false,
            dashed: false,
            width: None,
            right_axis: false,
        }
    }
    /// A dashed line.
    pub fn dashed(name: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        Self {
            dashed: true,
            ..Self::line(name, x, y)
        }
    }
    /// The same series drawn `px` wide.
    pub fn width(mut self, px: f64) -> Self {
        self.width = Some(px);
        self
    }
    /// The same series on a second y axis at the right.
    pub fn on_right_axis(mut self) -> Self {
        self.right_axis = true;
        self
    }
    /// Markers only.
    pub fn markers(name: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        Self {
            markers: true,
            ..Self::line(name, x, y)
        }
    }
}

/// The height used for figures unless a plot method says otherwise.
pub fn plot_height() -> usize {
    super::DEFAULT_HEIGHT
}

/// A base layout with a title, axis labels and an explicit height.
pub fn layout(title: &str, x_label: &str, y_label: &str) -> Layout {
    Layout::new()
        .title(Title::from(title))
        .height(plot_height())
        .margin(Margin::new().left(60).right(20).top(50).bottom(50))
        .x_axis(Axis::new().title(Title::from(x_label)))
        .y_axis(Axis::new().title(Title::from(y_label)))
}

/// Width in px of one character of a figure title (plotly's 17 px title
/// font, a little above its average glyph width so estimates err wide).
const TITLE_CHAR_PX: f64 = 9.5;

/// `title` broken into lines (at ", " or spaces, joined by `<br>`) that fit
/// a figure `width_px` wide, and the number of lines.
pub(crate) fn fit_title(title: &str, width_px: f64) -> (String, usize) {
    let max_chars = ((width_px - 40.0) / TITLE_CHAR_PX).max(10.0) as usize;
    if title.chars().count() <= max_chars {
        return (title.to_string(), 1);
    }
    let mut lines: Vec<String> = vec![String::new()];
    for word in title.split_inclusive([' ', ',']) {
        let cur = lines.last_mut().expect("one line at least");
        if !cur.is_empty() && cur.chars().count() + word.trim_end().chars().count() > max_chars {
            lines.push(String::new());
        }
        lines.last_mut().expect("one line at least").push_str(word);
    }
    let lines: Vec<&str> = lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    (lines.join("<br>"), lines.len())
}

/// A line plot of several series.
pub fn lines(title: &str, x_label: &str, y_label: &str, series: Vec<Series>) -> Figure {
    let mut plot = Plot::new();
    let right: Vec<String> = series
        .iter()
        .filter(|s| s.right_axis)
        .map(|s| s.name.clone())
        .collect();
    for s in series {
        let mut tr = Scatter::new(s.x, s.y).name(s.name);
        if s.right_axis {
            tr = tr.y_axis("y2");
        }
        tr = if s.markers {
            tr.mode(Mode::Markers)
        } else {
            tr.mode(Mode::Lines)
        };
        if s.dashed || s.width.is_some() {
            let mut line = Line::new().shape(LineShape::Linear);
            if s.dashed {
                line = line.dash(plotly::common::DashType::Dash);
            }
            if let Some(w) = s.width {
                line = line.width(w);
            }
            tr = tr.line(line);
        }
        plot.add_trace(tr);
    }
    let mut l = layout(title, x_label, y_label);
    if !right.is_empty() {
        l = with_right_axis(l, &right.join(", "), None);
    }
    plot.set_layout(l);
    Figure::from(plot)
}

/// `layout` with a second y axis on the right titled `label` (fixed to
/// `range` if given), and room for it (the legend moves above the plot,
/// clear of the axis).
pub(crate) fn with_right_axis(layout: Layout, label: &str, range: Option<(f64, f64)>) -> Layout {
    let mut axis = Axis::new()
        .title(Title::from(label))
        .overlaying("y")
        .side(plotly::common::AxisSide::Right)
        .show_grid(false)
        .zero_line(false);
    if let Some((lo, hi)) = range {
        axis = axis.range(vec![lo, hi]);
    }
    layout
        .y_axis2(axis)
        .margin(Margin::new().left(60).right(70).top(70).bottom(50))
        .legend(
            plotly::layout::Legend::new()
                .orientation(plotly::common::Orientation::Horizontal)
                .x(0.0)
                .y(1.02)
                .y_anchor(plotly::common::Anchor::Bottom),
        )
}

/// Rounds to 4 significant digits: plenty for a colour, and it keeps the
/// figure JSON (and notebooks) about three times smaller.
pub fn compact(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(3 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// [`compact`] applied to a matrix.
pub fn compact_matrix(z: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    z.into_iter()
        .map(|row| row.into_iter().map(compact).collect())
        .collect()
}

/// A heatmap of `z[row][col]`, rows along `y`, columns along `x`.
pub fn heatmap(
    title: &str,
    x_label: &str,
    y_label: &str,
    x: Vec<f64>,
    y: Vec<f64>,
    z: Vec<Vec<f64>>,
) -> Figure {
    let z = compact_matrix(z);
    let mut plot = Plot::new();
    plot.add_trace(
        HeatMap::new(x, y, z).color_scale(ColorScale::Palette(ColorScalePalette::Viridis)),
    );
    plot.set_layout(layout(title, x_label, y_label));
    Figure::from(plot)
}

#[cfg(test)]
mod tests {
    use super::{compact, fit_title};

    #[test]
    fn long_titles_wrap_to_the_figure_width() {
        assert_eq!(fit_title("Short", 400.0), ("Short".to_string(), 1));
        let long = "Environment(2D, Solid, 1 x 1 m, 4 walls, 0 holes, 0 objects)";
        let (t, n) = fit_title(long, 410.0);
        assert!(n >= 2, "{t}");
        for line in t.split("<br>") {
            assert!(
                line.chars().count() as f64 * 9.5 <= 410.0 - 40.0 + 1e-9,
                "{line}"
            );
        }
        assert_eq!(t.replace("<br>", " "), long);
    }

    #[test]
    fn compact_keeps_four_significant_digits() {
        assert_eq!(compact(0.123456), 0.1235);
        assert_eq!(compact(-98765.4), -98770.0);
        assert_eq!(compact(0.0), 0.0);
        assert!(compact(f64::NAN).is_nan());
        assert_eq!(
            serde_json::to_string(&compact(2.0 / 3.0)).unwrap(),
            "0.6667"
        );
    }
}
