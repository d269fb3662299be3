//! Dense kernels shared by the weight-matrix networks (Hopfield, linear and
//! spiking layers, the place-cell network) and their learning rules: dot
//! products, `y += a x`, matrix-vector products, and seeded Gaussian weight
//! matrices.
//!
//! Every kernel has one portable body, written with independent partial sums
//! (sixteen for `f64`, thirty-two for `f32`) so the compiler keeps several
//! vector registers busy. On x86-64 processors with AVX2 and FMA (detected at
//! run time) the same body is compiled a second time for those instructions
//! and called instead: twice the vector width, and **bit-identical results**
//! (the partial sums are the same, and Rust never fuses a multiply and an add
//! on its own). Elsewhere the portable build runs (SSE2 on any x86-64).
//!
//! Single-precision weights (`*_f32`) halve the memory a product reads; the
//! sums of [`dot_f32`] are accumulated in `f32` (each partial sum over
//! `len / 32 + 1` terms), so for `N` terms the result differs from the exact sum by
//! at most about `(N / 32 + 5) 2^-24 sum_i |a_i b_i|` (tested). The mixed
//! kernels ([`dot_f32_f64`], [`axpy_f32_f64`]) widen each `f32` entry to
//! `f64` and accumulate in double precision, so only the storage rounding
//! (`2^-24` relative per entry) remains.

use ndarray::Array2;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// Whether the AVX2 + FMA builds of the kernels run on this processor
/// (`std` caches the detection: a load and a test per call).
#[inline]
pub(crate) fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Defines a kernel from one portable body: `$name` dispatches at run time
/// to the body compiled for AVX2 + FMA or to the portable build
/// (`$portable`, kept callable so tests compare the two).
macro_rules! kernel {
    (
        $(#[$doc:meta])*
        fn $name:ident / $portable:ident / $avx:ident ($($arg:ident : $ty:ty),*) $(-> $ret:ty)?
        $(; short: $short:expr;)?
        $body:block
    ) => {
        $(#[$doc])*
        #[inline]
        pub(crate) fn $name($($arg: $ty),*) $(-> $ret)? {
            // Short inputs run inline (the call would cost more than it saves).
            let short = false $(|| $short)?;
            if short {
                return $portable($($arg),*);
            }
            #[cfg(target_arch = "x86_64")]
            if has_avx2() {
                // SAFETY: the processor supports AVX2 and FMA (checked above).
                return unsafe { $avx($($arg),*) };
            }
            $portable($($arg),*)
        }

        /// The portable build of the kernel of the same name.
        #[inline(always)]
        pub(crate) fn $portable($($arg: $ty),*) $(-> $ret)? $body

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn $avx($($arg: $ty),*) $(-> $ret)? {
            $portable($($arg),*)
        }
    };
}

/// Partial sums of the `f64` dot products.
const LANES: usize = 16;
/// Partial sums of the `f32` dot product.
const LANES32: usize = 32;

/// Pairwise sum of the partial sums (a fixed tree: the same in every build).
#[inline(always)]
fn tree_sum<const K: usize>(acc: [f64; K]) -> f64 {
    let mut v = acc;
    let mut w = K;
    while w > 1 {
        w /= 2;
        for k in 0..w {
            v[k] += v[k + w];
        }
    }
    v[0]
}

#[inline(always)]
fn dot_body(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..LANES {
            acc[k] += x[k] * y[k];
        }
    }
    // The remainder as one more zero-padded block (adding 0 changes no sum).
    let (mut x, mut y) = ([0.0; LANES], [0.0; LANES]);
    x[..ra.len()].copy_from_slice(ra);
    y[..rb.len()].copy_from_slice(rb);
    for k in 0..LANES {
        acc[k] += x[k] * y[k];
    }
    tree_sum(acc)
}

/// `[dot_f32_body(a0, x), dot_f32_body(a1, x)]`, bit for bit, with the
/// loads of `x` shared by the two rows (twice the partial sums in flight).
#[inline(always)]
fn dot2_f32_body(a0: &[f32], a1: &[f32], x: &[f32]) -> [f64; 2] {
    let n = x.len().min(a0.len()).min(a1.len());
    let (a0, a1, x) = (&a0[..n], &a1[..n], &x[..n]);
    let (mut p, mut q) = ([0.0f32; LANES32], [0.0f32; LANES32]);
    let full = n - n % LANES32;
    let (r0, r1, rx) = (&a0[full..], &a1[full..], &x[full..]);
    // Fixed-size blocks keep the partial sums in registers.
    for o in (0..full).step_by(LANES32) {
        let u: &[f32; LANES32] = a0[o..o + LANES32].try_into().expect("a full block");
        let v: &[f32; LANES32] = a1[o..o + LANES32].try_into().expect("a full block");
        let y: &[f32; LANES32] = x[o..o + LANES32].try_into().expect("a full block");
        for k in 0..LANES32 {
            p[k] += u[k] * y[k];
            q[k] += v[k] * y[k];
        }
    }
    let (mut u, mut v, mut y) = ([0.0; LANES32], [0.0; LANES32], [0.0; LANES32]);
    u[..r0.len()].copy_from_slice(r0);
    v[..r1.len()].copy_from_slice(r1);
    y[..rx.len()].copy_from_slice(rx);
    for k in 0..LANES32 {
        p[k] += u[k] * y[k];
        q[k] += v[k] * y[k];
    }
    [tree_sum(p.map(f64::from)), tree_sum(q.map(f64::from))]
}

#[inline(always)]
fn dot_f32_body(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; LANES32];
    let (ca, cb) = (a.chunks_exact(LANES32), b.chunks_exact(LANES32));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..LANES32 {
            acc[k] += x[k] * y[k];
        }
    }
    let (mut x, mut y) = ([0.0; LANES32], [0.0; LANES32]);
    x[..ra.len()].copy_from_slice(ra);
    y[..rb.len()].copy_from_slice(rb);
    for k in 0..LANES32 {
        acc[k] += x[k] * y[k];
    }
    tree_sum(acc.map(f64::from))
}

