//! `vayu-engine`: the daemon. Its control API arrives with the daemon issue; for now it reports
//! its version and refuses to pretend it serves anything.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--version") {
        println!("vayu-engine {}", vayu::version::long_version());
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "vayu-engine: the control API is not built yet; use `vayu-cli run` or `vayu-cli batch`"
    );
    ExitCode::from(2)
}
