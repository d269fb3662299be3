//! One routine for each mechanism (Poisson sampling, smoothing in time,
//! rate maps, barcodes, behaviour at bin times): each unified routine gives
//! what the routines it replaced gave. Reference numbers were computed by the
//! previous routines (tests/fixtures/unified/previous.json).

mod common;
use canns::data::synthetic::{poisson_counts, poisson_spikes};
use canns::data::Recording;
use canns::ndarray::{s, Array2};
use canns::pipeline::{Activity, SignatureParams};
use common::{f64s, json_file};
use serde_json::Value;

fn previous() -> Value {
    json_file("tests/fixtures/unified/previous.json")
}

fn close(a: &[f64], b: &[f64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol * (1.0 + y.abs()),
            "{what}[{i}]: {x} vs previous {y}"
        );
    }
}

/// Smoothing in time: `BinnedSpikes::smooth` and the signature pipeline's
/// smoothing stage are one routine, and give the previous pipeline
/// smoothing's values on the real recording (wake, 0.1 s bins, sigma 0.2 s),
/// including a kernel far wider than the series.
#[test]
fn smoothing_gives_the_previous_values_on_a2929() {
    let want = &previous()["smooth_wake_0.1_sigma2"];
    let rec = Recording::dataset("A2929-200711").unwrap();
    let b = rec.bin_spikes(0.1, Some("wake")).unwrap();
    let binned = b.smooth(0.2).unwrap().counts;
    let mut sig = SignatureParams::default().smooth(0.2).sqrt(false);
    let activity = Activity::from_counts(b.counts.clone(), 0.1).unwrap();
    let staged = sig.rates(&activity);
    for (name, m) in [
        ("BinnedSpikes::smooth", &binned),
        ("Signature::rates", &staged),
    ] {
        let sums: Vec<f64> = m.columns().into_iter().map(|c| c.sum()).collect();
        let sq: Vec<f64> = m.columns().into_iter().map(|c| c.dot(&c)).collect();
        close(&sums, &f64s(&want["col_sums"]), 1e-12, name);
        close(&sq, &f64s(&want["col_sumsq"]), 1e-12, name);
        for (r, row) in want["rows_at"]
            .as_array()
            .unwrap()
            .iter()
            .zip(want["rows"].as_array().unwrap())
        {
            let r = r.as_u64().unwrap() as usize;
            close(&m.row(r).to_vec(), &f64s(row), 1e-12, name);
        }
    }
    // sigma = 10^6 bins over 300 bins: every bin is the column mean.
    let short = Activity::from_counts(b.counts.slice(s![..300, ..]).to_owned(), 0.1).unwrap();
    sig = sig.smooth(1e5);
    let wide = sig.rates(&short);
    close(
        &wide.row(0).to_vec(),
        &f64s(&want["huge_sigma_first300_row0"]),
        1e-9,
        "wide kernel",
    );
    let mean: Vec<f64> = short
        .counts
        .columns()
        .into_iter()
        .map(|c| c.mean().unwrap())
        .collect();
    close(
        &wide.row(299).to_vec(),
        &mean,
        1e-6,
        "wide kernel, last bin",
    );
}

