//! Dense kernels shared by the weight-matrix networks (Hopfield, linear and
//! spiking layers, the place-cell network) and their learning rules: dot
//! products, `y += a x`, matrix-vector products, and seeded Gaussian weight
//! matrices.
//!
//! Every kernel has one portable body, written with independent partial sums
//! (sixteen for `f64`, thirty-two for `f32`) so the compiler keeps several
//! vector registers busy. On x86-64 processors with AVX2 and FMA, and with
//! AVX-512 (detected at run time), the same body is compiled again for those
//! instructions and called instead: two or four times the vector width, and
//! **bit-identical results** (the partial sums are the same, and Rust never
//! fuses a multiply and an add on its own). Elsewhere the portable build runs
//! (SSE2 on any x86-64). The matrix-vector products take several rows at a
//! time, sharing the loads of the vector; each row's sum stays the same.
//!
//! Single-precision weights ([`PaddedF32`]: rows starting on cache lines,
//! padded with zeros) halve the memory a product reads; the sums of
//! [`dot_blocks`] are accumulated in `f32` (each partial sum over
//! `len / 32 + 1` terms), so for `N` terms the result differs from the exact
//! sum by at most about `(N / 32 + 5) 2^-24 sum_i |a_i b_i|` (tested). The
//! mixed kernels ([`dot_f32_f64`], [`axpy_f32_f64`]) widen each `f32` entry
//! to `f64` and accumulate in double precision, so only the storage rounding
//! (`2^-24` relative per entry) remains.

use ndarray::Array2;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// The instruction sets the kernels are compiled for, from the plainest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) enum Isa {
    /// The portable build (SSE2 on any x86-64).
    Portable,
    /// AVX2 + FMA: four `f64` or eight `f32` lanes per instruction.
    Avx2,
    /// AVX-512 (foundation) with AVX2 + FMA: eight `f64` or sixteen `f32`
    /// lanes per instruction.
    Avx512,
}

/// The widest build of the kernels this processor runs (`std` caches the
/// detection: a load and a test per query).
#[inline]
fn detected_isa() -> Isa {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected;
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            return if is_x86_feature_detected!("avx512f") {
                Isa::Avx512
            } else {
                Isa::Avx2
            };
        }
    }
    Isa::Portable
}

#[cfg(test)]
thread_local! {
    /// The widest build the kernels may use on this thread (tests run every
    /// build the processor has and compare them).
    static ISA_LIMIT: std::cell::Cell<Isa> = const { std::cell::Cell::new(Isa::Avx512) };
}

/// The build the kernels run on this thread.
#[inline]
pub(crate) fn isa() -> Isa {
    #[cfg(test)]
    {
        detected_isa().min(ISA_LIMIT.with(|l| l.get()))
    }
    #[cfg(not(test))]
    {
        detected_isa()
    }
}

/// Runs `f` with the kernels limited to `limit` on this thread; the builds
/// the processor lacks are skipped (then `f` runs a narrower one).
#[cfg(test)]
pub(crate) fn with_isa<T>(limit: Isa, f: impl FnOnce() -> T) -> T {
    let before = ISA_LIMIT.with(|l| l.replace(limit));
    let out = f();
    ISA_LIMIT.with(|l| l.set(before));
    out
}

/// Every build this processor runs, from the plainest.
#[cfg(test)]
pub(crate) fn isas() -> Vec<Isa> {
    [Isa::Portable, Isa::Avx2, Isa::Avx512]
        .into_iter()
        .filter(|&i| i <= detected_isa())
        .collect()
}

