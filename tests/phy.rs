//! Phy / Kilosort folders: spikes in seconds, units with their curation
//! labels and cluster metadata, noise dropped, and a clear error for every
//! missing or damaged file; `canns inspect` and `canns convert` on a folder.

mod common;
use canns::data::io::{self, NoiseClusters};
use canns::data::{frame_column, Recording};
use common::{canns, canns_ok, temp_dir};
use ndarray::{arr1, Array2};
use polars::prelude::*;
use std::path::{Path, PathBuf};

const RATE: f64 = 30_000.0;
/// Sample indices (as Kilosort 2 writes them: uint64, shape (n, 1)).
const SAMPLES: [u64; 9] = [
    30,
    300,
    3_000,
    30_000,
    45_000,
    60_000,
    90_000,
    120_001,
    3 * 10u64.pow(12),
];
const CLUSTERS: [i32; 9] = [0, 2, 5, 0, 9, 5, 2, 0, 2];

const PARAMS: &str = "dat_path = r'D:\\rec\\continuous.dat'
n_channels_dat = 385
dtype = 'int16'
offset = 0
sample_rate = 30000.  # Hz
hp_filtered = False
";
const CLUSTER_GROUP: &str = "cluster_id\tgroup\n0\tgood\n2\tmua\n5\tnoise\n";
/// Phy's table: cluster 9 has no label and no depth; cluster 11 has no
/// spike and its label only here.
const CLUSTER_INFO: &str = "cluster_id\tAmplitude\tch\tdepth\tfr\tgroup\tKSLabel\tn_spikes\tsh
0\t31.2\t3\t40.0\t0.75\tgood\tgood\t3\t0
2\t18.0\t10\t200.5\t0.75\tmua\tmua\t3\t0
5\t5.1\t12\t240.0\t0.5\tnoise\tmua\t2\t0
9\t12.5\t7\t\t0.25\t\t\t1\t0
11\t9.9\t20\t400.0\t0.0\tmua\tgood\t0\t0
";
const CLUSTER_KSLABEL: &str = "cluster_id\tKSLabel\n0\tgood\n2\tmua\n5\tmua\n9\tgood\n11\tgood\n";

fn write_u64(path: PathBuf, v: &[u64]) {
    let a = Array2::from_shape_vec((v.len(), 1), v.to_vec()).unwrap();
    ndarray_npy::write_npy(path, &a).unwrap();
}

/// A Phy folder as Kilosort 2 and Phy leave it.
fn phy_dir(name: &str) -> PathBuf {
    let d = temp_dir(&format!("phy-{name}"));
    std::fs::write(d.join("params.py"), PARAMS).unwrap();
    write_u64(d.join("spike_times.npy"), &SAMPLES);
    ndarray_npy::write_npy(d.join("spike_clusters.npy"), &arr1(&CLUSTERS)).unwrap();
    // The templates before curation: read only when clusters are absent.
    ndarray_npy::write_npy(
        d.join("spike_templates.npy"),
        &arr1(&[1u32, 1, 1, 1, 1, 1, 1, 4, 4]),
    )
    .unwrap();
    std::fs::write(d.join("cluster_group.tsv"), CLUSTER_GROUP).unwrap();
    std::fs::write(d.join("cluster_info.tsv"), CLUSTER_INFO).unwrap();
    std::fs::write(d.join("cluster_KSLabel.tsv"), CLUSTER_KSLABEL).unwrap();
    d
}

fn seconds(units: &[(u64, i32)], cluster: i32) -> Vec<f64> {
    units
        .iter()
        .filter(|(_, c)| *c == cluster)
        .map(|(s, _)| *s as f64 / RATE)
        .collect()
}

fn strs(df: &DataFrame, c: &str) -> Vec<String> {
    frame_column(df, c)
        .unwrap_or_else(|| panic!("no column {c}"))
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap().to_string())
        .collect()
}

fn err(dir: &Path) -> String {
    Recording::from_phy(dir).unwrap_err().to_string()
}

#[test]
fn spikes_are_seconds_and_noise_is_dropped() {
    let d = phy_dir("read");
    let rec = Recording::from_phy(&d).unwrap();
    let pairs: Vec<(u64, i32)> = SAMPLES.iter().copied().zip(CLUSTERS).collect();
    // Cluster 5 is noise; 11 has no spike but a row in cluster_info.tsv.
    assert_eq!(rec.unit_ids(), vec![0, 2, 9, 11]);
    assert_eq!(rec.n_spikes(), 7);
    for u in [0, 2, 9] {
        assert_eq!(rec.spike_times(u as u32), seconds(&pairs, u), "unit {u}");
    }
    assert!(rec.spike_times(11).is_empty());
    // Samples / 30 kHz, by hand.
    assert!((rec.spike_times(0)[0] - 0.001).abs() < 1e-15);
    assert!((rec.spike_times(0)[2] - 4.000_033_333_333_333).abs() < 1e-12);
    assert_eq!(rec.spike_times(2)[2], 1e8);
    assert_eq!(rec.source(), d.display().to_string());
    assert_eq!(rec.behaviour().height(), 0);
    assert_eq!(rec.epochs().height(), 0);
}

