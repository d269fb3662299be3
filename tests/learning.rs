//! Acceptance tests of the Hopfield network and the learning rules, against
//! theory and the reference numbers of canns 1.5 (the protocols are canns's;
//! the random streams are this crate's own, so the comparisons are
//! statistical except where the rule is deterministic).

use canns::embed::Pca;
use canns::models::{Activation, Update};
use canns::models::{Hopfield, LinearLayer, SpikingLayer};
use canns::ndarray::{s, Array1, Array2, ArrayView2};
use canns::random::SeededRng;
use canns::train::{
    line_angle_deg, patterns, Bcm, Hebbian, LearningRule, Normalization, Oja, Sanger, Stdp,
};
use rand::RngExt;
use rand_distr::StandardNormal;

/// `p x n` random +-1 patterns.
fn random_patterns(p: usize, n: usize, rng: &mut SeededRng) -> Array2<f64> {
    patterns::random(p, n, rng.random())
}

/// Each entry flipped with probability `q`.
fn corrupt(patterns: &Array2<f64>, q: f64, rng: &mut SeededRng) -> Array2<f64> {
    patterns.mapv(|v| if rng.random::<f64>() < q { -v } else { v })
}

/// Overlap `p . s / N` of every row pair.
fn overlaps(patterns: &Array2<f64>, states: &Array2<f64>) -> Vec<f64> {
    let n = patterns.ncols() as f64;
    patterns
        .outer_iter()
        .zip(states.outer_iter())
        .map(|(p, s)| p.dot(&s) / n)
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Stores `patterns` with the default Hebbian rule in a network of `N` neurons.
fn stored(patterns: &Array2<f64>, update: Update, seed: u64) -> Hopfield {
    let mut net = Hopfield::params()
        .n_neurons(patterns.ncols())
        .update(update)
        .seed(seed)
        .build()
        .unwrap();
    Hebbian::params()
        .build()
        .unwrap()
        .train(&mut net, patterns.view())
        .unwrap();
    net
}

#[test]
fn hopfield_capacity() {
    // canns (N = 500): mean overlap 1.00 / 0.997 / 0.891 / 0.582 / 0.383.
    let n = 500;
    let alphas = [0.05, 0.10, 0.14, 0.20, 0.30];
    let mut mean_m = vec![0.0; alphas.len()];
    let mut recalled = vec![0.0; alphas.len()];
    let draws = 3;
    for draw in 0..draws {
        for (k, &alpha) in alphas.iter().enumerate() {
            let p = (alpha * n as f64).round() as usize;
            let mut rng = canns::random::seeded(1000 * draw + p as u64);
            let pats = random_patterns(p, n, &mut rng);
            let mut net = stored(&pats, Update::Synchronous, 0);
            let noisy = corrupt(&pats, 0.10, &mut rng);
            let out = net.recall_batch(noisy.view(), 20).unwrap();
            let m = overlaps(&pats, &out);
            mean_m[k] += mean(&m) / draws as f64;
            recalled[k] +=
                m.iter().filter(|&&x| x > 0.95).count() as f64 / (p * draws as usize) as f64;
        }
    }
    eprintln!("alpha {alphas:?}\nmean overlap {mean_m:.3?}\nfraction recalled {recalled:.3?}");
    assert!(mean_m[1] >= 0.95, "alpha = 0.10: {}", mean_m[1]);
    assert!(mean_m[3] <= 0.80, "alpha = 0.20: {}", mean_m[3]);
    for k in 1..alphas.len() {
        assert!(
            recalled[k] <= recalled[k - 1],
            "fraction recalled not monotone: {recalled:?}"
        );
    }
    assert_eq!(recalled[0], 1.0);
}

#[test]
fn hopfield_stable_small_load() {
    for n in [100, 200, 500] {
        let p = (0.05 * n as f64).round() as usize;
        let mut rng = canns::random::seeded(n as u64);
        let pats = random_patterns(p, n, &mut rng);
        for update in [Update::Synchronous, Update::Asynchronous] {
            let mut net = stored(&pats, update, 3);
            for pat in pats.outer_iter() {
                let r = net.recall(pat.as_slice().unwrap(), 5).unwrap();
                assert!(
                    r.converged && r.steps == 1,
                    "N = {n}: pattern is not a fixed point"
                );
                assert_eq!(net.overlap(pat.as_slice().unwrap()).unwrap(), 1.0);
            }
        }
    }
}

#[test]
fn hopfield_async_energy() {
    let (n, p) = (200, 30);
    let mut rng = canns::random::seeded(11);
    let pats = random_patterns(p, n, &mut rng);
    let mut net = stored(&pats, Update::Asynchronous, 7);
    for _ in 0..10 {
        let probe: Vec<f64> = (0..n)
            .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
            .collect();
        let r = net.recall(&probe, 50).unwrap();
        assert!(r.converged, "asynchronous recall must reach a fixed point");
        for w in r.energy.windows(2) {
            assert!(w[1] <= w[0] + 1e-9, "energy rose: {} -> {}", w[0], w[1]);
        }
    }
    // A fresh order each sweep: one sweep from the same random state twice
    // (canns's key reuse would give the same result every time).
    let probe: Vec<f64> = (0..n)
        .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
        .collect();
    let mut results = Vec::new();
    for _ in 0..3 {
        net.set_state(&probe).unwrap();
        net.update();
        results.push(net.state().to_vec());
    }
    assert!(results[0] != results[1] || results[1] != results[2]);
    // Same seed, same sequence of orders.
    let mut a = stored(&pats, Update::Asynchronous, 7);
    let mut b = stored(&pats, Update::Asynchronous, 7);
    let ra = a.recall(&probe, 3).unwrap();
    let rb = b.recall(&probe, 3).unwrap();
    assert_eq!(ra.state, rb.state);
}

#[test]
fn graded_activations_stay_in_range() {
    let mut rng = canns::random::seeded(2);
    let pats = random_patterns(5, 64, &mut rng);
    for (act, lo, hi) in [
        (Activation::Tanh, -1.0, 1.0),
        (Activation::Sigmoid, 0.0, 1.0),
    ] {
        let mut net = Hopfield::params()
            .n_neurons(64)
            .activation(act)
            .temperature(0.5)
            .build()
            .unwrap();
        Hebbian::params()
            .build()
            .unwrap()
            .train(&mut net, pats.view())
            .unwrap();
        let r = net.recall(pats.row(0).as_slice().unwrap(), 100).unwrap();
        assert!(r.state.iter().all(|&s| s > lo && s < hi), "{act:?}");
    }
    // tanh at low temperature recalls the pattern's signs.
    let mut net = Hopfield::params()
        .n_neurons(64)
        .activation(Activation::Tanh)
        .temperature(0.05)
        .build()
        .unwrap();
    Hebbian::params()
        .build()
        .unwrap()
        .train(&mut net, pats.view())
        .unwrap();
    let probe = corrupt(&pats.slice(s![0..1, ..]).to_owned(), 0.1, &mut rng);
    let r = net.recall(probe.row(0).as_slice().unwrap(), 100).unwrap();
    assert!(
        net.overlap(pats.row(0).as_slice().unwrap()).unwrap() > 0.95,
        "{:?}",
        r.steps
    );
}

/// Stores 10 patterns, unlearns the first with the same settings, and returns
/// (overlap of p0 after 20 and 19 iterations, mean overlap of the others).
fn unlearn(normalization: Normalization, subtract_mean: bool) -> (f64, f64, f64) {
    let (n, p) = (200, 10);
    let mut rng = canns::random::seeded(7);
    let pats = random_patterns(p, n, &mut rng);
    let mut net = Hopfield::params().n_neurons(n).build().unwrap();
    let params = Hebbian::params()
        .normalization(normalization)
        .subtract_mean(subtract_mean);
    params
        .build()
        .unwrap()
        .train(&mut net, pats.view())
        .unwrap();
    params
        .anti(true)
        .build()
        .unwrap()
        .step(&mut net, pats.row(0))
        .unwrap();
    let noisy = corrupt(&pats, 0.1, &mut rng);
    let m20 = overlaps(&pats, &net.recall_batch(noisy.view(), 20).unwrap());
    let m19 = overlaps(&pats, &net.recall_batch(noisy.view(), 19).unwrap());
    (m20[0], m19[0], mean(&m20[1..]))
}

#[test]
fn antihebbian_unlearn() {
    // canns, example settings (no mean, no normalisation): p0 0.10, others 1.00.
    for (norm, sub) in [
        (Normalization::None, false),
        (Normalization::Neurons, false),
        (Normalization::Neurons, true),
    ] {
        let (p0, _, others) = unlearn(norm, sub);
        assert!(p0.abs() <= 0.3, "{norm:?}: p0 still recalled ({p0})");
        assert!(others >= 0.95, "{norm:?}: others lost ({others})");
    }
    // canns's default normalises the one unlearned pattern by 1 and the ten
    // learned ones by 10: the unlearning overshoots (canns: p0 flips between
    // +1 and -1 on alternate iterations, the others fall to 0.48).
    let (p0_20, p0_19, others) = unlearn(Normalization::Patterns, true);
    eprintln!("per-call normalisation: p0 {p0_20} (20 it) / {p0_19} (19 it), others {others}");
    assert!(
        others < 0.9 || p0_20 * p0_19 < 0.0,
        "no overshoot: {others}"
    );
}

/// 1000 centred samples in R^10 with covariance eigenvalues (5, 3, 2, 1, .5,
/// .4, .3, .2, .1, .05) in a random orthonormal basis, and the principal
/// components of the sample covariance (rows).
fn pca_data(seed: u64) -> (Array2<f64>, Array2<f64>) {
    let lam = [5.0, 3.0, 2.0, 1.0, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
    let (x, _) = patterns::gaussian(1000, &lam, seed).unwrap();
    let pcs = Pca::params().fit(&x.view()).unwrap().components().clone();
    (x, pcs)
}

fn angle(w: &Array2<f64>, i: usize, v: &Array2<f64>, j: usize) -> f64 {
    line_angle_deg(&w.row(i).to_vec(), &v.row(j).to_vec())
}

fn oja_run(x: &Array2<f64>, lr: f64, outputs: usize, epochs: usize) -> (LinearLayer, Vec<f64>) {
    let pcs = Pca::params().fit(&x.view()).unwrap().components().clone();
    // A layer seed apart from the data seeds: the first initial weight row
    // and the first axis of `patterns::gaussian` come from the same stream
    // when the seeds are equal.
    let mut layer = LinearLayer::params()
        .n_inputs(10)
        .n_outputs(outputs)
        .seed(100)
        .build()
        .unwrap();
    let mut oja = Oja::params().learning_rate(lr).build().unwrap();
    let mut per_epoch = Vec::new();
    for _ in 0..epochs {
        oja.train(&mut layer, x.view()).unwrap();
        per_epoch.push(angle(layer.weights(), 0, &pcs, 0));
    }
    (layer, per_epoch)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Data draws for the statistical tests: a fixed learning rate leaves the
/// weights fluctuating around the component, by an angle that depends on the
/// draw (Oja at eta = 0.001 ends 1.5-5.2 degrees from PC1 over ten draws;
/// canns's one draw gave 2.56), so the spec's single-run thresholds apply to
/// the median over draws, with a looser bound on every draw.
const DRAWS: std::ops::Range<u64> = 0..5;

#[test]
fn oja_pc1() {
    // canns: 12.0 deg after 1 epoch, 2.56 after 5 and 10 (eta = 0.001).
    let mut last = Vec::new();
    for seed in DRAWS {
        let (x, _) = pca_data(seed);
        let (layer, per_epoch) = oja_run(&x, 0.001, 1, 10);
        eprintln!("draw {seed}: Oja eta=0.001 angle to PC1 per epoch {per_epoch:.2?}");
        let w = layer.weights().row(0);
        assert!((w.dot(&w).sqrt() - 1.0).abs() < 0.02);
        assert!(per_epoch[9] < 7.0, "{per_epoch:?}");
        last.push(per_epoch[9]);
    }
    assert!(median(last.clone()) < 5.0, "{last:?}");
    // Without normalisation the rule keeps |w| near 1 by itself (canns 1.016).
    let (x, _) = pca_data(0);
    let mut layer = LinearLayer::params()
        .n_inputs(10)
        .seed(100)
        .build()
        .unwrap();
    Oja::params()
        .learning_rate(0.01)
        .normalize(false)
        .epochs(10)
        .build()
        .unwrap()
        .train(&mut layer, x.view())
        .unwrap();
    let w = layer.weights().row(0);
    assert!(
        (w.dot(&w).sqrt() - 1.0).abs() < 0.05,
        "{}",
        w.dot(&w).sqrt()
    );
}

#[test]
fn oja_lr_noise_floor() {
    // canns: 11.9 deg at eta = 0.01 (the same value at epochs 1, 5 and 10:
    // the same order every epoch makes a limit cycle).
    let (mut big, mut small) = (Vec::new(), Vec::new());
    for seed in DRAWS {
        let (x, _) = pca_data(seed);
        let (_, b) = oja_run(&x, 0.01, 1, 10);
        let (_, s) = oja_run(&x, 0.001, 1, 10);
        assert!((b[9] - b[4]).abs() < 0.01, "not a limit cycle: {b:?}");
        big.push(b[9]);
        small.push(s[9]);
    }
    eprintln!("Oja angle after 10 epochs: eta=0.01 {big:.2?}, eta=0.001 {small:.2?}");
    assert!((median(big.clone()) - 12.0).abs() <= 5.0, "{big:?}");
    assert!(
        median(big) > 2.0 * median(small),
        "the floor must grow with eta"
    );
}

#[test]
fn oja_multi_output_collapse() {
    // canns: all three rows at 11.916 deg to PC1.
    let (x, pcs) = pca_data(0);
    let (layer, _) = oja_run(&x, 0.01, 3, 10);
    for i in 0..3 {
        let a = angle(layer.weights(), i, &pcs, 0);
        assert!(a < 15.0, "row {i}: {a} deg");
    }
}

/// Eigenvalues of a small symmetric matrix by cyclic Jacobi rotations.
fn sym_eigenvalues(mut a: Array2<f64>) -> Vec<f64> {
    let n = a.nrows();
    for _ in 0..100 {
        for p in 0..n {
            for q in p + 1..n {
                if a[[p, q]].abs() < 1e-15 {
                    continue;
                }
                let theta = (a[[q, q]] - a[[p, p]]) / (2.0 * a[[p, q]]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let (c, s) = (1.0 / (t * t + 1.0).sqrt(), t / (t * t + 1.0).sqrt());
                let mut j = Array2::<f64>::eye(n);
                j[[p, p]] = c;
                j[[q, q]] = c;
                j[[p, q]] = s;
                j[[q, p]] = -s;
                a = j.t().dot(&a).dot(&j);
            }
        }
    }
    (0..n).map(|i| a[[i, i]]).collect()
}

/// Principal angles (degrees) between the row spaces of `a` and `b`.
fn principal_angles(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Vec<f64> {
    let orth = |m: ArrayView2<f64>| {
        let mut q = m.to_owned();
        for i in 0..q.nrows() {
            for j in 0..i {
                let qj = q.row(j).to_owned();
                let c = qj.dot(&q.row(i));
                q.row_mut(i).scaled_add(-c, &qj);
            }
            let norm = q.row(i).dot(&q.row(i)).sqrt();
            q.row_mut(i).mapv_inplace(|v| v / norm);
        }
        q
    };
    let m = orth(a).dot(&orth(b).t());
    let mut angles: Vec<f64> = sym_eigenvalues(m.t().dot(&m))
        .into_iter()
        .map(|l| l.clamp(0.0, 1.0).sqrt().acos().to_degrees())
        .collect();
    angles.sort_by(f64::total_cmp);
    angles
}

#[test]
fn sanger_subspace() {
    // canns (eta = 0.001, 20 epochs): rows 2.56 / 1.52 / 1.76 deg; principal
    // angles 2.23 / 0.94 / 0.68 deg; max |w_i . w_j| = 0.030.
    let mut dots = Vec::new();
    for seed in DRAWS {
        let (x, pcs) = pca_data(seed);
        let mut layer = LinearLayer::params()
            .n_inputs(10)
            .n_outputs(3)
            .seed(100)
            .build()
            .unwrap();
        Sanger::params()
            .learning_rate(0.001)
            .epochs(20)
            .build()
            .unwrap()
            .train(&mut layer, x.view())
            .unwrap();
        let w = layer.weights();
        let rows: Vec<f64> = (0..3).map(|i| angle(w, i, &pcs, i)).collect();
        let pa = principal_angles(w.view(), pcs.slice(s![0..3, ..]));
        let max_dot = [(0, 1), (0, 2), (1, 2)]
            .iter()
            .map(|&(i, j)| w.row(i).dot(&w.row(j)).abs())
            .fold(0.0, f64::max);
        eprintln!("draw {seed}: Sanger rows {rows:.2?} principal angles {pa:.2?} max |wi.wj| {max_dot:.3}");
        assert!(pa.iter().all(|&a| a < 5.0), "{pa:?}");
        assert!(rows.iter().all(|&a| a < 6.0), "{rows:?}");
        assert!(max_dot < 0.1);
        dots.push(max_dot);
    }
    assert!(median(dots.clone()) < 0.05, "{dots:?}");
}

#[test]
fn step_by_step_equals_train_and_seeds_matter() {
    let (x, _) = pca_data(1);
    let x = x.slice(s![0..200, ..]);
    let mut a = LinearLayer::params()
        .n_inputs(10)
        .n_outputs(3)
        .seed(4)
        .build()
        .unwrap();
    let mut b = a.clone();
    let mut ra = Sanger::params().learning_rate(0.01).build().unwrap();
    let mut rb = ra.clone();
    ra.train(&mut a, x).unwrap();
    for row in x.outer_iter() {
        rb.step(&mut b, row).unwrap();
    }
    assert_eq!(a.weights(), b.weights());
    // A transposed (non-contiguous) view trains the same as the data itself.
    let xt = x.t().to_owned();
    let mut c = LinearLayer::params()
        .n_inputs(10)
        .n_outputs(3)
        .seed(4)
        .build()
        .unwrap();
    Sanger::params()
        .learning_rate(0.01)
        .build()
        .unwrap()
        .train(&mut c, xt.t())
        .unwrap();
    assert_eq!(a.weights(), c.weights());
    // Shuffled epochs: the seed decides the order.
    let run = |seed| {
        let mut l = LinearLayer::params().n_inputs(10).build().unwrap();
        Oja::params()
            .shuffle(true)
            .seed(seed)
            .epochs(2)
            .build()
            .unwrap()
            .train(&mut l, x)
            .unwrap();
        l.weights().clone()
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}

#[test]
fn bad_data_is_an_error_and_leaves_the_weights() {
    let mut layer = LinearLayer::params().n_inputs(3).build().unwrap();
    let before = layer.weights().clone();
    let mut oja = Oja::params().build().unwrap();
    let mut bad = Array2::<f64>::ones((5, 3));
    bad[[3, 1]] = f64::NAN;
    let e = oja.train(&mut layer, bad.view()).unwrap_err().to_string();
    assert!(e.contains("data[3, 1]"), "{e}");
    assert!(oja
        .train(&mut layer, Array2::<f64>::ones((5, 4)).view())
        .is_err());
    assert_eq!(layer.weights(), &before);
    // A learning rate that blows up is reported, not returned as NaN.
    let big = Array2::<f64>::from_elem((50, 3), 1e3);
    let e = Oja::params()
        .learning_rate(10.0)
        .normalize(false)
        .build()
        .unwrap()
        .train(&mut layer, big.view());
    assert!(matches!(e, Err(canns::Error::Diverged { .. })), "{e:?}");
}

#[test]
fn hundred_thousand_samples_train_without_a_size_cliff() {
    // canns compiles a stack of the whole list: minutes at 2 x 10^4 samples.
    let (x, pcs) = pca_data(2);
    let mut big = Array2::zeros((100_000, 10));
    for k in 0..100 {
        big.slice_mut(s![k * 1000..(k + 1) * 1000, ..]).assign(&x);
    }
    let mut layer = LinearLayer::params().n_inputs(10).build().unwrap();
    let mut oja = Oja::params().learning_rate(0.0005).build().unwrap();
    oja.train(&mut layer, big.view()).unwrap();
    assert_eq!(oja.samples_seen(), 100_000);
    assert!(angle(layer.weights(), 0, &pcs, 0) < 5.0);
}

/// Selectivity `1 - mean / max` of the responses to one-hot patterns (the weights).
fn selectivity(w: &[f64]) -> f64 {
    let max = w.iter().cloned().fold(f64::MIN, f64::max);
    1.0 - mean(w) / max
}

#[test]
fn bcm_selectivity() {
    // canns: selectivity 0.75 for tau_theta = 10, 50, 100; winner 2.8-4.8 (theory K = 4).
    for (tau, lr, epochs) in [(10.0, 0.01, 10), (50.0, 0.005, 20), (100.0, 0.01, 10)] {
        let mut layer = LinearLayer::params()
            .n_inputs(4)
            .theta_tau(tau)
            .build()
            .unwrap();
        let mut rng = canns::random::seeded(1);
        let w0: Vec<f64> = (0..4)
            .map(|_| 0.5 + 0.05 * rng.sample::<f64, _>(StandardNormal))
            .collect();
        layer
            .set_weights(Array2::from_shape_vec((1, 4), w0).unwrap().view())
            .unwrap();
        let mut bcm = Bcm::params().learning_rate(lr).build().unwrap();
        let mut sel = Vec::new();
        for _ in 0..epochs {
            let data = Array2::from_shape_fn((2000, 4), |_| 0.0);
            let mut data = data;
            for mut row in data.outer_iter_mut() {
                row[rng.random_range(0..4)] = 1.0;
            }
            bcm.train(&mut layer, data.view()).unwrap();
            sel.push(selectivity(layer.weights().as_slice().unwrap()));
        }
        let w = layer.weights().as_slice().unwrap().to_vec();
        let winner = w.iter().cloned().fold(f64::MIN, f64::max);
        eprintln!(
            "BCM tau {tau}: selectivity {sel:.3?}, responses {w:.3?}, theta {:.3}",
            layer.theta()[0]
        );
        assert!(sel[sel.len().min(10) - 1] >= 0.7, "tau {tau}: {sel:?}");
        assert!(
            (winner - 4.0).abs() <= 0.4 * 4.0,
            "tau {tau}: winner {winner}"
        );
    }
}

/// The transcription of canns's compiled STDP rule (traces updated before the
/// weight update), written from the equations independently of the crate.
#[allow(clippy::too_many_arguments)]
fn stdp_reference(
    w0: &Array2<f64>,
    xs: &Array2<f64>,
    lr: f64,
    ap: f64,
    am: f64,
    decay: f64,
    leak: f64,
    thr: f64,
    vreset: f64,
    wmin: f64,
    wmax: f64,
) -> Array2<f64> {
    let mut w = w0.clone();
    let (n_out, n_in) = w.dim();
    let mut tp = Array1::<f64>::zeros(n_in);
    let mut tq = Array1::<f64>::zeros(n_out);
    let mut v = Array1::<f64>::zeros(n_out);
    for x in xs.outer_iter() {
        tp = &tp * decay + x;
        v = &v * leak + w.dot(&x);
        let sp = v.mapv(|vi| if vi >= thr { 1.0 } else { 0.0 });
        v.zip_mut_with(&sp, |vi, &s| {
            if s > 0.0 {
                *vi = vreset
            }
        });
        tq = &tq * decay + &sp;
        let col = |a: &Array1<f64>| a.view().insert_axis(canns::ndarray::Axis(1)).to_owned();
        let row = |a: &Array1<f64>| a.view().insert_axis(canns::ndarray::Axis(0)).to_owned();
        let dw = (col(&sp).dot(&row(&tp))) * ap - (col(&tq).dot(&row(&x.to_owned()))) * am;
        w = (&w + &(dw * lr)).mapv(|wi| wi.clamp(wmin, wmax));
    }
    w
}

/// canns's STDP protocol: 20 blocks of 10 steps; input B (1) then A (0) two
/// steps later (pre -> post: A drives the spike), or A then B.
fn pairing(pre_post: bool) -> Array2<f64> {
    let mut xs = Array2::zeros((200, 2));
    for b in 0..20 {
        let (first, second) = if pre_post { (1, 0) } else { (0, 1) };
        xs[[10 * b, first]] = 1.0;
        xs[[10 * b + 2, second]] = 1.0;
    }
    xs
}

#[test]
fn stdp_sign() {
    let w0 = canns::ndarray::array![[0.8, 0.3]];
    // canns compiled (= its numpy transcription): dw_B +0.1139 (pre->post),
    // -0.1321 (post->pre); dw_A -0.0149.
    for (pre_post, want_b) in [(true, 0.1139), (false, -0.1321)] {
        let xs = pairing(pre_post);
        let mut layer = SpikingLayer::params()
            .n_inputs(2)
            .v_threshold(0.5)
            .leak(0.9)
            .trace_decay(0.9)
            .build()
            .unwrap();
        layer.set_weights(w0.view()).unwrap();
        let mut stdp = Stdp::params()
            .learning_rate(1.0)
            .a_plus(0.01)
            .a_minus(0.0105)
            .build()
            .unwrap();
        stdp.train(&mut layer, xs.view()).unwrap();
        let reference = stdp_reference(&w0, &xs, 1.0, 0.01, 0.0105, 0.9, 0.9, 0.5, 0.0, 0.0, 1.0);
        let w = layer.weights();
        assert!(
            (w - &reference).iter().all(|d| d.abs() < 1e-12),
            "{w} vs {reference}"
        );
        let (dw_a, dw_b) = (w[[0, 0]] - 0.8, w[[0, 1]] - 0.3);
        eprintln!("pre_post={pre_post}: dw_A {dw_a:.6} dw_B {dw_b:.6}");
        assert!(
            (dw_b - want_b).abs() < 1e-4,
            "dw_B {dw_b} vs canns {want_b}"
        );
        assert!((dw_a - -0.0149).abs() < 1e-4, "dw_A {dw_a}");
        assert_eq!(dw_b > 0.0, pre_post);
    }
}

#[test]
fn stdp_compiled_parity() {
    let mut rng = canns::random::seeded(5);
    let (n_in, n_out) = (6, 4);
    let xs = Array2::from_shape_simple_fn((500, n_in), || {
        if rng.random::<f64>() < 0.2 {
            1.0
        } else {
            0.0
        }
    });
    let w0 = Array2::from_shape_simple_fn((n_out, n_in), || rng.random::<f64>() * 0.6);
    let mut layer = SpikingLayer::params()
        .n_inputs(n_in)
        .n_outputs(n_out)
        .v_threshold(0.7)
        .leak(0.85)
        .trace_decay(0.8)
        .build()
        .unwrap();
    layer.set_weights(w0.view()).unwrap();
    let mut stdp = Stdp::params()
        .learning_rate(0.5)
        .a_plus(0.02)
        .a_minus(0.021)
        .w_max(0.9)
        .build()
        .unwrap();
    stdp.train(&mut layer, xs.view()).unwrap();
    let reference = stdp_reference(&w0, &xs, 0.5, 0.02, 0.021, 0.8, 0.85, 0.7, 0.0, 0.0, 0.9);
    let diff = (layer.weights() - &reference)
        .iter()
        .fold(0.0f64, |m, d| m.max(d.abs()));
    assert!(diff < 1e-6, "max difference {diff}");
    assert!(
        (layer.weights() - &w0).iter().any(|d| d.abs() > 1e-3),
        "the weights must move"
    );
}

#[test]
fn spiking_layer_rng() {
    // canns: every SpikingLayer of a process gets the same weights.
    let a = SpikingLayer::params().seed(1).build().unwrap();
    let b = SpikingLayer::params().seed(2).build().unwrap();
    assert_ne!(a.weights(), b.weights());
    assert_eq!(
        a.weights(),
        SpikingLayer::params().seed(1).build().unwrap().weights()
    );
}

fn matrix(v: &serde_json::Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).expect("a matrix of numbers");
    let (r, c) = (rows.len(), rows[0].len());
    Array2::from_shape_vec((r, c), rows.into_iter().flatten().collect()).unwrap()
}

#[test]
fn stdp_parity_with_canns_fixture() {
    // scripts/reference/learning_reference.py: canns 1.5's compiled
    // STDPTrainer (float32) and a numpy transcription of its rule (float64)
    // on random binary inputs.
    let path = format!(
        "{}/tests/fixtures/learning/stdp.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let fx: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for case in fx["cases"].as_array().unwrap() {
        let p = &case["params"];
        let f = |k: &str| p[k].as_f64().unwrap();
        let xs = matrix(&case["inputs"]);
        let w0 = matrix(&case["w0"]);
        let mut layer = SpikingLayer::params()
            .n_inputs(w0.ncols())
            .n_outputs(w0.nrows())
            .v_threshold(f("v_threshold"))
            .leak(f("leak"))
            .trace_decay(f("trace_decay"))
            .build()
            .unwrap();
        layer.set_weights(w0.view()).unwrap();
        Stdp::params()
            .learning_rate(f("learning_rate"))
            .a_plus(f("a_plus"))
            .a_minus(f("a_minus"))
            .w_min(f("w_min"))
            .w_max(f("w_max"))
            .build()
            .unwrap()
            .train(&mut layer, xs.view())
            .unwrap();
        let max_diff = |other: &Array2<f64>| {
            (layer.weights() - other)
                .iter()
                .fold(0.0f64, |m, d| m.max(d.abs()))
        };
        let (numpy, canns) = (
            max_diff(&matrix(&case["w_transcription"])),
            max_diff(&matrix(&case["w_canns"])),
        );
        eprintln!(
            "seed {}: |rust - numpy| {numpy:.1e}, |rust - canns| {canns:.1e}",
            case["seed"]
        );
        assert!(numpy < 1e-6, "against the transcription: {numpy}");
        assert!(canns < 1e-5, "against canns (float32): {canns}");
        assert!(max_diff(&w0) > 0.05, "the weights must move");
    }
}

#[test]
fn stdp_window_has_the_exponential_shape() {
    let (eta, ap, am, lambda) = (0.5, 0.02, 0.021, 0.8);
    let w = Stdp::params()
        .learning_rate(eta)
        .a_plus(ap)
        .a_minus(am)
        .build()
        .unwrap()
        .window(lambda, 8)
        .unwrap();
    assert_eq!(w.lag, (-8..=8).collect::<Vec<i64>>());
    for (&lag, &dw) in w.lag.iter().zip(&w.dw) {
        let d = lag.unsigned_abs() as i32;
        let want = match lag.signum() {
            1 => eta * ap * lambda.powi(d),
            -1 => -eta * am * lambda.powi(d),
            _ => eta * (ap - am),
        };
        assert!((dw - want).abs() < 1e-12, "lag {lag}: {dw} vs {want}");
        assert_eq!(dw > 0.0, lag > 0, "lag {lag}: sign of {dw}");
    }
    let e = Stdp::params().build().unwrap().window(1.5, 5).unwrap_err();
    assert!(e.to_string().contains("`trace_decay`"), "{e}");
    let e = Stdp::params()
        .w_max(0.0)
        .build()
        .unwrap()
        .window(0.9, 5)
        .unwrap_err();
    assert!(e.to_string().contains("`w_max`"), "{e}");
}

#[test]
fn history_follows_training_and_plots() {
    let (x, pcs) = pca_data(3);
    let mut layer = LinearLayer::params()
        .n_inputs(10)
        .n_outputs(3)
        .build()
        .unwrap();
    let mut gha = Sanger::params()
        .learning_rate(0.002)
        .epochs(6)
        .build()
        .unwrap();
    gha.train(&mut layer, x.view()).unwrap();
    gha.train(&mut layer, x.view()).unwrap();
    let h = gha.history();
    assert_eq!(h.epochs(), (0..=12).collect::<Vec<usize>>());
    assert_eq!(h.samples()[12], 12_000);
    assert_eq!(&h.weights()[12], layer.weights());
    let a = h.angles(pcs.slice(s![0..3, ..])).unwrap();
    assert_eq!(a.dim(), (13, 3));
    // Random initial weights are far from the components; training brings them close.
    for i in 0..3 {
        assert!(
            a[[0, i]] > 30.0 && a[[12, i]] < 10.0,
            "row {i}: {:?}",
            a.column(i)
        );
    }
    assert_eq!(h.plot_angles(pcs.view()).unwrap().plot().data().len(), 3);
    assert_eq!(
        layer
            .plot_components(pcs.view())
            .unwrap()
            .plot()
            .data()
            .len(),
        6
    );
    assert!(h.angles(pcs.slice(s![.., 0..4])).is_err());
    assert!(layer
        .plot_components(Array2::zeros((0, 10)).view())
        .is_err());
    // Recording off: no snapshots.
    let mut quiet = Oja::params().record_history(false).build().unwrap();
    quiet.train(&mut layer, x.view()).unwrap();
    assert!(quiet.history().is_empty());
}

#[test]
fn bcm_history_shows_the_threshold_following_the_response() {
    let mut layer = LinearLayer::params()
        .n_inputs(4)
        .theta_tau(10.0)
        .build()
        .unwrap();
    layer
        .set_weights(canns::ndarray::array![[0.55, 0.5, 0.45, 0.5]].view())
        .unwrap();
    let data = patterns::one_hot(2000, 4, 3).unwrap();
    let mut bcm = Bcm::params().learning_rate(0.01).epochs(8).build().unwrap();
    bcm.train(&mut layer, data.view()).unwrap();
    let h = bcm.history();
    assert_eq!(h.len(), 9);
    let theta: Vec<f64> = h.theta().iter().map(|t| t[0]).collect();
    assert_eq!(theta[0], 0.1);
    // The selective state: theta near the winner's response K = 4.
    assert!((theta[8] - 4.0).abs() < 1.6, "{theta:?}");
    assert_eq!(h.plot_threshold().plot().data().len(), 2);
}

#[test]
fn forgetting_by_unlearning_and_recall_figures() {
    let (n, p) = (200, 10);
    let pats = patterns::random(p, n, 21);
    let noisy = patterns::corrupt(&pats.view(), 0.1, 22).unwrap();
    let mut net = Hopfield::params().n_neurons(n).build().unwrap();
    Hebbian::params()
        .build()
        .unwrap()
        .train(&mut net, pats.view())
        .unwrap();
    let before = net
        .recall_overlaps(pats.view(), noisy.view(), 20)
        .unwrap()
        .labelled("learned");
    Hebbian::params()
        .anti(true)
        .build()
        .unwrap()
        .step(&mut net, pats.row(0))
        .unwrap();
    let after = net
        .recall_overlaps(pats.view(), noisy.view(), 20)
        .unwrap()
        .labelled("pattern 0 unlearned");
    eprintln!("{before}\n{after}");
    assert_eq!(before.fraction_recalled(0.95), 1.0);
    assert!(after.values[0].abs() <= 0.3, "{:?}", after.values);
    assert!(after.values[1..].iter().all(|&m| m >= 0.95));
    assert_eq!(after.plot_with(&[&before]).plot().data().len(), 2);
    assert!(net
        .recall_overlaps(pats.view(), noisy.slice(s![0..3, ..]), 5)
        .is_err());
    // Noisy -> recalled images.
    let letters = patterns::letters("CAT", 2).unwrap();
    let mut net = Hopfield::params()
        .n_neurons(letters.ncols())
        .build()
        .unwrap();
    Hebbian::params()
        .build()
        .unwrap()
        .train(&mut net, letters.view())
        .unwrap();
    let probe = patterns::corrupt(&letters.view(), 0.1, 1).unwrap();
    let r = net.recall(probe.row(1).as_slice().unwrap(), 20).unwrap();
    assert_eq!(r.probe, probe.row(1).to_vec());
    let fig = r
        .plot_patterns(10, Some(letters.row(1).as_slice().unwrap()))
        .unwrap();
    assert_eq!(fig.plot().data().len(), 1);
    assert!(r.plot_patterns(3, None).is_err());
}

#[test]
fn learning_types_print_one_line() {
    let net = Hopfield::params().n_neurons(400).build().unwrap();
    let layer = LinearLayer::params()
        .n_inputs(300)
        .n_outputs(4)
        .build()
        .unwrap();
    let spiking = SpikingLayer::params().n_inputs(300).build().unwrap();
    let ring = canns::models::LifRing::params().build().unwrap();
    let mut oja = Oja::params().build().unwrap();
    let mut l2 = LinearLayer::params().n_inputs(10).build().unwrap();
    oja.train(&mut l2, pca_data(0).0.view()).unwrap();
    let texts = [
        format!("{net:?}"),
        format!("{layer:?}"),
        format!("{spiking:?}"),
        format!("{ring:?}"),
        format!("{:?}", ring.spike_log()),
        format!("{oja:?}"),
        format!("{:?}", oja.history()),
        format!("{:?}", Hebbian::params().build().unwrap()),
        format!(
            "{:?}",
            Stdp::params().build().unwrap().window(0.9, 3).unwrap()
        ),
    ];
    for t in texts {
        assert!(!t.contains('\n') && t.len() < 120, "{t}");
    }
}
