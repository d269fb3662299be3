//! Acceptance tests of the path-integration models (zoo spec sections 3 and
//! 4): the protocols of the reference runs of the Python `canns` package
//! (1.5.0), with the reference numbers and tolerances in
//! `tests/fixtures/path_integration/canns_reference.json`. Statistical where
//! noise is involved: our random streams differ from JAX's.

use canns::analysis::activity_rate_maps;
use canns::analysis::sheet::{power_spectrum, velocity_map};
use canns::models::{
    GridCell2DPositionParams, GridCell2DVelocity, GridCell2DVelocityParams, HealSchedule,
    HierarchicalNetwork, HierarchicalNetworkParams, Model, SpeedLimit,
};
use canns::spatial::{Agent, Environment};
use rand::seq::SliceRandom;
use serde_json::Value;
use std::sync::OnceLock;

mod common;

fn reference() -> &'static Value {
    static R: OnceLock<Value> = OnceLock::new();
    R.get_or_init(|| {
        let s = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/path_integration/canns_reference.json"
        ))
        .unwrap();
        serde_json::from_str(&s).unwrap()
    })
}

fn num(path: &[&str]) -> f64 {
    let mut v = reference();
    for p in path {
        v = &v[*p];
    }
    v.as_f64()
        .unwrap_or_else(|| panic!("fixture has no number at {path:?}"))
}

/// A random walk in a `side x side` box from (0.5, 0.5) at mean speed
/// `speed` (m/s).
fn walk(side: f64, dt: f64, steps: usize, speed: f64, seed: u64) -> canns::spatial::History {
    // The Rayleigh scale whose mean is `speed`.
    let sigma = speed / (std::f64::consts::PI / 2.0).sqrt();
    walk_from(side, [0.5, 0.5], dt, steps, sigma, 0.08, seed)
}

fn walk_from(
    side: f64,
    start: [f64; 2],
    dt: f64,
    steps: usize,
    speed_mean: f64,
    speed_std: f64,
    seed: u64,
) -> canns::spatial::History {
    let env = Environment::rectangle(side, side).unwrap();
    let mut agent = Agent::params()
        .dt(dt)
        .speed_mean(speed_mean)
        .speed_std(speed_std)
        .start_position(Some(start.to_vec()))
        .seed(seed)
        .build(env)
        .unwrap();
    agent.run(steps).unwrap();
    agent.history().clone()
}

/// The example protocol: 3 x 3 m, 1500 s at 0.1 s per sample, one 1 ms
/// network step per sample; rates of 200 random neurons recorded.
struct PositionMaps {
    /// Grid score and spacing of the first 20 random cells.
    scores: Vec<f64>,
    spacings: Vec<f64>,
    /// Spacing of the 5 cells with the highest peak rate.
    top_spacings: Vec<f64>,
}

fn position_maps() -> &'static PositionMaps {
    static M: OnceLock<PositionMaps> = OnceLock::new();
    M.get_or_init(|| {
        let hist = walk(3.0, 0.1, 15_000, 0.4, 0);
        let mut net = GridCell2DPositionParams::example().seed(1).build().unwrap();
        let mut rng = canns::random::seeded(0);
        let mut cells: Vec<usize> = (0..net.n_neurons()).collect();
        cells.shuffle(&mut rng);
        cells.truncate(200);
        let run = net.run(&hist, &cells).unwrap();
        let maps = activity_rate_maps(
            &hist.x,
            &hist.y,
            &run.rates.view(),
            [0.0, 3.0, 0.0, 3.0],
            num(&["gc_position", "bin_m"]),
            1.0,
        )
        .unwrap();
        let mut idx: Vec<usize> = (0..maps.len()).collect();
        idx.sort_by(|&a, &b| maps[b].peak_rate().total_cmp(&maps[a].peak_rate()));
        PositionMaps {
            scores: maps[..20].iter().map(|m| m.grid_score()).collect(),
            spacings: maps[..20].iter().map(|m| m.grid_spacing()).collect(),
            top_spacings: idx[..5].iter().map(|&i| maps[i].grid_spacing()).collect(),
        }
    })
}

