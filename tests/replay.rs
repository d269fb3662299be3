//! Replay regimes of the adaptive CANN (Ji et al. 2026): the acceptance tests
//! of the replay specification, with its tolerances (`tests/fixtures/replay/`
//! holds the reference numbers of the authors' model).

use canns::analysis::ReplayStats;
use canns::pipeline::{ji_1d, ji_2d, replay_trials, run_replay};
use canns::prelude::*;
use canns::tasks::Replay;
use std::f64::consts::PI;

fn fixture() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/replay/reference.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// MSD exponent (1-20 ms) and net displacement over 190 ms of the 1-D model
/// at adaptation `m_bar` (units of the boundary), 8 seeds.
/// Also the Levy alpha of the steps between consecutive samples (0.1 ms,
/// Ji et al.'s interval).
fn ji_1d_stats(m_bar: f64) -> (ReplayStats, f64) {
    let seeds: Vec<u64> = (0..8).collect();
    let runs = replay_trials(|s| ji_1d(m_bar, s), &Replay::params(), &seeds, 0).unwrap();
    assert!(runs.runs.iter().all(|r| r.lost == 0));
    let fine = runs
        .stats_with(ReplayStats::params().step_lag(0.1), 10.0)
        .unwrap();
    (runs.stats(10.0).unwrap(), fine.levy_alpha.unwrap())
}

#[test]
fn replay_exponent_monotone_and_stationary_small() {
    let fx = fixture();
    let m_bars = [0.0, 0.5, 0.9, 1.1, 1.5, 3.5];
    let (stats, alpha_fine): (Vec<ReplayStats>, Vec<f64>) =
        m_bars.iter().map(|&m| ji_1d_stats(m)).unzip();
    let beta: Vec<f64> = stats.iter().map(|s| s.msd_exponent).collect();
    let net: Vec<f64> = stats.iter().map(|s| s.net_displacement).collect();
    let alpha: Vec<Option<f64>> = stats.iter().map(|s| s.levy_alpha).collect();
    eprintln!("Levy alpha of 1 ms steps: {alpha:?}");
    // Additive input noise alone gives Gaussian (Brownian) steps: alpha = 2.
    assert!(alpha.iter().all(|a| a.unwrap() > 1.9), "{alpha:?}");
    eprintln!("Levy alpha of 0.1 ms steps: {alpha_fine:?}");
    assert!(alpha_fine.iter().all(|&a| a > 1.9), "{alpha_fine:?}");
    let labels: Vec<String> = m_bars.iter().map(|m| format!("m/m* = {m}")).collect();
    let runs: Vec<(&str, &ReplayStats)> = labels.iter().map(|l| l.as_str()).zip(&stats).collect();
    let fig = canns::analysis::plot_step_distributions(&runs).unwrap();
    assert_eq!(fig.plot().data().len(), m_bars.len() + 1);
    let reference: Vec<f64> = fx["cann1d_ji"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["msd_exponent_1_20ms"].as_f64().unwrap())
        .collect();
    eprintln!("m_bar {m_bars:?}\nexponent {beta:?}\nreference {reference:?}\nnet {net:?}");
    assert!((0.85..=1.15).contains(&beta[0]), "m_bar 0: {}", beta[0]);
    assert!((1.45..=1.8).contains(&beta[4]), "m_bar 1.5: {}", beta[4]);
    assert!(beta[5] >= 1.8, "m_bar 3.5: {}", beta[5]);
    for w in beta.windows(2) {
        assert!(w[1] >= w[0], "exponent not monotone in m_bar: {beta:?}");
    }
    // replay_stationary_small: 190 ms after the first 10 ms past the cue.
    assert!(net[0] < 0.3, "m_bar 0 net displacement {}", net[0]);
    assert!(net[5] > 2.0, "m_bar 3.5 net displacement {}", net[5]);
}

/// Noise-free, cue at 0, then u (not v) rolled by +0.1 rad: the bump keeps
/// moving at a constant speed iff m_bar > 1 (Mi et al. 2014: travelling-wave
/// boundary m* = tau/tau_v). Returns the mean speed (rad/ms) over 450-500 ms
/// and over 1950-2000 ms after the kick.
fn speeds_after_kick(m_bar: f64) -> (f64, f64) {
    let mut net = ji_1d(m_bar, 0).unwrap();
    let mut task = Replay::params()
        .cue_pos(vec![0.0])
        .input_noise(0.0)
        .free_duration(0.0)
        .build()
        .unwrap();
    run_replay(&mut net, &mut task, 0).unwrap();
    let n = net.n_neurons();
    let shift = (0.1 / (2.0 * PI / n as f64)).round() as usize;
    let u: Vec<f64> = (0..n).map(|i| net.u()[(i + n - shift) % n]).collect();
    net.set_u(&u).unwrap();
    let zero = vec![0.0; n];
    let grid = canns::analysis::RingGrid::new(n);
    let mut centre = Vec::new();
    for _ in 0..20_000 {
        net.step(0.1, &zero).unwrap();
        centre.push(grid.centre(net.r()).unwrap());
    }
    let speed = |from: usize| {
        let travelled: f64 = centre[from..from + 500]
            .windows(2)
            .map(|w| canns::space::angle_diff(w[1], w[0]))
            .sum();
        travelled.abs() / 50.0
    };
    (speed(4500), speed(19_500))
}

