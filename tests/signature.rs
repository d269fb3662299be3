//! Sparse circular and toroidal coordinates with known answers, and the
//! attractor-signature pipeline on simulated head-direction cells, grid
//! cells and a ring attractor.

use canns::analysis::compare_angles;
use canns::ndarray::Array2;
use canns::pipeline::synthetic::head_direction_cells;
use canns::pipeline::{Activity, SignatureParams, Statistic};
use canns::prelude::*;
use canns::tda::{
    circular_coordinates_of_points, rips, sparse_circular_coordinates_of_points,
    toroidal_coordinates, toroidal_coordinates_of_points, Cocycle, RipsParams,
    SparseCircularParams, ToroidalCoordinates,
};
use rand::RngExt;
use rand_distr::{Distribution, Normal};
use std::f64::consts::TAU;

fn rng(seed: u64) -> canns::random::SeededRng {
    canns::random::seeded(seed)
}

/// `n` points on the unit circle at random angles, with Gaussian noise.
fn noisy_circle(n: usize, noise: f64, seed: u64) -> (Array2<f64>, Vec<f64>) {
    let mut r = rng(seed);
    let g = Normal::new(0.0, noise).unwrap();
    let ang: Vec<f64> = (0..n).map(|_| r.random_range(0.0..TAU)).collect();
    let pts = Array2::from_shape_fn((n, 2), |(i, j)| {
        (if j == 0 { ang[i].cos() } else { ang[i].sin() }) + g.sample(&mut r)
    });
    (pts, ang)
}

#[test]
fn sparse_circular_coordinates_recover_the_angle_of_a_noisy_circle() {
    let (pts, ang) = noisy_circle(1500, 0.05, 1);
    let d = rips(
        &pts,
        &RipsParams::default().coeff(47).cocycles(true).n_perm(80),
    )
    .unwrap();
    let c = sparse_circular_coordinates_of_points(&pts, &d, 0, &SparseCircularParams::default())
        .unwrap();
    assert_eq!(c.n_uncovered, 0);
    let cmp = compare_angles(&c.theta, &ang).unwrap();
    // Over seeds 1-8 of this circle (noise 0.05): correlation 0.988-0.997,
    // mean error 0.066-0.127 rad, 0.87-1.24 times the nearest-landmark rule's.
    assert!(cmp.correlation > 0.985, "{cmp:?}");
    assert!(cmp.mean_abs_error < 0.13, "{cmp:?}");
    // About as accurate as the nearest-landmark rule, without its staircase.
    let nearest = circular_coordinates_of_points(&pts, &d, 0).unwrap();
    let cmp_nearest = compare_angles(&nearest, &ang).unwrap();
    assert!(
        cmp.mean_abs_error < 1.3 * cmp_nearest.mean_abs_error,
        "sparse {} vs nearest landmark {}",
        cmp.mean_abs_error,
        cmp_nearest.mean_abs_error
    );
}

/// A flat torus in R^4 at random angles `(a, b)` with noise.
fn torus4(n: usize, noise: f64, seed: u64) -> (Array2<f64>, Vec<f64>, Vec<f64>) {
    let mut r = rng(seed);
    let g = Normal::new(0.0, noise).unwrap();
    let a: Vec<f64> = (0..n).map(|_| r.random_range(0.0..TAU)).collect();
    let b: Vec<f64> = (0..n).map(|_| r.random_range(0.0..TAU)).collect();
    let pts = Array2::from_shape_fn((n, 4), |(i, j)| {
        let v = match j {
            0 => a[i].cos(),
            1 => a[i].sin(),
            2 => b[i].cos(),
            _ => b[i].sin(),
        };
        v + g.sample(&mut r)
    });
    (pts, a, b)
}