#[inline(always)]
fn dot_f32_f64_body(a: &[f32], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    if n < LANES {
        // A short run (a few cells of a kernel row) in one sum.
        return a.iter().zip(b).map(|(x, y)| f64::from(*x) * y).sum();
    }
    let mut acc = [0.0f64; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..LANES {
            acc[k] += f64::from(x[k]) * y[k];
        }
    }
    let (mut x, mut y) = ([0.0f32; LANES], [0.0; LANES]);
    x[..ra.len()].copy_from_slice(ra);
    y[..rb.len()].copy_from_slice(rb);
    for k in 0..LANES {
        acc[k] += f64::from(x[k]) * y[k];
    }
    tree_sum(acc)
}

kernel! {
    /// `sum_i a_i b_i` over the common length.
    fn dot / dot_portable / dot_avx2 (a: &[f64], b: &[f64]) -> f64 {
        dot_body(a, b)
    }
}

kernel! {
    /// `sum_i a_i b_i` over the common length, in single precision (see the
    /// module docs for the bound), returned as `f64`.
    fn dot_f32 / dot_f32_portable / dot_f32_avx2 (a: &[f32], b: &[f32]) -> f64 {
        dot_f32_body(a, b)
    }
}

kernel! {
    /// `sum_i a_i b_i` over the common length for single-precision `a`,
    /// accumulated in double precision.
    fn dot_f32_f64 / dot_f32_f64_portable / dot_f32_f64_avx2 (a: &[f32], b: &[f64]) -> f64
    ; short: a.len() < LANES;
    {
        dot_f32_f64_body(a, b)
    }
}

kernel! {
    /// `y += alpha x` over the common length.
    fn axpy / axpy_portable / axpy_avx2 (alpha: f64, x: &[f64], y: &mut [f64]) {
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi += alpha * xi;
        }
    }
}

kernel! {
    /// `y += alpha x` over the common length for single-precision `x`
    /// (widened to `f64`).
    fn axpy_f32_f64 / axpy_f32_f64_portable / axpy_f32_f64_avx2 (alpha: f64, x: &[f32], y: &mut [f64])
    ; short: x.len() < LANES;
    {
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi += alpha * f64::from(*xi);
        }
    }
}

/// Entries of `y` that [`sum_rows_u16`] keeps in registers while it runs
/// over the rows.
const ROW_BLOCK: usize = 64;

