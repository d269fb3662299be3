//! Parameter sweeps: the cost of a sweep's bookkeeping next to the runs.
//!
//! `cargo bench --bench sweep`
//!
//! On one thread, to separate overhead from parallel speed-up:
//! - `bare_run`: one `Cann1d` (512 neurons) tracking run of 10^3 steps, built
//!   and run by hand with the metrics a sweep computes;
//! - `sweep_in_memory_16`: 16 such runs through `Sweep::run` (grid lookup,
//!   parameters set by name, rows, DataFrame);
//! - `sweep_to_parquet_16`: the same 16 runs into a Parquet dataset
//!   (`Sweep::run_into`: part files, resume check, merge).
//!
//! - `bare_run_one_step` and `sweep_to_parquet_16_one_step`: the same with
//!   one-step runs, whose difference is the sweep's own cost per run
//!   without the noise of 10^3-step runs on a shared machine.
//!
//! Overhead per run = (sweep_to_parquet_16_one_step / 16 - bare_run_one_step)
//! / bare_run; the target is under 1%. The runs-per-second figure on every core comes from the
//! command line (see the README's "Parameter sweeps").

use canns::pipeline::sweep::{Axis, Metric, Shard, Sweep};
use canns::pipeline::ShowProgress;
use canns::prelude::*;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn task() -> SmoothTrackingParams {
    // 100 time units at dt = 0.1: 10^3 steps.
    SmoothTracking::params()
        .keypoints(vec![vec![-1.0], vec![1.0]])
        .durations(vec![100.0])
}

/// One step: a run whose cost is the build of the network and task, so
/// that a sweep of such runs shows the sweep's own cost per run.
fn one_step() -> SmoothTrackingParams {
    task().durations(vec![0.1])
}

fn sweep() -> Sweep {
    sweep_of(task())
}

fn sweep_of(task: SmoothTrackingParams) -> Sweep {
    Sweep::new(Cann1d::params().num(512), task)
        .over(Axis::linspace("m", 0.0, 0.1, 4))
        .over(Axis::linspace("tau_v", 20.0, 50.0, 4))
        .metrics(["lag", "height", "width", "speed"])
        .warmup(20.0)
        .progress(ShowProgress::Never)
}

fn bare_run(task: &SmoothTrackingParams) -> Vec<f64> {
    let mut net = Cann1d::params().num(512).m(0.05).build().unwrap();
    let mut t = task.build().unwrap();
    let sim = simulate_with(
        &mut net,
        &mut t,
        &SimOptions::default()
            .record_states(false)
            .progress(ShowProgress::Never),
    )
    .unwrap();
    let run = canns::pipeline::sweep::Run {
        from: 200,
        output: canns::pipeline::sweep::Output::Simulation(Box::new(sim)),
    };
    [Metric::Lag, Metric::Height, Metric::Width, Metric::Speed]
        .iter()
        .map(|m| m.compute(&run).unwrap_or(f64::NAN))
        .collect()
}

fn overhead(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut g = c.benchmark_group("sweep");
    g.sample_size(10);
    let (long, short) = (task(), one_step());
    g.bench_function("bare_run", |b| b.iter(|| black_box(bare_run(&long))));
    g.bench_function("bare_run_one_step", |b| {
        b.iter(|| black_box(bare_run(&short)))
    });
    let s1 = sweep_of(one_step());
    g.bench_function("sweep_to_parquet_16_one_step", |b| {
        let dir = std::env::temp_dir().join(format!("canns-bench-sweep1-{}", std::process::id()));
        b.iter(|| {
            let _ = std::fs::remove_dir_all(&dir);
            pool.install(|| black_box(s1.run_into(&dir, Shard::ALL, None).unwrap()))
        });
        let _ = std::fs::remove_dir_all(&dir);
    });
    let s = sweep();
    g.bench_function("sweep_in_memory_16", |b| {
        b.iter(|| pool.install(|| black_box(s.run().unwrap())))
    });
    let dir = std::env::temp_dir().join(format!("canns-bench-sweep-{}", std::process::id()));
    g.bench_function("sweep_to_parquet_16", |b| {
        b.iter(|| {
            let _ = std::fs::remove_dir_all(&dir);
            pool.install(|| black_box(s.run_into(&dir, Shard::ALL, None).unwrap()))
        })
    });
    let _ = std::fs::remove_dir_all(&dir);
    g.finish();
}

criterion_group!(benches, overhead);
criterion_main!(benches);