/// The one Poisson sampler draws the pinned counts for the synthetic
/// populations and `poisson_counts` (same seeds, same numbers; pinned when
/// the sampler was unified, regenerated once for the Xoshiro256++ streams),
/// and its spike table matches the previous per-step spiking rule's totals
/// within Poisson noise (that rule drew one Bernoulli trial per step).
#[test]
fn poisson_sampler_gives_the_previous_counts() {
    let want = previous();
    let rates = Array2::from_shape_fn((500, 4), |(i, u)| {
        [0.0, 3.0, 20.0, 80.0][u] * (1.0 + (i as f64 * 0.05).sin())
    });
    let c = poisson_counts(&rates.view(), 0.1, 7).unwrap();
    let sums: Vec<f64> = c.columns().into_iter().map(|c| c.sum()).collect();
    let w = &want["poisson_counts_seed7"];
    assert_eq!(sums, f64s(&w["col_sums"]));
    for (i, row) in w["rows"].as_array().unwrap().iter().enumerate() {
        assert_eq!(c.row(i).to_vec(), f64s(row));
    }
    // The old path still reaches the same routine.
    let old_path = canns::pipeline::synthetic::poisson_counts(&rates.view(), 0.1, 7).unwrap();
    assert_eq!(old_path, c);

    let hd = canns::pipeline::synthetic::head_direction_cells(300, 6, 0).unwrap();
    let sums: Vec<f64> = hd.counts.columns().into_iter().map(|c| c.sum()).collect();
    let w = &want["head_direction_cells_300_6_0"];
    assert_eq!(sums, f64s(&w["col_sums"]));
    let angle: f64 = hd.angle.as_ref().unwrap().iter().sum();
    assert!((angle - w["angle_sum"].as_f64().unwrap()).abs() < 1e-9);

    // The grid population now walks the spatial module's agent through its
    // grid cells (it had a walk and a tuning of its own): its positions are
    // the agent's, its counts those cells' rates through the same sampler.
    use canns::spatial::{Agent, BoundaryConditions, Environment};
    let gc = canns::pipeline::synthetic::grid_cells(2000, 3, 0.4, 0).unwrap();
    let env = Environment::params()
        .boundary_conditions(BoundaryConditions::Periodic)
        .build()
        .unwrap();
    let mut agent = Agent::params()
        .dt(0.1)
        .speed_mean(0.25)
        .seed(0)
        .build(env)
        .unwrap();
    agent.run(2000).unwrap();
    assert_eq!(gc.position.as_ref().unwrap(), &agent.history().positions());
    let sums: Vec<f64> = gc.counts.columns().into_iter().map(|c| c.sum()).collect();
    let previous = f64s(&want["grid_cells_200_3_0.4_0"]["col_sums"]);
    assert_eq!(sums.len(), previous.len());
    // Every phase is visited: each cell fires, at a few Hz on average.
    assert!(sums.iter().all(|&s| s > 200.0 && s < 8000.0), "{sums:?}");
    // 2, 10 and 40 Hz for 200 s in 10 ms steps.
    let flat = Array2::from_shape_fn((20_000, 3), |(_, u)| [2.0, 10.0, 40.0][u]);
    let t: Vec<f64> = (0..20_000).map(|i| i as f64 * 0.01).collect();
    let sp = poisson_spikes(&flat.view(), &t, 0.01, 1).unwrap();
    let units = sp.column("unit").unwrap().u32().unwrap().clone();
    let mut per = [0.0f64; 3];
    for u in units.into_no_null_iter() {
        per[u as usize] += 1.0;
    }
    let old = f64s(&want["poisson_spikes_2_10_40hz_200s_seed1"]["per_cell"]);
    for (u, expected) in [400.0f64, 2000.0, 8000.0].iter().enumerate() {
        let sd = expected.sqrt();
        assert!(
            (per[u] - expected).abs() < 4.0 * sd,
            "cell {u}: {} vs {expected}",
            per[u]
        );
        assert!(
            (per[u] - old[u]).abs() < 4.0 * std::f64::consts::SQRT_2 * sd,
            "cell {u}: {} vs previous {}",
            per[u],
            old[u]
        );
    }
    // The spatial path is the same routine.
    let again = canns::spatial::poisson_spikes(&flat.view(), &t, 0.01, 1).unwrap();
    assert!(again.equals(&sp));
}

/// One barcode: the signature result draws the diagrams' own bars (same
/// births, deaths and rows as `Diagrams::plot_barcode` lays them, from H1
/// up, longest first) and adds its shuffle band on those rows.
#[test]
fn signature_barcode_extends_the_diagrams_barcode() {
    let act = canns::pipeline::synthetic::head_direction_cells(1500, 8, 2).unwrap();
    let r = SignatureParams::head_direction()
        .n_points(150)
        .n_shuffles(5)
        .run(&act)
        .unwrap();
    let traces = |fig: &canns::display::Figure| -> Vec<Value> {
        let v: Value = serde_json::from_str(&fig.plot().to_json()).unwrap();
        v["data"].as_array().unwrap().clone()
    };
    let nums = |v: &Value| -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap_or(f64::NAN))
            .collect()
    };
    let sig = traces(&r.plot_barcode());
    let own = traces(&r.diagrams.plot_barcode());
    let top = r.diagrams.threshold;
    for d in 1..r.diagrams.pairs.len() {
        let name = format!("H{d}");
        let find = |ts: &[Value]| {
            ts.iter()
                .find(|t| t["name"] == name.as_str())
                .cloned()
                .unwrap()
        };
        let (s, o) = (find(&sig), find(&own));
        let want: Vec<f64> = r
            .diagrams
            .longest(d, 15)
            .iter()
            .flat_map(|p| [p.0, p.1.min(top), f64::NAN])
            .collect();
        let sx = nums(&s["x"]);
        assert_eq!(sx.len(), want.len(), "{name}");
        for (a, b) in sx.iter().zip(&want) {
            assert!(a == b || (a.is_nan() && b.is_nan()), "{name}: {a} vs {b}");
        }
        // The diagrams' barcode draws every bar of the dimension, the same longest first.
        let ox = nums(&o["x"]);
        assert!(ox.len() >= sx.len());
        assert!(ox
            .iter()
            .zip(&sx)
            .all(|(a, b)| a == b || (a.is_nan() && b.is_nan())));
    }
    let band = sig
        .iter()
        .find(|t| t["name"].as_str().unwrap().starts_with("shuffle band"));
    let band = band.expect("a shuffle band over the bars");
    let h1 = sig.iter().find(|t| t["name"] == "H1").unwrap();
    // The first band segment sits 0.3 above the first H1 bar, from its birth.
    assert_eq!(nums(&band["y"])[0], nums(&h1["y"])[0] + 0.3);
    assert_eq!(nums(&band["x"])[0], nums(&h1["x"])[0]);
}

