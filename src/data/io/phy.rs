use super::npy::{read_npy, read_npy_header, shape_text, Dtype, NpyData};
use crate::data::recording::col;
use crate::data::Recording;
use crate::error::{check_memory, Error, Result};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The file holding the recording's parameters.
pub(crate) const PARAMS: &str = "params.py";
/// The spike times, in samples.
pub(crate) const SPIKE_TIMES: &str = "spike_times.npy";
/// The cluster of each spike.
pub(crate) const SPIKE_CLUSTERS: &str = "spike_clusters.npy";
/// The template of each spike (used when there are no clusters).
pub(crate) const SPIKE_TEMPLATES: &str = "spike_templates.npy";
/// The curation labels.
pub(crate) const CLUSTER_GROUP: &str = "cluster_group.tsv";
/// The curation labels as older Phy versions named them.
pub(crate) const CLUSTER_GROUPS_OLD: &str = "cluster_groups.csv";
/// Phy's table of cluster properties.
pub(crate) const CLUSTER_INFO: &str = "cluster_info.tsv";
/// The units column holding the curation label.
pub(crate) use crate::data::col::GROUP;
/// The label of a cluster nobody labelled.
pub(crate) const UNSORTED: &str = "unsorted";
/// The label of the clusters dropped by default.
pub(crate) const NOISE: &str = "noise";

/// Bytes per spike a read holds at its peak (the arrays as read, widened to
/// 8 bytes; times and ids; the frame; the sorted copy).
const BYTES_PER_SPIKE: u64 = 64;
/// A `params.py` is a few lines; anything beyond this is not one.
const MAX_PARAMS_BYTES: u64 = 1 << 20;

/// What to do with the clusters labelled `noise`.
///
/// # Examples
/// ```
/// use canns::data::io::NoiseClusters;
/// assert_eq!(NoiseClusters::default(), NoiseClusters::Drop);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoiseClusters {
    /// Leave them and their spikes out (Phy's curation put them aside).
    #[default]
    Drop,
    /// Keep them as units labelled `noise`.
    Keep,
}

/// Whether `dir` looks like a Phy folder: a directory holding `params.py`
/// or `spike_times.npy` (a folder with only one of them is read as Phy, so
/// that the error names the missing file).
///
/// # Examples
/// ```
/// assert!(!canns::data::io::is_phy_dir(std::env::temp_dir().join("no-such-dir")));
/// ```
pub fn is_phy_dir(dir: impl AsRef<Path>) -> bool {
    let dir = dir.as_ref();
    dir.is_dir() && (dir.join(PARAMS).is_file() || dir.join(SPIKE_TIMES).is_file())
}

