//! Times the analyses on the real recording A2929-200711, wake epoch
//! (tests/fixtures/analysis/a2929_wake.npz), and prints JSON: head-direction
//! tuning of the 15 units (no shuffle, and 500 circular-shift shuffles per
//! unit) and 5-fold Bayesian decoding of head direction from the 7 ADn units
//! in 0.1 s bins (without the shuffled control). Best of several runs; file
//! reading excluded. Used by scripts/compare/analysis.py.
//!
//! `cargo run --release --example analysis_timing`

use canns::analysis::{decode_head_direction, resample, DecodingParams};
use canns::analysis::{hd_tuning, HdTuningParams};
use canns::data::BinnedSpikes;
use ndarray::Array1;
use ndarray_npy::NpzReader;
use std::time::Instant;

fn best_of<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..n {
        let s = Instant::now();
        let v = f();
        best = best.min(s.elapsed().as_secs_f64());
        out = Some(v);
    }
    (best, out.expect("n >= 1"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/analysis/a2929_wake.npz"
    );
    let mut z = NpzReader::new(std::fs::File::open(p)?)?;
    let st: Array1<f64> = z.by_name("spike_t")?;
    let su: Array1<u8> = z.by_name("spike_unit")?;
    let adn: Array1<u8> = z.by_name("unit_is_adn")?;
    let t: Vec<f64> = z
        .by_name::<ndarray::OwnedRepr<f64>, ndarray::Ix1>("hd_t")?
        .to_vec();
    let hd: Vec<f64> = z
        .by_name::<ndarray::OwnedRepr<f64>, ndarray::Ix1>("hd")?
        .to_vec();
    let mut spikes = vec![Vec::new(); adn.len()];
    for (&s, &u) in st.iter().zip(&su) {
        spikes[u as usize].push(s);
    }
    let adn_spikes: Vec<Vec<f64>> = (0..adn.len())
        .filter(|&i| adn[i] == 1)
        .map(|i| spikes[i].clone())
        .collect();
    let (tuning, _) = best_of(10, || {
        hd_tuning(&t, &hd, &spikes, &HdTuningParams::default().n_shuffles(0))
    });
    let (shuffled, tu) = best_of(3, || {
        hd_tuning(&t, &hd, &spikes, &HdTuningParams::default())
    });
    let tu = tu?;
    let (decode, d) = best_of(10, || -> canns::Result<_> {
        let b = BinnedSpikes::from_spike_times(&adn_spikes, 0.1, t[0], t[t.len() - 1])?;
        let angle = resample(&t, &hd, &b.centres, 0.1, true);
        decode_head_direction(
            &b.counts.view(),
            &angle,
            0.1,
            &DecodingParams::default().shuffle(false),
        )
    });
    let d = d?;
    println!(
        "{{\"tuning_s\": {tuning:.6}, \"tuning_500_shuffles_s\": {shuffled:.6}, \"decode_s\": {decode:.6}, \"n_hd_cells\": {}, \"median_error_deg\": {:.4}}}",
        tu.n_hd_cells(),
        d.median_error_deg()
    );
    Ok(())
}
