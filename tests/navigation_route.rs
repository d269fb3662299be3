//! Route planning: shortest paths around walls and holes, checked against
//! hand-computed lengths, and the closed loop following them.

use canns::spatial::*;
use canns::tasks::ClosedLoopNavigation;
use canns::Error;

type P = [f64; 2];

fn hypot(a: f64, b: f64) -> f64 {
    a.hypot(b)
}

/// Whether segments `a` and `b` share a point (closed segments).
fn touch(a: [P; 2], b: [P; 2]) -> bool {
    let cross = |o: P, p: P, q: P| (p[0] - o[0]) * (q[1] - o[1]) - (p[1] - o[1]) * (q[0] - o[0]);
    let on = |o: P, p: P, q: P| {
        q[0] >= o[0].min(p[0])
            && q[0] <= o[0].max(p[0])
            && q[1] >= o[1].min(p[1])
            && q[1] <= o[1].max(p[1])
    };
    let d1 = cross(b[0], b[1], a[0]);
    let d2 = cross(b[0], b[1], a[1]);
    let d3 = cross(a[0], a[1], b[0]);
    let d4 = cross(a[0], a[1], b[1]);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    (d1 == 0.0 && on(b[0], b[1], a[0]))
        || (d2 == 0.0 && on(b[0], b[1], a[1]))
        || (d3 == 0.0 && on(a[0], a[1], b[0]))
        || (d4 == 0.0 && on(a[0], a[1], b[1]))
}

fn polyline_length(w: &[P]) -> f64 {
    w.windows(2)
        .map(|s| hypot(s[1][0] - s[0][0], s[1][1] - s[0][1]))
        .sum()
}

#[test]
fn length_around_a_wall_is_the_analytic_one() -> canns::Result<()> {
    let env = Environment::params()
        .walls(vec![[[0.5, 0.0], [0.5, 0.7]]])
        .build()?;
    for c in [0.05, 0.1] {
        let planner = RoutePlanner::params().clearance(c).build(&env)?;
        assert_eq!(planner.nodes(), &[[0.5, 0.7 + c]]);
        let route = planner.route(&[0.25, 0.2], &[0.75, 0.2])?;
        let expected = 2.0 * hypot(0.25, 0.5 + c);
        assert!((route.length() - expected).abs() < 1e-9, "{route}");
        assert_eq!(route.waypoints().len(), 3);
        assert!((polyline_length(route.waypoints()) - expected).abs() < 1e-9);
    }
    // In sight: the straight line.
    let planner = RoutePlanner::params().build(&env)?;
    let route = planner.route(&[0.25, 0.8], &[0.75, 0.9])?;
    assert_eq!(route.waypoints(), &[[0.25, 0.8], [0.75, 0.9]]);
    assert!((route.length() - hypot(0.5, 0.1)).abs() < 1e-12);
    Ok(())
}

#[test]
fn holes_are_routed_around() -> canns::Result<()> {
    let hole = vec![[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.6]];
    let env = Environment::params().holes(vec![hole]).build()?;
    let c = 0.05;
    let planner = RoutePlanner::params().clearance(c).build(&env)?;
    // Four convex corners, pushed out diagonally.
    assert_eq!(planner.nodes().len(), 4);
    let route = planner.route(&[0.2, 0.5], &[0.8, 0.5])?;
    let s = c / 2f64.sqrt();
    let expected = 2.0 * hypot(0.2 - s, 0.1 + s) + 0.2 + 2.0 * s;
    assert!(
        (route.length() - expected).abs() < 1e-9,
        "{} vs {expected}",
        route.length()
    );
    assert_eq!(route.waypoints().len(), 4);
    // The diagonal through two corners grazes the hole: not a route.
    let route = planner.route(&[0.3, 0.3], &[0.7, 0.7])?;
    assert!(route.waypoints().len() > 2);
    assert!(route.length() > hypot(0.4, 0.4) + 1e-3);
    Ok(())
}

