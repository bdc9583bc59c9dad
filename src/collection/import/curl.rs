//! curl commands in: each command (as bash or Windows cmd quote it) becomes one request of the
//! collection, named by its url as Postman's curl importer names it. The flags that shape the
//! request are read; flags that only change curl's own output are listed in the report as
//! ignored, and flags Vayu does not know are listed too, never dropped unseen.

use super::curl_words::commands;
use super::{Format, ImportError, ImportReport, Imported};
use serde_json::{json, Value};

/// Whether the text is curl commands (its first word is `curl`).
pub(super) fn looks_like_curl(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l == "curl" || l.starts_with("curl ") || l.starts_with("curl.exe "))
}

pub(super) fn convert(text: &str) -> Result<Imported, ImportError> {
    let err = |line: usize, message: String| ImportError {
        path: format!("curl (line {line})"),
        message,
    };
    let mut report = ImportReport::default();
    let mut items = Vec::new();
    let list = commands(text).map_err(|m| err(1, m))?;
    if list.is_empty() {
        return Err(err(1, "there is no curl command in it".into()));
    }
    for (line, words) in list {
        let mut request = CurlRequest::default();
        request.read(&words).map_err(|m| err(line, m))?;
        report.notes.extend(
            request
                .notes
                .iter()
                .map(|n| format!("curl (line {line}): {n}")),
        );
        items.push(request.item().map_err(|m| err(line, m))?);
    }
    Ok(Imported {
        format: Format::Curl,
        collection: json!({
            "info": {
                "name": "curl",
                "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
            },
            "item": items,
        }),
        think_times: Vec::new(),
        report,
    })
}

/// What one command asks for, as its flags are read.
#[derive(Default)]
pub(super) struct CurlRequest {
    pub(super) url: Option<String>,
    pub(super) method: Option<String>,
    pub(super) headers: Vec<(String, String)>,
    /// `-A`, `-b` and `-e`: written around `headers` as Postman's importer orders them.
    pub(super) user_agent: Option<String>,
    pub(super) cookie: Option<String>,
    pub(super) referer: Option<String>,
    /// `-d` and friends, in order, each already as curl sends it.
    pub(super) data: Vec<String>,
    /// `--json`'s parts.
    pub(super) json: Vec<String>,
    pub(super) form: Vec<Value>,
    pub(super) user: Option<String>,
    pub(super) get: bool,
    pub(super) head: bool,
    pub(super) follow: bool,
    pub(super) insecure: bool,
    pub(super) globoff: bool,
    pub(super) notes: Vec<String>,
}

/// Flags that change only what curl prints or how it retries, not the request sent.
const OUTPUT_ONLY: &[&str] = &[
    "-s",
    "--silent",
    "-S",
    "--show-error",
    "-v",
    "--verbose",
    "-i",
    "--include",
    "-f",
    "--fail",
    "--fail-with-body",
    "--progress-bar",
    "-#",
    "--compressed",
    "--no-progress-meter",
    "-N",
    "--no-buffer",
    "--http1.1",
    "--http2",
    "--http2-prior-knowledge",
    "--tr-encoding",
];
/// The same, taking a value.
const OUTPUT_ONLY_WITH_VALUE: &[&str] = &[
    "-o",
    "--output",
    "-w",
    "--write-out",
    "-D",
    "--dump-header",
    "--retry",
    "--retry-delay",
    "--retry-max-time",
    "-m",
    "--max-time",
    "--connect-timeout",
    "--stderr",
    "--trace",
    "--trace-ascii",
    "-c",
    "--cookie-jar",
];
/// Short flags that take a value (the rest of the word, or the next word).
const SHORT_WITH_VALUE: &str = "XHdFuAebomwDc";

