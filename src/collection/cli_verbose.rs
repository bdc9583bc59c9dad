//! `--verbose`: what Newman's cli reporter prints under each request: one line of status,
//! time, sizes, header and cookie counts; the request body and the response body in boxes
//! (clipped at 2 KB, lines cut at 54 columns as Newman cuts them off a terminal); the timing
//! phases as a table. Vayu measures no `prepare`, `wait` or `process` phase, so those columns
//! are left out; its sizes count the bytes it sent and received.

use super::cli_paint::Paint;
use crate::flow::{Step, StepBody};
use crate::model::{BodyEncoding, Response};
use crate::script::ScriptRequest;
use std::fmt::Write;

/// Newman's `BODY_CLIP_SIZE`.
const CLIP: usize = 2048;
/// Newman's wrap width when not on a terminal (60 columns less its indent).
const WIDTH: usize = 54;

#[allow(clippy::too_many_arguments)]
pub(super) fn details(
    out: &mut String,
    step: &Step,
    req: &ScriptRequest,
    resp: &Response,
    paint: Paint,
    bytes: fn(u64) -> String,
    millis: fn(u64) -> String,
) {
    let star = format!(" {} ", paint.gray("★"));
    let request_body = req.body.as_deref().unwrap_or("");
    status_line(out, req, resp, paint, bytes, millis);
    if !request_body.is_empty() {
        let mode = match step.body {
            StepBody::Raw => "raw",
            StepBody::UrlEncoded(_) => "urlencoded",
            StepBody::FormData(_) => "formdata",
            StepBody::GraphQl { .. } => "graphql",
            StepBody::File { .. } => "file",
        };
        let head = format!("↑ {mode}{star}{}", bytes(request_body.len() as u64));
        boxed(out, &head, request_body, paint, bytes);
    }
    response_body(out, resp, paint, bytes);
    timings(out, resp, millis);
}

/// The line under the request: status, time, sizes both ways, header and cookie counts.
fn status_line(
    out: &mut String,
    req: &ScriptRequest,
    resp: &Response,
    paint: Paint,
    bytes: fn(u64) -> String,
    millis: fn(u64) -> String,
) {
    let star = format!(" {} ", paint.gray("★"));
    let request_size = req.method.len()
        + req.url.len()
        + req
            .headers
            .iter()
            .map(|(k, v)| k.len() + v.len() + 4)
            .sum::<usize>()
        + req.body.as_deref().map_or(0, str::len);
    let response_size: usize = resp
        .headers
        .iter()
        .map(|h| h.name.len() + h.value.len() + 4)
        .sum::<usize>()
        + resp.body_size as usize;
    let cookies = resp
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("set-cookie"))
        .count();
    let arrows = |up: String, down: String, what: &str| {
        let (up_arrow, down_arrow) = (paint.gray("↑"), paint.gray("↓"));
        format!("{up}{up_arrow} {down}{down_arrow} {}", paint.gray(what))
    };
    let fields = [
        format!("{} {}", resp.status, resp.status_text),
        format!("{} {}", millis(resp.timings.total), paint.gray("time")),
        arrows(
            bytes(request_size as u64),
            bytes(response_size as u64),
            "size",
        ),
        arrows(
            req.headers.len().to_string(),
            resp.headers.len().to_string(),
            "headers",
        ),
        format!("{cookies} {}", paint.gray("cookies")),
    ];
    let _ = writeln!(out, "  {}", fields.join(&star));
}

/// The response body in a box under its content type, kind, format and charset.
fn response_body(out: &mut String, resp: &Response, paint: Paint, bytes: fn(u64) -> String) {
    let star = format!(" {} ", paint.gray("★"));
    let content_type = resp.header("content-type").unwrap_or("");
    let (kind, format) = content_info(content_type);
    let charset = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("charset="))
        .map_or("utf8".to_string(), |c| {
            c.replace('-', "").to_ascii_lowercase()
        });
    let summary = [
        content_type.split(';').next().unwrap_or("").trim(),
        kind,
        format,
        &charset,
    ]
    .join(&star);
    let text = match resp.body_encoding {
        BodyEncoding::Utf8 => resp.body.as_str(),
        BodyEncoding::Base64 => "",
    };
    if resp.body_size > 0 && !text.is_empty() {
        let head = format!("↓ {summary}{star}{}", bytes(resp.body_size));
        boxed(out, &head, text, paint, bytes);
    } else {
        let _ = writeln!(out, "  ↓ {summary}");
    }
}

/// A body between `┌` and `└`, each line cut at [`WIDTH`] columns, blank lines dropped.
fn boxed(out: &mut String, head: &str, text: &str, paint: Paint, bytes: fn(u64) -> String) {
    let _ = writeln!(out, "  ┌ {head}");
    let mut shown = text;
    let mut clipped = None;
    if text.len() > CLIP {
        let mut end = CLIP;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        shown = &text[..end];
        clipped = Some(format!(
            "(showing {}/{})",
            bytes(CLIP as u64),
            bytes(text.len() as u64)
        ));
    }
    for line in shown.lines().chain(clipped.as_deref()) {
        let chars: Vec<char> = line.chars().collect();
        for piece in chars.chunks(WIDTH) {
            let piece: String = piece.iter().collect();
            if !piece.trim().is_empty() {
                let _ = writeln!(out, "  │ {}", paint.gray(&piece));
            }
        }
    }
    let _ = writeln!(out, "  └");
}

/// The response's kind and format as Postman's `contentInfo` names the common types.
fn content_info(content_type: &str) -> (&'static str, &'static str) {
    let ct = content_type.to_ascii_lowercase();
    if ct.contains("json") {
        ("text", "json")
    } else if ct.contains("xml") {
        ("text", "xml")
    } else if ct.contains("html") {
        ("text", "html")
    } else if ct.contains("javascript") {
        ("text", "script")
    } else if ct.starts_with("text/") || ct.is_empty() {
        ("text", "plain")
    } else if ct.starts_with("image/") {
        ("image", "image")
    } else {
        ("unknown", "raw")
    }
}

/// The phases as a table of two rows, each column as wide as its widest cell, as Newman's.
fn timings(out: &mut String, resp: &Response, millis: fn(u64) -> String) {
    let t = resp.timings;
    let cached = |v: u64| {
        if v == 0 {
            "(cache)".to_string()
        } else {
            millis(v)
        }
    };
    let mut columns = vec![
        ("dns-lookup", cached(t.dns)),
        ("tcp-handshake", cached(t.connect)),
    ];
    if t.tls > 0 || resp.effective_url.starts_with("https:") {
        columns.push(("ssl-handshake", cached(t.tls)));
    }
    columns.push(("transfer-start", millis(t.first_byte)));
    columns.push(("download", millis(t.download)));
    columns.push(("total", millis(t.total)));
    let mut head = String::from("\n");
    let mut values = String::new();
    for (name, value) in &columns {
        let width = name.chars().count().max(value.chars().count());
        let _ = write!(head, "  {name:<width$} ");
        let _ = write!(values, "  {value:<width$} ");
    }
    let _ = writeln!(out, "{head}\n{values}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_and_blank_lines_dropped() {
        let mut out = String::new();
        let line = "x".repeat(60);
        boxed(
            &mut out,
            "h",
            &format!("{line}\n\nend"),
            Paint(false),
            |n| format!("{n}B"),
        );
        assert_eq!(
            out,
            format!(
                "  ┌ h\n  │ {}\n  │ {}\n  │ end\n  └\n",
                "x".repeat(54),
                "x".repeat(6)
            )
        );
    }
}