#[test]
fn random_routes_never_cross_a_wall() -> canns::Result<()> {
    let hole = vec![[0.55, 0.55], [0.8, 0.6], [0.7, 0.85], [0.6, 0.75]];
    let env = Environment::params()
        .scale(1.0)
        .aspect(1.5)
        .walls(vec![
            [[0.3, 0.0], [0.3, 0.6]],
            [[0.3, 0.8], [0.9, 0.8]],
            [[1.1, 1.0], [1.1, 0.2]],
            [[1.1, 0.2], [0.8, 0.2]],
        ])
        .holes(vec![hole.clone()])
        .build()?;
    let planner = RoutePlanner::params().clearance(0.04).build(&env)?;
    let starts = env.sample_positions(1000, 11);
    let goals = env.sample_positions(1000, 12);
    let mut bent = 0;
    for k in 0..1000 {
        let (s, g) = (starts.row(k), goals.row(k));
        let route = planner.route(&[s[0], s[1]], &[g[0], g[1]])?;
        let w = route.waypoints();
        assert_eq!(w[0], [s[0], s[1]]);
        assert_eq!(w[w.len() - 1], [g[0], g[1]]);
        assert!((polyline_length(w) - route.length()).abs() < 1e-9);
        assert!(route.length() >= hypot(g[0] - s[0], g[1] - s[1]) - 1e-12);
        bent += usize::from(w.len() > 2);
        for leg in w.windows(2) {
            for wall in env.walls() {
                assert!(
                    !touch([leg[0], leg[1]], *wall),
                    "route {k} leg {leg:?} touches wall {wall:?}"
                );
            }
            let mid = [0.5 * (leg[0][0] + leg[1][0]), 0.5 * (leg[0][1] + leg[1][1])];
            assert!(env.contains(&mid), "route {k} leaves the environment");
        }
    }
    // The obstacles matter: many routes bend.
    assert!(bent > 200, "{bent} bent routes");
    Ok(())
}

#[test]
fn unreachable_goal_is_an_error() -> canns::Result<()> {
    let pen = vec![
        [[0.6, 0.6], [0.9, 0.6]],
        [[0.9, 0.6], [0.9, 0.9]],
        [[0.9, 0.9], [0.6, 0.9]],
        [[0.6, 0.9], [0.6, 0.6]],
    ];
    let env = Environment::params().walls(pen).build()?;
    let planner = RoutePlanner::params().build(&env)?;
    match planner.route(&[0.2, 0.2], &[0.75, 0.75]) {
        Err(Error::Param(e)) => assert_eq!(e.field, "goal", "{e}"),
        other => panic!("expected a parameter error, got {other:?}"),
    }
    // Inside the pen, the goal is reachable.
    assert!(planner.route(&[0.7, 0.7], &[0.75, 0.8]).is_ok());
    match planner.route(&[1.2, 0.2], &[0.75, 0.75]) {
        Err(Error::Param(e)) => assert_eq!(e.field, "start", "{e}"),
        other => panic!("expected a parameter error, got {other:?}"),
    }
    let agent = Agent::params()
        .start_position(Some(vec![0.2, 0.2]))
        .build(env.clone())?;
    let err = ClosedLoopNavigation::params()
        .goals(vec![vec![0.3, 0.3], vec![0.75, 0.75]])
        .build(agent.clone())
        .unwrap_err();
    assert!(err.to_string().contains("goals[1]"), "{err}");
    // Without planning the goal is accepted (and pressed against).
    assert!(ClosedLoopNavigation::params()
        .goals(vec![vec![0.75, 0.75]])
        .plan_routes(false)
        .build(agent.clone())
        .is_ok());
    assert!(RoutePlanner::params().clearance(0.0).build(&env).is_err());
    assert!(ClosedLoopNavigation::params()
        .goals(vec![vec![0.3, 0.3]])
        .clearance(f64::NAN)
        .build(agent)
        .is_err());
    Ok(())
}