/// Each of the two coordinates tracks one of `a`, `b` (different ones).
fn assert_tracks(t: &ToroidalCoordinates, a: &[f64], b: &[f64]) {
    let c = |k: usize, x: &[f64]| {
        compare_angles(&t.theta.column(k).to_vec(), x)
            .unwrap()
            .correlation
    };
    let straight = c(0, a).min(c(1, b));
    let crossed = c(0, b).min(c(1, a));
    assert!(
        straight.max(crossed) > 0.98,
        "straight {straight}, crossed {crossed}, basis {:?}",
        t.basis
    );
}

#[test]
fn toroidal_coordinates_of_a_torus_in_r4() {
    let (pts, a, b) = torus4(1500, 0.03, 2);
    let d = rips(
        &pts,
        &RipsParams::default().coeff(47).cocycles(true).n_perm(150),
    )
    .unwrap();
    let l = d.longest(1, 3);
    assert!(
        l[1].1 - l[1].0 > 3.0 * (l[2].1 - l[2].0),
        "two long H1 bars: {l:?}"
    );
    let t = toroidal_coordinates_of_points(&pts, &d, &SparseCircularParams::default()).unwrap();
    assert_eq!(t.n_uncovered, 0);
    assert!(t.correlation().abs() < 0.2, "{t}");
    assert_tracks(&t, &a, &b);
}

