//! A step's URL after substitution, encoded as Newman sends it (postman-url-encoder's WHATWG
//! encode sets): each part has its own set of characters to percent-encode, `%XX` already in
//! the URL is kept as written, `.` and `..` segments are not resolved (libcurl is told to keep
//! them, see `vayu_ffi::ParsedUrl`). Newman's output for each rule is recorded in
//! `tests/collections/behaviours-more.json` and its Newman recording.

/// Characters besides C0 controls, space, DEL and non-ASCII that each part encodes.
const PATH: &[u8] = b"\"<>`#?{}";
const QUERY: &[u8] = b"\"#'<>";
const FRAGMENT: &[u8] = b"\"<>`";

/// The URL as Newman sends it: `http://` when it names no scheme, then path, query and fragment
/// each percent-encoded with its own set. With `encode` false (Postman's `disableUrlEncoding`)
/// only the scheme is added.
pub(super) fn normalize_url(url: &str, encode: bool) -> String {
    let url = url.trim_start();
    let mut out = String::with_capacity(url.len() + 16);
    let rest = match url.split_once("://") {
        Some((scheme, rest)) if !scheme.is_empty() && !scheme.contains(['/', '?', '#']) => {
            out.push_str(scheme);
            out.push_str("://");
            rest
        }
        _ => {
            out.push_str("http://");
            url
        }
    };
    if !encode {
        out.push_str(rest);
        return out;
    }
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (rest, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = rest
        .find(['/', '\\'])
        .map_or((rest, ""), |i| rest.split_at(i));
    encode_into(&mut out, authority, b"");
    // As the WHATWG parser does for http(s): a backslash separates segments too.
    encode_into(&mut out, &path.replace('\\', "/"), PATH);
    if let Some(q) = query {
        out.push('?');
        encode_into(&mut out, q, QUERY);
    }
    if let Some(f) = fragment {
        out.push('#');
        encode_into(&mut out, f, FRAGMENT);
    }
    out
}

/// A path segment's text encoded as Newman sends a path (a path variable's value).
pub(crate) fn encode_path(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    encode_into(&mut out, text, PATH);
    out
}

fn encode_into(out: &mut String, text: &str, set: &[u8]) {
    for c in text.chars() {
        let keep = c.is_ascii() && !c.is_ascii_control() && c != ' ' && !set.contains(&(c as u8));
        if keep {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
}

/// One query parameter's key or value from a URL object, as Postman's collection SDK joins them
/// (`QueryParam.unparseSingle`): `&` and `#` (and `=` in a key) encoded, so they stay part of the
/// parameter, except inside a `{{variable}}` reference, left for substitution.
pub(crate) fn query_part(text: &str, is_key: bool) -> String {
    let reserved = |c: char| c == '&' || c == '#' || (is_key && c == '=');
    if !text.contains(reserved) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 6);
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        let var_end = start + 2 + len + 2;
        // A reference with `{` or `}` inside is not one: the SDK's pattern is {{[^{}]*}}.
        let name = &rest[start + 2..start + 2 + len];
        if name.contains(['{', '}']) {
            encode_reserved(&mut out, &rest[..start + 1], reserved);
            rest = &rest[start + 1..];
            continue;
        }
        encode_reserved(&mut out, &rest[..start], reserved);
        out.push_str(&rest[start..var_end]);
        rest = &rest[var_end..];
    }
    encode_reserved(&mut out, rest, reserved);
    out
}

fn encode_reserved(out: &mut String, text: &str, reserved: impl Fn(char) -> bool) {
    for c in text.chars() {
        match c {
            '&' if reserved(c) => out.push_str("%26"),
            '#' if reserved(c) => out.push_str("%23"),
            '=' if reserved(c) => out.push_str("%3D"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Newman 6.2.2 put on the request line for each URL (captured on loopback).
    #[test]
    fn urls_are_encoded_as_newman_sends_them() {
        let cases = [
            ("h/a/./b/../c", "http://h/a/./b/../c"),
            (
                "h/p%2a%2Fq%zz?x=%2a&y=%zz",
                "http://h/p%2a%2Fq%zz?x=%2a&y=%zz",
            ),
            (
                "h/s\"<>`{}|\\^'[]!$&()*+,;=:@~",
                "http://h/s%22%3C%3E%60%7B%7D|/^'[]!$&()*+,;=:@~",
            ),
            (
                "h/q?v=\"<>`{}|\\^'[]!$()*+,;:@~/?",
                "http://h/q?v=%22%3C%3E`{}|\\^%27[]!$()*+,;:@~/?",
            ),
            ("h/é?é=é", "http://h/%C3%A9?%C3%A9=%C3%A9"),
            ("h/a b?c d=e f", "http://h/a%20b?c%20d=e%20f"),
            (
                "h/u/{{b}}?q={{b}}&{{b}}=1",
                "http://h/u/%7B%7Bb%7D%7D?q={{b}}&{{b}}=1",
            ),
            ("h/n?v=x\n", "http://h/n?v=x%0A"),
            ("h/t?v=a\tb", "http://h/t?v=a%09b"),
            ("h/e?a=1&&b=2&", "http://h/e?a=1&&b=2&"),
            ("https://h:8/e?", "https://h:8/e?"),
            // Leading blanks go, trailing ones are part of the URL.
            ("  h/ld", "http://h/ld"),
            ("h/ts  ", "http://h/ts%20%20"),
            ("h/tq?a=1 ", "http://h/tq?a=1%20"),
        ];
        for (written, sent) in cases {
            assert_eq!(normalize_url(written, true), sent, "{written:?}");
        }
    }

    #[test]
    fn disabled_encoding_sends_the_url_as_written() {
        assert_eq!(
            normalize_url("h/d\"x'?q=<a>'\"&b={{b}}", false),
            "http://h/d\"x'?q=<a>'\"&b={{b}}"
        );
    }

    #[test]
    fn query_parts_keep_reserved_characters_inside_the_parameter() {
        assert_eq!(query_part("a#b", true), "a%23b");
        assert_eq!(query_part("c&d", true), "c%26d");
        assert_eq!(query_part("g=h", true), "g%3Dh");
        assert_eq!(query_part("i=j#k", false), "i=j%23k");
        assert_eq!(query_part("{{a&b}}&", false), "{{a&b}}%26");
        assert_eq!(query_part("plain", false), "plain");
    }
}
