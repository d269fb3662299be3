use super::npy::{shape_text, Dtype, NpyData, Npz};
use crate::data::recording::{col, epochs_frame};
use crate::data::Recording;
use crate::error::{Error, Result};
use ndarray::Array1;
use ndarray_npy::NpzWriter;
use polars::prelude::*;
use std::path::Path;

/// Suffix of text columns.
const TEXT: &str = "__text";

enum Values {
    F(Vec<f64>),
    I(Vec<i64>),
    U(Vec<u32>),
}

impl Values {
    fn into_f64(self) -> Vec<f64> {
        match self {
            Values::F(v) => v,
            Values::I(v) => v.into_iter().map(|x| x as f64).collect(),
            Values::U(v) => v.into_iter().map(f64::from).collect(),
        }
    }
    fn column(self, name: &str) -> Column {
        match self {
            Values::F(v) => Column::new(name.into(), v),
            Values::I(v) => Column::new(name.into(), v),
            Values::U(v) => Column::new(name.into(), v),
        }
    }
}

struct Archive {
    npz: Npz<std::io::BufReader<std::fs::File>>,
    names: Vec<String>,
    file: String,
}

impl Archive {
    fn has(&self, n: &str) -> bool {
        self.names.iter().any(|x| x == n)
    }
    fn err(&self, field: &str, m: impl std::fmt::Display) -> Error {
        Error::data(&self.file, format!("{field}: {m}"))
    }
    /// A 1-D array, typed from its header (read once, whatever its dtype).
    fn values(&mut self, n: &str) -> Result<Values> {
        if !self.has(n) {
            return Err(self.err(n, "missing array"));
        }
        let a = self.npz.array(n)?;
        if a.shape().len() != 1 {
            return Err(self.err(
                n,
                format!("must be a 1-D array (got shape {})", shape_text(a.shape())),
            ));
        }
        if a.dtype() == Dtype::U64 {
            return Ok(Values::F(a.into_f64()));
        }
        Ok(match a.into_data() {
            NpyData::F64(v) => Values::F(v),
            NpyData::I64(v) => Values::I(v),
            // uint32 and narrower (and bool): every value fits
            NpyData::U64(v) => Values::U(v.into_iter().map(|x| x as u32).collect()),
        })
    }
    fn f64s(&mut self, n: &str) -> Result<Vec<f64>> {
        Ok(self.values(n)?.into_f64())
    }
    fn bytes(&mut self, n: &str) -> Result<Vec<u8>> {
        let a = self.npz.array(n)?;
        if a.shape().len() != 1 {
            return Err(self.err(
                n,
                format!(
                    "must be a 1-D uint8 array (got shape {})",
                    shape_text(a.shape())
                ),
            ));
        }
        a.into_bytes(n).map_err(|e| self.err(n, e))
    }
    fn text(&mut self, n: &str, len: usize) -> Result<Vec<String>> {
        let b = self.bytes(n)?;
        let s = String::from_utf8(b).map_err(|_| self.err(n, "not UTF-8 text"))?;
        let v: Vec<String> = if len == 0 {
            Vec::new()
        } else {
            s.split('\n').map(str::to_string).collect()
        };
        if v.len() != len {
            return Err(self.err(n, format!("has {} values, expected {len}", v.len())));
        }
        Ok(v)
    }
    /// A table from the arrays named `<prefix>_*`; `first` is its key column.
    fn table(&mut self, prefix: &str, first: &str) -> Result<DataFrame> {
        let key = format!("{prefix}_{first}");
        let mut names: Vec<String> = self
            .names
            .iter()
            .filter(|n| n.starts_with(&format!("{prefix}_")))
            .cloned()
            .collect();
        if names.is_empty() {
            return Ok(DataFrame::empty());
        }
        names.sort_by_key(|n| *n != key && *n != format!("{key}{TEXT}"));
        let mut cols: Vec<Column> = Vec::new();
        let mut len = None;
        for n in names.iter().filter(|n| !n.ends_with(TEXT)) {
            let c = self.values(n)?;
            let k = match &c {
                Values::F(v) => v.len(),
                Values::I(v) => v.len(),
                Values::U(v) => v.len(),
            };
            if let Some(l) = len {
                if l != k {
                    return Err(self.err(n, format!("has {k} values, expected {l} like `{key}`")));
                }
            }
            len = Some(k);
            cols.push(c.column(&n[prefix.len() + 1..]));
        }
        let len = match len {
            Some(l) => l,
            None => {
                // only text columns: take the length from the first one
                let b = self.bytes(&names[0])?;
                if b.is_empty() {
                    0
                } else {
                    b.iter().filter(|&&c| c == b'\n').count() + 1
                }
            }
        };
        for n in names.iter().filter(|n| n.ends_with(TEXT)) {
            let v = self.text(n, len)?;
            cols.push(Column::new(
                n[prefix.len() + 1..n.len() - TEXT.len()].into(),
                v,
            ));
        }
        Ok(DataFrame::new(len, cols)?)
    }
}