/// Phy / Kilosort output folders: spike-sorted units as a [`Recording`].
///
/// Kilosort (1 to 4), SpikeInterface's `export_to_phy` and Phy's own
/// curation write one folder per sorting. The files read, and where each
/// goes:
///
/// | file | content | becomes |
/// | --- | --- | --- |
/// | `params.py` | Python assignments (`sample_rate = 30000.0`, `dat_path = '...'`) | `sample_rate` (Hz) converts samples to seconds; the rest is not used |
/// | `spike_times.npy` | one sample index per spike, `(n,)` or `(n, 1)`, uint64 or int64 (any integer type) | spikes `t` = sample / `sample_rate`, in **seconds** |
/// | `spike_clusters.npy` | the cluster of each spike after curation, `(n,)` or `(n, 1)` | spikes `unit` (the cluster id) |
/// | `spike_templates.npy` | the template of each spike (read only when `spike_clusters.npy` is absent, as Phy does) | spikes `unit` |
/// | `cluster_group.tsv` (or the older `cluster_groups.csv`) | `cluster_id`, `group`: the curation label `good`, `mua`, `noise` | units `group` |
/// | `cluster_info.tsv` | `cluster_id` (or `id`) and Phy's table: `ch`, `depth`, `fr`, `n_spikes`, `sh`, `KSLabel`, `group`, ... | one units column per column, same name |
/// | any other `cluster_<name>.tsv` (`cluster_KSLabel.tsv`, `cluster_ContamPct.tsv`, ...) | `cluster_id`, `<name>` | units `<name>` |
///
/// The units table lists every cluster that has a spike or a row in a
/// table, by id. Where several files give a cluster a value in the same
/// column, the first non-empty one in the order of the table above is
/// kept (`cluster_group.tsv` holds Phy's curation, so its `group` wins over
/// the one in `cluster_info.tsv`, which fills in the clusters it lacks).
/// Cell types follow the values: a column of integers is `i64`, of numbers
/// `f64` (an empty cell is NaN), anything else text (an empty cell is `""`).
/// The `group` column is always present; a cluster without a label (an
/// empty cell, or no labels at all) is `unsorted`, as Phy shows it.
///
/// Clusters labelled `noise` and their spikes are dropped
/// ([`NoiseClusters::Drop`], the default); [`NoiseClusters::Keep`] keeps
/// them. A Phy folder has no behaviour, epochs or events.
///
/// Every problem is an error naming the file and the field: a missing
/// `params.py` or `spike_times.npy` (or both `spike_clusters.npy` and
/// `spike_templates.npy`), a `params.py` without `sample_rate` or with a
/// rate that is not a finite number > 0, arrays of different lengths, a
/// negative sample index or cluster id, a table without its `cluster_id`
/// column or `cluster_group.tsv` without its `group` column, a row with the
/// wrong number of cells, a cluster listed twice. Lengths are compared from
/// the `.npy` headers and the memory a read needs is checked against the
/// budget ([`check_memory`]) before any data is read.
///
/// ## Examples
/// ```
/// use canns::data::Recording;
/// let dir = std::env::temp_dir().join("canns_phy_module_doc");
/// std::fs::create_dir_all(&dir)?;
/// std::fs::write(dir.join("params.py"), "dat_path = 'raw.dat'\nsample_rate = 20000.\n")?;
/// ndarray_npy::write_npy(dir.join("spike_times.npy"), &ndarray::arr1(&[20_000u64, 40_000, 50_000])).unwrap();
/// ndarray_npy::write_npy(dir.join("spike_clusters.npy"), &ndarray::arr1(&[3i32, 3, 8])).unwrap();
/// std::fs::write(dir.join("cluster_group.tsv"), "cluster_id\tgroup\n3\tgood\n8\tnoise\n")?;
/// let rec = Recording::from_phy(&dir)?;
/// assert_eq!(rec.unit_ids(), vec![3]); // cluster 8 is noise
/// assert_eq!(rec.spike_times(3), vec![1.0, 2.0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Reads a Phy / Kilosort folder, dropping `noise` clusters (mapping
/// above).
///
/// # Examples
/// See [`Recording::from_phy`].
///
/// # Errors
/// As [`read_phy_with`].
pub fn read_phy(dir: impl AsRef<Path>) -> Result<Recording> {
    read_phy_with(dir, NoiseClusters::Drop)
}

