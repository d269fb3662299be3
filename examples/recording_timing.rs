//! Times loading the bundled NWB recording and binning all its spikes in
//! 10 ms bins (median of 21 runs, after one warm-up), printed as JSON for
//! `scripts/compare/recording_speed.py`.
//!
//! `cargo run --release --example recording_timing`

use canns::data::io;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> canns::Result<()> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/A2929-200711.nwb");
    let _ = io::read_nwb(path)?;
    let (mut read, mut bin, mut total) = (Vec::new(), Vec::new(), Vec::new());
    let mut cells = 0.0;
    for _ in 0..21 {
        let t0 = Instant::now();
        let rec = io::read_nwb(path)?;
        let t1 = Instant::now();
        let b = rec.bin_spikes(0.01, None)?;
        let t2 = Instant::now();
        cells = b.counts.sum();
        read.push((t1 - t0).as_secs_f64());
        bin.push((t2 - t1).as_secs_f64());
        total.push((t2 - t0).as_secs_f64());
    }
    println!(
        "{{\"read_s\": {:.6}, \"bin_s\": {:.6}, \"total_s\": {:.6}, \"spikes_binned\": {cells}}}",
        median(read),
        median(bin),
        median(total)
    );
    Ok(())
}