/// Defines a kernel from one portable body: `$name` dispatches at run time
/// to the body compiled for AVX-512, for AVX2 + FMA, or to the portable
/// build (`$portable`, kept callable so tests compare them).
macro_rules! kernel {
    (
        $(#[$doc:meta])*
        fn $name:ident / $portable:ident / $avx:ident / $avx512:ident ($($arg:ident : $ty:ty),*) $(-> $ret:ty)?
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
            match isa() {
                // SAFETY: the processor supports the build's instructions
                // (`isa` never reports more than it detects).
                #[cfg(target_arch = "x86_64")]
                Isa::Avx512 => unsafe { $avx512($($arg),*) },
                #[cfg(target_arch = "x86_64")]
                Isa::Avx2 => unsafe { $avx($($arg),*) },
                _ => $portable($($arg),*),
            }
        }

        /// The portable build of the kernel of the same name.
        #[inline(always)]
        pub(crate) fn $portable($($arg: $ty),*) $(-> $ret)? $body

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn $avx($($arg: $ty),*) $(-> $ret)? {
            $portable($($arg),*)
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f,avx2,fma")]
        unsafe fn $avx512($($arg: $ty),*) $(-> $ret)? {
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

/// `dot_body(row r, x)` for `R` consecutive rows of length `x.len()` at the
/// start of `w`, bit for bit, with the loads of `x` shared by the rows.
#[inline(always)]
fn dot_rows_body<const R: usize>(w: &[f64], x: &[f64]) -> [f64; R] {
    let n = x.len();
    let full = n - n % LANES;
    let mut rows = [x; R];
    for r in 0..R {
        rows[r] = &w[r * n..(r + 1) * n];
    }
    let mut acc = [[0.0f64; LANES]; R];
    // Fixed-size blocks keep the partial sums in registers.
    for o in (0..full).step_by(LANES) {
        let y: &[f64; LANES] = x[o..o + LANES].try_into().expect("a full block");
        for (a, row) in acc.iter_mut().zip(&rows) {
            let u: &[f64; LANES] = row[o..o + LANES].try_into().expect("a full block");
            for k in 0..LANES {
                a[k] += u[k] * y[k];
            }
        }
    }
    // The remainder as one more zero-padded block, as `dot_body`.
    let mut y = [0.0; LANES];
    y[..n - full].copy_from_slice(&x[full..]);
    let mut out = [0.0; R];
    for ((a, row), o) in acc.iter_mut().zip(&rows).zip(&mut out) {
        let mut u = [0.0; LANES];
        u[..n - full].copy_from_slice(&row[full..]);
        for k in 0..LANES {
            a[k] += u[k] * y[k];
        }
        *o = tree_sum(*a);
    }
    out
}

/// `out = W x` for a row-major `W` (rows of length `x.len()`), `R` rows at
/// a time; each entry is bit for bit `dot_body` of its row.
#[inline(always)]
fn matvec_rows<const R: usize>(w: &[f64], x: &[f64], out: &mut [f64]) {
    let n = x.len();
    if n == 0 {
        out.fill(0.0);
        return;
    }
    let rows = out.len().min(w.len() / n);
    let grouped = rows - rows % R;
    for (o, rw) in out[..grouped]
        .chunks_exact_mut(R)
        .zip(w.chunks_exact(R * n))
    {
        o.copy_from_slice(&dot_rows_body::<R>(rw, x));
    }
    for i in grouped..rows {
        out[i] = dot_body(&w[i * n..(i + 1) * n], x);
    }
}

/// Thirty-two `f32` starting on a 64-byte cache line: the unit of
/// [`PaddedF32`] and of its products (one block holds the terms of the
/// thirty-two partial sums for one step).
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C, align(64))]
pub(crate) struct Block(pub(crate) [f32; LANES32]);

/// A row-major single-precision matrix whose rows start on cache lines,
/// each padded with zeros to whole [`Block`]s, so the products load whole,
/// aligned lines (a load across two lines costs about twice as much).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PaddedF32 {
    rows: usize,
    cols: usize,
    /// Blocks per row.
    width: usize,
    data: Vec<Block>,
}

impl PaddedF32 {
    /// The row-major `rows x cols` matrix `values` rounded to `f32`.
    pub(crate) fn from_f64(values: &[f64], rows: usize, cols: usize) -> Self {
        let width = cols.div_ceil(LANES32);
        let mut m = Self {
            rows,
            cols,
            width,
            data: vec![Block([0.0; LANES32]); rows * width],
        };
        for i in 0..rows {
            m.set_row(i, &values[i * cols..(i + 1) * cols]);
        }
        m
    }

    /// Row `i` set to the first `cols` of `values`, rounded to `f32`.
    pub(crate) fn set_row(&mut self, i: usize, values: &[f64]) {
        let row = &mut self.data[i * self.width..(i + 1) * self.width];
        for (b, chunk) in row.iter_mut().zip(values[..self.cols].chunks(LANES32)) {
            for (d, &v) in b.0.iter_mut().zip(chunk) {
                *d = v as f32;
            }
        }
    }

    /// Entry `(i, j)` set to `v` rounded to `f32`.
    pub(crate) fn set(&mut self, i: usize, j: usize, v: f64) {
        self.data[i * self.width + j / LANES32].0[j % LANES32] = v as f32;
    }

    /// Row `i` as blocks (zeros beyond column `cols`).
    pub(crate) fn row(&self, i: usize) -> &[Block] {
        &self.data[i * self.width..(i + 1) * self.width]
    }

    /// Whether the matrix holds no entry.
    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Drops the entries (an empty matrix).
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }
}