/// The first `seconds` of the Sargolini et al. trajectory, resampled every
/// `dt` seconds.
fn sargolini_first(seconds: f64, dt: f64) -> canns::spatial::History {
    let traj = canns::spatial::Trajectory::load("sargolini").unwrap();
    let t = traj.times();
    let keep = t.iter().take_while(|&&x| x <= t[0] + seconds).count();
    let pos = (0..keep)
        .map(|i| vec![traj.coordinate(0)[i], traj.coordinate(1)[i]])
        .collect();
    canns::spatial::Trajectory::new(t[..keep].to_vec(), pos)
        .unwrap()
        .resample(dt)
        .unwrap()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[test]
fn gcpos_gridness() {
    let m = position_maps();
    // 20 random cells (the first 20 of the random 200).
    let s: Vec<f64> = m.scores[..20].to_vec();
    let mean = s.iter().sum::<f64>() / 20.0;
    eprintln!("grid scores of 20 random cells: mean {mean:.3}, {s:.2?}");
    assert!(s.iter().all(|g| g.is_finite()), "{s:?}");
    assert!(
        mean > num(&["gc_position", "gridness_threshold"]),
        "mean grid score {mean}"
    );
}

#[test]
fn gcpos_spacing() {
    let m = position_maps();
    let lambda = num(&["gc_position", "theoretical_spacing_m"]);
    let bin = num(&["gc_position", "bin_m"]);
    let top = m.top_spacings.clone();
    eprintln!("spacing of the top 5 cells: {top:.3?} (Lambda {lambda:.3})");
    for s in &top {
        assert!((s - lambda).abs() <= bin, "top-5 spacing {s} vs {lambda}");
    }
    let mut r20 = m.spacings.clone();
    let med = median(&mut r20);
    eprintln!("spacing of 20 random cells: median {med:.3}, {r20:.3?}");
    assert!((med - lambda).abs() <= bin, "median spacing {med}");
    // No cell picks the flank of the central peak (canns: 8 of 20 at 0.237 m).
    assert!(r20.iter().all(|s| *s > 0.5 * lambda), "{r20:?}");
}

#[test]
fn gcpos_decoder_matched_dt() {
    // Network time equals trajectory time: 1 ms per sample, 20 s.
    let hist = walk(3.0, 0.001, 20_000, 0.4, 3);
    let mut net = GridCell2DPositionParams::example().seed(2).build().unwrap();
    let run = net.run(&hist, &[]).unwrap();
    let err = run.mean_error(500);
    eprintln!("matched-dt decoding error {err:.4} m");
    assert!(
        err < num(&["gc_position", "matched_dt_error_threshold_m"]),
        "{err}"
    );
}

#[test]
fn gcpos_canns_protocol_error_is_a_lag_artefact() {
    // One 1 ms step per 0.1 s sample: the bump trails the animal by several
    // centimetres per step (canns: 0.22 m). It is much larger than matched dt.
    let hist = walk(3.0, 0.1, 3000, 0.4, 4);
    let mut net = GridCell2DPositionParams::example().seed(2).build().unwrap();
    let err = net.run(&hist, &[]).unwrap().mean_error(100);
    eprintln!("canns-protocol decoding error {err:.4} m");
    assert!(err > 0.05 && err < 0.5, "{err}");
}

// ------------------------------------------------------------------------
// GridCell2DVelocity
// ------------------------------------------------------------------------

fn healed(p: GridCell2DVelocityParams) -> GridCell2DVelocity {
    let mut net = p.build().unwrap();
    net.heal(&HealSchedule::canns()).unwrap();
    net
}

fn healed_bf() -> &'static GridCell2DVelocity {
    static N: OnceLock<GridCell2DVelocity> = OnceLock::new();
    N.get_or_init(|| healed(GridCell2DVelocity::params()))
}

fn healed_canns() -> &'static GridCell2DVelocity {
    static N: OnceLock<GridCell2DVelocity> = OnceLock::new();
    N.get_or_init(|| healed(GridCell2DVelocityParams::canns()))
}

fn angle_deg(a: [f64; 2], b: [f64; 2]) -> f64 {
    canns::space::wrap(a[1].atan2(a[0]) - b[1].atan2(b[0])).to_degrees()
}

