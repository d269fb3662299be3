//! `canns tour --out DIR`: the default models on their tasks, as an offline
//! HTML report with plots and a table of key numbers.

use canns::display::{html_escape, standalone_html, KeyValues};
use canns::error::{Error, Result};
use canns::models::{Cann1d, Cann1dParams, Cann2d, FeatureMap, Model};
use canns::pipeline::{simulate, simulate_with, SimOptions};
use canns::space::{angle_diff, TWO_PI};
use canns::tasks::{PopulationCoding, SmoothTracking, TemplateMatching};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

/// Arguments of `canns tour`.
#[derive(Debug, Args)]
pub struct TourArgs {
    /// Directory for the report (created if missing): index.html and summary.json.
    #[arg(long, default_value = "target/tour")]
    pub out: PathBuf,
}

/// Key numbers of the tour (written to summary.json).
#[derive(Debug, Clone, Serialize)]
pub struct TourSummary {
    /// Bump width (fitted sigma of r, rad) of the default Cann1d at rest.
    pub bump_width: f64,
    /// Bump height (max u) at rest.
    pub bump_height: f64,
    /// Drift of the bump centre over the 1500 steps without input (rad).
    pub persistence_drift: f64,
    /// Tracking lag of the plain Cann1d at 0.02 rad per time unit (time units; > 0 lags).
    pub tracking_lag: f64,
    /// Tracking lag with adaptation (canns's CANN1D_SFA defaults) at 0.005 rad per time unit (< 0 anticipates).
    pub sfa_lag: f64,
    /// Speed of the spontaneous travelling wave with m = 0.3 (rad per time unit).
    pub travelling_speed: f64,
    /// Mean tracking error of the 64 x 64 Cann2d along a 2D trajectory (rad, both axes).
    pub torus_error: f64,
    /// Error of template matching with 50% noise and 30% missing input (rad).
    pub template_error: f64,
    /// Wall-clock time of the whole tour (s).
    pub seconds: f64,
}

