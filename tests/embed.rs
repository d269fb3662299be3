//! PCA, UMAP and trustworthiness against scikit-learn and umap-learn on the
//! fixtures of `scripts/reference/umap_reference.py`.

use canns::embed::{
    find_ab_params, fuzzy_graph, trustworthiness, FuzzyGraph, Init, Metric, Pca, SgdMode, Umap,
};
use canns::ndarray::{Array2, ArrayView2};
use serde_json::Value;
use std::path::PathBuf;

const DATASETS: [&str; 3] = ["circle", "blobs", "torus"];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/embed")
}

fn json(name: &str) -> Value {
    let text = std::fs::read_to_string(dir().join(format!("{name}.json"))).expect("fixture");
    serde_json::from_str(&text).expect("valid JSON")
}

fn npy(file: &str) -> Array2<f64> {
    let a: Array2<f32> = ndarray_npy::read_npy(dir().join(file)).expect("npy fixture");
    a.mapv(f64::from)
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

fn rel_close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1e-300)
}

#[test]
fn pca_matches_sklearn() {
    for name in DATASETS {
        let fx = json(name);
        let x = npy(&format!("{name}.npy"));
        let p = &fx["pca"];
        let k = p["n_components"].as_u64().unwrap() as usize;
        let pca = Pca::params().n_components(k).fit(&x.view()).unwrap();
        let ev = floats(&p["explained_variance"]);
        let ratio = floats(&p["explained_variance_ratio"]);
        let sv = floats(&p["singular_values"]);
        for c in 0..k {
            assert!(
                rel_close(pca.explained_variance()[c], ev[c], 1e-8),
                "{name} ev[{c}]: {} vs {}",
                pca.explained_variance()[c],
                ev[c]
            );
            assert!(
                rel_close(pca.explained_variance_ratio()[c], ratio[c], 1e-8),
                "{name} ratio[{c}]"
            );
            assert!(
                rel_close(pca.singular_values()[c], sv[c], 1e-8),
                "{name} sv[{c}]"
            );
        }
        for (a, b) in pca.mean().iter().zip(floats(&p["mean"])) {
            assert!((a - b).abs() < 1e-10, "{name} mean");
        }
        // Components up to sign (well separated eigenvalues only: the first 2).
        for (c, row) in p["components"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .take(2)
        {
            let want = floats(row);
            let got = pca.components().row(c);
            let sign = if got.dot(&ndarray::Array1::from(want.clone())) < 0.0 {
                -1.0
            } else {
                1.0
            };
            for (g, w) in got.iter().zip(&want) {
                assert!((sign * g - w).abs() < 1e-6, "{name} component {c}");
            }
        }
    }
}

#[test]
fn ab_params_match_umap_learn() {
    let fx = json("ab");
    for case in fx["cases"].as_array().unwrap() {
        let (spread, min_dist) = (
            case["spread"].as_f64().unwrap(),
            case["min_dist"].as_f64().unwrap(),
        );
        let (a, b) = find_ab_params(spread, min_dist);
        let (wa, wb) = (case["a"].as_f64().unwrap(), case["b"].as_f64().unwrap());
        assert!(
            rel_close(a, wa, 1e-3) && rel_close(b, wb, 1e-3),
            "spread {spread} min_dist {min_dist}: ({a}, {b}) vs ({wa}, {wb})"
        );
    }
    for name in DATASETS {
        let u = &json(name)["umap"];
        let (a, b) = find_ab_params(1.0, 0.1);
        assert!(
            rel_close(a, u["a"].as_f64().unwrap(), 1e-3)
                && rel_close(b, u["b"].as_f64().unwrap(), 1e-3)
        );
    }
}

#[test]
fn trustworthiness_equals_sklearn_on_a_fixed_embedding() {
    for name in DATASETS {
        let fx = json(name);
        let x = npy(&format!("{name}.npy"));
        let emb = npy(&format!("{name}_umap.npy"));
        for k in [5usize, 15] {
            let want = fx["umap"]["trustworthiness"][k.to_string()]
                .as_f64()
                .unwrap();
            let got = trustworthiness(&x.view(), &emb.view(), k, Metric::Euclidean).unwrap();
            assert!((got - want).abs() < 1e-9, "{name} k={k}: {got} vs {want}");
        }
    }
}

fn umap_trust(x: &ArrayView2<f64>, u: &Umap, k: usize) -> f64 {
    trustworthiness(x, &u.embedding().view(), k, Metric::Euclidean).unwrap()
}

#[test]
fn umap_is_as_trustworthy_as_umap_learn() {
    for name in DATASETS {
        let fx = json(name);
        let x = npy(&format!("{name}.npy"));
        let u = Umap::params().fit(&x.view()).unwrap();
        // The blobs' graph has one component per blob: random start, with a warning.
        let connected = u.graph().components().0 == 1;
        assert_eq!(
            u.warnings().is_empty(),
            connected,
            "{name}: {:?}",
            u.warnings()
        );
        for k in [5usize, 15] {
            let theirs = fx["umap"]["trustworthiness"][k.to_string()]
                .as_f64()
                .unwrap();
            let ours = umap_trust(&x.view(), &u, k);
            eprintln!("{name} k={k}: ours {ours:.4}, umap-learn {theirs:.4}");
            assert!(
                ours >= theirs - 0.01,
                "{name} k={k}: {ours} < {theirs} - 0.01"
            );
        }
    }
}

#[test]
fn sequential_sgd_is_as_trustworthy_as_umap_learn() {
    let name = "torus";
    let fx = json(name);
    let x = npy(&format!("{name}.npy"));
    let u = Umap::params()
        .sgd(SgdMode::Sequential)
        .fit(&x.view())
        .unwrap();
    let theirs = fx["umap"]["trustworthiness"]["5"].as_f64().unwrap();
    assert!(umap_trust(&x.view(), &u, 5) >= theirs - 0.01);
}

#[test]
fn same_seed_same_embedding() {
    let x = npy("torus.npy");
    let x = x.slice(ndarray::s![..400, ..]);
    let p = Umap::params().n_epochs(100).seed(7);
    let a = p.fit(&x).unwrap();
    let b = p.fit(&x).unwrap();
    assert_eq!(a.embedding(), b.embedding());
    // Also on a single thread: the parallel SGD does not depend on the thread count.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let c = pool.install(|| p.fit(&x).unwrap());
    assert_eq!(a.embedding(), c.embedding());
    let d = p.clone().seed(8).fit(&x).unwrap();
    assert_ne!(a.embedding(), d.embedding());
    let s1 = p.clone().sgd(SgdMode::Sequential).fit(&x).unwrap();
    let s2 = p.clone().sgd(SgdMode::Sequential).fit(&x).unwrap();
    assert_eq!(s1.embedding(), s2.embedding());
}

#[test]
fn disconnected_graph_falls_back_to_random_init_with_a_warning() {
    let x = npy("blobs.npy");
    // Blobs far apart with few neighbours: more than one component.
    let u = Umap::params()
        .n_neighbors(5)
        .n_epochs(50)
        .fit(&x.view())
        .unwrap();
    if u.graph().components().0 > 1 {
        assert_eq!(u.warnings().len(), 1);
    }
    let r = Umap::params()
        .init(Init::Random)
        .n_epochs(50)
        .fit(&x.view())
        .unwrap();
    assert!(r.warnings().is_empty());
}

#[test]
fn fuzzy_graph_log_distances_for_rips() {
    let x = npy("circle.npy");
    let g: FuzzyGraph = fuzzy_graph(&x.view(), 15, Metric::Cosine).unwrap();
    assert_eq!(g.components().0, 1);
    let subset: Vec<usize> = (0..2000).step_by(20).collect();
    let d = g.log_distance_matrix(Some(&subset)).unwrap();
    assert_eq!(d.dim(), (100, 100));
    for i in 0..100 {
        assert_eq!(d[[i, i]], 0.0);
        for j in 0..100 {
            assert_eq!(d[[i, j]], d[[j, i]]);
            assert!(d[[i, j]] >= 0.0);
        }
    }
    // Each point's nearest neighbour has membership 1 (distance 0).
    for i in [0, 500, 1999] {
        let (_, w) = g.neighbors(i);
        assert!(w.contains(&1.0));
    }
}

#[test]
fn plots_have_one_point_per_row_and_colour_by_the_variable() {
    let x = npy("torus.npy");
    let x = x.slice(ndarray::s![..200, ..]);
    let u = Umap::params().n_epochs(30).fit(&x).unwrap();
    let colour: Vec<f64> = (0..200).map(|i| i as f64).collect();
    let json = u.plot_embedding(Some(&colour)).unwrap().to_json();
    assert!(json.contains("Viridis"));
    assert!(u.plot_embedding(Some(&colour[..10])).is_err());
    let pca = Pca::params().n_components(3).fit(&x).unwrap();
    assert!(pca
        .plot_explained_variance()
        .to_json()
        .contains("cumulative"));
    assert!(pca
        .plot_projection(&x, Some(&colour))
        .unwrap()
        .to_json()
        .contains("scatter3d"));
    let b = canns::display::Render::bundle(&u);
    assert!(b.svg.is_some() && b.text.starts_with("Umap(200 points"));
    assert!(canns::display::Render::bundle(&pca)
        .text
        .starts_with("Pca(4 features"));
}
