//! Build metadata for `--version` and `/health` (the git commit the binary was built from), and
//! the script sandbox's JavaScript libraries: installed from `js/package-lock.json` with `npm ci`
//! and bundled by `js/build.mjs` into `$OUT_DIR/js/`, where `src/script/modules.rs` embeds them.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=VAYU_GIT_COMMIT={commit}");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    println!("cargo:rerun-if-changed=build.rs");

    bundle_sandbox_libraries();
}

/// The files of `js/` the bundles are made from.
const JS_INPUTS: [&str; 8] = [
    "package.json",
    "package-lock.json",
    "build.mjs",
    "node-globals.js",
    "lazy/faker.js",
    "lazy/iconv-lite.js",
    "ui-editor.js",
    "ui-components.js",
];

fn bundle_sandbox_libraries() {
    // Read when the script runs, not baked in when it is compiled: cargo reuses a compiled build
    // script for another checkout of the same sources sharing the target directory.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let source = Path::new(&manifest).join("js");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    // Installed under OUT_DIR, not in js/: builds of different profiles run at once and must not
    // share one node_modules.
    let work = out.join("js-build");
    std::fs::create_dir_all(work.join("lazy"))
        .expect("cannot create the JavaScript build directory");
    for file in JS_INPUTS {
        println!("cargo:rerun-if-changed=js/{file}");
        std::fs::copy(source.join(file), work.join(file))
            .unwrap_or_else(|e| panic!("cannot copy js/{file} into {}: {e}", work.display()));
    }
    let npm = std::env::var("NPM").unwrap_or_else(|_| "npm".into());
    let node = std::env::var("NODE").unwrap_or_else(|_| "node".into());
    let installed = work.join("installed-package-lock.json");
    if !same_file_contents(&installed, &work.join("package-lock.json")) {
        run(
            Command::new(&npm)
                .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
                .args(["--loglevel", "error"])
                .current_dir(&work),
            &format!("{npm} ci"),
        );
        // Remember which lockfile node_modules was installed from: a changed one reinstalls.
        std::fs::copy(work.join("package-lock.json"), &installed)
            .expect("cannot record the installed lockfile");
    }
    run(
        Command::new(&node)
            .arg("build.mjs")
            .arg(out.join("js"))
            .current_dir(&work),
        &format!("{node} build.mjs"),
    );
}

fn same_file_contents(a: &Path, b: &Path) -> bool {
    matches!((std::fs::read(a), std::fs::read(b)), (Ok(x), Ok(y)) if x == y)
}

fn run(command: &mut Command, what: &str) {
    match command.status() {
        Ok(status) if status.success() => {}
        Ok(status) => panic!(
            "`{what}` failed ({status}) while bundling the script sandbox's JavaScript libraries \
             from js/package-lock.json; it needs Node.js 18+ with npm and access to the npm registry"
        ),
        Err(e) => panic!(
            "cannot run `{what}` ({e}): building Vayu needs Node.js 18+ with npm for the script \
             sandbox's libraries (Debian: apt-get install nodejs npm; or set NODE and NPM)"
        ),
    }
}
