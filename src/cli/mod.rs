//! `vayu-cli`: argument parsing and the commands. The binary's `main` only calls [`main`].

mod args;
mod batch;
mod ca_bundle;
mod collection;
mod coordinator;
mod format;
mod import;
mod load;
mod remote;
mod report;
mod request_file;
mod run;

pub use args::{from_env, Cli, CollectionCommand, Command, ExportCommand, ReportCommand};

use crate::model::{TransferError, ValidationError};
use std::process::ExitCode;

/// Exit code for bad input or a transport error.
pub const EXIT_INPUT_OR_TRANSPORT: u8 = 2;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Input(String),
    #[error("request file `{file}`: {error}")]
    InvalidRequest {
        file: String,
        error: ValidationError,
    },
    #[error("request failed: {0}")]
    Transport(TransferError),
    #[error("could not start the engine: {0}")]
    Engine(#[from] std::io::Error),
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("run file `{file}`: {error}")]
    InvalidRun {
        file: String,
        error: ValidationError,
    },
    #[error("{0}")]
    Run(String),
    #[error("the engine refused it: {0}")]
    Remote(ValidationError),
}

/// Writes to stdout; a closed pipe (`vayu-cli run x.json | head`) ends output quietly instead of panicking.
fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Runs a parsed command line and returns the process exit code.
pub fn main(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        None if cli.version => {
            emit(&format!("vayu-cli {}\n", crate::version::long_version()));
            Ok(ExitCode::SUCCESS)
        }
        None => Err(CliError::Input(
            "no command given; run `vayu-cli --help` to see the commands".into(),
        )),
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Batch(args)) => batch::batch(args),
        Some(Command::Load(args)) => load::load(args),
        Some(Command::Collection(args)) => match args.command {
            CollectionCommand::Run(args) => collection::run(args),
        },
        Some(Command::Report(args)) => match args.command {
            ReportCommand::Merge(args) => report::merge(args),
        },
        Some(Command::Import(args)) => import::import(args),
        Some(Command::Export(args)) => match args.command {
            ExportCommand::Curl(args) => import::export_curl(args),
        },
    }
}