/// Runs `canns tour`.
///
/// # Errors
/// Simulation errors (none with the built-in defaults) and write failures.
pub fn run(args: TourArgs) -> Result<()> {
    let start = std::time::Instant::now();
    let mut sections = Vec::new();

    // 1. A bump forms and persists without input.
    let mut net = Cann1d::params().build()?;
    let mut task = PopulationCoding::params()
        .position(vec![1.0])
        .before(1.0)
        .duration(10.0)
        .after(150.0)
        .build()?;
    let sim = simulate(&mut net, &mut task)?;
    let off = task.on_steps().end;
    let last = sim.n_steps() - 1;
    let drift = angle_diff(sim.centre[[last, 0]], sim.centre[[off, 0]]).abs();
    let (bump_width, bump_height) = (sim.width[last], sim.height[last]);
    let stim = net.stimulus_at(&[1.0])?;
    sections.push((
        "Energy landscape: the bump at rest, with the stimulus that formed it",
        net.plot_state(Some(&stim)),
    ));
    sections.push((
        "Population coding: the bump outlives its stimulus",
        sim.plot_activity(),
    ));

    // 2. Tracking lags behind a moving stimulus.
    let mut net = Cann1d::params().build()?;
    let mut task = SmoothTracking::params()
        .keypoints(vec![vec![-1.0], vec![1.0]])
        .durations(vec![100.0])
        .build()?;
    let sim = simulate(&mut net, &mut task)?;
    let tracking_lag = sim.tracking(300).lag;
    sections.push((
        "Smooth tracking: the bump follows the stimulus with a lag",
        sim.plot_tracking(),
    ));

    // 3. Adaptation anticipates.
    let mut net = Cann1dParams::sfa().build()?;
    let mut task = SmoothTracking::params()
        .keypoints(vec![vec![-1.0], vec![1.0]])
        .durations(vec![400.0])
        .build()?;
    let sim = simulate(&mut net, &mut task)?;
    let sfa_lag = sim.tracking(1500).lag;
    sections.push((
        "Adaptation (Mi et al. 2014): the bump leads the stimulus",
        sim.plot_tracking(),
    ));

    // 4. Above the critical adaptation strength the bump travels by itself.
    let mut net = Cann1d::params().amplitude(1.0).m(0.3).build()?;
    let mut task = SmoothTracking::params()
        .keypoints(vec![vec![-1.0], vec![0.0]])
        .durations(vec![100.0])
        .build()?;
    simulate(&mut net, &mut task)?;
    let zero = vec![0.0; net.n_neurons()];
    let mut path = 0.0;
    let mut prev = canns::analysis::centre_1d(net.r()).unwrap_or(0.0);
    for _ in 0..2000 {
        net.step(0.1, &zero)?;
        let c = canns::analysis::centre_1d(net.r()).unwrap_or(prev);
        path += angle_diff(c, prev).abs();
        prev = c;
    }
    let travelling_speed = path / 200.0;

    // 5. The torus tracks a 2D trajectory.
    let mut net = Cann2d::params().length(64).build()?;
    let mut task = SmoothTracking::params()
        .keypoints(vec![vec![0.0, 0.0], vec![1.5, 1.0], vec![-1.0, 2.0]])
        .durations(vec![60.0, 60.0])
        .build()?;
    let opts = SimOptions {
        record_every: 40,
        ..SimOptions::default()
    };
    let sim = simulate_with(&mut net, &mut task, &opts)?;
    let mut err = 0.0;
    let mut count = 0;
    for s in 100..sim.n_steps() {
        for c in 0..2 {
            err += angle_diff(sim.centre[[s, c]], sim.target[[s, c]]).abs();
            count += 1;
        }
    }
    let torus_error = err / count as f64;
    sections.push(("Torus: tracking a 2D trajectory", sim.plot_tracking()));
    sections.push((
        "Torus: activity over time (press Play)",
        sim.plot_animation(30),
    ));

    // 6. Template matching cleans up a noisy, partial input.
    let mut net = Cann1d::params().build()?;
    let mut task = TemplateMatching::params()
        .position(vec![-2.0])
        .noise_level(0.5)
        .missing(0.3)
        .build()?;
    let sim = simulate(&mut net, &mut task)?;
    let template_error = angle_diff(sim.centre[[sim.n_steps() - 1, 0]], -2.0).abs();
    sections.push((
        "Template matching: a noisy, partial input, cleaned up",
        sim.plot_activity(),
    ));

    let summary = TourSummary {
        bump_width,
        bump_height,
        persistence_drift: drift,
        tracking_lag,
        sfa_lag,
        travelling_speed,
        torus_error,
        template_error,
        seconds: start.elapsed().as_secs_f64(),
    };
    let spacing = TWO_PI / 512.0;
    let table = KeyValues::new("Key numbers")
        .row(
            "bump width",
            format!("{bump_width:.4}"),
            "fitted sigma of r (rad); a = 0.5",
        )
        .row("bump height", format!("{bump_height:.4}"), "max u at rest")
        .row(
            "drift without input",
            format!("{drift:.2e}"),
            format!("rad over 1500 steps (neuron spacing {spacing:.4})"),
        )
        .row(
            "tracking lag",
            format!("{tracking_lag:.3}"),
            "time units, plain CANN at 0.02 rad/unit (> 0: lag)",
        )
        .row(
            "lag with adaptation",
            format!("{sfa_lag:.3}"),
            "time units, CANN1D_SFA defaults at 0.005 rad/unit (< 0: anticipation)",
        )
        .row(
            "travelling-wave speed",
            format!("{travelling_speed:.4}"),
            "rad per time unit, m = 0.3 > tau/tau_v, no input",
        )
        .row(
            "torus tracking error",
            format!("{torus_error:.4}"),
            "mean |error| (rad), 64 x 64 network",
        )
        .row(
            "template-matching error",
            format!("{template_error:.4}"),
            "rad, 50% noise, 30% missing input",
        )
        .row("run time", format!("{:.2}", summary.seconds), "seconds");

    let mut body = String::from("<h1>canns tour</h1><p>The default continuous attractor networks on their tasks. Time is in units of the synaptic time constant tau; positions in radians.</p>");
    body.push_str(&table.to_html());
    for (k, (title, plot)) in sections.iter().enumerate() {
        body.push_str(&format!("<h2>{}</h2>", html_escape(title)));
        body.push_str(&plot.to_inline_html(Some(&format!("fig{k}"))));
    }
    std::fs::create_dir_all(&args.out).map_err(|e| Error::io(&args.out, e))?;
    let index = args.out.join("index.html");
    std::fs::write(&index, standalone_html("canns tour", &body))
        .map_err(|e| Error::io(&index, e))?;
    let json = args.out.join("summary.json");
    std::fs::write(
        &json,
        serde_json::to_string_pretty(&summary).expect("summary serialises"),
    )
    .map_err(|e| Error::io(&json, e))?;

    println!(
        "canns tour: {} figures -> {}",
        sections.len(),
        index.display()
    );
    println!("  bump width {bump_width:.4} rad, height {bump_height:.4}, drift without input {drift:.1e} rad");
    println!("  tracking lag {tracking_lag:.3} tau (plain), {sfa_lag:.3} tau with adaptation (anticipation)");
    println!("  travelling wave {travelling_speed:.4} rad/tau; torus error {torus_error:.4} rad; template error {template_error:.4} rad");
    println!("  done in {:.2} s", summary.seconds);
    Ok(())
}
