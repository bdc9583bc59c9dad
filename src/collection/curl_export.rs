//! A request as a curl command (bash quoting): "copy as curl" for saved requests and
//! `vayu-cli export curl`. What curl cannot say itself (the signing auths, which Vayu signs
//! per send) is written as a comment line above the command, not dropped.

use crate::flow::{FormPart, Step, StepBody};
use crate::model::{
    add_content_type, ApiKeyPlace, AuthSpec, FormDataSpec, HeaderSpec, HeaderSpecs, InlineFile,
};
use crate::store::SavedRequest;
use std::collections::BTreeMap;

/// A body as a curl command sends it.
pub enum CurlBody<'a> {
    None,
    Raw(&'a str),
    UrlEncoded(&'a [(String, String)]),
    Form(&'a [FormPart]),
    /// A file sent as it is, by its name (`--data-binary @name`).
    File(&'a str),
}

/// The command for one request; each option on its own line, joined by `\`.
pub fn curl_command(
    method: &str,
    url: &str,
    headers: &[HeaderSpec],
    body: CurlBody<'_>,
    auth: Option<&AuthSpec>,
) -> String {
    let mut comments = Vec::new();
    let mut url = url.to_string();
    let mut args: Vec<String> = Vec::new();
    if !method.eq_ignore_ascii_case("GET") || !matches!(body, CurlBody::None) {
        args.push(format!("-X {}", quote(&method.to_ascii_uppercase())));
    }
    for h in headers.iter().filter(|h| !h.disabled) {
        args.push(format!("-H {}", quote(&header_text(&h.key, &h.value))));
    }
    if let Some(auth) = auth {
        auth_args(auth, &mut url, &mut args, &mut comments);
    }
    match body {
        CurlBody::None => {}
        CurlBody::Raw(text) => args.push(format!("--data-raw {}", quote(text))),
        CurlBody::UrlEncoded(fields) => args.extend(
            fields
                .iter()
                .map(|(k, v)| format!("--data-urlencode {}", quote(&format!("{k}={v}")))),
        ),
        CurlBody::Form(parts) => args.extend(parts.iter().map(form_arg)),
        CurlBody::File(name) => args.push(format!("--data-binary {}", quote(&format!("@{name}")))),
    }
    let mut lines: Vec<String> = comments.into_iter().map(|c| format!("# {c}")).collect();
    let mut command = format!("curl {}", quote(&url));
    for arg in args {
        command.push_str(" \\\n  ");
        command.push_str(&arg);
    }
    lines.push(command);
    lines.join("\n")
}

/// A request's `body` as a command sends it: text as it is, JSON serialized with the
/// `Content-Type` Vayu implies for it (docs/cli.md) added unless a header sets one.
pub fn written_body(
    body: Option<&serde_json::Value>,
    headers: &mut Vec<HeaderSpec>,
) -> Option<String> {
    match body? {
        serde_json::Value::Null => None,
        serde_json::Value::String(text) => Some(text.clone()),
        json => {
            add_content_type(headers, "application/json");
            Some(json.to_string())
        }
    }
}

/// "Copy as curl": a saved request as a command, with its path variables filled in as written,
/// and its form parts and file body naming the files (curl reads them from where it runs).
pub fn saved_request_command(r: &SavedRequest) -> String {
    let mut headers = serde_json::from_value::<HeaderSpecs>(r.headers.clone())
        .map(|h| h.0)
        .unwrap_or_default();
    let auth = r
        .auth
        .clone()
        .and_then(|a| serde_json::from_value::<AuthSpec>(a).ok());
    let url = match parsed::<BTreeMap<String, String>>(&r.extras.path_variables) {
        Some(vars) => crate::model::resolve_path_variables(&r.url, &vars, false),
        None => r.url.clone(),
    };
    let form: Option<Vec<FormPart>> =
        parsed::<Vec<FormDataSpec>>(&r.extras.form_data).map(|parts| {
            parts
                .into_iter()
                .filter(|p| !p.disabled)
                .map(form_part)
                .collect()
        });
    let file = parsed::<InlineFile>(&r.extras.body_file);
    let text = written_body(r.body.as_ref(), &mut headers);
    let body = match (&form, &file, &text) {
        (Some(parts), _, _) => CurlBody::Form(parts),
        (None, Some(file), _) => {
            let content_type = file
                .content_type
                .as_deref()
                .unwrap_or("application/octet-stream");
            add_content_type(&mut headers, content_type);
            CurlBody::File(base_name(&file.name))
        }
        (None, None, Some(text)) => CurlBody::Raw(text),
        (None, None, None) => CurlBody::None,
    };
    curl_command(&r.method, &url, &headers, body, auth.as_ref())
}

/// A saved request's extra field as its type (checked when it was saved).
fn parsed<T: serde::de::DeserializeOwned>(value: &Option<serde_json::Value>) -> Option<T> {
    serde_json::from_value(value.clone()?).ok()
}

/// A file's name without its directories: the command reads the file from where it runs, and
/// a stored name (`../../.ssh/id_rsa`) must not make it upload another.
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// A form part as the command names it (a file by its base name: its bytes stay in Vayu).
fn form_part(p: FormDataSpec) -> FormPart {
    match p.file {
        Some(file) => FormPart::File {
            key: p.key,
            file_name: base_name(&file.name).to_string(),
            bytes: Default::default(),
            content_type: p.content_type.or(file.content_type),
        },
        None => FormPart::Text {
            key: p.key,
            value: p.value.unwrap_or_default(),
            content_type: p.content_type,
        },
    }
}

/// A flow step (an imported collection's request) as a command.
pub fn step_command(step: &Step) -> String {
    let r = &step.request;
    let raw = r.body.as_ref().map(|b| match b {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let mut headers = r.headers.0.clone();
    if let Some(ct) = &step.raw_type {
        add_content_type(&mut headers, ct);
    }
    let body = match (&step.body, &raw) {
        (StepBody::UrlEncoded(fields), _) => CurlBody::UrlEncoded(fields),
        (StepBody::FormData(parts), _) => CurlBody::Form(parts),
        (StepBody::GraphQl { query, variables }, _) => {
            let vars = serde_json::from_str::<serde_json::Value>(variables).unwrap_or_default();
            let text = serde_json::json!({"query": query, "variables": vars}).to_string();
            return curl_command(
                &r.method,
                &r.url,
                &headers,
                CurlBody::Raw(&text),
                r.auth.as_ref(),
            );
        }
        (_, Some(text)) if !text.is_empty() => CurlBody::Raw(text),
        _ => CurlBody::None,
    };
    curl_command(&r.method, &r.url, &headers, body, r.auth.as_ref())
}

fn header_text(key: &str, value: &str) -> String {
    // `-H 'X:'` would remove the header; `-H 'X;'` sends it empty.
    if value.is_empty() {
        format!("{key};")
    } else {
        format!("{key}: {value}")
    }
}

fn auth_args(
    auth: &AuthSpec,
    url: &mut String,
    args: &mut Vec<String>,
    comments: &mut Vec<String>,
) {
    let mut place = |p: &ApiKeyPlace, key: &str, value: &str, args: &mut Vec<String>| match p {
        ApiKeyPlace::Header => args.push(format!("-H {}", quote(&header_text(key, value)))),
        ApiKeyPlace::Query => {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&format!("{key}={value}"));
        }
    };
    match auth {
        AuthSpec::Basic { username, password } => {
            args.push(format!("-u {}", quote(&format!("{username}:{password}"))))
        }
        AuthSpec::Bearer { token } => {
            args.push(format!("-H {}", quote(&format!("Authorization: Bearer {token}"))))
        }
        AuthSpec::ApiKey { key, value, place: p } => place(p, key, value, args),
        AuthSpec::OAuth2 {
            access_token,
            place: p,
            header_prefix,
        } => match p {
            ApiKeyPlace::Header => {
                let prefix = header_prefix.as_deref().unwrap_or("Bearer");
                args.push(format!("-H {}", quote(&format!("Authorization: {prefix} {access_token}"))))
            }
            ApiKeyPlace::Query => place(p, "access_token", access_token, args),
        },
        AuthSpec::Digest(d) => {
            args.push("--digest".into());
            args.push(format!("-u {}", quote(&format!("{}:{}", d.username, d.password))));
        }
        AuthSpec::Ntlm(n) => {
            args.push("--ntlm".into());
            let user = match n.domain.as_str() {
                "" => n.username.clone(),
                domain => format!("{domain}\\{}", n.username),
            };
            args.push(format!("-u {}", quote(&format!("{user}:{}", n.password))));
        }
        signed => comments.push(format!(
            "this request's {} auth is signed by Vayu for each send; curl cannot sign it, so the command does not carry it",
            serde_json::to_value(signed).ok().and_then(|v| v.get("type").and_then(|t| t.as_str().map(str::to_string))).unwrap_or_else(|| "signing".into())
        )),
    }
}

/// curl's `;type=` for a file part's content type: only a plain `type/subtype`, since curl
/// reads `,` and `;` in it as more files and parameters (`;headers=@file` reads a file).
fn type_suffix(content_type: &Option<String>) -> String {
    let plain = |c: &str| {
        c.split_once('/').is_some_and(|(t, s)| {
            [t, s].iter().all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || "._+-".contains(ch))
            })
        })
    };
    content_type
        .as_deref()
        .filter(|c| plain(c))
        .map(|c| format!(";type={c}"))
        .unwrap_or_default()
}

/// One form part as curl's option: text through `--form-string` (its value literal, `;type=`
/// included, so a text part's type is not said), a file as `-F name=@"file"` with the file
/// name quoted as curl reads it (a `,` or `;` in it is then part of the name).
fn form_arg(part: &FormPart) -> String {
    match part {
        FormPart::Text { key, value, .. } => {
            format!("--form-string {}", quote(&format!("{key}={value}")))
        }
        FormPart::File {
            key,
            file_name,
            content_type,
            ..
        } => {
            let name = file_name.replace('\\', "\\\\").replace('"', "\\\"");
            let ct = type_suffix(content_type);
            format!("-F {}", quote(&format!("{key}=@\"{name}\"{ct}")))
        }
    }
}

/// A word as bash reads it back (single quotes when needed).
fn quote(word: &str) -> String {
    match shlex::try_quote(word) {
        Ok(q) => q.into_owned(),
        // A NUL byte: bash cannot pass it either; written visibly instead.
        Err(_) => format!("'{}'", word.replace('\0', "\\0").replace('\'', "'\\''")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A saved POST to `{{base}}/users/:id` with `extra` fields.
    fn saved(extra: serde_json::Value) -> SavedRequest {
        let mut fields = json!({
            "id": "req_1", "collectionId": null, "name": "n", "method": "POST",
            "url": "{{base}}/users/:id", "headers": [], "body": null, "auth": null,
            "preRequestScript": null, "postRequestScript": null, "updatedAt": 0,
            "pathVariables": {"id": "{{userId}}"},
        });
        for (k, v) in extra.as_object().unwrap() {
            fields[k] = v.clone();
        }
        serde_json::from_value(fields).unwrap()
    }

    #[test]
    fn a_saved_requests_path_variables_form_and_file_are_in_its_command() {
        let form = saved(json!({"formData": [
            {"key": "note", "value": "hi"},
            {"key": "pic", "file": {"name": "a.png", "contentType": "image/png", "base64": "AAE="}},
            {"key": "off", "value": "x", "disabled": true},
        ]}));
        assert_eq!(
            saved_request_command(&form),
            "curl '{{base}}/users/{{userId}}' \\\n  -X POST \\\n  --form-string 'note=hi' \\\n  -F 'pic=@\"a.png\";type=image/png'"
        );
        // What curl would read as more files or a headers file stays in the name, or is left out.
        let sly = saved(json!({"formData": [
            {"key": "a", "file": {"name": "x.png,.netrc", "contentType": "text/plain,/home/u/.ssh/id_rsa", "base64": "AAE="}},
            {"key": "b", "file": {"name": "y\"z", "base64": "AAE="}, "contentType": "a/b;headers=@/home/u/.netrc"},
        ]}));
        let command = saved_request_command(&sly);
        assert!(command.contains(r#"-F 'a=@"x.png,.netrc"'"#), "{command}");
        assert!(command.contains(r#"-F "b=@\"y\\\"z\"""#), "{command}");
        assert!(!command.contains("type="), "{command}");
        let file = saved(json!({"bodyFile": {"name": "../../.ssh/b.bin", "base64": "AAE="}}));
        assert_eq!(
            saved_request_command(&file),
            "curl '{{base}}/users/{{userId}}' \\\n  -X POST \\\n  -H 'Content-Type: application/octet-stream' \\\n  --data-binary @b.bin"
        );
    }

    #[test]
    fn a_request_reads_back_as_the_same_words() {
        let headers = vec![
            HeaderSpec {
                key: "X-Q".into(),
                value: "it's \"q\"".into(),
                disabled: false,
            },
            HeaderSpec {
                key: "X-Off".into(),
                value: "1".into(),
                disabled: true,
            },
        ];
        let auth = AuthSpec::Basic {
            username: "ann".into(),
            password: "p w".into(),
        };
        let cmd = curl_command(
            "post",
            "http://127.0.0.1:1/a?b=1&c=2",
            &headers,
            CurlBody::Raw("{\"a\": 1}"),
            Some(&auth),
        );
        let words = shlex::split(&cmd.replace("\\\n", "")).unwrap();
        assert_eq!(
            words,
            [
                "curl",
                "http://127.0.0.1:1/a?b=1&c=2",
                "-X",
                "POST",
                "-H",
                "X-Q: it's \"q\"",
                "-u",
                "ann:p w",
                "--data-raw",
                "{\"a\": 1}"
            ]
        );
    }
}
