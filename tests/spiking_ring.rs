//! The spiking ring attractor: a cue starts a bump that persists without
//! input (working memory, Compte et al. 2000) and follows a moving cue.

use canns::models::BumpTrace;
use canns::models::{FeatureMap, LifRing, Model};
use canns::space::angle_diff;

/// Runs `ring` for `duration` s with the cue at `cue(t)` (none when `None`).
fn drive(ring: &mut LifRing, duration: f64, cue: impl Fn(f64) -> Option<f64>) {
    let n = ring.n_neurons();
    let dt = ring.parameters().dt;
    let mut input = vec![0.0; n];
    let steps = (duration / dt).round() as usize;
    for _ in 0..steps {
        match cue(ring.time()) {
            Some(a) => ring.stimulus(&[a], &mut input).unwrap(),
            None => input.fill(0.0),
        }
        ring.step(dt, &input).unwrap();
    }
}

fn bins(ring: &LifRing, t0: f64, t1: f64) -> BumpTrace {
    ring.spike_log().bump(t0, t1, 0.05).unwrap()
}

#[test]
fn spontaneous_state_is_quiet_and_unstructured() {
    let mut ring = LifRing::params().seed(1).build().unwrap();
    drive(&mut ring, 1.0, |_| None);
    let (re, ri) = ring.spike_log().population_rates(0.2, 1.0);
    // One bin over the whole window: with k spikes at random angles the
    // concentration is about sqrt(pi / 4k) by chance alone.
    let b = ring.spike_log().bump(0.2, 1.0, 0.8).unwrap();
    let k = b.rate[0] * 800.0 * 0.8;
    let chance = (std::f64::consts::PI / (4.0 * k)).sqrt();
    eprintln!(
        "spontaneous: E {re:.2} Hz, I {ri:.2} Hz, concentration {:.3} (chance {chance:.3})",
        b.concentration[0]
    );
    assert!(re < 2.0, "E rate {re}");
    // A bump concentrates its spikes to about 0.9.
    assert!(
        b.concentration[0] < 0.4,
        "a bump formed without a cue ({:?})",
        b.concentration
    );
}

#[test]
fn bump_persists_for_one_second_without_input() {
    // Noise moves the bump by diffusion. Measured (seeds 0-5): 0.6, 1.0,
    // 6.0, 3.3, 6.8, 1.6 deg after 1 s, root mean square 4.0 deg, largest
    // excursion of a 50 ms bin 8.9 deg; the bounds leave about 2x room.
    let theta0 = 1.0;
    let mut drifts = Vec::new();
    let mut worst_along_the_way: f64 = 0.0;
    for seed in 0..6 {
        let mut ring = LifRing::params().seed(seed).build().unwrap();
        drive(&mut ring, 0.2, |_| None);
        drive(&mut ring, 0.25, |_| Some(theta0));
        let off = ring.time();
        drive(&mut ring, 1.0, |_| None);
        let b = bins(&ring, off, off + 1.0);
        let (re, ri) = ring.spike_log().population_rates(off + 0.9, off + 1.0);
        let last = b.centre[b.centre.len() - 1];
        let drift = angle_diff(last, theta0);
        eprintln!(
            "seed {seed}: E {re:.2} Hz, I {ri:.2} Hz in the last 100 ms; drift after 1 s {:.1} deg; \
             concentration {:.2?}",
            drift.to_degrees(),
            b.concentration
        );
        // The bump is there all along: concentrated spikes in every 50 ms bin.
        assert!(
            b.concentration.iter().all(|&c| c > 0.5),
            "bump lost: {:?}",
            b.concentration
        );
        assert!(
            b.rate.iter().all(|&r| r > 1.0),
            "activity died: {:?}",
            b.rate
        );
        drifts.push(drift.abs());
        for &c in &b.centre {
            worst_along_the_way = worst_along_the_way.max(angle_diff(c, theta0).abs());
        }
    }
    let max = drifts.iter().cloned().fold(0.0, f64::max);
    let rms = (drifts.iter().map(|d| d * d).sum::<f64>() / drifts.len() as f64).sqrt();
    eprintln!(
        "drift over 1 s: {:.1?} deg; rms {:.1} deg; largest excursion in any 50 ms bin {:.1} deg",
        drifts.iter().map(|d| d.to_degrees()).collect::<Vec<_>>(),
        rms.to_degrees(),
        worst_along_the_way.to_degrees()
    );
    assert!(
        rms < 8f64.to_radians(),
        "rms drift {} deg",
        rms.to_degrees()
    );
    assert!(max < 15f64.to_radians(), "drift {} deg", max.to_degrees());
    assert!(
        worst_along_the_way < 20f64.to_radians(),
        "excursion {} deg",
        worst_along_the_way.to_degrees()
    );
}

#[test]
fn bump_tracks_a_moving_cue() {
    let omega = std::f64::consts::PI / 2.0; // a quarter turn per second
    let mut ring = LifRing::params().seed(2).build().unwrap();
    drive(&mut ring, 0.25, |_| Some(0.0));
    let start = ring.time();
    drive(&mut ring, 2.0, |t| Some(omega * (t - start)));
    let b = bins(&ring, start + 0.25, start + 2.0);
    let errs: Vec<f64> =
        b.t.iter()
            .zip(&b.centre)
            .map(|(&t, &c)| angle_diff(c, omega * (t - start)))
            .collect();
    let mean_lag = errs.iter().sum::<f64>() / errs.len() as f64;
    let worst = errs.iter().fold(0.0f64, |m, e| m.max(e.abs()));
    eprintln!(
        "tracking: mean error {:.1} deg, worst {:.1} deg",
        mean_lag.to_degrees(),
        worst.to_degrees()
    );
    assert!(
        worst < 30f64.to_radians(),
        "worst {} deg",
        worst.to_degrees()
    );
}

#[test]
fn same_seed_same_spikes() {
    let run = |seed| {
        let mut ring = LifRing::params()
            .n_exc(200)
            .n_inh(50)
            .seed(seed)
            .build()
            .unwrap();
        drive(&mut ring, 0.1, |_| Some(0.5));
        ring.spike_log().clone()
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}
