//! One step of the path-integration models at `canns`'s benchmark sizes,
//! with their patterns formed and the animal moving.
//!
//! `cargo bench --bench path_integration` (`CANNS_BENCH_CLOCK=cpu`: the
//! process's CPU time, see `benches/common`)
//!
//! canns 1.5 per step on the reference machine (JAX CPU, float32, 2 cores):
//! GridCell2DPosition 30 x 30 0.133 ms, GridCell2DVelocity 40 x 40 0.304 ms,
//! HierarchicalNetwork (5 modules, 30^2 place cells) 0.75 ms;
//! `scripts/compare/path_integration.py` times both side by side. The
//! measured numbers are in the README ("Path integration against canns").
//! The hierarchical step reads only the grid cells above the activity floor
//! `place_floor` (default 1e-3 of each module's largest rate, about 90 of 400
//! cells) in its grid-to-place product, with 16-bit weights summed in single
//! precision, 64 place cells at a time (the bound is in `place_input_bound`).

mod common;
use common::Clock;

use canns::models::{
    GridCell2DPosition, GridCell2DPositionParams, GridCell2DVelocity, HealSchedule,
    HierarchicalNetwork,
};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn networks(c: &mut Criterion<Clock>) {
    let mut g = c.benchmark_group("path_integration_step");
    let mut pos = GridCell2DPositionParams::example()
        .length(30)
        .build()
        .unwrap();
    let mut x = 0.5;
    for _ in 0..200 {
        x += 4e-4;
        pos.update([x, 0.5]).unwrap();
    }
    g.bench_function("grid_position_30x30", |b| {
        b.iter(|| {
            x += 4e-4;
            pos.update(black_box([x, 0.5])).unwrap()
        })
    });
    let _ = GridCell2DPosition::params();

    let mut vel = GridCell2DVelocity::params().build().unwrap();
    vel.heal(&HealSchedule::canns_steps(2000)).unwrap();
    g.bench_function("grid_velocity_40x40", |b| {
        b.iter(|| vel.update(black_box([0.2, 0.1])).unwrap())
    });
    let mut canns_vel = canns::models::GridCell2DVelocityParams::canns()
        .build()
        .unwrap();
    canns_vel.heal(&HealSchedule::canns_steps(2000)).unwrap();
    g.bench_function("grid_velocity_40x40_canns_weights", |b| {
        b.iter(|| canns_vel.update(black_box([0.2, 0.1])).unwrap())
    });

    let mut hier = HierarchicalNetwork::params().build().unwrap();
    hier.anchor([2.5, 2.5], 100, 100.0).unwrap();
    g.bench_function("hierarchical_5_modules_30x30_place", |b| {
        b.iter(|| {
            hier.update(black_box([0.03, 0.01]), [2.5, 2.5], 0.0)
                .unwrap()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(Clock::from_env());
    targets = networks
}
criterion_main!(benches);
