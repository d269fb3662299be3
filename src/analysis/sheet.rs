//! Translation of a periodic activity pattern on a neural sheet, by
//! Fourier-phase tracking of its lattice wave-vectors, and the linear map
//! from input velocity to sheet velocity.
//!
//! A pattern `f(x)` on an `L x L` periodic sheet translated by `d` (neurons)
//! has Fourier coefficients `F_d(k) = F(k) e^{-2 pi i k . d / L}` (k in
//! cycles per sheet). With the three strongest non-collinear wave-vectors
//! `k_m` of a reference frame, the phase changes `dtheta_m = -2 pi k_m . d / L`
//! (unwrapped from frame to frame) give `d` by least squares. Unlike blob
//! tracking or phase correlation with sub-pixel fits, this measures
//! sub-neuron motion without bias.
//!
//! # Examples
//! ```
//! use canns::analysis::sheet::SheetTracker;
//! // A hexagonal-ish pattern of three plane waves, moved by (1.5, -0.75) neurons.
//! let l = 32;
//! let frame = |dx: f64, dy: f64| -> Vec<f64> {
//!     let w = std::f64::consts::TAU / l as f64;
//!     (0..l * l).map(|i| {
//!         let (x, y) = ((i % l) as f64 - dx, (i / l) as f64 - dy);
//!         (w * 2.0 * y).cos() + (w * (2.0 * x + y)).cos() + (w * (-2.0 * x + y)).cos()
//!     }).collect()
//! };
//! let mut t = SheetTracker::new(&frame(0.0, 0.0), l)?;
//! let d = t.update(&frame(1.5, -0.75))?;
//! assert!((d[0] - 1.5).abs() < 1e-9 && (d[1] + 0.75).abs() < 1e-9);
//! # Ok::<(), canns::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::space::{wrap, TWO_PI};
use serde::{Deserialize, Serialize};

/// Tracks the translation of a periodic pattern on an `L x L` sheet
/// (neuron `i` at column `i mod L`, row `i div L`).
///
/// # Examples
/// ```
/// use canns::analysis::sheet::SheetTracker;
/// // A flat frame has nothing to track.
/// assert!(SheetTracker::new(&[1.0; 64], 8).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetTracker {
    side: usize,
    /// Wave-vectors `(kx, ky)` in cycles per sheet.
    waves: Vec<[i32; 2]>,
    /// Unwrapped phases of the last frame.
    phases: Vec<f64>,
    /// Phases of the reference frame.
    start: Vec<f64>,
}

/// The Fourier coefficient of `frame` at wave-vector `(kx, ky)` (cycles per sheet).
fn coefficient(frame: &[f64], side: usize, k: [i32; 2]) -> (f64, f64) {
    let w = TWO_PI / side as f64;
    let (mut re, mut im) = (0.0, 0.0);
    for (i, &f) in frame.iter().enumerate() {
        let ph = -w * (k[0] as f64 * (i % side) as f64 + k[1] as f64 * (i / side) as f64);
        re += f * ph.cos();
        im += f * ph.sin();
    }
    (re, im)
}

/// The power spectrum of a frame as `(power, [kx, ky])` over the half plane
/// (one of each conjugate pair), without the mean, strongest first.
pub fn power_spectrum(frame: &[f64], side: usize) -> Vec<(f64, [i32; 2])> {
    let mean = frame.iter().sum::<f64>() / frame.len().max(1) as f64;
    let centred: Vec<f64> = frame.iter().map(|f| f - mean).collect();
    let h = side as i32 / 2;
    let lo = -(side as i32 - 1) / 2;
    let mut out = Vec::new();
    for ky in lo..=h {
        for kx in lo..=h {
            // Keep one of each pair (k, -k).
            if ky < 0 || (ky == 0 && kx <= 0) {
                continue;
            }
            let (re, im) = coefficient(&centred, side, [kx, ky]);
            out.push((re * re + im * im, [kx, ky]));
        }
    }
    out.sort_by(|a, b| b.0.total_cmp(&a.0));
    out
}

impl SheetTracker {
    /// A tracker whose reference is `frame` (length `side^2`), using its three
    /// strongest non-collinear wave-vectors.
    ///
    /// # Errors
    /// [`Error::Shape`] when `frame` is not `side^2` long, [`Error::Invalid`]
    /// when it has a non-finite value or no three non-collinear wave-vectors
    /// with power (a flat frame).
    pub fn new(frame: &[f64], side: usize) -> Result<Self> {
        if side < 4 || frame.len() != side * side {
            return Err(Error::shape(
                "sheet frame (side^2, side >= 4)",
                side * side,
                frame.len(),
            ));
        }
        if frame.iter().any(|f| !f.is_finite()) {
            return Err(Error::Invalid("sheet frame: non-finite value".into()));
        }
        let spec = power_spectrum(frame, side);
        let top = spec.first().map_or(0.0, |s| s.0);
        let mut waves: Vec<[i32; 2]> = Vec::new();
        for &(p, k) in &spec {
            if p <= 1e-9 * top || top <= 0.0 {
                break;
            }
            if waves.iter().all(|w| w[0] * k[1] - w[1] * k[0] != 0) {
                waves.push(k);
            }
            if waves.len() == 3 {
                break;
            }
        }
        if waves.len() < 2 {
            return Err(Error::Invalid(
                "sheet frame: fewer than two non-collinear wave-vectors with power".into(),
            ));
        }
        let phases: Vec<f64> = waves
            .iter()
            .map(|&k| {
                let (re, im) = coefficient(frame, side, k);
                im.atan2(re)
            })
            .collect();
        Ok(Self {
            side,
            waves,
            start: phases.clone(),
            phases,
        })
    }