impl CurlRequest {
    /// Reads the words after `curl`.
    fn read(&mut self, words: &[String]) -> Result<(), String> {
        let mut words = words.iter().map(String::as_str);
        match words.next() {
            Some("curl" | "curl.exe") => {}
            other => {
                return Err(format!(
                    "a command starts with `{}`, not `curl`; give curl commands, one per line",
                    other.unwrap_or_default()
                ))
            }
        }
        let mut only_urls = false;
        while let Some(word) = words.next() {
            if only_urls || !word.starts_with('-') || word == "-" {
                self.set_url(word)?;
                continue;
            }
            if word == "--" {
                only_urls = true;
                continue;
            }
            let (flag, inline) = split_flag(word);
            for (flag, inline) in expand_short(flag, inline) {
                let takes_value = takes_value(&flag);
                let value = match (takes_value, inline) {
                    (false, _) => None,
                    (true, Some(v)) => Some(v),
                    (true, None) => Some(
                        words
                            .next()
                            .ok_or_else(|| format!("`{flag}` needs a value"))?
                            .to_string(),
                    ),
                };
                self.flag(&flag, value)?;
            }
        }
        Ok(())
    }

    fn set_url(&mut self, word: &str) -> Result<(), String> {
        if self.url.is_some() {
            return Err(format!(
                "the command names two urls (the second is `{word}`); Vayu imports one request per command: write one command per url"
            ));
        }
        self.url = Some(word.to_string());
        Ok(())
    }

    /// One flag and its value.
    fn flag(&mut self, flag: &str, value: Option<String>) -> Result<(), String> {
        let v = value.unwrap_or_default();
        match flag {
            "--oauth2-bearer" => self.headers.push(("Authorization".into(), format!("Bearer {v}"))),
            "-X" | "--request" => self.method = Some(v.to_ascii_uppercase()),
            "-H" | "--header" => self.header(&v),
            "-d" | "--data" | "--data-ascii" | "--data-binary" => self.data(&v, true),
            "--data-raw" => self.data(&v, false),
            "--data-urlencode" => self.data_urlencode(&v),
            "--json" => self.json.push(v),
            "-F" | "--form" => self.form(&v, true),
            "--form-string" => self.form(&v, false),
            "-u" | "--user" => self.user = Some(v),
            "-b" | "--cookie" if v.contains('=') => self.cookie = Some(v),
            "-b" | "--cookie" => self
                .notes
                .push(format!("`{flag} {v}` reads cookies from a file, which is not read; the cookies were not imported")),
            "-A" | "--user-agent" => self.user_agent = Some(v),
            "-e" | "--referer" => {
                let referer = v.trim_end_matches(";auto").to_string();
                self.referer = Some(referer).filter(|r| !r.is_empty());
            }
            "-L" | "--location" => self.follow = true,
            // The engine always asks for compressed responses and decodes them.
            "--compressed" => {}
            "-k" | "--insecure" => self.insecure = true,
            "-G" | "--get" => self.get = true,
            "-I" | "--head" => self.head = true,
            "-g" | "--globoff" => self.globoff = true,
            "--url" => self.set_url(&v)?,
            f if OUTPUT_ONLY.contains(&f) || OUTPUT_ONLY_WITH_VALUE.contains(&f) => self
                .notes
                .push(format!("`{f}` ignored: it changes what curl prints or how it retries, not the request")),
            f => self.notes.push(format!(
                "`{f}`{} is not a flag Vayu imports; it was left out",
                if v.is_empty() { String::new() } else { format!(" {v}") }
            )),
        }
        Ok(())
    }

    fn header(&mut self, v: &str) {
        if let Some(file) = v.strip_prefix('@') {
            self.notes.push(format!(
                "`-H @{file}` reads headers from a file, which is not read; add them to the request"
            ));
            return;
        }
        match v.split_once(':') {
            // `-H 'X:'` removes a header curl would send; there is nothing to import.
            Some((_, value)) if value.trim().is_empty() => {}
            Some((key, value)) => self
                .headers
                .push((key.trim().to_string(), value.trim().to_string())),
            // `-H 'X;'` sends the header empty.
            None => match v.strip_suffix(';') {
                Some(key) => self.headers.push((key.trim().to_string(), String::new())),
                None => self
                    .notes
                    .push(format!("`-H {v}` is not a `Name: value` header; left out")),
            },
        }
    }

