//! Figures shared by the theta-sweep networks.

use crate::display::Figure;
use crate::display::{compact, layout};
use plotly::common::{Line, Mode};
use plotly::{Plot, ScatterPolar};

/// Polar tuning: `r` against the angles `x` (rad, drawn in degrees, the
/// curve closed), with a needle at `heading` when given.
pub(crate) fn polar(x: &[f64], r: &[f64], heading: Option<f64>, title: &str) -> Figure {
    let mut theta: Vec<f64> = x.iter().map(|a| compact(a.to_degrees())).collect();
    let mut rr: Vec<f64> = r.iter().map(|&v| compact(v)).collect();
    if let (Some(&t0), Some(&r0)) = (theta.first(), rr.first()) {
        theta.push(t0);
        rr.push(r0);
    }
    let top = rr.iter().copied().fold(0.0, f64::max);
    let mut plot = Plot::new();
    plot.add_trace(ScatterPolar::new(theta, rr).mode(Mode::Lines).name("rate"));
    if let Some(h) = heading {
        let d = compact(h.to_degrees());
        plot.add_trace(
            ScatterPolar::new(vec![d, d], vec![0.0, if top > 0.0 { top } else { 1.0 }])
                .mode(Mode::Lines)
                .line(Line::new().color("red").width(3.0))
                .name("heading"),
        );
    }
    plot.set_layout(layout(title, "", ""));
    Figure::from(plot)
}
