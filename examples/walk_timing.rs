//! Timing of the navigation workloads the comparison script runs against
//! RatInABox and canns-lib: prints one JSON line per workload.
//!
//! `cargo run --release --example walk_timing [walk|cells]` (both by default)

use canns::spatial::{Agent, Environment, GridCells, PlaceCells};
use std::time::Instant;

fn main() -> canns::Result<()> {
    let which = std::env::args().nth(1).unwrap_or_default();
    let env = Environment::params().build()?;
    if which != "cells" {
        // 10^6 steps with history, dt 0.01 s, 1 m solid box, default parameters;
        // then the history as a polars DataFrame.
        let (mut best, mut best_frame) = (f64::INFINITY, f64::INFINITY);
        for seed in 0..5 {
            let t0 = Instant::now();
            let mut a = Agent::params().dt(0.01).seed(seed).build(env.clone())?;
            a.run(1_000_000).expect("fits");
            let run = t0.elapsed().as_secs_f64();
            let df = a.history_frame()?;
            best = best.min(run);
            best_frame = best_frame.min(t0.elapsed().as_secs_f64());
            assert_eq!(df.height(), 1_000_000);
        }
        println!("{{\"workload\":\"walk_1e6\",\"seconds\":{best}}}");
        println!("{{\"workload\":\"walk_1e6_frame\",\"seconds\":{best_frame}}}");
    }
    if which != "walk" {
        let pos = env.sample_positions(100_000, 2);
        let pc = PlaceCells::params().n(100).build(&env)?;
        let gc = GridCells::params().n(100).build(&env)?;
        let mut best = f64::INFINITY;
        for _ in 0..5 {
            let t0 = Instant::now();
            let p = pc.rates(&pos.view())?;
            let q = gc.rates(&pos.view())?;
            best = best.min(t0.elapsed().as_secs_f64());
            assert_eq!(p.dim(), q.dim());
        }
        println!("{{\"workload\":\"cells_100p_100g_1e5\",\"seconds\":{best}}}");
    }
    Ok(())
}
