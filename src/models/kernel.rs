//! Circular convolution of firing rates with a translation-invariant (documented in the parent module)

use crate::models::dense::{axpy, matvec_serial};
use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftPlanner};
use serde::{Deserialize, Serialize};
use std::f64::consts::TAU;
use std::sync::Arc;

/// How the recurrent input is computed.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // The FFT path and the exact direct sum give the same dynamics.
/// let mut fft = Cann1d::params().num(64).build()?;
/// let mut dense = Cann1d::params().num(64).recurrence(Recurrence::Dense).build()?;
/// let input = fft.stimulus_at(&[0.3])?;
/// for _ in 0..50 {
///     fft.step(0.1, &input)?;
///     dense.step(0.1, &input)?;
/// }
/// let gap = fft.u().iter().zip(dense.u()).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
/// assert!(gap < 1e-9, "{gap}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    /// Real FFT, O(N log N) per step (default).
    #[default]
    Fft,
    /// Exact direct sum, O(N^2) per step (O(N^4) on the torus): the oracle.
    Dense,
}

impl std::str::FromStr for Recurrence {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "fft" => Ok(Self::Fft),
            "dense" => Ok(Self::Dense),
            _ => Err(format!("unknown recurrence {s:?} (expected fft or dense)")),
        }
    }
}

/// A circular convolution operator on an `n0 x n1` periodic lattice (n0 = 1
/// for the ring), built from the kernel `w[i * n1 + j] = W(i, j)` where
/// `(i, j)` is the lattice offset.
///
/// # Example
/// ```
/// use canns::models::{CircularConv, Recurrence};
/// // `out[i] = sum_j w[(i - j) mod n] x[j]` on a ring of 8: a kernel of 1 at
/// // offset 0 and 0.5 at offset +1 copies x and spreads half of it one step on.
/// let mut w = vec![0.0; 8];
/// w[0] = 1.0;
/// w[1] = 0.5;
/// let mut conv = CircularConv::new(1, 8, w, Recurrence::Fft);
/// let mut x = vec![0.0; 8];
/// x[7] = 2.0;
/// let mut out = vec![0.0; 8];
/// conv.apply(&x, &mut out);
/// assert!((out[7] - 2.0).abs() < 1e-12 && (out[0] - 1.0).abs() < 1e-12); // wraps around
/// assert!(out[1..7].iter().all(|o| o.abs() < 1e-12));
/// ```
#[derive(Clone)]
pub struct CircularConv {
    n0: usize,
    n1: usize,
    mode: Recurrence,
    kernel: Vec<f64>,
    spectrum: Vec<Complex<f64>>,
    r2c: Arc<dyn RealToComplex<f64>>,
    c2r: Arc<dyn ComplexToReal<f64>>,
    col_fwd: Option<Arc<dyn Fft<f64>>>,
    col_inv: Option<Arc<dyn Fft<f64>>>,
    rows: Vec<Complex<f64>>,
    cols: Vec<Complex<f64>>,
    real_buf: Vec<f64>,
    scratch: Vec<Complex<f64>>,
    /// Columns `k1 < band` of the half spectrum are transformed; the kernel's
    /// spectrum is zero beyond (see [`CircularConv::limit_band`]).
    band: usize,
}

impl std::fmt::Debug for CircularConv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CircularConv({}x{}, {:?})", self.n0, self.n1, self.mode)
    }
}

