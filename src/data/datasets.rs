//! Where the bundled datasets are found, at run time.
//!
//! The repository's `datasets/` folder holds the recording `A2929-200711.nwb`
//! and the trajectories `sargolini.npz` and `tanni.npz` (see its README for
//! their provenance). The package on crates.io does not carry them (they
//! would take most of its size limit), so a program looks for them when it
//! runs, in this order:
//!
//! 1. the folder named by the environment variable `CANNS_DATA_DIR`;
//! 2. a `datasets/` folder next to the running program or up to three folders
//!    above it (an installed `canns` binary with `datasets/` beside it, or
//!    `target/debug/...` inside a checkout);
//! 3. the user data folder: `$XDG_DATA_HOME/canns/datasets`, else
//!    `~/.local/share/canns/datasets`;
//! 4. `datasets/` of the source tree the crate was built from, when it still
//!    exists (a checkout, or a notebook's `:dep canns = { path = ".." }`).
//!
//! A file that is not in any of them is an error listing every place looked
//! at and how to get the files.
//!
//! # Examples
//! ```
//! use canns::data::datasets;
//! let path = datasets::find("sargolini.npz")?;
//! assert!(path.ends_with("sargolini.npz") && path.exists());
//! let err = datasets::find("nothing-here.nwb").unwrap_err().to_string();
//! assert!(err.contains("CANNS_DATA_DIR"), "{err}");
//! # Ok::<(), canns::Error>(())
//! ```

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The environment variable naming a folder that holds the datasets.
pub const DATA_DIR_VAR: &str = "CANNS_DATA_DIR";

/// The bundled datasets: file name and what it is.
pub const BUNDLED: [(&str, &str); 3] = [
    (
        "A2929-200711.nwb",
        "recording: mouse anterodorsal thalamus and CA1, 15 units, 1200 s (Viejo & Peyrache 2020)",
    ),
    (
        "sargolini.npz",
        "trajectory: a rat in a 1 m box, 600 s (Sargolini et al. 2006)",
    ),
    (
        "tanni.npz",
        "trajectory: a rat in a 3.5 m x 2.5 m environment, 7323 s (Tanni et al. 2022)",
    ),
];

/// The folders searched, in order (those that do not exist included: the
/// error lists them).
pub fn search_path() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(d) = std::env::var_os(DATA_DIR_VAR).filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(d));
    }
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(4) {
            dirs.push(dir.join("datasets"));
        }
    }
    if let Some(d) = user_dir() {
        dirs.push(d);
    }
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets"));
    let mut seen = std::collections::HashSet::new();
    dirs.retain(|d| seen.insert(d.clone()));
    dirs
}

/// The user data folder for datasets: `$XDG_DATA_HOME/canns/datasets`, else
/// `$HOME/.local/share/canns/datasets` (`None` when neither variable is set).
pub fn user_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        Some(Path::new(&d).join("canns").join("datasets"))
    } else {
        std::env::var_os("HOME")
            .filter(|d| !d.is_empty())
            .map(|home| Path::new(&home).join(".local/share/canns/datasets"))
    }
}

