//! The NWB reader against what pynwb reads, on a corpus of small files as
//! labs write them today (tests/fixtures/nwb, written by
//! scripts/reference/nwb_corpus.py): pynwb defaults with `libver="latest"`,
//! every chunk index, soft links, dense attributes, deleted links, 0 units,
//! float32 and big-endian data, each filter (the plugin filters zstd,
//! bitshuffle and blosc with each codec included); files that must fail
//! with an error naming the filter, the codec or the external file; damaged
//! chunks and damaged files (an error naming the path, never "absent"); and
//! a mutation test (bit flips and truncations: an error or a recording,
//! never a panic or a hang).

mod common;
use canns::data::io::{self, read_nwb_bytes};
use canns::data::{col, Recording};
use canns::polars::prelude::*;
use common::f64s;
use rand::RngExt;
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nwb")
}

fn corpus() -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir().join("corpus.json")).unwrap()).unwrap()
}

fn nums(df: &DataFrame, c: &str) -> Vec<f64> {
    df.column(c)
        .unwrap_or_else(|_| panic!("no column {c}"))
        .cast(&DataType::Float64)
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .map(|s| s.unwrap())
        .collect()
}

fn strs(df: &DataFrame, c: &str) -> Vec<String> {
    df.column(c)
        .unwrap_or_else(|_| panic!("no column {c}"))
        .str()
        .unwrap()
        .iter()
        .map(|s| s.unwrap().to_string())
        .collect()
}

