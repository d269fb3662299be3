//! The twisted-torus geometry shared by the grid-cell networks
//! ([`GridCellNetwork`](super::theta_sweep::GridCellNetwork),
//! [`GridCell2DPosition`](super::GridCell2DPosition)).
//!
//! `n x n` neurons tile the phase torus at `phi = (-pi + 2 pi ix / n, -pi +
//! 2 pi iy / n)` (neuron `iy * n + ix`). Positions map to phases through the
//! hexagonal transform `T` and the mapping ratio `mr` (grid spacing
//! `Lambda = 2 pi / mr` metres):
//!
//! ```text
//! T = [[1, -1/sqrt 3], [0, 2/sqrt 3]],   T^-1 = [[1, 1/2], [0, sqrt 3 / 2]]
//! phase(p)     = wrap(T mr p)
//! G(dphi)      = sum_m exp(-|T^-1 (dphi + 2 pi m)|^2 / (2 a^2))   (periodised over the lattice images m)
//! ```
//!
//! The decoder reads the bump's phase as the population vector on each
//! phase axis of the rates above 10% of their maximum, maps it back with
//! `T^-1 / mr` and moves it to the lattice copy nearest a reference position.

use crate::display::Figure;
use crate::space::{ring_positions, wrap, TWO_PI};
use realfft::num_complex::Complex;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

pub(crate) const SQRT3: f64 = 1.732_050_807_568_877_2;

/// Fourier terms of a Gaussian on the torus are kept while
/// `a^2 k^T M^-1 k / 2` is at most this (`e^-40 = 4e-18`).
const SPECTRAL_CUTOFF: f64 = 40.0;

/// `T p`: real space (scaled by the mapping ratio) to phase, unwrapped.
pub(crate) fn hex_forward(p: [f64; 2]) -> [f64; 2] {
    [p[0] - p[1] / SQRT3, 2.0 * p[1] / SQRT3]
}

/// `T^-1 phi`: phase to real space (times the mapping ratio).
pub(crate) fn hex_inverse(phi: [f64; 2]) -> [f64; 2] {
    [phi[0] + 0.5 * phi[1], 0.5 * SQRT3 * phi[1]]
}

/// `|T^-1 d|^2 = dx^2 + dx dy + dy^2`.
pub(crate) fn hex_norm2(dx: f64, dy: f64) -> f64 {
    dx * dx + dx * dy + dy * dy
}

/// Lattice images `m` in `[-M, M]^2` needed for the periodised Gaussian of
/// width `a` to be exact to ~1e-18 anywhere in the fundamental domain.
pub(crate) fn image_range(a: f64) -> i32 {
    // Images at lattice index M are at least sqrt(3) pi M - 5.44 away.
    ((5.45 + 9.2 * a) / (SQRT3 * PI)).ceil() as i32
}

/// Real-space positions `T^-1 phi / mr` (m) of the neurons of an `n x n`
/// sheet, in neuron order: one lattice cell of the twisted torus.
pub(crate) fn manifold_points(n: usize, mapping_ratio: f64) -> Vec<[f64; 2]> {
    let phi = ring_positions(n);
    (0..n * n)
        .map(|i| {
            let p = hex_inverse([phi[i % n], phi[i / n]]);
            [p[0] / mapping_ratio, p[1] / mapping_ratio]
        })
        .collect()
}

/// The periodised Gaussian `sum_m exp(-|T^-1 (d + 2 pi m)|^2 / (2 a^2))` at a
/// phase difference `d` (wrapped first).
pub(crate) fn periodic_gaussian(dx: f64, dy: f64, a: f64, images: i32) -> f64 {
    let (dx, dy) = (wrap(dx), wrap(dy));
    let c = -0.5 / (a * a);
    let mut s = 0.0;
    for m1 in -images..=images {
        let x = dx + TWO_PI * m1 as f64;
        for m2 in -images..=images {
            let y = dy + TWO_PI * m2 as f64;
            s += (c * hex_norm2(x, y)).exp();
        }
    }
    s
}

