//! Checks that keep the docs and the tree honest, after rust-analyzer's `xtask tidy`: the code
//! map in `docs/architecture.md` names every source file, and every path, type and test it
//! names exists; every example parses as what its name says; and the files on a worker's
//! request path take no lock.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` (relative to the repository root), recursively.
fn files(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![root().join(dir)];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.push(path.strip_prefix(root()).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn architecture() -> String {
    std::fs::read_to_string(root().join("docs/architecture.md")).unwrap()
}

/// The backticked spans of a Markdown text.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// All Rust sources of the crate and its ffi crate, as one text.
fn all_code() -> String {
    files("src")
        .into_iter()
        .chain(files("ffi/src"))
        .filter(|p| p.extension().is_some_and(|e| e == "rs" || e == "js"))
        .map(|p| std::fs::read_to_string(root().join(p)).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '_');
        boundary(before) && boundary(after)
    })
}

#[test]
fn the_code_map_names_every_source_file() {
    let map = architecture();
    let missing: Vec<String> = files("src")
        .into_iter()
        .chain(files("ffi/src"))
        .filter(|p| p.extension().is_some_and(|e| e == "rs" || e == "js"))
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            // A directory's mod.rs is named by its directory.
            let named = if name == "mod.rs" {
                let dir = p.parent().unwrap().file_name().unwrap().to_string_lossy();
                map.contains(&format!("{dir}/"))
            } else {
                map.contains(name.as_ref())
            };
            !named
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "docs/architecture.md's code map does not name: {missing:#?}"
    );
}

#[test]
fn every_path_type_and_test_the_code_map_names_exists() {
    let map = architecture();
    let all_files: Vec<String> = [
        "src", "ffi", "tests", "docs", "scripts", "bench", "examples", "js", ".ci",
    ]
    .iter()
    .filter(|d| root().join(d).exists())
    .flat_map(|d| files(d))
    .map(|p| p.display().to_string())
    .chain(["Cargo.toml", "README.md", "build.rs"].map(String::from))
    .collect();
    let code = all_code();
    let tests_code: String = files("tests")
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .chain(files("src"))
        .chain(files("ffi/src"))
        .filter_map(|p| std::fs::read_to_string(root().join(p)).ok())
        .collect::<Vec<_>>()
        .join("\n");
    let mut missing = Vec::new();
    for span in backticked(&map) {
        let span = span.trim();
        let is_path = !span.contains(' ')
            && (span.ends_with(".rs")
                || span.ends_with(".js")
                || span.ends_with(".md")
                || span.ends_with(".sh")
                || span.ends_with(".mjs"));
        if is_path {
            let path = span.trim_start_matches("./");
            if !all_files
                .iter()
                .any(|f| f == path || f.ends_with(&format!("/{path}")))
            {
                missing.push(format!("path {span}"));
            }
            continue;
        }
        let is_type = span.len() > 1
            && span.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && span.chars().all(|c| c.is_ascii_alphanumeric())
            && span.chars().any(|c| c.is_ascii_lowercase());
        if is_type && !has_word(&code, span) {
            missing.push(format!("type {span}"));
        }
        // A test: `module::name_of_the_test` (snake case, at least three words); not a lint.
        let lint = span.starts_with("clippy::") || span.starts_with("rustc::");
        if let Some(name) = span
            .rsplit("::")
            .next()
            .filter(|_| span.contains("::") && !lint)
        {
            let test_like = name.matches('_').count() >= 2
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if test_like && !tests_code.contains(&format!("fn {name}(")) {
                missing.push(format!("test {span}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/architecture.md names what does not exist: {missing:#?}"
    );
}

#[test]
fn every_example_parses_as_what_its_name_says() {
    for path in files("examples") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(root().join(&path)).unwrap();
        let what = |r: Result<(), String>| {
            if let Err(e) = r {
                panic!("{}: {e}", path.display());
            }
        };
        if name.ends_with(".postman_collection.json") {
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            let options = vayu::collection::ImportOptions {
                working_dir: root().join("examples"),
                folders: Vec::new(),
                skip_files: false,
                no_insecure_file_read: false,
            };
            what(
                vayu::collection::import(&doc, &options)
                    .map(drop)
                    .map_err(|e| e.to_string()),
            );
        } else if name.ends_with(".postman_environment.json") {
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            what(vayu::collection::variable_scope("environment", doc).map(drop));
        } else if name.ends_with(".csv") {
            what(vayu::flow::parse_data(&name, &text).map(drop));
        } else if name.starts_with("load") {
            what(
                vayu::run::RunSpec::from_json(&text)
                    .and_then(|spec| spec.prepare(1000))
                    .map(drop)
                    .map_err(|e| e.to_string()),
            );
        } else if name.ends_with(".json") {
            what(
                vayu::model::RequestSpec::from_json(&text)
                    .map_err(|e| e.to_string())
                    .and_then(|spec| spec.prepare().map(drop).map_err(|e| e.to_string())),
            );
        } else {
            panic!("{}: no rule says what this example is", path.display());
        }
    }
}

/// The files a worker runs for every request take no lock (docs/architecture.md's invariant:
/// each worker owns everything on its request path).
#[test]
fn the_request_path_takes_no_lock() {
    for file in [
        "src/engine/transfer.rs",
        "src/engine/worker.rs",
        "src/engine/job.rs",
        "src/engine/rate_limiter.rs",
        "src/engine/stats.rs",
        "ffi/src/parsed_url.rs",
    ] {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        for lock in ["Mutex", "RwLock", ".lock()", ".read()", ".write()"] {
            assert!(
                !text.contains(lock),
                "{file} has `{lock}`: a worker's request path takes no lock"
            );
        }
    }
    assert!(Path::new(&root().join("ffi/src/parsed_url.rs")).exists());
}