/// Checks one file against what pynwb read from it.
fn check(name: &str, want: &Value) {
    let rec = io::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    // units and spikes
    let units = want["units"].as_array().unwrap();
    let ids: Vec<u32> = units
        .iter()
        .map(|u| u["id"].as_u64().unwrap() as u32)
        .collect();
    assert_eq!(rec.unit_ids(), ids, "{name}: unit ids");
    if !units.is_empty() {
        let loc: Vec<String> = units
            .iter()
            .map(|u| u["location"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(strs(rec.units(), "location"), loc, "{name}: location");
        let groups: Vec<String> = units
            .iter()
            .map(|u| u["electrode_group"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            strs(rec.units(), "electrode_group"),
            groups,
            "{name}: electrode groups"
        );
    }
    let trains = rec.spike_trains();
    assert_eq!(trains.len(), units.len(), "{name}: trains");
    for ((id, t), u) in trains.iter().zip(units) {
        assert_eq!(*id as u64, u["id"].as_u64().unwrap());
        assert_eq!(*t, f64s(&u["spike_times"]), "{name}: unit {id}");
    }
    // behaviour: pynwb's values; degrees become radians
    let b = &want["behaviour"];
    let t = f64s(&b["t"]);
    assert_eq!(f64s(&b["hd_t"]), t, "{name}: the corpus shares timestamps");
    let beh = rec.behaviour();
    assert_eq!(nums(beh, col::T), t, "{name}: t");
    assert_eq!(nums(beh, "x"), f64s(&b["x"]), "{name}: x");
    assert_eq!(nums(beh, "y"), f64s(&b["y"]), "{name}: y");
    assert_eq!(b["hd_unit"], "degrees");
    let hd: Vec<f64> = f64s(&b["hd"]).iter().map(|d| d.to_radians()).collect();
    assert_eq!(nums(beh, col::HEAD_DIRECTION), hd, "{name}: head direction");
    // epochs (tags joined by `,`; other interval tables named after the table)
    let mut want_ep: Vec<(String, f64, f64)> = want["epochs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["start"].as_f64().unwrap(),
                e["stop"].as_f64().unwrap(),
            )
        })
        .collect();
    let ep = rec.epochs();
    let mut got_ep: Vec<(String, f64, f64)> = strs(ep, "name")
        .into_iter()
        .zip(nums(ep, "start"))
        .zip(nums(ep, "stop"))
        .map(|((n, s), t)| (n, s, t))
        .collect();
    want_ep.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    got_ep.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    assert_eq!(got_ep, want_ep, "{name}: epochs");
    // events: TimeSeries with timestamps in acquisition
    let ev = rec.events();
    let mut got: Vec<(String, f64)> = strs(ev, "name").into_iter().zip(nums(ev, "t")).collect();
    let mut exp: Vec<(String, f64)> = want["events"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(n, ts)| f64s(ts).into_iter().map(move |t| (n.clone(), t)))
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    exp.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    assert_eq!(got, exp, "{name}: events");
}

fn file(name: &str) -> Value {
    let c = corpus();
    let f = c["files"][name].clone();
    assert!(!f.is_null(), "{name} is not in the corpus");
    f
}

#[test]
fn pynwb_defaults_with_libver_latest_and_soft_linked_timestamps() {
    let f = file("latest.nwb");
    // hdmf chunks every table column: layout v4 chunk indices
    let layouts: Vec<&str> = f["layouts"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(layouts.contains(&"extensible_array"), "{layouts:?}");
    check("latest.nwb", &f["expect"]);
}

#[test]
fn every_chunk_index() {
    let f = file("layouts.nwb");
    let mut kinds: Vec<&str> = f["layouts"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "btree_v2",
            "extensible_array",
            "fixed_array",
            "implicit",
            "single"
        ]
    );
    check("layouts.nwb", &f["expect"]);
}

#[test]
fn dense_attributes_keep_degrees() {
    check("dense_attrs.nwb", &file("dense_attrs.nwb")["expect"]);
}

#[test]
fn deleted_links_are_gone() {
    for (name, gone, kept) in [
        ("deleted_links.nwb", "ev00", "ev01"),
        ("deleted_links_v0.nwb", "ev01", "ev00"),
    ] {
        let f = file(name);
        check(name, &f["expect"]);
        let rec = io::read(dir().join(name)).unwrap();
        let names = strs(rec.events(), "name");
        assert!(!names.iter().any(|n| n == gone), "{name}");
        assert!(names.iter().any(|n| n == kept), "{name}");
    }
}

#[test]
fn zero_units_give_a_recording_without_units() {
    check("zero_units.nwb", &file("zero_units.nwb")["expect"]);
    let rec = io::read(dir().join("zero_units.nwb")).unwrap();
    assert_eq!(rec.n_units(), 0);
    assert_eq!(rec.n_spikes(), 0);
}

#[test]
fn float32_and_big_endian() {
    check("float32_be.nwb", &file("float32_be.nwb")["expect"]);
}

#[test]
fn supported_filters() {
    for name in [
        "filter_gzip.nwb",
        "filter_lzf.nwb",
        "filter_scaleoffset.nwb",
        "filter_nbit.nwb",
    ] {
        check(name, &file(name)["expect"]);
    }
}

#[test]
fn unsupported_filters_and_external_links_are_named() {
    let c = corpus();
    let mut n = 0;
    for (name, f) in c["files"].as_object().unwrap() {
        let Some(needles) = f["error"].as_array() else {
            continue;
        };
        n += 1;
        let e = io::read(dir().join(name))
            .err()
            .unwrap_or_else(|| panic!("{name} must fail"))
            .to_string();
        assert!(e.contains(name.as_str()), "{e}");
        for s in needles {
            assert!(e.contains(s.as_str().unwrap()), "{name}: `{e}` lacks {s}");
        }
    }
    assert!(n >= 2, "{n} failing files in the corpus");
}

/// The corpus files written with filters from `hdf5plugin` (zstd,
/// bitshuffle, blosc), with the chunks of their `units/spike_times`.
fn plugin_files() -> Vec<(String, Value)> {
    let c = corpus();
    let files: Vec<(String, Value)> = c["files"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, f)| !f["chunks"].is_null())
        .map(|(n, f)| (n.clone(), f.clone()))
        .collect();
    let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "filter_bitshuffle.nwb",
            "filter_blosc_blosclz.nwb",
            "filter_blosc_lz4.nwb",
            "filter_blosc_lz4hc.nwb",
            "filter_blosc_zlib.nwb",
            "filter_blosc_zstd.nwb",
            "filter_zstd.nwb"
        ]
    );
    files
}

/// zstd; bitshuffle bare, with LZ4 and with zstd; blosc with blosclz, lz4,
/// lz4hc, zlib and zstd, byte shuffle, bit shuffle and none, split and
/// unsplit blocks, leftover blocks: every value equals what h5py decodes.
#[test]
fn zstd_bitshuffle_and_blosc_give_what_h5py_reads() {
    for (name, f) in plugin_files() {
        check(&name, &f["expect"]);
        // 24 units of 20 + 5 i spikes, float32 positions
        let rec = io::read(dir().join(&name)).unwrap();
        assert_eq!((rec.n_units(), rec.n_spikes()), (24, 1860), "{name}");
    }
}

