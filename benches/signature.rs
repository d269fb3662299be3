//! Sparse circular coordinates and the attractor-signature pipeline.
//!
//! `cargo bench --bench signature`

use canns::pipeline::synthetic::head_direction_cells;
use canns::pipeline::SignatureParams;
use canns::tda::{rips, sparse_circular_coordinates_of_points, RipsParams, SparseCircularParams};
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::Array2;
use rand::RngExt;

fn noisy_circle(n: usize) -> Array2<f64> {
    let mut r = canns::random::seeded(7);
    let mut a = Array2::zeros((n, 2));
    for i in 0..n {
        let t: f64 = r.random::<f64>() * std::f64::consts::TAU;
        a[[i, 0]] = t.cos() + 0.1 * (r.random::<f64>() - 0.5);
        a[[i, 1]] = t.sin() + 0.1 * (r.random::<f64>() - 0.5);
    }
    a
}

fn bench(c: &mut Criterion) {
    let pts = noisy_circle(5000);
    let d = rips(
        &pts,
        &RipsParams::default().coeff(47).cocycles(true).n_perm(100),
    )
    .unwrap();
    let p = SparseCircularParams::default();
    c.bench_function(
        "sparse circular coordinates, 5000 points, 100 landmarks",
        |b| b.iter(|| sparse_circular_coordinates_of_points(&pts, &d, 0, &p).unwrap()),
    );
    let hd = head_direction_cells(6000, 7, 1).unwrap();
    let mut g = c.benchmark_group("signature");
    g.sample_size(10);
    g.bench_function(
        "head direction 6000 bins x 7 units, 500 landmarks, no shuffle",
        |b| {
            b.iter(|| {
                SignatureParams::head_direction()
                    .n_shuffles(0)
                    .run(&hd)
                    .unwrap()
            })
        },
    );
    g.bench_function(
        "head direction 6000 bins x 7 units, 500 landmarks, 20 shuffles",
        |b| {
            b.iter(|| {
                SignatureParams::head_direction()
                    .n_shuffles(20)
                    .run(&hd)
                    .unwrap()
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
