//! A request as a curl command (bash quoting): "copy as curl" for saved requests and
//! `vayu-cli export curl`. What curl cannot say itself (the signing auths, which Vayu signs
//! per send) is written as a comment line above the command, not dropped.

use crate::flow::{FormPart, Step, StepBody};
use crate::model::{ApiKeyPlace, AuthSpec, HeaderSpec};

/// A body as a curl command sends it.
pub enum CurlBody<'a> {
    None,
    Raw(&'a str),
    UrlEncoded(&'a [(String, String)]),
    Form(&'a [FormPart]),
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
            if !headers
                .iter()
                .any(|h| !h.disabled && h.key.eq_ignore_ascii_case("content-type"))
            {
                headers.push(HeaderSpec {
                    key: "Content-Type".into(),
                    value: "application/json".into(),
                    disabled: false,
                });
            }
            Some(json.to_string())
        }
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
        if !headers
            .iter()
            .any(|h| !h.disabled && h.key.eq_ignore_ascii_case("content-type"))
        {
            headers.push(HeaderSpec {
                key: "Content-Type".into(),
                value: ct.clone(),
                disabled: false,
            });
        }
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

/// curl's `;type=` for a form part's content type, if it has one.
fn type_suffix(content_type: &Option<String>) -> String {
    content_type
        .as_ref()
        .map(|c| format!(";type={c}"))
        .unwrap_or_default()
}

fn form_arg(part: &FormPart) -> String {
    match part {
        FormPart::Text {
            key,
            value,
            content_type,
        } => {
            let ct = type_suffix(content_type);
            format!("--form-string {}", quote(&format!("{key}={value}{ct}")))
        }
        FormPart::File {
            key,
            file_name,
            content_type,
            ..
        } => {
            let ct = type_suffix(content_type);
            format!("-F {}", quote(&format!("{key}=@{file_name}{ct}")))
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
