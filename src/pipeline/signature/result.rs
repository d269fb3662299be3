//! Everything the pipeline computed, its figures and its summary.

use super::statistic::universal_shift;
use super::{SignatureParams, Statistic};
use crate::analysis::circular::CircularComparison;
use crate::display::{self, Bundle, Figure, KeyValues, Render, Series};
use crate::embed::Pca;
use crate::tda::sparse_circular::CircularCoordinates;
use crate::tda::{Diagrams, ToroidalCoordinates};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// Everything the pipeline computed, stage by stage.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // Eight cosine-tuned units on an angle turning at 1 rad/s, 300 bins of 0.1 s.
/// let angle: Vec<f64> = (0..300).map(|i| (0.1 * i as f64) % TWO_PI).collect();
/// let counts = Array2::from_shape_fn((300, 8), |(i, u)| {
///     5.0 * (1.0 + (angle[i] - u as f64 * TWO_PI / 8.0).cos())
/// });
/// let act = Activity::from_counts(counts, 0.1)?.with_angle(angle)?;
/// let r = SignatureParams::default().n_points(60).n_shuffles(3).run(&act)?;
/// // The more active half of the bins, 60 landmarks, one decoded angle per kept bin.
/// assert_eq!((r.n_bins, r.n_units, r.kept.len()), (300, 8, 150));
/// assert_eq!((r.landmarks.len(), r.coords.dim()), (60, (150, 1)));
/// assert_eq!((r.shuffle_max.len(), r.n_significant(1)), (3, 1));
/// assert!(r.circular.is_some() && r.toroidal.is_none());
/// assert!(r.to_string().starts_with("SignatureResult(150 points, H1: 1 significant, 3 shuffles"), "{r}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Clone, Serialize, Deserialize)]
pub struct SignatureResult {
    /// The parameters used.
    pub params: SignatureParams,
    /// Bin width, seconds.
    pub bin_size: f64,
    /// Bins in the input.
    pub n_bins: usize,
    /// Units in the input.
    pub n_units: usize,
    /// Indices of the kept bins (stage 3).
    pub kept: Vec<usize>,
    /// Centre times of the kept bins, seconds.
    pub times: Vec<f64>,
    /// `(n_kept, dim)`: the point cloud (stage 4).
    pub points: Array2<f64>,
    /// The PCA, when asked for.
    pub pca: Option<Pca>,
    /// Landmarks handed to persistent homology: indices into `points` (stage 5).
    pub landmarks: Vec<usize>,
    /// Largest Euclidean distance from a point to its nearest landmark.
    pub cover_radius: f64,
    /// Persistence diagrams of the landmarks (stage 6).
    pub diagrams: Diagrams,
    /// `shuffle_max[s][d]`: largest [`Statistic`] (`params.statistic`) of
    /// dimension `d` in shuffle `s` (stage 7).
    pub shuffle_max: Vec<Vec<f64>>,
    /// `band[d]`: the `quantile` of `shuffle_max[.][d]` (NaN without
    /// shuffles), in the statistic's units.
    pub band: Vec<f64>,
    /// `(n_kept, n_classes)`: decoded angles, radians (stage 8).
    pub coords: Array2<f64>,
    /// The circular coordinates (one class).
    pub circular: Option<CircularCoordinates>,
    /// The toroidal coordinates (two classes).
    pub toroidal: Option<ToroidalCoordinates>,
    /// The measured angle at the kept bins, if given.
    pub measured: Option<Vec<f64>>,
    /// Decoded against measured angle (stage 9), the best-matching coordinate.
    pub comparison: Option<CircularComparison>,
}

impl SignatureResult {
    /// Lifetimes of dimension `dim`, longest first (infinite bars end at
    /// the threshold).
    pub fn lifetimes(&self, dim: usize) -> Vec<f64> {
        let top = self.diagrams.threshold;
        self.diagrams
            .longest(dim, usize::MAX)
            .iter()
            .map(|p| p.1.min(top) - p.0)
            .collect()
    }

    /// The statistic ([`SignatureParams::statistic`]) of every bar of dimension
    /// `dim`, largest first (H0 without its infinite bars).
    pub fn statistics(&self, dim: usize) -> Vec<f64> {
        let mut v = self.params.statistic.of_bars(&self.diagrams, dim);
        v.sort_by(|a, b| b.total_cmp(a));
        v
    }

