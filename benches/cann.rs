//! One step of the ring and torus CANNs, FFT versus the exact dense sum.
//!
//! `cargo bench --bench cann`

use canns::prelude::*;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;

fn bump_state(net: &mut dyn FeatureMap, pos: &[f64]) -> Vec<f64> {
    let mut input = vec![0.0; net.n_neurons()];
    net.stimulus(pos, &mut input)
        .expect("positions of the right dimension");
    for _ in 0..50 {
        net.step(0.1, &input)
            .expect("default parameters are stable");
    }
    input
}

fn ring(c: &mut Criterion) {
    let mut g = c.benchmark_group("cann1d_step");
    for n in [512usize, 2048] {
        for rec in [Recurrence::Fft, Recurrence::Dense] {
            let mut net = Cann1d::params().num(n).recurrence(rec).build().unwrap();
            let input = bump_state(&mut net, &[0.5]);
            g.bench_with_input(BenchmarkId::new(format!("{rec:?}"), n), &n, |b, _| {
                b.iter(|| net.step(0.1, black_box(&input)).unwrap())
            });
        }
    }
    g.finish();
}

fn torus(c: &mut Criterion) {
    let mut g = c.benchmark_group("cann2d_step");
    g.sample_size(20);
    for n in [64usize, 128, 256] {
        let mut net = Cann2d::params().length(n).build().unwrap();
        let input = bump_state(&mut net, &[0.5, -0.5]);
        g.bench_with_input(BenchmarkId::new("Fft", n * n), &n, |b, _| {
            b.iter(|| net.step(0.1, black_box(&input)).unwrap())
        });
    }
    // The dense torus sum is O(N^4): only the smallest size.
    let mut net = Cann2d::params()
        .length(32)
        .recurrence(Recurrence::Dense)
        .build()
        .unwrap();
    let input = bump_state(&mut net, &[0.5, -0.5]);
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("Dense", 32 * 32), |b| {
        b.iter(|| net.step(0.1, black_box(&input)).unwrap())
    });
    g.finish();
}

fn end_to_end(c: &mut Criterion) {
    let mut g = c.benchmark_group("simulate");
    g.sample_size(10);
    g.bench_function("cann1d_512_tracking_10k_steps", |b| {
        b.iter(|| {
            let mut net = Cann1d::params().num(512).build().unwrap();
            let mut task = SmoothTracking::params()
                .keypoints(vec![vec![0.0], vec![3.0]])
                .durations(vec![1000.0])
                .build()
                .unwrap();
            let opts = SimOptions {
                record_states: false,
                ..SimOptions::default()
            };
            simulate_with(&mut net, &mut task, &opts).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, ring, torus, end_to_end);
criterion_main!(benches);
