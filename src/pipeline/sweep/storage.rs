use super::engine::{Plan, RUN};
use super::grid::Shard;
use crate::data::io::table::{read_frame, write_frame, TableFormat};
use crate::error::{Error, Result};
use crate::pipeline::progress::ShowProgress;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The spec file of a sweep directory.
pub const SPEC_FILE: &str = "spec.json";
/// The merged result of a sweep directory.
pub const MERGED_FILE: &str = "sweep.parquet";

/// A sweep on disk: a Parquet dataset partitioned by shard, resumable.
///
/// ```text
/// DIR/spec.json                          the spec (a resumed sweep must match it)
/// DIR/shard=I-of-N/part-000000123.parquet  one chunk of runs (the first is run 123)
/// DIR/sweep.parquet                      every run, merged by `collect`
/// ```
///
/// A chunk is written to a temporary file and renamed when complete, so a
/// killed shard leaves whole chunks only; runs found in any part are
/// skipped when a shard (re)starts, whatever the sharding it was run with.
/// Nothing is lost (unfinished runs are run again) and nothing duplicated.
///
/// A sweep's output directory.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::pipeline::sweep::{Axis, Dataset, Shard, Sweep};
/// let task = PopulationCoding::params().position(vec![0.5]).before(1.0).duration(3.0).after(1.0);
/// let plan = Sweep::new(Cann1d::params().num(64), task)
///     .over(Axis::values("k", [0.5, 1.0, 2.0]))
///     .metrics(["height"])
///     .plan()?;
/// let dir = std::env::temp_dir().join(format!("canns_doc_dataset_{}", std::process::id()));
/// let data = Dataset::open(&dir, &plan)?;
/// data.run_shard(&plan, "0/1".parse::<Shard>()?, 2, None, Default::default())?;
/// // Two part files of at most 2 runs; `collect` merges them, one row per run.
/// assert_eq!(data.parts()?.len(), 2);
/// let (df, missing) = data.collect(&plan)?;
/// assert_eq!((df.height(), missing.len()), (3, 0));
/// assert!(dir.join("sweep.parquet").exists() && dir.join("spec.json").exists());
/// std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    dir: PathBuf,
}

/// What [`Dataset::run_shard`] did.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::pipeline::ShowProgress;
/// use canns::pipeline::sweep::{Axis, Dataset, Shard, Sweep};
/// let task = PopulationCoding::params().position(vec![0.5]).before(1.0).duration(3.0).after(1.0);
/// let plan = Sweep::new(Cann1d::params().num(64), task)
///     .over(Axis::values("k", [0.5, 1.0, 2.0, 4.0]))
///     .metrics(["height"])
///     .plan()?;
/// let dir = std::env::temp_dir().join(format!("canns_doc_shard_{}", std::process::id()));
/// let data = Dataset::open(&dir, &plan)?;
/// // Shard 0 of 2 holds runs 0 and 2; a budget of one run leaves one for later.
/// let shard: Shard = "0/2".parse()?;
/// let first = data.run_shard(&plan, shard, 8, Some(1), ShowProgress::Never)?;
/// assert_eq!((first.total, first.skipped, first.ran, first.left), (2, 0, 1, 1));
/// // Started again, the shard skips what is done.
/// let second = data.run_shard(&plan, shard, 8, None, ShowProgress::Never)?;
/// assert_eq!((second.skipped, second.ran, second.left), (1, 1, 0));
/// std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardReport {
    /// Runs of the shard.
    pub total: usize,
    /// Runs found already done and skipped.
    pub skipped: usize,
    /// Runs run now.
    pub ran: usize,
    /// Runs left (when a `limit` stopped the shard).
    pub left: usize,
}

/// The state of a sweep directory.
///
/// # Example
/// ```
/// use canns::prelude::*;
/// use canns::pipeline::ShowProgress;
/// use canns::pipeline::sweep::{Axis, Dataset, Sweep};
/// let task = PopulationCoding::params().position(vec![0.5]).before(1.0).duration(3.0).after(1.0);
/// let plan = Sweep::new(Cann1d::params().num(64), task)
///     .over(Axis::values("tau", [1.0, -1.0, 2.0]))
///     .metrics(["height"])
///     .plan()?;
/// let dir = std::env::temp_dir().join(format!("canns_doc_status_{}", std::process::id()));
/// let data = Dataset::open(&dir, &plan)?;
/// data.run_shard(&plan, "1/3".parse()?, 8, None, ShowProgress::Never)?;
/// // Shard 1 of 3 ran run 1, whose negative `tau` failed: it is done, with its error.
/// let s = data.status(&plan)?;
/// assert_eq!((s.total, s.done, s.failed, s.missing.clone()), (3, 1, 1, vec![0, 2]));
/// assert_eq!(s.per_partition.values().sum::<usize>(), 1);
/// assert_eq!(s.to_string(), "1/3 runs done (1 failed, 2 missing, 0 duplicate rows)");
/// std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// Runs of the sweep.
    pub total: usize,
    /// Distinct runs done (failed ones included).
    pub done: usize,
    /// Runs done with an error.
    pub failed: usize,
    /// Rows that repeat a run already present.
    pub duplicates: usize,
    /// Runs done per partition (`shard=I-of-N`).
    pub per_partition: BTreeMap<String, usize>,
    /// Runs not done yet.
    pub missing: Vec<usize>,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{} runs done ({} failed, {} missing, {} duplicate rows)",
            self.done,
            self.total,
            self.failed,
            self.missing.len(),
            self.duplicates
        )
    }
}