/// `sum_k a_k b_k` for the `R` rows of `a` (row `r` at block `r * stride`,
/// as many blocks as `b`), with the loads of `b` shared by the rows:
/// thirty-two `f32` partial sums per row (term `k` in sum `k % 32`), added
/// by a fixed tree in `f64`. A row's result does not depend on `R`. With
/// `FUSED`, each product is added by one fused multiply-add: the same sums
/// when every product `a_k b_k` is exact in `f32` (e.g. `b_k` in
/// `{-1, 0, 1}`), not otherwise.
#[inline(always)]
fn dot_blocks_body<const R: usize, const FUSED: bool>(
    a: &[Block],
    stride: usize,
    b: &[Block],
) -> [f64; R] {
    let m = b.len();
    assert!(R == 0 || (R - 1) * stride + m <= a.len(), "rows within `a`");
    let mut acc = [[0.0f32; LANES32]; R];
    for j in 0..m {
        let y: &[f32; LANES32] = &b[j].0;
        for r in 0..R {
            let u: &[f32; LANES32] = &a[r * stride + j].0;
            for k in 0..LANES32 {
                acc[r][k] = if FUSED {
                    u[k].mul_add(y[k], acc[r][k])
                } else {
                    acc[r][k] + u[k] * y[k]
                };
            }
        }
    }
    // Plain loops, no closures (a closure is not compiled for the caller's
    // instruction set).
    let mut out = [0.0; R];
    for r in 0..R {
        let mut wide = [0.0f64; LANES32];
        for k in 0..LANES32 {
            wide[k] = f64::from(acc[r][k]);
        }
        out[r] = tree_sum(wide);
    }
    out
}

/// `out = W x` for rows `lo..lo + out.len()` of a padded `W` and a padded
/// `x`, `R` rows at a time; each entry is bit for bit [`dot_blocks`] of
/// its row.
#[inline(always)]
fn matvec_blocks_rows<const R: usize, const FUSED: bool>(
    w: &PaddedF32,
    lo: usize,
    x: &[Block],
    out: &mut [f64],
) {
    let rows = out.len().min(w.rows.saturating_sub(lo));
    let grouped = rows - rows % R;
    for (g, o) in out[..grouped].chunks_exact_mut(R).enumerate() {
        let first = (lo + g * R) * w.width;
        let rw = &w.data[first..first + R * w.width];
        o.copy_from_slice(&dot_blocks_body::<R, FUSED>(rw, w.width, x));
    }
    for (i, o) in out.iter_mut().enumerate().take(rows).skip(grouped) {
        *o = dot_blocks_body::<1, FUSED>(w.row(lo + i), 0, x)[0];
    }
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
    fn dot / dot_portable / dot_avx2 / dot_avx512 (a: &[f64], b: &[f64]) -> f64 {
        dot_body(a, b)
    }
}