kernel! {
    /// `y[j] += sum_k alpha[k] x[start[k] + j]` for `j < y.len()`: a
    /// combination of rows of a 16-bit fixed-point matrix `x` (the scale
    /// folded into `alpha`). Each block of [`ROW_BLOCK`] entries is summed
    /// over the rows in single precision in registers (eight lanes per
    /// instruction), then added to `y` in double precision. With `n` rows,
    /// each entry differs from the exact sum by at most
    /// `(n + 3) 2^-24 sum_k |alpha_k| x[start[k] + j]` (the rounding of `alpha`
    /// to `f32`, of each product and of each sum; the 16-bit entries are
    /// exact in `f32`), plus the final `f64` addition.
    ///
    /// # Panics
    /// When a row `start[k]..start[k] + y.len()` is outside `x`.
    fn sum_rows_u16 / sum_rows_u16_portable / sum_rows_u16_avx2 (alpha: &[f64], start: &[usize], x: &[u16], y: &mut [f64]) {
        let n = y.len();
        let mut j0 = 0;
        while j0 < n {
            let len = ROW_BLOCK.min(n - j0);
            let mut acc = [0.0f32; ROW_BLOCK];
            if len == ROW_BLOCK {
                for (&a, &s) in alpha.iter().zip(start) {
                    let row: &[u16; ROW_BLOCK] = x[s + j0..s + j0 + ROW_BLOCK]
                        .try_into()
                        .expect("a block of ROW_BLOCK entries");
                    let a = a as f32;
                    for j in 0..ROW_BLOCK {
                        acc[j] += a * f32::from(row[j]);
                    }
                }
            } else {
                for (&a, &s) in alpha.iter().zip(start) {
                    let a = a as f32;
                    for (c, xj) in acc.iter_mut().zip(&x[s + j0..s + j0 + len]) {
                        *c += a * f32::from(*xj);
                    }
                }
            }
            for (yj, c) in y[j0..j0 + len].iter_mut().zip(&acc) {
                *yj += f64::from(*c);
            }
            j0 += len;
        }
    }
}

/// `x` below which [`exp_body`] returns 0 (`exp(-708)` is near the
/// smallest normal `f64`).
const EXP_MIN: f64 = -708.0;
/// `x` above which [`exp_body`] returns infinity.
const EXP_MAX: f64 = 709.0;

/// `e^x` without branches or library calls, so loops over it vectorise:
/// `x = n ln 2 + f` with `|f| <= ln 2 / 2`, `e^f` by its Taylor polynomial
/// to degree 13 (truncation below `1e-17` relative), `2^n` by building the
/// exponent bits. Within `1e-15` relative of `f64::exp` for `x` in
/// `[-708, 709]` (tested); 0 below, infinity above, NaN for NaN.
#[inline(always)]
pub(crate) fn exp_body(x: f64) -> f64 {
    // 1.5 * 2^52: adding it rounds to an integer held in the low mantissa bits.
    const MAGIC: f64 = 6_755_399_441_055_744.0;
    const LN2_HI: f64 = 0.693_147_180_369_123_8;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    let xc = x.clamp(EXP_MIN, EXP_MAX);
    let t = xc * std::f64::consts::LOG2_E + MAGIC;
    let n = t - MAGIC;
    let f = (xc - n * LN2_HI) - n * LN2_LO;
    let mut p = 1.0 / 6_227_020_800.0;
    for d in [
        479_001_600.0,
        39_916_800.0,
        3_628_800.0,
        362_880.0,
        40_320.0,
        5_040.0,
        720.0,
        120.0,
        24.0,
        6.0,
        2.0,
        1.0,
        1.0,
    ] {
        p = p * f + 1.0 / d;
    }
    let bits = (t.to_bits().wrapping_sub(MAGIC.to_bits()).wrapping_add(1023)) << 52;
    let e = p * f64::from_bits(bits);
    if x < EXP_MIN {
        0.0
    } else if x > EXP_MAX {
        f64::INFINITY
    } else if x.is_nan() {
        x
    } else {
        e
    }
}

kernel! {
    /// `x <- e^x` for every entry ([`exp_body`]).
    fn exp_in_place / exp_in_place_portable / exp_in_place_avx2 (x: &mut [f64]) {
        for v in x.iter_mut() {
            *v = exp_body(*v);
        }
    }
}

kernel! {
    /// `y <- beta y + alpha x` over the common length.
    fn scale_add / scale_add_portable / scale_add_avx2 (beta: f64, alpha: f64, x: &[f64], y: &mut [f64]) {
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi = beta * *yi + alpha * xi;
        }
    }
}

kernel! {
    /// `y <- alpha y`.
    fn scale / scale_portable / scale_avx2 (alpha: f64, y: &mut [f64]) {
        for yi in y.iter_mut() {
            *yi *= alpha;
        }
    }
}

