//! Navigation parity with RatInABox 1.15.3 (fixtures written by
//! scripts/reference/ratinabox_reference.py).
//!
//! Random motion: our agent and RatInABox's run with the same settings
//! (default parameters, dt = 0.01 s, 1 m box); their series are compared as
//! samples of the same stationary process. Consecutive steps are strongly
//! correlated, so every tolerance uses the effective sample size
//! `n / τ_int`, with `τ_int` the integrated autocorrelation time that the
//! reference script estimates from RatInABox's series (under the hypothesis
//! being tested, both series share it):
//! * means agree within 5 combined standard errors
//!   `sqrt(σ²_a τ/n_a + σ²_b τ/n_b)`;
//! * at each reference quantile `q_p`, our fraction of samples below `q_p`
//!   is `p` within 5 standard errors `sqrt(p(1-p) τ (1/n_a + 1/n_b))`;
//! * the two-sample Kolmogorov-Smirnov distance between the binned
//!   distributions is below the α = 0.001 critical value
//!   `1.95 sqrt(τ (1/n_a + 1/n_b))`;
//! * speed and rotational velocity are Ornstein-Uhlenbeck processes of
//!   coherence times 0.7 s and 0.08 s: the autocorrelation time of their
//!   indicator series (quantiles, KS) is at least that of an AR(1) process
//!   with `φ = 1 - dt/τ`, `(1 + φ)/(1 - φ) ≈ 2τ/dt`, which floors `τ_int`
//!   (wall bounces make the rotational velocity's own `τ_int` small);
//! * occupancy of a 10 x 10 grid agrees per cell within 5 standard errors
//!   (using the τ of the x coordinate).
//!
//! Cells: place (every field shape), grid (both shapes) and head-direction
//! rates equal RatInABox's to 1e-9 at the fixture's positions.

use canns::spatial::*;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let p = format!(
        "{}/tests/fixtures/navigation/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&p).expect("fixture exists")).expect("valid JSON")
}

/// `2τ/dt` for the speed (τ = 0.7 s) and rotational velocity (τ = 0.08 s) at dt = 0.01 s.
const SPEED_TAU: f64 = 140.0;
const ROT_TAU: f64 = 16.0;

fn f(v: &Value) -> f64 {
    v.as_f64().expect("number")
}

fn mean_std(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / n;
    (m, v.sqrt())
}

/// Checks one series against its reference summary; returns a report line.
fn compare(name: &str, ours: &[f64], r: &Value, tau_floor: f64) -> String {
    let (n_a, n_b) = (ours.len() as f64, f(&r["n"]));
    let tau = f(&r["tau_int"]).max(tau_floor).max(1.0);
    let (m, s) = mean_std(ours);
    let (rm, rs) = (f(&r["mean"]), f(&r["std"]));
    let se = (s * s * tau / n_a + rs * rs * tau / n_b).sqrt();
    assert!(
        (m - rm).abs() < 5.0 * se,
        "{name}: mean {m} vs RatInABox {rm} (5 se = {})",
        5.0 * se
    );
    // Standard deviations: the relative standard error of a deviation is about
    // sqrt(τ / 2n) for near-Gaussian data; allow 5 of them plus 10% for heavy tails.
    let rel = (tau / (2.0 * n_a)).sqrt() + (tau / (2.0 * n_b)).sqrt();
    assert!(
        (s - rs).abs() < (5.0 * rel + 0.1) * rs,
        "{name}: std {s} vs RatInABox {rs}"
    );
    let mut sorted = ours.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let frac_below = |q: f64| sorted.partition_point(|&v| v < q) as f64 / n_a;
    for (p, q) in r["quantiles"].as_object().unwrap() {
        let p: f64 = p.parse().unwrap();
        let se = (p * (1.0 - p) * tau * (1.0 / n_a + 1.0 / n_b)).sqrt();
        let got = frac_below(f(q));
        assert!(
            (got - p).abs() < 5.0 * se + 1e-4,
            "{name}: F(q_{p}) = {got}, expected {p} within {}",
            5.0 * se
        );
    }
    let h = &r["hist"];
    let (lo, hi, bins) = (
        f(&h["lo"]),
        f(&h["hi"]),
        h["bins"].as_u64().unwrap() as usize,
    );
    let counts: Vec<f64> = h["counts"].as_array().unwrap().iter().map(f).collect();
    let mut cdf_b = f(&h["below"]);
    let mut ks: f64 = 0.0;
    for (i, c) in counts.iter().enumerate() {
        cdf_b += c;
        let edge = lo + (i + 1) as f64 * (hi - lo) / bins as f64;
        ks = ks.max((frac_below(edge) - cdf_b / n_b).abs());
    }
    let crit = 1.95 * (tau * (1.0 / n_a + 1.0 / n_b)).sqrt();
    assert!(ks < crit, "{name}: KS distance {ks} >= critical {crit}");
    format!("{name}: mean {m:.5} (ref {rm:.5}, se {se:.1e}), std {s:.5} (ref {rs:.5}), KS {ks:.4} < {crit:.4}")
}

