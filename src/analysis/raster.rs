//! Spike rasters, peri-stimulus time histograms (PSTH) around events, and (documented in the parent module)

use super::sampling::check_spikes;
use crate::display::Figure;
use crate::display::{compact, compact_matrix, layout, Bundle, KeyValues, Render};
use crate::error::{Error, Result};
use crate::params::check;
use ndarray::{Array2, ArrayView2};
use plotly::common::{Fill, Line, Marker, MarkerSymbol, Mode};
use plotly::{HeatMap, Plot, Scatter};
use serde::{Deserialize, Serialize};

fn labels_or_index(labels: &[String], n: usize) -> Result<Vec<String>> {
    if labels.is_empty() {
        return Ok((0..n).map(|i| i.to_string()).collect());
    }
    if labels.len() != n {
        return Err(Error::shape(
            "unit labels",
            format!("{n} labels"),
            labels.len(),
        ));
    }
    Ok(labels.to_vec())
}

/// A spike raster of the trains in `spikes` between `t0` and `t1` seconds:
/// one row of ticks per unit, labelled by `labels` (or `0, 1, ...` when empty).
///
/// # Examples
/// ```
/// let plot = canns::analysis::raster(&[vec![0.1, 0.5], vec![0.3]], &[], 0.0, 1.0)?;
/// assert_eq!(plot.data().len(), 2);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Param`] when `t1 <= t0`, [`Error::Shape`] when `labels` is not
/// empty and not one per unit, [`Error::Data`] when a spike time is not finite.
pub fn raster(spikes: &[Vec<f64>], labels: &[String], t0: f64, t1: f64) -> Result<Figure> {
    check::finite("t0", t0)?;
    check::positive("t1 - t0", t1 - t0)?;
    check_spikes(spikes)?;
    let labels = labels_or_index(labels, spikes.len())?;
    let mut plot = Plot::new();
    for (i, (train, name)) in spikes.iter().zip(&labels).enumerate() {
        let x: Vec<f64> = train
            .iter()
            .copied()
            .filter(|&s| s >= t0 && s < t1)
            .map(|s| (s * 1e4).round() / 1e4)
            .collect();
        let y = vec![i as f64; x.len()];
        plot.add_trace(
            Scatter::new(x, y)
                .name(name.as_str())
                .mode(Mode::Markers)
                .marker(
                    Marker::new()
                        .symbol(MarkerSymbol::LineNSOpen)
                        .size(8)
                        .line(plotly::common::Line::new().width(1.0)),
                ),
        );
    }
    plot.set_layout(
        layout("Spike raster", "time (s)", "unit")
            .height((crate::display::DEFAULT_HEIGHT).max(40 + 22 * spikes.len())),
    );
    Ok(Figure::from(plot))
}

/// Peri-event time histograms of several units, with the standard error
/// across events. Built by [`psth`].
///
/// # Shapes
/// `mean` and `sem` are `(n_units, n_bins)`; `t` has `n_bins` bin centres.
///
/// # Example
/// ```
/// use canns::analysis::psth;
/// // Unit "a" fires 10 ms after each of 4 events, unit "b" after every other one.
/// let events = [1.0, 2.0, 3.0, 4.0];
/// let a: Vec<f64> = events.iter().map(|e| e + 0.01).collect();
/// let b = vec![1.01, 3.01];
/// let p = psth(&[a, b], &events, -0.1, 0.1, 0.02, &["a".into(), "b".into()])?;
/// assert_eq!((p.mean.dim(), p.t.len()), ((2, 10), 10));
/// // Bin 5 is [0, 20) ms: 1 spike per 20 ms = 50 Hz, half of the time for "b".
/// assert_eq!((p.mean[[0, 5]], p.sem[[0, 5]]), (50.0, 0.0));
/// assert!((p.mean[[1, 5]] - 25.0).abs() < 1e-9 && p.sem[[1, 5]] > 0.0);
/// assert!(p.to_string().starts_with("Psth: 2 units, 4 events, 10 bins"), "{p}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Psth {
    /// Bin centres relative to the event (seconds).
    pub t: Vec<f64>,
    /// Unit labels.
    pub labels: Vec<String>,
    /// Mean rate across events (Hz).
    pub mean: Array2<f64>,
    /// Standard error of the mean across events (Hz; 0 with one event).
    pub sem: Array2<f64>,
    /// Number of events.
    pub n_events: usize,
    /// Bin width (seconds).
    pub bin_size: f64,
}