#[test]
fn lattice_reduction_undoes_a_sheared_basis() {
    let (pts, a, b) = torus4(1000, 0.02, 3);
    let d = rips(
        &pts,
        &RipsParams::default().coeff(47).cocycles(true).n_perm(120),
    )
    .unwrap();
    // Landmark-local cocycles of the two long classes.
    let mut cs = d.cocycles.clone();
    cs.sort_by(|x, y| (y.death - y.birth).total_cmp(&(x.death - x.birth)));
    let pos = |i: usize| d.idx_perm.iter().position(|&j| j == i).unwrap();
    let local = |c: &Cocycle| -> Vec<((usize, usize), i64)> {
        c.simplices
            .iter()
            .map(|(s, v)| {
                let (x, y) = (pos(s[0]), pos(s[1]));
                if x < y {
                    ((x, y), *v)
                } else {
                    ((y, x), -*v)
                }
            })
            .collect()
    };
    // z2' = z1 + z2: the same torus, a basis that winds twice.
    let mut sum: std::collections::HashMap<(usize, usize), i64> =
        local(&cs[0]).into_iter().collect();
    for (e, v) in local(&cs[1]) {
        *sum.entry(e).or_insert(0) += v;
    }
    let sheared = Cocycle {
        birth: cs[0].birth.max(cs[1].birth),
        death: cs[0].death.min(cs[1].death),
        simplices: sum.into_iter().map(|((x, y), v)| (vec![x, y], v)).collect(),
    };
    let first = Cocycle {
        simplices: local(&cs[0])
            .into_iter()
            .map(|((x, y), v)| (vec![x, y], v))
            .collect(),
        ..cs[0].clone()
    };
    let idx = &d.idx_perm;
    let e = |i: usize, j: usize| {
        pts.row(i)
            .iter()
            .zip(pts.row(j))
            .map(|(p, q)| (p - q).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let land = Array2::from_shape_fn((idx.len(), idx.len()), |(x, y)| e(idx[x], idx[y]));
    let to_land = Array2::from_shape_fn((pts.nrows(), idx.len()), |(i, y)| e(i, idx[y]));
    let t = toroidal_coordinates(
        &land.view(),
        &to_land.view(),
        [&first, &sheared],
        &SparseCircularParams::default(),
    )
    .unwrap();
    let input_corr = t.gram_input[0][1] / (t.gram_input[0][0] * t.gram_input[1][1]).sqrt();
    assert!(
        input_corr.abs() > 0.5,
        "the sheared basis is correlated: {input_corr}"
    );
    assert!(t.correlation().abs() < 0.2, "reduced: {t}");
    assert_ne!(t.basis, [[1, 0], [0, 1]]);
    assert_tracks(&t, &a, &b);
}

#[test]
fn head_direction_cells_give_one_significant_ring_and_their_angle() {
    let act = head_direction_cells(3000, 8, 4).unwrap();
    let r = SignatureParams::head_direction()
        .n_points(200)
        .n_shuffles(20)
        .run(&act)
        .unwrap();
    assert_eq!(r.kept.len(), 1500);
    assert_eq!(r.n_significant(1), 1, "{r}");
    assert!(r.relative_persistence(1, 0) > 1.0, "{r}");
    assert!(r.relative_persistence(1, 1) < 1.0, "{r}");
    let c = r.comparison.as_ref().unwrap();
    assert!(c.correlation > 0.9, "{c:?}");
    assert!(c.mean_abs_error < 0.35, "{c:?}");
    // Same seed, same shuffles.
    let again = SignatureParams::head_direction()
        .n_points(200)
        .n_shuffles(20)
        .run(&act)
        .unwrap();
    assert_eq!(again.shuffle_max, r.shuffle_max);
    // Every stage renders.
    let html = r.bundle().html;
    assert!(html.contains("shuffle band") && html.contains("Decoded and measured angle"));
}

/// The default statistic is scale-free: the same cells with every unit
/// shifted by its own lag (the null the shuffles sample) give no ring, and
/// scaling the counts changes nothing.
#[test]
fn shuffled_head_direction_cells_give_no_ring_and_the_ratio_ignores_scale() {
    let act = head_direction_cells(3000, 8, 4).unwrap();
    let n = act.n_bins();
    let counts = Array2::from_shape_fn(act.counts.dim(), |(i, u)| {
        act.counts[[(i + 311 * (u + 1)) % n, u]]
    });
    let shuffled = Activity::from_counts(counts, act.bin_size).unwrap();
    let s = SignatureParams::head_direction()
        .n_points(200)
        .n_shuffles(20);
    assert_eq!(s.statistic, Statistic::Ratio);
    let r = s.run(&shuffled).unwrap();
    assert_eq!(r.n_significant(1), 0, "{r}");
    // Without the square root, scaling the counts scales the cloud:
    // lifetimes grow with it, the (standardised) death/birth ratios do not.
    let s = s.sqrt(false).n_shuffles(0);
    let a = s.run(&act).unwrap();
    let scaled = Activity::from_counts(act.counts.mapv(|v| 10.0 * v), act.bin_size).unwrap();
    let b = s.run(&scaled).unwrap();
    assert!((b.lifetimes(1)[0] / a.lifetimes(1)[0] - 10.0).abs() < 1e-6);
    assert!((b.statistics(1)[0] - a.statistics(1)[0]).abs() < 1e-9);
    let ratio = |act: &Activity| {
        s.clone()
            .statistic(Statistic::Ratio)
            .run(act)
            .unwrap()
            .statistics(1)[0]
    };
    assert!((ratio(&scaled) / ratio(&act) - 1.0).abs() < 1e-9);
}

#[test]
fn spike_times_and_counts_give_the_same_activity() {
    let spikes = vec![vec![0.01, 0.02, 0.33], vec![0.5, 0.95]];
    let a = Activity::from_spike_times(&spikes, 0.1, 0.0, 1.0).unwrap();
    assert_eq!(a.counts.dim(), (10, 2));
    assert_eq!(a.counts[[0, 0]], 2.0);
    assert_eq!(a.counts[[3, 0]], 1.0);
    assert_eq!(a.counts[[9, 1]], 1.0);
    assert!(Activity::from_spike_times(&spikes, 0.0, 0.0, 1.0).is_err());
    assert!(Activity::from_spike_times(&spikes, 0.1, 1.0, 0.5).is_err());
    assert!(a.clone().with_angle(vec![0.0; 3]).is_err());
    let e = SignatureParams::default()
        .min_speed(Some(0.1))
        .run(&a)
        .unwrap_err();
    assert!(e.to_string().contains("min_speed"), "{e}");
}

/// Mirrors notebook 07, "The whole pipeline in one call".
#[test]
fn a_ring_attractor_tracking_a_stimulus_traces_a_ring() {
    let mut net = Cann1d::params().num(64).build().unwrap();
    let mut task = SmoothTracking::params()
        .keypoints(vec![vec![0.0], vec![2.0 * TAU]])
        .durations(vec![300.0])
        .build()
        .unwrap();
    let sim = simulate(&mut net, &mut task).unwrap();
    let rows: Vec<usize> = (100..sim.n_steps()).step_by(5).collect();
    let counts = Array2::from_shape_fn((rows.len(), 64), |(i, j)| sim.r[[rows[i], j]]);
    let angle: Vec<f64> = rows
        .iter()
        .map(|&s| canns::space::wrap(sim.target[[s, 0]]))
        .collect();
    let dt = sim.t[rows[1]] - sim.t[rows[0]];
    let act = Activity::from_counts(counts, dt)
        .unwrap()
        .with_angle(angle)
        .unwrap();
    let r = SignatureParams::default()
        .smooth(0.0)
        .sqrt(false)
        .active_fraction(1.0)
        .n_points(120)
        .n_shuffles(4)
        .run(&act)
        .unwrap();
    assert_eq!(r.n_significant(1), 1, "{r}");
    let c = r.comparison.as_ref().unwrap();
    assert!(c.correlation > 0.95, "{c:?}");
}

fn fixture() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/signature/dreimac.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn matrix(v: &serde_json::Value) -> Array2<f64> {
    let rows = v.as_array().unwrap();
    let m = rows[0].as_array().unwrap().len();
    Array2::from_shape_fn((rows.len(), m), |(i, j)| rows[i][j].as_f64().unwrap())
}

fn column(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn sparse_circular_coordinates_match_dreimac() {
    let f = fixture();
    let c = &f["circle"];
    let pts = matrix(&c["points"]);
    let k = c["n_landmarks"].as_u64().unwrap() as usize;
    let d = rips(
        &pts,
        &RipsParams::default().coeff(47).cocycles(true).n_perm(k),
    )
    .unwrap();
    let ours = sparse_circular_coordinates_of_points(&pts, &d, 0, &SparseCircularParams::default())
        .unwrap();
    let theirs = column(&c["theta"]);
    let cmp = compare_angles(&ours.theta, &theirs).unwrap();
    assert!(cmp.correlation > 0.99, "{cmp:?}");
    assert!(cmp.mean_abs_error < 0.05, "{cmp:?}");
    // Both follow the true angle equally well.
    let truth = column(&c["angle"]);
    let (a, b) = (
        compare_angles(&ours.theta, &truth).unwrap().mean_abs_error,
        compare_angles(&theirs, &truth).unwrap().mean_abs_error,
    );
    assert!(a < 1.2 * b + 0.01, "ours {a}, DREiMac {b}");
}

#[test]
fn toroidal_coordinates_match_dreimac() {
    let f = fixture();
    let t = &f["torus"];
    let pts = matrix(&t["points"]);
    let k = t["n_landmarks"].as_u64().unwrap() as usize;
    let d = rips(
        &pts,
        &RipsParams::default().coeff(47).cocycles(true).n_perm(k),
    )
    .unwrap();
    let ours = toroidal_coordinates_of_points(&pts, &d, &SparseCircularParams::default()).unwrap();
    let theirs = matrix(&t["theta"]);
    // Each of our coordinates is one of DREiMac's (up to rotation and reflection).
    for r in 0..2 {
        let best = (0..2)
            .map(|s| {
                compare_angles(&ours.theta.column(r).to_vec(), &theirs.column(s).to_vec())
                    .unwrap()
                    .correlation
            })
            .fold(0.0, f64::max);
        assert!(best > 0.98, "coordinate {r}: {best}");
    }
    assert_tracks(&ours, &column(&t["a"]), &column(&t["b"]));
}
