//! Hopfield updates, the learning rules per sample, a 10^5-sample training
//! run and the spiking ring.
//!
//! `nice cargo bench --bench learning -- --warm-up-time 1 --measurement-time 3`
//! (`scripts/compare/learning.py` prints these next to canns 1.5); with
//! `CANNS_BENCH_CLOCK=cpu`, times are the process's CPU time (see
//! `benches/common`), for a machine shared with other work.
//!
//! The Hopfield steps run with double-precision weights and, as `*_f32`,
//! with the single-precision copy (`HopfieldParams::single_precision`, as
//! canns's float32); N = 1000 and 2000 show the rows split over threads
//! (from `2^20` weights).
//!
//! Targets: a Hopfield network of 500 neurons at least as fast per step as
//! canns (0.011 ms synchronous, 0.106 ms per asynchronous sweep); the rules
//! at least 100x faster per sample than canns's trainers (50-1200 us on
//! `LinearLayer(100, 10)` / `SpikingLayer(100, 10)`); 10^5 samples in
//! seconds; 1 s of the 1000-neuron LIF ring in well under a second.

mod common;
use common::Clock;

use canns::models::Update;
use canns::models::{FeatureMap, Hopfield, LifRing, LinearLayer, SpikingLayer};
use canns::ndarray::Array2;
use canns::train::{patterns, Bcm, Hebbian, LearningRule, Oja, Sanger, Stdp};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rand::RngExt;
use rand_distr::StandardNormal;
use std::hint::black_box;

/// A Hopfield network of `n` neurons with Gaussian weights (as canns's
/// timing run) in a random state.
fn random_hopfield(n: usize, update: Update, single_precision: bool) -> Hopfield {
    let mut rng = canns::random::seeded(0);
    let w = Array2::from_shape_simple_fn((n, n), || rng.sample::<f64, _>(StandardNormal));
    let mut net = Hopfield::params()
        .n_neurons(n)
        .update(update)
        .single_precision(single_precision)
        .build()
        .unwrap();
    net.set_weights(w.view()).unwrap();
    let s: Vec<f64> = (0..n)
        .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
        .collect();
    net.set_state(&s).unwrap();
    net
}

