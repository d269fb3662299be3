//! The reduction engine behind [`rips`](super::rips()): persistent
//! cohomology of the Vietoris-Rips filtration, as in Ripser (Bauer 2021).
//!
//! - Simplices are integers in the combinatorial number system (vertices
//!   `v_d > ... > v_0` map to `sum_i C(v_i, i + 1)`); the filtration is never
//!   materialised. Cofacets are enumerated on demand by decreasing index from
//!   the rows of the distance matrix (Bauer 2021, sec. 3.4, "implicit matrix
//!   reduction").
//! - Columns are reduced in reverse filtration order (decreasing diameter,
//!   ties by increasing index); the pivot of a column is its cofacet of
//!   smallest diameter, ties to the largest index.
//! - Clearing (sec. 3.3): pivots of dimension `d` are never columns of
//!   dimension `d + 1`.
//! - Zero-persistence apparent pairs (sec. 3.5) `(sigma, tau)`, where `tau`
//!   is the pivot cofacet of `sigma` and `sigma` the pivot facet of `tau`, both
//!   of equal diameter, are found locally and never become columns. A pivot
//!   that is the cofacet of such a pair is cancelled with the coboundary of its
//!   facet directly.
//! - Emergent pairs (sec. 3.6): a column whose first cofacet of equal
//!   diameter is unclaimed is paired without enumerating the rest.
//! - The working coboundary is a binary heap with lazy cancellation of equal
//!   entries; only the reduction matrix (the combination of simplices of each
//!   reduced column, off its diagonal) is stored, not reduced columns.
//! - Since a reduction only moves the pivot later, each column is summed
//!   within a window of cofacet diameters that starts at its own diameter
//!   and widens only when everything inside it cancels: cofacets past the
//!   pivot never enter the heap. The cofacets in a window are slices of the
//!   vertices' neighbour lists sorted by distance.
//! - Column assembly and apparent-pair detection run in parallel (rayon).
//!
//! # References
//! - U. Bauer (2021), Ripser: efficient computation of Vietoris-Rips
//!   persistence barcodes, J. Appl. Comput. Topology 5:391-423.

use super::rips::Cocycle;
use crate::error::{Error, Result};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// Columns whose pivots are looked up in parallel at once.
const BATCH: usize = 2048;

/// Initial number of diameter windows between a column's diameter and the
/// threshold (see [`Engine::reduce`]).
const WINDOWS: f64 = 64.0;

/// Entries of the working coboundary that one diameter window aims at.
const WINDOW_ENTRIES: usize = 1 << 16;

/// Most vertices of a simplex handled (a cofacet of a 3-simplex).
const MAX_VERTS: usize = 5;

/// Hasher for simplex indices: one multiply, then the high bits folded down.
#[derive(Default)]
struct IndexHasher(u64);

impl Hasher for IndexHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(self.0 ^ u64::from(b));
        }
    }
    fn write_u64(&mut self, i: u64) {
        let x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = x ^ (x >> 32);
    }
}

/// Pivot cofacet index -> (column position, pivot coefficient).
type PivotMap = HashMap<u64, (usize, u64), BuildHasherDefault<IndexHasher>>;

/// A simplex with its diameter and a coefficient in Z/p, packed in one word
/// as `index << shift | coef` (16 bytes per heap entry).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    diam: f64,
    key: u64,
}

impl Eq for Entry {}

