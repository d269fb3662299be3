//! `canns inspect` and `canns convert` on the bundled recording, including
//! bad input.

mod common;
use common::{canns, canns_ok, temp_dir};

#[test]
fn inspect_summarises_the_dataset() {
    let out = canns_ok(&["inspect", "A2929-200711"]);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("15 units, 98794 spikes"), "{s}");
    assert!(
        s.contains("adn          7") && s.contains("ca1          8"),
        "{s}"
    );
    assert!(
        s.contains("wake") && s.contains("600.000-1200.000 s"),
        "{s}"
    );
    assert!(s.contains("head_direction") && s.contains("rad"), "{s}");
    assert!(s.contains("sleep_ripples") && s.contains("594"), "{s}");
}

#[test]
fn convert_round_trips_through_every_format() {
    let d = temp_dir("convert");
    let npz = d.join("a.npz");
    let pq = d.join("a.parquet");
    let csv = d.join("a.csv");
    for (inp, out) in [
        ("A2929-200711", &npz),
        (npz.to_str().unwrap(), &pq),
        (pq.to_str().unwrap(), &csv),
    ] {
        let o = canns(&["convert", inp, out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains("15 units, 98794 spikes"));
    }
    let a = canns(&["inspect", "A2929-200711"]).stdout;
    let b = canns(&["inspect", csv.to_str().unwrap()]).stdout;
    let body = |s: &[u8]| {
        String::from_utf8_lossy(s)
            .lines()
            .skip(1)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        body(&a),
        body(&b),
        "the CSV copy summarises like the NWB file"
    );
    // --compress: a deflated NPZ, smaller, read back the same.
    let packed = d.join("packed.npz");
    canns_ok(&[
        "convert",
        "A2929-200711",
        packed.to_str().unwrap(),
        "--compress",
    ]);
    let size = |p: &std::path::Path| std::fs::metadata(p).unwrap().len();
    assert!(
        size(&packed) * 10 < size(&npz) * 8,
        "{} vs {}",
        size(&packed),
        size(&npz)
    );
    let c = canns(&["inspect", packed.to_str().unwrap()]).stdout;
    assert_eq!(body(&a), body(&c), "the compressed copy summarises alike");
    let o = canns(&[
        "convert",
        "A2929-200711",
        pq.to_str().unwrap(),
        "--compress",
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--compress applies to .npz"));
}

#[test]
fn bad_input_is_a_clear_error() {
    let d = temp_dir("bad");
    let o = canns(&["inspect", "no-such-file.nwb"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-file.nwb"));
    let bad = d.join("bad.nwb");
    std::fs::write(&bad, b"\x89HDF\r\n\x1a\n\x00\x00").unwrap();
    let o = canns(&["inspect", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("bad.nwb") && e.contains("truncated"), "{e}");
    let o = canns(&["convert", "A2929-200711", d.join("x.txt").to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown output format"));
}

#[test]
fn datasets_lists_and_installs_into_a_data_folder() {
    let out = canns_ok(&["datasets"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for f in ["A2929-200711.nwb", "sargolini.npz", "tanni.npz"] {
        let line = text
            .lines()
            .find(|l| l.starts_with(f))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(!line.contains("not found"), "{line}");
    }
    assert!(text.contains("searched, in order:"), "{text}");

    let dir = temp_dir("datasets-install");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets");
    let to = dir.join("data");
    let out = canns_ok(&[
        "datasets",
        "install",
        "--from",
        src.to_str().unwrap(),
        "--to",
        to.to_str().unwrap(),
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
    assert!(to.join("sargolini.npz").is_file());

    // A folder without the datasets is an error naming it.
    let out = canns(&["datasets", "install", "--from", dir.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(dir.to_str().unwrap()) && err.contains("none of the bundled"),
        "{err}"
    );
}