fn hopfield(c: &mut Criterion<Clock>) {
    let mut g = c.benchmark_group("hopfield");
    let mut sync = random_hopfield(500, Update::Synchronous, false);
    g.bench_function("n500_sync_step", |b| b.iter(|| black_box(sync.update())));
    let mut sweep = random_hopfield(500, Update::Asynchronous, false);
    g.bench_function("n500_async_sweep", |b| b.iter(|| black_box(sweep.update())));
    // The same with the single-precision copy of W (as canns's float32).
    let mut sync32 = random_hopfield(500, Update::Synchronous, true);
    g.bench_function("n500_sync_step_f32", |b| {
        b.iter(|| black_box(sync32.update()))
    });
    let mut sweep32 = random_hopfield(500, Update::Asynchronous, true);
    g.bench_function("n500_async_sweep_f32", |b| {
        b.iter(|| black_box(sweep32.update()))
    });
    // Larger networks, where the synchronous rows split over the threads.
    for n in [1000, 2000] {
        for single in [false, true] {
            let mut net = random_hopfield(n, Update::Synchronous, single);
            let name = format!("n{n}_sync_step{}", if single { "_f32" } else { "" });
            g.bench_function(name, |b| b.iter(|| black_box(net.update())));
        }
    }
    // Recall with Hebbian weights (70 patterns, 0.14 N) from a probe with 10 %
    // of its bits flipped, to a fixed point (at most 20 synchronous steps,
    // the energy after each): the sign update with symmetric weights keeps
    // the local fields and pays only for the neurons that flip.
    let stored = patterns::random(70, 500, 1);
    let probe = patterns::corrupt(&stored.view(), 0.1, 2).unwrap();
    let mut memory = Hopfield::params().n_neurons(500).build().unwrap();
    Hebbian::params()
        .build()
        .unwrap()
        .train(&mut memory, stored.view())
        .unwrap();
    let probe0 = probe.row(0).to_vec();
    let steps = memory.recall(&probe0, 20).unwrap().steps;
    eprintln!("recall from a 10 % corrupted probe: {steps} steps");
    g.bench_function("n500_sync_recall_70_patterns", |b| {
        b.iter(|| memory.recall(black_box(&probe0), 20).unwrap())
    });
    // Hebbian storage of 70 patterns (0.14 N), per pattern.
    let pats = patterns::random(70, 500, 1);
    g.throughput(Throughput::Elements(70));
    g.bench_function("hebbian_n500_70_patterns", |b| {
        b.iter_batched_ref(
            || Hopfield::params().n_neurons(500).build().unwrap(),
            |net| {
                Hebbian::params()
                    .build()
                    .unwrap()
                    .train(net, black_box(pats.view()))
                    .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// canns's trainer timing data: 1500 Gaussian samples in R^100.
fn gaussian_data(n: usize) -> Array2<f64> {
    let mut rng = canns::random::seeded(0);
    Array2::from_shape_simple_fn((n, 100), || rng.sample::<f64, _>(StandardNormal))
}

fn trainers(c: &mut Criterion<Clock>) {
    let mut g = c.benchmark_group("trainers");
    let x = gaussian_data(1500);
    // Small weights and learning rates keep the 1500-sample passes finite
    // however often criterion repeats them.
    let x_small = x.mapv(|v| 0.1 * v);
    g.throughput(Throughput::Elements(1500));
    let layer = || {
        LinearLayer::params()
            .n_inputs(100)
            .n_outputs(10)
            .build()
            .unwrap()
    };
    let mut l = layer();
    let mut oja = Oja::params()
        .learning_rate(1e-3)
        .record_history(false)
        .build()
        .unwrap();
    g.bench_function("oja_100x10_per_1500", |b| {
        b.iter(|| oja.train(&mut l, black_box(x.view())).unwrap())
    });
    let mut l = layer();
    let mut gha = Sanger::params()
        .learning_rate(1e-3)
        .record_history(false)
        .build()
        .unwrap();
    g.bench_function("sanger_100x10_per_1500", |b| {
        b.iter(|| gha.train(&mut l, black_box(x.view())).unwrap())
    });
    let mut l = layer();
    let mut bcm = Bcm::params()
        .learning_rate(1e-4)
        .record_history(false)
        .build()
        .unwrap();
    g.bench_function("bcm_100x10_per_1500", |b| {
        b.iter(|| bcm.train(&mut l, black_box(x_small.view())).unwrap())
    });
    // canns's STDP timing input: the Gaussian samples above 1 as spikes.
    let spikes = x.mapv(|v| if v > 1.0 { 1.0 } else { 0.0 });
    let mut sl = SpikingLayer::params()
        .n_inputs(100)
        .n_outputs(10)
        .build()
        .unwrap();
    let mut stdp = Stdp::params().build().unwrap();
    g.bench_function("stdp_100x10_per_1500", |b| {
        b.iter(|| stdp.train(&mut sl, black_box(spikes.view())).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("training");
    g.sample_size(10);
    let big = gaussian_data(100_000);
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("oja_100x10_1e5_samples", |b| {
        b.iter_batched_ref(
            layer,
            |l| {
                Oja::params()
                    .learning_rate(1e-3)
                    .build()
                    .unwrap()
                    .train(l, black_box(big.view()))
                    .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("sanger_100x10_1e5_samples", |b| {
        b.iter_batched_ref(
            layer,
            |l| {
                Sanger::params()
                    .learning_rate(1e-3)
                    .build()
                    .unwrap()
                    .train(l, black_box(big.view()))
                    .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn lif_ring(c: &mut Criterion<Clock>) {
    let mut g = c.benchmark_group("lif_ring");
    g.sample_size(10);
    // A bump started by a 250 ms cue, then 1 s without input (the timed part).
    let mut ring = LifRing::params().build().unwrap();
    let cue = ring.stimulus_at(&[1.0]).unwrap();
    ring.run(0.25, &cue).unwrap();
    let zero = vec![0.0; 800];
    g.bench_function("n1000_1s_bump", |b| {
        b.iter_batched_ref(
            || ring.clone(),
            |r| r.run(1.0, black_box(&zero)).unwrap(),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(Clock::from_env());
    targets = hopfield, trainers, lif_ring
}
criterion_main!(benches);
