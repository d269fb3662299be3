//! The attractor-signature pipeline on the real recording A2929-200711
//! (Peyrache lab): the seven ADn units of the wake epoch lie on a ring that
//! stands out from circularly shifted shuffles by the scale-free
//! statistics, the default `death / birth` and Bobrowski & Skraba's
//! standardised `ln ln(death / birth)`, but not by raw lifetime (shuffled
//! clouds are wider), and
//! the angle decoded from the ring follows the tracked head direction.
//!
//! 500 greedy landmarks and 20 shuffles keep the test near 20 s in the
//! test profile; 0.2 s smoothing (instead of the preset's 0.1 s) evens out
//! the Poisson noise of seven units in 0.1 s bins.

use canns::data::Recording;
use canns::pipeline::{Activity, SignatureParams, SignatureResult, Statistic};

fn adn_wake() -> Activity {
    let rec = Recording::dataset("A2929-200711")
        .unwrap()
        .select_units("location", "adn")
        .unwrap();
    Activity::from_recording(&rec, 0.1, Some("wake")).unwrap()
}

fn run(act: &Activity, statistic: Statistic) -> SignatureResult {
    SignatureParams::head_direction()
        .smooth(0.2)
        .n_points(500)
        .n_shuffles(20)
        .statistic(statistic)
        .run(act)
        .unwrap()
}

#[test]
fn adn_units_lie_on_a_significant_ring_that_decodes_head_direction() {
    let act = adn_wake();
    assert_eq!(act.n_units(), 7);
    assert_eq!(act.n_bins(), 6000);
    let r = run(&act, Statistic::Ratio);
    assert_eq!(r.kept.len(), 3000);
    // One ring: its death/birth ratio beyond the 99% band of the shuffles
    // (2.60 against 1.99), the next bar well inside it.
    assert_eq!(r.n_significant(1), 1, "{r}");
    assert!(r.relative_persistence(1, 0) > 1.2, "{r}");
    assert!(r.relative_persistence(1, 1) < 0.9, "{r}");
    // The standardised statistic agrees (2.06 against 1.68).
    let universal = run(&act, Statistic::Universal);
    assert_eq!(universal.n_significant(1), 1, "{universal}");
    assert!(universal.relative_persistence(1, 0) > 1.15, "{universal}");
    // Bobrowski-Skraba: the ring is far less likely under the universal
    // null than any other bar.
    let p = r.universal_p_values(1);
    assert!(p[0] < 0.005 && p[1] > 0.01, "{p:?}");
    // The decoded angle follows head direction.
    let c = r.comparison.as_ref().unwrap();
    assert!(c.correlation > 0.8, "{c:?}");
    assert!(c.mean_abs_error.to_degrees() < 35.0, "{c:?}");
    assert!(c.n > 2500, "{c:?}");
    // Raw lifetimes: the same ring is not called significant, since the
    // shuffled clouds are wider and their longest bars reach it.
    let raw = run(&act, Statistic::Lifetime);
    assert_eq!(raw.lifetimes(1), r.lifetimes(1));
    assert_eq!(raw.n_significant(1), 0, "{raw}");
}
