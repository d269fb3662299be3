//! Data to learn from, generated and seeded: random binary patterns, letter
//! images, corrupted probes, Gaussian data with a chosen covariance spectrum
//! and one-hot sequences.
//!
//! # Shapes
//! Every generator returns `(n_samples, n_features)`, one sample per row.
//!
//! # Examples
//! ```
//! use canns::train::patterns;
//! let letters = patterns::letters("HI", 2)?;          // 2 images of 10 x 14 pixels
//! assert_eq!(letters.dim(), (2, 140));
//! let noisy = patterns::corrupt(&letters.view(), 0.1, 7)?;
//! let flipped = (&letters - &noisy).iter().filter(|d| **d != 0.0).count();
//! assert!(flipped > 5 && flipped < 60);
//! # Ok::<(), canns::Error>(())
//! ```

use crate::error::{Error, ParamError, Result};
use crate::params::check;
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::RngExt;
use rand_distr::StandardNormal;

/// Width and height of a letter before scaling.
pub const GLYPH_WIDTH: usize = 5;
/// Height of a letter before scaling.
pub const GLYPH_HEIGHT: usize = 7;

/// A 5 x 7 bitmap font of the capital letters (rows top to bottom, the most
/// significant of the 5 bits on the left).
const FONT: [[u8; 7]; 26] = [
    [
        0b01110, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001,
    ], // A
    [
        0b11110, 0b10001, 0b10001, 0b11110, 0b10001, 0b10001, 0b11110,
    ], // B
    [
        0b01110, 0b10001, 0b10000, 0b10000, 0b10000, 0b10001, 0b01110,
    ], // C
    [
        0b11110, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b11110,
    ], // D
    [
        0b11111, 0b10000, 0b10000, 0b11110, 0b10000, 0b10000, 0b11111,
    ], // E
    [
        0b11111, 0b10000, 0b10000, 0b11110, 0b10000, 0b10000, 0b10000,
    ], // F
    [
        0b01110, 0b10001, 0b10000, 0b10111, 0b10001, 0b10001, 0b01111,
    ], // G
    [
        0b10001, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001,
    ], // H
    [
        0b01110, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110,
    ], // I
    [
        0b00111, 0b00010, 0b00010, 0b00010, 0b00010, 0b10010, 0b01100,
    ], // J
    [
        0b10001, 0b10010, 0b10100, 0b11000, 0b10100, 0b10010, 0b10001,
    ], // K
    [
        0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b11111,
    ], // L
    [
        0b10001, 0b11011, 0b10101, 0b10101, 0b10001, 0b10001, 0b10001,
    ], // M
    [
        0b10001, 0b10001, 0b11001, 0b10101, 0b10011, 0b10001, 0b10001,
    ], // N
    [
        0b01110, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110,
    ], // O
    [
        0b11110, 0b10001, 0b10001, 0b11110, 0b10000, 0b10000, 0b10000,
    ], // P
    [
        0b01110, 0b10001, 0b10001, 0b10001, 0b10101, 0b10010, 0b01101,
    ], // Q
    [
        0b11110, 0b10001, 0b10001, 0b11110, 0b10100, 0b10010, 0b10001,
    ], // R
    [
        0b01111, 0b10000, 0b10000, 0b01110, 0b00001, 0b00001, 0b11110,
    ], // S
    [
        0b11111, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100,
    ], // T
    [
        0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110,
    ], // U
    [
        0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01010, 0b00100,
    ], // V
    [
        0b10001, 0b10001, 0b10001, 0b10101, 0b10101, 0b10101, 0b01010,
    ], // W
    [
        0b10001, 0b10001, 0b01010, 0b00100, 0b01010, 0b10001, 0b10001,
    ], // X
    [
        0b10001, 0b10001, 0b01010, 0b00100, 0b00100, 0b00100, 0b00100,
    ], // Y
    [
        0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b10000, 0b11111,
    ], // Z
];

/// `n_patterns x n_neurons` independent patterns of +1 and -1, each entry +1
/// with probability 1/2.
///
/// # Examples
/// ```
/// let p = canns::train::patterns::random(3, 100, 0);
/// assert!(p.iter().all(|v| v.abs() == 1.0));
/// assert_ne!(p, canns::train::patterns::random(3, 100, 1));
/// ```
pub fn random(n_patterns: usize, n_neurons: usize, seed: u64) -> Array2<f64> {
    let mut rng = crate::random::seeded(seed);
    Array2::from_shape_simple_fn((n_patterns, n_neurons), || {
        if rng.random::<bool>() {
            1.0
        } else {
            -1.0
        }
    })
}

/// Images of the capital letters of `text` (+1 ink, -1 paper), each pixel of
/// the 5 x 7 font drawn as a `scale x scale` block: rows of
/// `(5 scale) x (7 scale)` pixels, row-major, `5 scale` wide.
///
/// # Errors
/// [`Error::Param`] when `scale` is 0, [`Error::Invalid`] for a character
/// that is not a letter A-Z (lower case is drawn as upper case).
pub fn letters(text: &str, scale: usize) -> Result<Array2<f64>> {
    check::at_least("scale", scale, 1)?;
    let (w, h) = (GLYPH_WIDTH * scale, GLYPH_HEIGHT * scale);
    let chars: Vec<char> = text.chars().collect();
    let mut out = Array2::from_elem((chars.len(), w * h), -1.0);
    for (k, c) in chars.iter().enumerate() {
        let u = c.to_ascii_uppercase();
        if !u.is_ascii_uppercase() {
            return Err(Error::Invalid(format!(
                "letters: `{c}` is not a letter A-Z"
            )));
        }
        let glyph = &FONT[(u as u8 - b'A') as usize];
        for r in 0..h {
            for col in 0..w {
                let bit = glyph[r / scale] >> (GLYPH_WIDTH - 1 - col / scale) & 1;
                if bit == 1 {
                    out[[k, r * w + col]] = 1.0;
                }
            }
        }
    }
    Ok(out)
}