#[test]
fn gcv_heal_forms_lattice() {
    let tol = &["gc_velocity", "tolerances"];
    for net in [healed_bf(), healed_canns()] {
        let active = net.active_fraction();
        let spec = power_spectrum(net.r(), net.length());
        // The three strongest non-collinear wave-vectors.
        let mut ks: Vec<[i32; 2]> = Vec::new();
        for (_, k) in &spec {
            if ks.iter().all(|w| w[0] * k[1] - w[1] * k[0] != 0) {
                ks.push(*k);
            }
            if ks.len() == 3 {
                break;
            }
        }
        let norms: Vec<f64> = ks
            .iter()
            .map(|k| (k[0] as f64).hypot(k[1] as f64))
            .collect();
        let (lo, hi) = norms
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), &n| (a.min(n), b.max(n)));
        eprintln!("{net}: active {active:.3}, wave-vectors {ks:?} |k| {norms:.3?}");
        let spread = num(&[tol[0], tol[1], "wavevector_norm_spread"]);
        assert!(hi / lo <= 1.0 + spread, "|k| {norms:?}");
        let r = &reference()["gc_velocity"]["tolerances"]["active_fraction"];
        let (amin, amax) = (r[0].as_f64().unwrap(), r[1].as_f64().unwrap());
        assert!(active >= amin && active <= amax, "active fraction {active}");
        // The three dominant peaks stand out from the rest of the spectrum.
        let third = spec.iter().find(|(_, k)| *k == ks[2]).unwrap().0;
        assert!(third > 0.2 * spec[0].0, "{spec:?}");
    }
}

#[test]
fn gcv_velocity_gain_isotropic() {
    let tol = |k: &str| num(&["gc_velocity", "tolerances", k]);
    let net = healed_bf();
    let mut gains = Vec::new();
    for k in 0..6 {
        let th = k as f64 * std::f64::consts::PI / 3.0 + 0.1;
        let v = [0.4 * th.cos(), 0.4 * th.sin()];
        let s = net.sheet_velocity(v, 2000).unwrap();
        let g = s[0].hypot(s[1]) / 0.4;
        let ang = angle_deg(s, v);
        eprintln!("v {v:.3?}: sheet {s:.2?} neurons/s, gain {g:.2}, angle {ang:.1} deg");
        // Parallel or anti-parallel.
        let off = ang.abs().min(180.0 - ang.abs());
        assert!(off < tol("angle_deg"), "angle {ang}");
        gains.push(g);
    }
    let mean = gains.iter().sum::<f64>() / 6.0;
    let sd = (gains.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / 6.0).sqrt();
    eprintln!("gain {mean:.2} neurons/m, CV {:.3}", sd / mean);
    assert!(sd / mean < tol("gain_cv"), "gains {gains:?}");
    // Linear: the gain at 0.2 m/s equals the gain at 0.4 m/s.
    let v = [0.2 * 0.1f64.cos(), 0.2 * 0.1f64.sin()];
    let s = net.sheet_velocity(v, 2000).unwrap();
    let g2 = s[0].hypot(s[1]) / 0.2;
    assert!(
        (g2 / gains[0] - 1.0).abs() < tol("linearity"),
        "{g2} vs {}",
        gains[0]
    );
}

#[test]
fn gcv_drift() {
    let d = healed_bf().sheet_velocity([0.0, 0.0], 2000).unwrap();
    let speed = d[0].hypot(d[1]);
    eprintln!("drift {speed:.4} neurons/s");
    assert!(speed < num(&["gc_velocity", "tolerances", "drift_neurons_per_s"]));
}

#[test]
fn gcv_gain_parity() {
    let tol = |k: &str| num(&["gc_velocity", "tolerances", k]);
    let net = healed_canns();
    let vs = [[0.4, 0.0], [0.0, 0.4], [-0.4, 0.0], [0.2, 0.3464]];
    let mut sheet = Vec::new();
    for v in vs {
        let s = net.sheet_velocity(v, 2000).unwrap();
        let g = s[0].hypot(s[1]) / 0.4;
        let ang = angle_deg(s, v);
        eprintln!("canns v {v:?}: gain {g:.2}, angle {ang:.1}");
        let r = &reference()["gc_velocity"]["tolerances"]["parity_gain"];
        assert!(
            g >= r[0].as_f64().unwrap() && g <= r[1].as_f64().unwrap(),
            "gain {g}"
        );
        assert!(180.0 - ang.abs() < tol("parity_angle_deg"), "angle {ang}");
        sheet.push(s);
    }
    let (_, sv) = velocity_map(&vs, &sheet).unwrap();
    assert!(sv[0] / sv[1] < tol("parity_sv_ratio"), "{sv:?}");
}