kernel! {
    /// `sum_k a_k b_k` over the blocks of `b` (`a` at least as long), in
    /// single precision (see the module docs for the bound), returned as
    /// `f64`.
    fn dot_blocks / dot_blocks_portable / dot_blocks_avx2 / dot_blocks_avx512 (a: &[Block], b: &[Block]) -> f64 {
        dot_blocks_body::<1, false>(a, 0, b)[0]
    }
}

kernel! {
    /// `sum_i a_i b_i` over the common length for single-precision `a`,
    /// accumulated in double precision.
    fn dot_f32_f64 / dot_f32_f64_portable / dot_f32_f64_avx2 / dot_f32_f64_avx512 (a: &[f32], b: &[f64]) -> f64
    ; short: a.len() < LANES;
    {
        dot_f32_f64_body(a, b)
    }
}

kernel! {
    /// `y += alpha x` over the common length.
    fn axpy / axpy_portable / axpy_avx2 / axpy_avx512 (alpha: f64, x: &[f64], y: &mut [f64]) {
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi += alpha * xi;
        }
    }
}

kernel! {
    /// `y += alpha x` over the common length for single-precision `x`
    /// (widened to `f64`).
    fn axpy_f32_f64 / axpy_f32_f64_portable / axpy_f32_f64_avx2 / axpy_f32_f64_avx512 (alpha: f64, x: &[f32], y: &mut [f64])
    ; short: x.len() < LANES;
    {
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi += alpha * f64::from(*xi);
        }
    }
}

