//! Helpers shared by the command-line tests: run the `canns` binary, and a
//! fresh temporary directory per test.

// Each test binary uses its own subset of these.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the `canns` binary with `args`.
pub fn canns(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_canns"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs the `canns` binary with `args` and asserts that it succeeded
/// (the failure message shows the command and its standard error).
pub fn canns_ok(args: &[&str]) -> Output {
    let out = canns(args);
    assert!(
        out.status.success(),
        "canns {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// An empty directory under the system's temporary directory, unique to
/// this test process.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("canns-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The JSON file at `rel`, a path relative to the repository's root.
pub fn json_file(rel: &str) -> serde_json::Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The numbers of a JSON array.
pub fn f64s(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}
