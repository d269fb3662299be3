//! Replay runs and fixed-point searches.
//!
//! `cargo bench --bench replay`
//!
//! Targets (replay specification): 1-D replay with N = 128, 8 seeds, 250 ms
//! (2500 steps) well under a second; the fixed points of the 3-unit bistable
//! map at least 100x faster than `canns`'s `FixedPointFinder` (3.5 s at
//! lr 0.05, 240 iterations, on the reference machine).

use canns::analysis::FixedPointFinder;
use canns::models::FnMap;
use canns::ndarray::Array2;
use canns::pipeline::{ji_1d, replay_trials};
use canns::prelude::*;
use canns::tasks::Replay;
use criterion::{criterion_group, criterion_main, Criterion};
use rand::RngExt;
use std::hint::black_box;

fn replay(c: &mut Criterion) {
    let mut g = c.benchmark_group("replay");
    g.sample_size(10);
    let seeds: Vec<u64> = (0..8).collect();
    g.bench_function("ji_1d_n128_8seeds_250ms", |b| {
        b.iter(|| {
            replay_trials(|s| ji_1d(1.5, s), &Replay::params(), black_box(&seeds), 0).unwrap()
        })
    });
    g.finish();
}

fn fixed_points(c: &mut Criterion) {
    let mut g = c.benchmark_group("fixed_points");
    g.sample_size(10);
    let mut rng = canns::random::seeded(0);
    let states = Array2::from_shape_fn((2000, 3), |_| rng.random_range(-1.05..1.05));
    g.bench_function("bistable_tanh2x_128_inits", |b| {
        b.iter(|| {
            let mut map = FnMap::new(3, |x: &[f64], out: &mut [f64]| {
                for (o, v) in out.iter_mut().zip(x) {
                    *o = (2.0 * v).tanh();
                }
            });
            FixedPointFinder::params()
                .max_iters(1000)
                .run(&mut map, &black_box(states.view()))
                .unwrap()
        })
    });
    let n = 64;
    let mut rows = Vec::new();
    for i in 0..16 {
        let mut net = Cann1d::params().num(n).build().unwrap();
        let stim = net.stimulus_at(&[-2.6 + 5.2 * i as f64 / 15.0]).unwrap();
        let zero = vec![0.0; n];
        for s in 0..400 {
            net.step(0.1, if s < 100 { &stim } else { &zero }).unwrap();
            if s >= 150 && (s - 150) % 10 == 0 {
                rows.extend_from_slice(net.u());
            }
        }
    }
    let states = Array2::from_shape_vec((rows.len() / n, n), rows).unwrap();
    let net = Cann1d::params().num(n).build().unwrap();
    g.bench_function("cann_ring_n64_64_inits", |b| {
        b.iter(|| {
            let mut map = net.step_map(0.1, None).unwrap();
            FixedPointFinder::params()
                .n_inits(64)
                .max_iters(1500)
                .run(&mut map, &black_box(states.view()))
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, replay, fixed_points);
criterion_main!(benches);