/// Reads a damaged copy of a corpus file: the error, which must name the
/// file and the dataset.
fn damaged(name: &str, b: Vec<u8>, what: &str) -> String {
    let e = read_nwb_bytes(b, name)
        .err()
        .unwrap_or_else(|| panic!("{name}: {what} must be an error"))
        .to_string();
    assert!(
        e.starts_with(&format!("{name}: ")) && e.contains("spike_times"),
        "{name}: {what}: {e}"
    );
    e
}

/// A chunk cut short (its size in the chunk index halved, or one byte
/// less) and flipped header bytes are errors naming the dataset; random
/// byte flips inside a chunk give errors or data, never a panic.
#[test]
fn damaged_plugin_chunks_are_errors_naming_the_dataset() {
    for (name, f) in plugin_files() {
        let bytes = std::fs::read(dir().join(&name)).unwrap();
        let chunks = f["chunks"].as_array().unwrap();
        assert!(chunks.len() >= 2, "{name}");
        for c in chunks {
            let (at, size, size_at) = (
                c["offset"].as_u64().unwrap() as usize,
                c["size"].as_u64().unwrap() as u32,
                c["size_at"].as_u64().unwrap() as usize,
            );
            assert_eq!(bytes[size_at..size_at + 4], size.to_le_bytes(), "{name}");
            for cut in [size / 2, size - 1] {
                let mut b = bytes.clone();
                b[size_at..size_at + 4].copy_from_slice(&cut.to_le_bytes());
                damaged(&name, b, &format!("chunk at {at} cut to {cut} bytes"));
            }
            // header bytes whose damage is detectable: zstd's magic number;
            // bitshuffle's decoded size; blosc's format version, decoded
            // size and first block offset
            let flips: &[usize] = if name.contains("blosc") {
                &[0, 5, 19]
            } else if name.contains("bitshuffle") {
                &[6, 7]
            } else {
                &[0, 1, 2, 3]
            };
            for &k in flips {
                let mut b = bytes.clone();
                b[at + k] ^= 0x5a;
                damaged(&name, b, &format!("byte {k} of the chunk at {at} flipped"));
            }
        }
        // flips anywhere in the first chunk: an error naming the dataset,
        // or data, never a panic
        let c = &chunks[0];
        let (at, size) = (
            c["offset"].as_u64().unwrap() as usize,
            c["size"].as_u64().unwrap() as usize,
        );
        let mut rng = canns::random::seeded(5);
        let mut errors = 0;
        for _ in 0..200 {
            let mut b = bytes.clone();
            for _ in 0..rng.random_range(1..=3) {
                b[at + rng.random_range(0..size)] ^= 1 << rng.random_range(0..8);
            }
            match catch_unwind(AssertUnwindSafe(|| read_nwb_bytes(b, &name))) {
                Err(_) => panic!("{name}: a flipped chunk panicked"),
                Ok(Err(e)) => {
                    let e = e.to_string();
                    assert!(e.contains("spike_times"), "{name}: {e}");
                    errors += 1;
                }
                Ok(Ok(_)) => {}
            }
        }
        eprintln!("{name}: 200 flipped chunks, {errors} errors");
    }
}

fn bundled() -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/A2929-200711.nwb"))
        .unwrap()
}

/// The object header address of a path in an HDF5 file.
fn address(bytes: &[u8], path: &str) -> u64 {
    let f = hdf5_reader::Hdf5File::from_bytes(bytes).unwrap();
    match f.group(path) {
        Ok(g) => g.address(),
        Err(_) => f.dataset(path).unwrap().address(),
    }
}

