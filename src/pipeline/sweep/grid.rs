use crate::error::{Error, ParamError, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One axis of a sweep grid: a parameter field and the values it takes, or
/// several axes zipped together (varying jointly, all of one length).
///
/// In a spec file an axis is an object with `key` and exactly one of
/// `values` (a list of any JSON values the field accepts), `linspace`
/// (`[start, stop, num]`: `num` evenly spaced values, both ends included) or
/// `logspace` (`[start, stop, num]`: `num` values evenly spaced in log from
/// `start` to `stop`, both `> 0`: the endpoints are values, not exponents);
/// or `{"zip": [axis, axis, ...]}`.
///
/// # Examples
/// ```
/// use canns::pipeline::sweep::Axis;
/// let a = Axis::logspace("noise", 0.01, 1.0, 3);
/// let v: Vec<f64> = a.resolve()?.columns[0].iter().filter_map(|v| v.as_f64()).collect();
/// assert!((v[0] - 0.01).abs() < 1e-15 && (v[1] - 0.1).abs() < 1e-12 && v[2] == 1.0);
/// // A bad range names the key and the value.
/// let err = Axis::linspace("m", 0.0, 1.0, 0).resolve().unwrap_err().to_string();
/// assert!(err.contains("m") && err.contains("0"), "{err}");
/// let err = Axis::logspace("a", 0.0, 1.0, 3).resolve().unwrap_err().to_string();
/// assert!(err.contains("a") && err.contains("logspace"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Axis {
    /// The parameter field: `"m"`, or with its owner `"model.m"`,
    /// `"options.noise_v"`, `"task.dt"`; dotted for nested fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Explicit values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
    /// `[start, stop, num]`, evenly spaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linspace: Option<(f64, f64, usize)>,
    /// `[start, stop, num]`, evenly spaced in log (endpoints `> 0`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logspace: Option<(f64, f64, usize)>,
    /// Axes varying together.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<Vec<Axis>>,
}

/// An axis with its values listed: one column of values per key, all
/// columns of one length.
///
/// # Example
/// ```
/// use canns::pipeline::sweep::Axis;
/// // Two keys varying together along one axis of 3 positions.
/// let a = Axis::zip([Axis::values("m", [0.0, 0.1, 0.2]), Axis::linspace("tau_v", 10.0, 30.0, 3)]).resolve()?;
/// assert_eq!((a.keys.clone(), a.len()), (vec!["m".to_string(), "tau_v".into()], 3));
/// assert_eq!(a.columns[1][1].as_f64(), Some(20.0));
/// // Zipped axes must have one length.
/// let err = Axis::zip([Axis::values("m", [0.0]), Axis::values("k", [1.0, 2.0])]).resolve().unwrap_err();
/// assert!(err.to_string().contains("k"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedAxis {
    /// The keys (one, or several for a zipped axis).
    pub keys: Vec<String>,
    /// `columns[k][j]`: the value of key `k` at position `j` of the axis.
    pub columns: Vec<Vec<Value>>,
}

