//! `canns signature`: a count matrix in, a JSON or HTML report out; clear
//! errors on bad input.

use canns::ndarray::{arr0, Array1, Array2};
use std::f64::consts::TAU;
mod common;
use common::{canns, canns_ok, temp_dir};

/// Expected counts of 8 cosine-tuned cells along an angle turning at 0.7 rad/s
/// (deterministic: a clean ring).
fn ring_counts() -> (Array2<f64>, Vec<f64>) {
    let n = 600;
    let angle: Vec<f64> = (0..n)
        .map(|i| canns::space::wrap(0.07 * i as f64 + 0.3 * (0.01 * i as f64).sin()))
        .collect();
    let counts = Array2::from_shape_fn((n, 8), |(i, u)| {
        let pref = u as f64 * TAU / 8.0;
        4.0 * (2.0 * ((angle[i] - pref).cos() - 1.0)).exp()
    });
    (counts, angle)
}

#[test]
fn signature_reads_npz_and_writes_json_and_html() {
    let dir = temp_dir("npz");
    let (counts, angle) = ring_counts();
    let path = dir.join("ring.npz");
    let mut w = ndarray_npy::NpzWriter::new(std::fs::File::create(&path).unwrap());
    w.add_array("counts", &counts).unwrap();
    w.add_array("bin_size", &arr0(0.1)).unwrap();
    w.add_array("angle", &Array1::from(angle)).unwrap();
    w.finish().unwrap();
    let json = dir.join("report.json");
    canns_ok(&[
        "signature",
        path.to_str().unwrap(),
        "--shuffles",
        "3",
        "--n-points",
        "120",
        "--out",
        json.to_str().unwrap(),
    ]);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["significant"][1], 1, "{v}");
    assert!(
        v["comparison"]["correlation"].as_f64().unwrap() > 0.8,
        "{v}"
    );
    assert_eq!(v["shuffle_max"].as_array().unwrap().len(), 3);
    assert_eq!(v["kept_bins"], 300);
    let html = dir.join("report.html");
    canns_ok(&[
        "signature",
        path.to_str().unwrap(),
        "--shuffles",
        "2",
        "--n-points",
        "100",
        "--out",
        html.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("Attractor signature") && text.contains("shuffle band"));
}

#[test]
fn signature_reads_npy_with_a_bin_size() {
    let dir = temp_dir("npy");
    let (counts, _) = ring_counts();
    let path = dir.join("counts.npy");
    ndarray_npy::write_npy(&path, &counts).unwrap();
    let json = dir.join("r.json");
    let args = [
        "signature",
        path.to_str().unwrap(),
        "--shuffles",
        "0",
        "--n-points",
        "100",
        "--out",
        json.to_str().unwrap(),
    ];
    let out = canns(&args);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bin-size"));
    let mut with_bin = args.to_vec();
    with_bin.extend(["--bin-size", "0.1"]);
    let out = canns(&with_bin);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!(v["comparison"].is_null());
    assert_eq!(v["decoded"][0].as_array().unwrap().len(), 300);
}

#[test]
fn signature_reports_bad_input_clearly() {
    let dir = temp_dir("bad");
    let out_json = dir.join("r.json");
    let o = out_json.to_str().unwrap();
    let missing = canns(&["signature", "/no/such/file.npz", "--out", o]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no such file"));
    let path = dir.join("x.npz");
    let mut w = ndarray_npy::NpzWriter::new(std::fs::File::create(&path).unwrap());
    w.add_array("rates", &Array2::<f64>::zeros((3, 2))).unwrap();
    w.finish().unwrap();
    let no_counts = canns(&["signature", path.to_str().unwrap(), "--out", o]);
    let err = String::from_utf8_lossy(&no_counts.stderr);
    assert!(err.contains("`counts`") && err.contains("rates"), "{err}");
    let bad_ext = canns(&[
        "signature",
        path.to_str().unwrap(),
        "--out",
        dir.join("r.txt").to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&bad_ext.stderr).contains(".json or .html"));
    let units = canns(&[
        "signature",
        path.to_str().unwrap(),
        "--units",
        "adn",
        "--out",
        o,
    ]);
    assert!(String::from_utf8_lossy(&units.stderr).contains("--units"));
    let bad_shuffle = canns(&[
        "signature",
        path.to_str().unwrap(),
        "--shuffles",
        "x",
        "--out",
        o,
    ]);
    assert!(!bad_shuffle.status.success());
}

/// The real ADn ring from the NWB file, as in tests/signature_real.rs.
#[test]
fn signature_reads_the_real_recording_and_finds_the_adn_ring() {
    let dir = temp_dir("nwb");
    let out = dir.join("ring.json");
    let nwb = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/A2929-200711.nwb");
    let o = canns(&[
        "signature",
        nwb,
        "--units",
        "adn",
        "--epoch",
        "wake",
        "--bin-size",
        "0.1",
        "--smooth",
        "0.2",
        "--n-points",
        "500",
        "--shuffles",
        "20",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["significant"][1], 1, "{}", v["band"]);
    assert_eq!(v["params"]["statistic"], "ratio");
    assert!(v["comparison"]["correlation"].as_f64().unwrap() > 0.8);
    let bad = canns(&[
        "signature",
        nwb,
        "--units",
        "cortex",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cortex"));
}
