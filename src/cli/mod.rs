//! The `canns` command line: the same work as the notebooks, for scripts and
//! batch jobs. Each subcommand lives in its own file with its `Args` and `run`.

use clap::{Parser, Subcommand};

pub mod rips;
pub mod simulate;
pub mod tour;
pub mod walk;

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
    /// Random motion of an agent in a box (or a real trajectory), written to a file.
    Walk(walk::WalkArgs),
}

/// Runs the parsed command line.
///
/// # Errors
/// Whatever the subcommand returns; the binary prints it and exits with 1.
pub fn run(cli: Cli) -> crate::Result<()> {
    match cli.command {
        Command::Tour(a) => tour::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Rips(a) => rips::run(a),
        Command::Walk(a) => walk::run(a),
    }
}
