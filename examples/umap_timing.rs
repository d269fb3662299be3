//! Timing of UMAP on a point cloud read from a `.npy` file (rows are points),
//! for the comparison script `scripts/compare/embed.py`. Prints one JSON line:
//! seconds for the kNN graph + fuzzy set + layout (file reading excluded), the
//! trustworthiness of the embedding for k = 15 (not timed), and the embedding
//! itself is written next to the input as `<input>.canns.npy`.
//!
//! `cargo run --release --example umap_timing -- POINTS.npy [SEED]`

use canns::embed::{trustworthiness, Metric, Umap};
use canns::prelude::*;
use ndarray::Array2;
use std::time::Instant;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or_else(|| Error::Invalid("usage: umap_timing POINTS.npy [SEED]".into()))?;
    let seed: u64 = match args.next() {
        Some(s) => s
            .parse()
            .map_err(|_| Error::Invalid(format!("seed: not an integer: {s:?}")))?,
        None => 42,
    };
    let data: Array2<f64> = ndarray_npy::read_npy(&path)
        .or_else(|_| ndarray_npy::read_npy::<_, Array2<f32>>(&path).map(|a| a.mapv(f64::from)))
        .map_err(|e| Error::data(&path, e.to_string()))?;
    let t0 = Instant::now();
    let umap = Umap::params().seed(seed).fit(&data.view())?;
    let seconds = t0.elapsed().as_secs_f64();
    let trust = trustworthiness(
        &data.view(),
        &umap.embedding().view(),
        15,
        Metric::Euclidean,
    )?;
    let out = format!("{path}.canns.npy");
    ndarray_npy::write_npy(&out, umap.embedding()).map_err(|e| Error::data(&out, e.to_string()))?;
    println!(
        "{{\"n\":{},\"dim\":{},\"seconds\":{seconds},\"trustworthiness\":{trust},\"epochs\":{}}}",
        data.nrows(),
        data.ncols(),
        umap.n_epochs()
    );
    Ok(())
}
