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

/// The functions of a Rust source with their first line (0-based), name and length in lines.
/// A small lexer: strings, raw strings, chars and comments are skipped, so their braces do not
/// count; a `fn` with no body (a trait's) is not a function here.
fn functions(text: &str) -> Vec<(usize, String, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let (mut i, mut line, mut depth, mut nest) = (0, 0, 0usize, 0usize);
    // (first line, name, depth of its body or None until its `{`, `(`/`[` nesting at its `fn`:
    // a `;` inside brackets, as in `-> [u8; 4]`, does not end a signature)
    let mut open: Vec<(usize, String, Option<usize>, usize)> = Vec::new();
    let mut out = Vec::new();
    let word_at = |i: usize| {
        let end = (i..chars.len())
            .find(|&j| !(chars[j].is_alphanumeric() || chars[j] == '_'))
            .unwrap_or(chars.len());
        chars[i..end].iter().collect::<String>()
    };
    while i < chars.len() {
        let c = chars[i];
        let prev_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        if c == '\n' {
            line += 1;
        } else if c == '/' && next == '/' {
            i = (i..chars.len())
                .find(|&j| chars[j] == '\n')
                .unwrap_or(chars.len());
            continue;
        } else if c == '/' && next == '*' {
            let end = text_find(&chars, i + 2, &['*', '/']);
            line += chars[i..end].iter().filter(|&&c| c == '\n').count();
            i = end + 2;
            continue;
        } else if c == 'r' && !prev_ident && (next == '"' || next == '#') {
            let hashes = (i + 1..chars.len())
                .take_while(|&j| chars[j] == '#')
                .count();
            if chars.get(i + 1 + hashes) == Some(&'"') {
                let mut close = vec!['"'];
                close.extend(std::iter::repeat_n('#', hashes));
                let end = text_find(&chars, i + 2 + hashes, &close);
                line += chars[i..end].iter().filter(|&&c| c == '\n').count();
                i = end + close.len();
                continue;
            }
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                line += usize::from(chars[j] == '\n');
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            i = j + 1;
            continue;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}'), else a lifetime.
            if next == '\\' {
                i = (i + 2..chars.len())
                    .find(|&j| chars[j] == '\'')
                    .unwrap_or(chars.len())
                    + 1;
                continue;
            }
            if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                continue;
            }
        } else if c == 'f' && next == 'n' && !prev_ident {
            let after = chars.get(i + 2).copied().unwrap_or(' ');
            if after.is_whitespace() {
                let start = (i + 2..chars.len())
                    .find(|&j| !chars[j].is_whitespace())
                    .unwrap_or(i + 2);
                let name = word_at(start);
                if !name.is_empty() {
                    open.push((line, name, None, nest));
                }
            }
        } else if c == '(' || c == '[' {
            nest += 1;
        } else if c == ')' || c == ']' {
            nest = nest.saturating_sub(1);
        } else if c == ';' && open.last().is_some_and(|f| f.2.is_none() && f.3 == nest) {
            open.pop();
        } else if c == '{' {
            depth += 1;
            if let Some(f) = open.last_mut().filter(|f| f.2.is_none()) {
                f.2 = Some(depth);
            }
        } else if c == '}' {
            if open.last().is_some_and(|f| f.2 == Some(depth)) {
                let (first, name, ..) = open.pop().unwrap();
                out.push((first, name, line - first + 1));
            }
            depth = depth.saturating_sub(1);
        }
        i += 1;
    }
    out
}

/// Where `pattern` next starts at or after `from` (the end of the text if nowhere).
fn text_find(chars: &[char], from: usize, pattern: &[char]) -> usize {
    (from..chars.len())
        .find(|&j| chars[j..].starts_with(pattern))
        .unwrap_or(chars.len())
}

/// Issue 27's rule: no function over 60 lines in `src/` unless a `// Kept whole:` comment above
/// it says why (a table, one match over a spec's cases, steps a specification lists in order).
/// Test modules are exempt.
#[test]
fn no_function_is_over_60_lines_without_saying_why() {
    let mut long = Vec::new();
    for path in files("src").into_iter().chain(files("ffi/src")) {
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(root().join(&path)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let tests_from = lines
            .windows(2)
            .position(|w| w[0].trim() == "#[cfg(test)]" && w[1].trim_start().contains("mod "))
            .unwrap_or(lines.len());
        for (first, name, length) in functions(&text) {
            if length <= 60 || first >= tests_from {
                continue;
            }
            let says_why = lines[..first]
                .iter()
                .rev()
                .take_while(|l| {
                    let l = l.trim_start();
                    l.starts_with("//") || l.starts_with("#[")
                })
                .any(|l| l.contains("Kept whole:"));
            if !says_why {
                long.push(format!(
                    "{}:{} fn {name} ({length} lines)",
                    path.display(),
                    first + 1
                ));
            }
        }
    }
    assert!(
        long.is_empty(),
        "{} functions over 60 lines with no `// Kept whole:` comment saying why; split them or say why:\n{}",
        long.len(),
        long.join("\n")
    );
}

/// The lexer above finds what it should: a body's length, braces in strings and chars
/// ignored, a bodiless trait fn skipped, a nested fn found on its own, an array type's `;` in
/// a signature not taken for the end of a bodiless fn.
#[test]
fn the_function_lexer_measures_what_it_should() {
    let text = "trait T { fn a(&self); }\nfn b() {\n    let s = \"{\";\n    let c = '{';\n    let r = r#\"}\"#;\n    // }\n    fn c<'a>(x: &'a str) -> &'a str { x }\n}\nfn d() -> [u8; 2] {\n    [0; 2]\n}\n";
    assert_eq!(
        functions(text),
        vec![
            (6, "c".to_string(), 1),
            (1, "b".to_string(), 7),
            (8, "d".to_string(), 3)
        ]
    );
}