impl Ord for Entry {
    // The heap's top is the pivot: smallest diameter, ties to the larger index.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .diam
            .total_cmp(&self.diam)
            .then(self.key.cmp(&other.key))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Vertices of a simplex, descending.
#[derive(Clone, Copy)]
struct Verts {
    v: [usize; MAX_VERTS],
    len: usize,
}

impl Verts {
    fn as_slice(&self) -> &[usize] {
        &self.v[..self.len]
    }
    /// The cofacet with vertex `w` added (not already a vertex).
    fn with(&self, w: usize) -> Verts {
        let mut out = Verts {
            v: [0; MAX_VERTS],
            len: self.len + 1,
        };
        let mut j = 0;
        let mut placed = false;
        for &v in self.as_slice() {
            if !placed && w > v {
                out.v[j] = w;
                j += 1;
                placed = true;
            }
            out.v[j] = v;
            j += 1;
        }
        if !placed {
            out.v[j] = w;
        }
        out
    }
    /// The facet without the vertex at position `i` (from the top).
    fn without(&self, i: usize) -> Verts {
        let mut out = Verts {
            v: [0; MAX_VERTS],
            len: self.len - 1,
        };
        let mut j = 0;
        for (a, &v) in self.as_slice().iter().enumerate() {
            if a != i {
                out.v[j] = v;
                j += 1;
            }
        }
        out
    }
}

/// Persistent cohomology of one Vietoris-Rips filtration.
pub(crate) struct Engine {
    n: usize,
    /// Full `n x n` distance matrix, row-major: row `v` is contiguous, so a
    /// cofacet scan streams through one row per vertex.
    dist: Vec<f64>,
    threshold: f64,
    p: u64,
    maxdim: usize,
    want_cocycles: bool,
    max_simplices: usize,
    /// `binom[k * (n + 1) + v] = C(v, k)` for `k <= maxdim + 2`.
    binom: Vec<u64>,
    inverse: Vec<u64>,
    /// Bits of an [`Entry`] key holding the coefficient.
    shift: u32,
    mask: u64,
    /// The other vertices within the threshold of each vertex `v`, by
    /// increasing distance: `near_w[near_off[v]..near_off[v + 1]]`, with
    /// their distances in `near_d`. A window of cofacet diameters is then a
    /// slice of each list instead of a scan of all vertices.
    near_off: Vec<usize>,
    near_w: Vec<u32>,
    near_d: Vec<f64>,
    /// For each edge (by index), the added vertex of its zero-persistence
    /// pivot cofacet (the largest `w` within the edge's length of both
    /// ends), `u32::MAX` when there is none or the edge is past the
    /// threshold; empty when `maxdim` is 0.
    edge_top: Vec<u32>,
}

/// Simplices as `(diameter, index)`.
type Simplices = Vec<(f64, u64)>;

/// What [`Engine::compute`] returns: intervals per dimension (unsorted) and
/// the H1 cocycles when asked for.
pub(crate) type Computed = (Vec<Vec<(f64, f64)>>, Vec<Cocycle>);

impl Engine {
    /// # Errors
    /// [`Error::Limit`] when simplex indices would overflow 64 bits.
    pub(crate) fn new(
        dist: Vec<f64>,
        n: usize,
        threshold: f64,
        maxdim: usize,
        p: u64,
        want_cocycles: bool,
        max_simplices: usize,
    ) -> Result<Self> {
        let kmax = maxdim + 2;
        let stride = n + 1;
        let mut binom = vec![0u64; (kmax + 1) * stride];
        for v in 0..=n {
            binom[v] = 1;
            for k in 1..=kmax.min(v) {
                let below = if k < v { binom[k * stride + v - 1] } else { 0 };
                binom[k * stride + v] = binom[(k - 1) * stride + v - 1]
                    .checked_add(below)
                    .ok_or_else(|| {
                        Error::Limit(format!(
                            "rips: {n} points in dimension {maxdim} overflow 64-bit simplex indices; subsample (n_perm) or reduce maxdim"
                        ))
                    })?;
            }
        }
        let shift = 64 - (p - 1).leading_zeros();
        if binom[kmax * stride + n]
            .checked_shl(shift)
            .map(|x| x >> shift)
            != Some(binom[kmax * stride + n])
        {
            return Err(Error::Limit(format!(
                "rips: {n} points in dimension {maxdim} with coefficients in Z/{p} overflow 64-bit simplex keys; subsample (n_perm), reduce maxdim or use a smaller prime"
            )));
        }
        let lists: Vec<Vec<(f64, u32)>> = (0..n)
            .into_par_iter()
            .map(|v| {
                let row = &dist[v * n..(v + 1) * n];
                let mut l: Vec<(f64, u32)> = row
                    .iter()
                    .enumerate()
                    .filter(|&(w, &d)| w != v && d <= threshold)
                    .map(|(w, &d)| (d, w as u32))
                    .collect();
                l.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                l
            })
            .collect();
        let mut near_off = Vec::with_capacity(n + 1);
        near_off.push(0);
        let total: usize = lists.iter().map(Vec::len).sum();
        let (mut near_w, mut near_d) = (Vec::with_capacity(total), Vec::with_capacity(total));
        for l in lists {
            near_d.extend(l.iter().map(|x| x.0));
            near_w.extend(l.iter().map(|x| x.1));
            near_off.push(near_d.len());
        }
        let edge_top: Vec<u32> = if maxdim == 0 {
            Vec::new()
        } else {
            let dist = &dist;
            (0..n)
                .into_par_iter()
                .flat_map_iter(|a| {
                    let ra = &dist[a * n..(a + 1) * n];
                    (0..a).map(move |b| {
                        let rb = &dist[b * n..(b + 1) * n];
                        let d = ra[b];
                        if d > threshold {
                            return u32::MAX;
                        }
                        highest_within(&[ra, rb], d, &[a, b], n).map_or(u32::MAX, |w| w as u32)
                    })
                })
                .collect()
        };
        let mut inverse = vec![0u64; p as usize];
        for a in 1..p {
            inverse[a as usize] = pow_mod(a, p - 2, p);
        }
        Ok(Self {
            n,
            dist,
            threshold,
            p,
            maxdim,
            want_cocycles,
            max_simplices,
            binom,
            inverse,
            shift,
            mask: (1u64 << shift) - 1,
            near_off,
            near_w,
            near_d,
            edge_top,
        })
    }

    #[inline]
    fn c(&self, v: usize, k: usize) -> u64 {
        self.binom[k * (self.n + 1) + v]
    }

    #[inline]
    fn d(&self, a: usize, b: usize) -> f64 {
        self.dist[a * self.n + b]
    }

    fn row(&self, v: usize) -> &[f64] {
        &self.dist[v * self.n..(v + 1) * self.n]
    }

