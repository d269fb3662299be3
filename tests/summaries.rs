//! Values that hold arrays print one short line with `{:?}`, so a notebook
//! cell ending in a tuple or a `Vec` of them stays readable.

use canns::prelude::*;
use canns::tda::{rips, RipsParams};

fn one_line(what: &str, s: String) {
    assert!(
        !s.contains('\n') && s.len() < 300,
        "{what}: {} chars: {}",
        s.len(),
        &s[..s.len().min(300)]
    );
}

#[test]
fn debug_is_a_one_line_summary() {
    let mut net = Cann1d::params().num(256).build().unwrap();
    let mut task = SmoothTracking::params()
        .keypoints(vec![vec![-1.0], vec![1.0]])
        .durations(vec![20.0])
        .build()
        .unwrap();
    let sim = simulate(&mut net, &mut task).unwrap();
    one_line("Simulation", format!("{:?}", vec![sim.clone(), sim]));
    one_line("Cann1d", format!("{:?}", (net.clone(), net)));
    let torus = Cann2d::params().length(32).build().unwrap();
    one_line("Cann2d", format!("{torus:?}"));

    let env = Environment::params().build().unwrap();
    one_line("Environment", format!("{env:?}"));
    let mut agent = Agent::params().dt(0.01).build(env).unwrap();
    agent.run(2000).unwrap();
    one_line("Agent", format!("{agent:?}"));
    let h = agent.history().clone();
    one_line("History", format!("{:?}", vec![h.clone(), h.clone()]));
    assert!(format!("{h:?}").starts_with("History(2000 steps"), "{h:?}");

    let traj = Trajectory::dataset("sargolini").unwrap();
    one_line("Trajectory", format!("{traj:?}"));

    let points = ndarray::Array2::from_shape_fn((60, 2), |(i, j)| {
        let a = i as f64 * std::f64::consts::TAU / 60.0;
        if j == 0 {
            a.cos()
        } else {
            a.sin()
        }
    });
    let d = rips(&points, &RipsParams::default()).unwrap();
    one_line("Diagrams", format!("{d:?}"));
}