/// Reads a Phy / Kilosort folder, choosing what to do with `noise`
/// clusters.
///
/// # Examples
/// See [`Recording::from_phy_with`].
///
/// # Errors
/// [`Error::Io`] when a file cannot be read; [`Error::Data`] naming the
/// file and the field for a missing file, a `params.py` without a usable
/// `sample_rate`, arrays of different lengths or of the wrong type or
/// shape, negative values, or a damaged table; [`Error::Limit`] when the
/// spikes would not fit the memory budget.
pub fn read_phy_with(dir: impl AsRef<Path>, noise: NoiseClusters) -> Result<Recording> {
    let dir = dir.as_ref();
    let source = dir.display().to_string();
    if !dir.is_dir() {
        return Err(Error::data(
            &source,
            "not a directory (a Phy folder is one)",
        ));
    }
    let params = dir.join(PARAMS);
    let times = dir.join(SPIKE_TIMES);
    for f in [&params, &times] {
        if !f.is_file() {
            return Err(Error::data(
                f.display().to_string(),
                "missing: a Phy folder holds params.py and spike_times.npy",
            ));
        }
    }
    let rate = sample_rate(&params)?;
    let clusters = [SPIKE_CLUSTERS, SPIKE_TEMPLATES]
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            Error::data(
                dir.join(SPIKE_CLUSTERS).display().to_string(),
                "missing, and there is no spike_templates.npy either: no cluster for the spikes",
            )
        })?;

    // Lengths and memory from the headers, before any data is read.
    let n = spike_count(&times)?;
    let nc = spike_count(&clusters)?;
    if n != nc {
        return Err(Error::data(
            clusters.display().to_string(),
            format!("holds {nc} spikes but {SPIKE_TIMES} holds {n}: the lengths must match"),
        ));
    }
    check_memory(
        &format!("reading the {n} spikes of {source}"),
        (n as u64).saturating_mul(BYTES_PER_SPIKE),
        "set CANNS_MEMORY_LIMIT higher if the machine has the memory",
    )?;

    let t = per_spike(&times, |i, s| {
        u64::try_from(s)
            .map(|s| s as f64 / rate)
            .map_err(|_| format!("spike {i} has a negative sample index ({s})"))
    })?;
    let unit = per_spike(&clusters, |i, c| {
        u32::try_from(c).map_err(|_| format!("spike {i} has cluster {c}, not an id in 0..2^32"))
    })?;

    let tables = cluster_tables(dir)?;
    let units = units_frame(&unit, &tables)?;
    let (spikes, units) = match noise {
        NoiseClusters::Keep => (spikes_frame(unit, t)?, units),
        NoiseClusters::Drop => {
            let labels = crate::data::recording::str_column(&units, GROUP, "units", &source)?;
            let ids = crate::data::recording::u32_column(&units, col::UNIT, "units", &source)?;
            let noisy: BTreeSet<u32> = ids
                .iter()
                .zip(&labels)
                .filter(|(_, l)| l.eq_ignore_ascii_case(NOISE))
                .map(|(&u, _)| u)
                .collect();
            if noisy.is_empty() {
                (spikes_frame(unit, t)?, units)
            } else {
                let keep: Vec<bool> = ids.iter().map(|u| !noisy.contains(u)).collect();
                let units = units.filter(&BooleanChunked::from_slice("keep".into(), &keep))?;
                let (unit, t): (Vec<u32>, Vec<f64>) = unit
                    .into_iter()
                    .zip(t)
                    .filter(|(u, _)| !noisy.contains(u))
                    .unzip();
                (spikes_frame(unit, t)?, units)
            }
        }
    };
    Recording::from_frames_named(
        spikes,
        DataFrame::empty(),
        units,
        DataFrame::empty(),
        DataFrame::empty(),
        &source,
    )
}

impl Recording {
    /// Reads a Phy / Kilosort output folder, dropping the clusters
    /// labelled `noise`: spike times in seconds (samples divided by
    /// `params.py`'s `sample_rate`), one unit per cluster, the cluster
    /// tables (`group`, `ch`, `depth`, ...) as units columns. The mapping
    /// is in [`crate::data::io::read_phy`].
    ///
    /// # Examples
    /// ```
    /// use canns::data::Recording;
    /// let dir = std::env::temp_dir().join("canns_from_phy_doc");
    /// std::fs::create_dir_all(&dir)?;
    /// std::fs::write(dir.join("params.py"), "sample_rate = 30000.0\nhp_filtered = True\n")?;
    /// ndarray_npy::write_npy(dir.join("spike_times.npy"), &ndarray::arr1(&[300u64, 3_000, 30_000, 45_000])).unwrap();
    /// ndarray_npy::write_npy(dir.join("spike_clusters.npy"), &ndarray::arr1(&[0u32, 5, 0, 7])).unwrap();
    /// std::fs::write(
    ///     dir.join("cluster_info.tsv"),
    ///     "cluster_id\tch\tdepth\tgroup\n0\t12\t240.0\tgood\n5\t30\t600.0\tmua\n7\t31\t620.0\tnoise\n",
    /// )?;
    /// let rec = Recording::from_phy(&dir)?;
    /// assert_eq!(rec.unit_ids(), vec![0, 5]); // cluster 7 is noise
    /// assert_eq!(rec.spike_times(0), vec![0.01, 1.0]);
    /// assert_eq!(rec.units_by("group"), vec![("good".to_string(), 1), ("mua".to_string(), 1)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`read_phy_with`](crate::data::io::read_phy_with): each
    /// names the file and the field.
    pub fn from_phy(dir: impl AsRef<Path>) -> Result<Recording> {
        read_phy(dir)
    }