#[test]
fn cluster_tables_become_unit_columns() {
    let d = phy_dir("units");
    let rec = Recording::from_phy(&d).unwrap();
    let u = rec.units();
    // cluster_group.tsv labels 0 and 2; 9 has none (unsorted); 11 takes
    // its label from cluster_info.tsv.
    assert_eq!(strs(u, "group"), ["good", "mua", "unsorted", "mua"]);
    let ch = frame_column(u, "ch").unwrap();
    assert_eq!(ch.dtype(), &DataType::Int64);
    assert_eq!(
        ch.i64().unwrap().into_no_null_iter().collect::<Vec<_>>(),
        [3, 10, 7, 20]
    );
    let depth: Vec<f64> = frame_column(u, "depth")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(depth[..2], [40.0, 200.5]);
    assert!(depth[2].is_nan(), "cluster 9 has no depth");
    assert_eq!(depth[3], 400.0);
    // KSLabel from cluster_info.tsv, cluster 9's from cluster_KSLabel.tsv.
    assert_eq!(strs(u, "KSLabel"), ["good", "mua", "good", "good"]);
    for c in ["Amplitude", "fr", "n_spikes", "sh"] {
        assert!(frame_column(u, c).is_some(), "column {c}");
    }
    assert_eq!(
        rec.units_by("group"),
        vec![
            ("good".to_string(), 1),
            ("mua".to_string(), 2),
            ("unsorted".to_string(), 1)
        ]
    );
}

#[test]
fn noise_is_kept_on_request() {
    let d = phy_dir("keep");
    let rec = Recording::from_phy_with(&d, NoiseClusters::Keep).unwrap();
    assert_eq!(rec.unit_ids(), vec![0, 2, 5, 9, 11]);
    assert_eq!(rec.n_spikes(), 9);
    assert_eq!(rec.spike_times(5), vec![3_000.0 / RATE, 60_000.0 / RATE]);
    assert_eq!(strs(rec.units(), "group")[2], "noise");
}

#[test]
fn templates_stand_in_for_clusters_and_int64_times_read() {
    let d = temp_dir("phy-templates");
    std::fs::write(d.join("params.py"), "sample_rate = 25000\n").unwrap();
    ndarray_npy::write_npy(d.join("spike_times.npy"), &arr1(&[0i64, 25_000, 50_000])).unwrap();
    ndarray_npy::write_npy(d.join("spike_templates.npy"), &arr1(&[4u32, 4, 1])).unwrap();
    let rec = Recording::from_phy(&d).unwrap();
    assert_eq!(rec.unit_ids(), vec![1, 4]);
    assert_eq!(rec.spike_times(4), vec![0.0, 1.0]);
    assert_eq!(rec.spike_times(1), vec![2.0]);
    // No labels at all: every unit is unsorted, none dropped.
    assert_eq!(strs(rec.units(), "group"), ["unsorted", "unsorted"]);
}

#[test]
fn older_phy_label_file_reads() {
    let d = phy_dir("old");
    std::fs::remove_file(d.join("cluster_group.tsv")).unwrap();
    std::fs::remove_file(d.join("cluster_info.tsv")).unwrap();
    std::fs::write(
        d.join("cluster_groups.csv"),
        // As a Windows spreadsheet saves it: a byte-order mark, CRLF, commas.
        "\u{feff}cluster_id,group\r\n0,noise\r\n2,good\r\n",
    )
    .unwrap();
    let rec = Recording::from_phy(&d).unwrap();
    assert_eq!(rec.unit_ids(), vec![2, 5, 9, 11]);
    assert_eq!(
        strs(rec.units(), "group"),
        ["good", "unsorted", "unsorted", "unsorted"]
    );
}

#[test]
fn io_read_dispatches_a_phy_folder() {
    let d = phy_dir("dispatch");
    let a = Recording::from_phy(&d).unwrap();
    for p in [d.clone(), d.join("params.py")] {
        let b = io::read(&p).unwrap();
        assert_eq!(a.spikes(), b.spikes());
        assert_eq!(a.units(), b.units());
    }
    assert!(io::is_phy_dir(&d));
    // A folder with spike_times.npy but no params.py is still read as Phy,
    // so the error names the missing file.
    std::fs::remove_file(d.join("params.py")).unwrap();
    let e = io::read(&d).unwrap_err().to_string();
    assert!(e.contains("params.py") && e.contains("missing"), "{e}");
}

