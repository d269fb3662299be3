//! Parameters: the [`Params`] trait every `*Params` type implements, the
//! builder setters and the validation checks they share.
//!
//! A parameter struct is plain data (serde, `Default` holds the defaults);
//! [`Params`] adds what every one of them needs: checking ([`Params::validate`],
//! called by every `build`), JSON round trips, and setting a field by name
//! ([`Params::with`]), which the command line's `--set key=value` and
//! parameter sweeps use.
//!
//! # Examples
//! ```
//! use canns::prelude::*;
//! let p = Cann1dParams::default().with("tau", 2.0)?.with("num", 128)?;
//! assert_eq!((p.tau, p.num), (2.0, 128));
//! // Unknown keys and values of the wrong type name the key and the value.
//! let err = Cann1dParams::default().with("tua", 2.0).unwrap_err().to_string();
//! assert!(err.contains("tua"), "{err}");
//! let err = Cann1dParams::default().with("tau", "fast").unwrap_err().to_string();
//! assert!(err.contains("tau") && err.contains("fast"), "{err}");
//! // Ranges are checked by `validate` (and so by `build`).
//! let err = Cann1dParams::default().with("tau", -1.0)?.validate().unwrap_err();
//! assert_eq!(err.to_string(), "`tau` must be finite and > 0 (got -1)");
//! // Nested fields take dotted keys; `current_keys` lists them as they stand.
//! use canns::pipeline::{SignatureParams, Subsample};
//! let s = SignatureParams::asa().with("subsample.fuzzy.k", 500)?;
//! assert!(matches!(s.subsample, Subsample::Fuzzy { k: 500, .. }));
//! assert!(s.current_keys().contains(&"subsample.fuzzy.nbs".to_string()));
//! // JSON round trips keep every field.
//! assert_eq!(SignatureParams::from_json(&s.to_json())?, s);
//! # Ok::<(), canns::Error>(())
//! ```