impl CircularConv {
    /// Builds the operator for a kernel on an `n0 x n1` lattice.
    ///
    /// # Panics
    /// Never for the sizes the models validate (`n0, n1 >= 1`,
    /// `kernel.len() == n0 * n1`); the models call it only after validation.
    pub fn new(n0: usize, n1: usize, kernel: Vec<f64>, mode: Recurrence) -> Self {
        assert_eq!(kernel.len(), n0 * n1, "kernel must hold n0 * n1 values");
        let h = n1 / 2 + 1;
        let mut rp = RealFftPlanner::<f64>::new();
        let r2c = rp.plan_fft_forward(n1);
        let c2r = rp.plan_fft_inverse(n1);
        let (col_fwd, col_inv) = if n0 > 1 {
            let mut cp = FftPlanner::<f64>::new();
            (Some(cp.plan_fft_forward(n0)), Some(cp.plan_fft_inverse(n0)))
        } else {
            (None, None)
        };
        let scratch_len = [
            r2c.get_scratch_len(),
            c2r.get_scratch_len(),
            col_fwd.as_ref().map_or(0, |f| f.get_inplace_scratch_len()),
            col_inv.as_ref().map_or(0, |f| f.get_inplace_scratch_len()),
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        let mut conv = Self {
            n0,
            n1,
            mode,
            kernel: kernel.clone(),
            spectrum: vec![Complex::default(); n0 * h],
            r2c,
            c2r,
            col_fwd,
            col_inv,
            rows: vec![Complex::default(); n0 * h],
            cols: vec![Complex::default(); n0 * h],
            real_buf: vec![0.0; n1],
            scratch: vec![Complex::default(); scratch_len],
            band: h,
        };
        conv.forward(&kernel);
        let scale = 1.0 / (n0 * n1) as f64;
        conv.spectrum = conv.cols.iter().map(|c| c * scale).collect();
        conv
    }

    /// The computation mode.
    pub fn mode(&self) -> Recurrence {
        self.mode
    }

    /// The kernel values by lattice offset.
    pub fn kernel(&self) -> &[f64] {
        &self.kernel
    }

    /// Keeps only the columns `k1 < band` of the kernel's half spectrum (the
    /// frequencies `|k1| < band` along the second axis) and returns the sum
    /// `B` of the moduli of the normalised spectrum values dropped: the FFT
    /// product then differs from the full one by at most `B sum_j |x_j|` at
    /// every lattice point (each dropped term contributes at most `|K(k)|
    /// |X(k)|` with `|X(k)| <= sum |x|`).
    ///
    /// A kernel whose spectrum is negligible beyond a few frequencies (a
    /// Gaussian several lattice steps wide) then costs the column transforms
    /// of the band only, in both directions, instead of `n1 / 2 + 1` columns.
    /// The dense path is unaffected.
    pub(crate) fn limit_band(&mut self, band: usize) -> f64 {
        let (n0, h) = (self.n0, self.n1 / 2 + 1);
        let band = band.clamp(1, h);
        let dropped = self.spectrum[band * n0..].iter().map(|c| c.norm()).sum();
        self.spectrum[band * n0..]
            .iter_mut()
            .for_each(|c| *c = Complex::default());
        self.band = band;
        dropped
    }

    /// Columns `k1 < band` of the half spectrum are transformed (the others
    /// are zero in the kernel's spectrum): `n1 / 2 + 1` unless
    /// [`CircularConv::limit_band`] narrowed it.
    #[cfg(test)]
    pub(crate) fn band(&self) -> usize {
        self.band
    }

    /// 2D real FFT of `x` into `self.cols` (column-major half spectrum; only
    /// the columns `k1 < band` are written).
    fn forward(&mut self, x: &[f64]) {
        let (n0, n1, h, b) = (self.n0, self.n1, self.n1 / 2 + 1, self.band);
        for (row, out) in x.chunks_exact(n1).zip(self.rows.chunks_exact_mut(h)) {
            self.real_buf.copy_from_slice(row);
            self.r2c
                .process_with_scratch(&mut self.real_buf, out, &mut self.scratch)
                .expect("buffer lengths match the plan");
        }
        if let Some(f) = &self.col_fwd {
            transpose_cols(&self.rows, &mut self.cols[..b * n0], n0, h, b);
            f.process_with_scratch(&mut self.cols[..b * n0], &mut self.scratch);
        } else {
            self.cols.copy_from_slice(&self.rows);
        }
    }

    /// `out = W * x` (circular convolution).
    pub fn apply(&mut self, x: &[f64], out: &mut [f64]) {
        match self.mode {
            Recurrence::Fft => self.apply_fft(x, out),
            Recurrence::Dense => self.apply_dense(x, out),
        }
    }

    fn apply_fft(&mut self, x: &[f64], out: &mut [f64]) {
        self.apply_fft_adding(x, out, |_, _, _| {});
    }

    /// `out = W * x + y` by FFT, where the real field `y` is given by its
    /// spectrum: `add(spec, n0, h)` adds the unnormalised inverse-DFT
    /// coefficients `Y(k0, k1)` of `y` (so `y(i0, i1) = sum Y(k0, k1)
    /// e^{2 pi i (k0 i0 / n0 + k1 i1 / n1)}`) for `k1` in `0..h = n1/2 + 1`
    /// into `spec[k1 * n0 + k0]`. A field known by its Fourier series (an
    /// input at off-lattice centres) then costs no transform of its own.
    pub(crate) fn apply_fft_adding(
        &mut self,
        x: &[f64],
        out: &mut [f64],
        add: impl FnOnce(&mut [Complex<f64>], usize, usize),
    ) {
        let (n0, h, b) = (self.n0, self.n1 / 2 + 1, self.band);
        self.forward(x);
        for (c, k) in self.cols[..b * n0].iter_mut().zip(&self.spectrum) {
            *c *= k;
        }
        self.cols[b * n0..]
            .iter_mut()
            .for_each(|c| *c = Complex::default());
        add(&mut self.cols, n0, h);
        self.inverse(out);
    }

    /// Inverse 2D real FFT of `self.cols` (column-major half spectrum,
    /// unnormalised; only the columns `k1 < band` are read, the others count
    /// as zero) into `out`.
    fn inverse(&mut self, out: &mut [f64]) {
        let (n0, n1, h, b) = (self.n0, self.n1, self.n1 / 2 + 1, self.band);
        if let Some(f) = &self.col_inv {
            f.process_with_scratch(&mut self.cols[..b * n0], &mut self.scratch);
            transpose_rows(&self.cols[..b * n0], &mut self.rows, n0, h, b);
        } else {
            self.rows.copy_from_slice(&self.cols);
        }
        for (row, o) in self.rows.chunks_exact_mut(h).zip(out.chunks_exact_mut(n1)) {
            // The imaginary parts of the DC and Nyquist bins are rounding noise.
            row[0].im = 0.0;
            if n1 % 2 == 0 {
                row[h - 1].im = 0.0;
            }
            self.c2r
                .process_with_scratch(row, o, &mut self.scratch)
                .expect("buffer lengths match the plan");
        }
    }

    /// Exact direct sum; skips zero rates (most of the ring when a bump is formed).
    fn apply_dense(&self, x: &[f64], out: &mut [f64]) {
        let (n0, n1) = (self.n0, self.n1);
        out.iter_mut().for_each(|o| *o = 0.0);
        for i0 in 0..n0 {
            for i1 in 0..n1 {
                let mut acc = 0.0;
                for j0 in 0..n0 {
                    let d0 = (i0 + n0 - j0) % n0;
                    for j1 in 0..n1 {
                        let d1 = (i1 + n1 - j1) % n1;
                        acc += self.kernel[d0 * n1 + d1] * x[j0 * n1 + j1];
                    }
                }
                out[i0 * n1 + i1] = acc;
            }
        }
    }
}

/// Several translation-invariant kernels `K_c` on one `n0 x n1` periodic
/// lattice, applied by FFT: either the sum `sum_c K_c * x_c` of the
/// convolutions of several fields (one forward transform per field and one
/// inverse), or the convolutions `K_c * x` of one field (one forward
/// transform and one inverse per kernel). Networks whose neurons fall into
/// classes with shifted kernels (the Burak-Fiete sheet) need no dense
/// matrix this way.
#[derive(Debug, Clone)]
pub(crate) struct ConvBank {
    conv: CircularConv,
    spectra: Vec<Vec<Complex<f64>>>,
    acc: Vec<Complex<f64>>,
    x_hat: Vec<Complex<f64>>,
}

impl ConvBank {
    /// Builds the bank from kernels laid out as for [`CircularConv::new`].
    pub fn new(n0: usize, n1: usize, kernels: Vec<Vec<f64>>) -> Self {
        let spectra: Vec<Vec<Complex<f64>>> = kernels
            .into_iter()
            .map(|k| CircularConv::new(n0, n1, k, Recurrence::Fft).spectrum)
            .collect();
        let conv = CircularConv::new(n0, n1, vec![0.0; n0 * n1], Recurrence::Fft);
        let len = conv.cols.len();
        Self {
            conv,
            spectra,
            acc: vec![Complex::default(); len],
            x_hat: vec![Complex::default(); len],
        }
    }

