//! Vietoris-Rips persistence: H1 of a noisy circle, H<=2 of a torus in R^3
//! and of points in R^50.
//!
//! `cargo bench --bench rips` (the full-size side-by-side comparison with
//! ripser.py is `scripts/compare/rips.py`).

use canns::tda::{rips, RipsParams};
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::Array2;
use rand::RngExt;

fn rng() -> canns::random::SeededRng {
    canns::random::seeded(7)
}

fn noisy_circle(n: usize) -> Array2<f64> {
    let mut r = rng();
    let mut a = Array2::zeros((n, 2));
    for i in 0..n {
        let t: f64 = r.random::<f64>() * std::f64::consts::TAU;
        a[[i, 0]] = t.cos() + 0.1 * (r.random::<f64>() - 0.5);
        a[[i, 1]] = t.sin() + 0.1 * (r.random::<f64>() - 0.5);
    }
    a
}

fn torus_r3(n: usize) -> Array2<f64> {
    let mut r = rng();
    let mut a = Array2::zeros((n, 3));
    for i in 0..n {
        let (u, v) = (
            r.random::<f64>() * std::f64::consts::TAU,
            r.random::<f64>() * std::f64::consts::TAU,
        );
        a[[i, 0]] = (2.0 + v.cos()) * u.cos();
        a[[i, 1]] = (2.0 + v.cos()) * u.sin();
        a[[i, 2]] = v.sin();
    }
    a
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("rips");
    g.sample_size(10);
    let circle = noisy_circle(400);
    g.bench_function("h1_noisy_circle_400", |b| {
        b.iter(|| rips(&circle, &RipsParams::default()).unwrap())
    });
    let circle = noisy_circle(1000);
    g.bench_function("h1_noisy_circle_1000", |b| {
        b.iter(|| rips(&circle, &RipsParams::default()).unwrap())
    });
    let torus = torus_r3(200);
    g.bench_function("h2_torus_r3_200", |b| {
        b.iter(|| rips(&torus, &RipsParams::default().maxdim(2)).unwrap())
    });
    let mut r = rng();
    let high = Array2::from_shape_fn((150, 50), |_| r.random::<f64>());
    g.bench_function("h2_random_r50_150", |b| {
        b.iter(|| rips(&high, &RipsParams::default().maxdim(2)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
