//! Vietoris-Rips persistence against ripser.py (fixtures made by
//! `scripts/reference/rips_reference.py`), and properties of diagrams.
//!
//! ripser.py computes in float32, so values agree to float32 rounding: we
//! compare each sorted diagram pair by pair with a relative tolerance of 1e-6.

use canns::tda::{rips, rips_distances, Diagrams, RipsParams};
use ndarray::Array2;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/tda/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture exists")).expect("JSON")
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect();
    Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j])
}

fn close(a: f64, b: f64) -> bool {
    (a.is_infinite() && b.is_infinite()) || (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1e-3)
}

fn check(name: &str) {
    let fx = fixture(name);
    let mut params = RipsParams::default()
        .maxdim(fx["maxdim"].as_u64().unwrap() as usize)
        .coeff(fx["coeff"].as_u64().unwrap());
    if let Some(t) = fx["threshold"].as_f64() {
        params = params.threshold(t);
    }
    if let Some(k) = fx["n_perm"].as_u64() {
        params = params.n_perm(k as usize);
    }
    let data = matrix(&fx["data"]);
    let ours: Diagrams = if fx["distance_matrix"] == true {
        rips_distances(&data.view(), &params).unwrap()
    } else {
        rips(&data, &params).unwrap()
    };
    if let Some(idx) = fx["idx_perm"].as_array() {
        let want: Vec<usize> = idx.iter().map(|v| v.as_u64().unwrap() as usize).collect();
        assert_eq!(ours.idx_perm, want, "{name}: greedy permutation");
        let r = fx["r_cover"].as_f64().unwrap();
        assert!(
            close(ours.cover_radius, r),
            "{name}: cover radius {} vs {r}",
            ours.cover_radius
        );
    }
    for (dim, dg) in fx["dgms"].as_array().unwrap().iter().enumerate() {
        let mut want: Vec<(f64, f64)> = dg
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_f64().unwrap(),
                    p[1].as_f64().unwrap_or(f64::INFINITY),
                )
            })
            .filter(|p| p.1 > p.0)
            .collect();
        want.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let got = &ours.pairs[dim];
        assert_eq!(
            got.len(),
            want.len(),
            "{name} H{dim}: {} intervals, ripser.py has {}\nours {got:?}\nripser {want:?}",
            got.len(),
            want.len()
        );
        // Sorting by birth can interleave float32 near-ties differently: match by nearest.
        let mut used = vec![false; want.len()];
        for g in got {
            let k = (0..want.len())
                .find(|&k| !used[k] && close(g.0, want[k].0) && close(g.1, want[k].1));
            let k = k.unwrap_or_else(|| {
                panic!("{name} H{dim}: interval {g:?} not in ripser.py's diagram {want:?}")
            });
            used[k] = true;
        }
    }
}

#[test]
fn noisy_circle_matches_ripser() {
    check("noisy_circle");
}

#[test]
fn torus_in_r3_matches_ripser_up_to_h2() {
    check("torus_r3");
}

#[test]
fn clifford_torus_in_r4_matches_ripser_up_to_h2() {
    check("clifford_torus_r4");
}

#[test]
fn torus_embedded_in_r50_matches_ripser_up_to_h2() {
    check("torus_r50");
}

#[test]
fn random_points_match_ripser_up_to_h2() {
    check("random_r3");
}

#[test]
fn speed_comparison_points_in_r50_match_ripser_up_to_h2() {
    // The third workload of scripts/compare/rips.py: H<=2 of 300 points in R^50.
    check("compare_r50_300");
}

#[test]
fn z3_coefficients_match_ripser() {
    check("random_z3");
}

#[test]
fn threshold_matches_ripser() {
    check("circle_threshold");
}

#[test]
fn greedy_subsampling_matches_ripser() {
    check("circle_n_perm");
}

#[test]
fn distance_matrix_input_matches_ripser() {
    check("circle_distance_matrix");
}