    /// `out = sum_c K_c * x_c`, where `fill(c, buf)` writes the field `x_c`
    /// into `buf` (zeroed first).
    pub fn sum(
        &mut self,
        mut fill: impl FnMut(usize, &mut [f64]),
        buf: &mut [f64],
        out: &mut [f64],
    ) {
        self.acc.iter_mut().for_each(|a| *a = Complex::default());
        for c in 0..self.spectra.len() {
            buf.iter_mut().for_each(|b| *b = 0.0);
            fill(c, buf);
            self.conv.forward(buf);
            for ((a, x), k) in self
                .acc
                .iter_mut()
                .zip(&self.conv.cols)
                .zip(&self.spectra[c])
            {
                *a += x * k;
            }
        }
        self.conv.cols.copy_from_slice(&self.acc);
        self.conv.inverse(out);
    }

    /// `outs[c] = K_c * x` for every kernel.
    pub fn fan_out(&mut self, x: &[f64], outs: &mut [Vec<f64>]) {
        self.conv.forward(x);
        self.x_hat.copy_from_slice(&self.conv.cols);
        for (c, out) in outs.iter_mut().enumerate() {
            for ((d, x), k) in self
                .conv
                .cols
                .iter_mut()
                .zip(&self.x_hat)
                .zip(&self.spectra[c])
            {
                *d = x * k;
            }
            self.conv.inverse(out);
        }
    }
}

/// Circular convolutions on a ring of `n` neurons with kernels whose
/// spectra vanish beyond the first `b` frequencies, to a stated bound. Fields
/// are carried as their first `b` Fourier coefficients `X_k = sum_j x_j
/// e^{-2 pi i j k / n}` ([`LowPassRing::forward`]), which linear dynamics can
/// update without leaving the frequency domain, and
/// [`LowPassRing::inverse_weighted`] returns `sum_f (sum_c w_c K_c) * x_f`
/// on the ring from them.
///
/// `b` is the smallest number of frequencies whose dropped spectrum sum
/// `2 sum_{k >= b} |K_c(k)| / n` is at most `1e-15 sum_j |K_c(j)|` for
/// every kernel, so each output differs from the full convolution by at
/// most [`LowPassRing::bound`] times the weighted `sum |x|`, below the
/// rounding of the convolution itself. When `2b - 1` rows of a direct DFT
/// (`(2b - 1) n` products each way) cost less than a quarter of `n` rows,
/// the transforms are matrix-vector products; otherwise a real FFT of all
/// `n / 2 + 1` frequencies.
#[derive(Clone)]
pub(crate) struct LowPassRing {
    n: usize,
    b: usize,
    /// Kernel spectra `K_c(k) / n` for `k < b`.
    spectra: Vec<Vec<Complex<f64>>>,
    #[cfg_attr(not(test), allow(dead_code))]
    bound: f64,
    /// Direct DFT rows: `cos(2 pi j k / n)` for `k < b`, then `-sin(2 pi j k / n)`
    /// for `1 <= k < b` (row-major, `n` entries each).
    table: Option<Vec<f64>>,
    /// Coefficients of the table rows (scratch, `2b - 1`).
    coef: Vec<f64>,
    r2c: Arc<dyn RealToComplex<f64>>,
    c2r: Arc<dyn ComplexToReal<f64>>,
    buf: Vec<f64>,
    half: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
    acc: Vec<Complex<f64>>,
}

impl std::fmt::Debug for LowPassRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "LowPassRing(n {}, {} frequencies, {})",
            self.n,
            self.b,
            if self.table.is_some() {
                "direct"
            } else {
                "fft"
            }
        )
    }
}

