//! Small plotly figure builders shared by every concept's plot methods.

use super::Figure;
use plotly::common::{ColorScale, ColorScalePalette, Line, LineShape, Mode, Title};
use plotly::layout::{Axis, Layout, Margin};
use plotly::{HeatMap, Plot, Scatter};

/// One line of a line plot.
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
        }
    }
    /// A dashed line.
    pub fn dashed(name: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        Self {
            dashed: true,
            ..Self::line(name, x, y)
        }
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

/// A line plot of several series.
pub fn lines(title: &str, x_label: &str, y_label: &str, series: Vec<Series>) -> Figure {
    let mut plot = Plot::new();
    for s in series {
        let mut tr = Scatter::new(s.x, s.y).name(s.name);
        tr = if s.markers {
            tr.mode(Mode::Markers)
        } else {
            tr.mode(Mode::Lines)
        };
        if s.dashed {
            tr = tr.line(
                Line::new()
                    .dash(plotly::common::DashType::Dash)
                    .shape(LineShape::Linear),
            );
        }
        plot.add_trace(tr);
    }
    plot.set_layout(layout(title, x_label, y_label));
    Figure::from(plot)
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
    use super::compact;

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