#[test]
fn damaged_optional_paths_are_errors_naming_the_path() {
    let bytes = bundled();
    let whole = read_nwb_bytes(bytes.clone(), "a.nwb").unwrap();
    assert!(whole.channels().contains(&col::HEAD_DIRECTION.to_string()));
    for path in [
        "acquisition/CompassDirection",
        "acquisition/CompassDirection/ry/data",
        "units/id",
        "units/location",
        "intervals/epochs/tags",
        "intervals/sleep_ripples",
        "acquisition/sleep_ripples",
    ] {
        // the file's object headers are version 1: the first byte is the
        // version, which a damaged header no longer holds
        let at = address(&bytes, path) as usize;
        assert_eq!(bytes[at], 1, "{path}");
        let mut b = bytes.clone();
        b[at] = 0x37;
        let e = read_nwb_bytes(b, "damaged.nwb")
            .err()
            .unwrap_or_else(|| panic!("damaged {path} must be an error"))
            .to_string();
        let last = path.rsplit('/').next().unwrap();
        assert!(
            e.starts_with("damaged.nwb: ") && e.contains(last),
            "{path}: {e}"
        );
    }
}

#[test]
fn shape_products_that_wrap_and_zero_element_sizes_are_errors() {
    let c = corpus();
    let h = &c["hostile"];
    assert_eq!(
        h["wrap"], "overflows",
        "also checked in the library's hdf5 tests"
    );
    // the same classes through the NWB reader: patch the position data's
    // dims (60, 2) to (2^63, 2), whose product wraps to 0 in 64 bits
    let bytes = std::fs::read(dir().join("deleted_links_v0.nwb")).unwrap();
    let at = address(&bytes, "processing/behavior/Position/xy/data") as usize;
    let dims: Vec<u8> = [60u64, 2].iter().flat_map(|d| d.to_le_bytes()).collect();
    let k = bytes[at..at + 512]
        .windows(16)
        .position(|w| w == dims.as_slice())
        .expect("the dataspace message holds the dims")
        + at;
    let mut b = bytes.clone();
    b[k..k + 8].copy_from_slice(&(1u64 << 63).to_le_bytes());
    let e = read_nwb_bytes(b, "wrap.nwb")
        .expect_err("wrapping shape")
        .to_string();
    assert!(e.contains("xy"), "{e}");
    // element size 0 in the float64 datatype of the same dataset
    let f64_type = [0x11u8, 0x20, 0x3f, 0x00, 8, 0, 0, 0];
    let k = bytes[at..at + 512]
        .windows(8)
        .position(|w| w == f64_type)
        .expect("the datatype message")
        + at;
    let mut b = bytes.clone();
    b[k + 4] = 0;
    let e = read_nwb_bytes(b, "esize.nwb")
        .expect_err("element size 0")
        .to_string();
    assert!(e.contains("xy"), "{e}");
}

/// One mutation of `base`: a truncation, or 1 to 4 random bytes (mostly in
/// the `hot` ranges, where the metadata is).
fn mutate(base: &[u8], hot: &[(usize, usize)], seed: u64) -> Vec<u8> {
    let mut rng = canns::random::seeded(seed);
    let mut b = base.to_vec();
    if rng.random_range(0..5) == 0 {
        b.truncate(rng.random_range(0..base.len()));
    } else {
        for _ in 0..rng.random_range(1..=4) {
            let (lo, hi) = if rng.random_range(0..4) == 0 {
                (0, base.len())
            } else {
                hot[rng.random_range(0..hot.len())]
            };
            let k = rng.random_range(lo..hi.min(base.len()));
            if rng.random() {
                b[k] ^= 1 << rng.random_range(0..8);
            } else {
                b[k] = rng.random();
            }
        }
    }
    b
}