/// A field's first Fourier coefficients and the kernels it meets in
/// [`LowPassRing::inverse_weighted`]: `(kernel index, weight)` pairs.
pub(crate) type SpectrumField<'a> = (&'a [Complex<f64>], &'a [(usize, f64)]);

/// Dropped-spectrum tolerance of [`LowPassRing`], relative to `sum |K|`.
const LOW_PASS_TOL: f64 = 1e-15;

impl LowPassRing {
    /// Builds the transforms for `kernels` (each of length `n >= 1`, by ring
    /// offset as for [`CircularConv::new`]).
    pub fn new(n: usize, kernels: &[Vec<f64>]) -> Self {
        Self::with_direct(n, kernels, None)
    }

    /// As [`LowPassRing::new`], forcing the direct DFT (`Some(true)`, when
    /// `b < n / 2`) or the FFT (`Some(false)`); `None` chooses by cost.
    pub fn with_direct(n: usize, kernels: &[Vec<f64>], direct: Option<bool>) -> Self {
        let h = n / 2 + 1;
        let full: Vec<Vec<Complex<f64>>> = kernels
            .iter()
            .map(|k| CircularConv::new(1, n, k.clone(), Recurrence::Fft).spectrum)
            .collect();
        let tail = |spec: &[Complex<f64>], b: usize| -> f64 {
            2.0 * spec[b.min(h)..].iter().map(|c| c.norm()).sum::<f64>()
        };
        let mut b = 2.min(h);
        while b < h
            && full.iter().zip(kernels).any(|(spec, k)| {
                tail(spec, b) > LOW_PASS_TOL * k.iter().map(|v| v.abs()).sum::<f64>()
            })
        {
            b += 1;
        }
        // The direct path has no Nyquist term: b < n / 2 strictly.
        let can_direct = 2 * b < n;
        let direct = match direct {
            Some(d) => d && can_direct,
            None => can_direct && 4 * (2 * b - 1) <= n,
        };
        if !direct {
            b = h;
        }
        let bound = full.iter().map(|s| tail(s, b)).fold(0.0, f64::max);
        let table = direct.then(|| {
            let mut t = Vec::with_capacity((2 * b - 1) * n);
            for k in 0..b {
                t.extend((0..n).map(|j| (TAU * ((j * k) % n) as f64 / n as f64).cos()));
            }
            for k in 1..b {
                t.extend((0..n).map(|j| -(TAU * ((j * k) % n) as f64 / n as f64).sin()));
            }
            t
        });
        let mut rp = RealFftPlanner::<f64>::new();
        let (r2c, c2r) = (rp.plan_fft_forward(n), rp.plan_fft_inverse(n));
        let scratch = vec![Complex::default(); r2c.get_scratch_len().max(c2r.get_scratch_len())];
        Self {
            n,
            b,
            spectra: full.into_iter().map(|s| s[..b].to_vec()).collect(),
            bound,
            table,
            coef: vec![0.0; 2 * b - 1],
            r2c,
            c2r,
            buf: vec![0.0; n],
            half: vec![Complex::default(); h],
            scratch,
            acc: vec![Complex::default(); b],
        }
    }