    /// [`Recording::from_phy`], choosing what to do with `noise` clusters.
    ///
    /// # Examples
    /// ```
    /// use canns::data::{io::NoiseClusters, Recording};
    /// let dir = std::env::temp_dir().join("canns_from_phy_with_doc");
    /// std::fs::create_dir_all(&dir)?;
    /// std::fs::write(dir.join("params.py"), "sample_rate = 1000\n")?;
    /// ndarray_npy::write_npy(dir.join("spike_times.npy"), &ndarray::arr1(&[10i64, 20])).unwrap();
    /// ndarray_npy::write_npy(dir.join("spike_clusters.npy"), &ndarray::arr1(&[1i32, 2])).unwrap();
    /// std::fs::write(dir.join("cluster_group.tsv"), "cluster_id\tgroup\n1\tgood\n2\tnoise\n")?;
    /// let rec = Recording::from_phy_with(&dir, NoiseClusters::Keep)?;
    /// assert_eq!(rec.unit_ids(), vec![1, 2]);
    /// assert_eq!(rec.spike_times(2), vec![0.02]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`read_phy_with`](crate::data::io::read_phy_with).
    pub fn from_phy_with(dir: impl AsRef<Path>, noise: NoiseClusters) -> Result<Recording> {
        read_phy_with(dir, noise)
    }
}

fn spikes_frame(unit: Vec<u32>, t: Vec<f64>) -> Result<DataFrame> {
    Ok(DataFrame::new(
        t.len(),
        vec![
            Column::new(col::UNIT.into(), unit),
            Column::new(col::T.into(), t),
        ],
    )?)
}

/// The number of spikes a per-spike array declares: `(n,)` or `(n, 1)` of
/// an integer type.
fn spike_count(path: &Path) -> Result<usize> {
    let (dtype, shape) = read_npy_header(path)?;
    let bad = |m: String| Error::data(path.display().to_string(), m);
    if matches!(dtype, Dtype::F64 | Dtype::F32 | Dtype::Bool) {
        return Err(bad(format!(
            "must hold integers (sample indices or cluster ids), got {}",
            dtype.name()
        )));
    }
    match shape.as_slice() {
        [n] | [n, 1] => Ok(*n),
        s => Err(bad(format!(
            "must be a 1-D array, one value per spike (got shape {})",
            shape_text(s)
        ))),
    }
}

/// A per-spike integer array mapped value by value (uint64 and int64 alike,
/// seen as `i128`); `f` says what is wrong with spike `i`.
fn per_spike<T>(
    path: &Path,
    f: impl Fn(usize, i128) -> std::result::Result<T, String>,
) -> Result<Vec<T>> {
    let bad = |m: String| Error::data(path.display().to_string(), m);
    match read_npy(path)?.into_data() {
        NpyData::I64(v) => v
            .into_iter()
            .enumerate()
            .map(|(i, x)| f(i, i128::from(x)).map_err(bad))
            .collect(),
        NpyData::U64(v) => v
            .into_iter()
            .enumerate()
            .map(|(i, x)| f(i, i128::from(x)).map_err(bad))
            .collect(),
        NpyData::F64(_) => Err(bad(
            "must hold integers (sample indices or cluster ids)".into()
        )),
    }
}

/// A value in `params.py`.
#[derive(Debug, Clone, PartialEq)]
enum PyValue {
    Str(String),
    Num(f64),
    Bool(bool),
    /// Anything else (a list, `None`, an expression), as written.
    Other(String),
}

/// Parses `params.py` as the `key = value` lines Phy and Kilosort write.
fn parse_params(text: &str, file: &str) -> Result<BTreeMap<String, (usize, PyValue)>> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let mut stmt = strip_comment(line).trim().to_string();
        if stmt.is_empty() {
            continue;
        }
        // A list or tuple spread over lines (`dat_path = [\n 'a.dat',\n]`).
        while depth(&stmt) > 0 {
            match lines.next() {
                Some((_, more)) => {
                    stmt.push(' ');
                    stmt.push_str(strip_comment(more).trim());
                }
                None => {
                    return Err(Error::data(
                        file,
                        format!("line {}: a bracket is never closed", i + 1),
                    ))
                }
            }
        }
        let Some((key, value)) = stmt.split_once('=') else {
            continue; // not an assignment (an import, say): nothing Phy reads
        };
        let key = key.trim();
        if key.is_empty()
            || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || key.starts_with(|c: char| c.is_ascii_digit())
        {
            continue;
        }
        out.insert(key.to_string(), (i + 1, py_value(value.trim())));
    }
    Ok(out)
}

