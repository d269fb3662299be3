//! Mirrors the new sections of notebook 07: the real ADn ring of
//! A2929-200711 and the grid-cell torus (the notebook's code, cell by cell).

use canns::prelude::*;

/// Grid phase (rad) of the positions `xy` (m) at the rows `rows`, along the lattice direction
/// at `angle` (rad) of a module with spacing `scale` (m).
fn grid_phase(
    xy: &canns::ndarray::Array2<f64>,
    rows: &[usize],
    scale: f64,
    angle: f64,
) -> Vec<f64> {
    let k = std::f64::consts::TAU / scale;
    rows.iter()
        .map(|&i| {
            (k * (xy[[i, 0]] * angle.cos() + xy[[i, 1]] * angle.sin()))
                .rem_euclid(std::f64::consts::TAU)
        })
        .collect()
}

#[test]
fn notebook_07_real_ring_and_grid_torus() -> canns::Result<()> {
    use canns::pipeline::Statistic;
    let adn = Recording::dataset("A2929-200711")?.select_units("location", "adn")?;
    let wake = Activity::from_recording(&adn, 0.1, Some("wake"))?;
    let adn_ring = SignatureParams::head_direction()
        .smooth(0.2)
        .n_points(500)
        .n_shuffles(20)
        .run(&wake)?;
    let adn_cmp = adn_ring.comparison.clone().unwrap();
    println!("{adn_ring}");
    println!("longest H1 bar: death/birth {:.2}, shuffle band {:.2} ({:.2} x band; next bar {:.2} x band)",
        adn_ring.statistics(1)[0], adn_ring.band[1],
        adn_ring.relative_persistence(1, 0), adn_ring.relative_persistence(1, 1));
    println!(
        "decoded vs head direction: r = {:.3}, mean error {:.1} deg over {} bins",
        adn_cmp.correlation,
        adn_cmp.mean_abs_error.to_degrees(),
        adn_cmp.n
    );
    assert_eq!(wake.n_units(), 7);
    assert_eq!(adn_ring.n_significant(1), 1);
    assert!(adn_ring.relative_persistence(1, 0) > 1.2);
    assert!(adn_ring.relative_persistence(1, 1) < 0.9);
    assert!(adn_cmp.correlation > 0.8);
    assert!(!adn_ring.bundle().html.is_empty());
    let adn_raw = SignatureParams::head_direction()
        .smooth(0.2)
        .n_points(500)
        .n_shuffles(20)
        .statistic(Statistic::Lifetime)
        .run(&wake)?;
    println!(
        "raw lifetime {:.3} against a shuffle band of {:.3}: {} significant H1 bar(s)",
        adn_raw.lifetimes(1)[0],
        adn_raw.band[1],
        adn_raw.n_significant(1)
    );
    assert_eq!(adn_raw.n_significant(1), 0);
    use canns::pipeline::synthetic::poisson_counts;
    use canns::spatial::{GridCells, GridField, Trajectory};
    let traj = Trajectory::dataset("sargolini")?;
    let walk = traj.resample(0.1)?;
    let module = GridCells::params()
        .n(100)
        .gridscale(vec![0.4])
        .orientation(vec![0.0])
        .description(GridField::ShiftedCosines)
        .max_fr(20.0)
        .build(&traj.environment()?)?;
    let xy = canns::ndarray::Array2::from_shape_fn((walk.t.len(), 2), |(i, j)| {
        if j == 0 {
            walk.x[i]
        } else {
            walk.y[i]
        }
    });
    let grid_counts = poisson_counts(&module.rates(&xy.view())?.view(), 0.1, 7)?;
    let grid_activity = Activity::from_counts(grid_counts, 0.1)?.with_position(xy.clone())?;
    let torus = SignatureParams::head_direction()
        .smooth(0.2)
        .active_fraction(1.0)
        .pca(Some(6))
        .n_points(200)
        .maxdim(2)
        .n_classes(2)
        .n_shuffles(20)
        .statistic(Statistic::Universal)
        .run(&grid_activity)?;
    println!("{torus}");
    println!(
        "H1: {:.2} and {:.2} x band, third bar {:.2} x band; H2: {:.2} x band, second {:.2} x band",
        torus.relative_persistence(1, 0),
        torus.relative_persistence(1, 1),
        torus.relative_persistence(1, 2),
        torus.relative_persistence(2, 0),
        torus.relative_persistence(2, 1)
    );
    assert_eq!(torus.n_significant(1), 2);
    assert_eq!(torus.n_significant(2), 1);
    assert!(!torus.bundle().html.is_empty());
    use canns::analysis::compare_angles;
    let mut matched = Vec::new();
    for c in 0..2 {
        let decoded = torus.coords.column(c).to_vec();
        let (best, r) = (0..3)
            .map(|j| {
                (
                    j,
                    compare_angles(
                        &decoded,
                        &grid_phase(&xy, &torus.kept, 0.4, j as f64 * std::f64::consts::PI / 3.0),
                    )
                    .unwrap()
                    .correlation,
                )
            })
            .fold((0, 0.0), |acc, x| if x.1 > acc.1 { x } else { acc });
        println!(
            "toroidal coordinate {}: phase along {} degrees, circular correlation {r:.3}",
            c + 1,
            60 * best
        );
        assert!(r > 0.9);
        matched.push(best);
    }
    assert_ne!(matched[0], matched[1]);
    Ok(())
}
