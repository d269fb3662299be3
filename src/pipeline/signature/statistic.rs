//! Stage 7: the per-bar statistic compared with the shuffles, and the
//! thresholds drawn from them.

use crate::tda::Diagrams;
use serde::{Deserialize, Serialize};

/// The per-bar statistic compared with the shuffles (stage 7).
///
/// Circularly shifting units decorrelates them, which spreads the shuffled
/// cloud over a larger volume than the real one: its bars are born *and*
/// die later. A raw lifetime `death - birth` then grows with the cloud's
/// scale and a real ring can lose against noise that is merely wider (on the
/// seven ADn units of A2929-200711, the real ring lives 0.76 while the
/// longest shuffled bars live 0.85-1.32). The ratio `death / birth` is
/// unchanged when a cloud is scaled, and for a Rips filtration the birth of
/// a cycle is the local sampling scale around it, so the ratio measures how
/// many times larger than the local noise the hole is: the default. On the
/// ADn ring (`cargo test --test signature_real`) the ratio is 2.60 against
/// a shuffle band of 1.99, while the raw lifetime (1.08) stays under its
/// band (1.09).
///
/// The ratios of small noise bars still depend on the cloud's intrinsic
/// dimension: a 2D torus sampled by 200 landmarks has sampling holes with
/// larger ratios than any bar of a shuffled 6D blob, so the ratio calls
/// them significant. Bobrowski & Skraba's standardisation subtracts the
/// mean `ln ln` ratio of the diagram and removes that dependence
/// ([`Statistic::Universal`]; on grid cells exactly two H1 bars and one H2
/// bar pass, `cargo test --test signature_grid`). It needs a bulk of
/// noise bars to standardise by: on clean data with one or two H1 bars it
/// says nothing (one bar alone always gets `-gamma`), hence not the
/// default.
///
/// # Example
/// ```
/// use canns::pipeline::{SignatureParams, Statistic};
/// // The same bar in a cloud ten times larger: its ratio is unchanged, its
/// // lifetime is not.
/// let (small, large) = ((0.5, 2.0), (5.0, 20.0));
/// assert_eq!(Statistic::Ratio.of(1, small, 100.0), Statistic::Ratio.of(1, large, 100.0));
/// assert_eq!(Statistic::Lifetime.of(1, large, 100.0), 10.0 * Statistic::Lifetime.of(1, small, 100.0));
/// // The pipeline compares the chosen statistic with its shuffles.
/// let p = SignatureParams::default().statistic(Statistic::Lifetime);
/// assert_eq!(p.statistic, Statistic::Lifetime);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    /// Multiplicative persistence `pi = death / birth` (Bobrowski & Skraba
    /// 2023, eq. 1). Infinite bars die at the threshold; a bar
    /// born at 0 (never in H1 of distinct points) counts as infinitely
    /// persistent. H0 bars, all born at 0, use their lifetime.
    Ratio,
    /// Lifetime `death - birth` in the filtration's units (Gardner et al.
    /// 2022 compare it with shuffles); infinite bars die at the threshold.
    Lifetime,
    /// Bobrowski & Skraba's (2023, eqs. 3-4) standardised
    /// `l = ln ln pi - mean(ln ln pi) - gamma` (Euler's gamma; the mean
    /// over the bars of the same dimension and diagram, `A = 1` for Rips):
    /// the ratio measured against the diagram's own bulk of small bars, so
    /// that clouds of different intrinsic dimension (a 2D torus against a
    /// 6D shuffled blob, whose noise bars have smaller ratios) compare
    /// fairly. Under noise `l` follows the left-skewed Gumbel law
    /// (`P(l > x) = exp(-e^x)`). H0 uses the lifetime.
    Universal,
}

impl Statistic {
    /// The statistic of the bar `(birth, death)` of dimension `dim` in a
    /// filtration cut at `threshold` ([`Statistic::Universal`] gives the
    /// ratio here: its standardisation needs the whole diagram, see
    /// [`Statistic::of_bars`]).
    ///
    /// # Examples
    /// ```
    /// use canns::pipeline::Statistic;
    /// assert_eq!(Statistic::Ratio.of(1, (0.5, 2.0), 10.0), 4.0);
    /// assert_eq!(Statistic::Lifetime.of(1, (0.5, 2.0), 10.0), 1.5);
    /// // Infinite bars end at the threshold.
    /// assert_eq!(Statistic::Ratio.of(1, (0.5, f64::INFINITY), 10.0), 20.0);
    /// ```
    pub fn of(self, dim: usize, bar: (f64, f64), threshold: f64) -> f64 {
        let death = bar.1.min(threshold);
        match self {
            Statistic::Ratio | Statistic::Universal if dim > 0 => {
                if bar.0 > 0.0 {
                    death / bar.0
                } else {
                    f64::INFINITY
                }
            }
            _ => death - bar.0,
        }
    }