    /// Bars of dimension `dim` whose statistic exceeds the shuffle band
    /// (all bars of dimension >= 1 when there were no shuffles; H0 never
    /// counts its infinite bars).
    pub fn n_significant(&self, dim: usize) -> usize {
        let band = self.band.get(dim).copied().unwrap_or(f64::NAN);
        let band = if band.is_nan() { 0.0 } else { band };
        self.statistics(dim).iter().filter(|&&v| v > band).count()
    }

    /// The `k`-th largest statistic of dimension `dim` over the shuffle
    /// band (> 1: beyond the band; NaN without shuffles).
    pub fn relative_persistence(&self, dim: usize, k: usize) -> f64 {
        let l = self.statistics(dim).get(k).copied().unwrap_or(0.0);
        l / self.band.get(dim).copied().unwrap_or(f64::NAN)
    }

    /// Bobrowski & Skraba's (2023) p-values of the bars of dimension `dim`
    /// (>= 1), most persistent first, without shuffles: with `pi = death /
    /// birth` (infinite deaths at the threshold) and `L = ln ln pi`, the
    /// standardised `l = L - mean(L) - gamma` (Euler's gamma; `A = 1`,
    /// `B = -gamma - mean(L)` for Rips, their eqs. 3-4) follows the
    /// left-skewed Gumbel law under noise, so `p = exp(-exp(l))`. Compare
    /// with `alpha / n_bars` (Bonferroni). Empty with fewer than two bars.
    ///
    /// # References
    /// O. Bobrowski, P. Skraba (2023), A universal null-distribution for
    /// topological data analysis, Sci. Rep. 13:12274.
    pub fn universal_p_values(&self, dim: usize) -> Vec<f64> {
        if dim == 0 {
            return Vec::new();
        }
        let l = Statistic::Universal.of_bars(&self.diagrams, dim);
        if l.len() < 2 {
            return Vec::new();
        }
        let mut p: Vec<f64> = l.iter().map(|x| (-x.exp()).exp()).collect();
        p.sort_by(f64::total_cmp);
        p
    }

    /// Barcode of dimensions >= 1 (the 15 longest bars of each): the
    /// diagrams' own barcode ([`Diagrams::plot_barcode`]), each bar
    /// overlaid from its birth by the shuffle band (dashed, grey).
    pub fn plot_barcode(&self) -> Figure {
        let (mut series, bars) = self.diagrams.barcode(1, 15);
        let top = self.diagrams.threshold;
        let (mut bx, mut by) = (Vec::new(), Vec::new());
        for &(d, birth, _, row) in &bars {
            let band = self.band.get(d).copied().unwrap_or(f64::NAN);
            if !band.is_finite() {
                continue;
            }
            let end = match self.params.statistic {
                Statistic::Lifetime => birth + band,
                Statistic::Ratio => birth * band,
                // Back from l to the ratio in this diagram.
                Statistic::Universal => {
                    birth * (band + universal_shift(&self.diagrams, d)).exp().exp()
                }
            };
            bx.extend([birth, end.min(top), f64::NAN]);
            by.extend([row + 0.3, row + 0.3, f64::NAN]);
        }
        if !bx.is_empty() {
            series.push(Series::dashed(
                format!("shuffle band ({:.0}%)", 100.0 * self.params.quantile),
                bx,
                by,
            ));
        }
        crate::tda::rips::barcode_figure("Barcode with shuffle significance band", series, &bars)
    }

    /// The point cloud on its first three principal components, coloured by
    /// the measured angle (or the first decoded one).
    pub fn plot_embedding(&self) -> Figure {
        let k = self.points.ncols().min(3);
        let proj = Pca::params()
            .n_components(k)
            .fit_transform(&self.points.view())
            .map(|p| p.1)
            .unwrap_or_else(|_| self.points.clone());
        let colour: Vec<f64> = match &self.measured {
            Some(m) => m
                .iter()
                .map(|v| if v.is_finite() { *v } else { 0.0 })
                .collect(),
            None => self.coords.column(0).to_vec(),
        };
        let title = if self.measured.is_some() {
            "Activity (PCA), coloured by the measured angle"
        } else {
            "Activity (PCA), coloured by the decoded angle"
        };
        display::scatter(title, &proj.view(), Some(&colour), "PC")
            .expect("1 to 3 columns and one colour per point")
    }

