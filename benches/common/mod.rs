//! The clock of the benches that use it: wall time by default, or the
//! process's CPU time (every thread) with `CANNS_BENCH_CLOCK=cpu`.
//!
//! On a machine shared with other work, wall time counts the time the
//! scheduler gives to others; CPU time does not. For serial code on an idle
//! machine the two agree; for code that runs on several threads, CPU time
//! is the sum over the threads (an upper bound on the one-thread cost).

use criterion::measurement::{Measurement, ValueFormatter, WallTime};

/// Wall or CPU time in nanoseconds (see the module docs).
pub struct Clock {
    cpu: bool,
}

impl Clock {
    /// The clock chosen by `CANNS_BENCH_CLOCK` (`cpu`, or wall time).
    pub fn from_env() -> Self {
        let cpu = std::env::var("CANNS_BENCH_CLOCK").is_ok_and(|v| v == "cpu");
        if cpu {
            eprintln!("times are process CPU time (CANNS_BENCH_CLOCK=cpu)");
        }
        Self { cpu }
    }

    fn now(&self) -> u64 {
        #[cfg(target_os = "linux")]
        {
            let id = if self.cpu {
                libc::CLOCK_PROCESS_CPUTIME_ID
            } else {
                libc::CLOCK_MONOTONIC
            };
            let mut t = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            // SAFETY: `t` is a valid timespec to write into.
            unsafe { libc::clock_gettime(id, &mut t) };
            t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
        }
        #[cfg(not(target_os = "linux"))]
        {
            static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
            EPOCH
                .get_or_init(std::time::Instant::now)
                .elapsed()
                .as_nanos() as u64
        }
    }
}

impl Measurement for Clock {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        self.now()
    }

    fn end(&self, start: u64) -> u64 {
        self.now().saturating_sub(start)
    }

    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }

    fn zero(&self) -> u64 {
        0
    }

    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        static WALL: WallTime = WallTime;
        WALL.formatter()
    }
}
