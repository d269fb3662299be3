//! `canns walk`: writes the history in every format; bad arguments name the flag and value.

mod common;
use common::{canns, canns_ok, temp_dir};

#[test]
fn walk_writes_parquet_csv_and_npy() {
    let dir = temp_dir("formats");
    for ext in ["parquet", "csv", "npy"] {
        let path = dir.join(format!("walk.{ext}"));
        canns_ok(&[
            "walk",
            "--steps",
            "500",
            "--dt",
            "0.02",
            "--seed",
            "4",
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(std::fs::metadata(&path).unwrap().len() > 0);
    }
    let csv = std::fs::read_to_string(dir.join("walk.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "t,x,y,vx,vy,head_direction,speed,rotational_velocity,distance_travelled"
    );
    assert_eq!(lines.count(), 500);
    let a: ndarray::Array2<f64> = ndarray_npy::read_npy(dir.join("walk.npy")).unwrap();
    assert_eq!(a.dim(), (500, 9));
    assert!((a[[0, 0]] - 0.02).abs() < 1e-12);
}

#[test]
fn walk_is_reproducible_and_respects_the_box() {
    let dir = temp_dir("box");
    let run = |name: &str| {
        let p = dir.join(name);
        canns_ok(&[
            "walk",
            "--width",
            "2",
            "--height",
            "0.5",
            "--steps",
            "3000",
            "--seed",
            "7",
            "--out",
            p.to_str().unwrap(),
        ]);
        let a: ndarray::Array2<f64> = ndarray_npy::read_npy(&p).unwrap();
        a
    };
    let a = run("a.npy");
    assert_eq!(a, run("b.npy"));
    assert!(a.column(1).iter().all(|&x| x > 0.0 && x < 2.0));
    assert!(a.column(2).iter().all(|&y| y > 0.0 && y < 0.5));
    let periodic = dir.join("p.npy");
    let out = canns(&[
        "walk",
        "--boundary",
        "periodic",
        "--steps",
        "2000",
        "--out",
        periodic.to_str().unwrap(),
    ]);
    assert!(out.status.success());
}

#[test]
fn walk_imports_a_real_trajectory() {
    let dir = temp_dir("traj");
    let p = dir.join("s.csv");
    canns_ok(&[
        "walk",
        "--trajectory",
        "sargolini",
        "--steps",
        "1000",
        "--dt",
        "0.05",
        "--out",
        p.to_str().unwrap(),
    ]);
    let csv = std::fs::read_to_string(&p).unwrap();
    assert_eq!(csv.lines().count(), 1001);
}

#[test]
fn bad_arguments_name_the_flag_and_value() {
    let dir = temp_dir("bad");
    let out_path = dir.join("x.parquet");
    let o = out_path.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["walk", "--width", "-1", "--out", o],
            "`--width` must be finite and > 0 (got -1)",
        ),
        (vec!["walk", "--height", "0", "--out", o], "`--height`"),
        (
            vec!["walk", "--dt", "0", "--out", o],
            "`--dt` must be finite and > 0 (got 0)",
        ),
        (vec!["walk", "--steps", "0", "--out", o], "`--steps`"),
        (
            vec!["walk", "--boundary", "wobbly", "--out", o],
            "`--boundary` must be solid or periodic (got wobbly)",
        ),
        (vec!["walk", "--out", "x.txt"], "`--out`"),
        (
            vec!["walk", "--trajectory", "nowhere", "--out", o],
            "`trajectory` must be \"sargolini\", \"tanni\" or a .npz/.csv file (got nowhere)",
        ),
    ] {
        let out = canns(&args);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn set_reaches_environment_and_agent_parameters() {
    let dir = temp_dir("set");
    let run = |name: &str, sets: &[&str]| {
        let p = dir.join(name);
        let mut args = vec!["walk", "--steps", "2000", "--seed", "3"];
        for s in sets {
            args.extend(["--set", s]);
        }
        args.extend(["--out", p.to_str().unwrap()]);
        canns_ok(&args);
        let a: ndarray::Array2<f64> = ndarray_npy::read_npy(&p).unwrap();
        a
    };
    // A wall across the left half of the box at y = 0.5, a faster agent.
    let a = run(
        "wall.npy",
        &[
            "environment.walls=[[[0.0,0.5],[0.5,0.5]]]",
            "agent.speed_mean=0.3",
        ],
    );
    let plain = run("plain.npy", &[]);
    assert_ne!(a, plain);
    let crossed = a
        .rows()
        .into_iter()
        .zip(a.rows().into_iter().skip(1))
        .any(|(p, q)| p[1] < 0.5 && q[1] < 0.5 && (p[2] - 0.5) * (q[2] - 0.5) < 0.0);
    assert!(!crossed, "the agent went through the wall");
    let mean_speed = a.column(6).mean().unwrap();
    assert!(mean_speed > 1.5 * plain.column(6).mean().unwrap());
    // A key set after a flag wins.
    let b = run("dt.npy", &["agent.dt=0.02"]);
    assert!((b[[0, 0]] - 0.02).abs() < 1e-12);
}

#[test]
fn set_errors_name_the_key_and_list_the_known_ones() {
    let dir = temp_dir("set-bad");
    let out_path = dir.join("x.parquet");
    let o = out_path.to_str().unwrap();
    for (set, needles) in [
        (
            "agent.sped=0.2",
            vec![
                "--set `agent.sped`: walk: unknown parameter `agent.sped` (known: ",
                "agent.speed_mean",
                "environment.holes",
            ],
        ),
        (
            "agent.speed_mean=fast",
            vec!["--set `agent.speed_mean`: walk: `agent.speed_mean` cannot be \"fast\""],
        ),
        (
            "agent.thigmotaxis=2",
            vec!["`agent.thigmotaxis` must be in [0, 1] (got 2)"],
        ),
        (
            "environment.dx=0",
            vec!["`environment.dx` must be finite and > 0 (got 0)"],
        ),
        ("agent", vec!["--set `agent`: expected KEY=VALUE"]),
    ] {
        let args = ["walk", "--set", set, "--out", o];
        let out = canns(&args);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        for needle in needles {
            assert!(err.contains(needle), "{args:?}: {err}");
        }
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = canns(&[
        "walk",
        "--trajectory",
        "sargolini",
        "--set",
        "agent.dt=0.1",
        "--out",
        o,
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not to --trajectory"));
}