impl ResolvedAxis {
    /// Number of positions along the axis.
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }
    /// Whether the axis has no position.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Axis {
    /// `key` over explicit `values`.
    pub fn values<V: Into<Value>>(key: &str, values: impl IntoIterator<Item = V>) -> Self {
        Self {
            key: Some(key.to_string()),
            values: Some(values.into_iter().map(Into::into).collect()),
            ..Self::default()
        }
    }
    /// `key` over `num` evenly spaced values from `start` to `stop`.
    pub fn linspace(key: &str, start: f64, stop: f64, num: usize) -> Self {
        Self {
            key: Some(key.to_string()),
            linspace: Some((start, stop, num)),
            ..Self::default()
        }
    }
    /// `key` over `num` values evenly spaced in log from `start` to `stop`
    /// (both `> 0`).
    pub fn logspace(key: &str, start: f64, stop: f64, num: usize) -> Self {
        Self {
            key: Some(key.to_string()),
            logspace: Some((start, stop, num)),
            ..Self::default()
        }
    }
    /// Axes varying together (all of one length).
    pub fn zip(axes: impl IntoIterator<Item = Axis>) -> Self {
        Self {
            zip: Some(axes.into_iter().collect()),
            ..Self::default()
        }
    }

    fn name(&self) -> String {
        self.key.clone().unwrap_or_else(|| "zip".into())
    }

    /// Lists the values.
    ///
    /// # Errors
    /// [`Error::Param`] naming the key and the value for: no key, several or
    /// no value sources, an empty axis, a non-finite bound, a logspace bound
    /// `<= 0`, zipped axes of different lengths, a key twice.
    pub fn resolve(&self) -> Result<ResolvedAxis> {
        let name = self.name();
        let sources = [
            self.values.is_some(),
            self.linspace.is_some(),
            self.logspace.is_some(),
            self.zip.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if sources != 1 {
            return Err(ParamError::new(
                format!("grid `{name}`"),
                "given exactly one of values, linspace, logspace, zip",
                format!("{sources} of them"),
            )
            .into());
        }
        if let Some(axes) = &self.zip {
            if self.key.is_some() {
                return Err(ParamError::new(
                    format!("grid `{name}`"),
                    "a zip without its own key (the keys go in the zipped axes)",
                    "a key",
                )
                .into());
            }
            let mut out = ResolvedAxis {
                keys: Vec::new(),
                columns: Vec::new(),
            };
            for a in axes {
                let r = a.resolve()?;
                if !out.columns.is_empty() && r.len() != out.len() {
                    return Err(ParamError::new(
                        format!("grid zip `{}`", r.keys.join(", ")),
                        format!("of the length of `{}` ({})", out.keys[0], out.len()),
                        r.len(),
                    )
                    .into());
                }
                out.keys.extend(r.keys);
                out.columns.extend(r.columns);
            }
            if out.columns.is_empty() {
                return Err(ParamError::new("grid zip", "at least one axis", "none").into());
            }
            return Ok(out);
        }
        let key = self.key.clone().ok_or_else(|| {
            Error::from(ParamError::new(
                "grid axis",
                "given a `key`",
                "an axis without one",
            ))
        })?;
        let values: Vec<Value> = if let Some(v) = &self.values {
            v.clone()
        } else if let Some((a, b, n)) = self.linspace {
            check_bounds(&key, "linspace", a, b, n)?;
            (0..n)
                .map(|i| {
                    if n == 1 {
                        a
                    } else {
                        a + (b - a) * i as f64 / (n - 1) as f64
                    }
                })
                .map(Value::from)
                .collect()
        } else {
            let (a, b, n) = self.logspace.expect("one source is set");
            check_bounds(&key, "logspace", a, b, n)?;
            if a <= 0.0 || b <= 0.0 {
                return Err(ParamError::new(
                    format!("grid `{key}` logspace"),
                    "bounds > 0 (they are values, not exponents)",
                    format!("[{a}, {b}, {n}]"),
                )
                .into());
            }
            let (la, lb) = (a.ln(), b.ln());
            (0..n)
                .map(|i| {
                    if i == 0 {
                        a
                    } else if i + 1 == n {
                        b
                    } else {
                        (la + (lb - la) * i as f64 / (n - 1) as f64).exp()
                    }
                })
                .map(Value::from)
                .collect()
        };
        if values.is_empty() {
            return Err(ParamError::new(format!("grid `{key}`"), "non-empty", "[]").into());
        }
        if let Some(v) = values
            .iter()
            .find(|v| v.is_null() || v.as_f64().is_some_and(|x| !x.is_finite()))
        {
            return Err(ParamError::new(format!("grid `{key}`"), "finite values", v).into());
        }
        Ok(ResolvedAxis {
            keys: vec![key],
            columns: vec![values],
        })
    }
}