#[test]
fn missing_files_are_named() {
    let d = phy_dir("missing");
    std::fs::remove_file(d.join("spike_times.npy")).unwrap();
    let e = err(&d);
    assert!(
        e.contains("spike_times.npy") && e.contains("missing"),
        "{e}"
    );

    let d = phy_dir("missing-clusters");
    std::fs::remove_file(d.join("spike_clusters.npy")).unwrap();
    std::fs::remove_file(d.join("spike_templates.npy")).unwrap();
    let e = err(&d);
    assert!(
        e.contains("spike_clusters.npy") && e.contains("spike_templates.npy"),
        "{e}"
    );
    let e = err(&d.join("no-such-folder"));
    assert!(e.contains("not a directory"), "{e}");
}

#[test]
fn lengths_that_differ_are_an_error() {
    let d = phy_dir("lengths");
    ndarray_npy::write_npy(d.join("spike_clusters.npy"), &arr1(&CLUSTERS[..8])).unwrap();
    let e = err(&d);
    assert!(
        e.contains("spike_clusters.npy")
            && e.contains("holds 8 spikes")
            && e.contains("spike_times.npy holds 9"),
        "{e}"
    );
}

#[test]
fn bad_sample_rates_are_errors_naming_params_py() {
    let d = phy_dir("rate");
    for (params, want) in [
        (
            "dat_path = 'a.dat'\nn_channels_dat = 64\n",
            "defines no `sample_rate` (it defines: dat_path, n_channels_dat)",
        ),
        ("", "defines no `sample_rate` (it defines: nothing)"),
        (
            "sample_rate = -30000.0\n",
            "line 1: `sample_rate` must be a finite number > 0 Hz (got -30000)",
        ),
        (
            "\nsample_rate = 0\n",
            "line 2: `sample_rate` must be a finite number > 0 Hz (got 0)",
        ),
        (
            "sample_rate = 1e999\n",
            "must be a finite number > 0 Hz (got inf)",
        ),
        (
            "sample_rate = float('nan')\n",
            "must be a finite number > 0 Hz (got `float('nan')`)",
        ),
        (
            "sample_rate = '30000'\n",
            "must be a number (got the string '30000')",
        ),
        ("sample_rate = True\n", "must be a number (got true)"),
    ] {
        std::fs::write(d.join("params.py"), params).unwrap();
        let e = err(&d);
        assert!(
            e.contains("params.py") && e.contains(want),
            "{params:?}: {e}"
        );
    }
    std::fs::write(d.join("params.py"), [0xffu8, 0xfe, 0x00]).unwrap();
    let e = err(&d);
    assert!(e.contains("params.py") && e.contains("not UTF-8"), "{e}");
}

#[test]
fn damaged_tables_are_errors_naming_the_file_and_field() {
    let d = phy_dir("tables");
    for (file, text, want) in [
        (
            "cluster_group.tsv",
            "cluster_id\tKSLabel\n0\tgood\n",
            "no label column `group` (columns: cluster_id, KSLabel)",
        ),
        (
            "cluster_group.tsv",
            "id_of_cluster\tgroup\n0\tgood\n",
            "no `cluster_id` column (header: id_of_cluster, group)",
        ),
        (
            "cluster_group.tsv",
            "cluster_id\tgroup\n0\tgood\n2\n",
            "line 3: 1 cells, but the header has 2 columns",
        ),
        (
            "cluster_group.tsv",
            "cluster_id\tgroup\n-1\tgood\n",
            "line 2: `cluster_id` is not a cluster id (got `-1`)",
        ),
        (
            "cluster_group.tsv",
            "cluster_id\tgroup\n0\tgood\n0\tmua\n",
            "line 3: cluster 0 is listed twice (first on line 2)",
        ),
        ("cluster_group.tsv", "", "is empty: no header row"),
        (
            "cluster_info.tsv",
            "id\tch\n0\t1\n0\t2\n",
            "cluster 0 is listed twice",
        ),
    ] {
        let d2 = phy_dir("tables-one");
        std::fs::write(d2.join(file), text).unwrap();
        let e = err(&d2);
        assert!(e.contains(file) && e.contains(want), "{text:?}: {e}");
    }
    // Phy's newer `id` header reads like `cluster_id`.
    std::fs::write(d.join("cluster_info.tsv"), "id\tch\n0\t1\n2\t2\n9\t3\n").unwrap();
    let rec = Recording::from_phy(&d).unwrap();
    assert_eq!(rec.unit_ids(), vec![0, 2, 9, 11]);
}

