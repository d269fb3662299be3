//! `canns tuning`: head-direction tuning and classification of a recording
//! written as a table, including bad input.

mod common;
use common::{canns, temp_dir};

#[test]
fn tuning_classifies_the_adn_units_as_hd_cells() {
    let dir = temp_dir("tuning");
    let out = dir.join("adn.csv");
    let o = canns(&[
        "tuning",
        "A2929-200711",
        "--epoch",
        "wake",
        "--units",
        "adn",
        "--shuffles",
        "100",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(&out).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|c| *c == "is_hd_cell").unwrap();
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    assert_eq!(rows.len(), 7);
    assert!(rows.iter().all(|r| r[col] == "true"), "{csv}");
    let curves = std::fs::read_to_string(dir.join("adn_curves.csv")).unwrap();
    assert_eq!(curves.lines().count(), 1 + 7 * 60);
    assert!(String::from_utf8_lossy(&o.stdout).contains("7 HD cells"));
}

#[test]
fn tuning_writes_parquet_and_rejects_bad_input() {
    let dir = temp_dir("tuning-bad");
    let out = dir.join("all.parquet");
    let o = canns(&[
        "tuning",
        "A2929-200711",
        "--epoch",
        "wake",
        "--bins",
        "36",
        "--shuffles",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let f = std::fs::File::open(&out).unwrap();
    use canns::polars::prelude::SerReader;
    let df = canns::polars::prelude::ParquetReader::new(f)
        .finish()
        .unwrap();
    assert_eq!(df.height(), 15);
    let bad = |args: &[&str], what: &str| {
        let o = canns(args);
        assert!(!o.status.success());
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(what), "{e}");
    };
    let txt = dir.join("x.txt");
    bad(
        &["tuning", "A2929-200711", "--out", txt.to_str().unwrap()],
        "unsupported output format",
    );
    let csv = dir.join("x.csv");
    bad(
        &[
            "tuning",
            "A2929-200711",
            "--units",
            "v1",
            "--out",
            csv.to_str().unwrap(),
        ],
        "v1",
    );
    bad(
        &[
            "tuning",
            "A2929-200711",
            "--epoch",
            "run",
            "--out",
            csv.to_str().unwrap(),
        ],
        "run",
    );
    bad(
        &[
            "tuning",
            "A2929-200711",
            "--bins",
            "2",
            "--out",
            csv.to_str().unwrap(),
        ],
        "n_bins",
    );
    bad(
        &["tuning", "no-such-file.nwb", "--out", csv.to_str().unwrap()],
        "no-such-file",
    );
}