/// NPZ (a zip of NumPy `.npy` arrays, readable with `numpy.load`): one
/// archive per recording.
///
/// Layout (1-D arrays; `<col>` is a column name):
///
/// | array | dtype | meaning |
/// | --- | --- | --- |
/// | `spikes_unit`, `spikes_t` | u32, f64 | one entry per spike; seconds |
/// | `behaviour_t`, `behaviour_<col>` | f64 | sample times (s) and channels |
/// | `units_unit`, `units_<col>` | u32, f64 or i64 | unit ids and numeric metadata |
/// | `epochs_start`, `epochs_stop` | f64 | seconds |
/// | `events_t` | f64 | seconds |
/// | `<table>_<col>__text` | u8 | a text column (`units_location__text`, `epochs_name__text`, `events_name__text`): UTF-8 values joined by `\n` |
///
/// Read in Python: `np.load(f)["units_location__text"].tobytes().decode().split("\n")`.
/// [`write_npz`] stores the arrays as `np.savez` does; [`write_npz_compressed`]
/// deflates them as `np.savez_compressed` does (`canns convert --compress`).
/// Both kinds are read.
/// An archive with only `t` (n) and `pos` (n, 2) arrays (a trajectory, as
/// the RatInABox datasets) is read as behaviour `x`, `y`.
///
/// Reads an NPZ recording (layout above).
///
/// # Errors
/// [`Error::Io`] when the file cannot be opened; [`Error::Data`] naming the
/// file and the array for a corrupt archive, a missing or mistyped array,
/// or arrays of different lengths within a table.
pub fn read_npz(path: impl AsRef<Path>) -> Result<Recording> {
    let path = path.as_ref();
    let file = path.display().to_string();
    let npz = Npz::open(path)?;
    let names = npz.names();
    let mut a = Archive { npz, names, file };
    if !a.has("spikes_t") && a.has("t") && a.has("pos") {
        let t = a.f64s("t")?;
        let pos = a.npz.array("pos")?;
        let pos = pos.into_array2("pos").map_err(|e| a.err("pos", e))?;
        if pos.nrows() != t.len() || pos.ncols() < 2 {
            return Err(a.err(
                "pos",
                format!("shape {:?}, expected ({}, 2)", pos.dim(), t.len()),
            ));
        }
        let b = DataFrame::new(
            t.len(),
            vec![
                Column::new(col::T.into(), t),
                Column::new(col::X.into(), pos.column(0).to_vec()),
                Column::new(col::Y.into(), pos.column(1).to_vec()),
            ],
        )?;
        let spikes = DataFrame::new(
            0,
            vec![
                Column::new(col::UNIT.into(), Vec::<u32>::new()),
                Column::new(col::T.into(), Vec::<f64>::new()),
            ],
        )?;
        return Recording::from_frames_named(
            spikes,
            b,
            DataFrame::empty(),
            DataFrame::empty(),
            DataFrame::empty(),
            &a.file,
        );
    }
    let spikes = a.table("spikes", col::UNIT)?;
    if spikes.width() == 0 {
        return Err(a.err("spikes_t", "missing array (not a recording archive)"));
    }
    let behaviour = a.table("behaviour", col::T)?;
    let units = a.table("units", col::UNIT)?;
    let epochs = {
        let e = a.table("epochs", col::NAME)?;
        if e.width() == 0 {
            epochs_frame(&[])?
        } else {
            e
        }
    };
    let events = a.table("events", col::NAME)?;
    let file = a.file.clone();
    Recording::from_frames_named(spikes, behaviour, units, epochs, events, &file)
}

