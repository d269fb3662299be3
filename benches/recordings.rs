//! Loading the bundled NWB recording and binning all its spikes; reading
//! the small corpus files written with each plugin filter (zstd,
//! bitshuffle, blosc) beside gzip.
//!
//! `cargo bench --bench recordings` (`CANNS_BENCH_CLOCK=cpu`: the process's
//! CPU time, see `benches/common`)

mod common;
use common::Clock;

use canns::data::{io, Recording};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn bench(c: &mut Criterion<Clock>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/A2929-200711.nwb");
    let mut g = c.benchmark_group("recordings");
    g.sample_size(20);
    g.bench_function("read_nwb A2929-200711", |b| {
        b.iter(|| black_box(io::read_nwb(path).unwrap()))
    });
    let rec = Recording::dataset(path).unwrap();
    g.bench_function("bin_spikes 10 ms, all 1200 s", |b| {
        b.iter(|| black_box(rec.bin_spikes(0.01, None).unwrap()))
    });
    g.bench_function("read_nwb + bin_spikes 10 ms", |b| {
        b.iter(|| {
            let r = io::read_nwb(path).unwrap();
            black_box(r.bin_spikes(0.01, None).unwrap())
        })
    });
    let dir = std::env::temp_dir().join(format!("canns-bench-rec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pq = dir.join("a.parquet");
    let npz = dir.join("a.npz");
    io::write(&rec, &pq).unwrap();
    io::write(&rec, &npz).unwrap();
    g.bench_function("read parquet directory", |b| {
        b.iter(|| black_box(io::read(&pq).unwrap()))
    });
    g.bench_function("read npz", |b| {
        b.iter(|| black_box(io::read(&npz).unwrap()))
    });
    // small files, mostly metadata (the gzip file 3 units and 75 spikes,
    // the others 24 units and 1860 spikes; 60 behaviour samples each)
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/nwb");
    for f in [
        "filter_gzip",
        "filter_zstd",
        "filter_bitshuffle",
        "filter_blosc_blosclz",
        "filter_blosc_lz4",
        "filter_blosc_zstd",
    ] {
        let p = format!("{corpus}/{f}.nwb");
        g.bench_function(format!("read_nwb corpus {f}"), |b| {
            b.iter(|| black_box(io::read_nwb(&p).unwrap()))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(Clock::from_env());
    targets = bench
}
criterion_main!(benches);