#[test]
fn periodic_routes_wrap_round() -> canns::Result<()> {
    let env = Environment::params()
        .boundary_conditions(BoundaryConditions::Periodic)
        .walls(vec![[[0.5, 0.0], [0.5, 0.8]]])
        .build()?;
    let planner = RoutePlanner::params().clearance(0.05).build(&env)?;
    // Both ends are free on the torus (the wall spans y in [0, 0.8]).
    assert_eq!(planner.nodes().len(), 2);
    let route = planner.route(&[0.3, 0.1], &[0.7, 0.1])?;
    // Down across the bottom edge, round the wall's lower end.
    let expected = 2.0 * hypot(0.2, 0.15);
    assert!((route.length() - expected).abs() < 1e-9, "{route}");
    let w = route.waypoints();
    assert!(
        (w[1][0] - 0.5).abs() < 1e-12 && (w[1][1] + 0.05).abs() < 1e-12,
        "{w:?}"
    );
    // Across the top edge: the goal's copy above the box.
    let route = planner.route(&[0.3, 0.9], &[0.7, 0.2])?;
    let end = route.waypoints()[route.waypoints().len() - 1];
    assert!(
        (end[0] - 0.7).abs() < 1e-12 && (end[1] - 1.2).abs() < 1e-12,
        "{route:?}"
    );
    // 1D: the shorter way round the ring.
    let ring = Environment::params()
        .dimensionality(Dimensionality::D1)
        .boundary_conditions(BoundaryConditions::Periodic)
        .build()?;
    let route = RoutePlanner::params().build(&ring)?.route(&[0.1], &[0.9])?;
    assert!((route.length() - 0.2).abs() < 1e-12);
    Ok(())
}

/// A wall nearly closing the box between the agent and its goal.
fn walled() -> (Environment, Agent) {
    let env = Environment::params()
        .walls(vec![[[0.5, 0.0], [0.5, 0.9]]])
        .build()
        .expect("valid geometry");
    let agent = Agent::params()
        .dt(0.05)
        .start_position(Some(vec![0.25, 0.2]))
        .build(env.clone())
        .expect("valid agent");
    (env, agent)
}

#[test]
fn closed_loop_reaches_a_goal_behind_a_wall() -> canns::Result<()> {
    let budget = 600; // 30 s; the route is 1.58 m, about 11 s at 0.15 m/s.
    for seed in 0..3 {
        let (_, agent) = walled();
        let agent = Agent::params()
            .seed(seed)
            .dt(0.05)
            .start_position(Some(vec![0.25, 0.2]))
            .build(agent.environment().clone())?;
        let goal = vec![vec![0.75, 0.2]];
        let mut planned = ClosedLoopNavigation::params()
            .goals(goal.clone())
            .cycle(false)
            .build(agent.clone())?;
        let route = planned.route().expect("a route to the goal");
        assert!(route.length() > 1.5);
        planned.run(budget);
        assert_eq!(planned.goals_reached().len(), 1, "seed {seed}");
        assert!(planned.goals_reached()[0].0 < budget as f64 * 0.05);
        let mut straight = ClosedLoopNavigation::params()
            .goals(goal)
            .cycle(false)
            .plan_routes(false)
            .build(agent)?;
        straight.run(budget);
        assert!(
            straight.goals_reached().is_empty(),
            "seed {seed}: straight drift reached the goal"
        );
        // The plot shows the route.
        let json = planned.plot().to_json();
        assert!(
            !json.contains("\"route\""),
            "no route once the goal is reached"
        );
        let json = straight.plot().to_json();
        assert!(json.contains("goals"));
    }
    let (_, agent) = walled();
    let task = ClosedLoopNavigation::params()
        .goals(vec![vec![0.75, 0.2]])
        .build(agent)?;
    assert!(task.plot().to_json().contains("\"route\""));
    Ok(())
}
