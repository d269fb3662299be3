//! Behaviour sampling shared by the tuning analyses: how long each sample
//! lasts (occupancy), which sample a spike falls in, circular time shifts for
//! shuffle controls, and percentiles.

use crate::error::{Error, Result};

/// The time each behaviour sample covers, in seconds: `t[i+1] - t[i]`, or 0
/// when that interval is longer than `max_gap` (a gap in tracking) or when
/// `valid(i)` is false. The last sample lasts the median interval.
pub(crate) fn sample_durations(t: &[f64], max_gap: f64, valid: impl Fn(usize) -> bool) -> Vec<f64> {
    let n = t.len();
    let mut d = vec![0.0; n];
    if n < 2 {
        return d;
    }
    let mut steps: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    for i in 0..n - 1 {
        let s = steps[i];
        if s <= max_gap && valid(i) {
            d[i] = s;
        }
    }
    steps.sort_by(f64::total_cmp);
    let median = steps[steps.len() / 2];
    if median <= max_gap && valid(n - 1) {
        d[n - 1] = median;
    }
    d
}

/// Checks behaviour timestamps: at least 2, finite, strictly increasing, and
/// `values` of the same length.
pub(crate) fn check_behaviour(what: &str, t: &[f64], values: &[usize]) -> Result<()> {
    if t.len() < 2 {
        return Err(Error::shape(
            format!("{what} timestamps"),
            "at least 2 samples",
            t.len(),
        ));
    }
    for &len in values {
        if len != t.len() {
            return Err(Error::shape(
                format!("{what} values against timestamps"),
                format!("{} samples", t.len()),
                len,
            ));
        }
    }
    for (i, w) in t.windows(2).enumerate() {
        if !(w[0].is_finite() && w[1].is_finite()) || w[1] <= w[0] {
            return Err(Error::data(
                what,
                format!(
                    "timestamps must be finite and strictly increasing (t[{i}] = {}, t[{}] = {})",
                    w[0],
                    i + 1,
                    w[1]
                ),
            ));
        }
    }
    Ok(())
}

/// The behaviour sample closest in time to a spike at `s` (as pynapple's
/// `value_from`), if that sample has a positive duration in `dur` and lies
/// within one sampling interval of `s` (so spikes and occupancy cover the
/// same time).
#[inline]
pub(crate) fn sample_of(t: &[f64], dur: &[f64], s: f64) -> Option<usize> {
    let k = t.partition_point(|&x| x <= s);
    let i = if k == 0 {
        0
    } else if k == t.len() || s - t[k - 1] <= t[k] - s {
        k - 1
    } else {
        k
    };
    (dur[i] > 0.0 && (s - t[i]).abs() <= dur[i]).then_some(i)
}

/// `s` shifted by `offset` and wrapped into `[t0, t0 + span)`.
#[inline]
pub(crate) fn wrap_shift(s: f64, offset: f64, t0: f64, span: f64) -> f64 {
    t0 + (s - t0 + offset).rem_euclid(span)
}

/// The `q`-th percentile (0..=100) of `v` by linear interpolation (as
/// `numpy.percentile`); NaN for an empty slice.
pub(crate) fn percentile(v: &[f64], q: f64) -> f64 {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return f64::NAN;
    }
    s.sort_by(f64::total_cmp);
    let pos = q / 100.0 * (s.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    s[lo] + (s[hi] - s[lo]) * (pos - lo as f64)
}

/// Checks spike trains: finite times.
pub(crate) fn check_spikes(spikes: &[Vec<f64>]) -> Result<()> {
    for (u, s) in spikes.iter().enumerate() {
        if let Some(i) = s.iter().position(|x| !x.is_finite()) {
            return Err(Error::data(
                "spike times",
                format!("unit {u}: spike {i} is not finite ({})", s[i]),
            ));
        }
    }
    Ok(())
}

/// Circular Gaussian smoothing of `v` (periodic), standard deviation `sd` in bins.
pub(crate) fn smooth_circular(v: &[f64], sd: f64) -> Vec<f64> {
    let n = v.len();
    if sd <= 0.0 || n == 0 {
        return v.to_vec();
    }
    let half = ((4.0 * sd).ceil() as usize).min(n / 2);
    let kernel: Vec<f64> = (0..=half)
        .map(|k| (-0.5 * (k as f64 / sd).powi(2)).exp())
        .collect();
    let mut out = vec![0.0; n];
    for (i, o) in out.iter_mut().enumerate() {
        let mut acc = v[i] * kernel[0];
        let mut norm = kernel[0];
        for (k, &w) in kernel.iter().enumerate().skip(1) {
            // Each offset once per side, even when the kernel spans the ring.
            if 2 * k > n {
                break;
            }
            acc += w * (v[(i + k) % n] + v[(i + n - k) % n]);
            norm += 2.0 * w;
        }
        *o = acc / norm;
    }
    out
}

/// Gaussian smoothing of a 2D map (standard deviation `sd` in bins), with
/// zeros beyond the edges; NaN entries count as 0.
pub(crate) fn smooth_2d(a: &ndarray::Array2<f64>, sd: f64) -> ndarray::Array2<f64> {
    let a = a.mapv(|v| if v.is_finite() { v } else { 0.0 });
    if sd <= 0.0 {
        return a;
    }
    let half = (3.0 * sd).ceil() as isize;
    let kernel: Vec<f64> = (-half..=half)
        .map(|k| (-0.5 * (k as f64 / sd).powi(2)).exp())
        .collect();
    let pass = |src: &ndarray::Array2<f64>, axis: usize| {
        let (n0, n1) = src.dim();
        let mut out = ndarray::Array2::zeros((n0, n1));
        for i in 0..n0 {
            for j in 0..n1 {
                let mut acc = 0.0;
                for (m, &w) in kernel.iter().enumerate() {
                    let d = m as isize - half;
                    let (ii, jj) = if axis == 0 {
                        (i as isize + d, j as isize)
                    } else {
                        (i as isize, j as isize + d)
                    };
                    if ii >= 0 && jj >= 0 && (ii as usize) < n0 && (jj as usize) < n1 {
                        acc += w * src[[ii as usize, jj as usize]];
                    }
                }
                out[[i, j]] = acc;
            }
        }
        out
    };
    pass(&pass(&a, 0), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_skip_gaps_and_invalid_samples() {
        let t = [0.0, 0.1, 0.2, 5.0, 5.1];
        let d = sample_durations(&t, 1.0, |i| i != 1);
        assert_eq!(d[0], 0.1);
        assert_eq!(d[1], 0.0);
        assert_eq!(d[2], 0.0); // 4.8 s gap
        assert!((d[4] - 0.1).abs() < 1e-12);
        assert_eq!(sample_of(&t, &d, 0.04), Some(0));
        assert_eq!(sample_of(&t, &d, 0.06), None); // closest to sample 1, invalid
        assert_eq!(sample_of(&t, &d, 4.99), Some(3));
        assert_eq!(sample_of(&t, &d, 2.0), None); // in the tracking gap
        assert_eq!(sample_of(&t, &d, -1.0), None);
    }

    #[test]
    fn percentile_matches_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 50.0), 2.5);
        assert!((percentile(&v, 99.0) - 3.97).abs() < 1e-12);
    }

    #[test]
    fn circular_smoothing_keeps_the_sum() {
        let mut v = vec![0.0; 36];
        v[0] = 1.0;
        let s = smooth_circular(&v, 2.0);
        assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((s[1] - s[35]).abs() < 1e-15);
    }
}