/// The largest of the rates `r` and 0 (NaNs ignored), in eight lanes the
/// compiler vectorises.
pub(crate) fn max_rate(r: &[f64]) -> f64 {
    let mut m = [0.0f64; 8];
    let chunks = r.chunks_exact(8);
    let tail = chunks.remainder();
    for c in chunks {
        for k in 0..8 {
            m[k] = m[k].max(c[k]);
        }
    }
    tail.iter().chain(&m).copied().fold(0.0, f64::max)
}

/// One Fourier term of a periodised Gaussian on the lattice.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Term {
    pub kx: i32,
    pub ky: i32,
    /// Series coefficient per unit amplitude, with the `(-1)^(kx+ky)` of the
    /// lattice starting at `-pi`.
    pub coef: f64,
    /// Index into the recurrence's half spectrum.
    pub slot: usize,
}

/// The Fourier terms of a unit periodised Gaussian of width `a` on the
/// twisted torus, folded onto an `n x n` lattice starting at phase `-pi`:
/// `G(phi) = sum_k c_k e^{i k phi}` with
/// `c_k = a^2 / (pi sqrt 3) exp(-a^2 (2/3) (kx^2 - kx ky + ky^2))`
/// (the Fourier transform of `exp(-|T^-1 phi|^2 / (2 a^2))` over `4 pi^2`).
/// Returns the terms and the largest `|kx|`, `|ky|` among them.
pub(crate) fn spectral_terms(n: usize, a: f64) -> (Vec<Term>, i32) {
    let h = n / 2 + 1;
    let q = 2.0 / 3.0 * a * a;
    // kx^2 - kx ky + ky^2 >= (kx^2 + ky^2) / 2, so |k| <= sqrt(2 cutoff / q).
    let kmax = (2.0 * SPECTRAL_CUTOFF / q).sqrt().ceil() as i32;
    let c0 = a * a / (PI * SQRT3);
    let mut terms = Vec::new();
    let mut used = 0;
    for ky in -kmax..=kmax {
        for kx in -kmax..=kmax {
            let e = q * (kx * kx - kx * ky + ky * ky) as f64;
            if e > SPECTRAL_CUTOFF {
                continue;
            }
            let k1 = kx.rem_euclid(n as i32) as usize;
            if k1 >= h {
                // Its conjugate partner (-kx, -ky) carries it.
                continue;
            }
            let k0 = ky.rem_euclid(n as i32) as usize;
            let sign = if (kx + ky).rem_euclid(2) == 0 {
                1.0
            } else {
                -1.0
            };
            terms.push(Term {
                kx,
                ky,
                coef: sign * c0 * (-e).exp(),
                slot: k1 * n + k0,
            });
            used = used.max(kx.abs()).max(ky.abs());
        }
    }
    (terms, used)
}

/// `out[k + km] = e^{-i k c}` for `k` in `-km..=km`, by repeated multiplication
/// from `k = 0` (error ~ km ulp, far below the terms' size).
pub(crate) fn phasors(c: f64, km: i32, out: &mut [Complex<f64>]) {
    let km = km as usize;
    let step = Complex::new(c.cos(), -c.sin());
    out[km] = Complex::new(1.0, 0.0);
    let mut z = Complex::new(1.0, 0.0);
    for k in 1..=km {
        z *= step;
        out[km + k] = z;
        out[km - k] = z.conj();
    }
}

