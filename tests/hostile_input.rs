//! Hostile and damaged input: crafted headers, extreme flags and thousands
//! of mutated files get an error naming the file, field or value, or the
//! correct data; never a panic, an abort or a silently different result.

mod common;

use canns::data::io::{read_npy, read_npy_bytes, Dtype, NpyData, Npz};
use canns::data::io::{read_npz, write_npz};
use canns::data::Recording;
use canns::spatial::Trajectory;
use common::{canns, temp_dir};
use std::path::{Path, PathBuf};

/// A `.npy` file: format 1.0 header for `descr` and `shape`, then `data`.
fn npy(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
    let mut h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend((h.len() as u16).to_le_bytes());
    out.extend(h.as_bytes());
    out.extend(data);
    out
}

/// A zip of stored (uncompressed) members, as `np.savez` writes.
fn zip_stored(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut cd = Vec::new();
    for (name, data) in members {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let crc = crc.sum();
        let offset = out.len() as u32;
        let mut common = Vec::new();
        common.extend(20u16.to_le_bytes()); // version needed
        common.extend(0u16.to_le_bytes()); // flags
        common.extend(0u16.to_le_bytes()); // stored
        common.extend([0u8; 4]); // time, date
        common.extend(crc.to_le_bytes());
        common.extend((data.len() as u32).to_le_bytes());
        common.extend((data.len() as u32).to_le_bytes());
        common.extend((name.len() as u16).to_le_bytes());
        common.extend(0u16.to_le_bytes()); // extra
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend(&common);
        out.extend(name.as_bytes());
        out.extend(data);
        cd.extend(0x0201_4b50u32.to_le_bytes());
        cd.extend(20u16.to_le_bytes()); // version made by
        cd.extend(&common);
        cd.extend([0u8; 10]); // comment length, disk, internal and external attributes
        cd.extend(offset.to_le_bytes());
        cd.extend(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend(&cd);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((members.len() as u16).to_le_bytes());
    out.extend((members.len() as u16).to_le_bytes());
    out.extend((cd.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

fn f64_bytes(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/data")
        .join(name)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Runs the binary with its address space limited to `limit` bytes, so an
/// allocation sized from a header would abort it.
#[cfg(target_os = "linux")]
fn canns_limited(args: &[&str], limit: u64) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_canns"));
    c.args(args);
    // SAFETY: setrlimit is async-signal-safe and touches only this child.
    unsafe {
        c.pre_exec(move || {
            let r = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &r) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    c.output().expect("the binary runs")
}

// ---- 1. header-sized allocations ---------------------------------------

#[test]
fn npy_header_claiming_1e11_rows_is_an_error_before_allocating() {
    let dir = temp_dir("hostile-npy-huge");
    let bytes = npy("<f8", "(100000000000, 2)", &f64_bytes(&[1.0; 8]));
    assert!(bytes.len() < 200);
    let p = write(&dir, "huge.npy", &bytes);
    let e = read_npy(&p).unwrap_err().to_string();
    assert!(e.contains("huge.npy"), "{e}");
    assert!(
        e.contains("(100000000000, 2)")
            && e.contains("1600000000000 bytes")
            && e.contains("64 bytes are present"),
        "{e}"
    );
    // overflowing byte counts are an error too, not a wrap
    let p = write(
        &dir,
        "wrap.npy",
        &npy("<f8", "(4294967296, 4294967296, 4294967296)", &[]),
    );
    let e = read_npy(&p).unwrap_err().to_string();
    assert!(e.contains("wrap.npy") && e.contains("overflows"), "{e}");
}

#[test]
fn npz_member_claiming_1e11_rows_is_an_error_before_allocating() {
    let dir = temp_dir("hostile-npz-huge");
    let member = npy("<f8", "(100000000000, 2)", &f64_bytes(&[0.5; 4]));
    let p = write(
        &dir,
        "huge.npz",
        &zip_stored(&[
            ("t.npy", npy("<f8", "(2,)", &f64_bytes(&[0.0, 1.0]))),
            ("pos.npy", member),
        ]),
    );
    assert!(std::fs::metadata(&p).unwrap().len() < 600);
    let e = read_npz(&p).unwrap_err().to_string();
    assert!(e.contains("huge.npz") && e.contains("`pos`"), "{e}");
    assert!(
        e.contains("1600000000000 bytes") && e.contains("32 bytes are present"),
        "{e}"
    );
    let e = Trajectory::from_npz(&p).unwrap_err().to_string();
    assert!(
        e.contains("huge.npz") && e.contains("1600000000000 bytes"),
        "{e}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn crafted_headers_fail_cleanly_under_a_memory_limit() {
    let dir = temp_dir("hostile-rlimit");
    let npy_path = write(
        &dir,
        "points.npy",
        &npy("<f8", "(100000000000, 2)", &f64_bytes(&[1.0; 8])),
    );
    let npz_path = write(
        &dir,
        "counts.npz",
        &zip_stored(&[("counts.npy", npy("<f8", "(100000000000, 2)", &[]))]),
    );
    let rec_path = write(
        &dir,
        "rec.npz",
        &zip_stored(&[
            ("spikes_unit.npy", npy("<u4", "(100000000000,)", &[0; 8])),
            ("spikes_t.npy", npy("<f8", "(2,)", &f64_bytes(&[0.0, 1.0]))),
        ]),
    );
    let out = dir.join("out.json");
    let limit = 1 << 30;
    for (args, file) in [
        (
            vec![
                "rips",
                npy_path.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            "points.npy",
        ),
        (
            vec![
                "signature",
                npz_path.to_str().unwrap(),
                "--bin-size",
                "0.1",
                "--out",
                out.to_str().unwrap(),
            ],
            "counts.npz",
        ),
        (vec!["inspect", rec_path.to_str().unwrap()], "rec.npz"),
        (
            vec![
                "convert",
                rec_path.to_str().unwrap(),
                dir.join("o.parquet").to_str().unwrap(),
            ],
            "rec.npz",
        ),
        (
            vec![
                "tuning",
                rec_path.to_str().unwrap(),
                "--out",
                dir.join("o.csv").to_str().unwrap(),
            ],
            "rec.npz",
        ),
        (
            vec![
                "walk",
                "--trajectory",
                npz_path.to_str().unwrap(),
                "--out",
                dir.join("w.csv").to_str().unwrap(),
            ],
            "counts.npz",
        ),
    ] {
        let o = canns_limited(&args, limit);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "canns {}: {err}", args.join(" "));
        assert!(err.contains(file), "canns {}: {err}", args.join(" "));
        assert!(!err.contains("memory allocation"), "{err}");
    }
}

#[test]
fn wrong_dtypes_are_named_from_the_header() {
    let dir = temp_dir("hostile-dtype");
    // 10^9 unicode strings claimed, 8 bytes present: the dtype is refused first
    let p = write(&dir, "text.npy", &npy("<U10", "(1000000000,)", &[0; 8]));
    let e = read_npy(&p).unwrap_err().to_string();
    assert!(
        e.contains("text.npy") && e.contains("unsupported dtype `<U10`"),
        "{e}"
    );
    let p = write(&dir, "obj.npy", &npy("|O", "(3,)", &[0; 24]));
    let e = read_npy(&p).unwrap_err().to_string();
    assert!(e.contains("obj.npy") && e.contains("object arrays"), "{e}");
    // an NPZ column of unsupported dtype names the array
    let p = write(
        &dir,
        "rec.npz",
        &zip_stored(&[
            ("spikes_unit.npy", npy("<c16", "(1,)", &[0; 16])),
            ("spikes_t.npy", npy("<f8", "(1,)", &f64_bytes(&[0.0]))),
        ]),
    );
    let e = read_npz(&p).unwrap_err().to_string();
    assert!(
        e.contains("rec.npz") && e.contains("`spikes_unit`") && e.contains("<c16"),
        "{e}"
    );
    // a 2-D column is named with its shape
    let p = write(
        &dir,
        "rec2.npz",
        &zip_stored(&[
            ("spikes_unit.npy", npy("<u4", "(1, 1)", &[0; 4])),
            ("spikes_t.npy", npy("<f8", "(1,)", &f64_bytes(&[0.0]))),
        ]),
    );
    let e = read_npz(&p).unwrap_err().to_string();
    assert!(e.contains("spikes_unit") && e.contains("(1, 1)"), "{e}");
}

#[test]
fn every_integer_and_float_dtype_reads_once_with_its_values() {
    for (descr, data, want) in [
        ("<i2", vec![0xff, 0xff, 2, 0], NpyData::I64(vec![-1, 2])),
        (
            ">i4",
            vec![0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 3],
            NpyData::I64(vec![-2, 3]),
        ),
        ("|u1", vec![7, 255], NpyData::U64(vec![7, 255])),
        (
            "<u8",
            [5u64, 6].iter().flat_map(|x| x.to_le_bytes()).collect(),
            NpyData::U64(vec![5, 6]),
        ),
        (
            "<f4",
            [1.5f32, -2.0]
                .iter()
                .flat_map(|x| x.to_le_bytes())
                .collect(),
            NpyData::F64(vec![1.5, -2.0]),
        ),
        (
            ">f8",
            [0.25f64, 3.0]
                .iter()
                .flat_map(|x| x.to_be_bytes())
                .collect(),
            NpyData::F64(vec![0.25, 3.0]),
        ),
        ("|b1", vec![1, 0], NpyData::U64(vec![1, 0])),
    ] {
        let a = read_npy_bytes(&npy(descr, "(2,)", &data), descr).unwrap();
        assert_eq!(a.shape(), [2]);
        assert_eq!(a.data(), &want, "{descr}");
    }
    let e = read_npy_bytes(&npy("|b1", "(1,)", &[2]), "b.npy")
        .unwrap_err()
        .to_string();
    assert!(e.contains("b.npy") && e.contains("bool"), "{e}");
}

#[test]
fn compressed_npz_from_savez_compressed_reads() {
    // written by Python's zipfile as numpy.savez_compressed does (deflate,
    // zip64 local headers), see make_compressed_npz.py
    let p = fixture("compressed.npz");
    let mut z = Npz::open(&p).unwrap();
    assert_eq!(z.names(), ["t", "pos", "ids"]);
    let ids = z.array("ids").unwrap();
    assert_eq!(ids.dtype(), Dtype::I32);
    assert_eq!(ids.data(), &NpyData::I64(vec![3, -1, 7, 0]));
    let pos = z.array("pos").unwrap().into_array2("pos").unwrap();
    assert_eq!(pos.dim(), (50, 2));
    for i in 0..50 {
        let t = 0.02 * i as f64;
        assert_eq!((pos[[i, 0]], pos[[i, 1]]), (t.cos(), t.sin()), "row {i}");
    }
    let traj = Trajectory::from_npz(&p).unwrap();
    assert_eq!(traj.len(), 50);
    assert!((traj.duration() - 0.98).abs() < 1e-12);
    let rec = read_npz(&p).unwrap();
    assert_eq!(rec.behaviour().height(), 50);
}

#[test]
fn deflated_member_cannot_claim_more_than_deflate_can_expand_to() {
    let mut bytes = std::fs::read(fixture("compressed.npz")).unwrap();
    // the directory entry of `t.npy`: uncompressed size at +24
    let cd = (0..bytes.len() - 4)
        .find(|&i| bytes[i..i + 4] == 0x0201_4b50u32.to_le_bytes())
        .unwrap();
    bytes[cd + 24..cd + 28].copy_from_slice(&u32::MAX.to_le_bytes());
    let dir = temp_dir("hostile-deflate");
    let p = write(&dir, "bomb.npz", &bytes);
    let e = read_npz(&p).unwrap_err().to_string();
    assert!(
        e.contains("bomb.npz") && e.contains("`t`") && e.contains("4294967295 bytes"),
        "{e}"
    );
}

// ---- 2. work sized by flags is estimated before it starts ------------------

/// Runs the binary with a memory budget of `budget` (CANNS_MEMORY_LIMIT).
fn canns_budget(args: &[&str], budget: &str) -> (Option<i32>, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_canns"))
        .args(args)
        .env("CANNS_MEMORY_LIMIT", budget)
        .output()
        .expect("the binary runs");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn points_npy(dir: &Path, name: &str, n: usize) -> PathBuf {
    let v: Vec<f64> = (0..2 * n)
        .map(|i| ((i * 7919) % 1000) as f64 / 1000.0)
        .collect();
    write(dir, name, &npy("<f8", &format!("({n}, 2)"), &f64_bytes(&v)))
}

#[test]
fn rips_estimates_the_distance_matrix_and_checks_flags_first() {
    let dir = temp_dir("hostile-rips");
    let pts = points_npy(&dir, "cloud.npy", 20_000);
    let out = dir.join("d.json");
    let (p, o) = (pts.to_str().unwrap(), out.to_str().unwrap());
    let (code, err) = canns_budget(&["rips", p, "--out", o], "1G");
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("20000 points") && err.contains("needs about") && err.contains("GB"),
        "{err}"
    );
    assert!(err.contains("--n-perm"), "{err}");
    for (coeff, want) in [("4", "prime"), ("18446744073709551557", "65521")] {
        let (code, err) = canns_budget(&["rips", p, "--coeff", coeff, "--out", o], "1G");
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains("`coeff`") && err.contains(want), "{err}");
    }
    // the same cloud on landmarks fits
    let (code, err) = canns_budget(&["rips", p, "--n-perm", "200", "--out", o], "1G");
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn simulate_and_walk_estimate_their_cost_before_allocating() {
    let dir = temp_dir("hostile-sim");
    let out = dir.join("run.parquet");
    let o = out.to_str().unwrap();
    for (args, want) in [
        (
            vec![
                "simulate",
                "cann1d",
                "smooth-tracking",
                "--set",
                "num=100000000",
                "--out",
                o,
            ],
            "num = 100000000",
        ),
        (
            vec![
                "simulate",
                "cann2d",
                "population-coding",
                "--set",
                "length=100000",
                "--out",
                o,
            ],
            "length",
        ),
        (
            vec![
                "simulate",
                "cann1d",
                "smooth-tracking",
                "--set",
                "task.dt=1e-300",
                "--out",
                o,
            ],
            "raise `dt`",
        ),
        (
            vec![
                "simulate",
                "cann1d",
                "population-coding",
                "--set",
                "duration=1e300",
                "--out",
                o,
            ],
            "raise `dt`",
        ),
        (
            vec![
                "simulate",
                "cann1d",
                "template-matching",
                "--set",
                "task.dt=1e-12",
                "--out",
                o,
            ],
            "needs about",
        ),
        (
            vec!["walk", "--steps", "100000000", "--out", o],
            "use fewer --steps",
        ),
    ] {
        let (code, err) = canns_budget(&args, "1G");
        assert_eq!(code, Some(1), "canns {}: {err}", args.join(" "));
        assert!(
            err.contains(want) && err.contains("memory budget"),
            "canns {}: {err}",
            args.join(" ")
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn library_runs_fail_with_a_limit_instead_of_killing_the_kernel() {
    use canns::models::Cann1d;
    use canns::spatial::{Agent, Environment};
    use canns::tasks::PopulationCoding;
    let env = Environment::params().build().unwrap();
    let mut agent = Agent::params().build(env).unwrap();
    let e = agent.run(usize::MAX / 2).unwrap_err();
    assert!(matches!(e, canns::Error::Limit(_)), "{e}");
    assert!(
        e.to_string().contains("history") && e.to_string().contains("save_history(false)"),
        "{e}"
    );
    assert_eq!(agent.history().len(), 0, "no step was taken");
    let mut net = Cann1d::params().num(64).build().unwrap();
    let mut task = PopulationCoding::params().duration(1e300).build().unwrap();
    let e = canns::pipeline::simulate(&mut net, &mut task).unwrap_err();
    assert!(matches!(e, canns::Error::Limit(_)), "{e}");
    let e = Cann1d::params().num(usize::MAX).build().unwrap_err();
    assert!(e.to_string().contains("smaller `num`"), "{e}");
}

#[test]
fn huge_smoothing_and_bins_do_not_panic() {
    let dir = temp_dir("hostile-smooth");
    let counts: Vec<f64> = (0..400 * 6).map(|i| ((i * 31) % 5) as f64).collect();
    let p = write(
        &dir,
        "counts.npz",
        &zip_stored(&[
            ("counts.npy", npy("<f8", "(400, 6)", &f64_bytes(&counts))),
            ("bin_size.npy", npy("<f8", "()", &f64_bytes(&[0.1]))),
        ]),
    );
    let out = dir.join("r.json");
    for smooth in ["1e9", "1e30"] {
        let o = canns(&[
            "signature",
            p.to_str().unwrap(),
            "--smooth",
            smooth,
            "--shuffles",
            "0",
            "--n-points",
            "100",
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "--smooth {smooth}: {err}"
        );
        assert!(!err.contains("panicked"), "--smooth {smooth}: {err}");
    }
    let rec = hd_recording();
    let rp = dir.join("hd.npz");
    write_npz(&rec, &rp).unwrap();
    let (code, err) = canns_budget(
        &[
            "tuning",
            rp.to_str().unwrap(),
            "--bins",
            "1000000000000",
            "--shuffles",
            "0",
            "--out",
            dir.join("t.csv").to_str().unwrap(),
        ],
        "1G",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("1000000000000 bins") && err.contains("--bins"),
        "{err}"
    );
}

/// A small recording with position, head direction (two untracked
/// samples), unit metadata, epochs and events.
fn hd_recording() -> Recording {
    let n = 400;
    let t: Vec<f64> = (0..n).map(|i| i as f64 * 0.05).collect();
    let hd: Vec<f64> = t
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            if i == 7 || i == 8 {
                f64::NAN
            } else {
                (0.7 * t).sin() * 3.0
            }
        })
        .collect();
    let x: Vec<f64> = t.iter().map(|&t| 0.5 + 0.4 * (0.3 * t).cos()).collect();
    let y: Vec<f64> = t.iter().map(|&t| 0.5 + 0.4 * (0.2 * t).sin()).collect();
    let spikes0: Vec<f64> = (0..120).map(|k| k as f64 * 0.16 + 0.01).collect();
    let spikes1: Vec<f64> = (0..60).map(|k| k as f64 * 0.33 + 0.02).collect();
    Recording::builder()
        .spike_train(0, spikes0)
        .spike_train(3, spikes1)
        .unit_meta("location", vec!["adn", "pos"])
        .behaviour_time(t)
        .channel("x", x)
        .channel("y", y)
        .channel("head_direction", hd)
        .epoch("wake", 0.0, 10.0)
        .epoch("sleep", 10.0, 19.9)
        .events("reward", vec![1.0, 2.5])
        .source("hd")
        .build()
        .unwrap()
}

// ---- 3. realistic data that used to panic ------------------------------------

fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> T {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| panic!("{what} panicked"))
}

#[test]
fn asa_preset_on_all_zero_counts_is_an_answer_not_a_panic() {
    use canns::pipeline::{Activity, SignatureParams};
    let mut counts = ndarray::Array2::<f64>::zeros((600, 8));
    // sparse 10 ms bins: a few spikes, most rows identical (all zero)
    for i in (0..600).step_by(97) {
        counts[[i, i % 8]] = 1.0;
    }
    for c in [ndarray::Array2::<f64>::zeros((600, 8)), counts] {
        let r = no_panic("asa", || {
            let a = Activity::from_counts(c, 0.01).unwrap();
            SignatureParams::asa().seed(0).n_shuffles(0).run(&a)
        });
        if let Err(e) = r {
            assert!(!e.to_string().is_empty());
        }
    }
}

#[test]
fn extreme_time_spans_are_errors_or_answers() {
    use canns::analysis::HdTuningParams;
    // behaviour spanning most of f64: differences overflow to infinity
    let rec = Recording::builder()
        .spike_train(0, vec![-1e308, 0.5, 1e308])
        .behaviour_time(vec![-1.7e308, 0.0, 1.0, 1.7e308])
        .channel("head_direction", vec![0.0, 1.0, 2.0, 3.0])
        .epoch("all", -1.7e308, 1.7e308)
        .epoch("again", -1e308, 1e308)
        .build()
        .unwrap();
    let p = HdTuningParams::default().n_shuffles(10);
    let _ = no_panic("hd tuning", || rec.hd_tuning(&p).map(|t| t.units.len()));
    let _ = no_panic("binning a huge epoch", || {
        canns::pipeline::Activity::from_recording(&rec, 0.1, Some("all")).map(|a| a.n_bins())
    });
}

// ---- 4. accepted nonsense -----------------------------------------------------

#[test]
fn walk_refuses_a_resampling_that_would_write_nothing_and_keeps_real_errors() {
    let dir = temp_dir("hostile-walk");
    let out = dir.join("w.csv");
    let o = out.to_str().unwrap();
    let good = write(
        &dir,
        "good.csv",
        b"t,x,y\n0,0.1,0.1\n1,0.2,0.3\n2,0.4,0.2\n",
    );
    let (code, err) = canns_budget(
        &[
            "walk",
            "--trajectory",
            good.to_str().unwrap(),
            "--dt",
            "1e-300",
            "--out",
            o,
        ],
        "1G",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("dt = 1e-300 s") && err.contains("raise dt"),
        "{err}"
    );
    assert!(!out.exists());
    let bad = write(&dir, "bad.csv", b"t,x,y\n0,0.1,0.1\n2,0.2,0.3\n1,0.4,0.2\n");
    let (code, err) = canns_budget(
        &["walk", "--trajectory", bad.to_str().unwrap(), "--out", o],
        "1G",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("bad.csv") && err.contains("times[2]"), "{err}");
    let (code, err) = canns_budget(&["walk", "--trajectory", "nowhere.npz", "--out", o], "1G");
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("nowhere.npz") && !err.contains("must be sargolini"),
        "{err}"
    );
}

// ---- 5. untracked samples -------------------------------------------------------

#[test]
fn nan_behaviour_is_read_by_every_reader_and_infinity_is_refused() {
    use canns::data::io::{read, write as write_rec};
    let rec = hd_recording();
    let dir = temp_dir("hostile-nan");
    for name in ["r.npz", "r.parquet", "r.csv"] {
        let p = dir.join(name);
        write_rec(&rec, &p).unwrap();
        let back = read(&p).unwrap_or_else(|e| panic!("{name}: {e}"));
        let hd = back
            .behaviour_at("head_direction", &[0.35, 0.4, 1.0])
            .unwrap();
        assert!(
            hd[0].is_nan() && hd[1].is_nan() && hd[2].is_finite(),
            "{name}: {hd:?}"
        );
        let t = back.hd_tuning(&canns::analysis::HdTuningParams::default().n_shuffles(0));
        assert!(t.is_ok(), "{name}: {:?}", t.err());
    }
    // an empty CSV cell is untracked too; an infinity is an error naming the row
    let d = dir.join("cells");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("spikes.csv"), "unit,t\n0,0.5\n").unwrap();
    std::fs::write(d.join("behaviour.csv"), "t,x\n0,0.1\n1,\n2,0.3\n").unwrap();
    let r = read(&d).unwrap();
    assert!(r.behaviour_at("x", &[1.0]).unwrap()[0].is_nan());
    std::fs::write(d.join("behaviour.csv"), "t,x\n0,0.1\n1,inf\n2,0.3\n").unwrap();
    let e = read(&d).unwrap_err().to_string();
    assert!(e.contains("`x` row 1 is infinite"), "{e}");
}

// ---- 6. outputs -------------------------------------------------------------------

#[test]
fn every_output_overwrites_and_creates_missing_directories() {
    let dir = temp_dir("hostile-out");
    let pts = points_npy(&dir, "pts.npy", 30);
    let rec = dir.join("rec.npz");
    write_npz(&hd_recording(), &rec).unwrap();
    let r = rec.to_str().unwrap();
    let n = |s: &str| dir.join(s).to_str().unwrap().to_string();
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec![
                "rips".into(),
                pts.to_str().unwrap().into(),
                "--out".into(),
                n("a/b/d.json"),
            ],
            n("a/b/d.json"),
        ),
        (
            vec![
                "walk".into(),
                "--steps".into(),
                "10".into(),
                "--out".into(),
                n("c/w.csv"),
            ],
            n("c/w.csv"),
        ),
        (
            vec![
                "simulate".into(),
                "cann1d".into(),
                "population-coding".into(),
                "--set".into(),
                "num=32".into(),
                "--out".into(),
                n("d/s.npy"),
            ],
            n("d/s.npy"),
        ),
        (
            vec!["convert".into(), r.into(), n("e/f/r.npz")],
            n("e/f/r.npz"),
        ),
        (
            vec![
                "tuning".into(),
                r.into(),
                "--shuffles".into(),
                "0".into(),
                "--out".into(),
                n("g/t.csv"),
            ],
            n("g/t.csv"),
        ),
    ];
    for (args, out) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        for round in 0..2 {
            if round == 1 {
                std::fs::write(&out, "old").unwrap();
            }
            let o = canns(&args);
            assert!(
                o.status.success(),
                "canns {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&o.stderr)
            );
            let len = std::fs::metadata(&out).unwrap().len();
            assert!(len > 3, "{out} was not overwritten");
        }
    }
}

// ---- 7. mutation tests: error or correct, never a panic ---------------------------

/// xorshift64*: deterministic mutations without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The `k`-th mutation of `orig`: a flipped bit, a byte set to a random or
/// boundary value, a truncation, or a run of bytes zeroed.
fn mutate(orig: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut b = orig.to_vec();
    let i = rng.below(b.len());
    match rng.below(5) {
        0 | 1 => b[i] ^= 1 << rng.below(8),
        2 => b[i] = [0x00, 0xff, 0x7f, 0x80, b'9', b'\n', b','][rng.below(7)],
        3 => b.truncate(i),
        _ => {
            let end = (i + 1 + rng.below(16)).min(b.len());
            b[i..end].iter_mut().for_each(|x| *x = 0);
        }
    }
    b
}

fn same_recording(a: &Recording, b: &Recording) -> bool {
    a.spikes().equals_missing(b.spikes())
        && a.behaviour().equals_missing(b.behaviour())
        && a.units().equals_missing(b.units())
        && a.epochs().equals_missing(b.epochs())
        && a.events().equals_missing(b.events())
}

/// Runs `n` mutations of `orig` through `read`, written at `path`; `check`
/// judges a successful read. Returns (errors, correct reads, other reads).
fn mutation_run<T>(
    orig: &[u8],
    path: &Path,
    n: usize,
    seed: u64,
    read: impl Fn(&Path) -> canns::Result<T>,
    check: impl Fn(&T) -> bool,
) -> (usize, usize, usize) {
    let mut rng = Rng(seed);
    let (mut errors, mut same, mut other) = (0, 0, 0);
    let name = path.file_name().unwrap().to_str().unwrap().to_string();
    let mut panics = Vec::new();
    for k in 0..n {
        let m = mutate(orig, &mut rng);
        std::fs::write(path, &m).unwrap();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read(path))) {
            Err(_) => panics.push(k),
            Ok(Err(e)) => {
                let msg = e.to_string();
                assert!(
                    msg.contains(&name) || msg.contains(path.parent().unwrap().to_str().unwrap()),
                    "mutation {k}: error does not name the file: {msg}"
                );
                errors += 1;
            }
            Ok(Ok(v)) => {
                if check(&v) {
                    same += 1
                } else {
                    other += 1
                }
            }
        }
    }
    assert!(panics.is_empty(), "{name}: mutations {panics:?} panicked");
    (errors, same, other)
}

#[test]
fn mutated_npz_archives_are_errors_or_the_same_recording() {
    let dir = temp_dir("hostile-mut-npz");
    let rec = hd_recording();
    let p = dir.join("rec.npz");
    write_npz(&rec, &p).unwrap();
    let orig = std::fs::read(&p).unwrap();
    let want = read_npz(&p).unwrap();
    let (e, s, o) = mutation_run(
        &orig,
        &p,
        3000,
        1,
        |p| read_npz(p),
        |r| same_recording(r, &want),
    );
    eprintln!(
        "npz (stored, {} bytes): {e} errors, {s} same, {o} different",
        orig.len()
    );
    assert_eq!(o, 0, "a damaged NPZ loaded with different data");
    // compressed, as np.savez_compressed writes
    let orig = std::fs::read(fixture("compressed.npz")).unwrap();
    let p = dir.join("c.npz");
    std::fs::write(&p, &orig).unwrap();
    let want = Trajectory::from_npz(&p).unwrap();
    let (e, s, o) = mutation_run(
        &orig,
        &p,
        2000,
        2,
        |p| Trajectory::from_npz(p),
        |t| {
            t.times() == want.times()
                && t.coordinate(0) == want.coordinate(0)
                && t.coordinate(1) == want.coordinate(1)
        },
    );
    eprintln!(
        "npz (deflate, {} bytes): {e} errors, {s} same, {o} different",
        orig.len()
    );
    assert_eq!(o, 0, "a damaged compressed NPZ loaded with different data");
}

#[test]
fn mutated_npy_arrays_are_errors_or_differ_where_damaged() {
    let dir = temp_dir("hostile-mut-npy");
    let v: Vec<f64> = (0..64).map(|i| i as f64 * 0.25 - 3.0).collect();
    let orig = npy("<f8", "(32, 2)", &f64_bytes(&v));
    let p = dir.join("pts.npy");
    let (e, s, o) = mutation_run(
        &orig,
        &p,
        3000,
        3,
        |p| read_npy(p),
        |a| {
            // no checksum in .npy: a damaged data byte changes its value
            // (a zeroed run of up to 16 bytes: three values) or, with `<`
            // flipped to `>` in the dtype, every value byte-swapped
            let got = a.clone().into_f64();
            let differ = got
                .iter()
                .zip(&v)
                .filter(|(x, y)| x.to_bits() != y.to_bits())
                .count();
            let swapped = got
                .iter()
                .zip(&v)
                .all(|(x, y)| x.to_bits() == y.to_bits().swap_bytes());
            a.shape() == [32, 2] && (differ <= 3 || swapped)
        },
    );
    eprintln!(
        "npy ({} bytes): {e} errors, {s} damaged where mutated, {o} other",
        orig.len()
    );
    assert_eq!(o, 0);
}

#[test]
fn mutated_tables_are_errors_or_valid_recordings() {
    use canns::data::io::{read_table_dir, write_table_dir, TableFormat};
    let rec = hd_recording();
    for (fmt, n) in [(TableFormat::Csv, 1500), (TableFormat::Parquet, 1500)] {
        let dir = temp_dir(&format!("hostile-mut-{}", fmt.ext()));
        write_table_dir(&rec, &dir, fmt).unwrap();
        let want = read_table_dir(&dir, fmt).unwrap();
        for table in ["spikes", "behaviour"] {
            let p = dir.join(format!("{table}.{}", fmt.ext()));
            let orig = std::fs::read(&p).unwrap();
            let (e, s, o) = mutation_run(
                &orig,
                &p,
                n,
                4,
                |_| read_table_dir(&dir, fmt),
                |r| same_recording(r, &want),
            );
            eprintln!(
                "{table}.{} ({} bytes): {e} errors, {s} same, {o} valid but different",
                fmt.ext(),
                orig.len()
            );
            std::fs::write(&p, &orig).unwrap();
        }
    }
}

#[test]
fn mutated_trajectory_csv_is_an_error_or_a_valid_trajectory() {
    let dir = temp_dir("hostile-mut-traj");
    let mut text = String::from("t,x,y\n");
    for i in 0..60 {
        let t = i as f64 * 0.1;
        text.push_str(&format!(
            "{t},{},{}\n",
            0.5 + 0.3 * t.cos(),
            0.5 + 0.3 * t.sin()
        ));
    }
    let p = dir.join("traj.csv");
    let (e, s, o) = mutation_run(
        text.as_bytes(),
        &p,
        2000,
        5,
        |p| Trajectory::from_csv(p),
        |t| t.len() == 60,
    );
    eprintln!("trajectory csv: {e} errors, {s} with 60 samples, {o} other");
}