fn check_bounds(key: &str, kind: &str, a: f64, b: f64, n: usize) -> Result<()> {
    if !(a.is_finite() && b.is_finite()) || n == 0 {
        return Err(ParamError::new(
            format!("grid `{key}` {kind}"),
            "[start, stop, num] with finite bounds and num >= 1",
            format!("[{a}, {b}, {n}]"),
        )
        .into());
    }
    Ok(())
}

/// The grid of a sweep: axes over parameter fields (lists, linspace,
/// logspace, zipped axes), their cartesian product, and the numbering of
/// runs.
///
/// Run `i` of a sweep is grid point `i / n_seeds` with replicate
/// `i % n_seeds`; grid points enumerate the cartesian product of the axes
/// with the first axis varying slowest. The numbering depends on the spec
/// alone, so run `i` is the same run (values and seed) on any machine and
/// in any shard.
///
/// The resolved grid: axes, seeds and the numbering of runs.
///
/// # Example
/// ```
/// use canns::pipeline::sweep::{Axis, Grid};
/// let g = Grid::new(&[Axis::linspace("m", 0.0, 0.2, 3), Axis::values("task.dt", [0.05, 0.1])], &[0, 1, 2])?;
/// // 3 x 2 grid points, 3 seeds each.
/// assert_eq!((g.n_points(), g.n_runs()), (6, 18));
/// assert_eq!(g.keys(), vec!["m".to_string(), "task.dt".into()]);
/// // The last run: the last point of every axis, the last seed.
/// let (set, seed) = g.run(17);
/// assert_eq!((set[0].1.as_f64(), set[1].1.as_f64(), seed), (Some(0.2), Some(0.1), 2));
/// // A key swept by two axes is an error naming it.
/// let err = Grid::new(&[Axis::values("m", [0.0]), Axis::values("m", [1.0])], &[0]).unwrap_err();
/// assert!(err.to_string().contains("`m`"), "{err}");
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The axes, first varying slowest.
    pub axes: Vec<ResolvedAxis>,
    /// Replicate seeds (each grid point runs once per seed).
    pub seeds: Vec<u64>,
}

impl Grid {
    /// Resolves `axes` with replicates `seeds`.
    ///
    /// # Errors
    /// As [`Axis::resolve`]; [`Error::Param`] when `seeds` is empty or a key
    /// appears twice.
    pub fn new(axes: &[Axis], seeds: &[u64]) -> Result<Self> {
        if seeds.is_empty() {
            return Err(ParamError::new("seeds", "non-empty", "[]").into());
        }
        let axes = axes.iter().map(Axis::resolve).collect::<Result<Vec<_>>>()?;
        let mut seen = std::collections::HashSet::new();
        for k in axes.iter().flat_map(|a| &a.keys) {
            if !seen.insert(k.as_str()) {
                return Err(
                    ParamError::new(format!("grid `{k}`"), "swept by one axis", "twice").into(),
                );
            }
        }
        Ok(Self {
            axes,
            seeds: seeds.to_vec(),
        })
    }

    /// Number of grid points (product of the axis lengths; 1 without axes).
    pub fn n_points(&self) -> usize {
        self.axes.iter().map(ResolvedAxis::len).product()
    }

    /// Number of runs: grid points times seeds.
    pub fn n_runs(&self) -> usize {
        self.n_points() * self.seeds.len()
    }

    /// Every key, in axis order.
    pub fn keys(&self) -> Vec<String> {
        self.axes.iter().flat_map(|a| a.keys.clone()).collect()
    }

