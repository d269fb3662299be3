//! canns's hierarchical path-integration example at full length: an agent
//! walking at 0.04 m/s in a 5 x 5 m box for a million steps of 0.05 s
//! (about 14 hours of simulated time) through `HierarchicalNetwork` with
//! 5 modules and 30^2 place cells, with progress on the terminal; prints the
//! decoding error, the band drift and the wall time.
//!
//! `cargo run --release --example hierarchical_long [steps]` (default 1000000)

use canns::models::HierarchicalNetwork;
use canns::spatial::{Agent, Environment};
use std::time::Instant;

fn main() -> canns::Result<()> {
    let steps: usize = match std::env::args().nth(1) {
        Some(s) => s
            .parse()
            .map_err(|_| canns::ParamError::new("steps", "a positive integer", &s))?,
        None => 1_000_000,
    };
    let mut agent = Agent::params()
        .dt(0.05)
        .speed_mean(0.04)
        .speed_std(0.0)
        .start_position(Some(vec![2.5, 2.5]))
        .seed(0)
        .build(Environment::rectangle(5.0, 5.0)?)?;
    agent.run(steps)?;
    let t0 = Instant::now();
    let mut net = HierarchicalNetwork::params().build()?;
    net.anchor([2.5, 2.5], 400, 100.0)?;
    net.anchor([2.5, 2.5], 100, 0.0)?;
    let run = net.run(agent.history())?;
    let wall = t0.elapsed().as_secs_f64();
    let n = run.t.len();
    let drift = run.band_drift().into_iter().fold(0.0, f64::max);
    println!(
        "{n} steps in {wall:.1} s ({:.4} ms per step): mean error {:.4} m (first tenth {:.4}, last tenth {:.4}), largest band drift {drift:.4} rad, {} steps over the speed limit",
        wall / (n + 500) as f64 * 1e3,
        run.mean_error(0, n),
        run.mean_error(0, n / 10),
        run.mean_error(n - n / 10, n),
        run.speed_violations
    );
    Ok(())
}
