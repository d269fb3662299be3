//! The `Params` trait on every parameter type: setting a field by name
//! (`with`, dotted for nested fields), the errors for unknown keys, values of
//! the wrong type and values out of range, and JSON round trips.

use canns::analysis::HdTuningParams;
use canns::analysis::RateMapParams;
use canns::analysis::{Decoder, DecodingParams};
use canns::embed::Metric;
use canns::embed::{FuzzyGraphParams, UmapParams};
use canns::pipeline::ShowProgress;
use canns::pipeline::{SignatureParams, Subsample};
use canns::prelude::*;
use canns::spatial::{
    BoundaryVectorCells, BoundaryVectorCellsParams, EnvironmentParams, GridCellsParams,
    HeadDirectionCellsParams, PlaceCellsParams, PlaceField, RoutePlannerParams,
};
use canns::tasks::ClosedLoopNavigationParams;
use canns::tda::{PartitionWeight, RipsParams, SparseCircularParams};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::fmt::Debug;

/// What the `with` checks need to know about one parameter type.
struct Spec<P> {
    /// A key, a valid value for it, and whether a value holds it.
    set: (&'static str, Value, fn(&P) -> bool),
    /// A key and a value of the wrong type for it.
    wrong_type: (&'static str, Value),
    /// A key, a value out of range, and the field and value the error names.
    out_of_range: (&'static str, Value, &'static str, &'static str),
}

/// A value as the errors print it.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// Runs every `with` check on `base` (a valid value of `P`).
fn check<P: Params + PartialEq + Debug>(base: P, spec: Spec<P>) {
    base.validate().expect("the base is valid");
    assert_eq!(P::from_json(&base.to_json()).unwrap(), base, "{}", P::NAME);

    // A valid key changes the field, and only it.
    let (key, value, holds) = spec.set;
    assert!(!holds(&base), "{}: `{key}` already holds {value}", P::NAME);
    let p = base.clone().with(key, value.clone()).unwrap();
    assert!(holds(&p), "{}: `{key}` = {value} not set: {p:?}", P::NAME);
    let mut tree = serde_json::to_value(&base).unwrap();
    *tree
        .pointer_mut(&format!("/{}", key.replace('.', "/")))
        .unwrap() = value.clone();
    assert_eq!(serde_json::to_value(&p).unwrap(), tree, "{}", P::NAME);
    p.validate().unwrap();
    assert_eq!(P::from_json(&p.to_json()).unwrap(), p, "{}", P::NAME);
    let mut q = base.clone();
    q.set(key, value).unwrap();
    assert_eq!(q, p);
    let head = key.split('.').next().unwrap();
    assert!(P::keys().iter().any(|k| k.split('.').next() == Some(head)));
    assert!(
        p.current_keys().iter().any(|k| k == key),
        "{}: `{key}` not in {:?}",
        P::NAME,
        p.current_keys()
    );

    // An unknown key is an error naming it and listing the known ones.
    let err = base.clone().with("no_such_key", 1).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!(
            "{}: unknown parameter `no_such_key` (known: ",
            P::NAME
        )),
        "{msg}"
    );
    assert!(msg.contains(&base.current_keys().join(", ")), "{msg}");
    let err = base.clone().with(&format!("{head}.no_such_key"), 1);
    assert!(err.unwrap_err().to_string().contains("no_such_key"));

    // A value of the wrong type names the key and the value, and leaves the
    // parameters as they were.
    let (key, value) = spec.wrong_type;
    let mut q = base.clone();
    let err = q.set(key, value.clone()).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    let msg = err.to_string();
    let want = format!("{}: `{key}` cannot be {}", P::NAME, shown(&value));
    assert!(msg.starts_with(&want), "{msg} (want {want})");
    assert_eq!(q, base);

    // A value out of range is accepted by `with` (fields may constrain each
    // other) and rejected by `validate`, and so by `from_json`.
    let (key, value, field, got) = spec.out_of_range;
    let p = base.clone().with(key, value).unwrap();
    match p.validate().unwrap_err() {
        Error::Param(e) => {
            assert_eq!((e.field.as_str(), e.value.as_str()), (field, got), "{e}");
            assert!(
                e.to_string().starts_with(&format!("`{field}` must be ")),
                "{e}"
            );
        }
        other => panic!("{}: expected a parameter error, got {other:?}", P::NAME),
    }
    assert!(matches!(P::from_json(&p.to_json()), Err(Error::Param(_))));
}

/// One test per parameter type.
macro_rules! with_tests {
    ($($name:ident: $base:expr => $spec:expr;)*) => {$(
        #[test]
        fn $name() {
            check($base, $spec);
        }
    )*};
}

with_tests! {
    cann1d_params: Cann1dParams::default() => Spec {
        set: ("tau", json!(2.0), |p| p.tau == 2.0),
        wrong_type: ("tau", json!("fast")),
        out_of_range: ("num", json!(1), "num", "1"),
    };
    cann2d_params: Cann2dParams::sfa() => Spec {
        set: ("length", json!(32), |p| p.length == 32),
        wrong_type: ("recurrence", json!("sparse")),
        out_of_range: ("tau_v", json!(0), "tau_v", "0"),
    };
    signature: SignatureParams::default() => Spec {
        set: ("n_points", json!(300), |p| p.n_points == 300),
        wrong_type: ("statistic", json!("median")),
        out_of_range: ("quantile", json!(0.0), "quantile", "0"),
    };
    signature_nested: SignatureParams::asa() => Spec {
        set: ("subsample.fuzzy.k", json!(500), |p| matches!(
            p.subsample,
            Subsample::Fuzzy { k: 500, nbs: 800, metric: Metric::Cosine }
        )),
        wrong_type: ("subsample.fuzzy.metric", json!("chebyshev")),
        out_of_range: ("subsample.fuzzy.nbs", json!(1), "subsample.fuzzy.nbs", "1"),
    };
    rips_params: RipsParams::default() => Spec {
        set: ("maxdim", json!(2), |p| p.maxdim == 2),
        wrong_type: ("threshold", json!("none")),
        out_of_range: ("coeff", json!(4), "coeff", "4"),
    };
    sparse_circular_params: SparseCircularParams::default() => Spec {
        set: ("weight", json!("linear"), |p| p.weight == PartitionWeight::Linear),
        wrong_type: ("fraction", json!([0.5])),
        out_of_range: ("fraction", json!(1.0), "fraction", "1"),
    };
    umap_params: UmapParams::default() => Spec {
        set: ("metric", json!("manhattan"), |p| p.metric == Metric::Manhattan),
        wrong_type: ("n_epochs", json!("many")),
        out_of_range: ("spread", json!(0), "spread", "0"),
    };
    fuzzy_graph_params: FuzzyGraphParams::default() => Spec {
        set: ("local_connectivity", json!(2.0), |p| p.local_connectivity == 2.0),
        wrong_type: ("algorithm", json!(3)),
        out_of_range: ("n_neighbors", json!(1), "n_neighbors", "1"),
    };
    pca_params: PcaParams::default() => Spec {
        set: ("n_components", json!(3), |p| p.n_components == Some(3)),
        wrong_type: ("whiten", json!("yes")),
        out_of_range: ("n_components", json!(0), "n_components", "0"),
    };
    rate_map_params: RateMapParams::default() => Spec {
        set: ("extent", json!([0.0, 2.0, 0.0, 1.0]), |p| p.extent == Some([0.0, 2.0, 0.0, 1.0])),
        wrong_type: ("bin_size", Value::Null),
        out_of_range: ("bin_size", json!(-0.1), "bin_size", "-0.1"),
    };
    hd_tuning_params: HdTuningParams::default() => Spec {
        set: ("n_bins", json!(36), |p| p.n_bins == 36),
        wrong_type: ("seed", json!(-1)),
        out_of_range: ("percentile", json!(101), "percentile", "101"),
    };
    decoding_params: DecodingParams::default() => Spec {
        set: ("decoder", json!("PopulationVector"), |p| p.decoder == Decoder::PopulationVector),
        wrong_type: ("decoder", json!("population_vector")),
        out_of_range: ("n_folds", json!(1), "n_folds", "1"),
    };
    smooth_tracking_params: SmoothTrackingParams::default() => Spec {
        set: ("dt", json!(0.05), |p| p.dt == 0.05),
        wrong_type: ("keypoints", json!([0.0, 1.0])),
        out_of_range: ("dt", json!(0), "dt", "0"),
    };
    population_coding_params: PopulationCodingParams::default() => Spec {
        set: ("position", json!([1.0]), |p| p.position == [1.0]),
        wrong_type: ("position", json!(1.0)),
        out_of_range: ("duration", json!(0), "duration", "0"),
    };
    template_matching_params: TemplateMatchingParams::default() => Spec {
        set: ("noise_level", json!(0.5), |p| p.noise_level == 0.5),
        wrong_type: ("seed", json!("random")),
        out_of_range: ("missing", json!(1.0), "missing", "1"),
    };
    agent_params: AgentParams::default() => Spec {
        set: ("speed_mean", json!(0.2), |p| p.speed_mean == 0.2),
        wrong_type: ("save_history", json!(1)),
        out_of_range: ("thigmotaxis", json!(1.5), "thigmotaxis", "1.5"),
    };
    closed_loop_navigation_params: ClosedLoopNavigationParams::default() => Spec {
        set: ("goals", json!([[0.2, 0.8], [0.8, 0.2]]), |p| p.goals == [vec![0.2, 0.8], vec![0.8, 0.2]]),
        wrong_type: ("cycle", json!("yes")),
        out_of_range: ("goal_speed", json!(-0.5), "goal_speed", "-0.5"),
    };
    sim_options: SimOptions::default() => Spec {
        set: ("progress", json!("never"), |p| p.progress == ShowProgress::Never),
        wrong_type: ("record_every", json!("often")),
        out_of_range: ("record_every", json!(0), "record_every", "0"),
    };
    environment_params: EnvironmentParams::default() => Spec {
        set: ("boundary_conditions", json!("periodic"), |p| p.boundary_conditions == BoundaryConditions::Periodic),
        wrong_type: ("dimensionality", json!("3D")),
        out_of_range: ("dx", json!(0.0), "dx", "0"),
    };
    place_cells_params: PlaceCellsParams::default() => Spec {
        set: ("description", json!("top_hat"), |p| p.description == PlaceField::TopHat),
        wrong_type: ("n", json!(2.5)),
        out_of_range: ("widths", json!(-0.1), "widths", "-0.1"),
    };
    grid_cells_params: GridCellsParams::default() => Spec {
        set: ("gridscale", json!([0.4]), |p| p.gridscale == [0.4]),
        wrong_type: ("orientation", json!("north")),
        out_of_range: ("width_ratio", json!(1.5), "width_ratio", "1.5"),
    };
    head_direction_cells_params: HeadDirectionCellsParams::default() => Spec {
        set: ("n", json!(36), |p| p.n == 36),
        wrong_type: ("n", json!(-1)),
        out_of_range: ("angular_spread_degrees", json!(0), "angular_spread_degrees", "0"),
    };
    boundary_vector_cells_params: BoundaryVectorCellsParams::default() => Spec {
        set: ("xi", json!(0.1), |p| p.xi == 0.1),
        wrong_type: ("tuning_angles", json!("east")),
        out_of_range: ("dtheta_degrees", json!(100), "dtheta_degrees", "100"),
    };
    route_planner_params: RoutePlannerParams::default() => Spec {
        set: ("clearance", json!(0.1), |p| p.clearance == 0.1),
        wrong_type: ("clearance", json!(true)),
        out_of_range: ("clearance", json!(0), "clearance", "0"),
    };
}

/// The field and value a `validate` error names.
fn param_error(r: Result<()>) -> (String, String) {
    match r {
        Err(Error::Param(e)) => (e.field, e.value),
        other => panic!("expected a parameter error, got {other:?}"),
    }
}

fn named(field: &str, value: &str) -> (String, String) {
    (field.to_string(), value.to_string())
}

#[test]
fn nested_keys_reach_into_enum_variants() -> Result<()> {
    // A whole variant can be set at once, then its fields one by one.
    let s = SignatureParams::default().with(
        "subsample",
        json!({"fuzzy": {"k": 10, "nbs": 5, "metric": "euclidean"}}),
    )?;
    let s = s.with("subsample.fuzzy.nbs", 8)?;
    assert_eq!(
        s.subsample,
        Subsample::Fuzzy {
            k: 10,
            nbs: 8,
            metric: Metric::Euclidean
        }
    );
    // The greedy default has no `fuzzy` fields to set.
    let err = SignatureParams::default()
        .with("subsample.fuzzy.k", 10)
        .unwrap_err();
    assert!(err.to_string().contains("`subsample.fuzzy.k`"), "{err}");
    // A key that goes through a number is unknown, not a type error.
    let err = Cann1dParams::default().with("tau.x", 1).unwrap_err();
    assert!(
        err.to_string().contains("unknown parameter `tau.x`"),
        "{err}"
    );
    Ok(())
}

#[test]
fn set_text_reads_json_or_a_bare_word() -> Result<()> {
    let mut p = Cann1dParams::default();
    p.set_text("num", "64")?;
    p.set_text("integrator", "exponential")?;
    p.set_text("recurrence", "\"dense\"")?;
    assert_eq!(
        (p.num, p.integrator, p.recurrence),
        (64, Integrator::Exponential, Recurrence::Dense)
    );
    let mut q = GridCellsParams::default();
    q.set_text("phase_offset", "[[0.0, 1.0]]")?;
    assert_eq!(q.phase_offset, Some(vec![[0.0, 1.0]]));
    let err = p.set_text("num", "many").unwrap_err().to_string();
    assert!(err.contains("`num` cannot be \"many\""), "{err}");
    Ok(())
}

#[test]
fn keys_list_every_field() {
    let keys = Cann1dParams::keys();
    assert!(keys.contains(&"tau".to_string()) && keys.contains(&"num".to_string()));
    assert_eq!(keys.len(), 12);
    assert_eq!(EnvironmentParams::keys().len(), 8);
    // The current keys follow an enum variant with fields.
    assert!(SignatureParams::keys().contains(&"subsample".to_string()));
    let asa = SignatureParams::asa().current_keys();
    for k in [
        "subsample.fuzzy.k",
        "subsample.fuzzy.nbs",
        "subsample.fuzzy.metric",
    ] {
        assert!(asa.contains(&k.to_string()), "{asa:?}");
    }
    let err = SignatureParams::asa()
        .with("subsample.fuzzy.q", 1)
        .unwrap_err();
    assert!(err.to_string().contains("subsample.fuzzy.nbs"), "{err}");
}

#[test]
fn from_json_takes_defaults_and_names_unknown_keys() -> Result<()> {
    let p = EnvironmentParams::from_json(r#"{"scale": 2.0, "boundary_conditions": "periodic"}"#)?;
    assert_eq!(
        p,
        EnvironmentParams::default()
            .scale(2.0)
            .boundary_conditions(BoundaryConditions::Periodic)
    );
    let err = PlaceCellsParams::from_json(r#"{"width": 0.1}"#).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("PlaceCellsParams: unknown field `width`"),
        "{err}"
    );
    Ok(())
}

#[test]
fn validate_rejects_non_finite_values() {
    let cases = [
        (
            param_error(EnvironmentParams::default().scale(f64::NAN).validate()),
            named("scale", "NaN"),
        ),
        (
            param_error(EnvironmentParams::default().dx(f64::INFINITY).validate()),
            named("dx", "inf"),
        ),
        (
            param_error(
                EnvironmentParams::default()
                    .walls(vec![[[0.1, 0.1], [f64::NAN, 0.5]]])
                    .validate(),
            ),
            named("walls[0]", "[[0.1, 0.1], [NaN, 0.5]]"),
        ),
        (
            param_error(
                EnvironmentParams::default()
                    .objects(vec![vec![0.5, f64::INFINITY]])
                    .validate(),
            ),
            named("objects[0]", "inf"),
        ),
        (
            param_error(
                PlaceCellsParams::default()
                    .centres(Some(vec![[0.5, f64::NAN]]))
                    .validate(),
            ),
            named("centres[0]", "NaN"),
        ),
        (
            param_error(PlaceCellsParams::default().max_fr(f64::INFINITY).validate()),
            named("max_fr", "inf"),
        ),
        (
            param_error(
                GridCellsParams::default()
                    .orientation(vec![0.0, f64::NAN])
                    .validate(),
            ),
            named("orientation[1]", "NaN"),
        ),
        (
            param_error(
                GridCellsParams::default()
                    .n(1)
                    .gridscale(vec![0.5])
                    .orientation(vec![0.0])
                    .phase_offset(Some(vec![[f64::NAN, 0.0]]))
                    .validate(),
            ),
            named("phase_offset[0]", "NaN"),
        ),
        (
            param_error(
                HeadDirectionCellsParams::default()
                    .min_fr(f64::NEG_INFINITY)
                    .validate(),
            ),
            named("min_fr", "-inf"),
        ),
        (
            param_error(
                BoundaryVectorCellsParams::default()
                    .tuning_angles(Some(vec![0.0, f64::NAN]))
                    .validate(),
            ),
            named("tuning_angles[1]", "NaN"),
        ),
        (
            param_error(
                BoundaryVectorCellsParams::default()
                    .beta(f64::NAN)
                    .validate(),
            ),
            named("beta", "NaN"),
        ),
        (
            param_error(
                RoutePlannerParams::default()
                    .clearance(f64::INFINITY)
                    .validate(),
            ),
            named("clearance", "inf"),
        ),
        (
            param_error(
                ClosedLoopNavigationParams::default()
                    .goals(vec![vec![0.5, f64::NAN]])
                    .validate(),
            ),
            named("goals[0]", "NaN"),
        ),
        (
            param_error(
                ClosedLoopNavigationParams::default()
                    .goal_tolerance(f64::NAN)
                    .validate(),
            ),
            named("goal_tolerance", "NaN"),
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
}

#[test]
fn validate_rejects_inconsistent_pairs() {
    let cases = [
        (
            // A wall end outside a 2 x 1 box.
            param_error(
                EnvironmentParams::default()
                    .aspect(2.0)
                    .walls(vec![[[1.5, 0.5], [1.5, 1.5]]])
                    .validate(),
            ),
            named("walls[0]", "[[1.5, 0.5], [1.5, 1.5]]"),
        ),
        (
            // Walls need a 2D box.
            param_error(
                EnvironmentParams::default()
                    .dimensionality(canns::spatial::Dimensionality::D1)
                    .walls(vec![[[0.1, 0.1], [0.2, 0.2]]])
                    .validate(),
            ),
            named("walls", "non-empty"),
        ),
        (
            // An object inside a hole.
            param_error(
                EnvironmentParams::default()
                    .holes(vec![vec![[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.6]]])
                    .objects(vec![vec![0.5, 0.5]])
                    .validate(),
            ),
            named("objects[0]", "[0.5, 0.5]"),
        ),
        (
            // Overlapping holes.
            param_error(
                EnvironmentParams::default()
                    .holes(vec![
                        vec![[0.2, 0.2], [0.6, 0.2], [0.6, 0.6]],
                        vec![[0.3, 0.1], [0.7, 0.1], [0.7, 0.5]],
                    ])
                    .validate(),
            ),
            named("holes[1]", "[[0.3, 0.1], [0.7, 0.1], [0.7, 0.5]]"),
        ),
        (
            param_error(
                EnvironmentParams::default()
                    .scale(1e300)
                    .aspect(1e300)
                    .validate(),
            ),
            named("aspect", &1e300.to_string()),
        ),
        (
            param_error(
                PlaceCellsParams::default()
                    .min_fr(2.0)
                    .max_fr(1.0)
                    .validate(),
            ),
            named("max_fr", "1"),
        ),
        (
            // Without centres, `n` places the cells.
            param_error(PlaceCellsParams::default().n(0).validate()),
            named("n", "0"),
        ),
        (
            // Three modules for two cells.
            param_error(GridCellsParams::default().n(2).validate()),
            named("gridscale", "3"),
        ),
        (
            param_error(
                GridCellsParams::default()
                    .phase_offset(Some(vec![[0.0, 0.0]; 3]))
                    .validate(),
            ),
            named("phase_offset", "3"),
        ),
        (
            param_error(
                GridCellsParams::default()
                    .gridscale(vec![0.3, -0.5, 0.8])
                    .validate(),
            ),
            named("gridscale[1]", "-0.5"),
        ),
        (
            param_error(
                BoundaryVectorCellsParams::default()
                    .tuning_distances(Some(vec![0.1, 0.2]))
                    .sigma_angles(Some(vec![0.2]))
                    .validate(),
            ),
            named("sigma_angles", "1"),
        ),
        (
            // Given tuning values set the number of cells, not `n`.
            param_error(
                BoundaryVectorCellsParams::default()
                    .tuning_distances(Some(vec![]))
                    .validate(),
            ),
            named("n", "0"),
        ),
        (
            param_error(
                BoundaryVectorCellsParams::default()
                    .tuning_distances(Some(vec![0.1, -0.2]))
                    .validate(),
            ),
            named("tuning_distances[1]", "-0.2"),
        ),
        (
            param_error(
                ClosedLoopNavigationParams::default()
                    .goals(vec![vec![0.5, 0.5], vec![0.5]])
                    .validate(),
            ),
            named("goals[1]", "[0.5]"),
        ),
        (
            param_error(
                ClosedLoopNavigationParams::default()
                    .goals(vec![vec![0.1, 0.2, 0.3]])
                    .validate(),
            ),
            named("goals[0]", "[0.1, 0.2, 0.3]"),
        ),
        (
            param_error(ClosedLoopNavigationParams::default().n_steps(0).validate()),
            named("n_steps", "0"),
        ),
        (
            param_error(UmapParams::default().min_dist(2.0).spread(1.0).validate()),
            named("min_dist", "2"),
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
}

#[test]
fn build_and_run_call_validate() -> Result<()> {
    let env = Environment::params().build()?;
    let agent = Agent::params().build(env.clone())?;
    let same = |built: Error, checked: Result<()>| {
        assert_eq!(built.to_string(), checked.unwrap_err().to_string());
    };
    let p = EnvironmentParams::default().dx(-1.0);
    same(p.build().unwrap_err(), p.validate());
    let p = PlaceCellsParams::default().widths(0.0);
    same(p.build(&env).unwrap_err(), p.validate());
    let p = GridCellsParams::default().width_ratio(0.0);
    same(p.build(&env).unwrap_err(), p.validate());
    let p = HeadDirectionCellsParams::default().n(0);
    same(p.build().unwrap_err(), p.validate());
    let p = BoundaryVectorCellsParams::default().xi(0.0);
    same(
        BoundaryVectorCells::params()
            .xi(0.0)
            .build(&env)
            .unwrap_err(),
        p.validate(),
    );
    let p = RoutePlannerParams::default().clearance(-0.1);
    same(p.build(&env).unwrap_err(), p.validate());
    let p = ClosedLoopNavigationParams::default().drift_ratio(0.0);
    same(p.build(agent).unwrap_err(), p.validate());
    let p = PcaParams::default().n_components(0);
    let x = canns::ndarray::Array2::<f64>::zeros((4, 3));
    same(p.fit(&x.view()).unwrap_err(), p.validate());
    let p = SimOptions::default().record_every(0);
    let mut net = Cann1d::params().num(16).build()?;
    let mut task = PopulationCoding::params().build()?;
    same(
        simulate_with(&mut net, &mut task, &p).unwrap_err(),
        p.validate(),
    );
    Ok(())
}

#[test]
fn valid_parameters_build_as_before() -> Result<()> {
    // Defaults and the objects' containment still pass through `build`.
    let env = EnvironmentParams::default()
        .holes(vec![vec![[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.6]]])
        .objects(vec![vec![0.2, 0.2], vec![0.8, 0.8]])
        .build()?;
    assert_eq!(env.walls().len(), 8);
    assert_eq!(env.extent(), [0.0, 1.0, 0.0, 1.0]);
    let track = EnvironmentParams::default()
        .dimensionality(canns::spatial::Dimensionality::D1)
        .scale(2.0)
        .build()?;
    assert_eq!(track.extent(), [0.0, 2.0, 0.0, 0.0]);
    let gc = GridCellsParams::default().n(6).build(&env)?;
    assert_eq!(gc.n(), 6);
    let agent = Agent::params().seed(1).build(env.clone())?;
    let mut task = ClosedLoopNavigationParams::default()
        .n_steps(10)
        .build(agent)?;
    task.run(10);
    assert_eq!(task.agent().history().len(), 10);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Valid parameters survive JSON, and setting every key by name from the
    /// defaults gives the same parameters.
    #[test]
    fn cann1d_params_round_trip(
        num in 2usize..4096,
        tau in 1e-3f64..1e3,
        k in 0.0f64..50.0,
        a in 1e-3f64..3.0,
        amplitude in -1e3f64..1e3,
        j0 in -10.0f64..10.0,
        tau_v in 1e-2f64..1e4,
        m in 0.0f64..5.0,
        noise in 0.0f64..2.0,
        seed in any::<u64>(),
        exponential in any::<bool>(),
        dense in any::<bool>(),
    ) {
        let p = Cann1dParams {
            num, tau, k, a, amplitude, j0, tau_v, m, noise, seed,
            integrator: if exponential { Integrator::Exponential } else { Integrator::Euler },
            recurrence: if dense { Recurrence::Dense } else { Recurrence::Fft },
        };
        prop_assert!(p.validate().is_ok());
        prop_assert_eq!(Cann1dParams::from_json(&p.to_json()).unwrap(), p.clone());
        let mut q = Cann1dParams::default();
        for (key, value) in serde_json::to_value(&p).unwrap().as_object().unwrap() {
            q = q.with(key, value.clone()).unwrap();
        }
        prop_assert_eq!(q, p);
    }

    /// A non-positive time constant set by name is caught by `validate`,
    /// naming the field and the value.
    #[test]
    fn cann1d_params_reject_non_positive_tau(tau in -1e3f64..=0.0) {
        let p = Cann1dParams::default().with("tau", tau).unwrap();
        prop_assert_eq!(param_error(p.validate()), named("tau", &tau.to_string()));
    }

    /// Environments survive JSON with any valid size.
    #[test]
    fn environment_params_round_trip(scale in 1e-2f64..1e2, aspect in 1e-2f64..1e2, dx in 1e-3f64..1.0) {
        let p = EnvironmentParams::default().scale(scale).aspect(aspect).dx(dx);
        prop_assert_eq!(EnvironmentParams::from_json(&p.to_json()).unwrap(), p);
    }
}