    /// The settings and the seed of run `i` (`i < n_runs`).
    ///
    /// # Examples
    /// ```
    /// use canns::pipeline::sweep::{Axis, Grid};
    /// let g = Grid::new(&[Axis::values("a", [1, 2]), Axis::values("b", [10, 20, 30])], &[7, 8])?;
    /// assert_eq!(g.n_runs(), 12);
    /// let (set, seed) = g.run(5);
    /// // Point 2 = (a = 1, b = 30), replicate 1.
    /// assert_eq!(set, vec![("a".to_string(), 1.into()), ("b".to_string(), 30.into())]);
    /// assert_eq!(seed, 8);
    /// # Ok::<(), canns::Error>(())
    /// ```
    pub fn run(&self, i: usize) -> (Vec<(String, Value)>, u64) {
        let seed = self.seeds[i % self.seeds.len()];
        let mut p = i / self.seeds.len();
        let mut pos = vec![0; self.axes.len()];
        for (k, a) in self.axes.iter().enumerate().rev() {
            pos[k] = p % a.len();
            p /= a.len();
        }
        let set = self
            .axes
            .iter()
            .zip(pos)
            .flat_map(|(a, j)| {
                a.keys
                    .iter()
                    .zip(&a.columns)
                    .map(move |(k, c)| (k.clone(), c[j].clone()))
            })
            .collect();
        (set, seed)
    }
}

/// One shard of a sweep: `index` of `count`, as `--shard I/N` writes it.
/// Shard `I` holds the runs `i` with `i % N == I`, so every shard gets a
/// share of each part of the grid.
///
/// # Examples
/// ```
/// use canns::pipeline::sweep::Shard;
/// let s: Shard = "1/3".parse()?;
/// assert_eq!(s.runs(7), vec![1, 4]);
/// assert!("3/3".parse::<Shard>().unwrap_err().to_string().contains("3/3"));
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    /// Which shard, `0..count`.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// The whole sweep as one shard.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// The runs of this shard among `n_runs`.
    pub fn runs(&self, n_runs: usize) -> Vec<usize> {
        (self.index..n_runs).step_by(self.count).collect()
    }

    /// The dataset partition name, `shard=I-of-N`.
    pub fn partition(&self) -> String {
        format!("shard={}-of-{}", self.index, self.count)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::from(ParamError::new("--shard", "I/N with 0 <= I < N", s));
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Self { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_and_zip_number_runs_first_axis_slowest() {
        let g = Grid::new(
            &[
                Axis::linspace("x", 0.0, 1.0, 3),
                Axis::zip([Axis::values("p", ["a", "b"]), Axis::values("q", [1, 2])]),
            ],
            &[0],
        )
        .unwrap();
        assert_eq!(g.n_runs(), 6);
        assert_eq!(g.keys(), ["x", "p", "q"]);
        let (set, _) = g.run(3);
        assert_eq!(set[0].1, Value::from(0.5));
        assert_eq!(set[1].1, Value::from("b"));
        assert_eq!(set[2].1, Value::from(2));
    }

    #[test]
    fn bad_axes_name_the_key() {
        let e = Grid::new(&[Axis::values::<f64>("tau", [])], &[0]).unwrap_err();
        assert!(e.to_string().contains("tau") && e.to_string().contains("[]"));
        let e = Grid::new(
            &[Axis::zip([
                Axis::values("a", [1, 2]),
                Axis::values("b", [1, 2, 3]),
            ])],
            &[0],
        )
        .unwrap_err();
        assert!(e.to_string().contains('b') && e.to_string().contains('3'));
        let e = Grid::new(&[Axis::values("a", [1]), Axis::values("a", [2])], &[0]).unwrap_err();
        assert!(e.to_string().contains("twice"));
        let e = Grid::new(&[Axis::values("a", [1])], &[]).unwrap_err();
        assert!(e.to_string().contains("seeds"));
        let e = Axis::values("a", [f64::NAN]).resolve().unwrap_err();
        assert!(e.to_string().contains("`a`"), "{e}");
    }

    #[test]
    fn shard_strings_are_checked() {
        for bad in ["", "1", "a/2", "2/2", "0/0", "-1/2"] {
            let e = bad.parse::<Shard>().unwrap_err().to_string();
            assert!(e.contains("--shard"), "{e}");
        }
        let all: Vec<usize> = (0..3)
            .flat_map(|i| Shard { index: i, count: 3 }.runs(10))
            .collect();
        let mut sorted = all.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
    }
}