/// The bump's phase and the position it decodes to.
///
/// # Example
/// ```
/// use canns::models::GridCellNetwork;
/// let mut gc = GridCellNetwork::params().num_gc_x(24).mapping_ratio(10.0).noise_strength(0.0).build()?;
/// let mut dc = vec![0.0; gc.parameters().num_dc];
/// dc[50] = 1.0;
/// for _ in 0..100 {
///     gc.update([0.3, 0.2], &dc, 1.0)?;
/// }
/// let d = gc.decode([0.3, 0.2]).expect("an active bump");
/// // The phase is where the position lies on the torus ...
/// let phi = gc.position_to_phase(d.position);
/// assert!(canns::space::angle_diff(phi[0], d.phase[0]).abs() < 1e-9);
/// assert!(canns::space::angle_diff(phi[1], d.phase[1]).abs() < 1e-9);
/// // ... and a reference one grid spacing away picks the next copy.
/// let far = gc.decode([0.3 + gc.spacing(), 0.2]).unwrap();
/// assert!((far.position[0] - d.position[0] - gc.spacing()).abs() < 1e-9);
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GridDecode {
    /// Phase of the bump on each torus axis (rad, in (-pi, pi]).
    pub phase: [f64; 2],
    /// Position (m): the lattice copy of `T^-1 phase / mr` nearest the reference.
    pub position: [f64; 2],
}

/// An `n x n` phase torus with mapping ratio `mr`: neuron phases, the
/// position-phase maps, the recurrent kernel and the lattice decoder.
#[derive(Debug, Clone)]
pub(crate) struct PhaseTorus {
    pub n: usize,
    pub mapping_ratio: f64,
    /// Phase of each column (x) and row (y) of the lattice.
    pub phi: Vec<f64>,
    cos_phi: Vec<f64>,
    sin_phi: Vec<f64>,
}

impl PhaseTorus {
    pub fn new(n: usize, mapping_ratio: f64) -> Self {
        let phi = ring_positions(n);
        Self {
            n,
            mapping_ratio,
            cos_phi: phi.iter().map(|p| p.cos()).collect(),
            sin_phi: phi.iter().map(|p| p.sin()).collect(),
            phi,
        }
    }

    /// Grid spacing `Lambda = 2 pi / mr` (m).
    pub fn spacing(&self) -> f64 {
        TWO_PI / self.mapping_ratio
    }

    /// Phase of neuron `i` (rad), `(phi_x, phi_y)`.
    pub fn neuron_phase(&self, i: usize) -> [f64; 2] {
        [self.phi[i % self.n], self.phi[i / self.n]]
    }

    /// Unwrapped phase `T mr p` of a position (m).
    pub fn position_to_phase_unwrapped(&self, p: [f64; 2]) -> [f64; 2] {
        let mr = self.mapping_ratio;
        hex_forward([mr * p[0], mr * p[1]])
    }

    /// `wrap(T mr p)`.
    pub fn position_to_phase(&self, p: [f64; 2]) -> [f64; 2] {
        let q = self.position_to_phase_unwrapped(p);
        [wrap(q[0]), wrap(q[1])]
    }

    /// `T^-1 phi / mr`.
    pub fn phase_to_position(&self, phi: [f64; 2]) -> [f64; 2] {
        let p = hex_inverse(phi);
        let mr = self.mapping_ratio;
        [p[0] / mr, p[1] / mr]
    }

    /// The kernel `norm G(d)` by lattice offset `d = (d1, d0) 2 pi / n`
    /// (`kernel[d0 * n + d1]`), for [`crate::models::kernel::CircularConv`].
    pub fn kernel(&self, a: f64, norm: f64) -> Vec<f64> {
        let n = self.n;
        let images = image_range(a);
        let step = TWO_PI / n as f64;
        let mut kernel = vec![0.0; n * n];
        for d0 in 0..n {
            for d1 in 0..n {
                kernel[d0 * n + d1] =
                    norm * periodic_gaussian(d1 as f64 * step, d0 as f64 * step, a, images);
            }
        }
        kernel
    }

    /// Writes `amp G(phi_i - c)` for every neuron into `out`.
    pub fn gaussian(&self, c: [f64; 2], a: f64, amp: f64, out: &mut [f64]) {
        let n = self.n;
        let images = image_range(a);
        for iy in 0..n {
            for ix in 0..n {
                out[iy * n + ix] =
                    amp * periodic_gaussian(self.phi[ix] - c[0], self.phi[iy] - c[1], a, images);
            }
        }
    }

