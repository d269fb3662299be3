//! Boundary vector cells against RatInABox 1.15.3
//! (fixture from scripts/reference/bvc_reference.py).

use canns::spatial::*;
use serde_json::Value;
use std::f64::consts::PI;

fn fixture() -> Value {
    let s = std::fs::read_to_string("tests/fixtures/navigation/bvc.json").expect("fixture");
    serde_json::from_str(&s).expect("valid JSON")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

fn cells(f: &Value, env: &Environment) -> BoundaryVectorCells {
    let deg = PI / 180.0;
    BoundaryVectorCells::params()
        .tuning_distances(Some(floats(&f["tuning_distance"])))
        .tuning_angles(Some(
            floats(&f["tuning_angle_degrees"])
                .iter()
                .map(|a| a * deg)
                .collect(),
        ))
        .sigma_angles(Some(
            floats(&f["sigma_angle_degrees"])
                .iter()
                .map(|a| a * deg)
                .collect(),
        ))
        .dtheta_degrees(f["dtheta_degrees"].as_f64().expect("dtheta"))
        .build(env)
        .expect("valid cells")
}

fn environment(walls: &Value) -> Environment {
    let walls: Vec<Segment> = serde_json::from_value(walls.clone()).expect("walls");
    Environment::params()
        .walls(walls)
        .build()
        .expect("valid box")
}

#[test]
fn rates_equal_ratinabox_on_the_same_rays() {
    let f = fixture();
    for (name, e) in f["environments"].as_object().expect("environments") {
        let env = environment(&e["walls"]);
        let bvc = cells(&f, &env);
        for (s, s_ref) in bvc
            .sigma_distances()
            .iter()
            .zip(floats(&f["sigma_distance"]))
        {
            assert!((s - s_ref).abs() < 1e-12);
        }
        let positions: Vec<Vec<f64>> = serde_json::from_value(e["positions"].clone()).unwrap();
        let uniform: Vec<Vec<f64>> = serde_json::from_value(e["rates_uniform"].clone()).unwrap();
        let released: Vec<Vec<f64>> = serde_json::from_value(e["rates"].clone()).unwrap();
        let mut worst = 0.0f64;
        let mut worst_same = 0.0f64;
        for ((p, r_u), r_rel) in positions.iter().zip(&uniform).zip(&released) {
            let ours = bvc.rates_at(p);
            for (i, ((a, b), c)) in ours.iter().zip(r_u).zip(r_rel).enumerate() {
                // RatInABox jitters wall ends by 1e-9 m: rates agree to ~1e-8.
                assert!((a - b).abs() < 1e-6, "{name} {p:?} cell {i}: {a} vs {b}");
                // The released rays hold 0 deg twice and miss 358 deg: one
                // ray's weight (at most 1) over the normalisation, plus the
                // normalisation's own change, bounds the difference.
                let sig = bvc.sigma_angles()[i];
                let kappa = 1.0 / (sig * sig);
                let step = 2.0 * PI / 180.0;
                let norm: f64 = (0..180)
                    .map(|k| (kappa * ((k as f64 * step).cos() - 1.0)).exp())
                    .sum();
                let phi = bvc.tuning_angles()[i];
                let w0 = (kappa * ((-phi).cos() - 1.0)).exp();
                let w358 = (kappa * ((-step - phi).cos() - 1.0)).exp();
                let dn = 1.0 - (kappa * (step.cos() - 1.0)).exp();
                let tol = (w0.max(w358) + dn) / norm + 1e-6;
                assert!(
                    (a - c).abs() <= tol,
                    "{name} {p:?} cell {i}: {a} vs {c} (tol {tol})"
                );
                worst = worst.max((a - c).abs());
                worst_same = worst_same.max((a - b).abs());
            }
        }
        println!(
            "{name}: worst |canns - RatInABox| = {worst_same:.2e} on the same rays, {worst:.2e} vs the released rays"
        );
    }
}

#[test]
fn walls_shade_and_rates_stay_in_range() -> canns::Result<()> {
    let env = Environment::params()
        .walls(vec![[[0.3, 0.5], [0.8, 0.5]]])
        .build()?;
    let open = Environment::params().build()?;
    // Prefers a boundary 0.1 m north.
    let make = |env: &Environment| {
        BoundaryVectorCells::params()
            .tuning_distances(Some(vec![0.1]))
            .tuning_angles(Some(vec![PI / 2.0]))
            .sigma_angles(Some(vec![0.2]))
            .max_fr(5.0)
            .build(env)
    };
    let (walled, bare) = (make(&env)?, make(&open)?);
    // Just below the extra wall: it fires there, and not in the open box.
    assert!(walled.rates_at(&[0.5, 0.4])[0] > 2.0);
    assert!(bare.rates_at(&[0.5, 0.4])[0] < 1e-3);
    let maps = walled.rate_maps(0.05)?;
    assert_eq!(maps.rates.dim(), (1, 20, 20));
    assert!(maps.rates.iter().all(|&r| (0.0..=5.0).contains(&r)));
    let pos = open.sample_positions(100, 3);
    let rates = walled.rates(&pos.view())?;
    assert_eq!(rates.dim(), (100, 1));
    let t: Vec<f64> = (0..100).map(|i| i as f64 * 0.1).collect();
    let spikes = poisson_spikes(&rates.view(), &t, 0.1, 1)?;
    // Poisson counts with mean sum(rate * dt).
    let expected = rates.sum() * 0.1;
    let got = spikes.height() as f64;
    assert!(
        (got - expected).abs() <= 4.0 * expected.sqrt() + 1.0,
        "{got} vs {expected}"
    );
    // Default cells: RatInABox's distributions, seeded.
    let a = BoundaryVectorCells::params().n(20).seed(4).build(&open)?;
    let b = BoundaryVectorCells::params().n(20).seed(4).build(&open)?;
    assert_eq!(a, b);
    assert!(a
        .tuning_distances()
        .iter()
        .all(|d| (0.05..=0.3).contains(d)));
    Ok(())
}

#[test]
fn bad_parameters_are_errors() -> canns::Result<()> {
    let env = Environment::params().build()?;
    let periodic = Environment::params()
        .boundary_conditions(BoundaryConditions::Periodic)
        .build()?;
    assert!(BoundaryVectorCells::params().build(&periodic).is_err());
    let e = BoundaryVectorCells::params()
        .tuning_distances(Some(vec![0.1, 0.2]))
        .tuning_angles(Some(vec![0.0]))
        .build(&env)
        .unwrap_err();
    assert!(e.to_string().contains("tuning_angles"), "{e}");
    let e = BoundaryVectorCells::params()
        .dtheta_degrees(0.0)
        .build(&env)
        .unwrap_err();
    assert!(e.to_string().contains("dtheta_degrees"), "{e}");
    let e = BoundaryVectorCells::params()
        .sigma_angles(Some(vec![-1.0]))
        .build(&env)
        .unwrap_err();
    assert!(e.to_string().contains("sigma_angles[0]"), "{e}");
    Ok(())
}