#[test]
fn gcv_heal_steps_param() {
    let mut net = GridCell2DVelocity::params().length(16).build().unwrap();
    let s = HealSchedule::canns_steps(1234);
    net.heal(&s).unwrap();
    assert_eq!(net.steps(), 1234);
    assert!((net.time() - 1234.0 * s.dt).abs() < 1e-9);
    // A schedule at another dt is honoured too.
    let mut s2 = HealSchedule::canns_steps(10);
    s2.dt = 2e-4;
    net.heal(&s2).unwrap();
    assert_eq!(net.steps(), 1244);
    assert!((net.time() - (1234.0e-4 + 10.0 * 2e-4)).abs() < 1e-9);
}

#[test]
fn gcv_aperiodic_sheet_forms_a_pattern_and_moves() {
    // On a 40 x 40 aperiodic sheet the pattern forms under the envelope and
    // moves along v. Its speed is not compared with the periodic sheet's:
    // the pattern is not commensurate with the sheet, so Fourier-phase
    // tracking at integer wave-vectors under-reads it and mis-points it:
    // over seeds 0-5 at 0.4 m/s along x or y the readout gave 0.35-1.8
    // neurons/s, within 45 degrees of v (3.7 neurons/s on a 64 x 64 sheet).
    let p = GridCell2DVelocity::params()
        .length(40)
        .boundary(canns::models::SheetBoundary::Aperiodic);
    let net = healed(p);
    let a = net.active_fraction();
    let s = net.sheet_velocity([0.4, 0.0], 1000).unwrap();
    let off = angle_deg(s, [1.0, 0.0]).abs();
    eprintln!("aperiodic: active {a:.3}, sheet {s:.2?}");
    assert!(a > 0.04 && a < 0.3, "active {a}");
    assert!(s[0].hypot(s[1]) > 0.25 && off < 50.0, "{s:?}");
}

#[test]
fn gcv_integrates_a_random_walk() {
    // The real-trajectory-style check on a short simulated walk: the sheet's
    // translation, divided by the measured gain, follows the path.
    let net0 = healed_bf();
    let gain = net0.measure_gain(0.4, 3, 1000).unwrap();
    let mut net = net0.clone();
    let hist = walk(1.0, 0.01, 1000, 0.15, 7);
    let run = net.run(&hist, gain, &[0, 1]).unwrap();
    let err = run.mean_error();
    let path: f64 = (1..hist.len())
        .map(|i| (hist.x[i] - hist.x[i - 1]).hypot(hist.y[i] - hist.y[i - 1]))
        .sum();
    eprintln!("gain {gain:.2}; mean error {err:.4} m over a {path:.2} m path");
    assert!(err < 0.1 * path.max(0.1), "{err} over {path}");
}

// ------------------------------------------------------------------------
// HierarchicalNetwork
// ------------------------------------------------------------------------

/// canns's initialisation: 400 steps anchored at strength 100, 100 free.
fn anchored(p: HierarchicalNetworkParams, at: [f64; 2]) -> HierarchicalNetwork {
    let mut net = p.build().unwrap();
    net.anchor(at, 400, 100.0).unwrap();
    net.anchor(at, 100, 0.0).unwrap();
    net
}

#[test]
fn hier_pi_error_and_band_drift() {
    // 200 s at dt 0.05 s in a 5 x 5 m box, at a constant 0.04 m/s (below
    // the speed limit of 0.064 m/s).
    let hist = walk_from(5.0, [2.5, 2.5], 0.05, 4000, 0.04, 0.0, 0);
    let mut net = anchored(HierarchicalNetwork::params(), [hist.x[0], hist.y[0]]);
    let run = net.run(&hist).unwrap();
    let n = run.t.len();
    let mean = run.mean_error(0, n);
    let (q1, q4) = (run.mean_error(0, n / 4), run.mean_error(3 * n / 4, n));
    let drift = run.band_drift().into_iter().fold(0.0, f64::max);
    eprintln!("hierarchical: mean error {mean:.4} m, quarters {q1:.4} / {q4:.4}, band drift {drift:.4} rad, {} violations", run.speed_violations);
    let tol = |k: &str| num(&["hierarchical", "tolerances", k]);
    assert_eq!(run.speed_violations, 0);
    assert!(mean < tol("mean_error_m"), "mean error {mean}");
    // The error fluctuates with heading (the grid bump trails its band
    // input) around the first quarter's 4-5 mm; the ratio is taken against
    // at least 7.5 mm so those fluctuations do not read as a trend.
    assert!(q4 < tol("quarter_ratio") * q1.max(0.0075), "{q1} -> {q4}");
    assert!(drift < tol("band_drift_rad"), "{:?}", run.band_drift());
}