/// Copies the bundled datasets from the folder `from` (a checkout's
/// `datasets/`, or wherever the files were unpacked) into `to` (created when
/// missing; [`user_dir`] is the usual choice), and returns the paths written.
/// Files already present in `to` with the same size are left alone. No
/// network is used.
///
/// # Errors
/// [`Error::Data`] naming `from` when it holds none of the bundled files, or
/// [`Error::Io`] naming the file that cannot be copied.
///
/// # Examples
/// ```
/// use canns::data::datasets;
/// let from = datasets::find("sargolini.npz")?.parent().unwrap().to_path_buf();
/// let to = std::env::temp_dir().join(format!("canns-datasets-doc-{}", std::process::id()));
/// let written = datasets::install(&from, &to)?;
/// assert_eq!(written.len(), datasets::BUNDLED.len());
/// assert!(to.join("tanni.npz").is_file());
/// # std::fs::remove_dir_all(&to).ok();
/// # Ok::<(), canns::Error>(())
/// ```
pub fn install(from: &Path, to: &Path) -> Result<Vec<PathBuf>> {
    let present: Vec<&str> = BUNDLED
        .iter()
        .map(|b| b.0)
        .filter(|f| from.join(f).is_file())
        .collect();
    if present.is_empty() {
        return Err(Error::data(
            from.display().to_string(),
            format!(
                "holds none of the bundled datasets ({}); give the `datasets/` folder of a \
                 canns checkout",
                BUNDLED.map(|b| b.0).join(", ")
            ),
        ));
    }
    std::fs::create_dir_all(to).map_err(|e| Error::io(to, e))?;
    let mut written = Vec::new();
    for file in present {
        let (src, dst) = (from.join(file), to.join(file));
        let same = |a: &Path, b: &Path| match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.len() == y.len(),
            _ => false,
        };
        if !same(&src, &dst) {
            let tmp = to.join(format!(".{file}.partial"));
            std::fs::copy(&src, &tmp).map_err(|e| Error::io(&src, e))?;
            std::fs::rename(&tmp, &dst).map_err(|e| Error::io(&dst, e))?;
        }
        written.push(dst);
    }
    Ok(written)
}

/// The path of the dataset file `file` (e.g. `"sargolini.npz"`): the first
/// folder of [`search_path`] that holds it.
///
/// # Errors
/// [`Error::Data`] naming the file, every folder looked at, and how to get
/// the datasets.
pub fn find(file: &str) -> Result<PathBuf> {
    let dirs = search_path();
    if let Some(p) = dirs.iter().map(|d| d.join(file)).find(|p| p.is_file()) {
        return Ok(p);
    }
    let looked: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    Err(Error::data(
        file,
        format!(
            "dataset not found; looked in: {}. Copy the `datasets/` folder of the canns \
             repository into one of these (`canns datasets install --from <checkout>/datasets` \
             copies it into the user data folder), or set {DATA_DIR_VAR} to the folder \
             holding it (bundled: {})",
            looked.join(", "),
            BUNDLED.map(|b| b.0).join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_files_are_found_from_a_checkout() {
        for (file, _) in BUNDLED {
            let p = find(file).unwrap();
            assert!(p.is_file(), "{}", p.display());
        }
    }

    #[test]
    fn a_missing_file_lists_where_it_looked() {
        let e = find("missing.npz").unwrap_err().to_string();
        assert!(e.starts_with("missing.npz: dataset not found"), "{e}");
        assert!(e.contains(env!("CARGO_MANIFEST_DIR")), "{e}");
        assert!(
            e.contains(DATA_DIR_VAR) && e.contains("A2929-200711.nwb"),
            "{e}"
        );
        assert!(e.contains("canns datasets install"), "{e}");
    }

    #[test]
    fn install_copies_and_refuses_an_empty_folder() {
        let tmp = std::env::temp_dir().join(format!("canns-ds-test-{}", std::process::id()));
        let empty = tmp.join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let e = install(&empty, &tmp.join("to")).unwrap_err().to_string();
        assert!(
            e.contains("empty") && e.contains("none of the bundled"),
            "{e}"
        );
        let from = find("tanni.npz").unwrap().parent().unwrap().to_path_buf();
        let to = tmp.join("to");
        let w = install(&from, &to).unwrap();
        assert_eq!(w.len(), BUNDLED.len());
        for (f, _) in BUNDLED {
            assert_eq!(
                std::fs::metadata(to.join(f)).unwrap().len(),
                std::fs::metadata(from.join(f)).unwrap().len()
            );
        }
        // A second install is a no-op that still reports the files.
        assert_eq!(install(&from, &to).unwrap(), w);
        std::fs::remove_dir_all(&tmp).ok();
    }
}
