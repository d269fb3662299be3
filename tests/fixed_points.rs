//! Fixed-point analysis on systems with known fixed points: the acceptance
//! tests of the fixed-point specification (section 6).

use canns::analysis::{FixedPointFinder, Stability};
use canns::models::{FnMap, StepMap};
use canns::ndarray::Array2;
use canns::prelude::*;
use rand::RngExt;

/// Root of x = tanh(2x).
const XS: f64 = 0.957_504_024_077_268_7;

fn bistable() -> impl StepMap {
    FnMap::new(3, |x: &[f64], out: &mut [f64]| {
        for (o, v) in out.iter_mut().zip(x) {
            *o = (2.0 * v).tanh();
        }
    })
}

fn uniform_states(n: usize, seed: u64) -> Array2<f64> {
    let mut rng = canns::random::seeded(seed);
    Array2::from_shape_fn((n, 3), |_| rng.random_range(-1.05..1.05))
}

#[test]
fn fpf_bistable_all_27_and_fast() {
    let mut map = bistable();
    let states = uniform_states(2000, 0);
    let fps = FixedPointFinder::params()
        .n_inits(256)
        .max_iters(1000)
        .run(&mut map, &states.view())
        .unwrap();
    eprintln!("{fps} (converged {} of {})", fps.n_converged, fps.n_inits);
    assert_eq!(fps.len(), 27);
    // fpf_converges_fast: every q below tol_q in < 500 iterations (canns: 240).
    assert!(fps.n_iters < 500, "{} iterations", fps.n_iters);
    assert!(fps.q_all.iter().all(|&q| q < 1e-10));
    let mut kinds = [0usize; 4]; // by number of nonzero coordinates
    for i in 0..fps.len() {
        let x = fps.xstar.row(i);
        let nz = x.iter().filter(|v| v.abs() > 0.5).count();
        kinds[nz] += 1;
        for v in x {
            assert!(v.abs() < 1e-4 || (v.abs() - XS).abs() < 1e-4, "{x}");
        }
        let ev = &fps.eigenvalues[i];
        // Eigenvalues 2 (1 - x^2): 0.16637 at +-x*, 2 at 0.
        for e in ev {
            assert!(e.1.abs() < 1e-9);
            assert!(
                (e.0 - 0.16637).abs() < 1e-3 || (e.0 - 2.0).abs() < 1e-6,
                "{ev:?}"
            );
        }
        assert_eq!(fps.is_stable[i], nz == 3);
    }
    assert_eq!(kinds, [1, 6, 12, 8]);
    // The workload of the bench and of scripts/compare/fixed_points.py: 128
    // inits (canns finds 26 of the 27 there, its 128 samples missing a corner).
    let fps = FixedPointFinder::params()
        .max_iters(1000)
        .run(&mut map, &states.view())
        .unwrap();
    eprintln!("128 inits: {fps}");
    assert!(fps.len() >= 26 && fps.n_iters < 500, "{fps}");
}

#[test]
fn linear_map_has_one_fixed_point_with_the_matrix_eigenvalues() {
    // x' = A x + c with eigenvalues 1.5 and 0.5 (unstable), and a
    // complex pair 0.6 +- 0.3i; x* = (I - A)^-1 c.
    let a = [
        [0.5, 0.2, 0.0, 0.0],
        [0.0, 1.5, 0.0, 0.0],
        [0.0, 0.0, 0.6, -0.3],
        [0.0, 0.0, 0.3, 0.6],
    ];
    let c = [1.0, -1.0, 0.5, 0.2];
    let mut map = FnMap::new(4, move |x: &[f64], out: &mut [f64]| {
        for i in 0..4 {
            out[i] = c[i] + (0..4).map(|j| a[i][j] * x[j]).sum::<f64>();
        }
    });
    let states = Array2::from_shape_fn((40, 4), |(i, j)| ((i * 7 + j * 3) % 11) as f64 / 5.0 - 1.0);
    let fps = FixedPointFinder::params()
        .n_inits(20)
        .run(&mut map, &states.view())
        .unwrap();
    assert_eq!(fps.len(), 1, "{fps}");
    // Solve (I - A) x = c by hand: x1 = -1 / -0.5 = 2; x0 = (1 + 0.2 * 2) / 0.5 = 2.8.
    let det = 0.4 * 0.4 + 0.3 * 0.3;
    let want = [
        2.8,
        2.0,
        (0.4 * 0.5 - 0.3 * 0.2) / det,
        (0.3 * 0.5 + 0.4 * 0.2) / det,
    ];
    for (g, w) in fps.xstar.row(0).iter().zip(want) {
        assert!((g - w).abs() < 1e-5, "{} vs {w}", fps.xstar.row(0));
    }
    let ev = &fps.eigenvalues[0];
    assert!((ev[0].0 - 1.5).abs() < 1e-6 && ev[0].1.abs() < 1e-9);
    let m = (0.6f64).hypot(0.3);
    assert!((ev[1].0.hypot(ev[1].1) - m).abs() < 1e-6 && (ev[1].1.abs() - 0.3).abs() < 1e-6);
    assert!((ev[3].0 - 0.5).abs() < 1e-6);
    assert!(!fps.is_stable[0]);
}