    /// The lattice decoder (see the module docs) on the rates `r`; `None`
    /// while the sheet is silent or the reference is not finite.
    pub fn decode(&self, r: &[f64], reference: [f64; 2]) -> Option<GridDecode> {
        let max = max_rate(r);
        if max <= 0.0 || !reference[0].is_finite() || !reference[1].is_finite() {
            return None;
        }
        let thr = 0.1 * max;
        let n = self.n;
        // Branch-free sums in `L` lanes per row (the compiler vectorises
        // them): a rate at or below the threshold counts as zero.
        const L: usize = 4;
        let (mut cy, mut sy) = (0.0, 0.0);
        let (mut cx, mut sx) = ([0.0; L], [0.0; L]);
        for iy in 0..n {
            let row = &r[iy * n..(iy + 1) * n];
            let mut rs = [0.0; L];
            let chunks = row
                .chunks_exact(L)
                .zip(self.cos_phi.chunks_exact(L))
                .zip(self.sin_phi.chunks_exact(L));
            for ((x, c), s) in chunks {
                for k in 0..L {
                    let w = if x[k] > thr { x[k] } else { 0.0 };
                    rs[k] += w;
                    cx[k] += w * c[k];
                    sx[k] += w * s[k];
                }
            }
            let tail = n - n % L;
            for ((&x, c), s) in row[tail..]
                .iter()
                .zip(&self.cos_phi[tail..])
                .zip(&self.sin_phi[tail..])
            {
                let w = if x > thr { x } else { 0.0 };
                rs[0] += w;
                cx[0] += w * c;
                sx[0] += w * s;
            }
            let rs: f64 = rs.iter().sum();
            cy += rs * self.cos_phi[iy];
            sy += rs * self.sin_phi[iy];
        }
        let (cx, sx): (f64, f64) = (cx.iter().sum(), sx.iter().sum());
        let phase = [sx.atan2(cx), sy.atan2(cy)];
        let base = self.phase_to_position(phase);
        // Lattice coordinates of the reference relative to the base copy.
        let lam = self.spacing();
        let q = hex_forward([
            (reference[0] - base[0]) / lam,
            (reference[1] - base[1]) / lam,
        ]);
        let (i0, j0) = (q[0].floor(), q[1].floor());
        let mut best = (f64::INFINITY, base);
        for di in -1..=2 {
            for dj in -1..=2 {
                let l = hex_inverse([(i0 + di as f64) * lam, (j0 + dj as f64) * lam]);
                let p = [base[0] + l[0], base[1] + l[1]];
                let d = (p[0] - reference[0]).hypot(p[1] - reference[1]);
                if d < best.0 {
                    best = (d, p);
                }
            }
        }
        Some(GridDecode {
            phase,
            position: best.1,
        })
    }

    /// Heatmap of `r` over the phase torus.
    pub fn plot_phase(&self, title: &str, r: &[f64]) -> Figure {
        crate::display::heatmap(
            title,
            "phase x (rad)",
            "phase y (rad)",
            self.phi.clone(),
            self.phi.clone(),
            r.chunks(self.n).map(|c| c.to_vec()).collect(),
        )
    }

