//! Scatter plots of point clouds (2D or 3D), optionally coloured by a value
//! per point: the shape every embedding plot (PCA, UMAP) takes.

use super::figure::{compact, layout};
use super::Figure;
use crate::error::{Error, Result};
use plotly::common::{ColorScale, ColorScalePalette, Marker, Mode, Title};
use plotly::layout::{Axis, LayoutScene};
use plotly::{Plot, Scatter, Scatter3D};

/// A scatter of the rows of `points` (`n x 2` or `n x 3`; a single column is
/// drawn against the row index), coloured by `color` (one value per row,
/// Viridis scale with a colour bar) when given. Axes are named
/// `"{axis_prefix} 1"`, `"{axis_prefix} 2"`, ...
///
/// # Examples
/// ```
/// use canns::display::scatter;
/// use canns::ndarray::array;
/// let p = array![[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]];
/// let plot = scatter("points", &p.view(), Some(&[0.0, 1.0, 2.0]), "dim")?;
/// assert!(plot.to_json().contains("Viridis"));
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Shape`] when `points` has no column or more than 3, or when
/// `color` does not have one value per row.
pub fn scatter(
    title: &str,
    points: &ndarray::ArrayView2<f64>,
    color: Option<&[f64]>,
    axis_prefix: &str,
) -> Result<Figure> {
    let (n, d) = points.dim();
    if d == 0 || d > 3 {
        return Err(Error::shape("scatter points", "1 to 3 columns", d));
    }
    if let Some(c) = color {
        if c.len() != n {
            return Err(Error::shape(
                "scatter colour",
                format!("{n} values"),
                c.len(),
            ));
        }
    }
    let col = |j: usize| -> Vec<f64> { points.column(j).iter().map(|&v| compact(v)).collect() };
    let mut marker = Marker::new().size(if n > 5000 { 3 } else { 5 });
    if let Some(c) = color {
        marker = marker
            .color_array(c.iter().map(|&v| compact(v)).collect::<Vec<f64>>())
            .color_scale(ColorScale::Palette(ColorScalePalette::Viridis))
            .show_scale(true);
    }
    let name = |j: usize| format!("{axis_prefix} {}", j + 1);
    let mut plot = Plot::new();
    match d {
        1 => {
            let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
            plot.add_trace(
                Scatter::new(x, col(0))
                    .mode(Mode::Markers)
                    .marker(marker)
                    .show_legend(false),
            );
            plot.set_layout(layout(title, "index", &name(0)));
        }
        2 => {
            plot.add_trace(
                Scatter::new(col(0), col(1))
                    .mode(Mode::Markers)
                    .marker(marker)
                    .show_legend(false),
            );
            plot.set_layout(layout(title, &name(0), &name(1)));
        }
        _ => {
            plot.add_trace(
                Scatter3D::new(col(0), col(1), col(2))
                    .mode(Mode::Markers)
                    .marker(marker.size(if n > 5000 { 2 } else { 3 }))
                    .show_legend(false),
            );
            let scene = LayoutScene::new()
                .x_axis(Axis::new().title(Title::from(name(0).as_str())))
                .y_axis(Axis::new().title(Title::from(name(1).as_str())))
                .z_axis(Axis::new().title(Title::from(name(2).as_str())));
            plot.set_layout(layout(title, &name(0), &name(1)).scene(scene));
        }
    }
    Ok(Figure::from(plot))
}

#[cfg(test)]
mod tests {
    use super::scatter;
    use ndarray::array;

    #[test]
    fn three_columns_make_a_3d_scatter_and_bad_colours_are_errors() {
        let p = array![[0.0, 1.0, 2.0], [1.0, 0.0, 2.0]];
        let plot = scatter("t", &p.view(), None, "x").unwrap();
        assert!(plot.to_json().contains("scatter3d"));
        assert!(scatter("t", &p.view(), Some(&[1.0]), "x").is_err());
        let svg = super::super::plot_to_svg(&plot);
        assert_eq!(svg.matches("<circle").count(), 2);
    }
}
