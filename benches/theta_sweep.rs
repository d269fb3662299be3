//! One step of the theta-sweep networks at `canns`'s default sizes, in a
//! running sweep (bumps formed, theta-modulated drive).
//!
//! `cargo bench --bench theta_sweep` (`CANNS_BENCH_CLOCK=cpu`: the process's
//! CPU time, see `benches/common`). The place network runs with Chu et al.'s
//! parameters at the default kernel cutoff, with an activity floor of 1e-3
//! of the peak rate (only the bump's kernel rows are read), and with every
//! kernel entry kept.
//!
//! canns 1.5 per step on the reference machine (JAX CPU, float32, 2 cores):
//! DirectionCellNetwork(100) 0.0072 ms, GridCellNetwork 100 x 100 85.6 ms,
//! PlaceCellNetwork (T-maze, 3153 cells) 1.70 ms.

mod common;
use common::Clock;

use canns::models::Model;
use canns::models::{
    t_maze, DirectionCellNetwork, GeodesicGrid, GridCellNetwork, PlaceCellNetworkParams, ThetaClock,
};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn networks(c: &mut Criterion<Clock>) {
    let clock = ThetaClock::params().v_max(2.0).build().unwrap();
    let mut g = c.benchmark_group("theta_sweep_step");
    let mut dc = DirectionCellNetwork::params().build().unwrap();
    for i in 0..500 {
        dc.update(0.0, clock.modulation(i, 0.5, 0.0).hd).unwrap();
    }
    let mut i = 500;
    g.bench_function("direction_100", |b| {
        b.iter(|| {
            i += 1;
            dc.update(black_box(0.0), clock.modulation(i, 0.5, 0.0).hd)
                .unwrap()
        })
    });
    let mut gc = GridCellNetwork::params()
        .mapping_ratio(5.0)
        .build()
        .unwrap();
    let mut x = 0.2;
    for i in 0..300 {
        let m = clock.modulation(i, 0.5, 0.0);
        dc.update(0.0, m.hd).unwrap();
        x += 0.5e-3;
        gc.update([x, 0.5], dc.r(), m.gc).unwrap();
    }
    let rates = dc.r().to_vec();
    g.sample_size(30);
    g.bench_function("grid_100x100", |b| {
        b.iter(|| {
            i += 1;
            x += 0.5e-3;
            gc.update(
                [x, 0.5],
                black_box(&rates),
                clock.modulation(i, 0.5, 0.0).gc,
            )
            .unwrap()
        })
    });
    let grid =
        GeodesicGrid::from_polygon(&t_maze(0.84, 3.64, 2.36, 1.0, 0.2, 0.2), &[], 0.05).unwrap();
    g.sample_size(10);
    g.bench_function("geodesic_tmaze_3153", |b| {
        b.iter(|| black_box(grid.distances()))
    });
    let mut pc = PlaceCellNetworkParams::chu2024().build(&grid).unwrap();
    let mut y = 0.6;
    for _ in 0..300 {
        y += 1.2e-3;
        pc.update([0.0, y], 1.0).unwrap();
    }
    let active = |r: &[f64]| r.iter().filter(|&&x| x > 0.0).count();
    eprintln!(
        "place network: {} of {} cells active (rate > 0)",
        active(pc.r()),
        pc.r().len()
    );
    g.sample_size(30);
    g.bench_function("place_tmaze_3153", |b| {
        b.iter(|| {
            i += 1;
            y = if y > 3.2 { 0.6 } else { y + 1.2e-3 };
            pc.update([0.0, y], 1.0 + 0.1 * clock.phase(i).cos())
                .unwrap()
        })
    });
    // Rates below 1e-3 of the peak left out of the recurrent sum: only the
    // bump's rows of the kernel are read.
    let mut floor = PlaceCellNetworkParams::chu2024()
        .activity_cutoff(1e-3)
        .build(&grid)
        .unwrap();
    for _ in 0..300 {
        floor.update([0.0, 1.0], 1.0).unwrap();
    }
    let peak = floor.r().iter().copied().fold(0.0, f64::max);
    eprintln!(
        "with the floor: {} cells above 1e-3 of the peak",
        floor.r().iter().filter(|&&x| x > 1e-3 * peak).count()
    );
    g.bench_function("place_tmaze_3153_activity_1e-3", |b| {
        b.iter(|| {
            i += 1;
            y = if y > 3.2 { 0.6 } else { y + 1.2e-3 };
            floor
                .update([0.0, y], 1.0 + 0.1 * clock.phase(i).cos())
                .unwrap()
        })
    });
    // Every kernel entry kept (the dense kernel, in single precision).
    let mut dense = PlaceCellNetworkParams::chu2024()
        .kernel_cutoff(0.0)
        .build(&grid)
        .unwrap();
    for _ in 0..300 {
        dense.update([0.0, 1.0], 1.0).unwrap();
    }
    g.bench_function("place_tmaze_3153_dense", |b| {
        b.iter(|| {
            i += 1;
            y = if y > 3.2 { 0.6 } else { y + 1.2e-3 };
            dense
                .update([0.0, y], 1.0 + 0.1 * clock.phase(i).cos())
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