/// PSTH of each train in `spikes` around `events` (seconds), in bins of
/// `bin_size` over `[start, end)` seconds relative to each event (see the
/// module docs). `labels` name the units (empty: `0, 1, ...`).
///
/// # Examples
/// ```
/// use canns::analysis::psth;
/// // A unit that fires 10 ms after every event.
/// let events: Vec<f64> = (1..=50).map(|k| k as f64).collect();
/// let spikes: Vec<f64> = events.iter().map(|e| e + 0.01).collect();
/// let p = psth(&[spikes], &events, -0.1, 0.1, 0.02, &[])?;
/// assert_eq!(p.n_events, 50);
/// assert!((p.mean[[0, 5]] - 50.0).abs() < 1e-9); // 1 spike per 20 ms bin = 50 Hz
/// assert_eq!(p.mean[[0, 0]], 0.0);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Param`] when `bin_size` is not positive or `end <= start`,
/// [`Error::Invalid`] when `events` is empty, [`Error::Data`] when a spike or
/// event time is not finite, [`Error::Shape`] for a wrong number of labels.
///
/// # References
/// Gerstein & Kiang (1960).
pub fn psth(
    spikes: &[Vec<f64>],
    events: &[f64],
    start: f64,
    end: f64,
    bin_size: f64,
    labels: &[String],
) -> Result<Psth> {
    check::positive("bin_size", bin_size)?;
    check::finite("start", start)?;
    check::positive("end - start", end - start)?;
    check_spikes(spikes)?;
    if events.is_empty() {
        return Err(Error::Invalid("psth: `events` is empty".into()));
    }
    if let Some(e) = events.iter().find(|e| !e.is_finite()) {
        return Err(Error::data(
            "events",
            format!("event time is not finite ({e})"),
        ));
    }
    let labels = labels_or_index(labels, spikes.len())?;
    let n_f = ((end - start) / bin_size - 1e-9).ceil().max(1.0);
    let m = events.len();
    crate::error::check_memory(
        &format!("a PSTH of {n_f:e} bins"),
        (n_f * 8.0 * (2 * spikes.len() + m) as f64).min(u64::MAX as f64) as u64,
        "raise `bin_size` or narrow the window",
    )?;
    let n_bins = n_f as usize;
    let mut mean = Array2::zeros((spikes.len(), n_bins));
    let mut sem = Array2::zeros((spikes.len(), n_bins));
    for (i, train) in spikes.iter().enumerate() {
        let mut s = train.clone();
        s.sort_by(f64::total_cmp);
        let mut per_event = Array2::<f64>::zeros((m, n_bins));
        for (k, &e) in events.iter().enumerate() {
            let lo = s.partition_point(|&x| x < e + start);
            let hi = s.partition_point(|&x| x < e + end);
            for &x in &s[lo..hi] {
                let b = (((x - e - start) / bin_size) as usize).min(n_bins - 1);
                per_event[[k, b]] += 1.0 / bin_size;
            }
        }
        for b in 0..n_bins {
            let col = per_event.column(b);
            let mu = col.sum() / m as f64;
            mean[[i, b]] = mu;
            if m > 1 {
                let var = col.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / (m - 1) as f64;
                sem[[i, b]] = (var / m as f64).sqrt();
            }
        }
    }
    Ok(Psth {
        t: (0..n_bins)
            .map(|b| start + (b as f64 + 0.5) * bin_size)
            .collect(),
        labels,
        mean,
        sem,
        n_events: m,
        bin_size,
    })
}

