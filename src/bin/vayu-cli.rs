//! `vayu-cli`: see `vayu-cli --help` and docs/cli.md.

use std::process::ExitCode;

fn main() -> ExitCode {
    vayu::logging::init(vayu::logging::Style::Plain);
    let cli: vayu::cli::Cli = vayu::cli::from_env();
    match vayu::cli::main(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("vayu-cli: error: {error}");
            ExitCode::from(vayu::cli::EXIT_INPUT_OR_TRANSPORT)
        }
    }
}