    /// Vertices of the `dim`-simplex `index`.
    fn vertices(&self, mut index: u64, dim: usize) -> Verts {
        let mut out = Verts {
            v: [0; MAX_VERTS],
            len: dim + 1,
        };
        let stride = self.n + 1;
        let mut top = self.n + 1;
        for (pos, k) in (1..=dim + 1).rev().enumerate() {
            // Largest v below `top` with C(v, k) <= index.
            let row = &self.binom[k * stride..k * stride + top];
            let v = row.partition_point(|&c| c <= index) - 1;
            out.v[pos] = v;
            index -= row[v];
            top = v;
        }
        out
    }

    fn index_of(&self, verts: &Verts) -> u64 {
        let k = verts.len;
        verts
            .as_slice()
            .iter()
            .enumerate()
            .map(|(i, &v)| self.c(v, k - i))
            .sum()
    }

    /// Neighbours of `v` (within the threshold) at distances in `(lo, hi]`,
    /// as a slice of its sorted list: `(vertices, distances)`.
    #[inline]
    fn near(&self, v: usize, lo: f64, hi: f64) -> (&[u32], &[f64]) {
        let (a, b) = (self.near_off[v], self.near_off[v + 1]);
        let d = &self.near_d[a..b];
        let end = d.partition_point(|&x| x <= hi);
        let start = if lo < 0.0 {
            0
        } else {
            d[..end].partition_point(|&x| x <= lo)
        };
        (&self.near_w[a + start..a + end], &d[start..end])
    }