kernel! {
    /// [`dot_f32_f64`]`(x, b)` and [`axpy_f32_f64`]`(alpha, x, y)` in one
    /// pass over `x` (each entry widened once), bit for bit the two calls,
    /// over the common length of `x`, `b` and `y`.
    fn dot_axpy_f32_f64 / dot_axpy_f32_f64_portable / dot_axpy_f32_f64_avx2 / dot_axpy_f32_f64_avx512 (x: &[f32], b: &[f64], alpha: f64, y: &mut [f64]) -> f64
    ; short: x.len() < LANES;
    {
        let n = x.len().min(b.len()).min(y.len());
        let (x, b, y) = (&x[..n], &b[..n], &mut y[..n]);
        if n < LANES {
            axpy_f32_f64_portable(alpha, x, y);
            return dot_f32_f64_body(x, b);
        }
        let mut acc = [0.0f64; LANES];
        let full = n - n % LANES;
        for o in (0..full).step_by(LANES) {
            let u: &[f32; LANES] = x[o..o + LANES].try_into().expect("a full block");
            let v: &[f64; LANES] = b[o..o + LANES].try_into().expect("a full block");
            let w: &mut [f64; LANES] = (&mut y[o..o + LANES]).try_into().expect("a full block");
            for k in 0..LANES {
                let xk = f64::from(u[k]);
                acc[k] += xk * v[k];
                w[k] += alpha * xk;
            }
        }
        // The remainder as `dot_f32_f64_body` and `axpy_f32_f64` take it.
        let (mut u, mut v) = ([0.0f32; LANES], [0.0; LANES]);
        u[..n - full].copy_from_slice(&x[full..]);
        v[..n - full].copy_from_slice(&b[full..]);
        for k in 0..LANES {
            acc[k] += f64::from(u[k]) * v[k];
        }
        for (yi, xi) in y[full..].iter_mut().zip(&x[full..]) {
            *yi += alpha * f64::from(*xi);
        }
        tree_sum(acc)
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
    fn sum_rows_u16 / sum_rows_u16_portable / sum_rows_u16_avx2 / sum_rows_u16_avx512 (alpha: &[f64], start: &[usize], x: &[u16], y: &mut [f64]) {
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
    fn exp_in_place / exp_in_place_portable / exp_in_place_avx2 / exp_in_place_avx512 (x: &mut [f64]) {
        for v in x.iter_mut() {
            *v = exp_body(*v);
        }
    }
}

kernel! {
    /// `y <- beta y + alpha x` over the common length.
    fn scale_add / scale_add_portable / scale_add_avx2 / scale_add_avx512 (beta: f64, alpha: f64, x: &[f64], y: &mut [f64]) {
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi = beta * *yi + alpha * xi;
        }
    }
}

kernel! {
    /// `y <- alpha y`.
    fn scale / scale_portable / scale_avx2 / scale_avx512 (alpha: f64, y: &mut [f64]) {
        for yi in y.iter_mut() {
            *yi *= alpha;
        }
    }
}

/// `out = W x` for a row-major `W` (rows of length `x.len()`), one thread:
/// rows four at a time sharing the loads of `x` with AVX2 or AVX-512
/// (measured faster at `N = 500` than one row at a time), one at a time in
/// the portable build (sixteen SSE2 registers hold one row's sums).
/// Every entry is bit for bit the [`dot`] of its row.
pub(crate) fn matvec_serial(w: &[f64], x: &[f64], out: &mut [f64]) {
    match isa() {
        // SAFETY: the processor supports the build's instructions.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { matvec_avx512(w, x, out) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { matvec_avx2(w, x, out) },
        _ => matvec_rows::<1>(w, x, out),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn matvec_avx2(w: &[f64], x: &[f64], out: &mut [f64]) {
    matvec_rows::<4>(w, x, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn matvec_avx512(w: &[f64], x: &[f64], out: &mut [f64]) {
    matvec_rows::<4>(w, x, out)
}

/// `out = W x` for rows `lo..lo + out.len()` of a padded single-precision
/// `W` and a padded `x`, one thread: rows four at a time with AVX-512, in
/// pairs otherwise, sharing the loads of `x` (the synchronous `N = 500`
/// Hopfield step of `cargo bench --bench learning -- hopfield` went from
/// 32.5 us with unaligned rows in pairs to 19.0 us, at load 9-10).
/// Every entry is bit for bit the [`dot_blocks`] of its row. With `signs`
/// (every `x_j` in `{-1, 0, 1}`, so every product is exact), the AVX builds
/// add each product by a fused multiply-add (the same sums, one instruction
/// instead of two).
fn matvec_blocks_serial(w: &PaddedF32, lo: usize, x: &[Block], out: &mut [f64], signs: bool) {
    match isa() {
        // SAFETY: the processor supports the build's instructions.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { matvec_blocks_avx512(w, lo, x, out, signs) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { matvec_blocks_avx2(w, lo, x, out, signs) },
        _ => matvec_blocks_rows::<2, false>(w, lo, x, out),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn matvec_blocks_avx2(w: &PaddedF32, lo: usize, x: &[Block], out: &mut [f64], signs: bool) {
    if signs {
        matvec_blocks_rows::<2, true>(w, lo, x, out)
    } else {
        matvec_blocks_rows::<2, false>(w, lo, x, out)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn matvec_blocks_avx512(
    w: &PaddedF32,
    lo: usize,
    x: &[Block],
    out: &mut [f64],
    signs: bool,
) {
    if signs {
        matvec_blocks_rows::<4, true>(w, lo, x, out)
    } else {
        matvec_blocks_rows::<4, false>(w, lo, x, out)
    }
}

/// Matrix entries from which [`matvec`] and [`matvec_padded`] split the rows
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

/// `out = W x` for a padded single-precision `W` and a padded `x` (a row
/// of a [`PaddedF32`]): [`dot_blocks`] per row, rows in parallel from
/// [`PARALLEL_ENTRIES`] entries.
pub(crate) fn matvec_padded(w: &PaddedF32, x: &[Block], out: &mut [f64]) {
    matvec_padded_with(w, x, out, false);
}

/// [`matvec_padded`] for an `x` whose entries are all `-1`, `0` or `1`
/// (the sign activation's states), with the same result: each product is
/// exact, so the AVX builds add it by a fused multiply-add.
///
/// # Panics
/// In debug builds, when an entry of `x` is not `-1`, `0` or `1`.
pub(crate) fn matvec_padded_signs(w: &PaddedF32, x: &[Block], out: &mut [f64]) {
    debug_assert!(
        x.iter()
            .flat_map(|b| b.0)
            .all(|v| v == 0.0 || v.abs() == 1.0),
        "entries of x in {{-1, 0, 1}}"
    );
    matvec_padded_with(w, x, out, true);
}

fn matvec_padded_with(w: &PaddedF32, x: &[Block], out: &mut [f64], signs: bool) {
    if w.rows * w.cols >= PARALLEL_ENTRIES && out.len() >= 2 * ROWS_PER_TASK {
        out.par_chunks_mut(ROWS_PER_TASK)
            .enumerate()
            .for_each(|(t, o)| matvec_blocks_serial(w, t * ROWS_PER_TASK, x, o, signs));
    } else {
        matvec_blocks_serial(w, 0, x, out, signs);
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
    fn every_build_gives_the_portable_results_bit_for_bit() {
        for (t, &n) in LENGTHS.iter().enumerate() {
            let (a, b) = (random(n, t as u64), random(n, 100 + t as u64));
            let a32: Vec<f32> = a.iter().map(|&v| v as f32).collect();
            // Everything the kernels compute on these inputs, at one build.
            let run = || {
                let mut bits: Vec<u64> =
                    vec![dot(&a, &b).to_bits(), dot_f32_f64(&a32, &b).to_bits()];
                let pa = PaddedF32::from_f64(&a, 1, n);
                let pb = PaddedF32::from_f64(&b, 1, n);
                let s: Vec<f64> = b
                    .iter()
                    .map(|v| (3.0 * v).round().clamp(-1.0, 1.0))
                    .collect();
                let signs = PaddedF32::from_f64(&s, 1, n);
                bits.push(dot_blocks(pa.row(0), pb.row(0)).to_bits());
                let (mut y, mut z) = (b.clone(), b.clone());
                bits.push(dot_axpy_f32_f64(&a32, &b, 0.7, &mut z).to_bits());
                axpy(0.3, &a, &mut y);
                axpy_f32_f64(-1.7, &a32, &mut y);
                // Rows at offsets 0, 5 and 2n of a 3n + 5 matrix.
                let m16: Vec<u16> = (0..3 * n + 5).map(|i| (i * 7919 % 65536) as u16).collect();
                sum_rows_u16(&[0.3, -1e-3, 2.5], &[0, 5, 2 * n], &m16, &mut z);
                let mut e = a.clone();
                exp_in_place(&mut e);
                scale_add(0.9, 0.2, &a, &mut y);
                scale(1.3, &mut y);
                bits.extend(y.iter().chain(&z).chain(&e).map(|v| v.to_bits()));
                // Matrices of 0 to 9 rows (blocks of four, pairs, odd rows).
                for rows in 0..10 {
                    let w = random(rows * n, 7 + t as u64);
                    let mut o = vec![0.0; rows];
                    matvec(&w, &a, &mut o);
                    bits.extend(o.iter().map(|v| v.to_bits()));
                    let pw = PaddedF32::from_f64(&w, rows, n);
                    matvec_padded(&pw, pa.row(0), &mut o);
                    bits.extend(o.iter().map(|v| v.to_bits()));
                    matvec_padded_signs(&pw, signs.row(0), &mut o);
                    bits.extend(o.iter().map(|v| v.to_bits()));
                }
                bits
            };
            let portable = with_isa(Isa::Portable, run);
            for isa in isas() {
                assert!(with_isa(isa, run) == portable, "{isa:?}, n = {n}");
            }
        }
    }

    #[test]
    fn products_take_each_row_as_its_dot_product() {
        for n in (0..=520).step_by(13).chain([31, 32, 33, 63, 64, 65, 500]) {
            let x = random(n, 3);
            let px = PaddedF32::from_f64(&x, 1, n);
            // -1, 0 and 1 (the sign activation's states, 0 included).
            let s: Vec<f64> = x
                .iter()
                .map(|v| (2.0 * v).round().clamp(-1.0, 1.0))
                .collect();
            let ps = PaddedF32::from_f64(&s, 1, n);
            for rows in [1, 3, 4, 5, 7, 9] {
                let w = random(rows * n, 4 + n as u64);
                let pw = PaddedF32::from_f64(&w, rows, n);
                for isa in isas() {
                    with_isa(isa, || {
                        let mut o = vec![0.0; rows];
                        matvec(&w, &x, &mut o);
                        for (i, v) in o.iter().enumerate() {
                            let d = dot(&w[i * n..(i + 1) * n], &x);
                            assert_eq!(v.to_bits(), d.to_bits(), "{isa:?} matvec {rows} x {n}");
                        }
                        matvec_padded(&pw, px.row(0), &mut o);
                        for (i, v) in o.iter().enumerate() {
                            let d = dot_blocks(pw.row(i), px.row(0));
                            assert_eq!(v.to_bits(), d.to_bits(), "{isa:?} padded {rows} x {n}");
                        }
                        matvec_padded_signs(&pw, ps.row(0), &mut o);
                        for (i, v) in o.iter().enumerate() {
                            let d = dot_blocks(pw.row(i), ps.row(0));
                            assert_eq!(v.to_bits(), d.to_bits(), "{isa:?} signs {rows} x {n}");
                        }
                    });
                }
            }
        }
    }

    #[test]
    fn products_match_the_plain_loop_within_their_bounds() {
        let eps = 2f64.powi(-24);
        for n in (0..=520).step_by(7).chain([1, 2, 31, 32, 33, 500]) {
            let x = random(n, 10 + n as u64);
            // A +-1 state too (the sign activation's), whose products are exact.
            let signs: Vec<f64> = x.iter().map(|v| v.signum()).collect();
            let rows = 5;
            let w = random(rows * n, 20 + n as u64);
            let pw = PaddedF32::from_f64(&w, rows, n);
            for state in [&x, &signs] {
                let px = PaddedF32::from_f64(state, 1, n);
                let (mut o64, mut o32) = (vec![0.0; rows], vec![0.0; rows]);
                matvec(&w, state, &mut o64);
                matvec_padded(&pw, px.row(0), &mut o32);
                for i in 0..rows {
                    let row = &w[i * n..(i + 1) * n];
                    let mut exact = 0.0;
                    let mut abs = 0.0;
                    for (a, b) in row.iter().zip(state.iter()) {
                        exact += a * b;
                        abs += (a * b).abs();
                    }
                    let tol = 1e-15 * (n as f64 + 1.0) * abs + 1e-300;
                    assert!((o64[i] - exact).abs() <= tol, "f64 row {i}, n = {n}");
                    // f32 storage of both factors, then the f32 sums.
                    let bound = (n as f64 / 32.0 + 5.0) * eps * abs + 1e-300;
                    assert!((o32[i] - exact).abs() <= bound, "f32 row {i}, n = {n}");
                }
            }
        }
    }

    #[test]
    fn padded_rows_start_on_cache_lines_and_hold_zeros_beyond_the_columns() {
        let (rows, n) = (3, 37);
        let w = random(rows * n, 1);
        let mut p = PaddedF32::from_f64(&w, rows, n);
        for i in 0..rows {
            let row = p.row(i);
            assert_eq!(row.as_ptr() as usize % 64, 0);
            assert_eq!(row.len(), 2);
            let flat: Vec<f32> = row.iter().flat_map(|b| b.0).collect();
            assert_eq!(&flat[n..], &[0.0; 64 - 37]);
            assert_eq!(flat[5], w[i * n + 5] as f32);
        }
        p.set(1, 36, 2.0);
        assert_eq!(p.row(1)[1].0[4], 2.0);
        assert!(!p.is_empty());
        p.clear();
        assert!(p.is_empty());
    }

    #[test]
    fn single_precision_sums_stay_within_their_stated_bound() {
        for (t, &n) in LENGTHS.iter().enumerate() {
            let (a, b) = (random(n, 50 + t as u64), random(n, 60 + t as u64));
            let a32: Vec<f32> = a.iter().map(|&v| v as f32).collect();
            let abs: f64 = a.iter().zip(&b).map(|(x, y)| (x * y).abs()).sum();
            let exact = dot(&a, &b);
            let eps = 2f64.powi(-24);
            let bound = (n as f64 / 32.0 + 5.0) * eps * abs + 1e-300;
            let (pa, pb) = (PaddedF32::from_f64(&a, 1, n), PaddedF32::from_f64(&b, 1, n));
            assert!(
                (dot_blocks(pa.row(0), pb.row(0)) - exact).abs() <= bound,
                "dot_blocks, n = {n}"
            );
            let bound = 3.0 * eps * abs + 1e-300;
            assert!(
                (dot_f32_f64(&a32, &b) - exact).abs() <= bound,
                "dot_f32_f64, n = {n}"
            );
        }
    }

    #[test]
    fn sixteen_bit_row_sums_stay_within_their_stated_bound() {
        for &n in &LENGTHS {
            let b = random(n, 200 + n as u64);
            // Rows at offsets 0, 5 and 2n of a 3n + 5 matrix.
            let m16: Vec<u16> = (0..3 * n + 5).map(|i| (i * 7919 % 65536) as u16).collect();
            let (al, st) = ([0.3, -1e-3, 2.5], [0, 5, 2 * n]);
            let (mut got, mut want) = (b.clone(), b.clone());
            sum_rows_u16(&al, &st, &m16, &mut got);
            let mut mass = vec![0.0f64; n];
            for (a, s) in al.iter().zip(st) {
                for ((z, m), x) in want.iter_mut().zip(&mut mass).zip(&m16[s..s + n]) {
                    *z += a * f64::from(*x);
                    *m += (a * f64::from(*x)).abs();
                }
            }
            let eps = 2f64.powi(-24);
            for ((p, q), m) in got.iter().zip(&want).zip(&mass) {
                let bound = 6.0 * eps * m + 1e-15 * q.abs();
                assert!((p - q).abs() <= bound, "sum_rows_u16, n = {n}: {p} vs {q}");
            }
        }
    }

    #[test]
    fn the_fused_dot_and_axpy_equal_the_two_calls() {
        for n in 0..70 {
            let (a, b, c) = (random(n, 300), random(n, 301), random(n, 302));
            let a32: Vec<f32> = a.iter().map(|&v| v as f32).collect();
            for isa in isas() {
                with_isa(isa, || {
                    let (mut y1, mut y2) = (c.clone(), c.clone());
                    let d1 = dot_axpy_f32_f64(&a32, &b, -0.3, &mut y1);
                    let d2 = dot_f32_f64(&a32, &b);
                    axpy_f32_f64(-0.3, &a32, &mut y2);
                    assert_eq!(d1.to_bits(), d2.to_bits(), "{isa:?}, n = {n}");
                    assert_eq!(y1, y2, "{isa:?}, n = {n}");
                });
            }
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
        with_isa(Isa::Portable, || matvec_serial(&w, &x, &mut ser));
        assert_eq!(par, ser);
        let pw = PaddedF32::from_f64(&w, rows, n);
        let px = PaddedF32::from_f64(&x, 1, n);
        matvec_padded(&pw, px.row(0), &mut par);
        with_isa(Isa::Portable, || {
            matvec_blocks_serial(&pw, 0, px.row(0), &mut ser, false)
        });
        assert_eq!(par, ser);
    }

    #[test]
    fn gaussian_matrix_is_seeded() {
        let a = gaussian_matrix(3, 4, 0.0, 1.0, 7);
        assert_eq!(a, gaussian_matrix(3, 4, 0.0, 1.0, 7));
        assert_ne!(a, gaussian_matrix(3, 4, 0.0, 1.0, 8));
    }
}