    /// The statistic of every bar of dimension `dim` of `diagrams`, in the
    /// bars' order (H0 without its infinite bars).
    ///
    /// # Examples
    /// ```
    /// use canns::pipeline::Statistic;
    /// use canns::tda::Diagrams;
    /// let d = Diagrams {
    ///     pairs: vec![vec![], vec![(1.0, 1.1), (2.0, 2.2), (1.0, 1.1), (1.0, 8.0)]],
    ///     cocycles: vec![],
    ///     threshold: 100.0,
    ///     coeff: 47,
    ///     n_points: 10,
    ///     idx_perm: (0..10).collect(),
    ///     cover_radius: 0.0,
    /// };
    /// let ratio = Statistic::Ratio.of_bars(&d, 1);
    /// assert!((ratio[1] - 1.1).abs() < 1e-12 && ratio[3] == 8.0);
    /// // Standardised: the three noise bars alike, the long one far above.
    /// let l = Statistic::Universal.of_bars(&d, 1);
    /// assert!((l[0] - l[1]).abs() < 1e-9 && l[3] > l[0] + 3.0);
    /// // Scaling the cloud changes neither.
    /// let mut big = d.clone();
    /// big.pairs[1].iter_mut().for_each(|p| *p = (10.0 * p.0, 10.0 * p.1));
    /// big.threshold = 1000.0;
    /// assert_eq!(Statistic::Universal.of_bars(&big, 1), l);
    /// ```
    pub fn of_bars(self, diagrams: &Diagrams, dim: usize) -> Vec<f64> {
        let th = diagrams.threshold;
        let v: Vec<f64> = diagrams.pairs.get(dim).map_or(Vec::new(), |ps| {
            ps.iter()
                .filter(|p| dim > 0 || p.1.is_finite())
                .map(|&p| self.of(dim, p, th))
                .collect()
        });
        if self != Statistic::Universal || dim == 0 {
            return v;
        }
        let shift = universal_shift(diagrams, dim);
        v.iter().map(|pi| pi.ln().ln() - shift).collect()
    }
}

/// `mean(ln ln pi) + gamma` over the finite ratios of dimension `dim`
/// (0 without any): what [`Statistic::Universal`] subtracts.
pub(super) fn universal_shift(d: &Diagrams, dim: usize) -> f64 {
    const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;
    let ll: Vec<f64> = d.pairs.get(dim).map_or(Vec::new(), |ps| {
        ps.iter()
            .map(|&p| Statistic::Ratio.of(dim.max(1), p, d.threshold).ln().ln())
            .filter(|x| x.is_finite())
            .collect()
    });
    if ll.is_empty() {
        return 0.0;
    }
    ll.iter().sum::<f64>() / ll.len() as f64 + EULER_GAMMA
}

/// Largest statistic of each dimension (H0 without its infinite bars, the
/// connected components that never merge below the threshold).
pub(super) fn largest_statistic(d: &Diagrams, stat: Statistic) -> Vec<f64> {
    (0..d.pairs.len())
        .map(|dim| {
            // A dimension without bars contributes the smallest value the
            // statistic can take.
            let floor = match stat {
                Statistic::Universal if dim > 0 => f64::NEG_INFINITY,
                Statistic::Ratio if dim > 0 => 1.0,
                _ => 0.0,
            };
            stat.of_bars(d, dim).into_iter().fold(floor, f64::max)
        })
        .collect()
}

pub(super) fn quantile(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let pos = q * (s.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    if lo == hi || s[lo] == s[hi] {
        return s[lo];
    }
    // An infinite end point (a shuffle without bars) leaves no room to
    // interpolate: take the upper one.
    if !(s[lo].is_finite() && s[hi].is_finite()) {
        return s[hi];
    }
    s[lo] + (pos - lo as f64) * (s[hi] - s[lo])
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn quantile_interpolates() {
        assert_eq!(quantile(&[0.0, 1.0, 2.0], 0.5), 1.0);
        assert_eq!(quantile(&[0.0, 1.0], 0.25), 0.25);
        assert_eq!(quantile(&[f64::NEG_INFINITY, 1.0], 0.5), 1.0);
        assert_eq!(quantile(&[f64::NEG_INFINITY; 2], 0.5), f64::NEG_INFINITY);
    }
}
