//! Time per step of a Cann2d of a given side (default 256): `cargo run --release --example torus_step -- 256`
use canns::prelude::*;
fn main() -> Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(256);
    let mut net = Cann2d::params().length(n).build()?;
    let mut input = vec![0.0; n * n];
    net.stimulus(&[0.5, -0.5], &mut input)?;
    for _ in 0..20 {
        net.step(0.1, &input)?;
    }
    let steps = (4_000_000 / (n * n)).max(10);
    let t0 = std::time::Instant::now();
    for _ in 0..steps {
        net.step(0.1, &input)?;
    }
    println!(
        "{n}x{n}: {:.1} us per step",
        t0.elapsed().as_secs_f64() / steps as f64 * 1e6
    );
    Ok(())
}
