//! Correctness of the CANN dynamics: persistence, tracking lag, anticipation
//! and travelling waves with adaptation, 2D versus 1D.

use canns::prelude::*;
use canns::space::{angle_diff, TWO_PI};

/// Drift of the bump centre over `steps`.
fn drift(sim: &Simulation, from: usize, to: usize) -> f64 {
    angle_diff(sim.centre[[to, 0]], sim.centre[[from, 0]]).abs()
}

#[test]
fn bump_persists_without_input_for_1000_steps() {
    let mut net = Cann1d::params().build().unwrap();
    let mut task = PopulationCoding::params()
        .position(vec![1.0])
        .before(1.0)
        .duration(10.0)
        .after(150.0)
        .build()
        .unwrap();
    let sim = simulate(&mut net, &mut task).unwrap();
    let off = task.on_steps().end;
    assert!(sim.n_steps() - off >= 1000);
    let spacing = TWO_PI / 512.0;
    let last = sim.n_steps() - 1;
    assert!(
        drift(&sim, off, last) < spacing,
        "drift {} >= spacing {spacing}",
        drift(&sim, off, last)
    );
    assert!(angle_diff(sim.centre[[last, 0]], 1.0).abs() < spacing);
    // The bump is self-sustained: its height settles to a positive value.
    let h_end = sim.height[last];
    let h_mid = sim.height[off + 500];
    assert!(h_end > 0.2, "height {h_end}");
    assert!(
        (h_end - h_mid).abs() / h_end < 1e-3,
        "height still changing: {h_mid} -> {h_end}"
    );
    // Its width is close to the connection range a (Wu et al. 2008).
    assert!(
        (sim.width[last] - 0.5).abs() < 0.1,
        "width {}",
        sim.width[last]
    );
}

fn moving_stimulus(speed: f64, time: f64) -> SmoothTracking {
    SmoothTracking::params()
        .keypoints(vec![vec![-1.0], vec![-1.0 + speed * time]])
        .durations(vec![time])
        .build()
        .unwrap()
}

#[test]
fn plain_cann_lags_behind_a_moving_stimulus() {
    let mut net = Cann1d::params().build().unwrap();
    let mut task = moving_stimulus(0.02, 100.0);
    let sim = simulate(&mut net, &mut task).unwrap();
    let s = sim.tracking(300);
    println!("plain CANN tracking: {s:?}");
    assert!(s.offset > 0.0, "offset {}", s.offset);
    assert!(s.lag > 0.0 && s.lag < 20.0, "lag {}", s.lag);
    assert!(s.mean_abs_error < 0.1, "error {}", s.mean_abs_error);
}

#[test]
fn adaptation_makes_the_bump_lead_a_moving_stimulus() {
    // Mi et al. (2014): with adaptation (canns's CANN1D_SFA defaults) the bump
    // anticipates a slowly moving stimulus; without it, it lags.
    let mut net = Cann1dParams::sfa().build().unwrap();
    let mut task = moving_stimulus(0.005, 400.0);
    let sim = simulate(&mut net, &mut task).unwrap();
    let s = sim.tracking(1500);
    println!("SFA tracking: {s:?}");
    assert!(s.offset < -0.02, "offset {} (expected a lead)", s.offset);
    assert!(s.lag < -4.0, "lag {} (expected anticipation)", s.lag);
}

/// Distance the bump travels in the last 100 time units of a free run that
/// follows 100 time units of a moving stimulus.
fn free_travel(m: f64) -> (f64, f64) {
    let mut net = Cann1d::params().amplitude(1.0).m(m).build().unwrap();
    let mut task = moving_stimulus(0.01, 100.0);
    simulate(&mut net, &mut task).unwrap();
    let zero = vec![0.0; net.n_neurons()];
    let mut centres = Vec::new();
    for _ in 0..3000 {
        net.step(0.1, &zero).unwrap();
        centres.push(centre_1d(net.r()).unwrap_or(f64::NAN));
    }
    let travelled: f64 = centres[2000..]
        .windows(2)
        .map(|w| angle_diff(w[1], w[0]).abs())
        .sum();
    (travelled, height(net.u()))
}