#[test]
fn h1_cocycles_are_cocycles_while_their_class_lives() {
    // The cocycle of each H1 class vanishes on the boundary of every triangle
    // present at its birth (mod p).
    let fx = fixture("noisy_circle");
    let data = matrix(&fx["data"]);
    let p = 3u64;
    let d = rips(&data, &RipsParams::default().coeff(p).cocycles(true)).unwrap();
    assert_eq!(d.cocycles.len(), d.pairs[1].len());
    let n = data.nrows();
    let dist = |a: usize, b: usize| {
        data.row(a)
            .iter()
            .zip(data.row(b))
            .map(|(x, y)| (x - y) * (x - y))
            .sum::<f64>()
            .sqrt()
    };
    for c in &d.cocycles {
        let t = c.birth;
        let mut value = std::collections::HashMap::new();
        for (s, coef) in &c.simplices {
            if dist(s[0], s[1]) <= t {
                value.insert((s[0], s[1]), coef.rem_euclid(p as i64));
            }
        }
        assert!(!value.is_empty());
        for a in 0..n {
            for b in a + 1..n {
                for cc in b + 1..n {
                    if dist(a, b).max(dist(a, cc)).max(dist(b, cc)) > t {
                        continue;
                    }
                    let f = |x: usize, y: usize| *value.get(&(x, y)).unwrap_or(&0);
                    // delta z [a, b, c] = z[b, c] - z[a, c] + z[a, b]
                    let v = (f(b, cc) - f(a, cc) + f(a, b)).rem_euclid(p as i64);
                    assert_eq!(
                        v, 0,
                        "cocycle born at {t} is not closed on triangle {a} {b} {cc}"
                    );
                }
            }
        }
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]

        #[test]
        fn diagrams_are_valid_and_invariant_to_point_order(
            pts in proptest::collection::vec((-1.0f64..1.0, -1.0f64..1.0, -1.0f64..1.0), 4..30),
            seed in any::<u64>(),
        ) {
            let n = pts.len();
            let a = Array2::from_shape_fn((n, 3), |(i, j)| [pts[i].0, pts[i].1, pts[i].2][j]);
            let params = RipsParams::default().maxdim(2);
            let d = rips(&a, &params).unwrap();
            for dim in &d.pairs {
                for p in dim {
                    prop_assert!(p.0 <= p.1);
                }
            }
            // The enclosing-radius complex is connected: exactly one infinite H0 bar.
            prop_assert_eq!(d.pairs[0].iter().filter(|p| p.1.is_infinite()).count(), 1);
            // Any permutation of the points gives the same diagrams.
            let mut order: Vec<usize> = (0..n).collect();
            let mut s = seed;
            for i in (1..n).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                order.swap(i, (s >> 33) as usize % (i + 1));
            }
            let b = Array2::from_shape_fn((n, 3), |(i, j)| a[[order[i], j]]);
            let e = rips(&b, &params).unwrap();
            prop_assert_eq!(d.pairs.len(), e.pairs.len());
            for (x, y) in d.pairs.iter().zip(&e.pairs) {
                prop_assert_eq!(x.len(), y.len());
                for (p, q) in x.iter().zip(y) {
                    prop_assert!(close(p.0, q.0) && close(p.1, q.1));
                }
            }
        }
    }
}

#[test]
fn components_below_the_threshold_each_have_an_infinite_h0_bar() {
    // Two clusters farther apart than the threshold.
    let a = Array2::from_shape_vec((4, 1), vec![0.0, 0.1, 5.0, 5.1]).unwrap();
    let d = rips(&a, &RipsParams::default().threshold(1.0)).unwrap();
    assert_eq!(d.pairs[0].iter().filter(|p| p.1.is_infinite()).count(), 2);
}

#[test]
fn bad_input_is_a_clear_error() {
    let a = Array2::from_shape_vec((2, 1), vec![0.0, f64::NAN]).unwrap();
    assert!(rips(&a, &RipsParams::default())
        .unwrap_err()
        .to_string()
        .contains("points[1, 0]"));
    let e = rips(&Array2::zeros((3, 2)), &RipsParams::default().coeff(4))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`coeff`") && e.contains("prime") && e.contains("4"),
        "{e}"
    );
    let m = Array2::from_shape_vec((2, 2), vec![0.0, 1.0, 2.0, 0.0]).unwrap();
    assert!(rips_distances(&m.view(), &RipsParams::default())
        .unwrap_err()
        .to_string()
        .contains("symmetric"));
    let e = rips(
        &Array2::from_shape_fn((40, 2), |(i, j)| (i * 7 + j * 3) as f64 % 11.0),
        &RipsParams::default().maxdim(2).max_simplices(100),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("max_simplices"), "{e}");
}

/// Largest circular correlation of `theta` with `phi` over rotations and reflection.
fn circular_match(theta: &[f64], phi: &[f64]) -> f64 {
    let n = theta.len() as f64;
    let r = |sign: f64| {
        let (c, s) = theta.iter().zip(phi).fold((0.0, 0.0), |(c, s), (t, p)| {
            (c + (t - sign * p).cos(), s + (t - sign * p).sin())
        });
        (c * c + s * s).sqrt() / n
    };
    r(1.0).max(r(-1.0))
}

