//! Criterion benches of navigation: 10^6 agent steps with history (dt 0.01 s,
//! 1 m solid box, RatInABox's default motion parameters), and the rates of
//! 100 place + 100 grid cells at 10^5 positions.
//!
//! `cargo bench --bench navigation`

use canns::spatial::{Agent, Environment, GridCells, PlaceCells};
use criterion::{criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
    let env = Environment::params().build().unwrap();
    let mut g = c.benchmark_group("navigation");
    g.sample_size(10);
    g.bench_function("agent 10^6 steps with history", |b| {
        b.iter(|| {
            let mut a = Agent::params().dt(0.01).seed(1).build(env.clone()).unwrap();
            a.run(1_000_000).expect("fits");
            a.history().len()
        })
    });
    let pos = env.sample_positions(100_000, 2);
    let pc = PlaceCells::params().n(100).build(&env).unwrap();
    let gc = GridCells::params().n(100).build(&env).unwrap();
    g.bench_function("100 place + 100 grid cells at 10^5 positions", |b| {
        b.iter(|| {
            let p = pc.rates(&pos.view()).unwrap();
            let q = gc.rates(&pos.view()).unwrap();
            p[[0, 0]] + q[[0, 0]]
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
