//! Spikes from firing rates: the crate's one Poisson sampler.
//!
//! A cell firing at `r(t)` Hz emits, in a window of `dt` seconds, a count
//! `k ~ Poisson(r dt)`; windows are independent. [`poisson_counts`] returns
//! the counts of each window (a time-major matrix, as
//! [`BinnedSpikes`](super::BinnedSpikes) holds them), [`poisson_spikes`] the
//! same draws as a long spike table (`unit`, `t`), one row per spike. Both
//! are seeded, so a run is reproducible.
//!
//! A Poisson count rather than one Bernoulli trial per step (RatInABox's
//! rule, `P(spike) = r dt`): the two agree when `r dt` is small, and the
//! count stays right when it is not (a 200 Hz cell in 10 ms steps fires
//! twice per step on average, which one trial per step cannot show).
//!
//! # Examples
//! ```
//! use canns::data::synthetic::{poisson_counts, poisson_spikes};
//! use canns::ndarray::Array2;
//! let rates = Array2::from_elem((1000, 2), 20.0); // 20 Hz, 1000 steps of 10 ms
//! let counts = poisson_counts(&rates.view(), 0.01, 3)?;
//! let t: Vec<f64> = (0..1000).map(|i| i as f64 * 0.01).collect();
//! let spikes = poisson_spikes(&rates.view(), &t, 0.01, 3)?;
//! // The same draws: one spike row per counted spike.
//! assert_eq!(spikes.height() as f64, counts.sum());
//! assert!((counts.sum() - 400.0).abs() < 80.0);
//! # Ok::<(), canns::Error>(())
//! ```

use super::col;
use crate::error::{Error, Result};
use crate::params::check;
use ndarray::{Array2, ArrayView2};
use polars::prelude::{Column, DataFrame};
use rand::Rng;
use rand_distr::{Distribution, Poisson};

/// One Poisson draw of mean `mean` (0 for a mean of 0).
fn draw(mean: f64, rng: &mut impl Rng) -> f64 {
    if mean <= 0.0 {
        return 0.0;
    }
    Poisson::new(mean)
        .expect("a positive finite mean is a valid Poisson mean")
        .sample(rng)
}

/// Checks that every rate is finite and >= 0, naming the first bad one.
fn check_rates(rates: &ArrayView2<f64>) -> Result<()> {
    match rates
        .indexed_iter()
        .find(|(_, r)| !(r.is_finite() && **r >= 0.0))
    {
        Some(((i, u), r)) => Err(Error::Invalid(format!(
            "rates[{i}, {u}] must be finite and >= 0 Hz (got {r})"
        ))),
        None => Ok(()),
    }
}

/// Poisson spike counts in windows of `bin_size` seconds from firing rates
/// (Hz): `counts[i, u] ~ Poisson(rates[i, u] * bin_size)`, seeded. Use it
/// to give rates from the project's cells (e.g.
/// [`GridCells::rates`](crate::spatial::GridCells::rates)) the
/// noise of a recording.
///
/// # Shapes
/// `rates` and the result: `(n_bins, n_units)`.
///
/// # Examples
/// ```
/// use canns::ndarray::array;
/// let c = canns::data::synthetic::poisson_counts(&array![[0.0, 1000.0]].view(), 0.1, 0)?;
/// assert_eq!(c[[0, 0]], 0.0);
/// assert!((c[[0, 1]] - 100.0).abs() < 50.0);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Param`] naming `bin_size` when it is not positive;
/// [`Error::Invalid`] for a negative or non-finite rate.
pub fn poisson_counts(rates: &ArrayView2<f64>, bin_size: f64, seed: u64) -> Result<Array2<f64>> {
    check::positive("bin_size", bin_size)?;
    check_rates(rates)?;
    let mut rng = crate::random::seeded(seed);
    Ok(sample_counts(rates, bin_size, &mut rng))
}

/// The draws behind [`poisson_counts`], from a caller's generator (for a
/// simulation that draws its walk and its spikes from one seeded stream),
/// row by row. Rates are assumed checked (finite, >= 0).
pub(crate) fn sample_counts(
    rates: &ArrayView2<f64>,
    bin_size: f64,
    rng: &mut impl Rng,
) -> Array2<f64> {
    rates.mapv(|r| draw(r * bin_size, rng))
}

/// Poisson spikes from rates sampled every `dt` seconds: the counts of
/// [`poisson_counts`] (same seed, same draws) as a spike table, each of
/// the `k` spikes of cell `u` in step `i` at `times[i]`.
///
/// # Shapes
/// `rates`: `(n_steps, n_cells)` (Hz), `times`: `(n_steps,)` (s). The result
/// has columns `unit` (u32) and `t` (f64), sorted by time, as a
/// [`Recording`](super::Recording)'s spike table.
///
/// # Examples
/// ```
/// use canns::ndarray::array;
/// let s = canns::data::synthetic::poisson_spikes(&array![[0.0, 500.0], [0.0, 500.0]].view(), &[0.0, 0.1], 0.1, 1)?;
/// assert!(s.height() > 50); // ~100 spikes, all of unit 1
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Shape`] when `times` does not match `rates`; [`Error::Param`]
/// when `dt` is not positive; [`Error::Invalid`] for a negative or
/// non-finite rate.
pub fn poisson_spikes(
    rates: &ArrayView2<f64>,
    times: &[f64],
    dt: f64,
    seed: u64,
) -> Result<DataFrame> {
    if times.len() != rates.nrows() {
        return Err(Error::shape(
            "spike times (one per row of rates)",
            rates.nrows(),
            times.len(),
        ));
    }
    let counts = poisson_counts(rates, dt, seed)?;
    let (mut unit, mut t) = (Vec::new(), Vec::new());
    for (row, &tt) in counts.rows().into_iter().zip(times) {
        for (j, &k) in row.iter().enumerate() {
            for _ in 0..k as usize {
                unit.push(j as u32);
                t.push(tt);
            }
        }
    }
    let n = t.len();
    Ok(DataFrame::new(
        n,
        vec![
            Column::new(col::UNIT.into(), unit),
            Column::new(col::T.into(), t),
        ],
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spikes_follow_rates() {
        let rates = Array2::from_elem((10_000, 2), 10.0);
        let t: Vec<f64> = (0..10_000).map(|i| i as f64 * 0.01).collect();
        let df = poisson_spikes(&rates.view(), &t, 0.01, 1).unwrap();
        // 2 cells x 100 s x 10 Hz = 2000 expected, sd ~ 45.
        assert!(
            (df.height() as f64 - 2000.0).abs() < 200.0,
            "{}",
            df.height()
        );
    }

    #[test]
    fn bad_rates_are_named() {
        let mut rates = Array2::from_elem((3, 2), 1.0);
        rates[[2, 1]] = -1.0;
        let e = poisson_counts(&rates.view(), 0.1, 0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("rates[2, 1]") && e.contains("-1"), "{e}");
        rates[[2, 1]] = f64::NAN;
        let e = poisson_spikes(&rates.view(), &[0.0, 0.1, 0.2], 0.1, 0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("NaN"), "{e}");
        assert!(poisson_spikes(&rates.view(), &[0.0], 0.1, 0).is_err());
        assert!(poisson_counts(&rates.view(), 0.0, 0).is_err());
    }
}
