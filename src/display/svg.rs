//! A static SVG rendering of a plotly figure, so notebooks viewed where
//! scripts do not run (code-hosting sites, plain viewers) still show each plot.
//!
//! It draws what this crate's figures use: line/marker scatter traces and
//! heatmaps, with axes, ticks, a title and a legend. Animation frames show
//! their first state (the traces of the figure itself).

use plotly::Plot;
use serde_json::Value;
use std::fmt::Write;

const W: f64 = 720.0;
// Viridis, 9 stops.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];
/// Heatmaps are drawn with at most this many cells per side (downsampled).
const MAX_CELLS: usize = 80;

fn nums(v: Option<&Value>) -> Vec<f64> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect())
        .unwrap_or_default()
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => o
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        _ => String::new(),
    }
}

fn viridis(t: f64) -> String {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + f * (q as f64 - p as f64)).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return vec![lo];
    }
    let raw = (hi - lo) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let mut t = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while t <= hi + 1e-9 * step {
        out.push(if t.abs() < 1e-12 * step { 0.0 } else { t });
        t += step;
    }
    out
}

fn fmt_tick(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn esc(s: &str) -> String {
    super::html_escape(s)
}

/// Renders the figure's traces (scatter lines/markers and heatmaps) as SVG.
pub fn plot_to_svg(plot: &Plot) -> String {
    let json: Value = serde_json::from_str(&plot.to_json()).unwrap_or(Value::Null);
    let layout = &json["layout"];
    let h = layout["height"]
        .as_f64()
        .unwrap_or(super::DEFAULT_HEIGHT as f64);
    let title = text_of(layout.get("title"));
    let xl = text_of(layout["xaxis"].get("title"));
    let yl = text_of(layout["yaxis"].get("title"));
    let traces: Vec<Value> = json["data"].as_array().cloned().unwrap_or_default();

    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    let mut extend = |xs: &[f64], ys: &[f64]| {
        for &x in xs.iter().filter(|v| v.is_finite()) {
            x0 = x0.min(x);
            x1 = x1.max(x);
        }
        for &y in ys.iter().filter(|v| v.is_finite()) {
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
    };
    for t in &traces {
        extend(&nums(t.get("x")), &nums(t.get("y")));
    }
    if !x0.is_finite() {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if y1 <= y0 {
        y1 = y0 + 1.0;
    }
    let pad = 0.03 * (y1 - y0);
    let has_heat = traces.iter().any(|t| t["type"] == "heatmap");
    if !has_heat {
        y0 -= pad;
        y1 += pad;
    }
    let (l, r, top, bot) = (64.0, if has_heat { 90.0 } else { 150.0 }, 40.0, 48.0);
    let (pw, ph) = (W - l - r, h - top - bot);
    let sx = |x: f64| l + (x - x0) / (x1 - x0) * pw;
    let sy = |y: f64| top + ph - (y - y0) / (y1 - y0) * ph;

    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{h}\" viewBox=\"0 0 {W} {h}\" font-family=\"sans-serif\" font-size=\"11\">\
<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
    );
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"22\" font-size=\"14\" text-anchor=\"middle\">{}</text>",
        W / 2.0,
        esc(&title)
    );
    let mut legend = Vec::new();
    for (k, t) in traces.iter().enumerate() {
        let color = super::series_color(k);
        if t["type"] == "heatmap" {
            let z: Vec<Vec<f64>> = t["z"]
                .as_array()
                .map(|rows| rows.iter().map(|r| nums(Some(r))).collect())
                .unwrap_or_default();
            let (xs, ys) = (nums(t.get("x")), nums(t.get("y")));
            if z.is_empty() || xs.is_empty() || ys.is_empty() {
                continue;
            }
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for v in z.iter().flatten().filter(|v| v.is_finite()) {
                lo = lo.min(*v);
                hi = hi.max(*v);
            }
            if let Some(v) = t["zmin"].as_f64() {
                lo = v;
            }
            if let Some(v) = t["zmax"].as_f64() {
                hi = v;
            }
            let span = if hi > lo { hi - lo } else { 1.0 };
            let (ny, nx) = (z.len().min(ys.len()), z[0].len().min(xs.len()));
            let (by, bx) = (ny.div_ceil(MAX_CELLS), nx.div_ceil(MAX_CELLS));
            let cw = pw / nx as f64 * bx as f64;
            let chh = ph / ny as f64 * by as f64;
            for i in (0..ny).step_by(by) {
                for j in (0..nx).step_by(bx) {
                    let v = z[i][j];
                    let px = l + j as f64 / nx as f64 * pw;
                    let py = top + ph - (i + by) as f64 / ny as f64 * ph;
                    let _ = write!(
                        s,
                        "<rect x=\"{px:.1}\" y=\"{py:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"/>",
                        cw + 0.5,
                        chh + 0.5,
                        viridis((v - lo) / span)
                    );
                }
            }
            // Colour bar.
            for q in 0..50 {
                let _ = write!(
                    s,
                    "<rect x=\"{}\" y=\"{:.1}\" width=\"14\" height=\"{:.1}\" fill=\"{}\"/>",
                    W - r + 20.0,
                    top + ph - (q + 1) as f64 / 50.0 * ph,
                    ph / 50.0 + 0.5,
                    viridis(q as f64 / 49.0)
                );
            }
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\">{}</text>",
                W - r + 38.0,
                top + 8.0,
                fmt_tick(hi)
            );
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\">{}</text>",
                W - r + 38.0,
                top + ph,
                fmt_tick(lo)
            );
        } else {
            let (xs, ys) = (nums(t.get("x")), nums(t.get("y")));
            let markers = t["mode"]
                .as_str()
                .is_some_and(|m| m.contains("markers") && !m.contains("lines"));
            let dashed = t["line"]["dash"].as_str().is_some_and(|d| d != "solid");
            let step = (xs.len() / 2000).max(1);
            if markers {
                // Markers coloured by a value per point (a colour scale).
                let values = nums(t["marker"].get("color"));
                let (lo, hi) = values
                    .iter()
                    .filter(|v| v.is_finite())
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                        (a.min(v), b.max(v))
                    });
                let span = if hi > lo { hi - lo } else { 1.0 };
                for (i, (x, y)) in xs
                    .iter()
                    .zip(&ys)
                    .enumerate()
                    .step_by(step)
                    .filter(|(_, (x, y))| x.is_finite() && y.is_finite())
                {
                    let fill = match values.get(i) {
                        Some(v) if values.len() == xs.len() => viridis((v - lo) / span),
                        _ => color.to_string(),
                    };
                    let _ = write!(
                        s,
                        "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{fill}\"/>",
                        sx(*x),
                        sy(*y)
                    );
                }
            } else {
                let mut d = String::new();
                let mut pen_up = true;
                for (x, y) in xs.iter().zip(&ys).step_by(step) {
                    if !(x.is_finite() && y.is_finite()) {
                        pen_up = true;
                        continue;
                    }
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1} ",
                        if pen_up { "M" } else { "L" },
                        sx(*x),
                        sy(*y)
                    );
                    pen_up = false;
                }
                let dash = if dashed {
                    " stroke-dasharray=\"6,4\""
                } else {
                    ""
                };
                let _ = write!(
                    s,
                    "<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\"{dash}/>"
                );
            }
            if let Some(n) = t["name"].as_str() {
                legend.push((n.to_string(), color.clone()));
            }
        }
    }
    // Axes and ticks.
    let _ = write!(s, "<rect x=\"{l}\" y=\"{top}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#444\"/>");
    for t in ticks(x0, x1) {
        let _ = write!(
            s,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#444\"/><text x=\"{0:.1}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>",
            sx(t),
            top + ph,
            top + ph + 4.0,
            top + ph + 16.0,
            fmt_tick(t)
        );
    }
    for t in ticks(y0, y1) {
        let _ = write!(
            s,
            "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1}\" y2=\"{2:.1}\" stroke=\"#444\"/><text x=\"{3}\" y=\"{4:.1}\" text-anchor=\"end\">{5}</text>",
            l - 4.0,
            l,
            sy(t),
            l - 6.0,
            sy(t) + 4.0,
            fmt_tick(t)
        );
    }
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        l + pw / 2.0,
        h - 10.0,
        esc(&xl)
    );
    let _ = write!(
        s,
        "<text x=\"14\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {0})\">{1}</text>",
        top + ph / 2.0,
        esc(&yl)
    );
    for (k, (n, c)) in legend.iter().enumerate() {
        let y = top + 10.0 + 16.0 * k as f64;
        let _ = write!(
            s,
            "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"{3}\" stroke-width=\"2\"/><text x=\"{4}\" y=\"{5}\">{6}</text>",
            W - r + 10.0,
            W - r + 30.0,
            y,
            c,
            W - r + 34.0,
            y + 4.0,
            esc(n)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::{heatmap, lines, Series};

    #[test]
    fn line_plot_draws_a_path_per_series_and_a_legend() {
        let p = lines(
            "t",
            "x",
            "y",
            vec![
                Series::line("a", vec![0.0, 1.0], vec![0.0, 1.0]),
                Series::dashed("b", vec![0.0, 1.0], vec![1.0, 0.0]),
            ],
        );
        let svg = plot_to_svg(&p);
        assert_eq!(svg.matches("<path").count(), 2);
        assert!(svg.contains("stroke-dasharray"));
        assert!(svg.contains(">a<") && svg.contains(">b<"));
    }

    #[test]
    fn heatmap_is_downsampled_to_bounded_cells() {
        let z = vec![vec![1.0; 300]; 300];
        let p = heatmap(
            "h",
            "x",
            "y",
            (0..300).map(f64::from).collect(),
            (0..300).map(f64::from).collect(),
            z,
        );
        let svg = plot_to_svg(&p);
        let cells = svg.matches("<rect").count();
        assert!(cells < 90 * 90, "{cells}");
        assert!(cells > 40 * 40);
    }
}
