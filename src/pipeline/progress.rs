//! Progress reporting for long runs: a bar on a terminal's stderr, nothing
//! elsewhere (notebook cells show the result instead).

use std::io::{IsTerminal, Write};
use std::time::Instant;

/// When to show progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShowProgress {
    /// On a terminal, for runs expected to take more than about a second.
    #[default]
    Auto,
    /// Always (to stderr).
    Always,
    /// Never.
    Never,
}

/// A progress bar on stderr.
#[derive(Debug)]
pub struct Progress {
    label: String,
    total: usize,
    shown: bool,
    start: Instant,
    last_pct: usize,
}

impl Progress {
    /// A bar for `total` units of work; `work` estimates the cost (e.g.
    /// steps x neurons) to decide whether [`ShowProgress::Auto`] shows it.
    pub fn new(label: &str, total: usize, work: f64, mode: ShowProgress) -> Self {
        let shown = match mode {
            ShowProgress::Always => true,
            ShowProgress::Never => false,
            ShowProgress::Auto => work > 2e8 && std::io::stderr().is_terminal(),
        };
        Self {
            label: label.to_string(),
            total: total.max(1),
            shown,
            start: Instant::now(),
            last_pct: usize::MAX,
        }
    }

    /// Reports that `done` units are finished.
    pub fn update(&mut self, done: usize) {
        if !self.shown {
            return;
        }
        let pct = done * 100 / self.total;
        if pct == self.last_pct {
            return;
        }
        self.last_pct = pct;
        let el = self.start.elapsed().as_secs_f64();
        let eta = if done > 0 {
            el * (self.total - done.min(self.total)) as f64 / done as f64
        } else {
            0.0
        };
        let bar: String = (0..30)
            .map(|i| if i * 100 < pct * 30 { '#' } else { '.' })
            .collect();
        let mut e = std::io::stderr().lock();
        let _ = write!(
            e,
            "\r{} [{bar}] {pct:3}% {done}/{} {el:.1}s eta {eta:.1}s",
            self.label, self.total
        );
        if done >= self.total {
            let _ = writeln!(e);
        }
    }
}