use crate::error::{Error, ParamError, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// What every parameter struct provides.
///
/// Implementors are `#[serde(default, deny_unknown_fields)]` structs whose
/// `Default` holds the documented defaults; only [`Params::validate`] is
/// written by hand.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// // Set fields by name (as the command line's `--set key=value` does).
/// let p = Cann1dParams::default().with("num", 64)?.with("tau", 2.0)?;
/// assert_eq!((p.num, p.tau), (64, 2.0));
/// assert!(Cann1dParams::keys().contains(&"amplitude".to_string()));
/// // JSON round trips keep every field; out-of-range values are rejected.
/// assert_eq!(Cann1dParams::from_json(&p.to_json())?, p);
/// let err = Cann1dParams::from_json(r#"{"a": 0}"#).unwrap_err();
/// assert!(err.to_string().contains("`a`"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
pub trait Params: Serialize + DeserializeOwned + Clone + Default {
    /// The type's name, used in error messages (e.g. `"Cann1dParams"`).
    const NAME: &'static str;

    /// Checks every field.
    ///
    /// # Errors
    /// [`Error::Param`] naming the first invalid field and its value.
    fn validate(&self) -> Result<()>;

    /// The parameters as pretty-printed JSON.
    fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("parameter structs always serialise")
    }

    /// Parses parameters from JSON; missing keys take their defaults. The
    /// result is validated.
    ///
    /// # Errors
    /// [`Error::Invalid`] with serde's message naming an unknown key or a
    /// value of the wrong type; [`Error::Param`] for a value out of range.
    fn from_json(s: &str) -> Result<Self> {
        let p: Self =
            serde_json::from_str(s).map_err(|e| Error::Invalid(format!("{}: {e}", Self::NAME)))?;
        p.validate()?;
        Ok(p)
    }

    /// The names of all settable keys of the defaults, nested fields as
    /// dotted paths (`"agent.speed_mean"`).
    fn keys() -> Vec<String> {
        Self::default().current_keys()
    }

    /// The names of all settable keys of these parameters, as
    /// [`Params::keys`] but following the values as they stand: a field
    /// holding an enum variant with fields lists them
    /// (`"subsample.fuzzy.k"`).
    fn current_keys(&self) -> Vec<String> {
        let mut out = Vec::new();
        let v = serde_json::to_value(self).expect("parameter structs always serialise");
        collect_keys(&v, "", &mut out);
        out
    }

    /// Sets the field named `key` (dotted for nested fields) to `value`.
    /// Ranges are checked by [`Params::validate`], which `build` calls, so
    /// fields that constrain each other can be set one at a time.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the key when it is unknown (listing the
    /// known keys, [`Params::current_keys`]) or when the value has the wrong
    /// type (naming the value).
    fn with(self, key: &str, value: impl Into<Value>) -> Result<Self> {
        let mut p = self;
        p.set(key, value.into())?;
        Ok(p)
    }

    /// In-place form of [`Params::with`].
    ///
    /// # Errors
    /// As [`Params::with`].
    fn set(&mut self, key: &str, value: Value) -> Result<()> {
        let mut tree = serde_json::to_value(&*self).expect("parameter structs always serialise");
        let found = key
            .split('.')
            .try_fold(&tree, |node, part| node.as_object()?.get(part));
        if found.is_none() {
            return Err(Error::Invalid(format!(
                "{}: unknown parameter `{key}` (known: {})",
                Self::NAME,
                self.current_keys().join(", ")
            )));
        }
        let node = key.split('.').fold(&mut tree, |node, part| {
            node.get_mut(part).expect("the path was found just above")
        });
        *node = value.clone();
        *self = serde_json::from_value(tree).map_err(|e| {
            Error::Invalid(format!(
                "{}: `{key}` cannot be {}: {e}",
                Self::NAME,
                compact_json(&value)
            ))
        })?;
        Ok(())
    }

    /// Sets a field from text as written on a command line: JSON when it
    /// parses (`0.5`, `true`, `[1, 2]`), a string otherwise (`Periodic`).
    ///
    /// # Errors
    /// As [`Params::with`].
    fn set_text(&mut self, key: &str, text: &str) -> Result<()> {
        self.set(key, parse_text(text))
    }
}

/// A value typed on a command line: JSON when it parses, a string otherwise.
pub fn parse_text(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

fn compact_json(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

fn collect_keys(v: &Value, prefix: &str, out: &mut Vec<String>) {
    if let Some(o) = v.as_object() {
        for (k, child) in o {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            if child.is_object() {
                collect_keys(child, &key, out);
            } else {
                out.push(key);
            }
        }
    }
}

/// Builder-style setters, one per field: `params.tau(2.0)`.
macro_rules! setters {
    ($($(#[$doc:meta])* $field:ident: $ty:ty),* $(,)?) => {$(
        $(#[$doc])*
        pub fn $field(mut self, value: $ty) -> Self {
            self.$field = value;
            self
        }
    )*};
}
pub(crate) use setters;

/// Validation helpers used by every [`Params::validate`].
pub(crate) mod check {
    use super::ParamError;

    pub fn finite(field: &str, v: f64) -> Result<f64, ParamError> {
        if v.is_finite() {
            Ok(v)
        } else {
            Err(ParamError::new(field, "finite", v))
        }
    }
    pub fn positive(field: &str, v: f64) -> Result<f64, ParamError> {
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(ParamError::new(field, "finite and > 0", v))
        }
    }
    pub fn non_negative(field: &str, v: f64) -> Result<f64, ParamError> {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(ParamError::new(field, "finite and >= 0", v))
        }
    }
    pub fn at_least(field: &str, v: usize, min: usize) -> Result<usize, ParamError> {
        if v >= min {
            Ok(v)
        } else {
            Err(ParamError::new(field, format!(">= {min}"), v))
        }
    }
}