kernel! {
    /// `out = W x` for a row-major `W` (rows of length `x.len()`), one thread.
    fn matvec_serial / matvec_portable / matvec_avx2 (w: &[f64], x: &[f64], out: &mut [f64]) {
        // One row at a time: rows in pairs (as `matvec_f32`) measured no
        // faster in double precision (`cargo bench --bench learning -- hopfield`).
        let n = x.len();
        for (o, row) in out.iter_mut().zip(w.chunks_exact(n.max(1))) {
            *o = dot_body(row, x);
        }
    }
}

kernel! {
    /// `out = W x` for a row-major single-precision `W` and `x`, one thread.
    fn matvec_f32_serial / matvec_f32_portable / matvec_f32_avx2 (w: &[f32], x: &[f32], out: &mut [f64]) {
        // Rows in pairs sharing the loads of `x`; each row's sum is its `dot_f32`.
        let n = x.len().max(1);
        let rows = out.len().min(w.len() / n);
        let pairs = out[..rows].chunks_exact_mut(2).zip(w.chunks_exact(2 * n));
        for (o, rw) in pairs {
            let [p, q] = dot2_f32_body(&rw[..n], &rw[n..], x);
            o[0] = p;
            o[1] = q;
        }
        if rows % 2 == 1 {
            let i = rows - 1;
            out[i] = dot_f32_body(&w[i * n..(i + 1) * n], x);
        }
    }
}

/// Matrix entries from which [`matvec`] and [`matvec_f32`] split the rows
/// over the thread pool (below, the hand-off costs more than it saves;
/// measured with `cargo bench --bench learning -- hopfield`).
pub(crate) const PARALLEL_ENTRIES: usize = 1 << 20;

/// Rows per parallel task of the matrix-vector products.
const ROWS_PER_TASK: usize = 64;

/// `out = W x` for a row-major `W` (rows of length `x.len()`); rows in
/// parallel from [`PARALLEL_ENTRIES`] entries. Every row is one [`dot`], so
/// the result does not depend on the thread count.
pub(crate) fn matvec(w: &[f64], x: &[f64], out: &mut [f64]) {
    let n = x.len().max(1);
    if w.len() >= PARALLEL_ENTRIES && out.len() >= 2 * ROWS_PER_TASK {
        out.par_chunks_mut(ROWS_PER_TASK)
            .zip(w.par_chunks(ROWS_PER_TASK * n))
            .for_each(|(o, rows)| matvec_serial(rows, x, o));
    } else {
        matvec_serial(w, x, out);
    }
}

/// `out = W x` in single precision ([`dot_f32`] per row), rows in parallel
/// from [`PARALLEL_ENTRIES`] entries.
pub(crate) fn matvec_f32(w: &[f32], x: &[f32], out: &mut [f64]) {
    let n = x.len().max(1);
    if w.len() >= PARALLEL_ENTRIES && out.len() >= 2 * ROWS_PER_TASK {
        out.par_chunks_mut(ROWS_PER_TASK)
            .zip(w.par_chunks(ROWS_PER_TASK * n))
            .for_each(|(o, rows)| matvec_f32_serial(rows, x, o));
    } else {
        matvec_f32_serial(w, x, out);
    }
}

/// A `rows x cols` matrix of independent `mean + std * N(0, 1)` entries drawn
/// from a generator seeded with `seed` (row-major order).
pub(crate) fn gaussian_matrix(
    rows: usize,
    cols: usize,
    mean: f64,
    std: f64,
    seed: u64,
) -> Array2<f64> {
    let mut rng = crate::random::seeded(seed);
    Array2::from_shape_simple_fn((rows, cols), || {
        let z: f64 = StandardNormal.sample(&mut rng);
        mean + std * z
    })
}

/// The first non-finite entry of `v`, as `(index, value)`.
pub(crate) fn first_non_finite<'a>(v: impl IntoIterator<Item = &'a f64>) -> Option<(usize, f64)> {
    v.into_iter()
        .enumerate()
        .find(|(_, x)| !x.is_finite())
        .map(|(i, &x)| (i, x))
}