/// Reads `n` mutations of each file on two threads; a read that panics
/// fails the test, one running longer than 20 s is a hang.
#[test]
fn mutated_files_give_errors_or_recordings_never_panics_or_hangs() {
    let a2929 = bundled();
    let latest = std::fs::read(dir().join("latest.nwb")).unwrap();
    let v0 = std::fs::read(dir().join("deleted_links_v0.nwb")).unwrap();
    // where the metadata of the bundled file lives (object headers, B-trees,
    // heaps): its first pages and the ranges between the big arrays
    let hot_a = vec![(0, 8192), (6_118_000, 6_340_000), (7_120_000, a2929.len())];
    let whole = |b: &[u8]| vec![(0, b.len())];
    // (file, bytes, where to mutate, how many mutations)
    type Job = (&'static str, Vec<u8>, Vec<(usize, usize)>, usize);
    let jobs: Vec<Job> = vec![
        ("A2929-200711.nwb", a2929.clone(), hot_a, 800),
        ("latest.nwb", latest.clone(), whole(&latest), 1000),
        ("deleted_links_v0.nwb", v0.clone(), whole(&v0), 1000),
    ];
    let originals: Vec<Recording> = jobs
        .iter()
        .map(|j| read_nwb_bytes(j.1.clone(), j.0).unwrap())
        .collect();
    let tasks: Vec<(usize, u64)> = jobs
        .iter()
        .enumerate()
        .flat_map(|(j, job)| (0..job.3 as u64).map(move |s| (j, s)))
        .collect();
    let jobs = Arc::new(jobs);
    let tasks = Arc::new(tasks);
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    // per worker: task index + 1 and its start in ms since `t0` (0 = idle)
    let t0 = Instant::now();
    let running: Arc<Vec<(AtomicUsize, AtomicU64)>> = Arc::new(
        (0..2)
            .map(|_| (AtomicUsize::new(0), AtomicU64::new(0)))
            .collect(),
    );
    let workers: Vec<_> = (0..2)
        .map(|w| {
            let (jobs, tasks, next, running) =
                (jobs.clone(), tasks.clone(), next.clone(), running.clone());
            std::thread::spawn(move || {
                let mut out = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&(j, seed)) = tasks.get(i) else {
                        break;
                    };
                    let (name, base, hot, _) = &jobs[j];
                    let b = mutate(base, hot, seed);
                    running[w]
                        .1
                        .store(t0.elapsed().as_millis() as u64, Ordering::SeqCst);
                    running[w].0.store(i + 1, Ordering::SeqCst);
                    let r = catch_unwind(AssertUnwindSafe(|| read_nwb_bytes(b, name)));
                    running[w].0.store(0, Ordering::SeqCst);
                    out.push((j, seed, r.map_err(|_| ())));
                }
                out
            })
        })
        .collect();
    let watch = {
        let (running, done, tasks) = (running.clone(), done.clone(), tasks.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(200));
                for r in running.iter() {
                    let i = r.0.load(Ordering::SeqCst);
                    let since = t0.elapsed().as_millis() as u64 - r.1.load(Ordering::SeqCst);
                    if i > 0 && since > 20_000 {
                        return Some(tasks[i - 1]);
                    }
                }
            }
            None
        })
    };
    let mut results = Vec::new();
    for w in workers {
        results.extend(w.join().unwrap());
    }
    done.store(true, Ordering::SeqCst);
    if let Some((j, seed)) = watch.join().unwrap() {
        panic!("mutation {seed} of file {j} ran for more than 20 s");
    }
    let mut counts = vec![[0usize; 3]; jobs.len()]; // error, same, other data
    for (j, seed, r) in results {
        let name = jobs[j].0;
        match r {
            Err(()) => panic!("mutation {seed} of {name} panicked"),
            Ok(Err(e)) => {
                let e = e.to_string();
                assert!(e.starts_with(&format!("{name}: ")), "{e}");
                counts[j][0] += 1;
            }
            Ok(Ok(rec)) => {
                let o = &originals[j];
                let same = rec.spikes() == o.spikes()
                    && rec.unit_ids() == o.unit_ids()
                    && rec.channels() == o.channels()
                    && rec.epochs() == o.epochs();
                counts[j][if same { 1 } else { 2 }] += 1;
            }
        }
    }
    for (j, c) in counts.iter().enumerate() {
        // flips in stored numbers cannot be detected (HDF5 keeps no
        // checksum of raw data unless Fletcher-32 is on): those read as
        // other data; most mutations of the metadata must be errors
        eprintln!(
            "{}: {} errors, {} unchanged, {} other data",
            jobs[j].0, c[0], c[1], c[2]
        );
        assert!(c[0] >= jobs[j].3 / 5, "{}: {c:?}", jobs[j].0);
    }
}

