use std::io::{IsTerminal, Write};
use std::time::Instant;

/// When to show progress.
///
/// # Example
/// ```
/// use canns::pipeline::{Progress, ShowProgress};
/// // `Auto` hides small runs (and everything outside a terminal or a notebook
/// // kernel, as here); `Always` reports on stderr; `Never` stays silent.
/// assert!(!Progress::new("fit", 10, 1e3, ShowProgress::Auto).is_shown());
/// assert!(Progress::new("fit", 10, 1e3, ShowProgress::Always).is_shown());
/// assert!(!Progress::new("fit", 10, 1e12, ShowProgress::Never).is_shown());
/// assert_eq!(ShowProgress::default(), ShowProgress::Auto);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShowProgress {
    /// On a terminal or in a notebook kernel, for runs expected to take more
    /// than about a second.
    #[default]
    Auto,
    /// Always (to stderr).
    Always,
    /// Never.
    Never,
}

/// Where progress goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// Not shown.
    Hidden,
    /// One bar redrawn in place (a terminal).
    Bar,
    /// A line at most every [`LINE_EVERY`] seconds, and one at the end
    /// (notebook kernels, logs).
    Lines,
}

/// Seconds between two progress lines in a notebook.
const LINE_EVERY: f64 = 3.0;

/// The process runs notebook cells (evcxr's kernel sets this variable).
pub fn in_notebook_kernel() -> bool {
    std::env::var_os("EVCXR_IS_RUNTIME").is_some()
}

/// Progress reporting for long runs: a bar on a terminal's stderr; in a
/// notebook kernel (evcxr marks the process running cells with
/// `EVCXR_IS_RUNTIME`) one line on stderr every few seconds, which the cell
/// shows as it runs and keeps in the saved notebook; nothing elsewhere.
///
/// A progress report on stderr.
///
/// # Example
/// ```
/// use canns::pipeline::{Progress, ShowProgress};
/// // A long loop reports as it goes: a bar on a terminal, a line every few
/// // seconds (and one at the end) in a notebook or a log.
/// let mut progress = Progress::new("simulate", 200, 200.0 * 1e6, ShowProgress::Always);
/// assert!(progress.is_shown());
/// let mut sum = 0.0;
/// for step in 1..=200 {
///     sum += step as f64;
///     progress.update(step);
/// }
/// assert_eq!(sum, 20_100.0);
/// ```
#[derive(Debug)]
pub struct Progress {
    label: String,
    total: usize,
    style: Style,
    start: Instant,
    last_pct: usize,
    last_line: f64,
}

impl Progress {
    /// A bar for `total` units of work; `work` estimates the cost (e.g.
    /// steps x neurons) to decide whether [`ShowProgress::Auto`] shows it.
    pub fn new(label: &str, total: usize, work: f64, mode: ShowProgress) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let style = match mode {
            ShowProgress::Never => Style::Hidden,
            _ if terminal && !in_notebook_kernel() => match mode {
                ShowProgress::Auto if work <= 2e8 => Style::Hidden,
                _ => Style::Bar,
            },
            ShowProgress::Always => Style::Lines,
            ShowProgress::Auto if work > 2e8 && in_notebook_kernel() => Style::Lines,
            ShowProgress::Auto => Style::Hidden,
        };
        Self {
            label: label.to_string(),
            total: total.max(1),
            style,
            start: Instant::now(),
            last_pct: usize::MAX,
            last_line: 0.0,
        }
    }

    /// Whether anything is reported.
    pub fn is_shown(&self) -> bool {
        self.style != Style::Hidden
    }

    /// Reports that `done` units are finished.
    pub fn update(&mut self, done: usize) {
        if self.style == Style::Hidden {
            return;
        }
        let pct = done.min(self.total) * 100 / self.total;
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
        if self.style == Style::Lines {
            let finished = done >= self.total;
            if finished || el - self.last_line >= LINE_EVERY {
                self.last_line = el;
                let _ = writeln!(std::io::stderr().lock(), "{}", self.line(done, el, eta));
            }
            return;
        }
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

    /// One progress line: `label: 40% (400/1000), 2.1 s, about 3.2 s left`.
    fn line(&self, done: usize, elapsed: f64, eta: f64) -> String {
        let pct = done.min(self.total) * 100 / self.total;
        if done >= self.total {
            format!("{}: done, {} in {elapsed:.1} s", self.label, self.total)
        } else {
            format!(
                "{}: {pct}% ({done}/{}), {elapsed:.1} s, about {eta:.0} s left",
                self.label, self.total
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_say_the_fraction_and_the_end() {
        let p = Progress::new("simulate", 1000, 1e9, ShowProgress::Always);
        assert!(p.is_shown());
        assert_eq!(
            p.line(400, 2.0, 3.0),
            "simulate: 40% (400/1000), 2.0 s, about 3 s left"
        );
        assert_eq!(p.line(1000, 5.0, 0.0), "simulate: done, 1000 in 5.0 s");
        assert!(!Progress::new("x", 10, 1e12, ShowProgress::Never).is_shown());
        // Outside a terminal and a notebook kernel, Auto stays quiet.
        if !std::io::stderr().is_terminal() && !in_notebook_kernel() {
            assert!(!Progress::new("x", 10, 1e12, ShowProgress::Auto).is_shown());
        }
    }
}
