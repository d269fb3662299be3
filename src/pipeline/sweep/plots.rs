use super::engine::ERROR;
use crate::display::{self, Figure};
use crate::error::{Error, Result};
use plotly::color::Rgba;
use plotly::common::{Fill, Line, Mode};
use plotly::Scatter;
use polars::prelude::*;
use std::collections::BTreeMap;

fn numbers(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    let col = df.column(name).map_err(|_| unknown(df, name))?;
    let col = col.cast(&DataType::Float64).map_err(|_| {
        Error::Invalid(format!(
            "sweep column `{name}` is not numeric ({})",
            col.dtype()
        ))
    })?;
    Ok(col.f64()?.iter().collect())
}

fn texts(df: &DataFrame, name: &str) -> Result<Vec<String>> {
    let col = df.column(name).map_err(|_| unknown(df, name))?;
    let col = col.cast(&DataType::String)?;
    Ok(col
        .str()?
        .iter()
        .map(|v| v.unwrap_or("null").to_string())
        .collect())
}

fn unknown(df: &DataFrame, name: &str) -> Error {
    let cols: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    Error::Invalid(format!(
        "the sweep has no column `{name}` (columns: {})",
        cols.join(", ")
    ))
}

/// Mean and standard deviation of the finite values.
fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n;
    (m, var.sqrt())
}

fn ok_rows(df: &DataFrame) -> Result<Vec<bool>> {
    Ok(match df.column(ERROR) {
        Ok(c) => c.is_null().iter().map(|v| v.unwrap_or(false)).collect(),
        Err(_) => vec![true; df.height()],
    })
}

/// Figures from a sweep's DataFrame (in memory, or read back from
/// `sweep.parquet`): a metric against one parameter with replicate bands,
/// and a phase diagram over two parameters.
///
/// `metric` against the parameter `x`: the mean over replicates (rows with
/// the same `x`, and the same `by` when given: one line per value of `by`),
/// with a band of one standard deviation. Failed runs are left out.
///
/// # Errors
/// [`Error::Invalid`] naming a column that does not exist or is not
/// numeric (`x`, `metric`).
pub fn plot_lines(df: &DataFrame, x: &str, metric: &str, by: Option<&str>) -> Result<Figure> {
    let xs = numbers(df, x)?;
    let ys = numbers(df, metric)?;
    let groups = match by {
        Some(b) => texts(df, b)?,
        None => vec![String::new(); df.height()],
    };
    let ok = ok_rows(df)?;
    let mut cells: BTreeMap<String, BTreeMap<u64, (f64, Vec<f64>)>> = BTreeMap::new();
    for i in 0..df.height() {
        if let (true, Some(xv), Some(yv)) = (ok[i], xs[i], ys[i]) {
            if xv.is_finite() && yv.is_finite() {
                cells
                    .entry(groups[i].clone())
                    .or_default()
                    .entry(order_key(xv))
                    .or_insert((xv, Vec::new()))
                    .1
                    .push(yv);
            }
        }
    }
    let mut plot = plotly::Plot::new();
    for (k, (g, points)) in cells.into_iter().enumerate() {
        let (r, gr, b) = display::PALETTE[k % display::PALETTE.len()];
        let x: Vec<f64> = points.values().map(|p| p.0).collect();
        let stats: Vec<(f64, f64)> = points.values().map(|p| mean_std(&p.1)).collect();
        let mean: Vec<f64> = stats.iter().map(|s| s.0).collect();
        let name = if by.is_some() {
            format!("{} = {g}", by.unwrap_or_default())
        } else {
            metric.to_string()
        };
        if stats.iter().any(|s| s.1 > 0.0) {
            let lo: Vec<f64> = stats.iter().map(|s| s.0 - s.1).collect();
            let hi: Vec<f64> = stats.iter().map(|s| s.0 + s.1).collect();
            plot.add_trace(
                Scatter::new(x.clone(), lo)
                    .mode(Mode::Lines)
                    .line(Line::new().width(0.0))
                    .show_legend(false)
                    .name(format!("{name} - sd")),
            );
            plot.add_trace(
                Scatter::new(x.clone(), hi)
                    .mode(Mode::Lines)
                    .line(Line::new().width(0.0))
                    .fill(Fill::ToNextY)
                    .fill_color(Rgba::new(r, gr, b, 0.2))
                    .show_legend(false)
                    .name(format!("{name} + sd")),
            );
        }
        plot.add_trace(
            Scatter::new(x, mean)
                .mode(Mode::LinesMarkers)
                .line(Line::new().color(Rgba::new(r, gr, b, 1.0)))
                .name(name),
        );
    }
    plot.set_layout(display::layout(
        &format!("{metric} against {x} (mean, band: one sd over replicates)"),
        x,
        metric,
    ));
    Ok(display::show(plot))
}

/// Phase diagram: the mean of `metric` over replicates on the grid of the
/// parameters `x` (columns) and `y` (rows); cells without a successful run
/// are empty.
///
/// # Errors
/// [`Error::Invalid`] naming a column that does not exist or is not
/// numeric.
pub fn plot_heatmap(df: &DataFrame, x: &str, y: &str, metric: &str) -> Result<Figure> {
    let xs = numbers(df, x)?;
    let ys = numbers(df, y)?;
    let zs = numbers(df, metric)?;
    let ok = ok_rows(df)?;
    let mut xv: BTreeMap<u64, f64> = BTreeMap::new();
    let mut yv: BTreeMap<u64, f64> = BTreeMap::new();
    let mut cells: BTreeMap<(u64, u64), Vec<f64>> = BTreeMap::new();
    for i in 0..df.height() {
        if let (Some(a), Some(b)) = (xs[i], ys[i]) {
            xv.insert(order_key(a), a);
            yv.insert(order_key(b), b);
            if let (true, Some(z)) = (ok[i], zs[i]) {
                if z.is_finite() {
                    cells
                        .entry((order_key(a), order_key(b)))
                        .or_default()
                        .push(z);
                }
            }
        }
    }
    let z: Vec<Vec<f64>> = yv
        .keys()
        .map(|ky| {
            xv.keys()
                .map(|kx| cells.get(&(*kx, *ky)).map_or(f64::NAN, |v| mean_std(v).0))
                .collect()
        })
        .collect();
    Ok(display::show(display::heatmap(
        &format!("{metric} (mean over replicates)"),
        x,
        y,
        xv.into_values().collect(),
        yv.into_values().collect(),
        z,
    )))
}

/// A key that sorts like the number (total order of f64).
fn order_key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}