    /// The wave-vectors `(kx, ky)` tracked (cycles per sheet).
    pub fn wave_vectors(&self) -> &[[i32; 2]] {
        &self.waves
    }

    /// The pattern's period along each tracked wave-vector (neurons).
    pub fn periods(&self) -> Vec<f64> {
        self.waves
            .iter()
            .map(|k| self.side as f64 / (k[0] as f64).hypot(k[1] as f64))
            .collect()
    }

    /// Reads a new frame and returns the displacement `(dx, dy)` (neurons)
    /// since the reference frame. Frames must come often enough that the
    /// pattern moves less than half a period between two of them.
    ///
    /// # Errors
    /// [`Error::Shape`] when the frame has the wrong length,
    /// [`Error::Invalid`] when it has a non-finite value.
    pub fn update(&mut self, frame: &[f64]) -> Result<[f64; 2]> {
        if frame.len() != self.side * self.side {
            return Err(Error::shape(
                "sheet frame",
                self.side * self.side,
                frame.len(),
            ));
        }
        if frame.iter().any(|f| !f.is_finite()) {
            return Err(Error::Invalid("sheet frame: non-finite value".into()));
        }
        for (m, &k) in self.waves.iter().enumerate() {
            let (re, im) = coefficient(frame, self.side, k);
            let ph = im.atan2(re);
            self.phases[m] += wrap(ph - self.phases[m]);
        }
        Ok(self.displacement())
    }

    /// The displacement (neurons) of the last frame since the reference.
    pub fn displacement(&self) -> [f64; 2] {
        // Least squares: A d = b, A_m = -2 pi k_m / L, b_m = dtheta_m.
        let w = TWO_PI / self.side as f64;
        let (mut a11, mut a12, mut a22, mut b1, mut b2) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (m, k) in self.waves.iter().enumerate() {
            let (ax, ay) = (-w * k[0] as f64, -w * k[1] as f64);
            let b = self.phases[m] - self.start[m];
            a11 += ax * ax;
            a12 += ax * ay;
            a22 += ay * ay;
            b1 += ax * b;
            b2 += ay * b;
        }
        let det = a11 * a22 - a12 * a12;
        [(a22 * b1 - a12 * b2) / det, (a11 * b2 - a12 * b1) / det]
    }
}

/// Slope of a least-squares line through `(t, y)`.
pub fn linear_slope(t: &[f64], y: &[f64]) -> f64 {
    let n = t.len().min(y.len()) as f64;
    let mt = t.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (a, b) in t.iter().zip(y) {
        sxy += (a - mt) * (b - my);
        sxx += (a - mt) * (a - mt);
    }
    sxy / sxx
}

/// The least-squares linear map `M` with `sheet_velocity = M v`, from pairs
/// of input velocities and measured sheet velocities, and its singular values
/// (largest first).
///
/// # Examples
/// ```
/// use canns::analysis::sheet::velocity_map;
/// let v = [[0.4, 0.0], [0.0, 0.4], [0.3, -0.2]];
/// let s: Vec<[f64; 2]> = v.iter().map(|v| [-80.0 * v[0], -80.0 * v[1]]).collect();
/// let (m, sv) = velocity_map(&v, &s)?;
/// assert!((m[0][0] + 80.0).abs() < 1e-9 && m[0][1].abs() < 1e-9);
/// assert!((sv[0] / sv[1] - 1.0).abs() < 1e-9);
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Shape`] when the two lists differ in length, [`Error::Invalid`]
/// when the velocities do not span the plane.
pub fn velocity_map(v: &[[f64; 2]], sheet: &[[f64; 2]]) -> Result<([[f64; 2]; 2], [f64; 2])> {
    if v.len() != sheet.len() {
        return Err(Error::shape(
            "velocities and sheet velocities",
            v.len(),
            sheet.len(),
        ));
    }
    // Normal equations: M = S^T V (V^T V)^-1.
    let (mut g11, mut g12, mut g22) = (0.0, 0.0, 0.0);
    let mut sv = [[0.0; 2]; 2];
    for (a, s) in v.iter().zip(sheet) {
        g11 += a[0] * a[0];
        g12 += a[0] * a[1];
        g22 += a[1] * a[1];
        for r in 0..2 {
            sv[r][0] += s[r] * a[0];
            sv[r][1] += s[r] * a[1];
        }
    }
    let det = g11 * g22 - g12 * g12;
    if det.abs() <= 1e-12 * (g11 * g22).max(1e-300) || !det.is_finite() {
        return Err(Error::Invalid(
            "velocity_map: the input velocities do not span the plane".into(),
        ));
    }
    let inv = [[g22 / det, -g12 / det], [-g12 / det, g11 / det]];
    let mut m = [[0.0; 2]; 2];
    for r in 0..2 {
        for c in 0..2 {
            m[r][c] = sv[r][0] * inv[0][c] + sv[r][1] * inv[1][c];
        }
    }
    // Singular values of a 2x2 matrix.
    let (a, b, c, d) = (m[0][0], m[0][1], m[1][0], m[1][1]);
    let s1 = a * a + b * b + c * c + d * d;
    let s2 = ((a * a + b * b - c * c - d * d).powi(2) + 4.0 * (a * c + b * d).powi(2)).sqrt();
    let hi = ((s1 + s2) / 2.0).sqrt();
    let lo = ((s1 - s2) / 2.0).max(0.0).sqrt();
    Ok((m, [hi, lo]))
}
