//! The Sargolini et al. (2006) trajectory (600 s in a 1 m box, up to
//! 0.82 m/s at 0.05 s sampling) integrated by `HierarchicalNetwork` with the
//! default spacings on a time axis 16 times faster
//! (`HierarchicalNetworkParams::sped_up(16.0)`: speed limit 1.02 m/s) and
//! 30^2 place cells over the box; prints the decoding error and the time.
//!
//! `cargo run --release --example hierarchical_sargolini [seconds] [factor]`
//! (defaults 600 and 16)

use canns::models::HierarchicalNetwork;
use canns::spatial::Trajectory;
use std::time::Instant;

fn main() -> canns::Result<()> {
    let arg = |i: usize, default: f64| -> canns::Result<f64> {
        match std::env::args().nth(i) {
            Some(s) => s
                .parse()
                .map_err(|_| canns::ParamError::new("argument", "a number", &s).into()),
            None => Ok(default),
        }
    };
    let (seconds, factor) = (arg(1, 600.0)?, arg(2, 16.0)?);
    let traj = Trajectory::dataset("sargolini")?;
    let t = traj.times();
    let keep = t.iter().take_while(|&&x| x <= t[0] + seconds).count();
    let pos = (0..keep)
        .map(|i| vec![traj.coordinate(0)[i], traj.coordinate(1)[i]])
        .collect();
    let hist = Trajectory::new(t[..keep].to_vec(), pos)?.resample(0.05)?;
    let p = HierarchicalNetwork::params()
        .arena_size(1.0)
        .sped_up(factor);
    let t0 = Instant::now();
    let mut net = p.build()?;
    let start = [hist.x[0], hist.y[0]];
    net.anchor(start, 400, 100.0)?;
    net.anchor(start, 100, 0.0)?;
    let run = net.run(&hist)?;
    let wall = t0.elapsed().as_secs_f64();
    let n = run.t.len();
    let e = run.errors();
    let max = e.iter().copied().fold(0.0, f64::max);
    let drift = run.band_drift().into_iter().fold(0.0, f64::max);
    println!(
        "{:.0} s of path ({n} samples, {} steps, fastest {:.3} m/s, limit {:.3} m/s, {} steps over): mean error {:.4} m (first tenth {:.4}, last tenth {:.4}), max {max:.4} m, largest band drift {drift:.4} rad; {wall:.1} s",
        run.t[n - 1] - run.t[0],
        net.steps(),
        net.fastest_speed(),
        net.speed_limit(),
        run.speed_violations,
        run.mean_error(0, n),
        run.mean_error(0, n / 10),
        run.mean_error(n - n / 10, n),
    );
    Ok(())
}