/// Writes a recording as one NPZ archive of stored (uncompressed) arrays,
/// as `np.savez` does (layout in [`read_npz`]).
///
/// # Errors
/// [`Error::Io`] / [`Error::Data`] when the file cannot be written.
pub fn write_npz(rec: &Recording, path: impl AsRef<Path>) -> Result<()> {
    write_npz_as(rec, path.as_ref(), false)
}

/// Writes a recording as one NPZ archive of deflate-compressed arrays, as
/// `np.savez_compressed` does (layout in [`read_npz`]).
///
/// # Examples
/// ```
/// use canns::data::io::{read_npz, write_npz_compressed};
/// # use canns::data::Recording;
/// let rec = Recording::dataset("A2929-200711")?;
/// let path = std::env::temp_dir().join("canns_doc_compressed.npz");
/// write_npz_compressed(&rec, &path)?;
/// assert_eq!(read_npz(&path)?.n_spikes(), rec.n_spikes());
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), canns::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] / [`Error::Data`] when the file cannot be written.
pub fn write_npz_compressed(rec: &Recording, path: impl AsRef<Path>) -> Result<()> {
    write_npz_as(rec, path.as_ref(), true)
}

fn write_npz_as(rec: &Recording, path: &Path, compress: bool) -> Result<()> {
    let file = path.display().to_string();
    let f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = if compress {
        NpzWriter::new_with_options(
            f,
            ::zip::write::SimpleFileOptions::default()
                .compression_method(::zip::CompressionMethod::Deflated),
        )
    } else {
        NpzWriter::new(f)
    };
    let werr = |e: ndarray_npy::WriteNpzError| Error::data(&file, format!("writing NPZ: {e}"));
    let tables = [
        ("spikes", rec.spikes()),
        ("behaviour", rec.behaviour()),
        ("units", rec.units()),
        ("epochs", rec.epochs()),
        ("events", rec.events()),
    ];
    for (prefix, df) in tables {
        for c in df.columns() {
            let name = format!("{prefix}_{}", c.name());
            match c.dtype() {
                DataType::UInt32 => {
                    let v: Vec<u32> = c.u32()?.iter().map(|x| x.unwrap_or(0)).collect();
                    w.add_array(name, &Array1::from(v)).map_err(werr)?;
                }
                DataType::Int64 | DataType::Int32 | DataType::Int16 | DataType::Int8 => {
                    let c = c.cast(&DataType::Int64)?;
                    let v: Vec<i64> = c.i64()?.iter().map(|x| x.unwrap_or(0)).collect();
                    w.add_array(name, &Array1::from(v)).map_err(werr)?;
                }
                DataType::String => {
                    let v: Vec<&str> = c.str()?.iter().map(|x| x.unwrap_or("")).collect();
                    let bytes = v.join("\n").into_bytes();
                    w.add_array(format!("{name}{TEXT}"), &Array1::from(bytes))
                        .map_err(werr)?;
                }
                _ => {
                    let c = c.cast(&DataType::Float64).map_err(|_| {
                        Error::data(
                            &file,
                            format!("{prefix}: column `{}` is not numeric or text", c.name()),
                        )
                    })?;
                    let v: Vec<f64> = c.f64()?.iter().map(|x| x.unwrap_or(f64::NAN)).collect();
                    w.add_array(name, &Array1::from(v)).map_err(werr)?;
                }
            }
        }
    }
    w.finish().map_err(werr)?;
    Ok(())
}
