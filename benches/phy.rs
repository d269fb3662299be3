//! Reading a Phy / Kilosort folder: 1,000,000 spikes (uint64 sample
//! indices, shape (n, 1), as Kilosort 2 writes them) in 200 clusters, with
//! `cluster_group.tsv` and a `cluster_info.tsv` of 9 columns; 10 clusters
//! are noise and dropped.
//!
//! `cargo bench --bench phy`

use canns::data::Recording;
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::{Array1, Array2};
use std::fmt::Write;

const N_SPIKES: usize = 1_000_000;
const N_CLUSTERS: u32 = 200;

fn folder() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("canns-bench-phy-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    std::fs::write(
        d.join("params.py"),
        "dat_path = 'continuous.dat'\nn_channels_dat = 385\ndtype = 'int16'\noffset = 0\nsample_rate = 30000.0\nhp_filtered = True\n",
    )
    .expect("params.py");
    // A deterministic spread: spike i at about 1.8 ms steps, cluster by a
    // multiplicative hash so that every cluster fires throughout.
    let times: Vec<u64> = (0..N_SPIKES as u64)
        .map(|i| i * 54 + (i * 7919) % 50)
        .collect();
    let clusters: Vec<u32> = (0..N_SPIKES as u64)
        .map(|i| ((i.wrapping_mul(2_654_435_761) >> 7) % u64::from(N_CLUSTERS)) as u32)
        .collect();
    ndarray_npy::write_npy(
        d.join("spike_times.npy"),
        &Array2::from_shape_vec((N_SPIKES, 1), times).expect("shape"),
    )
    .expect("spike_times.npy");
    ndarray_npy::write_npy(d.join("spike_clusters.npy"), &Array1::from(clusters))
        .expect("spike_clusters.npy");
    let (mut group, mut info) = (
        String::from("cluster_id\tgroup\n"),
        String::from("cluster_id\tAmplitude\tch\tdepth\tfr\tgroup\tKSLabel\tn_spikes\tsh\n"),
    );
    for c in 0..N_CLUSTERS {
        let g = if c % 20 == 0 {
            "noise"
        } else if c % 3 == 0 {
            "mua"
        } else {
            "good"
        };
        let _ = writeln!(group, "{c}\t{g}");
        let _ = writeln!(
            info,
            "{c}\t{:.1}\t{}\t{:.1}\t{:.2}\t{g}\tgood\t{}\t0",
            20.0 + f64::from(c % 17),
            c % 384,
            f64::from(c % 384) * 10.0,
            2.5,
            N_SPIKES as u32 / N_CLUSTERS
        );
    }
    std::fs::write(d.join("cluster_group.tsv"), group).expect("cluster_group.tsv");
    std::fs::write(d.join("cluster_info.tsv"), info).expect("cluster_info.tsv");
    d
}

fn bench(c: &mut Criterion) {
    let d = folder();
    let rec = Recording::from_phy(&d).expect("reads");
    assert_eq!(rec.n_units(), 190);
    let mut g = c.benchmark_group("phy");
    g.sample_size(10);
    g.bench_function("read_1M_spikes_200_clusters", |b| {
        b.iter(|| Recording::from_phy(&d).expect("reads"))
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&d);
}

criterion_group!(benches, bench);
criterion_main!(benches);