fn run_walk(boundary: BoundaryConditions, n: usize, seed: u64) -> Agent {
    let env = Environment::params()
        .boundary_conditions(boundary)
        .build()
        .unwrap();
    let mut agent = Agent::params().dt(0.01).seed(seed).build(env).unwrap();
    agent.run(n).unwrap();
    agent
}

#[test]
fn random_walk_in_a_solid_box_matches_ratinabox() {
    let r = fixture("walk_solid.json");
    let n = r["n_steps"].as_u64().unwrap() as usize;
    let agent = run_walk(BoundaryConditions::Solid, n, 11);
    let h = agent.history();
    let env = agent.environment();
    let dist: Vec<f64> =
        h.x.iter()
            .zip(&h.y)
            .map(|(x, y)| env.distance_to_walls(&[*x, *y]))
            .collect();
    let mut report = vec![
        compare("speed", &h.speed(), &r["speed"], SPEED_TAU),
        compare(
            "rotational_velocity",
            &h.rotational_velocity,
            &r["rotational_velocity"],
            ROT_TAU,
        ),
        compare("distance_to_wall", &dist, &r["distance_to_wall"], 1.0),
        compare("x", &h.x, &r["x"], 1.0),
        compare("y", &h.y, &r["y"], 1.0),
    ];
    // Occupancy of a 10 x 10 grid.
    let tau = f(&r["x"]["tau_int"]).max(f(&r["y"]["tau_int"]));
    let n_b = f(&r["n_steps"]);
    let mut occ = [[0.0; 10]; 10];
    for (x, y) in h.x.iter().zip(&h.y) {
        occ[((x * 10.0) as usize).min(9)][((y * 10.0) as usize).min(9)] += 1.0 / n as f64;
    }
    let mut worst: f64 = 0.0;
    for (i, row) in r["occupancy_10x10"].as_array().unwrap().iter().enumerate() {
        for (j, p) in row.as_array().unwrap().iter().enumerate() {
            let p = f(p);
            let se = (p * (1.0 - p) * tau * (1.0 / n as f64 + 1.0 / n_b)).sqrt();
            let z = (occ[i][j] - p).abs() / se;
            worst = worst.max(z);
            assert!(
                z < 5.0,
                "occupancy[{i}][{j}] = {} vs RatInABox {p} ({z:.1} se)",
                occ[i][j]
            );
        }
    }
    report.push(format!("occupancy: worst cell {worst:.2} se"));
    eprintln!("{}", report.join("\n"));
}

#[test]
fn random_walk_in_a_periodic_box_matches_ratinabox() {
    let r = fixture("walk_periodic.json");
    let n = r["n_steps"].as_u64().unwrap() as usize;
    let agent = run_walk(BoundaryConditions::Periodic, n, 12);
    let h = agent.history();
    compare("speed", &h.speed(), &r["speed"], SPEED_TAU);
    compare(
        "rotational_velocity",
        &h.rotational_velocity,
        &r["rotational_velocity"],
        ROT_TAU,
    );
    compare("x", &h.x, &r["x"], 1.0);
    compare("y", &h.y, &r["y"], 1.0);
}

#[test]
fn the_comparison_rejects_a_different_agent() {
    // The same checks fail for an agent twice as fast: the tolerances are tight enough to matter.
    let r = fixture("walk_solid.json");
    let env = Environment::params().build().unwrap();
    let mut agent = Agent::params()
        .dt(0.01)
        .speed_mean(0.16)
        .seed(3)
        .build(env)
        .unwrap();
    agent.run(200_000).unwrap();
    let res = std::panic::catch_unwind(|| {
        compare("speed", &agent.history().speed(), &r["speed"], SPEED_TAU)
    });
    assert!(res.is_err());
}

fn rates_close(ours: &ndarray::Array2<f64>, reference: &Value, what: &str) {
    let rows = reference.as_array().unwrap();
    assert_eq!(rows.len(), ours.nrows(), "{what}: rows");
    for (i, row) in rows.iter().enumerate() {
        for (j, v) in row.as_array().unwrap().iter().enumerate() {
            let d = (ours[[i, j]] - f(v)).abs();
            assert!(
                d < 1e-9,
                "{what}: rate[{i}][{j}] = {} vs RatInABox {}",
                ours[[i, j]],
                f(v)
            );
        }
    }
}

