//! Parity with the Python `canns` package (fixtures made by
//! `scripts/reference/cann_reference.py`, canns 1.5.0 in float64).
//!
//! Two comparisons per case:
//! - "exact": canns run on this crate's neuron grid (-pi + i 2pi/N). The
//!   dynamics are then the same equations on the same grid, so the synaptic
//!   input `u` must agree to rounding (1e-9).
//! - "canns": canns on its own grid, linspace(-pi, pi, N), where two neurons
//!   sit at the same point. Its spacing is 2pi/(N-1) instead of 2pi/N (a
//!   relative difference of 1/N) and the recurrent sum counts one point
//!   twice, so bump statistics differ by O(1/N): we allow 2/N relative on
//!   height and width and one neuron spacing (2pi/N) on the centre. The
//!   measured worst differences are far inside these bounds (height 3e-5
//!   relative for N = 512, 6e-3 for N = 32; centre below 3e-5 rad).

use canns::prelude::*;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/cann/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture exists"))
        .expect("fixture is JSON")
}

fn series(v: &Value, grid: &str, key: &str) -> Vec<Option<f64>> {
    v[grid][key]
        .as_array()
        .expect("array")
        .iter()
        .map(Value::as_f64)
        .collect()
}

struct Ours {
    sim: Simulation,
}

impl Ours {
    fn stat(&self, key: &str) -> Vec<f64> {
        match key {
            "centre_1" => self.sim.centre.column(0).to_vec(),
            "centre_2" => self.sim.centre.column(1).to_vec(),
            "height" => self.sim.height.clone(),
            "width" => self.sim.width.clone(),
            _ => unreachable!("known statistic"),
        }
    }
}

fn run(name: &str) -> (Value, Ours) {
    let fx = fixture(name);
    let task_v = &fx["task"];
    let f = |k: &str| task_v[k].as_f64().unwrap();
    let vecf = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect::<Vec<_>>()
    };
    let mut task: Box<dyn Task> = if task_v.get("keypoints").is_some() {
        let kp = task_v["keypoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(vecf)
            .collect();
        Box::new(
            SmoothTracking::params()
                .keypoints(kp)
                .durations(vecf(&task_v["durations"]))
                .build()
                .unwrap(),
        )
    } else {
        Box::new(
            PopulationCoding::params()
                .position(vecf(&task_v["position"]))
                .before(f("before"))
                .duration(f("duration"))
                .after(f("after"))
                .build()
                .unwrap(),
        )
    };
    let mut model: Box<dyn FeatureMap> = if fx["dim"] == 1 {
        let p = if fx["model"]["sfa"] == true {
            Cann1dParams::sfa()
        } else {
            Cann1dParams::default()
        };
        Box::new(
            p.num(fx["model"]["num"].as_u64().unwrap() as usize)
                .build()
                .unwrap(),
        )
    } else {
        Box::new(
            Cann2d::params()
                .length(fx["model"]["length"].as_u64().unwrap() as usize)
                .build()
                .unwrap(),
        )
    };
    let sim = simulate(model.as_mut(), task.as_mut()).unwrap();
    assert_eq!(
        sim.n_steps() as u64,
        fx["n_steps"].as_u64().unwrap(),
        "{name}: step count"
    );
    (fx, Ours { sim })
}

fn keys(fx: &Value) -> Vec<&'static str> {
    if fx["dim"] == 1 {
        vec!["centre_1", "height", "width"]
    } else {
        vec!["centre_1", "centre_2", "height", "width"]
    }
}

fn check_exact(name: &str) {
    let (fx, ours) = run(name);
    // u at checkpoints, to rounding.
    for (step, u_ref) in fx["exact_u"].as_object().unwrap() {
        let s: usize = step.parse().unwrap();
        let u_ref: Vec<f64> = u_ref
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let u = ours.sim.u.row(s);
        let scale = u_ref.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        let worst = u
            .iter()
            .zip(&u_ref)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(
            worst < 1e-9 * scale,
            "{name}: u at step {s} differs by {worst:e}"
        );
    }
    for key in keys(&fx) {
        let want = series(&fx, "exact", key);
        let got = ours.stat(key);
        for (s, (w, g)) in want.iter().zip(&got).enumerate() {
            match w {
                None => assert!(
                    !g.is_finite() || key == "height",
                    "{name} {key} step {s}: canns has none, we have {g}"
                ),
                Some(w) => {
                    let d = if key.starts_with("centre") {
                        canns::space::angle_diff(*g, *w).abs()
                    } else {
                        (g - w).abs()
                    };
                    assert!(
                        d < 1e-8 * w.abs().max(1.0),
                        "{name} {key} step {s}: {g} vs canns {w}"
                    );
                }
            }
        }
    }
}

fn check_canns_grid(name: &str, n: usize) {
    let (fx, ours) = run(name);
    let rel = 2.0 / n as f64;
    let spacing = canns::space::TWO_PI / n as f64;
    let mut worst = std::collections::BTreeMap::new();
    for key in keys(&fx) {
        let want = series(&fx, "canns", key);
        let got = ours.stat(key);
        // Compare once the bump is formed (height above 10% of its final value).
        let h_end = *ours.sim.height.last().unwrap();
        for (s, (w, g)) in want.iter().zip(&got).enumerate() {
            let Some(w) = w else { continue };
            if ours.sim.height[s] < 0.1 * h_end {
                continue;
            }
            let (d, tol) = if key.starts_with("centre") {
                (canns::space::angle_diff(*g, *w).abs(), spacing)
            } else {
                ((g - w).abs() / w.abs(), rel)
            };
            let e = worst.entry(key).or_insert(0.0f64);
            *e = e.max(d);
            assert!(
                d < tol,
                "{name} {key} step {s}: {g} vs canns {w} (diff {d:e} > {tol:e})"
            );
        }
    }
    println!("{name}: worst differences on canns's own grid: {worst:?}");
}

#[test]
fn population_coding_1d_matches_canns_exactly_on_the_same_grid() {
    check_exact("population_coding_1d");
}

#[test]
fn tracking_1d_matches_canns_exactly_on_the_same_grid() {
    check_exact("tracking_1d");
}

#[test]
fn sfa_tracking_1d_matches_canns_exactly_on_the_same_grid() {
    check_exact("sfa_tracking_1d");
}

#[test]
fn population_coding_2d_matches_canns_exactly_on_the_same_grid() {
    check_exact("population_coding_2d");
}

#[test]
fn bump_statistics_match_canns_on_its_own_grid() {
    check_canns_grid("population_coding_1d", 512);
    check_canns_grid("tracking_1d", 512);
    check_canns_grid("sfa_tracking_1d", 512);
    check_canns_grid("population_coding_2d", 32);
}
