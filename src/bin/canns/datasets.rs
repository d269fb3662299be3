//! `canns datasets`: where the bundled datasets are found, and
//! `canns datasets install --from DIR` to copy them into the user data folder
//! (no network: from a checkout's `datasets/` or wherever they were unpacked).

use canns::data::datasets;
use canns::error::{Error, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Arguments of `canns datasets`.
#[derive(Debug, Args)]
pub struct DatasetsArgs {
    /// What to do (default: list the datasets and where each is found).
    #[command(subcommand)]
    pub action: Option<Action>,
}

/// `canns datasets` actions.
#[derive(Debug, Subcommand)]
pub enum Action {
    /// List the bundled datasets, where each is found, and the folders searched.
    List,
    /// Copy the datasets from a folder (a canns checkout's `datasets/`) into the user data folder.
    Install {
        /// Folder holding the dataset files.
        #[arg(long)]
        from: PathBuf,
        /// Destination (default: $XDG_DATA_HOME/canns/datasets or ~/.local/share/canns/datasets).
        #[arg(long)]
        to: Option<PathBuf>,
    },
}

/// Runs `canns datasets`.
///
/// # Errors
/// For `install`: a source folder without the datasets, a destination that
/// cannot be written, or no destination (neither `--to` nor `HOME` set).
pub fn run(args: DatasetsArgs) -> Result<()> {
    match args.action.unwrap_or(Action::List) {
        Action::List => {
            for (file, what) in datasets::BUNDLED {
                match datasets::find(file) {
                    Ok(p) => println!("{file}\t{}\t{what}", p.display()),
                    Err(_) => println!("{file}\tnot found\t{what}"),
                }
            }
            println!("searched, in order:");
            for d in datasets::search_path() {
                let mark = if d.is_dir() { "" } else { " (missing)" };
                println!("  {}{mark}", d.display());
            }
            Ok(())
        }
        Action::Install { from, to } => {
            let to = match to.or_else(datasets::user_dir) {
                Some(t) => t,
                None => {
                    return Err(Error::data(
                        "--to",
                        "no destination: give --to, or set XDG_DATA_HOME or HOME",
                    ))
                }
            };
            for p in datasets::install(&from, &to)? {
                println!("{}", p.display());
            }
            Ok(())
        }
    }
}