/// Checks principal components given as rows of `n_in` values: at least one
/// row, the right width, every value finite.
///
/// # Errors
/// [`crate::Error::Shape`] naming `components`, or [`crate::Error::Invalid`]
/// naming the first non-finite entry and its value.
pub(crate) fn check_components(
    components: &ndarray::ArrayView2<f64>,
    n_in: usize,
) -> crate::Result<()> {
    if components.nrows() == 0 || components.ncols() != n_in {
        return Err(crate::Error::shape(
            "components",
            format!("(k >= 1, {n_in})"),
            format!("{:?}", components.dim()),
        ));
    }
    if let Some((i, v)) = first_non_finite(components.iter()) {
        return Err(crate::Error::Invalid(format!(
            "components[{}, {}] must be finite (got {v})",
            i / n_in,
            i % n_in
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random values in [-1, 1) from a seeded generator.
    fn random(n: usize, seed: u64) -> Vec<f64> {
        use rand::RngExt;
        let mut rng = crate::random::seeded(seed);
        (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
    }

    /// Lengths round every multiple of the vector widths, 0 and 1 included.
    const LENGTHS: [usize; 14] = [0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 100, 517];

    #[test]
    fn dot_matches_the_plain_sum_for_every_remainder() {
        for n in 0..70 {
            let a: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
            let b: Vec<f64> = (0..n).map(|i| (i as f64 * 0.11).cos()).collect();
            let want: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot(&a, &b) - want).abs() < 1e-12, "n = {n}");
        }
        // The common length of unequal slices.
        assert_eq!(dot(&[1.0, 2.0, 3.0], &[4.0]), 4.0);
    }

    #[test]
    fn fast_kernels_equal_the_portable_ones_bit_for_bit() {
        for (t, &n) in LENGTHS.iter().enumerate() {
            let (a, b) = (random(n, t as u64), random(n, 100 + t as u64));
            let (a32, b32): (Vec<f32>, Vec<f32>) = (
                a.iter().map(|&v| v as f32).collect(),
                b.iter().map(|&v| v as f32).collect(),
            );
            assert_eq!(
                dot(&a, &b).to_bits(),
                dot_portable(&a, &b).to_bits(),
                "dot, n = {n}"
            );
            assert_eq!(
                dot_f32(&a32, &b32).to_bits(),
                dot_f32_portable(&a32, &b32).to_bits(),
                "dot_f32, n = {n}"
            );
            assert_eq!(
                dot_f32_f64(&a32, &b).to_bits(),
                dot_f32_f64_portable(&a32, &b).to_bits(),
                "dot_f32_f64, n = {n}"
            );
            let (mut y1, mut y2) = (b.clone(), b.clone());
            axpy(0.3, &a, &mut y1);
            axpy_portable(0.3, &a, &mut y2);
            assert_eq!(y1, y2, "axpy, n = {n}");
            axpy_f32_f64(-1.7, &a32, &mut y1);
            axpy_f32_f64_portable(-1.7, &a32, &mut y2);
            assert_eq!(y1, y2, "axpy_f32_f64, n = {n}");
            // Rows at offsets 0, 5 and 2n of a 3n + 5 matrix.
            let m16: Vec<u16> = (0..3 * n + 5).map(|i| (i * 7919 % 65536) as u16).collect();
            let (al, st) = ([0.3, -1e-3, 2.5], [0, 5, 2 * n]);
            let (mut z1, mut z2, mut z3) = (b.clone(), b.clone(), b.clone());
            sum_rows_u16(&al, &st, &m16, &mut z1);
            sum_rows_u16_portable(&al, &st, &m16, &mut z2);
            let mut mass = vec![0.0f64; n];
            for (a, s) in al.iter().zip(st) {
                for ((z, m), x) in z3.iter_mut().zip(&mut mass).zip(&m16[s..s + n]) {
                    *z += a * f64::from(*x);
                    *m += (a * f64::from(*x)).abs();
                }
            }
            assert_eq!(z1, z2, "sum_rows_u16, n = {n}");
            let eps = 2f64.powi(-24);
            for ((p, q), m) in z1.iter().zip(&z3).zip(&mass) {
                let bound = 6.0 * eps * m + 1e-15 * q.abs();
                assert!((p - q).abs() <= bound, "sum_rows_u16, n = {n}: {p} vs {q}");
            }
            let (mut e1, mut e2) = (a.clone(), a.clone());
            exp_in_place(&mut e1);
            exp_in_place_portable(&mut e2);
            assert_eq!(e1, e2, "exp_in_place, n = {n}");
            scale_add(0.9, 0.2, &a, &mut y1);
            scale_add_portable(0.9, 0.2, &a, &mut y2);
            assert_eq!(y1, y2, "scale_add, n = {n}");
            scale(1.3, &mut y1);
            scale_portable(1.3, &mut y2);
            assert_eq!(y1, y2, "scale, n = {n}");
            // Matrices of 0 to 4 rows of this length (pairs and an odd row).
            for rows in [0, 1, 2, 3, 4] {
                let w = random(rows * n, 7 + t as u64);
                let w32: Vec<f32> = w.iter().map(|&v| v as f32).collect();
                let (mut o1, mut o2) = (vec![0.0; rows], vec![0.0; rows]);
                matvec(&w, &a, &mut o1);
                matvec_portable(&w, &a, &mut o2);
                assert_eq!(o1, o2, "matvec {rows} x {n}");
                for (i, o) in o1.iter().enumerate() {
                    let d = dot(&w[i * n..(i + 1) * n], &a);
                    assert_eq!(o.to_bits(), d.to_bits(), "matvec row {i} of {rows} x {n}");
                }
                matvec_f32(&w32, &a32, &mut o1);
                matvec_f32_portable(&w32, &a32, &mut o2);
                assert_eq!(o1, o2, "matvec_f32 {rows} x {n}");
                for (i, o) in o1.iter().enumerate() {
                    let d = dot_f32(&w32[i * n..(i + 1) * n], &a32);
                    assert_eq!(
                        o.to_bits(),
                        d.to_bits(),
                        "matvec_f32 row {i} of {rows} x {n}"
                    );
                }
            }
        }
    }

    #[test]
    fn single_precision_sums_stay_within_their_stated_bound() {
        for (t, &n) in LENGTHS.iter().enumerate() {
            let (a, b) = (random(n, 50 + t as u64), random(n, 60 + t as u64));
            let (a32, b32): (Vec<f32>, Vec<f32>) = (
                a.iter().map(|&v| v as f32).collect(),
                b.iter().map(|&v| v as f32).collect(),
            );
            let abs: f64 = a.iter().zip(&b).map(|(x, y)| (x * y).abs()).sum();
            let exact = dot(&a, &b);
            let eps = 2f64.powi(-24);
            let bound = (n as f64 / 32.0 + 5.0) * eps * abs + 1e-300;
            assert!(
                (dot_f32(&a32, &b32) - exact).abs() <= bound,
                "dot_f32, n = {n}"
            );
            let bound = 3.0 * eps * abs + 1e-300;
            assert!(
                (dot_f32_f64(&a32, &b) - exact).abs() <= bound,
                "dot_f32_f64, n = {n}"
            );
        }
    }

    #[test]
    fn exp_matches_the_library_exp() {
        let mut worst = 0.0f64;
        let xs: Vec<f64> = (0..200_001)
            .map(|i| -708.0 + 1417.0 * i as f64 / 200_000.0)
            .chain((0..10_001).map(|i| -1.0 + 2e-4 * i as f64))
            .chain([0.0, -0.0, 1e-300, -1e-300, f64::MIN_POSITIVE])
            .collect();
        let mut got = xs.clone();
        exp_in_place(&mut got);
        for (x, g) in xs.iter().zip(&got) {
            let want = x.exp();
            worst = worst.max((g - want).abs() / want);
        }
        assert!(worst < 1e-15, "{worst:e}");
        let mut edge = vec![-709.5, -1e10, f64::NEG_INFINITY, 709.9, 1e10, f64::NAN];
        exp_in_place(&mut edge);
        assert_eq!(&edge[..3], &[0.0, 0.0, 0.0]);
        assert_eq!(&edge[3..5], &[f64::INFINITY, f64::INFINITY]);
        assert!(edge[5].is_nan());
    }

    #[test]
    fn parallel_products_equal_the_serial_ones() {
        let (rows, n) = (1100, 1000);
        assert!(rows * n >= PARALLEL_ENTRIES);
        let w = random(rows * n, 1);
        let x = random(n, 2);
        let (mut par, mut ser) = (vec![0.0; rows], vec![0.0; rows]);
        matvec(&w, &x, &mut par);
        matvec_portable(&w, &x, &mut ser);
        assert_eq!(par, ser);
        let w32: Vec<f32> = w.iter().map(|&v| v as f32).collect();
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        matvec_f32(&w32, &x32, &mut par);
        matvec_f32_portable(&w32, &x32, &mut ser);
        assert_eq!(par, ser);
    }

    #[test]
    fn gaussian_matrix_is_seeded() {
        let a = gaussian_matrix(3, 4, 0.0, 1.0, 7);
        assert_eq!(a, gaussian_matrix(3, 4, 0.0, 1.0, 7));
        assert_ne!(a, gaussian_matrix(3, 4, 0.0, 1.0, 8));
    }
}
