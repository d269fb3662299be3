//! The code of notebooks/05_navigation.ipynb, cell by cell (kept in step with
//! it), so the notebook's claims are checked by `cargo test`.

use canns::prelude::*;

#[test]
fn notebook_05_navigation() -> Result<()> {
    // An environment.
    let env = Environment::params()
        .walls(vec![[[0.5, 0.0], [0.5, 0.6]]])
        .holes(vec![vec![
            [0.7, 0.7],
            [0.85, 0.7],
            [0.85, 0.85],
            [0.7, 0.85],
        ]])
        .objects(vec![vec![0.85, 0.2]])
        .build()?;
    assert_eq!(env.walls().len(), 4 + 1 + 4);
    let bad = Environment::params()
        .walls(vec![[[0.5, 0.5], [1.5, 0.5]]])
        .build();
    assert!(bad.unwrap_err().to_string().contains("walls[0]"));
    let _ = env.bundle();

    // Random motion and its statistics against RatInABox.
    let box1 = Environment::params().build()?;
    let mut agent = Agent::params().dt(0.01).seed(11).build(box1.clone())?;
    agent.run(1_000_000)?;
    assert_eq!(agent.history().len(), 1_000_000);
    let r: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/navigation/walk_solid.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let (ms, rs, md) = (
        r["speed"]["mean"].as_f64().unwrap(),
        r["rotational_velocity"]["std"].as_f64().unwrap(),
        r["distance_to_wall"]["mean"].as_f64().unwrap(),
    );
    let (speed_mean, rot_std, wall_mean) = {
        let h = agent.history();
        let s = h.speed();
        let n = s.len() as f64;
        let speed_mean = s.iter().sum::<f64>() / n;
        let rm = h.rotational_velocity.iter().sum::<f64>() / n;
        let rot_std = (h
            .rotational_velocity
            .iter()
            .map(|r| (r - rm) * (r - rm))
            .sum::<f64>()
            / n)
            .sqrt();
        let wall_mean =
            h.x.iter()
                .zip(&h.y)
                .map(|(x, y)| box1.distance_to_walls(&[*x, *y]))
                .sum::<f64>()
                / n;
        (speed_mean, rot_std, wall_mean)
    };
    assert!((speed_mean - ms).abs() < 0.003, "{speed_mean} vs {ms}");
    assert!((rot_std - rs).abs() / rs < 0.08, "{rot_std} vs {rs}");
    assert!((wall_mean - md).abs() < 0.01, "{wall_mean} vs {md}");
    let _ = agent.plot_histograms();
    let _ = agent.plot_position_heatmap(0.05)?;
    let df = agent.history_frame()?;
    assert_eq!(df.width(), 9);

    // In the environment with walls.
    let mut explorer = Agent::params().dt(0.02).seed(2).build(env.clone())?;
    explorer.run(20_000)?;
    let inside = explorer
        .history()
        .x
        .iter()
        .zip(&explorer.history().y)
        .all(|(x, y)| env.contains(&[*x, *y]));
    assert!(inside);
    let _ = explorer.bundle();

    // A real trajectory.
    let sarg = Trajectory::dataset("sargolini")?;
    assert_eq!(sarg.len(), 29_800);
    let real = sarg.resample(0.02)?;
    let real_speed = real.speed().iter().sum::<f64>() / real.len() as f64;
    assert!(real_speed > 0.05 && real_speed < 0.3);
    let _ = sarg.bundle();

    // Spatial cells.
    let pc = PlaceCells::params()
        .n(50)
        .widths(0.15)
        .seed(1)
        .build(&box1)?;
    let maps = pc.rate_maps(0.02)?;
    assert_eq!(maps.rates.dim(), (50, 50, 50));
    let _ = maps.bundle();
    let gc = GridCells::params().n(30).build(&box1)?;
    let gmaps = gc.rate_maps(0.02)?;
    let peak = gmaps.rates.iter().cloned().fold(0.0, f64::max);
    assert!(peak > 0.99 && peak <= 1.0);
    let hd = HeadDirectionCells::params()
        .n(8)
        .angular_spread_degrees(30.0)
        .build()?;
    assert!((hd.rates_at(0.0)[0] - 1.0).abs() < 1e-12);
    let _ = hd.bundle();
    let spikes = {
        let h = explorer.history();
        let rates = PlaceCells::params()
            .n(20)
            .max_fr(10.0)
            .seed(3)
            .build(&env)?
            .rates(&h.positions().view())?;
        poisson_spikes(&rates.view(), &h.t, 0.02, 5)?
    };
    assert!(spikes.height() > 100);

    // The agent moving.
    let mut short = Agent::params().dt(0.05).seed(4).build(env.clone())?;
    short.run(1200)?;
    let anim = short.animate(120);
    assert!(anim.plot().to_json().matches("\"name\":\"").count() > 100);

    // Closed loop.
    let start = Agent::params()
        .dt(0.02)
        .seed(1)
        .start_position(Some(vec![0.2, 0.2]))
        .build(env.clone())?;
    let mut task = ClosedLoopNavigation::params()
        .goals(vec![vec![0.2, 0.8], vec![0.4, 0.4]])
        .build(start)?;
    task.run(6000);
    assert!(task.goals_reached().len() >= 2);
    let _ = task.bundle();
    let open = OpenLoopNavigation::random(box1.clone(), AgentParams::default().dt(0.01), 20.0)?;
    assert_eq!(open.n_steps(), 2000);
    let _ = open.bundle();
    Ok(())
}