#[test]
fn above_critical_adaptation_the_bump_travels_without_input() {
    // tau / tau_v = 0.02 is the critical adaptation strength (Mi et al. 2014).
    let (moved_hi, h_hi) = free_travel(0.3);
    let (moved_lo, h_lo) = free_travel(0.01);
    println!("m=0.3: moved {moved_hi} (height {h_hi}); m=0.01: moved {moved_lo} (height {h_lo})");
    assert!(
        h_hi > 0.1 && h_lo > 0.1,
        "bumps must survive: {h_hi}, {h_lo}"
    );
    // Above: a steady travelling wave (about 0.05 rad per time unit). Below:
    // the residual motion decays with tau_v and is over ten times slower.
    assert!(
        moved_hi > 1.0,
        "m = 0.3 should travel, moved {moved_hi} rad in 100 time units"
    );
    assert!(
        moved_lo < 0.1 * moved_hi,
        "m = 0.01 should settle, moved {moved_lo} rad in 100 time units"
    );
}

#[test]
fn torus_holds_a_bump_at_the_stimulus_and_tracks_along_one_axis() {
    let mut net = Cann2d::params().length(40).build().unwrap();
    let mut task = SmoothTracking::params()
        .keypoints(vec![vec![-1.0, 0.5], vec![0.5, 0.5]])
        .durations(vec![75.0])
        .build()
        .unwrap();
    let sim = simulate(&mut net, &mut task).unwrap();
    let s = sim.tracking(200);
    println!("2D tracking along x1: {s:?}");
    assert!(
        s.offset > 0.0,
        "2D bump should lag like the 1D one: {}",
        s.offset
    );
    // The second coordinate stays at the (fixed) target.
    for k in (200..sim.n_steps()).step_by(50) {
        assert!(
            angle_diff(sim.centre[[k, 1]], 0.5).abs() < 0.05,
            "x2 drifted at step {k}: {}",
            sim.centre[[k, 1]]
        );
    }
}

#[test]
fn template_matching_recovers_the_template_position() {
    let mut net = Cann1d::params().build().unwrap();
    let mut task = TemplateMatching::params()
        .position(vec![-2.0])
        .noise_level(0.5)
        .missing(0.3)
        .build()
        .unwrap();
    let sim = simulate(&mut net, &mut task).unwrap();
    let last = sim.n_steps() - 1;
    assert!(
        angle_diff(sim.centre[[last, 0]], -2.0).abs() < 0.05,
        "{}",
        sim.centre[[last, 0]]
    );
    // Reproducible: same seed, same input, same result.
    let sim2 = simulate(&mut net, &mut task).unwrap();
    assert_eq!(sim.u, sim2.u);
}

#[test]
fn task_and_model_dimensions_must_agree() {
    let mut net = Cann2d::params().length(8).build().unwrap();
    let mut task = PopulationCoding::params().build().unwrap();
    let e = simulate(&mut net, &mut task).unwrap_err().to_string();
    assert!(e.contains("feature dimension"), "{e}");
}

#[test]
fn dataframe_has_one_row_per_step_and_named_columns() {
    let mut net = Cann1d::params().num(64).build().unwrap();
    let mut task = PopulationCoding::params()
        .before(1.0)
        .duration(2.0)
        .after(1.0)
        .build()
        .unwrap();
    let sim = simulate(&mut net, &mut task).unwrap();
    let df = sim.to_dataframe().unwrap();
    assert_eq!(df.height(), sim.n_steps());
    for c in [
        "step",
        "t",
        "stimulus_on",
        "target_1",
        "centre_1",
        "error_1",
        "height",
        "width",
    ] {
        assert!(df.column(c).is_ok(), "missing column {c}");
    }
}

