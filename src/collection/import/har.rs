//! HAR 1.2 recordings in: each kept entry becomes a request, in the recording's order, with
//! its method, url, headers (less those the engine sets itself and the cookies, which the
//! run's jar carries), body (`postData` text or params), a test that the status is the one
//! recorded, and the gap to the next entry as its think time. Static assets and other hosts
//! than the recording's own are left out unless asked for; values a response gave that a
//! later request sent back become variables (`har_correlate.rs`). Redirects are not followed:
//! the recording holds each hop as its own entry.

use super::har_correlate::{correlate, Exchange};
use super::{Format, ImportError, ImportReport, Imported};
use serde_json::{json, Value};
use std::time::Duration;

/// How think times are taken from a recording.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum ThinkTime {
    /// The gap between one entry's end and the next one's start, as recorded.
    #[default]
    Keep,
    None,
    Fixed(Duration),
}

impl ThinkTime {
    /// `keep`, `none`, or a duration (`2s`, `500ms`).
    pub fn parse(text: &str) -> Result<ThinkTime, String> {
        match text {
            "keep" => Ok(ThinkTime::Keep),
            "none" => Ok(ThinkTime::None),
            other => crate::model::duration::parse_duration(other, 1000.0)
                .map(ThinkTime::Fixed)
                .map_err(|e| {
                    format!("--think-time `{other}`: {e}; use keep, none or a duration such as 1s")
                }),
        }
    }
}

/// Which entries a HAR import keeps, and how it paces them.
#[derive(Debug, Clone, Default)]
pub struct HarOptions {
    pub think_time: ThinkTime,
    /// Keep images, scripts, styles, fonts and media.
    pub include_static: bool,
    /// Keep only these hosts (default: the first entry's host and its subdomains' siblings).
    pub only_hosts: Vec<String>,
}

/// Headers the engine writes itself, or that describe the recorded connection.
const ENGINE_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "te",
    "accept-encoding",
    "cookie",
];

pub(super) fn convert(doc: &Value, options: &HarOptions) -> Result<Imported, ImportError> {
    let err = |message: &str| ImportError {
        path: "log.entries".into(),
        message: message.into(),
    };
    let entries = doc
        .get("log")
        .and_then(|l| l.get("entries"))
        .and_then(Value::as_array)
        .ok_or_else(|| err("a HAR recording has `log.entries`, a list; this has none"))?;
    let mut report = ImportReport::default();
    let mut kept = kept_entries(entries, options, &mut report.notes)?;
    if kept.is_empty() {
        return Err(err("no entry is left to import (every one was a static asset or to another host); see --include-static and --only-host"));
    }
    let (correlations, captures) = correlate(&mut kept, &mut report.notes);
    report.correlations = correlations;
    let think_times = think_times(&kept, options.think_time);
    let items = kept
        .iter()
        .zip(captures)
        .map(|(e, capture)| item(e, &capture))
        .collect::<Vec<_>>();
    let name = doc
        .pointer("/log/pages/0/title")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .unwrap_or("HAR recording");
    Ok(Imported {
        format: Format::Har,
        collection: json!({
            "info": {"name": name, "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "item": items,
        }),
        think_times,
        report,
    })
}

/// The entries the options keep, read; what was left out is said in `notes`.
fn kept_entries(
    entries: &[Value],
    options: &HarOptions,
    notes: &mut Vec<String>,
) -> Result<Vec<Exchange>, ImportError> {
    let first_party = first_party_host(entries);
    let mut kept = Vec::new();
    let (mut assets, mut others) = (0, Vec::<String>::new());
    for (i, entry) in entries.iter().enumerate() {
        let exchange = Exchange::read(entry).map_err(|m| ImportError {
            path: format!("log.entries[{i}]"),
            message: m,
        })?;
        if !options.include_static && exchange.is_static() {
            assets += 1;
            continue;
        }
        let host = exchange.host();
        let wanted = match options.only_hosts.is_empty() {
            true => first_party.as_deref().is_none_or(|f| same_site(f, &host)),
            false => options
                .only_hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(&host)),
        };
        if wanted {
            kept.push(exchange);
        } else if !others.contains(&host) {
            others.push(host);
        }
    }
    if assets > 0 {
        notes.push(format!("left out {assets} static assets (images, scripts, styles, fonts, media); --include-static keeps them"));
    }
    if !others.is_empty() {
        notes.push(format!(
            "left out the requests to other hosts: {}; --only-host chooses the hosts",
            others.join(", ")
        ));
    }
    Ok(kept)
}

/// The host the recording is about: the first entry's (the page the browser opened).
fn first_party_host(entries: &[Value]) -> Option<String> {
    let url = entries.first()?.pointer("/request/url")?.as_str()?;
    Some(super::har_correlate::host_of(url))
}

/// The same site: equal hosts, or hosts that share their last two labels (`api.shop.test`
/// and `www.shop.test`).
fn same_site(a: &str, b: &str) -> bool {
    let site = |h: &str| {
        if h.parse::<std::net::IpAddr>().is_ok() || h.starts_with('[') {
            return h.to_ascii_lowercase();
        }
        let labels: Vec<&str> = h.split('.').collect();
        labels[labels.len().saturating_sub(2)..]
            .join(".")
            .to_ascii_lowercase()
    };
    a.eq_ignore_ascii_case(b) || site(a) == site(b)
}

fn think_times(kept: &[Exchange], mode: ThinkTime) -> Vec<Duration> {
    kept.iter()
        .enumerate()
        .map(|(i, e)| match (mode, kept.get(i + 1)) {
            (_, None) | (ThinkTime::None, _) => Duration::ZERO,
            (ThinkTime::Fixed(d), _) => d,
            (ThinkTime::Keep, Some(next)) => e.gap_before(next),
        })
        .collect()
}

/// One exchange as a Postman request item.
fn item(e: &Exchange, capture: &[String]) -> Value {
    // A form-data body gets a new boundary when sent: the recorded Content-Type would not
    // match it.
    let built_form = e.body.as_ref().is_some_and(|b| b["mode"] == "formdata");
    let header: Vec<Value> = e
        .headers
        .iter()
        .filter(|(k, _)| {
            !k.starts_with(':') && !ENGINE_HEADERS.contains(&k.to_ascii_lowercase().as_str())
        })
        .filter(|(k, _)| !(built_form && k.eq_ignore_ascii_case("content-type")))
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect();
    let mut request = json!({"method": e.method, "header": header, "url": e.url});
    if let Some(body) = &e.body {
        request["body"] = body.clone();
    }
    // Status 0: the browser recorded no response (aborted, blocked); nothing to compare.
    let status_test = (e.status != 0).then(|| format!(
        "pm.test(\"Status is {0} as recorded\", function () {{\n    pm.response.to.have.status({0});\n}});",
        e.status
    ));
    let test: Vec<String> = status_test
        .into_iter()
        .chain(capture.iter().cloned())
        .collect();
    let exec: Vec<&str> = test.iter().flat_map(|t| t.split('\n')).collect();
    json!({
        "name": e.name,
        "request": request,
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": exec}}],
        "protocolProfileBehavior": {"followRedirects": false},
    })
}
