//! The responses a transfer passed through before its last one (redirects, `100 Continue`, auth
//! challenges): which URL each came from and the cookies it set. libcurl follows redirects
//! itself and hands over only header lines, so each hop's URL is worked out from the request's
//! URL and the `Location` headers, as libcurl followed them.

use crate::model::RedirectHop;

/// Splits the raw header blocks of the earlier responses (each starting with its status line)
/// into hops, the first from `request_url`.
pub(super) fn hops(request_url: &str, blocks: &[u8]) -> Vec<RedirectHop> {
    let text = String::from_utf8_lossy(blocks);
    let mut hops: Vec<RedirectHop> = Vec::new();
    let mut url = request_url.to_string();
    let mut location: Option<String> = None;
    for line in text.split('\n').map(|l| l.trim_end_matches('\r')) {
        if line.starts_with("HTTP/") {
            // A new response: the one before moved the URL on if it redirected.
            if let (Some(last), Some(loc)) = (hops.last(), location.take()) {
                if (300..400).contains(&last.status) {
                    url = resolve(&url, &loc);
                }
            }
            let status = line
                .split(' ')
                .nth(1)
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            hops.push(RedirectHop {
                url: url.clone(),
                status,
                set_cookies: Vec::new(),
            });
        } else if let (Some((name, value)), Some(hop)) = (line.split_once(':'), hops.last_mut()) {
            if name.trim().eq_ignore_ascii_case("set-cookie") {
                hop.set_cookies.push(value.trim().to_string());
            } else if name.trim().eq_ignore_ascii_case("location") {
                location = Some(value.trim().to_string());
            }
        }
    }
    hops
}

/// `location` resolved against `base` (RFC 3986 §5.2, enough for what servers send: absolute,
/// scheme-relative, absolute-path, query-only and path-relative references).
pub(super) fn resolve(base: &str, location: &str) -> String {
    let base = base.split('#').next().unwrap_or(base);
    if location.contains("://") && location.split("://").next().is_some_and(is_scheme) {
        return location.to_string();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("http", base));
    if let Some(tail) = location.strip_prefix("//") {
        return format!("{scheme}://{tail}");
    }
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let origin = format!("{scheme}://{}", &rest[..authority_end]);
    let path_and_query = &rest[authority_end..];
    let path = path_and_query.split('?').next().unwrap_or("");
    if location.starts_with('/') {
        return format!("{origin}{location}");
    }
    if location.is_empty() {
        return format!("{origin}{path_and_query}");
    }
    if location.starts_with('?') {
        return format!("{origin}{path}{location}");
    }
    let dir = path.rfind('/').map_or("/", |i| &path[..=i]);
    format!("{origin}{dir}{location}")
}

fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_against_the_hop_they_came_from() {
        let base = "http://h:1/a/b?q=1";
        assert_eq!(resolve(base, "https://x/y"), "https://x/y");
        assert_eq!(resolve(base, "//x/y"), "http://x/y");
        assert_eq!(resolve(base, "/y"), "http://h:1/y");
        assert_eq!(resolve(base, "c"), "http://h:1/a/c");
        assert_eq!(resolve(base, "?z"), "http://h:1/a/b?z");
        assert_eq!(resolve("http://h", "c"), "http://h/c");
    }

    #[test]
    fn each_hop_keeps_its_own_cookies_and_url() {
        let blocks = b"HTTP/1.1 302 Found\r\nSet-Cookie: a=1\r\nLocation: /next\r\nset-cookie: b=2; Path=/\r\n\r\n\
HTTP/1.1 100 Continue\r\n\r\n\
HTTP/1.1 301 Moved\r\nLocation: http://other:2/x\r\nSet-Cookie: c=3\r\n\r\n";
        let hops = hops("http://h:1/login", blocks);
        let seen: Vec<(&str, u16, Vec<&str>)> = hops
            .iter()
            .map(|h| {
                (
                    h.url.as_str(),
                    h.status,
                    h.set_cookies.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("http://h:1/login", 302, vec!["a=1", "b=2; Path=/"]),
                ("http://h:1/next", 100, vec![]),
                ("http://h:1/next", 301, vec!["c=3"]),
            ]
        );
    }
}
