//! The README's examples and `examples/` run as written, against the tests' own server standing
//! in for the target the README starts on 127.0.0.1:8080 (it answers httpbin's `/get` and
//! `/post`). Each file is copied with that address replaced; each `vayu-cli` command of the
//! README's `sh` blocks runs with the built binary in place of `cargo run ... --`. The blocks for
//! the daemon and for installing the target are not run here (the API tests cover the daemon).

use crate::support::{TargetServer, TempDir};
use std::path::Path;
use std::process::Command;

const README_TARGET: &str = "http://127.0.0.1:8080";
const CLI: &str = "cargo run --release --bin vayu-cli -- ";

/// `examples/` copied into `dir`, the README's target address replaced by `target`.
fn copy_examples(dir: &TempDir, target: &str) -> Vec<String> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    std::fs::create_dir_all(dir.0.join("examples")).unwrap();
    let mut names = Vec::new();
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        dir.write(
            &format!("examples/{name}"),
            &text.replace(README_TARGET, target),
        );
        names.push(name);
    }
    names.sort();
    names
}

/// The README's `vayu-cli` commands, continuation lines joined, without the `cargo run` prefix.
fn readme_commands() -> Vec<String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let (mut commands, mut in_sh, mut pending) = (Vec::new(), false, String::new());
    for line in readme.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        pending.push_str(line.trim_end_matches('\\').trim_end());
        pending.push(' ');
        if line.ends_with('\\') {
            continue;
        }
        let command = std::mem::take(&mut pending);
        if let Some(args) = command.trim().strip_prefix(CLI) {
            commands.push(args.to_string());
        }
    }
    commands
}

fn run_shell(dir: &TempDir, args: &str) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("\"$VAYU_CLI\" {args}"))
        .env("VAYU_CLI", env!("CARGO_BIN_EXE_vayu-cli"))
        .current_dir(&dir.0)
        .output()
        .unwrap()
}

#[test]
fn every_example_and_readme_command_runs_as_written() {
    let server = TargetServer::start();
    let dir = TempDir::new("readme");
    let examples = copy_examples(&dir, server.url("").trim_end_matches('/'));
    let mut ran = Vec::new();
    for name in examples.iter().filter(|n| n.ends_with(".json")) {
        let text = std::fs::read_to_string(dir.0.join("examples").join(name)).unwrap();
        // The collection runs with its environment and data file, as the README runs it.
        let args = if name.contains(".postman_") {
            continue;
        } else if text.contains("\"config\"") {
            format!("load examples/{name}")
        } else {
            format!("run examples/{name}")
        };
        ran.push(args);
    }
    let commands = readme_commands();
    assert!(
        commands.len() >= 4,
        "the README's vayu-cli commands: {commands:?}"
    );
    ran.extend(commands);
    for args in &ran {
        let out = run_shell(&dir, args);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "vayu-cli {args}:\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains("FAILED"), "vayu-cli {args}:\n{text}");
    }
    assert!(
        server
            .stats
            .requests
            .load(std::sync::atomic::Ordering::SeqCst)
            > 0
    );
}