#[test]
fn saddle_and_stable_nodes_of_a_flow() {
    // dx/dt = x - x^3, dy/dt = -y, Euler steps of 0.1: a saddle at the origin
    // and stable nodes at (+-1, 0).
    let mut map = FnMap::new(2, |x: &[f64], out: &mut [f64]| {
        out[0] = x[0] + 0.1 * (x[0] - x[0].powi(3));
        out[1] = x[1] - 0.1 * x[1];
    });
    let states = Array2::from_shape_fn((100, 2), |(i, j)| {
        if j == 0 {
            -1.5 + 3.0 * (i as f64) / 99.0
        } else {
            ((i * 37) % 100) as f64 / 50.0 - 1.0
        }
    });
    let fps = FixedPointFinder::params()
        .n_inits(100)
        .lr_init(0.02)
        .stability(Stability::Continuous)
        .run(&mut map, &states.view())
        .unwrap();
    assert_eq!(fps.len(), 3, "{fps}: {}", fps.xstar);
    for i in 0..3 {
        let x = fps.xstar.row(i);
        assert!(x[1].abs() < 1e-5);
        let ev = &fps.eigenvalues[i];
        if x[0].abs() < 1e-5 {
            // Saddle: flow eigenvalues 1 and -1, map 1.1 and 0.9.
            assert!(!fps.is_stable[i]);
            assert!((ev[0].0 - 1.1).abs() < 1e-6 && (ev[1].0 - 0.9).abs() < 1e-6);
        } else {
            assert!((x[0].abs() - 1.0).abs() < 1e-5);
            assert!(fps.is_stable[i]);
            assert!((ev[0].0 - 0.9).abs() < 1e-6 && (ev[1].0 - 0.8).abs() < 1e-6);
        }
    }
    // The flow's boundary Re lambda = 1, not the unit circle.
    let fig = fps.plot_eigenvalues().plot().to_json();
    assert!(fig.contains("Re lambda = 1") && !fig.contains("|lambda| = 1"));
    let pca = fps.plot_pca(&states.view()).unwrap().plot().to_json();
    assert!(pca.contains("stable") && pca.contains("unstable"));
}

#[test]
fn fpf_cann_ring() {
    // CANN1D num=64 defaults; states from bumps cued at 16 positions and relaxed.
    let n = 64;
    let cues: Vec<f64> = (0..16).map(|i| -2.6 + 5.2 * i as f64 / 15.0).collect();
    let mut rows = Vec::new();
    for &c in &cues {
        let mut net = Cann1d::params().num(n).build().unwrap();
        let stim = net.stimulus_at(&[c]).unwrap();
        let zero = vec![0.0; n];
        for s in 0..400 {
            net.step(0.1, if s < 100 { &stim } else { &zero }).unwrap();
            if s >= 150 && (s - 150) % 10 == 0 {
                rows.extend_from_slice(net.u());
            }
        }
    }
    let states = Array2::from_shape_vec((rows.len() / n, n), rows).unwrap();
    let net = Cann1d::params().num(n).build().unwrap();
    let mut map = net.step_map(0.1, None).unwrap();
    let fps = FixedPointFinder::params()
        .n_inits(64)
        .max_iters(1500)
        .run(&mut map, &states.view())
        .unwrap();
    let top = fps.top_modulus();
    let grid = canns::analysis::RingGrid::new(n);
    let decoded: Vec<f64> = (0..fps.len())
        .map(|i| {
            let r: Vec<f64> = fps.xstar.row(i).iter().map(|u| u * u).collect();
            grid.centre(&r).unwrap()
        })
        .collect();
    eprintln!(
        "{fps}; top |lambda| {:?}; decoded {decoded:?}; q max {:e}",
        top,
        fps.qstar.iter().cloned().fold(0.0, f64::max)
    );
    assert!(fps.len() >= 8, "{fps}");
    for &t in &top {
        assert!((0.97..=1.11).contains(&t), "top |lambda| {t}");
        if t < 0.98 {
            eprintln!("flag: top |lambda| {t} below 0.98");
        }
    }
    // Decoded positions cover more than half of the cued positions.
    let covered = cues
        .iter()
        .filter(|&&c| {
            decoded
                .iter()
                .any(|&d| canns::space::angle_diff(d, c).abs() < 0.18)
        })
        .count();
    assert!(
        covered * 2 > cues.len(),
        "covered {covered} of {}",
        cues.len()
    );
}