/// The line without a `#` comment (a `#` inside quotes is kept).
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '#') => return &line[..i],
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    line
}

/// Open brackets minus closed ones, outside quotes.
fn depth(s: &str) -> i64 {
    let (mut d, mut quote) = (0i64, None);
    for c in s.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '[' | '(' | '{') => d += 1,
            (None, ']' | ')' | '}') => d -= 1,
            _ => {}
        }
    }
    d
}

fn py_value(v: &str) -> PyValue {
    let unprefixed = v
        .strip_prefix(['r', 'R'])
        .filter(|s| s.starts_with(['\'', '"']))
        .unwrap_or(v);
    for q in ['\'', '"'] {
        if unprefixed.len() >= 2 && unprefixed.starts_with(q) && unprefixed.ends_with(q) {
            return PyValue::Str(unprefixed[1..unprefixed.len() - 1].to_string());
        }
    }
    match v {
        "True" => return PyValue::Bool(true),
        "False" => return PyValue::Bool(false),
        _ => {}
    }
    // Python numbers start with a digit, a dot or a sign; `inf` and `nan`
    // are names in Python, not numbers.
    let plain = v.replace('_', "");
    let body = plain.trim_start_matches(['+', '-']);
    if body.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        if let Ok(x) = plain.parse::<f64>() {
            return PyValue::Num(x);
        }
    }
    PyValue::Other(v.to_string())
}

