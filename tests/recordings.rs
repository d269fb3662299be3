//! Recordings: the NWB reader against pynwb on the real A2929-200711 file
//! (fixtures from scripts/reference/nwb_reference.py), round trips through
//! Parquet, CSV and NPZ, and bad files (errors, never panics).

mod common;
use canns::data::io::{self, read_nwb_bytes};
use canns::data::{col, Recording};
use canns::polars::prelude::*;
use common::f64s;
use rand::RngExt;
use serde_json::Value;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> Value {
    let p = root().join("tests/fixtures/data").join(name);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn strs(df: &DataFrame, c: &str) -> Vec<String> {
    df.column(c)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.unwrap().to_string())
        .collect()
}

fn nums(df: &DataFrame, c: &str) -> Vec<f64> {
    df.column(c)
        .unwrap()
        .cast(&DataType::Float64)
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .map(|s| s.unwrap())
        .collect()
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("canns-rec-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn a2929_matches_pynwb_exactly() {
    let r = fixture("a2929_reference.json");
    let rec = Recording::dataset("A2929-200711").unwrap();
    let ids: Vec<u32> = r["unit_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect();
    assert_eq!(rec.unit_ids(), ids);
    let loc: Vec<String> = serde_json::from_value(r["locations"].clone()).unwrap();
    assert_eq!(strs(rec.units(), col::LOCATION), loc);
    let groups: Vec<String> = serde_json::from_value(r["electrode_groups"].clone()).unwrap();
    assert_eq!(strs(rec.units(), "electrode_group"), groups);
    let counts = f64s(&r["spike_counts"]);
    let first = f64s(&r["first_spike"]);
    let last = f64s(&r["last_spike"]);
    let sums = f64s(&r["spike_time_sums"]);
    for (i, (u, t)) in rec.spike_trains().into_iter().enumerate() {
        assert_eq!(t.len() as f64, counts[i], "unit {u}");
        assert_eq!(t[0], first[i], "unit {u}");
        assert_eq!(*t.last().unwrap(), last[i], "unit {u}");
        let s: f64 = t.iter().sum();
        assert!((s - sums[i]).abs() < 1e-9 * sums[i], "unit {u}");
    }
    assert_eq!(rec.n_spikes() as f64, counts.iter().sum::<f64>());
    for e in r["epochs"].as_array().unwrap() {
        let iv = rec.intervals(e["name"].as_str().unwrap()).unwrap();
        assert_eq!(
            iv,
            vec![(e["start"].as_f64().unwrap(), e["stop"].as_f64().unwrap())]
        );
    }
    let b = rec.behaviour();
    assert_eq!(b.height() as u64, r["hd_count"].as_u64().unwrap());
    let hd = nums(b, col::HEAD_DIRECTION);
    assert_eq!(hd[0], r["hd_first"].as_f64().unwrap());
    assert_eq!(*hd.last().unwrap(), r["hd_last"].as_f64().unwrap());
    let s: f64 = hd.iter().sum();
    assert!((s - r["hd_sum"].as_f64().unwrap()).abs() < 1e-9 * s);
    let t = nums(b, col::T);
    assert_eq!(t[0], r["hd_t_first"].as_f64().unwrap());
    assert_eq!(*t.last().unwrap(), r["hd_t_last"].as_f64().unwrap());
    for c in ["x", "y", "z"] {
        let v = nums(b, c);
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(vec![lo, hi], f64s(&r["position_ranges"][c]), "{c}");
    }
    let rip = rec.intervals("sleep_ripples").unwrap();
    assert_eq!(rip.len() as u64, r["ripple_count"].as_u64().unwrap());
    assert_eq!(vec![rip[0].0, rip[0].1], f64s(&r["ripple_first"]));
    let l = rip.last().unwrap();
    assert_eq!(vec![l.0, l.1], f64s(&r["ripple_last"]));
    let ev = rec.events();
    let peaks: Vec<f64> = strs(ev, col::NAME)
        .iter()
        .zip(nums(ev, col::T))
        .filter(|(n, _)| *n == "sleep_ripples")
        .map(|(_, t)| t)
        .collect();
    assert_eq!(peaks.len() as u64, r["ripple_peak_count"].as_u64().unwrap());
    assert_eq!(peaks[0], r["ripple_peak_first"].as_f64().unwrap());
    for (name, n) in r["interval_tables"].as_object().unwrap() {
        assert_eq!(
            rec.intervals(name).unwrap().len() as u64,
            n.as_u64().unwrap(),
            "{name}"
        );
    }
}

#[test]
fn a2929_binning_restrict_and_select() {
    let rec = Recording::dataset("A2929-200711").unwrap();
    let wake = rec.restrict("wake").unwrap();
    let b = rec.bin_spikes(0.01, Some("wake")).unwrap();
    assert_eq!(b.counts.dim(), (60_000, 15));
    assert_eq!(b.counts.sum() as usize, wake.n_spikes());
    let adn = rec.select_units("location", "adn").unwrap();
    assert_eq!(adn.n_units(), 7);
    assert_eq!(adn.units_by("location"), vec![("adn".to_string(), 7)]);
    // head direction at bin centres: defined in the tracked part of wake only
    let hd = rec.behaviour_at(col::HEAD_DIRECTION, &b.centres).unwrap();
    let defined = hd.iter().filter(|v| v.is_finite()).count();
    assert!(defined > 50_000 && defined < 60_000, "{defined}");
    assert!(hd
        .iter()
        .filter(|v| v.is_finite())
        .all(|&v| (0.0..std::f64::consts::TAU).contains(&v)));
    let rates = rec.firing_rates(Some("wake")).unwrap();
    assert_eq!(rates.height(), 15);
    assert!(nums(&rates, "rate").iter().all(|&r| r > 0.0));
    let fast = rec
        .with_speed_from("x", "z")
        .unwrap()
        .speed_filter(0.02)
        .unwrap();
    assert!(fast.n_spikes() < wake.n_spikes() && fast.n_spikes() > 0);
}

#[test]
fn pynwb_written_file_with_rate_and_degrees() {
    let r = fixture("mini_reference.json");
    let rec = io::read(root().join("tests/fixtures/data/mini.nwb")).unwrap();
    assert_eq!(rec.unit_ids(), vec![10, 11, 12]);
    assert_eq!(strs(rec.units(), "location"), vec!["adn", "ca1", "adn"]);
    for (i, (_, t)) in rec.spike_trains().into_iter().enumerate() {
        assert_eq!(t, f64s(&r["trains"][i]));
    }
    let b = rec.behaviour();
    let t = nums(b, col::T);
    assert_eq!(t.len(), 50);
    assert_eq!(t[0], r["t_first"].as_f64().unwrap());
    assert!((t[49] - r["t_last"].as_f64().unwrap()).abs() < 1e-12);
    assert_eq!(nums(b, "x")[49], r["x_last"].as_f64().unwrap());
    assert_eq!(nums(b, "y")[0], r["y_first"].as_f64().unwrap());
    let hd = nums(b, col::HEAD_DIRECTION);
    assert!((hd[49] - r["hd_last_rad"].as_f64().unwrap()).abs() < 1e-12);
    assert_eq!(rec.intervals("wake,box").unwrap(), vec![(2.0, 5.0)]);
    assert_eq!(rec.intervals("sleep").unwrap(), vec![(0.0, 2.0)]);
    assert!(rec
        .with_speed()
        .unwrap()
        .channels()
        .contains(&"speed".to_string()));
}

fn same(a: &Recording, b: &Recording) {
    assert_eq!(a.spikes(), b.spikes());
    assert_eq!(a.unit_ids(), b.unit_ids());
    assert_eq!(strs(a.units(), "location"), strs(b.units(), "location"));
    assert_eq!(a.channels(), b.channels());
    for c in a.channels() {
        assert_eq!(nums(a.behaviour(), &c), nums(b.behaviour(), &c), "{c}");
    }
    assert_eq!(nums(a.behaviour(), "t"), nums(b.behaviour(), "t"));
    assert_eq!(strs(a.epochs(), "name"), strs(b.epochs(), "name"));
    assert_eq!(nums(a.epochs(), "start"), nums(b.epochs(), "start"));
    assert_eq!(nums(a.epochs(), "stop"), nums(b.epochs(), "stop"));
    assert_eq!(strs(a.events(), "name"), strs(b.events(), "name"));
    assert_eq!(nums(a.events(), "t"), nums(b.events(), "t"));
}

#[test]
fn round_trips_through_parquet_csv_and_npz() {
    let rec = Recording::dataset("A2929-200711").unwrap();
    let d = temp_dir("rt");
    for name in ["rec.parquet", "rec.csv", "rec.npz"] {
        let p = d.join(name);
        io::write(&rec, &p).unwrap();
        let back = io::read(&p).unwrap();
        same(&rec, &back);
    }
    // a single table file reads its siblings
    let back = io::read(d.join("rec.parquet/spikes.parquet")).unwrap();
    assert_eq!(back.n_units(), 15);
    assert!(io::write(&rec, d.join("x.nwb")).is_err());
}

#[test]
fn compressed_npz_round_trips_and_is_deflated() {
    let rec = Recording::dataset("A2929-200711").unwrap();
    let d = temp_dir("compressed");
    let (stored, packed) = (d.join("stored.npz"), d.join("packed.npz"));
    io::write_npz(&rec, &stored).unwrap();
    io::write_npz_compressed(&rec, &packed).unwrap();
    same(&rec, &io::read(&packed).unwrap());
    let bytes = std::fs::read(&packed).unwrap();
    let size = |p: &PathBuf| std::fs::metadata(p).unwrap().len();
    assert!(
        size(&packed) * 10 < size(&stored) * 8,
        "{} vs {}",
        size(&packed),
        size(&stored)
    );
    // Every central-directory entry (PK\x01\x02) names method 8, deflate.
    let mut entries = 0;
    for i in 0..bytes.len() - 12 {
        if bytes[i..i + 4] == [0x50, 0x4b, 0x01, 0x02] {
            assert_eq!(u16::from_le_bytes([bytes[i + 10], bytes[i + 11]]), 8);
            entries += 1;
        }
    }
    assert!(entries >= 5, "{entries} zip entries");
}

#[test]
fn trajectory_npz_reads_as_behaviour() {
    let d = temp_dir("traj");
    let p = d.join("traj.npz");
    let f = std::fs::File::create(&p).unwrap();
    let mut w = ndarray_npy::NpzWriter::new(f);
    w.add_array("t", &ndarray::array![0.0, 0.1, 0.2]).unwrap();
    w.add_array("pos", &ndarray::array![[0.0, 0.0], [0.1, 0.0], [0.2, 0.1]])
        .unwrap();
    w.finish().unwrap();
    let rec = io::read(&p).unwrap();
    assert_eq!(rec.channels(), vec!["x", "y"]);
    assert_eq!(rec.n_units(), 0);
}

#[test]
fn bad_files_name_the_file_and_the_field() {
    let bytes = std::fs::read(root().join("datasets/A2929-200711.nwb")).unwrap();
    let e = read_nwb_bytes(bytes[..1000].to_vec(), "cut.nwb")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("cut.nwb: "), "{e}");
    let e = read_nwb_bytes(b"not hdf5".to_vec(), "x.nwb")
        .unwrap_err()
        .to_string();
    assert!(e.contains("not an HDF5 file"), "{e}");
    // a plain HDF5 file is not NWB
    let e = io::read(root().join("tests/fixtures/data/h5_chunked.h5"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("nwb_version"), "{e}");
    // non-monotonic behaviour times, NaNs and wrong shapes in tables
    let d = temp_dir("bad");
    let rec = Recording::dataset("A2929-200711").unwrap();
    io::write(&rec, d.join("r.csv")).unwrap();
    std::fs::write(
        d.join("r.csv/behaviour.csv"),
        "t,x\n0.0,1.0\n0.2,2.0\n0.1,3.0\n",
    )
    .unwrap();
    let e = io::read(d.join("r.csv")).unwrap_err().to_string();
    assert!(
        e.contains("behaviour") && e.contains("strictly increasing"),
        "{e}"
    );
    // NaN is an untracked sample (kept), an infinity is an error
    std::fs::write(
        d.join("r.csv/behaviour.csv"),
        "t,x\n0.0,1.0\n0.1,2.0\n0.2,NaN\n",
    )
    .unwrap();
    let r = io::read(d.join("r.csv")).unwrap();
    let x = r.behaviour_at("x", &[0.05, 0.15]).unwrap();
    assert!((x[0] - 1.5).abs() < 1e-12 && x[1].is_nan(), "{x:?}");
    std::fs::write(d.join("r.csv/behaviour.csv"), "t,x\n0.0,1.0\n0.2,inf\n").unwrap();
    let e = io::read(d.join("r.csv")).unwrap_err().to_string();
    assert!(
        e.contains("`x`") && e.contains("row 1") && e.contains("infinite"),
        "{e}"
    );
    std::fs::write(d.join("r.csv/behaviour.csv"), "t\n0.0\n").unwrap();
    std::fs::write(d.join("r.csv/spikes.csv"), "unit,time\n0,0.5\n").unwrap();
    let e = io::read(d.join("r.csv")).unwrap_err().to_string();
    assert!(e.contains("spikes") && e.contains("`t`"), "{e}");
    std::fs::write(d.join("r.csv/spikes.csv"), "unit,t\n99,0.5\n").unwrap();
    let e = io::read(d.join("r.csv")).unwrap_err().to_string();
    assert!(e.contains("unit 99"), "{e}");
    let e = io::read(d.join("missing.nwb")).unwrap_err().to_string();
    assert!(e.contains("missing.nwb"), "{e}");
    assert!(Recording::dataset("no-such-dataset").is_err());
}

#[test]
fn fuzzed_nwb_bytes_never_panic() {
    let bytes = std::fs::read(root().join("datasets/A2929-200711.nwb")).unwrap();
    let mut rng = canns::random::seeded(2929);
    // Metadata lives in the first pages and between the big arrays; aim most
    // mutations there.
    let hot = [
        (0usize, 8192usize),
        (6_118_000, 6_340_000),
        (7_120_000, bytes.len()),
    ];
    let mut errors = 0;
    let n = 24;
    for i in 0..n {
        let mut b = bytes.clone();
        if i % 4 == 0 {
            b.truncate(rng.random_range(0..bytes.len()));
        } else {
            for _ in 0..rng.random_range(1..8) {
                let (lo, hi) = hot[rng.random_range(0..hot.len())];
                let k = rng.random_range(lo..hi);
                b[k] = rng.random();
            }
        }
        match read_nwb_bytes(b, "fuzz.nwb") {
            Ok(r) => assert!(r.n_units() <= 1_000_000),
            Err(e) => {
                errors += 1;
                assert!(e.to_string().starts_with("fuzz.nwb: "), "{e}");
            }
        }
    }
    assert!(
        errors >= n / 4,
        "{errors} of {n} mutated files were rejected"
    );
}

/// FNV-1a over the bits of `v`: equal digests mean bit-identical values.
fn digest(v: impl IntoIterator<Item = f64>) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for x in v {
        let b = if x.is_nan() {
            f64::NAN.to_bits()
        } else {
            x.to_bits()
        };
        for byte in b.to_le_bytes() {
            h ^= byte as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    format!("{h:016x}")
}

fn same_binning(name: &str, counts: &canns::ndarray::Array2<f64>, centres: &[f64], want: &Value) {
    assert_eq!(
        vec![counts.nrows() as u64, counts.ncols() as u64],
        want["dim"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect::<Vec<_>>(),
        "{name}"
    );
    let sums: Vec<f64> = counts.columns().into_iter().map(|c| c.sum()).collect();
    assert_eq!(sums, f64s(&want["col_sums"]), "{name}");
    assert_eq!(
        digest(counts.iter().copied()),
        want["counts_hash"],
        "{name}"
    );
    assert_eq!(
        digest(centres.iter().copied()),
        want["centres_hash"],
        "{name}"
    );
}

/// The one binning routine (`BinnedSpikes`) gives, bit for bit, what the
/// three routines it replaced gave on the real recording: the recording's
/// own binning (over an epoch, over the whole span, over the 594 ripple
/// intervals), the decoding's (over the tracked span) and the signature
/// pipeline's (`Activity::from_spike_times`). Digests computed by the
/// previous routines (tests/fixtures/data/binning_previous.json).
#[test]
fn binning_gives_the_previous_counts_on_a2929() {
    use canns::data::BinnedSpikes;
    use canns::pipeline::Activity;
    let want = fixture("binning_previous.json");
    let rec = Recording::dataset("A2929-200711").unwrap();
    for (name, bin, epoch) in [
        ("recording_wake_0.1", 0.1, Some("wake")),
        ("recording_all_0.01", 0.01, None),
        ("recording_ripples_0.02", 0.02, Some("sleep_ripples")),
    ] {
        let b = rec.bin_spikes(bin, epoch).unwrap();
        same_binning(name, &b.counts, &b.centres, &want[name]);
    }
    let (t, _) = rec.channel_values(col::HEAD_DIRECTION).unwrap();
    let trains: Vec<Vec<f64>> = rec.spike_trains().into_iter().map(|(_, s)| s).collect();
    let b = BinnedSpikes::from_spike_times(&trains, 0.1, t[0], t[t.len() - 1]).unwrap();
    same_binning(
        "decoding_tracked_0.1",
        &b.counts,
        &b.centres,
        &want["decoding_tracked_0.1"],
    );
    let a = Activity::from_spike_times(&trains, 0.1, 600.0, 1200.0).unwrap();
    let times: Vec<f64> = (0..a.n_bins()).map(|i| a.time(i)).collect();
    same_binning(
        "activity_600_1200_0.1",
        &a.counts,
        &times,
        &want["activity_600_1200_0.1"],
    );
    // 0.3 s over 0.1 s bins is 2.9999999999999996 bins: still 3.
    let b = BinnedSpikes::from_spike_times(&[vec![0.25]], 0.1, 0.0, 0.3).unwrap();
    assert_eq!(b.counts.column(0).to_vec(), vec![0.0, 0.0, 1.0]);
    let r = Recording::builder()
        .spike_train(0, vec![0.25])
        .epoch("e", 0.0, 0.3)
        .build()
        .unwrap();
    assert_eq!(r.bin_spikes(0.1, Some("e")).unwrap().n_bins(), 3);
}
