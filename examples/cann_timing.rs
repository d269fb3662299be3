//! End-to-end timing of the workloads the comparison script runs against the
//! Python `canns` package: prints one JSON line per workload.
//!
//! `cargo run --release --example cann_timing [cann1d|cann2d]` (both by default)

use canns::prelude::*;
use std::time::Instant;

fn main() -> Result<()> {
    let which = std::env::args().nth(1).unwrap_or_default();
    if which != "cann2d" {
        cann1d()?;
    }
    if which != "cann1d" {
        cann2d()?;
    }
    Ok(())
}

fn cann1d() -> Result<()> {
    // CANN1D: 512 neurons, 10^4 steps of smooth tracking (input generation included).
    let t0 = Instant::now();
    let mut net = Cann1d::params().num(512).build()?;
    let mut task = SmoothTracking::params()
        .keypoints(vec![vec![0.0], vec![3.0]])
        .durations(vec![1000.0])
        .build()?;
    let sim = simulate_with(&mut net, &mut task, &SimOptions::default())?;
    let s1 = t0.elapsed().as_secs_f64();
    println!(
        "{{\"workload\":\"cann1d_512_10k\",\"seconds\":{s1},\"steps\":{}}}",
        sim.n_steps()
    );
    Ok(())
}

fn cann2d() -> Result<()> {
    // CANN2D: 100 x 100 neurons, 10^3 steps (build and input included).
    let t0 = Instant::now();
    let mut net = Cann2d::params().length(100).build()?;
    let mut task = SmoothTracking::params()
        .keypoints(vec![vec![0.0, 0.0], vec![1.0, 1.0]])
        .durations(vec![100.0])
        .build()?;
    let opts = SimOptions {
        record_every: 10,
        ..SimOptions::default()
    };
    let sim = simulate_with(&mut net, &mut task, &opts)?;
    let s2 = t0.elapsed().as_secs_f64();
    println!(
        "{{\"workload\":\"cann2d_100x100_1k\",\"seconds\":{s2},\"steps\":{}}}",
        sim.n_steps()
    );
    Ok(())
}
