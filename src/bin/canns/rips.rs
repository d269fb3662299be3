//! `canns rips POINTS`: Vietoris-Rips persistence of a point cloud (or a
//! distance matrix) read from .npy, .csv or .parquet; diagrams written as
//! JSON or CSV.

use canns::data::io::read_npy;
use canns::error::{Error, Result};
use canns::params::Params;
use canns::tda::{rips, rips_distances, RipsParams};
use clap::Args;
use ndarray::Array2;
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// Arguments of `canns rips`.
#[derive(Debug, Args)]
pub struct RipsArgs {
    /// Points, one per row: .npy (2D, any numeric dtype), .csv (numeric columns, header row) or .parquet.
    pub points: PathBuf,
    /// Largest homology dimension.
    #[arg(long, default_value_t = 1)]
    pub maxdim: usize,
    /// Coefficient field Z/p (p prime).
    #[arg(long, default_value_t = 2)]
    pub coeff: u64,
    /// Largest edge length (default: the enclosing radius).
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Also write representative cocycles of the H1 classes (JSON output).
    #[arg(long)]
    pub cocycles: bool,
    /// Compute on this many landmarks chosen by greedy permutation (reports the cover radius).
    #[arg(long)]
    pub n_perm: Option<usize>,
    /// The input is a square distance matrix, not points.
    #[arg(long)]
    pub distance_matrix: bool,
    /// Output: .json (diagrams, and cocycles when asked) or .csv (dim, birth, death).
    #[arg(long)]
    pub out: PathBuf,
}

/// Reads a float matrix (rows are points) from .npy, .csv or .parquet.
///
/// # Errors
/// [`Error::Io`] if the file cannot be read, [`Error::Data`] naming the file
/// and the problem (format, shape, non-numeric column, non-finite value).
pub fn read_matrix(path: &Path) -> Result<Array2<f64>> {
    let name = path.display().to_string();
    if !path.exists() {
        return Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        ));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let a: Array2<f64> = match ext.as_str() {
        "npy" => read_npy(path)?
            .into_array2("points")
            .map_err(|e| Error::data(&name, e.to_string()))?,
        "csv" | "parquet" => {
            let df = if ext == "csv" {
                CsvReadOptions::default()
                    .with_has_header(true)
                    .try_into_reader_with_file_path(Some(path.into()))?
                    .finish()
            } else {
                let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
                ParquetReader::new(f).finish()
            }
            .map_err(|e| Error::data(&name, format!("unreadable table: {e}")))?;
            let (n, m) = (df.height(), df.width());
            let mut a = Array2::zeros((n, m));
            for (j, c) in df.columns().iter().enumerate() {
                let c = c.cast(&DataType::Float64).map_err(|_| {
                    Error::data(&name, format!("column `{}` is not numeric", c.name()))
                })?;
                for (i, v) in c.f64()?.iter().enumerate() {
                    a[[i, j]] = v.ok_or_else(|| {
                        Error::data(
                            &name,
                            format!("column `{}` row {i} is empty or not a number", c.name()),
                        )
                    })?;
                }
            }
            a
        }
        other => {
            return Err(Error::data(
                &name,
                format!("unsupported format `.{other}` (use .npy, .csv or .parquet)"),
            ))
        }
    };
    if a.nrows() == 0 || a.ncols() == 0 {
        return Err(Error::data(
            &name,
            format!(
                "expected a non-empty matrix, got {} x {}",
                a.nrows(),
                a.ncols()
            ),
        ));
    }
    if let Some(((i, j), v)) = a.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(Error::data(
            &name,
            format!("row {i}, column {j} is not finite ({v})"),
        ));
    }
    Ok(a)
}

/// Runs `canns rips`.
///
/// # Errors
/// Unreadable or malformed input, invalid parameters, resource limits, write failures.
pub fn run(args: RipsArgs) -> Result<()> {
    let mut params = RipsParams::default()
        .maxdim(args.maxdim)
        .coeff(args.coeff)
        .cocycles(args.cocycles);
    if let Some(t) = args.threshold {
        params = params.threshold(t);
    }
    if let Some(k) = args.n_perm {
        params = params.n_perm(k);
    }
    // Flags are checked before the input is read or any work sized by it.
    params.validate()?;
    let a = read_matrix(&args.points)?;
    let start = std::time::Instant::now();
    let d = if args.distance_matrix {
        rips_distances(&a.view(), &params)?
    } else {
        rips(&a, &params)?
    };
    let secs = start.elapsed().as_secs_f64();
    let ext = args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let text = match ext.as_str() {
        "json" => serde_json::to_string(&d).expect("diagrams serialise"),
        "csv" => {
            let mut s = String::from("dim,birth,death\n");
            for (dim, ps) in d.pairs.iter().enumerate() {
                for p in ps {
                    s.push_str(&format!("{dim},{},{}\n", p.0, p.1));
                }
            }
            s
        }
        other => {
            return Err(Error::Invalid(format!(
                "{}: unsupported output format `.{other}` (use .json or .csv)",
                args.out.display()
            )))
        }
    };
    crate::prepare_output(&args.out)?;
    std::fs::write(&args.out, text).map_err(|e| Error::io(&args.out, e))?;
    if d.idx_perm.len() < d.n_points {
        println!(
            "{} landmarks, cover radius {}",
            d.idx_perm.len(),
            d.cover_radius
        );
    }
    println!("{d} in {secs:.3} s -> {}", args.out.display());
    Ok(())
}
