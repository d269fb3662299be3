//! Criterion benches of the embeddings: PCA of 10^4 x 50, the exact kNN graph
//! and UMAP of 2000 points in R^50 (a noisy ring in a random 2-plane).
//!
//! `cargo bench --bench embed`

use canns::embed::{knn, KnnAlgorithm, Metric, Pca, Umap};
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::Array2;
use rand::RngExt;
use rand_distr::StandardNormal;

/// `n` points on a unit circle spanned by two random directions of R^`dim`,
/// plus N(0, 0.05^2) noise in every coordinate.
fn noisy_ring(n: usize, dim: usize, seed: u64) -> Array2<f64> {
    let mut rng = canns::random::seeded(seed);
    let a: Vec<f64> = (0..dim).map(|_| rng.sample(StandardNormal)).collect();
    let b: Vec<f64> = (0..dim).map(|_| rng.sample(StandardNormal)).collect();
    let na = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    Array2::from_shape_fn((n, dim), |(i, j)| {
        let t = std::f64::consts::TAU * i as f64 / n as f64;
        t.cos() * a[j] / na + t.sin() * b[j] / nb
    })
    .mapv(|x| x + 0.05 * rng.sample::<f64, _>(StandardNormal))
}

fn bench(c: &mut Criterion) {
    let big = noisy_ring(10_000, 50, 1);
    c.bench_function("pca 10000x50 -> 6", |bch| {
        bch.iter(|| Pca::params().n_components(6).fit(&big.view()).unwrap())
    });
    let x = noisy_ring(2000, 50, 2);
    c.bench_function("knn 2000x50 k=15", |bch| {
        bch.iter(|| knn(&x.view(), 15, Metric::Euclidean, KnnAlgorithm::Auto).unwrap())
    });
    let mut g = c.benchmark_group("umap");
    g.sample_size(10);
    g.bench_function("umap 2000x50", |bch| {
        bch.iter(|| Umap::params().seed(1).fit(&x.view()).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