#[test]
fn torus_tracking_along_one_axis_matches_the_ring() {
    // A stimulus moving along x1 only is a separable input: the torus bump's
    // lag along x1 equals the ring bump's lag at the same speed.
    let lag = |sim: Simulation| sim.tracking(200).lag;
    let mut ring = Cann1d::params().build().unwrap();
    let mut task1 = SmoothTracking::params()
        .keypoints(vec![vec![-1.0], vec![0.5]])
        .durations(vec![75.0])
        .build()
        .unwrap();
    let lag1 = lag(simulate(&mut ring, &mut task1).unwrap());
    let mut torus = Cann2d::params().length(40).build().unwrap();
    let mut task2 = SmoothTracking::params()
        .keypoints(vec![vec![-1.0, 0.5], vec![0.5, 0.5]])
        .durations(vec![75.0])
        .build()
        .unwrap();
    let lag2 = lag(simulate(&mut torus, &mut task2).unwrap());
    println!("lag ring {lag1}, torus {lag2}");
    assert!(
        (lag1 - lag2).abs() < 0.05 * lag1,
        "ring lag {lag1} vs torus lag {lag2}"
    );
}

#[test]
fn exponential_euler_converges_to_euler_and_stays_stable_at_large_dt() {
    let run = |integrator: Integrator, dt: f64| {
        let mut net = Cann1d::params()
            .num(128)
            .integrator(integrator)
            .build()
            .unwrap();
        let mut input = vec![0.0; 128];
        net.stimulus(&[0.3], &mut input).unwrap();
        let steps = (20.0 / dt).round() as usize;
        for _ in 0..steps {
            net.step(dt, &input).unwrap();
        }
        net.u().to_vec()
    };
    let a = run(Integrator::Euler, 0.001);
    let b = run(Integrator::Exponential, 0.001);
    let diff = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    assert!(diff < 1e-3, "integrators disagree at small dt: {diff}");
    // Forward Euler is unstable for dt > 2 tau; exponential Euler is not.
    let c = run(Integrator::Exponential, 2.5);
    assert!(c.iter().all(|x| x.is_finite()));
    assert!((centre_1d(&c.iter().map(|u| u * u).collect::<Vec<_>>()).unwrap() - 0.3).abs() < 0.02);
}

#[test]
fn noise_is_reproducible_by_seed() {
    let run = |seed: u64| {
        let mut net = Cann1d::params()
            .num(64)
            .noise(0.05)
            .seed(seed)
            .build()
            .unwrap();
        let mut task = PopulationCoding::params()
            .before(1.0)
            .duration(5.0)
            .after(5.0)
            .build()
            .unwrap();
        simulate(&mut net, &mut task).unwrap().u
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]

        #[test]
        fn shifting_the_input_rotates_the_steady_bump(shift in 0usize..64, z in -3.0f64..3.0) {
            // Move the stimulus by a whole number of neurons: the steady state
            // is the same bump, rotated by exactly that many neurons.
            let n = 64;
            let dx = TWO_PI / n as f64;
            let steady = |pos: f64| {
                let mut net = Cann1d::params().num(n).build().unwrap();
                let mut input = vec![0.0; n];
                net.stimulus(&[pos], &mut input).unwrap();
                for _ in 0..300 { net.step(0.1, &input).unwrap(); }
                net.u().to_vec()
            };
            let a = steady(z);
            let b = steady(z + shift as f64 * dx);
            for i in 0..n {
                prop_assert!((a[i] - b[(i + shift) % n]).abs() < 1e-9);
            }
        }

        #[test]
        fn params_survive_a_json_round_trip(num in 2usize..2000, tau in 0.01f64..10.0, k in 0.0f64..20.0, a in 0.01f64..2.0, m in 0.0f64..1.0, seed in any::<u64>()) {
            let p = Cann1d::params().num(num).tau(tau).k(k).a(a).m(m).seed(seed);
            prop_assert_eq!(Cann1dParams::from_json(&p.to_json()).unwrap(), p.clone());
            let q = Cann2d::params().length(num.min(64)).tau(tau).k(k).a(a).m(m).seed(seed);
            prop_assert_eq!(Cann2dParams::from_json(&q.to_json()).unwrap(), q);
        }

        #[test]
        fn build_rejects_every_non_positive_or_non_finite_tau(tau in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), -10.0f64..=0.0]) {
            let e = Cann1d::params().tau(tau).build().unwrap_err().to_string();
            prop_assert!(e.contains("`tau`"));
            let e = Cann2d::params().tau(tau).build().unwrap_err().to_string();
            prop_assert!(e.contains("`tau`"));
        }
    }
}
