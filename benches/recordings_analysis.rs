//! Analyses on the real recording A2929-200711, wake epoch (15 units, 529 s
//! of head direction at 120 Hz; tests/fixtures/analysis/a2929_wake.npz):
//! head-direction tuning of all units without and with the shuffle control
//! (500 circular shifts per unit), and 5-fold cross-validated decoding of head
//! direction from the 7 ADn units in 0.1 s bins.
//!
//! `cargo bench --bench recordings_analysis`

use canns::analysis::{decode_head_direction, resample, Decoder, DecodingParams};
use canns::analysis::{hd_tuning, HdTuningParams};
use canns::data::BinnedSpikes;
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::Array1;
use ndarray_npy::NpzReader;

fn bench(c: &mut Criterion) {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/analysis/a2929_wake.npz"
    );
    let mut z = NpzReader::new(std::fs::File::open(p).expect("fixture")).expect("npz");
    let st: Array1<f64> = z.by_name("spike_t").expect("spike_t");
    let su: Array1<u8> = z.by_name("spike_unit").expect("spike_unit");
    let adn: Array1<u8> = z.by_name("unit_is_adn").expect("unit_is_adn");
    let t: Array1<f64> = z.by_name("hd_t").expect("hd_t");
    let hd: Array1<f64> = z.by_name("hd").expect("hd");
    let (t, hd) = (t.to_vec(), hd.to_vec());
    let mut spikes = vec![Vec::new(); adn.len()];
    for (&s, &u) in st.iter().zip(&su) {
        spikes[u as usize].push(s);
    }
    let adn_spikes: Vec<Vec<f64>> = (0..adn.len())
        .filter(|&i| adn[i] == 1)
        .map(|i| spikes[i].clone())
        .collect();
    let mut g = c.benchmark_group("recordings_analysis");
    g.sample_size(10);
    g.bench_function("hd_tuning_15_units", |b| {
        b.iter(|| hd_tuning(&t, &hd, &spikes, &HdTuningParams::default().n_shuffles(0)).unwrap())
    });
    g.bench_function("hd_tuning_15_units_500_shuffles", |b| {
        b.iter(|| hd_tuning(&t, &hd, &spikes, &HdTuningParams::default()).unwrap())
    });
    for decoder in [Decoder::Bayesian, Decoder::PopulationVector] {
        g.bench_function(format!("decode_hd_7_adn_{decoder:?}_0.1s_5_folds"), |b| {
            b.iter(|| {
                let b =
                    BinnedSpikes::from_spike_times(&adn_spikes, 0.1, t[0], t[t.len() - 1]).unwrap();
                let angle = resample(&t, &hd, &b.centres, 0.1, true);
                let p = DecodingParams::default().decoder(decoder).shuffle(false);
                decode_head_direction(&b.counts.view(), &angle, 0.1, &p).unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