/// `patterns` with each entry's sign flipped with probability `fraction`.
///
/// # Errors
/// [`Error::Param`] unless `fraction` is in [0, 1].
pub fn corrupt(patterns: &ArrayView2<f64>, fraction: f64, seed: u64) -> Result<Array2<f64>> {
    if !(0.0..=1.0).contains(&fraction) {
        return Err(ParamError::new("fraction", "in [0, 1]", fraction).into());
    }
    let mut rng = crate::random::seeded(seed);
    Ok(patterns.mapv(|v| {
        if rng.random::<f64>() < fraction {
            -v
        } else {
            v
        }
    }))
}

/// `n_samples` centred Gaussian samples whose covariance has the eigenvalues
/// `variances` along the axes of a random orthonormal basis (the returned
/// second value, one axis per row, in the order of `variances`).
///
/// # Errors
/// [`Error::Param`] when a variance is negative or not finite, or
/// `n_samples < 2`.
///
/// # Examples
/// ```
/// let (x, axes) = canns::train::patterns::gaussian(2000, &[4.0, 1.0, 0.25], 0)?;
/// let var_along_first = x.dot(&axes.row(0)).mapv(|v| v * v).mean().unwrap();
/// assert!((var_along_first - 4.0).abs() < 0.4);
/// # Ok::<(), canns::Error>(())
/// ```
pub fn gaussian(
    n_samples: usize,
    variances: &[f64],
    seed: u64,
) -> Result<(Array2<f64>, Array2<f64>)> {
    check::at_least("n_samples", n_samples, 2)?;
    for (i, v) in variances.iter().enumerate() {
        check::non_negative(&format!("variances[{i}]"), *v)?;
    }
    let d = variances.len();
    let mut rng = crate::random::seeded(seed);
    let mut normal = || -> f64 { rng.sample(StandardNormal) };
    // A random orthonormal basis: Gram-Schmidt on Gaussian vectors.
    let mut q = Array2::<f64>::zeros((d, d));
    for i in 0..d {
        let mut v: Array1<f64> = (0..d).map(|_| normal()).collect();
        for j in 0..i {
            let c = q.row(j).dot(&v);
            v.scaled_add(-c, &q.row(j));
        }
        let norm = v.dot(&v).sqrt();
        q.row_mut(i).assign(&(v / norm));
    }
    let sd: Vec<f64> = variances.iter().map(|v| v.sqrt()).collect();
    let z = Array2::from_shape_fn((n_samples, d), |(_, j)| normal() * sd[j]);
    let mut x = z.dot(&q);
    let mean = x.mean_axis(Axis(0)).expect("n_samples >= 2");
    x -= &mean;
    Ok((x, q))
}

/// `n_samples` one-hot rows of length `k`, each choosing one of the `k`
/// positions uniformly at random.
///
/// # Errors
/// [`Error::Param`] when `k` is 0.
pub fn one_hot(n_samples: usize, k: usize, seed: u64) -> Result<Array2<f64>> {
    check::at_least("k", k, 1)?;
    let mut rng = crate::random::seeded(seed);
    let mut out = Array2::zeros((n_samples, k));
    for mut row in out.outer_iter_mut() {
        row[rng.random_range(0..k)] = 1.0;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_drawn_at_scale() {
        let a = letters("t", 1).unwrap();
        // T: a full top row, then the middle column.
        assert_eq!(a.row(0).iter().take(5).collect::<Vec<_>>(), vec![&1.0; 5]);
        assert_eq!(a[[0, 5 + 2]], 1.0);
        assert_eq!(a[[0, 5]], -1.0);
        let big = letters("T", 3).unwrap();
        assert_eq!(big.ncols(), 15 * 21);
        assert!(letters("A1", 1).is_err());
        assert!(letters("A", 0).is_err());
    }

    #[test]
    fn generators_are_seeded() {
        assert_eq!(one_hot(10, 4, 1).unwrap(), one_hot(10, 4, 1).unwrap());
        assert!(one_hot(10, 4, 1)
            .unwrap()
            .rows()
            .into_iter()
            .all(|r| r.sum() == 1.0));
        let (a, qa) = gaussian(10, &[1.0, 2.0], 3).unwrap();
        let (b, qb) = gaussian(10, &[1.0, 2.0], 3).unwrap();
        assert_eq!((a, qa.clone()), (b, qb));
        let eye = qa.dot(&qa.t());
        assert!((eye[[0, 0]] - 1.0).abs() < 1e-12 && eye[[0, 1]].abs() < 1e-12);
        assert!(corrupt(&random(2, 5, 0).view(), 1.5, 0).is_err());
    }
}