#[test]
fn cell_rates_equal_ratinabox() {
    let r = fixture("cells.json");
    let env = Environment::params().build().unwrap();
    let pos: Vec<f64> = r["positions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p.as_array().unwrap().iter().map(f))
        .collect();
    let pos = ndarray::Array2::from_shape_vec((pos.len() / 2, 2), pos).unwrap();
    let pair = |v: &Value| -> Vec<[f64; 2]> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| [f(&p[0]), f(&p[1])])
            .collect()
    };
    for pc in r["place"].as_array().unwrap() {
        let desc: PlaceField = serde_json::from_value(pc["description"].clone()).unwrap();
        let cells = PlaceCells::params()
            .description(desc)
            .widths(f(&pc["width"]))
            .centres(Some(pair(&pc["centres"])))
            .build(&env)
            .unwrap();
        rates_close(
            &cells.rates(&pos.view()).unwrap(),
            &pc["rates"],
            &format!("place {desc:?}"),
        );
    }
    for gc in r["grid"].as_array().unwrap() {
        let desc: GridField = serde_json::from_value(gc["description"].clone()).unwrap();
        let list = |v: &Value| v.as_array().unwrap().iter().map(f).collect::<Vec<_>>();
        let cells = GridCells::params()
            .n(list(&gc["gridscale"]).len())
            .description(desc)
            .gridscale(list(&gc["gridscale"]))
            .orientation(list(&gc["orientation"]))
            .phase_offset(Some(pair(&gc["phase_offset"])))
            .width_ratio(f(&gc["width_ratio"]))
            .build(&env)
            .unwrap();
        rates_close(
            &cells.rates(&pos.view()).unwrap(),
            &gc["rates"],
            &format!("grid {desc:?}"),
        );
    }
    let hd = &r["hd"];
    let cells = HeadDirectionCells::params()
        .n(hd["n"].as_u64().unwrap() as usize)
        .angular_spread_degrees(f(&hd["angular_spread_degrees"]))
        .build()
        .unwrap();
    for (a, b) in cells
        .preferred_angles()
        .iter()
        .zip(hd["preferred_angles"].as_array().unwrap())
    {
        assert!((a - f(b)).abs() < 1e-12);
    }
    let angles: Vec<f64> = hd["angles"].as_array().unwrap().iter().map(f).collect();
    rates_close(&cells.rates(&angles), &hd["rates"], "head direction");
}

#[test]
fn real_trajectories_load_and_resample() {
    let s = Trajectory::dataset("sargolini").unwrap();
    assert_eq!(s.len(), 29_800);
    assert!((s.duration() - 599.64).abs() < 1e-6, "{}", s.duration());
    let h = s.resample(0.01).unwrap();
    assert_eq!(h.len(), (s.duration() / 0.01).floor() as usize + 1);
    // The spline passes through the samples.
    let t = s.times();
    let p = s.position_at(t[100]);
    assert!((p[0] - s.coordinate(0)[100]).abs() < 1e-12);
    let env = s.environment().unwrap();
    assert_eq!((env.width(), env.height()), (1.0, 1.0));
    let mean_speed = h.speed().iter().sum::<f64>() / h.len() as f64;
    assert!(mean_speed > 0.05 && mean_speed < 0.3, "{mean_speed}");
    let tanni = Trajectory::dataset("tanni").unwrap();
    assert_eq!(tanni.len(), 219_670);
    let env = tanni.environment().unwrap();
    assert_eq!((env.width(), env.height()), (4.0, 3.0));
}

#[test]
fn agent_follows_an_imported_trajectory() {
    let s = Trajectory::dataset("sargolini").unwrap();
    let env = s.environment().unwrap();
    let mut agent = Agent::params().dt(0.05).build(env).unwrap();
    agent.import_trajectory(s.clone()).unwrap();
    agent.run(200).unwrap();
    let h = agent.history();
    let p = s.position_at(h.t[150]);
    assert!((h.x[150] - p[0]).abs() < 1e-12 && (h.y[150] - p[1]).abs() < 1e-12);
}

#[test]
fn history_frame_has_named_columns() {
    let agent = run_walk(BoundaryConditions::Solid, 100, 1);
    let df = agent.history_frame().unwrap();
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "t",
            "x",
            "y",
            "vx",
            "vy",
            "head_direction",
            "speed",
            "rotational_velocity",
            "distance_travelled"
        ]
    );
    assert_eq!(df.height(), 100);
}

#[test]
fn spikes_are_seeded() {
    let env = Environment::params().build().unwrap();
    let agent = run_walk(BoundaryConditions::Solid, 2000, 2);
    let pc = PlaceCells::params().n(5).max_fr(20.0).build(&env).unwrap();
    let rates = pc.rates(&agent.history().positions().view()).unwrap();
    let a = poisson_spikes(&rates.view(), &agent.history().t, 0.01, 9).unwrap();
    let b = poisson_spikes(&rates.view(), &agent.history().t, 0.01, 9).unwrap();
    assert!(a.equals(&b));
    assert!(a.height() > 0);
}
