//! The `canns` command line (see `canns --help`).

use clap::Parser;

fn main() {
    let cli = canns::cli::Cli::parse();
    if let Err(e) = canns::cli::run(cli) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