#[test]
fn hier_speed_limit() {
    let p = HierarchicalNetwork::params().num_module(2).num_place(8);
    let limit = p.speed_limit_value();
    assert!((limit - 0.2 * 2.0 / (2.0 * std::f64::consts::PI)).abs() < 1e-12);
    let mut net = p.clone().build().unwrap();
    // Band 0 of each module points along -y: its phase speed is |v_y| 2 pi / spacing.
    net.update([0.0, 0.9 * limit], [0.0; 2], 0.0).unwrap();
    assert_eq!(net.speed_violations(), 0);
    net.update([0.0, 1.1 * limit], [0.0; 2], 0.0).unwrap();
    assert_eq!(net.speed_violations(), 1);
    let mut strict = p.speed_limit(SpeedLimit::Error).build().unwrap();
    let e = strict
        .update([0.0, 1.1 * limit], [0.0; 2], 0.0)
        .unwrap_err()
        .to_string();
    assert!(e.contains("speed") && e.contains("limit"), "{e}");
}

#[test]
fn hier_shapes() {
    let p = HierarchicalNetwork::params()
        .num_module(3)
        .num_place(20)
        .grid_num(16)
        .band_size(120);
    let hist = walk_from(5.0, [2.0, 3.0], 0.05, 600, 0.04, 0.0, 5);
    let mut net = anchored(p, [hist.x[0], hist.y[0]]);
    assert_eq!(net.grid_rates(2).unwrap().len(), 256);
    assert_eq!(net.band_rates(0, 1).unwrap().len(), 120);
    assert_eq!(net.place_rates().len(), 400);
    let run = net.run(&hist).unwrap();
    let err = run.mean_error(0, run.t.len());
    eprintln!("16^2 grid, 120 band cells, 3 modules: mean error {err:.4} m");
    assert!(err < 0.1, "{err}");
}

#[test]
fn hier_place_floor_bound() {
    // The default activity floor against the exact dense product, in lockstep
    // along a walk: every place input within the reported bound, the decoded
    // positions alike.
    let hist = walk_from(5.0, [2.5, 2.5], 0.05, 300, 0.04, 0.0, 3);
    let at = [hist.x[0], hist.y[0]];
    let p = HierarchicalNetwork::params().num_module(3).num_place(20);
    assert!(p.place_floor > 0.0);
    let mut fast = anchored(p.clone(), at);
    let mut exact = anchored(p.clone().place_floor(0.0), at);
    assert_eq!(exact.place_input_bound(), 0.0);
    let (mut worst, mut worst_bound, mut worst_decoded) = (0.0f64, 0.0f64, 0.0f64);
    for k in 0..hist.len() {
        let v = [hist.vx[k], hist.vy[k]];
        fast.update(v, at, 0.0).unwrap();
        exact.update(v, at, 0.0).unwrap();
        let bound = fast.place_input_bound();
        let max = exact.place_input().iter().copied().fold(0.0, f64::max);
        for (a, b) in fast.place_input().iter().zip(exact.place_input()) {
            assert!(
                (a - b).abs() <= bound * (1.0 + 1e-9) + 1e-12 * max,
                "step {k}: {a} vs {b}, bound {bound}"
            );
            worst = worst.max((a - b).abs() / max);
        }
        worst_bound = worst_bound.max(bound / max);
        let (d, e) = (fast.decoded(), exact.decoded());
        worst_decoded = worst_decoded.max((d[0] - e[0]).hypot(d[1] - e[1]));
    }
    eprintln!("place_floor {}: largest input error {worst:.2e} of the largest input (bound {worst_bound:.2e}), decoded positions within {worst_decoded:.2e} m", p.place_floor);
    assert!(worst_bound < 5e-3, "{worst_bound}");
    assert!(worst_decoded < 1e-3, "{worst_decoded}");
}