impl Psth {
    /// Mean rate +- SEM around the event, one line and band per unit.
    pub fn plot(&self) -> Figure {
        let mut plot = Plot::new();
        let t: Vec<f64> = self.t.iter().map(|&v| compact(v)).collect();
        for (i, name) in self.labels.iter().enumerate() {
            let m = self.mean.row(i);
            let s = self.sem.row(i);
            let hi: Vec<f64> = m.iter().zip(s).map(|(a, b)| compact(a + b)).collect();
            let lo: Vec<f64> = m.iter().zip(s).map(|(a, b)| compact(a - b)).collect();
            plot.add_trace(
                Scatter::new(t.clone(), lo)
                    .mode(Mode::Lines)
                    .line(Line::new().width(0.0))
                    .show_legend(false)
                    .legend_group(name.as_str())
                    .name(format!("{name} - sem")),
            );
            plot.add_trace(
                Scatter::new(t.clone(), hi)
                    .mode(Mode::Lines)
                    .line(Line::new().width(0.0))
                    .fill(Fill::ToNextY)
                    .show_legend(false)
                    .legend_group(name.as_str())
                    .name(format!("{name} + sem")),
            );
            plot.add_trace(
                Scatter::new(t.clone(), m.iter().map(|&v| compact(v)).collect())
                    .mode(Mode::Lines)
                    .legend_group(name.as_str())
                    .name(name.as_str()),
            );
        }
        plot.set_layout(layout(
            &format!("PSTH around {} events (mean +- sem)", self.n_events),
            "time from event (s)",
            "rate (Hz)",
        ));
        Figure::from(plot)
    }
}

crate::display::debug_via_display!(Psth);

impl std::fmt::Display for Psth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Psth: {} units, {} events, {} bins of {} s from {} s",
            self.labels.len(),
            self.n_events,
            self.t.len(),
            self.bin_size,
            self.t.first().copied().unwrap_or(0.0) - self.bin_size / 2.0
        )
    }
}

impl Render for Psth {
    fn bundle(&self) -> Bundle {
        let kv = KeyValues::new("PSTH")
            .row("units", self.labels.len(), "")
            .row("events", self.n_events, "")
            .row("bin_size", self.bin_size, "s");
        Bundle::figure(&self.plot(), &kv.to_html(), self.to_string())
    }
}

crate::display::evcxr_display_via_render!(Psth);

/// A heatmap of firing rates (Hz): time-major `counts` `(n_bins, n_units)` in
/// bins of `bin_size` seconds starting at `t0`, units on the y axis.
///
/// # Examples
/// ```
/// let c = canns::ndarray::Array2::<f64>::ones((100, 3));
/// let plot = canns::analysis::rate_heatmap(&c.view(), 0.1, 0.0, &[])?;
/// assert!(plot.to_json().contains("10.0") || plot.to_json().contains("10"));
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Param`] when `bin_size` is not positive, [`Error::Shape`] for a
/// wrong number of labels.
pub fn rate_heatmap(
    counts: &ArrayView2<f64>,
    bin_size: f64,
    t0: f64,
    labels: &[String],
) -> Result<Figure> {
    check::positive("bin_size", bin_size)?;
    let (n, m) = counts.dim();
    let labels = labels_or_index(labels, m)?;
    // Bound the figure: average consecutive bins down to at most 2000 columns.
    let step = n.div_ceil(2000).max(1);
    let cols = n.div_ceil(step);
    let x: Vec<f64> = (0..cols)
        .map(|c| compact(t0 + (c * step) as f64 * bin_size + step as f64 * bin_size / 2.0))
        .collect();
    let z: Vec<Vec<f64>> = (0..m)
        .map(|u| {
            (0..cols)
                .map(|c| {
                    let rows = c * step..((c + 1) * step).min(n);
                    let k = rows.len() as f64;
                    rows.map(|r| counts[[r, u]]).sum::<f64>() / k / bin_size
                })
                .collect()
        })
        .collect();
    let mut plot = Plot::new();
    plot.add_trace(
        HeatMap::new(x, (0..m).map(|i| i as f64).collect(), compact_matrix(z))
            .color_scale(plotly::common::ColorScale::Palette(
                plotly::common::ColorScalePalette::Viridis,
            ))
            .name("rate (Hz)"),
    );
    let ticks: Vec<f64> = (0..m).map(|i| i as f64).collect();
    plot.set_layout(
        layout("Firing rates (Hz)", "time (s)", "unit").y_axis(
            plotly::layout::Axis::new()
                .title(plotly::common::Title::from("unit"))
                .tick_values(ticks)
                .tick_text(labels),
        ),
    );
    Ok(Figure::from(plot))
}