    /// Frequencies kept (`b`): the length of every spectrum.
    pub fn len(&self) -> usize {
        self.b
    }

    /// Whether the transforms are direct DFTs (not FFTs).
    #[cfg(test)]
    pub fn is_direct(&self) -> bool {
        self.table.is_some()
    }

    #[cfg(test)]
    /// The largest dropped spectrum sum `2 sum_{k >= b} |K_c(k)| / n`: each
    /// output of [`LowPassRing::inverse_weighted`] is within this times
    /// `sum_f sum_c |w_c| sum_j |x_f(j)|` of the full convolution.
    pub fn bound(&self) -> f64 {
        self.bound
    }

    /// The first `b` Fourier coefficients of `x` (length `n`) into `out`.
    pub fn forward(&mut self, x: &[f64], out: &mut [Complex<f64>]) {
        let b = self.b;
        match &self.table {
            Some(t) => {
                matvec_serial(t, x, &mut self.coef);
                out[0] = Complex::new(self.coef[0], 0.0);
                for (k, o) in out.iter_mut().enumerate().take(b).skip(1) {
                    *o = Complex::new(self.coef[k], self.coef[b + k - 1]);
                }
            }
            None => {
                self.buf.copy_from_slice(x);
                self.r2c
                    .process_with_scratch(&mut self.buf, &mut self.half, &mut self.scratch)
                    .expect("buffer lengths match the plan");
                out.copy_from_slice(&self.half[..b]);
            }
        }
    }

