//! `fenliu`: parse the command line, run the command, report errors plainly.

use clap::Parser;
use fenliu::cli::{self, args::Cli};
use std::process::ExitCode;

fn main() -> ExitCode {
    if let Err(e) = color_eyre::install() {
        eprintln!("fenliu: cannot install the error reporter: {e}");
    }
    let parsed = Cli::parse();
    match cli::run(parsed) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("fenliu: {e:#}");
            ExitCode::from(1)
        }
    }
}
