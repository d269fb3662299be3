//! One crate-wide error type.
//!
//! Every fallible public function returns [`Result`]. Errors name the field or
//! file and the offending value, so a notebook user can fix the call without
//! reading the source.

use std::path::PathBuf;

/// A parameter failed validation: names the field, the rule and the value.
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
