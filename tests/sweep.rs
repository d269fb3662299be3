//! Parameter sweeps: the same rows locally, sharded and resumed; failing
//! runs as rows; bad specs named; the command line's shards, status,
//! collect and Slurm script; a replay phase diagram.

mod common;
use canns::pipeline::ji_1d_params;
use canns::pipeline::sweep::{Axis, Dataset, Plan, Shard, Sweep, SweepSpec};
use canns::tasks::ReplayParams;
use common::{canns, canns_ok, temp_dir};
use polars::prelude::*;
use std::path::Path;

const SPEC: &str = "tests/fixtures/sweep/tracking.json";

fn spec() -> SweepSpec {
    SweepSpec::from_file(SPEC).unwrap()
}

/// The frame without the wall times (the only column that may differ).
fn comparable(df: &DataFrame) -> DataFrame {
    df.drop("wall_time").unwrap()
}

fn quiet(spec: SweepSpec) -> Sweep {
    Sweep::from_spec(spec).progress(canns::pipeline::ShowProgress::Never)
}

#[test]
fn sharded_and_resumed_sweeps_equal_the_local_one() {
    let local = quiet(spec()).run().unwrap();
    let df = local.dataframe();
    assert_eq!(df.height(), 24);
    assert_eq!(local.n_failed(), 0, "{df}");
    // Run i has the same seed and values however it is sharded.
    let seeds = local.column("seed").unwrap();
    assert_eq!(&seeds[..4], &[0.0, 1.0, 0.0, 1.0]);
    // Adaptation shortens the lag (m is the first axis: runs i and i + 16
    // differ only in m, 0 against 0.1).
    let lag = local.column("lag").unwrap();
    let m = local.column("m").unwrap();
    for i in 0..8 {
        assert_eq!((m[i], m[i + 16]), (0.0, 0.1));
        assert!(lag[i] > 0.0 && lag[i + 16] < lag[i] - 0.1, "{lag:?}");
    }

    // Three shards, one after the other, into one dataset.
    let dir = temp_dir("sweep-shards");
    let sweep = quiet(spec()).chunk(3);
    for i in 0..3 {
        sweep
            .run_into(&dir, Shard { index: i, count: 3 }, None)
            .unwrap();
    }
    let sharded = sweep.run_into(&dir, Shard::ALL, None).unwrap();
    assert_eq!(comparable(sharded.dataframe()), comparable(df));
    assert_eq!(
        std::fs::read_dir(&dir)
            .unwrap()
            .filter(|e| e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("shard="))
            .count(),
        3,
        "one partition per shard, nothing run again by the last call"
    );

    // A shard stopped midway (a run budget), then a part lost: resuming
    // completes the sweep without duplicates.
    let dir = temp_dir("sweep-resume");
    let partial = sweep.run_into(&dir, Shard::ALL, Some(10)).unwrap();
    assert_eq!(partial.n_runs(), 10);
    let plan = sweep.plan().unwrap();
    let data = Dataset::open(&dir, &plan).unwrap();
    let parts = data.parts().unwrap();
    assert_eq!(parts.len(), 4); // chunks of 3, 3, 3, 1
    std::fs::remove_file(&parts[1]).unwrap();
    assert_eq!(data.status(&plan).unwrap().done, 7);
    let resumed = sweep.run_into(&dir, Shard::ALL, None).unwrap();
    let status = data.status(&plan).unwrap();
    assert_eq!((status.done, status.duplicates), (24, 0), "{status}");
    assert!(status.missing.is_empty());
    assert_eq!(comparable(resumed.dataframe()), comparable(df));
}

#[test]
fn a_failing_run_is_a_row_with_its_error() {
    let s = quiet(spec())
        .over(Axis::values("tau", [1.0, -1.0]))
        .metric("boom", |run| {
            if run.n_steps() > 0 {
                panic!("a metric that panics")
            }
            Ok(0.0)
        });
    let r = s.seeds([3]).run().unwrap();
    let df = r.dataframe();
    assert_eq!(df.height(), 24);
    assert_eq!(r.n_failed(), 24);
    let errors = df.column("error").unwrap().str().unwrap().clone();
    let tau = r.column("tau").unwrap();
    for (e, t) in errors.iter().zip(&tau) {
        let e = e.unwrap();
        if *t < 0.0 {
            assert!(e.contains("tau") && e.contains("-1"), "{e}");
        } else {
            assert!(e.contains("boom") && e.contains("panics"), "{e}");
        }
    }
    // The built-in metrics of the good runs are kept.
    let lag = r.column("lag").unwrap();
    assert!(lag
        .iter()
        .zip(&tau)
        .all(|(l, t)| (*t > 0.0) == l.is_finite()));
}

