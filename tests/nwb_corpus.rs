//! The NWB reader against what pynwb reads, on a corpus of small files as
//! labs write them today (tests/fixtures/nwb, written by
//! scripts/reference/nwb_corpus.py): pynwb defaults with `libver="latest"`,
//! every chunk index, soft links, dense attributes, deleted links, 0 units,
//! float32 and big-endian data, each filter; and files that must fail with an
//! error naming the filter or the external file.

use canns::data::col;
use canns::data::io;
use canns::polars::prelude::*;
use serde_json::Value;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nwb")
}

fn corpus() -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir().join("corpus.json")).unwrap()).unwrap()
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
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
fn default_libver_with_soft_links() {
    check("earliest.nwb", &file("earliest.nwb")["expect"]);
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
    assert!(n >= 3, "{n} failing files in the corpus");
}
