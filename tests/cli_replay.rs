//! `canns replay`: the report and the statistics over adaptation strengths;
//! bad arguments name the flag and value.

mod common;
use common::{canns, canns_ok, temp_dir};

#[test]
fn replay_writes_report_and_stats() {
    let dir = temp_dir("replay");
    canns_ok(&[
        "replay",
        "--m-bar",
        "0,3.5",
        "--seeds",
        "2",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("Bump raster") && html.contains("MSD"));
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("replay_stats.json")).unwrap())
            .unwrap();
    let beta: Vec<f64> = stats
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["msd_exponent"].as_f64().unwrap())
        .collect();
    assert!(beta[0] < 1.3 && beta[1] > 1.7, "{beta:?}");
}

#[test]
fn replay_rejects_bad_flags() {
    let dir = temp_dir("replay_bad");
    for (args, needle) in [
        (vec!["--dim", "3"], "--dim"),
        (vec!["--seeds", "0"], "--seeds"),
        (vec!["--m-bar", "-1"], "--m-bar"),
    ] {
        let mut all = vec!["replay"];
        all.extend(args);
        all.extend(["--out", dir.to_str().unwrap()]);
        let out = canns(&all);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{err}");
    }
}