/// `sample_rate` from `params.py`, in Hz: a finite number > 0.
fn sample_rate(path: &Path) -> Result<f64> {
    let file = path.display().to_string();
    let len = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    if len > MAX_PARAMS_BYTES {
        return Err(Error::data(
            &file,
            format!("is {len} bytes; a Phy params.py is a few lines of `key = value`"),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text =
        String::from_utf8(bytes).map_err(|_| Error::data(&file, "is not UTF-8 text (damaged?)"))?;
    let params = parse_params(&text, &file)?;
    let (line, value) = params.get("sample_rate").ok_or_else(|| {
        Error::data(
            &file,
            format!(
                "defines no `sample_rate` (it defines: {}); add `sample_rate = <Hz>`",
                if params.is_empty() {
                    "nothing".to_string()
                } else {
                    params.keys().cloned().collect::<Vec<_>>().join(", ")
                }
            ),
        )
    })?;
    match value {
        PyValue::Num(r) if r.is_finite() && *r > 0.0 => Ok(*r),
        PyValue::Num(r) => Err(Error::data(
            &file,
            format!("line {line}: `sample_rate` must be a finite number > 0 Hz (got {r})"),
        )),
        PyValue::Str(s) => Err(Error::data(
            &file,
            format!("line {line}: `sample_rate` must be a number (got the string '{s}')"),
        )),
        PyValue::Bool(b) => Err(Error::data(
            &file,
            format!("line {line}: `sample_rate` must be a number (got {b})"),
        )),
        PyValue::Other(s) => Err(Error::data(
            &file,
            format!("line {line}: `sample_rate` must be a finite number > 0 Hz (got `{s}`)"),
        )),
    }
}

/// One cluster table: ids and the other columns as text cells.
struct ClusterTable {
    ids: Vec<u32>,
    columns: Vec<(String, Vec<String>)>,
}

/// The cluster tables of `dir`, in the order their columns take precedence
/// (see the module docs).
fn cluster_tables(dir: &Path) -> Result<Vec<ClusterTable>> {
    let mut files: Vec<PathBuf> = Vec::new();
    let group = dir.join(CLUSTER_GROUP);
    let old = dir.join(CLUSTER_GROUPS_OLD);
    let labels = if group.is_file() {
        Some(group)
    } else if old.is_file() {
        Some(old)
    } else {
        None
    };
    files.extend(labels.clone());
    let info = dir.join(CLUSTER_INFO);
    if info.is_file() {
        files.push(info);
    }
    let mut others: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.starts_with("cluster_")
                        && n.ends_with(".tsv")
                        && n != CLUSTER_GROUP
                        && n != CLUSTER_INFO
                })
        })
        .collect();
    others.sort();
    files.extend(others);
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let t = read_cluster_table(&f)?;
        if Some(&f) == labels.as_ref() && !t.columns.iter().any(|(c, _)| c == GROUP) {
            return Err(Error::data(
                f.display().to_string(),
                format!(
                    "no label column `{GROUP}` (columns: {}); Phy writes `cluster_id<TAB>group`",
                    std::iter::once("cluster_id")
                        .chain(t.columns.iter().map(|(c, _)| c.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        out.push(t);
    }
    Ok(out)
}

/// Reads one `cluster_*.tsv` (tab-separated; a `.csv` is split at tabs if
/// its header holds one, else at commas).
fn read_cluster_table(path: &Path) -> Result<ClusterTable> {
    let file = path.display().to_string();
    let len = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    // The text, its split cells (a `String` of 24 bytes per cell) and the
    // typed columns built from them.
    check_memory(
        &format!("reading {file}"),
        len.saturating_mul(16),
        "a cluster table holds one short row per cluster",
    )?;
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text =
        String::from_utf8(bytes).map_err(|_| Error::data(&file, "is not UTF-8 text (damaged?)"))?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| Error::data(&file, "is empty: no header row (`cluster_id<TAB>...`)"))?;
    // A file saved by a spreadsheet may start with a byte-order mark.
    let header = header.trim_start_matches('\u{feff}');
    let sep = if header.contains('\t') || path.extension().is_some_and(|e| e == "tsv") {
        '\t'
    } else {
        ','
    };
    let cell = |s: &str| -> String {
        let s = s.trim();
        s.strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(s)
            .to_string()
    };
    let names: Vec<String> = header.split(sep).map(cell).collect();
    let id_col = names
        .iter()
        .position(|n| n == "cluster_id")
        .or_else(|| names.iter().position(|n| n == "id"))
        .ok_or_else(|| {
            Error::data(
                &file,
                format!("no `cluster_id` column (header: {})", names.join(", ")),
            )
        })?;
    let mut ids = Vec::new();
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); names.len()];
    let mut seen = BTreeMap::new();
    for (i, line) in lines {
        let cells: Vec<String> = line.split(sep).map(cell).collect();
        if cells.len() != names.len() {
            return Err(Error::data(
                &file,
                format!(
                    "line {}: {} cells, but the header has {} columns",
                    i + 1,
                    cells.len(),
                    names.len()
                ),
            ));
        }
        let raw = &cells[id_col];
        let id: u32 = raw.parse().map_err(|_| {
            Error::data(
                &file,
                format!(
                    "line {}: `{}` is not a cluster id (got `{raw}`)",
                    i + 1,
                    names[id_col]
                ),
            )
        })?;
        if let Some(first) = seen.insert(id, i + 1) {
            return Err(Error::data(
                &file,
                format!(
                    "line {}: cluster {id} is listed twice (first on line {first})",
                    i + 1
                ),
            ));
        }
        ids.push(id);
        for (c, v) in cols.iter_mut().zip(cells) {
            c.push(v);
        }
    }
    let columns = names
        .into_iter()
        .zip(cols)
        .enumerate()
        .filter(|(k, (n, _))| *k != id_col && n != col::UNIT && !n.is_empty())
        .map(|(_, c)| c)
        .collect();
    Ok(ClusterTable { ids, columns })
}

/// The units frame: every cluster with a spike or a table row, with the
/// tables' columns typed from their cells and `group` always present.
fn units_frame(spike_units: &[u32], tables: &[ClusterTable]) -> Result<DataFrame> {
    let mut all: BTreeSet<u32> = spike_units.iter().copied().collect();
    for t in tables {
        all.extend(&t.ids);
    }
    let ids: Vec<u32> = all.into_iter().collect();
    let index: BTreeMap<u32, usize> = ids.iter().enumerate().map(|(i, &u)| (u, i)).collect();
    // Per column, per cluster: the first table (in precedence order) that
    // gives the cluster a non-empty cell.
    let mut merged: Vec<(&str, Vec<Option<&str>>)> = Vec::new();
    for t in tables {
        for (name, cells) in &t.columns {
            let k = match merged.iter().position(|(n, _)| n == name) {
                Some(k) => k,
                None => {
                    merged.push((name.as_str(), vec![None; ids.len()]));
                    merged.len() - 1
                }
            };
            for (id, v) in t.ids.iter().zip(cells) {
                let slot = &mut merged[k].1[index[id]];
                if slot.is_none() && !v.is_empty() {
                    *slot = Some(v.as_str());
                }
            }
        }
    }
    let mut cols = vec![Column::new(col::UNIT.into(), ids.clone())];
    if !merged.iter().any(|(n, _)| *n == GROUP) {
        merged.push((GROUP, vec![None; ids.len()]));
    }
    for (name, full) in merged {
        if name == GROUP {
            let v: Vec<&str> = full.iter().map(|c| c.unwrap_or(UNSORTED)).collect();
            cols.push(Column::new(GROUP.into(), v));
        } else {
            cols.push(typed_column(name, &full));
        }
    }
    Ok(DataFrame::new(ids.len(), cols)?)
}

/// A column of integers (`i64`, when every cell is one), numbers (`f64`,
/// empty cells NaN) or text (empty cells `""`).
fn typed_column(name: &str, cells: &[Option<&str>]) -> Column {
    let present = || cells.iter().flatten();
    let complete = cells.iter().all(Option::is_some);
    if present().next().is_some() {
        if complete && present().all(|s| s.parse::<i64>().is_ok()) {
            let v: Vec<i64> = present().map(|s| s.parse().expect("checked")).collect();
            return Column::new(name.into(), v);
        }
        if present().all(|s| s.parse::<f64>().is_ok()) {
            let v: Vec<f64> = cells
                .iter()
                .map(|c| c.map_or(f64::NAN, |s| s.parse().expect("checked")))
                .collect();
            return Column::new(name.into(), v);
        }
    }
    let v: Vec<&str> = cells.iter().map(|c| c.unwrap_or("")).collect();
    Column::new(name.into(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_parse_as_python_assignments() {
        let text = "# written by Kilosort\ndat_path = [\n  r'C:\\data\\a.dat',  # first\n  'b.dat',\n]\nn_channels_dat = 385\ndtype = 'int16'\noffset = 0\nsample_rate = 30_000.  # Hz\nhp_filtered = True\nimport os\nname = \"a # b\"\n";
        let p = parse_params(text, "params.py").unwrap();
        assert_eq!(p["sample_rate"].1, PyValue::Num(30_000.0));
        assert_eq!(p["sample_rate"].0, 9);
        assert_eq!(p["n_channels_dat"].1, PyValue::Num(385.0));
        assert_eq!(p["dtype"].1, PyValue::Str("int16".into()));
        assert_eq!(p["hp_filtered"].1, PyValue::Bool(true));
        assert_eq!(p["name"].1, PyValue::Str("a # b".into()));
        assert!(matches!(p["dat_path"].1, PyValue::Other(_)));
        assert_eq!(py_value("3e4"), PyValue::Num(3e4));
        assert_eq!(py_value("inf"), PyValue::Other("inf".into()));
        assert_eq!(py_value("-1"), PyValue::Num(-1.0));
        assert!(parse_params("x = [1,\n", "p").is_err());
    }

    #[test]
    fn cells_are_typed_from_their_values() {
        let c = typed_column("ch", &[Some("1"), Some("2")]);
        assert_eq!(c.dtype(), &DataType::Int64);
        let c = typed_column("depth", &[Some("1"), None, Some("2.5")]);
        assert_eq!(c.dtype(), &DataType::Float64);
        assert!(c.f64().unwrap().get(1).unwrap().is_nan());
        let c = typed_column("KSLabel", &[Some("good"), None]);
        assert_eq!(c.str().unwrap().get(1), Some(""));
    }
}