    /// Decoded angle(s) (aligned to the measured one when there is one)
    /// and the measured angle against time.
    pub fn plot_decoded(&self) -> Figure {
        let mut series = Vec::new();
        for c in 0..self.coords.ncols() {
            let y: Vec<f64> = match &self.comparison {
                Some(cmp) if cmp.class == c => self
                    .coords
                    .column(c)
                    .iter()
                    .map(|t| crate::space::wrap(cmp.sign * t + cmp.offset))
                    .collect(),
                _ => self
                    .coords
                    .column(c)
                    .iter()
                    .map(|t| crate::space::wrap(*t))
                    .collect(),
            };
            series.push(Series::markers(
                format!("decoded {}", c + 1),
                self.times.clone(),
                y,
            ));
        }
        if let Some(m) = &self.measured {
            series.push(Series::markers("measured", self.times.clone(), m.clone()));
        }
        display::lines(
            "Decoded and measured angle",
            "time (s)",
            "angle (rad)",
            series,
        )
    }

    /// The summary table.
    pub fn summary(&self) -> KeyValues {
        let mut kv = KeyValues::new("Attractor signature")
            .row(
                "input",
                format!("{} bins x {} units", self.n_bins, self.n_units),
                format!("{} s bins", self.bin_size),
            )
            .row(
                "kept bins",
                self.kept.len(),
                "after speed filter, stride and activity selection",
            )
            .row(
                "point cloud",
                format!("{} x {}", self.points.nrows(), self.points.ncols()),
                if self.pca.is_some() { "PCA" } else { "rates" },
            )
            .row(
                "landmarks",
                self.landmarks.len(),
                format!("cover radius {:.4}", self.cover_radius),
            )
            .row(
                "shuffles",
                self.shuffle_max.len(),
                format!(
                    "band = {:.0}% quantile of the largest shuffled {}",
                    100.0 * self.params.quantile,
                    match self.params.statistic {
                        Statistic::Ratio => "death/birth",
                        Statistic::Lifetime => "lifetime",
                        Statistic::Universal => "standardised ln ln(death/birth)",
                    }
                ),
            );
        for d in 1..self.diagrams.pairs.len() {
            let l = self.lifetimes(d);
            let st = self.statistics(d);
            let name = match self.params.statistic {
                Statistic::Ratio => "death/birth",
                Statistic::Lifetime => "lifetime",
                Statistic::Universal => "standardised ln ln(death/birth)",
            };
            kv = kv.row(
                format!("H{d}"),
                format!("{} significant", self.n_significant(d)),
                format!(
                    "{name}: largest {:.4}, next {:.4}, band {:.4}; lifetimes {:.4}, {:.4}",
                    st.first().copied().unwrap_or(0.0),
                    st.get(1).copied().unwrap_or(0.0),
                    self.band.get(d).copied().unwrap_or(f64::NAN),
                    l.first().copied().unwrap_or(0.0),
                    l.get(1).copied().unwrap_or(0.0),
                ),
            );
        }
        if let Some(c) = &self.comparison {
            kv = kv.row(
                "decoded vs measured",
                format!("r = {:.3}", c.correlation),
                format!(
                    "circular correlation over {} bins; mean |error| {:.1} deg, {}",
                    c.n,
                    c.mean_abs_error.to_degrees(),
                    if c.sign > 0.0 {
                        "same direction"
                    } else {
                        "reflected"
                    }
                ),
            );
        }
        kv
    }

    /// A standalone HTML report: the summary and the three figures.
    pub fn to_html(&self) -> String {
        let body = format!(
            "{}{}{}{}{}",
            self.summary().to_html(),
            self.plot_barcode().plot().to_inline_html(Some("barcode")),
            self.diagrams.plot_diagram().to_inline_html(Some("diagram")),
            self.plot_embedding().to_inline_html(Some("embedding")),
            self.plot_decoded().to_inline_html(Some("decoded")),
        );
        display::standalone_html("Attractor signature", &body)
    }
}

impl Render for SignatureResult {
    fn bundle(&self) -> Bundle {
        let mut b = Bundle::figure(
            self.plot_barcode().plot(),
            &self.summary().to_html(),
            format!("{self}"),
        );
        b.html.push_str(&display::plot_html(&self.plot_embedding()));
        b.html.push_str(&display::plot_html(&self.plot_decoded()));
        b
    }
}

crate::display::debug_via_display!(SignatureResult);

impl std::fmt::Display for SignatureResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sig: Vec<String> = (1..self.diagrams.pairs.len())
            .map(|d| format!("H{d}: {} significant", self.n_significant(d)))
            .collect();
        write!(
            f,
            "SignatureResult({} points, {}, {} shuffles{})",
            self.points.nrows(),
            sig.join(", "),
            self.shuffle_max.len(),
            self.comparison
                .as_ref()
                .map(|c| format!(", r = {:.3}", c.correlation))
                .unwrap_or_default()
        )
    }
}

display::evcxr_display_via_render!(SignatureResult);