/// The Sargolini et al. (2006) trajectory against the hierarchical network's
/// speed limit: canns's defaults admit 0.064 m/s, the rat (resampled at the
/// network's dt of 0.05 s) reaches 0.82 m/s and is over the limit on about
/// three samples in four, so `run` refuses it under `SpeedLimit::Error` and
/// names the `band_gain` that would admit it; with that gain the check passes.
#[test]
fn hier_sargolini_speed_limit() {
    let traj = canns::spatial::Trajectory::load("sargolini").unwrap();
    let hist = traj.resample(0.05).unwrap();
    let fastest = (0..hist.len())
        .map(|k| hist.vx[k].hypot(hist.vy[k]))
        .fold(0.0, f64::max);
    let base = HierarchicalNetwork::params()
        .num_module(2)
        .num_place(10)
        .arena_size(1.0);
    let over = (0..hist.len())
        .filter(|&k| hist.vx[k].hypot(hist.vy[k]) > base.speed_limit_value())
        .count();
    let e = base
        .clone()
        .speed_limit(SpeedLimit::Error)
        .build()
        .unwrap()
        .run(&hist)
        .unwrap_err()
        .to_string();
    eprintln!(
        "{over} of {} samples over {:.4} m/s (fastest {fastest:.3} m/s): {e}",
        hist.len(),
        base.speed_limit_value()
    );
    assert!(over > hist.len() / 2, "{over}");
    let needed = 2.0 * std::f64::consts::PI * fastest / 2.0;
    assert!(
        e.contains(&format!("{fastest:.4} m/s"))
            && e.contains(&format!("band_gain >= {needed:.3}")),
        "{e}"
    );
    assert!(base
        .clone()
        .band_gain(needed * 1.001)
        .check_speed(fastest)
        .is_ok());
    assert!(base.band_gain(needed * 0.999).check_speed(fastest).is_err());
}

/// A running rat within the speed limit: the first 30 s of the Sargolini
/// trajectory (up to 0.6 m/s; the full 600 s reaches 0.82 m/s) through the
/// network on a time axis 16 times faster (`sped_up(16.0)`: `dt` 3.125 ms,
/// `band_gain` 3.2, `band_w_s2l` 1/16, time constants / 16; limit 1.02 m/s
/// at `spacing_min` 2 m), with place cells over the 1 m box. Under
/// `SpeedLimit::Error` no step is over the limit, the bands stay within a
/// few hundredths of a radian of the integrated phase (the unscaled
/// network, limit 0.064 m/s, drifts several times more on the same path),
/// and the decoding error stays bounded (the place cells' half-maximum
/// centroid over the small box limits it, not the integration). The 600 s numbers are in the README
/// (`cargo run --release --example hierarchical_sargolini`).
#[test]
fn hier_sargolini_sped_up_within_the_limit() {
    let hist = sargolini_first(30.0, 0.05);
    let at = [hist.x[0], hist.y[0]];
    let base = HierarchicalNetwork::params()
        .num_module(3)
        .num_place(20)
        .arena_size(1.0);
    let fast = base.clone().sped_up(16.0).speed_limit(SpeedLimit::Error);
    assert!(
        (fast.speed_limit_value() - 16.0 * 0.2 * 2.0 / (2.0 * std::f64::consts::PI)).abs() < 1e-12
    );
    let mut net = anchored(fast, at);
    let run = net.run(&hist).unwrap();
    let n = run.t.len();
    let e = run.errors();
    let (mean, max) = (run.mean_error(0, n), e.iter().copied().fold(0.0, f64::max));
    let last = run.mean_error(n - n / 10, n);
    let drift = run.band_drift().into_iter().fold(0.0, f64::max);
    let mut slow = anchored(base.speed_limit(SpeedLimit::Warn), at);
    let slow_run = slow.run(&hist).unwrap();
    let slow_drift = slow_run.band_drift().into_iter().fold(0.0, f64::max);
    eprintln!(
        "Sargolini 30 s sped up 16x: fastest {:.3} m/s, mean error {mean:.4} m, max {max:.4} m, last 3 s {last:.4} m, band drift {drift:.4} rad; unscaled: mean error {:.4} m, band drift {slow_drift:.4} rad, {} steps over",
        net.fastest_speed(),
        slow_run.mean_error(0, n),
        slow_run.speed_violations
    );
    assert_eq!(run.speed_violations, 0);
    assert!(net.fastest_speed() > 0.3, "{}", net.fastest_speed());
    assert!(
        mean < 0.1 && max < 0.25 && last < 0.15,
        "{mean} {max} {last}"
    );
    assert!(drift < 0.05, "{drift}");
    // The unscaled bands lag the rat's phase speeds.
    assert!(
        slow_run.speed_violations > n / 4,
        "{}",
        slow_run.speed_violations
    );
    assert!(slow_drift > 3.0 * drift, "{slow_drift} vs {drift}");
}