#[test]
fn bad_specs_name_the_key_and_the_value() {
    let cases: Vec<(SweepSpec, &[&str])> = vec![
        (spec().with_axis(Axis::values("tua", [1.0])), &["tua"]),
        (
            spec().with_axis(Axis::values::<f64>("a", [])),
            &["`a`", "[]"],
        ),
        (
            spec().with_axis(Axis::linspace("a", 0.1, f64::INFINITY, 3)),
            &["`a`", "inf"],
        ),
        (
            spec().with_axis(Axis::logspace("k", -1.0, 1.0, 3)),
            &["`k`", "-1"],
        ),
        (
            spec().with_axis(Axis::values("num", ["many"])),
            &["num", "many"],
        ),
        (spec().with_axis(Axis::values("seed", [1])), &["seed"]),
        (spec().with_axis(Axis::values("m", [0.2])), &["m", "twice"]),
    ];
    for (s, words) in cases {
        let e = Plan::new(&s, &[]).unwrap_err().to_string();
        for w in words {
            assert!(e.contains(w), "{w:?} not in {e}");
        }
    }
    let mut s = spec();
    s.metrics.push("lagg".into());
    let e = Plan::new(&s, &[]).unwrap_err().to_string();
    assert!(e.contains("lagg") && e.contains("msd_exponent"), "{e}");
    let e = SweepSpec::from_json(r#"{"grid": [{"key": "m", "linspace": [0, 1]}]}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("linspace") || e.contains("tuple"), "{e}");
    let e = SweepSpec::from_json(r#"{"task": {"tracking": {}}}"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("tracking") && e.contains("smooth_tracking"),
        "{e}"
    );
    for bad in ["2/2", "1", "x/3"] {
        let e = bad.parse::<Shard>().unwrap_err().to_string();
        assert!(e.contains("--shard") && e.contains(bad), "{e}");
    }
}

fn rows(dir: &Path) -> DataFrame {
    let f = std::fs::File::open(dir.join("sweep.parquet")).unwrap();
    ParquetReader::new(f).finish().unwrap()
}

#[test]
fn the_command_line_shards_resumes_and_collects() {
    let dir = temp_dir("sweep-cli");
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    canns_ok(&[
        "sweep", SPEC, "--out", o, "--shard", "0/2", "--chunk", "4", "--limit", "5",
    ]);
    let status = canns_ok(&["sweep", SPEC, "--out", o, "--status"]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(
        text.contains("5/24 runs done") && text.contains("shard=0-of-2: 5"),
        "{text}"
    );
    // Incomplete: collect lists the missing runs and fails.
    let c = canns(&["sweep", SPEC, "--out", o, "--collect"]);
    assert!(!c.status.success());
    let text = String::from_utf8_lossy(&c.stdout);
    assert!(text.contains("missing runs: 1 3 5"), "{text}");
    canns_ok(&["sweep", SPEC, "--out", o, "--shard", "1/2"]);
    canns_ok(&["sweep", SPEC, "--out", o, "--shard", "0/2"]);
    canns_ok(&["sweep", SPEC, "--out", o, "--collect"]);
    let local = quiet(spec()).run().unwrap();
    assert_eq!(comparable(&rows(&out)), comparable(local.dataframe()));
    // Another spec in the same directory is refused.
    let other = dir.join("other.json");
    std::fs::write(&other, spec().with_axis(Axis::values("k", [8.0])).to_json()).unwrap();
    let e = canns(&["sweep", other.to_str().unwrap(), "--out", o]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("another sweep"));
    // Bad flags name themselves.
    let e = canns(&["sweep", SPEC, "--out", o, "--shard", "2/2"]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("--shard"));
    // The Slurm script: one array task per shard, running this binary.
    canns_ok(&[
        "sweep",
        SPEC,
        "--out",
        o,
        "--slurm",
        "--array-size",
        "3",
        "--partition",
        "debug",
        "--time",
        "0:05:00",
        "--no-submit",
    ]);
    let script = std::fs::read_to_string(out.join("sweep.sbatch")).unwrap();
    assert!(script.contains("#SBATCH --array=0-2") && script.contains("--partition=debug"));
    assert!(script.contains("${SLURM_ARRAY_TASK_ID}/3") && script.contains("/canns"));
}

#[test]
fn a_replay_phase_diagram_from_the_engine() {
    // Ji et al.'s ring below and far above the travelling-wave boundary:
    // the MSD exponent of the free bump rises towards ballistic.
    let (p, o) = ji_1d_params(0.0);
    let m_star = p.tau / p.tau_v;
    let r = Sweep::new(p, ReplayParams::default().free_duration(100.0))
        .options(o)
        .over(Axis::values("m", [0.0, 3.5 * m_star]))
        .replicates(2)
        .metrics(["msd_exponent", "speed"])
        .warmup(10.0)
        .progress(canns::pipeline::ShowProgress::Never)
        .run()
        .unwrap();
    assert_eq!(r.n_failed(), 0, "{}", r.dataframe());
    let e = r.column("msd_exponent").unwrap();
    assert!(e[2] > 1.7 && e[3] > 1.7, "{e:?}");
    assert!(e[0] < 1.5 && e[1] < 1.5, "{e:?}");
    let fig = r.plot_lines("m", "msd_exponent", None).unwrap();
    assert!(fig.plot().to_json().contains("msd_exponent"));
    let e = r.plot_heatmap("m", "tau", "speed").unwrap_err().to_string();
    assert!(e.contains("`tau`"), "{e}");
}