/// The speed below the boundary decays with the time constant
/// `tau_v / (1 - m_bar)` (480 ms at m_bar = 0.9: still 1e-3 rad/ms after
/// 500 ms, so "0 after 500 ms" is read as "decaying"); above it the bump
/// travels at a constant speed.
#[test]
fn replay_boundary() {
    let speeds: Vec<(f64, (f64, f64))> = [0.0, 0.5, 0.9, 1.2, 1.5, 3.5]
        .iter()
        .map(|&m| (m, speeds_after_kick(m)))
        .collect();
    eprintln!("speed (rad/ms) at 500 ms and at 2000 ms: {speeds:?}");
    for &(m, (v500, v2000)) in &speeds {
        if m <= 0.9 {
            assert!(
                v2000 < 1e-4,
                "m_bar {m}: bump still moves at {v2000} rad/ms after 2 s"
            );
            assert!(
                v2000 <= 0.05 * v500,
                "m_bar {m}: speed does not decay ({v500} -> {v2000})"
            );
        } else {
            assert!(v500 > 1e-3, "m_bar {m}: bump stopped ({v500} rad/ms)");
            assert!(
                (v2000 / v500 - 1.0).abs() < 0.02,
                "m_bar {m}: speed not constant ({v500} -> {v2000})"
            );
        }
    }
}

#[test]
fn replay_2d_superdiffusive() {
    // Ji et al. Fig. 3: lags 1..91 steps, centres from step 200.
    let lags: Vec<f64> = (0..10).map(|k| 0.1 * (1 + 10 * k) as f64).collect();
    let params = ReplayStats::params()
        .lags(lags)
        .fit_from(0.1)
        .fit_to(9.1)
        .step_lag(0.1);
    let exponent = |mu: f64, gamma: f64| {
        let runs = replay_trials(
            |s| ji_2d(mu, gamma, 100, s),
            &canns::tasks::ReplayParams::ji_2d(),
            &[0, 1, 2],
            0,
        )
        .unwrap();
        let per_seed: Vec<f64> = runs
            .runs
            .iter()
            .map(|r| {
                params
                    .clone()
                    .dt(r.dt)
                    .start(20.0)
                    .fit(std::slice::from_ref(&r.centres))
                    .unwrap()
            })
            .map(|s| {
                eprintln!("mu {mu} gamma {gamma}: alpha {:?}", s.levy_alpha);
                s.msd_exponent
            })
            .collect();
        per_seed.iter().sum::<f64>() / per_seed.len() as f64
    };
    let sup = exponent(0.01, 2.0);
    let dif = exponent(0.8, 2.0);
    eprintln!("2-D MSD exponent: super-diffusive {sup}, diffusive {dif}");
    assert!(sup >= 1.15, "mu 0.01, gamma 2: {sup}");
    assert!((0.85..=1.15).contains(&dif), "mu 0.8, gamma 2: {dif}");
}

#[test]
fn seam_free() {
    // canns's duplicated grid point drifts this bump 0.79 rad.
    let mut net = ji_1d(0.0, 0).unwrap();
    let mut task = Replay::params().input_noise(0.0).build().unwrap();
    let run = run_replay(&mut net, &mut task, 0).unwrap();
    assert_eq!(run.centres.nrows(), 2500);
    let drift = canns::space::angle_diff(run.centres[[2499, 0]], -0.75 * PI);
    assert!(drift.abs() < 1e-3, "drift {drift}");
}

#[test]
fn replay_is_reproducible_by_seed() {
    let task = Replay::params().cue_duration(5.0).free_duration(20.0);
    let run = |seeds: &[u64]| {
        replay_trials(|s| ji_1d(1.5, s), &task, seeds, 10)
            .unwrap()
            .centres()
    };
    assert_eq!(run(&[3, 4]), run(&[3, 4]));
    assert_ne!(run(&[3])[0], run(&[4])[0]);
    let t = replay_trials(|s| ji_1d(1.5, s), &task, &[1], 10).unwrap();
    assert_eq!(t.runs[0].raster.dim(), (25, 128));
    assert!(t.plot_raster(0, "raster").is_ok());
    assert!(
        t.plot_trajectory(0).is_err(),
        "1-D run has no 2-D trajectory"
    );
}