impl Dataset {
    /// Opens (creating it) the sweep directory `dir` for `plan`, writing
    /// its spec, or checking that the spec already there is the same.
    ///
    /// # Errors
    /// [`Error::Io`] when the directory or spec cannot be written;
    /// [`Error::Data`] when `dir` holds another sweep.
    pub fn open(dir: impl AsRef<Path>, plan: &Plan) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let path = dir.join(SPEC_FILE);
        let text = plan.spec.to_json();
        if path.exists() {
            let old = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            let same = serde_json::from_str::<serde_json::Value>(&old).ok()
                == serde_json::from_str::<serde_json::Value>(&text).ok();
            if !same {
                return Err(Error::data(
                    path.display().to_string(),
                    "this directory holds another sweep (its spec differs); use a new --out",
                ));
            }
        } else {
            let tmp = dir.join(format!(".{SPEC_FILE}.{}", std::process::id()));
            std::fs::write(&tmp, &text).map_err(|e| Error::io(&tmp, e))?;
            std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
        }
        Ok(Self { dir })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The complete part files, sorted.
    ///
    /// # Errors
    /// [`Error::Io`] when the directory cannot be listed.
    pub fn parts(&self) -> Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        let entries = std::fs::read_dir(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        for e in entries {
            let e = e.map_err(|e| Error::io(&self.dir, e))?;
            let p = e.path();
            let is_partition = e.file_name().to_string_lossy().starts_with("shard=");
            if !(is_partition && p.is_dir()) {
                continue;
            }
            for f in std::fs::read_dir(&p).map_err(|e| Error::io(&p, e))? {
                let f = f.map_err(|e| Error::io(&p, e))?.path();
                let name = f.file_name().unwrap_or_default().to_string_lossy();
                if name.starts_with("part-") && name.ends_with(".parquet") {
                    out.push(f);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Every row written so far, in part order (not deduplicated).
    ///
    /// # Errors
    /// [`Error::Data`] for an unreadable part; [`Error::Polars`] when parts
    /// do not stack (different columns).
    pub fn read_parts(&self) -> Result<Vec<(PathBuf, DataFrame)>> {
        self.parts()?
            .into_iter()
            .map(|p| Ok((p.clone(), read_frame(&p, TableFormat::Parquet)?)))
            .collect()
    }

    /// The runs present.
    ///
    /// # Errors
    /// As [`Dataset::read_parts`]; [`Error::Data`] for a part without a
    /// `run` column.
    pub fn done(&self) -> Result<BTreeSet<usize>> {
        let mut out = BTreeSet::new();
        for (p, df) in self.read_parts()? {
            out.extend(runs_of(&p, &df)?);
        }
        Ok(out)
    }

    /// Runs `shard` of `plan` into this directory, skipping runs already
    /// present, `chunk` runs per part file, stopping after `limit` runs when
    /// given (a budget: the rest is left for a later call).
    ///
    /// # Errors
    /// As [`Dataset::done`]; [`Error::Io`] when a part cannot be written.
    pub fn run_shard(
        &self,
        plan: &Plan,
        shard: Shard,
        chunk: usize,
        limit: Option<usize>,
        progress: ShowProgress,
    ) -> Result<ShardReport> {
        let done = self.done()?;
        let all = shard.runs(plan.n_runs());
        let todo: Vec<usize> = all.iter().copied().filter(|i| !done.contains(i)).collect();
        let skipped = all.len() - todo.len();
        let now = limit.map_or(todo.len(), |l| l.min(todo.len()));
        let part_dir = self.dir.join(shard.partition());
        if now > 0 {
            std::fs::create_dir_all(&part_dir).map_err(|e| Error::io(&part_dir, e))?;
        }
        plan.execute(&todo[..now], chunk, progress, |records| {
            let mut df = plan.to_dataframe(&records)?;
            let first = records.first().map_or(0, |r| r.run);
            let mut name = format!("part-{first:09}");
            let mut k = 1;
            while part_dir.join(format!("{name}.parquet")).exists() {
                name = format!("part-{first:09}-{k}");
                k += 1;
            }
            let tmp = part_dir.join(format!(".{name}.{}.tmp", std::process::id()));
            write_frame(&mut df, &tmp, TableFormat::Parquet)?;
            let path = part_dir.join(format!("{name}.parquet"));
            std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
        })?;
        Ok(ShardReport {
            total: all.len(),
            skipped,
            ran: now,
            left: todo.len() - now,
        })
    }

    /// The state of the sweep.
    ///
    /// # Errors
    /// As [`Dataset::read_parts`].
    pub fn status(&self, plan: &Plan) -> Result<Status> {
        let mut seen = BTreeSet::new();
        let (mut failed, mut duplicates) = (0, 0);
        let mut per_partition = BTreeMap::new();
        for (p, df) in self.read_parts()? {
            let runs = runs_of(&p, &df)?;
            let errors = df.column(super::engine::ERROR)?.is_not_null();
            let partition = p
                .parent()
                .and_then(|d| d.file_name())
                .map(|d| d.to_string_lossy().to_string())
                .unwrap_or_default();
            for (k, r) in runs.into_iter().enumerate() {
                if r >= plan.n_runs() {
                    return Err(Error::data(
                        p.display().to_string(),
                        format!("run {r} is beyond the sweep's {} runs", plan.n_runs()),
                    ));
                }
                if !seen.insert(r) {
                    duplicates += 1;
                    continue;
                }
                *per_partition.entry(partition.clone()).or_insert(0) += 1;
                if errors.get(k) == Some(true) {
                    failed += 1;
                }
            }
        }
        Ok(Status {
            total: plan.n_runs(),
            done: seen.len(),
            failed,
            duplicates,
            per_partition,
            missing: (0..plan.n_runs()).filter(|i| !seen.contains(i)).collect(),
        })
    }

    /// Merges every part into one frame sorted by run, one row per run
    /// (a repeated run keeps its first row), and writes it to
    /// `DIR/sweep.parquet`. Returns the frame and the runs still missing.
    ///
    /// # Errors
    /// As [`Dataset::read_parts`]; [`Error::Io`] when the merged file cannot
    /// be written.
    pub fn collect(&self, plan: &Plan) -> Result<(DataFrame, Vec<usize>)> {
        let mut merged = plan.to_dataframe(&[])?;
        for (_, df) in self.read_parts()? {
            merged.vstack_mut(&df)?;
        }
        let mut merged = merged.sort([RUN], SortMultipleOptions::default())?;
        let runs = runs_of(Path::new(RUN), &merged)?;
        let mut keep = Vec::with_capacity(runs.len());
        let mut last = None;
        for r in &runs {
            keep.push(last != Some(*r));
            last = Some(*r);
        }
        merged = merged.filter(&BooleanChunked::from_slice("keep".into(), &keep))?;
        merged.rechunk_mut();
        let have: BTreeSet<usize> = runs.into_iter().collect();
        let missing = (0..plan.n_runs()).filter(|i| !have.contains(i)).collect();
        let out = self.dir.join(MERGED_FILE);
        let tmp = self
            .dir
            .join(format!(".{MERGED_FILE}.{}.tmp", std::process::id()));
        write_frame(&mut merged, &tmp, TableFormat::Parquet)?;
        std::fs::rename(&tmp, &out).map_err(|e| Error::io(&out, e))?;
        Ok((merged, missing))
    }
}

fn runs_of(path: &Path, df: &DataFrame) -> Result<Vec<usize>> {
    let col = df
        .column(RUN)
        .map_err(|_| Error::data(path.display().to_string(), "no `run` column"))?;
    let col = col.cast(&DataType::UInt64)?;
    Ok(col
        .u64()?
        .iter()
        .map(|v| v.unwrap_or(u64::MAX) as usize)
        .collect())
}

/// A checksum of a sweep's rows without their wall times (FNV-1a over the
/// values as text, row by row): equal digests mean equal results, whatever
/// machine, sharding or scheduler produced them.
///
/// # Examples
/// ```
/// use polars::prelude::*;
/// use canns::pipeline::sweep::digest;
/// let a = df!("run" => [0u64, 1], "lag" => [0.5, 0.25], "wall_time" => [1.0, 2.0])?;
/// let b = df!("run" => [0u64, 1], "lag" => [0.5, 0.25], "wall_time" => [3.0, 4.0])?;
/// let c = df!("run" => [0u64, 1], "lag" => [0.5, 0.26], "wall_time" => [1.0, 2.0])?;
/// assert_eq!(digest(&a), digest(&b));
/// assert_ne!(digest(&a), digest(&c));
/// # Ok::<(), polars::error::PolarsError>(())
/// ```
pub fn digest(df: &DataFrame) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |s: &str| {
        for b in s.bytes().chain(std::iter::once(0x1f)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    let cols: Vec<&Column> = df
        .columns()
        .iter()
        .filter(|c| c.name().as_str() != super::engine::WALL_TIME)
        .collect();
    for c in &cols {
        feed(c.name().as_str());
    }
    for i in 0..df.height() {
        for c in &cols {
            match c.get(i) {
                Ok(v) => feed(&v.to_string()),
                Err(_) => feed("?"),
            }
        }
    }
    format!("{h:016x}")
}
