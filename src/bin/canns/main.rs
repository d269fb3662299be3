//! The `canns` command line: the same work as the notebooks, for scripts and
//! batch jobs. Each subcommand lives in its own file with its `Args` and `run`.

use clap::{Parser, Subcommand};

mod convert;
mod datasets;
mod inspect;
mod path_integrate;
mod replay;
mod rips;
mod signature;
mod simulate;
mod sweep;
mod theta_sweep;
mod tour;
mod tuning;
mod walk;

/// Continuous attractor neural networks: simulate, analyse, report.
#[derive(Debug, Parser)]
#[command(name = "canns", version, about, long_about = None)]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the default models on their tasks and write an HTML report.
    Tour(tour::TourArgs),
    /// Run one model on one task and write its states to a file.
    Simulate(simulate::SimulateArgs),
    /// Vietoris-Rips persistence diagrams of a point cloud or distance matrix.
    Rips(rips::RipsArgs),
    /// Summarise a recording (NWB, Parquet, CSV, NPZ, a Phy folder or a dataset name).
    Inspect(inspect::InspectArgs),
    /// Convert a recording between formats (to Parquet, CSV or NPZ).
    Convert(convert::ConvertArgs),
    /// Attractor signature of a count matrix: persistent homology, shuffle significance, decoding.
    Signature(signature::SignatureArgs),
    /// Head-direction tuning curves and HD-cell classification of a recording, as a table.
    Tuning(tuning::TuningArgs),
    /// Random motion of an agent in a box (or a real trajectory), written to a file.
    Walk(walk::WalkArgs),
    /// Theta sweeps of the head-direction and grid networks along a trajectory.
    ThetaSweep(theta_sweep::ThetaSweepArgs),
    /// Path integration of a trajectory by a grid-cell model (velocity, hierarchical or position).
    PathIntegrate(path_integrate::PathIntegrateArgs),
    /// Replay regimes of the adaptive CANN over adaptation strengths.
    Replay(replay::ReplayArgs),
    /// The bundled datasets: where each is found; copy them into the user data folder.
    Datasets(datasets::DatasetsArgs),
    /// A parameter sweep from a spec file: locally, one shard, or as a Slurm job array.
    Sweep(sweep::SweepArgs),
}

/// Prepares an output path: every subcommand overwrites an existing output
/// file and creates missing parent directories (see the README's
/// "Command line" section).
///
/// # Errors
/// [`canns::Error::Io`] naming the directory that cannot be created, or the
/// output when it is an existing directory.
pub(crate) fn prepare_output(path: &std::path::Path) -> canns::Result<()> {
    if path.is_dir() {
        return Err(canns::Error::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "is a directory; give a file name",
            ),
        ));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| canns::Error::io(dir, e))?;
    }
    Ok(())
}

/// Runs the parsed command line.
///
/// # Errors
/// Whatever the subcommand returns; the binary prints it and exits with 1.
fn run(cli: Cli) -> canns::Result<()> {
    match cli.command {
        Command::Tour(a) => tour::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Rips(a) => rips::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Signature(a) => signature::run(a),
        Command::Tuning(a) => tuning::run(a),
        Command::Walk(a) => walk::run(a),
        Command::ThetaSweep(a) => theta_sweep::run(a),
        Command::PathIntegrate(a) => path_integrate::run(a),
        Command::Replay(a) => replay::run(a),
        Command::Datasets(a) => datasets::run(a),
        Command::Sweep(a) => sweep::run(a),
    }
}

fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
