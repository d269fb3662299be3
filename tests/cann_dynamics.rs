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