/// deleted_links_v0.nwb with `acquisition/ev02/data` grown to 2^27 float64
/// (1 GiB) stored past the old end of the file, as a hole: a file with GBs
/// of raw samples, on disk in a few kB.
fn big_file(path: &std::path::Path) {
    let mut b = std::fs::read(dir().join("deleted_links_v0.nwb")).unwrap();
    let at = address(&b, "acquisition/ev02/data") as usize;
    let n: u64 = 1 << 27;
    let start = (b.len() as u64).next_multiple_of(4096);
    let le = |b: &[u8], k: usize| u64::from_le_bytes(b[k..k + 8].try_into().unwrap());
    // the messages of a version 1 object header (16-byte prefix), following
    // continuation messages (type 0x10): (type, start of the message data)
    assert_eq!(b[at], 1);
    let mut blocks = vec![(at + 16, le(&b, at + 8) as usize & 0xffff_ffff)];
    let mut msgs = Vec::new();
    while let Some((mut k, len)) = blocks.pop() {
        let end = k + len;
        while k + 8 <= end {
            let t = u16::from_le_bytes([b[k], b[k + 1]]);
            let size = u16::from_le_bytes([b[k + 2], b[k + 3]]) as usize;
            if t == 0x10 {
                blocks.push((le(&b, k + 8) as usize, le(&b, k + 16) as usize));
            }
            msgs.push((t, k + 8));
            k += 8 + size;
        }
    }
    // dataspace v1 (type 1): dims (and max dims) 2 -> n
    let &(_, d) = msgs.iter().find(|m| m.0 == 1).expect("a dataspace");
    assert_eq!((b[d], b[d + 1], le(&b, d + 8)), (1, 1, 2));
    b[d + 8..d + 16].copy_from_slice(&n.to_le_bytes());
    if b[d + 2] & 1 == 1 {
        b[d + 16..d + 24].copy_from_slice(&n.to_le_bytes());
    }
    // layout v3, contiguous (type 8): address, size 16 -> start, 8n
    let &(_, l) = msgs.iter().find(|m| m.0 == 8).expect("a layout");
    assert_eq!((b[l], b[l + 1], le(&b, l + 10)), (3, 1, 16));
    b[l + 2..l + 10].copy_from_slice(&start.to_le_bytes());
    b[l + 10..l + 18].copy_from_slice(&(8 * n).to_le_bytes());
    // superblock v0: the end-of-file address is at byte 40
    b[40..48].copy_from_slice(&(start + 8 * n).to_le_bytes());
    std::fs::write(path, &b).unwrap();
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.set_len(start + 8 * n).unwrap();
}

/// Run by `large_files_are_read_lazily` in a child process, so its peak
/// memory is its own.
#[test]
#[ignore = "run by large_files_are_read_lazily"]
fn large_file_child() {
    let Ok(p) = std::env::var("CANNS_BIG_NWB") else {
        return;
    };
    let rec = io::read(&p).unwrap();
    assert_eq!(rec.n_units(), 3);
    assert!(rec.channels().contains(&col::HEAD_DIRECTION.to_string()));
}

#[cfg(target_os = "linux")]
#[test]
fn large_files_are_read_lazily() {
    let d = std::env::temp_dir().join(format!("canns-big-nwb-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join("big.nwb");
    big_file(&p);
    assert!(std::fs::metadata(&p).unwrap().len() > 1 << 30);
    // the big dataset is really there: its shape is read (not its data)
    let f = hdf5_reader::Hdf5File::open(&p).unwrap();
    assert_eq!(
        f.dataset("acquisition/ev02/data").unwrap().shape(),
        [1 << 27]
    );
    // reaped by wait4 below, which also gives its peak memory
    #[allow(clippy::zombie_processes)]
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "large_file_child",
            "--ignored",
            "--test-threads=1",
        ])
        .env("CANNS_BIG_NWB", &p)
        .stdout(std::fs::File::create(d.join("out.txt")).unwrap())
        .spawn()
        .unwrap();
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; status and usage are valid out-pointers
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    let out = std::fs::read_to_string(d.join("out.txt")).unwrap();
    std::fs::remove_dir_all(&d).unwrap();
    assert_eq!(pid, child.id() as i32);
    assert!(out.contains("1 passed"), "the child ran no test: {out}");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child failed: {status}"
    );
    let peak_mb = usage.ru_maxrss as f64 / 1024.0;
    eprintln!("reading a 1 GiB NWB file: peak RSS {peak_mb:.1} MB");
    assert!(peak_mb < 100.0, "peak RSS {peak_mb:.1} MB");
}
