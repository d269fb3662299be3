//! The `canns` command line: tour and simulate, including bad input.

mod common;
use common::{canns, canns_ok, temp_dir};

#[test]
fn tour_writes_an_offline_report_with_its_key_numbers() {
    let dir = temp_dir("tour");
    canns_ok(&["tour", "--out", dir.to_str().unwrap()]);
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(html.contains("<h2>") && html.contains("Plotly.newPlot"));
    assert!(
        !html.contains("<script src=\"http"),
        "the report must work offline"
    );
    assert!(
        html.contains("plotly.js v") || html.contains("plotly.js"),
        "plotly.js is inlined"
    );
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let f = |k: &str| s[k].as_f64().unwrap();
    assert!((f("bump_width") - 0.5).abs() < 0.1);
    assert!(f("persistence_drift") < 1e-3);
    assert!(f("tracking_lag") > 0.0);
    assert!(f("sfa_lag") < 0.0);
    assert!(f("travelling_speed") > 0.01);
    assert!(f("torus_error") < 0.1);
    assert!(f("template_error") < 0.1);
}

#[test]
fn simulate_writes_parquet_csv_and_npy() {
    let dir = temp_dir("sim");
    for ext in ["parquet", "csv", "npy"] {
        let path = dir.join(format!("run.{ext}"));
        canns_ok(&[
            "simulate",
            "cann1d",
            "population-coding",
            "--set",
            "num=32",
            "--set",
            "after=2",
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(
            std::fs::metadata(&path).unwrap().len() > 1000,
            "{ext} output too small"
        );
    }
    let csv = std::fs::read_to_string(dir.join("run.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("step,t,target_1,centre_1,height,width,u_0,"),
        "{header}"
    );
    assert_eq!(csv.lines().count(), 1 + 320, "one row per step");
}

#[test]
fn simulate_reports_bad_input_clearly() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["simulate", "cann3d", "population-coding", "--out", "x.csv"],
            "unknown model `cann3d`",
        ),
        (
            &["simulate", "cann1d", "tracking", "--out", "x.csv"],
            "unknown task `tracking`",
        ),
        (
            &[
                "simulate",
                "cann1d",
                "population-coding",
                "--set",
                "tau=-1",
                "--out",
                "x.csv",
            ],
            "`tau` must be finite and > 0 (got -1)",
        ),
        (
            &[
                "simulate",
                "cann1d",
                "population-coding",
                "--set",
                "nmu=3",
                "--out",
                "x.csv",
            ],
            "unknown parameter",
        ),
        (
            &[
                "simulate",
                "cann1d",
                "population-coding",
                "--set",
                "num=8",
                "--set",
                "after=1",
                "--out",
                "x.txt",
            ],
            "unsupported output format",
        ),
    ];
    for (args, msg) in cases {
        let out = canns(args);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(msg), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn simulate_set_lists_the_known_keys() {
    let run = |set: &str| {
        let out = canns(&[
            "simulate",
            "cann1d",
            "population-coding",
            "--set",
            set,
            "--out",
            "x.csv",
        ]);
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // Neither the model nor the task has it: both lists, prefixed.
    let err = run("nmu=3");
    assert!(
        err.contains("--set `nmu`: unknown parameter (known: model."),
        "{err}"
    );
    for k in ["model.num", "model.tau", "task.position", "task.duration"] {
        assert!(err.contains(k), "{k}: {err}");
    }
    // A prefixed or dotted key that is not there: the part's own keys.
    let err = run("model.tua=2");
    assert!(
        err.contains("--set `model.tua`: Cann1dParams: unknown parameter `tua` (known: "),
        "{err}"
    );
    assert!(err.contains("tau_v"), "{err}");
    let err = run("tau.x=2");
    assert!(err.contains("unknown parameter `tau.x`"), "{err}");
    let err = run("model.tau=fast");
    assert!(err.contains("`tau` cannot be \"fast\""), "{err}");
}

#[test]
fn rips_reads_points_and_writes_diagrams() {
    let dir = temp_dir("rips");
    let pts = dir.join("circle.csv");
    let mut s = String::from("x,y\n");
    for i in 0..24 {
        let a = i as f64 * std::f64::consts::TAU / 24.0;
        s.push_str(&format!("{},{}\n", a.cos(), a.sin()));
    }
    std::fs::write(&pts, s).unwrap();
    let out = dir.join("d.csv");
    let o = canns(&[
        "rips",
        pts.to_str().unwrap(),
        "--maxdim",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        csv.lines().filter(|l| l.starts_with("1,")).count(),
        1,
        "one H1 interval:\n{csv}"
    );
    let json = dir.join("d.json");
    let o = canns(&[
        "rips",
        pts.to_str().unwrap(),
        "--cocycles",
        "--out",
        json.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["cocycles"].as_array().unwrap().len(), 1);
    // Bad input: clear errors naming the file or the field.
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "x,y\n1,2\n3,abc\n").unwrap();
    for (args, msg) in [
        (
            vec!["rips", bad.to_str().unwrap(), "--out", "x.csv"],
            "column `y` row 1",
        ),
        (vec!["rips", "missing.npy", "--out", "x.csv"], "missing.npy"),
        (
            vec![
                "rips",
                pts.to_str().unwrap(),
                "--coeff",
                "4",
                "--out",
                "x.csv",
            ],
            "`coeff` must be a prime (got 4)",
        ),
    ] {
        let o = canns(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(msg), "{args:?}: {err}");
    }
}