/// `hist` integrated by the healed Burak-Fiete sheet: the measured gain
/// (neurons/m), the path length (m), and the mean, largest and last-second
/// (100 samples) position errors (m).
fn integrate_with_healed_sheet(hist: &canns::spatial::History) -> (f64, f64, f64, f64, f64) {
    let net0 = healed_bf();
    let gain = net0.measure_gain(0.4, 6, 2000).unwrap();
    let mut net = net0.clone();
    let e = net.run(hist, gain, &[]).unwrap().errors();
    let n = e.len();
    let mean = e.iter().sum::<f64>() / n as f64;
    let last = e[n - 100..].iter().sum::<f64>() / 100.0;
    let max = e.iter().copied().fold(0.0, f64::max);
    let path: f64 = (1..n)
        .map(|i| (hist.x[i] - hist.x[i - 1]).hypot(hist.y[i] - hist.y[i - 1]))
        .sum();
    (gain, path, mean, max, last)
}

/// The first 60 s of the Sargolini trajectory integrated by the healed
/// Burak-Fiete sheet (120 000 steps of 0.5 ms; the full 600 s is
/// `gcv_sargolini_600s`, ignored by default for its minutes in the test
/// profile): the accumulated error stays bounded.
#[test]
fn gcv_sargolini_60s() {
    let hist = sargolini_first(60.0, 0.01);
    let (gain, path, mean, max, last) = integrate_with_healed_sheet(&hist);
    eprintln!(
        "Sargolini 60 s: gain {gain:.2} neurons/m, path {path:.1} m, mean error {mean:.4} m, max {max:.4} m, last 1 s {last:.4} m"
    );
    assert!(
        mean < 0.05 && max < 0.1 && last < 0.08,
        "{mean} {max} {last}"
    );
}

/// The 600 s Sargolini et al. (2006) trajectory integrated by the healed
/// Burak-Fiete sheet (1.2 million steps of 0.5 ms; minutes in the test
/// profile, so ignored by default: `gcv_integrates_a_random_walk` checks the
/// same property on a short walk). Measured: gain 83.5 neurons/m, a 73.5 m
/// path, mean error 0.044 m, error over the last second 0.030 m.
#[test]
#[ignore]
fn gcv_sargolini_600s() {
    let traj = canns::spatial::Trajectory::load("sargolini").unwrap();
    let hist = traj.resample(0.01).unwrap();
    let (gain, path, mean, _, last) = integrate_with_healed_sheet(&hist);
    eprintln!(
        "Sargolini 600 s: gain {gain:.2} neurons/m, path {path:.1} m, mean error {mean:.4} m, last 1 s {last:.4} m"
    );
    assert!(mean < 0.08 && last < 0.1, "{mean} {last}");
}

#[test]
fn cli_path_integrate_writes_report_data_and_params() {
    let dir = common::temp_dir("path-integrate");
    let out = dir.join("run");
    let o = common::canns_ok(&[
        "path-integrate",
        "--trajectory",
        "sargolini",
        "--model",
        "position",
        "--duration",
        "0.5",
        "--set",
        "length=20",
        "--out",
        out.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("mean error"), "{text}");
    for f in ["report.html", "path_integration.csv", "params.json"] {
        assert!(std::fs::metadata(out.join(f)).unwrap().len() > 0, "{f}");
    }
    let p = std::fs::read_to_string(out.join("params.json")).unwrap();
    assert!(p.contains("\"length\": 20"), "{p}");
    let bad = common::canns(&[
        "path-integrate",
        "--model",
        "hierarchical",
        "--set",
        "band_size=2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("band_size"));
}
