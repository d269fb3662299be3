//! Timing of Vietoris-Rips persistence on the comparison workloads, without
//! Python: H1 of 1000 points on a noisy circle, H<=2 of 1000 points on a torus
//! in R^3, H<=2 of 300 points uniform in [0, 1]^50 (seeded here; the
//! side-by-side script `scripts/compare/rips.py` draws its own with numpy), or
//! any `.npy` point cloud. Prints the number of intervals per dimension and
//! the seconds taken by `rips()`.
//!
//! `cargo run --release --example rips_timing -- [circle|torus|r50|POINTS.npy] [MAXDIM] [N]`

use canns::prelude::*;
use canns::tda::{rips, RipsParams};
use ndarray::Array2;
use rand::RngExt;
use rand_distr::{Distribution, Normal};
use std::f64::consts::TAU;
use std::time::Instant;

fn workload(name: &str, n: Option<usize>) -> Result<(Array2<f64>, usize)> {
    let mut rng = canns::random::seeded(2026);
    let normal = Normal::new(0.0, 0.1).expect("valid normal");
    Ok(match name {
        "circle" => {
            let n = n.unwrap_or(1000);
            let mut a = Array2::zeros((n, 2));
            for i in 0..n {
                let t = rng.random::<f64>() * TAU;
                a[[i, 0]] = t.cos() + normal.sample(&mut rng);
                a[[i, 1]] = t.sin() + normal.sample(&mut rng);
            }
            (a, 1)
        }
        "torus" => {
            let n = n.unwrap_or(1000);
            let mut a = Array2::zeros((n, 3));
            for i in 0..n {
                let (u, v) = (rng.random::<f64>() * TAU, rng.random::<f64>() * TAU);
                a[[i, 0]] = (2.0 + v.cos()) * u.cos();
                a[[i, 1]] = (2.0 + v.cos()) * u.sin();
                a[[i, 2]] = v.sin();
            }
            (a, 2)
        }
        "r50" => {
            let n = n.unwrap_or(300);
            (Array2::from_shape_fn((n, 50), |_| rng.random::<f64>()), 2)
        }
        path => {
            let a: Array2<f64> =
                ndarray_npy::read_npy(path).map_err(|e| Error::data(path, e.to_string()))?;
            (a, 1)
        }
    })
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = args.first().map_or("circle", String::as_str);
    let parse = |i: usize| -> Result<Option<usize>> {
        args.get(i)
            .map(|s| {
                s.parse()
                    .map_err(|_| Error::Invalid(format!("not an integer: {s:?}")))
            })
            .transpose()
    };
    let n = parse(2)?;
    let (points, default_dim) = workload(name, n)?;
    let maxdim = parse(1)?.unwrap_or(default_dim);
    let t0 = Instant::now();
    let d = rips(&points, &RipsParams::default().maxdim(maxdim))?;
    let secs = t0.elapsed().as_secs_f64();
    let counts: Vec<usize> = d.pairs.iter().map(Vec::len).collect();
    println!(
        "{name}: {} points in R^{}, H<={maxdim}, intervals {counts:?}, threshold {:.4}: {secs:.3} s",
        points.nrows(),
        points.ncols(),
        d.threshold
    );
    Ok(())
}