#[test]
fn damaged_arrays_are_errors_naming_the_file() {
    let d = phy_dir("arrays");
    // A header that claims more spikes than the file holds.
    let f = d.join("spike_times.npy");
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() - 8]).unwrap();
    let e = err(&d);
    assert!(
        e.contains("spike_times.npy") && e.contains("bytes are present"),
        "{e}"
    );

    let d = phy_dir("negative");
    ndarray_npy::write_npy(
        d.join("spike_times.npy"),
        &arr1(&[1i64, 2, -3, 4, 5, 6, 7, 8, 9]),
    )
    .unwrap();
    let e = err(&d);
    assert!(
        e.contains("spike_times.npy") && e.contains("spike 2 has a negative sample index (-3)"),
        "{e}"
    );

    let d = phy_dir("negative-cluster");
    let mut c = CLUSTERS;
    c[4] = -1;
    ndarray_npy::write_npy(d.join("spike_clusters.npy"), &arr1(&c)).unwrap();
    let e = err(&d);
    assert!(
        e.contains("spike_clusters.npy") && e.contains("spike 4 has cluster -1"),
        "{e}"
    );

    let d = phy_dir("float");
    ndarray_npy::write_npy(d.join("spike_times.npy"), &arr1(&[0.5f64; 9])).unwrap();
    let e = err(&d);
    assert!(
        e.contains("spike_times.npy") && e.contains("must hold integers") && e.contains("float64"),
        "{e}"
    );

    let d = phy_dir("shape");
    ndarray_npy::write_npy(d.join("spike_clusters.npy"), &Array2::<i32>::zeros((9, 2))).unwrap();
    let e = err(&d);
    assert!(
        e.contains("spike_clusters.npy") && e.contains("got shape (9, 2)"),
        "{e}"
    );
}

#[test]
fn cli_inspects_and_converts_a_phy_folder() {
    let d = phy_dir("cli");
    let out = canns_ok(&["inspect", d.to_str().unwrap()]);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("4 units, 7 spikes, 0.001-100000000.000 s"),
        "{s}"
    );
    assert!(s.contains("units by group:"), "{s}");
    assert!(
        s.contains("good         1")
            && s.contains("mua          2")
            && s.contains("unsorted     1"),
        "{s}"
    );
    assert!(
        s.contains("unit columns: Amplitude, KSLabel, ch, depth, fr, group, n_spikes, sh"),
        "{s}"
    );
    let out = canns_ok(&["inspect", d.to_str().unwrap(), "--keep-noise"]);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("5 units, 9 spikes") && s.contains("noise        1"),
        "{s}"
    );

    let npz = d.join("out.npz");
    let out = canns_ok(&["convert", d.to_str().unwrap(), npz.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("4 units, 7 spikes"));
    let a = Recording::from_phy(&d).unwrap();
    let b = io::read(&npz).unwrap();
    assert_eq!(a.spikes(), b.spikes());
    assert_eq!(strs(b.units(), "group"), strs(a.units(), "group"));

    let pq = d.join("out.parquet");
    canns_ok(&["convert", d.to_str().unwrap(), pq.to_str().unwrap()]);
    let c = io::read(&pq).unwrap();
    assert_eq!(a.spikes(), c.spikes());
    assert_eq!(strs(c.units(), "group"), strs(a.units(), "group"));
    assert_eq!(strs(c.units(), "KSLabel"), strs(a.units(), "KSLabel"));
    assert_eq!(frame_column(c.units(), "ch"), frame_column(a.units(), "ch"));

    // An NWB `group` column is a number, not a curation label.
    let s = String::from_utf8(canns_ok(&["inspect", "A2929-200711"]).stdout).unwrap();
    assert!(!s.contains("units by group"), "{s}");

    let o = canns(&[
        "inspect",
        d.join("missing").to_str().unwrap(),
        "--keep-noise",
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--keep-noise applies to Phy folders"));
    std::fs::write(d.join("params.py"), "n_channels_dat = 4\n").unwrap();
    let o = canns(&["inspect", d.to_str().unwrap()]);
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("params.py") && e.contains("sample_rate"), "{e}");
}

#[test]
fn the_memory_budget_is_checked_before_reading_spikes() {
    let d = phy_dir("budget");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_canns"))
        .args(["inspect", d.to_str().unwrap()])
        .env("CANNS_MEMORY_LIMIT", "256")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("reading the 9 spikes") && e.contains("memory budget"),
        "{e}"
    );
}