    /// `out = sum_f (sum_{(c, w) in terms_f} w K_c) * x_f`, the fields given
    /// by their first `b` coefficients.
    pub fn inverse_weighted(&mut self, fields: &[SpectrumField<'_>], out: &mut [f64]) {
        let b = self.b;
        self.acc.iter_mut().for_each(|a| *a = Complex::default());
        for (x, terms) in fields {
            for (k, (a, xh)) in self.acc.iter_mut().zip(x.iter()).enumerate() {
                let kk: Complex<f64> = terms.iter().map(|&(c, w)| self.spectra[c][k] * w).sum();
                *a += xh * kk;
            }
        }
        match &self.table {
            Some(t) => {
                // y_j = Re Y_0 + 2 sum_k (Re Y_k cos - Im Y_k sin).
                self.coef[0] = self.acc[0].re;
                for k in 1..b {
                    self.coef[k] = 2.0 * self.acc[k].re;
                    self.coef[b + k - 1] = 2.0 * self.acc[k].im;
                }
                out.iter_mut().for_each(|o| *o = 0.0);
                for (c, row) in self.coef.iter().zip(t.chunks_exact(self.n)) {
                    axpy(*c, row, out);
                }
            }
            None => {
                self.half[..b].copy_from_slice(&self.acc);
                let h = self.half.len();
                self.half[0].im = 0.0;
                if self.n.is_multiple_of(2) {
                    self.half[h - 1].im = 0.0;
                }
                self.c2r
                    .process_with_scratch(&mut self.half, out, &mut self.scratch)
                    .expect("buffer lengths match the plan");
            }
        }
    }
}

/// `dst[j * rows + i] = src[i * cols + j]` for the first `band` columns of
/// a `rows x cols` matrix.
fn transpose_cols(
    src: &[Complex<f64>],
    dst: &mut [Complex<f64>],
    rows: usize,
    cols: usize,
    band: usize,
) {
    for (i, row) in src.chunks_exact(cols).enumerate().take(rows) {
        for (j, &v) in row[..band].iter().enumerate() {
            dst[j * rows + i] = v;
        }
    }
}

/// The inverse of [`transpose_cols`]: `dst[i * cols + j] = src[j * rows + i]`
/// for `j < band`, and zero for the other columns.
fn transpose_rows(
    src: &[Complex<f64>],
    dst: &mut [Complex<f64>],
    rows: usize,
    cols: usize,
    band: usize,
) {
    for (i, row) in dst.chunks_exact_mut(cols).enumerate().take(rows) {
        for (j, d) in row[..band].iter_mut().enumerate() {
            *d = src[j * rows + i];
        }
        row[band..].iter_mut().for_each(|d| *d = Complex::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    fn random(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = crate::random::seeded(seed);
        (0..n).map(|_| rng.random::<f64>()).collect()
    }

    #[test]
    fn fft_matches_dense_on_ring() {
        for n in [1usize, 2, 7, 64, 99, 512] {
            let k = random(n, 1);
            let x = random(n, 2);
            let mut a = CircularConv::new(1, n, k.clone(), Recurrence::Fft);
            let mut b = CircularConv::new(1, n, k, Recurrence::Dense);
            let (mut ya, mut yb) = (vec![0.0; n], vec![0.0; n]);
            a.apply(&x, &mut ya);
            b.apply(&x, &mut yb);
            for (p, q) in ya.iter().zip(&yb) {
                assert!((p - q).abs() < 1e-10, "n={n}: {p} vs {q}");
            }
        }
    }

    #[test]
    fn fft_matches_dense_on_torus() {
        for (n0, n1) in [(3usize, 5usize), (8, 8), (16, 12), (2, 1), (64, 70)] {
            let k = random(n0 * n1, 3);
            let x = random(n0 * n1, 4);
            let mut a = CircularConv::new(n0, n1, k.clone(), Recurrence::Fft);
            let mut b = CircularConv::new(n0, n1, k, Recurrence::Dense);
            let (mut ya, mut yb) = (vec![0.0; n0 * n1], vec![0.0; n0 * n1]);
            a.apply(&x, &mut ya);
            b.apply(&x, &mut yb);
            for (p, q) in ya.iter().zip(&yb) {
                assert!((p - q).abs() < 1e-10, "{n0}x{n1}: {p} vs {q}");
            }
        }
    }

    #[test]
    fn bank_matches_dense_sums() {
        let (n0, n1) = (6usize, 10usize);
        let ks: Vec<Vec<f64>> = (0..3).map(|c| random(n0 * n1, 10 + c)).collect();
        let xs: Vec<Vec<f64>> = (0..3).map(|c| random(n0 * n1, 20 + c)).collect();
        let mut bank = ConvBank::new(n0, n1, ks.clone());
        let mut want = vec![0.0; n0 * n1];
        let mut outs = vec![vec![0.0; n0 * n1]; 3];
        bank.fan_out(&xs[0], &mut outs);
        for c in 0..3 {
            let mut d = CircularConv::new(n0, n1, ks[c].clone(), Recurrence::Dense);
            let mut y = vec![0.0; n0 * n1];
            d.apply(&xs[c], &mut y);
            want.iter_mut().zip(&y).for_each(|(w, y)| *w += y);
            d.apply(&xs[0], &mut y);
            for (p, q) in outs[c].iter().zip(&y) {
                assert!((p - q).abs() < 1e-10);
            }
        }
        let mut got = vec![0.0; n0 * n1];
        let mut buf = vec![0.0; n0 * n1];
        bank.sum(|c, b| b.copy_from_slice(&xs[c]), &mut buf, &mut got);
        for (p, q) in got.iter().zip(&want) {
            assert!((p - q).abs() < 1e-10, "{p} vs {q}");
        }
    }

    #[test]
    fn a_limited_band_stays_within_its_bound() {
        // A periodic Gaussian 2 lattice steps wide on 24 x 32 and on a ring
        // of 32: its spectrum is far from negligible at the band's edge.
        for (n0, n1) in [(24usize, 32usize), (1, 32)] {
            let gauss = |d: usize, n: usize| {
                let d = d.min(n - d) as f64;
                (-d * d / 8.0).exp()
            };
            let k: Vec<f64> = (0..n0 * n1)
                .map(|i| gauss(i / n1, n0) * gauss(i % n1, n1))
                .collect();
            let x = random(n0 * n1, 8);
            let sum_x: f64 = x.iter().sum();
            let mut dense = CircularConv::new(n0, n1, k.clone(), Recurrence::Dense);
            let mut want = vec![0.0; n0 * n1];
            dense.apply(&x, &mut want);
            for band in [1, 3, 6, 17, 40] {
                let mut a = CircularConv::new(n0, n1, k.clone(), Recurrence::Fft);
                let bound = a.limit_band(band);
                assert_eq!(a.band(), band.clamp(1, n1 / 2 + 1));
                let mut y = vec![0.0; n0 * n1];
                a.apply(&x, &mut y);
                let worst = y
                    .iter()
                    .zip(&want)
                    .fold(0.0f64, |m, (p, q)| m.max((p - q).abs()));
                assert!(worst <= bound * sum_x + 1e-10, "band {band}: {worst}");
                if band <= 3 {
                    assert!(worst > 1e-3, "band {band} drops real terms");
                }
                if band >= 17 {
                    assert!(worst < 1e-10, "band {band} keeps every term");
                }
            }
        }
    }

    #[test]
    fn low_pass_ring_matches_dense_within_its_bound() {
        // Gaussians 10 steps wide on 180 neurons (smooth on the ring: the
        // low-pass path, direct DFTs), shifted and combined with signs, 20 steps wide (cut
        // at the ring's far side: the full spectrum), and narrow ones.
        for (n, width) in [(180usize, 10.0), (180, 20.0), (32, 1.5), (7, 1.0)] {
            let gauss = |shift: f64| -> Vec<f64> {
                (0..n)
                    .map(|d| {
                        let mut e = (d as f64 - shift).rem_euclid(n as f64);
                        if e > n as f64 / 2.0 {
                            e -= n as f64;
                        }
                        (-0.5 * (e / width).powi(2)).exp()
                    })
                    .collect()
            };
            let (k0, k1) = (gauss(0.0), gauss(3.4));
            let k2: Vec<f64> = k1.iter().zip(&gauss(-3.4)).map(|(a, b)| a - b).collect();
            let ks = vec![k0, k1, k2];
            let (x, y) = (random(n, 31), random(n, 32));
            let mut want = vec![0.0; n];
            for (f, c, w) in [(&x, 0, 1.0), (&y, 1, 0.7), (&y, 2, -0.3)] {
                let mut d = CircularConv::new(1, n, ks[c].clone(), Recurrence::Dense);
                let mut o = vec![0.0; n];
                d.apply(f, &mut o);
                want.iter_mut().zip(&o).for_each(|(s, o)| *s += w * o);
            }
            let mass: f64 = x.iter().sum::<f64>() + y.iter().sum::<f64>();
            for direct in [None, Some(true), Some(false)] {
                let mut ring = LowPassRing::with_direct(n, &ks, direct);
                if n == 180 && width == 10.0 {
                    assert_eq!(ring.is_direct(), direct != Some(false));
                    if direct != Some(false) {
                        assert!(ring.len() < 24, "{}", ring.len());
                    }
                }
                if width == 20.0 {
                    assert_eq!(ring.len(), n / 2 + 1);
                }
                let (mut xh, mut yh) = (
                    vec![Complex::default(); ring.len()],
                    vec![Complex::default(); ring.len()],
                );
                ring.forward(&x, &mut xh);
                ring.forward(&y, &mut yh);
                let mut got = vec![0.0; n];
                ring.inverse_weighted(
                    &[(&xh, &[(0, 1.0)]), (&yh, &[(1, 0.7), (2, -0.3)])],
                    &mut got,
                );
                let scale: f64 = ks.iter().flatten().map(|v| v.abs()).sum::<f64>() * mass;
                for (p, q) in got.iter().zip(&want) {
                    assert!(
                        (p - q).abs() <= ring.bound() * mass + 1e-14 * scale,
                        "n {n}, {direct:?}: {p} vs {q}"
                    );
                }
            }
        }
    }

    #[test]
    fn delta_input_returns_the_kernel() {
        let k = random(10, 5);
        let mut x = vec![0.0; 10];
        x[0] = 1.0;
        let mut c = CircularConv::new(1, 10, k.clone(), Recurrence::Fft);
        let mut y = vec![0.0; 10];
        c.apply(&x, &mut y);
        for (p, q) in y.iter().zip(&k) {
            assert!((p - q).abs() < 1e-12);
        }
    }
}