    fn data(&mut self, v: &str, files: bool) {
        if files && v.starts_with('@') {
            self.notes.push(format!(
                "`-d {v}` reads the body from a file, which is not read; the body is left empty: paste it in"
            ));
            return;
        }
        self.data.push(v.to_string());
    }

    /// `--data-urlencode`: `content`, `=content` or `name=content` (encoded); `name@file` is
    /// not read.
    fn data_urlencode(&mut self, v: &str) {
        // As curl_easy_escape: all but RFC 3986's unreserved characters.
        let encode = crate::model::auth::encode_unreserved;
        match v.split_once('=') {
            Some(("", content)) => self.data.push(encode(content)),
            Some((name, content)) => self.data.push(format!("{name}={}", encode(content))),
            None if v.contains('@') => self.notes.push(format!(
                "`--data-urlencode {v}` reads a file, which is not read; left out"
            )),
            None => self.data.push(encode(v)),
        }
    }

    fn form(&mut self, v: &str, files: bool) {
        let Some((key, value)) = v.split_once('=') else {
            self.notes
                .push(format!("`-F {v}` is not `name=value`; left out"));
            return;
        };
        let (value, content_type) = match value.split_once(";type=") {
            Some((value, ct)) if files => (value, Some(ct)),
            _ => (value, None),
        };
        let mut field = match value.strip_prefix('@') {
            Some(file) if files => json!({"key": key, "type": "file", "src": file}),
            _ => match value.strip_prefix('<') {
                Some(file) if files => {
                    self.notes.push(format!(
                        "`-F {key}=<{file}` sends a file's text; it is imported as a file part"
                    ));
                    json!({"key": key, "type": "file", "src": file})
                }
                _ => json!({"key": key, "type": "text", "value": value}),
            },
        };
        if let Some(ct) = content_type {
            field["contentType"] = json!(ct);
        }
        self.form.push(field);
    }
}

/// `--flag=value` into its parts (curl takes long flags' values only as the next word, but
/// copies from tools write both).
fn split_flag(word: &str) -> (&str, Option<String>) {
    if word.starts_with("--") {
        if let Some((flag, value)) = word.split_once('=') {
            if takes_value(flag) {
                return (flag, Some(value.to_string()));
            }
        }
    }
    (word, None)
}

/// Short flags written together (`-sSL`, `-XPOST`) one by one, a value flag taking the rest.
fn expand_short(flag: &str, inline: Option<String>) -> Vec<(String, Option<String>)> {
    if flag.starts_with("--") || flag.len() <= 2 {
        return vec![(flag.to_string(), inline)];
    }
    let mut out = Vec::new();
    for (i, c) in flag.char_indices().skip(1) {
        if SHORT_WITH_VALUE.contains(c) {
            let rest = &flag[i + c.len_utf8()..];
            out.push((
                format!("-{c}"),
                (!rest.is_empty()).then(|| rest.to_string()),
            ));
            return out;
        }
        out.push((format!("-{c}"), None));
    }
    out
}

fn takes_value(flag: &str) -> bool {
    const LONG_WITH_VALUE: &[&str] = &[
        "--request",
        "--header",
        "--data",
        "--data-ascii",
        "--data-binary",
        "--data-raw",
        "--data-urlencode",
        "--json",
        "--form",
        "--form-string",
        "--user",
        "--cookie",
        "--user-agent",
        "--referer",
        "--url",
        "--proxy",
        "--cert",
        "--key",
        "--cacert",
        "--resolve",
        "--connect-to",
        "--interface",
        "--limit-rate",
        "--max-redirs",
        "--oauth2-bearer",
        "--aws-sigv4",
        "--proxy-user",
        "--upload-file",
        "--range",
    ];
    match flag.strip_prefix("--") {
        Some(_) => LONG_WITH_VALUE.contains(&flag) || OUTPUT_ONLY_WITH_VALUE.contains(&flag),
        None => {
            flag.len() == 2
                && (SHORT_WITH_VALUE.contains(&flag[1..]) || "xTrE".contains(&flag[1..]))
        }
    }
}