    /// Calls `f(index, diameter, odd)` for every cofacet of the simplex
    /// `verts` (index `index`, diameter `diam`) whose diameter lies in the
    /// window `(lo, hi]`, `hi` at most the threshold, in no particular
    /// order; `odd` when its coboundary coefficient is -1. The candidates
    /// come from the sorted neighbour lists, so the cost is that of the
    /// window, not of all vertices (Bauer 2021, sec. 4, sparse case).
    #[inline]
    fn cofacets_in(
        &self,
        verts: &Verts,
        index: u64,
        diam: f64,
        lo: f64,
        hi: f64,
        mut f: impl FnMut(u64, f64, bool),
    ) {
        let s = verts.as_slice();
        let len = s.len();
        if diam > hi {
            return;
        }
        // With `j` vertices of the simplex above the added vertex `w`, the
        // cofacet's index is `above[j] + C(w, len - j + 1) + below[j]`.
        let mut above = [0u64; MAX_VERTS + 1];
        let mut below = [0u64; MAX_VERTS + 1];
        let mut rest = index;
        for (j, &v) in s.iter().enumerate() {
            below[j] = rest;
            rest -= self.c(v, len - j);
            above[j + 1] = above[j] + self.c(v, len - j + 1);
        }
        below[len] = 0;
        let mut emit = |w: usize, d: f64| {
            let j = s.iter().take_while(|&&v| v > w).count();
            let k = len - j;
            f(above[j] + self.c(w, k + 1) + below[j], d, k & 1 == 1);
        };
        if diam > lo {
            // Every cofacet is in the window once its diameter is <= hi: scan
            // the shortest list.
            let (mut best, mut best_len) = (0, usize::MAX);
            for (a, &v) in s.iter().enumerate() {
                let l = self.near(v, f64::NEG_INFINITY, hi).0.len();
                if l < best_len {
                    (best, best_len) = (a, l);
                }
            }
            let (ws, ds) = self.near(s[best], f64::NEG_INFINITY, hi);
            'w: for (&w, &dw) in ws.iter().zip(ds) {
                let w = w as usize;
                let mut d = diam.max(dw);
                for (a, &u) in s.iter().enumerate() {
                    if a == best {
                        continue;
                    }
                    if u == w {
                        continue 'w;
                    }
                    let du = self.d(u, w);
                    if du > hi {
                        continue 'w;
                    }
                    d = d.max(du);
                }
                emit(w, d);
            }
        } else {
            // The diameter is that of a new edge in (lo, hi]: each cofacet is
            // found from the first vertex whose edge to `w` exceeds `lo`.
            for (a, &v) in s.iter().enumerate() {
                let (ws, ds) = self.near(v, lo, hi);
                'w2: for (&w, &dw) in ws.iter().zip(ds) {
                    let w = w as usize;
                    let mut d = dw;
                    for (b, &u) in s.iter().enumerate() {
                        if b == a {
                            continue;
                        }
                        let du = self.d(u, w);
                        if du > if b < a { lo } else { hi } {
                            continue 'w2;
                        }
                        d = d.max(du);
                    }
                    emit(w, d);
                }
            }
        }
    }

    /// The index of the cofacet of the simplex `s` (index `index`) with the
    /// vertex `w` added, and whether its coboundary coefficient is -1.
    #[inline]
    fn cofacet_index(&self, s: &[usize], index: u64, w: usize) -> (u64, bool) {
        let len = s.len();
        let (mut idx, mut j) = (index, 0);
        // Vertices above `w` move up one place in the cofacet.
        while j < len && s[j] > w {
            idx = idx
                .wrapping_add(self.c(s[j], len - j + 1))
                .wrapping_sub(self.c(s[j], len - j));
            j += 1;
        }
        let k = len - j;
        (idx.wrapping_add(self.c(w, k + 1)), k & 1 == 1)
    }

    /// The cofacet of largest index among those of the simplex's own
    /// diameter (the pivot of its coboundary when one exists): `(index, added
    /// vertex, odd sign)`.
    fn zero_pivot_cofacet(
        &self,
        verts: &Verts,
        index: u64,
        diam: f64,
    ) -> Option<(u64, usize, bool)> {
        let s = verts.as_slice();
        let w = if s.len() == 2 && !self.edge_top.is_empty() {
            match self.edge_top[index as usize] {
                u32::MAX => return None,
                w => w as usize,
            }
        } else {
            let mut rows: [&[f64]; MAX_VERTS] = [&[]; MAX_VERTS];
            for (r, &v) in rows.iter_mut().zip(s) {
                *r = self.row(v);
            }
            highest_within(&rows[..s.len()], diam, s, self.n)?
        };
        let (i, odd) = self.cofacet_index(s, index, w);
        Some((i, w, odd))
    }

    /// The facet of smallest index among those of the simplex's own
    /// diameter (the last facet in the filtration): `(index, position of the
    /// removed vertex)`. Only for simplices of dimension >= 2.
    fn zero_pivot_facet(&self, verts: &Verts, diam: f64) -> Option<(u64, usize)> {
        let s = verts.as_slice();
        let mut pd: Pairwise = [[0.0; MAX_VERTS]; MAX_VERTS];
        for (a, &u) in s.iter().enumerate() {
            let row = self.row(u);
            for (b, &v) in s.iter().enumerate().skip(a + 1) {
                pd[a][b] = row[v];
                pd[b][a] = row[v];
            }
        }
        let i = zero_facet_position(&pd, s.len(), diam)?;
        Some((self.index_of(&verts.without(i)), i))
    }

    /// The cofacet `tau` when `(sigma, tau)` is a zero-persistence apparent pair.
    fn apparent_cofacet(&self, verts: &Verts, index: u64, diam: f64) -> Option<u64> {
        let (tau, w, _) = self.zero_pivot_cofacet(verts, index, diam)?;
        let (f, _) = self.zero_pivot_facet(&verts.with(w), diam)?;
        (f == index).then_some(tau)
    }

    /// The facet `sigma` (index, vertices, and whether `tau` has coefficient
    /// -1 in its coboundary) when `(sigma, tau)` is a zero-persistence
    /// apparent pair. Only for `tau` of dimension >= 2.
    fn apparent_facet(&self, verts: &Verts, index: u64, diam: f64) -> Option<(u64, Verts, bool)> {
        let (f, i) = self.zero_pivot_facet(verts, diam)?;
        let sigma = verts.without(i);
        let (c, _, _) = self.zero_pivot_cofacet(&sigma, f, diam)?;
        (c == index).then_some((f, sigma, (verts.len - 1 - i) & 1 == 1))
    }

    /// Whether `tau` (diameter `diam`, vertices `[w, s...]`
    /// with pairwise distances `pd`) is the pivot cofacet of its
    /// zero-persistence pivot facet (the cofacet side of an apparent pair).
    fn is_apparent_cofacet(&self, tau: &Verts, diam: f64, pd: &Pairwise) -> bool {
        let Some(i) = zero_facet_position(pd, tau.len, diam) else {
            return false;
        };
        let sigma = tau.without(i);
        let sidx = self.index_of(&sigma);
        self.zero_pivot_cofacet(&sigma, sidx, diam)
            .is_some_and(|(_, w, _)| w == tau.v[i])
    }

    /// Whether `tau` (vertices `[w, s...]`, diameter `diam`, pairwise
    /// distances `pd`, `rows` those of `s`) is the zero-persistence pivot
    /// facet of its zero-persistence pivot cofacet (the facet side of an
    /// apparent pair).
    fn is_apparent_facet(&self, tau: &Verts, diam: f64, pd: &Pairwise, rows: &[&[f64]]) -> bool {
        let len = tau.len;
        let w = tau.v[0];
        let mut rt: [&[f64]; MAX_VERTS] = [&[]; MAX_VERTS];
        rt[0] = self.row(w);
        rt[1..len].copy_from_slice(rows);
        let rt = &rt[..len];
        let Some(x) = highest_within(rt, diam, tau.as_slice(), self.n) else {
            return false;
        };
        // Pairwise distances of the cofacet `tau + x`, `x` at position `q`.
        let q = tau.as_slice().iter().take_while(|&&v| v > x).count();
        let at = |t: usize| if t < q { t } else { t + 1 };
        let mut pt: Pairwise = [[0.0; MAX_VERTS]; MAX_VERTS];
        for a in 0..len {
            for b in 0..len {
                pt[at(a)][at(b)] = pd[a][b];
            }
            pt[q][at(a)] = rt[a][x];
            pt[at(a)][q] = rt[a][x];
        }
        zero_facet_position(&pt, len + 1, diam) == Some(q)
    }

    fn limit(&self, dim: usize, count: usize) -> Error {
        Error::Limit(format!(
            "rips: dimension {dim} needs more than {count} simplices (limit max_simplices = {}); lower the threshold, subsample (n_perm) or reduce maxdim",
            self.max_simplices
        ))
    }

    /// Intervals in every dimension and the H1 cocycles.
    ///
    /// # Errors
    /// [`Error::Limit`] when a dimension needs more than `max_simplices`
    /// stored simplices.
    pub(crate) fn compute(&self) -> Result<Computed> {
        let n = self.n;
        let mut pairs = vec![Vec::new(); self.maxdim + 1];
        let mut cocycles = Vec::new();
        let count: usize = (0..n)
            .into_par_iter()
            .map(|i| {
                self.row(i)[..i]
                    .iter()
                    .filter(|&&d| d <= self.threshold)
                    .count()
            })
            .sum();
        if count > self.max_simplices {
            return Err(self.limit(1, count));
        }
        let mut edges: Vec<(f64, u64)> = (0..n)
            .into_par_iter()
            .flat_map_iter(|i| {
                let ci = self.c(i, 2);
                self.row(i)[..i]
                    .iter()
                    .enumerate()
                    .filter(|(_, &d)| d <= self.threshold)
                    .map(move |(j, &d)| (d, ci + j as u64))
            })
            .collect();
        // Filtration order: increasing diameter, ties by decreasing index.
        edges.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        // Dimension 0: union-find along the filtration.
        let mut parent: Vec<usize> = (0..n).collect();
        fn find(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        let mut cycles = Vec::new();
        for &(d, idx) in &edges {
            let v = self.vertices(idx, 1);
            let (a, b) = (find(&mut parent, v.v[0]), find(&mut parent, v.v[1]));
            if a != b {
                parent[a.max(b)] = a.min(b);
                if d > 0.0 {
                    pairs[0].push((0.0, d));
                }
            } else {
                cycles.push((d, idx));
            }
        }
        for v in 0..n {
            if find(&mut parent, v) == v {
                pairs[0].push((0.0, f64::INFINITY));
            }
        }
        if self.maxdim == 0 {
            return Ok((pairs, cocycles));
        }
        let mut columns: Vec<(f64, u64)> = cycles
            .par_iter()
            .copied()
            .filter(|&(d, idx)| {
                self.apparent_cofacet(&self.vertices(idx, 1), idx, d)
                    .is_none()
            })
            .collect();
        drop(cycles);
        columns.reverse();
        // Facets in index order: consecutive facets then share vertices, so
        // the lookups of their cofacets' facets stay in cache.
        let mut simplices = edges;
        simplices.par_sort_unstable_by_key(|e| e.1);
        for (dim, out) in pairs.iter_mut().enumerate().skip(1) {
            let pivots = self.reduce(dim, &columns, out, &mut cocycles);
            if dim < self.maxdim {
                let keep = dim + 1 < self.maxdim;
                let (cols, next) = self.assemble(dim + 1, &simplices, &pivots, keep)?;
                columns = cols;
                simplices = next;
            }
        }
        Ok((pairs, cocycles))
    }

    /// Columns of dimension `dim` (the `dim`-simplices neither cleared nor in
    /// a zero-persistence apparent pair), sorted in reverse filtration order,
    /// from every `(dim - 1)`-simplex; and every `dim`-simplex when `keep`.
    fn assemble(
        &self,
        dim: usize,
        facets: &[(f64, u64)],
        pivots: &PivotMap,
        keep: bool,
    ) -> Result<(Simplices, Simplices)> {
        let stored = std::sync::atomic::AtomicUsize::new(0);
        let parts: Vec<(Simplices, Simplices)> = facets
            .par_chunks(512)
            .map(|chunk| {
                let (mut cols, mut all) = (Vec::new(), Vec::new());
                for &(d, idx) in chunk {
                    let verts = self.vertices(idx, dim - 1);
                    let s = verts.as_slice();
                    let mut rows: [&[f64]; MAX_VERTS] = [&[]; MAX_VERTS];
                    for (r, &v) in rows.iter_mut().zip(s) {
                        *r = self.row(v);
                    }
                    let rows = &rows[..s.len()];
                    // Distances between the vertices of `tau = [w, s...]`,
                    // all read from the rows of `s` and `w` (in cache).
                    let mut pd: Pairwise = [[0.0; MAX_VERTS]; MAX_VERTS];
                    for (i, r) in rows.iter().enumerate() {
                        for (j, &v) in s.iter().enumerate() {
                            pd[i + 1][j + 1] = r[v];
                        }
                    }
                    // Each simplex once: from the facet without its top vertex.
                    for w in s[0] + 1..self.n {
                        let dw = rows.iter().fold(d, |m, r| m.max(r[w]));
                        if dw > self.threshold {
                            continue;
                        }
                        let ci = self.c(w, dim + 1) + idx;
                        if keep {
                            all.push((dw, ci));
                        }
                        if pivots.contains_key(&ci) {
                            continue;
                        }
                        for (i, r) in rows.iter().enumerate() {
                            pd[0][i + 1] = r[w];
                            pd[i + 1][0] = r[w];
                        }
                        let tau = verts.with(w);
                        if self.is_apparent_cofacet(&tau, dw, &pd)
                            || self.is_apparent_facet(&tau, dw, &pd, rows)
                        {
                            continue;
                        }
                        cols.push((dw, ci));
                    }
                }
                let total = stored
                    .fetch_add(cols.len() + all.len(), std::sync::atomic::Ordering::Relaxed)
                    + cols.len()
                    + all.len();
                if total > self.max_simplices {
                    return Err(self.limit(dim, total));
                }
                Ok((cols, all))
            })
            .collect::<Result<_>>()?;
        let mut cols = Vec::with_capacity(parts.iter().map(|p| p.0.len()).sum());
        let mut all = Vec::with_capacity(parts.iter().map(|p| p.1.len()).sum());
        for (c, a) in parts {
            cols.extend(c);
            all.extend(a);
        }
        cols.par_sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        all.par_sort_unstable_by_key(|e| e.1);
        Ok((cols, all))
    }

    fn entry(&self, diam: f64, index: u64, coef: u64) -> Entry {
        Entry {
            diam,
            key: (index << self.shift) | coef,
        }
    }

    fn index(&self, e: Entry) -> u64 {
        e.key >> self.shift
    }

    fn coef(&self, e: Entry) -> u64 {
        e.key & self.mask
    }

    /// Adds `coef` times the coboundary of the `dim`-simplex, restricted to
    /// the diameter window `(lo, hi]`, to the working coboundary, and the
    /// simplex to the working reduction column.
    #[allow(clippy::too_many_arguments)]
    fn add_simplex(
        &self,
        dim: usize,
        simplex: Entry,
        lo: f64,
        hi: f64,
        heap: &mut BinaryHeap<Entry>,
        reduction: &mut Vec<Entry>,
    ) {
        reduction.push(simplex);
        self.push_cofacets(dim, simplex, lo, hi, heap);
    }

    /// Pushes `coef` times the coboundary of the `dim`-simplex, restricted
    /// to the diameter window `(lo, hi]`.
    fn push_cofacets(
        &self,
        dim: usize,
        simplex: Entry,
        lo: f64,
        hi: f64,
        heap: &mut BinaryHeap<Entry>,
    ) {
        // Cofacets are never smaller than their facets.
        if simplex.diam > hi {
            return;
        }
        let (index, coef) = (self.index(simplex), self.coef(simplex));
        let verts = self.vertices(index, dim);
        let (pos, neg) = (coef, self.p - coef);
        self.cofacets_in(&verts, index, simplex.diam, lo, hi, |i, diam, odd| {
            heap.push(self.entry(diam, i, if odd { neg } else { pos }));
        });
    }

    /// Reduces the coboundary matrix of dimension `dim`; returns the pivots
    /// for clearing.
    fn reduce(
        &self,
        dim: usize,
        columns: &[(f64, u64)],
        out: &mut Vec<(f64, f64)>,
        cocycles: &mut Vec<Cocycle>,
    ) -> PivotMap {
        let p = self.p;
        let mut pivots = PivotMap::with_capacity_and_hasher(columns.len(), Default::default());
        // Reduction matrix, off-diagonal: column c is entries[offsets[c]..offsets[c + 1]].
        let mut offsets: Vec<usize> = Vec::with_capacity(columns.len() + 1);
        offsets.push(0);
        let mut entries: Vec<Entry> = Vec::new();
        let mut cob: Vec<Entry> = Vec::new();
        let mut heap: BinaryHeap<Entry>;
        let mut working: Vec<Entry> = Vec::new();
        let cocycle_dim = self.want_cocycles && dim == 1;
        // The pivot of each column's own coboundary, found in parallel a
        // batch ahead: most columns are paired by it without a heap.
        let mut tops: Vec<Option<(Entry, bool)>> = Vec::new();
        for (c, &(diam, idx)) in columns.iter().enumerate() {
            if c % BATCH == 0 {
                let end = (c + BATCH).min(columns.len());
                tops = columns[c..end]
                    .par_iter()
                    .map(|&(d, i)| self.column_top(dim, d, i))
                    .collect();
            }
            match tops[c % BATCH] {
                None => {
                    // An empty coboundary: an essential class.
                    out.push((diam, f64::INFINITY));
                    if cocycle_dim {
                        cocycles.push(self.cocycle(diam, f64::INFINITY, idx, &mut [], dim));
                    }
                    offsets.push(entries.len());
                    continue;
                }
                Some((top, apparent)) => {
                    let ti = self.index(top);
                    if !apparent && !pivots.contains_key(&ti) {
                        // Unclaimed pivot: the column is already reduced (an
                        // emergent pair when of equal diameter).
                        pivots.insert(ti, (c, self.coef(top)));
                        if top.diam > diam {
                            out.push((diam, top.diam));
                            if cocycle_dim {
                                cocycles.push(self.cocycle(diam, top.diam, idx, &mut [], dim));
                            }
                        }
                        offsets.push(entries.len());
                        continue;
                    }
                }
            }
            // The reduction only moves the pivot later in the filtration, so
            // the working coboundary is summed within a window of diameters
            // `(lo, hi]` that starts at the column's own diameter (where the
            // pivots of all zero-persistence pairs lie) and is widened only
            // when everything inside it cancels: cofacets beyond the pivot
            // never enter the heap.
            let (mut lo, mut hi) = (f64::NEG_INFINITY, diam);
            let mut step = (self.threshold - diam) / WINDOWS;
            let verts = self.vertices(idx, dim);
            cob.clear();
            self.cofacets_in(&verts, idx, diam, lo, hi, |index, d, odd| {
                cob.push(self.entry(d, index, if odd { p - 1 } else { 1 }));
            });
            heap = BinaryHeap::from(std::mem::take(&mut cob));
            working.clear();
            loop {
                let Some(e) = self.pop_pivot(&mut heap) else {
                    if hi < self.threshold {
                        // A small heap stays in cache: the step adapts to
                        // keep the entries of one window in the thousands.
                        let next = if hi + step < self.threshold {
                            hi + step
                        } else {
                            self.threshold
                        };
                        working = self.compact(&mut working);
                        self.push_cofacets(dim, self.entry(diam, idx, 1), hi, next, &mut heap);
                        for &r in &working {
                            self.push_cofacets(dim, r, hi, next, &mut heap);
                        }
                        if heap.len() > WINDOW_ENTRIES {
                            step /= 2.0;
                        } else if heap.len() < WINDOW_ENTRIES / 8 {
                            step *= 2.0;
                        }
                        (lo, hi) = (hi, next);
                        continue;
                    }
                    out.push((diam, f64::INFINITY));
                    if cocycle_dim {
                        cocycles.push(self.cocycle(diam, f64::INFINITY, idx, &mut working, dim));
                    }
                    break;
                };
                let (ei, ec) = (self.index(e), self.coef(e));
                if let Some(&(other, other_coef)) = pivots.get(&ei) {
                    // Add -ec / other_coef times the column that owns the pivot.
                    let factor = (p - ec * self.inverse[other_coef as usize] % p) % p;
                    heap.push(e);
                    let (od, oi) = columns[other];
                    self.add_simplex(
                        dim,
                        self.entry(od, oi, factor),
                        lo,
                        hi,
                        &mut heap,
                        &mut working,
                    );
                    for r in &entries[offsets[other]..offsets[other + 1]] {
                        let s = self.entry(r.diam, self.index(*r), self.coef(*r) * factor % p);
                        self.add_simplex(dim, s, lo, hi, &mut heap, &mut working);
                    }
                } else if let Some((sigma, _, odd)) =
                    self.apparent_facet(&self.vertices(ei, dim + 1), ei, e.diam)
                {
                    // The pivot belongs to an apparent pair, whose column is
                    // its facet's coboundary alone: add -ec / sign times it.
                    let factor = if odd { ec } else { p - ec };
                    heap.push(e);
                    self.add_simplex(
                        dim,
                        self.entry(e.diam, sigma, factor),
                        lo,
                        hi,
                        &mut heap,
                        &mut working,
                    );
                } else {
                    pivots.insert(ei, (c, ec));
                    let w = self.compact(&mut working);
                    if e.diam > diam && cocycle_dim {
                        cocycles.push(self.cocycle(diam, e.diam, idx, &mut w.clone(), dim));
                    }
                    if e.diam > diam {
                        out.push((diam, e.diam));
                    }
                    entries.extend_from_slice(&w);
                    break;
                }
            }
            offsets.push(entries.len());
            // Keep the heap's allocation for the next column.
            let mut v = std::mem::take(&mut heap).into_vec();
            v.clear();
            cob = v;
        }
        pivots
    }

    /// The pivot of the coboundary of a column (the first cofacet of equal
    /// diameter when there is one, an emergent pair candidate), and whether
    /// it belongs to an apparent pair.
    fn column_top(&self, dim: usize, diam: f64, idx: u64) -> Option<(Entry, bool)> {
        let verts = self.vertices(idx, dim);
        let s = verts.as_slice();
        let (index, d, odd) = match self.zero_pivot_cofacet(&verts, idx, diam) {
            Some((i, _, odd)) => (i, diam, odd),
            None => {
                // The smallest cofacet diameter, ties to the largest vertex
                // (index): along the top vertex's neighbours by distance,
                // which bound the diameter from below.
                let (ws, ds) = self.near(s[0], f64::NEG_INFINITY, self.threshold);
                let mut best: Option<(f64, usize)> = None;
                'w: for (&w, &dv) in ws.iter().zip(ds) {
                    if best.is_some_and(|(bd, _)| dv > bd) {
                        break;
                    }
                    let w = w as usize;
                    let mut d = diam.max(dv);
                    for &u in &s[1..] {
                        if u == w {
                            continue 'w;
                        }
                        d = d.max(self.d(u, w));
                    }
                    if d <= self.threshold
                        && best.is_none_or(|(bd, bw)| d < bd || (d == bd && w > bw))
                    {
                        best = Some((d, w));
                    }
                }
                let (d, w) = best?;
                let (i, odd) = self.cofacet_index(s, idx, w);
                (i, d, odd)
            }
        };
        let e = self.entry(d, index, if odd { self.p - 1 } else { 1 });
        Some((e, self.has_apparent_facet(dim + 1, e)))
    }

    fn has_apparent_facet(&self, dim: usize, e: Entry) -> bool {
        let i = self.index(e);
        self.apparent_facet(&self.vertices(i, dim), i, e.diam)
            .is_some()
    }

    /// The cocycle of a column: its simplex plus its reduction entries.
    fn cocycle(
        &self,
        birth: f64,
        death: f64,
        index: u64,
        reduction: &mut [Entry],
        dim: usize,
    ) -> Cocycle {
        let p = self.p;
        let mut all: Vec<Entry> = reduction.to_vec();
        all.push(self.entry(birth, index, 1));
        let all = self.compact(&mut all);
        let simplices = all
            .iter()
            .map(|&e| {
                let mut asc = self.vertices(self.index(e), dim).as_slice().to_vec();
                asc.reverse();
                let c = self.coef(e) as i64;
                (asc, if c > (p as i64) / 2 { c - p as i64 } else { c })
            })
            .collect();
        Cocycle {
            birth,
            death,
            simplices,
        }
    }

    /// Sums the coefficients of equal simplices mod p and drops zeros.
    fn compact(&self, v: &mut [Entry]) -> Vec<Entry> {
        v.sort_unstable_by_key(|e| e.key);
        let mut out: Vec<Entry> = Vec::with_capacity(v.len());
        for &e in v.iter() {
            match out.last_mut() {
                Some(last) if self.index(*last) == self.index(e) => {
                    let c = (self.coef(*last) + self.coef(e)) % self.p;
                    *last = self.entry(last.diam, self.index(e), c);
                }
                _ => out.push(e),
            }
        }
        out.retain(|&e| self.coef(e) != 0);
        out
    }

    /// Pops the pivot of a working coboundary: the top entry after summing
    /// the coefficients of equal simplices, skipping those that cancel.
    fn pop_pivot(&self, heap: &mut BinaryHeap<Entry>) -> Option<Entry> {
        while let Some(top) = heap.pop() {
            let index = self.index(top);
            let mut coef = self.coef(top);
            while let Some(&next) = heap.peek() {
                if self.index(next) != index {
                    break;
                }
                coef = (coef + self.coef(next)) % self.p;
                heap.pop();
            }
            if coef != 0 {
                return Some(self.entry(top.diam, index, coef));
            }
        }
        None
    }
}