    /// `r` on the twisted manifold: each neuron at `T^-1 phi / mr` (m).
    pub fn plot_manifold(&self, title: &str, r: &[f64]) -> Figure {
        let nn = self.n * self.n;
        let mut pts = ndarray::Array2::zeros((nn, 2));
        for (i, p) in manifold_points(self.n, self.mapping_ratio)
            .into_iter()
            .enumerate()
        {
            pts[[i, 0]] = p[0];
            pts[[i, 1]] = p[1];
        }
        crate::display::scatter(title, &pts.view(), Some(r), "position (m)")
            .expect("one colour per point")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_transforms_are_inverse_and_the_lattice_is_hexagonal() {
        let p = [0.37, -1.2];
        let q = hex_inverse(hex_forward(p));
        assert!((q[0] - p[0]).abs() < 1e-15 && (q[1] - p[1]).abs() < 1e-15);
        // The two basis vectors of the real-space lattice have equal length
        // and make 60 degrees.
        let (e1, e2) = (hex_inverse([1.0, 0.0]), hex_inverse([0.0, 1.0]));
        assert!((e1[0].hypot(e1[1]) - 1.0).abs() < 1e-15);
        assert!((e2[0].hypot(e2[1]) - 1.0).abs() < 1e-15);
        assert!((e1[0] * e2[0] + e1[1] * e2[1] - 0.5).abs() < 1e-15);
        assert!(
            (hex_norm2(0.3, -0.7) - {
                let v = hex_inverse([0.3, -0.7]);
                v[0] * v[0] + v[1] * v[1]
            })
            .abs()
                < 1e-15
        );
    }

    #[test]
    fn spectral_series_equals_the_periodised_gaussian() {
        for (n, a) in [(20usize, 0.8), (33, 0.5), (8, 0.8), (40, 1.3)] {
            let (terms, _) = spectral_terms(n, a);
            let phi = ring_positions(n);
            let c = [0.413, -2.9];
            for (iy, &py) in phi.iter().enumerate().step_by(3) {
                for (ix, &px) in phi.iter().enumerate().step_by(2) {
                    // Sum the folded series at lattice point (ix, iy) directly.
                    let mut s = 0.0;
                    for t in &terms {
                        let k1 = t.slot / n;
                        let k0 = t.slot % n;
                        let ph = -(t.kx as f64 * c[0] + t.ky as f64 * c[1])
                            + TWO_PI * (k0 * iy) as f64 / n as f64
                            + TWO_PI * (k1 * ix) as f64 / n as f64;
                        // Terms with k1 strictly inside the half spectrum
                        // stand for themselves and their conjugates.
                        let w = if k1 == 0 || (n % 2 == 0 && k1 == n / 2) {
                            1.0
                        } else {
                            2.0
                        };
                        s += w * t.coef * ph.cos();
                    }
                    let want = periodic_gaussian(px - c[0], py - c[1], a, image_range(a));
                    assert!((s - want).abs() < 1e-12, "n={n} a={a}: {s} vs {want}");
                }
            }
        }
    }

    #[test]
    fn periodised_gaussian_matches_canns_single_wrap_near_the_peak() {
        let a = 0.8;
        let single = |dx: f64, dy: f64| {
            let (dx, dy) = (wrap(dx), wrap(dy));
            (-hex_norm2(dx, dy) / (2.0 * a * a)).exp()
        };
        for &(dx, dy) in &[(0.0, 0.0), (0.5, -0.3), (1.5, 1.0), (-2.0, 0.7), (3.0, 3.0)] {
            let d = (periodic_gaussian(dx, dy, a, image_range(a)) - single(dx, dy)).abs();
            assert!(d < 1e-3, "({dx}, {dy}): {d}");
        }
    }

    #[test]
    fn decoder_picks_the_lattice_copy_nearest_the_reference() {
        let t = PhaseTorus::new(40, 3.0);
        for &p in &[[0.3, 0.2], [1.7, -0.4], [-2.2, 3.1]] {
            let mut r = vec![0.0; 1600];
            t.gaussian(t.position_to_phase(p), 0.8, 1.0, &mut r);
            r.iter_mut().for_each(|x| *x = *x * *x);
            let d = t.decode(&r, [p[0] + 0.4, p[1] - 0.3]).unwrap();
            assert!((d.position[0] - p[0]).abs() < 5e-3, "{p:?} {d:?}");
            assert!((d.position[1] - p[1]).abs() < 5e-3, "{p:?} {d:?}");
        }
        assert!(t.decode(&[0.0; 1600], [0.0, 0.0]).is_none());
    }
}