#[test]
fn bad_finder_input_is_an_error() {
    let mut map = bistable();
    let e = FixedPointFinder::params()
        .run(&mut map, &Array2::zeros((10, 2)).view())
        .unwrap_err();
    assert!(e.to_string().contains("expected 3"), "{e}");
    let e = FixedPointFinder::params()
        .lr_init(0.0)
        .run(&mut map, &Array2::zeros((10, 3)).view())
        .unwrap_err();
    assert!(e.to_string().contains("`lr_init`"), "{e}");
    let e = FixedPointFinder::params()
        .run(&mut map, &Array2::from_elem((4, 3), f64::NAN).view())
        .unwrap_err();
    assert!(e.to_string().contains("not finite"), "{e}");
    assert!(FixedPointFinder::params()
        .run(&mut map, &Array2::zeros((0, 3)).view())
        .is_err());
}

/// The finder on networks it knows nothing about, through a closure: the
/// theta-sweep head-direction ring (state `[u, v]`, the free network
/// without a cue) has a ring of marginally stable bumps.
#[test]
fn direction_cell_network_has_a_ring_of_marginal_fixed_points() {
    let n = 64;
    let mut net = DirectionCellNetwork::params()
        .num(n)
        .noise_strength(0.0)
        .adaptation_strength(0.0)
        .build()
        .unwrap();
    let cue_net = net.clone();
    // Initial states: bumps formed by a cue at 8 directions, then released.
    let mut states = Array2::zeros((8, 2 * n));
    for k in 0..8 {
        let mut cued = cue_net.clone();
        let cue = cued.stimulus_at(&[-3.0 + 0.75 * k as f64]).unwrap();
        for _ in 0..300 {
            cued.step(cued.parameters().dt, &cue).unwrap();
        }
        let zero = vec![0.0; n];
        for _ in 0..200 {
            cued.step(cued.parameters().dt, &zero).unwrap();
        }
        for j in 0..n {
            states[[k, j]] = cued.u()[j];
            states[[k, n + j]] = cued.v().unwrap()[j];
        }
    }
    let zero = vec![0.0; n];
    let dt = net.parameters().dt;
    // The network keeps u >= 0 (rectified): the map rectifies its argument,
    // so finite differences and Adam's steps may leave that set.
    let mut u = vec![0.0; n];
    let mut map = FnMap::new(2 * n, |x: &[f64], out: &mut [f64]| {
        for (u, x) in u.iter_mut().zip(x) {
            *u = x.max(0.0);
        }
        net.set_state(&u, &x[n..]).unwrap();
        net.step(dt, &zero).unwrap();
        out[..n].copy_from_slice(net.u());
        out[n..].copy_from_slice(net.v().unwrap());
    });
    // The released bumps are already within q ~ 1e-11 of fixed points:
    // Adam's first steps have the size of the learning rate, so start small.
    let fps = FixedPointFinder::params()
        .n_inits(8)
        .noise_scale(0.0)
        .lr_init(1e-3)
        .max_iters(400)
        .run(&mut map, &states.view())
        .unwrap();
    eprintln!("{fps}: top |lambda| {:?}", fps.top_modulus());
    assert!(fps.len() >= 4, "{fps}");
    assert!(fps.qstar.iter().all(|&q| q < 1e-6), "{:?}", fps.qstar);
    // The rotation of the bump is neutral: the largest |lambda| is 1.
    for m in fps.top_modulus() {
        assert!((m - 1.0).abs() < 0.02, "{:?}", fps.top_modulus());
    }
}

/// A graded Hopfield network (tanh units, synchronous updates) through a
/// closure: the stored patterns are stable fixed points.
#[test]
fn hopfield_stored_patterns_are_stable_fixed_points() {
    let n = 32;
    let mut rng = canns::random::seeded(5);
    let stored = Array2::from_shape_fn((2, n), |_| if rng.random_bool(0.5) { 1.0 } else { -1.0 });
    let mut net = Hopfield::params()
        .n_neurons(n)
        .activation(canns::models::Activation::Tanh)
        .temperature(0.5)
        .update(Update::Synchronous)
        .build()
        .unwrap();
    Hebbian::params()
        .build()
        .unwrap()
        .train(&mut net, stored.view())
        .unwrap();
    let probes = Array2::from_shape_fn((16, n), |(i, j)| {
        stored[[i % 2, j]] * 0.8 + rng.random_range(-0.3..0.3)
    });
    let mut map = FnMap::new(n, |x: &[f64], out: &mut [f64]| {
        net.set_state(x).unwrap();
        net.update();
        out.copy_from_slice(net.state());
    });
    let fps = FixedPointFinder::params()
        .n_inits(16)
        .max_iters(1000)
        .run(&mut map, &probes.view())
        .unwrap();
    eprintln!("{fps}");
    let mut found = [false; 2];
    for i in 0..fps.len() {
        let x = fps.xstar.row(i);
        for (p, f) in found.iter_mut().enumerate() {
            let overlap: f64 =
                x.iter().zip(stored.row(p)).map(|(a, b)| a * b).sum::<f64>() / n as f64;
            if overlap > 0.9 {
                *f = true;
                assert!(fps.is_stable[i], "pattern {p}: {:?}", fps.top_modulus());
            }
        }
    }
    assert_eq!(found, [true, true], "{fps}");
}