/// One rule for the behaviour of a time bin: the signature pipeline's
/// `Activity::from_recording` labels bins exactly as decoding's `resample`
/// does (the mean over the bin), where it used to interpolate at the bin
/// centre; on the real recording the two rules differ by 0.2 degrees in
/// the median (wake, 0.1 s bins), so earlier results stand.
#[test]
fn behaviour_at_bin_times_is_one_rule_on_a2929() {
    use canns::data::col;
    let rec = Recording::dataset("A2929-200711")
        .unwrap()
        .select_units("location", "adn")
        .unwrap();
    let a = Activity::from_recording(&rec, 0.1, Some("wake")).unwrap();
    let b = rec.bin_spikes(0.1, Some("wake")).unwrap();
    let (t, hd) = rec.channel_values(col::HEAD_DIRECTION).unwrap();
    let decoding = canns::analysis::resample(&t, &hd, &b.centres, 0.1, true);
    let angle = a.angle.as_ref().unwrap();
    assert_eq!(angle.len(), decoding.len());
    assert!(angle
        .iter()
        .zip(&decoding)
        .all(|(x, y)| x == y || (x.is_nan() && y.is_nan())));
    // Against the interpolation at the centres the pipeline used before:
    // a bin partly tracked keeps a label now.
    let centre = rec.behaviour_at(col::HEAD_DIRECTION, &b.centres).unwrap();
    let tracked = |v: &[f64]| v.iter().filter(|v| v.is_finite()).count();
    assert!(tracked(angle) >= tracked(&centre) && tracked(angle) > angle.len() * 4 / 5);
    let mut d: Vec<f64> = angle
        .iter()
        .zip(&centre)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| {
            ((x - y + std::f64::consts::PI).rem_euclid(std::f64::consts::TAU)
                - std::f64::consts::PI)
                .abs()
        })
        .collect();
    d.sort_by(f64::total_cmp);
    let median = d[d.len() / 2].to_degrees();
    assert!(median < 1.0, "median difference {median} degrees");
    println!(
        "median |mean over bin - value at centre| = {median:.2} degrees over {} bins",
        d.len()
    );
}

/// One rate-map type: a population's maps over an environment are the
/// analyses' `RateMap`s of shape `(n_y, n_x)`, with the previous values
/// (default grid cells and five place cells, 5 cm bins), and their grid
/// scores are those the previous route (rebuilding a `RateMap` by hand)
/// gave.
#[test]
fn population_rate_maps_are_the_analysis_rate_maps() {
    use canns::spatial::{Environment, GridCells, PlaceCells};
    let want = previous();
    let env = Environment::params().build().unwrap();
    let g = GridCells::params()
        .build(&env)
        .unwrap()
        .rate_maps(0.05)
        .unwrap();
    let p = PlaceCells::params()
        .n(5)
        .build(&env)
        .unwrap()
        .rate_maps(0.05)
        .unwrap();
    for (maps, cell, key) in [
        (&g, 0, "grid_cells_default_map0_dx0.05"),
        (&p, 3, "place_cells_5_map3_dx0.05"),
    ] {
        let m = maps.rate_map(cell).unwrap();
        let rows = want[key].as_array().unwrap();
        assert_eq!(
            m.rates.dim(),
            (rows.len(), rows[0].as_array().unwrap().len())
        );
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(m.rates.row(i).to_vec(), f64s(row), "{key} row {i}");
        }
        assert_eq!(m.extent, [0.0, 1.0, 0.0, 1.0]);
        assert!(m.occupancy.iter().all(|&o| o == 1.0));
    }
    let scores = g.grid_scores();
    close(
        &scores[..5],
        &f64s(&want["grid_cells_default_grid_scores_0_5"]),
        1e-12,
        "grid scores",
    );
    // The 0.3 m module (cells 0..10) is a clear grid in a 1 m box.
    assert!(scores[..10].iter().all(|s| *s > 1.0), "{scores:?}");
    // Place cells are no grid.
    assert!(p.grid_scores().iter().all(|s| s.is_nan() || *s < 0.5));
    assert!(g.rate_map(g.n_cells()).is_err());
}
