//! One crate-wide error type.
//!
//! Every fallible public function returns [`Result`]. Errors name the field or
//! file and the offending value, so a notebook user can fix the call without
//! reading the source.

use std::path::PathBuf;

/// A parameter failed validation: names the field, the rule and the value.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // `build` rejects a negative time constant, naming the field and the value.
/// let err = Cann1d::params().tau(-1.0).build().unwrap_err();
/// let Error::Param(p) = err else { panic!("expected a parameter error, got {err}") };
/// assert_eq!((p.field.as_str(), p.value.as_str()), ("tau", "-1"));
/// assert_eq!(ParamError::new("n", ">= 1", 0).to_string(), "`n` must be >= 1 (got 0)");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("`{field}` must be {rule} (got {value})")]
pub struct ParamError {
    /// The parameter's name, as spelled in its `Params` struct.
    pub field: String,
    /// The rule it broke, e.g. `"> 0"` or `"finite"`.
    pub rule: String,
    /// The rejected value, formatted.
    pub value: String,
}

impl ParamError {
    /// Builds a parameter error for `field` that broke `rule` with `value`.
    pub fn new(
        field: impl Into<String>,
        rule: impl Into<String>,
        value: impl std::fmt::Display,
    ) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
            value: value.to_string(),
        }
    }
}

/// Every error this crate returns.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// let mut net = Cann1d::params().num(32).build()?;
/// // An input of the wrong length is a shape error, not a panic.
/// let err = net.step(0.1, &[0.0; 3]).unwrap_err();
/// assert!(matches!(err, Error::Shape { .. }));
/// assert!(err.to_string().contains("expected 32, got 3"), "{err}");
/// // A bad time step names the field.
/// let err = net.step(-0.1, &[0.0; 32]).unwrap_err();
/// assert!(matches!(&err, Error::Param(p) if p.field == "dt"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter is out of its valid range.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// Array shapes do not fit together.
    #[error("shape mismatch in {what}: expected {expected}, got {got}")]
    Shape {
        /// What was being combined.
        what: String,
        /// The expected shape.
        expected: String,
        /// The shape that was given.
        got: String,
    },
    /// A simulation produced a non-finite value.
    #[error("simulation diverged at step {step} (t = {t}): {what} is not finite; reduce dt or the input amplitude")]
    Diverged {
        /// The step at which the non-finite value appeared.
        step: usize,
        /// Time of that step, in the task's time unit.
        t: f64,
        /// Which quantity became non-finite.
        what: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file or table has the wrong content.
    #[error("{path}: {message}")]
    Data {
        /// The file (or table) involved.
        path: String,
        /// What is wrong, naming the field.
        message: String,
    },
    /// An error from polars.
    #[error("polars: {0}")]
    Polars(#[from] polars::error::PolarsError),
    /// A computation would exceed a resource limit.
    #[error("{0}")]
    Limit(String),
    /// Anything else the user asked for that cannot be done.
    #[error("{0}")]
    Invalid(String),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
    /// A content error in `path`.
    pub fn data(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Data {
            path: path.into(),
            message: message.into(),
        }
    }
    /// A shape mismatch.
    pub fn shape(
        what: impl Into<String>,
        expected: impl std::fmt::Display,
        got: impl std::fmt::Display,
    ) -> Self {
        Error::Shape {
            what: what.into(),
            expected: expected.to_string(),
            got: got.to_string(),
        }
    }
}

/// The environment variable that sets the memory budget, in bytes with an
/// optional suffix `K`, `M`, `G` or `T` (powers of 1024): `CANNS_MEMORY_LIMIT=8G`.
pub const MEMORY_LIMIT_VAR: &str = "CANNS_MEMORY_LIMIT";

/// The memory budget in bytes for one allocation the crate sizes from its
/// input (a file's header, a flag, a parameter): `CANNS_MEMORY_LIMIT` when
/// set, else half the physical memory (`MemTotal` in `/proc/meminfo`),
/// capped by the memory available now (`MemAvailable`); 4 GiB where
/// `/proc/meminfo` cannot be read.
///
/// It is read at every call, so setting the variable in a running notebook
/// (`std::env::set_var`) takes effect at once.
///
/// # Examples
/// ```
/// assert!(canns::error::memory_budget() > 0);
/// ```
pub fn memory_budget() -> u64 {
    if let Some(b) = std::env::var(MEMORY_LIMIT_VAR)
        .ok()
        .and_then(|v| parse_bytes(&v))
    {
        return b;
    }
    let Ok(info) = std::fs::read_to_string("/proc/meminfo") else {
        return 4 << 30;
    };
    let field = |name: &str| -> Option<u64> {
        let line = info.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb.saturating_mul(1024))
    };
    match (field("MemTotal:"), field("MemAvailable:")) {
        (Some(t), Some(a)) => (t / 2).min(a),
        (Some(t), None) => t / 2,
        _ => 4 << 30,
    }
}

/// `"8G"`, `"512M"`, `"1000000"` as bytes.
fn parse_bytes(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => {
            let m: u64 = match c.to_ascii_uppercase() {
                'K' => 1 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                _ => return None,
            };
            (&s[..i], m)
        }
        _ => (s, 1),
    };
    let v: f64 = num.trim().parse().ok()?;
    (v.is_finite() && v > 0.0).then_some((v * mult as f64) as u64)
}

/// `1.5 GB`, `12 MB`, `800 bytes`.
pub fn format_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.0} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.0} kB", b / 1e3)
    } else {
        format!("{bytes} bytes")
    }
}

/// Checks an estimated allocation of `bytes` for `what` against the
/// [`memory_budget`] before any of it is made, so that a large request
/// returns an error instead of aborting the process (and, in a notebook,
/// losing the kernel's variables). `hint` says what to change.
///
/// # Examples
/// ```
/// use canns::error::check_memory;
/// assert!(check_memory("a small table", 1 << 10, "").is_ok());
/// let e = check_memory("the distance matrix", u64::MAX, "use --n-perm").unwrap_err();
/// assert!(e.to_string().contains("needs about") && e.to_string().contains("use --n-perm"));
/// ```
///
/// # Errors
/// [`Error::Limit`] saying what needs how much, the budget, and `hint`.
pub fn check_memory(what: &str, bytes: u64, hint: &str) -> Result<()> {
    let budget = memory_budget();
    if bytes <= budget {
        return Ok(());
    }
    let source = if std::env::var(MEMORY_LIMIT_VAR).is_ok_and(|v| parse_bytes(&v).is_some()) {
        format!("set by {MEMORY_LIMIT_VAR}")
    } else {
        format!("half the physical memory or what is free; set {MEMORY_LIMIT_VAR} to change it")
    };
    let hint = if hint.is_empty() {
        String::new()
    } else {
        format!("; {hint}")
    };
    Err(Error::Limit(format!(
        "{what} needs about {}, more than the memory budget of {} ({source}){hint}",
        format_bytes(bytes),
        format_bytes(budget)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes_parse() {
        assert_eq!(parse_bytes("8G"), Some(8 << 30));
        assert_eq!(parse_bytes("512m"), Some(512 << 20));
        assert_eq!(parse_bytes("1000"), Some(1000));
        assert_eq!(parse_bytes("1.5K"), Some(1536));
        assert_eq!(parse_bytes("lots"), None);
        assert_eq!(parse_bytes("-1G"), None);
        assert_eq!(format_bytes(19_200_000_000), "19.2 GB");
    }
}