#[test]
fn circular_coordinates_recover_the_angle_on_a_noisy_circle() {
    use canns::tda::circular_coordinates_of_points;
    use rand::RngExt;
    let mut rng = canns::random::seeded(3);
    let n = 200;
    let phi: Vec<f64> = (0..n)
        .map(|_| rng.random::<f64>() * std::f64::consts::TAU)
        .collect();
    let pts = Array2::from_shape_fn((n, 2), |(i, j)| {
        let noise = 0.1 * (rng.random::<f64>() - 0.5);
        if j == 0 {
            phi[i].cos() + noise
        } else {
            phi[i].sin() + noise
        }
    });
    let d = rips(&pts, &RipsParams::default().coeff(47).cocycles(true)).unwrap();
    let theta = circular_coordinates_of_points(&pts, &d, 0).unwrap();
    let m = circular_match(&theta, &phi);
    assert!(
        m > 0.98,
        "circular coordinate matches the angle with R = {m}"
    );
}

#[test]
fn two_cocycles_of_a_torus_give_its_two_angles() {
    use canns::tda::circular_coordinates_of_points;
    use rand::RngExt;
    // 400 points: over seeds 1-8 both angles are recovered with R >= 0.969
    // (at 250 points one seed in eight gives R = 0.85 for one of them).
    let mut rng = canns::random::seeded(5);
    let n = 400;
    let u: Vec<f64> = (0..n)
        .map(|_| rng.random::<f64>() * std::f64::consts::TAU)
        .collect();
    let v: Vec<f64> = (0..n)
        .map(|_| rng.random::<f64>() * std::f64::consts::TAU)
        .collect();
    let pts = Array2::from_shape_fn((n, 4), |(i, j)| {
        [u[i].cos(), u[i].sin(), v[i].cos(), v[i].sin()][j]
    });
    let d = rips(&pts, &RipsParams::default().coeff(47).cocycles(true)).unwrap();
    let t1 = circular_coordinates_of_points(&pts, &d, 0).unwrap();
    let t2 = circular_coordinates_of_points(&pts, &d, 1).unwrap();
    // The two classes form a basis of H1 of the torus: each of u and v is an
    // integer combination (coefficients -1, 0, 1) of the two coordinates.
    let best = |phi: &[f64]| {
        let mut best: f64 = 0.0;
        for a in -1i32..=1 {
            for b in -1i32..=1 {
                if a == 0 && b == 0 {
                    continue;
                }
                let comb: Vec<f64> = t1
                    .iter()
                    .zip(&t2)
                    .map(|(x, y)| a as f64 * x + b as f64 * y)
                    .collect();
                best = best.max(circular_match(&comb, phi));
            }
        }
        best
    };
    let (mu, mv) = (best(&u), best(&v));
    assert!(
        mu > 0.95 && mv > 0.95,
        "torus angles recovered with R = {mu}, {mv}"
    );
}

#[test]
fn circular_coordinates_reject_a_scale_outside_the_class() {
    use canns::tda::{circular_coordinates, Cocycle};
    let d = Array2::<f64>::zeros((3, 3));
    let c = Cocycle {
        birth: 1.0,
        death: 2.0,
        simplices: vec![(vec![0, 1], 1)],
    };
    let e = circular_coordinates(&d.view(), &c, Some(3.0))
        .unwrap_err()
        .to_string();
    assert!(e.contains("eps") && e.contains("got 3"), "{e}");
}

#[test]
fn a_simulated_ring_attractor_traces_a_ring_and_its_angle_is_decoded() {
    // A bump driven once around the ring: its population activity (128
    // rates per time point) lies on a circle in R^128.
    use canns::prelude::*;
    use canns::tda::circular_coordinates_of_points;
    let mut net = Cann1d::params().num(128).build().unwrap();
    let mut task = SmoothTracking::params()
        .keypoints(vec![vec![0.0], vec![std::f64::consts::TAU]])
        .durations(vec![200.0])
        .build()
        .unwrap();
    let sim = simulate(&mut net, &mut task).unwrap();
    let rows: Vec<usize> = (100..sim.n_steps()).step_by(19).collect();
    let pts = Array2::from_shape_fn((rows.len(), 128), |(i, j)| sim.r[[rows[i], j]]);
    let d = rips(&pts, &RipsParams::default().coeff(47).cocycles(true)).unwrap();
    let bars = d.longest(1, 2);
    let first = bars[0].1 - bars[0].0;
    let second = bars.get(1).map_or(0.0, |b| b.1 - b.0);
    assert!(first > 5.0 * second, "one dominant H1 bar: {bars:?}");
    let theta = circular_coordinates_of_points(&pts, &d, 0).unwrap();
    let truth: Vec<f64> = rows.iter().map(|&s| sim.target[[s, 0]]).collect();
    let m = circular_match(&theta, &truth);
    assert!(m > 0.95, "decoded angle tracks the stimulus: R = {m}");
}