fn pow_mod(mut a: u64, mut e: u64, p: u64) -> u64 {
    let mut r = 1;
    a %= p;
    while e > 0 {
        if e & 1 == 1 {
            r = r * a % p;
        }
        a = a * a % p;
        e >>= 1;
    }
    r
}

/// Pairwise distances of the vertices of a simplex, by position.
type Pairwise = [[f64; MAX_VERTS]; MAX_VERTS];

/// The position (from the top) of the vertex whose removal leaves the facet
/// of smallest index among those of diameter `diam`, from the pairwise
/// distances of the simplex's `len` vertices.
#[inline]
fn zero_facet_position(pd: &Pairwise, len: usize, diam: f64) -> Option<usize> {
    // Removing a higher vertex gives a smaller index: try from the top.
    (0..len).find(|&i| (0..len).any(|a| a != i && (a + 1..len).any(|b| b != i && pd[a][b] == diam)))
}

/// The largest vertex `w < top`, not in `skip`, within `bound` of every row
/// (`rows[r][w] <= bound`): eight vertices at a time, from the top.
#[inline]
fn highest_within(rows: &[&[f64]], bound: f64, skip: &[usize], top: usize) -> Option<usize> {
    const LANES: usize = 8;
    let mut end = top;
    while end >= LANES {
        let start = end - LANES;
        let mut m = [0.0f64; LANES];
        for r in rows {
            let c: &[f64; LANES] = r[start..end].try_into().expect("eight lanes");
            for k in 0..LANES {
                m[k] = if c[k] > m[k] { c[k] } else { m[k] };
            }
        }
        let within = m
            .iter()
            .fold(0u32, |acc, &x| (acc << 1) | u32::from(x <= bound));
        if within != 0 {
            // Bit 0 is lane LANES - 1 (the highest vertex).
            for b in 0..LANES {
                if within & (1 << b) != 0 {
                    let w = start + LANES - 1 - b;
                    if !skip.contains(&w) {
                        return Some(w);
                    }
                }
            }
        }
        end = start;
    }
    (0..end)
        .rev()
        .find(|&w| rows.iter().all(|r| r[w] <= bound) && !skip.contains(&w))
}