#[test]
fn bad_replay_input_is_an_error() {
    assert!(Replay::params().dt(0.0).build().is_err());
    assert!(Replay::params().cue_pos(vec![]).build().is_err());
    assert!(Replay::params().input_noise(f64::NAN).build().is_err());
    let e = replay_trials(|s| ji_1d(1.0, s), &Replay::params(), &[], 0).unwrap_err();
    assert!(e.to_string().contains("seeds"), "{e}");
    // A 2-D cue on a ring is a shape error, not a panic.
    let e = replay_trials(
        |s| ji_1d(1.0, s),
        &Replay::params().cue_pos(vec![0.0, 0.0]),
        &[0],
        0,
    )
    .unwrap_err();
    assert!(e.to_string().contains("feature dimension"), "{e}");
}

/// The options keep today's dynamics by default and change them when set.
#[test]
fn cann_options() {
    use canns::models::CannOptions;
    let run = |p: &Cann1dParams, o: CannOptions| {
        let mut net = p.build_with(&o).unwrap();
        let input = net.stimulus_at(&[0.3]).unwrap();
        for _ in 0..300 {
            net.step(0.1, &input).unwrap();
        }
        let inhibit = vec![-0.5; net.n_neurons()];
        for _ in 0..50 {
            net.step(0.1, &inhibit).unwrap();
        }
        (net.u().to_vec(), net.v().map(|v| v.to_vec()))
    };
    let base = Cann1dParams::sfa().num(64);
    let plain = CannOptions::default();
    // Default options are the plain build.
    let mut net = base.build().unwrap();
    let input = net.stimulus_at(&[0.3]).unwrap();
    for _ in 0..300 {
        net.step(0.1, &input).unwrap();
    }
    let mut net2 = base.build_with(&plain).unwrap();
    for _ in 0..300 {
        net2.step(0.1, &input).unwrap();
    }
    assert_eq!(net.u(), net2.u());
    // m_bar = m / m*, m* = tau / tau_v.
    assert_eq!(base.clone().m_bar(0.6).m, 0.6 / 50.0);
    assert_eq!(base.m_star(), 1.0 / 50.0);
    // The order of the v update matters.
    let old = run(&base, plain.clone().adaptation_drive(AdaptationDrive::OldU));
    assert_ne!(old.1, run(&base, plain.clone()).1);
    // Rectification keeps u >= 0 under negative input; without it u goes negative.
    assert!(run(&base, plain.clone().rectify(true))
        .0
        .iter()
        .all(|&u| u >= 0.0));
    assert!(run(&base, plain.clone()).0.iter().any(|&u| u < 0.0));
    // Multiplicative noise on v is seeded by the network's seed.
    let nv = run(&base.clone().seed(1), plain.clone().noise_v(0.05));
    assert_eq!(nv, run(&base.clone().seed(1), plain.clone().noise_v(0.05)));
    assert_ne!(nv, run(&base.clone().seed(2), plain.clone().noise_v(0.05)));
    let e = base.build_with(&plain.clone().noise_v(-1.0)).unwrap_err();
    assert!(e.to_string().contains("`noise_v`"), "{e}");
    // JSON round trip keeps the options.
    let o = plain
        .rectify(true)
        .adaptation_drive(AdaptationDrive::OldU)
        .noise_v(0.1);
    assert_eq!(CannOptions::from_json(&o.to_json()).unwrap(), o);
}

#[test]
fn adaptation_destabilises_the_ring() {
    use canns::pipeline::adaptation_spectrum;
    let m_bars = [0.0, 0.5, 0.8, 0.95, 1.05, 1.2, 1.5, 2.0, 3.5];
    let s = adaptation_spectrum(&m_bars, 6).unwrap();
    eprintln!("{s}; points {:?}; stable {:?}", s.n_points, s.n_stable);
    let theory = s.theory();
    for (i, &m) in m_bars.iter().enumerate() {
        // Six bumps, six distinct fixed points, each with the same spectrum.
        assert_eq!(s.n_points[i], 6, "m/m* {m}");
        assert!((s.top[i] - s.top_min[i]).abs() < 1e-9, "m/m* {m}");
        if m < 1.0 {
            // The neutral rotation only: marginal, nothing grows.
            assert!((s.top[i] - 1.0).abs() < 1e-9, "m/m* {m}: {}", s.top[i]);
        } else {
            // A growing mode at rate (m/m* - 1) / tau_v: the bump must travel.
            assert_eq!(s.n_stable[i], 0, "m/m* {m}");
            let excess = s.top[i] - 1.0;
            assert!(excess > 0.0, "m/m* {m}: {}", s.top[i]);
            assert!(
                (excess / (theory[i] - 1.0) - 1.0).abs() < 0.02,
                "m/m* {m}: {} vs {}",
                s.top[i],
                theory[i]
            );
        }
    }
}
